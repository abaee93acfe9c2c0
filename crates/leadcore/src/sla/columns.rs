//! Many clocks at once: one policy's clocks as columns in, their status at one `now` as
//! columns out (for a DataFrame, or an SLA board over a million open leads).

use super::clock::SlaClock;
use super::model::Sla;
use super::status::{ClockParts, SlaState};
use crate::columnar::NULL_TIME;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};

/// One policy's clocks as columns, one row per lead; times are Unix seconds with
/// [`NULL_TIME`] for none. Every column is as long as `started_at`.
#[derive(Debug, Clone, Copy)]
pub struct SlaClockColumns<'a> {
    /// Whether the policy covers the lead (none: every row).
    pub applies: Option<&'a [bool]>,
    /// When the clock started.
    pub started_at: &'a [i64],
    /// When it stopped.
    pub stopped_at: &'a [i64],
    /// Business seconds of finished pauses.
    pub paused_seconds: &'a [i64],
    /// Start of the pause in progress.
    pub paused_since: &'a [i64],
    /// The deadline, once an event came after it with the clock unstopped.
    pub breached_at: &'a [i64],
}

/// Owned [`SlaClockColumns`], e.g. from [`SlaClockTable::from_clocks`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaClockTable {
    /// See [`SlaClockColumns::applies`].
    pub applies: Vec<bool>,
    /// See [`SlaClockColumns::started_at`].
    pub started_at: Vec<i64>,
    /// See [`SlaClockColumns::stopped_at`].
    pub stopped_at: Vec<i64>,
    /// See [`SlaClockColumns::paused_seconds`].
    pub paused_seconds: Vec<i64>,
    /// See [`SlaClockColumns::paused_since`].
    pub paused_since: Vec<i64>,
    /// See [`SlaClockColumns::breached_at`].
    pub breached_at: Vec<i64>,
}

fn secs(t: Option<DateTime<Utc>>) -> i64 {
    t.map_or(NULL_TIME, |t| t.timestamp())
}

fn opt(s: i64) -> Option<i64> {
    (s != NULL_TIME).then_some(s)
}

impl SlaClockTable {
    /// Clocks (of one policy) as columns, in order.
    pub fn from_clocks<'a>(clocks: impl IntoIterator<Item = &'a SlaClock>) -> Self {
        let mut t = SlaClockTable::default();
        for c in clocks {
            t.applies.push(c.applies);
            t.started_at.push(secs(c.started_at));
            t.stopped_at.push(secs(c.stopped_at));
            t.paused_seconds.push(c.paused_seconds);
            t.paused_since.push(secs(c.paused_since));
            t.breached_at.push(secs(c.breached_at));
        }
        t
    }

    /// Borrowed columns.
    pub fn columns(&self) -> SlaClockColumns<'_> {
        SlaClockColumns {
            applies: Some(&self.applies),
            started_at: &self.started_at,
            stopped_at: &self.stopped_at,
            paused_seconds: &self.paused_seconds,
            paused_since: &self.paused_since,
            breached_at: &self.breached_at,
        }
    }
}

/// The status of many clocks at one `now`, as columns (times as Unix seconds, [`NULL_TIME`]
/// for none; `status` as [`SlaState::code`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaStatusColumns {
    /// [`SlaState::code`] per row.
    pub status: Vec<u8>,
    /// The deadline.
    pub deadline: Vec<i64>,
    /// Business seconds run.
    pub elapsed_seconds: Vec<i64>,
    /// Business seconds left.
    pub remaining_seconds: Vec<i64>,
    /// The next instant the status or escalation step changes.
    pub next_change: Vec<i64>,
    /// Escalation steps reached.
    pub escalation: Vec<u32>,
}

impl SlaStatusColumns {
    /// The state of row `i`.
    pub fn state(&self, i: usize) -> Option<SlaState> {
        self.status
            .get(i)
            .and_then(|&c| SlaState::ALL.get(usize::from(c)).copied())
    }

    /// How many rows are in each state, in [`SlaState::ALL`] order.
    pub fn counts(&self) -> [usize; 7] {
        let mut n = [0; 7];
        for &c in &self.status {
            if let Some(x) = n.get_mut(usize::from(c)) {
                *x += 1;
            }
        }
        n
    }
}

impl Sla {
    /// The status of one policy's clocks at `now`, row by row, as [`Sla::status`] gives it
    /// one at a time. Fails on an unknown policy or columns of unequal length
    /// (`input.invalid`).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::sla::{SlaClockColumns, SlaState};
    /// use leadcore::Playbook;
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
    /// sla: {policies: [{name: first_touch, target: 5m, stop: {activity: {kinds: [call]}}}]}
    /// "#).unwrap();
    /// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap().timestamp();
    /// let null = leadcore::columnar::NULL_TIME;
    /// let cols = SlaClockColumns {
    ///     applies: None,
    ///     started_at: &[t0, t0, null],
    ///     stopped_at: &[t0 + 120, null, null],
    ///     paused_seconds: &[0, 0, 0],
    ///     paused_since: &[null, null, null],
    ///     breached_at: &[null, null, null],
    /// };
    /// let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 10, 0).unwrap();
    /// let out = pb.sla().status_columns("first_touch", cols, now).unwrap();
    /// let states: Vec<_> = (0..3).map(|i| out.state(i).unwrap()).collect();
    /// assert_eq!(states, [SlaState::Met, SlaState::Breached, SlaState::NotStarted]);
    /// assert_eq!(out.deadline[1], t0 + 300);
    /// ```
    pub fn status_columns(
        &self,
        policy: &str,
        clocks: SlaClockColumns<'_>,
        now: DateTime<Utc>,
    ) -> Result<SlaStatusColumns> {
        let (_, p) = self.policy(policy)?;
        let n = clocks.started_at.len();
        let lens = [
            clocks.stopped_at.len(),
            clocks.paused_seconds.len(),
            clocks.paused_since.len(),
            clocks.breached_at.len(),
            clocks.applies.map_or(n, <[bool]>::len),
        ];
        if lens.iter().any(|&l| l != n) {
            return Err(Error::invalid_input(format!(
                "SLA clock columns must all have {n} rows (started_at), not {lens:?}"
            )));
        }
        let now = now.timestamp();
        let mut out = SlaStatusColumns {
            status: Vec::with_capacity(n),
            deadline: Vec::with_capacity(n),
            elapsed_seconds: Vec::with_capacity(n),
            remaining_seconds: Vec::with_capacity(n),
            next_change: Vec::with_capacity(n),
            escalation: Vec::with_capacity(n),
        };
        for i in 0..n {
            let parts = ClockParts {
                applies: clocks.applies.is_none_or(|a| a[i]),
                started: opt(clocks.started_at[i]),
                stopped: opt(clocks.stopped_at[i]),
                paused_seconds: clocks.paused_seconds[i],
                paused_since: opt(clocks.paused_since[i]),
                breached: opt(clocks.breached_at[i]),
            };
            let r = p.read(parts, now);
            out.status.push(r.status.code());
            out.deadline.push(r.deadline.unwrap_or(NULL_TIME));
            out.elapsed_seconds.push(r.elapsed);
            out.remaining_seconds.push(r.remaining);
            out.next_change.push(r.next_change.unwrap_or(NULL_TIME));
            out.escalation.push(r.escalation);
        }
        Ok(out)
    }
}
