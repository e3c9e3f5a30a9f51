//! The writer between the canonicalizer and its sink: runs of input bytes that are already
//! canonical are coalesced and handed on in one piece; small rewritten pieces are staged so that a
//! hasher sees few, large updates.

use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::thread::LocalKey;

use super::Sink;

/// Pieces shorter than this are staged rather than written straight through.
const STAGE_BELOW: usize = 512;
/// The staging buffer is flushed when it grows past this.
const STAGE_CAPACITY: usize = 16 * 1024;

/// A spare buffer larger than this (by capacity) is freed rather than kept: an unusually large
/// SignedInfo costs its allocation once, and no thread holds on to it.
const MAX_KEPT_BYTES: usize = 64 * 1024;

thread_local! {
    static SPARE_STAGE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// A byte buffer taken from a thread's spare slot and put back, emptied, when dropped: the
/// buffers a verification needs are allocated once per thread, not once per message.
pub(crate) struct SpareBytes {
    bytes: Vec<u8>,
    slot: &'static LocalKey<Cell<Vec<u8>>>,
}

impl SpareBytes {
    /// The slot's buffer (a new one when the slot is empty or gone), with room for `capacity`.
    pub fn take(slot: &'static LocalKey<Cell<Vec<u8>>>, capacity: usize) -> Self {
        let mut bytes = slot.try_with(Cell::take).unwrap_or_default();
        bytes.clear();
        bytes.reserve(capacity);
        Self { bytes, slot }
    }
}

impl Drop for SpareBytes {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.bytes);
        if bytes.capacity() > MAX_KEPT_BYTES {
            return;
        }
        // During thread teardown the slot may be gone: the buffer is then simply freed.
        let _ = self.slot.try_with(|slot| slot.set(bytes));
    }
}

impl Deref for SpareBytes {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.bytes
    }
}

impl DerefMut for SpareBytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.bytes
    }
}

pub(super) struct Output<'s, 'i, S: Sink + ?Sized> {
    sink: &'s mut S,
    input: &'i [u8],
    /// A run of input bytes, `[start, end)`, not yet written.
    pending: (usize, usize),
    staged: SpareBytes,
}

impl<'s, 'i, S: Sink + ?Sized> Output<'s, 'i, S> {
    /// An output for about `expected` bytes, staging in the thread's spare buffer.
    pub fn new(sink: &'s mut S, input: &'i [u8], expected: usize) -> Self {
        let staged = SpareBytes::take(&SPARE_STAGE, expected.min(STAGE_CAPACITY + STAGE_BELOW));
        Self { sink, input, pending: (0, 0), staged }
    }

    /// Copies `input[start..end]`, extending the pending run when it is contiguous.
    #[inline]
    pub fn copy(&mut self, start: usize, end: usize) {
        if start == self.pending.1 {
            self.pending.1 = end;
        } else {
            self.flush_pending();
            self.pending = (start, end);
        }
    }

    /// Writes bytes that are not a copy of the input.
    #[inline]
    pub fn emit(&mut self, bytes: &[u8]) {
        self.flush_pending();
        self.staged.extend_from_slice(bytes);
        if self.staged.len() >= STAGE_CAPACITY {
            self.flush_staged();
        }
    }

    fn flush_pending(&mut self) {
        let (start, end) = std::mem::take(&mut self.pending);
        if start == end {
            return;
        }
        let run = &self.input[start..end];
        if run.len() < STAGE_BELOW {
            self.staged.extend_from_slice(run);
            if self.staged.len() >= STAGE_CAPACITY {
                self.flush_staged();
            }
        } else {
            self.flush_staged();
            self.sink.write(run);
        }
    }

    fn flush_staged(&mut self) {
        if !self.staged.is_empty() {
            self.sink.write(&self.staged);
            self.staged.clear();
        }
    }

    /// Writes everything still held back.
    pub fn finish(mut self) {
        self.flush_pending();
        self.flush_staged();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SLOT: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    }

    #[test]
    fn a_spare_buffer_goes_back_to_its_thread_emptied_unless_it_grew_too_large() {
        let mut first = SpareBytes::take(&SLOT, 100);
        first.extend_from_slice(b"signed info");
        let kept = first.as_ptr();
        drop(first);
        let second = SpareBytes::take(&SLOT, 10);
        assert_eq!((second.as_ptr(), second.len()), (kept, 0), "the same buffer, emptied");
        // Taken twice at once: the second gets a buffer of its own.
        let third = SpareBytes::take(&SLOT, 10);
        assert_ne!(third.as_ptr(), kept);
        drop((second, third));
        let mut large = SpareBytes::take(&SLOT, MAX_KEPT_BYTES + 1);
        large.push(1);
        drop(large);
        assert!(SLOT.with(Cell::take).capacity() <= MAX_KEPT_BYTES, "a large buffer is not kept");
    }
}
