//! The writer between the canonicalizer and its sink: runs of input bytes that are already
//! canonical are coalesced and handed on in one piece; small rewritten pieces are staged so that a
//! hasher sees few, large updates.

use super::Sink;

/// Pieces shorter than this are staged rather than written straight through.
const STAGE_BELOW: usize = 512;
/// The staging buffer is flushed when it grows past this.
const STAGE_CAPACITY: usize = 16 * 1024;

pub(super) struct Output<'s, 'i, S: Sink + ?Sized> {
    sink: &'s mut S,
    input: &'i [u8],
    /// A run of input bytes, `[start, end)`, not yet written.
    pending: (usize, usize),
    staged: Vec<u8>,
}

impl<'s, 'i, S: Sink + ?Sized> Output<'s, 'i, S> {
    /// An output for about `expected` bytes: small subsets (a Timestamp) stage in a small buffer.
    pub fn new(sink: &'s mut S, input: &'i [u8], expected: usize) -> Self {
        let staged = Vec::with_capacity(expected.min(STAGE_CAPACITY + STAGE_BELOW));
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

    /// Writes pieces that are not a copy of the input, one after the other.
    #[inline]
    pub fn emit_pieces(&mut self, pieces: &[&[u8]]) {
        self.flush_pending();
        for piece in pieces {
            self.staged.extend_from_slice(piece);
        }
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
