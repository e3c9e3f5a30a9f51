//! The single pass that turns input bytes into a [`Document`] index.
//!
//! The input is checked for UTF-8 and forbidden characters up front, then one loop walks it from
//! `<` to `<`: a text run is scanned once for the bytes that matter (`&`, `>`, CR), a start tag
//! is scanned once for its name, attributes and end. Anything unusual (every error, and rare but
//! valid forms such as non-ASCII names) leaves the fast path for a slow one that follows the
//! rules step by step, in the order the errors are reported.

use std::borrow::Cow;
use std::collections::HashMap;

use super::ids::IdIndex;
use super::scan::{self, RawAttribute, TagScan};
use super::spare::Recycled;
use super::{
    AttributeRecord, Document, ElementId, ElementRecord, LONG_PREFIX, Limits, MiscRecord, NO_NS, NONE, NodeKind,
    NsDeclRecord, NsId, WSU_NS, XML_NS, XML_NS_ID, XMLNS_NS, XmlError, XmlErrorKind, flags,
};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Namespace names are looked up by a linear scan up to this many, then through a hash map.
const LINEAR_NAMESPACES: usize = 16;

pub(super) fn parse<'a>(input: &'a [u8], limits: &Limits) -> Result<Document<'a>, XmlError> {
    let max_size = limits.max_size.min(u32::MAX as usize);
    if input.len() > max_size {
        return Err(XmlError::new(XmlErrorKind::LimitExceeded { limit: "max_size", max: max_size }, max_size));
    }
    let chars = scan::check_chars(input);
    // An encoding error anywhere is reported before a forbidden character.
    let text = match chars {
        Ok(true) => ascii_text(input),
        _ => check_encoding(input)?,
    };
    chars.map_err(|at| XmlError::malformed("character not allowed in XML 1.0", at))?;
    let body_start = if input.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
    Builder::new(text, limits).run(body_start)
}

/// The tables a parse fills: a whole document's, or those of a document a fragment's records are
/// appended to ([`parse_fragment`]).
pub(super) struct Tables<'a> {
    pub elements: Recycled<ElementRecord>,
    pub attributes: Recycled<AttributeRecord>,
    pub ns_decls: Vec<NsDeclRecord>,
    pub misc: Vec<MiscRecord>,
    pub namespaces: Vec<Cow<'a, str>>,
    pub namespace_absolute: Vec<bool>,
    pub ids: IdIndex<'a>,
}

impl Tables<'_> {
    /// Empty tables for an input of `len` bytes. Data XML takes at least 16 bytes per element:
    /// the element table rarely grows, and hostile input cannot reserve much more than its size.
    /// What is left untouched of a reservation costs address space only.
    pub fn for_input(len: usize) -> Self {
        let mut tables = Self {
            elements: Recycled::with_capacity(len / 16 + 16),
            attributes: Recycled::with_capacity(len / 32 + 16),
            ns_decls: Vec::with_capacity(16),
            misc: Vec::new(),
            namespaces: Vec::with_capacity(8),
            namespace_absolute: Vec::with_capacity(8),
            ids: IdIndex::default(),
        };
        // No namespace and the `xml` one, both absolute (no need to check).
        tables.namespaces.extend([Cow::Borrowed(""), Cow::Borrowed(XML_NS)]);
        tables.namespace_absolute.extend([true, true]);
        tables
    }
}

/// The element a fragment is content of, open around it (its record already in the tables).
pub(super) struct Context<'a> {
    pub parent: u32,
    /// The span of its qualified name in the text, and its prefix's length.
    pub name: (u32, u32),
    pub prefix_len: u32,
    pub ns: NsId,
    /// Its depth: the root's is 1.
    pub depth: usize,
    /// The prefixes bound where it stands (its own declarations included), outermost first.
    pub bindings: Vec<(&'a str, NsId)>,
    /// The record the character data before the fragment belongs to.
    pub tail: Tail,
}

/// Indexes `text[start..]` as content of `context.parent`, by the rules and limits of a whole
/// document, appending its records to `tables`. Returns them, and the record the character data
/// at its end belongs to. A fragment that closes its parent or leaves an element open is refused.
pub(super) fn parse_fragment<'a>(
    text: &'a str,
    start: usize,
    limits: &Limits,
    tables: Tables<'a>,
    context: Context<'a>,
) -> Result<(Tables<'a>, Tail), XmlError> {
    let mut builder = Builder::with_tables(text, limits, tables);
    builder.bindings.extend(context.bindings.into_iter().map(|(prefix, ns)| Binding { prefix, ns }));
    builder.open.push(Open {
        element: context.parent,
        name_start: context.name.0,
        name_end: context.name.1,
        bindings: 1,
        ns: context.ns,
        prefix_len: context.prefix_len,
    });
    // One open record stands for the parent and its ancestors.
    builder.depth_cap = (limits.max_depth + 1).saturating_sub(context.depth);
    builder.tail = context.tail;
    // An XML declaration is never at the start of content.
    builder.scan(start, usize::MAX)?;
    if builder.open.len() != 1 || builder.root_closed {
        return Err(XmlError::malformed("the fragment is not balanced", text.len()));
    }
    let tail = builder.tail;
    Ok((builder.into_tables(), tail))
}

/// The text of an input [`scan::check_chars`] found to be all ASCII.
fn ascii_text(input: &[u8]) -> &str {
    debug_assert!(input.is_ascii());
    // SAFETY: every byte is below 0x80 (checked by `check_chars`), and ASCII is valid UTF-8.
    unsafe { std::str::from_utf8_unchecked(input) }
}

/// Refuses anything but UTF-8: UTF-16/32 byte order marks or patterns, invalid sequences.
/// (A declared encoding other than UTF-8 is refused where the declaration is read.)
fn check_encoding(input: &[u8]) -> Result<&str, XmlError> {
    let wide = [&b"\xFE\xFF"[..], b"\xFF\xFE", b"\0<", b"<\0", b"\0\0"];
    if wide.iter().any(|prefix| input.starts_with(prefix)) {
        return Err(XmlError::new(XmlErrorKind::Encoding("UTF-16 or UTF-32 input".into()), 0));
    }
    std::str::from_utf8(input)
        .map_err(|e| XmlError::new(XmlErrorKind::Encoding("invalid UTF-8 byte sequence".into()), e.valid_up_to()))
}

/// Whether an attribute named `qname`, with a prefix of `prefix_len` bytes, is a namespace
/// declaration: `xmlns` or `xmlns:prefix`.
#[inline]
fn is_declaration(qname: &[u8], prefix_len: usize) -> bool {
    match prefix_len {
        0 => qname == b"xmlns",
        5 => qname.starts_with(b"xmlns"),
        _ => false,
    }
}

/// What tells most namespace names apart without reading them whole: their length and last (up
/// to) 8 bytes. Names with equal keys are still compared.
#[derive(Clone, Copy, PartialEq, Eq)]
struct NameKey {
    len: usize,
    tail: u64,
}

impl NameKey {
    #[inline]
    fn of(name: &str) -> Self {
        let bytes = name.as_bytes();
        let tail = match bytes.len().checked_sub(8) {
            Some(start) => u64::from_le_bytes(bytes[start..].try_into().expect("8 bytes")),
            None => bytes.iter().fold(0, |tail, &b| tail << 8 | u64::from(b)),
        };
        Self { len: bytes.len(), tail }
    }
}

/// A prefix bound by a namespace declaration in scope.
struct Binding<'a> {
    prefix: &'a str,
    ns: NsId,
}

/// An element whose end tag has not been seen.
struct Open {
    element: u32,
    /// Offset of its qualified name.
    name_start: u32,
    /// Offset just after its qualified name.
    name_end: u32,
    /// The number of bindings in scope outside it.
    bindings: u32,
    /// Its namespace: a child with the same prefix and no declaration has it too.
    ns: NsId,
    /// The length of its prefix.
    prefix_len: u32,
}

/// Which record the flag of the character data being read belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tail {
    /// Nothing yet (before the root, where text is only whitespace).
    None,
    /// The text after this element's start tag.
    Head(u32),
    /// The text after this element's end tag.
    After(u32),
    /// The text after this comment, PI or CDATA section.
    Misc(u32),
}

struct Builder<'a, 'l> {
    text: &'a str,
    bytes: &'a [u8],
    limits: &'l Limits,
    elements: Recycled<ElementRecord>,
    attributes: Recycled<AttributeRecord>,
    ns_decls: Vec<NsDeclRecord>,
    misc: Vec<MiscRecord>,
    namespaces: Vec<Cow<'a, str>>,
    namespace_absolute: Vec<bool>,
    /// The [`NameKey`] of each namespace name.
    namespace_keys: Vec<NameKey>,
    /// The WS-Security utility namespace, once interned (its `Id` attributes are Ids).
    wsu_ns: Option<NsId>,
    /// Built once there are more than [`LINEAR_NAMESPACES`] namespace names.
    namespace_index: HashMap<Cow<'a, str>, NsId>,
    ids: IdIndex<'a>,
    open: Vec<Open>,
    bindings: Vec<Binding<'a>>,
    root_closed: bool,
    /// How many elements may be open when a start tag is read: `max_depth`, then none once the
    /// root is closed (one check for both).
    depth_cap: usize,
    tail: Tail,
    /// (namespace, local name) of the attributes of the start tag being read.
    names: Vec<(NsId, &'a str)>,
}

impl<'a, 'l> Builder<'a, 'l> {
    fn new(text: &'a str, limits: &'l Limits) -> Self {
        Self::with_tables(text, limits, Tables::for_input(text.len()))
    }

    /// A builder appending to `tables`.
    fn with_tables(text: &'a str, limits: &'l Limits, tables: Tables<'a>) -> Self {
        let Tables { elements, attributes, ns_decls, misc, namespaces, namespace_absolute, ids } = tables;
        let mut namespace_index = HashMap::new();
        if namespaces.len() > LINEAR_NAMESPACES {
            namespace_index.extend(namespaces.iter().enumerate().map(|(i, name)| (name.clone(), i as NsId)));
        }
        let mut namespace_keys = Vec::with_capacity(namespaces.len().max(8));
        namespace_keys.extend(namespaces.iter().map(|name| NameKey::of(name)));
        let wsu_ns = namespaces.iter().position(|name| name == WSU_NS).map(|ns| ns as NsId);
        let mut builder = Self {
            text,
            bytes: text.as_bytes(),
            limits,
            elements,
            attributes,
            ns_decls,
            misc,
            namespaces,
            namespace_absolute,
            namespace_keys,
            wsu_ns,
            namespace_index,
            ids,
            open: Vec::with_capacity(16),
            bindings: Vec::with_capacity(16),
            root_closed: false,
            depth_cap: limits.max_depth,
            tail: Tail::None,
            names: Vec::with_capacity(8),
        };
        builder.bindings.push(Binding { prefix: "xml", ns: XML_NS_ID });
        builder
    }

    fn run(mut self, body_start: usize) -> Result<Document<'a>, XmlError> {
        self.scan(body_start, body_start)?;
        if let Some(open) = self.open.last() {
            let name = &self.text[open.name_start as usize..open.name_end as usize];
            return Err(XmlError::malformed(format!("element <{name}> is not closed"), self.text.len()));
        }
        if self.elements.is_empty() {
            return Err(XmlError::malformed("no root element", self.text.len()));
        }
        let text = self.text;
        let Tables { elements, attributes, ns_decls, misc, namespaces, namespace_absolute, ids } = self.into_tables();
        Ok(Document { text, elements, attributes, ns_decls, misc, namespaces, namespace_absolute, ids })
    }

    /// The tables filled.
    fn into_tables(self) -> Tables<'a> {
        Tables {
            elements: self.elements,
            attributes: self.attributes,
            ns_decls: self.ns_decls,
            misc: self.misc,
            namespaces: self.namespaces,
            namespace_absolute: self.namespace_absolute,
            ids: self.ids,
        }
    }

    /// Reads the markup and text from `at` to the end of the text; an XML declaration is allowed
    /// at `declaration_at` only.
    fn scan(&mut self, mut at: usize, declaration_at: usize) -> Result<(), XmlError> {
        let bytes = self.bytes;
        // The attributes of the start tag being read.
        let mut raw = Vec::with_capacity(8);
        loop {
            let lt = if bytes.get(at) == Some(&b'<') {
                at
            } else {
                let (lt, special) = scan::scan_text(bytes, at);
                self.text_run(at, lt, special)?;
                lt
            };
            at = match bytes.get(lt + 1) {
                None if lt == bytes.len() => break,
                None => return Err(XmlError::malformed("'<' at the end of the input", lt)),
                Some(b'/') => self.end_tag(lt)?,
                Some(b'!') => self.bang(lt)?,
                Some(b'?') => self.question_mark(lt, declaration_at)?,
                Some(_) => self.start_tag(lt, &mut raw)?,
            };
        }
        Ok(())
    }

    /// Character data between two pieces of markup, `[start, end)`; `special` when it holds any
    /// `&`, `>` or CR.
    #[inline]
    fn text_run(&mut self, start: usize, end: usize, special: bool) -> Result<(), XmlError> {
        if self.open.is_empty() {
            return match self.bytes[start..end].iter().position(|&b| !scan::is_space(b)) {
                None => Ok(()),
                Some(at) => Err(self.outside_root_text(start + at, end)),
            };
        }
        if end - start > self.limits.max_text_len {
            return Err(self.text_error(start, end));
        }
        if special {
            self.special_text(start, end)?;
        }
        Ok(())
    }

    /// Checks the references and `]]>` of a text run with special characters, and flags it when
    /// its canonical form differs from what is written.
    fn special_text(&mut self, start: usize, end: usize) -> Result<(), XmlError> {
        let run = &self.bytes[start..end];
        let mut needs_work = false;
        for at in memchr::memchr3_iter(b'&', b'>', b'\r', run) {
            let ok = match run[at] {
                b'&' => match scan::reference_end(run, at, b'<') {
                    Some(end) => {
                        needs_work |= !scan::is_canonical_reference(&run[at..=end], scan::Context::Text);
                        true
                    }
                    None => false,
                },
                b'>' => {
                    needs_work = true;
                    at < 2 || run[at - 2..at] != *b"]]"
                }
                _ => {
                    needs_work = true;
                    true
                }
            };
            if !ok {
                return Err(self.text_error(start, end));
            }
        }
        if needs_work {
            self.unmark_parent();
            match self.tail {
                Tail::Head(element) => self.elements[element as usize].set(flags::HEAD_TEXT_NEEDS_WORK),
                Tail::After(element) => self.elements[element as usize].set(flags::TAIL_TEXT_NEEDS_WORK),
                Tail::Misc(misc) => self.misc[misc as usize].flags |= flags::TAIL_TEXT_NEEDS_WORK,
                Tail::None => {}
            }
        }
        Ok(())
    }

    /// The error in a text run inside the root, found piece by piece (text up to a reference,
    /// then the reference) as the rules apply in document order.
    #[cold]
    fn text_error(&self, start: usize, end: usize) -> XmlError {
        let bytes = self.bytes;
        let max = self.limits.max_text_len;
        let mut piece = start;
        loop {
            let amp = memchr::memchr(b'&', &bytes[piece..end]).map_or(end, |i| piece + i);
            if amp > piece {
                let raw = &bytes[piece..amp];
                if let Some(at) = memchr::memmem::find(raw, b"]]>") {
                    return XmlError::malformed("']]>' in text", piece + at);
                }
                if amp - start > max {
                    return self.limit("max_text_len", max, piece);
                }
            }
            if amp == end {
                break;
            }
            let close = bytes[amp + 1..end].iter().position(|&b| b == b';' || b == b'&').map(|i| amp + 1 + i);
            let Some(semi) = close.filter(|&i| bytes[i] == b';') else {
                return XmlError::malformed("'&' does not start a reference", amp);
            };
            if scan::resolve_reference(&self.text[amp + 1..semi]).is_none() {
                return XmlError::malformed("undefined entity or invalid character reference", amp);
            }
            if semi + 1 - start > max {
                return self.limit("max_text_len", max, amp);
            }
            piece = semi + 1;
        }
        debug_assert!(false, "text_error called on a valid run");
        XmlError::malformed("invalid character data", start)
    }

    /// The error for character data outside the root element, whose first non-space byte is `at`.
    #[cold]
    fn outside_root_text(&self, at: usize, end: usize) -> XmlError {
        if self.bytes[at] != b'&' {
            return self.outside_root(at, "text");
        }
        match self.bytes[at + 1..end].iter().position(|&b| b == b';' || b == b'&') {
            Some(i) if self.bytes[at + 1 + i] == b';' => self.outside_root(at, "a reference"),
            _ => XmlError::malformed("'&' does not start a reference", at),
        }
    }

    /// The start tag at `lt`, its attributes read into `raw`.
    #[inline]
    fn start_tag(&mut self, lt: usize, raw: &mut Vec<RawAttribute>) -> Result<usize, XmlError> {
        raw.clear();
        let scanned = match scan::scan_start_tag(self.bytes, lt, raw) {
            Some(scanned) => scanned,
            None => {
                raw.clear();
                self.scan_start_tag_slowly(lt, raw)?
            }
        };
        self.element(lt, scanned, raw)
    }

    /// The start tag at `lt` rule by rule: where it ends (the first `>` outside quotes, the rule
    /// of the quick-xml reader the index used before, which the errors keep), then the checks in
    /// the order they report (content after the root, depth, name, attribute syntax).
    #[cold]
    fn scan_start_tag_slowly(&self, lt: usize, out: &mut Vec<RawAttribute>) -> Result<TagScan, XmlError> {
        let close = scan::tag_close(&self.bytes[lt + 1..]).map(|i| lt + 1 + i);
        let close = close.ok_or_else(|| XmlError::malformed("start tag not closed: '>' not found", lt))?;
        let empty = close > lt + 1 && self.bytes[close - 1] == b'/';
        let inner_start = lt + 1;
        let tag = &self.text[inner_start..if empty { close - 1 } else { close }];
        self.check_element_position(lt)?;
        let name_len = tag.bytes().position(scan::is_space).unwrap_or(tag.len());
        let prefix = self.check_element_name(lt, &tag[..name_len])?;
        let canonical_layout = scan::scan_attributes(tag, name_len, out)
            .map_err(|(at, what)| XmlError::malformed(what, inner_start + at))?;
        for a in out.iter_mut() {
            a.name_start += inner_start;
            a.name_end += inner_start;
            a.value_start += inner_start;
            a.value_end += inner_start;
        }
        Ok(TagScan { name_end: inner_start + name_len, prefix, tag_end: close + 1, empty, canonical_layout })
    }

    /// Refuses a start tag after the root element or too deep.
    #[inline]
    fn check_element_position(&self, lt: usize) -> Result<(), XmlError> {
        if self.open.len() >= self.depth_cap {
            return Err(self.position_error(lt));
        }
        Ok(())
    }

    /// Why the start tag at `lt` is refused where it stands: after the root, or too deep.
    #[cold]
    fn position_error(&self, lt: usize) -> XmlError {
        if self.root_closed {
            return XmlError::new(XmlErrorKind::ContentAfterRoot, lt);
        }
        self.limit("max_depth", self.limits.max_depth, lt)
    }

    /// Notes that the root element is closed when no element is open.
    #[inline]
    fn note_root_closed(&mut self) {
        if self.open.is_empty() {
            self.root_closed = true;
            self.depth_cap = 0;
        }
    }

    /// Checks the element name of the start tag at `lt`; returns its prefix length. (The fast
    /// scan takes only names this accepts.)
    fn check_element_name(&self, lt: usize, qname: &str) -> Result<usize, XmlError> {
        let prefix = scan::qname_prefix_len(qname);
        let prefix = prefix.ok_or_else(|| XmlError::malformed(format!("invalid element name '{qname}'"), lt + 1))?;
        if qname.len() > scan::MAX_NAME_LEN {
            return Err(self.limit("element name length", scan::MAX_NAME_LEN, lt));
        }
        Ok(prefix)
    }

    /// Indexes the element whose start tag at `lt` was scanned, with its attributes in `raw`.
    /// The common case, no declaration and its parent's prefix, takes no namespace lookup.
    #[inline]
    fn element(&mut self, lt: usize, tag: TagScan, raw: &[RawAttribute]) -> Result<usize, XmlError> {
        self.check_element_position(lt)?;
        let name_start = lt + 1;
        let prefix_len = tag.prefix;
        let element = self.elements.len() as u32;
        let first_attr = self.attributes.len() as u32;
        let (parent, parent_ns, parent_prefix) = match self.open.last() {
            Some(open) => (open.element, open.ns, self.has_prefix_of(open, name_start, prefix_len)),
            None => (NONE, NO_NS, false),
        };
        let (attributes_verbatim, ns_decl_count) =
            if raw.is_empty() { (true, 0) } else { self.element_attributes(lt, element, raw)? };
        let ns = if parent_prefix && ns_decl_count == 0 {
            parent_ns
        } else {
            let prefix = &self.text[name_start..name_start + prefix_len];
            self.resolve(prefix, true)
                .ok_or_else(|| XmlError::new(XmlErrorKind::UndeclaredPrefix(prefix.to_owned()), name_start))?
        };
        // Every item of the tag an attribute: no namespace declaration, not even of `xml`.
        let no_declarations = self.attributes.len() - first_attr as usize == raw.len();
        let mut element_flags = 0;
        if tag.canonical_layout && attributes_verbatim && no_declarations && !tag.empty {
            element_flags |= flags::TAG_VERBATIM;
        }
        if ns_decl_count > 0 {
            element_flags |= flags::HAS_NS_DECLS;
        }
        // A start tag with its parent's prefix, without declarations nor prefixed attributes but
        // `xml:` ones renders no declaration once its parent is output: the element is marked
        // until found otherwise.
        let mark = parent_prefix
            && (raw.is_empty()
                || no_declarations
                    && self.attributes[first_attr as usize..].iter().all(|a| matches!(a.ns, NO_NS | XML_NS_ID)));
        let mut record = ElementRecord::new(lt, tag.name_end - name_start, prefix_len, ns, element_flags, mark);
        record.parent = parent;
        record.first_attr = first_attr;
        record.end = tag.tag_end as u32;
        self.elements.push(record);
        if tag.empty {
            // `<a/>` stays marked: the canonicalizer writes the canonical start tag and the end
            // tag of every element of a marked subtree that needs them.
            if !mark {
                self.unmark_parent();
            }
            self.bindings.truncate(self.bindings.len() - ns_decl_count);
            self.note_root_closed();
            self.tail = Tail::After(element);
        } else {
            self.open.push(Open {
                element,
                name_start: name_start as u32,
                name_end: tag.name_end as u32,
                bindings: (self.bindings.len() - ns_decl_count) as u32,
                ns,
                prefix_len: prefix_len as u32,
            });
            self.tail = Tail::Head(element);
        }
        Ok(tag.tag_end)
    }

    /// Unmarks the innermost open element: its subtree is not canonical as written.
    #[inline]
    fn unmark_parent(&mut self) {
        if let Some(open) = self.open.last() {
            self.elements[open.element as usize].clear_canonical_subtree();
        }
    }

    /// Whether the element whose name starts at `name_start` has the prefix of the open element
    /// `open` (a long prefix, which the records do not hold, is not compared: false).
    #[inline]
    fn has_prefix_of(&self, open: &Open, name_start: usize, prefix_len: usize) -> bool {
        if open.prefix_len as usize != prefix_len || prefix_len >= usize::from(LONG_PREFIX) {
            return false;
        }
        let prefix = |start: usize| &self.bytes[start..start + prefix_len];
        prefix_len == 0 || scan::short_bytes_eq(prefix(name_start), prefix(open.name_start as usize))
    }

    /// Records the namespace declarations (binding them) and the attributes of one start tag.
    /// Returns whether the attributes are verbatim-canonical, and the number of declarations.
    fn element_attributes(&mut self, lt: usize, element: u32, raw: &[RawAttribute]) -> Result<(bool, usize), XmlError> {
        let max_attributes = self.limits.max_attributes.min(usize::from(u16::MAX));
        if raw.len() > max_attributes {
            return Err(self.limit("max_attributes", max_attributes, lt));
        }
        let text = self.text;
        let bytes = self.bytes;
        let name = |a: &RawAttribute| &bytes[a.name_start..a.name_end];
        for (i, a) in raw.iter().enumerate() {
            if raw[..i].iter().any(|b| scan::short_bytes_eq(name(b), name(a))) {
                let err = XmlErrorKind::DuplicateAttribute(text[a.name_start..a.name_end].to_owned());
                return Err(XmlError::new(err, a.name_start));
            }
        }
        let mut ns_decl_count = 0;
        for a in raw {
            let Some(prefix_len) = a.prefix else {
                let qname = &text[a.name_start..a.name_end];
                return Err(XmlError::malformed(format!("invalid attribute name '{qname}'"), a.name_start));
            };
            if !is_declaration(name(a), prefix_len) {
                continue;
            }
            let declared = if prefix_len == 0 { "" } else { &text[a.name_start + 6..a.name_end] };
            let raw_uri = &text[a.value_start..a.value_end];
            let uri = scan::attribute_value(raw_uri, !a.value_needs_work);
            let problem = match (declared, uri.as_ref()) {
                ("xml", XML_NS) => continue,
                ("xml", _) => Some("prefix 'xml' can only be bound to its own namespace"),
                ("xmlns", _) => Some("prefix 'xmlns' cannot be declared"),
                (_, XML_NS) | (_, XMLNS_NS) => Some("reserved namespace name bound to another prefix"),
                (p, "") if !p.is_empty() => Some("a prefix cannot be undeclared in XML 1.0"),
                _ => None,
            };
            if let Some(problem) = problem {
                return Err(XmlError::new(XmlErrorKind::Namespace(problem.to_owned()), a.name_start));
            }
            let ns = self.intern(uri);
            let prefix_start = (a.name_end - declared.len()) as u32;
            let prefix_len = declared.len() as u32;
            self.ns_decls.push(NsDeclRecord { owner: element, prefix_start, prefix_len, ns });
            self.bindings.push(Binding { prefix: declared, ns });
            ns_decl_count += 1;
        }
        if ns_decl_count == raw.len() {
            return Ok((true, ns_decl_count));
        }

        let mut names = std::mem::take(&mut self.names);
        names.clear();
        let result = self.attribute_records(element, raw, &mut names);
        self.names = names;
        result.map(|verbatim| (verbatim, ns_decl_count))
    }

    /// Records the attributes proper (not the declarations) of one start tag; returns whether
    /// they are verbatim-canonical.
    fn attribute_records(
        &mut self,
        element: u32,
        raw: &[RawAttribute],
        names: &mut Vec<(NsId, &'a str)>,
    ) -> Result<bool, XmlError> {
        let text = self.text;
        let mut verbatim = true;
        for a in raw {
            let prefix_len = a.prefix.expect("checked with the declarations");
            if is_declaration(&self.bytes[a.name_start..a.name_end], prefix_len) {
                continue;
            }
            let qname = &text[a.name_start..a.name_end];
            let prefix = &qname[..prefix_len];
            let ns = if prefix.is_empty() {
                NO_NS
            } else {
                self.resolve(prefix, false)
                    .ok_or_else(|| XmlError::new(XmlErrorKind::UndeclaredPrefix(prefix.to_owned()), a.name_start))?
            };
            let local = if prefix_len == 0 { qname } else { &qname[prefix_len + 1..] };
            if names.iter().any(|&(other_ns, other)| other_ns == ns && scan::short_eq(other, local)) {
                return Err(XmlError::new(XmlErrorKind::DuplicateAttribute(qname.to_owned()), a.name_start));
            }
            if let Some(&(previous_ns, previous_local)) = names.last() {
                // The empty name of no namespace (only `NO_NS` has it) sorts first.
                let order = if previous_ns == ns {
                    scan::short_cmp(previous_local, local)
                } else if previous_ns == NO_NS || ns == NO_NS {
                    previous_ns.cmp(&ns)
                } else {
                    self.namespaces[previous_ns as usize].cmp(&self.namespaces[ns as usize])
                };
                verbatim &= order.is_lt();
            }
            names.push((ns, local));
            verbatim &= !a.value_needs_work;
            self.record_id(element, ns, local, a)?;
            self.attributes.push(AttributeRecord::new(
                a.name_start,
                a.name_end,
                prefix_len,
                a.value_start,
                a.value_end,
                ns,
                a.value_needs_work,
            ));
        }
        Ok(verbatim)
    }

    /// Adds `wsu:Id`, `Id`, `ID` and `xml:id` values to the Id map, refusing a value already
    /// carried by another element.
    fn record_id(&mut self, element: u32, ns: NsId, local: &str, attribute: &RawAttribute) -> Result<(), XmlError> {
        let is_id = match (ns, local) {
            (NO_NS, "Id" | "ID") => true,
            (XML_NS_ID, "id") => true,
            (ns, "Id") => self.wsu_ns == Some(ns),
            _ => false,
        };
        if !is_id {
            return Ok(());
        }
        let text = self.text;
        let raw = &text[attribute.value_start..attribute.value_end];
        let value = scan::attribute_value(raw, !attribute.value_needs_work);
        self.ids.insert(value, ElementId(element)).map_err(|_| {
            let value = scan::attribute_value(raw, !attribute.value_needs_work).into_owned();
            XmlError::new(XmlErrorKind::DuplicateId(value), attribute.name_start)
        })
    }

    /// The end tag at `lt`.
    #[inline]
    fn end_tag(&mut self, lt: usize) -> Result<usize, XmlError> {
        let Some(open) = self.open.pop() else {
            return Err(self.end_tag_error(lt, None));
        };
        let name = &self.bytes[open.name_start as usize..open.name_end as usize];
        let after = lt + 2 + name.len();
        let verbatim = self.bytes.get(after) == Some(&b'>') && scan::short_bytes_eq(&self.bytes[lt + 2..after], name);
        let end = if verbatim { after + 1 } else { self.end_tag_slowly(lt, name)? };
        self.bindings.truncate(open.bindings as usize);
        let record = &mut self.elements[open.element as usize];
        record.end = end as u32;
        // Marked from its start tag on unless something inside unmarked it, it stays marked with
        // `</qname>`: then it renders nothing once its parent is output.
        if !(verbatim && record.is_canonical_subtree()) {
            record.clear_canonical_subtree();
            self.unmark_parent();
        }
        self.note_root_closed();
        self.tail = Tail::After(open.element);
        Ok(end)
    }

    /// An end tag that is not `</qname>` exactly: `</qname` and spaces, or an error.
    #[cold]
    fn end_tag_slowly(&self, lt: usize, name: &[u8]) -> Result<usize, XmlError> {
        let close = scan::tag_close(&self.bytes[lt + 2..]).map(|i| lt + 2 + i);
        let close = close.ok_or_else(|| self.end_tag_error(lt, Some(name)))?;
        let content = &self.bytes[lt + 2..close];
        let trimmed = content.iter().rposition(|&b| !scan::is_space(b)).map_or(content, |i| &content[..=i]);
        if trimmed != name {
            return Err(self.end_tag_error(lt, Some(name)));
        }
        Ok(close + 1)
    }

    #[cold]
    fn end_tag_error(&self, lt: usize, expected: Option<&[u8]>) -> XmlError {
        let close = scan::tag_close(&self.bytes[lt + 2..]).map(|i| lt + 2 + i);
        let found = close.map(|close| self.text[lt + 2..close].trim_end_matches(|c| scan::is_space(c as u8)));
        let message = match (expected, found) {
            (_, None) => "end tag not closed: '>' not found".to_owned(),
            (None, Some(found)) => format!("end tag </{found}> without a start tag"),
            (Some(expected), Some(found)) => {
                format!("expected </{}>, found </{found}>", String::from_utf8_lossy(expected))
            }
        };
        XmlError::malformed(message, lt)
    }

    /// `<!`: a comment, a CDATA section, or a refused DOCTYPE.
    fn bang(&mut self, lt: usize) -> Result<usize, XmlError> {
        let rest = &self.bytes[lt..];
        if rest.starts_with(b"<!--") {
            let close = memchr::memmem::find(&rest[4..], b"-->").map(|i| lt + 4 + i);
            let close = close.ok_or_else(|| XmlError::malformed("comment not closed: '-->' not found", lt))?;
            let content = &self.bytes[lt + 4..close];
            if memchr::memmem::find(content, b"--").is_some() || content.ends_with(b"-") {
                return Err(self.comment_error(lt, close));
            }
            let node_flags = if memchr::memchr(b'\r', content).is_some() { flags::NEEDS_WORK } else { 0 };
            self.push_misc(NodeKind::Comment, lt, close + 3, node_flags);
            return Ok(close + 3);
        }
        if rest.starts_with(b"<![CDATA[") {
            let content_start = lt + 9;
            let close = memchr::memmem::find(&self.bytes[content_start..], b"]]>").map(|i| content_start + i);
            let close = close.ok_or_else(|| XmlError::malformed("CDATA section not closed: ']]>' not found", lt))?;
            if self.open.is_empty() {
                return Err(self.outside_root(lt, "a CDATA section"));
            }
            if close - content_start > self.limits.max_text_len {
                return Err(self.limit("max_text_len", self.limits.max_text_len, lt));
            }
            let content = &self.bytes[content_start..close];
            let needs_work =
                memchr::memchr3(b'&', b'<', b'>', content).is_some() || memchr::memchr(b'\r', content).is_some();
            self.push_misc(NodeKind::CData, lt, close + 3, if needs_work { flags::NEEDS_WORK } else { 0 });
            return Ok(close + 3);
        }
        if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            return Err(XmlError::new(XmlErrorKind::Doctype, lt));
        }
        Err(XmlError::malformed("'<!' starts neither a comment nor a CDATA section", lt))
    }

    /// The error for a comment `[lt, close + 3)` with `--` inside, at the offset the quick-xml
    /// reader gave (kept for stable errors): after `<!--`, the index of the offending `-` within
    /// what follows the previous `-`.
    #[cold]
    fn comment_error(&self, lt: usize, close: usize) -> XmlError {
        let comment = &self.bytes[lt..close + 3];
        let mut haystack = &comment[4..comment.len() - 3];
        let mut off = 0;
        while let Some(p) = memchr::memchr(b'-', haystack) {
            off += p + 1;
            if comment[4 + off] == b'-' {
                return XmlError::malformed("'--' inside a comment", lt + 4 + p);
            }
            haystack = &haystack[p + 1..];
        }
        XmlError::malformed("'--' inside a comment", lt)
    }

    fn push_misc(&mut self, kind: NodeKind, start: usize, end: usize, node_flags: u8) {
        self.unmark_parent();
        self.tail = Tail::Misc(self.misc.len() as u32);
        self.misc.push(MiscRecord { start: start as u32, end: end as u32, kind, flags: node_flags });
    }

    /// `<?`: the XML declaration or a processing instruction.
    fn question_mark(&mut self, lt: usize, body_start: usize) -> Result<usize, XmlError> {
        let close = memchr::memmem::find(&self.bytes[lt + 1..], b"?>").map(|i| lt + 1 + i);
        let close =
            close.ok_or_else(|| XmlError::malformed("processing instruction not closed: '?>' not found", lt))?;
        let end = close + 2;
        if end - lt <= 3 {
            return Err(XmlError::malformed("processing instruction not closed: '?>' not found", lt));
        }
        let content = &self.bytes[lt + 2..close];
        if content.starts_with(b"xml") && content.get(3).is_none_or(|&b| scan::is_space(b)) {
            if lt != body_start {
                return Err(XmlError::malformed("XML declaration not at the start", lt));
            }
            self.declaration(lt, end)?;
        } else {
            self.processing_instruction(lt, end)?;
        }
        Ok(end)
    }

    fn declaration(&mut self, start: usize, end: usize) -> Result<(), XmlError> {
        let inner = &self.text[start + 2..end - 2];
        let mut attrs = Vec::new();
        let layout = scan::scan_attributes(inner, 3, &mut attrs).map(|_| ());
        layout.map_err(|(at, what)| XmlError::malformed(what, start + 2 + at))?;
        let names: Vec<&str> = attrs.iter().map(|a| &inner[a.name_start..a.name_end]).collect();
        let value = |i: usize| &inner[attrs[i].value_start..attrs[i].value_end];
        let order_ok = matches!(
            names.as_slice(),
            ["version"] | ["version", "encoding"] | ["version", "standalone"] | ["version", "encoding", "standalone"]
        );
        if !order_ok {
            return Err(XmlError::malformed("XML declaration must be version, encoding, standalone", start));
        }
        if value(0) != "1.0" {
            return Err(XmlError::malformed(format!("XML version {} is not supported", value(0)), start));
        }
        if let Some(i) = names.iter().position(|&n| n == "encoding")
            && !value(i).eq_ignore_ascii_case("UTF-8")
        {
            return Err(XmlError::new(XmlErrorKind::Encoding(format!("declared encoding {}", value(i))), start));
        }
        if let Some(i) = names.iter().position(|&n| n == "standalone")
            && !matches!(value(i), "yes" | "no")
        {
            return Err(XmlError::malformed("standalone must be yes or no", start));
        }
        Ok(())
    }

    fn processing_instruction(&mut self, start: usize, end: usize) -> Result<(), XmlError> {
        let inner = &self.text[start + 2..end - 2];
        let target_len = inner.bytes().position(scan::is_space).unwrap_or(inner.len());
        let target = &inner[..target_len];
        if !scan::is_name(target) || target.contains(':') {
            return Err(XmlError::malformed(format!("invalid processing instruction target '{target}'"), start));
        }
        if target.eq_ignore_ascii_case("xml") {
            return Err(XmlError::malformed("processing instruction target 'xml' is reserved", start));
        }
        let rest = &inner[target_len..];
        let canonical = rest.is_empty()
            || (rest.starts_with(' ') && !rest[1..].starts_with(|c: char| scan::is_space(c as u8)) && rest.len() > 1);
        let node_flags = if canonical && !rest.contains('\r') { 0 } else { flags::NEEDS_WORK };
        self.push_misc(NodeKind::Pi, start, end, node_flags);
        Ok(())
    }

    fn outside_root(&self, at: usize, what: &str) -> XmlError {
        if self.root_closed {
            XmlError::new(XmlErrorKind::ContentAfterRoot, at)
        } else {
            XmlError::malformed(format!("{what} before the root element"), at)
        }
    }

    fn limit(&self, limit: &'static str, max: usize, at: usize) -> XmlError {
        XmlError::new(XmlErrorKind::LimitExceeded { limit, max }, at)
    }

    /// The namespace bound to `prefix`; for elements the empty prefix means the default namespace,
    /// which is "no namespace" when undeclared.
    #[inline]
    fn resolve(&self, prefix: &str, element: bool) -> Option<NsId> {
        if prefix.is_empty() && !element {
            return Some(NO_NS);
        }
        match self.bindings.iter().rev().find(|b| scan::short_eq(b.prefix, prefix)) {
            Some(binding) => Some(binding.ns),
            None if prefix.is_empty() => Some(NO_NS),
            None => None,
        }
    }

    fn intern(&mut self, uri: Cow<'a, str>) -> NsId {
        let key = NameKey::of(&uri);
        if self.namespaces.len() <= LINEAR_NAMESPACES {
            let mut known = self.namespace_keys.iter().zip(&self.namespaces);
            let same = |(k, name): (&NameKey, &Cow<'a, str>)| {
                *k == key && scan::short_bytes_eq(name.as_bytes(), uri.as_bytes())
            };
            if let Some(ns) = known.position(same) {
                return ns as NsId;
            }
        } else if let Some(&ns) = self.namespace_index.get(&uri) {
            return ns;
        }
        let ns = self.namespaces.len() as NsId;
        if self.wsu_ns.is_none() && uri == WSU_NS {
            self.wsu_ns = Some(ns);
        }
        self.namespace_keys.push(key);
        self.namespace_absolute.push(uri.is_empty() || scan::is_absolute_uri(&uri));
        self.namespaces.push(uri);
        if self.namespaces.len() > LINEAR_NAMESPACES {
            if self.namespace_index.is_empty() {
                let all = self.namespaces.iter().enumerate().map(|(i, name)| (name.clone(), i as NsId));
                self.namespace_index.extend(all);
            } else {
                self.namespace_index.insert(self.namespaces[ns as usize].clone(), ns);
            }
        }
        ns
    }
}
