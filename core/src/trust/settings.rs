//! What a validator is configured with: the mode, our role, revocation, key and algorithm rules,
//! and the cache bounds.

use std::time::Duration;

use serde::Deserialize;

use super::CertificateSignatureAlgorithm;

/// How a peer certificate is trusted (WCF's `X509CertificateValidationMode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
pub enum TrustMode {
    /// A path to a configured trust anchor, with every check of RFC 5280 wsseal implements.
    #[default]
    ChainTrust,
    /// The certificate is one of the trusted peers (TrustedPeople) and within its validity period.
    PeerTrust,
    /// PeerTrust, or else ChainTrust.
    PeerOrChainTrust,
    /// No check at all: an explicit choice, logged loudly when the validator is built.
    None,
    /// A validator supplied by code (a trait object; a callback in the C ABI).
    Custom,
}

/// How revocation is checked (WCF's `X509RevocationMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Revocation {
    /// No revocation check.
    NoCheck,
    /// Configured CRLs: every certificate of the path below the anchor needs a current CRL of its
    /// issuer, and must not be on it.
    Offline,
    /// Every certificate of the path below the anchor is asked about to the host's
    /// [`super::RevocationSource`] (wsseal fetches nothing itself); refused by configuration
    /// files, which cannot supply one.
    Online,
}

/// Which side of an exchange we are; the certificates we validate belong to the other side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Role {
    /// We call a service: we validate service certificates (extendedKeyUsage serverAuth).
    Client,
    /// We serve clients: we validate client certificates (extendedKeyUsage clientAuth).
    Service,
}

impl Role {
    /// The extendedKeyUsage purpose the other side's certificate must allow.
    pub fn peer_purpose(self) -> &'static str {
        match self {
            Role::Client => "serverAuth",
            Role::Service => "clientAuth",
        }
    }

    pub(crate) fn peer_purpose_oid(self) -> der::asn1::ObjectIdentifier {
        match self {
            Role::Client => der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1"),
            Role::Service => der::asn1::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2"),
        }
    }
}

/// The rules of a [`super::TrustValidator`] beyond its trust material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationSettings {
    /// The mode (not `Custom`: a custom validator replaces this one).
    pub mode: TrustMode,
    /// Our role; it decides the extendedKeyUsage purpose required of peer certificates.
    pub role: Role,
    /// Revocation checking.
    pub revocation: Revocation,
    /// The smallest RSA modulus accepted anywhere in a chain.
    pub min_rsa_bits: usize,
    /// The signature algorithms accepted on certificates and CRLs.
    pub signature_algorithms: Vec<CertificateSignatureAlgorithm>,
    /// The most chains followed from a certificate to an anchor (certificates per path).
    pub max_path_length: usize,
    /// Entries of the verified-certificate cache.
    pub cache_size: u64,
    /// The longest a verdict is reused.
    pub cache_ttl: Duration,
}

impl ValidationSettings {
    /// ChainTrust for `role` with the defaults: no revocation check, RSA 2048 bits and up,
    /// SHA-2 signatures, paths of up to 8 certificates, 10,000 cached verdicts for an hour.
    pub fn new(mode: TrustMode, role: Role) -> Self {
        Self {
            mode,
            role,
            revocation: Revocation::NoCheck,
            min_rsa_bits: 2048,
            signature_algorithms: CertificateSignatureAlgorithm::DEFAULT.to_vec(),
            max_path_length: 8,
            cache_size: 10_000,
            cache_ttl: Duration::from_secs(3600),
        }
    }
}
