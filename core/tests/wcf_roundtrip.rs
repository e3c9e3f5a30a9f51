//! The WCF wsHttpBinding profile end to end: a client secures the Calculator request, the
//! service opens it and secures its answer, the client opens the answer — for every variant.

mod common;

use common::{SOAP11, body_content, engines, pki, soap11_request, soap12_request, soap12_response};
use wsseal_core::wcf::{WcfNamespaces, WcfOptions};
use wsseal_core::wss::{AlgorithmSuite, Engine, Exchange, Policy, Profile, ProtectionOrder};
use wsseal_core::{ErrorCode, Operation};

fn wcf_policy(adjust: impl Fn(&mut Policy)) -> Policy {
    let mut policy = Policy::wcf();
    adjust(&mut policy);
    policy
}

/// A request secured by the client and opened by the service; the response back.
fn round_trip(client: &Engine, service: &Engine, request: &str, response: &str) {
    let secured = client.process(Operation::SecureRequest, request.as_bytes(), None).unwrap();
    let text = String::from_utf8(secured.envelope.clone()).unwrap();
    assert!(!text.contains("<n1>100</n1>") && !text.contains("PlaceOrder"), "the body went out in clear");
    let opened = service.process(Operation::OpenRequest, &secured.envelope, None).unwrap();
    assert_eq!(body_content(&opened.envelope), body_content(request.as_bytes()));
    let report = opened.report.unwrap();
    assert_eq!(report.signer.unwrap().subject, pki().client.certificate().subject());
    assert!(report.signed.iter().any(|s| s == "Timestamp"));

    // The exchange survives its byte encoding, as the C ABI and the sidecar carry it.
    let exchange = Exchange::from_bytes(&opened.exchange.to_bytes()).unwrap();
    let answered = service.process(Operation::SecureResponse, response.as_bytes(), Some(&exchange)).unwrap();
    let text = String::from_utf8(answered.envelope.clone()).unwrap();
    assert!(!text.contains("BinarySecurityToken") && !text.contains("EncryptedKey Id"), "{text}");
    let client_exchange = Exchange::from_bytes(&secured.exchange.to_bytes()).unwrap();
    let back = client.process(Operation::OpenResponse, &answered.envelope, Some(&client_exchange)).unwrap();
    assert_eq!(body_content(&back.envelope), body_content(response.as_bytes()));
    let report = back.report.unwrap();
    assert!(report.signed.iter().any(|s| s == "SignatureConfirmation"), "{report:?}");
}

#[test]
fn the_default_binding_round_trips() {
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    round_trip(&client, &service, &soap12_request(), &soap12_response());
}

#[test]
fn every_variant_round_trips() {
    let soap11_response = soap11_request().replace("PlaceOrder", "PlaceOrderResponse");
    for namespaces in [WcfNamespaces::WsHttpBinding, WcfNamespaces::Ws2007HttpBinding] {
        for bsp in [true, false] {
            for order in [
                ProtectionOrder::SignBeforeEncryptAndEncryptSignature,
                ProtectionOrder::SignBeforeEncrypt,
                ProtectionOrder::EncryptBeforeSign,
            ] {
                for suite in ["Basic256", "Basic128", "Basic256Sha256"] {
                    let policy = wcf_policy(|p| {
                        p.wcf = WcfOptions { namespaces, bsp, strict_layout: true };
                        p.protection_order = order;
                        p.suite = AlgorithmSuite::by_name(suite).unwrap();
                    });
                    let (client, service) = engines(policy.clone(), policy);
                    round_trip(&client, &service, &soap12_request(), &soap12_response());
                    round_trip(&client, &service, &soap11_request(), &soap11_response);
                }
            }
        }
    }
    assert!(soap11_request().contains(SOAP11));
}

#[test]
fn the_profile_is_chosen_by_the_policy() {
    let (client, _) = engines(Policy::wcf(), Policy::wcf());
    assert_eq!(client.policy().profile, Profile::WcfMutualCertificate);
    let (_, wss_service) = engines(Policy::default(), Policy::default());
    let secured = client.process(Operation::SecureRequest, soap12_request().as_bytes(), None).unwrap();
    let error = wss_service.process(Operation::OpenRequest, &secured.envelope, None).unwrap_err();
    assert_eq!(error.code(), ErrorCode::SecurityHeaderMalformed, "{error}");
    // An exchange of one profile does not continue in the other.
    let error = wss_service
        .process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&secured.exchange))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::ExchangeInvalid);
}

const WSSE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

#[test]
fn an_envelope_that_binds_u_to_its_own_namespace_keeps_it() {
    // The application's `u` stays its own: the Ids get another prefix, the header declares `u`.
    let request = soap12_request()
        .replacen("<s:Envelope ", "<s:Envelope xmlns:u=\"urn:example:units\" ", 1)
        .replace("<n1>100</n1>", "<n1><u:Amount>100</u:Amount></n1>");
    let response = soap12_response().replacen("<s:Envelope ", "<s:Envelope xmlns:u=\"urn:example:units\" ", 1);
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let secured = client.process(Operation::SecureRequest, request.as_bytes(), None).unwrap();
    let text = String::from_utf8(secured.envelope).unwrap();
    assert!(text.contains("<s:Body u1:Id=\"_3\" xmlns:u1=\"http://docs.oasis-open.org/wss/2004/01/"), "{text}");
    let utility = "xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\">";
    assert!(text.contains(&format!("<o:Security s:mustUnderstand=\"1\" xmlns:o=\"{WSSE}\" {utility}")), "{text}");
    round_trip(&client, &service, &request, &response);

    // Bound on the Header only: the Envelope declares `u`, the Security header redeclares it.
    let request = soap12_request().replacen("<s:Header>", "<s:Header xmlns:u=\"urn:example:units\">", 1);
    let response = soap12_response().replacen("<s:Header>", "<s:Header xmlns:u=\"urn:example:units\">", 1);
    let secured = client.process(Operation::SecureRequest, request.as_bytes(), None).unwrap();
    let text = String::from_utf8(secured.envelope).unwrap();
    assert!(text.contains(&format!("<o:Security s:mustUnderstand=\"1\" xmlns:o=\"{WSSE}\" {utility}")), "{text}");
    assert!(text.contains("<a:Action s:mustUnderstand=\"1\" u1:Id=\"_5\" xmlns:u1="), "{text}");
    assert!(text.contains("<s:Body u:Id=\"_3\">"), "{text}");
    round_trip(&client, &service, &request, &response);
}

#[test]
fn an_envelope_prefixed_o_keeps_mustunderstand_in_the_soap_namespace() {
    let request = soap12_request()
        .replace("<s:", "<o:")
        .replace("</s:", "</o:")
        .replace("xmlns:s=", "xmlns:o=")
        .replace(" s:mustUnderstand", " o:mustUnderstand");
    let response = soap12_response()
        .replace("<s:", "<o:")
        .replace("</s:", "</o:")
        .replace("xmlns:s=", "xmlns:o=")
        .replace(" s:mustUnderstand", " o:mustUnderstand");
    let (client, service) = engines(Policy::wcf(), Policy::wcf());
    let secured = client.process(Operation::SecureRequest, request.as_bytes(), None).unwrap();
    let text = String::from_utf8(secured.envelope).unwrap();
    let soap = "xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"";
    assert!(text.contains(&format!("<o:Security s:mustUnderstand=\"1\" xmlns:o=\"{WSSE}\" {soap}>")), "{text}");
    round_trip(&client, &service, &request, &response);
}
