"""The main job through the Python door: the Olist marketing funnel through the default
playbook's lead lifecycle, with the same derived steps as examples/funnel.rs, printed as a
funnel table. Run after `bash scripts/setup-python.sh`:

    .venv/bin/python examples/funnel.py [DATA_DIR]

It prints the same funnel as `cargo run --release --example funnel`: both doors run the
same engine.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import leadcore

UTC = timezone.utc


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent / "shared/data/olist-marketing-funnel"
    mqls = read_csv(data / "olist_marketing_qualified_leads_dataset.csv")
    deals = {d["mql_id"]: d for d in read_csv(data / "olist_closed_deals_dataset.csv")}
    pb = leadcore.Playbook.default()

    contacts = [
        (r["mql_id"], datetime.strptime(r["first_contact_date"], "%Y-%m-%d").replace(tzinfo=UTC), r["origin"])
        for r in mqls
    ]
    won_at = {
        k: datetime.strptime(d["won_date"], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        for k, d in deals.items()
        if d["won_date"]
    }
    end = max([c[1] for c in contacts] + list(won_at.values())) + timedelta(days=1)

    moved, refused = 0, Counter()
    started = time.perf_counter()
    states = []
    marketing = ("marketing", "marketing")
    for lead_id, contact, origin in contacts:
        lead: dict = {"id": lead_id, "source": {"channel": origin} if origin else {}}
        state = pb.start("lead", lead_id, contact)

        def step(to: str, actor: tuple[str, str], now: datetime, **facts: object) -> None:
            nonlocal moved
            try:
                pb.transition(state, to, actor=actor, now=now, **facts)  # type: ignore[arg-type]
                moved += 1
            except leadcore.GuardFailedError as e:
                refused["+".join(g["guard"] for g in e.failed_guards)] += 1
            except leadcore.LeadcoreError as e:
                refused[e.code] += 1

        step("MQL", marketing, contact, lead=lead, scores={"lead": 100})
        deal, won = deals.get(lead_id), won_at.get(lead_id)
        if deal is not None and won is not None and won > contact:
            span = (won - contact).total_seconds()

            def at(f: float) -> datetime:
                return contact + timedelta(seconds=int(span * f))

            revenue = int(float(deal["declared_monthly_revenue"] or 0))
            lead["custom"] = {
                "budget": revenue * 100,
                "authority": deal["has_company"] != "False",
                "timeline": won.date().isoformat(),
            }
            if deal["business_segment"]:
                lead["custom"]["need"] = deal["business_segment"]
            activities = [
                {"kind": "call", "at": at(0.1)},
                {"kind": "meeting_scheduled", "at": at(0.3)},
                {"kind": "meeting_held", "at": at(0.5)},
            ]
            sdr, closer = (deal["sdr_id"], "sdr"), (deal["sr_id"], "ae")
            step("SRL", sdr, min(contact + timedelta(hours=1), at(0.05)), lead=lead, activities=activities)
            for to, f in (("SQL Contacted", 0.1), ("SQL Scheduled", 0.3), ("Opportunity", 0.5)):
                step(to, sdr, at(f), lead=lead, activities=activities)
            step("Won", closer, won, lead=lead, activities=activities)
        elif contact + timedelta(days=90) <= end:
            step("Nurture", marketing, contact + timedelta(days=90), lead=lead, reason="no deal within 90 days")
        states.append(state)
    elapsed = time.perf_counter() - started

    print(f"Olist marketing funnel through the default playbook (Python door): {len(contacts)} leads, "
          f"{len(deals)} closed deals, as of {end.date()}\n")
    print(f"{'stage':<15} {'reached':>8} {'entered':>8} {'now':>8} {'conv.->next':>11} {'mean dwell (d)':>16}")
    for row in pb.funnel("lead", states, end):
        conv = "-" if row["conversion_to_next"] is None else f"{row['conversion_to_next'] * 100:.1f}%"
        dwell = "-" if row["mean_dwell_seconds"] is None else f"{row['mean_dwell_seconds'] / 86400:.1f}"
        print(f"{row['stage']:<15} {row['reached']:>8} {row['entered']:>8} {row['current']:>8} {conv:>11} {dwell:>16}")
    total = moved + sum(refused.values())
    print(f"\n{moved} transitions applied, {sum(refused.values())} refused, in {elapsed * 1e3:.1f} ms "
          f"({total / elapsed:.0f} transitions/s through the Python door)")
    for why, n in sorted(refused.items()):
        print(f"  refused {n:>5} x {why}")


if __name__ == "__main__":
    main()
