//! `wsseal_exchange`: the state between a request and its response, and its byte encoding for
//! hosts that keep it outside the process.

use wsseal_core::Exchange;

use crate::boundary::{arg_out, arg_ref, arg_slice, free_c, guard, guard_value, to_c};
use crate::buffer::wsseal_buffer;
use crate::result::wsseal_result;

/// The state one side of a request/response exchange keeps between its two messages: a client
/// gets it from securing a request and passes it to opening the response; a service gets it from
/// opening a request and passes it to securing the response. Immutable: one exchange may be read
/// by several threads at once. It may hold secrets in later profiles: never log it.
#[allow(non_camel_case_types)]
pub struct wsseal_exchange {
    pub(crate) exchange: Exchange,
}

/// Encodes `exchange` into `*buffer_out` (an opaque, versioned token), for a host that keeps the
/// state outside the process; keep it in memory or sealed.
///
/// Ownership: `exchange` is borrowed; `*buffer_out` is the caller's, freed with
/// `wsseal_buffer_free` (NULL on failure). Thread-safety: any thread. Errors: `NULL_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_exchange_to_bytes(
    exchange: *const wsseal_exchange,
    buffer_out: *mut *mut wsseal_buffer,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers.
        let out = unsafe { arg_out(buffer_out, "buffer_out") }?;
        // SAFETY: as above.
        let exchange = unsafe { arg_ref(exchange, "exchange") }?;
        *out = to_c(wsseal_buffer { bytes: exchange.exchange.to_bytes() });
        Ok(())
    })
}

/// Decodes what `wsseal_exchange_to_bytes` wrote into a new exchange in `*exchange_out`.
///
/// Ownership: `bytes` is borrowed for the call; `*exchange_out` is the caller's, freed with
/// `wsseal_exchange_free` (NULL on failure). Thread-safety: any thread. Errors: `NULL_ARGUMENT`,
/// `EXCHANGE_INVALID` for anything `wsseal_exchange_to_bytes` did not write (truncated, another
/// version, garbage).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_exchange_from_bytes(
    bytes: *const u8,
    len: usize,
    exchange_out: *mut *mut wsseal_exchange,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers.
        let out = unsafe { arg_out(exchange_out, "exchange_out") }?;
        // SAFETY: as above, `len` readable bytes.
        let bytes = unsafe { arg_slice(bytes, len, "bytes") }?;
        *out = to_c(wsseal_exchange { exchange: Exchange::from_bytes(bytes)? });
        Ok(())
    })
}

/// Frees an exchange. NULL is a no-op. Outcomes and engines do not refer to exchanges, so any
/// order of freeing is allowed.
///
/// Ownership: takes `exchange`. Thread-safety: not while another thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_exchange_free(exchange: *mut wsseal_exchange) {
    // SAFETY: the caller passes NULL or an exchange from this library, once.
    guard_value((), || unsafe { free_c(exchange) })
}
