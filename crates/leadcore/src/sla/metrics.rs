//! Speed and persistence figures from SLA statuses: per group (a rep, a team, a month) and
//! policy, how many clocks met or breached their promise and how fast they stopped.
//! An accumulator: `add` statuses, `merge` partial runs, `finish` into rows.

use super::status::{SlaState, SlaStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Sums SLA statuses by group and policy. Partitioned runs merged give the same rows as
/// one pass.
///
/// ```
/// use leadcore::sla::{SlaMetrics, SlaState, SlaStatus};
/// let status = |lead: &str, state, elapsed| SlaStatus {
///     lead_id: lead.into(), policy: "first_touch".into(), status: state,
///     started_at: None, stopped_at: None, deadline: None, elapsed_seconds: elapsed,
///     remaining_seconds: 0, next_change: None, escalation: 0, attempts: 0, actions: vec![],
/// };
/// let mut a = SlaMetrics::new();
/// a.add("rep-A", &status("L1", SlaState::Met, 120));
/// let mut b = SlaMetrics::new();
/// b.add("rep-A", &status("L2", SlaState::Breached, 900));
/// b.add("rep-A", &status("L3", SlaState::Pending, 60));
/// a.merge(b);
/// let rows = a.finish();
/// assert_eq!((rows[0].met, rows[0].breached, rows[0].open), (1, 1, 1));
/// assert_eq!(rows[0].breach_rate, Some(0.5));
/// assert_eq!(rows[0].median_seconds_to_stop, Some(120));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaMetrics {
    groups: BTreeMap<(String, String), Tally>,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Tally {
    counts: [u64; 7],
    /// Business seconds to stop, of stopped clocks (met or breached late).
    to_stop: Vec<i64>,
    /// Attempts of started clocks.
    attempts: u64,
    started: u64,
}

/// One group's figures under one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaMetricsRow {
    /// The group (rep, team, month...).
    pub group: String,
    /// The policy.
    pub policy: String,
    /// Clocks the policy covers.
    pub leads: u64,
    /// Not started yet.
    pub not_started: u64,
    /// Running: pending, due soon or paused.
    pub open: u64,
    /// Of which due soon.
    pub due_soon: u64,
    /// Stopped in time.
    pub met: u64,
    /// Past the deadline (running or stopped late).
    pub breached: u64,
    /// `breached / (met + breached)`; none when neither.
    pub breach_rate: Option<f64>,
    /// Median business seconds from start to stop (e.g. time to first touch) of stopped
    /// clocks (nearest rank).
    pub median_seconds_to_stop: Option<i64>,
    /// 90th percentile of the same (nearest rank).
    pub p90_seconds_to_stop: Option<i64>,
    /// Mean of the same.
    pub mean_seconds_to_stop: Option<f64>,
    /// Mean attempts per started clock (persistence).
    pub mean_attempts: Option<f64>,
}

fn rank(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    // Nearest rank: the smallest value with at least q of the values at or below it.
    let n = sorted.len();
    let k = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted.get(k - 1).copied()
}

impl SlaMetrics {
    /// Nothing added yet.
    pub fn new() -> Self {
        SlaMetrics::default()
    }

    /// Adds one status to `group`.
    pub fn add(&mut self, group: &str, status: &SlaStatus) {
        let t = self
            .groups
            .entry((group.to_owned(), status.policy.clone()))
            .or_default();
        t.counts[usize::from(status.status.code())] += 1;
        if status.started_at.is_some() {
            t.started += 1;
            t.attempts += u64::from(status.attempts);
        }
        if status.stopped_at.is_some() || status.status == SlaState::Met {
            t.to_stop.push(status.elapsed_seconds);
        }
    }

    /// Adds another accumulator's statuses.
    pub fn merge(&mut self, other: SlaMetrics) {
        for (k, t) in other.groups {
            let mine = self.groups.entry(k).or_default();
            for (a, b) in mine.counts.iter_mut().zip(t.counts) {
                *a += b;
            }
            mine.to_stop.extend(t.to_stop);
            mine.attempts += t.attempts;
            mine.started += t.started;
        }
    }

    /// The rows, by group then policy.
    pub fn finish(self) -> Vec<SlaMetricsRow> {
        self.groups
            .into_iter()
            .map(|((group, policy), mut t)| {
                let c = |s: SlaState| t.counts[usize::from(s.code())];
                let (met, breached) = (c(SlaState::Met), c(SlaState::Breached));
                t.to_stop.sort_unstable();
                let n = t.to_stop.len();
                SlaMetricsRow {
                    leads: t.counts.iter().sum::<u64>() - c(SlaState::NotApplicable),
                    not_started: c(SlaState::NotStarted),
                    open: c(SlaState::Pending) + c(SlaState::DueSoon) + c(SlaState::Paused),
                    due_soon: c(SlaState::DueSoon),
                    met,
                    breached,
                    breach_rate: (met + breached > 0)
                        .then(|| breached as f64 / (met + breached) as f64),
                    median_seconds_to_stop: rank(&t.to_stop, 0.5),
                    p90_seconds_to_stop: rank(&t.to_stop, 0.9),
                    mean_seconds_to_stop: (n > 0)
                        .then(|| t.to_stop.iter().map(|&x| x as f64).sum::<f64>() / n as f64),
                    mean_attempts: (t.started > 0).then(|| t.attempts as f64 / t.started as f64),
                    group,
                    policy,
                }
            })
            .collect()
    }
}
