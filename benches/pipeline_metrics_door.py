"""Times `leadcore.pipeline_metrics` through the Python door on 1 M stage-history rows
(250,000 opportunities x 4 entries, pyarrow tables in), with and without a grouping, the
history grouped by opportunity and in time order.

    .venv/bin/python benches/pipeline_metrics_door.py

Take it on a release build of the door (`maturin develop --release` in crates/leadcore-py);
the core's own rate on the columnar path is `benches/analytics_pandas.py`'s.
"""

from __future__ import annotations

import time

import numpy as np
import pyarrow as pa

import leadcore


def main() -> None:
    n = 250_000
    rng = np.random.default_rng(7)
    base = np.datetime64("2017-01-01T00:00:00", "s")
    created = base + rng.integers(0, 300, n).astype("timedelta64[D]")
    ids = np.array([f"O{i}" for i in range(n)])
    opps = pa.table(
        {
            "opportunity_id": ids,
            "owner": np.array(["ann", "bob", "cy", "dee"])[rng.integers(0, 4, n)],
            "amount": rng.integers(100, 100_000, n),
            "currency": np.full(n, "USD"),
            "created_at": created,
        }
    )
    stages = ["Prospecting", "Engaging", "Proposal"]
    gaps = rng.integers(0, 20, (n, 4)).astype("timedelta64[D]")
    at = created[:, None] + np.cumsum(gaps, axis=1)
    names = np.empty((n, 4), dtype=object)
    names[:, 0], names[:, 1], names[:, 2] = stages
    names[:, 3] = np.where(rng.random(n) < 0.6, "Won", "Lost")
    history = pa.table(
        {
            "opportunity_id": np.repeat(ids, 4),
            "at": at.reshape(-1),
            "stage": names.reshape(-1).astype(str),
        }
    )
    spec = [{"name": s} for s in stages] + [{"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}]
    period = ("2017-01-01T00:00:00Z", "2018-01-01T00:00:00Z")
    # the same rows in time order, as an export of a stage-history table comes
    in_time_order = history.take(pa.array(np.argsort(at.reshape(-1), kind="stable")))
    # integer ids (a CRM's keys), as they are
    keys = np.arange(n, dtype=np.int64) * 3 + 1000
    int_opps = opps.set_column(0, "opportunity_id", pa.array(keys))
    int_history = history.set_column(0, "opportunity_id", pa.array(np.repeat(keys, 4)))
    int_in_time_order = int_history.take(pa.array(np.argsort(at.reshape(-1), kind="stable")))
    reference = None
    for label, o, table, group_by in (
        ("grouped by opportunity", opps, history, None),
        ("grouped by opportunity", opps, history, "owner"),
        ("in time order", opps, in_time_order, None),
        ("int64 ids, grouped by opportunity", int_opps, int_history, None),
        ("int64 ids, in time order", int_opps, int_in_time_order, None),
    ):
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            out = leadcore.pipeline_metrics(o, stages=spec, period=period, history=table, group_by=group_by)
            runs.append(time.perf_counter() - t)
        if group_by is None:
            # every order and id type: the same table
            assert reference is None or out.to_arrow().equals(reference), label
            reference = out.to_arrow()
        best = min(runs)
        print(
            f"history {label}, group_by={group_by}: best of 5 {best * 1000:.0f} ms "
            f"({table.num_rows / best / 1e6:.1f} M rows/s), median {sorted(runs)[2] * 1000:.0f} ms, "
            f"{out.num_rows} rows out"
        )


if __name__ == "__main__":
    main()
