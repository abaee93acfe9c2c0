//! The `leads` argument of batch scoring: a list of lead dicts (the core's JSON shape), or a
//! table of flat columns, one row per lead (a dict of columns, or a pandas, polars or
//! pyarrow table), which `leadcore_arrow::leads` builds with the core's `LeadTable::build`
//! without the GIL: `id`, built-in fields by their flat names, declared custom fields, and
//! other columns refused (naming the closest field) unless `extra="custom"`. An integer `id`
//! column gives leads whose ids are the integers' decimal text; batch scoring matches
//! integer event ids to them and gives the ids back in their own type.

use crate::columns::{Of, extract_table};
use arrow_array::ArrayRef;
use leadcore::Lead;
use leadcore::columnar::ExtraColumns;
use leadcore::model::Catalog;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// The `extra` keyword: what to do with a leads column that is no lead field.
pub(crate) fn extra_columns(extra: &str) -> PyResult<ExtraColumns> {
    match extra {
        "error" => Ok(ExtraColumns::Error),
        "custom" => Ok(ExtraColumns::Custom),
        other => Err(PyValueError::new_err(format!(
            "extra must be \"error\" or \"custom\", not {other:?}"
        ))),
    }
}

/// The `leads` argument as extracted with the GIL held.
pub(crate) enum Leads {
    /// From lead dicts.
    Ready(Vec<Lead>),
    /// From columns, to build without the GIL.
    Table(leadcore_arrow::Table),
}

impl Leads {
    /// Extracts the leads argument of `score_columns` / `score_many`. A table's ids are
    /// in its `id` column or in `id_column` (`lead_id` unless the caller names another),
    /// not both.
    pub(crate) fn extract(obj: &Bound<'_, PyAny>, id_column: &str) -> PyResult<Self> {
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            return crate::convert::from_py("leads", obj).map(Leads::Ready);
        }
        let mut table = extract_table(
            Of::Leads,
            obj,
            "leads must be a list of lead dicts, a dict of columns, or a table with \
             __arrow_c_stream__ (pandas, polars or pyarrow)",
        )?;
        crate::columns::rename_id(&mut table, Of::Leads, id_column, "id")?;
        Ok(Leads::Table(table))
    }

    /// The leads and, when a table gave them integer ids, its `id` column as it came (what
    /// results carry back as `lead_id`). Runs without the GIL.
    pub(crate) fn finish_with_ids(
        self,
        catalog: &Catalog,
        extra: ExtraColumns,
    ) -> Result<(Vec<Lead>, Option<ArrayRef>), (Of, leadcore_arrow::Error)> {
        let ids = match &self {
            Leads::Ready(_) => None,
            Leads::Table(table) => {
                leadcore_arrow::int_lead_ids(table).map_err(|e| (Of::Leads, e))?
            }
        };
        Ok((self.finish(catalog, extra)?, ids))
    }

    /// The leads; builds them from the columns when given a table. Runs without the GIL.
    pub(crate) fn finish(
        self,
        catalog: &Catalog,
        extra: ExtraColumns,
    ) -> Result<Vec<Lead>, (Of, leadcore_arrow::Error)> {
        match self {
            Leads::Ready(leads) => Ok(leads),
            Leads::Table(table) => {
                leadcore_arrow::leads(&table, catalog, extra).map_err(|e| (Of::Leads, e))
            }
        }
    }
}
