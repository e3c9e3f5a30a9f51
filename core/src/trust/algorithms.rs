//! The signature algorithms certificates and CRLs may be signed with, by OID, and the check of
//! such a signature with the issuer's key. Which of them are accepted is configuration.

use std::fmt;

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};
use der::asn1::ObjectIdentifier;
use serde::Deserialize;

use crate::error::{Error, ErrorCode};

/// A certificate signature algorithm wsseal can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
pub enum CertificateSignatureAlgorithm {
    /// sha1WithRSAEncryption (also the old OID 1.3.14.3.2.29). Refused unless configured.
    #[serde(rename = "sha1WithRSA")]
    RsaSha1,
    /// sha256WithRSAEncryption.
    #[serde(rename = "sha256WithRSA")]
    RsaSha256,
    /// sha384WithRSAEncryption.
    #[serde(rename = "sha384WithRSA")]
    RsaSha384,
    /// sha512WithRSAEncryption.
    #[serde(rename = "sha512WithRSA")]
    RsaSha512,
    /// ecdsa-with-SHA256.
    #[serde(rename = "ecdsaWithSHA256")]
    EcdsaSha256,
    /// ecdsa-with-SHA384.
    #[serde(rename = "ecdsaWithSHA384")]
    EcdsaSha384,
}

impl CertificateSignatureAlgorithm {
    /// Every algorithm.
    pub const ALL: [Self; 6] =
        [Self::RsaSha1, Self::RsaSha256, Self::RsaSha384, Self::RsaSha512, Self::EcdsaSha256, Self::EcdsaSha384];

    /// The default accepted set: everything but SHA-1.
    pub const DEFAULT: [Self; 5] =
        [Self::RsaSha256, Self::RsaSha384, Self::RsaSha512, Self::EcdsaSha256, Self::EcdsaSha384];

    /// The algorithm an AlgorithmIdentifier OID names, if wsseal knows it.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match oid.to_string().as_str() {
            "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => Self::RsaSha1,
            "1.2.840.113549.1.1.11" => Self::RsaSha256,
            "1.2.840.113549.1.1.12" => Self::RsaSha384,
            "1.2.840.113549.1.1.13" => Self::RsaSha512,
            "1.2.840.10045.4.3.2" => Self::EcdsaSha256,
            "1.2.840.10045.4.3.3" => Self::EcdsaSha384,
            _ => return None,
        })
    }

    /// The configuration name (`sha256WithRSA`, `ecdsaWithSHA384`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::RsaSha1 => "sha1WithRSA",
            Self::RsaSha256 => "sha256WithRSA",
            Self::RsaSha384 => "sha384WithRSA",
            Self::RsaSha512 => "sha512WithRSA",
            Self::EcdsaSha256 => "ecdsaWithSHA256",
            Self::EcdsaSha384 => "ecdsaWithSHA384",
        }
    }

    fn verification(self) -> &'static dyn VerificationAlgorithm {
        match self {
            Self::RsaSha1 => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            Self::RsaSha256 => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            Self::RsaSha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::RsaSha512 => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            Self::EcdsaSha256 => &signature::ECDSA_P256_SHA256_ASN1,
            Self::EcdsaSha384 => &signature::ECDSA_P384_SHA384_ASN1,
        }
    }
}

impl fmt::Display for CertificateSignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Checks that `what` (a certificate or CRL, for messages) was signed, with an accepted algorithm,
/// by the key of `issuer_spki`.
pub(crate) fn verify_signed(
    what: &dyn fmt::Display,
    algorithm: &ObjectIdentifier,
    accepted: &[CertificateSignatureAlgorithm],
    issuer_spki: &[u8],
    signed: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let refused = |message: String| Error::new(ErrorCode::CertificateAlgorithmRefused, message);
    let alg = CertificateSignatureAlgorithm::from_oid(algorithm)
        .ok_or_else(|| refused(format!("{what} is signed with the unsupported algorithm {algorithm}")))?;
    if !accepted.contains(&alg) {
        return Err(refused(format!("{what} is signed with {alg}, which the configuration does not accept")));
    }
    let invalid =
        || Error::new(ErrorCode::CertificateSignatureInvalid, format!("the signature of {what} does not verify"));
    let key = ParsedPublicKey::new(alg.verification(), issuer_spki).map_err(|_| invalid())?;
    key.verify_sig(signed, signature).map_err(|_| invalid())
}
