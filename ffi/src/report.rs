//! `wsseal_report`: what opening a message proved — the signer, the signed and encrypted parts,
//! the Timestamp — as accessors and as JSON.

use wsseal_core::wss::Report;

use crate::boundary::{Failure, arg_out, arg_ref, guard, read_handle, to_c};
use crate::buffer::{wsseal_buffer, wsseal_str};
use crate::result::wsseal_result;

/// The verification report of an opened message. It belongs to its outcome: every string it
/// gives is valid until the outcome is freed. Parts are named `Body`, `Timestamp`, `Signature`,
/// or `{namespace}local` for header blocks. Immutable: any thread may read it.
#[allow(non_camel_case_types)]
pub struct wsseal_report {
    pub(crate) report: Report,
}

/// The certificate that signed a message, as text.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
#[allow(non_camel_case_types)]
pub struct wsseal_signer {
    /// The subject, RFC 4514.
    pub subject: wsseal_str,
    /// The issuer, RFC 4514.
    pub issuer: wsseal_str,
    /// The serial number, decimal.
    pub serial: wsseal_str,
    /// The SHA-1 thumbprint, upper-case hex.
    pub thumbprint_sha1: wsseal_str,
}

/// Runs `read` on the report behind `report`; NULL gives `absent`.
fn read<T: Copy>(report: *const wsseal_report, absent: T, read: impl FnOnce(&Report) -> T) -> T {
    // SAFETY: the caller of every accessor passes NULL or a report of a live outcome.
    unsafe { read_handle(report, absent, |r| read(&r.report)) }
}

/// Fills `*signer_out` with the signer of the message and returns true; returns false (and
/// leaves `*signer_out` alone) when the report names no signer or an argument is NULL.
///
/// Ownership: the strings belong to the report's outcome. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_signer(report: *const wsseal_report, signer_out: *mut wsseal_signer) -> bool {
    read(report, false, |r| {
        // SAFETY: the caller passes NULL or a writable `wsseal_signer`.
        match (r.signer.as_ref(), unsafe { signer_out.as_mut() }) {
            (Some(signer), Some(out)) => {
                *out = wsseal_signer {
                    subject: wsseal_str::of(&signer.subject),
                    issuer: wsseal_str::of(&signer.issuer),
                    serial: wsseal_str::of(&signer.serial),
                    thumbprint_sha1: wsseal_str::of(&signer.thumbprint_sha1),
                };
                true
            }
            _ => false,
        }
    })
}

/// The number of parts covered, at their positions, by a verified signature (0 for NULL).
///
/// Thread-safety: any thread. Errors: none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_signed_count(report: *const wsseal_report) -> usize {
    read(report, 0, |r| r.signed.len())
}

/// The name of signed part `index` (`0 <= index < wsseal_report_signed_count`); absent (NULL
/// data) when out of range or `report` is NULL.
///
/// Ownership: the text belongs to the report's outcome. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_signed_part(report: *const wsseal_report, index: usize) -> wsseal_str {
    read(report, wsseal_str::ABSENT, |r| wsseal_str::of_option(r.signed.get(index).map(String::as_str)))
}

/// The number of parts that arrived encrypted (0 for NULL).
///
/// Thread-safety: any thread. Errors: none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_encrypted_count(report: *const wsseal_report) -> usize {
    read(report, 0, |r| r.encrypted.len())
}

/// The name of encrypted part `index` (`0 <= index < wsseal_report_encrypted_count`); absent
/// when out of range or `report` is NULL.
///
/// Ownership: the text belongs to the report's outcome. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_encrypted_part(report: *const wsseal_report, index: usize) -> wsseal_str {
    read(report, wsseal_str::ABSENT, |r| wsseal_str::of_option(r.encrypted.get(index).map(String::as_str)))
}

/// The verified Timestamp's Created (`YYYY-MM-DDThh:mm:ss.sssZ`); absent when the message had
/// no Timestamp or `report` is NULL.
///
/// Ownership: the text belongs to the report's outcome. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_timestamp_created(report: *const wsseal_report) -> wsseal_str {
    read(report, wsseal_str::ABSENT, |r| wsseal_str::of_option(r.timestamp.as_ref().map(|t| t.created.as_str())))
}

/// The verified Timestamp's Expires; absent when there is none.
///
/// Ownership: the text belongs to the report's outcome. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_timestamp_expires(report: *const wsseal_report) -> wsseal_str {
    read(report, wsseal_str::ABSENT, |r| wsseal_str::of_option(r.timestamp.as_ref().and_then(|t| t.expires.as_deref())))
}

/// The signed WS-Addressing MessageID; absent when the message had none signed.
///
/// Ownership: the text belongs to the report's outcome. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_message_id(report: *const wsseal_report) -> wsseal_str {
    read(report, wsseal_str::ABSENT, |r| wsseal_str::of_option(r.message_id.as_deref()))
}

/// The whole report as one line of JSON (the fields `signer`, `signed`, `encrypted`,
/// `timestamp`, `message_id`) in `*buffer_out`.
///
/// Ownership: `*buffer_out` is the caller's, freed with `wsseal_buffer_free` (NULL on failure).
/// Thread-safety: any thread. Errors: `NULL_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_report_to_json(
    report: *const wsseal_report,
    buffer_out: *mut *mut wsseal_buffer,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers.
        let out = unsafe { arg_out(buffer_out, "buffer_out") }?;
        // SAFETY: as above.
        let report = unsafe { arg_ref(report, "report") }?;
        let bytes = serde_json::to_vec(&report.report).map_err(|e| Failure::invalid(format!("report: {e}")))?;
        *out = to_c(wsseal_buffer { bytes });
        Ok(())
    })
}
