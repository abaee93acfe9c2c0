//! Wire forms of the routing calls, shared by every door (JSON in C and in the vectors).

use super::engine::RouteFacts;
use crate::model::Lead;
use crate::wire::from_json as wire_parse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Route one lead: `{"lead","now","scores"?}` (scores by model name, for `score` leaves).
///
/// ```
/// use leadcore::routing::RouteInput;
/// let i = RouteInput::from_json(
///     r#"{"lead":{"id":"L-20","firmographics":{"employees":20}},"now":"2026-03-02T09:00:00Z","scores":{"lead":82}}"#,
/// ).unwrap();
/// assert_eq!(i.facts().lead().id, "L-20");
/// assert!(RouteInput::from_json(r#"{"lead":{"id":"L"}}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    /// The lead.
    pub lead: Lead,
    /// Decide at.
    pub now: DateTime<Utc>,
    /// Scores by model name (for `score` conditions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<BTreeMap<String, f64>>,
}

impl RouteInput {
    /// Reads the wire form, with the same error every door reports.
    pub fn from_json(text: &str) -> crate::Result<Self> {
        wire_parse(text, "route input")
    }

    /// What the rules read: the lead and its scores.
    pub fn facts(&self) -> RouteFacts<'_> {
        let facts = RouteFacts::new(&self.lead);
        match &self.scores {
            Some(s) => facts.scores(s),
            None => facts,
        }
    }
}

/// Route many leads in order, as one assignment after another: `{"leads":[..],"now"}`.
///
/// ```
/// use leadcore::routing::RouteBatchInput;
/// let i = RouteBatchInput::from_json(r#"{"leads":[{"id":"a"},{"id":"b"}],"now":"2026-03-02T09:00:00Z"}"#).unwrap();
/// assert_eq!(i.leads.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteBatchInput {
    /// The leads, routed in this order.
    pub leads: Vec<Lead>,
    /// Decide at.
    pub now: DateTime<Utc>,
}

impl RouteBatchInput {
    /// Reads the wire form, with the same error every door reports.
    pub fn from_json(text: &str) -> crate::Result<Self> {
        wire_parse(text, "route batch input")
    }
}
