//! Shared inputs and reporting for the wsseal benchmarks: every figure is printed beside its
//! physical limit (the raw aws-lc-rs operation) and a peer, measured in the same run, as ratios.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

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
    let (limit_name, limit_value) = limit;
    print!(
        "{what}: {ours:.1} {unit} | limit {limit_name} {limit_value:.1} {unit} (ours/limit {:.2})",
        ours / limit_value
    );
    match peer {
        Ok((peer_name, peer_value)) => {
            println!(" | peer {peer_name} {peer_value:.1} {unit} (ours/peer {:.1}x)", ours / peer_value)
        }
        Err(why) => println!(" | peer unavailable: {why}"),
    }
}
