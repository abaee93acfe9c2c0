//! The `scoring` section of a playbook, as written.

use crate::action::ActionSpec;
use crate::condition::{CompareOp, ConditionSpec, is_false};
use crate::model::{ActivityKind, FieldValue};
use serde::{Deserialize, Serialize};

/// Score models, hotness and zombie detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScoringSpec {
    /// Named score models (`fit`, `engagement`, a combined one, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<ModelSpec>,
    /// "Hot" when N engagement events happen within M minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotness: Option<HotnessSpec>,
    /// Flag leads that stopped engaging after follow-ups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zombie: Option<ZombieSpec>,
    /// Batch scoring reports events later than `now` plus this many seconds as row errors
    /// (default 300). Events after `now` never count.
    #[serde(default = "default_tolerance")]
    pub future_tolerance_seconds: u32,
}

fn default_tolerance() -> u32 {
    300
}

impl Default for ScoringSpec {
    fn default() -> Self {
        ScoringSpec {
            models: Vec::new(),
            hotness: None,
            zombie: None,
            future_tolerance_seconds: default_tolerance(),
        }
    }
}

impl ScoringSpec {
    /// Whether nothing is configured.
    pub fn is_empty(&self) -> bool {
        *self == ScoringSpec::default()
    }
}

/// A score model: rules (or a weighted combination of other models), groups, caps, decay,
/// grade bands and thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Unique name; lifecycle guards refer to it (`score_at_least.model`).
    pub name: String,
    /// Behaviour and fit rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleSpec>,
    /// Weighted sum of other models' scores (added to this model's own rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub combine: Vec<WeightSpec>,
    /// Rule groups with their own caps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
    /// Highest score the model gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// Lowest score the model gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    /// Decay of behaviour points, unless a rule sets its own.
    #[serde(default, skip_serializing_if = "DecaySpec::is_none")]
    pub decay: DecaySpec,
    /// Letter grades by score band (for a fit score: A-D).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<GradeBand>,
    /// Thresholds that fire actions when crossed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<ThresholdSpec>,
}

/// One term of a combined model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct WeightSpec {
    /// The model combined (declared earlier in `models`).
    pub model: String,
    /// Its weight.
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

/// A group of rules whose points are capped together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Group name, used by rules' `group`.
    pub name: String,
    /// Most points the group's rules give together.
    pub cap: f64,
}

/// A rule: behaviour (points per matching activity) or fit (points when a field matches).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum RuleSpec {
    /// Points for each matching activity.
    Behaviour {
        /// Rule name (shown in explanations).
        name: String,
        /// The activity kind it counts.
        activity: ActivityKind,
        /// Every filter must hold on the activity's attributes.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        filters: Vec<FilterSpec>,
        /// A condition on the activity's attributes (`attr` leaves, `all`/`any`/`not`), with
        /// the filters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        when: Option<ConditionSpec>,
        /// Points per occurrence (negative for e.g. unsubscribes).
        points: f64,
        /// Which occurrences count.
        #[serde(default)]
        occurrence: Occurrence,
        /// Most points (in absolute value) this rule gives.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_points: Option<f64>,
        /// Count only activities of the last N days.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window_days: Option<u32>,
        /// Group it belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
        /// Decay overriding the model's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decay: Option<DecaySpec>,
    },
    /// Points when a lead field matches (`field` and `op`), or when a condition on the lead's
    /// fields holds (`when`).
    Fit {
        /// Rule name.
        name: String,
        /// Lead field (built-in or custom).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "schema", schemars(extend("examples" = crate::model::builtin_field_names())))]
        field: Option<String>,
        /// The test.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        op: Option<FitOp>,
        /// A condition on the lead's fields, instead of `field` and `op`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        when: Option<ConditionSpec>,
        /// Right-hand side (not for `exists`; a list for `in`/`not_in`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<FieldValue>,
        /// Range bounds for `range` (`min <= v < max`; either may be absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<FieldValue>,
        /// Upper bound (exclusive) for `range`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<FieldValue>,
        /// Points when it matches.
        points: f64,
        /// Group it belongs to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
    },
}

impl RuleSpec {
    /// The rule's name.
    pub fn name(&self) -> &str {
        match self {
            RuleSpec::Behaviour { name, .. } | RuleSpec::Fit { name, .. } => name,
        }
    }
    /// Its group, if any.
    pub fn group(&self) -> Option<&str> {
        match self {
            RuleSpec::Behaviour { group, .. } | RuleSpec::Fit { group, .. } => group.as_deref(),
        }
    }
    /// Its points.
    pub fn points(&self) -> f64 {
        match self {
            RuleSpec::Behaviour { points, .. } | RuleSpec::Fit { points, .. } => *points,
        }
    }
}

/// The test of a fit rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FitOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// One of a list.
    In,
    /// None of a list.
    NotIn,
    /// Text contains, or list contains.
    Contains,
    /// Text starts with.
    StartsWith,
    /// Text ends with.
    EndsWith,
    /// The field has a value (not blank text, not an empty list).
    Exists,
    /// The field has no value.
    Missing,
    /// `min <= value < max`.
    Range,
    /// Less than.
    Lt,
    /// At most.
    Le,
    /// Greater than.
    Gt,
    /// At least.
    Ge,
    /// A date before.
    Before,
    /// A date after.
    After,
}

impl FitOp {
    /// The comparison this test performs, where it is one.
    pub(crate) fn compare_op(self) -> Option<CompareOp> {
        Some(match self {
            FitOp::Eq => CompareOp::Eq,
            FitOp::Ne => CompareOp::Ne,
            FitOp::In => CompareOp::In,
            FitOp::NotIn => CompareOp::NotIn,
            FitOp::Contains => CompareOp::Contains,
            FitOp::StartsWith => CompareOp::StartsWith,
            FitOp::EndsWith => CompareOp::EndsWith,
            FitOp::Exists => CompareOp::Exists,
            FitOp::Missing => CompareOp::Missing,
            FitOp::Lt | FitOp::Before => CompareOp::Lt,
            FitOp::Le => CompareOp::Le,
            FitOp::Gt | FitOp::After => CompareOp::Gt,
            FitOp::Ge => CompareOp::Ge,
            FitOp::Range => return None,
        })
    }
}

/// A filter on an activity attribute: `page`, `seconds`, `campaign`, `form_id`,
/// `content_id`, or `attrs.NAME`. An activity without the attribute does not pass (only
/// `missing` is true of it) and is not a bad event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    /// Attribute.
    #[cfg_attr(feature = "schema", schemars(extend("examples" = crate::model::attribute_names())))]
    pub attr: String,
    /// Comparison.
    pub op: CompareOp,
    /// Right-hand side (none for `exists` / `missing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<FieldValue>,
    /// Compare text without regard to case.
    #[serde(default, skip_serializing_if = "is_false")]
    pub case_insensitive: bool,
}

/// Which occurrences of a behaviour count. Written `every`, `once` or `{at_most: N}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Occurrence {
    /// Every occurrence.
    #[default]
    Every,
    /// The first occurrence only.
    Once,
    /// The first N occurrences.
    AtMost(u32),
}

/// How behaviour points fade with the time since the activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DecaySpec {
    /// Points never fade.
    #[default]
    None,
    /// Points vanish after this many days.
    Expiry {
        /// Days.
        days: u32,
    },
    /// Points lose `percent`% every `period_days` (compounding).
    Step {
        /// Percent lost per period (0-100].
        percent: f64,
        /// Period in days.
        period_days: u32,
    },
    /// Continuous half-life: `p * 2^(-age / half_life)`.
    HalfLife {
        /// Half-life in days (> 0).
        days: f64,
    },
}

impl DecaySpec {
    fn is_none(&self) -> bool {
        matches!(self, DecaySpec::None)
    }
}

/// A grade band: scores in `[min, max)` get `grade`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    /// The grade, e.g. `"A"`.
    pub grade: String,
    /// Lowest score of the band (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Highest score of the band (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// When a threshold may fire again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Refire {
    /// Once in the lead's life.
    OncePerLead,
    /// Again after each fall back below `at - hysteresis`.
    #[default]
    OncePerCrossing,
}

/// A score threshold: crossing up fires `on_up`; falling below `at - hysteresis` re-arms it
/// and fires `on_down`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ThresholdSpec {
    /// Name.
    pub name: String,
    /// The score to reach.
    pub at: f64,
    /// How far below `at` the score must fall to re-arm.
    #[serde(default)]
    pub hysteresis: f64,
    /// Re-fire policy.
    #[serde(default)]
    pub refire: Refire,
    /// Actions when crossing up (notify owner, create task, suggest a transition, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_up: Vec<ActionSpec>,
    /// Actions when falling back below `at - hysteresis`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_down: Vec<ActionSpec>,
}

/// "Hot": at least `events` engagement activities within `within_minutes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct HotnessSpec {
    /// How many events.
    pub events: u32,
    /// Within how many minutes.
    pub within_minutes: u32,
    /// Which kinds count (default: opens, clicks, forwards, replies, visits, forms,
    /// downloads, trial signups).
    #[serde(default = "engagement_kinds")]
    pub kinds: Vec<ActivityKind>,
}

/// A zombie: no engagement within `days` after at least `follow_ups` follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ZombieSpec {
    /// Days of silence after the follow-ups.
    pub days: u32,
    /// Follow-ups sent since the last engagement.
    pub follow_ups: u32,
    /// What counts as a follow-up (default: call, email_sent).
    #[serde(default = "follow_up_kinds")]
    pub follow_up_kinds: Vec<ActivityKind>,
    /// What counts as engagement (default as for hotness).
    #[serde(default = "engagement_kinds")]
    pub engagement_kinds: Vec<ActivityKind>,
    /// The action suggested for a zombie (default `unsubscribe`).
    #[serde(default = "unsubscribe")]
    pub action: String,
}

fn engagement_kinds() -> Vec<ActivityKind> {
    [
        "email_opened",
        "email_clicked",
        "email_forwarded",
        "email_replied",
        "web_visit",
        "form_submitted",
        "content_downloaded",
        "trial_signup",
    ]
    .into_iter()
    .map(ActivityKind::parse)
    .collect()
}

fn follow_up_kinds() -> Vec<ActivityKind> {
    vec![ActivityKind::Call, ActivityKind::EmailSent]
}

fn unsubscribe() -> String {
    "unsubscribe".to_owned()
}
