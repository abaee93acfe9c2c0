"""Type stubs of the compiled module `leadcore._leadcore` (checked by mypy.stubtest)."""

import os
from datetime import date, datetime, timedelta
from typing import (
    Any,
    Callable,
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
    "LeadcoreWarning",
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
    # The table libraries are optional: only their types are named here (pandas and pyarrow
    # ship no type information, so their frames and tables are `Any` to mypy).
    import numpy
    import pandas
    import polars
    import pyarrow

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

_Events: TypeAlias = dict[str, Any] | _ArrowStream | _ArrowArray
# Batch leads: lead dicts in the core's shape, or a table of flat columns, one row per lead (a
# dict of columns as for events, or a pandas, polars or pyarrow table): `id` (required), any
# built-in field by its flat name (channel, campaign, direction, first_name, last_name, email,
# phone, company, employees, users, region, industry, title, owner, account_id, created_at),
# declared custom fields by name; any other column raises InputError unless extra="custom"
# keeps it as a custom field. Nulls are absent values.
_Leads: TypeAlias = Sequence[_JsonObject] | dict[str, Any] | _ArrowStream | _ArrowArray
# A prediction horizon: a timedelta or a number of days.
_Horizon: TypeAlias = timedelta | float

@final
class Playbook:
    """A validated, immutable playbook: pipelines and stages, scoring models, routing rules
    and SLA policies; safe to share across threads (and pickles by its JSON).

    Every method that depends on time takes `now` (an aware datetime, a pandas Timestamp, a
    numpy.datetime64 read as UTC, or RFC 3339 text); no method reads a clock.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> pb.pipelines
    ['lead', 'new_business']
    >>> now = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> state = pb.start("lead", "L-1", now)
    >>> pb.transition(state, "MQL", actor=("mia", "marketing"), now=now, scores={"lead": 120})["to"]
    'MQL'
    >>> pb.score({"id": "B"}, [{"kind": "email_opened", "at": now}], now).scores
    {'engagement': 2.0, 'fit': 0.0, 'lead': 2.0}
    """

    @classmethod
    def parse(cls, text: str, format: str = "yaml") -> Playbook:
        """Parses and validates playbook text.

        Parameters
        ----------
        text : str
            The playbook.
        format : {"yaml", "yml", "json", "toml"}, default "yaml"
            Its format.

        Returns
        -------
        Playbook

        Raises
        ------
        PlaybookParseError
            Malformed text (`.format`, `.path`, `.line`, `.column`).
        PlaybookValidationError
            Text that parses but breaks rules; `.errors` lists every problem at its path.
        """
    @classmethod
    def from_file(cls, path: str | os.PathLike[str], format: str | None = None) -> Playbook:
        """Reads and validates a playbook file.

        Parameters
        ----------
        path : str or os.PathLike
            The file.
        format : {"yaml", "yml", "json", "toml"} or None, default None
            Its format; None takes it from the file's extension.

        Returns
        -------
        Playbook

        Raises
        ------
        PlaybookParseError, PlaybookValidationError
            As for `parse`.
        OSError
            The file cannot be read.
        """
    @classmethod
    def default(cls) -> Playbook:
        """The playbook shipped with leadcore: the recommended lead lifecycle (Suspect, MQL,
        SRL, SQL, Opportunity, Won/Lost, Nurture, Disqualified), a deal pipeline and the
        seeds' scoring models.

        Returns
        -------
        Playbook
        """
    def to_json(self) -> str:
        """The playbook as JSON text (parses back to an equal playbook).

        Returns
        -------
        str
        """
    @staticmethod
    def json_schema() -> _JsonObject:
        """The JSON Schema of the playbook format (for editors and validators).

        Returns
        -------
        dict
        """
    @property
    def name(self) -> str:
        """The playbook's name."""
    @property
    def pipelines(self) -> list[str]:
        """Pipeline names, the lead lifecycle first."""
    def stages(self, pipeline: str) -> list[str]:
        """A pipeline's stage names, in order.

        Parameters
        ----------
        pipeline : str
            The pipeline.

        Returns
        -------
        list of str

        Raises
        ------
        UnknownPipelineError
            No pipeline of that name.
        """
    def next_stages(self, pipeline: str, stage: str) -> list[str]:
        """The stages reachable in one step from `stage` (guards not evaluated).

        Parameters
        ----------
        pipeline : str
            The pipeline.
        stage : str
            The stage moved from.

        Returns
        -------
        list of str

        Raises
        ------
        UnknownPipelineError, UnknownStageError
            No such pipeline or stage.
        """
    def start(self, pipeline: str, record_id: str, now: _Time) -> LeadState:
        """Starts a record in the pipeline's initial stage.

        Parameters
        ----------
        pipeline : str
            The pipeline.
        record_id : str
            The lead's or opportunity's id.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When it enters.

        Returns
        -------
        LeadState

        Raises
        ------
        UnknownPipelineError
            No pipeline of that name.
        InputError
            A naive datetime (with a hint) or a time that is no time.
        """
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
    ) -> _JsonObject:
        """Moves `state` to stage `to`, checking every guard; `state` is unchanged when this
        raises.

        Parameters
        ----------
        state : LeadState
            The record's state (updated in place on success).
        to : str
            The stage to move to.
        actor : (id, role) or {"id": ..., "role": ...}
            Who moves it; role is one of "marketing", "sdr", "ae", "manager", "system".
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When; not before the state's last move.
        reason : str, optional
            Why (required by stages that ask for a reason, e.g. Disqualified).
        lead, opportunity : dict, optional
            The record's fields, for field guards.
        activities : list of dict, optional
            The record's activities (`kind`, `at` as a time or Unix seconds), for activity
            guards.
        scores : dict of str to float, optional
            Scores by model, for score guards.

        Returns
        -------
        dict
            `record_id`, `from`, `to`, `at`, `back_move`, `recycled` and the `actions` to
            carry out (`kind`, `params`, `stage`, `trigger`).

        Raises
        ------
        GuardFailedError
            Guards refused it; `.failures` lists every one.
        TransitionNotAllowedError
            No such move from the current stage (`.why`).
        ReasonError
            A reason is required or not one of the allowed ones.
        TimeOrderError
            `now` is before the last move.
        UnknownStageError
            `to` is no stage of the pipeline.
        """
    def transition_input(self, state: LeadState, input: _JsonObject | str) -> _JsonObject:
        """`transition` taking the wire form, as the Rust and C doors do.

        Parameters
        ----------
        state : LeadState
            The record's state (updated in place on success).
        input : dict or str
            A `TransitionInput` as a dict or JSON text: `{"request": {"to", "actor", "now",
            "reason"?}, "subject"?, "activities"?, "scores"?}`.

        Returns
        -------
        dict
            As `transition` returns.

        Raises
        ------
        InputError
            Input of the wrong shape.
        TransitionError
            As `transition` raises.
        """
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
    ) -> None:
        """Checks a transition without applying it.

        Parameters
        ----------
        state, to, actor, now, reason, lead, opportunity, activities, scores
            As for `transition`.

        Returns
        -------
        None
            Exactly when `transition` would succeed.

        Raises
        ------
        TransitionError
            What `transition` would raise.
        """
    def replay(
        self,
        pipeline: str,
        record_id: str,
        history: list[_JsonObject],
        *,
        trust_history: bool = False,
    ) -> LeadState:
        """Rebuilds a state from its history, checking every entry against the pipeline.

        Parameters
        ----------
        pipeline : str
            The pipeline.
        record_id : str
            The record's id.
        history : list of dict
            Entries as in `LeadState.history` (`at`, `from`, `to`, `actor`, `reason`).
        trust_history : bool, default False
            For imported data: reasons and actor roles are not checked and the first entry
            may enter any stage (unknown stages and undeclared moves still raise).

        Returns
        -------
        LeadState

        Raises
        ------
        InvalidHistoryError
            A bad history; `.entries` lists every bad entry.
        """
    @overload
    def funnel(
        self, pipeline: str, states: Iterable[LeadState], now: _Time, *, json: Literal[False] = False
    ) -> list[_JsonObject]:
        """The funnel of `states` in `pipeline` at `now`.

        Parameters
        ----------
        pipeline : str
            The pipeline.
        states : iterable of LeadState
            The records (states of other pipelines are skipped and counted).
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The time dwell is measured to.
        json : bool, default False
            True: the whole funnel as canonical JSON text.

        Returns
        -------
        list of dict
            One per stage: `stage`, `kind`, `reached`, `entered`, `current`,
            `conversion_to_next`, `mean_dwell_seconds`.

        Raises
        ------
        UnknownPipelineError
            No pipeline of that name.
        """
    @overload
    def funnel(
        self, pipeline: str, states: Iterable[LeadState], now: _Time, *, json: Literal[True]
    ) -> str:
        """`funnel` as the core's canonical JSON text (`pipeline`, `records`, `skipped`,
        `stages`), byte for byte what the Rust and C doors give."""
    # Scoring.
    @property
    def scoring_models(self) -> list[str]:
        """Score model names, in declaration order."""
    def score(
        self,
        lead: _JsonObject,
        activities: Sequence[_JsonObject],
        now: _Time,
        *,
        explain: bool = True,
    ) -> ScoreCard:
        """Scores one lead from its activities.

        Parameters
        ----------
        lead : dict
            The lead in the core's shape (`id`, `firmographics`, `source`, `custom`, ...;
            `created_at` a time or Unix seconds).
        activities : sequence of dict
            Its activities: `kind`, `at` (a time or Unix seconds) and attributes.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The scoring instant.
        explain : bool, default True
            Whether the card carries every rule's contributing events.

        Returns
        -------
        ScoreCard
            Every model's score and grade, hotness, zombie status, the breakdown.

        Raises
        ------
        BadEventError
            An activity after `now` beyond the tolerance (`.reason`).
        InputError
            A lead or activity of the wrong shape, naming the path.
        """
    def score_state(self, lead_id: str) -> ScoreState:
        """An empty incremental scoring state for one lead.

        Parameters
        ----------
        lead_id : str
            The lead.

        Returns
        -------
        ScoreState
        """
    def record(self, state: ScoreState, activity: _JsonObject, now: _Time) -> None:
        """Records one activity in `state` without checking thresholds.

        Parameters
        ----------
        state : ScoreState
            The lead's state (changed in place; unchanged on error).
        activity : dict
            `kind`, `at` (a time or Unix seconds) and attributes.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The current time.

        Raises
        ------
        BadEventError
            An activity after `now` beyond the tolerance.
        """
    @overload
    def apply(
        self,
        state: ScoreState,
        lead: _JsonObject,
        activity: _JsonObject,
        now: _Time,
        *,
        json: Literal[False] = False,
    ) -> list[_JsonObject]:
        """Records one activity, then checks thresholds and hotness at `now`.

        Parameters
        ----------
        state : ScoreState
            The lead's state (changed in place; unchanged on error).
        lead : dict
            The lead (for fit rules and threshold actions).
        activity : dict
            `kind`, `at` (a time or Unix seconds) and attributes.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The current time.
        json : bool, default False
            True: the signals as canonical JSON text.

        Returns
        -------
        list of dict
            The signals: threshold crossings (with their actions) and the lead turning hot.

        Raises
        ------
        BadEventError
            An activity after `now` beyond the tolerance.
        """
    @overload
    def apply(
        self,
        state: ScoreState,
        lead: _JsonObject,
        activity: _JsonObject,
        now: _Time,
        *,
        json: Literal[True],
    ) -> str:
        """`apply`, the signals as canonical JSON text."""
    @overload
    def check_thresholds(
        self, state: ScoreState, lead: _JsonObject, now: _Time, *, json: Literal[False] = False
    ) -> list[_JsonObject]:
        """Checks thresholds at `now` with no new activity (decay can carry a score across
        one between events).

        Parameters
        ----------
        state : ScoreState
            The lead's state (records what was checked).
        lead : dict
            The lead.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The current time.
        json : bool, default False
            True: the signals as canonical JSON text.

        Returns
        -------
        list of dict
            The crossings, as `apply` gives them.
        """
    @overload
    def check_thresholds(
        self, state: ScoreState, lead: _JsonObject, now: _Time, *, json: Literal[True]
    ) -> str:
        """`check_thresholds`, the signals as canonical JSON text."""
    def card(
        self, state: ScoreState, lead: _JsonObject, now: _Time, *, explain: bool = False
    ) -> ScoreCard:
        """The score card of an incremental state at `now`.

        Parameters
        ----------
        state : ScoreState
            The lead's state.
        lead : dict
            The lead.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The scoring instant (decay runs to it).
        explain : bool, default False
            Whether the card carries the breakdown.

        Returns
        -------
        ScoreCard
        """
    def predict_crossing(
        self,
        state: ScoreState,
        lead: _JsonObject,
        model: str,
        threshold: float,
        now: _Time,
        horizon: _Horizon,
    ) -> datetime | None:
        """When `model`'s score will cross `threshold` if no new activity arrives (decay and
        windows moving it), the GIL released.

        Parameters
        ----------
        state : ScoreState
            The lead's state.
        lead : dict
            The lead.
        model : str
            The score model.
        threshold : float
            The score to cross.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            From when.
        horizon : timedelta or float
            How far to look (a float: days).

        Returns
        -------
        datetime or None
            The first crossing in `(now, now + horizon]` (UTC), or None.

        Raises
        ------
        InputError
            An unknown model or a negative horizon.
        """
    def score_columns(
        self,
        leads: _Leads | None,
        events: _Events | None,
        now: _Time,
        *,
        explain: bool = False,
        extra: Literal["error", "custom"] = "error",
        threads: int = 1,
        progress: Callable[[int, int], object] | None = None,
        id_column: str = "lead_id",
    ) -> BatchResult:
        """Scores a batch of leads from event columns, with the GIL released.

        Event rows that cannot count (an unknown lead, no time, a time after `now` beyond the
        tolerance, a value the attribute cannot hold) are left out, listed in the result's
        `errors`, and summed up in one `LeadcoreWarning`; the rest is scored. Ctrl-C stops a
        long batch between chunks.

        Parameters
        ----------
        leads : list of dict, table or None
            Lead dicts, or a table of flat lead columns: the id (`lead_id`, `id`, or the
            `id_column`), built-in fields by flat name (`channel`, `employees`, `region`,
            `created_at`, ...) and declared custom fields; nulls are absent values. None
            scores the leads the events name, in order of first appearance.
        events : table or None
            A dict of columns (lists, tuples, numpy, Arrow, pandas or polars) or a pandas,
            polars or pyarrow table: the lead id, `kind`, `at`, optional attributes (`page`,
            `seconds`, `campaign`, `form_id`, `content_id`, `attrs.NAME`). `at` takes Unix
            seconds, aware datetimes, numpy.datetime64 (UTC) or RFC 3339 strings, as a list,
            an array or a column alike. None when no model has a behaviour rule.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The scoring instant: timezone-aware, or numpy.datetime64 read as UTC.
        explain : bool, default False
            Whether to keep every lead's breakdown (`cards`, `explanations`).
        extra : {"error", "custom"}, default "error"
            What a leads column that is no known field does: raise, or become a custom field.
        threads : int, default 1
            Threads to score on (the same scores, bit for bit, on any number).
        progress : callable, optional
            Called as `progress(done, total)` between chunks of about a million rows and
            once at the end (`done == total`), on the calling thread; an exception it raises
            stops the batch and is raised.
        id_column : str, default "lead_id"
            The name of the lead id column in `leads` (besides `id`), in `events`, and in
            every table out.

        Returns
        -------
        BatchResult
            Scores and grades per lead and model; `errors`, the event rows not counted.

        Raises
        ------
        InputError
            A naive datetime (with a hint), NaT, a bad or misspelt column (naming the closest
            name), duplicate lead ids, `events=None` with a behaviour rule.
        TypeError
            A value of no accepted type.
        KeyboardInterrupt
            Ctrl-C during the batch.

        Warns
        -----
        LeadcoreWarning
            Once, when event rows were not counted: how many, for each reason.
        """
    def score_many(
        self,
        leads: _Leads | None,
        events: _Events | None,
        now: _Time,
        *,
        extra: Literal["error", "custom"] = "error",
        threads: int = 1,
        progress: Callable[[int, int], object] | None = None,
        id_column: str = "lead_id",
    ) -> pandas.DataFrame:
        """`score_columns(...).to_pandas()`: the scores as a pandas DataFrame.

        Parameters
        ----------
        leads, events, now, extra, threads, progress, id_column
            As for `score_columns`.

        Returns
        -------
        pandas.DataFrame
            Indexed by the lead id (`id_column`), one row per lead: `score_<model>` (float64)
            and `grade_<model>` for the models with grade bands. Needs pandas and pyarrow
            (`pip install "leadcore[pandas]"`).

        Raises
        ------
        ImportError
            pandas or pyarrow is missing.
        InputError, TypeError
            As for `score_columns`.

        Warns
        -----
        LeadcoreWarning
            Once, when event rows were not counted (`score_columns(...).errors` lists them).
        """
    def routing_state(self) -> RoutingState:
        """A fresh routing state (no lead assigned yet), for `route`, `route_batch`,
        `route_many` and `route_columns`.

        Returns
        -------
        RoutingState
        """
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
        """Routes one lead and records the assignment in `state` (unchanged on error).

        Parameters
        ----------
        state : RoutingState
            Rep counters and round-robin positions (changed in place).
        lead : dict
            The lead in the core's shape.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When (working hours, out-of-office, daily caps).
        scores : mapping of str to float, optional
            Scores by model, for `score` conditions of the rules.
        json : bool, default False
            True: the decision as canonical JSON text.

        Returns
        -------
        dict
            `lead_id`, `at`, `assignee` (`{"rep": id}` or `{"queue": name}`), `rule`,
            `unassigned` (`{code, message}` for the unassignable queue), `trace` (every rule
            tried, every rep passed over and why), `actions`.

        Raises
        ------
        InputError
            A lead of the wrong shape.
        """
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
        """Routes many leads in order, exactly as one `route` after another (fair within the
        batch), with the GIL released; `state` is unchanged on error.

        Parameters
        ----------
        state : RoutingState
            Changed in place.
        leads : list of dict or table
            Lead dicts or a leads table as for `score_columns`.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When.
        extra : {"error", "custom"}, default "error"
            As for `score_columns`.
        json : bool, default False
            True: the decisions as a canonical JSON array.

        Returns
        -------
        list of dict
            The decisions, as `route` gives them.
        """
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
        id_column: str = "lead_id",
    ) -> pandas.DataFrame:
        """`route_columns(...).to_pandas()`: the assignments as a pandas DataFrame.

        Parameters
        ----------
        state, leads, now, extra, id_column
            As for `route_columns`.

        Returns
        -------
        pandas.DataFrame
            Indexed by the lead id, one row per lead in order: `assignee_kind`, `assignee`,
            `rule`, `unassigned_code` (categoricals), `unassigned_reason`. Needs pandas and
            pyarrow; `state` is not changed when one is missing.

        Raises
        ------
        ImportError
            pandas or pyarrow is missing.
        """
    def route_columns(
        self,
        state: RoutingState,
        leads: _Leads,
        now: _Time,
        *,
        extra: Literal["error", "custom"] = "error",
        id_column: str = "lead_id",
    ) -> ArrowTable:
        """Routes many leads as `route_batch` does (same assignments and state changes) but
        without the trace, the result as Arrow columns; needs no table library.

        Parameters
        ----------
        state : RoutingState
            Changed in place (unchanged on error).
        leads : list of dict or table
            Lead dicts or a leads table as for `score_columns`.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When.
        extra : {"error", "custom"}, default "error"
            As for `score_columns`.
        id_column : str, default "lead_id"
            The name of the leads table's id column (besides `id`) and of the id column out.

        Returns
        -------
        ArrowTable
            Indexed by the lead id: the id, `assignee_kind` ("rep"/"queue"), `assignee`,
            `rule`, `unassigned_code` (these four dictionary-encoded), `unassigned_reason`.
        """
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
        """Every SLA policy's status for one lead at `now`.

        Parameters
        ----------
        lead : dict
            The lead (its `created_at` often starts a clock).
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When the clocks are read.
        activities : sequence of dict, optional
            Its activities (`kind`, `at`): first touches stop clocks.
        stages : LeadState or sequence of dict, optional
            Its stage entries (a LeadState's history, or `{"at", "stage"}` dicts).
        json : bool, default False
            True: the statuses as canonical JSON text.

        Returns
        -------
        list of dict
            Per policy: `lead_id`, `policy`, `status` (`not_applicable`, `not_started`,
            `pending`, `due_soon`, `paused`, `met`, `breached`), `started_at`,
            `stopped_at`, `deadline`, `elapsed_seconds`, `remaining_seconds` (business
            time), `next_change`, `escalation`, `actions`.
        """
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
        """The lead's clock under every policy: what a host stores to read many clocks at
        once with `sla_board`.

        Parameters
        ----------
        lead, now, activities, stages
            As for `sla_status`.

        Returns
        -------
        list of dict
            `policy`, `lead_id`, `applies`, `started_at`, `stopped_at`, `paused_seconds`,
            `paused_since`, `breached_at`.
        """
    def sla_board(self, policy: str, clocks: Any, now: _Time) -> ArrowTable:
        """One policy's stored clocks read at `now`, many at once (GIL released).

        Parameters
        ----------
        policy : str
            The SLA policy.
        clocks : table
            A dict of columns or a pandas, polars or pyarrow table: `started_at`, and
            optionally `stopped_at`, `paused_since`, `breached_at` (datetimes or Unix
            seconds; null: none), `paused_seconds`, `applies`, `lead_id` (passed through).
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When the clocks are read.

        Returns
        -------
        ArrowTable
            Indexed by `lead_id` when given: `lead_id`, `status`, `deadline`,
            `elapsed_seconds`, `remaining_seconds`, `next_change`, `escalation`.

        Raises
        ------
        InputError
            An unknown policy or a bad column.
        """
    def sla_status_many(
        self,
        leads: _Leads,
        now: _Time,
        *,
        events: Any = None,
        stages: Any = None,
        extra: Literal["error", "custom"] = "error",
        id_column: str = "lead_id",
    ) -> ArrowTable:
        """Every lead's status under every policy at `now`, many leads at once (GIL
        released).

        Parameters
        ----------
        leads : list of dict or table
            As for `score_columns`.
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            When the clocks are read.
        events : table, optional
            An events table as for `score_columns`.
        stages : table, optional
            Stage entries: the lead id, `at`, `stage`.
        extra : {"error", "custom"}, default "error"
            As for `score_columns`.
        id_column : str, default "lead_id"
            The lead id column's name in every table in and out.

        Returns
        -------
        ArrowTable
            Indexed by (lead id, `policy`), one row per lead and policy: the id, `policy`,
            `status`, `started_at`, `stopped_at`, `deadline`, `elapsed_seconds`,
            `remaining_seconds`, `next_change`, `escalation`, `attempts`.

        Raises
        ------
        InputError
            An event or stage row that cannot be used, naming the rows (an SLA computed
            without some of a lead's data would be silently wrong).
        """
    @staticmethod
    def sla_metrics(statuses: Sequence[_JsonObject], groups: Sequence[str]) -> list[_JsonObject]:
        """Speed-to-lead figures: statuses summed by group and policy.

        Parameters
        ----------
        statuses : sequence of dict
            Statuses as `sla_status` gives them.
        groups : sequence of str
            One group per status (a rep, a team, a month).

        Returns
        -------
        list of dict
            `group`, `policy`, `leads`, `not_started`, `open`, `due_soon`, `met`,
            `breached`, `breach_rate`, `median_seconds_to_stop`, `p90_seconds_to_stop`,
            `mean_seconds_to_stop`.
        """
    def __reduce__(self) -> tuple[Any, tuple[str, str]]: ...

@final
class LeadState:
    """One record's lifecycle state in one pipeline: plain data the host persists (JSON,
    pickle), changed only by `Playbook.transition`.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> state = pb.start("lead", "L-1", t)
    >>> _ = pb.transition(state, "MQL", actor=("mia", "marketing"), now=t, scores={"lead": 120})
    >>> state.current, state.highest
    ('MQL', 'MQL')
    >>> state.dwell(t + timedelta(hours=2))[1]
    {'seconds': 7200, 'stage': 'MQL', 'visits': 1}
    >>> leadcore.LeadState.from_json(state.to_json()) == state
    True
    """

    @property
    def pipeline(self) -> str:
        """The pipeline."""
    @property
    def record_id(self) -> str:
        """The record's id."""
    @property
    def current(self) -> str:
        """The current stage."""
    @property
    def highest(self) -> str | None:
        """The furthest stage reached along the pipeline's order (None before any)."""
    @property
    def entered_at(self) -> datetime:
        """When the record entered its current stage (UTC)."""
    @property
    def schema_version(self) -> int:
        """The version of the state's stored form."""
    @property
    def history(self) -> list[_JsonObject]:
        """Every move: `at`, `from`, `to`, `actor`, `reason`, oldest first."""
    def dwell(self, now: _Time) -> list[_JsonObject]:
        """Time spent in each stage up to `now`.

        Parameters
        ----------
        now : datetime, pandas.Timestamp, numpy.datetime64 or str
            The end of the current stay.

        Returns
        -------
        list of dict
            Per stage visited: `stage`, `seconds`, `visits`.

        Raises
        ------
        TimeOrderError
            `now` is before the last move.
        """
    def to_json(self) -> str:
        """The state as canonical JSON text (what `from_json` reads).

        Returns
        -------
        str
        """
    @classmethod
    def from_json(cls, text: str) -> LeadState:
        """A state from its JSON text.

        Parameters
        ----------
        text : str
            As `to_json` gives it.

        Returns
        -------
        LeadState

        Raises
        ------
        VersionError
            A stored form of another schema version.
        InputError
            Text of the wrong shape.
        """
    def to_dict(self) -> _JsonObject:
        """The state as a dict in its JSON shape.

        Returns
        -------
        dict
        """
    def copy(self) -> LeadState:
        """An independent copy.

        Returns
        -------
        LeadState
        """
    def __copy__(self) -> LeadState: ...
    def __deepcopy__(self, memo: Any, /) -> LeadState: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ScoreCard:
    """One lead's scores at one time: every model's score and grade, hotness, zombie status,
    and the breakdown when explained (immutable; renders as a table in notebooks).

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> lead = {"id": "B", "firmographics": {"employees": 120, "title": "CTO"}}
    >>> card = pb.score(lead, [{"kind": "email_opened", "at": t}], t)
    >>> card.scores
    {'engagement': 2.0, 'fit': 30.0, 'lead': 32.0}
    >>> card.grade("fit"), card.hot
    ('B', False)
    >>> [r["rule"] for r in card.models[0]["rules"] if r["occurrences"]]
    ['welcome_email_opened']
    """

    @property
    def lead_id(self) -> str:
        """The lead."""
    @property
    def at(self) -> datetime:
        """The time scored at (UTC)."""
    @property
    def hot(self) -> bool:
        """Whether the lead is hot at `at`."""
    @property
    def zombie(self) -> _JsonObject | None:
        """The zombie flag (`follow_ups`, `since`, `last_engagement`, `action`), or None."""
    @property
    def models(self) -> list[_JsonObject]:
        """Each model's breakdown, in declaration order: `model`, `score`, `grade`, `rules`
        (`rule`, `type`, `group`, `occurrences`, `points`, `contributions` when explained)
        and `adjustments` (caps, floors, combined terms); a score is exactly the sum of its
        rules' and adjustments' points."""
    @property
    def scores(self) -> dict[str, float]:
        """Every model's score by name."""
    def score(self, model: str) -> float:
        """One model's score.

        Parameters
        ----------
        model : str
            The model.

        Returns
        -------
        float

        Raises
        ------
        InputError
            No model of that name.
        """
    def grade(self, model: str) -> str | None:
        """One model's grade.

        Parameters
        ----------
        model : str
            The model.

        Returns
        -------
        str or None
            The grade band the score falls in; None outside every band or for a model with
            no bands.

        Raises
        ------
        InputError
            No model of that name.
        """
    def to_dict(self) -> _JsonObject:
        """The card as a dict in its JSON shape.

        Returns
        -------
        dict
        """
    def to_json(self) -> str:
        """The card as canonical JSON text (the bytes the Rust and C doors give).

        Returns
        -------
        str
        """
    @classmethod
    def from_json(cls, text: str) -> ScoreCard:
        """A card from its JSON text.

        Parameters
        ----------
        text : str
            As `to_json` gives it.

        Returns
        -------
        ScoreCard
        """
    def _repr_html_(self) -> str: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class RoutingState:
    """What routing remembers between decisions: rep counters, round-robin positions, owner
    maps and absences; plain data the host persists, changed by `Playbook.route`,
    `route_batch`, `route_many` and `route_columns` (and the setters here).

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> state = pb.routing_state()
    >>> state.set_open_leads("ana", 3)
    >>> state.counters("ana")["open_leads"]
    3
    >>> leadcore.RoutingState.from_json(state.to_json()) == state
    True
    """

    @property
    def schema_version(self) -> int:
        """The version of the state's stored form."""
    def counters(self, rep: str) -> _JsonObject:
        """One rep's counters.

        Parameters
        ----------
        rep : str
            The rep.

        Returns
        -------
        dict
            `open_leads`, `assigned_today`, `day`, `assigned_value`, `win_rate`.
        """
    def set_open_leads(self, rep: str, open: int) -> None:
        """Sets the open leads a rep holds (the host's count).

        Parameters
        ----------
        rep : str
            The rep.
        open : int
            Open leads.
        """
    def lead_closed(self, rep: str) -> None:
        """One of a rep's leads closed, converted or died: one open lead fewer.

        Parameters
        ----------
        rep : str
            The rep.
        """
    def set_win_rate(self, rep: str, win_rate: float) -> None:
        """Sets a rep's win rate (for rules that weigh it).

        Parameters
        ----------
        rep : str
            The rep.
        win_rate : float
            From 0 to 1.

        Raises
        ------
        InputError
            A rate outside 0 to 1.
        """
    def set_out_of_office(self, rep: str, start: _Time, end: _Time) -> None:
        """Records that `rep` is away from `start` to `end` (passed over meanwhile).

        Parameters
        ----------
        rep : str
            The rep.
        start, end : datetime, pandas.Timestamp, numpy.datetime64 or str
            The absence.
        """
    def clear_out_of_office(self, rep: str) -> None:
        """Forgets the absences recorded for `rep` in this state.

        Parameters
        ----------
        rep : str
            The rep.
        """
    def set_account_owner(self, account_id: str, rep: str) -> None:
        """Records that `rep` owns the account (account-based routing).

        Parameters
        ----------
        account_id : str
            The account.
        rep : str
            Its owner.
        """
    def set_domain_owner(self, domain: str, rep: str) -> None:
        """Records that `rep` owns the e-mail domain.

        Parameters
        ----------
        domain : str
            The domain (`example.com`).
        rep : str
            Its owner.
        """
    def to_json(self) -> str:
        """The state as canonical JSON text.

        Returns
        -------
        str
        """
    @classmethod
    def from_json(cls, text: str) -> RoutingState:
        """A state from its JSON text.

        Parameters
        ----------
        text : str
            As `to_json` gives it.

        Returns
        -------
        RoutingState

        Raises
        ------
        VersionError, InputError
            Another schema version, or text of the wrong shape.
        """
    def to_dict(self) -> _JsonObject:
        """The state as a dict in its JSON shape.

        Returns
        -------
        dict
        """
    def copy(self) -> RoutingState:
        """An independent copy.

        Returns
        -------
        RoutingState
        """
    def __copy__(self) -> RoutingState: ...
    def __deepcopy__(self, memo: Any, /) -> RoutingState: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ScoreState:
    """One lead's incremental scoring state: the counted events per rule, plain data the
    host persists; changed by `Playbook.record`, `apply` and `check_thresholds`.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> state = pb.score_state("B")
    >>> pb.apply(state, {"id": "B"}, {"kind": "trial_signup", "at": t}, t)
    []
    >>> pb.card(state, {"id": "B"}, t).score("engagement")
    25.0
    >>> leadcore.ScoreState.from_json(state.to_json()) == state
    True
    """

    @property
    def lead_id(self) -> str:
        """The lead."""
    @property
    def schema_version(self) -> int:
        """The version of the state's stored form."""
    @property
    def checked_at(self) -> datetime | None:
        """When thresholds were last checked (UTC), or None."""
    def to_json(self) -> str:
        """The state as canonical JSON text.

        Returns
        -------
        str
        """
    @classmethod
    def from_json(cls, text: str) -> ScoreState:
        """A state from its JSON text.

        Parameters
        ----------
        text : str
            As `to_json` gives it.

        Returns
        -------
        ScoreState

        Raises
        ------
        VersionError, InputError
            Another schema version, or text of the wrong shape.
        """
    def to_dict(self) -> _JsonObject:
        """The state as a dict in its JSON shape.

        Returns
        -------
        dict
        """
    def copy(self) -> ScoreState:
        """An independent copy.

        Returns
        -------
        ScoreState
        """
    def __copy__(self) -> ScoreState: ...
    def __deepcopy__(self, memo: Any, /) -> ScoreState: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class BatchResult:
    """The scores of a batch: a row per lead (in the order of `leads`), a column per model,
    and the event rows that were not counted. Reads as an Arrow table (`lead_id`,
    `score_<model>`, `grade_<model>` for graded models) through `__arrow_c_stream__`, and
    converts with `to_arrow()`, `to_pandas()` and `to_polars()`.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> events = {"lead_id": ["A", "B", "B"], "kind": ["email_opened", "email_clicked", "email_opened"],
    ...           "at": [t, t, t]}
    >>> r = pb.score_columns([{"id": "A"}, {"id": "B"}], events, t)
    >>> r.models, r.lead_ids
    (['engagement', 'fit', 'lead'], ['A', 'B'])
    >>> r.scores
    [[2.0, 0.0, 2.0], [7.0, 0.0, 7.0]]
    >>> r.score("B", "engagement")
    7.0
    >>> r.errors.num_rows
    0
    """

    @property
    def models(self) -> list[str]:
        """Model names: the column order of `scores` and `grades`."""
    @property
    def lead_ids(self) -> list[str]:
        """The leads' ids in row order (integer ids in decimal; the tables out keep them
        integers)."""
    @property
    def scores(self) -> list[list[float]]:
        """One list per lead with a score per model."""
    @property
    def grades(self) -> list[list[str | None]]:
        """One list per lead with a grade (or None) per model."""
    @property
    def row_errors(self) -> list[_JsonObject]:
        """The event rows not counted, as dicts `{row, reason, message}` (`errors` as a
        table)."""
    @property
    def errors(self) -> ArrowTable:
        """The event rows not counted: `row` (uint64, 0-based), `reason` (`unknown_lead`,
        `invalid_time`, `in_future`, `bad_value`), `message`; empty when every row
        counted."""
    @property
    def explanations(self) -> ArrowTable:
        """Every lead's scores explained as a tidy long table (scored with `explain=True`;
        `InputError` otherwise): the lead id, `model`, `rule`, `kind` (`behaviour`, `fit`,
        `group_cap`, `combined`, `model_cap`, `model_floor`), `events` (counted; null on
        adjustments), `raw_points` (before decay), `decay_factor`, `cap` (what a cap or
        floor added), `points` (after the cap). A model's `points` add up to its score."""
    @property
    def cards(self) -> list[ScoreCard]:
        """Every lead's `ScoreCard` with its breakdown, in row order (scored with
        `explain=True`; `InputError` otherwise): the cards `Playbook.score` gives."""
    def score(self, lead_id: str | int, model: str) -> float:
        """One lead's score in one model.

        Parameters
        ----------
        lead_id : str or int
            The lead (an int for an integer id).
        model : str
            The model.

        Returns
        -------
        float

        Raises
        ------
        InputError
            No such lead in the batch, or no such model.
        """
    def to_dict(self) -> _JsonObject:
        """The result in its JSON shape: `models`, `scores` and `grades` flat and lead-major
        (`scores[lead * len(models) + model]`), `row_errors`.

        Returns
        -------
        dict
        """
    def to_json(self) -> str:
        """The result as canonical JSON text (the bytes the Rust and C doors give).

        Returns
        -------
        str
        """
    def to_arrow(self) -> pyarrow.Table:
        """The scores as a pyarrow Table (needs pyarrow).

        Returns
        -------
        pyarrow.Table
            The lead id (strings, or integers of the type they came in), `score_<model>`
            (float64), `grade_<model>` (string; null outside every band).

        Raises
        ------
        ImportError
            pyarrow is missing (`pip install "leadcore[pyarrow]"`).
        """
    def to_pandas(self, *, index: bool = True, arrow_dtypes: bool = False) -> pandas.DataFrame:
        """The scores as a pandas DataFrame (needs pandas and pyarrow).

        Parameters
        ----------
        index : bool, default True
            Index the frame by the lead id (False: keep it a column).
        arrow_dtypes : bool, default False
            Keep every column Arrow-backed (`pandas.ArrowDtype`).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas or pyarrow is missing (`pip install "leadcore[pandas]"`).
        """
    def to_polars(self) -> polars.DataFrame:
        """The scores as a polars DataFrame (needs polars).

        Returns
        -------
        polars.DataFrame

        Raises
        ------
        ImportError
            polars is missing (`pip install "leadcore[polars]"`).
        """
    def _repr_html_(self) -> str: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class ArrowTable:
    """A table leaving leadcore, what every other batch call returns: read it with
    `to_arrow()`, `to_pandas()` (indexed by its natural key, e.g. the lead id) or
    `to_polars()`, or hand it to anything that reads the Arrow C stream interface
    (`pa.table(t)`, `pl.DataFrame(t)`, duckdb) without a copy. Renders as HTML in notebooks.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> table = pb.route_columns(pb.routing_state(), {"lead_id": ["X", "Y"]}, t)
    >>> table.num_rows, table.column_names[:3]
    (2, ['lead_id', 'assignee_kind', 'assignee'])
    >>> table.index_columns
    ['lead_id']
    """

    @property
    def num_rows(self) -> int:
        """The number of rows."""
    @property
    def column_names(self) -> list[str]:
        """The column names."""
    @property
    def index_columns(self) -> list[str]:
        """The columns `to_pandas()` makes the index (empty: a default index)."""
    def to_arrow(self) -> pyarrow.Table:
        """The table as a pyarrow Table (needs pyarrow).

        Returns
        -------
        pyarrow.Table

        Raises
        ------
        ImportError
            pyarrow is missing (`pip install "leadcore[pyarrow]"`).
        """
    def to_pandas(self, *, index: bool = True, arrow_dtypes: bool = False) -> pandas.DataFrame:
        """The table as a pandas DataFrame (needs pandas and pyarrow).

        Parameters
        ----------
        index : bool, default True
            Index the frame by `index_columns` (False: a default index).
        arrow_dtypes : bool, default False
            Keep every column Arrow-backed (`pandas.ArrowDtype`).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas or pyarrow is missing (`pip install "leadcore[pandas]"`).
        """
    def to_polars(self) -> polars.DataFrame:
        """The table as a polars DataFrame (needs polars).

        Returns
        -------
        polars.DataFrame

        Raises
        ------
        ImportError
            polars is missing (`pip install "leadcore[polars]"`).
        """
    def _repr_html_(self) -> str: ...
    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...
    def __len__(self) -> int: ...

@overload
def odoo_score(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """Odoo's predictive lead scoring (naive Bayes over a frequency table), one run.

    Trains a frequency table from closed records (or starts from a stored one), applies live
    writes to it in order, then scores leads as one batch, as Odoo's `crm.lead` does. The
    GIL is released while it runs.

    Parameters
    ----------
    input : dict or str
        The run, or its JSON text (unknown keys are refused):

        - ``"config"``: ``{"stages": [{"id", "sequence", "won"?}], "fields"?: [..],
          "keep_unset"?: [..], "start_date"?: "YYYY-MM-DD", "bug_compatible"?: bool}``,
          every stage (Odoo orders them by sequence), the lead fields used as variables
          (``"tag_ids"`` adds a variable per tag), the fields counted even when unset
          (default ``["email_state", "phone_state"]``), the day before which leads are
          ignored, and whether to reproduce Odoo's quirks (default False).
        - ``"train"``: records to train on, ``[{"id", "team"?, "stage"?, "status"?: "won" |
          "lost" | "open", "values"?: {field: text}, "tags"?: [..], "create_date"?}]``
          (open ones are ignored); or ``"table"``: a stored table, ``{"schema_version": 1,
          "rows": [{"team", "variable", "value", "won", "lost"}]}``. Not both; neither
          starts from an empty table.
        - ``"live"``: leads the writes act on, ``[{"record": {..a record..}, "active"?:
          True, "probability"?: 0}]``; ``"writes"``: ``[{"id", "stage"?, "active"?,
          "probability"?}]`` in order; ``"semantics"``: ``"won_status"`` (default, the
          newest Odoo) or ``"legacy"`` (Odoo 16-17).
        - ``"score"``: the records to score; ``"explain"``: add each score's explanation
          (default False); ``"show_table"``: return the final table's rows of these
          variables (``[]``: all of them).
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"predictions": [{"id": str, "probability": float | None, "explanation"?: {"pool":
        "team" | "all", "prior_won", "prior_lost", "factors": [{"variable", "value", "won",
        "lost"}], "skipped": [[variable, value]], "s_won", "s_lost"}}], "writes": [[str]],
        "table"?: [{"team", "variable", "value", "won", "lost"}]}``. A probability is in
        percent with two decimals: 0 without a stage, 100 in a won stage, else 0.01 to
        99.99; None when the pool has no history (Odoo keeps the stored one). Each write
        gives the changes it counted, in order: ``"reach_won"``, ``"leave_won"``,
        ``"reach_lost"``, ``"leave_lost"``.

    Raises
    ------
    InputError
        Bad JSON, an unknown or missing key, a value of the wrong type, no stage, both
        `train` and `table`, a write naming no live lead, a stored table of another
        `schema_version`.

    Examples
    --------
    >>> config = {"stages": [{"id": "new", "sequence": 1}, {"id": "won", "sequence": 70, "won": True}],
    ...           "fields": ["country"]}
    >>> train = [{"id": "a", "stage": "new", "status": "lost", "values": {"country": "FR"}},
    ...          {"id": "b", "stage": "won", "status": "won", "values": {"country": "BE"}},
    ...          {"id": "c", "stage": "won", "status": "won", "values": {"country": "FR"}}]
    >>> out = leadcore.odoo_score({"config": config, "train": train,
    ...     "score": [{"id": "d", "stage": "new", "values": {"country": "FR"}}, {"id": "e"}]})
    >>> out["predictions"]
    [{'id': 'd', 'probability': 51.01}, {'id': 'e', 'probability': 0.0}]

    A write moving a live lead into the won stage counts one more won lead:

    >>> leadcore.odoo_score({"config": config, "train": train,
    ...     "live": [{"record": {"id": "L", "stage": "new"}}], "writes": [{"id": "L", "stage": "won"}]},
    ...     json=True)
    '{"predictions":[],"writes":[["reach_won"]]}'
    """
@overload
def odoo_score(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`odoo_score`, the result as canonical JSON text."""

_Table: TypeAlias = dict[str, Any] | _ArrowStream | _ArrowArray
_Outcomes: TypeAlias = Iterable[bool] | Iterable[int] | _ArrowStream | _ArrowArray

from typing import NotRequired, TypedDict

# What LogisticModel.summary holds.
class _FitSummary(TypedDict):
    rows: int
    positives: int
    coefficients: int
    iterations: int
    converged: bool
    calibration_folds: int

@final
class LogisticModel:
    """The `logistic` predictive mode, scikit-learn style.

    A regularised logistic regression (one-hot categoricals, binned or standardised
    numbers, optional team pooling), calibrated out of fold, with per-feature log-odds
    explanations. `X` is a pandas, polars or pyarrow table or a dict of columns (strings,
    categories and booleans for categorical features, numbers of any width and booleans for
    numeric ones; nulls are missing values); `y` one bool or 0/1 per row (True/1: won). A
    fitted model is immutable and shared between threads (`fit` replaces it); it is stored
    with `to_json` and pickles.

    Examples
    --------
    >>> import numpy as np
    >>> model = leadcore.LogisticModel({"calibration": "none",
    ...     "features": [{"name": "source", "kind": "categorical", "min_count": 1}]})
    >>> X = {"source": ["web", "fair", "web", "fair", "web", "fair"]}
    >>> model.fit(X, [True, False, True, False, False, True])
    LogisticModel(features=['source'], rows=6, positives=3)
    >>> np.round(model.predict_proba({"source": ["web", "fair", None]}), 3)
    array([[0.429, 0.571],
           [0.571, 0.429],
           [0.5  , 0.5  ]])
    >>> model.classes_
    [False, True]
    """

    def __new__(cls, config: _JsonObject | str | None = None) -> LogisticModel:
        """A model to fit.

        Parameters
        ----------
        config : dict or str, optional
            The configuration, or its JSON text: ``{"features": [{"name", "kind":
            "categorical" | "numeric", "min_count"?, "bins"?, "linear"?, "log"?,
            "missing_values"?}], "l2"?, "group"?, "group_l2"?, "calibration"?: "platt" |
            "isotonic" | "none", "folds"?, "seed"?, "max_iterations"?, "schema"?}``. None:
            `fit` makes every column of `X` a feature (strings, categories and booleans
            categorical, numbers numeric).

        Raises
        ------
        InputError
            Bad JSON, an unknown key or a value of the wrong type.

        Examples
        --------
        >>> leadcore.LogisticModel()
        LogisticModel(features=None, fitted=False)
        """
    def fit(self, X: _Table, y: _Outcomes, *, schema: str | None = None) -> LogisticModel:
        """Trains on `X` and `y`, with the GIL released.

        Parameters
        ----------
        X : dict of columns, pandas, polars or pyarrow table
            The rows to learn from, one column per feature (and the `group` column, when
            configured); other columns are ignored.
        y : sequence of bool or 0/1, numpy array, pandas, polars or Arrow series
            Each row's outcome: True or 1 won, False or 0 lost.
        schema : str, optional
            The schema (playbook or feature-set id) the columns of `X` follow: a model whose
            config sets ``"schema"`` trains and scores only frames tagged with it.

        Returns
        -------
        LogisticModel
            `self`, fitted (a failed fit leaves it as it was).

        Raises
        ------
        InputError
            An empty `X`, outcomes all won or all lost, a number of outcomes other than
            the number of rows, a missing column or one of the wrong type, a `schema` other
            than the one the config sets (or none when it sets one).
        TypeError
            `X` not a dict of columns or a table, `y` None or not a sequence.

        Examples
        --------
        >>> model = leadcore.LogisticModel()
        >>> model.fit({"source": ["web", "fair"] * 3, "visits": [3, 1, 4, 1, 0, 2]},
        ...           [1, 0, 1, 0, 0, 1])
        LogisticModel(features=['source', 'visits'], rows=6, positives=3)
        """
    def predict_proba(
        self, X: _Table, *, schema: str | None = None
    ) -> numpy.ndarray[tuple[int, int], numpy.dtype[numpy.float64]]:
        """Each row's probabilities, as scikit-learn gives them (GIL released).

        Parameters
        ----------
        X : dict of columns, pandas, polars or pyarrow table
            The rows to score, with the columns the model reads (a value it never saw, or a
            null, counts as missing).
        schema : str, optional
            The schema the columns follow (see `fit`).

        Returns
        -------
        numpy.ndarray
            float64, shape ``(rows, 2)``: column 0 the probability of lost, column 1 of won
            (calibrated), each row summing to 1; the columns follow `classes_`. (Nested lists
            when numpy is not installed.)

        Raises
        ------
        InputError
            A model not fitted, a missing column or one of the wrong type, a `schema` other
            than the one the model's config sets.
        TypeError
            `X` not a dict of columns or a table.

        Examples
        --------
        >>> import numpy as np
        >>> model = leadcore.LogisticModel({"calibration": "none",
        ...     "features": [{"name": "source", "kind": "categorical", "min_count": 1}]})
        >>> p = model.fit({"source": ["web", "fair"] * 3}, [1, 0, 1, 0, 0, 1]).predict_proba(
        ...     {"source": ["web"]})
        >>> p.shape, np.round(p, 3)
        ((1, 2), array([[0.429, 0.571]]))
        """
    def predict_logit(
        self, X: _Table, *, schema: str | None = None
    ) -> numpy.ndarray[tuple[int], numpy.dtype[numpy.float64]]:
        """Each row's logit (log-odds before calibration), with the GIL released.

        Parameters
        ----------
        X : dict of columns, pandas, polars or pyarrow table
            The rows to score.
        schema : str, optional
            The schema the columns follow (see `fit`).

        Returns
        -------
        numpy.ndarray
            float64, shape ``(rows,)``: the sum of each row's `explain` contributions. (A
            list when numpy is not installed.)

        Raises
        ------
        InputError
            A model not fitted, a missing column or one of the wrong type, a `schema` other
            than the one the model's config sets.
        TypeError
            `X` not a dict of columns or a table.

        Examples
        --------
        >>> import numpy as np
        >>> model = leadcore.LogisticModel({"calibration": "none",
        ...     "features": [{"name": "source", "kind": "categorical", "min_count": 1}]})
        >>> z = model.fit({"source": ["web", "fair"] * 3}, [1, 0, 1, 0, 0, 1]).predict_logit(
        ...     {"source": ["web", "fair"]})
        >>> np.round(z, 3)
        array([ 0.287, -0.287])
        """
    @overload
    def explain(self, X: _Table, *, json: Literal[False] = False, schema: str | None = None) -> ArrowTable:
        """Each row's explanation: what every feature added to its log-odds (GIL released).

        Parameters
        ----------
        X : dict of columns, pandas, polars or pyarrow table
            The rows to explain.
        json : bool, default False
            Return the core's canonical JSON list of explanations instead (each with
            `intercept`, `contributions` [{`feature`, `value`, `logit`}], `logit`,
            `raw_probability`, `probability`).
        schema : str, optional
            The schema the columns follow (see `fit`).

        Returns
        -------
        ArrowTable
            In long form, a row per input row and term: `row` (uint64, the input row),
            `feature` (str: ``"(intercept)"`` first, then each feature and the group),
            `value` (str, what the row held as text; null for the intercept),
            `contribution` (float64, log-odds). A row's contributions sum to its logit.

        Raises
        ------
        InputError
            A model not fitted, a missing column or one of the wrong type, a `schema` other
            than the one the model's config sets.
        TypeError
            `X` not a dict of columns or a table.

        Examples
        --------
        >>> import pyarrow as pa
        >>> model = leadcore.LogisticModel({"calibration": "none",
        ...     "features": [{"name": "source", "kind": "categorical", "min_count": 1}]})
        >>> _ = model.fit({"source": ["web", "fair"] * 3}, [1, 0, 1, 0, 0, 1])
        >>> t = pa.table(model.explain({"source": ["web"]}))
        >>> t.column("feature").to_pylist(), t.column("value").to_pylist()
        (['(intercept)', 'source'], [None, 'web'])
        >>> round(sum(t.column("contribution").to_pylist()), 3)
        0.287
        """
    @overload
    def explain(self, X: _Table, *, json: Literal[True], schema: str | None = None) -> str:
        """`explain`, the core's canonical JSON list of explanations."""
    @property
    def is_fitted(self) -> bool:
        """Whether `fit` (or `from_json`, or unpickling a fitted model) gave it a model."""
    @property
    def config(self) -> _JsonObject | None:
        """The configuration as a dict: the fitted model's (every default and inferred
        feature filled in), else the one given; None for an unfitted model without one."""
    @property
    def summary(self) -> _FitSummary | None:
        """How the fit went (`rows`, `positives`, `coefficients`, `iterations`,
        `converged`, `calibration_folds`); None before `fit`."""
    @property
    def classes_(self) -> list[bool]:
        """The classes in `predict_proba`'s column order: ``[False, True]`` (lost, won)."""
    def to_json(self) -> str:
        """The fitted model as versioned JSON text.

        Returns
        -------
        str
            Text `from_json` reads back to a model that scores identically.

        Raises
        ------
        InputError
            The model is not fitted.

        Examples
        --------
        >>> model = leadcore.LogisticModel().fit({"source": ["web", "fair"] * 3}, [1, 0, 1, 0, 0, 1])
        >>> leadcore.LogisticModel.from_json(model.to_json()).to_json() == model.to_json()
        True
        """
    @classmethod
    def from_json(cls, text: str) -> LogisticModel:
        """A fitted model from the text of `to_json`.

        Parameters
        ----------
        text : str
            A model's JSON text.

        Returns
        -------
        LogisticModel
            The model, fitted, with its configuration.

        Raises
        ------
        VersionError
            Text of another `schema_version`.
        InputError
            Bad JSON or an inconsistent model.

        Examples
        --------
        >>> model = leadcore.LogisticModel().fit({"source": ["web", "fair"] * 3}, [1, 0, 1, 0, 0, 1])
        >>> leadcore.LogisticModel.from_json(model.to_json())
        LogisticModel(features=['source'], rows=6, positives=3)
        """
    def __reduce__(self) -> tuple[Any, tuple[_JsonObject | None], str | None]: ...
    def __setstate__(self, state: str | None) -> None: ...

def pipeline_metrics(
    opportunities: Any,
    *,
    stages: Sequence[str | Mapping[str, str]],
    period: tuple[_Time, _Time] | Sequence[_Time],
    history: Any | None = None,
    group_by: str | Sequence[str] | None = None,
    qualified_from: str | None = None,
) -> ArrowTable:
    """Pipeline metrics per group and stage in one call, with the GIL released.

    For the period ``[from, to)``, `to` being the snapshot: the four V's of each stage
    (volume entered and in stage, value, velocity as dwell, conversion to the next stage),
    then the group's win rate on qualified pipeline (new business and expansion apart),
    average deal size, sales cycle and sales velocity. A ratio over zero is null, never NaN.

    Parameters
    ----------
    opportunities : dict of columns, pandas, polars or pyarrow table
        One row per opportunity: `opportunity_id` (or `id`: text, or integers of any width,
        matched as integers) and optionally `owner`, `team`,
        `manager`, `office`, `source`, `pipeline`, `kind` (``new_business``, ``upsell``,
        ``cross_sell``), `amount` (integer minor units) with `currency`, `created_at`
        (timestamps, dates or Unix seconds) and `stage` (the current stage, for rows
        without history).
    stages : sequence of str or dict
        The pipeline's stages in order: a name is an open stage, ``{"name", "kind"}`` gives
        another kind (``won``, ``lost``, ``nurture``, ``disqualified``).
    period : (from, to)
        The period: a pair (tuple or list) of times.
    history : dict of columns or table, optional
        Stage entries: `opportunity_id` (of the opportunities' type), `at` (timestamps,
        dates, Unix seconds or RFC 3339 text) and `stage`, in any row order (fastest in
        time order within each opportunity, as an export in time order is).
    group_by : str or sequence of str, optional
        Keys to group by: ``owner``, ``team``, ``manager``, ``office``, ``source``,
        ``pipeline``, ``kind``.
    qualified_from : str, optional
        The open or won stage from which an opportunity counts as qualified for the win
        rate and the velocity (default: every opportunity).

    Returns
    -------
    ArrowTable
        A row per group and stage, in stage order: the group keys (str, one column each),
        `stage`, `stage_kind` (str: `open`, `won`, `lost`, ...), `entered`, `in_stage`,
        `converted` (uint64),
        `conversion_to_next` (float64), `dwell_count` (uint64), `dwell_mean_s` (float64),
        `dwell_median_s`, `dwell_p90_s` (int64 seconds), `currency` (str),
        `value_entered`, `value_in_stage` (int64 minor units), then the group's
        `opportunities`, `won`, `lost` (uint64), `win_rate`, `win_rate_new_business`,
        `win_rate_expansion` (float64), `won_value`, `average_deal_size` (int64),
        `cycle_mean_s` (float64), `cycle_median_s`, `cycle_p90_s` (int64),
        `open_qualified` (uint64), `sales_velocity_per_day` (int64 minor units per day).

    Raises
    ------
    UnknownStageError
        A stage of an opportunity, of the history or `qualified_from` not in `stages`.
    InputError
        A `period` not a pair or empty, a bad stage kind, an unknown `group_by` key, a
        repeated opportunity, a history entry before the creation, a `stage` other than
        the last history entry's, mixed currencies in a group, a column of the wrong type,
        text in a time column that is no RFC 3339 time (naming the row).
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> day = lambda d: datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=d)
    >>> opps = {"opportunity_id": ["A", "B"], "amount": [1000, 2000], "currency": ["USD", "USD"]}
    >>> hist = {"opportunity_id": ["A", "B", "B"], "at": [day(4), day(9), day(50)],
    ...         "stage": ["Lead", "Lead", "Won"]}
    >>> t = leadcore.pipeline_metrics(opps, stages=["Lead", {"name": "Won", "kind": "won"}],
    ...     period=(day(0), day(59)), history=hist)
    >>> pa.table(t).select(["stage", "entered", "in_stage", "win_rate"]).to_pylist()
    [{'stage': 'Lead', 'entered': 2, 'in_stage': 1, 'win_rate': 1.0},
     {'stage': 'Won', 'entered': 1, 'in_stage': 1, 'win_rate': 1.0}]
    """

@overload
def pipeline_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[False] = False
) -> _JsonObject:
    """The full pipeline report from its wire form (as the C door and the vectors take it).

    Parameters
    ----------
    input : dict or str
        ``{"stages"?: [..as for pipeline_metrics..], "pipeline"?, "period": {"from", "to"},
        "qualified_from"?, "group_by"?: [..], "opportunities": [{"id", "owner"?, "team"?,
        "manager"?, "office"?, "source"?, "pipeline"?, "kind"?, "amount"?: {"minor",
        "currency"}, "created_at"?, "stage"?, "history"?: [{"at", "stage"}]}]}``, or its
        JSON text; `history` in time order.
    playbook : Playbook, optional
        Resolves ``"pipeline"`` (a pipeline's name) when ``"stages"`` is absent.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"groups": [{"key": {key: value}, "period", "stages": [{"stage", "kind", "next",
        "entered", "in_stage", "converted", "conversion_to_next", "dwell": {"count",
        "mean_seconds", "median_seconds", "p90_seconds"}, "value_entered",
        "value_in_stage"}], "opportunities", "win_rate": {"won", "lost", "rate",
        "new_business", "expansion"}, "won_value", "average_deal_size", "cycle",
        "open_qualified", "sales_velocity"}]}``; values are ``{currency: minor units}``.

    Raises
    ------
    UnknownStageError
        A stage not in the pipeline.
    UnknownPipelineError
        ``"pipeline"`` names no pipeline of `playbook`.
    InputError
        Bad JSON or an unknown field (located), neither ``"stages"`` nor a playbook
        ``"pipeline"``, an empty period, history out of order or before the creation.

    Examples
    --------
    >>> r = leadcore.pipeline_report({"stages": ["Lead", {"name": "Won", "kind": "won"}],
    ...     "period": {"from": "2026-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
    ...     "opportunities": [{"id": "A", "history": [{"at": "2026-01-05T00:00:00Z", "stage": "Lead"},
    ...                                               {"at": "2026-02-10T00:00:00Z", "stage": "Won"}]}]})
    >>> [(s["stage"], s["entered"]) for s in r["groups"][0]["stages"]]
    [('Lead', 1), ('Won', 1)]
    >>> r["groups"][0]["win_rate"]["rate"]
    1.0
    """
@overload
def pipeline_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[True]
) -> str:
    """`pipeline_report`, the result as canonical JSON text."""

# The tables bottlenecks returns (a dict).
class _Bottlenecks(TypedDict):
    stages: ArrowTable
    lost_at_stage: ArrowTable
    leaks: ArrowTable
    closest: ArrowTable

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
) -> _Bottlenecks:
    """Bottlenecks of a deal pipeline in one call, with the GIL released.

    Over the period and a trailing baseline of `baseline_periods` periods of the same
    length just before it: the open stages accumulating deals or holding them longer than
    usual, the deals lost by stage, the leaks (deals in a stage past its threshold) and the
    deals closest to closing.

    Parameters
    ----------
    opportunities : dict of columns, pandas, polars or pyarrow table
        `opportunity_id` (or `id`: text or integers, named in the results by their decimal
        text) and optionally `owner`, `team`, `manager`, `office`,
        `source`, `pipeline`, `kind`, `amount` (integer minor units) with `currency`,
        `created_at` and `stage` (the current stage, for rows without history). The same
        table `pipeline_metrics` reads.
    history : dict of columns or table, optional
        Stage entries: `opportunity_id`, `at` (timestamps, dates or Unix seconds) and
        `stage`, in any row order (sorted by time per opportunity).
    stages : sequence of str or dict
        The pipeline's stages in order: a name is an open stage, ``{"name", "kind"}`` gives
        another kind (``won``, ``lost``, ...).
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
        Per open stage, the time in it after which a deal leaks (``"30d"``, ``"1w"``,
        ``timedelta(days=30)``); other stages use the baseline's p90 dwell.

    Returns
    -------
    dict of str to ArrowTable
        ``"stages"``: a row per open stage, `stage` (str), `bottleneck`, `accumulating`,
        `slow` (bool), `in_stage` (uint64), `baseline_in_stage`, `accumulation` (float64),
        `dwell_count` (uint64), `dwell_mean_s` (float64), `dwell_median_s`, `dwell_p90_s`
        (int64), `baseline_dwell_count` (uint64), `baseline_dwell_median_s`,
        `baseline_dwell_p90_s` (int64), `dwell_ratio` (float64), `leak_threshold_s`
        (int64). ``"lost_at_stage"``: `stage` (str; null for losses with no open stage
        before them), `count` (uint64), `currency` (str), `value` (int64).
        ``"leaks"``, longest first: `opportunity_id`, `stage`, `owner` (str),
        `in_stage_s`, `days_in_stage`, `threshold_s`, `amount` (int64), `currency` (str).
        ``"closest"``: `opportunity_id`, `stage`, `owner` (str), `in_stage_s`,
        `days_in_stage`, `amount` (int64), `currency` (str). Times in seconds.

    Raises
    ------
    UnknownStageError
        A stage of an opportunity, of its history or of `leak_after` is not in `stages`.
    InputError
        An empty period, a bad threshold or duration, a history entry before the
        creation, a repeated opportunity, a stage row naming no opportunity, losses from
        one stage in several currencies.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table; a `leak_after`
        that is not a dict of str to str or timedelta.

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
    >>> sorted(t)
    ['closest', 'leaks', 'lost_at_stage', 'stages']
    >>> pa.table(t["leaks"]).column("opportunity_id").to_pylist()
    ['A']
    """

# The tables lead_metrics returns (a dict; by_owner only when asked).
class _LeadMetrics(TypedDict):
    funnel: ArrowTable
    summary: ArrowTable
    by_source: ArrowTable
    by_owner: NotRequired[ArrowTable]

def lead_metrics(
    leads: Any,
    history: Any,
    *,
    period: tuple[_Time, _Time] | Sequence[_Time],
    stages: Mapping[str, Sequence[str]] | None = None,
    benchmarks: Mapping[str, Mapping[str, float]] | None = None,
    by_owner: bool = False,
) -> _LeadMetrics:
    """Lead metrics in one call, with the GIL released.

    Milestones (MQL, SRL, SQL, Opportunity, Won) reached in the period, the cohort
    conversions MQL→SRL, SRL→SQL and SQL→Won against their benchmarks, lead velocity, the
    time from MQL to SQL, and the same funnel by source (and by owner).

    Parameters
    ----------
    leads : dict of columns, pandas, polars or pyarrow table
        `lead_id` (or `id`: text, or integers taken as their decimal text) and optionally
        `source`, `owner` and `created_at`.
    history : dict of columns, pandas, polars or pyarrow table
        Stage entries: `lead_id`, `at` (timestamps, dates or Unix seconds) and `stage`, in
        any row order (sorted by time per lead).
    period : (from, to)
        The period; `to` is the snapshot. Aware datetimes or pandas Timestamps,
        numpy.datetime64 values (read as UTC) or RFC 3339 strings.
    stages : dict, optional
        The stages of each milestone, ``{"mql": [..], "srl": [..], "sql": [..],
        "opportunity": [..], "won": [..], "others": [..]}``; default: the seeds' lifecycle
        (MQL; SRL, SAL; SQL, SQL Contacted, SQL Scheduled; Opportunity; Won; and Suspect,
        Lost, Nurture, Disqualified).
    benchmarks : dict, optional
        Benchmarks replacing the seeds' per step: ``{"sql_to_won": {"low": 0.25, "high":
        0.35}}`` (steps `mql_to_srl`, `srl_to_sql`, `sql_to_won`).
    by_owner : bool, default False
        Whether to add the ``"by_owner"`` table.

    Returns
    -------
    dict of str to ArrowTable
        ``"funnel"``: a row per step, `step`, `from`, `to` (str), `cohort`, `converted`
        (uint64), `rate`, `benchmark_low`, `benchmark_high` (float64), `verdict` (str:
        ``below``, ``within``, ``above``; null without a rate). ``"summary"``: one row,
        `leads`, `mql`, `srl`, `sql`, `opportunity`, `won`, `previous_mqls` (uint64),
        `mql_growth_percent` (float64), `mql_to_sql_count` (uint64), `mql_to_sql_mean_s`
        (float64), `mql_to_sql_median_s`, `mql_to_sql_p90_s` (int64). ``"by_source"`` and,
        when asked, ``"by_owner"``: a row per group, missing key first: the key (str),
        `leads` and the milestones reached (uint64), and per step `<step>_cohort`,
        `<step>_converted` (uint64), `<step>` (float64, the rate), `<step>_verdict` (str).

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
    >>> sorted(t)
    ['by_source', 'funnel', 'summary']
    >>> pa.table(t["funnel"]).column("verdict").to_pylist()
    ['above', 'above', 'below']
    """

@overload
def bottleneck_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[False] = False
) -> _JsonObject:
    """The full bottleneck report from its wire form (as the C door and the vectors take it).

    Parameters
    ----------
    input : dict or str
        ``{"stages" or "pipeline", "period": {"from", "to"}, "baseline_periods"?,
        "factor"?, "min_count"?, "closest"?, "leak_after"?: {stage: "30d"},
        "opportunities": [{"id", "owner"?, .., "amount"?, "created_at"?, "stage"?,
        "history": [{"at", "stage"}]}]}``, or its JSON text.
    playbook : Playbook, optional
        Resolves ``"pipeline"`` (a pipeline's name) when ``"stages"`` is absent.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"period", "baseline": {"from", "to"}, "baseline_periods", "deals",
        "bottlenecks": [..the flagged stages..], "stages": [{"stage", "bottleneck",
        "reasons", "in_stage", "baseline_in_stage", "accumulation", "dwell",
        "baseline_dwell", "dwell_ratio", "leak_threshold_seconds"}], "lost_at_stage":
        [{"stage", "count", "value"}], "leaks": [..], "closest_to_closing": [{"id",
        "stage", "owner", "seconds_in_stage", "days_in_stage", "amount"}]}``.

    Raises
    ------
    UnknownStageError
        A stage not in the pipeline.
    UnknownPipelineError
        ``"pipeline"`` names no pipeline of `playbook`.
    InputError
        Bad JSON or an unknown field, an empty period, a bad threshold, history out of
        order or before the creation.

    Examples
    --------
    >>> r = leadcore.bottleneck_report({"stages": ["Open"], "period": {"from":
    ...     "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"},
    ...     "opportunities": [{"id": "A", "stage": "Open"}]})
    >>> r["deals"], r["bottlenecks"], r["closest_to_closing"][0]["id"]
    (1, [], 'A')
    """
@overload
def bottleneck_report(
    input: _JsonObject | str, *, playbook: Playbook | None = None, json: Literal[True]
) -> str:
    """`bottleneck_report`, the result as canonical JSON text."""
@overload
def lead_report(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """The full lead report from its wire form (as the C door and the vectors take it).

    Parameters
    ----------
    input : dict or str
        ``{"period": {"from", "to"}, "stages"?: {"mql", "srl", "sql", "opportunity",
        "won", "others"?}, "benchmarks"?: {step: {"low", "high"}}, "by_owner"?,
        "leads": [{"id", "source"?, "owner"?, "created_at"?, "history": [{"at",
        "stage"}]}]}``, or its JSON text.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"period", "funnel": {"leads", "reached": {"mql", "srl", "sql", "opportunity",
        "won"}, "mql_to_srl", "srl_to_sql", "sql_to_won"}, "velocity": {"mqls",
        "previous_mqls", "previous", "growth_percent"}, "mql_to_sql": {"count",
        "mean_seconds", "median_seconds", "p90_seconds"}, "by_source": [..], "by_owner":
        [..] or None}``; each step is ``{"cohort", "converted", "rate", "benchmark":
        {"low", "high"}, "verdict"}``, each group a funnel with its ``"key"``.

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
    >>> r["funnel"]["reached"]["mql"], r["funnel"]["mql_to_srl"]["verdict"]
    (1, 'below')
    """
@overload
def lead_report(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`lead_report`, the result as canonical JSON text."""
@overload
def activity_report(input: _JsonObject | str, *, json: Literal[False] = False) -> _JsonObject:
    """The rep-activity report from its wire form (as the C door and the vectors take it).

    Parameters
    ----------
    input : dict or str
        ``{"period": {"from", "to"}, "activities": [{"kind", "at", "actor"?, "id"?, ..}]}``
        (a task is a ``task_assigned`` and a ``task_done`` sharing an `id`), or its JSON
        text.
    json : bool, default False
        Return canonical JSON text instead of a dict.

    Returns
    -------
    dict
        ``{"period", "activities": int (in the period), "unattributed": int (of them,
        without an actor), "reps": [{"rep", "total", "by_kind": {kind: int}, "tasks":
        {"assigned", "done", "open"}}]}``.

    Raises
    ------
    InputError
        Bad JSON or an unknown field, an empty period, a task activity without an `id`,
        an assignment without an `actor`.

    Examples
    --------
    >>> r = leadcore.activity_report({"period": {"from": "2026-02-01T00:00:00Z", "to":
    ...     "2026-03-01T00:00:00Z"}, "activities": [
    ...     {"kind": "call", "at": "2026-02-02T00:00:00Z", "actor": "ann"},
    ...     {"kind": "task_assigned", "id": "t1", "at": "2026-02-02T00:00:00Z", "actor": "ann"},
    ...     {"kind": "email_opened", "at": "2026-02-03T00:00:00Z"}]})
    >>> r["activities"], r["unattributed"], r["reps"]
    (3, 1, [{'by_kind': {'call': 1, 'task_assigned': 1}, 'rep': 'ann',
             'tasks': {'assigned': 1, 'done': 0, 'open': 1}, 'total': 2}])
    """
@overload
def activity_report(input: _JsonObject | str, *, json: Literal[True]) -> str:
    """`activity_report`, the result as canonical JSON text."""

@overload
def forecast(
    deals: Any,
    *,
    fiscal_start_month: int = 1,
    weeks: Literal["4-4-5", "4-5-4", "5-4-4"] | None = None,
    granularity: Literal["period", "quarter", "year"] = "quarter",
    categories: Mapping[str, Any] | None = None,
    trials: None = None,
    seed: int | None = None,
    quotas: Sequence[Mapping[str, Any]] | None = None,
    threads: int | None = None,
) -> tuple[ArrowTable, None]:
    """Weighted pipeline and, with `trials`, a seeded Monte Carlo forecast (GIL released).

    Each deal counts in the span (fiscal period, quarter or year) its close date falls in,
    under its stage's category; each simulated trial closes every open deal in its span
    with its probability (deals of the ``closed`` category count as won).

    Parameters
    ----------
    deals : dict of columns, pandas, polars or pyarrow table
        Columns `id` (str, or int taken as its decimal text), `amount` (int, minor units),
        `currency` (str), `close_date` (dates, datetimes or ``YYYY-MM-DD`` strings), `stage`
        (str), `probability` (float in [0, 1]) and optionally `category_override` (a
        category name or None).
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
        thread count and platform. Needs `trials`.
    quotas : list of dict, optional
        ``[{"period": {"year", "granularity", "index"}, "amount": {"minor", "currency"}}]``,
        of the forecast's granularity; each quota's span gets `p_reach_quota`. Needs
        `trials`.
    threads : int, optional
        Threads of the simulation (default: all cores).

    Returns
    -------
    weighted : ArrowTable
        A row per currency, span and category: `period` (str, ``FY2026-Q1``,
        ``FY2026-P02``, ``FY2026``), `year` (int32, the fiscal year), `granularity` (str),
        `index` (int32, the span's number in the year), `currency`, `category` (str),
        `count` (uint64), `amount`, `weighted` (int64 minor units).
    monte_carlo : ArrowTable or None
        None without `trials`; else a row per span: `period`, `year`, `granularity`,
        `index`, `currency` as above, `closed` (int64, won already), `expected`, `mean`
        (float64), `p10`, `p50`, `p90` (int64), `quota` (int64, null without one),
        `p_reach_quota` (float64, null without a quota).

    Raises
    ------
    InputError
        A missing column or value, a negative amount, a probability outside [0, 1], mixed
        currencies in a simulation (the message names the deal); a bad calendar,
        granularity, category or trial count; `seed` or `quotas` without `trials`; a quota
        of another granularity.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> deals = {"id": ["A", "B"], "amount": [400, 1200], "currency": ["USD", "USD"],
    ...          "close_date": ["2026-02-01", "2026-05-01"], "stage": ["Won", "Demo"],
    ...          "probability": [1.0, 0.5]}
    >>> weighted, mc = leadcore.forecast(deals, categories={"Won": "closed"})
    >>> pa.table(weighted).select(["period", "category", "amount", "weighted"]).to_pylist()
    [{'period': 'FY2026-Q1', 'category': 'closed', 'amount': 400, 'weighted': 400},
     {'period': 'FY2026-Q2', 'category': 'pipeline', 'amount': 1200, 'weighted': 600}]
    >>> mc is None
    True
    >>> _, mc = leadcore.forecast(deals, categories={"Won": "closed"}, trials=1000, seed=7)
    >>> pa.table(mc).column("expected").to_pylist()
    [400.0, 600.0]
    """
@overload
def forecast(
    deals: Any,
    *,
    fiscal_start_month: int = 1,
    weeks: Literal["4-4-5", "4-5-4", "5-4-4"] | None = None,
    granularity: Literal["period", "quarter", "year"] = "quarter",
    categories: Mapping[str, Any] | None = None,
    trials: int,
    seed: int | None = None,
    quotas: Sequence[Mapping[str, Any]] | None = None,
    threads: int | None = None,
) -> tuple[ArrowTable, ArrowTable]:
    """`forecast` with `trials`: the Monte Carlo table is always there."""

@overload
def forecast_report(
    input: _JsonObject | str, *, threads: int | None = None, json: Literal[False] = False
) -> _JsonObject:
    """The forecast from its wire form (as the C door and the vectors take it).

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
        ``{"weighted": [{"currency", "period": {"year", "granularity", "index"},
        "category", "totals": {"count", "amount", "weighted"}}], "monte_carlo"?: {"seed",
        "trials", "currency", "periods": [{"period", "closed", "expected", "mean", "p10",
        "p50", "p90", "quota"?, "p_reach_quota"?}]}}``.

    Raises
    ------
    InputError
        Bad JSON or an unknown or missing field (located), and the errors of
        :func:`forecast`.

    Examples
    --------
    >>> r = leadcore.forecast_report({"calendar": {"start_month": 1}, "deals": [{"id": "A",
    ...     "amount": {"minor": 400, "currency": "USD"}, "close_date": "2026-02-01",
    ...     "stage": "Demo", "probability": 0.5}]})
    >>> r["weighted"]
    [{'category': 'pipeline', 'currency': 'USD', 'period': {'granularity': 'quarter', 'index': 1,
      'year': 2026}, 'totals': {'amount': 400, 'count': 1, 'weighted': 200}}]
    """
@overload
def forecast_report(
    input: _JsonObject | str, *, threads: int | None = None, json: Literal[True]
) -> str:
    """`forecast_report`, the result as canonical JSON text."""

# A deal history: a dict of columns, or a pandas, polars or pyarrow table.
_Deals: TypeAlias = dict[str, Any] | _ArrowStream | _ArrowArray
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
    stage_history: _Deals | None = None,
) -> tuple[ArrowTable, ArrowTable, ArrowTable]:
    """Forecast windows from a deal history with the model learned from it (GIL released).

    The model, fitted as of `as_of` from the deals created before it and the outcomes dated
    before it, learns the win rate, the realisation (won value over amount), the win
    probability of each stage (from the deals that passed through it, shrunk toward the
    overall rate), the time to close (per stage when it has enough closes), the close-date
    slips, the flow of deals not yet created, the season within the fiscal quarter and how
    much the rates move; each window gets its expectation and a seeded distribution, an open
    deal winning with its current stage's probability and, when it has an expected close,
    closing on it plus a learned slip.

    Parameters
    ----------
    deals : dict of columns, pandas, polars or pyarrow table
        Columns `opportunity_id` (str, or int taken as its decimal text), `owner` (str,
        optional), `amount` (int, minor units), `currency` (str), `created` (dates, datetimes or ``YYYY-MM-DD`` strings),
        `closed` (the same, None while open), `won` (bool, None while open) and optionally
        `value` (int, the won value; None gives the amount for a won deal, 0 for a lost one)
        and `expected_close` (dates, None where none was kept; not before `created`).
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
        `seasonality` (all True), `stage_prior` (10.0, pseudo-deals at the overall rate),
        `min_stage_closes` (30), `min_slips` (20).
    fiscal_start_month : int, default 1
        Month (1-12) the fiscal year starts in (for the season index).
    weeks : {"4-4-5", "4-5-4", "5-4-4"}, optional
        Retail week pattern of each quarter.
    stage_history : dict of columns, pandas, polars or pyarrow table, optional
        The open stages each deal entered: `opportunity_id` (as the deals'), `stage` (str),
        `entered` (dates; on or after the creation, not after the close), a row per entry,
        any order.

    Returns
    -------
    windows : ArrowTable
        A row per window: `from`, `to` (date32), `currency` (str), `expected`,
        `from_pipeline`, `from_new_deals` (float64: the expectation and its two parts),
        `season` (float64, the window's season index), `mean` (float64), `p10`, `p50`,
        `p90` (int64) of the simulated won value, in minor units.
    model : ArrowTable
        One row: `as_of` (date32), `currency` (str), `win_rate`, `realisation`,
        `creation_rate` (float64; deals a day), `season_1`, `season_2`, `season_3`
        (float64, by month of the fiscal quarter), `win_spread`, `creation_spread`
        (float64), `won`, `closed` (uint64, the deals it learned from), `slip_count`
        (uint64), `slips_used` (bool), `slip_mean_days` (float64), `slip_p10`, `slip_p25`,
        `slip_p50`, `slip_p75`, `slip_p90` (int64 days; null without expected closes).
    stages : ArrowTable
        A row per stage seen (by name): `stage` (str), `closed`, `won`, `open` (uint64),
        `raw` (float64, won over closed; null without a close), `probability` (float64, the
        one used), `own_timing` (bool, its own time-to-close curve).

    Raises
    ------
    InputError
        A missing column or value, `closed` without `won`, a close or an expected close
        before the creation, a stage entry before the creation or after the close, a
        `stage_history` row naming no deal,
        mixed currencies, nothing closed before `as_of`, a window empty or before `as_of`,
        `trials` out of range, a bad calendar or model setting.
    TypeError
        A table that is not a dict of columns or an Arrow-compatible table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> deals = {"opportunity_id": ["A", "B", "X"], "amount": [100, 100, 1000],
    ...          "currency": ["USD"] * 3, "created": ["2026-01-01", "2026-01-02", "2026-01-25"],
    ...          "closed": ["2026-01-11", "2026-01-12", None], "won": [True, False, None]}
    >>> windows, model, stages = leadcore.forecast_history(deals, as_of="2026-01-30",
    ...     windows=[("2026-01-30", "2026-03-01")], model={"new_deals": False})
    >>> pa.table(windows).select(["from", "expected", "from_pipeline"]).to_pylist()
    [{'from': datetime.date(2026, 1, 30), 'expected': 500.0, 'from_pipeline': 500.0}]
    >>> pa.table(model).select(["win_rate", "won", "closed"]).to_pylist()
    [{'win_rate': 0.5, 'won': 1, 'closed': 2}]
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
        A row per method and window: `method` (str: ``fixed_40``, ``win_rate``,
        ``plain_monte_carlo``, ``historical``), `as_of`, `to` (date32), `actual` (int64,
        the won value), `point` (float64), `p10`, `p50`, `p90` (int64; null for the
        methods without an interval).
    scores : ArrowTable
        A row per method: `method` (str), `windows` (uint32, the windows scored: those with
        a positive actual), `mape` (float64), `pinball_10`, `pinball_50`, `pinball_90`
        (float64, relative to the actual), `covered` (uint32, windows whose actual lies in
        [P10, P90]); the last four null for the methods without an interval.
    reps : ArrowTable
        A row per owner (``""`` without one) under the historical model: `owner` (str),
        `expected` (float64), `actual` (int64), `bias` (float64, expected ÷ actual − 1; null
        when nothing was won).

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
    >>> pa.table(rows).select(["method", "point"]).to_pylist()[:2]
    [{'method': 'fixed_40', 'point': 400.0}, {'method': 'win_rate', 'point': 500.0}]
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
        A row per node, currency, span and category: `node`, `parent` (str; null for a
        root), `depth` (uint32, 0 for a root), `period` (str), `year` (int32),
        `granularity` (str), `index` (int32), `currency`, `category` (str), `own_count`
        (uint64), `own_amount`, `own_weighted` (int64), `total_count` (uint64),
        `total_amount`, `total_weighted` (int64).
    spans : ArrowTable
        A row per node, span and currency: `node`, `parent`, `depth`, `period`, `year`,
        `granularity`, `index`, `currency` as above, then the cumulative views
        `{closed,commit,best_case,pipeline}_count` (uint64), `_amount`, `_weighted`
        (int64; ``pipeline`` holds every category but omitted), `quota` (int64),
        `attainment`, `coverage` (float64; the three null without a quota).

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
    >>> pa.table(spans).select(["node", "depth", "closed_amount", "pipeline_amount"]).to_pylist()
    [{'node': 'ana', 'depth': 1, 'closed_amount': 400, 'pipeline_amount': 400},
     {'node': 'max', 'depth': 0, 'closed_amount': 400, 'pipeline_amount': 1600}]
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
        Bad JSON or an unknown or missing field (located), and the errors of
        :func:`forecast_history`.

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
    """Base class of every error leadcore raises.

    The class follows the error's stable code (``ERROR_CLASSES`` maps each code of
    ``ERROR_CODES`` to its class), so the Python door agrees with the C door's statuses;
    `str(e)` is the message. A failed call leaves its inputs (states, models) unchanged.
    Subclasses add the structured attributes of their family.

    Attributes
    ----------
    code : str
        The stable machine code, ``"family.detail"`` (``"input.invalid"``,
        ``"lifecycle.guard_failed"``, ...).
    report : dict
        The core's error report: ``{"code", "message"}`` and the family's fields.

    Examples
    --------
    >>> try:
    ...     leadcore.lead_report("{")
    ... except leadcore.LeadcoreError as e:
    ...     print(type(e).__name__, e.code)
    InputError input.invalid
    >>> leadcore.ERROR_CLASSES["lifecycle.unknown_pipeline"]
    <class 'leadcore._leadcore.UnknownPipelineError'>
    """

    code: str
    report: _JsonObject

class LeadcoreWarning(UserWarning):
    """Warned once by a batch call that left input rows out: how many, and why (each
    reason's count); the rows are in the result's `errors` table. A warning, not an error:
    the rest of the batch is scored. Filter it like any warning (`warnings.simplefilter`,
    pytest's `filterwarnings`).

    Examples
    --------
    >>> import warnings
    >>> pb = leadcore.Playbook.default()
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> events = {"lead_id": ["A", "ghost"], "kind": ["email_opened"] * 2, "at": [t, t]}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     r = pb.score_columns([{"id": "A"}], events, t)
    >>> print(caught[0].message)
    1 of 2 event rows not counted (1 unknown_lead); they are in the `errors` table of Playbook.score_columns' result
    >>> r.row_errors[0]["reason"]
    'unknown_lead'
    """

class PlaybookError(LeadcoreError):
    """A playbook could not be loaded: the base of `PlaybookParseError` and
    `PlaybookValidationError`.

    Attributes
    ----------
    code : str
        ``"playbook.parse"`` or ``"playbook.invalid"``.
    report : dict
        The core's error report.

    Examples
    --------
    >>> try:
    ...     leadcore.Playbook.parse("name: [")
    ... except leadcore.PlaybookError as e:
    ...     print(type(e).__name__)
    PlaybookParseError
    """

class PlaybookParseError(PlaybookError):
    """The playbook text is not valid YAML or JSON, or not of the playbook's shape
    (`Playbook.parse`, `Playbook.from_file`); code ``"playbook.parse"``.

    Attributes
    ----------
    format : str or None
        ``"yaml"`` or ``"json"``.
    path : str or None
        Where in the document: a dotted path, ``"(root)"`` for the whole.
    line, column : int or None
        The position in the text (1-based), when the parser knows it.

    Examples
    --------
    >>> try:
    ...     leadcore.Playbook.parse("name: [")
    ... except leadcore.PlaybookParseError as e:
    ...     print(e.format, e.path, e.line, e.column)
    yaml name 1 7
    """

    format: str | None
    path: str | None
    line: int | None
    column: int | None

class PlaybookValidationError(PlaybookError):
    """The input parsed but breaks rules: every problem at once, each located; code
    ``"playbook.invalid"``.

    Raised by `Playbook.parse` and `Playbook.from_file` for a playbook, and by
    `forecast_rollup` and `forecast_rollup_report` for a reporting hierarchy (a cycle, an
    unknown parent, a repeated node).

    Attributes
    ----------
    errors : list of dict
        Every problem: ``{"path", "code", "message"}`` (``"lifecycle.initial"``,
        ``"pipeline.unknown_initial"``, ...).

    Examples
    --------
    >>> text = "schema_version: 1\\nname: x\\nlifecycle: {name: lead, initial: B, stages: [{name: A}]}"
    >>> try:
    ...     leadcore.Playbook.parse(text)
    ... except leadcore.PlaybookValidationError as e:
    ...     print(e.errors)
    [{'code': 'pipeline.unknown_initial', 'message': 'initial stage `B` is not declared',
      'path': 'lifecycle.initial'}]
    """

    errors: list[_JsonObject]

class TransitionError(LeadcoreError):
    """A transition was refused and the state left unchanged: the base of
    `GuardFailedError`, `TransitionNotAllowedError`, `ReasonError` and `TimeOrderError`.

    Attributes
    ----------
    code : str
        ``"lifecycle.not_allowed"``, ``"lifecycle.guard_failed"``,
        ``"lifecycle.reason_required"``, ``"lifecycle.invalid_reason"`` or
        ``"lifecycle.time_went_backwards"``.
    report : dict
        The core's error report.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> state = pb.start("lead", "L-1", "2026-01-05T09:00:00Z")
    >>> try:
    ...     pb.transition(state, "Won", actor=("ada", "ae"), now="2026-01-05T10:00:00Z")
    ... except leadcore.TransitionError as e:
    ...     print(e.code, state.current)
    lifecycle.not_allowed Suspect
    """

class GuardFailedError(TransitionError):
    """Entry guards of the target stage refused the transition (`Playbook.transition`,
    `Playbook.check`); code ``"lifecycle.guard_failed"``.

    Attributes
    ----------
    failed_guards : list of dict
        Every guard that failed: ``{"guard", "check", "message"}``.
    from_stage, to_stage : str or None
        The move refused.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> state = pb.start("lead", "L-1", "2026-01-05T09:00:00Z")
    >>> try:
    ...     pb.check(state, "MQL", actor=("mia", "marketing"), now="2026-01-05T10:00:00Z")
    ... except leadcore.GuardFailedError as e:
    ...     print(e.from_stage, e.to_stage, e.failed_guards)
    Suspect MQL [{'check': 'score_at_least', 'guard': 'score_100',
                  'message': 'score `lead` was not supplied'}]
    """

    failed_guards: list[_JsonObject]
    from_stage: str | None
    to_stage: str | None

class TransitionNotAllowedError(TransitionError):
    """No such move is allowed from the current stage; code ``"lifecycle.not_allowed"``.

    Attributes
    ----------
    from_stage, to_stage : str or None
        The move refused.
    why : {"undeclared", "back_move_forbidden", "from_terminal", "same_stage"} or None
        Why: no such transition declared, a move back the pipeline forbids, a move out of
        a terminal stage, a move to the current stage.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> state = pb.start("lead", "L-1", "2026-01-05T09:00:00Z")
    >>> try:
    ...     pb.transition(state, "Won", actor=("ada", "ae"), now="2026-01-05T10:00:00Z")
    ... except leadcore.TransitionNotAllowedError as e:
    ...     print(e.from_stage, e.to_stage, e.why)
    Suspect Won undeclared
    """

    from_stage: str | None
    to_stage: str | None
    why: Literal["undeclared", "back_move_forbidden", "from_terminal", "same_stage"] | None

class ReasonError(TransitionError):
    """The target stage needs a reason and none was given (code
    ``"lifecycle.reason_required"``), or it does not accept the one given (code
    ``"lifecycle.invalid_reason"``).

    Attributes
    ----------
    stage : str or None
        The target stage.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> state = pb.start("lead", "L-1", "2026-01-05T09:00:00Z")
    >>> try:
    ...     pb.transition(state, "Nurture", actor=("mia", "marketing"), now="2026-01-05T10:00:00Z")
    ... except leadcore.ReasonError as e:
    ...     print(e.code, e.stage)
    lifecycle.reason_required Nurture
    """

    stage: str | None

class TimeOrderError(TransitionError):
    """`now` is earlier than the record's last move (a transition, or `LeadState.dwell`);
    code ``"lifecycle.time_went_backwards"``. No attributes beyond `code` and `report`.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> state = pb.start("lead", "L-1", "2026-01-05T09:00:00Z")
    >>> try:
    ...     state.dwell("2026-01-05T08:00:00Z")
    ... except leadcore.TimeOrderError as e:
    ...     print(e.code)
    lifecycle.time_went_backwards
    """

class ScoringError(LeadcoreError):
    """Scoring could not use its input: the base of `BadEventError`.

    Attributes
    ----------
    code : str
        ``"score.bad_event"``.
    report : dict
        The core's error report.

    Examples
    --------
    >>> issubclass(leadcore.BadEventError, leadcore.ScoringError)
    True
    """

class BadEventError(ScoringError):
    """A scoring event cannot be used (`Playbook.score`, `Playbook.record`,
    `Playbook.apply`); code ``"score.bad_event"``.

    Attributes
    ----------
    reason : str or None
        Why: ``"in_future"`` (the event is after `now`).

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> try:
    ...     pb.score({"id": "B"}, [{"kind": "email_opened", "at": "2026-01-06T09:00:00Z"}],
    ...              "2026-01-05T09:00:00Z")
    ... except leadcore.BadEventError as e:
    ...     print(e.reason)
    in_future
    """

    reason: str | None

class UnknownPipelineError(LeadcoreError):
    """No pipeline of that name in the playbook; code ``"lifecycle.unknown_pipeline"``.

    Raised by the `Playbook` methods taking a pipeline, and by `pipeline_report` and
    `bottleneck_report` when their ``"pipeline"`` is not one of `playbook`'s.

    Attributes
    ----------
    pipeline : str or None
        The name asked for.

    Examples
    --------
    >>> try:
    ...     leadcore.Playbook.default().stages("nope")
    ... except leadcore.UnknownPipelineError as e:
    ...     print(e.pipeline, e.report)
    nope {'code': 'lifecycle.unknown_pipeline', 'message': 'unknown pipeline `nope`', 'pipeline': 'nope'}
    """

    pipeline: str | None

class UnknownStageError(LeadcoreError):
    """No stage of that name in the pipeline; code ``"lifecycle.unknown_stage"``.

    Raised by the `Playbook` methods taking a stage, and by the deal analytics
    (`pipeline_metrics`, `bottlenecks` and their reports) for a stage not in `stages`
    (their pipeline is then called ``"pipeline"``).

    Attributes
    ----------
    pipeline : str or None
        The pipeline.
    stage : str or None
        The name asked for.

    Examples
    --------
    >>> try:
    ...     leadcore.Playbook.default().next_stages("lead", "Nowhere")
    ... except leadcore.UnknownStageError as e:
    ...     print(e.pipeline, e.stage)
    lead Nowhere
    """

    pipeline: str | None
    stage: str | None

class VersionError(LeadcoreError):
    """Stored data of a format version this build cannot read (`LeadState.from_json`,
    `ScoreState.from_json`, `RoutingState.from_json`, `LogisticModel.from_json`, ...); code
    ``"state.unsupported_version"``. No attributes beyond `code` and `report`.

    Examples
    --------
    >>> text = leadcore.Playbook.default().start("lead", "L-1", "2026-01-05T09:00:00Z").to_json()
    >>> try:
    ...     leadcore.LeadState.from_json(text.replace('"schema_version":1', '"schema_version":99'))
    ... except leadcore.VersionError as e:
    ...     print(e)
    unsupported state schema_version 99 (supported: 1)
    """

class InputError(LeadcoreError):
    """Input of the right Python type but the wrong shape or value; code
    ``"input.invalid"``.

    A naive datetime, a bad column, JSON that does not parse or has an unknown field (the
    message locates it), a value out of range, an empty period, a model not fitted. A
    value of the wrong Python type raises `TypeError` instead. No attributes beyond `code`
    and `report`.

    Examples
    --------
    >>> try:
    ...     leadcore.lead_report({"period": {"from": "2026-02-01T00:00:00Z",
    ...                                       "to": "2026-03-01T00:00:00Z"}, "leeds": []})
    ... except leadcore.InputError as e:
    ...     print(e)
    invalid input: lead metrics input at `leeds`: unknown field `leeds`, ...
    """

class InternalError(LeadcoreError):
    """leadcore failed inside: a bug (please report it with `report`); the call had no
    effect on its inputs.

    A panic in the engine becomes this error instead of pyo3's `PanicException`, so
    ``except Exception`` catches it.

    Attributes
    ----------
    code : str
        ``"internal.panic"``.
    report : dict
        ``{"code", "message"}``.

    Examples
    --------
    >>> issubclass(leadcore.InternalError, leadcore.LeadcoreError)
    True
    """

class InvalidHistoryError(InputError):
    """A history to replay is not one the pipeline could have produced (`Playbook.replay`);
    code ``"lifecycle.invalid_history"``.

    Attributes
    ----------
    pipeline : str or None
        The pipeline replayed.
    entries : list of dict
        Every bad entry: ``{"index", "code", "message"}``.

    Examples
    --------
    >>> pb = leadcore.Playbook.default()
    >>> try:
    ...     pb.replay("lead", "L-1", [{"from": None, "to": "Won", "at": "2026-01-05T09:00:00Z"}])
    ... except leadcore.InvalidHistoryError as e:
    ...     print([x["code"] for x in e.entries])
    ['history.not_initial']
    """

    pipeline: str | None
    entries: list[_JsonObject]
