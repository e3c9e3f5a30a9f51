//! How deep a corpus reaches: runs every input of an `open_wss10`, `open_wcf` or
//! `secure_roundtrip` corpus as its target does and counts the outcomes by error code (a
//! round trip's failures are prefixed `secure` or `open`), with the slowest input.
//! `cargo run --example corpus_codes -- open_wss10 corpus/open_wss10` (times are of a debug build)

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, dir] = &args[..] else {
        panic!("usage: corpus_codes <open_wss10|open_wcf|secure_roundtrip> <directory>")
    };
    let now = wsseal_fuzz::opened_at();
    let mut counts = BTreeMap::<String, usize>::new();
    let mut slowest = (Duration::ZERO, String::new());
    for entry in std::fs::read_dir(dir).expect("the corpus directory") {
        let path = entry.expect("a corpus entry").path();
        let data = std::fs::read(&path).expect("a corpus input");
        let Some((&selector, envelope)) = data.split_first() else { continue };
        let start = Instant::now();
        let name = |e: wsseal_core::Error| e.code().name().to_owned();
        let outcome: Result<(), String> = match target.as_str() {
            "open_wss10" => {
                let engines = wsseal_fuzz::wss10_services();
                engines[usize::from(selector) % engines.len()].open_at(envelope, None, now).map(drop).map_err(name)
            }
            "open_wcf" if selector % 2 == 0 => {
                wsseal_fuzz::wcf_service().open_at(envelope, None, now).map(drop).map_err(name)
            }
            "open_wcf" => wsseal_fuzz::wcf_client()
                .open_at(envelope, Some(wsseal_fuzz::wcf_client_exchange()), now)
                .map(drop)
                .map_err(name),
            "secure_roundtrip" => {
                let pairs = wsseal_fuzz::secure_pairs();
                let (client, service) = &pairs[usize::from(selector) % pairs.len()];
                match client.secure_at(envelope, None, wsseal_fuzz::secured_at()) {
                    Ok(secured) => {
                        service.open_at(&secured.envelope, None, now).map(drop).map_err(|e| format!("open {}", name(e)))
                    }
                    Err(e) => Err(format!("secure {}", name(e))),
                }
            }
            other => panic!("unknown target {other}"),
        };
        let elapsed = start.elapsed();
        if elapsed > slowest.0 {
            slowest = (elapsed, path.display().to_string());
        }
        if outcome.is_ok() && std::env::var_os("SHOW_OPENED").is_some() {
            println!("opened: {}", path.display());
        }
        *counts.entry(outcome.err().unwrap_or_else(|| "opened".to_owned())).or_default() += 1;
    }
    for (code, count) in counts {
        println!("{count:>7} {code}");
    }
    println!("slowest: {:?} {}", slowest.0, slowest.1);
}
