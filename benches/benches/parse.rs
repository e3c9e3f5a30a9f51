//! Indexing an envelope (`Document::parse`): the ~2 KB envelope of `peers/envelope.py` and a
//! 10 MB Body, beside quick-xml's bare event loop on the same bytes (the limit: reading the
//! markup and nothing more) and libxml2 building its tree (the peer), all measured in this run.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wsseal_benches::{best_rate, envelope_with_body, peer_rate, quick_xml_events, report, soap_envelope_2k};
use wsseal_core::xml::{Document, Limits};

const BODY_BYTES: usize = 10 << 20;

fn parse(c: &mut Criterion) {
    let inputs = [("2KB_envelope", soap_envelope_2k()), ("10MB_body", envelope_with_body(BODY_BYTES))];
    let limits = Limits::default();
    for (name, input) in &inputs {
        let mut group = c.benchmark_group(format!("parse_{name}"));
        group.throughput(Throughput::Bytes(input.len() as u64));
        if input.len() > 1 << 20 {
            group.sample_size(20);
        }
        group.bench_function("quick-xml event loop (limit)", |b| b.iter(|| quick_xml_events(input)));
        group.bench_function("Document::parse", |b| {
            b.iter(|| Document::parse(input, &limits).expect("benchmark input parses"))
        });
        group.finish();
    }

    let budget = Duration::from_secs(3);
    println!("\n== same-run summary (one core; targets: ~2 KB envelope <= 3.5 us, 10 MB Body >= 400 MB/s) ==");
    for (name, input) in &inputs {
        let mb = input.len() as f64 / 1e6;
        let ours = best_rate(budget, || {
            std::hint::black_box(Document::parse(input, &limits).expect("parses"));
        });
        let limit = best_rate(budget, || {
            std::hint::black_box(quick_xml_events(input));
        });
        let file = tempfile_with(name, input);
        let peer = peer_rate("parse_peer.py", &[file.to_str().expect("utf-8 temp path"), "3"]);
        let _ = std::fs::remove_file(&file);
        let what = format!("Document::parse, {name} ({} bytes)", input.len());
        let peer_us = peer.as_ref().map_or(String::new(), |rate| format!(", lxml/libxml2 {:.2} us", 1e6 / rate));
        println!("{what}: {:.2} us/parse | quick-xml {:.2} us{peer_us}", 1e6 / ours, 1e6 / limit);
        report(
            &what,
            "MB/s",
            ours * mb,
            ("quick-xml event loop", limit * mb),
            peer.map(|rate| ("lxml/libxml2 etree.fromstring", rate * mb)),
        );
        let doc = Document::parse(input, &limits).expect("parses");
        println!("{what}: index {:.2} bytes per input byte", doc.index_size() as f64 / input.len() as f64);
    }
}

fn tempfile_with(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("wsseal-bench-parse-{name}-{}.xml", std::process::id()));
    std::fs::write(&path, bytes).expect("write benchmark input");
    path
}

criterion_group!(benches, parse);
criterion_main!(benches);
