//! Forecasting: fiscal calendars, forecast categories, weighted pipeline rolled up per period
//! and category, and seeded Monte Carlo forecasts that give the same numbers on any thread
//! count.

mod calendar;
mod category;
mod monte_carlo;
mod pipeline;
mod wire;

pub use calendar::{FiscalCalendar, FiscalDate, Granularity, PeriodKey, WeekPattern};
pub use category::{Category, CategoryMap};
pub use monte_carlo::{
    CHUNK_TRIALS, MAX_TRIALS, MonteCarlo, MonteCarloForecast, MonteCarloSpec, PeriodForecast, Quota,
};
pub use pipeline::{CurrencyTotals, ForecastDeal, RollupRow, Totals, WeightedPipeline};
pub use wire::{ForecastInput, ForecastOutput};
