//! Certificate revocation lists: parsed once, their revoked serial numbers indexed, their
//! signature checked against the issuer found on the certificate's path.

use std::collections::HashSet;

use der::Decode;
use time::OffsetDateTime;
use x509_cert::crl::CertificateList;

use super::{CertificateSignatureAlgorithm, algorithms};
use crate::cert::{Certificate, tbs_span};
use crate::error::{Error, ErrorCode};

/// One CRL.
#[derive(Debug)]
pub struct Crl {
    der: Vec<u8>,
    tbs: std::ops::Range<usize>,
    list: CertificateList,
    issuer: String,
    revoked: HashSet<Vec<u8>>,
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
}

impl Crl {
    /// Parses a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let invalid = |e: &dyn std::fmt::Display| Error::new(ErrorCode::ConfigInvalid, format!("malformed CRL: {e}"));
        let list = CertificateList::from_der(der).map_err(|e| invalid(&e))?;
        let tbs = tbs_span(der).map_err(|e| invalid(&e))?;
        let revoked = list.tbs_cert_list.revoked_certificates.iter().flatten();
        let revoked = revoked.map(|entry| entry.serial_number.as_bytes().to_vec()).collect();
        let date = |t: &x509_cert::time::Time| crate::cert::date_time(t).map_err(|e| invalid(&e));
        let this_update = date(&list.tbs_cert_list.this_update)?;
        let next_update = list.tbs_cert_list.next_update.as_ref().map(date).transpose()?;
        let issuer = crate::cert::format_name(&list.tbs_cert_list.issuer).map_err(|e| invalid(&e))?;
        Ok(Self { der: der.to_vec(), tbs, list, issuer, revoked, this_update, next_update })
    }

    /// The issuer, RFC 4514.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// When the next CRL is due; after it this one is stale.
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// Was this CRL issued by `issuer` (name, keyUsage cRLSign when present, and signature), with
    /// an accepted algorithm?
    pub(crate) fn issued_by(&self, issuer: &Certificate, accepted: &[CertificateSignatureAlgorithm]) -> bool {
        crate::cert::name_equals(&self.list.tbs_cert_list.issuer, issuer)
            && issuer.key_usage().is_none_or(|ku| ku.crl_sign())
            && algorithms::verify_signed(
                &"a CRL",
                &self.list.signature_algorithm.oid,
                accepted,
                issuer.spki_der(),
                &self.der[self.tbs.clone()],
                self.list.signature.raw_bytes(),
            )
            .is_ok()
    }

    /// Is it current at `now` (issued, and not past its nextUpdate)?
    pub(crate) fn is_current(&self, now: OffsetDateTime) -> bool {
        self.this_update <= now && self.next_update.is_none_or(|next| now < next)
    }

    /// Does it list `certificate`'s serial number?
    pub(crate) fn lists(&self, certificate: &Certificate) -> bool {
        self.revoked.contains(certificate.x509().tbs_certificate().serial_number().as_bytes())
    }
}
