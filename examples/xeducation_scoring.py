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


def leads_from(raw: pd.DataFrame) -> pd.DataFrame:
    """The CSV as a leads table: `channel` is a built-in field, the rest are declared in the
    playbook's `fields`; "Select" (the form's "not chosen") is a missing value."""

    def text(column: str) -> pd.Series:
        return raw[column].where(raw[column] != "Select")

    return pd.DataFrame(
        {
            "id": raw["Prospect ID"],
            "channel": text("Lead Source"),
            "lead_origin": text("Lead Origin"),
            "occupation": text("What is your current occupation"),
            "do_not_email": raw["Do Not Email"] == "Yes",
            "total_visits": raw["TotalVisits"],
            "time_on_site": raw["Total Time Spent on Website"].astype(float),
            "last_activity": text("Last Activity"),
        }
    )


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared/data/x-education-lead-scoring/Leads.csv"
    raw = pd.read_csv(path)
    pb = leadcore.Playbook.from_file(HERE / "xeducation_playbook.yaml")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    # Every rule is a fit rule: no events. The scores come indexed by lead id.
    scores = pb.score_many(leads_from(raw), None, now)
    scored = raw[["Prospect ID", "Converted"]].join(scores, on="Prospect ID")

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

    best = scored.sort_values("score_lead", ascending=False).iloc[0]["Prospect ID"]
    leads = leads_from(raw)
    explained = pb.score_columns(leads[leads["id"] == best], None, now, explain=True)
    tidy = explained.explanations.to_pandas()
    print(f"\nwhy lead {best[:8]}… scores {explained.score(best, 'lead'):.0f}:")
    for model in ["fit", "interest"]:
        lines = tidy[(tidy["model"] == model) & (tidy["events"] > 0)]
        hits = [f"{r.rule} {r.points:+.0f}" for r in lines.itertuples()]
        print(f"  {model:<8} {explained.score(best, model):>4.0f}  " + ", ".join(hits))


if __name__ == "__main__":
    main()
