//! The C ABI's blocking sidecar client (`wsseal_sidecar_*` of libwsseal) against real
//! `wsseal serve` processes: ping, a whole client↔service exchange through two sidecars, tokens,
//! a batch with failing items, a refused frame, NULL arguments and a missing socket.

mod support;

use std::ffi::CStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr::{null, null_mut};

use support::{Sidecar, request, response};
use wsseal::buffer::wsseal_bytes;
use wsseal::operation::{WSSEAL_OPEN_REQUEST, WSSEAL_OPEN_RESPONSE, WSSEAL_SECURE_REQUEST, WSSEAL_SECURE_RESPONSE};
use wsseal::result::{wsseal_code, wsseal_result};
use wsseal::sidecar_client::*;
use wsseal::wsseal_last_error_message;
use wsseal_core::ErrorCode;

fn connect(path: &Path) -> Result<*mut wsseal_sidecar, (wsseal_result, String)> {
    let bytes = path.as_os_str().as_bytes();
    let mut client = std::ptr::dangling_mut::<wsseal_sidecar>();
    // SAFETY: valid pointers.
    let result = unsafe { wsseal_sidecar_connect(bytes.as_ptr(), bytes.len(), &mut client) };
    match result {
        0 => Ok(client),
        _ => {
            assert!(client.is_null(), "a failed connect leaves NULL");
            Err((result, last_error()))
        }
    }
}

fn last_error() -> String {
    // SAFETY: the library's NUL-terminated string.
    unsafe { CStr::from_ptr(wsseal_last_error_message()) }.to_string_lossy().into_owned()
}

fn bytes(view: wsseal_bytes) -> Vec<u8> {
    match view.data.is_null() {
        true => Vec::new(),
        // SAFETY: the view of a live result.
        false => unsafe { std::slice::from_raw_parts(view.data, view.len) }.to_vec(),
    }
}

/// What one result holds, copied out of the C handle (which is freed).
#[derive(Debug)]
struct Answer {
    code: wsseal_result,
    message: String,
    envelope: Vec<u8>,
    token: Vec<u8>,
    report: Option<String>,
}

impl Answer {
    fn ok(self) -> Answer {
        assert_eq!(self.code, 0, "{}", self.message);
        self
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.envelope).unwrap()
    }
}

/// One batch through `wsseal_sidecar_process`: `None` as an envelope is a NULL pointer.
fn process(
    client: *const wsseal_sidecar,
    operation: u32,
    items: &[(Option<&[u8]>, &[u8])],
) -> Result<Vec<Answer>, (wsseal_result, String)> {
    let items: Vec<wsseal_sidecar_item> = items
        .iter()
        .map(|(envelope, token)| wsseal_sidecar_item {
            envelope: envelope.map_or(null(), <[u8]>::as_ptr),
            envelope_len: envelope.map_or(0, <[u8]>::len),
            token: if token.is_empty() { null() } else { token.as_ptr() },
            token_len: token.len(),
        })
        .collect();
    let mut results = vec![std::ptr::dangling_mut::<wsseal_sidecar_result>(); items.len()];
    // SAFETY: valid pointers, `items.len()` entries each.
    let code = unsafe { wsseal_sidecar_process(client, operation, items.as_ptr(), items.len(), results.as_mut_ptr()) };
    if code != 0 {
        assert!(results.iter().all(|r| r.is_null()), "a failed call writes no result");
        return Err((code, last_error()));
    }
    Ok(results
        .into_iter()
        .map(|result| {
            // SAFETY: live results from the call, freed once at the end.
            unsafe {
                let report = wsseal_sidecar_result_report_json(result);
                let answer = Answer {
                    code: wsseal_sidecar_result_code(result),
                    message: CStr::from_ptr(wsseal_sidecar_result_message(result)).to_string_lossy().into_owned(),
                    envelope: bytes(wsseal_sidecar_result_envelope(result)),
                    token: bytes(wsseal_sidecar_result_token(result)),
                    report: (!report.data.is_null()).then(|| {
                        String::from_utf8(std::slice::from_raw_parts(report.data.cast(), report.len).to_vec()).unwrap()
                    }),
                };
                wsseal_sidecar_result_free(result);
                answer
            }
        })
        .collect())
}

fn one(client: *const wsseal_sidecar, operation: u32, envelope: &[u8], token: &[u8]) -> Answer {
    process(client, operation, &[(Some(envelope), token)]).unwrap().pop().unwrap()
}

const NULL_ARGUMENT: wsseal_result = wsseal_code::WSSEAL_NULL_ARGUMENT as wsseal_result;

#[test]
fn a_c_host_runs_whole_exchanges_through_two_sidecars() {
    let (client_side, service_side) = std::thread::scope(|s| {
        let a = s.spawn(|| Sidecar::start("client", "service", "[limits]\nmax_batch_items = 4\n"));
        let b = s.spawn(|| Sidecar::start("service", "client", ""));
        (a.join().unwrap(), b.join().unwrap())
    });
    let app = connect(&client_side.socket).unwrap();
    let service = connect(&service_side.socket).unwrap();
    // SAFETY: live clients.
    assert_eq!(unsafe { (wsseal_sidecar_ping(app), wsseal_sidecar_ping(service)) }, (0, 0));

    let secured = one(app, WSSEAL_SECURE_REQUEST, &request(1), b"").ok();
    assert!(secured.text().contains("<xenc:EncryptedData") && !secured.text().contains("<n1>100</n1>"));
    assert!(!secured.token.is_empty() && secured.report.is_none());

    // A batch on the service: each item succeeds or fails on its own, in order.
    let results = process(
        service,
        WSSEAL_OPEN_REQUEST,
        &[(Some(b"<not-soap/>"), b""), (Some(&secured.envelope), b""), (None, b"")],
    )
    .unwrap();
    let [not_soap, opened, null_envelope] = <[Answer; 3]>::try_from(results).unwrap();
    let opened = opened.ok();
    assert!(opened.text().contains("<n1>100</n1>"));
    let report: serde_json::Value = serde_json::from_str(opened.report.as_deref().unwrap()).unwrap();
    assert!(report["signer"]["subject"].as_str().unwrap().contains("CN=Cohowinery.com"), "{report}");
    assert_eq!(not_soap.code, ErrorCode::SoapStructure.value(), "{}", not_soap.message);
    assert!(not_soap.envelope.is_empty() && not_soap.token.is_empty() && not_soap.report.is_none());
    assert!(!not_soap.message.is_empty());
    assert_eq!((null_envelope.code, null_envelope.message.as_str()), (NULL_ARGUMENT, "envelope is NULL"));
    let replayed = one(service, WSSEAL_OPEN_REQUEST, &secured.envelope, b"");
    assert_eq!(replayed.code, ErrorCode::MessageReplayed.value(), "{}", replayed.message);

    let answer = one(service, WSSEAL_SECURE_RESPONSE, &response(1), &opened.token).ok();
    assert!(answer.token.is_empty() && answer.report.is_none());
    // Tokens only open at the sidecar that sealed them, for their own operation.
    let swapped = one(app, WSSEAL_OPEN_RESPONSE, &answer.envelope, &opened.token);
    assert_eq!(swapped.code, ErrorCode::TokenInvalid.value(), "{}", swapped.message);
    let answered = one(app, WSSEAL_OPEN_RESPONSE, &answer.envelope, &secured.token).ok();
    assert!(answered.text().contains("<AddResult>115.99</AddResult>"));
    assert!(answered.report.is_some() && answered.token.is_empty());

    // A refused frame fails the call as a whole; the connection goes on.
    let five: Vec<(Option<&[u8]>, &[u8])> = vec![(Some(b"<e/>"), b""); 5];
    let (code, message) = process(app, WSSEAL_SECURE_REQUEST, &five).unwrap_err();
    assert_eq!(code, ErrorCode::BatchTooLarge.value(), "{message}");
    assert!(message.contains("5 items"), "{message}");
    // SAFETY: a live client.
    assert_eq!(unsafe { wsseal_sidecar_ping(app) }, 0);

    // Nothing to send is no call at all; an unknown operation is refused before sending.
    assert!(process(app, WSSEAL_SECURE_REQUEST, &[]).unwrap().is_empty());
    let (code, _) = process(app, 9, &[(Some(b"<e/>"), b"")]).unwrap_err();
    assert_eq!(code, wsseal_code::WSSEAL_INVALID_ARGUMENT as wsseal_result);

    // SAFETY: the clients are not used afterwards.
    unsafe { (wsseal_sidecar_free(app), wsseal_sidecar_free(service)) };
}

#[test]
fn a_lost_sidecar_is_a_connection_failure_and_null_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, message) = connect(&dir.path().join("nobody.sock")).unwrap_err();
    assert_eq!(code, wsseal_code::WSSEAL_SIDECAR_CONNECTION as wsseal_result);
    assert!(message.contains("nobody.sock"), "{message}");

    // SAFETY: NULL arguments only, which every entry point refuses.
    unsafe {
        assert_eq!(wsseal_sidecar_ping(null()), NULL_ARGUMENT);
        assert_eq!(last_error(), "client is NULL");
        assert_eq!(wsseal_sidecar_connect(null(), 0, &mut null_mut()), NULL_ARGUMENT);
        assert_eq!(wsseal_sidecar_connect(b"x".as_ptr(), 1, null_mut()), NULL_ARGUMENT);
        assert_eq!(wsseal_sidecar_result_code(null()), NULL_ARGUMENT);
        assert!(wsseal_sidecar_result_report_json(null()).data.is_null());
        wsseal_sidecar_free(null_mut());
        wsseal_sidecar_result_free(null_mut());
    }

    let mut sidecar = Sidecar::loopback("");
    let client = connect(&sidecar.socket).unwrap();
    // SAFETY: a live client; NULL `items` and `results_out`.
    unsafe {
        assert_eq!(wsseal_sidecar_ping(client), 0);
        let mut result = null_mut();
        assert_eq!(wsseal_sidecar_process(client, WSSEAL_SECURE_REQUEST, null(), 1, &mut result), NULL_ARGUMENT);
        assert_eq!(last_error(), "items is NULL");
        assert_eq!(wsseal_sidecar_process(client, WSSEAL_SECURE_REQUEST, null(), 1, null_mut()), NULL_ARGUMENT);
    }
    // When the sidecar goes away, calls fail with the connection code, and keep failing.
    sidecar.signal(libc::SIGKILL);
    sidecar.wait();
    let connection = wsseal_code::WSSEAL_SIDECAR_CONNECTION as wsseal_result;
    // SAFETY: a live client, freed once at the end.
    unsafe {
        assert_eq!(wsseal_sidecar_ping(client), connection, "{}", last_error());
        assert_eq!(wsseal_sidecar_ping(client), connection);
        assert!(last_error().contains("connect again"), "{}", last_error());
        wsseal_sidecar_free(client);
    }
}
