//! `wsseal identity check` with the seed's certificate and identities, and trust and identity
//! refusals through `wsseal secure` and `wsseal open` on a development PKI.

use std::path::Path;
use std::process::{Command, Output};

/// The seed's service certificate (O=Contoso, CN=identity.com; RSA-1024, SHA-1, negative serial).
const SEED: &str = "-----BEGIN CERTIFICATE-----
MIIBxjCCAXSgAwIBAgIQmXJgyu9tro1M98GifjtuoDAJBgUrDgMCHQUAMBYxFDASBgNVBAMTC1Jvb3QgQWdlbmN5MB4XDTA2
MDUxNzIxNDQyNVoXDTM5MTIzMTIzNTk1OVowKTEQMA4GA1UEChMHQ29udG9zbzEVMBMGA1UEAxMMaWRlbnRpdHkuY29tMIGf
MA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDBmivcb8hYbh11hqVoDuB7zmJ2y230f/b4e+4P6yXtKKuhUdYcIqc8mAforIM4
WWJEVGeJVq9sFEwqrL5Ryid8jMTRwPLvA/x/wvj1gtD1GWJ+aUh2pqieiGL7MWTepHAQBIibUxgOrAOz0j9Xhg0iDFYScdYU
jeqI3yZIDC7WbwIDAQABo0swSTBHBgNVHQEEQDA+gBAS5AktBh0dTwCNYSHcFmRjoRgwFjEUMBIGA1UEAxMLUm9vdCBBZ2Vu
Y3mCEAY3bACqAGSKEc+41KpcNfQwCQYFKw4DAh0FAANBADB/J2QjdSPL8Doj3pAveCXd/5fY03eo9kUym/Tmb4ubdqsObri0
qnYR/n8Wxsa1yJ4Dks6cNBTPS4l5B7zUeNo=
-----END CERTIFICATE-----
";

const REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body><Add xmlns="urn:calc"><n1>1</n1></Add></s:Body></s:Envelope>"#;

fn wsseal(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsseal")).args(args).current_dir(cwd).output().expect("run wsseal")
}

fn assert_exit(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(code), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stderr.contains(needle) || stdout.contains(needle),
        "{needle:?} not in\nstdout: {stdout}\nstderr: {stderr}"
    );
}

#[test]
fn identity_check_of_the_seed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    std::fs::write(cwd.join("seed.pem"), SEED).unwrap();
    let check = |args: &[&str]| wsseal(&[&["identity", "check", "--cert", "seed.pem"][..], args].concat(), cwd);

    assert_exit(&check(&["--identity-xml", r#"<dns value="identity.com"/>"#]), 0, "match: CN=identity.com,O=Contoso");
    let out = check(&["--identity-xml", r#"<identity><dns value="contoso.com"/></identity>"#]);
    assert_exit(&out, 1, "IDENTITY_MISMATCH (540)");
    assert_exit(&out, 1, "identity.com");
    assert_exit(&check(&["--identity-xml", r#"<servicePrincipalName value="host/x"/>"#]), 1, "IDENTITY_UNSATISFIABLE");
    assert_exit(&check(&["--identity-xml", "<dns"]), 2, "IDENTITY_INVALID");

    let body: String = SEED.lines().filter(|l| !l.starts_with("-----")).collect();
    std::fs::write(
        cwd.join("service.wsdl"),
        format!(r#"<definitions><Identity xmlns="http://schemas.xmlsoap.org/ws/2006/02/addressingidentity"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{body}</X509Certificate></X509Data></KeyInfo></Identity></definitions>"#),
    )
    .unwrap();
    assert_exit(&check(&["--wsdl", "service.wsdl"]), 0, "match");
    std::fs::write(cwd.join("client.toml"), "[identity]\ndns = \"contoso.com\"\n").unwrap();
    assert_exit(&check(&["--config", "client.toml"]), 1, "IDENTITY_MISMATCH");
    std::fs::write(cwd.join("empty.toml"), "").unwrap();
    assert_exit(&check(&["--config", "empty.toml"]), 2, "no [identity]");
    assert_exit(&check(&[]), 2, "--identity-xml");
}

#[test]
fn secure_and_open_refuse_what_trust_and_identity_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    assert_exit(&wsseal(&["dev-pki", "pki"], cwd), 0, "development PKI");
    let client = |extra: &str| {
        format!(
            "[credentials]\ncertificate = \"pki/client.pem\"\nprivate_key = \"pki/client.key.pem\"\n\
             [peer]\ncertificate = \"pki/service.pem\"\n[trust]\nanchors = [\"pki/ca.pem\"]\n{extra}"
        )
    };
    std::fs::write(cwd.join("client.toml"), client("[identity]\ndns = \"contoso.com\"\n")).unwrap();
    std::fs::write(cwd.join("wrong.toml"), client("[identity]\ndns = \"fabrikam.com\"\n")).unwrap();
    std::fs::write(cwd.join("request.xml"), REQUEST).unwrap();
    let out = wsseal(&["secure", "--config", "wrong.toml", "request.xml"], cwd);
    assert_exit(&out, 1, "IDENTITY_MISMATCH");
    assert_exit(&out, 1, "fabrikam.com");
    let out = wsseal(&["secure", "--config", "client.toml", "request.xml", "-o", "secured.xml"], cwd);
    assert_exit(&out, 0, "");

    let service = |trust: &str| {
        format!(
            "[credentials]\ncertificate = \"pki/service.pem\"\nprivate_key = \"pki/service.key.pem\"\n[trust]\n{trust}\n"
        )
    };
    for (name, trust, expected) in [
        ("chain", "anchors = [\"pki/ca.pem\"]", None),
        ("partial", "anchors = [\"pki/service.pem\"]", Some("CERTIFICATE_CHAIN_BROKEN")),
        ("peers", "mode = \"PeerTrust\"\ntrusted_peers = [\"pki/service.pem\"]", Some("CERTIFICATE_NOT_TRUSTED_PEER")),
        ("none", "mode = \"ChainTrust\"", Some("CONFIG_INVALID")),
    ] {
        let file = format!("service-{name}.toml");
        std::fs::write(cwd.join(&file), service(trust)).unwrap();
        let out = wsseal(&["open", "--config", &file, "secured.xml", "-o", "opened.xml"], cwd);
        match expected {
            None => assert_exit(&out, 0, ""),
            Some("CONFIG_INVALID") => assert_exit(&out, 2, "CONFIG_INVALID"),
            Some(code) => assert_exit(&out, 1, code),
        }
    }
}
