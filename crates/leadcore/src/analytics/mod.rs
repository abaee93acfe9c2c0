//! Pipeline analytics computed from lifecycle states.

mod funnel;

pub use funnel::{Funnel, FunnelStage};
