//! `leadcore_funnel`: a pipeline's funnel over many records' states.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::fallible;
use crate::error::leadcore_error;
use crate::playbook::leadcore_playbook;
use crate::state::leadcore_state;
use crate::status::leadcore_status;
use crate::time::from_ms;
use leadcore::Funnel;

/// Computes the funnel of `pipeline` over `states_len` record states at `now_ms` (Unix
/// epoch milliseconds UTC) and writes it into `*out` as canonical JSON:
/// `{"pipeline","records","skipped","stages":[{"stage","kind","reached","entered","current",
/// "conversion_to_next","mean_dwell_seconds"}]}`. `reached` counts records whose highest
/// stage is that one or later (recycling never lowers it); states of another pipeline are
/// counted in `skipped`. An unknown pipeline gives `LEADCORE_UNKNOWN_PIPELINE`; a NULL entry
/// in `states` gives `LEADCORE_NULL_ARGUMENT`; a state whose history the pipeline could not
/// have produced gives `LEADCORE_INVALID_HISTORY` (or `LEADCORE_INVALID_INPUT` for a forged
/// highest stage), and `now` before a record's last move `LEADCORE_TIME_WENT_BACKWARDS`.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `pipeline` is NULL (with `pipeline_len == 0`) or
/// points to that many readable bytes; `states` is NULL (with `states_len == 0`) or points to
/// `states_len` pointers, each NULL or a live state not being moved by another thread; `out`
/// is NULL or valid for writing a `leadcore_buf`; `err` is NULL or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_funnel(
    playbook: *const leadcore_playbook,
    pipeline: *const u8,
    pipeline_len: usize,
    states: *const *const leadcore_state,
    states_len: usize,
    now_ms: i64,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        let pipeline = args::text(pipeline, pipeline_len, "pipeline")?;
        let pointers = args::slice(states, states_len, "states")?;
        let now = from_ms(now_ms, "now_ms")?;
        let out = args::out(out, "out")?;
        let pipeline = playbook.inner.pipeline(pipeline)?;
        let records = pointers
            .iter()
            .enumerate()
            .map(|(i, &p)| args::obj(p, &format!("states[{i}]")).map(|s| s.inner.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        out.json(&Funnel::compute(pipeline, &records, now)?);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playbook::leadcore_playbook_default;
    use crate::state::{leadcore_state_free, leadcore_state_new};
    use crate::{leadcore_buf_free, leadcore_playbook_free};

    #[test]
    fn funnel_counts_the_states_given() {
        unsafe {
            let mut pb = std::ptr::null_mut();
            assert_eq!(leadcore_playbook_default(&mut pb, std::ptr::null_mut()), 0);
            let mut a = std::ptr::null_mut();
            let mut b = std::ptr::null_mut();
            for (id, out) in [("A", &mut a), ("B", &mut b)] {
                let st = leadcore_state_new(
                    pb,
                    b"lead".as_ptr(),
                    4,
                    id.as_ptr(),
                    1,
                    0,
                    out,
                    std::ptr::null_mut(),
                );
                assert_eq!(st, 0);
            }
            let states = [a as *const leadcore_state, b as *const leadcore_state];
            let mut buf = leadcore_buf {
                data: std::ptr::null_mut(),
                len: 0,
            };
            let st = leadcore_funnel(
                pb,
                b"lead".as_ptr(),
                4,
                states.as_ptr(),
                2,
                3_600_000,
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, 0);
            let json: serde_json::Value =
                serde_json::from_slice(std::slice::from_raw_parts(buf.data, buf.len)).unwrap();
            assert_eq!(json["records"], 2);
            assert_eq!(json["stages"][0]["current"], 2);
            assert_eq!(json["stages"][0]["mean_dwell_seconds"], 3600.0);
            leadcore_buf_free(&mut buf);
            let with_null = [a as *const leadcore_state, std::ptr::null()];
            let st = leadcore_funnel(
                pb,
                b"lead".as_ptr(),
                4,
                with_null.as_ptr(),
                2,
                0,
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, crate::status::LEADCORE_NULL_ARGUMENT);
            let st = leadcore_funnel(
                pb,
                b"nope".as_ptr(),
                4,
                states.as_ptr(),
                2,
                0,
                &mut buf,
                std::ptr::null_mut(),
            );
            assert_eq!(st, crate::status::LEADCORE_UNKNOWN_PIPELINE);
            leadcore_state_free(a);
            leadcore_state_free(b);
            leadcore_playbook_free(pb);
        }
    }
}
