//! Secret key bytes that are wiped when dropped.

use std::fmt;

use aws_lc_rs::rand;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::CryptoError;

/// Secret key bytes, zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SymmetricKey(Vec<u8>);

impl SymmetricKey {
    /// Takes ownership of `bytes` (no copy is left behind).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// `len` fresh random bytes from the system generator.
    pub fn generate(len: usize) -> Result<Self, CryptoError> {
        let mut key = Self(vec![0; len]);
        rand::fill(&mut key.0).map_err(|_| CryptoError::Internal)?;
        Ok(key)
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key length, in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the key has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SymmetricKey").field("len", &self.0.len()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::SymmetricKey;

    #[test]
    fn debug_hides_the_bytes() {
        let key = SymmetricKey::from_slice(&[0xAB; 16]);
        let shown = format!("{key:?}");
        assert!(!shown.contains("171") && !shown.to_lowercase().contains("ab"), "{shown}");
        assert!(shown.contains("16"));
    }

    #[test]
    fn generate_gives_distinct_keys_of_the_asked_length() {
        let a = SymmetricKey::generate(32).expect("randomness");
        let b = SymmetricKey::generate(32).expect("randomness");
        assert_eq!(a.len(), 32);
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert!(SymmetricKey::generate(0).expect("randomness").is_empty());
    }
}
