//! The one error type of the crypto module.

use std::fmt;

/// Why a cryptographic operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CryptoError {
    /// The key cannot be used with this algorithm (RSA key with ECDSA, HMAC with a public key, key too short...).
    KeyMismatch,
    /// Key bytes or key encoding cannot be parsed.
    InvalidKey,
    /// A signature or MAC does not verify.
    BadSignature,
    /// Decryption failed: wrong key, bad padding, bad tag, wrong length. One variant for all of them.
    DecryptionFailed,
    /// The operation is not available for this algorithm (e.g. encrypting with 3DES, which is decrypt-only).
    Unsupported,
    /// The library failed (no randomness etc.).
    Internal,
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::KeyMismatch => "the key cannot be used with this algorithm",
            Self::InvalidKey => "the key cannot be parsed",
            Self::BadSignature => "the signature does not verify",
            Self::DecryptionFailed => "decryption failed",
            Self::Unsupported => "the operation is not available for this algorithm",
            Self::Internal => "the cryptographic library failed",
        })
    }
}

impl std::error::Error for CryptoError {}
