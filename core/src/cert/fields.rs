//! The certificate fields read once at parse time: validity dates, extensions, common name.

use der::asn1::ObjectIdentifier;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_cert::TbsCertificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{SubjectAltName, SubjectKeyIdentifier};
use x509_cert::name::Name;

use super::CertError;
use super::attr_value::AttrValue;
use super::rdns;

const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// A validity date as a UTC date and time.
pub(crate) fn date_time(time: &x509_cert::time::Time) -> Result<OffsetDateTime, CertError> {
    let at = time.to_date_time();
    let invalid = |e: time::error::ComponentRange| CertError::new(format!("certificate validity date: {e}"));
    let month = Month::try_from(at.month()).map_err(invalid)?;
    let date = Date::from_calendar_date(i32::from(at.year()), month, at.day()).map_err(invalid)?;
    let clock = Time::from_hms(at.hour(), at.minutes(), at.seconds()).map_err(invalid)?;
    Ok(PrimitiveDateTime::new(date, clock).assume_utc())
}

/// The key identifier of the first subjectKeyIdentifier extension; `None` when it is absent or
/// does not decode (legacy certificates are read, not judged).
pub(crate) fn subject_key_identifier(tbs: &TbsCertificate) -> Option<Vec<u8>> {
    let (_, ski) = tbs.filter_extensions::<SubjectKeyIdentifier>().next()?.ok()?;
    Some(ski.0.as_bytes().to_vec())
}

/// The dNSName entries of the first subjectAltName extension, in order; none when it is absent or
/// does not decode.
pub(crate) fn dns_names(tbs: &TbsCertificate) -> Vec<String> {
    let Some(Ok((_, SubjectAltName(names)))) = tbs.filter_extensions::<SubjectAltName>().next() else {
        return Vec::new();
    };
    let dns = names.iter().filter_map(|name| match name {
        GeneralName::DnsName(dns) => Some(dns.as_str().to_owned()),
        _ => None,
    });
    dns.collect()
}

/// The most specific common name of a name (the first in its RFC 4514 string), when it is text.
pub(crate) fn common_name(name: &Name) -> Option<String> {
    let attribute = rdns::most_specific_first(name).flat_map(|rdn| rdn.iter()).find(|a| a.oid == COMMON_NAME)?;
    match AttrValue::decode(&attribute.value).ok()? {
        AttrValue::Text(text) => Some(text),
        AttrValue::Der(_) => None,
    }
}
