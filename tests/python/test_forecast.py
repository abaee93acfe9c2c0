"""Forecasting through the Python door: a deals table (dict of columns, pandas, pyarrow,
polars) in, Arrow-backed weighted rows and a Monte Carlo table out; the wire form through
`forecast_report` agreeing with the shared vector; typed errors naming the deal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import leadcore

CASE = Path(__file__).resolve().parents[1] / "vectors" / "forecast_weighted_and_mc"
CATEGORIES = {"Proposal": "best_case", "Negotiation": "commit", "Won": "closed", "Lost": "omitted"}


def vector_payload() -> dict[str, Any]:
    line = (CASE / "input.jsonl").read_text(encoding="utf-8").splitlines()[0]
    payload: dict[str, Any] = json.loads(line)["forecast"]
    return payload


def columns() -> dict[str, list[Any]]:
    """The vector's first event's deals as a dict of columns."""
    deals = vector_payload()["deals"]
    return {
        "id": [d["id"] for d in deals],
        "amount": [d["amount"]["minor"] for d in deals],
        "currency": [d["amount"]["currency"] for d in deals],
        "close_date": [date.fromisoformat(d["close_date"]) for d in deals],
        "stage": [d["stage"] for d in deals],
        "probability": [float(d["probability"]) for d in deals],
        "category_override": [d.get("category_override") for d in deals],
    }


QUOTAS = [
    {"period": {"year": 2026, "granularity": "quarter", "index": 1}, "amount": {"minor": 250000, "currency": "USD"}},
    {"period": {"year": 2026, "granularity": "quarter", "index": 2}, "amount": {"minor": 100000, "currency": "USD"}},
]


def run(deals: Any, **kw: Any) -> tuple[pa.Table, pa.Table | None]:
    weighted, mc = leadcore.forecast(deals, categories=CATEGORIES, **kw)
    return pa.table(weighted), None if mc is None else pa.table(mc)


@pytest.mark.parametrize("kind", ["dict", "pandas", "pyarrow", "polars"])
def test_tables_in_agree_with_the_wire_form(kind: str) -> None:
    cols = columns()
    if kind == "pandas":
        deals: Any = pd.DataFrame(cols)
    elif kind == "pyarrow":
        deals = pa.table(cols)
    elif kind == "polars":
        pl = pytest.importorskip("polars")
        deals = pl.DataFrame(cols)
    else:
        deals = cols
    weighted, mc = run(deals, trials=2000, seed=42, quotas=QUOTAS, threads=2)
    report = leadcore.forecast_report(vector_payload(), threads=1)
    rows = weighted.to_pylist()
    assert [(r["period"], r["category"], r["weighted"]) for r in rows] == [
        ("FY2026-Q1", "best_case", 25000),
        ("FY2026-Q1", "commit", 160000),
        ("FY2026-Q1", "closed", 50000),
        ("FY2026-Q2", "pipeline", 30000),
        ("FY2026-Q2", "best_case", 90000),
        ("FY2026-Q2", "omitted", 0),
        ("FY2026-Q3", "pipeline", 6000),
    ]
    assert [r["weighted"] for r in rows] == [r["totals"]["weighted"] for r in report["weighted"]]
    assert mc is not None
    sim = mc.to_pylist()
    assert [
        {k: p[k] for k in ("closed", "expected", "mean", "p10", "p50", "p90", "p_reach_quota")}
        for p in sim
    ] == [
        {k: p.get(k) for k in ("closed", "expected", "mean", "p10", "p50", "p90", "p_reach_quota")}
        for p in report["monte_carlo"]["periods"]
    ]
    assert sim[0]["expected"] == 235000.0 and sim[0]["closed"] == 50000
    assert sim[2]["quota"] is None and sim[2]["p_reach_quota"] is None


def test_no_trials_no_simulation_and_pandas_timestamps() -> None:
    cols = columns()
    df = pd.DataFrame(cols)
    df["close_date"] = pd.to_datetime(df["close_date"])
    weighted, mc = run(df, granularity="year")
    assert mc is None
    assert set(weighted.column("period").to_pylist()) == {"FY2026"}
    # The JSON text form is the vector's own text.
    text = leadcore.forecast_report(json.dumps(vector_payload()), json=True, threads=2)
    expected = (CASE / "expected.jsonl").read_text(encoding="utf-8").splitlines()[1]
    assert '{"ok":' + text + "}" == expected


def test_same_numbers_on_any_thread_count() -> None:
    a = run(columns(), trials=5000, seed=7, threads=1)[1]
    b = run(columns(), trials=5000, seed=7, threads=4)[1]
    assert a is not None and b is not None and a.equals(b)


def test_mixed_currencies_in_a_simulation() -> None:
    cols = columns()
    cols["currency"][3] = "EUR"
    weighted, _ = run(cols)  # the roll-up keeps currencies apart
    assert set(weighted.column("currency").to_pylist()) == {"USD", "EUR"}
    with pytest.raises(leadcore.InputError, match="deal O4: mixed currencies") as e:
        run(cols, trials=100, seed=1)
    assert e.value.code == "input.invalid"


def test_negative_amount() -> None:
    cols = columns()
    cols["amount"][1] = -5
    with pytest.raises(leadcore.InputError, match="deal O2: negative amount"):
        run(pd.DataFrame(cols))


@pytest.mark.parametrize("p", [1.5, -0.1, float("nan")])
def test_bad_probability(p: float) -> None:
    cols = columns()
    cols["probability"][0] = p
    # NaN reads as a missing value (pandas' null), which a probability cannot be.
    with pytest.raises(leadcore.InputError, match="deal O1"):
        run(pa.table(cols))


def test_bad_arguments() -> None:
    with pytest.raises(leadcore.InputError, match="close_date"):
        leadcore.forecast({"id": ["A"], "amount": [1], "currency": ["USD"], "stage": ["S"], "probability": [0.5]})
    with pytest.raises(leadcore.InputError, match="start_month"):
        leadcore.forecast(columns(), fiscal_start_month=13)
    with pytest.raises(leadcore.InputError, match="seed and quotas need trials"):
        leadcore.forecast(columns(), seed=3)
    with pytest.raises(leadcore.InputError, match="unknown field"):
        leadcore.forecast_report({**vector_payload(), "extra": 1})


def test_integer_deal_ids_give_the_same_forecast() -> None:
    cols = columns()
    text = run(pa.table(cols), granularity="quarter", trials=200, seed=3)
    cols["id"] = [100 + i for i in range(len(cols["id"]))]
    ints = run(pa.table(cols), granularity="quarter", trials=200, seed=3)
    assert ints[0].equals(text[0])
    assert ints[1] is not None and text[1] is not None and ints[1].equals(text[1])
