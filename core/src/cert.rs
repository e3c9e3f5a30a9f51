//! X.509 certificates, parsed once with x509-cert: the fields WS-Security refers to them by.
//!
//! [`Certificate`] holds the DER, the x509-cert form and every derived field (names as RFC 4514
//! strings, the decimal serial, digests, validity, SKI, DNS names). Name strings from messages are
//! compared with [`Certificate::issuer_matches`], which reads what .NET, Java and OpenSSL write.
//! [`pem_blocks`] reads PEM texts of any block type (certificates and keys).

mod attr_type;
mod attr_value;
mod certificate;
mod dn_format;
mod dn_match;
mod dn_parse;
mod error;
mod fields;
mod hex;
mod parsed;
mod pem;
mod rdns;
mod serial;

pub use certificate::Certificate;
pub use error::CertError;
pub use pem::pem_blocks;
