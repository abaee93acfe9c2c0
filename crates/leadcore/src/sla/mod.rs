//! SLA timers: promises such as "first touch within 5 minutes of business time", "at least
//! 6 call attempts in the first 7 days", "marketing hands an MQL to sales within 4 hours".
//!
//! Each policy is a clock per lead that starts, pauses and stops on [`Condition`]s (the
//! same language as guards and routing rules, plus `stage` leaves), counts business time of
//! a named calendar by interval arithmetic (never a loop over seconds), and escalates when
//! late with actions emitted as data. [`Sla::clocks`] builds a lead's clocks from its
//! timeline; [`Sla::status`] reads one at any `now` (pending, due soon, paused, breached,
//! met; the deadline; the next instant the status changes); [`Sla::status_columns`] reads a
//! million at once; [`SlaMetrics`] sums statuses into speed-to-lead figures per rep or team.
//!
//! [`Condition`]: crate::Condition

mod clock;
mod columns;
mod inputs;
mod metrics;
mod model;
mod spec;
mod status;
pub(crate) mod validate;

pub use clock::{SlaClock, SlaFacts, StageChange};
pub use columns::{SlaClockColumns, SlaClockTable, SlaStatusColumns};
pub use inputs::SlaInput;
pub use metrics::{SlaMetrics, SlaMetricsRow};
pub use model::Sla;
pub use spec::{EscalationSpec, SlaPolicySpec, SlaSpec};
pub use status::{SlaState, SlaStatus};
