//! The extensions chain validation reads, decoded once at parse time: basicConstraints, keyUsage,
//! extendedKeyUsage, authorityKeyIdentifier, the UPNs of subjectAltName, nameConstraints, and which extensions are
//! critical. A malformed extension reads as absent here; validation refuses what it needs and
//! cannot read.

use super::name_constraints::NameConstraints;
use der::asn1::{ObjectIdentifier, Utf8StringRef};
use x509_cert::TbsCertificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};

/// The userPrincipalName otherName of a subjectAltName (Microsoft, 1.3.6.1.4.1.311.20.2.3).
const UPN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.311.20.2.3");

/// The decoded extensions of one certificate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extensions {
    /// basicConstraints: (cA, pathLenConstraint).
    pub(crate) basic_constraints: Option<(bool, Option<u8>)>,
    /// The keyUsage bits (bit 0 = digitalSignature), when present.
    pub(crate) key_usage: Option<KeyUsage>,
    /// The extendedKeyUsage purposes, when present.
    pub(crate) extended_key_usage: Option<Vec<ObjectIdentifier>>,
    /// The keyIdentifier of authorityKeyIdentifier.
    pub(crate) authority_key_identifier: Option<Vec<u8>>,
    /// The userPrincipalName entries of subjectAltName.
    pub(crate) user_principal_names: Vec<String>,
    /// nameConstraints, when present: read, or why it cannot be.
    pub(crate) name_constraints: Option<Result<NameConstraints, String>>,
    /// The OIDs of every extension marked critical.
    pub(crate) critical: Vec<ObjectIdentifier>,
}

impl Extensions {
    /// Reads the extensions of `tbs`.
    pub(crate) fn read(tbs: &TbsCertificate) -> Self {
        Self {
            basic_constraints: tbs
                .filter_extensions::<BasicConstraints>()
                .next()
                .and_then(Result::ok)
                .map(|(_, bc)| (bc.ca, bc.path_len_constraint)),
            key_usage: tbs.filter_extensions::<KeyUsage>().next().and_then(Result::ok).map(|(_, ku)| ku),
            extended_key_usage: tbs
                .filter_extensions::<ExtendedKeyUsage>()
                .next()
                .and_then(Result::ok)
                .map(|(_, eku)| eku.0),
            authority_key_identifier: tbs
                .filter_extensions::<AuthorityKeyIdentifier>()
                .next()
                .and_then(Result::ok)
                .and_then(|(_, aki)| aki.key_identifier.map(|id| id.as_bytes().to_vec())),
            user_principal_names: user_principal_names(tbs),
            name_constraints: NameConstraints::read(tbs),
            critical: tbs.extensions().into_iter().flatten().filter(|e| e.critical).map(|e| e.extn_id).collect(),
        }
    }
}

/// The UPN otherName entries of the first subjectAltName that decodes.
fn user_principal_names(tbs: &TbsCertificate) -> Vec<String> {
    let Some(Ok((_, SubjectAltName(names)))) = tbs.filter_extensions::<SubjectAltName>().next() else {
        return Vec::new();
    };
    let upns = names.iter().filter_map(|name| match name {
        GeneralName::OtherName(other) if other.type_id == UPN => {
            other.value.decode_as::<Utf8StringRef<'_>>().ok().map(|s| s.as_str().to_owned())
        }
        _ => None,
    });
    upns.collect()
}
