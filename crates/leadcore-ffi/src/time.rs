//! Times cross the boundary as Unix epoch milliseconds (UTC) in an `int64_t`.

use crate::args;
use crate::entry::fallible;
use crate::error::{Failure, leadcore_error};
use crate::status::leadcore_status;
use chrono::{DateTime, Utc};

/// The instant `ms` milliseconds after 1970-01-01T00:00:00Z, or `INVALID_ARGUMENT` when
/// chrono cannot represent it.
pub(crate) fn from_ms(ms: i64, what: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| {
        Failure::invalid_argument(format!(
            "argument `{what}` ({ms} ms since the epoch) is out of range"
        ))
    })
}

/// The instant `s` seconds after 1970-01-01T00:00:00Z (the scoring calls' unit), or
/// `INVALID_ARGUMENT` when chrono cannot represent it.
pub(crate) fn from_unix_s(s: i64, what: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| {
        Failure::invalid_argument(format!(
            "argument `{what}` ({s} s since the epoch) is out of range"
        ))
    })
}

/// Parses an RFC 3339 timestamp (`2026-01-05T09:00:00Z`, any offset) into Unix epoch
/// milliseconds UTC in `*out_ms`. Sub-millisecond digits are truncated toward the past.
/// Malformed text gives `LEADCORE_INVALID_INPUT`.
///
/// # Safety
/// `text` is NULL (with `len == 0`) or points to `len` readable bytes; `out_ms` is NULL or
/// valid for writing an `int64_t`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_time_parse_rfc3339(
    text: *const u8,
    len: usize,
    out_ms: *mut i64,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let text = args::text(text, len, "text")?;
        let out_ms = args::out(out_ms, "out_ms")?;
        let t = DateTime::parse_from_rfc3339(text).map_err(|e| {
            Failure::invalid_input(format!("`{text}` is not an RFC 3339 timestamp: {e}"))
        })?;
        out_ms.write(t.to_utc().timestamp_millis());
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{LEADCORE_INVALID_INPUT, LEADCORE_OK};
    use std::ptr;

    fn parse(s: &str) -> (leadcore_status, i64) {
        let mut ms = -1;
        let status =
            unsafe { leadcore_time_parse_rfc3339(s.as_ptr(), s.len(), &mut ms, ptr::null_mut()) };
        (status, ms)
    }

    #[test]
    fn rfc3339_becomes_epoch_millis() {
        assert_eq!(parse("1970-01-01T00:00:01.5Z"), (LEADCORE_OK, 1500));
        assert_eq!(
            parse("2026-01-05T10:00:00+01:00"),
            (LEADCORE_OK, 1_767_603_600_000)
        );
        assert_eq!(parse("1969-12-31T23:59:59.9999Z"), (LEADCORE_OK, -1));
        assert_eq!(parse("yesterday"), (LEADCORE_INVALID_INPUT, -1));
    }

    #[test]
    fn millis_out_of_range_are_refused() {
        assert!(from_ms(i64::MAX, "now").is_err());
        assert_eq!(from_ms(0, "now").ok(), DateTime::from_timestamp(0, 0));
        assert!(from_unix_s(i64::MIN, "now").is_err());
        assert_eq!(
            from_unix_s(1500, "now").ok(),
            DateTime::from_timestamp(1500, 0)
        );
    }
}
