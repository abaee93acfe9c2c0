//! Field values: the typed values of lead, opportunity and custom fields.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A typed field value, as stored in custom fields and compared by guards.
///
/// In JSON, TOML and YAML a value is written plainly: `true`, `42`, `1.5`,
/// `"2026-01-31"` (a date), `"2026-01-31T09:00:00Z"` (an instant), `"text"`, or a list.
/// Strings that parse as an ISO date or an RFC 3339 instant become [`FieldValue::Date`] and
/// [`FieldValue::DateTime`]; they serialise back to the same text.
///
/// ```
/// use leadcore::FieldValue;
/// let v: FieldValue = serde_json::from_str("\"2026-03-01\"").unwrap();
/// assert!(matches!(v, FieldValue::Date(_)));
/// assert_eq!(serde_json::to_string(&v).unwrap(), "\"2026-03-01\"");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FieldValue {
    /// A boolean.
    Bool(bool),
    /// An integer (counts, money in minor units, employees).
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A calendar date, written `YYYY-MM-DD`.
    Date(NaiveDate),
    /// An instant, written in RFC 3339.
    DateTime(DateTime<Utc>),
    /// Free text.
    Text(String),
    /// A list of values (multi-select fields, `in` comparisons).
    List(Vec<FieldValue>),
}

impl FieldValue {
    /// The [`FieldType`] of this value.
    ///
    /// ```
    /// use leadcore::{FieldType, FieldValue};
    /// assert_eq!(FieldValue::Int(3).field_type(), FieldType::Number);
    /// ```
    pub fn field_type(&self) -> FieldType {
        match self {
            FieldValue::Bool(_) => FieldType::Bool,
            FieldValue::Int(_) | FieldValue::Float(_) => FieldType::Number,
            FieldValue::Date(_) => FieldType::Date,
            FieldValue::DateTime(_) => FieldType::DateTime,
            FieldValue::Text(_) => FieldType::Text,
            FieldValue::List(_) => FieldType::List,
        }
    }

    /// Orders two values of comparable types (numbers with numbers, dates with dates, text
    /// with text, booleans with booleans); `None` when they cannot be compared.
    ///
    /// ```
    /// use leadcore::FieldValue;
    /// use std::cmp::Ordering;
    /// assert_eq!(FieldValue::Int(2).compare(&FieldValue::Float(2.5)), Some(Ordering::Less));
    /// assert_eq!(FieldValue::Int(2).compare(&FieldValue::Text("2".into())), None);
    /// ```
    pub fn compare(&self, other: &FieldValue) -> Option<Ordering> {
        use FieldValue::*;
        match (self, other) {
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Int(a), Float(b)) => (*a as f64).partial_cmp(b),
            (Float(a), Int(b)) => a.partial_cmp(&(*b as f64)),
            (Float(a), Float(b)) => a.partial_cmp(b),
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (DateTime(a), DateTime(b)) => Some(a.cmp(b)),
            (Date(a), DateTime(b)) => Some(a.cmp(&b.date_naive())),
            (DateTime(a), Date(b)) => Some(a.date_naive().cmp(b)),
            (Text(a), Text(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl From<&str> for FieldValue {
    fn from(v: &str) -> Self {
        FieldValue::Text(v.to_owned())
    }
}
impl From<String> for FieldValue {
    fn from(v: String) -> Self {
        FieldValue::Text(v)
    }
}
impl From<i64> for FieldValue {
    fn from(v: i64) -> Self {
        FieldValue::Int(v)
    }
}
impl From<f64> for FieldValue {
    fn from(v: f64) -> Self {
        FieldValue::Float(v)
    }
}
impl From<bool> for FieldValue {
    fn from(v: bool) -> Self {
        FieldValue::Bool(v)
    }
}
impl From<NaiveDate> for FieldValue {
    fn from(v: NaiveDate) -> Self {
        FieldValue::Date(v)
    }
}

/// The declared type of a field: what a playbook says a custom field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// `true` / `false`.
    Bool,
    /// Integer or decimal number.
    Number,
    /// Calendar date.
    Date,
    /// Instant.
    DateTime,
    /// Free text.
    Text,
    /// List of values.
    List,
}

impl FieldType {
    /// Whether values of this type have an order (`lt`, `gt`, ... make sense).
    ///
    /// ```
    /// use leadcore::FieldType;
    /// assert!(FieldType::Number.is_ordered());
    /// assert!(!FieldType::Bool.is_ordered());
    /// ```
    pub fn is_ordered(self) -> bool {
        matches!(
            self,
            FieldType::Number | FieldType::Date | FieldType::DateTime | FieldType::Text
        )
    }

    /// Whether a value of type `value` may be compared with a field of this type.
    pub(crate) fn accepts(self, value: FieldType) -> bool {
        self == value
            || matches!(
                (self, value),
                (FieldType::Date, FieldType::DateTime) | (FieldType::DateTime, FieldType::Date)
            )
    }

    /// The type's name as written in playbooks.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Bool => "bool",
            FieldType::Number => "number",
            FieldType::Date => "date",
            FieldType::DateTime => "date_time",
            FieldType::Text => "text",
            FieldType::List => "list",
        }
    }
}

/// Anything whose fields guards can read: a lead, an opportunity.
pub trait FieldSource {
    /// The value of the named field, `None` when absent. Built-in fields come first, then
    /// custom fields.
    fn field(&self, name: &str) -> Option<FieldValue>;
}
