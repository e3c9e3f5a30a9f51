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
        let mut children = Vec::new();
        for child in doc.element(security).children() {
            let kind = match (child.namespace(), child.local_name()) {
                (WSU_NS, "Timestamp") => Kind::Timestamp,
                (XENC_NS, "EncryptedKey") => Kind::EncryptedKey,
                (ns, "DerivedKeyToken") if ns == sc => Kind::DerivedKey,
                (XENC_NS, "ReferenceList") => Kind::ReferenceList,
                (WSSE_NS, "BinarySecurityToken") => Kind::Token,
                (XENC_NS, "EncryptedData") => Kind::EncryptedData,
                (DSIG_NS, "Signature") => Kind::Signature,
                (WSSE11_NS, "SignatureConfirmation") => Kind::Confirmation,
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

    /// The position of a child among the header's children.
    pub(crate) fn position(&self, element: ElementId) -> Option<usize> {
        self.children.iter().position(|(_, e)| *e == element)
    }
}
