//! The domain model: leads, accounts, opportunities, activities, reps and teams, and the
//! field registry every list of fields is derived from.

mod activity;
mod catalog;
mod deal;
mod field;
mod lead;
mod org;
mod registry;

pub use activity::{ATTRIBUTES, Activity, ActivityKind, AttributeDef};
pub use catalog::{Catalog, RecordKind};
pub use deal::{Account, DealType, ForecastCategory, Money, Opportunity};
pub(crate) use field::coerce_ref;
pub use field::{FieldSource, FieldType, FieldValue, ValueRef};
pub use lead::{Contact, Direction, Firmographics, Lead, LeadSource};
pub use org::{Actor, Org, OrgProblem, Rep, Role, Team};
pub(crate) use registry::closest;
pub use registry::{ColumnRole, FieldDef, Record};
