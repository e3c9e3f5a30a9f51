//! The Custom certificate validator: the host decides, through C callbacks, which certificates
//! are trusted to sign (the core's `CertificateValidator`).

use std::ffi::c_void;
use std::fmt;
use std::sync::Arc;

use moka::sync::Cache;
use wsseal_core::cert::Certificate;
use wsseal_core::wss::token::TokenReference;
use wsseal_core::wss::{CertificateValidator, TrustedCertificate};
use wsseal_core::{Error, ErrorCode};

use crate::boundary::{Failure, arg_slice, guard};
use crate::buffer::{wsseal_bytes, wsseal_str};
use crate::result::wsseal_result;

/// Decides whether the certificate (`der_len` bytes of DER at `der`, valid during the call) may
/// sign messages: returns `WSSEAL_OK` to trust it, or a refusal code (usually
/// `WSSEAL_SIGNER_UNTRUSTED`; any value that is not an engine code counts as that).
#[allow(non_camel_case_types)]
pub type wsseal_validate_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, der: *const u8, der_len: usize) -> wsseal_result>;

/// Decides, like a `wsseal_validate_callback`, for a signing certificate the message carries
/// together with other certificates: `candidates_len` views of DER at `candidates` (valid during
/// the call), the rest of an X509PKIPathv1 or PKCS7 token or the Security header's other X509v3
/// tokens. They may complete a path as intermediates; they must never serve as trust anchors.
#[allow(non_camel_case_types)]
pub type wsseal_validate_chain_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        der: *const u8,
        der_len: usize,
        candidates: *const wsseal_bytes,
        candidates_len: usize,
    ) -> wsseal_result,
>;

/// Finds the trusted certificate a key reference names, for messages that do not carry it: calls
/// `wsseal_found_certificate_set` on `found` and returns `WSSEAL_OK`, or returns a refusal code.
/// `reference` is valid during the call.
#[allow(non_camel_case_types)]
pub type wsseal_find_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        reference: *const wsseal_token_reference,
        found: *mut wsseal_found_certificate,
    ) -> wsseal_result,
>;

/// Releases the validator's userdata when the engine that holds it is freed.
#[allow(non_camel_case_types)]
pub type wsseal_release_callback = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// A certificate validator implemented by the host. The callbacks run on the thread of the
/// operation or on the library's batch threads, several at once: they must be thread-safe, must
/// not unwind or longjmp, and must not call back into the same engine.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct wsseal_certificate_validator {
    /// Passed to every callback.
    pub userdata: *mut c_void,
    /// Required: validates a certificate the message carries.
    pub validate: wsseal_validate_callback,
    /// Optional (NULL): finds a certificate by reference; without it such messages are refused.
    pub find: wsseal_find_callback,
    /// Optional (NULL): called once with `userdata` when the engine is freed (or its creation
    /// failed).
    pub release: wsseal_release_callback,
    /// Optional (NULL): validates a certificate that comes with candidate intermediates; without
    /// it, `validate` decides on the certificate alone.
    pub validate_chain: wsseal_validate_chain_callback,
}

/// How a `wsseal_token_reference` names a certificate: one of the `WSSEAL_REFERENCE_*` values.
#[allow(non_camel_case_types)]
pub type wsseal_reference_kind = u32;

/// By subjectKeyIdentifier: `value` holds its bytes.
pub const WSSEAL_REFERENCE_SUBJECT_KEY_IDENTIFIER: wsseal_reference_kind = 1;
/// By SHA-1 thumbprint: `value` holds its 20 bytes.
pub const WSSEAL_REFERENCE_THUMBPRINT: wsseal_reference_kind = 2;
/// By issuer and serial number: `issuer` (RFC 4514 as written in the message) and `serial`
/// (decimal).
pub const WSSEAL_REFERENCE_ISSUER_SERIAL: wsseal_reference_kind = 3;

/// A reference to a certificate that a message names but does not carry.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct wsseal_token_reference {
    /// Which of the fields below are set.
    pub kind: wsseal_reference_kind,
    /// The identifier bytes, for a key identifier or thumbprint.
    pub value: wsseal_bytes,
    /// The issuer name, for issuer/serial.
    pub issuer: wsseal_str,
    /// The serial number, for issuer/serial.
    pub serial: wsseal_str,
}

/// Where a find callback puts the certificate it found.
#[allow(non_camel_case_types)]
pub struct wsseal_found_certificate {
    der: Option<Vec<u8>>,
}

/// Gives the certificate (DER, copied during the call) a find callback found. The library checks
/// that it matches the reference.
///
/// Thread-safety: only inside the find callback that received `found`. Errors: `NULL_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_found_certificate_set(
    found: *mut wsseal_found_certificate,
    der: *const u8,
    der_len: usize,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes the `found` it received, and `der_len` readable bytes.
        let found = unsafe { found.as_mut() }.ok_or_else(|| Failure::null("found"))?;
        // SAFETY: as above.
        found.der = Some(unsafe { arg_slice(der, der_len, "der") }?.to_vec());
        Ok(())
    })
}

/// The core's `CertificateValidator` over the host's callbacks. Parsed certificates are cached
/// by their DER; the trust decision is the host's every time.
pub(crate) struct CallbackValidator {
    userdata: *mut c_void,
    validate: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> wsseal_result,
    find: wsseal_find_callback,
    release: wsseal_release_callback,
    validate_chain: wsseal_validate_chain_callback,
    parsed: Cache<Vec<u8>, Arc<TrustedCertificate>>,
}

// SAFETY: the host promises (see `wsseal_certificate_validator`) that its callbacks and userdata
// may be used from any thread, concurrently.
unsafe impl Send for CallbackValidator {}
// SAFETY: as above.
unsafe impl Sync for CallbackValidator {}

impl CallbackValidator {
    /// The number of parsed certificates kept.
    const CACHED: u64 = 256;

    /// Takes over the host's callbacks; `release` runs when this is dropped, even if the engine
    /// cannot be built.
    pub(crate) fn new(callbacks: &wsseal_certificate_validator) -> Result<Self, Failure> {
        let validator = Self {
            userdata: callbacks.userdata,
            validate: match callbacks.validate {
                Some(validate) => validate,
                None => {
                    if let Some(release) = callbacks.release {
                        // SAFETY: the host's callback with its own userdata, once.
                        unsafe { release(callbacks.userdata) };
                    }
                    return Err(Failure::null("validator->validate"));
                }
            },
            find: callbacks.find,
            release: callbacks.release,
            validate_chain: callbacks.validate_chain,
            parsed: Cache::new(Self::CACHED),
        };
        Ok(validator)
    }

    /// `der` parsed with its key, from the cache when seen before.
    fn parse(&self, der: &[u8]) -> Result<Arc<TrustedCertificate>, Error> {
        if let Some(trusted) = self.parsed.get(der) {
            return Ok(trusted);
        }
        let certificate = Certificate::from_der(der).map_err(|e| {
            Error::new(ErrorCode::SignerUntrusted, format!("the signing certificate cannot be read: {}", e.message()))
        })?;
        let trusted = Arc::new(TrustedCertificate::new(certificate)?);
        self.parsed.insert(der.to_vec(), trusted.clone());
        Ok(trusted)
    }
}

/// The error a refusal code of a callback stands for.
fn refused(result: wsseal_result, certificate: &str) -> Error {
    let code = ErrorCode::from_value(result).unwrap_or(ErrorCode::SignerUntrusted);
    Error::new(code, format!("the host's certificate validator refused {certificate} (code {result})"))
}

impl CertificateValidator for CallbackValidator {
    fn validate_der(&self, der: &[u8]) -> Result<Arc<TrustedCertificate>, Error> {
        let trusted = self.parse(der)?;
        // SAFETY: the host's callback with its userdata and a slice valid during the call.
        let result = unsafe { (self.validate)(self.userdata, der.as_ptr(), der.len()) };
        if result != 0 {
            return Err(refused(result, trusted.certificate.subject()));
        }
        Ok(trusted)
    }

    fn validate_with_candidates(&self, der: &[u8], candidates: &[Vec<u8>]) -> Result<Arc<TrustedCertificate>, Error> {
        let Some(validate_chain) = self.validate_chain.filter(|_| !candidates.is_empty()) else {
            return self.validate_der(der);
        };
        let trusted = self.parse(der)?;
        let views: Vec<wsseal_bytes> = candidates.iter().map(|c| wsseal_bytes::of(c)).collect();
        // SAFETY: the host's callback with its userdata and views valid during the call.
        let result = unsafe { validate_chain(self.userdata, der.as_ptr(), der.len(), views.as_ptr(), views.len()) };
        if result != 0 {
            return Err(refused(result, trusted.certificate.subject()));
        }
        Ok(trusted)
    }

    fn find(&self, reference: &TokenReference<'_>) -> Result<Arc<TrustedCertificate>, Error> {
        let untrusted = |message: &str| Error::new(ErrorCode::SignerUntrusted, message);
        let find = self.find.ok_or_else(|| untrusted("the host's certificate validator has no find callback"))?;
        let mut c_reference = wsseal_token_reference {
            kind: 0,
            value: wsseal_bytes::EMPTY,
            issuer: wsseal_str::ABSENT,
            serial: wsseal_str::ABSENT,
        };
        match reference {
            TokenReference::SubjectKeyIdentifier(ski) => {
                c_reference.kind = WSSEAL_REFERENCE_SUBJECT_KEY_IDENTIFIER;
                c_reference.value = wsseal_bytes::of(ski);
            }
            TokenReference::Thumbprint(thumbprint) => {
                c_reference.kind = WSSEAL_REFERENCE_THUMBPRINT;
                c_reference.value = wsseal_bytes::of(thumbprint);
            }
            TokenReference::IssuerSerial { issuer, serial } => {
                c_reference.kind = WSSEAL_REFERENCE_ISSUER_SERIAL;
                c_reference.issuer = wsseal_str::of(issuer);
                c_reference.serial = wsseal_str::of(serial);
            }
            TokenReference::Certificate(der) => return self.validate_der(der),
            TokenReference::Local(_) | TokenReference::EncryptedKeySha1(_) => {
                return Err(untrusted("a local or EncryptedKeySHA1 token reference names no certificate"));
            }
        }
        let mut found = wsseal_found_certificate { der: None };
        // SAFETY: the host's callback with its userdata and pointers valid during the call.
        let result = unsafe { find(self.userdata, &c_reference, &mut found) };
        if result != 0 {
            return Err(refused(result, "the referenced certificate"));
        }
        let der = found.der.ok_or_else(|| untrusted("the host's find callback gave no certificate"))?;
        let trusted = self.parse(&der)?;
        if !reference.names(&trusted.certificate) {
            return Err(untrusted("the certificate the host's find callback gave is not the one referenced"));
        }
        Ok(trusted)
    }
}

impl fmt::Debug for CallbackValidator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackValidator").field("find", &self.find.is_some()).finish_non_exhaustive()
    }
}

impl Drop for CallbackValidator {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the host's callback with its own userdata, once.
            unsafe { release(self.userdata) };
        }
    }
}
