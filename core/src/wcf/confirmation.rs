//! WS-Security 1.1 `SignatureConfirmation`: the response repeats the signature values of the
//! request, so the client knows the service saw exactly what it signed.

use crate::encoding::{decode_base64, push_attribute_value, push_base64};
use crate::error::{Error, ErrorCode};
use crate::wss::token::WSSE11_NS;
use crate::xml::{Document, Element, WSU_NS};

/// The largest confirmed value: an RSA-16384 signature.
const MAX_VALUE: usize = 2048;

/// Writes a `k:SignatureConfirmation` as WCF does (with `u` in scope).
pub fn write(out: &mut Vec<u8>, id: &str, value: &[u8]) {
    out.extend_from_slice(b"<k:SignatureConfirmation u:Id=\"");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\" Value=\"");
    push_base64(out, value);
    out.extend_from_slice(b"\" xmlns:k=\"");
    out.extend_from_slice(WSSE11_NS.as_bytes());
    out.extend_from_slice(b"\"/>");
}

/// Reads the confirmed value of a `wsse11:SignatureConfirmation`: an empty element with a
/// base64 `Value`.
pub fn read(doc: &Document<'_>, element: Element<'_, '_>) -> Result<Vec<u8>, Error> {
    let malformed =
        |what: &str| Error::new(ErrorCode::SecurityHeaderMalformed, format!("SignatureConfirmation {what}"));
    if !element.is(WSSE11_NS, "SignatureConfirmation") {
        return Err(malformed("expected"));
    }
    if !doc.input()[element.content_span()].iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("must be empty"));
    }
    let known = |namespace: &str, local_name: &str| {
        (namespace.is_empty() && local_name == "Value") || (namespace == WSU_NS && local_name == "Id")
    };
    if element.attributes().any(|a| !known(a.namespace(), a.local_name())) {
        return Err(malformed("has an attribute other than Value and wsu:Id"));
    }
    let value = element.attribute("", "Value").ok_or_else(|| malformed("has no Value"))?;
    decode_base64(&value.value(), MAX_VALUE).filter(|v| !v.is_empty()).ok_or_else(|| malformed("Value is not base64"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Limits;

    fn parse_and_read(inner: &str) -> Result<Vec<u8>, Error> {
        let xml = format!("<r xmlns:wsu=\"{WSU_NS}\" xmlns:u=\"{WSU_NS}\" xmlns:wsse11=\"{WSSE11_NS}\">{inner}</r>");
        let doc = Document::parse(xml.as_bytes(), &Limits::default()).map_err(Error::from)?;
        read(&doc, doc.root().children().next().unwrap())
    }

    #[test]
    fn writes_what_it_reads() {
        let mut out = Vec::new();
        write(&mut out, "_1", &[1, 2, 3]);
        assert_eq!(parse_and_read(std::str::from_utf8(&out).unwrap()).unwrap(), vec![1, 2, 3]);
    }

    #[test]
    fn refuses_anything_else() {
        for inner in [
            "<wsse11:SignatureConfirmation/>",
            "<wsse11:SignatureConfirmation Value=\"!!\"/>",
            "<wsse11:SignatureConfirmation Value=\"AQID\">x</wsse11:SignatureConfirmation>",
            "<wsse11:SignatureConfirmation Value=\"AQID\"><x/></wsse11:SignatureConfirmation>",
            "<wsse11:SignatureConfirmation Value=\"AQID\" Other=\"1\"/>",
            "<wsu:SignatureConfirmation Value=\"AQID\"/>",
        ] {
            assert_eq!(parse_and_read(inner).unwrap_err().code(), ErrorCode::SecurityHeaderMalformed, "{inner}");
        }
    }
}
