//! The domain model: leads, accounts, opportunities, activities, reps and teams, and the
//! field registry every list of fields is derived from.

mod activity;
mod catalog;
mod checked;
mod deal;
mod field;
mod lead;
mod org;
mod registry;

pub use activity::{ATTRIBUTES, Activity, ActivityKind, AttributeDef};
pub use catalog::{Catalog, RecordKind};
pub(crate) use checked::Checked;
pub use deal::{Account, DealType, ForecastCategory, Money, Opportunity};
pub(crate) use field::coerce_ref;
pub use field::{FieldSource, FieldType, FieldValue, ValueRef};
pub use lead::{Contact, Direction, Firmographics, Lead, LeadSource};
pub use org::{Actor, Org, OrgProblem, Rep, Role, Team};
pub(crate) use registry::closest;
pub use registry::{ColumnRole, FieldDef, Record};

#[cfg(feature = "schema")]
/// Every built-in field name of leads and opportunities, from the registry (what the JSON
/// Schema offers as examples).
pub(crate) fn builtin_field_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = Lead::FIELDS
        .iter()
        .map(|f| f.name)
        .chain(Opportunity::FIELDS.iter().map(|f| f.name))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[cfg(feature = "schema")]
/// Every built-in activity attribute name, from the registry, and `attrs.NAME`.
pub(crate) fn attribute_names() -> Vec<&'static str> {
    ATTRIBUTES
        .iter()
        .map(|a| a.name)
        .chain(["attrs.NAME"])
        .collect()
}
