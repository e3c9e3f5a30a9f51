//! libwsseal: the C ABI of the wsseal engine (see include/wsseal.h).

/// The library version as a NUL-terminated string, for C hosts to log.
pub static WSSEAL_VERSION: &std::ffi::CStr = c"0.1.0";
