//! One-shot digests and constant-time comparison.

use std::fmt;
use std::ops::Deref;

use aws_lc_rs::{constant_time, digest as aws_digest};

use super::DigestAlgorithm;

/// A digest value held inline: at most [`aws_digest::MAX_OUTPUT_LEN`] bytes (SHA-512's).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DigestValue {
    bytes: [u8; aws_digest::MAX_OUTPUT_LEN],
    len: u8,
}

impl DigestValue {
    /// Reads a digest value from base64 text (whitespace ignored); `None` when the text is not
    /// base64 of exactly `algorithm`'s output length.
    pub fn from_base64(text: &str, algorithm: DigestAlgorithm) -> Option<Self> {
        let mut bytes = [0; aws_digest::MAX_OUTPUT_LEN];
        let len = crate::encoding::decode_base64_into(text, &mut bytes)?.len();
        (len == algorithm.output_len()).then_some(Self { bytes, len: len as u8 })
    }
}

impl Deref for DigestValue {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for DigestValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// The digest of `data`.
pub fn digest(alg: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    aws_digest::digest(alg.aws(), data).as_ref().to_vec()
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    constant_time::verify_slices_are_equal(a, b).is_ok()
}

#[cfg(test)]
mod tests {
    use super::{DigestAlgorithm, DigestValue, constant_time_eq, digest};

    #[test]
    fn digests_of_abc() {
        // FIPS 180-2 appendix examples, message "abc".
        let cases = [
            (DigestAlgorithm::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (DigestAlgorithm::Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                DigestAlgorithm::Sha384,
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
            ),
            (
                DigestAlgorithm::Sha512,
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                 2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
        ];
        for (alg, hex) in cases {
            let out = digest(alg, b"abc");
            assert_eq!(out.len(), alg.output_len());
            assert_eq!(super::super::tests::hex(&out), hex, "{alg:?}");
            let mut ctx = alg.context();
            ctx.update(b"a");
            ctx.update(b"bc");
            assert_eq!(ctx.finish().as_ref(), out.as_slice());
        }
    }

    #[test]
    fn digest_values_must_have_the_algorithms_length() {
        let sha256 = crate::encoding::encode_base64(&digest(DigestAlgorithm::Sha256, b"abc"));
        let value = DigestValue::from_base64(&sha256, DigestAlgorithm::Sha256).expect("a SHA-256 value");
        assert_eq!(&*value, digest(DigestAlgorithm::Sha256, b"abc").as_slice());
        assert_eq!(DigestValue::from_base64(&sha256, DigestAlgorithm::Sha1), None);
        assert_eq!(DigestValue::from_base64(&sha256, DigestAlgorithm::Sha512), None);
        let sha512 = crate::encoding::encode_base64(&digest(DigestAlgorithm::Sha512, b"abc"));
        assert_eq!(DigestValue::from_base64(&sha512, DigestAlgorithm::Sha512).map(|v| v.len()), Some(64));
        let too_long = crate::encoding::encode_base64(&[7; 65]);
        assert_eq!(DigestValue::from_base64(&too_long, DigestAlgorithm::Sha512), None);
        assert_eq!(DigestValue::from_base64("not base64", DigestAlgorithm::Sha256), None);
    }

    #[test]
    fn compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }
}
