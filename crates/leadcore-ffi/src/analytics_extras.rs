//! Bottlenecks, lead metrics and rep-activity metrics: `leadcore_bottlenecks`,
//! `leadcore_lead_metrics` and `leadcore_activity_metrics`, JSON in and out, with the
//! conventions of `leadcore_pipeline_metrics`.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use leadcore::analytics::{ActivityMetricsInput, BottleneckInput, LeadMetricsInput};
use leadcore::wire::canonical_json;

/// Finds the bottlenecks of a deal pipeline over a period against a trailing baseline of
/// periods of the same length: stages accumulating deals or holding them longer, deals lost
/// by stage, leaks (deals in a stage past its threshold) and the deals closest to closing.
/// `input_json` is `{"stages":[..]` (or `"pipeline"`: a deal pipeline of `playbook`),
/// `"period":{"from","to"}` (RFC 3339; `to` is also the snapshot), `"baseline_periods"?`
/// (default 3), `"factor"?` (1.25), `"min_count"?` (5), `"closest"?` (10),
/// `"leak_after"?:{"<open stage>":"30d",..}` (default: the baseline's p90 dwell),
/// `"opportunities":[{"id","owner"?,..,"amount"?,"created_at"?,"stage"?,"history":[{"at","stage"}]}]}`.
/// On success `*out` receives canonical JSON `{"period","baseline","baseline_periods",
/// "deals","bottlenecks":["<stage>",..],"stages":[..],"lost_at_stage":[..],"leaks":[..],
/// "closest_to_closing":[..]}`. An unknown stage gives `LEADCORE_UNKNOWN_STAGE`; bad JSON,
/// an empty period, a bad threshold, entries out of time order or before the creation give
/// `LEADCORE_INVALID_INPUT`; `pipeline` with a NULL playbook gives `LEADCORE_NULL_ARGUMENT`,
/// an unknown one `LEADCORE_UNKNOWN_PIPELINE`. `playbook` may be NULL when `stages` are
/// given.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
/// to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_bottlenecks(
    playbook: *const leadcore_playbook,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let input = BottleneckInput::from_json(text)?;
        let pipeline = match (&input.stages, &input.pipeline) {
            (None, Some(name)) => Some(args::obj(playbook, "playbook")?.inner.pipeline(name)?),
            _ => None,
        };
        out.text(canonical_json(&input.run(pipeline)?));
    })
}

/// Computes lead metrics over lifecycle histories: milestones reached in the period,
/// conversions MQL→SRL, SRL→SQL and SQL→Won against benchmarks, lead velocity, time from MQL
/// to SQL, and the same by source (and by owner). `input_json` is
/// `{"period":{"from","to"},"stages"?:{"mql":[..],"srl":[..],"sql":[..],"opportunity":[..],
/// "won":[..],"others"?:[..]},"benchmarks"?:{"mql_to_srl"?:{"low","high"},..},"by_owner"?,
/// "leads":[{"id","source"?,"owner"?,"created_at"?,"history":[{"at","stage"}]}]}`. On
/// success `*out` receives canonical JSON `{"period","funnel","velocity","mql_to_sql",
/// "by_source":[..],"by_owner":[..]|null}`. Bad JSON, an empty period, a bad benchmark, a
/// stage neither a milestone's nor another known one, or entries out of time order give
/// `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
/// or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_lead_metrics(
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        out.text(canonical_json(&LeadMetricsInput::from_json(text)?.run()?));
    })
}

/// Computes activity metrics per rep: activities in the period by kind, and tasks assigned,
/// done and open. `input_json` is `{"period":{"from","to"},"activities":[{"kind","at","actor"?,
/// "id"?,..}]}` (a task is a `task_assigned` and a `task_done` sharing an `id`). On success
/// `*out` receives canonical JSON `{"period","activities","unattributed","reps":[{"rep",
/// "total","by_kind":{..},"tasks":{"assigned","done","open"}}]}`. Bad JSON, an empty period,
/// a task activity without an `id` or an assignment without an `actor` give
/// `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
/// or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_activity_metrics(
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        out.text(canonical_json(
            &ActivityMetricsInput::from_json(text)?.run()?,
        ));
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadcore_buf_free;
    use crate::status::{LEADCORE_INVALID_INPUT, LEADCORE_NULL_ARGUMENT, LEADCORE_UNKNOWN_STAGE};

    fn empty() -> leadcore_buf {
        leadcore_buf {
            data: std::ptr::null_mut(),
            len: 0,
        }
    }

    /// The JSON of a successful call, the buffer freed.
    unsafe fn json_of(buf: &mut leadcore_buf) -> serde_json::Value {
        let v = serde_json::from_slice(unsafe { std::slice::from_raw_parts(buf.data, buf.len) })
            .unwrap();
        unsafe { leadcore_buf_free(buf) };
        v
    }

    #[test]
    fn bottlenecks_from_json() {
        let input = br#"{"stages":["Open",{"name":"Lost","kind":"lost"}],"period":{"from":"2017-01-31T00:00:00Z","to":"2017-02-10T00:00:00Z"},"leak_after":{"Open":"7d"},"opportunities":[{"id":"A","history":[{"at":"2017-01-25T00:00:00Z","stage":"Open"}]}]}"#;
        let mut buf = empty();
        unsafe {
            let st = leadcore_bottlenecks(
                std::ptr::null(),
                input.as_ptr(),
                input.len(),
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, 0);
            assert_eq!(json_of(&mut buf)["leaks"][0]["days_in_stage"], 16);
            let bad = br#"{"stages":["Open"],"period":{"from":"2017-01-31T00:00:00Z","to":"2017-02-10T00:00:00Z"},"opportunities":[{"id":"A","stage":"Nope"}]}"#;
            let st = leadcore_bottlenecks(
                std::ptr::null(),
                bad.as_ptr(),
                bad.len(),
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, LEADCORE_UNKNOWN_STAGE);
            assert!(buf.data.is_null());
            let named = br#"{"pipeline":"deals","period":{"from":"2017-01-31T00:00:00Z","to":"2017-02-10T00:00:00Z"},"opportunities":[]}"#;
            let st = leadcore_bottlenecks(
                std::ptr::null(),
                named.as_ptr(),
                named.len(),
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, LEADCORE_NULL_ARGUMENT);
        }
    }

    #[test]
    fn lead_and_activity_metrics_from_json() {
        let input = br#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"leads":[{"id":"L1","history":[{"at":"2017-01-02T00:00:00Z","stage":"MQL"}]}]}"#;
        let mut buf = empty();
        unsafe {
            let st =
                leadcore_lead_metrics(input.as_ptr(), input.len(), &mut buf, std::ptr::null_mut());
            assert_eq!(st, 0);
            assert_eq!(json_of(&mut buf)["funnel"]["reached"]["mql"], 1);
            let input = br#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-02-01T00:00:00Z"},"activities":[{"kind":"call","at":"2017-01-02T00:00:00Z","actor":"ann"}]}"#;
            let st = leadcore_activity_metrics(
                input.as_ptr(),
                input.len(),
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, 0);
            assert_eq!(json_of(&mut buf)["reps"][0]["total"], 1);
            let bad = br#"{"period":{"from":"2017-01-01T00:00:00Z","to":"2017-01-01T00:00:00Z"},"activities":[]}"#;
            let st =
                leadcore_activity_metrics(bad.as_ptr(), bad.len(), &mut buf, std::ptr::null_mut());
            assert_eq!(st, LEADCORE_INVALID_INPUT);
            assert!(buf.data.is_null());
        }
    }
}
