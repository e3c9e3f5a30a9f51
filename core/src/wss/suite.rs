//! WS-SecurityPolicy algorithm suites by name: the algorithms a message is secured with and the
//! only ones accepted when opening one.

use crate::crypto::{DataEncryptionAlgorithm, DigestAlgorithm, KeyTransportAlgorithm, SignatureAlgorithm};

/// The algorithms of a WS-SecurityPolicy algorithm suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlgorithmSuite {
    /// The suite's name (`Basic256`, ...).
    pub name: &'static str,
    /// Reference digests.
    pub digest: DigestAlgorithm,
    /// Signatures with a private key.
    pub asymmetric_signature: SignatureAlgorithm,
    /// Signatures with a symmetric key agreed in the exchange.
    pub symmetric_signature: SignatureAlgorithm,
    /// Data encryption.
    pub encryption: DataEncryptionAlgorithm,
    /// Key transport for the content key.
    pub key_transport: KeyTransportAlgorithm,
    /// Length in bytes of a derived signature key.
    pub signature_key_length: usize,
    /// Length in bytes of a derived encryption key.
    pub encryption_key_length: usize,
}

use DataEncryptionAlgorithm::{Aes128Cbc, Aes128Gcm, Aes192Cbc, Aes256Cbc, Aes256Gcm, TripleDesCbc};
use KeyTransportAlgorithm::{Rsa15, RsaOaepMgf1pSha1};

const fn suite(
    name: &'static str,
    sha256: bool,
    encryption: DataEncryptionAlgorithm,
    key_transport: KeyTransportAlgorithm,
    signature_key_length: usize,
) -> AlgorithmSuite {
    let (digest, asymmetric_signature, symmetric_signature) = if sha256 {
        (DigestAlgorithm::Sha256, SignatureAlgorithm::RsaSha256, SignatureAlgorithm::HmacSha256)
    } else {
        (DigestAlgorithm::Sha1, SignatureAlgorithm::RsaSha1, SignatureAlgorithm::HmacSha1)
    };
    let encryption_key_length = match encryption {
        Aes128Cbc | Aes128Gcm => 16,
        Aes192Cbc | TripleDesCbc => 24,
        Aes256Cbc | Aes256Gcm => 32,
    };
    AlgorithmSuite {
        name,
        digest,
        asymmetric_signature,
        symmetric_signature,
        encryption,
        key_transport,
        signature_key_length,
        encryption_key_length,
    }
}

/// Every named suite: the WS-SecurityPolicy 1.2 suites and the AES-GCM suites of WSS4J/CXF
/// (`Basic128GCM`, `Basic256GCM`) with SHA-256 variants.
pub const SUITES: &[AlgorithmSuite] = &[
    suite("Basic256", false, Aes256Cbc, RsaOaepMgf1pSha1, 24),
    suite("Basic192", false, Aes192Cbc, RsaOaepMgf1pSha1, 24),
    suite("Basic128", false, Aes128Cbc, RsaOaepMgf1pSha1, 16),
    suite("TripleDes", false, TripleDesCbc, RsaOaepMgf1pSha1, 24),
    suite("Basic256Rsa15", false, Aes256Cbc, Rsa15, 24),
    suite("Basic192Rsa15", false, Aes192Cbc, Rsa15, 24),
    suite("Basic128Rsa15", false, Aes128Cbc, Rsa15, 16),
    suite("TripleDesRsa15", false, TripleDesCbc, Rsa15, 24),
    suite("Basic256Sha256", true, Aes256Cbc, RsaOaepMgf1pSha1, 24),
    suite("Basic192Sha256", true, Aes192Cbc, RsaOaepMgf1pSha1, 24),
    suite("Basic128Sha256", true, Aes128Cbc, RsaOaepMgf1pSha1, 16),
    suite("TripleDesSha256", true, TripleDesCbc, RsaOaepMgf1pSha1, 24),
    suite("Basic256Sha256Rsa15", true, Aes256Cbc, Rsa15, 24),
    suite("Basic192Sha256Rsa15", true, Aes192Cbc, Rsa15, 24),
    suite("Basic128Sha256Rsa15", true, Aes128Cbc, Rsa15, 16),
    suite("TripleDesSha256Rsa15", true, TripleDesCbc, Rsa15, 24),
    suite("Basic128Gcm", false, Aes128Gcm, RsaOaepMgf1pSha1, 16),
    suite("Basic256Gcm", false, Aes256Gcm, RsaOaepMgf1pSha1, 24),
    suite("Basic128Sha256Gcm", true, Aes128Gcm, RsaOaepMgf1pSha1, 16),
    suite("Basic256Sha256Gcm", true, Aes256Gcm, RsaOaepMgf1pSha1, 24),
];

impl AlgorithmSuite {
    /// WCF's default suite.
    pub const BASIC256: AlgorithmSuite = SUITES[0];

    /// The suite with this name, ignoring ASCII case (`Basic256GCM` finds `Basic256Gcm`).
    pub fn by_name(name: &str) -> Option<Self> {
        SUITES.iter().find(|s| s.name.eq_ignore_ascii_case(name)).copied()
    }
}

impl Default for AlgorithmSuite {
    fn default() -> Self {
        Self::BASIC256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic256_is_wcfs_default() {
        let s = AlgorithmSuite::default();
        assert_eq!((s.digest, s.asymmetric_signature), (DigestAlgorithm::Sha1, SignatureAlgorithm::RsaSha1));
        assert_eq!((s.encryption, s.key_transport), (Aes256Cbc, RsaOaepMgf1pSha1));
        assert_eq!((s.signature_key_length, s.encryption_key_length), (24, 32));
    }

    #[test]
    fn names_are_unique_and_case_insensitive() {
        for (i, s) in SUITES.iter().enumerate() {
            assert!(SUITES[i + 1..].iter().all(|o| !o.name.eq_ignore_ascii_case(s.name)));
        }
        assert_eq!(AlgorithmSuite::by_name("basic256sha256").map(|s| s.digest), Some(DigestAlgorithm::Sha256));
        assert_eq!(AlgorithmSuite::by_name("Basic256GCM").map(|s| s.encryption), Some(Aes256Gcm));
        assert_eq!(AlgorithmSuite::by_name("Basic512"), None);
    }
}
