//! An SLA clock's status at any `now`: pending, due soon, paused, breached or met, its
//! deadline, the next instant its status changes, and the escalation steps reached.

use super::clock::SlaClock;
use super::model::{Policy, Sla};
use crate::action::{ActionSource, EmittedAction};
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaState {
    /// The policy does not cover the lead.
    NotApplicable,
    /// The clock has not started.
    NotStarted,
    /// Running, with time left.
    Pending,
    /// Running, with at most `due_soon` left.
    DueSoon,
    /// Paused, not past its deadline.
    Paused,
    /// Stopped in time.
    Met,
    /// Past its deadline (still running, or stopped late).
    Breached,
}

impl SlaState {
    /// Every state, in code order (the code is the position).
    pub const ALL: [SlaState; 7] = [
        SlaState::NotApplicable,
        SlaState::NotStarted,
        SlaState::Pending,
        SlaState::DueSoon,
        SlaState::Paused,
        SlaState::Met,
        SlaState::Breached,
    ];

    /// The name as written (`due_soon`).
    pub fn name(self) -> &'static str {
        match self {
            SlaState::NotApplicable => "not_applicable",
            SlaState::NotStarted => "not_started",
            SlaState::Pending => "pending",
            SlaState::DueSoon => "due_soon",
            SlaState::Paused => "paused",
            SlaState::Met => "met",
            SlaState::Breached => "breached",
        }
    }

    /// A small code (position in [`SlaState::ALL`]) for columns.
    pub fn code(self) -> u8 {
        SlaState::ALL.iter().position(|s| *s == self).unwrap_or(0) as u8
    }
}

/// One lead's SLA under one policy at `now`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::sla::SlaState;
/// use leadcore::{Lead, Playbook};
/// let pb = Playbook::from_json(r#"{"schema_version": 1,
///     "lifecycle": {"name": "lead", "initial": "MQL", "stages": [{"name": "MQL"}, {"name": "SRL"}], "transitions": [{"from": "MQL", "to": "SRL"}]},
///     "sla": {"policies": [{"name": "handoff", "target": "4h", "start": {"stage": ["MQL"]}, "stop": {"stage": ["SRL"]}}]}}"#).unwrap();
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
/// let state = pb.start("lead", "L-1", t0).unwrap();
/// let s = &pb.sla_status(&Lead::new("L-1"), &[], &state, t0 + chrono::Duration::hours(1))[0];
/// assert_eq!((s.status, s.remaining_seconds), (SlaState::Pending, 3 * 3600));
/// assert_eq!(s.deadline, Some(t0 + chrono::Duration::hours(4)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaStatus {
    /// The lead.
    pub lead_id: String,
    /// The policy.
    pub policy: String,
    /// Where the clock stands.
    pub status: SlaState,
    /// When the clock started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<DateTime<Utc>>,
    /// The instant by which it must stop (none while paused or not started); a clock is
    /// breached from the second after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    /// Business seconds the clock ran (to `now`, or to its stop), pauses left out.
    pub elapsed_seconds: i64,
    /// Business seconds left before the deadline (0 once breached).
    pub remaining_seconds: i64,
    /// The next instant the status or the escalation step changes if nothing else happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_change: Option<DateTime<Utc>>,
    /// Escalation steps reached.
    pub escalation: u32,
    /// Attempts (the policy's `attempts` kinds) from the start to the stop, or to the
    /// deadline if sooner.
    #[serde(default)]
    pub attempts: u32,
    /// The reached steps' actions, while the clock runs past its deadline (each carries its
    /// step: the host acts on the steps it has not acted on yet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<EmittedAction>,
}

/// The numbers of a status, without names (the batch path's row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    pub status: SlaState,
    pub deadline: Option<i64>,
    pub elapsed: i64,
    pub remaining: i64,
    pub next_change: Option<i64>,
    pub escalation: u32,
}

/// A clock's parts as seconds since the epoch (the columnar form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ClockParts {
    pub applies: bool,
    pub started: Option<i64>,
    pub stopped: Option<i64>,
    pub paused_seconds: i64,
    pub paused_since: Option<i64>,
    pub breached: Option<i64>,
}

impl ClockParts {
    pub(crate) fn of(c: &SlaClock) -> Self {
        ClockParts {
            applies: c.applies,
            started: c.started_at.map(|t| t.timestamp()),
            stopped: c.stopped_at.map(|t| t.timestamp()),
            paused_seconds: c.paused_seconds,
            paused_since: c.paused_since.map(|t| t.timestamp()),
            breached: c.breached_at.map(|t| t.timestamp()),
        }
    }
}

fn instant(s: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(s, 0)
}

impl Policy {
    /// The reading of a clock at `now` (seconds since the epoch).
    pub(crate) fn read(&self, c: ClockParts, now: i64) -> Reading {
        let mut r = Reading {
            status: SlaState::NotApplicable,
            deadline: None,
            elapsed: 0,
            remaining: 0,
            next_change: None,
            escalation: 0,
        };
        if !c.applies {
            return r;
        }
        let Some(start) = c.started.filter(|&s| s <= now) else {
            r.status = SlaState::NotStarted;
            r.remaining = self.target;
            return r;
        };
        let (Some(start_t), Some(now_t)) = (instant(start), instant(now)) else {
            return r;
        };
        let end = c.stopped.filter(|&s| s <= now).unwrap_or(now);
        let stopped = c.stopped.is_some_and(|s| s <= now);
        let end_t = instant(end).unwrap_or(now_t);
        let open_pause = c.paused_since.filter(|_| !stopped);
        let mut elapsed = self.clock.between(start_t, end_t) - c.paused_seconds;
        if let Some(p) = open_pause.and_then(instant) {
            elapsed -= self.clock.between(p, now_t);
        }
        r.elapsed = elapsed.max(0);
        r.remaining = (self.target - r.elapsed).max(0);
        // The deadline, when the clock's pauses so far are all that delay it.
        let deadline = match c.breached {
            Some(b) => Some(b),
            None if open_pause.is_some() => None,
            None => self
                .clock
                .add(start_t, self.target + c.paused_seconds)
                .map(|d| d.timestamp()),
        };
        r.deadline = deadline;
        let breached = c.breached.is_some() || deadline.is_some_and(|d| d < end);
        if breached {
            r.status = SlaState::Breached;
            r.remaining = 0;
            let until = if stopped { end } else { now };
            let d = deadline.and_then(instant);
            let mut next = None;
            for (after, _) in &self.escalations {
                let Some(at) = d
                    .and_then(|d| self.clock.add(d, *after))
                    .map(|t| t.timestamp())
                else {
                    break;
                };
                if at < until {
                    r.escalation += 1;
                } else {
                    next = Some(at + 1);
                    break;
                }
            }
            if !stopped {
                r.next_change = next;
            }
            return r;
        }
        if stopped {
            r.status = SlaState::Met;
            return r;
        }
        if open_pause.is_some() {
            r.status = SlaState::Paused;
            return r;
        }
        let due_soon_at = self.due_soon.and_then(|w| {
            self.clock
                .add(start_t, self.target - w + c.paused_seconds)
                .map(|t| t.timestamp())
        });
        match due_soon_at {
            Some(at) if at <= now => {
                r.status = SlaState::DueSoon;
                r.next_change = deadline.map(|d| d + 1);
            }
            Some(at) => {
                r.status = SlaState::Pending;
                r.next_change = Some(at);
            }
            None => {
                r.status = SlaState::Pending;
                r.next_change = deadline.map(|d| d + 1);
            }
        }
        r
    }

    fn status(&self, clock: &SlaClock, now: DateTime<Utc>) -> SlaStatus {
        let r = self.read(ClockParts::of(clock), now.timestamp());
        let mut actions = Vec::new();
        if r.status == SlaState::Breached && clock.stopped_at.is_none_or(|s| s > now) {
            for (step, (_, declared)) in self
                .escalations
                .iter()
                .enumerate()
                .take(r.escalation as usize)
            {
                let source = ActionSource::Sla {
                    policy: self.name.clone(),
                    step: step as u32,
                };
                actions.extend(EmittedAction::emit(&source, declared));
            }
        }
        SlaStatus {
            lead_id: clock.lead_id.clone(),
            policy: self.name.clone(),
            status: r.status,
            started_at: clock.started_at.filter(|&t| t <= now),
            stopped_at: clock.stopped_at.filter(|&t| t <= now),
            deadline: r.deadline.and_then(instant),
            elapsed_seconds: r.elapsed,
            remaining_seconds: r.remaining,
            next_change: r.next_change.and_then(instant),
            escalation: r.escalation,
            attempts: clock.attempts,
            actions,
        }
    }
}

impl Sla {
    /// A clock's status at `now` (`now` at or after the last event the clock saw). Fails
    /// when the clock names no policy of this playbook (`input.invalid`).
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use leadcore::sla::{SlaFacts, SlaState};
    /// use leadcore::{Lead, Playbook};
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
    /// sla:
    ///   policies:
    ///     - name: first_touch
    ///       target: 5m
    ///       due_soon: 2m
    ///       stop: {activity: {kinds: [call]}}
    ///       escalations: [{actions: [{kind: notify, params: {to: manager}}]}]
    /// "#).unwrap();
    /// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    /// let mut lead = Lead::new("L-1");
    /// lead.created_at = Some(t0);
    /// let at = |m| t0 + Duration::minutes(m);
    /// let clock = &pb.sla().clocks(SlaFacts::new(&lead), at(60))[0];
    /// let s = pb.sla().status(clock, at(1)).unwrap();
    /// assert_eq!((s.status, s.next_change), (SlaState::Pending, Some(at(3))));
    /// let s = pb.sla().status(clock, at(4)).unwrap();
    /// assert_eq!((s.status, s.deadline), (SlaState::DueSoon, Some(at(5))));
    /// let s = pb.sla().status(clock, at(6)).unwrap();
    /// assert_eq!((s.status, s.escalation, s.actions.len()), (SlaState::Breached, 1, 1));
    /// ```
    pub fn status(&self, clock: &SlaClock, now: DateTime<Utc>) -> Result<SlaStatus> {
        let (_, p) = self.policy(&clock.policy)?;
        Ok(p.status(clock, now))
    }

    /// Every lead's status under every policy at `now`, lead by lead (policies in order):
    /// `activities[i]` and `stages[i]` are lead `i`'s (either slice may be empty: none for
    /// every lead; otherwise as long as `leads`).
    pub fn statuses_of(
        &self,
        leads: &[crate::model::Lead],
        activities: &[Vec<crate::model::Activity>],
        stages: &[Vec<super::StageChange>],
        now: DateTime<Utc>,
    ) -> Result<Vec<SlaStatus>> {
        for (what, len) in [("activities", activities.len()), ("stages", stages.len())] {
            if len != 0 && len != leads.len() {
                return Err(crate::Error::invalid_input(format!(
                    "{what} are given for {len} leads, not for the {} leads",
                    leads.len()
                )));
            }
        }
        let mut out = Vec::with_capacity(leads.len() * self.policies.len());
        for (i, lead) in leads.iter().enumerate() {
            let facts = super::SlaFacts::new(lead)
                .activities(activities.get(i).map_or(&[], Vec::as_slice))
                .stages(stages.get(i).map_or(&[], Vec::as_slice));
            out.extend(self.statuses(facts, now));
        }
        Ok(out)
    }

    /// Every policy's status for one lead at `now`: [`Sla::clocks`] then [`Sla::status`].
    pub fn statuses(&self, facts: super::SlaFacts<'_>, now: DateTime<Utc>) -> Vec<SlaStatus> {
        self.clocks(facts, now)
            .iter()
            .zip(&self.policies)
            .map(|(c, p)| p.status(c, now))
            .collect()
    }
}
