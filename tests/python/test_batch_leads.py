"""Batch scoring with `leads` as a table (a dict of columns, a pyarrow Table, a pandas or a
polars DataFrame): every row gives the lead its dict gives, so the scores, grades and
breakdowns are those of the dict path; wrong columns raise `InputError` naming them."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore
from scoring_data import LEAD_A, LEAD_B, LEAD_C, NOW, worked_example_columns

# The fixtures hold event rows that are not counted on purpose (each warns once).
pytestmark = pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")

# A fit rule on every kind of field a column can fill: built-in text, direction, counts and
# created_at, and custom bool, number, text, date and date-time fields.
PLAYBOOK = """
schema_version: 1
fields:
  vip: {type: bool}
  budget: {type: number}
  ratio: {type: number}
  plan: {type: text}
  renewal: {type: date}
  seen: {type: date_time}
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: engagement
      rules:
        - {type: behaviour, name: opens, activity: email_opened, points: 2}
        - {type: behaviour, name: pricing, activity: web_visit, points: 5,
           filters: [{attr: page, op: contains, value: pricing}]}
    - name: fit
      rules:
        - {type: fit, name: vip, field: vip, op: eq, value: true, points: 1}
        - {type: fit, name: budget, field: budget, op: ge, value: 1000, points: 2}
        - {type: fit, name: ratio, field: ratio, op: gt, value: 0.25, points: 4}
        - {type: fit, name: plan, field: plan, op: in, value: [pro, team], points: 8}
        - {type: fit, name: renewal, field: renewal, op: lt, value: "2026-06-01", points: 16}
        - {type: fit, name: seen, field: seen, op: ge, value: "2026-02-01T00:00:00Z", points: 32}
        - {type: fit, name: channel, field: channel, op: eq, value: webinar, points: 64}
        - {type: fit, name: inbound, field: direction, op: eq, value: inbound, points: 128}
        - {type: fit, name: big, field: employees, op: ge, value: 50, points: 256}
        - {type: fit, name: seats, field: users, op: exists, points: 512}
        - {type: fit, name: early, field: created_at, op: lt, value: "2026-02-01T00:00:00Z", points: 1024}
        - {type: fit, name: email, field: email, op: contains, value: "@", points: 2048}
        - {type: fit, name: region, field: region, op: in, value: [EMEA], points: 4096}
      grades:
        - {grade: A, min: 4096}
        - {grade: B, max: 4096}
    - name: lead
      combine: [{model: engagement}, {model: fit}]
"""

UTC = timezone.utc
# The same four leads as flat rows (None: absent)...
ROWS: list[dict[str, Any]] = [
    {"id": "L1", "channel": "webinar", "direction": "inbound", "email": "a@x.io", "employees": 120,
     "users": 5, "region": "EMEA", "created_at": datetime(2026, 1, 10, 8, 30, tzinfo=UTC),
     "vip": True, "budget": 5000, "ratio": 0.5, "plan": "pro", "renewal": date(2026, 4, 1),
     "seen": datetime(2026, 2, 15, 12, 0, tzinfo=UTC)},
    {"id": "L2", "channel": "ads", "direction": "outbound", "email": None, "employees": 8,
     "users": None, "region": "NA", "created_at": datetime(2026, 2, 10, tzinfo=UTC),
     "vip": False, "budget": 10, "ratio": 0.125, "plan": "free", "renewal": date(2026, 9, 1),
     "seen": datetime(2026, 1, 2, tzinfo=UTC)},
    {"id": "L3", "channel": None, "direction": None, "email": "c@y.io", "employees": None,
     "users": 0, "region": None, "created_at": None,
     "vip": None, "budget": None, "ratio": None, "plan": "team", "renewal": None, "seen": None},
    {"id": "L4", "channel": "webinar", "direction": "inbound", "email": None, "employees": 50,
     "users": 40, "region": "EMEA", "created_at": datetime(2025, 12, 1, tzinfo=UTC),
     "vip": True, "budget": 1000, "ratio": 1.0, "plan": None, "renewal": date(2026, 1, 1),
     "seen": None},
]
BUILTIN = {
    "channel": "source", "campaign": "source", "direction": "source",
    "first_name": "contact", "last_name": "contact", "email": "contact", "phone": "contact",
    "company": "contact", "employees": "firmographics", "users": "firmographics",
    "region": "firmographics", "industry": "firmographics", "title": "firmographics",
}


def lead_dict(row: dict[str, Any]) -> dict[str, Any]:
    """...and as the dicts of the core's shape."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if v is None:
            continue
        if k in BUILTIN:
            out.setdefault(BUILTIN[k], {})[k] = v
        elif k in ("id", "owner", "account_id", "created_at"):
            out[k] = v
        else:
            out.setdefault("custom", {})[k] = v
    return out


def columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {k: [r[k] for r in rows] for k in rows[0]}


def events() -> dict[str, list[Any]]:
    t = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
    rows = [("L1", "email_opened", None), ("L1", "web_visit", "/pricing"), ("L3", "email_opened", None),
            ("L4", "web_visit", "/blog"), ("L2", "email_opened", None), ("ghost", "email_opened", None)]
    return {"lead_id": [r[0] for r in rows], "kind": [r[1] for r in rows], "at": [t] * len(rows),
            "page": [r[2] for r in rows]}


@pytest.fixture(scope="module")
def mixed() -> leadcore.Playbook:
    return leadcore.Playbook.parse(PLAYBOOK)


def tables() -> dict[str, Any]:
    """The rows as every kind of table."""
    cols = columns(ROWS)
    arrow = pa.table(cols)
    return {
        "dict of lists": cols,
        "dict of arrays": {k: pa.array(v) for k, v in cols.items()},
        "pyarrow": arrow,
        "pyarrow, categories and small ints": arrow.set_column(
            arrow.schema.get_field_index("region"), "region", arrow["region"].dictionary_encode()
        ).set_column(arrow.schema.get_field_index("users"), "users", arrow["users"].cast(pa.uint8())),
        "pyarrow, record batches": pa.Table.from_batches(arrow.to_batches(max_chunksize=3)),
        "pandas": pd.DataFrame(cols),
        "polars": pl.DataFrame(cols, strict=False),
    }


@pytest.mark.parametrize("kind", list(tables()))
def test_table_rows_are_the_dict_leads(mixed: leadcore.Playbook, kind: str) -> None:
    dicts = [lead_dict(r) for r in ROWS]
    want = mixed.score_columns(dicts, events(), NOW)
    # Every rule fires for some lead and not for another: the fields really arrive.
    assert [s[1] for s in want.scores] == [8191.0, 0.0, 2568.0, 6103.0]
    assert len(want.row_errors) == 1
    table = tables()[kind]
    got = mixed.score_columns(table, events(), NOW)
    assert got == want
    assert got.to_json() == want.to_json()
    frame = mixed.score_many(table, events(), NOW)
    assert frame.equals(mixed.score_many(dicts, events(), NOW))
    explained = mixed.score_columns(table, events(), NOW, explain=True)
    assert explained.cards == mixed.score_columns(dicts, events(), NOW, explain=True).cards
    # The explained breakdown of a table row is the per-lead card of its dict.
    ev = events()
    for i, (lead, row) in enumerate(zip(dicts, ROWS)):
        acts = [{"kind": k, "at": datetime.fromtimestamp(t, UTC), **({"page": p} if p else {})}
                for lid, k, t, p in zip(ev["lead_id"], ev["kind"], ev["at"], ev["page"]) if lid == row["id"]]
        card = mixed.score(lead, acts, NOW)
        assert explained.cards[i] == card
        assert frame["score_fit"].iloc[i] == card.score("fit")


def test_worked_example_leads_as_a_table(pb: leadcore.Playbook) -> None:
    dicts = [LEAD_A, LEAD_B, LEAD_C]
    want = pb.score_columns(dicts, worked_example_columns(), NOW)
    flat = {
        "id": ["A", "B", "C"],
        "employees": [120, 8, 30],
        "title": ["VP Sales", None, None],
        "users": [25, None, None],
        "budget": [5000000, None, None],
    }
    for table in (flat, pa.table(flat), pd.DataFrame(flat), pl.DataFrame(flat)):
        assert pb.score_columns(table, worked_example_columns(), NOW) == want
    # pandas holds an integer column with gaps as floats: whole floats are counts, NaN absent.
    df = pd.DataFrame(flat)
    assert df["users"].dtype == np.float64
    assert pb.score_columns(df, pd.DataFrame(worked_example_columns()), NOW) == want
    # A DataFrame's index is no lead field; numpy columns work as in events.
    indexed = df.set_index(pd.Index([9, 3, 5]))
    assert "__index_level_0__" in pa.Table.from_pandas(indexed).column_names
    assert pb.score_columns(indexed, worked_example_columns(), NOW) == want
    assert pb.score_columns({k: np.array(v) if k == "id" else v for k, v in flat.items()},
                            worked_example_columns(), NOW) == want


def test_time_columns(mixed: leadcore.Playbook) -> None:
    dicts = [lead_dict(r) for r in ROWS]
    want = mixed.score_columns(dicts, events(), NOW)
    cols = columns(ROWS)
    # created_at as RFC 3339 strings; dates/times as strings in a custom column are typed as
    # the dict path types them; naive timestamps in Arrow and numpy are UTC.
    as_text = dict(cols, created_at=[t.isoformat() if t else None for t in cols["created_at"]],
                   renewal=[d.isoformat() if d else None for d in cols["renewal"]])
    assert mixed.score_columns(as_text, events(), NOW) == want
    assert mixed.score_columns(pa.table(as_text), events(), NOW) == want
    naive = [t.replace(tzinfo=None) if t else None for t in cols["seen"]]
    assert mixed.score_columns(pa.table(dict(cols, seen=pa.array(naive, pa.timestamp("ns")))), events(), NOW) == want
    assert mixed.score_columns(dict(cols, seen=np.array(naive, dtype="datetime64[us]")), events(), NOW) == want
    stamps = pa.array(cols["created_at"], pa.timestamp("ms", tz="Europe/Paris"))
    assert mixed.score_columns(pa.table(dict(cols, created_at=stamps)), events(), NOW) == want


def test_empty_and_null_columns(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(pa.table({"id": pa.array([], pa.string())}), worked_example_columns(), NOW)
    assert r.lead_ids == [] and len(r.row_errors) == 13
    only_ids = pl.DataFrame({"id": ["A", "B", "C"], "note": [None, None, None]})
    with pytest.raises(leadcore.InputError, match="leads column `note` is not a lead field"):
        pb.score_columns(only_ids, worked_example_columns(), NOW)
    assert pb.score_columns(only_ids, worked_example_columns(), NOW, extra="custom") == pb.score_columns(
        [{"id": "A"}, {"id": "B"}, {"id": "C"}], worked_example_columns(), NOW
    )


def test_bad_tables(pb: leadcore.Playbook) -> None:
    ev = worked_example_columns()
    ids = ["A", "B", "C"]
    # Messages of a wrong value come from the core's field registry (`LeadTable::build`).
    cases: list[tuple[Any, str]] = [
        ({"id": ids, "blob": pa.array([b"x"] * 3)}, "leads column `blob` has Arrow type Binary"),
        (pa.table({"id": ids, "tags": [["a"], [], None]}), "leads column `tags` has Arrow type List"),
        # Integer ids are taken (test_batch_int_ids.py); floats are not.
        (pa.table({"id": [1.0, 2.0, 3.0]}), "leads column `id` row 0: a number value cannot fill `id` (text)"),
        (pa.table({"id": ids, "email": [1, 2, 3]}), "leads column `email`"),
        (pa.table({"id": ids, "employees": ["many"] * 3}), "leads column `employees`"),
        (pa.table({"id": ids, "created_at": pa.array([date(2026, 1, 1)] * 3)}), "leads column `created_at`"),
        (pa.table({"id": ["A", None, "C"]}), "leads column `id` row 1: an id is required"),
        (pa.table({"id": ids, "direction": ["inbound", "sideways", None]}),
         "leads column `direction` row 1: expected `inbound` or `outbound`"),
        (pa.table({"id": ids, "employees": [1, -5, 2]}),
         "leads column `employees` row 1: -5 is not a whole number from 0"),
        (pa.table({"id": ids, "users": [1.5, 2.0, 3.0]}),
         "leads column `users` row 0: 1.5 is not a whole number from 0"),
        ({"id": ids, "created_at": ["2026-01-01T00:00:00Z", "soon", None]},
         "leads column `created_at` row 1: a text value cannot fill `created_at` (date_time)"),
        # A column that is no lead field (the closest one named), unless extra="custom".
        ({"id": ids, "Region": ["EMEA", None, None]},
         "leads column `Region` is not a lead field (did you mean `region`?)"),
        ({"id": ids, "employees": [1, 2]}, "leads: column `employees` has 2 rows, not 3"),
        ({"employees": [1, 2, 3]}, "leads: no `id` column"),
        (pa.Table.from_arrays([pa.array(ids), pa.array(ids)], names=["id", "id"]), "column `id` appears twice"),
    ]
    for table, message in cases:
        with pytest.raises(leadcore.InputError) as info:
            pb.score_columns(table, ev, NOW)
        assert message in str(info.value), (message, str(info.value))
    with pytest.raises(TypeError, match="leads must be a list of lead dicts, a dict of columns"):
        pb.score_columns("A,B,C", ev, NOW)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="leads column `id` must be a list"):
        pb.score_columns({"id": "A"}, ev, NOW)
    with pytest.raises(TypeError, match="leads column `x` row 1"):
        pb.score_columns({"id": ids, "x": [1, object(), 2]}, ev, NOW, extra="custom")
    # A list column holds values of one type (it becomes one Arrow array).
    with pytest.raises(TypeError, match="leads column `region` row 1: expected a str like the rows before"):
        pb.score_columns({"id": ids, "region": ["EMEA", 3, None]}, ev, NOW)
    with pytest.raises(TypeError, match="leads column `x` row 0"):
        pb.score_columns({"id": ids, "x": [{"a": 1}, None, None]}, ev, NOW, extra="custom")
    # NaN in a float column is an absent value.
    nan = pb.score_columns({"id": ids, "x": [float("nan"), 1.0, 2.0]}, ev, NOW, extra="custom")
    assert nan == pb.score_columns([{"id": "A"}, {"id": "B", "custom": {"x": 1.0}}, {"id": "C", "custom": {"x": 2.0}}], ev, NOW)
    with pytest.raises(ValueError, match="extra must be"):
        pb.score_columns({"id": ids}, ev, NOW, extra="keep")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="leads: expected a table of columns"):
        pb.score_columns(pa.array(ids), ev, NOW)


def test_duplicate_ids_as_with_dicts(pb: leadcore.Playbook) -> None:
    ev = worked_example_columns()
    with pytest.raises(leadcore.InputError) as from_dicts:
        pb.score_columns([{"id": "A"}, {"id": "A"}], ev, NOW)
    for table in ({"id": ["A", "A"]}, pa.table({"id": ["A", "A"]}), pd.DataFrame({"id": ["A", "A"]})):
        with pytest.raises(leadcore.InputError) as from_table:
            pb.score_columns(table, ev, NOW)
        assert str(from_table.value) == str(from_dicts.value)
        assert type(from_table.value) is type(from_dicts.value)
