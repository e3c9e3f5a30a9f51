//! `wsseal config import` as a real process: the seed's WCF client configuration becomes wsseal
//! TOML on standard output; a binding wsseal does not speak is refused with exit code 1.

use std::path::Path;
use std::process::Command;

fn seed(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/wcf_data").join(name)
}

#[test]
fn imports_the_seed_client_configuration() {
    let out = Command::new(env!("CARGO_BIN_EXE_wsseal"))
        .args(["config", "import", "--store-root", "store"])
        .arg(seed("client.config"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("find_value = \"Cohowinery.com\""), "{text}");
    assert!(text.contains("[store]\nroot = \"store\""), "{text}");
    assert!(text.contains("profile = \"wcf\""), "{text}");
}

#[test]
fn refuses_a_binding_it_does_not_speak() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(seed("client.config"))
        .unwrap()
        .replace("establishSecurityContext=\"false\"", "establishSecurityContext=\"true\"");
    let path = dir.path().join("app.config");
    std::fs::write(&path, config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wsseal")).args(["config", "import"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CONFIG_INVALID") && stderr.contains("establishSecurityContext"), "{stderr}");
    let missing = Command::new(env!("CARGO_BIN_EXE_wsseal")).args(["config", "import", "/nonexistent"]).output();
    assert_eq!(missing.unwrap().status.code(), Some(2));
}
