//! Profiling driver: `profile_parse [parse|c14n]` repeats one stage on a 10 MB Body envelope.
use wsseal_core::c14n::{C14nOptions, Subset, canonicalize};
use wsseal_core::xml::Document;

fn main() {
    let stage = std::env::args().nth(1).unwrap_or_else(|| "parse".into());
    let input = wsseal_benches::envelope_with_body(10 << 20);
    let doc = Document::parse(&input, &Default::default()).unwrap();
    let body = doc.element_by_id("Body-1").unwrap();
    let t = std::time::Instant::now();
    for _ in 0..20 {
        if stage == "parse" {
            std::hint::black_box(Document::parse(&input, &Default::default()).unwrap());
        } else {
            let mut h = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
            canonicalize(&doc, Subset::Element(body), &C14nOptions::default(), &mut h).unwrap();
            std::hint::black_box(h.finish());
        }
    }
    eprintln!("{stage}: {:?} per run", t.elapsed() / 20);
}
