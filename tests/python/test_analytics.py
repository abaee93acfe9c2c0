"""Pipeline analytics through the Python door: one call over an opportunities table and a
table of stage entries (pyarrow, pandas, dict of columns), the same figures as the shared
vector's hand-checked report, and typed errors."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import leadcore

CASE = Path(__file__).resolve().parents[1] / "vectors" / "analytics_pipeline_metrics"
STAGES: list[Any] = ["Lead", "Demo", "Proposal", {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}]
PERIOD = ("2026-01-01T00:00:00Z", "2026-04-01T00:00:00Z")


def vector_input() -> dict[str, Any]:
    line = (CASE / "input.jsonl").read_text(encoding="utf-8").splitlines()[1]
    payload: dict[str, Any] = json.loads(line)["pipeline_metrics"]
    return payload


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def tables() -> tuple[pa.Table, pa.Table]:
    opps = vector_input()["opportunities"]
    o = pa.table(
        {
            "opportunity_id": [x["id"] for x in opps],
            "manager": [x["manager"] for x in opps],
            "owner": [x["owner"] for x in opps],
            "kind": [x["kind"] for x in opps],
            "amount": pa.array([x.get("amount", {}).get("minor") for x in opps], pa.int64()),
            "currency": [x.get("amount", {}).get("currency") for x in opps],
            "created_at": pa.array([ts(x["created_at"]) for x in opps], pa.timestamp("s", "UTC")),
        }
    )
    rows = [(x["id"], ts(e["at"]), e["stage"]) for x in opps for e in x["history"]]
    rows.reverse()  # any order: entries are sorted by time per opportunity
    h = pa.table(
        {
            "opportunity_id": [r[0] for r in rows],
            "at": pa.array([r[1] for r in rows], pa.timestamp("us", "UTC")),
            "stage": [r[2] for r in rows],
        }
    )
    return o, h


def test_table_equals_the_vector_report() -> None:
    o, h = tables()
    t = pa.table(
        leadcore.pipeline_metrics(
            o, history=h, stages=STAGES, period=PERIOD, group_by="manager", qualified_from="Demo"
        )
    )
    report = leadcore.pipeline_report(vector_input())
    assert t.num_rows == 2 * len(STAGES)
    rows = t.to_pylist()
    for g in report["groups"]:
        mine = [r for r in rows if r["manager"] == g["key"]["manager"]]
        for r, s in zip(mine, g["stages"]):
            assert r["stage"] == s["stage"]
            assert (r["entered"], r["in_stage"], r["converted"]) == (s["entered"], s["in_stage"], s["converted"])
            assert r["conversion_to_next"] == s["conversion_to_next"]
            assert r["dwell_median_s"] == s["dwell"]["median_seconds"]
            assert r["value_in_stage"] == s["value_in_stage"].get("USD", 0)
            assert r["win_rate"] == g["win_rate"]["rate"]
            assert r["average_deal_size"] == g["average_deal_size"]["minor"]
            sv = g["sales_velocity"]
            assert r["sales_velocity_per_day"] == (sv["per_day"]["minor"] if sv else None)


def test_overall_hand_checked_and_pandas() -> None:
    pd = pytest.importorskip("pandas")
    o, h = tables()
    t = pa.table(
        leadcore.pipeline_metrics(
            o.to_pandas(), history=h.to_pandas(), stages=STAGES, period=PERIOD, qualified_from="Demo"
        )
    ).to_pandas()
    assert isinstance(t, pd.DataFrame)
    lead = t[t.stage == "Lead"].iloc[0]
    assert (lead.entered, lead.converted, lead.dwell_median_s) == (4, 3, 5 * 86400)
    assert lead.win_rate == pytest.approx(2 / 3)
    assert lead.average_deal_size == 65000
    assert lead.sales_velocity_per_day == 1398


def int_ids(t: pa.Table, ids: dict[str, int], type: pa.DataType) -> pa.Table:
    """`t` with its text `opportunity_id`s replaced by integers (as a CRM's keys are)."""
    col = pa.array([ids[x] for x in t.column("opportunity_id").to_pylist()], type)
    return t.set_column(t.schema.get_field_index("opportunity_id"), "opportunity_id", col)


def test_integer_opportunity_ids_give_the_same_table() -> None:
    o, h = tables()
    args: dict[str, Any] = {"stages": STAGES, "period": PERIOD, "group_by": "manager", "qualified_from": "Demo"}
    want = pa.table(leadcore.pipeline_metrics(o, history=h, **args))
    # a small range (a direct table) and ids far apart (a hash table); int32 and int64
    for scale, type in ((1, pa.int32()), (10**15, pa.int64())):
        ids = {x: (i + 1) * scale for i, x in enumerate(o.column("opportunity_id").to_pylist())}
        got = pa.table(leadcore.pipeline_metrics(int_ids(o, ids, type), history=int_ids(h, ids, pa.int64()), **args))
        assert got.equals(want)
    # pandas int64 ids as they are
    pytest.importorskip("pandas")
    ids = {x: 100 + i for i, x in enumerate(o.column("opportunity_id").to_pylist())}
    got = pa.table(
        leadcore.pipeline_metrics(int_ids(o, ids, pa.int64()).to_pandas(), history=int_ids(h, ids, pa.int64()).to_pandas(), **args)
    )
    assert got.equals(want)
    # an id of no opportunity is named as the integer it is
    bad = int_ids(h, ids, pa.int64()).slice(0, 1).set_column(0, "opportunity_id", pa.array([99], pa.int64()))
    with pytest.raises(leadcore.InputError, match="no opportunity `99`"):
        leadcore.pipeline_metrics(int_ids(o, ids, pa.int64()), history=bad, **args)


def test_dict_of_columns_and_current_stage_only() -> None:
    t = leadcore.pipeline_metrics(
        {"id": ["A", "B", "C"], "stage": ["Lead", "Lead", "Demo"], "office": ["East", None, "East"]},
        stages=STAGES,
        period=PERIOD,
        group_by=["office"],
    )
    rows = pa.table(t).to_pylist()
    assert [r["office"] for r in rows[:: len(STAGES)]] == [None, "East"]
    east = [r for r in rows if r["office"] == "East"]
    assert [r["in_stage"] for r in east][:2] == [1, 1]


def test_grouping_by_deal_kind_keeps_the_stage_kind_apart() -> None:
    o, h = tables()
    t = pa.table(leadcore.pipeline_metrics(o, history=h, stages=STAGES, period=PERIOD, group_by="kind"))
    assert t.column_names[:3] == ["kind", "stage", "stage_kind"]
    assert set(t["kind"].to_pylist()) <= {"new_business", "upsell", "cross_sell", None}
    assert set(t["stage_kind"].to_pylist()) == {"open", "won", "lost"}


def test_a_period_as_a_list_and_times_as_rfc3339_text() -> None:
    o, h = tables()
    want = pa.table(leadcore.pipeline_metrics(o, history=h, stages=STAGES, period=PERIOD))
    as_text = h.set_column(
        1, "at", pa.array([t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in h["at"].to_pylist()])
    )
    got = pa.table(leadcore.pipeline_metrics(o, history=as_text, stages=STAGES, period=list(PERIOD)))
    assert got.equals(want)
    bad = h.set_column(1, "at", pa.array(["yesterday"] * h.num_rows))
    with pytest.raises(leadcore.InputError, match="row 0: `yesterday` is not an RFC 3339 time"):
        leadcore.pipeline_metrics(o, history=bad, stages=STAGES, period=PERIOD)


def test_typed_errors() -> None:
    o, h = tables()
    bad = h.set_column(2, "stage", pa.array(["Signed"] * h.num_rows))
    with pytest.raises(leadcore.UnknownStageError):
        leadcore.pipeline_metrics(o, history=bad, stages=STAGES, period=PERIOD)
    with pytest.raises(leadcore.InputError, match="empty period"):
        leadcore.pipeline_metrics(o, history=h, stages=STAGES, period=(PERIOD[1], PERIOD[0]))
    eur = o.set_column(5, "currency", pa.array(["USD", "USD", "EUR", "USD", None]))
    with pytest.raises(leadcore.InputError, match="mixed currencies"):
        leadcore.pipeline_metrics(eur, history=h, stages=STAGES, period=PERIOD)
    with pytest.raises(leadcore.InputError, match="group_by"):
        leadcore.pipeline_metrics(o, stages=STAGES, period=PERIOD, group_by="shoe_size")
    stray = pa.table({"opportunity_id": ["Z"], "at": [0], "stage": ["Lead"]})
    with pytest.raises(leadcore.InputError, match="no opportunity `Z`"):
        leadcore.pipeline_metrics(o, history=stray, stages=STAGES, period=PERIOD)


def test_report_from_a_playbook_pipeline() -> None:
    pb = leadcore.Playbook.parse((CASE / "playbook.yaml").read_text(encoding="utf-8"), "yaml")
    payload = dict(vector_input(), pipeline="deals")
    del payload["stages"]
    out = leadcore.pipeline_report(payload, playbook=pb)
    assert [s["stage"] for s in out["groups"][0]["stages"]] == ["Lead", "Demo", "Proposal", "Won", "Lost"]
    text = leadcore.pipeline_report(json.dumps(payload), playbook=pb, json=True)
    assert json.loads(text) == out
