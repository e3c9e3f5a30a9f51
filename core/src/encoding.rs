//! Base64 and XML escaping for the values WS-Security carries.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Decodes base64 text as XML carries it: whitespace (line breaks every 64 or 76 characters) is
/// ignored. `None` when the text is not base64 or would decode to more than `max_len` bytes.
pub(crate) fn decode_base64(text: &str, max_len: usize) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if bytes.len() / 4 * 3 > max_len.saturating_add(3) {
        return None;
    }
    let decoded = if bytes.iter().any(u8::is_ascii_whitespace) {
        let compact: Vec<u8> = bytes.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        STANDARD.decode(compact).ok()?
    } else {
        STANDARD.decode(bytes).ok()?
    };
    (decoded.len() <= max_len).then_some(decoded)
}

/// Encodes bytes as base64 on one line.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Appends base64 of `bytes` to `out`.
pub(crate) fn push_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    out.resize(start + base64::encoded_len(bytes.len(), true).unwrap_or(0), 0);
    let written = STANDARD.encode_slice(bytes, &mut out[start..]).unwrap_or(0);
    out.truncate(start + written);
}

/// The canonical (C14N) escape of a byte in an attribute value (`attribute`) or in character
/// data; `None` when the byte stands for itself. The one table both the canonicalizer and the
/// writers of outgoing XML use.
pub(crate) fn canonical_escape(byte: u8, attribute: bool) -> Option<&'static [u8]> {
    match (byte, attribute) {
        (b'&', _) => Some(b"&amp;"),
        (b'<', _) => Some(b"&lt;"),
        (b'\r', _) => Some(b"&#xD;"),
        (b'>', false) => Some(b"&gt;"),
        (b'"', true) => Some(b"&quot;"),
        (b'\t', true) => Some(b"&#x9;"),
        (b'\n', true) => Some(b"&#xA;"),
        _ => None,
    }
}

fn push_escaped(out: &mut Vec<u8>, text: &str, attribute: bool) {
    for &b in text.as_bytes() {
        match canonical_escape(b, attribute) {
            Some(escaped) => out.extend_from_slice(escaped),
            None => out.push(b),
        }
    }
}

/// Appends `value` escaped for a double-quoted attribute (its canonical form).
pub(crate) fn push_attribute_value(out: &mut Vec<u8>, value: &str) {
    push_escaped(out, value, true);
}

/// Appends `text` escaped for character data (its canonical form).
pub(crate) fn push_text(out: &mut Vec<u8>, text: &str) {
    push_escaped(out, text, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_ignores_line_breaks_and_bounds_the_size() {
        assert_eq!(decode_base64("aGVs\nbG8=\r\n", 16).as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbG8=", 4), None);
        assert_eq!(decode_base64("not base64!", 64), None);
        assert_eq!(decode_base64("", 0).as_deref(), Some(&b""[..]));
    }

    #[test]
    fn escaping_matches_canonical_xml() {
        let mut out = Vec::new();
        push_attribute_value(&mut out, "a&<\">\t\n\r");
        assert_eq!(out, b"a&amp;&lt;&quot;>&#x9;&#xA;&#xD;");
        out.clear();
        push_text(&mut out, "a&<>\"\r");
        assert_eq!(out, b"a&amp;&lt;&gt;\"&#xD;");
        out.clear();
        push_base64(&mut out, b"hello");
        assert_eq!(out, b"aGVsbG8=");
    }
}
