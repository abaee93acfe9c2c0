//! Reading arguments from C: strings as `(ptr, len)` UTF-8, object pointers, out-params.
//! Every check happens before any work, so failures leave the caller's outputs untouched.

use crate::error::Failure;
use crate::status::FfiKind;
use std::ptr::NonNull;

/// A string argument: NULL with `len == 0` is the empty string, NULL with `len > 0` is
/// `NULL_ARGUMENT`, bytes that are not UTF-8 are `INVALID_UTF8`.
///
/// # Safety
/// A non-NULL `ptr` points to `len` readable bytes that stay unchanged for `'a`.
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok("")
        } else {
            Err(Failure::Ffi(
                FfiKind::NullArgument,
                format!("argument `{what}` is NULL but its length is {len}"),
            ))
        };
    }
    if len > isize::MAX as usize {
        return Err(Failure::invalid_argument(format!(
            "argument `{what}` has an impossible length {len}"
        )));
    }
    // SAFETY: non-NULL, `len` bytes readable (caller), `len <= isize::MAX` (checked above);
    // `u8` has no alignment requirement.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::Ffi(
            FfiKind::InvalidUtf8,
            format!("argument `{what}` is not valid UTF-8: {e}"),
        )
    })
}

/// A shared reference to an object the library handed out.
///
/// # Safety
/// A non-NULL `ptr` points to a live `T` not mutated for `'a`.
pub(crate) unsafe fn obj<'a, T>(ptr: *const T, what: &str) -> Result<&'a T, Failure> {
    if !ptr.is_aligned() {
        return Err(Failure::invalid_argument(format!(
            "argument `{what}` is misaligned"
        )));
    }
    // SAFETY: aligned, and NULL or live (caller).
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(what))
}

/// An exclusive reference to an object the library handed out.
///
/// # Safety
/// A non-NULL `ptr` points to a live `T` nobody else accesses for `'a`.
pub(crate) unsafe fn obj_mut<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, Failure> {
    if !ptr.is_aligned() {
        return Err(Failure::invalid_argument(format!(
            "argument `{what}` is misaligned"
        )));
    }
    // SAFETY: aligned, and NULL or live and unaliased (caller).
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(what))
}

/// An out-param, checked up front and written once at the end of a successful call. Its
/// previous contents are neither read nor dropped.
pub(crate) struct Out<T>(NonNull<T>);

/// Checks an out-param.
///
/// # Safety
/// A non-NULL `ptr` is valid for writing a `T` until the [`Out`] is written or dropped.
pub(crate) unsafe fn out<T>(ptr: *mut T, what: &str) -> Result<Out<T>, Failure> {
    let ptr = NonNull::new(ptr).ok_or_else(|| Failure::null(what))?;
    if !ptr.as_ptr().is_aligned() {
        return Err(Failure::invalid_argument(format!(
            "argument `{what}` is misaligned"
        )));
    }
    Ok(Out(ptr))
}

impl<T> Out<T> {
    /// Stores the value without dropping whatever the memory held.
    pub(crate) fn write(self, value: T) {
        // SAFETY: non-NULL, aligned and writable, as promised to `out`.
        unsafe { self.0.as_ptr().write(value) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn status(r: Result<&str, Failure>) -> Option<FfiKind> {
        match r {
            Ok(_) => None,
            Err(Failure::Ffi(k, _)) => Some(k),
            Err(Failure::Core(e)) => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn strings_follow_the_null_and_utf8_rules() {
        unsafe {
            assert_eq!(text(ptr::null(), 0, "s").ok(), Some(""));
            assert_eq!(
                status(text(ptr::null(), 3, "s")),
                Some(FfiKind::NullArgument)
            );
            let bad = [0x66u8, 0xff];
            assert_eq!(
                status(text(bad.as_ptr(), 2, "s")),
                Some(FfiKind::InvalidUtf8)
            );
            let good = "héllo";
            assert_eq!(text(good.as_ptr(), good.len(), "s").ok(), Some("héllo"));
            assert_eq!(
                status(text(good.as_ptr(), usize::MAX, "s")),
                Some(FfiKind::InvalidArgument)
            );
        }
    }

    #[test]
    fn null_objects_and_outs_are_refused() {
        unsafe {
            assert!(obj::<u32>(ptr::null(), "o").is_err());
            assert!(obj_mut::<u32>(ptr::null_mut(), "o").is_err());
            assert!(out::<u32>(ptr::null_mut(), "o").is_err());
            let mut x = 0u32;
            out(&mut x as *mut u32, "o").map(|o| o.write(5)).ok();
            assert_eq!(x, 5);
        }
    }
}
