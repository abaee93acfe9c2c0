//! The domain model: leads, accounts, opportunities, activities, reps and teams.

mod activity;
mod deal;
mod field;
mod lead;
mod org;

pub use activity::{Activity, ActivityKind};
pub use deal::{Account, DealType, ForecastCategory, Money, Opportunity};
pub use field::{FieldSource, FieldType, FieldValue};
pub use lead::{Contact, Direction, Firmographics, Lead, LeadSource};
pub use org::{Actor, Org, OrgProblem, Rep, Role, Team};
