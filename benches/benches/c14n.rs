//! Exclusive C14N + SHA-256 of a 10 MB Body, beside raw SHA-256 of the same bytes (the limit) and
//! libxml2's C14N + SHA-256 (the peer), all measured in this run.

use std::time::Duration;

use aws_lc_rs::digest::{Context, SHA256, digest};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wsseal_benches::{best_rate, envelope_with_body, peer_rate, report};
use wsseal_core::c14n::{C14nOptions, Subset, canonicalize};
use wsseal_core::xml::{Document, Limits};

const BODY_BYTES: usize = 10 << 20;

fn c14n_sha256(c: &mut Criterion) {
    let input = envelope_with_body(BODY_BYTES);
    let doc = Document::parse(&input, &Limits::default()).expect("benchmark input parses");
    let body = doc.element_by_id("Body-1").expect("the Body has an Id");
    let options = C14nOptions::default();
    let body_bytes = doc.element(body).span().len();
    let body_slice = &input[doc.element(body).span()];

    let exc_c14n_sha256 = || {
        let mut hasher = Context::new(&SHA256);
        canonicalize(&doc, Subset::Element(body), &options, &mut hasher).expect("canonicalizes");
        hasher.finish()
    };
    let parse_exc_c14n_sha256 = || {
        let doc = Document::parse(&input, &Limits::default()).expect("parses");
        let body = doc.element_by_id("Body-1").expect("the Body has an Id");
        let mut hasher = Context::new(&SHA256);
        canonicalize(&doc, Subset::Element(body), &options, &mut hasher).expect("canonicalizes");
        hasher.finish()
    };

    let mut group = c.benchmark_group("c14n_10MB_body");
    group.throughput(Throughput::Bytes(body_bytes as u64)).sample_size(20);
    group.bench_function("raw_sha256 (limit)", |b| b.iter(|| digest(&SHA256, body_slice)));
    group.bench_function("exc_c14n+sha256", |b| b.iter(exc_c14n_sha256));
    group.bench_function("parse+exc_c14n+sha256", |b| b.iter(parse_exc_c14n_sha256));
    group.finish();

    let budget = Duration::from_secs(3);
    let mb = body_bytes as f64 / 1e6;
    let limit = best_rate(budget, || {
        std::hint::black_box(digest(&SHA256, body_slice));
    }) * mb;
    let ours = best_rate(budget, || {
        std::hint::black_box(exc_c14n_sha256());
    }) * mb;
    let ours_with_parse = best_rate(budget, || {
        std::hint::black_box(parse_exc_c14n_sha256());
    }) * mb;
    let file = tempfile_with(&input);
    let path = file.to_str().expect("utf-8 temp path");
    let peer = peer_rate("c14n_peer.py", &[path, "Body-1", "3", "--parsed"]);
    let peer_with_parse = peer_rate("c14n_peer.py", &[path, "Body-1", "3"]);
    println!("\n== same-run summary (one core, {:.1} MB Body, target >= 600 MB/s) ==", mb);
    report(
        "exc-c14n + SHA-256, indexed document",
        "MB/s",
        ours,
        ("raw SHA-256", limit),
        peer.map(|rate| ("lxml/libxml2 c14n + sha256, parsed tree", rate)),
    );
    report(
        "parse + exc-c14n + SHA-256",
        "MB/s",
        ours_with_parse,
        ("raw SHA-256", limit),
        peer_with_parse.map(|rate| ("lxml/libxml2 parse + c14n + sha256", rate)),
    );
    let _ = std::fs::remove_file(file);
}

fn tempfile_with(bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("wsseal-bench-c14n-{}.xml", std::process::id()));
    std::fs::write(&path, bytes).expect("write benchmark input");
    path
}

criterion_group!(benches, c14n_sha256);
criterion_main!(benches);
