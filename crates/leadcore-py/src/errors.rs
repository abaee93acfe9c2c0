//! The exception hierarchy, and the mapping from the core's [`leadcore::Error`] to it.
//!
//! The class is chosen by the error's stable code ([`leadcore::Error::code`]), never by its
//! message, so the Python door agrees with the C door's status values. Every exception carries
//! `.code` and `.report` (the core's [`leadcore::ErrorReport`] as a dict) plus the structured
//! attributes of its family.

use crate::convert::json_to_py;
use leadcore::{Error, ErrorFamily, ErrorReport};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;
use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::Once;

create_exception!(
    leadcore._leadcore,
    LeadcoreError,
    PyException,
    "Base class of every error raised by leadcore; `.code` and `.report` describe it."
);
create_exception!(
    leadcore._leadcore,
    LeadcoreWarning,
    pyo3::exceptions::PyUserWarning,
    "Warned once by a batch call that dropped input rows: how many, and why; the rows are in the result's `errors`."
);
create_exception!(
    leadcore._leadcore,
    PlaybookError,
    LeadcoreError,
    "A playbook could not be loaded."
);
create_exception!(
    leadcore._leadcore,
    PlaybookParseError,
    PlaybookError,
    "The playbook text is malformed (`.format`, `.path`, `.line`, `.column`)."
);
create_exception!(
    leadcore._leadcore,
    PlaybookValidationError,
    PlaybookError,
    "The playbook parsed but breaks rules; `.errors` lists every problem."
);
create_exception!(
    leadcore._leadcore,
    TransitionError,
    LeadcoreError,
    "A transition was refused; the state is unchanged."
);
create_exception!(
    leadcore._leadcore,
    GuardFailedError,
    TransitionError,
    "Guards refused the transition; `.failed_guards` lists every one."
);
create_exception!(
    leadcore._leadcore,
    TransitionNotAllowedError,
    TransitionError,
    "No such move is allowed from the current stage (`.why`)."
);
create_exception!(
    leadcore._leadcore,
    ReasonError,
    TransitionError,
    "The target stage needs a reason, or does not accept the one given."
);
create_exception!(
    leadcore._leadcore,
    TimeOrderError,
    TransitionError,
    "`now` is earlier than the record's last transition."
);
create_exception!(
    leadcore._leadcore,
    ScoringError,
    LeadcoreError,
    "Scoring could not use its input."
);
create_exception!(
    leadcore._leadcore,
    BadEventError,
    ScoringError,
    "A scoring event cannot be used (`.reason`: `in_future`)."
);
create_exception!(
    leadcore._leadcore,
    UnknownPipelineError,
    LeadcoreError,
    "No pipeline of that name in the playbook."
);
create_exception!(
    leadcore._leadcore,
    UnknownStageError,
    LeadcoreError,
    "No stage of that name in the pipeline."
);
create_exception!(
    leadcore._leadcore,
    VersionError,
    LeadcoreError,
    "Stored data of a format version this build cannot read."
);
create_exception!(
    leadcore._leadcore,
    InputError,
    LeadcoreError,
    "Input of the right Python type but the wrong shape or value."
);
create_exception!(
    leadcore._leadcore,
    InternalError,
    LeadcoreError,
    "leadcore failed inside (a bug: please report it with `.report`); the call had no effect \
     on its inputs."
);
create_exception!(
    leadcore._leadcore,
    InvalidHistoryError,
    InputError,
    "A history to replay is not one the pipeline could have produced; `.entries` lists every \
     bad entry (`index`, `code`, `message`)."
);

/// The family of a core error code in the core's one code table (its exception class
/// follows it); `None` for a code the core does not know.
pub(crate) fn kind_for_code(code: &str) -> Option<ErrorFamily> {
    leadcore::ErrorCode::parse(code).map(leadcore::ErrorCode::family)
}

/// The Python class of an error code.
pub(crate) fn class_for_code<'py>(py: Python<'py>, code: &str) -> Bound<'py, PyType> {
    match kind_for_code(code) {
        Some(ErrorFamily::PlaybookParse) => py.get_type::<PlaybookParseError>(),
        Some(ErrorFamily::PlaybookValidation) => py.get_type::<PlaybookValidationError>(),
        Some(ErrorFamily::UnknownPipeline) => py.get_type::<UnknownPipelineError>(),
        Some(ErrorFamily::UnknownStage) => py.get_type::<UnknownStageError>(),
        Some(ErrorFamily::TransitionNotAllowed) => py.get_type::<TransitionNotAllowedError>(),
        Some(ErrorFamily::GuardFailed) => py.get_type::<GuardFailedError>(),
        Some(ErrorFamily::Reason) => py.get_type::<ReasonError>(),
        Some(ErrorFamily::TimeOrder) => py.get_type::<TimeOrderError>(),
        Some(ErrorFamily::BadEvent) => py.get_type::<BadEventError>(),
        Some(ErrorFamily::Version) => py.get_type::<VersionError>(),
        Some(ErrorFamily::Input) => py.get_type::<InputError>(),
        Some(ErrorFamily::InvalidHistory) => py.get_type::<InvalidHistoryError>(),
        None => py.get_type::<LeadcoreError>(),
    }
}

thread_local! {
    /// Whether this thread is inside a [`shield`]ed call: its panics are ours to report.
    static SHIELDED: Cell<bool> = const { Cell::new(false) };
}

/// Installs, once, a panic hook that stays silent for panics inside [`shield`]ed calls
/// (they become `InternalError`s) and hands every other panic to the hook it replaces.
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !SHIELDED.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

/// Runs a method's body; a panic that escapes it (a bug) becomes a
/// `leadcore.InternalError` (code `internal.panic`), silently, instead of pyo3's
/// `PanicException` (which `except Exception` does not catch) and a backtrace on stderr.
pub(crate) fn shield<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    let outer = SHIELDED.with(|s| s.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(body));
    SHIELDED.with(|s| s.set(outer));
    result.unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let message = format!("leadcore panicked (a bug, please report it): {what}");
        Err(Python::attach(|py| internal_error(py, &message)))
    })
}

fn internal_error(py: Python<'_>, message: &str) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let exc = py.get_type::<InternalError>().call1((message,))?;
        exc.setattr("code", "internal.panic")?;
        let report = pyo3::types::PyDict::new(py);
        report.set_item("code", "internal.panic")?;
        report.set_item("message", message)?;
        exc.setattr("report", report)?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| e)
}

/// Converts a core error into the matching Python exception, with its attributes set.
pub(crate) fn to_pyerr(err: &Error) -> PyErr {
    Python::attach(|py| build(py, &err.report()).unwrap_or_else(|e| e))
}

/// An `InputError` raised by the binding itself (bad shape of a Python value).
pub(crate) fn input_error(message: impl Into<String>) -> PyErr {
    to_pyerr(&Error::invalid_input(message.into()))
}

/// Extension for `leadcore::Result`: `?` into a `PyErr` of the right class.
pub(crate) trait IntoPyResult<T> {
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(|e| to_pyerr(&e))
    }
}

fn build(py: Python<'_>, report: &ErrorReport) -> PyResult<PyErr> {
    let class = class_for_code(py, &report.code);
    let exc = class.call1((report.message.as_str(),))?;
    let report_value = serde_json::to_value(report).unwrap_or_default();
    exc.setattr("code", report.code.as_str())?;
    exc.setattr("report", json_to_py(py, &report_value)?)?;
    let field = |name: &str| -> PyResult<Bound<'_, PyAny>> {
        match report_value.get(name) {
            Some(v) => json_to_py(py, v),
            None => Ok(py.None().into_bound(py)),
        }
    };
    match kind_for_code(&report.code) {
        Some(ErrorFamily::PlaybookParse) => {
            let p = report.parse.as_ref();
            exc.setattr("format", p.map(|p| p.format.as_str()))?;
            exc.setattr("path", p.map(|p| p.path.as_str()))?;
            exc.setattr("line", p.and_then(|p| p.line))?;
            exc.setattr("column", p.and_then(|p| p.column))?;
        }
        Some(ErrorFamily::PlaybookValidation) => {
            exc.setattr("errors", field("issues")?)?;
        }
        Some(ErrorFamily::GuardFailed) => {
            exc.setattr("failed_guards", field("failed_guards")?)?;
            exc.setattr("from_stage", field("from")?)?;
            exc.setattr("to_stage", field("to")?)?;
        }
        Some(ErrorFamily::TransitionNotAllowed) => {
            exc.setattr("from_stage", field("from")?)?;
            exc.setattr("to_stage", field("to")?)?;
            exc.setattr("why", field("why")?)?;
        }
        Some(ErrorFamily::Reason) => {
            exc.setattr("stage", field("stage")?)?;
        }
        Some(ErrorFamily::BadEvent) => {
            exc.setattr("reason", field("reason")?)?;
        }
        Some(ErrorFamily::UnknownPipeline) => {
            exc.setattr("pipeline", field("pipeline")?)?;
        }
        Some(ErrorFamily::UnknownStage) => {
            exc.setattr("pipeline", field("pipeline")?)?;
            exc.setattr("stage", field("stage")?)?;
        }
        Some(ErrorFamily::InvalidHistory) => {
            exc.setattr("pipeline", field("pipeline")?)?;
            exc.setattr("entries", field("entries")?)?;
        }
        Some(ErrorFamily::TimeOrder | ErrorFamily::Version | ErrorFamily::Input) | None => {}
    }
    Ok(PyErr::from_value(exc))
}

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    macro_rules! add_classes {
        ($($class:ident),* $(,)?) => {
            $( m.add(stringify!($class), py.get_type::<$class>())?; )*
        };
    }
    add_classes!(
        LeadcoreError,
        LeadcoreWarning,
        PlaybookError,
        PlaybookParseError,
        PlaybookValidationError,
        TransitionError,
        GuardFailedError,
        TransitionNotAllowedError,
        ReasonError,
        TimeOrderError,
        ScoringError,
        BadEventError,
        UnknownPipelineError,
        UnknownStageError,
        VersionError,
        InputError,
        InvalidHistoryError,
        InternalError,
    );
    m.add("ERROR_CODES", pyo3::types::PyTuple::new(py, Error::CODES)?)?;
    let classes = pyo3::types::PyDict::new(py);
    for code in Error::CODES {
        classes.set_item(code, class_for_code(py, code))?;
    }
    m.add("ERROR_CLASSES", classes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    static HOST_HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);

    /// A panic inside a shielded call becomes an `InternalError` and is not printed (the
    /// host's own hook is not called); a panic elsewhere still reaches the host's hook.
    #[test]
    fn a_panic_becomes_an_internal_error_silently() {
        std::panic::set_hook(Box::new(|_| {
            HOST_HOOK_CALLS.fetch_add(1, Ordering::SeqCst);
        }));
        install_panic_hook();
        Python::initialize();
        Python::attach(|py| {
            let err = shield(|| -> PyResult<()> { panic!("boom") }).unwrap_err();
            assert!(err.is_instance_of::<InternalError>(py));
            assert!(err.is_instance_of::<LeadcoreError>(py));
            let code: String = err.value(py).getattr("code").unwrap().extract().unwrap();
            assert_eq!(code, "internal.panic");
            assert!(err.to_string().contains("boom"));
        });
        assert_eq!(HOST_HOOK_CALLS.load(Ordering::SeqCst), 0);
        let _ = std::panic::catch_unwind(|| panic!("not ours"));
        assert_eq!(HOST_HOOK_CALLS.load(Ordering::SeqCst), 1);
    }

    use super::*;

    #[test]
    fn every_core_code_has_a_class() {
        for code in Error::CODES {
            assert!(
                kind_for_code(code).is_some(),
                "no exception class for `{code}`"
            );
        }
        assert_eq!(kind_for_code("no.such_code"), None);
    }
}
