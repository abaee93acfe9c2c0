"""The batch-scoring fixture scored the way a data scientist would without leadcore.

    cargo run --release --example scoring_fixture -- target/scoring-fixture
    python benches/scoring_pandas.py target/scoring-fixture

Two baselines over the same 10M events / 100k leads / 20 rules
(benches/fixtures/scoring_playbook.yaml):

* pandas, the obvious way: boolean masks per rule, sort + groupby().head() for occurrence
  limits, groupby().sum() per rule, a merge for fit rules;
* numpy, vectorised by hand: integer codes, np.bincount per rule, one lexsort for the
  occurrence limits.

Both must give exactly leadcore's scores (the fixture's decay factors are powers of two or
0/1, so every value is an exact binary fraction); the script asserts it and prints the speed
of each next to leadcore's best-of-5 time from the same fixture.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

DAY = 86_400
NULL = np.uint32(0xFFFFFFFF)

# (name, kind, points, filters, options) mirroring benches/fixtures/scoring_playbook.yaml.
RULES = [
    ("contact_form", "form_submitted", 15, {}, {"limit": 1}),
    ("opens", "email_opened", 2, {}, {"group": "email"}),
    ("clicks", "email_clicked", 5, {}, {"group": "email", "limit": 5}),
    ("replies", "email_replied", 8, {}, {"group": "email"}),
    ("forwards", "email_forwarded", 4, {}, {"group": "email"}),
    ("pricing", "web_visit", 15, {"page": "pricing"}, {"step": (0.5, 30 * DAY)}),
    ("blog", "web_visit", 2, {"page": "blog"}, {"window": 90 * DAY}),
    ("docs_deep_read", "web_visit", 3, {"page": "docs", "min_seconds": 60}, {"max": 30}),
    ("downloads", "content_downloaded", 10, {}, {"expiry": 180 * DAY}),
    ("trial", "trial_signup", 25, {}, {"limit": 1}),
    ("demo_booked", "meeting_scheduled", 20, {}, {"window": 60 * DAY}),
    ("demo_held", "meeting_held", 30, {}, {}),
    ("no_show", "meeting_no_show", -10, {}, {}),
    ("unsubscribed", "email_unsubscribed", -20, {}, {}),
    ("spring_campaign", "email_clicked", 3, {"campaign": "spring"}, {"limit": 1}),
]
GROUP_CAP = {"email": 40.0}
LEAD_CAP = 200.0


def load(folder: Path) -> tuple[dict, dict[str, np.ndarray]]:
    meta = json.loads((folder / "meta.json").read_text())
    cols = {
        "lead": np.fromfile(folder / "lead.u32", dtype="<u4"),
        "kind": np.fromfile(folder / "kind.u32", dtype="<u4"),
        "at": np.fromfile(folder / "at.i64", dtype="<i8"),
        "page": np.fromfile(folder / "page.u32", dtype="<u4"),
        "seconds": np.fromfile(folder / "seconds.i64", dtype="<i8"),
        "campaign": np.fromfile(folder / "campaign.u32", dtype="<u4"),
    }
    return meta, cols


def fit_scores(meta: dict) -> np.ndarray:
    emp = np.array(meta["employees"], dtype=np.int64)
    users = np.array(meta["users"], dtype=np.int64)
    region = np.array(meta["region"], dtype=object)
    title = np.array(meta["title"], dtype=object)
    fit = np.zeros(len(emp))
    fit += np.where((emp >= 11) & (emp < 50), 10.0, 0.0)
    fit += np.where(emp >= 50, 20.0, 0.0)
    fit += np.where(np.isin(region, ["EMEA", "NA"]), 5.0, 0.0)
    fit += np.where(np.char.find(title.astype(str), "Head") >= 0, 10.0, 0.0)
    fit += np.where(users >= 25, 10.0, 0.0)
    return fit


def factor(opts: dict, age: np.ndarray) -> np.ndarray | float:
    if "step" in opts:
        keep, period = opts["step"]
        return keep ** (age // period)
    if "expiry" in opts:
        return np.where(age < opts["expiry"], 1.0, 0.0)
    return 1.0


def combine(meta: dict, per_rule: dict[str, np.ndarray]) -> np.ndarray:
    """Rule sums -> [engagement, fit, lead] per lead, as leadcore combines them."""
    n = meta["leads"]
    engagement = np.zeros(n)
    email = np.zeros(n)
    for name, _k, _p, _f, opts in RULES:
        v = per_rule[name]
        if "max" in opts:
            v = np.clip(v, -opts["max"], opts["max"])
        if opts.get("group") == "email":
            email += v
        else:
            engagement += v
    engagement += np.minimum(email, GROUP_CAP["email"])
    fit = fit_scores(meta)
    lead = np.minimum(engagement + fit, LEAD_CAP)
    return np.stack([engagement, fit, lead], axis=1).ravel()


def score_pandas(meta: dict, cols: dict[str, np.ndarray]) -> np.ndarray:
    now = meta["now"]
    kinds = np.array(meta["kinds"], dtype=object)
    pages = np.array(meta["pages"] + [None], dtype=object)
    campaigns = np.array(meta["campaigns"] + [None], dtype=object)
    page_idx = np.where(cols["page"] == NULL, len(meta["pages"]), cols["page"])
    camp_idx = np.where(cols["campaign"] == NULL, len(meta["campaigns"]), cols["campaign"])
    df = pd.DataFrame(
        {
            "lead": cols["lead"],
            "kind": kinds[cols["kind"]],
            "at": cols["at"],
            "page": pages[page_idx],
            "seconds": cols["seconds"],
            "campaign": campaigns[camp_idx],
        }
    )
    df = df[df["at"] <= now]
    per_rule = {}
    for name, kind, points, filters, opts in RULES:
        m = df[df["kind"] == kind]
        if "page" in filters:
            m = m[m["page"].str.contains(filters["page"], regex=False, na=False)]
        if "min_seconds" in filters:
            m = m[m["seconds"] >= filters["min_seconds"]]
        if "campaign" in filters:
            m = m[m["campaign"] == filters["campaign"]]
        if "window" in opts:
            m = m[m["at"] >= now - opts["window"]]
        if "limit" in opts:
            m = m.sort_values("at", kind="stable").groupby("lead").head(opts["limit"])
        values = points * factor(opts, now - m["at"].to_numpy())
        sums = pd.Series(values, index=m["lead"].to_numpy()).groupby(level=0).sum()
        out = np.zeros(meta["leads"])
        out[sums.index.to_numpy()] = sums.to_numpy()
        per_rule[name] = out
    return combine(meta, per_rule)


def score_numpy(meta: dict, cols: dict[str, np.ndarray]) -> np.ndarray:
    now, n = meta["now"], meta["leads"]
    lead, kind, at = cols["lead"], cols["kind"], cols["at"]
    kind_code = {k: i for i, k in enumerate(meta["kinds"])}
    page_has = {
        word: np.array([word in p for p in meta["pages"]] + [False]) for word in ("pricing", "blog", "docs")
    }
    page_idx = np.where(cols["page"] == NULL, len(meta["pages"]), cols["page"])
    spring = meta["campaigns"].index("spring")
    live = at <= now
    order = None
    per_rule = {}
    for name, k, points, filters, opts in RULES:
        mask = live & (kind == kind_code[k])
        if "page" in filters:
            mask &= page_has[filters["page"]][page_idx]
        if "min_seconds" in filters:
            mask &= cols["seconds"] >= filters["min_seconds"]
        if "campaign" in filters:
            mask &= cols["campaign"] == spring
        if "window" in opts:
            mask &= at >= now - opts["window"]
        idx = np.flatnonzero(mask)
        if "limit" in opts:
            # Earliest `limit` per lead: sort this rule's rows by (lead, at), rank within lead.
            o = idx[np.lexsort((at[idx], lead[idx]))]
            first = np.r_[True, lead[o][1:] != lead[o][:-1]]
            start = np.maximum.accumulate(np.where(first, np.arange(len(o)), 0))
            idx = o[(np.arange(len(o)) - start) < opts["limit"]]
        values = points * factor(opts, now - at[idx])
        per_rule[name] = np.bincount(lead[idx], weights=np.broadcast_to(values, idx.shape), minlength=n)
    del order
    return combine(meta, per_rule)


def best_of(runs: int, fn, *args) -> tuple[float, np.ndarray]:
    best, out = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "target/scoring-fixture")
    meta, cols = load(folder)
    rust = np.fromfile(folder / "scores.f64", dtype="<f8")
    events = meta["events"]
    t_rust = meta["leadcore_best_seconds"]
    t_numpy, s_numpy = best_of(3, score_numpy, meta, cols)
    t_pandas, s_pandas = best_of(1, score_pandas, meta, cols)
    for name, s in (("numpy", s_numpy), ("pandas", s_pandas)):
        if not np.array_equal(s, rust):
            bad = np.flatnonzero(s != rust)
            raise SystemExit(f"{name} disagrees with leadcore at {len(bad)} values, first {bad[:5]}: "
                             f"{s[bad[:5]]} vs {rust[bad[:5]]}")
    print(f"{events:,} events, {meta['leads']:,} leads, 20 rules; all three agree on all "
          f"{len(rust):,} scores exactly")
    print(f"{'engine':<34}{'seconds':>9}{'M events/s':>12}{'leadcore is':>14}")
    for name, t in (("leadcore score_columns (1 core)", t_rust), ("numpy, vectorised by hand", t_numpy),
                    ("pandas, the obvious way", t_pandas)):
        ratio = "-" if name.startswith("leadcore") else f"{t / t_rust:.1f}x faster"
        print(f"{name:<34}{t:>9.3f}{events / t / 1e6:>12.1f}{ratio:>14}")


if __name__ == "__main__":
    main()
