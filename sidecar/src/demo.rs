//! `wsseal demo`: the end-to-end demonstration. Today it covers what the engine has: a
//! development PKI, the WCF Calculator sample's request indexed once, and the digests a signature
//! over its parts will carry. Signing, encryption and the sidecar exchange join as they land.

use std::path::{Path, PathBuf};
use std::time::Instant;

use aws_lc_rs::digest::{Context, SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use wsseal_core::c14n::{self, C14nOptions, Subset};
use wsseal_core::soap::{Envelope, SoapVersion};
use wsseal_core::xml::{Document, Limits};

use crate::{Failure, dev_pki};

/// Arguments of `wsseal demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Keep the development PKI and the request in this directory instead of a temporary one.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// The request of the WCF "Message Security Mutual Certificates" Calculator sample, before
/// security is applied: SOAP 1.2, WS-Addressing 1.0, a Timestamp, Ids in WCF's style.
const CALCULATOR_REQUEST: &str = r#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><s:Header><a:Action s:mustUnderstand="1" u:Id="_5">http://Microsoft.ServiceModel.Samples/ICalculator/Add</a:Action><a:MessageID u:Id="_6">urn:uuid:6a5b9e8f-1d3c-4c1e-9d8f-2b7e4f0c5a11</a:MessageID><a:ReplyTo u:Id="_7"><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="1" u:Id="_8">http://localhost/Calculator</a:To><o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><u:Timestamp u:Id="_0"><u:Created>2026-11-20T10:00:00.000Z</u:Created><u:Expires>2026-11-20T10:05:00.000Z</u:Expires></u:Timestamp></o:Security></s:Header><s:Body u:Id="_3"><Add xmlns="http://Microsoft.ServiceModel.Samples"><n1>100</n1><n2>15.99</n2></Add></s:Body></s:Envelope>"#;

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
    println!("wsseal demo: a client's request on its way to the Calculator service\n");
    println!("1. A development PKI (NOT FOR PRODUCTION)");
    dev_pki::run(&dev_pki::Args { dir: dir.to_path_buf(), force: args.keep.is_some() })?;

    let request_path = dir.join("request.xml");
    std::fs::write(&request_path, CALCULATOR_REQUEST).map_err(|e| Failure::io(request_path.display(), e))?;
    println!(
        "\n2. The request of the WCF Calculator sample: {} ({} bytes)",
        request_path.display(),
        CALCULATOR_REQUEST.len()
    );

    let started = Instant::now();
    let doc = Document::parse(CALCULATOR_REQUEST.as_bytes(), &Limits::default())
        .map_err(|e| Failure::refused(e.code(), e))?;
    let envelope = Envelope::locate(&doc).map_err(|e| Failure::refused(e.code(), e))?;
    let indexed = started.elapsed();
    let version = match envelope.version {
        SoapVersion::Soap11 => "SOAP 1.1",
        SoapVersion::Soap12 => "SOAP 1.2",
    };
    println!("\n3. Indexed once in {indexed:?}: {version}, {} elements", doc.element_count());
    let blocks: Vec<&str> =
        envelope.header.iter().flat_map(|h| doc.element(*h).children()).map(|b| b.qname()).collect();
    println!("   header blocks: {}", blocks.join(", "));
    let security = envelope.security_header(&doc, None).map_err(|e| Failure::refused(e.code(), e))?;
    println!("   Security header for the ultimate receiver: {}", if security.is_some() { "present" } else { "absent" });

    println!("\n4. Digests a signature over these parts carries (exclusive C14N, SHA-256, base64):");
    let options = C14nOptions::default();
    for id in ["_3", "_5", "_6", "_7", "_8", "_0"] {
        let element = doc.element_by_id(id).ok_or_else(|| Failure::usage(format!("the sample lost its Id {id}")))?;
        let mut hasher = Context::new(&SHA256);
        c14n::canonicalize(&doc, Subset::Element(element), &options, &mut hasher)
            .map_err(|e| Failure::refused(e.code(), e))?;
        println!("   #{id:<3} {:<12} {}", doc.element(element).qname(), BASE64.encode(hasher.finish()));
    }
    let body = c14n::canonicalize_to_vec(&doc, Subset::Element(envelope.body), &options)
        .map_err(|e| Failure::refused(e.code(), e))?;
    println!("\n5. The canonical Body, as the digest saw it:\n   {}", String::from_utf8_lossy(&body));
    println!("\nNext in wsseal: signing and encryption (WSS 1.0), the WCF wsHttpBinding profile, the sidecar.");
    Ok(())
}
