//! Distinguished names as RFC 4514 strings.
//!
//! Most specific RDN first, `,` between RDNs and `+` between the attributes of one RDN, as
//! `openssl x509 -nameopt RFC2253` prints. Values are escaped per RFC 4514 section 2.4 (`"+,;<>\`,
//! a leading `#` or space, a trailing space, and control characters as `\XX`); other non-ASCII
//! characters are written as they are (UTF-8), as Java and .NET write them. Types without an
//! RFC 4514 keyword (see [`super::attr_type`]), and values that are not character strings, are
//! written as a dotted OID or keyword followed by `#` and the hex of the value's DER.

use der::Encode;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::Name;

use super::attr_type;
use super::attr_value::AttrValue;
use super::hex::push_hex;
use super::rdns;

/// The RFC 4514 string of a name.
pub(crate) fn format(name: &Name) -> Result<String, der::Error> {
    let mut out = String::new();
    for (i, rdn) in rdns::most_specific_first(name).enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attribute) in rdns::attributes_as_printed(rdn).enumerate() {
            if j > 0 {
                out.push('+');
            }
            push_attribute(&mut out, attribute)?;
        }
    }
    Ok(out)
}

fn push_attribute(out: &mut String, attribute: &AttributeTypeAndValue) -> Result<(), der::Error> {
    let keyword = attr_type::keyword(&attribute.oid);
    match (keyword, AttrValue::decode(&attribute.value)?) {
        (Some(keyword), AttrValue::Text(text)) => {
            out.push_str(keyword);
            out.push('=');
            push_escaped(out, &text);
        }
        (Some(keyword), AttrValue::Der(der)) => push_hex_value(out, keyword, &der),
        (None, _) => push_hex_value(out, &attribute.oid.to_string(), &attribute.value.to_der()?),
    }
    Ok(())
}

fn push_hex_value(out: &mut String, attribute_type: &str, der: &[u8]) {
    out.push_str(attribute_type);
    out.push_str("=#");
    push_hex(out, der, false);
}

fn push_escaped(out: &mut String, text: &str) {
    for (i, c) in text.char_indices() {
        let first = i == 0;
        let last = i + c.len_utf8() == text.len();
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if first => out.push_str("\\#"),
            ' ' if first || last => out.push_str("\\ "),
            c if c.is_ascii_control() => {
                out.push('\\');
                push_hex(out, &[u8::try_from(c).unwrap_or(0)], true);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::format;
    use std::str::FromStr;
    use x509_cert::name::Name;

    fn formatted(rfc4514: &str) -> Option<String> {
        format(&Name::from_str(rfc4514).ok()?).ok()
    }

    #[test]
    fn escapes_and_order() {
        assert_eq!(formatted("CN=a,O=b,C=DE").as_deref(), Some("CN=a,O=b,C=DE"));
        assert_eq!(formatted(r"CN=\ x\, y\+z\;\<\>\\\22 ").as_deref(), Some(r#"CN=\ x\, y\+z\;\<\>\\\"\ "#));
        assert_eq!(formatted(r"CN=\#1#2").as_deref(), Some(r"CN=\#1#2"));
        assert_eq!(formatted(r"CN=a\0Db").as_deref(), Some(r"CN=a\0Db"));
        assert_eq!(formatted("CN=Zoë").as_deref(), Some("CN=Zoë"));
        assert_eq!(formatted("OU=Security+CN=Probe Root,C=DE").as_deref(), Some("CN=Probe Root+OU=Security,C=DE"));
    }

    #[test]
    fn unnamed_types_in_hex() {
        assert_eq!(formatted("CN=x,emailAddress=a@b").as_deref(), Some("CN=x,1.2.840.113549.1.9.1=#1603614062"));
        assert_eq!(formatted("1.2.3.4=#040101").as_deref(), Some("1.2.3.4=#040101"));
        assert_eq!(formatted("CN=#040101").as_deref(), Some("CN=#040101"));
    }
}
