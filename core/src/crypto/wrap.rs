//! AES key wrap (RFC 3394) for `kw-aes128` and `kw-aes256`.

use aws_lc_rs::key_wrap::{AES_128, AES_256, AesBlockCipher, KeyEncryptionKey, KeyWrap};
use zeroize::Zeroizing;

use super::{CryptoError, KeyWrapAlgorithm, SymmetricKey};

/// The RFC 3394 integrity check value and block size.
const SEMIBLOCK: usize = 8;

/// Wraps `key` (at least 16 bytes, a multiple of 8) under `kek`.
///
/// `KeyMismatch` if `kek` is not `alg.key_len()` bytes or `key` has a length key wrap cannot take.
pub fn wrap_key(alg: KeyWrapAlgorithm, kek: &SymmetricKey, key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if key.len() < 2 * SEMIBLOCK || !key.len().is_multiple_of(SEMIBLOCK) {
        return Err(CryptoError::KeyMismatch);
    }
    let kek = kek_for(alg, kek)?;
    let mut out = vec![0; key.len() + SEMIBLOCK];
    let len = kek.wrap(key, &mut out).map_err(|_| CryptoError::Internal)?.len();
    out.truncate(len);
    Ok(out)
}

/// Unwraps `wrapped` under `kek`; any failure of the integrity check or length is `DecryptionFailed`.
///
/// `KeyMismatch` if `kek` is not `alg.key_len()` bytes.
pub fn unwrap_key(alg: KeyWrapAlgorithm, kek: &SymmetricKey, wrapped: &[u8]) -> Result<SymmetricKey, CryptoError> {
    let kek = kek_for(alg, kek)?;
    if wrapped.len() < 3 * SEMIBLOCK || !wrapped.len().is_multiple_of(SEMIBLOCK) {
        return Err(CryptoError::DecryptionFailed);
    }
    let mut out = Zeroizing::new(vec![0; wrapped.len() - SEMIBLOCK]);
    let key = kek.unwrap(wrapped, &mut out).map_err(|_| CryptoError::DecryptionFailed)?;
    Ok(SymmetricKey::from_slice(key))
}

/// The aws-lc-rs key-encryption key, checked against the algorithm's key length.
fn kek_for(alg: KeyWrapAlgorithm, kek: &SymmetricKey) -> Result<KeyEncryptionKey<AesBlockCipher>, CryptoError> {
    if kek.len() != alg.key_len() {
        return Err(CryptoError::KeyMismatch);
    }
    let cipher = match alg {
        KeyWrapAlgorithm::KwAes128 => &AES_128,
        KeyWrapAlgorithm::KwAes256 => &AES_256,
    };
    KeyEncryptionKey::new(cipher, kek.as_bytes()).map_err(|_| CryptoError::KeyMismatch)
}

#[cfg(test)]
mod tests {
    use super::{unwrap_key, wrap_key};
    use crate::crypto::tests::unhex;
    use crate::crypto::{CryptoError, KeyWrapAlgorithm, SymmetricKey};

    /// RFC 3394 §4.1 (128-bit KEK, 128-bit key) and §4.6 (256-bit KEK, 256-bit key).
    fn vectors() -> [(KeyWrapAlgorithm, &'static str, &'static str, &'static str); 2] {
        [
            (
                KeyWrapAlgorithm::KwAes128,
                "000102030405060708090A0B0C0D0E0F",
                "00112233445566778899AABBCCDDEEFF",
                "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5",
            ),
            (
                KeyWrapAlgorithm::KwAes256,
                "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
                "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
                "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
            ),
        ]
    }

    #[test]
    fn rfc3394_vectors() {
        for (alg, kek, key, wrapped) in vectors() {
            let kek = SymmetricKey::new(unhex(kek));
            assert_eq!(wrap_key(alg, &kek, &unhex(key)).expect("wrap"), unhex(wrapped), "{alg:?}");
            assert_eq!(unwrap_key(alg, &kek, &unhex(wrapped)).expect("unwrap").as_bytes(), unhex(key).as_slice());
        }
    }

    #[test]
    fn tampering_and_bad_lengths_fail_to_decrypt() {
        for (alg, kek, _, wrapped) in vectors() {
            let kek = SymmetricKey::new(unhex(kek));
            let wrapped = unhex(wrapped);
            for i in 0..wrapped.len() {
                let mut bad = wrapped.clone();
                bad[i] ^= 0x40;
                assert_eq!(unwrap_key(alg, &kek, &bad).map(|_| ()), Err(CryptoError::DecryptionFailed));
            }
            for len in [0, 8, 16, wrapped.len() - 1, wrapped.len() - 8] {
                assert_eq!(
                    unwrap_key(alg, &kek, &wrapped[..len]).map(|_| ()),
                    Err(CryptoError::DecryptionFailed),
                    "{len}"
                );
            }
            let mut other = kek.as_bytes().to_vec();
            other[0] ^= 1;
            let other = SymmetricKey::new(other);
            assert_eq!(unwrap_key(alg, &other, &wrapped).map(|_| ()), Err(CryptoError::DecryptionFailed));
        }
    }

    #[test]
    fn key_lengths_are_checked() {
        let kek = SymmetricKey::from_slice(&[7; 16]);
        assert_eq!(wrap_key(KeyWrapAlgorithm::KwAes256, &kek, &[1; 16]), Err(CryptoError::KeyMismatch));
        assert_eq!(unwrap_key(KeyWrapAlgorithm::KwAes256, &kek, &[1; 24]).map(|_| ()), Err(CryptoError::KeyMismatch));
        assert_eq!(wrap_key(KeyWrapAlgorithm::KwAes128, &kek, &[1; 8]), Err(CryptoError::KeyMismatch));
        assert_eq!(wrap_key(KeyWrapAlgorithm::KwAes128, &kek, &[1; 20]), Err(CryptoError::KeyMismatch));
        let wrapped = wrap_key(KeyWrapAlgorithm::KwAes128, &kek, &[1; 24]).expect("wrap");
        assert_eq!(unwrap_key(KeyWrapAlgorithm::KwAes128, &kek, &wrapped).expect("unwrap").as_bytes(), &[1; 24]);
    }
}
