//! Real `wsseal serve` processes for the tests: a shared development PKI, a configuration per
//! process in its own temporary directory, readiness from the process's "ready" line (never a
//! fixed sleep), and SIGTERM or SIGKILL at the end.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long a process may take to become ready or to exit, on a loaded machine.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// A SOAP 1.2 request like WCF's Calculator sample.
pub const REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://Microsoft.ServiceModel.Samples/ICalculator/Add</a:Action><a:MessageID>urn:uuid:MSGID</a:MessageID><a:To s:mustUnderstand="1">http://localhost/Calculator</a:To></s:Header><s:Body><Add xmlns="http://Microsoft.ServiceModel.Samples"><n1>100</n1><n2>15.99</n2></Add></s:Body></s:Envelope>"#;

/// The answer to [`REQUEST`].
pub const RESPONSE: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://Microsoft.ServiceModel.Samples/ICalculator/AddResponse</a:Action><a:RelatesTo>urn:uuid:MSGID</a:RelatesTo></s:Header><s:Body><AddResponse xmlns="http://Microsoft.ServiceModel.Samples"><AddResult>115.99</AddResult></AddResponse></s:Body></s:Envelope>"#;

/// A request with its own message id.
pub fn request(id: usize) -> Vec<u8> {
    REQUEST.replace("MSGID", &format!("00000000-0000-0000-0000-{id:012}")).into_bytes()
}

/// The response to [`request`]`(id)`.
pub fn response(id: usize) -> Vec<u8> {
    RESPONSE.replace("MSGID", &format!("00000000-0000-0000-0000-{id:012}")).into_bytes()
}

/// The development PKI shared by the tests of one binary.
pub fn pki() -> &'static Path {
    static PKI: OnceLock<TempDir> = OnceLock::new();
    PKI.get_or_init(dev_pki).path()
}

/// A second development PKI, of another CA: other certificates with the same names.
pub fn other_pki() -> &'static Path {
    static PKI: OnceLock<TempDir> = OnceLock::new();
    PKI.get_or_init(dev_pki).path()
}

fn dev_pki() -> TempDir {
    let dir = tempfile::Builder::new().prefix("serve-pki-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wsseal")).arg("dev-pki").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "dev-pki: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// The certificate and key of `stem` in a PKI, for QUIC.
pub fn identity(pki: &Path, stem: &str) -> wsseal_sidecar::tls::Identity {
    let (certificate, key) = (pki.join(format!("{stem}.pem")), pki.join(format!("{stem}.key.pem")));
    wsseal_sidecar::tls::Identity::from_pem_files(&certificate, &key).unwrap()
}

/// A `[quic]` section on a port of the system's choice: our certificate and key, then `extra`
/// keys (the client allow-list).
pub fn quic_section(certificate: &Path, key: &Path, extra: &str) -> String {
    format!(
        "[quic]\nlisten = \"127.0.0.1:0\"\ncertificate = \"{}\"\nprivate_key = \"{}\"\n{extra}\n",
        certificate.display(),
        key.display()
    )
}

/// Replaces a file by a new one (a new inode), as a secret rotation does.
pub fn replace(path: &Path, contents: &[u8]) {
    let temporary = path.with_extension("rotating");
    std::fs::write(&temporary, contents).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

/// A running `wsseal serve`.
pub struct Sidecar {
    child: Child,
    /// Its directory: configuration, socket, log.
    pub dir: TempDir,
    /// The Unix socket.
    pub socket: PathBuf,
    /// The HTTP address.
    pub http: SocketAddr,
    /// The QUIC address, if on.
    pub quic: Option<SocketAddr>,
}

impl Sidecar {
    /// Starts a sidecar with our credentials `us` and peer `them` (stems of the PKI's files), and
    /// `extra` TOML appended to its configuration.
    pub fn start(us: &str, them: &str, extra: &str) -> Sidecar {
        let dir = tempfile::Builder::new().prefix("serve-").tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let pki = pki();
        for name in [format!("{us}.pem"), format!("{us}.key.pem"), format!("{them}.pem")] {
            std::fs::copy(pki.join(&name), dir.path().join(&name)).unwrap();
        }
        let config = format!(
            "[engine.credentials]\ncertificate = \"{us}.pem\"\nprivate_key = \"{us}.key.pem\"\n\
             [engine.peer]\ncertificate = \"{them}.pem\"\n{extra}"
        );
        std::fs::write(dir.path().join("serve.toml"), config).unwrap();
        Self::spawn(dir)
    }

    /// Starts a sidecar that is its own peer (the service's credentials both ways): it can open
    /// what it secures, so one process runs whole exchanges.
    pub fn loopback(extra: &str) -> Sidecar {
        Self::start("service", "service", extra)
    }

    fn spawn(dir: TempDir) -> Sidecar {
        let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_wsseal"))
            .arg("serve")
            .arg("--config")
            .arg(dir.path().join("serve.toml"))
            .arg("--socket")
            .arg(dir.path().join("s.sock"))
            .args(["--http", "127.0.0.1:0"])
            .env("WSSEAL__RELOAD__POLL_MILLIS", "100")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, ready) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let started = Instant::now();
        let line = loop {
            match ready.recv_timeout(DEADLINE.saturating_sub(started.elapsed())) {
                Ok(line) if line.starts_with("wsseal serve: ready ") => break line,
                Ok(_) => continue,
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "the sidecar did not become ready: {}",
                        std::fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default()
                    );
                }
            }
        };
        let field = |name: &str| {
            line.split(' ').find_map(|part| part.strip_prefix(&format!("{name}="))).map(str::to_owned).unwrap()
        };
        Sidecar {
            child,
            socket: PathBuf::from(field("unix")),
            http: field("http").parse().unwrap(),
            quic: field("quic").parse().ok(),
            dir,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal to the process.
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on our own child's pid, which we have not yet waited for.
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, signal) }, 0);
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the process to exit, within the deadline.
    pub fn wait(&mut self) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < DEADLINE, "the sidecar did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    /// GETs a path of the HTTP port: the status code and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(self.http).unwrap();
        stream.set_read_timeout(Some(DEADLINE)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let status = text.split(' ').nth(1).unwrap().parse().unwrap();
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }

    /// Waits until a metric reaches `at_least`.
    pub fn wait_for_metric(&self, series: &str, at_least: f64) {
        let started = Instant::now();
        while self.metric(series) < at_least {
            assert!(started.elapsed() < DEADLINE, "{series} stayed below {at_least}: {}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `/readyz` answers 503: the process drains.
    pub fn wait_until_draining(&self) {
        let started = Instant::now();
        while self.get("/readyz").0 != 503 {
            assert!(started.elapsed() < DEADLINE, "the sidecar never drained: {}", self.log());
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The value of a metric line (exact name with labels) in /metrics.
    pub fn metric(&self, series: &str) -> f64 {
        let (_, body) = self.get("/metrics");
        body.lines()
            .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
            .map_or(0.0, |value| value.parse().unwrap())
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
