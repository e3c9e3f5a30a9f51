//! Several certificates in one DER structure, as security tokens carry them: a PkiPath (`SEQUENCE
//! OF Certificate`, the X.509 Token Profile's `X509PKIPathv1`) and the certificates of a PKCS #7
//! SignedData (`PKCS7`). Each certificate is returned as the bytes it is encoded with.

use der::asn1::ObjectIdentifier;
use der::{Decode, Header, Reader, SliceReader, Tag, TagNumber};

use super::CertError;

/// `signedData` (PKCS #7, RFC 5652).
const SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");

fn malformed(what: &str, e: der::Error) -> CertError {
    CertError::new(format!("malformed {what}: {e}"))
}

/// The certificates of a PkiPath, in order: each one issued the next, the end entity last.
pub fn pki_path_certificates(der: &[u8]) -> Result<Vec<&[u8]>, CertError> {
    let read = || -> Result<Vec<&[u8]>, der::Error> {
        let mut outer = SliceReader::new(der)?;
        let mut path = SliceReader::new(value(&mut outer, Tag::Sequence)?)?;
        outer.finish()?;
        sequence_of_certificates(&mut path)
    };
    read().map_err(|e| malformed("X509PKIPathv1 (a SEQUENCE OF Certificate)", e))
}

/// The certificates of a PKCS #7 ContentInfo holding SignedData, in the order encoded (a set: the
/// order means nothing). Its signers, if any, are not verified: only the certificates are used.
pub fn pkcs7_certificates(der: &[u8]) -> Result<Vec<&[u8]>, CertError> {
    let read = || -> Result<Vec<&[u8]>, der::Error> {
        let mut outer = SliceReader::new(der)?;
        let mut content_info = SliceReader::new(value(&mut outer, Tag::Sequence)?)?;
        outer.finish()?;
        let content_type = ObjectIdentifier::decode(&mut content_info)?;
        if content_type != SIGNED_DATA {
            return Err(der::ErrorKind::OidUnknown { oid: content_type }.into());
        }
        let mut explicit = SliceReader::new(value(&mut content_info, context(0))?)?;
        content_info.finish()?;
        let mut signed_data = SliceReader::new(value(&mut explicit, Tag::Sequence)?)?;
        explicit.finish()?;
        for _ in ["version", "digestAlgorithms", "encapContentInfo"] {
            signed_data.tlv_bytes()?;
        }
        if signed_data.is_finished() || Tag::peek(&signed_data)? != context(0) {
            return Ok(Vec::new());
        }
        let mut certificates = SliceReader::new(value(&mut signed_data, context(0))?)?;
        sequence_of_certificates(&mut certificates)
    };
    read().map_err(|e| malformed("PKCS7 SignedData", e))
}

/// A constructed context-specific tag.
fn context(number: u32) -> Tag {
    Tag::ContextSpecific { constructed: true, number: TagNumber(number) }
}

/// The value of the next element, which must have `tag`.
fn value<'a>(reader: &mut SliceReader<'a>, tag: Tag) -> Result<&'a [u8], der::Error> {
    let header = Header::decode(reader)?;
    if header.tag() != tag {
        return Err(der::ErrorKind::TagUnexpected { expected: Some(tag), actual: header.tag() }.into());
    }
    reader.read_slice(header.length())
}

/// Every remaining element, each a Certificate (a SEQUENCE; other CertificateChoices are refused).
fn sequence_of_certificates<'a>(reader: &mut SliceReader<'a>) -> Result<Vec<&'a [u8]>, der::Error> {
    let mut certificates = Vec::new();
    while !reader.is_finished() {
        let tag = Tag::peek(reader)?;
        if tag != Tag::Sequence {
            return Err(der::ErrorKind::TagUnexpected { expected: Some(Tag::Sequence), actual: tag }.into());
        }
        certificates.push(reader.tlv_bytes()?);
    }
    Ok(certificates)
}
