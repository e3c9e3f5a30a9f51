//! The WCF `wsHttpBinding` profile: Message security with certificates on both sides and no
//! secure conversation (`negotiateServiceCredential="false"`, `establishSecurityContext="false"`),
//! which WCF builds as WS-Security 1.1 `MutualCertificate` with derived keys.
//!
//! The client wraps a fresh key for the service's certificate; both messages of the exchange
//! are signed (HMAC) and encrypted with keys derived from it ([`derived`]); the client endorses
//! its request with its certificate, and the service confirms the request's signature values
//! in the response ([`confirmation`]). [`secure`](fn@secure) writes WCF's header layout,
//! [`open`](fn@open) reads it, and [`crate::wss::Exchange`] carries the key between the two
//! messages. The engine is the one of [`crate::wss::Engine`], with
//! [`crate::wss::Profile::WcfMutualCertificate`] in its policy.

pub mod confirmation;
pub mod derived;
mod header;
pub mod import;
mod open;
mod options;
mod secure;
mod signature;
mod wire;

pub(crate) use open::open;
pub use options::{WSSC_13_NS, WSSC_200502_NS, WcfNamespaces, WcfOptions};
pub(crate) use secure::secure;

use crate::error::{Error, ErrorCode};

/// The error for an exchange state that lacks the WCF profile's key.
fn wrong_profile_state() -> Error {
    Error::new(ErrorCode::ExchangeInvalid, "the exchange state carries no key of a WCF request")
}
