//! X.509 certificates, parsed once with x509-cert: the fields WS-Security refers to them by.
//!
//! [`pem_blocks`] reads PEM texts of any block type (certificates and keys).

mod error;
mod pem;

pub use error::CertError;
pub use pem::pem_blocks;
