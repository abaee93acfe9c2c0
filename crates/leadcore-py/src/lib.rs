//! The Python door of leadcore: the compiled module `leadcore._leadcore`.
//!
//! No domain logic lives here: each function converts its Python arguments
//! ([`convert`]), calls the core, and maps a core error to the exception class of its code
//! ([`errors`]). Work that can be large runs with the GIL released. The only `unsafe` code
//! is the Arrow import in [`arrow`].
#![deny(unsafe_code)]

mod analytics;
mod analytics_extras;
mod arrow;
mod columns;
mod convert;
mod errors;
mod forecast;
mod forecast_history;
mod leads;
mod pandas;
mod playbook;
mod predictive;
mod routing;
mod scoring;
mod sla;
mod state;
mod table;

use pyo3::prelude::*;

/// The module `leadcore._leadcore`.
#[pymodule]
fn _leadcore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CORE_VERSION", leadcore::VERSION)?;
    m.add_class::<playbook::PyPlaybook>()?;
    m.add_class::<state::PyLeadState>()?;
    m.add_class::<scoring::PyScoreCard>()?;
    m.add_class::<scoring::PyScoreState>()?;
    m.add_class::<scoring::PyBatchResult>()?;
    m.add_class::<table::PyArrowTable>()?;
    m.add_class::<routing::PyRoutingState>()?;
    m.add_function(wrap_pyfunction!(predictive::odoo_score, m)?)?;
    m.add_class::<predictive::PyLogisticModel>()?;
    analytics::register(m)?;
    analytics_extras::register(m)?;
    forecast::register(m)?;
    forecast_history::register(m)?;
    errors::register(m)?;
    errors::install_panic_hook();
    Ok(())
}
