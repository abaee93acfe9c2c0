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
///
/// ```
/// use leadcore::{ErrorKind, Playbook};
/// let err = Playbook::from_json(r#"{"schema_version": 1, "lifecycle": {"name": "l", "initial": "A",
///     "stages": [{"name": "A", "kind": "sideways"}]}}"#).unwrap_err();
/// let ErrorKind::Parse(p) = err.kind() else { panic!("{err}") };
/// assert_eq!(p.path, "lifecycle.stages[0].kind");
/// assert_eq!((p.line, p.missing_feature.as_deref()), (Some(2), None));
/// ```
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
    /// The cargo feature that reads this format, when this build leaves it out (`yaml`,
    /// `toml`); `None` for text that was read and found malformed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_feature: Option<String>,
}

/// One guard that refused a transition.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Actor, Facts, Playbook, Role, TransitionRequest};
/// let pb = Playbook::default_playbook();
/// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let mut lead = pb.start("lead", "L-1", now).unwrap();
/// let sdr = Actor::new("sam", Role::Sdr);
/// let err = pb.transition(&mut lead, &TransitionRequest::new("MQL", sdr, now), &Facts::new().score("lead", 250.0)).unwrap_err();
/// let refused = &err.failed_guards()[0];
/// assert_eq!((refused.guard.as_str(), refused.check.as_str()), ("marketing_only", "actor_role"));
/// ```
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
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Actor, ErrorKind, Facts, NotAllowed, Playbook, Role, TransitionRequest};
/// let pb = Playbook::default_playbook();
/// let now = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let mut lead = pb.start("lead", "L-1", now).unwrap();
/// let mia = Actor::new("mia", Role::Marketing);
/// let err = pb.transition(&mut lead, &TransitionRequest::new("Suspect", mia, now), &Facts::new()).unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::TransitionNotAllowed { why: NotAllowed::SameStage, .. }));
/// ```
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

/// What went wrong: the details of an [`Error`], one variant per stable code (see
/// [`ErrorCode`]). New variants may be added; match with a wildcard arm.
///
/// ```
/// use leadcore::{ErrorKind, Playbook};
/// let err = Playbook::from_json("{").unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::Parse(p) if p.format == "json"));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
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
    /// A scoring event cannot be used (later than `now` beyond the tolerance).
    #[error("bad event ({reason}): {message}")]
    BadEvent {
        /// Why.
        reason: BadEventReason,
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

/// Why an event cannot be scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BadEventReason {
    /// Later than `now` beyond the playbook's tolerance.
    InFuture,
}

impl BadEventReason {
    /// The stable code (`in_future`).
    pub fn code(self) -> &'static str {
        match self {
            BadEventReason::InFuture => "in_future",
        }
    }
}

impl fmt::Display for BadEventReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The family of an error code: what a door maps to one exception class. Deliberately not
/// `#[non_exhaustive]`: a door's mapping is an exhaustive match, so a new family is a
/// compile error in every door until it decides how to show it.
///
/// ```
/// use leadcore::{ErrorCode, ErrorFamily};
/// // Two codes, one family: one exception class in Python.
/// assert_eq!(ErrorCode::ReasonRequired.family(), ErrorFamily::Reason);
/// assert_eq!(ErrorCode::InvalidReason.family(), ErrorFamily::Reason);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorFamily {
    /// Playbook text that cannot be read.
    PlaybookParse,
    /// A playbook that breaks rules.
    PlaybookValidation,
    /// An unknown pipeline.
    UnknownPipeline,
    /// An unknown stage.
    UnknownStage,
    /// A move that is not allowed at all.
    TransitionNotAllowed,
    /// Guards refused a move.
    GuardFailed,
    /// A missing or unaccepted reason.
    Reason,
    /// Time going backwards.
    TimeOrder,
    /// A scoring event that cannot be used.
    BadEvent,
    /// Stored data of another format version.
    Version,
    /// Malformed input.
    Input,
    /// A history that cannot be replayed.
    InvalidHistory,
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $number:literal, $code:literal, $family:ident; )*) => {
        /// The one table of stable error codes. Each has a number that never changes (the C
        /// door's status values are these numbers; 12 to 15 are the C door's own statuses)
        /// and a family (the Python door's exception class follows it). Adding an error
        /// means adding a row here and its [`ErrorKind`] variant; every door follows.
        ///
        /// ```
        /// use leadcore::{ErrorCode, ErrorFamily};
        /// let c = ErrorCode::parse("lifecycle.guard_failed").unwrap();
        /// assert_eq!((c.number(), c.family()), (6, ErrorFamily::GuardFailed));
        /// assert!(ErrorCode::ALL.contains(&c));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in the order they were published.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The code as text (`lifecycle.guard_failed`).
            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }

            /// Its stable number (the C status).
            pub fn number(self) -> u32 {
                match self { $( ErrorCode::$variant => $number, )* }
            }

            /// The code as a NUL-terminated C string (for the C door).
            pub fn as_c_str(self) -> &'static std::ffi::CStr {
                match self {
                    $( ErrorCode::$variant => {
                        const C: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
                            concat!($code, "\0").as_bytes(),
                        ) {
                            Ok(c) => c,
                            Err(_) => panic!("an error code holds a NUL byte"),
                        };
                        C
                    } )*
                }
            }

            /// Its family.
            pub fn family(self) -> ErrorFamily {
                match self { $( ErrorCode::$variant => ErrorFamily::$family, )* }
            }

            /// The code of a text, if it is one.
            pub fn parse(code: &str) -> Option<ErrorCode> {
                match code { $( $code => Some(ErrorCode::$variant), )* _ => None }
            }
        }

        impl Error {
            /// Every code [`Error::code`] can return, in the order they were published.
            pub const CODES: &'static [&'static str] = &[$($code),*];
        }

        impl ErrorKind {
            /// The stable code of this error.
            pub fn code(&self) -> ErrorCode {
                match self { $( ErrorKind::$variant { .. } => ErrorCode::$variant, )* }
            }
        }
    };
}

error_codes! {
    /// `playbook.parse`
    Parse = 1, "playbook.parse", PlaybookParse;
    /// `playbook.invalid`
    InvalidPlaybook = 2, "playbook.invalid", PlaybookValidation;
    /// `lifecycle.unknown_pipeline`
    UnknownPipeline = 3, "lifecycle.unknown_pipeline", UnknownPipeline;
    /// `lifecycle.unknown_stage`
    UnknownStage = 4, "lifecycle.unknown_stage", UnknownStage;
    /// `lifecycle.not_allowed`
    TransitionNotAllowed = 5, "lifecycle.not_allowed", TransitionNotAllowed;
    /// `lifecycle.guard_failed`
    GuardFailed = 6, "lifecycle.guard_failed", GuardFailed;
    /// `lifecycle.reason_required`
    ReasonRequired = 7, "lifecycle.reason_required", Reason;
    /// `lifecycle.invalid_reason`
    InvalidReason = 8, "lifecycle.invalid_reason", Reason;
    /// `lifecycle.time_went_backwards`
    TimeWentBackwards = 9, "lifecycle.time_went_backwards", TimeOrder;
    /// `state.unsupported_version`
    UnsupportedVersion = 10, "state.unsupported_version", Version;
    /// `input.invalid`
    InvalidInput = 11, "input.invalid", Input;
    /// `score.bad_event`
    BadEvent = 16, "score.bad_event", BadEvent;
    /// `lifecycle.invalid_history`
    InvalidHistory = 17, "lifecycle.invalid_history", InvalidHistory;
}

/// Everything that can go wrong in the core: opaque, with its [`ErrorKind`] and accessors
/// (so its insides can grow without breaking callers).
///
/// ```
/// use leadcore::{ErrorCode, ErrorKind, Playbook};
/// let err = Playbook::from_yaml("lifecycle: [").unwrap_err();
/// assert_eq!(err.code(), "playbook.parse");
/// assert_eq!(err.error_code(), ErrorCode::Parse);
/// assert!(matches!(err.kind(), ErrorKind::Parse(_)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: Box<ErrorKind>,
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error {
            kind: Box::new(kind),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// An [`ErrorKind::InvalidInput`] error.
    ///
    /// ```
    /// let e = leadcore::Error::invalid_input("no record started");
    /// assert_eq!(e.to_string(), "invalid input: no record started");
    /// ```
    pub fn invalid_input(message: impl Into<String>) -> Self {
        ErrorKind::InvalidInput {
            message: message.into(),
        }
        .into()
    }

    /// What went wrong, in detail.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The details, owned.
    pub fn into_kind(self) -> ErrorKind {
        *self.kind
    }

    /// The stable code.
    pub fn error_code(&self) -> ErrorCode {
        self.kind.code()
    }

    /// The stable code as text.
    ///
    /// ```
    /// use leadcore::Playbook;
    /// let err = Playbook::from_yaml("lifecycle: [").unwrap_err();
    /// assert_eq!(err.code(), "playbook.parse");
    /// ```
    pub fn code(&self) -> &'static str {
        self.kind.code().as_str()
    }

    /// The validation issues (empty unless [`ErrorKind::InvalidPlaybook`]).
    pub fn issues(&self) -> &[Issue] {
        match &*self.kind {
            ErrorKind::InvalidPlaybook(issues) => issues,
            _ => &[],
        }
    }

    /// The refused history entries (empty unless [`ErrorKind::InvalidHistory`]).
    ///
    /// ```
    /// let err = leadcore::Error::invalid_input("history is empty");
    /// assert!(err.history_entries().is_empty());
    /// ```
    pub fn history_entries(&self) -> &[HistoryIssue] {
        match &*self.kind {
            ErrorKind::InvalidHistory { entries, .. } => entries,
            _ => &[],
        }
    }

    /// The failed guards (empty unless [`ErrorKind::GuardFailed`]).
    pub fn failed_guards(&self) -> &[GuardFailure] {
        match &*self.kind {
            ErrorKind::GuardFailed { failures, .. } => failures,
            _ => &[],
        }
    }

    /// The error as a plain serde value: what every door hands its caller.
    ///
    /// ```
    /// use leadcore::{Error, ErrorKind};
    /// let e = Error::from(ErrorKind::ReasonRequired { stage: "Lost".into() });
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
        match &*self.kind {
            ErrorKind::Parse(p) => r.parse = Some(p.clone()),
            ErrorKind::InvalidPlaybook(issues) => r.issues = issues.clone(),
            ErrorKind::UnknownPipeline { pipeline } => r.pipeline = Some(pipeline.clone()),
            ErrorKind::UnknownStage { pipeline, stage } => {
                r.pipeline = Some(pipeline.clone());
                r.stage = Some(stage.clone());
            }
            ErrorKind::TransitionNotAllowed { from, to, why } => {
                r.from = Some(from.clone());
                r.to = Some(to.clone());
                r.why = Some(*why);
            }
            ErrorKind::GuardFailed { from, to, failures } => {
                r.from = Some(from.clone());
                r.to = Some(to.clone());
                r.failed_guards = failures.clone();
            }
            ErrorKind::ReasonRequired { stage } => r.stage = Some(stage.clone()),
            ErrorKind::InvalidReason { stage, .. } => r.stage = Some(stage.clone()),
            ErrorKind::BadEvent { reason, .. } => r.reason = Some(reason.code().to_owned()),
            ErrorKind::InvalidHistory { pipeline, entries } => {
                r.pipeline = Some(pipeline.clone());
                r.entries = entries.clone();
            }
            ErrorKind::TimeWentBackwards { .. }
            | ErrorKind::UnsupportedVersion { .. }
            | ErrorKind::InvalidInput { .. } => {}
        }
        r
    }
}

/// An [`Error`] as data: its code, message and whichever details apply.
///
/// ```
/// let report = leadcore::Error::invalid_input("no lead").report();
/// assert_eq!(report.code, "input.invalid");
/// assert_eq!(serde_json::to_value(&report).unwrap()["code"], "input.invalid");
/// ```
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
