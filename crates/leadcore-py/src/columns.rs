//! Columns from Python, as Arrow: a dict of columns (lists, tuples, numpy arrays, Arrow
//! arrays, pandas or polars series) or a whole table through the Arrow C stream interface
//! (pandas, polars and pyarrow tables) becomes a `leadcore_arrow::Table`; reading it as
//! events or leads is `leadcore-arrow`'s work, with the GIL released.
//!
//! Python lists become Arrow arrays of the type their values share (str, int, float, bool,
//! date, aware datetime; None is null); numpy scalars in a list count as the Python values
//! they stand for (`numpy.int64` an int, `numpy.datetime64` a UTC datetime). The `at` column
//! of events takes Unix seconds, aware datetimes or `pandas.Timestamp`s, `numpy.datetime64`s
//! or RFC 3339 strings, as a list or an array alike. numpy `datetime64` columns are
//! timestamps (NaT is null); numpy integer and float columns are copied from their buffers
//! (no Python object per value).

use crate::arrow;
use crate::convert::{extract_time_in, is_datetime64, type_name};
use crate::errors::input_error;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float32Array, Float64Array, Int8Array, Int16Array,
    Int32Array, Int64Array, NullArray, StringArray, TimestampMicrosecondArray, UInt8Array,
    UInt16Array, UInt32Array, UInt64Array,
};
use arrow_schema::DataType;
use chrono::{Datelike, NaiveDate};
use leadcore_arrow::{ChunkedColumn, Table};
use pyo3::buffer::PyUntypedBuffer;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::sync::Arc;

/// Which table a column belongs to, for messages and the events' `at` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Of {
    Events,
    Leads,
}

impl Of {
    fn name(self) -> &'static str {
        match self {
            Of::Events => "events",
            Of::Leads => "leads",
        }
    }
}

/// Maps an error of `leadcore-arrow`: a wrong Arrow type is a `TypeError` for events and
/// an `InputError` for leads (as before), the core's errors keep their class.
pub(crate) fn arrow_pyerr(of: Of, e: leadcore_arrow::Error) -> PyErr {
    match e {
        leadcore_arrow::Error::Type(m) if of == Of::Events => PyTypeError::new_err(m),
        leadcore_arrow::Error::Core(e) => crate::errors::to_pyerr(&e),
        e => input_error(e.message()),
    }
}

/// An error met while the GIL was released (reading Arrow columns, the core's work, a
/// Ctrl-C seen between chunks), raised as a Python exception once it is held again.
pub(crate) enum Detached {
    /// `leadcore-arrow` refused a table.
    Arrow(Of, leadcore_arrow::Error),
    /// The core refused the work.
    Core(leadcore::Error),
    /// The batch was interrupted.
    Interrupted(PyErr),
}

impl From<leadcore::Error> for Detached {
    fn from(e: leadcore::Error) -> Self {
        Detached::Core(e)
    }
}

impl From<(Of, leadcore_arrow::Error)> for Detached {
    fn from((of, e): (Of, leadcore_arrow::Error)) -> Self {
        Detached::Arrow(of, e)
    }
}

impl From<Detached> for PyErr {
    fn from(d: Detached) -> PyErr {
        match d {
            Detached::Arrow(of, e) => arrow_pyerr(of, e),
            Detached::Core(e) => crate::errors::to_pyerr(&e),
            Detached::Interrupted(e) => e,
        }
    }
}

/// Extracts a table argument: a dict of columns, or a table with `__arrow_c_stream__` /
/// `__arrow_c_array__`. `expected` says what else it may be.
pub(crate) fn extract_table(of: Of, obj: &Bound<'_, PyAny>, expected: &str) -> PyResult<Table> {
    extract_table_with(of, obj, expected, false)
}

/// [`extract_table`], an Arrow table's dictionary keys left unchecked when `defer_keys`
/// (for `leadcore_arrow::Events::for_scoring`, which checks them where it reads them).
fn extract_table_with(
    of: Of,
    obj: &Bound<'_, PyAny>,
    expected: &str,
    defer_keys: bool,
) -> PyResult<Table> {
    let what = of.name();
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut columns = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            let name = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{what}: column names must be str, not {}",
                    type_name(&k)
                ))
            })?;
            if v.is_none() {
                continue; // a column given as None is absent
            }
            columns.push(py_column(of, name.to_str()?, &v)?);
        }
        return Ok(Table::new(columns));
    }
    if !arrow::is_arrow(obj) {
        return Err(PyTypeError::new_err(format!(
            "{expected}, not {}",
            type_name(obj)
        )));
    }
    arrow_table(of, obj, defer_keys)
}

/// A table with `__arrow_c_stream__` (or `__arrow_c_array__`), dictionary keys left
/// unchecked when `defer_keys`.
pub(crate) fn arrow_table(of: Of, obj: &Bound<'_, PyAny>, defer_keys: bool) -> PyResult<Table> {
    let what = of.name();
    let imported = arrow::import_with(what, obj, defer_keys)?;
    let DataType::Struct(fields) = &imported.data_type else {
        return Err(PyTypeError::new_err(format!(
            "{what}: expected a table of columns, got Arrow data of type {}",
            imported.data_type
        )));
    };
    match imported.chunks {
        Ok(chunks) => {
            Table::from_struct_chunks(&imported.data_type, &chunks).map_err(|e| arrow_pyerr(of, e))
        }
        Err(e) => {
            // Some producers export arrays arrow-rs refuses (polars: `null` columns with a
            // buffer); then read the columns one by one, by name.
            let py = obj.py();
            let mut columns = Vec::with_capacity(fields.len());
            for field in fields.iter() {
                let column = obj
                    .get_item(field.name())
                    .and_then(|c| py_column(of, field.name(), &c))
                    .map_err(|_| e.clone_ref(py))?;
                columns.push(column);
            }
            Ok(Table::new(columns))
        }
    }
}

/// One column of a dict: Arrow data, a numpy array, or a list/tuple of Python values.
fn py_column(of: Of, name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ChunkedColumn> {
    let what = format!("{} column `{name}`", of.name());
    if arrow::is_arrow(obj) {
        let (data_type, chunks) = arrow::read(&what, obj)?;
        return Ok(ChunkedColumn {
            name: name.to_owned(),
            data_type,
            chunks,
        });
    }
    let is_sequence = obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>();
    let array = if !is_sequence && obj.hasattr("dtype")? && obj.hasattr("tolist")? {
        numpy_column(of, name, &what, obj)?
    } else if is_sequence {
        let items: Vec<Bound<'_, PyAny>> = obj.try_iter()?.collect::<PyResult<_>>()?;
        if of == Of::Events && name == "at" {
            times(&what, &items)?
        } else {
            values(&what, &items)?
        }
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a list, tuple, numpy array or Arrow array, not {}",
            type_name(obj)
        )));
    };
    Ok(ChunkedColumn::new(name, array))
}

/// A numpy array: `datetime64` as UTC timestamps (NaT null; no time in an event's `at`),
/// `timedelta64` refused, anything else through `tolist()`.
fn numpy_column(of: Of, name: &str, what: &str, obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let kind: String = obj.getattr("dtype")?.getattr("kind")?.extract()?;
    if kind == "M" {
        let micros: Vec<i64> = obj
            .call_method1("astype", ("datetime64[us]",))?
            .call_method1("astype", ("int64",))?
            .call_method0("tolist")?
            .extract()?;
        if of == Of::Events
            && name == "at"
            && let Some(row) = micros.iter().position(|&m| m == i64::MIN)
        {
            return Err(input_error(format!("{what} row {row}: NaT is not a time")));
        }
        let stamps = micros.into_iter().map(|m| (m != i64::MIN).then_some(m));
        return Ok(Arc::new(
            TimestampMicrosecondArray::from_iter(stamps).with_timezone("UTC"),
        ));
    }
    if kind == "m" {
        return Err(PyTypeError::new_err(format!(
            "{what} cannot hold numpy {} values",
            obj.getattr("dtype")?.str()?
        )));
    }
    // Integers (and floats, but for the events' `at`, which refuses them with its own
    // message) are copied straight from the array's buffer, not through Python objects.
    let numbers =
        kind == "i" || kind == "u" || (kind == "f" && !(of == Of::Events && name == "at"));
    if numbers
        && obj.getattr("ndim")?.extract::<usize>()? == 1
        && let Some(array) = numpy_numbers(obj)?
    {
        return Ok(array);
    }
    let list = obj.call_method0("tolist")?;
    py_column(of, name, &list).map(|c| {
        c.chunks
            .into_iter()
            .next()
            .unwrap_or_else(|| Arc::new(NullArray::new(0)))
    })
}

/// A one-dimensional numpy array of integers or floats as the Arrow array of its type,
/// copied from its buffer; `None` if its buffer is of no such type.
fn numpy_numbers(obj: &Bound<'_, PyAny>) -> PyResult<Option<ArrayRef>> {
    let Ok(buffer) = PyUntypedBuffer::get(obj) else {
        return Ok(None);
    };
    let py = obj.py();
    macro_rules! typed {
        ($($t:ty => $array:ty),*) => {$(
            if let Ok(b) = buffer.as_typed::<$t>() {
                return Ok(Some(Arc::new(<$array>::from(b.to_vec(py)?))));
            }
        )*};
    }
    typed!(
        i64 => Int64Array, i32 => Int32Array, i16 => Int16Array, i8 => Int8Array,
        u64 => UInt64Array, u32 => UInt32Array, u16 => UInt16Array, u8 => UInt8Array,
        f64 => Float64Array, f32 => Float32Array
    );
    Ok(None)
}

/// An event's `at` column: Unix seconds (Python or numpy ints), or instants as
/// [`extract_time_in`] reads them (aware datetimes, `numpy.datetime64`, RFC 3339 strings);
/// `None` is a missing time (the row becomes an `invalid_time` row error).
fn times(what: &str, items: &[Bound<'_, PyAny>]) -> PyResult<ArrayRef> {
    let mut out = Vec::with_capacity(items.len());
    for (row, v) in items.iter().enumerate() {
        let at = format!("{what} row {row}");
        if v.is_none() {
            out.push(None); // a row error of the batch, not a failed batch
            continue;
        }
        if is_integer(v)? {
            out.push(Some(v.extract::<i64>().map_err(|_| {
                input_error(format!("{at}: {v} is out of range"))
            })?));
        } else if v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err(format!(
                "{at}: expected Unix seconds (int), a timezone-aware datetime, a \
                 numpy.datetime64 or an RFC 3339 string, not {}",
                type_name(v)
            )));
        } else {
            out.push(Some(extract_time_in(&at, v)?.timestamp()));
        }
    }
    Ok(Arc::new(Int64Array::from(out)))
}

/// Whether `v` is an integer: a Python `int` (not a `bool`) or a numpy integer scalar.
fn is_integer(v: &Bound<'_, PyAny>) -> PyResult<bool> {
    if v.is_instance_of::<PyInt>() {
        return Ok(!v.is_instance_of::<PyBool>());
    }
    if v.is_instance_of::<PyFloat>() || !v.hasattr("dtype")? {
        return Ok(false);
    }
    let ty = v.get_type();
    if !ty
        .module()
        .is_ok_and(|m| m.to_str().is_ok_and(|m| m == "numpy"))
    {
        return Ok(false);
    }
    let kind: String = v.getattr("dtype")?.getattr("kind")?.extract()?;
    Ok(kind == "i" || kind == "u")
}

/// The type a list's values share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shared {
    Null,
    Str,
    Bool,
    Int,
    Float,
    Date,
    Time,
}

fn shared_of(v: &Bound<'_, PyAny>) -> PyResult<Option<Shared>> {
    Ok(Some(if v.is_none() {
        Shared::Null
    } else if v.is_instance_of::<PyString>() {
        Shared::Str
    } else if v.is_instance_of::<PyBool>() {
        Shared::Bool
    } else if v.is_instance_of::<PyInt>() {
        Shared::Int
    } else if v.is_instance_of::<PyFloat>() {
        Shared::Float
    } else if v.is_instance_of::<PyDateTime>() || is_datetime64(v) {
        Shared::Time
    } else if v.is_instance_of::<PyDate>() {
        Shared::Date
    } else if is_integer(v)? {
        Shared::Int
    } else {
        return Ok(None);
    }))
}

/// A list of Python values as one Arrow array of the type they share.
fn values(what: &str, items: &[Bound<'_, PyAny>]) -> PyResult<ArrayRef> {
    let mut shared = Shared::Null;
    for (row, v) in items.iter().enumerate() {
        let Some(s) = shared_of(v)? else {
            return Err(PyTypeError::new_err(format!(
                "{what} row {row}: expected str, int, float, bool, date, datetime or None, \
                 not {}",
                type_name(v)
            )));
        };
        shared = match (shared, s) {
            (a, Shared::Null) => a,
            (Shared::Null, b) => b,
            (a, b) if a == b => a,
            (Shared::Int | Shared::Float, Shared::Int | Shared::Float) => Shared::Float,
            (a, _) => {
                return Err(PyTypeError::new_err(format!(
                    "{what} row {row}: expected {} like the rows before, not {}",
                    match a {
                        Shared::Str => "a str",
                        Shared::Bool => "a bool",
                        Shared::Int | Shared::Float => "a number",
                        Shared::Date => "a date",
                        _ => "a datetime",
                    },
                    type_name(v)
                )));
            }
        };
    }
    fn opt<'py>(v: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
        (!v.is_none()).then(|| v.clone())
    }
    Ok(match shared {
        Shared::Null => Arc::new(NullArray::new(items.len())),
        Shared::Str => Arc::new(
            items
                .iter()
                .map(|v| opt(v).map(|v| v.extract::<String>()).transpose())
                .collect::<PyResult<StringArray>>()?,
        ),
        Shared::Bool => Arc::new(
            items
                .iter()
                .map(|v| opt(v).map(|v| v.extract::<bool>()).transpose())
                .collect::<PyResult<BooleanArray>>()?,
        ),
        Shared::Int => Arc::new(
            items
                .iter()
                .enumerate()
                .map(|(row, v)| {
                    opt(v)
                        .map(|v| {
                            v.extract::<i64>().map_err(|_| {
                                input_error(format!("{what} row {row}: {v} is out of range"))
                            })
                        })
                        .transpose()
                })
                .collect::<PyResult<Int64Array>>()?,
        ),
        Shared::Float => Arc::new(
            items
                .iter()
                .map(|v| opt(v).map(|v| v.extract::<f64>()).transpose())
                .collect::<PyResult<Float64Array>>()?,
        ),
        Shared::Date => Arc::new(
            items
                .iter()
                .map(|v| {
                    opt(v)
                        .map(|v| {
                            let d: NaiveDate = v.extract()?;
                            Ok(d.num_days_from_ce() - 719_163)
                        })
                        .transpose()
                })
                .collect::<PyResult<Date32Array>>()?,
        ),
        Shared::Time => Arc::new(
            items
                .iter()
                .enumerate()
                .map(|(row, v)| {
                    opt(v)
                        .map(|v| {
                            extract_time_in(&format!("{what} row {row}"), &v)
                                .map(|t| t.timestamp_micros())
                        })
                        .transpose()
                })
                .collect::<PyResult<TimestampMicrosecondArray>>()?
                .with_timezone("UTC"),
        ),
    })
}

/// Event columns read with the GIL held; [`EventsArg::finish`] reads them as events.
pub(crate) struct EventsArg {
    table: Table,
    /// Columns whose dictionary key -1 is a missing value (pandas' categorical codes).
    minus_one_missing: Vec<String>,
}

/// Renames a table's id column `given` to `core`, the name the core reads (a leads table's
/// `id`, an events table's `lead_id`): the ids may come under the caller's name. A table
/// with both columns is refused, naming them.
pub(crate) fn rename_id(table: &mut Table, of: Of, given: &str, core: &str) -> PyResult<()> {
    table
        .rename_id_column(given, core)
        .map_err(|e| input_error(format!("{}: {}", of.name(), e.message())))
}

impl EventsArg {
    /// Extracts the events argument; their lead ids are in `id_column` (`lead_id` unless
    /// the caller names another).
    pub(crate) fn extract(obj: &Bound<'_, PyAny>, id_column: &str) -> PyResult<Self> {
        let (mut table, minus_one_missing) = match crate::pandas::events_table(Of::Events, obj)? {
            Some((table, codes)) => (table, codes),
            None => (
                extract_table_with(
                    Of::Events,
                    obj,
                    "events must be a dict of columns or a table with __arrow_c_stream__ \
                     (pandas, polars or pyarrow)",
                    true,
                )?,
                Vec::new(),
            ),
        };
        rename_id(&mut table, Of::Events, id_column, "lead_id")?;
        let minus_one_missing = minus_one_missing
            .into_iter()
            .map(|n| {
                if n == id_column {
                    "lead_id".to_owned()
                } else {
                    n
                }
            })
            .collect();
        Ok(EventsArg {
            table,
            minus_one_missing,
        })
    }

    fn of(table: Table) -> Self {
        EventsArg {
            table,
            minus_one_missing: Vec::new(),
        }
    }

    /// No events: the three required columns, empty (`lead_id` text, which matches leads of
    /// any id type).
    pub(crate) fn empty() -> Self {
        EventsArg::of(Table::new(vec![
            ChunkedColumn::new("lead_id", Arc::new(StringArray::from(Vec::<&str>::new()))),
            ChunkedColumn::new("kind", Arc::new(StringArray::from(Vec::<&str>::new()))),
            ChunkedColumn::new("at", Arc::new(Int64Array::from(Vec::<i64>::new()))),
        ]))
    }

    /// The events, as `leadcore-arrow` reads them, the columns borrowed; runs without the
    /// GIL.
    /// Their dictionary keys (left unchecked on import) are checked where the batch reads
    /// them: for `score_rows` and `score_indexed` only.
    pub(crate) fn read(&self) -> Result<leadcore_arrow::Events, (Of, leadcore_arrow::Error)> {
        leadcore_arrow::Events::for_scoring_with(&self.table, &self.minus_one_missing)
            .map_err(|e| (Of::Events, e))
    }

    /// The events, as `leadcore-arrow` reads them, every key checked; runs without the GIL.
    pub(crate) fn finish(&self) -> Result<leadcore_arrow::Events, (Of, leadcore_arrow::Error)> {
        let events = self.read()?;
        events.check_keys().map_err(|e| (Of::Events, e))?;
        Ok(events)
    }
}
