"""Plots of leadcore's results: a funnel, a forecast fan, dwell per stage, a calibration
curve. Each draws on a matplotlib ``Axes`` (a new one when none is given) and returns it.

matplotlib is an optional extra (``pip install "leadcore[plot]"``); importing this module
without it raises an ``ImportError`` that says so. Tables may be leadcore's ``ArrowTable``
(read through pyarrow), pandas or polars DataFrames, or dicts of columns. The plots compute
nothing leadcore did not: they draw the figures of its tables (the calibration curve bins the
predictions it is given, as every reliability diagram does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

try:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
except ImportError as e:  # pragma: no cover - exercised in the bare-wheel test
    raise ImportError(
        'leadcore.plot needs matplotlib: pip install "leadcore[plot]"'
    ) from e

__all__ = ["funnel", "forecast_fan", "dwell", "calibration"]


def _columns(table: Any) -> dict[str, list[Any]]:
    """The table as a dict of Python lists, whatever it came as."""
    if isinstance(table, Mapping):
        return {str(k): list(v) for k, v in table.items()}
    if hasattr(table, "to_dict") and hasattr(table, "columns") and hasattr(table, "iloc"):
        return {str(k): list(v) for k, v in table.to_dict("list").items()}  # pandas
    if hasattr(table, "to_dict") and hasattr(table, "schema") and hasattr(table, "height"):
        return {str(k): list(v) for k, v in table.to_dict(as_series=False).items()}  # polars
    try:
        import pyarrow as pa
    except ImportError as e:
        raise TypeError(
            "pass a pandas or polars DataFrame or a dict of columns, or install pyarrow "
            "to plot an ArrowTable"
        ) from e
    return {str(k): list(v) for k, v in pa.table(table).to_pydict().items()}


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, new = plt.subplots()
    return new


def _group(cols: dict[str, list[Any]], group: Mapping[str, Any] | None) -> list[int]:
    """Row indices of one group (all rows when `group` is None)."""
    n = len(next(iter(cols.values()), []))
    rows = range(n)
    if not group:
        return list(rows)
    out = [i for i in rows if all(cols.get(k, [None] * n)[i] == v for k, v in group.items())]
    if not out:
        raise ValueError(f"no rows for the group {dict(group)}")
    return out


def funnel(
    metrics: Any,
    *,
    stages: Sequence[str] | None = None,
    group: Mapping[str, Any] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A horizontal funnel: deals entering each stage in the period, with the conversion to
    the next stage written beside each bar.

    Parameters
    ----------
    metrics : table
        ``leadcore.pipeline_metrics(...)`` (a row per group and stage: ``stage``,
        ``entered``, ``conversion_to_next``).
    stages : sequence of str, optional
        The stages to draw, in order (default: every stage with ``entered`` > 0, in the
        table's order).
    group : dict, optional
        One group's key values (e.g. ``{"manager": "Ann"}``) when the table is grouped.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import leadcore, leadcore.plot
    >>> m = {"stage": ["Lead", "Won"], "entered": [10, 4], "conversion_to_next": [0.4, None]}
    >>> ax = leadcore.plot.funnel(m)
    >>> [float(b.get_width()) for b in ax.patches]
    [10.0, 4.0]
    """
    cols = _columns(metrics)
    rows = _group(cols, group)
    by_stage = {cols["stage"][i]: i for i in rows}
    names = list(stages) if stages is not None else [cols["stage"][i] for i in rows if cols["entered"][i]]
    missing = [s for s in names if s not in by_stage]
    if missing:
        raise ValueError(f"stages not in the table: {missing}")
    entered = [float(cols["entered"][by_stage[s]]) for s in names]
    conv = cols.get("conversion_to_next", [None] * len(cols["stage"]))
    ax = _axes(ax)
    y = list(range(len(names)))[::-1]
    left = [(max(entered, default=0.0) - e) / 2 for e in entered]
    ax.barh(y, entered, left=left, color="tab:blue", alpha=0.8)
    for yi, s, e, lf in zip(y, names, entered, left):
        c = conv[by_stage[s]]
        label = f"{e:,.0f}" + (f"  → {100 * c:.1f}%" if c is not None else "")
        ax.text(lf + e + max(entered, default=1.0) * 0.01, yi, label, va="center")
    ax.set_yticks(y, names)
    ax.set_xlabel("entered in the period")
    ax.set_title("Funnel")
    return ax


def forecast_fan(
    forecast: Any,
    *,
    x: str = "period",
    actual: str | None = None,
    scale: float = 1.0,
    ax: Axes | None = None,
) -> Axes:
    """A forecast fan: the P10-P90 band, the median and the expectation per period, and the
    actuals when the table has them (a backtest's rows).

    Parameters
    ----------
    forecast : table
        Rows with ``p10``, ``p50``, ``p90`` and ``expected`` (or ``point``): the Monte Carlo
        table of ``leadcore.forecast``, or a backtest's rows for one method.
    x : str, default "period"
        The column labelling each period (``period``, ``as_of``, ...).
    actual : str, optional
        A column of actuals to mark (e.g. ``"actual"``).
    scale : float, default 1.0
        Divide every amount by this (e.g. 100 for minor units to units).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import leadcore.plot
    >>> t = {"period": ["Q1", "Q2"], "p10": [8, 9], "p50": [10, 11], "p90": [12, 14], "expected": [10, 11.5]}
    >>> ax = leadcore.plot.forecast_fan(t)
    >>> ax.get_legend_handles_labels()[1]
    ['P10-P90', 'median', 'expected']
    """
    cols = _columns(forecast)
    labels = [str(v) for v in cols[x]]
    pos = list(range(len(labels)))

    def get(c: str) -> list[float]:
        return [float(v) / scale if v is not None else float("nan") for v in cols[c]]

    point = "expected" if "expected" in cols else "point"
    ax = _axes(ax)
    ax.fill_between(pos, get("p10"), get("p90"), alpha=0.3, color="tab:blue", label="P10-P90")
    ax.plot(pos, get("p50"), color="tab:blue", label="median")
    ax.plot(pos, get(point), color="tab:orange", linestyle="--", label=point)
    if actual is not None:
        ax.plot(pos, get(actual), "ko", label=actual)
    ax.set_xticks(pos, labels, rotation=45, ha="right")
    ax.set_ylabel("won value")
    ax.set_title("Forecast")
    ax.legend()
    return ax


def dwell(
    metrics: Any,
    *,
    group: Mapping[str, Any] | None = None,
    unit: float = 86_400.0,
    ax: Axes | None = None,
) -> Axes:
    """Dwell per stage as box-like marks from leadcore's exact figures: the median (bar),
    the p90 (whisker) and the mean (dot) of the completed stays, in days by default.

    Parameters
    ----------
    metrics : table
        ``leadcore.pipeline_metrics(...)`` (``stage``, ``dwell_count``, ``dwell_median_s``,
        ``dwell_p90_s``, ``dwell_mean_s``).
    group : dict, optional
        One group's key values when the table is grouped.
    unit : float, default 86400
        Seconds per plotted unit (86400: days).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import leadcore.plot
    >>> m = {"stage": ["A", "B"], "dwell_count": [3, 0], "dwell_median_s": [86400, None],
    ...      "dwell_p90_s": [172800, None], "dwell_mean_s": [100000.0, None]}
    >>> ax = leadcore.plot.dwell(m)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['A']
    """
    cols = _columns(metrics)
    rows = [i for i in _group(cols, group) if cols["dwell_count"][i]]
    stats = [
        {
            "label": cols["stage"][i],
            "med": cols["dwell_median_s"][i] / unit,
            "q1": 0.0,
            "q3": cols["dwell_median_s"][i] / unit,
            "whislo": 0.0,
            "whishi": cols["dwell_p90_s"][i] / unit,
            "mean": cols["dwell_mean_s"][i] / unit,
            "fliers": [],
        }
        for i in rows
    ]
    ax = _axes(ax)
    if stats:
        ax.bxp(stats, showmeans=True)
    ax.set_ylabel("days in stage" if unit == 86_400.0 else f"dwell (÷{unit:g} s)")
    ax.set_title("Dwell: median (box top), p90 (whisker), mean (marker)")
    return ax


def calibration(
    y_true: Sequence[bool] | Sequence[int] | Any,
    p: Sequence[float] | Any,
    *,
    bins: int = 10,
    ax: Axes | None = None,
) -> Axes:
    """A reliability diagram: the observed rate of positives against the mean predicted
    probability, in `bins` equal-width bins (empty bins skipped), over the diagonal.

    Parameters
    ----------
    y_true : sequence of bool or 0/1
        Outcomes.
    p : sequence of float
        Predicted probabilities in [0, 1] (e.g. ``LogisticModel.predict_proba(X)[:, 1]``).
    bins : int, default 10
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import leadcore.plot
    >>> ax = leadcore.plot.calibration([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3], bins=2)
    >>> [round(float(v), 2) for v in ax.lines[1].get_ydata()]
    [0.0, 1.0]
    """
    ys = [float(v) for v in y_true]
    ps = [float(v) for v in p]
    if len(ys) != len(ps):
        raise ValueError(f"{len(ys)} outcomes for {len(ps)} predictions")
    if bins < 1:
        raise ValueError("bins must be at least 1")
    if any(not 0.0 <= v <= 1.0 for v in ps):
        raise ValueError("probabilities must be in [0, 1]")
    sums = [[0.0, 0.0, 0] for _ in range(bins)]
    for y, q in zip(ys, ps):
        b = min(int(q * bins), bins - 1)
        sums[b][0] += q
        sums[b][1] += y
        sums[b][2] += 1
    xs = [s[0] / s[2] for s in sums if s[2]]
    obs = [s[1] / s[2] for s in sums if s[2]]
    ax = _axes(ax)
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
    ax.plot(xs, obs, "o-", label="observed")
    ax.set_xlabel("mean predicted probability")
    ax.set_ylabel("observed rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("Calibration")
    ax.legend()
    return ax
