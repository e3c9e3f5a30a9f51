//! The Id map of a document: `wsu:Id`, `Id`, `ID` and `xml:id` values to their elements. An
//! envelope carries a handful, found by a linear scan (no hashing, one allocation); past
//! [`LINEAR_IDS`] they move to a hash map whose keys are random per map (SipHash), so hostile
//! input cannot force collisions.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use super::ElementId;
use super::scan::short_bytes_eq;

/// Ids are looked up by a linear scan up to this many, then through a hash map.
const LINEAR_IDS: usize = 16;

/// Id values, unique within a document, and the elements carrying them.
#[derive(Debug, Default)]
pub(crate) struct IdIndex<'a> {
    /// Every Id while there are at most [`LINEAR_IDS`] (then empty).
    few: Vec<(Cow<'a, str>, ElementId)>,
    /// Every Id once there are more.
    many: HashMap<Cow<'a, str>, ElementId>,
}

impl<'a> IdIndex<'a> {
    /// Records that `element` carries `id`. An Id the element already carries is accepted again;
    /// one another element carries is refused with that element.
    #[inline]
    pub fn insert(&mut self, id: Cow<'a, str>, element: ElementId) -> Result<(), ElementId> {
        if !self.many.is_empty() {
            return match self.many.entry(id) {
                Entry::Vacant(slot) => {
                    slot.insert(element);
                    Ok(())
                }
                Entry::Occupied(slot) => same_or(*slot.get(), element),
            };
        }
        if let Some(&(_, holder)) = self.find(&id) {
            return same_or(holder, element);
        }
        if self.few.len() < LINEAR_IDS {
            if self.few.capacity() == 0 {
                self.few.reserve_exact(LINEAR_IDS);
            }
            self.few.push((id, element));
            return Ok(());
        }
        self.many.reserve(2 * LINEAR_IDS);
        self.many.extend(self.few.drain(..));
        self.few = Vec::new();
        self.many.insert(id, element);
        Ok(())
    }

    /// The element carrying `id`.
    #[inline]
    pub fn get(&self, id: &str) -> Option<ElementId> {
        if self.many.is_empty() { self.find(id).map(|&(_, element)| element) } else { self.many.get(id).copied() }
    }

    /// Every Id and its element, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Cow<'a, str>, ElementId)> {
        let few = self.few.iter().map(|(id, element)| (id, *element));
        few.chain(self.many.iter().map(|(id, element)| (id, *element)))
    }

    /// The number of Ids.
    pub fn len(&self) -> usize {
        self.few.len() + self.many.len()
    }

    /// The heap memory the map holds: its table and the Id values it had to copy.
    pub fn heap_size(&self) -> usize {
        let entry = size_of::<(Cow<'a, str>, ElementId)>();
        let owned = |id: &Cow<'_, str>| if let Cow::Owned(id) = id { id.capacity() } else { 0 };
        self.few.capacity() * entry
            + self.many.capacity() * (entry + 1)
            + self.iter().map(|(id, _)| owned(id)).sum::<usize>()
    }

    #[inline]
    fn find(&self, id: &str) -> Option<&(Cow<'a, str>, ElementId)> {
        self.few.iter().find(|(known, _)| short_bytes_eq(known.as_bytes(), id.as_bytes()))
    }
}

impl<'a> IntoIterator for IdIndex<'a> {
    type Item = (Cow<'a, str>, ElementId);
    type IntoIter = std::iter::Chain<
        std::vec::IntoIter<(Cow<'a, str>, ElementId)>,
        std::collections::hash_map::IntoIter<Cow<'a, str>, ElementId>,
    >;

    /// Every Id and its element, in no particular order.
    fn into_iter(self) -> Self::IntoIter {
        self.few.into_iter().chain(self.many)
    }
}

/// Success when the element that already carries an Id is the one adding it again.
fn same_or(holder: ElementId, element: ElementId) -> Result<(), ElementId> {
    if holder == element { Ok(()) } else { Err(holder) }
}

/// Two maps are equal when they hold the same Ids for the same elements, however stored.
impl PartialEq for IdIndex<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(id, element)| other.get(id) == Some(element))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: usize) -> Cow<'static, str> {
        Cow::Owned(format!("Id-{n}"))
    }

    #[test]
    fn an_id_is_found_and_an_absent_one_is_not() {
        let mut ids = IdIndex::default();
        assert_eq!(ids.get("a"), None);
        ids.insert("a".into(), ElementId(3)).unwrap();
        ids.insert("ab".into(), ElementId(4)).unwrap();
        assert_eq!(ids.get("a"), Some(ElementId(3)));
        assert_eq!(ids.get("ab"), Some(ElementId(4)));
        assert_eq!(ids.get("b"), None);
        assert_eq!(ids.get(""), None);
        assert_eq!(ids.get("abc"), None);
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn a_duplicate_is_refused_with_its_holder_unless_the_same_element_repeats_it() {
        let mut ids = IdIndex::default();
        ids.insert("x".into(), ElementId(1)).unwrap();
        assert_eq!(ids.insert("x".into(), ElementId(1)), Ok(()));
        assert_eq!(ids.insert("x".into(), ElementId(2)), Err(ElementId(1)));
        assert_eq!(ids.get("x"), Some(ElementId(1)));
        assert_eq!(ids.len(), 1);
    }

    #[test]
    fn many_ids_cross_the_linear_limit_and_keep_every_rule() {
        for count in [LINEAR_IDS - 1, LINEAR_IDS, LINEAR_IDS + 1, 10 * LINEAR_IDS] {
            let mut ids = IdIndex::default();
            for n in 0..count {
                ids.insert(id(n), ElementId(n as u32)).unwrap();
            }
            assert_eq!(ids.len(), count);
            for n in 0..count {
                assert_eq!(ids.get(&id(n)), Some(ElementId(n as u32)), "{count} Ids, Id {n}");
                assert_eq!(ids.insert(id(n), ElementId(n as u32)), Ok(()));
                assert_eq!(ids.insert(id(n), ElementId(count as u32)), Err(ElementId(n as u32)));
            }
            assert_eq!(ids.get(&id(count)), None);
            assert_eq!(ids.get("Id-"), None);
            let mut seen: Vec<u32> = ids.iter().map(|(_, element)| element.0).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..count as u32).collect::<Vec<_>>());
            assert_eq!(ids.len(), count);
        }
    }

    #[test]
    fn maps_are_equal_by_content_however_stored() {
        let (mut few, mut many) = (IdIndex::default(), IdIndex::default());
        for n in 0..LINEAR_IDS {
            few.insert(id(n), ElementId(n as u32)).unwrap();
        }
        for n in (0..=LINEAR_IDS).rev() {
            many.insert(id(n), ElementId(n as u32)).unwrap();
        }
        assert!(few != many);
        few.insert(id(LINEAR_IDS), ElementId(LINEAR_IDS as u32)).unwrap();
        assert!(few == many);
        let mut other = IdIndex::default();
        other.insert("Id-0".into(), ElementId(9)).unwrap();
        let mut same = IdIndex::default();
        same.insert("Id-0".into(), ElementId(0)).unwrap();
        assert!(other != same);
    }

    #[test]
    fn the_heap_size_counts_the_table_and_copied_values() {
        let mut ids = IdIndex::default();
        assert_eq!(ids.heap_size(), 0);
        ids.insert(Cow::Borrowed("borrowed"), ElementId(0)).unwrap();
        let table = ids.heap_size();
        assert!(table >= LINEAR_IDS * size_of::<(Cow<'_, str>, ElementId)>());
        ids.insert(Cow::Owned("owned".to_owned()), ElementId(1)).unwrap();
        assert!(ids.heap_size() >= table + "owned".len());
    }
}
