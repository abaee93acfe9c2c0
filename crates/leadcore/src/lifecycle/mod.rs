//! The lifecycle state machine: records move between a pipeline's stages when the
//! playbook's transitions and guards allow it, with full history and emitted actions.

mod engine;
mod guard;
mod replay;
mod request;
mod state;

pub use engine::{ActionTrigger, EmittedAction, TransitionOutcome};
pub use guard::Guard;
pub use replay::ReplayOptions;
pub(crate) use request::wire_parse;
pub use request::{Facts, ReplayInput, StartInput, Subject, TransitionInput, TransitionRequest};
pub use state::{LifecycleState, STATE_SCHEMA_VERSION, StageDwell, TransitionRecord};
