//! The C ABI driven from Rust as a C host drives it: batches on pools, the exchange carried as
//! bytes, the report's accessors and JSON, the logging callback, the Custom validator's find
//! callback, and the panic boundary on every entry point.

mod common;

use std::ffi::{CStr, c_void};
use std::path::Path;
use std::ptr::{null, null_mut};
use std::sync::Mutex;

use wsseal::batch::*;
use wsseal::buffer::*;
use wsseal::engine::*;
use wsseal::exchange::*;
use wsseal::log::*;
use wsseal::operation::*;
use wsseal::report::*;
use wsseal::validator::*;
use wsseal_core::ErrorCode;

const REQUEST: &str = include_str!("../../examples/messages/add-request.xml");

fn engine(dir: &Path, toml: &str, validator: Option<&wsseal_certificate_validator>) -> *mut wsseal_engine {
    let base = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
    let mut engine = null_mut();
    let validator = validator.map_or(null(), |v| v as *const _);
    // SAFETY: valid pointers for the call.
    let rc = unsafe { wsseal_engine_from_toml(toml.as_ptr(), toml.len(), base.as_ptr(), validator, &mut engine) };
    assert_eq!(rc, 0, "{}", last_error());
    engine
}

fn side(dir: &Path, side: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{side}.toml"))).unwrap()
}

fn last_error() -> String {
    // SAFETY: the library's NUL-terminated string.
    unsafe { CStr::from_ptr(wsseal::wsseal_last_error_message()) }.to_string_lossy().into_owned()
}

fn bytes(view: wsseal_bytes) -> &'static [u8] {
    // SAFETY: views of live handles, used before their handle is freed.
    unsafe { std::slice::from_raw_parts(view.data, view.len) }
}

fn text(view: wsseal_str) -> Option<&'static str> {
    // SAFETY: as above.
    (!view.data.is_null())
        .then(|| std::str::from_utf8(unsafe { std::slice::from_raw_parts(view.data.cast(), view.len) }).unwrap())
}

/// Runs a batch and returns its outcomes.
fn batch(
    engine: *const wsseal_engine,
    pool: *const wsseal_pool,
    operation: wsseal_operation,
    items: &[wsseal_batch_item],
) -> Vec<*mut wsseal_outcome> {
    let mut outcomes = vec![null_mut(); items.len()];
    // SAFETY: valid pointers and lengths.
    let rc = unsafe {
        wsseal_engine_process_batch(engine, pool, operation, items.as_ptr(), items.len(), outcomes.as_mut_ptr())
    };
    assert_eq!(rc, 0, "{}", last_error());
    outcomes
}

fn item(envelope: &[u8], exchange: *const wsseal_exchange) -> wsseal_batch_item {
    wsseal_batch_item { envelope: envelope.as_ptr(), envelope_len: envelope.len(), exchange }
}

#[test]
fn a_batch_exchange_round_trips_on_a_pool_with_the_state_as_bytes() {
    let dir = tempfile::tempdir().unwrap();
    common::write_pki(dir.path());
    let client = engine(dir.path(), &side(dir.path(), "client"), None);
    let service = engine(dir.path(), &side(dir.path(), "service"), None);
    let mut pool = null_mut();
    // SAFETY: a valid out pointer.
    assert_eq!(unsafe { wsseal_pool_new(2, &mut pool) }, 0);

    let requests: Vec<String> = (0..6).map(|i| REQUEST.replace("<n1>100</n1>", &format!("<n1>{i}</n1>"))).collect();
    let items: Vec<_> = requests.iter().map(|r| item(r.as_bytes(), null())).collect();
    let secured = batch(client, pool, WSSEAL_SECURE_REQUEST, &items);
    // SAFETY: outcomes of this batch, each freed once below.
    unsafe {
        let items: Vec<_> = secured.iter().map(|&o| item(bytes(wsseal_outcome_envelope(o)), null())).collect();
        let opened = batch(service, null(), WSSEAL_OPEN_REQUEST, &items);
        let mut service_states = Vec::new();
        for (i, &outcome) in opened.iter().enumerate() {
            assert_eq!(wsseal_outcome_code(outcome), 0, "{:?}", CStr::from_ptr(wsseal_outcome_message(outcome)));
            let envelope = std::str::from_utf8(bytes(wsseal_outcome_envelope(outcome))).unwrap();
            assert!(envelope.contains(&format!("<n1>{i}</n1>")), "item {i} in order");
            let report = wsseal_outcome_report(outcome);
            let mut signer = std::mem::zeroed::<wsseal_signer>();
            assert!(wsseal_report_signer(report, &mut signer));
            assert_eq!(text(signer.subject), Some("CN=Cohowinery.com"));
            assert_eq!(text(signer.thumbprint_sha1).unwrap().len(), 40);
            assert_eq!(text(wsseal_report_signed_part(report, 0)), Some("Body"));
            assert_eq!(wsseal_report_encrypted_count(report), 1);
            assert_eq!(text(wsseal_report_encrypted_part(report, 0)), Some("Body"));
            assert!(text(wsseal_report_timestamp_created(report)).unwrap().ends_with('Z'));
            assert!(text(wsseal_report_timestamp_expires(report)).is_some());
            assert_eq!(text(wsseal_report_message_id(report)), Some("urn:uuid:6a5b9e8f-1d3c-4c1e-9d8f-2b7e4f0c5a11"));
            let mut json = null_mut();
            assert_eq!(wsseal_report_to_json(report, &mut json), 0);
            let json: serde_json::Value =
                serde_json::from_slice(bytes(wsseal_buffer_bytes(json))).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(json["signer"]["subject"], "CN=Cohowinery.com");
            let mut state = null_mut();
            assert_eq!(wsseal_outcome_take_exchange(outcome, &mut state), 0);
            service_states.push(state);
        }
        let answers: Vec<String> = (0..6)
            .map(|i| include_str!("../../examples/messages/add-response.xml").replace("{result}", &format!("{i}.5")))
            .collect();
        let items: Vec<_> = answers.iter().zip(&service_states).map(|(a, &s)| item(a.as_bytes(), s)).collect();
        let responses = batch(service, pool, WSSEAL_SECURE_RESPONSE, &items);

        // The client keeps its states as bytes only, and opens each response with its own.
        for (i, (&request, &response)) in secured.iter().zip(&responses).enumerate() {
            let mut state = null_mut();
            assert_eq!(wsseal_outcome_take_exchange(request, &mut state), 0);
            let mut encoded = null_mut();
            assert_eq!(wsseal_exchange_to_bytes(state, &mut encoded), 0);
            wsseal_exchange_free(state);
            let kept = bytes(wsseal_buffer_bytes(encoded));
            let mut restored = null_mut();
            assert_eq!(wsseal_exchange_from_bytes(kept.as_ptr(), kept.len(), &mut restored), 0);
            wsseal_buffer_free(encoded);
            let envelope = bytes(wsseal_outcome_envelope(response));
            let mut answer = null_mut();
            let rc = wsseal_engine_process(
                client,
                WSSEAL_OPEN_RESPONSE,
                envelope.as_ptr(),
                envelope.len(),
                restored,
                &mut answer,
            );
            assert_eq!(rc, 0, "{}", last_error());
            let opened = std::str::from_utf8(bytes(wsseal_outcome_envelope(answer))).unwrap();
            assert!(opened.contains(&format!("<AddResult>{i}.5</AddResult>")), "{opened}");
            wsseal_outcome_free(answer);
            wsseal_exchange_free(restored);
        }
        for outcome in secured.into_iter().chain(opened).chain(responses) {
            wsseal_outcome_free(outcome);
        }
        service_states.into_iter().for_each(|s| wsseal_exchange_free(s));
        wsseal_pool_free(pool);
        wsseal_engine_free(client);
        wsseal_engine_free(service);
    }
}

/// What the log callback received.
static LOGGED: Mutex<Vec<(wsseal_log_level, String)>> = Mutex::new(Vec::new());

unsafe extern "C" fn remember(userdata: *mut c_void, level: wsseal_log_level, message: wsseal_str) {
    assert_eq!(userdata as usize, 0x5eed);
    // Other tests of this binary run at the same time; keep the events of this test's thread.
    if std::thread::current().name() != Some("log_events_reach_the_callback_up_to_its_level") {
        return;
    }
    LOGGED.lock().unwrap().push((level, text(message).unwrap().to_owned()));
}

#[test]
fn log_events_reach_the_callback_up_to_its_level() {
    let dir = tempfile::tempdir().unwrap();
    common::write_pki(dir.path());
    let toml = side(dir.path(), "service");
    let userdata = 0x5eed as *mut c_void;
    // SAFETY: a callback that stays valid; userdata is only compared.
    unsafe {
        assert_eq!(wsseal_set_log_callback(Some(remember), userdata, WSSEAL_LOG_DEBUG), 0);
        let service = engine(dir.path(), &toml, None);
        let mut outcome = null_mut();
        let rc = wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, b"<x".as_ptr(), 2, null(), &mut outcome);
        assert_eq!(rc, ErrorCode::XmlMalformed.value());
        assert_eq!(wsseal_set_log_callback(Some(remember), userdata, WSSEAL_LOG_INFO), 0);
        wsseal_engine_process(service, WSSEAL_OPEN_REQUEST, b"<y".as_ptr(), 2, null(), &mut outcome);
        assert_eq!(wsseal_set_log_callback(None, null_mut(), WSSEAL_LOG_TRACE), 0);
        wsseal_engine_free(engine(dir.path(), &toml, None));
        wsseal_engine_free(service);
    }
    let logged = LOGGED.lock().unwrap();
    assert!(logged.iter().any(|(l, m)| *l == WSSEAL_LOG_INFO && m.starts_with("engine created")), "{logged:?}");
    let refusals: Vec<_> = logged.iter().filter(|(l, _)| *l == WSSEAL_LOG_DEBUG).collect();
    assert_eq!(refusals.len(), 1, "DEBUG only while the level allowed it: {logged:?}");
    assert!(refusals[0].1.contains("code=100"), "{refusals:?}");
    assert_eq!(logged.iter().filter(|(_, m)| m.starts_with("engine created")).count(), 1, "nothing after off");
}

/// The validator of the find test: hands out `der` for any reference.
struct Finder {
    der: Vec<u8>,
    asked: Mutex<Vec<wsseal_reference_kind>>,
}

unsafe extern "C" fn trust_all(_: *mut c_void, _: *const u8, _: usize) -> u32 {
    0
}

unsafe extern "C" fn find(
    userdata: *mut c_void,
    reference: *const wsseal_token_reference,
    found: *mut wsseal_found_certificate,
) -> u32 {
    // SAFETY: the Finder the test passed, and the library's valid arguments.
    unsafe {
        let finder = &*(userdata as *const Finder);
        finder.asked.lock().unwrap().push((*reference).kind);
        wsseal_found_certificate_set(found, finder.der.as_ptr(), finder.der.len())
    }
}

#[test]
fn the_find_callback_supplies_certificates_that_messages_only_reference() {
    let dir = tempfile::tempdir().unwrap();
    common::write_pki(dir.path());
    let client_toml = side(dir.path(), "client") + "[policy]\nsigner_reference = \"Thumbprint\"\n";
    let client = engine(dir.path(), &client_toml, None);
    let der = |name: &str| {
        let pem = std::fs::read(dir.path().join(name)).unwrap();
        wsseal_core::cert::Certificate::from_pem(&pem).unwrap().der().to_vec()
    };
    let right = Finder { der: der("client.pem"), asked: Mutex::new(Vec::new()) };
    let wrong = Finder { der: der("service.pem"), asked: Mutex::new(Vec::new()) };
    let service_toml = side(dir.path(), "service");
    // SAFETY: valid pointers; the Finders outlive the engines.
    unsafe {
        let mut secured = null_mut();
        let rc =
            wsseal_engine_process(client, WSSEAL_SECURE_REQUEST, REQUEST.as_ptr(), REQUEST.len(), null(), &mut secured);
        assert_eq!(rc, 0, "{}", last_error());
        let envelope = bytes(wsseal_outcome_envelope(secured));
        assert!(!std::str::from_utf8(envelope).unwrap().contains("BinarySecurityToken"));
        for (finder, callback, expected) in [
            (&right, Some(find as _), 0),
            (&wrong, Some(find as _), ErrorCode::SignerUntrusted.value()),
            (&right, None, ErrorCode::SignerUntrusted.value()),
        ] {
            let validator = wsseal_certificate_validator {
                userdata: finder as *const Finder as *mut c_void,
                validate: Some(trust_all),
                find: callback,
                release: None,
                validate_chain: None,
            };
            let service = engine(dir.path(), &service_toml, Some(&validator));
            let mut opened = null_mut();
            let rc = wsseal_engine_process(
                service,
                WSSEAL_OPEN_REQUEST,
                envelope.as_ptr(),
                envelope.len(),
                null(),
                &mut opened,
            );
            assert_eq!(rc, expected, "{}", last_error());
            wsseal_outcome_free(opened);
            wsseal_engine_free(service);
        }
        assert_eq!(*right.asked.lock().unwrap(), [WSSEAL_REFERENCE_THUMBPRINT]);
        assert_eq!(wrong.asked.lock().unwrap().len(), 1);
        wsseal_outcome_free(secured);
        wsseal_engine_free(client);
    }
}

#[test]
fn every_entry_point_runs_inside_the_panic_boundary() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut entry_points = 0;
    for file in std::fs::read_dir(&src).unwrap() {
        let path = file.unwrap().path();
        let code = std::fs::read_to_string(&path).unwrap();
        for (at, _) in code.match_indices("extern \"C\" fn wsseal_") {
            entry_points += 1;
            let body_start = at + code[at..].find('{').unwrap();
            let body = &code[body_start..body_start + code[body_start..].find("\n}\n").unwrap()];
            let name = code[at..].split('(').next().unwrap();
            assert!(
                ["guard(", "guard_value(", "read_handle(", "read(report"].iter().any(|g| body.contains(g)),
                "{}: {name} does not run inside the panic boundary",
                path.display()
            );
        }
    }
    assert!(entry_points >= 30, "found only {entry_points} entry points");
}

/// Runs `operation` and returns its outcome, failing the test with the message on refusal.
fn process(
    engine: *const wsseal_engine,
    operation: wsseal_operation,
    envelope: &[u8],
    exchange: *const wsseal_exchange,
) -> *mut wsseal_outcome {
    let mut outcome = null_mut();
    // SAFETY: valid pointers for the call.
    let rc =
        unsafe { wsseal_engine_process(engine, operation, envelope.as_ptr(), envelope.len(), exchange, &mut outcome) };
    assert_eq!(rc, 0, "{}", last_error());
    outcome
}

#[test]
fn the_wcf_profile_is_reachable_through_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    common::write_pki(dir.path());
    let wcf = "[policy]\nprofile = \"wcf\"\n";
    let client = engine(dir.path(), &(side(dir.path(), "client") + wcf), None);
    let service = engine(dir.path(), &(side(dir.path(), "service") + wcf), None);
    let answer = include_str!("../../examples/messages/add-response.xml").replace("{result}", "115.99");
    // SAFETY: handles of this test, each freed once.
    unsafe {
        let request = process(client, WSSEAL_SECURE_REQUEST, REQUEST.as_bytes(), null());
        let secured = std::str::from_utf8(bytes(wsseal_outcome_envelope(request))).unwrap().to_owned();
        assert!(secured.contains("DerivedKeyToken"), "the WCF profile derives keys: {secured}");
        let opened = process(service, WSSEAL_OPEN_REQUEST, secured.as_bytes(), null());
        let mut service_state = null_mut();
        assert_eq!(wsseal_outcome_take_exchange(opened, &mut service_state), 0);
        let response = process(service, WSSEAL_SECURE_RESPONSE, answer.as_bytes(), service_state);
        let mut client_state = null_mut();
        assert_eq!(wsseal_outcome_take_exchange(request, &mut client_state), 0);
        let final_answer =
            process(client, WSSEAL_OPEN_RESPONSE, bytes(wsseal_outcome_envelope(response)), client_state);
        let text = std::str::from_utf8(bytes(wsseal_outcome_envelope(final_answer))).unwrap();
        assert!(text.contains("<AddResult>115.99</AddResult>"), "{text}");
        for outcome in [request, opened, response, final_answer] {
            wsseal_outcome_free(outcome);
        }
        wsseal_exchange_free(service_state);
        wsseal_exchange_free(client_state);
        wsseal_engine_free(client);
        wsseal_engine_free(service);
    }
}

/// Runs `wsseal_identity_check` on `certificate` and the identity `xml`.
fn identity_check(certificate: &[u8], xml: &str) -> u32 {
    // SAFETY: valid pointers and lengths.
    unsafe { wsseal::identity::wsseal_identity_check(certificate.as_ptr(), certificate.len(), xml.as_ptr(), xml.len()) }
}

#[test]
fn a_certificate_is_checked_against_a_wcf_identity() {
    let key = rcgen::KeyPair::generate().unwrap();
    let issued = rcgen::CertificateParams::new(vec!["calc.contoso.com".into()]).unwrap().self_signed(&key).unwrap();
    let (pem, der) = (issued.pem(), issued.der().to_vec());
    for certificate in [pem.as_bytes(), &der] {
        assert_eq!(identity_check(certificate, r#"<identity><dns value="CALC.contoso.com"/></identity>"#), 0);
        assert_eq!(identity_check(certificate, r#"<dns value="calc.contoso.com"/>"#), 0, "{}", last_error());
    }
    let mismatch = identity_check(&der, r#"<dns value="fabrikam.com"/>"#);
    assert_eq!(mismatch, ErrorCode::IdentityMismatch.value());
    assert!(last_error().contains("fabrikam.com") && last_error().contains("calc.contoso.com"), "{}", last_error());
    let spn = identity_check(&der, r#"<servicePrincipalName value="host/calc"/>"#);
    assert_eq!(spn, ErrorCode::IdentityUnsatisfiable.value(), "{}", last_error());
    assert_eq!(identity_check(&der, "<identity><dns value="), ErrorCode::IdentityInvalid.value());
    assert_eq!(identity_check(b"not a certificate", r#"<dns value="a"/>"#), ErrorCode::CredentialInvalid.value());
    // SAFETY: NULL pointers are refused before any read.
    unsafe {
        use wsseal::identity::wsseal_identity_check;
        assert_eq!(wsseal_identity_check(null(), 0, b"<dns value=\"a\"/>".as_ptr(), 16), 900);
        assert_eq!(last_error(), "certificate is NULL");
        assert_eq!(wsseal_identity_check(der.as_ptr(), der.len(), null(), 0), 900);
        assert_eq!(last_error(), "identity_xml is NULL");
    }
}

#[test]
fn a_custom_validator_cannot_replace_another_configured_trust_mode() {
    let dir = tempfile::tempdir().unwrap();
    common::write_pki(dir.path());
    let toml = side(dir.path(), "service") + "[trust]\nmode = \"PeerTrust\"\n";
    let validator = wsseal_certificate_validator {
        userdata: null_mut(),
        validate: Some(trust_all),
        find: None,
        release: None,
        validate_chain: None,
    };
    let mut service = null_mut();
    let base = std::ffi::CString::new(dir.path().to_str().unwrap()).unwrap();
    // SAFETY: valid pointers for the call.
    let rc = unsafe { wsseal_engine_from_toml(toml.as_ptr(), toml.len(), base.as_ptr(), &validator, &mut service) };
    assert_eq!(rc, ErrorCode::ConfigInvalid.value(), "{}", last_error());
    assert!(service.is_null());
    assert!(last_error().contains("Custom"), "{}", last_error());
}

/// What the chain callback was given: the signer's DER length and each candidate's DER.
#[derive(Default)]
struct Chains {
    seen: Mutex<Vec<(usize, Vec<Vec<u8>>)>>,
}

unsafe extern "C" fn record_chain(
    userdata: *mut c_void,
    _der: *const u8,
    der_len: usize,
    candidates: *const wsseal_bytes,
    candidates_len: usize,
) -> u32 {
    // SAFETY: the Chains the test passed, and the library's views, valid during the call.
    unsafe {
        let chains = &*(userdata as *const Chains);
        let views = std::slice::from_raw_parts(candidates, candidates_len);
        let ders = views.iter().map(|v| std::slice::from_raw_parts(v.data, v.len).to_vec()).collect();
        chains.seen.lock().unwrap().push((der_len, ders));
    }
    0
}

#[test]
fn the_chain_callback_sees_the_certificates_a_message_carries_beside_its_signer() {
    const BST_END: &str = "</wsse:BinarySecurityToken>";
    let dir = tempfile::tempdir().unwrap();
    common::write_pki(dir.path());
    let client = engine(dir.path(), &side(dir.path(), "client"), None);
    let extra = std::fs::read(dir.path().join("service.pem")).unwrap();
    let extra = wsseal_core::cert::Certificate::from_pem(&extra).unwrap().der().to_vec();
    let chains = Chains::default();
    let validator = wsseal_certificate_validator {
        userdata: &chains as *const Chains as *mut c_void,
        validate: Some(trust_all),
        find: None,
        release: None,
        validate_chain: Some(record_chain),
    };
    let service = engine(dir.path(), &side(dir.path(), "service"), Some(&validator));
    // SAFETY: valid pointers; `chains` outlives the engine.
    unsafe {
        let secure = || {
            let secured = process(client, WSSEAL_SECURE_REQUEST, REQUEST.as_bytes(), null());
            let text = std::str::from_utf8(bytes(wsseal_outcome_envelope(secured))).unwrap().to_owned();
            wsseal_outcome_free(secured);
            text
        };
        // Alone, the signer goes to `validate`; with another certificate beside it, to the chain callback.
        let opened = process(service, WSSEAL_OPEN_REQUEST, secure().as_bytes(), null());
        wsseal_outcome_free(opened);
        assert!(chains.seen.lock().unwrap().is_empty());
        let text = secure();
        let at = text.find(BST_END).expect("the signer's token") + BST_END.len();
        let token = format!(
            "<wsse:BinarySecurityToken ValueType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3\" EncodingType=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary\">{}{BST_END}",
            base64(&extra)
        );
        let carried = format!("{}{token}{}", &text[..at], &text[at..]);
        let opened = process(service, WSSEAL_OPEN_REQUEST, carried.as_bytes(), null());
        wsseal_outcome_free(opened);
        let seen = chains.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].0 > 0);
        assert_eq!(seen[0].1, [extra]);
        wsseal_engine_free(service);
        wsseal_engine_free(client);
    }
}

fn base64(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(der)
}
