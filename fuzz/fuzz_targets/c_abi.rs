//! The C ABI as a careless C host calls it, on arbitrary input. The first byte chooses the
//! operation (its low three bits: 1–4 are the four operations, the rest invalid), whether an
//! exchange goes in (decoded from the next bytes through `wsseal_exchange_from_bytes`), and
//! whether the envelope pointer is NULL; the rest is the envelope. Every call must return a code,
//! never unwind: a failure leaves the out pointer NULL and sets the last error message; a success
//! gives an outcome whose accessors all answer and whose exchange survives its byte encoding.
#![no_main]

use std::ffi::CStr;
use std::ptr::{null, null_mut};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wsseal::buffer::{wsseal_buffer, wsseal_buffer_bytes, wsseal_buffer_free};
use wsseal::engine::{wsseal_engine, wsseal_engine_from_toml};
use wsseal::exchange::{wsseal_exchange, wsseal_exchange_free, wsseal_exchange_from_bytes, wsseal_exchange_to_bytes};
use wsseal::operation::{
    wsseal_engine_process, wsseal_outcome, wsseal_outcome_code, wsseal_outcome_envelope, wsseal_outcome_free,
    wsseal_outcome_message, wsseal_outcome_report, wsseal_outcome_take_exchange,
};
use wsseal::report::wsseal_report_to_json;
use wsseal::result::wsseal_result;
use wsseal::wsseal_last_error_message;

/// How many bytes after the selector an exchange is decoded from, when one goes in.
const EXCHANGE_BYTES: usize = 64;

/// The service engine of the fixtures, built once through `wsseal_engine_from_toml`.
struct Engine(*mut wsseal_engine);

// SAFETY: the C ABI documents an engine as usable from any number of threads at once.
unsafe impl Send for Engine {}
// SAFETY: as above.
unsafe impl Sync for Engine {}

fn engine() -> *const wsseal_engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let toml = "[credentials]\ncertificate = \"service.pem\"\nprivate_key = \"service.key.pem\"\n\
                        [peer]\ncertificate = \"client.pem\"\n[policy]\ndetect_replays = false\n";
            let base = std::ffi::CString::new(wsseal_fuzz::fixtures_dir().to_str().expect("a UTF-8 path"))
                .expect("no NUL in the path");
            let mut engine = null_mut();
            // SAFETY: valid pointers and lengths; no validator.
            let code =
                unsafe { wsseal_engine_from_toml(toml.as_ptr(), toml.len(), base.as_ptr(), null(), &mut engine) };
            assert_eq!(code, 0, "the fixture engine: {}", last_error());
            Engine(engine)
        })
        .0
}

fn last_error() -> String {
    let message = wsseal_last_error_message();
    assert!(!message.is_null(), "a failing call leaves a message");
    // SAFETY: a non-NULL last error message is a NUL-terminated string valid until the next call.
    unsafe { CStr::from_ptr(message) }.to_string_lossy().into_owned()
}

/// Checks a call's result: success with a non-NULL out pointer, or a code with a NULL one and a
/// message.
fn checked<T>(code: wsseal_result, out: *mut T) -> Option<*mut T> {
    if code == 0 {
        assert!(!out.is_null(), "success gives the out pointer a value");
        Some(out)
    } else {
        assert!(out.is_null(), "failure {code} leaves the out pointer NULL");
        assert!(!last_error().is_empty());
        None
    }
}

/// The bytes of a buffer, which it then frees.
fn take_bytes(buffer: *mut wsseal_buffer) -> Vec<u8> {
    // SAFETY: `buffer` came from the C ABI and is freed once, here.
    unsafe {
        let bytes = wsseal_buffer_bytes(buffer);
        let copy = std::slice::from_raw_parts(bytes.data, bytes.len).to_vec();
        wsseal_buffer_free(buffer);
        copy
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let operation = u32::from(selector & 0x07);
    let (exchange_bytes, envelope) =
        if selector & 0x08 != 0 { rest.split_at(rest.len().min(EXCHANGE_BYTES)) } else { (&rest[..0], rest) };
    let mut exchange: *mut wsseal_exchange = null_mut();
    if selector & 0x08 != 0 {
        // SAFETY: valid pointer and length.
        let code = unsafe { wsseal_exchange_from_bytes(exchange_bytes.as_ptr(), exchange_bytes.len(), &mut exchange) };
        exchange = checked(code, exchange).unwrap_or(null_mut());
    }
    let envelope_ptr = if selector & 0x10 != 0 { null() } else { envelope.as_ptr() };

    let mut outcome: *mut wsseal_outcome = null_mut();
    // SAFETY: the engine is valid; the envelope pointer is NULL or `envelope.len()` readable bytes;
    // the exchange is NULL or valid.
    let code =
        unsafe { wsseal_engine_process(engine(), operation, envelope_ptr, envelope.len(), exchange, &mut outcome) };
    if envelope_ptr.is_null() {
        assert_ne!(code, 0, "a NULL envelope is refused");
    }
    if let Some(outcome) = checked(code, outcome) {
        // SAFETY: `outcome` is valid until it is freed at the end of this block.
        unsafe {
            assert_eq!(wsseal_outcome_code(outcome), 0);
            assert!(!wsseal_outcome_message(outcome).is_null());
            let opened = wsseal_outcome_envelope(outcome);
            assert!(!opened.data.is_null() || opened.len == 0);
            let report = wsseal_outcome_report(outcome);
            if !report.is_null() {
                let mut json = null_mut();
                if let Some(json) = checked(wsseal_report_to_json(report, &mut json), json) {
                    assert!(serde_json_value(&take_bytes(json)));
                }
            }
            let mut taken = null_mut();
            if let Some(taken) = checked(wsseal_outcome_take_exchange(outcome, &mut taken), taken) {
                let mut encoded = null_mut();
                let encoded = take_bytes(checked(wsseal_exchange_to_bytes(taken, &mut encoded), encoded).unwrap());
                let mut decoded = null_mut();
                let decoded =
                    checked(wsseal_exchange_from_bytes(encoded.as_ptr(), encoded.len(), &mut decoded), decoded)
                        .expect("an encoded exchange decodes");
                wsseal_exchange_free(decoded);
                wsseal_exchange_free(taken);
            }
            wsseal_outcome_free(outcome);
        }
    }
    // SAFETY: NULL or an exchange decoded above, freed once.
    unsafe { wsseal_exchange_free(exchange) };
});

/// Whether the report's JSON is an object (the shape `Report` serializes to).
fn serde_json_value(json: &[u8]) -> bool {
    json.first() == Some(&b'{') && json.last() == Some(&b'}')
}
