//! Pipeline analytics: `leadcore_pipeline_metrics`, JSON in and out.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::playbook::leadcore_playbook;
use crate::status::leadcore_status;
use leadcore::analytics::PipelineMetricsInput;
use leadcore::wire::canonical_json;

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
}
