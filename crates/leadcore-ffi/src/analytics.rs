//! Pipeline analytics: `leadcore_pipeline_metrics`, JSON in and out, and
//! `leadcore_pipeline_metrics_arrow`, tables in and out through the Arrow C stream
//! interface.

use crate::args;
use crate::arrow::{arrow_failure, read_stream, take_stream};
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::{Failure, leadcore_error};
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use leadcore::analytics::{MetricsSpec, PipelineMetricsInput};
use leadcore::wire::canonical_json;
use leadcore_arrow::{FFI_ArrowArrayStream, Table, export_stream};

/// Computes pipeline metrics (the four V's per stage, win rate new vs expansion, average
/// deal size, cycle, sales velocity) per group in one pass. `input_json` is
/// `{"stages":["Open",{"name":"Won","kind":"won"},..]` (or `"pipeline"`: a deal pipeline of
/// `playbook`), `"period":{"from","to"}` (RFC 3339; `to` is also the snapshot),
/// `"qualified_from"?`, `"group_by"?:["owner"|"team"|"manager"|"office"|"source"|"pipeline"|"kind"]`,
/// `"opportunities":[{"id","owner"?,..,"kind"?,"amount"?:{"minor","currency"},"created_at"?,
/// "stage"?,"history":[{"at","stage"}]}]}`. On success `*out` receives canonical JSON
/// `{"groups":[{"key":{..},"period","opportunities","stages":[..],"win_rate","won_value",
/// "average_deal_size","cycle","open_qualified","sales_velocity"}]}`. An unknown stage gives
/// `LEADCORE_UNKNOWN_STAGE`; bad JSON, an empty period, a negative amount, a close before
/// creation or won deals in mixed currencies give `LEADCORE_INVALID_INPUT`; `pipeline`
/// with a NULL playbook gives `LEADCORE_NULL_ARGUMENT`, an unknown one
/// `LEADCORE_UNKNOWN_PIPELINE`. `playbook` may be NULL when `stages` are given.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `input_json` is NULL (with `len == 0`) or points
/// to `len` readable bytes; `out` is NULL or valid for writing a `leadcore_buf`; `err` is
/// NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_pipeline_metrics(
    playbook: *const leadcore_playbook,
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let input = PipelineMetricsInput::from_json(text)?;
        let pipeline = match (&input.stages, &input.pipeline) {
            (None, Some(name)) => Some(args::obj(playbook, "playbook")?.inner.pipeline(name)?),
            _ => None,
        };
        out.text(canonical_json(&input.run(pipeline)?));
    })
}

/// A stream of record batches as a table (released whatever happens).
pub(crate) fn read_table(stream: FFI_ArrowArrayStream, what: &str) -> Result<Table, Failure> {
    read_stream(stream, what, Table::from_stream)
}

/// Pipeline metrics from tables: the Python door's `pipeline_metrics` for a C host holding
/// Arrow data (Arrow C++, nanoarrow, DuckDB, polars), a row per group and stage out.
///
/// `spec_json` is the input of `leadcore_pipeline_metrics` without the opportunities:
/// `{"stages":[..]` (or `"pipeline"`, a deal pipeline of `playbook`), `"period":{"from","to"}`,
/// `"qualified_from"?`, `"group_by"?:[..]}`. `opportunities` is a stream of record batches
/// with one row per opportunity: `opportunity_id` (or `id`: text, or integers of any
/// width, matched as integers), and optionally `owner`, `team`, `manager`, `office`,
/// `source`, `pipeline` (text), `kind` (`new_business`, `upsell`, `cross_sell`), `amount`
/// (integer minor units) with `currency` (text), `created_at` (timestamps, dates or
/// integers as Unix seconds) and `stage` (the current stage, for rows without history).
/// `history` (NULL: none) is a stream of stage entries: `opportunity_id` (of the
/// opportunities' type), `at` and `stage`, in any row order. Ownership of both streams
/// moves to the call as in `leadcore_score_arrow`: each is released exactly once, before
/// the call returns, whatever it returns.
///
/// On success `*out` receives a new stream, owned by the caller, of one record batch: the
/// group keys (`owner`, .. as asked, utf8), a row per group and stage: `stage`,
/// `stage_kind`, `entered`, `in_stage`, `converted`, `conversion_to_next`, `dwell_count`,
/// `dwell_mean_s`, `dwell_median_s`, `dwell_p90_s`, `currency`, `value_entered`,
/// `value_in_stage`, then the group's `opportunities`, `won`, `lost`, `win_rate`,
/// `win_rate_new_business`, `win_rate_expansion`, `won_value`, `average_deal_size`,
/// `cycle_mean_s`, `cycle_median_s`, `cycle_p90_s`, `open_qualified`,
/// `sales_velocity_per_day` (the Python door's table, column for column); the figures are
/// those of `leadcore_pipeline_metrics` for the same opportunities.
///
/// Errors: a NULL `spec_json`, `opportunities` or `out` gives `LEADCORE_NULL_ARGUMENT`;
/// bad spec JSON (or opportunities in it), a malformed stream, a column of a wrong type,
/// a duplicate or missing id, an entry naming no opportunity, entries out of time order
/// and the rest of `leadcore_pipeline_metrics`' errors give `LEADCORE_INVALID_INPUT`; an
/// unknown stage `LEADCORE_UNKNOWN_STAGE`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `spec_json` is NULL or points to `spec_len`
/// readable bytes; `opportunities` and `history` are NULL or point to readable and writable
/// `struct ArrowArrayStream`s whose callbacks, when set, follow the Arrow C stream
/// interface; `out` is NULL or valid for writing a `struct ArrowArrayStream`; `err` is NULL
/// or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_pipeline_metrics_arrow(
    playbook: *const leadcore_playbook,
    spec_json: *const u8,
    spec_len: usize,
    opportunities: *mut FFI_ArrowArrayStream,
    history: *mut FFI_ArrowArrayStream,
    out: *mut FFI_ArrowArrayStream,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        // Both taken before any other check, so every failure below releases them too.
        let history = if history.is_null() {
            None
        } else {
            Some(take_stream(history, "history")?)
        };
        let opportunities = take_stream(opportunities, "opportunities")?;
        let text = args::text(spec_json, spec_len, "spec_json")?;
        let out = args::out(out, "out")?;
        let input = PipelineMetricsInput::from_json(&args::spec_without(text, "opportunities")?)?;
        let pipeline = match (&input.stages, &input.pipeline) {
            (None, Some(name)) => Some(args::obj(playbook, "playbook")?.inner.pipeline(name)?),
            _ => None,
        };
        let opps = read_table(opportunities, "opportunities")?;
        let history = history.map(|h| read_table(h, "history")).transpose()?;
        let metrics = MetricsSpec::new(
            input.stages(pipeline)?,
            input.period,
            input.qualified_from.as_deref(),
        )?;
        let batch = leadcore_arrow::pipeline_metrics_table(
            &opps,
            history.as_ref(),
            metrics,
            &input.group_by,
        )
        .map_err(arrow_failure)?;
        out.write(export_stream(batch.schema(), vec![batch]));
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadcore_buf_free;

    #[test]
    fn metrics_from_json() {
        let input = br#"{"stages":["Open",{"name":"Won","kind":"won"}],"period":{"from":"2017-01-01T00:00:00Z","to":"2018-01-01T00:00:00Z"},"opportunities":[{"id":"A","stage":"Open"}]}"#;
        let mut buf = leadcore_buf {
            data: std::ptr::null_mut(),
            len: 0,
        };
        unsafe {
            let st = leadcore_pipeline_metrics(
                std::ptr::null(),
                input.as_ptr(),
                input.len(),
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, 0);
            let json: serde_json::Value =
                serde_json::from_slice(std::slice::from_raw_parts(buf.data, buf.len)).unwrap();
            assert_eq!(json["groups"][0]["stages"][0]["in_stage"], 1);
            leadcore_buf_free(&mut buf);
            let bad = br#"{"stages":["Open"],"period":{"from":"2017-01-01T00:00:00Z","to":"2017-01-01T00:00:00Z"},"opportunities":[]}"#;
            let st = leadcore_pipeline_metrics(
                std::ptr::null(),
                bad.as_ptr(),
                bad.len(),
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, crate::status::LEADCORE_INVALID_INPUT);
        }
    }

    fn stream(columns: Vec<(&str, arrow_array::ArrayRef)>) -> FFI_ArrowArrayStream {
        let batch = arrow_array::RecordBatch::try_from_iter(columns).unwrap();
        export_stream(batch.schema(), vec![batch])
    }

    /// Tables in through Arrow streams give the JSON form's figures; both streams are taken
    /// over, also when the call fails; bad input is a typed error.
    #[test]
    fn metrics_from_arrow_streams_equal_the_json_form() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::{Float64Type, UInt64Type};
        use arrow_array::{ArrayRef, Int64Array, StringArray};
        use std::sync::Arc;
        const SPEC: &str = r#"{"stages":["Open",{"name":"Won","kind":"won"},{"name":"Lost","kind":"lost"}],"period":{"from":"2017-01-01T00:00:00Z","to":"2018-01-01T00:00:00Z"},"group_by":["owner"]}"#;
        let day = |d: i64| 1_483_228_800 + d * 86_400; // 2017-01-01 + d days
        let opps = || {
            stream(vec![
                (
                    "opportunity_id",
                    Arc::new(Int64Array::from(vec![7, 8, 9])) as ArrayRef,
                ),
                (
                    "owner",
                    Arc::new(StringArray::from(vec!["ann", "ann", "bob"])) as ArrayRef,
                ),
                (
                    "created_at",
                    Arc::new(Int64Array::from(vec![day(0), day(1), day(2)])) as ArrayRef,
                ),
            ])
        };
        // in time order across deals
        let history = || {
            stream(vec![
                (
                    "opportunity_id",
                    Arc::new(Int64Array::from(vec![7, 8, 9, 7, 8])) as ArrayRef,
                ),
                (
                    "at",
                    Arc::new(Int64Array::from(vec![
                        day(0),
                        day(1),
                        day(2),
                        day(10),
                        day(21),
                    ])) as ArrayRef,
                ),
                (
                    "stage",
                    Arc::new(StringArray::from(vec![
                        "Open", "Open", "Open", "Won", "Lost",
                    ])) as ArrayRef,
                ),
            ])
        };
        let run = |spec: &str, mut o: FFI_ArrowArrayStream, h: Option<FFI_ArrowArrayStream>| {
            let mut h = h;
            let hp = h.as_mut().map_or(std::ptr::null_mut(), |h| h as *mut _);
            let mut out = FFI_ArrowArrayStream::empty();
            let st = unsafe {
                leadcore_pipeline_metrics_arrow(
                    std::ptr::null(),
                    spec.as_ptr(),
                    spec.len(),
                    &mut o,
                    hp,
                    &mut out,
                    std::ptr::null_mut(),
                )
            };
            assert!(o.release().is_none(), "the opportunities are taken over");
            assert!(
                h.is_none_or(|h| h.release().is_none()),
                "the history is taken over"
            );
            (st, out)
        };
        let (st, out) = run(SPEC, opps(), Some(history()));
        assert_eq!(st, 0);
        let t = Table::from_stream(out).unwrap();
        let u64s = |name: &str| {
            t.column(name).unwrap().chunks[0]
                .as_primitive::<UInt64Type>()
                .values()
                .to_vec()
        };
        assert_eq!(
            t.column("owner").unwrap().chunks[0]
                .as_string::<i32>()
                .value(0),
            "ann"
        );
        // ann: Open, Won, Lost; bob: the same stages
        assert_eq!(u64s("entered"), [2, 1, 1, 1, 0, 0]);
        let win = t.column("win_rate").unwrap().chunks[0]
            .as_primitive::<Float64Type>()
            .value(0);
        // the JSON form's figures for the same deals
        let json = format!(
            r#"{},"opportunities":[{{"id":"7","owner":"ann","created_at":"2017-01-01T00:00:00Z","history":[{{"at":"2017-01-01T00:00:00Z","stage":"Open"}},{{"at":"2017-01-11T00:00:00Z","stage":"Won"}}]}},{{"id":"8","owner":"ann","created_at":"2017-01-02T00:00:00Z","history":[{{"at":"2017-01-02T00:00:00Z","stage":"Open"}},{{"at":"2017-01-22T00:00:00Z","stage":"Lost"}}]}},{{"id":"9","owner":"bob","created_at":"2017-01-03T00:00:00Z","history":[{{"at":"2017-01-03T00:00:00Z","stage":"Open"}}]}}]}}"#,
            SPEC.trim_end_matches('}')
        );
        let mut buf = leadcore_buf {
            data: std::ptr::null_mut(),
            len: 0,
        };
        let st = unsafe {
            leadcore_pipeline_metrics(
                std::ptr::null(),
                json.as_ptr(),
                json.len(),
                &mut buf,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(st, 0);
        let report: serde_json::Value =
            serde_json::from_slice(unsafe { std::slice::from_raw_parts(buf.data, buf.len) })
                .unwrap();
        unsafe { leadcore_buf_free(&mut buf) };
        let ann = &report["groups"][0];
        assert_eq!(ann["key"]["owner"], "ann");
        assert_eq!(ann["win_rate"]["rate"].as_f64(), Some(win));
        let entered: Vec<u64> = ann["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["entered"].as_u64().unwrap())
            .collect();
        assert_eq!(entered, u64s("entered")[..3]);
        let dwell = t.column("dwell_median_s").unwrap().chunks[0]
            .as_primitive::<arrow_array::types::Int64Type>()
            .value(0);
        assert_eq!(
            ann["stages"][0]["dwell"]["median_seconds"].as_i64(),
            Some(dwell)
        );
        // errors: opportunities in the spec, an unknown history id, a NULL opportunities
        let with_opps = r#"{"stages":["Open"],"period":{"from":"2017-01-01T00:00:00Z","to":"2018-01-01T00:00:00Z"},"opportunities":[]}"#;
        assert_eq!(
            run(with_opps, opps(), Some(history())).0,
            crate::status::LEADCORE_INVALID_INPUT
        );
        let unknown = stream(vec![
            (
                "opportunity_id",
                Arc::new(Int64Array::from(vec![99])) as ArrayRef,
            ),
            ("at", Arc::new(Int64Array::from(vec![day(1)])) as ArrayRef),
            (
                "stage",
                Arc::new(StringArray::from(vec!["Open"])) as ArrayRef,
            ),
        ]);
        assert_eq!(
            run(SPEC, opps(), Some(unknown)).0,
            crate::status::LEADCORE_INVALID_INPUT
        );
        let bad_stage = stream(vec![
            (
                "opportunity_id",
                Arc::new(Int64Array::from(vec![7])) as ArrayRef,
            ),
            ("at", Arc::new(Int64Array::from(vec![day(1)])) as ArrayRef),
            (
                "stage",
                Arc::new(StringArray::from(vec!["Nope"])) as ArrayRef,
            ),
        ]);
        assert_eq!(
            run(SPEC, opps(), Some(bad_stage)).0,
            crate::status::LEADCORE_UNKNOWN_STAGE
        );
        // no history: the current stage column alone
        let (st, _) = run(SPEC, opps(), None);
        assert_eq!(st, 0);
        let mut h = history();
        let mut out = FFI_ArrowArrayStream::empty();
        let st = unsafe {
            leadcore_pipeline_metrics_arrow(
                std::ptr::null(),
                SPEC.as_ptr(),
                SPEC.len(),
                std::ptr::null_mut(),
                &mut h,
                &mut out,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(st, crate::status::LEADCORE_NULL_ARGUMENT);
        assert!(
            h.release().is_none(),
            "the history is released when the opportunities are NULL"
        );
    }
}
