"""Batch scoring through Python: `score_columns` on a dict of lists, numpy arrays, pyarrow
tables and arrays (every Arrow string layout) and pandas DataFrames; `score_many` as a
DataFrame; per-row errors; the same scores as `Playbook.score`."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore
from scoring_data import (
    LEAD_A,
    LEAD_B,
    LEAD_C,
    NOW,
    activities_a,
    activities_b,
    worked_example_columns,
)

LEADS = [LEAD_A, LEAD_B, LEAD_C]
# What the batch gives for the worked example: A, B, C (no events) x engagement, fit, lead.
EXPECTED = [[76.0, 50.0, 126.0], [19.0, 0.0, 19.0], [0.0, 10.0, 10.0]]


def with_bad_rows(cols: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The worked example plus a row for an unknown lead, one in the future and one lacking
    the page a web-visit rule filters on (rows 13, 14, 15; the last is no error: a missing
    attribute is a null, which the filter does not match)."""
    out = {k: list(v) for k, v in cols.items()}
    t = out["at"][0]
    for lead_id, kind, at in [("ghost", "email_opened", t), ("A", "email_opened", t + 86400 * 400), ("B", "web_visit", t)]:
        for k in out:
            out[k].append(None)
        out["lead_id"][-1], out["kind"][-1], out["at"][-1] = lead_id, kind, at
    return out


def test_worked_example_from_lists(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, worked_example_columns(), NOW)
    assert r.models == ["engagement", "fit", "lead"]
    assert r.lead_ids == ["A", "B", "C"]
    assert r.scores == EXPECTED
    assert r.grades == [[None, "A", None], [None, "D", None], [None, "C", None]]
    assert r.row_errors == []
    assert r.score("A", "engagement") == 76.0 and r.score("B", "engagement") == 19.0
    assert len(r) == 3
    assert repr(r) == "BatchResult(leads=3, models=['engagement', 'fit', 'lead'], row_errors=0)"
    d = r.to_dict()
    assert json.loads(r.to_json()) == d
    assert d["scores"] == [x for row in EXPECTED for x in row]  # flat, lead-major (the JSON shape)
    assert r == pb.score_columns(LEADS, worked_example_columns(), NOW)
    with pytest.raises(leadcore.InputError):
        r.score("ghost", "engagement")
    with pytest.raises(leadcore.InputError):
        r.score("A", "nope")


def test_batch_equals_per_lead(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, worked_example_columns(), NOW)
    cards = [pb.score(LEAD_A, activities_a(), NOW), pb.score(LEAD_B, activities_b(), NOW), pb.score(LEAD_C, [], NOW)]
    assert r.scores == [[c.score(m) for m in r.models] for c in cards]
    assert r.grades == [[c.grade(m) for m in r.models] for c in cards]


def test_bad_rows_are_row_errors(pb: leadcore.Playbook) -> None:
    with pytest.warns(leadcore.LeadcoreWarning, match=r"2 of 16 event rows not counted \(1 in_future, 1 unknown_lead\)"):
        r = pb.score_columns(LEADS, with_bad_rows(worked_example_columns()), NOW)
    assert r.scores == EXPECTED  # the rest is scored
    errors = r.row_errors
    assert [(e["row"], e["reason"]) for e in errors] == [(13, "unknown_lead"), (14, "in_future")]
    assert errors[0]["message"] == "no lead with id `ghost`"


def test_unrepresentable_times_are_row_errors(pb: leadcore.Playbook) -> None:
    events = {"lead_id": ["A", "A", "A"], "kind": ["email_opened"] * 3, "at": [10**15, -(10**15), 1772442000]}
    with pytest.warns(leadcore.LeadcoreWarning, match="2 invalid_time"):
        r = pb.score_columns([LEAD_A], events, NOW, explain=True)
    assert [(e["row"], e["reason"]) for e in r.row_errors] == [(0, "invalid_time"), (1, "invalid_time")]
    assert r.score("A", "engagement") == 2.0
    assert r.cards[0].models == pb.score(
        LEAD_A, [{"kind": "email_opened", "at": "2026-03-02T09:00:00Z"}], NOW
    ).models
    with pytest.raises(leadcore.InputError, match="out of range"):
        pb.score_columns([LEAD_A], dict(events, at=[2**63, 0, 0]), NOW)


def test_whole_batch_errors(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    with pytest.raises(leadcore.InputError, match="lead ids are not unique"):
        pb.score_columns([LEAD_A, LEAD_A], cols, NOW)
    short = dict(cols, at=cols["at"][:-1])
    with pytest.raises(leadcore.InputError, match="event columns have different lengths"):
        pb.score_columns(LEADS, short, NOW)
    with pytest.raises(leadcore.InputError, match="unknown event column `leadid`"):
        pb.score_columns(LEADS, {**cols, "leadid": cols["lead_id"]}, NOW)
    del cols["at"]
    with pytest.raises(leadcore.InputError, match="no `at` column"):
        pb.score_columns(LEADS, cols, NOW)


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_times_in_the_at_column(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    as_datetimes = [datetime.fromtimestamp(t, timezone.utc) for t in cols["at"]]
    as_text = [d.strftime("%Y-%m-%dT%H:%M:%SZ") for d in as_datetimes]
    for at in (as_datetimes, as_text, tuple(cols["at"])):
        assert pb.score_columns(LEADS, dict(cols, at=at), NOW).scores == EXPECTED
    naive = [d.replace(tzinfo=None) for d in as_datetimes]
    with pytest.raises(leadcore.InputError, match="row 0: naive datetime"):
        pb.score_columns(LEADS, dict(cols, at=naive), NOW)
    r = pb.score_columns(LEADS, dict(cols, at=[cols["at"][0], None, *cols["at"][2:]]), NOW)
    assert {"row": 1, "reason": "invalid_time", "message": "the event has no time"} in r.row_errors
    with pytest.raises(TypeError, match="row 0"):
        pb.score_columns(LEADS, dict(cols, at=[float(t) for t in cols["at"]]), NOW)
    with pytest.raises(leadcore.InputError, match="naive datetime"):
        pb.score_columns(LEADS, cols, datetime(2026, 3, 3, 9))


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_wrong_types(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    bad: list[Callable[[], object]] = [
        lambda: pb.score_columns(LEADS, [cols], NOW),  # type: ignore[arg-type]
        lambda: pb.score_columns(LEADS, {1: cols["at"]}, NOW),  # type: ignore[dict-item]
        lambda: pb.score_columns(LEADS, dict(cols, kind=[1] * len(cols["kind"])), NOW),
        lambda: pb.score_columns(LEADS, dict(cols, kind="email_opened"), NOW),
        lambda: pb.score_columns(LEADS, dict(cols, seconds=["75"] * len(cols["at"])), NOW),
        lambda: pb.score_columns(LEAD_A, cols, NOW),  # a lead dict is no dict of columns
        lambda: pb.score_columns(LEADS, dict(cols, at=np.array(cols["at"], dtype="timedelta64[s]")), NOW),
        lambda: pb.score_columns(LEADS, pa.array([1, 2]), NOW),
        lambda: pb.score_columns(LEADS, pa.table(dict(cols, kind=[1] * len(cols["kind"]))), NOW),
        lambda: pb.score_columns(LEADS, pa.table(dict(cols, at=[float(t) for t in cols["at"]])), NOW),
    ]
    for i, call in enumerate(bad):
        with pytest.raises(TypeError):
            call()
            pytest.fail(f"call {i} did not raise")
    # A value `seconds` cannot hold is a bad_value row error, as in every path.
    r = pb.score_columns(LEADS, dict(cols, seconds=[1.5] * len(cols["at"])), NOW)
    assert r.row_errors and all(e["reason"] == "bad_value" for e in r.row_errors)


def test_numpy_columns(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    n = len(cols["at"])
    numpy_cols: dict[str, Any] = {
        "lead_id": np.array(cols["lead_id"]),
        "kind": np.array(cols["kind"], dtype=object),
        "at": np.array(cols["at"], dtype="int64"),
        "page": np.array(cols["page"], dtype=object),
        "seconds": np.array([np.nan if s is None else s for s in cols["seconds"]]),
        "campaign": np.array(cols["campaign"], dtype=object),
        "content_id": np.array(cols["content_id"], dtype=object),
    }
    assert pb.score_columns(LEADS, numpy_cols, NOW).scores == EXPECTED
    for unit in ("s", "ms", "ns"):
        numpy_cols["at"] = np.array(cols["at"], dtype="datetime64[s]").astype(f"datetime64[{unit}]")
        assert pb.score_columns(LEADS, numpy_cols, NOW).scores == EXPECTED
    numpy_cols["at"] = np.array([np.datetime64("NaT")] * n, dtype="datetime64[ns]")
    with pytest.raises(leadcore.InputError, match="NaT"):
        pb.score_columns(LEADS, numpy_cols, NOW)


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_pyarrow_tables_and_every_string_layout(pb: leadcore.Playbook) -> None:
    cols = with_bad_rows(worked_example_columns())
    want = pb.score_columns(LEADS, cols, NOW)
    table = pa.table(cols)  # utf8 strings, int64 times
    assert pb.score_columns(LEADS, table, NOW) == want
    assert pb.score_columns(LEADS, table.to_batches()[0], NOW) == want  # __arrow_c_array__
    layouts = [pa.large_string(), pa.string_view(), pa.dictionary(pa.int8(), pa.string())]
    for layout in layouts:
        typed = pa.table({k: pa.array(v, type=layout) if k not in ("at", "seconds") else v for k, v in cols.items()})
        assert pb.score_columns(LEADS, typed, NOW) == want, layout
    # Several chunks, each with its own dictionary; times as timestamps with a zone.
    stamps = pa.array(cols["at"], type=pa.int64()).cast(pa.timestamp("s")).cast(pa.timestamp("ms", tz="UTC"))
    mixed = pa.table(dict(cols, at=stamps, seconds=pa.array(cols["seconds"], type=pa.int32())))
    chunks = [mixed.slice(0, 7), mixed.slice(7)]
    chunked = pa.Table.from_batches(
        [b for c in chunks for b in c.to_batches()]
    ).combine_chunks()
    dict_chunks = pa.Table.from_batches(
        [pa.record_batch([c.column(i).combine_chunks().dictionary_encode() if mixed.schema.field(i).type == pa.string() else c.column(i).combine_chunks() for i in range(c.num_columns)], names=mixed.column_names) for c in chunks]
    )
    for t in (mixed, chunked, dict_chunks):
        assert pb.score_columns(LEADS, t, NOW) == want
    # A dict of Arrow columns (arrays and chunked arrays).
    assert pb.score_columns(LEADS, {k: dict_chunks.column(k) for k in cols}, NOW) == want
    assert pb.score_columns(LEADS, {k: pa.array(v) for k, v in cols.items()}, NOW) == want
    # A column that is no attribute is refused, naming the closest one; `attrs.NAME` is any.
    with pytest.raises(leadcore.InputError, match="unknown event column `pgae` \\(did you mean `page`\\?\\)"):
        pb.score_columns(LEADS, table.append_column("pgae", pa.array(["x"] * table.num_rows)), NOW)
    assert pb.score_columns(LEADS, table.append_column("attrs.email", pa.array(["x"] * table.num_rows)), NOW) == want


def test_empty_tables(pb: leadcore.Playbook) -> None:
    empty = {k: v[:0] for k, v in worked_example_columns().items()}
    want = pb.score_columns(LEADS, empty, NOW)
    assert want.scores == [[0.0, 50.0, 50.0], [0.0, 0.0, 0.0], [0.0, 10.0, 10.0]]
    schema = pa.schema([("lead_id", pa.string()), ("kind", pa.string()), ("at", pa.int64())])
    for table in (pa.table(empty), schema.empty_table(), pl.DataFrame(empty), pd.DataFrame(empty)):
        assert pb.score_columns(LEADS, table, NOW) == want


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_arrow_nulls(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    at = list(cols["at"])
    at[2] = None
    # A row without a time is a row error; the rest of the batch is scored.
    r = pb.score_columns(LEADS, pa.table(dict(cols, at=at)), NOW)
    assert {"row": 2, "reason": "invalid_time", "message": "the event has no time"} in r.row_errors
    seconds = [None if s is None else float(s) for s in cols["seconds"]]
    assert pb.score_columns(LEADS, pa.table(dict(cols, seconds=seconds)), NOW).scores == EXPECTED
    seconds[0] = 1.5
    r = pb.score_columns(LEADS, pa.table(dict(cols, seconds=seconds)), NOW)
    assert r.row_errors[0]["row"] == 0 and r.row_errors[0]["reason"] == "bad_value"
    big = pa.array([2**63] * len(at), type=pa.uint64())
    with pytest.raises(leadcore.InputError, match="`at`: a value is out of range"):
        pb.score_columns(LEADS, pa.table(dict(cols, at=big)), NOW)
    # A column of nulls only is a column with no values (Arrow type `null`).
    r = pb.score_columns(LEADS, pa.table(dict(cols, form_id=pa.nulls(len(at)))), NOW)
    assert r.scores == EXPECTED


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_pandas_data_frame(pb: leadcore.Playbook) -> None:
    cols = with_bad_rows(worked_example_columns())
    want = pb.score_columns(LEADS, cols, NOW)
    df = pd.DataFrame(cols)
    df["at"] = pd.to_datetime(df["at"], unit="s")  # datetime64, no zone: read as UTC
    assert str(df["at"].dtype).startswith("datetime64")
    assert pb.score_columns(LEADS, df, NOW) == want
    df["at"] = df["at"].dt.tz_localize("UTC").dt.tz_convert("America/Edmonton")
    assert pb.score_columns(LEADS, df, NOW) == want
    # Series in a dict, and integer times.
    assert pb.score_columns(LEADS, {k: pd.Series(v) for k, v in cols.items()}, NOW) == want
    assert pb.score_columns(LEADS, df.set_index("lead_id", drop=False), NOW) == want


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_polars_data_frame(pb: leadcore.Playbook) -> None:
    cols = with_bad_rows(worked_example_columns())
    want = pb.score_columns(LEADS, cols, NOW)
    df = pl.DataFrame(cols)  # strings as Arrow utf8_view
    assert pb.score_columns(LEADS, df, NOW) == want
    typed = df.with_columns(
        pl.from_epoch("at", time_unit="s").dt.replace_time_zone("UTC"),
        pl.col("kind").cast(pl.Categorical),  # a dictionary of utf8_view
        pl.col("lead_id").cast(pl.Enum(["A", "B", "C", "ghost"])),
    )
    assert pb.score_columns(LEADS, typed, NOW) == want
    assert pb.score_columns(LEADS, {k: typed[k] for k in typed.columns}, NOW) == want
    # polars exports all-null columns (`form_id` here, and `attrs.notes`) in a form arrow-rs
    # refuses; the door then reads the event columns one by one.
    assert df.schema["form_id"] == pl.Null
    assert pb.score_columns(LEADS, df.with_columns(pl.lit(None).alias("attrs.notes")), NOW) == want
    out = pb.score_many(LEADS, typed, NOW)
    assert out["score_engagement"].tolist() == [76.0, 19.0, 0.0]


def test_score_many(pb: leadcore.Playbook) -> None:
    with pytest.warns(leadcore.LeadcoreWarning, match="2 of 16 event rows not counted"):
        df = pb.score_many(LEADS, pd.DataFrame(with_bad_rows(worked_example_columns())), NOW)
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "lead_id"
    assert list(df.columns) == ["score_engagement", "score_fit", "grade_fit", "score_lead"]
    assert df.index.tolist() == ["A", "B", "C"]
    assert df["score_engagement"].tolist() == [76.0, 19.0, 0.0]
    assert df.loc["B", "score_engagement"] == 19.0
    assert df["grade_fit"].tolist() == ["A", "D", "C"]
    assert str(df["score_lead"].dtype) == "float64"
    # No row errors ride along in attrs (pandas deep-copies attrs on every operation).
    assert df.attrs == {}


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # bad rows on purpose
def test_explained_batch(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, with_bad_rows(worked_example_columns()), NOW, explain=True)
    cards = [pb.score(LEAD_A, activities_a(), NOW), pb.score(LEAD_B, activities_b(), NOW), pb.score(LEAD_C, [], NOW)]
    assert r.cards == cards
    # The tidy table: a model's points add up to its score, lead by lead.
    tidy = pa.table(r.explanations).to_pylist()
    for lead, card in zip("ABC", cards):
        for model in card.models:
            lines = [t for t in tidy if t["lead_id"] == lead and t["model"] == model["model"]]
            assert sum(t["points"] for t in lines) == pytest.approx(model["score"], abs=1e-9)
    empty = pb.score_columns([], {"lead_id": [], "kind": [], "at": []}, NOW, explain=True)
    assert empty.cards == [] and empty.explanations.num_rows == 0
    with pytest.raises(leadcore.InputError, match="without explain=True"):
        pb.score_columns(LEADS, worked_example_columns(), NOW).explanations


def test_score_many_without_pandas(pb: leadcore.Playbook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas"):
        pb.score_many(LEADS, worked_example_columns(), NOW)


def test_batches_in_threads(pb: leadcore.Playbook) -> None:
    """The batch runs with the GIL released; threads sharing one playbook agree."""
    cols = worked_example_columns()
    big = {k: v * 2000 for k, v in cols.items()}
    want = pb.score_columns(LEADS, pa.table(big), NOW).to_json()
    results: list[str] = []

    def work() -> None:
        results.append(pb.score_columns(LEADS, pa.table(big), NOW).to_json())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 4
