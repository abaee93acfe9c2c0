//! The panic boundary every entry point runs in: a panic never unwinds into C, it becomes
//! `LEADCORE_PANIC` with an `ffi.panic` error.

use crate::error::{Failure, leadcore_error};
use crate::status::{FfiKind, LEADCORE_OK, leadcore_status};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs the body of a fallible entry point. On success returns `LEADCORE_OK` and leaves
/// `*err` alone; on failure (or panic) returns the status and, when `err` is not NULL,
/// stores a new [`leadcore_error`] in `*err`.
///
/// Bodies write their outputs last, after every check, so a failure leaves them untouched.
///
/// # Safety
/// `err` is NULL or valid for writing a pointer.
pub(crate) unsafe fn boundary<F>(err: *mut *mut leadcore_error, body: F) -> leadcore_status
where
    F: FnOnce() -> Result<(), Failure>,
{
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return LEADCORE_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::Ffi(FfiKind::Panic, panic_message(payload.as_ref())),
    };
    // Building the error object allocates only; guard it anyway so nothing unwinds into C.
    let built = catch_unwind(AssertUnwindSafe(|| leadcore_error::new(failure)));
    match built {
        Ok(error) => {
            let status = error.status();
            if !err.is_null() && err.is_aligned() {
                // SAFETY: the caller guarantees a non-NULL `err` is valid for writes.
                unsafe { err.write(Box::into_raw(Box::new(error))) };
            }
            status
        }
        Err(_) => FfiKind::Panic.status(),
    }
}

/// Runs the body of an infallible entry point (accessors, `_free`), returning `fallback`
/// if it panics.
pub(crate) fn no_unwind<T, F: FnOnce() -> T>(fallback: T, body: F) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let what = payload_text(payload);
    format!("leadcore panicked (a bug, please report it): {what}")
}

/// The text a panic was raised with.
pub(crate) fn payload_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{LEADCORE_NULL_ARGUMENT, LEADCORE_PANIC};
    use std::ptr;

    #[test]
    fn a_panic_becomes_a_status_and_an_error() {
        let mut err: *mut leadcore_error = ptr::null_mut();
        let status = unsafe { boundary(&mut err, || panic!("boom")) };
        assert_eq!(status, LEADCORE_PANIC);
        assert!(!err.is_null());
        let e = unsafe { Box::from_raw(err) };
        assert_eq!(e.status(), LEADCORE_PANIC);
        assert!(e.report_json().contains("boom"), "{}", e.report_json());
        assert!(e.report_json().starts_with(r#"{"code":"ffi.panic","#));
    }

    #[test]
    fn a_null_err_is_accepted_and_success_leaves_err_alone() {
        let status = unsafe { boundary(ptr::null_mut(), || Err(Failure::null("x"))) };
        assert_eq!(status, LEADCORE_NULL_ARGUMENT);
        let status = unsafe { boundary(ptr::null_mut(), || panic!("{}", String::from("owned"))) };
        assert_eq!(status, LEADCORE_PANIC);
        let sentinel = ptr::NonNull::<leadcore_error>::dangling().as_ptr();
        let mut err = sentinel;
        assert_eq!(unsafe { boundary(&mut err, || Ok(())) }, LEADCORE_OK);
        assert_eq!(err, sentinel);
    }

    #[test]
    fn no_unwind_falls_back() {
        assert_eq!(no_unwind(7, || -> i32 { panic!("x") }), 7);
        assert_eq!(no_unwind(7, || 1), 1);
    }
}
