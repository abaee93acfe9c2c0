"""Batch results out as Arrow: a `BatchResult` is read by pyarrow, polars and pandas through
`__arrow_c_stream__` (no Python object per value); row errors too; and event tables may carry
`attrs.NAME` columns, which behaviour rules filter on."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore
from scoring_data import LEAD_A, LEAD_B, LEAD_C, NOW, worked_example_columns
from test_batch import EXPECTED, LEADS, with_bad_rows


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_pyarrow_reads_the_result(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, with_bad_rows(worked_example_columns()), NOW)
    table = pa.table(r)
    assert table.column_names == ["lead_id", "score_engagement", "score_fit", "grade_fit", "score_lead"]
    assert table.schema.field("score_fit").type == pa.float64()
    assert table.schema.field("grade_fit").type == pa.string()
    assert table["lead_id"].to_pylist() == ["A", "B", "C"]
    assert [table[f"score_{m}"].to_pylist() for m in r.models] == [list(c) for c in zip(*EXPECTED)]
    assert table["grade_fit"].to_pylist() == ["A", "D", "C"]
    # The same as score_many's DataFrame, column for column.
    df = pb.score_many(LEADS, with_bad_rows(worked_example_columns()), NOW)
    assert table.to_pandas().set_index("lead_id").equals(df)
    assert r.to_pandas().equals(df)
    arrow = r.to_arrow()
    assert isinstance(arrow, pa.Table) and arrow.equals(table)
    # Each call gives a fresh stream.
    assert pa.table(r).equals(pa.table(r))


def test_polars_and_pandas_read_the_result(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, worked_example_columns(), NOW)
    frame = pl.DataFrame(r)
    assert frame.columns == ["lead_id", "score_engagement", "score_fit", "grade_fit", "score_lead"]
    assert frame["score_engagement"].to_list() == [76.0, 19.0, 0.0]
    assert frame["grade_fit"].to_list() == ["A", "D", "C"]
    assert pl.DataFrame(r.to_arrow()).equals(frame)
    assert r.to_polars().equals(frame)
    df = pd.DataFrame.from_arrow(r)
    assert df["score_lead"].tolist() == [126.0, 19.0, 10.0]


def test_row_errors_as_arrow(pb: leadcore.Playbook) -> None:
    with pytest.warns(leadcore.LeadcoreWarning):
        r = pb.score_columns(LEADS, with_bad_rows(worked_example_columns()), NOW)
    errors = r.errors.to_arrow()
    assert errors.column_names == ["row", "reason", "message"]
    assert errors.schema.field("row").type == pa.uint64()
    assert errors.to_pylist() == r.row_errors
    assert r.errors.to_polars()["reason"].to_list() == ["unknown_lead", "in_future"]
    empty = pb.score_columns(LEADS, worked_example_columns(), NOW).errors
    assert empty.num_rows == 0 and pa.table(empty).num_rows == 0


def test_empty_result(pb: leadcore.Playbook) -> None:
    r = pb.score_columns([], {"lead_id": [], "kind": [], "at": []}, NOW)
    table = pa.table(r)
    assert table.num_rows == 0 and "score_fit" in table.column_names


ATTRS_PLAYBOOK = """
schema_version: 1
lifecycle: {name: lead, initial: New, stages: [{name: New}]}
scoring:
  models:
    - name: engagement
      rules:
        - {type: behaviour, name: gold, activity: email_opened, points: 5,
           filters: [{attr: attrs.tier, op: eq, value: gold}]}
        - {type: behaviour, name: long, activity: web_visit, points: 7,
           filters: [{attr: attrs.depth, op: ge, value: 3}]}
"""


def test_attrs_columns(pb: leadcore.Playbook) -> None:
    scoring = leadcore.Playbook.parse(ATTRS_PLAYBOOK)
    t = int(NOW.timestamp()) - 3600
    events = {
        "lead_id": ["A", "A", "B", "B", "C"],
        "kind": ["email_opened", "web_visit", "email_opened", "web_visit", "email_opened"],
        "at": [t] * 5,
        "attrs.tier": ["gold", None, "silver", None, None],
        "attrs.depth": [None, 4, None, 2.5, None],
    }
    want = [[12.0], [0.0], [0.0]]
    leads = [LEAD_A, LEAD_B, LEAD_C]
    assert scoring.score_columns(leads, events, NOW).scores == want
    assert scoring.score_columns(leads, pa.table(events), NOW).scores == want
    assert scoring.score_columns(leads, pl.DataFrame(events, strict=False), NOW).scores == want
    per_lead = [
        scoring.score(LEAD_A, [
            {"kind": "email_opened", "at": NOW.replace(hour=NOW.hour - 1), "attrs": {"tier": "gold"}},
            {"kind": "web_visit", "at": NOW.replace(hour=NOW.hour - 1), "attrs": {"depth": 4}},
        ], NOW).score("engagement"),
    ]
    assert per_lead == [12.0]
    with pytest.raises(leadcore.InputError, match="unknown event column `tier`"):
        scoring.score_columns(leads, {**events, "tier": events["attrs.tier"]}, NOW)
    with pytest.raises(TypeError, match="events column `attrs.tier` row 1"):
        scoring.score_columns(leads, {**events, "attrs.tier": ["gold", 3, None, None, None]}, NOW)
