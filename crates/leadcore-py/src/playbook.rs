//! `Playbook`: a validated, immutable playbook shared by reference (`Arc`), safe across
//! threads. Every method converts its arguments, calls the core, and converts back.

use crate::convert::{
    extract_actor, extract_time, from_json_text, from_py, from_value, py_to_json, to_py,
};
use crate::errors::{IntoPyResult, input_error};
use crate::routing::{self, PyRoutingState};
use crate::scoring::{self, PyBatchResult, PyScoreCard, PyScoreState};
use crate::state::PyLeadState;
use chrono::{DateTime, Utc};
use leadcore::{
    Activity, Format, Funnel, LifecycleState, Playbook, ReplayOptions, Subject, TransitionInput,
    TransitionRecord, TransitionRequest,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// A validated playbook: pipelines, stages, transitions, guards and actions.
///
/// Immutable; share one instance across threads. Build it with `Playbook.parse`,
/// `Playbook.from_file` or `Playbook.default()`.
#[pyclass(name = "Playbook", module = "leadcore._leadcore", frozen)]
pub struct PyPlaybook {
    inner: Arc<Playbook>,
}

impl PyPlaybook {
    fn wrap(pb: Playbook) -> Self {
        PyPlaybook {
            inner: Arc::new(pb),
        }
    }

    fn pipeline(&self, name: &str) -> PyResult<&leadcore::Pipeline> {
        self.inner.pipeline(name).py_err()
    }

    /// The transition input built from keyword arguments.
    #[allow(clippy::too_many_arguments)]
    fn input(
        to: &str,
        actor: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        reason: Option<String>,
        lead: Option<&Bound<'_, PyAny>>,
        opportunity: Option<&Bound<'_, PyAny>>,
        activities: Option<&Bound<'_, PyAny>>,
        scores: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<TransitionInput> {
        let mut request = TransitionRequest::new(to, extract_actor(actor)?, extract_time(now)?);
        request.reason = reason;
        let subject = match (lead, opportunity) {
            (Some(_), Some(_)) => {
                return Err(input_error("give `lead` or `opportunity`, not both"));
            }
            (Some(l), None) => Some(Subject::Lead(from_py("lead", l)?)),
            (None, Some(o)) => Some(Subject::Opportunity(from_py("opportunity", o)?)),
            (None, None) => None,
        };
        let activities: Vec<Activity> = match activities {
            Some(a) => from_py("activities", a)?,
            None => Vec::new(),
        };
        let scores: BTreeMap<String, f64> = match scores {
            Some(s) => from_py("scores", s)?,
            None => BTreeMap::new(),
        };
        Ok(TransitionInput {
            request,
            subject,
            activities,
            scores,
        })
    }

    fn apply_transition<'py>(
        &self,
        py: Python<'py>,
        state: &mut PyLeadState,
        input: &TransitionInput,
    ) -> PyResult<Bound<'py, PyAny>> {
        let outcome = self
            .inner
            .transition(&mut state.inner, &input.request, &input.facts())
            .py_err()?;
        to_py(py, &outcome)
    }
}

fn format_of(name: &str) -> PyResult<Format> {
    Format::from_str(name).py_err()
}

#[pymethods]
impl PyPlaybook {
    /// Parses and validates playbook text in `format` (`yaml`, `yml`, `json` or `toml`).
    #[classmethod]
    #[pyo3(signature = (text, format = "yaml"))]
    fn parse(_cls: &Bound<'_, PyType>, py: Python<'_>, text: &str, format: &str) -> PyResult<Self> {
        crate::errors::shield(|| {
            let format = format_of(format)?;
            py.detach(|| Playbook::parse(text, format))
                .py_err()
                .map(Self::wrap)
        })
    }

    /// Reads a playbook file; the format comes from its extension unless given.
    #[classmethod]
    #[pyo3(signature = (path, format = None))]
    fn from_file(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: PathBuf,
        format: Option<&str>,
    ) -> PyResult<Self> {
        crate::errors::shield(|| {
            let format = match format {
                Some(f) => format_of(f)?,
                None => {
                    let ext = Path::new(&path)
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or_default();
                    Format::from_str(ext).map_err(|_| {
                        input_error(format!(
                            "cannot tell the playbook format of `{}` from its extension \
                         (use .json, .toml, .yaml or .yml, or pass format=)",
                            path.display()
                        ))
                    })?
                }
            };
            let text = py.detach(|| std::fs::read_to_string(&path))?;
            py.detach(|| Playbook::parse(&text, format))
                .py_err()
                .map(Self::wrap)
        })
    }

    /// The playbook shipped with leadcore (the recommended lead lifecycle and a deal
    /// pipeline).
    #[classmethod]
    fn default(_cls: &Bound<'_, PyType>) -> Self {
        Self::wrap(Playbook::default_playbook())
    }

    /// The playbook as JSON text (loads back to an equal playbook).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The JSON Schema of the playbook format.
    #[staticmethod]
    fn json_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        crate::errors::shield(|| to_py(py, &Playbook::json_schema()))
    }

    /// The playbook's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.spec().name
    }

    /// Pipeline names, the lead lifecycle first.
    #[getter]
    fn pipelines(&self) -> Vec<&str> {
        std::iter::once(self.inner.lifecycle())
            .chain(self.inner.pipelines())
            .map(|p| p.name())
            .collect()
    }

    /// A pipeline's stage names, in order.
    fn stages(&self, pipeline: &str) -> PyResult<Vec<&str>> {
        crate::errors::shield(|| {
            Ok(self
                .pipeline(pipeline)?
                .stages()
                .iter()
                .map(|s| s.name())
                .collect())
        })
    }

    /// The stages reachable in one step from `stage` (guards not evaluated).
    fn next_stages(&self, pipeline: &str, stage: &str) -> PyResult<Vec<&str>> {
        crate::errors::shield(|| self.pipeline(pipeline)?.next_stages(stage).py_err())
    }

    /// Starts a record in the pipeline's initial stage at `now`.
    fn start(
        &self,
        pipeline: &str,
        record_id: &str,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<PyLeadState> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            self.inner
                .start(pipeline, record_id, now)
                .py_err()
                .map(PyLeadState::new)
        })
    }

    /// Moves `state` to stage `to`. On success `state` is updated and the outcome is
    /// returned as a dict (with the actions to carry out); on failure an exception says why
    /// and `state` is unchanged.
    #[pyo3(signature = (state, to, *, actor, now, reason = None, lead = None, opportunity = None,
                        activities = None, scores = None))]
    #[allow(clippy::too_many_arguments)]
    fn transition<'py>(
        &self,
        py: Python<'py>,
        mut state: PyRefMut<'py, PyLeadState>,
        to: &str,
        actor: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        reason: Option<String>,
        lead: Option<&Bound<'py, PyAny>>,
        opportunity: Option<&Bound<'py, PyAny>>,
        activities: Option<&Bound<'py, PyAny>>,
        scores: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let input = Self::input(
                to,
                actor,
                now,
                reason,
                lead,
                opportunity,
                activities,
                scores,
            )?;
            self.apply_transition(py, &mut state, &input)
        })
    }

    /// `transition` taking the wire form (`TransitionInput`, as a dict or JSON text):
    /// `{"request": {"to", "actor", "now", "reason"?}, "subject"?, "activities"?, "scores"?}`.
    fn transition_input<'py>(
        &self,
        py: Python<'py>,
        mut state: PyRefMut<'py, PyLeadState>,
        input: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let input: TransitionInput = if let Ok(text) = input.cast::<PyString>() {
                from_json_text("transition input", text.to_str()?)?
            } else if input.is_instance_of::<PyDict>() {
                from_py("transition input", input)?
            } else {
                return Err(PyTypeError::new_err(
                    "transition input must be a dict or JSON text",
                ));
            };
            self.apply_transition(py, &mut state, &input)
        })
    }

    /// Checks a transition without applying it: returns None exactly when `transition`
    /// would succeed, else raises what it would raise.
    #[pyo3(signature = (state, to, *, actor, now, reason = None, lead = None, opportunity = None,
                        activities = None, scores = None))]
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        state: PyRef<'_, PyLeadState>,
        to: &str,
        actor: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        reason: Option<String>,
        lead: Option<&Bound<'_, PyAny>>,
        opportunity: Option<&Bound<'_, PyAny>>,
        activities: Option<&Bound<'_, PyAny>>,
        scores: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        crate::errors::shield(|| {
            let input = Self::input(
                to,
                actor,
                now,
                reason,
                lead,
                opportunity,
                activities,
                scores,
            )?;
            self.inner
                .check(&state.inner, &input.request, &input.facts())
                .py_err()
        })
    }

    /// Rebuilds a state from its history (a list of dicts as in `LeadState.history`),
    /// checking every entry against the pipeline: a bad history raises
    /// `InvalidHistoryError` listing every bad entry (`.entries`). With
    /// `trust_history=True` (imported data), reasons and actor roles are not checked and the
    /// first entry may enter any stage; unknown stages and undeclared moves still raise.
    #[pyo3(signature = (pipeline, record_id, history, *, trust_history = false))]
    fn replay(
        &self,
        py: Python<'_>,
        pipeline: &str,
        record_id: &str,
        history: &Bound<'_, PyAny>,
        trust_history: bool,
    ) -> PyResult<PyLeadState> {
        crate::errors::shield(|| {
            let history: Vec<TransitionRecord> = from_value("history", py_to_json(history)?)?;
            let options = ReplayOptions::new().trust_history(trust_history);
            py.detach(|| {
                self.inner
                    .replay_with(pipeline, record_id, &history, &options)
            })
            .py_err()
            .map(PyLeadState::new)
        })
    }

    /// The funnel of `states` in `pipeline` at `now`: one dict per stage (`stage`, `kind`,
    /// `reached`, `entered`, `current`, `conversion_to_next`, `mean_dwell_seconds`). With
    /// `json=True`, the whole funnel (`pipeline`, `records`, `skipped`, `stages`) as the
    /// core's canonical JSON text, byte for byte what the Rust and C doors give.
    #[pyo3(signature = (pipeline, states, now, *, json = false))]
    fn funnel<'py>(
        &self,
        py: Python<'py>,
        pipeline: &str,
        states: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let mut owned: Vec<LifecycleState> = Vec::new();
            for item in states.try_iter()? {
                let item = item?;
                let state = item
                    .cast::<PyLeadState>()
                    .map_err(|_| PyTypeError::new_err("funnel() takes an iterable of LeadState"))?;
                owned.push(state.borrow().inner.clone());
            }
            let p = self.pipeline(pipeline)?;
            let funnel = py.detach(|| Funnel::compute(p, &owned, now)).py_err()?;
            if json {
                return Ok(PyString::new(py, &leadcore::wire::canonical_json(&funnel)).into_any());
            }
            to_py(py, &funnel.stages)
        })
    }

    // ---- scoring -------------------------------------------------------------------

    /// Score model names, in declaration order.
    #[getter]
    fn scoring_models(&self) -> Vec<&str> {
        self.inner.scoring().model_names()
    }

    /// Scores one lead from its activities at `now`: every model's score and grade, with
    /// the full breakdown when `explain`. An activity after `now` beyond the tolerance raises
    /// `BadEventError` (`.reason`); a missing attribute matches no comparison on it.
    #[pyo3(signature = (lead, activities, now, *, explain = true))]
    fn score(
        &self,
        py: Python<'_>,
        lead: &Bound<'_, PyAny>,
        activities: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        explain: bool,
    ) -> PyResult<PyScoreCard> {
        crate::errors::shield(|| {
            let lead = scoring::lead(lead)?;
            let activities = scoring::activities(activities)?;
            let now = extract_time(now)?;
            let scoring = self.inner.scoring();
            py.detach(|| scoring.score(&lead, &activities, now, explain))
                .py_err()
                .map(|inner| PyScoreCard { inner })
        })
    }

    /// An empty scoring state for one lead, for the incremental methods.
    fn score_state(&self, lead_id: &str) -> PyScoreState {
        PyScoreState {
            inner: self.inner.scoring().new_state(lead_id),
        }
    }

    /// Records one activity in `state` without checking thresholds.
    fn record(
        &self,
        mut state: PyRefMut<'_, PyScoreState>,
        activity: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        crate::errors::shield(|| {
            let activity = scoring::activity(activity)?;
            let now = extract_time(now)?;
            self.inner
                .scoring()
                .record(&mut state.inner, &activity, now)
                .py_err()
        })
    }

    /// Records one activity and checks thresholds and hotness at `now`; returns the signals
    /// (threshold crossings, the lead turning hot) as dicts, or as canonical JSON text when
    /// `json=True`. On error `state` is unchanged.
    #[pyo3(signature = (state, lead, activity, now, *, json = false))]
    fn apply<'py>(
        &self,
        py: Python<'py>,
        mut state: PyRefMut<'py, PyScoreState>,
        lead: &Bound<'py, PyAny>,
        activity: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let lead = scoring::lead(lead)?;
            let activity = scoring::activity(activity)?;
            let now = extract_time(now)?;
            let out = self
                .inner
                .scoring()
                .apply(&mut state.inner, &lead, &activity, now)
                .py_err()?;
            scoring::signals(py, &out, json)
        })
    }

    /// Checks thresholds at `now` (decay can carry a score across one between events);
    /// returns the crossings as `apply` does.
    #[pyo3(signature = (state, lead, now, *, json = false))]
    fn check_thresholds<'py>(
        &self,
        py: Python<'py>,
        mut state: PyRefMut<'py, PyScoreState>,
        lead: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let lead = scoring::lead(lead)?;
            let now = extract_time(now)?;
            let out = self
                .inner
                .scoring()
                .check_thresholds(&mut state.inner, &lead, now)
                .py_err()?;
            scoring::signals(py, &out, json)
        })
    }

    /// The score card of `state` at `now`, with the breakdown when `explain`.
    #[pyo3(signature = (state, lead, now, *, explain = false))]
    fn card(
        &self,
        state: PyRef<'_, PyScoreState>,
        lead: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        explain: bool,
    ) -> PyResult<PyScoreCard> {
        crate::errors::shield(|| {
            let lead = scoring::lead(lead)?;
            let now = extract_time(now)?;
            self.inner
                .scoring()
                .card(&state.inner, &lead, now, explain)
                .py_err()
                .map(|inner| PyScoreCard { inner })
        })
    }

    /// The first time in `(now, now + horizon]` at which `model`'s score crosses
    /// `threshold` if no new activity arrives (UTC datetime), or None. `horizon` is a
    /// `timedelta` or a number of days. Runs with the GIL released.
    #[allow(clippy::too_many_arguments)]
    fn predict_crossing(
        &self,
        py: Python<'_>,
        state: PyRef<'_, PyScoreState>,
        lead: &Bound<'_, PyAny>,
        model: &str,
        threshold: f64,
        now: &Bound<'_, PyAny>,
        horizon: &Bound<'_, PyAny>,
    ) -> PyResult<Option<DateTime<Utc>>> {
        crate::errors::shield(|| {
            let lead = scoring::lead(lead)?;
            let now = extract_time(now)?;
            let horizon = scoring::horizon(horizon)?;
            let (scoring, inner) = (self.inner.scoring(), &state.inner);
            py.detach(|| scoring.predict_crossing(inner, &lead, model, threshold, now, horizon))
                .py_err()
        })
    }

    /// Scores a batch: `leads` and `events` as columns (`lead_id`, `kind`, `at`, and
    /// optionally `page`, `seconds`, `campaign`, `form_id`, `content_id`) given as a dict of
    /// lists / numpy arrays / Arrow arrays, or as a pandas, polars or pyarrow table. Rows that
    /// cannot count are reported in `row_errors`, the rest is scored; runs with the GIL
    /// released.
    ///
    /// `events` may also carry `attrs.NAME` columns (strings, numbers or booleans); a
    /// misspelt column raises `InputError` naming the closest attribute.
    ///
    /// `leads` (unique ids) is a list of lead dicts, or a table of flat columns like
    /// `events`, one row per lead: `id`, built-in fields by their flat names (`channel`,
    /// `direction`, `email`, `employees`, `region`, `created_at`, ...) and declared custom
    /// fields, read as their declared types; a null is an absent value. A column of another
    /// type raises `InputError`. `leads=None` scores the leads the events name, one per
    /// distinct `lead_id` in order of first appearance, with no fields.
    ///
    /// Lead ids are strings or integers (any width, from pyarrow, polars, pandas or numpy):
    /// an integer `lead_id` matches the lead whose `id` is that integer (an integer `id`
    /// column, or its decimal text), found through a table or a hash map with no text made
    /// per event; an unknown one is an `unknown_lead` row error naming it. Integer ids come
    /// back in the Arrow result's `lead_id` column in the type they came in.
    ///
    /// A leads column that is neither a built-in field nor declared under `fields` raises
    /// `InputError` naming the closest field, unless `extra="custom"` keeps it as a custom
    /// field of its name. The result reads as an Arrow table (`__arrow_c_stream__`).
    ///
    /// `threads` (default 1) scores on that many threads, the GIL released: the rows split
    /// into runs whose exact sums are merged, so the scores are the same bits on any number
    /// of threads.
    ///
    /// `events=None` scores `leads` with no events, for playbooks whose models have no
    /// behaviour rule (fit rules and combinations only); with a behaviour rule it raises
    /// `InputError` naming the rule. `now` is an aware `datetime` or `pandas.Timestamp`, a
    /// `numpy.datetime64` (read as UTC, any unit) or an RFC 3339 string; a naive datetime
    /// raises `InputError`. The events' `at` column takes Unix seconds, aware datetimes,
    /// `numpy.datetime64`s or RFC 3339 strings, as a list, an array or a column alike.
    #[pyo3(signature = (leads, events, now, *, explain = false, extra = "error", threads = 1, progress = None, id_column = "lead_id"))]
    #[allow(clippy::too_many_arguments)]
    fn score_columns(
        &self,
        py: Python<'_>,
        leads: &Bound<'_, PyAny>,
        events: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        explain: bool,
        extra: &str,
        threads: usize,
        progress: Option<Bound<'_, PyAny>>,
        id_column: &str,
    ) -> PyResult<PyBatchResult> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let extra = crate::leads::extra_columns(extra)?;
            let progress = callback(progress)?;
            scoring::batch(
                py,
                &self.inner,
                leads,
                events,
                now,
                explain,
                extra,
                threads,
                progress,
                id_column,
            )
        })
    }

    /// `score_columns(...).to_pandas()`: a pandas DataFrame indexed by `lead_id`, with
    /// `score_<model>` and `grade_<model>` (models with grade bands). Event rows not counted
    /// are warned about once (`LeadcoreWarning`); `score_columns` keeps them (`errors`).
    #[pyo3(signature = (leads, events, now, *, extra = "error", threads = 1, progress = None, id_column = "lead_id"))]
    #[allow(clippy::too_many_arguments)]
    fn score_many<'py>(
        &self,
        py: Python<'py>,
        leads: &Bound<'py, PyAny>,
        events: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        extra: &str,
        threads: usize,
        progress: Option<Bound<'py, PyAny>>,
        id_column: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let extra = crate::leads::extra_columns(extra)?;
            let progress = callback(progress)?;
            let batch = scoring::batch(
                py,
                &self.inner,
                leads,
                events,
                now,
                false,
                extra,
                threads,
                progress,
                id_column,
            )?;
            Bound::new(py, batch)?.call_method0("to_pandas")
        })
    }

    /// A fresh routing state (no lead assigned yet), for `route`, `route_batch` and
    /// `route_many`.
    fn routing_state(&self) -> PyRoutingState {
        PyRoutingState {
            inner: self.inner.routing().new_state(),
        }
    }

    /// Routes one lead at `now` and records the assignment in `state` (the rep's counters,
    /// the round-robin position); `state` is unchanged when this raises. `scores` (model
    /// name to score) feed the `score` conditions of the rules. Returns the decision as a
    /// dict (`lead_id`, `at`, `assignee` `{"rep": id}` or `{"queue": name}`, `rule`,
    /// `unassigned` `{code, message}` for the unassignable queue, `trace` of every rule
    /// tried and rep passed over, `actions`), or as canonical JSON text when `json=True`.
    #[pyo3(signature = (state, lead, now, *, scores = None, json = false))]
    #[allow(clippy::too_many_arguments)]
    fn route<'py>(
        &self,
        py: Python<'py>,
        mut state: PyRefMut<'py, PyRoutingState>,
        lead: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        scores: Option<&Bound<'py, PyAny>>,
        json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            routing::route(py, &self.inner, &mut state.inner, lead, now, scores, json)
        })
    }

    /// Routes many leads in order, exactly as one `route` after another (fair within the
    /// batch: 1,000 leads over 3 equal reps give 334/333/333), with the GIL released;
    /// `state` is unchanged when this raises. `leads` is a list of lead dicts or a leads
    /// table as for `score_columns` (dict of columns, pandas, polars or pyarrow; `extra`
    /// as there). Returns the list of decision dicts, or canonical JSON text when
    /// `json=True`.
    #[pyo3(signature = (state, leads, now, *, extra = "error", json = false))]
    fn route_batch<'py>(
        &self,
        py: Python<'py>,
        mut state: PyRefMut<'py, PyRoutingState>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        extra: &str,
        json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let extra = crate::leads::extra_columns(extra)?;
            let decisions = routing::batch(py, &self.inner, &mut state.inner, leads, now, extra)?;
            routing::decisions_out(py, &decisions, json, false)
        })
    }

    /// `route_columns(...).to_pandas()`: the assignments as a pandas DataFrame indexed by
    /// `lead_id`, one row per lead in order: `assignee_kind` (`"rep"` or `"queue"`), `assignee`, `rule` (None for the
    /// unassignable queue), `unassigned_code` and `unassigned_reason` (None unless the
    /// lead went to the unassignable queue). Decided without the trace (the core's lean
    /// batch: same assignments and state changes as `route_batch`, much faster).
    #[pyo3(signature = (state, leads, now, *, extra = "error", id_column = "lead_id"))]
    fn route_many<'py>(
        &self,
        py: Python<'py>,
        mut state: PyRefMut<'py, PyRoutingState>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        extra: &str,
        id_column: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let extra = crate::leads::extra_columns(extra)?;
            // pandas and pyarrow first: a missing one must not leave the state changed.
            crate::table::optional(py, "pandas", "pandas", "Playbook.route_many")?;
            crate::table::optional(py, "pyarrow", "pandas", "Playbook.route_many")?;
            let table = routing::columns(
                py,
                &self.inner,
                &mut state.inner,
                leads,
                now,
                extra,
                id_column,
            )?;
            // The table knows its index (the id column).
            Bound::new(py, table)?.call_method0("to_pandas")
        })
    }

    /// `route_many` as an `ArrowTable` (pyarrow, polars and pandas read it without a
    /// copy): `lead_id`, `assignee_kind`, `assignee`, `rule`, `unassigned_code` (these four
    /// dictionary-encoded) and `unassigned_reason`, one row per lead in order. Same
    /// assignments and state changes as `route_batch`; needs neither pandas nor pyarrow.
    #[pyo3(signature = (state, leads, now, *, extra = "error", id_column = "lead_id"))]
    #[allow(clippy::too_many_arguments)]
    fn route_columns(
        &self,
        py: Python<'_>,
        mut state: PyRefMut<'_, PyRoutingState>,
        leads: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        extra: &str,
        id_column: &str,
    ) -> PyResult<crate::table::PyArrowTable> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let extra = crate::leads::extra_columns(extra)?;
            routing::columns(
                py,
                &self.inner,
                &mut state.inner,
                leads,
                now,
                extra,
                id_column,
            )
        })
    }

    /// Every SLA policy's status for one lead at `now`: a list of dicts (`lead_id`,
    /// `policy`, `status` — `not_applicable`, `not_started`, `pending`, `due_soon`,
    /// `paused`, `met` or `breached` —, `started_at`, `stopped_at`, `deadline`,
    /// `elapsed_seconds`, `remaining_seconds` of business time, `next_change`, `escalation`
    /// and the reached escalation steps' `actions`), or canonical JSON text when
    /// `json=True`. `activities` is a list of activity dicts; `stages` a `LeadState` (its
    /// history) or a list of `{"at", "stage"}` dicts.
    #[pyo3(signature = (lead, now, *, activities = None, stages = None, json = false))]
    fn sla_status<'py>(
        &self,
        py: Python<'py>,
        lead: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        activities: Option<&Bound<'py, PyAny>>,
        stages: Option<&Bound<'py, PyAny>>,
        json: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let timeline = crate::sla::Timeline::extract(lead, activities, stages)?;
            let statuses = self.inner.sla().statuses(timeline.facts(), now);
            crate::sla::statuses_out(py, &statuses, json)
        })
    }

    /// The lead's clock under every SLA policy at `now` (dicts: `policy`, `lead_id`,
    /// `applies`, `started_at`, `stopped_at`, `paused_seconds`, `paused_since`,
    /// `breached_at`): what a host stores to read many clocks at once with `sla_board`.
    #[pyo3(signature = (lead, now, *, activities = None, stages = None))]
    fn sla_clocks<'py>(
        &self,
        py: Python<'py>,
        lead: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        activities: Option<&Bound<'py, PyAny>>,
        stages: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let timeline = crate::sla::Timeline::extract(lead, activities, stages)?;
            to_py(py, &self.inner.sla().clocks(timeline.facts(), now))
        })
    }

    /// One policy's clocks read at `now`, many at once (GIL released): `clocks` is a table
    /// (pandas, polars, pyarrow, or a dict of columns) with `started_at` and optionally
    /// `stopped_at`, `paused_since`, `breached_at` (datetimes or Unix seconds; null/NaT:
    /// none), `paused_seconds`, `applies` and `lead_id` (passed through). Returns an
    /// `ArrowTable` (`lead_id`, `status`, `deadline`, `elapsed_seconds`,
    /// `remaining_seconds`, `next_change`, `escalation`).
    fn sla_board(
        &self,
        py: Python<'_>,
        policy: &str,
        clocks: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<crate::table::PyArrowTable> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            crate::sla::board(py, &self.inner, policy, clocks, now)
        })
    }

    /// Every lead's SLA status under every policy at `now`, many leads at once (GIL
    /// released): `leads` as for `score_columns` (lead dicts or a leads table, `extra` as
    /// there), `events` an events table as for `score_columns` (`lead_id`, `kind`, `at`,
    /// attributes), `stages` a table of stage entries (`lead_id`, `at`, `stage`). Returns an
    /// `ArrowTable`, one row per lead and policy: `lead_id`, `policy`, `status`,
    /// `started_at`, `stopped_at`, `deadline`, `elapsed_seconds`, `remaining_seconds`,
    /// `next_change`, `escalation`, `attempts`. An event or stage row that cannot be used
    /// raises `InputError` naming the rows.
    #[pyo3(signature = (leads, now, *, events = None, stages = None, extra = "error", id_column = "lead_id"))]
    #[allow(clippy::too_many_arguments)]
    fn sla_status_many(
        &self,
        py: Python<'_>,
        leads: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        events: Option<&Bound<'_, PyAny>>,
        stages: Option<&Bound<'_, PyAny>>,
        extra: &str,
        id_column: &str,
    ) -> PyResult<crate::table::PyArrowTable> {
        crate::errors::shield(|| {
            let now = extract_time(now)?;
            let extra = crate::leads::extra_columns(extra)?;
            crate::sla::many(
                py,
                &self.inner,
                leads,
                now,
                events,
                stages,
                extra,
                id_column,
            )
        })
    }

    /// Speed-to-lead figures: `statuses` (dicts as `sla_status` gives them) summed by
    /// `groups` (one str per status: a rep, a team, a month) and policy, as a list of dicts
    /// (`group`, `policy`, `leads`, `not_started`, `open`, `due_soon`, `met`, `breached`,
    /// `breach_rate`, `median_seconds_to_stop`, `p90_seconds_to_stop`,
    /// `mean_seconds_to_stop`), ready for `pandas.DataFrame`.
    #[staticmethod]
    fn sla_metrics<'py>(
        py: Python<'py>,
        statuses: &Bound<'py, PyAny>,
        groups: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| crate::sla::metrics(py, statuses, groups))
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        crate::errors::shield(|| {
            let parse = slf.get_type().getattr("parse")?;
            let args = PyTuple::new(slf.py(), [slf.get().inner.to_json(), "json".to_owned()])?;
            Ok((parse, args))
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        crate::errors::shield(|| {
            Ok(format!(
                "Playbook(name={}, pipelines={})",
                PyString::new(py, &self.inner.spec().name).repr()?,
                pyo3::types::PyList::new(py, self.pipelines())?.repr()?
            ))
        })
    }
}

/// The `progress` keyword: a callable taking `(done, total)`, or None.
fn callback(progress: Option<Bound<'_, PyAny>>) -> PyResult<Option<Py<PyAny>>> {
    match progress {
        Some(p) if !p.is_none() => {
            if !p.is_callable() {
                return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                    "progress must be a callable taking (done, total), not {}",
                    crate::convert::type_name(&p)
                )));
            }
            Ok(Some(p.unbind()))
        }
        _ => Ok(None),
    }
}
