//! The wsseal sidecar: `wsseal serve` lets a service in any language secure and open SOAP
//! envelopes without linking wsseal. This library holds the protocol ([`protocol`],
//! docs/protocol.md), its Rust [`client`], the exchange [`token`]s, the [`settings`], and the
//! [`server`].

pub mod client;
pub mod protocol;
pub mod server;
pub mod settings;
pub mod tls;
pub mod token;
