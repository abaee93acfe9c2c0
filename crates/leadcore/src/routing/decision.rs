//! What routing decides, and why: plain serde values, part of the shared vectors.

use crate::action::EmittedAction;
use crate::condition::Failure;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who a lead goes to: `{"rep":"B"}` or `{"queue":"review"}`.
///
/// ```
/// use leadcore::Assignee;
/// assert_eq!(serde_json::to_string(&Assignee::Rep("B".into())).unwrap(), r#"{"rep":"B"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// A rep, by id.
    Rep(String),
    /// A queue, by name.
    Queue(String),
}

/// Why a lead went to the unassignable queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnassignedCode {
    /// The playbook has no routing rules.
    NoRules,
    /// No rule's condition held.
    NoRuleMatched,
    /// Some rules matched, but none found anyone eligible.
    NoEligibleRep,
}

impl UnassignedCode {
    /// Every code, in declaration order.
    pub const ALL: [UnassignedCode; 3] = [
        UnassignedCode::NoRules,
        UnassignedCode::NoRuleMatched,
        UnassignedCode::NoEligibleRep,
    ];

    /// The stable code, as serialised.
    ///
    /// ```
    /// use leadcore::routing::UnassignedCode;
    /// assert_eq!(UnassignedCode::NoRuleMatched.code(), "no_rule_matched");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            UnassignedCode::NoRules => "no_rules",
            UnassignedCode::NoRuleMatched => "no_rule_matched",
            UnassignedCode::NoEligibleRep => "no_eligible_rep",
        }
    }
}

/// The recorded reason of a lead left in the unassignable queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unassigned {
    /// A stable code.
    pub code: UnassignedCode,
    /// In words.
    pub message: String,
}

/// Why a candidate rep was passed over: `{"rep":"A","why":"at_capacity","open":500,"capacity":500}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PassReason {
    /// The rep does not take leads (`active: false`).
    Inactive,
    /// The rep holds as many open leads as allowed.
    AtCapacity {
        /// Open leads held.
        open: u32,
        /// The capacity.
        capacity: u32,
    },
    /// The rep's daily quota is used up.
    QuotaUsed {
        /// Leads assigned today.
        assigned: u32,
        /// The quota.
        quota: u32,
    },
    /// The owner the host recorded is no rep of this playbook.
    UnknownRep,
    /// The rep is away (an out-of-office period of the playbook or the routing state)
    /// until `until`: `{"rep":"A","why":"out_of_office","until":"2026-03-09T00:00:00Z"}`.
    OutOfOffice {
        /// The first instant back (the end of the period, chained periods joined).
        until: DateTime<Utc>,
    },
    /// The rep's calendar is closed (outside working hours, a holiday, or the calendar's
    /// own time away): `{"rep":"A","why":"off_hours","next_open":"2026-03-02T14:00:00Z"}`.
    OffHours {
        /// When the rep is next available (none: never, within the calendar's range).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_open: Option<DateTime<Utc>>,
    },
}

/// A rep passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassedOver {
    /// The rep.
    pub rep: String,
    /// Why.
    #[serde(flatten)]
    pub reason: PassReason,
}

/// One strategy tried by a matching rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrategyTrace {
    /// Which (`rep`, `queue`, `round_robin`, `least_busy`, `balance_value`, `win_rate`,
    /// `account_owner`).
    pub strategy: String,
    /// Who it picked, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<Assignee>,
    /// Candidates passed over (in pool order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passed_over: Vec<PassedOver>,
    /// Anything else worth knowing (no owner on record, a missing deal value...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One rule tried: whether its condition held (else the leaf that failed, e.g. "field
/// `employees` is missing"), and the strategies it tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTrace {
    /// The rule's name.
    pub rule: String,
    /// Whether its condition held.
    pub matched: bool,
    /// Why it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// Strategies tried, in order, when it matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strategies: Vec<StrategyTrace>,
}

/// A routing decision: who gets the lead, by which rule, every rule tried and every
/// candidate passed over, and the actions to carry out.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::{Assignee, Lead, Playbook};
/// let pb = Playbook::from_json(r#"{"schema_version": 1,
///     "lifecycle": {"name": "lead", "initial": "New", "stages": [{"name": "New"}]},
///     "routing": {"reps": [{"id": "ana"}], "rules": [{"name": "everyone", "assign": {"round_robin": {}}}]}}"#).unwrap();
/// let mut state = pb.routing().new_state();
/// let now = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
/// let d = pb.routing().assign(&mut state, &Lead::new("L-1"), now).unwrap();
/// assert_eq!((d.assignee, d.rule.as_deref()), (Assignee::Rep("ana".into()), Some("everyone")));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The lead.
    pub lead_id: String,
    /// When it was decided.
    pub at: DateTime<Utc>,
    /// Who gets it.
    pub assignee: Assignee,
    /// The rule that placed it (none: the unassignable queue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Set when the lead went to the unassignable queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unassigned: Option<Unassigned>,
    /// Every rule tried, in order.
    pub trace: Vec<RuleTrace>,
    /// The placing rule's actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<EmittedAction>,
}

impl Decision {
    /// The rep the lead went to, if a rep.
    pub fn rep(&self) -> Option<&str> {
        match &self.assignee {
            Assignee::Rep(r) => Some(r),
            Assignee::Queue(_) => None,
        }
    }
}
