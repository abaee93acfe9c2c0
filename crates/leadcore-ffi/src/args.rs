//! Reading arguments from C: strings as `(ptr, len)` UTF-8, object pointers, out-params.
//! Every check happens before any work, so failures leave the caller's outputs untouched.

use crate::error::Failure;
use crate::status::FfiKind;
use serde::de::DeserializeOwned;
use std::ptr::NonNull;

/// A JSON input (`what` names it in the error), read by the core's one parser for every
/// door: malformed JSON, a missing field or an unknown one is `input.invalid`, with the path
/// of the value that failed, worded as in the Python door.
pub(crate) fn json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, Failure> {
    Ok(leadcore::wire::from_json(text, what)?)
}

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

/// A borrowed UTF-8 string passed inside a struct: `ptr` to `len` bytes, no NUL terminator
/// needed. Where a field is optional, `ptr == NULL` (with `len == 0`) means absent; a
/// non-NULL `ptr` with `len == 0` is the empty string. NULL with `len > 0` gives
/// `LEADCORE_NULL_ARGUMENT`, bytes that are not UTF-8 `LEADCORE_INVALID_UTF8`. The library
/// does not keep the pointer after the call returns.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct leadcore_str {
    /// The bytes (UTF-8), or NULL.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl leadcore_str {
    /// The string; NULL with `len == 0` is `""`.
    ///
    /// # Safety
    /// As [`text`].
    pub(crate) unsafe fn get<'a>(self, what: &str) -> Result<&'a str, Failure> {
        // SAFETY: forwarded to the caller.
        unsafe { text(self.ptr, self.len, what) }
    }

    /// The string, or `None` when `ptr` is NULL and `len == 0` (an absent optional field).
    ///
    /// # Safety
    /// As [`text`].
    pub(crate) unsafe fn get_opt<'a>(self, what: &str) -> Result<Option<&'a str>, Failure> {
        if self.ptr.is_null() && self.len == 0 {
            return Ok(None);
        }
        // SAFETY: forwarded to the caller.
        unsafe { text(self.ptr, self.len, what) }.map(Some)
    }
}

/// An array argument of `len` elements: NULL with `len == 0` is the empty slice, NULL with
/// `len > 0` is `NULL_ARGUMENT`; a misaligned pointer or an impossible length is
/// `INVALID_ARGUMENT`.
///
/// # Safety
/// A non-NULL `ptr` points to `len` initialised `T`s that stay unchanged for `'a`.
pub(crate) unsafe fn slice<'a, T>(
    ptr: *const T,
    len: usize,
    what: &str,
) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::Ffi(
                FfiKind::NullArgument,
                format!("argument `{what}` is NULL but its length is {len}"),
            ))
        };
    }
    if !ptr.is_aligned() {
        return Err(Failure::invalid_argument(format!(
            "argument `{what}` is misaligned"
        )));
    }
    if len
        .checked_mul(std::mem::size_of::<T>())
        .is_none_or(|bytes| bytes > isize::MAX as usize)
    {
        return Err(Failure::invalid_argument(format!(
            "argument `{what}` has an impossible length {len}"
        )));
    }
    // SAFETY: non-NULL, aligned, `len` initialised elements (caller), total size within
    // `isize::MAX` (checked above).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An optional array argument: NULL is absent (whatever `len`), else as [`slice`].
///
/// # Safety
/// As [`slice`].
pub(crate) unsafe fn slice_opt<'a, T>(
    ptr: *const T,
    len: usize,
    what: &str,
) -> Result<Option<&'a [T]>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: as promised by the caller.
    unsafe { slice(ptr, len, what) }.map(Some)
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

/// A caller-allocated output array of `len` elements, checked up front and filled once at
/// the end of a successful call.
pub(crate) struct OutSlice<T> {
    ptr: *mut T,
    len: usize,
}

/// Checks an output array: NULL with `len == 0` is an empty array, NULL with `len > 0` is
/// `NULL_ARGUMENT`; misaligned or impossibly long is `INVALID_ARGUMENT`.
///
/// # Safety
/// A non-NULL `ptr` is valid for writing `len` `T`s until the [`OutSlice`] is filled or
/// dropped, and no one reads or writes that memory meanwhile.
pub(crate) unsafe fn out_slice<T: Copy>(
    ptr: *mut T,
    len: usize,
    what: &str,
) -> Result<OutSlice<T>, Failure> {
    // SAFETY: the same checks as an input array; nothing is read through the pointer.
    unsafe { slice(ptr.cast_const(), len, what) }?;
    Ok(OutSlice { ptr, len })
}

/// An optional output array: NULL is skipped (an empty array, whatever `len`), else as
/// [`out_slice`].
///
/// # Safety
/// As [`out_slice`].
pub(crate) unsafe fn out_slice_opt<T: Copy>(
    ptr: *mut T,
    len: usize,
    what: &str,
) -> Result<OutSlice<T>, Failure> {
    let len = if ptr.is_null() { 0 } else { len };
    // SAFETY: as promised by the caller.
    unsafe { out_slice(ptr, len, what) }
}

impl<T: Copy> OutSlice<T> {
    /// The number of elements the caller provided.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Copies `values` in; the caller checked `values.len() == self.len()` beforehand.
    pub(crate) fn fill(self, values: &[T]) {
        let n = values.len().min(self.len);
        if n > 0 {
            // SAFETY: `ptr` is valid for `len >= n` writes (promised to `out_slice`) and
            // cannot overlap `values`, which the library owns.
            unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), self.ptr, n) }
        }
    }
}

/// The JSON text of an input object whose `field` (a list) comes from elsewhere (an Arrow
/// stream): `text` with `"field": []` added; `text` naming `field` itself is refused. Text
/// that is no object is passed on as it is, for the input's own reading to refuse.
pub(crate) fn spec_without(text: &str, field: &str) -> Result<String, Failure> {
    let mut spec: serde_json::Value = json(text, "spec")?;
    if let Some(o) = spec.as_object_mut() {
        if o.contains_key(field) {
            return Err(Failure::invalid_input(format!(
                "spec: the {field} come from the stream, not the spec"
            )));
        }
        o.insert(field.to_owned(), serde_json::Value::Array(Vec::new()));
    }
    Ok(spec.to_string())
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
    fn slices_and_optional_strings_follow_the_null_rules() {
        unsafe {
            assert_eq!(
                slice::<u32>(ptr::null(), 0, "a").map(<[u32]>::len).ok(),
                Some(0)
            );
            assert!(slice::<u32>(ptr::null(), 2, "a").is_err());
            let xs = [1u32, 2, 3];
            assert_eq!(slice(xs.as_ptr(), 3, "a").ok(), Some(&xs[..]));
            assert!(slice(xs.as_ptr(), usize::MAX / 2, "a").is_err());
            let absent = leadcore_str {
                ptr: ptr::null(),
                len: 0,
            };
            assert_eq!(absent.get_opt("s").ok(), Some(None));
            assert_eq!(absent.get("s").ok(), Some(""));
            let empty = leadcore_str {
                ptr: xs.as_ptr().cast(),
                len: 0,
            };
            assert_eq!(empty.get_opt("s").ok(), Some(Some("")));
            let broken = leadcore_str {
                ptr: ptr::null(),
                len: 1,
            };
            assert!(broken.get_opt("s").is_err());
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
