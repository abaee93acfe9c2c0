//! Forecasting: fiscal calendars, forecast categories, weighted pipeline rolled up per period
//! and category, seeded Monte Carlo forecasts that give the same numbers on any thread
//! count, the reporting hierarchy with its roll-ups and quotas, the forecast book of
//! submissions, adjustments and weekly snapshots, and a model learned from closed history
//! with its backtest.

mod backtest;
mod calendar;
mod category;
mod hierarchy;
mod history;
mod monte_carlo;
mod pipeline;
mod submission;
mod wire;

pub use backtest::{BacktestReport, BacktestRow, BacktestSpec, MethodScore, RepBias, backtest};
pub use calendar::{FiscalCalendar, FiscalDate, Granularity, PeriodKey, WeekPattern};
pub use category::{Category, CategoryMap};
pub use hierarchy::{
    Attainment, Cumulative, Hierarchy, HierarchyRollup, NodeQuota, NodeRollup, OwnedDeal,
    QuotaMode, Quotas, ReportingLine, RollupSpec,
};
pub use history::{
    HISTORY_MODEL_VERSION, HistoricalDeal, HistoryModel, HistoryModelSpec, Outcome, SlipSummary,
    StageRate, StageVisit, WindowForecast,
};
pub use monte_carlo::{
    CHUNK_TRIALS, MAX_TRIALS, MonteCarlo, MonteCarloForecast, MonteCarloSpec, PeriodForecast, Quota,
};
pub use pipeline::{CurrencyTotals, ForecastDeal, RollupRow, Totals, WeightedPipeline};
pub use submission::{
    Adjustment, BOOK_VERSION, BookDeal, CallRollup, CellDelta, DealChange, DealChangeKind,
    DealPlacement, ForecastBook, ForecastState, ProbabilityPolicy, Snapshot, SnapshotDiff,
    Submission, SubordinateCall, WeekKey,
};
pub use wire::{
    BacktestInput, ClosedCount, CumulativeTotals, ForecastInput, ForecastOutput,
    HistoryForecastInput, HistoryForecastOutput, HistoryModelSummary, MAX_WINDOWS, NodeCell,
    NodeSpan, RateSpreads, RollupInput, RollupOutput, Window,
};
