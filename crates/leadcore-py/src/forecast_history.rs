//! The forecast from history, its backtest and the hierarchy roll-up: `forecast_history`,
//! `backtest` and `forecast_rollup` (tables in, Arrow tables out, GIL released) and their
//! `*_report` functions over the wire forms (as the C door and the vectors take them).

use crate::columns::{Of, arrow_pyerr, extract_table};
use crate::convert::{py_to_json, to_py};
use crate::errors::{IntoPyResult, input_error};
use crate::table::PyArrowTable;
use leadcore::forecast::{BacktestInput, HistoryForecastInput, RollupInput};
use leadcore::wire::canonical_json;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde::Serialize;
use serde_json::{Value, json};

const DEALS: &str = "deals must be a dict of columns or a table (pandas, polars, pyarrow)";

fn calendar(fiscal_start_month: u32, weeks: Option<String>) -> Value {
    let mut c = json!({ "start_month": fiscal_start_month });
    if let Some(w) = weeks {
        c["weeks"] = Value::String(w);
    }
    c
}

fn optional_json(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Value>> {
    obj.filter(|o| !o.is_none()).map(py_to_json).transpose()
}

/// Windows as `[(from, to), ..]` or `[{"from", "to"}, ..]`.
fn windows_json(windows: &Bound<'_, PyAny>) -> PyResult<Value> {
    let Value::Array(list) = py_to_json(windows)? else {
        return Err(input_error(
            "windows must be a list of (from, to) pairs or {\"from\", \"to\"} dicts",
        ));
    };
    Ok(Value::Array(
        list.into_iter()
            .map(|w| match w {
                Value::Array(pair) if pair.len() == 2 => {
                    let mut it = pair.into_iter();
                    json!({"from": it.next(), "to": it.next()})
                }
                other => other,
            })
            .collect(),
    ))
}

/// Reads a wire form from a dict or its JSON text.
fn wire<T>(input: &Bound<'_, PyAny>, read: fn(&str) -> leadcore::Result<T>) -> PyResult<T> {
    match input.cast::<PyString>() {
        Ok(text) => read(text.to_str()?).py_err(),
        Err(_) => read(&py_to_json(input)?.to_string()).py_err(),
    }
}

/// Runs a wire form with the GIL released; a dict, or canonical JSON text when `json`.
fn report<'py, I: Send, O: Serialize + Send>(
    py: Python<'py>,
    input: I,
    run: impl FnOnce(I) -> leadcore::Result<O> + Send,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let out = py.detach(|| run(input)).py_err()?;
    if json {
        Ok(PyString::new(py, &canonical_json(&out)).into_any())
    } else {
        to_py(py, &out)
    }
}

/// A forecast of windows from a deal history, with the GIL released. See the stubs.
#[pyfunction]
#[pyo3(signature = (deals, *, as_of, windows, trials = 2000, seed = 0, model = None, fiscal_start_month = 1, weeks = None, stage_history = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn forecast_history(
    py: Python<'_>,
    deals: &Bound<'_, PyAny>,
    as_of: &Bound<'_, PyAny>,
    windows: &Bound<'_, PyAny>,
    trials: u32,
    seed: u64,
    model: Option<&Bound<'_, PyAny>>,
    fiscal_start_month: u32,
    weeks: Option<String>,
    stage_history: Option<&Bound<'_, PyAny>>,
) -> PyResult<(PyArrowTable, PyArrowTable, PyArrowTable)> {
    crate::errors::shield(|| {
        let mut spec = json!({
            "deals": [],
            "as_of": py_to_json(as_of)?,
            "windows": windows_json(windows)?,
            "calendar": calendar(fiscal_start_month, weeks),
            "trials": trials,
            "seed": seed,
        });
        if let Some(m) = optional_json(model)? {
            spec["model"] = m;
        }
        let mut input = HistoryForecastInput::from_json(&spec.to_string()).py_err()?;
        let table = extract_table(Of::Leads, deals, DEALS)?;
        let visits = stage_history
            .filter(|h| !h.is_none())
            .map(|h| {
                extract_table(
                    Of::Events,
                    h,
                    "stage_history must be a dict of columns or a table (opportunity_id, stage, entered)",
                )
            })
            .transpose()?;
        let result = py.detach(|| -> Result<_, leadcore_arrow::Error> {
            input.deals = leadcore_arrow::historical_deals(&table)?;
            if let Some(v) = &visits {
                leadcore_arrow::stage_visits(&mut input.deals, v)?;
            }
            let out = input.run()?;
            let windows =
                leadcore_arrow::windows_batch(&out.windows, out.model.currency.as_deref())?;
            let model = leadcore_arrow::history_model_batch(&out.model)?;
            let stages = leadcore_arrow::history_stages_batch(&out.model)?;
            Ok((windows, model, stages))
        });
        result
            .map(|(w, m, s)| {
                (
                    PyArrowTable::new(w),
                    PyArrowTable::new(m),
                    PyArrowTable::new(s),
                )
            })
            .map_err(|e| arrow_pyerr(Of::Leads, e))
    })
}

/// The backtest of the forecast methods on a deal history, with the GIL released. See the
/// stubs.
#[pyfunction]
#[pyo3(signature = (deals, *, first, count, window_months, step_months = 1, trials = 2000, seed = 0, fixed_probability = 0.4, model = None, fiscal_start_month = 1, weeks = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn backtest(
    py: Python<'_>,
    deals: &Bound<'_, PyAny>,
    first: &Bound<'_, PyAny>,
    count: u32,
    window_months: u32,
    step_months: u32,
    trials: u32,
    seed: u64,
    fixed_probability: f64,
    model: Option<&Bound<'_, PyAny>>,
    fiscal_start_month: u32,
    weeks: Option<String>,
) -> PyResult<(PyArrowTable, PyArrowTable, PyArrowTable)> {
    crate::errors::shield(|| {
        let mut spec = json!({
            "first": py_to_json(first)?,
            "count": count,
            "window_months": window_months,
            "step_months": step_months,
            "trials": trials,
            "seed": seed,
            "fixed_probability": fixed_probability,
            "calendar": calendar(fiscal_start_month, weeks),
        });
        if let Some(m) = optional_json(model)? {
            spec["model"] = m;
        }
        let text = json!({"deals": [], "spec": spec}).to_string();
        let mut input = BacktestInput::from_json(&text).py_err()?;
        let table = extract_table(Of::Leads, deals, DEALS)?;
        let result = py.detach(|| -> Result<_, leadcore_arrow::Error> {
            input.deals = leadcore_arrow::historical_deals(&table)?;
            leadcore_arrow::backtest_batches(&input.run()?)
        });
        result
            .map(|(r, s, p)| {
                (
                    PyArrowTable::new(r),
                    PyArrowTable::new(s),
                    PyArrowTable::new(p),
                )
            })
            .map_err(|e| arrow_pyerr(Of::Leads, e))
    })
}

/// `hierarchy`: a `{node: parent}` dict (None for a root), or a table of `node` and
/// `parent` columns (a dict of columns holding a `node` key, pandas, polars, pyarrow).
fn hierarchy_lines(
    hierarchy: &Bound<'_, PyAny>,
) -> PyResult<Result<Vec<leadcore::forecast::ReportingLine>, leadcore_arrow::Table>> {
    if let Ok(d) = hierarchy.cast::<PyDict>()
        && !d.contains("node")?
    {
        let mut lines = Vec::with_capacity(d.len());
        for (k, v) in d.iter() {
            let node: String = k
                .extract()
                .map_err(|_| input_error("hierarchy: node names must be str"))?;
            let parent: Option<String> = v.extract().map_err(|_| {
                input_error(format!(
                    "hierarchy: the parent of `{node}` must be a str or None"
                ))
            })?;
            lines.push(leadcore::forecast::ReportingLine { node, parent });
        }
        return Ok(Ok(lines));
    }
    Ok(Err(extract_table(
        Of::Leads,
        hierarchy,
        "hierarchy must be a {node: parent} dict or a table of node and parent columns",
    )?))
}

/// The weighted pipeline rolled up a reporting hierarchy, with the GIL released. See the
/// stubs.
#[pyfunction]
#[pyo3(signature = (deals, hierarchy, *, fiscal_start_month = 1, weeks = None, granularity = "quarter", categories = None, quotas = None, quota_mode = "given_only"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn forecast_rollup(
    py: Python<'_>,
    deals: &Bound<'_, PyAny>,
    hierarchy: &Bound<'_, PyAny>,
    fiscal_start_month: u32,
    weeks: Option<String>,
    granularity: &str,
    categories: Option<&Bound<'_, PyAny>>,
    quotas: Option<&Bound<'_, PyAny>>,
    quota_mode: &str,
) -> PyResult<(PyArrowTable, PyArrowTable)> {
    crate::errors::shield(|| {
        let mut spec = json!({
            "hierarchy": [],
            "calendar": calendar(fiscal_start_month, weeks),
            "granularity": granularity,
            "deals": [],
            "quota_mode": quota_mode,
        });
        if let Some(c) = crate::forecast::categories_json(categories)? {
            spec["categories"] = c;
        }
        if let Some(q) = optional_json(quotas)? {
            spec["quotas"] = q;
        }
        let mut input = RollupInput::from_json(&spec.to_string()).py_err()?;
        let lines = hierarchy_lines(hierarchy)?;
        let table = extract_table(Of::Leads, deals, DEALS)?;
        let result = py.detach(|| -> Result<_, leadcore_arrow::Error> {
            input.hierarchy = match lines {
                Ok(lines) => lines,
                Err(t) => leadcore_arrow::reporting_lines(&t)?,
            };
            input.deals = leadcore_arrow::owned_deals(&table)?;
            leadcore_arrow::rollup_batches(&input.run()?)
        });
        result
            .map(|(c, s)| (PyArrowTable::new(c), PyArrowTable::new(s)))
            .map_err(|e| arrow_pyerr(Of::Leads, e))
    })
}

/// The history forecast from its wire form (a dict, or its JSON text).
#[pyfunction]
#[pyo3(signature = (input, *, json = false))]
pub(crate) fn forecast_history_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = wire(input, HistoryForecastInput::from_json)?;
        report(py, input, |i| i.run(), json)
    })
}

/// The backtest from its wire form (a dict, or its JSON text).
#[pyfunction]
#[pyo3(signature = (input, *, json = false))]
pub(crate) fn backtest_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = wire(input, BacktestInput::from_json)?;
        report(py, input, |i| i.run(), json)
    })
}

/// The hierarchy roll-up from its wire form (a dict, or its JSON text).
#[pyfunction]
#[pyo3(signature = (input, *, json = false))]
pub(crate) fn forecast_rollup_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = wire(input, RollupInput::from_json)?;
        report(py, input, |i| i.run(), json)
    })
}

/// Adds this file's functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(forecast_history, m)?)?;
    m.add_function(wrap_pyfunction!(backtest, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_rollup, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_history_report, m)?)?;
    m.add_function(wrap_pyfunction!(backtest_report, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_rollup_report, m)?)?;
    Ok(())
}
