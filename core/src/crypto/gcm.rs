//! AES-GCM as XML-Enc 1.1 uses it: a 96-bit IV, a 128-bit tag, no additional data.
//!
//! Wire layout: IV || ciphertext || tag.

use std::ops::Range;

use aws_lc_rs::aead::{Aad, Algorithm, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::rand;

use super::CryptoError;

/// The GCM tag length.
const TAG_LEN: usize = 16;

/// Encrypts `plaintext` under `key` with a fresh random IV, into one buffer sized once.
pub(super) fn encrypt(alg: &'static Algorithm, key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = LessSafeKey::new(UnboundKey::new(alg, key).map_err(|_| CryptoError::KeyMismatch)?);
    let mut nonce = [0; NONCE_LEN];
    rand::fill(&mut nonce).map_err(|_| CryptoError::Internal)?;
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut out[NONCE_LEN..])
        .map_err(|_| CryptoError::Internal)?;
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Decrypts IV || ciphertext || tag in place and returns the range of `data` that holds the plaintext.
///
/// Every failure (length, tag) is `DecryptionFailed`.
pub(super) fn decrypt(alg: &'static Algorithm, key: &[u8], data: &mut [u8]) -> Result<Range<usize>, CryptoError> {
    if data.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::DecryptionFailed);
    }
    let key = LessSafeKey::new(UnboundKey::new(alg, key).map_err(|_| CryptoError::DecryptionFailed)?);
    let (nonce, sealed) = data.split_at_mut(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::DecryptionFailed)?;
    let plain = key.open_in_place(nonce, Aad::empty(), sealed).map_err(|_| CryptoError::DecryptionFailed)?;
    Ok(NONCE_LEN..NONCE_LEN + plain.len())
}
