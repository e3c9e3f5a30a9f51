//! Which client certificates the QUIC listener admits: those pinned by fingerprint, whoever
//! issued them; and those that chain to a configured CA bundle (rustls' WebPKI client verifier:
//! the path, validity, the clientAuth usage) and, when a name list is given, carry one of its
//! names.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme};
use wsseal_core::cert::Certificate;
use wsseal_core::{Error, ErrorCode};

use super::pinned::{Pinned, not_allowed};

/// The client allow-list of a QUIC listener.
#[derive(Clone, Debug, Default)]
pub struct AllowedClients {
    /// SHA-256 fingerprints (hex) of certificates admitted whoever issued them.
    pub fingerprints: Vec<String>,
    /// CA certificates: a client certificate that chains to one is admitted (if it carries one
    /// of `names`).
    pub authorities: Vec<CertificateDer<'static>>,
    /// When not empty, a certificate admitted by its CA must also carry one of these names: its
    /// subject's common name or a subjectAltName dNSName (ASCII case-insensitive), or, for a
    /// name written as a distinguished name (`CN=…,O=…`), its whole subject.
    pub names: Vec<String>,
}

/// Checks client certificates against an [`AllowedClients`].
#[derive(Debug)]
pub struct ClientVerifier {
    pinned: Pinned,
    chained: Option<Arc<dyn ClientCertVerifier>>,
    names: Vec<String>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

impl ClientVerifier {
    /// The verifier of `allowed`; it must admit something.
    pub fn new(allowed: AllowedClients, provider: &Arc<CryptoProvider>) -> Result<Arc<Self>, Error> {
        let pinned = Pinned::new(&allowed.fingerprints, provider)?;
        let chained = match allowed.authorities.is_empty() {
            true => None,
            false => {
                let mut roots = RootCertStore::empty();
                for authority in allowed.authorities {
                    roots.add(authority).map_err(|e| invalid(format!("a client CA certificate: {e}")))?;
                }
                let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| invalid(format!("the client CA bundle: {e}")))?;
                Some(verifier)
            }
        };
        if chained.is_none() && !allowed.names.is_empty() {
            return Err(invalid("allowed client names need a client CA bundle"));
        }
        if chained.is_none() && pinned.is_empty() {
            return Err(invalid("no client is allowed: pin fingerprints or give a client CA bundle"));
        }
        Ok(Arc::new(Self { pinned, chained, names: allowed.names }))
    }
}

/// Whether the certificate carries one of `names` (see [`AllowedClients::names`]).
fn carries_name(der: &[u8], names: &[String]) -> bool {
    let Ok(certificate) = Certificate::from_der(der) else { return false };
    names.iter().any(|name| match name.contains('=') {
        true => certificate.subject_matches(name),
        false => {
            certificate.common_name().is_some_and(|common| common.eq_ignore_ascii_case(name))
                || certificate.dns_names().iter().any(|dns| dns.eq_ignore_ascii_case(name))
        }
    })
}

impl ClientCertVerifier for ClientVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.chained.as_ref().map_or(&[], |chained| chained.root_hint_subjects())
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self.pinned.contains(end_entity) {
            return Ok(ClientCertVerified::assertion());
        }
        let chained = self.chained.as_ref().ok_or_else(not_allowed)?;
        chained.verify_client_cert(end_entity, intermediates, now)?;
        match self.names.is_empty() || carries_name(end_entity, &self.names) {
            true => Ok(ClientCertVerified::assertion()),
            false => Err(not_allowed()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.pinned.tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.pinned.tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.pinned.algorithms.supported_schemes()
    }
}
