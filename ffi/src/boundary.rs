//! The boundary every entry point crosses: panics caught and turned into `WSSEAL_PANIC`, failures
//! turned into a code and the thread's last error message, and the checks of raw arguments.

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::result::{code, wsseal_code, wsseal_result};

/// Why a call failed: its code and a message for the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: wsseal_result,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(value: wsseal_code, message: impl Into<String>) -> Self {
        Self { code: code(value), message: message.into() }
    }

    pub(crate) fn null(argument: &str) -> Self {
        Self::new(wsseal_code::WSSEAL_NULL_ARGUMENT, format!("{argument} is NULL"))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(wsseal_code::WSSEAL_INVALID_ARGUMENT, message)
    }

    /// What a caught panic becomes.
    fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("a panic without a message");
        Self::new(wsseal_code::WSSEAL_PANIC, format!("internal error (please report it): {what}"))
    }
}

impl From<wsseal_core::Error> for Failure {
    fn from(error: wsseal_core::Error) -> Self {
        Self { code: error.code().value(), message: error.message().to_owned() }
    }
}

thread_local! {
    /// The message of the last failing call on this thread.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `failure` as this thread's last error and returns its code.
pub(crate) fn record(failure: &Failure) -> wsseal_result {
    tracing::debug!(code = failure.code, "{}", failure.message);
    LAST_ERROR.with(|last| *last.borrow_mut() = c_string(&failure.message));
    failure.code
}

/// `text` as a C string; a NUL inside it (a message quoting input) is shown as `\0`.
pub(crate) fn c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\\0")).expect("every NUL was replaced")
}

/// Runs the body of an entry point that returns a result code: its failure or panic becomes the
/// code and the thread's last error message.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> wsseal_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => code(wsseal_code::WSSEAL_OK),
        Ok(Err(failure)) => record(&failure),
        Err(payload) => record(&Failure::panic(payload.as_ref())),
    }
}

/// Runs the body of an entry point that returns a value: a panic becomes `fallback` (and the last
/// error message says so).
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        record(&Failure::panic(payload.as_ref()));
        fallback
    })
}

/// Runs `read` on the handle behind `handle`, for an accessor: NULL (and a panic) gives `absent`.
///
/// # Safety
/// `handle` is NULL or points to a live `H`.
pub(crate) unsafe fn read_handle<H, T: Copy>(handle: *const H, absent: T, read: impl FnOnce(&H) -> T) -> T {
    // SAFETY: the caller guarantees `handle` is NULL or valid.
    guard_value(absent, || unsafe { handle.as_ref() }.map_or(absent, read))
}

/// The message of the last call on this thread that returned an error; `""` before any. The
/// string belongs to the library and stays valid until the next failing call on this thread.
///
/// Ownership: borrowed; never free it. Thread-safety: each thread has its own last error.
#[unsafe(no_mangle)]
pub extern "C" fn wsseal_last_error_message() -> *const c_char {
    guard_value(c"".as_ptr(), || LAST_ERROR.with(|last| last.borrow().as_ptr()))
}

/// `ptr` as a reference, or a `NULL_ARGUMENT` failure naming `argument`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` for `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, argument: &str) -> Result<&'a T, Failure> {
    // SAFETY: the caller guarantees `ptr` is NULL or valid.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(argument))
}

/// `len` values at `ptr` (for bytes: `len` bytes). NULL is refused even when `len` is 0; more
/// than `PTRDIFF_MAX` bytes in all is invalid.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable values that live for `'a`.
pub(crate) unsafe fn arg_slice<'a, T>(ptr: *const T, len: usize, argument: &str) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    if len.checked_mul(size_of::<T>()).is_none_or(|size| size > isize::MAX as usize) {
        return Err(Failure::invalid(format!("{argument}: length {len} is above PTRDIFF_MAX")));
    }
    // SAFETY: non-NULL, size checked, and the caller guarantees `len` readable values.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `len` bytes of UTF-8 text at `ptr`.
///
/// # Safety
/// As [`arg_slice`].
pub(crate) unsafe fn arg_text<'a>(ptr: *const u8, len: usize, argument: &str) -> Result<&'a str, Failure> {
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { arg_slice(ptr, len, argument) }?;
    std::str::from_utf8(bytes).map_err(|e| utf8(argument, e))
}

/// The NUL-terminated UTF-8 string at `ptr`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that lives for `'a`.
pub(crate) unsafe fn arg_c_str<'a>(ptr: *const c_char, argument: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string.
    unsafe { CStr::from_ptr(ptr) }.to_str().map_err(|e| utf8(argument, e))
}

fn utf8(argument: &str, error: std::str::Utf8Error) -> Failure {
    Failure::new(wsseal_code::WSSEAL_INVALID_UTF8, format!("{argument} is not UTF-8: {error}"))
}

/// An output argument: checked for NULL and set to NULL, so that the caller sees NULL on failure.
///
/// # Safety
/// `ptr` is NULL or points to a writable `*mut T`.
pub(crate) unsafe fn arg_out<'a, T>(ptr: *mut *mut T, argument: &str) -> Result<&'a mut *mut T, Failure> {
    // SAFETY: the caller guarantees `ptr` is NULL or valid for writes.
    let out = unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(argument))?;
    *out = std::ptr::null_mut();
    Ok(out)
}

/// Moves `value` to the heap and hands it to C; `free` takes it back.
pub(crate) fn to_c<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back what [`to_c`] handed out, for a `*_free` function. NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or came from [`to_c`] and was not freed yet.
pub(crate) unsafe fn free_c<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the caller guarantees it came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> String {
        // SAFETY: the library's own NUL-terminated string.
        unsafe { CStr::from_ptr(wsseal_last_error_message()) }.to_str().unwrap().to_owned()
    }

    #[test]
    fn a_panic_becomes_a_code_and_a_message() {
        let result = guard(|| panic!("boom at the boundary"));
        assert_eq!(result, code(wsseal_code::WSSEAL_PANIC));
        assert!(last().contains("boom at the boundary"), "{}", last());
        assert_eq!(guard_value(7, || panic!("again")), 7);
        assert!(last().contains("again"));
    }

    #[test]
    fn a_failure_sets_the_threads_last_error_only() {
        let result = guard(|| Err(Failure::null("envelope")));
        assert_eq!(result, code(wsseal_code::WSSEAL_NULL_ARGUMENT));
        assert_eq!(last(), "envelope is NULL");
        std::thread::spawn(|| assert_eq!(last(), "")).join().unwrap();
        assert_eq!(guard(|| Ok(())), 0);
        assert_eq!(last(), "envelope is NULL", "success leaves the last error alone");
    }

    #[test]
    fn nul_in_a_message_is_escaped() {
        assert_eq!(c_string("a\0b").as_bytes(), b"a\\0b");
    }

    #[test]
    fn raw_arguments_are_checked() {
        // SAFETY: NULL and valid pointers only.
        unsafe {
            assert_eq!(arg_slice::<u8>(std::ptr::null(), 0, "x").unwrap_err().code, 900);
            assert_eq!(arg_slice::<u8>(b"".as_ptr(), usize::MAX, "x").unwrap_err().code, 901);
            assert_eq!(arg_text(b"\xff".as_ptr(), 1, "x").unwrap_err().code, 902);
            assert_eq!(arg_c_str(c"ok".as_ptr(), "x").unwrap(), "ok");
            let mut out: *mut u8 = 8 as *mut u8;
            arg_out(&mut out, "out").unwrap();
            assert!(out.is_null());
        }
    }
}
