//! Service identity: what a client expects the service certificate to prove, as WCF's endpoint
//! `<identity>` and a WSDL's `<Identity>` state it, and the check of a certificate against it.
//!
//! ```
//! use wsseal_core::identity::Identity;
//! let expected = Identity::from_xml(r#"<identity><dns value="contoso.com"/></identity>"#).unwrap();
//! assert_eq!(expected.to_string(), "dns contoso.com");
//! ```

mod read;
mod serialized;

use std::fmt;

use crate::cert::Certificate;
use crate::crypto::PublicKey;
use crate::error::{Error, ErrorCode};
use crate::trust::{DirectoryStore, StoreQuery};

pub use read::ADDRESSING_IDENTITY_NS;

/// An expected service identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// A DNS name: equal, ignoring ASCII case and without wildcards, to one of the certificate's
    /// DNS claims (its subjectAltName dNSNames, or its subject CN when it has none).
    Dns(String),
    /// Exactly this certificate (SHA-1 thumbprint).
    Certificate(Certificate),
    /// The certificate a store lookup finds; [`Identity::resolve`] turns it into `Certificate`.
    CertificateReference(StoreQuery),
    /// This RSA public key: modulus and exponent, big-endian (leading zero bytes ignored).
    Rsa {
        /// The modulus.
        modulus: Vec<u8>,
        /// The public exponent.
        exponent: Vec<u8>,
    },
    /// A userPrincipalName subjectAltName (otherName 1.3.6.1.4.1.311.20.2.3), ignoring case.
    UserPrincipalName(String),
    /// A Kerberos service principal name: never satisfied by an X.509 certificate.
    ServicePrincipalName(String),
}

impl Identity {
    /// Reads a WCF `<identity>` element holding one identity (`<dns value=…/>`,
    /// `<certificate encodedValue=…/>`, `<certificateReference …/>`, `<rsa value=…/>`,
    /// `<userPrincipalName value=…/>`, `<servicePrincipalName value=…/>`), or one of those alone.
    pub fn from_xml(xml: &str) -> Result<Self, Error> {
        read::from_config_xml(xml)
    }

    /// Reads the `<Identity>` (addressing-identity namespace) of a WSDL: `ds:KeyInfo` with an
    /// `X509Certificate` or an `RSAKeyValue`, `Dns`, `Upn` or `Spn`. Several endpoints must agree.
    pub fn from_wsdl(wsdl: &str) -> Result<Self, Error> {
        read::from_wsdl(wsdl)
    }

    /// The default when none is configured: DNS = the host of the endpoint address.
    pub fn default_for_endpoint(url: &str) -> Result<Self, Error> {
        let invalid =
            || Error::new(ErrorCode::IdentityInvalid, format!("{url:?} is not an absolute http(s) or net.tcp URL"));
        let (_, rest) = url.trim().split_once("://").ok_or_else(invalid)?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let host = match host_port.strip_prefix('[') {
            Some(v6) => v6.split_once(']').map(|(host, _)| host).ok_or_else(invalid)?,
            None => host_port.split(':').next().unwrap_or_default(),
        };
        if host.is_empty() {
            return Err(invalid());
        }
        Ok(Self::Dns(host.to_owned()))
    }

    /// Resolves a `certificateReference` in `store`; other kinds are returned as they are.
    pub fn resolve(self, store: Option<&DirectoryStore>) -> Result<Self, Error> {
        match self {
            Self::CertificateReference(query) => {
                let store = store.ok_or_else(|| {
                    Error::new(
                        ErrorCode::ConfigInvalid,
                        format!("identity certificateReference {query} needs a certificate store: set [store] root"),
                    )
                })?;
                store.find_one(&query).map(Self::Certificate)
            }
            other => Ok(other),
        }
    }

    /// Checks that `certificate` satisfies the identity: [`ErrorCode::IdentityMismatch`] naming
    /// what was expected and what the certificate offers, [`ErrorCode::IdentityUnsatisfiable`] for a
    /// servicePrincipalName.
    pub fn check(&self, certificate: &Certificate) -> Result<(), Error> {
        let mismatch = |offered: String| {
            Error::new(
                ErrorCode::IdentityMismatch,
                format!("the service certificate does not satisfy identity {self}: it offers {offered}"),
            )
        };
        match self {
            Self::Dns(expected) => {
                let claims = dns_claims(certificate);
                if claims.iter().any(|claim| claim.eq_ignore_ascii_case(expected.trim())) {
                    Ok(())
                } else {
                    Err(mismatch(format!("DNS names [{}]", claims.join(", "))))
                }
            }
            Self::Certificate(expected) => {
                if expected.thumbprint_sha1() == certificate.thumbprint_sha1() {
                    Ok(())
                } else {
                    Err(mismatch(format!(
                        "certificate {} (SHA-1 {})",
                        certificate.subject(),
                        certificate.thumbprint_hex()
                    )))
                }
            }
            Self::CertificateReference(query) => Err(Error::new(
                ErrorCode::ConfigInvalid,
                format!("identity certificateReference {query} was not resolved in a certificate store"),
            )),
            Self::Rsa { modulus, exponent } => {
                let key = PublicKey::from_spki_der(certificate.spki_der()).ok();
                let (m, e) = (key.as_ref().and_then(|k| k.rsa_modulus()), key.as_ref().and_then(|k| k.rsa_exponent()));
                match (m, e) {
                    (Some(m), Some(e)) if m == strip_zeros(modulus) && e == strip_zeros(exponent) => Ok(()),
                    (Some(m), Some(_)) => Err(mismatch(format!("another RSA-{} key", m.len() * 8))),
                    _ => Err(mismatch("a key that is not RSA".to_owned())),
                }
            }
            Self::UserPrincipalName(expected) => {
                let upns = certificate.user_principal_names();
                if upns.iter().any(|upn| upn.to_lowercase() == expected.trim().to_lowercase()) {
                    Ok(())
                } else {
                    Err(mismatch(format!("user principal names [{}]", upns.join(", "))))
                }
            }
            Self::ServicePrincipalName(spn) => Err(Error::new(
                ErrorCode::IdentityUnsatisfiable,
                format!(
                    "identity servicePrincipalName {spn} is not satisfiable by an X.509 certificate \
                     (it names a Kerberos service); configure a dns, certificate or rsa identity"
                ),
            )),
        }
    }
}

/// The DNS claims of a certificate, as .NET's X509CertificateClaimSet makes them: the
/// subjectAltName dNSNames, or the subject CN when there are none.
fn dns_claims(certificate: &Certificate) -> Vec<&str> {
    if certificate.dns_names().is_empty() {
        certificate.common_name().into_iter().collect()
    } else {
        certificate.dns_names().iter().map(String::as_str).collect()
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dns(name) => write!(f, "dns {name}"),
            Self::Certificate(c) => write!(f, "certificate {} (SHA-1 {})", c.subject(), c.thumbprint_hex()),
            Self::CertificateReference(query) => write!(f, "certificateReference {query}"),
            Self::Rsa { modulus, .. } => write!(f, "rsa RSA-{} key", strip_zeros(modulus).len() * 8),
            Self::UserPrincipalName(upn) => write!(f, "userPrincipalName {upn}"),
            Self::ServicePrincipalName(spn) => write!(f, "servicePrincipalName {spn}"),
        }
    }
}
