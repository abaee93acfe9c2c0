//! Leads from Arrow columns, one row per lead, through the core's `LeadTable::build`.

use crate::columns::int_type;
use crate::read::{Kind, each_bool, each_float, each_int, each_timestamp, encode_strings, kind_of};
use crate::table::{ChunkedColumn, Table, is_pandas_index};
use crate::{Error, Result, invalid};
use arrow_array::ArrayRef;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Date64Type};
use arrow_schema::TimeUnit;
use chrono::{DateTime, NaiveDate};
use leadcore::Lead;
use leadcore::columnar::{
    Column, DictBuilder, ExtraColumns, LeadColumn, LeadTable, NULL_CODE, OwnedAttr,
};
use leadcore::model::{Catalog, FieldType, RecordKind};

/// One column's values, owned.
enum Owned {
    Values(OwnedAttr),
    /// Unix microseconds with validity.
    Times(Vec<i64>, Vec<bool>),
}

/// Builds one [`Lead`] per row of `table` with the core's `LeadTable::build`: `id` (text, or
/// integers written in decimal: events name such a lead by the integer), the built-in fields by their flat names (`channel`, `email`, `employees`, `created_at`, ...),
/// declared custom fields by name, and other columns as `extra` says (an error naming the
/// closest field, or custom fields). Strings in any layout, integers, floats, booleans,
/// dates (as `YYYY-MM-DD` text, which a date field reads) and timestamps of any unit (a
/// zone-less one is UTC); integers in a date-time field (`created_at`, a declared
/// `date_time`) are Unix seconds, as in every other time column; nulls are absent values;
/// pandas index columns are left out.
///
/// ```
/// use arrow_array::{ArrayRef, Float64Array, StringArray};
/// use leadcore::columnar::ExtraColumns;
/// use leadcore::model::{Catalog, FieldType, RecordKind};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let table = Table::new(vec![
///     ChunkedColumn::new("id", Arc::new(StringArray::from(vec!["A", "B"])) as ArrayRef),
///     ChunkedColumn::new("employees", Arc::new(Float64Array::from(vec![Some(20.0), None])) as ArrayRef),
/// ]);
/// let leads = leadcore_arrow::leads(&table, &Catalog::default(), ExtraColumns::Error).unwrap();
/// assert_eq!(leads[0].firmographics.employees, Some(20));
/// assert_eq!(leads[1].firmographics.employees, None);
/// ```
pub fn leads(table: &Table, catalog: &Catalog, extra: ExtraColumns) -> Result<Vec<Lead>> {
    // Only integer ids (a common leads table for batch scoring): each lead made once, its
    // id written once.
    if let [c] = table
        .columns
        .iter()
        .filter(|c| !is_pandas_index(&c.name))
        .collect::<Vec<_>>()
        .as_slice()
        && c.name == "id"
        && kind_of(&c.data_type) == Some(Kind::Int)
    {
        c.check_chunks()?;
        let mut leads = Vec::with_capacity(c.len());
        for chunk in &c.chunks {
            int_type!(chunk.data_type(), T => {
                for v in chunk.as_primitive::<T>().iter() {
                    let Some(v) = v else {
                        return Err(invalid(format!(
                            "leads column `id` row {}: an id is required",
                            leads.len()
                        )));
                    };
                    leads.push(Lead::new(v.to_string()));
                }
            }, _ => {});
        }
        return Ok(leads);
    }
    let mut owned: Vec<(&str, Owned)> = Vec::new();
    for c in table.columns.iter().filter(|c| !is_pandas_index(&c.name)) {
        c.check_chunks()?;
        let seconds = kind_of(&c.data_type) == Some(Kind::Int)
            && catalog.field_type(RecordKind::Lead, &c.name) == Some(FieldType::DateTime);
        owned.push((
            c.name.as_str(),
            if seconds {
                unix_seconds(c)?
            } else {
                column(c)?
            },
        ));
    }
    let mut columns = Vec::new();
    let mut times = Vec::new();
    for (name, o) in &owned {
        match o {
            Owned::Values(v) => columns.push(LeadColumn {
                name,
                values: v.values(),
            }),
            Owned::Times(values, valid) => times.push((
                *name,
                Column {
                    values,
                    valid: Some(valid),
                },
            )),
        }
    }
    Ok(LeadTable {
        columns: &columns,
        times: &times,
    }
    .build(catalog, extra)?)
}

/// The keys of a leads table that has no column but an int64 `id` with no nulls (pandas
/// index columns aside): leads with no field but their id, which batch scoring matches to
/// int64 event ids with no lead record made ([`crate::LeadKeys`]). `None` for any other
/// table.
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let t = Table::new(vec![ChunkedColumn::new("id", Arc::new(Int64Array::from(vec![5, 3])) as ArrayRef)]);
/// assert_eq!(leadcore_arrow::int64_id_keys(&t), Some(vec![Some(5), Some(3)]));
/// ```
pub fn int64_id_keys(table: &Table) -> Option<Vec<Option<i64>>> {
    let [c] = table
        .columns
        .iter()
        .filter(|c| !is_pandas_index(&c.name))
        .collect::<Vec<_>>()[..]
    else {
        return None;
    };
    if c.name != "id" || c.data_type != arrow_schema::DataType::Int64 {
        return None;
    }
    let mut keys = Vec::with_capacity(c.len());
    for chunk in &c.chunks {
        let a = chunk.as_primitive_opt::<arrow_array::types::Int64Type>()?;
        if arrow_array::Array::null_count(a) > 0 {
            return None;
        }
        keys.extend(a.values().iter().map(|&k| Some(k)));
    }
    Some(keys)
}

/// A leads table's `id` column as it came, when it holds integers (chunks joined): what a
/// batch's results carry as their `lead_id` column, in the type given. `None` when the
/// table has no `id` column or its ids are text.
///
/// ```
/// use arrow_array::{ArrayRef, Int64Array};
/// use leadcore_arrow::{ChunkedColumn, Table};
/// use std::sync::Arc;
/// let table = Table::new(vec![ChunkedColumn::new("id", Arc::new(Int64Array::from(vec![7, 9])) as ArrayRef)]);
/// let ids = leadcore_arrow::int_lead_ids(&table).unwrap().unwrap();
/// assert_eq!(ids.data_type(), &arrow_schema::DataType::Int64);
/// let leads = leadcore_arrow::leads(&table, &Default::default(), Default::default()).unwrap();
/// assert_eq!(leads[1].id, "9");
/// ```
pub fn int_lead_ids(table: &Table) -> Result<Option<ArrayRef>> {
    match table.column("id") {
        Some(c) if kind_of(&c.data_type) == Some(Kind::Int) => c.concat().map(Some),
        _ => Ok(None),
    }
}

/// An integer column of a date-time field: Unix seconds, as times (microseconds).
fn unix_seconds(c: &ChunkedColumn) -> Result<Owned> {
    let (mut values, mut valid) = (Vec::with_capacity(c.len()), Vec::with_capacity(c.len()));
    let out_of_range = |row: usize, v: &dyn std::fmt::Display| {
        invalid(format!(
            "leads column `{}` row {row}: {v} Unix seconds is out of range",
            c.name
        ))
    };
    for chunk in &c.chunks {
        let first = values.len();
        let mut push = |v: Option<i64>| -> Result<()> {
            let row = values.len();
            match v {
                None => {
                    values.push(0);
                    valid.push(false);
                }
                Some(s) => {
                    let us = s
                        .checked_mul(1_000_000)
                        .filter(|&us| DateTime::from_timestamp_micros(us).is_some())
                        .ok_or_else(|| out_of_range(row, &s))?;
                    values.push(us);
                    valid.push(true);
                }
            }
            Ok(())
        };
        each_int(chunk.as_ref(), &mut push, |u| out_of_range(first, &u)).ok_or_else(|| {
            Error::Type(format!(
                "leads column `{}` has Arrow type {}; expected integers",
                c.name, c.data_type
            ))
        })??;
    }
    Ok(Owned::Times(values, valid))
}

/// An integer `id` column as the decimal text of each id (made once per lead).
fn int_ids(c: &ChunkedColumn) -> Option<Owned> {
    let mut d = DictBuilder::default();
    for chunk in &c.chunks {
        let done = int_type!(chunk.data_type(), T => {
            let a = chunk.as_primitive::<T>();
            for v in a.iter() {
                d.codes.push(match v {
                    Some(v) => {
                        d.dictionary.push(v.to_string());
                        d.dictionary.len() as u32 - 1
                    }
                    None => NULL_CODE,
                });
            }
            true
        }, _ => false);
        if !done {
            return None;
        }
    }
    Some(Owned::Values(OwnedAttr::Text(d)))
}

fn column(c: &ChunkedColumn) -> Result<Owned> {
    let name = c.name.as_str();
    if name == "id"
        && let Some(ids) = int_ids(c)
    {
        return Ok(ids);
    }
    let wrong = || {
        Error::Type(format!(
            "leads column `{name}` has Arrow type {}; expected strings, integers, floats, \
             booleans, dates or timestamps",
            c.data_type
        ))
    };
    let kind = kind_of(&c.data_type).ok_or_else(wrong)?;
    let rows = c.len();
    match kind {
        Kind::Text | Kind::Null => {
            let mut d = DictBuilder::default();
            if !encode_strings(c, &mut d) {
                return Err(wrong());
            }
            Ok(Owned::Values(OwnedAttr::Text(d)))
        }
        Kind::Date => {
            let mut d = DictBuilder::default();
            for chunk in &c.chunks {
                let out_of_range =
                    || invalid(format!("leads column `{name}`: a date is out of range"));
                if let Some(a) = chunk.as_primitive_opt::<Date32Type>() {
                    for v in a.iter() {
                        let date = v.map(|days| {
                            days.checked_add(719_163)
                                .and_then(NaiveDate::from_num_days_from_ce_opt)
                                .ok_or_else(out_of_range)
                        });
                        d.push(date.transpose()?.map(|d| d.to_string()).as_deref());
                    }
                } else if let Some(a) = chunk.as_primitive_opt::<Date64Type>() {
                    for v in a.iter() {
                        let date = v.map(|ms| {
                            DateTime::from_timestamp_millis(ms)
                                .map(|t| t.date_naive())
                                .ok_or_else(out_of_range)
                        });
                        d.push(date.transpose()?.map(|d| d.to_string()).as_deref());
                    }
                } else {
                    return Err(wrong());
                }
            }
            Ok(Owned::Values(OwnedAttr::Text(d)))
        }
        Kind::Time => {
            let (mut values, mut valid) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
            for chunk in &c.chunks {
                let mut push = |v: Option<Option<i64>>| match v {
                    None => {
                        values.push(0);
                        valid.push(false);
                        Ok(())
                    }
                    Some(Some(us)) => {
                        values.push(us);
                        valid.push(true);
                        Ok(())
                    }
                    Some(None) => Err(invalid(format!(
                        "leads column `{name}` row {}: a time is out of range",
                        values.len()
                    ))),
                };
                each_timestamp(chunk.as_ref(), TimeUnit::Microsecond, &mut push)
                    .ok_or_else(wrong)??;
            }
            Ok(Owned::Times(values, valid))
        }
        Kind::Int | Kind::Float | Kind::Bool => {
            let (mut ints, mut floats, mut bools, mut valid) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::with_capacity(rows));
            for chunk in &c.chunks {
                let a = chunk.as_ref();
                let row = valid.len();
                let out_of_range = |u: u64| {
                    invalid(format!(
                        "leads column `{name}` row {row}: {u} is out of range"
                    ))
                };
                let done = match kind {
                    Kind::Int => each_int(
                        a,
                        &mut |v: Option<i64>| {
                            ints.push(v.unwrap_or(0));
                            valid.push(v.is_some());
                            Ok::<_, Error>(())
                        },
                        out_of_range,
                    ),
                    Kind::Float => each_float(a, &mut |v: Option<f64>| {
                        floats.push(v.unwrap_or(f64::NAN));
                        valid.push(v.is_some());
                        Ok::<_, Error>(())
                    }),
                    _ => each_bool(a, &mut |v: Option<bool>| {
                        bools.push(v.unwrap_or(false));
                        valid.push(v.is_some());
                        Ok::<_, Error>(())
                    }),
                };
                done.ok_or_else(wrong)??;
            }
            Ok(Owned::Values(match kind {
                Kind::Int => OwnedAttr::Int(ints, valid),
                Kind::Float => OwnedAttr::Float(floats, valid),
                _ => OwnedAttr::Bool(bools, valid),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        ArrayRef, BinaryArray, BooleanArray, Date32Array, Int64Array, StringArray,
        TimestampNanosecondArray, UInt8Array,
    };
    use leadcore::FieldValue;
    use std::sync::Arc;

    fn col(name: &str, a: impl arrow_array::Array + 'static) -> ChunkedColumn {
        ChunkedColumn::new(name, Arc::new(a) as ArrayRef)
    }

    #[test]
    fn integers_in_a_time_field_are_unix_seconds() {
        let stamps = Table::new(vec![
            col("id", StringArray::from(vec!["L1", "L2"])),
            col(
                "created_at",
                TimestampNanosecondArray::from(vec![Some(1_767_225_600_000_000_000), None]),
            ),
        ]);
        let seconds = Table::new(vec![
            col("id", StringArray::from(vec!["L1", "L2"])),
            col(
                "created_at",
                Int64Array::from(vec![Some(1_767_225_600), None]),
            ),
        ]);
        let catalog = Catalog::default();
        let want = leads(&stamps, &catalog, ExtraColumns::Error).unwrap();
        assert!(want[0].created_at.is_some());
        assert_eq!(
            leads(&seconds, &catalog, ExtraColumns::Error).unwrap(),
            want
        );
        let huge = Table::new(vec![
            col("id", StringArray::from(vec!["L1"])),
            col("created_at", Int64Array::from(vec![i64::MAX])),
        ]);
        let err = leads(&huge, &catalog, ExtraColumns::Error).unwrap_err();
        assert!(err.message().contains("row 0"), "{}", err.message());
        // Elsewhere an integer stays a number.
        let budget = Table::new(vec![
            col("id", StringArray::from(vec!["L1"])),
            col("budget", Int64Array::from(vec![5])),
        ]);
        assert!(leads(&budget, &catalog, ExtraColumns::Custom).is_ok());
    }

    #[test]
    fn rows_are_the_dict_leads() {
        let table = Table::new(vec![
            col("id", StringArray::from(vec!["L1", "L2"])),
            col("direction", StringArray::from(vec![Some("inbound"), None])),
            col("users", UInt8Array::from(vec![Some(5), None])),
            col(
                "created_at",
                TimestampNanosecondArray::from(vec![Some(1_767_225_600_000_000_000), None]),
            ),
            col("renewal", Date32Array::from(vec![Some(20_513), None])),
            col("vip", BooleanArray::from(vec![Some(true), None])),
            col("budget", Int64Array::from(vec![Some(5000), None])),
            col("__index_level_0__", Int64Array::from(vec![7, 9])),
        ]);
        let err = leads(&table, &Catalog::default(), ExtraColumns::Error).unwrap_err();
        assert!(
            err.message()
                .contains("leads column `renewal` is not a lead field"),
            "{err}"
        );
        let got = leads(&table, &Catalog::default(), ExtraColumns::Custom).unwrap();
        let want: Lead = serde_json::from_value(serde_json::json!({
            "id": "L1", "source": {"direction": "inbound"}, "firmographics": {"users": 5},
            "created_at": "2026-01-01T00:00:00Z",
            "custom": {"renewal": "2026-03-01", "vip": true, "budget": 5000},
        }))
        .unwrap();
        assert_eq!(got[0], want);
        assert_eq!(got[1], Lead::new("L2"));
        assert_eq!(got[0].custom["budget"], FieldValue::Int(5000));
    }

    /// Integer ids give the leads of their decimal text, alone (the quick path) or beside
    /// other columns (the core's `LeadTable::build`); a null id is refused either way.
    #[test]
    fn integer_ids_are_their_text() {
        let ids: ArrayRef = Arc::new(Int64Array::from(vec![-7, 0, 42]));
        let alone = Table::new(vec![ChunkedColumn::new("id", ids.clone())]);
        let got = leads(&alone, &Catalog::default(), ExtraColumns::Error).unwrap();
        let want: Vec<Lead> = ["-7", "0", "42"].iter().map(|&i| Lead::new(i)).collect();
        assert_eq!(got, want);
        let beside = Table::new(vec![
            ChunkedColumn::new("id", ids),
            col("users", UInt8Array::from(vec![None, None, None])),
        ]);
        assert_eq!(
            leads(&beside, &Catalog::default(), ExtraColumns::Error).unwrap(),
            want
        );
        assert_eq!(
            int_lead_ids(&beside).unwrap().unwrap().data_type(),
            &arrow_schema::DataType::Int64
        );
        let null_id = || col("id", UInt8Array::from(vec![Some(1), None]));
        for table in [
            Table::new(vec![null_id()]),
            Table::new(vec![null_id(), col("users", UInt8Array::from(vec![1, 2]))]),
        ] {
            let e = leads(&table, &Catalog::default(), ExtraColumns::Error).unwrap_err();
            assert_eq!(e.message(), "leads column `id` row 1: an id is required");
        }
    }

    #[test]
    fn wrong_columns_are_named() {
        let bad = Table::new(vec![
            col("id", StringArray::from(vec!["A"])),
            col("blob", BinaryArray::from(vec![&b"x"[..]])),
        ]);
        let e = leads(&bad, &Catalog::default(), ExtraColumns::Custom).unwrap_err();
        assert!(matches!(e, Error::Type(_)));
        assert!(
            e.message()
                .starts_with("leads column `blob` has Arrow type Binary"),
            "{e}"
        );
        let no_id = Table::new(vec![col("email", StringArray::from(vec!["a@b.c"]))]);
        let e = leads(&no_id, &Catalog::default(), ExtraColumns::Error).unwrap_err();
        assert_eq!(e.message(), "leads: no `id` column");
    }
}
