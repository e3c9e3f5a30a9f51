//! `wsseal dev-pki DIR`: a throwaway PKI for development and tests. A CA issues a service
//! certificate (CN=Contoso.com) and a client certificate (CN=Cohowinery.com), the names of the
//! Microsoft WCF "Message Security Mutual Certificates" sample. Not for production: the keys are
//! written unencrypted and the PKCS#12 password is public.

use std::fmt::{Display, Write as _};
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use p12_keystore::{EncryptionAlgorithm, KeyStore, KeyStoreEntry, MacAlgorithm, PrivateKey, PrivateKeyChain};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_RSA_SHA256, RsaKeySize, SanType, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use crate::Failure;

/// Password of the PKCS#12 files.
const P12_PASSWORD: &str = "changeit";

/// Common name of the development CA.
const CA_NAME: &str = "wsseal development CA (NOT FOR PRODUCTION)";

/// Arguments of `wsseal dev-pki`.
#[derive(clap::Args)]
pub struct Args {
    /// Directory to write the PKI into (created if missing).
    pub dir: PathBuf,
    /// Overwrite the files of an earlier run.
    #[arg(long)]
    pub force: bool,
}

/// An end-entity certificate to issue.
struct Leaf {
    /// File name stem: `{stem}.pem`, `{stem}.key.pem`, `{stem}.p12`.
    stem: &'static str,
    common_name: &'static str,
    dns_name: Option<&'static str>,
    purpose: ExtendedKeyUsagePurpose,
}

/// One file to write.
struct Output {
    name: String,
    about: String,
    contents: Vec<u8>,
    /// Holds a private key: readable by the owner only.
    private: bool,
}

/// Writes the development PKI.
pub fn run(args: &Args) -> Result<(), Failure> {
    let outputs = generate()?;
    let dir = &args.dir;
    if !args.force {
        let existing: Vec<&str> = outputs
            .iter()
            .map(|output| output.name.as_str())
            .filter(|name| fs::symlink_metadata(dir.join(name)).is_ok())
            .collect();
        if !existing.is_empty() {
            return Err(Failure::usage(format!(
                "{} already holds {}; pass --force to overwrite",
                dir.display(),
                existing.join(", ")
            )));
        }
    }
    fs::create_dir_all(dir).map_err(|err| Failure::io(format_args!("creating {}", dir.display()), err))?;
    for output in &outputs {
        let path = dir.join(&output.name);
        write(&path, output).map_err(|err| Failure::io(format_args!("writing {}", path.display()), err))?;
    }
    println!("Wrote a development PKI to {}:", dir.display());
    print!("{}", listing(&outputs));
    println!("WARNING: development PKI, NOT FOR PRODUCTION: its keys and password are not secret.");
    Ok(())
}

/// Generates every file in memory, README.txt last.
fn generate() -> Result<Vec<Output>, Failure> {
    // Backdated an hour to tolerate clock skew between the machines of a test setup.
    let not_before = OffsetDateTime::now_utc() - Duration::hours(1);
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, CA_NAME);
    params.serial_number = Some(random_serial()?);
    params.not_before = not_before;
    params.not_after = not_before + Duration::days(10 * 365);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(params, rsa_key()?).map_err(pki_error)?;

    let mut outputs = vec![
        Output {
            name: "ca.pem".into(),
            about: certificate_about(&format!("CA certificate CN={CA_NAME}"), ca.der()),
            contents: ca.pem().into_bytes(),
            private: false,
        },
        Output {
            name: "ca.key.pem".into(),
            about: "CA private key (PKCS#8)".into(),
            contents: ca.key().serialize_pem().into_bytes(),
            private: true,
        },
    ];
    let leaves = [
        Leaf {
            stem: "service",
            common_name: "Contoso.com",
            dns_name: Some("contoso.com"),
            purpose: ExtendedKeyUsagePurpose::ServerAuth,
        },
        Leaf {
            stem: "client",
            common_name: "Cohowinery.com",
            dns_name: None,
            purpose: ExtendedKeyUsagePurpose::ClientAuth,
        },
    ];
    for leaf in leaves {
        outputs.extend(issue(leaf, &ca, not_before)?);
    }

    let mut readme = String::from("wsseal development PKI: NOT FOR PRODUCTION.\n\n");
    readme.push_str(
        "Written by `wsseal dev-pki`. The private keys are not encrypted and the PKCS#12\n\
         password is public: never trust ca.pem outside development.\n\n",
    );
    readme.push_str(&listing(&outputs));
    outputs.push(Output {
        name: "README.txt".into(),
        about: "this list".into(),
        contents: readme.into_bytes(),
        private: false,
    });
    Ok(outputs)
}

/// Issues `leaf` (valid two years) and returns its certificate, key and PKCS#12 files.
fn issue(leaf: Leaf, ca: &CertifiedIssuer<'_, KeyPair>, not_before: OffsetDateTime) -> Result<[Output; 3], Failure> {
    let key = rsa_key()?;
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, leaf.common_name);
    if let Some(dns_name) = leaf.dns_name {
        params.subject_alt_names = vec![SanType::DnsName(dns_name.try_into().map_err(pki_error)?)];
    }
    params.serial_number = Some(random_serial()?);
    params.not_before = not_before;
    params.not_after = not_before + Duration::days(2 * 365);
    // ExplicitNoCa writes basicConstraints CA:false and the subject key identifier.
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.extended_key_usages = vec![leaf.purpose];
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, ca).map_err(pki_error)?;

    // Like Windows and OpenSSL, the PKCS#12 local key id is the certificate's SHA-1 thumbprint.
    let chain = PrivateKeyChain::new(
        sha1(cert.der()),
        PrivateKey::from_der(key.serialized_der()).map_err(pki_error)?,
        [
            p12_keystore::Certificate::from_der(cert.der()).map_err(pki_error)?,
            p12_keystore::Certificate::from_der(ca.der()).map_err(pki_error)?,
        ],
    );
    let mut store = KeyStore::new();
    store.add_entry(leaf.common_name, KeyStoreEntry::PrivateKeyChain(chain));
    let p12 = store
        .writer(P12_PASSWORD)
        .encryption_algorithm(EncryptionAlgorithm::PbeWithHmacSha256AndAes256)
        .mac_algorithm(MacAlgorithm::HmacSha256)
        .write()
        .map_err(pki_error)?;

    let Leaf { stem, common_name, .. } = leaf;
    Ok([
        Output {
            name: format!("{stem}.pem"),
            about: certificate_about(&format!("{stem} certificate CN={common_name}"), cert.der()),
            contents: cert.pem().into_bytes(),
            private: false,
        },
        Output {
            name: format!("{stem}.key.pem"),
            about: format!("{stem} private key (PKCS#8)"),
            contents: key.serialize_pem().into_bytes(),
            private: true,
        },
        Output {
            name: format!("{stem}.p12"),
            about: format!("{stem} key, certificate and CA certificate (PKCS#12), password {P12_PASSWORD}"),
            contents: p12,
            private: true,
        },
    ])
}

/// A fresh RSA-2048 key for SHA-256 signatures.
fn rsa_key() -> Result<KeyPair, Failure> {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).map_err(pki_error)
}

/// A random positive 127-bit serial number.
fn random_serial() -> Result<SerialNumber, Failure> {
    let mut serial = [0u8; 16];
    aws_lc_rs::rand::fill(&mut serial).map_err(pki_error)?;
    serial[0] &= 0x7f;
    Ok(SerialNumber::from_slice(&serial))
}

/// The SHA-1 digest of `der`.
fn sha1(der: &[u8]) -> Vec<u8> {
    digest(&SHA1_FOR_LEGACY_USE_ONLY, der).as_ref().to_vec()
}

/// `what` followed by the certificate's SHA-1 thumbprint as Windows shows it.
fn certificate_about(what: &str, der: &[u8]) -> String {
    let thumbprint: String = sha1(der).iter().map(|byte| format!("{byte:02X}")).collect();
    format!("{what}, SHA-1 thumbprint {thumbprint}")
}

/// One line per file: its name and what it holds.
fn listing(outputs: &[Output]) -> String {
    let mut listing = String::new();
    for output in outputs {
        let _ = writeln!(listing, "  {:<16} {}", output.name, output.about);
    }
    listing
}

/// Creates `path` anew (replacing a file left by an earlier run); private files get mode 0600.
fn write(path: &Path, output: &Output) -> std::io::Result<()> {
    if let Err(err) = fs::remove_file(path)
        && err.kind() != ErrorKind::NotFound
    {
        return Err(err);
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if output.private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    options.open(path)?.write_all(&output.contents)
}

/// A failure of the crypto libraries.
fn pki_error(err: impl Display) -> Failure {
    Failure::usage(format!("could not generate the development PKI: {err}"))
}
