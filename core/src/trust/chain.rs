//! ChainTrust: a path from the certificate to a configured anchor, then every check on it —
//! signatures and their algorithms, validity periods, basicConstraints and pathLenConstraint,
//! keyUsage, the extendedKeyUsage of our peer's role, key sizes, critical extensions, name
//! constraints and, with Offline revocation, the issuers' CRLs (with Online, the host's
//! revocation source).

use der::asn1::ObjectIdentifier;
use time::OffsetDateTime;

use super::{Revocation, RevocationSource, RevocationStatus, TrustMaterial, ValidationSettings, algorithms};
use crate::cert::Certificate;
use crate::crypto::PublicKey;
use crate::error::{Error, ErrorCode};

/// `anyExtendedKeyUsage`.
const ANY_PURPOSE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// nameConstraints.
const NAME_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.30");

/// The most certificate signatures one path search verifies.
const MAX_SIGNATURE_CHECKS: usize = 32;

/// The extensions the checks below process; any other critical extension is refused.
const PROCESSED: [&str; 9] = [
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extendedKeyUsage
    "2.5.29.19", // basicConstraints
    "2.5.29.17", // subjectAltName
    "2.5.29.14", // subjectKeyIdentifier
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.32", // certificatePolicies (any policy is accepted)
    "2.5.29.31", // cRLDistributionPoints
    "2.5.29.30", // nameConstraints (dNSName, rfc822Name and directoryName forms)
];

fn error(code: ErrorCode, message: String) -> Error {
    Error::new(code, message)
}

fn describe(certificate: &Certificate) -> String {
    format!("{} (SHA-1 {})", certificate.subject(), certificate.thumbprint_hex())
}

/// Validates `leaf` at `now`, building the path through the configured certificates and the
/// `candidates` the message carries (intermediates only: never anchors); the verdict holds until
/// the returned time (the earliest notAfter of the path or nextUpdate of a CRL used).
pub(crate) fn validate(
    leaf: &Certificate,
    candidates: &[Certificate],
    material: &TrustMaterial,
    settings: &ValidationSettings,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, Error> {
    let mut search = PathSearch { material, candidates, settings, checks_left: MAX_SIGNATURE_CHECKS };
    let mut path = vec![leaf.clone()];
    search.extend(&mut path)?;
    let mut expires = OffsetDateTime::from_unix_timestamp(i64::from(i32::MAX)).unwrap_or(now);
    for (depth, certificate) in path.iter().enumerate() {
        check_validity(certificate, now)?;
        check_key(certificate, settings)?;
        check_critical(certificate)?;
        if depth > 0 {
            check_issuer(certificate, &path[..depth])?;
            check_name_constraints(certificate, &path[..depth])?;
        }
        expires = expires.min(certificate.not_after());
    }
    check_end_entity(leaf, settings)?;
    for pair in path.windows(2) {
        let next_update = match settings.revocation {
            Revocation::NoCheck => None,
            Revocation::Offline => check_revocation(&pair[0], &pair[1], material, settings, now)?,
            Revocation::Online => check_online(&pair[0], &pair[1], material.revocation_source.as_deref(), now)?,
        };
        expires = next_update.map_or(expires, |next| expires.min(next));
    }
    Ok(expires)
}

/// A depth-first search for a path from a leaf to an anchor over the anchors, the configured
/// intermediates and the message's candidates whose subject is the issuer name, each signature
/// checked; at most [`MAX_SIGNATURE_CHECKS`] signatures are verified, however the certificates
/// (which a message chooses) name each other.
struct PathSearch<'a> {
    material: &'a TrustMaterial,
    candidates: &'a [Certificate],
    settings: &'a ValidationSettings,
    checks_left: usize,
}

impl PathSearch<'_> {
    /// Extends `path` (the leaf first) until it ends at an anchor.
    fn extend(&mut self, path: &mut Vec<Certificate>) -> Result<(), Error> {
        let current =
            path.last().cloned().ok_or_else(|| error(ErrorCode::CertificateChainBroken, "empty path".into()))?;
        let material = self.material;
        if material.anchors.contains(&current) {
            return Ok(());
        }
        let issuers: Vec<&Certificate> = material
            .anchors
            .iter()
            .chain(&material.intermediates)
            .chain(self.candidates)
            .filter(|c| current.names_issuer(c) && !path.contains(c))
            .collect();
        let mut failure = if current.is_self_issued() {
            error(
                ErrorCode::CertificateUntrustedRoot,
                format!(
                    "the chain ends at {}, a self-signed certificate that is not a trust anchor",
                    describe(&current)
                ),
            )
        } else {
            error(
                ErrorCode::CertificateChainBroken,
                format!(
                    "no issuer {} of {} is among the trust anchors, the intermediates and the certificates of the message",
                    current.issuer(),
                    describe(&current)
                ),
            )
        };
        if path.len() >= self.settings.max_path_length {
            return Err(error(
                ErrorCode::CertificateChainBroken,
                format!(
                    "no trust anchor within {} certificates of {}",
                    self.settings.max_path_length,
                    describe(&path[0])
                ),
            ));
        }
        for issuer in issuers {
            if self.checks_left == 0 {
                return Err(error(
                    ErrorCode::CertificateChainBroken,
                    format!(
                        "no path from {} to a trust anchor within {MAX_SIGNATURE_CHECKS} signature checks",
                        describe(&path[0])
                    ),
                ));
            }
            self.checks_left -= 1;
            let x509 = current.x509();
            let signed = algorithms::verify_signed(
                &format_args!("certificate {}", describe(&current)),
                &x509.signature_algorithm().oid,
                &self.settings.signature_algorithms,
                issuer.spki_der(),
                current.tbs_der(),
                x509.signature().raw_bytes(),
            );
            if let Err(e) = signed {
                // A self-signed certificate that is not an anchor is best explained as such, even
                // when an anchor of the same name exists.
                if !current.is_self_issued() {
                    failure = e;
                }
                continue;
            }
            path.push(issuer.clone());
            match self.extend(path) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    path.pop();
                    if e.code() != ErrorCode::CertificateChainBroken
                        || failure.code() == ErrorCode::CertificateChainBroken
                    {
                        failure = e;
                    }
                }
            }
        }
        Err(failure)
    }
}

fn check_validity(certificate: &Certificate, now: OffsetDateTime) -> Result<(), Error> {
    if now < certificate.not_before() {
        return Err(error(
            ErrorCode::CertificateNotYetValid,
            format!("certificate {} is not valid before {}", describe(certificate), certificate.not_before()),
        ));
    }
    if now > certificate.not_after() {
        return Err(error(
            ErrorCode::CertificateExpired,
            format!("certificate {} expired at {}", describe(certificate), certificate.not_after()),
        ));
    }
    Ok(())
}

fn check_key(certificate: &Certificate, settings: &ValidationSettings) -> Result<(), Error> {
    let weak = |why: String| error(ErrorCode::CertificateWeak, format!("certificate {}: {why}", describe(certificate)));
    let key =
        PublicKey::from_spki_der(certificate.spki_der()).map_err(|e| weak(format!("its key cannot be used: {e}")))?;
    if key.rsa_modulus().is_some() && key.bits() < settings.min_rsa_bits {
        return Err(weak(format!("RSA-{} is under the minimum of {} bits", key.bits(), settings.min_rsa_bits)));
    }
    Ok(())
}

fn check_critical(certificate: &Certificate) -> Result<(), Error> {
    match certificate.critical_extensions().iter().find(|oid| !PROCESSED.contains(&oid.to_string().as_str())) {
        Some(oid) => Err(error(
            ErrorCode::CertificateCriticalExtension,
            format!(
                "certificate {} has the critical extension {oid}, which wsseal does not process",
                describe(certificate)
            ),
        )),
        None => Ok(()),
    }
}

/// `issuer` issued `below[below.len() - 1]`: it must be a CA allowed to sign certificates, with
/// room for the intermediates below it.
fn check_issuer(issuer: &Certificate, below: &[Certificate]) -> Result<(), Error> {
    let constraints = |why: String| {
        error(ErrorCode::CertificateBasicConstraintsInvalid, format!("issuer {} {why}", describe(issuer)))
    };
    match issuer.basic_constraints() {
        Some((true, path_len)) => {
            // Intermediates between the issuer and the leaf, self-issued ones not counted.
            let intermediates = below[1..].iter().filter(|c| !c.is_self_issued()).count();
            if let Some(limit) = path_len
                && intermediates > usize::from(limit)
            {
                return Err(constraints(format!(
                    "allows {limit} intermediates below it, the path has {intermediates}"
                )));
            }
        }
        _ => return Err(constraints("is not a CA (basicConstraints cA is not set)".into())),
    }
    if issuer.key_usage().is_some_and(|ku| !ku.key_cert_sign()) {
        return Err(error(
            ErrorCode::CertificateKeyUsageInvalid,
            format!("issuer {}: its keyUsage does not allow keyCertSign", describe(issuer)),
        ));
    }
    Ok(())
}

/// `issuer`'s nameConstraints hold for the certificates below it (`below`, the leaf first);
/// self-issued intermediates are exempt (RFC 5280 §6.1.3). Critical constraints on name forms
/// that are not checked are refused.
fn check_name_constraints(issuer: &Certificate, below: &[Certificate]) -> Result<(), Error> {
    let Some(read) = issuer.name_constraints() else {
        return Ok(());
    };
    let constraints = read.map_err(|why| {
        error(ErrorCode::CertificateNameConstraintsViolated, format!("issuer {}: {why}", describe(issuer)))
    })?;
    if let Some(form) = constraints.unsupported().first()
        && issuer.critical_extensions().contains(&NAME_CONSTRAINTS)
    {
        return Err(error(
            ErrorCode::CertificateCriticalExtension,
            format!(
                "issuer {} has critical nameConstraints on {form}, which wsseal does not process",
                describe(issuer)
            ),
        ));
    }
    let subject_to = below.iter().enumerate().filter(|(index, c)| *index == 0 || !c.is_self_issued());
    for (index, certificate) in subject_to {
        constraints.check(certificate, index == 0).map_err(|why| {
            error(
                ErrorCode::CertificateNameConstraintsViolated,
                format!(
                    "certificate {} breaks the name constraints of {}: {why}",
                    describe(certificate),
                    describe(issuer)
                ),
            )
        })?;
    }
    Ok(())
}

/// The end entity: its key must be allowed to sign, and its purposes must include our peer's role.
fn check_end_entity(leaf: &Certificate, settings: &ValidationSettings) -> Result<(), Error> {
    check_signing_usage(leaf)?;
    let purpose = settings.role.peer_purpose_oid();
    if let Some(purposes) = leaf.extended_key_usage()
        && !purposes.iter().any(|p| *p == purpose || *p == ANY_PURPOSE)
    {
        return Err(error(
            ErrorCode::CertificateExtendedKeyUsageInvalid,
            format!(
                "certificate {} does not allow {} in its extendedKeyUsage",
                describe(leaf),
                settings.role.peer_purpose()
            ),
        ));
    }
    Ok(())
}

/// A signer's keyUsage, when present, must allow digitalSignature or nonRepudiation.
pub(crate) fn check_signing_usage(certificate: &Certificate) -> Result<(), Error> {
    if certificate.key_usage().is_some_and(|ku| !ku.digital_signature() && !ku.non_repudiation()) {
        return Err(error(
            ErrorCode::CertificateKeyUsageInvalid,
            format!("certificate {}: its keyUsage does not allow digitalSignature", describe(certificate)),
        ));
    }
    Ok(())
}

/// `certificate`, issued by `issuer`, asked about to the host's revocation source; until when the
/// answer holds.
fn check_online(
    certificate: &Certificate,
    issuer: &Certificate,
    source: Option<&dyn RevocationSource>,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, Error> {
    match source.map_or(RevocationStatus::Unknown, |source| source.status(certificate, issuer, now)) {
        RevocationStatus::Good { until } => Ok(until),
        RevocationStatus::Revoked => Err(error(
            ErrorCode::CertificateRevoked,
            format!("certificate {} is revoked (online revocation source)", describe(certificate)),
        )),
        RevocationStatus::Unknown => Err(error(
            ErrorCode::CertificateRevocationUnknown,
            format!("the online revocation source has no answer for {}", describe(certificate)),
        )),
    }
}

/// `certificate`, issued by `issuer`, against the issuer's current CRL; the CRL's nextUpdate.
fn check_revocation(
    certificate: &Certificate,
    issuer: &Certificate,
    material: &TrustMaterial,
    settings: &ValidationSettings,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, Error> {
    let crl = material
        .crls
        .iter()
        .filter(|crl| crl.is_current(now))
        .find(|crl| crl.issued_by(issuer, &settings.signature_algorithms))
        .ok_or_else(|| {
            error(
                ErrorCode::CertificateRevocationUnknown,
                format!(
                    "no current CRL of {} signed by its key is configured, so the revocation of {} is unknown",
                    issuer.subject(),
                    describe(certificate)
                ),
            )
        })?;
    if crl.lists(certificate) {
        return Err(error(
            ErrorCode::CertificateRevoked,
            format!("certificate {} is revoked by its issuer's CRL", describe(certificate)),
        ));
    }
    Ok(crl.next_update())
}
