//! Shared material of the C ABI tests: a throwaway PKI and a configuration per side.
#![allow(dead_code)]

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256,
    RsaKeySize,
};

/// A CA, the Calculator's client (`CN=Cohowinery.com`) and service (`CN=Contoso.com`), and a
/// configuration for each side, in `dir`.
pub fn write_pki(dir: &Path) {
    let rsa = || KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, "wsseal examples CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca = CertifiedIssuer::self_signed(params, rsa()).unwrap();
    for (side, name) in [("client", "Cohowinery.com"), ("service", "Contoso.com")] {
        let key = rsa();
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        let certificate = params.signed_by(&key, &ca).unwrap();
        std::fs::write(dir.join(format!("{side}.pem")), certificate.pem()).unwrap();
        std::fs::write(dir.join(format!("{side}.key.pem")), key.serialize_pem()).unwrap();
    }
    for (side, peer) in [("client", "service"), ("service", "client")] {
        let config = format!(
            "[credentials]\ncertificate = \"{side}.pem\"\nprivate_key = \"{side}.key.pem\"\n\
             [peer]\ncertificate = \"{peer}.pem\"\n"
        );
        std::fs::write(dir.join(format!("{side}.toml")), config).unwrap();
    }
}
