//! Scoring results and state: `ScoreCard`, `ScoreState` and `BatchResult`, and the
//! conversions the `Playbook` scoring methods share.
//!
//! Scores are floats, so every result offers the core's canonical JSON text (`to_json()`,
//! or `json=True` on the methods that return lists of signals): its float text is the
//! shortest round-trip form as Rust writes it, the same bytes the Rust and C doors give.

use crate::columns::{Detached, EventsArg, Of};
use crate::convert::{from_json_text, to_py};
use crate::errors::{IntoPyResult, input_error};
use crate::leads::Leads;
use crate::table::PyArrowTable;
use arrow_array::{ArrayRef, RecordBatch};
use chrono::{DateTime, TimeDelta, Utc};
use leadcore::columnar::ExtraColumns;
use leadcore::scoring::{BatchScores, ScoreCard, ScoreSignal, ScoreState, Scoring};
use leadcore::wire::canonical_json;
use leadcore::{Activity, Lead, Playbook};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use pyo3::types::{PyBool, PyDelta, PyDict, PyFloat, PyInt, PyList, PyString, PyType};
use std::sync::{Arc, OnceLock};

fn text_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_string())
}

fn unknown_model(model: &str) -> PyErr {
    input_error(format!("unknown score model `{model}`"))
}

/// One lead's scores at one time: every model's score and grade, hotness, zombie status,
/// and (when asked for) the breakdown of each score into rules, events, decay and caps.
/// Immutable.
#[pyclass(name = "ScoreCard", module = "leadcore._leadcore", frozen)]
pub struct PyScoreCard {
    pub(crate) inner: ScoreCard,
}

#[pymethods]
impl PyScoreCard {
    /// The lead.
    #[getter]
    fn lead_id(&self) -> &str {
        &self.inner.lead_id
    }

    /// The time scored at (UTC).
    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }

    /// Whether the lead is hot at `at`.
    #[getter]
    fn hot(&self) -> bool {
        self.inner.hot
    }

    /// The zombie flag (`follow_ups`, `since`, `last_engagement`, `action`), or None.
    #[getter]
    fn zombie<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, &self.inner.zombie))
    }

    /// Each model's breakdown, in declaration order: `model`, `score`, `grade` (if any),
    /// `rules` (with `contributions` when explained) and `adjustments`.
    #[getter]
    fn models<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, &self.inner.models))
    }

    /// Every model's score by name.
    #[getter]
    fn scores<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        crate::errors::shield(|| {
            let out = PyDict::new(py);
            for m in &self.inner.models {
                out.set_item(&m.model, m.score)?;
            }
            Ok(out)
        })
    }

    /// A model's score; `InputError` for a model the playbook does not have.
    fn score(&self, model: &str) -> PyResult<f64> {
        crate::errors::shield(|| self.inner.score(model).ok_or_else(|| unknown_model(model)))
    }

    /// A model's grade (None where the model has no grade bands or the score is in none).
    fn grade(&self, model: &str) -> PyResult<Option<&str>> {
        crate::errors::shield(|| {
            self.inner
                .models
                .iter()
                .find(|m| m.model == model)
                .map(|m| m.grade.as_deref())
                .ok_or_else(|| unknown_model(model))
        })
    }

    /// The card as a dict (its JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, &self.inner))
    }

    /// The card as canonical JSON text (the bytes the Rust and C doors give).
    fn to_json(&self) -> String {
        canonical_json(&self.inner)
    }

    /// Reads a card from its JSON text.
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        crate::errors::shield(|| {
            Ok(PyScoreCard {
                inner: from_json_text("score card", text)?,
            })
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        crate::errors::shield(|| {
            let from_json = slf.get_type().getattr("from_json")?;
            Ok((from_json, (slf.get().to_json(),)))
        })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyScoreCard>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    /// The card as HTML for notebooks: each model's score and grade, and the rules that
    /// gave points (events counted, points; caps and floors applied).
    fn _repr_html_(&self) -> String {
        crate::table::card_html(&self.inner)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        crate::errors::shield(|| {
            let scores = self
                .inner
                .models
                .iter()
                .map(|m| Ok(format!("{}: {:?}", text_repr(py, &m.model)?, m.score)))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(format!(
                "ScoreCard(lead_id={}, at={}, scores={{{}}}, hot={}, zombie={})",
                text_repr(py, &self.inner.lead_id)?,
                crate::convert::rfc3339(self.inner.at),
                scores.join(", "),
                if self.inner.hot { "True" } else { "False" },
                if self.inner.zombie.is_some() {
                    "True"
                } else {
                    "False"
                },
            ))
        })
    }
}

/// One lead's incremental scoring state: the counted activity times per rule, engagement
/// and follow-up times, and where each threshold stands. Plain data: store it between
/// events (`to_json`/`from_json`, pickle). Created by `Playbook.score_state`; changed by
/// `Playbook.record`, `Playbook.apply` and `Playbook.check_thresholds`, and unchanged when
/// they raise.
#[pyclass(name = "ScoreState", module = "leadcore._leadcore")]
#[derive(Clone)]
pub struct PyScoreState {
    pub(crate) inner: ScoreState,
}

#[pymethods]
impl PyScoreState {
    /// The lead.
    #[getter]
    fn lead_id(&self) -> &str {
        &self.inner.lead_id
    }

    /// The state format version.
    #[getter]
    fn schema_version(&self) -> u32 {
        self.inner.schema_version
    }

    /// The latest time thresholds were checked at (UTC), or None.
    #[getter]
    fn checked_at(&self) -> Option<DateTime<Utc>> {
        self.inner.checked_at
    }

    /// The state as canonical JSON text (what `from_json` reads back).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads a state from JSON, checking its format version (`VersionError`) and its times
    /// (`InputError`); whether it fits a playbook is checked when a playbook uses it.
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        crate::errors::shield(|| {
            ScoreState::from_json(text)
                .py_err()
                .map(|inner| PyScoreState { inner })
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
            .cast::<PyScoreState>()
            .is_ok_and(|o| o.borrow().inner == self.inner)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        crate::errors::shield(|| {
            let events: usize = self.inner.rules.iter().map(|r| r.times.len()).sum();
            Ok(format!(
                "ScoreState(lead_id={}, counted={}, checked_at={})",
                text_repr(py, &self.inner.lead_id)?,
                events,
                self.inner
                    .checked_at
                    .map_or_else(|| "None".to_owned(), crate::convert::rfc3339)
            ))
        })
    }
}

/// The scores of a batch: one row per lead (in the order of `leads`), one column per model,
/// and the event rows that were not counted, each with why. Readable as an Arrow table
/// (`__arrow_c_stream__`): `lead_id`, `score_<model>`, `grade_<model>` for graded models.
#[pyclass(name = "BatchResult", module = "leadcore._leadcore", frozen)]
pub struct PyBatchResult {
    pub(crate) inner: BatchScores,
    /// The leads' ids as the core holds them (an integer id in decimal); made from
    /// `int_ids` when first asked for where the batch made no lead record.
    pub(crate) lead_ids: OnceLock<Vec<String>>,
    /// The ids as they were given when they were integers (the leads table's `id` column,
    /// or the events' distinct `lead_id`s): the Arrow output's `lead_id` column.
    pub(crate) int_ids: Option<ArrayRef>,
    /// The playbook scored with (which models have grades).
    pub(crate) playbook: Arc<Playbook>,
    /// Every lead's card and the tidy explanation table, when scored with `explain`.
    pub(crate) explained: Option<(Vec<ScoreCard>, RecordBatch)>,
    /// The name of the id column in the tables out (`lead_id` unless the caller named
    /// another).
    pub(crate) id_column: String,
}

impl PyBatchResult {
    /// The leads' ids as text.
    fn ids(&self) -> &Vec<String> {
        // Only batches with integer ids leave it unset.
        self.lead_ids
            .get_or_init(|| self.int_ids.as_ref().map(int_texts).unwrap_or_default())
    }

    fn explained(&self) -> PyResult<&(Vec<ScoreCard>, RecordBatch)> {
        self.explained.as_ref().ok_or_else(|| {
            input_error("this batch was scored without explain=True: nothing to explain")
        })
    }

    /// The scores as a record batch, `lead_id` in the type the ids came in.
    fn batch(&self) -> PyResult<RecordBatch> {
        let scoring = self.playbook.scoring();
        let batch = match &self.int_ids {
            Some(ids) => leadcore_arrow::scores_batch_with_ids(&self.inner, ids.clone(), scoring),
            None => leadcore_arrow::scores_batch(&self.inner, self.ids(), scoring),
        }
        .map_err(|e| input_error(e.message()))?;
        crate::table::renamed(batch, "lead_id", &self.id_column)
    }

    fn rows<'py, T: Clone + IntoPyObject<'py>>(
        &self,
        py: Python<'py>,
        flat: &[T],
    ) -> PyResult<Bound<'py, PyList>> {
        let width = self.inner.models.len();
        let out = PyList::empty(py);
        for l in 0..self.ids().len() {
            let row = flat.get(l * width..(l + 1) * width).unwrap_or_default();
            out.append(PyList::new(py, row.iter().cloned())?)?;
        }
        Ok(out)
    }
}

#[pymethods]
impl PyBatchResult {
    /// Model names: the column order of `scores` and `grades`.
    #[getter]
    fn models(&self) -> Vec<&str> {
        self.inner.models.iter().map(String::as_str).collect()
    }

    /// The leads' ids: the row order of `scores` and `grades` (integer ids in decimal; the
    /// Arrow output keeps them integers).
    #[getter]
    fn lead_ids(&self) -> Vec<&str> {
        self.ids().iter().map(String::as_str).collect()
    }

    /// One list per lead with a score per model.
    #[getter]
    fn scores<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::errors::shield(|| self.rows(py, &self.inner.scores))
    }

    /// One list per lead with a grade (or None) per model.
    #[getter]
    fn grades<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::errors::shield(|| self.rows(py, &self.inner.grades))
    }

    /// The event rows not counted: dicts `{row, reason, message}`, `reason` one of
    /// `unknown_lead`, `invalid_time`, `in_future`, `bad_value`.
    #[getter]
    fn row_errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, &self.inner.row_errors))
    }

    /// The scores as a `pyarrow.Table` (needs pyarrow): `lead_id` (string, or integers of
    /// the type the ids came in), `score_<model>` (float64) and, for the models with grade
    /// bands, `grade_<model>` (string, null outside every band).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::to_arrow(slf.as_any(), "BatchResult.to_arrow")
    }

    /// The scores as a `pandas.DataFrame` indexed by `lead_id` (`index=False`: a column);
    /// needs pandas and pyarrow. `arrow_dtypes=True` keeps the columns Arrow-backed.
    #[pyo3(signature = (*, index = true, arrow_dtypes = false))]
    fn to_pandas<'py>(
        slf: &Bound<'py, Self>,
        index: bool,
        arrow_dtypes: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::table::to_pandas(
            slf.as_any(),
            "BatchResult.to_pandas",
            std::slice::from_ref(&slf.get().id_column),
            index,
            arrow_dtypes,
        )
    }

    /// The scores as a `polars.DataFrame` (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        crate::table::to_polars(slf.as_any(), "BatchResult.to_polars")
    }

    /// The event rows not counted, as a table: `row` (uint64, 0-based), `reason` (one of
    /// `unknown_lead`, `invalid_time`, `in_future`, `bad_value`), `message`.
    #[getter]
    fn errors(&self) -> PyArrowTable {
        PyArrowTable::new(leadcore_arrow::row_errors_batch(&self.inner.row_errors))
    }

    /// Every lead's scores explained as a tidy long table (scored with `explain=True`):
    /// `lead_id`, `model`, `rule`, `kind`, `events`, `raw_points`, `decay_factor`, `cap`,
    /// `points`; a model's `points` add up to its score.
    #[getter]
    fn explanations(&self) -> PyResult<PyArrowTable> {
        let (_, batch) = self.explained()?;
        Ok(PyArrowTable::new(batch.clone()))
    }

    /// Every lead's `ScoreCard` with its breakdown, in lead order (scored with
    /// `explain=True`): the cards `Playbook.score` gives each lead.
    #[getter]
    fn cards(&self) -> PyResult<Vec<PyScoreCard>> {
        let (cards, _) = self.explained()?;
        Ok(cards
            .iter()
            .map(|c| PyScoreCard { inner: c.clone() })
            .collect())
    }

    /// The scores through the Arrow C stream interface: `pa.table(result)`,
    /// `pl.DataFrame(result)` and `pd.DataFrame.from_arrow(result)` read them.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        crate::errors::shield(|| {
            let _ = requested_schema;
            crate::arrow::stream_capsule(py, self.batch()?)
        })
    }

    /// The scores as HTML for notebooks.
    fn _repr_html_(&self) -> PyResult<String> {
        crate::errors::shield(|| {
            Ok(crate::table::html(
                &self.batch()?,
                "BatchResult",
                self.inner.row_errors.len(),
            ))
        })
    }

    /// A lead's score in a model (`lead_id` a str, or an int for an integer id).
    fn score(&self, lead_id: &Bound<'_, PyAny>, model: &str) -> PyResult<f64> {
        crate::errors::shield(|| {
            let lead_id: String =
                if lead_id.is_instance_of::<PyInt>() && !lead_id.is_instance_of::<PyBool>() {
                    lead_id.str()?.to_string()
                } else if let Ok(s) = lead_id.cast::<PyString>() {
                    s.to_str()?.to_owned()
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "lead_id must be a str or an int, not {}",
                        crate::convert::type_name(lead_id)
                    )));
                };
            let lead = self
                .ids()
                .iter()
                .position(|l| *l == lead_id)
                .ok_or_else(|| input_error(format!("no lead with id `{lead_id}` in this batch")))?;
            self.inner
                .score(lead, model)
                .ok_or_else(|| unknown_model(model))
        })
    }

    /// The result as a dict in its JSON shape: `models`, `scores` and `grades` flat and
    /// lead-major (`scores[lead * len(models) + model]`), `row_errors`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| to_py(py, &self.inner))
    }

    /// The result as canonical JSON text (the shape of `to_dict`).
    fn to_json(&self) -> String {
        canonical_json(&self.inner)
    }

    fn __len__(&self) -> usize {
        match (self.lead_ids.get(), &self.int_ids) {
            (None, Some(ids)) => ids.len(),
            _ => self.ids().len(),
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyBatchResult>()
            .is_ok_and(|o| o.get().inner == self.inner && o.get().ids() == self.ids())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        crate::errors::shield(|| {
            Ok(format!(
                "BatchResult(leads={}, models={}, row_errors={})",
                self.__len__(),
                PyList::new(py, &self.inner.models)?.repr()?,
                self.inner.row_errors.len()
            ))
        })
    }
}

// ---- what the `Playbook` scoring methods share ---------------------------------------

/// A lead dict; `created_at` may be Unix seconds (an int), like every other time.
pub(crate) fn lead(obj: &Bound<'_, PyAny>) -> PyResult<Lead> {
    if !obj.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "lead must be a dict, not {}",
            crate::convert::type_name(obj)
        )));
    }
    let mut value = crate::convert::py_to_json(obj)?;
    unix_seconds(&mut value, "created_at", "lead")?;
    crate::convert::from_value("lead", value)
}

/// An activity dict; `at` may be Unix seconds (an int).
pub(crate) fn activity(obj: &Bound<'_, PyAny>) -> PyResult<Activity> {
    if !obj.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "activity must be a dict, not {}",
            crate::convert::type_name(obj)
        )));
    }
    let mut value = crate::convert::py_to_json(obj)?;
    unix_seconds(&mut value, "at", "activity")?;
    crate::convert::from_value("activity", value)
}

/// A list (or tuple) of activity dicts; each `at` may be Unix seconds (an int).
pub(crate) fn activities(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Activity>> {
    if !(obj.is_instance_of::<PyList>() || obj.is_instance_of::<pyo3::types::PyTuple>()) {
        return Err(PyTypeError::new_err(format!(
            "activities must be a list of dicts, not {}",
            crate::convert::type_name(obj)
        )));
    }
    let mut value = crate::convert::py_to_json(obj)?;
    if let serde_json::Value::Array(items) = &mut value {
        for (i, item) in items.iter_mut().enumerate() {
            unix_seconds(item, "at", &format!("activities[{i}]"))?;
        }
    }
    crate::convert::from_value("activities", value)
}

/// Replaces an integer `key` of a JSON object (Unix seconds, as event columns take them)
/// by the RFC 3339 text the core reads; other values are left for the core to judge.
fn unix_seconds(value: &mut serde_json::Value, key: &str, what: &str) -> PyResult<()> {
    let Some(v) = value.as_object_mut().and_then(|m| m.get_mut(key)) else {
        return Ok(());
    };
    let Some(secs) = v.as_i64() else {
        return Ok(());
    };
    let at = DateTime::<Utc>::from_timestamp(secs, 0).ok_or_else(|| {
        input_error(format!(
            "{what}: `{key}` = {secs} Unix seconds is out of the range of times"
        ))
    })?;
    *v = serde_json::Value::String(crate::convert::rfc3339(at));
    Ok(())
}

/// Signals as a list of dicts, or as canonical JSON text when `json`.
pub(crate) fn signals<'py>(
    py: Python<'py>,
    signals: &[ScoreSignal],
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    if json {
        Ok(PyString::new(py, &canonical_json(signals)).into_any())
    } else {
        to_py(py, signals)
    }
}

/// A prediction horizon: a `timedelta`, or a number of days (int or float).
pub(crate) fn horizon(obj: &Bound<'_, PyAny>) -> PyResult<TimeDelta> {
    let delta = if obj.is_instance_of::<PyDelta>() {
        obj.extract::<TimeDelta>()?
    } else if obj.is_instance_of::<PyBool>()
        || !(obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>())
    {
        return Err(PyTypeError::new_err(format!(
            "horizon must be a timedelta or a number of days, not {}",
            crate::convert::type_name(obj)
        )));
    } else {
        let days: f64 = obj.extract()?;
        let secs = (days * 86_400.0).round();
        if !secs.is_finite() || secs.abs() > 1e15 {
            return Err(input_error(format!(
                "horizon of {days} days is out of range"
            )));
        }
        TimeDelta::try_seconds(secs as i64)
            .ok_or_else(|| input_error(format!("horizon of {days} days is out of range")))?
    };
    if delta < TimeDelta::zero() {
        return Err(input_error("horizon must not be negative"));
    }
    Ok(delta)
}

/// Scores event columns for `leads` (`None`: the leads the events name), with the GIL
/// released (no events, `None`, only when no model has a behaviour rule); with `explain`,
/// every lead's scores explained too (`BatchResult.explanations`). Dropped event rows are
/// warned about once (`LeadcoreWarning`). Between chunks of about a
/// millisecond of work the GIL is taken back briefly to check for signals: Ctrl-C stops the
/// batch and raises `KeyboardInterrupt` (or whatever the signal handler raised), the inputs
/// untouched.
#[allow(clippy::too_many_arguments)]
pub(crate) fn batch(
    py: Python<'_>,
    pb: &Arc<Playbook>,
    leads: &Bound<'_, PyAny>,
    events: &Bound<'_, PyAny>,
    now: DateTime<Utc>,
    explain: bool,
    extra: ExtraColumns,
    threads: usize,
    progress: Option<Py<PyAny>>,
    id_column: &str,
) -> PyResult<PyBatchResult> {
    let leads = if leads.is_none() {
        None
    } else {
        Some(Leads::extract(leads, id_column)?)
    };
    let events = if events.is_none() {
        no_events(pb, leads.is_some())?
    } else {
        EventsArg::extract(events, id_column)?
    };
    let scoring: &Scoring = pb.scoring();
    let mut progress = progress;
    // Without explanations, a leads table or no leads: `leadcore-arrow`'s paths, the C
    // door's too (int64 ids scored with no lead record made).
    if !explain && !matches!(leads, Some(Leads::Ready(_))) {
        let (scores, ids, rows) = py.detach(|| -> Result<_, Detached> {
            let ev = events.read().map_err(Detached::from)?;
            let mut ticker = Ticker::new(progress.take());
            let mut tell = |p: leadcore::scoring::Progress| ticker.tell(p.done, p.total);
            let scored = match &leads {
                Some(Leads::Table(table)) => ev
                    .score_leads_table(scoring, pb.catalog(), table, extra, now, threads, &mut tell)
                    // (every error of the events' own columns is the core's, labelled as such)
                    .map_err(|e| (Of::Leads, e))?,
                _ => ev.score_own_leads(scoring, now, threads, &mut tell)?,
            };
            let Some((scores, ids)) = scored else {
                return Err(ticker.stopped());
            };
            if !ticker.tell(ticker.total, ticker.total) {
                return Err(ticker.stopped());
            }
            Ok((scores, ids, ev.len()))
        })?;
        warn_dropped_rows(py, &scores, rows)?;
        let text: Option<Vec<String>> = ids
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .map(|a| a.iter().map(|s| s.unwrap_or_default().to_owned()).collect());
        return Ok(PyBatchResult {
            inner: scores,
            lead_ids: text.map_or_else(OnceLock::new, OnceLock::from),
            int_ids: ids.data_type().is_integer().then_some(ids),
            playbook: Arc::clone(pb),
            explained: None,
            id_column: id_column.to_owned(),
        });
    }
    let result = py.detach(|| {
        let leads = leads
            .map(|l| l.finish_with_ids(pb.catalog(), extra))
            .transpose()?;
        let events = events.finish()?;
        let (leads, int_ids, index) = match leads {
            Some((leads, ids)) => {
                let index = events.lead_index(&leads)?;
                (leads, ids, index)
            }
            None => {
                let found = events.leads();
                let ids = events.has_int_ids().then_some(found.ids);
                (found.leads, ids, found.index)
            }
        };
        // Phase one scores; phase two (with `explain`) replays every row per lead: its
        // rows and leads are added to the total from the start.
        let second = if explain {
            (events.len() + leads.len()) as u64
        } else {
            0
        };
        let mut ticker = Ticker::new(progress);
        let scores = events.score_indexed(scoring, &leads, &index, now, threads, &mut |p| {
            ticker.tell(p.done, p.total + second)
        })?;
        let Some(scores) = scores else {
            return Err(ticker.stopped());
        };
        let first = ticker.total.saturating_sub(second);
        let cards = if explain {
            let cards = events.explain_indexed(scoring, &leads, &index, now, &mut |p| {
                ticker.tell(first + p.done, first + p.total)
            })?;
            match cards {
                Some(cards) => cards,
                None => return Err(ticker.stopped()),
            }
        } else {
            Vec::new()
        };
        if !ticker.tell(ticker.total, ticker.total) {
            return Err(ticker.stopped());
        }
        Ok((leads, int_ids, scores, cards, events.len()))
    });
    let (leads, int_ids, scores, cards, rows) = result?;
    let lead_ids: Vec<String> = leads.into_iter().map(|l| l.id).collect();
    let explained = if explain {
        let ids: ArrayRef = match &int_ids {
            Some(ids) => ids.clone(),
            None => Arc::new(arrow_array::StringArray::from_iter_values(&lead_ids)),
        };
        let table = leadcore_arrow::score_explanations_batch(&cards, ids)
            .map_err(|e| input_error(e.message()))?;
        Some((cards, crate::table::renamed(table, "lead_id", id_column)?))
    } else {
        None
    };
    warn_dropped_rows(py, &scores, rows)?;
    Ok(PyBatchResult {
        inner: scores,
        lead_ids: OnceLock::from(lead_ids),
        int_ids,
        playbook: Arc::clone(pb),
        explained,
        id_column: id_column.to_owned(),
    })
}

/// Integer ids of any width as the core's text for them (decimal).
fn int_texts(ids: &ArrayRef) -> Vec<String> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
    };
    macro_rules! texts {
        ($($t:ty),*) => {$(
            if let Some(a) = ids.as_primitive_opt::<$t>() {
                return a.values().iter().map(ToString::to_string).collect();
            }
        )*};
    }
    texts!(
        Int64Type, Int32Type, Int16Type, Int8Type, UInt64Type, UInt32Type, UInt16Type, UInt8Type
    );
    Vec::new()
}

/// What a batch tells Python between chunks, the GIL taken back briefly: a pending signal
/// (Ctrl-C) stops it, and the progress callback, if any, is called with `(done, total)`;
/// an exception from either stops the batch and is raised.
struct Ticker {
    progress: Option<Py<PyAny>>,
    failed: Option<PyErr>,
    total: u64,
}

impl Ticker {
    fn new(progress: Option<Py<PyAny>>) -> Self {
        Ticker {
            progress,
            failed: None,
            total: 0,
        }
    }

    /// Whether to go on after `done` of `total` units.
    fn tell(&mut self, done: u64, total: u64) -> bool {
        self.total = total;
        let told = Python::attach(|py| {
            py.check_signals()?;
            if let Some(progress) = &self.progress {
                progress.call1(py, (done, total))?;
            }
            Ok::<_, PyErr>(())
        });
        match told {
            Ok(()) => true,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }

    /// The error that stopped the batch.
    fn stopped(&mut self) -> Detached {
        Detached::Interrupted(
            self.failed.take().unwrap_or_else(|| {
                pyo3::exceptions::PyKeyboardInterrupt::new_err("batch interrupted")
            }),
        )
    }
}

/// The events of a batch given `events=None`: none, which only a playbook whose models have
/// no behaviour rule can score that way (fit rules and combinations); `InputError` naming
/// the first behaviour rule otherwise, or when `leads` is `None` too.
/// One `LeadcoreWarning` for the event rows a batch did not count.
fn warn_dropped_rows(py: Python<'_>, scores: &BatchScores, rows: usize) -> PyResult<()> {
    crate::table::warn_dropped(
        py,
        &scores.row_errors,
        rows,
        "event rows",
        "they are in the `errors` table of Playbook.score_columns' result",
    )
}

fn no_events(pb: &Playbook, have_leads: bool) -> PyResult<EventsArg> {
    if !have_leads {
        return Err(input_error(
            "leads and events are both None: give the leads to score (events may be None \
             when no model has a behaviour rule)",
        ));
    }
    for model in &pb.scoring().spec().models {
        for rule in &model.rules {
            if let leadcore::scoring::RuleSpec::Behaviour { name, activity, .. } = rule {
                return Err(input_error(format!(
                    "events=None, but model `{}` has behaviour rule `{name}` (it counts `{}` \
                     events): pass the events (an empty table if there are none)",
                    model.name,
                    activity.name()
                )));
            }
        }
    }
    Ok(EventsArg::empty())
}
