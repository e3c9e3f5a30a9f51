//! Trust material read from files and directories: certificates (PEM bundles or DER files) and
//! CRLs (PEM `X509 CRL` blocks or DER files). A directory contributes every file in it whose
//! extension fits, in name order; subdirectories are not read.

use std::path::{Path, PathBuf};

use super::Crl;
use crate::cert::{Certificate, pem_blocks};
use crate::error::{Error, ErrorCode};

/// The file extensions read as certificates in a directory.
pub(crate) const CERTIFICATE_EXTENSIONS: [&str; 4] = ["pem", "crt", "cer", "der"];
/// The file extensions read as CRLs in a directory.
const CRL_EXTENSIONS: [&str; 3] = ["crl", "pem", "der"];

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

/// Reads a file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))
}

/// The files of `path`: itself, or the files of the directory with one of `extensions`.
pub(crate) fn files(path: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, Error> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| invalid(format!("cannot list {}: {e}", path.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| extensions.iter().any(|x| e.eq_ignore_ascii_case(x)))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// The certificates of a PEM text (none when it holds only other blocks, such as a key) or of a
/// DER file.
pub(crate) fn parse_certificates(bytes: &[u8], origin: &Path) -> Result<Vec<Certificate>, Error> {
    let unreadable = |e: crate::cert::CertError| invalid(format!("{}: {}", origin.display(), e.message()));
    if is_pem(bytes) {
        let blocks = pem_blocks(bytes).map_err(unreadable)?;
        let certificates = blocks.iter().filter(|(label, _)| label.ends_with("CERTIFICATE"));
        certificates.map(|(_, der)| Certificate::from_der(der).map_err(unreadable)).collect()
    } else {
        Certificate::from_der(bytes).map(|c| vec![c]).map_err(unreadable)
    }
}

/// Does the text start like PEM?
pub(crate) fn is_pem(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"-----BEGIN")
}

/// Every certificate of the files and directories in `paths`. A file named directly must hold
/// at least one.
pub fn load_certificates(paths: &[PathBuf]) -> Result<Vec<Certificate>, Error> {
    let mut certificates = Vec::new();
    for path in paths {
        let found = certificates.len();
        for file in files(path, &CERTIFICATE_EXTENSIONS)? {
            certificates.extend(parse_certificates(&read(&file)?, &file)?);
        }
        if certificates.len() == found && !path.is_dir() {
            return Err(invalid(format!("{} holds no certificate", path.display())));
        }
    }
    Ok(certificates)
}

/// Every CRL of the files and directories in `paths`.
pub fn load_crls(paths: &[PathBuf]) -> Result<Vec<Crl>, Error> {
    let mut crls = Vec::new();
    for path in paths {
        for file in files(path, &CRL_EXTENSIONS)? {
            let bytes = read(&file)?;
            let context = |e: Error| invalid(format!("{}: {}", file.display(), e.message()));
            if is_pem(&bytes) {
                let blocks = pem_blocks(&bytes).map_err(|e| invalid(format!("{}: {}", file.display(), e.message())))?;
                for (_, der) in blocks.iter().filter(|(label, _)| label == "X509 CRL") {
                    crls.push(Crl::from_der(der).map_err(context)?);
                }
            } else {
                crls.push(Crl::from_der(&bytes).map_err(context)?);
            }
        }
    }
    Ok(crls)
}
