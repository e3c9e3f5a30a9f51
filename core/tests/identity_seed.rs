//! Service identity: the seed's vectors (its WSDL certificate, its encodedValue blob and its
//! RSAKeyValue describe one certificate), every identity kind, and where identities are read from.

#[path = "trust_data/pki.rs"]
mod pki;

use pki::{Purpose, SEED_CERTIFICATE, SEED_ENCODED_VALUE, SEED_RSA, ec_key, issue, leaf_params, root, seed};
use rcgen::SanType;
use wsseal_core::ErrorCode;
use wsseal_core::identity::Identity;
use wsseal_core::trust::DirectoryStore;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[test]
fn the_seed_certificate_parses_with_its_legacy_fields() {
    let seed = seed();
    assert_eq!(seed.der().len(), 458);
    assert_eq!(seed.subject(), "CN=identity.com,O=Contoso");
    assert_eq!(seed.issuer(), "CN=Root Agency");
    assert_eq!(seed.thumbprint_hex(), "470103388E5F9398B4F936F2949F64F0A96395EF");
    assert!(seed.serial_decimal().starts_with('-'), "negative serial {}", seed.serial_decimal());
}

#[test]
fn the_seed_vectors_describe_one_certificate() {
    let seed = seed();
    let wsdl = format!(
        r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"><wsdl:service><wsdl:port><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>https://localhost/svc</Address><Identity xmlns="http://schemas.xmlsoap.org/ws/2006/02/addressingidentity"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{SEED_CERTIFICATE}</X509Certificate></X509Data></KeyInfo></Identity></EndpointReference></wsdl:port></wsdl:service></wsdl:definitions>"#
    );
    let identities = [
        Identity::from_wsdl(&wsdl).expect("WSDL identity"),
        Identity::from_xml(&format!(r#"<identity><certificate encodedValue="{SEED_ENCODED_VALUE}"/></identity>"#))
            .expect("encodedValue"),
        Identity::from_xml(&format!(r#"<rsa value="{}"/>"#, escape(SEED_RSA))).expect("rsa"),
        Identity::from_xml(r#"<identity><dns value="identity.com"/></identity>"#).expect("dns"),
        Identity::from_xml(r#"<dns value="IDENTITY.com"/>"#).expect("dns, case"),
    ];
    for identity in &identities {
        identity.check(&seed).unwrap_or_else(|e| panic!("{identity}: {e}"));
    }
    let wrong = Identity::from_xml(r#"<identity><dns value="contoso.com"/></identity>"#).unwrap();
    let error = wrong.check(&seed).unwrap_err();
    assert_eq!(error.code(), ErrorCode::IdentityMismatch);
    assert!(error.message().contains("contoso.com") && error.message().contains("identity.com"), "{error}");
}

#[test]
fn certificate_and_rsa_identities_refuse_other_certificates() {
    let other = issue(leaf_params("identity.com", Purpose::Server), &ec_key(), &root("R", None));
    for xml in [
        format!(r#"<certificate encodedValue="{SEED_ENCODED_VALUE}"/>"#),
        format!(r#"<certificate encodedValue="{SEED_CERTIFICATE}"/>"#),
        format!(r#"<rsa value="{}"/>"#, escape(SEED_RSA)),
    ] {
        let identity = Identity::from_xml(&xml).unwrap();
        assert_eq!(identity.check(&other).unwrap_err().code(), ErrorCode::IdentityMismatch, "{xml}");
    }
    // The DNS identity of `other` does match: dns names are claims, not keys.
    Identity::Dns("identity.com".into()).check(&other).unwrap();
}

#[test]
fn a_serialized_store_yields_its_first_certificate() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let der = b64.decode(SEED_CERTIFICATE).unwrap();
    let mut blob = vec![0, 0, 0, 0, b'C', b'E', b'R', b'T'];
    let mut record = |property: u32, value: &[u8]| {
        blob.extend_from_slice(&property.to_le_bytes());
        blob.extend_from_slice(&1u32.to_le_bytes());
        blob.extend_from_slice(&(value.len() as u32).to_le_bytes());
        blob.extend_from_slice(value);
    };
    record(3, &seed().thumbprint_sha1());
    record(32, &der);
    blob.extend_from_slice(&[0; 12]);
    let identity = Identity::from_xml(&format!(r#"<certificate encodedValue="{}"/>"#, b64.encode(&blob))).unwrap();
    identity.check(&seed()).unwrap();
    // Truncated records and blobs without a certificate are refused.
    for bad in [&blob[..30], &blob[..8]] {
        let xml = format!(r#"<certificate encodedValue="{}"/>"#, b64.encode(bad));
        assert_eq!(Identity::from_xml(&xml).unwrap_err().code(), ErrorCode::IdentityInvalid);
    }
}

#[test]
fn dns_claims_follow_the_subject_alternative_names() {
    let ca = root("R", None);
    let mut params = leaf_params("cn.example", Purpose::Server);
    params.subject_alt_names =
        vec![SanType::DnsName("a.example".try_into().unwrap()), SanType::DnsName("b.example".try_into().unwrap())];
    let with_sans = issue(params, &ec_key(), &ca);
    Identity::Dns("B.example".into()).check(&with_sans).unwrap();
    // With SANs, the CN is not a claim; wildcards are not expanded.
    assert_eq!(Identity::Dns("cn.example".into()).check(&with_sans).unwrap_err().code(), ErrorCode::IdentityMismatch);
    assert_eq!(Identity::Dns("*.example".into()).check(&with_sans).unwrap_err().code(), ErrorCode::IdentityMismatch);
    let mut params = leaf_params("cn.example", Purpose::Server);
    params.subject_alt_names.clear();
    Identity::Dns("cn.example".into()).check(&issue(params, &ec_key(), &ca)).unwrap();
}

#[test]
fn upn_and_spn() {
    let ca = root("R", None);
    let mut params = leaf_params("svc.example", Purpose::Server);
    params
        .subject_alt_names
        .push(SanType::OtherName((vec![1, 3, 6, 1, 4, 1, 311, 20, 2, 3], "svc@Contoso.com".into())));
    let certificate = issue(params, &ec_key(), &ca);
    Identity::from_xml(r#"<userPrincipalName value="SVC@contoso.com"/>"#).unwrap().check(&certificate).unwrap();
    let other = Identity::from_xml(r#"<userPrincipalName value="other@contoso.com"/>"#).unwrap();
    assert_eq!(other.check(&certificate).unwrap_err().code(), ErrorCode::IdentityMismatch);
    let spn = Identity::from_xml(r#"<identity><servicePrincipalName value="host/svc"/></identity>"#).unwrap();
    let error = spn.check(&certificate).unwrap_err();
    assert_eq!(error.code(), ErrorCode::IdentityUnsatisfiable);
    assert!(error.message().contains("not satisfiable by an X.509 certificate"), "{error}");
}

#[test]
fn wsdl_identities_of_other_kinds() {
    let wrap = |inner: &str| {
        format!(
            r#"<definitions><Identity xmlns="http://schemas.xmlsoap.org/ws/2006/02/addressingidentity">{inner}</Identity></definitions>"#
        )
    };
    assert_eq!(Identity::from_wsdl(&wrap("<Dns>identity.com</Dns>")).unwrap(), Identity::Dns("identity.com".into()));
    assert_eq!(
        Identity::from_wsdl(&wrap("<Spn>host/x</Spn>")).unwrap(),
        Identity::ServicePrincipalName("host/x".into())
    );
    let rsa = wrap(&format!(
        r#"<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><KeyValue>{SEED_RSA}</KeyValue></KeyInfo>"#
    ));
    Identity::from_wsdl(&rsa).unwrap().check(&seed()).unwrap();
    let two = format!("<w>{}{}</w>", wrap("<Dns>a</Dns>"), wrap("<Dns>b</Dns>"));
    assert_eq!(Identity::from_wsdl(&two).unwrap_err().code(), ErrorCode::IdentityInvalid);
    assert_eq!(Identity::from_wsdl("<definitions/>").unwrap_err().code(), ErrorCode::IdentityInvalid);
}

#[test]
fn malformed_identities_are_refused() {
    for xml in [
        "<identity/>",
        "<identity><dns value='a'/><dns value='b'/></identity>",
        "<dns/>",
        "<kerberos value='x'/>",
        "<certificate encodedValue='!!'/>",
        "<rsa value='&lt;RSAKeyValue/&gt;'/>",
        "<identity><dns value='a'/>",
        "<!DOCTYPE x><identity/>",
    ] {
        assert_eq!(Identity::from_xml(xml).unwrap_err().code(), ErrorCode::IdentityInvalid, "{xml}");
    }
}

#[test]
fn the_default_is_the_endpoint_host() {
    for (url, host) in [
        ("https://Service.Example:8443/calc?x=1", "Service.Example"),
        ("http://user@host.example/", "host.example"),
        ("net.tcp://[::1]:808/svc", "::1"),
    ] {
        assert_eq!(Identity::default_for_endpoint(url).unwrap(), Identity::Dns(host.into()), "{url}");
    }
    assert_eq!(Identity::default_for_endpoint("no-scheme").unwrap_err().code(), ErrorCode::IdentityInvalid);
}

#[test]
fn certificate_references_resolve_in_a_directory_store() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("LocalMachine").join("TrustedPeople");
    std::fs::create_dir_all(&store_dir).unwrap();
    let seed = seed();
    std::fs::write(store_dir.join("seed.cer"), seed.der()).unwrap();
    let store = DirectoryStore::new(dir.path());
    for (find_type, value) in [
        ("FindByThumbprint", "47 01 03 38 8e 5f 93 98 b4 f9 36 f2 94 9f 64 f0 a9 63 95 ef"),
        ("FindBySubjectName", "IDENTITY.com"),
        ("FindBySubjectDistinguishedName", "O=Contoso, CN=identity.com"),
        ("FindByIssuerName", "root agency"),
    ] {
        let xml = format!(
            r#"<certificateReference storeName="trustedpeople" storeLocation="LocalMachine" x509FindType="{find_type}" findValue="{value}"/>"#
        );
        let identity =
            Identity::from_xml(&xml).unwrap().resolve(Some(&store)).unwrap_or_else(|e| panic!("{find_type}: {e}"));
        identity.check(&seed).unwrap();
    }
    let missing = Identity::from_xml(
        r#"<certificateReference storeName="My" x509FindType="FindBySubjectName" findValue="identity.com"/>"#,
    )
    .unwrap();
    assert_eq!(missing.clone().resolve(Some(&store)).unwrap_err().code(), ErrorCode::CertificateNotFound);
    assert_eq!(missing.resolve(None).unwrap_err().code(), ErrorCode::ConfigInvalid);
}
