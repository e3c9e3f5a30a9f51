//! Name constraints (RFC 5280 §4.2.1.10) on rcgen-made CAs: dNSName, rfc822Name and
//! directoryName subtrees, permitted and excluded, on the subject and subjectAltName of every
//! certificate below the constraining CA; critical constraints on other name forms are refused.

#[path = "trust_data/pki.rs"]
mod pki;

use pki::{Purpose, ca_params, ec_key, issue, leaf_params, root};
use rcgen::{CertifiedIssuer, DistinguishedName, DnType, GeneralSubtree, NameConstraints, SanType};
use wsseal_core::ErrorCode;
use wsseal_core::cert::Certificate;
use wsseal_core::trust::{Role, TrustMaterial, TrustMode, TrustValidator, ValidationSettings};
use wsseal_core::wss::CertificateValidator;

/// A root and an intermediate under it carrying `permitted` and `excluded` subtrees, with a
/// validator (a client's) trusting the root and knowing the intermediate.
struct Constrained {
    intermediate: pki::Ca,
    validator: TrustValidator,
}

/// A client's ChainTrust validator: `root` the anchor, `intermediate` configured.
fn client_validator(root: &pki::Ca, intermediate: &pki::Ca) -> TrustValidator {
    let material = TrustMaterial {
        anchors: vec![pki::certificate(root)],
        intermediates: vec![pki::certificate(intermediate)],
        ..TrustMaterial::default()
    };
    TrustValidator::new(ValidationSettings::new(TrustMode::ChainTrust, Role::Client), material).unwrap()
}

impl Constrained {
    fn new(permitted: Vec<GeneralSubtree>, excluded: Vec<GeneralSubtree>) -> Self {
        let root = root("Constraints Root", None);
        let mut params = ca_params("Constrained Intermediate", None);
        params.name_constraints = Some(NameConstraints { permitted_subtrees: permitted, excluded_subtrees: excluded });
        let intermediate = CertifiedIssuer::signed_by(params, ec_key(), &root).expect("intermediate");
        let validator = client_validator(&root, &intermediate);
        Self { intermediate, validator }
    }

    /// A service certificate for `names` (the first is the CN too).
    fn leaf(&self, edit: impl FnOnce(&mut rcgen::CertificateParams)) -> Certificate {
        let mut params = leaf_params("service.example.com", Purpose::Server);
        edit(&mut params);
        issue(params, &ec_key(), &self.intermediate)
    }

    fn verdict(&self, leaf: &Certificate) -> Result<(), ErrorCode> {
        self.validator.validate_der(leaf.der()).map(|_| ()).map_err(|e| e.code())
    }
}

fn dns(names: &[&str]) -> impl FnOnce(&mut rcgen::CertificateParams) {
    let names: Vec<SanType> = names.iter().map(|n| SanType::DnsName((*n).try_into().unwrap())).collect();
    move |p| p.subject_alt_names = names
}

const VIOLATED: Result<(), ErrorCode> = Err(ErrorCode::CertificateNameConstraintsViolated);

#[test]
fn dns_name_subtrees() {
    let ca = Constrained::new(
        vec![GeneralSubtree::DnsName("example.com".into())],
        vec![GeneralSubtree::DnsName("secret.example.com".into())],
    );
    assert_eq!(ca.verdict(&ca.leaf(dns(&["service.example.com"]))), Ok(()));
    assert_eq!(ca.verdict(&ca.leaf(dns(&["EXAMPLE.com", "a.b.example.com"]))), Ok(()));
    assert_eq!(ca.verdict(&ca.leaf(dns(&["service.example.org"]))), VIOLATED);
    assert_eq!(ca.verdict(&ca.leaf(dns(&["badexample.com"]))), VIOLATED);
    // Every name must be permitted, not just one.
    assert_eq!(ca.verdict(&ca.leaf(dns(&["service.example.com", "evil.org"]))), VIOLATED);
    assert_eq!(ca.verdict(&ca.leaf(dns(&["db.secret.example.com"]))), VIOLATED);
    // Without a dNSName, an end entity's common name is the DNS name an identity check reads.
    let by_cn = |cn: &str| {
        ca.leaf(|p| {
            p.subject_alt_names.clear();
            p.distinguished_name = DistinguishedName::new();
            p.distinguished_name.push(DnType::CommonName, cn);
        })
    };
    assert_eq!(ca.verdict(&by_cn("host.example.com")), Ok(()));
    assert_eq!(ca.verdict(&by_cn("host.example.org")), VIOLATED);
    assert_eq!(ca.verdict(&by_cn("Some Service")), Ok(()));
}

#[test]
fn rfc822_name_subtrees() {
    let ca = Constrained::new(
        vec![GeneralSubtree::Rfc822Name("example.com".into()), GeneralSubtree::Rfc822Name(".example.net".into())],
        vec![GeneralSubtree::Rfc822Name("boss@example.com".into())],
    );
    let mail = |address: &str| {
        let san = SanType::Rfc822Name(address.try_into().unwrap());
        ca.leaf(move |p| p.subject_alt_names.push(san))
    };
    assert_eq!(ca.verdict(&mail("ann@example.com")), Ok(()));
    assert_eq!(ca.verdict(&mail("ann@mail.example.net")), Ok(()));
    assert_eq!(ca.verdict(&mail("ann@example.net")), VIOLATED);
    assert_eq!(ca.verdict(&mail("ann@mail.example.com")), VIOLATED);
    assert_eq!(ca.verdict(&mail("boss@example.com")), VIOLATED);
    // Without a subjectAltName, the subject's emailAddress is the mailbox.
    let in_subject = |address: &str| {
        ca.leaf(|p| {
            p.subject_alt_names.clear();
            p.distinguished_name.push(DnType::CustomDnType(vec![1, 2, 840, 113549, 1, 9, 1]), address);
        })
    };
    assert_eq!(ca.verdict(&in_subject("ann@example.com")), Ok(()));
    assert_eq!(ca.verdict(&in_subject("ann@evil.org")), VIOLATED);
}

#[test]
fn directory_name_subtrees() {
    let name = |parts: &[(DnType, &str)]| {
        let mut dn = DistinguishedName::new();
        for (kind, value) in parts {
            dn.push(kind.clone(), *value);
        }
        dn
    };
    let ca = Constrained::new(
        vec![GeneralSubtree::DirectoryName(name(&[
            (DnType::CountryName, "US"),
            (DnType::OrganizationName, "Contoso"),
        ]))],
        vec![GeneralSubtree::DirectoryName(name(&[
            (DnType::CountryName, "US"),
            (DnType::OrganizationName, "Contoso"),
            (DnType::OrganizationalUnitName, "Retired"),
        ]))],
    );
    let subject = |parts: &[(DnType, &str)]| {
        let dn = name(parts);
        ca.leaf(move |p| p.distinguished_name = dn)
    };
    let (c, o, ou, cn) =
        (DnType::CountryName, DnType::OrganizationName, DnType::OrganizationalUnitName, DnType::CommonName);
    assert_eq!(ca.verdict(&subject(&[(c.clone(), "US"), (o.clone(), "Contoso"), (cn.clone(), "svc")])), Ok(()));
    // Values compare as caseIgnoreMatch does.
    assert_eq!(ca.verdict(&subject(&[(c.clone(), "US"), (o.clone(), "CONTOSO"), (cn.clone(), "svc")])), Ok(()));
    assert_eq!(ca.verdict(&subject(&[(c.clone(), "US"), (o.clone(), "Fabrikam"), (cn.clone(), "svc")])), VIOLATED);
    // The constraint is a prefix from the root: the same RDNs elsewhere do not count.
    assert_eq!(ca.verdict(&subject(&[(o.clone(), "Contoso"), (c.clone(), "US"), (cn.clone(), "svc")])), VIOLATED);
    let retired = [(c, "US"), (o, "Contoso"), (ou, "Retired"), (cn, "svc")];
    assert_eq!(ca.verdict(&subject(&retired)), VIOLATED);
    // A subjectAltName directoryName is held to the same subtrees (rcgen writes none: DER by hand).
    let san_directory = |country: &[u8]| {
        let c =
            pki::tlv(0x31, &pki::tlv(0x30, &[&[0x06, 0x03, 0x55, 0x04, 0x06][..], &pki::tlv(0x13, country)].concat()));
        let o = pki::tlv(
            0x31,
            &pki::tlv(0x30, &[&[0x06, 0x03, 0x55, 0x04, 0x0a][..], &pki::tlv(0x0c, b"Contoso")].concat()),
        );
        let san = pki::tlv(0x30, &pki::tlv(0xa4, &pki::tlv(0x30, &[c, o].concat())));
        let subject = name(&[(DnType::CountryName, "US"), (DnType::OrganizationName, "Contoso")]);
        ca.leaf(move |p| {
            p.distinguished_name = subject;
            p.subject_alt_names.clear();
            p.custom_extensions.push(rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 17], san));
        })
    };
    assert_eq!(ca.verdict(&san_directory(b"US")), Ok(()));
    assert_eq!(ca.verdict(&san_directory(b"FR")), VIOLATED);
}

#[test]
fn constraints_of_the_anchor_bind_the_whole_path() {
    let mut params = ca_params("Constrained Root", None);
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
        excluded_subtrees: vec![],
    });
    let root = CertifiedIssuer::self_signed(params, ec_key()).unwrap();
    let intermediate = pki::intermediate("Plain Intermediate", &root);
    let validator = client_validator(&root, &intermediate);
    let good = issue(leaf_params("service.example.com", Purpose::Server), &ec_key(), &intermediate);
    validator.validate_der(good.der()).unwrap();
    let bad = issue(leaf_params("service.example.org", Purpose::Server), &ec_key(), &intermediate);
    let error = validator.validate_der(bad.der()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateNameConstraintsViolated);
    assert!(error.message().contains("service.example.org") && error.message().contains("Constrained Root"), "{error}");
}

#[test]
fn critical_constraints_on_other_name_forms_are_refused() {
    let ca = Constrained::new(
        vec![
            GeneralSubtree::DnsName("example.com".into()),
            GeneralSubtree::IpAddress(rcgen::CidrSubnet::V4([10, 0, 0, 0], [255, 0, 0, 0])),
        ],
        vec![],
    );
    let error = ca.validator.validate_der(ca.leaf(|_| {}).der()).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CertificateCriticalExtension);
    assert!(error.message().contains("iPAddress"), "{error}");
}
