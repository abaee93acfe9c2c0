//! # leadcore
//!
//! A pure lead-management engine, driven by one declarative **playbook**: lifecycle state
//! machines (Suspect → MQL → SRL → SQL → Opportunity → Won/Lost, recycling, nurture),
//! scoring (behaviour and fit rules, decay, thresholds firing actions), routing (round
//! robin, territory trees, capacity, working hours), SLA timers on business calendars,
//! predictive scores learned from history, and pipeline analytics.
//!
//! The core does no IO, reads no clock and holds no global state: every time-dependent call
//! takes `now`, and every state is plain serde data the host stores. Every refusal is a
//! typed [`Error`] with a stable [`ErrorCode`]; a playbook is validated up front, every
//! problem at once, each at its path.
//!
//! ## The playbook
//!
//! JSON, TOML or YAML ([`Playbook::parse`]); [`Playbook::json_schema`] describes it, and
//! [`DEFAULT_PLAYBOOK_YAML`](playbook::DEFAULT_PLAYBOOK_YAML) is a complete example. The
//! examples below share this one:
//!
//! ```
//! # fn main() -> leadcore::Result<()> {
//! let pb = leadcore::Playbook::from_yaml(r#"
//! schema_version: 1
//! lifecycle:
//!   name: lead
//!   initial: New
//!   stages: [{name: New}, {name: MQL}, {name: SRL}]
//!   transitions:
//!     - {from: New, to: MQL, guards: [{check: score_at_least, name: fit_enough, model: fit, value: 10}]}
//!     - {from: MQL, to: SRL}
//! scoring:
//!   models:
//!     - name: fit
//!       rules: [{type: fit, name: mid_market, when: {field: employees, op: between, value: [11, 500]}, points: 20}]
//! calendars:
//!   office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
//! routing:
//!   reps: [{id: ana, calendar: office}, {id: ben, calendar: office}]
//!   rules: [{name: everyone, assign: {round_robin: {}}}]
//! sla:
//!   policies:
//!     - {name: first_touch, calendar: office, target: 5m, stop: {activity: {kinds: [call]}}}
//! "#)?;
//! let err = leadcore::Playbook::from_yaml("schema_version: 1\nlifecycle: {name: lead, initial: Nope, stages: [{name: New}]}").unwrap_err();
//! assert_eq!(err.issues()[0].path, "lifecycle.initial");
//! # Ok(()) }
//! ```
//!
//! ## Lifecycle
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
//!
//! ## Scoring
//!
//! Per lead with its breakdown ([`Scoring::score`]), incrementally ([`ScoreState`]), or a
//! whole event table at once ([`Scoring::score_columns`]), all giving the same numbers.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use leadcore::{Activity, ActivityKind, Lead, Playbook};
//! let pb = Playbook::default_playbook();
//! let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
//! let mut pricing = Activity::new(ActivityKind::WebVisit, t);
//! pricing.page = Some("/pricing".into());
//! let events = [pricing, Activity::new(ActivityKind::EmailOpened, t), Activity::new(ActivityKind::EmailOpened, t)];
//! let card = pb.scoring().score(&Lead::new("B"), &events, t, true).unwrap();
//! assert_eq!(card.score("engagement"), Some(19.0));   // the seed's worked example
//! ```
//!
//! ## Routing
//!
//! Deterministic and explainable: the same state, lead and `now` give the same decision,
//! with every rule tried and every rep passed over in its trace ([`Routing::assign`];
//! [`Routing::assign_batch_lean`] for many leads without the trace).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use leadcore::{Lead, Playbook};
//! let pb = Playbook::from_yaml(r#"
//! schema_version: 1
//! lifecycle: {name: lead, initial: New, stages: [{name: New}]}
//! calendars: {office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}}
//! routing:
//!   reps: [{id: ana, calendar: office}, {id: kai, calendar: office, time_zone: Asia/Tokyo}]
//!   rules: [{name: everyone, assign: {round_robin: {}}}]
//! "#).unwrap();
//! let mut state = pb.routing().new_state();
//! let monday_10am_ny = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
//! let d = pb.routing().assign(&mut state, &Lead::new("L-1"), monday_10am_ny).unwrap();
//! assert_eq!(d.rep(), Some("ana"));   // kai works 9-17 in Tokyo: off hours now, says the trace
//! ```
//!
//! ## SLA timers
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use leadcore::sla::{SlaFacts, SlaState};
//! use leadcore::{Lead, Playbook};
//! let pb = Playbook::from_yaml(r#"
//! schema_version: 1
//! lifecycle: {name: lead, initial: New, stages: [{name: New}]}
//! calendars: {office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}}
//! sla: {policies: [{name: first_touch, calendar: office, target: 5m, stop: {activity: {kinds: [call]}}}]}
//! "#).unwrap();
//! let mut lead = Lead::new("L-1");
//! lead.created_at = Some(Utc.with_ymd_and_hms(2026, 3, 6, 21, 58, 0).unwrap()); // Fri 16:58 EST
//! let s = &pb.sla().statuses(SlaFacts::new(&lead), Utc.with_ymd_and_hms(2026, 3, 7, 12, 0, 0).unwrap())[0];
//! assert_eq!(s.status, SlaState::Pending);
//! // 2 business minutes on Friday, 3 on Monday from 09:00 EDT (13:00 UTC; DST began Sunday).
//! assert_eq!(s.deadline, Some(Utc.with_ymd_and_hms(2026, 3, 9, 13, 3, 0).unwrap()));
//! ```
//!
//! ## Predictive scores
//!
//! [`predictive::odoo`] reproduces Odoo CRM's predictive lead scoring exactly;
//! [`predictive::logistic`] is a calibrated, explainable logistic model; [`predictive::eval`]
//! measures both (AUC, log-loss, Brier, calibration).
//!
//! ```
//! use leadcore::predictive::logistic::{CalibrationMethod, FeatureSpec, Frame, LogisticConfig, LogisticModel};
//! let source = ["web", "web", "ads", "ads", "web", "ads", "web", "ads"];
//! let won = [true, true, false, false, true, false, false, true];
//! let frame = Frame::new(8).with_text("source", source.iter().map(|s| Some(*s))).unwrap();
//! let config = LogisticConfig::new(vec![FeatureSpec::categorical("source").min_count(1)])
//!     .calibration(CalibrationMethod::None);
//! let model = LogisticModel::fit(config, &frame, &won).unwrap();
//! let p = model.predict(&frame).unwrap();
//! assert!(p[0] > p[2]);   // web converts 3 in 4, ads 1 in 4
//! ```
//!
//! ## Columns and doors
//!
//! Batch paths read columns ([`columnar`]: dictionary-encoded strings, generic attribute
//! columns, per-row errors); the `leadcore-arrow` crate maps Arrow record batches to them.
//! The Python (`import leadcore`) and C (`include/leadcore.h`) doors call this crate and give
//! the same answers, byte for byte, on the shared test vectors.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod action;
pub mod analytics;
pub mod columnar;
pub mod condition;
mod error;
pub mod forecast;
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
