//! `leadcore_routing_state`: what routing remembers between decisions (rep counters,
//! round-robin positions, owner maps), and the calls that route leads with it
//! (`leadcore_route`, `leadcore_route_batch`), JSON in and out.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::{fallible, free, hand_out};
use crate::error::leadcore_error;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use leadcore::routing::{RouteBatchInput, RouteInput, RoutingState};
use leadcore::wire::canonical_json;

/// A routing state: per-rep counters (open leads, today's count, assigned deal value, win
/// rate), round-robin positions by rule, and the account and domain owner maps. The host
/// persists it (`leadcore_routing_state_to_json`) with each assignment and hands it back
/// with the next lead. Calls that take it `const` only read it; `leadcore_route` and
/// `leadcore_route_batch` change it, so no other call may use the state at the same time.
/// Every call that fails leaves it unchanged.
pub struct leadcore_routing_state {
    inner: RoutingState,
}

/// A fresh routing state (no lead assigned yet) for the playbook's routing rules. `*out`
/// receives a new state to free with `leadcore_routing_state_free`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `out` and `err` are NULL or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_routing_state_new(
    playbook: *const leadcore_playbook,
    out: *mut *mut leadcore_routing_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let out = args::out(out, "out")?;
        let inner = playbook.inner.routing().new_state();
        hand_out(out, leadcore_routing_state { inner });
    })
}

/// Reads a routing state from its JSON (as written by `leadcore_routing_state_to_json`, or
/// by the host: `{"schema_version":1,"reps":{"B":{"open_leads":12,"win_rate":0.3}},
/// "account_owners":{..},"domain_owners":{..}}`). Another `schema_version` gives
/// `LEADCORE_UNSUPPORTED_VERSION`; a win rate outside 0..1, bad JSON or an unknown field
/// gives `LEADCORE_INVALID_INPUT`. `*out` receives a new state to free with
/// `leadcore_routing_state_free`.
///
/// # Safety
/// `json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` and `err` are
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_routing_state_from_json(
    json: *const u8,
    len: usize,
    out: *mut *mut leadcore_routing_state,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(json, len, "json")?;
        let out = args::out(out, "out")?;
        let inner = RoutingState::from_json(text)?;
        hand_out(out, leadcore_routing_state { inner });
    })
}

/// Writes the state as canonical JSON into `*out`, for the host to store; it reads back
/// with `leadcore_routing_state_from_json` to an equal state.
///
/// # Safety
/// `state` is NULL or a live routing state; `out` is NULL or valid for writing a
/// `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_routing_state_to_json(
    state: *const leadcore_routing_state,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let state = args::obj(state, "state")?;
        args::out(out, "out")?.json(&state.inner);
    })
}

/// Routes one lead and records the assignment in the state (the rep's counters, the
/// round-robin position). `input_json` is `{"lead":{..},"now":"<RFC 3339>","scores":{"lead":
/// 82}}` (`scores`, by model name, may be left out). On success `*out` receives the
/// canonical JSON of the decision: `{"lead_id","at","assignee":{"rep":"B"}or{"queue":..},
/// "rule"?,"unassigned"?:{"code","message"},"trace":[..],"actions"?:[..]}`. On failure the
/// state is unchanged: `LEADCORE_INVALID_INPUT` for bad JSON, `LEADCORE_UNSUPPORTED_VERSION`
/// for a state of another format.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `state` is NULL or a live routing state no other
/// thread uses during the call; `input_json` is NULL (with `len == 0`) or points to `len`
/// readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is NULL or
/// valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_route(
    playbook: *const leadcore_playbook,
    state: *mut leadcore_routing_state,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let routing = args::obj(playbook, "playbook")?.inner.routing();
        let state = args::obj_mut(state, "state")?;
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let i = RouteInput::from_json(text)?;
        // The core's assign changes the state only on success: no copy needed.
        let decision = canonical_json(&routing.assign(&mut state.inner, i.facts(), i.now)?);
        out.text(decision);
    })
}

/// Routes many leads in order, exactly as one `leadcore_route` after another (fair within
/// the batch: 1,000 leads over 3 equal reps give 334/333/333). `input_json` is
/// `{"leads":[{..},..],"now":"<RFC 3339>"}`. On success the state records every assignment
/// and `*out` receives the canonical JSON array of decisions, one per lead in order. On
/// failure nothing is assigned and the state is unchanged.
///
/// # Safety
/// As `leadcore_route`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_route_batch(
    playbook: *const leadcore_playbook,
    state: *mut leadcore_routing_state,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let routing = args::obj(playbook, "playbook")?.inner.routing();
        let state = args::obj_mut(state, "state")?;
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let i = RouteBatchInput::from_json(text)?;
        // The core's assign_batch changes the state only on success: no copy needed.
        let decisions = canonical_json(&routing.assign_batch(&mut state.inner, &i.leads, i.now)?);
        out.text(decisions);
    })
}

/// Frees a routing state. NULL is a no-op.
///
/// # Safety
/// `state` is NULL or a routing state from this library that has not been freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_routing_state_free(state: *mut leadcore_routing_state) {
    // SAFETY: NULL, or a routing state from `hand_out` not freed yet (caller).
    unsafe { free(state) }
}
