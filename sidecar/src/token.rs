//! Exchange tokens: the state between the two messages of an exchange, sealed with AES-256-GCM
//! under the sidecar's key, so the sidecar keeps no per-exchange state and replicas sharing the key
//! are interchangeable. The operation the token is for is bound as associated data; the expiry
//! travels inside the ciphertext.
//!
//! Layout: `version (1) | nonce (12) | AES-256-GCM(expiry as Unix seconds (8, big-endian) |
//! Exchange::to_bytes()) | tag (16)`.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use wsseal_core::{Error, ErrorCode, Exchange, Operation};

/// The first byte of every token.
const TOKEN_VERSION: u8 = 1;
/// Bytes of a key.
pub const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// The key that seals and opens tokens, with their lifetime.
pub struct TokenKey {
    key: RandomizedNonceKey,
    ttl: Duration,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl TokenKey {
    /// A key from 32 bytes.
    pub fn new(bytes: &[u8], ttl: Duration) -> Result<Self, Error> {
        if bytes.len() != KEY_LEN {
            return Err(Error::new(ErrorCode::ConfigInvalid, format!("a token key has {KEY_LEN} bytes")));
        }
        let key = RandomizedNonceKey::new(&AES_256_GCM, bytes)
            .map_err(|_| Error::new(ErrorCode::CryptoFailure, "the token key cannot be used"))?;
        Ok(Self { key, ttl })
    }

    /// A fresh random key: tokens are valid only in this process.
    pub fn random(ttl: Duration) -> Result<Self, Error> {
        let mut bytes = [0u8; KEY_LEN];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| Error::new(ErrorCode::CryptoFailure, "no randomness"))?;
        Self::new(&bytes, ttl)
    }

    /// A key from a file of 64 hexadecimal digits (surrounding whitespace ignored), as
    /// `openssl rand -hex 32` writes.
    pub fn from_file(path: &Path, ttl: Duration) -> Result<Self, Error> {
        let invalid =
            |why: String| Error::new(ErrorCode::ConfigInvalid, format!("token key {}: {why}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let bytes = decode_hex(text.trim()).ok_or_else(|| invalid(format!("expected {} hex digits", KEY_LEN * 2)))?;
        Self::new(&bytes, ttl)
    }

    /// Seals the exchange state produced by `from` for the operation that continues it.
    pub fn seal(&self, from: Operation, exchange: &Exchange) -> Result<Vec<u8>, Error> {
        let next = continuation(from)
            .ok_or_else(|| Error::new(ErrorCode::ExchangeInvalid, format!("{} ends its exchange", from.name())))?;
        let expiry = (SystemTime::now() + self.ttl).duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let mut sealed = expiry.to_be_bytes().to_vec();
        sealed.extend_from_slice(&exchange.to_bytes());
        let nonce = self
            .key
            .seal_in_place_append_tag(associated_data(next), &mut sealed)
            .map_err(|_| Error::new(ErrorCode::CryptoFailure, "the exchange token cannot be sealed"))?;
        let mut token = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        token.push(TOKEN_VERSION);
        token.extend_from_slice(nonce.as_ref());
        token.extend_from_slice(&sealed);
        Ok(token)
    }

    /// Opens a token for operation `op`. A token sealed under another key, altered, or made for
    /// another operation is [`ErrorCode::TokenInvalid`]; one past its expiry is
    /// [`ErrorCode::TokenExpired`].
    pub fn open(&self, op: Operation, token: &[u8]) -> Result<Exchange, Error> {
        let invalid =
            || Error::new(ErrorCode::TokenInvalid, format!("the exchange token is not valid for {}", op.name()));
        let (&version, rest) = token.split_first().ok_or_else(invalid)?;
        if version != TOKEN_VERSION || rest.len() < NONCE_LEN + 8 + TAG_LEN {
            return Err(invalid());
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| invalid())?;
        let mut sealed = sealed.to_vec();
        let plain = self.key.open_in_place(nonce, associated_data(op), &mut sealed).map_err(|_| invalid())?;
        let (expiry, state) = plain.split_first_chunk::<8>().ok_or_else(invalid)?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
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
        let key = TokenKey::random(Duration::from_secs(60)).unwrap();
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
        let key = TokenKey::random(Duration::from_secs(60)).unwrap();
        let other = TokenKey::random(Duration::from_secs(60)).unwrap();
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
        let key = TokenKey::new(&[5; 32], Duration::ZERO).unwrap();
        let token = key.seal(Operation::OpenRequest, &exchange()).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(key.open(Operation::SecureResponse, &token).unwrap_err().code(), ErrorCode::TokenExpired);
    }

    #[test]
    fn keys_are_read_as_hex() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, format!("{}\n", "0a".repeat(32))).unwrap();
        let key = TokenKey::from_file(&path, Duration::from_secs(5)).unwrap();
        let same = TokenKey::new(&[10; 32], Duration::from_secs(5)).unwrap();
        let token = key.seal(Operation::OpenRequest, &exchange()).unwrap();
        assert!(same.open(Operation::SecureResponse, &token).is_ok());
        std::fs::write(&path, "0a0b").unwrap();
        assert_eq!(TokenKey::from_file(&path, Duration::ZERO).unwrap_err().code(), ErrorCode::ConfigInvalid);
    }
}
