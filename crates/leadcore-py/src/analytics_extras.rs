//! Bottlenecks, lead metrics and rep-activity metrics: `bottlenecks` and `lead_metrics`
//! (tables in, a dict of Arrow tables out, one call each), and `bottleneck_report`,
//! `lead_report` and `activity_report` (the JSON wire forms in, the full reports out, as
//! the C door and the vectors take them).

use crate::analytics::{deal_tables, playbook_pipeline};
use crate::columns::{Of, arrow_pyerr, extract_table};
use crate::convert::{extract_time_in, from_py, py_to_json, to_py, type_name};
use crate::errors::{IntoPyResult, input_error};
use crate::table::PyArrowTable;
use leadcore::analytics::{
    ActivityMetricsInput, BottleneckInput, Bottlenecks, LeadMetrics, LeadMetricsInput, Period,
    StageDef,
};
use leadcore::time::Duration;
use leadcore::wire::canonical_json;
use leadcore_arrow::RecordBatch;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde::Serialize;
use std::collections::BTreeMap;

/// `(from, to)`: a pair of times (a tuple, a list, any sequence of two).
pub(crate) fn extract_period(period: &Bound<'_, PyAny>) -> PyResult<Period> {
    let pair: Vec<Bound<'_, PyAny>> = if period.is_instance_of::<PyString>() {
        Vec::new()
    } else {
        period.extract().unwrap_or_default()
    };
    let [from, to] = pair.as_slice() else {
        return Err(input_error("period must be a (from, to) pair"));
    };
    Ok(Period {
        from: extract_time_in("period[0]", from)?,
        to: extract_time_in("period[1]", to)?,
    })
}

/// Leak thresholds: stage name to a duration text (`"30d"`) or a `timedelta`.
fn extract_leak_after(obj: Option<&Bound<'_, PyAny>>) -> PyResult<BTreeMap<String, Duration>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(BTreeMap::new());
    };
    let dict = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "leak_after must be a dict of stage to duration, not {}",
            type_name(obj)
        ))
    })?;
    let mut out = BTreeMap::new();
    for (k, v) in dict.iter() {
        let stage: String = k
            .extract()
            .map_err(|_| PyTypeError::new_err("leak_after: stage names must be str"))?;
        let d = if let Ok(s) = v.cast::<PyString>() {
            Duration::parse(s.to_str()?)
        } else if let Ok(td) = v.extract::<chrono::TimeDelta>() {
            Duration::from_seconds(td.num_seconds())
        } else {
            return Err(PyTypeError::new_err(format!(
                "leak_after[{stage:?}] must be a duration text (\"30d\") or a timedelta, not {}",
                type_name(&v)
            )));
        }
        .map_err(|m| input_error(format!("leak_after[{stage:?}]: {m}")))?;
        out.insert(stage, d);
    }
    Ok(out)
}

fn tables<'py>(py: Python<'py>, batches: Vec<(&str, RecordBatch)>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, b) in batches {
        d.set_item(name, Bound::new(py, PyArrowTable::new(b))?)?;
    }
    Ok(d)
}

/// A wire-form input: JSON text, or a dict in its JSON shape.
fn wire_text(input: &Bound<'_, PyAny>) -> PyResult<String> {
    match input.cast::<PyString>() {
        Ok(text) => Ok(text.to_str()?.to_owned()),
        Err(_) => Ok(py_to_json(input)?.to_string()),
    }
}

fn report<'py, T: Serialize>(py: Python<'py>, out: &T, json: bool) -> PyResult<Bound<'py, PyAny>> {
    if json {
        Ok(PyString::new(py, &canonical_json(out)).into_any())
    } else {
        to_py(py, out)
    }
}

/// Bottlenecks from an opportunities table and, optionally, a table of their stage
/// entries, in one call with the GIL released: a dict of Arrow tables. See the stubs.
#[pyfunction]
#[pyo3(signature = (opportunities, history = None, *, stages, period, baseline_periods = 3, factor = 1.25, min_count = 5, closest = 10, leak_after = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn bottlenecks<'py>(
    py: Python<'py>,
    opportunities: &Bound<'py, PyAny>,
    history: Option<&Bound<'py, PyAny>>,
    stages: &Bound<'py, PyAny>,
    period: &Bound<'py, PyAny>,
    baseline_periods: u32,
    factor: f64,
    min_count: u64,
    closest: usize,
    leak_after: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    crate::errors::shield(|| {
        let stages: Vec<StageDef> = from_py("stages", stages)?;
        let spec = BottleneckInput {
            stages: Some(stages),
            pipeline: None,
            period: extract_period(period)?,
            baseline_periods: Some(baseline_periods),
            factor: Some(factor),
            min_count: Some(min_count),
            closest: Some(closest),
            leak_after: extract_leak_after(leak_after)?,
            opportunities: Vec::new(),
        }
        .spec(None)
        .py_err()?;
        let (opps, history) = deal_tables(opportunities, history)?;
        let result = py.detach(|| -> Result<_, leadcore_arrow::Error> {
            let deals = leadcore_arrow::deal_histories(&opps, history.as_ref())?;
            let mut b = Bottlenecks::new(spec);
            for d in &deals {
                b.add(d)?;
            }
            leadcore_arrow::bottleneck_batches(&b.finish()?)
        });
        let batches = result.map_err(|e| arrow_pyerr(Of::Leads, e))?;
        tables(py, batches)
    })
}

/// Lead metrics from a leads table and a table of their stage entries, in one call with
/// the GIL released: a dict of Arrow tables. See the stubs.
#[pyfunction]
#[pyo3(signature = (leads, history, *, period, stages = None, benchmarks = None, by_owner = false))]
pub(crate) fn lead_metrics<'py>(
    py: Python<'py>,
    leads: &Bound<'py, PyAny>,
    history: &Bound<'py, PyAny>,
    period: &Bound<'py, PyAny>,
    stages: Option<&Bound<'py, PyAny>>,
    benchmarks: Option<&Bound<'py, PyAny>>,
    by_owner: bool,
) -> PyResult<Bound<'py, PyDict>> {
    crate::errors::shield(|| {
        let spec = LeadMetricsInput {
            period: extract_period(period)?,
            stages: stages
                .filter(|s| !s.is_none())
                .map(|s| from_py("stages", s))
                .transpose()?,
            benchmarks: benchmarks
                .filter(|b| !b.is_none())
                .map(|b| from_py("benchmarks", b))
                .transpose()?
                .unwrap_or_default(),
            by_owner,
            leads: Vec::new(),
        }
        .spec()
        .py_err()?;
        let leads = extract_table(
            Of::Leads,
            leads,
            "leads must be a dict of columns or a table (pandas, polars, pyarrow)",
        )?;
        let history = extract_table(
            Of::Events,
            history,
            "history must be a dict of columns or a table (lead_id, at, stage)",
        )?;
        let result = py.detach(|| -> Result<_, leadcore_arrow::Error> {
            let leads = leadcore_arrow::lead_histories(&leads, &history)?;
            let mut m = LeadMetrics::new(spec);
            for l in &leads {
                m.add(l)?;
            }
            leadcore_arrow::lead_report_batches(&m.finish()?)
        });
        let batches = result.map_err(|e| arrow_pyerr(Of::Leads, e))?;
        tables(py, batches)
    })
}

/// The full bottleneck report from the wire form (a dict, or its JSON text): a dict, or
/// canonical JSON text when `json=True`. `playbook` resolves `"pipeline"` when `"stages"`
/// is absent.
#[pyfunction]
#[pyo3(signature = (input, *, playbook = None, json = false))]
pub(crate) fn bottleneck_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    playbook: Option<&Bound<'py, PyAny>>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = BottleneckInput::from_json(&wire_text(input)?).py_err()?;
        let pipeline = match (&input.stages, &input.pipeline, playbook) {
            (None, Some(name), Some(pb)) if !pb.is_none() => Some(playbook_pipeline(pb, name)?),
            _ => None,
        };
        let out = py.detach(|| input.run(pipeline.as_ref())).py_err()?;
        report(py, &out, json)
    })
}

/// The full lead report from the wire form (a dict, or its JSON text): a dict, or
/// canonical JSON text when `json=True`.
#[pyfunction]
#[pyo3(signature = (input, *, json = false))]
pub(crate) fn lead_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = LeadMetricsInput::from_json(&wire_text(input)?).py_err()?;
        let out = py.detach(|| input.run()).py_err()?;
        report(py, &out, json)
    })
}

/// The full rep-activity report from the wire form (a dict, or its JSON text): a dict, or
/// canonical JSON text when `json=True`.
#[pyfunction]
#[pyo3(signature = (input, *, json = false))]
pub(crate) fn activity_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = ActivityMetricsInput::from_json(&wire_text(input)?).py_err()?;
        let out = py.detach(|| input.run()).py_err()?;
        report(py, &out, json)
    })
}

/// Adds this file's functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(bottlenecks, m)?)?;
    m.add_function(wrap_pyfunction!(lead_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(bottleneck_report, m)?)?;
    m.add_function(wrap_pyfunction!(lead_report, m)?)?;
    m.add_function(wrap_pyfunction!(activity_report, m)?)?;
    Ok(())
}
