//! The lifecycle section of a playbook, as written: pipelines, stages, transitions and
//! guards.

use crate::action::ActionSpec;
use crate::condition::{CompareOp, ConditionSpec};
use crate::model::{ActivityKind, FieldValue, Role};
use serde::{Deserialize, Serialize};

/// Whether a record may move back to an earlier funnel stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BackMoves {
    /// Back-moves are refused, and declaring one is a playbook error.
    #[default]
    Forbid,
    /// Any move to an earlier open stage is allowed, declared or not.
    Allow,
}

/// One state machine: stages in funnel order and the transitions between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PipelineSpec {
    /// Unique name, used to pick the pipeline (`"lead"`, `"new_business"`).
    pub name: String,
    /// The stage every record starts in.
    pub initial: String,
    /// Back-move policy.
    #[serde(default)]
    pub back_moves: BackMoves,
    /// Stages; open and won stages are ranked in the order written here.
    pub stages: Vec<StageSpec>,
    /// Allowed transitions.
    #[serde(default)]
    pub transitions: Vec<TransitionSpec>,
}

/// What a stage means for funnels and for the engine.
///
/// ```
/// use leadcore::StageKind;
/// assert_eq!(serde_json::to_string(&StageKind::Won).unwrap(), r#""won""#);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// A funnel stage, ranked by its position.
    #[default]
    Open,
    /// Closed won; ranked after every open stage before it.
    Won,
    /// Closed lost.
    Lost,
    /// Parked for nurturing; leads come back by recycling.
    Nurture,
    /// Not a fit; never to be worked.
    Disqualified,
}

impl StageKind {
    /// Whether stages of this kind sit on the funnel's ranked path.
    pub fn is_ranked(self) -> bool {
        matches!(self, StageKind::Open | StageKind::Won)
    }
}

/// A stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StageSpec {
    /// Unique name within the pipeline.
    pub name: String,
    /// Open, won, lost, nurture or disqualified.
    #[serde(default)]
    pub kind: StageKind,
    /// No transition may leave a terminal stage.
    #[serde(default)]
    pub terminal: bool,
    /// Entering this stage needs a reason.
    #[serde(default)]
    pub require_reason: bool,
    /// When not empty, the only reasons accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Guards checked on every transition into this stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entry_guards: Vec<GuardSpec>,
    /// Actions emitted when a record enters the stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_enter: Vec<ActionSpec>,
    /// Actions emitted when a record leaves the stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_exit: Vec<ActionSpec>,
    /// A note for humans: the verifiable fact the stage stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A declared transition. `from: "*"` means from any non-terminal stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionSpec {
    /// Source stage, or `"*"`.
    pub from: String,
    /// Target stage.
    pub to: String,
    /// Every guard must pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<GuardSpec>,
    /// Actions emitted when this transition happens.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionSpec>,
}

/// A guard: one verifiable fact a transition needs. Written with a `check` tag:
///
/// ```yaml
/// - {check: field_present, name: budget_known, field: budget}
/// - {check: field_compare, name: big_enough, field: employees, op: ge, value: 11}
/// - {check: activity, name: demo_held, kinds: [meeting_held]}
/// - {check: score_at_least, name: hot, model: lead, value: 100}
/// - {check: actor_role, name: marketing_only, roles: [marketing]}
/// - {check: condition, name: fit_or_hot, when: {any: [{field: employees, op: ge, value: 50},
///                                                   {score: {model: lead, value: 100}}]}}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "check", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum GuardSpec {
    /// The field has a value.
    FieldPresent {
        /// Guard name, reported when it fails.
        name: String,
        /// Field name.
        #[cfg_attr(feature = "schema", schemars(extend("examples" = crate::model::builtin_field_names())))]
        field: String,
    },
    /// The field's value compares as stated; an absent field fails.
    FieldCompare {
        /// Guard name.
        name: String,
        /// Field name.
        #[cfg_attr(feature = "schema", schemars(extend("examples" = crate::model::builtin_field_names())))]
        field: String,
        /// Operator.
        op: CompareOp,
        /// Right-hand side (a list for `in` / `not_in`).
        value: FieldValue,
    },
    /// At least `min_count` activities of the given kinds happened (by `now`).
    Activity {
        /// Guard name.
        name: String,
        /// Any of these kinds counts.
        kinds: Vec<ActivityKind>,
        /// How many are needed (default 1).
        #[serde(default = "one")]
        min_count: u32,
        /// Count only the last N days before `now`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within_days: Option<u32>,
        /// Count only activities since the record entered its current stage.
        #[serde(default, skip_serializing_if = "is_false")]
        since_stage_entry: bool,
    },
    /// A score supplied with the facts is at or above a value.
    ScoreAtLeast {
        /// Guard name.
        name: String,
        /// Score model name.
        model: String,
        /// Threshold.
        value: f64,
    },
    /// The actor has one of these roles.
    ActorRole {
        /// Guard name.
        name: String,
        /// Accepted roles.
        roles: Vec<Role>,
    },
    /// Any condition on the record's fields, its activities, scores and the actor
    /// (`all`/`any`/`not` of them).
    Condition {
        /// Guard name.
        name: String,
        /// The condition.
        when: Box<ConditionSpec>,
    },
}

fn one() -> u32 {
    1
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl GuardSpec {
    /// The guard's name.
    pub fn name(&self) -> &str {
        match self {
            GuardSpec::FieldPresent { name, .. }
            | GuardSpec::FieldCompare { name, .. }
            | GuardSpec::Activity { name, .. }
            | GuardSpec::ScoreAtLeast { name, .. }
            | GuardSpec::ActorRole { name, .. }
            | GuardSpec::Condition { name, .. } => name,
        }
    }

    /// The guard's check tag (`"field_present"`, `"activity"`, ...).
    pub fn check(&self) -> &'static str {
        match self {
            GuardSpec::FieldPresent { .. } => "field_present",
            GuardSpec::FieldCompare { .. } => "field_compare",
            GuardSpec::Activity { .. } => "activity",
            GuardSpec::ScoreAtLeast { .. } => "score_at_least",
            GuardSpec::ActorRole { .. } => "actor_role",
            GuardSpec::Condition { .. } => "condition",
        }
    }
}
