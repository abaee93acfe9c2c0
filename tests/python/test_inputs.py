"""Python inputs (issue 13, part 3): every form of an instant the door takes, times in event
columns as lists or arrays alike, and batches with no events where no rule needs them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import leadcore
from scoring_data import LEAD_A, LEAD_B, NOW, activities_b, worked_example_columns

LEADS = [LEAD_A, LEAD_B]
HINT = "naive datetime: give it a timezone, e.g. datetime(..., tzinfo=timezone.utc)"
NAIVE_NOW = NOW.replace(tzinfo=None)


@pytest.fixture(scope="module")
def pb() -> leadcore.Playbook:
    return leadcore.Playbook.default()


def test_bad_input_is_input_error() -> None:
    # The class the door raises for a bad value, as the error table maps it.
    assert leadcore.ERROR_CLASSES["input.invalid"] is leadcore.InputError


# Every accepted form of `now` (2026-03-03 09:00 UTC).
NOW_FORMS: list[Any] = [
    NOW,
    NOW.astimezone(timezone(timedelta(hours=-7))),
    pd.Timestamp(NOW),
    pd.Timestamp("2026-03-03 10:00", tz="Europe/Berlin"),
    np.datetime64(NAIVE_NOW, "ns"),
    np.datetime64(NAIVE_NOW, "us"),
    np.datetime64(NAIVE_NOW, "s"),
    np.datetime64("2026-03-03T09:00:00.000000000"),
    "2026-03-03T09:00:00Z",
    "2026-03-03T10:00:00+01:00",
]


@pytest.mark.parametrize("now", NOW_FORMS, ids=repr)
def test_now_forms_score_as_the_aware_datetime(pb: leadcore.Playbook, now: Any) -> None:
    cols = worked_example_columns()
    assert pb.score_columns(LEADS, cols, now).scores == pb.score_columns(LEADS, cols, NOW).scores
    assert pb.score(LEAD_B, activities_b(), now).scores == pb.score(LEAD_B, activities_b(), NOW).scores
    state = pb.start("lead", "L-1", now)
    assert state.entered_at == NOW


def test_datetime64_of_days_is_midnight_utc(pb: leadcore.Playbook) -> None:
    midnight = datetime(2026, 3, 3, tzinfo=timezone.utc)
    cols = worked_example_columns()
    want = pb.score_columns(LEADS, cols, midnight).scores
    assert pb.score_columns(LEADS, cols, np.datetime64("2026-03-03", "D")).scores == want
    assert pb.start("lead", "L-1", np.datetime64("2026-03-03", "D")).entered_at == midnight


def test_datetime64_keeps_sub_second_precision(pb: leadcore.Playbook) -> None:
    want = datetime(2026, 3, 3, 9, 0, 0, 123456, tzinfo=timezone.utc)
    for unit in ("ns", "us"):
        t = np.datetime64("2026-03-03T09:00:00.123456789", unit)
        assert pb.start("lead", "L-1", t).entered_at == want


@pytest.mark.parametrize("naive", [NAIVE_NOW, pd.Timestamp(NAIVE_NOW)], ids=repr)
def test_naive_times_are_refused_with_a_hint(pb: leadcore.Playbook, naive: Any) -> None:
    with pytest.raises(leadcore.InputError, match=HINT.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        pb.score_columns(LEADS, worked_example_columns(), naive)
    with pytest.raises(leadcore.InputError, match="naive datetime: give it a timezone"):
        pb.start("lead", "L-1", naive)
    with pytest.raises(leadcore.InputError, match="naive datetime: give it a timezone"):
        pb.score(LEAD_B, [{"kind": "email_opened", "at": naive}], NOW)


def test_naive_timestamp_hint_names_tz_localize(pb: leadcore.Playbook) -> None:
    with pytest.raises(leadcore.InputError, match="tz_localize"):
        pb.start("lead", "L-1", pd.Timestamp(NAIVE_NOW))


@pytest.mark.parametrize("nat", [np.datetime64("NaT"), np.datetime64("NaT", "ns"), pd.NaT], ids=repr)
def test_nat_is_no_time(pb: leadcore.Playbook, nat: Any) -> None:
    with pytest.raises(leadcore.InputError, match="NaT is not a time"):
        pb.start("lead", "L-1", nat)


def test_other_types_are_a_type_error(pb: leadcore.Playbook) -> None:
    with pytest.raises(TypeError, match="numpy.datetime64"):
        pb.start("lead", "L-1", 1772528400)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="numpy.datetime64"):
        pb.start("lead", "L-1", np.timedelta64(1, "s"))  # type: ignore[arg-type]


def test_period_bounds_take_every_form() -> None:
    # `period` of the analytics functions goes through the same conversion.
    leads = {"lead_id": ["L1", "L2"], "source": ["web", "event"]}
    hist = {"lead_id": ["L1", "L1", "L2"], "at": [1770000000, 1770500000, 1770100000], "stage": ["MQL", "SQL", "MQL"]}

    def funnel(period: Any) -> Any:
        return pa.table(leadcore.lead_metrics(leads, hist, period=period)["funnel"]).to_pylist()

    want = funnel((datetime(2026, 2, 1, tzinfo=timezone.utc), datetime(2026, 3, 1, tzinfo=timezone.utc)))
    assert funnel((np.datetime64("2026-02-01", "D"), np.datetime64("2026-03-01T00:00:00", "s"))) == want
    assert funnel((pd.Timestamp("2026-02-01", tz="UTC"), "2026-03-01T00:00:00Z")) == want
    with pytest.raises(leadcore.InputError, match=r"period\[0\]: naive datetime: give it a timezone"):
        funnel((datetime(2026, 2, 1), "2026-03-01T00:00:00Z"))


def test_activity_times_in_dicts_take_every_form(pb: leadcore.Playbook) -> None:
    want = pb.score(LEAD_B, activities_b(), NOW).scores
    for convert in (
        pd.Timestamp,
        lambda t: np.datetime64(t.replace(tzinfo=None), "s"),
        lambda t: t.isoformat(),
    ):
        acts = [dict(a, at=convert(a["at"])) for a in activities_b()]
        assert pb.score(LEAD_B, acts, NOW).scores == want


def _at_forms(seconds: list[int]) -> dict[str, Any]:
    return {
        "list of int": seconds,
        "list of numpy int64": [np.int64(s) for s in seconds],
        "int64 array": np.array(seconds, dtype="int64"),
        "int32 array": np.array(seconds, dtype="int32"),
        "series": pd.Series(seconds),
        "list of datetime": [datetime.fromtimestamp(s, timezone.utc) for s in seconds],
        "list of Timestamp": [pd.Timestamp(s, unit="s", tz="UTC") for s in seconds],
        "list of datetime64": [np.datetime64(s, "s") for s in seconds],
        "datetime64 array": np.array(seconds, dtype="datetime64[s]"),
        "list of RFC 3339": [datetime.fromtimestamp(s, timezone.utc).isoformat() for s in seconds],
    }


def test_event_times_as_lists_or_arrays_alike(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    want = pb.score_columns(LEADS, cols, NOW)
    for form, at in _at_forms(cols["at"]).items():
        got = pb.score_columns(LEADS, dict(cols, at=at), NOW)
        assert got.scores == want.scores, form
        assert got.row_errors == want.row_errors, form


@pytest.mark.filterwarnings("ignore::leadcore.LeadcoreWarning")  # a row without a time
def test_event_times_with_a_missing_one(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    secs: list[Any] = list(cols["at"])
    secs[0] = None
    want = pb.score_columns(LEADS, dict(cols, at=secs), NOW)
    assert [e["row"] for e in want.row_errors] == [0]
    numpy_ints: list[Any] = [None] + [np.int64(s) for s in secs[1:]]
    assert pb.score_columns(LEADS, dict(cols, at=numpy_ints), NOW).row_errors == want.row_errors


def test_float_times_are_still_refused(pb: leadcore.Playbook) -> None:
    cols = worked_example_columns()
    with pytest.raises(TypeError, match="row 0: expected Unix seconds"):
        pb.score_columns(LEADS, dict(cols, at=[float(s) for s in cols["at"]]), NOW)


def _fit_only() -> leadcore.Playbook:
    spec = json.loads(leadcore.Playbook.default().to_json())
    # `fit` (fit rules) and `lead` (a combination, which the lifecycle's guards name) of fit.
    models = [m for m in spec["scoring"]["models"] if m["name"] in ("fit", "lead")]
    for m in models:
        m["combine"] = [w for w in m.get("combine", []) if w["model"] == "fit"]
    spec["scoring"]["models"] = models
    return leadcore.Playbook.parse(json.dumps(spec), "json")


def test_events_none_for_a_fit_only_playbook() -> None:
    fit = _fit_only()
    no_events: dict[str, list[Any]] = {"lead_id": [], "kind": [], "at": []}
    want = fit.score_columns(LEADS, no_events, NOW)
    got = fit.score_columns(LEADS, None, NOW)
    assert got.scores == want.scores
    assert got.lead_ids == ["A", "B"]
    assert got.score("A", "fit") == fit.score(LEAD_A, [], NOW).scores["fit"]
    assert fit.score_columns(LEADS, events=None, now=NOW).scores == want.scores
    df = fit.score_many(LEADS, None, NOW)
    assert list(df.index) == ["A", "B"]
    assert list(df["score_fit"]) == [s[0] for s in want.scores]
    assert list(df["score_lead"]) == list(df["score_fit"])
    # A leads table with integer ids too.
    table = {"id": [7, 9], "employees": [120, 8]}
    assert fit.score_columns(table, None, NOW).scores == fit.score_columns(table, no_events, NOW).scores


def test_events_none_refused_where_a_rule_needs_them(pb: leadcore.Playbook) -> None:
    with pytest.raises(leadcore.InputError, match="behaviour rule `contact_form`"):
        pb.score_columns(LEADS, None, NOW)
    with pytest.raises(leadcore.InputError, match="leads and events are both None"):
        _fit_only().score_columns(None, None, NOW)


def test_history_times_as_lists_or_arrays_alike() -> None:
    """SLA statuses from a leads table (`created_at`), events and stage entries: every form
    of the time columns gives the statuses the aware datetimes give."""
    from test_sla import PLAYBOOK, T0

    pb = leadcore.Playbook.parse(PLAYBOOK, "yaml")
    n = 12
    created = [int((T0 + timedelta(minutes=11 * i)).timestamp()) for i in range(n)]
    leads = {"id": [f"L-{i}" for i in range(n)]}
    ev_ids = [f"L-{i}" for i in range(0, n, 2)]
    ev_at = [created[i] + 60 * (3 + i % 7) for i in range(0, n, 2)]
    st_ids = [f"L-{i}" for i in range(n)] + [f"L-{i}" for i in range(0, n, 3)]
    st_at = created + [created[i] + 200 * 60 for i in range(0, n, 3)]
    st_stage = ["MQL"] * n + ["SRL"] * len(range(0, n, 3))
    now = T0 + timedelta(hours=8)

    def statuses(created_at: Any, event_at: Any, stage_at: Any) -> list[dict[str, Any]]:
        table = pb.sla_status_many(
            dict(leads, created_at=created_at),
            now,
            events={"lead_id": ev_ids, "kind": ["call"] * len(ev_ids), "at": event_at},
            stages={"lead_id": st_ids, "at": stage_at, "stage": st_stage},
        )
        rows: list[dict[str, Any]] = pa.table(table).to_pylist()
        return rows

    aware = [_at_forms(c)["list of datetime"] for c in (created, ev_at, st_at)]
    want = statuses(*aware)
    assert {w["status"] for w in want} >= {"met", "breached"}
    for form in _at_forms([0]):
        if form == "list of RFC 3339":
            continue  # a leads column of text is text, not a time
        got = statuses(*(_at_forms(c)[form] for c in (created, ev_at, st_at)))
        assert got == want, form
