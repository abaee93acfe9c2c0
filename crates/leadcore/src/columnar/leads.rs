//! Leads from named columns, one row per lead, through the field registry: a column named
//! after a built-in field fills it, a column named after a declared custom field fills that
//! (read as its declared type), and any other column is an error naming the closest known
//! field, unless the caller opts in to keeping extra columns as custom fields.

use super::AttrValues;
use crate::error::{Error, Result};
use crate::model::{Catalog, ColumnRole, Lead, Record, ValueRef, closest, coerce_ref};

/// One column of a leads table.
#[derive(Debug, Clone, Copy)]
pub struct LeadColumn<'a> {
    /// Column name: a lead field.
    pub name: &'a str,
    /// Its values (timestamps as [`AttrValues::Int`] are not times: give a
    /// [`LeadColumn`] of times through [`LeadTable::times`]).
    pub values: AttrValues<'a>,
}

/// What to do with a column that is neither a built-in field nor a declared custom field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtraColumns {
    /// Refuse the table, naming the column and the closest known field.
    #[default]
    Error,
    /// Keep it as a custom field of that name (its values as they come).
    Custom,
}

/// Leads as columns.
///
/// ```
/// use leadcore::columnar::{AttrValues, Column, DictColumn, ExtraColumns, LeadColumn, LeadTable};
/// use leadcore::model::Catalog;
/// let ids = ["A".to_owned(), "B".to_owned()];
/// let industries = ["Software".to_owned()];
/// let columns = [
///     LeadColumn { name: "id", values: AttrValues::Text(DictColumn { codes: &[0, 1], dictionary: &ids }) },
///     LeadColumn { name: "employees", values: AttrValues::Float(Column { values: &[20.0, f64::NAN], valid: None }) },
///     LeadColumn { name: "Industry", values: AttrValues::Text(DictColumn { codes: &[0, u32::MAX], dictionary: &industries }) },
/// ];
/// let table = LeadTable { columns: &columns, times: &[] };
/// let err = table.build(&Catalog::default(), ExtraColumns::Error).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input: leads column `Industry` is not a lead field (did you mean `industry`?); declare it under `fields` or pass extra=\"custom\"");
/// let leads = table.build(&Catalog::default(), ExtraColumns::Custom).unwrap();
/// assert_eq!(leads[0].firmographics.employees, Some(20));
/// assert_eq!(leads[1].firmographics.employees, None);
/// assert_eq!(leads[0].custom["Industry"], leadcore::FieldValue::Text("Software".into()));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct LeadTable<'a> {
    /// Value columns.
    pub columns: &'a [LeadColumn<'a>],
    /// Time columns (Unix microseconds, UTC), by name: `created_at` or a date_time field.
    pub times: &'a [(&'a str, super::Column<'a, i64>)],
}

impl LeadTable<'_> {
    /// Builds one [`Lead`] per row. Needs an `id` column with no missing value; the message
    /// of an error names the column and row.
    pub fn build(&self, catalog: &Catalog, extra: ExtraColumns) -> Result<Vec<Lead>> {
        let bad = |message: String| Error::invalid_input(message);
        let rows = match (self.columns.first(), self.times.first()) {
            (Some(c), _) => c.values.len(),
            (None, Some((_, t))) => t.values.len(),
            (None, None) => 0,
        };
        let names = self
            .columns
            .iter()
            .map(|c| c.name)
            .chain(self.times.iter().map(|t| t.0));
        let mut seen: Vec<&str> = Vec::new();
        for name in names {
            if seen.contains(&name) {
                return Err(bad(format!("leads: column `{name}` appears twice")));
            }
            seen.push(name);
        }
        if !seen
            .iter()
            .any(|n| Lead::field_def(n).is_some_and(|d| d.role == ColumnRole::Key))
        {
            return Err(bad("leads: no `id` column".to_owned()));
        }
        let mut leads = vec![Lead::default(); rows];
        for c in self.columns {
            fill(&mut leads, catalog, extra, c.name, c.values.len(), &|row| {
                c.values.get(row)
            })?;
        }
        for (name, col) in self.times {
            let mut times = Vec::with_capacity(col.values.len());
            for row in 0..col.values.len() {
                times.push(match col.get(row) {
                    None => None,
                    Some(us) => Some(chrono::DateTime::from_timestamp_micros(us).ok_or_else(|| {
                        bad(format!("leads column `{name}` row {row}: {us} µs is not a representable instant"))
                    })?),
                });
            }
            fill(&mut leads, catalog, extra, name, times.len(), &|row| {
                times.get(row).copied().flatten().map(ValueRef::DateTime)
            })?;
        }
        Ok(leads)
    }
}

/// Fills column `name` (of `len` rows, row `i` read by `get`) into `leads`.
fn fill<'v>(
    leads: &mut [Lead],
    catalog: &Catalog,
    extra: ExtraColumns,
    name: &str,
    len: usize,
    get: &dyn Fn(usize) -> Option<ValueRef<'v>>,
) -> Result<()> {
    let bad = |message: String| Error::invalid_input(message);
    let rows = leads.len();
    if len != rows {
        return Err(bad(format!(
            "leads: column `{name}` has {len} rows, not {rows}"
        )));
    }
    let def = Lead::field_def(name);
    let custom = catalog.fields.get(name).copied();
    if def.is_none() && custom.is_none() && extra == ExtraColumns::Error {
        let known = Lead::FIELDS
            .iter()
            .map(|f| f.name)
            .chain(catalog.fields.keys().map(String::as_str));
        let hint = closest(name, known)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        return Err(bad(format!(
            "leads column `{name}` is not a lead field{hint}; declare it under `fields` or pass extra=\"custom\""
        )));
    }
    for (row, lead) in leads.iter_mut().enumerate() {
        let v = get(row);
        let result = match (def, custom) {
            (Some(def), _) => {
                if def.role == ColumnRole::Key && v.is_none() {
                    Err("an id is required".to_owned())
                } else {
                    def.set(lead, v)
                }
            }
            (None, Some(ty)) => match v {
                None => Ok(()),
                Some(v) => match coerce_ref(v, ty) {
                    Some(typed) => {
                        lead.custom.insert(name.to_owned(), typed.to_owned_value());
                        Ok(())
                    }
                    None => Err(format!(
                        "a {} value cannot fill `{name}` ({})",
                        v.field_type().name(),
                        ty.name()
                    )),
                },
            },
            (None, None) => {
                if let Some(v) = v {
                    lead.custom.insert(name.to_owned(), v.to_owned_value());
                }
                Ok(())
            }
        };
        result.map_err(|m| bad(format!("leads column `{name}` row {row}: {m}")))?;
    }
    Ok(())
}
