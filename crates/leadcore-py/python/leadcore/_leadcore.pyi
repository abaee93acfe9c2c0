"""Type stubs of the compiled module `leadcore._leadcore` (checked by mypy.stubtest)."""

import os
from datetime import date, datetime, timedelta
from typing import (
    Any,
    Final,
    Iterable,
    Literal,
    Mapping,
    TYPE_CHECKING,
    Protocol,
    Sequence,
    TypeAlias,
    final,
    overload,
)

__all__ = [
    "__version__",
    "odoo_score",
    "LogisticModel",
    "pipeline_metrics",
    "pipeline_report",
    "forecast",
    "forecast_report",
    "forecast_history",
    "forecast_history_report",
    "backtest",
    "backtest_report",
    "forecast_rollup",
    "forecast_rollup_report",
    "bottlenecks",
    "lead_metrics",
    "bottleneck_report",
    "lead_report",
    "activity_report",
    "CORE_VERSION",
    "Playbook",
    "LeadState",
    "RoutingState",
    "ScoreCard",
    "ScoreState",
    "BatchResult",
    "ArrowTable",
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
    "InternalError",
    "InvalidHistoryError",
    "ERROR_CODES",
    "ERROR_CLASSES",
]

__version__: Final[str]
CORE_VERSION: Final[str]
ERROR_CODES: Final[tuple[str, ...]]
ERROR_CLASSES: Final[dict[str, type[LeadcoreError]]]

if TYPE_CHECKING:
    # numpy is optional: only its datetime64 type is named here.
    import numpy

# A time: a timezone-aware datetime or pandas.Timestamp (a datetime; any zone, converted to
# UTC), a numpy.datetime64 (any unit, read as UTC) or an RFC 3339 string. A naive datetime or
# Timestamp raises InputError with a hint ("naive datetime: give it a timezone, e.g.
# datetime(..., tzinfo=timezone.utc)"), NaT raises InputError, another type TypeError.
_Time: TypeAlias = datetime | str | numpy.datetime64
# An actor: {"id": ..., "role": ...} or (id, role); role is one of
# "marketing", "sdr", "ae", "manager", "system".
_ActorLike: TypeAlias = dict[str, str] | tuple[str, str]
# A JSON object in the core's shape (times may also be given as any _Time).
_JsonObject: TypeAlias = dict[str, Any]
# Batch events: a dict of columns (lists, tuples, numpy arrays, Arrow arrays, pandas or polars
# series) named lead_id, kind, at (required), page, seconds, campaign, form_id, content_id and
# attrs.NAME; or a table with __arrow_c_stream__ (pandas DataFrame, polars DataFrame, pyarrow
# Table). A misspelt column raises InputError naming the closest attribute.
class _ArrowStream(Protocol):
    def __arrow_c_stream__(self, requested_schema: Any = None, /) -> object: ...

class _ArrowArray(Protocol):
    def __arrow_c_array__(self, requested_schema: Any = None, /) -> tuple[object, object]: ...

_Events: TypeAlias = Mapping[str, Any] | _ArrowStream | _ArrowArray
# Batch leads: lead dicts in the core's shape, or a table of flat columns, one row per lead (a
# dict of columns as for events, or a pandas, polars or pyarrow table): `id` (required), any
# built-in field by its flat name (channel, campaign, direction, first_name, last_name, email,
# phone, company, employees, users, region, industry, title, owner, account_id, created_at),
# declared custom fields by name; any other column raises InputError unless extra="custom"
# keeps it as a custom field. Nulls are absent values.
_Leads: TypeAlias = Sequence[_JsonObject] | Mapping[str, Any] | _ArrowStream | _ArrowArray
# A prediction horizon: a timedelta or a number of days.
_Horizon: TypeAlias = timedelta | float

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
    def replay(
        self,
        pipeline: str,
        record_id: str,
        history: list[_JsonObject],
        *,
        trust_history: bool = False,
    ) -> LeadState: ...
    @overload
    def funnel(
        self, pipeline: str, states: Iterable[LeadState], now: _Time, *, json: Literal[False] = False
    ) -> list[_JsonObject]: ...
    @overload
    def funnel(
        self, pipeline: str, states: Iterable[LeadState], now: _Time, *, json: Literal[True]
    ) -> str: ...
    # Scoring.
    @property
    def scoring_models(self) -> list[str]: ...
    def score(
        self,
        lead: _JsonObject,
        activities: Sequence[_JsonObject],
        now: _Time,
        *,
        explain: bool = True,
    ) -> ScoreCard: ...
    def score_state(self, lead_id: str) -> ScoreState: ...
    def record(self, state: ScoreState, activity: _JsonObject, now: _Time) -> None: ...
    @overload
    def apply(
        self,
        state: ScoreState,
        lead: _JsonObject,
        activity: _JsonObject,
        now: _Time,
        *,
        json: Literal[False] = False,
    ) -> list[_JsonObject]: ...
    @overload
    def apply(
        self,
        state: ScoreState,
        lead: _JsonObject,
        activity: _JsonObject,
        now: _Time,
        *,
        json: Literal[True],
    ) -> str: ...
    @overload
    def check_thresholds(
        self, state: ScoreState, lead: _JsonObject, now: _Time, *, json: Literal[False] = False
    ) -> list[_JsonObject]: ...
    @overload
    def check_thresholds(
        self, state: ScoreState, lead: _JsonObject, now: _Time, *, json: Literal[True]
    ) -> str: ...
    def card(
        self, state: ScoreState, lead: _JsonObject, now: _Time, *, explain: bool = False
    ) -> ScoreCard: ...
    def predict_crossing(
        self,
        state: ScoreState,
        lead: _JsonObject,
        model: str,
        threshold: float,
        now: _Time,
        horizon: _Horizon,
    ) -> datetime | None: ...
    def score_columns(
        self,
        leads: _Leads | None,
        events: _Events | None,
        now: _Time,
        *,
        extra: Literal["error", "custom"] = "error",
        threads: int = 1,
    ) -> BatchResult:
        """Scores a batch of leads from event columns, with the GIL released.

        Parameters
        ----------
        leads : list of dict, table or None
            Lead dicts or a table of flat lead columns (`id`, built-in fields, declared
            custom fields); None scores the leads the events name.
        events : table or None
            A dict of columns or a pandas, polars or pyarrow table: `lead_id`, `kind`,
            `at`, optional attributes. `at` takes Unix seconds (ints), aware datetimes or
            pandas Timestamps, numpy.datetime64 values (UTC) or RFC 3339 strings, as a list,
            an array or a column alike. None when no model has a behaviour rule (fit rules
            and combinations only).
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The scoring instant: timezone-aware (any zone), a numpy.datetime64 of any unit
            (read as UTC) or RFC 3339 text.
        extra : {"error", "custom"}, default "error"
            What a leads column that is no known field does: raise, or become a custom field.
        threads : int, default 1
            Threads to score on (the same scores on any number).

        Returns
        -------
        BatchResult
            The scores and grades per lead and model, and the event rows not counted.

        Raises
        ------
        InputError
            A naive datetime (with a hint), NaT, a bad column, `events=None` with a
            behaviour rule, or `leads` and `events` both None.
        TypeError
            A value of no accepted type.
        """
    def score_many(
        self,
        leads: _Leads | None,
        events: _Events | None,
        now: _Time,
        *,
        explain: bool = False,
        extra: Literal["error", "custom"] = "error",
        threads: int = 1,
    ) -> Any:  # a pandas.DataFrame
        """`score_columns` as a pandas DataFrame, one row per lead.

        Parameters
        ----------
        leads, events, now, extra, threads
            As for `score_columns` (`events` may be None when no model has a behaviour
            rule; `now` a numpy.datetime64 is read as UTC).
        explain : bool, default False
            Whether to add the `breakdown` column (each lead's `ScoreCard.models`).

        Returns
        -------
        pandas.DataFrame
            `lead_id`, `score_<model>`, `grade_<model>` (models with grade bands) and, with
            `explain`, `breakdown`; event rows not counted in `df.attrs["row_errors"]`.
        """
    def routing_state(self) -> RoutingState:
        """A fresh routing state (no lead assigned yet)."""
    @overload
    def route(
        self,
        state: RoutingState,
        lead: _JsonObject,
        now: _Time,
        *,
        scores: Mapping[str, float] | None = None,
        json: Literal[False] = False,
    ) -> _JsonObject:
        """Routes one lead and records the assignment in `state` (unchanged on error); the
        decision as a dict: lead_id, at, assignee ({"rep": id} or {"queue": name}), rule,
        unassigned ({code, message}), trace, actions."""
    @overload
    def route(
        self,
        state: RoutingState,
        lead: _JsonObject,
        now: _Time,
        *,
        scores: Mapping[str, float] | None = None,
        json: Literal[True],
    ) -> str:
        """`route`, the decision as canonical JSON text."""
    @overload
    def route_batch(
        self,
        state: RoutingState,
        leads: _Leads,
        now: _Time,
        *,
        extra: Literal["error", "custom"] = "error",
        json: Literal[False] = False,
    ) -> list[_JsonObject]:
        """Routes many leads in order, as one `route` after another (GIL released); the
        decisions as dicts."""
    @overload
    def route_batch(
        self,
        state: RoutingState,
        leads: _Leads,
        now: _Time,
        *,
        extra: Literal["error", "custom"] = "error",
        json: Literal[True],
    ) -> str:
        """`route_batch`, the decisions as a canonical JSON array."""
    def route_many(
        self,
        state: RoutingState,
        leads: _Leads,
        now: _Time,
        *,
        extra: Literal["error", "custom"] = "error",
    ) -> Any:  # a pandas.DataFrame
        """`route_batch` as a pandas DataFrame: lead_id, assignee_kind ("rep"/"queue"),
        assignee, rule, unassigned_code, unassigned_reason."""
    def route_columns(
        self,
        state: RoutingState,
        leads: _Leads,
        now: _Time,
        *,
        extra: Literal["error", "custom"] = "error",
    ) -> ArrowTable:
        """`route_many` as an ArrowTable (pyarrow, polars, pandas read it): lead_id,
        assignee_kind, assignee, rule, unassigned_code (dictionary-encoded),
        unassigned_reason."""
    @overload
    def sla_status(
        self,
        lead: _JsonObject,
        now: _Time,
        *,
        activities: Sequence[_JsonObject] | None = None,
        stages: LeadState | Sequence[_JsonObject] | None = None,
        json: Literal[False] = False,
    ) -> list[_JsonObject]:
        """Every SLA policy's status for one lead at `now`: lead_id, policy, status
        (not_applicable, not_started, pending, due_soon, paused, met, breached), started_at,
        stopped_at, deadline, elapsed_seconds, remaining_seconds, next_change, escalation,
        actions."""
    @overload
    def sla_status(
        self,
        lead: _JsonObject,
        now: _Time,
        *,
        activities: Sequence[_JsonObject] | None = None,
        stages: LeadState | Sequence[_JsonObject] | None = None,
        json: Literal[True],
    ) -> str:
        """`sla_status`, the statuses as a canonical JSON array."""
    def sla_clocks(
        self,
        lead: _JsonObject,
        now: _Time,
        *,
        activities: Sequence[_JsonObject] | None = None,
        stages: LeadState | Sequence[_JsonObject] | None = None,
    ) -> list[_JsonObject]:
        """The lead's clock under every policy: policy, lead_id, applies, started_at,
        stopped_at, paused_seconds, paused_since, breached_at."""
    def sla_board(self, policy: str, clocks: Any, now: _Time) -> ArrowTable:
        """One policy's clocks (a table with started_at, and optionally stopped_at,
        paused_since, breached_at, paused_seconds, applies, lead_id) read at `now`: lead_id,
        status, deadline, elapsed_seconds, remaining_seconds, next_change, escalation."""
    def sla_status_many(
        self,
        leads: _Leads,
        now: _Time,
        *,
        events: Any = None,
        stages: Any = None,
        extra: Literal["error", "custom"] = "error",
    ) -> ArrowTable:
        """Every lead's status under every policy at `now` from a leads table, an events table
        (lead_id, kind, at, attributes) and stage entries (lead_id, at, stage): lead_id,
        policy, status, started_at, stopped_at, deadline, elapsed_seconds,
        remaining_seconds, next_change, escalation, attempts."""
    @staticmethod
    def sla_metrics(statuses: Sequence[_JsonObject], groups: Sequence[str]) -> list[_JsonObject]:
        """Statuses summed by group and policy: group, policy, leads, not_started, open,
        due_soon, met, breached, breach_rate, median/p90/mean_seconds_to_stop."""
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
    def dwell(self, now: _Time) -> list[_JsonObject]:
        """Seconds spent in each stage up to `now`; `now` before the last move raises
        `TimeOrderError`."""
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

@final
class ScoreCard:
    """One lead's scores at one time, with their breakdown when explained (immutable)."""

    @property
    def lead_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def hot(self) -> bool: ...
    @property
    def zombie(self) -> _JsonObject | None: ...
    @property
    def models(self) -> list[_JsonObject]: ...
    @property
    def scores(self) -> dict[str, float]: ...
    def score(self, model: str) -> float: ...
    def grade(self, model: str) -> str | None: ...
    def to_dict(self) -> _JsonObject: ...
    def to_json(self) -> str: ...
    @classmethod
    def from_json(cls, text: str) -> ScoreCard: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class RoutingState:
    """What routing remembers between decisions: rep counters, round-robin positions, owner
    maps (plain data; changed by Playbook.route, route_batch and route_many)."""

    @property
    def schema_version(self) -> int: ...
    def counters(self, rep: str) -> _JsonObject:
        """One rep's counters: open_leads, assigned_today, day, assigned_value, win_rate."""
    def set_open_leads(self, rep: str, open: int) -> None:
        """Sets the open leads a rep holds (the host's count)."""
    def lead_closed(self, rep: str) -> None:
        """One of a rep's leads closed, converted or died: one open lead fewer."""
    def set_win_rate(self, rep: str, win_rate: float) -> None:
        """Sets a rep's win rate, from 0 to 1."""
    def set_out_of_office(self, rep: str, start: _Time, end: _Time) -> None:
        """Records that `rep` is away from `start` to `end` (passed over meanwhile)."""
    def clear_out_of_office(self, rep: str) -> None:
        """Forgets the absences recorded for `rep` in this state."""
    def set_account_owner(self, account_id: str, rep: str) -> None:
        """Records that `rep` owns the account."""
    def set_domain_owner(self, domain: str, rep: str) -> None:
        """Records that `rep` owns the e-mail domain."""
    def to_json(self) -> str: ...
    @classmethod
    def from_json(cls, text: str) -> RoutingState: ...
    def to_dict(self) -> _JsonObject: ...
    def copy(self) -> RoutingState: ...
    def __copy__(self) -> RoutingState: ...
    def __deepcopy__(self, memo: Any, /) -> RoutingState: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ScoreState:
    """One lead's incremental scoring state (plain data; changed by the Playbook methods)."""

    @property
    def lead_id(self) -> str: ...
    @property
    def schema_version(self) -> int: ...
    @property
    def checked_at(self) -> datetime | None: ...
    def to_json(self) -> str: ...
    @classmethod
    def from_json(cls, text: str) -> ScoreState: ...
    def to_dict(self) -> _JsonObject: ...
    def copy(self) -> ScoreState: ...
    def __copy__(self) -> ScoreState: ...
    def __deepcopy__(self, memo: Any, /) -> ScoreState: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class BatchResult:
    """Scores of a batch: a row per lead, a column per model, and the rows not counted."""

    @property
    def models(self) -> list[str]: ...
    @property
    def lead_ids(self) -> list[str]: ...
    @property
    def scores(self) -> list[list[float]]: ...
    @property
    def grades(self) -> list[list[str | None]]: ...
    @property
    def row_errors(self) -> list[_JsonObject]: ...
    def score(self, lead_id: str | int, model: str) -> float: ...
    def to_dict(self) -> _JsonObject: ...
    def to_json(self) -> str: ...
    def to_arrow(self) -> ArrowTable: ...
    def row_errors_arrow(self) -> ArrowTable: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ArrowTable:
    """Record batches leaving leadcore; pyarrow, polars and pandas read them without a copy."""

    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> list[str]: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __len__(self) -> int: ...

@overload
def odoo_score(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """Odoo's predictive lead scoring, one run: `config`, `train` (closed records) or a
    stored `table`, `live` leads and `writes` under `semantics`, the leads to `score`
    (`explain`, `show_table`). Returns predictions (probability in percent; 100 in a won
    stage; None without history), the writes' transitions and the table rows if asked."""
@overload
def odoo_score(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`odoo_score`, the result as canonical JSON text."""

_Table: TypeAlias = Mapping[str, Any] | _ArrowStream | _ArrowArray
_Outcomes: TypeAlias = Iterable[bool] | Iterable[int] | _ArrowStream | _ArrowArray

@final
class LogisticModel:
    """The `logistic` predictive mode, scikit-learn style: a regularised logistic regression
    (one-hot categoricals, binned or standardised numbers, optional team pooling), calibrated
    out of fold, with per-feature log-odds explanations.

    `X` is a pandas, polars or pyarrow table or a dict of columns; `y` one bool or 0/1 per
    row (True/1: won). `predict_proba` gives scikit-learn's shape: a float64 numpy array
    `(rows, 2)`, column 0 lost and column 1 won. `explain` gives an `ArrowTable` in long form
    (`row`, `feature`, `value`, `contribution`), the intercept first. Errors: `InputError`
    (bad configuration, empty frame, one outcome only, a missing column or one of the wrong
    type, not fitted), `VersionError` (a stored model of another format)."""

    def __new__(cls, config: _JsonObject | str | None = None) -> LogisticModel: ...
    def fit(self, X: _Table, y: _Outcomes, *, schema: str | None = None) -> LogisticModel:
        """Trains on X and y (GIL released); returns self. `schema` tags X with the schema
        (playbook or feature-set id) its columns follow: a model whose config sets `schema`
        accepts only frames tagged with it."""
    def predict_proba(self, X: _Table, *, schema: str | None = None) -> Any:
        """numpy float64 array (rows, 2): [P(lost), P(won)] per row, each row summing to 1."""
    def predict_logit(self, X: _Table, *, schema: str | None = None) -> Any:
        """numpy float64 array (rows,): each row's logit before calibration."""
    @overload
    def explain(self, X: _Table, *, json: Literal[False] = False, schema: str | None = None) -> ArrowTable:
        """Long table: row, feature ("(intercept)" first), value, contribution (log-odds);
        a row's contributions sum to its logit."""
    @overload
    def explain(self, X: _Table, *, json: Literal[True], schema: str | None = None) -> str:
        """The core's canonical JSON list of explanations."""
    @property
    def is_fitted(self) -> bool: ...
    @property
    def config(self) -> _JsonObject | None: ...
    @property
    def summary(self) -> _JsonObject | None: ...
    @property
    def classes_(self) -> list[bool]: ...
    def to_json(self) -> str: ...
    @classmethod
    def from_json(cls, text: str) -> LogisticModel: ...
    def __reduce__(self) -> tuple[Any, tuple[_JsonObject | None], str | None]: ...
    def __setstate__(self, state: str | None) -> None: ...
def pipeline_metrics(
    opportunities: Any,
    *,
    stages: Sequence[str | Mapping[str, str]],
    period: tuple[datetime | str, datetime | str],
    history: Any | None = None,
    group_by: str | Sequence[str] | None = None,
    qualified_from: str | None = None,
) -> ArrowTable:
    """Pipeline metrics in one call (GIL released): `opportunities` (dict of columns, pandas,
    polars, pyarrow) with `opportunity_id` (or `id`) and optionally `owner`, `team`,
    `manager`, `office`, `source`, `pipeline`, `kind`, `amount` (minor units) with
    `currency`, `created_at`, `stage`; `history` a table of stage entries (`opportunity_id`,
    `at`, `stage`). `stages` in order (a name is an open stage; `{"name", "kind"}` for won
    and lost), `period` = (from, to), `to` being the snapshot. One row per group and stage:
    the four V's, then the group's win rate, deal size, cycle and sales velocity."""

@overload
def pipeline_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[False] = False
) -> _JsonObject:
    """The full pipeline report from the wire form (`stages` or `pipeline`, `period`,
    `qualified_from`, `group_by`, `opportunities` with their `history`): `{"groups": [..]}`."""
@overload
def pipeline_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[True]
) -> str:
    """`pipeline_report`, the result as canonical JSON text."""

def bottlenecks(
    opportunities: Any,
    history: Any | None = None,
    *,
    stages: Sequence[str | Mapping[str, str]],
    period: tuple[_Time, _Time] | Sequence[_Time],
    baseline_periods: int = 3,
    factor: float = 1.25,
    min_count: int = 5,
    closest: int = 10,
    leak_after: Mapping[str, str | timedelta] | None = None,
) -> dict[str, ArrowTable]:
    """Bottlenecks of a deal pipeline in one call, with the GIL released.

    Over the period and a trailing baseline of `baseline_periods` periods of the same
    length just before it: the open stages accumulating deals or holding them longer than
    usual, the deals lost by stage, the leaks (deals in a stage past its threshold) and the
    deals closest to closing.

    Parameters
    ----------
    opportunities : table
        A dict of columns, or a pandas, polars or pyarrow table: `opportunity_id` (or `id`)
        and optionally `owner`, `team`, `manager`, `office`, `source`, `pipeline`, `kind`,
        `amount` (integer minor units) with `currency`, `created_at` and `stage` (the
        current stage, for rows without history). The same table `pipeline_metrics` reads.
    history : table, optional
        Stage entries: `opportunity_id`, `at` (timestamps, dates or Unix seconds) and
        `stage`, in any row order (sorted by time per opportunity).
    stages : sequence of str or dict
        The pipeline's stages in order: a name is an open stage, `{"name", "kind"}` gives
        another kind (`won`, `lost`, ...).
    period : (from, to)
        The period; `to` is the snapshot. Aware datetimes or pandas Timestamps,
        numpy.datetime64 values (read as UTC) or RFC 3339 strings.
    baseline_periods : int, default 3
        How many periods of the period's length make the baseline (1 to 1000).
    factor : float, default 1.25
        By how much a stage must exceed its baseline to be flagged (finite, positive).
    min_count : int, default 5
        The least count (deals in the stage, or completed stays) a flag needs.
    closest : int, default 10
        How many deals closest to closing to list.
    leak_after : dict of str to str or timedelta, optional
        Per open stage, the time in it after which a deal leaks (`"30d"`, `"1w"`,
        `timedelta(days=30)`); other stages use the baseline's p90 dwell.

    Returns
    -------
    dict of str to ArrowTable
        `stages` (a row per open stage: `stage`, `bottleneck`, `accumulating`, `slow`,
        `in_stage`, `baseline_in_stage`, `accumulation`, `dwell_count`, `dwell_mean_s`,
        `dwell_median_s`, `dwell_p90_s`, `baseline_dwell_count`, `baseline_dwell_median_s`,
        `baseline_dwell_p90_s`, `dwell_ratio`, `leak_threshold_s`), `lost_at_stage`
        (`stage`, `count`, `currency`, `value`; a null `stage` for losses with no open stage
        before them), `leaks` (longest first: `opportunity_id`, `stage`, `owner`,
        `in_stage_s`, `days_in_stage`, `threshold_s`, `amount`, `currency`) and `closest`
        (`opportunity_id`, `stage`, `owner`, `in_stage_s`, `days_in_stage`, `amount`,
        `currency`).

    Raises
    ------
    UnknownStageError
        A stage of an opportunity, of its history or of `leak_after` is not in `stages`.
    InputError
        An empty period, a bad threshold, a history entry before the creation, a repeated
        opportunity, a stage row naming no opportunity, losses from one stage in several
        currencies.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> opps = {"opportunity_id": ["A", "B"], "owner": ["ann", "bob"]}
    >>> hist = {"opportunity_id": ["A", "B", "B"],
    ...         "at": [1773187200, 1773100800, 1774396800],  # 03-11, 03-10, 03-25 (Unix s)
    ...         "stage": ["Demo", "Lead", "Lost"]}
    >>> t = leadcore.bottlenecks(
    ...     opps, hist, stages=["Lead", "Demo", {"name": "Lost", "kind": "lost"}],
    ...     period=("2026-03-21T00:00:00Z", "2026-03-31T00:00:00Z"), leak_after={"Demo": "10d"})
    >>> pa.table(t["leaks"]).column("opportunity_id").to_pylist()
    ['A']
    """

def lead_metrics(
    leads: Any,
    history: Any,
    *,
    period: tuple[_Time, _Time] | Sequence[_Time],
    stages: Mapping[str, Sequence[str]] | None = None,
    benchmarks: Mapping[str, Mapping[str, float]] | None = None,
    by_owner: bool = False,
) -> dict[str, ArrowTable]:
    """Lead metrics in one call, with the GIL released.

    Milestones (MQL, SRL, SQL, Opportunity, Won) reached in the period, the cohort
    conversions MQL→SRL, SRL→SQL and SQL→Won against their benchmarks, lead velocity, the
    time from MQL to SQL, and the same funnel by source (and by owner).

    Parameters
    ----------
    leads : table
        A dict of columns, or a pandas, polars or pyarrow table: `lead_id` (or `id`) and
        optionally `source`, `owner` and `created_at`.
    history : table
        Stage entries: `lead_id`, `at` (timestamps, dates or Unix seconds) and `stage`, in
        any row order (sorted by time per lead).
    period : (from, to)
        The period; `to` is the snapshot. Aware datetimes or pandas Timestamps,
        numpy.datetime64 values (read as UTC) or RFC 3339 strings.
    stages : dict, optional
        The stages of each milestone, `{"mql": [..], "srl": [..], "sql": [..],
        "opportunity": [..], "won": [..], "others": [..]}`; default: the seeds' lifecycle
        (MQL; SRL, SAL; SQL, SQL Contacted, SQL Scheduled; Opportunity; Won; and Suspect,
        Lost, Nurture, Disqualified).
    benchmarks : dict, optional
        Benchmarks replacing the seeds' per step: `{"sql_to_won": {"low": 0.25, "high":
        0.35}}` (steps `mql_to_srl`, `srl_to_sql`, `sql_to_won`).
    by_owner : bool, default False
        Whether to add the `by_owner` table.

    Returns
    -------
    dict of str to ArrowTable
        `funnel` (a row per step: `step`, `from`, `to`, `cohort`, `converted`, `rate`,
        `benchmark_low`, `benchmark_high`, `verdict` of `below`, `within`, `above`),
        `summary` (one row: `leads`, `mql`, `srl`, `sql`, `opportunity`, `won`,
        `previous_mqls`, `mql_growth_percent`, `mql_to_sql_count`, `mql_to_sql_mean_s`,
        `mql_to_sql_median_s`, `mql_to_sql_p90_s`), `by_source` and, when asked,
        `by_owner` (a row per group, missing first: the key, `leads`, the milestones
        reached, and per step `<step>_cohort`, `<step>_converted`, `<step>`,
        `<step>_verdict`).

    Raises
    ------
    InputError
        An empty period, a stage that is neither a milestone's nor another known one, a
        history entry before the creation, a bad benchmark, a repeated lead, a stage row
        naming no lead.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> leads = {"lead_id": ["L1", "L2"], "source": ["web", "event"]}
    >>> hist = {"lead_id": ["L1", "L1", "L2"], "at": [1770000000, 1770500000, 1770100000],
    ...         "stage": ["MQL", "SQL", "MQL"]}
    >>> t = leadcore.lead_metrics(leads, hist, period=("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"))
    >>> pa.table(t["funnel"]).column("verdict").to_pylist()
    ['above', 'above', 'below']
    """

@overload
def bottleneck_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[False] = False
) -> _JsonObject:
    """The full bottleneck report from its wire form.

    Parameters
    ----------
    input : dict or str
        `{"stages" or "pipeline", "period": {"from", "to"}, "baseline_periods"?,
        "factor"?, "min_count"?, "closest"?, "leak_after"?: {stage: "30d"},
        "opportunities": [{"id", "owner"?, .., "amount"?, "created_at"?, "stage"?,
        "history": [{"at", "stage"}]}]}`, or its JSON text.
    playbook : Playbook, optional
        Resolves `"pipeline"` (a deal pipeline's name) when `"stages"` is absent.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        `period`, `baseline`, `baseline_periods`, `deals`, `bottlenecks` (flagged stages),
        `stages`, `lost_at_stage`, `leaks`, `closest_to_closing`.

    Raises
    ------
    UnknownStageError
        A stage not in the pipeline.
    UnknownPipelineError
        `pipeline` names no deal pipeline of `playbook`.
    InputError
        Bad JSON or an unknown field, an empty period, a bad threshold, history out of
        order or before the creation.

    Examples
    --------
    >>> r = leadcore.bottleneck_report({"stages": ["Open"], "period": {"from":
    ...     "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"},
    ...     "opportunities": [{"id": "A", "stage": "Open"}]})
    >>> r["closest_to_closing"][0]["id"]
    'A'
    """
@overload
def bottleneck_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[True]
) -> str:
    """`bottleneck_report`, the result as canonical JSON text."""
@overload
def lead_report(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """The full lead report from its wire form.

    Parameters
    ----------
    input : dict or str
        `{"period": {"from", "to"}, "stages"?: {"mql", "srl", "sql", "opportunity",
        "won", "others"?}, "benchmarks"?: {step: {"low", "high"}}, "by_owner"?,
        "leads": [{"id", "source"?, "owner"?, "created_at"?, "history": [{"at",
        "stage"}]}]}`, or its JSON text.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        `period`, `funnel` (`leads`, `reached`, and `mql_to_srl`, `srl_to_sql`,
        `sql_to_won` each with `cohort`, `converted`, `rate`, `benchmark`, `verdict`),
        `velocity`, `mql_to_sql`, `by_source`, `by_owner` (None unless asked).

    Raises
    ------
    InputError
        Bad JSON or an unknown field, an empty period, an unknown stage, history out of
        order or before the creation, a bad benchmark.

    Examples
    --------
    >>> r = leadcore.lead_report({"period": {"from": "2026-02-01T00:00:00Z", "to":
    ...     "2026-03-01T00:00:00Z"}, "leads": [{"id": "L1", "history": [{"at":
    ...     "2026-02-02T00:00:00Z", "stage": "MQL"}]}]})
    >>> r["funnel"]["reached"]["mql"]
    1
    """
@overload
def lead_report(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`lead_report`, the result as canonical JSON text."""
@overload
def activity_report(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """The rep-activity report from its wire form.

    Parameters
    ----------
    input : dict or str
        `{"period": {"from", "to"}, "activities": [{"kind", "at", "actor"?, "id"?, ..}]}`
        (a task is a `task_assigned` and a `task_done` sharing an `id`), or its JSON text.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        `period`, `activities` (in the period), `unattributed` (of them, without an
        `actor`), `reps` (a row per rep: `rep`, `total`, `by_kind`, `tasks` with
        `assigned`, `done`, `open`).

    Raises
    ------
    InputError
        Bad JSON or an unknown field, an empty period, a task activity without an `id`,
        an assignment without an `actor`.

    Examples
    --------
    >>> r = leadcore.activity_report({"period": {"from": "2026-02-01T00:00:00Z", "to":
    ...     "2026-03-01T00:00:00Z"}, "activities": [{"kind": "call", "at":
    ...     "2026-02-02T00:00:00Z", "actor": "ann"}]})
    >>> r["reps"][0]["total"]
    1
    """
@overload
def activity_report(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`activity_report`, the result as canonical JSON text."""

def forecast(
    deals: Any,
    *,
    fiscal_start_month: int = 1,
    weeks: Literal["4-4-5", "4-5-4", "5-4-4"] | None = None,
    granularity: Literal["period", "quarter", "year"] = "quarter",
    categories: Mapping[str, Any] | None = None,
    trials: int | None = None,
    seed: int | None = None,
    quotas: Sequence[Mapping[str, Any]] | None = None,
    threads: int | None = None,
) -> tuple[ArrowTable, ArrowTable | None]:
    """Weighted pipeline and, with `trials`, a seeded Monte Carlo forecast (GIL released).

    Parameters
    ----------
    deals : dict of columns, pandas, polars or pyarrow table
        Columns `id` (str), `amount` (int, minor units), `currency` (str), `close_date`
        (dates, datetimes or ``YYYY-MM-DD`` strings), `stage` (str), `probability` (float in
        [0, 1]) and optionally `category_override` (a category name or None).
    fiscal_start_month : int, default 1
        Month (1-12) the fiscal year starts in; fiscal years are named after the calendar
        year they end in.
    weeks : {"4-4-5", "4-5-4", "5-4-4"}, optional
        Retail week pattern of each quarter; None for calendar-month periods.
    granularity : {"period", "quarter", "year"}, default "quarter"
        The span rows are rolled up over.
    categories : dict, optional
        ``{stage: category}``, or the wire form ``{"default": category, "stages": {..}}``;
        categories are "pipeline", "best_case", "commit", "closed" and "omitted". Unlisted
        stages are "pipeline".
    trials : int, optional
        Monte Carlo trials (1 to 10,000,000); None runs no simulation.
    seed : int, optional
        Seed of the simulation (default 0): the same seed gives the same numbers on any
        thread count and platform.
    quotas : list of dict, optional
        ``[{"period": {"year", "granularity", "index"}, "amount": {"minor", "currency"}}]``;
        each quota's span gets `p_reach_quota`.
    threads : int, optional
        Threads of the simulation (default: all cores).

    Returns
    -------
    weighted : ArrowTable
        A row per currency, span and category: `period` (``FY2026-Q1``), `year`,
        `granularity`, `index`, `currency`, `category`, `count`, `amount`, `weighted`.
    monte_carlo : ArrowTable or None
        With `trials`, a row per span: `period`, `year`, `granularity`, `index`,
        `currency`, `closed`, `expected`, `mean`, `p10`, `p50`, `p90`, `quota`,
        `p_reach_quota`.

    Raises
    ------
    InputError
        A negative amount, a probability outside [0, 1], a missing value, mixed currencies
        in a simulation: the message names the deal.
    """

@overload
def forecast_report(
    input: _JsonObject | str, *, threads: int | None = None, json: Literal[False] = False
) -> _JsonObject:
    """The forecast from its wire form.

    Parameters
    ----------
    input : dict or str
        ``{"calendar": {"start_month", "weeks"?}, "granularity"?, "categories"?,
        "deals": [{"id", "amount": {"minor", "currency"}, "close_date", "stage",
        "probability", "category_override"?}], "monte_carlo"?: {"trials", "seed",
        "quotas"?}}``, or its JSON text.
    threads : int, optional
        Threads of the simulation (default: all cores); the numbers never depend on it.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"weighted": [{"currency", "period", "category", "totals"}], "monte_carlo"?:
        {"seed", "trials", "currency", "periods": [..]}}``.
    """

@overload
def forecast_report(
    input: _JsonObject | str, *, threads: int | None = None, json: Literal[True]
) -> str:
    """`forecast_report`, the result as canonical JSON text."""

# A deal history: a dict of columns, or a pandas, polars or pyarrow table.
_Deals: TypeAlias = Mapping[str, Any] | _ArrowStream | _ArrowArray
# A date: a datetime.date or a "YYYY-MM-DD" string.
_Date: TypeAlias = date | str

def forecast_history(
    deals: _Deals,
    *,
    as_of: _Date,
    windows: Sequence[tuple[_Date, _Date] | Mapping[str, _Date]],
    trials: int = 2000,
    seed: int = 0,
    model: Mapping[str, Any] | None = None,
    fiscal_start_month: int = 1,
    weeks: Literal["4-4-5", "4-5-4", "5-4-4"] | None = None,
) -> tuple[ArrowTable, ArrowTable]:
    """Forecast windows from a deal history with the model learned from it (GIL released).

    The model, fitted as of `as_of` from the deals created before it and the outcomes dated
    before it, learns the win rate, the realisation (won value over amount), the time to
    close, the flow of deals not yet created, the season within the fiscal quarter and how
    much the rates move; each window gets its expectation and a seeded distribution.

    Parameters
    ----------
    deals : dict of columns, pandas, polars or pyarrow table
        Columns `opportunity_id` (str), `owner` (str, optional), `amount` (int, minor
        units), `currency` (str), `created` (dates, datetimes or ``YYYY-MM-DD`` strings),
        `closed` (the same, None while open), `won` (bool, None while open) and optionally
        `value` (int, the won value; None gives the amount for a won deal, 0 for a lost one).
    as_of : date or str
        The fit date.
    windows : list of (from, to) pairs or {"from", "to"} dicts
        Windows ``[from, to)`` starting on or after `as_of`.
    trials : int, default 2000
        Simulated trials per window (1 to 1,000,000).
    seed : int, default 0
        Seed of the first window; window `k` uses ``seed + k``.
    model : dict, optional
        Settings: `trailing_days` (91), `block_days` (30), `blocks` (6),
        `min_block_closes` (20), `max_age_days` (730), `new_deals`, `rate_spread`,
        `seasonality` (all True).
    fiscal_start_month : int, default 1
        Month (1-12) the fiscal year starts in (for the season index).
    weeks : {"4-4-5", "4-5-4", "5-4-4"}, optional
        Retail week pattern of each quarter.

    Returns
    -------
    windows : ArrowTable
        A row per window: `from`, `to`, `currency`, `expected`, `from_pipeline`,
        `from_new_deals`, `season`, `mean`, `p10`, `p50`, `p90`.
    model : ArrowTable
        One row: `as_of`, `currency`, `win_rate`, `realisation`, `creation_rate`,
        `season_1`, `season_2`, `season_3`, `win_spread`, `creation_spread`, `won`, `closed`.

    Raises
    ------
    InputError
        A missing column or value, `closed` without `won`, a close before the creation,
        mixed currencies, nothing closed before `as_of`, a window before `as_of`.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> deals = {"opportunity_id": ["A", "B", "X"], "amount": [100, 100, 1000],
    ...          "currency": ["USD"] * 3, "created": ["2026-01-01", "2026-01-02", "2026-01-25"],
    ...          "closed": ["2026-01-11", "2026-01-12", None], "won": [True, False, None]}
    >>> windows, model = leadcore.forecast_history(deals, as_of="2026-01-30",
    ...     windows=[("2026-01-30", "2026-03-01")], model={"new_deals": False})
    >>> pa.table(windows).column("expected").to_pylist()
    [500.0]
    """

def backtest(
    deals: _Deals,
    *,
    first: _Date,
    count: int,
    window_months: int,
    step_months: int = 1,
    trials: int = 2000,
    seed: int = 0,
    fixed_probability: float = 0.4,
    model: Mapping[str, Any] | None = None,
    fiscal_start_month: int = 1,
    weeks: Literal["4-4-5", "4-5-4", "5-4-4"] | None = None,
) -> tuple[ArrowTable, ArrowTable, ArrowTable]:
    """Backtest the forecast methods on a deal history (GIL released).

    Each as-of date (the first of `count` months from `first`, every `step_months`) sees
    only the deals created before it and the outcomes dated before it; its window
    ``[as_of, as_of + window_months)`` is forecast by `fixed_40` (`fixed_probability` × the
    open amounts), `win_rate`, `plain_monte_carlo` and `historical`, and scored against the
    won value that closed in it.

    Parameters
    ----------
    deals : dict of columns, pandas, polars or pyarrow table
        The columns of :func:`forecast_history`.
    first : date or str
        The first as-of date.
    count : int
        How many as-of dates (1 to 1000).
    window_months : int
        Months in each window.
    step_months : int, default 1
        Months between as-of dates.
    trials : int, default 2000
        Trials per window.
    seed : int, default 0
        Seed of the first window; window `k` uses ``seed + k``.
    fixed_probability : float, default 0.4
        The probability of the fixed weighted pipeline.
    model : dict, optional
        The historical model's settings (see :func:`forecast_history`).
    fiscal_start_month : int, default 1
        Month (1-12) the fiscal year starts in.
    weeks : {"4-4-5", "4-5-4", "5-4-4"}, optional
        Retail week pattern of each quarter.

    Returns
    -------
    rows : ArrowTable
        A row per method and window: `method`, `as_of`, `to`, `actual`, `point`, `p10`,
        `p50`, `p90` (null without an interval).
    scores : ArrowTable
        A row per method: `method`, `windows`, `mape`, `pinball_10`, `pinball_50`,
        `pinball_90`, `covered` (null without intervals).
    reps : ArrowTable
        A row per owner (``""`` without one): `owner`, `expected`, `actual`, `bias`.

    Raises
    ------
    InputError
        As for :func:`forecast_history`, and a bad `count`, `window_months` or
        `fixed_probability`.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> deals = {"opportunity_id": ["A", "B", "X"], "amount": [100, 100, 1000],
    ...          "currency": ["USD"] * 3, "created": ["2026-01-01", "2026-01-02", "2026-01-25"],
    ...          "closed": ["2026-01-11", "2026-01-12", None], "won": [True, False, None]}
    >>> rows, scores, reps = leadcore.backtest(deals, first="2026-01-27", count=1, window_months=1)
    >>> pa.table(rows).column("point").to_pylist()[0]
    400.0
    """

def forecast_rollup(
    deals: _Deals,
    hierarchy: Mapping[str, str | None] | _Deals,
    *,
    fiscal_start_month: int = 1,
    weeks: Literal["4-4-5", "4-5-4", "5-4-4"] | None = None,
    granularity: Literal["period", "quarter", "year"] = "quarter",
    categories: Mapping[str, Any] | None = None,
    quotas: Sequence[Mapping[str, Any]] | None = None,
    quota_mode: Literal["given_only", "sum_children"] = "given_only",
) -> tuple[ArrowTable, ArrowTable]:
    """The weighted pipeline rolled up a reporting hierarchy (GIL released).

    Each deal counts in its owner's own cells; a node's total is its own plus its children's
    totals, so every level conserves sums.

    Parameters
    ----------
    deals : dict of columns, pandas, polars or pyarrow table
        The columns of :func:`forecast` (`id`, `amount`, `currency`, `close_date`, `stage`,
        `probability`, `category_override`) and `owner` (a node of the hierarchy).
    hierarchy : dict or table
        ``{node: parent}`` (None for a root), or a table of `node` and `parent` columns.
    fiscal_start_month : int, default 1
        Month (1-12) the fiscal year starts in.
    weeks : {"4-4-5", "4-5-4", "5-4-4"}, optional
        Retail week pattern of each quarter.
    granularity : {"period", "quarter", "year"}, default "quarter"
        The span rows are rolled up over.
    categories : dict, optional
        ``{stage: category}`` or the wire form, as for :func:`forecast`.
    quotas : list of dict, optional
        ``[{"node", "period": {"year", "granularity", "index"}, "amount": {"minor",
        "currency"}}]``.
    quota_mode : {"given_only", "sum_children"}, default "given_only"
        With "sum_children", a node without a quota has the sum of its children's.

    Returns
    -------
    cells : ArrowTable
        A row per node, currency, span and category: `node`, `parent`, `depth`, `period`,
        `year`, `granularity`, `index`, `currency`, `category`, `own_count`, `own_amount`,
        `own_weighted`, `total_count`, `total_amount`, `total_weighted`.
    spans : ArrowTable
        A row per node, span and currency: `node`, `parent`, `depth`, `period`, `year`,
        `granularity`, `index`, `currency`, `{closed,commit,best_case,pipeline}_{count,
        amount,weighted}` (the cumulative views), `quota`, `attainment`, `coverage`.

    Raises
    ------
    PlaybookValidationError
        A bad hierarchy (a cycle, an unknown parent, a repeated node); ``.errors`` locates
        every issue at ``hierarchy[i].node`` or ``hierarchy[i].parent``.
    InputError
        A deal's error (naming it), an owner or quota node not in the hierarchy, a quota of
        another granularity, mixed currencies under a quota.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> deals = {"id": ["A", "B"], "owner": ["ana", "max"], "amount": [400, 1200],
    ...          "currency": ["USD", "USD"], "close_date": ["2026-02-01", "2026-02-01"],
    ...          "stage": ["Won", "Demo"], "probability": [1.0, 0.5]}
    >>> cells, spans = leadcore.forecast_rollup(deals, {"max": None, "ana": "max"},
    ...     categories={"Won": "closed"})
    >>> pa.table(spans).to_pydict()["pipeline_amount"]
    [400, 1600]
    """

@overload
def forecast_history_report(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """The history forecast from its wire form.

    Parameters
    ----------
    input : dict or str
        ``{"deals": [{"id", "owner"?, "amount": {"minor", "currency"}, "created",
        "outcome"?: {"date", "won", "value"}}], "as_of", "windows": [{"from", "to"}],
        "model"?, "calendar"?, "trials"?, "seed"?}``, or its JSON text.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"model": {"as_of", "currency", "win_rate", "realisation", "creation_rate",
        "season", "spreads", "closed"}, "windows": [{"from", "to", "expected",
        "from_pipeline", "from_new_deals", "season", "mean", "p10", "p50", "p90"}]}``.

    Raises
    ------
    InputError
        Bad JSON or an unknown field (located), and the errors of :func:`forecast_history`.

    Examples
    --------
    >>> deal = {"id": "A", "amount": {"minor": 100, "currency": "USD"}, "created": "2026-01-01",
    ...         "outcome": {"date": "2026-01-11", "won": True, "value": 100}}
    >>> r = leadcore.forecast_history_report({"deals": [deal], "as_of": "2026-02-01", "windows": []})
    >>> r["model"]["win_rate"]
    1.0
    """
@overload
def forecast_history_report(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`forecast_history_report`, the result as canonical JSON text."""
@overload
def backtest_report(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """The backtest from its wire form.

    Parameters
    ----------
    input : dict or str
        ``{"deals": [..as for forecast_history_report..], "spec": {"first", "count",
        "window_months", "step_months"?, "trials"?, "seed"?, "fixed_probability"?,
        "model"?, "calendar"?}}``, or its JSON text.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"rows": [{"method", "as_of", "to", "actual", "point", "p10"?, "p50"?, "p90"?}],
        "scores": [{"method", "windows", "mape", "pinball"?, "covered"?}], "reps":
        [{"owner", "expected", "actual", "bias"}]}``.

    Raises
    ------
    InputError
        Bad JSON or an unknown field (located), and the errors of :func:`backtest`.

    Examples
    --------
    >>> deal = {"id": "A", "amount": {"minor": 100, "currency": "USD"}, "created": "2026-01-01",
    ...         "outcome": {"date": "2026-01-11", "won": True, "value": 100}}
    >>> r = leadcore.backtest_report({"deals": [deal], "spec": {"first": "2026-02-01",
    ...     "count": 1, "window_months": 1, "trials": 10}})
    >>> [s["method"] for s in r["scores"]]
    ['fixed_40', 'win_rate', 'plain_monte_carlo', 'historical']
    """
@overload
def backtest_report(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`backtest_report`, the result as canonical JSON text."""
@overload
def forecast_rollup_report(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """The hierarchy roll-up from its wire form.

    Parameters
    ----------
    input : dict or str
        ``{"hierarchy": [{"node", "parent"?}], "calendar": {"start_month", ..},
        "granularity"?, "categories"?, "deals": [{"owner", "deal": {..a forecast deal..}}],
        "quotas"?: [{"node", "period", "amount"}], "quota_mode"?}``, or its JSON text.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"cells": [{"node", "parent"?, "depth", "currency", "period", "category", "own",
        "total"}], "spans": [{"node", "parent"?, "depth", "period", "currency",
        "cumulative", "quota"?, "attainment"?, "coverage"?}]}``.

    Raises
    ------
    PlaybookValidationError
        A bad hierarchy, every issue located.
    InputError
        Bad JSON or an unknown field (located), and the errors of :func:`forecast_rollup`.

    Examples
    --------
    >>> r = leadcore.forecast_rollup_report({"hierarchy": [{"node": "a"}, {"node": "b",
    ...     "parent": "a"}], "calendar": {"start_month": 1}, "deals": []})
    >>> r["cells"]
    []
    """
@overload
def forecast_rollup_report(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`forecast_rollup_report`, the result as canonical JSON text."""


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

class InternalError(LeadcoreError):
    """leadcore failed inside (a bug): `.code` is `internal.panic`."""

class InvalidHistoryError(InputError):
    pipeline: str | None
    entries: list[_JsonObject]
