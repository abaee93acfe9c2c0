//! Conversions between Python values and the core's serde data.
//!
//! Python data goes to the core through JSON values: a dict in the core's JSON shape becomes a
//! [`serde_json::Value`], then the core type by serde (a wrong shape is an `InputError` naming
//! the path). Core data comes back the same way, so every dict a method returns is exactly the
//! JSON the other doors print. Every instant is read by [`extract_time`] (aware `datetime` or
//! `pandas.Timestamp`, `numpy.datetime64` as UTC, RFC 3339 text; naive datetimes refused).

use crate::errors::{IntoPyResult, input_error};
use chrono::{DateTime, SecondsFormat, Utc};
use leadcore::Actor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyTzInfo,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Number, Value};

/// Deeper Python data is refused (it is almost surely a container holding itself).
const MAX_DEPTH: usize = 128;

/// The name of a value's type, for messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "object".to_owned(), |n| n.to_string())
}

/// A JSON value as a Python object (dict, list, str, int, float, bool, None).
pub(crate) fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, json_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serialisable core value as a Python object.
pub(crate) fn to_py<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let v = serde_json::to_value(value).map_err(|e| input_error(e.to_string()))?;
    json_to_py(py, &v)
}

/// A Python object as a JSON value. Wrong Python types raise `TypeError`; values JSON cannot
/// hold (NaN, huge ints, naive datetimes) raise `InputError`.
pub(crate) fn py_to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json(obj, 0)
}

fn to_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(input_error(format!(
            "data nested deeper than {MAX_DEPTH} levels (does a container hold itself?)"
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(input_error(format!("integer {obj} is out of range")));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let x = f.value();
        return Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| input_error(format!("{x} is not a finite number")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.to_owned()));
    }
    if obj.is_instance_of::<PyDateTime>() || is_datetime64(obj) {
        return Ok(Value::String(rfc3339(extract_time(obj)?)));
    }
    if obj.is_instance_of::<PyDate>() {
        return Ok(Value::String(obj.call_method0("isoformat")?.extract()?));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        // A snapshot of the items: converting a value may run Python code.
        for item in d.items().iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("dict keys must be str, not {}", type_name(&k)))
            })?;
            map.insert(key.to_str()?.to_owned(), to_json(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return l.iter().map(|x| to_json(&x, depth + 1)).collect();
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return t.iter().map(|x| to_json(&x, depth + 1)).collect();
    }
    Err(PyTypeError::new_err(format!(
        "cannot pass {} to leadcore (expected dict, list, tuple, str, int, float, bool, None, \
         date, datetime or numpy.datetime64)",
        type_name(obj)
    )))
}

/// A time in the wire form the core writes (`2026-01-05T09:00:00Z`).
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The hint a naive `datetime` (or `pandas.Timestamp`) is refused with.
pub(crate) const NAIVE_HINT: &str =
    "naive datetime: give it a timezone, e.g. datetime(..., tzinfo=timezone.utc)";

/// A time, the one conversion of every instant the door takes (`now`, `as_of`, period bounds,
/// times inside dicts and event columns): a timezone-aware `datetime` or `pandas.Timestamp`
/// (any zone, converted to UTC), a `numpy.datetime64` (any unit, read as UTC), or an RFC 3339
/// string. A naive `datetime` or `Timestamp` is refused with `InputError` and a hint: which
/// zone it means is unknown; so is `NaT`.
pub(crate) fn extract_time(obj: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    extract_time_in("", obj)
}

/// [`extract_time`] with `context` (where the value sits) before every error message.
pub(crate) fn extract_time_in(context: &str, obj: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    let at = if context.is_empty() {
        String::new()
    } else {
        format!("{context}: ")
    };
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_str()?;
        return DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| input_error(format!("{at}`{s}` is not an RFC 3339 time: {e}")));
    }
    if obj.is_instance_of::<PyDateTime>() {
        // `pandas.Timestamp` is a `datetime`; so is `pandas.NaT`, which has no offset at all.
        if type_name(obj) == "NaTType" {
            return Err(input_error(format!("{at}NaT is not a time")));
        }
        let offset = obj.call_method0("utcoffset")?;
        if offset.is_none() {
            let pandas = if type_name(obj) == "Timestamp" {
                " (a pandas.Timestamp: ts.tz_localize(\"UTC\"))"
            } else {
                ""
            };
            return Err(input_error(format!(
                "{at}{NAIVE_HINT}{pandas}; got {}",
                obj.repr()?
            )));
        }
        let utc = PyTzInfo::utc(obj.py())?;
        return obj.call_method1("astimezone", (utc,))?.extract();
    }
    if is_datetime64(obj) {
        return datetime64(&at, obj);
    }
    Err(PyTypeError::new_err(format!(
        "{at}expected a timezone-aware datetime or pandas.Timestamp, a numpy.datetime64 (UTC) \
         or an RFC 3339 string, not {}",
        type_name(obj)
    )))
}

/// Whether `obj` is a `numpy.datetime64` scalar (numpy is not imported to find out).
pub(crate) fn is_datetime64(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    ty.name().is_ok_and(|n| n == "datetime64")
        && ty
            .module()
            .is_ok_and(|m| m.to_str().is_ok_and(|m| m == "numpy"))
}

/// A `numpy.datetime64` of any unit as a UTC time: units finer than a microsecond through
/// nanoseconds, the others through microseconds (which hold any year numpy can write).
fn datetime64(at: &str, obj: &Bound<'_, PyAny>) -> PyResult<DateTime<Utc>> {
    let numpy = obj.py().import("numpy")?;
    let (unit, _): (String, i64) = numpy
        .call_method1("datetime_data", (obj.getattr("dtype")?,))?
        .extract()?;
    let fine = matches!(unit.as_str(), "ns" | "ps" | "fs" | "as");
    let count: i64 = obj
        .call_method1(
            "astype",
            (if fine {
                "datetime64[ns]"
            } else {
                "datetime64[us]"
            },),
        )?
        .call_method1("astype", ("int64",))?
        .extract()?;
    if count == i64::MIN {
        return Err(input_error(format!("{at}NaT is not a time")));
    }
    let t = if fine {
        Some(DateTime::from_timestamp_nanos(count))
    } else {
        DateTime::from_timestamp_micros(count)
    };
    match t {
        Some(t) => Ok(t),
        None => Err(input_error(format!("{at}{} is out of range", obj.repr()?))),
    }
}

fn describe(what: &str, path: &serde_path_to_error::Path, message: &str) -> String {
    let path = path.to_string();
    if path.is_empty() || path == "." {
        format!("{what}: {message}")
    } else {
        format!("{what} at `{path}`: {message}")
    }
}

/// A core value from a JSON value; a wrong shape is an `InputError` naming `what` and the path.
pub(crate) fn from_value<T: DeserializeOwned>(what: &str, value: Value) -> PyResult<T> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| input_error(describe(what, e.path(), &e.inner().to_string())))
}

/// A core value from JSON text.
pub(crate) fn from_json_text<T: DeserializeOwned>(what: &str, text: &str) -> PyResult<T> {
    leadcore::wire::from_json(text, what).py_err()
}

/// A core value from a Python object in its JSON shape.
pub(crate) fn from_py<T: DeserializeOwned>(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<T> {
    from_value(what, py_to_json(obj)?)
}

/// An actor: a dict `{"id": ..., "role": ...}` or a tuple `(id, role)`.
pub(crate) fn extract_actor(obj: &Bound<'_, PyAny>) -> PyResult<Actor> {
    if let Ok(t) = obj.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(input_error(format!(
                "actor tuple must be (id, role), got {} items",
                t.len()
            )));
        }
        let mut map = Map::new();
        map.insert("id".to_owned(), py_to_json(&t.get_item(0)?)?);
        map.insert("role".to_owned(), py_to_json(&t.get_item(1)?)?);
        return from_value("actor", Value::Object(map));
    }
    if obj.is_instance_of::<PyDict>() {
        return from_py("actor", obj);
    }
    Err(PyTypeError::new_err(format!(
        "actor must be a dict {{'id': ..., 'role': ...}} or a tuple (id, role), not {}",
        type_name(obj)
    )))
}
