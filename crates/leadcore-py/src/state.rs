//! `LeadState`: one record's lifecycle state, owned as plain data.

use crate::convert::{extract_time, to_py};
use crate::errors::IntoPyResult;
use chrono::{DateTime, Utc};
use leadcore::LifecycleState;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// The lifecycle state of one record in one pipeline: current stage, highest stage reached,
/// when it entered the current stage, and its whole history. Created by `Playbook.start`,
/// `Playbook.replay` or `LeadState.from_json`; moved by `Playbook.transition`.
#[pyclass(name = "LeadState", module = "leadcore._leadcore")]
#[derive(Clone)]
pub struct PyLeadState {
    pub(crate) inner: LifecycleState,
}

impl PyLeadState {
    pub(crate) fn new(inner: LifecycleState) -> Self {
        PyLeadState { inner }
    }
}

#[pymethods]
impl PyLeadState {
    /// The pipeline the record runs in.
    #[getter]
    fn pipeline(&self) -> &str {
        self.inner.pipeline()
    }

    /// The record's id.
    #[getter]
    fn record_id(&self) -> &str {
        self.inner.record_id()
    }

    /// The current stage.
    #[getter]
    fn current(&self) -> &str {
        self.inner.current()
    }

    /// The highest ranked stage ever reached (recycling does not lower it), or None.
    #[getter]
    fn highest(&self) -> Option<&str> {
        self.inner.highest()
    }

    /// When the record entered its current stage (UTC).
    #[getter]
    fn entered_at(&self) -> DateTime<Utc> {
        self.inner.entered_at()
    }

    /// The state format version.
    #[getter]
    fn schema_version(&self) -> u32 {
        self.inner.schema_version()
    }

    /// Every transition, oldest first, as dicts (`at`, `from`, `to`, `actor`, `reason`).
    #[getter]
    fn history<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, self.inner.history()))
    }

    /// Time spent in each stage visited, up to `now`: dicts `{stage, seconds, visits}`.
    fn dwell<'py>(&self, py: Python<'py>, now: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            to_py(py, &self.inner.dwell(now).py_err()?)
        })
    }

    /// The state as JSON text (what `from_json` reads back).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads a state from JSON, checking its version and consistency.
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        crate::errors::shield(|| LifecycleState::from_json(text).py_err().map(Self::new))
    }

    /// The state as a dict (the JSON shape).
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

    fn __eq__(&self, other: PyRef<'_, Self>) -> bool {
        self.inner == other.inner
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        crate::errors::shield(|| {
            let text = |s: &str| -> PyResult<String> {
                Ok(pyo3::types::PyString::new(py, s).repr()?.to_string())
            };
            Ok(format!(
                "LeadState(pipeline={}, record_id={}, current={}, highest={}, transitions={})",
                text(self.inner.pipeline())?,
                text(self.inner.record_id())?,
                text(self.inner.current())?,
                match self.inner.highest() {
                    Some(h) => text(h)?,
                    None => "None".to_owned(),
                },
                self.inner.history().len().saturating_sub(1)
            ))
        })
    }
}
