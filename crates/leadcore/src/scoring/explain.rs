//! Scores with their explanation: every rule, every contributing event, raw points, decay
//! factor and every cap applied. A model's score is exactly the sum of its rules' points
//! and its adjustments.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One event's part in a behaviour rule's points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// When the activity happened.
    pub at: DateTime<Utc>,
    /// The rule's points before decay.
    pub raw_points: f64,
    /// The decay factor at `now` (1 without decay).
    pub decay_factor: f64,
    /// Points it contributes: `raw_points * decay_factor` as one `f64` (the rule's points
    /// are its events' exact sum, within a few ulp of these added up).
    pub points: f64,
}

/// Whether a rule counts behaviour or fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleType {
    /// Points per activity.
    Behaviour,
    /// Points for a field match.
    Fit,
}

/// One rule's line of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleScore {
    /// The rule.
    pub rule: String,
    /// Behaviour or fit.
    #[serde(rename = "type")]
    pub rule_type: RuleType,
    /// Its group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Occurrences counted (1 for a matching fit rule).
    pub occurrences: u32,
    /// Points before any cap: the exact sum of `contributions`.
    pub points: f64,
    /// The events behind the points (with `explain`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributions: Vec<Contribution>,
}

/// What an adjustment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentKind {
    /// A rule's `max_points`.
    RuleCap,
    /// A group's `cap`.
    GroupCap,
    /// A weighted term of a combined model.
    Combined,
    /// The model's `cap`.
    ModelCap,
    /// The model's `floor`.
    ModelFloor,
}

/// A change to the sum of the rules: a cap, a floor, or a combined model's term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// What it is.
    pub kind: AdjustmentKind,
    /// The rule, group or model it concerns.
    pub name: String,
    /// Points added (negative for caps).
    pub points: f64,
}

/// One model's score with its breakdown.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Lead, Playbook};
/// let pb = Playbook::default_playbook();
/// let mut lead = Lead::new("A");
/// lead.firmographics.employees = Some(120);
/// lead.firmographics.title = Some("CTO".into());
/// let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
/// let card = pb.scoring().score(&lead, &[], t, true).unwrap();
/// let fit = card.models.iter().find(|m| m.model == "fit").unwrap();
/// assert_eq!((fit.score, fit.grade.as_deref()), (30.0, Some("B")));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelScore {
    /// The model.
    pub model: String,
    /// The score: exactly the sum of `rules[].points` and `adjustments[].points`.
    pub score: f64,
    /// The grade band it falls in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Rule lines, in rule order.
    pub rules: Vec<RuleScore>,
    /// Caps, floors and combined terms, in the order applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjustments: Vec<Adjustment>,
}

/// A lead flagged as a zombie: no engagement within the configured days after enough
/// follow-ups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZombieFlag {
    /// Follow-ups since the last engagement.
    pub follow_ups: u32,
    /// The follow-up that completed the count.
    pub since: DateTime<Utc>,
    /// The last engagement, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_engagement: Option<DateTime<Utc>>,
    /// The action suggested (`unsubscribe`, `recycle`, ...).
    pub action: String,
}

impl ZombieFlag {
    /// The suggested action in the one emitted-action shape (source: zombie).
    pub fn emitted_action(&self) -> crate::action::EmittedAction {
        crate::action::EmittedAction::new(crate::action::ActionSource::Zombie, self.action.clone())
    }
}

/// Every model's score for one lead at one time, plus hotness and zombie status.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Activity, ActivityKind, Lead, Playbook};
/// let pb = Playbook::default_playbook();
/// let t = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
/// let card = pb.scoring().score(&Lead::new("A"), &[Activity::new(ActivityKind::EmailOpened, t)], t, true).unwrap();
/// assert_eq!(card.score("engagement"), Some(2.0));
/// let models: Vec<&str> = card.models.iter().map(|m| m.model.as_str()).collect();
/// assert_eq!(models, ["engagement", "fit", "lead"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    /// The lead.
    pub lead_id: String,
    /// The time scored at.
    pub at: DateTime<Utc>,
    /// One entry per model, in declaration order.
    pub models: Vec<ModelScore>,
    /// Whether the lead is hot at `at`.
    pub hot: bool,
    /// Zombie status at `at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zombie: Option<ZombieFlag>,
}

impl ScoreCard {
    /// A model's score by name.
    pub fn score(&self, model: &str) -> Option<f64> {
        self.models
            .iter()
            .find(|m| m.model == model)
            .map(|m| m.score)
    }
}
