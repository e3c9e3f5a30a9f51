//! The sidecar protocol (docs/protocol.md): the frames of [`wsseal_core::protocol`], re-exported,
//! and their async readers for tokio streams (the
//! blocking reader of the core is shadowed here by the async [`read_frame`]).

use tokio::io::{AsyncRead, AsyncReadExt};
pub use wsseal_core::protocol::*;

/// Reads the length prefix of the next frame: `None` at a clean end of stream.
pub async fn read_length<R: AsyncRead + Unpin>(reader: &mut R, max: usize) -> Result<Option<usize>, ReadError> {
    let mut prefix = [0u8; PREFIX_LEN];
    let mut filled = 0;
    while filled < PREFIX_LEN {
        match reader.read(&mut prefix[filled..]).await.map_err(ReadError::Io)? {
            0 if filled == 0 => return Ok(None),
            0 => return Err(ReadError::Truncated),
            n => filled += n,
        }
    }
    frame_length(prefix, max).map(Some)
}

/// Reads exactly `length` bytes of a frame's payload.
pub async fn read_payload<R: AsyncRead + Unpin>(reader: &mut R, length: usize) -> Result<Vec<u8>, ReadError> {
    let mut payload = vec![0u8; length];
    reader.read_exact(&mut payload).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => ReadError::Truncated,
        _ => ReadError::Io(e),
    })?;
    Ok(payload)
}

/// Reads a whole frame's payload: `None` at a clean end of stream.
pub async fn read_frame<R: AsyncRead + Unpin>(reader: &mut R, max: usize) -> Result<Option<Vec<u8>>, ReadError> {
    match read_length(reader, max).await? {
        Some(length) => read_payload(reader, length).await.map(Some),
        None => Ok(None),
    }
}
