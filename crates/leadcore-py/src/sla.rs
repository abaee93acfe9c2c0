//! SLA: the conversions the `Playbook` SLA methods share (`sla_status`, `sla_clocks`,
//! `sla_board`, `sla_metrics`).

use crate::columns::{Detached, Of, arrow_pyerr, extract_table};
use crate::convert::{from_py, to_py};
use crate::state::PyLeadState;
use crate::table::PyArrowTable;
use chrono::{DateTime, Utc};
use leadcore::Playbook;
use leadcore::model::{Activity, Lead};
use leadcore::sla::{SlaFacts, SlaMetrics, SlaStatus, StageChange};
use leadcore::wire::canonical_json;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

/// A lead's timeline as the SLA methods take it: the lead dict, its activities (a list of
/// dicts) and its stage changes (a `LeadState`, whose history gives them, or a list of
/// `{"at", "stage"}` dicts).
pub(crate) struct Timeline {
    lead: Lead,
    activities: Vec<Activity>,
    stages: Vec<StageChange>,
}

impl Timeline {
    pub(crate) fn extract(
        lead: &Bound<'_, PyAny>,
        activities: Option<&Bound<'_, PyAny>>,
        stages: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let lead = crate::scoring::lead(lead)?;
        let activities = match activities {
            Some(a) if !a.is_none() => crate::scoring::activities(a)?,
            _ => Vec::new(),
        };
        let stages = match stages {
            None => Vec::new(),
            Some(s) if s.is_none() => Vec::new(),
            Some(s) => {
                if let Ok(state) = s.cast::<PyLeadState>() {
                    state
                        .borrow()
                        .inner
                        .history()
                        .iter()
                        .map(|t| StageChange {
                            at: t.at,
                            stage: t.to.clone(),
                        })
                        .collect()
                } else if s.is_instance_of::<PyList>() || s.is_instance_of::<PyTuple>() {
                    from_py("stages", s)?
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "stages must be a LeadState or a list of {{\"at\", \"stage\"}} dicts, not {}",
                        crate::convert::type_name(s)
                    )));
                }
            }
        };
        Ok(Timeline {
            lead,
            activities,
            stages,
        })
    }

    pub(crate) fn facts(&self) -> SlaFacts<'_> {
        SlaFacts::new(&self.lead)
            .activities(&self.activities)
            .stages(&self.stages)
    }
}

/// Statuses as a list of dicts, or canonical JSON text.
pub(crate) fn statuses_out<'py>(
    py: Python<'py>,
    statuses: &[SlaStatus],
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    if json {
        Ok(PyString::new(py, &canonical_json(statuses)).into_any())
    } else {
        to_py(py, statuses)
    }
}

/// One policy's clocks (a table) read at `now`, as an Arrow table.
pub(crate) fn board(
    py: Python<'_>,
    pb: &Playbook,
    policy: &str,
    clocks: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
) -> PyResult<PyArrowTable> {
    let table = extract_table(
        Of::Leads,
        clocks,
        "clocks must be a dict of columns or a table (pandas, polars, pyarrow)",
    )?;
    let batch = py.detach(|| -> Result<_, leadcore_arrow::Error> {
        let columns = leadcore_arrow::sla_clocks(&table)?;
        let status = pb
            .sla()
            .status_columns(policy, columns.columns(), now)
            .map_err(leadcore_arrow::Error::Core)?;
        leadcore_arrow::sla_status_batch(&status, table.column("lead_id"))
    });
    batch
        .map(|b| PyArrowTable::new(b).indexed(&["lead_id"]))
        .map_err(|e| arrow_pyerr(Of::Leads, e))
}

/// Sums statuses (dicts as `sla_status` gives them) by group into figures per group and
/// policy.
pub(crate) fn metrics<'py>(
    py: Python<'py>,
    statuses: &Bound<'py, PyAny>,
    groups: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let statuses: Vec<SlaStatus> = from_py("statuses", statuses)?;
    let groups: Vec<String> = groups
        .extract()
        .map_err(|_| PyTypeError::new_err("groups must be a list of str, one per status"))?;
    if groups.len() != statuses.len() {
        return Err(crate::errors::input_error(format!(
            "{} groups for {} statuses: give one group per status",
            groups.len(),
            statuses.len()
        )));
    }
    let mut m = SlaMetrics::new();
    for (g, s) in groups.iter().zip(&statuses) {
        m.add(g, s);
    }
    to_py(py, &m.finish())
}

/// Every lead's status under every policy at `now`, from a leads table (or lead dicts), an
/// events table and a table of stage entries, as an Arrow table (GIL released). An event or
/// stage row that cannot be used is an error naming the rows: an SLA computed without some
/// of a lead's data would be silently wrong.
#[allow(clippy::too_many_arguments)]
pub(crate) fn many(
    py: Python<'_>,
    pb: &Playbook,
    leads: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
    events: Option<&Bound<'_, PyAny>>,
    stages: Option<&Bound<'_, PyAny>>,
    extra: leadcore::columnar::ExtraColumns,
    id_column: &str,
) -> PyResult<PyArrowTable> {
    let leads = crate::leads::Leads::extract(leads, id_column)?;
    let events = events
        .filter(|e| !e.is_none())
        .map(|e| crate::columns::EventsArg::extract(e, id_column))
        .transpose()?;
    let stages = stages
        .filter(|s| !s.is_none())
        .map(|s| {
            extract_table(
                Of::Events,
                s,
                "stages must be a dict of columns or a table (lead_id, at, stage)",
            )
            .and_then(|mut t| {
                crate::columns::rename_id(&mut t, Of::Events, id_column, "lead_id")?;
                Ok(t)
            })
        })
        .transpose()?;
    let result = py.detach(|| -> Result<_, Detached> {
        let leads = leads
            .finish(pb.catalog(), extra)
            .map_err(|(of, e)| Detached::Arrow(of, e))?;
        // Borrowed: the events' buffers (a pandas frame's, shared) are released after the
        // GIL is taken back.
        let activities = match &events {
            None => Vec::new(),
            Some(ev) => {
                let ev = ev.finish().map_err(|(of, e)| Detached::Arrow(of, e))?;
                let index = ev.lead_index(&leads).map_err(Detached::Core)?;
                let attrs = ev.attr_columns();
                let columns = ev.columns(&index, &attrs);
                let (per_lead, errors) = columns.activities(leads.len());
                if !errors.is_empty() {
                    let shown: Vec<String> = errors
                        .iter()
                        .take(5)
                        .map(|e| format!("row {}: {}", e.row, e.message))
                        .collect();
                    return Err(Detached::Core(leadcore::Error::invalid_input(format!(
                        "events: {} rows cannot be read ({}{})",
                        errors.len(),
                        shown.join("; "),
                        if errors.len() > 5 { "; ..." } else { "" },
                    ))));
                }
                per_lead
            }
        };
        let stages = match &stages {
            None => Vec::new(),
            Some(t) => {
                leadcore_arrow::sla_stages(t, &leads).map_err(|e| Detached::Arrow(Of::Leads, e))?
            }
        };
        let statuses = pb
            .sla()
            .statuses_of(&leads, &activities, &stages, now)
            .map_err(Detached::Core)?;
        leadcore_arrow::sla_statuses_batch(&statuses).map_err(|e| Detached::Arrow(Of::Leads, e))
    });
    let batch = crate::table::renamed(result?, "lead_id", id_column)?;
    Ok(PyArrowTable::new(batch).indexed(&[id_column, "policy"]))
}
