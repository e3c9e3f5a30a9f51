//! Base64 and XML escaping for the values WS-Security carries.

use std::borrow::Cow;

use base64_simd::STANDARD;

/// Decodes base64 text as XML carries it: whitespace (line breaks every 64 or 76 characters) is
/// ignored. `None` when the text is not base64 or would decode to more than `max_len` bytes.
pub(crate) fn decode_base64(text: &str, max_len: usize) -> Option<Vec<u8>> {
    // Most values are one line: decoded as they are, without first looking for whitespace (which
    // the decoder refuses, sending the text the slow way).
    if let Some(decoded) = fits(text.as_bytes(), max_len).then(|| STANDARD.decode_to_vec(text)).and_then(Result::ok) {
        return (decoded.len() <= max_len).then_some(decoded);
    }
    // The bound is on what the text decodes to: indentation does not count against it.
    let compact = without_whitespace(text.as_bytes());
    if !fits(&compact, max_len) {
        return None;
    }
    let decoded = STANDARD.decode_to_vec(compact).ok()?;
    (decoded.len() <= max_len).then_some(decoded)
}

/// Whether base64 of this length could decode to at most `max_len` bytes.
fn fits(compact: &[u8], max_len: usize) -> bool {
    compact.len() / 4 * 3 <= max_len.saturating_add(3)
}

/// [`decode_base64`] into `out` (a short value such as a digest, decoded without allocating):
/// the decoded bytes, `None` when the text is not base64 or would not fit. Whitespace does not
/// count against the room in `out` (a pretty-printed SHA-512 value fits).
pub(crate) fn decode_base64_into<'o>(text: &str, out: &'o mut [u8]) -> Option<&'o [u8]> {
    // As in `decode_base64`: the text as it is first, without its whitespace only if that fails.
    let decoded = decode_compact_into(text.as_bytes(), out)
        .or_else(|| decode_compact_into(&without_whitespace(text.as_bytes()), out))?;
    Some(&out[..decoded])
}

/// Decodes base64 without whitespace into the start of `out`: the decoded length.
fn decode_compact_into(compact: &[u8], out: &mut [u8]) -> Option<usize> {
    let len = STANDARD.decoded_length(compact).ok().filter(|&len| len <= out.len())?;
    STANDARD.decode(compact, base64_simd::Out::from_slice(&mut out[..len])).ok().map(|decoded| decoded.len())
}

/// The base64 text without its whitespace, borrowed when it has none.
fn without_whitespace(bytes: &[u8]) -> Cow<'_, [u8]> {
    // Vectorized searches: a megabyte-long CipherValue is usually one line.
    let has_whitespace =
        memchr::memchr3(b' ', b'\n', b'\r', bytes).is_some() || memchr::memchr2(b'\t', b'\x0C', bytes).is_some();
    if has_whitespace {
        Cow::Owned(bytes.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect())
    } else {
        Cow::Borrowed(bytes)
    }
}

/// Encodes bytes as base64 on one line.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode_to_string(bytes)
}

/// Appends base64 of `bytes` to `out`.
pub(crate) fn push_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    STANDARD.encode_append(bytes, out);
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

/// Hands `text`, escaped canonically, to `emit` in pieces: the runs that stand for themselves
/// whole, and the escapes.
pub(crate) fn for_each_escaped_piece(text: &str, attribute: bool, mut emit: impl FnMut(&[u8])) {
    let bytes = text.as_bytes();
    let mut run = 0;
    while let Some(offset) = bytes[run..].iter().position(|&b| canonical_escape(b, attribute).is_some()) {
        let at = run + offset;
        emit(&bytes[run..at]);
        emit(canonical_escape(bytes[at], attribute).unwrap_or_default());
        run = at + 1;
    }
    emit(&bytes[run..]);
}

fn push_escaped(out: &mut Vec<u8>, text: &str, attribute: bool) {
    for_each_escaped_piece(text, attribute, |piece| out.extend_from_slice(piece));
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
    fn indentation_does_not_count_against_the_decoded_size() {
        let value = encode_base64(&[7; 64]);
        let indented = format!("\n{pad}{}\n{pad}{}\n{pad}", &value[..44], &value[44..], pad = " ".repeat(100));
        assert_eq!(decode_base64(&indented, 64), Some(vec![7; 64]));
        assert_eq!(decode_base64(&indented, 63), None);
        assert_eq!(decode_base64(&encode_base64(&[7; 1000]), 64), None);
    }

    #[test]
    fn base64_into_a_buffer_refuses_what_does_not_fit() {
        let mut out = [0u8; 8];
        assert_eq!(decode_base64_into("aGVs\nbG8=\r\n", &mut out), Some(&b"hello"[..]));
        assert_eq!(decode_base64_into("aGVsbG8=", &mut out[..4]), None);
        assert_eq!(decode_base64_into("aGVsbG8=", &mut out[..5]), Some(&b"hello"[..]));
        assert_eq!(decode_base64_into(&"QUJD".repeat(1000), &mut out), None);
        assert_eq!(decode_base64_into("not base64!", &mut out), None);
        assert_eq!(decode_base64_into("", &mut out), Some(&b""[..]));
        let indented = format!("\n        {}\n      ", encode_base64(&[9; 8]));
        assert_eq!(decode_base64_into(&indented, &mut out), Some(&[9; 8][..]));
    }

    /// The `base64` crate's strict standard engine: padding required, no stray bits.
    fn reference_decode(text: &str) -> Option<Vec<u8>> {
        use base64::Engine;
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD.decode(compact).ok()
    }

    proptest::proptest! {
        /// The SIMD decoder accepts exactly what the reference accepts, and decodes it the same:
        /// on random text, and on real encodings with stray bits, no padding or a line break.
        #[test]
        fn base64_decoding_agrees_with_the_base64_crate(
            text in "[A-Za-z0-9+/=\\n\\r\\t\\x0C ]{0,64}",
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..48),
            tweak in 0..4usize,
            at in 0..64usize,
            letter in "[A-Za-z0-9+/]",
        ) {
            proptest::prop_assert_eq!(decode_base64(&text, 1024), reference_decode(&text));
            let mut out = [0u8; 24];
            let expected = reference_decode(&text).filter(|d| d.len() <= out.len());
            proptest::prop_assert_eq!(decode_base64_into(&text, &mut out).map(<[u8]>::to_vec), expected);
            let mut encoded = encode_base64(&bytes);
            let last = encoded.trim_end_matches('=').len();
            match tweak {
                1 if last > 0 => encoded.replace_range(last - 1..last, &letter),
                2 => encoded.truncate(last),
                3 => encoded.insert(at.min(encoded.len()), '\n'),
                _ => {}
            }
            proptest::prop_assert_eq!(decode_base64(&encoded, 1024), reference_decode(&encoded));
        }
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
