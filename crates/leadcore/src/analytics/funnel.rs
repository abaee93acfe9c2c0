//! The funnel of a pipeline: how many records reached each stage, where they are now,
//! conversion from stage to stage, and time spent in each.

use crate::error::{Error, ErrorKind, Result};
use crate::lifecycle::LifecycleState;
use crate::lifecycle::{Pipeline, StageKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One stage's row of a [`Funnel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStage {
    /// The stage.
    pub stage: String,
    /// Its kind.
    pub kind: StageKind,
    /// Records whose highest stage is this one or later (ranked stages only; 0 otherwise).
    /// Recycling does not lower it.
    pub reached: u64,
    /// Records that ever entered this stage.
    pub entered: u64,
    /// Records in this stage now.
    pub current: u64,
    /// `reached` of the next ranked stage over `reached` of this one.
    pub conversion_to_next: Option<f64>,
    /// Mean seconds spent in the stage by the records that entered it (up to `now`).
    pub mean_dwell_seconds: Option<f64>,
}

/// A pipeline's funnel over a set of records.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use leadcore::{Actor, Facts, Funnel, Playbook, Role, TransitionRequest};
/// let pb = Playbook::default_playbook();
/// let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
/// let mut a = pb.start("lead", "A", t0).unwrap();
/// let b = pb.start("lead", "B", t0).unwrap();
/// let req = TransitionRequest::new("MQL", Actor::new("mia", Role::Marketing), t0 + Duration::hours(1));
/// pb.transition(&mut a, &req, &Facts::new().score("lead", 100.0)).unwrap();
/// let f = Funnel::compute(pb.lifecycle(), &[a, b], t0 + Duration::hours(3)).unwrap();
/// assert_eq!(f.stages[0].reached, 2);
/// assert_eq!(f.stages[1].reached, 1);
/// assert_eq!(f.stages[0].conversion_to_next, Some(0.5));
/// assert_eq!(f.stages[0].mean_dwell_seconds, Some(7200.0)); // (1 h + 3 h) / 2
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// The pipeline.
    pub pipeline: String,
    /// Records counted (those of this pipeline).
    pub records: u64,
    /// Records skipped: those of another pipeline.
    pub skipped: u64,
    /// One row per stage, in the pipeline's order.
    pub stages: Vec<FunnelStage>,
}

impl Funnel {
    /// Computes the funnel of `states` in `pipeline` at `now`.
    ///
    /// Records of another pipeline are skipped. A record of this one is checked against it
    /// first ([`Pipeline::verify`]: a forged `highest` or a history the pipeline could not
    /// have produced is refused, naming the record, rather than counted), and one that
    /// moved after `now` is refused (`lifecycle.time_went_backwards`, as
    /// [`LifecycleState::dwell`]): its dwell up to `now` cannot be told.
    pub fn compute(
        pipeline: &Pipeline,
        states: &[LifecycleState],
        now: DateTime<Utc>,
    ) -> Result<Funnel> {
        let stages = pipeline.stages();
        let n = stages.len();
        let mut reached_at_rank = vec![0u64; n + 1];
        let mut entered = vec![0u64; n];
        let mut current = vec![0u64; n];
        // Each dwell is at most chrono's whole range (about 1.7e16 s), so a few hundred
        // records could overflow an i64 sum; an i128 holds any number of them.
        let mut dwell_sum = vec![0i128; n];
        let (mut records, mut skipped) = (0, 0);
        for s in states {
            if s.pipeline() != pipeline.name() {
                skipped += 1;
                continue;
            }
            pipeline
                .verify(s)
                .map_err(|e| of_record(e, s.record_id()))?;
            let cur = pipeline.stage_index(s.current())?;
            records += 1;
            current[cur] += 1;
            if let Some(r) = s
                .highest()
                .and_then(|h| pipeline.stage(h).ok())
                .and_then(|st| st.rank())
            {
                reached_at_rank[r as usize] += 1;
            }
            for d in s.dwell(now)? {
                if let Ok(i) = pipeline.stage_index(&d.stage) {
                    entered[i] += 1;
                    dwell_sum[i] += i128::from(d.seconds);
                }
            }
        }
        // reached(rank r) = records whose highest rank >= r.
        let mut at_or_above = vec![0u64; n + 1];
        for r in (0..n).rev() {
            at_or_above[r] = at_or_above[r + 1] + reached_at_rank[r];
        }
        let ranked: Vec<(usize, u32)> = stages
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.rank().map(|r| (i, r)))
            .collect();
        let rows = stages
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let reached = st.rank().map_or(0, |r| at_or_above[r as usize]);
                let next = st
                    .rank()
                    .and_then(|r| ranked.iter().find(|(_, nr)| *nr == r + 1));
                let conversion_to_next = next
                    .filter(|_| reached > 0)
                    .map(|(_, nr)| at_or_above[*nr as usize] as f64 / reached as f64);
                FunnelStage {
                    stage: st.name().to_owned(),
                    kind: st.kind(),
                    reached,
                    entered: entered[i],
                    current: current[i],
                    conversion_to_next,
                    mean_dwell_seconds: mean(dwell_sum[i], entered[i]),
                }
            })
            .collect();
        Ok(Funnel {
            pipeline: pipeline.name().to_owned(),
            records,
            skipped,
            stages: rows,
        })
    }
}

/// The error of one record's state, naming the record.
fn of_record(e: Error, record_id: &str) -> Error {
    match e.into_kind() {
        ErrorKind::InvalidHistory {
            pipeline,
            mut entries,
        } => {
            for entry in &mut entries {
                entry.message = format!("record `{record_id}`: {}", entry.message);
            }
            ErrorKind::InvalidHistory { pipeline, entries }.into()
        }
        ErrorKind::InvalidInput { message } => {
            Error::invalid_input(format!("record `{record_id}`: {message}"))
        }
        other => other.into(),
    }
}

/// `sum / count` as an `f64`, the whole part divided exactly in integers first so a mean of
/// equal dwells is that dwell exactly; `None` when nothing was counted.
fn mean(sum: i128, count: u64) -> Option<f64> {
    let count = i128::from(count);
    (count > 0).then(|| (sum / count) as f64 + (sum % count) as f64 / count as f64)
}
