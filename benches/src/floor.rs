//! The floors of opening a signed and encrypted message, the work no engine can skip, measured
//! beside the open itself:
//! - the crypto alone: the raw RSA-OAEP decrypt of the content key and the raw RSA verify, base64
//!   and AES-256-CBC of the Body's ciphertext, and a digest of its plaintext;
//! - the same with one quick-xml event pass (the design's parser, reading events and no more)
//!   over the received envelope and over the plaintext.
//!
//! Nothing is checked, canonicalized, resolved or enforced, and nothing else is hashed or
//! decrypted (the Timestamp, the SignedInfo, a WCF request's encrypted signatures), so a real open
//! costs more than either. What a target leaves between the first floor and its limit is all the
//! time any engine has for its XML work.

use crate::raw::RawRsa;
use crate::{Pki, quick_xml_events};
use aws_lc_rs::cipher::{
    AES_256, DecryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::digest::{self, Algorithm};

/// The content of `envelope`'s SOAP Body: what an encrypted Body's CipherValue carries.
pub fn body_content(envelope: &[u8]) -> &[u8] {
    let doc = wsseal_core::xml::Document::parse(envelope, &Default::default()).expect("the envelope parses");
    let body = doc.root().children().find(|child| child.local_name() == "Body").expect("the envelope has a Body");
    &envelope[body.content_span()]
}

/// One open's unavoidable work, repeatable.
pub struct OpenFloor {
    rsa: RawRsa,
    received: Vec<u8>,
    /// base64 of IV || AES-256-CBC(plaintext), as a CipherValue carries it.
    cipher_value: String,
    key: PaddedBlockDecryptingKey,
    digest: &'static Algorithm,
}

impl OpenFloor {
    /// The floor of opening `received`, whose Body content `plaintext` was encrypted, with its
    /// references digested by `digest`.
    pub fn new(pki: &Pki, received: &[u8], plaintext: &[u8], digest: &'static Algorithm) -> Self {
        let key_bytes = [0x5A; 32];
        let encrypting = PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(&AES_256, &key_bytes).expect("key"))
            .expect("an AES-CBC key");
        let mut sealed = plaintext.to_vec();
        let context = encrypting.encrypt(&mut sealed).expect("encrypts");
        let iv: &[u8] = (&context).try_into().expect("a CBC context has an IV");
        let cipher_value = base64_simd::STANDARD.encode_to_string([iv, &sealed].concat());
        let key = PaddedBlockDecryptingKey::cbc_pkcs7(UnboundCipherKey::new(&AES_256, &key_bytes).expect("key"))
            .expect("an AES-CBC key");
        Self { rsa: RawRsa::new(pki), received: received.to_vec(), cipher_value, key, digest }
    }

    /// The crypto once: both RSA operations, base64, AES-CBC and the digest.
    pub fn crypto(&mut self) {
        self.rsa.decrypt();
        let plaintext = self.decrypt_body();
        std::hint::black_box(digest::digest(self.digest, &plaintext));
        self.rsa.verify();
    }

    /// The crypto and a quick-xml event pass over the received envelope and over the plaintext.
    pub fn crypto_and_events(&mut self) {
        self.rsa.decrypt();
        std::hint::black_box(quick_xml_events(&self.received));
        let plaintext = self.decrypt_body();
        std::hint::black_box(quick_xml_events(&plaintext));
        std::hint::black_box(digest::digest(self.digest, &plaintext));
        self.rsa.verify();
    }

    /// The Body's plaintext, from base64 and AES-256-CBC.
    fn decrypt_body(&self) -> Vec<u8> {
        let mut data = base64_simd::STANDARD.decode_to_vec(self.cipher_value.as_bytes()).expect("base64");
        let sealed = data.split_off(16);
        let iv: [u8; 16] = data.try_into().expect("a 16-byte IV");
        let mut plaintext = sealed;
        let len = self.key.decrypt(&mut plaintext, DecryptionContext::Iv128(iv.into())).expect("decrypts").len();
        plaintext.truncate(len);
        plaintext
    }
}

/// Prints the floors of the open named `what`, the crypto alone and with the event pass, beside
/// its limit (the raw RSA-OAEP decrypt), with our rate as a fraction of the second.
pub fn print_floor(what: &str, ours: f64, [crypto, with_events]: [f64; 2], raw_decrypt: f64) {
    println!(
        "  floor of {what}, nothing checked or canonicalized: the crypto alone (raw RSA-OAEP decrypt + RSA verify, base64 + AES-CBC + digest of the Body plaintext) {crypto:.1} /s (floor/limit {:.3}); with a quick-xml event pass over the envelope and the plaintext {with_events:.1} /s (floor/limit {:.3}; ours/floor {:.3})",
        crypto / raw_decrypt,
        with_events / raw_decrypt,
        ours / with_events
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_decrypts_the_body_it_was_given_and_reads_the_envelope() {
        let pki = crate::pki();
        let envelope = crate::envelope_without_header(2 << 10);
        let body = body_content(&envelope);
        assert!(body.starts_with(b"<") && body.len() > 1500, "the Body content of the 2 KB envelope");
        let mut floor = OpenFloor::new(&pki, &envelope, body, &digest::SHA256);
        assert_eq!(floor.decrypt_body(), body);
        assert!(quick_xml_events(&floor.received) > 100);
        floor.crypto();
        floor.crypto_and_events();
    }
}
