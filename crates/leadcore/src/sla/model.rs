//! A validated `sla` section, compiled: conditions compiled once, calendars resolved.

use super::spec::{SlaPolicySpec, SlaSpec};
use crate::action::ActionSpec;
use crate::condition::compile::Sink;
use crate::condition::{Condition, Scope};
use crate::model::{Catalog, RecordKind};
use crate::time::{Calendar, Calendars};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What `start`, `stop` and `pause` read: the lead's fields, its stage, and its activities.
pub(crate) fn condition_scope() -> Scope {
    Scope {
        activities: true,
        stages: true,
        ..Scope::record(RecordKind::Lead)
    }
}

/// Business time under a policy: its calendar's, or every second.
#[derive(Debug, Clone)]
pub(crate) enum Clockwork {
    AroundTheClock,
    Calendar(Arc<Calendar>),
}

impl Clockwork {
    /// Business seconds from `a` to `b` (0 when `b <= a`).
    #[inline]
    pub(crate) fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> i64 {
        match self {
            Clockwork::AroundTheClock => (b.timestamp() - a.timestamp()).max(0),
            Clockwork::Calendar(c) => c.business_seconds_between(a, b),
        }
    }

    /// The earliest instant `seconds` of business time after `a` (`None` past the
    /// calendar's range).
    #[inline]
    pub(crate) fn add(&self, a: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        match self {
            Clockwork::AroundTheClock => {
                let a = DateTime::from_timestamp(a.timestamp(), 0)?;
                a.checked_add_signed(chrono::TimeDelta::try_seconds(seconds.max(0))?)
            }
            Clockwork::Calendar(c) => c.add_business_seconds(a, seconds),
        }
    }
}

/// One compiled policy.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    pub name: String,
    pub applies: Option<Condition>,
    pub start: Option<Condition>,
    pub stop: Condition,
    pub pause: Option<Condition>,
    pub target: i64,
    pub due_soon: Option<i64>,
    pub clock: Clockwork,
    /// Kinds counted as attempts.
    pub attempts: Vec<crate::model::ActivityKind>,
    /// Seconds after the deadline, and the actions, per step.
    pub escalations: Vec<(i64, Vec<ActionSpec>)>,
}

/// A validated `sla` section, compiled: each lead's clocks ([`Sla::clocks`]) and their status
/// at any `now` ([`Sla::status`], [`Sla::status_columns`]).
///
/// ```
/// use leadcore::Playbook;
/// let pb = Playbook::from_yaml(r#"
/// schema_version: 1
/// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
/// sla:
///   policies: [{name: first_touch, target: 5m, stop: {activity: {kinds: [call]}}}]
/// "#).unwrap();
/// assert_eq!(pb.sla().policy_names(), ["first_touch"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sla {
    pub(crate) spec: SlaSpec,
    pub(crate) policies: Vec<Policy>,
}

impl PartialEq for Sla {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Sla {
    /// Compiles a section the validator accepted (against the same catalog and calendars).
    pub(crate) fn build(spec: &SlaSpec, catalog: &Catalog, calendars: &Calendars) -> Self {
        let mut ignored = Vec::new();
        let mut compile = |c: &crate::ConditionSpec, scope: Scope, path: String| {
            let mut sink = Sink {
                prefix: "sla",
                issues: &mut ignored,
            };
            // Unreachable for a validated spec: such a condition never holds.
            Condition::compile_in(c, catalog, scope, &path, &mut sink)
                .unwrap_or_else(Condition::never)
        };
        let policies = spec
            .policies
            .iter()
            .enumerate()
            .map(|(i, p): (usize, &SlaPolicySpec)| {
                let at = format!("sla.policies[{i}]");
                Policy {
                    name: p.name.clone(),
                    applies: p.applies.as_ref().map(|c| {
                        compile(c, Scope::record(RecordKind::Lead), format!("{at}.applies"))
                    }),
                    start: p
                        .start
                        .as_ref()
                        .map(|c| compile(c, condition_scope(), format!("{at}.start"))),
                    stop: compile(&p.stop, condition_scope(), format!("{at}.stop")),
                    pause: p
                        .pause
                        .as_ref()
                        .map(|c| compile(c, condition_scope(), format!("{at}.pause"))),
                    target: p.target.seconds(),
                    due_soon: p.due_soon.map(|d| d.seconds()),
                    clock: p
                        .calendar
                        .as_ref()
                        .and_then(|c| calendars.get(c))
                        .map_or(Clockwork::AroundTheClock, |c| {
                            Clockwork::Calendar(c.clone())
                        }),
                    attempts: p.attempts.clone(),
                    escalations: p
                        .escalations
                        .iter()
                        .map(|s| (s.after.map_or(0, |d| d.seconds()), s.actions.clone()))
                        .collect(),
                }
            })
            .collect();
        Sla {
            spec: spec.clone(),
            policies,
        }
    }

    /// The spec it was built from.
    pub fn spec(&self) -> &SlaSpec {
        &self.spec
    }

    /// The policy names, in order.
    pub fn policy_names(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.name.as_str()).collect()
    }

    pub(crate) fn policy(&self, name: &str) -> crate::Result<(usize, &Policy)> {
        self.policies
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == name)
            .ok_or_else(|| {
                crate::Error::invalid_input(format!(
                    "no SLA policy `{name}` (the playbook has: {})",
                    self.policy_names().join(", ")
                ))
            })
    }
}
