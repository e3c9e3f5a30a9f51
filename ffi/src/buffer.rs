//! Views of bytes and text the library owns, and the byte buffers it hands over to the caller.

use std::ffi::c_char;

use crate::boundary::{free_c, guard_value, read_handle};

/// A read-only view of bytes the library owns: `len` bytes at `data`. `data` is NULL exactly when
/// the view is empty and there is nothing behind it. How long the bytes live is stated by the
/// function that returns the view.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct wsseal_bytes {
    /// The first byte.
    pub data: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl wsseal_bytes {
    /// The empty view.
    pub(crate) const EMPTY: Self = Self { data: std::ptr::null(), len: 0 };

    pub(crate) fn of(bytes: &[u8]) -> Self {
        Self { data: bytes.as_ptr(), len: bytes.len() }
    }
}

/// A read-only view of UTF-8 text the library owns, not NUL-terminated: print it with
/// `printf("%.*s", (int)s.len, s.data)`. `data` is NULL when the value is absent. How long the
/// text lives is stated by the function that returns the view.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct wsseal_str {
    /// The first byte.
    pub data: *const c_char,
    /// The number of bytes.
    pub len: usize,
}

impl wsseal_str {
    /// The absent value.
    pub(crate) const ABSENT: Self = Self { data: std::ptr::null(), len: 0 };

    pub(crate) fn of(text: &str) -> Self {
        Self { data: text.as_ptr().cast(), len: text.len() }
    }

    pub(crate) fn of_option(text: Option<&str>) -> Self {
        text.map_or(Self::ABSENT, Self::of)
    }
}

/// Bytes the library produced and handed over to the caller, who frees them with
/// `wsseal_buffer_free`.
#[allow(non_camel_case_types)]
pub struct wsseal_buffer {
    pub(crate) bytes: Vec<u8>,
}

/// The bytes of `buffer` (empty for NULL), valid until the buffer is freed.
///
/// Thread-safety: any thread, concurrently with other readers. Errors: none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_buffer_bytes(buffer: *const wsseal_buffer) -> wsseal_bytes {
    // SAFETY: the caller passes NULL or a live buffer.
    unsafe { read_handle(buffer, wsseal_bytes::EMPTY, |b| wsseal_bytes::of(&b.bytes)) }
}

/// Frees a buffer. NULL is a no-op.
///
/// Ownership: takes `buffer`; do not use it afterwards. Thread-safety: not concurrently with
/// other uses of the same buffer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_buffer_free(buffer: *mut wsseal_buffer) {
    // SAFETY: the caller passes NULL or a buffer from this library, once.
    guard_value((), || unsafe { free_c(buffer) })
}
