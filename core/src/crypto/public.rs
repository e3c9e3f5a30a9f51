//! Public keys (RSA, ECDSA P-256 and P-384) from SubjectPublicKeyInfo: verification and key transport.

use std::fmt;
use std::sync::{Arc, OnceLock};

use aws_lc_rs::rsa;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters, VerificationAlgorithm};
use der::Decode;
use x509_cert::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use super::{CryptoError, KeyTransportAlgorithm, SignatureAlgorithm, transport};

/// `rsaEncryption` (PKCS#1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1`, NIST P-256.
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1`, NIST P-384.
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// How many signature algorithms there are: one parsed-key slot each.
const SIGNATURE_ALGORITHMS: usize = SignatureAlgorithm::ALL.len();

/// An elliptic curve we sign and verify on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Curve {
    /// NIST P-256, for `ecdsa-sha256`.
    P256,
    /// NIST P-384, for `ecdsa-sha384`.
    P384,
}

impl Curve {
    /// The key size in bits.
    fn bits(self) -> usize {
        match self {
            Self::P256 => 256,
            Self::P384 => 384,
        }
    }
}

/// The kind of key, with what the XML-DSig `KeyValue` needs from it.
enum Kind {
    /// RSA, with its big-endian modulus and exponent, no leading zeros.
    Rsa { modulus: Box<[u8]>, exponent: Box<[u8]> },
    /// ECDSA on a curve.
    Ec(Curve),
}

/// A public key parsed once: every signature algorithm gets its parsed aws-lc-rs form on first use
/// and keeps it, so later verifications do no parsing.
#[derive(Clone)]
pub struct PublicKey(Arc<Inner>);

/// The shared state of a [`PublicKey`].
struct Inner {
    spki: Box<[u8]>,
    kind: Kind,
    verifiers: [OnceLock<ParsedPublicKey>; SIGNATURE_ALGORITHMS],
    /// The key parsed for encryption, on first use.
    encryptor: OnceLock<Result<transport::RsaEncryptor, CryptoError>>,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo holding an RSA key or an EC key on P-256 or P-384.
    ///
    /// `InvalidKey` if the bytes are not one well-formed key; `Unsupported` for other key types and curves.
    pub fn from_spki_der(spki: &[u8]) -> Result<Self, CryptoError> {
        let info = SubjectPublicKeyInfoRef::from_der(spki).map_err(|_| CryptoError::InvalidKey)?;
        let kind = if info.algorithm.oid == RSA_ENCRYPTION {
            let key = rsa::PublicKey::from_der(spki).map_err(|_| CryptoError::InvalidKey)?;
            Kind::Rsa {
                modulus: key.modulus().big_endian_without_leading_zero().into(),
                exponent: key.exponent().big_endian_without_leading_zero().into(),
            }
        } else if info.algorithm.oid == EC_PUBLIC_KEY {
            let curve = info.algorithm.parameters_oid().map_err(|_| CryptoError::InvalidKey)?;
            if curve == SECP256R1 {
                Kind::Ec(Curve::P256)
            } else if curve == SECP384R1 {
                Kind::Ec(Curve::P384)
            } else {
                return Err(CryptoError::Unsupported);
            }
        } else {
            return Err(CryptoError::Unsupported);
        };
        let key = Self(Arc::new(Inner {
            spki: spki.into(),
            kind,
            verifiers: Default::default(),
            encryptor: OnceLock::new(),
        }));
        if let Kind::Ec(curve) = key.0.kind {
            // EC points are only checked by aws-lc-rs when parsed: do it now, and keep the result.
            let alg = match curve {
                Curve::P256 => SignatureAlgorithm::EcdsaSha256,
                Curve::P384 => SignatureAlgorithm::EcdsaSha384,
            };
            key.verifier(alg).map_err(|_| CryptoError::InvalidKey)?;
        }
        Ok(key)
    }

    /// Checks `signature` over `message`. ECDSA signatures are the fixed-length `r || s` of XML-DSig.
    ///
    /// `KeyMismatch` if the key cannot serve `alg` (wrong type, wrong curve, RSA size outside the range
    /// the algorithm accepts: 1024 bits and up for PKCS#1 v1.5 with SHA-1, SHA-256 and SHA-512; 2048 and
    /// up for SHA-384 and PSS; at most 8192); `BadSignature` if the signature does not verify.
    pub fn verify(&self, alg: SignatureAlgorithm, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        self.verifier(alg)?.verify_sig(message, signature).map_err(|_| CryptoError::BadSignature)
    }

    /// [`PublicKey::verify`] of a message whose digest (with `alg`'s digest algorithm) the caller
    /// computed, streaming: a canonical SignedInfo hashed as it is written, never buffered.
    /// `BadSignature` too when `digest` was made with another algorithm.
    pub fn verify_digest(
        &self,
        alg: SignatureAlgorithm,
        digest: &aws_lc_rs::digest::Digest,
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        self.verifier(alg)?.verify_digest_sig(digest, signature).map_err(|_| CryptoError::BadSignature)
    }

    /// Encrypts `key` for this RSA public key (key transport).
    ///
    /// `KeyMismatch` for EC keys, RSA keys under 2048 bits, or a key too long for the padding.
    pub fn encrypt_key(&self, alg: KeyTransportAlgorithm, key: &[u8]) -> Result<Vec<u8>, CryptoError> {
        match self.0.kind {
            Kind::Rsa { .. } => match self.0.encryptor.get_or_init(|| transport::RsaEncryptor::new(&self.0.spki)) {
                Ok(encryptor) => encryptor.encrypt(alg, key),
                Err(error) => Err(*error),
            },
            Kind::Ec(_) => Err(CryptoError::KeyMismatch),
        }
    }

    /// The RSA modulus, big-endian without leading zeros; `None` for EC keys.
    pub fn rsa_modulus(&self) -> Option<&[u8]> {
        match &self.0.kind {
            Kind::Rsa { modulus, .. } => Some(modulus),
            Kind::Ec(_) => None,
        }
    }

    /// The RSA public exponent, big-endian without leading zeros; `None` for EC keys.
    pub fn rsa_exponent(&self) -> Option<&[u8]> {
        match &self.0.kind {
            Kind::Rsa { exponent, .. } => Some(exponent),
            Kind::Ec(_) => None,
        }
    }

    /// The key size in bits: the modulus size for RSA, the curve size for EC.
    pub fn bits(&self) -> usize {
        match &self.0.kind {
            Kind::Rsa { modulus, .. } => modulus_bits(modulus),
            Kind::Ec(curve) => curve.bits(),
        }
    }

    /// The SubjectPublicKeyInfo DER the key was parsed from.
    pub fn spki_der(&self) -> &[u8] {
        &self.0.spki
    }

    /// The parsed key for `alg`, parsed on first use.
    fn verifier(&self, alg: SignatureAlgorithm) -> Result<&ParsedPublicKey, CryptoError> {
        let slot = &self.0.verifiers[alg as usize];
        if let Some(parsed) = slot.get() {
            return Ok(parsed);
        }
        let parsed = ParsedPublicKey::new(self.verification_algorithm(alg)?, &self.0.spki[..])
            .map_err(|_| CryptoError::InvalidKey)?;
        Ok(slot.get_or_init(|| parsed))
    }

    /// The aws-lc-rs verification algorithm for `alg` on this key.
    fn verification_algorithm(
        &self,
        alg: SignatureAlgorithm,
    ) -> Result<&'static dyn VerificationAlgorithm, CryptoError> {
        match (&self.0.kind, alg) {
            (Kind::Rsa { modulus, .. }, _) => {
                let params = rsa_parameters(alg).ok_or(CryptoError::KeyMismatch)?;
                let bits = modulus_bits(modulus);
                let range = params.min_modulus_len()..=params.max_modulus_len();
                if u32::try_from(bits).is_ok_and(|bits| range.contains(&bits)) {
                    Ok(params)
                } else {
                    Err(CryptoError::KeyMismatch)
                }
            }
            (Kind::Ec(Curve::P256), SignatureAlgorithm::EcdsaSha256) => Ok(&signature::ECDSA_P256_SHA256_FIXED),
            (Kind::Ec(Curve::P384), SignatureAlgorithm::EcdsaSha384) => Ok(&signature::ECDSA_P384_SHA384_FIXED),
            (Kind::Ec(_), _) => Err(CryptoError::KeyMismatch),
        }
    }
}

/// The RSA verification parameters for `alg`; the widest key-size range aws-lc-rs has for each.
fn rsa_parameters(alg: SignatureAlgorithm) -> Option<&'static RsaParameters> {
    Some(match alg {
        SignatureAlgorithm::RsaSha1 => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        SignatureAlgorithm::RsaSha256 => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        SignatureAlgorithm::RsaSha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        SignatureAlgorithm::RsaSha512 => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        SignatureAlgorithm::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        SignatureAlgorithm::RsaPssSha384 => &signature::RSA_PSS_2048_8192_SHA384,
        SignatureAlgorithm::RsaPssSha512 => &signature::RSA_PSS_2048_8192_SHA512,
        SignatureAlgorithm::EcdsaSha256
        | SignatureAlgorithm::EcdsaSha384
        | SignatureAlgorithm::HmacSha1
        | SignatureAlgorithm::HmacSha256 => return None,
    })
}

/// The size in bits of a big-endian modulus without leading zero bytes.
fn modulus_bits(modulus: &[u8]) -> usize {
    let top = modulus.first().map_or(0, |byte| byte.leading_zeros() as usize);
    (modulus.len() * 8).saturating_sub(top)
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.0.kind {
            Kind::Rsa { .. } => "RSA",
            Kind::Ec(Curve::P256) => "EC P-256",
            Kind::Ec(Curve::P384) => "EC P-384",
        };
        f.debug_struct("PublicKey").field("kind", &kind).field("bits", &self.bits()).finish()
    }
}
