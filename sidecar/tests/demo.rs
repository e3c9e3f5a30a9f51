//! `wsseal demo` runs on a fresh machine, through two real sidecar processes: the client's request is secured, opened by the service,
//! answered and the answer opened, and a tampered request is refused. The messages it writes are
//! checked here: the Body the service reads is the Body the client wrote, and the secured request's
//! Body content is encrypted.

use std::process::Command;

fn body(xml: &str) -> &str {
    let start = xml.find("<s:Body").unwrap();
    let start = start + xml[start..].find('>').unwrap() + 1;
    &xml[start..xml.find("</s:Body>").unwrap()]
}

#[test]
fn demo_runs_the_whole_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wsseal")).arg("demo").arg("--keep").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "demo failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("NOT FOR PRODUCTION"));
    assert!(stdout.contains("2. Two sidecars (wsseal serve)"), "{stdout}");
    assert!(stdout.contains("The sidecars stop on SIGTERM"), "{stdout}");
    assert!(stdout.contains("signer:    CN=Cohowinery.com"), "{stdout}");
    assert!(stdout.contains("signer:    CN=Contoso.com"), "{stdout}");
    assert!(stdout.contains("refused locally: DECRYPTION_FAILED"), "{stdout}");
    assert!(stdout.contains("fault for the peer: InvalidSecurity"), "{stdout}");

    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let (request, secured, opened) = (read("request.xml"), read("request.secured.xml"), read("request.opened.xml"));
    assert_eq!(body(&opened), body(&request));
    assert!(body(&secured).starts_with("<xenc:EncryptedData"), "{secured}");
    assert!(!secured.contains("<n1>100</n1>"));
    assert!(secured.contains("<ds:Signature") && secured.contains("<wsse:BinarySecurityToken"));
    assert!(read("response.opened.xml").contains("<AddResult>115.99</AddResult>"));
}
