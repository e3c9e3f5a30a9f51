//! The engine of the WSS 1.0 mutual-certificate profile: our credentials, the trusted peer, the
//! policy, and the replay cache, shared by every message.

use std::sync::Arc;

use time::OffsetDateTime;

use super::exchange::Exchange;
use super::replay::ReplayCache;
use super::trust::{CertificateValidator, PinnedCertificate, TrustedCertificate};
use super::{Credentials, Policy, Profile, Report, open, secure};
use crate::cert::Certificate;
use crate::crypto::{DataEncryptionAlgorithm, KeyTransportAlgorithm};
use crate::error::{Error, ErrorCode};
use crate::identity::Identity;
use crate::trust::{CacheStats, check_key_encipherment};

/// A secured envelope.
#[derive(Clone, Debug)]
pub struct Secured {
    /// The envelope with its Security header, encrypted parts and signature.
    pub envelope: Vec<u8>,
    /// What the response to it will be checked against.
    pub exchange: Exchange,
}

/// An opened envelope: only verified, decrypted content.
#[derive(Clone, Debug)]
pub struct Opened {
    /// The envelope with its encrypted parts decrypted (and, by default, without the Security
    /// header): exactly the bytes whose signatures were verified.
    pub envelope: Vec<u8>,
    /// What was proven about it.
    pub report: Report,
    /// What the response to it needs.
    pub exchange: Exchange,
}

/// Secures and opens envelopes for one endpoint. Immutable and shareable across threads.
#[derive(Debug)]
pub struct Engine {
    pub(crate) policy: Policy,
    pub(crate) credentials: Credentials,
    pub(crate) validator: Arc<dyn CertificateValidator>,
    pub(crate) recipient: Option<Arc<TrustedCertificate>>,
    pub(crate) replay: Option<ReplayCache>,
    /// The identity the service must prove, for a client engine.
    pub(crate) identity: Option<Identity>,
}

impl Engine {
    /// An engine that trusts exactly `peer` (pinned) and encrypts for it.
    pub fn new(policy: Policy, credentials: Credentials, peer: Certificate) -> Result<Self, Error> {
        let pinned = PinnedCertificate::new(peer.clone())?;
        let recipient = Arc::new(TrustedCertificate::new(peer)?);
        Self::with_validator(policy, credentials, Arc::new(pinned), Some(recipient))
    }

    /// An engine with its own certificate validator. `recipient` is the certificate requests are
    /// encrypted for; responses are encrypted for the requester named by the [`Exchange`].
    pub fn with_validator(
        policy: Policy,
        credentials: Credentials,
        validator: Arc<dyn CertificateValidator>,
        recipient: Option<Arc<TrustedCertificate>>,
    ) -> Result<Self, Error> {
        check_policy(&policy)?;
        let replay = policy
            .detect_replays
            .then(|| ReplayCache::new(policy.replay_cache_size, policy.replay_window + policy.clock_skew * 2));
        Ok(Self { policy, credentials, validator, recipient, replay, identity: None })
    }

    /// Expects the service to prove `identity` (a client engine): securing a request refuses a
    /// recipient certificate that does not satisfy it, and opening a response refuses a signer
    /// that does not.
    pub fn expecting_identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// The identity the service must prove, if any.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// The counters of the certificate validator's verified-certificate cache (zeros for a
    /// validator without one). A reloaded configuration is a new engine with a fresh cache.
    pub fn certificate_cache_stats(&self) -> CacheStats {
        self.validator.cache_stats()
    }

    /// The certificate a request is encrypted for must pass validation, allow key encipherment
    /// and satisfy the expected identity.
    fn check_recipient(&self) -> Result<(), Error> {
        let Some(recipient) = &self.recipient else {
            return Ok(());
        };
        self.validator.validate_der(recipient.certificate.der())?;
        check_key_encipherment(&recipient.certificate)?;
        self.check_identity(&recipient.certificate)
    }

    fn check_identity(&self, certificate: &Certificate) -> Result<(), Error> {
        self.identity.as_ref().map_or(Ok(()), |identity| identity.check(certificate))
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Our credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Secures `envelope` now: a request when `exchange` is `None`, the response to the request
    /// the exchange came from otherwise.
    pub fn secure(&self, envelope: &[u8], exchange: Option<&Exchange>) -> Result<Secured, Error> {
        self.secure_at(envelope, exchange, OffsetDateTime::now_utc())
    }

    /// [`Engine::secure`] at a given time.
    pub fn secure_at(
        &self,
        envelope: &[u8],
        exchange: Option<&Exchange>,
        now: OffsetDateTime,
    ) -> Result<Secured, Error> {
        check_exchange_profile(self, exchange)?;
        if exchange.is_none() {
            self.check_recipient()?;
        }
        match self.policy.profile {
            Profile::Wss10 => secure::secure(self, envelope, exchange, now),
            Profile::WcfMutualCertificate => crate::wcf::secure(self, envelope, exchange, now),
        }
    }

    /// Opens `envelope` now: a request when `exchange` is `None`, the response to the request
    /// the exchange came from otherwise.
    pub fn open(&self, envelope: &[u8], exchange: Option<&Exchange>) -> Result<Opened, Error> {
        self.open_at(envelope, exchange, OffsetDateTime::now_utc())
    }

    /// [`Engine::open`] at a given time.
    pub fn open_at(&self, envelope: &[u8], exchange: Option<&Exchange>, now: OffsetDateTime) -> Result<Opened, Error> {
        check_exchange_profile(self, exchange)?;
        let opened = match self.policy.profile {
            Profile::Wss10 => open::open(self, envelope, exchange, now),
            Profile::WcfMutualCertificate => crate::wcf::open(self, envelope, exchange, now),
        }?;
        if exchange.is_some()
            && let Some(signer) = &opened.exchange.peer
        {
            self.check_identity(&signer.certificate)?;
        }
        Ok(opened)
    }
}

/// An exchange made by another profile cannot continue here.
fn check_exchange_profile(engine: &Engine, exchange: Option<&Exchange>) -> Result<(), Error> {
    match exchange {
        Some(exchange) if exchange.profile != engine.policy.profile => Err(Error::new(
            ErrorCode::ExchangeInvalid,
            format!(
                "the exchange state was made by the {} profile, this engine speaks {}",
                exchange.profile.name(),
                engine.policy.profile.name()
            ),
        )),
        _ => Ok(()),
    }
}

fn check_policy(policy: &Policy) -> Result<(), Error> {
    let suite = &policy.suite;
    if suite.key_transport == KeyTransportAlgorithm::Rsa15 && !policy.allow_rsa15 {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!("suite {} uses RSA-1.5 key transport, which is off unless allow_rsa15 is set", suite.name),
        ));
    }
    if suite.encryption == DataEncryptionAlgorithm::TripleDesCbc && !policy.allow_triple_des {
        return Err(Error::new(
            ErrorCode::ConfigInvalid,
            format!("suite {} uses 3DES, which is off unless allow_triple_des is set", suite.name),
        ));
    }
    if suite.asymmetric_signature.is_symmetric() || !suite.symmetric_signature.is_symmetric() {
        return Err(Error::new(ErrorCode::ConfigInvalid, "the suite's signature algorithms are of the wrong kind"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn engines_are_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<super::Engine>();
        shareable::<super::Exchange>();
    }
}
