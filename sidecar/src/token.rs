//! Exchange tokens: the state between the two messages of an exchange, sealed with AES-256-GCM
//! under the sidecar's key, so the sidecar keeps no per-exchange state and replicas sharing the key
//! are interchangeable. The operation the token is for is bound as associated data; the expiry
//! travels inside the ciphertext.
//!
//! Layout: `version (1) | nonce (12) | AES-256-GCM(expiry as Unix seconds (8, big-endian) |
//! Exchange::to_bytes()) | tag (16)`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::digest::{SHA256, digest};
use wsseal_core::{Error, ErrorCode, Exchange, Operation};

/// The first byte of every token.
const TOKEN_VERSION: u8 = 1;
/// Bytes of a key.
pub const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// One AES-256-GCM key of a ring (shared with the ring that follows a rotation).
struct Key {
    aead: Arc<RandomizedNonceKey>,
    /// The first bytes of the key's SHA-256: tells keys apart without keeping their bytes.
    id: [u8; 8],
    /// When a rotated-out key stops opening tokens; `None` while the key file still holds it.
    retired_after: Option<SystemTime>,
}

/// The keys that seal and open tokens, with the tokens' lifetime. The first key seals; every
/// key opens: the other keys of the key file, and for an overlap after a rotation the keys the
/// file held before, so that tokens sealed before the rotation (here or by another replica)
/// still open.
pub struct TokenKeys {
    keys: Vec<Key>,
    ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys").field("keys", &self.keys.len()).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl Key {
    fn new(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != KEY_LEN {
            return Err(Error::new(ErrorCode::ConfigInvalid, format!("a token key has {KEY_LEN} bytes")));
        }
        let aead = RandomizedNonceKey::new(&AES_256_GCM, bytes)
            .map_err(|_| Error::new(ErrorCode::CryptoFailure, "the token key cannot be used"))?;
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest(&SHA256, bytes).as_ref()[..8]);
        Ok(Self { aead: Arc::new(aead), id, retired_after: None })
    }

    fn opens_at(&self, now: SystemTime) -> bool {
        self.retired_after.is_none_or(|until| now <= until)
    }
}

impl TokenKeys {
    /// One key from 32 bytes.
    pub fn new(bytes: &[u8], ttl: Duration) -> Result<Self, Error> {
        Ok(Self { keys: vec![Key::new(bytes)?], ttl })
    }

    /// A fresh random key: tokens are valid only in this process.
    pub fn random(ttl: Duration) -> Result<Self, Error> {
        let mut bytes = [0u8; KEY_LEN];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::new(ErrorCode::CryptoFailure, "no randomness"))?;
        Self::new(&bytes, ttl)
    }

    /// The keys of a file: one or more keys of 64 hexadecimal digits (as `openssl rand -hex 32`
    /// writes), separated by whitespace. The first seals and opens; the others only open (a
    /// key being rolled out to the replicas, or one being retired).
    pub fn from_file(path: &Path, ttl: Duration) -> Result<Self, Error> {
        let invalid =
            |why: String| Error::new(ErrorCode::ConfigInvalid, format!("token key {}: {why}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let keys = text
            .split_whitespace()
            .map(|word| decode_hex(word).ok_or_else(|| invalid(format!("expected keys of {} hex digits", KEY_LEN * 2))))
            .map(|bytes| Key::new(&bytes?).map_err(|e| invalid(e.message().to_owned())))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(invalid("no key".into()));
        }
        Ok(Self { keys, ttl })
    }

    /// These keys after a rotation from `previous`: the keys of `previous` that are not among
    /// these go on opening tokens for `overlap` (or until their earlier retirement).
    pub fn rotated_from(mut self, previous: &TokenKeys, overlap: Duration) -> Self {
        let now = SystemTime::now();
        let retire = now + overlap;
        for old in &previous.keys {
            if self.keys.iter().any(|key| key.id == old.id) || !old.opens_at(now) {
                continue;
            }
            let retired_after = Some(old.retired_after.map_or(retire, |until| until.min(retire)));
            self.keys.push(Key { aead: old.aead.clone(), id: old.id, retired_after });
        }
        self
    }

    /// How many keys open tokens now.
    pub fn opening(&self) -> usize {
        let now = SystemTime::now();
        self.keys.iter().filter(|key| key.opens_at(now)).count()
    }

    /// Seals the exchange state produced by `from` for the operation that continues it, under
    /// the newest key.
    pub fn seal(&self, from: Operation, exchange: &Exchange) -> Result<Vec<u8>, Error> {
        let next = continuation(from)
            .ok_or_else(|| Error::new(ErrorCode::ExchangeInvalid, format!("{} ends its exchange", from.name())))?;
        let expiry = (SystemTime::now() + self.ttl).duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let mut sealed = expiry.to_be_bytes().to_vec();
        sealed.extend_from_slice(&exchange.to_bytes());
        let nonce = self.keys[0]
            .aead
            .seal_in_place_append_tag(associated_data(next), &mut sealed)
            .map_err(|_| Error::new(ErrorCode::CryptoFailure, "the exchange token cannot be sealed"))?;
        let mut token = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        token.push(TOKEN_VERSION);
        token.extend_from_slice(nonce.as_ref());
        token.extend_from_slice(&sealed);
        Ok(token)
    }

    /// Opens a token for operation `op` under any key that still opens. A token sealed under
    /// another key, altered, or made for another operation is [`ErrorCode::TokenInvalid`]; one
    /// past its expiry is [`ErrorCode::TokenExpired`].
    pub fn open(&self, op: Operation, token: &[u8]) -> Result<Exchange, Error> {
        let invalid =
            || Error::new(ErrorCode::TokenInvalid, format!("the exchange token is not valid for {}", op.name()));
        let (&version, rest) = token.split_first().ok_or_else(invalid)?;
        if version != TOKEN_VERSION || rest.len() < NONCE_LEN + 8 + TAG_LEN {
            return Err(invalid());
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let now = SystemTime::now();
        let mut buffer = Vec::with_capacity(sealed.len());
        let plain = self
            .keys
            .iter()
            .filter(|key| key.opens_at(now))
            .find_map(|key| {
                let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
                buffer.clear();
                buffer.extend_from_slice(sealed);
                key.aead.open_in_place(nonce, associated_data(op), &mut buffer).ok().map(|plain| plain.len())
            })
            .ok_or_else(invalid)?;
        let (expiry, state) = buffer[..plain].split_first_chunk::<8>().ok_or_else(invalid)?;
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if u64::from_be_bytes(*expiry) < now {
            return Err(Error::new(ErrorCode::TokenExpired, "the exchange token has expired"));
        }
        Exchange::from_bytes(state).map_err(|e| Error::new(ErrorCode::TokenInvalid, e.message()))
    }
}

/// The operation that continues the exchange `from` starts.
fn continuation(from: Operation) -> Option<Operation> {
    match from {
        Operation::SecureRequest => Some(Operation::OpenResponse),
        Operation::OpenRequest => Some(Operation::SecureResponse),
        Operation::OpenResponse | Operation::SecureResponse => None,
    }
}

/// What binds a token to the operation it is for.
fn associated_data(op: Operation) -> Aad<[u8; 16]> {
    let mut aad = *b"wsseal-token/1:\0";
    aad[15] = match op {
        Operation::SecureRequest => 1,
        Operation::OpenResponse => 2,
        Operation::OpenRequest => 3,
        Operation::SecureResponse => 4,
    };
    Aad::from(aad)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> Exchange {
        Exchange { message_id: Some("urn:uuid:1".into()), signature_values: vec![vec![7; 8]], ..Default::default() }
    }

    #[test]
    fn a_token_opens_for_its_continuation_only() {
        let key = TokenKeys::random(Duration::from_secs(60)).unwrap();
        let token = key.seal(Operation::SecureRequest, &exchange()).unwrap();
        let opened = key.open(Operation::OpenResponse, &token).unwrap();
        assert_eq!(opened.message_id.as_deref(), Some("urn:uuid:1"));
        assert_eq!(opened.signature_values, vec![vec![7; 8]]);
        let wrong = key.open(Operation::SecureResponse, &token).unwrap_err();
        assert_eq!(wrong.code(), ErrorCode::TokenInvalid);
        assert!(key.seal(Operation::OpenResponse, &exchange()).is_err());
    }

    #[test]
    fn altered_foreign_and_short_tokens_are_invalid() {
        let key = TokenKeys::random(Duration::from_secs(60)).unwrap();
        let other = TokenKeys::random(Duration::from_secs(60)).unwrap();
        let token = key.seal(Operation::OpenRequest, &exchange()).unwrap();
        let mut flipped = token.clone();
        *flipped.last_mut().unwrap() ^= 1;
        let mut middle = token.clone();
        middle[20] ^= 0x80;
        for bad in [&flipped[..], &middle, &token[..10], &[], &[2u8; 64]] {
            assert_eq!(key.open(Operation::SecureResponse, bad).unwrap_err().code(), ErrorCode::TokenInvalid);
        }
        assert_eq!(other.open(Operation::SecureResponse, &token).unwrap_err().code(), ErrorCode::TokenInvalid);
    }

    #[test]
    fn an_expired_token_says_so() {
        let key = TokenKeys::new(&[5; 32], Duration::ZERO).unwrap();
        let token = key.seal(Operation::OpenRequest, &exchange()).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(key.open(Operation::SecureResponse, &token).unwrap_err().code(), ErrorCode::TokenExpired);
    }

    #[test]
    fn keys_are_read_as_hex() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, format!("{}\n", "0a".repeat(32))).unwrap();
        let key = TokenKeys::from_file(&path, Duration::from_secs(5)).unwrap();
        let same = TokenKeys::new(&[10; 32], Duration::from_secs(5)).unwrap();
        let token = key.seal(Operation::OpenRequest, &exchange()).unwrap();
        assert!(same.open(Operation::SecureResponse, &token).is_ok());
        for bad in ["0a0b", "", &format!("{} zz", "0a".repeat(32))] {
            std::fs::write(&path, bad).unwrap();
            assert_eq!(TokenKeys::from_file(&path, Duration::ZERO).unwrap_err().code(), ErrorCode::ConfigInvalid);
        }
    }

    #[test]
    fn the_first_key_of_a_file_seals_and_every_key_opens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, format!("{}\n{}\n", "0b".repeat(32), "0a".repeat(32))).unwrap();
        let both = TokenKeys::from_file(&path, Duration::from_secs(5)).unwrap();
        let (old, new) = (
            TokenKeys::new(&[10; 32], Duration::from_secs(5)).unwrap(),
            TokenKeys::new(&[11; 32], Duration::from_secs(5)).unwrap(),
        );
        let by_old = old.seal(Operation::OpenRequest, &exchange()).unwrap();
        assert!(both.open(Operation::SecureResponse, &by_old).is_ok());
        let by_both = both.seal(Operation::OpenRequest, &exchange()).unwrap();
        assert!(new.open(Operation::SecureResponse, &by_both).is_ok());
        assert!(old.open(Operation::SecureResponse, &by_both).is_err());
    }

    #[test]
    fn a_rotated_out_key_opens_for_the_overlap_only() {
        let ttl = Duration::from_secs(60);
        let old = TokenKeys::new(&[1; 32], ttl).unwrap();
        let before = old.seal(Operation::SecureRequest, &exchange()).unwrap();
        let rotated = TokenKeys::new(&[2; 32], ttl).unwrap().rotated_from(&old, Duration::from_secs(60));
        assert_eq!(rotated.opening(), 2);
        assert!(rotated.open(Operation::OpenResponse, &before).is_ok());
        let after = rotated.seal(Operation::SecureRequest, &exchange()).unwrap();
        assert!(old.open(Operation::OpenResponse, &after).is_err(), "the newest key seals");
        // Reloading the same file changes nothing; a second rotation keeps the first overlap.
        let again = TokenKeys::new(&[2; 32], ttl).unwrap().rotated_from(&rotated, Duration::from_secs(60));
        assert_eq!(again.opening(), 2);
        let third = TokenKeys::new(&[3; 32], ttl).unwrap().rotated_from(&again, Duration::from_secs(60));
        assert_eq!(third.opening(), 3);
        assert!(third.open(Operation::OpenResponse, &before).is_ok());
        assert!(third.open(Operation::OpenResponse, &after).is_ok());
        // Without an overlap, the old key is gone at once.
        let strict = TokenKeys::new(&[2; 32], ttl).unwrap().rotated_from(&old, Duration::ZERO);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(strict.opening(), 1);
        assert_eq!(strict.open(Operation::OpenResponse, &before).unwrap_err().code(), ErrorCode::TokenInvalid);
    }
}
