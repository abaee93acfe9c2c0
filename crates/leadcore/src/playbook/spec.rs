//! The playbook as written: plain serde types, read from JSON, TOML or YAML and checked by
//! the validator before the engine sees them.

use crate::lifecycle::PipelineSpec;
use crate::model::FieldType;
use crate::routing::RoutingSpec;
use crate::scoring::ScoringSpec;
use crate::sla::SlaSpec;
use crate::time::CalendarSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The playbook format version this build reads and writes.
pub const PLAYBOOK_SCHEMA_VERSION: u32 = 1;

/// A whole playbook: custom fields, custom activity kinds, the lead lifecycle and any number
/// of deal pipelines.
///
/// ```
/// use leadcore::{Playbook, PlaybookSpec};
/// let spec: PlaybookSpec = serde_json::from_str(r#"{"schema_version": 1,
///     "lifecycle": {"name": "lead", "initial": "New", "stages": [{"name": "New"}]}}"#).unwrap();
/// let pb = Playbook::from_spec(spec).unwrap();   // validation happens here
/// assert_eq!(pb.lifecycle().name(), "lead");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaybookSpec {
    /// Format version; must be [`PLAYBOOK_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// A name for humans.
    #[serde(default)]
    pub name: String,
    /// Custom fields of leads and opportunities, with their types.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, FieldSpec>,
    /// Custom activity kinds the host records, beyond the built-in ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity_kinds: Vec<String>,
    /// The lead lifecycle (its guards read lead fields).
    pub lifecycle: PipelineSpec,
    /// Deal pipelines (their guards read opportunity fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<PipelineSpec>,
    /// Score models, hotness and zombie detection.
    #[serde(default, skip_serializing_if = "ScoringSpec::is_empty")]
    pub scoring: ScoringSpec,
    /// Who gets each lead: reps, teams, queues and the rule chain.
    #[serde(default, skip_serializing_if = "RoutingSpec::is_empty")]
    pub routing: RoutingSpec,
    /// Service-level promises: clocks that start, pause and stop on conditions, on business
    /// calendars, with escalation ladders.
    #[serde(default, skip_serializing_if = "SlaSpec::is_empty")]
    pub sla: SlaSpec,
    /// Named business calendars (working hours in a time zone, holidays, time away), for
    /// reps' availability and SLA clocks.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub calendars: BTreeMap<String, CalendarSpec>,
}

/// A custom field declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// What the field holds.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// A note for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
