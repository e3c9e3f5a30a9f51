//! The raw aws-lc-rs RSA operations a message cannot avoid, keys parsed once: the limits the
//! WSS 1.0 and WCF benchmarks compare their figures with. The client signs a 32-byte digest and
//! the service verifies it; a 32-byte content key is wrapped for the service with RSA-OAEP
//! (SHA-1, MGF1-SHA-1) and unwrapped by it.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    KeyPair, OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};

use crate::Pki;

/// The four RSA-2048 operations, each callable over and over.
pub struct RawRsa {
    rng: SystemRandom,
    digest: [u8; 32],
    signer: KeyPair,
    signature: Vec<u8>,
    verifier: ParsedPublicKey,
    public: OaepPublicEncryptingKey,
    wrapped: Vec<u8>,
    /// Where [`RawRsa::encrypt`] writes, so that `wrapped` stays the key to unwrap.
    rewrapped: Vec<u8>,
    private: OaepPrivateDecryptingKey,
    unwrapped: Vec<u8>,
}

impl RawRsa {
    /// The client's signing key and the service's OAEP key pair, parsed once.
    pub fn new(pki: &Pki) -> Self {
        let rng = SystemRandom::new();
        let digest = [7u8; 32];
        let signer = KeyPair::from_pkcs8(&pki.client.key_pkcs8_der).expect("the client key");
        let mut signature = vec![0; signer.public_modulus_len()];
        signer.sign(&RSA_PKCS1_SHA256, &rng, &digest, &mut signature).expect("signs");
        let verifier = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &pki.client.spki_der).expect("the key");
        let public = PublicEncryptingKey::from_der(&pki.service.spki_der).expect("the service key");
        let public = OaepPublicEncryptingKey::new(public).expect("an OAEP key");
        let mut wrapped = vec![0; public.ciphertext_size()];
        public.encrypt(&OAEP_SHA1_MGF1SHA1, &digest, &mut wrapped, None).expect("encrypts");
        let private = PrivateDecryptingKey::from_pkcs8(&pki.service.key_pkcs8_der).expect("the service key");
        let private = OaepPrivateDecryptingKey::new(private).expect("an OAEP key");
        let unwrapped = vec![0; private.key_size_bytes()];
        let rewrapped = wrapped.clone();
        Self { rng, digest, signer, signature, verifier, public, wrapped, rewrapped, private, unwrapped }
    }

    /// One PKCS#1 v1.5 SHA-256 signature (the private operation; aws-lc-rs signs no SHA-1, and
    /// the private operation costs the same).
    pub fn sign(&mut self) {
        self.signer.sign(&RSA_PKCS1_SHA256, &self.rng, &self.digest, &mut self.signature).expect("signs");
    }

    /// One verification of that signature.
    pub fn verify(&self) {
        self.verifier.verify_sig(&self.digest, &self.signature).expect("verifies");
    }

    /// One RSA-OAEP wrap of the 32-byte key (the public operation).
    pub fn encrypt(&mut self) {
        self.public.encrypt(&OAEP_SHA1_MGF1SHA1, &self.digest, &mut self.rewrapped, None).expect("encrypts");
    }

    /// One RSA-OAEP unwrap of it (the private operation).
    pub fn decrypt(&mut self) {
        let key =
            self.private.decrypt(&OAEP_SHA1_MGF1SHA1, &self.wrapped, &mut self.unwrapped, None).expect("decrypts");
        assert_eq!(key.len(), 32);
    }
}
