//! XML Encryption (XML-Enc 1.0 and the XML-Enc 1.1 algorithms) as WS-Security uses it: an
//! `EncryptedKey` wraps a fresh content key for a certificate, `EncryptedData` elements carry
//! element or content ciphertext, and `ReferenceList`s name what a key encrypted.
//!
//! [`reader`] reads these elements strictly; [`writer`] writes them. Deciding what may be
//! decrypted, and where, is the profile's job.

pub mod reader;
pub mod writer;

pub use reader::{EncryptedData, EncryptedKey, EncryptionType};

/// The XML-Enc namespace.
pub const XENC_NS: &str = "http://www.w3.org/2001/04/xmlenc#";
/// The XML-Enc 1.1 namespace.
pub const XENC11_NS: &str = "http://www.w3.org/2009/xmlenc11#";
/// `Type` of an EncryptedData that replaces an element.
pub const TYPE_ELEMENT: &str = "http://www.w3.org/2001/04/xmlenc#Element";
/// `Type` of an EncryptedData that replaces the content of an element.
pub const TYPE_CONTENT: &str = "http://www.w3.org/2001/04/xmlenc#Content";
