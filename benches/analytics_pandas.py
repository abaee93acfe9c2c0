"""Pipeline metrics the pandas way (groupby, merge) beside leadcore's columnar path, on the
realistic stage history of `examples/analytics_bench.rs` (issue #11).

    python benches/analytics_pandas.py [--deals N] [--dir DIR] [--no-build]

Runs the Rust example (release build: generates the fixture, times leadcore best of 5, writes
the fixture and leadcore's report), then computes the same report with pandas from the same
arrays, asserts every figure equal (counts, sums, dwell and cycle count/mean/median/p90,
conversions, win rate split, won value, average deal size, open qualified), and prints both
times and the ratio. Medians and p90 are nearest rank (numpy's `inverted_cdf`), as leadcore's.
"""

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def load(d: Path):
    meta = json.loads((d / "meta.json").read_text())
    deals = pd.DataFrame(
        {
            "amount": np.fromfile(d / "deal_amount.i64", dtype="<i8"),
            "expansion": np.fromfile(d / "deal_expansion.u8", dtype="u1").astype(bool),
            "created": np.fromfile(d / "deal_created.i64", dtype="<i8"),
        }
    )
    rows = pd.DataFrame(
        {
            "deal": np.fromfile(d / "entry_deal.u32", dtype="<u4").astype("int64"),
            "stage": np.fromfile(d / "entry_stage.u32", dtype="<u4").astype("int64"),
            "at": np.fromfile(d / "entry_at.i64", dtype="<i8"),
        }
    )
    return meta, deals, rows


def stats(x: np.ndarray) -> dict:
    n = len(x)
    if n == 0:
        return {"count": 0, "mean_seconds": None, "median_seconds": None, "p90_seconds": None}
    s = int(x.sum())
    return {
        "count": n,
        "mean_seconds": (s // n) + (s % n) / n,
        "median_seconds": int(np.quantile(x, 0.5, method="inverted_cdf")),
        "p90_seconds": int(np.quantile(x, 0.9, method="inverted_cdf")),
    }


def pandas_report(meta, deals: pd.DataFrame, rows: pd.DataFrame) -> dict:
    frm, to = meta["from_us"], meta["to_us"]
    nstages = len(meta["stages"])
    won_stage, lost_stage, nopen, qual = meta["won"], meta["lost"], meta["open"], meta["qualified_from"]
    rank = np.full(nstages, -1)
    rank[: nopen + 1] = np.arange(nopen + 1)  # open stages then won are ranked; lost is not
    # one deal's rows together, in table order
    e = rows.sort_values("deal", kind="stable")
    known = e[e["at"] < to].copy()
    known["rank"] = rank[known["stage"].to_numpy()]
    g = known.groupby("deal", sort=False)
    known["next_at"] = g["at"].shift(-1)
    # the highest rank of the deal's later entries
    rev = known.iloc[::-1]
    later = rev.groupby("deal", sort=False)["rank"].cummax()
    known["later_rank"] = later.groupby(rev["deal"], sort=False).shift(1).iloc[::-1].fillna(-1)
    in_period = known["at"] >= frm
    first = known[in_period].drop_duplicates(["deal", "stage"])
    first = first.merge(deals[["amount"]], left_on="deal", right_index=True)
    entered = first.groupby("stage").size()
    value_entered = first.groupby("stage")["amount"].sum()
    conv = first[(first["stage"] < nopen) & (first["later_rank"] > first["rank"])]
    converted = conv.groupby("stage").size()
    dw = known[known["next_at"].notna() & (known["next_at"] >= frm)]
    dwell = ((dw["next_at"].astype("int64") - dw["at"]) // 1_000_000).groupby(dw["stage"])
    last = known.drop_duplicates("deal", keep="last").merge(deals, left_on="deal", right_index=True)
    reached = g["rank"].max()
    last["qualified"] = reached.reindex(last["deal"]).to_numpy() >= qual
    in_stage = last.groupby("stage").size()
    value_in = last.groupby("stage")["amount"].sum()
    q = last[last["qualified"]]
    closed = q[(q["at"] >= frm) & q["stage"].isin([won_stage, lost_stage])]
    won = closed[closed["stage"] == won_stage]
    lost = closed[closed["stage"] == lost_stage]
    cycle = ((won["at"] - won["created"]) // 1_000_000).to_numpy()
    won_value = int(won["amount"].sum())
    n_won = len(won)
    avg = None
    if n_won:
        qd = (2 * abs(won_value) + n_won) // (2 * n_won)
        avg = qd if won_value >= 0 else -qd
    stages = []
    dwell_groups = {s: v.to_numpy() for s, v in dwell}
    for s in range(nstages):
        stages.append(
            {
                "entered": int(entered.get(s, 0)),
                "in_stage": int(in_stage.get(s, 0)),
                "value_entered": int(value_entered.get(s, 0)),
                "value_in_stage": int(value_in.get(s, 0)),
                "dwell": stats(dwell_groups.get(s, np.array([], dtype="int64"))),
                "converted": int(converted.get(s, 0)) if s < nopen else None,
            }
        )
    return {
        "stages": stages,
        "won": {"new": int((~won["expansion"]).sum()), "expansion": int(won["expansion"].sum())},
        "lost": {"new": int((~lost["expansion"]).sum()), "expansion": int(lost["expansion"].sum())},
        "won_value": won_value,
        "average_deal_size": avg,
        "cycle": stats(cycle),
        "open_qualified": int((q["stage"] < nopen).sum()),
    }


def leadcore_report(r: dict) -> dict:
    usd = lambda m: m.get("USD", 0)  # noqa: E731
    return {
        "stages": [
            {
                "entered": s["entered"],
                "in_stage": s["in_stage"],
                "value_entered": usd(s["value_entered"]),
                "value_in_stage": usd(s["value_in_stage"]),
                "dwell": s["dwell"],
                "converted": s["converted"],
            }
            for s in r["stages"]
        ],
        "won": {"new": r["win_rate"]["new_business"]["won"], "expansion": r["win_rate"]["expansion"]["won"]},
        "lost": {"new": r["win_rate"]["new_business"]["lost"], "expansion": r["win_rate"]["expansion"]["lost"]},
        "won_value": usd(r["won_value"]),
        "average_deal_size": r["average_deal_size"]["minor"] if r["average_deal_size"] else None,
        "cycle": r["cycle"],
        "open_qualified": r["open_qualified"],
    }


def same(a, b, path="report"):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f"{path}: keys {a.keys()} != {b.keys()}"
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a} != {b}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deals", type=int, default=3_000_000)
    ap.add_argument("--dir", default=str(ROOT / "target" / "analytics-fixture"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-build", action="store_true", help="use the fixture already in --dir")
    ap.add_argument("--debug", action="store_true", help="a debug build (the test command's equality check)")
    a = ap.parse_args()
    d = Path(a.dir)
    if not a.no_build:
        out = subprocess.run(
            ["cargo", "run", "--quiet", *([] if a.debug else ["--release"]), "--example", "analytics_bench", "--", str(d), str(a.deals)],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
        print(out.strip())
    meta, deals, rows = load(d)
    best = math.inf
    for _ in range(a.runs):
        t = time.perf_counter()
        mine = pandas_report(meta, deals, rows)
        best = min(best, time.perf_counter() - t)
    same(mine, leadcore_report(meta["report"]))
    lc = meta["leadcore_seconds"]
    n = meta["rows"]
    print(f"pandas (groupby, merge): {best:.3f} s = {n / best / 1e6:.1f} M rows/s; same figures as leadcore")
    print(f"leadcore columnar: {lc:.3f} s = {n / lc / 1e6:.1f} M rows/s: {best / lc:.1f}x pandas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
