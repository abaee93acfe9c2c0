"""leadcore: a lead-management engine (Rust core, Python door).

Load a playbook, start records, move them through their pipeline's stages, and read funnels:

>>> from datetime import datetime, timezone
>>> import leadcore
>>> pb = leadcore.Playbook.default()
>>> now = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
>>> state = pb.start("lead", "L-1", now)
>>> out = pb.transition(state, "MQL", actor=("mia", "marketing"), now=now, scores={"lead": 120})
>>> [a["kind"] for a in out["actions"]]
['notify']
>>> state.current, state.highest
('MQL', 'MQL')

Score leads from their activities, one at a time or as a batch of columns (a dict of lists or
numpy arrays, or a pandas, polars or pyarrow table):

>>> card = pb.score({"id": "B"}, [{"kind": "email_opened", "at": now}], now)
>>> card.score("engagement"), card.grade("fit")
(2.0, 'D')
>>> batch = pb.score_columns([{"id": "B"}], {"lead_id": ["B"], "kind": ["email_opened"], "at": [now]}, now)
>>> batch.models, batch.scores
(['engagement', 'fit', 'lead'], [[2.0, 0.0, 2.0]])

Route leads to reps with the playbook's ``routing`` rules; the :class:`RoutingState` (round-robin
positions, rep counters) is the host's to persist, and ``route_many`` takes a leads table and
gives a DataFrame of assignments with reasons:

>>> routing = pb.routing_state()
>>> d = pb.route(routing, {"id": "L-1"}, now)
>>> d["assignee"], d["unassigned"]["code"]
({'queue': 'unassigned'}, 'no_rules')

Learn from closed leads which ones convert (the ``logistic`` predictive mode), scikit-learn
style, from a pandas, polars or pyarrow table or a dict of columns:

>>> model = leadcore.LogisticModel({"features": [{"name": "source", "kind": "categorical", "min_count": 1}]})
>>> X = {"source": ["web", "fair", "web", "fair", "web", "fair"]}
>>> model.fit(X, [True, False, True, False, False, True]).predict_proba({"source": ["web"]}).shape
(1, 2)

Every error is a :class:`LeadcoreError` with a stable ``.code`` and a ``.report`` dict; its
subclass tells the family (``ERROR_CLASSES`` maps each code to its class). A refused
transition leaves the state as it was:

>>> try:
...     pb.transition(state, "Won", actor=("ada", "ae"), now=now)
... except leadcore.TransitionNotAllowedError as e:
...     print(e.code, e.why)
lifecycle.not_allowed undeclared
>>> state.current
'MQL'
"""

from ._leadcore import (
    CORE_VERSION,
    ERROR_CLASSES,
    ERROR_CODES,
    BadEventError,
    ArrowTable,
    BatchResult,
    GuardFailedError,
    InputError,
    InternalError,
    InvalidHistoryError,
    LeadcoreError,
    LeadcoreWarning,
    LeadState,
    LogisticModel,
    Playbook,
    PlaybookError,
    PlaybookParseError,
    PlaybookValidationError,
    ReasonError,
    RoutingState,
    ScoreCard,
    ScoreState,
    ScoringError,
    TimeOrderError,
    TransitionError,
    TransitionNotAllowedError,
    UnknownPipelineError,
    UnknownStageError,
    VersionError,
    __version__,
    activity_report,
    backtest,
    backtest_report,
    bottleneck_report,
    bottlenecks,
    lead_metrics,
    lead_report,
    forecast,
    forecast_history,
    forecast_history_report,
    forecast_report,
    forecast_rollup,
    forecast_rollup_report,
    odoo_score,
    pipeline_metrics,
    pipeline_report,
)

__all__ = [
    "BadEventError",
    "ArrowTable",
    "BatchResult",
    "CORE_VERSION",
    "ERROR_CLASSES",
    "ERROR_CODES",
    "GuardFailedError",
    "InputError",
    "InternalError",
    "InvalidHistoryError",
    "LeadState",
    "LogisticModel",
    "LeadcoreError",
    "LeadcoreWarning",
    "Playbook",
    "PlaybookError",
    "PlaybookParseError",
    "PlaybookValidationError",
    "ReasonError",
    "RoutingState",
    "ScoreCard",
    "ScoreState",
    "ScoringError",
    "TimeOrderError",
    "TransitionError",
    "TransitionNotAllowedError",
    "UnknownPipelineError",
    "UnknownStageError",
    "VersionError",
    "__version__",
    "activity_report",
    "backtest",
    "backtest_report",
    "bottleneck_report",
    "bottlenecks",
    "lead_metrics",
    "lead_report",
    "forecast",
    "forecast_history",
    "forecast_history_report",
    "forecast_report",
    "forecast_rollup",
    "forecast_rollup_report",
    "odoo_score",
    "pipeline_metrics",
    "pipeline_report",
]
