//! The XML index: one pass of quick-xml over the input builds compact tables of byte spans that
//! borrow from it. Nothing is copied except namespace names and Id values that contain references.
//!
//! The index is what every later stage works from: canonicalization reads spans from it, the
//! profiles look elements up by position, QName and Id.

mod error;
mod parse;
pub(crate) mod scan;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

pub use error::{XmlError, XmlErrorKind};

/// The namespace of `xml:` attributes, bound in every document.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// The WS-Security utility namespace (`wsu:Id`, `wsu:Timestamp`).
pub const WSU_NS: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// Bounds on the work one document may cause. Exceeding one is an [`XmlErrorKind::LimitExceeded`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes (at most 4 GiB - 1).
    pub max_size: usize,
    /// Deepest element nesting; the root is at depth 1.
    pub max_depth: usize,
    /// Most attributes on one element, namespace declarations included (at most 65,535).
    pub max_attributes: usize,
    /// Longest run of character data between two pieces of markup, in bytes.
    pub max_text_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_size: 64 << 20, max_depth: 100, max_attributes: 64, max_text_len: 64 << 20 }
    }
}

/// An element of a [`Document`], by its position in document order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementId(u32);

impl ElementId {
    /// The element's position in document order (the root is 0).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a namespace name in [`Document::namespaces`]; 0 is "no namespace", 1 is [`XML_NS`].
pub(crate) type NsId = u32;
pub(crate) const NO_NS: NsId = 0;
pub(crate) const XML_NS_ID: NsId = 1;
/// Marks "no parent" and "no element" in the tables.
pub(crate) const NONE: u32 = u32::MAX;

pub(crate) mod flags {
    /// The start tag is `<qname a="v" ...>` exactly, attributes in canonical order with values
    /// that need no rewriting, and no namespace declarations.
    pub const TAG_VERBATIM: u8 = 1;
    /// The end tag is `</qname>` exactly.
    pub const END_VERBATIM: u8 = 2;
    /// The element was written `<a/>`.
    pub const EMPTY: u8 = 4;
    /// A text, CDATA, comment or PI node whose raw bytes are not already canonical.
    pub const NEEDS_WORK: u8 = 8;
    /// An attribute value that needs rewriting to be canonical.
    pub const VALUE_NEEDS_WORK: u8 = 16;
}

#[derive(Clone, Debug)]
pub(crate) struct ElementRecord {
    /// Offset of `<` of the start tag.
    pub start: u32,
    /// Offset just after the start tag's `>`.
    pub tag_end: u32,
    /// Offset just after the end tag's `>` (equals `tag_end` for `<a/>`).
    pub end: u32,
    pub parent: u32,
    /// First element after this one's subtree, in document order.
    pub subtree_end: u32,
    pub first_attr: u32,
    pub first_ns_decl: u32,
    /// Node indices of the start and end of this element in [`Document::nodes`].
    pub start_node: u32,
    pub end_node: u32,
    pub ns: NsId,
    pub name_len: u16,
    pub prefix_len: u16,
    pub attr_count: u16,
    pub ns_decl_count: u16,
    pub flags: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Start,
    End,
    /// Character data; the span is raw text that may contain references.
    Text,
    /// The span is the inside of `<![CDATA[...]]>`.
    CData,
    /// The span is the whole `<!--...-->`.
    Comment,
    /// The span is the whole `<?...?>`.
    Pi,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub flags: u8,
    pub start: u32,
    pub end: u32,
    /// For Start and End: the element; [`NONE`] otherwise.
    pub element: u32,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct AttributeRecord {
    pub name_start: u32,
    pub value_start: u32,
    pub value_len: u32,
    pub ns: NsId,
    pub name_len: u16,
    pub prefix_len: u16,
    pub flags: u8,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct NsDeclRecord {
    /// Offset and length of the declared prefix; length 0 declares the default namespace.
    pub prefix_start: u32,
    pub prefix_len: u16,
    pub ns: NsId,
}

/// A parsed, indexed XML document that borrows its input.
#[derive(Debug)]
pub struct Document<'a> {
    text: &'a str,
    pub(crate) elements: Vec<ElementRecord>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) attributes: Vec<AttributeRecord>,
    pub(crate) ns_decls: Vec<NsDeclRecord>,
    namespaces: Vec<Cow<'a, str>>,
    /// Per namespace: whether its name is an absolute URI.
    namespace_absolute: Vec<bool>,
    ids: HashMap<Cow<'a, str>, ElementId>,
}

impl<'a> Document<'a> {
    /// Parses and indexes `input`, enforcing `limits` and the rules in [`XmlErrorKind`].
    pub fn parse(input: &'a [u8], limits: &Limits) -> Result<Self, XmlError> {
        parse::parse(input, limits)
    }

    /// The input bytes.
    pub fn input(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The input as text (it was checked to be UTF-8).
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The root element.
    pub fn root(&self) -> Element<'_, 'a> {
        self.element(ElementId(0))
    }

    /// The element with this id.
    ///
    /// # Panics
    /// If `id` does not come from this document.
    pub fn element(&self, id: ElementId) -> Element<'_, 'a> {
        Element { doc: self, id, record: &self.elements[id.index()] }
    }

    /// The number of elements.
    pub fn element_count(&self) -> usize {
        self.elements.len()
    }

    /// The element carrying `wsu:Id`, `Id`, `ID` or `xml:id` equal to `id` (values are unique).
    pub fn element_by_id(&self, id: &str) -> Option<ElementId> {
        self.ids.get(id).copied()
    }

    /// The element whose start tag begins at byte `offset`.
    pub fn element_at(&self, offset: usize) -> Option<ElementId> {
        let index = self.elements.partition_point(|e| (e.start as usize) < offset);
        self.elements.get(index).filter(|e| e.start as usize == offset).map(|_| ElementId(index as u32))
    }

    /// The elements whose start tags begin inside `range`, in document order.
    pub fn elements_starting_in(&self, range: Range<usize>) -> impl Iterator<Item = Element<'_, 'a>> {
        let first = self.elements.partition_point(|e| (e.start as usize) < range.start);
        let end = self.elements.partition_point(|e| (e.start as usize) < range.end);
        (first..end).map(|index| self.element(ElementId(index as u32)))
    }

    /// The namespace name with this index.
    pub(crate) fn namespace(&self, ns: NsId) -> &str {
        &self.namespaces[ns as usize]
    }

    /// Whether this namespace name is an absolute URI.
    pub(crate) fn namespace_is_absolute(&self, ns: NsId) -> bool {
        self.namespace_absolute[ns as usize]
    }

    /// The input between two offsets of the index.
    pub(crate) fn slice(&self, start: u32, end: u32) -> &'a str {
        &self.text[start as usize..end as usize]
    }
}

/// A view of one element.
#[derive(Clone, Copy, Debug)]
pub struct Element<'d, 'a> {
    doc: &'d Document<'a>,
    id: ElementId,
    record: &'d ElementRecord,
}

impl<'d, 'a> Element<'d, 'a> {
    /// This element's id.
    pub fn id(&self) -> ElementId {
        self.id
    }

    /// The qualified name as written, such as `soap:Body`.
    pub fn qname(&self) -> &'a str {
        let start = self.record.start + 1;
        self.doc.slice(start, start + u32::from(self.record.name_len))
    }

    /// The prefix, empty when there is none.
    pub fn prefix(&self) -> &'a str {
        &self.qname()[..usize::from(self.record.prefix_len)]
    }

    /// The local name.
    pub fn local_name(&self) -> &'a str {
        let qname = self.qname();
        match self.record.prefix_len {
            0 => qname,
            n => &qname[usize::from(n) + 1..],
        }
    }

    /// The namespace name, empty for no namespace.
    pub fn namespace(&self) -> &'d str {
        self.doc.namespace(self.record.ns)
    }

    /// True when this element has this expanded name.
    pub fn is(&self, namespace: &str, local_name: &str) -> bool {
        self.local_name() == local_name && self.namespace() == namespace
    }

    /// The bytes from `<` of the start tag to `>` of the end tag.
    pub fn span(&self) -> Range<usize> {
        self.record.start as usize..self.record.end as usize
    }

    /// The bytes between the start and the end tag (empty for `<a/>`).
    pub fn content_span(&self) -> Range<usize> {
        let end_tag_start = if self.record.flags & flags::EMPTY != 0 {
            self.record.tag_end
        } else {
            self.doc.nodes[self.record.end_node as usize].start
        };
        self.record.tag_end as usize..end_tag_start as usize
    }

    /// The parent element; `None` for the root.
    pub fn parent(&self) -> Option<Element<'d, 'a>> {
        (self.record.parent != NONE).then(|| self.doc.element(ElementId(self.record.parent)))
    }

    /// Depth in the tree: 1 for the root.
    pub fn depth(&self) -> usize {
        std::iter::successors(Some(*self), Element::parent).count()
    }

    /// The child elements, in document order.
    pub fn children(&self) -> Children<'d, 'a> {
        Children { doc: self.doc, next: self.id.0 + 1, end: self.record.subtree_end }
    }

    /// True when `other` is this element or inside it.
    pub fn contains(&self, other: ElementId) -> bool {
        (self.id.0..self.record.subtree_end).contains(&other.0)
    }

    /// The attributes (namespace declarations excluded), in document order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'d, 'a>> + use<'d, 'a> {
        let doc = self.doc;
        let first = self.record.first_attr as usize;
        doc.attributes[first..first + usize::from(self.record.attr_count)]
            .iter()
            .map(move |record| Attribute { doc, record })
    }

    /// The attribute with this expanded name (namespace "" for unqualified attributes).
    pub fn attribute(&self, namespace: &str, local_name: &str) -> Option<Attribute<'d, 'a>> {
        self.attributes().find(|a| a.local_name() == local_name && a.namespace() == namespace)
    }

    /// The namespace name bound to `prefix` ("" for the default namespace) in this element's
    /// scope, or `None` when the prefix is not declared (the default namespace is then empty).
    pub fn lookup_namespace(&self, prefix: &str) -> Option<&'d str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        std::iter::successors(Some(*self), Element::parent).find_map(|element| {
            let first = element.record.first_ns_decl as usize;
            self.doc.ns_decls[first..first + usize::from(element.record.ns_decl_count)]
                .iter()
                .find(|d| self.doc.slice(d.prefix_start, d.prefix_start + u32::from(d.prefix_len)) == prefix)
                .map(|d| self.doc.namespace(d.ns))
        })
    }

    /// All character data inside this element (text and CDATA of every descendant, references
    /// expanded, line ends normalized), concatenated. Comments do not split the result.
    pub fn text(&self) -> Cow<'a, str> {
        let nodes = &self.doc.nodes[self.record.start_node as usize..=self.record.end_node as usize];
        let mut pieces = nodes.iter().filter(|n| matches!(n.kind, NodeKind::Text | NodeKind::CData));
        let decode = |n: &Node| scan::decode(self.doc.slice(n.start, n.end), false);
        match (pieces.next(), pieces.clone().next()) {
            (None, _) => Cow::Borrowed(""),
            (Some(only), None) => decode(only),
            (Some(first), Some(_)) => {
                let mut all = decode(first).into_owned();
                pieces.for_each(|n| all.push_str(&decode(n)));
                Cow::Owned(all)
            }
        }
    }
}

/// Iterator over the child elements of an element.
#[derive(Clone, Debug)]
pub struct Children<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    end: u32,
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Element<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        (self.next < self.end).then(|| {
            let child = self.doc.element(ElementId(self.next));
            self.next = child.record.subtree_end;
            child
        })
    }
}

/// A view of one attribute.
#[derive(Clone, Copy, Debug)]
pub struct Attribute<'d, 'a> {
    doc: &'d Document<'a>,
    record: &'d AttributeRecord,
}

impl<'d, 'a> Attribute<'d, 'a> {
    /// The qualified name as written.
    pub fn qname(&self) -> &'a str {
        self.doc.slice(self.record.name_start, self.record.name_start + u32::from(self.record.name_len))
    }

    /// The local name.
    pub fn local_name(&self) -> &'a str {
        match self.record.prefix_len {
            0 => self.qname(),
            n => &self.qname()[usize::from(n) + 1..],
        }
    }

    /// The namespace name, empty for unqualified attributes.
    pub fn namespace(&self) -> &'d str {
        self.doc.namespace(self.record.ns)
    }

    /// The value as written between the quotes.
    pub fn raw_value(&self) -> &'a str {
        self.doc.slice(self.record.value_start, self.record.value_start + self.record.value_len)
    }

    /// The normalized value: references expanded, whitespace characters as spaces.
    pub fn value(&self) -> Cow<'a, str> {
        scan::decode(self.raw_value(), true)
    }
}
