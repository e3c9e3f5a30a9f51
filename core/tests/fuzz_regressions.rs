//! Inputs the fuzz targets of `fuzz/` found (docs/fuzzing.md), kept as regression tests: each
//! ends in its typed error (or a clean refusal), never a panic, a hang or a silent difference.

mod common;

use wsseal_core::ErrorCode;
use wsseal_core::config::Config;
use wsseal_core::crypto::{SymmetricKey, encrypt_data};
use wsseal_core::protocol::{PREFIX_LEN, Response};
use wsseal_core::wcf::import::{ImportOptions, import};
use wsseal_core::wss::token::{WSSE11_NS, write_certificate_reference};
use wsseal_core::wss::{KeyReference, Policy, TrustedCertificate};
use wsseal_core::xenc::EncryptionType;
use wsseal_core::xenc::writer::{Dialect, write_encrypted_data, write_encrypted_key};

/// protocol_frames: the request decoder refused non-zero reserved flags but the response decoder
/// ignored them, so an accepted response did not re-encode to its own bytes.
#[test]
fn a_response_with_reserved_flags_set_is_refused() {
    let answer = Response { op: 3, id: 7, status: 0, message: String::new(), results: Vec::new() };
    let mut payload = answer.encode()[PREFIX_LEN..].to_vec();
    assert_eq!(Response::decode(&payload).unwrap(), answer);
    payload[2] = 63;
    assert_eq!(Response::decode(&payload).unwrap_err(), "the response's reserved flags are not zero");
}

/// Found while timing the open_wss10 corpus: each EncryptedData may carry its own EncryptedKey in
/// its KeyInfo, and every one was unwrapped (an RSA private-key operation) before any signature
/// was checked, so anyone with the service's public certificate could make one message cost up
/// to `max_encrypted_data` (200) RSA decryptions. Embedded keys now count with the header's
/// against `max_tokens`.
#[test]
fn embedded_encrypted_keys_are_bounded_before_any_is_unwrapped() {
    let (client, service) = common::engines(Policy::default(), Policy::default());
    let secured = client.secure(common::soap12_request().as_bytes(), None).unwrap().envelope;
    let suite = &service.policy().suite;
    let recipient = TrustedCertificate::new(common::pki().service.certificate()).unwrap();
    let mut addressed_to_service = Vec::new();
    write_certificate_reference(&mut addressed_to_service, KeyReference::IssuerSerial, &recipient.certificate, "")
        .unwrap();
    let hostile = |count: usize| {
        let mut blocks = Vec::new();
        for index in 0..count {
            let key = SymmetricKey::generate(suite.encryption.key_len()).unwrap();
            let wrapped = recipient.public_key.encrypt_key(suite.key_transport, key.as_bytes()).unwrap();
            let mut key_info = Vec::new();
            write_encrypted_key(
                &mut key_info,
                Dialect::Prefixed,
                &format!("K{index}"),
                suite.key_transport,
                &addressed_to_service,
                &wrapped,
                &[],
            );
            let cipher = encrypt_data(suite.encryption, &key, b"<x:H xmlns:x=\"urn:x\"/>").unwrap();
            blocks.extend_from_slice(format!("<h:EncryptedHeader xmlns:h=\"{WSSE11_NS}\">").as_bytes());
            let id = format!("D{index}");
            write_encrypted_data(
                &mut blocks,
                Dialect::Prefixed,
                &id,
                EncryptionType::Element,
                suite.encryption,
                Some(&key_info),
                &cipher,
            );
            blocks.extend_from_slice(b"</h:EncryptedHeader>");
        }
        let at = secured.windows(11).position(|w| w == b"</s:Header>").unwrap();
        [&secured[..at], &blocks, &secured[at..]].concat()
    };
    let limit = service.policy().limits.max_tokens;
    let error = service.open(&hostile(limit + 1), None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SecurityLimitExceeded, "{error}");
    // Under the limit the keys are unwrapped and the message fails later, on its policy.
    let error = service.open(&hostile(2), None).unwrap_err();
    assert_ne!(error.code(), ErrorCode::SecurityLimitExceeded, "{error}");
}

/// wcf_import: an `x509FindType` wsseal does not know was copied into the TOML, which then did not
/// load; the import refuses it with a reason, and a padded known one is written trimmed.
#[test]
fn an_unknown_find_type_is_refused_by_the_import() {
    let client = include_str!("wcf_data/client.config");
    let options = ImportOptions::default();
    let unknown = client.replacen("x509FindType=\"FindBySubjectName\"", "x509FindType=\"FindByS]bjectName\"", 2);
    let error = import(&unknown, &options).unwrap_err();
    assert_eq!(error.code(), ErrorCode::ConfigInvalid);
    assert!(error.message().contains("FindByS]bjectName"), "{error}");
    let padded = client.replacen("x509FindType=\"FindBySubjectName\"", "x509FindType=\" FindBySubjectName \"", 2);
    let toml = import(&padded, &options).unwrap();
    assert!(toml.contains("find_type = \"FindBySubjectName\""), "{toml}");
    Config::from_toml(&toml, "/nonexistent").unwrap().policy().unwrap();
}
