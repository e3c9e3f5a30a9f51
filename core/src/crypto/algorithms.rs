//! The XML-DSig and XML-Enc algorithm identifiers, each bound to its URI.

use aws_lc_rs::digest;

/// Declares a fieldless enum whose variants each have one URI, with `ALL`, `uri` and `from_uri`.
macro_rules! uri_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $uri:expr,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The algorithm URI, as it appears in an `Algorithm` attribute.
            pub fn uri(self) -> &'static str {
                match self {
                    $(Self::$variant => $uri,)+
                }
            }

            /// The algorithm named by `uri`, compared byte for byte.
            pub fn from_uri(uri: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|alg| alg.uri() == uri)
            }
        }
    };
}

/// The URI of MGF1 with SHA-256, carried by `xenc11:MGF` for [`KeyTransportAlgorithm::RsaOaepSha256`].
pub const MGF1_SHA256_URI: &str = "http://www.w3.org/2009/xmlenc11#mgf1sha256";

uri_enum! {
    /// A digest algorithm (`ds:DigestMethod`).
    DigestAlgorithm {
        /// SHA-1.
        Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        /// SHA-256.
        Sha256 => "http://www.w3.org/2001/04/xmlenc#sha256",
        /// SHA-384.
        Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
        /// SHA-512.
        Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
    }
}

impl DigestAlgorithm {
    /// The length of a digest, in bytes.
    pub fn output_len(self) -> usize {
        self.aws().output_len()
    }

    /// The aws-lc-rs algorithm.
    pub fn aws(self) -> &'static digest::Algorithm {
        match self {
            Self::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &digest::SHA256,
            Self::Sha384 => &digest::SHA384,
            Self::Sha512 => &digest::SHA512,
        }
    }

    /// A fresh streaming hasher.
    pub fn context(self) -> digest::Context {
        digest::Context::new(self.aws())
    }
}

uri_enum! {
    /// A signature or MAC algorithm (`ds:SignatureMethod`).
    SignatureAlgorithm {
        /// RSA PKCS#1 v1.5 with SHA-1.
        RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        /// RSA PKCS#1 v1.5 with SHA-256.
        RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        /// RSA PKCS#1 v1.5 with SHA-384.
        RsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        /// RSA PKCS#1 v1.5 with SHA-512.
        RsaSha512 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 6931).
        RsaPssSha256 => "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
        /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt (RFC 6931).
        RsaPssSha384 => "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
        /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt (RFC 6931).
        RsaPssSha512 => "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
        /// ECDSA on P-256 with SHA-256, signature as the fixed-length `r || s`.
        EcdsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        /// ECDSA on P-384 with SHA-384, signature as the fixed-length `r || s`.
        EcdsaSha384 => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        /// HMAC with SHA-1.
        HmacSha1 => "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
        /// HMAC with SHA-256.
        HmacSha256 => "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
    }
}

impl SignatureAlgorithm {
    /// The digest the algorithm signs with.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            Self::RsaSha1 | Self::HmacSha1 => DigestAlgorithm::Sha1,
            Self::RsaSha256 | Self::RsaPssSha256 | Self::EcdsaSha256 | Self::HmacSha256 => DigestAlgorithm::Sha256,
            Self::RsaSha384 | Self::RsaPssSha384 | Self::EcdsaSha384 => DigestAlgorithm::Sha384,
            Self::RsaSha512 | Self::RsaPssSha512 => DigestAlgorithm::Sha512,
        }
    }

    /// Whether this is a MAC over a shared secret (HMAC) rather than a public-key signature.
    pub fn is_symmetric(self) -> bool {
        matches!(self, Self::HmacSha1 | Self::HmacSha256)
    }
}

uri_enum! {
    /// An RSA key transport algorithm (`xenc:EncryptionMethod` of an `xenc:EncryptedKey`).
    KeyTransportAlgorithm {
        /// RSA-OAEP with SHA-1 and MGF1-SHA-1.
        RsaOaepMgf1pSha1 => "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
        /// XML-Enc 1.1 RSA-OAEP, here with a SHA-256 `ds:DigestMethod` and MGF1-SHA-256 ([`MGF1_SHA256_URI`]).
        RsaOaepSha256 => "http://www.w3.org/2009/xmlenc11#rsa-oaep",
        /// RSA PKCS#1 v1.5 encryption; decryption uses implicit rejection.
        Rsa15 => "http://www.w3.org/2001/04/xmlenc#rsa-1_5",
    }
}

impl KeyTransportAlgorithm {
    /// The OAEP digest (the `ds:DigestMethod` child), or `None` for PKCS#1 v1.5.
    pub fn oaep_digest(self) -> Option<DigestAlgorithm> {
        match self {
            Self::RsaOaepMgf1pSha1 => Some(DigestAlgorithm::Sha1),
            Self::RsaOaepSha256 => Some(DigestAlgorithm::Sha256),
            Self::Rsa15 => None,
        }
    }

    /// The `xenc11:MGF` URI the element carries, where there is one.
    pub fn mgf_uri(self) -> Option<&'static str> {
        match self {
            Self::RsaOaepSha256 => Some(MGF1_SHA256_URI),
            Self::RsaOaepMgf1pSha1 | Self::Rsa15 => None,
        }
    }
}

uri_enum! {
    /// A data encryption algorithm (`xenc:EncryptionMethod` of an `xenc:EncryptedData`).
    DataEncryptionAlgorithm {
        /// AES-128 in CBC mode.
        Aes128Cbc => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
        /// AES-192 in CBC mode.
        Aes192Cbc => "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
        /// AES-256 in CBC mode.
        Aes256Cbc => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
        /// AES-128 in GCM mode.
        Aes128Gcm => "http://www.w3.org/2009/xmlenc11#aes128-gcm",
        /// AES-256 in GCM mode.
        Aes256Gcm => "http://www.w3.org/2009/xmlenc11#aes256-gcm",
        /// Triple DES (three keys) in CBC mode; decryption only.
        TripleDesCbc => "http://www.w3.org/2001/04/xmlenc#tripledes-cbc",
    }
}

impl DataEncryptionAlgorithm {
    /// The key length, in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes128Cbc | Self::Aes128Gcm => 16,
            Self::Aes192Cbc | Self::TripleDesCbc => 24,
            Self::Aes256Cbc | Self::Aes256Gcm => 32,
        }
    }
}

uri_enum! {
    /// An AES key wrap algorithm (RFC 3394) for an `xenc:EncryptedKey`.
    KeyWrapAlgorithm {
        /// AES key wrap with a 128-bit key-encryption key.
        KwAes128 => "http://www.w3.org/2001/04/xmlenc#kw-aes128",
        /// AES key wrap with a 256-bit key-encryption key.
        KwAes256 => "http://www.w3.org/2001/04/xmlenc#kw-aes256",
    }
}

impl KeyWrapAlgorithm {
    /// The key-encryption key length, in bytes.
    pub fn key_len(self) -> usize {
        match self {
            Self::KwAes128 => 16,
            Self::KwAes256 => 32,
        }
    }
}
