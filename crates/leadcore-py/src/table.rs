//! Tables out: [`PyArrowTable`], what every batch call returns (alone, in a tuple or in a
//! dict), and the conversions it shares with `BatchResult`: `to_arrow()` (pyarrow),
//! `to_pandas()` (indexed by its natural key, e.g. the lead id), `to_polars()`, the Arrow C
//! stream (`__arrow_c_stream__`) and a notebook view (`_repr_html_`). pyarrow, pandas and polars stay optional: each conversion imports
//! its library when called and says which extra to install when it is missing.

use crate::errors::{LeadcoreWarning, shield};
use arrow_array::cast::AsArray;
use arrow_array::types as t;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, Utc};
use leadcore::RowError;
use pyo3::exceptions::PyImportError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList, PyModule};
use std::collections::BTreeMap;
use std::ffi::CString;
use std::fmt::Write;

/// Rows shown by `_repr_html_`: all of a short table, else the first and last few.
const HTML_ALL: usize = 20;
const HTML_ENDS: usize = 5;

/// Record batches leaving Rust. Read them with
/// `to_arrow()`, `to_pandas()` or `to_polars()`, or hand it to any library that reads the
/// Arrow C stream interface (`pa.table(t)`, `pl.DataFrame(t)`, `duckdb`) without a copy.
#[pyclass(name = "ArrowTable", module = "leadcore._leadcore", frozen)]
pub struct PyArrowTable {
    batch: RecordBatch,
    /// The columns `to_pandas()` makes the index (its natural key), in order.
    index: Vec<String>,
}

impl PyArrowTable {
    pub(crate) fn new(batch: RecordBatch) -> Self {
        PyArrowTable {
            batch,
            index: Vec::new(),
        }
    }

    /// The table with `columns` (those it has) as the pandas index.
    pub(crate) fn indexed(mut self, columns: &[&str]) -> Self {
        let schema = self.batch.schema();
        self.index = columns
            .iter()
            .filter(|c| schema.column_with_name(c).is_some())
            .map(|c| c.to_string())
            .collect();
        self
    }
}

/// `batch` with its column `from` named `to` (the caller's name for the id column).
pub(crate) fn renamed(batch: RecordBatch, from: &str, to: &str) -> PyResult<RecordBatch> {
    if from == to {
        return Ok(batch);
    }
    let schema = batch.schema();
    if schema.column_with_name(to).is_some() {
        return Err(crate::errors::input_error(format!(
            "id_column `{to}` is the name of another column of the result"
        )));
    }
    let fields: Vec<arrow_schema::Field> = schema
        .fields()
        .iter()
        .map(|f| {
            if f.name() == from {
                f.as_ref().clone().with_name(to)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    let schema = std::sync::Arc::new(arrow_schema::Schema::new(fields));
    RecordBatch::try_new(schema, batch.columns().to_vec())
        .map_err(|e| crate::errors::input_error(format!("cannot rename `{from}`: {e}")))
}

/// A module of an optional dependency, or `ImportError` naming the extra that brings it.
pub(crate) fn optional<'py>(
    py: Python<'py>,
    module: &str,
    extra: &str,
    what: &str,
) -> PyResult<Bound<'py, PyModule>> {
    py.import(module).map_err(|e| {
        let err = PyImportError::new_err(format!(
            "{what} needs {module}: pip install \"leadcore[{extra}]\" (or pip install {module})"
        ));
        err.set_cause(py, Some(e));
        err
    })
}

/// `obj` (anything with `__arrow_c_stream__`) as a `pyarrow.Table`.
pub(crate) fn to_arrow<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyAny>> {
    let pa = optional(obj.py(), "pyarrow", "pyarrow", what)?;
    pa.call_method1("table", (obj,))
}

/// `obj` as a `polars.DataFrame`.
pub(crate) fn to_polars<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyAny>> {
    let pl = optional(obj.py(), "polars", "polars", what)?;
    pl.call_method1("DataFrame", (obj,))
}

/// `obj` as a `pandas.DataFrame` (through pyarrow), with `index` as its index when asked;
/// `arrow_dtypes` keeps every column Arrow-backed (`pandas.ArrowDtype`).
pub(crate) fn to_pandas<'py>(
    obj: &Bound<'py, PyAny>,
    what: &str,
    index: &[String],
    use_index: bool,
    arrow_dtypes: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    let pd = optional(py, "pandas", "pandas", what)?;
    let table = to_arrow(obj, what)?;
    let kwargs = PyDict::new(py);
    if arrow_dtypes {
        kwargs.set_item("types_mapper", pd.getattr("ArrowDtype")?)?;
    }
    let df = table.call_method("to_pandas", (), Some(&kwargs))?;
    if use_index && !index.is_empty() {
        df.call_method1("set_index", (PyList::new(py, index)?,))
    } else {
        Ok(df)
    }
}

/// Warns once (`LeadcoreWarning`) that `errors` of `rows` input rows were not taken, with
/// how many for each reason, and where to read them.
pub(crate) fn warn_dropped(
    py: Python<'_>,
    errors: &[RowError],
    rows: usize,
    what: &str,
    read_them: &str,
) -> PyResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for e in errors {
        *reasons.entry(e.reason.code()).or_default() += 1;
    }
    let reasons: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let message = format!(
        "{} of {rows} {what} not counted ({}); {read_them}",
        errors.len(),
        reasons.join(", ")
    );
    let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
    let category = py.get_type::<LeadcoreWarning>();
    PyErr::warn(py, &category, &message, 1)
}

#[pymethods]
impl PyArrowTable {
    /// The number of rows.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// The column names.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        names(&self.batch)
    }

    /// The columns `to_pandas()` makes the index (empty: a default index).
    #[getter]
    fn index_columns(&self) -> Vec<String> {
        self.index.clone()
    }

    /// The table as a `pyarrow.Table` (needs pyarrow).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        to_arrow(slf.as_any(), "ArrowTable.to_arrow")
    }

    /// The table as a `pandas.DataFrame` (needs pandas and pyarrow), indexed by its natural
    /// key (`index_columns`) unless `index=False`; `arrow_dtypes=True` keeps the columns
    /// Arrow-backed.
    #[pyo3(signature = (*, index = true, arrow_dtypes = false))]
    fn to_pandas<'py>(
        slf: &Bound<'py, Self>,
        index: bool,
        arrow_dtypes: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let this = slf.get();
        to_pandas(
            slf.as_any(),
            "ArrowTable.to_pandas",
            &this.index,
            index,
            arrow_dtypes,
        )
    }

    /// The table as a `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        to_polars(slf.as_any(), "ArrowTable.to_polars")
    }

    /// The table as an Arrow C stream (a capsule named `arrow_array_stream`); a requested
    /// schema is not honoured (the PyCapsule interface allows that).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        shield(|| {
            let _ = requested_schema;
            crate::arrow::stream_capsule(py, self.batch.clone())
        })
    }

    fn __len__(&self) -> usize {
        self.batch.num_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "ArrowTable(rows={}, columns={:?})",
            self.batch.num_rows(),
            self.column_names()
        )
    }

    /// The table as HTML for notebooks: the first and last rows of a long table.
    fn _repr_html_(&self) -> String {
        html(&self.batch, "ArrowTable", 0)
    }
}

fn names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

/// A batch as an HTML table (escaped), with its shape and the number of rows not taken.
pub(crate) fn html(batch: &RecordBatch, title: &str, errors: usize) -> String {
    let rows = batch.num_rows();
    let shown: Vec<Option<usize>> = if rows <= HTML_ALL {
        (0..rows).map(Some).collect()
    } else {
        (0..HTML_ENDS)
            .map(Some)
            .chain([None])
            .chain((rows - HTML_ENDS..rows).map(Some))
            .collect()
    };
    let mut out = String::from("<div><table class=\"dataframe leadcore\">\n<thead><tr>");
    for name in names(batch) {
        let _ = write!(out, "<th>{}</th>", escape(&name));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in shown {
        out.push_str("<tr>");
        for column in batch.columns() {
            match row {
                Some(r) => {
                    let _ = write!(out, "<td>{}</td>", escape(&cell(column, r)));
                }
                None => out.push_str("<td>…</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    let _ = write!(
        out,
        "</tbody></table>\n<p>{title}: {rows} rows × {} columns",
        batch.num_columns()
    );
    if errors > 0 {
        let _ = write!(
            out,
            "; {errors} input rows not taken (<code>.errors</code>)"
        );
    }
    out.push_str("</p></div>");
    out
}

/// A score card as HTML: a row per model (score, grade), then its rules with points and its
/// adjustments, so a notebook shows why a lead scores what it does.
pub(crate) fn card_html(card: &leadcore::scoring::ScoreCard) -> String {
    let mut out = format!(
        "<div><p><b>ScoreCard</b> {} at {}{}{}</p>\n<table class=\"dataframe leadcore\">\n\
         <thead><tr><th>model</th><th>rule</th><th>events</th><th>points</th><th>grade</th></tr></thead>\n<tbody>\n",
        escape(&card.lead_id),
        card.at.to_rfc3339(),
        if card.hot { " · hot" } else { "" },
        card.zombie.as_ref().map_or(String::new(), |z| format!(
            " · zombie ({})",
            escape(&z.action)
        )),
    );
    for m in &card.models {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><th></th><th></th><th>{:?}</th><th>{}</th></tr>",
            escape(&m.model),
            m.score,
            escape(m.grade.as_deref().unwrap_or(""))
        );
        for r in m
            .rules
            .iter()
            .filter(|r| r.occurrences > 0 || r.points != 0.0)
        {
            let _ = writeln!(
                out,
                "<tr><td></td><td>{}</td><td>{}</td><td>{:?}</td><td></td></tr>",
                escape(&r.rule),
                r.occurrences,
                r.points
            );
        }
        for a in &m.adjustments {
            let kind = serde_json::to_value(a.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr><td></td><td>{} ({})</td><td></td><td>{:?}</td><td></td></tr>",
                escape(&a.name),
                escape(&kind),
                a.points
            );
        }
    }
    out.push_str("</tbody></table></div>");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One value as text, the way Python would print it (`None` for null).
fn cell(column: &ArrayRef, row: usize) -> String {
    if column.is_null(row) {
        return "None".into();
    }
    fn ts(value: i64, unit: &TimeUnit) -> String {
        let at = match unit {
            TimeUnit::Second => DateTime::<Utc>::from_timestamp(value, 0),
            TimeUnit::Millisecond => DateTime::<Utc>::from_timestamp_millis(value),
            TimeUnit::Microsecond => DateTime::<Utc>::from_timestamp_micros(value),
            TimeUnit::Nanosecond => Some(DateTime::<Utc>::from_timestamp_nanos(value)),
        };
        at.map_or_else(|| value.to_string(), |t| t.to_rfc3339())
    }
    match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().value(row).to_owned(),
        DataType::LargeUtf8 => column.as_string::<i64>().value(row).to_owned(),
        DataType::Boolean => if column.as_boolean().value(row) {
            "True"
        } else {
            "False"
        }
        .into(),
        DataType::Int8 => column.as_primitive::<t::Int8Type>().value(row).to_string(),
        DataType::Int16 => column.as_primitive::<t::Int16Type>().value(row).to_string(),
        DataType::Int32 => column.as_primitive::<t::Int32Type>().value(row).to_string(),
        DataType::Int64 => column.as_primitive::<t::Int64Type>().value(row).to_string(),
        DataType::UInt8 => column.as_primitive::<t::UInt8Type>().value(row).to_string(),
        DataType::UInt16 => column
            .as_primitive::<t::UInt16Type>()
            .value(row)
            .to_string(),
        DataType::UInt32 => column
            .as_primitive::<t::UInt32Type>()
            .value(row)
            .to_string(),
        DataType::UInt64 => column
            .as_primitive::<t::UInt64Type>()
            .value(row)
            .to_string(),
        DataType::Float32 => format!("{:?}", column.as_primitive::<t::Float32Type>().value(row)),
        DataType::Float64 => format!("{:?}", column.as_primitive::<t::Float64Type>().value(row)),
        DataType::Date32 => {
            let days = column.as_primitive::<t::Date32Type>().value(row);
            NaiveDate::from_num_days_from_ce_opt(days.saturating_add(719_163))
                .map_or_else(|| days.to_string(), |d| d.to_string())
        }
        DataType::Timestamp(unit, _) => {
            // Every timestamp unit is an i64; reinterpret without caring which.
            let value = match unit {
                TimeUnit::Second => column.as_primitive::<t::TimestampSecondType>().value(row),
                TimeUnit::Millisecond => column
                    .as_primitive::<t::TimestampMillisecondType>()
                    .value(row),
                TimeUnit::Microsecond => column
                    .as_primitive::<t::TimestampMicrosecondType>()
                    .value(row),
                TimeUnit::Nanosecond => column
                    .as_primitive::<t::TimestampNanosecondType>()
                    .value(row),
            };
            ts(value, unit)
        }
        DataType::Dictionary(_, _) => {
            let dict = column.as_any_dictionary();
            let key = dict.normalized_keys()[row];
            cell(dict.values(), key)
        }
        other => format!("<{other}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{DictionaryArray, Float64Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn html_escapes_and_elides_long_tables() {
        let names = StringArray::from_iter_values((0..30).map(|i| format!("<b>{i}</b>")));
        let x = Float64Array::from_iter((0..30).map(|i| (i != 3).then_some(i as f64)));
        let batch = RecordBatch::try_from_iter([
            ("name", Arc::new(names) as ArrayRef),
            ("x", Arc::new(x) as ArrayRef),
        ])
        .unwrap();
        let page = html(&batch, "T", 2);
        assert!(page.contains("&lt;b&gt;0&lt;/b&gt;"));
        assert!(!page.contains("<b>"));
        assert!(page.contains("<td>…</td>"));
        assert!(page.contains("<td>29.0</td>"));
        assert!(!page.contains("<td>10.0</td>"));
        assert!(page.contains("30 rows × 2 columns; 2 input rows not taken"));
    }

    #[test]
    fn cells_read_dictionaries_and_nulls() {
        let d: DictionaryArray<t::Int32Type> =
            vec![Some("a"), None, Some("b")].into_iter().collect();
        let d: ArrayRef = Arc::new(d);
        assert_eq!([cell(&d, 0), cell(&d, 1), cell(&d, 2)], ["a", "None", "b"]);
    }
}
