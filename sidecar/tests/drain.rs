//! SIGTERM on real `wsseal serve` processes, over the Unix socket and over QUIC: the batch
//! admitted before finishes, batches that arrive on the open connection while the server drains
//! are answered `SHUTTING_DOWN` item by item (a ping is refused with it), nothing new is accepted,
//! and the process exits cleanly.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Sidecar, identity, pki, quic_section, request};
use wsseal_core::ErrorCode;
use wsseal_sidecar::client::{Client, ClientError};
use wsseal_sidecar::protocol::{ItemResult, Op};

/// Items of the batch in flight at SIGTERM: on one crypto thread it outlasts the test's steps.
const LONG_BATCH: usize = 2000;
/// The configuration that keeps the batch long: one crypto thread, and room for the batch.
const SLOW: &str = "[workers]\nthreads = 1\n[limits]\nmax_batch_items = 2000\n";

/// Runs the drain scenario on `client`'s connection; `connect` opens a new connection, which the
/// draining server must refuse at once.
async fn drain<F: std::future::Future<Output = Result<Client, ClientError>>>(
    mut sidecar: Sidecar,
    client: Client,
    connect: impl FnOnce() -> F,
) -> Sidecar {
    let client = Arc::new(client);
    let requests: Vec<Vec<u8>> = (0..LONG_BATCH).map(request).collect();
    let long = {
        let client = client.clone();
        tokio::spawn(async move {
            let items: Vec<(&[u8], &[u8])> = requests.iter().map(|r| (&r[..], &b""[..])).collect();
            client.call(Op::SecureRequest, &items).await
        })
    };
    let started = std::time::Instant::now();
    while sidecar.metric("wsseal_inflight_items") == 0.0 {
        assert!(started.elapsed() < support::DEADLINE && !long.is_finished(), "the batch was never seen in flight");
        tokio::task::yield_now().await;
    }
    sidecar.signal(libc::SIGTERM);
    tokio::task::block_in_place(|| sidecar.wait_until_draining());

    // A batch sent now, on the connection already open, is answered item by item.
    let late: Vec<Vec<u8>> = (0..3).map(|i| request(LONG_BATCH + i)).collect();
    let items: Vec<(&[u8], &[u8])> = late.iter().map(|r| (&r[..], &b""[..])).collect();
    let refused = client.call(Op::SecureRequest, &items).await.unwrap();
    assert_eq!(refused.len(), 3);
    for result in &refused {
        assert_eq!(result.error_code(), Some(ErrorCode::ShuttingDown), "{}", String::from_utf8_lossy(&result.detail));
    }
    match client.ping().await {
        Err(ClientError::Refused(code, _)) => assert_eq!(code, ErrorCode::ShuttingDown.value()),
        other => panic!("a ping while draining: {other:?}"),
    }
    let refused = tokio::time::timeout(Duration::from_secs(5), connect()).await;
    assert!(matches!(refused, Ok(Err(_))), "a new connection while draining was not refused at once");
    assert!(!long.is_finished(), "the admitted batch was expected to outlast the late ones");
    assert_eq!(sidecar.metric("wsseal_items_total{operation=\"secure_request\",code=\"SHUTTING_DOWN\"}"), 3.0);

    // The batch admitted before SIGTERM finishes, whole.
    let results = long.await.unwrap().unwrap();
    assert_eq!(results.len(), LONG_BATCH);
    assert!(results.iter().all(ItemResult::is_ok));
    let status = tokio::task::block_in_place(|| sidecar.wait());
    assert!(status.success(), "{status:?}: {}", sidecar.log());
    assert!(sidecar.log().contains("draining"));
    assert!(!sidecar.log().contains("grace period ended"), "{}", sidecar.log());
    sidecar
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_over_the_unix_socket_finishes_the_admitted_and_refuses_the_late() {
    let sidecar = Sidecar::loopback(SLOW);
    let client = Client::connect_unix(&sidecar.socket).await.unwrap();
    let socket = sidecar.socket.clone();
    let sidecar = drain(sidecar, client, || async move { Client::connect_unix(&socket).await }).await;
    assert!(!sidecar.socket.exists(), "the socket file is left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_over_quic_finishes_the_admitted_and_refuses_the_late() {
    let pki = pki();
    let client_pin = identity(pki, "client").fingerprint();
    let quic = quic_section(
        &pki.join("service.pem"),
        &pki.join("service.key.pem"),
        &format!("allowed_clients = [\"{client_pin}\"]"),
    );
    let sidecar = Sidecar::loopback(&format!("{quic}{SLOW}"));
    let address = sidecar.quic.unwrap();
    let server_pin = identity(pki, "service").fingerprint();
    let client = Client::connect_quic(address, identity(pki, "client"), &server_pin).await.unwrap();
    drain(sidecar, client, || Client::connect_quic(address, identity(pki, "client"), &server_pin)).await;
}
