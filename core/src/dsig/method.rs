//! Canonicalization methods named by URI, with the exclusive C14N `InclusiveNamespaces` list.

use std::borrow::Cow;

use super::{C14N, C14N_WITH_COMMENTS, EXC_C14N, EXC_C14N_WITH_COMMENTS};
use crate::c14n::{Algorithm, C14nOptions};
use crate::error::{Error, ErrorCode};
use crate::shape::{ChildCursor, required_attribute};
use crate::xml::Element;

/// A canonicalization method read from a `CanonicalizationMethod` or `Transform` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct C14nMethod<'a> {
    /// Exclusive or inclusive.
    pub algorithm: Algorithm,
    /// A `#WithComments` variant.
    pub with_comments: bool,
    /// The exclusive C14N PrefixList, whitespace-separated, as written.
    pub prefix_list: Cow<'a, str>,
}

impl<'a> C14nMethod<'a> {
    /// Reads the method of `element` (its `Algorithm` attribute and, for exclusive C14N, an
    /// optional `InclusiveNamespaces` child). `code` reports a refused algorithm.
    pub fn read(element: &Element<'_, 'a>, code: ErrorCode) -> Result<Self, Error> {
        let uri = required_attribute(element, "Algorithm", ErrorCode::SignatureMalformed)?;
        let (algorithm, with_comments) = match uri.as_ref() {
            EXC_C14N => (Algorithm::Exclusive, false),
            EXC_C14N_WITH_COMMENTS => (Algorithm::Exclusive, true),
            C14N => (Algorithm::Inclusive, false),
            C14N_WITH_COMMENTS => (Algorithm::Inclusive, true),
            other => {
                return Err(Error::new(code, format!("<{}> names {other}, not a canonicalization", element.qname())));
            }
        };
        let mut children = ChildCursor::new(*element, ErrorCode::SignatureMalformed);
        let mut prefix_list = Cow::Borrowed("");
        if algorithm == Algorithm::Exclusive
            && let Some(inclusive) = children.optional(EXC_C14N, "InclusiveNamespaces")
        {
            prefix_list = inclusive.attribute("", "PrefixList").map_or(Cow::Borrowed(""), |a| a.value());
        }
        children.finish()?;
        Ok(Self { algorithm, with_comments, prefix_list })
    }

    /// The prefixes of the PrefixList.
    pub fn prefixes(&self) -> Vec<&str> {
        self.prefix_list.split_ascii_whitespace().collect()
    }

    /// Options for [`crate::c14n::canonicalize`]; `prefixes` is [`Self::prefixes`].
    pub fn options<'p>(&self, prefixes: &'p [&'p str], keep_comments: bool) -> C14nOptions<'p> {
        C14nOptions {
            algorithm: self.algorithm,
            with_comments: self.with_comments && keep_comments,
            inclusive_prefixes: prefixes,
        }
    }
}
