//! RSA key transport: RSA-OAEP (SHA-1 or SHA-256) and RSA PKCS#1 v1.5 with implicit rejection.

use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use zeroize::Zeroizing;

use super::{CryptoError, KeyTransportAlgorithm, SymmetricKey};

/// The aws-lc-rs OAEP parameters of `alg`, `None` for PKCS#1 v1.5.
fn oaep(alg: KeyTransportAlgorithm) -> Option<&'static OaepAlgorithm> {
    match alg {
        KeyTransportAlgorithm::RsaOaepMgf1pSha1 => Some(&OAEP_SHA1_MGF1SHA1),
        KeyTransportAlgorithm::RsaOaepSha256 => Some(&OAEP_SHA256_MGF1SHA256),
        KeyTransportAlgorithm::Rsa15 => None,
    }
}

/// The encrypting side of an RSA public key, for both paddings, parsed once.
pub(super) struct RsaEncryptor {
    oaep: OaepPublicEncryptingKey,
    pkcs1: Pkcs1PublicEncryptingKey,
}

impl RsaEncryptor {
    /// Parses the RSA public key in `spki` for encryption.
    ///
    /// `KeyMismatch` if aws-lc-rs refuses the key for encryption (under 2048 bits).
    pub(super) fn new(spki: &[u8]) -> Result<Self, CryptoError> {
        let parse = || PublicEncryptingKey::from_der(spki).map_err(|_| CryptoError::KeyMismatch);
        Ok(Self {
            oaep: OaepPublicEncryptingKey::new(parse()?).map_err(|_| CryptoError::KeyMismatch)?,
            pkcs1: Pkcs1PublicEncryptingKey::new(parse()?).map_err(|_| CryptoError::KeyMismatch)?,
        })
    }

    /// Encrypts `key`; `KeyMismatch` if it is too long for the modulus.
    pub(super) fn encrypt(&self, alg: KeyTransportAlgorithm, key: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = vec![0; self.oaep.ciphertext_size()];
        let len = match oaep(alg) {
            Some(oaep) => {
                if key.len() > self.oaep.max_plaintext_size(oaep) {
                    return Err(CryptoError::KeyMismatch);
                }
                self.oaep.encrypt(oaep, key, &mut out, None).map_err(|_| CryptoError::Internal)?.len()
            }
            None => {
                if key.len() > self.pkcs1.max_plaintext_size() {
                    return Err(CryptoError::KeyMismatch);
                }
                self.pkcs1.encrypt(key, &mut out).map_err(|_| CryptoError::Internal)?.len()
            }
        };
        out.truncate(len);
        Ok(out)
    }
}

/// The decrypting side of an RSA private key, for both paddings.
pub(super) struct RsaDecryptor {
    oaep: OaepPrivateDecryptingKey,
    pkcs1: Pkcs1PrivateDecryptingKey,
}

impl RsaDecryptor {
    /// Both decrypting forms of `key` (they share the one parsed key).
    pub(super) fn new(key: PrivateDecryptingKey) -> Result<Self, CryptoError> {
        Ok(Self {
            oaep: OaepPrivateDecryptingKey::new(key.clone()).map_err(|_| CryptoError::InvalidKey)?,
            pkcs1: Pkcs1PrivateDecryptingKey::new(key).map_err(|_| CryptoError::InvalidKey)?,
        })
    }

    /// Decrypts a transported key that must be `expected_len` bytes.
    ///
    /// OAEP: any failure, a wrong length included, is `DecryptionFailed`. PKCS#1 v1.5: implicit
    /// rejection, so that no padding oracle exists: on any failure the result is `expected_len` random
    /// bytes, and the caller goes on to fail later exactly as with a wrong key.
    pub(super) fn decrypt(
        &self,
        alg: KeyTransportAlgorithm,
        wrapped: &[u8],
        expected_len: usize,
    ) -> Result<SymmetricKey, CryptoError> {
        let mut out = Zeroizing::new(vec![0; self.pkcs1.key_size_bytes()]);
        match oaep(alg) {
            Some(oaep) => {
                let key =
                    self.oaep.decrypt(oaep, wrapped, &mut out, None).map_err(|_| CryptoError::DecryptionFailed)?;
                if key.len() == expected_len {
                    Ok(SymmetricKey::from_slice(key))
                } else {
                    Err(CryptoError::DecryptionFailed)
                }
            }
            None => {
                // Drawn before decrypting so both outcomes do the same work.
                let substitute = SymmetricKey::generate(expected_len)?;
                match self.pkcs1.decrypt(wrapped, &mut out) {
                    Ok(key) if key.len() == expected_len => Ok(SymmetricKey::from_slice(key)),
                    _ => Ok(substitute),
                }
            }
        }
    }
}
