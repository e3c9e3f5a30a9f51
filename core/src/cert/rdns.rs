//! The RDNs of a name in the order of its string form.

use der::asn1::SetOfVec;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

/// The RDNs of a name, most specific first (the reverse of their DER order), as RFC 4514 writes them.
pub(crate) fn most_specific_first(name: &Name) -> impl Iterator<Item = &RelativeDistinguishedName> {
    let sequence: &RdnSequence = name.as_ref();
    let rdns: &Vec<RelativeDistinguishedName> = sequence.as_ref();
    rdns.iter().rev()
}

/// The attributes of a multi-valued RDN in the order OpenSSL prints them with `-nameopt RFC2253`:
/// the reverse of their (sorted) DER order. An RDN is a set, so the order carries no meaning.
pub(crate) fn attributes_as_printed(rdn: &RelativeDistinguishedName) -> impl Iterator<Item = &AttributeTypeAndValue> {
    let attributes: &SetOfVec<AttributeTypeAndValue> = rdn.as_ref();
    attributes.as_slice().iter().rev()
}
