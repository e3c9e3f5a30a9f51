//! Hostile input never panics: arbitrary and name-shaped strings go to `issuer_matches` and
//! `serial_matches`; arbitrary bytes, mutated certificates, certificate bundles (PkiPath, PKCS7)
//! and PEM soup go to the parsers. A
//! certificate that parses after mutation still matches its own issuer string.

#[path = "trust_data/pki.rs"]
mod pki;

use proptest::prelude::*;
use wsseal_core::cert::{Certificate, pem_blocks, pkcs7_certificates, pki_path_certificates};

/// A public certificate (its key was discarded) with a multi-valued RDN, an escaped comma, an
/// emailAddress, SANs, a negative serial and a GeneralizedTime notAfter.
const SEED_PEM: &[u8] = include_bytes!("cert_data/seed.pem");

fn seed() -> Certificate {
    Certificate::from_pem(SEED_PEM).expect("seed certificate")
}

/// Reads every field of a certificate that parsed.
fn exercise(cert: &Certificate) {
    let _ = (cert.der(), cert.spki_der(), cert.subject(), cert.serial_decimal(), cert.subject_key_identifier());
    let _ = (cert.thumbprint_sha1(), cert.sha256(), cert.thumbprint_hex(), cert.not_before(), cert.not_after());
    let _ = (cert.common_name(), cert.dns_names(), cert.x509(), format!("{cert:?}"));
    if !cert.issuer().is_empty() {
        assert!(cert.issuer_matches(cert.issuer()), "own issuer string: {}", cert.issuer());
    }
    assert!(cert.serial_matches(cert.serial_decimal()));
}

#[test]
fn seed_certificate_matches_itself() {
    let cert = seed();
    assert_eq!(
        cert.subject(),
        r"1.2.840.113549.1.9.1=#1612736565644070726f62652e6578616d706c65,CN=wss-seed+OU=Seed,O=Probe\, Inc.,C=DE"
    );
    assert_eq!(cert.serial_decimal(), "-4242");
    exercise(&cert);
}

/// An OID with a redundant 0x80 pad byte (not DER, yet accepted by the decoder) still matches
/// the same OID written in canonical dotted form.
#[test]
fn padded_oid_in_certificate_name() {
    let mut der = seed().der().to_vec();
    let email_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
    let at = der.windows(email_oid.len()).position(|w| w == email_oid).expect("emailAddress OID");
    der[at + 3] = 0x80;
    let cert = Certificate::from_der(&der).expect("padded OID still decodes");
    assert!(cert.issuer().starts_with("1.2.72.113549.1.9.1=#16"), "{}", cert.issuer());
    exercise(&cert);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_to_certificate(name in any::<String>()) {
        let cert = seed();
        let _ = cert.issuer_matches(&name);
        let _ = cert.serial_matches(&name);
    }

    #[test]
    fn name_soup_to_certificate(pieces in proptest::collection::vec(prop::sample::select(vec![
        "CN", "cn", "E", "OID.", "2.5.4.3", "1.2.840.113549.1.9.1", "=", ",", ";", "+", " ", "\t", "\\", "\"", "\"\"",
        "#", "#0c0161", "#16", "0c", "ff", "\\2C", "\\C3\\A9", "\\", "Probe", "wss-seed", "é", "\u{0}", "Seed",
    ]), 0..24)) {
        let cert = seed();
        let _ = cert.issuer_matches(&pieces.concat());
    }

    #[test]
    fn arbitrary_bytes_to_certificate_parsers(input in proptest::collection::vec(any::<u8>(), 0..1024)) {
        if let Ok(cert) = Certificate::from_der(&input) {
            exercise(&cert);
        }
        let _ = Certificate::from_pem_all(&input);
        let _ = pem_blocks(&input);
        let _ = pki_path_certificates(&input);
        let _ = pkcs7_certificates(&input);
    }

    #[test]
    fn mutated_certificate_bundles(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
        let seed = seed();
        for mut der in [pki::pki_path(&[&seed, &seed]), pki::pkcs7(&[&seed, &seed])] {
            for (at, byte) in &edits {
                let i = at.index(der.len());
                der[i] = *byte;
            }
            let _ = pki_path_certificates(&der);
            let _ = pkcs7_certificates(&der);
        }
    }

    #[test]
    fn mutated_certificates(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4)) {
        let mut der = seed().der().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(der.len() + 1);
            match op {
                0 if i < der.len() => der[i] = byte,
                1 => der.insert(i, byte),
                _ if i < der.len() => { der.remove(i); }
                _ => {}
            }
        }
        if let Ok(cert) = Certificate::from_der(&der) {
            exercise(&cert);
        }
    }

    #[test]
    fn pem_soup_to_certificate_parsers(pieces in proptest::collection::vec(prop::sample::select(vec![
        "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----", "-----BEGIN X-----", "-----END X-----", "-----",
        "\n", "\r\n", "MAA=", "AAEC", "=", "Bag Attributes", "Proc-Type: 4", " ", "\u{e9}", "-----BEGIN ", "-----END ",
    ]), 0..24)) {
        let text = pieces.concat();
        let _ = pem_blocks(text.as_bytes());
        let _ = Certificate::from_pem_all(text.as_bytes());
    }
}
