//! Scoring without a stored state: one lead from its activities (`leadcore_score`), a batch
//! as a JSON event table (`leadcore_score_table`) and a batch as C arrays
//! (`leadcore_score_columns`, the fast path), plus the playbook's score model names.

use crate::args::{self, leadcore_str};
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::{Failure, leadcore_error};
use crate::panic::no_unwind;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use crate::time::from_unix_s;
use leadcore::Lead;
use leadcore::columnar::{AttrColumn, AttrValues, Column, DictColumn, EventColumns, NULL_CODE};
use leadcore::wire::canonical_json;

use leadcore::scoring::{ScoreInput, ScoreTableInput as TableInput};

/// Scores one lead from its activities. `input_json` is
/// `{"lead":{..},"activities":[..],"now":"<RFC 3339>","explain":false}` (`activities` and
/// `explain` may be left out). On success `*card_out` receives the canonical JSON of the
/// score card: `{"lead_id","at","hot","zombie"?,"models":[{"model","score","grade"?,
/// "rules":[..],"adjustments"?:[..]}]}`, each rule with its contributing events when
/// `explain` is true. An activity after `now` beyond the playbook's tolerance gives
/// `LEADCORE_BAD_EVENT` (the report's `reason` is `in_future`); an activity lacking an
/// attribute simply does not match the rules that compare it; bad JSON gives
/// `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
/// to `len` readable bytes; `card_out` is NULL or valid for writing a `leadcore_buf`; `err`
/// is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score(
    playbook: *const leadcore_playbook,
    input_json: *const u8,
    len: usize,
    card_out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        let text = args::text(input_json, len, "input_json")?;
        let card_out = args::out(card_out, "card_out")?;
        let i = ScoreInput::from_json(text)?;
        card_out.json(&scoring.score(&i.lead, &i.activities, i.now, i.explain)?);
    })
}

/// Scores a batch given as a JSON event table: `input_json` is
/// `{"leads":[{..}],"events":{"lead_id":[..],"kind":[..],"at":[Unix seconds],"page"?:[..],
/// "seconds"?:[..],"campaign"?:[..],"form_id"?:[..],"content_id"?:[..]},"now":"<RFC 3339>"}`
/// with `null` for a missing value in the optional columns. On success `*out` receives
/// `{"models":[..],"scores":[..],"grades":[..],"row_errors":[{"row","reason","message"}]}`
/// where `scores` and `grades` are lead-major (`scores[lead * models + model]`). Rows the
/// engine cannot use (an unknown lead id, an event after `now` beyond the tolerance, a kind
/// outside its dictionary) are listed in `row_errors` and the rest of the batch
/// is scored. Columns of different lengths, duplicate lead ids or bad JSON give
/// `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
/// to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_table(
    playbook: *const leadcore_playbook,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let i = TableInput::from_json(text)?;
        out.json(&scoring.score_table(&i.leads, &i.events, i.now)?);
    })
}

/// A dictionary-encoded string column of `leadcore_event_columns`: row `i` holds
/// `dictionary[codes[i]]`, or nothing when `codes[i]` is `UINT32_MAX`. `codes` has
/// `leadcore_event_columns.rows` entries; `codes == NULL` means the column is absent. A
/// code that is neither `UINT32_MAX` nor below `dictionary_len` gives
/// `LEADCORE_INVALID_ARGUMENT`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct leadcore_dict_column {
    /// One code per row, or NULL for an absent column.
    pub codes: *const u32,
    /// The distinct values, UTF-8 (each `ptr` non-NULL unless its `len` is 0).
    pub dictionary: *const leadcore_str,
    /// The number of values in `dictionary`.
    pub dictionary_len: usize,
}

/// Activity events as C arrays, one entry per row in every present column (the columnar
/// fast path of `leadcore_score_columns`). Zero-initialise it and fill what you have:
/// optional columns left NULL are absent.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct leadcore_event_columns {
    /// The number of rows.
    pub rows: usize,
    /// Required: the index of each row's lead in the leads array. An index out of range
    /// becomes a row error (`unknown_lead`), not a failed call.
    pub lead_index: *const u32,
    /// Required: the activity kind (`"web_visit"`, `"email_opened"`, custom names...). A
    /// row whose code is `UINT32_MAX` is not counted.
    pub kind: leadcore_dict_column,
    /// Required: when each activity happened, Unix seconds UTC.
    pub at_unix_s: *const i64,
    /// Optional: page of web visits.
    pub page: leadcore_dict_column,
    /// Optional: seconds on page / duration; a negative value is missing. NULL: absent.
    pub seconds: *const i64,
    /// Optional: e-mail or ad campaign.
    pub campaign: leadcore_dict_column,
    /// Optional: form id of a form submission.
    pub form_id: leadcore_dict_column,
    /// Optional: content id of a download.
    pub content_id: leadcore_dict_column,
}

/// A [`leadcore_dict_column`] read from C: borrowed codes, dictionary copied once.
struct Dict<'a> {
    codes: &'a [u32],
    dictionary: Vec<String>,
}

impl Dict<'_> {
    fn column(&self) -> DictColumn<'_> {
        DictColumn {
            codes: self.codes,
            dictionary: &self.dictionary,
        }
    }
}

/// Reads a dictionary column; `None` when `codes` is NULL and the column is optional.
///
/// # Safety
/// The column's pointers are NULL or valid for `rows` codes and `dictionary_len` strings.
unsafe fn dict<'a>(
    col: &leadcore_dict_column,
    rows: usize,
    what: &str,
    required: bool,
) -> Result<Option<Dict<'a>>, Failure> {
    if col.codes.is_null() && !required {
        return Ok(None);
    }
    // SAFETY: forwarded to the caller.
    let codes = unsafe { args::slice(col.codes, rows, &format!("events.{what}.codes")) }?;
    let entries_name = format!("events.{what}.dictionary");
    // SAFETY: forwarded to the caller.
    let entries = unsafe { args::slice(col.dictionary, col.dictionary_len, &entries_name) }?;
    let mut dictionary = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        // SAFETY: forwarded to the caller. On failure read it again only to name the entry.
        let value = unsafe {
            entry
                .get(&entries_name)
                .or_else(|_| entry.get(&format!("{entries_name}[{i}]")))
        }?;
        dictionary.push(value.to_owned());
    }
    if let Some((row, &code)) = codes
        .iter()
        .enumerate()
        .find(|&(_, &c)| c != NULL_CODE && c as usize >= dictionary.len())
    {
        return Err(Failure::invalid_argument(format!(
            "events.{what}.codes[{row}] is {code}, outside its dictionary of {} values \
             (UINT32_MAX marks a missing value)",
            dictionary.len()
        )));
    }
    Ok(Some(Dict { codes, dictionary }))
}

/// Scores a batch given as C arrays: the columnar fast path. `leads_json` is a JSON array
/// of the leads (`[{"id":"A","firmographics":{..},"custom":{..}}, ..]`, what fit rules
/// read); `events` holds the activities as columns (see `leadcore_event_columns`);
/// `now_unix_s` is the scoring time in Unix seconds UTC. On success `scores_out[lead *
/// models + model]` receives every lead's score in every model (models in the order of
/// `leadcore_scoring_model_names`), and `*row_errors_out` the canonical JSON array of the
/// rows that were not counted, `[{"message","reason","row"}]` with `reason` one of
/// `unknown_lead` (a lead index out of range), `invalid_time` (a time no instant has),
/// `in_future` (after `now` beyond the playbook's tolerance) and `bad_value` (a kind code
/// outside its dictionary); a missing attribute is no row error (it matches no comparison). Gives exactly the scores of `leadcore_score_table` and `leadcore_score` for the
/// same data.
///
/// `scores_len` must equal the number of leads times `leadcore_scoring_model_count`
/// (`LEADCORE_INVALID_ARGUMENT` otherwise; `scores_out` may be NULL when that is 0).
/// Dictionary strings are copied once per call, not per row. A `now_unix_s` chrono cannot
/// represent gives `LEADCORE_INVALID_ARGUMENT`. Bad leads JSON or duplicate
/// lead ids give `LEADCORE_INVALID_INPUT`; a NULL required column with `rows > 0` gives
/// `LEADCORE_NULL_ARGUMENT`; a code outside its dictionary `LEADCORE_INVALID_ARGUMENT`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `leads_json` is NULL (with `leads_len == 0`) or
/// points to `leads_len` readable bytes; `events` is NULL or points to a
/// `leadcore_event_columns` whose non-NULL arrays hold `rows` entries (dictionaries
/// `dictionary_len`); `scores_out` is NULL or valid for writing `scores_len` doubles;
/// `row_errors_out` is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid
/// for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_columns(
    playbook: *const leadcore_playbook,
    leads_json: *const u8,
    leads_len: usize,
    events: *const leadcore_event_columns,
    now_unix_s: i64,
    scores_out: *mut f64,
    scores_len: usize,
    row_errors_out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let leads_text = args::text(leads_json, leads_len, "leads_json")?;
        let ev = args::obj(events, "events")?;
        let rows = ev.rows;
        let lead = args::slice(ev.lead_index, rows, "events.lead_index")?;
        let at = args::slice(ev.at_unix_s, rows, "events.at_unix_s")?;
        let kind = dict(&ev.kind, rows, "kind", true)?;
        let page = dict(&ev.page, rows, "page", false)?;
        let campaign = dict(&ev.campaign, rows, "campaign", false)?;
        let form_id = dict(&ev.form_id, rows, "form_id", false)?;
        let content_id = dict(&ev.content_id, rows, "content_id", false)?;
        let seconds = args::slice_opt(ev.seconds, rows, "events.seconds")?;
        let now = from_unix_s(now_unix_s, "now_unix_s")?;
        let scores_out = args::out_slice(scores_out, scores_len, "scores_out")?;
        let row_errors_out = args::out(row_errors_out, "row_errors_out")?;
        let leads: Vec<Lead> = args::json(leads_text, "leads")?;
        leadcore::columnar::check_unique_ids(&leads)?;

        let scoring = playbook.inner.scoring();
        let want = leads.len().saturating_mul(scoring.model_names().len());
        if scores_out.len() != want {
            return Err(Failure::invalid_argument(format!(
                "scores_len is {}, but {} leads x {} models need {want}",
                scores_out.len(),
                leads.len(),
                scoring.model_names().len()
            )));
        }
        let kind = kind.ok_or_else(|| Failure::null("events.kind.codes"))?;
        // A negative `seconds` is missing (the C struct's contract).
        let seconds_valid: Option<Vec<bool>> = seconds.map(|s| s.iter().map(|&v| v >= 0).collect());
        let mut attrs: Vec<AttrColumn<'_>> = [
            ("page", &page),
            ("campaign", &campaign),
            ("form_id", &form_id),
            ("content_id", &content_id),
        ]
        .into_iter()
        .filter_map(|(name, d)| {
            d.as_ref().map(|d| AttrColumn {
                name,
                values: AttrValues::Text(d.column()),
            })
        })
        .collect();
        if let (Some(values), Some(valid)) = (seconds, seconds_valid.as_deref()) {
            attrs.push(AttrColumn {
                name: "seconds",
                values: AttrValues::Int(Column {
                    values,
                    valid: Some(valid),
                }),
            });
        }
        let columns = EventColumns {
            lead,
            kind: kind.column(),
            at,
            attrs: &attrs,
        };
        // The core returns exactly `leads x models` scores, lead-major.
        let batch = scoring.score_columns(&leads, &columns, now)?;
        let errors = canonical_json(&batch.row_errors);
        scores_out.fill(&batch.scores);
        row_errors_out.text(errors);
    })
}

/// The number of score models the playbook declares (0 for a playbook without scoring, or
/// when `playbook` is NULL): the row width of `leadcore_score_columns`' `scores_out`.
///
/// # Safety
/// `playbook` is NULL or a live playbook.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_scoring_model_count(playbook: *const leadcore_playbook) -> usize {
    no_unwind(0, || {
        // SAFETY: the caller guarantees `playbook` is NULL or live.
        unsafe { args::obj(playbook, "playbook") }
            .map_or(0, |pb| pb.inner.scoring().model_names().len())
    })
}

/// Writes the playbook's score model names into `*out` as a canonical JSON array of
/// strings, in declaration order: the column order of `leadcore_score_columns`'
/// `scores_out` and of the `models` of a batch result.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `out` is NULL or valid for writing a
/// `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_scoring_model_names(
    playbook: *const leadcore_playbook,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        args::out(out, "out")?.json(&scoring.model_names());
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn column(codes: &[u32], dictionary: &[leadcore_str]) -> leadcore_dict_column {
        leadcore_dict_column {
            codes: codes.as_ptr(),
            dictionary: dictionary.as_ptr(),
            dictionary_len: dictionary.len(),
        }
    }

    #[test]
    fn dictionary_columns_are_checked_and_copied_once() {
        let names = ["a", "b"].map(|s| leadcore_str {
            ptr: s.as_ptr(),
            len: s.len(),
        });
        let codes = [1, 0, NULL_CODE, 1];
        let d = unsafe { dict(&column(&codes, &names), 4, "page", false) }
            .ok()
            .flatten()
            .map(|d| (d.codes.to_vec(), d.dictionary));
        assert_eq!(
            d,
            Some((codes.to_vec(), vec!["a".to_owned(), "b".to_owned()]))
        );

        let bad = [0, 2];
        assert!(unsafe { dict(&column(&bad, &names), 2, "page", false) }.is_err());
        let absent = leadcore_dict_column {
            codes: ptr::null(),
            dictionary: ptr::null(),
            dictionary_len: 0,
        };
        assert!(matches!(
            unsafe { dict(&absent, 3, "page", false) },
            Ok(None)
        ));
        assert!(unsafe { dict(&absent, 3, "kind", true) }.is_err());
        assert!(matches!(
            unsafe { dict(&absent, 0, "kind", true) },
            Ok(Some(_))
        ));
    }
}
