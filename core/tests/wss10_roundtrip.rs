//! The WSS 1.0 mutual-certificate profile between two wsseal engines: every protection order,
//! key reference style, ReferenceList placement and algorithm suite, SOAP 1.1 and 1.2, request
//! and response. (Interop with other implementations is in the sidecar's peer tests.)

mod common;

use common::{SOAP12, body_content, engines, pki, soap11_request, soap12_request, soap12_response};
use wsseal_core::ErrorCode;
use wsseal_core::wss::{
    AlgorithmSuite, KeyReference, Policy, ProtectionOrder, QName, ReferenceListPlacement, WSA10_NS,
};

fn policy(order: ProtectionOrder, suite: &str) -> Policy {
    Policy { protection_order: order, suite: AlgorithmSuite::by_name(suite).unwrap(), ..Policy::default() }
}

#[test]
fn every_protection_order_and_suite_round_trips() {
    for order in [
        ProtectionOrder::SignBeforeEncrypt,
        ProtectionOrder::SignBeforeEncryptAndEncryptSignature,
        ProtectionOrder::EncryptBeforeSign,
    ] {
        for suite in ["Basic256", "Basic128", "Basic192", "Basic256Sha256", "Basic128Gcm", "Basic256Sha256Gcm"] {
            let (client, service) = engines(policy(order, suite), policy(order, suite));
            let request = soap12_request();
            let secured = client.secure(request.as_bytes(), None).unwrap();
            let text = String::from_utf8(secured.envelope.clone()).unwrap();
            assert!(!text.contains("<n1>100</n1>"), "{order:?} {suite}: the Body must be encrypted");
            let opened = service.open(&secured.envelope, None).unwrap_or_else(|e| panic!("{order:?} {suite}: {e}"));
            assert_eq!(body_content(&opened.envelope), body_content(request.as_bytes()), "{order:?} {suite}");
            let report = &opened.report;
            assert_eq!(report.signer.as_ref().unwrap().subject, pki().client.certificate().subject());
            for part in [
                "Body",
                "Timestamp",
                "{http://www.w3.org/2005/08/addressing}Action",
                "{http://www.w3.org/2005/08/addressing}To",
            ] {
                assert!(
                    report.signed.iter().any(|s| s == part),
                    "{order:?} {suite}: {part} not in {:?}",
                    report.signed
                );
            }
            assert!(report.encrypted.contains(&"Body".to_owned()));
            assert_eq!(
                report.encrypted.contains(&"Signature".to_owned()),
                order == ProtectionOrder::SignBeforeEncryptAndEncryptSignature
            );
            assert_eq!(report.message_id.as_deref(), Some("urn:uuid:4e5b2b1c-1f2e-4c3d-9a8b-7c6d5e4f3a2b"));
            assert!(!String::from_utf8(opened.envelope).unwrap().contains("Security"));
        }
    }
}

#[test]
fn every_key_reference_style_and_reference_list_placement_round_trips() {
    for recipient in [
        KeyReference::IssuerSerial,
        KeyReference::SubjectKeyIdentifier,
        KeyReference::Thumbprint,
        KeyReference::BinarySecurityToken,
    ] {
        for signer in [KeyReference::BinarySecurityToken, KeyReference::IssuerSerial, KeyReference::Thumbprint] {
            for placement in [ReferenceListPlacement::InEncryptedKey, ReferenceListPlacement::Standalone] {
                let p = Policy {
                    recipient_reference: recipient,
                    signer_reference: signer,
                    reference_list: placement,
                    ..Policy::default()
                };
                let (client, service) = engines(p.clone(), p);
                let secured = client.secure(soap11_request().as_bytes(), None).unwrap();
                let opened = service
                    .open(&secured.envelope, None)
                    .unwrap_or_else(|e| panic!("{recipient:?} {signer:?} {placement:?}: {e}"));
                assert_eq!(body_content(&opened.envelope), body_content(soap11_request().as_bytes()));
            }
        }
    }
}

#[test]
fn the_service_answers_the_client_through_the_exchange() {
    let (client, service) = engines(Policy::default(), Policy::default());
    let secured = client.secure(soap12_request().as_bytes(), None).unwrap();
    let opened = service.open(&secured.envelope, None).unwrap();
    let response = service.secure(soap12_response().as_bytes(), Some(&opened.exchange)).unwrap();
    let secured_request = secured.exchange;
    let answer = client.open(&response.envelope, Some(&secured_request)).unwrap();
    assert_eq!(body_content(&answer.envelope), body_content(soap12_response().as_bytes()));
    assert_eq!(answer.report.signer.unwrap().subject, pki().service.certificate().subject());

    // A response to another request is refused.
    let other = soap12_response().replace("4e5b2b1c", "00000000");
    let response = service.secure(other.as_bytes(), Some(&opened.exchange)).unwrap();
    let err = client.open(&response.envelope, Some(&secured_request)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ResponseMismatch);
}

#[test]
fn encrypted_headers_round_trip_and_are_required() {
    let action = QName::new(WSA10_NS, "Action");
    let p = Policy { encrypted_headers: vec![action.clone()], ..Policy::default() };
    for order in [ProtectionOrder::SignBeforeEncrypt, ProtectionOrder::EncryptBeforeSign] {
        let p = Policy { protection_order: order, ..p.clone() };
        let (client, service) = engines(p.clone(), p);
        let secured = client.secure(soap12_request().as_bytes(), None).unwrap();
        let text = String::from_utf8(secured.envelope.clone()).unwrap();
        assert!(text.contains("EncryptedHeader") && !text.contains("ICalculator/Add<"), "{order:?}");
        // WS-Security 1.1, 9.3: the block's mustUnderstand travels on its EncryptedHeader.
        let wrapper = &text[text.find("<wsse11:EncryptedHeader").unwrap()..];
        let wrapper = &wrapper[..wrapper.find('>').unwrap()];
        assert!(wrapper.contains(&format!(r#"xmlns:soapenv="{SOAP12}" soapenv:mustUnderstand="1""#)), "{wrapper}");
        let opened = service.open(&secured.envelope, None).unwrap_or_else(|e| panic!("{order:?}: {e}"));
        assert!(opened.report.encrypted.contains(&action.to_string()), "{:?}", opened.report);
        assert!(opened.report.signed.contains(&action.to_string()), "{:?}", opened.report);
        assert!(String::from_utf8(opened.envelope).unwrap().contains("ICalculator/Add</a:Action>"));
    }
    // A receiver that expects Action encrypted refuses it in clear.
    let (client, _) = engines(Policy::default(), Policy::default());
    let (_, strict) = engines(Policy::default(), Policy { encrypted_headers: vec![action], ..Policy::default() });
    let secured = client.secure(soap12_request().as_bytes(), None).unwrap();
    assert_eq!(strict.open(&secured.envelope, None).unwrap_err().code(), ErrorCode::NotEncrypted);
}

#[test]
fn sign_only_messages_open_when_the_policy_does_not_require_encryption() {
    let p = Policy { encrypt_body: false, ..Policy::default() };
    let (client, service) = engines(p.clone(), p);
    let secured = client.secure(soap11_request().as_bytes(), None).unwrap();
    assert!(String::from_utf8(secured.envelope.clone()).unwrap().contains("ACME &amp; Co"));
    let opened = service.open(&secured.envelope, None).unwrap();
    assert!(opened.report.encrypted.is_empty());
    // ... and a receiver that requires encryption refuses them.
    let (_, strict) = engines(Policy::default(), Policy::default());
    assert_eq!(strict.open(&secured.envelope, None).unwrap_err().code(), ErrorCode::NotEncrypted);
}

#[test]
fn the_security_header_can_be_kept_and_an_actor_targeted() {
    let p = Policy { actor: Some("urn:wsseal:gateway".into()), keep_security_header: true, ..Policy::default() };
    let (client, service) = engines(p.clone(), p);
    let secured = client.secure(soap11_request().as_bytes(), None).unwrap();
    let text = String::from_utf8(secured.envelope.clone()).unwrap();
    assert!(text.contains("soapenv:actor=\"urn:wsseal:gateway\""), "{text}");
    let opened = service.open(&secured.envelope, None).unwrap();
    assert!(String::from_utf8(opened.envelope).unwrap().contains("wsse:Security"));
    // The ultimate receiver finds no Security header for itself.
    let (_, plain) = engines(Policy::default(), Policy::default());
    assert_eq!(plain.open(&secured.envelope, None).unwrap_err().code(), ErrorCode::SecurityHeaderMissing);
}

#[test]
fn rsa15_and_triple_des_suites_need_explicit_opt_in() {
    let pki = pki();
    for suite in ["Basic256Rsa15", "TripleDes"] {
        let p = policy(ProtectionOrder::SignBeforeEncrypt, suite);
        let err = wsseal_core::wss::Engine::new(p, pki.client.credentials(), pki.service.certificate()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ConfigInvalid, "{suite}");
    }
    let p = Policy { allow_rsa15: true, ..policy(ProtectionOrder::SignBeforeEncrypt, "Basic256Rsa15") };
    let (client, service) = engines(p.clone(), p);
    let secured = client.secure(soap11_request().as_bytes(), None).unwrap();
    service.open(&secured.envelope, None).unwrap();
}

#[test]
fn signed_parts_get_their_ids_whatever_their_scope_binds() {
    const WSU: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    let request = soap12_request();
    let envelopes = [
        // `wsu` bound to another namespace: the Ids take another prefix.
        request.replacen("<s:Envelope ", "<s:Envelope xmlns:wsu=\"urn:not-wsu\" ", 1),
        // The utility namespace already bound to `u`, and used inside the Body.
        request.replacen("<s:Envelope ", &format!("<s:Envelope xmlns:u=\"{WSU}\" "), 1).replacen(
            "<n1>",
            "<n1 u:Id=\"inner\" z=\"1\">",
            1,
        ),
        // A Body that has its Id already, and a header that declares `wsu` itself.
        request.replacen("<s:Body>", &format!("<s:Body xmlns:wsu=\"{WSU}\" wsu:Id=\"b\">"), 1).replacen(
            "<a:To ",
            &format!("<a:To xmlns:wsu=\"{WSU}\" "),
            1,
        ),
    ];
    // Signed only; and signed and encrypted (the Body and a signed header) in every order.
    let encrypting = [
        ProtectionOrder::SignBeforeEncrypt,
        ProtectionOrder::SignBeforeEncryptAndEncryptSignature,
        ProtectionOrder::EncryptBeforeSign,
    ]
    .map(|order| Policy {
        protection_order: order,
        encrypted_headers: vec![QName::new(WSA10_NS, "Action")],
        ..Policy::default()
    });
    for p in [Policy { encrypt_body: false, ..Policy::default() }].into_iter().chain(encrypting) {
        let (client, service) = engines(p.clone(), p.clone());
        for envelope in &envelopes {
            let secured = client.secure(envelope.as_bytes(), None).unwrap();
            let opened = service.open(&secured.envelope, None).unwrap_or_else(|e| {
                panic!("{:?}: {e}\n{}", p.protection_order, String::from_utf8_lossy(&secured.envelope))
            });
            assert_eq!(body_content(&opened.envelope), body_content(envelope.as_bytes()));
            assert!(opened.report.signed.iter().any(|s| s == "Body"), "{:?}", opened.report);
        }
    }
}

#[test]
fn an_empty_body_still_gets_its_signature_encrypted_when_the_order_says_so() {
    let p = Policy { protection_order: ProtectionOrder::SignBeforeEncryptAndEncryptSignature, ..Policy::default() };
    let (client, service) = engines(p.clone(), p);
    let empty = soap12_request().replace(&body_content(soap12_request().as_bytes()), "");
    assert!(empty.contains("<s:Body></s:Body>"), "{empty}");
    let secured = client.secure(empty.as_bytes(), None).unwrap();
    let opened = service.open(&secured.envelope, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(opened.report.encrypted.contains(&"Signature".to_owned()), "{:?}", opened.report);
}
