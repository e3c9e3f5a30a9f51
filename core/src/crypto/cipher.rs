//! XML-Enc data encryption: `EncryptedData` CipherValue octets, by algorithm.

use std::ops::Range;

use aws_lc_rs::{aead, cipher};

use super::{CryptoError, DataEncryptionAlgorithm, SymmetricKey, cbc, gcm};

/// The cipher behind a data encryption algorithm.
enum Mode {
    /// CBC with XML-Enc padding.
    Cbc(&'static cipher::Algorithm),
    /// GCM with a 96-bit IV and 128-bit tag.
    Gcm(&'static aead::Algorithm),
}

impl Mode {
    /// The mode and cipher of `alg`.
    // Triple DES is deprecated in aws-lc-rs; XML-Enc peers still send it and we only decrypt it.
    #[allow(deprecated)]
    fn of(alg: DataEncryptionAlgorithm) -> Self {
        match alg {
            DataEncryptionAlgorithm::Aes128Cbc => Self::Cbc(&cipher::AES_128),
            DataEncryptionAlgorithm::Aes192Cbc => Self::Cbc(&cipher::AES_192),
            DataEncryptionAlgorithm::Aes256Cbc => Self::Cbc(&cipher::AES_256),
            DataEncryptionAlgorithm::Aes128Gcm => Self::Gcm(&aead::AES_128_GCM),
            DataEncryptionAlgorithm::Aes256Gcm => Self::Gcm(&aead::AES_256_GCM),
            DataEncryptionAlgorithm::TripleDesCbc => Self::Cbc(&cipher::DES_EDE3_FOR_LEGACY_USE_ONLY),
        }
    }
}

/// Encrypts `plaintext` to the CipherValue octets: IV || ciphertext (|| tag for GCM), with a random IV.
///
/// `Unsupported` for Triple DES (decryption only); `KeyMismatch` if `key` is not `alg.key_len()` bytes.
pub fn encrypt_data(
    alg: DataEncryptionAlgorithm,
    key: &SymmetricKey,
    plaintext: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if alg == DataEncryptionAlgorithm::TripleDesCbc {
        return Err(CryptoError::Unsupported);
    }
    check_key_len(alg, key)?;
    match Mode::of(alg) {
        Mode::Cbc(cipher) => cbc::encrypt(cipher, key.as_bytes(), plaintext),
        Mode::Gcm(aead) => gcm::encrypt(aead, key.as_bytes(), plaintext),
    }
}

/// Decrypts CipherValue octets in place and returns the range of `data` that holds the plaintext.
///
/// Every failure that depends on the data (length, padding, tag, key material) is `DecryptionFailed`;
/// `KeyMismatch` if `key` is not `alg.key_len()` bytes.
pub fn decrypt_data(
    alg: DataEncryptionAlgorithm,
    key: &SymmetricKey,
    data: &mut [u8],
) -> Result<Range<usize>, CryptoError> {
    check_key_len(alg, key)?;
    match Mode::of(alg) {
        Mode::Cbc(cipher) => cbc::decrypt(cipher, key.as_bytes(), data),
        Mode::Gcm(aead) => gcm::decrypt(aead, key.as_bytes(), data),
    }
}

/// `KeyMismatch` unless `key` has the length `alg` needs.
fn check_key_len(alg: DataEncryptionAlgorithm, key: &SymmetricKey) -> Result<(), CryptoError> {
    if key.len() == alg.key_len() { Ok(()) } else { Err(CryptoError::KeyMismatch) }
}
