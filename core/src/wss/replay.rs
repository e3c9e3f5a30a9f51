//! Replay detection: the SignatureValue of every accepted message is remembered for the replay
//! window, in a bounded cache.

use std::time::Duration;

use moka::sync::Cache;

use crate::crypto::{DigestAlgorithm, digest};
use crate::error::{Error, ErrorCode};

/// Signature values seen recently.
#[derive(Clone, Debug)]
pub(crate) struct ReplayCache {
    seen: Cache<Vec<u8>, ()>,
}

impl ReplayCache {
    /// Remembers at most `capacity` values, each for `ttl`.
    pub(crate) fn new(capacity: u64, ttl: Duration) -> Self {
        Self { seen: Cache::builder().max_capacity(capacity).time_to_live(ttl).build() }
    }

    /// Refuses a signature value seen before, and remembers it otherwise.
    pub(crate) fn check(&self, signature_value: &[u8]) -> Result<(), Error> {
        let key = digest(DigestAlgorithm::Sha256, signature_value);
        if self.seen.entry(key).or_insert(()).is_fresh() {
            Ok(())
        } else {
            Err(Error::new(ErrorCode::MessageReplayed, "a message with this signature value was already accepted"))
        }
    }
}
