//! The catalog: the names a playbook declares (custom fields and their types, custom activity
//! kinds, score models), built first by the playbook and handed to every section's
//! validation and to condition compilation.

use super::activity::ActivityKind;
use super::deal::Opportunity;
use super::field::FieldType;
use super::lead::Lead;
use super::registry::Record;
use std::collections::BTreeMap;

/// Which record a condition's `field` leaves read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordKind {
    /// A [`Lead`].
    Lead,
    /// An [`Opportunity`].
    Opportunity,
}

impl RecordKind {
    /// The position of a built-in field in this record's registry.
    pub fn builtin_index(self, name: &str) -> Option<usize> {
        match self {
            RecordKind::Lead => Lead::FIELDS.iter().position(|f| f.name == name),
            RecordKind::Opportunity => Opportunity::FIELDS.iter().position(|f| f.name == name),
        }
    }

    /// The declared type of a built-in field of this record.
    pub fn builtin_type(self, name: &str) -> Option<FieldType> {
        match self {
            RecordKind::Lead => Lead::field_def(name).map(|f| f.field_type),
            RecordKind::Opportunity => Opportunity::field_def(name).map(|f| f.field_type),
        }
    }
}

/// What a playbook declares, by name.
///
/// ```
/// use leadcore::model::{Catalog, RecordKind};
/// use leadcore::FieldType;
/// let mut cat = Catalog::default();
/// cat.fields.insert("budget".into(), FieldType::Number);
/// assert_eq!(cat.field_type(RecordKind::Lead, "budget"), Some(FieldType::Number));
/// assert_eq!(cat.field_type(RecordKind::Lead, "employees"), Some(FieldType::Number));
/// assert_eq!(cat.field_type(RecordKind::Lead, "shoe_size"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Catalog {
    /// Custom fields and their types (for leads and opportunities alike).
    pub fields: BTreeMap<String, FieldType>,
    /// Custom activity kinds.
    pub activity_kinds: Vec<String>,
    /// Declared score models, in order.
    pub score_models: Vec<String>,
    /// Named calendars (sorted), for the sections that refer to one by name.
    pub calendars: Vec<String>,
    /// The lead lifecycle's stages (for `stage` leaves).
    pub stages: Vec<String>,
}

impl Catalog {
    /// The declared type of a field: built in for `record`, else declared custom.
    pub fn field_type(&self, record: RecordKind, name: &str) -> Option<FieldType> {
        record
            .builtin_type(name)
            .or_else(|| self.fields.get(name).copied())
    }

    /// Whether an activity kind is built in or declared.
    pub fn knows_activity_kind(&self, kind: &ActivityKind) -> bool {
        match kind {
            ActivityKind::Custom(name) => self.activity_kinds.iter().any(|d| d == name),
            _ => true,
        }
    }

    /// Whether a calendar of this name is declared.
    pub fn knows_calendar(&self, name: &str) -> bool {
        self.calendars.iter().any(|c| c == name)
    }

    /// Whether a score model may be named: any name while none is declared.
    pub fn knows_score_model(&self, name: &str) -> bool {
        self.score_models.is_empty() || self.score_models.iter().any(|m| m == name)
    }
}
