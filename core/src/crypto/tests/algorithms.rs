//! The algorithm identifiers and their URIs.

use crate::crypto::{
    DataEncryptionAlgorithm, DigestAlgorithm, KeyTransportAlgorithm, KeyWrapAlgorithm, MGF1_SHA256_URI,
    SignatureAlgorithm,
};

/// Every variant's URI maps back to the variant, and URIs are distinct.
macro_rules! check_round_trip {
    ($ty:ty) => {{
        let all = <$ty>::ALL;
        for (i, alg) in all.iter().enumerate() {
            assert_eq!(<$ty>::from_uri(alg.uri()), Some(*alg));
            assert!(all[i + 1..].iter().all(|other| other.uri() != alg.uri()));
        }
        assert_eq!(<$ty>::from_uri(""), None);
        assert_eq!(<$ty>::from_uri("http://www.w3.org/2000/09/xmldsig#unknown"), None);
    }};
}

#[test]
fn uris_round_trip() {
    check_round_trip!(DigestAlgorithm);
    check_round_trip!(SignatureAlgorithm);
    check_round_trip!(KeyTransportAlgorithm);
    check_round_trip!(DataEncryptionAlgorithm);
    check_round_trip!(KeyWrapAlgorithm);
    assert_eq!(DigestAlgorithm::ALL.len(), 4);
    assert_eq!(SignatureAlgorithm::ALL.len(), 11);
    assert_eq!(KeyTransportAlgorithm::ALL.len(), 3);
    assert_eq!(DataEncryptionAlgorithm::ALL.len(), 6);
    assert_eq!(KeyWrapAlgorithm::ALL.len(), 2);
}

#[test]
fn uris_are_the_published_ones() {
    assert_eq!(DigestAlgorithm::Sha256.uri(), "http://www.w3.org/2001/04/xmlenc#sha256");
    assert_eq!(
        DigestAlgorithm::from_uri("http://www.w3.org/2001/04/xmldsig-more#sha384"),
        Some(DigestAlgorithm::Sha384)
    );
    assert_eq!(
        SignatureAlgorithm::from_uri("http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"),
        Some(SignatureAlgorithm::RsaPssSha384)
    );
    assert_eq!(SignatureAlgorithm::RsaSha512.uri(), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512");
    assert_eq!(SignatureAlgorithm::EcdsaSha384.uri(), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384");
    assert_eq!(SignatureAlgorithm::HmacSha1.uri(), "http://www.w3.org/2000/09/xmldsig#hmac-sha1");
    assert_eq!(
        KeyTransportAlgorithm::from_uri("http://www.w3.org/2009/xmlenc11#rsa-oaep"),
        Some(KeyTransportAlgorithm::RsaOaepSha256)
    );
    assert_eq!(DataEncryptionAlgorithm::Aes256Gcm.uri(), "http://www.w3.org/2009/xmlenc11#aes256-gcm");
    assert_eq!(KeyWrapAlgorithm::KwAes256.uri(), "http://www.w3.org/2001/04/xmlenc#kw-aes256");
    // Case matters: URIs compare byte for byte.
    assert_eq!(SignatureAlgorithm::from_uri("http://www.w3.org/2000/09/xmldsig#RSA-SHA1"), None);
}

#[test]
fn properties() {
    let lens: Vec<usize> = DigestAlgorithm::ALL.iter().map(|d| d.output_len()).collect();
    assert_eq!(lens, [20, 32, 48, 64]);
    assert_eq!(SignatureAlgorithm::RsaPssSha512.digest(), DigestAlgorithm::Sha512);
    assert_eq!(SignatureAlgorithm::HmacSha1.digest(), DigestAlgorithm::Sha1);
    assert_eq!(SignatureAlgorithm::EcdsaSha384.digest(), DigestAlgorithm::Sha384);
    let symmetric: Vec<_> = SignatureAlgorithm::ALL.iter().filter(|a| a.is_symmetric()).collect();
    assert_eq!(symmetric, [&SignatureAlgorithm::HmacSha1, &SignatureAlgorithm::HmacSha256]);
    assert_eq!(KeyTransportAlgorithm::RsaOaepMgf1pSha1.oaep_digest(), Some(DigestAlgorithm::Sha1));
    assert_eq!(KeyTransportAlgorithm::RsaOaepSha256.oaep_digest(), Some(DigestAlgorithm::Sha256));
    assert_eq!(KeyTransportAlgorithm::Rsa15.oaep_digest(), None);
    assert_eq!(KeyTransportAlgorithm::RsaOaepSha256.mgf_uri(), Some(MGF1_SHA256_URI));
    assert_eq!(MGF1_SHA256_URI, "http://www.w3.org/2009/xmlenc11#mgf1sha256");
    assert_eq!(KeyTransportAlgorithm::RsaOaepMgf1pSha1.mgf_uri(), None);
    let key_lens: Vec<usize> = DataEncryptionAlgorithm::ALL.iter().map(|a| a.key_len()).collect();
    assert_eq!(key_lens, [16, 24, 32, 16, 32, 24]);
    assert_eq!(KeyWrapAlgorithm::KwAes128.key_len(), 16);
    assert_eq!(KeyWrapAlgorithm::KwAes256.key_len(), 32);
}
