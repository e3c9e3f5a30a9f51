//! `wsseal serve` as real processes on real sockets: whole client↔service exchanges through two
//! sidecars, tokens, batches, health and metrics, many concurrent clients, overload, reload of
//! the engine under load, the uid allow-list, and QUIC with mutual TLS (shutdown: drain.rs; QUIC
//! allow-lists and reloads of QUIC and the token keys: quic.rs, rotation.rs).

mod support;

use std::sync::Arc;

use support::{Sidecar, pki, request, response};
use wsseal_core::ErrorCode;
use wsseal_sidecar::client::{Client, ClientError};
use wsseal_sidecar::protocol::{ItemResult, Op};
use wsseal_sidecar::tls::{self, Identity};

fn code(result: &ItemResult) -> String {
    match result.error_code() {
        _ if result.is_ok() => "OK".into(),
        Some(code) => format!("{code}: {}", String::from_utf8_lossy(&result.detail)),
        None => result.code.to_string(),
    }
}

fn ok(result: ItemResult) -> ItemResult {
    assert!(result.is_ok(), "{}", code(&result));
    result
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_and_a_service_exchange_through_two_sidecars() {
    let (client_side, service_side) = std::thread::scope(|s| {
        let a = s.spawn(|| Sidecar::start("client", "service", ""));
        let b = s.spawn(|| Sidecar::start("service", "client", ""));
        (a.join().unwrap(), b.join().unwrap())
    });
    let app = Client::connect_unix(&client_side.socket).await.unwrap();
    let service = Client::connect_unix(&service_side.socket).await.unwrap();

    let secured = ok(app.secure_request(&request(1)).await.unwrap());
    assert!(text(&secured.envelope).contains("<xenc:EncryptedData"));
    assert!(!text(&secured.envelope).contains("<n1>100</n1>"));
    let opened = ok(service.open_request(&secured.envelope).await.unwrap());
    assert!(text(&opened.envelope).contains("<n1>100</n1>"));
    let report: serde_json::Value = serde_json::from_slice(&opened.detail).unwrap();
    assert!(report["signer"]["subject"].as_str().unwrap().contains("CN=Cohowinery.com"), "{report}");

    let answer = ok(service.secure_response(&response(1), &opened.token).await.unwrap());
    let answered = ok(app.open_response(&answer.envelope, &secured.token).await.unwrap());
    assert!(text(&answered.envelope).contains("<AddResult>115.99</AddResult>"));
    assert!(answered.token.is_empty());

    // A token only opens at the sidecar that sealed it, for the operation it was made for.
    let foreign = service.secure_response(&response(1), &secured.token).await.unwrap();
    assert_eq!(foreign.error_code(), Some(ErrorCode::TokenInvalid), "{}", code(&foreign));
    let swapped = app.open_response(&answer.envelope, &opened.token).await.unwrap();
    assert_eq!(swapped.error_code(), Some(ErrorCode::TokenInvalid));
    let mut tampered = opened.token.clone();
    tampered[20] ^= 1;
    let tampered = service.secure_response(&response(1), &tampered).await.unwrap();
    assert_eq!(tampered.error_code(), Some(ErrorCode::TokenInvalid));
    let missing = service.secure_response(&response(1), b"").await.unwrap();
    assert_eq!(missing.error_code(), Some(ErrorCode::TokenInvalid));

    // A batch answers item by item, in order; a bad item does not spoil the others.
    let (one, two) =
        (ok(app.secure_request(&request(2)).await.unwrap()), ok(app.secure_request(&request(3)).await.unwrap()));
    let mut altered = two.envelope.clone();
    let at = text(&altered).find("<xenc:CipherValue>").unwrap() + 30;
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let items: Vec<(&[u8], &[u8])> =
        vec![(&one.envelope, b""), (&altered, b""), (b"<not-soap/>", b""), (&secured.envelope, b"")];
    let results = service.call(Op::OpenRequest, &items).await.unwrap();
    assert!(results[0].is_ok(), "{}", code(&results[0]));
    assert_eq!(results[1].error_code(), Some(ErrorCode::DecryptionFailed), "{}", code(&results[1]));
    assert_eq!(results[2].error_code(), Some(ErrorCode::SoapStructure), "{}", code(&results[2]));
    assert_eq!(results[3].error_code(), Some(ErrorCode::MessageReplayed), "{}", code(&results[3]));

    // check_identity: the service's certificate against the identity a client expects.
    let service_der =
        Identity::from_pem_files(&pki().join("service.pem"), &pki().join("service.key.pem")).unwrap().chain.remove(0);
    let matches: &[u8] = b"<identity><dns value=\"contoso.com\"/></identity>";
    let other: &[u8] = b"<identity><dns value=\"fabrikam.com\"/></identity>";
    let items: Vec<(&[u8], &[u8])> =
        vec![(&service_der, matches), (&service_der, other), (b"not DER", matches), (&service_der, b"<identity")];
    let identity = service.call(Op::CheckIdentity, &items).await.unwrap();
    assert!(identity[0].is_ok(), "{}", code(&identity[0]));
    assert_eq!(identity[1].error_code(), Some(ErrorCode::IdentityMismatch), "{}", code(&identity[1]));
    assert_eq!(identity[2].error_code(), Some(ErrorCode::CredentialInvalid), "{}", code(&identity[2]));
    assert_eq!(identity[3].error_code(), Some(ErrorCode::IdentityInvalid), "{}", code(&identity[3]));

    // Health and metrics.
    assert_eq!(service_side.get("/healthz").0, 200);
    assert_eq!(service_side.get("/readyz").0, 200);
    assert_eq!(service_side.get("/nothing").0, 404);
    assert_eq!(service_side.metric("wsseal_items_total{operation=\"open_request\",code=\"OK\"}"), 2.0);
    assert_eq!(service_side.metric("wsseal_items_total{operation=\"open_request\",code=\"DECRYPTION_FAILED\"}"), 1.0);
    assert_eq!(service_side.metric("wsseal_batch_duration_seconds_count{operation=\"open_request\"}"), 2.0);
    assert_eq!(client_side.metric("wsseal_items_total{operation=\"secure_request\",code=\"OK\"}"), 3.0);
    assert!(service_side.get("/metrics").1.contains("wsseal_certificate_cache_misses_total "));
    assert!(service_side.get("/metrics").1.contains("# TYPE wsseal_batch_items histogram"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_clients_each_get_their_own_answers() {
    let sidecar = Sidecar::loopback("");
    let mut tasks = Vec::new();
    for client in 0..16 {
        let socket = sidecar.socket.clone();
        tasks.push(tokio::spawn(async move {
            let connection = Arc::new(Client::connect_unix(&socket).await.unwrap());
            // Several batches in flight on one connection.
            let mut batches = Vec::new();
            for batch in 0..4 {
                let connection = connection.clone();
                batches.push(tokio::spawn(async move {
                    let ids: Vec<usize> = (0..3).map(|i| 1000 + client * 100 + batch * 10 + i).collect();
                    let requests: Vec<Vec<u8>> = ids.iter().map(|&id| request(id)).collect();
                    let items: Vec<(&[u8], &[u8])> = requests.iter().map(|r| (&r[..], &b""[..])).collect();
                    let secured = connection.call(Op::SecureRequest, &items).await.unwrap();
                    let items: Vec<(&[u8], &[u8])> = secured.iter().map(|s| (&s.envelope[..], &b""[..])).collect();
                    let opened = connection.call(Op::OpenRequest, &items).await.unwrap();
                    for (id, result) in ids.iter().zip(opened) {
                        let result = ok(result);
                        let report: serde_json::Value = serde_json::from_slice(&result.detail).unwrap();
                        assert!(report["message_id"].as_str().unwrap().ends_with(&format!("{id:012}")), "{report}");
                    }
                }));
            }
            for batch in batches {
                batch.await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(sidecar.metric("wsseal_items_total{operation=\"open_request\",code=\"OK\"}"), 192.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overload_answers_busy_and_every_item_once() {
    let sidecar = Sidecar::loopback("[limits]\nmax_inflight_items = 6\n[workers]\nthreads = 1\n");
    let client = Arc::new(Client::connect_unix(&sidecar.socket).await.unwrap());
    let mut batches = Vec::new();
    for batch in 0..24 {
        let client = client.clone();
        batches.push(tokio::spawn(async move {
            let requests: Vec<Vec<u8>> = (0..4).map(|i| request(batch * 10 + i)).collect();
            let items: Vec<(&[u8], &[u8])> = requests.iter().map(|r| (&r[..], &b""[..])).collect();
            client.call(Op::SecureRequest, &items).await.unwrap()
        }));
    }
    let (mut done, mut busy) = (0, 0);
    for batch in batches {
        let results = batch.await.unwrap();
        assert_eq!(results.len(), 4);
        for result in results {
            match result.error_code() {
                _ if result.is_ok() => done += 1,
                Some(ErrorCode::Busy) => busy += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(done + busy, 96);
    assert!(busy > 0 && done >= 6, "{done} done, {busy} busy");
    assert_eq!(sidecar.metric("wsseal_busy_total"), busy as f64);
    assert_eq!(sidecar.metric("wsseal_inflight_items"), 0.0);
    // Once the load is gone, work is admitted again.
    ok(client.secure_request(&request(9999)).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_load_lose_nothing_and_a_bad_file_keeps_the_engine() {
    let mut sidecar = Sidecar::loopback("");
    let client = Arc::new(Client::connect_unix(&sidecar.socket).await.unwrap());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (client, stop) = (client.clone(), stop.clone());
        tokio::spawn(async move {
            let mut count = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || count < 10 {
                let secured = ok(client.secure_request(&request(50_000 + count)).await.unwrap());
                ok(client.open_request(&secured.envelope).await.unwrap());
                count += 1;
            }
            count
        })
    };
    let dir = sidecar.dir.path().to_path_buf();
    let (certificate, key) = (dir.join("service.pem"), dir.join("service.key.pem"));
    let good_key = std::fs::read(&key).unwrap();
    let reloads = |sidecar: &Sidecar, result: &str| {
        sidecar.metric(&format!("wsseal_reloads_total{{material=\"engine\",result=\"{result}\"}}"))
    };
    let wait_for = |sidecar: &Sidecar, result: &str, at_least: f64| {
        let started = std::time::Instant::now();
        while reloads(sidecar, result) < at_least {
            assert!(started.elapsed() < support::DEADLINE, "no {result} reload: {}", sidecar.log());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    // Rewritten files (a new inode, as a secret rotation makes) are picked up.
    for round in 1..=3 {
        let temporary = dir.join("rotating.pem");
        std::fs::write(&temporary, std::fs::read(&certificate).unwrap()).unwrap();
        std::fs::rename(&temporary, &certificate).unwrap();
        wait_for(&sidecar, "success", round as f64);
    }
    // SIGHUP reloads too.
    sidecar.signal(libc::SIGHUP);
    wait_for(&sidecar, "success", 4.0);
    // A broken key fails the reload and keeps the engine; the load goes on.
    std::fs::write(&key, b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").unwrap();
    wait_for(&sidecar, "failure", 1.0);
    std::fs::write(&key, &good_key).unwrap();
    wait_for(&sidecar, "success", 5.0);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let count = load.await.unwrap();
    assert!(count >= 10);
    assert!(sidecar.running());
    assert!(sidecar.log().contains("reload failed; keeping the old one"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_uid_allow_list_refuses_other_peers() {
    let uid = unsafe { libc::getuid() };
    let refused = Sidecar::loopback(&format!("[listen]\nallowed_uids = [{}]\n", uid.wrapping_add(1)));
    let client = Client::connect_unix(&refused.socket).await.unwrap();
    assert!(matches!(client.ping().await, Err(ClientError::Closed | ClientError::Io(_))));
    let allowed = Sidecar::loopback(&format!("[listen]\nallowed_uids = [{uid}]\nmode = \"0600\"\n"));
    Client::connect_unix(&allowed.socket).await.unwrap().ping().await.unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&allowed.socket).unwrap().permissions().mode() & 0o777, 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quic_with_mutual_tls_speaks_the_same_frames() {
    let pki = pki();
    let identity = |stem: &str| {
        Identity::from_pem_files(&pki.join(format!("{stem}.pem")), &pki.join(format!("{stem}.key.pem"))).unwrap()
    };
    let client_fingerprint = identity("client").fingerprint();
    let server_fingerprint = identity("service").fingerprint();
    let sidecar = Sidecar::loopback(&format!(
        "[quic]\nlisten = \"127.0.0.1:0\"\ncertificate = \"{}\"\nprivate_key = \"{}\"\nallowed_clients = [\"{client_fingerprint}\"]\n",
        pki.join("service.pem").display(),
        pki.join("service.key.pem").display()
    ));
    let address = sidecar.quic.unwrap();
    let client = Client::connect_quic(address, identity("client"), &server_fingerprint).await.unwrap();
    client.ping().await.unwrap();
    let secured = ok(client.secure_request(&request(7)).await.unwrap());
    let opened = ok(client.open_request(&secured.envelope).await.unwrap());
    let answer = ok(client.secure_response(&response(7), &opened.token).await.unwrap());
    ok(client.open_response(&answer.envelope, &secured.token).await.unwrap());

    // A client certificate not on the allow-list gets no answer.
    let stranger = Client::connect_quic(address, identity("service"), &server_fingerprint).await;
    if let Ok(stranger) = stranger {
        assert!(stranger.ping().await.is_err());
    }
    // A server that is not the pinned one is refused by the client.
    let wrong_pin = Client::connect_quic(address, identity("client"), &tls::fingerprint(b"other")).await;
    assert!(wrong_pin.is_err());
}
