//! `Document::parse` with the default limits on arbitrary bytes; what parses is walked through the
//! public API and its root canonicalized in every mode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsseal_core::c14n::{Algorithm, C14nOptions, Subset, canonicalize_to_vec};
use wsseal_core::xml::{Document, Element, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = Document::parse(data, &Limits::default()) else { return };
    let mut stack = vec![doc.root()];
    let mut seen = 0;
    while let Some(element) = stack.pop() {
        seen += 1;
        walk(&doc, &element);
        let span = element.span();
        assert_eq!(
            element.content_span().start,
            start_tag_end(data, span.start),
            "the content starts after the start tag"
        );
        stack.extend(element.children());
    }
    assert_eq!(seen, doc.element_count(), "every element is reached from the root");
    let root = doc.root().id();
    for subset in [Subset::Document, Subset::Element(root)] {
        for algorithm in [Algorithm::Exclusive, Algorithm::Inclusive] {
            for with_comments in [false, true] {
                for inclusive_prefixes in [&[][..], &["#default", "s"][..]] {
                    let options = C14nOptions { algorithm, with_comments, inclusive_prefixes };
                    let _ = canonicalize_to_vec(&doc, subset, &options);
                }
            }
        }
    }
});

/// Every accessor of an element and its attributes, with the invariants between them.
fn walk(doc: &Document<'_>, element: &Element<'_, '_>) {
    let span = element.span();
    let content = element.content_span();
    assert!(span.start <= content.start && content.end <= span.end, "the content is inside the element");
    assert_eq!(doc.element_at(span.start), Some(element.id()), "the element is found by its offset");
    assert!(element.qname().ends_with(element.local_name()));
    let _ = (element.prefix(), element.namespace(), element.text());
    assert_eq!(element.lookup_namespace(element.prefix()).unwrap_or(""), element.namespace());
    match element.parent() {
        Some(parent) => {
            assert!(parent.contains(element.id()));
            assert_eq!(parent.depth() + 1, element.depth());
        }
        None => assert_eq!(element.id(), doc.root().id()),
    }
    for attribute in element.attributes() {
        let _ = (attribute.qname(), attribute.local_name(), attribute.namespace(), attribute.raw_value());
        let value = attribute.value();
        if let Some(found) = doc.element_by_id(&value) {
            assert!(doc.element(found).attributes().any(|a| a.value() == value));
        }
    }
    let _ = doc.elements_starting_in(content).count();
}

/// Just after the first `>` outside quoted values from `lt`: where the start tag at `lt` ends,
/// found without the index.
fn start_tag_end(data: &[u8], lt: usize) -> usize {
    let mut quote = None;
    for (i, &b) in data[lt..].iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return lt + i + 1,
            None => {}
        }
    }
    data.len()
}
