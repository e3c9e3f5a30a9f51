//! The verified-certificate cache: validating a signer seen before (a cache hit) against a cold
//! validation of a chain of three (root → intermediate → leaf, RSA-2048, SHA-256) with a CRL for
//! each issuer, in the same run, beside the raw RSA verification that a cold validation needs
//! twice (the physical limit of path checking). Prints both rates and the ratio, and the cache hit
//! of a signer whose intermediate the message carries (its key hashes both certificates).

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use criterion::{Criterion, criterion_group, criterion_main};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256, RsaKeySize, SerialNumber,
};
use time::OffsetDateTime;
use wsseal_core::cert::Certificate;
use wsseal_core::trust::{Crl, Revocation, Role, TrustMaterial, TrustMode, TrustValidator, ValidationSettings};
use wsseal_core::wss::CertificateValidator;

fn key() -> KeyPair {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("RSA key")
}

fn params(name: &str, ca: bool) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    params.not_before = OffsetDateTime::now_utc() - time::Duration::days(1);
    params.not_after = OffsetDateTime::now_utc() + time::Duration::days(30);
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    }
    params
}

fn crl(issuer: &CertifiedIssuer<'_, KeyPair>) -> Arc<Crl> {
    let now = OffsetDateTime::now_utc();
    let params = CertificateRevocationListParams {
        this_update: now - time::Duration::hours(1),
        next_update: now + time::Duration::days(7),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: KeyIdMethod::Sha256,
    };
    Arc::new(Crl::from_der(params.signed_by(issuer).expect("CRL").der()).expect("CRL parses"))
}

fn rate(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_millis(1000) {
        f();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn bench(c: &mut Criterion) {
    let root = CertifiedIssuer::self_signed(params("Bench Root", true), key()).expect("root");
    let intermediate = CertifiedIssuer::signed_by(params("Bench Intermediate", true), key(), &root).expect("ca");
    let leaf_key = key();
    let leaf = params("client.example", false).signed_by(&leaf_key, &intermediate).expect("leaf");
    let material = TrustMaterial {
        anchors: vec![Certificate::from_der(root.der()).unwrap()],
        intermediates: vec![Certificate::from_der(intermediate.der()).unwrap()],
        crls: vec![crl(&root), crl(&intermediate)],
        ..TrustMaterial::default()
    };
    let mut settings = ValidationSettings::new(TrustMode::ChainTrust, Role::Service);
    settings.revocation = Revocation::Offline;
    let der = leaf.der().to_vec();
    let validator = TrustValidator::new(settings.clone(), material.clone()).unwrap();
    validator.validate_der(&der).expect("the leaf is trusted");

    let mut group = c.benchmark_group("trust");
    group.bench_function("signer_seen_before", |b| b.iter(|| validator.validate_der(&der).unwrap()));
    group.bench_function("cold_chain_of_three_with_crls", |b| {
        b.iter(|| TrustValidator::new(settings.clone(), material.clone()).unwrap().validate_der(&der).unwrap())
    });
    let intermediate_spki = Certificate::from_der(intermediate.der()).unwrap().spki_der().to_vec();
    let leaf_cert = Certificate::from_der(&der).unwrap();
    let signature = leaf_cert.x509().signature().raw_bytes().to_vec();
    group.bench_function("raw_rsa2048_verify", |b| {
        b.iter(|| {
            let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &intermediate_spki).unwrap();
            key.verify_sig(leaf_cert.tbs_der(), &signature).unwrap()
        })
    });
    // The intermediate carried by the message instead of configured: the cache key hashes it too.
    let carried = vec![intermediate.der().to_vec()];
    let anchors_only = TrustMaterial { intermediates: Vec::new(), ..material.clone() };
    let from_message = TrustValidator::new(settings.clone(), anchors_only.clone()).unwrap();
    from_message.validate_with_candidates(&der, &carried).expect("the leaf is trusted with the message's intermediate");
    group.bench_function("signer_seen_before_with_message_intermediate", |b| {
        b.iter(|| from_message.validate_with_candidates(&der, &carried).unwrap())
    });
    group.finish();

    let warm_carried = rate(|| {
        from_message.validate_with_candidates(&der, &carried).unwrap();
    });
    let warm = rate(|| {
        validator.validate_der(&der).unwrap();
    });
    let cold = rate(|| {
        TrustValidator::new(settings.clone(), material.clone()).unwrap().validate_der(&der).unwrap();
    });
    let raw = rate(|| {
        let key = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &intermediate_spki).unwrap();
        key.verify_sig(leaf_cert.tbs_der(), &signature).unwrap();
    });
    println!(
        "trust: signer seen before {warm:.0}/s, cold chain of three + 2 CRLs {cold:.0}/s, ratio {:.1}x; \
         raw RSA-2048 verify {raw:.0}/s (a cold validation verifies 2 certificates + 2 CRLs: limit {:.0}/s)",
        warm / cold,
        raw / 4.0
    );
    println!(
        "trust: signer seen before with the intermediate carried by the message {warm_carried:.0}/s, {:.2}x the \
         configured intermediate's",
        warm_carried / warm
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
