//! XML Signature (XML-DSig 1.0) as WS-Security uses it: same-document references to elements by
//! Id, canonicalization transforms only, algorithms from an allow-list the configuration gives.
//!
//! [`reader`] reads a `ds:Signature` strictly, [`verify`] checks it against a key the caller
//! resolved and trusts, and [`writer`] produces the canonical `ds:SignedInfo` and the signature
//! element for outgoing messages.

mod method;
pub mod reader;
pub mod verify;
pub mod writer;

pub use method::C14nMethod;
pub use reader::{SignatureElement, SignedReference};
pub use verify::{VerificationKey, verify};

use crate::crypto::{DigestAlgorithm, SignatureAlgorithm};

/// The XML-DSig namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive XML Canonicalization 1.0, and the namespace of its `InclusiveNamespaces` element.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Exclusive XML Canonicalization 1.0 with comments.
pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
/// Canonical XML 1.0.
pub const C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// Canonical XML 1.0 with comments.
pub const C14N_WITH_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";

/// The algorithms a verifier accepts; anything else in a message is refused.
#[derive(Clone, Copy, Debug)]
pub struct AcceptedAlgorithms<'p> {
    /// Accepted signature methods.
    pub signature: &'p [SignatureAlgorithm],
    /// Accepted digest methods.
    pub digest: &'p [DigestAlgorithm],
}

/// Bounds on the work one signature may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DsigLimits {
    /// References per SignedInfo.
    pub max_references: usize,
    /// Transforms per reference.
    pub max_transforms: usize,
}

impl Default for DsigLimits {
    fn default() -> Self {
        Self { max_references: 30, max_transforms: 5 }
    }
}
