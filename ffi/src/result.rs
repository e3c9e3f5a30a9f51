//! Result codes: `WSSEAL_OK`, every core error code under its core name, and the C ABI's own codes
//! (900–919). Functions return them as a plain `uint32_t` ([`wsseal_result`]) so that a code added
//! to the core later is still a valid value in an older host; [`wsseal_code`] names them.

use std::ffi::{CStr, c_char};

use wsseal_core::ErrorCode;

/// A result code: `WSSEAL_OK` (0) or one of the other values of `wsseal_code`. Values never change
/// once released. Every failing call also sets the thread's last error message
/// (`wsseal_last_error_message`).
#[allow(non_camel_case_types)]
pub type wsseal_result = u32;

/// The names of the result codes. 100–899 are the engine's codes (docs/errors.md), with the same
/// values and names; 900–919 belong to the C ABI.
#[allow(non_camel_case_types, dead_code, clippy::upper_case_acronyms)]
#[repr(u32)]
pub enum wsseal_code {
    /// Success.
    WSSEAL_OK = 0,
    /// The input is not well-formed XML.
    WSSEAL_XML_MALFORMED = 100,
    /// The input has a document type declaration; DTDs are refused.
    WSSEAL_XML_DOCTYPE = 101,
    /// The input is not UTF-8.
    WSSEAL_XML_ENCODING = 102,
    /// A prefix is used without a namespace declaration in scope.
    WSSEAL_XML_UNDECLARED_PREFIX = 103,
    /// An attribute appears twice on one element.
    WSSEAL_XML_DUPLICATE_ATTRIBUTE = 104,
    /// Something other than whitespace, comments and processing instructions follows the root.
    WSSEAL_XML_CONTENT_AFTER_ROOT = 105,
    /// A namespace declaration breaks the Namespaces in XML rules.
    WSSEAL_XML_NAMESPACE = 106,
    /// A configured XML limit (size, depth, attributes, text length) was exceeded.
    WSSEAL_XML_LIMIT_EXCEEDED = 107,
    /// Two elements carry the same Id value.
    WSSEAL_XML_DUPLICATE_ID = 108,
    /// The document is not a SOAP 1.1 or 1.2 envelope of the expected shape.
    WSSEAL_SOAP_STRUCTURE = 120,
    /// Canonicalization is impossible for this input.
    WSSEAL_C14N_UNSUPPORTED = 200,
    /// A `ds:Signature` does not have the required structure.
    WSSEAL_SIGNATURE_MALFORMED = 300,
    /// A signature, digest or canonicalization algorithm the configuration does not accept.
    WSSEAL_SIGNATURE_ALGORITHM_REFUSED = 301,
    /// A reference uses a transform outside the allow-list.
    WSSEAL_SIGNATURE_TRANSFORM_REFUSED = 302,
    /// A reference URI is not a same-document reference to an element of the envelope.
    WSSEAL_SIGNATURE_REFERENCE_UNRESOLVED = 303,
    /// The digest of a referenced element does not match its DigestValue.
    WSSEAL_DIGEST_MISMATCH = 304,
    /// The SignatureValue does not verify with the signer's key.
    WSSEAL_SIGNATURE_INVALID = 305,
    /// The key a signature names cannot be found or is not usable with its algorithm.
    WSSEAL_SIGNATURE_KEY_UNRESOLVED = 306,
    /// An EncryptedKey, EncryptedData or ReferenceList does not have the required structure.
    WSSEAL_ENCRYPTION_MALFORMED = 400,
    /// A key transport or data encryption algorithm the configuration does not accept.
    WSSEAL_ENCRYPTION_ALGORITHM_REFUSED = 401,
    /// Decryption failed (one code and message for every cryptographic cause).
    WSSEAL_DECRYPTION_FAILED = 402,
    /// An EncryptedKey is not addressed to our certificate, or EncryptedData names no usable key.
    WSSEAL_ENCRYPTION_KEY_UNRESOLVED = 403,
    /// Encrypted content where the policy expects none.
    WSSEAL_ENCRYPTION_UNEXPECTED = 404,
    /// No `wsse:Security` header for our actor/role.
    WSSEAL_SECURITY_HEADER_MISSING = 500,
    /// The `wsse:Security` header has an element or layout the profile does not allow.
    WSSEAL_SECURITY_HEADER_MALFORMED = 501,
    /// A part the policy requires to be signed is not covered by a verified signature.
    WSSEAL_NOT_SIGNED = 502,
    /// A part the policy requires to be encrypted arrived in clear.
    WSSEAL_NOT_ENCRYPTED = 503,
    /// The policy requires a `wsu:Timestamp` and there is none.
    WSSEAL_TIMESTAMP_MISSING = 504,
    /// The `wsu:Timestamp` is malformed, repeated, or created in the future.
    WSSEAL_TIMESTAMP_INVALID = 505,
    /// The `wsu:Timestamp` has expired, or was created too long ago.
    WSSEAL_MESSAGE_EXPIRED = 506,
    /// A message with this signature value was already accepted.
    WSSEAL_MESSAGE_REPLAYED = 507,
    /// The signing certificate is not trusted.
    WSSEAL_SIGNER_UNTRUSTED = 508,
    /// A security processing limit was exceeded.
    WSSEAL_SECURITY_LIMIT_EXCEEDED = 509,
    /// The envelope to secure already has a `wsse:Security` header for our actor/role.
    WSSEAL_SECURITY_HEADER_PRESENT = 510,
    /// The response does not belong to the request of this exchange.
    WSSEAL_RESPONSE_MISMATCH = 511,
    /// The certificate chains to a self-signed certificate that is not a configured trust anchor.
    WSSEAL_CERTIFICATE_UNTRUSTED_ROOT = 520,
    /// No issuer of a certificate in the path can be found among the anchors, intermediates and store (a partial chain).
    WSSEAL_CERTIFICATE_CHAIN_BROKEN = 521,
    /// A certificate's signature does not verify with its issuer's key.
    WSSEAL_CERTIFICATE_SIGNATURE_INVALID = 522,
    /// A certificate of the path is past its notAfter.
    WSSEAL_CERTIFICATE_EXPIRED = 523,
    /// A certificate of the path is before its notBefore.
    WSSEAL_CERTIFICATE_NOT_YET_VALID = 524,
    /// A keyUsage extension does not allow the use (digitalSignature or keyEncipherment for the end entity, keyCertSign for an issuer).
    WSSEAL_CERTIFICATE_KEY_USAGE_INVALID = 525,
    /// The end entity's extendedKeyUsage lacks the purpose of its role (serverAuth for a service, clientAuth for a client).
    WSSEAL_CERTIFICATE_EXTENDED_KEY_USAGE_INVALID = 526,
    /// An issuer is not a CA by basicConstraints, or a pathLenConstraint is exceeded.
    WSSEAL_CERTIFICATE_BASIC_CONSTRAINTS_INVALID = 527,
    /// A certificate of the path is on its issuer's CRL.
    WSSEAL_CERTIFICATE_REVOKED = 528,
    /// Offline revocation is on and no current, verifiable CRL of a certificate's issuer is configured.
    WSSEAL_CERTIFICATE_REVOCATION_UNKNOWN = 529,
    /// A key of the path is smaller than the configured minimum (min_rsa_bits) or of an unsupported kind.
    WSSEAL_CERTIFICATE_WEAK = 530,
    /// A certificate is signed with an algorithm outside the configured signature_algorithms (SHA-1 is refused by default).
    WSSEAL_CERTIFICATE_ALGORITHM_REFUSED = 531,
    /// PeerTrust: the certificate is not one of the trusted peers.
    WSSEAL_CERTIFICATE_NOT_TRUSTED_PEER = 532,
    /// A certificate of the path has a critical extension the validator does not process.
    WSSEAL_CERTIFICATE_CRITICAL_EXTENSION = 533,
    /// A certificate store lookup found no certificate, or several where one is needed.
    WSSEAL_CERTIFICATE_NOT_FOUND = 534,
    /// A name of a certificate (subject, subjectAltName) is outside the permitted or inside the excluded subtrees of an issuer's nameConstraints, or those cannot be read.
    WSSEAL_CERTIFICATE_NAME_CONSTRAINTS_VIOLATED = 535,
    /// The service certificate does not satisfy the expected service identity (the message names both).
    WSSEAL_IDENTITY_MISMATCH = 540,
    /// The expected identity cannot be satisfied by an X.509 certificate (servicePrincipalName).
    WSSEAL_IDENTITY_UNSATISFIABLE = 541,
    /// An identity element, WSDL Identity or encoded certificate blob cannot be read.
    WSSEAL_IDENTITY_INVALID = 542,
    /// A WS-SecureConversation DerivedKeyToken is malformed, names no key of this exchange, or
    /// derives a key the configuration does not allow.
    WSSEAL_DERIVED_KEY_INVALID = 560,
    /// The response's SignatureConfirmation values are not the signature values of our request.
    WSSEAL_SIGNATURE_CONFIRMATION_MISMATCH = 561,
    /// The Security header breaks the configured strict layout.
    WSSEAL_LAYOUT_VIOLATION = 562,
    /// A private key or certificate cannot be read or does not fit its use.
    WSSEAL_CREDENTIAL_INVALID = 600,
    /// The configuration is inconsistent or names something that does not exist.
    WSSEAL_CONFIG_INVALID = 601,
    /// The cryptographic library failed for a reason unrelated to the message.
    WSSEAL_CRYPTO_FAILURE = 602,
    /// The exchange state is missing, present where it must not be, corrupt, or of another profile.
    WSSEAL_EXCHANGE_INVALID = 603,
    /// The sidecar is at its admission limit (in-flight items or bytes); retry later.
    WSSEAL_BUSY = 800,
    /// A sidecar protocol frame cannot be decoded (truncated, inconsistent lengths, trailing bytes).
    WSSEAL_FRAME_MALFORMED = 801,
    /// A sidecar protocol frame is longer than the sidecar's `max_frame_bytes`.
    WSSEAL_FRAME_TOO_LARGE = 802,
    /// A sidecar protocol frame has a protocol version this sidecar does not speak.
    WSSEAL_VERSION_UNSUPPORTED = 803,
    /// A sidecar protocol frame names an operation that does not exist.
    WSSEAL_OPERATION_UNKNOWN = 804,
    /// A batch has more items than the sidecar's `max_batch_items`.
    WSSEAL_BATCH_TOO_LARGE = 805,
    /// An exchange token was not sealed by this sidecar's key, was altered, or belongs to another operation.
    WSSEAL_TOKEN_INVALID = 806,
    /// An exchange token is past its expiry.
    WSSEAL_TOKEN_EXPIRED = 807,
    /// The operation is defined by the protocol but not available in this build or configuration.
    WSSEAL_OPERATION_UNSUPPORTED = 808,
    /// The sidecar is shutting down and takes no new work.
    WSSEAL_SHUTTING_DOWN = 809,
    /// The sidecar failed internally while processing the item (a bug; the item was not processed).
    WSSEAL_SIDECAR_INTERNAL = 810,
    /// A required pointer argument is NULL.
    WSSEAL_NULL_ARGUMENT = 900,
    /// An argument is out of range: an unknown operation or level, a length above `PTRDIFF_MAX`,
    /// something already taken from an outcome.
    WSSEAL_INVALID_ARGUMENT = 901,
    /// A text argument is not UTF-8.
    WSSEAL_INVALID_UTF8 = 902,
    /// The library panicked (a bug); the panic was caught at the boundary and nothing leaked
    /// into the caller. The last error message says where.
    WSSEAL_PANIC = 903,
    /// The operating system refused a resource (for example the threads of a pool).
    WSSEAL_SYSTEM = 904,
    /// The sidecar cannot be reached, closed the connection, or sent an answer that cannot be
    /// read; the client must connect again.
    WSSEAL_SIDECAR_CONNECTION = 905,
}

/// The C ABI's own codes, with their names.
const FFI_CODES: [(u32, &CStr); 6] = [
    (wsseal_code::WSSEAL_NULL_ARGUMENT as u32, c"NULL_ARGUMENT"),
    (wsseal_code::WSSEAL_INVALID_ARGUMENT as u32, c"INVALID_ARGUMENT"),
    (wsseal_code::WSSEAL_INVALID_UTF8 as u32, c"INVALID_UTF8"),
    (wsseal_code::WSSEAL_PANIC as u32, c"PANIC"),
    (wsseal_code::WSSEAL_SYSTEM as u32, c"SYSTEM"),
    (wsseal_code::WSSEAL_SIDECAR_CONNECTION as u32, c"SIDECAR_CONNECTION"),
];

/// The code of a value, as a `wsseal_result`.
pub(crate) const fn code(value: wsseal_code) -> wsseal_result {
    value as wsseal_result
}

/// The symbolic name of a result code without the `WSSEAL_` prefix (`"OK"`, `"XML_MALFORMED"`,
/// `"NULL_ARGUMENT"`), or `"UNKNOWN"` for a value this version does not know.
///
/// Ownership: the string is static; never free it. Thread-safety: any thread. Errors: none.
#[unsafe(no_mangle)]
pub extern "C" fn wsseal_result_name(result: wsseal_result) -> *const c_char {
    crate::boundary::guard_value(c"UNKNOWN".as_ptr(), || name(result).as_ptr())
}

fn name(result: wsseal_result) -> &'static CStr {
    if result == code(wsseal_code::WSSEAL_OK) {
        return c"OK";
    }
    if let Some(core) = ErrorCode::from_value(result) {
        return core_names::of(core);
    }
    FFI_CODES.iter().find(|(value, _)| *value == result).map_or(c"UNKNOWN", |(_, name)| name)
}

/// The core names as NUL-terminated strings, built once.
mod core_names {
    use std::ffi::{CStr, CString};
    use std::sync::OnceLock;

    use wsseal_core::ErrorCode;

    pub(super) fn of(code: ErrorCode) -> &'static CStr {
        static NAMES: OnceLock<Vec<(ErrorCode, CString)>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            ErrorCode::ALL.iter().map(|&c| (c, CString::new(c.name()).expect("names have no NUL"))).collect()
        });
        names.iter().find(|(c, _)| *c == code).map_or(c"UNKNOWN", |(_, name)| name.as_c_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_ok_core_and_ffi_codes() {
        assert_eq!(name(0), c"OK");
        assert_eq!(name(ErrorCode::DecryptionFailed.value()), c"DECRYPTION_FAILED");
        assert_eq!(name(code(wsseal_code::WSSEAL_PANIC)), c"PANIC");
        assert_eq!(name(42), c"UNKNOWN");
    }

    #[test]
    fn ffi_codes_stay_in_their_range() {
        for (value, _) in FFI_CODES {
            assert!((900..=919).contains(&value), "{value}");
            assert!(ErrorCode::from_value(value).is_none());
        }
    }
}
