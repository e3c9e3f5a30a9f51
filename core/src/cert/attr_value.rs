//! Attribute values of distinguished names: the text they carry, or their DER when they carry none.

use der::asn1::Any;
use der::{Encode, Tag, Tagged};

/// An attribute value, decoded.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AttrValue {
    /// A character string (any of the DirectoryString, IA5 and similar string types).
    Text(String),
    /// Any other value (or a string that does not decode): its whole DER encoding.
    Der(Vec<u8>),
}

impl AttrValue {
    /// Decodes a value as found in a certificate or in a `#`-hex value of a name string.
    pub(crate) fn decode(value: &Any) -> Result<Self, der::Error> {
        match text(value) {
            Some(text) => Ok(Self::Text(text)),
            None => Ok(Self::Der(value.to_der()?)),
        }
    }

    /// The form compared by RFC 5280's caseIgnoreMatch: leading and trailing white space dropped,
    /// inner runs of white space made one space, letters lower case. DER values are compared as is.
    pub(crate) fn folded(self) -> Self {
        match self {
            Self::Text(text) => {
                let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
                Self::Text(words.join(" "))
            }
            der => der,
        }
    }
}

/// The characters of a string-typed value; `None` for other types and for undecodable bytes.
fn text(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::VisibleString | Tag::NumericString => {
            String::from_utf8(bytes.to_vec()).ok()
        }
        // T.61 in practice holds Latin-1 (OpenSSL and CryptoAPI read it that way).
        Tag::TeletexString => Some(bytes.iter().copied().map(char::from).collect()),
        Tag::BmpString => utf16_be(bytes),
        _ => None,
    }
}

fn utf16_be(bytes: &[u8]) -> Option<String> {
    let chunks = bytes.chunks_exact(2);
    if !chunks.remainder().is_empty() {
        return None;
    }
    let units = chunks.map(|pair| pair.try_into().map(u16::from_be_bytes));
    char::decode_utf16(units.collect::<Result<Vec<u16>, _>>().ok()?).collect::<Result<String, _>>().ok()
}

#[cfg(test)]
mod tests {
    use super::AttrValue;
    use der::Tag;
    use der::asn1::Any;

    fn decoded(tag: Tag, bytes: &[u8]) -> Option<AttrValue> {
        AttrValue::decode(&Any::new(tag, bytes).ok()?).ok()
    }

    #[test]
    fn string_types() {
        let text = |s: &str| Some(AttrValue::Text(s.to_owned()));
        assert_eq!(decoded(Tag::PrintableString, b"Probe"), text("Probe"));
        assert_eq!(decoded(Tag::Utf8String, "Zoë".as_bytes()), text("Zoë"));
        assert_eq!(decoded(Tag::TeletexString, b"Zo\xeb"), text("Zoë"));
        assert_eq!(decoded(Tag::BmpString, b"\x00Z\x00o\x00\xeb"), text("Zoë"));
        assert_eq!(decoded(Tag::BmpString, b"\x00Z\x00"), Some(AttrValue::Der(vec![0x1e, 3, 0, b'Z', 0])));
        assert_eq!(decoded(Tag::OctetString, b"\x01"), Some(AttrValue::Der(vec![0x04, 1, 1])));
    }

    #[test]
    fn folding() {
        let folded = AttrValue::Text("  Wss\t  SERVER ".to_owned()).folded();
        assert_eq!(folded, AttrValue::Text("wss server".to_owned()));
    }
}
