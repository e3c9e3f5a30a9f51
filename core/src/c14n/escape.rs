//! The character rewriting of C14N 1.0 (section 2.3 and 5.2 of the specification): references
//! expanded, line ends normalized, and the few characters that must be escaped, escaped.
//! Unchanged runs are handed to [`Output::copy`] so they stay bulk copies of the input.

use super::Sink;
use super::output::Output;
use crate::encoding::{canonical_escape, for_each_escaped_piece};
use crate::xml::scan;

/// Where a piece of raw input sits, which decides its rewriting rules.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    /// Character data, references allowed.
    Text,
    /// The inside of a CDATA section: no references, everything literal.
    CData,
    /// An attribute value, references allowed, whitespace normalized.
    Attribute,
    /// A comment or processing instruction: only line ends change.
    Markup,
}

/// Writes `input[start..end]` canonically for its context.
pub(super) fn write_raw<S: Sink + ?Sized>(
    out: &mut Output<'_, '_, S>,
    input: &str,
    start: usize,
    end: usize,
    context: Context,
) {
    let bytes = input.as_bytes();
    let mut run = start;
    let mut i = start;
    while i < end {
        let b = bytes[i];
        let replacement: Option<&[u8]> = match (b, context) {
            (b'\r', Context::Attribute) => {
                Some(if bytes.get(i + 1) == Some(&b'\n') && i + 1 < end { b"" } else { b" " })
            }
            (b'\r', _) => Some(if bytes.get(i + 1) == Some(&b'\n') && i + 1 < end { b"" } else { b"\n" }),
            (b'\t' | b'\n', Context::Attribute) => Some(b" "),
            (b'"', Context::Attribute) => Some(b"&quot;"),
            (b'>', Context::Text | Context::CData) => Some(b"&gt;"),
            (b'<', Context::CData) => Some(b"&lt;"),
            (b'&', Context::CData) => Some(b"&amp;"),
            (b'&', Context::Text | Context::Attribute) => {
                out.copy(run, i);
                let semicolon =
                    i + memchr::memchr(b';', &bytes[i..end]).expect("references were checked while indexing");
                let c =
                    scan::resolve_reference(&input[i + 1..semicolon]).expect("references were checked while indexing");
                write_char(out, c, context);
                i = semicolon + 1;
                run = i;
                continue;
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            out.copy(run, i);
            if !replacement.is_empty() {
                out.emit(replacement);
            }
            run = i + 1;
        }
        i += 1;
    }
    out.copy(run, end);
}

/// Writes one character that came from a reference, escaped as its context requires.
fn write_char<S: Sink + ?Sized>(out: &mut Output<'_, '_, S>, c: char, context: Context) {
    let escaped = u8::try_from(c).ok().and_then(|b| canonical_escape(b, context == Context::Attribute));
    match escaped {
        Some(escaped) => out.emit(escaped),
        None => out.emit(c.encode_utf8(&mut [0; 4]).as_bytes()),
    }
}

/// Writes an already decoded string (a namespace name) as a canonical attribute value.
pub(super) fn write_attribute_text<S: Sink + ?Sized>(out: &mut Output<'_, '_, S>, value: &str) {
    for_each_escaped_piece(value, true, |piece| out.emit(piece));
}
