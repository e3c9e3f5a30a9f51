//! wsseal-core: the WS-Security engine.
//!
//! The path of an envelope: [`xml::Document::parse`] indexes the bytes once; [`soap`] finds the
//! envelope parts by position; [`c14n`] streams canonical bytes of any element into a hasher;
//! [`dsig`] and [`xenc`] read and write signatures and encrypted data; [`wss`] puts them together
//! into the WS-Security profiles behind [`wss::Engine`]: WSS 1.0 in [`wss`], WCF's WSS 1.1
//! `wsHttpBinding` profile in [`wcf`].

pub mod c14n;
pub mod cert;
pub mod config;
pub mod crypto;
pub mod dsig;
mod encoding;
mod error;
pub mod identity;
pub mod operation;
mod shape;
pub mod soap;
mod splice;
pub mod trust;
pub mod wcf;
pub mod wss;
pub mod xenc;
pub mod xml;

pub use error::{Error, ErrorCode, WireFault};
pub use operation::{BatchItem, Operation, Outcome};
pub use wss::{Engine, Exchange};
