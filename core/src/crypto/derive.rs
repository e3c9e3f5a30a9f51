//! P_SHA1, the key derivation of WS-Trust and WS-SecureConversation (the TLS 1.0 `P_hash` with HMAC-SHA1).

use aws_lc_rs::hmac;

use super::SymmetricKey;

/// `len` bytes of P_SHA1(secret, seed) as defined by RFC 2246 §5:
/// A(0) = seed, A(i) = HMAC(secret, A(i-1)), output = HMAC(secret, A(1) || seed) || HMAC(secret, A(2) || seed) || ...
pub fn p_sha1(secret: &[u8], seed: &[u8], len: usize) -> SymmetricKey {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mut out = Vec::with_capacity(len);
    let mut a = hmac::sign(&key, seed);
    loop {
        let mut block = hmac::Context::with_key(&key);
        block.update(a.as_ref());
        block.update(seed);
        let block = block.sign();
        let take = block.as_ref().len().min(len - out.len());
        out.extend_from_slice(&block.as_ref()[..take]);
        if out.len() == len {
            break;
        }
        // A(i+1), only when another block is needed.
        a = hmac::sign(&key, a.as_ref());
    }
    SymmetricKey::new(out)
}

#[cfg(test)]
mod tests {
    use super::p_sha1;
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
        let key = p_sha1(b"wsseal shared secret", &seed(), 77);
        assert_eq!(key.as_bytes(), unhex(VECTOR_77).as_slice());
    }

    #[test]
    fn shorter_outputs_are_prefixes() {
        let full = unhex(VECTOR_77);
        for len in [0, 1, 16, 20, 21, 32, 40, 60] {
            assert_eq!(p_sha1(b"wsseal shared secret", &seed(), len).as_bytes(), &full[..len], "{len}");
        }
    }
}
