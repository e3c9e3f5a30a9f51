//! `wsseal secure` and `wsseal open` as real processes: a client secures a request for the
//! service, the service opens it, on a development PKI written by `wsseal dev-pki`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use tempfile::TempDir;

/// A SOAP 1.2 + WS-Addressing 1.0 request like WCF's Calculator sample.
const REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://Microsoft.ServiceModel.Samples/ICalculator/Add</a:Action><a:MessageID>urn:uuid:0b8e5a52-3c7d-4f0e-9a61-2d4c8b7e1f30</a:MessageID><a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="1">http://localhost/Calculator</a:To></s:Header><s:Body><Add xmlns="http://Microsoft.ServiceModel.Samples"><n1>100</n1><n2>15.99</n2></Add></s:Body></s:Envelope>"#;

const MESSAGE_ID: &str = "urn:uuid:0b8e5a52-3c7d-4f0e-9a61-2d4c8b7e1f30";
const ACTION: &str = "{http://www.w3.org/2005/08/addressing}Action";
const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// Writes a development PKI into `dir`.
fn write_pki(dir: TempDir) -> TempDir {
    let out = run(&["dev-pki", dir.path().to_str().unwrap()], None, None);
    assert_eq!(out.status.code(), Some(0), "dev-pki: {}", show(&out));
    dir
}

/// The PKI shared by the tests of this binary (RSA key generation is slow). A static is never
/// dropped, so it lives in Cargo's temporary directory for tests, where each run removes those
/// of earlier runs (older than an hour, so that concurrent runs keep theirs).
fn pki() -> &'static Path {
    const PREFIX: &str = "secure-open-pki-";
    static PKI: OnceLock<TempDir> = OnceLock::new();
    PKI.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(tmp).into_iter().flatten().flatten() {
            let stale = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if entry.file_name().to_string_lossy().starts_with(PREFIX)
                && stale.is_some_and(|age| age > Duration::from_secs(3600))
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        write_pki(tempfile::Builder::new().prefix(PREFIX).tempdir_in(tmp).unwrap())
    })
    .path()
}

/// Runs `wsseal` with `args`, feeding `stdin` (or nothing), in `cwd` (or ours).
fn run(args: &[&str], stdin: Option<&[u8]>, cwd: Option<&Path>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wsseal"));
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let mut child = command.spawn().expect("run wsseal");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        // The process may exit before reading everything (a usage error); that is fine.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr).trim()
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().unwrap().to_owned()
}

/// `command` with `--cert`, `--key` and `--peer-cert`.
fn with_credentials(command: &str, cert: &str, key: &str, peer: &str) -> Vec<String> {
    [command, "--cert", cert, "--key", key, "--peer-cert", peer].map(str::to_owned).to_vec()
}

/// `command` as the client (`client`) or the service (`service`) of `pki`, pinning `peer`.
fn party(command: &str, pki: &Path, me: &str, peer: &str) -> Vec<String> {
    let file = |name: String| path(pki, &name);
    with_credentials(command, &file(format!("{me}.pem")), &file(format!("{me}.key.pem")), &file(format!("{peer}.pem")))
}

fn run_strings(args: &[String], stdin: Option<&[u8]>) -> Output {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>(), stdin, None)
}

/// `wsseal secure` as the client of the shared PKI, then `extra`.
fn secure(extra: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut args = party("secure", pki(), "client", "service");
    args.extend(extra.iter().map(|s| s.to_string()));
    run_strings(&args, stdin)
}

/// `wsseal open` as the service of the shared PKI, then `extra`.
fn open(extra: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut args = party("open", pki(), "service", "client");
    args.extend(extra.iter().map(|s| s.to_string()));
    run_strings(&args, stdin)
}

/// Asserts success and returns stdout and stderr.
fn ok(out: Output) -> (Vec<u8>, String) {
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    (out.stdout.clone(), stderr(&out))
}

/// Asserts a refusal with `code` (exit 1, nothing on stdout).
fn assert_refused(out: &Output, code: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", show(out));
    assert!(out.stdout.is_empty(), "{}", show(out));
    let err = stderr(out);
    assert!(err.starts_with(&format!("wsseal: refused: {code} (")), "{}", show(out));
}

/// Asserts exit code 2 with nothing on stdout and `needle` on stderr.
fn assert_unusable(out: &Output, needle: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", show(out));
    assert!(out.stdout.is_empty(), "{}", show(out));
    assert!(stderr(out).contains(needle), "expected {needle:?}: {}", show(out));
}

/// The bytes between the Body's start and end tags.
fn body_content(envelope: &[u8]) -> String {
    let text = std::str::from_utf8(envelope).unwrap();
    let open = text.find(":Body").unwrap();
    let start = open + text[open..].find('>').unwrap() + 1;
    let end = text.rfind("</").unwrap();
    let end = text[..end].rfind("</").unwrap();
    text[start..end].to_owned()
}

fn request_file(dir: &Path) -> String {
    let file = dir.join("request.xml");
    std::fs::write(&file, REQUEST).unwrap();
    file.to_str().unwrap().to_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn strings(value: &serde_json::Value) -> Vec<&str> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect()
}

#[test]
fn the_service_opens_what_the_client_secured() {
    let dir = tempfile::tempdir().unwrap();
    let (secured, err) = ok(secure(&[&request_file(dir.path())], None));
    assert!(err.is_empty(), "secure printed {err}");
    let text = String::from_utf8(secured.clone()).unwrap();
    assert!(text.contains("wsse:Security") && text.contains("EncryptedData"), "{text}");
    assert!(!text.contains("<n1>100</n1>"), "the Body must be encrypted: {text}");
    let secured_file = path(dir.path(), "secured.xml");
    std::fs::write(&secured_file, &secured).unwrap();

    let (opened, report) = ok(open(&[&secured_file], None));
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));
    assert!(!String::from_utf8(opened).unwrap().contains("Security"));
    assert!(report.contains("signer:") && report.contains("CN=Cohowinery.com"), "{report}");
    assert!(report.contains("encrypted:  Body"), "{report}");
    assert!(report.contains(MESSAGE_ID), "{report}");

    // Every process has its own replay cache: the same message opens again.
    let (opened, report) = ok(open(&["--report", "json", &secured_file], None));
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));
    let report = json(&report);
    assert_eq!(report["signer"]["subject"], "CN=Cohowinery.com");
    assert_eq!(report["signer"]["thumbprint_sha1"].as_str().unwrap().len(), 40);
    let signed = strings(&report["signed"]);
    for part in ["Body", "Timestamp", ACTION, "{http://www.w3.org/2005/08/addressing}To"] {
        assert!(signed.contains(&part), "{part} not in {signed:?}");
    }
    assert_eq!(strings(&report["encrypted"]), ["Body"]);
    assert_eq!(report["message_id"], MESSAGE_ID);
    assert!(report["timestamp"]["created"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn output_and_report_files() {
    let dir = tempfile::tempdir().unwrap();
    let secured = path(dir.path(), "secured.xml");
    let out = secure(&["--output", &secured, &request_file(dir.path())], None);
    assert!(ok(out).0.is_empty());
    let (opened_file, report_file) = (path(dir.path(), "opened.xml"), path(dir.path(), "report.json"));
    let out = open(&["-o", &opened_file, "--report", "json", "--report-file", &report_file, &secured], None);
    let (stdout, err) = ok(out);
    assert!(stdout.is_empty() && err.is_empty(), "stdout {stdout:?}, stderr {err}");
    let opened = std::fs::read(&opened_file).unwrap();
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));
    let report = json(&std::fs::read_to_string(&report_file).unwrap());
    assert_eq!(report["signer"]["subject"], "CN=Cohowinery.com");

    let (_, err) = ok(open(&["--report", "none", &secured], None));
    assert!(err.is_empty(), "{err}");
    let (opened, _) = ok(open(&["--keep-security-header", &secured], None));
    assert!(String::from_utf8(opened).unwrap().contains("wsse:Security"));

    // A refused message leaves the output file alone.
    let refused = path(dir.path(), "refused.xml");
    assert_refused(&open(&["-o", &refused, &opened_file], None), "SECURITY_HEADER_MISSING");
    assert!(!Path::new(&refused).exists());
}

#[test]
fn standard_input_and_output_pipe() {
    let (secured, _) = ok(secure(&[], Some(REQUEST.as_bytes())));
    let (opened, _) = ok(open(&["-"], Some(&secured)));
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));
    let (secured, _) = ok(secure(&["-"], Some(REQUEST.as_bytes())));
    let (opened, _) = ok(open(&["--report", "none"], Some(&secured)));
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));
}

/// Copies the PKI into `dir/keys` and writes `dir/conf/{client,service}.toml` naming it with
/// paths relative to the configuration files.
fn configs(dir: &Path, suite: &str) -> (String, String) {
    std::fs::create_dir_all(dir.join("keys")).unwrap();
    std::fs::create_dir_all(dir.join("conf")).unwrap();
    for name in ["client.pem", "client.key.pem", "service.pem", "service.key.pem"] {
        std::fs::copy(pki().join(name), dir.join("keys").join(name)).unwrap();
    }
    let write = |me: &str, peer: &str| {
        let file = dir.join("conf").join(format!("{me}.toml"));
        let text = format!(
            "[credentials]\ncertificate = \"../keys/{me}.pem\"\nprivate_key = \"../keys/{me}.key.pem\"\n\n\
             [peer]\ncertificate = \"../keys/{peer}.pem\"\n\n\
             [policy]\nsuite = \"{suite}\"\nprotection_order = \"SignBeforeEncrypt\"\n"
        );
        std::fs::write(&file, text).unwrap();
        file.to_str().unwrap().to_owned()
    };
    (write("client", "service"), write("service", "client"))
}

#[test]
fn a_configuration_file_with_relative_paths_and_flags_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let (client, service) = configs(dir.path(), "Basic256");
    let request = request_file(dir.path());
    // Run elsewhere: the paths are relative to the configuration file, not the working directory.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let wsseal = |args: &[&str], stdin: Option<&[u8]>| run(args, stdin, Some(&elsewhere));

    let (secured, _) = ok(wsseal(&["secure", "--config", &client, &request], None));
    let text = String::from_utf8(secured.clone()).unwrap();
    assert!(text.contains(RSA_SHA1) && !text.contains(RSA_SHA256), "{text}");
    let (opened, report) = ok(wsseal(&["open", "--config", &service], Some(&secured)));
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));
    assert!(report.contains("CN=Cohowinery.com"), "{report}");

    // The configuration says Basic256; the flag says Basic256Sha256, and wins.
    let (secured, _) = ok(wsseal(&["secure", "--config", &client, "--suite", "Basic256Sha256", &request], None));
    let text = String::from_utf8(secured.clone()).unwrap();
    assert!(text.contains(RSA_SHA256) && !text.contains(RSA_SHA1), "{text}");
    // A service configured for Basic256 accepts only its algorithms ...
    assert_refused(&wsseal(&["open", "--config", &service], Some(&secured)), "SIGNATURE_ALGORITHM_REFUSED");
    // ... unless a flag says otherwise (suite names ignore case).
    let (opened, _) = ok(wsseal(&["open", "--config", &service, "--suite", "basic256sha256"], Some(&secured)));
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));

    // Flags override the configured files too, relative to the working directory.
    let out = wsseal(
        &["open", "--config", &service, "--suite", "Basic256Sha256", "--peer-cert", "../keys/service.pem"],
        Some(&secured),
    );
    assert_refused(&out, "SIGNER_UNTRUSTED");
}

#[test]
fn policy_flags_change_what_is_protected() {
    let dir = tempfile::tempdir().unwrap();
    let request = request_file(dir.path());

    // Sign only: the Body stays in clear, and a service that requires encryption refuses it.
    let (secured, _) = ok(secure(&["--no-encrypt", &request], None));
    let text = String::from_utf8(secured.clone()).unwrap();
    assert!(text.contains("<n1>100</n1>") && !text.contains("EncryptedData"), "{text}");
    assert_refused(&open(&[], Some(&secured)), "NOT_ENCRYPTED");
    let (opened, report) = ok(open(&["--no-encrypt", "--report", "json"], Some(&secured)));
    assert_eq!(body_content(&opened), body_content(REQUEST.as_bytes()));
    assert!(strings(&json(&report)["encrypted"]).is_empty());

    // An encrypted header, with every other knob of the sender turned.
    let flags = [
        "--encrypt-header",
        ACTION,
        "--order",
        "EncryptBeforeSign",
        "--key-reference",
        "Thumbprint",
        "--signer-reference",
        "IssuerSerial",
        "--reference-list",
        "Standalone",
        "--ttl",
        "60",
    ];
    let (secured, _) = ok(secure(&[&flags[..], &[request.as_str()]].concat(), None));
    let text = String::from_utf8(secured.clone()).unwrap();
    assert!(text.contains("EncryptedHeader") && !text.contains("ICalculator/Add<"), "{text}");
    assert!(text.contains("xenc:ReferenceList") && !text.contains("BinarySecurityToken"), "{text}");
    let opening = ["--encrypt-header", ACTION, "--order", "encryptbeforesign", "--report", "json", "--skew", "60"];
    let (opened, report) = ok(open(&opening, Some(&secured)));
    assert!(String::from_utf8(opened).unwrap().contains("ICalculator/Add</a:Action>"));
    let report = json(&report);
    assert_eq!(strings(&report["encrypted"]), ["Body", ACTION]);
    assert!(strings(&report["signed"]).contains(&ACTION));
    // A service that does not expect the header encrypted refuses it.
    assert_refused(&open(&["--order", "EncryptBeforeSign"], Some(&secured)), "ENCRYPTION_UNEXPECTED");
}

#[test]
fn tampered_ciphertext_is_refused() {
    let (secured, _) = ok(secure(&[], Some(REQUEST.as_bytes())));
    let mut text = String::from_utf8(secured).unwrap();
    // The Body's EncryptedData comes after the EncryptedKey: change its last cipher block.
    let start = text.rfind("CipherValue>").unwrap();
    let end = text[..start].rfind('<').unwrap();
    let content = text[..end].trim_end_matches('=');
    let at = content.len() - 3;
    let replacement = if &text[at..=at] == "A" { "B" } else { "A" };
    text.replace_range(at..=at, replacement);
    let out = open(&[], Some(text.as_bytes()));
    assert_refused(&out, "DECRYPTION_FAILED");
}

#[test]
fn a_message_signed_by_another_party_is_refused() {
    // Signed by a client certificate with the same name from another CA.
    let impostor = write_pki(tempfile::tempdir().unwrap());
    let (cert, key) = (path(impostor.path(), "client.pem"), path(impostor.path(), "client.key.pem"));
    let args = with_credentials("secure", &cert, &key, &path(pki(), "service.pem"));
    let (secured, _) = ok(run_strings(&args, Some(REQUEST.as_bytes())));
    assert_refused(&open(&[], Some(&secured)), "SIGNER_UNTRUSTED");

    // The service pins another peer than the client that signed.
    let (secured, _) = ok(secure(&[], Some(REQUEST.as_bytes())));
    let out = run_strings(&party("open", pki(), "service", "service"), Some(&secured));
    assert_refused(&out, "SIGNER_UNTRUSTED");
}

#[test]
fn malformed_input_is_refused() {
    assert_refused(&open(&[], Some(b"this is not XML")), "XML_MALFORMED");
    assert_refused(&secure(&[], Some(b"<Envelope><Body>")), "XML_MALFORMED");
    assert_refused(&open(&[], Some(REQUEST.as_bytes())), "SECURITY_HEADER_MISSING");
    assert_refused(&open(&[], Some(b"")), "XML_MALFORMED");
}

#[test]
fn what_cannot_run_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = path(dir.path(), "missing.key.pem");
    let args = with_credentials("secure", &path(pki(), "client.pem"), &missing, &path(pki(), "service.pem"));
    assert_unusable(&run_strings(&args, Some(REQUEST.as_bytes())), &missing);

    assert_unusable(&secure(&["--suite", "Basic512"], Some(REQUEST.as_bytes())), "Basic512");
    assert_unusable(&secure(&["--order", "SignOnly"], Some(REQUEST.as_bytes())), "SignOnly");
    assert_unusable(&secure(&["--encrypt-header", "Action"], Some(REQUEST.as_bytes())), "Action");
    assert_unusable(&secure(&["--no-encrypt", "--encrypt-header", ACTION], None), "--encrypt-header");
    assert_unusable(&secure(&[&path(dir.path(), "absent.xml")], None), "absent.xml");
    assert_unusable(&secure(&["--suite", "Basic256Rsa15"], Some(REQUEST.as_bytes())), "CONFIG_INVALID");
    assert_unusable(&open(&["--report", "xml"], None), "xml");
    assert_unusable(&run(&["open"], Some(b""), None), "--cert");

    // Our certificate with the other party's key.
    let (cert, key) = (path(pki(), "service.pem"), path(pki(), "client.key.pem"));
    let args = with_credentials("open", &cert, &key, &path(pki(), "client.pem"));
    assert_unusable(&run_strings(&args, Some(b"")), "CREDENTIAL_INVALID");

    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[policy]\nsuit = \"Basic256\"\n").unwrap();
    let out = run(&["open", "--config", config.to_str().unwrap()], Some(b""), None);
    assert_unusable(&out, "CONFIG_INVALID");
    let out = run(&["secure", "--config", &path(dir.path(), "absent.toml")], Some(b""), None);
    assert_unusable(&out, "absent.toml");
}

#[test]
fn help_lists_the_flags() {
    let common = [
        "--config",
        "--cert",
        "--key",
        "--peer-cert",
        "--suite",
        "--order",
        "--no-encrypt",
        "--encrypt-header",
        "--sign-header",
        "--actor",
        "--allow-rsa15",
        "--allow-3des",
        "--output",
    ];
    let secure_only = ["--key-reference", "--signer-reference", "--reference-list", "--ttl"];
    let open_only = ["--skew", "--keep-security-header", "--no-replay-detection", "--report", "--report-file"];
    for (command, own, others) in [("secure", &secure_only[..], &open_only[..]), ("open", &open_only, &secure_only)] {
        let out = run(&[command, "--help"], None, None);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        let help = String::from_utf8(out.stdout).unwrap();
        for flag in common.iter().chain(own) {
            assert!(help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")), "{command}: {flag}");
        }
        for flag in others {
            assert!(!help.contains(&format!("{flag} ")), "{command} lists {flag}");
        }
    }
}
