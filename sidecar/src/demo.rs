//! `wsseal demo`: the end-to-end demonstration, in process. A development PKI; the WCF Calculator
//! sample's request secured by the client (WSS 1.0 mutual certificates: signed, Body encrypted for
//! the service), opened by the service, answered, and the answer opened by the client; then a
//! tampered request refused. Every message is written to the demo directory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use wsseal_core::Error;
use wsseal_core::config::Config;
use wsseal_core::wss::{Engine, Opened};

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
    println!("wsseal demo: a client calls the Calculator service with WS-Security (WSS 1.0, mutual certificates)\n");
    println!("1. A development PKI (NOT FOR PRODUCTION)");
    dev_pki::run(&dev_pki::Args { dir: dir.to_path_buf(), force: args.keep.is_some() })?;
    let client = engine(dir, "client")?;
    let service = engine(dir, "service")?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| Failure::io(path.display(), e)).map(|()| path)
    };

    let path = write("request.xml", CALCULATOR_REQUEST.as_bytes())?;
    println!("\n2. The client's request: {} ({} bytes)", path.display(), CALCULATOR_REQUEST.len());
    let started = Instant::now();
    let request = client.secure(CALCULATOR_REQUEST.as_bytes(), None).map_err(|e| refused(&e))?;
    let took = started.elapsed();
    let path = write("request.secured.xml", &request.envelope)?;
    println!("   secured in {took:?}: signed by the client, Body encrypted for the service (Basic256)");
    println!("   {} ({} bytes)", path.display(), request.envelope.len());

    let started = Instant::now();
    let opened = service.open(&request.envelope, None).map_err(|e| refused(&e))?;
    let took = started.elapsed();
    let path = write("request.opened.xml", &opened.envelope)?;
    println!("\n3. The service opened it in {took:?}: {}", path.display());
    print_report(&opened);

    let response = service.secure(CALCULATOR_RESPONSE.as_bytes(), Some(&opened.exchange)).map_err(|e| refused(&e))?;
    let path = write("response.secured.xml", &response.envelope)?;
    println!("\n4. The service's answer, secured for the client: {}", path.display());
    let answer = client.open(&response.envelope, Some(&request.exchange)).map_err(|e| refused(&e))?;
    let path = write("response.opened.xml", &answer.envelope)?;
    println!("   the client opened it: {}", path.display());
    print_report(&answer);

    let mut tampered = request.envelope.clone();
    let text = String::from_utf8_lossy(&tampered).into_owned();
    if let Some(at) = text.rfind("</xenc:CipherValue>") {
        tampered[at - 10] = if tampered[at - 10] == b'A' { b'B' } else { b'A' };
    }
    println!("\n5. The same request with one ciphertext character changed:");
    match service.open(&tampered, None) {
        Ok(_) => return Err(Failure::usage("the tampered request was accepted")),
        Err(error) => {
            let fault = error.wire_fault();
            println!("   refused locally: {} ({}): {}", error.code().name(), error.code().value(), error.message());
            println!("   fault for the peer: {} \"{}\"", fault.subcode, fault.reason);
        }
    }
    let stats = service.certificate_cache_stats();
    println!("\n6. Trust: ChainTrust to the development CA; the client checked the service identity dns contoso.com");
    println!("   the service's certificate cache: {} hits, {} misses", stats.hits, stats.misses);
    Ok(())
}

/// The engine of one party of the development PKI: `us` signs; certificates chaining to the
/// development CA are trusted (ChainTrust). The client encrypts for the service's certificate and
/// expects it to prove the identity `dns contoso.com`.
fn engine(dir: &Path, us: &str) -> Result<Engine, Failure> {
    let mut config = Config { base: dir.to_path_buf(), ..Config::default() };
    config.credentials.certificate = Some(format!("{us}.pem").into());
    config.credentials.private_key = Some(format!("{us}.key.pem").into());
    config.trust.anchors = Some(vec!["ca.pem".into()]);
    if us == "client" {
        config.peer.certificate = Some("service.pem".into());
        config.identity.dns = Some("contoso.com".into());
    }
    config.engine().map_err(|e| refused(&e))
}

fn refused(error: &Error) -> Failure {
    Failure::refused(error.code(), error.message())
}

fn print_report(opened: &Opened) {
    let report = &opened.report;
    if let Some(signer) = &report.signer {
        println!("   signer:    {} (SHA-1 {})", signer.subject, signer.thumbprint_sha1);
    }
    println!("   signed:    {}", report.signed.join(", "));
    println!("   encrypted: {}", report.encrypted.join(", "));
}
