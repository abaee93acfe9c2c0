//! `leadcore_playbook`: a validated, immutable playbook.

use crate::args;
use crate::buf::leadcore_buf;
use crate::entry::{fallible, free, hand_out};
use crate::error::{Failure, leadcore_error};
use crate::status::leadcore_status;
use leadcore::{Format, Playbook};

/// A playbook text format, passed as a plain `uint32_t`: one of the `LEADCORE_FORMAT_*`
/// constants. Any other value gives `LEADCORE_INVALID_ARGUMENT`.
#[allow(non_camel_case_types)]
pub type leadcore_format = u32;

/// JSON playbook text.
pub const LEADCORE_FORMAT_JSON: leadcore_format = 0;
/// TOML playbook text.
pub const LEADCORE_FORMAT_TOML: leadcore_format = 1;
/// YAML 1.2 playbook text.
pub const LEADCORE_FORMAT_YAML: leadcore_format = 2;

fn format_from(value: leadcore_format) -> Result<Format, Failure> {
    match value {
        LEADCORE_FORMAT_JSON => Ok(Format::Json),
        LEADCORE_FORMAT_TOML => Ok(Format::Toml),
        LEADCORE_FORMAT_YAML => Ok(Format::Yaml),
        other => Err(Failure::invalid_argument(format!(
            "unknown playbook format {other} (expected LEADCORE_FORMAT_JSON, _TOML or _YAML)"
        ))),
    }
}

/// A validated playbook: pipelines, stages, transitions, guards and actions. Immutable, so
/// one playbook may be used from any number of threads at once.
pub struct leadcore_playbook {
    pub(crate) inner: Playbook,
}

/// Parses and validates playbook text. On success `*out` receives a new playbook to free
/// with `leadcore_playbook_free`. Malformed text gives `LEADCORE_PLAYBOOK_PARSE` (the JSON
/// report's `parse` says where); a playbook that breaks rules gives
/// `LEADCORE_PLAYBOOK_INVALID` with every issue in the report's `issues`.
///
/// # Safety
/// `text` is NULL (with `len == 0`) or points to `len` readable bytes; `out` is NULL or
/// valid for writing a pointer; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_playbook_parse(
    format: leadcore_format,
    text: *const u8,
    len: usize,
    out: *mut *mut leadcore_playbook,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let format = format_from(format)?;
        let text = args::text(text, len, "text")?;
        let out = args::out(out, "out")?;
        let inner = Playbook::parse(text, format)?;
        hand_out(out, leadcore_playbook { inner });
    })
}

/// The default playbook shipped with leadcore (the recommended lead lifecycle and an
/// example deal pipeline). `*out` receives a new playbook to free with
/// `leadcore_playbook_free`.
///
/// # Safety
/// `out` is NULL or valid for writing a pointer; `err` is NULL or valid for writing a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_playbook_default(
    out: *mut *mut leadcore_playbook,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let out = args::out(out, "out")?;
        let inner = Playbook::default_playbook();
        hand_out(out, leadcore_playbook { inner });
    })
}

/// Writes the playbook as canonical JSON into `*out`; the text loads back (format
/// `LEADCORE_FORMAT_JSON`) to an equal playbook.
///
/// # Safety
/// `playbook` is NULL or a live playbook; `out` is NULL or valid for writing a
/// `leadcore_buf`; `err` is NULL or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_playbook_to_json(
    playbook: *const leadcore_playbook,
    out: *mut leadcore_buf,
    err: *mut *mut leadcore_error,
) -> leadcore_status {
    fallible!(err, {
        let playbook = args::obj(playbook, "playbook")?;
        args::out(out, "out")?.json(&playbook.inner);
    })
}

/// Frees a playbook. NULL is a no-op. No call may be using it, on any thread.
///
/// # Safety
/// `playbook` is NULL or a playbook from this library that has not been freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_playbook_free(playbook: *mut leadcore_playbook) {
    // SAFETY: NULL, or a playbook from `hand_out` not freed yet (caller).
    unsafe { free(playbook) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_mapped_safely() {
        assert_eq!(format_from(0).ok(), Some(Format::Json));
        assert_eq!(format_from(1).ok(), Some(Format::Toml));
        assert_eq!(format_from(2).ok(), Some(Format::Yaml));
        assert!(format_from(3).is_err());
        assert!(format_from(u32::MAX).is_err());
    }
}
