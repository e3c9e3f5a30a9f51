//! The single pass that turns input bytes into a [`Document`] index.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::scan::{self, RawAttribute};
use super::{
    AttributeRecord, Document, ElementId, ElementRecord, Limits, NO_NS, NONE, Node, NodeKind, NsDeclRecord, NsId,
    WSU_NS, XML_NS, XML_NS_ID, XMLNS_NS, XmlError, XmlErrorKind, flags,
};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn parse<'a>(input: &'a [u8], limits: &Limits) -> Result<Document<'a>, XmlError> {
    let max_size = limits.max_size.min(u32::MAX as usize);
    if input.len() > max_size {
        return Err(XmlError::new(XmlErrorKind::LimitExceeded { limit: "max_size", max: max_size }, max_size));
    }
    let text = check_encoding(input)?;
    if let Some(at) = scan::find_forbidden_char(input) {
        return Err(XmlError::malformed("character not allowed in XML 1.0", at));
    }
    let body_start = if input.starts_with(UTF8_BOM) { UTF8_BOM.len() } else { 0 };
    Builder::new(text, limits).run(body_start)
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

/// A prefix bound by a namespace declaration in scope.
struct Binding<'a> {
    prefix: &'a str,
    ns: NsId,
}

struct Builder<'a, 'l> {
    text: &'a str,
    limits: &'l Limits,
    elements: Vec<ElementRecord>,
    nodes: Vec<Node>,
    attributes: Vec<AttributeRecord>,
    ns_decls: Vec<NsDeclRecord>,
    namespaces: Vec<Cow<'a, str>>,
    namespace_absolute: Vec<bool>,
    namespace_index: HashMap<Cow<'a, str>, NsId>,
    ids: HashMap<Cow<'a, str>, ElementId>,
    /// Open elements, innermost last, with the number of bindings when each was opened.
    open: Vec<(u32, usize)>,
    bindings: Vec<Binding<'a>>,
    root_closed: bool,
    scratch: Vec<RawAttribute>,
}

impl<'a, 'l> Builder<'a, 'l> {
    fn new(text: &'a str, limits: &'l Limits) -> Self {
        // Every element and every other piece of markup starts with '<'; text runs sit between
        // them. Reserving from that count avoids regrowing (and copying) the tables; untouched
        // capacity costs address space only.
        let markup = memchr::memchr_iter(b'<', text.as_bytes()).count();
        let mut builder = Self {
            text,
            limits,
            elements: Vec::with_capacity(markup),
            nodes: Vec::with_capacity(markup * 3 + 1),
            attributes: Vec::new(),
            ns_decls: Vec::new(),
            namespaces: Vec::new(),
            namespace_absolute: Vec::new(),
            namespace_index: HashMap::new(),
            ids: HashMap::new(),
            open: Vec::new(),
            bindings: vec![Binding { prefix: "xml", ns: XML_NS_ID }],
            root_closed: false,
            scratch: Vec::new(),
        };
        builder.intern(Cow::Borrowed(""));
        builder.intern(Cow::Borrowed(XML_NS));
        builder
    }

    fn run(mut self, body_start: usize) -> Result<Document<'a>, XmlError> {
        let mut reader = Reader::from_reader(&self.text.as_bytes()[body_start..]);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.check_comments = true;
        config.expand_empty_elements = false;
        loop {
            let start = body_start + reader.buffer_position() as usize;
            let event = reader
                .read_event()
                .map_err(|e| XmlError::malformed(e.to_string(), body_start + reader.error_position() as usize))?;
            let end = body_start + reader.buffer_position() as usize;
            match event {
                Event::Eof => break,
                Event::Decl(_) if start == body_start => self.declaration(start, end)?,
                Event::Decl(_) => return Err(XmlError::malformed("XML declaration not at the start", start)),
                Event::DocType(_) => return Err(XmlError::new(XmlErrorKind::Doctype, start)),
                Event::Start(_) => self.start_tag(start, end, false)?,
                Event::Empty(_) => self.start_tag(start, end, true)?,
                Event::End(_) => self.end_tag(start, end),
                Event::Text(_) => self.text(start, end)?,
                Event::GeneralRef(_) => self.reference(start, end)?,
                Event::CData(_) => self.cdata(start, end)?,
                Event::Comment(_) => self.comment(start, end)?,
                Event::PI(_) => self.processing_instruction(start, end)?,
            }
        }
        if let Some(&(element, _)) = self.open.last() {
            let name = self.qname(&self.elements[element as usize]).to_owned();
            return Err(XmlError::malformed(format!("element <{name}> is not closed"), self.text.len()));
        }
        if self.elements.is_empty() {
            return Err(XmlError::malformed("no root element", self.text.len()));
        }
        Ok(Document {
            text: self.text,
            elements: self.elements,
            nodes: self.nodes,
            attributes: self.attributes,
            ns_decls: self.ns_decls,
            namespaces: self.namespaces,
            namespace_absolute: self.namespace_absolute,
            ids: self.ids,
        })
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

    fn start_tag(&mut self, start: usize, end: usize, empty: bool) -> Result<(), XmlError> {
        if self.root_closed {
            return Err(XmlError::new(XmlErrorKind::ContentAfterRoot, start));
        }
        if self.open.len() >= self.limits.max_depth {
            return Err(self.limit("max_depth", self.limits.max_depth, start));
        }
        let inner_start = start + 1;
        let tag = &self.text[inner_start..end - if empty { 2 } else { 1 }];
        let name_len = tag.bytes().position(scan::is_space).unwrap_or(tag.len());
        let qname = &tag[..name_len];
        let prefix_len = scan::qname_prefix_len(qname)
            .ok_or_else(|| XmlError::malformed(format!("invalid element name '{qname}'"), inner_start))?;
        if name_len > usize::from(u16::MAX) {
            return Err(self.limit("element name length", usize::from(u16::MAX), start));
        }
        let mut raw = std::mem::take(&mut self.scratch);
        raw.clear();
        let canonical_layout = scan::scan_attributes(tag, name_len, &mut raw)
            .map_err(|(at, what)| XmlError::malformed(what, inner_start + at))?;
        let max_attributes = self.limits.max_attributes.min(usize::from(u16::MAX));
        if raw.len() > max_attributes {
            return Err(self.limit("max_attributes", max_attributes, start));
        }
        let element = self.elements.len() as u32;
        let result = self.element_attributes(element, inner_start, tag, &raw);
        let raw_count = raw.len();
        self.scratch = raw;
        let (attributes_verbatim, ns_decl_count, attr_count) = result?;

        let prefix = &qname[..prefix_len];
        let ns = self
            .resolve(prefix, true)
            .ok_or_else(|| XmlError::new(XmlErrorKind::UndeclaredPrefix(prefix.to_owned()), inner_start))?;
        let mut element_flags = 0;
        if empty {
            element_flags |= flags::EMPTY;
        } else if canonical_layout && attributes_verbatim && raw_count == usize::from(attr_count) {
            element_flags |= flags::TAG_VERBATIM;
        }
        let parent = self.open.last().map_or(NONE, |&(p, _)| p);
        let node = self.nodes.len() as u32;
        self.elements.push(ElementRecord {
            start: start as u32,
            tag_end: end as u32,
            end: end as u32,
            parent,
            subtree_end: element + 1,
            first_attr: self.attributes.len() as u32 - u32::from(attr_count),
            first_ns_decl: self.ns_decls.len() as u32 - u32::from(ns_decl_count),
            start_node: node,
            end_node: node,
            ns,
            name_len: name_len as u16,
            prefix_len: prefix_len as u16,
            attr_count,
            ns_decl_count,
            flags: element_flags,
        });
        self.nodes.push(Node { kind: NodeKind::Start, flags: 0, start: start as u32, end: end as u32, element });
        if empty {
            self.nodes.push(Node { kind: NodeKind::End, flags: 0, start: end as u32, end: end as u32, element });
            self.elements[element as usize].end_node = node + 1;
            self.bindings.truncate(self.bindings.len() - usize::from(ns_decl_count));
            self.root_closed = self.open.is_empty();
        } else {
            self.open.push((element, self.bindings.len() - usize::from(ns_decl_count)));
        }
        Ok(())
    }

    /// Records the namespace declarations (binding them) and the attributes of one start tag.
    /// Returns whether the attributes are verbatim-canonical, and the two counts.
    fn element_attributes(
        &mut self,
        element: u32,
        inner_start: usize,
        tag: &'a str,
        raw: &[RawAttribute],
    ) -> Result<(bool, u16, u16), XmlError> {
        let name = |a: &RawAttribute| &tag[a.name_start..a.name_end];
        for (i, a) in raw.iter().enumerate() {
            if raw[..i].iter().any(|b| scan::short_eq(name(b), name(a))) {
                let err = XmlErrorKind::DuplicateAttribute(name(a).to_owned());
                return Err(XmlError::new(err, inner_start + a.name_start));
            }
        }
        let mut ns_decl_count = 0u16;
        for a in raw {
            let qname = name(a);
            let at = inner_start + a.name_start;
            if scan::qname_prefix_len(qname).is_none() {
                return Err(XmlError::malformed(format!("invalid attribute name '{qname}'"), at));
            }
            let declared = match qname.strip_prefix("xmlns") {
                Some("") => Some(""),
                Some(rest) => rest.strip_prefix(':'),
                None => None,
            };
            let Some(prefix) = declared else { continue };
            let uri = scan::decode(&tag[a.value_start..a.value_end], true);
            let problem = match (prefix, uri.as_ref()) {
                ("xml", XML_NS) => continue,
                ("xml", _) => Some("prefix 'xml' can only be bound to its own namespace"),
                ("xmlns", _) => Some("prefix 'xmlns' cannot be declared"),
                (_, XML_NS) | (_, XMLNS_NS) => Some("reserved namespace name bound to another prefix"),
                (p, "") if !p.is_empty() => Some("a prefix cannot be undeclared in XML 1.0"),
                _ => None,
            };
            if let Some(problem) = problem {
                return Err(XmlError::new(XmlErrorKind::Namespace(problem.to_owned()), at));
            }
            let ns = self.intern(uri);
            let prefix_start = (inner_start + a.name_start + qname.len() - prefix.len()) as u32;
            self.ns_decls.push(NsDeclRecord { prefix_start, prefix_len: prefix.len() as u16, ns });
            self.bindings.push(Binding { prefix, ns });
            ns_decl_count += 1;
        }

        let first = self.attributes.len();
        let mut verbatim = true;
        let mut previous: Option<(NsId, &str)> = None;
        for a in raw {
            let qname = name(a);
            let at = inner_start + a.name_start;
            if qname == "xmlns" || qname.starts_with("xmlns:") {
                continue;
            }
            let prefix_len = scan::qname_prefix_len(qname).expect("checked with the declarations");
            let prefix = &qname[..prefix_len];
            let ns = if prefix.is_empty() {
                NO_NS
            } else {
                self.resolve(prefix, false)
                    .ok_or_else(|| XmlError::new(XmlErrorKind::UndeclaredPrefix(prefix.to_owned()), at))?
            };
            let local = if prefix_len == 0 { qname } else { &qname[prefix_len + 1..] };
            let duplicate = self.attributes[first..]
                .iter()
                .any(|other| other.ns == ns && self.attribute_local_name(other) == local);
            if duplicate {
                return Err(XmlError::new(XmlErrorKind::DuplicateAttribute(qname.to_owned()), at));
            }
            if let Some((previous_ns, previous_local)) = previous {
                let order = if previous_ns == ns {
                    scan::short_cmp(previous_local, local)
                } else {
                    self.namespaces[previous_ns as usize].cmp(&self.namespaces[ns as usize])
                };
                verbatim &= order.is_lt();
            }
            previous = Some((ns, local));
            verbatim &= !a.value_needs_work;
            self.record_id(element, ns, local, &tag[a.value_start..a.value_end], at)?;
            self.attributes.push(AttributeRecord {
                name_start: (inner_start + a.name_start) as u32,
                value_start: (inner_start + a.value_start) as u32,
                value_len: (a.value_end - a.value_start) as u32,
                ns,
                name_len: qname.len() as u16,
                prefix_len: prefix_len as u16,
                flags: if a.value_needs_work { flags::VALUE_NEEDS_WORK } else { 0 },
            });
        }
        let attr_count = (self.attributes.len() - first) as u16;
        Ok((verbatim, ns_decl_count, attr_count))
    }

    fn attribute_local_name(&self, record: &AttributeRecord) -> &'a str {
        let name = &self.text[record.name_start as usize..(record.name_start + u32::from(record.name_len)) as usize];
        if record.prefix_len == 0 { name } else { &name[usize::from(record.prefix_len) + 1..] }
    }

    /// Adds `wsu:Id`, `Id`, `ID` and `xml:id` values to the Id map, refusing a value already
    /// carried by another element.
    fn record_id(&mut self, element: u32, ns: NsId, local: &str, raw: &'a str, at: usize) -> Result<(), XmlError> {
        let is_id = match (ns, local) {
            (NO_NS, "Id" | "ID") => true,
            (XML_NS_ID, "id") => true,
            (ns, "Id") => self.namespaces[ns as usize] == WSU_NS,
            _ => false,
        };
        if !is_id {
            return Ok(());
        }
        match self.ids.entry(scan::decode(raw, true)) {
            Entry::Vacant(slot) => {
                slot.insert(ElementId(element));
            }
            Entry::Occupied(slot) if slot.get().0 == element => {}
            Entry::Occupied(slot) => {
                return Err(XmlError::new(XmlErrorKind::DuplicateId(slot.key().to_string()), at));
            }
        }
        Ok(())
    }

    fn end_tag(&mut self, start: usize, end: usize) {
        let (element, bindings_before) = self.open.pop().expect("quick-xml checks end tags against open elements");
        self.bindings.truncate(bindings_before);
        let node = self.nodes.len() as u32;
        self.nodes.push(Node { kind: NodeKind::End, flags: 0, start: start as u32, end: end as u32, element });
        let subtree_end = self.elements.len() as u32;
        let record = &mut self.elements[element as usize];
        record.end = end as u32;
        record.end_node = node;
        record.subtree_end = subtree_end;
        if end - start == usize::from(record.name_len) + 3 {
            record.flags |= flags::END_VERBATIM;
        }
        self.root_closed = self.open.is_empty();
    }

    fn text(&mut self, start: usize, end: usize) -> Result<(), XmlError> {
        let raw = &self.text.as_bytes()[start..end];
        if self.open.is_empty() {
            return match raw.iter().position(|&b| !scan::is_space(b)) {
                None => Ok(()),
                Some(at) => Err(self.outside_root(start + at, "text")),
            };
        }
        let mut needs_work = false;
        let mut from = 0;
        while let Some(hit) = memchr::memchr3(b'&', b'>', b'\r', &raw[from..]) {
            let at = from + hit;
            if raw[at] == b'>' && at >= 2 && &raw[at - 2..at] == b"]]" {
                return Err(XmlError::malformed("']]>' in text", start + at - 2));
            }
            needs_work = true;
            from = at + 1;
        }
        self.push_text(start, end, needs_work)
    }

    fn reference(&mut self, start: usize, end: usize) -> Result<(), XmlError> {
        if self.open.is_empty() {
            return Err(self.outside_root(start, "a reference"));
        }
        if scan::resolve_reference(&self.text[start + 1..end - 1]).is_none() {
            return Err(XmlError::malformed("undefined entity or invalid character reference", start));
        }
        self.push_text(start, end, true)
    }

    /// Appends character data, merging it with the text node it directly follows.
    fn push_text(&mut self, start: usize, end: usize, needs_work: bool) -> Result<(), XmlError> {
        let work = if needs_work { flags::NEEDS_WORK } else { 0 };
        match self.nodes.last_mut() {
            Some(last) if last.kind == NodeKind::Text && last.end as usize == start => {
                last.end = end as u32;
                last.flags |= work;
            }
            _ => self.nodes.push(Node {
                kind: NodeKind::Text,
                flags: work,
                start: start as u32,
                end: end as u32,
                element: NONE,
            }),
        }
        let last = self.nodes.last().expect("just pushed");
        if (last.end - last.start) as usize > self.limits.max_text_len {
            return Err(self.limit("max_text_len", self.limits.max_text_len, start));
        }
        Ok(())
    }

    fn cdata(&mut self, start: usize, end: usize) -> Result<(), XmlError> {
        if self.open.is_empty() {
            return Err(self.outside_root(start, "a CDATA section"));
        }
        let (content_start, content_end) = (start + "<![CDATA[".len(), end - "]]>".len());
        if content_end - content_start > self.limits.max_text_len {
            return Err(self.limit("max_text_len", self.limits.max_text_len, start));
        }
        let content = &self.text.as_bytes()[content_start..content_end];
        let needs_work = content.iter().any(|b| matches!(b, b'&' | b'<' | b'>' | b'\r'));
        let node_flags = if needs_work { flags::NEEDS_WORK } else { 0 };
        let node = Node {
            kind: NodeKind::CData,
            flags: node_flags,
            start: content_start as u32,
            end: content_end as u32,
            element: NONE,
        };
        self.nodes.push(node);
        Ok(())
    }

    fn comment(&mut self, start: usize, end: usize) -> Result<(), XmlError> {
        let content = &self.text.as_bytes()[start + 4..end - 3];
        if memchr::memmem::find(content, b"--").is_some() || content.ends_with(b"-") {
            return Err(XmlError::malformed("'--' inside a comment", start));
        }
        let node_flags = if content.contains(&b'\r') { flags::NEEDS_WORK } else { 0 };
        self.nodes.push(Node {
            kind: NodeKind::Comment,
            flags: node_flags,
            start: start as u32,
            end: end as u32,
            element: NONE,
        });
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
        self.nodes.push(Node {
            kind: NodeKind::Pi,
            flags: node_flags,
            start: start as u32,
            end: end as u32,
            element: NONE,
        });
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

    fn qname(&self, record: &ElementRecord) -> &'a str {
        &self.text[record.start as usize + 1..record.start as usize + 1 + usize::from(record.name_len)]
    }

    /// The namespace bound to `prefix`; for elements the empty prefix means the default namespace,
    /// which is "no namespace" when undeclared.
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
        if let Some(&ns) = self.namespace_index.get(&uri) {
            return ns;
        }
        let ns = self.namespaces.len() as NsId;
        self.namespace_absolute.push(uri.is_empty() || scan::is_absolute_uri(&uri));
        self.namespaces.push(uri.clone());
        self.namespace_index.insert(uri, ns);
        ns
    }
}
