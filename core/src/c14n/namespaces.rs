//! Which namespace declarations an element renders, for inclusive and exclusive C14N.

use smallvec::SmallVec;

use crate::xml::scan::short_eq;
use crate::xml::{Document, NO_NS, NsDeclRecord, NsId, XML_NS_ID};

/// A namespace declaration to output: prefix ("" for the default namespace) and namespace.
pub(super) type Declaration<'a> = (&'a str, NsId);

/// The declarations a start tag renders (a few held inline).
pub(super) type Declarations<'a> = SmallVec<[Declaration<'a>; 8]>;

/// The declarations rendered by the output ancestors of the current element, innermost last, with
/// a mark per open element (held inline for the usual depth and count).
#[derive(Default)]
pub(super) struct Rendered<'a> {
    bindings: SmallVec<[Declaration<'a>; 8]>,
    marks: SmallVec<[u32; 16]>,
}

impl<'a> Rendered<'a> {
    /// The namespace the nearest output ancestor rendered for `prefix`; for the default namespace
    /// "nothing rendered" is the same as "no namespace".
    pub fn lookup(&self, prefix: &str) -> Option<NsId> {
        let found = self.bindings.iter().rev().find(|(p, _)| short_eq(p, prefix)).map(|&(_, ns)| ns);
        if prefix.is_empty() { Some(found.unwrap_or(NO_NS)) } else { found }
    }

    /// Opens an element: `declarations` are what it renders.
    pub fn open(&mut self, declarations: &[Declaration<'a>]) {
        self.marks.push(self.bindings.len() as u32);
        self.bindings.extend_from_slice(declarations);
    }

    /// Closes the innermost element.
    pub fn close(&mut self) {
        let mark = self.marks.pop().expect("close matches open");
        self.bindings.truncate(mark as usize);
    }
}

/// The prefixes of an element's own namespace declarations and where they bind.
pub(super) fn own_declarations<'d, 'a>(
    doc: &'d Document<'a>,
    element: u32,
) -> impl Iterator<Item = Declaration<'a>> + 'd {
    doc.own_ns_decls(element).iter().map(|d| declaration(doc, d))
}

/// The prefix and namespace of a declaration record.
pub(super) fn declaration<'a>(doc: &Document<'a>, record: &NsDeclRecord) -> Declaration<'a> {
    (doc.slice(record.prefix_start, record.prefix_start + record.prefix_len), record.ns)
}

/// All namespace bindings in scope at `element` (its own and its ancestors', nearest first per
/// prefix), the `xml` binding excluded.
pub(super) fn in_scope<'a>(doc: &Document<'a>, element: u32, into: &mut Declarations<'a>) {
    let mut current = element;
    while current != crate::xml::NONE {
        for (prefix, ns) in own_declarations(doc, current) {
            if !into.iter().any(|(p, _)| short_eq(p, prefix)) {
                into.push((prefix, ns));
            }
        }
        current = doc.elements[current as usize].parent;
    }
}

/// The declarations an element renders under inclusive C14N 1.0. `apex` is true for the first
/// element of the subset, whose output ancestors are none.
pub(super) fn inclusive<'a>(
    doc: &Document<'a>,
    element: u32,
    apex: bool,
    rendered: &Rendered<'a>,
    out: &mut Declarations<'a>,
) {
    if apex {
        in_scope(doc, element, out);
        out.retain(|&mut (prefix, ns)| !(prefix.is_empty() && ns == NO_NS));
    } else {
        for (prefix, ns) in own_declarations(doc, element) {
            if rendered.lookup(prefix) != Some(ns) {
                out.push((prefix, ns));
            }
        }
    }
}

/// The declarations an element renders under exclusive C14N 1.0: those its name and attributes
/// visibly use, plus the InclusiveNamespaces `prefixes` treated as in inclusive C14N.
pub(super) fn exclusive<'a>(
    doc: &Document<'a>,
    element: u32,
    apex: bool,
    prefixes: &[&str],
    rendered: &Rendered<'a>,
    out: &mut Declarations<'a>,
) {
    let record = &doc.elements[element as usize];
    let consider = |prefix: &'a str, ns: NsId, out: &mut Declarations<'a>| {
        if ns != XML_NS_ID && rendered.lookup(prefix) != Some(ns) && !out.iter().any(|(p, _)| short_eq(p, prefix)) {
            out.push((prefix, ns));
        }
    };
    consider(doc.prefix_of(record), doc.element_ns(element), out);
    for attribute in doc.attribute_records(element) {
        let spans = doc.attribute_spans(attribute);
        if spans.prefix_len > 0 {
            consider(doc.slice(spans.name_start, spans.name_start + spans.prefix_len), attribute.ns, out);
        }
    }
    if prefixes.is_empty() {
        return;
    }
    let listed = |prefix: &str| prefixes.iter().any(|&p| p == prefix || (prefix.is_empty() && p == "#default"));
    let mut candidates = Declarations::new();
    if apex {
        in_scope(doc, element, &mut candidates);
    } else {
        candidates.extend(own_declarations(doc, element));
    }
    for (prefix, ns) in candidates {
        if listed(prefix) {
            consider(prefix, ns, out);
        }
    }
}
