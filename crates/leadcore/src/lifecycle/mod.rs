//! The lifecycle state machine: records move between a pipeline's stages when the
//! playbook's transitions and guards allow it, with full history and emitted actions.

mod engine;
mod guard;
mod pipeline;
mod replay;
mod request;
mod spec;
mod state;
pub(crate) mod validate;

pub use engine::TransitionOutcome;
pub use guard::Guard;
pub use pipeline::{Pipeline, Stage};
pub use replay::ReplayOptions;
pub use request::{Facts, ReplayInput, StartInput, Subject, TransitionInput, TransitionRequest};
pub use spec::{BackMoves, GuardSpec, PipelineSpec, StageKind, StageSpec, TransitionSpec};
pub use state::{LifecycleState, STATE_SCHEMA_VERSION, StageDwell, TransitionRecord};
