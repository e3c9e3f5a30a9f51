//! The index of a decrypted envelope, grafted onto the received envelope's: each plaintext is
//! indexed as content of the element the replaced one stood in (the prefixes in scope there, its
//! depth, its namespace) by the parser's own builder, and the received document's records are
//! copied around it, shifted. Only the plaintexts are read. Anything unusual about a plaintext
//! (malformed, not balanced, its parent left canonical, a text run it joins refused) is left to a
//! parse of the whole input: the result is always exactly [`Document::parse`]'s.

use std::borrow::Cow;
use std::ops::Range;

use smallvec::SmallVec;

use super::ids::IdIndex;
use super::parse::{self, Context, Tables, Tail};
use super::{
    CANONICAL_SUBTREE, Document, ElementId, LONG_PREFIX, Limits, NO_NS, NONE, NsId, WIDE_NS, XML_NS_ID, XmlError,
    flags, scan,
};

/// One element of a received input, replaced by a plaintext in the new input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Replacement {
    /// The element's span in the received input.
    pub received: Range<usize>,
    /// Where the plaintext landed in the new input.
    pub placed: Range<usize>,
}

impl Document<'_> {
    /// The index of `spliced`: this document's input with the elements of `replacements` (in
    /// input order, each exactly one element's span, not the root's) replaced by plaintexts.
    /// Succeeds exactly when `Document::parse(spliced, limits)` does, with the same index, when
    /// this document was parsed with the same limits.
    pub(crate) fn graft<'b>(
        self,
        spliced: &'b [u8],
        replacements: &[Replacement],
        limits: &Limits,
    ) -> Result<Document<'b>, XmlError> {
        if let Some(doc) = Composer::compose(&self, spliced, replacements, limits) {
            #[cfg(debug_assertions)]
            assert_same_as_parse(&doc, limits);
            return Ok(doc);
        }
        drop(self);
        Document::parse(spliced, limits)
    }
}

/// In builds with debug assertions (the tests, fuzzing with `-a`), every grafted index is checked
/// against a parse of the whole input: they must be equal in every table and field.
#[cfg(debug_assertions)]
fn assert_same_as_parse(grafted: &Document<'_>, limits: &Limits) {
    let parsed = Document::parse(grafted.input(), limits);
    let parsed = parsed.unwrap_or_else(|e| panic!("grafted an index the whole parse refuses: {e}"));
    assert_same(grafted, &parsed);
}

/// Asserts two indexes are equal in every table and field (spare capacities aside).
#[cfg(debug_assertions)]
fn assert_same(grafted: &Document<'_>, parsed: &Document<'_>) {
    assert_eq!(grafted.text, parsed.text);
    assert_eq!(*grafted.elements, *parsed.elements, "elements");
    assert_eq!(*grafted.attributes, *parsed.attributes, "attributes");
    assert_eq!(grafted.ns_decls, parsed.ns_decls, "namespace declarations");
    assert_eq!(grafted.misc, parsed.misc, "comments, PIs, CDATA sections");
    assert_eq!(grafted.namespaces, parsed.namespaces, "namespace names");
    assert_eq!(grafted.namespace_absolute, parsed.namespace_absolute, "absolute namespace names");
    assert_eq!(grafted.ids, parsed.ids, "Id map");
}

/// A replaced element's subtree, and how element ids shift after it.
struct Removed {
    /// The replaced element and the first element after its subtree (received ids).
    first: u32,
    end: u32,
    /// Added (wrapping) to a received id from `end` on.
    shift: u32,
}

/// The new tables, built segment by segment: the received records up to a replaced element, its
/// plaintext's, the records after its subtree up to the next one, and so on.
struct Composer<'o, 'a, 'b> {
    old: &'o Document<'a>,
    text: &'b str,
    replacements: &'o [Replacement],
    limits: &'o Limits,
    /// Out only while a plaintext is parsed into them.
    tables: Option<Tables<'b>>,
    /// The plaintexts' Ids, joined with the received ones' at the end.
    fragment_ids: IdIndex<'b>,
    removed: SmallVec<[Removed; 4]>,
    /// The first received element and input offset not yet copied.
    next_element: u32,
    next_offset: usize,
    /// Added (wrapping) to a received offset from `next_offset` on.
    offset_shift: u32,
}

impl<'o, 'a, 'b> Composer<'o, 'a, 'b> {
    /// The grafted document, or `None` to leave it to a parse of the whole input.
    fn compose(
        old: &'o Document<'a>,
        spliced: &'b [u8],
        replacements: &'o [Replacement],
        limits: &'o Limits,
    ) -> Option<Document<'b>> {
        if spliced.len() > limits.max_size.min(u32::MAX as usize)
            || old.namespaces.len() >= usize::from(WIDE_NS)
            || !fits(old.text, spliced, replacements)
        {
            return None;
        }
        // SAFETY: `fits` checked that `spliced` is a sequence of valid UTF-8 pieces (pieces of the
        // received text cut at character boundaries, and the plaintexts).
        let text = unsafe { std::str::from_utf8_unchecked(spliced) };
        let mut composer = Composer {
            old,
            text,
            replacements,
            limits,
            tables: None,
            fragment_ids: IdIndex::default(),
            removed: SmallVec::new(),
            next_element: 0,
            next_offset: 0,
            offset_shift: 0,
        };
        let mut tables = Tables::for_input(spliced.len());
        tables.namespaces.extend(old.namespaces[2..].iter().map(|name| composer.rebase(name)));
        tables.namespace_absolute.extend_from_slice(&old.namespace_absolute[2..]);
        composer.tables = Some(tables);
        for replacement in replacements {
            composer.replace(replacement)?;
        }
        composer.copy_segment(old.elements.len() as u32, old.input().len());
        composer.finish()
    }

    /// Copies the records up to the replaced element, parses its plaintext in its place.
    fn replace(&mut self, replacement: &Replacement) -> Option<()> {
        let old = self.old;
        let replaced = old.element_at(replacement.received.start)?.0;
        let record = &old.elements[replaced as usize];
        if record.end as usize != replacement.received.end || record.parent == NONE {
            return None;
        }
        let old_parent = record.parent;
        self.copy_segment(replaced, replacement.received.start);
        let parent = self.new_id(old_parent);
        let mut ancestor = old_parent;
        while ancestor != NONE {
            let end = self.map_offset(old.elements[ancestor as usize].end as usize) as u32;
            let id = self.new_id(ancestor);
            self.tables.as_mut()?.elements[id as usize].end = end;
            ancestor = old.elements[ancestor as usize].parent;
        }
        let mut tables = self.tables.take()?;
        // Unless its start tag already tells, the parent is marked until the plaintext shows otherwise.
        let may_be_canonical = !starts_unmarked(old, old_parent);
        if may_be_canonical {
            tables.elements[parent as usize].set_canonical_subtree();
        }
        let (tail, run_start) = self.tail_before(&tables, parent, old_parent);
        let parent_record = &old.elements[old_parent as usize];
        let context = Context {
            parent,
            name: (
                self.map_offset(parent_record.start as usize + 1) as u32,
                self.map_offset(old.name_end(parent_record) as usize) as u32,
            ),
            prefix_len: old.prefix_len_of(parent_record),
            ns: old.element_ns(old_parent),
            depth: old.element(ElementId(old_parent)).depth(),
            bindings: self.bindings(old_parent),
            tail,
        };
        std::mem::swap(&mut tables.ids, &mut self.fragment_ids);
        let text = self.text.get(..replacement.placed.end)?;
        let (mut tables, end_tail) =
            parse::parse_fragment(text, replacement.placed.start, self.limits, tables, context).ok()?;
        std::mem::swap(&mut tables.ids, &mut self.fragment_ids);
        // Unmarked, the parent unmarks its ancestors; left marked by the plaintext, its other
        // content decides: left to the parse.
        if tables.elements[parent as usize].is_canonical_subtree() {
            return None;
        }
        if may_be_canonical {
            let mut ancestor = tables.elements[parent as usize].parent;
            while ancestor != NONE {
                tables.elements[ancestor as usize].clear_canonical_subtree();
                ancestor = tables.elements[ancestor as usize].parent;
            }
        }
        // The character data after the replaced element now follows the plaintext's end.
        if record.has(flags::TAIL_TEXT_NEEDS_WORK) {
            mark_text_needs_work(&mut tables, end_tail);
        }
        let ends_with_markup = end_tail != tail;
        let run_end = ends_with_markup.then(|| markup_end(&tables, end_tail));
        self.check_joined_text(replacement.placed.clone(), run_start, run_end)?;
        let end = old.subtree_end(replaced);
        let shift = (tables.elements.len() as u32).wrapping_sub(end);
        self.tables = Some(tables);
        self.removed.push(Removed { first: replaced, end, shift });
        self.next_element = end;
        self.next_offset = replacement.received.end;
        self.offset_shift = self.map_offset(replacement.received.end).wrapping_sub(replacement.received.end) as u32;
        Some(())
    }

    /// Copies the received records from the last copied up to element `end_element` and offset
    /// `end_offset`, shifted.
    fn copy_segment(&mut self, end_element: u32, end_offset: usize) {
        let old = self.old;
        let (first, shift) = (self.next_element, self.removed.last().map_or(0, |r| r.shift));
        let offset_shift = self.offset_shift;
        let first_attr =
            |element: u32| old.elements.get(element as usize).map_or(old.attributes.len(), |e| e.first_attr as usize);
        let attributes = first_attr(first)..first_attr(end_element);
        let Some(tables) = self.tables.as_mut() else { return };
        let attribute_shift = (tables.attributes.len() as u32).wrapping_sub(attributes.start as u32);
        let elements = &old.elements[first as usize..end_element as usize];
        if self.removed.is_empty() {
            // Before the first replaced element nothing moves.
            tables.elements.extend_from_slice(elements);
            tables.attributes.extend_from_slice(&old.attributes[attributes]);
        } else {
            let removed = &self.removed;
            let new_id = |id: u32| if id >= first { id.wrapping_add(shift) } else { shifted_id(removed, id) };
            tables.elements.extend(elements.iter().map(|e| {
                let mut e = e.clone();
                e.start = e.start.wrapping_add(offset_shift);
                e.end = e.end.wrapping_add(offset_shift);
                e.parent = if e.parent == NONE { NONE } else { new_id(e.parent) };
                e.first_attr = e.first_attr.wrapping_add(attribute_shift);
                e
            }));
            tables.attributes.extend(old.attributes[attributes].iter().map(|a| {
                let mut a = *a;
                a.name_start = a.name_start.wrapping_add(offset_shift);
                a
            }));
        }
        let decls = old.ns_decls_of(first, end_element);
        tables.ns_decls.extend(decls.iter().map(|d| {
            let mut d = *d;
            d.owner = d.owner.wrapping_add(shift);
            d.prefix_start = d.prefix_start.wrapping_add(offset_shift);
            d
        }));
        let misc_first = old.misc.partition_point(|m| (m.start as usize) < self.next_offset);
        let misc_end = misc_first + old.misc[misc_first..].partition_point(|m| (m.start as usize) < end_offset);
        tables.misc.extend(old.misc[misc_first..misc_end].iter().map(|m| {
            let mut m = *m;
            m.start = m.start.wrapping_add(offset_shift);
            m.end = m.end.wrapping_add(offset_shift);
            m
        }));
    }

    /// The record the character data before a plaintext belongs to (the last markup before it,
    /// inside `parent`), and where that character data starts.
    fn tail_before(&self, tables: &Tables<'b>, parent: u32, old_parent: u32) -> (Tail, usize) {
        let elements = &tables.elements;
        let last = elements.len() as u32 - 1;
        let mut tail = (Tail::Head(parent), self.map_offset(self.old.tag_end(old_parent) as usize));
        if last != parent {
            let mut sibling = last;
            // Every element after the parent so far is inside it.
            while elements[sibling as usize].parent != parent && elements[sibling as usize].parent != NONE {
                sibling = elements[sibling as usize].parent;
            }
            tail = (Tail::After(sibling), elements[sibling as usize].end as usize);
        }
        if let Some(misc) = tables.misc.last()
            && misc.start as usize >= tail.1
        {
            tail = (Tail::Misc(tables.misc.len() as u32 - 1), misc.end as usize);
        }
        tail
    }

    /// Checks the text runs a plaintext joins with the character data around it, as the parse of
    /// the whole input would: their length, and no `]]>` across a seam. `run_start` is where the
    /// run the plaintext starts in begins; `markup_end` the end of its last markup, if any.
    fn check_joined_text(&self, placed: Range<usize>, run_start: usize, markup_end: Option<usize>) -> Option<()> {
        let bytes = self.text.as_bytes();
        let next_markup = |from: usize| memchr::memchr(b'<', &bytes[from..]).map_or(bytes.len(), |i| from + i);
        let max = self.limits.max_text_len;
        if next_markup(placed.start).saturating_sub(run_start) > max {
            return None;
        }
        if let Some(end) = markup_end
            && next_markup(placed.end).saturating_sub(end) > max
        {
            return None;
        }
        let seams = [placed.start, placed.end];
        let across = seams.iter().flat_map(|&seam| [seam.saturating_sub(2), seam.saturating_sub(1)]);
        across.into_iter().all(|at| !bytes[at..].starts_with(b"]]>")).then_some(())
    }

    /// The prefixes bound in `old_parent`'s scope, outermost first, as spans of the new input.
    fn bindings(&self, old_parent: u32) -> Vec<(&'b str, NsId)> {
        let old = self.old;
        let mut chain: SmallVec<[u32; 16]> = SmallVec::new();
        let mut element = old_parent;
        while element != NONE {
            chain.push(element);
            element = old.elements[element as usize].parent;
        }
        let mut bindings = Vec::new();
        for &element in chain.iter().rev() {
            for decl in old.own_ns_decls(element) {
                let start = self.map_offset(decl.prefix_start as usize);
                bindings.push((&self.text[start..start + decl.prefix_len as usize], decl.ns));
            }
        }
        bindings
    }

    /// The new id of a received element outside the replaced subtrees handled so far.
    fn new_id(&self, id: u32) -> u32 {
        shifted_id(&self.removed, id)
    }

    /// The new offset of a received offset outside every replaced element.
    fn map_offset(&self, offset: usize) -> usize {
        let before = self.replacements.iter().take_while(|r| r.received.end <= offset);
        before.fold(offset, |at, r| at.wrapping_add(r.placed.len()).wrapping_sub(r.received.len()))
    }

    /// A received name or value as a string of the new input (a copy if it lay in a replaced
    /// element or was not the input's).
    fn rebase(&self, value: &str) -> Cow<'b, str> {
        let at = (value.as_ptr() as usize).wrapping_sub(self.old.text.as_ptr() as usize);
        let inside = |r: &Replacement| r.received.start <= at && at < r.received.end;
        let within = at <= self.old.text.len() && value.len() <= self.old.text.len() - at;
        if within && !self.replacements.iter().any(inside) {
            let start = self.map_offset(at);
            if let Some(value) = self.text.get(start..start + value.len()) {
                return Cow::Borrowed(value);
            }
        }
        Cow::Owned(value.to_owned())
    }

    /// Copies the last segment's records' companions: the Id map, the namespace table in the
    /// order of first declaration; the document.
    fn finish(mut self) -> Option<Document<'b>> {
        let mut tables = self.tables.take()?;
        if tables.namespaces.len() >= usize::from(WIDE_NS) {
            return None;
        }
        let old = self.old;
        let mut ids = IdIndex::default();
        for (value, id) in old.ids.iter() {
            if !self.removed.iter().any(|r| (r.first..r.end).contains(&id.0)) {
                ids.insert(self.rebase(value), ElementId(self.new_id(id.0))).ok()?;
            }
        }
        for (value, id) in std::mem::take(&mut self.fragment_ids) {
            ids.insert(value, id).ok()?;
        }
        tables.ids = ids;
        order_namespaces(&mut tables)?;
        tables.elements.release_excess();
        tables.attributes.release_excess();
        let Tables { elements, attributes, ns_decls, misc, namespaces, namespace_absolute, ids } = tables;
        Some(Document { text: self.text, elements, attributes, ns_decls, misc, namespaces, namespace_absolute, ids })
    }
}

/// Whether `replacements` are in input order, disjoint, and make `spliced` from `input`, each
/// piece of which is text: the received text between replaced elements (compared, not validated
/// again: cut at character boundaries, a piece of a `str` is one), and plaintexts, valid UTF-8
/// without forbidden characters.
fn fits(input: &str, spliced: &[u8], replacements: &[Replacement]) -> bool {
    let kept = |received: Range<usize>, placed: Range<usize>| {
        input.get(received).is_some_and(|piece| spliced.get(placed) == Some(piece.as_bytes()))
    };
    let (mut copied, mut placed_to) = (0, 0);
    for r in replacements {
        let Some(kept_len) = r.received.start.checked_sub(copied) else { return false };
        if r.received.start >= r.received.end || r.placed.end < r.placed.start || r.placed.start != placed_to + kept_len
        {
            return false;
        }
        if !kept(copied..r.received.start, placed_to..r.placed.start) {
            return false;
        }
        let Some(plaintext) = spliced.get(r.placed.clone()) else { return false };
        let text = match scan::check_chars(plaintext) {
            Ok(ascii) => ascii || std::str::from_utf8(plaintext).is_ok(),
            Err(_) => false,
        };
        if !text {
            return false;
        }
        (copied, placed_to) = (r.received.end, r.placed.end);
    }
    kept(copied..input.len(), placed_to..spliced.len())
}

/// Whether an element's start tag alone keeps its subtree from being canonical as written: the
/// parser marks an element from its start tag only when it has its parent's prefix, no namespace
/// declaration and no prefixed attribute but `xml:` ones (a declaration of `xml` itself, which
/// leaves no record, is not seen here: such an element may still be unmarked).
fn starts_unmarked(doc: &Document<'_>, element: u32) -> bool {
    let record = &doc.elements[element as usize];
    if record.parent == NONE || record.has(flags::HAS_NS_DECLS) {
        return true;
    }
    let parent = &doc.elements[record.parent as usize];
    let prefix_len = doc.prefix_len_of(record);
    prefix_len >= u32::from(LONG_PREFIX)
        || prefix_len != doc.prefix_len_of(parent)
        || doc.prefix_of(record) != doc.prefix_of(parent)
        || doc.attribute_records(element).iter().any(|a| !matches!(a.ns, NO_NS | XML_NS_ID))
}

/// The new id of a received element outside the replaced subtrees in `removed`.
fn shifted_id(removed: &[Removed], id: u32) -> u32 {
    removed.iter().rev().find(|r| id >= r.end).map_or(id, |r| id.wrapping_add(r.shift))
}

/// Sets the flag of the character data after `tail`'s record.
fn mark_text_needs_work(tables: &mut Tables<'_>, tail: Tail) {
    match tail {
        Tail::Head(element) => tables.elements[element as usize].set(flags::HEAD_TEXT_NEEDS_WORK),
        Tail::After(element) => tables.elements[element as usize].set(flags::TAIL_TEXT_NEEDS_WORK),
        Tail::Misc(misc) => tables.misc[misc as usize].flags |= flags::TAIL_TEXT_NEEDS_WORK,
        Tail::None => {}
    }
}

/// Where the markup of a tail record that ends a plaintext ends.
fn markup_end(tables: &Tables<'_>, tail: Tail) -> usize {
    match tail {
        Tail::After(element) => tables.elements[element as usize].end as usize,
        Tail::Misc(misc) => tables.misc[misc as usize].end as usize,
        Tail::Head(_) | Tail::None => 0,
    }
}

/// Renumbers the namespace table in the order of first declaration, as a parse interns it
/// (names declared only in replaced elements dropped). Usually it already is.
fn order_namespaces(tables: &mut Tables<'_>) -> Option<()> {
    let count = tables.namespaces.len();
    let mut next = 2;
    for decl in &tables.ns_decls {
        match (decl.ns as usize).cmp(&next) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => next += 1,
            std::cmp::Ordering::Greater => break,
        }
    }
    if next == count {
        return Some(());
    }
    let mut remap = vec![NONE; count];
    let mut order = vec![0, 1];
    (remap[0], remap[1]) = (0, 1);
    for decl in tables.ns_decls.iter_mut() {
        let ns = decl.ns as usize;
        if remap[ns] == NONE {
            remap[ns] = order.len() as NsId;
            order.push(ns);
        }
        decl.ns = remap[ns];
    }
    let new = |ns: NsId| Some(remap[ns as usize]).filter(|&ns| ns != NONE);
    for element in tables.elements.iter_mut() {
        element.ns = (element.ns & CANONICAL_SUBTREE) | new(NsId::from(element.ns & WIDE_NS))? as u16;
    }
    for attribute in tables.attributes.iter_mut() {
        attribute.ns = new(attribute.ns)?;
    }
    let mut names = std::mem::take(&mut tables.namespaces);
    tables.namespaces = order.iter().map(|&i| std::mem::take(&mut names[i])).collect();
    tables.namespace_absolute = order.iter().map(|&i| tables.namespace_absolute[i]).collect();
    Some(())
}

#[cfg(test)]
#[path = "graft_tests.rs"]
mod tests;
