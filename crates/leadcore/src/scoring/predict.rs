//! When will a decaying score cross a threshold? Computed from the events at hand, in
//! closed form per event: no background job, no clock.

use super::model::{Decay, Scoring};
use super::points::quantize;
use super::state::{ScoreState, secs};
use crate::error::{Error, Result};
use crate::model::Lead;
use chrono::{DateTime, Duration, Utc};

const MAX_BREAKPOINTS: usize = 100_000;

impl Scoring {
    /// The first time in `(now, now + horizon]` at which `model`'s score crosses
    /// `threshold` (from above to below, or from below to at-or-above) if no new activity
    /// arrives; `None` if it does not within the horizon. Exact to the second at jumps
    /// (expiry, step decay, windows); within a continuous half-life stretch it finds the
    /// crossing by bisection.
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

        let mut points = Vec::new();
        for (flat, rule) in state.rules.iter().enumerate() {
            let Some(b) = self.behaviour(flat) else {
                continue;
            };
            for &t in &rule.times {
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
        points.push(end + 1);

        let mut a = start;
        for &b in &points {
            // Continuous stretch [a, b): look just before the jump.
            let before = b - 1;
            if before > a && side(before)? != initial {
                let (mut lo, mut hi) = (a, before);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if side(mid)? == initial {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                return Ok(DateTime::<Utc>::from_timestamp(hi, 0));
            }
            if b <= end && side(b)? != initial {
                return Ok(DateTime::<Utc>::from_timestamp(b, 0));
            }
            a = b;
        }
        Ok(None)
    }
}
