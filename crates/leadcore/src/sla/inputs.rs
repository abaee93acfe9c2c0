//! Wire forms of the SLA calls, shared by every door (JSON in C and in the vectors).

use super::clock::{SlaFacts, StageChange};
use crate::model::{Activity, Lead};
use crate::wire::from_json as wire_parse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One lead's SLA status under every policy: `{"lead","activities"?,"stages"?,"now"}`
/// (`stages`: the lead's stage entries `{"at","stage"}`, e.g. its lifecycle history).
///
/// ```
/// use leadcore::sla::SlaInput;
/// let i = SlaInput::from_json(
///     r#"{"lead":{"id":"L-1","created_at":"2026-03-02T09:00:00Z"},"now":"2026-03-02T09:10:00Z",
///         "stages":[{"at":"2026-03-02T09:00:00Z","stage":"MQL"}]}"#,
/// ).unwrap();
/// assert_eq!(i.facts().lead().id, "L-1");
/// assert!(SlaInput::from_json(r#"{"lead":{"id":"L"}}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaInput {
    /// The lead.
    pub lead: Lead,
    /// Its activities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<Activity>,
    /// Its stage entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageChange>,
    /// Read the clocks at.
    pub now: DateTime<Utc>,
}

impl SlaInput {
    /// Reads the wire form, with the same error every door reports.
    pub fn from_json(text: &str) -> crate::Result<Self> {
        wire_parse(text, "SLA input")
    }

    /// What the clocks read.
    pub fn facts(&self) -> SlaFacts<'_> {
        SlaFacts::new(&self.lead)
            .activities(&self.activities)
            .stages(&self.stages)
    }
}
