//! CBC mode with XML-Enc padding (AES and, for decryption, Triple DES).
//!
//! Wire layout: IV || ciphertext. The padding is ISO 10126 style: only the last byte, the pad
//! length, is meaningful; the other pad bytes are arbitrary. We write PKCS#7 bytes.

use std::mem::MaybeUninit;
use std::ops::Range;

use aws_lc_rs::cipher::{Algorithm, DecryptingKey, DecryptionContext, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand;
use aws_lc_sys::{AES_DECRYPT, AES_ENCRYPT, AES_KEY, AES_cbc_encrypt, AES_set_decrypt_key, AES_set_encrypt_key};
use zeroize::Zeroize;

use super::CryptoError;

/// The block length of AES, the one cipher with 16-byte blocks here (Triple DES has 8).
const AES_BLOCK: usize = 16;

/// Encrypts `plaintext` under `key` with a fresh random IV, into one buffer sized once. AES only
/// (Triple DES is decrypted, never written).
pub(super) fn encrypt(alg: &'static Algorithm, key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let block = alg.block_len();
    if block != AES_BLOCK {
        return Err(CryptoError::Unsupported);
    }
    let pad = block - plaintext.len() % block;
    let mut out = Vec::with_capacity(block + plaintext.len() + pad);
    out.resize(block, 0);
    out.extend_from_slice(plaintext);
    // The pad length fits a byte: it is at most the block length, 16.
    out.resize(out.len() + pad, u8::try_from(pad).map_err(|_| CryptoError::Internal)?);

    let (iv, body) = out.split_at_mut(block);
    rand::fill(iv).map_err(|_| CryptoError::Internal)?;
    // The chaining value starts as the IV, which stays as written in front of the ciphertext.
    let mut chain = [0; AES_BLOCK];
    chain.copy_from_slice(iv);
    aes_cbc(key, &mut chain, body, AES_ENCRYPT).ok_or(CryptoError::KeyMismatch)?;
    Ok(out)
}

/// Decrypts IV || ciphertext in place and returns the range of `data` that holds the plaintext.
///
/// Every failure (length, key material, pad byte) is `DecryptionFailed`.
pub(super) fn decrypt(alg: &'static Algorithm, key: &[u8], data: &mut [u8]) -> Result<Range<usize>, CryptoError> {
    let block = alg.block_len();
    if data.len() < 2 * block || !data.len().is_multiple_of(block) {
        return Err(CryptoError::DecryptionFailed);
    }
    let (iv, body) = data.split_at_mut(block);
    if block == AES_BLOCK {
        aes_cbc(key, iv, body, AES_DECRYPT).ok_or(CryptoError::DecryptionFailed)?;
    } else {
        let context = context_for(iv)?;
        let unbound = UnboundCipherKey::new(alg, key).map_err(|_| CryptoError::DecryptionFailed)?;
        let key = DecryptingKey::cbc(unbound).map_err(|_| CryptoError::DecryptionFailed)?;
        key.decrypt(body, context).map_err(|_| CryptoError::DecryptionFailed)?;
    }
    let pad = usize::from(body.last().copied().unwrap_or(0));
    if pad == 0 || pad > block {
        return Err(CryptoError::DecryptionFailed);
    }
    Ok(block..data.len() - pad)
}

/// AES-CBC over `body` (whole blocks) in place with aws-lc's AES, encrypting or decrypting
/// (`direction`): the key schedule lives on the stack and is wiped after, where aws-lc-rs would
/// allocate, copy and wipe a key object per message. `iv` is the chaining block, which the call
/// updates. `None` for a key that is not an AES key.
fn aes_cbc(key: &[u8], iv: &mut [u8], body: &mut [u8], direction: i32) -> Option<()> {
    let bits = u32::try_from(key.len() * 8).ok().filter(|bits| matches!(bits, 128 | 192 | 256))?;
    if iv.len() != AES_BLOCK || !body.len().is_multiple_of(AES_BLOCK) {
        return None;
    }
    let set_key = if direction == AES_ENCRYPT { AES_set_encrypt_key } else { AES_set_decrypt_key };
    let mut schedule = MaybeUninit::<AES_KEY>::zeroed();
    // SAFETY: `key` holds `bits / 8` bytes and `schedule` is room for an AES_KEY, which the call
    // fills (0 is success).
    if unsafe { set_key(key.as_ptr(), bits, schedule.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: the schedule was set; `body` is whole blocks, processed in place (aws-lc allows
    // `in == out`), and `iv` is one 16-byte block.
    let mut schedule = unsafe {
        AES_cbc_encrypt(body.as_ptr(), body.as_mut_ptr(), body.len(), schedule.as_ptr(), iv.as_mut_ptr(), direction);
        schedule.assume_init()
    };
    schedule.rd_key.zeroize();
    Some(())
}

/// The decryption context carrying `iv`, a 16-byte (AES) or 8-byte (DES) block.
fn context_for(iv: &[u8]) -> Result<DecryptionContext, CryptoError> {
    match iv.len() {
        16 => FixedLength::try_from(iv).map(DecryptionContext::Iv128),
        8 => FixedLength::try_from(iv).map(DecryptionContext::Iv64),
        _ => return Err(CryptoError::DecryptionFailed),
    }
    .map_err(|_| CryptoError::DecryptionFailed)
}
