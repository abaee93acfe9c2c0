//! The `leads` argument of batch scoring: a list of lead dicts (the core's JSON shape), or a
//! table of flat columns, one row per lead: a dict of columns (lists, tuples, numpy arrays,
//! Arrow arrays, pandas or polars series) or a pandas, polars or pyarrow table through the
//! Arrow C stream interface.
//!
//! A table has an `id` column; a column named after a built-in field (`channel`, `email`,
//! `employees`, `created_at`, ...; [`Lead::BUILTIN_FIELDS`]) fills that field, any other
//! column a custom field of its name. A null is an absent value. A row gives exactly the
//! lead its dict gives (the dict with the built-in fields at their places and the other
//! columns under `custom`), with three conveniences of columns: a whole float is a count
//! (`employees`, `users`: pandas holds integer columns with gaps as floats), a float NaN is
//! absent, and an Arrow timestamp without a zone is UTC (as in event columns).
//! The columns pandas adds for an index other than a `RangeIndex` (`__index_level_0__`, ...)
//! are left out.
//!
//! As with events, Python values are read with the GIL held and Arrow columns are only
//! imported; [`Leads::finish`] builds the [`Lead`]s without the GIL, straight from the
//! columns (no Python object per row).

use crate::arrow;
use crate::columns::{ColumnError, push_strings};
use crate::convert::{py_to_json, type_name};
use crate::errors::input_error;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use chrono::{DateTime, NaiveDate, Utc};
use leadcore::{Direction, FieldValue, Lead, Record};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use serde::Deserialize;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde_json::Value;

/// The lead field a column fills.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Id,
    /// A built-in text field other than `id` and `direction`.
    Text(&'static str),
    Direction,
    /// `employees` or `users`.
    Count(&'static str),
    CreatedAt,
    Custom(String),
}

impl Target {
    fn of(name: &str) -> Target {
        match Lead::field_def(name).map(|d| d.name) {
            None => Target::Custom(name.to_owned()),
            Some(n) => match n {
                "id" => Target::Id,
                "direction" => Target::Direction,
                "employees" | "users" => Target::Count(n),
                "created_at" => Target::CreatedAt,
                _ => Target::Text(n),
            },
        }
    }

    /// Whether a column of Arrow values of `kind` can fill this field.
    fn accepts(&self, kind: Kind) -> bool {
        match (self, kind) {
            (_, Kind::Null) => true,
            (Target::Id | Target::Text(_) | Target::Direction, k) => k == Kind::Text,
            (Target::Count(_), k) => matches!(k, Kind::Int | Kind::Float),
            (Target::CreatedAt, k) => matches!(k, Kind::Time | Kind::Text),
            (Target::Custom(_), _) => true,
        }
    }

    fn expected(&self) -> &'static str {
        match self {
            Target::Id | Target::Text(_) | Target::Direction => "strings",
            Target::Count(_) => "integers",
            Target::CreatedAt => "timestamps or RFC 3339 strings",
            Target::Custom(_) => {
                "bool, integers, floats, strings, dates or timestamps (or a dictionary of strings)"
            }
        }
    }
}

/// The kinds of Arrow columns a lead field can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Text,
    Date,
    Time,
}

fn kind_of(data_type: &DataType) -> Option<Kind> {
    use DataType as D;
    Some(match data_type {
        D::Null => Kind::Null,
        D::Boolean => Kind::Bool,
        D::Int8 | D::Int16 | D::Int32 | D::Int64 => Kind::Int,
        D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => Kind::Int,
        D::Float32 | D::Float64 => Kind::Float,
        D::Utf8 | D::LargeUtf8 | D::Utf8View => Kind::Text,
        D::Dictionary(key, values) if key.is_integer() => match kind_of(values)? {
            Kind::Text | Kind::Null => Kind::Text,
            _ => return None,
        },
        D::Date32 | D::Date64 => Kind::Date,
        D::Timestamp(..) => Kind::Time,
        _ => return None,
    })
}

/// One value of a column, borrowed from its Arrow array or its Python-made JSON.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(&'a str),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    /// A list or object (from a Python list column).
    Json(&'a Value),
}

impl Cell<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Cell::Null => "null",
            Cell::Bool(_) => "a bool",
            Cell::Int(_) | Cell::UInt(_) => "an integer",
            Cell::Float(_) => "a float",
            Cell::Str(_) => "a string",
            Cell::Date(_) => "a date",
            Cell::Time(_) => "a timestamp",
            Cell::Json(Value::Array(_)) => "a list",
            Cell::Json(_) => "an object",
        }
    }
}

fn json_cell(v: &Value) -> Cell<'_> {
    match v {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Cell::Int(i),
            (None, Some(u)) => Cell::UInt(u),
            _ => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Cell::Str(s),
        other => Cell::Json(other),
    }
}

/// A custom field's value from a string, as the dict path reads it: text (a field's declared
/// type reads it as a date or an instant where it is one).
fn custom_text(s: &str) -> Result<FieldValue, String> {
    Ok(FieldValue::Text(s.to_owned()))
}

/// Puts one cell into its field of `lead`; the message says what is wrong with the value.
fn set(lead: &mut Lead, target: &Target, cell: Cell<'_>) -> Result<(), String> {
    let wrong = |what: &str| Err(format!("expected {what}, not {}", cell.describe()));
    match target {
        Target::Id => match cell {
            Cell::Str(s) => lead.id = s.to_owned(),
            Cell::Null => return Err("a lead id is required".to_owned()),
            _ => return wrong("a string"),
        },
        Target::Text(name) => {
            let slot = match *name {
                "channel" => &mut lead.source.channel,
                "campaign" => &mut lead.source.campaign,
                "first_name" => &mut lead.contact.first_name,
                "last_name" => &mut lead.contact.last_name,
                "email" => &mut lead.contact.email,
                "phone" => &mut lead.contact.phone,
                "company" => &mut lead.contact.company,
                "region" => &mut lead.firmographics.region,
                "industry" => &mut lead.firmographics.industry,
                "title" => &mut lead.firmographics.title,
                "owner" => &mut lead.owner,
                "account_id" => &mut lead.account_id,
                _ => return Err(format!("no built-in text field `{name}`")),
            };
            *slot = match cell {
                Cell::Str(s) => Some(s.to_owned()),
                Cell::Null => None,
                _ => return wrong("a string"),
            };
        }
        Target::Direction => {
            lead.source.direction = match cell {
                Cell::Str("inbound") => Some(Direction::Inbound),
                Cell::Str("outbound") => Some(Direction::Outbound),
                Cell::Str(s) => {
                    return Err(format!(
                        "unknown direction `{s}` (expected inbound or outbound)"
                    ));
                }
                Cell::Null => None,
                _ => return wrong("a string"),
            }
        }
        Target::Count(name) => {
            let n = match cell {
                Cell::Null => None,
                Cell::Float(x) if x.is_nan() => None,
                Cell::Int(i) => Some(u32::try_from(i).map_err(|_| format!("{i} is out of range"))?),
                Cell::UInt(u) => {
                    Some(u32::try_from(u).map_err(|_| format!("{u} is out of range"))?)
                }
                Cell::Float(x) if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) => {
                    Some(x as u32)
                }
                Cell::Float(x) => return Err(format!("{x} is not a whole count")),
                _ => return wrong("an integer"),
            };
            if *name == "employees" {
                lead.firmographics.employees = n;
            } else {
                lead.firmographics.users = n;
            }
        }
        Target::CreatedAt => {
            lead.created_at = match cell {
                Cell::Null => None,
                Cell::Time(t) => Some(t),
                Cell::Str(s) => Some(
                    DateTime::<Utc>::deserialize(StrDeserializer::<ValueError>::new(s))
                        .map_err(|e| format!("`{s}` is not an RFC 3339 time: {e}"))?,
                ),
                _ => return wrong("a timestamp or an RFC 3339 string"),
            }
        }
        Target::Custom(name) => {
            let value = match cell {
                Cell::Null => return Ok(()),
                Cell::Float(x) if x.is_nan() => return Ok(()),
                Cell::Bool(b) => FieldValue::Bool(b),
                Cell::Int(i) => FieldValue::Int(i),
                Cell::UInt(u) => FieldValue::Int(
                    i64::try_from(u).map_err(|_| format!("integer {u} is out of range"))?,
                ),
                Cell::Float(x) => FieldValue::Float(x),
                Cell::Str(s) => custom_text(s)?,
                Cell::Date(d) => FieldValue::Date(d),
                Cell::Time(t) => FieldValue::DateTime(t),
                Cell::Json(v) => FieldValue::deserialize(v).map_err(|e| e.to_string())?,
            };
            lead.custom.insert(name.clone(), value);
        }
    }
    Ok(())
}

/// A column's values.
enum Data {
    /// Arrow chunks, of a type the column's field accepts.
    Arrow(Vec<ArrayRef>),
    /// Python values as JSON (as the dict path reads them).
    Values(Vec<Value>),
    /// A numpy `datetime64` column (NaT is None), read as UTC.
    Times(Vec<Option<DateTime<Utc>>>),
}

impl Data {
    fn len(&self) -> usize {
        match self {
            Data::Arrow(chunks) => chunks.iter().map(|c| c.len()).sum(),
            Data::Values(v) => v.len(),
            Data::Times(v) => v.len(),
        }
    }
}

pub(crate) struct Column {
    name: String,
    target: Target,
    data: Data,
}

/// The `leads` argument as extracted with the GIL held.
pub(crate) enum Leads {
    /// From lead dicts.
    Ready(Vec<Lead>),
    /// From columns, to build without the GIL.
    Table { rows: usize, columns: Vec<Column> },
}

const EXPECTED: &str = "leads must be a list of lead dicts, a dict of columns, or a table with \
                        __arrow_c_stream__ (pandas, polars or pyarrow)";

impl Leads {
    /// Extracts the leads argument of `score_columns` / `score_many`.
    pub(crate) fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            return crate::convert::from_py("leads", obj).map(Leads::Ready);
        }
        let columns = if let Ok(dict) = obj.cast::<PyDict>() {
            let mut columns = Vec::new();
            for (k, v) in dict.iter() {
                let name = k.cast::<PyString>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "leads: column names must be str, not {}",
                        type_name(&k)
                    ))
                })?;
                let name = name.to_str()?.to_owned();
                if v.is_none() {
                    continue; // a column given as None is absent
                }
                let data = dict_column(&name, &v)?;
                columns.push(Column {
                    target: Target::of(&name),
                    name,
                    data,
                });
            }
            columns
        } else if arrow::is_arrow(obj) {
            table_columns(obj)?
        } else {
            return Err(PyTypeError::new_err(format!(
                "{EXPECTED}, not {}",
                type_name(obj)
            )));
        };
        let mut rows = None;
        for (i, c) in columns.iter().enumerate() {
            if columns[..i].iter().any(|o| o.name == c.name) {
                return Err(input_error(format!(
                    "leads: column `{}` appears twice",
                    c.name
                )));
            }
            if let Data::Arrow(chunks) = &c.data {
                check_type(&c.name, &c.target, chunks)?;
            }
            match rows {
                None => rows = Some(c.data.len()),
                Some(n) if n != c.data.len() => {
                    return Err(input_error(format!(
                        "leads: column `{}` has {} rows, `{}` has {n}",
                        c.name,
                        c.data.len(),
                        columns[0].name
                    )));
                }
                Some(_) => {}
            }
        }
        if !columns.iter().any(|c| c.target == Target::Id) {
            return Err(input_error("leads: no `id` column"));
        }
        Ok(Leads::Table {
            rows: rows.unwrap_or(0),
            columns,
        })
    }

    /// The leads; builds them from the columns when given a table. Runs without the GIL.
    pub(crate) fn finish(self) -> Result<Vec<Lead>, ColumnError> {
        let (rows, columns) = match self {
            Leads::Ready(leads) => return Ok(leads),
            Leads::Table { rows, columns } => (rows, columns),
        };
        let mut leads = vec![Lead::default(); rows];
        for c in &columns {
            let mut row = 0;
            let mut put = |cell: Cell<'_>| -> Result<(), String> {
                let lead = leads
                    .get_mut(row)
                    .ok_or_else(|| format!("leads column `{}` has too many rows", c.name))?;
                set(lead, &c.target, cell)
                    .map_err(|m| format!("leads column `{}` row {row}: {m}", c.name))?;
                row += 1;
                Ok(())
            };
            let done = match &c.data {
                Data::Arrow(chunks) => chunks
                    .iter()
                    .try_for_each(|chunk| each_cell(&c.name, chunk.as_ref(), &mut put)),
                Data::Values(values) => values.iter().try_for_each(|v| put(json_cell(v))),
                Data::Times(times) => times
                    .iter()
                    .try_for_each(|t| put(t.map_or(Cell::Null, Cell::Time))),
            };
            done.map_err(ColumnError::Value)?;
        }
        Ok(leads)
    }
}

fn check_type(name: &str, target: &Target, chunks: &[ArrayRef]) -> PyResult<()> {
    for chunk in chunks {
        let data_type = chunk.data_type();
        if !kind_of(data_type).is_some_and(|k| target.accepts(k)) {
            return Err(input_error(format!(
                "leads column `{name}` has Arrow type {data_type}; expected {}",
                target.expected()
            )));
        }
    }
    Ok(())
}

/// pandas stores a DataFrame's index as columns named so when it is no `RangeIndex`.
fn is_pandas_index(name: &str) -> bool {
    name.starts_with("__index_level_") && name.ends_with("__")
}

/// The columns of an Arrow table (a struct array or stream).
fn table_columns(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Column>> {
    let imported = arrow::import("leads", obj)?;
    let data_type = imported.data_type;
    let DataType::Struct(fields) = &data_type else {
        return Err(PyTypeError::new_err(format!(
            "leads: expected a table of columns, got Arrow data of type {data_type}"
        )));
    };
    let mut columns = Vec::with_capacity(fields.len());
    match imported.chunks {
        Ok(chunks) => {
            for (i, field) in fields.iter().enumerate() {
                if is_pandas_index(field.name()) {
                    continue;
                }
                let mut data = Vec::with_capacity(chunks.len());
                for chunk in &chunks {
                    let Some(s) = chunk.as_struct_opt() else {
                        return Err(input_error("leads: an Arrow chunk is not a table"));
                    };
                    data.push(s.column(i).clone());
                }
                columns.push(Column {
                    name: field.name().clone(),
                    target: Target::of(field.name()),
                    data: Data::Arrow(data),
                });
            }
        }
        Err(e) => {
            // Some producers export arrays arrow-rs refuses (polars: `null` columns with a
            // buffer); then read the columns one by one, by name.
            let py = obj.py();
            for field in fields.iter() {
                let name = field.name();
                if is_pandas_index(name) {
                    continue;
                }
                let (_, chunks) = obj
                    .get_item(name)
                    .and_then(|c| arrow::read(&format!("leads column `{name}`"), &c))
                    .map_err(|_| e.clone_ref(py))?;
                columns.push(Column {
                    name: name.clone(),
                    target: Target::of(name),
                    data: Data::Arrow(chunks),
                });
            }
        }
    }
    Ok(columns)
}

/// One column of a dict: Arrow data, a numpy array, or a list/tuple of Python values.
fn dict_column(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<Data> {
    if arrow::is_arrow(obj) {
        let (_, chunks) = arrow::read(&format!("leads column `{name}`"), obj)?;
        return Ok(Data::Arrow(chunks));
    }
    let is_sequence = obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>();
    if !is_sequence && obj.hasattr("dtype")? && obj.hasattr("tolist")? {
        // A numpy array: datetime64 is read as UTC times (NaT absent); anything else goes
        // through `tolist()` as Python values.
        let kind: String = obj.getattr("dtype")?.getattr("kind")?.extract()?;
        if kind == "M" {
            let micros: Vec<i64> = obj
                .call_method1("astype", ("datetime64[us]",))?
                .call_method1("astype", ("int64",))?
                .call_method0("tolist")?
                .extract()?;
            return Ok(Data::Times(
                micros
                    .into_iter()
                    .map(|m| {
                        if m == i64::MIN {
                            None
                        } else {
                            DateTime::from_timestamp_micros(m)
                        }
                    })
                    .collect(),
            ));
        }
        return dict_column(name, &obj.call_method0("tolist")?);
    }
    if !is_sequence {
        return Err(PyTypeError::new_err(format!(
            "leads column `{name}` must be a list, tuple, numpy array or Arrow array, not {}",
            type_name(obj)
        )));
    }
    let mut values = Vec::with_capacity(obj.len()?);
    for (row, v) in obj.try_iter()?.enumerate() {
        let v = v?;
        values.push(py_to_json(&v).map_err(|e| {
            let py = obj.py();
            let message = format!("leads column `{name}` row {row}: {}", e.value(py));
            if e.is_instance_of::<PyTypeError>(py) {
                PyTypeError::new_err(message)
            } else {
                input_error(message)
            }
        })?);
    }
    Ok(Data::Values(values))
}

/// Calls `put` with each value of an Arrow chunk (of a type [`kind_of`] knows).
fn each_cell(
    name: &str,
    chunk: &dyn Array,
    put: &mut dyn FnMut(Cell<'_>) -> Result<(), String>,
) -> Result<(), String> {
    macro_rules! primitive {
        ($($t:ty => $cell:expr),* $(,)?) => {
            $(
                if let Some(a) = chunk.as_primitive_opt::<$t>() {
                    for v in a.iter() {
                        put(match v {
                            None => Cell::Null,
                            Some(v) => $cell(v)?,
                        })?;
                    }
                    return Ok(());
                }
            )*
        };
    }
    let ok = |c| Ok::<_, String>(c);
    let int = |v: i64| ok(Cell::Int(v));
    let uint = |v: u64| ok(Cell::UInt(v));
    let out_of_range = || format!("leads column `{name}`: a time is out of range");
    let date = |d: Option<DateTime<Utc>>| {
        d.map(|t| Cell::Date(t.date_naive()))
            .ok_or_else(out_of_range)
    };
    let time = |t: Option<DateTime<Utc>>| t.map(Cell::Time).ok_or_else(out_of_range);
    primitive!(
        Int8Type => |v: i8| int(v.into()),
        Int16Type => |v: i16| int(v.into()),
        Int32Type => |v: i32| int(v.into()),
        Int64Type => int,
        UInt8Type => |v: u8| uint(v.into()),
        UInt16Type => |v: u16| uint(v.into()),
        UInt32Type => |v: u32| uint(v.into()),
        UInt64Type => uint,
        Float32Type => |v: f32| ok(Cell::Float(v.into())),
        Float64Type => |v: f64| ok(Cell::Float(v)),
        Date32Type => |d: i32| date(DateTime::from_timestamp(i64::from(d) * 86_400, 0)),
        Date64Type => |ms: i64| date(DateTime::from_timestamp_millis(ms)),
        TimestampSecondType => |s: i64| time(DateTime::from_timestamp(s, 0)),
        TimestampMillisecondType => |ms: i64| time(DateTime::from_timestamp_millis(ms)),
        TimestampMicrosecondType => |us: i64| time(DateTime::from_timestamp_micros(us)),
        TimestampNanosecondType => |ns: i64| ok(Cell::Time(DateTime::from_timestamp_nanos(ns))),
    );
    if let Some(a) = chunk.as_boolean_opt() {
        return a
            .iter()
            .try_for_each(|v| put(v.map_or(Cell::Null, Cell::Bool)));
    }
    if let Some(dict) = chunk.as_any_dictionary_opt() {
        let mut entries: Vec<Option<&str>> = Vec::with_capacity(dict.values().len());
        let values = dict.values();
        if !push_strings(values.as_ref(), &mut |v| entries.push(v)) {
            return Err(format!("leads column `{name}`: a dictionary of no strings"));
        }
        macro_rules! keys {
            ($($t:ty),*) => {
                $(
                    if let Some(d) = chunk.as_dictionary_opt::<$t>() {
                        for k in d.keys().iter() {
                            let s = k
                                .and_then(|k| usize::try_from(k).ok())
                                .and_then(|k| entries.get(k).copied().flatten());
                            put(s.map_or(Cell::Null, Cell::Str))?;
                        }
                        return Ok(());
                    }
                )*
            };
        }
        keys!(
            Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
            UInt64Type
        );
        return Err(format!(
            "leads column `{name}`: a dictionary of unknown keys"
        ));
    }
    let mut result = Ok(());
    let strings = push_strings(chunk, &mut |v| {
        if result.is_ok() {
            result = put(v.map_or(Cell::Null, Cell::Str));
        }
    });
    if strings {
        return result;
    }
    Err(format!(
        "leads column `{name}` has Arrow type {}, which no lead field can hold",
        chunk.data_type()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead_of(cells: &[(&str, Cell<'_>)]) -> Result<Lead, String> {
        let mut lead = Lead::default();
        for (name, cell) in cells {
            set(&mut lead, &Target::of(name), *cell)?;
        }
        Ok(lead)
    }

    /// A row of cells gives the lead its dict gives.
    #[test]
    fn row_equals_dict() {
        let t = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let row = lead_of(&[
            ("id", Cell::Str("L-1")),
            ("channel", Cell::Str("webinar")),
            ("direction", Cell::Str("inbound")),
            ("email", Cell::Str("a@b.c")),
            ("employees", Cell::Float(20.0)),
            ("users", Cell::Null),
            ("region", Cell::Str("EMEA")),
            ("created_at", Cell::Str("2026-01-01T00:00:00Z")),
            ("budget", Cell::Int(50_000)),
            ("ratio", Cell::Float(0.5)),
            ("gap", Cell::Float(f64::NAN)),
            ("vip", Cell::Bool(true)),
            ("renewal", Cell::Str("2026-03-01")),
            ("seen", Cell::Time(t)),
            ("signed", Cell::Date(day)),
            ("note", Cell::Str("call after 5")),
            ("plan", Cell::Str("pro")),
        ])
        .unwrap();
        let dict: Lead = serde_json::from_value(serde_json::json!({
            "id": "L-1",
            "source": {"channel": "webinar", "direction": "inbound"},
            "contact": {"email": "a@b.c"},
            "firmographics": {"employees": 20, "region": "EMEA"},
            "created_at": "2026-01-01T00:00:00Z",
            "custom": {
                "budget": 50000, "ratio": 0.5, "vip": true, "renewal": "2026-03-01",
                "seen": "2026-01-01T00:00:00Z", "signed": "2026-03-01", "note": "call after 5",
                "plan": "pro",
            },
        }))
        .unwrap();
        // Arrow dates and times are typed; JSON carries them as text.
        let mut dict = dict;
        dict.custom.insert("seen".into(), FieldValue::DateTime(t));
        dict.custom.insert("signed".into(), FieldValue::Date(day));
        assert_eq!(row, dict);
    }

    #[test]
    fn bad_cells_say_why() {
        let err = |name, cell| lead_of(&[(name, cell)]).unwrap_err();
        assert_eq!(err("id", Cell::Null), "a lead id is required");
        assert_eq!(err("id", Cell::Int(3)), "expected a string, not an integer");
        assert!(err("direction", Cell::Str("sideways")).contains("unknown direction"));
        assert!(err("employees", Cell::Int(-1)).contains("out of range"));
        assert!(err("employees", Cell::Float(1.5)).contains("not a whole count"));
        assert!(err("created_at", Cell::Str("yesterday")).contains("RFC 3339"));
        assert!(err("created_at", Cell::Int(3)).starts_with("expected"));
    }

    #[test]
    fn column_types() {
        assert!(Target::of("employees").accepts(Kind::Float));
        assert!(!Target::of("email").accepts(Kind::Int));
        assert!(Target::of("whatever").accepts(Kind::Date));
        assert_eq!(kind_of(&DataType::Binary), None);
        assert_eq!(
            kind_of(&DataType::Dictionary(
                Box::new(DataType::Int8),
                Box::new(DataType::Utf8)
            )),
            Some(Kind::Text)
        );
    }
}
