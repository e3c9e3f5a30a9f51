//! Comparing a certificate's name with a name string from a message.
//!
//! Both sides become the same normalized form: RDNs most specific first, each RDN's attributes
//! sorted, values folded as caseIgnoreMatch does. A string matches in the order written or in the
//! reverse order (.NET and some Java stacks write the least specific RDN first).

use x509_cert::name::Name;

use super::attr_value::AttrValue;
use super::dn_parse::{self, Attribute};
use super::rdns;

/// A distinguished name in normalized form. Types are held as dotted text: an OID encoded with
/// redundant padding in a certificate then still equals the same OID written in a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NameKey {
    rdns: Vec<Vec<(String, AttrValue)>>,
}

impl NameKey {
    /// The normalized form of a certificate's name.
    pub(crate) fn of_name(name: &Name) -> Result<Self, der::Error> {
        let rdns = rdns::most_specific_first(name)
            .map(|rdn| rdn.iter().map(|attribute| Ok((attribute.oid, AttrValue::decode(&attribute.value)?))).collect());
        Ok(Self::normalized(rdns.collect::<Result<_, der::Error>>()?))
    }

    /// The normalized form of a name string, or `None` when it is not one.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        dn_parse::parse(text).map(Self::normalized)
    }

    /// Do the two names match, the other one read in either order? An empty name matches nothing.
    pub(crate) fn matches(&self, written: &Self) -> bool {
        !self.rdns.is_empty() && (self.rdns == written.rdns || self.rdns.iter().eq(written.rdns.iter().rev()))
    }

    /// Is the name empty (no RDN)?
    pub(crate) fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// Is the name within the subtree `base`: do its RDNs begin, from the root, with all of
    /// `base`'s (RFC 5280 §4.2.1.10 directoryName)?
    pub(crate) fn is_within(&self, base: &Self) -> bool {
        self.rdns.ends_with(&base.rdns)
    }

    fn normalized(rdns: Vec<Vec<Attribute>>) -> Self {
        let rdns = rdns.into_iter().map(|rdn| {
            let mut rdn: Vec<_> = rdn.into_iter().map(|(oid, value)| (oid.to_string(), value.folded())).collect();
            rdn.sort();
            rdn
        });
        Self { rdns: rdns.collect() }
    }
}
