//! SOAP 1.1 and 1.2 envelopes located by position: the Envelope root, its optional Header as first
//! child, the Body after it, and header blocks by QName and actor/role.

use std::fmt;

use crate::ErrorCode;
use crate::xml::{Document, Element, ElementId};

/// The SOAP 1.1 envelope namespace.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The SOAP 1.2 envelope namespace.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The WS-Security 1.0 extension namespace (`wsse:Security`).
pub const WSSE_NS: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// The SOAP 1.2 role that names the ultimate receiver, equivalent to no role at all.
pub const SOAP12_ULTIMATE_RECEIVER: &str = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";

/// The SOAP version of an envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoapVersion {
    /// SOAP 1.1.
    Soap11,
    /// SOAP 1.2.
    Soap12,
}

impl SoapVersion {
    /// The envelope namespace of this version.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::Soap11 => SOAP11_NS,
            Self::Soap12 => SOAP12_NS,
        }
    }

    /// The local name of the attribute that targets a header block (`actor` or `role`).
    pub fn actor_attribute(self) -> &'static str {
        match self {
            Self::Soap11 => "actor",
            Self::Soap12 => "role",
        }
    }
}

/// Why a document is not the SOAP envelope expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoapError {
    message: String,
}

impl SoapError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::SoapStructure
    }
}

impl fmt::Display for SoapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid SOAP envelope: {}", self.message)
    }
}

impl std::error::Error for SoapError {}

/// The parts of a SOAP envelope, found by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// SOAP 1.1 or 1.2.
    pub version: SoapVersion,
    /// The Envelope element (the root).
    pub envelope: ElementId,
    /// The Header element, when present: the first child of Envelope.
    pub header: Option<ElementId>,
    /// The Body element: the child after the Header, or the first child.
    pub body: ElementId,
}

impl Envelope {
    /// Locates Envelope, Header and Body. Refuses any other root, a missing Body, and any element
    /// other than one Header followed by one Body (nothing may follow the Body).
    pub fn locate(doc: &Document<'_>) -> Result<Self, SoapError> {
        let root = doc.root();
        let version = match (root.local_name(), root.namespace()) {
            ("Envelope", SOAP11_NS) => SoapVersion::Soap11,
            ("Envelope", SOAP12_NS) => SoapVersion::Soap12,
            _ => {
                return Err(SoapError::new(format!(
                    "the root element is {{{}}}{}",
                    root.namespace(),
                    root.local_name()
                )));
            }
        };
        let ns = version.namespace();
        let mut children = root.children();
        let mut next = children.next();
        let header = match next {
            Some(h) if h.is(ns, "Header") => {
                next = children.next();
                Some(h.id())
            }
            _ => None,
        };
        let body = match next {
            Some(b) if b.is(ns, "Body") => b.id(),
            Some(other) => return Err(SoapError::new(format!("unexpected element <{}> in Envelope", other.qname()))),
            None => return Err(SoapError::new("the Envelope has no Body")),
        };
        if let Some(extra) = children.next() {
            return Err(SoapError::new(format!("element <{}> after the Body", extra.qname())));
        }
        Ok(Self { version, envelope: root.id(), header, body })
    }

    /// Every header block, in document order.
    pub fn blocks<'d, 'a>(&self, doc: &'d Document<'a>) -> impl Iterator<Item = Element<'d, 'a>> + 'd {
        self.header.into_iter().flat_map(move |header| doc.element(header).children())
    }

    /// The header blocks with this expanded name, in document order.
    pub fn header_blocks<'d, 'a>(
        &self,
        doc: &'d Document<'a>,
        namespace: &'d str,
        local_name: &'d str,
    ) -> impl Iterator<Item = Element<'d, 'a>> + 'd {
        self.blocks(doc).filter(move |block| block.is(namespace, local_name))
    }

    /// The actor (SOAP 1.1) or role (SOAP 1.2) a header block targets; `None` for the ultimate
    /// receiver.
    pub fn actor_of<'a>(&self, block: &Element<'_, 'a>) -> Option<std::borrow::Cow<'a, str>> {
        let actor = block.attribute(self.version.namespace(), self.version.actor_attribute())?.value();
        let ultimate = actor.is_empty() || (self.version == SoapVersion::Soap12 && actor == SOAP12_ULTIMATE_RECEIVER);
        (!ultimate).then_some(actor)
    }

    /// The `wsse:Security` header for `actor` (`None`: the ultimate receiver). More than one
    /// Security header for the same actor is refused as ambiguous.
    pub fn security_header(&self, doc: &Document<'_>, actor: Option<&str>) -> Result<Option<ElementId>, SoapError> {
        let mut matching =
            self.header_blocks(doc, WSSE_NS, "Security").filter(|b| self.actor_of(b).as_deref() == actor);
        let first = matching.next().map(|b| b.id());
        if matching.next().is_some() {
            let target = actor.unwrap_or("the ultimate receiver");
            return Err(SoapError::new(format!("more than one Security header for {target}")));
        }
        Ok(first)
    }
}
