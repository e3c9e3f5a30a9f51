//! HMAC signatures (`hmac-sha1`, `hmac-sha256`) over a shared secret, and the keyed HMAC context
//! P_SHA1 chains.
//!
//! The context is aws-lc's own `HMAC_CTX`, reached through aws-lc-sys: keyed once (its padded key
//! blocks hashed), then each MAC restarts from the hashed inner pad in place. aws-lc-rs's `hmac`
//! copies and wipes a whole context for every MAC instead, which was much of the cost of a small
//! one.

use std::ffi::c_int;
use std::mem::MaybeUninit;

use aws_lc_sys::{
    EVP_MD, EVP_sha1, EVP_sha256, HMAC_CTX, HMAC_CTX_cleanup, HMAC_CTX_init, HMAC_Final, HMAC_Init_ex, HMAC_Update,
};

use super::{CryptoError, SignatureAlgorithm, SymmetricKey, constant_time_eq};

/// The longest HMAC output (SHA-256's).
const MAX_LEN: usize = 32;

/// The HMAC of `message` under `key`, full length.
///
/// `KeyMismatch` if `alg` is not an HMAC algorithm.
pub fn hmac_sign(alg: SignatureAlgorithm, key: &SymmetricKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
    Ok(Hmac::for_signature(alg, key.as_bytes())?.mac(&[message])?.as_ref().to_vec())
}

/// Checks `mac` against the HMAC of `message`, in constant time.
///
/// A MAC of any length other than the full output is `BadSignature`: truncated HMACs
/// (`ds:HMACOutputLength`, CVE-2009-0217) are never accepted. `KeyMismatch` if `alg` is not HMAC.
pub fn hmac_verify(alg: SignatureAlgorithm, key: &SymmetricKey, message: &[u8], mac: &[u8]) -> Result<(), CryptoError> {
    let mut hmac = Hmac::for_signature(alg, key.as_bytes())?;
    if mac.len() != hmac.len {
        return Err(CryptoError::BadSignature);
    }
    let expected = hmac.mac(&[message])?;
    if constant_time_eq(expected.as_ref(), mac) { Ok(()) } else { Err(CryptoError::BadSignature) }
}

/// An HMAC output.
pub(super) struct Tag {
    bytes: [u8; MAX_LEN],
    len: usize,
}

impl AsRef<[u8]> for Tag {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// An aws-lc HMAC context keyed once; MACs are computed one after another in it. Wiped on drop.
pub(super) struct Hmac {
    ctx: HMAC_CTX,
    /// The output length.
    len: usize,
}

impl Hmac {
    /// HMAC-SHA1 under `key`, as P_SHA1 uses it.
    pub(super) fn sha1(key: &[u8]) -> Result<Self, CryptoError> {
        // SAFETY: EVP_sha1 returns a pointer to a static method table.
        Self::new(unsafe { EVP_sha1() }, 20, key)
    }

    /// The HMAC of a signature method; `KeyMismatch` for any other method.
    fn for_signature(alg: SignatureAlgorithm, key: &[u8]) -> Result<Self, CryptoError> {
        match alg {
            SignatureAlgorithm::HmacSha1 => Self::sha1(key),
            // SAFETY: EVP_sha256 returns a pointer to a static method table.
            SignatureAlgorithm::HmacSha256 => Self::new(unsafe { EVP_sha256() }, 32, key),
            _ => Err(CryptoError::KeyMismatch),
        }
    }

    fn new(md: *const EVP_MD, len: usize, key: &[u8]) -> Result<Self, CryptoError> {
        let mut ctx = MaybeUninit::<HMAC_CTX>::uninit();
        // SAFETY: HMAC_CTX_init zeroes the context, which makes it a valid, unkeyed HMAC_CTX (and
        // one HMAC_CTX_cleanup may wipe, as `drop` does).
        let mut hmac = unsafe {
            HMAC_CTX_init(ctx.as_mut_ptr());
            Self { ctx: ctx.assume_init(), len }
        };
        // SAFETY: the context is initialized, `key` is valid for `key.len()` bytes and `md` is a
        // static method table. The context holds no pointer into itself, so it may move.
        let keyed = unsafe { HMAC_Init_ex(&mut hmac.ctx, key.as_ptr().cast(), key.len(), md, std::ptr::null_mut()) };
        succeeded(keyed)?;
        Ok(hmac)
    }

    /// The HMAC of the concatenation of `parts`.
    pub(super) fn mac(&mut self, parts: &[&[u8]]) -> Result<Tag, CryptoError> {
        let mut tag = Tag { bytes: [0; MAX_LEN], len: self.len };
        let mut written = 0;
        // SAFETY: the context was keyed in `new`; a null key and digest restart it with that key
        // (from the hashed inner pad); every part is valid for its length, and `tag.bytes` has room
        // for the output of either digest.
        let status = unsafe {
            let mut status = HMAC_Init_ex(&mut self.ctx, std::ptr::null(), 0, std::ptr::null(), std::ptr::null_mut());
            for part in parts {
                status &= HMAC_Update(&mut self.ctx, part.as_ptr(), part.len());
            }
            status & HMAC_Final(&mut self.ctx, tag.bytes.as_mut_ptr(), &mut written)
        };
        succeeded(status)?;
        if written as usize != self.len {
            return Err(CryptoError::Internal);
        }
        Ok(tag)
    }
}

impl Drop for Hmac {
    fn drop(&mut self) {
        // SAFETY: the context is initialized; HMAC_CTX_cleanup only zeroes it (it is flat).
        unsafe { HMAC_CTX_cleanup(&mut self.ctx) }
    }
}

/// aws-lc's status: 1 is success.
fn succeeded(status: c_int) -> Result<(), CryptoError> {
    if status == 1 { Ok(()) } else { Err(CryptoError::Internal) }
}

#[cfg(test)]
mod tests {
    use super::{hmac_sign, hmac_verify};
    use crate::crypto::tests::unhex;
    use crate::crypto::{CryptoError, SignatureAlgorithm, SymmetricKey};

    #[test]
    fn rfc2202_test_case_1_hmac_sha1() {
        let key = SymmetricKey::from_slice(&[0x0b; 20]);
        let expected = unhex("b617318655057264e28bc0b6fb378c8ef146be00");
        let mac = hmac_sign(SignatureAlgorithm::HmacSha1, &key, b"Hi There").expect("hmac");
        assert_eq!(mac, expected);
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha1, &key, b"Hi There", &expected), Ok(()));
    }

    #[test]
    fn rfc4231_test_case_2_hmac_sha256() {
        let key = SymmetricKey::from_slice(b"Jefe");
        let message = b"what do ya want for nothing?";
        let expected = unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(hmac_sign(SignatureAlgorithm::HmacSha256, &key, message).expect("hmac"), expected);
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &expected), Ok(()));
    }

    #[test]
    fn keys_longer_than_a_block_are_hashed_first() {
        let message = b"Test Using Larger Than Block-Size Key - Hash Key First";
        // RFC 2202 test case 6 and RFC 4231 test case 6.
        for (alg, key_len, expected) in [
            (SignatureAlgorithm::HmacSha1, 80, "aa4ae5e15272d00e95705637ce8a3b55ed402112"),
            (SignatureAlgorithm::HmacSha256, 131, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ] {
            let key = SymmetricKey::from_slice(&vec![0xaa; key_len]);
            let expected = unhex(expected);
            assert_eq!(hmac_sign(alg, &key, message).expect("hmac"), expected);
            assert_eq!(hmac_verify(alg, &key, message, &expected), Ok(()));
        }
    }

    #[test]
    fn truncated_or_wrong_macs_are_rejected() {
        let key = SymmetricKey::from_slice(b"Jefe");
        let message = b"what do ya want for nothing?";
        let mac = hmac_sign(SignatureAlgorithm::HmacSha256, &key, message).expect("hmac");
        for len in [0, 1, 10, 16, 31] {
            assert_eq!(
                hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &mac[..len]),
                Err(CryptoError::BadSignature),
                "truncated to {len}"
            );
        }
        let mut longer = mac.clone();
        longer.push(0);
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &longer), Err(CryptoError::BadSignature));
        let mut flipped = mac.clone();
        flipped[31] ^= 1;
        assert_eq!(
            hmac_verify(SignatureAlgorithm::HmacSha256, &key, message, &flipped),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(hmac_verify(SignatureAlgorithm::HmacSha256, &key, b"other", &mac), Err(CryptoError::BadSignature));
    }

    #[test]
    fn non_hmac_algorithms_are_a_key_mismatch() {
        let key = SymmetricKey::from_slice(b"k");
        assert_eq!(hmac_sign(SignatureAlgorithm::RsaSha256, &key, b"m"), Err(CryptoError::KeyMismatch));
        assert_eq!(hmac_verify(SignatureAlgorithm::EcdsaSha256, &key, b"m", &[0; 32]), Err(CryptoError::KeyMismatch));
    }
}
