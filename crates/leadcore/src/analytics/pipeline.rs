//! Pipeline metrics over opportunities and their stage histories: the four V's per stage
//! (volume, value, velocity, conversion), win rate on qualified pipeline split new vs
//! expansion, average deal size, cycle length and sales velocity, as an accumulator that
//! adds, merges and finishes, so a partitioned run merged gives the same answer as one pass.
//!
//! Definitions, for a period `[from, to)` whose end is also the snapshot date:
//! - **entered**: opportunities with a dated entry into the stage inside the period (each
//!   opportunity counted once per stage); **in stage**: opportunities in the stage at `to`
//!   (the last entry before `to`; an opportunity without a dated entry sits in its `stage`
//!   if it was created before `to` or its creation is unknown).
//! - **value**: amounts summed per currency (never across currencies), of those in the stage
//!   at `to` and of those that entered it in the period.
//! - **dwell**: completed stays that ended inside the period (the next entry is in it), in
//!   whole seconds; median and p90 by nearest rank over the exact sorted values (the median
//!   of an even count is the lower middle value).
//! - **conversion to next** (cohort): of the opportunities that entered an open stage in the
//!   period, the share that reached a later ranked stage (open or won) before `to`.
//! - **win rate**: of the qualified opportunities (those that reached the `qualified_from`
//!   stage or a later ranked one; every one when unset) that closed in the period (their
//!   stage at `to` is a won or lost stage entered inside the period), the share won; split
//!   new business vs expansion (upsell and cross-sell).
//! - **average deal size**: won value over won deals with an amount, rounded to the nearest
//!   minor unit (halves away from zero); **cycle**: creation to closed won, won deals in the
//!   period with a creation date.
//! - **sales velocity** = open qualified opportunities at `to` × win rate × average deal
//!   size ÷ mean cycle in days, in minor units per day, with the per-stage decomposition
//!   (cohort conversion and mean dwell of each open stage).
//!
//! Nothing is ever NaN: a ratio over zero is `None` (JSON `null`).

use crate::error::{Error, ErrorKind, Result};
use crate::lifecycle::{Pipeline, StageKind};
use crate::model::{DealType, Money};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One stage of the pipeline analysed: its name and kind (open, won, lost, ...).
///
/// In JSON either a name (an open stage) or `{"name", "kind"}`.
///
/// ```
/// use leadcore::analytics::StageDef;
/// let s: Vec<StageDef> = serde_json::from_str(r#"["Prospecting", {"name": "Won", "kind": "won"}]"#).unwrap();
/// assert_eq!(s[1].kind, leadcore::StageKind::Won);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StageDefWire")]
pub struct StageDef {
    /// The stage's name.
    pub name: String,
    /// Its kind.
    pub kind: StageKind,
}

impl StageDef {
    /// A stage of a kind.
    pub fn new(name: impl Into<String>, kind: StageKind) -> Self {
        StageDef {
            name: name.into(),
            kind,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StageDefWire {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        kind: StageKind,
    },
}

impl From<StageDefWire> for StageDef {
    fn from(w: StageDefWire) -> Self {
        match w {
            StageDefWire::Name(name) => StageDef::new(name, StageKind::Open),
            StageDefWire::Full { name, kind } => StageDef::new(name, kind),
        }
    }
}

/// The ordered stages of a pipeline, as analytics read them: from a playbook's deal
/// pipeline ([`PipelineStages::from_pipeline`]) or given as a list.
///
/// ```
/// use leadcore::analytics::{PipelineStages, StageDef};
/// use leadcore::StageKind;
/// let st = PipelineStages::new("maven", vec![
///     StageDef::new("Prospecting", StageKind::Open), StageDef::new("Engaging", StageKind::Open),
///     StageDef::new("Won", StageKind::Won), StageDef::new("Lost", StageKind::Lost)]).unwrap();
/// assert_eq!(st.index("Engaging").unwrap(), 1);
/// assert_eq!(st.index("Nope").unwrap_err().code(), "lifecycle.unknown_stage");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStages {
    name: String,
    stages: Vec<StageDef>,
    /// Position on the ranked path (open and won stages in order).
    rank: Vec<Option<u32>>,
}

impl PipelineStages {
    /// Stages in order. Refused (`input.invalid`): no stage, a blank or repeated name.
    pub fn new(name: impl Into<String>, stages: Vec<StageDef>) -> Result<Self> {
        if stages.is_empty() {
            return Err(Error::invalid_input(
                "pipeline metrics need at least one stage",
            ));
        }
        let mut rank = Vec::with_capacity(stages.len());
        let mut next = 0u32;
        for (i, s) in stages.iter().enumerate() {
            if s.name.trim().is_empty() {
                return Err(Error::invalid_input(format!("stages[{i}]: blank name")));
            }
            if stages[..i].iter().any(|o| o.name == s.name) {
                return Err(Error::invalid_input(format!(
                    "stages[{i}]: stage `{}` is listed twice",
                    s.name
                )));
            }
            rank.push(s.kind.is_ranked().then(|| {
                next += 1;
                next - 1
            }));
        }
        Ok(PipelineStages {
            name: name.into(),
            stages,
            rank,
        })
    }

    /// The stages of a validated pipeline (a playbook's deal pipeline), in its order.
    ///
    /// ```
    /// use leadcore::{Playbook, analytics::PipelineStages};
    /// let pb = Playbook::default_playbook();
    /// let st = PipelineStages::from_pipeline(&pb.pipelines()[0]);
    /// assert_eq!(st.len(), pb.pipelines()[0].stages().len());
    /// ```
    pub fn from_pipeline(pipeline: &Pipeline) -> Self {
        PipelineStages {
            name: pipeline.name().to_owned(),
            stages: pipeline
                .stages()
                .iter()
                .map(|s| StageDef::new(s.name(), s.kind()))
                .collect(),
            rank: pipeline.stages().iter().map(|s| s.rank()).collect(),
        }
    }

    /// The pipeline's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[StageDef] {
        &self.stages
    }

    /// How many stages.
    pub fn len(&self) -> usize {
        self.stages.len()
    }

    /// Never true (a pipeline has a stage); for clippy's sake.
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Index of a stage by name; an unknown one is `lifecycle.unknown_stage`.
    pub fn index(&self, stage: &str) -> Result<usize> {
        self.stages
            .iter()
            .position(|s| s.name == stage)
            .ok_or_else(|| {
                ErrorKind::UnknownStage {
                    pipeline: self.name.clone(),
                    stage: stage.to_owned(),
                }
                .into()
            })
    }

    pub(crate) fn kind(&self, i: usize) -> StageKind {
        self.stages.get(i).map_or(StageKind::Open, |s| s.kind)
    }

    pub(crate) fn rank(&self, i: usize) -> Option<u32> {
        self.rank.get(i).copied().flatten()
    }

    /// The next ranked stage after an open stage.
    fn next_of(&self, i: usize) -> Option<usize> {
        if self.kind(i) != StageKind::Open {
            return None;
        }
        let r = self.rank(i)?;
        (0..self.len()).find(|&j| self.rank(j) == Some(r + 1))
    }
}

/// A half-open period `[from, to)`; `to` is also the snapshot date.
///
/// ```
/// use leadcore::analytics::Period;
/// let p: Period = serde_json::from_str(r#"{"from":"2017-01-01T00:00:00Z","to":"2018-01-01T00:00:00Z"}"#).unwrap();
/// assert!(p.check().is_ok());
/// assert!(Period { from: p.to, to: p.from }.check().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First instant in the period.
    pub from: DateTime<Utc>,
    /// First instant after it, and the snapshot date.
    pub to: DateTime<Utc>,
}

impl Period {
    /// An empty or reversed period (`to <= from`) is `input.invalid`.
    pub fn check(&self) -> Result<()> {
        if self.to <= self.from {
            return Err(Error::invalid_input(format!(
                "empty period: `to` ({}) must be after `from` ({})",
                self.to.to_rfc3339(),
                self.from.to_rfc3339()
            )));
        }
        Ok(())
    }

    pub(crate) fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.to
    }
}

/// One dated entry of a stage history: the opportunity entered `stage` at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The stage entered.
    pub stage: String,
}

/// An opportunity as analytics read it: slice keys, kind, amount, creation and its dated
/// stage entries (possibly partial).
///
/// ```
/// let o: leadcore::analytics::DealHistory = serde_json::from_str(r#"{"id":"O1","manager":"Ann",
///   "amount":{"minor":500,"currency":"USD"},"created_at":"2017-01-02T00:00:00Z",
///   "history":[{"at":"2017-01-02T00:00:00Z","stage":"Engaging"},{"at":"2017-02-01T00:00:00Z","stage":"Won"}]}"#).unwrap();
/// assert_eq!(o.history.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DealHistory {
    /// The opportunity's id.
    pub id: String,
    /// Owning rep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The owner's team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The owner's manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// The office or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office: Option<String>,
    /// The lead source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The pipeline (or product line) it runs in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// New business, upsell or cross-sell.
    #[serde(default)]
    pub kind: DealType,
    /// The amount (may be unknown while open).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// The current stage when the history does not tell it (exports with only the current
    /// stage); with a history, it must be the last entry's stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Dated stage entries, in time order.
    #[serde(default)]
    pub history: Vec<StageEntry>,
}

/// A key opportunities can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SliceKey {
    /// [`DealHistory::owner`].
    Owner,
    /// [`DealHistory::team`].
    Team,
    /// [`DealHistory::manager`].
    Manager,
    /// [`DealHistory::office`].
    Office,
    /// [`DealHistory::source`].
    Source,
    /// [`DealHistory::pipeline`].
    Pipeline,
    /// [`DealHistory::kind`] (`new_business`, `upsell`, `cross_sell`).
    Kind,
}

impl SliceKey {
    /// Every key.
    pub const ALL: [SliceKey; 7] = [
        SliceKey::Owner,
        SliceKey::Team,
        SliceKey::Manager,
        SliceKey::Office,
        SliceKey::Source,
        SliceKey::Pipeline,
        SliceKey::Kind,
    ];

    /// The key's name (`owner`, ...).
    pub fn name(self) -> &'static str {
        match self {
            SliceKey::Owner => "owner",
            SliceKey::Team => "team",
            SliceKey::Manager => "manager",
            SliceKey::Office => "office",
            SliceKey::Source => "source",
            SliceKey::Pipeline => "pipeline",
            SliceKey::Kind => "kind",
        }
    }

    /// The key of a name; `None` for another text.
    pub fn parse(name: &str) -> Option<SliceKey> {
        SliceKey::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The value of this key on an opportunity (`None` when missing).
    pub fn value(self, o: &DealHistory) -> Option<&str> {
        match self {
            SliceKey::Owner => o.owner.as_deref(),
            SliceKey::Team => o.team.as_deref(),
            SliceKey::Manager => o.manager.as_deref(),
            SliceKey::Office => o.office.as_deref(),
            SliceKey::Source => o.source.as_deref(),
            SliceKey::Pipeline => o.pipeline.as_deref(),
            SliceKey::Kind => Some(o.kind.name()),
        }
    }
}

/// What a [`PipelineMetrics`] measures: the stages, the period and which stage qualifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSpec {
    stages: PipelineStages,
    period: Period,
    pub(crate) qualified_from: Option<usize>,
}

impl MetricsSpec {
    /// A spec; an empty period is `input.invalid`, an unknown `qualified_from` stage
    /// `lifecycle.unknown_stage`.
    pub fn new(
        stages: PipelineStages,
        period: Period,
        qualified_from: Option<&str>,
    ) -> Result<Self> {
        period.check()?;
        let qualified_from = qualified_from.map(|q| stages.index(q)).transpose()?;
        if let Some(q) = qualified_from
            && stages.rank(q).is_none()
        {
            return Err(Error::invalid_input(format!(
                "qualified_from `{}` must be an open or won stage",
                stages.stages[q].name
            )));
        }
        Ok(MetricsSpec {
            stages,
            period,
            qualified_from,
        })
    }

    /// The stages.
    pub fn stages(&self) -> &PipelineStages {
        &self.stages
    }

    /// The period.
    pub fn period(&self) -> Period {
        self.period
    }
}

/// Sums per currency (i128 so no count of i64 amounts overflows).
pub(crate) type Sums = BTreeMap<String, i128>;

fn add_minor(sums: &mut Sums, currency: &str, minor: i64) {
    add_i128(sums, currency, i128::from(minor));
}

/// Adds `v` to `currency`'s sum. Never inlined: it runs once per currency and stage, and
/// inlined into [`PipelineMetrics::add_columns`] (as one build's partition of the crate
/// happened to allow) it cost that function's row loop 3% more instructions.
#[inline(never)]
pub(crate) fn add_i128(sums: &mut Sums, currency: &str, v: i128) {
    match sums.get_mut(currency) {
        Some(x) => *x += v,
        None => {
            sums.insert(currency.to_owned(), v);
        }
    }
}

pub(crate) fn add_money(sums: &mut Sums, m: &Money) {
    add_minor(sums, &m.currency, m.minor);
}

pub(crate) fn merge_sums(into: &mut Sums, from: Sums) {
    for (c, v) in from {
        *into.entry(c).or_insert(0) += v;
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StageAcc {
    pub(crate) entered: u64,
    pub(crate) converted: u64,
    pub(crate) in_stage: u64,
    pub(crate) value_entered: Sums,
    pub(crate) value_in_stage: Sums,
    /// Completed dwells (seconds); sorted at finish, so order never matters.
    pub(crate) dwell: Vec<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Closed {
    pub(crate) won: u64,
    pub(crate) lost: u64,
}

/// The pipeline-metrics accumulator of one group: `add` opportunities, `merge` another
/// accumulator of the same spec, `finish` into a [`PipelineReport`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::analytics::{DealHistory, MetricsSpec, Period, PipelineMetrics, PipelineStages, StageDef, StageEntry};
/// use leadcore::{Money, StageKind};
/// let stages = PipelineStages::new("deals", vec![StageDef::new("Open", StageKind::Open),
///     StageDef::new("Won", StageKind::Won), StageDef::new("Lost", StageKind::Lost)]).unwrap();
/// let d = |m, day| Utc.with_ymd_and_hms(2017, m, day, 0, 0, 0).unwrap();
/// let spec = MetricsSpec::new(stages, Period { from: d(1, 1), to: d(7, 1) }, None).unwrap();
/// let deal = |id: &str, end: &str, amount| DealHistory { id: id.into(), created_at: Some(d(1, 1)),
///     amount: Some(Money::new(amount, "USD")),
///     history: vec![StageEntry { at: d(1, 1), stage: "Open".into() }, StageEntry { at: d(1, 11), stage: end.into() }],
///     ..Default::default() };
/// let mut a = PipelineMetrics::new(spec.clone());
/// a.add(&deal("A", "Won", 1000)).unwrap();
/// let mut b = PipelineMetrics::new(spec);
/// b.add(&deal("B", "Lost", 0)).unwrap();
/// a.merge(b).unwrap();
/// let r = a.finish().unwrap();
/// assert_eq!(r.win_rate.rate, Some(0.5));
/// assert_eq!(r.average_deal_size, Some(Money::new(1000, "USD")));
/// assert_eq!(r.cycle.median_seconds, Some(10 * 86_400));
/// assert_eq!(r.stages[0].conversion_to_next, Some(0.5));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineMetrics {
    spec: Arc<MetricsSpec>,
    pub(crate) opportunities: u64,
    pub(crate) stages: Vec<StageAcc>,
    pub(crate) new_business: Closed,
    pub(crate) expansion: Closed,
    pub(crate) won_value: Sums,
    pub(crate) won_with_amount: u64,
    pub(crate) cycle: Vec<i64>,
    pub(crate) open_qualified: u64,
    /// Scratch: the stages an opportunity entered in the period (stamped per opportunity).
    seen: Vec<u64>,
    generation: u64,
    /// Scratch: the highest rank after each entry.
    later_rank: Vec<i64>,
}

impl PipelineMetrics {
    /// An empty accumulator.
    pub fn new(spec: impl Into<Arc<MetricsSpec>>) -> Self {
        let spec = spec.into();
        let n = spec.stages.len();
        PipelineMetrics {
            spec,
            opportunities: 0,
            stages: vec![StageAcc::default(); n],
            new_business: Closed::default(),
            expansion: Closed::default(),
            won_value: Sums::new(),
            won_with_amount: 0,
            cycle: Vec::new(),
            open_qualified: 0,
            seen: vec![0; n],
            generation: 0,
            later_rank: Vec::new(),
        }
    }

    /// The spec.
    pub fn spec(&self) -> &MetricsSpec {
        &self.spec
    }

    pub(crate) fn spec_arc(&self) -> Arc<MetricsSpec> {
        Arc::clone(&self.spec)
    }

    /// Adds one opportunity. Refused, leaving the accumulator unchanged: an unknown stage
    /// (`lifecycle.unknown_stage`), a negative amount, entries out of time order, an entry
    /// (a close included) before the creation, a `stage` that is not the last entry's
    /// (`input.invalid`, naming the opportunity).
    pub fn add(&mut self, o: &DealHistory) -> Result<()> {
        let parsed = parse(&self.spec, o)?;
        self.apply(&parsed.view(o));
        Ok(())
    }

    /// Adds one opportunity seen through a view (the row path and the columnar path both
    /// come here). Instants are microseconds since the epoch; the view is already checked.
    pub(crate) fn apply(&mut self, v: &DealView<'_>) {
        let spec = Arc::clone(&self.spec);
        let (from, to) = (
            spec.period.from.timestamp_micros(),
            spec.period.to.timestamp_micros(),
        );
        let in_period = |t: i64| from <= t && t < to;
        self.opportunities += 1;
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.seen.fill(0);
            self.generation = 1;
        }
        let generation = self.generation;
        if self.seen.len() != spec.stages.len() {
            self.seen = vec![0; spec.stages.len()];
        }
        // Entries known at the snapshot.
        let known = v.at.partition_point(|&at| at < to);
        let (at, stage_of) = (&v.at[..known], &v.stages[..known]);
        // The highest rank reached after each entry (for cohort conversion).
        self.later_rank.clear();
        self.later_rank.resize(known, -1);
        let mut best = -1i64;
        for k in (0..known).rev() {
            self.later_rank[k] = best;
            if let Some(r) = spec.stages.rank(stage_of[k] as usize) {
                best = best.max(i64::from(r));
            }
        }
        for k in 0..known {
            let (t, i) = (at[k], stage_of[k] as usize);
            let Some(acc) = self.stages.get_mut(i) else {
                continue;
            };
            if in_period(t) && self.seen[i] != generation {
                self.seen[i] = generation;
                acc.entered += 1;
                if let Some((c, m)) = v.amount {
                    add_minor(&mut acc.value_entered, c, m);
                }
                if let (StageKind::Open, Some(r)) = (spec.stages.kind(i), spec.stages.rank(i))
                    && self.later_rank[k] > i64::from(r)
                {
                    acc.converted += 1;
                }
            }
            if let Some(&next_at) = at.get(k + 1)
                && in_period(next_at)
            {
                acc.dwell.push((next_at - t) / 1_000_000);
            }
        }
        // The stage at the snapshot, and when it was entered.
        let current = match (at.last(), stage_of.last()) {
            (Some(&t), Some(&i)) => Some((Some(t), i as usize)),
            _ if v.at.is_empty() && v.created.is_none_or(|c| c < to) => v.stage.map(|i| (None, i)),
            _ => None,
        };
        let Some((entered_at, cur)) = current else {
            return;
        };
        if let Some(acc) = self.stages.get_mut(cur) {
            acc.in_stage += 1;
            if let Some((c, m)) = v.amount {
                add_minor(&mut acc.value_in_stage, c, m);
            }
        }
        let qualified = match spec.qualified_from.and_then(|q| spec.stages.rank(q)) {
            None => true,
            Some(qr) => {
                let reached = |i: usize| spec.stages.rank(i).is_some_and(|r| r >= qr);
                stage_of.iter().any(|&i| reached(i as usize)) || (known == 0 && reached(cur))
            }
        };
        if !qualified {
            return;
        }
        let kind = spec.stages.kind(cur);
        let closed_in_period = entered_at.is_some_and(in_period);
        match kind {
            StageKind::Open => self.open_qualified += 1,
            StageKind::Won | StageKind::Lost if closed_in_period => {
                let split = if v.expansion {
                    &mut self.expansion
                } else {
                    &mut self.new_business
                };
                if kind == StageKind::Won {
                    split.won += 1;
                    if let Some((c, m)) = v.amount {
                        add_minor(&mut self.won_value, c, m);
                        self.won_with_amount += 1;
                    }
                    if let (Some(c), Some(t)) = (v.created, entered_at) {
                        self.cycle.push((t - c) / 1_000_000);
                    }
                } else {
                    split.lost += 1;
                }
            }
            _ => {}
        }
    }

    /// Adds another accumulator of the same spec (`input.invalid` otherwise). Any partition
    /// of the opportunities, merged in any order, gives the same report as one pass.
    pub fn merge(&mut self, other: PipelineMetrics) -> Result<()> {
        if !Arc::ptr_eq(&self.spec, &other.spec) && self.spec != other.spec {
            return Err(Error::invalid_input(
                "cannot merge pipeline metrics of different stages, periods or qualification",
            ));
        }
        self.opportunities += other.opportunities;
        for (a, b) in self.stages.iter_mut().zip(other.stages) {
            a.entered += b.entered;
            a.converted += b.converted;
            a.in_stage += b.in_stage;
            merge_sums(&mut a.value_entered, b.value_entered);
            merge_sums(&mut a.value_in_stage, b.value_in_stage);
            if a.dwell.is_empty() {
                a.dwell = b.dwell;
            } else {
                a.dwell.extend(b.dwell);
            }
        }
        for (a, b) in [
            (&mut self.new_business, other.new_business),
            (&mut self.expansion, other.expansion),
        ] {
            a.won += b.won;
            a.lost += b.lost;
        }
        merge_sums(&mut self.won_value, other.won_value);
        self.won_with_amount += other.won_with_amount;
        if self.cycle.is_empty() {
            self.cycle = other.cycle;
        } else {
            self.cycle.extend(other.cycle);
        }
        self.open_qualified += other.open_qualified;
        Ok(())
    }

    /// The report. A sum beyond an `i64` is `input.invalid`; so is an average deal size over
    /// won deals of more than one currency (no rates: never a silent sum across currencies).
    pub fn finish(&self) -> Result<PipelineReport> {
        let spec = &self.spec;
        let stages: Vec<StageMetrics> = spec
            .stages
            .stages
            .iter()
            .zip(&self.stages)
            .enumerate()
            .map(|(i, (def, acc))| {
                let is_open = def.kind == StageKind::Open;
                Ok(StageMetrics {
                    stage: def.name.clone(),
                    kind: def.kind,
                    entered: acc.entered,
                    in_stage: acc.in_stage,
                    value_entered: to_i64(&acc.value_entered)?,
                    value_in_stage: to_i64(&acc.value_in_stage)?,
                    dwell: DurationStats::of(&acc.dwell),
                    next: spec
                        .stages
                        .next_of(i)
                        .map(|j| spec.stages.stages[j].name.clone()),
                    converted: is_open.then_some(acc.converted),
                    conversion_to_next: if is_open {
                        ratio(acc.converted, acc.entered)
                    } else {
                        None
                    },
                })
            })
            .collect::<Result<_>>()?;
        let won = self.new_business.won + self.expansion.won;
        let lost = self.new_business.lost + self.expansion.lost;
        let won_value = to_i64(&self.won_value)?;
        let average_deal_size = match won_value.len() {
            0 => None,
            1 => won_value.iter().next().and_then(|(c, &sum)| {
                rounded_div(i128::from(sum), i128::from(self.won_with_amount))
                    .map(|m| Money::new(m, c.clone()))
            }),
            _ => {
                return Err(Error::invalid_input(format!(
                    "mixed currencies ({}) in won deals and no exchange rates: \
                     group or filter by currency",
                    won_value.keys().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
        };
        let cycle = DurationStats::of(&self.cycle);
        let win_rate = ratio(won, won + lost);
        let sales_velocity = match (&average_deal_size, win_rate, cycle.mean_seconds) {
            (Some(size), Some(rate), Some(mean)) if mean > 0.0 => {
                let days = mean / 86_400.0;
                let per_day = self.open_qualified as f64 * rate * size.minor as f64 / days;
                Some(SalesVelocity {
                    opportunities: self.open_qualified,
                    win_rate: rate,
                    average_deal_size: size.clone(),
                    cycle_days: days,
                    per_day: Money::new(per_day.round() as i64, size.currency.clone()),
                    stages: stages
                        .iter()
                        .filter(|s| s.kind == StageKind::Open)
                        .map(|s| VelocityStage {
                            stage: s.stage.clone(),
                            conversion: s.conversion_to_next,
                            mean_dwell_days: s.dwell.mean_seconds.map(|m| m / 86_400.0),
                        })
                        .collect(),
                })
            }
            _ => None,
        };
        Ok(PipelineReport {
            period: spec.period,
            opportunities: self.opportunities,
            stages,
            win_rate: WinRate {
                won,
                lost,
                rate: win_rate,
                new_business: self.new_business.into(),
                expansion: self.expansion.into(),
            },
            won_value,
            average_deal_size,
            cycle,
            open_qualified: self.open_qualified,
            sales_velocity,
        })
    }
}

/// Entry `k` of a history after an entry at `prev`, of a record created at `created`: in
/// time order and not before the creation (the message, for the caller to name the record).
pub(crate) fn check_entry(
    k: usize,
    e: &StageEntry,
    prev: Option<DateTime<Utc>>,
    created: Option<DateTime<Utc>>,
) -> std::result::Result<(), String> {
    if prev.is_some_and(|p| e.at < p) {
        return Err(format!(
            "history[{k}] at {} is before the entry before it",
            e.at.to_rfc3339()
        ));
    }
    if let Some(c) = created
        && e.at < c
    {
        return Err(format!(
            "history[{k}] (`{}` at {}) is before its creation at {}",
            e.stage,
            e.at.to_rfc3339(),
            c.to_rfc3339()
        ));
    }
    Ok(())
}

/// An opportunity's entries as stage indices, checked.
pub(crate) struct Parsed {
    /// Entries: when, and the stage's index.
    pub(crate) entries: Vec<(DateTime<Utc>, usize)>,
    at: Vec<i64>,
    stages: Vec<u32>,
    pub(crate) stage: Option<usize>,
}

impl Parsed {
    fn view<'a>(&'a self, o: &'a DealHistory) -> DealView<'a> {
        DealView {
            amount: o.amount.as_ref().map(|m| (m.currency.as_str(), m.minor)),
            expansion: o.kind != DealType::NewBusiness,
            created: o.created_at.map(|c| c.timestamp_micros()),
            stage: self.stage,
            at: &self.at,
            stages: &self.stages,
        }
    }
}

/// One opportunity as the accumulator reads it, checked: amount (currency, minor units),
/// expansion or not, creation and entries in microseconds since the epoch, stage indices.
pub(crate) struct DealView<'a> {
    pub(crate) amount: Option<(&'a str, i64)>,
    pub(crate) expansion: bool,
    pub(crate) created: Option<i64>,
    pub(crate) stage: Option<usize>,
    pub(crate) at: &'a [i64],
    pub(crate) stages: &'a [u32],
}

pub(crate) fn parse(spec: &MetricsSpec, o: &DealHistory) -> Result<Parsed> {
    let bad = |m: String| Error::invalid_input(format!("opportunity `{}`: {m}", o.id));
    if let Some(m) = &o.amount
        && m.minor < 0
    {
        return Err(bad(format!("negative amount {}", m.minor)));
    }
    let mut entries: Vec<(DateTime<Utc>, usize)> = Vec::with_capacity(o.history.len());
    for (k, e) in o.history.iter().enumerate() {
        let i = spec.stages.index(&e.stage)?;
        check_entry(k, e, entries.last().map(|p| p.0), o.created_at).map_err(bad)?;
        entries.push((e.at, i));
    }
    let stage = o
        .stage
        .as_deref()
        .map(|s| spec.stages.index(s))
        .transpose()?;
    if let (Some(s), Some(&(_, last))) = (stage, entries.last())
        && s != last
    {
        return Err(bad(format!(
            "stage `{}` is not the last history entry's (`{}`)",
            spec.stages.stages[s].name, spec.stages.stages[last].name
        )));
    }
    Ok(Parsed {
        at: entries.iter().map(|e| e.0.timestamp_micros()).collect(),
        stages: entries.iter().map(|e| e.1 as u32).collect(),
        entries,
        stage,
    })
}

pub(crate) fn to_i64(sums: &Sums) -> Result<BTreeMap<String, i64>> {
    sums.iter()
        .map(|(c, &v)| {
            i64::try_from(v)
                .map(|v| (c.clone(), v))
                .map_err(|_| Error::invalid_input(format!("a sum of {c} amounts overflows i64")))
        })
        .collect()
}

pub(crate) fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// `num / den` rounded to the nearest integer, halves away from zero; `None` for `den == 0`.
fn rounded_div(num: i128, den: i128) -> Option<i64> {
    if den <= 0 {
        return None;
    }
    let q = (2 * num.abs() + den) / (2 * den);
    i64::try_from(if num < 0 { -q } else { q }).ok()
}

/// Count, mean, median and p90 of durations in whole seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DurationStats {
    /// How many.
    pub count: u64,
    /// Mean, `None` when empty.
    pub mean_seconds: Option<f64>,
    /// Median by nearest rank (the lower middle of an even count).
    pub median_seconds: Option<i64>,
    /// 90th percentile by nearest rank.
    pub p90_seconds: Option<i64>,
}

impl DurationStats {
    pub(crate) fn of(values: &[i64]) -> Self {
        let n = values.len();
        let (sum, lo, hi) = values
            .iter()
            .fold((0i128, i64::MAX, i64::MIN), |(s, a, b), &v| {
                (s + i128::from(v), a.min(v), b.max(v))
            });
        // Nearest ranks (ceil(p n), from 1) by selection: linear, no full sort.
        let rank = |p_num: usize, p_den: usize| (p_num * n).div_ceil(p_den).max(1) - 1;
        let (median, p90) = match ranked(values, (lo, hi), rank(1, 2), rank(9, 10)) {
            Some((m, q)) => (Some(m), Some(q)),
            None => (None, None),
        };
        DurationStats {
            count: n as u64,
            mean_seconds: (n > 0).then(|| {
                let c = n as i128;
                (sum / c) as f64 + (sum % c) as f64 / c as f64
            }),
            median_seconds: median,
            p90_seconds: p90,
        }
    }
}

/// The values of ranks `m <= q` (from 0) of `values` (all within `[lo, hi]`) in sorted
/// order, without sorting or copying the whole run: a histogram of 2^16 buckets over the
/// value range says which bucket holds each rank, and only those buckets' values are copied
/// and selected from. `None` when empty.
fn ranked(values: &[i64], (lo, hi): (i64, i64), m: usize, q: usize) -> Option<(i64, i64)> {
    // Selects within a copy: the lower rank within the part below the higher.
    fn select(mut v: Vec<i64>, m: usize, q: usize) -> Option<(i64, i64)> {
        let (_, &mut hi, _) = v.get(q).is_some().then(|| v.select_nth_unstable(q))?;
        let lo = if m == q {
            hi
        } else {
            *v.get_mut(..q)?.select_nth_unstable(m).1
        };
        Some((lo, hi))
    }
    const BITS: u32 = 16;
    if values.len() <= 1 << BITS {
        return select(values.to_vec(), m, q);
    }
    // v - lo as an unsigned offset (exact: v >= lo), bucketed by its top bits
    let range = hi.wrapping_sub(lo) as u64;
    let shift = (u64::BITS - range.leading_zeros()).saturating_sub(BITS);
    let bucket = |v: i64| (v.wrapping_sub(lo) as u64 >> shift) as usize;
    let mut counts = vec![0usize; (range >> shift) as usize + 1];
    for &v in values {
        if let Some(c) = counts.get_mut(bucket(v)) {
            *c += 1;
        }
    }
    // The bucket of a rank and the number of values in buckets below it.
    let find = |rank: usize| {
        let mut below = 0;
        for (b, &c) in counts.iter().enumerate() {
            if rank < below + c {
                return Some((b, below));
            }
            below += c;
        }
        None
    };
    let ((bm, below_m), (bq, below_q)) = (find(m)?, find(q)?);
    if shift == 0 {
        // a bucket is one value
        let at = |b: usize| lo.wrapping_add(b as i64);
        return Some((at(bm), at(bq)));
    }
    // the two buckets' values, in one pass
    let (mut in_m, mut in_q) = (Vec::new(), Vec::new());
    for &v in values {
        let b = bucket(v);
        if b == bm {
            in_m.push(v);
        } else if b == bq {
            in_q.push(v);
        }
    }
    if bm == bq {
        return select(in_m, m - below_m, q - below_q);
    }
    let (at_m, _) = select(in_m, m - below_m, m - below_m)?;
    let (_, at_q) = select(in_q, q - below_q, q - below_q)?;
    Some((at_m, at_q))
}

/// One stage's row of a [`PipelineReport`]: the four V's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageMetrics {
    /// The stage.
    pub stage: String,
    /// Its kind.
    pub kind: StageKind,
    /// Volume: opportunities that entered it in the period.
    pub entered: u64,
    /// Volume: opportunities in it at the snapshot.
    pub in_stage: u64,
    /// Value entered in the period, per currency (minor units).
    pub value_entered: BTreeMap<String, i64>,
    /// Value in it at the snapshot, per currency (minor units).
    pub value_in_stage: BTreeMap<String, i64>,
    /// Velocity: completed stays that ended in the period.
    pub dwell: DurationStats,
    /// The next ranked stage (open stages only).
    pub next: Option<String>,
    /// Of `entered`, those that reached a later ranked stage (open stages only).
    pub converted: Option<u64>,
    /// Conversion: `converted / entered` (`None` when nothing entered, or not open).
    pub conversion_to_next: Option<f64>,
}

/// Closed won and lost counts and their ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateCount {
    /// Won.
    pub won: u64,
    /// Lost.
    pub lost: u64,
    /// `won / (won + lost)`, `None` when nothing closed.
    pub rate: Option<f64>,
}

impl From<Closed> for RateCount {
    fn from(c: Closed) -> Self {
        RateCount {
            won: c.won,
            lost: c.lost,
            rate: ratio(c.won, c.won + c.lost),
        }
    }
}

/// Win rate on qualified opportunities closed in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WinRate {
    /// Won.
    pub won: u64,
    /// Lost.
    pub lost: u64,
    /// `won / (won + lost)`.
    pub rate: Option<f64>,
    /// New business only.
    pub new_business: RateCount,
    /// Upsell and cross-sell.
    pub expansion: RateCount,
}

/// One open stage's part in the sales velocity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VelocityStage {
    /// The stage.
    pub stage: String,
    /// Its cohort conversion to the next stage.
    pub conversion: Option<f64>,
    /// Its mean completed dwell, in days.
    pub mean_dwell_days: Option<f64>,
}

/// Sales velocity: open qualified opportunities × win rate × average deal size ÷ cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesVelocity {
    /// Open qualified opportunities at the snapshot.
    pub opportunities: u64,
    /// Win rate.
    pub win_rate: f64,
    /// Average deal size.
    pub average_deal_size: Money,
    /// Mean cycle, in days.
    pub cycle_days: f64,
    /// Expected won value per day (minor units, rounded).
    pub per_day: Money,
    /// The per-stage decomposition: each open stage's conversion and mean dwell.
    pub stages: Vec<VelocityStage>,
}

/// The finished metrics of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineReport {
    /// The period.
    pub period: Period,
    /// Opportunities added.
    pub opportunities: u64,
    /// One row per stage, in order.
    pub stages: Vec<StageMetrics>,
    /// Win rate on qualified pipeline.
    pub win_rate: WinRate,
    /// Won value in the period, per currency.
    pub won_value: BTreeMap<String, i64>,
    /// Average won deal size (`None` when nothing with an amount was won).
    pub average_deal_size: Option<Money>,
    /// Cycle: creation to closed won.
    pub cycle: DurationStats,
    /// Open qualified opportunities at the snapshot.
    pub open_qualified: u64,
    /// Sales velocity, `None` when a factor is undefined.
    pub sales_velocity: Option<SalesVelocity>,
}

/// Pipeline metrics per group: one [`PipelineMetrics`] per distinct value of the slice keys.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use leadcore::analytics::*;
/// use leadcore::StageKind;
/// let stages = PipelineStages::new("d", vec![StageDef::new("Open", StageKind::Open)]).unwrap();
/// let t = |y| Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).unwrap();
/// let spec = MetricsSpec::new(stages, Period { from: t(2017), to: t(2018) }, None).unwrap();
/// let mut g = GroupedMetrics::new(spec, vec![SliceKey::Manager]);
/// for (id, m) in [("A", "Ann"), ("B", "Bob"), ("C", "Ann")] {
///     g.add(&DealHistory { id: id.into(), manager: Some(m.into()), stage: Some("Open".into()), ..Default::default() }).unwrap();
/// }
/// let groups = g.finish().unwrap();
/// assert_eq!(groups[0].key["manager"].as_deref(), Some("Ann"));
/// assert_eq!(groups[0].report.stages[0].in_stage, 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedMetrics {
    pub(crate) spec: Arc<MetricsSpec>,
    pub(crate) by: Vec<SliceKey>,
    pub(crate) groups: BTreeMap<Vec<Option<String>>, PipelineMetrics>,
}

impl GroupedMetrics {
    /// Groups by `by` (no key: one group of everything).
    pub fn new(spec: impl Into<Arc<MetricsSpec>>, by: Vec<SliceKey>) -> Self {
        GroupedMetrics {
            spec: spec.into(),
            by,
            groups: BTreeMap::new(),
        }
    }

    /// Adds one opportunity to its group (see [`PipelineMetrics::add`]).
    pub fn add(&mut self, o: &DealHistory) -> Result<()> {
        let parsed = parse(&self.spec, o)?;
        let key: Vec<Option<String>> = self
            .by
            .iter()
            .map(|k| k.value(o).map(str::to_owned))
            .collect();
        self.groups
            .entry(key)
            .or_insert_with(|| PipelineMetrics::new(Arc::clone(&self.spec)))
            .apply(&parsed.view(o));
        Ok(())
    }

    /// Merges another grouping of the same spec and keys.
    pub fn merge(&mut self, other: GroupedMetrics) -> Result<()> {
        if self.by != other.by || *self.spec != *other.spec {
            return Err(Error::invalid_input(
                "cannot merge pipeline metrics of different specs or group keys",
            ));
        }
        for (k, m) in other.groups {
            match self.groups.get_mut(&k) {
                Some(mine) => mine.merge(m)?,
                None => {
                    let mut fresh = PipelineMetrics::new(Arc::clone(&self.spec));
                    fresh.merge(m)?;
                    self.groups.insert(k, fresh);
                }
            }
        }
        Ok(())
    }

    /// One report per group, ordered by key (a missing value first). Without keys, one
    /// group even when nothing was added (a documented empty result: zero counts, `None`
    /// ratios).
    pub fn finish(&self) -> Result<Vec<GroupReport>> {
        if self.by.is_empty() && self.groups.is_empty() {
            return Ok(vec![GroupReport {
                key: BTreeMap::new(),
                report: PipelineMetrics::new(Arc::clone(&self.spec)).finish()?,
            }]);
        }
        self.groups
            .iter()
            .map(|(k, m)| {
                Ok(GroupReport {
                    key: self
                        .by
                        .iter()
                        .map(|s| s.name().to_owned())
                        .zip(k.iter().cloned())
                        .collect(),
                    report: m.finish()?,
                })
            })
            .collect()
    }
}

/// One group's report and its key values (`None`: the key is missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    /// The value of each group key.
    pub key: BTreeMap<String, Option<String>>,
    /// The group's metrics.
    #[serde(flatten)]
    pub report: PipelineReport,
}

/// The wire form of one pipeline-metrics run (what the C door and the vectors take).
///
/// ```
/// let input = leadcore::analytics::PipelineMetricsInput::from_json(r#"{"stages":["Open",{"name":"Won","kind":"won"}],
///   "period":{"from":"2017-01-01T00:00:00Z","to":"2018-01-01T00:00:00Z"},"group_by":["owner"],
///   "opportunities":[{"id":"A","owner":"ann","stage":"Open"}]}"#).unwrap();
/// let out = input.run(None).unwrap();
/// assert_eq!(out.groups[0].report.stages[0].in_stage, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineMetricsInput {
    /// The stages in order; or none, with `pipeline` naming a playbook deal pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageDef>>,
    /// A playbook pipeline's name, when `stages` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// The period.
    pub period: Period,
    /// The stage from which an opportunity counts as qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualified_from: Option<String>,
    /// Group keys.
    #[serde(default)]
    pub group_by: Vec<SliceKey>,
    /// The opportunities.
    pub opportunities: Vec<DealHistory>,
}

/// The wire form of a run's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineMetricsOutput {
    /// One report per group.
    pub groups: Vec<GroupReport>,
}

impl PipelineMetricsInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "pipeline metrics input")
    }

    /// The stages: `stages` when given, else those of `pipeline` (the door looks it up in
    /// its playbook and passes it).
    pub fn stages(&self, pipeline: Option<&Pipeline>) -> Result<PipelineStages> {
        match (&self.stages, pipeline) {
            (Some(s), _) => {
                PipelineStages::new(self.pipeline.as_deref().unwrap_or("pipeline"), s.clone())
            }
            (None, Some(p)) => Ok(PipelineStages::from_pipeline(p)),
            (None, None) => Err(Error::invalid_input(
                "pipeline metrics need `stages` or a playbook `pipeline`",
            )),
        }
    }

    /// Runs it in one pass.
    pub fn run(&self, pipeline: Option<&Pipeline>) -> Result<PipelineMetricsOutput> {
        let spec = MetricsSpec::new(
            self.stages(pipeline)?,
            self.period,
            self.qualified_from.as_deref(),
        )?;
        let mut g = GroupedMetrics::new(spec, self.group_by.clone());
        for o in &self.opportunities {
            g.add(o)?;
        }
        Ok(PipelineMetricsOutput {
            groups: g.finish()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranks by the histogram agree with a full sort, whatever the spread of the values.
    #[test]
    fn ranks_by_histogram_equal_ranks_by_sorting() {
        let mut x = 7u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let runs: Vec<Vec<i64>> = vec![
            (0..100_000).map(|_| (next() % 1_000_000) as i64).collect(),
            // concentrated, with one far outlier either side
            (0..100_000)
                .map(|_| (next() % 50) as i64)
                .chain([i64::MIN, i64::MAX])
                .collect(),
            (0..70_000).map(|_| next() as i64).collect(),
            (0..70_000).map(|_| (next() % 3) as i64 - 1).collect(),
            vec![42; 80_000],
            (0..300_000)
                .map(|_| ((next() % 10_000) as f64).powi(2) as i64 - 5_000_000)
                .collect(),
            (0..1000).map(|_| next() as i64).collect(),
            vec![5],
        ];
        for v in runs {
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let s = DurationStats::of(&v);
            let n = v.len();
            assert_eq!(s.median_seconds, Some(sorted[n.div_ceil(2) - 1]), "{n}");
            assert_eq!(s.p90_seconds, Some(sorted[(9 * n).div_ceil(10) - 1]), "{n}");
        }
        assert_eq!(DurationStats::of(&[]).median_seconds, None);
    }
}
