//! The certificate type: parsed once, every field WS-Security refers to ready to read.

use std::fmt;
use std::sync::Arc;

use der::asn1::ObjectIdentifier;
use time::OffsetDateTime;
use x509_cert::ext::pkix::KeyUsage;

use super::dn_match::NameKey;
use super::name_constraints::NameConstraints;
use super::parsed::Parsed;
use super::{CertError, pem_blocks, serial};

/// The PEM labels a certificate is found under: RFC 7468's, and the legacy ones it says to accept.
const CERTIFICATE_LABELS: [&str; 3] = ["CERTIFICATE", "X509 CERTIFICATE", "X.509 CERTIFICATE"];

/// An X.509 certificate parsed once; cheap to clone (the parsed form is shared), `Send` and `Sync`.
///
/// Every string and digest is computed at parse time. Legacy certificates parse: negative and
/// zero serial numbers, MD5 and SHA-1 signature algorithms, v1 certificates without extensions,
/// malformed or duplicated extensions (the first one that decodes is used, or none).
#[derive(Clone)]
pub struct Certificate {
    inner: Arc<Parsed>,
}

impl Certificate {
    /// Parses one DER-encoded certificate; nothing may follow it.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        Parsed::new(der).map(|parsed| Self { inner: Arc::new(parsed) })
    }

    /// Every certificate of a PEM text, in order (blocks of other types are skipped); an error
    /// when there is none, or when any block is malformed.
    pub fn from_pem_all(pem: &[u8]) -> Result<Vec<Self>, CertError> {
        let blocks = pem_blocks(pem)?;
        let certificates = blocks.iter().filter(|(label, _)| CERTIFICATE_LABELS.contains(&label.as_str()));
        let certificates = certificates.map(|(_, der)| Self::from_der(der)).collect::<Result<Vec<_>, _>>()?;
        if certificates.is_empty() {
            return Err(CertError::new("no CERTIFICATE block in the PEM text"));
        }
        Ok(certificates)
    }

    /// The first certificate of a PEM text.
    pub fn from_pem(pem: &[u8]) -> Result<Self, CertError> {
        Self::from_pem_all(pem)?
            .into_iter()
            .next()
            .ok_or_else(|| CertError::new("no CERTIFICATE block in the PEM text"))
    }

    /// The DER encoding, exactly as parsed.
    pub fn der(&self) -> &[u8] {
        &self.inner.der
    }

    /// The SubjectPublicKeyInfo, DER, exactly as in the certificate.
    pub fn spki_der(&self) -> &[u8] {
        &self.inner.spki_der
    }

    /// The subject as an RFC 4514 string, most specific RDN first (`CN=wss-server,O=Probe`).
    ///
    /// Types with an RFC 4514 keyword (CN, L, ST, O, OU, C, STREET, DC, UID) are written by it;
    /// every other type (emailAddress included) as a dotted OID with the value's DER in hex
    /// (`1.2.840.113549.1.9.1=#16...`), as Java's `X500Principal.getName()` and so WSS4J write them.
    /// Non-ASCII characters are written as UTF-8, not escaped.
    pub fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// The issuer as an RFC 4514 string, written as [`Certificate::subject`] is: the form to put
    /// in an `X509IssuerName`.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// Does an `X509IssuerName` from a message name this certificate's issuer?
    ///
    /// Accepts RFC 4514/2253 strings in either RDN order, the spellings .NET, Java and OpenSSL
    /// write (aliases such as `E`, `EMAILADDRESS`, `S`, `OID.2.5.4.3`, dotted OIDs, any case),
    /// spaces around separators, `;` separators, escapes, quoted values, `#`-hex values and
    /// multi-valued RDNs. Values compare as RFC 5280's caseIgnoreMatch does. A string that is not a
    /// distinguished name gives `false`.
    ///
    /// [`Certificate::issuer`] itself is recognised without parsing (checked once, when the
    /// certificate is parsed, to read back as the issuer).
    pub fn issuer_matches(&self, name: &str) -> bool {
        (self.inner.issuer_text_matches && name == self.inner.issuer)
            || NameKey::parse(name).is_some_and(|written| self.inner.issuer_key.matches(&written))
    }

    /// The serial number in decimal, the `X509SerialNumber` form; negative serials start with `-`.
    pub fn serial_decimal(&self) -> &str {
        &self.inner.serial_decimal
    }

    /// Does a decimal `X509SerialNumber` from a message equal the serial number? Surrounding white
    /// space, a leading `+` and leading zeros are tolerated.
    pub fn serial_matches(&self, decimal: &str) -> bool {
        serial::matches(&self.inner.serial_decimal, decimal)
    }

    /// The key identifier of the subjectKeyIdentifier extension, if present.
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        self.inner.subject_key_identifier.as_deref()
    }

    /// The SHA-1 digest of the DER: WS-Security's ThumbprintSHA1, WCF's thumbprint.
    pub fn thumbprint_sha1(&self) -> [u8; 20] {
        self.inner.sha1
    }

    /// The SHA-256 digest of the DER.
    pub fn sha256(&self) -> [u8; 32] {
        self.inner.sha256
    }

    /// The SHA-1 thumbprint in upper-case hex, as Windows shows it.
    pub fn thumbprint_hex(&self) -> &str {
        &self.inner.thumbprint_hex
    }

    /// The start of the validity period.
    pub fn not_before(&self) -> OffsetDateTime {
        self.inner.not_before
    }

    /// The end of the validity period.
    pub fn not_after(&self) -> OffsetDateTime {
        self.inner.not_after
    }

    /// The subject's most specific common name (the first CN of [`Certificate::subject`]).
    pub fn common_name(&self) -> Option<&str> {
        self.inner.common_name.as_deref()
    }

    /// The subjectAltName dNSName entries, in order.
    pub fn dns_names(&self) -> &[String] {
        &self.inner.dns_names
    }

    /// The userPrincipalName (otherName 1.3.6.1.4.1.311.20.2.3) entries of subjectAltName.
    pub fn user_principal_names(&self) -> &[String] {
        &self.inner.extensions.user_principal_names
    }

    /// basicConstraints as `(cA, pathLenConstraint)`, when present and readable.
    pub fn basic_constraints(&self) -> Option<(bool, Option<u8>)> {
        self.inner.extensions.basic_constraints
    }

    /// The keyUsage extension, when present and readable.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.inner.extensions.key_usage
    }

    /// The extendedKeyUsage purposes, when the extension is present and readable.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.inner.extensions.extended_key_usage.as_deref()
    }

    /// The keyIdentifier of the authorityKeyIdentifier extension, if present.
    pub fn authority_key_identifier(&self) -> Option<&[u8]> {
        self.inner.extensions.authority_key_identifier.as_deref()
    }

    /// The OIDs of the extensions marked critical.
    pub fn critical_extensions(&self) -> &[ObjectIdentifier] {
        &self.inner.extensions.critical
    }

    /// The nameConstraints extension, when present: read, or why it cannot be.
    pub(crate) fn name_constraints(&self) -> Option<Result<&NameConstraints, &str>> {
        self.inner.extensions.name_constraints.as_ref().map(|read| read.as_ref().map_err(String::as_str))
    }

    /// The subject in normalized form.
    pub(crate) fn subject_name_key(&self) -> &NameKey {
        &self.inner.subject_key
    }

    /// The TBSCertificate exactly as encoded: the bytes the issuer's signature covers.
    pub fn tbs_der(&self) -> &[u8] {
        &self.inner.der[self.inner.tbs.clone()]
    }

    /// Is `issuer`'s subject this certificate's issuer name (RDN by RDN, values compared as
    /// caseIgnoreMatch), with matching key identifiers when both certificates carry them?
    pub fn names_issuer(&self, issuer: &Certificate) -> bool {
        let keys_agree = match (self.authority_key_identifier(), issuer.subject_key_identifier()) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        };
        keys_agree && self.inner.issuer_key == issuer.inner.subject_key
    }

    /// Is the subject this normalized name?
    pub(crate) fn subject_key_equals(&self, name: &NameKey) -> bool {
        self.inner.subject_key == *name
    }

    /// Does a distinguished name string (RFC 4514 in either RDN order, any spelling
    /// [`Certificate::issuer_matches`] reads) name the subject?
    pub fn subject_matches(&self, name: &str) -> bool {
        NameKey::parse(name).is_some_and(|written| self.inner.subject_key.matches(&written))
    }

    /// Is the certificate self-issued (its issuer name is its subject name)?
    pub fn is_self_issued(&self) -> bool {
        self.inner.issuer_key == self.inner.subject_key
    }

    /// The certificate as x509-cert parsed it, for code that needs more.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner.x509
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der() == other.der()
    }
}

impl Eq for Certificate {}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("serial", &self.serial_decimal())
            .field("thumbprint", &self.thumbprint_hex())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use rcgen::{CertificateParams, DnType, DnValue, KeyPair};

    use super::{Certificate, NameKey};

    /// A self-signed certificate whose subject (and so issuer) is `names`, in order.
    fn self_signed(names: &[(DnType, DnValue)]) -> Certificate {
        let mut params = CertificateParams::default();
        for (kind, value) in names {
            params.distinguished_name.push(kind.clone(), value.clone());
        }
        let key = KeyPair::generate().expect("a key");
        Certificate::from_der(params.self_signed(&key).expect("signs").der()).expect("parses")
    }

    /// The per-message match, without the precomputed spelling.
    fn parsed_match(certificate: &Certificate, name: &str) -> bool {
        NameKey::parse(name).is_some_and(|written| certificate.inner.issuer_key.matches(&written))
    }

    #[test]
    fn the_precomputed_spelling_answers_as_parsing_does() {
        let text = |s: &str| DnValue::Utf8String(s.to_owned());
        let certificates = [
            self_signed(&[(DnType::CountryName, text("DE")), (DnType::CommonName, text("Probe Root"))]),
            self_signed(&[(DnType::OrganizationName, text("Probe, Inc.")), (DnType::CommonName, text(" spaced "))]),
            self_signed(&[(DnType::CommonName, text("#hash+plus;semi<lt>\\back\"quote"))]),
            self_signed(&[
                (
                    DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]),
                    DnValue::Ia5String("ca@probe.example".try_into().unwrap()),
                ),
                (DnType::CommonName, text("Zürich")),
            ]),
            self_signed(&[(DnType::CommonName, DnValue::PrintableString("Printable".try_into().unwrap()))]),
        ];
        for certificate in &certificates {
            let issuer = certificate.issuer().to_owned();
            assert!(certificate.inner.issuer_text_matches, "{issuer}");
            let spellings = [
                issuer.clone(),
                issuer.to_lowercase(),
                issuer.to_uppercase(),
                issuer.replace(',', ", "),
                issuer.split(',').rev().collect::<Vec<_>>().join(","),
                format!(" {issuer} "),
                format!("{issuer},C=XX"),
                issuer[..issuer.len() - 1].to_owned(),
                format!("{issuer}x"),
                String::new(),
                "not a name".to_owned(),
            ];
            for spelling in &spellings {
                assert_eq!(
                    certificate.issuer_matches(spelling),
                    parsed_match(certificate, spelling),
                    "{issuer} against {spelling:?}"
                );
            }
            assert!(certificate.issuer_matches(&issuer));
        }
    }
}
