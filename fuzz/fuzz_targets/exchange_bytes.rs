//! `Exchange::from_bytes` on arbitrary bytes. What it accepts re-encodes to the same fields:
//! `to_bytes` writes them in ascending tag order, so the encoding is the input with its fields
//! stably sorted by tag (byte-identical whenever the input was in that order, as `to_bytes` writes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsseal_core::Exchange;

fuzz_target!(|data: &[u8]| {
    let Ok(exchange) = Exchange::from_bytes(data) else { return };
    let mut fields = fields(&data[1..]);
    fields.sort_by_key(|field| field[0]);
    let expected: Vec<u8> = [&data[..1]].into_iter().chain(fields).flatten().copied().collect();
    assert_eq!(exchange.to_bytes(), expected);
});

/// The tag-length-value fields of an accepted encoding, each as its bytes.
fn fields(mut rest: &[u8]) -> Vec<&[u8]> {
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let length = u32::from_be_bytes(rest[1..5].try_into().unwrap()) as usize;
        let (field, after) = rest.split_at(5 + length);
        fields.push(field);
        rest = after;
    }
    fields
}
