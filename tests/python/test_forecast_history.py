"""The forecast from history, its backtest and the hierarchy roll-up through the Python door:
a deals table (dict of columns, pandas, pyarrow, polars) in, Arrow-backed tables out, agreeing
with the wire form and the shared vectors (`forecast_history_backtest`, `forecast_rollup`);
typed errors naming the deal."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import leadcore

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
HISTORY = VECTORS / "forecast_history_backtest"
ROLLUP = VECTORS / "forecast_rollup"


def payload(case: Path, line: int) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((case / "input.jsonl").read_text(encoding="utf-8").splitlines()[line])
    value: dict[str, Any] = next(iter(event.values()))
    return value


def expected(case: Path, line: int) -> dict[str, Any]:
    out: dict[str, Any] = json.loads((case / "expected.jsonl").read_text(encoding="utf-8").splitlines()[line + 1])
    return out


def history_columns(deals: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The wire form's deals as the table `forecast_history` reads."""
    return {
        "opportunity_id": [d["id"] for d in deals],
        "owner": [d.get("owner") for d in deals],
        "amount": [d["amount"]["minor"] for d in deals],
        "currency": [d["amount"]["currency"] for d in deals],
        "created": [date.fromisoformat(d["created"]) for d in deals],
        "closed": [date.fromisoformat(d["outcome"]["date"]) if "outcome" in d else None for d in deals],
        "won": [d["outcome"]["won"] if "outcome" in d else None for d in deals],
        "value": [d["outcome"]["value"] if "outcome" in d else None for d in deals],
    }


def table_of(kind: str, cols: dict[str, list[Any]]) -> Any:
    if kind == "pandas":
        return pd.DataFrame(cols)
    if kind == "pyarrow":
        return pa.table(cols)
    if kind == "polars":
        pl = pytest.importorskip("polars")
        return pl.DataFrame(cols)
    return cols


@pytest.mark.parametrize("kind", ["dict", "pandas", "pyarrow", "polars"])
def test_forecast_history_agrees_with_the_vector(kind: str) -> None:
    p = payload(HISTORY, 0)
    windows, model, stages = leadcore.forecast_history(
        table_of(kind, history_columns(p["deals"])),
        as_of=date(2026, 2, 15),
        windows=[(w["from"], w["to"]) for w in p["windows"]],
        trials=p["trials"],
        seed=p["seed"],
        model=p["model"],
    )
    want = expected(HISTORY, 0)["ok"]
    rows = pa.table(windows).to_pylist()
    keys = ("expected", "from_pipeline", "from_new_deals", "season", "mean", "p10", "p50", "p90")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: w[k] for k in keys} for w in want["windows"]]
    # by hand (SOURCE.md): 22,500 from the open deals + 9,000 from new ones, then 69,750
    assert [(r["from"], r["to"], r["expected"]) for r in rows] == [
        (date(2026, 2, 15), date(2026, 3, 1), 31500.0),
        (date(2026, 3, 1), date(2026, 4, 1), 69750.0),
    ]
    m = pa.table(model).to_pylist()[0]
    assert (m["win_rate"], m["realisation"], m["creation_rate"], m["won"], m["closed"]) == (0.5, 0.9, 0.5, 9, 18)
    assert m["currency"] == "USD" and m["as_of"] == date(2026, 2, 15)
    # no stage visits, no expected close dates
    assert pa.table(stages).num_rows == 0
    assert (m["slip_count"], m["slips_used"], m["slip_p50"]) == (0, False, None)


def test_forecast_history_report_is_the_vector_text() -> None:
    text = leadcore.forecast_history_report(json.dumps(payload(HISTORY, 0)), json=True)
    line = (HISTORY / "expected.jsonl").read_text(encoding="utf-8").splitlines()[1]
    assert '{"ok":' + text + "}" == line
    assert leadcore.forecast_history_report(payload(HISTORY, 0)) == expected(HISTORY, 0)["ok"]


@pytest.mark.parametrize("kind", ["pandas", "pyarrow"])
def test_backtest_tables(kind: str) -> None:
    p = payload(HISTORY, 1)
    spec = p["spec"]
    rows, scores, reps = leadcore.backtest(
        table_of(kind, history_columns(p["deals"])),
        first=spec["first"],
        count=spec["count"],
        window_months=spec["window_months"],
        trials=spec["trials"],
        seed=spec["seed"],
        model=spec["model"],
    )
    want = expected(HISTORY, 1)["ok"]
    got = pa.table(rows).to_pylist()
    assert [(r["method"], r["actual"], r["point"], r["p10"], r["p90"]) for r in got] == [
        (r["method"], r["actual"], r["point"], r.get("p10"), r.get("p90")) for r in want["rows"]
    ]
    assert got[0]["as_of"] == date(2026, 2, 1) and got[0]["point"] == 20000.0
    s = pa.table(scores).to_pylist()
    assert [(r["method"], r["mape"], r["covered"]) for r in s] == [
        (r["method"], r["mape"], r.get("covered")) for r in want["scores"]
    ]
    assert s[3]["pinball_50"] == want["scores"][3]["pinball"][1]
    assert pa.table(reps).column("owner").to_pylist() == ["ana", "ben"]
    assert leadcore.backtest_report(p) == want


def test_history_with_pandas_timestamps_and_default_values() -> None:
    base = date(2026, 1, 1)
    n = 20
    df = pd.DataFrame(
        {
            "opportunity_id": [f"D{i}" for i in range(n)],
            "amount": [1000] * n,
            "currency": ["EUR"] * n,
            "created": pd.to_datetime([base + timedelta(days=i) for i in range(n)]),
            "closed": pd.to_datetime([base + timedelta(days=i + 5) for i in range(n)]),
            "won": [i % 4 == 0 for i in range(n)],
        }
    )
    windows, model, _ = leadcore.forecast_history(
        df, as_of="2026-02-01", windows=[{"from": "2026-02-01", "to": "2026-03-01"}], model={"new_deals": False}
    )
    m = pa.table(model).to_pylist()[0]
    # no `value` column: a won deal won its amount
    assert (m["win_rate"], m["realisation"], m["currency"]) == (0.25, 1.0, "EUR")
    assert pa.table(windows).column("expected").to_pylist() == [0.0]


def visit_columns(deals: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The wire form's stage visits as the `stage_history` table, last visits first."""
    rows = [(d["id"], v["stage"], date.fromisoformat(v["entered"])) for d in deals for v in d.get("stages", [])]
    rows.reverse()
    return {"opportunity_id": [r[0] for r in rows], "stage": [r[1] for r in rows], "entered": [r[2] for r in rows]}


@pytest.mark.parametrize("kind", ["dict", "pandas", "pyarrow", "polars"])
def test_forecast_history_with_stages_and_expected_closes_agrees_with_the_vector(kind: str) -> None:
    p = payload(HISTORY, 6)
    cols = history_columns(p["deals"])
    cols["expected_close"] = [date.fromisoformat(d["expected_close"]) if "expected_close" in d else None for d in p["deals"]]
    windows, model, stages = leadcore.forecast_history(
        table_of(kind, cols),
        as_of=p["as_of"],
        windows=[(w["from"], w["to"]) for w in p["windows"]],
        trials=p["trials"],
        seed=p["seed"],
        model=p["model"],
        stage_history=table_of(kind, visit_columns(p["deals"])),
    )
    want = expected(HISTORY, 6)["ok"]
    rows = pa.table(windows).to_pylist()
    keys = ("expected", "from_pipeline", "mean", "p10", "p50", "p90")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: w[k] for k in keys} for w in want["windows"]]
    assert [r["expected"] for r in rows] == [6250.0, 2500.0]  # by hand, SOURCE.md
    st = pa.table(stages).to_pylist()
    assert st == [{k: s.get(k) for k in ("stage", "closed", "won", "open", "raw", "probability", "own_timing")} for s in want["model"]["stages"]]
    assert [(s["stage"], s["probability"]) for s in st] == [("Proposal", 0.375), ("Qualify", 0.25)]
    m = pa.table(model).to_pylist()[0]
    slips = want["model"]["slips"]
    assert (m["slip_count"], m["slips_used"], m["slip_mean_days"]) == (slips["count"], True, 7.0)
    assert [m[f"slip_p{q}"] for q in (10, 25, 50, 75, 90)] == [7] * 5
    assert leadcore.forecast_history_report(p) == want


def test_history_stage_and_expected_close_errors() -> None:
    p = payload(HISTORY, 6)
    cols = history_columns(p["deals"])
    cols["expected_close"] = [date.fromisoformat(d["expected_close"]) if "expected_close" in d else None for d in p["deals"]]
    cols["expected_close"][3] = date(2025, 12, 31)
    with pytest.raises(leadcore.InputError, match="deal S03: expected to close 2025-12-31 before its creation"):
        leadcore.forecast_history(cols, as_of=p["as_of"], windows=[])
    visits = visit_columns(p["deals"])
    visits["opportunity_id"][0] = "nobody"
    with pytest.raises(leadcore.InputError, match="stage history, row 0: no deal `nobody`"):
        leadcore.forecast_history(history_columns(p["deals"]), as_of=p["as_of"], windows=[], stage_history=visits)
    visits = visit_columns(p["deals"])
    visits["entered"][-1] = date(2025, 1, 1)
    with pytest.raises(leadcore.InputError, match=r"deal S00: stages\[0\]: entered `Qualify` on 2025-01-01"):
        leadcore.forecast_history(history_columns(p["deals"]), as_of=p["as_of"], windows=[], stage_history=visits)
    with pytest.raises(leadcore.InputError, match="`entered` column"):
        leadcore.forecast_history(history_columns(p["deals"]), as_of=p["as_of"], windows=[], stage_history={"opportunity_id": [], "stage": []})


def test_history_errors() -> None:
    deals = payload(HISTORY, 0)["deals"]
    cols = history_columns(deals)
    cols["closed"][5] = date(2026, 1, 5)
    with pytest.raises(leadcore.InputError, match="deal O05: closed 2026-01-05 before its creation") as e:
        leadcore.forecast_history(pd.DataFrame(cols), as_of="2026-02-15", windows=[])
    assert e.value.code == "input.invalid"
    cols = history_columns(deals)
    cols["currency"][7] = "EUR"
    with pytest.raises(leadcore.InputError, match="deal O07: currency EUR mixed with USD"):
        leadcore.backtest(pa.table(cols), first="2026-02-01", count=2, window_months=1)
    cols = history_columns(deals)
    cols["won"][3] = None
    with pytest.raises(leadcore.InputError, match=r"row 3 \(deal O03\): closed without `won`"):
        leadcore.forecast_history(cols, as_of="2026-02-15", windows=[])
    with pytest.raises(leadcore.InputError, match="windows\\[0\\]"):
        leadcore.forecast_history(history_columns(deals), as_of="2026-02-15", windows=[("2026-02-01", "2026-03-01")])
    with pytest.raises(leadcore.InputError, match="no deal closed before"):
        leadcore.forecast_history(history_columns(deals), as_of="2026-01-05", windows=[])
    with pytest.raises(leadcore.InputError, match="`amount` column"):
        leadcore.forecast_history({"opportunity_id": ["A"]}, as_of="2026-01-05", windows=[])
    with pytest.raises(leadcore.InputError, match="spec.trails"):
        leadcore.backtest_report(payload(HISTORY, 5))
    with pytest.raises(TypeError):
        leadcore.forecast_history(42, as_of="2026-01-05", windows=[])  # type: ignore[arg-type]
    # A bad trial count is the argument's error, not the first window's.
    with pytest.raises(leadcore.InputError, match=r"^invalid input: trials: must be 1..=1000000, got 0"):
        leadcore.forecast_history(
            history_columns(deals), as_of="2026-02-15", windows=[("2026-03-01", "2026-04-01")], trials=0
        )


def test_a_backtest_with_no_scored_window_has_no_error_figures() -> None:
    """No window with a positive actual: no MAPE, pinball loss or coverage (null), never a
    perfect-looking 0."""
    p = payload(HISTORY, 1)
    cols = history_columns(p["deals"])
    cols["won"] = [False if w is not None else None for w in cols["won"]]
    cols["value"] = [None] * len(cols["value"])
    _, scores, _ = leadcore.backtest(cols, first="2026-02-01", count=1, window_months=1, trials=50)
    rows = pa.table(scores).to_pylist()
    assert [r["windows"] for r in rows] == [0, 0, 0, 0]
    assert all(r["mape"] is None and r["pinball_50"] is None and r["covered"] is None for r in rows)


def rollup_columns(deals: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {
        "id": [d["deal"]["id"] for d in deals],
        "owner": [d["owner"] for d in deals],
        "amount": [d["deal"]["amount"]["minor"] for d in deals],
        "currency": [d["deal"]["amount"]["currency"] for d in deals],
        "close_date": [d["deal"]["close_date"] for d in deals],
        "stage": [d["deal"]["stage"] for d in deals],
        "probability": [float(d["deal"]["probability"]) for d in deals],
    }


@pytest.mark.parametrize("hierarchy_as", ["dict", "table"])
def test_rollup_agrees_with_the_vector(hierarchy_as: str) -> None:
    p = payload(ROLLUP, 0)
    lines = p["hierarchy"]
    hierarchy: Any = (
        {h["node"]: h.get("parent") for h in lines}
        if hierarchy_as == "dict"
        else pd.DataFrame({"node": [h["node"] for h in lines], "parent": [h.get("parent") for h in lines]})
    )
    cells, spans = leadcore.forecast_rollup(
        pd.DataFrame(rollup_columns(p["deals"])),
        hierarchy,
        categories=p["categories"],
        quotas=p["quotas"],
        quota_mode="sum_children",
    )
    want = expected(ROLLUP, 0)["ok"]
    c = pa.table(cells).to_pylist()
    assert [(r["node"], r["category"], r["own_amount"], r["total_amount"], r["total_weighted"]) for r in c] == [
        (w["node"], w["category"], w["own"]["amount"], w["total"]["amount"], w["total"]["weighted"])
        for w in want["cells"]
    ]
    s = pa.table(spans).to_pylist()
    assert [(r["node"], r["period"], r["quota"], r["attainment"], r["coverage"]) for r in s] == [
        (w["node"], f"FY{w['period']['year']}-Q{w['period']['index']}", w.get("quota"), w.get("attainment"), w.get("coverage"))
        for w in want["spans"]
    ]
    vp = next(r for r in s if r["node"] == "vp" and r["index"] == 1)
    # by hand: quota 6,000 + 1,000 summed up; closed 2,500; open 2,500 over the 4,500 left
    assert (vp["quota"], vp["closed_amount"], vp["commit_amount"], vp["pipeline_amount"]) == (700000, 250000, 450000, 500000)
    assert vp["parent"] is None and vp["depth"] == 0
    assert leadcore.forecast_rollup_report(p) == want


def test_rollup_errors() -> None:
    p = payload(ROLLUP, 0)
    deals = rollup_columns(p["deals"])
    with pytest.raises(leadcore.PlaybookValidationError) as e:
        leadcore.forecast_rollup(deals, {"a": "b", "b": "a"})
    assert e.value.code == "playbook.invalid"
    assert [i["code"] for i in e.value.report["issues"]] == ["hierarchy.cycle"]
    with pytest.raises(leadcore.InputError, match="owner `ana` is not in the hierarchy"):
        leadcore.forecast_rollup(deals, {"vp": None})
    with pytest.raises(leadcore.InputError, match="quotas\\[0\\]: node `zz`"):
        leadcore.forecast_rollup(
            deals,
            {h["node"]: h.get("parent") for h in p["hierarchy"]},
            quotas=[{"node": "zz", "period": {"year": 2026, "granularity": "quarter", "index": 1}, "amount": {"minor": 1, "currency": "USD"}}],
        )
    with pytest.raises(leadcore.InputError, match="owner"):
        leadcore.forecast_rollup({k: v for k, v in deals.items() if k != "owner"}, {"vp": None})
    with pytest.raises(leadcore.PlaybookValidationError):
        leadcore.forecast_rollup_report(payload(ROLLUP, 2))


def test_integer_opportunity_ids_give_the_same_forecast() -> None:
    p = payload(HISTORY, 6)
    cols, visits = history_columns(p["deals"]), visit_columns(p["deals"])
    ids = {x: 1000 + i for i, x in enumerate(cols["opportunity_id"])}
    args: dict[str, Any] = {
        "as_of": p["as_of"],
        "windows": [(w["from"], w["to"]) for w in p["windows"]],
        "trials": p["trials"],
        "seed": p["seed"],
        "model": p["model"],
    }
    text = leadcore.forecast_history(pa.table(cols), stage_history=pa.table(visits), **args)
    cols["opportunity_id"] = [ids[x] for x in cols["opportunity_id"]]
    visits["opportunity_id"] = [ids[x] for x in visits["opportunity_id"]]
    ints = leadcore.forecast_history(pa.table(cols), stage_history=pa.table(visits), **args)
    for a, b in zip(ints, text):
        assert pa.table(a).equals(pa.table(b))
