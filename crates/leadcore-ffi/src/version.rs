//! Version and ABI constants, checked against Cargo's by a test.

use std::ffi::{CStr, c_char};

/// Major version of the library this header belongs to.
pub const LEADCORE_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const LEADCORE_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header belongs to.
pub const LEADCORE_VERSION_PATCH: u32 = 0;
/// Version of the C ABI: raised whenever a type's layout, a function's signature or a
/// status value changes incompatibly. Adding functions or statuses does not raise it.
pub const LEADCORE_ABI_VERSION: u32 = 1;
/// This header's version as one number, `MAJOR * 10000 + MINOR * 100 + PATCH` (0.1.0 is
/// 100), for `#if LEADCORE_VERSION_NUMBER >= ...` and comparison with
/// `leadcore_version_number()`.
pub const LEADCORE_VERSION_NUMBER: u32 =
    LEADCORE_VERSION_MAJOR * 10000 + LEADCORE_VERSION_MINOR * 100 + LEADCORE_VERSION_PATCH;

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the crate version contains a NUL byte"),
    };

/// The version of the linked library, e.g. `"0.1.0"`: a static NUL-terminated string,
/// never to be freed. Compare with `LEADCORE_VERSION_*` to detect a header/library mismatch.
#[unsafe(no_mangle)]
pub extern "C" fn leadcore_version() -> *const c_char {
    VERSION.as_ptr()
}

/// The version of the linked library as one number, `MAJOR * 10000 + MINOR * 100 + PATCH`
/// (0.1.0 gives 100): compare with `LEADCORE_VERSION_NUMBER` to detect a header/library
/// mismatch, or with a minimum the program needs.
#[unsafe(no_mangle)]
pub extern "C" fn leadcore_version_number() -> u32 {
    const { assert!(LEADCORE_VERSION_MINOR < 100 && LEADCORE_VERSION_PATCH < 100) };
    LEADCORE_VERSION_NUMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_cargo() {
        let n = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
        assert_eq!(LEADCORE_VERSION_MAJOR, n(env!("CARGO_PKG_VERSION_MAJOR")));
        assert_eq!(LEADCORE_VERSION_MINOR, n(env!("CARGO_PKG_VERSION_MINOR")));
        assert_eq!(LEADCORE_VERSION_PATCH, n(env!("CARGO_PKG_VERSION_PATCH")));
        let v = unsafe { CStr::from_ptr(leadcore_version()) };
        assert_eq!(v.to_str(), Ok(env!("CARGO_PKG_VERSION")));
        assert_eq!(leadcore::VERSION, env!("CARGO_PKG_VERSION"));
        let number =
            LEADCORE_VERSION_MAJOR * 10000 + LEADCORE_VERSION_MINOR * 100 + LEADCORE_VERSION_PATCH;
        assert_eq!(leadcore_version_number(), number);
        assert_eq!(LEADCORE_VERSION_NUMBER, number);
        // A new ABI needs a new SONAME: raise SONAME_MAJOR in build.rs with the ABI version.
        assert_eq!(
            (LEADCORE_ABI_VERSION, env!("LEADCORE_SONAME")),
            (1, "libleadcore.so.0")
        );
    }
}
