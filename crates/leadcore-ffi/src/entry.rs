//! What the entry points share: the panic boundary around a fallible body (`fallible!`),
//! handing objects out and freeing them (`hand_out`, `free`), and committing an update made
//! on a copy (`update_copy`). Each entry point states only its own arguments and work.

use crate::args::Out;
use crate::error::Failure;
use crate::panic::no_unwind;
use leadcore::wire::canonical_json;
use serde::Serialize;

/// The body of a fallible entry point: `fallible!(err, { .. })` runs the block inside the
/// panic boundary and returns its `leadcore_status`. The block checks its arguments in
/// order (`?` turns a failure into the status and `*err`) and writes its outputs last, so
/// a failure leaves them untouched; it ends in `()`, success being `LEADCORE_OK`.
macro_rules! fallible {
    ($err:expr, $body:block) => {
        // SAFETY: the entry point's caller guarantees its pointers (its `# Safety`
        // section); `boundary` writes `err` only on failure, and bodies write their
        // outputs only after every check.
        unsafe {
            $crate::panic::boundary($err, || {
                $body
                Ok(())
            })
        }
    };
}
pub(crate) use fallible;

/// Writes a new object into an out-param as a `Box` pointer the caller owns and releases
/// with the object's `_free` (through [`free`]).
pub(crate) fn hand_out<T>(out: Out<*mut T>, object: T) {
    out.write(Box::into_raw(Box::new(object)));
}

/// The body of every object's `_free`: drops the object; NULL is a no-op, and a panic in a
/// destructor never unwinds into C.
///
/// # Safety
/// `object` is NULL or came from `Box::into_raw` ([`hand_out`], or `boundary` for errors)
/// and has not been freed yet.
pub(crate) unsafe fn free<T>(object: *mut T) {
    no_unwind((), || {
        if !object.is_null() {
            // SAFETY: non-NULL, from `Box::into_raw`, not freed yet (caller).
            drop(unsafe { Box::from_raw(object) });
        }
    })
}

/// Runs `update` on a copy of `state` and commits the copy only after `update` succeeded
/// and its result is canonical JSON, which it returns: a failure, or even a panic, leaves
/// `state` as it was.
pub(crate) fn update_copy<S: Clone, R: Serialize, E: Into<Failure>>(
    state: &mut S,
    update: impl FnOnce(&mut S) -> Result<R, E>,
) -> Result<String, Failure> {
    let mut next = state.clone();
    let json = canonical_json(&update(&mut next).map_err(Into::into)?);
    *state = next;
    Ok(json)
}
