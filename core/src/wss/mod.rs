//! The WS-Security 1.0 mutual-certificate profile (X.509 Token Profile): what WSS4J/CXF, Metro,
//! gSOAP, zeep and WCF's `MutualCertificate` + `WSSecurity10` speak. Each side signs with its own
//! key and encrypts for the other side's certificate.
//!
//! [`Engine::secure`] writes the Security header and splices it into the envelope;
//! [`Engine::open`] decrypts, verifies and enforces the [`Policy`] on element positions, and
//! hands on only verified content with a [`Report`].

mod credentials;
pub(crate) mod decrypt;
mod engine;
mod exchange;
mod header;
pub(crate) mod open;
pub(crate) mod part;
mod policy;
mod replay;
mod report;
pub(crate) mod secure;
mod suite;
pub mod timestamp;
pub mod token;
pub mod trust;
mod xs_datetime;

pub use credentials::{Credentials, private_key_from_pem};
pub use engine::{Engine, Opened, Secured};
pub use exchange::Exchange;
pub use policy::{
    KeyReference, Policy, Profile, ProtectionOrder, QName, ReferenceListPlacement, SecurityLimits, WSA10_NS,
    WSA200408_NS, addressing_headers,
};
pub use report::{Report, Signer, TimestampReport};
pub use suite::{AlgorithmSuite, SUITES};
pub use trust::{CertificateValidator, PinnedCertificate, TrustedCertificate};
