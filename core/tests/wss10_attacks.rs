//! The attacks of ../shared/reference/security.md against the WSS 1.0 profile: each variant must
//! fail closed with its own stable code.

mod common;

use common::{engines, pki, soap11_request, soap12_request};
use wsseal_core::wss::{AlgorithmSuite, Engine, Policy, ProtectionOrder};
use wsseal_core::{Error, ErrorCode};

fn sign_only() -> Policy {
    Policy { encrypt_body: false, ..Policy::default() }
}

/// A message signed (not encrypted) by the client, and the service that opens it.
fn signed() -> (String, Engine) {
    let (client, service) = engines(sign_only(), sign_only());
    let secured = client.secure(soap12_request().as_bytes(), None).unwrap();
    (String::from_utf8(secured.envelope).unwrap(), service)
}

fn refused(service: &Engine, message: &str) -> Error {
    service.open(message.as_bytes(), None).expect_err("a tampered message must be refused")
}

fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not in {text}"));
    let to = from + start.len() + text[from + start.len()..].find(end).unwrap() + end.len();
    &text[from..to]
}

#[test]
fn the_untouched_message_opens() {
    let (message, service) = signed();
    service.open(message.as_bytes(), None).unwrap();
}

#[test]
fn changed_content_breaks_a_digest() {
    let (message, service) = signed();
    for (from, to) in [
        ("<n1>100</n1>", "<n1>900</n1>"),
        ("<n2>15.99</n2>", "<n2>15.99</n2><n3/>"),
        ("http://localhost/Calculator<", "http://evil.example/Calculator<"),
    ] {
        let err = refused(&service, &message.replacen(from, to, 1));
        assert_eq!(err.code(), ErrorCode::DigestMismatch, "{from}");
    }
    // The Timestamp's Expires pushed into the future.
    let expires = between(&message, "<wsu:Expires>", "</wsu:Expires>");
    let err = refused(&service, &message.replacen(expires, "<wsu:Expires>2099-01-01T00:00:00.000Z</wsu:Expires>", 1));
    assert_eq!(err.code(), ErrorCode::DigestMismatch);
}

#[test]
fn changed_signed_info_or_signature_value_breaks_the_signature() {
    let (message, service) = signed();
    let digest = between(&message, "<ds:DigestValue>", "</ds:DigestValue>");
    let err = refused(
        &service,
        &message.replacen(digest, "<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue>", 1),
    );
    assert_eq!(err.code(), ErrorCode::SignatureInvalid);
    let value = between(&message, "<ds:SignatureValue>", "</ds:SignatureValue>");
    let flipped = value.replacen("<ds:SignatureValue>", "<ds:SignatureValue>AA", 1).replacen("==<", "<", 1);
    let err = refused(&service, &message.replacen(value, &flipped, 1));
    assert!(matches!(err.code(), ErrorCode::SignatureInvalid | ErrorCode::SignatureMalformed), "{err}");
}

#[test]
fn wrapped_bodies_are_refused() {
    let (message, service) = signed();
    let body = between(&message, "<s:Body", "</s:Body>");
    let evil = "<s:Body><Add xmlns=\"http://Microsoft.ServiceModel.Samples\"><n1>1000000</n1><n2>1</n2></Add></s:Body>";
    // XSW1-like: the signed Body moved into a wrapper header, a new Body in its place.
    let wrapped = message.replacen(body, evil, 1).replacen(
        "<s:Header>",
        &format!("<s:Header><w:Wrapper xmlns:w=\"urn:evil\">{body}</w:Wrapper>"),
        1,
    );
    assert_eq!(refused(&service, &wrapped).code(), ErrorCode::NotSigned);
    // Into the Security header itself.
    let wrapped = message.replacen(body, evil, 1).replacen("</wsse:Security>", &format!("{body}</wsse:Security>"), 1);
    assert_eq!(refused(&service, &wrapped).code(), ErrorCode::SecurityHeaderMalformed);
    // Into a Security header for another actor.
    let other = format!(
        "<wsse:Security xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" s:role=\"urn:other\">{body}</wsse:Security>"
    );
    let wrapped = message.replacen(body, evil, 1).replacen("<s:Header>", &format!("<s:Header>{other}"), 1);
    assert_eq!(refused(&service, &wrapped).code(), ErrorCode::NotSigned);
    // The evil Body carrying the signed Body's Id (now a duplicate Id).
    let id = between(body, "wsu:Id=\"", "\"");
    let evil_with_id = format!(
        "<s:Body {id} xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"><x/></s:Body>"
    );
    let wrapped = message.replacen(body, &evil_with_id, 1).replacen(
        "<s:Header>",
        &format!("<s:Header><w:Wrapper xmlns:w=\"urn:evil\">{body}</w:Wrapper>"),
        1,
    );
    assert_eq!(refused(&service, &wrapped).code(), ErrorCode::XmlDuplicateId);
}

#[test]
fn wrapped_timestamps_and_headers_are_refused() {
    let (message, service) = signed();
    // A second Timestamp.
    let timestamp = between(&message, "<wsu:Timestamp", "</wsu:Timestamp>");
    let second = timestamp.replacen("wsu:Id=\"", "wsu:Id=\"x", 1);
    let err = refused(&service, &message.replacen(timestamp, &format!("{timestamp}{second}"), 1));
    assert_eq!(err.code(), ErrorCode::TimestampInvalid);
    // The signed To moved into a wrapper and an unsigned To in its place.
    let to = between(&message, "<a:To", "</a:To>");
    let evil_to = "<a:To s:mustUnderstand=\"1\">http://evil.example/</a:To>";
    let wrapped = message.replacen(to, &format!("<w:W xmlns:w=\"urn:evil\">{to}</w:W>{evil_to}"), 1);
    assert_eq!(refused(&service, &wrapped).code(), ErrorCode::NotSigned);
    // A duplicate, unsigned To beside the signed one.
    let doubled = message.replacen(to, &format!("{to}{evil_to}"), 1);
    assert_eq!(refused(&service, &doubled).code(), ErrorCode::NotSigned);
}

#[test]
fn signatures_must_be_made_the_way_the_policy_says() {
    let (message, service) = signed();
    let cases = [
        // ds:Object is not allowed.
        ("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object/>", ErrorCode::SignatureMalformed),
        // Markup inside a DigestValue.
        ("<ds:DigestValue>", "<ds:DigestValue><!---->", ErrorCode::SignatureMalformed),
        // Two SignedInfo.
        ("</ds:SignedInfo>", "</ds:SignedInfo><ds:SignedInfo/>", ErrorCode::SignatureMalformed),
        // HMACOutputLength.
        (
            "rsa-sha1\"></ds:SignatureMethod>",
            "rsa-sha1\"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>",
            ErrorCode::SignatureMalformed,
        ),
        // An XPath transform.
        (
            "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:Transform>",
            "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"></ds:Transform>",
            ErrorCode::SignatureTransformRefused,
        ),
        // A downgrade to another digest, and HMAC with the certificate's key.
        ("xmldsig#sha1\"", "xmlenc#sha256\"", ErrorCode::SignatureAlgorithmRefused),
        ("xmldsig#rsa-sha1\"", "xmldsig#hmac-sha1\"", ErrorCode::SignatureAlgorithmRefused),
        // A reference to something that is not there, or not by Id.
        ("URI=\"#id-", "URI=\"#nothing-", ErrorCode::SignatureReferenceUnresolved),
        ("<ds:Reference URI=\"#", "<ds:Reference URI=\"http://evil.example/#", ErrorCode::SignatureReferenceUnresolved),
        // KeyValue instead of a token reference.
        ("<ds:KeyInfo>", "<ds:KeyInfo><ds:KeyValue/>", ErrorCode::SecurityHeaderMalformed),
    ];
    for (from, to, code) in cases {
        assert!(message.contains(from), "{from}");
        assert_eq!(refused(&service, &message.replacen(from, to, 1)).code(), code, "{to}");
    }
}

#[test]
fn signatures_by_other_certificates_are_refused() {
    let pki = pki();
    // The stranger signs with its own certificate: valid signature, untrusted signer.
    let stranger = Engine::new(sign_only(), pki.stranger.credentials(), pki.service.certificate()).unwrap();
    let (_, service) = engines(sign_only(), sign_only());
    let secured = stranger.secure(soap12_request().as_bytes(), None).unwrap();
    assert_eq!(service.open(&secured.envelope, None).unwrap_err().code(), ErrorCode::SignerUntrusted);
    // An extra signature by the stranger beside the client's valid one.
    let (message, service) = signed();
    let theirs = String::from_utf8(secured.envelope).unwrap();
    let extra = between(&theirs, "<wsse:BinarySecurityToken", "</ds:Signature>")
        .replace("X509-", "Y509-")
        .replace("SIG-", "SIGY-");
    let doubled = message.replacen("</wsse:Security>", &format!("{extra}</wsse:Security>"), 1);
    let err = refused(&service, &doubled);
    assert!(matches!(err.code(), ErrorCode::SignerUntrusted | ErrorCode::XmlDuplicateId), "{err}");
}

#[test]
fn missing_or_stripped_protection_is_refused() {
    let (message, service) = signed();
    let signature = between(&message, "<ds:Signature", "</ds:Signature>");
    assert_eq!(refused(&service, &message.replacen(signature, "", 1)).code(), ErrorCode::NotSigned);
    assert_eq!(refused(&service, &soap12_request()).code(), ErrorCode::SecurityHeaderMissing);
    let timestamp = between(&message, "<wsu:Timestamp", "</wsu:Timestamp>");
    let err = refused(&service, &message.replacen(timestamp, "", 1));
    assert!(matches!(err.code(), ErrorCode::SignatureReferenceUnresolved), "{err}");
}

#[test]
fn replays_and_stale_messages_are_refused() {
    let (message, service) = signed();
    service.open(message.as_bytes(), None).unwrap();
    assert_eq!(refused(&service, &message).code(), ErrorCode::MessageReplayed);
    let (client, service) = engines(sign_only(), sign_only());
    let secured = client.secure(soap12_request().as_bytes(), None).unwrap();
    let later = time::OffsetDateTime::now_utc() + time::Duration::minutes(11);
    assert_eq!(service.open_at(&secured.envelope, None, later).unwrap_err().code(), ErrorCode::MessageExpired);
    let earlier = time::OffsetDateTime::now_utc() - time::Duration::minutes(6);
    assert_eq!(service.open_at(&secured.envelope, None, earlier).unwrap_err().code(), ErrorCode::TimestampInvalid);
}

/// An encrypted message from the client.
fn encrypted(suite: &str) -> (String, Engine) {
    let p = Policy { suite: AlgorithmSuite::by_name(suite).unwrap(), ..Policy::default() };
    let (client, service) = engines(p.clone(), p);
    let secured = client.secure(soap11_request().as_bytes(), None).unwrap();
    (String::from_utf8(secured.envelope).unwrap(), service)
}

#[test]
fn every_decryption_failure_looks_the_same() {
    let (message, service) = encrypted("Basic256");
    let values: Vec<&str> = message.match_indices("<xenc:CipherValue>").map(|(i, _)| &message[i..]).collect();
    let (key_value, data_value) = (values[0], values[1]);
    let body_cipher = &data_value[18..data_value.find('<').map(|_| data_value[1..].find('<').unwrap() + 1).unwrap()];
    let key_cipher = &key_value[18..key_value[1..].find('<').unwrap() + 1];
    let mut failures = Vec::new();
    // Wrong padding or plaintext: flip bits in the last and the first ciphertext blocks.
    for position in [body_cipher.len() - 8, 30, body_cipher.len() / 2] {
        let mut bytes = body_cipher.as_bytes().to_vec();
        bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
        failures.push(refused(&service, &message.replacen(body_cipher, std::str::from_utf8(&bytes).unwrap(), 1)));
    }
    // A wrapped key that does not unwrap.
    let mut bytes = key_cipher.as_bytes().to_vec();
    bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
    failures.push(refused(&service, &message.replacen(key_cipher, std::str::from_utf8(&bytes).unwrap(), 1)));
    for failure in &failures {
        assert_eq!(failure.code(), ErrorCode::DecryptionFailed, "{failure}");
        assert_eq!(failure.message(), failures[0].message());
        assert_eq!(failure.wire_fault(), failures[0].wire_fault());
    }
}

#[test]
fn algorithm_downgrades_are_refused() {
    let (message, service) = encrypted("Basic256Gcm");
    for (from, to) in [("xmlenc11#aes256-gcm", "xmlenc#aes256-cbc"), ("xmlenc#rsa-oaep-mgf1p", "xmlenc#rsa-1_5")] {
        assert!(message.contains(from), "{from}");
        let err = refused(&service, &message.replacen(from, to, 1));
        assert_eq!(err.code(), ErrorCode::EncryptionAlgorithmRefused, "{to}");
    }
}

#[test]
fn encrypted_data_where_the_policy_expects_none_is_refused() {
    let (message, service) = encrypted("Basic256");
    let data = between(&message, "<xenc:EncryptedData", "</xenc:EncryptedData>");
    // An extra EncryptedData in a wrapper header, named by the key's ReferenceList.
    let extra = data.replacen("Id=\"ED-", "Id=\"XD-", 1);
    let reference = between(&message, "<xenc:DataReference", "/>");
    let with_extra = message
        .replacen(reference, &format!("{reference}{}", reference.replacen("#ED-", "#XD-", 1)), 1)
        .replacen("</soapenv:Header>", &format!("<w:W xmlns:w=\"urn:evil\">{extra}</w:W></soapenv:Header>"), 1);
    assert_eq!(refused(&service, &with_extra).code(), ErrorCode::EncryptionUnexpected);
    // Clear content beside the Body's EncryptedData.
    let beside =
        message.replacen("</soapenv:Body>", "<ord:Injected xmlns:ord=\"urn:example:orders\"/></soapenv:Body>", 1);
    assert_eq!(refused(&service, &beside).code(), ErrorCode::EncryptionUnexpected);
}

#[test]
fn encrypted_keys_for_someone_else_are_refused() {
    let pki = pki();
    let client = Engine::new(Policy::default(), pki.client.credentials(), pki.stranger.certificate()).unwrap();
    let (_, service) = engines(Policy::default(), Policy::default());
    let secured = client.secure(soap11_request().as_bytes(), None).unwrap();
    assert_eq!(service.open(&secured.envelope, None).unwrap_err().code(), ErrorCode::EncryptionKeyUnresolved);
}

#[test]
fn the_wire_fault_never_says_why() {
    let (message, service) = encrypted("Basic256");
    let a = refused(&service, &message.replacen("<xenc:CipherValue>", "<xenc:CipherValue>AAAA", 2));
    let b = refused(&service, &message.replacen("</soapenv:Body>", "<x/></soapenv:Body>", 1));
    assert_ne!(a.code(), b.code());
    assert_eq!(a.wire_fault(), b.wire_fault());
    let _ = ProtectionOrder::default();
}

#[test]
fn limits_bound_the_work_of_one_message() {
    let (message, _) = signed();
    let strict = |limits: wsseal_core::wss::SecurityLimits| {
        let p = Policy { limits, ..sign_only() };
        engines(sign_only(), p).1
    };
    let mut limits = wsseal_core::wss::SecurityLimits::default();
    limits.dsig.max_references = 3;
    assert_eq!(refused(&strict(limits.clone()), &message).code(), ErrorCode::SecurityLimitExceeded);
    let limits = wsseal_core::wss::SecurityLimits { max_tokens: 0, ..Default::default() };
    assert_eq!(refused(&strict(limits), &message).code(), ErrorCode::SecurityLimitExceeded);
    let mut limits = wsseal_core::wss::SecurityLimits::default();
    limits.xml.max_size = 1024;
    assert_eq!(refused(&strict(limits), &message).code(), ErrorCode::XmlLimitExceeded);
    let (_, service) = engines(sign_only(), sign_only());
    // 31 transforms in one reference.
    let transform = "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"></ds:Transform>";
    let many = message.replacen(transform, &transform.repeat(31), 1);
    assert_eq!(refused(&service, &many).code(), ErrorCode::SecurityLimitExceeded);
}

#[test]
fn hostile_headers_fail_closed() {
    let (message, service) = signed();
    // Something the profile does not process, inside the Security header.
    let unknown = message.replacen("</wsse:Security>", "<wsse:UsernameToken/></wsse:Security>", 1);
    assert_eq!(refused(&service, &unknown).code(), ErrorCode::SecurityHeaderMalformed);
    // A DOCTYPE, with an entity.
    let doctype = format!("<!DOCTYPE s:Envelope [<!ENTITY x \"y\">]>{message}");
    assert_eq!(refused(&service, &doctype).code(), ErrorCode::XmlDoctype);
    // Two Security headers for the same role.
    let security = between(&message, "<wsse:Security", "</wsse:Security>");
    let twice = message.replacen(security, &format!("{security}{security}"), 1);
    assert!(matches!(refused(&service, &twice).code(), ErrorCode::SoapStructure | ErrorCode::XmlDuplicateId));
    // The signing token moved to a Security header for another role (token wrapping).
    let token = between(&message, "<wsse:BinarySecurityToken", "</wsse:BinarySecurityToken>");
    let elsewhere = format!(
        "<wsse:Security xmlns:wsse=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd\" xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\" s:role=\"urn:other\">{token}</wsse:Security>"
    );
    let moved = message.replacen(token, "", 1).replacen("<s:Header>", &format!("<s:Header>{elsewhere}"), 1);
    assert_eq!(refused(&service, &moved).code(), ErrorCode::SignatureKeyUnresolved);
    // Garbage and truncation.
    assert_eq!(refused(&service, "not xml").code(), ErrorCode::XmlMalformed);
    assert_eq!(refused(&service, &message[..message.len() / 2]).code(), ErrorCode::XmlMalformed);
}
