//! Pipeline analytics: `pipeline_metrics` (tables in, an Arrow table out, one call) and
//! `pipeline_report` (the JSON wire form in, the full report out, as the C door and the
//! vectors take it).

use crate::columns::{Of, arrow_pyerr, extract_table};
use crate::convert::{from_py, py_to_json, to_py};
use crate::errors::{IntoPyResult, input_error};
use crate::table::PyArrowTable;
use leadcore::Playbook;
use leadcore::analytics::{MetricsSpec, PipelineMetricsInput, PipelineStages, SliceKey, StageDef};
use leadcore::wire::canonical_json;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// The deal pipeline `name` of a `Playbook` object (read through its JSON form).
pub(crate) fn playbook_pipeline(pb: &Bound<'_, PyAny>, name: &str) -> PyResult<leadcore::Pipeline> {
    let text: String = pb.call_method0("to_json")?.extract()?;
    let pb = Playbook::from_json(&text).py_err()?;
    pb.pipeline(name).cloned().py_err()
}

/// The opportunities table and the optional stage-history table every deal-analytics call
/// reads.
pub(crate) fn deal_tables(
    opportunities: &Bound<'_, PyAny>,
    history: Option<&Bound<'_, PyAny>>,
) -> PyResult<(leadcore_arrow::Table, Option<leadcore_arrow::Table>)> {
    let opps = extract_table(
        Of::Leads,
        opportunities,
        "opportunities must be a dict of columns or a table (pandas, polars, pyarrow)",
    )?;
    let history = history
        .filter(|h| !h.is_none())
        .map(|h| {
            extract_table(
                Of::Events,
                h,
                "history must be a dict of columns or a table (opportunity_id, at, stage)",
            )
        })
        .transpose()?;
    Ok((opps, history))
}

fn group_keys(group_by: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<SliceKey>> {
    let names: Vec<String> = match group_by {
        None => Vec::new(),
        Some(g) if g.is_none() => Vec::new(),
        Some(g) => match g.cast::<PyString>() {
            Ok(s) => vec![s.to_str()?.to_owned()],
            Err(_) => g
                .extract()
                .map_err(|_| input_error("group_by must be a key name or a list of them"))?,
        },
    };
    names
        .iter()
        .map(|n| {
            SliceKey::parse(n).ok_or_else(|| {
                input_error(format!(
                    "group_by `{n}` is not one of owner, team, manager, office, source, pipeline, kind"
                ))
            })
        })
        .collect()
}

/// Pipeline metrics per group and stage from an opportunities table and, optionally, a
/// table of their stage entries, in one call with the GIL released. See the stubs.
#[pyfunction]
#[pyo3(signature = (opportunities, *, stages, period, history = None, group_by = None, qualified_from = None))]
pub(crate) fn pipeline_metrics(
    py: Python<'_>,
    opportunities: &Bound<'_, PyAny>,
    stages: &Bound<'_, PyAny>,
    period: &Bound<'_, PyAny>,
    history: Option<&Bound<'_, PyAny>>,
    group_by: Option<&Bound<'_, PyAny>>,
    qualified_from: Option<String>,
) -> PyResult<PyArrowTable> {
    crate::errors::shield(|| {
        let stages: Vec<StageDef> = from_py("stages", stages)?;
        let period = crate::analytics_extras::extract_period(period)?;
        let by = group_keys(group_by)?;
        let (opps, history) = deal_tables(opportunities, history)?;
        let result = py.detach(|| -> Result<_, leadcore_arrow::Error> {
            let spec = MetricsSpec::new(
                PipelineStages::new("pipeline", stages)?,
                period,
                qualified_from.as_deref(),
            )?;
            leadcore_arrow::pipeline_metrics_table(&opps, history.as_ref(), spec, &by)
        });
        result
            .map(PyArrowTable::new)
            .map_err(|e| arrow_pyerr(Of::Leads, e))
    })
}

/// The full pipeline report from the wire form (a dict, or its JSON text): a dict, or
/// canonical JSON text when `json=True`. `playbook` resolves `"pipeline"` when `"stages"`
/// is absent.
#[pyfunction]
#[pyo3(signature = (input, *, playbook = None, json = false))]
pub(crate) fn pipeline_report<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    playbook: Option<&Bound<'py, PyAny>>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input = match input.cast::<PyString>() {
            Ok(text) => PipelineMetricsInput::from_json(text.to_str()?).py_err()?,
            Err(_) => PipelineMetricsInput::from_json(&py_to_json(input)?.to_string()).py_err()?,
        };
        let pipeline = match (&input.stages, &input.pipeline, playbook) {
            (None, Some(name), Some(pb)) if !pb.is_none() => Some(playbook_pipeline(pb, name)?),
            _ => None,
        };
        let out = py.detach(|| input.run(pipeline.as_ref())).py_err()?;
        if json {
            Ok(PyString::new(py, &canonical_json(&out)).into_any())
        } else {
            to_py(py, &out)
        }
    })
}

/// Adds this file's functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pipeline_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(pipeline_report, m)?)?;
    Ok(())
}
