//! Predictive scoring: Odoo's predictive lead scoring (`leadcore_odoo_score`), JSON in and
//! out, and the `logistic` mode as an object (`leadcore_logistic`: fit from a JSON frame and
//! C outcomes, score into C doubles, explain as JSON, stored as JSON bytes).

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::{fallible, free, hand_out};
use crate::error::{Failure, leadcore_error};
use crate::status::leadcore_status;
use leadcore::predictive::logistic::{Frame, LogisticConfig, LogisticModel, frame_from_json};
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

/// A trained `logistic` model (a calibrated, regularised logistic regression with
/// per-feature explanations): made by `leadcore_logistic_fit` or read back by
/// `leadcore_logistic_from_json`, freed with `leadcore_logistic_free`. Immutable: every
/// call takes it `const`, and one model may score on many threads at once.
///
/// Frames (`frame_json`) are UTF-8 JSON, either a column object
/// `{"source":["web",null],"visits":[3,1.5]}` or JSON lines of row objects
/// (`{"source":"web","visits":3}` per line, a key left out being a missing value). Only
/// the columns the model reads are read: a categorical feature (and the group) takes
/// strings, booleans and `null`, a numeric feature numbers, booleans (1/0) and `null`.
pub struct leadcore_logistic {
    inner: LogisticModel,
}

/// Trains a `logistic` model. `config_json` is the configuration
/// (`{"features":[{"name","kind":"categorical"|"numeric",..}],"l2"?,"group"?,
/// "calibration"?:"platt"|"isotonic"|"none","folds"?,"seed"?,..}`); `frame_json` the
/// training frame (see `leadcore_logistic`); `won` holds one outcome per row (1 won, 0
/// lost) and `rows` must be the frame's row count. `*out` receives a new model to free
/// with `leadcore_logistic_free`. A bad configuration, an empty frame, outcomes all won or
/// all lost, a missing column or a value of the wrong type give `LEADCORE_INVALID_INPUT`;
/// a `won` entry other than 0 or 1 `LEADCORE_INVALID_ARGUMENT`.
///
/// # Safety
/// `config_json` and `frame_json` are NULL (with a length of 0) or point to that many
/// readable bytes; `won` is NULL (with `rows == 0`) or points to `rows` readable bytes;
/// `out` and `err` are NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_logistic_fit(
    config_json: *const u8,
    config_len: usize,
    frame_json: *const u8,
    frame_len: usize,
    won: *const u8,
    rows: usize,
    out: *mut *mut leadcore_logistic,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let config = args::text(config_json, config_len, "config_json")?;
        let frame = args::text(frame_json, frame_len, "frame_json")?;
        let won = args::slice(won, rows, "won")?;
        let out = args::out(out, "out")?;
        if let Some(i) = won.iter().position(|&w| w > 1) {
            return Err(Failure::invalid_argument(format!(
                "won[{i}] is {}, 0 (lost) or 1 (won) is needed",
                won[i]
            )));
        }
        let won: Vec<bool> = won.iter().map(|&w| w == 1).collect();
        let config: LogisticConfig = args::json(config, "config_json")?;
        let frame = frame_from_json(frame, &config)?;
        let inner = LogisticModel::fit(config, &frame, &won)?;
        hand_out(out, leadcore_logistic { inner });
    })
}

/// The frame's rows, checked against the caller's `rows`.
fn frame_of(model: &LogisticModel, text: &str, rows: usize) -> Result<Frame, Failure> {
    let frame = frame_from_json(text, model.config())?;
    if frame.rows() != rows {
        return Err(Failure::invalid_argument(format!(
            "`out` has room for {rows} rows, the frame holds {}",
            frame.rows()
        )));
    }
    Ok(frame)
}

/// Scores a frame: `out[i]` receives row `i`'s calibrated probability of winning (0 to 1,
/// never NaN). `rows` must be the frame's row count (`LEADCORE_INVALID_ARGUMENT`
/// otherwise). A missing column or a value of the wrong type gives
/// `LEADCORE_INVALID_INPUT`. Nothing is written on failure.
///
/// # Safety
/// `model` is NULL or a live model; `frame_json` is NULL (with `len == 0`) or points to
/// `len` readable bytes; `out` is NULL (with `rows == 0`) or valid for writing `rows`
/// doubles; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_logistic_predict(
    model: *const leadcore_logistic,
    frame_json: *const u8,
    len: usize,
    out: *mut f64,
    rows: usize,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let model = &args::obj(model, "model")?.inner;
        let text = args::text(frame_json, len, "frame_json")?;
        let out = args::out_slice(out, rows, "out")?;
        let frame = frame_of(model, text, rows)?;
        out.fill(&model.predict(&frame)?);
    })
}

/// As `leadcore_logistic_predict`, but `out[i]` receives row `i`'s logit (log-odds before
/// calibration): the sum of its explanation's intercept and contributions.
///
/// # Safety
/// As `leadcore_logistic_predict`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_logistic_predict_logits(
    model: *const leadcore_logistic,
    frame_json: *const u8,
    len: usize,
    out: *mut f64,
    rows: usize,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let model = &args::obj(model, "model")?.inner;
        let text = args::text(frame_json, len, "frame_json")?;
        let out = args::out_slice(out, rows, "out")?;
        let frame = frame_of(model, text, rows)?;
        out.fill(&model.predict_logits(&frame)?);
    })
}

/// Explains every row of a frame. On success `*out` receives the canonical JSON array of
/// explanations, one per row: `{"intercept","contributions":[{"feature","value","logit"}],
/// "logit","raw_probability","probability"}`, where `intercept` plus the contributions in
/// order is `logit` exactly.
///
/// # Safety
/// `model` is NULL or a live model; `frame_json` is NULL (with `len == 0`) or points to
/// `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is NULL
/// or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_logistic_explain(
    model: *const leadcore_logistic,
    frame_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let model = &args::obj(model, "model")?.inner;
        let text = args::text(frame_json, len, "frame_json")?;
        let out = args::out(out, "out")?;
        let frame = frame_from_json(text, model.config())?;
        out.text(canonical_json(&model.explain(&frame)?));
    })
}

/// Writes the model as JSON bytes into `*out` (versioned, `schema_version`), for the host
/// to store; `leadcore_logistic_from_json` reads them back to a model that scores
/// identically.
///
/// # Safety
/// `model` is NULL or a live model; `out` is NULL or valid for writing a `leadcore_buf`;
/// `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_logistic_to_json(
    model: *const leadcore_logistic,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let model = &args::obj(model, "model")?.inner;
        args::out(out, "out")?.text(model.to_json());
    })
}

/// Reads a model from the bytes `leadcore_logistic_to_json` wrote. Another
/// `schema_version` gives `LEADCORE_UNSUPPORTED_VERSION`; bad JSON or an inconsistent model
/// `LEADCORE_INVALID_INPUT`. `*out` receives a new model to free with
/// `leadcore_logistic_free`.
///
/// # Safety
/// `json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` and `err` are
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_logistic_from_json(
    json: *const u8,
    len: usize,
    out: *mut *mut leadcore_logistic,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(json, len, "json")?;
        let out = args::out(out, "out")?;
        let inner = LogisticModel::from_json(text)?;
        hand_out(out, leadcore_logistic { inner });
    })
}

/// Frees a model. NULL is a no-op.
///
/// # Safety
/// `model` is NULL or a model from this library that has not been freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_logistic_free(model: *mut leadcore_logistic) {
    // SAFETY: NULL, or a model from `hand_out` not freed yet (caller).
    unsafe { free(model) }
}
