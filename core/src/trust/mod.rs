//! Certificate trust: which peer certificates are accepted, and why.
//!
//! [`TrustValidator`] implements the validation modes of WCF's `X509CertificateValidationMode`
//! (ChainTrust, PeerTrust, PeerOrChainTrust, None; Custom is any other [`CertificateValidator`])
//! over [`TrustMaterial`] (anchors, intermediates, trusted peers, CRLs) read from files,
//! directories and a [`DirectoryStore`] addressed the way WCF addresses the Windows stores. Its
//! verdicts are cached ([`CacheStats`]). [`credentials_from_pkcs12`] reads our own key from a
//! `.pfx`. Online revocation asks a host-supplied [`RevocationSource`].

mod algorithms;
mod cache;
mod chain;
pub(crate) mod configured;
mod crl;
mod material;
mod online;
mod pkcs12;
mod settings;
mod store;
mod validator;

pub use crate::wss::{CertificateValidator, PinnedCertificate, TrustedCertificate};
pub use algorithms::CertificateSignatureAlgorithm;
pub use cache::CacheStats;
pub use crl::Crl;
pub use material::{load_certificates, load_crls};
pub use online::{RevocationSource, RevocationStatus};
pub use pkcs12::credentials_from_pkcs12;
pub use settings::{Revocation, Role, TrustMode, ValidationSettings};
pub use store::{DirectoryStore, FindType, StoreQuery};
pub use validator::{TrustMaterial, TrustValidator};

/// Refuses a certificate we would encrypt for whose keyUsage (when present) does not allow
/// keyEncipherment.
pub fn check_key_encipherment(certificate: &crate::cert::Certificate) -> Result<(), crate::Error> {
    if certificate.key_usage().is_some_and(|ku| !ku.key_encipherment()) {
        return Err(crate::Error::new(
            crate::ErrorCode::CertificateKeyUsageInvalid,
            format!(
                "certificate {} cannot be encrypted for: its keyUsage does not allow keyEncipherment",
                certificate.subject()
            ),
        ));
    }
    Ok(())
}
