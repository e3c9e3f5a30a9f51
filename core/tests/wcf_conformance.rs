//! Structural conformance with the layouts WCF writes (Microsoft's published header skeletons
//! for MutualCertificate WSS 1.1 and the reference source, see wcf-wire-format.md), checked
//! element by element: order, namespaces, attributes, algorithms and the Id style.

mod common;

use common::{engines, soap12_request, soap12_response};
use wsseal_core::Operation;
use wsseal_core::wss::Policy;
use wsseal_core::xml::{Document, Element, Limits, WSU_NS};

const WSSE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSSE11: &str = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const SC: &str = "http://schemas.xmlsoap.org/ws/2005/02/sc";
const WSA: &str = "http://www.w3.org/2005/08/addressing";
const ENCRYPTED_KEY: &str = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey";
const DK: &str = "http://schemas.xmlsoap.org/ws/2005/02/sc/dk";
const BASE64: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

fn children<'d, 'a>(element: Element<'d, 'a>) -> Vec<Element<'d, 'a>> {
    element.children().collect()
}

fn attr(element: &Element<'_, '_>, namespace: &str, name: &str) -> String {
    element
        .attribute(namespace, name)
        .map(|a| a.value().into_owned())
        .unwrap_or_else(|| panic!("<{}> has no {name}", element.qname()))
}

fn id(element: &Element<'_, '_>) -> String {
    element
        .attribute(WSU_NS, "Id")
        .or_else(|| element.attribute("", "Id"))
        .map(|a| a.value().into_owned())
        .unwrap_or_default()
}

fn assert_names(elements: &[Element<'_, '_>], expected: &[(&str, &str)]) {
    let found: Vec<(String, String)> =
        elements.iter().map(|e| (e.namespace().to_owned(), e.local_name().to_owned())).collect();
    let expected: Vec<(String, String)> = expected.iter().map(|(n, l)| (n.to_string(), l.to_string())).collect();
    assert_eq!(found, expected);
}

fn is_unique_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("uuid-") else { return false };
    let (guid, counter) = rest.rsplit_once('-').unwrap();
    let groups: Vec<usize> = guid.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12] && counter.parse::<u32>().is_ok()
}

/// A DerivedKeyToken: STR with TokenType, then Offset/Length only for a non-32-byte key, Nonce.
fn check_derived_key(token: Element<'_, '_>, id_expected: &str, length: Option<&str>) {
    assert_eq!(id(&token), id_expected);
    let parts = children(token);
    let mut expected = vec![(WSSE, "SecurityTokenReference")];
    if length.is_some() {
        expected.extend([(SC, "Offset"), (SC, "Length")]);
    }
    expected.push((SC, "Nonce"));
    assert_names(&parts, &expected);
    assert_eq!(attr(&parts[0], WSSE11, "TokenType"), ENCRYPTED_KEY);
    if let Some(length) = length {
        assert_eq!((parts[1].text().as_ref(), parts[2].text().as_ref()), ("0", length));
    }
    assert_eq!(parts.last().unwrap().text().len(), 24, "a 16-byte nonce in base64");
}

/// An EncryptedData whose key is the DerivedKeyToken `key`.
fn check_encrypted_data(data: Element<'_, '_>, id_expected: &str, kind: &str, key: &str) {
    assert_eq!(id(&data), id_expected);
    assert_eq!(attr(&data, "", "Type"), format!("http://www.w3.org/2001/04/xmlenc#{kind}"));
    let parts = children(data);
    assert_names(&parts, &[(XENC, "EncryptionMethod"), (DSIG, "KeyInfo"), (XENC, "CipherData")]);
    assert_eq!(attr(&parts[0], "", "Algorithm"), "http://www.w3.org/2001/04/xmlenc#aes256-cbc");
    let reference = children(children(parts[1])[0])[0];
    assert!(reference.is(WSSE, "Reference"));
    assert_eq!((attr(&reference, "", "ValueType"), attr(&reference, "", "URI")), (DK.to_owned(), format!("#{key}")));
}

/// A SignedInfo: exc-c14n, `method`, and references to `uris` in order, each with one exc-c14n
/// transform and a SHA-1 digest.
fn check_signed_info(signature: Element<'_, '_>, method: &str, uris: &[String]) {
    let parts = children(signature);
    assert_names(&parts, &[(DSIG, "SignedInfo"), (DSIG, "SignatureValue"), (DSIG, "KeyInfo")]);
    let info = children(parts[0]);
    assert_eq!(attr(&info[0], "", "Algorithm"), EXC_C14N);
    assert_eq!(attr(&info[1], "", "Algorithm"), method);
    let references = &info[2..];
    let found: Vec<String> = references.iter().map(|r| attr(r, "", "URI")).collect();
    assert_eq!(found, uris);
    for reference in references {
        let inner = children(*reference);
        assert_names(&inner, &[(DSIG, "Transforms"), (DSIG, "DigestMethod"), (DSIG, "DigestValue")]);
        assert_eq!(attr(&children(inner[0])[0], "", "Algorithm"), EXC_C14N);
        assert_eq!(attr(&inner[1], "", "Algorithm"), "http://www.w3.org/2000/09/xmldsig#sha1");
    }
}

#[test]
fn the_request_has_wcfs_layout() {
    let (client, _) = engines(Policy::wcf(), Policy::wcf());
    let secured = client.process(Operation::SecureRequest, soap12_request().as_bytes(), None).unwrap();
    let doc = Document::parse(&secured.envelope, &Limits::default()).unwrap();
    let header = children(doc.root())[0];
    let blocks = children(header);
    assert_names(&blocks, &[(WSSE, "Security"), (WSA, "Action"), (WSA, "MessageID"), (WSA, "ReplyTo"), (WSA, "To")]);
    let addressing_ids: Vec<String> = blocks[1..].iter().map(id).collect();
    assert_eq!(addressing_ids, ["_5", "_6", "_7", "_8"]);
    let body = children(doc.root())[1];
    assert_eq!(id(&body), "_3");
    check_encrypted_data(children(body)[0], "_4", "Content", "_2");

    let security = children(blocks[0]);
    assert_names(
        &security,
        &[
            (WSU_NS, "Timestamp"),
            (XENC, "EncryptedKey"),
            (SC, "DerivedKeyToken"),
            (SC, "DerivedKeyToken"),
            (XENC, "ReferenceList"),
            (WSSE, "BinarySecurityToken"),
            (XENC, "EncryptedData"),
            (XENC, "EncryptedData"),
        ],
    );
    assert!(is_unique_id(&id(&security[0])), "{}", id(&security[0]));
    assert_names(&children(security[0]), &[(WSU_NS, "Created"), (WSU_NS, "Expires")]);

    // EncryptedKey: RSA-OAEP (SHA-1 digest child), the service certificate by thumbprint.
    let key = security[1];
    assert!(is_unique_id(&id(&key)));
    let parts = children(key);
    assert_names(&parts, &[(XENC, "EncryptionMethod"), (DSIG, "KeyInfo"), (XENC, "CipherData")]);
    assert_eq!(attr(&parts[0], "", "Algorithm"), "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
    assert_eq!(attr(&children(parts[0])[0], "", "Algorithm"), "http://www.w3.org/2000/09/xmldsig#sha1");
    let identifier = children(children(parts[1])[0])[0];
    assert!(identifier.is(WSSE, "KeyIdentifier"));
    assert_eq!(
        attr(&identifier, "", "ValueType"),
        "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1"
    );
    assert_eq!(attr(&identifier, "", "EncodingType"), BASE64);

    // The signature key (24 bytes: Offset/Length), then the encryption key (32: Nonce only).
    check_derived_key(security[2], "_0", Some("24"));
    check_derived_key(security[3], "_2", None);
    let to_key = children(children(security[2])[0])[0];
    assert_eq!(attr(&to_key, "", "ValueType"), ENCRYPTED_KEY);
    assert_eq!(attr(&to_key, "", "URI"), format!("#{}", id(&key)));

    let list: Vec<String> = children(security[4]).iter().map(|r| attr(r, "", "URI")).collect();
    assert_eq!(list, ["#_4", "#_9", "#_10"]);
    let token = security[5];
    assert!(is_unique_id(&id(&token)));
    assert_eq!(
        attr(&token, "", "ValueType"),
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
    );
    assert_eq!(attr(&token, "", "EncodingType"), BASE64);
    check_encrypted_data(security[6], "_9", "Element", "_2");
    check_encrypted_data(security[7], "_10", "Element", "_2");
}

#[test]
fn the_decrypted_request_signatures_have_wcfs_form() {
    let mut service_policy = Policy::wcf();
    service_policy.keep_security_header = true;
    let (client, service) = engines(Policy::wcf(), service_policy);
    let secured = client.process(Operation::SecureRequest, soap12_request().as_bytes(), None).unwrap();
    let opened = service.process(Operation::OpenRequest, &secured.envelope, None).unwrap();
    let doc = Document::parse(&opened.envelope, &Limits::default()).unwrap();
    let security = children(children(children(doc.root())[0])[0]);
    let (primary, endorsing) = (security[6], security[7]);
    assert!(primary.is(DSIG, "Signature") && endorsing.is(DSIG, "Signature"));
    assert_eq!(id(&primary), "_1");
    assert_eq!(id(&endorsing), "", "WCF gives the endorsing signature no Id");

    // Primary: HMAC-SHA1 over Body, the addressing headers in order, then the Timestamp.
    let timestamp = format!("#{}", id(&security[0]));
    let uris: Vec<String> =
        ["#_3", "#_5", "#_6", "#_7", "#_8"].iter().map(|s| s.to_string()).chain([timestamp]).collect();
    check_signed_info(primary, "http://www.w3.org/2000/09/xmldsig#hmac-sha1", &uris);
    let reference = children(children(children(primary)[2])[0])[0];
    assert_eq!((attr(&reference, "", "ValueType"), attr(&reference, "", "URI")), (DK.to_owned(), "#_0".to_owned()));

    // Endorsing: RSA-SHA1 over the primary signature only, keyed by the BinarySecurityToken.
    check_signed_info(endorsing, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", &["#_1".to_owned()]);
    let reference = children(children(children(endorsing)[2])[0])[0];
    assert_eq!(attr(&reference, "", "URI"), format!("#{}", id(&security[5])));
    assert_eq!(
        attr(&reference, "", "ValueType"),
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
    );
}

#[test]
fn the_response_has_wcfs_layout() {
    let mut client_policy = Policy::wcf();
    client_policy.keep_security_header = true;
    let (client, service) = engines(client_policy, Policy::wcf());
    let secured = client.process(Operation::SecureRequest, soap12_request().as_bytes(), None).unwrap();
    let opened = service.process(Operation::OpenRequest, &secured.envelope, None).unwrap();
    let answered =
        service.process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&opened.exchange)).unwrap();
    let doc = Document::parse(&answered.envelope, &Limits::default()).unwrap();
    let blocks = children(children(doc.root())[0]);
    assert_names(&blocks, &[(WSSE, "Security"), (WSA, "Action"), (WSA, "RelatesTo")]);
    assert_eq!((id(&blocks[1]), id(&blocks[2])), ("_6".to_owned(), "_7".to_owned()));
    let body = children(doc.root())[1];
    assert_eq!(id(&body), "_4");
    check_encrypted_data(children(body)[0], "_5", "Content", "_3");

    // No EncryptedKey, no BinarySecurityToken: the keys derive from the request's key.
    let security = children(blocks[0]);
    assert_names(
        &security,
        &[
            (WSU_NS, "Timestamp"),
            (SC, "DerivedKeyToken"),
            (SC, "DerivedKeyToken"),
            (XENC, "ReferenceList"),
            (XENC, "EncryptedData"),
            (XENC, "EncryptedData"),
            (XENC, "EncryptedData"),
        ],
    );
    check_derived_key(security[1], "_0", Some("24"));
    check_derived_key(security[2], "_3", None);
    let identifier = children(children(security[1])[0])[0];
    assert!(identifier.is(WSSE, "KeyIdentifier"));
    assert_eq!(
        attr(&identifier, "", "ValueType"),
        "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKeySHA1"
    );
    assert_eq!(attr(&identifier, "", "EncodingType"), BASE64);
    check_encrypted_data(security[4], "_9", "Element", "_3");
    check_encrypted_data(security[5], "_10", "Element", "_3");
    check_encrypted_data(security[6], "_8", "Element", "_3");

    // Decrypted: the confirmations _1 and _2 carry the request's signature values, in order,
    // and the primary signature covers them after Body, Action, RelatesTo and Timestamp.
    let back = client.process(Operation::OpenResponse, &answered.envelope, Some(&secured.exchange)).unwrap();
    let doc = Document::parse(&back.envelope, &Limits::default()).unwrap();
    let security = children(children(children(doc.root())[0])[0]);
    let confirmations = &security[4..6];
    let values: Vec<Vec<u8>> = confirmations
        .iter()
        .map(|c| {
            assert!(c.is(WSSE11, "SignatureConfirmation"));
            base64_decode(&attr(c, "", "Value"))
        })
        .collect();
    assert_eq!((id(&confirmations[0]), id(&confirmations[1])), ("_1".to_owned(), "_2".to_owned()));
    assert_eq!(values, secured.exchange.signature_values);
    let timestamp = format!("#{}", id(&security[0]));
    let uris: Vec<String> =
        ["#_4", "#_6", "#_7"].iter().map(|s| s.to_string()).chain([timestamp, "#_1".into(), "#_2".into()]).collect();
    check_signed_info(security[6], "http://www.w3.org/2000/09/xmldsig#hmac-sha1", &uris);
    assert_eq!(id(&security[6]), "");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}
