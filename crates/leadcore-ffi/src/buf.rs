//! `leadcore_buf`: bytes the library hands out (canonical JSON), freed only by
//! `leadcore_buf_free`.

use crate::args::Out;
use crate::panic::no_unwind;
use leadcore::wire::canonical_json;
use serde::Serialize;
use std::ptr;

/// Bytes owned by the library: canonical JSON (UTF-8, object keys sorted, no whitespace).
///
/// `data[len]` is a NUL byte, so `data` may be used as a C string; `len` excludes it. A
/// filled buffer's `data` is never NULL. Treat both fields as read-only and release the
/// buffer with `leadcore_buf_free` (never `free()`). A zeroed buffer (`{NULL, 0}`, which
/// `LEADCORE_BUF_INIT` gives in C and C++) owns nothing and may be freed.
#[repr(C)]
#[derive(Debug)]
pub struct leadcore_buf {
    /// The bytes, followed by a NUL byte.
    pub data: *mut u8,
    /// The number of bytes, without the trailing NUL.
    pub len: usize,
}

impl leadcore_buf {
    /// Hands a string to C: its bytes plus a NUL, in an exactly sized allocation.
    pub(crate) fn from_string(text: String) -> Self {
        let mut bytes = text.into_bytes();
        let len = bytes.len();
        bytes.push(0);
        let data = Box::into_raw(bytes.into_boxed_slice()).cast::<u8>();
        leadcore_buf { data, len }
    }
}

impl Out<leadcore_buf> {
    /// Hands out `value` as canonical JSON: the last step of every call that returns JSON.
    pub(crate) fn json<T: Serialize + ?Sized>(self, value: &T) {
        self.text(canonical_json(value));
    }

    /// Hands out text already made (canonical JSON built before a commit, a report).
    pub(crate) fn text(self, text: String) {
        self.write(leadcore_buf::from_string(text));
    }
}

/// Frees a buffer's bytes and zeroes it (`data = NULL`, `len = 0`). NULL and a zeroed buffer
/// are no-ops, so freeing twice through the same `leadcore_buf` is harmless.
///
/// # Safety
/// `buf` is NULL or points to a `leadcore_buf` that is zeroed or was filled by this library
/// and not modified since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn leadcore_buf_free(buf: *mut leadcore_buf) {
    no_unwind((), || {
        // SAFETY: NULL or valid (caller); `as_mut` handles NULL.
        let Some(buf) = (unsafe { buf.as_mut() }) else {
            return;
        };
        if !buf.data.is_null()
            && let Some(size) = buf.len.checked_add(1)
        {
            // SAFETY: `data` came from `Box<[u8]>` of `len + 1` bytes in `from_string`.
            drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(buf.data, size)) });
        }
        buf.data = ptr::null_mut();
        buf.len = 0;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_nul_terminated_and_free_zeroes_them() {
        let mut b = leadcore_buf::from_string("{}".to_owned());
        assert_eq!(b.len, 2);
        let bytes = unsafe { std::slice::from_raw_parts(b.data, b.len + 1) };
        assert_eq!(bytes, b"{}\0");
        unsafe { leadcore_buf_free(&mut b) };
        assert!(b.data.is_null());
        assert_eq!(b.len, 0);
        unsafe { leadcore_buf_free(&mut b) };
        unsafe { leadcore_buf_free(ptr::null_mut()) };
    }
}
