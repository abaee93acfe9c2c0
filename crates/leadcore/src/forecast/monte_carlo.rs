//! Seeded Monte Carlo over open deals: each deal closes in its span with its probability.
//!
//! Determinism: trials run in fixed chunks of [`CHUNK_TRIALS`]. Chunk `k` draws from its own
//! `Xoshiro256PlusPlus` stream, the generator seeded from `seed` then jumped `k × 2^128`
//! steps, so chunks never overlap. Every trial's total is a function of `(seed, trial)` alone;
//! chunks are combined in chunk order and quantiles read from the sorted totals, so any thread
//! count gives the same numbers, bit for bit, on any platform (integer sums, and a uniform
//! built from the top 53 bits of a `u64`).

use super::calendar::{FiscalCalendar, Granularity, PeriodKey};
use super::category::{Category, CategoryMap};
use super::pipeline::ForecastDeal;
use crate::error::{Error, Result};
use crate::model::Money;
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Trials per chunk: fixed, so results never depend on how chunks are spread over threads.
pub const CHUNK_TRIALS: u32 = 1024;

/// Most trials one run accepts.
pub const MAX_TRIALS: u32 = 10_000_000;

/// A quota for one fiscal span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    /// The span (same granularity as the run).
    pub period: PeriodKey,
    /// The target.
    pub amount: Money,
}

/// What to simulate: how many trials, the seed, and quotas to test against.
///
/// ```
/// let spec: leadcore::forecast::MonteCarloSpec = serde_json::from_str(r#"{"trials": 5000, "seed": 7}"#).unwrap();
/// assert!(spec.quotas.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonteCarloSpec {
    /// Number of trials, 1..=[`MAX_TRIALS`].
    pub trials: u32,
    /// Seed of the random streams.
    pub seed: u64,
    /// Quotas; each span with a quota gets the probability of reaching it.
    #[serde(default)]
    pub quotas: Vec<Quota>,
}

/// The simulated distribution of one span's closed-won total (minor units).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodForecast {
    /// The fiscal span.
    pub period: PeriodKey,
    /// Already closed (category `Closed`), counted in every trial.
    pub closed: i64,
    /// Exact expectation: closed + Σ amount × probability over open deals.
    pub expected: f64,
    /// Mean over the trials.
    pub mean: f64,
    /// 10th percentile (nearest rank).
    pub p10: i64,
    /// Median (nearest rank).
    pub p50: i64,
    /// 90th percentile (nearest rank).
    pub p90: i64,
    /// The quota, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<i64>,
    /// Share of trials whose total reaches the quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_reach_quota: Option<f64>,
}

/// A Monte Carlo forecast: one entry per span holding a deal or a quota, in span order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarloForecast {
    /// The seed used.
    pub seed: u64,
    /// Trials run.
    pub trials: u32,
    /// The currency of every amount (`None` when there was nothing to simulate).
    pub currency: Option<String>,
    /// Per span.
    pub periods: Vec<PeriodForecast>,
}

/// Open deals prepared for simulation.
struct Prepared {
    periods: Vec<PeriodKey>,
    closed: Vec<i64>,
    /// (span index, amount, probability)
    open: Vec<(usize, i64, f64)>,
}

/// The Monte Carlo engine: a calendar, the span granularity and the stage → category map.
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::{Category, CategoryMap, FiscalCalendar, ForecastDeal, Granularity, MonteCarlo, MonteCarloSpec};
/// use leadcore::Money;
/// let mc = MonteCarlo::new(FiscalCalendar::new(1).unwrap(), Granularity::Quarter, CategoryMap::new(Category::Pipeline));
/// let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
/// let deals: Vec<_> = (0..20).map(|i| ForecastDeal::new(format!("O{i}"), Money::new(100, "USD"), day, "Open", 0.5)).collect();
/// let spec = MonteCarloSpec { trials: 4000, seed: 42, quotas: vec![] };
/// let one = mc.simulate(&deals, &spec, 1).unwrap();
/// assert_eq!(one, mc.simulate(&deals, &spec, 4).unwrap()); // any thread count
/// let q1 = &one.periods[0];
/// assert!(q1.p10 <= q1.p50 && q1.p50 <= q1.p90);
/// assert_eq!(q1.expected, 1000.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonteCarlo {
    calendar: FiscalCalendar,
    granularity: Granularity,
    categories: CategoryMap,
}

/// Uniform in `[0, 1)` from the top 53 bits.
fn uniform(rng: &mut Xoshiro256PlusPlus) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn overflow() -> Error {
    Error::invalid_input("Monte Carlo totals overflow i64 minor units")
}

impl MonteCarlo {
    /// An engine over `calendar` spans of `granularity`.
    pub fn new(
        calendar: FiscalCalendar,
        granularity: Granularity,
        categories: CategoryMap,
    ) -> Self {
        MonteCarlo {
            calendar,
            granularity,
            categories,
        }
    }

    fn prepare(
        &self,
        deals: &[ForecastDeal],
        spec: &MonteCarloSpec,
    ) -> Result<(Prepared, Option<String>)> {
        let mut currency: Option<String> = None;
        let mut check_currency = |c: &str| -> Result<()> {
            match &currency {
                Some(have) if have != c => Err(Error::invalid_input(format!(
                    "mixed currencies without exchange rates: {have}, {c}"
                ))),
                Some(_) => Ok(()),
                None => {
                    currency = Some(c.to_owned());
                    Ok(())
                }
            }
        };
        let mut spans: BTreeMap<PeriodKey, (i64, i64)> = BTreeMap::new(); // (closed, max total)
        let mut placed = Vec::with_capacity(deals.len());
        for d in deals {
            d.validate()?;
            let category = self.categories.category(&d.stage, d.category_override);
            if category == Category::Omitted {
                continue;
            }
            check_currency(&d.amount.currency)?;
            let period = self.calendar.key_of(d.close_date, self.granularity)?;
            let span = spans.entry(period).or_default();
            span.1 = span.1.checked_add(d.amount.minor).ok_or_else(overflow)?;
            if category == Category::Closed {
                span.0 += d.amount.minor; // bounded by the max total above
            } else {
                placed.push((period, d.amount.minor, d.probability));
            }
        }
        for q in &spec.quotas {
            if q.period.granularity != self.granularity {
                return Err(Error::invalid_input(format!(
                    "quota for a {:?} span in a {:?} forecast",
                    q.period.granularity, self.granularity
                )));
            }
            if q.amount.minor < 0 {
                return Err(Error::invalid_input("negative quota"));
            }
            check_currency(&q.amount.currency)?;
            self.calendar.bounds(q.period)?;
            spans.entry(q.period).or_default();
        }
        let periods: Vec<PeriodKey> = spans.keys().copied().collect();
        let closed = spans.values().map(|s| s.0).collect();
        let index: BTreeMap<PeriodKey, usize> =
            periods.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let open = placed
            .into_iter()
            .filter_map(|(p, a, pr)| index.get(&p).map(|&i| (i, a, pr)))
            .collect();
        Ok((
            Prepared {
                periods,
                closed,
                open,
            },
            currency,
        ))
    }

    /// Runs chunk `k`: `n` trials, totals laid out span-major (`[span][trial]`).
    fn run_chunk(prep: &Prepared, seed: u64, k: u32, n: u32) -> Vec<i64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        rng.jump_ce(u64::from(k), 128);
        let n = n as usize;
        let mut out = vec![0i64; prep.periods.len() * n];
        for t in 0..n {
            for (s, &c) in prep.closed.iter().enumerate() {
                if let Some(v) = out.get_mut(s * n + t) {
                    *v = c;
                }
            }
            for &(s, amount, p) in &prep.open {
                if uniform(&mut rng) < p
                    && let Some(v) = out.get_mut(s * n + t)
                {
                    *v += amount; // bounded: the span's total was checked in prepare
                }
            }
        }
        out
    }

    /// Simulates `spec.trials` trials on `threads` threads (0 or 1: the calling thread). The
    /// result depends on the deals and the spec only, never on `threads`.
    ///
    /// Errors (`input.invalid`): invalid deals, mixed currencies, no trials or more than
    /// [`MAX_TRIALS`], a quota of another granularity. No deal and no quota gives no spans.
    pub fn simulate(
        &self,
        deals: &[ForecastDeal],
        spec: &MonteCarloSpec,
        threads: usize,
    ) -> Result<MonteCarloForecast> {
        if spec.trials == 0 || spec.trials > MAX_TRIALS {
            return Err(Error::invalid_input(format!(
                "trials must be 1..={MAX_TRIALS}, got {}",
                spec.trials
            )));
        }
        let (prep, currency) = self.prepare(deals, spec)?;
        let chunks = spec.trials.div_ceil(CHUNK_TRIALS);
        let size = |k: u32| CHUNK_TRIALS.min(spec.trials - k * CHUNK_TRIALS);
        let threads = threads.clamp(1, chunks as usize);
        let results: Vec<Vec<i64>> = if threads == 1 {
            (0..chunks)
                .map(|k| Self::run_chunk(&prep, spec.seed, k, size(k)))
                .collect()
        } else {
            let mut slots: Vec<Option<Vec<i64>>> = vec![None; chunks as usize];
            let parts: Vec<Vec<(u32, Vec<i64>)>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|w| {
                        let prep = &prep;
                        scope.spawn(move || {
                            (0..chunks)
                                .filter(|k| *k as usize % threads == w)
                                .map(|k| (k, Self::run_chunk(prep, spec.seed, k, size(k))))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            });
            for (k, r) in parts.into_iter().flatten() {
                if let Some(slot) = slots.get_mut(k as usize) {
                    *slot = Some(r);
                }
            }
            slots
                .into_iter()
                .map(|s| s.ok_or_else(|| Error::invalid_input("a Monte Carlo worker failed")))
                .collect::<Result<_>>()?
        };
        let quotas: BTreeMap<PeriodKey, i64> = spec
            .quotas
            .iter()
            .map(|q| (q.period, q.amount.minor))
            .collect();
        let mut periods = Vec::with_capacity(prep.periods.len());
        for (s, &period) in prep.periods.iter().enumerate() {
            let mut totals: Vec<i64> = Vec::with_capacity(spec.trials as usize);
            for (k, r) in results.iter().enumerate() {
                let n = size(k as u32) as usize;
                totals.extend(r.iter().skip(s * n).take(n));
            }
            let sum: i128 = totals.iter().map(|&v| i128::from(v)).sum();
            let n = totals.len().max(1);
            let mean = sum as f64 / n as f64;
            totals.sort_unstable();
            let rank = |q: f64| {
                let i = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
                totals.get(i).copied().unwrap_or(0)
            };
            let closed = prep.closed.get(s).copied().unwrap_or(0);
            let expected = closed as f64
                + prep
                    .open
                    .iter()
                    .filter(|o| o.0 == s)
                    .map(|o| o.1 as f64 * o.2)
                    .sum::<f64>();
            let quota = quotas.get(&period).copied();
            let p_reach_quota =
                quota.map(|q| totals.iter().filter(|&&v| v >= q).count() as f64 / n as f64);
            periods.push(PeriodForecast {
                period,
                closed,
                expected,
                mean,
                p10: rank(0.1),
                p50: rank(0.5),
                p90: rank(0.9),
                quota,
                p_reach_quota,
            });
        }
        Ok(MonteCarloForecast {
            seed: spec.seed,
            trials: spec.trials,
            currency,
            periods,
        })
    }
}
