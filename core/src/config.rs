//! The TOML configuration of an engine: our credentials, the peer certificate, and the policy.
//! Paths are relative to the configuration file. Every key has a safe default; unknown keys are
//! refused so that a typo never silently weakens the policy.
//!
//! ```toml
//! [credentials]
//! certificate = "client.pem"
//! private_key = "client.key.pem"
//!
//! [peer]
//! certificate = "service.pem"
//!
//! [trust]                                  # see docs/trust.md
//! mode = "ChainTrust"                      # PeerTrust, PeerOrChainTrust, None
//! anchors = ["ca.pem"]
//!
//! [identity]                               # what the service must prove, for a client
//! dns = "service.example"
//!
//! [policy]
//! profile = "wcf"                          # "wss10" (the default) or WCF's wsHttpBinding profile
//! suite = "Basic256Sha256"                 # any WS-SecurityPolicy suite name
//! protection_order = "SignBeforeEncrypt"   # SignBeforeEncryptAndEncryptSignature, EncryptBeforeSign
//! encrypted_headers = ["{http://www.w3.org/2005/08/addressing}Action"]
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::crypto::{DataEncryptionAlgorithm, DigestAlgorithm, KeyTransportAlgorithm, SignatureAlgorithm};
use crate::error::{Error, ErrorCode};
use crate::trust::{CertificateSignatureAlgorithm, Revocation, Role, StoreQuery, TrustMode};
use crate::wcf::{WcfNamespaces, WcfOptions};
use crate::wss::{AlgorithmSuite, Engine, KeyReference, Policy, ProtectionOrder, QName, ReferenceListPlacement};

/// A parsed configuration file.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Our certificate and key.
    #[serde(default)]
    pub credentials: CredentialsConfig,
    /// The peer.
    #[serde(default)]
    pub peer: PeerConfig,
    /// The directory certificate store.
    #[serde(default)]
    pub store: StoreConfig,
    /// How peer certificates are validated.
    #[serde(default)]
    pub trust: TrustConfig,
    /// The identity the service must prove, for a client.
    #[serde(default)]
    pub identity: IdentityConfig,
    /// The endpoint.
    #[serde(default)]
    pub endpoint: EndpointConfig,
    /// The security policy.
    #[serde(default)]
    pub policy: PolicyConfig,
    /// Processing limits.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Where relative paths start: the configuration file's directory.
    #[serde(skip)]
    pub base: PathBuf,
}

/// `[credentials]`: `certificate` + `private_key` (PEM), or `pkcs12` + a password, or `store`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsConfig {
    /// PEM file with our certificate.
    pub certificate: Option<PathBuf>,
    /// PEM file with our private key (PKCS#8, PKCS#1 or SEC1).
    pub private_key: Option<PathBuf>,
    /// PKCS#12 file (`.pfx`, `.p12`) with our key and certificate.
    pub pkcs12: Option<PathBuf>,
    /// The PKCS#12 password.
    pub password: Option<String>,
    /// The environment variable holding the PKCS#12 password.
    pub password_env: Option<String>,
    /// Our certificate (with its key) in the `[store]`.
    pub store: Option<StoreQuery>,
    /// Send the issuers of our certificate (the other certificates of its PEM or PKCS#12 file,
    /// self-signed roots left out) in BinarySecurityTokens after ours.
    #[serde(default)]
    pub include_chain: bool,
}

/// `[peer]`: the other side's certificate, the recipient of what a client encrypts.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerConfig {
    /// PEM or DER file with the peer's certificate. Without `[trust]` anchors or mode it is
    /// pinned: the only trusted signer.
    pub certificate: Option<PathBuf>,
    /// The peer's certificate in the `[store]`.
    pub store: Option<StoreQuery>,
}

/// `[store]`: a directory store, `<root>/<location>/<name>/`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The store's root directory.
    pub root: Option<PathBuf>,
}

/// `[trust]`: see docs/trust.md for each key and its default.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct TrustConfig {
    pub mode: Option<TrustMode>,
    /// Our role; by default Client when `[peer]` or `[identity]` is configured, else Service.
    pub role: Option<Role>,
    /// Files or directories; by default the store's `Root` stores.
    pub anchors: Option<Vec<PathBuf>>,
    /// Files or directories; by default the store's `TrustedPeople` stores.
    pub trusted_peers: Option<Vec<PathBuf>>,
    pub intermediates: Option<Vec<PathBuf>>,
    /// Files or directories.
    pub crls: Option<Vec<PathBuf>>,
    pub revocation: Option<Revocation>,
    pub min_rsa_bits: Option<usize>,
    pub signature_algorithms: Option<Vec<CertificateSignatureAlgorithm>>,
    pub cache_size: Option<u64>,
    pub cache_ttl_seconds: Option<u64>,
}

/// `[endpoint]`: the endpoint address (WCF's `<endpoint address>`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointConfig {
    /// The address; for a client without an `[identity]`, its host is the expected DNS identity.
    pub address: Option<String>,
}

/// `[identity]`: one of `dns`, `certificate`, `certificate_reference`, `rsa`, `upn`, `spn`, `xml`,
/// `wsdl`; or `endpoint`, whose host is the DNS identity when none of them is given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// A DNS identity.
    pub dns: Option<String>,
    /// The service certificate itself: a PEM or DER file, or else a WCF `encodedValue` (base64 of
    /// DER or of a Windows serialized certificate).
    pub certificate: Option<String>,
    /// The service certificate in the `[store]` (WCF's `certificateReference`).
    pub certificate_reference: Option<StoreQuery>,
    /// A userPrincipalName identity.
    pub upn: Option<String>,
    /// A servicePrincipalName identity (never satisfiable by a certificate: refused on use).
    pub spn: Option<String>,
    /// An `<RSAKeyValue>…</RSAKeyValue>` text.
    pub rsa: Option<String>,
    /// A WCF `<identity>` element.
    pub xml: Option<String>,
    /// A WSDL file whose `<Identity>` is expected.
    pub wsdl: Option<PathBuf>,
    /// The endpoint address.
    pub endpoint: Option<String>,
}

/// `[policy]`: see [`Policy`] for the meaning and defaults of each key.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct PolicyConfig {
    pub profile: Option<ProfileName>,
    /// WCF profile: the binding's namespaces.
    pub wcf_namespaces: Option<WcfNamespacesName>,
    /// WCF profile: write the Basic Security Profile attributes.
    pub bsp: Option<bool>,
    /// WCF profile: require the strict header layout on incoming messages.
    pub strict_layout: Option<bool>,
    pub suite: Option<String>,
    /// Overrides of single algorithms of the suite, by URI.
    pub digest: Option<String>,
    pub signature: Option<String>,
    pub encryption: Option<String>,
    pub key_transport: Option<String>,
    pub allow_rsa15: Option<bool>,
    pub allow_triple_des: Option<bool>,
    pub protection_order: Option<ProtectionOrderName>,
    pub encrypt_body: Option<bool>,
    /// Clark names, `{namespace}local`.
    pub signed_headers: Option<Vec<String>>,
    pub encrypted_headers: Option<Vec<String>>,
    pub recipient_reference: Option<KeyReferenceName>,
    pub signer_reference: Option<KeyReferenceName>,
    pub reference_list: Option<ReferenceListName>,
    pub require_timestamp: Option<bool>,
    pub timestamp_ttl_seconds: Option<u64>,
    pub clock_skew_seconds: Option<u64>,
    pub replay_window_seconds: Option<u64>,
    pub detect_replays: Option<bool>,
    pub replay_cache_size: Option<u64>,
    pub actor: Option<String>,
    pub keep_security_header: Option<bool>,
}

/// `[limits]`: see [`crate::wss::SecurityLimits`] and [`crate::xml::Limits`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct LimitsConfig {
    pub max_envelope_bytes: Option<usize>,
    pub max_depth: Option<usize>,
    pub max_attributes: Option<usize>,
    pub max_references: Option<usize>,
    pub max_transforms: Option<usize>,
    pub max_encrypted_data: Option<usize>,
    pub max_signatures: Option<usize>,
    pub max_tokens: Option<usize>,
}

/// A protection order by its WCF name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ProtectionOrderName {
    SignBeforeEncrypt,
    SignBeforeEncryptAndEncryptSignature,
    EncryptBeforeSign,
}

/// A profile by name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ProfileName {
    #[serde(rename = "wss10")]
    Wss10,
    #[serde(rename = "wcf")]
    Wcf,
}

/// The namespaces of a WCF binding by the binding's name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum WcfNamespacesName {
    #[serde(rename = "wsHttpBinding")]
    WsHttpBinding,
    #[serde(rename = "ws2007HttpBinding")]
    Ws2007HttpBinding,
}

/// A key reference style by name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum KeyReferenceName {
    SubjectKeyIdentifier,
    IssuerSerial,
    Thumbprint,
    BinarySecurityToken,
}

/// A ReferenceList placement by name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ReferenceListName {
    InEncryptedKey,
    Standalone,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

impl Config {
    /// Parses TOML text; relative paths will start at `base`.
    pub fn from_toml(text: &str, base: impl Into<PathBuf>) -> Result<Self, Error> {
        let mut config: Self = toml::from_str(text).map_err(|e| invalid(format!("configuration: {e}")))?;
        config.base = base.into();
        Ok(config)
    }

    /// Reads and parses a configuration file.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text =
            std::fs::read_to_string(path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        Self::from_toml(&text, path.parent().unwrap_or(Path::new(".")))
    }

    pub(crate) fn read(&self, path: &Path) -> Result<Vec<u8>, Error> {
        let full = self.base.join(path);
        std::fs::read(&full).map_err(|e| invalid(format!("cannot read {}: {e}", full.display())))
    }

    /// The policy this configuration describes.
    pub fn policy(&self) -> Result<Policy, Error> {
        let p = &self.policy;
        let defaults = match p.profile {
            Some(ProfileName::Wcf) => Policy::wcf(),
            Some(ProfileName::Wss10) | None => Policy::default(),
        };
        let wcf = WcfOptions {
            namespaces: p.wcf_namespaces.map_or(defaults.wcf.namespaces, |n| match n {
                WcfNamespacesName::WsHttpBinding => WcfNamespaces::WsHttpBinding,
                WcfNamespacesName::Ws2007HttpBinding => WcfNamespaces::Ws2007HttpBinding,
            }),
            bsp: p.bsp.unwrap_or(defaults.wcf.bsp),
            strict_layout: p.strict_layout.unwrap_or(defaults.wcf.strict_layout),
        };
        let mut suite = match &p.suite {
            Some(name) => {
                AlgorithmSuite::by_name(name).ok_or_else(|| invalid(format!("unknown algorithm suite {name}")))?
            }
            None => defaults.suite,
        };
        let by_uri = |what: &str, uri: &str| invalid(format!("unknown {what} algorithm {uri}"));
        if let Some(uri) = &p.digest {
            suite.digest = DigestAlgorithm::from_uri(uri).ok_or_else(|| by_uri("digest", uri))?;
        }
        if let Some(uri) = &p.signature {
            suite.asymmetric_signature = SignatureAlgorithm::from_uri(uri).ok_or_else(|| by_uri("signature", uri))?;
        }
        if let Some(uri) = &p.encryption {
            suite.encryption = DataEncryptionAlgorithm::from_uri(uri).ok_or_else(|| by_uri("encryption", uri))?;
        }
        if let Some(uri) = &p.key_transport {
            suite.key_transport = KeyTransportAlgorithm::from_uri(uri).ok_or_else(|| by_uri("key transport", uri))?;
        }
        let qnames = |names: &Option<Vec<String>>, default: Vec<QName>| -> Result<Vec<QName>, Error> {
            match names {
                None => Ok(default),
                Some(list) => list
                    .iter()
                    .map(|n| {
                        QName::from_clark(n).ok_or_else(|| invalid(format!("{n:?} is not a {{namespace}}local name")))
                    })
                    .collect(),
            }
        };
        let seconds = |value: Option<u64>, default: Duration| value.map_or(default, Duration::from_secs);
        let l = &self.limits;
        let mut limits = defaults.limits;
        limits.xml.max_size = l.max_envelope_bytes.unwrap_or(limits.xml.max_size);
        limits.xml.max_depth = l.max_depth.unwrap_or(limits.xml.max_depth);
        limits.xml.max_attributes = l.max_attributes.unwrap_or(limits.xml.max_attributes);
        limits.dsig.max_references = l.max_references.unwrap_or(limits.dsig.max_references);
        limits.dsig.max_transforms = l.max_transforms.unwrap_or(limits.dsig.max_transforms);
        limits.max_encrypted_data = l.max_encrypted_data.unwrap_or(limits.max_encrypted_data);
        limits.max_signatures = l.max_signatures.unwrap_or(limits.max_signatures);
        limits.max_tokens = l.max_tokens.unwrap_or(limits.max_tokens);
        Ok(Policy {
            profile: defaults.profile,
            wcf,
            suite,
            allow_rsa15: p.allow_rsa15.unwrap_or(defaults.allow_rsa15),
            allow_triple_des: p.allow_triple_des.unwrap_or(defaults.allow_triple_des),
            protection_order: p.protection_order.map_or(defaults.protection_order, |o| match o {
                ProtectionOrderName::SignBeforeEncrypt => ProtectionOrder::SignBeforeEncrypt,
                ProtectionOrderName::SignBeforeEncryptAndEncryptSignature => {
                    ProtectionOrder::SignBeforeEncryptAndEncryptSignature
                }
                ProtectionOrderName::EncryptBeforeSign => ProtectionOrder::EncryptBeforeSign,
            }),
            encrypt_body: p.encrypt_body.unwrap_or(defaults.encrypt_body),
            signed_headers: qnames(&p.signed_headers, defaults.signed_headers)?,
            encrypted_headers: qnames(&p.encrypted_headers, defaults.encrypted_headers)?,
            recipient_reference: p.recipient_reference.map_or(defaults.recipient_reference, key_reference),
            signer_reference: p.signer_reference.map_or(defaults.signer_reference, key_reference),
            reference_list: p.reference_list.map_or(defaults.reference_list, |r| match r {
                ReferenceListName::InEncryptedKey => ReferenceListPlacement::InEncryptedKey,
                ReferenceListName::Standalone => ReferenceListPlacement::Standalone,
            }),
            require_timestamp: p.require_timestamp.unwrap_or(defaults.require_timestamp),
            timestamp_ttl: seconds(p.timestamp_ttl_seconds, defaults.timestamp_ttl),
            clock_skew: seconds(p.clock_skew_seconds, defaults.clock_skew),
            replay_window: seconds(p.replay_window_seconds, defaults.replay_window),
            detect_replays: p.detect_replays.unwrap_or(defaults.detect_replays),
            replay_cache_size: p.replay_cache_size.unwrap_or(defaults.replay_cache_size),
            actor: p.actor.clone().or(defaults.actor),
            keep_security_header: p.keep_security_header.unwrap_or(defaults.keep_security_header),
            limits,
        })
    }

    /// Builds the engine: reads the credentials, the peer certificate and the trust material,
    /// builds the certificate validator of `[trust]` and the expected `[identity]`.
    pub fn engine(&self) -> Result<Engine, Error> {
        crate::trust::configured::engine(self, self.policy()?, None)
    }

    /// [`Config::engine`] with a validator supplied by code (trust mode Custom; the
    /// configuration's `[trust]` material is then not used).
    pub fn engine_with_validator(
        &self,
        validator: std::sync::Arc<dyn crate::wss::CertificateValidator>,
    ) -> Result<Engine, Error> {
        crate::trust::configured::engine(self, self.policy()?, Some(validator))
    }

    /// The expected service identity of `[identity]` (a `certificateReference` resolved in the
    /// `[store]`), or `None` when the section is empty.
    pub fn identity(&self) -> Result<Option<crate::identity::Identity>, Error> {
        crate::trust::configured::identity(self)
    }

    /// A path of the configuration, relative to its file.
    pub(crate) fn path(&self, path: &Path) -> PathBuf {
        self.base.join(path)
    }
}

fn key_reference(name: KeyReferenceName) -> KeyReference {
    match name {
        KeyReferenceName::SubjectKeyIdentifier => KeyReference::SubjectKeyIdentifier,
        KeyReferenceName::IssuerSerial => KeyReference::IssuerSerial,
        KeyReferenceName::Thumbprint => KeyReference::Thumbprint,
        KeyReferenceName::BinarySecurityToken => KeyReference::BinarySecurityToken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_policy_defaults() {
        assert_eq!(Config::from_toml("", ".").unwrap().policy().unwrap(), Policy::default());
    }

    #[test]
    fn every_key_is_read() {
        let text = r#"
            [policy]
            suite = "basic256sha256"
            encryption = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
            protection_order = "EncryptBeforeSign"
            encrypted_headers = ["{urn:x}H"]
            signed_headers = []
            recipient_reference = "Thumbprint"
            reference_list = "Standalone"
            clock_skew_seconds = 60
            actor = "urn:a"
            [limits]
            max_references = 3
        "#;
        let policy = Config::from_toml(text, ".").unwrap().policy().unwrap();
        assert_eq!(policy.suite.digest, DigestAlgorithm::Sha256);
        assert_eq!(policy.suite.encryption, DataEncryptionAlgorithm::Aes256Gcm);
        assert_eq!(policy.protection_order, ProtectionOrder::EncryptBeforeSign);
        assert_eq!(policy.encrypted_headers, vec![QName::new("urn:x", "H")]);
        assert!(policy.signed_headers.is_empty());
        assert_eq!(policy.recipient_reference, KeyReference::Thumbprint);
        assert_eq!(policy.reference_list, ReferenceListPlacement::Standalone);
        assert_eq!(policy.clock_skew, Duration::from_secs(60));
        assert_eq!(policy.actor.as_deref(), Some("urn:a"));
        assert_eq!(policy.limits.dsig.max_references, 3);
    }

    #[test]
    fn the_wcf_profile_brings_its_defaults_and_variants() {
        let policy = Config::from_toml("[policy]\nprofile = \"wcf\"", ".").unwrap().policy().unwrap();
        assert_eq!(policy, Policy::wcf());
        assert_eq!(policy.protection_order, ProtectionOrder::SignBeforeEncryptAndEncryptSignature);
        let text = r#"
            [policy]
            profile = "wcf"
            wcf_namespaces = "ws2007HttpBinding"
            bsp = false
            strict_layout = false
            protection_order = "SignBeforeEncrypt"
        "#;
        let policy = Config::from_toml(text, ".").unwrap().policy().unwrap();
        assert_eq!(policy.profile, crate::wss::Profile::WcfMutualCertificate);
        assert_eq!(
            policy.wcf,
            WcfOptions { namespaces: WcfNamespaces::Ws2007HttpBinding, bsp: false, strict_layout: false }
        );
        assert_eq!(policy.protection_order, ProtectionOrder::SignBeforeEncrypt);
        let wss = Config::from_toml("[policy]\nprofile = \"wss10\"", ".").unwrap().policy().unwrap();
        assert_eq!(wss, Policy::default());
    }

    #[test]
    fn mistakes_are_refused() {
        for text in [
            "[policy]\nsuit = \"Basic256\"",
            "[policy]\nsuite = \"Basic512\"",
            "[policy]\nprotection_order = \"SignOnly\"",
            "[policy]\ndigest = \"md5\"",
            "[policy]\nencrypted_headers = [\"Action\"]",
            "[policy]\nprofile = \"wcf2\"",
            "[policy]\nwcf_namespaces = \"basicHttpBinding\"",
        ] {
            let err = Config::from_toml(text, ".").and_then(|c| c.policy()).unwrap_err();
            assert_eq!(err.code(), ErrorCode::ConfigInvalid, "{text}");
        }
    }
}
