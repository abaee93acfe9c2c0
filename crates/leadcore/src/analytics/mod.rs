//! Pipeline analytics: the funnel of lifecycle states, and pipeline metrics (the four V's,
//! win rate, cycle, deal size, sales velocity) over opportunities' stage histories as
//! mergeable accumulators.

mod funnel;
mod pipeline;

pub use funnel::{Funnel, FunnelStage};
pub use pipeline::{
    DealHistory, DurationStats, GroupReport, GroupedMetrics, MetricsSpec, Period, PipelineMetrics,
    PipelineMetricsInput, PipelineMetricsOutput, PipelineReport, PipelineStages, RateCount,
    SalesVelocity, SliceKey, StageDef, StageEntry, StageMetrics, VelocityStage, WinRate,
};
