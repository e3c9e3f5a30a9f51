//! `wsseal demo` runs on a fresh machine, and the digests it prints agree with an independent
//! canonicalizer (the reference c14n.py on lxml/libxml2) and SHA-256 from Python's hashlib.

use std::path::PathBuf;
use std::process::Command;

fn peers() -> PathBuf {
    std::env::var_os("WSSEAL_PEERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/peers"))
}

fn python() -> PathBuf {
    std::env::var_os("WSSEAL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"))
}

#[test]
fn demo_prints_digests_that_an_independent_canonicalizer_reproduces() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wsseal")).arg("demo").arg("--keep").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "demo failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("NOT FOR PRODUCTION"));
    assert!(dir.path().join("service.p12").exists() && dir.path().join("request.xml").exists());

    let digest_lines: Vec<(&str, &str)> = stdout
        .lines()
        .filter_map(|line| line.trim().strip_prefix('#'))
        .map(|rest| {
            let fields: Vec<&str> = rest.split_whitespace().collect();
            (fields[0], fields[2])
        })
        .collect();
    assert_eq!(digest_lines.len(), 6, "{stdout}");

    let python = python();
    assert!(python.exists(), "{} is missing: run ./scripts/test, which installs the peers", python.display());
    let script = "import base64, hashlib, subprocess, sys\n\
                  out = subprocess.run([sys.executable, sys.argv[1], '--exclusive', '--id', sys.argv[2], sys.argv[3]], check=True, capture_output=True).stdout\n\
                  print(base64.b64encode(hashlib.sha256(out).digest()).decode())";
    for (id, ours) in digest_lines {
        let reference = Command::new(&python)
            .args(["-c", script])
            .arg(peers().join("c14n.py"))
            .arg(id)
            .arg(dir.path().join("request.xml"))
            .output()
            .unwrap();
        assert!(reference.status.success(), "reference failed: {}", String::from_utf8_lossy(&reference.stderr));
        assert_eq!(String::from_utf8_lossy(&reference.stdout).trim(), ours, "digest of #{id}");
    }
}
