//! Wire forms of the scoring calls, shared by every door (JSON in C and in the vectors).

use crate::columnar::EventTable;
use crate::model::{Activity, Lead};
use crate::wire::from_json as wire_parse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

macro_rules! from_json {
    ($t:ty, $what:literal) => {
        impl $t {
            /// Reads the wire form, with the same error every door reports.
            pub fn from_json(text: &str) -> crate::Result<Self> {
                wire_parse(text, $what)
            }
        }
    };
}

/// Score one lead from its activities: `{"lead","activities","now","explain"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    /// The lead (fit fields).
    pub lead: Lead,
    /// Its activities.
    #[serde(default)]
    pub activities: Vec<Activity>,
    /// Score at.
    pub now: DateTime<Utc>,
    /// Include every contributing event.
    #[serde(default)]
    pub explain: bool,
}
from_json!(ScoreInput, "score input");

/// Score a table of events: `{"leads","events","now"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreTableInput {
    /// The leads, addressed by id from `events.lead_id`.
    pub leads: Vec<Lead>,
    /// The events, as columns.
    pub events: EventTable,
    /// Score at.
    pub now: DateTime<Utc>,
}
from_json!(ScoreTableInput, "score table input");

/// Record one event in a score state and check thresholds: `{"lead","activity","now"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreApplyInput {
    /// The lead (for fit rules in thresholds).
    pub lead: Lead,
    /// The event.
    pub activity: Activity,
    /// The time of the call.
    pub now: DateTime<Utc>,
}
from_json!(ScoreApplyInput, "score apply input");

/// The score card of a state: `{"lead","now","explain"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreCardInput {
    /// The lead.
    pub lead: Lead,
    /// Score at.
    pub now: DateTime<Utc>,
    /// Include every contributing event.
    #[serde(default)]
    pub explain: bool,
}
from_json!(ScoreCardInput, "score card input");

/// When a state's score crosses a threshold:
/// `{"lead","model","threshold","now","horizon_days"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictInput {
    /// The lead.
    pub lead: Lead,
    /// Score model.
    pub model: String,
    /// The threshold.
    pub threshold: f64,
    /// From when.
    pub now: DateTime<Utc>,
    /// How far ahead to look, in days.
    pub horizon_days: i64,
}
from_json!(PredictInput, "predict input");
