//! # leadcore-ffi
//!
//! The C door of leadcore: a C ABI over the core's playbooks, lifecycle states and scoring
//! (per lead, in batches as JSON, C arrays or an Arrow C stream, and incrementally through
//! score states) and routing (through routing states), described
//! by the generated header `include/leadcore.h` (its top comment states the conventions:
//! ownership, statuses and errors, strings, times, threads).
//!
//! All of the project's `unsafe` code lives in this crate. Each entry point checks its
//! arguments (`args`), runs its body inside a panic boundary (`panic`, through
//! `entry::fallible!`), reports failures as an owned `leadcore_error` (`error`) with a
//! status derived from the core's error code (`status`), and hands data out as canonical
//! JSON in a `leadcore_buf` (`buf`).
#![allow(non_camel_case_types)]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod analytics;
mod analytics_extras;
mod args;
mod arrow;
mod buf;
mod entry;
mod error;
mod forecast;
mod funnel;
mod panic;
mod playbook;
mod predictive;
mod routing;
mod score;
mod score_state;
mod sla;
mod state;
mod status;
mod time;
mod version;

pub use analytics::{leadcore_pipeline_metrics, leadcore_pipeline_metrics_arrow};
pub use analytics_extras::{
    leadcore_activity_metrics, leadcore_bottlenecks, leadcore_lead_metrics,
};
pub use args::leadcore_str;
pub use arrow::{leadcore_score_arrow, leadcore_score_arrow_leads};
pub use buf::{leadcore_buf, leadcore_buf_free};
pub use error::{
    leadcore_error, leadcore_error_code, leadcore_error_free, leadcore_error_message,
    leadcore_error_status, leadcore_error_to_json,
};
pub use forecast::{
    leadcore_forecast, leadcore_forecast_arrow, leadcore_forecast_backtest,
    leadcore_forecast_history, leadcore_forecast_rollup,
};
pub use funnel::leadcore_funnel;
pub use playbook::{
    LEADCORE_FORMAT_JSON, LEADCORE_FORMAT_TOML, LEADCORE_FORMAT_YAML, leadcore_format,
    leadcore_playbook, leadcore_playbook_default, leadcore_playbook_free, leadcore_playbook_parse,
    leadcore_playbook_to_json,
};
pub use predictive::{
    leadcore_logistic, leadcore_logistic_explain, leadcore_logistic_fit, leadcore_logistic_free,
    leadcore_logistic_from_json, leadcore_logistic_predict, leadcore_logistic_predict_logits,
    leadcore_logistic_to_json, leadcore_odoo_score,
};
pub use routing::{
    leadcore_assignments_out, leadcore_route, leadcore_route_batch, leadcore_route_columns,
    leadcore_routing_names, leadcore_routing_state, leadcore_routing_state_free,
    leadcore_routing_state_from_json, leadcore_routing_state_new, leadcore_routing_state_to_json,
};
pub use score::{
    leadcore_dict_column, leadcore_event_columns, leadcore_score, leadcore_score_columns,
    leadcore_score_table, leadcore_scoring_model_count, leadcore_scoring_model_names,
};
pub use score_state::{
    leadcore_event, leadcore_score_state, leadcore_score_state_apply, leadcore_score_state_card,
    leadcore_score_state_check_thresholds, leadcore_score_state_free,
    leadcore_score_state_from_json, leadcore_score_state_new, leadcore_score_state_predict,
    leadcore_score_state_record, leadcore_score_state_to_json,
};
pub use sla::{
    LEADCORE_NO_TIME, leadcore_sla_board, leadcore_sla_board_out, leadcore_sla_clocks,
    leadcore_sla_state_name, leadcore_sla_status,
};
pub use state::{
    leadcore_state, leadcore_state_dwell, leadcore_state_free, leadcore_state_from_json,
    leadcore_state_new, leadcore_state_replay, leadcore_state_start, leadcore_state_to_json,
    leadcore_state_transition,
};
pub use status::*;
pub use time::leadcore_time_parse_rfc3339;
pub use version::{
    LEADCORE_ABI_VERSION, LEADCORE_VERSION_MAJOR, LEADCORE_VERSION_MINOR, LEADCORE_VERSION_PATCH,
    leadcore_version,
};

// What the header promises about threads: playbooks are shared across threads, states, score
// states and errors may be read from several threads and handed between them.
const _: () = {
    const fn thread_safe<T: Send + Sync>() {}
    thread_safe::<leadcore_playbook>();
    thread_safe::<leadcore_state>();
    thread_safe::<leadcore_score_state>();
    thread_safe::<leadcore_routing_state>();
    thread_safe::<leadcore_logistic>();
    thread_safe::<leadcore_error>();
};
