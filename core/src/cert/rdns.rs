//! The RDNs of a name in the order of its string form.

use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

/// The RDNs of a name, most specific first (the reverse of their DER order), as RFC 4514 writes them.
pub(crate) fn most_specific_first(name: &Name) -> impl Iterator<Item = &RelativeDistinguishedName> {
    let sequence: &RdnSequence = name.as_ref();
    let rdns: &Vec<RelativeDistinguishedName> = sequence.as_ref();
    rdns.iter().rev()
}
