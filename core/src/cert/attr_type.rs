//! Attribute types of distinguished names: the keywords written and the aliases understood.
//!
//! Written: only the RFC 4514 section 3 keywords (CN, L, ST, O, OU, C, STREET, DC, UID); every
//! other type is written as a dotted OID, the form Java's `X500Principal.getName(RFC2253)` (and
//! so WSS4J) writes in `X509IssuerName`. Read: those keywords plus the names OpenSSL, .NET
//! (CryptoAPI) and Java write, case-insensitively, a dotted OID, or `OID.` and a dotted OID.

use der::asn1::ObjectIdentifier;

/// One attribute type: its OID, whether its first alias is an RFC 4514 keyword, and its aliases.
struct AttrType {
    oid: ObjectIdentifier,
    rfc4514: bool,
    aliases: &'static [&'static str],
}

const fn known(oid: &str, rfc4514: bool, aliases: &'static [&'static str]) -> AttrType {
    AttrType { oid: ObjectIdentifier::new_unwrap(oid), rfc4514, aliases }
}

const TYPES: &[AttrType] = &[
    known("2.5.4.3", true, &["CN", "commonName"]),
    known("2.5.4.7", true, &["L", "localityName"]),
    known("2.5.4.8", true, &["ST", "S", "stateOrProvinceName"]),
    known("2.5.4.10", true, &["O", "organizationName"]),
    known("2.5.4.11", true, &["OU", "organizationalUnitName"]),
    known("2.5.4.6", true, &["C", "countryName"]),
    known("2.5.4.9", true, &["STREET", "streetAddress"]),
    known("0.9.2342.19200300.100.1.25", true, &["DC", "domainComponent"]),
    known("0.9.2342.19200300.100.1.1", true, &["UID", "userId"]),
    known("1.2.840.113549.1.9.1", false, &["E", "emailAddress", "email"]),
    known("2.5.4.4", false, &["SN", "surname"]),
    known("2.5.4.5", false, &["serialNumber"]),
    known("2.5.4.12", false, &["T", "title"]),
    known("2.5.4.13", false, &["description"]),
    known("2.5.4.15", false, &["businessCategory"]),
    known("2.5.4.17", false, &["postalCode"]),
    known("2.5.4.41", false, &["name"]),
    known("2.5.4.42", false, &["G", "GN", "givenName"]),
    known("2.5.4.43", false, &["I", "initials"]),
    known("2.5.4.44", false, &["generationQualifier", "generation"]),
    known("2.5.4.46", false, &["dnQualifier", "DNQ"]),
    known("2.5.4.65", false, &["pseudonym"]),
    known("2.5.4.97", false, &["organizationIdentifier"]),
    known("1.2.840.113549.1.9.2", false, &["unstructuredName"]),
];

/// The RFC 4514 keyword written for this type, if it has one.
pub(crate) fn keyword(oid: &ObjectIdentifier) -> Option<&'static str> {
    TYPES.iter().find(|t| t.rfc4514 && t.oid == *oid).and_then(|t| t.aliases.first().copied())
}

/// The type a distinguished name string names: a known alias (any case), a dotted OID, or `OID.`
/// followed by a dotted OID.
pub(crate) fn parse(text: &str) -> Option<ObjectIdentifier> {
    let dotted = match text.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("OID.") => text.get(4..),
        _ if text.starts_with(|c: char| c.is_ascii_digit()) => Some(text),
        _ => None,
    };
    match dotted {
        Some(dotted) => ObjectIdentifier::new(dotted).ok(),
        None => TYPES.iter().find(|t| t.aliases.iter().any(|a| a.eq_ignore_ascii_case(text))).map(|t| t.oid),
    }
}

#[cfg(test)]
mod tests {
    use super::{keyword, parse};

    #[test]
    fn aliases_and_oids() {
        let email = parse("1.2.840.113549.1.9.1");
        assert!(email.is_some());
        for alias in ["E", "e", "EMAILADDRESS", "emailAddress", "OID.1.2.840.113549.1.9.1", "oid.1.2.840.113549.1.9.1"]
        {
            assert_eq!(parse(alias), email, "{alias}");
        }
        assert_eq!(parse("S"), parse("st"));
        assert_eq!(parse("CN").and_then(|oid| keyword(&oid)), Some("CN"));
        assert_eq!(email.and_then(|oid| keyword(&oid)), None);
        for garbage in ["", "OID.", "OID", "1.", "1..2", "X-Unknown", "é"] {
            assert_eq!(parse(garbage), None, "{garbage}");
        }
    }
}
