//! The four operations on one envelope, and `wsseal_outcome`: what one of them produced.

use std::ffi::{CString, c_char};

use wsseal_core::{Operation, Outcome};

use crate::boundary::{Failure, arg_out, arg_ref, arg_slice, c_string, free_c, guard, guard_value, read_handle, to_c};
use crate::buffer::wsseal_bytes;
use crate::engine::wsseal_engine;
use crate::exchange::wsseal_exchange;
use crate::report::wsseal_report;
use crate::result::{code, wsseal_code, wsseal_result};

/// An operation on an envelope: one of the `WSSEAL_SECURE_REQUEST`, `WSSEAL_OPEN_RESPONSE`,
/// `WSSEAL_OPEN_REQUEST`, `WSSEAL_SECURE_RESPONSE` values. Any other value is `INVALID_ARGUMENT`.
#[allow(non_camel_case_types)]
pub type wsseal_operation = u32;

/// A client secures a request: no exchange goes in; the outcome holds the exchange to open the
/// response with.
pub const WSSEAL_SECURE_REQUEST: wsseal_operation = 1;
/// A client opens the response to its request, with the exchange securing the request gave.
pub const WSSEAL_OPEN_RESPONSE: wsseal_operation = 2;
/// A service opens a request: no exchange goes in; the outcome holds the report and the exchange
/// to secure the response with.
pub const WSSEAL_OPEN_REQUEST: wsseal_operation = 3;
/// A service secures the response to a request, with the exchange opening the request gave.
pub const WSSEAL_SECURE_RESPONSE: wsseal_operation = 4;

/// The core operation a C value names.
pub(crate) fn operation(value: wsseal_operation) -> Result<Operation, Failure> {
    match value {
        WSSEAL_SECURE_REQUEST => Ok(Operation::SecureRequest),
        WSSEAL_OPEN_RESPONSE => Ok(Operation::OpenResponse),
        WSSEAL_OPEN_REQUEST => Ok(Operation::OpenRequest),
        WSSEAL_SECURE_RESPONSE => Ok(Operation::SecureResponse),
        other => Err(Failure::invalid(format!("{other} is not a wsseal_operation"))),
    }
}

/// What an operation produced: on success the output envelope, the exchange and (after opening)
/// the report; in a batch, a failed item's code and message instead. Owned by the caller, freed
/// with `wsseal_outcome_free`; everything borrowed from it is valid until then. Immutable except
/// for `wsseal_outcome_take_exchange`.
#[allow(non_camel_case_types)]
pub struct wsseal_outcome {
    code: wsseal_result,
    message: CString,
    envelope: Vec<u8>,
    exchange: Option<wsseal_exchange>,
    report: Option<wsseal_report>,
}

impl wsseal_outcome {
    /// The outcome of one operation, failed or not.
    pub(crate) fn of(result: Result<Outcome, Failure>) -> Self {
        match result {
            Ok(outcome) => Self {
                code: code(wsseal_code::WSSEAL_OK),
                message: CString::default(),
                envelope: outcome.envelope,
                exchange: Some(wsseal_exchange { exchange: outcome.exchange }),
                report: outcome.report.map(|report| wsseal_report { report }),
            },
            Err(failure) => Self {
                code: failure.code,
                message: c_string(&failure.message),
                envelope: Vec::new(),
                exchange: None,
                report: None,
            },
        }
    }
}

/// Runs `operation` on the `envelope_len` bytes at `envelope`. `exchange` must be NULL for
/// `WSSEAL_SECURE_REQUEST` and `WSSEAL_OPEN_REQUEST`, and the exchange of the request for
/// `WSSEAL_OPEN_RESPONSE` and `WSSEAL_SECURE_RESPONSE`. On success `*outcome_out` holds the result.
///
/// Ownership: `envelope` and `exchange` are borrowed for the call; `*outcome_out` is the caller's,
/// freed with `wsseal_outcome_free` (NULL on failure). Thread-safety: any number of threads may
/// use one engine and one exchange at once. Errors: `NULL_ARGUMENT` (an empty envelope still
/// needs a non-NULL pointer), `INVALID_ARGUMENT` (unknown operation), `EXCHANGE_INVALID`
/// (exchange given or missing against the rule above), and every engine code: the input is
/// refused (malformed XML, bad signature, wrong exchange: `RESPONSE_MISMATCH`...). The message is
/// in `wsseal_last_error_message`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_engine_process(
    engine: *const wsseal_engine,
    operation: wsseal_operation,
    envelope: *const u8,
    envelope_len: usize,
    exchange: *const wsseal_exchange,
    outcome_out: *mut *mut wsseal_outcome,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers, `envelope_len` readable bytes.
        let out = unsafe { arg_out(outcome_out, "outcome_out") }?;
        // SAFETY: as above.
        let engine = unsafe { arg_ref(engine, "engine") }?;
        // SAFETY: as above.
        let envelope = unsafe { arg_slice(envelope, envelope_len, "envelope") }?;
        // SAFETY: as above; NULL means no exchange.
        let exchange = unsafe { exchange.as_ref() }.map(|e| &e.exchange);
        let outcome = engine.engine.process(self::operation(operation)?, envelope, exchange)?;
        *out = to_c(wsseal_outcome::of(Ok(outcome)));
        Ok(())
    })
}

/// The outcome's result code: `WSSEAL_OK`, or why its batch item failed. `NULL_ARGUMENT` for NULL.
///
/// Thread-safety: any thread. Errors: none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_outcome_code(outcome: *const wsseal_outcome) -> wsseal_result {
    // SAFETY: the caller passes NULL or a live outcome.
    unsafe { read_handle(outcome, code(wsseal_code::WSSEAL_NULL_ARGUMENT), |o| o.code) }
}

/// The message of a failed outcome; `""` for a successful one and for NULL.
///
/// Ownership: borrowed from the outcome, valid until it is freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_outcome_message(outcome: *const wsseal_outcome) -> *const c_char {
    // SAFETY: the caller passes NULL or a live outcome.
    unsafe { read_handle(outcome, c"".as_ptr(), |o| o.message.as_ptr()) }
}

/// The output envelope: secured, or opened (only verified, decrypted content); empty for a failed
/// outcome and for NULL.
///
/// Ownership: borrowed from the outcome, valid until it is freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_outcome_envelope(outcome: *const wsseal_outcome) -> wsseal_bytes {
    // SAFETY: the caller passes NULL or a live outcome.
    unsafe { read_handle(outcome, wsseal_bytes::EMPTY, |o| wsseal_bytes::of(&o.envelope)) }
}

/// The verification report of an opened envelope; NULL after securing, for a failed outcome and
/// for NULL.
///
/// Ownership: borrowed from the outcome, valid until it is freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_outcome_report(outcome: *const wsseal_outcome) -> *const wsseal_report {
    // SAFETY: the caller passes NULL or a live outcome.
    unsafe { read_handle(outcome, std::ptr::null(), |o| o.report.as_ref().map_or(std::ptr::null(), |r| r)) }
}

/// Moves the outcome's exchange into `*exchange_out`, to pass to the other operation of the
/// exchange (possibly after the outcome is freed).
///
/// Ownership: `*exchange_out` is the caller's, freed with `wsseal_exchange_free` (NULL on
/// failure). Thread-safety: not concurrently with other uses of the outcome. Errors:
/// `NULL_ARGUMENT`; `INVALID_ARGUMENT` when the outcome failed or its exchange was already taken.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_outcome_take_exchange(
    outcome: *mut wsseal_outcome,
    exchange_out: *mut *mut wsseal_exchange,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers.
        let out = unsafe { arg_out(exchange_out, "exchange_out") }?;
        // SAFETY: as above, and no other thread uses the outcome.
        let outcome = unsafe { outcome.as_mut() }.ok_or_else(|| Failure::null("outcome"))?;
        let exchange = outcome.exchange.take().ok_or_else(|| {
            Failure::invalid("the outcome has no exchange: it failed, or its exchange was already taken")
        })?;
        *out = to_c(exchange);
        Ok(())
    })
}

/// Frees an outcome with everything borrowed from it (envelope, report, message). NULL is a no-op.
/// An exchange taken from it stays valid.
///
/// Ownership: takes `outcome`. Thread-safety: not while another thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_outcome_free(outcome: *mut wsseal_outcome) {
    // SAFETY: the caller passes NULL or an outcome from this library, once.
    guard_value((), || unsafe { free_c(outcome) })
}
