//! Tests that span several files of the crypto module, and the helpers every test uses.

mod algorithms;
mod cipher;
mod ecdsa;
mod openssl;
mod rsa;

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a hex string (either case, whitespace ignored). Test input is trusted: bad hex panics.
pub(crate) fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len().is_multiple_of(2), "odd hex length");
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ascii"), 16).expect("hex digit"))
        .collect()
}

/// A public-key `signature` of `b"signed info"` under `alg` verifies from the message's digest
/// just as from the message: the right digest passes, another message's or another algorithm's
/// digest fails.
pub(crate) fn check_digest_verification(public: &super::PublicKey, alg: super::SignatureAlgorithm, signature: &[u8]) {
    use super::{CryptoError, DigestAlgorithm};
    let digest = |alg: DigestAlgorithm, message: &[u8]| {
        let mut context = alg.context();
        context.update(message);
        context.finish()
    };
    assert_eq!(public.verify_digest(alg, &digest(alg.digest(), b"signed info"), signature), Ok(()), "{alg:?}");
    assert_eq!(
        public.verify_digest(alg, &digest(alg.digest(), b"signed inf0"), signature),
        Err(CryptoError::BadSignature),
        "{alg:?}"
    );
    for other in [DigestAlgorithm::Sha1, DigestAlgorithm::Sha256, DigestAlgorithm::Sha384, DigestAlgorithm::Sha512] {
        if other != alg.digest() {
            assert_eq!(
                public.verify_digest(alg, &digest(other, b"signed info"), signature),
                Err(CryptoError::BadSignature),
                "{alg:?} given a {other:?} digest"
            );
        }
    }
}
