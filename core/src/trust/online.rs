//! The Online revocation seam: a [`RevocationSource`] the host supplies (an OCSP client, a CRL
//! fetcher with its own cache) is asked about each certificate of a path below the anchor. wsseal
//! fetches nothing itself.

use std::fmt;

use time::OffsetDateTime;

use crate::cert::Certificate;

/// What a revocation source knows about a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationStatus {
    /// Not revoked; the answer holds until the time given (an OCSP or CRL nextUpdate), when known.
    Good {
        /// When the answer should be asked again; the verdict is cached no longer.
        until: Option<OffsetDateTime>,
    },
    /// Revoked: the certificate is refused with `CERTIFICATE_REVOKED`.
    Revoked,
    /// No answer (no responder, no current CRL): refused with `CERTIFICATE_REVOCATION_UNKNOWN`.
    Unknown,
}

/// Answers revocation questions for `revocation = Online` ([`super::TrustMaterial::revocation_source`]).
/// Called on the validating thread (a rayon worker, never an async one) on a cache miss; it
/// must be thread-safe and should bound its own time (a slow answer holds the message).
pub trait RevocationSource: Send + Sync + fmt::Debug {
    /// The status of `certificate`, issued by `issuer`, at `now`.
    fn status(&self, certificate: &Certificate, issuer: &Certificate, now: OffsetDateTime) -> RevocationStatus;
}
