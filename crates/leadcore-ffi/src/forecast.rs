//! Forecasting: `leadcore_forecast`, JSON in and out.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::status::leadcore_status;
use leadcore::forecast::ForecastInput;
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
}
