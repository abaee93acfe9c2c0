//! The wire form of one forecast run (what the C door, `leadcore.forecast_report` and the
//! shared vectors take): a calendar, a granularity, a category map, the deals and optionally
//! a Monte Carlo spec in; the weighted roll-up and the simulated distribution out.

use super::calendar::{FiscalCalendar, Granularity};
use super::category::{Category, CategoryMap};
use super::monte_carlo::{MonteCarlo, MonteCarloForecast, MonteCarloSpec, about_deal};
use super::pipeline::{ForecastDeal, RollupRow, WeightedPipeline};
use crate::error::Result;
use serde::{Deserialize, Serialize};

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
        let calendar = FiscalCalendar::new(self.calendar.start_month)?;
        let calendar = match self.calendar.weeks {
            Some(w) => calendar.with_weeks(w, self.calendar.week_start),
            None => calendar,
        };
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
