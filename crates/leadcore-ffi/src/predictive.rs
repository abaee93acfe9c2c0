//! Predictive scoring: Odoo's predictive lead scoring (`leadcore_odoo_score`), JSON in and
//! out.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::status::leadcore_status;
use leadcore::predictive::odoo::{OdooScoreInput, odoo_score};
use leadcore::wire::canonical_json;

/// Runs Odoo's predictive lead scoring once. `input_json` is `{"config":{"stages":[{"id",
/// "sequence","won"?}],"fields":[..],..},"train":[records]or"table":{..},"live":[..],
/// "writes":[..],"semantics":"won_status"|"legacy","score":[records],"explain"?,
/// "show_table"?}`. On success `*out` receives the canonical JSON of the result:
/// `{"predictions":[{"id","probability"(percent, or null without history),
/// "explanation"?}],"writes":[..],"table"?:[..]}`. Bad JSON or a bad configuration gives
/// `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
/// or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_odoo_score(
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let input = OdooScoreInput::from_json(text)?;
        out.text(canonical_json(&odoo_score(&input)?));
    })
}
