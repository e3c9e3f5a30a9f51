//! `wsu:Timestamp`: written with a configured lifetime, checked for freshness with clock skew.

use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use super::xs_datetime;
use crate::encoding::push_attribute_value;
use crate::error::{Error, ErrorCode};
use crate::shape::{ChildCursor, text_only};
use crate::xml::{Document, Element, WSU_NS};

/// The Created and Expires times of a Timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    /// When the message was created.
    pub created: OffsetDateTime,
    /// When it expires, if it says.
    pub expires: Option<OffsetDateTime>,
}

/// Formats a time the way WCF does: UTC, milliseconds, `Z`.
pub fn format_time(time: OffsetDateTime) -> String {
    xs_datetime::format_millis(time).unwrap_or_else(|| {
        let format = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
        time.to_offset(UtcOffset::UTC).format(&format).unwrap_or_default()
    })
}

/// Writes a Timestamp (inside a Security header that declares `wsu`) and returns its lifetime.
pub fn write_timestamp(out: &mut Vec<u8>, id: &str, now: OffsetDateTime, ttl: Duration) -> Lifetime {
    write_timestamp_as(out, "wsu", false, id, now, ttl)
}

/// Writes a Timestamp with the utility namespace's `prefix`, declaring it on the Timestamp when
/// `declare`. Declared, the bytes are the Timestamp's exclusive canonical form (the declaration
/// before the one attribute, values and times with nothing to escape beyond what the writer
/// escapes): a signer digests them without parsing its own output.
pub(crate) fn write_timestamp_as(
    out: &mut Vec<u8>,
    prefix: &str,
    declare: bool,
    id: &str,
    now: OffsetDateTime,
    ttl: Duration,
) -> Lifetime {
    let expires = now + ttl;
    let element = |out: &mut Vec<u8>, open: bool, name: &str| {
        out.extend_from_slice(if open { b"<" } else { b"</" });
        out.extend_from_slice(prefix.as_bytes());
        out.push(b':');
        out.extend_from_slice(name.as_bytes());
    };
    element(out, true, "Timestamp");
    if declare {
        out.extend_from_slice(b" xmlns:");
        out.extend_from_slice(prefix.as_bytes());
        out.extend_from_slice(b"=\"");
        out.extend_from_slice(WSU_NS.as_bytes());
        out.push(b'"');
    }
    out.push(b' ');
    out.extend_from_slice(prefix.as_bytes());
    out.extend_from_slice(b":Id=\"");
    push_attribute_value(out, id);
    out.extend_from_slice(b"\">");
    for (name, time) in [("Created", now), ("Expires", expires)] {
        element(out, true, name);
        out.push(b'>');
        out.extend_from_slice(format_time(time).as_bytes());
        element(out, false, name);
        out.push(b'>');
    }
    element(out, false, "Timestamp");
    out.push(b'>');
    Lifetime { created: now, expires: Some(expires) }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::TimestampInvalid, message)
}

/// Reads a Timestamp: a Created, an optional Expires, nothing else; times in UTC.
pub fn read_timestamp(doc: &Document<'_>, timestamp: Element<'_, '_>) -> Result<Lifetime, Error> {
    let mut children = ChildCursor::new(timestamp, ErrorCode::TimestampInvalid);
    let created = children.required(WSU_NS, "Created")?;
    let expires = children.optional(WSU_NS, "Expires");
    children.finish()?;
    let created = parse_time(&text_only(doc, &created, ErrorCode::TimestampInvalid)?)?;
    let expires = match expires {
        Some(e) => Some(parse_time(&text_only(doc, &e, ErrorCode::TimestampInvalid)?)?),
        None => None,
    };
    if expires.is_some_and(|e| e < created) {
        return Err(invalid("the Timestamp expires before it was created"));
    }
    Ok(Lifetime { created, expires })
}

fn parse_time(text: &str) -> Result<OffsetDateTime, Error> {
    let text = text.trim();
    if let Some(time) = xs_datetime::parse_utc(text) {
        return Ok(time);
    }
    if !text.ends_with('Z') {
        return Err(invalid(format!("{text:?} is not a UTC time ending in Z")));
    }
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| invalid(format!("{text:?} is not an xs:dateTime")))
}

/// Checks freshness at `now` the way WCF does: refused when it expired more than `skew` ago,
/// was created more than `skew` in the future, or was created longer ago than `window + skew`.
pub fn check_freshness(
    lifetime: &Lifetime,
    now: OffsetDateTime,
    skew: Duration,
    window: Duration,
) -> Result<(), Error> {
    if lifetime.created > now + skew {
        return Err(invalid(format!("the Timestamp was created in the future ({})", format_time(lifetime.created))));
    }
    if let Some(expires) = lifetime.expires
        && expires <= now - skew
    {
        return Err(Error::new(ErrorCode::MessageExpired, format!("the message expired at {}", format_time(expires))));
    }
    if lifetime.created <= now - (window + skew) {
        return Err(Error::new(
            ErrorCode::MessageExpired,
            format!("the message was created at {}, outside the replay window", format_time(lifetime.created)),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Limits;

    fn lifetime(xml: &str) -> Result<Lifetime, Error> {
        let doc = Document::parse(xml.as_bytes(), &Limits::default()).map_err(Error::from)?;
        read_timestamp(&doc, doc.root())
    }

    const WSU: &str =
        "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\"";

    #[test]
    fn writes_what_it_reads() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let mut out = format!("<wsu:Root {WSU}>").into_bytes();
        let written = write_timestamp(&mut out, "TS-1", now, Duration::from_secs(300));
        out.extend_from_slice(b"</wsu:Root>");
        let doc = Document::parse(&out, &Limits::default()).unwrap();
        let ts = doc.root().children().next().unwrap();
        assert_eq!(read_timestamp(&doc, ts).unwrap(), written);
        assert_eq!(format_time(now), "2023-11-14T22:13:20.000Z");
    }

    #[test]
    fn the_declared_timestamp_is_its_own_canonical_form() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        for (prefix, id) in [("wsu", "TS-1"), ("u", "uuid-6e1f-1"), ("u1", "a&b<c\"d")] {
            let mut written = Vec::new();
            write_timestamp_as(&mut written, prefix, true, id, now, Duration::from_secs(300));
            let doc = Document::parse(&written, &Limits::default()).unwrap();
            let options = crate::c14n::C14nOptions::default();
            let canonical =
                crate::c14n::canonicalize_to_vec(&doc, crate::c14n::Subset::Element(doc.root().id()), &options)
                    .unwrap();
            assert_eq!(String::from_utf8(canonical).unwrap(), String::from_utf8(written).unwrap(), "{prefix} {id}");
        }
    }

    #[test]
    fn freshness_follows_wcf() {
        let created = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let five = Duration::from_secs(300);
        let l = Lifetime { created, expires: Some(created + five) };
        assert!(check_freshness(&l, created, five, five).is_ok());
        assert!(check_freshness(&l, created + Duration::from_secs(599), five, five).is_ok());
        let late = check_freshness(&l, created + Duration::from_secs(600), five, five).unwrap_err();
        assert_eq!(late.code(), ErrorCode::MessageExpired);
        let early = check_freshness(&l, created - Duration::from_secs(301), five, five).unwrap_err();
        assert_eq!(early.code(), ErrorCode::TimestampInvalid);
        let old = Lifetime { created, expires: Some(created + Duration::from_secs(3600)) };
        let stale = check_freshness(&old, created + Duration::from_secs(600), five, five).unwrap_err();
        assert_eq!(stale.code(), ErrorCode::MessageExpired);
    }

    #[test]
    fn refuses_malformed_timestamps() {
        for body in [
            "",
            "<wsu:Expires>2023-11-14T22:13:20Z</wsu:Expires>",
            "<wsu:Created>2023-11-14T22:13:20+01:00</wsu:Created>",
            "<wsu:Created>yesterday</wsu:Created>",
            "<wsu:Created>2023-11-14T22:13:20Z</wsu:Created><wsu:Created>2023-11-14T22:13:20Z</wsu:Created>",
            "<wsu:Created>2023-11-14T22:13:20Z</wsu:Created><wsu:Expires>2023-11-14T22:13:19Z</wsu:Expires>",
            "<wsu:Created>2023-11-14T22:13:20Z<!---->0</wsu:Created>",
        ] {
            let err = lifetime(&format!("<wsu:Timestamp {WSU}>{body}</wsu:Timestamp>")).unwrap_err();
            assert_eq!(err.code(), ErrorCode::TimestampInvalid, "{body}");
        }
        let ok = lifetime(&format!(
            "<wsu:Timestamp {WSU}><wsu:Created>2023-11-14T22:13:20.123456Z</wsu:Created></wsu:Timestamp>"
        ));
        assert_eq!(ok.unwrap().expires, None);
    }
}
