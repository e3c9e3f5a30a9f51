//! The certificate of a WCF `<certificate encodedValue="…">`: base64 of raw DER, or of a Windows
//! serialized certificate or serialized store. Those are little-endian records
//! `{u32 propId; u32 reserved; u32 length; u8 value[length]}`; property 32 (CERT_CERT_PROP_ID)
//! holds the DER. A serialized store starts with `00 00 00 00 'C' 'E' 'R' 'T'` and ends with a
//! 12-byte zero record. The first certificate found is the identity.

use crate::cert::Certificate;
use crate::error::{Error, ErrorCode};

/// The property of a record that holds a certificate's DER.
const CERT_CERT_PROP_ID: u32 = 32;
/// The header of a serialized store.
const STORE_HEADER: [u8; 8] = [0, 0, 0, 0, b'C', b'E', b'R', b'T'];
/// The largest encoded value accepted.
pub(crate) const MAX_ENCODED: usize = 1 << 20;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::IdentityInvalid, message)
}

/// The certificate of an encoded value (base64 text).
pub(crate) fn certificate(encoded: &str) -> Result<Certificate, Error> {
    let bytes = crate::encoding::decode_base64(encoded.trim(), MAX_ENCODED)
        .ok_or_else(|| invalid("the certificate encodedValue is not base64"))?;
    let der = if bytes.first() == Some(&0x30) { &bytes[..] } else { first_certificate(&bytes)? };
    Certificate::from_der(der).map_err(|e| invalid(format!("the identity certificate cannot be read: {e}")))
}

/// The DER of the first certificate record of a serialized certificate or store.
fn first_certificate(blob: &[u8]) -> Result<&[u8], Error> {
    let mut rest = blob.strip_prefix(&STORE_HEADER[..]).unwrap_or(blob);
    while rest.len() >= 12 {
        let word = |at: usize| u32::from_le_bytes([rest[at], rest[at + 1], rest[at + 2], rest[at + 3]]);
        let (property, length) = (word(0), word(8) as usize);
        if property == 0 && length == 0 {
            break;
        }
        let value = rest
            .get(12..12 + length)
            .ok_or_else(|| invalid("the serialized certificate has a record longer than the blob"))?;
        if property == CERT_CERT_PROP_ID {
            return Ok(value);
        }
        rest = &rest[12 + length..];
    }
    Err(invalid("the encoded value is neither a DER certificate nor a serialized certificate with one"))
}
