//! Shared material for the profile tests: a throwaway PKI made with rcgen, and envelopes.
#![allow(dead_code)]

use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_RSA_SHA256, RsaKeySize,
};
use wsseal_core::cert::Certificate;
use wsseal_core::wss::{Credentials, Engine, Policy};

/// A certificate with its PEM key.
pub struct Party {
    pub certificate_pem: String,
    pub key_pem: String,
}

impl Party {
    pub fn credentials(&self) -> Credentials {
        Credentials::from_pem(self.certificate_pem.as_bytes(), self.key_pem.as_bytes()).unwrap()
    }

    pub fn certificate(&self) -> Certificate {
        Certificate::from_pem(self.certificate_pem.as_bytes()).unwrap()
    }
}

/// A CA, a client, a service, and a stranger the CA also signed.
pub struct Pki {
    pub client: Party,
    pub service: Party,
    pub stranger: Party,
}

/// The PKI shared by every test of a test binary (RSA key generation is slow).
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, "wsseal test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(params, rsa()).unwrap();
        let leaf = |name: &str, purpose| {
            let key = rsa();
            let mut params = CertificateParams::default();
            params.distinguished_name.push(DnType::CommonName, name);
            params.distinguished_name.push(DnType::OrganizationName, "wsseal, tests");
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
            params.extended_key_usages = vec![purpose];
            let cert = params.signed_by(&key, &ca).unwrap();
            Party { certificate_pem: cert.pem(), key_pem: key.serialize_pem() }
        };
        Pki {
            client: leaf("client", ExtendedKeyUsagePurpose::ClientAuth),
            service: leaf("service", ExtendedKeyUsagePurpose::ServerAuth),
            stranger: leaf("stranger", ExtendedKeyUsagePurpose::ClientAuth),
        }
    })
}

fn rsa() -> KeyPair {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap()
}

/// The client's engine (signs as client, encrypts for the service) and the service's.
pub fn engines(client_policy: Policy, service_policy: Policy) -> (Engine, Engine) {
    let pki = pki();
    let client = Engine::new(client_policy, pki.client.credentials(), pki.service.certificate()).unwrap();
    let service = Engine::new(service_policy, pki.service.credentials(), pki.client.certificate()).unwrap();
    (client, service)
}

pub const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// A SOAP 1.2 + WS-Addressing 1.0 request like WCF's Calculator sample.
pub fn soap12_request() -> String {
    r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://Microsoft.ServiceModel.Samples/ICalculator/Add</a:Action><a:MessageID>urn:uuid:4e5b2b1c-1f2e-4c3d-9a8b-7c6d5e4f3a2b</a:MessageID><a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="1">http://localhost/Calculator</a:To></s:Header><s:Body><Add xmlns="http://Microsoft.ServiceModel.Samples"><n1>100</n1><n2>15.99</n2></Add></s:Body></s:Envelope>"#.to_owned()
}

/// A SOAP 1.1 request without a Header and with a prefixed body payload.
pub fn soap11_request() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ord="urn:example:orders"><soapenv:Body><ord:PlaceOrder><ord:Customer id="C-42">ACME &amp; Co</ord:Customer><ord:Item sku="1">Widget</ord:Item></ord:PlaceOrder></soapenv:Body></soapenv:Envelope>"#.to_owned()
}

/// The response to [`soap12_request`].
pub fn soap12_response() -> String {
    r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://Microsoft.ServiceModel.Samples/ICalculator/AddResponse</a:Action><a:RelatesTo>urn:uuid:4e5b2b1c-1f2e-4c3d-9a8b-7c6d5e4f3a2b</a:RelatesTo></s:Header><s:Body><AddResponse xmlns="http://Microsoft.ServiceModel.Samples"><AddResult>115.99</AddResult></AddResponse></s:Body></s:Envelope>"#.to_owned()
}

/// The bytes between the Body's start and end tags.
pub fn body_content(envelope: &[u8]) -> String {
    let text = std::str::from_utf8(envelope).unwrap();
    let open = text.find(":Body").unwrap();
    let start = open + text[open..].find('>').unwrap() + 1;
    let end = text.rfind("</").unwrap();
    let end = text[..end].rfind("</").unwrap();
    text[start..end].to_owned()
}

const PEERS_HINT: &str =
    "run ./scripts/test once: it installs Python, lxml, xmlsec and xmlsec1, and exports WSSEAL_PYTHON / WSSEAL_PEERS";

/// The Python with the peers' packages, and the peers' directory (../shared/peers).
pub fn peer_paths() -> (std::path::PathBuf, std::path::PathBuf) {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = std::env::var_os("WSSEAL_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace.join(".venv/bin/python"));
    let peers = std::env::var_os("WSSEAL_PEERS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace.join("../shared/peers"));
    assert!(python.exists(), "Python {} not found: {PEERS_HINT}", python.display());
    assert!(peers.join("pyxmlsec_wss.py").exists(), "peers not found in {}: {PEERS_HINT}", peers.display());
    (python, peers)
}
