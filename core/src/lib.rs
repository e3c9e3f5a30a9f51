//! wsseal-core: the WS-Security engine.
//!
//! The path of an envelope: [`xml::Document::parse`] indexes the bytes once; [`soap`] finds the
//! envelope parts by position; [`c14n`] streams canonical bytes of any element into a hasher.

pub mod c14n;
pub mod cert;
pub mod crypto;
mod error;
pub mod soap;
pub mod xml;

pub use error::{Error, ErrorCode, WireFault};
