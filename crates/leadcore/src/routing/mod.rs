//! Routing: who gets each lead. An ordered chain of rules (first match wins), each a
//! [`Condition`](crate::condition::Condition) on the lead's fields (and supplied scores)
//! ending in a strategy: a named rep or queue, weighted round robin, least busy, balance by
//! deal value, best win rate, account owner, pods per team or territory. Reps inactive, at
//! capacity (default 500 open leads) or out of daily quota are skipped; a lead no rule
//! places goes to the unassignable queue with the reason. Every decision carries a trace
//! of each rule tried and each rep passed over; round-robin positions and counters live in
//! a [`RoutingState`] the host persists, so the same state, lead and `now` always give the
//! same decision.
//!
//! Availability: a rep with a `calendar` (a playbook calendar, read in the rep's own
//! `time_zone` when given) takes leads only while it is open, and a rep is passed over
//! during out-of-office periods (the playbook's, and those the host records in the state):
//! [`PassReason::OffHours`] says when the rep is next available, [`PassReason::OutOfOffice`]
//! until when. Daily quotas count the rep's local days when the rep has a zone.
//!
//! Speed: [`Routing::assign_batch_lean`] decides a batch on a compiled view of the state
//! (counters by rep index) without building the trace, into columnar [`Assignments`]; the
//! full-trace calls run the same walk with recording on.

mod assignments;
mod avail;
mod decision;
mod engine;
mod index;
mod inputs;
mod model;
mod prefilter;
mod ranges;
mod spec;
mod state;
pub(crate) mod validate;

pub use assignments::{Assignments, Placed};
pub use decision::{
    Assignee, Decision, PassReason, PassedOver, RuleTrace, StrategyTrace, Unassigned,
    UnassignedCode,
};
pub use engine::RouteFacts;
pub use inputs::{RouteBatchInput, RouteInput};
pub use model::Routing;
pub use spec::{
    DEFAULT_CAPACITY, DEFAULT_UNASSIGNABLE_QUEUE, PoolSpec, QueueSpec, RepSpec, RouteRuleSpec,
    RoutingSpec, StrategySpec,
};
pub use state::{ROUTING_STATE_SCHEMA_VERSION, RepCounters, RoutingState};
pub use validate::{MAX_CAPACITY, MAX_WEIGHT};
