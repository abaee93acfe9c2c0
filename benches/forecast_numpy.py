"""The Monte Carlo forecast of `benches/forecast.rs` in numpy, against leadcore's Python door.

    .venv/bin/python benches/forecast_numpy.py [--deals 100000] [--trials 10000] [--threads 2]

The same fixture as the criterion bench (the same xorshift64* draws: 100,000 deals, lognormal
amounts, seven stages from p = 0.05 to won, close dates over FY2026's four quarters), then:

- numpy, vectorised: per chunk of trials, `rng.random((chunk, n)) < p` and a matrix product
  with the deals' amounts per quarter (plus the closed amounts), then percentiles;
- leadcore: `leadcore.forecast(deals, trials=..., seed=..., threads=...)` on the same table.

Prints both times and their ratio from one run, and the two Q1 medians (different random
streams, so they agree statistically, not exactly).
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

import leadcore

STAGES = [
    ("Prospecting", 0.05, 300),
    ("Qualification", 0.15, 250),
    ("Needs Analysis", 0.3, 180),
    ("Proposal", 0.5, 120),
    ("Negotiation", 0.75, 80),
    ("Commit", 0.9, 50),
    ("Won", 1.0, 20),
]
CATEGORIES = {"Proposal": "best_case", "Negotiation": "commit", "Commit": "commit", "Won": "closed"}
MASK = (1 << 64) - 1


def fixture(n: int) -> dict[str, list]:
    """The bench's fixture, draw for draw (xorshift64*)."""
    state = 0x5EED_F0CA

    def next_u64() -> int:
        nonlocal state
        state ^= state >> 12
        state ^= (state << 25) & MASK
        state ^= state >> 27
        return (state * 0x2545_F491_4F6C_DD1D) & MASK

    def unit() -> float:
        return ((next_u64() >> 11) + 0.5) / float(1 << 53)

    start = date(2026, 1, 1)
    cols: dict[str, list] = {k: [] for k in ("id", "amount", "currency", "close_date", "stage", "probability")}
    for i in range(n):
        pick = next_u64() % 1000
        stage, p = STAGES[0][0], STAGES[0][1]
        for name, prob, share in STAGES:
            if pick < share:
                stage, p = name, prob
                break
            pick -= share
        u1, u2 = unit(), unit()
        z = math.sqrt(-2.0 * math.log(u1)) * math.cos(math.tau * u2)
        amount = math.floor(2_000_000.0 * math.exp(1.2 * z) + 0.5)
        day = start + timedelta(days=next_u64() % 365)
        cols["id"].append(f"O{i}")
        cols["amount"].append(amount)
        cols["currency"].append("USD")
        cols["close_date"].append(day)
        cols["stage"].append(stage)
        cols["probability"].append(p)
    return cols


def numpy_forecast(cols: dict[str, list], trials: int, seed: int, chunk: int = 256) -> np.ndarray:
    """Per quarter: p10, p50, p90 of the simulated closed-won totals."""
    amount = np.asarray(cols["amount"], dtype=np.float64)
    p = np.asarray(cols["probability"])
    quarter = np.array([(d.month - 1) // 3 for d in cols["close_date"]])
    won = np.array([s == "Won" for s in cols["stage"]])
    closed = np.bincount(quarter[won], weights=amount[won], minlength=4)
    open_ = ~won
    a, p, q = amount[open_], p[open_], quarter[open_]
    by_quarter = np.zeros((a.size, 4))
    by_quarter[np.arange(a.size), q] = a
    rng = np.random.default_rng(seed)
    totals = np.empty((trials, 4))
    for lo in range(0, trials, chunk):
        hi = min(lo + chunk, trials)
        hits = rng.random((hi - lo, a.size)) < p
        totals[lo:hi] = hits @ by_quarter + closed
    return np.percentile(totals, [10, 50, 90], axis=0, method="inverted_cdf")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deals", type=int, default=100_000)
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    cols = fixture(args.deals)
    table = pa.table(cols)

    t0 = time.perf_counter()
    q = numpy_forecast(cols, args.trials, seed=11)
    t_numpy = time.perf_counter() - t0

    t0 = time.perf_counter()
    _, mc = leadcore.forecast(
        table, categories=CATEGORIES, trials=args.trials, seed=11, threads=args.threads
    )
    t_leadcore = time.perf_counter() - t0
    assert mc is not None
    ours = pa.table(mc).to_pylist()

    print(f"{args.deals:,} deals x {args.trials:,} trials")
    print(f"numpy (vectorised, chunks of 256 trials): {t_numpy:.3f} s; Q1 p50 {q[1][0]:.0f}")
    print(f"leadcore.forecast ({args.threads} threads):       {t_leadcore:.3f} s; Q1 p50 {ours[0]['p50']}")
    print(f"ratio numpy / leadcore: {t_numpy / t_leadcore:.1f}x")


if __name__ == "__main__":
    main()
