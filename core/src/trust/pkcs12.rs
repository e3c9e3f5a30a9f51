//! PKCS#12 (`.pfx`, `.p12`) files: the legacy kind older Windows exports (PBE with 3DES or RC2
//! and SHA-1) and the modern kind (PBES2 with AES-256 and an HMAC-SHA-256 MAC), read with
//! p12-keystore. The private key is paired with the certificate whose public key it matches.

use p12_keystore::Pkcs12Archive;

use crate::cert::Certificate;
use crate::crypto::PrivateKey;
use crate::error::{Error, ErrorCode};
use crate::wss::Credentials;

/// What a PKCS#12 file holds.
pub(crate) struct Contents {
    /// The private key with its certificate, when the file has a key.
    pub(crate) credentials: Option<Credentials>,
    /// Every certificate, the key's first.
    pub(crate) certificates: Vec<Certificate>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::CredentialInvalid, message)
}

/// Opens a PKCS#12 file with `password` (its MAC is checked when present).
pub(crate) fn read(bytes: &[u8], password: &str) -> Result<Contents, Error> {
    let archive = Pkcs12Archive::from_pkcs12(bytes, password)
        .map_err(|e| invalid(format!("cannot open the PKCS#12 file (wrong password?): {e}")))?;
    let certificates = archive
        .certs
        .iter()
        .map(|bag| Certificate::from_der(bag.cert.as_der()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(format!("a certificate of the PKCS#12 file: {e}")))?;
    let mut credentials = None;
    for bag in &archive.keys {
        let key = PrivateKey::from_pkcs8_der(bag.key.as_der())
            .map_err(|e| invalid(format!("the private key of the PKCS#12 file: {e}")))?;
        if let Some(certificate) = certificates.iter().find(|c| c.spki_der() == key.public_key().spki_der()) {
            credentials = Some(Credentials::new(certificate.clone(), key)?);
            break;
        }
    }
    let mut certificates = certificates;
    if let Some(ours) = &credentials {
        certificates.sort_by_key(|c| c != ours.certificate());
    }
    Ok(Contents { credentials, certificates })
}

/// Our credentials from a PKCS#12 file: the private key and the certificate it belongs to.
pub fn credentials_from_pkcs12(bytes: &[u8], password: &str) -> Result<Credentials, Error> {
    read(bytes, password)?
        .credentials
        .ok_or_else(|| invalid("the PKCS#12 file has no private key with its certificate"))
}
