//! `wsseal_identity_check`: does a certificate satisfy an expected service identity given as WCF
//! `<identity>` XML (the core's `Identity`)?

use wsseal_core::cert::Certificate;
use wsseal_core::identity::Identity;
use wsseal_core::{Error, ErrorCode};

use crate::boundary::{arg_slice, arg_text, guard};
use crate::result::wsseal_result;

/// Checks the certificate (`certificate_len` bytes at `certificate`, DER or PEM: its first
/// certificate) against the expected identity `identity_xml` (`identity_xml_len` bytes of UTF-8): a
/// WCF `<identity>` element holding one identity, or one of its children alone, such as
/// `<dns value="contoso.com"/>`. Returns `WSSEAL_OK` when the certificate satisfies it.
///
/// Ownership: both inputs are read during the call. Thread-safety: any thread. Errors:
/// `NULL_ARGUMENT`, `INVALID_ARGUMENT`, `INVALID_UTF8`, `CREDENTIAL_INVALID` (the certificate
/// cannot be read), `IDENTITY_INVALID` (the XML cannot be read), `IDENTITY_MISMATCH` (the message
/// names what was expected and what the certificate offers), `IDENTITY_UNSATISFIABLE` (a
/// servicePrincipalName), `CONFIG_INVALID` (a certificateReference, which needs a store).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_identity_check(
    certificate: *const u8,
    certificate_len: usize,
    identity_xml: *const u8,
    identity_xml_len: usize,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or `certificate_len` readable bytes.
        let certificate = unsafe { arg_slice(certificate, certificate_len, "certificate") }?;
        // SAFETY: as above, `identity_xml_len` readable bytes.
        let xml = unsafe { arg_text(identity_xml, identity_xml_len, "identity_xml") }?;
        let certificate = read_certificate(certificate)?;
        Identity::from_xml(xml)?.check(&certificate)?;
        Ok(())
    })
}

/// The certificate of DER bytes, or the first certificate of a PEM text.
fn read_certificate(bytes: &[u8]) -> Result<Certificate, Error> {
    let parsed = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        Certificate::from_pem(bytes)
    } else {
        Certificate::from_der(bytes)
    };
    parsed.map_err(|e| Error::new(ErrorCode::CredentialInvalid, format!("certificate: {}", e.message())))
}
