//! The writer between the canonicalizer and its sink: runs of input bytes that are already
//! canonical are coalesced and handed on in one piece; small rewritten pieces are staged so that a
//! hasher sees few, large updates.

use super::Sink;

/// Pieces shorter than this are staged rather than written straight through.
const STAGE_BELOW: usize = 512;
/// The staging buffer is flushed when it grows past this.
const STAGE_CAPACITY: usize = 16 * 1024;
/// Runs up to this long are staged by a copy of this fixed size (one or two vector moves, no call
/// into `memcpy`) when the input and the buffer have the bytes for it.
const SHORT_RUN: usize = 16;

pub(super) struct Output<'s, 'i, S: Sink + ?Sized> {
    sink: &'s mut S,
    input: &'i [u8],
    /// A run of input bytes, `[start, end)`, not yet written.
    pending: (usize, usize),
    /// The staging buffer: `staged[..staged_len]` is held back; past `flush_at` it is written. It
    /// has room past `flush_at` for one staged piece and a [`SHORT_RUN`] copy.
    staged: Box<[u8]>,
    staged_len: usize,
    flush_at: usize,
}

impl<'s, 'i, S: Sink + ?Sized> Output<'s, 'i, S> {
    /// An output for about `expected` bytes: small subsets (a Timestamp) stage in a small buffer.
    pub fn new(sink: &'s mut S, input: &'i [u8], expected: usize) -> Self {
        let flush_at = expected.clamp(1, STAGE_CAPACITY);
        let staged = vec![0; flush_at + STAGE_BELOW + SHORT_RUN].into_boxed_slice();
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
