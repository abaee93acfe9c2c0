//! Routing: `RoutingState`, and the conversions the `Playbook` routing methods share
//! (`route`, `route_batch`, `route_many`).

use crate::columns::{Detached, arrow_pyerr};
use crate::convert::{from_py, to_py};
use crate::errors::IntoPyResult;
use crate::leads::Leads;
use chrono::{DateTime, Utc};
use leadcore::columnar::ExtraColumns;
use leadcore::routing::{Assignments, Decision, RouteFacts, RoutingState};
use leadcore::wire::canonical_json;
use leadcore::{Lead, Playbook};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};
use std::collections::BTreeMap;

/// What routing remembers between decisions: per-rep counters (open leads, today's count,
/// assigned deal value, win rate), round-robin positions and the account and domain owner
/// maps. Plain data: persist it with each assignment (`to_json`/`from_json`, pickle) and
/// hand it back with the next lead. Created by `Playbook.routing_state`; changed by
/// `Playbook.route`, `route_batch` and `route_many`, and unchanged when they raise.
#[pyclass(name = "RoutingState", module = "leadcore._leadcore")]
#[derive(Clone)]
pub struct PyRoutingState {
    pub(crate) inner: RoutingState,
}

#[pymethods]
impl PyRoutingState {
    /// The state format version.
    #[getter]
    fn schema_version(&self) -> u32 {
        self.inner.schema_version
    }

    /// One rep's counters as a dict (`open_leads`, `assigned_today`, `day`,
    /// `assigned_value`, `win_rate`); all 0 for a rep the state does not know.
    fn counters<'py>(&self, py: Python<'py>, rep: &str) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, &self.inner.counters(rep)))
    }

    /// Sets the open leads a rep holds (the host's count: closed, converted and dead leads
    /// do not count).
    fn set_open_leads(&mut self, rep: &str, open: u32) {
        self.inner.set_open_leads(rep, open);
    }

    /// One of a rep's leads closed, converted or died: one open lead fewer.
    fn lead_closed(&mut self, rep: &str) {
        self.inner.lead_closed(rep);
    }

    /// Sets a rep's win rate, from 0 to 1 (`InputError` otherwise).
    fn set_win_rate(&mut self, rep: &str, win_rate: f64) -> PyResult<()> {
        crate::errors::shield(|| self.inner.set_win_rate(rep, win_rate).py_err())
    }

    /// Records that `rep` is away from `start` (inclusive) to `end` (exclusive): routing
    /// passes the rep over meanwhile (`out_of_office`). `InputError` unless start < end.
    fn set_out_of_office(
        &mut self,
        rep: &str,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::errors::shield(|| {
            let (from, to) = (
                crate::convert::extract_time(start)?,
                crate::convert::extract_time(end)?,
            );
            self.inner.set_out_of_office(rep, from, to).py_err()
        })
    }

    /// Forgets every absence recorded for `rep` in this state (the playbook's stay).
    fn clear_out_of_office(&mut self, rep: &str) {
        self.inner.clear_out_of_office(rep);
    }

    /// Records that `rep` owns account `account_id`.
    fn set_account_owner(&mut self, account_id: &str, rep: &str) {
        self.inner.set_account_owner(account_id, rep);
    }

    /// Records that `rep` owns the e-mail domain `domain` (matched without regard to case).
    fn set_domain_owner(&mut self, domain: &str, rep: &str) {
        self.inner.set_domain_owner(domain, rep);
    }

    /// The state as canonical JSON text (what `from_json` reads back).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads a stored state, checking its format version (`VersionError`) and win rates
    /// (`InputError`).
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        crate::errors::shield(|| {
            RoutingState::from_json(text)
                .py_err()
                .map(|inner| PyRoutingState { inner })
        })
    }

    /// The state as a dict (its JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, &self.inner))
    }

    /// An independent copy.
    fn copy(&self) -> Self {
        self.clone()
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        crate::errors::shield(|| {
            let from_json = slf.get_type().getattr("from_json")?;
            Ok((from_json, (slf.borrow().inner.to_json(),)))
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRoutingState>()
            .is_ok_and(|o| o.borrow().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        let assigned: u64 = self
            .inner
            .reps
            .values()
            .map(|c| u64::from(c.open_leads))
            .sum();
        format!(
            "RoutingState(reps={}, open_leads={assigned})",
            self.inner.reps.len()
        )
    }
}

// ---- what the `Playbook` routing methods share ---------------------------------------

/// Routes one lead, recording the assignment in `state` (unchanged on error); the decision
/// as a dict, or as canonical JSON text when `json`.
pub(crate) fn route<'py>(
    py: Python<'py>,
    pb: &Playbook,
    state: &mut RoutingState,
    lead: &Bound<'py, PyAny>,
    now: DateTime<Utc>,
    scores: Option<&Bound<'py, PyAny>>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let lead = crate::scoring::lead(lead)?;
    let scores: Option<BTreeMap<String, f64>> = match scores {
        Some(s) if !s.is_none() => {
            if !s.is_instance_of::<PyDict>() {
                return Err(PyTypeError::new_err(format!(
                    "scores must be a dict of model name to score, not {}",
                    crate::convert::type_name(s)
                )));
            }
            Some(from_py("scores", s)?)
        }
        _ => None,
    };
    let facts = match &scores {
        Some(s) => RouteFacts::new(&lead).scores(s),
        None => RouteFacts::new(&lead),
    };
    let decision = pb.routing().assign(state, facts, now).py_err()?;
    decisions_out(py, std::slice::from_ref(&decision), json, true)
}

/// Routes many leads in order (a list of lead dicts or a leads table), exactly as one
/// `route` after another, with the GIL released; `state` is unchanged on error.
pub(crate) fn batch(
    py: Python<'_>,
    pb: &Playbook,
    state: &mut RoutingState,
    leads: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
    extra: ExtraColumns,
) -> PyResult<Vec<Decision>> {
    let leads = Leads::extract(leads, "lead_id")?;
    let routing = pb.routing();
    let catalog = pb.catalog();
    let result = py.detach(|| {
        let leads: Vec<Lead> = leads.finish(catalog, extra).map_err(Detached::from)?;
        Ok::<_, Detached>(routing.assign_batch(state, &leads, now)?)
    });
    Ok(result?)
}

/// [`batch`] without the trace: the lean columnar assignments (the same assignments and
/// state changes), with the leads' ids, GIL released.
pub(crate) fn batch_lean(
    py: Python<'_>,
    pb: &Playbook,
    state: &mut RoutingState,
    leads: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
    extra: ExtraColumns,
    id_column: &str,
) -> PyResult<(Vec<String>, Assignments)> {
    let leads = Leads::extract(leads, id_column)?;
    let routing = pb.routing();
    let catalog = pb.catalog();
    let result = py.detach(|| {
        let leads: Vec<Lead> = leads.finish(catalog, extra).map_err(Detached::from)?;
        let assignments = routing.assign_batch_lean(state, &leads, now)?;
        Ok::<_, Detached>((leads.into_iter().map(|l| l.id).collect(), assignments))
    });
    Ok(result?)
}

/// [`batch_lean`] as Arrow: the assignments' record batch
/// (`leadcore_arrow::assignments_batch`), built without the GIL.
pub(crate) fn columns(
    py: Python<'_>,
    pb: &Playbook,
    state: &mut RoutingState,
    leads: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
    extra: ExtraColumns,
    id_column: &str,
) -> PyResult<crate::table::PyArrowTable> {
    let (ids, assignments) = batch_lean(py, pb, state, leads, now, extra, id_column)?;
    let routing = pb.routing();
    let batch = py
        .detach(|| leadcore_arrow::assignments_batch(routing, &ids, &assignments))
        .map_err(|e| arrow_pyerr(crate::columns::Of::Leads, e))?;
    let batch = crate::table::renamed(batch, "lead_id", id_column)?;
    Ok(crate::table::PyArrowTable::new(batch).indexed(&[id_column]))
}

/// Decisions as Python values: one dict (`single`) or a list of dicts, or the canonical
/// JSON text of the same when `json`.
pub(crate) fn decisions_out<'py>(
    py: Python<'py>,
    decisions: &[Decision],
    json: bool,
    single: bool,
) -> PyResult<Bound<'py, PyAny>> {
    match (json, single, decisions.first()) {
        (true, true, Some(d)) => Ok(PyString::new(py, &canonical_json(d)).into_any()),
        (false, true, Some(d)) => to_py(py, d),
        (true, _, _) => Ok(PyString::new(py, &canonical_json(decisions)).into_any()),
        (false, _, _) => to_py(py, decisions),
    }
}
