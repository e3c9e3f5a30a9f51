//! The C and C++ examples, built the way a host builds them: libwsseal installed into a prefix by
//! `scripts/install-lib`, then compiled with the system gcc/g++ (-Wall -Wextra -Werror) through
//! pkg-config and through CMake's `find_package(wsseal)`, run as a client and a service exchanging
//! the Calculator messages, and run again under valgrind with zero errors and zero leaks. The C
//! misuse program runs against the shared and the static library.
//!
//! Needs gcc, g++, pkg-config, cmake and valgrind: `scripts/test` installs what is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::write_pki;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `command`, failing the test with its output unless it exits with `expected`.
fn run(command: &mut Command, expected: i32) -> Output {
    let shown = format!("{command:?}");
    let output = command.output().unwrap_or_else(|e| panic!("{shown}: {e} (scripts/test installs the tools)"));
    assert_eq!(
        output.status.code(),
        Some(expected),
        "{shown}\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The programs of one build.
struct Programs {
    client: PathBuf,
    service: PathBuf,
    misuse: PathBuf,
}

/// Compiles the examples and the misuse program with gcc/g++ and pkg-config (shared library).
fn build_with_pkg_config(prefix: &Path, out: &Path) -> Programs {
    let pkg_config = |args: &[&str]| {
        let output = run(Command::new("pkg-config").args(args).env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")), 0);
        text(&output.stdout).split_whitespace().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(pkg_config(&["--modversion", "wsseal"]), [env!("CARGO_PKG_VERSION")]);
    let flags = pkg_config(&["--cflags", "--libs", "wsseal"]);
    let compile = |compiler: &str, standard: &str, source: PathBuf, name: &str| {
        let binary = out.join(name);
        run(
            Command::new(compiler)
                .args([standard, "-Wall", "-Wextra", "-Werror", "-g", "-o"])
                .arg(&binary)
                .arg(source)
                .args(&flags),
            0,
        );
        binary
    };
    Programs {
        client: compile("gcc", "-std=c11", root().join("examples/c/client.c"), "client"),
        service: compile("g++", "-std=c++17", root().join("examples/cpp/service.cpp"), "service"),
        misuse: compile("gcc", "-std=c11", root().join("ffi/tests/c/misuse.c"), "misuse"),
    }
}

/// Configures and builds a CMake project that finds the installed package.
fn cmake(source: &Path, build: &Path, prefix: &Path) {
    run(
        Command::new("cmake")
            .arg("-S")
            .arg(source)
            .arg("-B")
            .arg(build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
            .args(["-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_C_COMPILER=gcc", "-DCMAKE_CXX_COMPILER=g++"]),
        0,
    );
    run(Command::new("cmake").arg("--build").arg(build), 0);
}

/// Builds the examples (shared library) and the misuse program (static library) with CMake.
fn build_with_cmake(prefix: &Path, out: &Path) -> Programs {
    cmake(&root().join("examples"), &out.join("examples"), prefix);
    cmake(&root().join("ffi/tests/c"), &out.join("misuse"), prefix);
    Programs {
        client: out.join("examples/calculator-client"),
        service: out.join("examples/calculator-service"),
        misuse: out.join("misuse/misuse"),
    }
}

/// Runs the programs, under valgrind when asked, in the PKI directory with the installed library.
struct Runner<'a> {
    pki: &'a Path,
    lib: PathBuf,
    valgrind: bool,
}

impl Runner<'_> {
    fn command(&self, program: &Path) -> Command {
        let mut command = if self.valgrind {
            let mut command = Command::new("valgrind");
            command.args([
                "-q",
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect",
            ]);
            command.arg(program);
            command
        } else {
            Command::new(program)
        };
        command.current_dir(self.pki).env("LD_LIBRARY_PATH", &self.lib);
        command
    }

    /// The Calculator exchange: the client secures the request, the service opens it, adds and
    /// secures its answer, the client opens the answer. Also a tampered request, refused.
    fn calculator(&self, programs: &Programs) {
        let messages = root().join("examples/messages");
        let secured_request = self.pki.join("request.secured.xml");
        let state = self.pki.join("request.state");
        let secured_response = self.pki.join("response.secured.xml");
        let out = run(
            self.command(&programs.client)
                .args(["request", "client.toml"])
                .arg(messages.join("add-request.xml"))
                .args([&secured_request, &state]),
            0,
        );
        assert!(text(&out.stdout).contains("client: request secured"), "{}", text(&out.stdout));
        assert!(text(&out.stderr).contains("engine created"), "the log callback: {}", text(&out.stderr));
        assert!(text(&std::fs::read(&secured_request).unwrap()).contains("xenc:EncryptedData"));

        let out = run(
            self.command(&programs.service)
                .arg("service.toml")
                .arg(&secured_request)
                .arg(messages.join("add-response.xml"))
                .arg(&secured_response),
            0,
        );
        let said = text(&out.stdout);
        for expected in [
            "request signed by CN=Cohowinery.com",
            "signed parts: Body, Timestamp",
            "encrypted parts: Body",
            "\"message_id\":\"urn:uuid:6a5b9e8f-1d3c-4c1e-9d8f-2b7e4f0c5a11\"",
            "Add = 115.99",
        ] {
            assert!(said.contains(expected), "the service should say {expected:?}:\n{said}");
        }

        let out =
            run(self.command(&programs.client).args(["response", "client.toml"]).args([&secured_response, &state]), 0);
        let said = text(&out.stdout);
        assert!(said.contains("response signed by CN=Contoso.com"), "{said}");
        assert!(said.contains("<AddResult>115.99</AddResult>"), "{said}");

        // One character of the ciphertext changed: the service refuses it with the one decryption code.
        let mut tampered = std::fs::read(&secured_request).unwrap();
        let at = text(&tampered).rfind("</xenc:CipherValue>").unwrap() - 10;
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        let tampered_path = self.pki.join("request.tampered.xml");
        std::fs::write(&tampered_path, tampered).unwrap();
        let out = run(
            self.command(&programs.service)
                .arg("service.toml")
                .arg(&tampered_path)
                .arg(messages.join("add-response.xml"))
                .arg(self.pki.join("never.xml")),
            1,
        );
        assert!(text(&out.stderr).contains("refused: DECRYPTION_FAILED"), "{}", text(&out.stderr));
    }

    fn misuse(&self, programs: &Programs) {
        let out = run(
            self.command(&programs.misuse)
                .args(["client.toml", "service.toml"])
                .arg(root().join("examples/messages/add-request.xml")),
            0,
        );
        assert!(text(&out.stdout).contains(", 0 failed"), "{}", text(&out.stdout));
    }
}

#[test]
fn c_and_cpp_hosts_exchange_the_calculator_messages_through_the_installed_library() {
    let work = tempfile::Builder::new().prefix("wsseal-examples-").tempdir().unwrap();
    let prefix = work.path().join("prefix");
    run(Command::new(root().join("scripts/install-lib")).arg(&prefix), 0);
    for installed in
        ["include/wsseal.h", "include/wsseal.hpp", "lib/libwsseal.a", "lib/cmake/wsseal/wsseal-config.cmake"]
    {
        assert!(prefix.join(installed).exists(), "install-lib installs {installed}");
    }
    let pki = work.path().join("pki");
    std::fs::create_dir(&pki).unwrap();
    write_pki(&pki);

    let by_pkg_config = work.path().join("pkg-config");
    std::fs::create_dir(&by_pkg_config).unwrap();
    let by_pkg_config = build_with_pkg_config(&prefix, &by_pkg_config);
    let by_cmake = build_with_cmake(&prefix, &work.path().join("cmake"));

    let plain = Runner { pki: &pki, lib: prefix.join("lib"), valgrind: false };
    plain.calculator(&by_pkg_config);
    plain.calculator(&by_cmake);
    plain.misuse(&by_pkg_config);

    let checked = Runner { valgrind: true, ..plain };
    checked.calculator(&by_cmake);
    checked.misuse(&by_cmake);
}
