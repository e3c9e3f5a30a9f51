//! One connection (a Unix socket, or a QUIC stream): frames are read one after another, each
//! admitted request is answered by its own task, and answers are written as they complete, so
//! several batches can be in flight. A frame that cannot be decoded gets a refusal and the
//! connection goes on; only an oversized length prefix (after which the stream cannot be
//! resynchronised) or a truncated frame ends it. While the server drains, the connection goes on
//! reading: batches admitted before finish, and every batch read now is answered
//! `SHUTTING_DOWN` item by item; the connection closes when the server closes.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use wsseal_core::ErrorCode;

use super::Shared;
use super::admission::Permit;
use super::batch;
use super::lifecycle::{Phase, Watch};
use crate::protocol::{self, FrameError, ItemResult, Op, ReadError, Request, Response};

/// Answers waiting to be written, per connection; reading pauses when they pile up.
const WRITE_QUEUE: usize = 64;

/// Serves one connection until the peer closes it, it breaks, or the server closes.
pub async fn serve<R, W>(shared: Arc<Shared>, mut reader: R, writer: W, mut lifecycle: Watch)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    shared.metrics.connections(1);
    let (answers, queue) = mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
    let writing = tokio::spawn(write_answers(writer, queue));
    loop {
        let length = tokio::select! {
            biased;
            _ = lifecycle.reached(Phase::Closing) => break,
            length = protocol::read_length(&mut reader, shared.max_frame) => length,
        };
        let length = match length {
            Ok(Some(length)) => length,
            Ok(None) | Err(ReadError::Truncated | ReadError::Io(_)) => break,
            Err(ReadError::TooLarge(length)) => {
                let message = format!("the frame has {length} bytes, above the limit of {}", shared.max_frame);
                refuse(&shared, &answers, FrameError { op: 0, id: 0, code: ErrorCode::FrameTooLarge, message }).await;
                break;
            }
        };
        let Some(permit) = shared.admission.frame(length) else {
            match discard(&mut reader, length).await {
                Some((op, id)) => {
                    let message = "the sidecar's in-flight bytes are at their limit".to_owned();
                    refuse(&shared, &answers, FrameError { op, id, code: ErrorCode::Busy, message }).await;
                    continue;
                }
                None => break,
            }
        };
        let Ok(payload) = protocol::read_payload(&mut reader, length).await else { break };
        match Request::decode(payload, shared.max_items) {
            Err(error) => refuse(&shared, &answers, error).await,
            Ok(request) => match lifecycle.admit() {
                Some(work) => {
                    let (shared, answers) = (shared.clone(), answers.clone());
                    tokio::spawn(async move {
                        let response = answer(&shared, request).await;
                        let _ = answers.send(response.encode()).await;
                        drop((permit, work));
                    });
                }
                None => {
                    let _ = answers.send(shutting_down(&shared, request).encode()).await;
                }
            },
        }
    }
    drop(answers);
    let _ = writing.await;
    shared.metrics.connections(-1);
}

/// Writes answers until every sender is gone, then closes the stream.
async fn write_answers<W: AsyncWrite + Unpin>(mut writer: W, mut queue: mpsc::Receiver<Vec<u8>>) {
    while let Some(frame) = queue.recv().await {
        if writer.write_all(&frame).await.is_err() {
            // The peer is gone; keep draining the queue so that no answering task waits on it.
            while queue.recv().await.is_some() {}
            return;
        }
    }
    let _ = writer.shutdown().await;
}

/// Sends the refusal of a whole frame.
async fn refuse(shared: &Shared, answers: &mpsc::Sender<Vec<u8>>, error: FrameError) {
    shared.metrics.frame_refused(error.code);
    tracing::debug!(code = error.code.name(), id = error.id, message = %error.message, "frame refused");
    let _ = answers.send(Response::refusal(&error).encode()).await;
}

/// Skips a payload that was not admitted, keeping its operation byte and request id for the
/// answer. `None` if the stream ends first.
async fn discard<R: AsyncRead + Unpin>(reader: &mut R, length: usize) -> Option<(u8, u32)> {
    let mut header = [0u8; protocol::REQUEST_HEADER_LEN];
    let kept = length.min(header.len());
    reader.read_exact(&mut header[..kept]).await.ok()?;
    let mut rest = (&mut *reader).take((length - kept) as u64);
    let skipped = tokio::io::copy(&mut rest, &mut tokio::io::sink()).await.ok()?;
    (skipped == (length - kept) as u64)
        .then(|| (header[1], u32::from_be_bytes([header[4], header[5], header[6], header[7]])))
}

/// Answers one decoded request: admits its items (those that do not fit get `BUSY`), runs them
/// on the crypto pool, and records the metrics.
async fn answer(shared: &Arc<Shared>, request: Request) -> Response {
    let started = Instant::now();
    let (op, id, count) = (request.op, request.id, request.len());
    let mut response = Response { op: op as u8, id, status: 0, message: String::new(), results: Vec::new() };
    if op == Op::Ping {
        shared.metrics.batch(op, [], started.elapsed());
        return response;
    }
    let permit = shared.admission.items(count);
    let mut results = run_on_pool(shared, request, &permit).await;
    drop(permit);
    results.resize(count, ItemResult::error(ErrorCode::Busy, "the sidecar's in-flight items are at their limit"));
    shared.metrics.batch(op, results.iter().map(|r| r.code), started.elapsed());
    response.results = results;
    response
}

/// The answer to a request read while the server drains: `SHUTTING_DOWN` for every item; a ping,
/// which has none, is refused with that status.
fn shutting_down(shared: &Shared, request: Request) -> Response {
    let (op, id, count) = (request.op, request.id, request.len());
    let message = "the sidecar is shutting down";
    if op == Op::Ping {
        shared.metrics.frame_refused(ErrorCode::ShuttingDown);
        return Response::refusal(&FrameError {
            op: op as u8,
            id,
            code: ErrorCode::ShuttingDown,
            message: message.into(),
        });
    }
    let results = vec![ItemResult::error(ErrorCode::ShuttingDown, message); count];
    shared.metrics.batch(op, results.iter().map(|r| r.code), std::time::Duration::ZERO);
    Response { op: op as u8, id, status: 0, message: String::new(), results }
}

/// Runs the admitted items on the crypto pool and waits for them without blocking this worker.
async fn run_on_pool(shared: &Arc<Shared>, request: Request, permit: &Permit) -> Vec<ItemResult> {
    let admitted = permit.items();
    if admitted == 0 {
        return Vec::new();
    }
    let (engine, keys) = (shared.engine.load_full(), shared.keys.load_full());
    let (done, result) = oneshot::channel();
    shared.pool.spawn(move || {
        let results = std::panic::catch_unwind(AssertUnwindSafe(|| batch::process(&engine, &keys, &request, admitted)));
        let _ = done.send(results.ok());
    });
    match result.await {
        Ok(Some(results)) => results,
        _ => {
            tracing::error!("a batch failed on the crypto pool");
            vec![ItemResult::error(ErrorCode::SidecarInternal, "the item failed inside the sidecar"); admitted]
        }
    }
}
