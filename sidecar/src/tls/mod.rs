//! Mutual TLS for the QUIC transport: the client pins the server's certificate by its SHA-256
//! fingerprint; the server admits clients by an allow-list ([`AllowedClients`]: pinned
//! fingerprints, or a CA bundle and names). Each side proves its own key in the TLS 1.3
//! handshake; handshake signatures are checked with the aws-lc-rs provider's algorithms.

mod clients;
mod pinned;

use std::path::Path;
use std::sync::Arc;

use aws_lc_rs::digest::{SHA256, digest};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use wsseal_core::{Error, ErrorCode};

pub use clients::AllowedClients;
use clients::ClientVerifier;
use pinned::Pinned;

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
        let chain = certificates_from_pem_file(certificate)?;
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| Error::new(ErrorCode::CredentialInvalid, format!("{}: {e}", key.display())))?;
        Ok(Self { chain, key })
    }

    /// The SHA-256 fingerprint of our certificate, in lower-case hex: what the peer pins.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.chain[0])
    }
}

/// Every certificate of a PEM file, in order; at least one.
pub fn certificates_from_pem_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let invalid =
        |e: &dyn std::fmt::Display| Error::new(ErrorCode::CredentialInvalid, format!("{}: {e}", path.display()));
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| invalid(&e))?;
    if certificates.is_empty() {
        return Err(invalid(&"no certificate"));
    }
    Ok(certificates)
}

/// The SHA-256 fingerprint of a DER certificate, lower-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    digest(&SHA256, der).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The provider: aws-lc-rs.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn tls_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ConfigInvalid, format!("TLS: {e}"))
}

/// The QUIC server configuration: TLS 1.3, our identity, the clients of `allowed`.
pub fn server_config(identity: Identity, allowed: AllowedClients) -> Result<quinn::ServerConfig, Error> {
    let provider = provider();
    let verifier = ClientVerifier::new(allowed, &provider)?;
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
    let verifier = Arc::new(Pinned::new(&[server_fingerprint.to_owned()], &provider)?);
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
