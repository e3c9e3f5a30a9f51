//! Output by splicing: a message is changed by replacing byte ranges of its input, never by
//! re-serializing a tree.

use std::ops::Range;

use smallvec::SmallVec;

use crate::xml::Replacement;

/// Replace `range` of the input with `bytes[part]` (an empty range inserts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub range: Range<usize>,
    bytes: Vec<u8>,
    part: Range<usize>,
}

impl Edit {
    /// Inserts `bytes` at `offset`.
    pub(crate) fn insert(offset: usize, bytes: Vec<u8>) -> Self {
        Self::replace(offset..offset, bytes)
    }

    /// Replaces `range` with `bytes`.
    pub(crate) fn replace(range: Range<usize>, bytes: Vec<u8>) -> Self {
        let part = 0..bytes.len();
        Self { range, bytes, part }
    }

    /// Replaces `range` with `bytes[part]` (a decrypted plaintext inside its buffer, not moved).
    pub(crate) fn replace_with_part(range: Range<usize>, bytes: Vec<u8>, part: Range<usize>) -> Self {
        Self { range, bytes, part }
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[self.part.clone()]
    }
}

/// A set of non-overlapping edits applied to one input in a single copy.
#[derive(Debug)]
pub(crate) struct Spliced {
    /// The edited bytes.
    pub bytes: Vec<u8>,
    /// Where each edit's bytes landed, in the order of the edits given.
    pub placed: SmallVec<[Range<usize>; 4]>,
    /// The edits' input and output ranges, sorted by input position.
    shifts: SmallVec<[Replacement; 4]>,
}

impl Spliced {
    /// The output offset of an input offset outside every replaced range. The start of a
    /// replaced range maps to the start of its replacement; offsets inside one map to `None`.
    /// Text inserted at an offset comes before the input byte at that offset.
    pub(crate) fn map(&self, offset: usize) -> Option<usize> {
        let mut delta = 0isize;
        for Replacement { received: input, placed: output } in &self.shifts {
            if offset < input.start {
                return Some(offset.wrapping_add_signed(delta));
            }
            if offset == input.start && !input.is_empty() {
                return Some(output.start);
            }
            if offset < input.end {
                return None;
            }
            delta = output.end as isize - input.end as isize;
        }
        Some(offset.wrapping_add_signed(delta))
    }

    /// The edits' input and output ranges, sorted by input position.
    pub(crate) fn replacements(&self) -> &[Replacement] {
        &self.shifts
    }
}

/// Applies `edits` (which must not overlap; inserts at one offset keep their order) to `input`.
pub(crate) fn apply(input: &[u8], edits: impl AsRef<[Edit]>) -> Spliced {
    let edits = edits.as_ref();
    let mut order: SmallVec<[usize; 8]> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].range.start, edits[i].range.end));
    // Sized exactly: the output of a large message is held by the caller, spare room included.
    let inserted: usize = edits.iter().map(|e| e.bytes().len()).sum();
    let replaced: usize = edits.iter().map(|e| e.range.len()).sum();
    let mut bytes = Vec::with_capacity(input.len() - replaced + inserted);
    let mut placed = SmallVec::from_elem(0..0, edits.len());
    let mut shifts = SmallVec::with_capacity(edits.len());
    let mut copied = 0;
    for i in order {
        let edit = &edits[i];
        debug_assert!(edit.range.start >= copied, "overlapping edits");
        bytes.extend_from_slice(&input[copied..edit.range.start]);
        let start = bytes.len();
        bytes.extend_from_slice(edit.bytes());
        placed[i] = start..bytes.len();
        shifts.push(Replacement { received: edit.range.clone(), placed: start..bytes.len() });
        copied = edit.range.end;
    }
    bytes.extend_from_slice(&input[copied..]);
    Spliced { bytes, placed, shifts }
}

/// `input` without the bytes of `range` (a Security header removed): one copy, nothing to map.
pub(crate) fn remove(input: &[u8], range: Range<usize>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(input.len() - range.len());
    bytes.extend_from_slice(&input[..range.start]);
    bytes.extend_from_slice(&input[range.end..]);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removal_is_the_edit_that_replaces_the_range_with_nothing() {
        let input = b"0123456789";
        for range in [0..0, 0..10, 2..5, 9..10, 4..4] {
            assert_eq!(remove(input, range.clone()), apply(input, vec![Edit::replace(range, Vec::new())]).bytes);
        }
    }

    #[test]
    fn applies_edits_in_input_order_and_maps_offsets() {
        let input = b"0123456789";
        let edits = vec![
            Edit::replace(6..8, b"xyz".to_vec()),
            Edit::insert(2, b"A".to_vec()),
            Edit::insert(2, b"B".to_vec()),
            Edit::replace(4..5, Vec::new()),
        ];
        let spliced = apply(input, edits);
        assert_eq!(spliced.bytes, b"01AB235xyz89");
        assert_eq!(spliced.bytes.capacity(), spliced.bytes.len());
        assert_eq!(spliced.placed.as_slice(), [7..10, 2..3, 3..4, 6..6]);
        assert_eq!(spliced.map(0), Some(0));
        assert_eq!(spliced.map(2), Some(4));
        assert_eq!(spliced.map(4), Some(6));
        assert_eq!(spliced.map(5), Some(6));
        assert_eq!(spliced.map(6), Some(7));
        assert_eq!(spliced.map(7), None);
        assert_eq!(spliced.map(8), Some(10));
        assert_eq!(spliced.map(10), Some(12));
    }
}
