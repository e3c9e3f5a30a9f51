//! Who we trust to sign: the seam where certificate validation plugs in. The configured modes
//! live in [`crate::trust`]; [`PinnedCertificate`] trusts exactly one certificate.

use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::cert::Certificate;
use crate::crypto::PublicKey;
use crate::error::{Error, ErrorCode};

use super::report::Signer;
use super::token::{PresentedCertificates, TokenReference};
use crate::xml::{Document, ElementId};

/// A peer certificate that passed validation, with its public key parsed once.
#[derive(Clone, Debug)]
pub struct TrustedCertificate {
    /// The certificate.
    pub certificate: Certificate,
    /// Its public key.
    pub public_key: PublicKey,
    /// How reports name it, made once.
    signer: OnceLock<Arc<Signer>>,
}

impl TrustedCertificate {
    /// Parses the key of `certificate`.
    pub fn new(certificate: Certificate) -> Result<Self, Error> {
        let public_key = PublicKey::from_spki_der(certificate.spki_der()).map_err(|e| {
            Error::new(
                ErrorCode::CredentialInvalid,
                format!("the key of certificate {} cannot be used: {e}", certificate.subject()),
            )
        })?;
        Ok(Self { certificate, public_key, signer: OnceLock::new() })
    }

    /// How reports name the certificate: described on first use, shared after (a validated
    /// certificate is cached, so each signer is described once, not once per message).
    pub fn signer(&self) -> Arc<Signer> {
        self.signer.get_or_init(|| Arc::new(Signer::of(&self.certificate))).clone()
    }
}

/// Decides whether a certificate that signs a message is trusted.
pub trait CertificateValidator: Send + Sync + fmt::Debug {
    /// Validates a certificate the message carries (DER), returning it parsed with its key.
    fn validate_der(&self, der: &[u8]) -> Result<Arc<TrustedCertificate>, Error>;

    /// Validates a certificate the message carries as base64 text (a BinarySecurityToken). An
    /// implementation may recognise a known certificate by its text without decoding it.
    fn validate_base64(&self, text: &str) -> Result<Arc<TrustedCertificate>, Error> {
        self.validate_der(&super::token::decode_certificate(text)?)
    }

    /// Validates a signing certificate (DER) that the message carries together with other
    /// certificates (`candidates`, DER, at most [`super::token::MAX_CANDIDATE_CERTIFICATES`]):
    /// the rest of an X509PKIPathv1 or PKCS7 token, the Security header's other X509v3 tokens.
    /// Candidates may complete a path as intermediates, never serve as anchors. The default
    /// ignores them (a validator that builds no paths).
    fn validate_with_candidates(&self, der: &[u8], candidates: &[Vec<u8>]) -> Result<Arc<TrustedCertificate>, Error> {
        let _ = candidates;
        self.validate_der(der)
    }

    /// Finds a trusted certificate that a key identifier or issuer/serial names, for messages
    /// that do not carry the certificate.
    fn find(&self, reference: &TokenReference<'_>) -> Result<Arc<TrustedCertificate>, Error>;

    /// The counters of the validator's verified-certificate cache; zeros when it has none.
    fn cache_stats(&self) -> crate::trust::CacheStats {
        crate::trust::CacheStats::default()
    }
}

/// The trusted signer of a BinarySecurityToken (`token`) of a Security header whose tokens are
/// `tokens`: its certificate validated with the other certificates the header carries.
pub(crate) fn validate_token(
    validator: &dyn CertificateValidator,
    doc: &Document<'_>,
    token: ElementId,
    tokens: &[ElementId],
) -> Result<Arc<TrustedCertificate>, Error> {
    match super::token::read_presented_certificates(doc, token, tokens)? {
        PresentedCertificates::One(text) => validator.validate_base64(&text),
        PresentedCertificates::Chain { signer, candidates } => validator.validate_with_candidates(&signer, &candidates),
    }
}

/// Trusts exactly one certificate, configured out of band; every other certificate is refused.
#[derive(Clone, Debug)]
pub struct PinnedCertificate {
    peer: Arc<TrustedCertificate>,
    /// The certificate's DER in base64, as peers usually write it in a token.
    base64: String,
}

impl PinnedCertificate {
    /// Pins `certificate`.
    pub fn new(certificate: Certificate) -> Result<Self, Error> {
        let base64 = crate::encoding::encode_base64(certificate.der());
        Ok(Self { peer: Arc::new(TrustedCertificate::new(certificate)?), base64 })
    }
}

impl CertificateValidator for PinnedCertificate {
    fn validate_der(&self, der: &[u8]) -> Result<Arc<TrustedCertificate>, Error> {
        if der == self.peer.certificate.der() {
            return Ok(self.peer.clone());
        }
        let presented = Certificate::from_der(der)
            .map(|c| format!("{} (SHA-1 {})", c.subject(), c.thumbprint_hex()))
            .unwrap_or_else(|_| "an unparsable certificate".to_owned());
        Err(Error::new(
            ErrorCode::SignerUntrusted,
            format!(
                "the message is signed by {presented}, not by the pinned peer certificate {} (SHA-1 {})",
                self.peer.certificate.subject(),
                self.peer.certificate.thumbprint_hex()
            ),
        ))
    }

    fn validate_base64(&self, text: &str) -> Result<Arc<TrustedCertificate>, Error> {
        if text == self.base64 {
            return Ok(self.peer.clone());
        }
        self.validate_der(&super::token::decode_certificate(text)?)
    }

    fn find(&self, reference: &TokenReference<'_>) -> Result<Arc<TrustedCertificate>, Error> {
        if reference.names(&self.peer.certificate) {
            return Ok(self.peer.clone());
        }
        Err(Error::new(
            ErrorCode::SignerUntrusted,
            format!(
                "the signing key reference does not name the pinned peer certificate {}",
                self.peer.certificate.subject()
            ),
        ))
    }
}
