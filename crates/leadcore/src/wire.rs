//! The wire form every door shares: canonical JSON (keys sorted at every level, no spaces),
//! so Rust, Python and C give byte-identical output for the same input.

use serde::Serialize;
use serde_json::Value;

/// Reads any wire-form value from JSON text, the way every door does: an
/// [`crate::ErrorKind::InvalidInput`] naming `what` and the path of the value that failed.
///
/// ```
/// let err = leadcore::wire::from_json::<leadcore::Lead>("{\"id\": 7}", "lead").unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: lead at `id`: invalid type: integer `7`, expected a string at line 1 column 8");
/// ```
pub fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> crate::Result<T> {
    crate::lifecycle::wire_parse(text, what)
}

/// Serialises a value as canonical JSON: object keys sorted at every depth, compact.
///
/// ```
/// let v = serde_json::json!({"b": 1, "a": {"d": [true], "c": null}});
/// assert_eq!(leadcore::wire::canonical_json(&v), r#"{"a":{"c":null,"d":[true]},"b":1}"#);
/// ```
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(v) => {
            let mut out = String::new();
            write(&v, &mut out);
            out
        }
        // Only maps with non-string keys fail; the core has none.
        Err(e) => format!("{{\"code\":\"internal\",\"message\":{:?}}}", e.to_string()),
    }
}

fn write(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(inner) = map.get(k) {
                    write(inner, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Wire forms of the scoring calls, shared by every door (JSON in C and in the vectors).
mod scoring_inputs {
    use crate::columnar::EventTable;
    use crate::lifecycle::wire_parse;
    use crate::model::{Activity, Lead};
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
}

pub use scoring_inputs::{
    PredictInput, ScoreApplyInput, ScoreCardInput, ScoreInput, ScoreTableInput,
};
