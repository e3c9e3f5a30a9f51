//! The one error type of the certificate module.

use std::fmt;

/// Why a certificate or a PEM text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertError {
    message: String,
}

impl CertError {
    /// An error with this explanation.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// What was wrong, in words.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CertError {}
