//! Event columns for batch scoring, from Python: a dict of columns (lists, tuples, numpy
//! arrays, Arrow arrays, pandas or polars series) or a whole table through the Arrow C
//! stream interface (pandas, polars and pyarrow tables).
//!
//! Extraction has two steps. With the GIL held, Python lists are converted at once and Arrow
//! objects are imported as arrays (see [`crate::arrow`]); then, with the GIL released,
//! [`Events::finish`] converts the Arrow arrays into the columns the core scores:
//! dictionary-encoded strings ([`StrColumn`]), Unix seconds, and seconds-on-page with `-1`
//! for a missing value. Arrow strings may be `Utf8`, `LargeUtf8` (pandas 3), `Utf8View`
//! (polars) or a dictionary of any of them; times may be integers (Unix seconds) or Arrow
//! timestamps of any unit (a timestamp without a zone is read as UTC).

use crate::arrow;
use crate::convert::{extract_time_in, type_name};
use crate::errors::input_error;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, Utc};
use leadcore::Lead;
use leadcore::columnar::{self, AttrColumn, AttrValues, DictColumn, EventColumns, NULL_CODE};
use leadcore::scoring::{BatchScores, ScoreCard, Scoring};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::collections::{BTreeMap, HashMap};

/// The event columns, in the order of the core's `EventTable`.
pub(crate) const COLUMNS: [&str; 8] = [
    "lead_id",
    "kind",
    "at",
    "page",
    "seconds",
    "campaign",
    "form_id",
    "content_id",
];

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Strings (null allowed).
    Text,
    /// Times as Unix seconds (no nulls).
    Time,
    /// Whole seconds, null or negative meaning missing.
    Seconds,
}

fn role(name: &str) -> Role {
    match name {
        "at" => Role::Time,
        "seconds" => Role::Seconds,
        _ => Role::Text,
    }
}

/// A problem found while converting columns without the GIL; raised once it is back.
#[derive(Debug)]
pub(crate) enum ColumnError {
    /// A column of the wrong type: `TypeError`.
    Type(String),
    /// A value the core cannot use: `InputError`.
    Value(String),
}

impl ColumnError {
    pub(crate) fn into_pyerr(self) -> PyErr {
        match self {
            ColumnError::Type(m) => PyTypeError::new_err(m),
            ColumnError::Value(m) => input_error(m),
        }
    }
}

/// A dictionary-encoded string column: row `i` is `dictionary[codes[i]]`, or missing when
/// the code is [`NULL_CODE`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct StrColumn {
    codes: Vec<u32>,
    dictionary: Vec<String>,
}

impl StrColumn {
    fn column(&self) -> DictColumn<'_> {
        DictColumn {
            codes: &self.codes,
            dictionary: &self.dictionary,
        }
    }
}

/// Builds a [`StrColumn`], giving each distinct string one code.
#[derive(Default)]
struct Encoder {
    index: HashMap<String, u32>,
    out: StrColumn,
}

impl Encoder {
    fn code(&mut self, s: &str) -> u32 {
        if let Some(&c) = self.index.get(s) {
            return c;
        }
        let c = self.out.dictionary.len() as u32;
        self.out.dictionary.push(s.to_owned());
        self.index.insert(s.to_owned(), c);
        c
    }

    fn push(&mut self, v: Option<&str>) {
        let c = v.map_or(NULL_CODE, |s| self.code(s));
        self.out.codes.push(c);
    }
}

/// One column: converted already (from Python values) or Arrow arrays still to convert.
enum Column<T> {
    Ready(T),
    Arrow {
        name: &'static str,
        data_type: DataType,
        chunks: Vec<ArrayRef>,
    },
}

/// Event columns as extracted with the GIL held.
pub(crate) struct Events {
    lead_id: Column<StrColumn>,
    kind: Column<StrColumn>,
    at: Column<Vec<i64>>,
    page: Option<Column<StrColumn>>,
    seconds: Option<Column<Vec<i64>>>,
    campaign: Option<Column<StrColumn>>,
    form_id: Option<Column<StrColumn>>,
    content_id: Option<Column<StrColumn>>,
}

/// Event columns ready for the core.
pub(crate) struct Table {
    lead_id: StrColumn,
    kind: StrColumn,
    at: Vec<i64>,
    page: Option<StrColumn>,
    seconds: Option<Vec<i64>>,
    campaign: Option<StrColumn>,
    form_id: Option<StrColumn>,
    content_id: Option<StrColumn>,
}

/// A column's data as found in Python, before it is typed.
enum Raw {
    Text(StrColumn),
    Ints(Vec<i64>),
    Arrow(DataType, Vec<ArrayRef>),
}

impl Events {
    /// Extracts the events argument: a dict of columns, or a table with
    /// `__arrow_c_stream__` / `__arrow_c_array__`.
    pub(crate) fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut raw: BTreeMap<&'static str, Raw> = BTreeMap::new();
        if let Ok(dict) = obj.cast::<PyDict>() {
            for (k, v) in dict.iter() {
                let key = k.cast::<PyString>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "events: column names must be str, not {}",
                        type_name(&k)
                    ))
                })?;
                let key = key.to_str()?;
                let Some(&name) = COLUMNS.iter().find(|&&c| c == key) else {
                    return Err(input_error(format!(
                        "events: unknown column `{key}` (expected {})",
                        COLUMNS.join(", ")
                    )));
                };
                if v.is_none() {
                    continue; // an optional column given as None is absent
                }
                raw.insert(name, extract_column(name, &v)?);
            }
        } else if arrow::is_arrow(obj) {
            let imported = arrow::import("events", obj)?;
            let data_type = imported.data_type;
            let DataType::Struct(fields) = &data_type else {
                return Err(PyTypeError::new_err(format!(
                    "events: expected a table of columns, got Arrow data of type {data_type}"
                )));
            };
            match imported.chunks {
                Ok(chunks) => {
                    for (i, field) in fields.iter().enumerate() {
                        let Some(&name) = COLUMNS.iter().find(|&&c| c == field.name()) else {
                            continue; // other columns of a table are not events' business
                        };
                        let mut columns = Vec::with_capacity(chunks.len());
                        for chunk in &chunks {
                            let Some(s) = chunk.as_struct_opt() else {
                                return Err(input_error("events: an Arrow chunk is not a table"));
                            };
                            columns.push(s.column(i).clone());
                        }
                        raw.insert(name, Raw::Arrow(field.data_type().clone(), columns));
                    }
                }
                Err(e) => {
                    // Some producers export arrays arrow-rs refuses (polars: `null` columns
                    // with a buffer); then read the event columns one by one, by name.
                    let py = obj.py();
                    for field in fields.iter() {
                        let Some(&name) = COLUMNS.iter().find(|&&c| c == field.name()) else {
                            continue;
                        };
                        let column = obj
                            .get_item(name)
                            .and_then(|c| extract_column(name, &c))
                            .map_err(|_| e.clone_ref(py))?;
                        raw.insert(name, column);
                    }
                }
            }
        } else {
            return Err(PyTypeError::new_err(format!(
                "events must be a dict of columns or a table with __arrow_c_stream__ \
                 (pandas, polars or pyarrow), not {}",
                type_name(obj)
            )));
        }
        let mut take_text = |name: &'static str| -> PyResult<Option<Column<StrColumn>>> {
            Ok(match raw.remove(name) {
                None => None,
                Some(Raw::Text(c)) => Some(Column::Ready(c)),
                Some(Raw::Arrow(data_type, chunks)) => Some(Column::Arrow {
                    name,
                    data_type,
                    chunks,
                }),
                Some(Raw::Ints(_)) => {
                    return Err(PyTypeError::new_err(format!(
                        "events column `{name}` must hold strings"
                    )));
                }
            })
        };
        let required = |name: &str| {
            input_error(format!(
                "events: no `{name}` column (lead_id, kind and at are required)"
            ))
        };
        let lead_id = take_text("lead_id")?.ok_or_else(|| required("lead_id"))?;
        let kind = take_text("kind")?.ok_or_else(|| required("kind"))?;
        let page = take_text("page")?;
        let campaign = take_text("campaign")?;
        let form_id = take_text("form_id")?;
        let content_id = take_text("content_id")?;
        let mut take_ints = |name: &'static str| -> Option<Column<Vec<i64>>> {
            match raw.remove(name)? {
                Raw::Ints(v) => Some(Column::Ready(v)),
                Raw::Arrow(data_type, chunks) => Some(Column::Arrow {
                    name,
                    data_type,
                    chunks,
                }),
                Raw::Text(_) => None, // not produced for these roles
            }
        };
        let at = take_ints("at").ok_or_else(|| required("at"))?;
        let seconds = take_ints("seconds");
        Ok(Events {
            lead_id,
            kind,
            at,
            page,
            seconds,
            campaign,
            form_id,
            content_id,
        })
    }

    /// Converts what is still Arrow data; runs without the GIL.
    pub(crate) fn finish(self) -> Result<Table, ColumnError> {
        let text = |c: Column<StrColumn>| match c {
            Column::Ready(v) => Ok(v),
            Column::Arrow {
                name,
                data_type,
                chunks,
            } => arrow_text(name, &data_type, &chunks),
        };
        let ints = |c: Column<Vec<i64>>| match c {
            Column::Ready(v) => Ok(v),
            Column::Arrow {
                name,
                data_type,
                chunks,
            } => arrow_ints(name, role(name), &data_type, &chunks),
        };
        Ok(Table {
            lead_id: text(self.lead_id)?,
            kind: text(self.kind)?,
            at: ints(self.at)?,
            page: self.page.map(text).transpose()?,
            seconds: self.seconds.map(ints).transpose()?,
            campaign: self.campaign.map(text).transpose()?,
            form_id: self.form_id.map(text).transpose()?,
            content_id: self.content_id.map(text).transpose()?,
        })
    }
}

/// One column of a dict: Arrow data, a numpy array, or a list/tuple of Python values.
fn extract_column(name: &'static str, obj: &Bound<'_, PyAny>) -> PyResult<Raw> {
    let role = role(name);
    if arrow::is_arrow(obj) {
        let (data_type, chunks) = arrow::read(&format!("events column `{name}`"), obj)?;
        return Ok(Raw::Arrow(data_type, chunks));
    }
    let is_sequence = obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>();
    if !is_sequence && obj.hasattr("dtype")? && obj.hasattr("tolist")? {
        // A numpy array: datetime64 becomes Unix seconds; anything else goes through
        // `tolist()` as Python values.
        let kind: String = obj.getattr("dtype")?.getattr("kind")?.extract()?;
        if kind == "M" && role == Role::Time {
            let secs = obj
                .call_method1("astype", ("datetime64[s]",))?
                .call_method1("astype", ("int64",))?
                .call_method0("tolist")?;
            let secs: Vec<i64> = secs.extract()?;
            if let Some(row) = secs.iter().position(|&s| s == i64::MIN) {
                return Err(input_error(format!(
                    "events column `at` row {row}: NaT is not a time"
                )));
            }
            return Ok(Raw::Ints(secs));
        }
        if kind == "M" || kind == "m" {
            return Err(PyTypeError::new_err(format!(
                "events column `{name}` cannot hold numpy {} values",
                obj.getattr("dtype")?.str()?
            )));
        }
        let list = obj.call_method0("tolist")?;
        return extract_column(name, &list);
    }
    if !is_sequence {
        return Err(PyTypeError::new_err(format!(
            "events column `{name}` must be a list, tuple, numpy array or Arrow array, not {}",
            type_name(obj)
        )));
    }
    let items: Vec<Bound<'_, PyAny>> = obj.try_iter()?.collect::<PyResult<_>>()?;
    match role {
        Role::Text => {
            let mut enc = Encoder::default();
            for (row, v) in items.iter().enumerate() {
                if v.is_none() {
                    enc.push(None);
                } else if let Ok(s) = v.cast::<PyString>() {
                    enc.push(Some(s.to_str()?));
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "events column `{name}` row {row}: expected str or None, not {}",
                        type_name(v)
                    )));
                }
            }
            Ok(Raw::Text(enc.out))
        }
        Role::Time => items
            .iter()
            .enumerate()
            .map(|(row, v)| py_time(row, v))
            .collect::<PyResult<_>>()
            .map(Raw::Ints),
        Role::Seconds => items
            .iter()
            .enumerate()
            .map(|(row, v)| py_seconds(row, v))
            .collect::<PyResult<_>>()
            .map(Raw::Ints),
    }
}

/// A time of the `at` column: Unix seconds (int), an aware datetime or an RFC 3339 string.
fn py_time(row: usize, v: &Bound<'_, PyAny>) -> PyResult<i64> {
    let at = format!("events column `at` row {row}");
    if v.is_none() {
        return Err(input_error(format!("{at}: a time is required")));
    }
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        return v
            .extract::<i64>()
            .map_err(|_| input_error(format!("{at}: {v} is out of range")));
    }
    if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "{at}: expected Unix seconds (int), a timezone-aware datetime or an RFC 3339 \
             string, not {}",
            type_name(v)
        )));
    }
    Ok(extract_time_in(&at, v)?.timestamp())
}

/// A value of the `seconds` column: an int, a whole float, or None/NaN for missing.
fn py_seconds(row: usize, v: &Bound<'_, PyAny>) -> PyResult<i64> {
    let at = || format!("events column `seconds` row {row}");
    if v.is_none() {
        return Ok(-1);
    }
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        let s = v
            .extract::<i64>()
            .map_err(|_| input_error(format!("{}: {v} is out of range", at())))?;
        return Ok(if s < 0 { -1 } else { s });
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return float_seconds(f.value()).map_err(|m| input_error(format!("{}: {m}", at())));
    }
    Err(PyTypeError::new_err(format!(
        "{}: expected int, float or None, not {}",
        at(),
        type_name(v)
    )))
}

/// Whole seconds from a float: NaN means missing, a fraction is refused.
fn float_seconds(x: f64) -> Result<i64, String> {
    if x.is_nan() {
        Ok(-1)
    } else if x.fract() != 0.0 || !x.is_finite() || x.abs() > 9.0e15 {
        Err(format!("{x} is not a whole number of seconds"))
    } else if x < 0.0 {
        Ok(-1)
    } else {
        Ok(x as i64)
    }
}

fn expected_strings(name: &str, data_type: &DataType) -> ColumnError {
    ColumnError::Type(format!(
        "events column `{name}` has Arrow type {data_type}; expected strings (utf8, \
         large_utf8, utf8_view, or a dictionary of them)"
    ))
}

/// Pushes every value of an Arrow string array (any of the three layouts), or returns false
/// when the array holds no strings.
pub(crate) fn push_strings<'a>(array: &'a dyn Array, f: &mut impl FnMut(Option<&'a str>)) -> bool {
    if let Some(a) = array.as_string_opt::<i32>() {
        a.iter().for_each(f);
    } else if let Some(a) = array.as_string_opt::<i64>() {
        a.iter().for_each(f);
    } else if let Some(a) = array.as_string_view_opt() {
        a.iter().for_each(f);
    } else if *array.data_type() == DataType::Null {
        (0..array.len()).for_each(|_| f(None));
    } else {
        return false;
    }
    true
}

fn arrow_text(
    name: &str,
    data_type: &DataType,
    chunks: &[ArrayRef],
) -> Result<StrColumn, ColumnError> {
    let mut enc = Encoder::default();
    enc.out
        .codes
        .reserve(chunks.iter().map(|c| c.len()).sum::<usize>());
    for chunk in chunks {
        if let Some(dict) = chunk.as_any_dictionary_opt() {
            // One code per dictionary entry, then one lookup per row.
            let mut entries = Vec::with_capacity(dict.values().len());
            if !push_strings(dict.values().as_ref(), &mut |v| {
                entries.push(v.map_or(NULL_CODE, |s| enc.code(s)))
            }) || !push_keys(chunk.as_ref(), &entries, &mut enc.out.codes)
            {
                return Err(expected_strings(name, data_type));
            }
        } else if !push_strings(chunk.as_ref(), &mut |v| enc.push(v)) {
            return Err(expected_strings(name, data_type));
        }
    }
    Ok(enc.out)
}

/// Appends one code per row of a dictionary array: `entries[key]`, or [`NULL_CODE`] for a
/// null or out-of-range key. False if the array is no dictionary.
fn push_keys(array: &dyn Array, entries: &[u32], codes: &mut Vec<u32>) -> bool {
    macro_rules! keys {
        ($($t:ty),*) => {
            $(
                if let Some(d) = array.as_dictionary_opt::<$t>() {
                    let keys = d.keys();
                    let code = |k| {
                        usize::try_from(k)
                            .ok()
                            .and_then(|k| entries.get(k).copied())
                            .unwrap_or(NULL_CODE)
                    };
                    match keys.nulls() {
                        None => codes.extend(keys.values().iter().map(|&k| code(k))),
                        Some(valid) => codes.extend(
                            keys.values()
                                .iter()
                                .zip(valid.iter())
                                .map(|(&k, ok)| if ok { code(k) } else { NULL_CODE }),
                        ),
                    }
                    return true;
                }
            )*
        };
    }
    keys!(
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type
    );
    false
}

/// Calls `f` with each value of an integer-like chunk as `i64` (None for null; timestamps
/// as Unix seconds, floored). `Ok(false)` if the chunk is of no integer-like type.
fn each_int(
    array: &dyn Array,
    f: &mut impl FnMut(Option<i64>) -> Result<(), ColumnError>,
) -> Result<bool, ColumnError> {
    let out_of_range = || ColumnError::Value("a value is out of range".to_owned());
    macro_rules! ints {
        ($($t:ty),*) => {
            $(
                if let Some(a) = array.as_primitive_opt::<$t>() {
                    for v in a.iter() {
                        f(v.map(i64::try_from).transpose().map_err(|_| out_of_range())?)?;
                    }
                    return Ok(true);
                }
            )*
        };
    }
    ints!(
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type
    );
    let per_second = match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => 1,
        DataType::Timestamp(TimeUnit::Millisecond, _) => 1_000,
        DataType::Timestamp(TimeUnit::Microsecond, _) => 1_000_000,
        DataType::Timestamp(TimeUnit::Nanosecond, _) => 1_000_000_000,
        DataType::Null => {
            for _ in 0..array.len() {
                f(None)?;
            }
            return Ok(true);
        }
        _ => return Ok(false),
    };
    macro_rules! stamps {
        ($($t:ty),*) => {
            $(
                if let Some(a) = array.as_primitive_opt::<$t>() {
                    for v in a.iter() {
                        f(v.map(|v| v.div_euclid(per_second)))?;
                    }
                    return Ok(true);
                }
            )*
        };
    }
    stamps!(
        TimestampSecondType,
        TimestampMillisecondType,
        TimestampMicrosecondType,
        TimestampNanosecondType
    );
    Ok(false)
}

/// Calls `f` with each value of a float chunk (None for null). False if not floats.
fn each_float(
    array: &dyn Array,
    f: &mut impl FnMut(Option<f64>) -> Result<(), ColumnError>,
) -> Result<bool, ColumnError> {
    if let Some(a) = array.as_primitive_opt::<Float64Type>() {
        a.iter().try_for_each(f)?;
    } else if let Some(a) = array.as_primitive_opt::<Float32Type>() {
        a.iter().try_for_each(|v| f(v.map(f64::from)))?;
    } else {
        return Ok(false);
    }
    Ok(true)
}

fn arrow_ints(
    name: &str,
    role: Role,
    data_type: &DataType,
    chunks: &[ArrayRef],
) -> Result<Vec<i64>, ColumnError> {
    let mut out: Vec<i64> = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for chunk in chunks {
        let mut push = |v: Option<i64>| -> Result<(), ColumnError> {
            match (v, role) {
                (Some(s), Role::Seconds) => out.push(if s < 0 { -1 } else { s }),
                (None, Role::Seconds) => out.push(-1),
                (Some(s), _) => out.push(s),
                (None, _) => {
                    return Err(ColumnError::Value(format!(
                        "events column `{name}` row {}: a time is required",
                        out.len()
                    )));
                }
            }
            Ok(())
        };
        let located = |e: ColumnError| match e {
            ColumnError::Value(m) if !m.starts_with("events column") => {
                ColumnError::Value(format!("events column `{name}`: {m}"))
            }
            e => e,
        };
        if each_int(chunk.as_ref(), &mut push).map_err(located)? {
            continue;
        }
        if role == Role::Seconds {
            let mut row = out.len();
            let mut push_float = |v: Option<f64>| -> Result<(), ColumnError> {
                let s = match v {
                    None => -1,
                    Some(x) => float_seconds(x).map_err(|m| {
                        ColumnError::Value(format!("events column `seconds` row {row}: {m}"))
                    })?,
                };
                out.push(s);
                row += 1;
                Ok(())
            };
            if each_float(chunk.as_ref(), &mut push_float)? {
                continue;
            }
            return Err(ColumnError::Type(format!(
                "events column `seconds` has Arrow type {data_type}; expected integers"
            )));
        }
        return Err(ColumnError::Type(format!(
            "events column `{name}` has Arrow type {data_type}; expected Unix seconds \
             (integers) or timestamps"
        )));
    }
    Ok(out)
}

impl Table {
    /// Calls `f` with the columns as the core reads them.
    fn with_columns<T>(&self, f: impl FnOnce(&EventColumns<'_>) -> T) -> T {
        let valid: Option<Vec<bool>> = self
            .seconds
            .as_ref()
            .map(|s| s.iter().map(|&v| v >= 0).collect());
        let mut attrs: Vec<AttrColumn<'_>> = [
            ("page", &self.page),
            ("campaign", &self.campaign),
            ("form_id", &self.form_id),
            ("content_id", &self.content_id),
        ]
        .into_iter()
        .filter_map(|(name, c)| {
            c.as_ref().map(|c| AttrColumn {
                name,
                values: AttrValues::Text(c.column()),
            })
        })
        .collect();
        if let (Some(values), Some(valid)) = (&self.seconds, &valid) {
            attrs.push(AttrColumn {
                name: "seconds",
                values: AttrValues::Int(columnar::Column {
                    values,
                    valid: Some(valid),
                }),
            });
        }
        f(&EventColumns {
            lead: &[],
            kind: self.kind.column(),
            at: &self.at,
            attrs: &attrs,
        })
    }

    /// Scores the table for `leads` at `now`: the core's `Scoring::score_columns_by_id`
    /// on the dictionary-encoded columns (the same checks, row errors and messages as
    /// `Scoring::score_table`).
    pub(crate) fn score(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> leadcore::Result<BatchScores> {
        self.with_columns(|c| scoring.score_columns_by_id(leads, self.lead_id.column(), c, now))
    }

    /// Each lead's score card with the full breakdown (the core's
    /// `Scoring::explain_columns_by_id`).
    pub(crate) fn cards(
        &self,
        scoring: &Scoring,
        leads: &[Lead],
        now: DateTime<Utc>,
    ) -> leadcore::Result<Vec<ScoreCard>> {
        self.with_columns(|c| scoring.explain_columns_by_id(leads, self.lead_id.column(), c, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadcore::EventTable;
    use leadcore::Playbook;

    fn encode<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> StrColumn {
        let mut enc = Encoder::default();
        values.into_iter().for_each(|v| enc.push(v));
        enc.out
    }

    fn table_of(t: &EventTable) -> Table {
        let opt = |name: &str| {
            t.attrs.get(name).map(|c| {
                encode(c.iter().map(|v| match v {
                    Some(leadcore::FieldValue::Text(s)) => Some(s.as_str()),
                    _ => None,
                }))
            })
        };
        Table {
            lead_id: encode(t.lead_id.iter().map(|s| Some(s.as_str()))),
            kind: encode(t.kind.iter().map(|s| Some(s.as_str()))),
            at: t.at.clone(),
            page: opt("page"),
            seconds: t.attrs.get("seconds").map(|c| {
                c.iter()
                    .map(|v| match v {
                        Some(leadcore::FieldValue::Int(s)) if *s >= 0 => *s,
                        _ => -1,
                    })
                    .collect()
            }),
            campaign: opt("campaign"),
            form_id: opt("form_id"),
            content_id: opt("content_id"),
        }
    }

    /// The door's columnar path gives exactly what the core's `score_table` gives, row
    /// errors and error messages included (the shared vectors check it through Python too).
    #[test]
    fn same_as_core_score_table() {
        let pb = Playbook::default_playbook();
        let s = pb.scoring();
        let table: EventTable = serde_json::from_value(serde_json::json!({
            "lead_id": ["A", "A", "B", "ghost", "B", "A"],
            "kind": ["trial_signup", "web_visit", "web_visit", "email_opened", "email_opened", "email_opened"],
            "at": [1767225600, 1767225600, 1767225600, 1767225600, 1767225600, 1867225600],
            "page": [null, null, "/pricing", null, null, null],
        }))
        .unwrap();
        let leads = [Lead::new("A"), Lead::new("B"), Lead::new("C")];
        let now = DateTime::<Utc>::from_timestamp(1767312000, 0).unwrap();
        let core = s.score_table(&leads, &table, now).unwrap();
        let door = table_of(&table).score(s, &leads, now).unwrap();
        assert_eq!(door, core);
        assert_eq!(door.row_errors.len(), 2);
        let cards = table_of(&table).cards(s, &leads, now).unwrap();
        for (l, card) in cards.iter().enumerate() {
            for m in &core.models {
                assert_eq!(card.score(m), core.score(l, m));
            }
        }
        let dup = [Lead::new("A"), Lead::new("A")];
        assert_eq!(
            table_of(&table).score(s, &dup, now).unwrap_err().report(),
            s.score_table(&dup, &table, now).unwrap_err().report()
        );
    }

    #[test]
    fn float_seconds_are_whole_or_missing() {
        assert_eq!(float_seconds(f64::NAN), Ok(-1));
        assert_eq!(float_seconds(75.0), Ok(75));
        assert_eq!(float_seconds(-3.0), Ok(-1));
        assert!(float_seconds(1.5).is_err());
        assert!(float_seconds(f64::INFINITY).is_err());
    }
}
