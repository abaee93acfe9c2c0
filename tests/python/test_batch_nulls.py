"""Every event row is either scored or reported: a row without a kind or a time is a row
error, whatever the source of the table (dict of lists, pandas, pyarrow, polars)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore

NOW = datetime(2026, 1, 2, tzinfo=timezone.utc)
T = 1767225600  # 2026-01-01T00:00:00Z
LEADS = [{"id": "A"}]


@pytest.fixture(scope="module")
def pb() -> leadcore.Playbook:
    return leadcore.Playbook.default()


def kind_tables() -> list[tuple[str, Any]]:
    kinds = [None, "email_opened"]
    return [
        ("dict of lists", {"lead_id": ["A", "A"], "kind": kinds, "at": [T, T]}),
        (
            "pandas category",
            pd.DataFrame(
                {"lead_id": ["A", "A"], "kind": pd.Categorical(kinds), "at": [T, T]}
            ),
        ),
        (
            "arrow dictionary",
            pa.table(
                {
                    "lead_id": ["A", "A"],
                    "kind": pa.array(kinds).dictionary_encode(),
                    "at": [T, T],
                }
            ),
        ),
        (
            "polars enum",
            pl.DataFrame(
                {
                    "lead_id": ["A", "A"],
                    "kind": pl.Series(kinds, dtype=pl.Enum(["email_opened"])),
                    "at": [T, T],
                }
            ),
        ),
    ]


@pytest.mark.parametrize(("source", "events"), kind_tables(), ids=[s for s, _ in kind_tables()])
def test_a_row_without_a_kind_is_a_row_error(
    pb: leadcore.Playbook, source: str, events: Any
) -> None:
    with pytest.warns(leadcore.LeadcoreWarning, match="1 of 2 event rows not counted \\(1 bad_value\\)"):
        r = pb.score_columns(LEADS, events, NOW)
    assert r.row_errors == [
        {"row": 0, "reason": "bad_value", "message": "the event has no kind"}
    ]
    assert r.scores == [[2.0, 0.0, 2.0]]


def test_a_row_without_a_time_is_a_row_error_not_a_failed_batch(pb: leadcore.Playbook) -> None:
    nat = pd.DataFrame(
        {
            "lead_id": ["A", "A"],
            "kind": ["email_opened", "email_opened"],
            "at": pd.to_datetime(["2026-01-01", None], utc=True),
        }
    )
    none = {"lead_id": ["A", "A"], "kind": ["email_opened"] * 2, "at": [T, None]}
    for events in (nat, none):
        with pytest.warns(leadcore.LeadcoreWarning, match="1 invalid_time"):
            df = pb.score_many(LEADS, events, NOW)
        with pytest.warns(leadcore.LeadcoreWarning):
            errors = pb.score_columns(LEADS, events, NOW).errors
        assert pa.table(errors).to_pylist() == [
            {"row": 1, "reason": "invalid_time", "message": "the event has no time"}
        ]
        assert df["score_engagement"].tolist() == [2.0]
