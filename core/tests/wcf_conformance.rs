//! Structural conformance with the layouts WCF writes (Microsoft's published header skeletons
//! for MutualCertificate WSS 1.1 and the reference source, see wcf-wire-format.md), checked
//! element by element: order, namespaces, prefixes, attributes and namespace declarations as
//! written (in order), algorithms and the Id style.

mod common;

use common::{SOAP11, SOAP12, engines, soap11_request, soap12_request, soap12_response};
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

/// The start tag as written: the qualified name, then the name of every attribute and namespace
/// declaration, in order.
fn tag(element: &Element<'_, '_>, doc: &Document<'_>) -> Vec<String> {
    let text = &doc.as_str()[element.span().start + 1..element.content_span().start];
    let text = text.trim_end_matches('>').trim_end_matches('/');
    let (name, mut rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let mut out = vec![name.to_owned()];
    while let Some((attribute, after)) = rest.split_once('=') {
        out.push(attribute.trim().to_owned());
        let after = after.trim_start();
        let quote = after.chars().next().unwrap();
        let end = after[1..].find(quote).unwrap() + 2;
        rest = &after[end..];
    }
    out
}

/// Asserts the start tag of `element`: `expected` is the qualified name and the attribute and
/// declaration names, space-separated, in the order WCF writes them.
fn assert_tag(doc: &Document<'_>, element: &Element<'_, '_>, expected: &str) {
    assert_eq!(tag(element, doc).join(" "), expected);
}

fn qnames(elements: &[Element<'_, '_>]) -> Vec<String> {
    elements.iter().map(|e| e.qname().to_owned()).collect()
}

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
fn check_derived_key(doc: &Document<'_>, token: Element<'_, '_>, id_expected: &str, length: Option<&str>) {
    assert_eq!(id(&token), id_expected);
    assert_tag(doc, &token, "c:DerivedKeyToken u:Id xmlns:c");
    let parts = children(token);
    assert_tag(doc, &parts[0], "o:SecurityTokenReference k:TokenType xmlns:k");
    let mut expected_qnames = vec!["o:SecurityTokenReference"];
    if length.is_some() {
        expected_qnames.extend(["c:Offset", "c:Length"]);
    }
    expected_qnames.push("c:Nonce");
    assert_eq!(qnames(&parts), expected_qnames);
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
fn check_encrypted_data(doc: &Document<'_>, data: Element<'_, '_>, id_expected: &str, kind: &str, key: &str) {
    assert_eq!(id(&data), id_expected);
    assert_tag(doc, &data, "e:EncryptedData Id Type xmlns:e");
    assert_eq!(attr(&data, "", "Type"), format!("http://www.w3.org/2001/04/xmlenc#{kind}"));
    let parts = children(data);
    assert_names(&parts, &[(XENC, "EncryptionMethod"), (DSIG, "KeyInfo"), (XENC, "CipherData")]);
    assert_tag(doc, &parts[0], "e:EncryptionMethod Algorithm");
    assert_tag(doc, &parts[1], "KeyInfo xmlns");
    let token_reference = children(parts[1])[0];
    assert_tag(doc, &token_reference, "o:SecurityTokenReference xmlns:o");
    assert_tag(doc, &children(token_reference)[0], "o:Reference ValueType URI");
    assert_eq!(qnames(&children(parts[2])), ["e:CipherValue"]);
    assert_eq!(attr(&parts[0], "", "Algorithm"), "http://www.w3.org/2001/04/xmlenc#aes256-cbc");
    let reference = children(children(parts[1])[0])[0];
    assert!(reference.is(WSSE, "Reference"));
    assert_eq!((attr(&reference, "", "ValueType"), attr(&reference, "", "URI")), (DK.to_owned(), format!("#{key}")));
}

/// A SignedInfo: exc-c14n, `method`, and references to `uris` in order, each with one exc-c14n
/// transform and a SHA-1 digest.
/// The dsig namespace is the default one, declared on the Signature only.
fn check_signed_info(doc: &Document<'_>, signature: Element<'_, '_>, method: &str, uris: &[String]) {
    let parts = children(signature);
    assert_names(&parts, &[(DSIG, "SignedInfo"), (DSIG, "SignatureValue"), (DSIG, "KeyInfo")]);
    assert!(parts.iter().all(|p| tag(p, doc) == [p.local_name()]), "{:?}", qnames(&parts));
    let info = children(parts[0]);
    assert!(info.iter().all(|e| tag(e, doc) == [e.local_name(), "Algorithm"] || tag(e, doc) == ["Reference", "URI"]));
    assert_eq!(qnames(&info[..2]), ["CanonicalizationMethod", "SignatureMethod"]);
    assert_eq!(attr(&info[0], "", "Algorithm"), EXC_C14N);
    assert_eq!(attr(&info[1], "", "Algorithm"), method);
    let references = &info[2..];
    let found: Vec<String> = references.iter().map(|r| attr(r, "", "URI")).collect();
    assert_eq!(found, uris);
    for reference in references {
        let inner = children(*reference);
        assert_names(&inner, &[(DSIG, "Transforms"), (DSIG, "DigestMethod"), (DSIG, "DigestValue")]);
        assert_eq!(qnames(&inner), ["Transforms", "DigestMethod", "DigestValue"]);
        assert_tag(doc, &children(inner[0])[0], "Transform Algorithm");
        assert_eq!(attr(&children(inner[0])[0], "", "Algorithm"), EXC_C14N);
        assert_eq!(attr(&inner[1], "", "Algorithm"), "http://www.w3.org/2000/09/xmldsig#sha1");
    }
}

#[test]
fn the_request_has_wcfs_layout() {
    let (client, _) = engines(Policy::wcf(), Policy::wcf());
    let secured = client.process(Operation::SecureRequest, soap12_request().as_bytes(), None).unwrap();
    let doc = Document::parse(&secured.envelope, &Limits::default()).unwrap();
    // `u` is declared once, on the Envelope; the Ids go after the blocks' own attributes.
    assert_tag(&doc, &doc.root(), "s:Envelope xmlns:s xmlns:a xmlns:u");
    let header = children(doc.root())[0];
    let blocks = children(header);
    assert_names(&blocks, &[(WSSE, "Security"), (WSA, "Action"), (WSA, "MessageID"), (WSA, "ReplyTo"), (WSA, "To")]);
    let addressing_ids: Vec<String> = blocks[1..].iter().map(id).collect();
    assert_eq!(addressing_ids, ["_5", "_6", "_7", "_8"]);
    let addressing_tags: Vec<String> = blocks[1..].iter().map(|b| tag(b, &doc).join(" ")).collect();
    assert_eq!(
        addressing_tags,
        ["a:Action s:mustUnderstand u:Id", "a:MessageID u:Id", "a:ReplyTo u:Id", "a:To s:mustUnderstand u:Id"]
    );
    let body = children(doc.root())[1];
    assert_eq!(id(&body), "_3");
    assert_tag(&doc, &body, "s:Body u:Id");
    check_encrypted_data(&doc, children(body)[0], "_4", "Content", "_2");

    // `<o:Security s:mustUnderstand="1" xmlns:o="…">`.
    assert_tag(&doc, &blocks[0], "o:Security s:mustUnderstand xmlns:o");
    assert_eq!(attr(&blocks[0], SOAP12, "mustUnderstand"), "1");
    let security = children(blocks[0]);
    assert_eq!(
        qnames(&security),
        [
            "u:Timestamp",
            "e:EncryptedKey",
            "c:DerivedKeyToken",
            "c:DerivedKeyToken",
            "e:ReferenceList",
            "o:BinarySecurityToken",
            "e:EncryptedData",
            "e:EncryptedData"
        ]
    );
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
    assert_tag(&doc, &security[0], "u:Timestamp u:Id");
    assert_names(&children(security[0]), &[(WSU_NS, "Created"), (WSU_NS, "Expires")]);
    assert_eq!(qnames(&children(security[0])), ["u:Created", "u:Expires"]);

    // EncryptedKey: RSA-OAEP (SHA-1 digest child), the service certificate by thumbprint.
    let key = security[1];
    assert!(is_unique_id(&id(&key)));
    assert_tag(&doc, &key, "e:EncryptedKey Id xmlns:e");
    let parts = children(key);
    assert_names(&parts, &[(XENC, "EncryptionMethod"), (DSIG, "KeyInfo"), (XENC, "CipherData")]);
    assert_eq!(qnames(&parts), ["e:EncryptionMethod", "KeyInfo", "e:CipherData"]);
    assert_eq!(attr(&parts[0], "", "Algorithm"), "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p");
    let digest_method = children(parts[0])[0];
    assert!(digest_method.is(DSIG, "DigestMethod"));
    assert_tag(&doc, &digest_method, "DigestMethod Algorithm xmlns");
    assert_eq!(attr(&digest_method, "", "Algorithm"), "http://www.w3.org/2000/09/xmldsig#sha1");
    assert_tag(&doc, &parts[1], "KeyInfo xmlns");
    let token_reference = children(parts[1])[0];
    assert_tag(&doc, &token_reference, "o:SecurityTokenReference");
    let identifier = children(token_reference)[0];
    assert!(identifier.is(WSSE, "KeyIdentifier"));
    assert_tag(&doc, &identifier, "o:KeyIdentifier ValueType EncodingType");
    assert_eq!(
        attr(&identifier, "", "ValueType"),
        "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1"
    );
    assert_eq!(attr(&identifier, "", "EncodingType"), BASE64);

    // The signature key (24 bytes: Offset/Length), then the encryption key (32: Nonce only).
    check_derived_key(&doc, security[2], "_0", Some("24"));
    check_derived_key(&doc, security[3], "_2", None);
    let to_key = children(children(security[2])[0])[0];
    assert_tag(&doc, &to_key, "o:Reference ValueType URI");
    assert_eq!(attr(&to_key, "", "ValueType"), ENCRYPTED_KEY);
    assert_eq!(attr(&to_key, "", "URI"), format!("#{}", id(&key)));

    assert_tag(&doc, &security[4], "e:ReferenceList xmlns:e");
    let references = children(security[4]);
    assert!(references.iter().all(|r| tag(r, &doc) == ["e:DataReference", "URI"]));
    let list: Vec<String> = references.iter().map(|r| attr(r, "", "URI")).collect();
    assert_eq!(list, ["#_4", "#_9", "#_10"]);
    let token = security[5];
    assert!(is_unique_id(&id(&token)));
    assert_tag(&doc, &token, "o:BinarySecurityToken u:Id ValueType EncodingType");
    assert_eq!(
        attr(&token, "", "ValueType"),
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
    );
    assert_eq!(attr(&token, "", "EncodingType"), BASE64);
    check_encrypted_data(&doc, security[6], "_9", "Element", "_2");
    check_encrypted_data(&doc, security[7], "_10", "Element", "_2");
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
    assert_tag(&doc, &primary, "Signature Id xmlns");
    assert_tag(&doc, &endorsing, "Signature xmlns");
    check_signed_info(&doc, primary, "http://www.w3.org/2000/09/xmldsig#hmac-sha1", &uris);
    let reference = children(children(children(primary)[2])[0])[0];
    assert_tag(&doc, &reference, "o:Reference ValueType URI");
    assert_eq!((attr(&reference, "", "ValueType"), attr(&reference, "", "URI")), (DK.to_owned(), "#_0".to_owned()));

    // Endorsing: RSA-SHA1 over the primary signature only, keyed by the BinarySecurityToken.
    check_signed_info(&doc, endorsing, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", &["#_1".to_owned()]);
    let token_reference = children(children(endorsing)[2])[0];
    assert_tag(&doc, &token_reference, "o:SecurityTokenReference xmlns:o");
    let reference = children(token_reference)[0];
    assert_tag(&doc, &reference, "o:Reference ValueType URI");
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
    assert_tag(&doc, &doc.root(), "s:Envelope xmlns:s xmlns:a xmlns:u");
    assert_tag(&doc, &blocks[0], "o:Security s:mustUnderstand xmlns:o");
    assert_eq!(attr(&blocks[0], SOAP12, "mustUnderstand"), "1");
    assert_tag(&doc, &blocks[1], "a:Action s:mustUnderstand u:Id");
    assert_tag(&doc, &blocks[2], "a:RelatesTo u:Id");
    let body = children(doc.root())[1];
    assert_eq!(id(&body), "_4");
    assert_tag(&doc, &body, "s:Body u:Id");
    check_encrypted_data(&doc, children(body)[0], "_5", "Content", "_3");

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
    assert_eq!(
        qnames(&security),
        [
            "u:Timestamp",
            "c:DerivedKeyToken",
            "c:DerivedKeyToken",
            "e:ReferenceList",
            "e:EncryptedData",
            "e:EncryptedData",
            "e:EncryptedData"
        ]
    );
    check_derived_key(&doc, security[1], "_0", Some("24"));
    check_derived_key(&doc, security[2], "_3", None);
    let identifier = children(children(security[1])[0])[0];
    assert!(identifier.is(WSSE, "KeyIdentifier"));
    assert_tag(&doc, &identifier, "o:KeyIdentifier ValueType EncodingType");
    assert_eq!(
        attr(&identifier, "", "ValueType"),
        "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKeySHA1"
    );
    assert_eq!(attr(&identifier, "", "EncodingType"), BASE64);
    check_encrypted_data(&doc, security[4], "_9", "Element", "_3");
    check_encrypted_data(&doc, security[5], "_10", "Element", "_3");
    check_encrypted_data(&doc, security[6], "_8", "Element", "_3");

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
            assert_tag(&doc, c, "k:SignatureConfirmation u:Id Value xmlns:k");
            base64_decode(&attr(c, "", "Value"))
        })
        .collect();
    assert_eq!((id(&confirmations[0]), id(&confirmations[1])), ("_1".to_owned(), "_2".to_owned()));
    assert_eq!(values, secured.exchange.signature_values);
    let timestamp = format!("#{}", id(&security[0]));
    let uris: Vec<String> =
        ["#_4", "#_6", "#_7"].iter().map(|s| s.to_string()).chain([timestamp, "#_1".into(), "#_2".into()]).collect();
    assert_tag(&doc, &security[6], "Signature xmlns");
    check_signed_info(&doc, security[6], "http://www.w3.org/2000/09/xmldsig#hmac-sha1", &uris);
    assert_eq!(id(&security[6]), "");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

#[test]
fn soap11_gets_the_same_header_with_mustunderstand_1() {
    let (client, _) = engines(Policy::wcf(), Policy::wcf());
    let secured = client.process(Operation::SecureRequest, soap11_request().as_bytes(), None).unwrap();
    let doc = Document::parse(&secured.envelope, &Limits::default()).unwrap();
    assert_tag(&doc, &doc.root(), "soapenv:Envelope xmlns:soapenv xmlns:ord xmlns:u");
    let header = children(doc.root())[0];
    assert_tag(&doc, &header, "soapenv:Header");
    let security = children(header)[0];
    assert_tag(&doc, &security, "o:Security soapenv:mustUnderstand xmlns:o");
    assert_eq!(attr(&security, SOAP11, "mustUnderstand"), "1");
    assert_tag(&doc, &children(doc.root())[1], "soapenv:Body u:Id");
}

/// Every element of `doc`, depth first.
fn all<'d, 'a>(element: Element<'d, 'a>, out: &mut Vec<Element<'d, 'a>>) {
    out.push(element);
    for child in element.children() {
        all(child, out);
    }
}

/// The Basic Security Profile attributes WCF writes only with BSP10 (`EncodingType` on key
/// identifiers, `ValueType` on local references, `k:TokenType`) found in `envelope`, and how many
/// places could carry one.
fn bsp_attributes(envelope: &[u8]) -> (usize, usize) {
    let doc = Document::parse(envelope, &Limits::default()).unwrap();
    let mut elements = Vec::new();
    all(doc.root(), &mut elements);
    let mut places = 0;
    let mut found = 0;
    for element in elements {
        let attribute = if element.is(WSSE, "KeyIdentifier") {
            Some(("", "EncodingType"))
        } else if element.is(WSSE, "Reference") {
            Some(("", "ValueType"))
        } else if element.is(WSSE, "SecurityTokenReference")
            && element.parent().is_some_and(|p| p.is(SC, "DerivedKeyToken"))
        {
            Some((WSSE11, "TokenType"))
        } else {
            None
        };
        if let Some((namespace, name)) = attribute {
            places += 1;
            found += usize::from(element.attribute(namespace, name).is_some());
        }
        if element.is(WSSE, "BinarySecurityToken") {
            // Not BSP-only: WCF always writes them.
            attr(&element, "", "ValueType");
            attr(&element, "", "EncodingType");
        }
    }
    (found, places)
}

#[test]
fn the_bsp_attributes_are_all_written_with_bsp_and_none_without() {
    for bsp in [true, false] {
        let mut policy = Policy::wcf();
        policy.wcf.bsp = bsp;
        policy.keep_security_header = true;
        let (client, service) = engines(policy.clone(), policy);
        let secured = client.process(Operation::SecureRequest, soap12_request().as_bytes(), None).unwrap();
        let opened = service.process(Operation::OpenRequest, &secured.envelope, None).unwrap();
        let answered =
            service.process(Operation::SecureResponse, soap12_response().as_bytes(), Some(&opened.exchange)).unwrap();
        let back = client.process(Operation::OpenResponse, &answered.envelope, Some(&secured.exchange)).unwrap();
        // Places: the EncryptedKey's KeyIdentifier, two per DerivedKeyToken (TokenType and its
        // Reference or KeyIdentifier), one per EncryptedData or signature KeyInfo.
        for (what, envelope, places) in [
            ("request", &secured.envelope, 1 + 2 * 2 + 3),
            ("opened request", &opened.envelope, 1 + 2 * 2 + 2),
            ("response", &answered.envelope, 2 * 2 + 4),
            ("opened response", &back.envelope, 2 * 2 + 1),
        ] {
            let (found, counted) = bsp_attributes(envelope);
            assert_eq!(counted, places, "{what}");
            assert_eq!(found, if bsp { places } else { 0 }, "{what} with bsp = {bsp}");
        }
    }
}
