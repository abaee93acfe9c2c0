//! Scoring events handed over through the Arrow C stream interface
//! (`leadcore_score_arrow`, and `leadcore_score_arrow_leads` with the leads as a stream
//! too): the C door's side of `leadcore-arrow`, which reads the stream
//! (every array validated, dictionary keys where they are read), reads the events as the Python door does, and exports
//! the scores as a stream.
//!
//! The Arrow C structs are `leadcore-arrow`'s (arrow-rs') `FFI_ArrowArrayStream`, laid out
//! as the Arrow spec's `struct ArrowArrayStream`; the header declares them by hand (see
//! `cbindgen.toml`), so a host that includes Arrow's own `abi.h` compiles.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::{Failure, leadcore_error};
use crate::panic::payload_text;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use crate::time::from_unix_s;
use leadcore::Lead;
use leadcore::columnar::ExtraColumns;
use leadcore::wire::canonical_json;
use leadcore_arrow::{
    Events, FFI_ArrowArrayStream, LeadKeys, Table, export_stream, scores_batch,
    scores_batch_with_ids,
};
use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Takes ownership of the stream `*ptr` the way the Arrow C data interface moves a struct:
/// its fields are moved out and `*ptr` is left released (`release == NULL`), so the
/// producer's `release` runs exactly once, when the returned value is dropped (on every
/// return path, and on unwinding).
///
/// # Safety
/// A non-NULL `ptr` points to a readable and writable `struct ArrowArrayStream` (released
/// or not) whose callbacks, if set, behave as the Arrow spec requires.
pub(crate) unsafe fn take_stream(
    ptr: *mut FFI_ArrowArrayStream,
    what: &str,
) -> Result<FFI_ArrowArrayStream, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: non-NULL, readable and writable (caller); unaligned accesses so that even a
    // misaligned struct is taken (and so released) rather than leaked.
    unsafe {
        let stream = ptr.read_unaligned();
        ptr.write_unaligned(FFI_ArrowArrayStream::empty());
        Ok(stream)
    }
}

/// `leadcore-arrow`'s error: the core's error as it is, a wrong Arrow type as
/// `input.invalid`.
pub(crate) fn arrow_failure(e: leadcore_arrow::Error) -> Failure {
    match e {
        leadcore_arrow::Error::Core(e) => Failure::Core(e),
        other => Failure::invalid_input(other.message()),
    }
}

/// Reads the events of a stream of record batches. The stream is released whatever
/// happens. arrow-rs asserts on some malformed C structs (a NULL format string, a child
/// count that disagrees with the schema) instead of returning an error; such a panic is
/// the producer's fault, not a bug here, so it becomes `input.invalid` like any other
/// malformed stream.
fn read_events(stream: FFI_ArrowArrayStream) -> Result<Events, Failure> {
    let table = read_stream(stream, "events", Table::from_stream_deferring_keys)?;
    Events::for_scoring(&table).map_err(arrow_failure)
}

/// Reads a stream of record batches as a table with `read` (the stream released whatever
/// happens); a malformed stream, even one arrow-rs asserts on, is `input.invalid` naming
/// `what`.
pub(crate) fn read_stream(
    stream: FFI_ArrowArrayStream,
    what: &str,
    read: fn(FFI_ArrowArrayStream) -> leadcore_arrow::Result<Table>,
) -> Result<Table, Failure> {
    catch_unwind(AssertUnwindSafe(|| read(stream)))
        .map_err(|payload| {
            Failure::invalid_input(format!(
                "{what}: malformed Arrow C data ({})",
                payload_text(payload.as_ref())
            ))
        })?
        .map_err(|e| Failure::invalid_input(format!("{what}: {}", e.message())))
}

/// A lead of the leads JSON with no field but its id.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct IdOnly<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
}

/// The ids of leads JSON whose leads have no field but `id` (`None` otherwise, or for
/// JSON the full reading refuses: it says why).
fn ids_only(text: &str) -> Option<Vec<Cow<'_, str>>> {
    let leads: Vec<IdOnly<'_>> = serde_json::from_str(text).ok()?;
    Some(leads.into_iter().map(|l| l.id).collect())
}

/// Scores a batch of events given through the Arrow C stream interface, the columnar
/// interchange of pyarrow, polars, DuckDB, nanoarrow and Arrow C++.
///
/// `events` is a stream of record batches (a struct-typed stream, as `RecordBatchReader`s
/// export) with the columns the Python door reads: `lead_id` (strings: utf8, large_utf8,
/// utf8_view or a dictionary of them, or integers of any width, taken as they are and
/// matched to the lead whose `id` is their decimal text), `kind` (strings), `at` (integers as Unix seconds, or
/// timestamps of any unit; a timestamp without a zone is UTC) and any attribute columns
/// named as conditions name them (`page`, `seconds`, `campaign`, `form_id`, `content_id`,
/// `attrs.NAME`); nulls are missing values. Rows are numbered across batches in stream
/// order. `leads_json` is the JSON array of leads of `leadcore_score_columns`
/// (`[{"id":"A","firmographics":{..},"custom":{..}}, ..]`); an event's `lead_id` is matched
/// to a lead's `id`. A NULL `leads_json` scores one lead (with no fields) per distinct
/// `lead_id` of the events, in order of first appearance, with no JSON to parse: the fast
/// path for behaviour-only models. `now_unix_s` is the scoring time, Unix seconds UTC.
///
/// Ownership of `events`: when `events` is not NULL the call takes the stream over, whatever
/// it returns (as the Arrow spec's move): it copies the struct, marks `*events` released
/// (`events->release` becomes NULL) and calls the producer's `release` callback exactly
/// once before returning, also on failure. The caller must not release it again (a
/// released stream needs no release). Every array the stream hands out is validated
/// (offsets, UTF-8, child lengths, a dictionary's values) before it is read; dictionary
/// keys are checked as the batch reads them (in the rows of the kinds whose rules filter
/// on the column), and a key read outside its dictionary fails the call as malformed
/// input; a key no rule reads cannot change a score and is not looked at.
///
/// On success `*scores_out` receives a new stream, owned by the caller, who releases it
/// with `scores_out->release(scores_out)` (and each schema and array it gives with its own
/// `release`, as the spec says). Its schema is `lead_id` (utf8, not null; with a NULL
/// `leads_json` and integer ids, the events' integer type), then per score
/// model, in the order of `leadcore_scoring_model_names`, `score_<model>` (float64, not
/// null) and, for a model with grade bands, `grade_<model>` (utf8, null outside every
/// band); it gives one record batch of one row per lead, in the order of `leads_json` (or
/// of first appearance),
/// then the end of the stream. `*row_errors_out` receives the canonical JSON array of the
/// rows not counted, `[{"message","reason","row"}]`, the row errors of
/// `leadcore_score_table` (`reason` a stable code: `unknown_lead` for a `lead_id` among no
/// lead, `invalid_time`, `in_future` after `now` beyond the playbook's tolerance,
/// `bad_value`). The scores are those of `leadcore_score_table` for the same events as a
/// JSON table. The previous contents of `*scores_out` and
/// `*row_errors_out` are neither read nor released, and on failure are left as they were.
///
/// Errors: a NULL `events`, `scores_out` or `row_errors_out`, or NULL `playbook`, gives
/// `LEADCORE_NULL_ARGUMENT`; a `now_unix_s` out of range `LEADCORE_INVALID_ARGUMENT`. A
/// malformed stream (already released, lacking `get_schema` or `get_next`, a callback
/// returning an error code, not a stream of record batches, arrays that fail validation or
/// do not match the schema) gives `LEADCORE_INVALID_INPUT` with the producer's message
/// (`get_last_error`) when it has one; so do bad leads JSON, duplicate lead ids, a missing
/// `lead_id`, `kind` or `at` column, an unknown attribute column, a column of a wrong Arrow
/// type, and a null `at`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `leads_json` is NULL or points to `leads_len`
/// readable bytes; `events` is NULL or points to a readable and
/// writable `struct ArrowArrayStream` whose callbacks, when set, follow the Arrow C stream
/// interface (the library calls them from this thread during the call only);
/// `scores_out` is NULL or valid for writing a `struct ArrowArrayStream`; `row_errors_out`
/// is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_arrow(
    playbook: *const leadcore_playbook,
    leads_json: *const u8,
    leads_len: usize,
    events: *mut FFI_ArrowArrayStream,
    now_unix_s: i64,
    scores_out: *mut FFI_ArrowArrayStream,
    row_errors_out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        // Taken before any other check, so every failure below releases it too.
        let events = take_stream(events, "events")?;
        let playbook = args::obj(playbook, "playbook")?;
        let leads_text = args::text(leads_json, leads_len, "leads_json")?;
        let now = from_unix_s(now_unix_s, "now_unix_s")?;
        let scores_out = args::out(scores_out, "scores_out")?;
        let row_errors_out = args::out(row_errors_out, "row_errors_out")?;
        let events = read_events(events)?;
        let scoring = playbook.inner.scoring();
        let stopped = || Failure::invalid_input("events: batch stopped".to_owned());
        let batch = if leads_json.is_null() {
            // One lead per distinct `lead_id` of the events, ids in their own type (as the
            // Python door's `leads=None`).
            let (scores, ids) = events
                .score_own_leads(scoring, now, 1, &mut |_| true)?
                .ok_or_else(stopped)?;
            (
                scores_batch_with_ids(&scores, ids, scoring),
                scores.row_errors,
            )
        } else if let Some(ids) = ids_only(leads_text)
            && events.int64_keys().is_some()
            && let Some(keys) = LeadKeys::from_ids(&ids)?
            && let Some(scores) = events.score_bare(scoring, &ids, &keys, now, 1, &mut |_| true)
        {
            // Leads with no field but their id, matched by int64 ids: no lead record made.
            let scores = scores?.ok_or_else(stopped)?;
            (scores_batch(&scores, &ids, scoring), scores.row_errors)
        } else {
            let leads: Vec<Lead> = args::json(leads_text, "leads")?;
            let index = events.lead_index(&leads)?;
            let scores = events
                .score_indexed(scoring, &leads, &index, now, 1, &mut |_| true)?
                .ok_or_else(stopped)?;
            let ids: Vec<&str> = leads.iter().map(|l| l.id.as_str()).collect();
            (scores_batch(&scores, &ids, scoring), scores.row_errors)
        };
        let (batch, row_errors) = batch;
        let batch = batch.map_err(arrow_failure)?;
        let errors = canonical_json(&row_errors);
        scores_out.write(export_stream(batch.schema(), vec![batch]));
        row_errors_out.text(errors);
    })
}

/// `leadcore_score_arrow` with the leads given as an Arrow C stream too: no JSON to parse
/// when the host holds its leads as Arrow data.
///
/// `leads` is a stream of record batches, one row per lead, as the Python door's leads
/// tables: `lead_id` (or `id`, not both; strings: utf8, large_utf8, utf8_view or a
/// dictionary of them, or integers of any width, no nulls) and any fit attribute columns by
/// their flat field names (`employees`, `users`, `title`, `channel`, `created_at`, ...,
/// and the playbook's declared custom fields by name; strings, integers, floats, booleans,
/// dates, timestamps of any unit, integers in a date-time field as Unix seconds; nulls are
/// absent values). A column that is no lead field is refused, naming the closest one.
/// `events`, `now_unix_s` and the outputs are those of `leadcore_score_arrow`: the same
/// scores and the same row errors as `leadcore_score_arrow` given the same leads as JSON
/// (an event's `lead_id` matched to a lead's id, an integer to the lead whose id is its
/// decimal text), one row per lead in the order of the leads stream. The `lead_id` column
/// of `*scores_out` is utf8 for text ids and the leads' own integer type for integer ids.
/// Leads of nothing but an int64 `lead_id`, with int64 event ids, are scored with no lead
/// record made: the fast path for behaviour-only models.
///
/// Ownership of `leads` and `events`: each that is not NULL is taken over whatever the call
/// returns, as `leadcore_score_arrow` takes `events` (both are taken before any argument
/// is checked): `release` becomes NULL in the caller's struct and the producer's `release`
/// callback runs exactly once before the call returns, also on failure, also when the
/// other stream is NULL or malformed. Every array of `leads` is validated in full before
/// it is read; `events` as in `leadcore_score_arrow`.
///
/// Errors: a NULL `leads`, `events`, `scores_out` or `row_errors_out`, or NULL `playbook`,
/// gives `LEADCORE_NULL_ARGUMENT`; a `now_unix_s` out of range
/// `LEADCORE_INVALID_ARGUMENT`. A malformed stream of either (as `leadcore_score_arrow`
/// says; the message names `leads` or `events`), duplicate lead ids, no `lead_id` (or
/// `id`) column, a null lead id, both an `id` and a `lead_id` column, a leads column that
/// is no lead field or holds values its field cannot (text in `employees`), and the
/// events' errors of `leadcore_score_arrow` give `LEADCORE_INVALID_INPUT`. On failure `*scores_out` and `*row_errors_out` are left as
/// they were.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `leads` and `events` are each NULL or point to a
/// readable and writable `struct ArrowArrayStream` (two distinct structs) whose callbacks,
/// when set, follow the Arrow C stream interface (the library calls them from this thread
/// during the call only); `scores_out` is NULL or valid for writing a
/// `struct ArrowArrayStream`; `row_errors_out` is NULL or valid for writing a
/// `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_arrow_leads(
    playbook: *const leadcore_playbook,
    leads: *mut FFI_ArrowArrayStream,
    events: *mut FFI_ArrowArrayStream,
    now_unix_s: i64,
    scores_out: *mut FFI_ArrowArrayStream,
    row_errors_out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        // Both taken before any other check (a NULL one included), so every failure below
        // releases both.
        let (leads, events) = (take_stream(leads, "leads"), take_stream(events, "events"));
        let (leads, events) = (leads?, events?);
        let playbook = args::obj(playbook, "playbook")?;
        let now = from_unix_s(now_unix_s, "now_unix_s")?;
        let scores_out = args::out(scores_out, "scores_out")?;
        let row_errors_out = args::out(row_errors_out, "row_errors_out")?;
        let mut leads = read_stream(leads, "leads", Table::from_stream)?;
        let events = read_events(events)?;
        if leads.column("lead_id").is_none() && leads.column("id").is_none() {
            return Err(Failure::invalid_input(
                "leads: no `lead_id` column".to_owned(),
            ));
        }
        leads
            .rename_id_column("lead_id", "id")
            .map_err(|e| Failure::invalid_input(format!("leads: {}", e.message())))?;
        let scoring = playbook.inner.scoring();
        let (scores, ids) = events
            .score_leads_table(
                scoring,
                playbook.inner.catalog(),
                &leads,
                ExtraColumns::Error,
                now,
                1,
                &mut |_| true,
            )
            .map_err(arrow_failure)?
            .ok_or_else(|| Failure::invalid_input("events: batch stopped".to_owned()))?;
        let batch = scores_batch_with_ids(&scores, ids, scoring).map_err(arrow_failure)?;
        let errors = canonical_json(&scores.row_errors);
        scores_out.write(export_stream(batch.schema(), vec![batch]));
        row_errors_out.text(errors);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::leadcore_buf_free;
    use crate::error::leadcore_error_free;
    use crate::status::{LEADCORE_INVALID_INPUT, LEADCORE_NULL_ARGUMENT, LEADCORE_OK};
    use arrow_array::cast::AsArray;
    use arrow_array::types::Float64Type;
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use leadcore::Playbook;
    use std::ptr;
    use std::sync::Arc;

    const NOW: i64 = 1_767_312_000;

    fn events_stream() -> FFI_ArrowArrayStream {
        let batch = RecordBatch::try_from_iter([
            (
                "lead_id",
                Arc::new(StringArray::from(vec!["A", "B", "ghost"])) as ArrayRef,
            ),
            (
                "kind",
                Arc::new(StringArray::from(vec!["email_opened"; 3])) as ArrayRef,
            ),
            (
                "at",
                Arc::new(Int64Array::from(vec![NOW - 86_400; 3])) as ArrayRef,
            ),
        ])
        .unwrap();
        export_stream(batch.schema(), vec![batch])
    }

    fn playbook() -> leadcore_playbook {
        leadcore_playbook {
            inner: Playbook::default_playbook(),
        }
    }

    #[test]
    fn scores_come_out_as_a_stream_and_row_errors_as_json() {
        let pb = playbook();
        let leads = br#"[{"id":"A"},{"id":"B"}]"#;
        let mut events = events_stream();
        let mut scores = FFI_ArrowArrayStream::empty();
        let mut errors = leadcore_buf {
            data: ptr::null_mut(),
            len: 0,
        };
        let status = unsafe {
            leadcore_score_arrow(
                &pb,
                leads.as_ptr(),
                leads.len(),
                &mut events,
                NOW,
                &mut scores,
                &mut errors,
                ptr::null_mut(),
            )
        };
        assert_eq!(status, LEADCORE_OK);
        assert!(events.release().is_none(), "the input stream is taken over");
        let table = Table::from_stream(scores).unwrap();
        let engagement = table.column("score_engagement").unwrap().chunks[0]
            .as_primitive::<Float64Type>()
            .values()
            .to_vec();
        assert_eq!(engagement, [2.0, 2.0]);
        let text = unsafe { std::slice::from_raw_parts(errors.data, errors.len) };
        assert_eq!(
            std::str::from_utf8(text),
            Ok(r#"[{"message":"no lead with id `ghost`","reason":"unknown_lead","row":2}]"#)
        );
        unsafe { leadcore_buf_free(&mut errors) };
    }

    /// Calls `leadcore_score_arrow`; the `score_engagement` column, or the status.
    fn engagement(
        pb: &leadcore_playbook,
        leads: Option<&[u8]>,
        batch: RecordBatch,
    ) -> Result<Vec<f64>, leadcore_status> {
        let mut events = export_stream(batch.schema(), vec![batch]);
        let mut scores = FFI_ArrowArrayStream::empty();
        let mut errors = leadcore_buf {
            data: ptr::null_mut(),
            len: 0,
        };
        let (text, len) = leads.map_or((ptr::null(), 0), |l| (l.as_ptr(), l.len()));
        let mut err: *mut leadcore_error = ptr::null_mut();
        let status = unsafe {
            leadcore_score_arrow(
                pb,
                text,
                len,
                &mut events,
                NOW,
                &mut scores,
                &mut errors,
                &mut err,
            )
        };
        unsafe {
            leadcore_buf_free(&mut errors);
            leadcore_error_free(err);
        }
        if status != LEADCORE_OK {
            return Err(status);
        }
        let table = Table::from_stream(scores).unwrap();
        Ok(table.column("score_engagement").unwrap().chunks[0]
            .as_primitive::<Float64Type>()
            .values()
            .to_vec())
    }

    #[test]
    fn leads_of_ids_only_score_as_full_leads_and_bad_keys_are_input_errors() {
        use arrow_array::{DictionaryArray, Int32Array};
        let pb = playbook();
        let page = |keys: Int32Array| -> ArrayRef {
            let values = Arc::new(StringArray::from(vec!["/pricing", "/blog/x"]));
            // SAFETY: none needed for the test's data but the keys' range, which the
            // library checks itself (a key outside the dictionary is the point).
            Arc::new(unsafe { DictionaryArray::new_unchecked(keys, values) })
        };
        let batch = |keys: Int32Array| {
            RecordBatch::try_from_iter([
                (
                    "lead_id",
                    Arc::new(Int64Array::from(vec![7, 9, 7, 8])) as ArrayRef,
                ),
                (
                    "kind",
                    Arc::new(StringArray::from(vec!["web_visit"; 4])) as ArrayRef,
                ),
                (
                    "at",
                    Arc::new(Int64Array::from(vec![NOW - 86_400; 4])) as ArrayRef,
                ),
                ("page", page(keys)),
            ])
            .unwrap()
        };
        // Nulls holding any key, as Arrow allows.
        let keys = || Int32Array::from(vec![Some(0), None, Some(1), Some(0)]);
        let ids_only = engagement(
            &pb,
            Some(br#"[{"id":"7"},{"id":"8"},{"id":"9"}]"#),
            batch(keys()),
        )
        .unwrap();
        let full = br#"[{"id":"7","custom":{}},{"id":"8","firmographics":{}},{"id":"9"}]"#;
        assert_eq!(
            engagement(&pb, Some(full), batch(keys())).unwrap(),
            ids_only
        );
        assert!(ids_only[0] > ids_only[2], "lead 7 saw the pricing page");
        // No leads JSON: the leads in order of first appearance (7, 9, 8).
        let found = engagement(&pb, None, batch(keys())).unwrap();
        assert_eq!(found, [ids_only[0], ids_only[2], ids_only[1]]);
        // A set key outside the dictionary fails the call; under a null it is no value.
        let bad = Int32Array::from(vec![Some(0), Some(5), Some(1), Some(0)]);
        assert_eq!(
            engagement(&pb, None, batch(bad)),
            Err(LEADCORE_INVALID_INPUT)
        );
        let hidden = Int32Array::new(
            vec![0, 5, 1, 0].into(),
            Some(vec![true, false, true, true].into()),
        );
        assert_eq!(engagement(&pb, None, batch(hidden)).unwrap(), found);
    }

    #[test]
    fn the_stream_is_released_on_failure_and_bad_streams_are_input_errors() {
        let pb = playbook();
        let mut events = events_stream();
        let mut err: *mut leadcore_error = ptr::null_mut();
        // NULL outputs: refused, and the stream is still taken and released.
        let status = unsafe {
            leadcore_score_arrow(
                &pb,
                ptr::null(),
                0,
                &mut events,
                NOW,
                ptr::null_mut(),
                ptr::null_mut(),
                &mut err,
            )
        };
        assert_eq!(status, LEADCORE_NULL_ARGUMENT);
        assert!(events.release().is_none());
        unsafe { leadcore_error_free(err) };

        // The now released stream is refused as input.
        let mut scores = FFI_ArrowArrayStream::empty();
        let mut errors = leadcore_buf {
            data: ptr::null_mut(),
            len: 0,
        };
        let status = unsafe {
            leadcore_score_arrow(
                &pb,
                ptr::null(),
                0,
                &mut events,
                NOW,
                &mut scores,
                &mut errors,
                ptr::null_mut(),
            )
        };
        assert_eq!(status, LEADCORE_INVALID_INPUT);
        assert!(scores.release().is_none() && errors.data.is_null());
    }
}
