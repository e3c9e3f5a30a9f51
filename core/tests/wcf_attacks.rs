//! The attacks of ../shared/reference/security.md against the WCF profile, and what WCF-family
//! peers really send: each variant must fail closed with its own stable code, or open.

mod common;

use aws_lc_rs::cipher::{AES_256, EncryptingKey, UnboundCipherKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{engines, pki, soap12_request, soap12_response};
use time::OffsetDateTime;
use wsseal_core::crypto::{DataEncryptionAlgorithm, SymmetricKey, decrypt_data};
use wsseal_core::wcf::derived::{LABEL, derive};
use wsseal_core::wss::{AlgorithmSuite, Engine, Exchange, Policy, ProtectionOrder};
use wsseal_core::{Error, ErrorCode, Operation};

fn policy(adjust: impl Fn(&mut Policy)) -> Policy {
    let mut policy = Policy::wcf();
    adjust(&mut policy);
    policy
}

/// Signatures in clear (SignBeforeEncrypt), so that the header can be edited in the tests.
fn clear_signatures() -> Policy {
    policy(|p| p.protection_order = ProtectionOrder::SignBeforeEncrypt)
}

fn request(client: &Engine) -> (String, Exchange) {
    let secured = client.process(Operation::SecureRequest, soap12_request().as_bytes(), None).unwrap();
    (String::from_utf8(secured.envelope).unwrap(), secured.exchange)
}

fn refused(service: &Engine, message: &str) -> Error {
    service.process(Operation::OpenRequest, message.as_bytes(), None).expect_err("the message must be refused")
}

fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not in {text}"));
    let to = from + start.len() + text[from + start.len()..].find(end).unwrap() + end.len();
    &text[from..to]
}

/// The element starting with `start` (up to its end tag `end`), removed.
fn without(text: &str, start: &str, end: &str) -> (String, String) {
    let element = between(text, start, end).to_owned();
    (text.replacen(&element, "", 1), element)
}

#[test]
fn tampered_ciphertext_is_one_decryption_failure() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (message, _) = request(&client);
    let body = between(&message, "<s:Body", "</s:Body>");
    let cipher = between(body, "<e:CipherValue>", "</e:CipherValue>");
    let inner = &cipher["<e:CipherValue>".len()..cipher.len() - "</e:CipherValue>".len()];
    for position in [inner.len() - 30, inner.len() - 5, 30] {
        let mut changed = inner.to_owned().into_bytes();
        changed[position] = if changed[position] == b'A' { b'B' } else { b'A' };
        let changed = format!("<e:CipherValue>{}</e:CipherValue>", String::from_utf8(changed).unwrap());
        let error = refused(&service, &message.replacen(cipher, &changed, 1));
        assert!(matches!(error.code(), ErrorCode::DecryptionFailed | ErrorCode::DigestMismatch), "{error}");
        if error.code() == ErrorCode::DecryptionFailed {
            assert_eq!(error.message(), "decryption failed");
        }
    }
    // The wrapped key itself.
    let wrapped = between(&message, "<e:EncryptedKey", "</e:EncryptedKey>");
    let value = between(wrapped, "<e:CipherValue>", "</e:CipherValue>");
    let first = &value[18..22];
    let other = if first == "AAAA" { "BBBB" } else { "AAAA" };
    let bad = message.replacen(value, &value.replacen(first, other, 1), 1);
    assert_eq!(refused(&service, &bad).code(), ErrorCode::DecryptionFailed);
}

#[test]
fn tampered_signed_parts_break_a_digest() {
    let (client, service) = engines(clear_signatures(), clear_signatures());
    let (message, _) = request(&client);
    for (from, to) in [
        ("http://localhost/Calculator<", "http://evil.example/Calculator<"),
        ("ICalculator/Add<", "ICalculator/Subtract<"),
    ] {
        assert_eq!(refused(&service, &message.replacen(from, to, 1)).code(), ErrorCode::DigestMismatch, "{from}");
    }
    let expires = between(&message, "<u:Expires>", "</u:Expires>");
    let later = message.replacen(expires, "<u:Expires>2099-01-01T00:00:00.000Z</u:Expires>", 1);
    assert_eq!(refused(&service, &later).code(), ErrorCode::DigestMismatch);
    // The primary signature's value, which the endorsing signature also covers.
    let value = between(&message, "<SignatureValue>", "</SignatureValue>");
    let forged = message.replacen(value, "<SignatureValue>AAAAAAAAAAAAAAAAAAAAAAAAAAA=</SignatureValue>", 1);
    assert_eq!(refused(&service, &forged).code(), ErrorCode::SignatureInvalid);
}

#[test]
fn a_request_endorsed_by_an_untrusted_certificate_is_refused() {
    let pki = pki();
    let stranger = Engine::new(Policy::wcf(), pki.stranger.credentials(), pki.service.certificate()).unwrap();
    let (_, service) = engines(Policy::wcf(), Policy::wcf());
    let (message, _) = request(&stranger);
    assert_eq!(refused(&service, &message).code(), ErrorCode::SignerUntrusted);
}

#[test]
fn a_request_without_its_endorsing_signature_is_refused() {
    let (client, service) = engines(clear_signatures(), clear_signatures());
    let (message, _) = request(&client);
    assert_eq!(message.match_indices("<Signature ").count(), 2);
    let endorsing_start = message.rfind("<Signature ").unwrap();
    let endorsing_end = message.rfind("</Signature>").unwrap() + "</Signature>".len();
    let stripped = format!("{}{}", &message[..endorsing_start], &message[endorsing_end..]);
    assert_eq!(refused(&service, &stripped).code(), ErrorCode::NotSigned);
}

#[test]
fn a_replayed_request_is_refused() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (message, _) = request(&client);
    service.process(Operation::OpenRequest, message.as_bytes(), None).unwrap();
    assert_eq!(refused(&service, &message).code(), ErrorCode::MessageReplayed);
}

#[test]
fn an_old_request_has_expired() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (message, _) = request(&client);
    let later = OffsetDateTime::now_utc() + time::Duration::minutes(11);
    assert_eq!(service.open_at(message.as_bytes(), None, later).unwrap_err().code(), ErrorCode::MessageExpired);
}

#[test]
fn signatures_in_clear_are_refused_where_they_must_be_encrypted() {
    let (client, service) = engines(clear_signatures(), Policy::wcf());
    let (message, _) = request(&client);
    assert_eq!(refused(&service, &message).code(), ErrorCode::NotEncrypted);
}

#[test]
fn another_suite_is_refused() {
    let basic128 = policy(|p| p.suite = AlgorithmSuite::by_name("Basic128").unwrap());
    let (client, service) = engines(basic128, Policy::wcf());
    let (message, _) = request(&client);
    let error = refused(&service, &message);
    assert!(matches!(error.code(), ErrorCode::DecryptionFailed | ErrorCode::EncryptionAlgorithmRefused), "{error}");
}

#[test]
fn a_moved_body_is_not_the_signed_body() {
    let unencrypted = policy(|p| {
        p.protection_order = ProtectionOrder::SignBeforeEncrypt;
        p.encrypt_body = false;
    });
    let (client, service) = engines(unencrypted.clone(), unencrypted);
    let (message, _) = request(&client);
    let body = between(&message, "<s:Body", "</s:Body>").to_owned();
    let wrapped = message
        .replacen("</s:Header>", &format!("<x:Wrapper xmlns:x=\"urn:x\">{body}</x:Wrapper></s:Header>"), 1)
        .replacen(
            &format!("</x:Wrapper></s:Header>{body}"),
            "</x:Wrapper></s:Header><s:Body><Evil xmlns=\"urn:x\"/></s:Body>",
            1,
        );
    assert!(wrapped.contains("<Evil"));
    assert_eq!(refused(&service, &wrapped).code(), ErrorCode::NotSigned);
}

#[test]
fn an_encrypted_data_no_list_names_is_refused() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (message, _) = request(&client);
    let data = between(&message, "<e:EncryptedData Id=\"_10\"", "</e:EncryptedData>");
    let extra = data.replacen("Id=\"_10\"", "Id=\"_99\"", 1);
    let added = message.replacen("</o:Security>", &format!("{extra}</o:Security>"), 1);
    assert_eq!(refused(&service, &added).code(), ErrorCode::EncryptionMalformed);
}

#[test]
fn tokens_after_their_use_break_the_strict_layout_only() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (message, _) = request(&client);
    let (moved, token) = without(&message, "<o:BinarySecurityToken", "</o:BinarySecurityToken>");
    let moved = moved.replacen("</o:Security>", &format!("{token}</o:Security>"), 1);
    assert_eq!(refused(&service, &moved).code(), ErrorCode::LayoutViolation);
    let lax = policy(|p| p.wcf.strict_layout = false);
    let (_, lax_service) = engines(Policy::wcf(), lax);
    lax_service.process(Operation::OpenRequest, moved.as_bytes(), None).unwrap();

    // A DerivedKeyToken after the EncryptedData it keys.
    let (moved, token) = without(&message, "<c:DerivedKeyToken u:Id=\"_2\"", "</c:DerivedKeyToken>");
    let moved = moved.replacen("</o:Security>", &format!("{token}</o:Security>"), 1);
    assert_eq!(refused(&service, &moved).code(), ErrorCode::LayoutViolation);
}

/// The element starting with `start` (up to its end tag `end`), moved before `before`.
fn moved_before(text: &str, start: &str, end: &str, before: &str) -> String {
    let (rest, element) = without(text, start, end);
    rest.replacen(before, &format!("{element}{before}"), 1)
}

#[test]
fn the_strict_layout_is_wcfs_header_order_and_the_relaxed_one_any_order() {
    let lax = policy(|p| p.wcf.strict_layout = false);
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (lax_client, lax_service) = engines(lax.clone(), lax);
    let reorders: [fn(&str) -> String; 4] = [
        // The Timestamp last instead of first.
        |m| moved_before(m, "<u:Timestamp", "</u:Timestamp>", "</o:Security>"),
        // The Timestamp after the EncryptedKey.
        |m| moved_before(m, "<u:Timestamp", "</u:Timestamp>", "<c:DerivedKeyToken"),
        // The ReferenceList after the BinarySecurityToken.
        |m| moved_before(m, "<e:ReferenceList", "</e:ReferenceList>", "<e:EncryptedData Id=\"_9\""),
        // The BinarySecurityToken before the EncryptedKey.
        |m| moved_before(m, "<o:BinarySecurityToken", "</o:BinarySecurityToken>", "<e:EncryptedKey"),
    ];
    for reorder in reorders {
        let (message, _) = request(&client);
        let reordered = reorder(&message);
        assert_ne!(reordered, message);
        let error = refused(&service, &reordered);
        assert_eq!(error.code(), ErrorCode::LayoutViolation, "{error}");
        lax_service.process(Operation::OpenRequest, reordered.as_bytes(), None).unwrap();
    }

    // A response whose signature comes before the SignatureConfirmations it covers.
    for (strict, client, service) in [(true, &client, &service), (false, &lax_client, &lax_service)] {
        let (message, exchange) = request(client);
        let opened = service.process(Operation::OpenRequest, message.as_bytes(), None).unwrap();
        let response =
            service.process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&opened.exchange)).unwrap();
        let response = String::from_utf8(response.envelope).unwrap();
        let reordered =
            moved_before(&response, "<e:EncryptedData Id=\"_8\"", "</e:EncryptedData>", "<e:EncryptedData Id=\"_9\"");
        let result = client.process(Operation::OpenResponse, reordered.as_bytes(), Some(&exchange));
        match strict {
            true => assert_eq!(result.unwrap_err().code(), ErrorCode::LayoutViolation),
            false => drop(result.unwrap()),
        }
    }
}

#[test]
fn a_response_opens_only_with_the_exchange_of_its_request() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (first, first_exchange) = request(&client);
    let (_, second_exchange) = request(&client);
    let opened = service.process(Operation::OpenRequest, first.as_bytes(), None).unwrap();
    let response = service
        .process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&opened.exchange))
        .unwrap()
        .envelope;
    let error = client.process(Operation::OpenResponse, &response, Some(&second_exchange)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::ResponseMismatch, "{error}");

    // The right key but other confirmed values: the service did not see what we signed.
    let mut changed = first_exchange.clone();
    changed.signature_values[1][0] ^= 1;
    let error = client.process(Operation::OpenResponse, &response, Some(&changed)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SignatureConfirmationMismatch, "{error}");
    let mut fewer = first_exchange.clone();
    fewer.signature_values.pop();
    let error = client.process(Operation::OpenResponse, &response, Some(&fewer)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SignatureConfirmationMismatch);

    // A state without the key, or of the other profile.
    let keyless = Exchange { key: None, ..first_exchange.clone() };
    assert_eq!(
        client.process(Operation::OpenResponse, &response, Some(&keyless)).unwrap_err().code(),
        ErrorCode::ExchangeInvalid
    );
    let wss = Exchange::default();
    assert_eq!(
        client.process(Operation::OpenResponse, &response, Some(&wss)).unwrap_err().code(),
        ErrorCode::ExchangeInvalid
    );
    assert_eq!(
        service.process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&wss)).unwrap_err().code(),
        ErrorCode::ExchangeInvalid
    );

    client.process(Operation::OpenResponse, &response, Some(&first_exchange)).unwrap();
    // The same response again is a replay.
    let error = client.process(Operation::OpenResponse, &response, Some(&first_exchange)).unwrap_err();
    assert_eq!(error.code(), ErrorCode::MessageReplayed);
}

/// Re-encrypts the Body content of `message` with ISO 10126 padding (random pad bytes, only the
/// last byte meaningful), as WCF's decryptor tolerates; `pad_byte` overrides the length byte.
fn with_iso10126_body(message: &str, exchange: &Exchange, pad_byte: Option<u8>) -> String {
    let token = between(message, "<c:DerivedKeyToken u:Id=\"_2\"", "</c:DerivedKeyToken>");
    let nonce = STANDARD.decode(&between(token, "<c:Nonce>", "</c:Nonce>")[9..33]).unwrap();
    let key = derive(exchange.key.as_ref().unwrap(), LABEL, &nonce, 0, 32);
    let body = between(message, "<s:Body", "</s:Body>");
    let cipher = between(body, "<e:CipherValue>", "</e:CipherValue>");
    let inner = &cipher["<e:CipherValue>".len()..cipher.len() - "</e:CipherValue>".len()];
    let mut data = STANDARD.decode(inner).unwrap();
    let plain = decrypt_data(DataEncryptionAlgorithm::Aes256Cbc, &key, &mut data).unwrap();
    let mut buffer = data[plain].to_vec();
    let pad = 16 - buffer.len() % 16;
    buffer.extend(SymmetricKey::generate(pad - 1).unwrap().as_bytes());
    buffer.push(pad_byte.unwrap_or(pad as u8));
    let encrypting = EncryptingKey::cbc(UnboundCipherKey::new(&AES_256, key.as_bytes()).unwrap()).unwrap();
    let context = encrypting.encrypt(&mut buffer).unwrap();
    let iv: &[u8] = (&context).try_into().unwrap();
    let value = STANDARD.encode([iv, &buffer[..]].concat());
    message.replacen(cipher, &format!("<e:CipherValue>{value}</e:CipherValue>"), 1)
}

#[test]
fn iso10126_padding_is_accepted_and_a_bad_pad_length_is_one_decryption_failure() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let (message, exchange) = request(&client);
    let padded = with_iso10126_body(&message, &exchange, None);
    assert_ne!(padded, message);
    let opened = service.process(Operation::OpenRequest, padded.as_bytes(), None).unwrap();
    assert!(String::from_utf8(opened.envelope).unwrap().contains("<n1>100</n1>"));
    for bad in [0u8, 17, 200] {
        let (message, exchange) = request(&client);
        let error = refused(&service, &with_iso10126_body(&message, &exchange, Some(bad)));
        assert_eq!((error.code(), error.message()), (ErrorCode::DecryptionFailed, "decryption failed"), "{bad}");
    }
}

#[test]
fn bsp_attributes_may_be_absent_or_present() {
    let without_bsp = policy(|p| p.wcf.bsp = false);
    for (client_policy, service_policy) in [(without_bsp.clone(), Policy::wcf()), (Policy::wcf(), without_bsp)] {
        let (client, service) = engines(client_policy, service_policy);
        let (message, exchange) = request(&client);
        let opened = service.process(Operation::OpenRequest, message.as_bytes(), None).unwrap();
        let response = service.process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&opened.exchange));
        client.process(Operation::OpenResponse, &response.unwrap().envelope, Some(&exchange)).unwrap();
    }
}

/// Re-signs a request whose signatures are in clear after an edit, as another WCF-family sender
/// would have signed it: the primary signature (its SignedInfo as it now stands) with the key of
/// DerivedKeyToken `key_id`, then the endorsing signature over the new primary one.
fn resign(message: &str, exchange: &Exchange, key_id: &str, length: usize) -> String {
    use wsseal_core::c14n::{C14nOptions, Subset, canonicalize_to_vec};
    use wsseal_core::crypto::{DigestAlgorithm, SignatureAlgorithm, digest, hmac_sign};
    use wsseal_core::xml::{Document, Limits};

    let token = between(message, &format!("<c:DerivedKeyToken u:Id=\"{key_id}\""), "</c:DerivedKeyToken>");
    let nonce = between(token, "<c:Nonce>", "</c:Nonce>");
    let nonce = STANDARD.decode(&nonce[9..nonce.len() - 10]).unwrap();
    let key = derive(exchange.key.as_ref().unwrap(), LABEL, &nonce, 0, length);
    // The bytes a signature signs: its SignedInfo in exclusive canonical form.
    let signed_info = |signature: &str| {
        let doc = Document::parse(signature.as_bytes(), &Limits::default()).unwrap();
        let info = doc.root().children().next().unwrap();
        canonicalize_to_vec(&doc, Subset::Element(info.id()), &C14nOptions::default()).unwrap()
    };
    let start = message.find("<Signature ").unwrap();
    let end = start + message[start..].find("</Signature>").unwrap() + "</Signature>".len();
    let primary = &message[start..end];
    let value = hmac_sign(SignatureAlgorithm::HmacSha1, &key, &signed_info(primary)).unwrap();
    let old = between(primary, "<SignatureValue>", "</SignatureValue>");
    let primary = primary.replacen(old, &format!("<SignatureValue>{}</SignatureValue>", STANDARD.encode(value)), 1);

    let alone = Document::parse(primary.as_bytes(), &Limits::default()).unwrap();
    let canonical = canonicalize_to_vec(&alone, Subset::Element(alone.root().id()), &C14nOptions::default()).unwrap();
    let rest = &message[end..];
    let endorsing = between(rest, "<Signature ", "</Signature>");
    let old_digest = between(endorsing, "<DigestValue>", "</DigestValue>");
    let new_digest = STANDARD.encode(digest(DigestAlgorithm::Sha1, &canonical));
    let endorsing_new = endorsing.replacen(old_digest, &format!("<DigestValue>{new_digest}</DigestValue>"), 1);
    let value =
        pki().client.credentials().key().sign(SignatureAlgorithm::RsaSha1, &signed_info(&endorsing_new)).unwrap();
    let old = between(&endorsing_new, "<SignatureValue>", "</SignatureValue>");
    let endorsing_new =
        endorsing_new.replacen(old, &format!("<SignatureValue>{}</SignatureValue>", STANDARD.encode(value)), 1);
    format!("{}{}{}", &message[..start], primary, rest.replacen(endorsing, &endorsing_new, 1))
}

#[test]
fn references_in_another_order_verify() {
    let (client, service) = engines(clear_signatures(), clear_signatures());
    let (message, exchange) = request(&client);
    let body = between(&message, "<Reference URI=\"#_3\"", "</Reference>").to_owned();
    let action = between(&message, "<Reference URI=\"#_5\"", "</Reference>").to_owned();
    let swapped = message.replacen(&format!("{body}{action}"), &format!("{action}{body}"), 1);
    assert_ne!(swapped, message);
    // Without re-signing the HMAC no longer matches; re-signed as its sender would, it opens.
    assert_eq!(refused(&service, &swapped).code(), ErrorCode::SignatureInvalid);
    service.process(Operation::OpenRequest, resign(&swapped, &exchange, "_0", 24).as_bytes(), None).unwrap();
}

#[test]
fn one_derived_key_for_signing_and_encryption_is_accepted() {
    let (client, service) = engines(clear_signatures(), clear_signatures());
    let (message, exchange) = request(&client);
    let (single, _) = without(&message, "<c:DerivedKeyToken u:Id=\"_0\"", "</c:DerivedKeyToken>");
    let single = single.replacen("URI=\"#_0\"", "URI=\"#_2\"", 1);
    let opened = service.process(Operation::OpenRequest, resign(&single, &exchange, "_2", 32).as_bytes(), None);
    assert!(String::from_utf8(opened.unwrap().envelope).unwrap().contains("<n1>100</n1>"));
}

#[test]
fn damaged_messages_never_panic_and_truncated_ones_never_open() {
    let (client, service) = engines(Policy::wcf(), policy(|p| p.detect_replays = false));
    let (message, exchange) = request(&client);
    let opened = service.process(Operation::OpenRequest, message.as_bytes(), None).unwrap();
    let response = service.process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&opened.exchange));
    let response = String::from_utf8(response.unwrap().envelope).unwrap();
    let client = engines(policy(|p| p.detect_replays = false), Policy::wcf()).0;
    let bytes = message.as_bytes();
    for position in (0..bytes.len()).step_by(89) {
        let mut damaged = bytes.to_vec();
        damaged[position] ^= 0x20;
        if damaged[position].is_ascii_whitespace() || bytes[position].is_ascii_whitespace() {
            continue;
        }
        // Case changes in base64 or in a value nobody signs may still open; nothing may panic.
        let _ = service.process(Operation::OpenRequest, &damaged, None);
        let _ = service.process(Operation::OpenRequest, &bytes[..position], None).unwrap_err();
    }
    for position in (0..response.len()).step_by(89) {
        let mut damaged = response.as_bytes().to_vec();
        damaged[position] ^= 0x20;
        let _ = client.process(Operation::OpenResponse, &damaged, Some(&exchange));
        let _ = client.process(Operation::OpenResponse, &response.as_bytes()[..position], Some(&exchange)).unwrap_err();
    }
}
