//! Malformed frames get an error and never crash the server or disturb other connections:
//! truncated, oversized, unknown version or operation, inconsistent lengths, random bytes.

mod support;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use support::{DEADLINE, Sidecar, request};
use wsseal_core::ErrorCode;
use wsseal_sidecar::client::Client;
use wsseal_sidecar::protocol::{self, Op, Response};

fn connect(sidecar: &Sidecar) -> UnixStream {
    let stream = UnixStream::connect(&sidecar.socket).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// Reads one response frame.
fn answer(stream: &mut UnixStream) -> Response {
    let mut prefix = [0u8; 4];
    stream.read_exact(&mut prefix).unwrap();
    let mut payload = vec![0u8; u32::from_be_bytes(prefix) as usize];
    stream.read_exact(&mut payload).unwrap();
    Response::decode(&payload).unwrap()
}

/// Whether the server closed the stream (after any answers).
fn closed(stream: &mut UnixStream) -> bool {
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).is_ok() && rest.is_empty()
}

fn refused_with(response: &Response, code: ErrorCode) {
    assert_eq!(response.status, code.value(), "{response:?}");
    assert!(response.results.is_empty() && !response.message.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_are_refused_and_disturb_nobody() {
    let sidecar = Sidecar::loopback("[limits]\nmax_frame_bytes = 65536\nmax_batch_items = 8\n");
    // A well-behaved client with work in flight throughout.
    let neighbour = Client::connect_unix(&sidecar.socket).await.unwrap();
    let envelope = request(1);
    let good = protocol::encode_request(Op::SecureRequest, 41, &[(&envelope, b"")]);

    // Bad frames on one connection, each answered, the connection going on.
    let mut stream = connect(&sidecar);
    let mut version = good.clone();
    version[4] = 9;
    let mut operation = good.clone();
    operation[5] = 200;
    let mut flags = good.clone();
    flags[7] = 1;
    let mut long_item = good.clone();
    long_item[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"xyz");
    let new_length = (trailing.len() - 4) as u32;
    trailing[..4].copy_from_slice(&new_length.to_be_bytes());
    let empty: (&[u8], &[u8]) = (b"", b"");
    let many = protocol::encode_request(Op::OpenRequest, 43, &[empty; 9]);
    let short = [0u8, 0, 0, 3, 1, 1, 0];
    let ping_with_items = protocol::encode_request(Op::Ping, 44, &[(b"x", b"")]);
    let cases: [(&[u8], ErrorCode); 8] = [
        (&version, ErrorCode::VersionUnsupported),
        (&operation, ErrorCode::OperationUnknown),
        (&flags, ErrorCode::FrameMalformed),
        (&long_item, ErrorCode::FrameMalformed),
        (&trailing, ErrorCode::FrameMalformed),
        (&many, ErrorCode::BatchTooLarge),
        (&short, ErrorCode::FrameMalformed),
        (&ping_with_items, ErrorCode::FrameMalformed),
    ];
    for (frame, code) in cases {
        stream.write_all(frame).unwrap();
        refused_with(&answer(&mut stream), code);
    }
    // The same connection still works.
    stream.write_all(&good).unwrap();
    let response = answer(&mut stream);
    assert_eq!((response.id, response.status), (41, 0));
    assert!(response.results[0].is_ok());
    let echo = answer_of_unknown_op_keeps_id(&mut stream);
    assert_eq!(echo, (200, 45));

    // An oversized length prefix: refused, and the connection closed (it cannot resynchronise).
    let mut oversized = connect(&sidecar);
    oversized.write_all(&(65537u32).to_be_bytes()).unwrap();
    refused_with(&answer(&mut oversized), ErrorCode::FrameTooLarge);
    assert!(closed(&mut oversized));

    // A truncated frame, then the client leaves: nothing to answer, nothing breaks.
    let mut truncated = connect(&sidecar);
    truncated.write_all(&good[..good.len() / 2]).unwrap();
    drop(truncated);
    let mut half_closed = connect(&sidecar);
    half_closed.write_all(&good[..10]).unwrap();
    half_closed.shutdown(std::net::Shutdown::Write).unwrap();
    assert!(closed(&mut half_closed));

    // Random bytes, many times, on fresh connections: an answer or a close, never a crash.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for round in 0..200 {
        let mut noise = vec![0u8; 1 + round % 97];
        for byte in &mut noise {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            *byte = seed as u8;
        }
        if round % 2 == 0 {
            // A plausible length, so that the body is parsed.
            let length = (noise.len() - 4.min(noise.len())) as u32;
            if noise.len() >= 4 {
                noise[..4].copy_from_slice(&length.to_be_bytes());
            }
        }
        let mut stream = connect(&sidecar);
        stream.write_all(&noise).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        // A server that closes with our bytes unread may reset the connection: also an answer.
        if let Err(error) = stream.read_to_end(&mut rest) {
            assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset);
            continue;
        }
        if !rest.is_empty() {
            let payload = &rest[4..];
            let response = Response::decode(payload).unwrap();
            assert_ne!(response.status, 0, "{response:?}");
        }
    }

    // The neighbour was never disturbed, and the server is alive.
    let secured = neighbour.secure_request(&request(2)).await.unwrap();
    assert!(secured.is_ok());
    assert!(neighbour.open_request(&secured.envelope).await.unwrap().is_ok());
    assert!(sidecar.metric("wsseal_frames_refused_total{code=\"FRAME_MALFORMED\"}") >= 5.0);
    assert!(sidecar.metric("wsseal_frames_refused_total{code=\"FRAME_TOO_LARGE\"}") >= 1.0);
    assert_eq!(sidecar.get("/healthz").0, 200);
}

/// An unknown operation's refusal echoes the operation byte and the id.
fn answer_of_unknown_op_keeps_id(stream: &mut UnixStream) -> (u8, u32) {
    let mut frame = protocol::encode_request(Op::Ping, 45, &[]);
    frame[5] = 200;
    stream.write_all(&frame).unwrap();
    let response = answer(stream);
    (response.op, response.id)
}
