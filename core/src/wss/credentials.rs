//! Our own certificate and private key.

use std::sync::Arc;

use crate::cert::{Certificate, pem_blocks};
use crate::crypto::PrivateKey;
use crate::encoding::encode_base64;
use crate::error::{Error, ErrorCode};

/// Our certificate with its private key, and the issuers we send along; cheap to clone.
#[derive(Clone, Debug)]
pub struct Credentials {
    inner: Arc<Inner>,
    /// The issuers' DER in base64, our certificate's issuer first.
    chain_base64: Arc<[String]>,
}

#[derive(Debug)]
struct Inner {
    certificate: Certificate,
    key: PrivateKey,
    certificate_base64: String,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::CredentialInvalid, message)
}

impl Credentials {
    /// Pairs a certificate with its private key, refusing a key that does not belong to it.
    pub fn new(certificate: Certificate, key: PrivateKey) -> Result<Self, Error> {
        if key.public_key().spki_der() != certificate.spki_der() {
            return Err(invalid(format!("the private key does not belong to certificate {}", certificate.subject())));
        }
        let certificate_base64 = encode_base64(certificate.der());
        Ok(Self { inner: Arc::new(Inner { certificate, key, certificate_base64 }), chain_base64: Arc::new([]) })
    }

    /// These credentials sending `chain` (issuers of the certificate, its issuer first) in
    /// BinarySecurityTokens next to the certificate's, for peers that do not have them.
    pub fn with_chain(self, chain: &[Certificate]) -> Self {
        Self { chain_base64: chain.iter().map(|c| encode_base64(c.der())).collect(), ..self }
    }

    /// Reads the first certificate of `certificate_pem` and the private key of `key_pem`
    /// (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY` or SEC1 `EC PRIVATE KEY`).
    pub fn from_pem(certificate_pem: &[u8], key_pem: &[u8]) -> Result<Self, Error> {
        let certificate = Certificate::from_pem(certificate_pem)
            .map_err(|e| invalid(format!("cannot read the certificate: {}", e.message())))?;
        Self::new(certificate, private_key_from_pem(key_pem)?)
    }

    /// The certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.inner.certificate
    }

    /// The private key.
    pub fn key(&self) -> &PrivateKey {
        &self.inner.key
    }

    /// The certificate's DER in base64, computed once, for BinarySecurityTokens.
    pub fn certificate_base64(&self) -> &str {
        &self.inner.certificate_base64
    }

    /// The issuers sent along ([`Credentials::with_chain`]), each DER in base64.
    pub fn chain_base64(&self) -> &[String] {
        &self.chain_base64
    }
}

/// Reads the first private key of a PEM text.
pub fn private_key_from_pem(pem: &[u8]) -> Result<PrivateKey, Error> {
    let blocks = pem_blocks(pem).map_err(|e| invalid(format!("cannot read the private key: {}", e.message())))?;
    for (label, der) in &blocks {
        let key = match label.as_str() {
            "PRIVATE KEY" => PrivateKey::from_pkcs8_der(der),
            "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(der),
            "EC PRIVATE KEY" => PrivateKey::from_sec1_der(der),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(invalid("encrypted PEM private keys are not supported; use PKCS#12"));
            }
            _ => continue,
        };
        return key.map_err(|e| invalid(format!("cannot use the {label}: {e}")));
    }
    Err(invalid("no private key in the PEM text"))
}
