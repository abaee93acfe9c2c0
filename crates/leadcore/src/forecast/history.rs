//! A forecast model learned from closed history: win rate, time to close, the flow of deals
//! not yet created, seasonality within the fiscal quarter, and how much those rates move
//! from month to month, so its intervals carry the uncertainty a plain Monte Carlo over
//! independent open deals leaves out.
//!
//! Fitted as of a date `T` from the deals created before `T`, seeing only outcomes dated
//! before `T`:
//! - **win rate** `p`: won ÷ closed; **realisation**: won value ÷ the won deals' amounts;
//! - **stage-to-win probabilities**: for each stage `s` seen in the deals' stage visits
//!   (entered before `T`), `P(won | the deal was in s)` from the deals closed before `T` that
//!   passed through `s` (each deal counts once per stage it visited), shrunk toward the
//!   overall win rate by `stage_prior` pseudo-deals (a Beta prior of mean `p` and weight
//!   `k`): `p_s = (won_s + k·p) ÷ (closed_s + k)`. A stage no closed deal passed through gets
//!   `p` exactly; a stage with many gets about its own rate. An open deal's win chance is its
//!   current stage's (the last stage it entered before `T`); a deal without visits keeps `p`;
//! - **time to close**: a product-limit (Kaplan–Meier) hazard per day of age, from creation to
//!   close (won or lost), deals still open at `T` counted as censored; past the oldest age
//!   seen the hazard is zero (a deal that old is not expected to close);
//! - **time to close by stage** (the documented choice): a stage through which at least
//!   `min_stage_closes` closed deals passed gets its own product-limit curve of the time from
//!   entering it (its last entry) to the close, deals still open at `T` that entered it
//!   censored; an open deal in such a stage closes by that curve at its age in the stage. A
//!   stage with fewer closes, or a deal without visits, uses the pooled curve of age since
//!   creation above (too few closes give a curve noisier than the pooled one is biased);
//! - **close-date slips**: from the closed deals that carried an `expected_close`, the
//!   empirical distribution of `slip = close − expected_close` in days. With at least
//!   `min_slips` of them, an open deal with an expected close `E` closes on `E + slip`, the
//!   slip drawn from those with `E + slip ≥ T` (it has not closed before `T`); when none is
//!   that late (the deal is overdue past every slip seen), or without enough slips, the deal
//!   keeps the time-to-close curves. The expected close is taken as recorded (a CRM that
//!   rewrites it to the actual close on closing teaches slips of zero);
//! - **deals not yet created**: the creation rate and the amounts of the trailing
//!   `trailing_days`;
//! - **seasonality**: won value per period position in the fiscal quarter (1st, 2nd, 3rd
//!   period), each complete quarter before `T` with won value in all three periods giving
//!   `value ÷ quarter mean`, averaged (only quarters that start on or after the first close:
//!   a history's first quarter is ramping up, not seasonal); none leaves every index at 1;
//! - **rate spread**: over the `blocks` trailing blocks of `block_days`, the standard deviation
//!   of the logit of each block's win rate (blocks with at least `min_block_closes` closes)
//!   and of the log of each block's creation count; scaled by `√(block_days ÷ window days)`
//!   for windows longer than a block.
//!
//! A window `[from, to)` (`from ≥ T`) then expects
//! `(Σ amountᵢ·P(closeᵢ in window | open at its age) + rate·mean amount·Σ_c P(a deal created on
//! day c closes in window)) · p · realisation · season`, where `season` is the mean index of
//! the window's days, and an open deal's `p` is its stage's. The simulation draws, per
//! trial, one win-rate shift and one creation rate from the spreads (shared by every deal of
//! the window: their correlation; the shift moves the logit of the overall rate and of every
//! stage's probability alike), then each open deal's close (by its slip or its curve) and
//! win (by its stage's probability), and a Poisson number of new deals won with amounts
//! drawn from the trailing ones. Seeded (`Xoshiro256PlusPlus`): the same numbers on every platform.

use super::calendar::FiscalCalendar;
use crate::error::{Error, Result};
use crate::model::Money;
use chrono::{Datelike, NaiveDate};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a deal of the history ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The close date.
    pub date: NaiveDate,
    /// Won (`true`) or lost.
    pub won: bool,
    /// The value won (zero for a lost deal), in the deal's currency.
    pub value: i64,
}

/// A deal as the historical model reads it: its expected amount (known while it is open),
/// its creation date, its owner, once closed its outcome and, when known, its expected
/// close date and the stages it went through.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::{forecast::HistoricalDeal, Money};
/// let d: HistoricalDeal = serde_json::from_str(r#"{"id":"O1","owner":"Ann","amount":{"minor":1000,"currency":"USD"},
///   "created":"2017-01-02","outcome":{"date":"2017-02-01","won":true,"value":950},
///   "expected_close":"2017-01-20","stages":[{"stage":"Qualify","entered":"2017-01-02"}]}"#).unwrap();
/// assert_eq!(d.outcome.unwrap().value, 950);
/// assert_eq!(d.stages[0].stage, "Qualify");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoricalDeal {
    /// The opportunity's id.
    pub id: String,
    /// The owning rep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The expected amount (non-negative).
    pub amount: Money,
    /// When it was created (entered the pipeline).
    pub created: NaiveDate,
    /// How it ended, if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The close date expected while it was open (on or after `created`), if one was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_close: Option<NaiveDate>,
    /// The open stages it entered, in time order (none: its stages are unknown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageVisit>,
}

/// A deal's entry into an open stage of its pipeline.
///
/// ```
/// let v: leadcore::forecast::StageVisit = serde_json::from_str(r#"{"stage":"Engaging","entered":"2017-03-02"}"#).unwrap();
/// assert_eq!(v.stage, "Engaging");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageVisit {
    /// The stage's name.
    pub stage: String,
    /// When the deal entered it (on or after its creation, on or before its close).
    pub entered: NaiveDate,
}

/// Settings of the historical model; the defaults are what the Maven backtest uses.
///
/// ```
/// let s = leadcore::forecast::HistoryModelSpec::default();
/// assert_eq!((s.trailing_days, s.block_days, s.blocks), (91, 30, 6));
/// assert_eq!((s.stage_prior, s.min_stage_closes, s.min_slips), (10.0, 30, 20));
/// let plain = leadcore::forecast::HistoryModelSpec::plain();
/// assert!(!plain.new_deals && !plain.rate_spread && !plain.seasonality);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HistoryModelSpec {
    /// Days of creations the rate of new deals is taken from.
    pub trailing_days: u32,
    /// Length of the blocks the rate spread is measured over.
    pub block_days: u32,
    /// How many trailing blocks.
    pub blocks: u32,
    /// Fewest closes for a block's win rate to count.
    pub min_block_closes: u32,
    /// Oldest age (days) the time-to-close curve tracks.
    pub max_age_days: u32,
    /// Count deals not yet created.
    pub new_deals: bool,
    /// Draw the win and creation rates per trial from their spread.
    pub rate_spread: bool,
    /// Apply the seasonal index of the period within the fiscal quarter.
    pub seasonality: bool,
    /// Weight, in pseudo-deals at the overall win rate, of the prior each stage's win
    /// probability is shrunk toward (finite, `0..=1e9`; 0: each stage's raw rate).
    pub stage_prior: f64,
    /// Fewest closed deals through a stage for its own time-to-close curve.
    pub min_stage_closes: u32,
    /// Fewest closed deals with an expected close for slips to replace the curves.
    pub min_slips: u32,
}

impl Default for HistoryModelSpec {
    fn default() -> Self {
        HistoryModelSpec {
            trailing_days: 91,
            block_days: 30,
            blocks: 6,
            min_block_closes: 20,
            max_age_days: 730,
            new_deals: true,
            rate_spread: true,
            seasonality: true,
            stage_prior: 10.0,
            min_stage_closes: 30,
            min_slips: 20,
        }
    }
}

impl HistoryModelSpec {
    /// The plain model: open deals only, each closing independently with the learned win
    /// rate and time to close; nothing for deals not yet created, rate movements or season.
    pub fn plain() -> Self {
        HistoryModelSpec {
            new_deals: false,
            rate_spread: false,
            seasonality: false,
            ..Self::default()
        }
    }

    fn check(&self) -> Result<()> {
        let ok = self.trailing_days >= 1
            && self.block_days >= 1
            && self.max_age_days >= 1
            && self.max_age_days <= 36_600
            && self.trailing_days <= 36_600
            && u64::from(self.blocks) * u64::from(self.block_days) <= 36_600
            && self.stage_prior.is_finite()
            && (0.0..=1e9).contains(&self.stage_prior);
        if ok {
            Ok(())
        } else {
            Err(Error::invalid_input(
                "history model: trailing_days, block_days and max_age_days must be 1..=36600, \
                 blocks × block_days at most 36600 and stage_prior in 0..=1e9",
            ))
        }
    }
}

/// What a model expects of one window, and its simulated distribution (minor units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowForecast {
    /// First day of the window.
    pub from: NaiveDate,
    /// Day after its last.
    pub to: NaiveDate,
    /// Expected won value: pipeline plus new deals, times the season index.
    pub expected: f64,
    /// Of which from deals open at the fit date (before the season index).
    pub from_pipeline: f64,
    /// Of which from deals not yet created (before the season index).
    pub from_new_deals: f64,
    /// The season index applied.
    pub season: f64,
    /// Mean over the trials.
    pub mean: f64,
    /// 10th percentile (nearest rank).
    pub p10: i64,
    /// Median.
    pub p50: i64,
    /// 90th percentile.
    pub p90: i64,
}

/// The format version of a serialized [`HistoryModel`].
pub const HISTORY_MODEL_VERSION: u32 = 2;

/// What a model learned of one stage: `P(won | the deal was in it)` and how it closes.
///
/// ```
/// let r: leadcore::forecast::StageRate = serde_json::from_str(r#"{"stage":"Engaging","closed":10,
///   "won":6,"open":3,"raw":0.6,"probability":0.6,"own_timing":false}"#).unwrap();
/// assert_eq!(r.probability, 0.6);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRate {
    /// The stage.
    pub stage: String,
    /// Deals closed before the fit date that passed through it.
    pub closed: u64,
    /// Of which won.
    pub won: u64,
    /// Deals open at the fit date whose current stage it is.
    pub open: u64,
    /// `won ÷ closed` (`None` when no closed deal passed through it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<f64>,
    /// The win probability used: `(won + k·p) ÷ (closed + k)`, `k` the spec's
    /// `stage_prior` and `p` the overall win rate (`p` when there is neither).
    pub probability: f64,
    /// Deals in it close by its own time-to-close curve (from entering it), not the pooled
    /// one (at least `min_stage_closes` closes).
    pub own_timing: bool,
}

/// The close-date slips learned: `close − expected_close` in days over the closed deals that
/// had an expected close (quantiles by nearest rank).
///
/// ```
/// let s: leadcore::forecast::SlipSummary = serde_json::from_str(r#"{"count":40,"used":true,"mean_days":30.0,
///   "p10":30,"p25":30,"p50":30,"p75":30,"p90":30}"#).unwrap();
/// assert!(s.used);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlipSummary {
    /// Closed deals with an expected close.
    pub count: u64,
    /// Whether open deals with an expected close are drawn from the slips (at least
    /// `min_slips` of them).
    pub used: bool,
    /// Mean slip.
    pub mean_days: f64,
    /// 10th percentile.
    pub p10: i64,
    /// 25th percentile.
    pub p25: i64,
    /// Median.
    pub p50: i64,
    /// 75th percentile.
    pub p75: i64,
    /// 90th percentile.
    pub p90: i64,
}

/// A model fitted as of a date from a deal history. Serializes (with a `version`, refused
/// on reading unless [`HISTORY_MODEL_VERSION`]) and reads back to an equal model.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::{FiscalCalendar, HistoricalDeal, HistoryModel, HistoryModelSpec, Outcome};
/// use leadcore::Money;
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
/// // Every deal closes 10 days after creation; half are won.
/// let deals: Vec<HistoricalDeal> = (0..40).map(|i| HistoricalDeal {
///     id: format!("O{i}"), owner: None, amount: Money::new(100, "USD"), created: d(1, 1 + i % 20),
///     outcome: Some(Outcome { date: d(1, 11 + i % 20), won: i % 2 == 0, value: if i % 2 == 0 { 100 } else { 0 } }),
///     expected_close: None, stages: vec![],
/// }).collect();
/// let open = HistoricalDeal { id: "X".into(), owner: None, amount: Money::new(1000, "USD"), created: d(2, 5),
///     outcome: None, expected_close: None, stages: vec![] };
/// let all: Vec<_> = deals.into_iter().chain([open]).collect();
/// let model = HistoryModel::fit(&all, d(2, 10), &HistoryModelSpec::plain(), FiscalCalendar::new(1).unwrap()).unwrap();
/// assert_eq!(model.win_rate(), 0.5);
/// // The open deal is 5 days old; it closes at age 10, inside the window: 1000 × 0.5.
/// let w = model.forecast(&all, d(2, 10), d(3, 1), 1000, 7).unwrap();
/// assert_eq!(w.expected, 500.0);
/// assert!(w.p10 == 0 && w.p90 == 1000);
/// let json = serde_json::to_string(&model).unwrap();
/// assert_eq!(serde_json::from_str::<HistoryModel>(&json).unwrap(), model);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawModel")]
pub struct HistoryModel {
    version: u32,
    spec: HistoryModelSpec,
    calendar: FiscalCalendar,
    as_of: NaiveDate,
    currency: Option<String>,
    closed: u64,
    won: u64,
    win_rate: f64,
    realisation: f64,
    /// Survival by age in days: `survival[a]` = P(still open at age `a`).
    survival: Vec<f64>,
    creation_rate: f64,
    /// Amounts of the trailing creations (for drawing new deals' amounts).
    new_amounts: Vec<i64>,
    season: [f64; 3],
    win_spread: f64,
    creation_spread: f64,
    /// Per stage, by name.
    stages: Vec<StageRate>,
    /// Survival by days in the stage, for the stages with `own_timing`.
    stage_survival: BTreeMap<String, Vec<f64>>,
    /// Slips in days, sorted.
    slips: Vec<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    version: u32,
    spec: HistoryModelSpec,
    calendar: FiscalCalendar,
    as_of: NaiveDate,
    currency: Option<String>,
    closed: u64,
    won: u64,
    win_rate: f64,
    realisation: f64,
    survival: Vec<f64>,
    creation_rate: f64,
    new_amounts: Vec<i64>,
    season: [f64; 3],
    win_spread: f64,
    creation_spread: f64,
    stages: Vec<StageRate>,
    stage_survival: BTreeMap<String, Vec<f64>>,
    slips: Vec<i64>,
}

impl TryFrom<RawModel> for HistoryModel {
    type Error = Error;
    fn try_from(r: RawModel) -> Result<Self> {
        if r.version != HISTORY_MODEL_VERSION {
            return Err(crate::error::ErrorKind::UnsupportedVersion {
                what: "history model".into(),
                found: r.version,
                supported: HISTORY_MODEL_VERSION,
            }
            .into());
        }
        r.spec.check()?;
        super::wire::checked(r.calendar)?;
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        let finite = |x: f64| x.is_finite() && x >= 0.0;
        let curve = |c: &[f64]| !c.is_empty() && c.iter().all(|&x| unit(x));
        let ok = curve(&r.survival)
            && r.stage_survival.values().all(|c| curve(c))
            && r.won <= r.closed
            && r.closed > 0
            && unit(r.win_rate)
            && finite(r.realisation)
            && finite(r.creation_rate)
            && finite(r.win_spread)
            && finite(r.creation_spread)
            && r.season.iter().all(|&x| finite(x))
            && r.new_amounts.iter().all(|&a| a >= 0)
            && r.slips.windows(2).all(|w| w[0] <= w[1])
            && r.stages.windows(2).all(|w| w[0].stage < w[1].stage)
            && r.stages.iter().all(|s| {
                unit(s.probability)
                    && s.won <= s.closed
                    && s.raw.is_none_or(unit)
                    && s.own_timing == r.stage_survival.contains_key(&s.stage)
            })
            && r.stage_survival.len() == r.stages.iter().filter(|s| s.own_timing).count();
        if !ok {
            return Err(Error::invalid_input(
                "history model: inconsistent values (a curve or a rate out of range, stages \
                 out of order, slips unsorted)",
            ));
        }
        Ok(HistoryModel {
            version: r.version,
            spec: r.spec,
            calendar: r.calendar,
            as_of: r.as_of,
            currency: r.currency,
            closed: r.closed,
            won: r.won,
            win_rate: r.win_rate,
            realisation: r.realisation,
            survival: r.survival,
            creation_rate: r.creation_rate,
            new_amounts: r.new_amounts,
            season: r.season,
            win_spread: r.win_spread,
            creation_spread: r.creation_spread,
            stages: r.stages,
            stage_survival: r.stage_survival,
            slips: r.slips,
        })
    }
}

/// A product-limit survival curve from `(age, closed)` observations: a close at `age` days
/// (capped at `max_age`), or a deal still open and observed `age` days (capped at
/// `max_age + 1`). `curve[a]` = P(still open at age `a`), `max_age + 2` values.
fn product_limit(obs: impl IntoIterator<Item = (usize, bool)>, max_age: usize) -> Vec<f64> {
    let mut events = vec![0u64; max_age + 1];
    let mut closed_from = vec![0u64; max_age + 2];
    let mut open_from = vec![0u64; max_age + 2];
    for (age, closed) in obs {
        if closed {
            let a = age.min(max_age);
            events[a] += 1;
            closed_from[a] += 1;
        } else {
            open_from[age.min(max_age + 1)] += 1;
        }
    }
    // at risk at age a: closed at an age ≥ a, or open and observed past age a
    let mut survival = Vec::with_capacity(max_age + 2);
    survival.push(1.0);
    let (mut closed_ge, mut open_gt) = (0u64, 0u64);
    let mut risk = vec![0u64; max_age + 1];
    for a in (0..=max_age).rev() {
        closed_ge += closed_from[a];
        open_gt += open_from[a + 1];
        risk[a] = closed_ge + open_gt;
    }
    for a in 0..=max_age {
        let h = if risk[a] > 0 {
            events[a] as f64 / risk[a] as f64
        } else {
            0.0
        };
        let s = survival[a] * (1.0 - h);
        survival.push(s);
    }
    survival
}

/// P(a deal open at age `age` on a curve closes between `o1` and `o2` days from now).
fn curve_p_close(curve: &[f64], age: i64, o1: i64, o2: i64) -> f64 {
    let Some(last) = curve.len().checked_sub(1) else {
        return 0.0;
    };
    let s = |a: i64| curve[(a.max(0) as usize).min(last)];
    let base = s(age);
    if base <= 0.0 {
        return 0.0;
    }
    ((s(age + o1) - s(age + o2)) / base).clamp(0.0, 1.0)
}

/// Nearest-rank quantile of sorted values (at least one).
fn rank_of<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    let n = sorted.len();
    let k = ((q * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1;
    sorted.get(k).copied()
}

/// One stage's tally during the fit.
#[derive(Default)]
struct StageTally {
    closed: u64,
    won: u64,
    open: u64,
    /// `(days from its last entry to the close or to T, closed)`.
    obs: Vec<(usize, bool)>,
}

fn day(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// Standard deviation (n − 1) of at least two values, else 0.
fn spread(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

fn uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal (Box–Muller, one of the pair).
fn normal(rng: &mut Xoshiro256PlusPlus) -> f64 {
    let u = 1.0 - uniform(rng); // (0, 1]
    let v = uniform(rng);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A Poisson draw: sums of Knuth draws of mean at most 16 (Poisson means add).
fn poisson(rng: &mut Xoshiro256PlusPlus, mean: f64) -> u64 {
    let mut left = mean.max(0.0);
    let mut n = 0u64;
    while left > 0.0 {
        let m = left.min(16.0);
        left -= m;
        let limit = (-m).exp();
        let mut prod = uniform(rng);
        while prod > limit {
            n += 1;
            prod *= uniform(rng);
        }
    }
    n
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

impl HistoryModel {
    /// Fits the model as of `as_of` from `deals` (those created before `as_of`; outcomes
    /// dated before it).
    ///
    /// Errors (`input.invalid`, naming the deal): a negative amount or value, an outcome
    /// or an expected close before creation, a stage visit that is blank, before the
    /// creation or the visit before it, or after the close, mixed currencies; no deal closed
    /// before `as_of` (nothing to learn).
    pub fn fit(
        deals: &[HistoricalDeal],
        as_of: NaiveDate,
        spec: &HistoryModelSpec,
        calendar: FiscalCalendar,
    ) -> Result<Self> {
        spec.check()?;
        let currency = check_deals(deals)?;
        let t = day(as_of);
        let max_age = spec.max_age_days as usize;
        let mut pooled: Vec<(usize, bool)> = Vec::with_capacity(deals.len());
        let mut tallies: BTreeMap<&str, StageTally> = BTreeMap::new();
        let mut slips: Vec<i64> = Vec::new();
        let (mut closed, mut won) = (0u64, 0u64);
        let (mut won_value, mut won_amount) = (0f64, 0f64);
        let mut new_amounts = Vec::new();
        let blocks = spec.blocks as usize;
        let block = i64::from(spec.block_days);
        let mut block_created = vec![0u64; blocks];
        let mut block_closes = vec![(0u64, 0u64); blocks]; // (won, closed)
        let block_of = |d: i64| -> Option<usize> {
            let back = t - 1 - d;
            (back >= 0 && back < block * blocks as i64).then(|| (back / block) as usize)
        };
        let mut season_values: BTreeMap<(i32, u8), [f64; 3]> = BTreeMap::new();
        let mut first_close = i64::MAX;
        // per deal: each stage it visited before T with the day of its last entry
        let mut visited: Vec<(&str, i64)> = Vec::new();
        for deal in deals {
            let c = day(deal.created);
            if c >= t {
                continue;
            }
            if let Some(b) = block_of(c) {
                block_created[b] += 1;
            }
            if t - c <= i64::from(spec.trailing_days) {
                new_amounts.push(deal.amount.minor);
            }
            visited.clear();
            for v in deal.stages.iter().rev() {
                let e = day(v.entered);
                if e < t && !visited.iter().any(|(s, _)| *s == v.stage) {
                    visited.push((&v.stage, e));
                }
            }
            match &deal.outcome {
                Some(o) if day(o.date) < t => {
                    let close = day(o.date);
                    pooled.push(((close - c) as usize, true));
                    closed += 1;
                    first_close = first_close.min(close);
                    for &(s, e) in &visited {
                        let tally = tallies.entry(s).or_default();
                        tally.closed += 1;
                        tally.won += u64::from(o.won);
                        tally.obs.push(((close - e).max(0) as usize, true));
                    }
                    if let Some(x) = deal.expected_close {
                        slips.push(close - day(x));
                    }
                    if let Some(b) = block_of(close) {
                        block_closes[b].1 += 1;
                        block_closes[b].0 += u64::from(o.won);
                    }
                    if o.won {
                        won += 1;
                        won_value += o.value as f64;
                        won_amount += deal.amount.minor as f64;
                        let fd = calendar.period_of(o.date)?;
                        season_values.entry((fd.year, fd.quarter)).or_default()
                            [usize::from((fd.period - 1) % 3)] += o.value as f64;
                    }
                }
                _ => {
                    pooled.push(((t - c) as usize, false));
                    // the current stage is the last entered: the first in `visited`
                    for (k, &(s, e)) in visited.iter().enumerate() {
                        let tally = tallies.entry(s).or_default();
                        tally.open += u64::from(k == 0);
                        tally.obs.push(((t - e) as usize, false));
                    }
                }
            }
        }
        if closed == 0 {
            return Err(Error::invalid_input(format!(
                "history model: no deal closed before {as_of}: nothing to learn from"
            )));
        }
        let survival = product_limit(pooled, max_age);
        let win_rate = won as f64 / closed as f64;
        let realisation = if won_amount > 0.0 {
            won_value / won_amount
        } else {
            1.0
        };
        let mut season = [1.0; 3];
        if spec.seasonality {
            let mut sum = [0.0; 3];
            let mut quarters = 0u32;
            for (&(year, quarter), v) in &season_values {
                let key = super::PeriodKey {
                    year,
                    granularity: super::Granularity::Quarter,
                    index: quarter,
                };
                let (start, end) = calendar.bounds(key)?;
                // whole quarters of a running pipeline: after the first close, before `T`
                if day(start) >= first_close && day(end) < t && v.iter().all(|&x| x > 0.0) {
                    let mean = v.iter().sum::<f64>() / 3.0;
                    for (s, x) in sum.iter_mut().zip(v) {
                        *s += x / mean;
                    }
                    quarters += 1;
                }
            }
            if quarters > 0 {
                season = sum.map(|s| s / f64::from(quarters));
            }
        }
        let (mut win_spread, mut creation_spread) = (0.0, 0.0);
        if spec.rate_spread {
            let logits: Vec<f64> = block_closes
                .iter()
                .filter(|(_, n)| *n >= u64::from(spec.min_block_closes.max(1)))
                .map(|&(w, n)| {
                    // a block all won or all lost is pulled half a deal in
                    let p = (w as f64).clamp(0.5, n as f64 - 0.5) / n as f64;
                    logit(p)
                })
                .collect();
            win_spread = spread(&logits);
            let logs: Vec<f64> = block_created
                .iter()
                .filter(|&&n| n > 0)
                .map(|&n| (n as f64).ln())
                .collect();
            creation_spread = spread(&logs);
        }
        let k = spec.stage_prior;
        let mut stage_survival = BTreeMap::new();
        let stages = tallies
            .into_iter()
            .map(|(name, tally)| {
                let own_timing = tally.closed >= u64::from(spec.min_stage_closes.max(1));
                if own_timing {
                    stage_survival.insert(name.to_owned(), product_limit(tally.obs, max_age));
                }
                let weight = tally.closed as f64 + k;
                StageRate {
                    stage: name.to_owned(),
                    closed: tally.closed,
                    won: tally.won,
                    open: tally.open,
                    raw: (tally.closed > 0).then(|| tally.won as f64 / tally.closed as f64),
                    // no close of its own: exactly the overall rate (k·p/k rounds)
                    probability: if tally.closed > 0 && weight > 0.0 {
                        ((tally.won as f64 + k * win_rate) / weight).clamp(0.0, 1.0)
                    } else {
                        win_rate
                    },
                    own_timing,
                }
            })
            .collect();
        slips.sort_unstable();
        Ok(HistoryModel {
            version: HISTORY_MODEL_VERSION,
            stages,
            stage_survival,
            slips,
            creation_rate: new_amounts.len() as f64 / f64::from(spec.trailing_days),
            spec: spec.clone(),
            calendar,
            as_of,
            currency,
            closed,
            won,
            win_rate,
            realisation,
            survival,
            new_amounts,
            season,
            win_spread,
            creation_spread,
        })
    }

    /// The date the model was fitted as of.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The deals' one currency (`None` when fitted from no deal).
    pub fn currency(&self) -> Option<&str> {
        self.currency.as_deref()
    }

    /// Won ÷ closed before the fit date.
    pub fn win_rate(&self) -> f64 {
        self.win_rate
    }

    /// Deals closed before the fit date (won, all).
    pub fn closed(&self) -> (u64, u64) {
        (self.won, self.closed)
    }

    /// Won value ÷ the won deals' expected amounts.
    pub fn realisation(&self) -> f64 {
        self.realisation
    }

    /// New deals per day over the trailing days.
    pub fn creation_rate(&self) -> f64 {
        self.creation_rate
    }

    /// Seasonal index of the 1st, 2nd and 3rd period of a fiscal quarter.
    pub fn season(&self) -> [f64; 3] {
        self.season
    }

    /// Standard deviations of the block win rates' logits and of the block creation counts'
    /// logs.
    pub fn spreads(&self) -> (f64, f64) {
        (self.win_spread, self.creation_spread)
    }

    /// What the model learned per stage, by name.
    pub fn stages(&self) -> &[StageRate] {
        &self.stages
    }

    /// The close-date slips learned (`None` when no closed deal had an expected close).
    pub fn slips(&self) -> Option<SlipSummary> {
        let n = self.slips.len();
        let q = |x| rank_of(&self.slips, x);
        Some(SlipSummary {
            count: n as u64,
            used: self.slips_used(),
            mean_days: self.slips.iter().map(|&x| x as f64).sum::<f64>() / n.max(1) as f64,
            p10: q(0.1)?,
            p25: q(0.25)?,
            p50: q(0.5)?,
            p75: q(0.75)?,
            p90: q(0.9)?,
        })
    }

    fn slips_used(&self) -> bool {
        !self.slips.is_empty() && self.slips.len() >= self.spec.min_slips as usize
    }

    /// The format version ([`HISTORY_MODEL_VERSION`]).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// P(a deal open at age `age` closes between `o1` and `o2` days from the fit date).
    fn p_close(&self, age: i64, o1: i64, o2: i64) -> f64 {
        curve_p_close(&self.survival, age, o1, o2)
    }

    /// P(a deal expected to close `e` days from the fit date, open at it, closes between
    /// `o1` and `o2` days from it), its close drawn as `e + slip` over the slips with
    /// `e + slip ≥ 0`; `None` when no slip is that late.
    fn p_slip(&self, e: i64, o1: i64, o2: i64) -> Option<f64> {
        let at = |x: i64| self.slips.partition_point(|&s| s < x);
        let k0 = at(-e);
        let valid = self.slips.len() - k0;
        if valid == 0 {
            return None;
        }
        let (k1, k2) = (at((o1 - e).max(-e)).max(k0), at(o2 - e).max(k0));
        Some((k2.saturating_sub(k1)) as f64 / valid as f64)
    }

    /// The index in `stages` of a deal's current stage at the fit date, and the day it
    /// entered it.
    fn current_stage(&self, d: &HistoricalDeal, t: i64) -> Option<(usize, i64)> {
        let v = d.stages.iter().rev().find(|v| day(v.entered) < t)?;
        let i = self
            .stages
            .binary_search_by(|s| s.stage.as_str().cmp(&v.stage))
            .ok()?;
        Some((i, day(v.entered)))
    }

    fn window(&self, from: NaiveDate, to: NaiveDate) -> Result<(i64, i64, f64)> {
        if from < self.as_of || to <= from {
            return Err(Error::invalid_input(format!(
                "forecast window [{from}, {to}) must be non-empty and start on or after the \
                 fit date {}",
                self.as_of
            )));
        }
        let (o1, o2) = (day(from) - day(self.as_of), day(to) - day(self.as_of));
        if o2 > 36_600 {
            return Err(Error::invalid_input(
                "forecast window ends over 100 years out",
            ));
        }
        let mut season = 1.0;
        if self.spec.seasonality {
            let mut sum = 0.0;
            let mut d = from;
            while d < to {
                let fd = self.calendar.period_of(d)?;
                sum += self.season[usize::from((fd.period - 1) % 3)];
                d = d
                    .succ_opt()
                    .ok_or_else(|| Error::invalid_input("date out of range"))?;
            }
            season = sum / (o2 - o1) as f64;
        }
        Ok((o1, o2, season))
    }

    /// The open deals at the fit date (in `deals` order), with the chance each closes in the
    /// window and the index of its win probability (`stages.len()`: the overall rate):
    /// `(owner, amount, p_close, stage)`.
    fn open_deals<'d>(
        &self,
        deals: &'d [HistoricalDeal],
        o1: i64,
        o2: i64,
    ) -> Vec<(Option<&'d str>, i64, f64, usize)> {
        let t = day(self.as_of);
        let slips = self.slips_used();
        deals
            .iter()
            .filter(|d| day(d.created) < t && d.outcome.as_ref().is_none_or(|o| day(o.date) >= t))
            .map(|d| {
                let stage = self.current_stage(d, t);
                let by_slip = d
                    .expected_close
                    .filter(|_| slips)
                    .and_then(|x| self.p_slip(day(x) - t, o1, o2));
                let curve = stage.and_then(|(i, e)| {
                    let name = &self.stages.get(i)?.stage;
                    Some((self.stage_survival.get(name)?, e))
                });
                let p = match (by_slip, curve) {
                    (Some(p), _) => p,
                    (None, Some((curve, e))) => curve_p_close(curve, t - e, o1, o2),
                    (None, None) => self.p_close(t - day(d.created), o1, o2),
                };
                (
                    d.owner.as_deref(),
                    d.amount.minor,
                    p,
                    stage.map_or(self.stages.len(), |s| s.0),
                )
            })
            .collect()
    }

    /// Win probability per stage index, and the overall rate last.
    fn stage_probabilities(&self) -> Vec<f64> {
        self.stages
            .iter()
            .map(|s| s.probability)
            .chain([self.win_rate])
            .collect()
    }

    /// Expected number of deals created in `[0, o2)` days from the fit date that close in
    /// `[o1, o2)`.
    fn new_closing(&self, o1: i64, o2: i64) -> f64 {
        if !self.spec.new_deals {
            return 0.0;
        }
        let per_day: f64 = (0..o2)
            .map(|c| self.p_close(0, (o1 - c).max(0), o2 - c))
            .sum();
        self.creation_rate * per_day
    }

    /// The expected won value of `[from, to)` per owner (deals without an owner under
    /// `""`); deals not yet created are shared by each owner's part of the trailing creations.
    pub fn expected_by_owner(
        &self,
        deals: &[HistoricalDeal],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeMap<String, f64>> {
        check_same_currency(deals, self.currency.as_deref())?;
        let (o1, o2, season) = self.window(from, to)?;
        let k = self.win_rate * self.realisation * season;
        let probs = self.stage_probabilities();
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        for (owner, amount, p, s) in self.open_deals(deals, o1, o2) {
            let win = probs.get(s).copied().unwrap_or(self.win_rate);
            *out.entry(owner.unwrap_or("").to_owned()).or_default() +=
                amount as f64 * p * win * self.realisation * season;
        }
        if self.spec.new_deals && !self.new_amounts.is_empty() {
            let t = day(self.as_of);
            let trailing = i64::from(self.spec.trailing_days);
            let mut share: BTreeMap<&str, f64> = BTreeMap::new();
            for d in deals {
                let c = day(d.created);
                if c < t && t - c <= trailing {
                    *share.entry(d.owner.as_deref().unwrap_or("")).or_default() +=
                        d.amount.minor as f64;
                }
            }
            let total: f64 = share.values().sum();
            let new_value = self.new_closing(o1, o2) * self.mean_new_amount() * k;
            if total > 0.0 {
                for (owner, s) in share {
                    *out.entry(owner.to_owned()).or_default() += new_value * s / total;
                }
            }
        }
        Ok(out)
    }

    fn mean_new_amount(&self) -> f64 {
        if self.new_amounts.is_empty() {
            0.0
        } else {
            self.new_amounts.iter().map(|&a| a as f64).sum::<f64>() / self.new_amounts.len() as f64
        }
    }

    /// Forecasts the won value of `[from, to)` (`from` on or after the fit date): the
    /// expectation and `trials` seeded trials (1..=1,000,000).
    ///
    /// Errors (`input.invalid`): a window that is empty or starts before the fit date, no
    /// trials or too many, deals in another currency than the history.
    pub fn forecast(
        &self,
        deals: &[HistoricalDeal],
        from: NaiveDate,
        to: NaiveDate,
        trials: u32,
        seed: u64,
    ) -> Result<WindowForecast> {
        if trials == 0 || trials > 1_000_000 {
            return Err(Error::invalid_input(format!(
                "trials must be 1..=1000000, got {trials}"
            )));
        }
        check_same_currency(deals, self.currency.as_deref())?;
        let (o1, o2, season) = self.window(from, to)?;
        let open = self.open_deals(deals, o1, o2);
        let r = self.realisation;
        let probs = self.stage_probabilities();
        let prob = |s: usize| probs.get(s).copied().unwrap_or(self.win_rate);
        let from_pipeline: f64 = open
            .iter()
            .map(|&(_, a, p, s)| a as f64 * p * prob(s) * r)
            .sum();
        let new_closing = self.new_closing(o1, o2);
        let from_new_deals = new_closing * self.mean_new_amount() * self.win_rate * r;
        let expected = (from_pipeline + from_new_deals) * season;
        // per-trial spreads shrink for windows longer than a block
        let scale = (f64::from(self.spec.block_days) / ((o2 - o1) as f64))
            .min(1.0)
            .sqrt();
        let (sw, sc) = (self.win_spread * scale, self.creation_spread * scale);
        // the overall rate is last, as in `probs`
        let logits: Vec<f64> = probs
            .iter()
            .map(|&p| logit(p.clamp(1e-9, 1.0 - 1e-9)))
            .collect();
        let mut shifted = probs.clone();
        let overall = probs.len() - 1;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut totals = Vec::with_capacity(trials as usize);
        let realise = |a: i64| (a as f64 * r).round();
        for _ in 0..trials {
            let (zw, zc) = (normal(&mut rng), normal(&mut rng));
            if sw > 0.0 {
                for (p, l) in shifted.iter_mut().zip(&logits) {
                    *p = 1.0 / (1.0 + (-(l + zw * sw)).exp());
                }
            }
            let p = shifted.get(overall).copied().unwrap_or(self.win_rate);
            let mut total = 0f64;
            for &(_, a, pc, s) in &open {
                let closes = uniform(&mut rng) < pc;
                let wins = uniform(&mut rng) < shifted.get(s).copied().unwrap_or(p);
                if closes && wins {
                    total += realise(a);
                }
            }
            if new_closing > 0.0 && !self.new_amounts.is_empty() {
                let rate = if sc > 0.0 {
                    (zc * sc - sc * sc / 2.0).exp()
                } else {
                    1.0
                };
                let n = poisson(&mut rng, new_closing * rate * p);
                for _ in 0..n {
                    let i = (uniform(&mut rng) * self.new_amounts.len() as f64) as usize;
                    total += realise(self.new_amounts[i.min(self.new_amounts.len() - 1)]);
                }
            }
            totals.push((total * season).round() as i64);
        }
        let mean = totals.iter().map(|&v| v as f64).sum::<f64>() / f64::from(trials);
        totals.sort_unstable();
        let n = totals.len();
        let rank = |q: f64| totals[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
        Ok(WindowForecast {
            from,
            to,
            expected,
            from_pipeline,
            from_new_deals,
            season,
            mean,
            p10: rank(0.1),
            p50: rank(0.5),
            p90: rank(0.9),
        })
    }
}

/// Checks every deal; gives the one currency (None for no deal).
fn check_deals(deals: &[HistoricalDeal]) -> Result<Option<String>> {
    let mut currency: Option<&str> = None;
    for d in deals {
        let bad = |what: &str| Err(Error::invalid_input(format!("deal {}: {what}", d.id)));
        if d.amount.minor < 0 {
            return bad("negative amount");
        }
        match currency {
            Some(c) if c != d.amount.currency => {
                return bad(&format!(
                    "currency {} mixed with {c} without exchange rates",
                    d.amount.currency
                ));
            }
            _ => currency = Some(&d.amount.currency),
        }
        if let Some(o) = &d.outcome {
            if o.date < d.created {
                return bad(&format!(
                    "closed {} before its creation {}",
                    o.date, d.created
                ));
            }
            if o.value < 0 {
                return bad("negative won value");
            }
            if !o.won && o.value != 0 {
                return bad("a lost deal with a won value");
            }
        }
        if let Some(x) = d.expected_close
            && x < d.created
        {
            return bad(&format!(
                "expected to close {x} before its creation {}",
                d.created
            ));
        }
        let mut last = d.created;
        for (k, v) in d.stages.iter().enumerate() {
            if v.stage.trim().is_empty() {
                return bad(&format!("stages[{k}]: blank stage name"));
            }
            if v.entered < last {
                return bad(&format!(
                    "stages[{k}]: entered `{}` on {}, before its creation or the stage before",
                    v.stage, v.entered
                ));
            }
            if let Some(o) = &d.outcome
                && v.entered > o.date
            {
                return bad(&format!(
                    "stages[{k}]: entered `{}` on {}, after its close {}",
                    v.stage, v.entered, o.date
                ));
            }
            last = v.entered;
        }
    }
    Ok(currency.map(str::to_owned))
}

fn check_same_currency(deals: &[HistoricalDeal], currency: Option<&str>) -> Result<()> {
    let c = check_deals(deals)?;
    match (c.as_deref(), currency) {
        (Some(a), Some(b)) if a != b => Err(Error::invalid_input(format!(
            "deals in {a} for a model fitted in {b}"
        ))),
        _ => Ok(()),
    }
}
