//! Conditions as written in a playbook.

use crate::model::{ActivityKind, FieldValue, Role};
use crate::time::Duration;
use serde::{Deserialize, Serialize};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CompareOp {
    /// Equal.
    Eq,
    /// Not equal (a missing value is not "not equal": it matches nothing but `missing`).
    Ne,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// One of a list.
    In,
    /// None of a list.
    NotIn,
    /// Between two bounds, both included: `value: [low, high]`.
    Between,
    /// Text contains a substring, or a list contains a value.
    Contains,
    /// Text starts with.
    StartsWith,
    /// Text ends with.
    EndsWith,
    /// Has a value (not blank text, not an empty list). Takes no `value`.
    Exists,
    /// Has no value, or blank text, or an empty list. Takes no `value`.
    Missing,
}

impl CompareOp {
    /// The operator's name as written.
    pub fn name(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::In => "in",
            CompareOp::NotIn => "not_in",
            CompareOp::Between => "between",
            CompareOp::Contains => "contains",
            CompareOp::StartsWith => "starts_with",
            CompareOp::EndsWith => "ends_with",
            CompareOp::Exists => "exists",
            CompareOp::Missing => "missing",
        }
    }

    /// Whether the operator needs an ordered field type.
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge | CompareOp::Between
        )
    }

    /// Whether the operator takes no value.
    pub fn is_unary(self) -> bool {
        matches!(self, CompareOp::Exists | CompareOp::Missing)
    }
}

/// A condition: one leaf (a record field, an activity attribute, an activity count, a score,
/// the actor's role, the record's stage) or a combination (`all`, `any`, `not`). Exactly one of its keys is the
/// head; which leaves are allowed depends on where the condition stands (a behaviour rule's
/// `when` reads activity attributes, a guard reads the record, its activities, scores and
/// the actor).
///
/// ```yaml
/// any:
///   - {field: employees, op: between, value: [11, 50]}
///   - {field: title, op: contains, value: vp, case_insensitive: true}
///   - not: {field: region, op: in, value: [APAC]}
///   - activity: {kinds: [meeting_held], within_days: 30}
///   - score: {model: lead, op: ge, value: 100}
///   - role: [marketing]
/// ```
///
/// A comparison on a missing value is false; only `missing` is true of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// Every sub-condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<ConditionSpec>>,
    /// At least one sub-condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<ConditionSpec>>,
    /// The sub-condition does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<ConditionSpec>>,
    /// A field of the record (built-in or declared under `fields`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("examples" = crate::model::builtin_field_names())))]
    pub field: Option<String>,
    /// An activity attribute (`page`, `seconds`, `campaign`, `form_id`, `content_id`,
    /// `attrs.NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("examples" = crate::model::attribute_names())))]
    pub attr: Option<String>,
    /// The comparison of a `field` or `attr` leaf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<CompareOp>,
    /// Right-hand side, typed by the field's declared type (a list for `in`, `not_in`,
    /// `between`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FieldValue>,
    /// Compare text without regard to case.
    #[serde(default, skip_serializing_if = "is_false")]
    pub case_insensitive: bool,
    /// At least `min_count` activities of some kinds happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<ActivityCountSpec>,
    /// A score supplied with the facts compares as stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreTestSpec>,
    /// The actor has one of these roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Vec<Role>>,
    /// The record is in one of these lifecycle stages (SLA clocks: "an MQL waits for
    /// sales").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Vec<String>>,
}

/// At least `min_count` activities of the given kinds happened by `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivityCountSpec {
    /// Any of these kinds counts.
    pub kinds: Vec<ActivityKind>,
    /// How many are needed (default 1).
    #[serde(default = "one")]
    pub min_count: u32,
    /// Count only the last N days before `now`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days: Option<u32>,
    /// Count only activities within this long before `now` (`"15m"`, `"7d"`); instead of
    /// `within_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Duration>,
    /// Count only activities since the record entered its current stage.
    #[serde(default, skip_serializing_if = "is_false")]
    pub since_stage_entry: bool,
}

/// A score compared with a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScoreTestSpec {
    /// Score model name.
    pub model: String,
    /// Comparison (default `ge`): eq, ne, lt, le, gt, ge.
    #[serde(default = "ge")]
    pub op: CompareOp,
    /// The number.
    pub value: f64,
}

fn one() -> u32 {
    1
}

fn ge() -> CompareOp {
    CompareOp::Ge
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
