"""Results out as tables a data scientist uses directly: every batch result converts with
`to_arrow()`, `to_pandas()` (indexed by the lead id) and `to_polars()`; dropped event rows
are an `errors` table and one `LeadcoreWarning`; explanations are a tidy long table; the id
column has one name in and out (`lead_id`, or the caller's); long batches report progress;
notebooks render results as HTML."""

from __future__ import annotations

import sys
import warnings
from datetime import datetime, timezone

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import leadcore
from scoring_data import LEAD_A, NOW, worked_example_columns
from test_batch import EXPECTED, LEADS, with_bad_rows


def test_one_warning_names_each_reason_and_the_errors_table(pb: leadcore.Playbook) -> None:
    cols = with_bad_rows(worked_example_columns())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = pb.score_columns(LEADS, cols, NOW)
    assert len(caught) == 1
    w = caught[0]
    assert issubclass(w.category, leadcore.LeadcoreWarning) and issubclass(w.category, UserWarning)
    assert str(w.message) == (
        "2 of 16 event rows not counted (1 in_future, 1 unknown_lead); they are in the "
        "`errors` table of Playbook.score_columns' result"
    )
    assert w.filename == __file__  # points at the caller's line
    errors = r.errors.to_pandas(index=False)
    assert errors.to_dict("records") == r.row_errors
    assert list(errors.columns) == ["row", "reason", "message"]
    # No warning when every row counts.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean = pb.score_columns(LEADS, worked_example_columns(), NOW)
    assert clean.errors.num_rows == 0


def test_conversions_agree(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, worked_example_columns(), NOW)
    arrow = r.to_arrow()
    assert isinstance(arrow, pa.Table) and arrow.equals(pa.table(r))
    df = r.to_pandas()
    assert df.index.name == "lead_id" and df.index.tolist() == ["A", "B", "C"]
    assert df.loc["C", "score_fit"] == 10.0
    assert r.to_pandas(index=False).equals(arrow.to_pandas())
    arrow_backed = r.to_pandas(arrow_dtypes=True)
    assert isinstance(arrow_backed["score_lead"].dtype, pd.ArrowDtype)
    assert arrow_backed["score_lead"].tolist() == [row[2] for row in EXPECTED]
    frame = r.to_polars()
    assert isinstance(frame, pl.DataFrame) and frame.equals(pl.DataFrame(arrow))


def test_every_arrow_table_converts(pb: leadcore.Playbook) -> None:
    table = pb.route_columns(pb.routing_state(), {"lead_id": ["L1", "L2"]}, NOW)
    assert table.index_columns == ["lead_id"]
    df = table.to_pandas()
    assert df.index.tolist() == ["L1", "L2"]
    assert table.to_arrow().equals(pa.table(table))
    assert table.to_polars().columns == table.column_names


def test_conversions_name_the_extra_when_a_library_is_missing(
    pb: leadcore.Playbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = pb.score_columns(LEADS, worked_example_columns(), NOW)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r'needs pyarrow: pip install "leadcore\[pyarrow\]"'):
        r.to_arrow()
    with pytest.raises(ImportError, match=r"needs pyarrow"):
        r.to_pandas()
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r'needs polars: pip install "leadcore\[polars\]"'):
        r.to_polars()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r'needs pandas: pip install "leadcore\[pandas\]"'):
        pb.score_many(LEADS, worked_example_columns(), NOW)


def test_explanations_are_tidy(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, worked_example_columns(), NOW, explain=True)
    tidy = r.explanations.to_pandas()
    assert list(tidy.columns) == [
        "lead_id", "model", "rule", "kind", "events", "raw_points", "decay_factor", "cap", "points",
    ]
    assert set(tidy["kind"]) <= {"behaviour", "fit", "group_cap", "combined", "model_cap", "model_floor"}
    # A model's points add up to its score, lead by lead (the cards are the per-lead ones).
    sums = tidy.groupby(["lead_id", "model"])["points"].sum()
    for lead, card in zip("ABC", r.cards):
        for model in card.models:
            assert sums[(lead, model["model"])] == pytest.approx(model["score"], abs=1e-9)
    # A behaviour rule line: events counted, raw points, no decay in the default playbook.
    a = tidy[(tidy["lead_id"] == "A") & (tidy["kind"] == "behaviour") & (tidy["events"] > 0)]
    assert len(a) > 0
    assert (a["decay_factor"] == 1.0).all()
    assert (a["points"] == a["raw_points"] + a["cap"]).all()


def test_a_capped_rule_shows_its_cap() -> None:
    pb = leadcore.Playbook.parse(
        """
schema_version: 1
name: capped
lifecycle: {name: lead, initial: S, stages: [{name: S}], transitions: []}
scoring:
  models:
    - name: engagement
      rules:
        - {type: behaviour, name: opens, activity: email_opened, points: 5, max_points: 12}
"""
    )
    events = {"lead_id": ["A"] * 4, "kind": ["email_opened"] * 4, "at": [NOW] * 4}
    r = pb.score_columns([{"id": "A"}], events, NOW, explain=True)
    rows = r.explanations.to_arrow().to_pylist()
    assert rows == [{
        "lead_id": "A", "model": "engagement", "rule": "opens", "kind": "behaviour", "events": 4,
        "raw_points": 20.0, "decay_factor": 1.0, "cap": -8.0, "points": 12.0,
    }]


def test_id_column_is_one_name_in_and_out(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    # A leads table keyed by `lead_id`, like the events and the result.
    leads = pa.table({"lead_id": ["A", "B", "C"]})
    by_lead_id = pb.score_columns(leads, cols, NOW)
    assert by_lead_id.lead_ids == ["A", "B", "C"]
    assert by_lead_id.scores == pb.score_columns(pa.table({"id": ["A", "B", "C"]}), cols, NOW).scores
    # The caller's own name, everywhere.
    ev = {("customer" if k == "lead_id" else k): v for k, v in cols.items()}
    got = pb.score_columns({"customer": ["A", "B", "C"]}, ev, NOW, id_column="customer", explain=True)
    assert got.to_arrow().column_names[0] == "customer"
    assert got.to_pandas().index.name == "customer"
    assert got.explanations.column_names[0] == "customer"
    assert got.scores == pb.score_columns([{"id": l} for l in "ABC"], cols, NOW).scores
    df = pb.score_many({"customer": ["A"]}, {"customer": [], "kind": [], "at": []}, NOW, id_column="customer")
    assert df.index.name == "customer"
    with pytest.raises(leadcore.InputError, match="both the `id` and the `lead_id` column"):
        pb.score_columns({"id": ["A"], "lead_id": ["A"]}, cols, NOW)
    routed = pb.route_many(pb.routing_state(), {"customer": ["X"]}, NOW, id_column="customer")
    assert routed.index.name == "customer" and routed.index.tolist() == ["X"]


def test_progress_is_reported_and_can_stop_the_batch(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    big = {k: v * 85_000 for k, v in cols.items()}  # 1.1 M rows: over one chunk
    seen: list[tuple[int, int]] = []
    r = pb.score_columns(LEADS, big, NOW, progress=lambda done, total: seen.append((done, total)))
    assert r.scores == pb.score_columns(LEADS, big, NOW).scores
    assert len(seen) >= 3  # at the start, after the first chunk, ..., at the end
    assert all(t == seen[-1][1] for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] == seen[-1][1] > 0
    # With explain the explain pass is counted in the same total.
    seen.clear()
    small = {k: v * 10 for k, v in cols.items()}
    pb.score_columns(LEADS, small, NOW, explain=True, progress=lambda d, t: seen.append((d, t)))
    assert all(t == seen[-1][1] for _, t in seen) and seen[-1][0] == seen[-1][1]
    # An exception from the callback stops the batch and is raised.

    class Enough(Exception):
        pass

    def stop(done: int, total: int) -> None:
        if done > 0:
            raise Enough

    with pytest.raises(Enough):
        pb.score_columns(LEADS, big, NOW, progress=stop)
    with pytest.raises(TypeError, match="progress must be a callable"):
        pb.score_columns(LEADS, cols, NOW, progress=3)  # type: ignore[arg-type]


def test_integer_times_in_dicts(pb: leadcore.Playbook) -> None:
    at = int(datetime(2026, 3, 2, 9, tzinfo=timezone.utc).timestamp())
    by_int = pb.score({"id": "A", "created_at": at}, [{"kind": "email_opened", "at": at}], NOW)
    by_time = pb.score(
        {"id": "A", "created_at": "2026-03-02T09:00:00Z"},
        [{"kind": "email_opened", "at": "2026-03-02T09:00:00Z"}],
        NOW,
    )
    assert by_int == by_time
    with pytest.raises(leadcore.InputError, match="out of the range of times"):
        pb.score({"id": "A"}, [{"kind": "email_opened", "at": 10**18}], NOW)


def test_html_views(pb: leadcore.Playbook) -> None:
    r = pb.score_columns(LEADS, worked_example_columns(), NOW)
    html = r._repr_html_()
    assert "<table" in html and "<th>score_fit</th>" in html and "3 rows × 5 columns" in html
    card = pb.score(LEAD_A, [], NOW)
    page = card._repr_html_()
    assert "<table" in page and "fit" in page and "ScoreCard" in page
    table = pb.route_columns(pb.routing_state(), {"lead_id": ["<x>"]}, NOW)
    assert "&lt;x&gt;" in table._repr_html_()
