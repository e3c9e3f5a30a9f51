//! A directory certificate store addressed as WCF addresses the Windows stores, so that
//! configurations written for Windows keep their meaning: `<root>/<storeLocation>/<storeName>/`
//! holds `.pem`, `.crt`, `.cer`, `.der`, `.pfx` and `.p12` files; location and name directories
//! match case-insensitively (`CurrentUser/My`, `LocalMachine/TrustedPeople`, ...).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::material::{self, CERTIFICATE_EXTENSIONS};
use crate::cert::Certificate;
use crate::error::{Error, ErrorCode};

/// The file extensions of PKCS#12 files in a store.
const PKCS12_EXTENSIONS: [&str; 2] = ["pfx", "p12"];

/// How a certificate is looked up (WCF's `X509FindType`, those that name a certificate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum FindType {
    /// A case-insensitive substring of the subject.
    FindBySubjectName,
    /// The subject distinguished name, in either RDN order.
    FindBySubjectDistinguishedName,
    /// A case-insensitive substring of the issuer.
    FindByIssuerName,
    /// The issuer distinguished name, in either RDN order.
    FindByIssuerDistinguishedName,
    /// The serial number in hex, as Windows shows it (spaces and case ignored).
    FindBySerialNumber,
    /// The SHA-1 thumbprint in hex (spaces, colons, case and invisible marks ignored).
    FindByThumbprint,
    /// The subjectKeyIdentifier in hex.
    FindBySubjectKeyIdentifier,
}

impl FindType {
    /// The find type of a WCF `x509FindType` attribute value.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.trim() {
            "FindBySubjectName" => Self::FindBySubjectName,
            "FindBySubjectDistinguishedName" => Self::FindBySubjectDistinguishedName,
            "FindByIssuerName" => Self::FindByIssuerName,
            "FindByIssuerDistinguishedName" => Self::FindByIssuerDistinguishedName,
            "FindBySerialNumber" => Self::FindBySerialNumber,
            "FindByThumbprint" => Self::FindByThumbprint,
            "FindBySubjectKeyIdentifier" => Self::FindBySubjectKeyIdentifier,
            _ => return None,
        })
    }
}

/// A store lookup: WCF's `storeLocation`, `storeName`, `x509FindType`, `findValue`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreQuery {
    /// `CurrentUser` or `LocalMachine` (WCF's default).
    #[serde(default = "default_location")]
    pub location: String,
    /// `My` (the default), `Root`, `TrustedPeople`, `CA`, `AddressBook`, ...
    #[serde(default = "default_name")]
    pub name: String,
    /// How `find_value` is compared.
    #[serde(default = "default_find_type")]
    pub find_type: FindType,
    /// What is looked for.
    pub find_value: String,
}

fn default_location() -> String {
    "LocalMachine".to_owned()
}

fn default_name() -> String {
    "My".to_owned()
}

fn default_find_type() -> FindType {
    FindType::FindBySubjectDistinguishedName
}

impl std::fmt::Display for StoreQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} {} \"{}\"", self.location, self.name, self.find_type_name(), self.find_value)
    }
}

impl StoreQuery {
    fn find_type_name(&self) -> String {
        format!("{:?}", self.find_type)
    }

    /// Does `certificate` match the query?
    pub fn matches(&self, certificate: &Certificate) -> bool {
        let value = self.find_value.trim();
        let contains = |text: &str| text.to_lowercase().contains(&value.to_lowercase());
        match self.find_type {
            FindType::FindBySubjectName => contains(certificate.subject()),
            FindType::FindBySubjectDistinguishedName => certificate.subject_matches(value),
            FindType::FindByIssuerName => contains(certificate.issuer()),
            FindType::FindByIssuerDistinguishedName => certificate.issuer_matches(value),
            FindType::FindBySerialNumber => {
                hex_equals(value, certificate.x509().tbs_certificate().serial_number().as_bytes())
            }
            FindType::FindByThumbprint => hex_equals(value, &certificate.thumbprint_sha1()),
            FindType::FindBySubjectKeyIdentifier => {
                certificate.subject_key_identifier().is_some_and(|ski| hex_equals(value, ski))
            }
        }
    }
}

/// Does hex text (spaces, colons, invisible marks and case ignored; leading zero bytes ignored)
/// spell `bytes`?
fn hex_equals(text: &str, bytes: &[u8]) -> bool {
    let digits: String = text.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_ascii_lowercase();
    let ours: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    !digits.is_empty() && digits.trim_start_matches('0') == ours.trim_start_matches('0')
}

/// A directory certificate store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryStore {
    root: PathBuf,
}

impl DirectoryStore {
    /// The store rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory of a location and store name, matched case-insensitively; `None` when absent.
    pub fn directory(&self, location: &str, name: &str) -> Option<PathBuf> {
        let location = child_ignoring_case(&self.root, location)?;
        child_ignoring_case(&location, name)
    }

    /// Every certificate of a location's store (PEM, DER; PKCS#12 files without a password).
    pub fn certificates(&self, location: &str, name: &str) -> Result<Vec<Certificate>, Error> {
        let Some(dir) = self.directory(location, name) else {
            return Ok(Vec::new());
        };
        let mut certificates = Vec::new();
        for file in material::files(&dir, &CERTIFICATE_EXTENSIONS)? {
            certificates.extend(material::parse_certificates(&material::read(&file)?, &file)?);
        }
        for file in material::files(&dir, &PKCS12_EXTENSIONS)? {
            if let Ok(contents) = super::pkcs12::read(&material::read(&file)?, "") {
                certificates.extend(contents.certificates);
            }
        }
        Ok(certificates)
    }

    /// The certificates a query finds.
    pub fn find(&self, query: &StoreQuery) -> Result<Vec<Certificate>, Error> {
        let mut found: Vec<Certificate> =
            self.certificates(&query.location, &query.name)?.into_iter().filter(|c| query.matches(c)).collect();
        found.dedup_by(|a, b| a == b);
        Ok(found)
    }

    /// The one certificate a query finds; [`ErrorCode::CertificateNotFound`] for none or several.
    pub fn find_one(&self, query: &StoreQuery) -> Result<Certificate, Error> {
        let mut found = self.find(query)?;
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(not_found(format!("no certificate in store {} of {}", query, self.root.display()))),
            n => Err(not_found(format!(
                "{n} certificates match {query} in {}; make the query unique",
                self.root.display()
            ))),
        }
    }

    /// The one certificate a query finds that has a private key in the store: in a PKCS#12 file
    /// (opened with `password`), in the PEM file itself, or in a `<stem>.key`/`<stem>.key.pem` file
    /// next to it.
    pub fn credentials(&self, query: &StoreQuery, password: &str) -> Result<crate::wss::Credentials, Error> {
        let dir = self
            .directory(&query.location, &query.name)
            .ok_or_else(|| not_found(format!("store {} does not exist under {}", query, self.root.display())))?;
        let mut found = Vec::new();
        for file in material::files(&dir, &PKCS12_EXTENSIONS)? {
            let contents = super::pkcs12::read(&material::read(&file)?, password)
                .map_err(|e| Error::new(e.code(), format!("{}: {}", file.display(), e.message())))?;
            if let Some(credentials) = contents.credentials.filter(|c| query.matches(c.certificate())) {
                found.push(credentials);
            }
        }
        for file in material::files(&dir, &CERTIFICATE_EXTENSIONS)? {
            let bytes = material::read(&file)?;
            let Some(certificate) = material::parse_certificates(&bytes, &file)?.into_iter().find(|c| query.matches(c))
            else {
                continue;
            };
            if let Some(key) = key_for(&file, &bytes)? {
                found.push(crate::wss::Credentials::new(certificate, key)?);
            }
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => {
                Err(not_found(format!("no certificate with a private key matches {query} in {}", self.root.display())))
            }
            n => Err(not_found(format!("{n} certificates with keys match {query}; make the query unique"))),
        }
    }
}

/// The private key of a store's PEM certificate file: in the file, or in a sibling key file.
fn key_for(file: &Path, bytes: &[u8]) -> Result<Option<crate::crypto::PrivateKey>, Error> {
    if material::is_pem(bytes) && bytes.windows(11).any(|w| w == b"PRIVATE KEY") {
        return crate::wss::private_key_from_pem(bytes).map(Some);
    }
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    for sibling in [format!("{stem}.key"), format!("{stem}.key.pem")] {
        let path = file.with_file_name(sibling);
        if path.is_file() {
            return crate::wss::private_key_from_pem(&material::read(&path)?).map(Some);
        }
    }
    Ok(None)
}

fn child_ignoring_case(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.is_dir() {
        return Some(exact);
    }
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_str().is_some_and(|n| n.eq_ignore_ascii_case(name)) && e.path().is_dir())
        .map(|e| e.path())
}

fn not_found(message: String) -> Error {
    Error::new(ErrorCode::CertificateNotFound, message)
}
