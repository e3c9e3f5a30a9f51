//! What an opened message proved: who signed it, what was signed and encrypted, when.

use std::sync::Arc;

use serde::Serialize;

use crate::cert::Certificate;

/// The certificate that signed a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Signer {
    /// Subject, RFC 4514.
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, decimal.
    pub serial: String,
    /// SHA-1 thumbprint, upper-case hex.
    pub thumbprint_sha1: String,
}

impl Signer {
    /// Describes `certificate`.
    pub fn of(certificate: &Certificate) -> Self {
        Self {
            subject: certificate.subject().to_owned(),
            issuer: certificate.issuer().to_owned(),
            serial: certificate.serial_decimal().to_owned(),
            thumbprint_sha1: certificate.thumbprint_hex().to_owned(),
        }
    }
}

/// The verified Timestamp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimestampReport {
    /// Created, as `YYYY-MM-DDThh:mm:ss.sssZ`.
    pub created: String,
    /// Expires, when present.
    pub expires: Option<String>,
}

/// The verification report of an opened message. Parts are named `Body`, `Timestamp`,
/// `Signature`, or `{namespace}local` for header blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Who signed the message (shared with the validated certificate it describes).
    pub signer: Option<Arc<Signer>>,
    /// The parts covered, at their positions, by a verified signature.
    pub signed: Vec<String>,
    /// The parts that arrived encrypted.
    pub encrypted: Vec<String>,
    /// The Timestamp.
    pub timestamp: Option<TimestampReport>,
    /// The WS-Addressing MessageID, if signed.
    pub message_id: Option<String>,
}
