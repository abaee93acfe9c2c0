//! Pipeline analytics: the funnel of lifecycle states, pipeline metrics (the four V's,
//! win rate, cycle, deal size, sales velocity) over opportunities' stage histories,
//! bottlenecks (accumulating and slow stages, losses by stage, leaks, deals closest to
//! closing), and lead and rep-activity metrics, as mergeable accumulators.

mod bottleneck;
mod columns;
mod funnel;
mod leads;
mod pipeline;
mod wire;

pub use bottleneck::{
    BottleneckReason, BottleneckReport, BottleneckSpec, Bottlenecks, ClosestDeal, Leak,
    LostAtStage, StageBottleneck,
};
pub use columns::{DealColumns, DealGroups, StageEntryColumns};
pub use funnel::{Funnel, FunnelStage};
pub use leads::{
    ActivityMetrics, ActivityReport, Benchmark, Conversion, LeadFunnel, LeadGroup, LeadHistory,
    LeadMetrics, LeadReport, LeadSpec, LeadStages, LeadVelocity, Milestone, MilestoneCounts,
    RepActivity, Step, TaskCounts, Verdict,
};
pub use pipeline::{
    DealHistory, DurationStats, GroupReport, GroupedMetrics, MetricsSpec, Period, PipelineMetrics,
    PipelineMetricsInput, PipelineMetricsOutput, PipelineReport, PipelineStages, RateCount,
    SalesVelocity, SliceKey, StageDef, StageEntry, StageMetrics, VelocityStage, WinRate,
};
pub use wire::{ActivityMetricsInput, BottleneckInput, LeadMetricsInput};
