//! RSA PKCS#1 v1.5 signing with SHA-1 (`xmldsig#rsa-sha1`), which aws-lc-rs does not offer.
//!
//! With `mac`'s HMAC context, the only `unsafe` code of the crypto module: the same aws-lc
//! library, called through aws-lc-sys on an `EVP_PKEY` parsed here from the key's PKCS#8 DER.

use std::ptr::{self, NonNull};

use aws_lc_rs::digest;
use aws_lc_sys::{
    CBS, CBS_init, CBS_len, EVP_PKEY, EVP_PKEY_CTX, EVP_PKEY_CTX_free, EVP_PKEY_CTX_new, EVP_PKEY_CTX_set_rsa_padding,
    EVP_PKEY_CTX_set_signature_md, EVP_PKEY_RSA, EVP_PKEY_free, EVP_PKEY_id, EVP_PKEY_sign, EVP_PKEY_sign_init,
    EVP_PKEY_size, EVP_parse_private_key, EVP_sha1, RSA_PKCS1_PADDING,
};

use super::CryptoError;

/// An RSA private key owned by this value, used only for RSA-SHA1 signatures.
pub(super) struct RsaSha1Signer(NonNull<EVP_PKEY>);

// SAFETY: the EVP_PKEY is never mutated after parsing. aws-lc documents that an EVP_PKEY may be used
// concurrently from several threads by non-mutating functions; the only change `EVP_PKEY_CTX_new`
// makes to it is a reference count increment, which aws-lc performs atomically.
unsafe impl Send for RsaSha1Signer {}
// SAFETY: as for `Send`: shared references only reach non-mutating aws-lc functions.
unsafe impl Sync for RsaSha1Signer {}

impl Drop for RsaSha1Signer {
    fn drop(&mut self) {
        // SAFETY: the pointer came from EVP_parse_private_key, we own one reference, and it is freed once.
        unsafe { EVP_PKEY_free(self.0.as_ptr()) }
    }
}

impl RsaSha1Signer {
    /// Parses an RSA `PrivateKeyInfo` (PKCS#8). The whole input must be one key.
    pub(super) fn from_pkcs8(der: &[u8]) -> Result<Self, CryptoError> {
        let mut cbs = CBS { data: ptr::null(), len: 0 };
        // SAFETY: CBS_init only records the pointer and length; `der` outlives every use of `cbs` below.
        unsafe { CBS_init(&mut cbs, der.as_ptr(), der.len()) };
        // SAFETY: `cbs` is initialized and reads stay within `der`; the result is a new owned key or null.
        let key = NonNull::new(unsafe { EVP_parse_private_key(&mut cbs) }).ok_or(CryptoError::InvalidKey)?;
        let key = Self(key);
        // SAFETY: `cbs` is still a valid view into `der`.
        if unsafe { CBS_len(&cbs) } != 0 {
            return Err(CryptoError::InvalidKey);
        }
        // SAFETY: `key.0` is a valid EVP_PKEY.
        if unsafe { EVP_PKEY_id(key.0.as_ptr()) } != EVP_PKEY_RSA {
            return Err(CryptoError::KeyMismatch);
        }
        Ok(key)
    }

    /// The PKCS#1 v1.5 signature of the SHA-1 digest of `message`.
    pub(super) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let digest = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, message);
        let ctx = SignContext::new(self)?;
        // SAFETY: `self.0` is a valid EVP_PKEY; EVP_PKEY_size only reads it.
        let size = usize::try_from(unsafe { EVP_PKEY_size(self.0.as_ptr()) }).map_err(|_| CryptoError::Internal)?;
        let mut signature = vec![0; size];
        let mut len = signature.len();
        // SAFETY: `signature` has room for `len` bytes, the maximum EVP_PKEY_size reported, and `len` is
        // updated to the bytes written; the digest pointer and length describe a live buffer.
        let ok = unsafe {
            EVP_PKEY_sign(
                ctx.0.as_ptr(),
                signature.as_mut_ptr(),
                &mut len,
                digest.as_ref().as_ptr(),
                digest.as_ref().len(),
            )
        };
        if ok != 1 || len > signature.len() {
            return Err(CryptoError::Internal);
        }
        signature.truncate(len);
        Ok(signature)
    }
}

/// An `EVP_PKEY_CTX` set up for RSA PKCS#1 v1.5 signing of a SHA-1 digest, freed on drop.
struct SignContext(NonNull<EVP_PKEY_CTX>);

impl Drop for SignContext {
    fn drop(&mut self) {
        // SAFETY: the pointer came from EVP_PKEY_CTX_new and is freed once.
        unsafe { EVP_PKEY_CTX_free(self.0.as_ptr()) }
    }
}

impl SignContext {
    /// A signing context on `key`.
    fn new(key: &RsaSha1Signer) -> Result<Self, CryptoError> {
        // SAFETY: `key.0` is a valid EVP_PKEY; the context takes its own reference to it (see `Send` above).
        let ctx =
            NonNull::new(unsafe { EVP_PKEY_CTX_new(key.0.as_ptr(), ptr::null_mut()) }).ok_or(CryptoError::Internal)?;
        let ctx = Self(ctx);
        // SAFETY: `ctx.0` is a valid, exclusively owned context; EVP_sha1 returns a static EVP_MD.
        let ok = unsafe {
            EVP_PKEY_sign_init(ctx.0.as_ptr()) == 1
                && EVP_PKEY_CTX_set_rsa_padding(ctx.0.as_ptr(), RSA_PKCS1_PADDING) == 1
                && EVP_PKEY_CTX_set_signature_md(ctx.0.as_ptr(), EVP_sha1()) == 1
        };
        if ok { Ok(ctx) } else { Err(CryptoError::Internal) }
    }
}
