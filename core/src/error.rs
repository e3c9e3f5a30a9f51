//! Stable error codes shared by every part of the engine.
//!
//! Each module has its own typed error (for example [`crate::xml::XmlError`]); each of those maps to
//! one [`ErrorCode`] whose numeric value never changes once released, so that C hosts, the sidecar
//! protocol and logs can rely on it.

use std::fmt;

/// A stable, numeric error code. Values are grouped by area: 1xx XML parsing, 2xx canonicalization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The input is not well-formed XML.
    XmlMalformed = 100,
    /// The input contains a document type declaration; DTDs are refused.
    XmlDoctype = 101,
    /// The input is not UTF-8 (a UTF-16 byte order mark, another declared encoding, invalid bytes).
    XmlEncoding = 102,
    /// A prefix is used without a namespace declaration in scope.
    XmlUndeclaredPrefix = 103,
    /// An attribute appears twice on one element (by qualified or by expanded name).
    XmlDuplicateAttribute = 104,
    /// Something other than whitespace, comments and processing instructions follows the root element.
    XmlContentAfterRoot = 105,
    /// A namespace declaration breaks the Namespaces in XML rules.
    XmlNamespace = 106,
    /// A configured limit (size, depth, attributes, text length, ...) was exceeded.
    XmlLimitExceeded = 107,
    /// Two elements carry the same Id value (over `wsu:Id`, `Id`, `ID` and `xml:id`).
    XmlDuplicateId = 108,
    /// The document is not a SOAP 1.1 or 1.2 envelope of the expected shape.
    SoapStructure = 120,
    /// Canonicalization is impossible for this input (for example a relative namespace URI).
    C14nUnsupported = 200,
}

impl ErrorCode {
    /// The numeric value, stable across releases.
    pub fn value(self) -> u32 {
        self as u32
    }

    /// The stable symbolic name, as used in logs and the C header.
    pub fn name(self) -> &'static str {
        match self {
            Self::XmlMalformed => "XML_MALFORMED",
            Self::XmlDoctype => "XML_DOCTYPE",
            Self::XmlEncoding => "XML_ENCODING",
            Self::XmlUndeclaredPrefix => "XML_UNDECLARED_PREFIX",
            Self::XmlDuplicateAttribute => "XML_DUPLICATE_ATTRIBUTE",
            Self::XmlContentAfterRoot => "XML_CONTENT_AFTER_ROOT",
            Self::XmlNamespace => "XML_NAMESPACE",
            Self::XmlLimitExceeded => "XML_LIMIT_EXCEEDED",
            Self::XmlDuplicateId => "XML_DUPLICATE_ID",
            Self::SoapStructure => "SOAP_STRUCTURE",
            Self::C14nUnsupported => "C14N_UNSUPPORTED",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.value())
    }
}
