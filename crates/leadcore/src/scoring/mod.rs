//! Scoring: behaviour and fit rules, decay, caps, grades, thresholds that fire actions,
//! hotness and zombie detection, with exact explanations; per lead, incrementally, or over
//! a columnar batch, all giving the same numbers.

mod batch;
mod conditions;
mod evaluate;
mod explain;
mod inputs;
mod model;
mod points;
mod predict;
mod signals;
mod spec;
mod state;
mod table;
pub(crate) mod validate;

pub use batch::{BatchScores, Progress, STOP_CHECK_ROWS};
pub use explain::{
    Adjustment, AdjustmentKind, Contribution, ModelScore, RuleScore, RuleType, ScoreCard,
    ZombieFlag,
};
pub use inputs::{PredictInput, ScoreApplyInput, ScoreCardInput, ScoreInput, ScoreTableInput};
pub use model::Scoring;
pub use spec::{
    DecaySpec, FilterSpec, FitOp, GradeBand, GroupSpec, HotnessSpec, ModelSpec, Occurrence, Refire,
    RuleSpec, ScoringSpec, ThresholdSpec, WeightSpec, ZombieSpec,
};
pub use state::{
    Direction, RuleTimes, SCORE_STATE_SCHEMA_VERSION, ScoreSignal, ScoreState, ThresholdState,
};
