//! What a profile signs, encrypts and requires: the configuration both directions share.

use std::time::Duration;

use super::AlgorithmSuite;
use crate::dsig::DsigLimits;
use crate::xml::Limits;

/// WS-Addressing 1.0.
pub const WSA10_NS: &str = "http://www.w3.org/2005/08/addressing";
/// WS-Addressing 2004/08 (the submission WSS4J and WCF's WSA 2004 binding use).
pub const WSA200408_NS: &str = "http://schemas.xmlsoap.org/ws/2004/08/addressing";

/// A namespace-qualified element name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QName {
    /// The namespace name.
    pub namespace: String,
    /// The local name.
    pub local_name: String,
}

impl QName {
    /// A QName.
    pub fn new(namespace: impl Into<String>, local_name: impl Into<String>) -> Self {
        Self { namespace: namespace.into(), local_name: local_name.into() }
    }

    /// Parses Clark notation, `{namespace}local`.
    pub fn from_clark(text: &str) -> Option<Self> {
        let (namespace, local_name) = text.strip_prefix('{')?.split_once('}')?;
        (!local_name.is_empty()).then(|| Self::new(namespace, local_name))
    }

    /// True when `element` has this name.
    pub fn matches(&self, element: &crate::xml::Element<'_, '_>) -> bool {
        element.is(&self.namespace, &self.local_name)
    }
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{}}}{}", self.namespace, self.local_name)
    }
}

/// The WS-Addressing headers WCF signs, in both WS-Addressing versions.
pub fn addressing_headers() -> Vec<QName> {
    let names = ["To", "From", "ReplyTo", "FaultTo", "MessageID", "RelatesTo", "Action"];
    [WSA10_NS, WSA200408_NS].iter().flat_map(|ns| names.iter().map(move |n| QName::new(*ns, *n))).collect()
}

/// The message security profile an engine speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// WS-Security 1.0 mutual certificates ([`crate::wss`]).
    #[default]
    Wss10,
    /// WCF's `wsHttpBinding` with Message security and certificates: WS-Security 1.1, a wrapped
    /// key with derived keys, an endorsing signature, SignatureConfirmation ([`crate::wcf`]).
    WcfMutualCertificate,
}

impl Profile {
    /// The configuration name: `wss10` or `wcf`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Wss10 => "wss10",
            Profile::WcfMutualCertificate => "wcf",
        }
    }
}

/// The order of signing and encrypting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProtectionOrder {
    /// Sign the plaintext, then encrypt.
    #[default]
    SignBeforeEncrypt,
    /// Sign, encrypt, and encrypt the signature too.
    SignBeforeEncryptAndEncryptSignature,
    /// Encrypt, then sign the ciphertext.
    EncryptBeforeSign,
}

/// How a `wsse:SecurityTokenReference` names a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyReference {
    /// A `wsse:KeyIdentifier` with the certificate's subjectKeyIdentifier.
    SubjectKeyIdentifier,
    /// `ds:X509Data/ds:X509IssuerSerial`.
    IssuerSerial,
    /// A `wsse:KeyIdentifier` with the SHA-1 thumbprint (WSS 1.1).
    Thumbprint,
    /// A `wsse:Reference` to a BinarySecurityToken carrying the certificate.
    BinarySecurityToken,
}

/// Where the ReferenceList of outgoing encrypted data goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReferenceListPlacement {
    /// Inside the EncryptedKey (WSS4J's and WCF's WSS 1.0 layout).
    #[default]
    InEncryptedKey,
    /// A separate `xenc:ReferenceList` in the header; each EncryptedData points back to the key.
    Standalone,
}

impl Policy {
    /// The defaults of WCF's `wsHttpBinding` with Message security and certificates: the WCF
    /// profile, Basic256, SignBeforeEncryptAndEncryptSignature, the WS-Addressing headers signed.
    pub fn wcf() -> Self {
        Self {
            profile: Profile::WcfMutualCertificate,
            protection_order: ProtectionOrder::SignBeforeEncryptAndEncryptSignature,
            ..Self::default()
        }
    }
}

/// Bounds on the work one message may cause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityLimits {
    /// XML parsing limits.
    pub xml: Limits,
    /// References and transforms per signature.
    pub dsig: DsigLimits,
    /// EncryptedData elements (and data references) per message.
    pub max_encrypted_data: usize,
    /// Signatures in the Security header.
    pub max_signatures: usize,
    /// Tokens (BinarySecurityToken, EncryptedKey) in the Security header; EncryptedKeys embedded in
    /// EncryptedData count with the header's.
    pub max_tokens: usize,
}

impl Default for SecurityLimits {
    fn default() -> Self {
        Self {
            xml: Limits::default(),
            dsig: DsigLimits::default(),
            max_encrypted_data: 200,
            max_signatures: 4,
            max_tokens: 16,
        }
    }
}

/// The security policy of one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The profile: which layout is written and which is accepted.
    pub profile: Profile,
    /// The options of the WCF profile (ignored by WSS 1.0).
    pub wcf: crate::wcf::WcfOptions,
    /// The algorithms used, and the only ones accepted.
    pub suite: AlgorithmSuite,
    /// Accept RSA-1.5 key transport (with implicit rejection); off by default.
    pub allow_rsa15: bool,
    /// Accept 3DES-CBC data (decryption only); off by default.
    pub allow_triple_des: bool,
    /// The order of signing and encrypting.
    pub protection_order: ProtectionOrder,
    /// Encrypt the Body content, and require it encrypted.
    pub encrypt_body: bool,
    /// Header blocks signed when present (and required signed when present).
    pub signed_headers: Vec<QName>,
    /// Header blocks encrypted as `wsse11:EncryptedHeader` (and required encrypted when present).
    pub encrypted_headers: Vec<QName>,
    /// How our EncryptedKey names the recipient's certificate.
    pub recipient_reference: KeyReference,
    /// How our signature names our certificate.
    pub signer_reference: KeyReference,
    /// Where the ReferenceList goes.
    pub reference_list: ReferenceListPlacement,
    /// Require a signed `wsu:Timestamp`.
    pub require_timestamp: bool,
    /// Lifetime of the Timestamp we write.
    pub timestamp_ttl: Duration,
    /// Tolerated clock difference.
    pub clock_skew: Duration,
    /// How old a message may be (by its Created time) and how long signature values are
    /// remembered for replay detection.
    pub replay_window: Duration,
    /// Refuse a signature value seen before.
    pub detect_replays: bool,
    /// Signature values remembered at most.
    pub replay_cache_size: u64,
    /// Our actor (SOAP 1.1) or role (SOAP 1.2); `None` is the ultimate receiver.
    pub actor: Option<String>,
    /// Keep the Security header in opened envelopes (it is removed by default).
    pub keep_security_header: bool,
    /// Work bounds.
    pub limits: SecurityLimits,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            profile: Profile::default(),
            wcf: crate::wcf::WcfOptions::default(),
            suite: AlgorithmSuite::default(),
            allow_rsa15: false,
            allow_triple_des: false,
            protection_order: ProtectionOrder::default(),
            encrypt_body: true,
            signed_headers: addressing_headers(),
            encrypted_headers: Vec::new(),
            recipient_reference: KeyReference::IssuerSerial,
            signer_reference: KeyReference::BinarySecurityToken,
            reference_list: ReferenceListPlacement::default(),
            require_timestamp: true,
            timestamp_ttl: Duration::from_secs(300),
            clock_skew: Duration::from_secs(300),
            replay_window: Duration::from_secs(300),
            detect_replays: true,
            replay_cache_size: 900_000,
            actor: None,
            keep_security_header: false,
            limits: SecurityLimits::default(),
        }
    }
}
