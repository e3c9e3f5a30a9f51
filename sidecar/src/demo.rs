//! `wsseal demo`: the end-to-end demonstration through two sidecars. A development PKI; two
//! `wsseal serve` processes, one for the client application and one for the service, as in two
//! Kubernetes pods; the WCF Calculator sample's request secured by the client's sidecar (WSS 1.0
//! mutual certificates: signed, Body encrypted for the service), opened by the service's sidecar,
//! answered, and the answer opened by the client's; then a tampered request refused. Every
//! message is written to the demo directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wsseal_core::{Error, ErrorCode};
use wsseal_sidecar::client::{Client, ClientError};
use wsseal_sidecar::protocol::ItemResult;

use crate::serve_cmd::Role;
use crate::{Failure, dev_pki};

/// Arguments of `wsseal demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Keep the development PKI and the messages in this directory instead of a temporary one.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// The request of the WCF "Message Security Mutual Certificates" Calculator sample, before
/// security is applied: SOAP 1.2, WS-Addressing 1.0, Ids in WCF's style.
const CALCULATOR_REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><s:Header><a:Action s:mustUnderstand="1" u:Id="_5">http://Microsoft.ServiceModel.Samples/ICalculator/Add</a:Action><a:MessageID u:Id="_6">urn:uuid:6a5b9e8f-1d3c-4c1e-9d8f-2b7e4f0c5a11</a:MessageID><a:ReplyTo u:Id="_7"><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="1" u:Id="_8">http://localhost/Calculator</a:To></s:Header><s:Body u:Id="_3"><Add xmlns="http://Microsoft.ServiceModel.Samples"><n1>100</n1><n2>15.99</n2></Add></s:Body></s:Envelope>"#;

/// The service's answer.
const CALCULATOR_RESPONSE: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://Microsoft.ServiceModel.Samples/ICalculator/AddResponse</a:Action><a:RelatesTo>urn:uuid:6a5b9e8f-1d3c-4c1e-9d8f-2b7e4f0c5a11</a:RelatesTo></s:Header><s:Body><AddResponse xmlns="http://Microsoft.ServiceModel.Samples"><AddResult>115.99</AddResult></AddResponse></s:Body></s:Envelope>"#;

/// How long a sidecar may take to start or stop.
const DEADLINE: Duration = Duration::from_secs(60);

/// Runs the demonstration.
pub fn run(args: &Args) -> Result<(), Failure> {
    let temporary;
    let dir: &Path = match &args.keep {
        Some(dir) => dir,
        None => {
            temporary = tempfile::tempdir().map_err(|e| Failure::io("creating a temporary directory", e))?;
            temporary.path()
        }
    };
    println!("wsseal demo: a client calls the Calculator service with WS-Security (WSS 1.0, mutual certificates)");
    println!("through two wsseal sidecars, one beside each application\n");
    println!("1. A development PKI (NOT FOR PRODUCTION)");
    dev_pki::run(&dev_pki::Args { dir: dir.to_path_buf(), force: args.keep.is_some() })?;
    let dir = std::path::absolute(dir).map_err(|e| Failure::io(dir.display(), e))?;

    println!("\n2. Two sidecars (wsseal serve), each on its own Unix socket:");
    let mut client_side = Sidecar::start(&dir, Role::Client)?;
    let mut service_side = Sidecar::start(&dir, Role::Service)?;
    println!("   the client's:  {} (Cohowinery.com)", client_side.socket.display());
    println!("   the service's: {} (Contoso.com)", service_side.socket.display());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::io("tokio runtime", e))?;
    let result = runtime.block_on(exchange(&dir, &client_side.socket, &service_side.socket));
    println!("\n   Trust: each sidecar chain-validates the other side to the development CA (ChainTrust), and");
    println!("   the client's sidecar checked that the service certificate proves the identity dns contoso.com.");
    println!("\n6. The sidecars stop on SIGTERM after answering everything in flight.");
    client_side.stop()?;
    service_side.stop()?;
    result?;
    Ok(())
}

/// The exchange, as the two applications see it: each talks only to its own sidecar.
async fn exchange(dir: &Path, client_socket: &Path, service_socket: &Path) -> Result<(), Failure> {
    let client = Client::connect_unix(client_socket).await.map_err(unreachable)?;
    let service = Client::connect_unix(service_socket).await.map_err(unreachable)?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Failure::io(path.display(), e)).map(|()| path)
    };

    let path = write("request.xml", CALCULATOR_REQUEST.as_bytes())?;
    println!("\n3. The client's request: {} ({} bytes)", path.display(), CALCULATOR_REQUEST.len());
    let started = Instant::now();
    let request = succeeded(client.secure_request(CALCULATOR_REQUEST.as_bytes()).await)?;
    let took = started.elapsed();
    let path = write("request.secured.xml", &request.envelope)?;
    println!("   its sidecar secured it in {took:?}: signed by the client, Body encrypted for the service (Basic256)");
    println!(
        "   {} ({} bytes), and an exchange token ({} bytes)",
        path.display(),
        request.envelope.len(),
        request.token.len()
    );

    let started = Instant::now();
    let opened = succeeded(service.open_request(&request.envelope).await)?;
    let took = started.elapsed();
    let path = write("request.opened.xml", &opened.envelope)?;
    println!("\n4. The service's sidecar opened it in {took:?}: {}", path.display());
    print_report(&opened.detail);

    let response = succeeded(service.secure_response(CALCULATOR_RESPONSE.as_bytes(), &opened.token).await)?;
    let path = write("response.secured.xml", &response.envelope)?;
    println!("\n5. The service's answer, secured for the client by its sidecar: {}", path.display());
    let answer = succeeded(client.open_response(&response.envelope, &request.token).await)?;
    let path = write("response.opened.xml", &answer.envelope)?;
    println!("   the client's sidecar opened it: {}", path.display());
    print_report(&answer.detail);

    let mut tampered = request.envelope.clone();
    let text = String::from_utf8_lossy(&tampered).into_owned();
    if let Some(at) = text.rfind("</xenc:CipherValue>") {
        tampered[at - 10] = if tampered[at - 10] == b'A' { b'B' } else { b'A' };
    }
    println!("\n   The same request with one ciphertext character changed:");
    let refused = service.open_request(&tampered).await.map_err(unreachable)?;
    match refused.error_code() {
        _ if refused.is_ok() => return Err(Failure::usage("the tampered request was accepted")),
        Some(code) => {
            let fault = Error::new(code, "").wire_fault();
            println!("   refused locally: {code}: {}", String::from_utf8_lossy(&refused.detail));
            println!("   fault for the peer: {} \"{}\"", fault.subcode, fault.reason);
        }
        None => println!("   refused locally: code {}", refused.code),
    }
    Ok(())
}

fn unreachable(error: ClientError) -> Failure {
    Failure::usage(format!("sidecar: {error}"))
}

/// The item's result, or its refusal as the command's failure.
fn succeeded(result: Result<ItemResult, ClientError>) -> Result<ItemResult, Failure> {
    let item = result.map_err(unreachable)?;
    match item.error_code() {
        _ if item.is_ok() => Ok(item),
        Some(code) => Err(Failure::refused(code, String::from_utf8_lossy(&item.detail))),
        None => Err(Failure::refused(ErrorCode::SidecarInternal, format!("unknown code {}", item.code))),
    }
}

/// Prints the sidecar's report (JSON): who signed, what was signed and encrypted.
fn print_report(json: &[u8]) {
    let report: serde_json::Value = serde_json::from_slice(json).unwrap_or_default();
    let list = |key: &str| {
        let items = report[key].as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>());
        items.unwrap_or_default().join(", ")
    };
    if let (Some(subject), Some(thumbprint)) =
        (report["signer"]["subject"].as_str(), report["signer"]["thumbprint_sha1"].as_str())
    {
        println!("   signer:    {subject} (SHA-1 {thumbprint})");
    }
    println!("   signed:    {}", list("signed"));
    println!("   encrypted: {}", list("encrypted"));
}

/// A `wsseal serve` child process of the demo.
struct Sidecar {
    child: Child,
    socket: PathBuf,
}

impl Sidecar {
    /// Starts the sidecar of `role` on the development PKI in `dir`, and waits for its ready line.
    fn start(dir: &Path, role: Role) -> Result<Sidecar, Failure> {
        let name = role.stems().0;
        let socket = dir.join(format!("{name}.sock"));
        let log = dir.join(format!("{name}-sidecar.log"));
        let log_file = std::fs::File::create(&log).map_err(|e| Failure::io(log.display(), e))?;
        let program = std::env::current_exe().map_err(|e| Failure::io("the wsseal executable", e))?;
        let mut child = Command::new(program)
            .args(["serve", "--role", name, "--http", ""])
            .arg("--dev-pki")
            .arg(dir)
            .arg("--socket")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| Failure::io("starting wsseal serve", e))?;
        let (lines, ready) = std::sync::mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if line.starts_with("wsseal serve: ready") {
                        let _ = lines.send(());
                    }
                }
            });
        }
        let sidecar = Sidecar { child, socket };
        match ready.recv_timeout(DEADLINE) {
            Ok(()) => Ok(sidecar),
            Err(_) => Err(Failure::usage(format!("the {name} sidecar did not start; see {}", log.display()))),
        }
    }

    /// SIGTERM, then waits for the process to exit.
    fn stop(&mut self) -> Result<(), Failure> {
        // SAFETY: kill(2) on our own child, not yet waited for.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let started = Instant::now();
        while started.elapsed() < DEADLINE {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(Failure::usage(format!("a sidecar exited with {status}"))),
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(Failure::io("waiting for a sidecar", e)),
            }
        }
        Err(Failure::usage("a sidecar did not stop"))
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
