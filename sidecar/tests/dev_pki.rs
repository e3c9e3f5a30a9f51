//! `wsseal dev-pki`, checked with the system `openssl` command-line tool: an independent
//! implementation of X.509 path validation and PKCS#12.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

/// Runs `wsseal dev-pki` with `args`.
fn dev_pki(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsseal")).arg("dev-pki").args(args).output().expect("run wsseal")
}

/// Runs `openssl` in `dir` and returns its output, whether it succeeded or not.
fn openssl_output(dir: &Path, args: &[&str]) -> Output {
    match Command::new("openssl").args(args).current_dir(dir).output() {
        Ok(output) => output,
        Err(err) => panic!(
            "these tests check the PKI with the `openssl` command-line tool, which could not be \
             run ({err}); install OpenSSL 3 (e.g. `apt-get install openssl`)"
        ),
    }
}

/// Runs `openssl` in `dir`, asserts it succeeded and returns its stdout and stderr.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let output = openssl_output(dir, args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "openssl {args:?} failed:\n{stdout}{stderr}");
    format!("{stdout}{stderr}")
}

/// Writes a PKI into `dir`, asserting success; returns stdout.
fn write_pki(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![dir.to_str().expect("UTF-8 temp path")];
    args.extend_from_slice(extra);
    let output = dev_pki(&args);
    assert!(output.status.success(), "wsseal dev-pki failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 stdout")
}

/// Every file `wsseal dev-pki` writes.
const FILES: [&str; 9] = [
    "ca.pem",
    "ca.key.pem",
    "service.pem",
    "service.key.pem",
    "service.p12",
    "client.pem",
    "client.key.pem",
    "client.p12",
    "README.txt",
];

/// The modulus of a certificate's public key, as openssl prints it.
fn cert_modulus(dir: &Path, cert: &str) -> String {
    openssl(dir, &["x509", "-in", cert, "-noout", "-modulus"])
}

/// The modulus of an RSA private key, as openssl prints it.
fn key_modulus(dir: &Path, key: &str) -> String {
    openssl(dir, &["rsa", "-in", key, "-noout", "-modulus"])
}

/// Asserts that `cert` expires between `min_days` and `max_days` from now.
fn assert_expires_within(dir: &Path, cert: &str, min_days: u32, max_days: u32) {
    let seconds = |days: u32| (days * 86_400).to_string();
    let min = seconds(min_days);
    let checkend = |secs: &str| openssl_output(dir, &["x509", "-in", cert, "-noout", "-checkend", secs]);
    assert!(checkend(&min).status.success(), "{cert} expires before {min_days} days");
    assert!(!checkend(&seconds(max_days)).status.success(), "{cert} outlives {max_days} days");
}

/// The extensions of `cert` as openssl prints them: heading (with ": critical" if so) to value,
/// whitespace normalised.
fn extensions(dir: &Path, cert: &str) -> BTreeMap<String, String> {
    const EXTENSIONS: &str =
        "subjectAltName,extendedKeyUsage,keyUsage,basicConstraints,subjectKeyIdentifier,authorityKeyIdentifier";
    let text = openssl(dir, &["x509", "-in", cert, "-noout", "-ext", EXTENSIONS]);
    let mut extensions = BTreeMap::new();
    let mut heading = String::new();
    for line in text.lines() {
        if line.starts_with(char::is_whitespace) {
            let value: &mut String = extensions.get_mut(&heading).expect("a heading before its value");
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(line.trim());
        } else {
            heading = line.trim().to_owned();
            extensions.insert(heading.clone(), String::new());
        }
    }
    extensions
}

/// Asserts that `cert` is an RSA-2048 certificate signed with SHA-256 and named as given.
fn assert_names(dir: &Path, cert: &str, subject: &str, issuer: &str) {
    let names = openssl(dir, &["x509", "-in", cert, "-noout", "-nameopt", "RFC2253", "-subject", "-issuer"]);
    assert_eq!(names, format!("subject=CN={subject}\nissuer=CN={issuer}\n"), "{cert}");
    let text = openssl(dir, &["x509", "-in", cert, "-noout", "-text"]);
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");
    assert!(text.contains("Signature Algorithm: sha256WithRSAEncryption"), "{text}");
}

/// Checks everything about a PKI in `dir` that does not depend on a particular run.
fn check_pki(dir: &Path) {
    const CA: &str = "wsseal development CA (NOT FOR PRODUCTION)";
    for (cert, purpose) in [("service.pem", "sslserver"), ("client.pem", "sslclient")] {
        let verified = openssl(dir, &["verify", "-x509_strict", "-purpose", purpose, "-CAfile", "ca.pem", cert]);
        assert!(verified.contains(&format!("{cert}: OK")), "{verified}");
    }

    assert_names(dir, "ca.pem", CA, CA);
    assert_names(dir, "service.pem", "Contoso.com", CA);
    assert_names(dir, "client.pem", "Cohowinery.com", CA);
    assert_expires_within(dir, "ca.pem", 3640, 3660);
    assert_expires_within(dir, "service.pem", 720, 740);
    assert_expires_within(dir, "client.pem", 720, 740);

    let ca = extensions(dir, "ca.pem");
    let ca_ski = ca.get("X509v3 Subject Key Identifier:").expect("CA subject key identifier");
    let expected = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    assert_eq!(
        ca,
        expected(&[
            ("X509v3 Basic Constraints: critical", "CA:TRUE"),
            ("X509v3 Key Usage: critical", "Certificate Sign, CRL Sign"),
            ("X509v3 Subject Key Identifier:", ca_ski),
        ])
    );
    for (cert, san, purpose) in [
        ("service.pem", Some("DNS:contoso.com"), "TLS Web Server Authentication"),
        ("client.pem", None, "TLS Web Client Authentication"),
    ] {
        let mut actual = extensions(dir, cert);
        let ski = actual.remove("X509v3 Subject Key Identifier:").expect("subject key identifier");
        assert!(ski.len() >= 20 && &ski != ca_ski, "{cert}: subject key identifier {ski}");
        let mut wanted = expected(&[
            ("X509v3 Authority Key Identifier:", ca_ski),
            ("X509v3 Basic Constraints: critical", "CA:FALSE"),
            ("X509v3 Key Usage: critical", "Digital Signature, Key Encipherment"),
            ("X509v3 Extended Key Usage:", purpose),
        ]);
        if let Some(san) = san {
            wanted.insert("X509v3 Subject Alternative Name:".into(), san.into());
        }
        assert_eq!(actual, wanted, "{cert}");
    }

    let serial = |cert| openssl(dir, &["x509", "-in", cert, "-noout", "-serial"]);
    let serials = [serial("ca.pem"), serial("service.pem"), serial("client.pem")];
    for s in &serials {
        assert!(s.starts_with("serial=") && !s.starts_with("serial=-"), "{s}");
        assert!(s.trim().len() > "serial=".len() + 16, "short serial {s}");
    }
    assert!(serials[0] != serials[1] && serials[1] != serials[2] && serials[0] != serials[2]);

    for stem in ["ca", "service", "client"] {
        let key = format!("{stem}.key.pem");
        let pem = fs::read_to_string(dir.join(&key)).expect("read key");
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{key} is not PKCS#8");
        assert_eq!(key_modulus(dir, &key), cert_modulus(dir, &format!("{stem}.pem")), "{key}");
    }

    let scratch = TempDir::new().expect("temp dir");
    for stem in ["service", "client"] {
        let p12 = format!("{stem}.p12");
        let info = openssl(dir, &["pkcs12", "-in", &p12, "-passin", "pass:changeit", "-nodes", "-info"]);
        assert!(info.contains("MAC: sha256"), "{info}");
        assert!(info.contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"), "{info}");
        assert!(info.contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"), "{info}");
        assert_eq!(info.matches("-----BEGIN PRIVATE KEY-----").count(), 1, "{info}");
        assert_eq!(info.matches("-----BEGIN CERTIFICATE-----").count(), 2, "{info}");

        let extract = |what: &str| {
            let out = scratch.path().join(format!("{stem}{what}.pem"));
            let out = out.to_str().expect("UTF-8 temp path").to_owned();
            openssl(dir, &["pkcs12", "-in", &p12, "-passin", "pass:changeit", "-nodes", what, "-out", &out]);
            out
        };
        let fingerprint = |cert: &str| openssl(dir, &["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"]);
        let cert = format!("{stem}.pem");
        assert_eq!(key_modulus(dir, &extract("-nocerts")), cert_modulus(dir, &cert), "{p12} key");
        assert_eq!(fingerprint(&extract("-clcerts")), fingerprint(&cert), "{p12} certificate");
        assert_eq!(fingerprint(&extract("-cacerts")), fingerprint("ca.pem"), "{p12} CA certificate");
    }

    #[cfg(unix)]
    for name in ["ca.key.pem", "service.key.pem", "service.p12", "client.key.pem", "client.p12"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.join(name)).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} has mode {mode:o}");
    }
}

/// The SHA-1 thumbprint of `cert` as Windows shows it, computed by openssl.
fn thumbprint(dir: &Path, cert: &str) -> String {
    let out = openssl(dir, &["x509", "-in", cert, "-noout", "-fingerprint", "-sha1"]);
    let (_, hex) = out.trim().split_once('=').expect("fingerprint line");
    hex.replace(':', "").to_uppercase()
}

#[test]
fn writes_a_pki_that_openssl_accepts() {
    let temp = TempDir::new().expect("temp dir");
    let dir = temp.path().join("new").join("pki");
    let stdout = write_pki(&dir, &[]);
    check_pki(&dir);

    for name in FILES {
        assert!(stdout.contains(name), "summary does not list {name}:\n{stdout}");
    }
    for cert in ["ca.pem", "service.pem", "client.pem"] {
        let thumbprint = thumbprint(&dir, cert);
        assert_eq!(thumbprint.len(), 40);
        let line = stdout.lines().find(|line| line.contains(cert)).expect("summary line");
        assert!(line.contains(&thumbprint), "{cert}: expected {thumbprint} in {line:?}");
    }
    assert!(stdout.contains("NOT FOR PRODUCTION"), "{stdout}");

    let readme = fs::read_to_string(dir.join("README.txt")).expect("README.txt");
    let first = readme.lines().next().expect("README first line");
    assert!(first.contains("development PKI") && first.contains("NOT FOR PRODUCTION"), "{first}");
    for name in FILES.iter().filter(|name| **name != "README.txt") {
        assert!(readme.contains(name), "README does not list {name}:\n{readme}");
    }
    assert!(readme.contains("changeit"), "{readme}");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let temp = TempDir::new().expect("temp dir");
    let dir = temp.path();
    write_pki(dir, &[]);
    let service = fs::read(dir.join("service.pem")).expect("service.pem");

    let again = dev_pki(&[dir.to_str().expect("UTF-8 temp path")]);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("service.pem") && stderr.contains("--force"), "{stderr}");
    assert_eq!(fs::read(dir.join("service.pem")).expect("service.pem"), service);

    // --force replaces the files, and a key file left readable is made private again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = dir.join("service.key.pem");
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    write_pki(dir, &["--force"]);
    assert_ne!(fs::read(dir.join("service.pem")).expect("service.pem"), service);
    check_pki(dir);
}

#[test]
fn refuses_a_directory_holding_any_of_its_files() {
    let temp = TempDir::new().expect("temp dir");
    let dir = temp.path();
    fs::write(dir.join("client.p12"), b"somebody else's").expect("write");

    let output = dev_pki(&[dir.to_str().expect("UTF-8 temp path")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("client.p12") && stderr.contains("--force"), "{stderr}");
    assert!(!dir.join("ca.pem").exists(), "wrote files despite refusing");
    assert_eq!(fs::read(dir.join("client.p12")).expect("client.p12"), b"somebody else's");
}
