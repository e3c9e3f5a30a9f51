//! `wsseal_sidecar`: a blocking client of the sidecar protocol (docs/protocol.md) over a Unix
//! socket, for hosts that let `wsseal serve` hold the keys. The frames are those of
//! [`wsseal_core::protocol`]; the exchange state travels as the sidecar's opaque token bytes.

use std::ffi::{CString, OsStr, c_char};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::sync::Mutex;

use wsseal_core::protocol::{self, ItemResult, Op, Response};

use crate::boundary::{Failure, arg_out, arg_ref, arg_slice, c_string, free_c, guard, guard_value, read_handle, to_c};
use crate::buffer::{wsseal_bytes, wsseal_str};
use crate::operation::{self, wsseal_operation};
use crate::result::{code, wsseal_code, wsseal_result};

/// A connection to a `wsseal serve` sidecar. Calls on one client are serialized (each waits for
/// its answer before the next is sent), so any thread may use it; open one client per thread for
/// parallel calls. After a connection failure every call fails with `SIDECAR_CONNECTION`: free the
/// client and connect again.
#[allow(non_camel_case_types)]
pub struct wsseal_sidecar {
    connection: Mutex<Connection>,
}

struct Connection {
    stream: UnixStream,
    next_id: u32,
    /// Set while a call is under way and left set when it did not end cleanly (an I/O error, an
    /// unreadable answer, a panic): the stream may then be inside a frame.
    broken: bool,
}

fn connection_failure(message: impl Into<String>) -> Failure {
    Failure::new(wsseal_code::WSSEAL_SIDECAR_CONNECTION, message)
}

impl Connection {
    /// Sends one request and reads its answer: one result per item, or the refusal of the frame.
    fn call(&mut self, op: Op, items: &[Item<'_>]) -> Result<Vec<ItemResult>, Failure> {
        if self.broken {
            return Err(connection_failure("an earlier call broke the connection to the sidecar: connect again"));
        }
        self.broken = true;
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        let id = self.next_id;
        std::io::Write::write_all(&mut self.stream, &protocol::encode_request(op, id, items))
            .map_err(|e| connection_failure(format!("sending to the sidecar failed: {e}")))?;
        let payload = match protocol::read_frame(&mut self.stream, protocol::MAX_RESPONSE) {
            Ok(Some(payload)) => payload,
            Ok(None) | Err(protocol::ReadError::Truncated) => {
                return Err(connection_failure("the sidecar closed the connection before answering"));
            }
            Err(protocol::ReadError::TooLarge(length)) => {
                return Err(connection_failure(format!("the sidecar's answer of {length} bytes is too large")));
            }
            Err(protocol::ReadError::Io(e)) => {
                return Err(connection_failure(format!("reading from the sidecar failed: {e}")));
            }
        };
        let response = Response::decode(&payload).map_err(connection_failure)?;
        // A refusal of a frame whose header could not be read carries id 0.
        if response.id != id && !(response.id == 0 && response.status != 0) {
            return Err(connection_failure(format!("the answer is for request {}, not {id}", response.id)));
        }
        if response.status != 0 {
            self.broken = response.status == wsseal_core::ErrorCode::FrameTooLarge.value();
            return Err(Failure { code: response.status, message: response.message });
        }
        if response.results.len() != items.len() {
            return Err(connection_failure(format!(
                "the sidecar answered {} results for {} items",
                response.results.len(),
                items.len()
            )));
        }
        self.broken = false;
        Ok(response.results)
    }
}

impl wsseal_sidecar {
    fn call(&self, op: Op, items: &[Item<'_>]) -> Result<Vec<ItemResult>, Failure> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner()).call(op, items)
    }
}

/// Connects to the sidecar listening on the Unix socket at the `path_len` bytes of `path` (a file
/// name, not NUL-terminated, in the platform's encoding).
///
/// Ownership: `path` is borrowed for the call; `*client_out` is the caller's, freed with
/// `wsseal_sidecar_free` (NULL on failure). Thread-safety: any thread. Errors: `NULL_ARGUMENT`,
/// `SIDECAR_CONNECTION` (no socket there, permission denied, nobody listening).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_connect(
    path: *const u8,
    path_len: usize,
    client_out: *mut *mut wsseal_sidecar,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers, `path_len` readable bytes.
        let out = unsafe { arg_out(client_out, "client_out") }?;
        // SAFETY: as above.
        let path = OsStr::from_bytes(unsafe { arg_slice(path, path_len, "path") }?);
        let stream = UnixStream::connect(path).map_err(|e| {
            connection_failure(format!("cannot connect to the sidecar at {}: {e}", path.to_string_lossy()))
        })?;
        *out = to_c(wsseal_sidecar { connection: Mutex::new(Connection { stream, next_id: 0, broken: false }) });
        Ok(())
    })
}

/// Closes the connection and frees the client. NULL is a no-op. Results it produced stay valid.
///
/// Ownership: takes `client`. Thread-safety: only once no other thread uses the client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_free(client: *mut wsseal_sidecar) {
    // SAFETY: the caller passes NULL or a client from this library, once.
    guard_value((), || unsafe { free_c(client) })
}

/// A round trip without items: `WSSEAL_OK` when the sidecar answers.
///
/// Thread-safety: any thread. Errors: `NULL_ARGUMENT`, `SIDECAR_CONNECTION`, or the code the
/// sidecar refused the frame with (`BUSY`...).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_ping(client: *const wsseal_sidecar) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a live client.
        unsafe { arg_ref(client, "client") }?.call(Op::Ping, &[]).map(drop)
    })
}

/// One envelope of a sidecar batch.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct wsseal_sidecar_item {
    /// The envelope's bytes (not NULL, even when empty).
    pub envelope: *const u8,
    /// The envelope's length.
    pub envelope_len: usize,
    /// The token of the request's result (`wsseal_sidecar_result_token`), for
    /// `WSSEAL_OPEN_RESPONSE` and `WSSEAL_SECURE_RESPONSE`; NULL (with `token_len` 0) otherwise.
    pub token: *const u8,
    /// The token's length.
    pub token_len: usize,
}

/// One item as the protocol carries it: (envelope, token).
type Item<'a> = (&'a [u8], &'a [u8]);

/// What the sidecar answered for one item: on success the output envelope, the token (after
/// securing a request or opening one) and the report as JSON (after opening); on failure the code
/// and message. Owned by the caller, freed with `wsseal_sidecar_result_free`; everything borrowed
/// from it is valid until then. Immutable.
#[allow(non_camel_case_types)]
pub struct wsseal_sidecar_result {
    code: wsseal_result,
    message: CString,
    envelope: Vec<u8>,
    token: Vec<u8>,
    report: String,
}

impl wsseal_sidecar_result {
    fn of(result: Result<ItemResult, Failure>) -> Self {
        let failed = |code, message: &str| Self {
            code,
            message: c_string(message),
            envelope: Vec::new(),
            token: Vec::new(),
            report: String::new(),
        };
        match result {
            Ok(item) if item.is_ok() => Self {
                code: code(wsseal_code::WSSEAL_OK),
                message: CString::default(),
                report: String::from_utf8_lossy(&item.detail).into_owned(),
                envelope: item.envelope,
                token: item.token,
            },
            Ok(item) => failed(item.code, &String::from_utf8_lossy(&item.detail)),
            Err(failure) => failed(failure.code, &failure.message),
        }
    }
}

/// Sends the `count` items to the sidecar as one batch of `operation` and writes one result per
/// item, in order, to `results_out[0..count]`: the sidecar's counterpart of
/// `wsseal_engine_process_batch`. Each item succeeds or fails on its own: check
/// `wsseal_sidecar_result_code` of each.
///
/// Ownership: `items` and what they point to are borrowed for the call; each result is the
/// caller's, freed with `wsseal_sidecar_result_free`. Thread-safety: any thread; calls on one
/// client wait for each other. Errors (of the call as a whole, when no result is written and every
/// `results_out` entry is NULL): `NULL_ARGUMENT` (`client`, `items` or `results_out` NULL
/// while `count` > 0), `INVALID_ARGUMENT` (unknown operation), `SIDECAR_CONNECTION`, and the
/// codes a sidecar refuses a whole frame with (`BUSY`, `BATCH_TOO_LARGE`...; docs/protocol.md).
/// An item with a NULL envelope, or a NULL token with a length, gets a result with
/// `NULL_ARGUMENT` and is not sent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_process(
    client: *const wsseal_sidecar,
    operation: wsseal_operation,
    items: *const wsseal_sidecar_item,
    count: usize,
    results_out: *mut *mut wsseal_sidecar_result,
) -> wsseal_result {
    guard(|| {
        if count == 0 {
            return Ok(());
        }
        // SAFETY: the caller passes NULL or `count` writable entries.
        unsafe { arg_slice(results_out.cast_const(), count, "results_out") }?;
        // SAFETY: checked above; the entries are the caller's to write.
        let results = unsafe { std::slice::from_raw_parts_mut(results_out, count) };
        results.fill(std::ptr::null_mut());
        // SAFETY: the caller passes NULL or a live client.
        let client = unsafe { arg_ref(client, "client") }?;
        let op = Op::from(operation::operation(operation)?);
        // SAFETY: as above, `count` readable items.
        let items = unsafe { arg_slice(items, count, "items") }?;

        // Items with valid arguments go to the sidecar; the others fail on their own.
        let checked: Vec<Result<Item<'_>, Failure>> = items
            .iter()
            .map(|item| {
                // SAFETY: each item's pointers are NULL or valid, as documented.
                let envelope = unsafe { arg_slice(item.envelope, item.envelope_len, "envelope") }?;
                let token = match item.token.is_null() && item.token_len == 0 {
                    true => &[][..],
                    // SAFETY: as above.
                    false => unsafe { arg_slice(item.token, item.token_len, "token") }?,
                };
                Ok((envelope, token))
            })
            .collect();
        let valid: Vec<Item<'_>> = checked.iter().filter_map(|c| c.as_ref().ok().copied()).collect();
        let mut answered = match valid.is_empty() {
            true => Vec::new(),
            false => client.call(op, &valid)?,
        }
        .into_iter();
        for (slot, check) in results.iter_mut().zip(checked) {
            let result = match check {
                Ok(_) => Ok(answered.next().expect("one result per valid item")),
                Err(failure) => Err(failure),
            };
            *slot = to_c(wsseal_sidecar_result::of(result));
        }
        Ok(())
    })
}

/// The result's code: `WSSEAL_OK`, or why its item failed (an engine code, a sidecar code such as
/// `TOKEN_INVALID`, or `NULL_ARGUMENT` for an item not sent). `NULL_ARGUMENT` for NULL.
///
/// Thread-safety: any thread. Errors: none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_result_code(result: *const wsseal_sidecar_result) -> wsseal_result {
    // SAFETY: the caller passes NULL or a live result.
    unsafe { read_handle(result, code(wsseal_code::WSSEAL_NULL_ARGUMENT), |r| r.code) }
}

/// The message of a failed result, for the local logs (never send it to the peer); `""` for a
/// successful one and for NULL.
///
/// Ownership: borrowed from the result, valid until it is freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_result_message(result: *const wsseal_sidecar_result) -> *const c_char {
    // SAFETY: the caller passes NULL or a live result.
    unsafe { read_handle(result, c"".as_ptr(), |r| r.message.as_ptr()) }
}

/// The output envelope: secured, or opened (only verified, decrypted content); empty for a failed
/// result and for NULL.
///
/// Ownership: borrowed from the result, valid until it is freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_result_envelope(result: *const wsseal_sidecar_result) -> wsseal_bytes {
    // SAFETY: the caller passes NULL or a live result.
    unsafe { read_handle(result, wsseal_bytes::EMPTY, |r| wsseal_bytes::of(&r.envelope)) }
}

/// The exchange token after `WSSEAL_SECURE_REQUEST` or `WSSEAL_OPEN_REQUEST`: opaque bytes to pass
/// (as `wsseal_sidecar_item.token`) with the response to the same sidecar, or one sharing its
/// token key. Empty otherwise, for a failed result and for NULL. Keep it in memory.
///
/// Ownership: borrowed from the result, valid until it is freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_result_token(result: *const wsseal_sidecar_result) -> wsseal_bytes {
    // SAFETY: the caller passes NULL or a live result.
    unsafe { read_handle(result, wsseal_bytes::EMPTY, |r| wsseal_bytes::of(&r.token)) }
}

/// The verification report as JSON after `WSSEAL_OPEN_REQUEST` or `WSSEAL_OPEN_RESPONSE` (the
/// fields of `wsseal_report_to_json`); absent (NULL data) after securing, for a failed result
/// and for NULL.
///
/// Ownership: borrowed from the result, valid until it is freed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_result_report_json(result: *const wsseal_sidecar_result) -> wsseal_str {
    // SAFETY: the caller passes NULL or a live result.
    unsafe {
        read_handle(result, wsseal_str::ABSENT, |r| {
            wsseal_str::of_option(Some(r.report.as_str()).filter(|report| !report.is_empty()))
        })
    }
}

/// Frees a result with everything borrowed from it. NULL is a no-op.
///
/// Ownership: takes `result`. Thread-safety: not while another thread uses it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_sidecar_result_free(result: *mut wsseal_sidecar_result) {
    // SAFETY: the caller passes NULL or a result from this library, once.
    guard_value((), || unsafe { free_c(result) })
}
