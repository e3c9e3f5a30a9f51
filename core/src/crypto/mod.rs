//! Cryptographic primitives on aws-lc-rs, named by their XML-DSig and XML-Enc algorithm URIs.
//!
//! Algorithms are enums with `uri` and `from_uri` ([`DigestAlgorithm`], [`SignatureAlgorithm`],
//! [`KeyTransportAlgorithm`], [`DataEncryptionAlgorithm`], [`KeyWrapAlgorithm`]); keys are
//! [`SymmetricKey`] (zeroized secret bytes), [`PublicKey`] (parsed once, shared cheaply) and
//! [`PrivateKey`]. Every fallible operation returns a [`CryptoError`]; all decryption failures that
//! depend on the data are the single [`CryptoError::DecryptionFailed`].

mod algorithms;
mod cbc;
mod cipher;
mod derive;
mod digest;
mod error;
mod gcm;
mod mac;
mod private;
mod public;
mod rsa_sha1;
mod symmetric;
mod transport;
mod wrap;

#[cfg(test)]
mod tests;

pub use algorithms::{
    DataEncryptionAlgorithm, DigestAlgorithm, KeyTransportAlgorithm, KeyWrapAlgorithm, MGF1_SHA256_URI,
    SignatureAlgorithm,
};
pub use cipher::{decrypt_data, encrypt_data};
pub use derive::PSha1;
pub use digest::{DigestValue, constant_time_eq, digest};
pub use error::CryptoError;
pub use mac::{hmac_sign, hmac_verify};
pub use private::PrivateKey;
pub use public::PublicKey;
pub use symmetric::SymmetricKey;
pub use wrap::{unwrap_key, wrap_key};
