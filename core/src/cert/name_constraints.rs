//! nameConstraints (RFC 5280 §4.2.1.10) of a CA certificate, read once at parse time, and the
//! check of a certificate's names against them: dNSName, rfc822Name and directoryName subtrees,
//! permitted and excluded. Other name forms are recorded as unsupported; the validator refuses
//! them when the extension is critical.

use der::asn1::ObjectIdentifier;
use x509_cert::TbsCertificate;
use x509_cert::ext::pkix::constraints::name::GeneralSubtrees;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints as Extension, SubjectAltName};

use super::Certificate;
use super::attr_value::AttrValue;
use super::dn_format;
use super::dn_match::NameKey;
use super::rdns;

/// `emailAddress` (PKCS #9), the legacy place of a mailbox in a subject name.
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// The subtrees of one kind (permitted or excluded), by name form. An empty list leaves its form
/// unconstrained.
#[derive(Clone, Debug, Default)]
struct Subtrees {
    dns: Vec<String>,
    email: Vec<String>,
    directory: Vec<NameKey>,
}

/// The name constraints of a CA certificate.
#[derive(Clone, Debug)]
pub(crate) struct NameConstraints {
    permitted: Subtrees,
    excluded: Subtrees,
    /// The name forms (or subtree features) present that are not checked.
    unsupported: Vec<&'static str>,
}

/// The names of a certificate that name constraints apply to.
struct Names<'c> {
    dns: Vec<&'c str>,
    email: Vec<String>,
    /// Each directory name with its RFC 4514 form, for messages.
    directory: Vec<(String, NameKey)>,
}

impl NameConstraints {
    /// The first nameConstraints extension of `tbs`, when present: read, or why it cannot be.
    pub(crate) fn read(tbs: &TbsCertificate) -> Option<Result<Self, String>> {
        let read = match tbs.filter_extensions::<Extension>().next()? {
            Ok((_, extension)) => extension,
            Err(e) => return Some(Err(format!("its nameConstraints cannot be read: {e}"))),
        };
        let mut unsupported = Vec::new();
        let permitted = Subtrees::read(read.permitted_subtrees.as_ref(), &mut unsupported);
        let excluded = Subtrees::read(read.excluded_subtrees.as_ref(), &mut unsupported);
        Some(match (permitted, excluded) {
            (Ok(permitted), Ok(excluded)) => Ok(Self { permitted, excluded, unsupported }),
            (Err(e), _) | (_, Err(e)) => Err(format!("a directoryName of its nameConstraints cannot be read: {e}")),
        })
    }

    /// The name forms present that [`NameConstraints::check`] does not process.
    pub(crate) fn unsupported(&self) -> &[&'static str] {
        &self.unsupported
    }

    /// Are the names of `certificate` (subject, its emailAddress attributes when there is no
    /// subjectAltName, the subjectAltName dNSName, rfc822Name and directoryName entries, and for an
    /// end entity the common name as a DNS name when no dNSName is present) within the
    /// constraints? The reason when not.
    pub(crate) fn check(&self, certificate: &Certificate, end_entity: bool) -> Result<(), String> {
        let names = Names::of(certificate, end_entity)?;
        let (permitted, excluded) = (&self.permitted, &self.excluded);
        for name in &names.dns {
            check_form("dNSName", name, &permitted.dns, &excluded.dns, |base| dns_within(name, base))?;
        }
        for name in &names.email {
            check_form("rfc822Name", name, &permitted.email, &excluded.email, |base| email_within(name, base))?;
        }
        for (text, name) in &names.directory {
            check_form("directoryName", text, &permitted.directory, &excluded.directory, |base| name.is_within(base))?;
        }
        Ok(())
    }
}

/// One name against the subtrees of its form: within a permitted one (when there are any), within
/// no excluded one.
fn check_form<B>(
    form: &str,
    name: &str,
    permitted: &[B],
    excluded: &[B],
    within: impl Fn(&B) -> bool,
) -> Result<(), String> {
    if !permitted.is_empty() && !permitted.iter().any(&within) {
        return Err(format!("its {form} {name:?} is outside every permitted subtree"));
    }
    if excluded.iter().any(within) {
        return Err(format!("its {form} {name:?} is within an excluded subtree"));
    }
    Ok(())
}

impl Subtrees {
    fn read(subtrees: Option<&GeneralSubtrees>, unsupported: &mut Vec<&'static str>) -> Result<Self, der::Error> {
        let mut read = Self::default();
        for subtree in subtrees.into_iter().flatten() {
            if subtree.minimum != 0 || subtree.maximum.is_some() {
                unsupported.push("a subtree with minimum or maximum");
                continue;
            }
            match &subtree.base {
                GeneralName::DnsName(dns) => read.dns.push(dns.as_str().to_ascii_lowercase()),
                GeneralName::Rfc822Name(email) => read.email.push(email.as_str().to_owned()),
                GeneralName::DirectoryName(name) => read.directory.push(NameKey::of_name(name)?),
                GeneralName::OtherName(_) => unsupported.push("otherName"),
                GeneralName::EdiPartyName(_) => unsupported.push("ediPartyName"),
                GeneralName::UniformResourceIdentifier(_) => unsupported.push("uniformResourceIdentifier"),
                GeneralName::IpAddress(_) => unsupported.push("iPAddress"),
                GeneralName::RegisteredId(_) => unsupported.push("registeredID"),
            }
        }
        Ok(read)
    }
}

impl<'c> Names<'c> {
    fn of(certificate: &'c Certificate, end_entity: bool) -> Result<Self, String> {
        let tbs = certificate.x509().tbs_certificate();
        let san = match tbs.filter_extensions::<SubjectAltName>().next() {
            Some(Ok((_, SubjectAltName(names)))) => Some(names),
            Some(Err(e)) => return Err(format!("its subjectAltName cannot be read: {e}")),
            None => None,
        };
        let mut names = Self { dns: Vec::new(), email: Vec::new(), directory: Vec::new() };
        if !certificate.subject_name_key().is_empty() {
            names.directory.push((certificate.subject().to_owned(), certificate.subject_name_key().clone()));
        }
        for name in san.iter().flatten() {
            match name {
                GeneralName::Rfc822Name(email) => names.email.push(email.as_str().to_owned()),
                GeneralName::DirectoryName(name) => {
                    let unreadable =
                        |e: der::Error| format!("a directoryName of its subjectAltName cannot be read: {e}");
                    let text = dn_format::format(name).map_err(unreadable)?;
                    names.directory.push((text, NameKey::of_name(name).map_err(unreadable)?));
                }
                _ => {}
            }
        }
        names.dns = certificate.dns_names().iter().map(String::as_str).collect();
        // The identity check reads an end entity's common name as a DNS name when there is no
        // dNSName: so do the constraints, or a constrained CA could issue for any host by CN.
        if end_entity
            && names.dns.is_empty()
            && let Some(cn) = certificate.common_name().filter(|cn| looks_like_host(cn))
        {
            names.dns.push(cn);
        }
        if san.is_none() {
            let attributes = rdns::most_specific_first(tbs.subject()).flat_map(|rdn| rdn.iter());
            for attribute in attributes.filter(|a| a.oid == EMAIL_ADDRESS) {
                match AttrValue::decode(&attribute.value) {
                    Ok(AttrValue::Text(email)) => names.email.push(email),
                    _ => return Err("an emailAddress of its subject cannot be read".to_owned()),
                }
            }
        }
        Ok(names)
    }
}

/// A name of letters, digits, hyphens and dots: what a DNS identity can match.
fn looks_like_host(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Is `name` within the DNS subtree `base` (already lower case)? Any labels may be added on the
/// left of `base`; a `base` with a leading dot admits only names below it; an empty one admits all.
fn dns_within(name: &str, base: &str) -> bool {
    let name = name.to_ascii_lowercase();
    if base.is_empty() {
        return true;
    }
    if base.starts_with('.') {
        return name.len() > base.len() && name.ends_with(base);
    }
    name == base || name.strip_suffix(base).is_some_and(|head| head.ends_with('.'))
}

/// Is the mailbox `name` within the rfc822Name subtree `base`: a mailbox (that one), a host (every
/// mailbox on it) or a domain with a leading dot (every mailbox on a host below it)? Hosts
/// compare ignoring ASCII case; a name that is not a mailbox is within nothing.
fn email_within(name: &str, base: &str) -> bool {
    let Some((local, host)) = name.rsplit_once('@') else {
        return false;
    };
    match base.rsplit_once('@') {
        Some((base_local, base_host)) => local == base_local && host.eq_ignore_ascii_case(base_host),
        None if base.starts_with('.') => {
            host.len() > base.len() && host.to_ascii_lowercase().ends_with(&base.to_ascii_lowercase())
        }
        None => host.eq_ignore_ascii_case(base),
    }
}

#[cfg(test)]
mod tests {
    use super::{dns_within, email_within, looks_like_host};

    #[test]
    fn dns_subtrees() {
        assert!(dns_within("example.com", "example.com"));
        assert!(dns_within("Host.Example.com", "example.com"));
        assert!(!dns_within("badexample.com", "example.com"));
        assert!(!dns_within("example.com", ".example.com"));
        assert!(dns_within("a.example.com", ".example.com"));
        assert!(dns_within("anything", ""));
    }

    #[test]
    fn email_subtrees() {
        assert!(email_within("ann@example.com", "ann@EXAMPLE.com"));
        assert!(!email_within("Ann@example.com", "ann@example.com"));
        assert!(email_within("bob@Example.com", "example.com"));
        assert!(!email_within("bob@mail.example.com", "example.com"));
        assert!(email_within("bob@mail.example.com", ".example.com"));
        assert!(!email_within("bob@example.com", ".example.com"));
        assert!(!email_within("not-a-mailbox", "example.com"));
    }

    #[test]
    fn hosts() {
        assert!(looks_like_host("service.example"));
        assert!(!looks_like_host("Test Root"));
        assert!(looks_like_host("localhost"));
    }
}
