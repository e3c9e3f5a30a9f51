//! Rotation of the token key under real `wsseal serve` processes: the newest key of the file
//! seals, keys rotated out go on opening tokens for `token.overlap_seconds`, a replica holding
//! the new key opens the new tokens, and a half-written key file keeps the keys.

mod support;

use std::time::{Duration, Instant};

use support::{Sidecar, replace, request, response};
use wsseal_core::ErrorCode;
use wsseal_sidecar::client::Client;
use wsseal_sidecar::protocol::ItemResult;

/// How long rotated-out keys open tokens in this test.
const OVERLAP: Duration = Duration::from_secs(8);

fn key_hex(byte: u8) -> String {
    format!("{byte:02x}").repeat(32)
}

fn with_key(file: &std::path::Path) -> Sidecar {
    Sidecar::loopback(&format!("[token]\nkey_file = \"{}\"\noverlap_seconds = {}\n", file.display(), OVERLAP.as_secs()))
}

/// A token for `secure_response`, from opening a request this sidecar secured.
async fn token(client: &Client, id: usize) -> Vec<u8> {
    let secured = client.secure_request(&request(id)).await.unwrap();
    let opened = client.open_request(&secured.envelope).await.unwrap();
    assert!(opened.is_ok(), "{}", String::from_utf8_lossy(&opened.detail));
    opened.token
}

fn code(result: &ItemResult) -> Option<ErrorCode> {
    if result.is_ok() { None } else { result.error_code() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_token_key_seals_new_tokens_and_opens_old_ones_for_the_overlap() {
    let keys = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (file, replica_file) = (keys.path().join("token.key"), keys.path().join("replica.key"));
    std::fs::write(&file, key_hex(1)).unwrap();
    std::fs::write(&replica_file, key_hex(2)).unwrap();
    let sidecar = with_key(&file);
    let replica = with_key(&replica_file);
    let client = Client::connect_unix(&sidecar.socket).await.unwrap();
    let replica_client = Client::connect_unix(&replica.socket).await.unwrap();
    let reloads = |result: &str| format!("wsseal_reloads_total{{material=\"token\",result=\"{result}\"}}");

    let before = token(&client, 1).await;
    assert_eq!(sidecar.metric("wsseal_token_keys"), 1.0);
    replace(&file, key_hex(2).as_bytes());
    tokio::task::block_in_place(|| sidecar.wait_for_metric(&reloads("success"), 1.0));
    let rotated_at = Instant::now();
    assert_eq!(sidecar.metric("wsseal_token_keys"), 2.0, "the new key and the one in its overlap");
    let after = token(&client, 2).await;

    // The token sealed before the rotation still opens here; the new one opens at the replica
    // that holds only the new key (and the old one does not).
    assert_eq!(code(&client.secure_response(&response(1), &before).await.unwrap()), None);
    assert_eq!(code(&replica_client.secure_response(&response(2), &after).await.unwrap()), None);
    let old_at_replica = replica_client.secure_response(&response(1), &before).await.unwrap();
    assert_eq!(code(&old_at_replica), Some(ErrorCode::TokenInvalid));

    // A half-written key file fails the reload and keeps both keys.
    replace(&file, b"0202");
    tokio::task::block_in_place(|| sidecar.wait_for_metric(&reloads("failure"), 1.0));
    assert!(sidecar.log().contains("reload failed; keeping the old one"));
    let later = token(&client, 3).await;
    assert_eq!(code(&replica_client.secure_response(&response(3), &later).await.unwrap()), None);
    assert!(rotated_at.elapsed() < OVERLAP, "the machine is too slow for this test's overlap");
    assert_eq!(code(&client.secure_response(&response(1), &before).await.unwrap()), None);

    // Past the overlap, the old key opens nothing; the new one goes on.
    tokio::time::sleep(OVERLAP.saturating_sub(rotated_at.elapsed()) + Duration::from_secs(1)).await;
    let expired = client.secure_response(&response(1), &before).await.unwrap();
    assert_eq!(code(&expired), Some(ErrorCode::TokenInvalid));
    assert_eq!(sidecar.metric("wsseal_token_keys"), 1.0);
    let fresh = token(&client, 4).await;
    assert_eq!(code(&client.secure_response(&response(4), &fresh).await.unwrap()), None);
}
