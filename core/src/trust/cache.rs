//! The verified-certificate cache: verdicts keyed by the SHA-256 of the certificate's DER (with
//! the candidate intermediates its message carried) and the validation context, each with its own expiry (the earliest of the path's notAfter, the
//! CRLs' nextUpdate and the configured TTL), bounded in entries, counting hits and misses.
//!
//! A validator owns its cache; reloading trust material means building a new validator (the host
//! builds a new engine from the configuration), which starts with an empty cache.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_lc_rs::digest::{Context, SHA256, digest};
use moka::sync::Cache;
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::Error;
use crate::wss::TrustedCertificate;

/// Counters of a verified-certificate cache, for metrics. Validators without a cache report zeros.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that validated the certificate.
    pub misses: u64,
    /// Verdicts held now.
    pub entries: u64,
}

/// A verdict: the trusted certificate with its parsed key and identity claims, or the refusal.
pub(crate) type Verdict = Result<Arc<TrustedCertificate>, Error>;

struct Entry {
    verdict: Verdict,
    expires: OffsetDateTime,
}

/// The cache key: SHA-256 of the DER (and of the candidates the message carried), and the
/// context (mode and role) the verdict was reached in.
type Key = ([u8; 32], u8);

/// Verdicts by certificate.
pub(crate) struct VerdictCache {
    entries: Cache<Key, Arc<Entry>>,
    ttl: Duration,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl VerdictCache {
    /// A cache of at most `size` verdicts, none older than `ttl`.
    pub(crate) fn new(size: u64, ttl: Duration) -> Self {
        Self {
            entries: Cache::builder().max_capacity(size).time_to_live(ttl).build(),
            ttl,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cached verdict on `der` with the message's `candidates` in `context` at `now`, or
    /// `validate`'s, cached until the time it returns (and at most the TTL).
    pub(crate) fn get_or_validate(
        &self,
        der: &[u8],
        candidates: &[Vec<u8>],
        context: u8,
        now: OffsetDateTime,
        validate: impl FnOnce() -> (Verdict, OffsetDateTime),
    ) -> Verdict {
        let key = (certificates_digest(der, candidates), context);
        if let Some(entry) = self.entries.get(&key)
            && now < entry.expires
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return entry.verdict.clone();
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let (verdict, until) = validate();
        let expires = until.min(now + self.ttl);
        if now < expires {
            self.entries.insert(key, Arc::new(Entry { verdict: verdict.clone(), expires }));
        }
        verdict
    }

    /// The counters.
    pub(crate) fn stats(&self) -> CacheStats {
        self.entries.run_pending_tasks();
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
        }
    }
}

/// SHA-256 of the DER alone, or, with candidates, of a 0 byte (no DER starts with one) and each
/// certificate length-prefixed: a verdict reached with a message's certificates answers only for
/// that certificate with those certificates.
fn certificates_digest(der: &[u8], candidates: &[Vec<u8>]) -> [u8; 32] {
    let mut hash = [0u8; 32];
    if candidates.is_empty() {
        hash.copy_from_slice(digest(&SHA256, der).as_ref());
        return hash;
    }
    let mut context = Context::new(&SHA256);
    context.update(&[0]);
    for certificate in std::iter::once(der).chain(candidates.iter().map(Vec::as_slice)) {
        context.update(&(certificate.len() as u64).to_be_bytes());
        context.update(certificate);
    }
    hash.copy_from_slice(context.finish().as_ref());
    hash
}

impl std::fmt::Debug for VerdictCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerdictCache").field("stats", &self.stats()).finish()
    }
}
