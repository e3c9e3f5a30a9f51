//! Lexical rules of XML 1.0 (characters, names, references, the attribute syntax of start tags)
//! and the scanners of the index: the up-front character check, start tags and text runs.

use std::borrow::Cow;

/// Finds the first character XML 1.0 forbids anywhere in a document: C0 controls other than tab,
/// line feed and carriage return, and the non-characters U+FFFE and U+FFFF. Returns its offset.
#[cfg(test)]
pub(crate) fn find_forbidden_char(input: &[u8]) -> Option<usize> {
    check_chars(input).err()
}

/// Checks that `input` has no character XML 1.0 forbids (see [`find_forbidden_char`]) and tells,
/// in the same pass, whether it is all ASCII (and so valid UTF-8 without further checking).
/// Returns the offset of the first forbidden character on failure.
pub(crate) fn check_chars(input: &[u8]) -> Result<bool, usize> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just been found to support AVX2.
        return unsafe { check_chars_avx2(input) };
    }
    check_chars_portable(input)
}

/// [`check_chars`] with AVX2: each byte's class looked up by its two nibbles (a byte is suspicious
/// when both lookups share a bit), 32 bytes at a time; what is left after the last group in blocks
/// too, the last one overlapping the one before.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn check_chars_avx2(input: &[u8]) -> Result<bool, usize> {
    use std::arch::x86_64::*;
    if input.len() < 32 {
        return check_chars_portable(input);
    }
    let low_nibbles = _mm256_broadcastsi128_si256(nibbles::low());
    let high_nibbles = _mm256_broadcastsi128_si256(nibbles::high());
    let mut high = _mm256_setzero_si256();
    // The classes of the 32 bytes at `at` (ORed into `high` for the ASCII check).
    let mut classes = |at: usize| {
        let block = &input[at..at + 32];
        // SAFETY: `block` has 32 readable bytes and the load is unaligned.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().cast()) };
        high = _mm256_or_si256(high, v);
        let low = _mm256_and_si256(v, _mm256_set1_epi8(0x0F));
        let high_nibble = _mm256_and_si256(_mm256_srli_epi16::<4>(v), _mm256_set1_epi8(0x0F));
        _mm256_and_si256(_mm256_shuffle_epi8(low_nibbles, low), _mm256_shuffle_epi8(high_nibbles, high_nibble))
    };
    let mut group_start = 0;
    while group_start < input.len() {
        let group_end = (group_start + GROUP).min(input.len());
        let mut suspicious = _mm256_setzero_si256();
        let mut at = group_start;
        while at + 32 <= group_end {
            suspicious = _mm256_or_si256(suspicious, classes(at));
            at += 32;
        }
        if at < group_end {
            suspicious = _mm256_or_si256(suspicious, classes(input.len() - 32));
        }
        if _mm256_testz_si256(suspicious, suspicious) == 0 {
            find_forbidden(input, group_start)?;
        }
        group_start = group_end;
    }
    Ok(_mm256_movemask_epi8(high) == 0)
}

/// The nibble tables of the vectorized character checks. Bit 0: a byte 0x00-0x0F other than tab,
/// line feed and carriage return; bit 1: a byte 0x10-0x1F; bit 2: 0xEF (the first byte of
/// U+FFFE and U+FFFF). A byte is suspicious when its low and high nibbles' entries share a bit.
#[cfg(target_arch = "x86_64")]
mod nibbles {
    use std::arch::x86_64::{__m128i, _mm_setr_epi8};

    /// By low nibble.
    #[inline(always)]
    pub(super) fn low() -> __m128i {
        // SAFETY: SSE2 is part of x86_64.
        unsafe { _mm_setr_epi8(3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 3, 3, 2, 3, 7) }
    }

    /// By high nibble.
    #[inline(always)]
    pub(super) fn high() -> __m128i {
        // SAFETY: SSE2 is part of x86_64.
        unsafe { _mm_setr_epi8(1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0) }
    }
}

/// Bytes per group: a group is checked branch-free (so the loop vectorizes), and searched byte
/// by byte only when it holds a suspicious byte.
const GROUP: usize = 256;

#[inline(always)]
fn check_chars_portable(input: &[u8]) -> Result<bool, usize> {
    let mut high = 0;
    for (n, group) in input.chunks(GROUP).enumerate() {
        let (suspicious, group_high) =
            group.iter().fold((false, 0u8), |(suspicious, high), &b| (suspicious | is_suspicious(b), high | b));
        high |= group_high;
        if suspicious {
            find_forbidden(input, n * GROUP)?;
        }
    }
    Ok(high < 0x80)
}

/// A byte that may start a character XML 1.0 forbids: a C0 control other than tab, line feed and
/// carriage return, or the first byte of U+FFFE and U+FFFF.
#[inline(always)]
fn is_suspicious(b: u8) -> bool {
    ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF)
}

/// Looks for a forbidden character in the group of `input` that starts at `base`.
#[cold]
fn find_forbidden(input: &[u8], base: usize) -> Result<(), usize> {
    for at in base..(base + GROUP).min(input.len()) {
        let b = input[at];
        if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
            return Err(at);
        }
        if b == 0xEF && input.get(at + 1) == Some(&0xBF) && matches!(input.get(at + 2), Some(0xBE | 0xBF)) {
            return Err(at);
        }
    }
    Ok(())
}

/// True for a character XML 1.0 allows in a document (used for character references).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Checks an XML `Name` (colons allowed).
#[inline]
pub(crate) fn is_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let ascii_ok = bytes.first().is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.'));
    ascii_ok || is_unicode_name(name)
}

#[cold]
fn is_unicode_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// Checks a qualified name and returns the length of its prefix (0 when unprefixed).
pub(crate) fn qname_prefix_len(name: &str) -> Option<usize> {
    if !is_name(name) {
        return None;
    }
    match name.find(':') {
        None => Some(0),
        Some(colon) => {
            let local = &name[colon + 1..];
            let well_formed =
                colon > 0 && !local.is_empty() && !local.contains(':') && !local.starts_with(is_digit_dash_dot);
            well_formed.then_some(colon)
        }
    }
}

fn is_digit_dash_dot(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '-' | '.') || is_combining(c)
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Resolves the body of a reference (`amp`, `#60`, `#x3C`) to its character.
pub(crate) fn resolve_reference(body: &str) -> Option<char> {
    if let Some(number) = body.strip_prefix('#') {
        let value = match number.strip_prefix('x') {
            Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                u32::from_str_radix(hex, 16).ok()?
            }
            None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => number.parse().ok()?,
            _ => return None,
        };
        return char::from_u32(value).filter(|&c| is_xml_char(c));
    }
    match body {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

/// The normalized value of an attribute written `raw`, `canonical` when the index found it so
/// (no whitespace character to normalize): only a reference can then change it, and a value
/// without `&` is borrowed as written.
pub(crate) fn attribute_value(raw: &str, canonical: bool) -> Cow<'_, str> {
    if canonical && memchr::memchr(b'&', raw.as_bytes()).is_none() { Cow::Borrowed(raw) } else { decode(raw, true) }
}

/// Expands references and normalizes line ends (CR LF and lone CR become LF) of checked raw text;
/// for attribute values, tab, line feed and carriage return then become spaces (references to
/// them stay as the characters they name). Borrows when nothing changes.
pub(crate) fn decode(raw: &str, attribute: bool) -> Cow<'_, str> {
    let needs_work = if attribute {
        raw.bytes().any(|b| matches!(b, b'&' | b'\r' | b'\t' | b'\n'))
    } else {
        memchr::memchr2(b'&', b'\r', raw.as_bytes()).is_some()
    };
    if !needs_work {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => {
                let end = rest.find(';').expect("references were checked while indexing");
                out.push(resolve_reference(&rest[1..end]).expect("references were checked while indexing"));
                rest = &rest[end + 1..];
                continue;
            }
            '\r' => {
                out.push(if attribute { ' ' } else { '\n' });
                if rest.as_bytes().get(1) == Some(&b'\n') {
                    rest = &rest[1..];
                }
            }
            '\t' | '\n' if attribute => out.push(' '),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// Normalizes line ends (CR LF and lone CR become LF) of CDATA content, which has no references.
pub(crate) fn normalize_line_ends(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Checks every reference in raw character data and tells whether any is one C14N rewrites in
/// `context`.
pub(crate) fn check_references(raw: &str, context: Context) -> Result<bool, (usize, &'static str)> {
    let mut found = false;
    let mut from = 0;
    while let Some(amp) = memchr::memchr(b'&', &raw.as_bytes()[from..]) {
        let start = from + amp;
        let end = raw[start..].find(';').map(|e| start + e).ok_or((start, "'&' does not start a reference"))?;
        resolve_reference(&raw[start + 1..end]).ok_or((start, "undefined entity or invalid character reference"))?;
        found |= !is_canonical_reference(&raw.as_bytes()[start..=end], context);
        from = end + 1;
    }
    Ok(found)
}

/// The end (offset of `;`) of the well-formed reference at `bytes[amp] == b'&'`, where the
/// reference must close before the first byte `stop` or any further `&`; `None` when it does not
/// or names nothing.
#[inline]
pub(crate) fn reference_end(bytes: &[u8], amp: usize, stop: u8) -> Option<usize> {
    let mut at = amp + 1;
    loop {
        match *bytes.get(at)? {
            b';' => break,
            b'&' => return None,
            b if b == stop => return None,
            _ => at += 1,
        }
    }
    let body = std::str::from_utf8(&bytes[amp + 1..at]).ok()?;
    resolve_reference(body).map(|_| at)
}

/// Where a reference stands, for [`is_canonical_reference`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    Text,
    Attribute,
}

/// True for a reference (`&...;`, whole) that C14N writes back exactly as it is: `&amp;` and
/// `&lt;` anywhere, `&gt;` in text, `&quot;` in attribute values. Any other reference is replaced
/// by its character or by another escape.
#[inline]
pub(crate) fn is_canonical_reference(reference: &[u8], context: Context) -> bool {
    match reference {
        b"&amp;" | b"&lt;" => true,
        b"&gt;" => context == Context::Text,
        b"&quot;" => context == Context::Attribute,
        _ => false,
    }
}

/// One attribute of a start tag.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawAttribute {
    pub name_start: usize,
    pub name_end: usize,
    /// Length of the prefix of a valid QName; `None` when the name is not a QName.
    pub prefix: Option<usize>,
    pub value_start: usize,
    pub value_end: usize,
    /// The value needs more than copying to become canonical: references, whitespace to
    /// normalize, or a double quote inside single quotes.
    pub value_needs_work: bool,
}

/// Splits the inside of a start tag (after the element name, up to but excluding `>` or `/>`)
/// into attributes, enforcing XML's syntax. Returns whether the layout is already canonical:
/// a single space before each attribute, `="..."` with no spaces, nothing trailing. Offsets are
/// relative to `tag`.
pub(crate) fn scan_attributes(
    tag: &str,
    mut at: usize,
    out: &mut Vec<RawAttribute>,
) -> Result<bool, (usize, &'static str)> {
    let bytes = tag.as_bytes();
    let mut canonical_layout = true;
    loop {
        let ws_start = at;
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        if at == bytes.len() {
            canonical_layout &= at == ws_start;
            return Ok(canonical_layout);
        }
        if at == ws_start {
            return Err((at, "attributes must be separated by whitespace"));
        }
        canonical_layout &= at - ws_start == 1 && bytes[ws_start] == b' ';
        let name_start = at;
        while at < bytes.len() && !is_space(bytes[at]) && bytes[at] != b'=' {
            at += 1;
        }
        let name_end = at;
        if name_start == name_end {
            return Err((at, "attribute name expected"));
        }
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            return Err((at, "'=' expected after attribute name"));
        }
        canonical_layout &= at == name_end;
        at += 1;
        let after_eq = at;
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        canonical_layout &= at == after_eq;
        let quote = match bytes.get(at) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err((at, "attribute value must be quoted")),
        };
        canonical_layout &= quote == b'"';
        let value_start = at + 1;
        let value_len = memchr::memchr(quote, &bytes[value_start..]).ok_or((at, "unterminated attribute value"))?;
        let value_end = value_start + value_len;
        let value = &tag[value_start..value_end];
        if let Some(lt) = memchr::memchr(b'<', value.as_bytes()) {
            return Err((value_start + lt, "'<' in attribute value"));
        }
        let has_reference = check_references(value, Context::Attribute).map_err(|(i, what)| (value_start + i, what))?;
        let value_needs_work =
            has_reference || value.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r') || (b == b'"' && quote == b'\''));
        let prefix = qname_prefix_len(&tag[name_start..name_end]);
        out.push(RawAttribute { name_start, name_end, prefix, value_start, value_end, value_needs_work });
        at = value_end + 1;
    }
}

/// The index of the `>` that closes a tag, the first one outside quoted values (the rule of the
/// quick-xml reader the index used before, which decides where a malformed tag ends).
pub(crate) fn tag_close(bytes: &[u8]) -> Option<usize> {
    let mut quote = None;
    for at in memchr::memchr3_iter(b'>', b'"', b'\'', bytes) {
        match (quote, bytes[at]) {
            (None, b'>') => return Some(at),
            (None, q) => quote = Some(q),
            (Some(q), b) if q == b => quote = None,
            _ => {}
        }
    }
    None
}

/// Reads the 8 bytes at `at`.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

/// Scans the character data at `from` up to the next `<` (or the end of the input); returns
/// where it ends and whether it holds any `&`, `>` or CR. Short runs, the common case in data
/// XML, take one pass 16 bytes at a time; long ones (base64) go to `memchr`.
#[inline]
pub(crate) fn scan_text(bytes: &[u8], from: usize) -> (usize, bool) {
    const SHORT: usize = 64;
    let mut at = from;
    let mut special = false;
    let short_end = bytes.len().min(from + SHORT);
    while let Some(block) = bytes.get(at..at + 16).filter(|_| at + 16 <= short_end) {
        let mut stops = simd::text_stops(block);
        while stops != 0 {
            let hit = at + stops.trailing_zeros() as usize;
            if bytes[hit] == b'<' {
                return (hit, special);
            }
            special = true;
            stops &= stops - 1;
        }
        at += 16;
    }
    while at < short_end {
        match bytes[at] {
            b'<' => return (at, special),
            b'&' | b'>' | b'\r' => special = true,
            _ => {}
        }
        at += 1;
    }
    let end = memchr::memchr(b'<', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    special |= memchr::memchr3(b'&', b'>', b'\r', &bytes[at..end]).is_some();
    (end, special)
}

/// Equality of two short byte strings (names), a word at a time and without a call.
#[inline]
pub(crate) fn short_bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if word_at(a, at) != word_at(b, at) {
                return false;
            }
            at += 8;
        }
        return word_at(a, n - 8) == word_at(b, n - 8);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Byte classes for the fast scanners.
const NAME: u8 = 1;
/// A letter or `_`: what may start a QName or its local part (in ASCII).
const NAME_START: u8 = 2;
const SPACE: u8 = 4;
/// Bytes an attribute value scan stops at: quotes, `<`, `&`, tab, line feed, carriage return.
const VALUE_STOP: u8 = 8;
/// A name character other than `:`.
const NAME_NOT_COLON: u8 = 16;

static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if c.is_ascii_alphabetic() || c == b'_' {
            class |= NAME | NAME_START;
        }
        if c.is_ascii_digit() || c == b'-' || c == b'.' || c == b':' {
            class |= NAME;
        }
        if class & NAME != 0 && c != b':' {
            class |= NAME_NOT_COLON;
        }
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            class |= SPACE;
        }
        if matches!(c, b'"' | b'\'' | b'<' | b'&' | b'\t' | b'\n' | b'\r') {
            class |= VALUE_STOP;
        }
        table[b] = class;
        b += 1;
    }
    table
};

/// Scans an ASCII QName at `from`; returns its end and prefix length. `None` when the name is
/// not an ASCII QName (then it may be a Unicode one, or invalid: the slow path decides).
#[inline]
fn scan_ascii_qname(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    if CLASS[usize::from(*bytes.get(from)?)] & NAME_START == 0 {
        return None;
    }
    let mut at = from + 1;
    let mut prefix = 0;
    loop {
        let b = *bytes.get(at)?;
        if CLASS[usize::from(b)] & NAME_NOT_COLON != 0 {
            at += 1;
            continue;
        }
        if b != b':' {
            return Some((at, prefix));
        }
        if prefix != 0 || CLASS[usize::from(*bytes.get(at + 1)?)] & NAME_START == 0 {
            return None;
        }
        prefix = at - from;
        at += 1;
    }
}

/// The longest element name the index takes.
pub(crate) const MAX_NAME_LEN: usize = u16::MAX as usize;

/// What the fast scan of a start tag found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TagScan {
    pub name_end: usize,
    /// Length of the element's prefix.
    pub prefix: usize,
    /// Offset just after `>`.
    pub tag_end: usize,
    pub empty: bool,
    /// A single space before each attribute, `="..."` with no spaces, nothing trailing.
    pub canonical_layout: bool,
}

/// Scans the start tag at `bytes[lt] == b'<'` in one pass: the element name, each attribute (into
/// `out`, absolute offsets) with its value checked, and the closing `>` or `/>`. Covers ASCII
/// element names up to [`MAX_NAME_LEN`] and well-formed tags only: `None` sends everything else,
/// including every error, to the slow path, which gives the same result where both apply.
#[inline]
pub(crate) fn scan_start_tag(bytes: &[u8], lt: usize, out: &mut Vec<RawAttribute>) -> Option<TagScan> {
    let (name_end, prefix) = scan_ascii_qname(bytes, lt + 1)?;
    if name_end - (lt + 1) > MAX_NAME_LEN {
        return None;
    }
    let mut at = name_end;
    let mut canonical_layout = true;
    loop {
        match *bytes.get(at)? {
            b'>' => {
                return Some(TagScan { name_end, prefix, tag_end: at + 1, empty: false, canonical_layout });
            }
            b'/' if bytes.get(at + 1) == Some(&b'>') => {
                return Some(TagScan { name_end, prefix, tag_end: at + 2, empty: true, canonical_layout });
            }
            b if CLASS[usize::from(b)] & SPACE != 0 => {}
            _ => return None,
        }
        let ws_start = at;
        at += 1;
        while CLASS[usize::from(*bytes.get(at)?)] & SPACE != 0 {
            at += 1;
        }
        canonical_layout &= at == ws_start + 1 && bytes[ws_start] == b' ';
        if matches!(bytes[at], b'>' | b'/') {
            canonical_layout = false;
            continue;
        }
        let name_start = at;
        let (attr_name_end, attr_prefix) = scan_ascii_qname(bytes, name_start)?;
        at = attr_name_end;
        if bytes[at] != b'=' {
            canonical_layout = false;
            while CLASS[usize::from(*bytes.get(at)?)] & SPACE != 0 {
                at += 1;
            }
            if bytes[at] != b'=' {
                return None;
            }
        }
        at += 1;
        let mut quote = *bytes.get(at)?;
        if CLASS[usize::from(quote)] & SPACE != 0 {
            canonical_layout = false;
            while CLASS[usize::from(*bytes.get(at)?)] & SPACE != 0 {
                at += 1;
            }
            quote = bytes[at];
        }
        if quote != b'"' {
            if quote != b'\'' {
                return None;
            }
            canonical_layout = false;
        }
        let value_start = at + 1;
        let (value_end, value_needs_work) = scan_value(bytes, value_start, quote)?;
        out.push(RawAttribute {
            name_start,
            name_end: attr_name_end,
            prefix: Some(attr_prefix),
            value_start,
            value_end,
            value_needs_work,
        });
        at = value_end + 1;
    }
}

/// Scans an attribute value up to its closing `quote`, checking references; returns the value's
/// end and whether it needs rewriting to be canonical. `None` on `<`, a bad reference or no end.
#[inline]
fn scan_value(bytes: &[u8], start: usize, quote: u8) -> Option<(usize, bool)> {
    let mut at = start;
    let mut needs_work = false;
    loop {
        at = skip_plain_value_bytes(bytes, at);
        let b = *bytes.get(at)?;
        if CLASS[usize::from(b)] & VALUE_STOP == 0 {
            at += 1;
            continue;
        }
        match b {
            _ if b == quote => return Some((at, needs_work)),
            b'<' => return None,
            b'&' => {
                let end = reference_end(bytes, at, quote)?;
                needs_work |= !is_canonical_reference(&bytes[at..=end], Context::Attribute);
                at = end;
            }
            b'\'' => {}
            _ => needs_work = true,
        }
        at += 1;
    }
}

/// Skips the bytes from `at` that cannot stop an attribute value scan ([`VALUE_STOP`]), 16 at a
/// time while 16 remain; the scan goes on byte by byte from the returned offset.
#[inline]
fn skip_plain_value_bytes(bytes: &[u8], mut at: usize) -> usize {
    while let Some(block) = bytes.get(at..at + 16) {
        match simd::value_stops(block) {
            0 => at += 16,
            mask => return at + mask.trailing_zeros() as usize,
        }
    }
    at
}

/// 16-byte masks of the bytes the scanners stop at: bit `i` is set when `block[i]` is one.
/// Both rely on the character check having refused every C0 control but tab, line feed and
/// carriage return.
mod simd {
    #[cfg(target_arch = "x86_64")]
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_sub_epi8,
    };

    /// Quotes, `<`, `&`, tab, line feed and carriage return (`VALUE_STOP`).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(super) fn value_stops(block: &[u8]) -> u32 {
        assert!(block.len() >= 16);
        // SAFETY: `block` has 16 readable bytes and the load is unaligned; SSE2, the only
        // feature these intrinsics need, is part of x86_64.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            // Tab, line feed and carriage return are the only bytes left below 0x0E.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x0D)), v);
            // `&` (0x26) and `'` (0x27) differ in the lowest bit only.
            let amp_or_apos = _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(1)), _mm_set1_epi8(0x27));
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let lt = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'<' as i8));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(control, amp_or_apos), _mm_or_si128(quote, lt))) as u32
        }
    }

    /// `<`, `&`, `>` and carriage return: where character data ends or needs work.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(super) fn text_stops(block: &[u8]) -> u32 {
        assert!(block.len() >= 16);
        // SAFETY: as in `value_stops`.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            // `<` (0x3C) and `>` (0x3E) differ in one bit only.
            let angle = _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(2)), _mm_set1_epi8(0x3E));
            let amp = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'&' as i8));
            let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
            _mm_movemask_epi8(_mm_or_si128(angle, _mm_or_si128(amp, cr))) as u32
        }
    }

    /// Bytes an absolute URI cannot hold after its scheme (outside printable ASCII, or one of the
    /// nine RFC 3986 excludes), and `%` and `#` (which need a closer look): two masks.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(super) fn uri_stops(block: &[u8]) -> (u32, u32) {
        assert!(block.len() >= 16);
        // SAFETY: as in `value_stops`.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let eq = |x: __m128i, byte: u8| _mm_cmpeq_epi8(x, _mm_set1_epi8(byte as i8));
            // Printable: 0x21..=0x7E, that is `v - 0x21` at most 0x5D (unsigned).
            let shifted = _mm_sub_epi8(v, _mm_set1_epi8(0x21));
            let printable = _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(0x5D)), shifted);
            // `<` `>`, `\` `^` and `|` `}` differ in one bit within each pair.
            let (v1, v2) = (_mm_or_si128(v, _mm_set1_epi8(1)), _mm_or_si128(v, _mm_set1_epi8(2)));
            let pairs = _mm_or_si128(_mm_or_si128(eq(v2, b'>'), eq(v2, b'^')), eq(v1, b'}'));
            let singles = _mm_or_si128(_mm_or_si128(eq(v, b'"'), eq(v, b'`')), eq(v, b'{'));
            let excluded = _mm_movemask_epi8(_mm_or_si128(pairs, singles)) as u32;
            let outside = !(_mm_movemask_epi8(printable) as u32) & 0xFFFF;
            let special = _mm_movemask_epi8(_mm_or_si128(eq(v, b'%'), eq(v, b'#'))) as u32;
            (excluded | outside, special)
        }
    }

    /// The portable form of `value_stops`.
    #[cfg(not(target_arch = "x86_64"))]
    pub(super) fn value_stops(block: &[u8]) -> u32 {
        mask(block, |b| super::CLASS[usize::from(b)] & super::VALUE_STOP != 0)
    }

    /// The portable form of `text_stops`.
    #[cfg(not(target_arch = "x86_64"))]
    pub(super) fn text_stops(block: &[u8]) -> u32 {
        mask(block, |b| matches!(b, b'<' | b'&' | b'>' | b'\r'))
    }

    /// The portable form of `uri_stops`.
    #[cfg(not(target_arch = "x86_64"))]
    pub(super) fn uri_stops(block: &[u8]) -> (u32, u32) {
        let class = |b: u8| super::URI_CLASS[usize::from(b)];
        let special = |b: u8| matches!(class(b), super::URI_PERCENT | super::URI_HASH);
        (mask(block, |b| class(b) == 0), mask(block, special))
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn mask(block: &[u8], stop: impl Fn(u8) -> bool) -> u32 {
        block[..16].iter().enumerate().fold(0, |mask, (i, &b)| mask | (u32::from(stop(b)) << i))
    }
}

/// Equality of two names without a call into `memcmp` for short ones: its masked loads cost
/// more than the comparison of a few bytes (and near a page end far more), so names, prefixes and
/// the empty namespace compare in a loop; long strings (namespace names) still use `memcmp`.
#[inline]
pub(crate) fn short_eq(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 32 {
        return a == b;
    }
    a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Byte-wise (so code point) order of two short names, without a call into `memcmp`.
#[inline]
pub(crate) fn short_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    for (x, y) in a.bytes().zip(b.bytes()) {
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// XML's whitespace characters.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// True when a namespace name is an absolute URI reference (RFC 3986 syntax, ASCII only): C14N
/// 1.0 is undefined for relative namespace URIs and implementations refuse them.
pub(crate) fn is_absolute_uri(uri: &str) -> bool {
    // Schemes are short: a plain loop finds the colon sooner than a vectorized search starts.
    let Some(colon) = uri.bytes().position(|b| b == b':') else { return false };
    let scheme = &uri.as_bytes()[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return false;
    }
    let rest = &uri.as_bytes()[colon + 1..];
    // The common case, no escape and at most one fragment, decided 16 bytes at a time (the last
    // block overlapping the one before, or padded when there is no full block).
    let (mut excluded, mut special) = (0, 0);
    let mut blocks = rest.chunks_exact(16);
    for block in &mut blocks {
        let (block_excluded, block_special) = simd::uri_stops(block);
        (excluded, special) = (excluded | block_excluded, special | block_special);
    }
    if !blocks.remainder().is_empty() {
        let mut padded = [b'a'; 16];
        let last = match rest.len().checked_sub(16) {
            Some(start) => &rest[start..],
            None => {
                padded[..rest.len()].copy_from_slice(rest);
                &padded[..]
            }
        };
        let (block_excluded, block_special) = simd::uri_stops(last);
        (excluded, special) = (excluded | block_excluded, special | block_special);
    }
    if excluded != 0 {
        return false;
    }
    if special == 0 {
        return true;
    }
    if memchr::memchr(b'%', rest).is_none() {
        // At most one `#`: the first is the last (a fragment is usually the name's last byte).
        return memchr::memchr(b'#', rest) == memchr::memrchr(b'#', rest);
    }
    let mut fragments = 0;
    let mut i = 0;
    while i < rest.len() {
        match URI_CLASS[usize::from(rest[i])] {
            URI_PLAIN => {}
            URI_PERCENT => {
                if !(rest.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && rest.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
                {
                    return false;
                }
                i += 2;
            }
            URI_HASH => fragments += 1,
            _ => return false,
        }
        i += 1;
    }
    fragments <= 1
}

/// Classes of bytes after the scheme of an absolute URI: the unreserved and reserved characters
/// of RFC 3986, `%` (which must start an escape) and `#` (at most one fragment).
const URI_PLAIN: u8 = 1;
const URI_PERCENT: u8 = 2;
const URI_HASH: u8 = 3;
static URI_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'%' => URI_PERCENT,
            b'#' => URI_HASH,
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
            | b':' | b'@' | b'/' | b'?' | b'[' | b']' => URI_PLAIN,
            c if c.is_ascii_alphanumeric() => URI_PLAIN,
            _ => 0,
        };
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_character_check_notes_ascii() {
        assert_eq!(check_chars(b"<a><b/>text</a>"), Ok(true));
        let mut long = b"<a>".repeat(100);
        long.extend_from_slice("caf\u{e9}".as_bytes());
        assert_eq!(check_chars(&long), Ok(false));
        assert_eq!(check_chars(&long[..300]), Ok(true));
    }

    #[test]
    fn forbidden_characters_are_found_at_their_offset() {
        assert_eq!(find_forbidden_char(b"<a>ok\t\r\n</a>"), None);
        assert_eq!(find_forbidden_char(b"<a>\x01</a>"), Some(3));
        let mut long = vec![b'x'; 200];
        long.extend_from_slice("\u{FFFE}".as_bytes());
        assert_eq!(find_forbidden_char(&long), Some(200));
        assert_eq!(find_forbidden_char("\u{FFFD}\u{F000}".as_bytes()), None);
    }

    #[test]
    fn every_form_of_the_character_check_agrees() {
        type Check = fn(&[u8]) -> Result<bool, usize>;
        let mut forms: Vec<(&str, Check)> = vec![("portable", check_chars_portable)];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2.
                forms.push(("avx2", |input| unsafe { check_chars_avx2(input) }));
            }
        }
        let naive = |input: &[u8]| -> Result<bool, usize> {
            for (at, &b) in input.iter().enumerate() {
                let tail = &input[at..];
                if (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
                    || tail.starts_with(b"\xEF\xBF\xBE")
                    || tail.starts_with(b"\xEF\xBF\xBF")
                {
                    return Err(at);
                }
            }
            Ok(input.is_ascii())
        };
        // Every byte value (and U+FFFE/U+FFFF, U+FFFD, U+F7FF) at places inside and across
        // blocks and groups, in inputs with and without a remainder after the last group.
        let pieces: Vec<Vec<u8>> = (0..=0xFFu8)
            .map(|b| vec![b])
            .chain(["\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "\u{F7FF}"].map(|c| c.as_bytes().to_vec()))
            .collect();
        for len in [0, 1, 31, 32, 63, 64, 255, 256, 257, 300, 512, 700] {
            for at in [0, 1, 30, 31, 62, 63, 127, 254, 255, 256, 511, 600].into_iter().filter(|&at| at < len) {
                for piece in &pieces {
                    let mut input = vec![b'x'; len];
                    input.splice(at..(at + piece.len()).min(len), piece.iter().copied());
                    let expected = naive(&input);
                    for (name, form) in &forms {
                        assert_eq!(form(&input), expected, "{name}: {piece:x?} at {at} of {len}");
                    }
                }
            }
        }
    }

    #[test]
    fn text_runs_end_at_the_first_lt_and_report_what_needs_work() {
        let naive = |bytes: &[u8], from: usize| {
            let end = bytes[from..].iter().position(|&b| b == b'<').map_or(bytes.len(), |i| from + i);
            (end, bytes[from..end].iter().any(|b| matches!(b, b'&' | b'>' | b'\r')))
        };
        for len in 0..150usize {
            for (mark, at) in [(b'<', len / 3), (b'&', len / 2), (b'>', len.saturating_sub(1)), (b'\r', 7), (b'<', 70)]
            {
                let mut text = vec![b'x'; len];
                if at < len {
                    text[at] = mark;
                }
                for from in [0, len.min(1), len.min(9)] {
                    assert_eq!(scan_text(&text, from), naive(&text, from), "{len} {} {at} {from}", mark as char);
                }
            }
        }
    }

    #[test]
    fn value_scans_skip_only_bytes_that_cannot_stop_them() {
        let stops = |b: u8| CLASS[usize::from(b)] & VALUE_STOP != 0;
        for len in 0..60usize {
            for mark in (0x09u8..0x80).filter(|&b| !(0x0E..0x20).contains(&b) && b != 0x0B && b != 0x0C) {
                for at in [0, len / 3, len / 2, len.saturating_sub(1), 17] {
                    let mut value = vec![b'x'; len];
                    if at < len {
                        value[at] = mark;
                    }
                    for from in [0, len.min(1), len.min(5)] {
                        let skipped = skip_plain_value_bytes(&value, from);
                        assert!(value[from..skipped].iter().all(|&b| !stops(b)), "{len} {mark} {at} {from}");
                        let at_stop = skipped < len && stops(value[skipped]);
                        assert!(at_stop || skipped + 16 > len, "{len} {mark} {at} {from}: stopped at {skipped}");
                    }
                }
            }
        }
    }

    #[test]
    fn short_byte_strings_compare_by_words() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(short_bytes_eq(&a, &a.clone()));
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 1;
                assert!(!short_bytes_eq(&a, &b), "{n} {i}");
            }
            assert!(!short_bytes_eq(&a, &a[..n.saturating_sub(1)]) || n == 0);
        }
    }

    #[test]
    fn qualified_names() {
        assert_eq!(qname_prefix_len("a"), Some(0));
        assert_eq!(qname_prefix_len("wsu:Id"), Some(3));
        assert_eq!(qname_prefix_len("é:中"), Some(2));
        for bad in [":a", "a:", "a:b:c", "1a", "a:1", "", "a b", "a:-b"] {
            assert_eq!(qname_prefix_len(bad), None, "{bad}");
        }
    }

    #[test]
    fn references() {
        assert_eq!(resolve_reference("#x3C"), Some('<'));
        assert_eq!(resolve_reference("#13"), Some('\r'));
        assert_eq!(resolve_reference("quot"), Some('"'));
        for bad in ["#0", "#x", "#xD800", "#x110000", "nbsp", "", "#-1", "#x+1"] {
            assert_eq!(resolve_reference(bad), None, "{bad}");
        }
        assert_eq!(check_references("a &amp; b", Context::Attribute), Ok(false));
        assert_eq!(check_references("a &gt; b", Context::Attribute), Ok(true));
        assert_eq!(check_references("a &#x41; b", Context::Text), Ok(true));
        assert!(check_references("a & b", Context::Text).is_err());
    }

    #[test]
    fn decoding_text_and_attribute_values() {
        assert_eq!(decode("a\r\nb\rc&#xD;", false), "a\nb\nc\r");
        assert_eq!(decode("a\r\nb\tc&#x9;", true), "a b c\t");
        assert!(matches!(decode("plain", true), Cow::Borrowed(_)));
    }

    #[test]
    fn attribute_layout_and_syntax() {
        let mut out = Vec::new();
        assert_eq!(scan_attributes("a x=\"1\" y=\"2\"", 1, &mut out), Ok(true));
        assert_eq!(out.len(), 2);
        out.clear();
        assert_eq!(scan_attributes("a  x = '1'", 1, &mut out), Ok(false));
        out.clear();
        assert!(scan_attributes("a x='1'y='2'", 1, &mut out).is_err());
        assert!(scan_attributes("a x=1", 1, &mut out).is_err());
        assert!(scan_attributes("a x='<'", 1, &mut out).is_err());
        assert!(scan_attributes("a x='&bogus;'", 1, &mut out).is_err());
        out.clear();
        scan_attributes("a x='\"'", 1, &mut out).unwrap();
        assert!(out[0].value_needs_work);
    }

    #[test]
    fn the_quick_uri_check_agrees_with_the_byte_classes() {
        // Every byte at every place of names short and long: in a padded block, a full one, the
        // overlapping last one.
        for len in [1, 2, 15, 16, 17, 31, 32, 33, 40] {
            for at in 0..len {
                for b in 0..=0xFFu8 {
                    let mut rest = vec![b'z'; len];
                    rest[at] = b;
                    let expected = matches!(URI_CLASS[usize::from(b)], URI_PLAIN | URI_HASH);
                    let uri = [&b"x:"[..], &rest].concat();
                    let Ok(uri) = std::str::from_utf8(&uri) else { continue };
                    assert_eq!(is_absolute_uri(uri), expected, "{uri:?}");
                }
            }
        }
        let long = "http://www.w3.org/2001/04/xmlenc";
        assert!(is_absolute_uri(&format!("{long}#")));
        assert!(is_absolute_uri(&format!("urn:#{long}")));
        assert!(!is_absolute_uri(&format!("urn:#{long}#")));
        assert!(!is_absolute_uri(&format!("{long}#{long}#")));
        assert!(is_absolute_uri(&format!("{long}%20{long}#a")));
        assert!(!is_absolute_uri(&format!("{long}%2{long}")));
    }

    #[test]
    fn absolute_uris() {
        for good in ["http://example.com/ns", "urn:x:y", "urn:a#frag", "http://a/%20b"] {
            assert!(is_absolute_uri(good), "{good}");
        }
        for bad in ["", "ns", "/abs/path", "1http://x", "http://a b", "http://a#b#c", "http://é", "urn:%zz"] {
            assert!(!is_absolute_uri(bad), "{bad}");
        }
    }
}
