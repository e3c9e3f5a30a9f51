//! Private keys (RSA, ECDSA P-256 and P-384): signing and key transport decryption.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{self, PrivateDecryptingKey};
use aws_lc_rs::signature::{self, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair, RsaSignatureEncoding};

use super::public::Curve;
use super::rsa_sha1::RsaSha1Signer;
use super::transport::RsaDecryptor;
use super::{CryptoError, KeyTransportAlgorithm, PublicKey, SignatureAlgorithm, SymmetricKey};

/// The private half, by key type.
enum Secret {
    /// RSA: aws-lc-rs for SHA-2 signatures and decryption, aws-lc-sys for SHA-1 signatures.
    Rsa { signing: rsa::KeyPair, sha1: RsaSha1Signer, decryptor: RsaDecryptor },
    /// ECDSA, bound to its curve's algorithm.
    Ecdsa { pair: EcdsaKeyPair, curve: Curve },
}

/// A private key: RSA (2048 to 8192 bits, the sizes aws-lc-rs accepts) or ECDSA on P-256 or P-384.
pub struct PrivateKey {
    secret: Secret,
    public: PublicKey,
}

impl PrivateKey {
    /// Parses a PKCS#8 `PrivateKeyInfo` ("PRIVATE KEY") holding an RSA or EC P-256/P-384 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        if let Ok(signing) = rsa::KeyPair::from_pkcs8(der) {
            return Self::rsa(signing, der);
        }
        for curve in [Curve::P256, Curve::P384] {
            if let Ok(pair) = EcdsaKeyPair::from_pkcs8(signing_algorithm(curve), der) {
                return Self::ecdsa(pair, curve);
            }
        }
        Err(CryptoError::InvalidKey)
    }

    /// Parses a PKCS#1 `RSAPrivateKey` ("RSA PRIVATE KEY").
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        let signing = rsa::KeyPair::from_der(der).map_err(|_| CryptoError::InvalidKey)?;
        let pkcs8 = signing.as_der().map_err(|_| CryptoError::Internal)?;
        Self::rsa(signing, pkcs8.as_ref())
    }

    /// Parses a SEC1 `ECPrivateKey` ("EC PRIVATE KEY") on P-256 or P-384.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, CryptoError> {
        for curve in [Curve::P256, Curve::P384] {
            if let Ok(pair) = EcdsaKeyPair::from_private_key_der(signing_algorithm(curve), der) {
                return Self::ecdsa(pair, curve);
            }
        }
        Err(CryptoError::InvalidKey)
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `message`. ECDSA signatures are the fixed-length `r || s` of XML-DSig.
    ///
    /// `KeyMismatch` if the key cannot serve `alg` (wrong type or curve, or an HMAC algorithm).
    pub fn sign(&self, alg: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match &self.secret {
            Secret::Rsa { sha1, .. } if alg == SignatureAlgorithm::RsaSha1 => sha1.sign(message),
            Secret::Rsa { signing, .. } => {
                let encoding = rsa_encoding(alg).ok_or(CryptoError::KeyMismatch)?;
                let mut signature = vec![0; signing.public_modulus_len()];
                signing
                    .sign(encoding, &SystemRandom::new(), message, &mut signature)
                    .map_err(|_| CryptoError::Internal)?;
                Ok(signature)
            }
            Secret::Ecdsa { pair, curve } => {
                let fits = matches!(
                    (curve, alg),
                    (Curve::P256, SignatureAlgorithm::EcdsaSha256) | (Curve::P384, SignatureAlgorithm::EcdsaSha384)
                );
                if !fits {
                    return Err(CryptoError::KeyMismatch);
                }
                let signature = pair.sign(&SystemRandom::new(), message).map_err(|_| CryptoError::Internal)?;
                Ok(signature.as_ref().to_vec())
            }
        }
    }

    /// Decrypts an RSA-transported key of `expected_len` bytes.
    ///
    /// For `Rsa15` this implements implicit rejection: on any failure (bad padding, a length other than
    /// `expected_len`) it returns `expected_len` random bytes instead of an error, so the caller proceeds
    /// and fails later, identically. OAEP failures, a wrong length included, are `DecryptionFailed`.
    /// `KeyMismatch` for EC keys.
    pub fn decrypt_key(
        &self,
        alg: KeyTransportAlgorithm,
        wrapped: &[u8],
        expected_len: usize,
    ) -> Result<SymmetricKey, CryptoError> {
        match &self.secret {
            Secret::Rsa { decryptor, .. } => decryptor.decrypt(alg, wrapped, expected_len),
            Secret::Ecdsa { .. } => Err(CryptoError::KeyMismatch),
        }
    }

    /// An RSA key from its aws-lc-rs signing form and its PKCS#8 DER.
    fn rsa(signing: rsa::KeyPair, pkcs8: &[u8]) -> Result<Self, CryptoError> {
        let sha1 = RsaSha1Signer::from_pkcs8(pkcs8)?;
        let decrypting = PrivateDecryptingKey::from_pkcs8(pkcs8).map_err(|_| CryptoError::InvalidKey)?;
        let decryptor = RsaDecryptor::new(decrypting)?;
        let spki = signing.public_key().as_der().map_err(|_| CryptoError::Internal)?;
        let public = PublicKey::from_spki_der(spki.as_ref())?;
        Ok(Self { secret: Secret::Rsa { signing, sha1, decryptor }, public })
    }

    /// An ECDSA key on `curve`.
    fn ecdsa(pair: EcdsaKeyPair, curve: Curve) -> Result<Self, CryptoError> {
        let spki = pair.public_key().as_der().map_err(|_| CryptoError::Internal)?;
        let public = PublicKey::from_spki_der(spki.as_ref())?;
        Ok(Self { secret: Secret::Ecdsa { pair, curve }, public })
    }
}

/// The fixed-signature ECDSA algorithm of `curve`.
fn signing_algorithm(curve: Curve) -> &'static EcdsaSigningAlgorithm {
    match curve {
        Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    }
}

/// The aws-lc-rs RSA signature encoding of `alg` (all but SHA-1, which aws-lc-rs cannot sign).
fn rsa_encoding(alg: SignatureAlgorithm) -> Option<&'static RsaSignatureEncoding> {
    Some(match alg {
        SignatureAlgorithm::RsaSha256 => &signature::RSA_PKCS1_SHA256,
        SignatureAlgorithm::RsaSha384 => &signature::RSA_PKCS1_SHA384,
        SignatureAlgorithm::RsaSha512 => &signature::RSA_PKCS1_SHA512,
        SignatureAlgorithm::RsaPssSha256 => &signature::RSA_PSS_SHA256,
        SignatureAlgorithm::RsaPssSha384 => &signature::RSA_PSS_SHA384,
        SignatureAlgorithm::RsaPssSha512 => &signature::RSA_PSS_SHA512,
        SignatureAlgorithm::RsaSha1
        | SignatureAlgorithm::EcdsaSha256
        | SignatureAlgorithm::EcdsaSha384
        | SignatureAlgorithm::HmacSha1
        | SignatureAlgorithm::HmacSha256 => return None,
    })
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey").field("public", &self.public).finish_non_exhaustive()
    }
}
