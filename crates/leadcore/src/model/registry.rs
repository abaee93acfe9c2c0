//! The field registry: each built-in field of a record, once, with its name, type, getter,
//! setter and column role. Conditions, validation, the columnar lead reader and the JSON
//! Schema read fields through it; no other list of fields exists.

use super::catalog::RecordKind;
use super::field::{FieldSource, FieldType, FieldValue, ValueRef, coerce_ref};
use std::collections::BTreeMap;

/// What a field is to a table of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnRole {
    /// The record's identifier: the column rows are matched on.
    Key,
    /// An ordinary value.
    Value,
}

type Getter<R> = for<'a> fn(&'a R) -> Option<ValueRef<'a>>;
type Setter<R> = fn(&mut R, Option<ValueRef<'_>>) -> Result<(), String>;

/// One built-in field of a record type `R`.
///
/// ```
/// use leadcore::{FieldType, Lead, Record, ValueRef};
/// let employees = Lead::field_def("employees").unwrap();
/// assert_eq!(employees.field_type, FieldType::Number);
/// let mut lead = Lead::new("L-1");
/// employees.set(&mut lead, Some(ValueRef::Float(20.0))).unwrap();
/// assert_eq!(lead.firmographics.employees, Some(20));
/// assert!(employees.set(&mut lead, Some(ValueRef::Int(-3))).is_err());
/// assert_eq!(employees.get(&lead), Some(ValueRef::Int(20)));
/// ```
pub struct FieldDef<R: 'static> {
    /// Name used by conditions and as a column name.
    pub name: &'static str,
    /// Declared type.
    pub field_type: FieldType,
    /// Role in a table of records.
    pub role: ColumnRole,
    pub(crate) get: Getter<R>,
    pub(crate) set: Setter<R>,
}

impl<R> std::fmt::Debug for FieldDef<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldDef")
            .field("name", &self.name)
            .field("field_type", &self.field_type)
            .field("role", &self.role)
            .finish()
    }
}

impl<R> FieldDef<R> {
    /// The field's value in `record`.
    pub fn get<'a>(&self, record: &'a R) -> Option<ValueRef<'a>> {
        (self.get)(record)
    }

    /// Sets (or with `None` clears) the field; the value is read as the field's type
    /// ([`FieldValue::coerce`]) and checked (a count is a whole number from 0 to 2³²−1, a
    /// whole float counting as one). The message says what is wrong.
    pub fn set(&self, record: &mut R, value: Option<ValueRef<'_>>) -> Result<(), String> {
        let value = match value {
            None => None,
            Some(v) => Some(coerce_ref(v, self.field_type).ok_or_else(|| {
                format!(
                    "a {} value cannot fill `{}` ({})",
                    v.field_type().name(),
                    self.name,
                    self.field_type.name()
                )
            })?),
        };
        (self.set)(record, value)
    }
}

/// A record with a field registry: its built-in fields, then custom fields by name.
pub trait Record: Sized + 'static {
    /// Which record this is.
    const KIND: RecordKind;
    /// Every built-in field.
    const FIELDS: &'static [FieldDef<Self>];
    /// The custom fields.
    fn custom(&self) -> &BTreeMap<String, FieldValue>;
    /// The custom fields, to change.
    fn custom_mut(&mut self) -> &mut BTreeMap<String, FieldValue>;

    /// A built-in field by name.
    fn field_def(name: &str) -> Option<&'static FieldDef<Self>> {
        Self::FIELDS.iter().find(|f| f.name == name)
    }

    /// The built-in field whose name is closest to `name` (same letters in another case, or
    /// at most two edits away): what an error about an unknown column suggests.
    ///
    /// ```
    /// use leadcore::{Lead, Record};
    /// assert_eq!(Lead::closest_field("Industry"), Some("industry"));
    /// assert_eq!(Lead::closest_field("emploees"), Some("employees"));
    /// assert_eq!(Lead::closest_field("shoe_size"), None);
    /// ```
    fn closest_field(name: &str) -> Option<&'static str> {
        closest(name, Self::FIELDS.iter().map(|f| f.name))
    }
}

impl<R: Record> FieldSource for R {
    fn field_ref(&self, name: &str) -> Option<ValueRef<'_>> {
        match R::field_def(name) {
            Some(def) => def.get(self),
            None => self.custom().get(name).map(FieldValue::as_value_ref),
        }
    }

    fn record_kind(&self) -> Option<RecordKind> {
        Some(R::KIND)
    }

    fn builtin_ref(&self, index: usize) -> Option<ValueRef<'_>> {
        R::FIELDS.get(index).and_then(|def| def.get(self))
    }

    fn custom_ref(&self, name: &str) -> Option<ValueRef<'_>> {
        self.custom().get(name).map(FieldValue::as_value_ref)
    }
}

/// The candidate closest to `name`: equal ignoring case, else at most two edits away (ties:
/// the first).
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = if c.to_lowercase() == lower {
            0
        } else {
            edit_distance(&lower, c)
        };
        if d <= 2 && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

// Helpers the registries below are written with.

pub(crate) fn text_of(v: &Option<String>) -> Option<ValueRef<'_>> {
    v.as_deref().map(ValueRef::Text)
}

pub(crate) fn set_text(slot: &mut Option<String>, v: Option<ValueRef<'_>>) -> Result<(), String> {
    *slot = match v {
        None => None,
        Some(ValueRef::Text(s)) => Some(s.to_owned()),
        Some(other) => return Err(format!("expected text, got {}", other.field_type().name())),
    };
    Ok(())
}

pub(crate) fn set_required_text(slot: &mut String, v: Option<ValueRef<'_>>) -> Result<(), String> {
    match v {
        Some(ValueRef::Text(s)) => {
            *slot = s.to_owned();
            Ok(())
        }
        None => Err("a value is required".to_owned()),
        Some(other) => Err(format!("expected text, got {}", other.field_type().name())),
    }
}

pub(crate) fn set_count(slot: &mut Option<u32>, v: Option<ValueRef<'_>>) -> Result<(), String> {
    *slot = match v {
        None => None,
        Some(ValueRef::Int(i)) => Some(u32::try_from(i).map_err(|_| bad_count(&i))?),
        Some(ValueRef::Float(f)) if f.is_nan() => None,
        Some(ValueRef::Float(f)) => {
            if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) {
                Some(f as u32)
            } else {
                return Err(bad_count(&f));
            }
        }
        Some(other) => {
            return Err(format!(
                "expected a count, got {}",
                other.field_type().name()
            ));
        }
    };
    Ok(())
}

fn bad_count(v: &dyn std::fmt::Display) -> String {
    format!("{v} is not a whole number from 0 to {}", u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Lead, Opportunity};

    #[test]
    fn every_lead_field_reads_back_what_it_was_set_to() {
        for def in Lead::FIELDS {
            let mut lead = Lead::new("L");
            let value = match def.field_type {
                FieldType::Number => FieldValue::Int(7),
                FieldType::DateTime => FieldValue::Text("2026-01-02T03:04:05Z".into()),
                _ if def.name == "direction" => FieldValue::Text("inbound".into()),
                _ => FieldValue::Text("x".into()),
            };
            def.set(&mut lead, Some(value.as_value_ref())).unwrap();
            let back = def.get(&lead).unwrap().to_owned_value();
            assert_eq!(
                back.coerce(def.field_type),
                value.coerce(def.field_type),
                "{}",
                def.name
            );
            assert_eq!(lead.field_ref(def.name), def.get(&lead));
        }
    }

    #[test]
    fn opportunity_fields_are_registered() {
        let names: Vec<&str> = Opportunity::FIELDS.iter().map(|f| f.name).collect();
        assert!(names.contains(&"amount") && names.contains(&"expected_close"));
    }

    #[test]
    fn closest_names() {
        let names = ["industry", "employees", "id"];
        assert_eq!(closest("INDUSTRY", names.into_iter()), Some("industry"));
        assert_eq!(closest("idd", names.into_iter()), Some("id"));
        assert_eq!(closest("zzzzzz", names.into_iter()), None);
    }
}
