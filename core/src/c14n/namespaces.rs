//! Which namespace declarations an element renders, for inclusive and exclusive C14N.

use crate::xml::scan::short_eq;
use crate::xml::{Document, ElementRecord, NO_NS, NsId, XML_NS_ID};

/// A namespace declaration to output: prefix ("" for the default namespace) and namespace.
pub(super) type Declaration<'a> = (&'a str, NsId);

/// The declarations rendered by the output ancestors of the current element, innermost last, with
/// a mark per open element.
#[derive(Default)]
pub(super) struct Rendered<'a> {
    bindings: Vec<Declaration<'a>>,
    marks: Vec<usize>,
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
        self.marks.push(self.bindings.len());
        self.bindings.extend_from_slice(declarations);
    }

    /// Closes the innermost element.
    pub fn close(&mut self) {
        let mark = self.marks.pop().expect("close matches open");
        self.bindings.truncate(mark);
    }
}

/// The prefixes of an element's own namespace declarations and where they bind.
pub(super) fn own_declarations<'d, 'a>(
    doc: &'d Document<'a>,
    element: &ElementRecord,
) -> impl Iterator<Item = Declaration<'a>> + 'd {
    let first = element.first_ns_decl as usize;
    doc.ns_decls[first..first + usize::from(element.ns_decl_count)]
        .iter()
        .map(|d| (doc.slice(d.prefix_start, d.prefix_start + u32::from(d.prefix_len)), d.ns))
}

/// All namespace bindings in scope at `element` (its own and its ancestors', nearest first per
/// prefix), the `xml` binding excluded.
pub(super) fn in_scope<'a>(doc: &Document<'a>, element: u32, into: &mut Vec<Declaration<'a>>) {
    let mut current = element;
    while current != crate::xml::NONE {
        let record = &doc.elements[current as usize];
        for (prefix, ns) in own_declarations(doc, record) {
            if !into.iter().any(|(p, _)| short_eq(p, prefix)) {
                into.push((prefix, ns));
            }
        }
        current = record.parent;
    }
}

/// The declarations an element renders under inclusive C14N 1.0. `apex` is true for the first
/// element of the subset, whose output ancestors are none.
pub(super) fn inclusive<'a>(
    doc: &Document<'a>,
    element: u32,
    apex: bool,
    rendered: &Rendered<'a>,
    out: &mut Vec<Declaration<'a>>,
) {
    if apex {
        in_scope(doc, element, out);
        out.retain(|&(prefix, ns)| !(prefix.is_empty() && ns == NO_NS));
    } else {
        for (prefix, ns) in own_declarations(doc, &doc.elements[element as usize]) {
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
    out: &mut Vec<Declaration<'a>>,
) {
    let record = &doc.elements[element as usize];
    let consider = |prefix: &'a str, ns: NsId, out: &mut Vec<Declaration<'a>>| {
        if ns != XML_NS_ID && rendered.lookup(prefix) != Some(ns) && !out.iter().any(|(p, _)| short_eq(p, prefix)) {
            out.push((prefix, ns));
        }
    };
    let qname = doc.slice(record.start + 1, record.start + 1 + u32::from(record.name_len));
    consider(&qname[..usize::from(record.prefix_len)], record.ns, out);
    let first = record.first_attr as usize;
    for attribute in &doc.attributes[first..first + usize::from(record.attr_count)] {
        if attribute.prefix_len > 0 {
            let prefix = doc.slice(attribute.name_start, attribute.name_start + u32::from(attribute.prefix_len));
            consider(prefix, attribute.ns, out);
        }
    }
    if prefixes.is_empty() {
        return;
    }
    let listed = |prefix: &str| prefixes.iter().any(|&p| p == prefix || (prefix.is_empty() && p == "#default"));
    let mut candidates = Vec::new();
    if apex {
        in_scope(doc, element, &mut candidates);
    } else {
        candidates.extend(own_declarations(doc, record));
    }
    for (prefix, ns) in candidates {
        if listed(prefix) {
            consider(prefix, ns, out);
        }
    }
}
