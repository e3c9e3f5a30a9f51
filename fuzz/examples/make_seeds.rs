//! Writes the fixtures and the seed corpora of the fuzz targets (`cargo run --example make_seeds`
//! in `fuzz/`). Keys and certificates are made once with rcgen and kept in `fixtures/` (a missing
//! one is made again, which invalidates every secured seed, so all seeds are rewritten each run).
//! Each secured seed is checked to open before it is written.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_RSA_SHA256, RsaKeySize,
};
use wsseal_core::protocol::{ItemResult, Op, PREFIX_LEN, Response, encode_request};
use wsseal_fuzz::{fixtures_dir, opened_at, secured_at};

const REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">urn:fuzz/IQuote/Get</a:Action><a:MessageID>urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</a:MessageID><a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="1">http://localhost/Quote</a:To></s:Header><s:Body><Get xmlns="urn:fuzz"><Symbol>W &amp; S</Symbol><Count>3</Count></Get></s:Body></s:Envelope>"#;

const RESPONSE: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">urn:fuzz/IQuote/GetResponse</a:Action><a:RelatesTo>urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0</a:RelatesTo></s:Header><s:Body><GetResponse xmlns="urn:fuzz"><Price currency="EUR">12.50</Price></GetResponse></s:Body></s:Envelope>"#;

const SOAP11_REQUEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:fuzz:orders"><e:Body><o:Place><!-- c --><o:Item sku="1" note='a&lt;b'>Widget<![CDATA[<x>]]></o:Item><?pi data?></o:Place></e:Body></e:Envelope>"#;

fn main() {
    let fixtures = fixtures_dir();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    if !fixtures.join("service.key.pem").exists() || !fixtures.join("client.key.pem").exists() {
        make_keys(&fixtures);
    }
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = seeds.join(target);
        std::fs::create_dir_all(&dir).expect("the seed directory");
        std::fs::write(dir.join(name), bytes).expect("a seed");
    };

    let mut secured_wss10 = Vec::new();
    for (index, policy) in wsseal_fuzz::wss10_policies().into_iter().enumerate() {
        let client = wsseal_fuzz::client(policy);
        let service = &wsseal_fuzz::wss10_services()[index];
        for (name, request) in [("soap12", REQUEST), ("soap11", SOAP11_REQUEST)] {
            let secured = client.secure_at(request.as_bytes(), None, secured_at()).expect("secure a request");
            let opened = service.open_at(&secured.envelope, None, opened_at()).expect("the seed opens");
            write("open_wss10", &format!("policy{index}-{name}"), &[&[index as u8][..], &secured.envelope].concat());
            if index == 0 && name == "soap12" {
                write("exchange_bytes", "wss10-client", &secured.exchange.to_bytes());
                write("exchange_bytes", "wss10-service", &opened.exchange.to_bytes());
            }
            secured_wss10.push(secured.envelope);
        }
    }

    let (client, service) = (wsseal_fuzz::wcf_client(), wsseal_fuzz::wcf_service());
    let request = client.secure_at(REQUEST.as_bytes(), None, secured_at()).expect("secure the WCF request");
    let opened = service.open_at(&request.envelope, None, opened_at()).expect("the WCF request opens");
    let response =
        service.secure_at(RESPONSE.as_bytes(), Some(&opened.exchange), secured_at()).expect("secure the response");
    client.open_at(&response.envelope, Some(&request.exchange), opened_at()).expect("the WCF response opens");
    std::fs::write(fixtures.join(wsseal_fuzz::WCF_CLIENT_EXCHANGE), request.exchange.to_bytes()).expect("exchange");
    write("open_wcf", "request", &[&[0][..], &request.envelope].concat());
    write("open_wcf", "response", &[&[1][..], &response.envelope].concat());
    write("exchange_bytes", "wcf-client", &request.exchange.to_bytes());
    write("exchange_bytes", "wcf-service", &opened.exchange.to_bytes());

    write("xml_parse", "request", REQUEST.as_bytes());
    write("xml_parse", "soap11", SOAP11_REQUEST.as_bytes());
    write("xml_parse", "secured-wss10", &secured_wss10[0]);
    write("xml_parse", "secured-wcf", &request.envelope);

    let frame = encode_request(Op::OpenRequest, 7, &[(&secured_wss10[0], b""), (b"<e/>", b"token")]);
    write("protocol_frames", "request", &[&[0][..], &frame[PREFIX_LEN..]].concat());
    let ping = encode_request(Op::Ping, 8, &[]);
    write("protocol_frames", "ping", &[&[0][..], &ping[PREFIX_LEN..]].concat());
    let answer = Response {
        op: Op::OpenRequest as u8,
        id: 7,
        status: 0,
        message: String::new(),
        results: vec![
            ItemResult { code: 0, envelope: REQUEST.into(), token: vec![1; 40], detail: b"{}".to_vec() },
            ItemResult::error(wsseal_core::ErrorCode::DecryptionFailed, "Decryption failed"),
        ],
    };
    write("protocol_frames", "response", &[&[1][..], &answer.encode()[PREFIX_LEN..]].concat());

    let wcf_data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/wcf_data");
    for side in ["client", "service"] {
        let text = std::fs::read_to_string(wcf_data.join(format!("{side}.config"))).expect("a WCF configuration");
        write("wcf_import", side, text.as_bytes());
        let options = wsseal_core::wcf::import::ImportOptions::default();
        let toml = wsseal_core::wcf::import::import(&text, &options).expect("the WCF configuration imports");
        write("config_toml", &format!("imported-{side}"), toml.as_bytes());
    }
    write("config_toml", "policy", CONFIG.as_bytes());
}

/// A configuration with every section and most policy keys.
const CONFIG: &str = r#"[credentials]
certificate = "client.pem"
private_key = "client.key.pem"

[peer]
certificate = "service.pem"

[trust]
mode = "PeerOrChainTrust"
anchors = ["ca.pem"]

[identity]
dns = "service.example"

[policy]
profile = "wss10"
suite = "Basic256Sha256"
protection_order = "EncryptBeforeSign"
encrypted_headers = ["{http://www.w3.org/2005/08/addressing}Action"]
recipient_reference = "Thumbprint"
signer_reference = "IssuerSerial"
reference_list = "Standalone"
"#;

/// A CA-signed client (clientAuth) and service (serverAuth), RSA-2048, written as PEM.
fn make_keys(dir: &Path) {
    let rsa = || KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("an RSA key");
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, "wsseal fuzz CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(params, rsa()).expect("the CA");
    std::fs::create_dir_all(dir).expect("the fixtures directory");
    for (name, purpose) in
        [("client", ExtendedKeyUsagePurpose::ClientAuth), ("service", ExtendedKeyUsagePurpose::ServerAuth)]
    {
        let key = rsa();
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.distinguished_name.push(DnType::OrganizationName, "wsseal fuzzing");
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.extended_key_usages = vec![purpose];
        let certificate = params.signed_by(&key, &ca).expect("a leaf certificate");
        std::fs::write(dir.join(format!("{name}.pem")), certificate.pem()).expect("write a certificate");
        std::fs::write(dir.join(format!("{name}.key.pem")), key.serialize_pem()).expect("write a key");
    }
}
