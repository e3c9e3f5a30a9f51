//! Stable error codes shared by every part of the engine.
//!
//! Each module has its own typed error (for example [`crate::xml::XmlError`]); each of those maps to
//! one [`ErrorCode`] whose numeric value never changes once released, so that C hosts, the sidecar
//! protocol and logs can rely on it.

use std::fmt;

/// A stable, numeric error code. Values are grouped by area: 1xx XML parsing and SOAP structure,
/// 2xx canonicalization, 3xx signatures, 4xx encryption, 5xx WS-Security policy, 6xx credentials
/// and configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input is not well-formed XML.
    XmlMalformed = 100,
    /// The input contains a document type declaration; DTDs are refused.
    XmlDoctype = 101,
    /// The input is not UTF-8 (a UTF-16 byte order mark, another declared encoding, invalid bytes).
    XmlEncoding = 102,
    /// A prefix is used without a namespace declaration in scope.
    XmlUndeclaredPrefix = 103,
    /// An attribute appears twice on one element (by qualified or by expanded name).
    XmlDuplicateAttribute = 104,
    /// Something other than whitespace, comments and processing instructions follows the root element.
    XmlContentAfterRoot = 105,
    /// A namespace declaration breaks the Namespaces in XML rules.
    XmlNamespace = 106,
    /// A configured limit (size, depth, attributes, text length, ...) was exceeded.
    XmlLimitExceeded = 107,
    /// Two elements carry the same Id value (over `wsu:Id`, `Id`, `ID` and `xml:id`).
    XmlDuplicateId = 108,
    /// The document is not a SOAP 1.1 or 1.2 envelope of the expected shape.
    SoapStructure = 120,
    /// Canonicalization is impossible for this input (for example a relative namespace URI).
    C14nUnsupported = 200,
    /// A `ds:Signature` does not have the structure XML-DSig and the profile require.
    SignatureMalformed = 300,
    /// A signature, digest or canonicalization algorithm is not one the configuration accepts.
    SignatureAlgorithmRefused = 301,
    /// A reference uses a transform outside the allow-list.
    SignatureTransformRefused = 302,
    /// A reference URI is not a same-document reference to an element of the envelope.
    SignatureReferenceUnresolved = 303,
    /// The digest of a referenced element does not match its DigestValue.
    DigestMismatch = 304,
    /// The SignatureValue does not verify with the signer's key.
    SignatureInvalid = 305,
    /// The key a signature names cannot be found or is not usable with its algorithm.
    SignatureKeyUnresolved = 306,
    /// An EncryptedKey, EncryptedData or ReferenceList does not have the structure XML-Enc requires.
    EncryptionMalformed = 400,
    /// A key transport or data encryption algorithm is not one the configuration accepts.
    EncryptionAlgorithmRefused = 401,
    /// Decryption failed. Every cryptographic decryption failure (key, padding, tag, plaintext) reports this one code and message.
    DecryptionFailed = 402,
    /// An EncryptedKey is not addressed to our certificate, or an EncryptedData names no usable key.
    EncryptionKeyUnresolved = 403,
    /// Encrypted content where the policy expects none (encryption wrapping).
    EncryptionUnexpected = 404,
    /// No `wsse:Security` header for our actor/role.
    SecurityHeaderMissing = 500,
    /// The `wsse:Security` header has an element or a layout the profile does not allow.
    SecurityHeaderMalformed = 501,
    /// A part the policy requires to be signed is not covered, at its position, by a verified signature.
    NotSigned = 502,
    /// A part the policy requires to be encrypted arrived in clear.
    NotEncrypted = 503,
    /// The policy requires a `wsu:Timestamp` and there is none.
    TimestampMissing = 504,
    /// The `wsu:Timestamp` is malformed, repeated, or created in the future.
    TimestampInvalid = 505,
    /// The `wsu:Timestamp` has expired, or was created too long ago.
    MessageExpired = 506,
    /// A message with this signature value was already accepted.
    MessageReplayed = 507,
    /// The signing certificate is not the trusted peer certificate.
    SignerUntrusted = 508,
    /// A security processing limit (references, transforms, EncryptedData, tokens, base64 size) was exceeded.
    SecurityLimitExceeded = 509,
    /// The envelope to secure already has a `wsse:Security` header for our actor/role.
    SecurityHeaderPresent = 510,
    /// The response does not belong to the request of this exchange.
    ResponseMismatch = 511,
    /// A private key or certificate cannot be read or does not fit its use.
    CredentialInvalid = 600,
    /// The configuration is inconsistent or names something that does not exist.
    ConfigInvalid = 601,
    /// The cryptographic library failed for a reason unrelated to the message (for example no randomness).
    CryptoFailure = 602,
    /// The exchange state is missing where the operation needs it, present where it must not be,
    /// corrupt, or made by another profile.
    ExchangeInvalid = 603,
}

impl ErrorCode {
    /// The numeric value, stable across releases.
    pub fn value(self) -> u32 {
        self as u32
    }

    /// The stable symbolic name, as used in logs and the C header.
    pub fn name(self) -> &'static str {
        match self {
            Self::XmlMalformed => "XML_MALFORMED",
            Self::XmlDoctype => "XML_DOCTYPE",
            Self::XmlEncoding => "XML_ENCODING",
            Self::XmlUndeclaredPrefix => "XML_UNDECLARED_PREFIX",
            Self::XmlDuplicateAttribute => "XML_DUPLICATE_ATTRIBUTE",
            Self::XmlContentAfterRoot => "XML_CONTENT_AFTER_ROOT",
            Self::XmlNamespace => "XML_NAMESPACE",
            Self::XmlLimitExceeded => "XML_LIMIT_EXCEEDED",
            Self::XmlDuplicateId => "XML_DUPLICATE_ID",
            Self::SoapStructure => "SOAP_STRUCTURE",
            Self::C14nUnsupported => "C14N_UNSUPPORTED",
            Self::SignatureMalformed => "SIGNATURE_MALFORMED",
            Self::SignatureAlgorithmRefused => "SIGNATURE_ALGORITHM_REFUSED",
            Self::SignatureTransformRefused => "SIGNATURE_TRANSFORM_REFUSED",
            Self::SignatureReferenceUnresolved => "SIGNATURE_REFERENCE_UNRESOLVED",
            Self::DigestMismatch => "DIGEST_MISMATCH",
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::SignatureKeyUnresolved => "SIGNATURE_KEY_UNRESOLVED",
            Self::EncryptionMalformed => "ENCRYPTION_MALFORMED",
            Self::EncryptionAlgorithmRefused => "ENCRYPTION_ALGORITHM_REFUSED",
            Self::DecryptionFailed => "DECRYPTION_FAILED",
            Self::EncryptionKeyUnresolved => "ENCRYPTION_KEY_UNRESOLVED",
            Self::EncryptionUnexpected => "ENCRYPTION_UNEXPECTED",
            Self::SecurityHeaderMissing => "SECURITY_HEADER_MISSING",
            Self::SecurityHeaderMalformed => "SECURITY_HEADER_MALFORMED",
            Self::NotSigned => "NOT_SIGNED",
            Self::NotEncrypted => "NOT_ENCRYPTED",
            Self::TimestampMissing => "TIMESTAMP_MISSING",
            Self::TimestampInvalid => "TIMESTAMP_INVALID",
            Self::MessageExpired => "MESSAGE_EXPIRED",
            Self::MessageReplayed => "MESSAGE_REPLAYED",
            Self::SignerUntrusted => "SIGNER_UNTRUSTED",
            Self::SecurityLimitExceeded => "SECURITY_LIMIT_EXCEEDED",
            Self::SecurityHeaderPresent => "SECURITY_HEADER_PRESENT",
            Self::ResponseMismatch => "RESPONSE_MISMATCH",
            Self::CredentialInvalid => "CREDENTIAL_INVALID",
            Self::ConfigInvalid => "CONFIG_INVALID",
            Self::CryptoFailure => "CRYPTO_FAILURE",
            Self::ExchangeInvalid => "EXCHANGE_INVALID",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.value())
    }
}

/// The generic SOAP fault a peer receives: one subcode and one text for every security failure
/// (and a separate one for an expired message, as WS-Security defines), so that nothing about the
/// cause leaks to the sender. The precise cause stays in [`Error::message`] for the local caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WireFault {
    /// The namespace of the fault subcode.
    pub namespace: &'static str,
    /// The local name of the fault subcode (`InvalidSecurity`, `MessageExpired`).
    pub subcode: &'static str,
    /// The fault reason text.
    pub reason: &'static str,
}

/// An error with its stable code and a precise message for the local caller and the logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// What failed and where, for the local caller; never send it to the peer.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The fault to send to the peer instead of the message.
    pub fn wire_fault(&self) -> WireFault {
        match self.code {
            ErrorCode::MessageExpired => WireFault {
                namespace: crate::xml::WSU_NS,
                subcode: "MessageExpired",
                reason: "The message has expired",
            },
            _ => WireFault {
                namespace: crate::soap::WSSE_NS,
                subcode: "InvalidSecurity",
                reason: "An error was discovered processing the <wsse:Security> header",
            },
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

impl std::error::Error for Error {}

impl From<crate::xml::XmlError> for Error {
    fn from(error: crate::xml::XmlError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<crate::c14n::C14nError> for Error {
    fn from(error: crate::c14n::C14nError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<crate::soap::SoapError> for Error {
    fn from(error: crate::soap::SoapError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}
