"""Type stubs of the compiled module `leadcore._leadcore` (checked by mypy.stubtest)."""

import os
from datetime import datetime
from typing import Any, Final, Iterable, Literal, TypeAlias, final

__all__ = [
    "__version__",
    "CORE_VERSION",
    "Playbook",
    "LeadState",
    "LeadcoreError",
    "PlaybookError",
    "PlaybookParseError",
    "PlaybookValidationError",
    "TransitionError",
    "GuardFailedError",
    "TransitionNotAllowedError",
    "ReasonError",
    "TimeOrderError",
    "ScoringError",
    "BadEventError",
    "UnknownPipelineError",
    "UnknownStageError",
    "VersionError",
    "InputError",
    "ERROR_CODES",
    "ERROR_CLASSES",
]

__version__: Final[str]
CORE_VERSION: Final[str]
ERROR_CODES: Final[tuple[str, ...]]
ERROR_CLASSES: Final[dict[str, type[LeadcoreError]]]

# A time: a timezone-aware datetime (any zone; converted to UTC) or an RFC 3339 string.
# A naive datetime raises InputError.
_Time: TypeAlias = datetime | str
# An actor: {"id": ..., "role": ...} or (id, role); role is one of
# "marketing", "sdr", "ae", "manager", "system".
_ActorLike: TypeAlias = dict[str, str] | tuple[str, str]
# A JSON object in the core's shape (times may also be given as aware datetimes).
_JsonObject: TypeAlias = dict[str, Any]

@final
class Playbook:
    """A validated, immutable playbook; safe to share across threads."""

    @classmethod
    def parse(cls, text: str, format: str = "yaml") -> Playbook: ...
    @classmethod
    def from_file(cls, path: str | os.PathLike[str], format: str | None = None) -> Playbook: ...
    @classmethod
    def default(cls) -> Playbook: ...
    def to_json(self) -> str: ...
    @staticmethod
    def json_schema() -> _JsonObject: ...
    @property
    def name(self) -> str: ...
    @property
    def pipelines(self) -> list[str]: ...
    def stages(self, pipeline: str) -> list[str]: ...
    def next_stages(self, pipeline: str, stage: str) -> list[str]: ...
    def start(self, pipeline: str, record_id: str, now: _Time) -> LeadState: ...
    def transition(
        self,
        state: LeadState,
        to: str,
        *,
        actor: _ActorLike,
        now: _Time,
        reason: str | None = None,
        lead: _JsonObject | None = None,
        opportunity: _JsonObject | None = None,
        activities: list[_JsonObject] | None = None,
        scores: dict[str, float] | None = None,
    ) -> _JsonObject: ...
    def transition_input(self, state: LeadState, input: _JsonObject | str) -> _JsonObject: ...
    def check(
        self,
        state: LeadState,
        to: str,
        *,
        actor: _ActorLike,
        now: _Time,
        reason: str | None = None,
        lead: _JsonObject | None = None,
        opportunity: _JsonObject | None = None,
        activities: list[_JsonObject] | None = None,
        scores: dict[str, float] | None = None,
    ) -> None: ...
    def replay(self, pipeline: str, record_id: str, history: list[_JsonObject]) -> LeadState: ...
    def funnel(self, pipeline: str, states: Iterable[LeadState], now: _Time) -> list[_JsonObject]: ...
    def __reduce__(self) -> tuple[Any, tuple[str, str]]: ...

@final
class LeadState:
    """One record's lifecycle state in one pipeline (plain data; mutated by transitions)."""

    @property
    def pipeline(self) -> str: ...
    @property
    def record_id(self) -> str: ...
    @property
    def current(self) -> str: ...
    @property
    def highest(self) -> str | None: ...
    @property
    def entered_at(self) -> datetime: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def history(self) -> list[_JsonObject]: ...
    def dwell(self, now: _Time) -> list[_JsonObject]: ...
    def to_json(self) -> str: ...
    @classmethod
    def from_json(cls, text: str) -> LeadState: ...
    def to_dict(self) -> _JsonObject: ...
    def copy(self) -> LeadState: ...
    def __copy__(self) -> LeadState: ...
    def __deepcopy__(self, memo: Any, /) -> LeadState: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

class LeadcoreError(Exception):
    """Base of every leadcore error."""

    code: str
    report: _JsonObject

class PlaybookError(LeadcoreError): ...

class PlaybookParseError(PlaybookError):
    format: str | None
    path: str | None
    line: int | None
    column: int | None

class PlaybookValidationError(PlaybookError):
    errors: list[_JsonObject]

class TransitionError(LeadcoreError): ...

class GuardFailedError(TransitionError):
    failed_guards: list[_JsonObject]
    from_stage: str | None
    to_stage: str | None

class TransitionNotAllowedError(TransitionError):
    from_stage: str | None
    to_stage: str | None
    why: Literal["undeclared", "back_move_forbidden", "from_terminal", "same_stage"] | None

class ReasonError(TransitionError):
    stage: str | None

class TimeOrderError(TransitionError): ...

class ScoringError(LeadcoreError): ...

class BadEventError(ScoringError):
    reason: str | None

class UnknownPipelineError(LeadcoreError):
    pipeline: str | None

class UnknownStageError(LeadcoreError):
    pipeline: str | None
    stage: str | None

class VersionError(LeadcoreError): ...
class InputError(LeadcoreError): ...
