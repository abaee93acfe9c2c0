//! Bottlenecks of a deal pipeline: which open stages accumulate deals or hold them longer than
//! usual, at which stage lost deals were lost, which deals leak (sit too long in a stage), and
//! which deals are closest to closing; as an accumulator that adds, merges and finishes, so a
//! partitioned run merged gives the same answer as one pass.
//!
//! Definitions, for a period `[from, to)` (`to` is the snapshot) and a trailing **baseline**
//! of `n` periods of the same length just before `from` (`[from - n·len, from)`):
//! - **in stage** at an instant `t`: the stage of the last dated entry before `t`. An
//!   opportunity without a dated entry sits in its `stage` at `to` (created before `to` or
//!   creation unknown), and nowhere at the baseline snapshots (its past is unknown).
//! - **accumulation**: in stage at `to` over the baseline's average in stage at the end of
//!   each baseline period (`from`, `from - len`, ..., `from - (n-1)·len`); `None` when that
//!   average is zero.
//! - **dwell**: completed stays that ended inside the period (resp. the baseline), in whole
//!   seconds; median and p90 by nearest rank over the exact sorted values, as in
//!   [`PipelineMetrics`](super::PipelineMetrics). **dwell ratio**: the period's median over
//!   the baseline's (`None` when either is missing or the baseline's is zero).
//! - a stage is a **bottleneck** when it is `accumulating` (in stage at `to` ≥ `min_count`
//!   and accumulation > `factor`) or `slow` (dwells in the period ≥ `min_count` and dwell
//!   ratio > `factor`); each reason carries its numbers.
//! - **lost at stage**: opportunities whose stage at `to` is a lost stage entered in the
//!   period, by the last open stage they were in before it (`None`: no open stage before).
//! - **leaks**: opportunities in an open stage at `to` for longer than the stage's threshold
//!   (given per stage, else the baseline's p90 dwell; no threshold, no leak), longest first.
//! - **closest to closing**: open opportunities at `to`, furthest stage first, then longest
//!   in the stage (an unknown entry last), then by id; the first `closest` of them.
//!
//! Nothing is ever NaN: a ratio over zero is `None` (JSON `null`).

use super::pipeline::{
    DealHistory, DurationStats, MetricsSpec, Period, PipelineStages, Sums, add_money, merge_sums,
    parse, ratio, to_i64,
};
use crate::error::{Error, Result};
use crate::lifecycle::StageKind;
use crate::model::Money;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The most baseline periods a spec takes (each costs a snapshot per opportunity).
const MAX_BASELINE_PERIODS: u32 = 1000;

/// What a [`Bottlenecks`] run measures: the stages, the period, the baseline and the
/// thresholds. Defaults: 3 baseline periods, factor 1.25, minimum count 5, the 10 deals
/// closest to closing, leak thresholds from the baseline's p90 dwell.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
/// use leadcore::StageKind;
/// let stages = PipelineStages::new("d", vec![StageDef::new("Open", StageKind::Open),
///     StageDef::new("Lost", StageKind::Lost)]).unwrap();
/// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let spec = BottleneckSpec::new(stages, Period { from: t(11), to: t(21) }).unwrap()
///     .baseline_periods(1).unwrap()
///     .factor(1.5).unwrap()
///     .min_count(2)
///     .closest(3)
///     .leak_after("Open", Duration::days(30)).unwrap();
/// assert_eq!(spec.baseline(), Period { from: t(1), to: t(11) });
/// assert!(spec.clone().leak_after("Lost", Duration::days(1)).is_err()); // not an open stage
/// assert!(spec.clone().factor(f64::NAN).is_err());
/// assert!(spec.baseline_periods(0).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BottleneckSpec {
    metrics: MetricsSpec,
    baseline_periods: u32,
    baseline: Period,
    factor: f64,
    min_count: u64,
    leak_after: BTreeMap<usize, i64>,
    closest: usize,
}

impl BottleneckSpec {
    /// A spec with the defaults. An empty period is `input.invalid`; so is a period whose
    /// baseline runs out of the representable dates.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// let t = Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap();
    /// let err = BottleneckSpec::new(stages, Period { from: t, to: t }).unwrap_err();
    /// assert_eq!(err.code(), "input.invalid");
    /// ```
    pub fn new(stages: PipelineStages, period: Period) -> Result<Self> {
        let metrics = MetricsSpec::new(stages, period, None)?;
        let baseline = baseline_of(period, 3)?;
        Ok(BottleneckSpec {
            metrics,
            baseline_periods: 3,
            baseline,
            factor: 1.25,
            min_count: 5,
            leak_after: BTreeMap::new(),
            closest: 10,
        })
    }

    /// How many periods of the period's length, just before it, make the baseline
    /// (`input.invalid` for 0, more than 1000, or a baseline before the representable
    /// dates).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap();
    /// assert_eq!(spec.clone().baseline_periods(7).unwrap().baseline().from, t(3));
    /// ```
    pub fn baseline_periods(mut self, n: u32) -> Result<Self> {
        if n == 0 || n > MAX_BASELINE_PERIODS {
            return Err(Error::invalid_input(format!(
                "baseline_periods must be between 1 and {MAX_BASELINE_PERIODS}, not {n}"
            )));
        }
        self.baseline = baseline_of(self.metrics.period(), n)?;
        self.baseline_periods = n;
        Ok(self)
    }

    /// The factor by which a stage must exceed its baseline to be flagged (`input.invalid`
    /// unless finite and positive).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap();
    /// assert!(spec.clone().factor(2.0).is_ok());
    /// assert!(spec.factor(0.0).is_err());
    /// ```
    pub fn factor(mut self, factor: f64) -> Result<Self> {
        if !factor.is_finite() || factor <= 0.0 {
            return Err(Error::invalid_input(format!(
                "bottleneck factor must be finite and positive, not {factor}"
            )));
        }
        self.factor = factor;
        Ok(self)
    }

    /// The least count (deals in the stage, or completed stays) a flag needs.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap().min_count(1);
    /// ```
    pub fn min_count(mut self, n: u64) -> Self {
        self.min_count = n;
        self
    }

    /// How many of the deals closest to closing the report lists.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap().closest(0);
    /// ```
    pub fn closest(mut self, k: usize) -> Self {
        self.closest = k;
        self
    }

    /// The time after which a deal in an open stage is a leak, for that stage (instead of
    /// the baseline's p90 dwell). An unknown stage is `lifecycle.unknown_stage`; a stage that
    /// is not open or a negative time `input.invalid`.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap();
    /// assert_eq!(spec.clone().leak_after("Nope", Duration::days(1)).unwrap_err().code(), "lifecycle.unknown_stage");
    /// assert!(spec.leak_after("Open", Duration::days(-1)).is_err());
    /// ```
    pub fn leak_after(mut self, stage: &str, after: TimeDelta) -> Result<Self> {
        let i = self.metrics.stages().index(stage)?;
        if self.metrics.stages().kind(i) != StageKind::Open {
            return Err(Error::invalid_input(format!(
                "leak threshold for `{stage}`: not an open stage"
            )));
        }
        if after < TimeDelta::zero() {
            return Err(Error::invalid_input(format!(
                "leak threshold for `{stage}` is negative"
            )));
        }
        self.leak_after.insert(i, after.num_seconds());
        Ok(self)
    }

    /// The stages.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap();
    /// assert_eq!(spec.stages().len(), 1);
    /// ```
    pub fn stages(&self) -> &PipelineStages {
        self.metrics.stages()
    }

    /// The period.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap();
    /// assert_eq!(spec.period().to, t(11));
    /// ```
    pub fn period(&self) -> Period {
        self.metrics.period()
    }

    /// The whole baseline, `[from - n·len, from)`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap();
    /// assert_eq!(spec.baseline(), Period { from: t(7), to: t(10) });
    /// ```
    pub fn baseline(&self) -> Period {
        self.baseline
    }

    /// The ends of the baseline periods, latest first.
    fn snapshots(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let p = self.metrics.period();
        let len = p.to - p.from;
        // In range: the earliest end is after the baseline's start, checked at build.
        (0..self.baseline_periods).filter_map(move |j| {
            len.checked_mul(i32::try_from(j).ok()?)
                .and_then(|d| p.from.checked_sub_signed(d))
        })
    }
}

fn baseline_of(period: Period, n: u32) -> Result<Period> {
    let len = period.to - period.from;
    let from = i32::try_from(n)
        .ok()
        .and_then(|n| len.checked_mul(n))
        .and_then(|d| period.from.checked_sub_signed(d))
        .ok_or_else(|| {
            Error::invalid_input(format!(
                "a baseline of {n} periods before {} is out of range",
                period.from.to_rfc3339()
            ))
        })?;
    Ok(Period {
        from,
        to: period.from,
    })
}

#[derive(Debug, Clone, Default, PartialEq)]
struct StageAcc {
    in_stage: u64,
    /// Sum over the baseline snapshots.
    baseline_in_stage: u64,
    /// Completed dwells (seconds) ending in the period; sorted at finish.
    dwell: Vec<i64>,
    /// Completed dwells ending in the baseline.
    baseline_dwell: Vec<i64>,
    lost: u64,
    lost_value: Sums,
}

#[derive(Debug, Clone, PartialEq)]
struct OpenDeal {
    id: String,
    stage: usize,
    entered_at: Option<DateTime<Utc>>,
    owner: Option<String>,
    amount: Option<Money>,
}

/// The bottleneck accumulator: `add` opportunities, `merge` another accumulator of the same
/// spec, `finish` into a [`BottleneckReport`].
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use leadcore::analytics::{BottleneckSpec, Bottlenecks, DealHistory, Period, PipelineStages, StageDef, StageEntry};
/// use leadcore::StageKind;
/// let stages = PipelineStages::new("d", vec![StageDef::new("Open", StageKind::Open),
///     StageDef::new("Lost", StageKind::Lost)]).unwrap();
/// let d = |day| Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap() + Duration::days(day);
/// // Period: days 30..40; baseline: days 0..30 (snapshots at days 30, 20 and 10).
/// let spec = BottleneckSpec::new(stages, Period { from: d(30), to: d(40) }).unwrap().min_count(2);
/// let deal = |id: &str, day| DealHistory { id: id.into(),
///     history: vec![StageEntry { at: d(day), stage: "Open".into() }], ..Default::default() };
/// let mut a = Bottlenecks::new(spec.clone());
/// a.add(&deal("A", 5)).unwrap();   // in Open at days 10, 20, 30 and 40
/// let mut b = Bottlenecks::new(spec);
/// b.add(&deal("B", 35)).unwrap();  // in Open at day 40 only
/// b.add(&deal("C", 36)).unwrap();
/// a.merge(b).unwrap();
/// let r = a.finish().unwrap();
/// assert_eq!(r.stages[0].in_stage, 3);
/// assert_eq!(r.stages[0].accumulation, Some(3.0)); // 3 now over an average of 1
/// assert!(r.stages[0].bottleneck);
/// assert_eq!(r.closest_to_closing[0].id, "A");     // longest in the stage
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Bottlenecks {
    spec: Arc<BottleneckSpec>,
    deals: u64,
    stages: Vec<StageAcc>,
    lost_unknown: u64,
    lost_unknown_value: Sums,
    open: Vec<OpenDeal>,
}

impl Bottlenecks {
    /// An empty accumulator.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let b = Bottlenecks::new(BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap());
    /// let r = b.finish().unwrap();
    /// assert_eq!((r.deals, r.stages[0].accumulation), (0, None));
    /// ```
    pub fn new(spec: impl Into<Arc<BottleneckSpec>>) -> Self {
        let spec = spec.into();
        let n = spec.stages().len();
        Bottlenecks {
            spec,
            deals: 0,
            stages: vec![StageAcc::default(); n],
            lost_unknown: 0,
            lost_unknown_value: Sums::new(),
            open: Vec::new(),
        }
    }

    /// The spec.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let b = Bottlenecks::new(BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap());
    /// assert_eq!(b.spec().period().from, t(10));
    /// ```
    pub fn spec(&self) -> &BottleneckSpec {
        &self.spec
    }

    /// Adds one opportunity. Refused, leaving the accumulator unchanged: an unknown stage
    /// (`lifecycle.unknown_stage`), a negative amount, entries out of time order, an entry
    /// before the creation, a `stage` that is not the last entry's (`input.invalid`, naming
    /// the opportunity).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, DealHistory, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let mut b = Bottlenecks::new(BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap());
    /// let bad = DealHistory { id: "X".into(), stage: Some("Nope".into()), ..Default::default() };
    /// assert_eq!(b.add(&bad).unwrap_err().code(), "lifecycle.unknown_stage");
    /// ```
    pub fn add(&mut self, o: &DealHistory) -> Result<()> {
        let p = parse(&self.spec.metrics, o)?;
        let spec = Arc::clone(&self.spec);
        let stages = spec.stages();
        let period = spec.period();
        let is_open = |i: usize| stages.kind(i) == StageKind::Open;
        self.deals += 1;
        let e = &p.entries;
        // Completed stays.
        for w in e.windows(2) {
            let (&(at, i), &(next, _)) = (&w[0], &w[1]);
            if !is_open(i) {
                continue;
            }
            let Some(acc) = self.stages.get_mut(i) else {
                continue;
            };
            let secs = (next - at).num_seconds();
            if period.contains(next) {
                acc.dwell.push(secs);
            } else if spec.baseline.contains(next) {
                acc.baseline_dwell.push(secs);
            }
        }
        // Baseline snapshots: dated entries only.
        let before = |t: DateTime<Utc>| e.partition_point(|&(at, _)| at < t);
        for t in spec.snapshots() {
            if let Some(&(_, i)) = e[..before(t)].last()
                && is_open(i)
                && let Some(acc) = self.stages.get_mut(i)
            {
                acc.baseline_in_stage += 1;
            }
        }
        // The snapshot at `to`.
        let known = &e[..before(period.to)];
        let current = match known.last() {
            Some(&(at, i)) => Some((Some(at), i, known.len() - 1)),
            None if e.is_empty() && o.created_at.is_none_or(|c| c < period.to) => {
                p.stage.map(|i| (None, i, 0))
            }
            None => None,
        };
        let Some((entered_at, cur, k)) = current else {
            return Ok(());
        };
        match stages.kind(cur) {
            StageKind::Open => {
                if let Some(acc) = self.stages.get_mut(cur) {
                    acc.in_stage += 1;
                }
                self.open.push(OpenDeal {
                    id: o.id.clone(),
                    stage: cur,
                    entered_at,
                    owner: o.owner.clone(),
                    amount: o.amount.clone(),
                });
            }
            StageKind::Lost if entered_at.is_some_and(|t| period.contains(t)) => {
                let from = known[..k].iter().rev().find(|&&(_, i)| is_open(i));
                let (count, value) = match from.and_then(|&(_, i)| self.stages.get_mut(i)) {
                    Some(acc) => (&mut acc.lost, &mut acc.lost_value),
                    None => (&mut self.lost_unknown, &mut self.lost_unknown_value),
                };
                *count += 1;
                if let Some(m) = &o.amount {
                    add_money(value, m);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Adds another accumulator of the same spec (`input.invalid` otherwise). Any partition
    /// of the opportunities, merged in any order, gives the same report as one pass.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let spec = BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap();
    /// let mut a = Bottlenecks::new(spec.clone());
    /// assert!(a.merge(Bottlenecks::new(spec.clone())).is_ok());
    /// assert!(a.merge(Bottlenecks::new(spec.min_count(1))).is_err());
    /// ```
    pub fn merge(&mut self, other: Bottlenecks) -> Result<()> {
        if !Arc::ptr_eq(&self.spec, &other.spec) && self.spec != other.spec {
            return Err(Error::invalid_input(
                "cannot merge bottlenecks of different stages, periods or thresholds",
            ));
        }
        self.deals += other.deals;
        for (a, b) in self.stages.iter_mut().zip(other.stages) {
            a.in_stage += b.in_stage;
            a.baseline_in_stage += b.baseline_in_stage;
            a.dwell.extend(b.dwell);
            a.baseline_dwell.extend(b.baseline_dwell);
            a.lost += b.lost;
            merge_sums(&mut a.lost_value, b.lost_value);
        }
        self.lost_unknown += other.lost_unknown;
        merge_sums(&mut self.lost_unknown_value, other.lost_unknown_value);
        self.open.extend(other.open);
        Ok(())
    }

    /// The report (a value sum beyond an `i64` is `input.invalid`). It depends on the
    /// opportunities added, never on the order of `add` and `merge`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, DealHistory, Period, PipelineStages, StageDef};
    /// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
    /// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
    /// let mut b = Bottlenecks::new(BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap());
    /// b.add(&DealHistory { id: "A".into(), stage: Some("Open".into()), ..Default::default() }).unwrap();
    /// let r = b.finish().unwrap();
    /// assert_eq!(r.closest_to_closing[0].days_in_stage, None); // entry date unknown
    /// ```
    pub fn finish(&self) -> Result<BottleneckReport> {
        let spec = &self.spec;
        let stages = spec.stages();
        let period = spec.period();
        let n = u64::from(spec.baseline_periods);
        let mut rows = Vec::new();
        let mut lost_at_stage = Vec::new();
        let mut thresholds = vec![None; stages.len()];
        for (i, (def, acc)) in stages.stages().iter().zip(&self.stages).enumerate() {
            if def.kind != StageKind::Open {
                continue;
            }
            let dwell = DurationStats::of(&acc.dwell);
            let baseline_dwell = DurationStats::of(&acc.baseline_dwell);
            let accumulation = ratio(acc.in_stage.saturating_mul(n), acc.baseline_in_stage);
            let baseline_in_stage = acc.baseline_in_stage as f64 / n.max(1) as f64;
            let dwell_ratio = match (dwell.median_seconds, baseline_dwell.median_seconds) {
                (Some(m), Some(b)) if b > 0 => Some(m as f64 / b as f64),
                _ => None,
            };
            let mut reasons = Vec::new();
            if let Some(ratio) = accumulation
                && acc.in_stage >= spec.min_count
                && ratio > spec.factor
            {
                reasons.push(BottleneckReason::Accumulating {
                    in_stage: acc.in_stage,
                    baseline_average: baseline_in_stage,
                    ratio,
                });
            }
            if let (Some(ratio), Some(m), Some(b)) = (
                dwell_ratio,
                dwell.median_seconds,
                baseline_dwell.median_seconds,
            ) && dwell.count >= spec.min_count
                && ratio > spec.factor
            {
                reasons.push(BottleneckReason::Slow {
                    median_seconds: m,
                    baseline_median_seconds: b,
                    ratio,
                });
            }
            let threshold = spec
                .leak_after
                .get(&i)
                .copied()
                .or(baseline_dwell.p90_seconds);
            if let Some(slot) = thresholds.get_mut(i) {
                *slot = threshold;
            }
            rows.push(StageBottleneck {
                stage: def.name.clone(),
                in_stage: acc.in_stage,
                baseline_in_stage,
                accumulation,
                dwell,
                baseline_dwell,
                dwell_ratio,
                leak_threshold_seconds: threshold,
                bottleneck: !reasons.is_empty(),
                reasons,
            });
            lost_at_stage.push(LostAtStage {
                stage: Some(def.name.clone()),
                count: acc.lost,
                value: to_i64(&acc.lost_value)?,
            });
        }
        if self.lost_unknown > 0 {
            lost_at_stage.push(LostAtStage {
                stage: None,
                count: self.lost_unknown,
                value: to_i64(&self.lost_unknown_value)?,
            });
        }
        let name = |i: usize| {
            stages
                .stages()
                .get(i)
                .map_or_else(String::new, |s| s.name.clone())
        };
        let in_stage = |d: &OpenDeal| d.entered_at.map(|t| (period.to - t).num_seconds());
        let amount_key = |d: &OpenDeal| d.amount.as_ref().map(|m| (m.currency.clone(), m.minor));
        let mut leaks: Vec<Leak> = self
            .open
            .iter()
            .filter_map(|d| {
                let secs = in_stage(d)?;
                let th = thresholds.get(d.stage).copied().flatten()?;
                (secs > th).then(|| Leak {
                    id: d.id.clone(),
                    stage: name(d.stage),
                    owner: d.owner.clone(),
                    seconds_in_stage: secs,
                    days_in_stage: secs / 86_400,
                    threshold_seconds: th,
                    amount: d.amount.clone(),
                })
            })
            .collect();
        leaks.sort_by_cached_key(|l| {
            (
                Reverse(l.seconds_in_stage),
                l.id.clone(),
                l.stage.clone(),
                l.owner.clone(),
                l.amount.as_ref().map(|m| (m.currency.clone(), m.minor)),
            )
        });
        let mut open: Vec<&OpenDeal> = self.open.iter().collect();
        open.sort_by_cached_key(|d| {
            (
                Reverse(stages.rank(d.stage)),
                Reverse(in_stage(d)),
                d.id.clone(),
                d.owner.clone(),
                amount_key(d),
            )
        });
        let closest_to_closing = open
            .into_iter()
            .take(spec.closest)
            .map(|d| {
                let secs = in_stage(d);
                ClosestDeal {
                    id: d.id.clone(),
                    stage: name(d.stage),
                    owner: d.owner.clone(),
                    seconds_in_stage: secs,
                    days_in_stage: secs.map(|s| s / 86_400),
                    amount: d.amount.clone(),
                }
            })
            .collect();
        Ok(BottleneckReport {
            period,
            baseline: spec.baseline,
            baseline_periods: spec.baseline_periods,
            deals: self.deals,
            bottlenecks: rows
                .iter()
                .filter(|r| r.bottleneck)
                .map(|r| r.stage.clone())
                .collect(),
            stages: rows,
            lost_at_stage,
            leaks,
            closest_to_closing,
        })
    }
}

/// Why a stage is flagged, with the numbers.
///
/// In JSON `{"reason": "accumulating", ...}` or `{"reason": "slow", ...}`:
/// ```
/// use leadcore::analytics::BottleneckReason;
/// let r = BottleneckReason::Slow { median_seconds: 20, baseline_median_seconds: 10, ratio: 2.0 };
/// assert_eq!(serde_json::to_string(&r).unwrap(),
///     r#"{"reason":"slow","median_seconds":20,"baseline_median_seconds":10,"ratio":2.0}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum BottleneckReason {
    /// More deals sit in the stage than the baseline's average.
    Accumulating {
        /// Deals in the stage at the snapshot.
        in_stage: u64,
        /// The baseline's average at its period ends.
        baseline_average: f64,
        /// `in_stage / baseline_average`.
        ratio: f64,
    },
    /// Completed stays took longer than the baseline's.
    Slow {
        /// Median dwell of stays completed in the period.
        median_seconds: i64,
        /// Median dwell of stays completed in the baseline.
        baseline_median_seconds: i64,
        /// Their ratio.
        ratio: f64,
    },
}

/// One open stage's row of a [`BottleneckReport`].
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, Period, PipelineStages, StageDef};
/// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
/// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let r = Bottlenecks::new(BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap()).finish().unwrap();
/// let row = &r.stages[0];
/// assert_eq!((row.stage.as_str(), row.bottleneck, row.baseline_in_stage), ("Open", false, 0.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StageBottleneck {
    /// The stage.
    pub stage: String,
    /// Deals in it at the snapshot.
    pub in_stage: u64,
    /// The baseline's average in it at its period ends.
    pub baseline_in_stage: f64,
    /// `in_stage` over `baseline_in_stage` (`None` when that is zero).
    pub accumulation: Option<f64>,
    /// Stays completed in the period.
    pub dwell: DurationStats,
    /// Stays completed in the baseline.
    pub baseline_dwell: DurationStats,
    /// The period's median dwell over the baseline's.
    pub dwell_ratio: Option<f64>,
    /// The time in the stage after which a deal is a leak (`None`: no leak detected).
    pub leak_threshold_seconds: Option<i64>,
    /// Whether the stage is flagged.
    pub bottleneck: bool,
    /// Why (empty when not flagged).
    pub reasons: Vec<BottleneckReason>,
}

/// Deals lost in the period from one stage.
///
/// ```
/// let l = leadcore::analytics::LostAtStage { stage: None, count: 0, value: Default::default() };
/// assert_eq!(serde_json::to_string(&l).unwrap(), r#"{"stage":null,"count":0,"value":{}}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LostAtStage {
    /// The last open stage before the loss (`None`: none before it).
    pub stage: Option<String>,
    /// How many.
    pub count: u64,
    /// Their amounts, per currency (minor units).
    pub value: BTreeMap<String, i64>,
}

/// A deal in an open stage for longer than the stage's leak threshold.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use leadcore::analytics::{BottleneckSpec, Bottlenecks, DealHistory, Period, PipelineStages, StageDef, StageEntry};
/// let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
/// let d = |day| Utc.with_ymd_and_hms(2017, 1, 1, 0, 0, 0).unwrap() + Duration::days(day);
/// let spec = BottleneckSpec::new(stages, Period { from: d(30), to: d(40) }).unwrap()
///     .leak_after("Open", Duration::days(7)).unwrap();
/// let mut b = Bottlenecks::new(spec);
/// b.add(&DealHistory { id: "A".into(), owner: Some("ann".into()),
///     history: vec![StageEntry { at: d(31), stage: "Open".into() }], ..Default::default() }).unwrap();
/// let leak = &b.finish().unwrap().leaks[0];
/// assert_eq!((leak.id.as_str(), leak.owner.as_deref(), leak.days_in_stage), ("A", Some("ann"), 9));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Leak {
    /// The deal.
    pub id: String,
    /// Its stage.
    pub stage: String,
    /// Its owner.
    pub owner: Option<String>,
    /// Time in the stage at the snapshot.
    pub seconds_in_stage: i64,
    /// The same in whole days (rounded down).
    pub days_in_stage: i64,
    /// The stage's threshold.
    pub threshold_seconds: i64,
    /// Its amount.
    pub amount: Option<Money>,
}

/// An open deal near the end of the pipeline.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, DealHistory, Period, PipelineStages, StageDef};
/// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
/// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let mut b = Bottlenecks::new(BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap());
/// b.add(&DealHistory { id: "A".into(), stage: Some("Open".into()), ..Default::default() }).unwrap();
/// let json = serde_json::to_string(&b.finish().unwrap().closest_to_closing[0]).unwrap();
/// assert!(json.contains(r#""days_in_stage":null"#));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClosestDeal {
    /// The deal.
    pub id: String,
    /// Its stage.
    pub stage: String,
    /// Its owner.
    pub owner: Option<String>,
    /// Time in the stage at the snapshot (`None`: entry unknown).
    pub seconds_in_stage: Option<i64>,
    /// The same in whole days (rounded down).
    pub days_in_stage: Option<i64>,
    /// Its amount.
    pub amount: Option<Money>,
}

/// The finished bottleneck analysis.
///
/// ```
/// # use chrono::{TimeZone, Utc};
/// # use leadcore::analytics::{BottleneckSpec, Bottlenecks, Period, PipelineStages, StageDef};
/// # let stages = PipelineStages::new("d", vec![StageDef::new("Open", Default::default())]).unwrap();
/// # let t = |d| Utc.with_ymd_and_hms(2017, 1, d, 0, 0, 0).unwrap();
/// let r = Bottlenecks::new(BottleneckSpec::new(stages, Period { from: t(10), to: t(11) }).unwrap()).finish().unwrap();
/// let json = serde_json::to_value(&r).unwrap();
/// assert_eq!(json["baseline_periods"], 3);
/// assert!(json["bottlenecks"].as_array().unwrap().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BottleneckReport {
    /// The period.
    pub period: Period,
    /// The whole baseline.
    pub baseline: Period,
    /// How many periods it holds.
    pub baseline_periods: u32,
    /// Opportunities added.
    pub deals: u64,
    /// The flagged stages, in pipeline order.
    pub bottlenecks: Vec<String>,
    /// One row per open stage, in pipeline order.
    pub stages: Vec<StageBottleneck>,
    /// Deals lost in the period by the stage they were lost from: every open stage in order,
    /// then those with no open stage before the loss (only when there are some).
    pub lost_at_stage: Vec<LostAtStage>,
    /// Deals stuck past their stage's threshold, longest first (then by id).
    pub leaks: Vec<Leak>,
    /// The open deals closest to closing.
    pub closest_to_closing: Vec<ClosestDeal>,
}
