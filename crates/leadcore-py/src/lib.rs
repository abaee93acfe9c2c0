//! The Python door of leadcore: the compiled module `leadcore._leadcore`.
//!
//! No domain logic lives here: each function converts its Python arguments
//! ([`convert`]), calls the core, and maps a core error to the exception class of its code
//! ([`errors`]). Work that can be large runs with the GIL released.

mod convert;
mod errors;
mod playbook;
mod state;

use pyo3::prelude::*;

/// The module `leadcore._leadcore`.
#[pymodule]
fn _leadcore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CORE_VERSION", leadcore::VERSION)?;
    m.add_class::<playbook::PyPlaybook>()?;
    m.add_class::<state::PyLeadState>()?;
    errors::register(m)?;
    Ok(())
}
