//! P_SHA1, the key derivation of WS-Trust and WS-SecureConversation (the TLS 1.0 `P_hash` with HMAC-SHA1).

use super::SymmetricKey;
use super::mac::Hmac;

/// The output length of HMAC-SHA1.
const BLOCK: usize = 20;

/// P_SHA1 under one secret, keyed once: every key derived from it starts from the same hashed
/// key blocks (WCF derives all the keys of an exchange from one secret).
pub struct PSha1(Hmac);

impl PSha1 {
    /// P_SHA1 keyed with `secret`.
    pub fn new(secret: &[u8]) -> Self {
        Self(Hmac::sha1(secret).expect(INFALLIBLE))
    }

    /// Bytes `offset..offset + len` of P_SHA1(secret, seed) as defined by RFC 2246 §5, the seed
    /// given in two parts (a label and a nonce, never copied together):
    /// A(0) = seed, A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ...
    pub fn derive(&mut self, seed: [&[u8]; 2], offset: usize, len: usize) -> SymmetricKey {
        let hmac = &mut self.0;
        let mut out = Vec::with_capacity(len);
        let mut a = hmac.mac(&seed).expect(INFALLIBLE);
        let mut produced = 0;
        while out.len() < len {
            let block = hmac.mac(&[a.as_ref(), seed[0], seed[1]]).expect(INFALLIBLE);
            // Blocks wholly before `offset` are skipped; the first one used may start inside.
            let skip = offset.saturating_sub(produced).min(BLOCK);
            let take = (BLOCK - skip).min(len - out.len());
            out.extend_from_slice(&block.as_ref()[skip..skip + take]);
            produced += BLOCK;
            if out.len() < len {
                // A(i+1), only when another block is needed.
                a = hmac.mac(&[a.as_ref()]).expect(INFALLIBLE);
            }
        }
        SymmetricKey::new(out)
    }
}

// aws-lc's HMAC-SHA1 cannot fail here (a flat context, no allocation, any key length); were a
// failure reported, this panics as aws-lc-rs's own `hmac` does, rather than derive a wrong key.
const INFALLIBLE: &str = "aws-lc HMAC-SHA1 failed";

#[cfg(test)]
mod tests {
    use super::PSha1;
    use crate::crypto::SymmetricKey;

    fn p_sha1(secret: &[u8], seed: [&[u8]; 2], offset: usize, len: usize) -> SymmetricKey {
        PSha1::new(secret).derive(seed, offset, len)
    }
    use crate::crypto::tests::unhex;

    /// Produced independently with Python's `hmac` and `hashlib` (a direct transcription of RFC 2246 §5):
    /// ```text
    /// import hmac, hashlib
    /// def p_sha1(secret, seed, n):
    ///     out, a = b"", seed
    ///     while len(out) < n:
    ///         a = hmac.new(secret, a, hashlib.sha1).digest()
    ///         out += hmac.new(secret, a + seed, hashlib.sha1).digest()
    ///     return out[:n]
    /// p_sha1(b"wsseal shared secret", b"WS-SecureConversationWS-SecureConversation" + bytes(range(16)), 77).hex()
    /// ```
    const VECTOR_77: &str = concat!(
        "955af3d1e371c050ef5dc142276e951400f640477e6d2e29a3c9785b6a16bb55752048973ffba6f0",
        "06b851428a67190cef5f135127ebaa3e5ce2a72dbf59de0dcd2ec88d684abdac4532a33bf8",
    );

    fn seed() -> Vec<u8> {
        let mut seed = b"WS-SecureConversationWS-SecureConversation".to_vec();
        seed.extend(0u8..16);
        seed
    }

    #[test]
    fn matches_an_independent_computation() {
        let key = p_sha1(b"wsseal shared secret", [&seed(), &[]], 0, 77);
        assert_eq!(key.as_bytes(), unhex(VECTOR_77).as_slice());
    }

    #[test]
    fn shorter_outputs_are_prefixes() {
        let full = unhex(VECTOR_77);
        for len in [0, 1, 16, 20, 21, 32, 40, 60] {
            assert_eq!(p_sha1(b"wsseal shared secret", [&seed(), &[]], 0, len).as_bytes(), &full[..len], "{len}");
        }
    }

    #[test]
    fn any_window_of_the_output_and_any_split_of_the_seed() {
        let full = unhex(VECTOR_77);
        let seed = seed();
        for offset in [0, 1, 19, 20, 21, 39, 40, 41, 57] {
            for len in [0, 1, 16, 20, 32] {
                let len = len.min(77 - offset);
                for split in [0, 10, 42, seed.len()] {
                    let (label, nonce) = seed.split_at(split);
                    let key = p_sha1(b"wsseal shared secret", [label, nonce], offset, len);
                    assert_eq!(key.as_bytes(), &full[offset..offset + len], "{offset} {len} {split}");
                }
            }
        }
    }

    #[test]
    fn one_keyed_context_derives_each_key_as_a_fresh_one_would() {
        let full = unhex(VECTOR_77);
        let seed = seed();
        let mut keyed = PSha1::new(b"wsseal shared secret");
        for (offset, len) in [(0, 32), (5, 24), (0, 77), (40, 20), (0, 1)] {
            assert_eq!(keyed.derive([&seed, &[]], offset, len).as_bytes(), &full[offset..offset + len]);
            let other = keyed.derive([b"another", b"seed"], 0, 20);
            assert_eq!(other.as_bytes(), p_sha1(b"wsseal shared secret", [b"another", b"seed"], 0, 20).as_bytes());
        }
    }

    #[test]
    fn keys_longer_than_a_block_are_hashed_first() {
        // RFC 2202 test case 6 (an 80-byte key, hashed before use): its HMAC-SHA1 is A(1) of
        // P_SHA1 with the test message as seed; the first output block, HMAC(A(1) || seed), is
        // checked against aws-lc-rs's HMAC.
        let a1 = unhex("aa4ae5e15272d00e95705637ce8a3b55ed402112");
        let seed = b"Test Using Larger Than Block-Size Key - Hash Key First";
        let expected = {
            use aws_lc_rs::hmac;
            let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &[0xaa; 80]);
            assert_eq!(hmac::sign(&key, seed).as_ref(), a1.as_slice());
            let mut block = hmac::Context::with_key(&key);
            block.update(&a1);
            block.update(seed);
            block.sign().as_ref().to_vec()
        };
        assert_eq!(p_sha1(&[0xaa; 80], [seed, &[]], 0, 20).as_bytes(), expected.as_slice());
    }
}
