//! What a transition is asked with: the target, the actor, `now`, and the facts guards read.

use super::replay::ReplayOptions;
use super::state::TransitionRecord;
use crate::model::{Activity, Actor, FieldSource, Lead, Opportunity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A request to move a record to another stage.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Actor, Role, TransitionRequest};
/// let now = Utc.with_ymd_and_hms(2026, 2, 1, 12, 0, 0).unwrap();
/// let req = TransitionRequest::new("Lost", Actor::new("ae1", Role::Ae), now)
///     .with_reason("competitor");
/// assert_eq!(req.reason.as_deref(), Some("competitor"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// Target stage.
    pub to: String,
    /// Who asks.
    pub actor: Actor,
    /// The time of the move; the engine never reads a clock.
    pub now: DateTime<Utc>,
    /// Why (required by some stages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl TransitionRequest {
    /// A request without a reason.
    pub fn new(to: impl Into<String>, actor: Actor, now: DateTime<Utc>) -> Self {
        TransitionRequest {
            to: to.into(),
            actor,
            now,
            reason: None,
        }
    }

    /// The same request with a reason.
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// The facts guards check: the record's fields, its activities and its scores.
///
/// ```
/// use leadcore::{Facts, Lead};
/// let lead = Lead::new("L-1");
/// let facts = Facts::new().record(&lead).score("lead", 80.0);
/// assert_eq!(facts.score_of("lead"), Some(80.0));
/// ```
#[derive(Clone, Default)]
pub struct Facts<'a> {
    record: Option<&'a dyn FieldSource>,
    activities: &'a [Activity],
    scores: BTreeMap<String, f64>,
}

impl<'a> Facts<'a> {
    /// No facts at all: field, activity and score guards fail.
    pub fn new() -> Self {
        Facts::default()
    }
    /// The record whose fields guards read (a [`Lead`], an [`Opportunity`], ...).
    pub fn record(mut self, record: &'a dyn FieldSource) -> Self {
        self.record = Some(record);
        self
    }
    /// The record's activities.
    pub fn activities(mut self, activities: &'a [Activity]) -> Self {
        self.activities = activities;
        self
    }
    /// A score of a named model.
    pub fn score(mut self, model: impl Into<String>, value: f64) -> Self {
        self.scores.insert(model.into(), value);
        self
    }
    /// The record, if given.
    pub fn record_ref(&self) -> Option<&'a dyn FieldSource> {
        self.record
    }
    /// The activities given.
    pub fn activity_list(&self) -> &'a [Activity] {
        self.activities
    }
    /// A score by model name.
    pub fn score_of(&self, model: &str) -> Option<f64> {
        self.scores.get(model).copied()
    }
    /// Every score given, by model name.
    pub fn scores(&self) -> &BTreeMap<String, f64> {
        &self.scores
    }
}

/// The record a serialised transition input carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Subject {
    /// A lead.
    Lead(Box<Lead>),
    /// An opportunity.
    Opportunity(Opportunity),
}

/// A transition request with its facts, as plain data: what the Python and C doors accept
/// as JSON.
///
/// ```
/// let input: leadcore::TransitionInput = serde_json::from_str(r#"{
///   "request": {"to": "MQL", "actor": {"id": "mia", "role": "marketing"},
///               "now": "2026-01-05T10:00:00Z"},
///   "subject": {"lead": {"id": "L-1"}},
///   "scores": {"lead": 120}
/// }"#).unwrap();
/// assert_eq!(input.request.to, "MQL");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// The request.
    pub request: TransitionRequest,
    /// The record guards read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Subject>,
    /// Its activities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<Activity>,
    /// Its scores by model.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scores: BTreeMap<String, f64>,
}

impl TransitionInput {
    /// Reads the wire form, with the same error every door reports for malformed input.
    ///
    /// ```
    /// let err = leadcore::TransitionInput::from_json("{\"request\": 1}").unwrap_err();
    /// assert_eq!(err.code(), "input.invalid");
    /// ```
    pub fn from_json(text: &str) -> crate::Result<Self> {
        crate::wire::from_json(text, "transition input")
    }

    /// The facts this input carries.
    pub fn facts(&self) -> Facts<'_> {
        let record: Option<&dyn FieldSource> = match &self.subject {
            Some(Subject::Lead(l)) => Some(l.as_ref()),
            Some(Subject::Opportunity(o)) => Some(o),
            None => None,
        };
        Facts {
            record,
            activities: &self.activities,
            scores: self.scores.clone(),
        }
    }
}

/// A request to start a record in a pipeline, as plain data (the C and Python doors' wire
/// form of [`crate::Playbook::start`]).
///
/// ```
/// let s: leadcore::StartInput = serde_json::from_str(
///     r#"{"pipeline": "lead", "record_id": "L-1", "now": "2026-01-05T09:00:00Z"}"#).unwrap();
/// assert_eq!(s.record_id, "L-1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartInput {
    /// Pipeline name.
    pub pipeline: String,
    /// The record's id.
    pub record_id: String,
    /// Start time.
    pub now: DateTime<Utc>,
}

impl StartInput {
    /// Reads the wire form, with the same error every door reports for malformed input.
    pub fn from_json(text: &str) -> crate::Result<Self> {
        crate::wire::from_json(text, "start input")
    }
}

/// A request to rebuild a record from its history, as plain data (the C door's and the
/// vectors' wire form of [`crate::Playbook::replay_with`]):
/// `{"pipeline","record_id","history":[..],"trust_history"?}`.
///
/// ```
/// let r = leadcore::ReplayInput::from_json(r#"{"pipeline": "lead", "record_id": "L-1",
///   "history": [{"at": "2026-01-05T09:00:00Z", "from": null, "to": "Suspect"}]}"#).unwrap();
/// assert!(!r.options().trust_history);
/// let pb = leadcore::Playbook::default_playbook();
/// let state = pb.replay_with(&r.pipeline, &r.record_id, &r.history, &r.options()).unwrap();
/// assert_eq!(state.current(), "Suspect");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayInput {
    /// Pipeline name.
    pub pipeline: String,
    /// The record's id.
    pub record_id: String,
    /// Every entry, oldest first; the first is the start.
    pub history: Vec<TransitionRecord>,
    /// Trust the history's guards and reasons (imported data); see
    /// [`crate::ReplayOptions::trust_history`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trust_history: bool,
}

impl ReplayInput {
    /// Reads the wire form, with the same error every door reports for malformed input.
    ///
    /// ```
    /// let err = leadcore::ReplayInput::from_json(r#"{"pipeline": "lead"}"#).unwrap_err();
    /// assert_eq!(err.code(), "input.invalid");
    /// ```
    pub fn from_json(text: &str) -> crate::Result<Self> {
        crate::wire::from_json(text, "replay input")
    }

    /// The replay options this input asks for.
    ///
    /// ```
    /// let r = leadcore::ReplayInput::from_json(
    ///     r#"{"pipeline": "lead", "record_id": "L-1", "history": [], "trust_history": true}"#).unwrap();
    /// assert!(r.options().trust_history);
    /// ```
    pub fn options(&self) -> ReplayOptions {
        ReplayOptions::new().trust_history(self.trust_history)
    }
}
