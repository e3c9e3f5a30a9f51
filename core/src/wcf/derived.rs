//! WS-SecureConversation `DerivedKeyToken`s: keys derived with P_SHA1 from the exchange's
//! wrapped key, written the way WCF writes them and read strictly.

use std::borrow::Cow;

use super::{WcfNamespaces, wire};
use crate::crypto::{PSha1, SymmetricKey};
use crate::encoding::{decode_base64, push_attribute_value, push_base64};
use crate::error::{Error, ErrorCode};
use crate::shape::{ChildCursor, text_only};
use crate::soap::WSSE_NS;
use crate::wss::token::{
    ENCRYPTED_KEY_SHA1, ENCRYPTED_KEY_TOKEN, TokenReference, WSSE11_NS, read_security_token_reference,
};
use crate::xml::{Document, Element, ElementId, WSU_NS};

/// The label WCF derives every key with (both WS-SecureConversation versions).
pub const LABEL: &[u8] = b"WS-SecureConversationWS-SecureConversation";
/// The nonce length WCF writes.
pub const NONCE_LEN: usize = 16;
/// The key length a token without `Length` derives.
const DEFAULT_LENGTH: usize = 32;
/// The longest key, nonce and label accepted, and the largest offset: no derivation asks for
/// more than a few P_SHA1 blocks.
const MAX_LENGTH: usize = 64;
const MAX_NONCE: usize = 128;
const MAX_LABEL: usize = 256;
const MAX_OFFSET: usize = 256;

/// The key a `DerivedKeyToken` derives from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DerivedFrom<'a> {
    /// An `xenc:EncryptedKey` of this message, by Id (a request).
    EncryptedKey(Cow<'a, str>),
    /// The EncryptedKey of the request, by SHA-1 of its octets (a response).
    EncryptedKeySha1(Vec<u8>),
}

/// A `DerivedKeyToken` read from a message, not yet derived.
#[derive(Clone, Debug)]
pub struct DerivedKeyToken<'a> {
    /// The element.
    pub element: ElementId,
    /// Its `wsu:Id`.
    pub id: Cow<'a, str>,
    /// The key it derives from.
    pub source: DerivedFrom<'a>,
    /// Bytes of P_SHA1 output skipped.
    pub offset: usize,
    /// The derived key length.
    pub length: usize,
    /// The label (WCF's when absent).
    pub label: Vec<u8>,
    /// The nonce.
    pub nonce: Vec<u8>,
}

impl DerivedKeyToken<'_> {
    /// The derived key: P_SHA1(secret, label ‖ nonce), `length` bytes from `offset`, with P_SHA1
    /// keyed with the secret (once for all the tokens of an exchange).
    pub fn derive(&self, secret: &mut PSha1) -> SymmetricKey {
        secret.derive([&self.label, &self.nonce], self.offset, self.length)
    }
}

/// P_SHA1(secret, label ‖ nonce), `length` bytes starting at `offset`.
pub fn derive(secret: &SymmetricKey, label: &[u8], nonce: &[u8], offset: usize, length: usize) -> SymmetricKey {
    PSha1::new(secret.as_bytes()).derive([label, nonce], offset, length)
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::DerivedKeyInvalid, message)
}

/// Writes a `c:DerivedKeyToken` with Id `id`, deriving `length` bytes from `source` with
/// `nonce`, inside a Security header that declares `o` (and `u` in scope). `Offset`/`Length`
/// are written only when the length is not the default 32, as WCF does.
pub fn write(
    out: &mut Vec<u8>,
    namespaces: WcfNamespaces,
    bsp: bool,
    id: &str,
    source: &DerivedFrom<'_>,
    length: usize,
    nonce: &[u8],
) {
    out.extend_from_slice(b"<c:DerivedKeyToken u:Id=\"");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\" xmlns:c=\"");
    out.extend_from_slice(namespaces.secure_conversation().as_bytes());
    out.extend_from_slice(b"\">");
    write_source(out, bsp, source);
    if length != DEFAULT_LENGTH {
        out.extend_from_slice(format!("<c:Offset>0</c:Offset><c:Length>{length}</c:Length>").as_bytes());
    }
    out.extend_from_slice(b"<c:Nonce>");
    push_base64(out, nonce);
    out.extend_from_slice(b"</c:Nonce></c:DerivedKeyToken>");
}

fn write_source(out: &mut Vec<u8>, bsp: bool, source: &DerivedFrom<'_>) {
    wire::open_token_reference(out, false);
    if bsp {
        out.extend_from_slice(b" k:TokenType=\"");
        out.extend_from_slice(ENCRYPTED_KEY_TOKEN.as_bytes());
        out.extend_from_slice(b"\" xmlns:k=\"");
        out.extend_from_slice(WSSE11_NS.as_bytes());
        out.push(b'"');
    }
    out.push(b'>');
    match source {
        DerivedFrom::EncryptedKey(id) => wire::local_reference(out, bsp, ENCRYPTED_KEY_TOKEN, id),
        DerivedFrom::EncryptedKeySha1(hash) => wire::key_identifier(out, bsp, ENCRYPTED_KEY_SHA1, hash),
    }
    out.extend_from_slice(b"</o:SecurityTokenReference>");
}

/// Writes a self-contained `o:SecurityTokenReference` to the `DerivedKeyToken` `id`, as the
/// KeyInfo of a signature or an EncryptedData names its key.
pub fn write_reference(out: &mut Vec<u8>, namespaces: WcfNamespaces, bsp: bool, id: &str) {
    wire::open_token_reference(out, true);
    out.push(b'>');
    wire::local_reference(out, bsp, namespaces.derived_key_value_type(), id);
    out.extend_from_slice(b"</o:SecurityTokenReference>");
}

/// Reads a `DerivedKeyToken` of the configured namespace: a SecurityTokenReference to an
/// EncryptedKey, optional Offset (not Generation), Length and Label, and a Nonce; P_SHA1 only.
pub fn read<'a>(
    doc: &Document<'a>,
    element: Element<'_, 'a>,
    namespaces: WcfNamespaces,
) -> Result<DerivedKeyToken<'a>, Error> {
    let ns = namespaces.secure_conversation();
    if !element.is(ns, "DerivedKeyToken") {
        return Err(invalid(format!("<{}> is not a DerivedKeyToken of {ns}", element.qname())));
    }
    let id =
        element.attribute(WSU_NS, "Id").map(|a| a.value()).ok_or_else(|| invalid("a DerivedKeyToken has no wsu:Id"))?;
    if let Some(algorithm) = element.attribute("", "Algorithm")
        && algorithm.value() != namespaces.p_sha1()
    {
        return Err(invalid(format!("DerivedKeyToken algorithm {} is not P_SHA1", algorithm.value())));
    }
    let mut children = ChildCursor::new(element, ErrorCode::DerivedKeyInvalid);
    let reference = children.required(WSSE_NS, "SecurityTokenReference")?;
    let offset = children.optional(ns, "Offset");
    let length = children.optional(ns, "Length");
    let label = children.optional(ns, "Label");
    let nonce = children.required(ns, "Nonce")?;
    children.finish()?;

    if let Some(token_type) = reference.attribute(WSSE11_NS, "TokenType")
        && token_type.value() != ENCRYPTED_KEY_TOKEN
    {
        return Err(invalid(format!("a DerivedKeyToken derives from a {} token", token_type.value())));
    }
    let source = match read_security_token_reference(doc, reference)? {
        TokenReference::Local(id) => DerivedFrom::EncryptedKey(id),
        TokenReference::EncryptedKeySha1(hash) if hash.len() == 20 => DerivedFrom::EncryptedKeySha1(hash),
        _ => return Err(invalid("a DerivedKeyToken must derive from an EncryptedKey")),
    };
    let number = |element: Option<Element<'_, 'a>>, default: usize, max: usize| -> Result<usize, Error> {
        let Some(element) = element else { return Ok(default) };
        let text = text_only(doc, &element, ErrorCode::DerivedKeyInvalid)?;
        text.trim().parse::<usize>().ok().filter(|n| *n <= max).ok_or_else(|| {
            invalid(format!("DerivedKeyToken {} {text:?} is not a number up to {max}", element.local_name()))
        })
    };
    let offset = number(offset, 0, MAX_OFFSET)?;
    let length = number(length, DEFAULT_LENGTH, MAX_LENGTH)?;
    if length == 0 {
        return Err(invalid("a DerivedKeyToken derives an empty key"));
    }
    let base64 = |element: Element<'_, 'a>, max: usize| -> Result<Vec<u8>, Error> {
        let text = text_only(doc, &element, ErrorCode::DerivedKeyInvalid)?;
        decode_base64(&text, max).filter(|v| !v.is_empty()).ok_or_else(|| {
            invalid(format!("DerivedKeyToken {} is not base64 of 1 to {max} bytes", element.local_name()))
        })
    };
    let label = match label {
        Some(label) => text_only(doc, &label, ErrorCode::DerivedKeyInvalid)?.as_bytes().to_vec(),
        None => LABEL.to_vec(),
    };
    if label.len() > MAX_LABEL {
        return Err(invalid("the DerivedKeyToken label is too long"));
    }
    let nonce = base64(nonce, MAX_NONCE)?;
    Ok(DerivedKeyToken { element: element.id(), id, source, offset, length, label, nonce })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Limits;

    fn wrap(inner: &[u8]) -> Vec<u8> {
        let mut out = format!("<o:Security xmlns:o=\"{WSSE_NS}\" xmlns:u=\"{WSU_NS}\">").into_bytes();
        out.extend_from_slice(inner);
        out.extend_from_slice(b"</o:Security>");
        out
    }

    #[test]
    fn writes_what_it_reads_in_both_namespaces_with_and_without_bsp() {
        for namespaces in [WcfNamespaces::WsHttpBinding, WcfNamespaces::Ws2007HttpBinding] {
            for bsp in [true, false] {
                for (source, length) in
                    [(DerivedFrom::EncryptedKey("uuid-1".into()), 24), (DerivedFrom::EncryptedKeySha1(vec![3; 20]), 32)]
                {
                    let mut inner = Vec::new();
                    write(&mut inner, namespaces, bsp, "_0", &source, length, &[5; NONCE_LEN]);
                    let xml = wrap(&inner);
                    let doc = Document::parse(&xml, &Limits::default()).unwrap();
                    let token = read(&doc, doc.root().children().next().unwrap(), namespaces).unwrap();
                    assert_eq!((token.id.as_ref(), &token.source, token.length), ("_0", &source, length));
                    assert_eq!(
                        (token.offset, token.label.as_slice(), token.nonce.as_slice()),
                        (0, LABEL, &[5; 16][..])
                    );
                    let text = String::from_utf8(xml).unwrap();
                    assert_eq!(text.contains("<c:Length>"), length != 32);
                    assert_eq!(text.contains("TokenType"), bsp);
                }
            }
        }
    }

    #[test]
    fn derives_p_sha1_with_the_wcf_label() {
        let secret = SymmetricKey::from_slice(b"wsseal shared secret");
        let nonce: Vec<u8> = (0u8..16).collect();
        // The first 24 bytes of the independent P_SHA1 vector of crypto::derive.
        let key = derive(&secret, LABEL, &nonce, 0, 24);
        assert_eq!(crate::encoding::encode_base64(key.as_bytes()), "lVrz0eNxwFDvXcFCJ26VFAD2QEd+bS4p");
        let shifted = derive(&secret, LABEL, &nonce, 4, 20);
        assert_eq!(shifted.as_bytes(), &key.as_bytes()[4..]);
    }

    #[test]
    fn refuses_what_wcf_would_not_send() {
        let sc = super::super::WSSC_200502_NS;
        let str_ = "<o:SecurityTokenReference><o:Reference URI=\"#k\"/></o:SecurityTokenReference>";
        for (attributes, body) in [
            ("", format!("{str_}<c:Nonce>AAAAAAAAAAAAAAAAAAAAAA==</c:Nonce>")),
            (" u:Id=\"d\" Algorithm=\"urn:other\"", format!("{str_}<c:Nonce>AAAA</c:Nonce>")),
            (" u:Id=\"d\"", str_.to_owned()),
            (" u:Id=\"d\"", format!("{str_}<c:Length>65</c:Length><c:Nonce>AAAA</c:Nonce>")),
            (" u:Id=\"d\"", format!("{str_}<c:Length>0</c:Length><c:Nonce>AAAA</c:Nonce>")),
            (" u:Id=\"d\"", format!("{str_}<c:Offset>-1</c:Offset><c:Nonce>AAAA</c:Nonce>")),
            (" u:Id=\"d\"", format!("{str_}<c:Generation>1</c:Generation><c:Nonce>AAAA</c:Nonce>")),
            (" u:Id=\"d\"", format!("{str_}<c:Nonce>AA<!---->AA</c:Nonce>")),
            (" u:Id=\"d\"", format!("{str_}<c:Nonce></c:Nonce>")),
            (
                " u:Id=\"d\"",
                "<o:SecurityTokenReference><o:KeyIdentifier ValueType=\"http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#ThumbprintSHA1\">AAAA</o:KeyIdentifier></o:SecurityTokenReference><c:Nonce>AAAA</c:Nonce>".to_owned(),
            ),
        ] {
            let xml = wrap(format!("<c:DerivedKeyToken xmlns:c=\"{sc}\"{attributes}>{body}</c:DerivedKeyToken>").as_bytes());
            let doc = Document::parse(&xml, &Limits::default()).unwrap();
            let error = read(&doc, doc.root().children().next().unwrap(), WcfNamespaces::WsHttpBinding).unwrap_err();
            assert!(
                matches!(error.code(), ErrorCode::DerivedKeyInvalid | ErrorCode::SecurityHeaderMalformed),
                "{body}: {error}"
            );
        }
        // The other namespace is refused: the version is pinned by configuration.
        let mut inner = Vec::new();
        write(
            &mut inner,
            WcfNamespaces::Ws2007HttpBinding,
            true,
            "_0",
            &DerivedFrom::EncryptedKey("k".into()),
            32,
            &[1; 16],
        );
        let xml = wrap(&inner);
        let doc = Document::parse(&xml, &Limits::default()).unwrap();
        let error = read(&doc, doc.root().children().next().unwrap(), WcfNamespaces::WsHttpBinding).unwrap_err();
        assert_eq!(error.code(), ErrorCode::DerivedKeyInvalid);
    }
}
