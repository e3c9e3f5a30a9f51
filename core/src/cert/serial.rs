//! Serial numbers in the decimal form of `X509SerialNumber`.
//!
//! A DER INTEGER is big-endian two's complement; legacy CAs issued negative serials, which print
//! with a leading `-` (as OpenSSL, Java and .NET print them).

/// The decimal text of a two's complement big-endian integer; `0` for no bytes.
pub(crate) fn decimal(twos_complement: &[u8]) -> String {
    let negative = twos_complement.first().is_some_and(|b| b & 0x80 != 0);
    let magnitude = if negative { negate(twos_complement) } else { twos_complement.to_vec() };
    let digits = decimal_digits(magnitude);
    if negative { format!("-{digits}") } else { digits }
}

/// Does the decimal text from a message name the same integer as `ours` (the output of [`decimal`])?
/// Surrounding whitespace, a leading `+` and leading zeros are tolerated; anything else is not.
pub(crate) fn matches(ours: &str, theirs: &str) -> bool {
    canonical(theirs).is_some_and(|(negative, digits)| match negative {
        true => ours.strip_prefix('-') == Some(digits),
        false => ours == digits,
    })
}

/// The sign and the digits of the text in the form [`decimal`] writes (no leading zero, zero not
/// negative), or `None` when it is not a decimal integer. Borrowed: a match allocates nothing.
fn canonical(text: &str) -> Option<(bool, &str)> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match digits.trim_start_matches('0') {
        "" => Some((false, "0")),
        digits => Some((negative, digits)),
    }
}

/// The magnitude of a negative two's complement integer: invert every bit, then add one.
fn negate(twos_complement: &[u8]) -> Vec<u8> {
    let mut magnitude: Vec<u8> = twos_complement.iter().map(|b| !b).collect();
    for byte in magnitude.iter_mut().rev() {
        let (sum, carry) = byte.overflowing_add(1);
        *byte = sum;
        if !carry {
            break;
        }
    }
    magnitude
}

/// Decimal digits of an unsigned big-endian integer, by repeated division by ten.
fn decimal_digits(mut number: Vec<u8>) -> String {
    let mut reversed = Vec::new();
    loop {
        let start = number.iter().position(|b| *b != 0).unwrap_or(number.len());
        number.drain(..start);
        if number.is_empty() {
            break;
        }
        let mut remainder = 0u16;
        for byte in number.iter_mut() {
            let current = (remainder << 8) | u16::from(*byte);
            *byte = u8::try_from(current / 10).unwrap_or(0);
            remainder = current % 10;
        }
        reversed.push(char::from(b'0' + u8::try_from(remainder).unwrap_or(0)));
    }
    if reversed.is_empty() {
        return "0".to_owned();
    }
    reversed.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::{decimal, matches};

    #[test]
    fn positive_negative_and_zero() {
        assert_eq!(decimal(&[0x00]), "0");
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0x30, 0x39]), "12345");
        assert_eq!(decimal(&[0x00, 0xff]), "255");
        assert_eq!(decimal(&[0xcf, 0xc7]), "-12345");
        assert_eq!(decimal(&[0xff]), "-1");
        assert_eq!(decimal(&[0x80]), "-128");
        assert_eq!(decimal(&[0x80, 0x00]), "-32768");
        assert_eq!(decimal(&[0x01; 20]), "5731378969925109483151705226338364782964441345");
    }

    #[test]
    fn tolerant_comparison() {
        assert!(matches("12345", " +0012345\n"));
        assert!(matches("-12345", "-012345"));
        assert!(matches("0", "-0"));
        assert!(!matches("12345", "-12345"));
        assert!(!matches("12345", "12 345"));
        assert!(!matches("12345", "0x3039"));
        assert!(!matches("0", ""));
        assert!(!matches("0", "+"));
    }
}
