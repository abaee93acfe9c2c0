"""The PostgreSQL host example under concurrency and a fault (README.md beside this file).

Creates the schema, inserts 20,000 leads, starts 4 workers (worker.py), SIGKILLs one of them
while it holds the routing-state lock with its batch written but not committed, starts a
replacement, waits until every lead is routed, then checks:

- every lead has exactly one owner and exactly one assignment row, seqs 1..N without a gap;
- the killed worker's in-flight batch was rolled back whole (none of its rows survive) and
  routed again by another worker;
- no rep holds more leads than its capacity (the capped enterprise rep fills exactly);
- the equal-weight round-robin rule gave each of its reps the same count within 1;
- a single-process replay of the log (fresh RoutingState, the leads in seq order, each batch
  with the `now` recorded for it) makes the same decisions and ends in a state equal to the
  persisted row.

    LEADCORE_PG_URL=postgresql://... python run_test.py [--leads 20000 --workers 4]

Exits 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg

import leadcore

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import worker  # noqa: E402  (the same column mapping the workers use)

FIRST = "Ana Ben Chloe Dev Emma Femi Gus Hana Ivan Jo Kai Lea Mo Nia Omar Pia Raj Sara Tom Uma".split()
LAST = "Silva Okafor Martin Patel Larsen Nguyen Schmidt Rossi Tanaka Kowalski Haddad Moreau".split()
COMPANY = "Acme Globex Initech Umbrella Stark Wayne Hooli Vandelay Soylent Cyberdyne Tyrell".split()
SUFFIX = ["Labs", "Group", "Systems", "GmbH", "Ltd", "Inc", "Partners", "Works"]
REGIONS = ["NA", "EMEA", "APAC", "LATAM"]
INDUSTRIES = ["software", "retail", "manufacturing", "finance", "health", "education"]
CHANNELS = ["web_form", "referral", "paid_search", "event", "outbound", "partner"]


def make_leads(n: int, seed: int) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    start = datetime(2026, 2, 1, tzinfo=timezone.utc)
    rows = []
    for i in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}"
        domain = company.lower().replace(" ", "") + ".example"
        # Log-uniform head counts, 1 to ~3,000 (about 14 % at 1,000+); a few unknown.
        employees = None if rng.random() < 0.04 else int(math.exp(rng.uniform(0.0, 8.0)))
        rows.append(
            (
                i,
                first,
                last,
                f"{first}.{last}{i}@{domain}".lower(),
                company,
                employees,
                rng.choice(REGIONS),
                rng.choice(INDUSTRIES),
                rng.choice(CHANNELS),
                start + timedelta(seconds=rng.randrange(28 * 86400)),
            )
        )
    return rows


class Failures:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.failed.append(what)


def one(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """The single row a query returns."""
    row: tuple[Any, ...] | None = conn.execute(sql, params).fetchone()
    if row is None:
        raise RuntimeError(f"no row from {sql}")
    return row


def counts(conn: psycopg.Connection[Any], sql: str) -> Counter[str]:
    """(key, count) rows as a Counter."""
    return Counter({k: n for k, n in conn.execute(sql).fetchall()})


def read_events(path: Path) -> list[dict[str, Any]]:
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # a line cut by SIGKILL
    return events


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--url", default=os.environ.get("LEADCORE_PG_URL"))
    ap.add_argument("--leads", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--hold-ms", type=float, default=5.0, help="pause before each COMMIT")
    ap.add_argument("--timeout", type=float, default=100.0)
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()
    if not args.url:
        ap.error("no --url and no LEADCORE_PG_URL (bash scripts/setup-postgres.sh writes it)")
    t0 = time.monotonic()
    pb = leadcore.Playbook.from_file(HERE / "playbook.yaml")
    routing = json.loads(pb.to_json())["routing"]
    capacity = {r["id"]: r.get("capacity", routing["capacity"]) for r in routing["reps"]}
    inbound = [r["id"] for r in routing["reps"] if r.get("team") == "inbound"]

    conn = psycopg.connect(args.url, autocommit=True, application_name="leadcore-test")
    conn.execute((HERE / "schema.sql").read_text())
    conn.execute("SET search_path TO leadcore_host")
    copy_sql = f"COPY leads ({', '.join(worker.LEAD_COLUMNS)}) FROM STDIN"
    with conn.cursor() as cur, cur.copy(copy_sql) as cp:
        for row in make_leads(args.leads, args.seed):
            cp.write_row(row)
    conn.execute(
        "INSERT INTO routing_state VALUES (1, %s::jsonb, 1, 0, now(), 'seed')",
        (pb.routing_state().to_json(),),
    )
    rollback_sql = "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
    rollbacks_before = one(conn, rollback_sql)[0]
    print(f"seeded {args.leads} leads in {time.monotonic() - t0:.1f} s", flush=True)

    logs = Path(tempfile.mkdtemp(prefix="leadcore-host-pg-"))
    env = dict(os.environ, LEADCORE_PG_URL=args.url, LEADCORE_PG_HOLD_MS=str(args.hold_ms))
    procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str) -> None:
        with (logs / f"{name}.jsonl").open("wb") as out:
            procs[name] = subprocess.Popen(
                [sys.executable, str(HERE / "worker.py"), "--name", name,
                 "--batch", str(args.batch), "--clock", "batch"],
                stdout=out, env=env,
            )

    def assigned() -> int:
        return int(one(conn, "SELECT count(*) FROM leads WHERE owner IS NOT NULL")[0])

    def sessions(name: str) -> int:
        sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        return int(one(conn, sql, (f"leadcore-{name}",))[0])

    def in_hold(name: str) -> bool:
        """Whether the worker is inside its transaction, every row written, not committed."""
        sql = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
               "AND state = 'idle in transaction' AND query LIKE 'UPDATE routing_state%%'")
        return bool(one(conn, sql, (f"leadcore-{name}",))[0])

    t_run = time.monotonic()
    deadline = t_run + args.timeout
    for i in range(1, args.workers + 1):
        start(f"worker-{i}")
    victim = "worker-2"
    try:
        # Wait for a third of the leads, then for the victim to be inside a transaction with
        # its writes done: idle in transaction right after UPDATE routing_state (its hold);
        while assigned() < args.leads // 3:
            if time.monotonic() > deadline:
                raise TimeoutError("a third of the leads not routed in time")
            time.sleep(0.05)
        # SIGSTOP it there, let the server catch up (a COMMIT already on the wire would be
        # processed by then) and check again: only a worker frozen with its transaction open
        # is killed; if it slipped through to COMMIT, let it go on and try the next batch.
        holding, tries = False, 0
        while not holding:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{victim} never seen inside its transaction")
            if in_hold(victim):
                tries += 1
                procs[victim].send_signal(signal.SIGSTOP)
                time.sleep(0.05)
                holding = in_hold(victim)
                if not holding:
                    procs[victim].send_signal(signal.SIGCONT)
            else:
                time.sleep(0.001)
        # The others queue behind the lock the victim holds (the state row serialises them).
        waiting = int(one(conn,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'leadcore-worker-%%' "
            "AND application_name <> %s AND wait_event_type = 'Lock'",
            (f"leadcore-{victim}",),
        )[0])
        procs[victim].send_signal(signal.SIGKILL)
        procs[victim].wait()
        print(f"SIGKILL {victim} at {assigned()} leads routed, frozen inside its transaction"
              f" (attempt {tries})", flush=True)
        # The server notices the closed connection, rolls back and frees the lock.
        while sessions(victim):
            if time.monotonic() > deadline:
                raise TimeoutError("the killed worker's session did not end")
            time.sleep(0.01)
        start(f"{victim}-restarted")
        for name, p in procs.items():
            if name != victim:
                p.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.wait()
    run_seconds = time.monotonic() - t_run
    print(f"workers finished in {run_seconds:.1f} s", flush=True)

    f = Failures()
    print("checks:")
    for name, p in procs.items():
        expected = -signal.SIGKILL if name == victim else 0
        f.check(p.returncode == expected, f"{name} exited with {p.returncode} (expected {expected})")
    f.check(waiting >= 1, f"while {victim} held the state row, {waiting} other worker(s) waited on its lock")

    # The killed worker's transaction: claimed (and written) but never committed.
    events = read_events(logs / f"{victim}.jsonl")
    committed = {e["batch"] for e in events if e["event"] == "commit"}
    in_flight = [e for e in events if e["event"] == "claim" and e["batch"] not in committed]
    held = {e["batch"] for e in events if e["event"] == "hold"} - committed
    rolled_back = len(in_flight)
    f.check(len(committed) > 0, f"{victim} committed {len(committed)} batches before the kill")
    # "Every row written" is the server's word (idle in transaction right after its last
    # statement, UPDATE routing_state, seen twice around the SIGSTOP): the worker's own "hold"
    # line may not be out yet when the signal lands, so it only confirms when present.
    f.check(rolled_back == 1 and holding, f"{victim} was killed inside {rolled_back} transaction(s)"
            f" (every row written as the server saw it; its hold line {'logged' if held else 'not yet out'};"
            " none committed)")
    for e in in_flight:
        ids = e["leads"]
        lost = one(conn, "SELECT count(*) FROM assignments WHERE worker = %s AND lead_id = ANY(%s)",
                   (victim, ids))[0]
        redone = one(conn, "SELECT string_agg(DISTINCT worker, ',') FROM assignments "
                     "WHERE lead_id = ANY(%s)", (ids,))[0]
        f.check(lost == 0 and redone is not None and victim not in redone.split(","),
                f"its batch {e['batch']} (seqs {e['first_seq']}..{e['first_seq'] + len(ids) - 1},"
                f" {len(ids)} leads) left no row; routed again by {redone}")
    rollbacks = one(conn, rollback_sql)[0] - rollbacks_before

    # Exactly once.
    n_leads, n_owned = one(conn, "SELECT count(*), count(owner) FROM leads")
    n_log, n_log_leads, min_seq, max_seq = one(
        conn, "SELECT count(*), count(DISTINCT lead_id), min(seq), max(seq) FROM assignments")
    mismatched = one(conn,
        "SELECT count(*) FROM leads l JOIN assignments a ON a.lead_id = l.id "
        "WHERE (l.seq, l.owner_kind, l.owner, l.rule) "
        "IS DISTINCT FROM (a.seq, a.owner_kind, a.owner, a.rule)")[0]
    f.check(n_leads == args.leads and n_owned == args.leads, f"{n_owned} of {n_leads} leads have an owner")
    f.check(n_log == args.leads and n_log_leads == args.leads,
            f"{n_log} assignment rows for {n_log_leads} distinct leads")
    f.check((min_seq, max_seq) == (1, args.leads), f"seqs run 1..{max_seq} without a gap")
    f.check(mismatched == 0, f"{mismatched} leads differ from their assignment row")
    by_worker = counts(conn, "SELECT worker, count(*) FROM assignments GROUP BY 1")
    print(f"  leads routed per worker: {dict(sorted(by_worker.items()))}")

    # Capacity.
    per_rep = counts(conn, "SELECT owner, count(*) FROM assignments WHERE owner_kind = 'rep' GROUP BY 1")
    per_queue = counts(conn, "SELECT owner, count(*) FROM assignments WHERE owner_kind = 'queue' GROUP BY 1")
    over = {rep: n for rep, n in per_rep.items() if n > capacity[rep]}
    f.check(not over, f"no rep over capacity (per rep: {dict(sorted(per_rep.items()))};"
            f" queues: {dict(per_queue)})")
    enterprise = one(conn, "SELECT count(*) FROM leads WHERE employees >= 1000")[0]
    f.check(per_rep["ivy"] == min(capacity["ivy"], enterprise)
            and per_queue["enterprise_overflow"] == enterprise - per_rep["ivy"],
            f"the capped rep filled to {per_rep['ivy']}/{capacity['ivy']};"
            f" {enterprise - per_rep['ivy']} enterprise leads overflowed to the queue")

    # Equal-weight round robin.
    rr = counts(conn, "SELECT owner, count(*) FROM assignments WHERE rule = 'inbound' GROUP BY 1")
    turns = [rr[r] for r in inbound]
    f.check(max(turns) - min(turns) <= 1,
            f"round robin over {len(inbound)} reps: {turns} (spread {max(turns) - min(turns)})")

    # Replay in one process, from the log: same decisions, same final state.
    persisted_text = one(conn, "SELECT state::text FROM routing_state WHERE id = 1")[0]
    log = conn.execute(
        f"SELECT a.batch, a.routed_at, a.owner_kind, a.owner, a.rule, "
        f"{', '.join('l.' + c for c in worker.LEAD_COLUMNS)} "
        "FROM assignments a JOIN leads l ON l.id = a.lead_id ORDER BY a.seq"
    ).fetchall()
    batches: dict[int, list[tuple[Any, ...]]] = {}
    for row in log:
        batches.setdefault(row[0], []).append(row)
    f.check(list(batches) == list(range(1, len(batches) + 1)), f"{len(batches)} batches, numbered in seq order")
    f.check(all(len({r[1] for r in b}) == 1 for b in batches.values()), "one `now` per batch in the log")
    state = pb.routing_state()
    differ = 0
    for b in batches.values():
        decisions = pb.route_batch(state, worker.columns([r[5:] for r in b]), b[0][1])
        for r, d in zip(b, decisions, strict=True):
            ((kind, owner),) = d["assignee"].items()
            differ += (kind, owner, d.get("rule")) != (r[2], r[3], r[4])
    f.check(differ == 0, f"replay: {len(log) - differ} of {len(log)} decisions the same")
    persisted = leadcore.RoutingState.from_json(persisted_text)
    f.check(persisted == state and json.loads(persisted_text) == json.loads(state.to_json()),
            "replay: final RoutingState equal to the persisted row")
    f.check(all(persisted.counters(rep)["open_leads"] == per_rep[rep] for rep in capacity),
            "the state's open-lead counters equal the table's counts")
    conn.close()

    print(f"\nrolled back by the kill: {rolled_back} transaction(s) ({len(held)} with every row"
          f" written); pg_stat_database xact_rollback +{rollbacks}")
    print(f"{args.leads} leads, {args.workers} workers, {len(batches)} batches of <= {args.batch},"
          f" hold {args.hold_ms:g} ms: routing {run_seconds:.1f} s, all {time.monotonic() - t0:.1f} s")
    if f.failed:
        print(f"host_postgres: {len(f.failed)} check(s) FAILED (worker logs: {logs})")
        return 1
    shutil.rmtree(logs, ignore_errors=True)
    print("host_postgres: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
