//! Forecasting: fiscal calendars, forecast categories, weighted pipeline rolled up per period
//! and category, and seeded Monte Carlo forecasts that give the same numbers on any thread
//! count.

mod backtest;
mod calendar;
mod category;
mod history;
mod monte_carlo;
mod pipeline;

pub use backtest::{BacktestReport, BacktestRow, BacktestSpec, MethodScore, RepBias, backtest};
pub use calendar::{FiscalCalendar, FiscalDate, Granularity, PeriodKey, WeekPattern};
pub use category::{Category, CategoryMap};
pub use history::{HistoricalDeal, HistoryModel, HistoryModelSpec, Outcome, WindowForecast};
pub use monte_carlo::{
    CHUNK_TRIALS, MAX_TRIALS, MonteCarlo, MonteCarloForecast, MonteCarloSpec, PeriodForecast, Quota,
};
pub use pipeline::{CurrencyTotals, ForecastDeal, RollupRow, Totals, WeightedPipeline};
