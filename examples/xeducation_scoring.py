"""Does the score rank real leads by how likely they are to convert?

    .venv/bin/python examples/xeducation_scoring.py [PATH/TO/Leads.csv]

Scores the 9,240 X Education leads (../shared/data/x-education-lead-scoring; 38.5% of them
converted) with examples/xeducation_playbook.yaml through the Python door, in one
`score_many` call, then shows conversion by grade and by score decile. The rules were written
from the domain's rules of thumb, not fitted to this data: this checks that explicit,
explainable rules rank leads, and how well.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

import leadcore

HERE = Path(__file__).resolve().parent


def leads_from(df: pd.DataFrame) -> list[dict]:
    def text(v: object) -> str | None:
        return None if pd.isna(v) or v == "Select" else str(v)

    out = []
    for r in df.itertuples(index=False):
        custom = {
            "lead_origin": text(r.lead_origin),
            "occupation": text(r.occupation),
            "do_not_email": r.do_not_email == "Yes",
            "total_visits": None if pd.isna(r.total_visits) else float(r.total_visits),
            "time_on_site": float(r.time_on_site),
            "last_activity": text(r.last_activity),
        }
        lead = {"id": str(r.id), "custom": {k: v for k, v in custom.items() if v is not None}}
        if text(r.lead_source):
            lead["source"] = {"channel": text(r.lead_source)}
        out.append(lead)
    return out


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared/data/x-education-lead-scoring/Leads.csv"
    raw = pd.read_csv(path)
    df = raw.rename(
        columns={
            "Prospect ID": "id",
            "Lead Origin": "lead_origin",
            "Lead Source": "lead_source",
            "What is your current occupation": "occupation",
            "Do Not Email": "do_not_email",
            "TotalVisits": "total_visits",
            "Total Time Spent on Website": "time_on_site",
            "Last Activity": "last_activity",
        }
    )
    pb = leadcore.Playbook.from_file(HERE / "xeducation_playbook.yaml")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    no_events = {"lead_id": [], "kind": [], "at": []}
    scores = pb.score_many(leads_from(df), no_events, now)
    scored = df[["id", "Converted"]].merge(scores, left_on="id", right_on="lead_id")

    base = scored["Converted"].mean()
    print(f"{len(scored):,} leads, {base:.1%} converted overall\n")
    print("conversion by grade of the combined `lead` score:")
    by_grade = scored.groupby("grade_lead")["Converted"].agg(["size", "mean"])
    for grade, row in by_grade.iterrows():
        print(f"  {grade}: {int(row['size']):>5} leads, {row['mean']:6.1%} converted ({row['mean'] / base:4.2f}x base)")
    scored["decile"] = pd.qcut(scored["score_lead"].rank(method="first"), 10, labels=False)
    top = scored[scored["decile"] == 9]["Converted"].mean()
    bottom = scored[scored["decile"] == 0]["Converted"].mean()
    # Probability that a random converter outscores a random non-converter (ties count half).
    ranks = scored["score_lead"].rank()
    pos = scored["Converted"] == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    auc = (ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    print(f"\ntop score decile converts at {top:.1%}, bottom decile at {bottom:.1%}; ROC AUC {auc:.3f}")

    best = scored.sort_values("score_lead", ascending=False).iloc[0]
    card = pb.score(next(l for l in leads_from(df[df["id"] == best["id"]])), [], now)
    print(f"\nwhy lead {best['id'][:8]}… scores {card.score('lead'):.0f}:")
    for model in card.models[:2]:
        hits = [f"{r['rule']} {r['points']:+.0f}" for r in model["rules"] if r["occurrences"]]
        print(f"  {model['model']:<8} {model['score']:>4.0f}  " + ", ".join(hits))


if __name__ == "__main__":
    main()
