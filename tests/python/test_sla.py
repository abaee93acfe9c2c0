"""SLA through the Python door: one lead's statuses (from activities and a LeadState), the
clocks a host stores, a board of many clocks read at once from pandas, polars and pyarrow
tables (equal to one-by-one statuses), speed-to-lead metrics, and bad input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 in New York

PLAYBOOK = """
schema_version: 1
lifecycle:
  name: lead
  initial: MQL
  stages: [{name: MQL}, {name: SRL}]
  transitions: [{from: MQL, to: SRL}]
calendars:
  ny: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
sla:
  policies:
    - name: first_touch
      calendar: ny
      target: 5m
      due_soon: 2m
      stop: {activity: {kinds: [call, email_sent]}}
      escalations:
        - {actions: [{kind: notify, params: {to: manager}}]}
    - name: handoff
      target: 4h
      start: {stage: [MQL]}
      stop: {stage: [SRL]}
"""


@pytest.fixture(scope="module")
def pb() -> leadcore.Playbook:
    return leadcore.Playbook.parse(PLAYBOOK, "yaml")


def lead(i: int, created: datetime = T0) -> dict[str, Any]:
    return {"id": f"L-{i}", "created_at": created.isoformat()}


def by_policy(statuses: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["policy"]: s for s in statuses}


def test_a_lead_without_a_touch_breaches_and_escalates(pb: leadcore.Playbook) -> None:
    s = by_policy(pb.sla_status(lead(1), T0 + timedelta(minutes=3)))["first_touch"]
    assert (s["status"], s["deadline"], s["remaining_seconds"]) == ("due_soon", "2026-03-02T14:05:00Z", 120)
    s = by_policy(pb.sla_status(lead(1), T0 + timedelta(minutes=6)))["first_touch"]
    assert (s["status"], s["escalation"]) == ("breached", 1)
    assert s["actions"] == [
        {"kind": "notify", "params": {"to": "manager"}, "policy": "first_touch", "step": 0, "trigger": "sla"}
    ]


def test_a_call_in_time_meets_the_promise(pb: leadcore.Playbook) -> None:
    calls = [{"kind": "call", "at": (T0 + timedelta(minutes=4)).isoformat()}]
    s = by_policy(pb.sla_status(lead(2), T0 + timedelta(hours=1), activities=calls))["first_touch"]
    assert (s["status"], s["elapsed_seconds"], s["stopped_at"]) == ("met", 240, "2026-03-02T14:04:00Z")


def test_stages_come_from_a_lead_state_or_a_list(pb: leadcore.Playbook) -> None:
    state = pb.start("lead", "L-3", T0)
    actor = {"id": "sam", "role": "sdr"}
    pb.transition(state, "SRL", actor=actor, now=T0 + timedelta(hours=2))
    now = T0 + timedelta(hours=5)
    from_state = by_policy(pb.sla_status(lead(3), now, stages=state))["handoff"]
    listed = [{"at": T0.isoformat(), "stage": "MQL"}, {"at": (T0 + timedelta(hours=2)).isoformat(), "stage": "SRL"}]
    from_list = by_policy(pb.sla_status(lead(3), now, stages=listed))["handoff"]
    assert from_state == from_list
    assert (from_state["status"], from_state["elapsed_seconds"]) == ("met", 7200)
    text = pb.sla_status(lead(3), now, stages=state, json=True)
    assert json.loads(text) == pb.sla_status(lead(3), now, stages=state)


def clock_table(pb: leadcore.Playbook, n: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Clocks of `n` leads created every 7 minutes, every third touched after 4 minutes,
    every fifth after an hour, with their one-by-one first_touch statuses at NOW."""
    now = T0 + timedelta(hours=30)
    rows, expected = [], []
    for i in range(n):
        created = T0 + timedelta(minutes=7 * i)
        acts = []
        if i % 3 == 0:
            acts = [{"kind": "call", "at": (created + timedelta(minutes=4)).isoformat()}]
        elif i % 5 == 0:
            acts = [{"kind": "email_sent", "at": (created + timedelta(hours=1)).isoformat()}]
        clock = by_policy(pb.sla_clocks(lead(i, created), now, activities=acts))["first_touch"]
        rows.append(clock)
        expected.append(by_policy(pb.sla_status(lead(i, created), now, activities=acts))["first_touch"])
    frame = pd.DataFrame(
        {
            "lead_id": [r["lead_id"] for r in rows],
            "started_at": pd.to_datetime([r.get("started_at") for r in rows], utc=True),
            "stopped_at": pd.to_datetime([r.get("stopped_at") for r in rows], utc=True),
            "breached_at": pd.to_datetime([r.get("breached_at") for r in rows], utc=True),
            "paused_seconds": [r["paused_seconds"] for r in rows],
        }
    )
    return frame, expected


def board_rows(table: leadcore.ArrowTable) -> list[dict[str, Any]]:
    t = pa.table(table)
    out = []
    for r in t.to_pylist():
        out.append(
            {
                "lead_id": r["lead_id"],
                "status": r["status"],
                "deadline": None if r["deadline"] is None else r["deadline"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "elapsed_seconds": r["elapsed_seconds"],
                "escalation": r["escalation"],
            }
        )
    return out


def test_the_board_equals_one_by_one_statuses_from_every_table_kind(pb: leadcore.Playbook) -> None:
    frame, expected = clock_table(pb, 60)
    want = [
        {
            "lead_id": s["lead_id"],
            "status": s["status"],
            "deadline": s.get("deadline"),
            "elapsed_seconds": s["elapsed_seconds"],
            "escalation": s["escalation"],
        }
        for s in expected
    ]
    now = T0 + timedelta(hours=30)
    assert {w["status"] for w in want} >= {"met", "breached"}
    for table in (frame, pl.from_pandas(frame), pa.Table.from_pandas(frame)):
        board = pb.sla_board("first_touch", table, now)
        assert board.column_names == [
            "lead_id", "status", "deadline", "elapsed_seconds", "remaining_seconds", "next_change", "escalation",
        ]
        assert board_rows(board) == want
    # Unix seconds work as well as datetimes; NaT and None are "no value".
    secs = {
        "started_at": np.array([int(T0.timestamp()), 0], dtype="int64"),
        "stopped_at": [None, None],
    }
    board = pa.table(pb.sla_board("first_touch", secs, T0 + timedelta(minutes=1)))
    assert board.column("status").to_pylist() == ["pending", "breached"]


def test_metrics_sum_statuses_by_group(pb: leadcore.Playbook) -> None:
    _, statuses = clock_table(pb, 30)
    groups = ["A" if i % 2 else "B" for i in range(30)]
    rows = pd.DataFrame(leadcore.Playbook.sla_metrics(statuses, groups))
    assert list(rows["group"]) == ["A", "B"]
    assert rows["leads"].sum() == 30
    for g in ("A", "B"):
        mine = [s for s, k in zip(statuses, groups) if k == g]
        row = rows[rows["group"] == g].iloc[0]
        assert row["met"] == sum(s["status"] == "met" for s in mine)
        assert row["breached"] == sum(s["status"] == "breached" for s in mine)


def test_bad_input_is_a_clear_error(pb: leadcore.Playbook) -> None:
    with pytest.raises(leadcore.InputError, match="no SLA policy `first_tuch`"):
        pb.sla_board("first_tuch", {"started_at": [0]}, T0)
    with pytest.raises(leadcore.InputError, match="started_at"):
        pb.sla_board("first_touch", {"stopped_at": [0]}, T0)
    with pytest.raises(leadcore.InputError, match="SLA clocks column `started_at`"):
        pb.sla_board("first_touch", {"started_at": ["yesterday"]}, T0)
    with pytest.raises(TypeError, match="stages must be a LeadState"):
        pb.sla_status(lead(1), T0, stages="MQL")  # type: ignore[arg-type]
    with pytest.raises(leadcore.InputError):
        leadcore.Playbook.sla_metrics([], ["A"])


def test_many_leads_at_once_equal_one_by_one(pb: leadcore.Playbook) -> None:
    """A leads table, an events table and stage entries give, row for row, the statuses
    one lead at a time gives."""
    n = 40
    leads = pd.DataFrame(
        {
            "id": [f"L-{i}" for i in range(n)],
            "created_at": pd.to_datetime([T0 + timedelta(minutes=11 * i) for i in range(n)], utc=True),
        }
    )
    ev_rows = [(f"L-{i}", "call", T0 + timedelta(minutes=11 * i + 3 + i % 7)) for i in range(0, n, 2)]
    events = pd.DataFrame(
        {
            "lead_id": [r[0] for r in ev_rows],
            "kind": [r[1] for r in ev_rows],
            "at": pd.to_datetime([r[2] for r in ev_rows], utc=True),
        }
    )
    st_rows = [(f"L-{i}", T0 + timedelta(minutes=11 * i), "MQL") for i in range(n)]
    st_rows += [(f"L-{i}", T0 + timedelta(minutes=11 * i + 200), "SRL") for i in range(0, n, 3)]
    stages = pd.DataFrame(
        {
            "lead_id": [r[0] for r in st_rows],
            "at": pd.to_datetime([r[1] for r in st_rows], utc=True),
            "stage": [r[2] for r in st_rows],
        }
    )
    now = T0 + timedelta(hours=8)
    table = pa.table(pb.sla_status_many(leads, now, events=events, stages=stages))
    got = table.to_pylist()
    assert len(got) == 2 * n
    want = []
    for i in range(n):
        lead_id = f"L-{i}"
        acts = [{"kind": k, "at": a.isoformat()} for (l, k, a) in ev_rows if l == lead_id]
        sts = [{"at": a.isoformat(), "stage": s} for (l, a, s) in st_rows if l == lead_id]
        want += pb.sla_status(lead(i, T0 + timedelta(minutes=11 * i)), now, activities=acts, stages=sts)

    def fmt(t: datetime | None) -> str | None:
        return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")

    for g, w in zip(got, want):
        assert (g["lead_id"], g["policy"], g["status"]) == (w["lead_id"], w["policy"], w["status"])
        assert fmt(g["deadline"]) == w.get("deadline")
        assert g["elapsed_seconds"] == w["elapsed_seconds"]
    assert {g["status"] for g in got} >= {"met", "breached"}
    # An event of a lead not in the table is an error, not a silently shorter timeline.
    bad = pd.concat([events, pd.DataFrame({"lead_id": ["nobody"], "kind": ["call"], "at": events["at"][:1]})])
    with pytest.raises(leadcore.InputError, match="1 rows cannot be read"):
        pb.sla_status_many(leads, now, events=bad)
    with pytest.raises(leadcore.InputError, match="lead `nobody` is not among the leads"):
        pb.sla_status_many(leads, now, stages={"lead_id": ["nobody"], "at": [0], "stage": ["MQL"]})
