//! The wire forms of the forecasts (what the C door, the Python `*_report` functions and the
//! shared vectors take):
//! - [`ForecastInput`]: a calendar, a granularity, a category map, the deals and optionally
//!   a Monte Carlo spec in; the weighted roll-up and the simulated distribution out;
//! - [`HistoryForecastInput`]: a deal history, a fit date and windows in; what the
//!   historical model learned and its forecast per window out;
//! - [`BacktestInput`]: a deal history and a [`BacktestSpec`] in; the [`BacktestReport`] out;
//! - [`RollupInput`]: a reporting hierarchy, owned deals and quotas in; per node the cells
//!   (own and total per currency, span and category) and the spans (cumulative views,
//!   attainment, coverage) out.

use super::backtest::{BacktestReport, BacktestSpec, backtest};
use super::calendar::{FiscalCalendar, Granularity, PeriodKey};
use super::category::{Category, CategoryMap};
use super::hierarchy::{
    Cumulative, Hierarchy, NodeQuota, OwnedDeal, QuotaMode, Quotas, ReportingLine, RollupSpec,
};
use super::history::{
    HistoricalDeal, HistoryModel, HistoryModelSpec, SlipSummary, StageRate, WindowForecast,
};
use super::monte_carlo::{MonteCarlo, MonteCarloForecast, MonteCarloSpec, about_deal};
use super::pipeline::{ForecastDeal, RollupRow, Totals, WeightedPipeline};
use crate::error::{Error, ErrorKind, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The calendar as given, its `start_month` checked (serde reads any number).
pub(super) fn checked(calendar: FiscalCalendar) -> Result<FiscalCalendar> {
    let checked = FiscalCalendar::new(calendar.start_month)?;
    Ok(match calendar.weeks {
        Some(w) => checked.with_weeks(w, calendar.week_start),
        None => checked,
    })
}

fn quarter() -> Granularity {
    Granularity::Quarter
}

fn every_stage_pipeline() -> CategoryMap {
    CategoryMap::new(Category::Pipeline)
}

/// One forecast run in its wire form (JSON, snake_case, unknown fields refused).
///
/// `granularity` defaults to `quarter`, `categories` to every stage in `pipeline`; without
/// `monte_carlo` only the weighted roll-up is computed.
///
/// ```
/// use leadcore::forecast::ForecastInput;
/// let input = ForecastInput::from_json(r#"{
///   "calendar": {"start_month": 1},
///   "categories": {"default": "pipeline", "stages": {"Won": "closed"}},
///   "deals": [
///     {"id": "O1", "amount": {"minor": 1000, "currency": "USD"}, "close_date": "2026-02-10", "stage": "Proposal", "probability": 0.25},
///     {"id": "O2", "amount": {"minor": 500, "currency": "USD"}, "close_date": "2026-01-05", "stage": "Won", "probability": 1.0}
///   ],
///   "monte_carlo": {"trials": 2000, "seed": 7}
/// }"#).unwrap();
/// let out = input.run(2).unwrap();
/// assert_eq!(out.weighted.len(), 2); // Q1 pipeline, Q1 closed
/// assert_eq!(out.weighted[0].totals.weighted, 250);
/// let q1 = &out.monte_carlo.unwrap().periods[0];
/// assert_eq!((q1.closed, q1.expected), (500, 750.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastInput {
    /// The fiscal calendar: `{"start_month", "weeks"?: "4-4-5" | "4-5-4" | "5-4-4",
    /// "week_start"?}`.
    pub calendar: FiscalCalendar,
    /// The span rows are rolled up over: `period`, `quarter` (default) or `year`.
    #[serde(default = "quarter")]
    pub granularity: Granularity,
    /// Stage → category (`pipeline`, `best_case`, `commit`, `closed`, `omitted`) and the
    /// category of an unlisted stage.
    #[serde(default = "every_stage_pipeline")]
    pub categories: CategoryMap,
    /// The deals.
    pub deals: Vec<ForecastDeal>,
    /// A simulation to run as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<MonteCarloSpec>,
}

/// The result of a [`ForecastInput`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastOutput {
    /// One row per currency, span and category holding a deal, in that order.
    pub weighted: Vec<RollupRow>,
    /// The simulated distribution per span, when a simulation was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monte_carlo: Option<MonteCarloForecast>,
}

impl ForecastInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "forecast input")
    }

    /// Runs it: the weighted roll-up, then the simulation on `threads` threads (0 or 1: the
    /// calling thread; the numbers never depend on it).
    ///
    /// Errors (`input.invalid`, the message naming the deal where one is at fault): a fiscal
    /// `start_month` outside 1..=12, a negative amount, no currency, a probability outside
    /// `[0, 1]`, a close date out of range; with `monte_carlo`, also deals or quotas in
    /// more than one currency and the spec's own errors (see [`MonteCarlo::simulate`]).
    pub fn run(&self, threads: usize) -> Result<ForecastOutput> {
        let calendar = checked(self.calendar)?;
        let mut weighted =
            WeightedPipeline::new(calendar, self.granularity, self.categories.clone());
        for d in &self.deals {
            weighted.add(d).map_err(|e| about_deal(&d.id, e))?;
        }
        let monte_carlo = match &self.monte_carlo {
            None => None,
            Some(spec) => Some(
                MonteCarlo::new(calendar, self.granularity, self.categories.clone()).simulate(
                    &self.deals,
                    spec,
                    threads,
                )?,
            ),
        };
        Ok(ForecastOutput {
            weighted: weighted.rows().to_vec(),
            monte_carlo,
        })
    }
}

/// The most windows one [`HistoryForecastInput`] may ask for.
pub const MAX_WINDOWS: usize = 1000;

fn january() -> FiscalCalendar {
    FiscalCalendar {
        start_month: 1,
        weeks: None,
        week_start: chrono::Weekday::Mon,
    }
}

fn two_thousand() -> u32 {
    2000
}

/// A forecast window: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// First day.
    pub from: NaiveDate,
    /// The day after the last.
    pub to: NaiveDate,
}

/// A forecast from history in its wire form (JSON, snake_case, unknown fields refused): the
/// deals' history, the fit date, the windows to forecast and the model's settings.
///
/// `model` defaults to [`HistoryModelSpec::default`], `calendar` to a fiscal year starting
/// in January, `trials` to 2000 and `seed` to 0; window `k` is simulated with seed
/// `seed + k`.
///
/// ```
/// use leadcore::forecast::HistoryForecastInput;
/// // 40 deals created 1..20 January, each closing 10 days later, every other one won;
/// // one deal of 1000 open since 5 February.
/// let mut deals: Vec<String> = (0..40).map(|i| format!(
///     r#"{{"id":"O{i}","amount":{{"minor":100,"currency":"USD"}},"created":"2026-01-{:02}",
///        "outcome":{{"date":"2026-01-{:02}","won":{},"value":{}}}}}"#,
///     1 + i % 20, 11 + i % 20, i % 2 == 0, if i % 2 == 0 { 100 } else { 0 })).collect();
/// deals.push(r#"{"id":"X","amount":{"minor":1000,"currency":"USD"},"created":"2026-02-05"}"#.into());
/// let input = HistoryForecastInput::from_json(&format!(
///     r#"{{"deals":[{}],"as_of":"2026-02-10","windows":[{{"from":"2026-02-10","to":"2026-03-01"}}],
///        "model":{{"new_deals":false,"rate_spread":false,"seasonality":false}},"trials":500,"seed":7}}"#,
///     deals.join(","))).unwrap();
/// let out = input.run().unwrap();
/// assert_eq!((out.model.win_rate, out.model.closed.won, out.model.closed.total), (0.5, 20, 40));
/// assert_eq!(out.windows[0].expected, 500.0); // X closes at age 10, won half the time
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryForecastInput {
    /// Every deal, open or closed (the fit sees those created before `as_of`).
    pub deals: Vec<HistoricalDeal>,
    /// The fit date.
    pub as_of: NaiveDate,
    /// The windows to forecast, each starting on or after `as_of`.
    pub windows: Vec<Window>,
    /// The model's settings.
    #[serde(default)]
    pub model: HistoryModelSpec,
    /// The fiscal calendar (for the season index).
    #[serde(default = "january")]
    pub calendar: FiscalCalendar,
    /// Trials per window (1..=1,000,000).
    #[serde(default = "two_thousand")]
    pub trials: u32,
    /// Seed of the first window.
    #[serde(default)]
    pub seed: u64,
}

/// Deals closed before the fit date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedCount {
    /// Won.
    pub won: u64,
    /// Won or lost.
    pub total: u64,
}

/// The spreads the simulation draws its rates from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateSpreads {
    /// Standard deviation of the block win rates' logits.
    pub win: f64,
    /// Standard deviation of the logs of the block creation counts.
    pub creation: f64,
}

/// What a fitted [`HistoryModel`] learned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryModelSummary {
    /// The fit date.
    pub as_of: NaiveDate,
    /// The deals' currency (`None` without deals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Won ÷ closed.
    pub win_rate: f64,
    /// Won value ÷ the won deals' expected amounts.
    pub realisation: f64,
    /// New deals per day over the trailing days.
    pub creation_rate: f64,
    /// Seasonal index of the 1st, 2nd and 3rd period of a fiscal quarter.
    pub season: [f64; 3],
    /// The rate spreads.
    pub spreads: RateSpreads,
    /// Deals closed before the fit date.
    pub closed: ClosedCount,
    /// Per stage seen in the deals' visits (by name): `P(won | the deal was in it)`, its
    /// counts, and whether it has its own time-to-close curve.
    #[serde(default)]
    pub stages: Vec<StageRate>,
    /// The close-date slips learned (absent when no closed deal had an expected close).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slips: Option<SlipSummary>,
}

impl HistoryModelSummary {
    /// What `model` learned.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use leadcore::forecast::{FiscalCalendar, HistoricalDeal, HistoryModel, HistoryModelSpec, HistoryModelSummary, Outcome, StageVisit};
    /// use leadcore::Money;
    /// let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    /// let deal = HistoricalDeal { id: "A".into(), owner: None, amount: Money::new(10, "EUR"), created: day(1),
    ///     outcome: Some(Outcome { date: day(3), won: true, value: 8 }), expected_close: Some(day(2)),
    ///     stages: vec![StageVisit { stage: "Demo".into(), entered: day(2) }] };
    /// let m = HistoryModel::fit(&[deal], day(10), &HistoryModelSpec::plain(), FiscalCalendar::new(1).unwrap()).unwrap();
    /// let s = HistoryModelSummary::of(&m);
    /// assert_eq!((s.win_rate, s.realisation, s.currency.as_deref()), (1.0, 0.8, Some("EUR")));
    /// assert_eq!((s.stages[0].stage.as_str(), s.stages[0].closed, s.stages[0].probability), ("Demo", 1, 1.0));
    /// assert_eq!(s.slips.unwrap().p50, 1); // closed a day after it was expected to
    /// ```
    pub fn of(model: &HistoryModel) -> Self {
        let (won, total) = model.closed();
        let (win, creation) = model.spreads();
        HistoryModelSummary {
            as_of: model.as_of(),
            currency: model.currency().map(str::to_owned),
            win_rate: model.win_rate(),
            realisation: model.realisation(),
            creation_rate: model.creation_rate(),
            season: model.season(),
            spreads: RateSpreads { win, creation },
            closed: ClosedCount { won, total },
            stages: model.stages().to_vec(),
            slips: model.slips(),
        }
    }
}

/// The result of a [`HistoryForecastInput`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryForecastOutput {
    /// What the model learned.
    pub model: HistoryModelSummary,
    /// One forecast per window, in the input's order.
    pub windows: Vec<WindowForecast>,
}

/// Prefixes an `input.invalid` message with where it applies.
fn at(place: &str, e: Error) -> Error {
    match e.kind() {
        ErrorKind::InvalidInput { message } => Error::invalid_input(format!("{place}: {message}")),
        _ => e,
    }
}

impl HistoryForecastInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "history forecast input")
    }

    /// Fits the model as of `as_of` and forecasts every window.
    ///
    /// Errors (`input.invalid`): a fiscal `start_month` outside 1..=12, more than
    /// [`MAX_WINDOWS`] windows, the fit's errors naming the deal (a negative amount or value,
    /// a close before the creation, mixed currencies, nothing closed before `as_of`; see
    /// [`HistoryModel::fit`]) and a window's (`windows[k]: ...`: empty, starting before
    /// `as_of`; see [`HistoryModel::forecast`]); `trials` outside 1..=1,000,000 is
    /// `trials: ...`.
    pub fn run(&self) -> Result<HistoryForecastOutput> {
        let calendar = checked(self.calendar)?;
        if self.trials == 0 || self.trials > 1_000_000 {
            return Err(Error::invalid_input(format!(
                "trials: must be 1..=1000000, got {}",
                self.trials
            )));
        }
        if self.windows.len() > MAX_WINDOWS {
            return Err(Error::invalid_input(format!(
                "at most {MAX_WINDOWS} windows, got {}",
                self.windows.len()
            )));
        }
        let model = HistoryModel::fit(&self.deals, self.as_of, &self.model, calendar)?;
        let windows = self
            .windows
            .iter()
            .enumerate()
            .map(|(k, w)| {
                model
                    .forecast(
                        &self.deals,
                        w.from,
                        w.to,
                        self.trials,
                        self.seed.wrapping_add(k as u64),
                    )
                    .map_err(|e| at(&format!("windows[{k}]"), e))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(HistoryForecastOutput {
            model: HistoryModelSummary::of(&model),
            windows,
        })
    }
}

/// A backtest in its wire form: the deals' whole history and a [`BacktestSpec`]; the
/// result is the [`BacktestReport`].
///
/// ```
/// use leadcore::forecast::BacktestInput;
/// let deals: Vec<String> = (0..120).map(|i| format!(
///     r#"{{"id":"O{i}","owner":"rep{}","amount":{{"minor":100,"currency":"USD"}},"created":"2026-{:02}-{:02}",
///        "outcome":{{"date":"2026-{:02}-{:02}","won":{},"value":{}}}}}"#,
///     i % 2, 1 + i / 20, 1 + i % 20, 1 + i / 20, 9 + i % 20, i % 2 == 0, if i % 2 == 0 { 100 } else { 0 })).collect();
/// let input = BacktestInput::from_json(&format!(
///     r#"{{"deals":[{}],"spec":{{"first":"2026-03-01","count":2,"window_months":1,"trials":200}}}}"#,
///     deals.join(","))).unwrap();
/// let report = input.run().unwrap();
/// assert_eq!(report.rows.len(), 8); // 4 methods × 2 windows
/// assert_eq!(report.reps.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestInput {
    /// Every deal with its whole history.
    pub deals: Vec<HistoricalDeal>,
    /// What to backtest.
    pub spec: BacktestSpec,
}

impl BacktestInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "backtest input")
    }

    /// Runs the backtest (see [`backtest`]); a fiscal `start_month` outside 1..=12 is an
    /// `input.invalid` error too.
    pub fn run(&self) -> Result<BacktestReport> {
        let mut spec = self.spec.clone();
        spec.calendar = checked(spec.calendar)?;
        backtest(&self.deals, &spec)
    }
}

/// The forecast rolled up along a reporting hierarchy, in its wire form: the hierarchy's
/// reporting lines, the calendar, granularity and categories as in [`ForecastInput`], the
/// owned deals and optionally quotas per node and span.
///
/// ```
/// use leadcore::forecast::RollupInput;
/// let deal = |owner: &str, id: &str, minor: i64, stage: &str, p: f64| format!(
///     r#"{{"owner":"{owner}","deal":{{"id":"{id}","amount":{{"minor":{minor},"currency":"USD"}},"close_date":"2026-02-01","stage":"{stage}","probability":{p}}}}}"#);
/// let input = RollupInput::from_json(&format!(
///     r#"{{"hierarchy":[{{"node":"vp"}},{{"node":"ana","parent":"vp"}}],"calendar":{{"start_month":1}},
///        "categories":{{"default":"pipeline","stages":{{"Won":"closed"}}}},"deals":[{},{}],
///        "quotas":[{{"node":"vp","period":{{"year":2026,"granularity":"quarter","index":1}},"amount":{{"minor":1000,"currency":"USD"}}}}]}}"#,
///     deal("ana", "O1", 400, "Won", 1.0), deal("vp", "O2", 1200, "Demo", 0.5))).unwrap();
/// let out = input.run().unwrap();
/// let vp = out.spans.iter().find(|s| s.node == "vp").unwrap();
/// assert_eq!((vp.attainment, vp.coverage), (Some(0.4), Some(2.0)));
/// assert_eq!(vp.cumulative.pipeline.amount, 1600);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupInput {
    /// The reporting lines `{"node", "parent"?}`.
    pub hierarchy: Vec<ReportingLine>,
    /// The fiscal calendar.
    pub calendar: FiscalCalendar,
    /// The spans rolled up over (default `quarter`).
    #[serde(default = "quarter")]
    pub granularity: Granularity,
    /// Stage → category (default: every stage `pipeline`).
    #[serde(default = "every_stage_pipeline")]
    pub categories: CategoryMap,
    /// The deals and their owners (nodes of the hierarchy).
    pub deals: Vec<OwnedDeal>,
    /// Quotas given per node and span.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotas: Vec<NodeQuota>,
    /// What a node without a given quota has.
    #[serde(default)]
    pub quota_mode: QuotaMode,
}

/// The four cumulative views of one node, span and currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CumulativeTotals {
    /// Closed.
    pub closed: Totals,
    /// Closed + Commit.
    pub commit: Totals,
    /// Closed + Commit + Best case.
    pub best_case: Totals,
    /// Everything not omitted.
    pub pipeline: Totals,
}

/// One cell of a node's roll-up: its own deals and its subtree's, in one currency, span and
/// category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeCell {
    /// The node.
    pub node: String,
    /// The node it reports to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Distance from its root.
    pub depth: usize,
    /// The currency.
    pub currency: String,
    /// The span.
    pub period: PeriodKey,
    /// The category.
    pub category: Category,
    /// The node's own deals.
    pub own: Totals,
    /// Own deals plus every descendant's.
    pub total: Totals,
}

/// One node's span in one currency: the cumulative views of its total and, with a quota in
/// that currency, attainment and coverage (see
/// [`NodeRollup::attainment`](crate::forecast::NodeRollup::attainment)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSpan {
    /// The node.
    pub node: String,
    /// The node it reports to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Distance from its root.
    pub depth: usize,
    /// The span.
    pub period: PeriodKey,
    /// The currency.
    pub currency: String,
    /// The cumulative views of the node's total.
    pub cumulative: CumulativeTotals,
    /// The quota (given, or summed from the children under `sum_children`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<i64>,
    /// Closed ÷ quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attainment: Option<f64>,
    /// Open pipeline ÷ (quota − closed), while the quota is not reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
}

/// The result of a [`RollupInput`]: nodes sorted by id, then currency, span and category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollupOutput {
    /// Every non-empty cell of every node's total.
    pub cells: Vec<NodeCell>,
    /// Every node's spans holding a deal or a quota, per currency.
    pub spans: Vec<NodeSpan>,
}

impl RollupInput {
    /// Reads the input from JSON (`input.invalid` with the path of a bad value).
    pub fn from_json(text: &str) -> Result<Self> {
        crate::wire::from_json(text, "rollup input")
    }

    /// Validates the hierarchy and the quotas, then rolls the deals up.
    ///
    /// Errors: a bad hierarchy is `playbook.invalid` with every issue located at
    /// `hierarchy[i].node` / `hierarchy[i].parent` (`hierarchy.cycle`, ...; see
    /// [`Hierarchy::new`]); `input.invalid` for a fiscal `start_month` outside 1..=12, a
    /// deal's error (naming it), an owner not in the hierarchy, a quota (`quotas[i]: ...`)
    /// for an unknown node, of another granularity, negative or given twice, and a quota
    /// beside deals of another currency or of several currencies.
    pub fn run(&self) -> Result<RollupOutput> {
        let spec = RollupSpec::new(
            checked(self.calendar)?,
            self.granularity,
            self.categories.clone(),
        );
        let hierarchy = Hierarchy::new(self.hierarchy.clone())?;
        let mut quotas = Quotas::default();
        for (i, q) in self.quotas.iter().enumerate() {
            let place = format!("quotas[{i}]");
            if !hierarchy.contains(&q.node) {
                return Err(Error::invalid_input(format!(
                    "{place}: node `{}` is not in the hierarchy",
                    q.node
                )));
            }
            spec.check_period(q.period).map_err(|e| at(&place, e))?;
            if quotas.get(&q.node, q.period).is_some() {
                return Err(Error::invalid_input(format!(
                    "{place}: a second quota for node `{}` in that span",
                    q.node
                )));
            }
            quotas
                .set(q.node.clone(), q.period, q.amount.clone())
                .map_err(|e| at(&place, e))?;
        }
        let quota_periods: BTreeSet<PeriodKey> = self.quotas.iter().map(|q| q.period).collect();
        let rollup = hierarchy.rollup(&spec, &self.deals)?;
        let (mut cells, mut spans) = (Vec::new(), Vec::new());
        for (node, r) in rollup.nodes() {
            let parent = hierarchy.parent(node).map(str::to_owned);
            let depth = hierarchy.depth(node).unwrap_or(0);
            let own = r.own.rows();
            for row in r.total.rows() {
                let mine = own
                    .iter()
                    .find(|o| {
                        o.currency == row.currency
                            && o.period == row.period
                            && o.category == row.category
                    })
                    .map(|o| o.totals)
                    .unwrap_or_default();
                cells.push(NodeCell {
                    node: node.to_owned(),
                    parent: parent.clone(),
                    depth,
                    currency: row.currency.clone(),
                    period: row.period,
                    category: row.category,
                    own: mine,
                    total: row.totals,
                });
            }
            let mut periods: BTreeMap<PeriodKey, BTreeSet<String>> = BTreeMap::new();
            for row in r.total.rows() {
                periods
                    .entry(row.period)
                    .or_default()
                    .insert(row.currency.clone());
            }
            let mut resolved = BTreeMap::new();
            for &p in &quota_periods {
                if let Some(q) = quotas.resolve(&hierarchy, node, p, self.quota_mode)? {
                    periods.entry(p).or_default().insert(q.currency.clone());
                    resolved.insert(p, q);
                }
            }
            for (period, currencies) in periods {
                let quota = resolved.get(&period);
                let attainment = match quota {
                    Some(q) => Some(
                        r.attainment(period, Some(q))
                            .map_err(|e| at(&format!("node `{node}`"), e))?,
                    ),
                    None => None,
                };
                for currency in currencies {
                    let view = |v: Cumulative| -> Result<Totals> {
                        Ok(r.cumulative(period, v)?
                            .into_iter()
                            .find(|(c, _)| *c == currency)
                            .map(|(_, t)| t)
                            .unwrap_or_default())
                    };
                    let cumulative = CumulativeTotals {
                        closed: view(Cumulative::Closed)?,
                        commit: view(Cumulative::Commit)?,
                        best_case: view(Cumulative::BestCase)?,
                        pipeline: view(Cumulative::Pipeline)?,
                    };
                    let mine = quota.filter(|q| q.currency == currency);
                    let a = attainment.as_ref().filter(|_| mine.is_some());
                    spans.push(NodeSpan {
                        node: node.to_owned(),
                        parent: parent.clone(),
                        depth,
                        period,
                        currency,
                        cumulative,
                        quota: mine.map(|q| q.minor),
                        attainment: a.and_then(|a| a.attainment),
                        coverage: a.and_then(|a| a.coverage),
                    });
                }
            }
        }
        Ok(RollupOutput { cells, spans })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(deals: &str) -> String {
        format!(
            r#"{{"calendar":{{"start_month":1}},"deals":[{deals}],"monte_carlo":{{"trials":100,"seed":1}}}}"#
        )
    }

    #[test]
    fn errors_name_the_deal() {
        let deal = |id: &str, minor: i64, cur: &str, p: f64| {
            format!(
                r#"{{"id":"{id}","amount":{{"minor":{minor},"currency":"{cur}"}},"close_date":"2026-02-01","stage":"Open","probability":{p}}}"#
            )
        };
        let run = |deals: &str| {
            ForecastInput::from_json(&input(deals))
                .and_then(|i| i.run(1))
                .unwrap_err()
        };
        let e = run(&deal("neg", -5, "USD", 0.5));
        assert_eq!(e.code(), "input.invalid");
        assert!(e.to_string().contains("deal neg: negative amount"), "{e}");
        assert!(
            run(&deal("bad_p", 5, "USD", 1.5))
                .to_string()
                .contains("deal bad_p")
        );
        let mixed = format!("{},{}", deal("a", 1, "USD", 0.5), deal("b", 1, "EUR", 0.5));
        let e = run(&mixed);
        assert!(e.to_string().contains("deal b: mixed currencies"), "{e}");
        let e = ForecastInput::from_json(r#"{"calendar":{"start_month":1},"deals":[],"extra":1}"#)
            .unwrap_err();
        assert!(e.to_string().contains("extra"), "{e}");
        let e = ForecastInput::from_json(r#"{"calendar":{"start_month":13},"deals":[]}"#)
            .and_then(|i| i.run(1))
            .unwrap_err();
        assert!(e.to_string().contains("start_month"), "{e}");
    }

    #[test]
    fn weighted_rows_without_a_simulation_may_mix_currencies() {
        let text = r#"{"calendar":{"start_month":4,"weeks":"4-4-5"},"granularity":"year","deals":[
          {"id":"a","amount":{"minor":100,"currency":"USD"},"close_date":"2026-05-01","stage":"X","probability":0.5},
          {"id":"b","amount":{"minor":100,"currency":"EUR"},"close_date":"2026-05-01","stage":"X","probability":0.5,"category_override":"commit"}]}"#;
        let out = ForecastInput::from_json(text).unwrap().run(0).unwrap();
        assert!(out.monte_carlo.is_none());
        let got: Vec<_> = out
            .weighted
            .iter()
            .map(|r| (r.currency.as_str(), r.category, r.totals.weighted))
            .collect();
        assert_eq!(
            got,
            [
                ("EUR", Category::Commit, 50),
                ("USD", Category::Pipeline, 50)
            ]
        );
        assert_eq!(out.weighted[0].period.year, 2027);
    }
}
