//! The sidecar's async frame readers (`wsseal_sidecar::protocol::read_frame`) over a stream that
//! hands its bytes out in pieces of every size, the way a socket does. The first byte seeds the
//! piece sizes; the rest is the stream. The async reader must yield the same frames, and end the
//! same way (clean end, truncated frame, frame too large), as the core's blocking reader over the
//! whole bytes, whatever the pieces.
#![no_main]

use std::io;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncRead, ReadBuf};
use wsseal_core::protocol::{ReadError, read_frame};

/// The largest frame either reader accepts: small, so that "too large" is reached.
const MAX_FRAME: usize = 4096;

/// A stream that returns at most a few bytes per read, the counts drawn from `seed`.
struct Pieces<'a> {
    rest: &'a [u8],
    seed: u32,
}

impl AsyncRead for Pieces<'_> {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.seed = self.seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let piece = (1 + (self.seed >> 16) as usize % 7).min(buf.remaining()).min(self.rest.len());
        let (head, tail) = self.rest.split_at(piece);
        buf.put_slice(head);
        self.rest = tail;
        Poll::Ready(Ok(()))
    }
}

/// How a read ended, comparable across the two readers.
#[derive(Debug, PartialEq, Eq)]
enum Read {
    Frame(Vec<u8>),
    End,
    TooLarge(usize),
    Truncated,
}

fn outcome(read: Result<Option<Vec<u8>>, ReadError>) -> Read {
    match read {
        Ok(Some(frame)) => Read::Frame(frame),
        Ok(None) => Read::End,
        Err(ReadError::TooLarge(length)) => Read::TooLarge(length),
        Err(ReadError::Truncated) => Read::Truncated,
        Err(ReadError::Io(e)) => panic!("neither stream fails: {e}"),
    }
}

/// Reads until the stream ends or a read fails, as the server's loop does.
fn all<F: FnMut() -> Read>(mut next: F) -> Vec<Read> {
    let mut reads = Vec::new();
    loop {
        let read = next();
        let last = !matches!(read, Read::Frame(_));
        reads.push(read);
        if last {
            return reads;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, stream)) = data.split_first() else { return };
    let mut whole = stream;
    let expected = all(|| outcome(read_frame(&mut whole, MAX_FRAME)));
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().expect("a runtime"));
    let mut pieces = Pieces { rest: stream, seed: u32::from(seed) };
    let actual = all(|| outcome(runtime.block_on(wsseal_sidecar::protocol::read_frame(&mut pieces, MAX_FRAME))));
    assert_eq!(actual, expected);
});
