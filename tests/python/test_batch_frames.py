"""Events as a data scientist holds them score exactly as the same events in a plain pyarrow
table: pandas `Categorical`s (int8 and int16 codes, missing categories), nullable `Int64`,
`datetime64` with and without a zone (any unit), polars `Categorical` and `Enum` with nulls,
pyarrow dictionaries of any key width whose nulls hold any key, and int64 lead ids with a
leads table of one `id` column or none. A dictionary key outside its dictionary where a rule
reads it is an input error, as validation makes it; one no rule reads changes no score."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
KINDS = ["web_visit", "email_opened", "email_clicked", "trial_signup", "content_downloaded"]
# 200 pages, so pandas codes them as int16; the rules test "pricing" and "blog".
PAGES = ["/pricing", "/blog/a", "/docs"] + [f"/p{i}" for i in range(197)]
ROWS, LEADS = 4000, 60

pytestmark = pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")


def columns() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    page = rng.integers(0, len(PAGES), ROWS)
    page_missing = rng.random(ROWS) < 0.4
    seconds = rng.integers(0, 600, ROWS)
    seconds_missing = rng.random(ROWS) < 0.3
    return {
        "lead_id": rng.integers(1000, 1000 + LEADS, ROWS).astype(np.int64),
        "kind": rng.integers(0, len(KINDS), ROWS),
        "at": int(NOW.timestamp()) - rng.integers(0, 86_400 * 60, ROWS).astype(np.int64),
        "page": np.where(page_missing, -1, page),
        "seconds": np.where(seconds_missing, -1, seconds),
    }


def reference() -> pa.Table:
    c = columns()
    return pa.table(
        {
            "lead_id": pa.array(c["lead_id"]),
            "kind": pa.array([KINDS[k] for k in c["kind"]]),
            "at": pa.array(c["at"]),
            "page": pa.array([None if p < 0 else PAGES[p] for p in c["page"]]),
            "seconds": pa.array(c["seconds"], mask=c["seconds"] < 0),
        }
    )


def pandas_frame(at: Callable[[np.ndarray], Any] = lambda a: a) -> pd.DataFrame:
    c = columns()
    return pd.DataFrame(
        {
            "lead_id": c["lead_id"],
            "kind": pd.Categorical.from_codes(c["kind"].astype(np.int8), categories=KINDS),
            "at": at(c["at"]),
            "page": pd.Categorical.from_codes(c["page"], categories=PAGES),
            "seconds": pd.array(np.where(c["seconds"] < 0, None, c["seconds"]), dtype="Int64"),
        }
    )


def polars_frame(text: Callable[[list[str]], Any]) -> pl.DataFrame:
    ref = reference()
    return pl.DataFrame(
        {
            "lead_id": pl.Series(ref["lead_id"].to_numpy()),
            "kind": pl.Series(ref["kind"].to_pylist(), dtype=text(KINDS)),
            "at": pl.Series(ref["at"].to_numpy()),
            "page": pl.Series(ref["page"].to_pylist(), dtype=text(PAGES)),
            "seconds": pl.Series(ref["seconds"].to_pylist(), dtype=pl.Int64),
        }
    )


def arrow_dicts(key: pa.DataType, under_null: int) -> pa.Table:
    """pyarrow dictionaries with `key` keys (the 200 pages int16 for int8), each null of
    the page holding `under_null`."""
    c = columns()
    page_key = pa.int16() if key == pa.int8() else key
    page = pa.DictionaryArray.from_arrays(
        pa.array(np.where(c["page"] < 0, under_null, c["page"]), type=page_key, mask=c["page"] < 0),
        pa.array(PAGES),
    )
    kind = pa.DictionaryArray.from_arrays(pa.array(c["kind"], type=key), pa.array(KINDS))
    return reference().set_column(1, "kind", kind).set_column(3, "page", page)


def seconds_of(a: np.ndarray, unit: str) -> np.ndarray:
    return (a * {"s": 1, "ms": 1000, "us": 10**6, "ns": 10**9}[unit]).astype(f"datetime64[{unit}]")


EVENTS: dict[str, Callable[[], Any]] = {
    "pandas categorical (int8, int16 codes), nullable Int64": pandas_frame,
    "pandas datetime64[ns], naive": lambda: pandas_frame(lambda a: seconds_of(a, "ns")),
    "pandas datetime64[us], UTC": lambda: pandas_frame(
        lambda a: pd.Series(seconds_of(a, "us")).dt.tz_localize("UTC")
    ),
    "pandas datetime64[ns], Europe/Berlin": lambda: pandas_frame(
        lambda a: pd.Series(seconds_of(a, "ns")).dt.tz_localize("UTC").dt.tz_convert("Europe/Berlin")
    ),
    "pandas, strings as str": lambda: reference().to_pandas(),
    "polars categorical": lambda: polars_frame(lambda _: pl.Categorical),
    "polars enum": lambda: polars_frame(pl.Enum),
    "pyarrow dictionary int16, nulls hold -1": lambda: arrow_dicts(pa.int16(), -1),
    "pyarrow dictionary int8, nulls hold 5": lambda: arrow_dicts(pa.int8(), 5),
    "pyarrow dictionary int32, nulls hold 2": lambda: arrow_dicts(pa.int32(), 2),
    "pyarrow dictionary uint8, nulls hold 0": lambda: arrow_dicts(pa.uint8(), 0),
    "pyarrow dictionary uint16, nulls hold 199": lambda: arrow_dicts(pa.uint16(), 199),
}

LEAD_TABLES: dict[str, Callable[[], Any]] = {
    "pandas id column": lambda: pd.DataFrame({"id": np.arange(1000, 1000 + LEADS + 5, dtype=np.int64)}),
    "pyarrow id column": lambda: pa.table({"id": pa.array(np.arange(1000, 1000 + LEADS + 5))}),
    "no leads table": lambda: None,
}


def scores(pb: leadcore.Playbook, leads: Any, events: Any) -> pa.Table:
    out = pa.table(pb.score_columns(leads, events, NOW).to_arrow())
    return out.sort_by("lead_id")


@pytest.mark.parametrize("leads", LEAD_TABLES, ids=list(LEAD_TABLES))
@pytest.mark.parametrize("events", EVENTS, ids=list(EVENTS))
def test_events_as_held_score_as_a_plain_table(pb: leadcore.Playbook, events: str, leads: str) -> None:
    want = scores(pb, LEAD_TABLES[leads](), reference())
    got = scores(pb, LEAD_TABLES[leads](), EVENTS[events]())
    assert got.column_names == want.column_names
    for name in want.column_names:
        assert got[name].to_pylist() == want[name].to_pylist(), name
    # The rules read the pages: some lead has points of each page rule.
    assert any(s > 0 for s in want["score_engagement"].to_pylist())


def test_a_dictionary_key_outside_its_dictionary_is_an_input_error_where_a_rule_reads_it(
    pb: leadcore.Playbook,
) -> None:
    c = columns()
    keys = np.where(c["page"] < 0, 0, c["page"]).astype(np.int32)
    # web_visit rules filter on the page: there a key outside the dictionary is an error.
    read = int(np.flatnonzero(c["kind"] == KINDS.index("web_visit"))[0])
    keys[read] = len(PAGES) + 5
    page = pa.DictionaryArray.from_arrays(pa.array(keys), pa.array(PAGES), safe=False)
    events = reference().set_column(3, "page", page)
    message = f"`page` row {read}: code {len(PAGES) + 5} is outside its dictionary"
    with pytest.raises(leadcore.InputError, match=message):
        pb.score_columns(None, events, NOW)
    # Under a null the same key is no value, and fine.
    nulls = np.arange(ROWS) == read
    page = pa.DictionaryArray.from_arrays(pa.array(keys, mask=nulls), pa.array(PAGES), safe=False)
    pb.score_columns(None, reference().set_column(3, "page", page), NOW)
    # On an email_opened row no rule reads the page: the key changes no score and is not
    # looked at (the scores are those of a null there).
    keys[read] = 0
    unread = int(np.flatnonzero(c["kind"] == KINDS.index("email_opened"))[0])
    keys[unread] = len(PAGES) + 5
    page = pa.DictionaryArray.from_arrays(pa.array(keys), pa.array(PAGES), safe=False)
    got = pb.score_columns(None, reference().set_column(3, "page", page), NOW)
    nulls = np.arange(ROWS) == unread
    page = pa.DictionaryArray.from_arrays(pa.array(keys, mask=nulls), pa.array(PAGES), safe=False)
    assert got == pb.score_columns(None, reference().set_column(3, "page", page), NOW)


def test_pandas_categorical_ids_and_kinds_with_missing_values(pb: leadcore.Playbook) -> None:
    """Text lead ids and kinds as pandas categoricals with missing values (code -1): the
    same scores and row errors as the same strings with nulls in pyarrow."""
    ref = reference()
    ids: list[str | None] = [str(i) for i in ref["lead_id"].to_pylist()]
    ids[3] = None
    kinds = ref["kind"].to_pylist()
    kinds[5] = None
    plain = ref.set_column(0, "lead_id", pa.array(ids)).set_column(1, "kind", pa.array(kinds))
    frame = plain.to_pandas()
    for name in ("lead_id", "kind", "page"):
        frame[name] = frame[name].astype("category")
    assert frame["lead_id"].cat.codes.iloc[3] == -1
    leads = {"id": [str(i) for i in range(1000, 1000 + LEADS)]}
    want = pb.score_columns(leads, plain, NOW)
    got = pb.score_columns(leads, frame, NOW)
    assert got == want
    reasons = {e["row"]: e["reason"] for e in pa.table(got.errors).to_pylist()}
    assert reasons[3] == "unknown_lead" and reasons[5] == "bad_value"
