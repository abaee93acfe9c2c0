//! Field values: the typed values of lead, opportunity and custom fields.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A typed field value, as stored in custom fields and compared by conditions.
///
/// In JSON, TOML and YAML a value is written plainly: `true`, `42`, `1.5`, `"text"`, or a
/// list. A string is always read as [`FieldValue::Text`]: nothing is guessed from its look.
/// Dates and instants come from a field's declared type ([`FieldValue::coerce`]), so
/// `"2026-01-31"` is a date where the field is a date and text where it is text. They are
/// written back as the same ISO / RFC 3339 text.
///
/// ```
/// use leadcore::{FieldType, FieldValue};
/// let v: FieldValue = serde_json::from_str("\"2026-03-01\"").unwrap();
/// assert_eq!(v, FieldValue::Text("2026-03-01".into()));
/// let d = v.coerce(FieldType::Date).unwrap();
/// assert!(matches!(d, FieldValue::Date(_)));
/// assert_eq!(serde_json::to_string(&d).unwrap(), "\"2026-03-01\"");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
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

impl<'de> Deserialize<'de> for FieldValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = FieldValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean, a number, a string or a list of them")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FieldValue, E> {
        Ok(FieldValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<FieldValue, E> {
        Ok(FieldValue::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<FieldValue, E> {
        i64::try_from(v)
            .map(FieldValue::Int)
            .map_err(|_| E::custom(format!("integer {v} is out of range")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<FieldValue, E> {
        Ok(FieldValue::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<FieldValue, E> {
        Ok(FieldValue::Text(v))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<FieldValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(FieldValue::List(items))
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for FieldValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FieldValue".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A boolean, number, string (typed by the field it is compared with: a date field reads `YYYY-MM-DD`, a date_time field RFC 3339) or a list of them.",
            "anyOf": [
                {"type": "boolean"},
                {"type": "number"},
                {"type": "string"},
                {"type": "array", "items": {"$ref": "#/$defs/FieldValue"}}
            ]
        })
    }
}

/// A borrowed field value: what getters hand to conditions without copying text.
///
/// ```
/// use leadcore::{FieldValue, ValueRef};
/// let v = FieldValue::Text("VP Sales".into());
/// assert_eq!(v.as_value_ref(), ValueRef::Text("VP Sales"));
/// assert_eq!(ValueRef::Int(3).to_owned_value(), FieldValue::Int(3));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A calendar date.
    Date(NaiveDate),
    /// An instant.
    DateTime(DateTime<Utc>),
    /// Text.
    Text(&'a str),
    /// A list.
    List(&'a [FieldValue]),
}

impl ValueRef<'_> {
    /// An owned copy.
    pub fn to_owned_value(self) -> FieldValue {
        match self {
            ValueRef::Bool(b) => FieldValue::Bool(b),
            ValueRef::Int(i) => FieldValue::Int(i),
            ValueRef::Float(f) => FieldValue::Float(f),
            ValueRef::Date(d) => FieldValue::Date(d),
            ValueRef::DateTime(t) => FieldValue::DateTime(t),
            ValueRef::Text(s) => FieldValue::Text(s.to_owned()),
            ValueRef::List(l) => FieldValue::List(l.to_vec()),
        }
    }

    /// The [`FieldType`] of this value.
    pub fn field_type(self) -> FieldType {
        match self {
            ValueRef::Bool(_) => FieldType::Bool,
            ValueRef::Int(_) | ValueRef::Float(_) => FieldType::Number,
            ValueRef::Date(_) => FieldType::Date,
            ValueRef::DateTime(_) => FieldType::DateTime,
            ValueRef::Text(_) => FieldType::Text,
            ValueRef::List(_) => FieldType::List,
        }
    }
}

impl FieldValue {
    /// A borrowed view of this value.
    pub fn as_value_ref(&self) -> ValueRef<'_> {
        match self {
            FieldValue::Bool(b) => ValueRef::Bool(*b),
            FieldValue::Int(i) => ValueRef::Int(*i),
            FieldValue::Float(f) => ValueRef::Float(*f),
            FieldValue::Date(d) => ValueRef::Date(*d),
            FieldValue::DateTime(t) => ValueRef::DateTime(*t),
            FieldValue::Text(s) => ValueRef::Text(s),
            FieldValue::List(l) => ValueRef::List(l),
        }
    }

    /// This value read as a field of type `ty`, or `None` when it is not one: text reads as a
    /// date (`YYYY-MM-DD`) for a date field and as an instant (RFC 3339) for a date_time field;
    /// a date and an instant read as each other's day; numbers stay numbers. Nothing else is
    /// converted (a number is not text, text is not a number).
    ///
    /// ```
    /// use leadcore::{FieldType, FieldValue};
    /// assert!(FieldValue::Text("2026-01-15".into()).coerce(FieldType::Text).is_some());
    /// assert!(FieldValue::Text("soon".into()).coerce(FieldType::Date).is_none());
    /// assert!(FieldValue::Int(3).coerce(FieldType::Text).is_none());
    /// ```
    pub fn coerce(&self, ty: FieldType) -> Option<FieldValue> {
        coerce_ref(self.as_value_ref(), ty).map(ValueRef::to_owned_value)
    }

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
        self.as_value_ref().compare(other.as_value_ref())
    }
}

impl ValueRef<'_> {
    /// Orders two values of comparable types: numbers with numbers (an integer and a float by
    /// value), dates with dates and instants (an instant by its UTC day), text with text (by
    /// bytes), booleans with booleans; `None` otherwise, and for NaN.
    #[inline]
    pub fn compare(self, other: ValueRef<'_>) -> Option<Ordering> {
        use ValueRef::*;
        match (self, other) {
            (Bool(a), Bool(b)) => Some(a.cmp(&b)),
            (Int(a), Int(b)) => Some(a.cmp(&b)),
            (Int(a), Float(b)) => cmp_int_float(a, b),
            (Float(a), Int(b)) => cmp_int_float(b, a).map(Ordering::reverse),
            (Float(a), Float(b)) => a.partial_cmp(&b),
            (Date(a), Date(b)) => Some(a.cmp(&b)),
            (DateTime(a), DateTime(b)) => Some(a.cmp(&b)),
            (Date(a), DateTime(b)) => Some(a.cmp(&b.date_naive())),
            (DateTime(a), Date(b)) => Some(a.date_naive().cmp(&b)),
            (Text(a), Text(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// An integer against a float, exactly (no rounding of large integers).
fn cmp_int_float(a: i64, b: f64) -> Option<Ordering> {
    if b.is_nan() {
        return None;
    }
    // Every i64 lies in [-2^63, 2^63); a float outside that range orders by its sign.
    if b >= 9_223_372_036_854_775_808.0 {
        return Some(Ordering::Less);
    }
    if b < -9_223_372_036_854_775_808.0 {
        return Some(Ordering::Greater);
    }
    let t = b.trunc();
    match a.cmp(&(t as i64)) {
        Ordering::Equal if b > t => Some(Ordering::Less),
        Ordering::Equal if b < t => Some(Ordering::Greater),
        o => Some(o),
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

/// [`FieldValue::coerce`] on a borrowed value (text stays borrowed).
#[inline]
pub(crate) fn coerce_ref(v: ValueRef<'_>, ty: FieldType) -> Option<ValueRef<'_>> {
    match (ty, v) {
        (FieldType::Bool, ValueRef::Bool(_))
        | (FieldType::Number, ValueRef::Int(_) | ValueRef::Float(_))
        | (FieldType::Text, ValueRef::Text(_))
        | (FieldType::List, ValueRef::List(_))
        | (FieldType::Date, ValueRef::Date(_) | ValueRef::DateTime(_))
        | (FieldType::DateTime, ValueRef::DateTime(_) | ValueRef::Date(_)) => Some(v),
        (FieldType::Date, ValueRef::Text(s)) => parse_date(s).map(ValueRef::Date),
        (FieldType::DateTime, ValueRef::Text(s)) => parse_instant(s).map(ValueRef::DateTime),
        _ => None,
    }
}

/// A `YYYY-MM-DD` date.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// An RFC 3339 instant, in UTC.
pub(crate) fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The declared type of a field: what a playbook says a custom field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// Anything whose fields conditions can read: a lead, an opportunity. Implemented through the
/// record's field registry ([`crate::model::FieldDef`]).
pub trait FieldSource {
    /// The value of the named field, borrowed; `None` when absent. Built-in fields come
    /// first, then custom fields.
    fn field_ref(&self, name: &str) -> Option<ValueRef<'_>>;

    /// The value of the named field, owned.
    fn field(&self, name: &str) -> Option<FieldValue> {
        self.field_ref(name).map(ValueRef::to_owned_value)
    }

    /// Which registered record this is, if any (compiled conditions then read built-in
    /// fields by position instead of by name).
    fn record_kind(&self) -> Option<super::catalog::RecordKind> {
        None
    }

    /// The built-in field at `index` of the record's registry.
    fn builtin_ref(&self, index: usize) -> Option<ValueRef<'_>> {
        let _ = index;
        None
    }

    /// A custom field, by name.
    fn custom_ref(&self, name: &str) -> Option<ValueRef<'_>> {
        self.field_ref(name)
    }
}
