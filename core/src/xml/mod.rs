//! The XML index: one pass over the input builds compact tables of byte spans that borrow from it.
//! Nothing is copied except namespace names and Id values that contain references.
//!
//! The index is what every later stage works from: canonicalization reads spans from it, the
//! profiles look elements up by position, QName and Id. Only elements, attributes, namespace
//! declarations and the rare comments, PIs and CDATA sections have records; end tags and text are
//! the gaps between them, and a walk over the tables rebuilds the document-order sequence of nodes.

mod error;
mod graft;
mod ids;
mod parse;
pub(crate) mod scan;
mod spare;

use std::borrow::Cow;
use std::ops::Range;

use smallvec::SmallVec;

use ids::IdIndex;
use scan::{short_bytes_eq, short_eq};
use spare::Recycled;

pub use error::{XmlError, XmlErrorKind};
pub(crate) use graft::Replacement;

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
/// A one-byte length field holding this means "255 or more": the length is found again in the
/// input, which only names, tags and attribute layouts that long pay for.
const LONG: u8 = u8::MAX;

pub(crate) mod flags {
    /// A text, CDATA, comment or PI node whose raw bytes are not already canonical.
    pub const NEEDS_WORK: u8 = 0x08;
    /// The start tag is `<qname a="v" ...>` exactly, attributes in canonical order with values
    /// that need no rewriting, and no namespace declarations.
    pub const TAG_VERBATIM: u8 = 0x10;
    /// The element carries namespace declarations (records in `Document::ns_decls`).
    pub const HAS_NS_DECLS: u8 = 0x20;
    /// The character data right after the element's start tag needs work.
    pub const HEAD_TEXT_NEEDS_WORK: u8 = 0x40;
    /// The character data right after the element's end tag (or after a comment, PI or CDATA
    /// section) needs work.
    pub const TAIL_TEXT_NEEDS_WORK: u8 = 0x80;
}

/// Stores a length in a one-byte field, [`LONG`] when it does not fit below it.
fn short_len(len: usize) -> u8 {
    if len < usize::from(LONG) { len as u8 } else { LONG }
}

/// One element: 20 bytes. Its end tag and the text around it are not stored, they are the gaps
/// between records; whether it was written `<a/>`, where its start tag ends and whether its end
/// tag is `</qname>` exactly are read from the input at the offsets stored.
#[derive(Clone, Debug)]
#[cfg_attr(debug_assertions, derive(PartialEq))]
pub(crate) struct ElementRecord {
    /// Offset of `<` of the start tag.
    pub start: u32,
    /// Offset just after the end tag's `>` (just after the start tag for `<a/>`).
    pub end: u32,
    pub parent: u32,
    /// First of this element's attributes in [`Document::attributes`]; they run up to the next
    /// element's `first_attr`.
    pub first_attr: u32,
    /// The namespace in the low 15 bits ([`WIDE_NS`]: found again from the declarations in
    /// scope), [`CANONICAL_SUBTREE`] in the top one.
    ns: u16,
    /// Length of the qualified name ([`LONG`]: see the input).
    name_len: u8,
    /// The prefix length in the low nibble ([`LONG_PREFIX`]: see the input), [`flags`] in the
    /// high one.
    bits: u8,
}

/// An element namespace index too large for its record's field.
const WIDE_NS: u16 = 0x7FFF;
/// The bit of [`ElementRecord::ns`] that marks an element whose canonical form (exclusive or
/// inclusive C14N, with or without comments), whenever its parent is output, is its span, from
/// `<` of its start tag to `>` of its end tag, with only its start tags to write anew: in a
/// canonical layout with attributes in order, and `<a .../>` as `<a ...></a>`. Its start tags
/// have no namespace declaration, and it has its parent's prefix and no prefixed attribute but
/// `xml:` ones (so it renders no declaration once the parent has rendered the prefix), its end
/// tag (if any) is `</qname>` exactly, its character data needs no work, it holds no comment, PI
/// or CDATA section, and its child elements are all marked.
const CANONICAL_SUBTREE: u16 = 0x8000;

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
    /// A whole element whose span is its canonical form but for its start tags
    /// ([`ElementRecord::is_canonical_subtree`]), yielded instead of its nodes by a walk that
    /// [copies them](Walk::copying_canonical_subtrees).
    CanonicalSubtree,
}

/// One node in document order, as [`Document::walk`] yields it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    /// [`flags::NEEDS_WORK`] for character data, comments and PIs that are not canonical as written.
    pub flags: u8,
    pub start: u32,
    pub end: u32,
    /// For Start and End: the element; [`NONE`] otherwise.
    pub element: u32,
}

/// A comment, processing instruction or CDATA section, anywhere in the document.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(debug_assertions, derive(PartialEq))]
pub(crate) struct MiscRecord {
    /// The whole `<!--...-->`, `<?...?>` or `<![CDATA[...]]>`.
    pub start: u32,
    pub end: u32,
    pub kind: NodeKind,
    /// [`flags::NEEDS_WORK`] and [`flags::TAIL_TEXT_NEEDS_WORK`].
    pub flags: u8,
}

/// One attribute (namespace declarations are not attributes): 12 bytes.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(debug_assertions, derive(PartialEq))]
pub(crate) struct AttributeRecord {
    pub name_start: u32,
    pub ns: NsId,
    /// Length of the value ([`LONG_VALUE`]: see the input).
    value_len: u16,
    /// Length of the qualified name ([`LONG`]: see the input).
    name_len: u8,
    /// The prefix length (low 4 bits, [`LONG_PREFIX`]: see the input), the gap from the end of
    /// the name to the start of the value (3 bits, `="` in the usual case, [`LONG_GAP`]: see the
    /// input) and, in the top bit, whether the value needs rewriting to be canonical.
    packed: u8,
}

/// Field values of [`AttributeRecord`] that mean "this long or longer: see the input".
const LONG_VALUE: u16 = u16::MAX;
const LONG_PREFIX: u8 = 0xF;
const LONG_GAP: u8 = 0x7;
const PACKED_VALUE_NEEDS_WORK: u8 = 0x80;

/// The spans of one attribute, decoded from its record.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AttributeSpans {
    pub name_start: u32,
    pub name_end: u32,
    pub prefix_len: u32,
    pub value_start: u32,
    pub value_end: u32,
    /// The value needs rewriting to be canonical (references, whitespace, a `"`).
    pub value_needs_work: bool,
}

#[derive(Clone, Copy, Debug)]
#[cfg_attr(debug_assertions, derive(PartialEq))]
pub(crate) struct NsDeclRecord {
    /// The element carrying the declaration (the table is in document order).
    pub owner: u32,
    /// Offset and length of the declared prefix; length 0 declares the default namespace.
    pub prefix_start: u32,
    pub prefix_len: u32,
    pub ns: NsId,
}

/// A parsed, indexed XML document that borrows its input.
#[derive(Debug)]
pub struct Document<'a> {
    text: &'a str,
    pub(crate) elements: Recycled<ElementRecord>,
    pub(crate) attributes: Recycled<AttributeRecord>,
    pub(crate) ns_decls: Vec<NsDeclRecord>,
    /// Comments, PIs and CDATA sections, in document order.
    pub(crate) misc: Vec<MiscRecord>,
    namespaces: Vec<Cow<'a, str>>,
    /// Per namespace: whether its name is an absolute URI.
    namespace_absolute: Vec<bool>,
    ids: IdIndex<'a>,
}

impl<'a> Document<'a> {
    /// Parses and indexes `input`, enforcing `limits` and the rules in [`XmlErrorKind`].
    pub fn parse(input: &'a [u8], limits: &Limits) -> Result<Self, XmlError> {
        let mut doc = parse::parse(input, limits)?;
        doc.elements.release_excess();
        doc.attributes.release_excess();
        Ok(doc)
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
        self.ids.get(id)
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

    /// The heap memory the index fills beside the input, in bytes: its tables (the records
    /// written; reserved room left untouched costs address space only), the namespace names and
    /// Id values it had to copy, and the Id map.
    pub fn index_size(&self) -> usize {
        fn table<T>(v: &[T]) -> usize {
            std::mem::size_of_val(v)
        }
        let owned = |s: &Cow<'_, str>| if let Cow::Owned(s) = s { s.capacity() } else { 0 };
        table(&self.elements)
            + table(&self.attributes)
            + table(&self.ns_decls)
            + table(&self.misc)
            + table(&self.namespaces)
            + table(&self.namespace_absolute)
            + self.namespaces.iter().map(owned).sum::<usize>()
            + self.ids.heap_size()
    }

    /// The namespace name with this index.
    pub(crate) fn namespace(&self, ns: NsId) -> &str {
        &self.namespaces[ns as usize]
    }

    /// The index of a namespace name some declaration of the document binds.
    pub(crate) fn namespace_id(&self, name: &str) -> Option<NsId> {
        self.namespaces.iter().position(|n| n.as_ref() == name).map(|i| i as NsId)
    }

    /// Whether every namespace name the document binds is an absolute URI (or empty).
    pub(crate) fn namespaces_all_absolute(&self) -> bool {
        self.namespace_absolute.iter().all(|&absolute| absolute)
    }

    /// Whether this namespace name is an absolute URI.
    pub(crate) fn namespace_is_absolute(&self, ns: NsId) -> bool {
        self.namespace_absolute[ns as usize]
    }

    /// The input between two offsets of the index.
    #[inline]
    pub(crate) fn slice(&self, start: u32, end: u32) -> &'a str {
        &self.text[start as usize..end as usize]
    }

    /// The namespace of an element.
    #[inline]
    pub(crate) fn element_ns(&self, element: u32) -> NsId {
        match self.elements[element as usize].ns & WIDE_NS {
            WIDE_NS => self.wide_element_ns(element),
            ns => NsId::from(ns),
        }
    }

    /// The namespace of an element whose index did not fit its record: the declaration in scope
    /// for its prefix, nearest first.
    #[cold]
    fn wide_element_ns(&self, element: u32) -> NsId {
        let prefix = self.prefix_of(&self.elements[element as usize]);
        let mut current = element;
        while current != NONE {
            let declared = self
                .own_ns_decls(current)
                .iter()
                .find(|d| short_eq(self.slice(d.prefix_start, d.prefix_start + d.prefix_len), prefix));
            if let Some(declaration) = declared {
                return declaration.ns;
            }
            current = self.elements[current as usize].parent;
        }
        unreachable!("small namespace indexes are stored in the record")
    }

    /// True when an element was written `<a/>` (an end tag's `>` follows a name or a space).
    #[inline]
    pub(crate) fn is_empty_element(&self, record: &ElementRecord) -> bool {
        self.text.as_bytes()[record.end as usize - 2] == b'/'
    }

    /// Offset just after an element's qualified name.
    #[inline]
    pub(crate) fn name_end(&self, record: &ElementRecord) -> u32 {
        match record.name_len {
            LONG => self.long_name_end(record.start + 1, |b| scan::is_space(b) || b == b'/' || b == b'>'),
            n => record.start + 1 + u32::from(n),
        }
    }

    /// An element's qualified name as written.
    #[inline]
    pub(crate) fn qname_of(&self, record: &ElementRecord) -> &'a str {
        self.slice(record.start + 1, self.name_end(record))
    }

    /// The length of an element's prefix (0 when there is none).
    #[inline]
    pub(crate) fn prefix_len_of(&self, record: &ElementRecord) -> u32 {
        match record.bits & LONG_PREFIX {
            LONG_PREFIX => long_prefix_len(self.qname_of(record)),
            n => u32::from(n),
        }
    }

    /// Where an element's local name starts and ends in the input.
    #[inline]
    fn local_name_span(&self, record: &ElementRecord) -> (u32, u32) {
        let start = match self.prefix_len_of(record) {
            0 => record.start + 1,
            n => record.start + n + 2,
        };
        (start, self.name_end(record))
    }

    /// An element's prefix, empty when there is none.
    #[inline]
    pub(crate) fn prefix_of(&self, record: &ElementRecord) -> &'a str {
        let start = record.start + 1;
        self.slice(start, start + self.prefix_len_of(record))
    }

    /// Offset just after an element's start tag: its end for `<a/>`, else the `>` after spaces
    /// after its last attribute (or name), unless namespace declarations come last.
    #[inline]
    pub(crate) fn tag_end(&self, element: u32) -> u32 {
        let record = &self.elements[element as usize];
        if self.is_empty_element(record) {
            return record.end;
        }
        self.start_tag_end(element, record)
    }

    /// [`Document::tag_end`] of an element known not to be `<a/>`.
    #[inline]
    fn start_tag_end(&self, element: u32, record: &ElementRecord) -> u32 {
        // Past the value of the last attribute and of the last namespace declaration, only
        // spaces are left before `>`.
        let mut at = match self.attribute_records(element).last() {
            Some(last) => self.attribute_spans(last).value_end as usize + 1,
            None => self.name_end(record) as usize,
        };
        if record.has(flags::HAS_NS_DECLS) {
            // The element's declarations are the last ones of the table up to it.
            let last = &self.ns_decls[self.ns_decls.partition_point(|d| d.owner <= element) - 1];
            let value_start = self.value_start_after(last.prefix_start + last.prefix_len);
            at = at.max(self.value_end_from(value_start) as usize + 1);
        }
        let bytes = self.text.as_bytes();
        while bytes[at] != b'>' {
            at += 1;
        }
        at as u32 + 1
    }

    /// Offset of `<` of an element's end tag (its start tag's end for `<a/>`).
    #[inline]
    pub(crate) fn end_tag_start(&self, record: &ElementRecord) -> u32 {
        match self.text.as_bytes()[record.end as usize - 2] {
            b'/' => record.end,
            before => self.end_tag_start_after(record, before),
        }
    }

    /// [`Document::end_tag_start`] of an element that is not `<a/>`, whose end tag's `>` follows
    /// the byte `before`.
    #[inline]
    fn end_tag_start_after(&self, record: &ElementRecord, before: u8) -> u32 {
        let name_len = self.name_end(record) - record.start - 1;
        if !scan::is_space(before) {
            return record.end - name_len - 3;
        }
        // `</qname` then whitespace then `>`.
        let bytes = self.text.as_bytes();
        let mut at = record.end as usize - 1;
        while scan::is_space(bytes[at - 1]) {
            at -= 1;
        }
        at as u32 - name_len - 2
    }

    /// The attribute records of an element.
    #[inline]
    pub(crate) fn attribute_records(&self, element: u32) -> &[AttributeRecord] {
        let first = self.elements[element as usize].first_attr as usize;
        let end =
            self.elements.get(element as usize + 1).map_or(self.attributes.len(), |next| next.first_attr as usize);
        &self.attributes[first..end]
    }

    /// Where an attribute's qualified name ends, and its prefix length (0 when there is none).
    #[inline(always)]
    fn attribute_name(&self, record: &AttributeRecord) -> (u32, u32) {
        let name_start = record.name_start;
        let name_end = match record.name_len {
            LONG => self.long_name_end(name_start, |b| scan::is_space(b) || b == b'='),
            n => name_start + u32::from(n),
        };
        let prefix_len = match record.packed & LONG_PREFIX {
            LONG_PREFIX => long_prefix_len(self.slice(name_start, name_end)),
            n => u32::from(n),
        };
        (name_end, prefix_len)
    }

    /// Where an attribute's local name starts and ends in the input.
    #[inline]
    fn attribute_local_span(&self, record: &AttributeRecord) -> (u32, u32) {
        let (name_end, prefix_len) = self.attribute_name(record);
        match prefix_len {
            0 => (record.name_start, name_end),
            n => (record.name_start + n + 1, name_end),
        }
    }

    /// The input between two offsets of the index, as bytes.
    #[inline]
    fn bytes(&self, (start, end): (u32, u32)) -> &'a [u8] {
        &self.text.as_bytes()[start as usize..end as usize]
    }

    /// The spans of an attribute.
    #[inline(always)]
    pub(crate) fn attribute_spans(&self, record: &AttributeRecord) -> AttributeSpans {
        let name_start = record.name_start;
        let (name_end, prefix_len) = self.attribute_name(record);
        let value_start = match (record.packed >> 4) & LONG_GAP {
            LONG_GAP => self.value_start_after(name_end),
            n => name_end + u32::from(n),
        };
        let value_end = match record.value_len {
            LONG_VALUE => self.value_end_from(value_start),
            n => value_start + u32::from(n),
        };
        let value_needs_work = record.packed & PACKED_VALUE_NEEDS_WORK != 0;
        AttributeSpans { name_start, name_end, prefix_len, value_start, value_end, value_needs_work }
    }

    /// The namespace declarations an element carries.
    #[inline]
    pub(crate) fn own_ns_decls(&self, element: u32) -> &[NsDeclRecord] {
        if !self.elements[element as usize].has(flags::HAS_NS_DECLS) {
            return &[];
        }
        self.ns_decls_of(element, element + 1)
    }

    /// The namespace declarations carried by the elements `first..end`.
    pub(crate) fn ns_decls_of(&self, first: u32, end: u32) -> &[NsDeclRecord] {
        let from = self.ns_decls.partition_point(|d| d.owner < first);
        let to = from + self.ns_decls[from..].partition_point(|d| d.owner < end);
        &self.ns_decls[from..to]
    }

    /// The first element after an element's subtree, in document order.
    pub(crate) fn subtree_end(&self, element: u32) -> u32 {
        let end = self.elements[element as usize].end;
        let after = &self.elements[element as usize + 1..];
        // Most elements asked about are leaves.
        if after.first().is_none_or(|next| next.start >= end) {
            return element + 1;
        }
        // Galloping: subtrees are usually small, so look close first.
        let mut bound = 1;
        while bound < after.len() && after[bound - 1].start < end {
            bound *= 2;
        }
        let bound = bound.min(after.len());
        let low = bound / 2;
        element + 1 + (low + after[low..bound].partition_point(|e| e.start < end)) as u32
    }

    /// The nodes of an element's subtree in document order, from its start to its end.
    pub(crate) fn walk(&self, apex: u32) -> Walk<'_, 'a> {
        let record = &self.elements[apex as usize];
        let first_misc = self.misc.partition_point(|m| m.start < record.start);
        let misc_end = first_misc + self.misc[first_misc..].partition_point(|m| m.start < record.end);
        let mut walk = Walk {
            doc: self,
            next_element: apex as usize,
            elements_end: self.subtree_end(apex) as usize,
            next_start: record.start,
            next_misc: first_misc,
            misc_end,
            misc_start: u32::MAX,
            open: SmallVec::new(),
            close: u32::MAX,
            cursor: record.start,
            text_flags: 0,
            pending_end: NONE,
            copy_canonical: false,
        };
        walk.misc_start = walk.misc_start_at(first_misc);
        walk
    }

    #[cold]
    fn long_name_end(&self, from: u32, stop: impl Fn(u8) -> bool) -> u32 {
        let bytes = &self.text.as_bytes()[from as usize..];
        from + bytes.iter().position(|&b| stop(b)).unwrap_or(bytes.len()) as u32
    }

    /// The end of an attribute value: its closing quote, the same as the one before it.
    fn value_end_from(&self, value_start: u32) -> u32 {
        let bytes = self.text.as_bytes();
        let quote = bytes[value_start as usize - 1];
        value_start + memchr::memchr(quote, &bytes[value_start as usize..]).expect("the value was checked") as u32
    }

    /// The start of an attribute's value from the end of its name: after `=`, spaces and a quote.
    fn value_start_after(&self, name_end: u32) -> u32 {
        let bytes = &self.text.as_bytes()[name_end as usize..];
        name_end + bytes.iter().position(|&b| b == b'"' || b == b'\'').expect("the value was checked") as u32 + 1
    }
}

#[cold]
fn long_prefix_len(qname: &str) -> u32 {
    qname.find(':').unwrap_or(0) as u32
}

/// The nodes of a subtree in document order: elements and the comments, PIs and CDATA sections
/// come from their tables, end tags and character data from the gaps between them.
pub(crate) struct Walk<'d, 'a> {
    doc: &'d Document<'a>,
    next_element: usize,
    elements_end: usize,
    /// Where the next element starts (`u32::MAX` after the last one).
    next_start: u32,
    next_misc: usize,
    misc_end: usize,
    /// Where the next comment, PI or CDATA section starts (`u32::MAX` after the last one).
    misc_start: u32,
    /// Open non-empty elements, innermost last, with where their end tag starts (held inline
    /// for the usual depth).
    open: SmallVec<[(u32, u32); 16]>,
    /// Where the innermost open element's end tag starts (`u32::MAX` when none is open).
    close: u32,
    /// Where the input not yet yielded starts.
    cursor: u32,
    /// [`flags::NEEDS_WORK`] when the character data at `cursor` needs it.
    text_flags: u8,
    /// An empty element whose End node comes next, or [`NONE`].
    pending_end: u32,
    /// Yield a descendant marked canonical as written as one [`NodeKind::CanonicalSubtree`].
    copy_canonical: bool,
}

impl Walk<'_, '_> {
    fn misc_start_at(&self, misc: usize) -> u32 {
        if misc < self.misc_end { self.doc.misc[misc].start } else { u32::MAX }
    }

    #[inline]
    fn element_start_at(&self, element: usize) -> u32 {
        if element < self.elements_end { self.doc.elements[element].start } else { u32::MAX }
    }

    /// The same walk, but a descendant of the apex marked canonical as written (but for its start tags)
    /// ([`ElementRecord::is_canonical_subtree`]) comes as one [`NodeKind::CanonicalSubtree`] node
    /// instead of its Start, inner and End nodes.
    pub(crate) fn copying_canonical_subtrees(mut self) -> Self {
        self.copy_canonical = true;
        self
    }
}

impl Iterator for Walk<'_, '_> {
    type Item = Node;

    #[inline]
    fn next(&mut self) -> Option<Node> {
        let doc = self.doc;
        if self.pending_end != NONE {
            let element = std::mem::replace(&mut self.pending_end, NONE);
            let record = &doc.elements[element as usize];
            self.cursor = record.end;
            self.text_flags = tail_flags(record.bits);
            return Some(Node { kind: NodeKind::End, flags: 0, start: record.end, end: record.end, element });
        }
        let boundary = self.next_start.min(self.misc_start).min(self.close);
        if boundary == u32::MAX {
            return None;
        }
        if self.cursor < boundary {
            let text =
                Node { kind: NodeKind::Text, flags: self.text_flags, start: self.cursor, end: boundary, element: NONE };
            self.cursor = boundary;
            return Some(text);
        }
        if boundary == self.next_start {
            let element = self.next_element as u32;
            let record = &doc.elements[self.next_element];
            // The apex is the one element that starts with none open: it is never copied whole.
            if self.copy_canonical && record.is_canonical_subtree() && !self.open.is_empty() {
                self.next_element = doc.subtree_end(element) as usize;
                self.next_start = self.element_start_at(self.next_element);
                debug_assert!(self.misc_start >= record.end, "no comment, PI or CDATA inside");
                self.cursor = record.end;
                self.text_flags = tail_flags(record.bits);
                let (start, end) = (record.start, record.end);
                return Some(Node { kind: NodeKind::CanonicalSubtree, flags: 0, start, end, element });
            }
            self.next_element += 1;
            self.next_start = self.element_start_at(self.next_element);
            let before_end = doc.text.as_bytes()[record.end as usize - 2];
            let tag_end = if before_end == b'/' {
                self.pending_end = element;
                record.end
            } else {
                self.close = doc.end_tag_start_after(record, before_end);
                self.open.push((element, self.close));
                self.text_flags = if record.has(flags::HEAD_TEXT_NEEDS_WORK) { flags::NEEDS_WORK } else { 0 };
                doc.start_tag_end(element, record)
            };
            self.cursor = tag_end;
            return Some(Node { kind: NodeKind::Start, flags: 0, start: record.start, end: tag_end, element });
        }
        if boundary == self.misc_start {
            let misc = doc.misc[self.next_misc];
            self.next_misc += 1;
            self.misc_start = self.misc_start_at(self.next_misc);
            self.cursor = misc.end;
            self.text_flags = tail_flags(misc.flags);
            let (start, end) = match misc.kind {
                NodeKind::CData => (misc.start + 9, misc.end - 3),
                _ => (misc.start, misc.end),
            };
            return Some(Node { kind: misc.kind, flags: misc.flags & flags::NEEDS_WORK, start, end, element: NONE });
        }
        let (element, end_tag_start) = self.open.pop().expect("the boundary is an end tag");
        self.close = self.open.last().map_or(u32::MAX, |&(_, at)| at);
        let record = &doc.elements[element as usize];
        self.cursor = record.end;
        self.text_flags = tail_flags(record.bits);
        Some(Node { kind: NodeKind::End, flags: 0, start: end_tag_start, end: record.end, element })
    }
}

/// [`flags::NEEDS_WORK`] when the character data after an element or misc node needs it.
#[inline]
fn tail_flags(record_flags: u8) -> u8 {
    if record_flags & flags::TAIL_TEXT_NEEDS_WORK != 0 { flags::NEEDS_WORK } else { 0 }
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
        self.doc.qname_of(self.record)
    }

    /// The prefix, empty when there is none.
    pub fn prefix(&self) -> &'a str {
        self.doc.prefix_of(self.record)
    }

    /// The local name.
    pub fn local_name(&self) -> &'a str {
        let (start, end) = self.doc.local_name_span(self.record);
        self.doc.slice(start, end)
    }

    /// The namespace name, empty for no namespace.
    pub fn namespace(&self) -> &'d str {
        self.doc.namespace(self.doc.element_ns(self.id.0))
    }

    /// True when this element has this expanded name.
    pub fn is(&self, namespace: &str, local_name: &str) -> bool {
        short_bytes_eq(self.doc.bytes(self.doc.local_name_span(self.record)), local_name.as_bytes())
            && short_bytes_eq(self.namespace().as_bytes(), namespace.as_bytes())
    }

    /// The bytes from `<` of the start tag to `>` of the end tag.
    pub fn span(&self) -> Range<usize> {
        self.record.start as usize..self.record.end as usize
    }

    /// The bytes between the start and the end tag (empty for `<a/>`).
    pub fn content_span(&self) -> Range<usize> {
        self.doc.tag_end(self.id.0) as usize..self.doc.end_tag_start(self.record) as usize
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
        Children { doc: self.doc, next: self.id.0 + 1, end: self.record.end }
    }

    /// True when `other` is this element or inside it.
    pub fn contains(&self, other: ElementId) -> bool {
        other.0 >= self.id.0 && self.doc.elements.get(other.index()).is_some_and(|o| o.start < self.record.end)
    }

    /// The attributes (namespace declarations excluded), in document order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'d, 'a>> + use<'d, 'a> {
        let doc = self.doc;
        doc.attribute_records(self.id.0).iter().map(move |record| Attribute { doc, record })
    }

    /// The attribute with this expanded name (namespace "" for unqualified attributes).
    pub fn attribute(&self, namespace: &str, local_name: &str) -> Option<Attribute<'d, 'a>> {
        let doc = self.doc;
        // No namespace is always `NO_NS`: the empty name is interned once.
        let in_namespace = |ns: NsId| match namespace {
            "" => ns == NO_NS,
            _ => short_bytes_eq(doc.namespace(ns).as_bytes(), namespace.as_bytes()),
        };
        let record = doc.attribute_records(self.id.0).iter().find(|record| {
            short_bytes_eq(doc.bytes(doc.attribute_local_span(record)), local_name.as_bytes())
                && in_namespace(record.ns)
        })?;
        Some(Attribute { doc, record })
    }

    /// The namespace name bound to `prefix` ("" for the default namespace) in this element's
    /// scope, or `None` when the prefix is not declared (the default namespace is then empty).
    pub fn lookup_namespace(&self, prefix: &str) -> Option<&'d str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        std::iter::successors(Some(*self), Element::parent).find_map(|element| {
            self.doc
                .own_ns_decls(element.id.0)
                .iter()
                .find(|d| short_eq(self.doc.slice(d.prefix_start, d.prefix_start + d.prefix_len), prefix))
                .map(|d| self.doc.namespace(d.ns))
        })
    }

    /// All character data inside this element (text and CDATA of every descendant, references
    /// expanded, line ends normalized), concatenated. Comments do not split the result.
    pub fn text(&self) -> Cow<'a, str> {
        let doc = self.doc;
        let mut pieces = doc.walk(self.id.0).filter(|n| matches!(n.kind, NodeKind::Text | NodeKind::CData));
        let decode = |n: &Node| {
            let raw = doc.slice(n.start, n.end);
            if n.kind == NodeKind::CData { scan::normalize_line_ends(raw) } else { scan::decode(raw, false) }
        };
        let Some(first) = pieces.next() else { return Cow::Borrowed("") };
        let mut all = decode(&first);
        for n in pieces {
            all.to_mut().push_str(&decode(&n));
        }
        all
    }
}

/// Iterator over the child elements of an element.
#[derive(Clone, Debug)]
pub struct Children<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    /// The end offset of the parent: children start before it.
    end: u32,
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Element<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.doc.elements.get(self.next as usize).filter(|r| r.start < self.end)?;
        let child = Element { doc: self.doc, id: ElementId(self.next), record };
        self.next = self.doc.subtree_end(self.next);
        Some(child)
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
        let (name_end, _) = self.doc.attribute_name(self.record);
        self.doc.slice(self.record.name_start, name_end)
    }

    /// The local name.
    pub fn local_name(&self) -> &'a str {
        let (start, end) = self.doc.attribute_local_span(self.record);
        self.doc.slice(start, end)
    }

    /// The namespace name, empty for unqualified attributes.
    pub fn namespace(&self) -> &'d str {
        self.doc.namespace(self.record.ns)
    }

    /// The value as written between the quotes.
    pub fn raw_value(&self) -> &'a str {
        let spans = self.doc.attribute_spans(self.record);
        self.doc.slice(spans.value_start, spans.value_end)
    }

    /// The normalized value: references expanded, whitespace characters as spaces.
    pub fn value(&self) -> Cow<'a, str> {
        let spans = self.doc.attribute_spans(self.record);
        scan::attribute_value(self.doc.slice(spans.value_start, spans.value_end), !spans.value_needs_work)
    }
}

impl ElementRecord {
    /// A record for an element starting at `start`, whose end is set when its end tag is read.
    /// `canonical` marks it [`CANONICAL_SUBTREE`] until the parser finds otherwise.
    pub(crate) fn new(
        start: usize,
        name_len: usize,
        prefix_len: usize,
        ns: NsId,
        element_flags: u8,
        canonical: bool,
    ) -> Self {
        let canonical = if canonical { CANONICAL_SUBTREE } else { 0 };
        Self {
            start: start as u32,
            end: 0,
            parent: NONE,
            first_attr: 0,
            ns: u16::try_from(ns).ok().filter(|&ns| ns < WIDE_NS).unwrap_or(WIDE_NS) | canonical,
            name_len: short_len(name_len),
            bits: prefix_len.min(usize::from(LONG_PREFIX)) as u8 | element_flags,
        }
    }

    /// Whether one of the [`flags`] is set.
    #[inline]
    pub(crate) fn has(&self, flag: u8) -> bool {
        self.bits & flag != 0
    }

    /// Sets one of the [`flags`].
    pub(crate) fn set(&mut self, flag: u8) {
        self.bits |= flag;
    }

    /// Whether the element's subtree is canonical as written ([`CANONICAL_SUBTREE`]).
    #[inline]
    pub(crate) fn is_canonical_subtree(&self) -> bool {
        self.ns & CANONICAL_SUBTREE != 0
    }

    /// Marks the element's subtree canonical as written ([`CANONICAL_SUBTREE`]).
    pub(crate) fn set_canonical_subtree(&mut self) {
        self.ns |= CANONICAL_SUBTREE;
    }

    /// Unmarks the element ([`CANONICAL_SUBTREE`]).
    #[inline]
    pub(crate) fn clear_canonical_subtree(&mut self) {
        self.ns &= !CANONICAL_SUBTREE;
    }
}

impl AttributeRecord {
    /// A record for an attribute with these spans.
    pub(crate) fn new(
        name_start: usize,
        name_end: usize,
        prefix_len: usize,
        value_start: usize,
        value_end: usize,
        ns: NsId,
        value_needs_work: bool,
    ) -> Self {
        let value_len = value_end - value_start;
        let gap = (value_start - name_end).min(usize::from(LONG_GAP)) as u8;
        let prefix = prefix_len.min(usize::from(LONG_PREFIX)) as u8;
        let work = if value_needs_work { PACKED_VALUE_NEEDS_WORK } else { 0 };
        Self {
            name_start: name_start as u32,
            ns,
            value_len: if value_len < usize::from(LONG_VALUE) { value_len as u16 } else { LONG_VALUE },
            name_len: short_len(name_end - name_start),
            packed: prefix | gap << 4 | work,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Document<'_> {
        Document::parse(input.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn long_names_prefixes_layouts_and_values_are_read_back_from_the_input() {
        let prefix = "p".repeat(300);
        let local = "l".repeat(300);
        let value = "v".repeat(70_000);
        let input = format!(
            "<{prefix}:{local} xmlns:{prefix}='urn:p' {prefix}:{local}   =  \t\"{value}\" a='&#38;'\n ></{prefix}:{local}  >"
        );
        let doc = parse(&input);
        let root = doc.root();
        assert_eq!((root.prefix(), root.local_name(), root.namespace()), (prefix.as_str(), local.as_str(), "urn:p"));
        assert_eq!(&input[root.content_span()], "");
        let attributes: Vec<_> = root.attributes().collect();
        assert_eq!(attributes.len(), 2);
        assert_eq!((attributes[0].local_name(), attributes[0].namespace()), (local.as_str(), "urn:p"));
        assert_eq!(attributes[0].qname(), format!("{prefix}:{local}"));
        assert_eq!(attributes[0].raw_value(), value);
        assert_eq!(
            (attributes[1].qname(), attributes[1].raw_value(), attributes[1].value().as_ref()),
            ("a", "&#38;", "&")
        );
        let spans = doc.attribute_spans(&doc.attributes[1]);
        assert!(spans.value_needs_work && !doc.attribute_spans(&doc.attributes[0]).value_needs_work);
    }

    #[test]
    fn medium_prefixes_and_gaps_use_their_escapes() {
        let input = "<r xmlns:abcdefghijklmnopq='urn:x'><e abcdefghijklmnopq:k       =        'x'/></r>";
        let doc = parse(input);
        let e = doc.root().children().next().unwrap();
        let a = e.attributes().next().unwrap();
        assert_eq!((a.local_name(), a.namespace(), a.raw_value()), ("k", "urn:x", "x"));
    }

    #[test]
    fn cdata_text_is_literal_with_line_ends_normalized() {
        let doc = parse("<a>x&amp;<![CDATA[a & b\r\nc\rd &amp;]]>y</a>");
        assert_eq!(doc.root().text(), "x&a & b\nc\nd &amp;y");
    }

    #[test]
    fn the_walk_rebuilds_every_node_in_document_order() {
        let input = "<a>t1<b/>t2&amp;&lt;&gt;<!--c--><c x='1'>&#38;<?p?></c  ><![CDATA[d]]>\r\n</a>";
        let doc = parse(input);
        let nodes: Vec<_> = doc.walk(0).map(|n| (n.kind, &input[n.start as usize..n.end as usize], n.flags)).collect();
        use NodeKind::*;
        let work = flags::NEEDS_WORK;
        assert_eq!(
            nodes,
            [
                (Start, "<a>", 0),
                (Text, "t1", 0),
                (Start, "<b/>", 0),
                (End, "", 0),
                (Text, "t2&amp;&lt;&gt;", 0),
                (Comment, "<!--c-->", 0),
                (Start, "<c x='1'>", 0),
                (Text, "&#38;", work),
                (Pi, "<?p?>", 0),
                (End, "</c  >", 0),
                (CData, "d", 0),
                (Text, "\r\n", work),
                (End, "</a>", 0),
            ]
        );
        let c = doc.element(ElementId(2));
        assert_eq!((&input[c.content_span()], c.text().as_ref()), ("&#38;<?p?>", "&"));
        let inner: Vec<_> = doc.walk(2).map(|n| n.kind).collect();
        assert_eq!(inner, [Start, Text, Pi, End]);
    }

    #[test]
    fn start_tags_with_declarations_end_after_the_last_value() {
        for (input, content) in [
            ("<a xmlns:p='urn:x>y'>t</a>", "t"),
            ("<a xmlns:p=\"urn:>\" b='1>'  \n>t<b/></a>", "t<b/>"),
            ("<a b='>' xmlns='urn:d' xmlns:q = 'urn:q>'\t>></a>", ">"),
            ("<p:a xmlns:p='urn:p' p:b='x' c=\"'>\">t</p:a>", "t"),
            ("<a xmlns='urn:>'></a>", ""),
        ] {
            let doc = parse(input);
            assert_eq!(&input[doc.root().content_span()], content, "{input}");
        }
        let nested = "<r xmlns:a='urn:a'><a:x xmlns:b='urn:>b'><b:y xmlns:c='c'>v</b:y></a:x></r>";
        let doc = parse(nested);
        let spans: Vec<_> = (0..3).map(|i| &nested[doc.element(ElementId(i)).content_span()]).collect();
        assert_eq!(spans, ["<a:x xmlns:b='urn:>b'><b:y xmlns:c='c'>v</b:y></a:x>", "<b:y xmlns:c='c'>v</b:y>", "v"]);
    }

    #[test]
    fn children_and_containment_follow_the_spans() {
        let doc = parse("<r><a><x/><y><z/></y></a><b/><c>t</c></r>");
        let names = |e: Element<'_, '_>| e.children().map(|c| c.qname().to_owned()).collect::<Vec<_>>();
        assert_eq!(names(doc.root()), ["a", "b", "c"]);
        let a = doc.root().children().next().unwrap();
        assert_eq!(names(a), ["x", "y"]);
        assert!(a.contains(ElementId(4)) && !a.contains(ElementId(5)) && doc.root().contains(ElementId(6)));
        assert_eq!(doc.element(ElementId(4)).parent().unwrap().qname(), "y");
        assert_eq!(doc.subtree_end(0), 7);
        assert_eq!(doc.subtree_end(1), 5);
    }

    #[test]
    fn element_namespaces_beyond_the_record_field_are_found_from_the_declarations() {
        let mut input = String::from("<r xmlns:q='urn:q'>");
        for i in 0..70_000 {
            input.push_str(&format!("<p:e xmlns:p='urn:{i}'><q:f/></p:e>"));
        }
        input.push_str("<p:e xmlns:p='urn:1'/></r>");
        let doc = parse(&input);
        let last_wide = doc.element(ElementId(2 * 69_999 + 1));
        assert_eq!((last_wide.qname(), last_wide.namespace()), ("p:e", "urn:69999"));
        assert_eq!(doc.element(ElementId(2 * 69_999 + 2)).namespace(), "urn:q");
        assert_eq!(doc.element(ElementId(2 * 70_000 + 1)).namespace(), "urn:1");
        assert!(doc.elements[2 * 69_999 + 1].ns & WIDE_NS == WIDE_NS);
        // urn:i is namespace i + 3: the field holds indexes below 0x7FFF, its top bit is a flag.
        let (last_narrow, first_wide) = (&doc.elements[2 * 0x7FFB + 1], &doc.elements[2 * 0x7FFC + 1]);
        assert!(last_narrow.ns == 0x7FFE && first_wide.ns == WIDE_NS);
        assert_eq!(doc.element(ElementId(2 * 0x7FFC + 1)).namespace(), "urn:32764");
    }

    #[test]
    fn records_stay_small() {
        assert_eq!(std::mem::size_of::<ElementRecord>(), 20);
        assert_eq!(std::mem::size_of::<AttributeRecord>(), 12);
    }
}
