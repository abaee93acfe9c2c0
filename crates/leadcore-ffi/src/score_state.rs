//! `leadcore_score_state`: one lead's incremental scoring state, fed one event at a time
//! (typed: `leadcore_score_state_record`; JSON with threshold signals:
//! `leadcore_score_state_apply`) and read as a score card or a predicted crossing.

use crate::args::{self, leadcore_str};
use crate::buf::leadcore_buf;
use crate::entry::{fallible, free, hand_out, update_copy};
use crate::error::{Failure, leadcore_error};
use crate::playbook::leadcore_playbook;
use crate::status::{FfiKind, leadcore_status};
use crate::time::from_unix_s;
use chrono::{DateTime, Duration, Utc};
use leadcore::scoring::ScoreState;
use leadcore::scoring::{PredictInput, ScoreApplyInput, ScoreCardInput};
use leadcore::{Activity, ActivityKind, Lead, Scoring};
use serde::Deserialize;

/// One lead's scoring state: the counted activity times per behaviour rule, engagement and
/// follow-up times, and where each threshold stands. Made for one playbook: pass the same
/// playbook to every call on it. Calls that take it `const` only read it;
/// `leadcore_score_state_record`, `_apply` and `_check_thresholds` change it, so no other
/// call may use the state at the same time. Every call that fails leaves it unchanged.
pub struct leadcore_score_state {
    inner: ScoreState,
    /// Set while `leadcore_score_state_record` changes the state in place: still set
    /// afterwards only if the core panicked mid-update, and then the state refuses every
    /// further call rather than expose a half-recorded event.
    poisoned: bool,
}

impl leadcore_score_state {
    /// A fresh (not poisoned) wrapper, for [`hand_out`].
    fn new(inner: ScoreState) -> Self {
        leadcore_score_state {
            inner,
            poisoned: false,
        }
    }

    fn usable(&self) -> Result<&ScoreState, Failure> {
        if self.poisoned {
            return Err(Failure::Ffi(
                FfiKind::Panic,
                "this score state was left unusable by an earlier panic (a bug, please \
                 report it); load it again from its stored JSON"
                    .to_owned(),
            ));
        }
        Ok(&self.inner)
    }
}

/// Checks that a state belongs to the playbook's scoring rules (format version, rule
/// layout, thresholds).
fn check_state(scoring: &Scoring, state: &ScoreState) -> Result<(), Failure> {
    scoring.check_state(state)?;
    Ok(())
}

/// One activity event for `leadcore_score_state_record`, typed: no JSON on this path.
/// Optional text fields are absent when their `ptr` is NULL (and `len` 0).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct leadcore_event {
    /// The activity kind, e.g. `"web_visit"`, `"email_opened"` or a custom name.
    pub kind: leadcore_str,
    /// When it happened, Unix seconds UTC.
    pub at_unix_s: i64,
    /// Page of a web visit, or absent.
    pub page: leadcore_str,
    /// E-mail or ad campaign, or absent.
    pub campaign: leadcore_str,
    /// Form id of a form submission, or absent.
    pub form_id: leadcore_str,
    /// Content id of a download, or absent.
    pub content_id: leadcore_str,
    /// Seconds on page / duration; negative means absent (at most `UINT32_MAX`).
    pub seconds: i64,
}

/// The activity an event describes.
///
/// # Safety
/// The event's strings are NULL or valid for their lengths.
unsafe fn activity(ev: &leadcore_event) -> Result<Activity, Failure> {
    let owned = |s: leadcore_str, what: &str| -> Result<Option<String>, Failure> {
        // SAFETY: forwarded to the caller of `activity`.
        Ok(unsafe { s.get_opt(what) }?.map(str::to_owned))
    };
    // SAFETY: forwarded to the caller.
    let kind = ActivityKind::parse(unsafe { ev.kind.get("event.kind") }?);
    let mut a = Activity::new(kind, from_unix_s(ev.at_unix_s, "event.at_unix_s")?);
    a.page = owned(ev.page, "event.page")?;
    a.campaign = owned(ev.campaign, "event.campaign")?;
    a.form_id = owned(ev.form_id, "event.form_id")?;
    a.content_id = owned(ev.content_id, "event.content_id")?;
    a.seconds = match ev.seconds {
        s if s < 0 => None,
        s => Some(u32::try_from(s).map_err(|_| {
            Failure::invalid_argument(format!(
                "argument `event.seconds` ({s}) is above {}",
                u32::MAX
            ))
        })?),
    };
    Ok(a)
}

/// `leadcore_score_state_check_thresholds` input.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInput {
    lead: Lead,
    now: DateTime<Utc>,
}

/// An empty score state for the lead `lead_id` under the playbook's scoring rules. `*out`
/// receives a new state to free with `leadcore_score_state_free`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `lead_id` is NULL (with `lead_id_len == 0`) or
/// points to `lead_id_len` readable bytes; `out` and `err` are NULL or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_new(
    playbook: *const leadcore_playbook,
    lead_id: *const u8,
    lead_id_len: usize,
    out: *mut *mut leadcore_score_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let lead_id = args::text(lead_id, lead_id_len, "lead_id")?;
        let out = args::out(out, "out")?;
        let inner = playbook.inner.scoring().new_state(lead_id);
        hand_out(out, leadcore_score_state::new(inner));
    })
}

/// Reads a score state from its JSON (as written by `leadcore_score_state_to_json`) and
/// checks it against the playbook's scoring rules: another `schema_version` gives
/// `LEADCORE_UNSUPPORTED_VERSION`; a state made with other rules, times out of order or
/// out of range, bad JSON or an unknown field gives `LEADCORE_INVALID_INPUT`. `*out` receives a new state to free with
/// `leadcore_score_state_free`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `json` is NULL (with `len == 0`) or points to
/// `len` readable bytes; `out` and `err` are NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_from_json(
    playbook: *const leadcore_playbook,
    json: *const u8,
    len: usize,
    out: *mut *mut leadcore_score_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let text = args::text(json, len, "json")?;
        let out = args::out(out, "out")?;
        let inner = ScoreState::from_json(text)?;
        check_state(playbook.inner.scoring(), &inner)?;
        hand_out(out, leadcore_score_state::new(inner));
    })
}

/// Writes the state as canonical JSON into `*out`, for the host to store; it reads back
/// with `leadcore_score_state_from_json` to an equal state.
///
/// # Safety
/// `state` is NULL or a live score state; `out` is NULL or valid for writing a
/// `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_to_json(
    state: *const leadcore_score_state,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let state = args::obj(state, "state")?.usable()?;
        args::out(out, "out")?.json(state);
    })
}

/// Records one activity event in the state, typed (no JSON), without checking thresholds:
/// the fast path for feeding a lead's events. `now_unix_s` is the current time in Unix
/// seconds UTC; events up to `now` count, later ones never do. An event after `now` beyond
/// the playbook's tolerance gives `LEADCORE_BAD_EVENT` (report `reason`: `in_future`); a
/// missing attribute is no bad event (it matches no comparison); a time chrono
/// cannot represent or `seconds` above `UINT32_MAX` gives `LEADCORE_INVALID_ARGUMENT`; a
/// state made with other rules `LEADCORE_INVALID_INPUT`. On failure the state is unchanged.
/// Events may arrive in any order (O(1) amortised in time order). Call
/// `leadcore_score_state_check_thresholds` afterwards to get threshold crossings.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `state` is NULL or a live score state no other
/// thread uses during the call; `event` is NULL or points to a `leadcore_event` whose
/// strings are NULL or valid for their lengths; `err` is NULL or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_record(
    playbook: *const leadcore_playbook,
    state: *mut leadcore_score_state,
    event: *const leadcore_event,
    now_unix_s: i64,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    // The state changes only on success.
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        let state = args::obj_mut(state, "state")?;
        let event = activity(args::obj(event, "event")?)?;
        let now = from_unix_s(now_unix_s, "now_unix_s")?;
        state.usable()?;
        // The core checks the state and the event before it changes anything, so an
        // error leaves the state as it was; updating in place keeps this path O(1).
        // Only a panic could interrupt the update: `poisoned` stays set then.
        state.poisoned = true;
        let recorded = scoring.record(&mut state.inner, &event, now);
        state.poisoned = false;
        recorded?;
    })
}

/// Records one activity and checks thresholds and hotness at `now`: the incremental path
/// with signals. `input_json` is `{"lead":{..},"activity":{"kind","at",..},"now":"<RFC
/// 3339>"}`. On success the state is updated and `*signals_out` receives the canonical JSON
/// array of signals (`{"signal":"threshold","model","threshold","direction","score","at",
/// "actions"}`, `{"signal":"hot","at"}`), often `[]`. On failure the state is unchanged:
/// `LEADCORE_BAD_EVENT` for an unusable event, `LEADCORE_TIME_WENT_BACKWARDS` for a `now`
/// before the last check, `LEADCORE_INVALID_INPUT` for bad JSON.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `state` is NULL or a live score state no other
/// thread uses during the call; `input_json` is NULL (with `len == 0`) or points to `len`
/// readable bytes; `signals_out` is NULL or valid for writing a `leadcore_buf`; `err` is
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_apply(
    playbook: *const leadcore_playbook,
    state: *mut leadcore_score_state,
    input_json: *const u8,
    len: usize,
    signals_out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        let state = args::obj_mut(state, "state")?;
        let text = args::text(input_json, len, "input_json")?;
        let signals_out = args::out(signals_out, "signals_out")?;
        let i = ScoreApplyInput::from_json(text)?;
        state.usable()?;
        let signals = update_copy(&mut state.inner, |next| {
            scoring.apply(next, &i.lead, &i.activity, i.now)
        })?;
        signals_out.text(signals);
    })
}

/// Checks thresholds and hotness at `now` without a new event (decay can carry a score
/// across a threshold between events; call it after `leadcore_score_state_record`).
/// `input_json` is `{"lead":{..},"now":"<RFC 3339>"}`. On success the state's threshold
/// positions are updated and `*signals_out` receives the canonical JSON array of threshold
/// signals, as for `leadcore_score_state_apply`. On failure the state is unchanged.
///
/// # Safety
/// As `leadcore_score_state_apply`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_check_thresholds(
    playbook: *const leadcore_playbook,
    state: *mut leadcore_score_state,
    input_json: *const u8,
    len: usize,
    signals_out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        let state = args::obj_mut(state, "state")?;
        let text = args::text(input_json, len, "input_json")?;
        let signals_out = args::out(signals_out, "signals_out")?;
        let i: CheckInput = args::json(text, "threshold check input")?;
        state.usable()?;
        let signals = update_copy(&mut state.inner, |next| {
            scoring.check_thresholds(next, &i.lead, i.now)
        })?;
        signals_out.text(signals);
    })
}

/// The score card of the state at `now`. `input_json` is
/// `{"lead":{..},"now":"<RFC 3339>","explain":false}` (`explain` may be left out; the lead
/// gives the fit fields). `*out` receives the canonical JSON of the card, as for
/// `leadcore_score`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `state` is NULL or a live score state;
/// `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
/// or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_card(
    playbook: *const leadcore_playbook,
    state: *const leadcore_score_state,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        let state = args::obj(state, "state")?.usable()?;
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let i = ScoreCardInput::from_json(text)?;
        out.json(&scoring.card(state, &i.lead, i.now, i.explain)?);
    })
}

/// When the state's score in one model crosses a threshold if no new activity arrives:
/// `input_json` is `{"lead":{..},"model":"engagement","threshold":50,"now":"<RFC 3339>",
/// "horizon_days":30}`. `*out` receives the canonical JSON of the first crossing time in
/// `(now, now + horizon]`, a string `"2026-04-01T09:05:00Z"`, or `null` when it does not
/// cross within the horizon. An unknown model, a non-finite threshold, a horizon out of
/// range or bad JSON gives `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// As `leadcore_score_state_card`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_predict(
    playbook: *const leadcore_playbook,
    state: *const leadcore_score_state,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let scoring = args::obj(playbook, "playbook")?.inner.scoring();
        let state = args::obj(state, "state")?.usable()?;
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let i = PredictInput::from_json(text)?;
        let horizon = Duration::try_days(i.horizon_days).ok_or_else(|| {
            Failure::invalid_input(format!("horizon_days {} is out of range", i.horizon_days))
        })?;
        // `predict_crossing` does not check the state against the rules itself.
        check_state(scoring, state)?;
        out.json(&scoring.predict_crossing(
            state,
            &i.lead,
            &i.model,
            i.threshold,
            i.now,
            horizon,
        )?);
    })
}

/// Frees a score state. NULL is a no-op.
///
/// # Safety
/// `state` is NULL or a score state from this library that has not been freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_score_state_free(state: *mut leadcore_score_state) {
    // SAFETY: NULL, or a score state from `hand_out` not freed yet (caller).
    unsafe { free(state) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::leadcore_buf_free;
    use crate::playbook::{leadcore_playbook_default, leadcore_playbook_free};
    use crate::status::{LEADCORE_OK, LEADCORE_PANIC};
    use std::ptr;

    fn text(s: &str) -> leadcore_str {
        leadcore_str {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    const ABSENT: leadcore_str = leadcore_str {
        ptr: ptr::null(),
        len: 0,
    };

    #[test]
    fn typed_events_become_activities() {
        let ev = leadcore_event {
            kind: text("web_visit"),
            at_unix_s: 1_772_442_000,
            page: text("/pricing"),
            campaign: ABSENT,
            form_id: text(""),
            content_id: ABSENT,
            seconds: 75,
        };
        let a = unsafe { activity(&ev) }.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(a.kind, ActivityKind::WebVisit);
        assert_eq!(a.at.timestamp(), 1_772_442_000);
        assert_eq!(a.page.as_deref(), Some("/pricing"));
        assert_eq!(a.campaign, None);
        assert_eq!(a.form_id.as_deref(), Some(""));
        assert_eq!(a.seconds, Some(75));
        let absent = leadcore_event { seconds: -1, ..ev };
        assert_eq!(
            unsafe { activity(&absent) }.ok().and_then(|a| a.seconds),
            None
        );
        let custom = leadcore_event {
            kind: text("webinar_attended"),
            ..ev
        };
        let a = unsafe { activity(&custom) }.ok().map(|a| a.kind);
        assert_eq!(a, Some(ActivityKind::Custom("webinar_attended".into())));
        let too_long = leadcore_event {
            seconds: i64::from(u32::MAX) + 1,
            ..ev
        };
        assert!(unsafe { activity(&too_long) }.is_err());
    }

    #[test]
    fn a_poisoned_state_refuses_every_call() {
        unsafe {
            let mut pb = ptr::null_mut();
            assert_eq!(
                leadcore_playbook_default(&mut pb, ptr::null_mut()),
                LEADCORE_OK
            );
            let mut st = ptr::null_mut();
            let id = "A";
            let s = leadcore_score_state_new(pb, id.as_ptr(), id.len(), &mut st, ptr::null_mut());
            assert_eq!(s, LEADCORE_OK);
            (*st).poisoned = true;
            let ev = leadcore_event {
                kind: text("email_opened"),
                at_unix_s: 0,
                page: ABSENT,
                campaign: ABSENT,
                form_id: ABSENT,
                content_id: ABSENT,
                seconds: -1,
            };
            let s = leadcore_score_state_record(pb, st, &ev, 10, ptr::null_mut());
            assert_eq!(s, LEADCORE_PANIC);
            let mut out = leadcore_buf {
                data: ptr::null_mut(),
                len: 0,
            };
            let s = leadcore_score_state_to_json(st, &mut out, ptr::null_mut());
            assert_eq!(s, LEADCORE_PANIC);
            let card = r#"{"lead":{"id":"A"},"now":"2026-03-03T09:00:00Z"}"#;
            let s = leadcore_score_state_card(
                pb,
                st,
                card.as_ptr(),
                card.len(),
                &mut out,
                ptr::null_mut(),
            );
            assert_eq!(s, LEADCORE_PANIC);
            assert!(out.data.is_null());

            (*st).poisoned = false;
            let s = leadcore_score_state_record(pb, st, &ev, 10, ptr::null_mut());
            assert_eq!(s, LEADCORE_OK);
            assert_eq!((*st).inner.engagement, vec![0]);
            leadcore_buf_free(&mut out);
            leadcore_score_state_free(st);
            leadcore_playbook_free(pb);
        }
    }
}
