//! Profiling driver for `perf record` and `valgrind --tool=callgrind`: `profile_wss STAGE SIZE RUNS`
//! repeats one stage of the WSS 1.0 engine (`verify`, `open`, `sign`, `secure`, or `parse` of the secured envelope) on an envelope
//! with a Body of SIZE bytes and prints its time per run.
use time::OffsetDateTime;
use wsseal_benches::{Party, envelope_without_header, pki};
use wsseal_core::cert::Certificate;
use wsseal_core::wss::{AlgorithmSuite, Credentials, Engine, Policy};

fn engine(encrypt_body: bool, us: &Party, peer: &Party) -> Engine {
    let suite = AlgorithmSuite::by_name("Basic256Sha256").expect("a named suite");
    let policy = Policy { suite, encrypt_body, detect_replays: false, ..Policy::default() };
    let credentials =
        Credentials::from_pem(us.certificate_pem.as_bytes(), us.key_pem.as_bytes()).expect("our credentials");
    let peer = Certificate::from_pem(peer.certificate_pem.as_bytes()).expect("the peer certificate");
    Engine::new(policy, credentials, peer).expect("an engine")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let stage = args.get(1).map_or("verify", String::as_str);
    let size: usize = args.get(2).map_or(2048, |s| s.parse().expect("a size"));
    let runs: u32 = args.get(3).map_or(1000, |s| s.parse().expect("a count"));
    let pki = pki();
    let encrypt = matches!(stage, "open" | "secure");
    let client = engine(encrypt, &pki.client, &pki.service);
    let service = engine(encrypt, &pki.service, &pki.client);
    let plain = envelope_without_header(size);
    let at = OffsetDateTime::now_utc();
    let secured = client.secure_at(&plain, None, at).expect("secures").envelope;
    if let Ok(path) = std::env::var("PROFILE_WSS_DUMP") {
        std::fs::write(path, &secured).expect("write the secured envelope");
    }
    let started = std::time::Instant::now();
    for _ in 0..runs {
        match stage {
            "parse" => {
                std::hint::black_box(wsseal_core::xml::Document::parse(&secured, &Default::default()).expect("parses"));
            }
            "sign" | "secure" => {
                std::hint::black_box(client.secure_at(&plain, None, at).expect("secures"));
            }
            _ => {
                std::hint::black_box(service.open_at(&secured, None, at).expect("opens"));
            }
        }
    }
    eprintln!("{stage} ({} bytes): {:?} per run", secured.len(), started.elapsed() / runs);
}
