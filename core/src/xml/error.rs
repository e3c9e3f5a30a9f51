//! The typed error of the XML index.

use std::fmt;

use crate::ErrorCode;

/// Why a document was refused, and the byte offset where that was noticed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    kind: XmlErrorKind,
    offset: usize,
}

/// What was wrong with a document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// Not well-formed XML; the text says which rule was broken.
    Malformed(String),
    /// A document type declaration was present.
    Doctype,
    /// The bytes are not UTF-8, or another encoding was declared.
    Encoding(String),
    /// A prefix without a namespace declaration in scope.
    UndeclaredPrefix(String),
    /// An attribute given twice on one element.
    DuplicateAttribute(String),
    /// Markup or text after the root element.
    ContentAfterRoot,
    /// A namespace declaration that Namespaces in XML forbids.
    Namespace(String),
    /// A configured limit was exceeded.
    LimitExceeded {
        /// Which limit (as named in [`super::Limits`]).
        limit: &'static str,
        /// Its configured value.
        max: usize,
    },
    /// An Id value carried by two elements.
    DuplicateId(String),
}

impl XmlError {
    pub(crate) fn new(kind: XmlErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    pub(crate) fn malformed(message: impl Into<String>, offset: usize) -> Self {
        Self::new(XmlErrorKind::Malformed(message.into()), offset)
    }

    /// What was wrong.
    pub fn kind(&self) -> &XmlErrorKind {
        &self.kind
    }

    /// The byte offset in the input where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        match self.kind {
            XmlErrorKind::Malformed(_) => ErrorCode::XmlMalformed,
            XmlErrorKind::Doctype => ErrorCode::XmlDoctype,
            XmlErrorKind::Encoding(_) => ErrorCode::XmlEncoding,
            XmlErrorKind::UndeclaredPrefix(_) => ErrorCode::XmlUndeclaredPrefix,
            XmlErrorKind::DuplicateAttribute(_) => ErrorCode::XmlDuplicateAttribute,
            XmlErrorKind::ContentAfterRoot => ErrorCode::XmlContentAfterRoot,
            XmlErrorKind::Namespace(_) => ErrorCode::XmlNamespace,
            XmlErrorKind::LimitExceeded { .. } => ErrorCode::XmlLimitExceeded,
            XmlErrorKind::DuplicateId(_) => ErrorCode::XmlDuplicateId,
        }
    }
}

impl fmt::Display for XmlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(what) => write!(f, "malformed XML: {what}"),
            Self::Doctype => f.write_str("document type declarations (DTDs) are not allowed"),
            Self::Encoding(what) => write!(f, "only UTF-8 is accepted: {what}"),
            Self::UndeclaredPrefix(prefix) => write!(f, "prefix '{prefix}' is not declared"),
            Self::DuplicateAttribute(name) => write!(f, "attribute '{name}' appears twice"),
            Self::ContentAfterRoot => f.write_str("content after the root element"),
            Self::Namespace(what) => write!(f, "namespace error: {what}"),
            Self::LimitExceeded { limit, max } => write!(f, "limit exceeded: {limit} (at most {max})"),
            Self::DuplicateId(id) => write!(f, "Id '{id}' is carried by more than one element"),
        }
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte {})", self.kind, self.offset)
    }
}

impl std::error::Error for XmlError {}
