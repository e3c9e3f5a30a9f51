//! HMAC signatures (`hmac-sha1`, `hmac-sha256`) over a shared secret.

use aws_lc_rs::hmac;

use super::{CryptoError, SignatureAlgorithm, SymmetricKey};

/// The HMAC of `message` under `key`, full length.
///
/// `KeyMismatch` if `alg` is not an HMAC algorithm.
pub fn hmac_sign(alg: SignatureAlgorithm, key: &SymmetricKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = hmac::Key::new(aws_alg(alg)?, key.as_bytes());
    Ok(hmac::sign(&key, message).as_ref().to_vec())
}

/// Checks `mac` against the HMAC of `message`, in constant time.
///
/// A MAC of any length other than the full output is `BadSignature`: truncated HMACs
/// (`ds:HMACOutputLength`, CVE-2009-0217) are never accepted. `KeyMismatch` if `alg` is not HMAC.
pub fn hmac_verify(alg: SignatureAlgorithm, key: &SymmetricKey, message: &[u8], mac: &[u8]) -> Result<(), CryptoError> {
    let alg = aws_alg(alg)?;
    if mac.len() != alg.digest_algorithm().output_len() {
        return Err(CryptoError::BadSignature);
    }
    let key = hmac::Key::new(alg, key.as_bytes());
    hmac::verify(&key, message, mac).map_err(|_| CryptoError::BadSignature)
}

/// The aws-lc-rs HMAC algorithm for `alg`.
fn aws_alg(alg: SignatureAlgorithm) -> Result<hmac::Algorithm, CryptoError> {
    match alg {
        SignatureAlgorithm::HmacSha1 => Ok(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
        SignatureAlgorithm::HmacSha256 => Ok(hmac::HMAC_SHA256),
        _ => Err(CryptoError::KeyMismatch),
    }
}

#[cfg(test)]
mod tests {
    use super::{hmac_sign, hmac_verify};
    use crate::crypto::tests::unhex;
    use crate::crypto::{CryptoError, SignatureAlgorithm, SymmetricKey};

    #[test]
    fn rfc2202_test_case_1_hmac_sha1() {
        let key = SymmetricKey::from_slice(&[0x0b; 20]);
        let expected = unhex("b617318655057264e28bc0b6fb378c8ef146be00");
        let mac = hmac_sign(SignatureAlgorithm::HmacSha1, &key, b"Hi There").expect("hmac");
        assert_eq!(mac, expected);
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha1, &key, b"Hi There", &expected), Ok(()));
    }

    #[test]
    fn rfc4231_test_case_2_hmac_sha256() {
        let key = SymmetricKey::from_slice(b"Jefe");
        let message = b"what do ya want for nothing?";
        let expected = unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(hmac_sign(SignatureAlgorithm::HmacSha256, &key, message).expect("hmac"), expected);
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &expected), Ok(()));
    }

    #[test]
    fn truncated_or_wrong_macs_are_rejected() {
        let key = SymmetricKey::from_slice(b"Jefe");
        let message = b"what do ya want for nothing?";
        let mac = hmac_sign(SignatureAlgorithm::HmacSha256, &key, message).expect("hmac");
        for len in [0, 1, 10, 16, 31] {
            assert_eq!(
                hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &mac[..len]),
                Err(CryptoError::BadSignature),
                "truncated to {len}"
            );
        }
        let mut longer = mac.clone();
        longer.push(0);
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &longer), Err(CryptoError::BadSignature));
        let mut flipped = mac.clone();
        flipped[31] ^= 1;
        assert_eq!(
            hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &flipped),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha256, &key, b"other", &mac), Err(CryptoError::BadSignature));
    }

    #[test]
    fn non_hmac_algorithms_are_a_key_mismatch() {
        let key = SymmetricKey::from_slice(b"k");
        assert_eq!(hmac_sign(SignatureAlgorithm::RsaSha256, &key, b"m"), Err(CryptoError::KeyMismatch));
        assert_eq!(hmac_verify(SignatureAlgorithm::EcdsaSha256, &key, b"m", &[0; 32]), Err(CryptoError::KeyMismatch));
    }
}
