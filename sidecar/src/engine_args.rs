//! What `wsseal secure` and `wsseal open` share: the configuration file and the flags that
//! override its keys, the input and the output, and building the engine from them.
//!
//! A flag overrides exactly one key of the configuration file (named in its help); the engine is
//! then built from the resulting configuration, so every policy check of the configuration
//! applies to flags too. Paths given as flags are relative to the working directory; paths in the
//! configuration file are relative to the file.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use wsseal_core::Error;
use wsseal_core::config::{
    Config, CredentialsConfig, KeyReferenceName, PeerConfig, PolicyConfig, ProtectionOrderName, ReferenceListName,
};
use wsseal_core::wss::{AlgorithmSuite, Engine, QName, SUITES};

use crate::Failure;

/// The configuration file, our credentials, the peer and the policy both commands share.
#[derive(clap::Args)]
pub struct EngineArgs {
    /// TOML configuration ([credentials], [peer], [policy], [limits]); flags override its keys.
    /// Paths in it are relative to the file.
    #[arg(long, value_name = "FILE", help_heading = "Configuration")]
    pub config: Option<PathBuf>,
    /// Our certificate, PEM [credentials.certificate].
    #[arg(long, value_name = "PEM", help_heading = "Configuration")]
    pub cert: Option<PathBuf>,
    /// Our private key, PEM: PKCS#8, PKCS#1 or SEC1 [credentials.private_key].
    #[arg(long, value_name = "PEM", help_heading = "Configuration")]
    pub key: Option<PathBuf>,
    /// The peer's certificate, PEM: the only trusted signer, and the recipient of what we
    /// encrypt [peer.certificate].
    #[arg(long, value_name = "PEM", help_heading = "Configuration")]
    pub peer_cert: Option<PathBuf>,

    /// Algorithm suite, a WS-SecurityPolicy name such as Basic256 (the default), Basic256Sha256,
    /// Basic128, Basic256Sha256Gcm; case-insensitive [policy.suite].
    #[arg(long, value_name = "NAME", value_parser = parse_suite, help_heading = "Policy")]
    pub suite: Option<String>,
    /// Order of signing and encrypting [policy.protection_order].
    #[arg(long, value_enum, ignore_case = true, value_name = "ORDER", help_heading = "Policy")]
    pub order: Option<Order>,
    /// Sign only: encrypt nothing (for open: do not require encryption)
    /// [policy.encrypt_body = false, policy.encrypted_headers = []].
    #[arg(long, conflicts_with = "encrypt_header", help_heading = "Policy")]
    pub no_encrypt: bool,
    /// Encrypt this header block as a wsse11:EncryptedHeader (for open: require it encrypted);
    /// Clark notation, repeatable [policy.encrypted_headers].
    #[arg(long, value_name = "{NS}LOCAL", value_parser = parse_clark, help_heading = "Policy")]
    pub encrypt_header: Vec<String>,
    /// Sign this header block when present (for open: require it signed); Clark notation,
    /// repeatable; replaces the default set, the WS-Addressing 1.0 and 2004/08 headers
    /// [policy.signed_headers].
    #[arg(long, value_name = "{NS}LOCAL", value_parser = parse_clark, help_heading = "Policy")]
    pub sign_header: Vec<String>,
    /// Our SOAP 1.1 actor or SOAP 1.2 role: the Security header we write or process (default:
    /// the ultimate receiver) [policy.actor].
    #[arg(long, value_name = "URI", help_heading = "Policy")]
    pub actor: Option<String>,
    /// Allow RSA-1.5 key transport, for the *Rsa15 suites [policy.allow_rsa15].
    #[arg(long, help_heading = "Policy")]
    pub allow_rsa15: bool,
    /// Allow 3DES data encryption, for the TripleDes* suites [policy.allow_triple_des].
    #[arg(long = "allow-3des", help_heading = "Policy")]
    pub allow_3des: bool,
}

/// Where the envelope comes from and goes to.
#[derive(clap::Args)]
pub struct IoArgs {
    /// Write the envelope to FILE instead of standard output (only when the command succeeds).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The SOAP envelope (standard input when absent or "-").
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

/// `--order`, by WCF's names.
#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "verbatim")]
pub enum Order {
    /// Sign the plaintext, then encrypt (the default).
    SignBeforeEncrypt,
    /// Sign, encrypt, and encrypt the signature too.
    SignBeforeEncryptAndEncryptSignature,
    /// Encrypt, then sign the ciphertext.
    EncryptBeforeSign,
}

/// `--key-reference` and `--signer-reference`.
#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "verbatim")]
pub enum KeyRef {
    /// ds:X509IssuerSerial.
    IssuerSerial,
    /// A wsse:KeyIdentifier with the subjectKeyIdentifier.
    SubjectKeyIdentifier,
    /// A wsse:KeyIdentifier with the SHA-1 thumbprint (WSS 1.1).
    Thumbprint,
    /// A wsse:Reference to a BinarySecurityToken carrying the certificate.
    BinarySecurityToken,
}

/// `--reference-list`.
#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "verbatim")]
pub enum RefList {
    /// Inside the EncryptedKey (WSS4J's and WCF's WSS 1.0 layout; the default).
    InEncryptedKey,
    /// A separate xenc:ReferenceList in the Security header.
    Standalone,
}

impl From<Order> for ProtectionOrderName {
    fn from(order: Order) -> Self {
        match order {
            Order::SignBeforeEncrypt => Self::SignBeforeEncrypt,
            Order::SignBeforeEncryptAndEncryptSignature => Self::SignBeforeEncryptAndEncryptSignature,
            Order::EncryptBeforeSign => Self::EncryptBeforeSign,
        }
    }
}

impl From<KeyRef> for KeyReferenceName {
    fn from(reference: KeyRef) -> Self {
        match reference {
            KeyRef::IssuerSerial => Self::IssuerSerial,
            KeyRef::SubjectKeyIdentifier => Self::SubjectKeyIdentifier,
            KeyRef::Thumbprint => Self::Thumbprint,
            KeyRef::BinarySecurityToken => Self::BinarySecurityToken,
        }
    }
}

impl From<RefList> for ReferenceListName {
    fn from(placement: RefList) -> Self {
        match placement {
            RefList::InEncryptedKey => Self::InEncryptedKey,
            RefList::Standalone => Self::Standalone,
        }
    }
}

/// A suite name, checked, in its canonical spelling.
fn parse_suite(name: &str) -> Result<String, String> {
    AlgorithmSuite::by_name(name).map(|s| s.name.to_owned()).ok_or_else(|| {
        let names: Vec<&str> = SUITES.iter().map(|s| s.name).collect();
        format!("unknown algorithm suite; one of: {}", names.join(", "))
    })
}

/// A `{namespace}local` name, checked.
fn parse_clark(text: &str) -> Result<String, String> {
    QName::from_clark(text)
        .map(|_| text.to_owned())
        .ok_or_else(|| "expected a {namespace}local name, e.g. {http://www.w3.org/2005/08/addressing}Action".to_owned())
}

/// An engine error that stops the command before any message is processed: exit code 2.
pub fn unusable(context: impl std::fmt::Display, error: &Error) -> Failure {
    Failure::usage(format!("{context}: {}: {}", error.code(), error.message()))
}

/// An engine error about the message: exit code 1.
pub fn refused(error: &Error) -> Failure {
    Failure::refused(error.code(), error.message())
}

impl EngineArgs {
    /// Overrides the configuration's policy keys with the flags given.
    fn apply(&self, policy: &mut PolicyConfig) {
        if let Some(suite) = &self.suite {
            policy.suite = Some(suite.clone());
        }
        if let Some(order) = self.order {
            policy.protection_order = Some(order.into());
        }
        if self.no_encrypt {
            policy.encrypt_body = Some(false);
            policy.encrypted_headers = Some(Vec::new());
        }
        if !self.encrypt_header.is_empty() {
            policy.encrypted_headers = Some(self.encrypt_header.clone());
        }
        if !self.sign_header.is_empty() {
            policy.signed_headers = Some(self.sign_header.clone());
        }
        if let Some(actor) = &self.actor {
            policy.actor = Some(actor.clone());
        }
        if self.allow_rsa15 {
            policy.allow_rsa15 = Some(true);
        }
        if self.allow_3des {
            policy.allow_triple_des = Some(true);
        }
    }

    /// Builds the engine from the configuration file (if any), these flags, and `more`, the
    /// command's own overrides. Every failure here is exit code 2.
    pub fn engine(&self, more: impl FnOnce(&mut PolicyConfig)) -> Result<Engine, Failure> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path).map_err(|e| unusable(path.display(), &e))?,
            None => Config::default(),
        };
        self.apply(&mut config.policy);
        more(&mut config.policy);

        // Flags are relative to the working directory, the file's keys to the file.
        let cwd = std::env::current_dir().map_err(|e| Failure::io("the working directory", e))?;
        let flag = |path: &Option<PathBuf>| path.as_ref().map(|p| cwd.join(p));
        if let Some(cert) = flag(&self.cert) {
            config.credentials =
                CredentialsConfig { certificate: Some(cert), pkcs12: None, store: None, ..config.credentials };
        }
        if let Some(key) = flag(&self.key) {
            config.credentials =
                CredentialsConfig { private_key: Some(key), pkcs12: None, store: None, ..config.credentials };
        }
        if self.peer_cert.is_some() {
            config.peer = PeerConfig { certificate: flag(&self.peer_cert), store: None };
        }
        let credentials = &config.credentials;
        let has_credentials = credentials.pkcs12.is_some() || credentials.store.is_some();
        if !has_credentials && credentials.certificate.is_none() {
            return Err(Failure::usage(
                "missing our certificate: give --cert PEM, or credentials.certificate in a --config file",
            ));
        }
        if !has_credentials && credentials.private_key.is_none() {
            return Err(Failure::usage(
                "missing our private key: give --key PEM, or credentials.private_key in a --config file",
            ));
        }
        config.engine().map_err(|e| unusable("engine", &e))
    }
}

impl IoArgs {
    /// The input envelope.
    pub fn read(&self) -> Result<Vec<u8>, Failure> {
        match &self.input {
            Some(path) if path.as_os_str() != "-" => read_file(path),
            _ => {
                let mut input = Vec::new();
                std::io::stdin().read_to_end(&mut input).map_err(|e| Failure::io("standard input", e))?;
                Ok(input)
            }
        }
    }

    /// Writes the resulting envelope.
    pub fn write(&self, envelope: &[u8]) -> Result<(), Failure> {
        match &self.output {
            Some(path) => write_to(Sink::File(path), envelope),
            None => write_to(Sink::Stdout, envelope),
        }
    }
}

/// Reads a whole file; a failure is exit code 2.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::io(path.display(), e))
}

/// Where output goes.
#[derive(Clone, Copy)]
pub enum Sink<'a> {
    /// A file, created or truncated.
    File(&'a Path),
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Writes `bytes` to `sink`; a failure is exit code 2.
pub fn write_to(sink: Sink<'_>, bytes: &[u8]) -> Result<(), Failure> {
    fn all(mut w: impl Write, bytes: &[u8]) -> std::io::Result<()> {
        w.write_all(bytes)?;
        w.flush()
    }
    match sink {
        Sink::File(path) => std::fs::write(path, bytes).map_err(|e| Failure::io(path.display(), e)),
        Sink::Stdout => all(std::io::stdout().lock(), bytes).map_err(|e| Failure::io("standard output", e)),
        Sink::Stderr => all(std::io::stderr().lock(), bytes).map_err(|e| Failure::io("standard error", e)),
    }
}
