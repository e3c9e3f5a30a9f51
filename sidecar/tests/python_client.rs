//! The Python client (clients/python, standard library only) runs a whole exchange against a
//! real `wsseal serve`, with the project venv's Python (`WSSEAL_PYTHON`, else `python3`).

mod support;

use std::process::Command;

use support::{Sidecar, request, response};

#[test]
fn the_python_client_runs_an_exchange() {
    let sidecar = Sidecar::loopback("");
    let dir = sidecar.dir.path();
    std::fs::write(dir.join("request.xml"), request(1)).unwrap();
    std::fs::write(dir.join("response.xml"), response(1)).unwrap();
    let python = std::env::var("WSSEAL_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../clients/python/exchange_check.py");
    let out = Command::new(python)
        .arg(script)
        .arg(&sidecar.socket)
        .arg(dir.join("request.xml"))
        .arg(dir.join("response.xml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}\n{}", String::from_utf8_lossy(&out.stderr), sidecar.log());
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(result["signer"].as_str().unwrap().contains("CN=Contoso.com"), "{result}");
    // A non-envelope, then a replay of the request opened before.
    assert_eq!(result["codes"], serde_json::json!([120, 507]));
    assert_eq!(sidecar.metric("wsseal_items_total{operation=\"open_response\",code=\"OK\"}"), 1.0);
}
