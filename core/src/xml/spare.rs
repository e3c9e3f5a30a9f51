//! The element and attribute tables of the last documents dropped on a thread, kept for the next
//! ones parsed there. A large document's tables are then faulted in once per thread instead of at
//! every parse (for a 10 MB Body, about 2,300 page faults and a tenth of the parse time), and a
//! small one's skip two allocations. Two of each are kept: opening an encrypted message holds the
//! received envelope's index and the decrypted one's at the same time.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

use super::{AttributeRecord, ElementRecord};

/// A table larger than this (by capacity) is freed rather than kept: a thread holds at most
/// [`KEPT_TABLES`] times this much per kind of table.
const MAX_KEPT_BYTES: usize = 16 << 20;
/// How many tables of each kind a thread keeps.
const KEPT_TABLES: usize = 2;

thread_local! {
    static SPARE_ELEMENTS: RefCell<Vec<Vec<ElementRecord>>> = const { RefCell::new(Vec::new()) };
    static SPARE_ATTRIBUTES: RefCell<Vec<Vec<AttributeRecord>>> = const { RefCell::new(Vec::new()) };
}

/// A kind of record whose tables are kept per thread.
pub(crate) trait Kept: Sized + 'static {
    /// Where this thread keeps its spare tables of this kind.
    fn spare() -> &'static LocalKey<RefCell<Vec<Vec<Self>>>>;
}

impl Kept for ElementRecord {
    fn spare() -> &'static LocalKey<RefCell<Vec<Vec<Self>>>> {
        &SPARE_ELEMENTS
    }
}

impl Kept for AttributeRecord {
    fn spare() -> &'static LocalKey<RefCell<Vec<Vec<Self>>>> {
        &SPARE_ATTRIBUTES
    }
}

/// A table that goes back to its thread's spare slot when dropped (a `Vec` otherwise).
pub(crate) struct Recycled<T: Kept>(Vec<T>);

impl<T: Kept> Recycled<T> {
    /// An empty table with room for at least `capacity` records: the smallest of the thread's
    /// spare ones that has that room, else a new one. (Growing a smaller spare would copy all of
    /// its old allocation for nothing: the allocator does not know that it holds no record.)
    pub fn with_capacity(capacity: usize) -> Self {
        let kept = T::spare().try_with(|spare| {
            let mut spare = spare.borrow_mut();
            let roomy = spare.iter().enumerate().filter(|(_, table)| table.capacity() >= capacity);
            let smallest = roomy.min_by_key(|(_, table)| table.capacity()).map(|(index, _)| index);
            smallest.map(|index| spare.swap_remove(index))
        });
        Self(kept.ok().flatten().unwrap_or_else(|| Vec::with_capacity(capacity)))
    }

    /// Gives back the unused part of a table too large to be kept: the parse reserves by input
    /// size, and a 100 MB envelope that is mostly one base64 text would otherwise hold a 175 MB
    /// reservation for a few records as long as its document lives (shrinking is in place).
    pub fn release_excess(&mut self) {
        if self.0.capacity() * size_of::<T>() > MAX_KEPT_BYTES {
            self.0.shrink_to_fit();
        }
    }
}

impl<T: Kept> Drop for Recycled<T> {
    fn drop(&mut self) {
        if self.0.capacity() * size_of::<T>() > MAX_KEPT_BYTES {
            return;
        }
        let mut table = std::mem::take(&mut self.0);
        table.clear();
        // During thread teardown the slot may be gone: the table is then simply freed.
        let _ = T::spare().try_with(|spare| {
            let Ok(mut spare) = spare.try_borrow_mut() else { return };
            if spare.len() < KEPT_TABLES {
                spare.push(table);
            } else if let Some(smaller) = spare.iter_mut().min_by_key(|kept| kept.capacity())
                && smaller.capacity() < table.capacity()
            {
                // The larger tables are kept: they are the ones that cost page faults to rebuild.
                *smaller = table;
            }
        });
    }
}

impl<T: Kept> Deref for Recycled<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T: Kept> DerefMut for Recycled<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

impl<T: Kept + fmt::Debug> fmt::Debug for Recycled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use crate::xml::{Document, Limits};

    #[test]
    fn a_large_documents_tables_hold_no_more_than_their_records() {
        let text = "x".repeat(64 << 20);
        let input = format!("<r><a>{text}</a></r>");
        let limits = Limits { max_size: 128 << 20, max_text_len: 128 << 20, ..Limits::default() };
        let doc = Document::parse(input.as_bytes(), &limits).unwrap();
        assert_eq!(doc.element_count(), 2);
        assert!(doc.elements.capacity() < 1024, "{} element records reserved", doc.elements.capacity());
        assert!(doc.attributes.capacity() < 1024, "{} attribute records reserved", doc.attributes.capacity());
    }

    #[test]
    fn a_dropped_documents_tables_serve_the_next_parse() {
        let input = "<r>".to_owned() + &"<a x='1'/>".repeat(1000) + "</r>";
        let first = Document::parse(input.as_bytes(), &Limits::default()).unwrap();
        let table = first.elements.as_ptr();
        drop(first);
        let second = Document::parse(input.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(second.elements.as_ptr(), table);
        assert_eq!(second.element_count(), 1001);
        // A second document alive at the same time gets tables of its own, kept too.
        let third = Document::parse(input.as_bytes(), &Limits::default()).unwrap();
        let other = third.elements.as_ptr();
        assert_ne!(other, table);
        assert_eq!(third.root().children().count(), 1000);
        drop((second, third));
        let (fourth, fifth) = (
            Document::parse(input.as_bytes(), &Limits::default()).unwrap(),
            Document::parse(input.as_bytes(), &Limits::default()).unwrap(),
        );
        let mut reused = [fourth.elements.as_ptr(), fifth.elements.as_ptr()];
        reused.sort();
        let mut kept = [table, other];
        kept.sort();
        assert_eq!(reused, kept);
    }

    #[test]
    fn a_spare_table_too_small_is_left_for_a_smaller_document() {
        let small = "<r>".to_owned() + &"<a/>".repeat(10) + "</r>";
        let large = "<r>".to_owned() + &"<a/>".repeat(100_000) + "</r>";
        drop(Document::parse(small.as_bytes(), &Limits::default()).unwrap());
        drop(Document::parse(small.as_bytes(), &Limits::default()).unwrap());
        let small_table = Document::parse(small.as_bytes(), &Limits::default()).unwrap();
        let small_ptr = small_table.elements.as_ptr();
        drop(small_table);
        // The large document does not grow the small spare table: it gets one of its own.
        let large_doc = Document::parse(large.as_bytes(), &Limits::default()).unwrap();
        assert_ne!(large_doc.elements.as_ptr(), small_ptr);
        assert_eq!(large_doc.element_count(), 100_001);
        let large_ptr = large_doc.elements.as_ptr();
        drop(large_doc);
        // Both are kept; each document gets the smallest table with room for it.
        let small_again = Document::parse(small.as_bytes(), &Limits::default()).unwrap();
        let large_again = Document::parse(large.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(large_again.elements.as_ptr(), large_ptr);
        assert_ne!(small_again.elements.as_ptr(), large_ptr);
    }
}
