//! Status codes: `LEADCORE_OK`, one status per core error code, and the statuses only the C
//! door can produce.
//!
//! Numbering rule (the ABI promise): a status number, once published, never changes.
//! Version 0.1 numbered the first eleven core codes 1..=11 in the order of
//! [`leadcore::Error::CODES`], then the door's own statuses 12..=15 (`LEADCORE_NULL_ARGUMENT`
//! .. `LEADCORE_PANIC`). Every core code added since takes the next free number after the
//! highest one in use, in the order it was appended to `CODES`: `score.bad_event` is 16.
//! Door-only statuses added later also take the next free number. Tests check that every
//! core code has a distinct status, that the published numbers hold, and that codes appended
//! to `CODES` follow `LEADCORE_PANIC` in order.
//!
//! Statuses are plain `uint32_t` constants rather than a C enum, so a value a newer library
//! returns never becomes an out-of-range enum on either side of the boundary.

use std::ffi::CStr;

/// The result of every fallible call: `LEADCORE_OK` (0) on success, another `LEADCORE_*`
/// status otherwise. New statuses may be added at the end in later versions; treat any
/// non-zero value as a failure and read `leadcore_error_code` for the precise cause.
#[allow(non_camel_case_types)]
pub type leadcore_status = u32;

/// Success.
pub const LEADCORE_OK: leadcore_status = 0;
/// The playbook text is malformed or holds a value of the wrong type (`playbook.parse`).
pub const LEADCORE_PLAYBOOK_PARSE: leadcore_status = 1;
/// The playbook parsed but breaks rules; every issue is in the error's JSON report
/// (`playbook.invalid`).
pub const LEADCORE_PLAYBOOK_INVALID: leadcore_status = 2;
/// No pipeline of that name (`lifecycle.unknown_pipeline`).
pub const LEADCORE_UNKNOWN_PIPELINE: leadcore_status = 3;
/// No stage of that name in the pipeline (`lifecycle.unknown_stage`).
pub const LEADCORE_UNKNOWN_STAGE: leadcore_status = 4;
/// The transition is not allowed at all (`lifecycle.not_allowed`).
pub const LEADCORE_NOT_ALLOWED: leadcore_status = 5;
/// Guards refused the transition; every failing guard is in the JSON report
/// (`lifecycle.guard_failed`).
pub const LEADCORE_GUARD_FAILED: leadcore_status = 6;
/// Entering the stage needs a reason and none was given (`lifecycle.reason_required`).
pub const LEADCORE_REASON_REQUIRED: leadcore_status = 7;
/// The reason is not one the stage accepts (`lifecycle.invalid_reason`).
pub const LEADCORE_INVALID_REASON: leadcore_status = 8;
/// `now` is earlier than the record's last transition (`lifecycle.time_went_backwards`).
pub const LEADCORE_TIME_WENT_BACKWARDS: leadcore_status = 9;
/// Stored data of a format version this build cannot read (`state.unsupported_version`).
pub const LEADCORE_UNSUPPORTED_VERSION: leadcore_status = 10;
/// Malformed input: bad JSON, a missing field, an inconsistent state, a bad timestamp
/// (`input.invalid`).
pub const LEADCORE_INVALID_INPUT: leadcore_status = 11;
/// A required pointer argument was NULL (`ffi.null_argument`).
pub const LEADCORE_NULL_ARGUMENT: leadcore_status = 12;
/// A string argument is not valid UTF-8 (`ffi.invalid_utf8`).
pub const LEADCORE_INVALID_UTF8: leadcore_status = 13;
/// An argument has a value outside its domain, e.g. an unknown format or a time out of
/// range (`ffi.invalid_argument`).
pub const LEADCORE_INVALID_ARGUMENT: leadcore_status = 14;
/// The library panicked; this is a bug in leadcore. The call had no effect (`ffi.panic`).
pub const LEADCORE_PANIC: leadcore_status = 15;
/// An activity event the scoring engine cannot use: later than `now` beyond the playbook's
/// tolerance; the JSON report's `reason` says why (`score.bad_event`).
pub const LEADCORE_BAD_EVENT: leadcore_status = 16;
/// A history to replay is not one the pipeline could have produced; every bad entry is in
/// the JSON report's `entries`, each `{index, code, message}` (`lifecycle.invalid_history`).
pub const LEADCORE_INVALID_HISTORY: leadcore_status = 17;

/// How many core codes existed when the door's own statuses were numbered (12..=15).
#[cfg(test)]
const CORE_CODES_IN_0_1: usize = 11;

/// The status and the static NUL-terminated code of a core error code: both come from the
/// core's one code table ([`leadcore::ErrorCode`]), so the mapping cannot drift. `None` for a
/// code the core does not know.
pub(crate) fn core_status(code: &str) -> Option<(leadcore_status, &'static CStr)> {
    leadcore::ErrorCode::parse(code).map(|c| (c.number(), c.as_c_str()))
}

/// The failures only the C door can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FfiKind {
    /// A required pointer was NULL.
    NullArgument,
    /// A string was not UTF-8.
    InvalidUtf8,
    /// A value outside its domain.
    InvalidArgument,
    /// A caught panic.
    Panic,
}

impl FfiKind {
    pub(crate) fn status(self) -> leadcore_status {
        match self {
            FfiKind::NullArgument => LEADCORE_NULL_ARGUMENT,
            FfiKind::InvalidUtf8 => LEADCORE_INVALID_UTF8,
            FfiKind::InvalidArgument => LEADCORE_INVALID_ARGUMENT,
            FfiKind::Panic => LEADCORE_PANIC,
        }
    }

    pub(crate) fn code(self) -> &'static CStr {
        match self {
            FfiKind::NullArgument => c"ffi.null_argument",
            FfiKind::InvalidUtf8 => c"ffi.invalid_utf8",
            FfiKind::InvalidArgument => c"ffi.invalid_argument",
            FfiKind::Panic => c"ffi.panic",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const FFI: [FfiKind; 4] = [
        FfiKind::NullArgument,
        FfiKind::InvalidUtf8,
        FfiKind::InvalidArgument,
        FfiKind::Panic,
    ];

    #[test]
    fn every_core_code_has_a_distinct_status_numbered_by_the_rule() {
        let mut seen = BTreeSet::new();
        for (i, code) in leadcore::Error::CODES.iter().enumerate() {
            let (status, c) = core_status(code).unwrap_or_else(|| panic!("no status for {code}"));
            assert_eq!(c.to_str(), Ok(*code));
            let want = if i < CORE_CODES_IN_0_1 {
                i + 1
            } else {
                LEADCORE_PANIC as usize + 1 + (i - CORE_CODES_IN_0_1)
            };
            assert_eq!(status as usize, want, "{code} breaks the numbering rule");
            assert!(seen.insert(status), "{code} shares status {status}");
            assert!(FFI.iter().all(|k| k.status() != status), "{code}");
        }
    }

    /// The header's constants are the core's numbers (the header is what C code compiles
    /// against; the core table is what the door returns).
    #[test]
    fn header_constants_are_the_core_numbers() {
        use leadcore::ErrorCode as C;
        let pairs = [
            (C::Parse, LEADCORE_PLAYBOOK_PARSE),
            (C::InvalidPlaybook, LEADCORE_PLAYBOOK_INVALID),
            (C::UnknownPipeline, LEADCORE_UNKNOWN_PIPELINE),
            (C::UnknownStage, LEADCORE_UNKNOWN_STAGE),
            (C::TransitionNotAllowed, LEADCORE_NOT_ALLOWED),
            (C::GuardFailed, LEADCORE_GUARD_FAILED),
            (C::ReasonRequired, LEADCORE_REASON_REQUIRED),
            (C::InvalidReason, LEADCORE_INVALID_REASON),
            (C::TimeWentBackwards, LEADCORE_TIME_WENT_BACKWARDS),
            (C::UnsupportedVersion, LEADCORE_UNSUPPORTED_VERSION),
            (C::InvalidInput, LEADCORE_INVALID_INPUT),
            (C::BadEvent, LEADCORE_BAD_EVENT),
            (C::InvalidHistory, LEADCORE_INVALID_HISTORY),
        ];
        assert_eq!(
            pairs.len(),
            C::ALL.len(),
            "a core code has no header constant"
        );
        for (code, status) in pairs {
            assert_eq!(code.number(), status, "{}", code.as_str());
        }
    }

    #[test]
    fn published_numbers_never_change() {
        assert_eq!(LEADCORE_OK, 0);
        assert_eq!(LEADCORE_PLAYBOOK_PARSE, 1);
        assert_eq!(LEADCORE_INVALID_INPUT, 11);
        assert_eq!(LEADCORE_BAD_EVENT, 16);
        assert_eq!(LEADCORE_INVALID_HISTORY, 17);
    }

    #[test]
    fn ffi_statuses_keep_their_numbers_and_are_distinct() {
        let mut seen = BTreeSet::new();
        for (i, k) in FFI.iter().enumerate() {
            assert_eq!(
                k.status(),
                CORE_CODES_IN_0_1 as leadcore_status + 1 + i as leadcore_status
            );
            assert!(seen.insert(k.status()));
            let code = k.code().to_str().unwrap_or_default();
            assert!(code.starts_with("ffi."), "{code}");
            assert!(core_status(code).is_none());
        }
        assert_eq!(FfiKind::Panic.status(), LEADCORE_PANIC);
    }
}
