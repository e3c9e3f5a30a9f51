//! Everything a certificate is asked for, computed once when it is parsed.

use aws_lc_rs::digest::{self, SHA1_FOR_LEGACY_USE_ONLY, SHA256};
use der::{Decode, Encode};
use time::OffsetDateTime;

use super::CertError;
use super::dn_format;
use super::dn_match::NameKey;
use super::extensions::Extensions;
use super::fields;
use super::hex::push_hex;
use super::serial;

/// A parsed certificate and its derived fields.
pub(crate) struct Parsed {
    pub(crate) der: Vec<u8>,
    pub(crate) x509: x509_cert::Certificate,
    pub(crate) spki_der: Vec<u8>,
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) issuer_key: NameKey,
    /// Whether `issuer` itself reads back as `issuer_key`: then a message that writes exactly
    /// that string (as wsseal, Java and OpenSSL do) names the issuer without being parsed.
    pub(crate) issuer_text_matches: bool,
    pub(crate) subject_key: NameKey,
    /// Where the TBSCertificate lies in `der`: the bytes the issuer signed.
    pub(crate) tbs: std::ops::Range<usize>,
    pub(crate) extensions: Extensions,
    pub(crate) serial_decimal: String,
    pub(crate) subject_key_identifier: Option<Vec<u8>>,
    pub(crate) sha1: [u8; 20],
    pub(crate) sha256: [u8; 32],
    pub(crate) thumbprint_hex: String,
    pub(crate) not_before: OffsetDateTime,
    pub(crate) not_after: OffsetDateTime,
    pub(crate) common_name: Option<String>,
    pub(crate) dns_names: Vec<String>,
}

impl Parsed {
    /// Parses one DER certificate (nothing may follow it).
    pub(crate) fn new(der: &[u8]) -> Result<Self, CertError> {
        let malformed = |e: der::Error| CertError::new(format!("malformed X.509 certificate: {e}"));
        let x509 = x509_cert::Certificate::from_der(der).map_err(malformed)?;
        let tbs = x509.tbs_certificate();
        let sha1 = digest_array(&SHA1_FOR_LEGACY_USE_ONLY, der)?;
        let mut thumbprint_hex = String::with_capacity(40);
        push_hex(&mut thumbprint_hex, &sha1, true);
        let issuer = dn_format::format(tbs.issuer()).map_err(malformed)?;
        let issuer_key = NameKey::of_name(tbs.issuer()).map_err(malformed)?;
        Ok(Self {
            der: der.to_vec(),
            spki_der: tbs.subject_public_key_info().to_der().map_err(malformed)?,
            subject: dn_format::format(tbs.subject()).map_err(malformed)?,
            issuer_text_matches: NameKey::parse(&issuer).is_some_and(|key| issuer_key.matches(&key)),
            issuer,
            issuer_key,
            subject_key: NameKey::of_name(tbs.subject()).map_err(malformed)?,
            tbs: tbs_span(der).map_err(malformed)?,
            extensions: Extensions::read(tbs),
            serial_decimal: serial::decimal(tbs.serial_number().as_bytes()),
            subject_key_identifier: fields::subject_key_identifier(tbs),
            sha1,
            sha256: digest_array(&SHA256, der)?,
            thumbprint_hex,
            not_before: fields::date_time(&tbs.validity().not_before)?,
            not_after: fields::date_time(&tbs.validity().not_after)?,
            common_name: fields::common_name(tbs.subject()),
            dns_names: fields::dns_names(tbs),
            x509,
        })
    }
}

/// The span of the first element inside the outer SEQUENCE of a signed structure (a certificate's
/// TBSCertificate, a CRL's TBSCertList), exactly as encoded.
pub(crate) fn tbs_span(der: &[u8]) -> Result<std::ops::Range<usize>, der::Error> {
    use der::Reader;
    let mut reader = der::SliceReader::new(der)?;
    let outer = der::Header::decode(&mut reader)?;
    let start = usize::try_from(outer.encoded_len()?)?;
    let tbs = reader.tlv_bytes()?;
    Ok(start..start + tbs.len())
}

fn digest_array<const N: usize>(algorithm: &'static digest::Algorithm, data: &[u8]) -> Result<[u8; N], CertError> {
    digest::digest(algorithm, data).as_ref().try_into().map_err(|_| CertError::new("unexpected digest length"))
}
