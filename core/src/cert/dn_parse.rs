//! Reading the distinguished name strings peers write in `X509IssuerName`.
//!
//! Accepts RFC 4514 and RFC 2253 strings and the RFC 1779 / CryptoAPI variants real peers write:
//! spaces around `=`, `,`, `;` and `+`; `;` as an RDN separator; quoted values (with `\` escapes
//! and CryptoAPI's doubled `""`); `\` escapes of special characters and `\XX` hex bytes; `#`-hex
//! DER values. Anything else is refused (`None`), never a panic.

use der::Decode;
use der::asn1::{Any, ObjectIdentifier};

use super::attr_type;
use super::attr_value::AttrValue;
use super::hex::digit_value;

/// One attribute of a parsed name.
pub(crate) type Attribute = (ObjectIdentifier, AttrValue);

/// The RDNs of a name string, in the order written, each with its attributes in the order written.
pub(crate) fn parse(text: &str) -> Option<Vec<Vec<Attribute>>> {
    let mut cursor = Cursor { rest: text.as_bytes() };
    let mut rdns = Vec::new();
    let mut rdn = Vec::new();
    loop {
        rdn.push(attribute(&mut cursor)?);
        cursor.skip_spaces();
        match cursor.bump() {
            None => {
                rdns.push(rdn);
                return Some(rdns);
            }
            Some(b'+') => {}
            Some(b',' | b';') => rdns.push(std::mem::take(&mut rdn)),
            Some(_) => return None,
        }
    }
}

/// The bytes not read yet.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let (first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(*first)
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump();
        }
    }
}

fn attribute(cursor: &mut Cursor<'_>) -> Option<Attribute> {
    let end = cursor.rest.iter().position(|b| matches!(b, b'=' | b',' | b';' | b'+'))?;
    let (name, rest) = cursor.rest.split_at_checked(end)?;
    cursor.rest = rest;
    if cursor.bump()? != b'=' {
        return None;
    }
    let oid = attr_type::parse(std::str::from_utf8(name).ok()?.trim())?;
    cursor.skip_spaces();
    let value = match cursor.peek() {
        Some(b'#') => hex_value(cursor)?,
        Some(b'"') => quoted_value(cursor)?,
        _ => plain_value(cursor)?,
    };
    Some((oid, value))
}

/// `#` and the hex of a DER value.
fn hex_value(cursor: &mut Cursor<'_>) -> Option<AttrValue> {
    cursor.bump();
    let mut der = Vec::new();
    while let Some(high) = cursor.peek().and_then(digit_value) {
        cursor.bump();
        let low = cursor.bump().and_then(digit_value)?;
        der.push((high << 4) | low);
    }
    AttrValue::decode(&Any::from_der(&der).ok()?).ok()
}

/// A value between double quotes.
fn quoted_value(cursor: &mut Cursor<'_>) -> Option<AttrValue> {
    cursor.bump();
    let mut bytes = Vec::new();
    loop {
        match cursor.bump()? {
            b'"' if cursor.peek() == Some(b'"') => {
                cursor.bump();
                bytes.push(b'"');
            }
            b'"' => break,
            b'\\' => bytes.push(escaped(cursor)?),
            byte => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).ok().map(AttrValue::Text)
}

/// A value up to the next unescaped separator.
fn plain_value(cursor: &mut Cursor<'_>) -> Option<AttrValue> {
    let mut bytes = Vec::new();
    while let Some(byte) = cursor.peek() {
        match byte {
            b',' | b';' | b'+' => break,
            b'"' => return None,
            b'\\' => {
                cursor.bump();
                bytes.push(escaped(cursor)?);
            }
            byte => {
                cursor.bump();
                bytes.push(byte);
            }
        }
    }
    String::from_utf8(bytes).ok().map(AttrValue::Text)
}

/// The byte an escape after `\` stands for: a special character, or two hex digits.
fn escaped(cursor: &mut Cursor<'_>) -> Option<u8> {
    let first = cursor.bump()?;
    if let Some(high) = digit_value(first) {
        let low = cursor.bump().and_then(digit_value)?;
        return Some((high << 4) | low);
    }
    matches!(first, b' ' | b'"' | b'#' | b'+' | b',' | b';' | b'<' | b'=' | b'>' | b'\\').then_some(first)
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::cert::attr_value::AttrValue;

    fn values(text: &str) -> Option<Vec<Vec<String>>> {
        let text_of = |value: &AttrValue| match value {
            AttrValue::Text(text) => text.clone(),
            AttrValue::Der(der) => format!("{der:?}"),
        };
        parse(text).map(|rdns| rdns.iter().map(|rdn| rdn.iter().map(|(_, v)| text_of(v)).collect()).collect())
    }

    #[test]
    fn forms_peers_write() {
        let expected =
            |rdns: &[&[&str]]| Some(rdns.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect());
        assert_eq!(values("CN=a,O=b"), expected(&[&["a"], &["b"]]));
        assert_eq!(values(" CN = a ; O=b "), expected(&[&["a "], &["b "]]));
        assert_eq!(values(r"CN=a\,b\2Cc\\+OU=d"), expected(&[&[r"a,b,c\", "d"]]));
        assert_eq!(values(r#"O="Acme, ""Big"" \"Inc\"""#), expected(&[&[r#"Acme, "Big" "Inc""#]]));
        assert_eq!(values("CN=#0c0161"), expected(&[&["a"]]));
        assert_eq!(values(r"CN=\C3\A9"), expected(&[&["é"]]));
        assert_eq!(values("CN="), expected(&[&[""]]));
    }

    #[test]
    fn garbage_is_refused() {
        for text in [
            "",
            ",,,",
            "=",
            "CN",
            "CN=a,",
            "CN=\"a",
            "CN=\"a\"b",
            r"CN=a\",
            r"CN=\q",
            r"CN=\4",
            "CN=a\"b",
            "CN=#0c02",
            "CN=#0",
            "CN=\\FF",
            "X=1",
            "CN=a,,O=b",
            "+CN=a",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
