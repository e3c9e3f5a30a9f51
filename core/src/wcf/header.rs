//! The children of an incoming WCF Security header, in document order, by kind. Anything the
//! profile does not know is refused; the count limits of the policy apply.

use super::WcfNamespaces;
use crate::dsig::DSIG_NS;
use crate::error::{Error, ErrorCode};
use crate::soap::WSSE_NS;
use crate::wss::SecurityLimits;
use crate::wss::token::WSSE11_NS;
use crate::xenc::XENC_NS;
use crate::xml::{Document, ElementId, WSU_NS};

/// What a Security header child is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Timestamp,
    EncryptedKey,
    DerivedKey,
    ReferenceList,
    Token,
    EncryptedData,
    Signature,
    Confirmation,
}

impl Kind {
    /// The lowest and highest place of this kind in WCF's strict layout.
    fn ranks(self) -> (u8, u8) {
        match self {
            Kind::Timestamp => (0, 0),
            Kind::EncryptedKey => (1, 1),
            Kind::DerivedKey => (2, 2),
            Kind::ReferenceList => (3, 3),
            Kind::Token => (4, 4),
            Kind::Confirmation => (5, 5),
            Kind::EncryptedData => (5, 6),
            Kind::Signature => (6, 6),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Timestamp => "Timestamp",
            Kind::EncryptedKey => "EncryptedKey",
            Kind::DerivedKey => "DerivedKeyToken",
            Kind::ReferenceList => "ReferenceList",
            Kind::Token => "BinarySecurityToken",
            Kind::Confirmation => "SignatureConfirmation",
            Kind::EncryptedData => "EncryptedData",
            Kind::Signature => "Signature",
        }
    }
}

/// The children of a Security header.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub element: ElementId,
    pub children: Vec<(Kind, ElementId)>,
}

impl Header {
    /// Sorts the children of `security`, enforcing the count limits.
    pub(crate) fn scan(
        doc: &Document<'_>,
        security: ElementId,
        namespaces: WcfNamespaces,
        limits: &SecurityLimits,
    ) -> Result<Self, Error> {
        let sc = namespaces.secure_conversation();
        // A WCF header holds about ten children: room for them at once.
        let mut children = Vec::with_capacity(16);
        for child in doc.element(security).children() {
            // The local names tell the kinds apart; then the one namespace is compared.
            let known = match child.local_name() {
                "Timestamp" => Some((WSU_NS, Kind::Timestamp)),
                "EncryptedKey" => Some((XENC_NS, Kind::EncryptedKey)),
                "DerivedKeyToken" => Some((sc, Kind::DerivedKey)),
                "ReferenceList" => Some((XENC_NS, Kind::ReferenceList)),
                "BinarySecurityToken" => Some((WSSE_NS, Kind::Token)),
                "EncryptedData" => Some((XENC_NS, Kind::EncryptedData)),
                "Signature" => Some((DSIG_NS, Kind::Signature)),
                "SignatureConfirmation" => Some((WSSE11_NS, Kind::Confirmation)),
                _ => None,
            };
            let kind = match known {
                Some((namespace, kind)) if child.namespace() == namespace => kind,
                _ => {
                    return Err(Error::new(
                        ErrorCode::SecurityHeaderMalformed,
                        format!(
                            "the Security header holds <{}> ({}), which the WCF profile does not process",
                            child.qname(),
                            child.namespace()
                        ),
                    ));
                }
            };
            children.push((kind, child.id()));
        }
        let header = Self { element: security, children };
        let count = |kinds: &[Kind]| header.children.iter().filter(|(k, _)| kinds.contains(k)).count();
        for (what, kinds, limit) in [
            ("tokens", &[Kind::EncryptedKey, Kind::DerivedKey, Kind::Token][..], limits.max_tokens),
            ("signatures", &[Kind::Signature][..], limits.max_signatures),
            ("SignatureConfirmations", &[Kind::Confirmation][..], limits.max_signatures),
            ("EncryptedData elements", &[Kind::EncryptedData][..], limits.max_encrypted_data),
            ("ReferenceLists", &[Kind::ReferenceList][..], limits.max_tokens),
        ] {
            let found = count(kinds);
            if found > limit {
                return Err(Error::new(
                    ErrorCode::SecurityLimitExceeded,
                    format!("{found} {what} in the Security header (limit {limit})"),
                ));
            }
        }
        if count(&[Kind::Timestamp]) > 1 {
            return Err(Error::new(ErrorCode::TimestampInvalid, "more than one Timestamp in the Security header"));
        }
        Ok(header)
    }

    /// The children of one kind, in document order.
    pub(crate) fn of(&self, kind: Kind) -> impl Iterator<Item = ElementId> + '_ {
        self.children.iter().filter(move |(k, _)| *k == kind).map(|(_, e)| *e)
    }

    /// Checks that the children follow WCF's strict layout, the order `SendSecurityHeader`
    /// writes them in: Timestamp first, then EncryptedKey, DerivedKeyTokens, ReferenceList,
    /// BinarySecurityToken, SignatureConfirmations and last the signatures (an EncryptedData
    /// holds either of the last two).
    pub(crate) fn check_strict_order(&self) -> Result<(), Error> {
        let mut floor = 0;
        let mut previous = None;
        for &(kind, _) in &self.children {
            let (low, high) = kind.ranks();
            if high < floor {
                let before = previous.map_or("", Kind::name);
                return Err(Error::new(
                    ErrorCode::LayoutViolation,
                    format!("the {} comes after a {before}, out of WCF's strict header order", kind.name()),
                ));
            }
            if low >= floor {
                floor = low;
                previous = Some(kind);
            }
        }
        Ok(())
    }

    /// The position of a child among the header's children.
    pub(crate) fn position(&self, element: ElementId) -> Option<usize> {
        self.children.iter().position(|(_, e)| *e == element)
    }
}
