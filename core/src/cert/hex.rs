//! Hexadecimal text of bytes.

/// Appends two hex digits per byte, lower case unless `upper`.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8], upper: bool) {
    let digits = bytes.iter().flat_map(|b| [b >> 4, b & 0x0f]).filter_map(|n| char::from_digit(u32::from(n), 16));
    out.extend(digits.map(|c| if upper { c.to_ascii_uppercase() } else { c }));
}

/// The value of one hex digit.
pub(crate) fn digit_value(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).and_then(|d| u8::try_from(d).ok())
}
