//! Predictive scoring: Odoo's predictive lead scoring (`odoo_score`), one self-contained run
//! (train or load a frequency table, apply live writes, score) with JSON in and out; and the
//! `logistic` mode as `LogisticModel` (tables in, numpy arrays and Arrow tables out).

use crate::columns::{Of, arrow_pyerr, extract_table};
use crate::convert::{from_json_text, from_py, py_to_json, to_py};
use crate::errors::IntoPyResult;
use crate::table::PyArrowTable;
use leadcore::predictive::logistic::{Frame, LogisticConfig, LogisticModel};
use leadcore::predictive::odoo::{OdooScoreInput, odoo_score as run};
use leadcore::wire::canonical_json;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict, PyString, PyType};
use std::sync::{Arc, PoisonError, RwLock};

/// Runs Odoo's predictive lead scoring once: `input` (a dict, or its JSON text) holds the
/// `config` (stages with sequences and the won stage, fields, ...), `train` (closed records)
/// or a stored `table`, `live` leads and `writes` applied under `semantics`, and the leads to
/// `score`. Returns the predictions (probability in percent, 0.01 to 99.99, 100 in a won
/// stage, None without history), the writes' transitions and, when asked, the table's rows:
/// a dict, or canonical JSON text when `json=True`. The GIL is released while it runs.
#[pyfunction]
#[pyo3(signature = (input, *, json = false))]
pub(crate) fn odoo_score<'py>(
    py: Python<'py>,
    input: &Bound<'py, PyAny>,
    json: bool,
) -> PyResult<Bound<'py, PyAny>> {
    crate::errors::shield(|| {
        let input: OdooScoreInput = match input.cast::<PyString>() {
            Ok(text) => OdooScoreInput::from_json(text.to_str()?).py_err()?,
            Err(_) => OdooScoreInput::from_json(&py_to_json(input)?.to_string()).py_err()?,
        };
        let out = py.detach(|| run(&input)).py_err()?;
        if json {
            Ok(PyString::new(py, &canonical_json(&out)).into_any())
        } else {
            to_py(py, &out)
        }
    })
}

/// The `logistic` mode with a scikit-learn-like surface: `LogisticModel(config)`,
/// `fit(X, y)`, `predict_proba(X)`, `predict_logit(X)`, `explain(X)`, stored as JSON and
/// pickled. `X` is a pandas, polars or pyarrow table or a dict of columns; the columns the
/// configuration reads are read by `leadcore-arrow` (strings of any layout and booleans for
/// categorical features, numbers of any width and booleans for numeric ones, nulls
/// missing), with the GIL released. A fitted model is immutable and shared between threads;
/// `fit` replaces it.
#[pyclass(name = "LogisticModel", module = "leadcore._leadcore", frozen)]
pub struct PyLogisticModel {
    config: Option<LogisticConfig>,
    fitted: RwLock<Option<Arc<LogisticModel>>>,
}

/// What `__reduce__` gives pickle: the class, `(config,)` and the model's JSON (or None).
type Reduced<'py> = (Bound<'py, PyAny>, (Bound<'py, PyAny>,), Option<String>);

const X_EXPECTED: &str = "X must be a dict of columns or a table (pandas, polars, pyarrow)";

fn table_of(x: &Bound<'_, PyAny>) -> PyResult<leadcore_arrow::Table> {
    extract_table(Of::Leads, x, X_EXPECTED)
}

/// `y` as a one-column table (a list, tuple, numpy array, or Arrow/pandas/polars series).
fn outcomes_of(y: &Bound<'_, PyAny>) -> PyResult<leadcore_arrow::Table> {
    if y.is_none() {
        return Err(PyTypeError::new_err(
            "y must be a sequence of bools or 0/1 (list, numpy array, Series), not None",
        ));
    }
    let dict = PyDict::new(y.py());
    dict.set_item("y", y)?;
    extract_table(
        Of::Leads,
        &dict,
        "y must be a sequence of bools or 0/1 (list, numpy array, Series)",
    )
}

/// Values as a float64 numpy array of `columns` columns (1: one dimension), or nested lists
/// when numpy is not installed.
fn float_array<'py>(
    py: Python<'py>,
    values: &[f64],
    columns: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let Ok(np) = py.import("numpy") else {
        return if columns == 1 {
            values.into_pyobject(py).map(Bound::into_any)
        } else {
            let rows: Vec<Vec<f64>> = values.chunks(columns).map(<[f64]>::to_vec).collect();
            rows.into_pyobject(py).map(Bound::into_any)
        };
    };
    let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_ne_bytes()).collect();
    let array = np.call_method1("frombuffer", (PyByteArray::new(py, &bytes), "float64"))?;
    if columns == 1 {
        Ok(array)
    } else {
        array.call_method1("reshape", ((values.len() / columns, columns),))
    }
}

impl PyLogisticModel {
    fn model(&self) -> PyResult<Arc<LogisticModel>> {
        self.fitted
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                crate::errors::input_error(
                    "this LogisticModel is not fitted yet: call fit(X, y) first",
                )
            })
    }

    fn set(&self, model: Option<LogisticModel>) {
        *self.fitted.write().unwrap_or_else(PoisonError::into_inner) = model.map(Arc::new);
    }

    /// Runs `f` on the fitted model and the frame read from `x`, without the GIL.
    fn on_frame<T: Send>(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        schema: Option<String>,
        f: impl FnOnce(&LogisticModel, &Frame) -> leadcore::Result<T> + Send,
    ) -> PyResult<T> {
        let model = self.model()?;
        let table = table_of(x)?;
        py.detach(|| {
            let frame = tagged(leadcore_arrow::frame(&table, model.config())?, schema);
            f(&model, &frame).map_err(leadcore_arrow::Error::Core)
        })
        .map_err(|e| arrow_pyerr(Of::Leads, e))
    }
}

/// The frame tagged with the schema its columns follow, when the caller says which (a model
/// configured with a `schema` refuses frames of another or of none).
fn tagged(frame: Frame, schema: Option<String>) -> Frame {
    match schema {
        Some(s) => frame.with_schema(s),
        None => frame,
    }
}

/// Feature names as a Python list literal.
fn names(config: &LogisticConfig) -> String {
    let quoted: Vec<String> = config
        .features
        .iter()
        .map(|f| format!("'{}'", f.name.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn config_of(config: Option<&Bound<'_, PyAny>>) -> PyResult<Option<LogisticConfig>> {
    match config {
        None => Ok(None),
        Some(c) if c.is_none() => Ok(None),
        Some(c) => match c.cast::<PyString>() {
            Ok(text) => from_json_text("config", text.to_str()?).map(Some),
            Err(_) => from_py("config", c).map(Some),
        },
    }
}

#[pymethods]
impl PyLogisticModel {
    /// A model to fit. `config` is the configuration as a dict (or its JSON text):
    /// `{"features": [{"name", "kind": "categorical"|"numeric", ...}], "l2", "group",
    /// "calibration": "platt"|"isotonic"|"none", "folds", "seed", ...}`. Without one, `fit`
    /// reads every column of `X` as a feature: strings, categories and booleans categorical,
    /// numbers numeric.
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        crate::errors::shield(|| {
            Ok(PyLogisticModel {
                config: config_of(config)?,
                fitted: RwLock::new(None),
            })
        })
    }

    /// Trains on `X` (a table or dict of columns) and `y` (one bool or 0/1 per row: won);
    /// returns `self`. The GIL is released while the columns are read and the model fits.
    /// An empty `X`, outcomes all won or all lost, a missing column or one of the wrong type
    /// raise `InputError`. `schema` tags `X` with the schema (playbook or feature-set id) its
    /// columns follow: a model whose config sets `schema` trains and scores only frames
    /// tagged with it.
    #[allow(non_snake_case)]
    #[pyo3(signature = (X, y, *, schema = None))]
    fn fit<'py>(
        slf: Bound<'py, Self>,
        X: &Bound<'py, PyAny>,
        y: &Bound<'py, PyAny>,
        schema: Option<String>,
    ) -> PyResult<Bound<'py, Self>> {
        crate::errors::shield(|| {
            let py = slf.py();
            let this = slf.get();
            let table = table_of(X)?;
            let y = outcomes_of(y)?;
            let config = this.config.clone();
            let model = py
                .detach(|| {
                    let y = match y.columns.first() {
                        Some(c) => leadcore_arrow::outcomes(c)?,
                        None => Vec::new(),
                    };
                    let config = match config {
                        Some(c) => c,
                        None => LogisticConfig::new(leadcore_arrow::infer_features(&table)?),
                    };
                    let frame = tagged(leadcore_arrow::frame(&table, &config)?, schema);
                    Ok(LogisticModel::fit(config, &frame, &y)?)
                })
                .map_err(|e| arrow_pyerr(Of::Leads, e))?;
            this.set(Some(model));
            Ok(slf.clone())
        })
    }

    /// Each row's probabilities as scikit-learn gives them: a float64 numpy array of shape
    /// `(rows, 2)`, column 0 lost and column 1 won (the calibrated probability); each row
    /// sums to 1. Nested lists when numpy is not installed.
    #[allow(non_snake_case)]
    #[pyo3(signature = (X, *, schema = None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        X: &Bound<'py, PyAny>,
        schema: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let p = self.on_frame(py, X, schema, |m, f| m.predict(f))?;
            let pairs: Vec<f64> = p.iter().flat_map(|&p| [1.0 - p, p]).collect();
            float_array(py, &pairs, 2)
        })
    }

    /// Each row's logit (log-odds before calibration) as a float64 numpy array.
    #[allow(non_snake_case)]
    #[pyo3(signature = (X, *, schema = None))]
    fn predict_logit<'py>(
        &self,
        py: Python<'py>,
        X: &Bound<'py, PyAny>,
        schema: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let z = self.on_frame(py, X, schema, |m, f| m.predict_logits(f))?;
            float_array(py, &z, 1)
        })
    }

    /// Each row's explanation as a long table (an `ArrowTable`): `row`, `feature`
    /// (`"(intercept)"` first, then each feature and the group), `value` (what the row held;
    /// null for the intercept), `contribution` (log-odds). A row's contributions sum to its
    /// logit. With `json=True`, the core's canonical JSON list of explanations instead
    /// (`intercept`, `contributions`, `logit`, `raw_probability`, `probability`).
    #[allow(non_snake_case)]
    #[pyo3(signature = (X, *, json = false, schema = None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        X: &Bound<'py, PyAny>,
        json: bool,
        schema: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| {
            let e = self.on_frame(py, X, schema, |m, f| m.explain(f))?;
            if json {
                return Ok(PyString::new(py, &canonical_json(&e)).into_any());
            }
            let batch = py
                .detach(|| leadcore_arrow::explanations_batch(&e))
                .map_err(|e| arrow_pyerr(Of::Leads, e))?;
            Ok(Bound::new(py, PyArrowTable::new(batch))?.into_any())
        })
    }

    /// Whether `fit` (or `from_json`) gave it a model.
    #[getter]
    fn is_fitted(&self) -> bool {
        self.fitted
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// The configuration as a dict: the fitted model's (with inferred features), else the
    /// one given (None if none).
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| match self.model() {
            Ok(m) => to_py(py, m.config()),
            Err(_) => match &self.config {
                Some(c) => to_py(py, c),
                None => Ok(py.None().into_bound(py)),
            },
        })
    }

    /// How the fit went (`rows`, `positives`, `coefficients`, `iterations`, `converged`,
    /// `calibration_folds`), or None before `fit`.
    #[getter]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::errors::shield(|| match self.model() {
            Ok(m) => to_py(py, m.summary()),
            Err(_) => Ok(py.None().into_bound(py)),
        })
    }

    /// The classes, in `predict_proba`'s column order: `[False, True]` (lost, won).
    #[getter]
    fn classes_(&self) -> Vec<bool> {
        vec![false, true]
    }

    /// The fitted model as JSON text (versioned): `from_json` reads it back to a model that
    /// scores identically.
    fn to_json(&self) -> PyResult<String> {
        crate::errors::shield(|| Ok(self.model()?.to_json()))
    }

    /// A fitted model from `to_json`'s text; another format version raises `VersionError`,
    /// an inconsistent model `InputError`.
    #[classmethod]
    fn from_json(_cls: &Bound<'_, PyType>, text: &str) -> PyResult<Self> {
        crate::errors::shield(|| {
            let model = LogisticModel::from_json(text).py_err()?;
            Ok(PyLogisticModel {
                config: Some(model.config().clone()),
                fitted: RwLock::new(Some(Arc::new(model))),
            })
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        crate::errors::shield(|| {
            let py = slf.py();
            let this = slf.get();
            let config = match &this.config {
                Some(c) => to_py(py, c)?,
                None => py.None().into_bound(py),
            };
            let state = this.model().ok().map(|m| m.to_json());
            Ok((slf.get_type().into_any(), (config,), state))
        })
    }

    fn __setstate__(&self, state: Option<&str>) -> PyResult<()> {
        crate::errors::shield(|| {
            let model = state.map(LogisticModel::from_json).transpose().py_err()?;
            self.set(model);
            Ok(())
        })
    }

    fn __repr__(&self) -> String {
        match (self.model(), &self.config) {
            (Ok(m), _) => format!(
                "LogisticModel(features={}, rows={}, positives={})",
                names(m.config()),
                m.summary().rows,
                m.summary().positives
            ),
            (Err(_), Some(c)) => format!("LogisticModel(features={}, fitted=False)", names(c)),
            (Err(_), None) => "LogisticModel(features=None, fitted=False)".to_owned(),
        }
    }
}
