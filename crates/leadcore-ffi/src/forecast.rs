//! Forecasting, JSON in and out: `leadcore_forecast` (weighted pipeline and Monte Carlo; its
//! tables also through the Arrow C stream interface, `leadcore_forecast_arrow`),
//! `leadcore_forecast_history` (the model learned from closed history),
//! `leadcore_forecast_backtest` and `leadcore_forecast_rollup` (the reporting hierarchy).

use crate::analytics::read_table;
use crate::args;
use crate::arrow::{arrow_failure, take_stream};
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::status::leadcore_status;
use leadcore::forecast::{BacktestInput, ForecastInput, HistoryForecastInput, RollupInput};
use leadcore::wire::canonical_json;
use leadcore_arrow::{FFI_ArrowArrayStream, export_stream};

/// Runs a forecast: the weighted pipeline rolled up per currency, fiscal span and category
/// and, when asked, a seeded Monte Carlo simulation per span. `input_json` is
/// `{"calendar":{"start_month","weeks"?:"4-4-5"|"4-5-4"|"5-4-4","week_start"?},
/// "granularity"?:"period"|"quarter"|"year","categories"?:{"default","stages":{name:
/// category}},"deals":[{"id","amount":{"minor","currency"},"close_date":"YYYY-MM-DD",
/// "stage","probability","category_override"?}],"monte_carlo"?:{"trials","seed",
/// "quotas"?:[{"period":{"year","granularity","index"},"amount":{"minor","currency"}}]}}`
/// (categories: `pipeline`, `best_case`, `commit`, `closed`, `omitted`). On success `*out`
/// receives canonical JSON `{"weighted":[{"currency","period","category","totals":{"count",
/// "amount","weighted"}}],"monte_carlo"?:{"seed","trials","currency","periods":[{"period",
/// "closed","expected","mean","p10","p50","p90","quota"?,"p_reach_quota"?}]}}`. The
/// simulation runs on `threads` threads (0 or 1: the calling thread); its numbers never
/// depend on `threads`. Bad JSON, a negative amount, a probability outside [0, 1], mixed
/// currencies in a simulation or a bad spec give `LEADCORE_INVALID_INPUT`, the message
/// naming the deal at fault.
///
/// # Safety
/// `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
/// or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_forecast(
    input_json: *const u8,
    len: usize,
    threads: u32,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let input = ForecastInput::from_json(text)?;
        out.text(canonical_json(&input.run(threads as usize)?));
    })
}

/// The forecast of `leadcore_forecast` from a table of open deals handed over as an Arrow C
/// stream, its tables out as streams: for a C host holding Arrow data.
///
/// `spec_json` is the input of `leadcore_forecast` without the deals (`{"calendar",
/// "granularity"?, "categories"?, "monte_carlo"?}`). `deals` is a stream of record batches
/// with the columns of the Python door's `forecast`: `id` (text, or integers taken as their
/// decimal text), `amount` (integer minor units), `currency` (text), `close_date` (dates,
/// timestamps or `YYYY-MM-DD` text), `stage` (text), `probability` (float in [0, 1]) and
/// optionally `category_override` (text, null for none). Ownership of `deals` moves to the
/// call as in `leadcore_score_arrow`: it is released exactly once, before the call
/// returns, whatever it returns.
///
/// On success `*weighted_out` receives a stream of one record batch, a row per period,
/// currency and category (`period`, `year`, `granularity`, `index`, `currency`,
/// `category`, `count`, `amount`, `weighted`: the Python door's table), and, when the spec
/// asks for a simulation, `*monte_carlo_out` a stream of one batch, a row per period (the
/// period's columns, `currency`, `closed`, `expected`, `mean`, `p10`, `p50`, `p90`,
/// `quota`, `p_reach_quota`); the caller owns and releases each. Without a simulation `*monte_carlo_out` is left as it
/// was and may be NULL. The simulation runs on `threads` threads (0 or 1: the calling
/// thread); its numbers never depend on `threads`.
///
/// Errors: a NULL `spec_json`, `deals` or `weighted_out` (or a NULL `monte_carlo_out` with
/// a simulation asked) gives `LEADCORE_NULL_ARGUMENT`; bad spec JSON (or deals in it), a
/// malformed stream, a missing or mistyped column and the errors of `leadcore_forecast`
/// give `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `spec_json` is NULL or points to `spec_len` readable bytes; `deals` is NULL or points to
/// a readable and writable `struct ArrowArrayStream` whose callbacks, when set, follow the
/// Arrow C stream interface; `weighted_out` and `monte_carlo_out` are NULL or valid for
/// writing a `struct ArrowArrayStream`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_forecast_arrow(
    spec_json: *const u8,
    spec_len: usize,
    deals: *mut FFI_ArrowArrayStream,
    threads: u32,
    weighted_out: *mut FFI_ArrowArrayStream,
    monte_carlo_out: *mut FFI_ArrowArrayStream,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        // Taken before any other check, so every failure below releases it too.
        let deals = take_stream(deals, "deals")?;
        let text = args::text(spec_json, spec_len, "spec_json")?;
        let weighted_out = args::out(weighted_out, "weighted_out")?;
        let input = ForecastInput::from_json(&args::spec_without(text, "deals")?)?;
        let monte_carlo_out = match input.monte_carlo {
            Some(_) => Some(args::out(monte_carlo_out, "monte_carlo_out")?),
            None => None,
        };
        let table = read_table(deals, "deals")?;
        let (weighted, mc) = leadcore_arrow::forecast_tables(input, &table, threads as usize)
            .map_err(arrow_failure)?;
        weighted_out.write(export_stream(weighted.schema(), vec![weighted]));
        if let (Some(target), Some(mc)) = (monte_carlo_out, mc) {
            target.write(export_stream(mc.schema(), vec![mc]));
        }
    })
}

/// Forecasts windows from a deal history: the model (win rate, stage-to-win probabilities,
/// time to close, close-date slips, deals not yet created, season, rate spreads) fitted as
/// of `as_of`, then each window's expectation and seeded distribution. `input_json` is
/// `{"deals":[{"id","owner"?,"amount":{"minor","currency"},"created":"YYYY-MM-DD",
/// "outcome"?:{"date","won","value"},"expected_close"?:"YYYY-MM-DD","stages"?:[{"stage",
/// "entered"}]}],"as_of","windows":[{"from","to"}],"model"?:{"trailing_days","block_days",
/// "blocks","min_block_closes","max_age_days","new_deals","rate_spread","seasonality",
/// "stage_prior","min_stage_closes","min_slips"},"calendar"?:{"start_month",..},
/// "trials"?:2000,"seed"?:0}` (window `k` uses `seed + k`). On success `*out` receives
/// canonical JSON `{"model":{"as_of","currency","win_rate","realisation","creation_rate",
/// "season":[3],"spreads":{"win","creation"},"closed":{"won","total"},"stages":[{"stage",
/// "closed","won","open","raw"?,"probability","own_timing"}],"slips"?:{"count","used",
/// "mean_days","p10","p25","p50","p75","p90"}},"windows":[{"from","to","expected",
/// "from_pipeline","from_new_deals","season","mean","p10","p50","p90"}]}`. Bad JSON, a
/// close or an expected close before the creation, a stage visit out of order, before the
/// creation or after the close, mixed currencies, nothing closed before `as_of`, a bad
/// window (`windows[k]: ..`) give `LEADCORE_INVALID_INPUT`, the message naming the deal at
/// fault.
///
/// # Safety
/// `input_json` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL
/// or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_forecast_history(
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let input = HistoryForecastInput::from_json(text)?;
        out.text(canonical_json(&input.run()?));
    })
}

/// Backtests the forecast methods (`fixed_40`, `win_rate`, `plain_monte_carlo`,
/// `historical`) on a deal history: each as-of date sees only what was known then.
/// `input_json` is `{"deals":[..as for leadcore_forecast_history..],"spec":{"first",
/// "count","window_months","step_months"?:1,"trials"?:2000,"seed"?:0,
/// "fixed_probability"?:0.4,"model"?:{..},"calendar"?:{..}}}`. On success `*out` receives
/// canonical JSON `{"rows":[{"method","as_of","to","actual","point","p10"?,"p50"?,"p90"?}],
/// "scores":[{"method","windows","mape","pinball"?:[3],"covered"?}],"reps":[{"owner",
/// "expected","actual","bias"?}]}`. Errors as for `leadcore_forecast_history`, and a bad
/// spec, give `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// As for `leadcore_forecast_history`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_forecast_backtest(
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let input = BacktestInput::from_json(text)?;
        out.text(canonical_json(&input.run()?));
    })
}

/// Rolls the weighted pipeline up a reporting hierarchy. `input_json` is
/// `{"hierarchy":[{"node","parent"?}],"calendar":{"start_month",..},"granularity"?,
/// "categories"?,"deals":[{"owner","deal":{..a leadcore_forecast deal..}}],"quotas"?:
/// [{"node","period":{"year","granularity","index"},"amount":{"minor","currency"}}],
/// "quota_mode"?:"given_only"|"sum_children"}`. On success `*out` receives canonical JSON
/// `{"cells":[{"node","parent"?,"depth","currency","period","category","own":{"count",
/// "amount","weighted"},"total":{..}}],"spans":[{"node","parent"?,"depth","period",
/// "currency","cumulative":{"closed","commit","best_case","pipeline"},"quota"?,
/// "attainment"?,"coverage"?}]}`. A bad hierarchy (a cycle, an unknown parent, a repeated
/// node) gives `LEADCORE_PLAYBOOK_INVALID` with every issue located at
/// `hierarchy[i].node`/`.parent`; bad JSON, a deal's error, an owner or quota node not in
/// the hierarchy, mixed currencies under a quota give `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// As for `leadcore_forecast_history`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_forecast_rollup(
    input_json: *const u8,
    len: usize,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(input_json, len, "input_json")?;
        let out = args::out(out, "out")?;
        let input = RollupInput::from_json(text)?;
        out.text(canonical_json(&input.run()?));
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leadcore_buf_free;

    #[test]
    fn forecast_from_json() {
        let input = br#"{"calendar":{"start_month":1},"deals":[{"id":"A","amount":{"minor":100,"currency":"USD"},"close_date":"2026-02-01","stage":"Open","probability":0.5}],"monte_carlo":{"trials":50,"seed":3}}"#;
        let mut buf = leadcore_buf {
            data: std::ptr::null_mut(),
            len: 0,
        };
        unsafe {
            let st = leadcore_forecast(
                input.as_ptr(),
                input.len(),
                2,
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, 0);
            let json: serde_json::Value =
                serde_json::from_slice(std::slice::from_raw_parts(buf.data, buf.len)).unwrap();
            assert_eq!(json["weighted"][0]["totals"]["weighted"], 50);
            assert_eq!(json["monte_carlo"]["periods"][0]["expected"], 50.0);
            leadcore_buf_free(&mut buf);
            let bad = br#"{"calendar":{"start_month":1},"deals":[{"id":"A","amount":{"minor":-1,"currency":"USD"},"close_date":"2026-02-01","stage":"Open","probability":0.5}]}"#;
            let st = leadcore_forecast(bad.as_ptr(), bad.len(), 1, &mut buf, std::ptr::null_mut());
            assert_eq!(st, crate::status::LEADCORE_INVALID_INPUT);
            assert!(buf.data.is_null());
        }
    }

    #[test]
    fn rollup_cycle_is_an_invalid_playbook() {
        let input = br#"{"hierarchy":[{"node":"a","parent":"b"},{"node":"b","parent":"a"}],"calendar":{"start_month":1},"deals":[]}"#;
        let mut buf = leadcore_buf {
            data: std::ptr::null_mut(),
            len: 0,
        };
        unsafe {
            let st = leadcore_forecast_rollup(
                input.as_ptr(),
                input.len(),
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, crate::status::LEADCORE_PLAYBOOK_INVALID);
            assert!(buf.data.is_null());
        }
    }

    /// A table of deals in through an Arrow stream gives the JSON form's forecast: the
    /// weighted rows and the simulation's percentiles; the stream is taken over, also on
    /// failure.
    #[test]
    fn forecast_from_an_arrow_stream_equals_the_json_form() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::Int64Type;
        use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
        use leadcore_arrow::Table;
        use std::sync::Arc;
        const SPEC: &str = r#"{"calendar":{"start_month":1},"granularity":"quarter","monte_carlo":{"trials":500,"seed":7}}"#;
        let deals = || {
            let batch = RecordBatch::try_from_iter([
                ("id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
                (
                    "amount",
                    Arc::new(Int64Array::from(vec![1000, 2500, 400])) as ArrayRef,
                ),
                (
                    "currency",
                    Arc::new(StringArray::from(vec!["USD"; 3])) as ArrayRef,
                ),
                (
                    "close_date",
                    Arc::new(StringArray::from(vec![
                        "2026-02-01",
                        "2026-05-10",
                        "2026-03-31",
                    ])) as ArrayRef,
                ),
                (
                    "stage",
                    Arc::new(StringArray::from(vec!["Demo", "Proposal", "Demo"])) as ArrayRef,
                ),
                (
                    "probability",
                    Arc::new(Float64Array::from(vec![0.2, 0.6, 0.9])) as ArrayRef,
                ),
            ])
            .unwrap();
            export_stream(batch.schema(), vec![batch])
        };
        let mut d = deals();
        let (mut w, mut mc) = (FFI_ArrowArrayStream::empty(), FFI_ArrowArrayStream::empty());
        let st = unsafe {
            leadcore_forecast_arrow(
                SPEC.as_ptr(),
                SPEC.len(),
                &mut d,
                2,
                &mut w,
                &mut mc,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(st, 0);
        assert!(d.release().is_none(), "the deals are taken over");
        let w = Table::from_stream(w).unwrap();
        let mc = Table::from_stream(mc).unwrap();
        let json = r#"{"calendar":{"start_month":1},"granularity":"quarter","monte_carlo":{"trials":500,"seed":7},"deals":[
            {"id":"1","amount":{"minor":1000,"currency":"USD"},"close_date":"2026-02-01","stage":"Demo","probability":0.2},
            {"id":"2","amount":{"minor":2500,"currency":"USD"},"close_date":"2026-05-10","stage":"Proposal","probability":0.6},
            {"id":"3","amount":{"minor":400,"currency":"USD"},"close_date":"2026-03-31","stage":"Demo","probability":0.9}]}"#;
        let mut buf = leadcore_buf {
            data: std::ptr::null_mut(),
            len: 0,
        };
        let st = unsafe {
            leadcore_forecast(json.as_ptr(), json.len(), 1, &mut buf, std::ptr::null_mut())
        };
        assert_eq!(st, 0);
        let want: serde_json::Value =
            serde_json::from_slice(unsafe { std::slice::from_raw_parts(buf.data, buf.len) })
                .unwrap();
        unsafe { leadcore_buf_free(&mut buf) };
        let weighted: Vec<i64> = w.column("weighted").unwrap().chunks[0]
            .as_primitive::<Int64Type>()
            .values()
            .to_vec();
        let want_weighted: Vec<i64> = want["weighted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["totals"]["weighted"].as_i64().unwrap())
            .collect();
        assert_eq!(weighted, want_weighted);
        let p50: Vec<i64> = mc.column("p50").unwrap().chunks[0]
            .as_primitive::<Int64Type>()
            .values()
            .to_vec();
        let want_p50: Vec<i64> = want["monte_carlo"]["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["p50"].as_i64().unwrap())
            .collect();
        assert_eq!(p50, want_p50);
        assert_eq!(
            w.column("period").unwrap().chunks[0]
                .as_string::<i32>()
                .value(0),
            "FY2026-Q1"
        );
        // deals in the spec: refused, the stream still released; no simulation: NULL is fine
        let call = |spec: &str, w: &mut FFI_ArrowArrayStream| {
            let mut d = deals();
            let st = unsafe {
                let (no_mc, no_err) = (std::ptr::null_mut(), std::ptr::null_mut());
                leadcore_forecast_arrow(spec.as_ptr(), spec.len(), &mut d, 1, w, no_mc, no_err)
            };
            assert!(d.release().is_none(), "the deals are released");
            st
        };
        let mut w = FFI_ArrowArrayStream::empty();
        let with_deals = r#"{"calendar":{"start_month":1},"deals":[]}"#;
        assert_eq!(
            call(with_deals, &mut w),
            crate::status::LEADCORE_INVALID_INPUT
        );
        assert!(w.release().is_none());
        assert_eq!(call(r#"{"calendar":{"start_month":1}}"#, &mut w), 0);
        let weighted = Table::from_stream(w).unwrap();
        assert_eq!(weighted.column("weighted").unwrap().len(), 2);
        // a simulation asked with no place for it
        let mut w = FFI_ArrowArrayStream::empty();
        assert_eq!(call(SPEC, &mut w), crate::status::LEADCORE_NULL_ARGUMENT);
    }
}
