//! Forecasting, JSON in and out: `leadcore_forecast` (weighted pipeline and Monte Carlo),
//! `leadcore_forecast_history` (the model learned from closed history),
//! `leadcore_forecast_backtest` and `leadcore_forecast_rollup` (the reporting hierarchy).

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::status::leadcore_status;
use leadcore::forecast::{BacktestInput, ForecastInput, HistoryForecastInput, RollupInput};
use leadcore::wire::canonical_json;

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
}
