//! `leadcore_routing_state`: what routing remembers between decisions (rep counters,
//! round-robin positions, owner maps), and the calls that route leads with it
//! (`leadcore_route`, `leadcore_route_batch`), JSON in and out.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::{fallible, free, hand_out};
use crate::error::leadcore_error;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use crate::time::from_unix_s;
use leadcore::Lead;
use leadcore::routing::{Placed, RouteBatchInput, RouteInput, RoutingState, UnassignedCode};
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

/// Caller-allocated output arrays of `leadcore_route_columns`, one entry per lead each (any
/// may be NULL to skip it).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct leadcore_assignments_out {
    /// 0: a rep, 1: a queue.
    pub kind: *mut u8,
    /// The rep's index in `reps`, or the queue's in `queues`, of `leadcore_routing_names`.
    pub assignee: *mut u32,
    /// The placing rule's index in `rules` of `leadcore_routing_names`; -1 for a lead left
    /// in the unassignable queue.
    pub rule: *mut i32,
    /// Why a lead went to the unassignable queue: 0 placed by a rule, 1 the playbook has no
    /// rules, 2 no rule matched, 3 rules matched but found no eligible rep (255: a reason
    /// this header does not know yet).
    pub unassigned: *mut u8,
}

/// The names the index columns of `leadcore_route_columns` point into, as canonical JSON in
/// `*out`: `{"queues":[..],"reps":[..],"rules":[..]}` (reps in declaration order, queues as
/// declared then the unassignable queue when undeclared, rules in chain order).
///
/// # Safety
/// `playbook` is NULL or a live playbook; `out` is NULL or valid for writing a
/// `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_routing_names(
    playbook: *const leadcore_playbook,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let routing = args::obj(playbook, "playbook")?.inner.routing();
        let out = args::out(out, "out")?;
        let names = serde_json::json!({
            "reps": routing.rep_ids(),
            "queues": routing.queue_names(),
            "rules": routing.rule_names(),
        });
        out.text(canonical_json(&names));
    })
}

/// Routes many leads in order, as `leadcore_route_batch` does (the same assignments, the
/// same state after), without the trace: who got each lead as columns of indexes, the fast
/// path. `leads_json` is a JSON array of leads; `rows` must equal its length
/// (`LEADCORE_INVALID_ARGUMENT` otherwise). On failure nothing is assigned, the state is
/// unchanged and nothing is written.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `state` is NULL or a live routing state no other
/// thread uses during the call; `leads_json` is NULL (with `len == 0`) or points to `len`
/// readable bytes; `out` is NULL or points to a `leadcore_assignments_out` whose non-NULL
/// arrays are valid for writing `rows` entries and overlap nothing else; `err` is NULL or
/// valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_route_columns(
    playbook: *const leadcore_playbook,
    state: *mut leadcore_routing_state,
    leads_json: *const u8,
    len: usize,
    now_unix_s: i64,
    out: *const leadcore_assignments_out,
    rows: usize,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let routing = args::obj(playbook, "playbook")?.inner.routing();
        let state = args::obj_mut(state, "state")?;
        let text = args::text(leads_json, len, "leads_json")?;
        let o = args::obj(out, "out")?;
        let kind_out = args::out_slice_opt(o.kind, rows, "out.kind")?;
        let assignee_out = args::out_slice_opt(o.assignee, rows, "out.assignee")?;
        let rule_out = args::out_slice_opt(o.rule, rows, "out.rule")?;
        let why_out = args::out_slice_opt(o.unassigned, rows, "out.unassigned")?;
        let now = from_unix_s(now_unix_s, "now_unix_s")?;
        let leads: Vec<Lead> = args::json(text, "leads")?;
        if leads.len() != rows {
            return Err(crate::error::Failure::invalid_argument(format!(
                "rows is {rows}, but leads_json holds {} leads",
                leads.len()
            )));
        }
        // The core's lean batch changes the state only on success.
        let got = routing.assign_batch_lean(&mut state.inner, &leads, now)?;
        let (kinds, who): (Vec<u8>, Vec<u32>) = got
            .placed
            .iter()
            .map(|p| match *p {
                Placed::Rep(r) => (0, r),
                Placed::Queue(q) => (1, q),
            })
            .unzip();
        let rules: Vec<i32> = got
            .rule
            .iter()
            .map(|r| r.and_then(|r| i32::try_from(r).ok()).unwrap_or(-1))
            .collect();
        let why: Vec<u8> = got
            .unassigned
            .iter()
            .map(|u| match u.as_ref().map(|u| u.code) {
                None => 0,
                Some(UnassignedCode::NoRules) => 1,
                Some(UnassignedCode::NoRuleMatched) => 2,
                Some(UnassignedCode::NoEligibleRep) => 3,
                Some(_) => u8::MAX,
            })
            .collect();
        kind_out.fill(&kinds);
        assignee_out.fill(&who);
        rule_out.fill(&rules);
        why_out.fill(&why);
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
