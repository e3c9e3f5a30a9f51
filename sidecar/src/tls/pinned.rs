//! Certificates pinned by their SHA-256 fingerprints: how the client checks the server, and one
//! of the ways the server admits a client.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use wsseal_core::{Error, ErrorCode};

use super::fingerprint;

/// Accepts exactly the certificates whose fingerprints are listed.
#[derive(Debug)]
pub struct Pinned {
    fingerprints: Vec<String>,
    /// The provider's handshake signature algorithms.
    pub algorithms: WebPkiSupportedAlgorithms,
}

impl Pinned {
    /// Pins `fingerprints` (hex, colons allowed, any case).
    pub fn new(fingerprints: &[String], provider: &CryptoProvider) -> Result<Self, Error> {
        let fingerprints: Vec<String> = fingerprints.iter().map(|f| f.replace(':', "").to_ascii_lowercase()).collect();
        if let Some(bad) = fingerprints.iter().find(|f| f.len() != 64 || !f.bytes().all(|b| b.is_ascii_hexdigit())) {
            return Err(Error::new(ErrorCode::ConfigInvalid, format!("{bad:?} is not a SHA-256 fingerprint")));
        }
        Ok(Self { fingerprints, algorithms: provider.signature_verification_algorithms })
    }

    /// Whether nothing is pinned.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }

    /// Whether `certificate` is pinned.
    pub fn contains(&self, certificate: &CertificateDer<'_>) -> bool {
        self.fingerprints.contains(&fingerprint(certificate))
    }

    /// The handshake signature of TLS 1.2, checked with the provider's algorithms.
    pub fn tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    /// The handshake signature of TLS 1.3, checked with the provider's algorithms.
    pub fn tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }
}

/// The refusal of a certificate that no rule admits.
pub fn not_allowed() -> rustls::Error {
    rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure)
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.contains(end_entity).then(ServerCertVerified::assertion).ok_or_else(not_allowed)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
