//! X.509 certificates, parsed once with x509-cert: the fields WS-Security refers to them by.
//!
//! [`Certificate`] holds the DER, the x509-cert form and every derived field (names as RFC 4514
//! strings, the decimal serial, digests, validity, SKI, DNS names). Name strings from messages are
//! compared with [`Certificate::issuer_matches`], which reads what .NET, Java and OpenSSL write.
//! [`pem_blocks`] reads PEM texts of any block type (certificates and keys);
//! [`pki_path_certificates`] and [`pkcs7_certificates`] the chains security tokens carry.

mod attr_type;
mod attr_value;
mod bundle;
mod certificate;
mod dn_format;
mod dn_match;
mod dn_parse;
mod error;
mod extensions;
mod fields;
mod hex;
mod name_constraints;
mod parsed;
mod pem;
mod rdns;
mod serial;

pub use bundle::{pkcs7_certificates, pki_path_certificates};
pub use certificate::Certificate;
pub use error::CertError;
pub(crate) use fields::date_time;
pub(crate) use parsed::tbs_span;

/// Does a name (from a CRL, say) equal `certificate`'s subject, RDN by RDN as caseIgnoreMatch compares?
pub(crate) fn name_equals(name: &x509_cert::name::Name, certificate: &Certificate) -> bool {
    dn_match::NameKey::of_name(name).is_ok_and(|key| certificate.subject_key_equals(&key))
}

/// A name as an RFC 4514 string.
pub(crate) fn format_name(name: &x509_cert::name::Name) -> Result<String, der::Error> {
    dn_format::format(name)
}
pub use pem::pem_blocks;
