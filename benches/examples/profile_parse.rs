//! Profiling driver for `perf record`: `profile_parse [parse|c14n|walk|small]` repeats one stage
//! and prints its time. `parse`, `c14n` (C14N and SHA-256 of the Body) and `walk` (its C14N alone,
//! into a sink that only counts) work on a 10 MB Body envelope; `small` parses and canonicalizes
//! the Body of a ~1.6 KB envelope, the shape of a typical request. `profile_parse file PATH RUNS`
//! indexes the document in PATH (an envelope saved with `PROFILE_WSS_DUMP`, say) RUNS times.
use aws_lc_rs::digest::{Context, SHA256};
use wsseal_core::c14n::{C14nOptions, Sink, Subset, canonicalize};
use wsseal_core::xml::Document;

fn body_digest(doc: &Document<'_>) -> aws_lc_rs::digest::Digest {
    let body = doc.element_by_id("Body-1").expect("the Body has an Id");
    let mut hasher = Context::new(&SHA256);
    canonicalize(doc, Subset::Element(body), &C14nOptions::default(), &mut hasher).expect("canonicalizes");
    hasher.finish()
}

/// A sink that counts its bytes: the C14N walk without the hash.
struct Count(usize);

impl Sink for Count {
    fn write(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

fn body_walk(doc: &Document<'_>) -> usize {
    let body = doc.element_by_id("Body-1").expect("the Body has an Id");
    let mut count = Count(0);
    canonicalize(doc, Subset::Element(body), &C14nOptions::default(), &mut count).expect("canonicalizes");
    count.0
}

/// Indexes the document in `path` `runs` times and prints the time per run.
fn index_file(path: &str, runs: u32) {
    let input = std::fs::read(path).expect("a readable file");
    Document::parse(&input, &Default::default()).expect("parses");
    let started = std::time::Instant::now();
    for _ in 0..runs {
        std::hint::black_box(Document::parse(std::hint::black_box(&input), &Default::default()).expect("parses"));
    }
    eprintln!("file {path} ({} bytes): {:?} per run", input.len(), started.elapsed() / runs);
}

fn main() {
    let stage = std::env::args().nth(1).unwrap_or_else(|| "parse".into());
    if stage == "file" {
        let path = std::env::args().nth(2).expect("profile_parse file PATH RUNS");
        let runs = std::env::args().nth(3).map_or(100_000, |runs| runs.parse().expect("a count"));
        return index_file(&path, runs);
    }
    let (size, runs) = if stage == "small" { (1500, 300_000) } else { (10 << 20, 20) };
    let input = wsseal_benches::envelope_with_body(size);
    let doc = Document::parse(&input, &Default::default()).expect("parses");
    let started = std::time::Instant::now();
    for _ in 0..runs {
        match stage.as_str() {
            "parse" => {
                std::hint::black_box(Document::parse(&input, &Default::default()).expect("parses"));
            }
            "c14n" => {
                std::hint::black_box(body_digest(&doc));
            }
            "walk" => {
                std::hint::black_box(body_walk(&doc));
            }
            _ => {
                std::hint::black_box(body_digest(&Document::parse(&input, &Default::default()).expect("parses")));
            }
        }
    }
    eprintln!("{stage} ({} bytes): {:?} per run", input.len(), started.elapsed() / runs);
}
