//! The library's version.

use std::ffi::c_char;

use crate::boundary::guard_value;

/// The library version, as in `Cargo.toml`.
const VERSION: &std::ffi::CStr =
    match std::ffi::CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(version) => version,
        Err(_) => panic!("the package version has no NUL"),
    };

/// The library version, `"MAJOR.MINOR.PATCH"`, for hosts to log and check.
///
/// Ownership: static; never free it. Thread-safety: any thread. Errors: none.
#[unsafe(no_mangle)]
pub extern "C" fn wsseal_version() -> *const c_char {
    guard_value(c"".as_ptr(), || VERSION.as_ptr())
}
