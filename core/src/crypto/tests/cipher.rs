//! Data encryption: published vectors, round trips, padding and failure cases.

use aws_lc_rs::cipher::{self, EncryptingKey, EncryptionContext, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;

use super::unhex;
use crate::crypto::{CryptoError, DataEncryptionAlgorithm, SymmetricKey, decrypt_data, encrypt_data};

const AES: [DataEncryptionAlgorithm; 5] = [
    DataEncryptionAlgorithm::Aes128Cbc,
    DataEncryptionAlgorithm::Aes192Cbc,
    DataEncryptionAlgorithm::Aes256Cbc,
    DataEncryptionAlgorithm::Aes128Gcm,
    DataEncryptionAlgorithm::Aes256Gcm,
];

/// Decrypts a copy of `data` and returns the plaintext.
fn decrypt(alg: DataEncryptionAlgorithm, key: &SymmetricKey, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut data = data.to_vec();
    let range = decrypt_data(alg, key, &mut data)?;
    Ok(data[range].to_vec())
}

/// IV || raw CBC encryption of `blocks` (no padding added), through aws-lc-rs directly: lets a test choose
/// every plaintext byte, the padding included.
fn raw_cbc(alg: &'static cipher::Algorithm, key: &[u8], iv: &[u8], blocks: &[u8]) -> Vec<u8> {
    let key = EncryptingKey::cbc(UnboundCipherKey::new(alg, key).expect("key")).expect("cbc key");
    let context = match iv.len() {
        16 => EncryptionContext::Iv128(FixedLength::try_from(iv).expect("iv")),
        _ => EncryptionContext::Iv64(FixedLength::try_from(iv).expect("iv")),
    };
    let mut out = iv.to_vec();
    let mut body = blocks.to_vec();
    key.less_safe_encrypt(&mut body, context).expect("encrypt");
    out.extend(body);
    out
}

#[test]
fn nist_sp800_38a_f25_cbc_aes256() {
    // SP 800-38A F.2.5 CBC-AES256.Encrypt, then one block of padding (16 x 0x10). The pad block's
    // ciphertext was computed with `openssl enc -aes-256-cbc -K <key> -iv <iv> -nopad` over the four
    // plaintext blocks and the pad block; its first four blocks are the published ciphertext.
    let key = SymmetricKey::new(unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"));
    let data = unhex(
        "000102030405060708090a0b0c0d0e0f
         f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
         39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b
         3f461796d6b0d6b2e0c2a72b4d80e644",
    );
    let plaintext = unhex(
        "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
         30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710",
    );
    let mut buf = data.clone();
    let range = decrypt_data(DataEncryptionAlgorithm::Aes256Cbc, &key, &mut buf).expect("decrypt");
    assert_eq!(range, 16..80);
    assert_eq!(&buf[range], plaintext.as_slice());
}

#[test]
fn gcm_spec_test_case_15_aes256() {
    // The GCM specification (McGrew and Viega), test case 15: 256-bit key, 96-bit IV, no AAD.
    let key = SymmetricKey::new(unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
    let data = unhex(
        "cafebabefacedbaddecaf888
         522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa
         8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad
         b094dac5d93471bdec1a502270e3cc6c",
    );
    let plaintext = unhex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72
         1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
    );
    let mut buf = data.clone();
    let range = decrypt_data(DataEncryptionAlgorithm::Aes256Gcm, &key, &mut buf).expect("decrypt");
    assert_eq!(range, 12..76);
    assert_eq!(&buf[range], plaintext.as_slice());

    for i in [0, 12, 40, data.len() - 16, data.len() - 1] {
        let mut bad = data.clone();
        bad[i] ^= 0x01;
        assert_eq!(decrypt(DataEncryptionAlgorithm::Aes256Gcm, &key, &bad), Err(CryptoError::DecryptionFailed), "{i}");
    }
}

#[test]
fn triple_des_openssl_vectors() {
    // Produced with `openssl enc -des-ede3-cbc -K 0123456789abcdef23456789abcdef01456789abcdef0123
    // -iv f0e1d2c3b4a59687 -nopad` over "wsseal 3DES vector" padded by hand: once with six 0x06 bytes,
    // once with "aabbccddee06" (ISO 10126: only the last byte counts).
    let key = SymmetricKey::new(unhex("0123456789abcdef23456789abcdef01456789abcdef0123"));
    let alg = DataEncryptionAlgorithm::TripleDesCbc;
    for body in ["3b490dfe26edd6d58d758030682d80e951f7e70cb07d553d", "3b490dfe26edd6d58d758030682d80e9941f820461396a5d"]
    {
        let data = unhex(&format!("f0e1d2c3b4a59687{body}"));
        assert_eq!(decrypt(alg, &key, &data).expect("decrypt"), b"wsseal 3DES vector");
    }
    assert_eq!(encrypt_data(alg, &key, b"x"), Err(CryptoError::Unsupported));
}

#[test]
fn triple_des_padding_and_lengths() {
    let key_bytes = unhex("0123456789abcdef23456789abcdef01456789abcdef0123");
    let key = SymmetricKey::from_slice(&key_bytes);
    let alg = DataEncryptionAlgorithm::TripleDesCbc;
    #[allow(deprecated)]
    let des = &cipher::DES_EDE3_FOR_LEGACY_USE_ONLY;
    let iv = [9u8; 8];
    let mut block = *b"abcdefg\x08";
    assert_eq!(decrypt(alg, &key, &raw_cbc(des, &key_bytes, &iv, &block)).expect("full pad block"), b"");
    for last in [0u8, 9, 0xff] {
        block[7] = last;
        assert_eq!(decrypt(alg, &key, &raw_cbc(des, &key_bytes, &iv, &block)), Err(CryptoError::DecryptionFailed));
    }
    for len in [0, 7, 8, 9, 15, 17] {
        assert_eq!(decrypt(alg, &key, &vec![0; len]), Err(CryptoError::DecryptionFailed), "{len}");
    }
    // Degenerate 3DES keys (K1 = K2 = K3) are refused by aws-lc-rs; that is a decryption failure.
    let single = SymmetricKey::from_slice(&[0x13; 24]);
    assert_eq!(decrypt(alg, &single, &[0; 16]), Err(CryptoError::DecryptionFailed));
}

#[test]
fn round_trips_every_size() {
    for alg in AES {
        let key = SymmetricKey::generate(alg.key_len()).expect("key");
        let gcm = matches!(alg, DataEncryptionAlgorithm::Aes128Gcm | DataEncryptionAlgorithm::Aes256Gcm);
        for len in 0..=33usize {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let data = encrypt_data(alg, &key, &plaintext).expect("encrypt");
            let expected_len = if gcm { 12 + len + 16 } else { 16 + (len / 16 + 1) * 16 };
            assert_eq!(data.len(), expected_len, "{alg:?} {len}");
            if !gcm {
                let pad = 16 - len % 16;
                let mut plain = data.clone();
                let range = decrypt_data(alg, &key, &mut plain).expect("decrypt");
                assert_eq!(range, 16..16 + len);
                // We write PKCS#7 bytes.
                assert!(plain[range.end..].iter().all(|&b| usize::from(b) == pad), "{alg:?} {len}");
            }
            assert_eq!(decrypt(alg, &key, &data).expect("decrypt"), plaintext, "{alg:?} {len}");
        }
        let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 31 % 251) as u8).collect();
        let data = encrypt_data(alg, &key, &big).expect("encrypt");
        assert_eq!(decrypt(alg, &key, &data).expect("decrypt"), big, "{alg:?} 1 MiB");
        // A fresh IV every time.
        assert_ne!(
            encrypt_data(alg, &key, b"same").expect("encrypt"),
            encrypt_data(alg, &key, b"same").expect("encrypt")
        );
    }
}

#[test]
fn cbc_encryption_matches_aws_lc_rs_with_the_same_iv() {
    for (alg, cipher) in [
        (DataEncryptionAlgorithm::Aes128Cbc, &cipher::AES_128),
        (DataEncryptionAlgorithm::Aes192Cbc, &cipher::AES_192),
        (DataEncryptionAlgorithm::Aes256Cbc, &cipher::AES_256),
    ] {
        let key = SymmetricKey::generate(alg.key_len()).expect("key");
        for len in [0, 1, 15, 16, 17, 100] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let data = encrypt_data(alg, &key, &plaintext).expect("encrypt");
            let pad = 16 - len % 16;
            let mut padded = plaintext.clone();
            padded.resize(len + pad, pad as u8);
            assert_eq!(data, raw_cbc(cipher, key.as_bytes(), &data[..16], &padded), "{alg:?} {len}");
        }
    }
}

#[test]
fn cbc_padding_only_the_last_byte_counts() {
    let key_bytes = [0x42u8; 32];
    let key = SymmetricKey::from_slice(&key_bytes);
    let alg = DataEncryptionAlgorithm::Aes256Cbc;
    let iv = [7u8; 16];
    let mut blocks = b"0123456789abcdefHELLO\xde\xad\xbe\xef\x01\x02\x03\x04\x05\x06\x0b".to_vec();
    assert_eq!(blocks.len(), 32);
    // ISO 10126: eleven pad bytes, ten of them arbitrary.
    assert_eq!(
        decrypt(alg, &key, &raw_cbc(&cipher::AES_256, &key_bytes, &iv, &blocks)).expect("decrypt"),
        b"0123456789abcdefHELLO"
    );
    blocks[31] = 16;
    assert_eq!(
        decrypt(alg, &key, &raw_cbc(&cipher::AES_256, &key_bytes, &iv, &blocks)).expect("decrypt"),
        b"0123456789abcdef"
    );
    for last in [0u8, 17, 32, 0x80, 0xff] {
        blocks[31] = last;
        let data = raw_cbc(&cipher::AES_256, &key_bytes, &iv, &blocks);
        assert_eq!(decrypt(alg, &key, &data), Err(CryptoError::DecryptionFailed), "last byte {last}");
    }
}

#[test]
fn cbc_failures() {
    let key = SymmetricKey::from_slice(&[0x42; 32]);
    let alg = DataEncryptionAlgorithm::Aes256Cbc;
    for len in [0, 1, 15, 16, 17, 31, 33, 47] {
        assert_eq!(decrypt(alg, &key, &vec![0xa5; len]), Err(CryptoError::DecryptionFailed), "{len}");
    }
    // A wrong key on this fixed ciphertext decrypts to a last byte of 0xbe (found with `openssl enc -d -nopad`).
    let data = raw_cbc(&cipher::AES_256, &[0x42; 32], &[7; 16], b"wrong key test!\x01");
    let wrong = SymmetricKey::from_slice(&[0x43; 32]);
    assert_eq!(decrypt(alg, &wrong, &data), Err(CryptoError::DecryptionFailed));
}

#[test]
fn gcm_failures() {
    for alg in [DataEncryptionAlgorithm::Aes128Gcm, DataEncryptionAlgorithm::Aes256Gcm] {
        let key = SymmetricKey::generate(alg.key_len()).expect("key");
        let data = encrypt_data(alg, &key, b"authenticated").expect("encrypt");
        for len in [0, 11, 12, 27, data.len() - 1] {
            assert_eq!(decrypt(alg, &key, &data[..len]), Err(CryptoError::DecryptionFailed), "{len}");
        }
        let mut flipped_tag = data.clone();
        let last = flipped_tag.len() - 1;
        flipped_tag[last] ^= 0x80;
        assert_eq!(decrypt(alg, &key, &flipped_tag), Err(CryptoError::DecryptionFailed));
        let wrong = SymmetricKey::generate(alg.key_len()).expect("key");
        assert_eq!(decrypt(alg, &wrong, &data), Err(CryptoError::DecryptionFailed));
        let empty = encrypt_data(alg, &key, b"").expect("encrypt");
        assert_eq!(empty.len(), 28);
        assert_eq!(decrypt(alg, &key, &empty).expect("decrypt"), b"");
    }
}

#[test]
fn wrong_key_length_is_a_key_mismatch() {
    for alg in DataEncryptionAlgorithm::ALL.iter().copied() {
        let key = SymmetricKey::from_slice(&vec![1; alg.key_len() + 8]);
        assert_eq!(decrypt(alg, &key, &[0; 64]), Err(CryptoError::KeyMismatch), "{alg:?}");
        if alg != DataEncryptionAlgorithm::TripleDesCbc {
            assert_eq!(encrypt_data(alg, &key, b"x"), Err(CryptoError::KeyMismatch), "{alg:?}");
        }
    }
}
