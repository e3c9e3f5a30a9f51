//! The children of an incoming `wsse:Security` header, sorted by kind in document order. Any
//! element the profile does not know is refused: nothing in the header is silently ignored.

use smallvec::SmallVec;

use super::SecurityLimits;
use super::token::WSSE11_NS;
use crate::dsig::DSIG_NS;
use crate::error::{Error, ErrorCode};
use crate::soap::WSSE_NS;
use crate::xenc::XENC_NS;
use crate::xml::{Document, ElementId, WSU_NS};

/// The elements of one kind in a Security header (the usual few held inline).
pub(crate) type Children = SmallVec<[ElementId; 4]>;

/// The parts of a Security header.
#[derive(Clone, Debug)]
pub(crate) struct SecurityHeader {
    pub element: ElementId,
    pub timestamps: Children,
    pub tokens: Children,
    pub encrypted_keys: Children,
    pub reference_lists: Children,
    pub signatures: Children,
    pub encrypted_data: Children,
}

impl SecurityHeader {
    /// Sorts the children of `security`, enforcing the count limits.
    pub(crate) fn scan(doc: &Document<'_>, security: ElementId, limits: &SecurityLimits) -> Result<Self, Error> {
        let mut header = Self {
            element: security,
            timestamps: Children::new(),
            tokens: Children::new(),
            encrypted_keys: Children::new(),
            reference_lists: Children::new(),
            signatures: Children::new(),
            encrypted_data: Children::new(),
        };
        for child in doc.element(security).children() {
            let list = match (child.namespace(), child.local_name()) {
                (WSU_NS, "Timestamp") => &mut header.timestamps,
                (WSSE_NS, "BinarySecurityToken") => &mut header.tokens,
                (XENC_NS, "EncryptedKey") => &mut header.encrypted_keys,
                (XENC_NS, "ReferenceList") => &mut header.reference_lists,
                (XENC_NS, "EncryptedData") => &mut header.encrypted_data,
                (DSIG_NS, "Signature") => &mut header.signatures,
                (WSSE11_NS, "SignatureConfirmation") => {
                    return Err(Error::new(
                        ErrorCode::SecurityHeaderMalformed,
                        "SignatureConfirmation belongs to the WSS 1.1 profile, not this one",
                    ));
                }
                _ => {
                    return Err(Error::new(
                        ErrorCode::SecurityHeaderMalformed,
                        format!(
                            "the Security header holds <{}> ({}), which this profile does not process",
                            child.qname(),
                            child.namespace()
                        ),
                    ));
                }
            };
            list.push(child.id());
        }
        let over = |what: &str, count: usize, limit: usize| {
            (count > limit).then(|| {
                Error::new(
                    ErrorCode::SecurityLimitExceeded,
                    format!("{count} {what} in the Security header (limit {limit})"),
                )
            })
        };
        let tokens = header.tokens.len() + header.encrypted_keys.len();
        if let Some(error) = over("tokens", tokens, limits.max_tokens)
            .or_else(|| over("signatures", header.signatures.len(), limits.max_signatures))
            .or_else(|| over("EncryptedData elements", header.encrypted_data.len(), limits.max_encrypted_data))
            .or_else(|| over("ReferenceLists", header.reference_lists.len(), limits.max_tokens))
        {
            return Err(error);
        }
        if header.timestamps.len() > 1 {
            return Err(Error::new(ErrorCode::TimestampInvalid, "more than one Timestamp in the Security header"));
        }
        Ok(header)
    }
}
