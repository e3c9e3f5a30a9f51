//! Shared inputs and reporting for the wsseal benchmarks: every figure is printed beside its
//! physical limit (the raw aws-lc-rs operation) and a peer, measured in the same run, as ratios.

pub mod floor;
pub mod memory;
pub mod raw;
pub mod wcf;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use quick_xml::Reader;
use quick_xml::events::Event;

/// A SOAP 1.1 envelope whose Body (`wsu:Id="Body-1"`) holds about `body_bytes` of ordinary
/// data-contract XML: rows of short elements with a default namespace, the odd escaped character.
pub fn envelope_with_body(body_bytes: usize) -> Vec<u8> {
    let mut out = String::with_capacity(body_bytes + 1024);
    out.push_str(concat!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" "#,
        r#"xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">"#,
        r#"<s:Header><u:Timestamp u:Id="TS-1"><u:Created>2026-11-20T10:00:00.000Z</u:Created>"#,
        r#"<u:Expires>2026-11-20T10:05:00.000Z</u:Expires></u:Timestamp></s:Header>"#,
        r#"<s:Body u:Id="Body-1"><GetOrdersResponse xmlns="http://tempuri.org/"><GetOrdersResult>"#,
    ));
    let mut row = 0u64;
    while out.len() < body_bytes {
        row += 1;
        let note = if row.is_multiple_of(10) { "Smith &amp; Sons" } else { "Contoso Ltd" };
        out.push_str(&format!(
            "\n<Order><Id>{row}</Id><Customer>{note}</Customer><Amount>{}.{:02}</Amount>\
             <Shipped>2026-11-{:02}T08:30:00Z</Shipped><Lines><Line sku=\"SKU-{}\" qty=\"{}\"/></Lines></Order>",
            row * 7 % 1000,
            row % 100,
            row % 28 + 1,
            row * 13 % 10_000,
            row % 9 + 1
        ));
    }
    out.push_str("</GetOrdersResult></GetOrdersResponse></s:Body></s:Envelope>");
    out.into_bytes()
}

/// The ~2 KB SOAP 1.1 envelope of `peers/envelope.py` (wsse:Security with a wsu:Timestamp, Id
/// `TS-1`; a Body, Id `Body-1`, with nine order items), with fixed times: the shape of a typical
/// request.
pub fn soap_envelope_2k() -> Vec<u8> {
    let items: String = (1..10)
        .map(|i| {
            format!(
                "<ord:Item sku=\"SKU-{i:04}\" qty=\"{}\"><ord:Name>Widget number {i} &amp; friends</ord:Name>\
                 <ord:Price currency=\"EUR\">{}.{:02}</ord:Price></ord:Item>",
                i % 7 + 1,
                i * 3,
                i % 100
            )
        })
        .collect();
    format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" "#,
            r#"xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">"#,
            r#"<soapenv:Header><wsse:Security "#,
            r#"xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" "#,
            r#"soapenv:mustUnderstand="1"><wsu:Timestamp wsu:Id="TS-1"><wsu:Created>2026-11-20T10:00:00Z</wsu:Created>"#,
            r#"<wsu:Expires>2026-11-20T10:05:00Z</wsu:Expires></wsu:Timestamp></wsse:Security></soapenv:Header>"#,
            r#"<soapenv:Body wsu:Id="Body-1"><ord:PlaceOrder xmlns:ord="urn:example:orders" "#,
            r#"xmlns:unused="urn:example:unused"><ord:Customer id="C-42">ACME GmbH</ord:Customer>{}"#,
            r#"</ord:PlaceOrder></soapenv:Body></soapenv:Envelope>"#,
            "\n"
        ),
        items
    )
    .into_bytes()
}

/// Runs `f` repeatedly for about `budget` and returns the best observed rate in calls per second.
pub fn best_rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut best = f64::INFINITY;
    while start.elapsed() < budget {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    1.0 / best
}

/// The Python with the peers installed: `$WSSEAL_PYTHON`, else the workspace's `.venv`.
pub fn peer_python() -> PathBuf {
    std::env::var_os("WSSEAL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python"))
}

/// Runs a peer script in `benches/peers/` and returns the number it prints (a rate), or the
/// reason it could not run.
pub fn peer_rate(script: &str, args: &[&str]) -> Result<f64, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers").join(script);
    let python = peer_python();
    let output =
        Command::new(&python).arg(&path).args(args).output().map_err(|e| format!("{}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().map_err(|_| format!("unexpected peer output: {text}"))
}

/// Prints one line of a same-run comparison: our figure, the limit, the peer, and the ratios.
pub fn report(what: &str, unit: &str, ours: f64, limit: (&str, f64), peer: Result<(&str, f64), String>) {
    println!("{}", report_line(what, unit, ours, limit, peer));
}

/// Like [`envelope_with_body`], without the Header (and so without its Timestamp): the input
/// [`wsseal_core::wss::Engine::secure`] accepts, which refuses an envelope that already has a
/// Security header. The Body keeps its `u:Id="Body-1"`.
pub fn envelope_without_header(body_bytes: usize) -> Vec<u8> {
    let full = String::from_utf8(envelope_with_body(body_bytes)).expect("the envelope is UTF-8");
    let start = full.find("<s:Header>").expect("the envelope has a Header");
    let end = full.find("</s:Header>").expect("the envelope has a Header") + "</s:Header>".len();
    let mut out = String::with_capacity(full.len() - (end - start));
    out.push_str(&full[..start]);
    out.push_str(&full[end..]);
    out.into_bytes()
}

/// Runs `f` in batches of about 20 ms (one call per batch when a call takes longer) for about
/// `budget`, and returns the best batch's rate in calls per second. Batching keeps the rate of a
/// call of a few microseconds from resting on one lucky sample.
pub fn best_batch_rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let [rate] = best_batch_rates(budget, [&mut f]);
    rate
}

/// [`best_batch_rate`] of several calls measured together: their batches alternate for about
/// `budget`, so that a figure and the limit it is compared with see the same moments of a shared,
/// noisy machine rather than two different ones.
pub fn best_batch_rates<const N: usize>(budget: Duration, mut calls: [&mut dyn FnMut(); N]) -> [f64; N] {
    let batches = calls.each_mut().map(|f| {
        let t = Instant::now();
        f();
        let once = t.elapsed().as_secs_f64().max(1e-9);
        ((0.02 / once) as u64).clamp(1, 1_000_000)
    });
    let start = Instant::now();
    let mut best = [f64::INFINITY; N];
    loop {
        for ((f, &batch), best) in calls.iter_mut().zip(&batches).zip(&mut best) {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            *best = best.min(t.elapsed().as_secs_f64() / batch as f64);
        }
        if start.elapsed() >= budget * N as u32 {
            break;
        }
    }
    best.map(|seconds| 1.0 / seconds)
}

/// A target for a figure: an absolute floor, or a floor relative to the limit.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// At least this many units.
    AtLeast(f64),
    /// At least this fraction of the limit.
    OfLimit(f64),
    /// At most `ratio` times `of`, a figure named `name` (memory: 2.2 x the envelope size).
    AtMostTimes {
        /// The multiple allowed.
        ratio: f64,
        /// What the figure is a multiple of.
        name: &'static str,
        /// Its value, in the unit of the figure.
        of: f64,
    },
}

/// [`report`]'s line, without printing it.
pub fn report_line(what: &str, unit: &str, ours: f64, limit: (&str, f64), peer: Result<(&str, f64), String>) -> String {
    let (limit_name, limit_value) = limit;
    let mut line = format!(
        "{what}: {ours:.1} {unit} | limit {limit_name} {limit_value:.1} {unit} (ours/limit {:.2})",
        ours / limit_value
    );
    match peer {
        Ok((peer_name, peer_value)) => {
            line.push_str(&format!(" | peer {peer_name} {peer_value:.1} {unit} (ours/peer {:.1}x)", ours / peer_value))
        }
        Err(why) => line.push_str(&format!(" | peer unavailable: {why}")),
    }
    line
}

/// [`report`] with a pass/fail mark against `target`, and whether it passed (`None`: no target).
pub fn report_with_target(
    what: &str,
    unit: &str,
    ours: f64,
    limit: (&str, f64),
    peer: Result<(&str, f64), String>,
    target: Option<Target>,
) -> Option<bool> {
    let mut line = report_line(what, unit, ours, limit, peer);
    let passed = target.map(|target| {
        let (passed, wanted) = match target {
            Target::AtLeast(floor) => (ours >= floor, format!(">= {floor:.0} {unit}")),
            Target::OfLimit(ratio) => (ours >= ratio * limit.1, format!(">= {ratio:.2} x limit")),
            Target::AtMostTimes { ratio, name, of } => (ours <= ratio * of, format!("<= {ratio} x {name}")),
        };
        line.push_str(&format!(" | target {wanted}: {}", if passed { "PASS" } else { "FAIL" }));
        passed
    });
    println!("{line}");
    passed
}

/// A certificate and its RSA-2048 key, in memory and as PEM files.
pub struct Party {
    /// The certificate, PEM.
    pub certificate_pem: String,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The private key, PKCS#8 DER.
    pub key_pkcs8_der: Vec<u8>,
    /// The public key, SubjectPublicKeyInfo DER.
    pub spki_der: Vec<u8>,
    /// Where the certificate PEM was written.
    pub certificate_path: PathBuf,
    /// Where the key PEM was written.
    pub key_path: PathBuf,
}

/// A throwaway PKI (a CA, a client and a service, RSA-2048 with SHA-256) written to a temporary
/// directory that lives as long as this value, so that peers can read the PEM files.
pub struct Pki {
    /// The directory with the PEM files, for other inputs of the same run.
    pub dir: tempfile::TempDir,
    /// The client (the side that secures requests).
    pub client: Party,
    /// The service (the side that opens them).
    pub service: Party,
}

/// Generates a [`Pki`] with rcgen.
pub fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256,
        PublicKeyData, RsaKeySize,
    };
    let rsa = || KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("RSA-2048 key generation");
    let dir = tempfile::Builder::new().prefix("wsseal-bench-pki-").tempdir().expect("a temporary directory");
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, "wsseal bench CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(params, rsa()).expect("CA certificate");
    let leaf = |name: &str| {
        let key = rsa();
        let mut params = CertificateParams::default();
        params.distinguished_name.push(DnType::CommonName, name);
        params.distinguished_name.push(DnType::OrganizationName, "wsseal benchmarks");
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        let cert = params.signed_by(&key, &ca).expect("leaf certificate");
        let party = Party {
            certificate_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            key_pkcs8_der: key.serialize_der(),
            spki_der: key.subject_public_key_info(),
            certificate_path: dir.path().join(format!("{name}.pem")),
            key_path: dir.path().join(format!("{name}.key")),
        };
        std::fs::write(&party.certificate_path, &party.certificate_pem).expect("write the certificate");
        std::fs::write(&party.key_path, &party.key_pem).expect("write the key");
        party
    };
    let client = leaf("client");
    let service = leaf("service");
    Pki { client, service, dir }
}

/// quick-xml's event loop over `input`, checking end tag names (its default) and no more; returns
/// the number of events. The parse benchmark's limit, and part of an open's floor.
pub fn quick_xml_events(input: &[u8]) -> usize {
    let mut reader = Reader::from_reader(input);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return events,
            Ok(_) => events += 1,
            Err(e) => panic!("quick-xml refuses the benchmark input: {e}"),
        }
    }
}
