//! Certificates made with the `openssl` CLI at test time (no key is committed), and what openssl
//! prints about them. Each is made on first use, in the fixture's own temporary directory.

use std::path::PathBuf;
use std::process::Command;

use wsseal_core::cert::Certificate;

/// A temporary directory of certificates: ca, leaf (issued by ca), v1, sha1, md5, ec and unicode.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temporary directory") }
    }

    /// The PEM file of a certificate, made if it does not exist yet.
    pub fn path(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(format!("{name}.pem"));
        if !path.exists() {
            self.make(name);
        }
        path
    }

    /// A certificate, as wsseal parses its PEM file.
    pub fn certificate(&self, name: &str) -> Certificate {
        let pem = std::fs::read(self.path(name)).expect("certificate file");
        Certificate::from_pem(&pem).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Runs openssl in the fixture's directory; its standard output.
    pub fn openssl(&self, args: &[&str]) -> String {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("the openssl CLI must be installed to run the certificate tests");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "openssl {args:?} failed: {stderr}");
        String::from_utf8(output.stdout).expect("openssl prints UTF-8")
    }

    fn make(&self, name: &str) {
        let days = ["-days", "30", "-nodes"];
        let rsa = ["-newkey", "rsa:2048"];
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
        let self_signed = |key: &[&str], extra: &[&str]| {
            let out = format!("{name}.pem");
            let key_out = format!("{name}.key");
            let args = [&["req", "-x509", "-out", &out, "-keyout", &key_out][..], &days, key, extra].concat();
            self.openssl(&args);
        };
        match name {
            "ca" => self_signed(
                &rsa,
                &[
                    "-multivalue-rdn",
                    "-subj",
                    "/C=DE/ST=Berlin/O=Probe, Inc./OU=Security+CN=Probe Root/emailAddress=ca@probe.example",
                    "-set_serial",
                    "0x00c0ffee0123456789abcdef0123456789abcdef",
                ],
            ),
            "leaf" => {
                self.path("ca");
                std::fs::write(
                    self.dir.path().join("leaf.ext"),
                    "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=DNS:a.example,DNS:b.example\n",
                )
                .expect("extension file");
                let subject =
                    r#"/DC=example/DC=probe/O=Probe\, "Quoted" <Inc>/OU=WSS+UID=svc-1/CN=wss-server/CN=#hash;semi "#;
                let request = ["req", "-new", "-out", "leaf.csr", "-keyout", "leaf.key", "-multivalue-rdn", "-subj"];
                self.openssl(&[&request[..], &[subject], &rsa, &days[2..]].concat());
                self.openssl(&[
                    "x509",
                    "-req",
                    "-in",
                    "leaf.csr",
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-set_serial",
                    "-12345",
                    "-days",
                    "30",
                    "-extfile",
                    "leaf.ext",
                    "-out",
                    "leaf.pem",
                ]);
            }
            "v1" => {
                let request = ["req", "-new", "-out", "v1.csr", "-keyout", "v1.key", "-subj", "/CN=v1 legacy/O=Old"];
                self.openssl(&[&request[..], &rsa, &days[2..]].concat());
                self.openssl(&[
                    "x509",
                    "-req",
                    "-in",
                    "v1.csr",
                    "-signkey",
                    "v1.key",
                    "-set_serial",
                    "0",
                    "-days",
                    "30",
                    "-out",
                    "v1.pem",
                ]);
            }
            "sha1" => {
                self_signed(&["-newkey", "rsa:1024", "-sha1"], &["-subj", "/CN=sha1 legacy", "-set_serial", "0x8000"])
            }
            "md5" => self_signed(&["-newkey", "rsa:1024", "-md5"], &["-subj", "/CN=md5 legacy", "-set_serial", "-128"]),
            "ec" => self_signed(&ec, &["-subj", "/CN=ec.example/O=Probe", "-addext", "subjectAltName=DNS:ec.example"]),
            "unicode" => self_signed(&ec, &["-utf8", "-subj", "/CN=Zoë Ünïcødé/O=Straße/OU=\tTabbed"]),
            other => panic!("no recipe for {other}"),
        }
    }
}
