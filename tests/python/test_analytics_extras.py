"""Bottlenecks, lead metrics and rep-activity metrics through the Python door: one call over
tables (pyarrow, pandas, dict of columns) giving the same figures as the wire-form reports of
the shared vectors (hand-checked in their SOURCE.md), and typed errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import leadcore

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
STAGES: list[Any] = ["Lead", "Demo", "Proposal", {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}]


def payload(case: str, kind: str, line: int = 0) -> dict[str, Any]:
    lines = [json.loads(x) for x in (VECTORS / case / "input.jsonl").read_text(encoding="utf-8").splitlines()]
    found: dict[str, Any] = [x[kind] for x in lines if kind in x][line]
    return found


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def period(p: dict[str, str]) -> tuple[str, str]:
    return (p["from"], p["to"])


# --- bottlenecks ---------------------------------------------------------------------------


def deal_tables() -> tuple[pa.Table, pa.Table]:
    opps = payload("analytics_bottlenecks", "bottlenecks")["opportunities"]
    o = pa.table(
        {
            "opportunity_id": [x["id"] for x in opps],
            "owner": [x.get("owner") for x in opps],
            "amount": pa.array([x.get("amount", {}).get("minor") for x in opps], pa.int64()),
            "currency": [x.get("amount", {}).get("currency") for x in opps],
            "stage": [x.get("stage") for x in opps],
        }
    )
    rows = [(x["id"], ts(e["at"]), e["stage"]) for x in opps for e in x.get("history", [])]
    rows.reverse()  # any order: entries are sorted by time per opportunity
    h = pa.table(
        {
            "opportunity_id": [r[0] for r in rows],
            "at": pa.array([r[1] for r in rows], pa.timestamp("us", "UTC")),
            "stage": [r[2] for r in rows],
        }
    )
    return o, h


def bottleneck_args() -> dict[str, Any]:
    p = payload("analytics_bottlenecks", "bottlenecks")
    return {
        "stages": STAGES,
        "period": period(p["period"]),
        "baseline_periods": p["baseline_periods"],
        "min_count": p["min_count"],
        "closest": p["closest"],
        "leak_after": p["leak_after"],
    }


def check_bottleneck_tables(t: Mapping[str, Any]) -> None:
    report = leadcore.bottleneck_report(payload("analytics_bottlenecks", "bottlenecks"))
    assert sorted(t) == ["closest", "leaks", "lost_at_stage", "stages"]
    stages = pa.table(t["stages"]).to_pylist()
    assert [r["stage"] for r in stages] == [s["stage"] for s in report["stages"]] == ["Lead", "Demo", "Proposal"]
    for r, s in zip(stages, report["stages"]):
        assert (r["in_stage"], r["baseline_in_stage"], r["accumulation"]) == (
            s["in_stage"],
            s["baseline_in_stage"],
            s["accumulation"],
        )
        assert (r["dwell_median_s"], r["baseline_dwell_median_s"], r["dwell_ratio"]) == (
            s["dwell"]["median_seconds"],
            s["baseline_dwell"]["median_seconds"],
            s["dwell_ratio"],
        )
        assert r["leak_threshold_s"] == s["leak_threshold_seconds"]
        assert r["bottleneck"] == s["bottleneck"]
        assert r["accumulating"] == any(x["reason"] == "accumulating" for x in s["reasons"])
        assert r["slow"] == any(x["reason"] == "slow" for x in s["reasons"])
    demo = stages[1]
    assert (demo["bottleneck"], demo["accumulating"], demo["slow"]) == (True, True, True)
    lost = pa.table(t["lost_at_stage"]).to_pylist()
    assert [(r["stage"], r["count"], r["currency"], r["value"]) for r in lost] == [
        ("Lead", 1, "USD", 40000),
        ("Demo", 1, "USD", 50000),
        ("Proposal", 0, None, None),
        (None, 1, None, None),
    ]
    leaks = pa.table(t["leaks"]).to_pylist()
    assert leaks == [
        {
            "opportunity_id": "O6",
            "stage": "Demo",
            "owner": "bob",
            "in_stage_s": 19 * 86400,
            "days_in_stage": 19,
            "threshold_s": 10 * 86400,
            "amount": 70000,
            "currency": "USD",
        }
    ]
    closest = pa.table(t["closest"]).to_pylist()
    assert [r["opportunity_id"] for r in closest] == [d["id"] for d in report["closest_to_closing"]]
    assert [r["opportunity_id"] for r in closest] == ["O1", "O6", "O4"]


def test_bottlenecks_from_pyarrow_tables() -> None:
    o, h = deal_tables()
    check_bottleneck_tables(leadcore.bottlenecks(o, h, **bottleneck_args()))


def test_bottlenecks_with_integer_opportunity_ids() -> None:
    o, h = deal_tables()
    ids = {x: 1000 + i for i, x in enumerate(o.column("opportunity_id").to_pylist())}

    def as_ints(t: pa.Table) -> pa.Table:
        col = pa.array([ids[x] for x in t.column("opportunity_id").to_pylist()], pa.int64())
        return t.set_column(t.schema.get_field_index("opportunity_id"), "opportunity_id", col)

    text = leadcore.bottlenecks(o, h, **bottleneck_args())
    ints = leadcore.bottlenecks(as_ints(o), as_ints(h), **bottleneck_args())
    assert pa.table(ints["stages"]).equals(pa.table(text["stages"]))
    # the deals closest to closing are named by their ids, as decimal text
    closest = pa.table(ints["closest"]).column("opportunity_id").to_pylist()
    assert closest == [str(ids[x]) for x in pa.table(text["closest"]).column("opportunity_id").to_pylist()]


def test_bottlenecks_from_pandas_and_timedelta_thresholds() -> None:
    o, h = deal_tables()
    args = bottleneck_args()
    args["leak_after"] = {"Demo": timedelta(days=10)}
    t = leadcore.bottlenecks(o.to_pandas(), history=h.to_pandas(), **args)
    check_bottleneck_tables(t)
    assert isinstance(t["stages"], leadcore.ArrowTable)
    df = pa.table(t["stages"]).to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == 3


def test_bottlenecks_errors() -> None:
    o, h = deal_tables()
    args = bottleneck_args()
    bad = pa.table({"opportunity_id": ["O1"], "at": pa.array([ts("2026-03-22T00:00:00Z")], pa.timestamp("s", "UTC")), "stage": ["Signed"]})
    with pytest.raises(leadcore.UnknownStageError) as e:
        leadcore.bottlenecks(o, bad, **args)
    assert e.value.stage == "Signed"
    with pytest.raises(leadcore.UnknownStageError):
        leadcore.bottlenecks(o, h, **{**args, "leak_after": {"Nope": "1d"}})
    with pytest.raises(leadcore.InputError, match="empty period"):
        leadcore.bottlenecks(o, h, **{**args, "period": (args["period"][1], args["period"][0])})
    with pytest.raises(leadcore.InputError, match="not an open stage"):
        leadcore.bottlenecks(o, h, **{**args, "leak_after": {"Lost": "1d"}})
    with pytest.raises(leadcore.InputError, match="leak_after"):
        leadcore.bottlenecks(o, h, **{**args, "leak_after": {"Demo": "ten days"}})
    with pytest.raises(leadcore.InputError, match="baseline_periods"):
        leadcore.bottlenecks(o, h, **{**args, "baseline_periods": 0})
    created = o.append_column("created_at", pa.array([ts("2026-03-29T00:00:00Z")] * o.num_rows, pa.timestamp("s", "UTC")))
    with pytest.raises(leadcore.InputError, match="before its creation"):
        leadcore.bottlenecks(created, h, **args)
    # Out of order in the wire form (tables are sorted per opportunity).
    p = payload("analytics_bottlenecks", "bottlenecks", 4)
    with pytest.raises(leadcore.InputError, match="before the entry before it"):
        leadcore.bottleneck_report(p)
    with pytest.raises(TypeError):
        leadcore.bottlenecks(42, h, **args)


def test_bottleneck_report_json_and_playbook_pipeline() -> None:
    p = payload("analytics_bottlenecks", "bottlenecks")
    text = leadcore.bottleneck_report(json.dumps(p), json=True)
    assert isinstance(text, str) and text.startswith('{"baseline":')
    assert json.loads(text)["bottlenecks"] == ["Demo"]
    named = payload("analytics_bottlenecks", "bottlenecks", 1)
    case = VECTORS / "analytics_bottlenecks"
    pb = leadcore.Playbook.parse((case / "playbook.yaml").read_text(encoding="utf-8"), "yaml")
    assert leadcore.bottleneck_report(named, playbook=pb) == leadcore.bottleneck_report(p)
    with pytest.raises(leadcore.InputError, match="stages"):
        leadcore.bottleneck_report(named)
    with pytest.raises(leadcore.InputError, match="unknown field"):
        leadcore.bottleneck_report({**p, "shoe_size": 42})


# --- lead metrics --------------------------------------------------------------------------


def lead_tables() -> tuple[pa.Table, pa.Table]:
    leads = payload("analytics_lead_metrics", "lead_metrics")["leads"]
    lt = pa.table(
        {
            "lead_id": [x["id"] for x in leads],
            "source": [x.get("source") for x in leads],
            "owner": [x.get("owner") for x in leads],
            "created_at": pa.array([ts(x["created_at"]) if "created_at" in x else None for x in leads], pa.timestamp("s", "UTC")),
        }
    )
    rows = [(x["id"], ts(e["at"]), e["stage"]) for x in leads for e in x["history"]]
    rows.reverse()
    ht = pa.table(
        {
            "lead_id": [r[0] for r in rows],
            "at": pa.array([r[1] for r in rows], pa.timestamp("ms", "UTC")),
            "stage": [r[2] for r in rows],
        }
    )
    return lt, ht


def check_lead_tables(t: Mapping[str, Any], report: dict[str, Any]) -> None:
    funnel = pa.table(t["funnel"]).to_pylist()
    assert [r["step"] for r in funnel] == ["mql_to_srl", "srl_to_sql", "sql_to_won"]
    for r in funnel:
        c = report["funnel"][r["step"]]
        assert (r["cohort"], r["converted"], r["rate"], r["verdict"]) == (c["cohort"], c["converted"], c["rate"], c["verdict"])
        assert (r["benchmark_low"], r["benchmark_high"]) == (c["benchmark"]["low"], c["benchmark"]["high"])
    summary = pa.table(t["summary"]).to_pylist()[0]
    assert summary["mql"] == report["funnel"]["reached"]["mql"]
    assert summary["mql_growth_percent"] == report["velocity"]["growth_percent"]
    assert summary["mql_to_sql_median_s"] == report["mql_to_sql"]["median_seconds"]
    by_source = pa.table(t["by_source"]).to_pylist()
    assert [r["source"] for r in by_source] == [g["key"] for g in report["by_source"]]
    for r, g in zip(by_source, report["by_source"]):
        assert r["leads"] == g["leads"]
        assert (r["mql_to_srl"], r["mql_to_srl_verdict"]) == (g["mql_to_srl"]["rate"], g["mql_to_srl"]["verdict"])
        assert r["sql_to_won_cohort"] == g["sql_to_won"]["cohort"]


def test_lead_metrics_from_pyarrow_tables() -> None:
    lt, ht = lead_tables()
    p = payload("analytics_lead_metrics", "lead_metrics")
    t = leadcore.lead_metrics(lt, ht, period=period(p["period"]))
    assert sorted(t) == ["by_source", "funnel", "summary"]
    report = leadcore.lead_report(p)
    check_lead_tables(t, report)
    funnel = pa.table(t["funnel"]).to_pylist()
    assert [(r["cohort"], r["converted"], r["verdict"]) for r in funnel] == [(5, 3, "above"), (4, 3, "below"), (3, 1, "above")]
    assert pa.table(t["summary"]).to_pylist()[0]["mql_growth_percent"] == 150.0


def test_lead_metrics_from_pandas_by_owner_with_benchmarks() -> None:
    lt, ht = lead_tables()
    p = payload("analytics_lead_metrics", "lead_metrics", 1)
    t = leadcore.lead_metrics(
        lt.to_pandas(), ht.to_pandas(), period=(ts(p["period"]["from"]), ts(p["period"]["to"])), benchmarks=p["benchmarks"], by_owner=True
    )
    assert sorted(t) == ["by_owner", "by_source", "funnel", "summary"]
    report = leadcore.lead_report(p)
    check_lead_tables(t, report)
    assert pa.table(t["funnel"]).to_pylist()[2]["verdict"] == "within"
    owners = pa.table(t["by_owner"]).to_pylist()
    assert [r["owner"] for r in owners] == [g["key"] for g in report["by_owner"]] == [None, "ann", "bob"]


def test_lead_metrics_custom_stages() -> None:
    p = payload("analytics_lead_metrics", "lead_metrics", 2)
    lead = p["leads"][0]
    t = leadcore.lead_metrics(
        {"lead_id": [lead["id"]]},
        {"lead_id": [lead["id"]] * 3, "at": [int(ts(e["at"]).timestamp()) for e in lead["history"]], "stage": [e["stage"] for e in lead["history"]]},
        period=period(p["period"]),
        stages=p["stages"],
    )
    assert pa.table(t["summary"]).to_pylist()[0]["sql"] == 1


def test_lead_metrics_errors() -> None:
    lt, ht = lead_tables()
    p = payload("analytics_lead_metrics", "lead_metrics")
    per = period(p["period"])
    bad = pa.table({"lead_id": ["L1"], "at": pa.array([ts("2026-02-02T00:00:00Z")], pa.timestamp("s", "UTC")), "stage": ["Qualified"]})
    with pytest.raises(leadcore.InputError, match="unknown stage `Qualified`"):
        leadcore.lead_metrics(lt, bad, period=per)
    with pytest.raises(leadcore.InputError, match="empty period"):
        leadcore.lead_metrics(lt, ht, period=(per[1], per[0]))
    with pytest.raises(leadcore.InputError, match="benchmark"):
        leadcore.lead_metrics(lt, ht, period=per, benchmarks={"mql_to_srl": {"low": 0.5, "high": 0.4}})
    with pytest.raises(leadcore.InputError, match="listed twice"):
        leadcore.lead_metrics(pa.concat_tables([lt, lt]), ht, period=per)
    stray = pa.table({"lead_id": ["Z9"], "at": pa.array([ts("2026-02-02T00:00:00Z")], pa.timestamp("s", "UTC")), "stage": ["MQL"]})
    with pytest.raises(leadcore.InputError, match="no lead `Z9`"):
        leadcore.lead_metrics(lt, stray, period=per)
    # Out of order in the wire form (tables are sorted per lead).
    with pytest.raises(leadcore.InputError, match="before the entry before it"):
        leadcore.lead_report(payload("analytics_lead_metrics", "lead_metrics", 4))
    with pytest.raises(leadcore.InputError, match="period"):
        leadcore.lead_metrics(lt, ht, period="2026-02-01")


# --- rep activity --------------------------------------------------------------------------


def test_activity_report() -> None:
    p = payload("analytics_lead_metrics", "activity_metrics")
    r = leadcore.activity_report(p)
    assert (r["activities"], r["unattributed"]) == (6, 1)
    ann, bob = r["reps"]
    assert (ann["rep"], ann["total"], ann["tasks"]) == ("ann", 5, {"assigned": 2, "done": 1, "open": 1})
    assert (bob["rep"], bob["total"], bob["tasks"]) == ("bob", 0, {"assigned": 0, "done": 0, "open": 1})
    assert leadcore.activity_report(json.dumps(p), json=True) == json.dumps(r, sort_keys=True, separators=(",", ":"))
    with pytest.raises(leadcore.InputError, match="no `id`"):
        leadcore.activity_report(payload("analytics_lead_metrics", "activity_metrics", 1))
    with pytest.raises(leadcore.InputError, match="empty period"):
        leadcore.activity_report(payload("analytics_lead_metrics", "activity_metrics", 2))


def test_lead_metrics_with_integer_lead_ids() -> None:
    lt, ht = lead_tables()
    ids = {x: 7 * i + 3 for i, x in enumerate(lt.column("lead_id").to_pylist())}

    def as_ints(t: pa.Table) -> pa.Table:
        col = pa.array([ids[x] for x in t.column("lead_id").to_pylist()], pa.int32())
        return t.set_column(t.schema.get_field_index("lead_id"), "lead_id", col)

    p = payload("analytics_lead_metrics", "lead_metrics")
    text = leadcore.lead_metrics(lt, ht, period=period(p["period"]))
    ints = leadcore.lead_metrics(as_ints(lt), as_ints(ht), period=period(p["period"]))
    for name in ("funnel", "summary", "by_source"):
        assert pa.table(ints[name]).equals(pa.table(text[name])), name
