//! Forecasting: fiscal calendars, forecast categories, weighted pipeline rolled up per period
//! and category, and seeded Monte Carlo forecasts that give the same numbers on any thread
//! count.

mod calendar;
mod category;
mod pipeline;

pub use calendar::{FiscalCalendar, FiscalDate, Granularity, PeriodKey, WeekPattern};
pub use category::{Category, CategoryMap};
pub use pipeline::{CurrencyTotals, ForecastDeal, RollupRow, Totals, WeightedPipeline};
