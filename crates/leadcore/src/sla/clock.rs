//! A lead's SLA clocks, built from its timeline: when each started, paused, stopped, and
//! whether it passed its deadline on the way. Plain serde data the host may keep.

use super::model::{Policy, Sla};
use crate::condition::Context;
use crate::model::{Activity, Lead};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A lead's entry into a lifecycle stage (from its lifecycle history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    /// When.
    pub at: DateTime<Utc>,
    /// The stage entered.
    pub stage: String,
}

/// What an SLA clock reads: the lead, its activities and its stage changes (each in time
/// order; out-of-order input is sorted on a copy).
///
/// ```
/// use leadcore::sla::SlaFacts;
/// use leadcore::Lead;
/// let lead = Lead::new("L-1");
/// let facts = SlaFacts::new(&lead);
/// assert_eq!(facts.lead().id, "L-1");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SlaFacts<'a> {
    lead: &'a Lead,
    activities: &'a [Activity],
    stages: &'a [StageChange],
}

impl<'a> SlaFacts<'a> {
    /// A lead without activities or stage changes.
    pub fn new(lead: &'a Lead) -> Self {
        SlaFacts {
            lead,
            activities: &[],
            stages: &[],
        }
    }
    /// Its activities.
    pub fn activities(mut self, activities: &'a [Activity]) -> Self {
        self.activities = activities;
        self
    }
    /// Its stage changes (the lifecycle history's entries).
    pub fn stages(mut self, stages: &'a [StageChange]) -> Self {
        self.stages = stages;
        self
    }
    /// The lead.
    pub fn lead(&self) -> &'a Lead {
        self.lead
    }
}

/// One lead's clock under one policy, as of the last instant of its timeline up to `now`:
/// everything [`Sla::status`] needs besides the policy and `now`.
///
/// `paused_seconds` is business time of finished pauses; `paused_since` is set while a pause
/// is open; `breached_at` is set once an event showed the deadline had passed (a clock still
/// running may pass it later without an event: the status says so).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaClock {
    /// The policy.
    pub policy: String,
    /// The lead.
    pub lead_id: String,
    /// Whether the policy covers the lead (`applies`).
    pub applies: bool,
    /// When the clock started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<DateTime<Utc>>,
    /// Business seconds of finished pauses.
    #[serde(default)]
    pub paused_seconds: i64,
    /// Start of the pause in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_since: Option<DateTime<Utc>>,
    /// The deadline, once an event came after it with the clock unstopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached_at: Option<DateTime<Utc>>,
    /// Attempts (activities of the policy's `attempts` kinds) from the start to the stop,
    /// or to the deadline if sooner.
    #[serde(default)]
    pub attempts: u32,
}

impl Sla {
    /// The lead's clock under every policy, from its timeline up to `now` (later events are
    /// ignored), in policy order.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::model::{Activity, ActivityKind};
    /// use leadcore::sla::SlaFacts;
    /// use leadcore::{Lead, Playbook};
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
    /// sla:
    ///   policies: [{name: first_touch, target: 5m, stop: {activity: {kinds: [call]}}}]
    /// "#).unwrap();
    /// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let mut lead = Lead::new("L-1");
    /// lead.created_at = Some(t0);
    /// let calls = [Activity::new(ActivityKind::Call, t0 + chrono::Duration::minutes(3))];
    /// let clocks = pb.sla().clocks(SlaFacts::new(&lead).activities(&calls), t0 + chrono::Duration::hours(1));
    /// assert_eq!(clocks[0].started_at, Some(t0));
    /// assert_eq!(clocks[0].stopped_at, Some(calls[0].at));
    /// ```
    pub fn clocks(&self, facts: SlaFacts<'_>, now: DateTime<Utc>) -> Vec<SlaClock> {
        let mut acts_buf;
        let mut activities = facts.activities;
        if !activities.is_sorted_by_key(|a| a.at) {
            acts_buf = activities.to_vec();
            acts_buf.sort_by_key(|a| a.at);
            activities = &acts_buf;
        }
        let mut stages_buf;
        let mut stages = facts.stages;
        if !stages.is_sorted_by_key(|s| s.at) {
            stages_buf = stages.to_vec();
            stages_buf.sort_by_key(|s| s.at);
            stages = &stages_buf;
        }
        let timeline = Timeline::new(facts.lead, activities, stages, now);
        self.policies.iter().map(|p| timeline.run(p)).collect()
    }
}

/// A lead's instants up to `now`, in order, and what was known at each.
struct Timeline<'a> {
    lead: &'a Lead,
    activities: &'a [Activity],
    stages: &'a [StageChange],
    origin: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
}

impl<'a> Timeline<'a> {
    fn new(
        lead: &'a Lead,
        activities: &'a [Activity],
        stages: &'a [StageChange],
        now: DateTime<Utc>,
    ) -> Self {
        let origin = lead
            .created_at
            .or_else(|| stages.first().map(|s| s.at))
            .or_else(|| activities.first().map(|a| a.at))
            .filter(|&t| t <= now);
        Timeline {
            lead,
            activities,
            stages,
            origin,
            now,
        }
    }

    /// Every instant of the timeline up to `now`, in order, once each.
    fn instants(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let mut a = self.activities.iter().map(|a| a.at).peekable();
        let mut s = self.stages.iter().map(|s| s.at).peekable();
        let mut o = self.origin;
        let now = self.now;
        let mut last: Option<DateTime<Utc>> = None;
        std::iter::from_fn(move || {
            loop {
                let next = [o, a.peek().copied(), s.peek().copied()]
                    .into_iter()
                    .flatten()
                    .min()?;
                if o == Some(next) {
                    o = None;
                } else if a.peek() == Some(&next) {
                    a.next();
                } else {
                    s.next();
                }
                if next > now {
                    return None;
                }
                if last.is_some_and(|l| l >= next) {
                    continue;
                }
                last = Some(next);
                return Some(next);
            }
        })
    }

    fn run(&self, p: &Policy) -> SlaClock {
        let mut clock = SlaClock {
            policy: p.name.clone(),
            lead_id: self.lead.id.clone(),
            applies: true,
            started_at: None,
            stopped_at: None,
            paused_seconds: 0,
            paused_since: None,
            breached_at: None,
            attempts: 0,
        };
        if let Some(applies) = &p.applies
            && !applies.holds(&Context::new().record(self.lead))
        {
            clock.applies = false;
            return clock;
        }
        // Activities from the clock's start on (for `stop` and `pause`).
        let mut since = 0usize;
        let mut stage_ix = 0usize;
        for t in self.instants() {
            while stage_ix < self.stages.len() && self.stages[stage_ix].at <= t {
                stage_ix += 1;
            }
            let Some(start) = clock.started_at else {
                let starts = match &p.start {
                    None => Some(t) == self.origin,
                    Some(c) => c.holds(&self.context(t, 0, stage_ix)),
                };
                if !starts {
                    continue;
                }
                clock.started_at = Some(t);
                since = self.activities.partition_point(|a| a.at < t);
                self.step(p, &mut clock, t, t, since);
                if clock.stopped_at.is_some() {
                    break;
                }
                continue;
            };
            self.step(p, &mut clock, start, t, since);
            if clock.stopped_at.is_some() {
                break;
            }
        }
        self.count_attempts(p, &mut clock, since);
        clock
    }

    /// Attempts from the start to the stop (or `now`), not past the deadline.
    fn count_attempts(&self, p: &Policy, clock: &mut SlaClock, since: usize) {
        let Some(start) = clock.started_at else {
            return;
        };
        if p.attempts.is_empty() {
            return;
        }
        let deadline = clock.breached_at.or_else(|| {
            clock
                .paused_since
                .is_none()
                .then(|| p.clock.add(start, p.target + clock.paused_seconds))
                .flatten()
        });
        let end = [Some(self.now), clock.stopped_at, deadline]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.now);
        let n = self.activities[since..]
            .iter()
            .take_while(|a| a.at <= end)
            .filter(|a| p.attempts.contains(&a.kind))
            .count();
        clock.attempts = u32::try_from(n).unwrap_or(u32::MAX);
    }

    /// What is known at `t`: the lead, its activities from `since` on, and its stage (the
    /// stage changes before `stage_ix`).
    fn context(&self, t: DateTime<Utc>, since: usize, stage_ix: usize) -> Context<'a> {
        let cx = Context::new()
            .record(self.lead)
            .activities(self.activities.get(since..).unwrap_or_default(), t);
        match stage_ix.checked_sub(1).and_then(|i| self.stages.get(i)) {
            Some(s) => cx.stage(&s.stage).stage_entered_at(s.at),
            None => cx,
        }
    }

    /// The running clock at instant `t`: breach seen, stop, pause on or off.
    fn step(
        &self,
        p: &Policy,
        clock: &mut SlaClock,
        start: DateTime<Utc>,
        t: DateTime<Utc>,
        since: usize,
    ) {
        if clock.paused_since.is_none()
            && clock.breached_at.is_none()
            && let Some(deadline) = p.clock.add(start, p.target + clock.paused_seconds)
            && deadline < t
        {
            clock.breached_at = Some(deadline);
        }
        let cx = self.context(t, since, self.stages.partition_point(|s| s.at <= t));
        if p.stop.holds(&cx) {
            if let Some(from) = clock.paused_since.take() {
                clock.paused_seconds += p.clock.between(from, t);
            }
            clock.stopped_at = Some(t);
            return;
        }
        let paused = p.pause.as_ref().is_some_and(|c| c.holds(&cx));
        match (paused, clock.paused_since) {
            (true, None) => clock.paused_since = Some(t),
            (false, Some(from)) => {
                clock.paused_seconds += p.clock.between(from, t);
                clock.paused_since = None;
            }
            _ => {}
        }
    }
}
