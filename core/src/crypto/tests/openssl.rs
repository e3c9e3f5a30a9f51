//! Running the `openssl` command line in a scratch directory, for cross-checks against an independent
//! implementation.

use std::path::PathBuf;
use std::process::Command;

use tempfile::TempDir;

/// A temporary directory for the files `openssl` reads and writes.
pub(super) struct Scratch(TempDir);

impl Scratch {
    /// A fresh, empty directory.
    pub(super) fn new() -> Self {
        Self(tempfile::tempdir().expect("temporary directory"))
    }

    /// The path of `name` in the directory.
    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }

    /// Writes `bytes` to `name` and returns its path as a string for the command line.
    pub(super) fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write scratch file");
        path.to_str().expect("utf-8 path").to_owned()
    }

    /// The path of `name` as a string for the command line, for an output file.
    pub(super) fn out(&self, name: &str) -> String {
        self.path(name).to_str().expect("utf-8 path").to_owned()
    }

    /// The contents of `name`.
    pub(super) fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("read scratch file")
    }
}

/// Runs `openssl` with `args`, asserts it succeeded, and returns its standard output.
pub(super) fn openssl(args: &[&str]) -> String {
    let output = Command::new("openssl").args(args).output().expect("the openssl command line is installed");
    assert!(output.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}
