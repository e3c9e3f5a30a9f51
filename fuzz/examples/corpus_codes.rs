//! How deep a corpus reaches: opens every input of an `open_wss10` or `open_wcf` corpus as its
//! target does and counts the outcomes by error code, with the slowest input.
//! `cargo run --example corpus_codes -- open_wss10 corpus/open_wss10` (times are of a debug build)

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [target, dir] = &args[..] else { panic!("usage: corpus_codes <open_wss10|open_wcf> <directory>") };
    let now = wsseal_fuzz::opened_at();
    let mut counts = BTreeMap::<String, usize>::new();
    let mut slowest = (Duration::ZERO, String::new());
    for entry in std::fs::read_dir(dir).expect("the corpus directory") {
        let path = entry.expect("a corpus entry").path();
        let data = std::fs::read(&path).expect("a corpus input");
        let Some((&selector, envelope)) = data.split_first() else { continue };
        let start = Instant::now();
        let outcome = match target.as_str() {
            "open_wss10" => {
                let engines = wsseal_fuzz::wss10_services();
                engines[usize::from(selector) % engines.len()].open_at(envelope, None, now)
            }
            "open_wcf" if selector % 2 == 0 => wsseal_fuzz::wcf_service().open_at(envelope, None, now),
            "open_wcf" => wsseal_fuzz::wcf_client().open_at(envelope, Some(wsseal_fuzz::wcf_client_exchange()), now),
            other => panic!("unknown target {other}"),
        };
        let elapsed = start.elapsed();
        if elapsed > slowest.0 {
            slowest = (elapsed, path.display().to_string());
        }
        if outcome.is_ok() && std::env::var_os("SHOW_OPENED").is_some() {
            println!("opened: {}", path.display());
        }
        let key = outcome.map_or_else(|e| e.code().name().to_owned(), |_| "opened".to_owned());
        *counts.entry(key).or_default() += 1;
    }
    for (code, count) in counts {
        println!("{count:>7} {code}");
    }
    println!("slowest: {:?} {}", slowest.0, slowest.1);
}
