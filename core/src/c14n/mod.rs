//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, with and without comments, of a
//! whole document or of an element as an XML-DSig same-document reference selects it (the element,
//! its attributes, namespace context and descendants).
//!
//! The canonicalizer walks the index of a [`Document`] and streams into any [`Sink`]: runs of
//! input that are already canonical are passed on as they are, so the common case costs little
//! more than the hash of the bytes.

mod escape;
mod namespaces;
mod output;
#[cfg(test)]
mod subtree_tests;

use std::cmp::Ordering;
use std::fmt;

use crate::ErrorCode;
use crate::xml::scan::{short_cmp, short_eq};
use crate::xml::{AttributeSpans, Document, ElementId, ElementRecord, NO_NS, Node, NodeKind, NsId, XML_NS_ID, flags};
use escape::Context;
use namespaces::{Declarations, Rendered};
use output::{Output, SpareBytes};
use smallvec::SmallVec;

/// The canonicalization algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Exclusive XML Canonicalization 1.0 (`http://www.w3.org/2001/10/xml-exc-c14n#`).
    Exclusive,
    /// Canonical XML 1.0 (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`).
    Inclusive,
}

/// How to canonicalize.
#[derive(Clone, Copy, Debug)]
pub struct C14nOptions<'p> {
    /// Exclusive or inclusive C14N.
    pub algorithm: Algorithm,
    /// Keep comments (the `#WithComments` variants).
    pub with_comments: bool,
    /// The InclusiveNamespaces PrefixList of exclusive C14N (`#default` names the default
    /// namespace); ignored by inclusive C14N.
    pub inclusive_prefixes: &'p [&'p str],
}

impl Default for C14nOptions<'_> {
    fn default() -> Self {
        Self { algorithm: Algorithm::Exclusive, with_comments: false, inclusive_prefixes: &[] }
    }
}

/// What to canonicalize.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subset {
    /// The whole document (comments and PIs outside the root included, with their line breaks).
    Document,
    /// One element and its descendants, as a same-document reference `#Id` selects it.
    Element(ElementId),
}

/// Where canonical bytes go: a buffer, a hasher, anything that takes bytes in order.
pub trait Sink {
    /// Takes the next bytes of output.
    fn write(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn write(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for aws_lc_rs::digest::Context {
    fn write(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Why a document cannot be canonicalized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct C14nError {
    message: String,
}

impl C14nError {
    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        ErrorCode::C14nUnsupported
    }
}

impl fmt::Display for C14nError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot canonicalize: {}", self.message)
    }
}

impl std::error::Error for C14nError {}

/// Writes the canonical form of `subset` of `doc` into `sink`.
pub fn canonicalize<S: Sink + ?Sized>(
    doc: &Document<'_>,
    subset: Subset,
    options: &C14nOptions<'_>,
    sink: &mut S,
) -> Result<(), C14nError> {
    check_namespace_names(doc, subset, options)?;
    Walker::new(doc, options, Output::new(sink, doc.input(), subset_len(doc, subset)), None).write(subset);
    Ok(())
}

/// An attribute a writer is about to insert into the start tag of the element it canonicalizes
/// (a `wsu:Id` on a part it signs), with the declaration of its prefix when the element's scope
/// lacks one. Digesting the element as if it carried the attribute spares parsing the spliced
/// document again.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PlannedAttribute<'x> {
    /// The prefix; never empty (an unprefixed attribute has no namespace).
    pub prefix: &'x str,
    /// The namespace the prefix is bound to.
    pub namespace: &'x str,
    pub local_name: &'x str,
    /// The value, canonical as it is (no character that C14N escapes).
    pub value: &'x str,
}

/// Writes the exclusive canonical form (no InclusiveNamespaces) of `element` as it will be once
/// `planned` is inserted into its start tag, which must not carry that attribute yet.
pub(crate) fn canonicalize_with_planned<S: Sink + ?Sized>(
    doc: &Document<'_>,
    element: ElementId,
    planned: PlannedAttribute<'_>,
    sink: &mut S,
) -> Result<(), C14nError> {
    let options = C14nOptions::default();
    check_namespace_names(doc, Subset::Element(element), &options)?;
    let namespace = doc.namespace_id(planned.namespace).unwrap_or(PLANNED_NS);
    let out = Output::new(sink, doc.input(), subset_len(doc, Subset::Element(element)) + 256);
    Walker::new(doc, &options, out, Some((planned, namespace))).write(Subset::Element(element));
    Ok(())
}

/// The namespace of a planned attribute that no declaration of the document names.
const PLANNED_NS: NsId = NsId::MAX - 1;

/// The input length of a subset: about the size of its canonical form.
fn subset_len(doc: &Document<'_>, subset: Subset) -> usize {
    match subset {
        Subset::Document => doc.input().len(),
        Subset::Element(element) => doc.element(element).span().len(),
    }
}

/// Canonicalizes into a new buffer.
pub fn canonicalize_to_vec(
    doc: &Document<'_>,
    subset: Subset,
    options: &C14nOptions<'_>,
) -> Result<Vec<u8>, C14nError> {
    let size = subset_len(doc, subset);
    let mut out = Vec::with_capacity(size + size / 8);
    canonicalize(doc, subset, options, &mut out)?;
    Ok(out)
}

thread_local! {
    static SPARE_CANONICAL: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Canonicalizes into the thread's spare buffer (a SignedInfo to verify), which goes back to the
/// thread when the result is dropped.
pub(crate) fn canonicalize_to_spare(
    doc: &Document<'_>,
    subset: Subset,
    options: &C14nOptions<'_>,
) -> Result<SpareBytes, C14nError> {
    let size = subset_len(doc, subset);
    let mut out = SpareBytes::take(&SPARE_CANONICAL, size + size / 8);
    canonicalize(doc, subset, options, &mut *out)?;
    Ok(out)
}

/// C14N 1.0 is undefined for relative namespace URIs; like libxml2 (and so xmlsec) we refuse
/// them: for exclusive C14N of an element, those in scope at or inside it; otherwise any.
fn check_namespace_names(doc: &Document<'_>, subset: Subset, options: &C14nOptions<'_>) -> Result<(), C14nError> {
    if doc.namespaces_all_absolute() {
        return Ok(());
    }
    let relative = |ns: NsId| !doc.namespace_is_absolute(ns);
    let offending = match (subset, options.algorithm) {
        (Subset::Element(element), Algorithm::Exclusive) => {
            let apex = element.index() as u32;
            let mut scope = Declarations::new();
            namespaces::in_scope(doc, apex, &mut scope);
            let inside = doc.ns_decls_of(apex, doc.subtree_end(apex)).iter().map(|d| namespaces::declaration(doc, d));
            scope.into_iter().chain(inside).find(|&(_, ns)| relative(ns))
        }
        _ => doc.ns_decls.iter().find(|d| relative(d.ns)).map(|d| ("", d.ns)),
    };
    match offending {
        Some((_, ns)) => {
            Err(C14nError { message: format!("namespace name '{}' is not an absolute URI", doc.namespace(ns)) })
        }
        None => Ok(()),
    }
}

/// One attribute to output: its spans in the input, namespace and local name (the sort key).
struct OutAttribute<'a> {
    ns: NsId,
    local: &'a str,
    spans: AttributeSpans,
    /// The planned attribute (its name and value are not in the input).
    planned: bool,
}

struct Walker<'d, 'a, 'o, 's, S: Sink + ?Sized> {
    doc: &'d Document<'a>,
    options: &'o C14nOptions<'o>,
    out: Output<'s, 'a, S>,
    rendered: Rendered<'a>,
    /// Scratch space for one element's declarations and attributes (a few held inline).
    declarations: Declarations<'a>,
    attributes: SmallVec<[OutAttribute<'a>; 8]>,
    /// An attribute the apex is to get, and its namespace's index.
    planned: Option<(PlannedAttribute<'a>, NsId)>,
    /// Copy an element the index marks canonical as written as runs between the start tags it
    /// rewrites (always, but in the tests that compare it with the node-by-node walk).
    copy_subtrees: bool,
}

impl<'d, 'a, 'o, 's, S: Sink + ?Sized> Walker<'d, 'a, 'o, 's, S> {
    fn new(
        doc: &'d Document<'a>,
        options: &'o C14nOptions<'o>,
        out: Output<'s, 'a, S>,
        planned: Option<(PlannedAttribute<'a>, NsId)>,
    ) -> Self {
        let (rendered, declarations, attributes) = Default::default();
        Self { doc, options, out, rendered, declarations, attributes, planned, copy_subtrees: true }
    }

    /// Writes `subset` and everything held back.
    fn write(mut self, subset: Subset) {
        match subset {
            Subset::Element(element) => self.subtree(element.index() as u32),
            Subset::Document => self.document(),
        }
        self.out.finish();
    }

    fn document(&mut self) {
        let misc = &self.doc.misc;
        let root = &self.doc.elements[0];
        let (before_root, after_root) =
            (misc.partition_point(|m| m.start < root.start), misc.partition_point(|m| m.start < root.end));
        for node in &misc[..before_root] {
            if self.misc_node(node.kind, node.start, node.end, node.flags) {
                self.out.emit(b"\n");
            }
        }
        self.subtree(0);
        for node in &misc[after_root..] {
            if self.wants(node.kind) {
                self.out.emit(b"\n");
                self.misc_node(node.kind, node.start, node.end, node.flags);
            }
        }
    }

    fn wants(&self, kind: NodeKind) -> bool {
        kind != NodeKind::Comment || self.options.with_comments
    }

    /// Writes the subtree of `apex`.
    fn subtree(&mut self, apex: u32) {
        let doc = self.doc;
        let walk = if self.copy_subtrees { doc.walk(apex).copying_canonical_subtrees() } else { doc.walk(apex) };
        for node in walk {
            match node.kind {
                NodeKind::CanonicalSubtree => {
                    debug_assert!(self.renders_nothing(node.element, &doc.elements[node.element as usize]));
                    self.canonical_subtree(node.element, node.end);
                }
                NodeKind::Start => self.start_tag(node.element, node.end, node.element == apex),
                NodeKind::End => self.end_tag(&node),
                NodeKind::Text => self.character_data(&node, Context::Text),
                NodeKind::CData => self.character_data(&node, Context::CData),
                NodeKind::Comment | NodeKind::Pi => {
                    self.misc_node(node.kind, node.start, node.end, node.flags);
                }
            }
        }
    }

    /// Writes an element marked canonical as written ([`NodeKind::CanonicalSubtree`]), ending at
    /// `end`: its span, with the start tags that are not canonical as written (attribute order,
    /// quoting, layout, values) written anew and each `<a .../>` given its end tag. None renders a
    /// namespace declaration.
    fn canonical_subtree(&mut self, element: u32, end: u32) {
        let doc = self.doc;
        let elements = &doc.elements;
        let mut copied = elements[element as usize].start;
        let mut id = element as usize;
        loop {
            // The next start tag to write anew: one not flagged as written canonically.
            while elements.get(id).is_some_and(|r| r.start < end && r.has(flags::TAG_VERBATIM)) {
                id += 1;
            }
            let Some(record) = elements.get(id).filter(|r| r.start < end) else { break };
            self.out.copy(copied as usize, doc.name_end(record) as usize);
            self.subtree_attributes(id as u32);
            if doc.is_empty_element(record) {
                self.write_end_tag(b"></", record);
                copied = record.end;
            } else {
                self.out.emit(b">");
                copied = doc.tag_end(id as u32);
            }
            id += 1;
        }
        self.out.copy(copied as usize, end as usize);
    }

    /// Writes a text or CDATA node: copied when already canonical, rewritten otherwise.
    fn character_data(&mut self, node: &Node, context: Context) {
        let (start, end) = (node.start as usize, node.end as usize);
        if node.flags & flags::NEEDS_WORK == 0 {
            self.out.copy(start, end);
        } else {
            escape::write_raw(&mut self.out, self.doc.as_str(), start, end, context);
        }
    }

    /// Writes a comment or processing instruction; returns false for a comment left out.
    fn misc_node(&mut self, kind: NodeKind, start: u32, end: u32, node_flags: u8) -> bool {
        if !self.wants(kind) {
            return false;
        }
        let (start, end) = (start as usize, end as usize);
        if node_flags & flags::NEEDS_WORK == 0 {
            self.out.copy(start, end);
        } else if kind == NodeKind::Comment {
            escape::write_raw(&mut self.out, self.doc.as_str(), start, end, Context::Markup);
        } else {
            let inner = &self.doc.as_str()[start + 2..end - 2];
            let target_len = inner.bytes().position(crate::xml::scan::is_space).unwrap_or(inner.len());
            let data_offset =
                inner[target_len..].bytes().position(|b| !crate::xml::scan::is_space(b)).map(|i| target_len + i);
            self.out.copy(start, start + 2 + target_len);
            if let Some(data) = data_offset {
                self.out.emit(b" ");
                escape::write_raw(&mut self.out, self.doc.as_str(), start + 2 + data, end - 2, Context::Markup);
            }
            self.out.emit(b"?>");
        }
        true
    }

    fn start_tag(&mut self, element: u32, tag_end: u32, apex: bool) {
        let doc = self.doc;
        let record = &doc.elements[element as usize];
        if !apex && record.has(flags::TAG_VERBATIM) && self.renders_nothing(element, record) {
            self.rendered.open(&[]);
            self.out.copy(record.start as usize, tag_end as usize);
            return;
        }
        let declarations = &mut self.declarations;
        declarations.clear();
        let prefixes = self.options.inclusive_prefixes;
        match self.options.algorithm {
            Algorithm::Inclusive => namespaces::inclusive(doc, element, apex, &self.rendered, declarations),
            Algorithm::Exclusive => namespaces::exclusive(doc, element, apex, prefixes, &self.rendered, declarations),
        }
        if let Some((planned, ns)) = self.planned.filter(|_| apex)
            && !declarations.iter().any(|&(prefix, _)| short_eq(prefix, planned.prefix))
        {
            declarations.push((planned.prefix, ns));
        }
        declarations.sort_unstable_by(|a, b| short_cmp(a.0, b.0));

        let name_end = doc.name_end(record);
        self.out.copy(record.start as usize, name_end as usize);
        for &(prefix, ns) in &self.declarations {
            if prefix.is_empty() {
                self.out.emit(b" xmlns=\"");
            } else {
                self.out.emit(b" xmlns:");
                self.out.emit(prefix.as_bytes());
                self.out.emit(b"=\"");
            }
            escape::write_attribute_text(&mut self.out, namespace_name(doc, self.planned, ns));
            self.out.emit(b"\"");
        }
        self.rendered.open(&self.declarations);
        self.attributes(element, apex);
        self.out.emit(b">");
    }

    /// True when a descendant element with no declarations of its own needs none rendered: under
    /// exclusive C14N, every prefix it visibly uses is already rendered with its namespace.
    fn renders_nothing(&self, element: u32, record: &ElementRecord) -> bool {
        if self.options.algorithm == Algorithm::Inclusive {
            return true;
        }
        let doc = self.doc;
        let ns = doc.element_ns(element);
        if self.rendered.lookup(doc.prefix_of(record)) != Some(ns) && ns != XML_NS_ID {
            return false;
        }
        doc.attribute_records(element).iter().all(|a| {
            let spans = doc.attribute_spans(a);
            spans.prefix_len == 0 || a.ns == XML_NS_ID || {
                let prefix = doc.slice(spans.name_start, spans.name_start + spans.prefix_len);
                self.rendered.lookup(prefix) == Some(a.ns)
            }
        })
    }

    /// Writes the attributes of `element` in canonical order, with the planned one on the apex;
    /// under inclusive C14N the apex also gets the `xml:*` attributes of its ancestors that it
    /// does not carry itself (C14N 1.0, 2.4).
    fn attributes(&mut self, element: u32, apex: bool) {
        let doc = self.doc;
        let inherit_xml = apex && self.options.algorithm == Algorithm::Inclusive;
        let attributes = &mut self.attributes;
        attributes.clear();
        let mut current = element;
        loop {
            let record = &doc.elements[current as usize];
            for a in doc.attribute_records(current) {
                let spans = doc.attribute_spans(a);
                let local = local_name(doc, &spans);
                let inherited = current != element;
                if inherited
                    && (a.ns != XML_NS_ID || attributes.iter().any(|o| o.ns == XML_NS_ID && short_eq(o.local, local)))
                {
                    continue;
                }
                attributes.push(OutAttribute { ns: a.ns, local, spans, planned: false });
            }
            if let Some((planned, ns)) = self.planned.filter(|_| apex && current == element) {
                let spans = AttributeSpans::default();
                attributes.push(OutAttribute { ns, local: planned.local_name, spans, planned: true });
            }
            if !inherit_xml || record.parent == crate::xml::NONE {
                break;
            }
            current = record.parent;
        }
        let planned = self.planned;
        let namespace = |ns| namespace_name(doc, planned, ns);
        sort_attributes(attributes, |a, b| attribute_order((a.ns, a.local), (b.ns, b.local), namespace).is_lt());
        for a in &self.attributes {
            match self.planned.filter(|_| a.planned) {
                Some((planned, _)) => {
                    for piece in [" ", planned.prefix, ":", planned.local_name, "=\"", planned.value, "\""] {
                        self.out.emit(piece.as_bytes());
                    }
                }
                None => write_attribute(&mut self.out, doc, &a.spans),
            }
        }
    }

    /// Writes the attributes of a start tag inside a marked subtree in canonical order: nothing is
    /// inherited or planned there, so up to [`STACKED_ATTRIBUTES`] are sorted on the stack.
    fn subtree_attributes(&mut self, element: u32) {
        let doc = self.doc;
        let records = doc.attribute_records(element);
        if records.is_empty() {
            return;
        }
        if records.len() > STACKED_ATTRIBUTES {
            return self.attributes(element, false);
        }
        let mut few = [(NO_NS, AttributeSpans::default()); STACKED_ATTRIBUTES];
        for (slot, record) in few.iter_mut().zip(records) {
            *slot = (record.ns, doc.attribute_spans(record));
        }
        // Sorted by index: swapping a byte is cheaper than swapping spans.
        let mut order: [u8; STACKED_ATTRIBUTES] = std::array::from_fn(|i| i as u8);
        let order = &mut order[..records.len()];
        let planned = self.planned;
        let namespace = |ns| namespace_name(doc, planned, ns);
        let key = |i: u8| {
            let (ns, spans) = &few[usize::from(i)];
            (*ns, local_name(doc, spans))
        };
        sort_attributes(order, |&a, &b| attribute_order(key(a), key(b), namespace).is_lt());
        for &i in order.iter() {
            write_attribute(&mut self.out, doc, &few[usize::from(i)].1);
        }
    }

    fn end_tag(&mut self, node: &Node) {
        self.rendered.close();
        let record = &self.doc.elements[node.element as usize];
        let (name_start, name_end) = (record.start + 1, self.doc.name_end(record));
        if node.end - node.start == name_end - name_start + 3 {
            // `</qname>` exactly (the End node of `<a/>` is empty).
            self.out.copy(node.start as usize, node.end as usize);
        } else {
            self.write_end_tag(b"</", record);
        }
    }

    /// Writes `</qname>` for an element whose end tag is not written that way (`<a/>`, spaces),
    /// after `opening` (`</`, or `></` that also closes the start tag of `<a/>`).
    fn write_end_tag(&mut self, opening: &[u8], record: &ElementRecord) {
        self.out.emit(opening);
        self.out.copy(record.start as usize + 1, self.doc.name_end(record) as usize);
        self.out.emit(b">");
    }
}

/// Writes one attribute of the input: ` qname="value"` as written when that is canonical, else
/// its name and its value rewritten.
#[inline]
fn write_attribute<S: Sink + ?Sized>(out: &mut Output<'_, '_, S>, doc: &Document<'_>, a: &AttributeSpans) {
    let (start, end) = (a.name_start as usize, a.value_end as usize);
    let plain = !a.value_needs_work;
    if plain && is_canonical_attribute(doc.input(), start, a.name_end as usize, a.value_start as usize) {
        // ` qname="value"` as written: one run.
        out.copy(start - 1, end + 1);
        return;
    }
    out.emit(b" ");
    out.copy(start, a.name_end as usize);
    out.emit(b"=\"");
    if plain {
        out.copy(a.value_start as usize, end);
    } else {
        escape::write_raw(out, doc.as_str(), a.value_start as usize, end, Context::Attribute);
    }
    out.emit(b"\"");
}

/// The name of a namespace of the document or of the planned attribute.
fn namespace_name<'d>(doc: &'d Document<'_>, planned: Option<(PlannedAttribute<'d>, NsId)>, ns: NsId) -> &'d str {
    match planned {
        Some((planned, id)) if ns == id => planned.namespace,
        _ => doc.namespace(ns),
    }
}

/// Whether the attribute whose name spans `name_start..name_end` and whose value starts at
/// `value_start` is written ` qname="` (one space before it, no space around `=`, double quotes),
/// so that its canonical form, with a value that needs no work, is its bytes as written.
#[inline]
fn is_canonical_attribute(input: &[u8], name_start: usize, name_end: usize, value_start: usize) -> bool {
    value_start == name_end + 2 && input[name_end + 1] == b'"' && input[name_start - 1] == b' '
}

/// The local name of an attribute of the input.
#[inline]
fn local_name<'a>(doc: &Document<'a>, spans: &AttributeSpans) -> &'a str {
    let prefix = if spans.prefix_len == 0 { 0 } else { spans.prefix_len + 1 };
    doc.slice(spans.name_start + prefix, spans.name_end)
}

/// The order of two attributes, as (namespace, local name), in a canonical start tag (C14N 1.0,
/// section 2.2): those in no namespace first, by local name; then by namespace name, then local
/// name. `namespace` names a namespace.
#[inline]
fn attribute_order<'n>(a: (NsId, &str), b: (NsId, &str), namespace: impl Fn(NsId) -> &'n str) -> Ordering {
    if a.0 == b.0 {
        short_cmp(a.1, b.1)
    } else if a.0 == NO_NS {
        Ordering::Less
    } else if b.0 == NO_NS {
        Ordering::Greater
    } else {
        namespace(a.0).cmp(namespace(b.0)).then_with(|| short_cmp(a.1, b.1))
    }
}

/// Sorts the attributes of one start tag by `less`: by insertion, which for the usual few costs a
/// comparison or a swap each, and by the library's sort past [`FEW_ATTRIBUTES`].
#[inline]
fn sort_attributes<T>(attributes: &mut [T], less: impl Fn(&T, &T) -> bool) {
    if attributes.len() > FEW_ATTRIBUTES {
        attributes.sort_unstable_by(|a, b| {
            if less(a, b) {
                Ordering::Less
            } else if less(b, a) {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        });
        return;
    }
    for sorted in 1..attributes.len() {
        let mut at = sorted;
        while at > 0 && less(&attributes[at], &attributes[at - 1]) {
            attributes.swap(at, at - 1);
            at -= 1;
        }
    }
}

/// Up to this many attributes, [`sort_attributes`] sorts by insertion.
const FEW_ATTRIBUTES: usize = 8;

/// Up to this many attributes, a start tag in a marked subtree is sorted on the stack.
const STACKED_ATTRIBUTES: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Limits, WSU_NS};

    /// Canonicalizing `before`'s element `name` with an attribute planned equals canonicalizing
    /// `after`, the same document with the attribute written in.
    fn planned_matches_written(before: &str, after: &str, name: &str, prefix: &str) {
        let find = |doc: &Document<'_>| {
            doc.elements_starting_in(0..doc.input().len()).find(|e| e.local_name() == name).expect("the element").id()
        };
        let doc = Document::parse(before.as_bytes(), &Limits::default()).unwrap();
        let planned = PlannedAttribute { prefix, namespace: WSU_NS, local_name: "Id", value: "id-1" };
        let mut ours = Vec::new();
        canonicalize_with_planned(&doc, find(&doc), planned, &mut ours).unwrap();
        let written = Document::parse(after.as_bytes(), &Limits::default()).unwrap();
        let expected = canonicalize_to_vec(&written, Subset::Element(find(&written)), &C14nOptions::default()).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(expected).unwrap());
    }

    #[test]
    fn a_planned_attribute_canonicalizes_as_if_written() {
        let u = WSU_NS;
        // The prefix declared with the attribute; attributes of namespaces sorting before and after.
        planned_matches_written(
            r#"<s:E xmlns:s="urn:s"><s:B b="1" xmlns:a="http://a" a:x="2" xmlns:z="zz:z" z:y="3"><c u="1"/></s:B></s:E>"#,
            &format!(
                r#"<s:E xmlns:s="urn:s"><s:B wsu:Id="id-1" xmlns:wsu="{u}" b="1" xmlns:a="http://a" a:x="2" xmlns:z="zz:z" z:y="3"><c u="1"/></s:B></s:E>"#
            ),
            "B",
            "wsu",
        );
        // The prefix bound by an ancestor, and used again inside.
        planned_matches_written(
            &format!(r#"<s:E xmlns:s="urn:s" xmlns:u="{u}"><s:B><u:T u:Id="t"/>text</s:B></s:E>"#),
            &format!(r#"<s:E xmlns:s="urn:s" xmlns:u="{u}"><s:B u:Id="id-1"><u:T u:Id="t"/>text</s:B></s:E>"#),
            "B",
            "u",
        );
        // An element of the attribute's namespace, with the default namespace in scope.
        planned_matches_written(
            &format!(r#"<E xmlns="urn:d"><wsu:B xmlns:wsu="{u}" Other="x"><F/></wsu:B></E>"#),
            &format!(r#"<E xmlns="urn:d"><wsu:B xmlns:wsu="{u}" wsu:Id="id-1" Other="x"><F/></wsu:B></E>"#),
            "B",
            "wsu",
        );
    }
}
