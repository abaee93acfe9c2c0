//! Forecasting: fiscal calendars, forecast categories, weighted pipeline rolled up per period
//! and category, and seeded Monte Carlo forecasts that give the same numbers on any thread
//! count.

mod calendar;

pub use calendar::{FiscalCalendar, FiscalDate, Granularity, PeriodKey, WeekPattern};
