//! A test PKI made with rcgen at test time: a root CA, an intermediate CA, and end-entity
//! certificates for every validation case, with CRLs. Nothing is committed.

#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256,
    RevokedCertParams, RsaKeySize, SanType, SerialNumber,
};
use time::{Duration, OffsetDateTime};
use wsseal_core::cert::Certificate;

/// An issuing CA with its certificate.
pub type Ca = CertifiedIssuer<'static, KeyPair>;

/// What an end entity is for.
#[derive(Clone, Copy)]
pub enum Purpose {
    Server,
    Client,
}

pub fn ec_key() -> KeyPair {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).expect("EC key")
}

pub fn rsa_key() -> KeyPair {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("RSA key")
}

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// CA parameters: valid for a year, keyCertSign and cRLSign, basicConstraints with `path_len`.
pub fn ca_params(name: &str, path_len: Option<u8>) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    params.not_before = now() - Duration::days(1);
    params.not_after = now() + Duration::days(365);
    params.is_ca = IsCa::Ca(path_len.map_or(BasicConstraints::Unconstrained, BasicConstraints::Constrained));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

/// A self-signed root CA (EC).
pub fn root(name: &str, path_len: Option<u8>) -> Ca {
    CertifiedIssuer::self_signed(ca_params(name, path_len), ec_key()).expect("root")
}

/// An intermediate CA issued by `issuer`.
pub fn intermediate(name: &str, issuer: &Ca) -> Ca {
    CertifiedIssuer::signed_by(ca_params(name, None), ec_key(), issuer).expect("intermediate")
}

/// End-entity parameters: valid for a year, DNS name, digitalSignature + keyEncipherment, the
/// purpose's EKU.
pub fn leaf_params(cn: &str, purpose: Purpose) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.subject_alt_names = vec![SanType::DnsName(cn.to_lowercase().try_into().expect("dns name"))];
    params.not_before = now() - Duration::days(1);
    params.not_after = now() + Duration::days(365);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![match purpose {
        Purpose::Server => ExtendedKeyUsagePurpose::ServerAuth,
        Purpose::Client => ExtendedKeyUsagePurpose::ClientAuth,
    }];
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(SerialNumber::from_slice(&random_serial()));
    params
}

fn random_serial() -> [u8; 8] {
    let mut serial = [0u8; 8];
    aws_lc_rs::rand::fill(&mut serial).expect("random");
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    serial
}

/// Issues a certificate from `params` for `key`.
pub fn issue(params: CertificateParams, key: &KeyPair, issuer: &Ca) -> Certificate {
    let cert = params.signed_by(key, issuer).expect("issue");
    Certificate::from_der(cert.der()).expect("parse")
}

/// A critical extension nobody processes.
pub fn unknown_critical_extension() -> CustomExtension {
    let mut extension = CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
    extension.set_criticality(true);
    extension
}

/// A CRL of `issuer` revoking `revoked`, current unless `stale`.
pub fn crl(issuer: &Ca, revoked: &[&Certificate], stale: bool) -> Vec<u8> {
    let (this_update, next_update) = if stale {
        (now() - Duration::days(10), now() - Duration::days(1))
    } else {
        (now() - Duration::hours(1), now() + Duration::days(7))
    };
    let params = CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|c| RevokedCertParams {
                serial_number: SerialNumber::from_slice(c.x509().tbs_certificate().serial_number().as_bytes()),
                revocation_time: now() - Duration::hours(2),
                reason_code: None,
                invalidity_date: None,
            })
            .collect(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    params.signed_by(issuer).expect("CRL").der().to_vec()
}

/// The certificate of a CA, parsed.
pub fn certificate(ca: &Ca) -> Certificate {
    Certificate::from_der(ca.der()).expect("CA certificate")
}

/// The seed's certificate (the WSDL `<X509Certificate>` of the WCF service-identity document):
/// O=Contoso, CN=identity.com, issued by CN=Root Agency, RSA-1024, sha1WithRSA (1.3.14.3.2.29),
/// a negative serial number, the deprecated extension 2.5.29.1.
pub const SEED_CERTIFICATE: &str = "MIIBxjCCAXSgAwIBAgIQmXJgyu9tro1M98GifjtuoDAJBgUrDgMCHQUAMBYxFDASBgNVBAMTC1Jvb3QgQWdlbmN5MB4XDTA2MDUxNzIxNDQyNVoXDTM5MTIzMTIzNTk1OVowKTEQMA4GA1UEChMHQ29udG9zbzEVMBMGA1UEAxMMaWRlbnRpdHkuY29tMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDBmivcb8hYbh11hqVoDuB7zmJ2y230f/b4e+4P6yXtKKuhUdYcIqc8mAforIM4WWJEVGeJVq9sFEwqrL5Ryid8jMTRwPLvA/x/wvj1gtD1GWJ+aUh2pqieiGL7MWTepHAQBIibUxgOrAOz0j9Xhg0iDFYScdYUjeqI3yZIDC7WbwIDAQABo0swSTBHBgNVHQEEQDA+gBAS5AktBh0dTwCNYSHcFmRjoRgwFjEUMBIGA1UEAxMLUm9vdCBBZ2VuY3mCEAY3bACqAGSKEc+41KpcNfQwCQYFKw4DAh0FAANBADB/J2QjdSPL8Doj3pAveCXd/5fY03eo9kUym/Tmb4ubdqsObri0qnYR/n8Wxsa1yJ4Dks6cNBTPS4l5B7zUeNo=";

/// The seed's `<certificate encodedValue>`: a Windows serialized certificate of the same DER.
pub const SEED_ENCODED_VALUE: &str = "AwAAAAEAAAAUAAAARwEDOI5fk5i0+TbylJ9k8Kljle8gAAAAAQAAAMoBAAAwggHGMIIBdKADAgECAhCZcmDK722ujUz3waJ+O26gMAkGBSsOAwIdBQAwFjEUMBIGA1UEAxMLUm9vdCBBZ2VuY3kwHhcNMDYwNTE3MjE0NDI1WhcNMzkxMjMxMjM1OTU5WjApMRAwDgYDVQQKEwdDb250b3NvMRUwEwYDVQQDEwxpZGVudGl0eS5jb20wgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAMGaK9xvyFhuHXWGpWgO4HvOYnbLbfR/9vh77g/rJe0oq6FR1hwipzyYB+isgzhZYkRUZ4lWr2wUTCqsvlHKJ3yMxNHA8u8D/H/C+PWC0PUZYn5pSHamqJ6IYvsxZN6kcBAEiJtTGA6sA7PSP1eGDSIMVhJx1hSN6ojfJkgMLtZvAgMBAAGjSzBJMEcGA1UdAQRAMD6AEBLkCS0GHR1PAI1hIdwWZGOhGDAWMRQwEgYDVQQDEwtSb290IEFnZW5jeYIQBjdsAKoAZIoRz7jUqlw19DAJBgUrDgMCHQUAA0EAMH8nZCN1I8vwOiPekC94Jd3/l9jTd6j2RTKb9OZvi5t2qw5uuLSqdhH+fxbGxrXIngOSzpw0FM9LiXkHvNR42g==";

/// The seed's `<rsa value>`, unescaped.
pub const SEED_RSA: &str = "<RSAKeyValue><Modulus>wZor3G/IWG4ddYalaA7ge85idstt9H/2+HvuD+sl7SiroVHWHCKnPJgH6KyDOFliRFRniVavbBRMKqy+UconfIzE0cDy7wP8f8L49YLQ9RlifmlIdqaonohi+zFk3qRwEASIm1MYDqwDs9I/V4YNIgxWEnHWFI3qiN8mSAwu1m8=</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>";

/// The seed certificate parsed.
pub fn seed() -> Certificate {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD.decode(SEED_CERTIFICATE).expect("base64");
    Certificate::from_der(&der).expect("the seed certificate parses")
}

/// A DER element: `tag`, its length, `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    match content.len() {
        len @ 0..=127 => out.push(len as u8),
        len @ 128..=255 => out.extend_from_slice(&[0x81, len as u8]),
        len => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// A PkiPath: `SEQUENCE OF Certificate`, the issuer first.
pub fn pki_path(path: &[&Certificate]) -> Vec<u8> {
    tlv(0x30, &path.iter().flat_map(|c| c.der().to_vec()).collect::<Vec<_>>())
}

/// A degenerate PKCS #7 SignedData holding `certificates`, as `openssl crl2pkcs7 -nocrl` writes it.
pub fn pkcs7(certificates: &[&Certificate]) -> Vec<u8> {
    let signed_data_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    let data_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    let certificates: Vec<u8> = certificates.iter().flat_map(|c| c.der().to_vec()).collect();
    let signed_data =
        [&[0x02, 0x01, 0x01][..], &tlv(0x31, &[]), &tlv(0x30, &data_oid), &tlv(0xa0, &certificates), &tlv(0x31, &[])]
            .concat();
    tlv(0x30, &[&signed_data_oid[..], &tlv(0xa0, &tlv(0x30, &signed_data))].concat())
}

/// Runs the openssl CLI in `dir`; panics with its error output when it fails.
pub fn openssl(dir: &std::path::Path, args: &[&str]) {
    let output = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI must be installed to run the PKCS#12 tests");
    assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}
