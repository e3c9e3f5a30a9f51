//! `wsseal c14n` against the reference CLI (WSSEAL_PEERS/c14n.py) on corpus files and refusals.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const HINT: &str =
    "run ./scripts/test once: it installs Python + lxml into .venv and exports WSSEAL_PYTHON / WSSEAL_PEERS";

const CASES: &[(&str, &[&str])] = &[
    ("40-soap11-wss.xml", &[]),
    ("40-soap11-wss.xml", &["--id", "Body-1"]),
    ("40-soap11-wss.xml", &["--exclusive", "--id", "TS-1", "--prefixes", "wsse soap"]),
    ("40-soap11-wss.xml", &["--inclusive", "--id", "Body-1"]),
    ("40-soap11-wss.xml", &["--inclusive", "--comments"]),
    ("41-soap12-wss.xml", &["--id", "Body-2", "--prefixes", "env"]),
    ("41-soap12-wss.xml", &["--inclusive", "--comments", "--id", "TS-2"]),
    ("07-default-ns-undecl-apex.xml", &["--id", "u1"]),
    ("07-default-ns-undecl-apex.xml", &["--inclusive", "--id", "u1"]),
    ("14-attr-order-by-uri.xml", &["--inclusive"]),
    ("14-attr-order-by-uri.xml", &["--id", "ao1"]),
    ("17-xml-attrs-ancestors.xml", &["--inclusive", "--id", "x1"]),
    ("17-xml-attrs-ancestors.xml", &["--exclusive", "--id", "x1"]),
    ("20-cdata.xml", &["--exclusive", "--id", "c1"]),
    ("29-prolog-epilog.xml", &["--comments"]),
    ("29-prolog-epilog.xml", &["--inclusive"]),
    ("31-comments-inside.xml", &["--comments", "--id", "co1"]),
    ("31-comments-inside.xml", &["--inclusive", "--comments", "--id", "co1"]),
    ("32-crlf-line-ends.xml", &["--exclusive", "--comments"]),
    ("36-non-ascii-names.xml", &["--id", "nn2"]),
    ("36-non-ascii-names.xml", &["--inclusive", "--id", "nn2"]),
    ("39-inclusive-ns-default.xml", &["--id", "in2", "--prefixes", "#default q"]),
    ("39-inclusive-ns-default.xml", &["--inclusive", "--id", "in3"]),
    ("70-wcf-style.xml", &["--id", "_1"]),
    ("70-wcf-style.xml", &["--id", "_0", "--prefixes", "s a"]),
];

fn reference() -> (PathBuf, PathBuf) {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let python =
        std::env::var_os("WSSEAL_PYTHON").map(PathBuf::from).unwrap_or_else(|| workspace.join(".venv/bin/python"));
    let peers =
        std::env::var_os("WSSEAL_PEERS").map(PathBuf::from).unwrap_or_else(|| workspace.join("../shared/peers"));
    assert!(python.exists(), "reference Python {} not found: {HINT}", python.display());
    let script = peers.join("c14n.py");
    assert!(script.exists(), "reference {} not found: {HINT}", script.display());
    (python, script)
}

fn ours(args: &[&str], file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsseal")).arg("c14n").args(args).arg(file).output().unwrap()
}

fn theirs(args: &[&str], file: &Path) -> Output {
    let (python, script) = reference();
    Command::new(&python)
        .arg(&script)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {HINT}", python.display()))
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}, stdout {}, stderr {}",
        o.status.code(),
        o.stdout.escape_ascii(),
        String::from_utf8_lossy(&o.stderr).trim()
    )
}

#[test]
fn cli_output_matches_reference() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/c14n_corpus");
    let mut failures = Vec::new();
    for (name, args) in CASES {
        let file = corpus.join(name);
        assert!(file.exists(), "missing corpus file {}", file.display());
        let (a, b) = (theirs(args, &file), ours(args, &file));
        assert_eq!(a.status.code(), Some(0), "reference failed on {name} {args:?}: {}\n{HINT}", show(&a));
        if b.status.code() != Some(0) || a.stdout != b.stdout {
            failures.push(format!("{name} {args:?}\n  reference: {}\n  ours     : {}", show(&a), show(&b)));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn cli_refuses_what_reference_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        ("doctype.xml", "<!DOCTYPE r [<!ENTITY e \"x\">]>\n<r Id=\"a\">&e;</r>\n"),
        ("malformed.xml", "<r Id=\"a\"><s></r>\n"),
    ];
    for (name, text) in docs {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        for args in [&[][..], &["--inclusive"], &["--id", "a"]] {
            let (a, b) = (theirs(args, &file), ours(args, &file));
            assert_eq!(a.status.code(), Some(2), "reference on {name} {args:?}: {}", show(&a));
            assert_eq!(b.status.code(), Some(1), "ours on {name} {args:?}: {}", show(&b));
            assert!(b.stdout.is_empty(), "ours printed output for {name} {args:?}: {}", show(&b));
            assert!(!b.stderr.is_empty(), "ours gave no message for {name} {args:?}");
        }
    }
}
