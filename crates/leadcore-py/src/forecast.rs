//! Forecasting: `forecast` (a deals table in, Arrow tables out, GIL released) and
//! `forecast_report` (the JSON wire form in, the full result out, as the C door and the
//! vectors take it).

use crate::columns::{Of, arrow_pyerr, extract_table};
use crate::convert::{py_to_json, to_py};
use crate::errors::{IntoPyResult, input_error};
use crate::table::PyArrowTable;
use leadcore::forecast::ForecastInput;
use leadcore::wire::canonical_json;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde_json::{Value, json};

fn default_threads(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `categories`: the wire form `{"default", "stages": {..}}` when it has a `stages` or
/// `default` key, else a flat `{stage: category}` mapping (unlisted stages: pipeline).
pub(crate) fn categories_json(categories: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Value>> {
    let Some(c) = categories.filter(|c| !c.is_none()) else {
        return Ok(None);
    };
    let wire = match c.cast::<PyDict>() {
        Ok(d) => d.contains("stages")? || d.contains("default")?,
        Err(_) => return Err(input_error("categories must be a dict")),
    };
    let v = py_to_json(c)?;
    Ok(Some(if wire {
        v
    } else {
        json!({"default": "pipeline", "stages": v})
    }))
}

/// The forecast of a deals table in one call with the GIL released. See the stubs.
#[pyfunction]
#[pyo3(signature = (deals, *, fiscal_start_month = 1, weeks = None, granularity = "quarter", categories = None, trials = None, seed = None, quotas = None, threads = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn forecast(
    py: Python<'_>,
    deals: &Bound<'_, PyAny>,
    fiscal_start_month: u32,
    weeks: Option<String>,
    granularity: &str,
    categories: Option<&Bound<'_, PyAny>>,
    trials: Option<u32>,
    seed: Option<u64>,
    quotas: Option<&Bound<'_, PyAny>>,
    threads: Option<usize>,
) -> PyResult<(PyArrowTable, Option<PyArrowTable>)> {
    crate::errors::shield(|| {
        let mut spec = json!({
            "calendar": {"start_month": fiscal_start_month},
            "granularity": granularity,
            "deals": [],
        });
        if let Some(w) = weeks {
            spec["calendar"]["weeks"] = Value::String(w);
        }
        if let Some(c) = categories_json(categories)? {
            spec["categories"] = c;
        }
        let quotas = match quotas.filter(|q| !q.is_none()) {
            Some(q) => Some(py_to_json(q)?),
            None => None,
        };
        match (trials, seed, quotas) {
            (Some(t), seed, quotas) => {
                spec["monte_carlo"] = json!({
                    "trials": t,
                    "seed": seed.unwrap_or(0),
                    "quotas": quotas.unwrap_or_else(|| json!([])),
                });
            }
            (None, None, None) => {}
            (None, _, _) => return Err(input_error("seed and quotas need trials")),
        }
        let input = ForecastInput::from_json(&spec.to_string()).py_err()?;
        let table = extract_table(
            Of::Leads,
            deals,
            "deals must be a dict of columns or a table (pandas, polars, pyarrow)",
        )?;
        let threads = default_threads(threads);
        let result = py.detach(|| leadcore_arrow::forecast_tables(input, &table, threads));
        result
            .map(|(w, mc)| (PyArrowTable::new(w), mc.map(PyArrowTable::new)))
            .map_err(|e| arrow_pyerr(Of::Leads, e))
    })
}

/// The full forecast from the wire form (a dict, or its JSON text): a dict, or canonical
/// JSON text when `json=True`.
#[pyfunction]
#[pyo3(signature = (input, *, threads = None, json = false))]
pub(crate) fn forecast_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    threads: Option<usize>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = match input.cast::<PyString>() {
            Ok(text) => ForecastInput::from_json(text.to_str()?).py_err()?,
            Err(_) => ForecastInput::from_json(&py_to_json(input)?.to_string()).py_err()?,
        };
        let threads = default_threads(threads);
        let out = py.detach(|| input.run(threads)).py_err()?;
        if json {
            Ok(PyString::new(py, &canonical_json(&out)).into_any())
        } else {
            to_py(py, &out)
        }
    })
}

/// Adds this file's functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(forecast, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_report, m)?)?;
    Ok(())
}
