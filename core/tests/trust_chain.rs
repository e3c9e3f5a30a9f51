//! ChainTrust, PeerTrust, PeerOrChainTrust and None on a PKI generated at test time: each way a
//! certificate can fail is refused with its own error code, and the verified-certificate cache
//! counts what it answers.

#[path = "trust_data/pki.rs"]
mod pki;

use std::sync::Arc;

use pki::{Purpose, ec_key, intermediate, issue, leaf_params, now, root};
use rcgen::{ExtendedKeyUsagePurpose, KeyUsagePurpose};
use time::Duration;
use wsseal_core::ErrorCode;
use wsseal_core::cert::Certificate;
use wsseal_core::trust::{
    CertificateSignatureAlgorithm, Crl, Revocation, RevocationSource, RevocationStatus, Role, TrustMaterial, TrustMode,
    TrustValidator, ValidationSettings,
};
use wsseal_core::wss::CertificateValidator;

/// Root → intermediate → leaves, the leaves' purposes those of a service (a client validates them).
struct Pki {
    root: pki::Ca,
    intermediate: pki::Ca,
}

impl Pki {
    fn new() -> Self {
        let root = root("Test Root", None);
        let intermediate = intermediate("Test Intermediate", &root);
        Self { root, intermediate }
    }

    fn material(&self) -> TrustMaterial {
        TrustMaterial {
            anchors: vec![pki::certificate(&self.root)],
            intermediates: vec![pki::certificate(&self.intermediate)],
            ..TrustMaterial::default()
        }
    }

    fn service(&self, edit: impl FnOnce(&mut rcgen::CertificateParams)) -> Certificate {
        let mut params = leaf_params("service.example", Purpose::Server);
        edit(&mut params);
        issue(params, &ec_key(), &self.intermediate)
    }
}

fn client_validator(mode: TrustMode, material: TrustMaterial) -> TrustValidator {
    TrustValidator::new(ValidationSettings::new(mode, Role::Client), material).expect("validator")
}

fn refused(validator: &TrustValidator, certificate: &Certificate) -> ErrorCode {
    validator.validate_der(certificate.der()).expect_err("refused").code()
}

#[test]
fn a_chain_of_three_is_trusted() {
    let pki = Pki::new();
    let validator = client_validator(TrustMode::ChainTrust, pki.material());
    let leaf = pki.service(|_| {});
    let trusted = validator.validate_der(leaf.der()).expect("trusted");
    assert_eq!(trusted.certificate, leaf);
}

#[test]
fn each_failure_has_its_own_code() {
    let pki = Pki::new();
    let validator = client_validator(TrustMode::ChainTrust, pki.material());
    let cases: Vec<(&str, Certificate, ErrorCode)> = vec![
        (
            "expired",
            pki.service(|p| {
                p.not_before = now() - Duration::days(30);
                p.not_after = now() - Duration::days(1);
            }),
            ErrorCode::CertificateExpired,
        ),
        (
            "not yet valid",
            pki.service(|p| {
                p.not_before = now() + Duration::days(1);
                p.not_after = now() + Duration::days(30);
            }),
            ErrorCode::CertificateNotYetValid,
        ),
        (
            "wrong EKU",
            pki.service(|p| p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth]),
            ErrorCode::CertificateExtendedKeyUsageInvalid,
        ),
        (
            "wrong key usage",
            pki.service(|p| p.key_usages = vec![KeyUsagePurpose::KeyAgreement]),
            ErrorCode::CertificateKeyUsageInvalid,
        ),
        (
            "unknown critical extension",
            pki.service(|p| p.custom_extensions = vec![pki::unknown_critical_extension()]),
            ErrorCode::CertificateCriticalExtension,
        ),
        (
            "untrusted root (self-signed)",
            {
                let params = leaf_params("service.example", Purpose::Server);
                let key = ec_key();
                Certificate::from_der(params.self_signed(&key).unwrap().der()).unwrap()
            },
            ErrorCode::CertificateUntrustedRoot,
        ),
        (
            "broken chain (issuer unknown)",
            {
                let other = intermediate("Unknown Intermediate", &pki.root);
                issue(leaf_params("service.example", Purpose::Server), &ec_key(), &other)
            },
            ErrorCode::CertificateChainBroken,
        ),
        (
            "issued by an end entity",
            {
                let params = leaf_params("not-a-ca.example", Purpose::Server);
                let not_ca = rcgen::CertifiedIssuer::signed_by(params, ec_key(), &pki.intermediate).unwrap();
                let mut material = pki.material();
                material.intermediates.push(Certificate::from_der(not_ca.der()).unwrap());
                let validator = client_validator(TrustMode::ChainTrust, material);
                let leaf = issue(leaf_params("service.example", Purpose::Server), &ec_key(), &not_ca);
                assert_eq!(refused(&validator, &leaf), ErrorCode::CertificateBasicConstraintsInvalid);
                leaf
            },
            ErrorCode::CertificateChainBroken,
        ),
        (
            "bad signature",
            {
                let mut der = pki.service(|_| {}).der().to_vec();
                let last = der.len() - 3;
                der[last] ^= 0x55;
                Certificate::from_der(&der).unwrap()
            },
            ErrorCode::CertificateSignatureInvalid,
        ),
    ];
    for (name, certificate, code) in cases {
        assert_eq!(refused(&validator, &certificate), code, "{name}");
    }
}

#[test]
fn the_role_decides_the_purpose() {
    let pki = Pki::new();
    let client_cert = issue(leaf_params("client.example", Purpose::Client), &ec_key(), &pki.intermediate);
    let service =
        TrustValidator::new(ValidationSettings::new(TrustMode::ChainTrust, Role::Service), pki.material()).unwrap();
    assert!(service.validate_der(client_cert.der()).is_ok());
    let client = client_validator(TrustMode::ChainTrust, pki.material());
    assert_eq!(refused(&client, &client_cert), ErrorCode::CertificateExtendedKeyUsageInvalid);
}

#[test]
fn path_length_constraints_hold() {
    let root = root("Constrained Root", Some(0));
    let intermediate = intermediate("Too Deep", &root);
    let leaf = issue(leaf_params("service.example", Purpose::Server), &ec_key(), &intermediate);
    let material = TrustMaterial {
        anchors: vec![pki::certificate(&root)],
        intermediates: vec![pki::certificate(&intermediate)],
        ..TrustMaterial::default()
    };
    let validator = client_validator(TrustMode::ChainTrust, material);
    assert_eq!(refused(&validator, &leaf), ErrorCode::CertificateBasicConstraintsInvalid);
}

#[test]
fn weak_keys_and_sha1_are_refused_by_default() {
    let seed = pki::seed();
    let material = TrustMaterial { anchors: vec![seed.clone()], ..TrustMaterial::default() };
    let validator = client_validator(TrustMode::ChainTrust, material.clone());
    // The seed is its own anchor here: only its key size stands in the way.
    assert_eq!(refused(&validator, &seed), ErrorCode::CertificateWeak);
    let mut settings = ValidationSettings::new(TrustMode::ChainTrust, Role::Client);
    settings.min_rsa_bits = 1024;
    let lenient = TrustValidator::new(settings, material).unwrap();
    assert!(lenient.validate_der(seed.der()).is_ok());
    // Under a real anchor, the seed (issued by the absent "Root Agency") has no path.
    let pki = Pki::new();
    assert_eq!(
        refused(&client_validator(TrustMode::ChainTrust, pki.material()), &seed),
        ErrorCode::CertificateChainBroken
    );

    // A certificate signed with an algorithm the configuration does not accept.
    let leaf = pki.service(|_| {});
    let mut settings = ValidationSettings::new(TrustMode::ChainTrust, Role::Client);
    settings.signature_algorithms = vec![CertificateSignatureAlgorithm::RsaSha256];
    let strict = TrustValidator::new(settings, pki.material()).unwrap();
    assert_eq!(refused(&strict, &leaf), ErrorCode::CertificateAlgorithmRefused);
}

#[test]
fn offline_revocation_uses_the_crls() {
    let pki = Pki::new();
    let good = pki.service(|_| {});
    let revoked = pki.service(|_| {});
    let root_crl = Arc::new(Crl::from_der(&pki::crl(&pki.root, &[], false)).unwrap());
    let intermediate_crl = Arc::new(Crl::from_der(&pki::crl(&pki.intermediate, &[&revoked], false)).unwrap());
    let offline = |crls: Vec<Arc<Crl>>| {
        let mut settings = ValidationSettings::new(TrustMode::ChainTrust, Role::Client);
        settings.revocation = Revocation::Offline;
        TrustValidator::new(settings, TrustMaterial { crls, ..pki.material() }).unwrap()
    };
    let validator = offline(vec![root_crl.clone(), intermediate_crl.clone()]);
    assert!(validator.validate_der(good.der()).is_ok());
    assert_eq!(refused(&validator, &revoked), ErrorCode::CertificateRevoked);
    // Without the intermediate's CRL, or with a stale one, revocation is unknown.
    assert_eq!(refused(&offline(vec![root_crl.clone()]), &good), ErrorCode::CertificateRevocationUnknown);
    let stale = Arc::new(Crl::from_der(&pki::crl(&pki.intermediate, &[], true)).unwrap());
    assert_eq!(refused(&offline(vec![root_crl.clone(), stale]), &good), ErrorCode::CertificateRevocationUnknown);
    // A CRL signed by another key does not count.
    let impostor = root("Test Intermediate", None);
    let forged = Arc::new(Crl::from_der(&pki::crl(&impostor, &[], false)).unwrap());
    assert_eq!(refused(&offline(vec![root_crl, forged]), &revoked), ErrorCode::CertificateRevocationUnknown);
}

/// A host's revocation source: revokes one serial, has no answer for another, counts questions.
#[derive(Debug)]
struct Responder {
    revoked: String,
    unknown: String,
    until: time::OffsetDateTime,
    asked: std::sync::atomic::AtomicUsize,
}

impl RevocationSource for Responder {
    fn status(&self, certificate: &Certificate, _issuer: &Certificate, _now: time::OffsetDateTime) -> RevocationStatus {
        self.asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match certificate.serial_decimal() {
            serial if serial == self.revoked => RevocationStatus::Revoked,
            serial if serial == self.unknown => RevocationStatus::Unknown,
            _ => RevocationStatus::Good { until: Some(self.until) },
        }
    }
}

#[test]
fn online_revocation_asks_the_host_source() {
    let pki = Pki::new();
    let (good, revoked, unknown) = (pki.service(|_| {}), pki.service(|_| {}), pki.service(|_| {}));
    let responder = Arc::new(Responder {
        revoked: revoked.serial_decimal().to_owned(),
        unknown: unknown.serial_decimal().to_owned(),
        until: now() + Duration::minutes(10),
        asked: Default::default(),
    });
    let mut settings = ValidationSettings::new(TrustMode::ChainTrust, Role::Client);
    settings.revocation = Revocation::Online;
    let material = TrustMaterial { revocation_source: Some(responder.clone()), ..pki.material() };
    let validator = TrustValidator::new(settings, material).unwrap();
    assert!(validator.validate_der(good.der()).is_ok());
    // Asked about the leaf and the intermediate; the verdict is then cached.
    assert_eq!(responder.asked.load(std::sync::atomic::Ordering::Relaxed), 2);
    assert!(validator.validate_der(good.der()).is_ok());
    assert_eq!(responder.asked.load(std::sync::atomic::Ordering::Relaxed), 2);
    // A refusal stops at the leaf.
    assert_eq!(refused(&validator, &revoked), ErrorCode::CertificateRevoked);
    assert_eq!(refused(&validator, &unknown), ErrorCode::CertificateRevocationUnknown);
    assert_eq!(responder.asked.load(std::sync::atomic::Ordering::Relaxed), 4);
    // The answer's end bounds the verdict: past it, the source is asked again.
    let later = now() + Duration::minutes(20);
    assert!(validator.validate_at(good.der(), later).is_ok());
    assert_eq!(responder.asked.load(std::sync::atomic::Ordering::Relaxed), 6);
}

#[test]
fn peer_trust_pins_certificates_even_legacy_ones() {
    let seed = pki::seed();
    let pki = Pki::new();
    let other = pki.service(|_| {});
    let material = TrustMaterial { peers: vec![seed.clone()], ..TrustMaterial::default() };
    let validator = client_validator(TrustMode::PeerTrust, material.clone());
    assert!(validator.validate_der(seed.der()).is_ok(), "the seed (RSA-1024, SHA-1) can be pinned");
    assert_eq!(refused(&validator, &other), ErrorCode::CertificateNotTrustedPeer);

    let either =
        client_validator(TrustMode::PeerOrChainTrust, TrustMaterial { peers: vec![seed.clone()], ..pki.material() });
    assert!(either.validate_der(seed.der()).is_ok());
    assert!(either.validate_der(other.der()).is_ok());
    let stranger = pki::leaf_params("stranger.example", Purpose::Server).self_signed(&ec_key()).unwrap();
    assert_eq!(either.validate_der(stranger.der()).unwrap_err().code(), ErrorCode::CertificateUntrustedRoot);

    let none = client_validator(TrustMode::None, TrustMaterial::default());
    assert!(none.validate_der(stranger.der()).is_ok());
}

#[test]
fn settings_that_cannot_work_are_refused() {
    let pki = Pki::new();
    let attempt = |mode, revocation, material: TrustMaterial| {
        let mut settings = ValidationSettings::new(mode, Role::Client);
        settings.revocation = revocation;
        TrustValidator::new(settings, material).map(|_| ()).map_err(|e| e.code())
    };
    let config = Err(ErrorCode::ConfigInvalid);
    assert_eq!(attempt(TrustMode::ChainTrust, Revocation::NoCheck, TrustMaterial::default()), config);
    assert_eq!(attempt(TrustMode::PeerOrChainTrust, Revocation::NoCheck, TrustMaterial::default()), config);
    assert_eq!(attempt(TrustMode::PeerTrust, Revocation::NoCheck, TrustMaterial::default()), config);
    assert_eq!(attempt(TrustMode::Custom, Revocation::NoCheck, pki.material()), config);
    assert_eq!(attempt(TrustMode::ChainTrust, Revocation::Online, pki.material()), config);
    assert_eq!(attempt(TrustMode::ChainTrust, Revocation::Offline, pki.material()), config);
    assert_eq!(attempt(TrustMode::ChainTrust, Revocation::NoCheck, pki.material()), Ok(()));
}

#[test]
fn verdicts_are_cached_until_they_expire() {
    let pki = Pki::new();
    let validator = client_validator(TrustMode::ChainTrust, pki.material());
    let leaf = pki.service(|p| p.not_after = now() + Duration::hours(1));
    let expired = pki.service(|p| p.not_after = now() - Duration::hours(1));
    for _ in 0..3 {
        assert!(validator.validate_der(leaf.der()).is_ok());
        assert_eq!(refused(&validator, &expired), ErrorCode::CertificateExpired);
    }
    let stats = validator.cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.entries), (4, 2, 2));
    // The verdict ends with the certificate: later it is validated again, and refused.
    let later = now() + Duration::hours(2);
    assert_eq!(validator.validate_at(leaf.der(), later).unwrap_err().code(), ErrorCode::CertificateExpired);
    assert_eq!(validator.cache_stats().misses, 3);
}
