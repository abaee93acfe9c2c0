//! When will a decaying score cross a threshold? Computed from the events at hand, in
//! closed form per event: no background job, no clock.

use super::evaluate::{Tally, evaluate_bounds};
use super::model::{Decay, Scoring};
use super::points::{Q, Wide, quantize};
use super::state::{ScoreState, secs};
use crate::error::{Error, Result};
use crate::model::Lead;
use chrono::{DateTime, Duration, Utc};

const MAX_BREAKPOINTS: usize = 100_000;

/// Most bound evaluations one prediction makes inside continuous stretches. A monotone
/// stretch takes about 2 log2(seconds); only a score that stays within rounding of the
/// threshold over a long stretch can use them all, and that is reported, not guessed.
const MAX_STEPS: u32 = 100_000;

/// A branch-and-bound search for the first second a score changes side of a threshold
/// within continuous stretches.
struct Search<'a> {
    scoring: &'a Scoring,
    state: &'a ScoreState,
    lead: &'a Lead,
    model: usize,
    target: Q,
    initial: bool,
    budget: u32,
    bounds: Vec<(Wide, Wide)>,
}

impl Search<'_> {
    /// The first second in `[lo, hi]` (inside one continuous stretch) at which the score is
    /// on the other side of the threshold. Halves the interval, earlier half first, and
    /// drops every half whose bounds show the score cannot get there: every monotone part
    /// of the stretch is searched, none is skipped.
    fn first(&mut self, lo: i64, hi: i64) -> Result<Option<i64>> {
        let mut stack = vec![(lo, hi)];
        while let Some((lo, hi)) = stack.pop() {
            if lo > hi {
                continue;
            }
            self.budget = self.budget.checked_sub(1).ok_or_else(|| {
                Error::invalid_input(
                    "predict_crossing: the score stays within rounding of the threshold \
                     for too long to find the crossing to the second"
                        .to_owned(),
                )
            })?;
            let (min, max) = self.bounds(lo, hi);
            let target = Wide::from(self.target);
            let reachable = if self.initial {
                min < target
            } else {
                max >= target
            };
            if !reachable {
                continue;
            }
            if lo == hi {
                let score = self.scoring.scores_q(self.state, Some(self.lead), lo)?[self.model];
                if (score >= self.target) != self.initial {
                    return Ok(Some(lo));
                }
                continue;
            }
            let mid = lo + (hi - lo) / 2;
            stack.push((mid + 1, hi));
            stack.push((lo, mid));
        }
        Ok(None)
    }

    /// Bounds of the model's score over `[lo, hi]`.
    fn bounds(&mut self, lo: i64, hi: i64) -> (Wide, Wide) {
        let (scoring, state) = (self.scoring, self.state);
        let mut ends = |flat: usize| match (scoring.behaviour(flat), state.rules.get(flat)) {
            (Some(b), Some(rt)) => (
                Tally::from_sorted(b, &rt.times, lo, false).sum,
                Tally::from_sorted(b, &rt.times, hi, false).sum,
            ),
            _ => (0, 0),
        };
        evaluate_bounds(scoring, &mut ends, Some(self.lead), &mut self.bounds);
        self.bounds.get(self.model).copied().unwrap_or_default()
    }
}

impl Scoring {
    /// The first time in `(now, now + horizon]` at which `model`'s score crosses
    /// `threshold` (from above to below, or from below to at-or-above) if no new activity
    /// arrives; `None` if it does not within the horizon. Exact to the second: at jumps
    /// (expiry, step decay, windows) directly, and within a continuous half-life stretch,
    /// where a score of rules decaying at different rates or with opposite signs may rise
    /// and fall, by a search that bounds the score on each half of the stretch and so
    /// misses no rise or fall.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use leadcore::{Activity, ActivityKind, Lead, Playbook};
    /// let pb = Playbook::from_yaml(r#"
    /// schema_version: 1
    /// lifecycle: {name: lead, initial: New, stages: [{name: New}]}
    /// scoring:
    ///   models:
    ///     - name: interest
    ///       decay: {type: half_life, days: 10}
    ///       rules:
    ///         - {type: behaviour, name: demo, activity: meeting_held, points: 40}
    /// "#).unwrap();
    /// let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// let s = pb.scoring();
    /// let mut state = s.new_state("L");
    /// s.record(&mut state, &Activity::new(ActivityKind::MeetingHeld, t), t).unwrap();
    /// let lead = Lead::new("L");
    /// // 40 points halve every 10 days: below 20 right after day 10.
    /// let when = s.predict_crossing(&state, &lead, "interest", 20.0, t, Duration::days(30)).unwrap();
    /// assert_eq!(when, Some(t + Duration::days(10) + Duration::seconds(1)));
    /// ```
    pub fn predict_crossing(
        &self,
        state: &ScoreState,
        lead: &Lead,
        model: &str,
        threshold: f64,
        now: DateTime<Utc>,
        horizon: Duration,
    ) -> Result<Option<DateTime<Utc>>> {
        self.check_state(state)?;
        let m = self
            .model_index(model)
            .ok_or_else(|| Error::invalid_input(format!("unknown score model `{model}`")))?;
        if !threshold.is_finite() {
            return Err(Error::invalid_input("threshold must be finite".to_owned()));
        }
        let start = secs(now);
        let end = start.saturating_add(horizon.num_seconds().max(0));
        let target = quantize(threshold);
        let side =
            |t: i64| -> Result<bool> { Ok(self.scores_q(state, Some(lead), t)?[m] >= target) };
        let initial = side(start)?;

        // Jumps: where an event enters a rule's count (a recorded event ahead of `now`),
        // leaves its window, expires or steps down. Between two jumps the score moves
        // continuously and every rule's points monotonically (half-lives), though the
        // score itself need not be monotone (rules decaying at different rates, signs).
        let mut points = Vec::new();
        for (flat, rule) in state.rules.iter().enumerate() {
            let Some(b) = self.behaviour(flat) else {
                continue;
            };
            for &t in &rule.times {
                points.push(t);
                if let Some(w) = b.window {
                    points.push(t.saturating_add(w).saturating_add(1));
                }
                match b.decay {
                    Decay::Expiry(limit) => points.push(t.saturating_add(limit)),
                    Decay::Step { period, .. } => {
                        let mut k = t.saturating_add(period);
                        while k <= end && points.len() < MAX_BREAKPOINTS {
                            points.push(k);
                            k = k.saturating_add(period);
                        }
                    }
                    Decay::None | Decay::HalfLife(_) => {}
                }
            }
        }
        points.retain(|&p| p > start && p <= end);
        points.sort_unstable();
        points.dedup();
        points.push(end.saturating_add(1));

        let mut search = Search {
            scoring: self,
            state,
            lead,
            model: m,
            target,
            initial,
            budget: MAX_STEPS,
            bounds: Vec::new(),
        };
        let mut a = start;
        for &b in &points {
            // The continuous stretch [a, b): its first crossing after `a`, if any.
            if let Some(t) = search.first(a.saturating_add(1), b.saturating_sub(1))? {
                return Ok(DateTime::<Utc>::from_timestamp(t, 0));
            }
            if b <= end && side(b)? != initial {
                return Ok(DateTime::<Utc>::from_timestamp(b, 0));
            }
            a = b;
        }
        Ok(None)
    }
}
