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

#[cfg(test)]
mod tests {
    use super::*;

    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }

    #[test]
    fn names_match_the_common_name_a_dns_name_or_the_whole_subject() {
        let mut params = rcgen::CertificateParams::new(vec!["api.example.com".to_owned()]).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, "Cohowinery.com");
        params.distinguished_name.push(rcgen::DnType::OrganizationName, "Coho");
        let der = params.self_signed(&rcgen::KeyPair::generate().unwrap()).unwrap().der().to_vec();
        let carries = |name: &str| carries_name(&der, &[name.to_owned()]);
        assert!(carries("cohowinery.com"));
        assert!(carries("API.example.com"));
        assert!(carries("CN=Cohowinery.com,O=Coho"));
        assert!(!carries("CN=Cohowinery.com,O=Other"));
        assert!(!carries("example.com"));
        assert!(!carries("Coho"));
        assert!(!carries_name(b"not DER", &["cohowinery.com".to_owned()]));
    }

    #[test]
    fn an_allow_list_must_admit_someone_and_names_need_a_ca() {
        let nobody = ClientVerifier::new(AllowedClients::default(), &provider()).unwrap_err();
        assert_eq!(nobody.code(), ErrorCode::ConfigInvalid);
        let names_only =
            AllowedClients { names: vec!["a".into()], fingerprints: vec!["00".repeat(32)], ..Default::default() };
        assert!(ClientVerifier::new(names_only, &provider()).unwrap_err().message().contains("need a client CA"));
        let not_a_ca = AllowedClients { authorities: vec![CertificateDer::from(vec![1, 2, 3])], ..Default::default() };
        assert_eq!(ClientVerifier::new(not_a_ca, &provider()).unwrap_err().code(), ErrorCode::ConfigInvalid);
    }
}
