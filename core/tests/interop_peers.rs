//! Interoperability with implementations nobody on this team wrote: python-xmlsec (libxmlsec1 +
//! lxml) and the xmlsec1 command-line tool, driven by the scripts in ../shared/peers. What we
//! sign and encrypt they verify and decrypt; what they sign and encrypt we open; tampered
//! messages are refused on both sides. The PKI comes from the peers' own make-pki.sh (openssl).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::peer_paths;
use wsseal_core::ErrorCode;
use wsseal_core::cert::Certificate;
use wsseal_core::crypto::DataEncryptionAlgorithm;
use wsseal_core::wss::{AlgorithmSuite, Credentials, Engine, KeyReference, Policy, ProtectionOrder};

struct Peers {
    python: PathBuf,
    scripts: PathBuf,
    pki: PathBuf,
    _dir: tempfile::TempDir,
}

fn peers() -> &'static Peers {
    static PEERS: OnceLock<Peers> = OnceLock::new();
    PEERS.get_or_init(|| {
        let (python, scripts) = peer_paths();
        let dir = tempfile::tempdir().unwrap();
        let pki = dir.path().join("pki");
        let out = Command::new("bash").arg(scripts.join("make-pki.sh")).arg(&pki).output().unwrap();
        assert!(out.status.success(), "make-pki.sh: {}", String::from_utf8_lossy(&out.stderr));
        Peers { python, scripts, pki, _dir: dir }
    })
}

impl Peers {
    fn file(&self, name: &str) -> PathBuf {
        self.pki.join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = self.pki.join(format!("{n}-{name}"));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn python(&self, args: &[&Path]) -> Output {
        Command::new(&self.python).arg(self.scripts.join("pyxmlsec_wss.py")).args(args).output().unwrap()
    }

    fn xmlsec1(&self, args: &[&Path]) -> Output {
        Command::new("bash").arg(self.scripts.join("xmlsec1_wss.sh")).args(args).output().unwrap()
    }

    /// A fresh ~2 KB SOAP 1.1 envelope with a Timestamp (Id TS-1) and a Body (Id Body-1).
    fn envelope(&self) -> Vec<u8> {
        let out = Command::new(&self.python).arg(self.scripts.join("envelope.py")).output().unwrap();
        assert!(out.status.success());
        out.stdout
    }

    /// The same envelope without its Security header, for us to secure.
    fn bare_envelope(&self) -> Vec<u8> {
        let text = String::from_utf8(self.envelope()).unwrap();
        let start = text.find("<wsse:Security").unwrap();
        let end = text.find("</wsse:Security>").unwrap() + "</wsse:Security>".len();
        format!("{}{}", &text[..start], &text[end..]).into_bytes()
    }

    /// Our engine as one party: `us` signs and decrypts, `them` is pinned and encrypted for.
    fn engine(&self, us: &str, them: &str, policy: Policy) -> Engine {
        let read = |name: &str| std::fs::read(self.file(name)).unwrap();
        let credentials = Credentials::from_pem(&read(&format!("{us}.pem")), &read(&format!("{us}.key"))).unwrap();
        let peer = Certificate::from_pem(&read(&format!("{them}.pem"))).unwrap();
        Engine::new(policy, credentials, peer).unwrap()
    }
}

fn ok(out: &Output, what: &str) -> Vec<u8> {
    assert!(out.status.success(), "{what} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout.clone()
}

fn refused(out: &Output, what: &str) {
    assert!(!out.status.success(), "{what} accepted a tampered message");
}

fn policy(suite: &str, encrypt: bool) -> Policy {
    Policy { suite: AlgorithmSuite::by_name(suite).unwrap(), encrypt_body: encrypt, ..Policy::default() }
}

fn gcm(mut policy: Policy) -> Policy {
    policy.suite.encryption = DataEncryptionAlgorithm::Aes256Gcm;
    policy
}

/// The text of the Body's first data element, to compare what came through.
fn customer(envelope: &[u8]) -> String {
    let text = String::from_utf8_lossy(envelope);
    let start = text.find("<ord:Customer").expect("the Body arrived in clear");
    text[start..start + text[start..].find("</ord:Customer>").unwrap()].to_owned()
}

#[test]
fn python_xmlsec_and_xmlsec1_verify_what_we_sign() {
    let p = peers();
    for suite in ["Basic256", "Basic256Sha256"] {
        let client = p.engine("client", "server", policy(suite, false));
        let signed = client.secure(&p.bare_envelope(), None).unwrap().envelope;
        let file = p.write("signed.xml", &signed);
        ok(&p.python(&[Path::new("verify"), &file, &p.file("ca.pem")]), "python-xmlsec verify");
        ok(&p.xmlsec1(&[Path::new("verify"), &file, &p.file("ca.pem")]), "xmlsec1 verify");

        let text = String::from_utf8(signed).unwrap();
        let tampered = p.write("tampered.xml", text.replacen("ACME GmbH", "ACME GmbX", 1).as_bytes());
        refused(&p.python(&[Path::new("verify"), &tampered]), "python-xmlsec verify");
        refused(&p.xmlsec1(&[Path::new("verify"), &tampered, &p.file("ca.pem")]), "xmlsec1 verify");
    }
}

#[test]
fn python_xmlsec_and_xmlsec1_decrypt_and_verify_what_we_secure() {
    let p = peers();
    let orders = [ProtectionOrder::SignBeforeEncrypt, ProtectionOrder::SignBeforeEncryptAndEncryptSignature];
    for (order, gcm_mode) in orders.iter().flat_map(|o| [(*o, false), (*o, true)]) {
        let mut policy = Policy { protection_order: order, ..policy("Basic256Sha256", true) };
        if gcm_mode {
            policy = gcm(policy);
        }
        let client = p.engine("client", "server", policy);
        let original = p.bare_envelope();
        let secured = client.secure(&original, None).unwrap().envelope;
        assert!(!String::from_utf8_lossy(&secured).contains("ACME GmbH"));
        let file = p.write("secured.xml", &secured);
        let what = format!("{order:?} gcm={gcm_mode}");
        let clear = ok(
            &p.python(&[Path::new("decrypt"), &file, &p.file("server.key")]),
            &format!("python-xmlsec decrypt {what}"),
        );
        assert_eq!(customer(&clear), customer(&original));
        let clear_file = p.write("clear.xml", &clear);
        ok(&p.python(&[Path::new("verify"), &clear_file, &p.file("ca.pem")]), &format!("python-xmlsec verify {what}"));
        if order == ProtectionOrder::SignBeforeEncrypt && !gcm_mode {
            let clear = ok(&p.xmlsec1(&[Path::new("decrypt"), &file, &p.file("server.key")]), "xmlsec1 decrypt");
            assert_eq!(customer(&clear), customer(&original));
            let clear_file = p.write("clear1.xml", &clear);
            ok(&p.xmlsec1(&[Path::new("verify"), &clear_file, &p.file("ca.pem")]), "xmlsec1 verify after decrypt");
        }
        // Ciphertext flipped: the peer cannot decrypt it (or the result does not verify).
        let text = String::from_utf8(secured).unwrap();
        let body = text.rfind("<xenc:CipherValue>").unwrap() + 40;
        let mut bytes = text.into_bytes();
        bytes[body] = if bytes[body] == b'A' { b'B' } else { b'A' };
        let tampered = p.write("tampered.xml", &bytes);
        let decrypted = p.python(&[Path::new("decrypt"), &tampered, &p.file("server.key")]);
        if decrypted.status.success() {
            let clear = p.write("tampered-clear.xml", &decrypted.stdout);
            refused(&p.python(&[Path::new("verify"), &clear]), "python-xmlsec verify of tampered ciphertext");
        }
    }
}

#[test]
fn we_open_what_python_xmlsec_signs() {
    let p = peers();
    for (suite, flag) in [("Basic256Sha256", None), ("Basic256", Some("--sha1"))] {
        let envelope = p.write("envelope.xml", &p.envelope());
        let (key, cert) = (p.file("client.key"), p.file("client.pem"));
        let mut args: Vec<&Path> = vec![Path::new("sign"), &envelope, &key, &cert];
        args.extend(flag.map(Path::new));
        let signed = ok(&p.python(&args), "python-xmlsec sign");
        let service = p.engine("server", "client", policy(suite, false));
        let opened = service.open(&signed, None).unwrap_or_else(|e| panic!("{suite}: {e}"));
        assert_eq!(opened.report.signed, ["Body", "Timestamp"]);
        assert!(opened.report.signer.unwrap().subject.contains("CN=wss-client"));

        let text = String::from_utf8(signed).unwrap();
        let tampered = text.replacen("ACME GmbH", "ACME GmbX", 1);
        assert_eq!(service.open(tampered.as_bytes(), None).unwrap_err().code(), ErrorCode::DigestMismatch);
        // Their signed Body moved into a wrapper, a new Body in its place.
        let start = text.find("<soapenv:Body").unwrap();
        let body = &text[start..text.find("</soapenv:Body>").unwrap() + "</soapenv:Body>".len()];
        let wrapped = text.replacen(body, "<soapenv:Body><evil/></soapenv:Body>", 1).replacen(
            "</soapenv:Header>",
            &format!("<w:W xmlns:w=\"urn:evil\">{body}</w:W></soapenv:Header>"),
            1,
        );
        assert_eq!(service.open(wrapped.as_bytes(), None).unwrap_err().code(), ErrorCode::NotSigned);
    }
}

#[test]
fn we_open_what_python_xmlsec_signs_and_encrypts() {
    let p = peers();
    for gcm_mode in [false, true] {
        let envelope = p.write("envelope.xml", &p.envelope());
        let signed =
            ok(&p.python(&[Path::new("sign"), &envelope, &p.file("client.key"), &p.file("client.pem")]), "sign");
        let signed = p.write("signed.xml", &signed);
        let recipient = p.file("server.pem");
        let mut args: Vec<&Path> = vec![Path::new("encrypt"), &signed, &recipient];
        if gcm_mode {
            args.push(Path::new("--gcm"));
        }
        let secured = ok(&p.python(&args), "python-xmlsec encrypt");
        let mut policy = policy("Basic256Sha256", true);
        if gcm_mode {
            policy = gcm(policy);
        }
        let service = p.engine("server", "client", policy);
        let opened = service.open(&secured, None).unwrap_or_else(|e| panic!("gcm={gcm_mode}: {e}"));
        assert_eq!(opened.report.encrypted, ["Body"]);
        assert_eq!(customer(&opened.envelope), customer(&p.envelope()));

        let text = String::from_utf8(secured).unwrap();
        let at = text.rfind("</xenc:CipherValue>").unwrap() - 30;
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        assert_eq!(service.open(&bytes, None).unwrap_err().code(), ErrorCode::DecryptionFailed);
    }
}

#[test]
fn we_open_what_xmlsec1_signs_and_encrypts() {
    let p = peers();
    let envelope = p.write("envelope.xml", &p.envelope());
    let signed =
        ok(&p.xmlsec1(&[Path::new("sign"), &envelope, &p.file("client.key"), &p.file("client.pem")]), "xmlsec1 sign");
    let service = p.engine("server", "client", policy("Basic256Sha256", false));
    let opened = service.open(&signed, None).unwrap();
    assert_eq!(opened.report.signed, ["Body", "Timestamp"]);

    // xmlsec1 encrypts in its native layout: the EncryptedKey inside the EncryptedData's KeyInfo.
    let signed_file = p.write("signed1.xml", &signed);
    let secured = ok(&p.xmlsec1(&[Path::new("encrypt"), &signed_file, &p.file("server.pem")]), "xmlsec1 encrypt");
    let service = p.engine("server", "client", policy("Basic256Sha256", true));
    let opened = service.open(&secured, None).unwrap();
    assert_eq!(opened.report.encrypted, ["Body"]);
    assert_eq!(customer(&opened.envelope), customer(&p.envelope()));
}

#[test]
fn issuer_serial_names_openssl_certificates_the_way_peers_write_them() {
    let p = peers();
    // python-xmlsec writes X509IssuerName in cryptography's RFC 4514 order; both it and our own
    // IssuerSerial reference must name the server certificate.
    let server = Certificate::from_pem(&std::fs::read(p.file("server.pem")).unwrap()).unwrap();
    assert!(server.issuer_matches("O=Probe,CN=WSS Test CA"));
    assert!(server.issuer_matches("CN=WSS Test CA, O=Probe"));
    let client = p.engine(
        "client",
        "server",
        Policy { recipient_reference: KeyReference::SubjectKeyIdentifier, ..policy("Basic256Sha256", true) },
    );
    let secured = client.secure(&p.bare_envelope(), None).unwrap().envelope;
    let file = p.write("ski.xml", &secured);
    ok(&p.python(&[Path::new("decrypt"), &file, &p.file("server.key")]), "python-xmlsec decrypt (SKI reference)");
}
