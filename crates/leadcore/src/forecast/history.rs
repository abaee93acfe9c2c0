//! A forecast model learned from closed history: win rate, time to close, the flow of deals
//! not yet created, seasonality within the fiscal quarter, and how much those rates move
//! from month to month, so its intervals carry the uncertainty a plain Monte Carlo over
//! independent open deals leaves out.
//!
//! Fitted as of a date `T` from the deals created before `T`, seeing only outcomes dated
//! before `T`:
//! - **win rate** `p`: won ÷ closed; **realisation**: won value ÷ the won deals' amounts;
//! - **time to close**: a product-limit (Kaplan–Meier) hazard per day of age, from creation to
//!   close (won or lost), deals still open at `T` counted as censored; past the oldest age
//!   seen the hazard is zero (a deal that old is not expected to close);
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
//! the window's days. The simulation draws, per trial, one win rate and one creation rate
//! from the spreads (shared by every deal of the window: their correlation), then each open
//! deal's close and win, and a Poisson number of new deals won with amounts drawn from the
//! trailing ones. Seeded (`Xoshiro256PlusPlus`): the same numbers on every platform.

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
/// its creation date, its owner and, once closed, its outcome.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::{forecast::HistoricalDeal, Money};
/// let d: HistoricalDeal = serde_json::from_str(r#"{"id":"O1","owner":"Ann","amount":{"minor":1000,"currency":"USD"},
///   "created":"2017-01-02","outcome":{"date":"2017-02-01","won":true,"value":950}}"#).unwrap();
/// assert_eq!(d.outcome.unwrap().value, 950);
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
}

/// Settings of the historical model; the defaults are what the Maven backtest uses.
///
/// ```
/// let s = leadcore::forecast::HistoryModelSpec::default();
/// assert_eq!((s.trailing_days, s.block_days, s.blocks), (91, 30, 6));
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
            && u64::from(self.blocks) * u64::from(self.block_days) <= 36_600;
        if ok {
            Ok(())
        } else {
            Err(Error::invalid_input(
                "history model: trailing_days, block_days and max_age_days must be 1..=36600 \
                 and blocks × block_days at most 36600",
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

/// A model fitted as of a date from a deal history.
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
/// }).collect();
/// let open = HistoricalDeal { id: "X".into(), owner: None, amount: Money::new(1000, "USD"), created: d(2, 5), outcome: None };
/// let all: Vec<_> = deals.into_iter().chain([open]).collect();
/// let model = HistoryModel::fit(&all, d(2, 10), &HistoryModelSpec::plain(), FiscalCalendar::new(1).unwrap()).unwrap();
/// assert_eq!(model.win_rate(), 0.5);
/// // The open deal is 5 days old; it closes at age 10, inside the window: 1000 × 0.5.
/// let w = model.forecast(&all, d(2, 10), d(3, 1), 1000, 7).unwrap();
/// assert_eq!(w.expected, 500.0);
/// assert!(w.p10 == 0 && w.p90 == 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryModel {
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
    /// before creation, mixed currencies; no deal closed before `as_of` (nothing to learn).
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
        let mut events = vec![0u64; max_age + 1];
        let mut closed_from = vec![0u64; max_age + 2]; // closed deals by close age
        let mut open_from = vec![0u64; max_age + 2]; // open deals by observed age
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
            match &deal.outcome {
                Some(o) if day(o.date) < t => {
                    let age = ((day(o.date) - c) as usize).min(max_age);
                    events[age] += 1;
                    closed_from[age] += 1;
                    closed += 1;
                    first_close = first_close.min(day(o.date));
                    if let Some(b) = block_of(day(o.date)) {
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
                _ => open_from[((t - c) as usize).min(max_age + 1)] += 1,
            }
        }
        if closed == 0 {
            return Err(Error::invalid_input(format!(
                "history model: no deal closed before {as_of}: nothing to learn from"
            )));
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
        Ok(HistoryModel {
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

    /// P(a deal open at age `age` closes between `o1` and `o2` days from the fit date).
    fn p_close(&self, age: i64, o1: i64, o2: i64) -> f64 {
        let s = |a: i64| {
            let i = (a.max(0) as usize).min(self.survival.len() - 1);
            self.survival[i]
        };
        let base = s(age);
        if base <= 0.0 {
            return 0.0;
        }
        ((s(age + o1) - s(age + o2)) / base).clamp(0.0, 1.0)
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
    /// window: `(owner, amount, p_close)`.
    fn open_deals<'d>(
        &self,
        deals: &'d [HistoricalDeal],
        o1: i64,
        o2: i64,
    ) -> Vec<(Option<&'d str>, i64, f64)> {
        let t = day(self.as_of);
        deals
            .iter()
            .filter(|d| day(d.created) < t && d.outcome.as_ref().is_none_or(|o| day(o.date) >= t))
            .map(|d| {
                (
                    d.owner.as_deref(),
                    d.amount.minor,
                    self.p_close(t - day(d.created), o1, o2),
                )
            })
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
        let mut out: BTreeMap<String, f64> = BTreeMap::new();
        for (owner, amount, p) in self.open_deals(deals, o1, o2) {
            *out.entry(owner.unwrap_or("").to_owned()).or_default() += amount as f64 * p * k;
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
        let from_pipeline: f64 = open
            .iter()
            .map(|&(_, a, p)| a as f64 * p * self.win_rate * r)
            .sum();
        let new_closing = self.new_closing(o1, o2);
        let from_new_deals = new_closing * self.mean_new_amount() * self.win_rate * r;
        let expected = (from_pipeline + from_new_deals) * season;
        // per-trial spreads shrink for windows longer than a block
        let scale = (f64::from(self.spec.block_days) / ((o2 - o1) as f64))
            .min(1.0)
            .sqrt();
        let (sw, sc) = (self.win_spread * scale, self.creation_spread * scale);
        let base_logit = logit(self.win_rate.clamp(1e-9, 1.0 - 1e-9));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut totals = Vec::with_capacity(trials as usize);
        let realise = |a: i64| (a as f64 * r).round();
        for _ in 0..trials {
            let (zw, zc) = (normal(&mut rng), normal(&mut rng));
            let p = if sw > 0.0 {
                1.0 / (1.0 + (-(base_logit + zw * sw)).exp())
            } else {
                self.win_rate
            };
            let mut total = 0f64;
            for &(_, a, pc) in &open {
                let closes = uniform(&mut rng) < pc;
                let wins = uniform(&mut rng) < p;
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
