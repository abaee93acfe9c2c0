"""Routing assignments as Arrow (`Playbook.route_columns`): pyarrow, polars and pandas read
the table, it equals `route_batch`'s decisions and `route_many`'s DataFrame, and the
routing state changes exactly as with `route_batch` (and not at all on an error)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

import leadcore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

PLAYBOOK = """
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
routing:
  teams: [{id: emea}]
  queues: [{name: overflow}]
  reps:
    - {id: A, capacity: 2}
    - {id: B}
    - {id: D, team: emea, capacity: 1}
    - {id: E, team: emea}
  rules:
    - {name: small, when: {field: employees, op: lt, value: 10}, assign: {rep: A}, fallback: [{queue: overflow}]}
    - {name: mid, when: {field: employees, op: between, value: [10, 50]}, assign: {round_robin: {}}}
    - {name: emea, when: {field: region, op: in, value: [EMEA, DACH]}, assign: {least_busy: {pool: {team: emea}}}}
"""

COLUMNS = ["lead_id", "assignee_kind", "assignee", "rule", "unassigned_code", "unassigned_reason"]


@pytest.fixture(scope="module")
def pb() -> leadcore.Playbook:
    return leadcore.Playbook.parse(PLAYBOOK)


def leads_table(n: int = 40) -> dict[str, list[Any]]:
    return {
        "id": [f"L{i}" for i in range(n)],
        "employees": [[3, 20, 80, None][i % 4] for i in range(n)],
        "region": [["EMEA", None, "DACH", "US", None][i % 5] for i in range(n)],
    }


def decisions_as_rows(decisions: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    rows = []
    for d in decisions:
        kind, who = next(iter(d["assignee"].items()))
        u = d.get("unassigned")
        rows.append((d["lead_id"], kind, who, d.get("rule"), u and u["code"], u and u["message"]))
    return rows


def test_arrow_assignments_equal_the_decisions(pb: leadcore.Playbook) -> None:
    pa = pytest.importorskip("pyarrow")
    columns = leads_table()
    state = pb.routing_state()
    want = decisions_as_rows(pb.route_batch(state, columns, NOW))
    got_state = pb.routing_state()
    table = pb.route_columns(got_state, columns, NOW)
    assert got_state == state
    assert table.num_rows == len(want) and table.column_names == COLUMNS
    t = pa.table(table)
    assert t.schema.field("assignee").type == pa.dictionary(pa.uint32(), pa.string())
    assert t.schema.field("assignee_kind").type == pa.dictionary(pa.uint8(), pa.string())
    assert t.schema.field("lead_id").type == pa.string()
    rows = list(zip(*(t.column(c).to_pylist() for c in COLUMNS)))
    assert rows == want
    assert {r[4] for r in rows} >= {None, "no_rule_matched"}
    assert "overflow" in {r[2] for r in rows}


def test_polars_and_pandas_read_it(pb: leadcore.Playbook) -> None:
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    columns = leads_table()
    frame = pb.route_many(pb.routing_state(), columns, NOW).reset_index()
    table = pb.route_columns(pb.routing_state(), columns, NOW)
    p = pl.DataFrame(table)
    assert p.columns == COLUMNS and p.height == len(frame)
    for c in COLUMNS:
        assert p[c].to_list() == [None if pd.isna(v) else v for v in frame[c]]
    pa = pytest.importorskip("pyarrow")
    def via_pyarrow(t: Any) -> Any:
        return pa.table(t).to_pandas()

    readers: list[Any] = [via_pyarrow]
    if hasattr(pd.DataFrame, "from_arrow"):  # pandas 3 reads the Arrow C stream itself
        readers.append(getattr(pd.DataFrame, "from_arrow"))
    for read in readers:
        via = read(pb.route_columns(pb.routing_state(), columns, NOW))
        assert list(via.columns) == COLUMNS
        for c in COLUMNS:
            assert [None if pd.isna(v) else str(v) for v in via[c]] == [
                None if pd.isna(v) else v for v in frame[c]
            ]


def test_every_leads_table_gives_the_same_assignments(pb: leadcore.Playbook) -> None:
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    columns = leads_table()
    want = pa.table(pb.route_columns(pb.routing_state(), columns, NOW))
    dicts = [
        {"id": i, "firmographics": {"employees": e, "region": r}}
        for i, e, r in zip(columns["id"], columns["employees"], columns["region"])
    ]
    for leads in (dicts, pd.DataFrame(columns), pa.table(columns), pl.DataFrame(columns)):
        got = pa.table(pb.route_columns(pb.routing_state(), leads, NOW))
        assert got.equals(want)


def test_the_state_is_unchanged_on_an_error(pb: leadcore.Playbook) -> None:
    state = pb.routing_state()
    pb.route_columns(state, leads_table(3), NOW)
    before = state.to_json()
    with pytest.raises(leadcore.InputError):
        pb.route_columns(state, {"id": ["a"], "shoe_size": [3]}, NOW)
    assert state.to_json() == before
    empty = pb.route_columns(state, {"id": []}, NOW)
    assert empty.num_rows == 0 and empty.column_names == COLUMNS
