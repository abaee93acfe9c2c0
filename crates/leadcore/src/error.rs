//! The one error type of the core, with a stable machine code per variant. The C status and
//! the Python exception class are derived from [`Error::code`], so every door agrees.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem found while validating a playbook: where, what kind, and in words.
///
/// ```
/// use leadcore::Playbook;
/// let err = Playbook::from_json(r#"{"schema_version": 1,
///   "lifecycle": {"name": "lead", "initial": "Nope", "stages": [{"name": "A"}]}}"#)
///   .unwrap_err();
/// let issue = &err.issues()[0];
/// assert_eq!(issue.path, "lifecycle.initial");
/// assert_eq!(issue.code, "pipeline.unknown_initial");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// Where, e.g. `lifecycle.transitions[3].guards[0].field`.
    pub path: String,
    /// A stable code, e.g. `transition.unknown_stage`.
    pub code: String,
    /// What is wrong, for humans.
    pub message: String,
}

impl Issue {
    pub(crate) fn new(path: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Issue {
            path: path.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.path, self.message, self.code)
    }
}

/// One history entry [`crate::Playbook::replay`] refused: which entry, a stable code, and why
/// in words.
///
/// Codes: `history.start_expected`, `history.not_initial`, `history.unknown_stage`,
/// `history.from_mismatch`, `history.time_went_backwards`, `history.same_stage`,
/// `history.from_terminal`, `history.undeclared`, `history.back_move_forbidden`,
/// `history.reason_required`, `history.invalid_reason`, `history.guard_failed`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Playbook, TransitionRecord};
/// let pb = Playbook::default_playbook();
/// let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let start = TransitionRecord { at, from: None, to: "Suspect".into(), actor: None, reason: None };
/// let jump = TransitionRecord { from: Some("Suspect".into()), to: "Won".into(), ..start.clone() };
/// let err = pb.replay("lead", "L-1", &[start, jump]).unwrap_err();
/// let entry = &err.history_entries()[0];
/// assert_eq!((entry.index, entry.code.as_str()), (1, "history.undeclared"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HistoryIssue {
    /// Position of the entry in the history, from 0.
    pub index: usize,
    /// A stable code, e.g. `history.undeclared`.
    pub code: String,
    /// What is wrong, for humans.
    pub message: String,
}

impl HistoryIssue {
    pub(crate) fn new(index: usize, code: &str, message: impl Into<String>) -> Self {
        HistoryIssue {
            index,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for HistoryIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {}: {} ({})", self.index, self.message, self.code)
    }
}

/// A playbook text that could not be read at all (malformed JSON/TOML/YAML, a wrong type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    /// `json`, `toml` or `yaml`.
    pub format: String,
    /// Path of the value that failed, when known (`lifecycle.stages[2].kind`).
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What the parser said.
    pub message: String,
}

/// One guard that refused a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardFailure {
    /// The guard's name in the playbook.
    pub guard: String,
    /// Its check tag (`field_present`, `activity`, `actor_role`, ...).
    pub check: String,
    /// Why it failed, for humans.
    pub message: String,
}

/// Why a transition is not allowed at all (before any guard is looked at).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotAllowed {
    /// No transition from this stage to that one is declared.
    Undeclared,
    /// It would move back to an earlier stage and the pipeline forbids back-moves.
    BackMoveForbidden,
    /// The record is in a terminal stage.
    FromTerminal,
    /// The record is already in that stage.
    SameStage,
}

impl NotAllowed {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            NotAllowed::Undeclared => "no such transition is declared",
            NotAllowed::BackMoveForbidden => "back-moves are forbidden in this pipeline",
            NotAllowed::FromTerminal => "the current stage is terminal",
            NotAllowed::SameStage => "the record is already in that stage",
        }
    }
}

/// Everything that can go wrong in the core.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The playbook text is malformed or has a value of the wrong type.
    #[error("cannot parse {} playbook at `{}`: {}", .0.format, .0.path, .0.message)]
    Parse(ParseError),
    /// The playbook parsed but breaks rules; every problem is listed.
    #[error("invalid playbook: {}", summarize(.0))]
    InvalidPlaybook(Vec<Issue>),
    /// No pipeline of that name.
    #[error("unknown pipeline `{pipeline}`")]
    UnknownPipeline {
        /// The name asked for.
        pipeline: String,
    },
    /// No stage of that name in the pipeline.
    #[error("unknown stage `{stage}` in pipeline `{pipeline}`")]
    UnknownStage {
        /// The pipeline.
        pipeline: String,
        /// The name asked for.
        stage: String,
    },
    /// The transition is not allowed.
    #[error("transition {from} -> {to} not allowed: {}", .why.describe())]
    TransitionNotAllowed {
        /// Current stage.
        from: String,
        /// Requested stage.
        to: String,
        /// Why.
        why: NotAllowed,
    },
    /// Guards refused the transition; all failing guards are listed.
    #[error("transition {from} -> {to} refused by {}", names(.failures))]
    GuardFailed {
        /// Current stage.
        from: String,
        /// Requested stage.
        to: String,
        /// Every guard that failed.
        failures: Vec<GuardFailure>,
    },
    /// Entering the stage needs a reason and none was given.
    #[error("entering `{stage}` requires a reason")]
    ReasonRequired {
        /// The target stage.
        stage: String,
    },
    /// The reason is not one the stage accepts.
    #[error("reason `{reason}` is not accepted by `{stage}` (accepted: {})", .allowed.join(", "))]
    InvalidReason {
        /// The target stage.
        stage: String,
        /// The reason given.
        reason: String,
        /// The reasons accepted.
        allowed: Vec<String>,
    },
    /// `now` is earlier than the record's last transition.
    #[error("time went backwards: now {now} is before {last}, the last time this state moved")]
    TimeWentBackwards {
        /// Time of the last transition (RFC 3339).
        last: String,
        /// The `now` given (RFC 3339).
        now: String,
    },
    /// Stored data of a format version this build cannot read.
    #[error("unsupported {what} schema_version {found} (supported: {supported})")]
    UnsupportedVersion {
        /// What was read (`state`, `playbook`).
        what: String,
        /// Version found.
        found: u32,
        /// Version supported.
        supported: u32,
    },
    /// A scoring event cannot be used (after `now`, lacking an attribute a rule filters on,
    /// for an unknown lead).
    #[error("bad event ({reason}): {message}")]
    BadEvent {
        /// `in_future`, `missing_attribute`, `unknown_lead`, `unknown_kind`.
        reason: String,
        /// What is wrong.
        message: String,
    },
    /// Input handed to the engine is malformed (bad JSON, missing field, inconsistent state).
    #[error("invalid input: {message}")]
    InvalidInput {
        /// What is wrong.
        message: String,
    },
    /// A history handed to [`crate::Playbook::replay`] is not one the pipeline could have
    /// produced; every bad entry is listed, with its index.
    #[error("invalid history in pipeline `{pipeline}`: {}", summarize(.entries))]
    InvalidHistory {
        /// The pipeline replayed.
        pipeline: String,
        /// Every bad entry, in history order.
        entries: Vec<HistoryIssue>,
    },
}

fn summarize<T: fmt::Display>(issues: &[T]) -> String {
    match issues {
        [] => "no details".to_owned(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

fn names(failures: &[GuardFailure]) -> String {
    failures
        .iter()
        .map(|f| f.guard.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `Result` with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Every code [`Error::code`] can return, in a stable order (the C status values follow
    /// this order, starting at 1).
    pub const CODES: &'static [&'static str] = &[
        "playbook.parse",
        "playbook.invalid",
        "lifecycle.unknown_pipeline",
        "lifecycle.unknown_stage",
        "lifecycle.not_allowed",
        "lifecycle.guard_failed",
        "lifecycle.reason_required",
        "lifecycle.invalid_reason",
        "lifecycle.time_went_backwards",
        "state.unsupported_version",
        "input.invalid",
        "score.bad_event",
        "lifecycle.invalid_history",
    ];

    /// The stable machine code of this error.
    ///
    /// ```
    /// use leadcore::Playbook;
    /// let err = Playbook::from_yaml("lifecycle: [").unwrap_err();
    /// assert_eq!(err.code(), "playbook.parse");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Parse(_) => "playbook.parse",
            Error::InvalidPlaybook(_) => "playbook.invalid",
            Error::UnknownPipeline { .. } => "lifecycle.unknown_pipeline",
            Error::UnknownStage { .. } => "lifecycle.unknown_stage",
            Error::TransitionNotAllowed { .. } => "lifecycle.not_allowed",
            Error::GuardFailed { .. } => "lifecycle.guard_failed",
            Error::ReasonRequired { .. } => "lifecycle.reason_required",
            Error::InvalidReason { .. } => "lifecycle.invalid_reason",
            Error::TimeWentBackwards { .. } => "lifecycle.time_went_backwards",
            Error::UnsupportedVersion { .. } => "state.unsupported_version",
            Error::InvalidInput { .. } => "input.invalid",
            Error::BadEvent { .. } => "score.bad_event",
            Error::InvalidHistory { .. } => "lifecycle.invalid_history",
        }
    }

    /// The validation issues (empty unless [`Error::InvalidPlaybook`]).
    pub fn issues(&self) -> &[Issue] {
        match self {
            Error::InvalidPlaybook(issues) => issues,
            _ => &[],
        }
    }

    /// The refused history entries (empty unless [`Error::InvalidHistory`]).
    ///
    /// ```
    /// let err = leadcore::Error::InvalidInput { message: "history is empty".into() };
    /// assert!(err.history_entries().is_empty());
    /// ```
    pub fn history_entries(&self) -> &[HistoryIssue] {
        match self {
            Error::InvalidHistory { entries, .. } => entries,
            _ => &[],
        }
    }

    /// The failed guards (empty unless [`Error::GuardFailed`]).
    pub fn failed_guards(&self) -> &[GuardFailure] {
        match self {
            Error::GuardFailed { failures, .. } => failures,
            _ => &[],
        }
    }

    /// The error as a plain serde value: what every door hands its caller.
    ///
    /// ```
    /// use leadcore::Error;
    /// let e = Error::ReasonRequired { stage: "Lost".into() };
    /// let r = e.report();
    /// assert_eq!(r.code, "lifecycle.reason_required");
    /// assert_eq!(r.stage.as_deref(), Some("Lost"));
    /// ```
    pub fn report(&self) -> ErrorReport {
        let mut r = ErrorReport {
            code: self.code().to_owned(),
            message: self.to_string(),
            ..ErrorReport::default()
        };
        match self {
            Error::Parse(p) => r.parse = Some(p.clone()),
            Error::InvalidPlaybook(issues) => r.issues = issues.clone(),
            Error::UnknownPipeline { pipeline } => r.pipeline = Some(pipeline.clone()),
            Error::UnknownStage { pipeline, stage } => {
                r.pipeline = Some(pipeline.clone());
                r.stage = Some(stage.clone());
            }
            Error::TransitionNotAllowed { from, to, why } => {
                r.from = Some(from.clone());
                r.to = Some(to.clone());
                r.why = Some(*why);
            }
            Error::GuardFailed { from, to, failures } => {
                r.from = Some(from.clone());
                r.to = Some(to.clone());
                r.failed_guards = failures.clone();
            }
            Error::ReasonRequired { stage } => r.stage = Some(stage.clone()),
            Error::InvalidReason { stage, .. } => r.stage = Some(stage.clone()),
            Error::BadEvent { reason, .. } => r.reason = Some(reason.clone()),
            Error::InvalidHistory { pipeline, entries } => {
                r.pipeline = Some(pipeline.clone());
                r.entries = entries.clone();
            }
            Error::TimeWentBackwards { .. }
            | Error::UnsupportedVersion { .. }
            | Error::InvalidInput { .. } => {}
        }
        r
    }
}

/// An [`Error`] as data: its code, message and whichever details apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// Stable code.
    pub code: String,
    /// Human message.
    pub message: String,
    /// Parse location, for `playbook.parse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parse: Option<ParseError>,
    /// Validation issues, for `playbook.invalid`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<Issue>,
    /// Refused history entries, for `lifecycle.invalid_history`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<HistoryIssue>,
    /// Failing guards, for `lifecycle.guard_failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_guards: Vec<GuardFailure>,
    /// Pipeline concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// Stage concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Source stage of a refused transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Target stage of a refused transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why a transition is not allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<NotAllowed>,
    /// Why an event is bad, for `score.bad_event`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
