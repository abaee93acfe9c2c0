"""One routing worker of the PostgreSQL host example (see README.md beside this file).

Run as many as you like; each loops over one transaction per batch:

    BEGIN
    SELECT state ... FROM routing_state WHERE id = 1 FOR UPDATE      -- the decision lock
    SELECT ... FROM leads WHERE owner IS NULL ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED
    (route the batch with leadcore, from the state just read)
    UPDATE leads ...; INSERT INTO assignments ...; UPDATE routing_state ...
    COMMIT

and exits when no unassigned lead is left (or keeps polling with --poll).

    python worker.py --name worker-1            # LEADCORE_PG_URL=postgresql://... in the env

Each step is printed as a JSON line on stdout (`claim`, `hold`, `commit`, `done`), flushed at
once, so a supervisor (run_test.py) can tell which transaction a killed worker left behind.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg

import leadcore

HERE = Path(__file__).resolve().parent

# The `batch` clock: a fixed start plus one minute per batch, so that a run's `now` values (and
# with them the rep counters' day boundaries: this start crosses midnight after 180 batches)
# are the same on every run. The `db` clock asks the server instead.
BATCH_CLOCK_START = datetime(2026, 3, 2, 21, 0, tzinfo=timezone.utc)

LEAD_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "company",
    "employees",
    "region",
    "industry",
    "channel",
    "created_at",
)


def emit(**event: Any) -> None:
    print(json.dumps(event, separators=(",", ":")), flush=True)


def columns(rows: list[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """The claimed rows as the flat lead columns routing reads (lead id as text)."""
    cols: dict[str, list[Any]] = {name: [] for name in LEAD_COLUMNS}
    for row in rows:
        for name, value in zip(LEAD_COLUMNS, row):
            if name == "id":
                value = str(value)
            elif name == "created_at":
                value = value.isoformat()
            cols[name].append(value)
    return cols


def route_one_batch(
    conn: psycopg.Connection[Any],
    pb: leadcore.Playbook,
    name: str,
    batch_size: int,
    clock: str,
    hold: float,
) -> int:
    """One transaction: lock the state, claim, route, write, commit. The leads routed (0: none
    left). Any exception, or the process dying, before COMMIT rolls everything back."""
    with conn.transaction():
        row = conn.execute(
            "SELECT state::text, next_seq, batches FROM routing_state WHERE id = 1 FOR UPDATE"
        ).fetchone()
        if row is None:
            raise RuntimeError("routing_state has no row 1; run schema.sql and seed it")
        state_json, next_seq, batches = row
        # Under the state lock no other worker holds claimed leads, so SKIP LOCKED skips
        # nothing here; it keeps the claim safe if a host ever claims before locking.
        leads = conn.execute(
            f"SELECT {', '.join(LEAD_COLUMNS)} FROM leads WHERE owner IS NULL "
            "ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            (batch_size,),
        ).fetchall()
        if not leads:
            return 0
        batch = batches + 1
        if clock == "batch":
            now = BATCH_CLOCK_START + timedelta(minutes=batch)
        else:
            # The server's clock, read under the lock: never earlier than the previous
            # decision's, whichever worker made it.
            now_row = conn.execute("SELECT clock_timestamp()").fetchone()
            assert now_row is not None
            now = now_row[0]
        ids = [r[0] for r in leads]
        emit(event="claim", batch=batch, first_seq=next_seq, leads=ids)

        state = leadcore.RoutingState.from_json(state_json)
        decisions = pb.route_batch(state, columns(leads), now)

        seqs = list(range(next_seq, next_seq + len(ids)))
        kinds: list[str] = []
        owners: list[str] = []
        rules: list[str | None] = []
        for lead_id, decision in zip(ids, decisions):
            if decision["lead_id"] != str(lead_id):
                raise RuntimeError(f"decision for {decision['lead_id']} where {lead_id} was due")
            ((kind, owner),) = decision["assignee"].items()
            kinds.append(kind)
            owners.append(owner)
            rules.append(decision.get("rule"))
        updated = conn.execute(
            "UPDATE leads AS l SET owner_kind = u.kind, owner = u.owner, rule = u.rule, seq = u.seq "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::bigint[]) "
            "AS u(id, kind, owner, rule, seq) WHERE l.id = u.id AND l.owner IS NULL",
            (ids, kinds, owners, rules, seqs),
        ).rowcount
        if updated != len(ids):
            raise RuntimeError(f"{updated} of {len(ids)} claimed leads were still unassigned")
        conn.execute(
            "INSERT INTO assignments (seq, batch, lead_id, owner_kind, owner, rule, routed_at, worker) "
            "SELECT u.seq, %s, u.id, u.kind, u.owner, u.rule, %s, %s "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[]) "
            "AS u(seq, id, kind, owner, rule)",
            (batch, now, name, seqs, ids, kinds, owners, rules),
        )
        conn.execute(
            "UPDATE routing_state SET state = %s::jsonb, next_seq = %s, batches = %s, "
            "updated_at = %s, updated_by = %s WHERE id = 1",
            (state.to_json(), next_seq + len(ids), batch, now, name),
        )
        if hold > 0:
            # Only for the fault test: everything is written, nothing committed yet.
            emit(event="hold", batch=batch, first_seq=next_seq, leads=ids)
            time.sleep(hold)
    emit(event="commit", batch=batch, first_seq=next_seq, n=len(ids))
    return len(ids)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--name", default=f"worker-{os.getpid()}", help="shown in logs and rows")
    ap.add_argument("--url", default=os.environ.get("LEADCORE_PG_URL"), help="default: $LEADCORE_PG_URL")
    ap.add_argument("--playbook", default=str(HERE / "playbook.yaml"))
    ap.add_argument("--batch", type=int, default=50, help="leads per transaction")
    ap.add_argument("--clock", choices=("batch", "db"), default="db")
    ap.add_argument(
        "--poll", type=float, default=0.0, help="seconds between polls when idle (0: exit when idle)"
    )
    args = ap.parse_args(argv)
    if not args.url:
        ap.error("no --url and no LEADCORE_PG_URL")
    # A pause inside each transaction, after the writes and before COMMIT: lets the fault
    # test kill a worker while it holds the lock with everything written but not committed.
    hold = float(os.environ.get("LEADCORE_PG_HOLD_MS", "0")) / 1000.0

    pb = leadcore.Playbook.from_file(args.playbook)
    routed = 0
    with psycopg.connect(args.url, autocommit=True, application_name=f"leadcore-{args.name}") as conn:
        conn.execute("SET search_path TO leadcore_host")
        # A worker that hangs (not dies) with the lock would stall every other: the server
        # ends such a session, and its transaction rolls back, after 30 s.
        conn.execute("SET idle_in_transaction_session_timeout = '30s'")
        while True:
            n = route_one_batch(conn, pb, args.name, args.batch, args.clock, hold)
            routed += n
            if n == 0:
                if args.poll <= 0:
                    break
                time.sleep(args.poll)
    emit(event="done", routed=routed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
