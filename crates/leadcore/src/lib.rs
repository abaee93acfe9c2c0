//! # leadcore
//!
//! A pure lead-management engine: the domain model (leads, accounts, opportunities,
//! activities, reps), lifecycle state machines driven by a playbook, and pipeline analytics.
//!
//! The core does no IO, reads no clock and holds no global state: every time-dependent call
//! takes `now`, and every state is plain serde data the host stores.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use leadcore::{Actor, Facts, Lead, Playbook, Role, TransitionRequest};
//!
//! let playbook = Playbook::default_playbook();
//! let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
//! let lead = Lead::new("L-42");
//! let mut state = playbook.start("lead", &lead.id, now).unwrap();
//!
//! let marketer = Actor::new("mia", Role::Marketing);
//! let facts = Facts::new().record(&lead).score("lead", 130.0);
//! playbook.transition(&mut state, &TransitionRequest::new("MQL", marketer, now), &facts).unwrap();
//! assert_eq!(state.current(), "MQL");
//! assert_eq!(state.history().len(), 2);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod action;
pub mod analytics;
pub mod columnar;
pub mod condition;
mod error;
pub mod lifecycle;
pub mod model;
pub mod playbook;
pub mod predictive;
pub mod routing;
pub mod scoring;
pub mod sla;
pub mod time;
pub mod wire;

pub use action::{ActionSource, ActionSpec, EmittedAction};
pub use analytics::{Funnel, FunnelStage};
pub use columnar::{DictColumn, EventColumns, EventTable, RowError, RowErrorReason};
pub use condition::{CompareOp, Condition, ConditionSpec};
pub use error::{
    BadEventReason, Error, ErrorCode, ErrorFamily, ErrorKind, ErrorReport, GuardFailure,
    HistoryIssue, Issue, NotAllowed, ParseError, Result,
};
pub use lifecycle::{
    Facts, LifecycleState, ReplayInput, ReplayOptions, StageDwell, StartInput, Subject,
    TransitionInput, TransitionOutcome, TransitionRecord, TransitionRequest,
};
pub use model::{
    Account, Activity, ActivityKind, Actor, Catalog, Contact, DealType, Direction, FieldSource,
    FieldType, FieldValue, Firmographics, ForecastCategory, Lead, LeadSource, Money, Opportunity,
    Org, OrgProblem, Record, Rep, Role, Team, ValueRef,
};
pub use playbook::{Format, Pipeline, Playbook, PlaybookSpec, Stage, StageKind};
pub use routing::{Assignee, Decision, RouteFacts, Routing, RoutingState};
pub use scoring::{BatchScores, ModelScore, ScoreCard, ScoreSignal, ScoreState, Scoring};

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
