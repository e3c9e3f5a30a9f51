//! Hostile input never panics: arbitrary bytes, and valid documents with bytes mutated, inserted
//! or cut, go through the parser and every canonicalization mode and end in Ok or a typed error.

use proptest::prelude::*;
use wsseal_core::c14n::{Algorithm, C14nOptions, Subset, canonicalize_to_vec};
use wsseal_core::xml::{Document, Limits};

const SEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- lead --><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:u="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xml:lang="en">
 <s:Header><u:Timestamp u:Id="TS-1"><u:Created>2026-11-20T00:00:00Z</u:Created></u:Timestamp></s:Header>
 <s:Body u:Id="Body-1"><m:Add xmlns:m="urn:calc" xmlns="urn:d" a='x"y' b="&#xD;&amp;&lt;"><n1>1</n1><n2 xmlns="">2&gt;</n2><![CDATA[<&>]]><?pi  d ?></m:Add></s:Body>
</s:Envelope>
<?tail?>"#;

fn exercise(input: &[u8]) {
    let Ok(doc) = Document::parse(input, &Limits::default()) else { return };
    let mut subsets = vec![Subset::Document];
    subsets.extend(["TS-1", "Body-1"].iter().filter_map(|id| doc.element_by_id(id)).map(Subset::Element));
    for subset in subsets {
        for algorithm in [Algorithm::Exclusive, Algorithm::Inclusive] {
            for with_comments in [false, true] {
                let options = C14nOptions { algorithm, with_comments, inclusive_prefixes: &["#default", "m", "s"] };
                let _ = canonicalize_to_vec(&doc, subset, &options);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(&input);
    }

    #[test]
    fn mutated_envelopes(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6)) {
        let mut input = SEED.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(input.len() + 1);
            match op {
                0 if i < input.len() => input[i] = byte,
                1 => input.insert(i, byte),
                _ if i < input.len() => { input.remove(i); }
                _ => {}
            }
        }
        exercise(&input);
    }

    #[test]
    fn markup_soup(pieces in proptest::collection::vec(prop::sample::select(vec![
        "<a>", "</a>", "<b x='1'>", "</b>", "<p:c xmlns:p='urn:p'>", "</p:c>", "<d/>", "&amp;", "&#x10FFFF;", "\r\n",
        "<!--c-->", "<![CDATA[]]>]]>", "<?pi?>", "xmlns=''", " Id='i'", "\u{e9}", ">", "\"", "'", "=",
    ]), 0..40)) {
        let input: String = pieces.concat();
        exercise(input.as_bytes());
    }
}

#[test]
fn the_seed_itself_is_accepted() {
    let doc = Document::parse(SEED.as_bytes(), &Limits::default()).unwrap();
    assert!(doc.element_by_id("Body-1").is_some());
}
