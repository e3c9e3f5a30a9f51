//! Stable error codes shared by every part of the engine.
//!
//! Each module has its own typed error (for example [`crate::xml::XmlError`]); each of those maps to
//! one [`ErrorCode`] whose numeric value never changes once released, so that C hosts, the sidecar
//! protocol and logs can rely on it.

use std::fmt;

/// Defines [`ErrorCode`] with its values and names from one list, so that the list of every code
/// ([`ErrorCode::ALL`]) cannot fall out of step with the enum.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $value:literal => $name:literal,)+) => {
        /// A stable, numeric error code. Values are grouped by area: 1xx XML parsing and SOAP structure,
        /// 2xx canonicalization, 3xx signatures, 4xx encryption, 5xx WS-Security policy, 6xx credentials
        /// and configuration, 8xx the sidecar protocol.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant = $value,)+
        }

        impl ErrorCode {
            /// Every code, in ascending order of value.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The stable symbolic name, as used in logs and the C header.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)+
                }
            }
        }
    };
}

error_codes! {
    /// The input is not well-formed XML.
    XmlMalformed = 100 => "XML_MALFORMED",
    /// The input contains a document type declaration; DTDs are refused.
    XmlDoctype = 101 => "XML_DOCTYPE",
    /// The input is not UTF-8 (a UTF-16 byte order mark, another declared encoding, invalid bytes).
    XmlEncoding = 102 => "XML_ENCODING",
    /// A prefix is used without a namespace declaration in scope.
    XmlUndeclaredPrefix = 103 => "XML_UNDECLARED_PREFIX",
    /// An attribute appears twice on one element (by qualified or by expanded name).
    XmlDuplicateAttribute = 104 => "XML_DUPLICATE_ATTRIBUTE",
    /// Something other than whitespace, comments and processing instructions follows the root element.
    XmlContentAfterRoot = 105 => "XML_CONTENT_AFTER_ROOT",
    /// A namespace declaration breaks the Namespaces in XML rules.
    XmlNamespace = 106 => "XML_NAMESPACE",
    /// A configured limit (size, depth, attributes, text length, ...) was exceeded.
    XmlLimitExceeded = 107 => "XML_LIMIT_EXCEEDED",
    /// Two elements carry the same Id value (over `wsu:Id`, `Id`, `ID` and `xml:id`).
    XmlDuplicateId = 108 => "XML_DUPLICATE_ID",
    /// The document is not a SOAP 1.1 or 1.2 envelope of the expected shape.
    SoapStructure = 120 => "SOAP_STRUCTURE",
    /// Canonicalization is impossible for this input (for example a relative namespace URI).
    C14nUnsupported = 200 => "C14N_UNSUPPORTED",
    /// A `ds:Signature` does not have the structure XML-DSig and the profile require.
    SignatureMalformed = 300 => "SIGNATURE_MALFORMED",
    /// A signature, digest or canonicalization algorithm is not one the configuration accepts.
    SignatureAlgorithmRefused = 301 => "SIGNATURE_ALGORITHM_REFUSED",
    /// A reference uses a transform outside the allow-list.
    SignatureTransformRefused = 302 => "SIGNATURE_TRANSFORM_REFUSED",
    /// A reference URI is not a same-document reference to an element of the envelope.
    SignatureReferenceUnresolved = 303 => "SIGNATURE_REFERENCE_UNRESOLVED",
    /// The digest of a referenced element does not match its DigestValue.
    DigestMismatch = 304 => "DIGEST_MISMATCH",
    /// The SignatureValue does not verify with the signer's key.
    SignatureInvalid = 305 => "SIGNATURE_INVALID",
    /// The key a signature names cannot be found or is not usable with its algorithm.
    SignatureKeyUnresolved = 306 => "SIGNATURE_KEY_UNRESOLVED",
    /// An EncryptedKey, EncryptedData or ReferenceList does not have the structure XML-Enc requires.
    EncryptionMalformed = 400 => "ENCRYPTION_MALFORMED",
    /// A key transport or data encryption algorithm is not one the configuration accepts.
    EncryptionAlgorithmRefused = 401 => "ENCRYPTION_ALGORITHM_REFUSED",
    /// Decryption failed. Every cryptographic decryption failure (key, padding, tag, plaintext) reports this one code and message.
    DecryptionFailed = 402 => "DECRYPTION_FAILED",
    /// An EncryptedKey is not addressed to our certificate, or an EncryptedData names no usable key.
    EncryptionKeyUnresolved = 403 => "ENCRYPTION_KEY_UNRESOLVED",
    /// Encrypted content where the policy expects none (encryption wrapping).
    EncryptionUnexpected = 404 => "ENCRYPTION_UNEXPECTED",
    /// No `wsse:Security` header for our actor/role.
    SecurityHeaderMissing = 500 => "SECURITY_HEADER_MISSING",
    /// The `wsse:Security` header has an element or a layout the profile does not allow.
    SecurityHeaderMalformed = 501 => "SECURITY_HEADER_MALFORMED",
    /// A part the policy requires to be signed is not covered, at its position, by a verified signature.
    NotSigned = 502 => "NOT_SIGNED",
    /// A part the policy requires to be encrypted arrived in clear.
    NotEncrypted = 503 => "NOT_ENCRYPTED",
    /// The policy requires a `wsu:Timestamp` and there is none.
    TimestampMissing = 504 => "TIMESTAMP_MISSING",
    /// The `wsu:Timestamp` is malformed, repeated, or created in the future.
    TimestampInvalid = 505 => "TIMESTAMP_INVALID",
    /// The `wsu:Timestamp` has expired, or was created too long ago.
    MessageExpired = 506 => "MESSAGE_EXPIRED",
    /// A message with this signature value was already accepted.
    MessageReplayed = 507 => "MESSAGE_REPLAYED",
    /// The signing certificate is not the trusted peer certificate.
    SignerUntrusted = 508 => "SIGNER_UNTRUSTED",
    /// A security processing limit (references, transforms, EncryptedData, tokens, base64 size) was exceeded.
    SecurityLimitExceeded = 509 => "SECURITY_LIMIT_EXCEEDED",
    /// The envelope to secure already has a `wsse:Security` header for our actor/role.
    SecurityHeaderPresent = 510 => "SECURITY_HEADER_PRESENT",
    /// The response does not belong to the request of this exchange.
    ResponseMismatch = 511 => "RESPONSE_MISMATCH",
    /// The certificate chains to a self-signed certificate that is not a configured trust anchor.
    CertificateUntrustedRoot = 520 => "CERTIFICATE_UNTRUSTED_ROOT",
    /// No issuer of a certificate in the path can be found among the anchors, intermediates and store (a partial chain).
    CertificateChainBroken = 521 => "CERTIFICATE_CHAIN_BROKEN",
    /// A certificate's signature does not verify with its issuer's key.
    CertificateSignatureInvalid = 522 => "CERTIFICATE_SIGNATURE_INVALID",
    /// A certificate of the path is past its notAfter.
    CertificateExpired = 523 => "CERTIFICATE_EXPIRED",
    /// A certificate of the path is before its notBefore.
    CertificateNotYetValid = 524 => "CERTIFICATE_NOT_YET_VALID",
    /// A keyUsage extension does not allow the use (digitalSignature or keyEncipherment for the end entity, keyCertSign for an issuer).
    CertificateKeyUsageInvalid = 525 => "CERTIFICATE_KEY_USAGE_INVALID",
    /// The end entity's extendedKeyUsage lacks the purpose of its role (serverAuth for a service, clientAuth for a client).
    CertificateExtendedKeyUsageInvalid = 526 => "CERTIFICATE_EXTENDED_KEY_USAGE_INVALID",
    /// An issuer is not a CA by basicConstraints, or a pathLenConstraint is exceeded.
    CertificateBasicConstraintsInvalid = 527 => "CERTIFICATE_BASIC_CONSTRAINTS_INVALID",
    /// A certificate of the path is on its issuer's CRL.
    CertificateRevoked = 528 => "CERTIFICATE_REVOKED",
    /// Offline revocation is on and no current, verifiable CRL of a certificate's issuer is configured.
    CertificateRevocationUnknown = 529 => "CERTIFICATE_REVOCATION_UNKNOWN",
    /// A key of the path is smaller than the configured minimum (min_rsa_bits) or of an unsupported kind.
    CertificateWeak = 530 => "CERTIFICATE_WEAK",
    /// A certificate is signed with an algorithm outside the configured signature_algorithms (SHA-1 is refused by default).
    CertificateAlgorithmRefused = 531 => "CERTIFICATE_ALGORITHM_REFUSED",
    /// PeerTrust: the certificate is not one of the trusted peers.
    CertificateNotTrustedPeer = 532 => "CERTIFICATE_NOT_TRUSTED_PEER",
    /// A certificate of the path has a critical extension the validator does not process.
    CertificateCriticalExtension = 533 => "CERTIFICATE_CRITICAL_EXTENSION",
    /// A certificate store lookup found no certificate, or several where one is needed.
    CertificateNotFound = 534 => "CERTIFICATE_NOT_FOUND",
    /// A name of a certificate (subject, subjectAltName) is outside the permitted or inside the excluded subtrees of an issuer's nameConstraints, or those cannot be read.
    CertificateNameConstraintsViolated = 535 => "CERTIFICATE_NAME_CONSTRAINTS_VIOLATED",
    /// The service certificate does not satisfy the expected service identity (the message names both).
    IdentityMismatch = 540 => "IDENTITY_MISMATCH",
    /// The expected identity cannot be satisfied by an X.509 certificate (servicePrincipalName).
    IdentityUnsatisfiable = 541 => "IDENTITY_UNSATISFIABLE",
    /// An identity element, WSDL Identity or encoded certificate blob cannot be read.
    IdentityInvalid = 542 => "IDENTITY_INVALID",
    /// A WS-SecureConversation `DerivedKeyToken` is malformed, names no key of this exchange, or
    /// derives a key of a length or with an algorithm the configuration does not allow.
    DerivedKeyInvalid = 560 => "DERIVED_KEY_INVALID",
    /// The response's SignatureConfirmation values are not the signature values of our request.
    SignatureConfirmationMismatch = 561 => "SIGNATURE_CONFIRMATION_MISMATCH",
    /// The Security header breaks the configured strict layout (a token after its use, the
    /// primary signature not first, an element the WCF profile does not allow where it stands).
    LayoutViolation = 562 => "LAYOUT_VIOLATION",
    /// A private key or certificate cannot be read or does not fit its use.
    CredentialInvalid = 600 => "CREDENTIAL_INVALID",
    /// The configuration is inconsistent or names something that does not exist.
    ConfigInvalid = 601 => "CONFIG_INVALID",
    /// The cryptographic library failed for a reason unrelated to the message (for example no randomness).
    CryptoFailure = 602 => "CRYPTO_FAILURE",
    /// The exchange state is missing where the operation needs it, present where it must not be,
    /// corrupt, or made by another profile.
    ExchangeInvalid = 603 => "EXCHANGE_INVALID",
    /// The sidecar is at its admission limit (in-flight items or bytes); retry later.
    Busy = 800 => "BUSY",
    /// A sidecar protocol frame cannot be decoded (truncated, inconsistent lengths, trailing bytes).
    FrameMalformed = 801 => "FRAME_MALFORMED",
    /// A sidecar protocol frame is longer than the sidecar's `max_frame_bytes`.
    FrameTooLarge = 802 => "FRAME_TOO_LARGE",
    /// A sidecar protocol frame has a protocol version this sidecar does not speak.
    VersionUnsupported = 803 => "VERSION_UNSUPPORTED",
    /// A sidecar protocol frame names an operation that does not exist.
    OperationUnknown = 804 => "OPERATION_UNKNOWN",
    /// A batch has more items than the sidecar's `max_batch_items`.
    BatchTooLarge = 805 => "BATCH_TOO_LARGE",
    /// An exchange token was not sealed by this sidecar's key, was altered, or belongs to another operation.
    TokenInvalid = 806 => "TOKEN_INVALID",
    /// An exchange token is past its expiry.
    TokenExpired = 807 => "TOKEN_EXPIRED",
    /// The operation is defined by the protocol but not available in this build or configuration.
    OperationUnsupported = 808 => "OPERATION_UNSUPPORTED",
    /// The sidecar is shutting down and takes no new work.
    ShuttingDown = 809 => "SHUTTING_DOWN",
    /// The sidecar failed internally while processing the item (a bug; the item was not processed).
    SidecarInternal = 810 => "SIDECAR_INTERNAL",
}

impl ErrorCode {
    /// The numeric value, stable across releases.
    pub fn value(self) -> u32 {
        self as u32
    }

    /// The code with this numeric value, if there is one.
    pub fn from_value(value: u32) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|code| code.value() == value)
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
