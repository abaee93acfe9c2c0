"""Routing through the Python door: the seed example, the routing state (mutated only on
success, JSON round trip, copies, pickle), batches of lead dicts and leads tables (fair,
equal to one-by-one routing), the DataFrame of assignments."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import datetime, timezone
from typing import Any

import pytest

import leadcore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

SEED = """
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models: [{name: lead}]
routing:
  teams: [{id: emea}]
  reps:
    - {id: A}
    - {id: B}
    - {id: C}
    - {id: D, team: emea, capacity: 1}
    - {id: E, team: emea}
  rules:
    - {name: small, when: {field: employees, op: lt, value: 10}, assign: {rep: A}}
    - name: mid
      when: {field: employees, op: between, value: [11, 50]}
      assign: {rep: B}
      actions: [{kind: notify}, {kind: create_task, params: {task: call}}]
    - {name: large, when: {field: employees, op: ge, value: 50}, assign: {rep: C}}
    - {name: emea, when: {field: region, op: eq, value: EMEA}, assign: {round_robin: {pool: {team: emea}}}}
    - {name: hot, when: {score: {model: lead, value: 80}}, assign: {rep: C}}
"""

EQUAL = """
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
routing:
  reps: [{id: A}, {id: B}, {id: C}]
  rules: [{name: all, assign: {round_robin: {}}}]
"""


@pytest.fixture(scope="module")
def seed() -> leadcore.Playbook:
    return leadcore.Playbook.parse(SEED)


@pytest.fixture(scope="module")
def equal() -> leadcore.Playbook:
    return leadcore.Playbook.parse(EQUAL)


def test_the_seed_example_goes_to_b_with_a_notification_and_a_call_task(seed: leadcore.Playbook) -> None:
    state = seed.routing_state()
    d = seed.route(state, {"id": "L-20", "firmographics": {"employees": 20}}, NOW)
    assert d["assignee"] == {"rep": "B"}
    assert d["rule"] == "mid"
    assert [a["kind"] for a in d["actions"]] == ["notify", "create_task"]
    assert d["actions"][1]["params"] == {"task": "call"}
    assert d["trace"][0]["failure"]["message"] == "field `employees` is 20, expected lt 10"
    assert state.counters("B")["open_leads"] == 1
    # The JSON form is the Rust door's canonical text, byte for byte.
    text = seed.route(seed.routing_state(), {"id": "L-20", "firmographics": {"employees": 20}}, NOW, json=True)
    assert text == (
        '{"actions":[{"kind":"notify","rep":"B","rule":"mid","trigger":"route"},'
        '{"kind":"create_task","params":{"task":"call"},"rep":"B","rule":"mid","trigger":"route"}],'
        '"assignee":{"rep":"B"},"at":"2026-03-02T09:00:00Z","lead_id":"L-20","rule":"mid",'
        '"trace":[{"failure":{"leaf":"","message":"field `employees` is 20, expected lt 10"},"matched":false,"rule":"small"},'
        '{"matched":true,"rule":"mid","strategies":[{"chosen":{"rep":"B"},"strategy":"rep"}]}]}'
    )


def test_fall_through_capacity_scores_and_the_unassignable_queue(seed: leadcore.Playbook) -> None:
    state = seed.routing_state()
    emea = {"id": "E", "firmographics": {"region": "EMEA"}}
    first = seed.route(state, emea, NOW)
    assert first["assignee"] == {"rep": "D"}
    assert first["trace"][0]["failure"]["message"] == "field `employees` is missing"
    assert seed.route(state, emea, NOW)["assignee"] == {"rep": "E"}
    third = seed.route(state, emea, NOW)
    assert third["assignee"] == {"rep": "E"}
    passed = third["trace"][-1]["strategies"][0]["passed_over"]
    assert passed == [{"rep": "D", "why": "at_capacity", "open": 1, "capacity": 1}]
    assert seed.route(state, {"id": "H"}, NOW, scores={"lead": 92.5})["assignee"] == {"rep": "C"}
    lost = seed.route(state, {"id": "X"}, NOW)
    assert lost["assignee"] == {"queue": "unassigned"}
    assert lost["unassigned"]["code"] == "no_rule_matched"
    assert "rule" not in lost


def test_the_state_changes_only_on_success(seed: leadcore.Playbook) -> None:
    state = seed.routing_state()
    seed.route(state, {"id": "L-20", "firmographics": {"employees": 20}}, NOW)
    before = state.to_json()
    with pytest.raises(leadcore.InputError):
        seed.route(state, {"id": "L", "nope": 1}, NOW)
    with pytest.raises(TypeError):
        seed.route(state, ["not", "a", "dict"], NOW)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        seed.route(state, {"id": "L"}, NOW, scores=[1])  # type: ignore[call-overload]
    with pytest.raises(leadcore.InputError):
        seed.route_batch(state, [{"id": "a"}, {"id": 7}], NOW)
    with pytest.raises(leadcore.InputError):
        seed.route_many(state, {"id": ["a"], "shoe_size": [3]}, NOW)
    assert state.to_json() == before


def test_the_routing_state_round_trips_copies_and_pickles(seed: leadcore.Playbook) -> None:
    state = seed.routing_state()
    assert state.schema_version == 1
    state.set_open_leads("A", 12)
    state.set_win_rate("A", 0.25)
    state.set_account_owner("ACME", "C")
    state.set_domain_owner("Example.COM", "B")
    state.lead_closed("A")
    with pytest.raises(leadcore.InputError):
        state.set_win_rate("A", 1.5)
    assert state.counters("A")["open_leads"] == 11
    assert state.counters("nobody")["open_leads"] == 0
    back = leadcore.RoutingState.from_json(state.to_json())
    assert back == state and back.to_dict() == json.loads(state.to_json())
    assert back.to_dict()["domain_owners"] == {"example.com": "B"}
    assert pickle.loads(pickle.dumps(state)) == state
    twin = state.copy()
    assert twin == copy.copy(state) == copy.deepcopy(state)
    seed.route(twin, {"id": "L", "firmographics": {"employees": 3}}, NOW)
    assert twin != state
    assert "RoutingState(" in repr(state)
    with pytest.raises(leadcore.VersionError):
        leadcore.RoutingState.from_json('{"schema_version": 9}')
    with pytest.raises(leadcore.InputError):
        leadcore.RoutingState.from_json('{"schema_version": 1, "reps": {"A": {"win_rate": 2}}}')


def test_a_batch_of_1000_over_3_equal_reps_is_334_333_333(equal: leadcore.Playbook) -> None:
    state = equal.routing_state()
    df = equal.route_many(state, [{"id": f"L{i}"} for i in range(1000)], NOW)
    assert df.index.name == "lead_id" and df.index[0] == "L0"
    assert list(df.columns) == [
        "assignee_kind",
        "assignee",
        "rule",
        "unassigned_code",
        "unassigned_reason",
    ]
    assert len(df) == 1000
    # Reps, queues and rules come as pandas categoricals (Arrow dictionaries).
    assert df["assignee"].value_counts()[["A", "B", "C"]].tolist() == [334, 333, 333]
    assert set(df["assignee_kind"]) == {"rep"} and set(df["rule"]) == {"all"}
    assert df["unassigned_code"].isna().all() and df["unassigned_reason"].isna().all()
    assert state.counters("A")["open_leads"] == 334


def test_a_batch_equals_one_by_one_routing(seed: leadcore.Playbook) -> None:
    leads: list[dict[str, Any]] = [
        {"id": f"L{i}", "firmographics": {"employees": [3, 20, 80, None][i % 4], "region": "EMEA"}}
        for i in range(12)
    ]
    one, many = seed.routing_state(), seed.routing_state()
    singles = [seed.route(one, lead, NOW) for lead in leads]
    assert seed.route_batch(many, leads, NOW) == singles
    assert one == many
    text = seed.route_batch(seed.routing_state(), leads, NOW, json=True)
    assert json.loads(text) == singles


def test_a_leads_table_routes_like_lead_dicts(seed: leadcore.Playbook) -> None:
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    columns: dict[str, list[Any]] = {
        "id": ["a", "b", "c", "d"],
        "employees": [5, 20, None, None],
        "region": [None, None, "EMEA", None],
    }
    dicts: list[dict[str, Any]] = [
        {"id": "a", "firmographics": {"employees": 5}},
        {"id": "b", "firmographics": {"employees": 20}},
        {"id": "c", "firmographics": {"region": "EMEA"}},
        {"id": "d"},
    ]
    want = seed.route_many(seed.routing_state(), dicts, NOW)
    assert want["assignee"].tolist() == ["A", "B", "D", "unassigned"]
    assert want["assignee_kind"].tolist() == ["rep", "rep", "rep", "queue"]
    assert want["rule"].tolist()[:3] == ["small", "mid", "emea"] and pd.isna(want["rule"].iloc[3])
    assert want["unassigned_code"].tolist()[3] == "no_rule_matched"
    assert want["unassigned_reason"].iloc[3] == "none of 5 rules matched"
    for table in (columns, pd.DataFrame(columns), pa.table(columns), pl.DataFrame(columns)):
        got = seed.route_many(seed.routing_state(), table, NOW)
        assert got.equals(want), type(table)
    with pytest.raises(leadcore.InputError, match="segment"):
        seed.route_many(seed.routing_state(), {"id": ["a"], "segment": ["x"]}, NOW)
    got = seed.route_many(seed.routing_state(), {"id": ["a"], "segment": ["x"]}, NOW, extra="custom")
    assert got["assignee"].tolist() == ["unassigned"]
