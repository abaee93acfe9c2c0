"""leadcore.plot draws leadcore's tables: what each plot shows is checked on its artists."""

from __future__ import annotations

import doctest
from datetime import datetime, timezone

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import leadcore  # noqa: E402
import leadcore.plot  # noqa: E402


def test_the_examples_in_the_docstrings_run() -> None:
    result = doctest.testmod(leadcore.plot, raise_on_error=False, verbose=False)
    assert result.attempted >= 4 and result.failed == 0


def metrics() -> leadcore.ArrowTable:
    def t(d: int) -> datetime:
        return datetime(2017, 1, d, tzinfo=timezone.utc)

    opps = {"opportunity_id": ["A", "B", "C"], "amount": [100, 200, 300], "currency": ["USD"] * 3}
    history = {
        "opportunity_id": ["A", "A", "B", "B", "C"],
        "at": [t(1), t(5), t(2), t(12), t(3)],
        "stage": ["Open", "Won", "Open", "Lost", "Open"],
    }
    return leadcore.pipeline_metrics(
        opps,
        history=history,
        stages=["Open", {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}],
        period=(t(1), t(30)),
    )


def test_funnel_and_dwell_read_a_pipeline_metrics_table() -> None:
    m = metrics()
    ax = leadcore.plot.funnel(m)
    # three entered Open, one Won, one Lost: one bar each, widths the counts
    assert [p.get_width() for p in ax.patches if isinstance(p, Rectangle)] == [3.0, 1.0, 1.0]
    assert any("33.3%" in t.get_text() for t in ax.texts)  # Open converts 1 of 3
    ax = leadcore.plot.dwell(m)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Open"]
    # two completed stays in Open: 4 and 10 days; median (lower middle) 4, p90 10
    whiskers = [np.asarray(line.get_ydata(), dtype=float) for line in ax.lines]
    assert any(float(y.max()) == pytest.approx(10.0) for y in whiskers if y.size)


def test_forecast_fan_reads_the_monte_carlo_table() -> None:
    deals = {
        "id": ["D1", "D2"],
        "amount": [1000, 3000],
        "currency": ["USD", "USD"],
        "close_date": ["2026-02-01", "2026-05-01"],
        "stage": ["Proposal", "Proposal"],
        "probability": [0.5, 0.5],
    }
    _, mc = leadcore.forecast(deals, trials=500, seed=1)
    assert mc is not None
    ax = leadcore.plot.forecast_fan(mc, scale=100)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["FY2026-Q1", "FY2026-Q2"]


def test_calibration_bins_and_refuses_bad_input() -> None:
    ax = leadcore.plot.calibration([1, 0, 1, 1], [0.95, 0.05, 0.6, 0.7], bins=4)
    xs = np.asarray(ax.lines[1].get_xdata(), dtype=float).tolist()
    assert xs == pytest.approx([0.05, 0.65, 0.95])
    with pytest.raises(ValueError, match="outcomes"):
        leadcore.plot.calibration([1], [0.1, 0.2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        leadcore.plot.calibration([1], [1.5])


def test_a_missing_stage_is_named() -> None:
    with pytest.raises(ValueError, match="Nope"):
        leadcore.plot.funnel(metrics(), stages=["Open", "Nope"])
