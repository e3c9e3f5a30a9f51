//! Every field of [`Certificate`] against what `openssl x509` prints, for a CA, a leaf with a rich
//! subject, SANs and a negative serial, a v1 certificate, RSA-1024 SHA-1 and MD5 certificates, an
//! EC P-256 certificate and a certificate with non-ASCII names. Also PEM bundles and key blocks.

#[path = "cert_data/fixture.rs"]
mod fixture;

use fixture::Fixture;
use time::OffsetDateTime;
use time::macros::format_description;
use wsseal_core::cert::{Certificate, pem_blocks};

/// Every certificate the fixture makes.
const NAMES: [&str; 7] = ["ca", "leaf", "v1", "sha1", "md5", "ec", "unicode"];

/// The value openssl prints after `label=`.
fn printed(fx: &Fixture, name: &str, args: &[&str]) -> String {
    let path = fx.path(name);
    let path = path.to_str().expect("UTF-8 path");
    let out = fx.openssl(&[&["x509", "-in", path, "-noout"][..], args].concat());
    let (_, value) = out.trim_end_matches('\n').split_once('=').expect("label=value");
    value.to_owned()
}

/// openssl's `-nameopt RFC2253,-esc_msb` name, with emailAddress written as wsseal writes it.
fn openssl_name(fx: &Fixture, name: &str, which: &str) -> String {
    let printed = printed(fx, name, &[which, "-nameopt", "RFC2253,-esc_msb"]);
    let email = "ca@probe.example";
    let hex: String = email.bytes().map(|b| format!("{b:02x}")).collect();
    printed.replace(&format!("emailAddress={email}"), &format!("1.2.840.113549.1.9.1=#16{:02x}{hex}", email.len()))
}

/// A hex integer as openssl prints it (with a leading `-` when negative), in decimal.
fn hex_to_decimal(hex: &str) -> String {
    let (sign, hex) = hex.strip_prefix('-').map_or(("", hex), |rest| ("-", rest));
    let mut digits = vec![0u32];
    for nibble in hex.chars().map(|c| c.to_digit(16).expect("hex digit")) {
        let mut carry = nibble;
        for digit in digits.iter_mut() {
            let value = *digit * 16 + carry;
            *digit = value % 10;
            carry = value / 10;
        }
        while carry > 0 {
            digits.push(carry % 10);
            carry /= 10;
        }
    }
    while digits.len() > 1 && digits.last() == Some(&0) {
        digits.pop();
    }
    let decimal: String = digits.iter().rev().map(|d| char::from_digit(*d, 10).expect("digit")).collect();
    if decimal == "0" { decimal } else { format!("{sign}{decimal}") }
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn openssl_date(text: &str) -> OffsetDateTime {
    let format = format_description!("[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT");
    time::PrimitiveDateTime::parse(text, format).expect("openssl date").assume_utc()
}

/// The lines openssl prints under an extension's heading; empty when the certificate has none.
fn extension_lines(fx: &Fixture, name: &str, extension: &str) -> Vec<String> {
    let path = fx.path(name);
    let out = fx.openssl(&["x509", "-in", path.to_str().expect("UTF-8 path"), "-noout", "-ext", extension]);
    out.lines().skip(1).map(|line| line.trim().to_owned()).filter(|line| !line.is_empty()).collect()
}

#[test]
fn every_certificate_field_matches_openssl() {
    let fx = Fixture::new();
    for name in NAMES {
        let cert = fx.certificate(name);
        assert_eq!(cert.subject(), openssl_name(&fx, name, "-subject"), "{name} subject");
        assert_eq!(cert.issuer(), openssl_name(&fx, name, "-issuer"), "{name} issuer");
        assert_eq!(cert.serial_decimal(), hex_to_decimal(&printed(&fx, name, &["-serial"])), "{name} serial");
        assert_eq!(colon_hex(&cert.thumbprint_sha1()), printed(&fx, name, &["-fingerprint", "-sha1"]), "{name} sha1");
        assert_eq!(cert.thumbprint_hex(), printed(&fx, name, &["-fingerprint", "-sha1"]).replace(':', ""));
        assert_eq!(colon_hex(&cert.sha256()), printed(&fx, name, &["-fingerprint", "-sha256"]), "{name} sha256");
        assert_eq!(cert.not_before(), openssl_date(&printed(&fx, name, &["-startdate"])), "{name} notBefore");
        assert_eq!(cert.not_after(), openssl_date(&printed(&fx, name, &["-enddate"])), "{name} notAfter");

        let ski = extension_lines(&fx, name, "subjectKeyIdentifier");
        assert_eq!(cert.subject_key_identifier().map(colon_hex), ski.first().cloned(), "{name} SKI");
        let san = extension_lines(&fx, name, "subjectAltName");
        let dns: Vec<String> = san
            .iter()
            .flat_map(|line| line.split(", "))
            .filter_map(|n| n.strip_prefix("DNS:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(cert.dns_names(), dns, "{name} SANs");

        let der =
            fx.openssl(&["x509", "-in", &format!("{name}.pem"), "-outform", "DER", "-out", &format!("{name}.der")]);
        assert!(der.is_empty());
        let der = std::fs::read(fx.path(name).with_extension("der")).expect("DER file");
        assert_eq!(cert.der(), der, "{name} DER");
        assert_eq!(Certificate::from_der(&der).as_ref(), Ok(&cert));

        let public_key = fx.openssl(&["x509", "-in", &format!("{name}.pem"), "-noout", "-pubkey"]);
        let blocks = pem_blocks(public_key.as_bytes()).expect("public key PEM");
        assert_eq!(
            blocks.first().map(|(label, der)| (label.as_str(), der.as_slice())),
            Some(("PUBLIC KEY", cert.spki_der()))
        );
    }
}

#[test]
fn certificate_names_and_identities() {
    let fx = Fixture::new();
    let leaf = fx.certificate("leaf");
    assert_eq!(
        leaf.subject(),
        r#"CN=\#hash\;semi\ ,CN=wss-server,UID=svc-1+OU=WSS,O=Probe\, \"Quoted\" \<Inc\>,DC=probe,DC=example"#
    );
    assert_eq!(
        leaf.issuer(),
        r"1.2.840.113549.1.9.1=#161063614070726f62652e6578616d706c65,CN=Probe Root+OU=Security,O=Probe\, Inc.,ST=Berlin,C=DE"
    );
    assert_eq!(leaf.serial_decimal(), "-12345");
    assert_eq!(leaf.common_name(), Some("#hash;semi "));
    assert_eq!(leaf.dns_names(), ["a.example", "b.example"]);
    assert_eq!(leaf.subject_key_identifier().map(<[u8]>::len), Some(20));
    assert_eq!(leaf.x509().tbs_certificate().version(), x509_cert::Version::V3);

    let v1 = fx.certificate("v1");
    assert_eq!(v1.x509().tbs_certificate().version(), x509_cert::Version::V1);
    assert_eq!((v1.subject(), v1.serial_decimal(), v1.common_name()), ("O=Old,CN=v1 legacy", "0", Some("v1 legacy")));
    assert_eq!((v1.subject_key_identifier(), v1.dns_names()), (None, &[][..]));

    assert_eq!(fx.certificate("md5").serial_decimal(), "-128");
    assert_eq!(fx.certificate("sha1").serial_decimal(), "32768");
    assert_eq!(fx.certificate("ca").serial_decimal(), "4304037699746171764628222214927782353232973295");
    let unicode = fx.certificate("unicode");
    assert_eq!(unicode.subject(), r"OU=\09Tabbed,O=Straße,CN=Zoë Ünïcødé");
    assert_eq!(unicode.common_name(), Some("Zoë Ünïcødé"));
    let clone = unicode.clone();
    assert_eq!(clone.der().as_ptr(), unicode.der().as_ptr(), "clones share the parsed certificate");
}

#[test]
fn certificate_pem_bundles_and_key_blocks() {
    let fx = Fixture::new();
    let (ca, leaf) = (fx.certificate("ca"), fx.certificate("leaf"));
    fx.path("ec");
    fx.openssl(&["rsa", "-in", "leaf.key", "-traditional", "-out", "leaf-rsa.key"]);
    fx.openssl(&["ec", "-in", "ec.key", "-out", "ec-sec1.key"]);
    let read = |file: &str| std::fs::read_to_string(fx.path("ca").with_file_name(file)).expect(file);
    let bundle = format!(
        "Bag Attributes\r\n    friendlyName: leaf\r\nsubject=CN=wss-server\r\n{}\r\n{}garbage between\n{}{}{}",
        read("leaf.pem").replace('\n', "\r\n"),
        read("leaf.key"),
        read("leaf-rsa.key"),
        read("ec-sec1.key"),
        read("ca.pem"),
    );
    let labels: Vec<String> =
        pem_blocks(bundle.as_bytes()).expect("bundle").into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels, ["CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "CERTIFICATE"]);
    assert_eq!(Certificate::from_pem_all(bundle.as_bytes()), Ok(vec![leaf.clone(), ca]));
    assert_eq!(Certificate::from_pem(bundle.as_bytes()), Ok(leaf));

    let keys_only = read("leaf.key");
    assert!(Certificate::from_pem_all(keys_only.as_bytes()).is_err());
    let broken = read("ca.pem").replacen("M", "!", 2);
    assert!(Certificate::from_pem_all(broken.as_bytes()).is_err());
    assert!(pem_blocks(broken.as_bytes()).is_err());
}

#[test]
fn refuses_what_is_not_a_certificate() {
    for der in [&b""[..], b"\x30\x00", b"\x30\x03\x02\x01\x01", b"not DER at all"] {
        let error = Certificate::from_der(der).expect_err("not a certificate");
        assert!(!error.message().is_empty());
        assert_eq!(error.to_string(), error.message());
    }
    assert!(Certificate::from_pem(b"").is_err());
    assert!(Certificate::from_pem(b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n").is_err());
}

#[test]
fn certificates_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Certificate>();
}
