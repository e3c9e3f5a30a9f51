//! WCF's spelling of what the profile writes (`SendSecurityHeader` and its token serializers):
//! `o` for wsse, `u` for wsu, `k` for wsse11, `e` for xenc, `c` for WS-SecureConversation and
//! the default namespace for dsig. `u` is declared on the Envelope, `o` on the Security header,
//! every other prefix on each element that uses it. With `bsp`, the Basic Security Profile
//! attributes (`EncodingType` on key identifiers, `ValueType` on local references,
//! `k:TokenType`) are written; without it, none of them.

use crate::cert::Certificate;
use crate::encoding::{push_attribute_value, push_base64};
use crate::soap::{Envelope, WSSE_NS};
use crate::splice::Edit;
use crate::wss::part::{SignedPart, free_prefix};
use crate::wss::token::{BASE64_BINARY, THUMBPRINT_SHA1, X509V3};
use crate::xml::{Document, Element, WSU_NS};

/// The end tag of the Security header.
pub(super) const CLOSE_SECURITY: &[u8] = b"</o:Security>";

/// Where the message binds `u`: the edit that declares it on the Envelope (when nothing binds
/// it there yet), and whether the Security header must declare it itself.
pub(super) struct UtilityScope {
    /// `xmlns:u` added to the Envelope's start tag.
    pub envelope_edit: Option<Edit>,
    /// `u` means something else where the Security header goes: the header declares it.
    pub declare_in_header: bool,
}

impl UtilityScope {
    /// Declares `u` on the Envelope unless the Envelope already binds it.
    pub(super) fn of(doc: &Document<'_>, envelope: &Envelope) -> Self {
        let root = doc.element(envelope.envelope);
        let envelope_edit = root
            .lookup_namespace("u")
            .is_none()
            .then(|| Edit::insert(start_tag_end(doc, &root), format!(" xmlns:u=\"{WSU_NS}\"").into_bytes()));
        let scope = doc.element(envelope.header.unwrap_or(envelope.envelope));
        let declare_in_header = scope.lookup_namespace("u").is_some_and(|ns| ns != WSU_NS);
        Self { envelope_edit, declare_in_header }
    }
}

/// The offset of `>` (or `/>`) that ends `element`'s start tag: where WCF's attributes go.
fn start_tag_end(doc: &Document<'_>, element: &Element<'_, '_>) -> usize {
    let end = element.content_span().start;
    if doc.input()[..end].ends_with(b"/>") { end - 2 } else { end - 1 }
}

/// `element` as a part to sign: its `u:Id`, or a fresh one from `fresh` after its attributes.
/// `u` is in scope through the Envelope unless the element binds it to something else; it then
/// gets its own declaration under a free prefix.
pub(super) fn signed_part(doc: &Document<'_>, element: Element<'_, '_>, fresh: impl FnOnce() -> String) -> SignedPart {
    SignedPart::existing(&element).unwrap_or_else(|| {
        let prefix = free_prefix(&element, "u");
        let declare = prefix != "u";
        SignedPart::inserted(&element, fresh(), prefix, start_tag_end(doc, &element), declare)
    })
}

/// The start tag `<o:Security s:mustUnderstand="1" xmlns:o="…">`: WCF writes `1` for both SOAP
/// versions.
pub(super) fn open_security(doc: &Document<'_>, envelope: &Envelope, actor: Option<&str>, declare_u: bool) -> Vec<u8> {
    let soap = envelope.version.namespace();
    let scope = doc.element(envelope.header.unwrap_or(envelope.envelope));
    let prefix = doc.element(envelope.envelope).prefix();
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"<o:Security");
    let mut declarations = Vec::new();
    // The Envelope's prefix, unless it is one the Security header rebinds.
    let rebound = prefix == "o" || (declare_u && prefix == "u");
    let prefix = if !prefix.is_empty() && !rebound && scope.lookup_namespace(prefix) == Some(soap) {
        prefix
    } else {
        declarations.extend_from_slice(format!(" xmlns:s=\"{soap}\"").as_bytes());
        "s"
    };
    out.extend_from_slice(format!(" {prefix}:mustUnderstand=\"1\"").as_bytes());
    if let Some(actor) = actor {
        out.extend_from_slice(format!(" {prefix}:{}=\"", envelope.version.actor_attribute()).as_bytes());
        push_attribute_value(&mut out, actor);
        out.push(b'"');
    }
    out.extend_from_slice(b" xmlns:o=\"");
    out.extend_from_slice(WSSE_NS.as_bytes());
    out.push(b'"');
    out.extend_from_slice(&declarations);
    if declare_u {
        out.extend_from_slice(b" xmlns:u=\"");
        out.extend_from_slice(WSU_NS.as_bytes());
        out.push(b'"');
    }
    out.push(b'>');
    out
}

/// `<o:BinarySecurityToken u:Id ValueType EncodingType>` of an X.509 certificate.
pub(super) fn binary_security_token(out: &mut Vec<u8>, id: &str, certificate_base64: &str) {
    out.extend_from_slice(b"<o:BinarySecurityToken u:Id=\"");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\" ValueType=\"");
    out.extend_from_slice(X509V3.as_bytes());
    out.extend_from_slice(b"\" EncodingType=\"");
    out.extend_from_slice(BASE64_BINARY.as_bytes());
    out.extend_from_slice(b"\">");
    out.extend_from_slice(certificate_base64.as_bytes());
    out.extend_from_slice(b"</o:BinarySecurityToken>");
}

/// `<o:SecurityTokenReference>`, declaring `o` when it may leave the Security header's scope
/// (in the Body, or in a signature that is encrypted or signed on its own).
pub(super) fn open_token_reference(out: &mut Vec<u8>, declare: bool) {
    out.extend_from_slice(b"<o:SecurityTokenReference");
    if declare {
        out.extend_from_slice(b" xmlns:o=\"");
        out.extend_from_slice(WSSE_NS.as_bytes());
        out.push(b'"');
    }
}

/// `<o:Reference ValueType URI>` to the local token `id`; `ValueType` only with BSP.
pub(super) fn local_reference(out: &mut Vec<u8>, bsp: bool, value_type: &str, id: &str) {
    out.extend_from_slice(b"<o:Reference");
    if bsp {
        out.extend_from_slice(b" ValueType=\"");
        out.extend_from_slice(value_type.as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b" URI=\"#");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\"/>");
}

/// `<o:KeyIdentifier ValueType EncodingType>`; `EncodingType` only with BSP.
pub(super) fn key_identifier(out: &mut Vec<u8>, bsp: bool, value_type: &str, value: &[u8]) {
    out.extend_from_slice(b"<o:KeyIdentifier ValueType=\"");
    out.extend_from_slice(value_type.as_bytes());
    if bsp {
        out.extend_from_slice(b"\" EncodingType=\"");
        out.extend_from_slice(BASE64_BINARY.as_bytes());
    }
    out.extend_from_slice(b"\">");
    push_base64(out, value);
    out.extend_from_slice(b"</o:KeyIdentifier>");
}

/// A self-contained reference to the BinarySecurityToken `token_id` (an endorsing signature's key).
pub(super) fn token_reference(out: &mut Vec<u8>, bsp: bool, token_id: &str) {
    open_token_reference(out, true);
    out.push(b'>');
    local_reference(out, bsp, X509V3, token_id);
    out.extend_from_slice(b"</o:SecurityTokenReference>");
}

/// A reference to `certificate` by ThumbprintSHA1, inside the Security header.
pub(super) fn thumbprint_reference(out: &mut Vec<u8>, bsp: bool, certificate: &Certificate) {
    open_token_reference(out, false);
    out.push(b'>');
    key_identifier(out, bsp, THUMBPRINT_SHA1, &certificate.thumbprint_sha1());
    out.extend_from_slice(b"</o:SecurityTokenReference>");
}
