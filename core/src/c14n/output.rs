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
/// Runs up to this long are staged by a copy of this fixed size (one or two vector moves, no call
/// into `memcpy`) when the input and the buffer have the bytes for it.
const SHORT_RUN: usize = 16;

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
    /// The slot's buffer (a new one when the slot is empty or gone), emptied, with room for
    /// `capacity`.
    pub fn take(slot: &'static LocalKey<Cell<Vec<u8>>>, capacity: usize) -> Self {
        let mut bytes = slot.try_with(Cell::take).unwrap_or_default();
        bytes.clear();
        bytes.reserve(capacity);
        Self { bytes, slot }
    }

    /// The slot's buffer holding at least `len` bytes of unspecified content: a staging area,
    /// written before it is read, that is zeroed only when it grows.
    pub fn sized(slot: &'static LocalKey<Cell<Vec<u8>>>, len: usize) -> Self {
        let mut bytes = slot.try_with(Cell::take).unwrap_or_default();
        if bytes.len() < len {
            bytes.resize(len, 0);
        }
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
    /// The staging buffer (the thread's spare one): `staged[..staged_len]` is held back; past
    /// `flush_at` it is written. It has room past `flush_at` for one staged piece and a
    /// [`SHORT_RUN`] copy.
    staged: SpareBytes,
    staged_len: usize,
    flush_at: usize,
}

impl<'s, 'i, S: Sink + ?Sized> Output<'s, 'i, S> {
    /// An output for about `expected` bytes: small subsets (a Timestamp) are flushed early.
    pub fn new(sink: &'s mut S, input: &'i [u8], expected: usize) -> Self {
        let flush_at = expected.clamp(1, STAGE_CAPACITY);
        let staged = SpareBytes::sized(&SPARE_STAGE, flush_at + STAGE_BELOW + SHORT_RUN);
        Self { sink, input, pending: (0, 0), staged, staged_len: 0, flush_at }
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
        if bytes.len() < STAGE_BELOW {
            self.stage(bytes);
        } else {
            self.write_through(bytes);
        }
    }

    #[inline]
    fn flush_pending(&mut self) {
        let (start, end) = std::mem::take(&mut self.pending);
        let len = end - start;
        if len == 0 {
            return;
        }
        let at = self.staged_len;
        if len <= SHORT_RUN
            && let (Some(to), Some(from)) =
                (self.staged.get_mut(at..at + SHORT_RUN), self.input.get(start..start + SHORT_RUN))
        {
            to.copy_from_slice(from);
            self.staged_len = at + len;
            self.flush_when_full();
        } else if len < STAGE_BELOW {
            self.stage(&self.input[start..end]);
        } else {
            self.write_through(&self.input[start..end]);
        }
    }

    /// Appends a piece shorter than [`STAGE_BELOW`] to the staging buffer.
    #[inline]
    fn stage(&mut self, bytes: &[u8]) {
        let at = self.staged_len;
        self.staged[at..at + bytes.len()].copy_from_slice(bytes);
        self.staged_len = at + bytes.len();
        self.flush_when_full();
    }

    #[inline]
    fn flush_when_full(&mut self) {
        if self.staged_len >= self.flush_at {
            self.flush_staged();
        }
    }

    /// Writes a long piece straight to the sink, after what is staged.
    #[inline(never)]
    fn write_through(&mut self, bytes: &[u8]) {
        self.flush_staged();
        self.sink.write(bytes);
    }

    #[inline(never)]
    fn flush_staged(&mut self) {
        if self.staged_len > 0 {
            self.sink.write(&self.staged[..self.staged_len]);
            self.staged_len = 0;
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

    /// Copies and emits of every length class (empty, short, at and around [`SHORT_RUN`] and
    /// [`STAGE_BELOW`], long), contiguous or not, up to the input's last byte, arrive whole and in
    /// order, through staging buffers of every size.
    #[test]
    fn every_piece_arrives_in_order() {
        let input: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
        let lengths = [0, 1, 3, SHORT_RUN - 1, SHORT_RUN, SHORT_RUN + 1, 100, STAGE_BELOW - 1, STAGE_BELOW, 2000];
        let mut seed = 7u32;
        let mut next = |bound: usize| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) as usize % bound
        };
        for expected_len in [0, 1, 100, STAGE_CAPACITY, 1 << 20] {
            let (mut written, mut expected) = (Vec::new(), Vec::new());
            let mut out = Output::new(&mut written, &input, expected_len);
            let mut at = 0;
            for _ in 0..2000 {
                let len = lengths[next(lengths.len())];
                match next(4) {
                    0 => {
                        let piece = vec![b'e'; len];
                        out.emit(&piece);
                        expected.extend_from_slice(&piece);
                    }
                    choice => {
                        // Contiguous with the last copy, anywhere, or ending at the input's end.
                        let start = match choice {
                            1 => at,
                            2 => next(input.len()),
                            _ => input.len(),
                        }
                        .min(input.len() - len);
                        out.copy(start, start + len);
                        expected.extend_from_slice(&input[start..start + len]);
                        at = start + len;
                    }
                }
            }
            out.finish();
            assert!(written == expected, "staging for {expected_len} bytes changed the output");
        }
    }
}
