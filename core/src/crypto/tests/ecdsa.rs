//! ECDSA keys on P-256 and P-384: fixed-format signatures, SEC1 loading, misuse.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, EcdsaSigningAlgorithm};

use super::openssl::{Scratch, openssl};
use crate::crypto::{CryptoError, KeyTransportAlgorithm, PrivateKey, PublicKey, SignatureAlgorithm};

/// A fresh key pair as PKCS#8 DER and SEC1 DER.
fn generate(alg: &'static EcdsaSigningAlgorithm) -> (Vec<u8>, Vec<u8>) {
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &SystemRandom::new()).expect("generate").as_ref().to_vec();
    let pair = EcdsaKeyPair::from_pkcs8(alg, &pkcs8).expect("parse");
    let sec1 = pair.private_key().as_der().expect("SEC1").as_ref().to_vec();
    (pkcs8, sec1)
}

#[test]
fn fixed_format_sign_and_verify() {
    let cases = [
        (
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            SignatureAlgorithm::EcdsaSha256,
            SignatureAlgorithm::EcdsaSha384,
            64,
        ),
        (
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            SignatureAlgorithm::EcdsaSha384,
            SignatureAlgorithm::EcdsaSha256,
            96,
        ),
    ];
    for (curve, alg, other_curve, len) in cases {
        let (pkcs8, sec1) = generate(curve);
        let key = PrivateKey::from_pkcs8_der(&pkcs8).expect("PKCS#8");
        let from_sec1 = PrivateKey::from_sec1_der(&sec1).expect("SEC1");
        assert_eq!(key.public_key().spki_der(), from_sec1.public_key().spki_der());
        let public = key.public_key();
        assert_eq!(public.bits(), len * 4);
        assert_eq!((public.rsa_modulus(), public.rsa_exponent()), (None, None));

        let signature = from_sec1.sign(alg, b"signed info").expect("sign");
        assert_eq!(signature.len(), len);
        assert_eq!(public.verify(alg, b"signed info", &signature), Ok(()));
        assert_eq!(public.verify(alg, b"signed inf0", &signature), Err(CryptoError::BadSignature));
        super::check_digest_verification(public, alg, &signature);
        let mut bad = signature.clone();
        bad[3] ^= 1;
        assert_eq!(public.verify(alg, b"signed info", &bad), Err(CryptoError::BadSignature));
        assert_eq!(public.verify(alg, b"signed info", &signature[..len - 1]), Err(CryptoError::BadSignature));

        for wrong in
            [other_curve, SignatureAlgorithm::RsaSha256, SignatureAlgorithm::RsaSha1, SignatureAlgorithm::HmacSha256]
        {
            assert_eq!(key.sign(wrong, b"m"), Err(CryptoError::KeyMismatch), "{wrong:?}");
            assert_eq!(public.verify(wrong, b"m", &signature), Err(CryptoError::KeyMismatch), "{wrong:?}");
        }
        assert_eq!(public.encrypt_key(KeyTransportAlgorithm::RsaOaepSha256, &[0; 16]), Err(CryptoError::KeyMismatch));
        assert_eq!(
            key.decrypt_key(KeyTransportAlgorithm::Rsa15, &[0; 64], 16).map(|_| ()),
            Err(CryptoError::KeyMismatch)
        );
        assert_eq!(PrivateKey::from_pkcs1_der(&pkcs8).map(|_| ()), Err(CryptoError::InvalidKey));
    }
}

#[test]
fn openssl_p256_key_and_public_key() {
    // A key from an independent implementation, loaded as SEC1 and PKCS#8; its SPKI as openssl writes it.
    let dir = Scratch::new();
    let sec1 = dir.out("ec.der");
    openssl(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-outform", "DER", "-out", &sec1]);
    let pkcs8 = dir.out("ec.p8");
    openssl(&["pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-in", &sec1, "-outform", "DER", "-out", &pkcs8]);
    let spki = dir.out("ec.pub");
    openssl(&["ec", "-inform", "DER", "-in", &sec1, "-pubout", "-outform", "DER", "-out", &spki]);

    let from_sec1 = PrivateKey::from_sec1_der(&dir.read("ec.der")).expect("SEC1");
    let from_pkcs8 = PrivateKey::from_pkcs8_der(&dir.read("ec.p8")).expect("PKCS#8");
    let public = PublicKey::from_spki_der(&dir.read("ec.pub")).expect("SPKI");
    assert_eq!(from_sec1.public_key().spki_der(), public.spki_der());
    assert_eq!(from_pkcs8.public_key().spki_der(), public.spki_der());
    let signature = from_pkcs8.sign(SignatureAlgorithm::EcdsaSha256, b"m").expect("sign");
    assert_eq!(public.verify(SignatureAlgorithm::EcdsaSha256, b"m", &signature), Ok(()));
    assert!(format!("{public:?}").contains("P-256"));
}

#[test]
fn an_invalid_point_is_an_invalid_key() {
    let (pkcs8, _) = generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING);
    let key = PrivateKey::from_pkcs8_der(&pkcs8).expect("PKCS#8");
    let mut spki = key.public_key().spki_der().to_vec();
    let last = spki.len() - 1;
    spki[last] ^= 1;
    assert_eq!(PublicKey::from_spki_der(&spki).map(|_| ()), Err(CryptoError::InvalidKey));
}
