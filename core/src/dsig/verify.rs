//! Verification of a [`SignatureElement`] with a key the caller resolved and trusts.

use super::SignatureElement;
use crate::c14n::{self, Algorithm, C14nOptions, Subset};
use crate::crypto::{self, PublicKey, SymmetricKey};
use crate::error::{Error, ErrorCode};
use crate::xml::Document;

/// The key a signature is checked with.
#[derive(Clone, Copy, Debug)]
pub enum VerificationKey<'k> {
    /// A public key from a certificate that passed validation.
    Public(&'k PublicKey),
    /// A symmetric key agreed in this exchange (an EncryptedKey or a key derived from it); HMAC
    /// methods are accepted only with such a key.
    Shared(&'k SymmetricKey),
}

/// Checks the SignatureValue over the canonical SignedInfo, then the digest of every reference.
pub fn verify(doc: &Document<'_>, signature: &SignatureElement<'_>, key: VerificationKey<'_>) -> Result<(), Error> {
    let prefixes = signature.c14n.prefixes();
    let options = signature.c14n.options(&prefixes, true);
    let signed_info = Subset::Element(signature.signed_info);
    let outcome = match (key, signature.method.is_symmetric()) {
        (VerificationKey::Public(public), false) => {
            // Hashed as it is canonicalized: the SignedInfo is never buffered.
            let mut context = signature.method.digest().context();
            c14n::canonicalize(doc, signed_info, &options, &mut context)?;
            public.verify_digest(signature.method, &context.finish(), &signature.value)
        }
        (VerificationKey::Shared(shared), true) => {
            let canonical = c14n::canonicalize_to_spare(doc, signed_info, &options)?;
            crypto::hmac_verify(signature.method, shared, &canonical, &signature.value)
        }
        (VerificationKey::Public(_), true) => {
            return Err(Error::new(ErrorCode::SignatureKeyUnresolved, "an HMAC signature needs the exchange's key"));
        }
        (VerificationKey::Shared(_), false) => {
            return Err(Error::new(ErrorCode::SignatureKeyUnresolved, "a public-key signature needs a certificate"));
        }
    };
    outcome.map_err(|e| match e {
        crypto::CryptoError::KeyMismatch | crypto::CryptoError::InvalidKey => Error::new(
            ErrorCode::SignatureKeyUnresolved,
            format!("the signer's key cannot make {} signatures", signature.method.uri()),
        ),
        _ => Error::new(ErrorCode::SignatureInvalid, "the SignatureValue does not verify"),
    })?;

    for reference in &signature.references {
        let mut context = reference.digest.context();
        // A bare-name `#id` reference selects the element without comments (XML-DSig 4.3.3.3),
        // whatever the transform says.
        let prefixes = reference.transform.as_ref().map(|m| m.prefixes()).unwrap_or_default();
        let options = match &reference.transform {
            Some(method) => method.options(&prefixes, false),
            None => C14nOptions { algorithm: Algorithm::Inclusive, with_comments: false, inclusive_prefixes: &[] },
        };
        c14n::canonicalize(doc, Subset::Element(reference.target), &options, &mut context)?;
        if !crypto::constant_time_eq(context.finish().as_ref(), &reference.digest_value) {
            return Err(Error::new(
                ErrorCode::DigestMismatch,
                format!("the digest of {} does not match its DigestValue", reference.uri),
            ));
        }
    }
    Ok(())
}
