//! [`TrustValidator`]: the configured validation modes behind the [`CertificateValidator`] seam,
//! with the verified-certificate cache in front.

use std::sync::Arc;

use time::OffsetDateTime;

use super::cache::{CacheStats, Verdict, VerdictCache};
use super::{Crl, Revocation, RevocationSource, TrustMode, ValidationSettings, chain};
use crate::cert::Certificate;
use crate::error::{Error, ErrorCode};
use crate::wss::token::{MAX_CANDIDATE_CERTIFICATES, TokenReference};
use crate::wss::{CertificateValidator, TrustedCertificate};

/// The certificates and CRLs a validator trusts or uses.
#[derive(Clone, Debug, Default)]
pub struct TrustMaterial {
    /// Trust anchors (ChainTrust).
    pub anchors: Vec<Certificate>,
    /// Intermediate CA certificates available for path building.
    pub intermediates: Vec<Certificate>,
    /// Trusted peers (PeerTrust), WCF's TrustedPeople.
    pub peers: Vec<Certificate>,
    /// Certificates a key reference (issuer/serial, SKI, thumbprint) in a message may name.
    pub known: Vec<Certificate>,
    /// CRLs (Offline revocation).
    pub crls: Vec<Arc<Crl>>,
    /// The host's answers for Online revocation.
    pub revocation_source: Option<Arc<dyn RevocationSource>>,
}

/// Validates peer certificates by mode (ChainTrust, PeerTrust, PeerOrChainTrust, None), caching
/// verdicts. Immutable; reload means building a new one.
#[derive(Debug)]
pub struct TrustValidator {
    settings: ValidationSettings,
    material: TrustMaterial,
    cache: VerdictCache,
}

fn config(message: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

impl TrustValidator {
    /// A validator; refuses settings that could not validate anything (ChainTrust without
    /// anchors, PeerTrust without peers, Offline revocation without CRLs, Online revocation
    /// without a revocation source, Custom). Mode None is logged as a warning.
    pub fn new(settings: ValidationSettings, material: TrustMaterial) -> Result<Self, Error> {
        let chain = matches!(settings.mode, TrustMode::ChainTrust | TrustMode::PeerOrChainTrust);
        match settings.mode {
            TrustMode::Custom => {
                return Err(config("trust mode Custom needs a validator supplied by code".into()));
            }
            TrustMode::None => tracing::warn!(
                "certificate validation is OFF (trust mode None): any certificate is accepted as a signer; \
                 use this only for tests"
            ),
            _ if chain && material.anchors.is_empty() => {
                return Err(config(format!(
                    "trust mode {:?} needs trust anchors: set trust.anchors (or use PeerTrust with trusted peers)",
                    settings.mode
                )));
            }
            TrustMode::PeerTrust if material.peers.is_empty() => {
                return Err(config(
                    "trust mode PeerTrust needs trusted peers (trust.trusted_peers or peer.certificate)".into(),
                ));
            }
            _ => {}
        }
        match settings.revocation {
            Revocation::Online if chain && material.revocation_source.is_none() => {
                return Err(config(
                    "revocation Online needs a revocation source supplied by code (wsseal fetches no CRL or OCSP \
                     answer itself): use Offline with trust.crls, or NoCheck"
                        .into(),
                ));
            }
            Revocation::Offline if chain && material.crls.is_empty() => {
                return Err(config("revocation Offline needs CRLs: set trust.crls".into()));
            }
            _ => {}
        }
        let cache = VerdictCache::new(settings.cache_size, settings.cache_ttl);
        Ok(Self { settings, material, cache })
    }

    /// The settings.
    pub fn settings(&self) -> &ValidationSettings {
        &self.settings
    }

    /// Validates a DER certificate at `now`, through the cache.
    pub fn validate_at(&self, der: &[u8], now: OffsetDateTime) -> Result<Arc<TrustedCertificate>, Error> {
        self.validate_with_candidates_at(der, &[], now)
    }

    /// Validates a DER certificate at `now` with the certificates a message carries besides it
    /// (`candidates`, DER: possible intermediates, never anchors), through the cache: the verdict
    /// is kept for this certificate with these candidates only.
    pub fn validate_with_candidates_at(
        &self,
        der: &[u8],
        candidates: &[Vec<u8>],
        now: OffsetDateTime,
    ) -> Result<Arc<TrustedCertificate>, Error> {
        if candidates.len() > MAX_CANDIDATE_CERTIFICATES {
            return Err(Error::new(
                ErrorCode::SecurityLimitExceeded,
                format!(
                    "{} candidate certificates besides the signer's (limit {MAX_CANDIDATE_CERTIFICATES})",
                    candidates.len()
                ),
            ));
        }
        let context = self.settings.mode as u8 * 2 + self.settings.role as u8;
        self.cache.get_or_validate(der, candidates, context, now, || self.validate_uncached(der, candidates, now))
    }

    fn validate_uncached(&self, der: &[u8], candidates: &[Vec<u8>], now: OffsetDateTime) -> (Verdict, OffsetDateTime) {
        let unreadable = |e: crate::cert::CertError| {
            let error = Error::new(ErrorCode::SecurityHeaderMalformed, format!("the certificate cannot be read: {e}"));
            (Err(error), now + self.settings.cache_ttl)
        };
        let certificate = match Certificate::from_der(der) {
            Ok(certificate) => certificate,
            Err(e) => return unreadable(e),
        };
        let chain = || -> Result<OffsetDateTime, Error> {
            let candidates = candidates.iter().map(|der| Certificate::from_der(der)).collect::<Result<Vec<_>, _>>();
            let candidates = candidates.map_err(|e| {
                Error::new(
                    ErrorCode::SecurityHeaderMalformed,
                    format!("a certificate of the message cannot be read: {e}"),
                )
            })?;
            chain::validate(&certificate, &candidates, &self.material, &self.settings, now)
        };
        let checked = match self.settings.mode {
            TrustMode::None => Ok(certificate.not_after()),
            TrustMode::PeerTrust => self.peer_trust(&certificate, now),
            TrustMode::PeerOrChainTrust if self.material.peers.contains(&certificate) => {
                self.peer_trust(&certificate, now)
            }
            TrustMode::ChainTrust | TrustMode::PeerOrChainTrust | TrustMode::Custom => chain(),
        };
        // A refusal is remembered until the certificate could become valid, at most the TTL.
        let retry =
            if now < certificate.not_before() { certificate.not_before() } else { now + self.settings.cache_ttl };
        match checked {
            Ok(expires) => (TrustedCertificate::new(certificate).map(Arc::new), expires),
            Err(error) => (Err(error), retry),
        }
    }

    /// PeerTrust: one of the trusted peers, within its validity period. Key size and signature
    /// algorithm do not matter: the certificate is trusted as itself (legacy certificates can be
    /// pinned).
    fn peer_trust(&self, certificate: &Certificate, now: OffsetDateTime) -> Result<OffsetDateTime, Error> {
        if !self.material.peers.contains(certificate) {
            return Err(Error::new(
                ErrorCode::CertificateNotTrustedPeer,
                format!(
                    "certificate {} (SHA-1 {}) is not one of the {} trusted peers",
                    certificate.subject(),
                    certificate.thumbprint_hex(),
                    self.material.peers.len()
                ),
            ));
        }
        if now < certificate.not_before() {
            return Err(Error::new(
                ErrorCode::CertificateNotYetValid,
                format!("trusted peer {} is not valid before {}", certificate.subject(), certificate.not_before()),
            ));
        }
        if now > certificate.not_after() {
            return Err(Error::new(
                ErrorCode::CertificateExpired,
                format!("trusted peer {} expired at {}", certificate.subject(), certificate.not_after()),
            ));
        }
        chain::check_signing_usage(certificate)?;
        Ok(certificate.not_after())
    }
}

impl CertificateValidator for TrustValidator {
    fn validate_der(&self, der: &[u8]) -> Result<Arc<TrustedCertificate>, Error> {
        self.validate_at(der, OffsetDateTime::now_utc())
    }

    fn validate_with_candidates(&self, der: &[u8], candidates: &[Vec<u8>]) -> Result<Arc<TrustedCertificate>, Error> {
        self.validate_with_candidates_at(der, candidates, OffsetDateTime::now_utc())
    }

    fn find(&self, reference: &TokenReference<'_>) -> Result<Arc<TrustedCertificate>, Error> {
        let material = &self.material;
        let found = material.known.iter().chain(&material.peers).find(|c| reference.names(c));
        match found {
            Some(certificate) => self.validate_der(certificate.der()),
            None => Err(Error::new(
                ErrorCode::SignatureKeyUnresolved,
                "the signing key reference names no certificate this endpoint knows; send the certificate \
                 in a BinarySecurityToken or configure it as the peer",
            )),
        }
    }

    fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }
}
