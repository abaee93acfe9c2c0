//! Backtest: forecasts made as of past dates from what was known then, scored against what
//! happened.
//!
//! For each as-of date (the first of `count` months from `first`, every `step_months`), the
//! window is `[as_of, as_of + window_months)` and the actual is the won value of the deals
//! closed in it. Each method sees only deals created before the as-of date and outcomes
//! dated before it:
//! - `fixed_40`: `fixed_probability` (0.4) × the open deals' amounts (no interval);
//! - `win_rate`: the learned win rate × the open deals' amounts (no timing, no interval);
//! - `plain_monte_carlo`: [`HistoryModelSpec::plain`], open deals closing independently;
//! - `historical`: the model as specified (deals not yet created, rate spread, season).
//!
//! Scores per method: MAPE of the point (the expectation), the pinball loss at 0.1, 0.5 and
//! 0.9 (relative to the actual, averaged), and how often P10 ≤ actual ≤ P90. Per rep, the
//! historical model's bias: Σ expected ÷ Σ actual − 1 over the windows (positive: the
//! pipeline promised more than came, "happy ears"; negative: "sandbagging").

use super::calendar::FiscalCalendar;
use super::history::{HistoricalDeal, HistoryModel, HistoryModelSpec};
use crate::error::{Error, Result};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What to backtest.
///
/// ```
/// let s: leadcore::forecast::BacktestSpec = serde_json::from_str(
///     r#"{"first": "2017-04-01", "count": 7, "window_months": 3}"#).unwrap();
/// assert_eq!((s.trials, s.fixed_probability), (2000, 0.4));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestSpec {
    /// The first as-of date.
    pub first: NaiveDate,
    /// How many as-of dates.
    pub count: u32,
    /// Months between as-of dates.
    #[serde(default = "one")]
    pub step_months: u32,
    /// Months in each window.
    pub window_months: u32,
    /// Trials per window.
    #[serde(default = "trials")]
    pub trials: u32,
    /// Seed (window `k` uses `seed + k`).
    #[serde(default)]
    pub seed: u64,
    /// The probability of the fixed weighted pipeline.
    #[serde(default = "forty")]
    pub fixed_probability: f64,
    /// The historical model's settings.
    #[serde(default)]
    pub model: HistoryModelSpec,
    /// The fiscal calendar (for the season index).
    #[serde(default = "january")]
    pub calendar: FiscalCalendar,
}

fn one() -> u32 {
    1
}
fn trials() -> u32 {
    2000
}
fn forty() -> f64 {
    0.4
}
fn january() -> FiscalCalendar {
    FiscalCalendar {
        start_month: 1,
        weeks: None,
        week_start: chrono::Weekday::Mon,
    }
}

/// One method's forecast of one window beside the actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRow {
    /// The method.
    pub method: String,
    /// The as-of date (= the window's first day).
    pub as_of: NaiveDate,
    /// The day after the window's last.
    pub to: NaiveDate,
    /// Won value closed in the window.
    pub actual: i64,
    /// The point forecast (the expectation).
    pub point: f64,
    /// The interval, for methods that give one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p10: Option<i64>,
    /// Median of the trials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50: Option<i64>,
    /// 90th percentile of the trials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<i64>,
}

/// A method's scores over every window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodScore {
    /// The method.
    pub method: String,
    /// Windows scored (with a positive actual).
    pub windows: u32,
    /// Mean absolute percentage error of the point (None when no window was scored: no
    /// error to average, not a perfect score).
    pub mape: Option<f64>,
    /// Mean pinball loss at 0.1, 0.5 and 0.9 relative to the actual (None without intervals
    /// or without a scored window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinball: Option<[f64; 3]>,
    /// Windows whose actual lies in `[P10, P90]` (None without intervals or without a
    /// scored window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered: Option<u32>,
}

/// One rep's bias under the historical model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepBias {
    /// The rep (`""` for deals without an owner).
    pub owner: String,
    /// Σ expected over the windows.
    pub expected: f64,
    /// Σ actual.
    pub actual: i64,
    /// expected ÷ actual − 1 (None when nothing was won).
    pub bias: Option<f64>,
}

/// The backtest's rows, scores and rep biases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// Every method × window.
    pub rows: Vec<BacktestRow>,
    /// Per method, in the order above.
    pub scores: Vec<MethodScore>,
    /// Per rep, by name.
    pub reps: Vec<RepBias>,
}

const METHODS: [&str; 4] = ["fixed_40", "win_rate", "plain_monte_carlo", "historical"];

fn pinball(q: f64, forecast: i64, actual: i64) -> f64 {
    let diff = (actual - forecast) as f64;
    if diff >= 0.0 {
        q * diff
    } else {
        (q - 1.0) * diff
    }
}

/// Runs the backtest over `deals` (their whole history: the replay cuts it at each as-of).
///
/// ```
/// use chrono::NaiveDate;
/// use leadcore::forecast::{backtest, BacktestSpec, HistoricalDeal, Outcome};
/// use leadcore::Money;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// // 600 deals from October 2016, one every 14 hours or so, each closing 20 days later, 2 in 3 won
/// let deals: Vec<HistoricalDeal> = (0..600u32).map(|i| {
///     let created = d(2016, 10, 1) + chrono::Days::new(u64::from(i * 7 / 12));
///     let won = i % 3 != 0;
///     HistoricalDeal { id: format!("O{i}"), owner: Some(format!("rep{}", i % 4)), amount: Money::new(1000, "USD"), created,
///         outcome: Some(Outcome { date: created + chrono::Days::new(20), won, value: if won { 1000 } else { 0 } }), expected_close: None, stages: vec![] }
/// }).collect();
/// let spec: BacktestSpec = serde_json::from_str(r#"{"first": "2017-04-01", "count": 3, "window_months": 1, "trials": 500}"#).unwrap();
/// let report = backtest(&deals, &spec).unwrap();
/// let historical = report.scores.iter().find(|s| s.method == "historical").unwrap();
/// assert!(historical.mape.unwrap() < 0.1, "{historical:?}");
/// ```
pub fn backtest(deals: &[HistoricalDeal], spec: &BacktestSpec) -> Result<BacktestReport> {
    if spec.count == 0 || spec.count > 1000 || spec.window_months == 0 || spec.step_months == 0 {
        return Err(Error::invalid_input(
            "backtest: count must be 1..=1000, window_months and step_months at least 1",
        ));
    }
    if !(0.0..=1.0).contains(&spec.fixed_probability) {
        return Err(Error::invalid_input(
            "backtest: fixed_probability must be in [0, 1]",
        ));
    }
    let range = || Error::invalid_input("backtest: dates out of range");
    let mut rows = Vec::new();
    let mut reps: BTreeMap<String, (f64, i64)> = BTreeMap::new();
    let plain = HistoryModelSpec {
        max_age_days: spec.model.max_age_days,
        trailing_days: spec.model.trailing_days,
        ..HistoryModelSpec::plain()
    };
    for k in 0..spec.count {
        let as_of = spec
            .first
            .checked_add_months(Months::new(k * spec.step_months))
            .ok_or_else(range)?;
        let to = as_of
            .checked_add_months(Months::new(spec.window_months))
            .ok_or_else(range)?;
        let mut actual = 0i64;
        let mut actual_by_owner: BTreeMap<&str, i64> = BTreeMap::new();
        let mut open_amount = 0i64;
        for d in deals {
            if let Some(o) = &d.outcome
                && o.won
                && as_of <= o.date
                && o.date < to
            {
                actual = actual.saturating_add(o.value);
                *actual_by_owner
                    .entry(d.owner.as_deref().unwrap_or(""))
                    .or_default() += o.value;
            }
            if d.created < as_of && d.outcome.as_ref().is_none_or(|o| o.date >= as_of) {
                open_amount = open_amount.saturating_add(d.amount.minor);
            }
        }
        let seed = spec.seed.wrapping_add(u64::from(k));
        let model = HistoryModel::fit(deals, as_of, &spec.model, spec.calendar)?;
        let plain_model = HistoryModel::fit(deals, as_of, &plain, spec.calendar)?;
        let row = |method: &str, point: f64, band: Option<(i64, i64, i64)>| BacktestRow {
            method: method.to_owned(),
            as_of,
            to,
            actual,
            point,
            p10: band.map(|b| b.0),
            p50: band.map(|b| b.1),
            p90: band.map(|b| b.2),
        };
        rows.push(row(
            METHODS[0],
            open_amount as f64 * spec.fixed_probability,
            None,
        ));
        rows.push(row(
            METHODS[1],
            open_amount as f64 * model.win_rate() * model.realisation(),
            None,
        ));
        for (method, m) in [(METHODS[2], &plain_model), (METHODS[3], &model)] {
            let w = m.forecast(deals, as_of, to, spec.trials, seed)?;
            rows.push(row(method, w.expected, Some((w.p10, w.p50, w.p90))));
        }
        for (owner, e) in model.expected_by_owner(deals, as_of, to)? {
            let r = reps.entry(owner).or_default();
            r.0 += e;
        }
        for (owner, a) in actual_by_owner {
            reps.entry(owner.to_owned()).or_default().1 += a;
        }
    }
    let scores = METHODS
        .iter()
        .map(|&method| {
            let mine: Vec<&BacktestRow> = rows
                .iter()
                .filter(|r| r.method == method && r.actual > 0)
                .collect();
            let n = mine.len() as f64;
            let mape = (!mine.is_empty()).then(|| {
                mine.iter()
                    .map(|r| (r.point - r.actual as f64).abs() / r.actual as f64)
                    .sum::<f64>()
                    / n
            });
            let banded = !mine.is_empty() && mine.iter().all(|r| r.p10.is_some());
            let pinball = banded.then(|| {
                let mut p = [0.0; 3];
                for r in &mine {
                    let a = r.actual as f64;
                    p[0] += pinball(0.1, r.p10.unwrap_or(0), r.actual) / a;
                    p[1] += pinball(0.5, r.p50.unwrap_or(0), r.actual) / a;
                    p[2] += pinball(0.9, r.p90.unwrap_or(0), r.actual) / a;
                }
                p.map(|x| x / n)
            });
            let covered = banded.then(|| {
                mine.iter()
                    .filter(|r| {
                        r.p10.is_some_and(|lo| lo <= r.actual)
                            && r.p90.is_some_and(|hi| r.actual <= hi)
                    })
                    .count() as u32
            });
            MethodScore {
                method: method.to_owned(),
                windows: mine.len() as u32,
                mape,
                pinball,
                covered,
            }
        })
        .collect();
    let reps = reps
        .into_iter()
        .map(|(owner, (expected, actual))| RepBias {
            owner,
            expected,
            actual,
            bias: (actual > 0).then(|| expected / actual as f64 - 1.0),
        })
        .collect();
    Ok(BacktestReport { rows, scores, reps })
}
