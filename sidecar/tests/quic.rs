//! The QUIC listener of real `wsseal serve` processes: its client allow-list (pinned
//! fingerprints; a CA bundle verified by rustls' WebPKI verifier, with a name list), and the
//! reload of its certificate and client CA bundle while a client runs batches.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use support::{Sidecar, identity, other_pki, pki, quic_section, replace, request, response};
use wsseal_sidecar::client::Client;
use wsseal_sidecar::tls::Identity;

/// Whether a client presenting `client` (and pinning the server `server_pin`) gets answers.
async fn admitted(address: SocketAddr, client: Identity, server_pin: &str) -> bool {
    match Client::connect_quic(address, client, server_pin).await {
        Ok(client) => client.ping().await.is_ok(),
        Err(_) => false,
    }
}

fn quic_sidecar(allow: &str) -> Sidecar {
    let pki = pki();
    Sidecar::loopback(&quic_section(&pki.join("service.pem"), &pki.join("service.key.pem"), allow))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_are_allowed_by_ca_and_name_or_by_pin() {
    let (ours, theirs) = (pki(), other_pki());
    let server_pin = identity(ours, "service").fingerprint();
    let pinned = identity(theirs, "client").fingerprint();
    let by_ca = quic_sidecar(&format!(
        "client_ca = \"{}\"\nallowed_names = [\"cohowinery.com\"]\nallowed_clients = [\"{pinned}\"]",
        ours.join("ca.pem").display()
    ));
    let address = by_ca.quic.unwrap();
    // Issued by the CA, with an allowed name.
    let client = Client::connect_quic(address, identity(ours, "client"), &server_pin).await.unwrap();
    let secured = client.secure_request(&request(1)).await.unwrap();
    assert!(secured.is_ok());
    let opened = client.open_request(&secured.envelope).await.unwrap();
    let answer = client.secure_response(&response(1), &opened.token).await.unwrap();
    assert!(client.open_response(&answer.envelope, &secured.token).await.unwrap().is_ok());
    // Another CA's certificate: allowed only by its pin.
    assert!(admitted(address, identity(theirs, "client"), &server_pin).await, "the pinned certificate");
    assert!(!admitted(address, identity(theirs, "service"), &server_pin).await, "another CA, not pinned");
    // The CA's certificate for servers only (no clientAuth usage, not the name) is refused.
    assert!(!admitted(address, identity(ours, "service"), &server_pin).await, "a server certificate");

    // The right CA, but not a name on the list.
    let by_name = quic_sidecar(&format!(
        "client_ca = \"{}\"\nallowed_names = [\"fabrikam.com\", \"CN=Cohowinery.com,O=Elsewhere\"]",
        ours.join("ca.pem").display()
    ));
    assert!(!admitted(by_name.quic.unwrap(), identity(ours, "client"), &server_pin).await, "a name not on the list");
    // Without a name list, the CA alone decides.
    let any_name = quic_sidecar(&format!("client_ca = \"{}\"", ours.join("ca.pem").display()));
    assert!(admitted(any_name.quic.unwrap(), identity(ours, "client"), &server_pin).await);
    assert!(!admitted(any_name.quic.unwrap(), identity(theirs, "client"), &server_pin).await, "wrong CA");
}

#[test]
fn a_quic_listener_that_admits_nobody_does_not_start() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let pki = pki();
    let quic = quic_section(&pki.join("service.pem"), &pki.join("service.key.pem"), "allowed_names = [\"a\"]");
    let config = format!(
        "[engine.credentials]\ncertificate = \"{0}/service.pem\"\nprivate_key = \"{0}/service.key.pem\"\n\
         [engine.peer]\ncertificate = \"{0}/client.pem\"\n{quic}",
        pki.display()
    );
    std::fs::write(dir.path().join("serve.toml"), config).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wsseal"))
        .args(["serve", "--http", "", "--socket"])
        .arg(dir.path().join("s.sock"))
        .arg("--config")
        .arg(dir.path().join("serve.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("allowed client names need a client CA bundle"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quic_certificate_and_client_ca_reload_under_load() {
    let (ours, theirs) = (pki(), other_pki());
    let files = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (certificate, key, bundle) =
        (files.path().join("quic.pem"), files.path().join("quic.key.pem"), files.path().join("clients.pem"));
    std::fs::copy(ours.join("service.pem"), &certificate).unwrap();
    std::fs::copy(ours.join("service.key.pem"), &key).unwrap();
    std::fs::copy(ours.join("ca.pem"), &bundle).unwrap();
    let sidecar =
        Sidecar::loopback(&quic_section(&certificate, &key, &format!("client_ca = \"{}\"", bundle.display())));
    let address = sidecar.quic.unwrap();
    let (old_pin, new_pin) = (identity(ours, "service").fingerprint(), identity(theirs, "service").fingerprint());

    // A client runs whole exchanges on one connection throughout.
    let client = Client::connect_quic(address, identity(ours, "client"), &old_pin).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut count = 0;
            while !stop.load(Ordering::Relaxed) || count < 10 {
                let secured = client.secure_request(&request(70_000 + count)).await.unwrap();
                assert!(secured.is_ok());
                let opened = client.open_request(&secured.envelope).await.unwrap();
                let answer = client.secure_response(&response(70_000 + count), &opened.token).await.unwrap();
                assert!(client.open_response(&answer.envelope, &secured.token).await.unwrap().is_ok());
                count += 1;
            }
            count
        })
    };
    let reloads = |result: &str| format!("wsseal_reloads_total{{material=\"quic\",result=\"{result}\"}}");

    // The certificate rotates (key first, as a secret volume may show it): new connections see it.
    replace(&key, &std::fs::read(theirs.join("service.key.pem")).unwrap());
    replace(&certificate, &std::fs::read(theirs.join("service.pem")).unwrap());
    tokio::task::block_in_place(|| {
        let started = std::time::Instant::now();
        // Between the two writes a reload may fail (a key that does not match); the last succeeds.
        while !(sidecar.metric(&reloads("success")) >= 1.0 && std::fs::metadata(&certificate).is_ok()) {
            assert!(started.elapsed() < support::DEADLINE, "no reload: {}", sidecar.log());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let mut seen_new = false;
    for _ in 0..100 {
        if admitted(address, identity(ours, "client"), &new_pin).await {
            seen_new = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen_new, "a new connection never saw the new certificate: {}", sidecar.log());
    assert!(!admitted(address, identity(ours, "client"), &old_pin).await, "the old certificate is still served");

    // A half-written key fails the reload and keeps the configuration.
    let failures = sidecar.metric(&reloads("failure"));
    replace(&key, b"-----BEGIN PRIVATE KEY-----\nAAAA\n");
    tokio::task::block_in_place(|| sidecar.wait_for_metric(&reloads("failure"), failures + 1.0));
    assert!(admitted(address, identity(ours, "client"), &new_pin).await, "the failed reload lost the listener");
    let successes = sidecar.metric(&reloads("success"));
    replace(&key, &std::fs::read(theirs.join("service.key.pem")).unwrap());
    tokio::task::block_in_place(|| sidecar.wait_for_metric(&reloads("success"), successes + 1.0));

    // The client CA bundle rotates to the other CA: its clients come in, ours no longer.
    replace(&bundle, &std::fs::read(theirs.join("ca.pem")).unwrap());
    tokio::task::block_in_place(|| sidecar.wait_for_metric(&reloads("success"), successes + 2.0));
    assert!(admitted(address, identity(theirs, "client"), &new_pin).await, "a client of the new CA");
    assert!(!admitted(address, identity(ours, "client"), &new_pin).await, "a client of the old CA");

    stop.store(true, Ordering::Relaxed);
    let count = load.await.unwrap();
    assert!(count >= 10, "{count} exchanges");
    assert_eq!(sidecar.metric("wsseal_reloads_total{material=\"engine\",result=\"success\"}"), 0.0);
}
