"""The exception hierarchy: one base, a class per error family, mapped from every core code."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import datetime

import pytest

import leadcore
from leadcore import _leadcore

BASES = (leadcore.LeadcoreError, leadcore.PlaybookError, leadcore.TransitionError, leadcore.ScoringError)


def test_every_core_code_maps_to_a_concrete_class() -> None:
    assert len(_leadcore.ERROR_CODES) == len(set(_leadcore.ERROR_CODES)) >= 11
    assert set(leadcore.ERROR_CLASSES) == set(leadcore.ERROR_CODES)
    for code in _leadcore.ERROR_CODES:
        cls = leadcore.ERROR_CLASSES[code]
        assert issubclass(cls, leadcore.LeadcoreError), code
        assert cls not in BASES, f"{code} maps to the base class {cls.__name__}"


def test_families() -> None:
    classes = leadcore.ERROR_CLASSES
    for code, base in [
        ("playbook.parse", leadcore.PlaybookError),
        ("playbook.invalid", leadcore.PlaybookError),
        ("lifecycle.not_allowed", leadcore.TransitionError),
        ("lifecycle.guard_failed", leadcore.TransitionError),
        ("lifecycle.reason_required", leadcore.TransitionError),
        ("lifecycle.invalid_reason", leadcore.TransitionError),
        ("lifecycle.time_went_backwards", leadcore.TransitionError),
        ("score.bad_event", leadcore.ScoringError),
        ("lifecycle.invalid_history", leadcore.InputError),
    ]:
        if code not in classes:  # a code this core build does not have yet
            continue
        assert issubclass(classes[code], base), code
    assert classes["lifecycle.reason_required"] is classes["lifecycle.invalid_reason"] is leadcore.ReasonError
    assert issubclass(leadcore.LeadcoreError, Exception)


def test_report_code_and_message(pb: leadcore.Playbook) -> None:
    with pytest.raises(leadcore.LeadcoreError) as e:
        pb.start("nope", "L-1", "2026-01-05T09:00:00Z")
    err = e.value
    assert type(err) is leadcore.UnknownPipelineError
    assert err.code == "lifecycle.unknown_pipeline"
    assert err.report == {"code": err.code, "message": str(err), "pipeline": "nope"}
    assert str(err) == "unknown pipeline `nope`"


def test_exceptions_pickle(pb: leadcore.Playbook) -> None:
    with pytest.raises(leadcore.UnknownStageError) as e:
        pb.next_stages("lead", "Nowhere")
    back = pickle.loads(pickle.dumps(e.value))
    assert type(back) is leadcore.UnknownStageError
    assert (back.code, back.stage, str(back)) == (e.value.code, "Nowhere", str(e.value))


def test_wrong_python_types_raise_type_error(pb: leadcore.Playbook) -> None:
    state = pb.start("lead", "L-1", "2026-01-05T09:00:00Z")
    calls: list[Callable[[], object]] = [
        lambda: leadcore.Playbook.parse(42),  # type: ignore[arg-type]
        lambda: leadcore.Playbook.parse("x", 1),  # type: ignore[arg-type]
        lambda: leadcore.Playbook.from_file(3.5),  # type: ignore[arg-type]
        lambda: pb.stages(None),  # type: ignore[arg-type]
        lambda: pb.start("lead", 7, "2026-01-05T09:00:00Z"),  # type: ignore[arg-type]
        lambda: pb.start("lead", "L-1", 1767603600),  # type: ignore[arg-type]
        lambda: pb.start("lead", "L-1", datetime(2026, 1, 5).date()),  # type: ignore[arg-type]
        lambda: pb.transition("state", "MQL", actor=("a", "marketing"), now="2026-01-05T09:00:00Z"),  # type: ignore[arg-type]
        lambda: pb.transition(state, "MQL", ("a", "marketing"), "2026-01-05T09:00:00Z"),  # type: ignore[misc]
        lambda: pb.transition(state, "MQL", actor=("a", "marketing"), now="2026-01-05T09:00:00Z", reason=3),  # type: ignore[arg-type]
        lambda: pb.transition(state, "MQL", actor=("a", "marketing"), now="2026-01-05T09:00:00Z", lead={"id": {1, 2}}),
        lambda: pb.replay("lead", "L-1", {1, 2}),  # type: ignore[arg-type]
        lambda: pb.funnel("lead", 5, "2026-01-05T09:00:00Z"),  # type: ignore[call-overload]
        lambda: state.dwell(None),  # type: ignore[arg-type]
    ]
    for i, call in enumerate(calls):
        with pytest.raises(TypeError):
            call()
            pytest.fail(f"call {i} did not raise")
    assert state.current == "Suspect"


def test_huge_numbers_are_input_errors(pb: leadcore.Playbook) -> None:
    state = pb.start("lead", "L-1", "2026-01-05T09:00:00Z")
    with pytest.raises(leadcore.InputError, match="out of range"):
        pb.transition(state, "MQL", actor=("a", "marketing"), now="2026-01-05T10:00:00Z", scores={"lead": 10**30})

