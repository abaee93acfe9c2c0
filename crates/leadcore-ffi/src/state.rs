//! `leadcore_state`: one record's lifecycle state, and the calls that start and move it.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::{fallible, free, hand_out, update_copy};
use crate::error::leadcore_error;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use crate::time::from_ms;
use leadcore::{LifecycleState, ReplayInput, StartInput, TransitionInput};

/// The lifecycle state of one record (a lead or an opportunity) in one pipeline: its current
/// stage, the highest stage reached and its history. Calls that take it `const` only read
/// it; `leadcore_state_transition` changes it, so one state must not be used by two threads
/// at once while it is being moved.
pub struct leadcore_state {
    pub(crate) inner: LifecycleState,
}

/// Starts a record from a JSON `StartInput`,
/// `{"pipeline":"lead","record_id":"L-1","now":"2026-01-05T09:00:00Z"}`, in the pipeline's
/// initial stage. `*out` receives a new state to free with `leadcore_state_free`. Bad JSON
/// gives `LEADCORE_INVALID_INPUT`; an unknown pipeline `LEADCORE_UNKNOWN_PIPELINE`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `start_json` is NULL (with `len == 0`) or points
/// to `len` readable bytes; `out` and `err` are NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_start(
    playbook: *const leadcore_playbook,
    start_json: *const u8,
    len: usize,
    out: *mut *mut leadcore_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let text = args::text(start_json, len, "start_json")?;
        let out = args::out(out, "out")?;
        let input = StartInput::from_json(text)?;
        let inner = playbook
            .inner
            .start(&input.pipeline, &input.record_id, input.now)?;
        hand_out(out, leadcore_state { inner });
    })
}

/// Starts a record in a pipeline's initial stage at `now_ms` (Unix epoch milliseconds UTC):
/// the typed form of `leadcore_state_start`. `*out` receives a new state to free with
/// `leadcore_state_free`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `pipeline` and `record_id` are NULL (with length
/// 0) or point to that many readable bytes; `out` and `err` are NULL or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_new(
    playbook: *const leadcore_playbook,
    pipeline: *const u8,
    pipeline_len: usize,
    record_id: *const u8,
    record_id_len: usize,
    now_ms: i64,
    out: *mut *mut leadcore_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let pipeline = args::text(pipeline, pipeline_len, "pipeline")?;
        let record_id = args::text(record_id, record_id_len, "record_id")?;
        let now = from_ms(now_ms, "now_ms")?;
        let out = args::out(out, "out")?;
        let inner = playbook.inner.start(pipeline, record_id, now)?;
        hand_out(out, leadcore_state { inner });
    })
}

/// Reads a state from its JSON (as written by `leadcore_state_to_json`), checking its
/// `schema_version` (`LEADCORE_UNSUPPORTED_VERSION`) and its consistency
/// (`LEADCORE_INVALID_INPUT`). `*out` receives a new state to free with
/// `leadcore_state_free`.
///
/// # Safety
/// `json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` and `err` are
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_from_json(
    json: *const u8,
    len: usize,
    out: *mut *mut leadcore_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(json, len, "json")?;
        let out = args::out(out, "out")?;
        let inner = LifecycleState::from_json(text)?;
        hand_out(out, leadcore_state { inner });
    })
}

/// Rebuilds a record from its history, from a JSON `ReplayInput`:
/// `{"pipeline":"lead","record_id":"L-1","history":[{"at","from","to","actor"?,"reason"?},..],
/// "trust_history"?:false}`. Every entry is checked against the pipeline first: the first
/// must start in the initial stage, each later one must leave the current stage by a
/// declared move (or an allowed back-move), never backwards in time, with the reason and
/// actor role the playbook requires. A bad history gives `LEADCORE_INVALID_HISTORY`, the
/// JSON report listing every bad entry in `entries` (`index`, `code`, `message`). With
/// `"trust_history":true` (imported data) reasons and actor roles are not checked and the
/// first entry may enter any stage; unknown stages and undeclared moves are still refused.
/// Guards on fields, activities and scores cannot be checked again from a history. An
/// empty history or bad JSON gives `LEADCORE_INVALID_INPUT`. `*out` receives a new state to
/// free with `leadcore_state_free`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `replay_json` is NULL (with `len == 0`) or points
/// to `len` readable bytes; `out` and `err` are NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_replay(
    playbook: *const leadcore_playbook,
    replay_json: *const u8,
    len: usize,
    out: *mut *mut leadcore_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let text = args::text(replay_json, len, "replay_json")?;
        let out = args::out(out, "out")?;
        let input = ReplayInput::from_json(text)?;
        let inner = playbook.inner.replay_with(
            &input.pipeline,
            &input.record_id,
            &input.history,
            &input.options(),
        )?;
        hand_out(out, leadcore_state { inner });
    })
}

/// Writes the state as canonical JSON into `*out`, for the host to store; it reads back
/// with `leadcore_state_from_json` to an equal state.
///
/// # Safety
/// `state` is NULL or a live state; `out` is NULL or valid for writing a `leadcore_buf`;
/// `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_to_json(
    state: *const leadcore_state,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let state = args::obj(state, "state")?;
        args::out(out, "out")?.json(&state.inner);
    })
}

/// Moves a record. `input_json` is a `TransitionInput`:
/// `{"request":{"to","actor":{"id","role"},"now","reason"?},"subject"?:{"lead":{..}},
/// "activities"?:[..],"scores"?:{..}}`. On success the state is updated and `*outcome`
/// receives the canonical JSON of the outcome (`from`, `to`, `at`, `back_move`, `recycled`,
/// and the `actions` for the host to carry out). On failure the state is unchanged and the
/// error says why (`LEADCORE_GUARD_FAILED` lists every failing guard); bad JSON gives
/// `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `state` is NULL or a live state no other thread
/// uses during the call; `input_json` is NULL (with `len == 0`) or points to `len` readable
/// bytes; `outcome` is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid
/// for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_transition(
    playbook: *const leadcore_playbook,
    state: *mut leadcore_state,
    input_json: *const u8,
    len: usize,
    outcome: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let state = args::obj_mut(state, "state")?;
        let text = args::text(input_json, len, "input_json")?;
        let outcome = args::out(outcome, "outcome")?;
        let input = TransitionInput::from_json(text)?;
        let done = update_copy(&mut state.inner, |next| {
            playbook
                .inner
                .transition(next, &input.request, &input.facts())
        })?;
        outcome.text(done);
    })
}

/// Writes the time the record spent in each stage it visited, up to `now_ms` (Unix epoch
/// milliseconds UTC), into `*out` as a canonical JSON array of
/// `{"seconds","stage","visits"}` in order of first visit. A `now_ms` before the record's
/// last move gives `LEADCORE_TIME_WENT_BACKWARDS`.
///
/// # Safety
/// `state` is NULL or a live state; `out` is NULL or valid for writing a `leadcore_buf`;
/// `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_dwell(
    state: *const leadcore_state,
    now_ms: i64,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let state = args::obj(state, "state")?;
        let now = from_ms(now_ms, "now_ms")?;
        args::out(out, "out")?.json(&state.inner.dwell(now)?);
    })
}

/// Frees a state. NULL is a no-op.
///
/// # Safety
/// `state` is NULL or a state from this library that has not been freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_state_free(state: *mut leadcore_state) {
    // SAFETY: NULL, or a state from `hand_out` not freed yet (caller).
    unsafe { free(state) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::leadcore_buf_free;
    use crate::playbook::{leadcore_playbook_default, leadcore_playbook_free};
    use crate::status::{LEADCORE_GUARD_FAILED, LEADCORE_INVALID_HISTORY, LEADCORE_OK};
    use std::ptr;

    const START: &str = r#"{"pipeline":"lead","record_id":"L-1","now":"2026-01-05T09:00:00Z"}"#;

    fn to_mql(role: &str) -> String {
        format!(
            r#"{{"request":{{"to":"MQL","actor":{{"id":"u","role":"{role}"}},"now":"2026-01-05T10:00:00Z"}},"scores":{{"lead":250}}}}"#
        )
    }

    #[test]
    fn a_refused_transition_changes_nothing_and_an_accepted_one_commits() {
        unsafe {
            let mut pb = ptr::null_mut();
            assert_eq!(
                leadcore_playbook_default(&mut pb, ptr::null_mut()),
                LEADCORE_OK
            );
            let mut st = ptr::null_mut();
            let s = leadcore_state_start(pb, START.as_ptr(), START.len(), &mut st, ptr::null_mut());
            assert_eq!(s, LEADCORE_OK);
            let before = (*st).inner.clone();

            let mut out = leadcore_buf {
                data: ptr::null_mut(),
                len: 0,
            };
            let sdr = to_mql("sdr");
            let s = leadcore_state_transition(
                pb,
                st,
                sdr.as_ptr(),
                sdr.len(),
                &mut out,
                ptr::null_mut(),
            );
            assert_eq!(s, LEADCORE_GUARD_FAILED);
            assert!(out.data.is_null());
            assert_eq!((*st).inner, before);

            let mia = to_mql("marketing");
            let s = leadcore_state_transition(
                pb,
                st,
                mia.as_ptr(),
                mia.len(),
                &mut out,
                ptr::null_mut(),
            );
            assert_eq!(s, LEADCORE_OK);
            assert_eq!((*st).inner.current(), "MQL");
            let json = std::slice::from_raw_parts(out.data, out.len);
            assert!(
                std::str::from_utf8(json)
                    .unwrap_or_default()
                    .contains(r#""kind":"notify""#)
            );

            leadcore_buf_free(&mut out);
            leadcore_state_free(st);
            leadcore_playbook_free(pb);
        }
    }

    #[test]
    fn a_replay_hands_out_a_state_only_when_the_history_holds() {
        const GOOD: &str = r#"{"pipeline":"lead","record_id":"L-1","history":[{"at":"2026-01-05T09:00:00Z","from":null,"to":"Suspect"}]}"#;
        const BAD: &str = r#"{"pipeline":"lead","record_id":"L-1","history":[{"at":"2026-01-05T09:00:00Z","from":null,"to":"Suspect"},{"at":"2026-01-05T10:00:00Z","from":"Suspect","to":"Won","actor":{"id":"a","role":"ae"}}]}"#;
        unsafe {
            let mut pb = ptr::null_mut();
            assert_eq!(
                leadcore_playbook_default(&mut pb, ptr::null_mut()),
                LEADCORE_OK
            );
            let mut st = ptr::null_mut();
            let s = leadcore_state_replay(pb, GOOD.as_ptr(), GOOD.len(), &mut st, ptr::null_mut());
            assert_eq!(s, LEADCORE_OK);
            assert_eq!((*st).inner.current(), "Suspect");

            let mut other = ptr::null_mut();
            let mut err = ptr::null_mut();
            let s = leadcore_state_replay(pb, BAD.as_ptr(), BAD.len(), &mut other, &mut err);
            assert_eq!(s, LEADCORE_INVALID_HISTORY);
            assert!(other.is_null());
            assert_eq!((*err).status(), LEADCORE_INVALID_HISTORY);

            crate::error::leadcore_error_free(err);
            leadcore_state_free(st);
            leadcore_playbook_free(pb);
        }
    }
}
