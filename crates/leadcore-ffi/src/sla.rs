//! SLA clocks: one lead's statuses (JSON in and out, `leadcore_sla_status`) and a board of
//! many clocks read at once from C arrays (`leadcore_sla_board`).

use crate::args::{self, leadcore_str};
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use crate::time::from_unix_s;
use leadcore::columnar::NULL_TIME;
use leadcore::sla::{SlaClockColumns, SlaInput, SlaState};
use leadcore::wire::canonical_json;

/// "No time" in SLA clock and board arrays: `INT64_MIN`.
pub const LEADCORE_NO_TIME: i64 = i64::MIN;
const _: () = assert!(LEADCORE_NO_TIME == NULL_TIME);

/// One SLA policy's clocks, one row per lead, as the host stores them (from
/// `leadcore_sla_status`'s clocks or its own bookkeeping). Times are Unix seconds UTC with
/// `LEADCORE_NO_TIME` for none. Every non-NULL array holds `rows` entries; only `started_at`
/// is required: a NULL `stopped_at`, `paused_since` or `breached_at` is none on every row,
/// a NULL `paused_seconds` is 0, a NULL `applies` is 1 (the policy covers every lead).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct leadcore_sla_clocks {
    /// The number of rows.
    pub rows: usize,
    /// When each clock started (`LEADCORE_NO_TIME`: not started).
    pub started_at: *const i64,
    /// When it stopped.
    pub stopped_at: *const i64,
    /// Business seconds of finished pauses.
    pub paused_seconds: *const i64,
    /// Start of the pause in progress.
    pub paused_since: *const i64,
    /// The deadline, once an event came after it with the clock unstopped.
    pub breached_at: *const i64,
    /// 1 where the policy covers the lead, 0 where not.
    pub applies: *const u8,
}

/// Caller-allocated output arrays of `leadcore_sla_board`, each of the clocks' `rows`
/// entries (any may be NULL to skip it).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct leadcore_sla_board_out {
    /// The state code: 0 not_applicable, 1 not_started, 2 pending, 3 due_soon, 4 paused,
    /// 5 met, 6 breached (`leadcore_sla_state_name` gives the name).
    pub status: *mut u8,
    /// The deadline (`LEADCORE_NO_TIME`: none, e.g. while paused).
    pub deadline: *mut i64,
    /// Business seconds the clock ran.
    pub elapsed_seconds: *mut i64,
    /// Business seconds left.
    pub remaining_seconds: *mut i64,
    /// The next instant the status or escalation step changes (`LEADCORE_NO_TIME`: none).
    pub next_change: *mut i64,
    /// Escalation steps reached.
    pub escalation: *mut u32,
}

/// Every SLA policy's status for one lead. `input_json` is `{"lead":{..},"activities":[..],
/// "stages":[{"at","stage"}],"now":"<RFC 3339>"}` (`activities` and `stages` may be left
/// out). On success `*out` receives the canonical JSON array of statuses, one per policy:
/// `{"lead_id","policy","status","started_at"?,"stopped_at"?,"deadline"?,"elapsed_seconds",
/// "remaining_seconds","next_change"?,"escalation","actions"?}`. Bad JSON gives
/// `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
/// to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_sla_status(
    playbook: *const leadcore_playbook,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let sla = args::obj(playbook, "playbook")?.inner.sla();
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let i = SlaInput::from_json(text)?;
        out.text(canonical_json(&sla.statuses(i.facts(), i.now)));
    })
}

/// Reads one policy's clocks at `now_unix_s`, many at once: the columnar path of
/// `leadcore_sla_status` (the same numbers row by row). On success every non-NULL array of
/// `*out` receives `clocks->rows` entries. An unknown `policy` gives
/// `LEADCORE_INVALID_INPUT`; a NULL `started_at` with `rows > 0` `LEADCORE_NULL_ARGUMENT`;
/// a `now_unix_s` out of range `LEADCORE_INVALID_ARGUMENT`. Nothing is written on failure.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `policy` follows the `leadcore_str` rules;
/// `clocks` is NULL or points to a `leadcore_sla_clocks` whose non-NULL arrays hold `rows`
/// entries; `out` is NULL or points to a `leadcore_sla_board_out` whose non-NULL arrays are
/// valid for writing `rows` entries and overlap nothing else; `err` is NULL or valid for
/// writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_sla_board(
    playbook: *const leadcore_playbook,
    policy: leadcore_str,
    clocks: *const leadcore_sla_clocks,
    now_unix_s: i64,
    out: *const leadcore_sla_board_out,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let sla = args::obj(playbook, "playbook")?.inner.sla();
        let policy = policy.get("policy")?;
        let c = args::obj(clocks, "clocks")?;
        let o = args::obj(out, "out")?;
        let rows = c.rows;
        let started_at = args::slice(c.started_at, rows, "clocks.started_at")?;
        let nulls = vec![
            NULL_TIME;
            if c.stopped_at.is_null() || c.paused_since.is_null() || c.breached_at.is_null() {
                rows
            } else {
                0
            }
        ];
        let zeros = vec![0i64; if c.paused_seconds.is_null() { rows } else { 0 }];
        let stopped_at =
            args::slice_opt(c.stopped_at, rows, "clocks.stopped_at")?.unwrap_or(&nulls);
        let paused_since =
            args::slice_opt(c.paused_since, rows, "clocks.paused_since")?.unwrap_or(&nulls);
        let breached_at =
            args::slice_opt(c.breached_at, rows, "clocks.breached_at")?.unwrap_or(&nulls);
        let paused_seconds =
            args::slice_opt(c.paused_seconds, rows, "clocks.paused_seconds")?.unwrap_or(&zeros);
        let applies: Option<Vec<bool>> = args::slice_opt(c.applies, rows, "clocks.applies")?
            .map(|a| a.iter().map(|&v| v != 0).collect());
        let status_out = args::out_slice_opt(o.status, rows, "out.status")?;
        let deadline_out = args::out_slice_opt(o.deadline, rows, "out.deadline")?;
        let elapsed_out = args::out_slice_opt(o.elapsed_seconds, rows, "out.elapsed_seconds")?;
        let remaining_out =
            args::out_slice_opt(o.remaining_seconds, rows, "out.remaining_seconds")?;
        let next_out = args::out_slice_opt(o.next_change, rows, "out.next_change")?;
        let escalation_out = args::out_slice_opt(o.escalation, rows, "out.escalation")?;
        let now = from_unix_s(now_unix_s, "now_unix_s")?;
        let columns = SlaClockColumns {
            applies: applies.as_deref(),
            started_at,
            stopped_at,
            paused_seconds,
            paused_since,
            breached_at,
        };
        let board = sla.status_columns(policy, columns, now)?;
        status_out.fill(&board.status);
        deadline_out.fill(&board.deadline);
        elapsed_out.fill(&board.elapsed_seconds);
        remaining_out.fill(&board.remaining_seconds);
        next_out.fill(&board.next_change);
        escalation_out.fill(&board.escalation);
    })
}

/// The name of an SLA state code (`"due_soon"` for 3), a static NUL-terminated string;
/// NULL for a code with no state.
#[unsafe(no_mangle)]
pub extern "C" fn leadcore_sla_state_name(code: u8) -> *const std::ffi::c_char {
    const NAMES: [&std::ffi::CStr; 7] = [
        c"not_applicable",
        c"not_started",
        c"pending",
        c"due_soon",
        c"paused",
        c"met",
        c"breached",
    ];
    debug_assert!(
        SlaState::ALL
            .iter()
            .zip(NAMES)
            .all(|(s, n)| n.to_str() == Ok(s.name()))
    );
    NAMES
        .get(usize::from(code))
        .map_or(std::ptr::null(), |n| n.as_ptr())
}
