"""leadcore: a lead-management engine (Rust core, Python door).

Load a playbook, start records, move them through their pipeline's stages, and read funnels::

    from datetime import datetime, timezone
    import leadcore

    pb = leadcore.Playbook.default()
    now = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    state = pb.start("lead", "L-1", now)
    pb.transition(state, "MQL", actor=("mia", "marketing"), now=now, scores={"lead": 120})
    assert state.current == "MQL"

Every error is a :class:`LeadcoreError` with a stable ``.code`` and a ``.report`` dict; the
subclass tells the family (see ``ERROR_CLASSES``).
"""

from ._leadcore import (
    CORE_VERSION,
    ERROR_CLASSES,
    ERROR_CODES,
    GuardFailedError,
    InputError,
    LeadcoreError,
    LeadState,
    Playbook,
    PlaybookError,
    PlaybookParseError,
    PlaybookValidationError,
    ReasonError,
    TimeOrderError,
    TransitionError,
    TransitionNotAllowedError,
    UnknownPipelineError,
    UnknownStageError,
    VersionError,
    __version__,
)

__all__ = [
    "CORE_VERSION",
    "ERROR_CLASSES",
    "ERROR_CODES",
    "GuardFailedError",
    "InputError",
    "LeadState",
    "LeadcoreError",
    "Playbook",
    "PlaybookError",
    "PlaybookParseError",
    "PlaybookValidationError",
    "ReasonError",
    "TimeOrderError",
    "TransitionError",
    "TransitionNotAllowedError",
    "UnknownPipelineError",
    "UnknownStageError",
    "VersionError",
    "__version__",
]
