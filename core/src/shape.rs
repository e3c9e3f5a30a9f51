//! Strict reading of the fixed-shape elements of XML-DSig, XML-Enc and WS-Security: children in
//! the order a schema gives, required attributes, and text-only values.

use std::borrow::Cow;

use crate::error::{Error, ErrorCode};
use crate::xml::{Children, Document, Element};

/// Walks the child elements of one element in order, refusing anything unexpected.
pub(crate) struct ChildCursor<'d, 'a> {
    children: std::iter::Peekable<Children<'d, 'a>>,
    parent: Element<'d, 'a>,
    code: ErrorCode,
}

impl<'d, 'a> ChildCursor<'d, 'a> {
    /// A cursor over `parent`'s children; violations are reported with `code`.
    pub(crate) fn new(parent: Element<'d, 'a>, code: ErrorCode) -> Self {
        Self { children: parent.children().peekable(), parent, code }
    }

    /// Takes the next child when it has this name.
    pub(crate) fn optional(&mut self, namespace: &str, local_name: &str) -> Option<Element<'d, 'a>> {
        self.children.next_if(|child| child.is(namespace, local_name))
    }

    /// Takes the next child, which must have this name.
    pub(crate) fn required(&mut self, namespace: &str, local_name: &str) -> Result<Element<'d, 'a>, Error> {
        self.optional(namespace, local_name).ok_or_else(|| {
            let found = self.children.peek().map_or("nothing".to_owned(), |c| format!("<{}>", c.qname()));
            Error::new(self.code, format!("<{}> must contain {local_name} here, found {found}", self.parent.qname()))
        })
    }

    /// Takes every following child with this name, refusing more than `limit`.
    pub(crate) fn repeated(
        &mut self,
        namespace: &str,
        local_name: &str,
        limit: usize,
    ) -> Result<Vec<Element<'d, 'a>>, Error> {
        let mut found = Vec::new();
        while let Some(child) = self.optional(namespace, local_name) {
            if found.len() == limit {
                return Err(Error::new(
                    ErrorCode::SecurityLimitExceeded,
                    format!("more than {limit} {local_name} elements in <{}>", self.parent.qname()),
                ));
            }
            found.push(child);
        }
        Ok(found)
    }

    /// Requires that no child is left.
    pub(crate) fn finish(mut self) -> Result<(), Error> {
        match self.children.next() {
            None => Ok(()),
            Some(extra) => {
                Err(Error::new(self.code, format!("unexpected <{}> in <{}>", extra.qname(), self.parent.qname())))
            }
        }
    }
}

/// The value of an unqualified attribute that must be present.
pub(crate) fn required_attribute<'a>(
    element: &Element<'_, 'a>,
    local_name: &str,
    code: ErrorCode,
) -> Result<Cow<'a, str>, Error> {
    element
        .attribute("", local_name)
        .map(|a| a.value())
        .ok_or_else(|| Error::new(code, format!("<{}> has no {local_name} attribute", element.qname())))
}

/// The character data of an element that may hold nothing but text: no child element, comment,
/// processing instruction or CDATA section can hide in it.
pub(crate) fn text_only<'a>(
    doc: &Document<'a>,
    element: &Element<'_, 'a>,
    code: ErrorCode,
) -> Result<Cow<'a, str>, Error> {
    let raw = &doc.as_str()[element.content_span()];
    // One vectorized pass decides the common case (a CipherValue may be megabytes of base64).
    if memchr::memchr3(b'<', b'&', b'\r', raw.as_bytes()).is_none() {
        return Ok(Cow::Borrowed(raw));
    }
    if memchr::memchr(b'<', raw.as_bytes()).is_some() {
        return Err(Error::new(code, format!("<{}> must contain only text", element.qname())));
    }
    Ok(crate::xml::scan::decode(raw, false))
}

/// The `#id` of a same-document reference.
pub(crate) fn fragment(uri: &str) -> Option<&str> {
    uri.strip_prefix('#').filter(|id| !id.is_empty())
}

/// [`fragment`] of an attribute value, borrowed when the value is.
pub(crate) fn fragment_of(uri: Cow<'_, str>) -> Option<Cow<'_, str>> {
    match uri {
        Cow::Borrowed(text) => fragment(text).map(Cow::Borrowed),
        Cow::Owned(text) => fragment(&text).map(|id| Cow::Owned(id.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::text_only;
    use crate::error::ErrorCode;
    use crate::xml::{Document, Limits};

    fn first_child_text(xml: &str) -> Result<String, ErrorCode> {
        let doc = Document::parse(xml.as_bytes(), &Limits::default()).unwrap();
        let child = doc.root().children().next().unwrap();
        text_only(&doc, &child, ErrorCode::SignatureMalformed).map(|text| text.into_owned()).map_err(|e| e.code())
    }

    #[test]
    fn text_only_borrows_plain_text_decodes_references_and_refuses_markup() {
        let long = "QUJD".repeat(10_000);
        assert_eq!(first_child_text(&format!("<r><v>{long}</v></r>")).unwrap(), long);
        assert_eq!(first_child_text("<r><v>a &amp; b&#x41;</v></r>").unwrap(), "a & bA");
        assert_eq!(first_child_text("<r><v>line\r\nnext</v></r>").unwrap(), "line\nnext");
        assert_eq!(first_child_text("<r><v></v></r>").unwrap(), "");
        assert_eq!(first_child_text("<r><v>ab<x/>cd</v></r>"), Err(ErrorCode::SignatureMalformed));
        assert_eq!(first_child_text("<r><v>a &amp; <!-- c --></v></r>"), Err(ErrorCode::SignatureMalformed));
    }
}
