//! # leadcore-arrow
//!
//! Arrow record batches ⇄ leadcore's columns: the one place that knows Arrow. The Python
//! door (through `__arrow_c_stream__`), the C door (through the Arrow C stream interface)
//! and a scale-out path all go through it; it has no Python and no C types of its own.
//!
//! - In: a [`Table`] of named, chunked Arrow columns (from record batches, from an imported
//!   [`FFI_ArrowArrayStream`], or column by column), read as events ([`Events`], what the
//!   core scores) or as leads ([`leads`], through the core's `LeadTable::build`).
//! - Out: a batch's scores as a [`RecordBatch`] ([`scores_batch`]), its row errors
//!   ([`row_errors_batch`]), a routing batch's assignments ([`assignments_batch`]), and any batches as a stream a C or Python consumer reads
//!   ([`export_stream`]).
//!
//! Strings may come as `Utf8`, `LargeUtf8`, `Utf8View` or a dictionary of any of them;
//! integers of any width; times as integers (Unix seconds) or timestamps of any unit (a
//! timestamp without a zone is UTC). Nulls are missing values. Lead ids are strings or
//! integers: an integer `lead_id` finds its lead through a table or a hash map (never
//! through text), and an integer `id` column of leads gives each lead its decimal text and
//! comes back as the results' `lead_id` in its own type ([`int_lead_ids`],
//! [`scores_batch_with_ids`]). A column already in the core's layout is borrowed, not
//! copied: `i64` times and values, `int32`/`uint32` dictionary keys whose nulls hold -1.
//! Nothing here panics on bad input: a wrong Arrow type is an [`Error::Type`], anything
//! else the core's `invalid input` error with the column and row.
//!
//! ```
//! use arrow_array::{Int64Array, RecordBatch, StringArray};
//! use leadcore::{Lead, Playbook};
//! use std::sync::Arc;
//! let batch = RecordBatch::try_from_iter([
//!     ("lead_id", Arc::new(StringArray::from(vec!["A", "B"])) as _),
//!     ("kind", Arc::new(StringArray::from(vec!["email_opened", "email_opened"])) as _),
//!     ("at", Arc::new(Int64Array::from(vec![1_767_225_600, 1_767_225_600])) as _),
//! ]).unwrap();
//! let events = leadcore_arrow::Events::from_table(&leadcore_arrow::Table::from_batch(&batch)).unwrap();
//! let pb = Playbook::default_playbook();
//! let now = chrono::DateTime::from_timestamp(1_767_312_000, 0).unwrap();
//! let scores = events.score(pb.scoring(), &[Lead::new("A"), Lead::new("B")], now).unwrap();
//! assert_eq!(scores.score(0, "engagement"), Some(2.0));
//! let out = leadcore_arrow::scores_batch(&scores, &["A", "B"], pb.scoring()).unwrap();
//! assert_eq!(out.schema().field(0).name(), "lead_id");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod analytics;
mod bottlenecks;
mod columns;
mod events;
mod forecast;
mod forecast_history;
mod frame;
mod ids;
mod lead_history;
mod leads;
mod read;
mod results;
mod routing;
mod sla;
mod table;

pub use analytics::{deal_columns, deal_histories, pipeline_metrics_batch, pipeline_metrics_table};
pub use bottlenecks::bottleneck_batches;
pub use events::Events;
pub use forecast::{forecast_deals, forecast_tables, monte_carlo_batch, weighted_batch};
pub use forecast_history::{
    backtest_batches, historical_deals, history_model_batch, history_stages_batch, owned_deals,
    reporting_lines, rollup_batches, stage_visits, windows_batch,
};
pub use frame::{INTERCEPT, explanations_batch, frame, infer_features, outcomes};
pub use ids::{EventLeads, LeadKeys};
pub use lead_history::{lead_histories, lead_report_batches};
pub use leads::{int_lead_ids, int64_id_keys, leads};
pub use results::{
    export_stream, row_errors_batch, score_explanations_batch, scores_batch, scores_batch_int64,
    scores_batch_with_ids,
};
pub use routing::assignments_batch;
pub use sla::{sla_clocks, sla_stages, sla_status_batch, sla_statuses_batch};
pub use table::{
    ChunkedColumn, Table, is_pandas_index, read_stream, validate, validate_deferring_keys,
};

pub use arrow_array::RecordBatch;
pub use arrow_array::ffi_stream::FFI_ArrowArrayStream;

use std::fmt;

/// What went wrong reading or writing Arrow data.
///
/// ```
/// let e = leadcore_arrow::Error::Type("events column `kind` has Arrow type Int64".into());
/// assert_eq!(e.to_string(), "events column `kind` has Arrow type Int64");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A column of an Arrow type it cannot have (the message names the column and type).
    Type(String),
    /// The core refused the data (`invalid input` with the column and row, a misspelt
    /// column, duplicate lead ids, ...), or the Arrow data is malformed.
    Core(leadcore::Error),
}

impl Error {
    /// The message, without a prefix.
    pub fn message(&self) -> String {
        match self {
            Error::Type(m) => m.clone(),
            Error::Core(e) => match e.kind() {
                leadcore::ErrorKind::InvalidInput { message } => message.clone(),
                _ => e.to_string(),
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Type(m) => f.write_str(m),
            Error::Core(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<leadcore::Error> for Error {
    fn from(e: leadcore::Error) -> Self {
        Error::Core(e)
    }
}

/// The core's `invalid input` error.
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::Core(leadcore::Error::invalid_input(message))
}

/// A `Result` of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
