//! WCF's `<Signature xmlns="…xmldsig#">`: the dsig namespace is the default one
//! (`WSSecurityOneDotZeroSendSecurityHeader`). The SignedInfo is built in its exclusive canonical
//! form (`dsig::writer::SignedInfoBuilder::unprefixed`), signed as such, and placed without the
//! declaration it inherits from the Signature.

use crate::dsig::DSIG_NS;
#[cfg(doc)]
use crate::dsig::writer::SignedInfoBuilder;
use crate::encoding::{push_attribute_value, push_base64};

/// The start of the canonical SignedInfo, up to its namespace declaration.
const SIGNED_INFO: &[u8] = b"<SignedInfo";

/// Writes `<Signature Id xmlns="…">` with the canonical `signed_info` of an unprefixed
/// [`SignedInfoBuilder`]
/// (its declaration left to the Signature), the value and the inside of `KeyInfo`.
pub(super) fn write(out: &mut Vec<u8>, id: Option<&str>, signed_info: &[u8], value: &[u8], key_info: &[u8]) {
    out.extend_from_slice(b"<Signature");
    if let Some(id) = id {
        out.extend_from_slice(b" Id=\"");
        push_attribute_value(out, id);
        out.push(b'"');
    }
    out.extend_from_slice(b" xmlns=\"");
    out.extend_from_slice(DSIG_NS.as_bytes());
    out.extend_from_slice(b"\">");
    let declaration = SIGNED_INFO.len() + " xmlns=\"\"".len() + DSIG_NS.len();
    out.extend_from_slice(SIGNED_INFO);
    out.extend_from_slice(&signed_info[declaration..]);
    out.extend_from_slice(b"<SignatureValue>");
    push_base64(out, value);
    out.extend_from_slice(b"</SignatureValue><KeyInfo>");
    out.extend_from_slice(key_info);
    out.extend_from_slice(b"</KeyInfo></Signature>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::c14n::{self, C14nOptions, Subset};
    use crate::crypto::{DigestAlgorithm, SignatureAlgorithm};
    use crate::dsig::writer::SignedInfoBuilder;
    use crate::xml::{Document, Limits};

    #[test]
    fn the_placed_signed_info_canonicalizes_to_the_signed_bytes() {
        let target = br#"<r xmlns:u="urn:u"><a u:Id="x">1</a></r>"#;
        let doc = Document::parse(target, &Limits::default()).unwrap();
        let mut builder = SignedInfoBuilder::unprefixed(SignatureAlgorithm::HmacSha1, DigestAlgorithm::Sha1);
        builder.reference(&doc, doc.root().children().next().unwrap().id(), "x").unwrap();
        let signed_info = builder.finish();
        let mut signature = Vec::new();
        write(&mut signature, Some("_1"), &signed_info, &[1, 2], b"<k/>");
        let text = std::str::from_utf8(&signature).unwrap();
        assert!(text.starts_with(&format!("<Signature Id=\"_1\" xmlns=\"{DSIG_NS}\"><SignedInfo><Canon")), "{text}");

        let placed = Document::parse(&signature, &Limits::default()).unwrap();
        let element = placed.root().children().next().unwrap();
        assert!(element.is(DSIG_NS, "SignedInfo"));
        let canonical =
            c14n::canonicalize_to_vec(&placed, Subset::Element(element.id()), &C14nOptions::default()).unwrap();
        assert_eq!(canonical, signed_info);
    }
}
