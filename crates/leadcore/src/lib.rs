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
//! ## Layers
//!
//! | layer | modules | what it holds |
//! |---|---|---|
//! | foundation | [`Error`], [`wire`], [`time`] | one error type with stable codes, canonical JSON, durations and business calendars |
//! | vocabulary | [`model`], [`condition`], [`action`], [`columnar`] | leads, activities, reps, deals; one condition language; emitted actions; batches as columns |
//! | engines | [`lifecycle`], [`scoring`], [`routing`], [`sla`], [`predictive`], [`analytics`], [`forecast`] | each with its spec, validation, compiled form, state and run; engines never call each other |
//! | composition | [`playbook`] | loading, validating and compiling every section into one [`Playbook`] |
//!
//! ## Cargo features
//!
//! | feature | default | gives |
//! |---|---|---|
//! | `yaml` | on | YAML playbooks ([`Playbook::from_yaml`]) |
//! | `toml` | on | TOML playbooks ([`Playbook::from_toml`]) |
//! | `schema` | on | the playbook's JSON Schema (`Playbook::json_schema`) |
//!
//! With `default-features = false` only JSON playbooks are read: a YAML or TOML text then
//! fails with `playbook.parse`, its [`ParseError::missing_feature`] naming the feature.
//! [`Playbook::default_playbook`] is there in every build.
//!
//! ## The playbook
//!
//! JSON, TOML or YAML ([`Playbook::parse`]); `Playbook::json_schema` describes it, and
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
//! assert_eq!(pb.lifecycle().stages().len(), 3);
//!
//! // Loading validates everything and reports every problem at once, each at its path.
//! let err = leadcore::Playbook::from_yaml(r#"
//! schema_version: 1
//! lifecycle: {name: lead, initial: Nope, stages: [{name: New}], transitions: [{from: New, to: Gone}]}
//! "#).unwrap_err();
//! assert_eq!(err.code(), "playbook.invalid");
//! let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
//! assert_eq!(paths, ["lifecycle.initial", "lifecycle.transitions[0].to"]);
//! # Ok(()) }
//! ```
//!
//! ## Lifecycle
//!
//! A move is checked against the pipeline and its guards; a refusal leaves the state as it
//! was and names every guard that refused ([`Error::failed_guards`]).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use leadcore::{Actor, Facts, Lead, Playbook, Role, TransitionRequest};
//!
//! let playbook = Playbook::default_playbook();
//! let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
//! let lead = Lead::new("L-42");
//! let mut state = playbook.start("lead", &lead.id, now).unwrap();
//! let facts = Facts::new().record(&lead).score("lead", 130.0);
//!
//! // Only marketing grants MQL, whatever the score: an SDR is refused.
//! let sdr = Actor::new("sam", Role::Sdr);
//! let err = playbook.transition(&mut state, &TransitionRequest::new("MQL", sdr, now), &facts).unwrap_err();
//! assert_eq!(err.code(), "lifecycle.guard_failed");
//! let refused = &err.failed_guards()[0];
//! assert_eq!((refused.guard.as_str(), refused.check.as_str()), ("marketing_only", "actor_role"));
//! assert_eq!(state.current(), "Suspect");
//!
//! let marketer = Actor::new("mia", Role::Marketing);
//! let out = playbook.transition(&mut state, &TransitionRequest::new("MQL", marketer, now), &facts).unwrap();
//! assert_eq!(state.current(), "MQL");
//! assert_eq!(out.actions[0].kind, "notify");   // what the host carries out
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
//!
//! // The breakdown: every rule that counted, with its occurrences and points.
//! let engagement = card.models.iter().find(|m| m.model == "engagement").unwrap();
//! let counted: Vec<(&str, u32, f64)> = engagement.rules.iter()
//!     .filter(|r| r.occurrences > 0)
//!     .map(|r| (r.rule.as_str(), r.occurrences, r.points))
//!     .collect();
//! assert_eq!(counted, [("welcome_email_opened", 2, 4.0), ("pricing_page", 1, 15.0)]);
//! ```
//!
//! The same events as columns: one row per event, strings dictionary-encoded, leads by index.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use leadcore::columnar::{DictColumn, EventColumns};
//! use leadcore::{Lead, Playbook};
//! let kinds = ["web_visit".to_owned(), "email_opened".to_owned()];
//! let events = EventColumns {
//!     lead: &[0, 0, 1],                                           // A, A, B
//!     kind: DictColumn { codes: &[1, 1, 1], dictionary: &kinds },
//!     at: &[1_772_355_600; 3],                                    // 2026-03-01 09:00 UTC
//!     attrs: &[],
//! };
//! let pb = Playbook::default_playbook();
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
//! let batch = pb.scoring().score_columns(&[Lead::new("A"), Lead::new("B")], &events, now).unwrap();
//! assert_eq!((batch.score(0, "engagement"), batch.score(1, "engagement")), (Some(4.0), Some(2.0)));
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
//! use leadcore::routing::PassReason;
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
//! assert_eq!(d.rep(), Some("ana"));
//! // The trace: the rule that matched, the strategy it tried, who was passed over and why.
//! let tried = &d.trace[0];
//! assert_eq!((tried.rule.as_str(), tried.matched), ("everyone", true));
//! let passed = &tried.strategies[0].passed_over;
//! assert_eq!(passed[0].rep, "kai");   // works 9-17 in Tokyo: off hours now, back at its next opening
//! assert!(matches!(passed[0].reason, PassReason::OffHours { next_open: Some(_) }));
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
//! Odoo's model: frequencies per stage, team and field value, trained on closed records.
//!
//! ```
//! use leadcore::predictive::odoo::{OdooConfig, OdooModel, OdooRecord, OdooStage, OdooStatus};
//! let config = OdooConfig::new(vec![OdooStage::new("new", 1), OdooStage::won("won", 70)])
//!     .with_fields(["country_id"]);
//! let model = OdooModel::new(config).unwrap();
//! let closed = [
//!     OdooRecord::new("1").stage("won").status(OdooStatus::Won).value("country_id", "FR"),
//!     OdooRecord::new("2").stage("new").status(OdooStatus::Lost).value("country_id", "FR"),
//!     OdooRecord::new("3").stage("new").status(OdooStatus::Lost).value("country_id", "DE"),
//! ];
//! let table = model.train(&closed).unwrap();
//! let fr = model.predict(&table, &OdooRecord::new("4").stage("new").value("country_id", "FR"));
//! let de = model.predict(&table, &OdooRecord::new("5").stage("new").value("country_id", "DE"));
//! assert_eq!((fr.probability, de.probability), (Some(48.99), Some(8.03)));   // percent, as Odoo rounds
//! ```
//!
//! ## Pipeline analytics
//!
//! [`analytics::PipelineMetrics`] is an accumulator (`add`, `merge`, `finish`) over deals'
//! stage histories: win rate, cycle, deal size, velocity, per-stage dwell and conversion.
//! [`add_columns`](analytics::PipelineMetrics::add_columns) takes a whole stage-history
//! table as columns.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use leadcore::analytics::{DealColumns, MetricsSpec, Period, PipelineMetrics, PipelineStages, StageDef, StageEntryColumns};
//! use leadcore::StageKind;
//! let stages = PipelineStages::new("deals", vec![StageDef::new("Open", StageKind::Open),
//!     StageDef::new("Won", StageKind::Won), StageDef::new("Lost", StageKind::Lost)]).unwrap();
//! let day = |m, d| Utc.with_ymd_and_hms(2017, m, d, 0, 0, 0).unwrap();
//! let spec = MetricsSpec::new(stages, Period { from: day(1, 1), to: day(7, 1) }, None).unwrap();
//! let us = |m, d| day(m, d).timestamp_micros();
//! let deals = DealColumns { amount: vec![Some(1000), Some(0)], currency: vec![0, 0],
//!     currencies: vec!["USD".into()], created: vec![Some(us(1, 1)); 2], ..Default::default() };
//! // deal 0: Open on 1 Jan, Won on 11 Jan; deal 1: Open on 1 Jan, Lost on 21 Jan
//! let entries = StageEntryColumns { deal: vec![0, 1, 0, 1], stage: vec![0, 0, 1, 2],
//!     at: vec![us(1, 1), us(1, 1), us(1, 11), us(1, 21)] };
//! let mut metrics = PipelineMetrics::new(spec);
//! metrics.add_columns(&deals, &entries).unwrap();
//! let report = metrics.finish().unwrap();
//! assert_eq!(report.win_rate.rate, Some(0.5));
//! assert_eq!(report.stages[0].dwell.median_seconds, Some(10 * 86_400));
//! ```
//!
//! ## Forecasting
//!
//! A seeded Monte Carlo over open deals ([`forecast::MonteCarlo`]) gives the same numbers on
//! any thread count:
//!
//! ```
//! use chrono::NaiveDate;
//! use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, ForecastDeal, Granularity, MonteCarlo, MonteCarloSpec};
//! use leadcore::Money;
//! let mc = MonteCarlo::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
//! let close = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
//! let deals: Vec<_> = (0..20).map(|i| ForecastDeal::new(format!("O{i}"), Money::new(100, "USD"), close, "Open", 0.5)).collect();
//! let spec = MonteCarloSpec { trials: 2000, seed: 42, quotas: vec![] };
//! let run = mc.simulate(&deals, &spec, 1).unwrap();
//! assert_eq!(run, mc.simulate(&deals, &spec, 2).unwrap());
//! let q1 = &run.periods[0];
//! assert_eq!(q1.expected, 1000.0);
//! assert!(q1.p10 <= q1.p50 && q1.p50 <= q1.p90);
//! ```
//!
//! A model learned from closed history ([`forecast::HistoryModel`]: win rate, time to close,
//! new deals, seasonality), and [`forecast::backtest`] to measure it against simpler methods
//! on past quarters:
//!
//! ```
//! use chrono::NaiveDate;
//! use leadcore::forecast::{FiscalCalendar, HistoricalDeal, HistoryModel, HistoryModelSpec, Outcome};
//! use leadcore::Money;
//! let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
//! // Forty deals, each closed 10 days after creation, half of them won; one still open.
//! let mut deals: Vec<HistoricalDeal> = (0..40).map(|i| HistoricalDeal {
//!     id: format!("O{i}"), owner: None, amount: Money::new(100, "USD"), created: d(1, 1 + i % 20),
//!     outcome: Some(Outcome { date: d(1, 11 + i % 20), won: i % 2 == 0, value: if i % 2 == 0 { 100 } else { 0 } }),
//!     expected_close: None, stages: vec![],
//! }).collect();
//! deals.push(HistoricalDeal { id: "X".into(), owner: None, amount: Money::new(1000, "USD"), created: d(2, 5), outcome: None, expected_close: None, stages: vec![] });
//! let model = HistoryModel::fit(&deals, d(2, 10), &HistoryModelSpec::plain(), FiscalCalendar::new(1).unwrap()).unwrap();
//! assert_eq!(model.win_rate(), 0.5);
//! let window = model.forecast(&deals, d(2, 10), d(3, 1), 1000, 7).unwrap();
//! assert_eq!(window.expected, 500.0);   // the open deal closes inside the window: 1000 × 0.5
//! ```
//!
//! Roll-ups along the reporting hierarchy ([`forecast::Hierarchy::rollup`]), per period and
//! forecast category, each manager's total including the team's:
//!
//! ```
//! use chrono::NaiveDate;
//! use leadcore::forecast::*;
//! use leadcore::Money;
//! let team = Hierarchy::new([ReportingLine::root("max"), ReportingLine::under("ana", "max")]).unwrap();
//! let spec = RollupSpec::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter,
//!     CategoryMap::new(Category::Pipeline).stage("Won", Category::Closed));
//! let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
//! let deals = [
//!     OwnedDeal::new("ana", ForecastDeal::new("O1", Money::new(100, "USD"), day, "Won", 1.0)),
//!     OwnedDeal::new("max", ForecastDeal::new("O2", Money::new(50, "USD"), day, "Demo", 0.5)),
//! ];
//! let rollup = team.rollup(&spec, &deals).unwrap();
//! let q1 = spec.period_of(day).unwrap();
//! let max = rollup.node("max").unwrap().cumulative_total(q1, Cumulative::Pipeline).unwrap();
//! assert_eq!((max.totals.count, max.totals.amount, max.totals.weighted), (2, 150, 125));
//! let closed = rollup.node("ana").unwrap().cumulative_total(q1, Cumulative::Closed).unwrap();
//! assert_eq!(closed.totals.amount, 100);
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

/// The crate README's example, run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
