//! Mutual TLS for the QUIC transport: each side pins the other's certificate by its SHA-256
//! fingerprint (an allow-list), and proves its own key in the TLS 1.3 handshake. Handshake
//! signatures are checked with the aws-lc-rs provider's algorithms.

use std::path::Path;
use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use wsseal_core::{Error, ErrorCode};

/// The ALPN protocol name of the sidecar protocol over QUIC.
pub const ALPN: &[u8] = b"wsseal/1";

/// A certificate chain and its private key, read from PEM files.
#[derive(Debug)]
pub struct Identity {
    /// The chain, our certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key.
    pub key: PrivateKeyDer<'static>,
}

impl Identity {
    /// Reads a certificate chain and a key from PEM files.
    pub fn from_pem_files(certificate: &Path, key: &Path) -> Result<Self, Error> {
        let invalid = |path: &Path, e: &dyn std::fmt::Display| {
            Error::new(ErrorCode::CredentialInvalid, format!("{}: {e}", path.display()))
        };
        let chain = CertificateDer::pem_file_iter(certificate)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| invalid(certificate, &e))?;
        if chain.is_empty() {
            return Err(invalid(certificate, &"no certificate"));
        }
        let key = PrivateKeyDer::from_pem_file(key).map_err(|e| invalid(key, &e))?;
        Ok(Self { chain, key })
    }

    /// The SHA-256 fingerprint of our certificate, in lower-case hex: what the peer pins.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.chain[0])
    }
}

/// The SHA-256 fingerprint of a DER certificate, lower-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    digest(&SHA256, der).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The provider: aws-lc-rs.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Accepts exactly the certificates whose fingerprints are listed.
#[derive(Debug)]
struct Pinned {
    fingerprints: Vec<String>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl Pinned {
    fn new(fingerprints: &[String], provider: &CryptoProvider) -> Result<Arc<Self>, Error> {
        let fingerprints: Vec<String> = fingerprints.iter().map(|f| f.replace(':', "").to_ascii_lowercase()).collect();
        if let Some(bad) = fingerprints.iter().find(|f| f.len() != 64 || !f.bytes().all(|b| b.is_ascii_hexdigit())) {
            return Err(Error::new(ErrorCode::ConfigInvalid, format!("{bad:?} is not a SHA-256 fingerprint")));
        }
        Ok(Arc::new(Self { fingerprints, algorithms: provider.signature_verification_algorithms }))
    }

    fn check(&self, certificate: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if self.fingerprints.contains(&fingerprint(certificate)) {
            Ok(())
        } else {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
        }
    }
}

impl ClientCertVerifier for Pinned {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check(end_entity).map(|()| ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
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
        self.check(end_entity).map(|()| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

fn tls_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ConfigInvalid, format!("TLS: {e}"))
}

/// The QUIC server configuration: TLS 1.3, our identity, clients pinned by fingerprint.
pub fn server_config(identity: Identity, allowed_clients: &[String]) -> Result<quinn::ServerConfig, Error> {
    let provider = provider();
    let verifier = Pinned::new(allowed_clients, &provider)?;
    let mut tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls_error)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(identity.chain, identity.key)
        .map_err(tls_error)?;
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = quinn::crypto::rustls::QuicServerConfig::try_from(tls).map_err(tls_error)?;
    Ok(quinn::ServerConfig::with_crypto(Arc::new(crypto)))
}

/// The QUIC client configuration: TLS 1.3, our identity, the server pinned by fingerprint.
pub fn client_config(identity: Identity, server_fingerprint: &str) -> Result<quinn::ClientConfig, Error> {
    let provider = provider();
    let verifier = Pinned::new(&[server_fingerprint.to_owned()], &provider)?;
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_auth_cert(identity.chain, identity.key)
        .map_err(tls_error)?;
    tls.alpn_protocols = vec![ALPN.to_vec()];
    let crypto = quinn::crypto::rustls::QuicClientConfig::try_from(tls).map_err(tls_error)?;
    Ok(quinn::ClientConfig::new(Arc::new(crypto)))
}
