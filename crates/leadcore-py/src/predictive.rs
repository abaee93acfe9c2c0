//! Predictive scoring: Odoo's predictive lead scoring (`odoo_score`), one self-contained run
//! (train or load a frequency table, apply live writes, score) with JSON in and out.

use crate::convert::{py_to_json, to_py};
use crate::errors::IntoPyResult;
use leadcore::predictive::odoo::{OdooScoreInput, odoo_score as run};
use leadcore::wire::canonical_json;
use pyo3::prelude::*;
use pyo3::types::PyString;

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
