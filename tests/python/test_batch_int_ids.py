"""Integer lead ids, taken as they are: an integer `lead_id` events column (pyarrow, polars,
pandas, numpy, a list of ints; any width) matches the lead whose id is that integer (an
integer `id` column of a leads table, or its decimal text), scores exactly as the same ids
written as strings, reports unknown ids as `unknown_lead` row errors naming them, and comes
back in the Arrow result's `lead_id` column in the type it came in. `leads=None` scores the
leads the events name."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore
from scoring_data import NOW, worked_example_columns
from test_batch import with_bad_rows

# The fixtures hold event rows that are not counted on purpose (each warns once).
pytestmark = pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")

# The worked example's leads A, B, C as integers; `ghost` (a row of `with_bad_rows`) as 999.
IDS = {"A": 101, "B": 202, "C": 303, "ghost": 999}
FIELDS: dict[str, list[Any]] = {
    "employees": [120, 8, 30],
    "title": ["VP Sales", None, None],
    "users": [25, None, None],
    "budget": [5000000, None, None],
}


def text_events() -> dict[str, list[Any]]:
    """The worked example with its bad rows, ids as decimal text."""
    cols = with_bad_rows(worked_example_columns())
    cols["lead_id"] = [str(IDS[i]) for i in cols["lead_id"]]
    return cols


def int_ids() -> list[int]:
    return [int(i) for i in text_events()["lead_id"]]


def text_leads() -> dict[str, list[Any]]:
    return {"id": ["101", "202", "303"], **FIELDS}


def int_leads() -> dict[str, list[Any]]:
    return {"id": [101, 202, 303], **FIELDS}


def events_pyarrow(ty: Any) -> Any:
    cols: dict[str, Any] = dict(text_events())
    cols["lead_id"] = pa.array(int_ids(), type=ty)
    return pa.table(cols)


EVENTS: dict[str, Callable[[], Any]] = {
    "pyarrow int64": lambda: events_pyarrow(pa.int64()),
    "pyarrow int32": lambda: events_pyarrow(pa.int32()),
    "pyarrow uint32": lambda: events_pyarrow(pa.uint32()),
    "polars Int64": lambda: pl.DataFrame({**text_events(), "lead_id": pl.Series(int_ids(), dtype=pl.Int64)}),
    "pandas int64": lambda: pd.DataFrame({**text_events(), "lead_id": np.array(int_ids(), dtype=np.int64)}),
    "numpy int64": lambda: {**text_events(), "lead_id": np.array(int_ids(), dtype=np.int64)},
    "numpy uint32": lambda: {**text_events(), "lead_id": np.array(int_ids(), dtype=np.uint32)},
    "list of ints": lambda: {**text_events(), "lead_id": int_ids()},
}

LEADS: dict[str, Callable[[], Any]] = {
    "dict of lists": int_leads,
    "pyarrow": lambda: pa.table(int_leads()),
    "polars": lambda: pl.DataFrame(int_leads()),
    "pandas": lambda: pd.DataFrame(int_leads()),
}


@pytest.fixture(scope="module")
def want(pb: leadcore.Playbook) -> leadcore.BatchResult:
    """The same events and leads with every id written as text."""
    return pb.score_columns(text_leads(), text_events(), NOW)


@pytest.mark.parametrize("events", EVENTS)
@pytest.mark.parametrize("leads", LEADS)
def test_int_ids_score_as_their_text(
    pb: leadcore.Playbook, want: leadcore.BatchResult, events: str, leads: str
) -> None:
    got = pb.score_columns(LEADS[leads](), EVENTS[events](), NOW)
    assert got.scores == want.scores == [[76.0, 50.0, 126.0], [19.0, 0.0, 19.0], [0.0, 10.0, 10.0]]
    assert got.grades == want.grades
    assert got.lead_ids == want.lead_ids == ["101", "202", "303"]
    assert got.row_errors == want.row_errors
    assert got.row_errors[0] == {"row": 13, "reason": "unknown_lead", "message": "no lead with id `999`"}


@pytest.mark.parametrize("events", EVENTS)
def test_ids_come_back_in_their_type(pb: leadcore.Playbook, events: str) -> None:
    for leads_type in (pa.int64(), pa.int32(), pa.uint32()):
        leads = pa.table({"id": pa.array([101, 202, 303], type=leads_type), **FIELDS})
        r = pb.score_columns(leads, EVENTS[events](), NOW)
        table = pa.table(r)
        # The leads table's `id` column, as it came.
        assert table.schema.field("lead_id").type == leads_type
        assert table["lead_id"].to_pylist() == [101, 202, 303]
        assert table["score_lead"].to_pylist() == [126.0, 19.0, 10.0]
        # ... and as the core's text for them, whatever their width.
        assert r.lead_ids == ["101", "202", "303"]
        assert r.score(202, "lead") == 19.0
        assert r.to_pandas().index.tolist() == [101, 202, 303]
    huge = pa.table({"id": pa.array([2**64 - 1, 202, 303], type=pa.uint64()), **FIELDS})
    assert pb.score_columns(huge, EVENTS[events](), NOW).lead_ids == [str(2**64 - 1), "202", "303"]
    frame = pl.DataFrame(pb.score_columns(pl.DataFrame(int_leads()), EVENTS[events](), NOW))
    assert frame.schema["lead_id"] == pl.Int64
    assert frame["lead_id"].to_list() == [101, 202, 303]
    df = pd.DataFrame.from_arrow(pb.score_columns(pd.DataFrame(int_leads()), EVENTS[events](), NOW))
    assert df["lead_id"].dtype == np.int64
    assert df["lead_id"].tolist() == [101, 202, 303]


def test_score_many_and_explain_with_int_ids(pb: leadcore.Playbook) -> None:
    want = pb.score_many(text_leads(), text_events(), NOW)
    got = pb.score_many(pa.table(int_leads()), EVENTS["pyarrow int64"](), NOW)
    assert got.index.tolist() == [101, 202, 303]
    assert got.index.dtype == np.int64
    assert got.reset_index(drop=True).equals(want.reset_index(drop=True))
    explained = pb.score_columns(pa.table(int_leads()), EVENTS["pyarrow int64"](), NOW, explain=True)
    tidy = pa.table(explained.explanations)
    assert tidy.schema.field("lead_id").type == pa.int64()
    assert set(tidy["lead_id"].to_pylist()) == {101, 202, 303}
    text = pb.score_columns(text_leads(), text_events(), NOW, explain=True)
    assert pa.table(text.explanations).drop(["lead_id"]).equals(tidy.drop(["lead_id"]))


def test_int_events_match_text_leads(pb: leadcore.Playbook, want: leadcore.BatchResult) -> None:
    # Lead dicts (ids are text) and a leads table of text ids match integer event ids.
    for leads in ([{"id": "101", "firmographics": {"employees": 120, "title": "VP Sales", "users": 25},
                    "custom": {"budget": 5000000}},
                   {"id": "202", "firmographics": {"employees": 8}},
                   {"id": "303", "firmographics": {"employees": 30}}],
                  pa.table(text_leads())):
        got = pb.score_columns(leads, EVENTS["polars Int64"](), NOW)
        assert got.scores == want.scores and got.row_errors == want.row_errors
        assert pa.table(got).schema.field("lead_id").type == pa.string()
    # A text id that is no integer's text ("0101") matches no integer.
    got = pb.score_columns([{"id": "0101"}], EVENTS["pyarrow int64"](), NOW)
    assert got.scores == [[0.0, 0.0, 0.0]]
    assert {e["message"] for e in got.row_errors if e["reason"] == "unknown_lead"} == {
        "no lead with id `101`", "no lead with id `202`", "no lead with id `999`"}


def test_result_lookup_by_int(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(int_leads(), EVENTS["pyarrow int64"](), NOW)
    assert r.score(101, "engagement") == r.score("101", "engagement") == 76.0
    with pytest.raises(leadcore.InputError, match="no lead with id `7`"):
        r.score(7, "engagement")
    with pytest.raises(TypeError):
        r.score(1.5, "engagement")  # type: ignore[arg-type]


def test_null_and_wide_ids(pb: leadcore.Playbook) -> None:
    ids: list[int | None] = list(int_ids())
    ids[0] = None
    events = pa.table({**text_events(), "lead_id": pa.array(ids, type=pa.int64())})
    got = pb.score_columns(int_leads(), events, NOW)
    assert got.row_errors[0] == {"row": 0, "reason": "unknown_lead", "message": "the event has no lead id"}
    # Ids far apart (a hash table rather than a table indexed by id) and beyond 2^63 - 1.
    big = {101: 2**62, 202: -(2**62), 303: 7, 999: 123}
    events = pa.table({**text_events(), "lead_id": pa.array([big[i] for i in int_ids()], type=pa.int64())})
    leads = pa.table({"id": pa.array([2**62, -(2**62), 7], type=pa.int64()), **FIELDS})
    got = pb.score_columns(leads, events, NOW)
    assert got.scores == [[76.0, 50.0, 126.0], [19.0, 0.0, 19.0], [0.0, 10.0, 10.0]]
    assert got.lead_ids == [str(2**62), str(-(2**62)), "7"]
    huge = [2**64 - 1 if i == 101 else i for i in int_ids()]
    events = pa.table({**text_events(), "lead_id": pa.array(huge, type=pa.uint64())})
    got = pb.score_columns([{"id": str(2**64 - 1)}], events, NOW)
    assert got.scores[0] == [76.0, 0.0, 76.0]
    assert pa.table(got)["lead_id"].type == pa.string()


def test_duplicate_int_ids_are_refused(pb: leadcore.Playbook) -> None:
    with pytest.raises(leadcore.InputError, match="lead ids are not unique"):
        pb.score_columns({"id": [101, 202, 101]}, EVENTS["pyarrow int64"](), NOW)


@pytest.mark.parametrize("events", ["pyarrow int64", "polars Int64", "pandas int64", "numpy int64"])
def test_no_leads_table(pb: leadcore.Playbook, events: str) -> None:
    # Every distinct id the events name is a lead (no fields), in order of first appearance.
    got = pb.score_columns(None, EVENTS[events](), NOW)
    assert got.lead_ids == ["101", "202", "999"]
    table = pa.table(got)
    assert table.schema.field("lead_id").type == pa.int64()
    assert table["lead_id"].to_pylist() == [101, 202, 999]
    want = pb.score_columns([{"id": "101"}, {"id": "202"}, {"id": "999"}], text_events(), NOW)
    assert got.scores == want.scores
    assert got.row_errors == want.row_errors == [
        {"row": 14, "reason": "in_future", "message": want.row_errors[0]["message"]}]
    df = pb.score_many(None, EVENTS[events](), NOW)
    assert df.index.tolist() == [101, 202, 999]
    # Text ids too.
    text = pb.score_columns(None, text_events(), NOW)
    assert text.lead_ids == ["101", "202", "999"] and text.scores == want.scores
    assert pa.table(text)["lead_id"].type == pa.string()


def test_threads_give_the_same_bits(pb: leadcore.Playbook) -> None:
    """200,000 events (over the size one thread keeps to itself) on 1, 2 and 3 threads."""
    rng = np.random.default_rng(7)
    n = 200_000
    kinds = ["web_visit", "email_opened", "email_clicked", "form_submitted", "trial_signup"]
    events = pa.table(
        {
            "lead_id": pa.array(rng.integers(0, 5_000, n), type=pa.int64()),
            "kind": pa.array(rng.choice(kinds, n)),
            "at": pa.array(int(NOW.timestamp()) - rng.integers(0, 90 * 86_400, n), type=pa.int64()),
            "page": pa.array(rng.choice(["/pricing", "/blog/a", "/docs"], n)),
        }
    )
    one = pb.score_columns(None, events, NOW)
    for threads in (2, 3):
        got = pb.score_columns(None, events, NOW, threads=threads)
        assert got.scores == one.scores
        assert got.lead_ids == one.lead_ids
    assert any(s[0] > 0 for s in one.scores)
