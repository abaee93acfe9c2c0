//! The `sla` section of a playbook, as written.

use crate::action::ActionSpec;
use crate::condition::ConditionSpec;
use crate::model::ActivityKind;
use crate::time::Duration;
use serde::{Deserialize, Serialize};

/// Service-level promises on leads: each policy a clock that starts, pauses and stops on
/// conditions, runs on a business calendar, and escalates when late.
///
/// ```yaml
/// calendars:
///   office: {time_zone: America/New_York, hours: {mon-fri: ["09:00-17:00"]}}
/// sla:
///   policies:
///     - name: first_touch                      # sales follows up within 5 business minutes
///       calendar: office
///       target: 5m
///       due_soon: 2m
///       stop: {activity: {kinds: [call, email_sent]}}
///       escalations:
///         - {actions: [{kind: notify, params: {to: manager}}]}
///         - {after: 30m, actions: [{kind: reassign}]}
///     - name: mql_handoff                      # marketing hands an MQL to sales within 4 h
///       target: 4h
///       start: {stage: [MQL]}
///       stop: {stage: [SRL, SQL]}
///       pause: {stage: [Nurture]}
///     - name: week_one_calls                   # at least 6 call attempts in the first 7 days
///       target: 7d
///       stop: {activity: {kinds: [call], min_count: 6}}
///       attempts: [call]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaSpec {
    /// The policies, each its own clock per lead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<SlaPolicySpec>,
}

impl SlaSpec {
    /// Whether nothing is configured.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

/// One promise: which leads it covers, when its clock starts, pauses and stops, how long it
/// may run (in business time of its calendar), and what happens when it is late.
///
/// Conditions are evaluated at each instant of the lead's timeline (its creation, each
/// activity, each stage change) up to `now`: `start` with everything known then; `stop` and
/// `pause` with activity counts taken from the clock's start on (a call before the clock
/// started does not stop it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaPolicySpec {
    /// Unique name.
    pub name: String,
    /// A note for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which leads the policy covers (their fields); none: every lead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies: Option<ConditionSpec>,
    /// When the clock starts; none: when the lead is created (`created_at`, else its first
    /// stage entry, else its first activity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<ConditionSpec>,
    /// When the clock stops: the promise is met if it stops in time.
    pub stop: ConditionSpec,
    /// While it holds, the clock does not run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<ConditionSpec>,
    /// How much (business) time the clock may run.
    pub target: Duration,
    /// The calendar (under `calendars:`) whose working time counts; none: around the clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// A running clock is `due_soon` when at most this much time is left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_soon: Option<Duration>,
    /// Activity kinds that count as attempts (calls, e-mails sent): each status says how
    /// many the lead got from the clock's start to its stop, or to its deadline if sooner
    /// (persistence: "at least 6 calls in the first week").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<ActivityKind>,
    /// The escalation ladder: steps reached one after another once the deadline passed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalations: Vec<EscalationSpec>,
}

/// One step of an escalation ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EscalationSpec {
    /// Business time after the deadline at which the step is reached (none: at the breach).
    /// Steps are listed in increasing `after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Duration>,
    /// What the host should do (notify the manager, reassign...).
    pub actions: Vec<ActionSpec>,
}
