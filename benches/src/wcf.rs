//! The WCF profile's benchmark inputs: a ~2 KB Calculator request and response with WCF's
//! WS-Addressing headers, and engines that open the same message over and over.

use wsseal_core::cert::Certificate;
use wsseal_core::wss::{Credentials, Engine, Policy};

use crate::Party;

/// A WCF-profile engine for `us` talking to `peer`, without replay detection (the benchmarks
/// open the same message over and over).
pub fn engine(us: &Party, peer: &Party) -> Engine {
    let credentials =
        Credentials::from_pem(us.certificate_pem.as_bytes(), us.key_pem.as_bytes()).expect("our credentials");
    let peer = Certificate::from_pem(peer.certificate_pem.as_bytes()).expect("the peer certificate");
    Engine::new(Policy { detect_replays: false, ..Policy::wcf() }, credentials, peer).expect("an engine")
}

/// A SOAP 1.2 request with WCF's WS-Addressing headers and a body of `size` bytes in all.
fn envelope(action: &str, relation: &str, size: usize) -> Vec<u8> {
    let mut out = format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" xmlns:a=\"http://www.w3.org/2005/08/addressing\"><s:Header><a:Action s:mustUnderstand=\"1\">http://Microsoft.ServiceModel.Samples/ICalculator/{action}</a:Action>{relation}</s:Header><s:Body><{action} xmlns=\"http://Microsoft.ServiceModel.Samples\">"
    );
    let close = format!("</{action}></s:Body></s:Envelope>");
    let mut n = 0;
    while out.len() + close.len() + 40 < size {
        out.push_str(&format!("<n{n}>{}</n{n}>", 100 + n));
        n += 1;
    }
    out.push_str(&close);
    out.into_bytes()
}

/// The Calculator request.
pub fn request() -> Vec<u8> {
    let relation = "<a:MessageID>urn:uuid:4e5b2b1c-1f2e-4c3d-9a8b-7c6d5e4f3a2b</a:MessageID><a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand=\"1\">http://localhost/Calculator</a:To>";
    envelope("Add", relation, 2 << 10)
}

/// Its response.
pub fn response() -> Vec<u8> {
    envelope("AddResponse", "<a:RelatesTo>urn:uuid:4e5b2b1c-1f2e-4c3d-9a8b-7c6d5e4f3a2b</a:RelatesTo>", 2 << 10)
}
