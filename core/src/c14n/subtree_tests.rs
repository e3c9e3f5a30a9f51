//! The walk that copies a subtree canonical as written in one piece writes the same bytes as the
//! node-by-node walk, and the index marks exactly the subtrees it may copy.

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::*;
use crate::xml::Limits;

fn parse(input: &str) -> Document<'_> {
    Document::parse(input.as_bytes(), &Limits::default()).expect("the test input parses")
}

/// Every element of a document, in document order.
fn elements(doc: &Document<'_>) -> Vec<ElementId> {
    doc.elements_starting_in(0..doc.input().len()).map(|e| e.id()).collect()
}

/// The canonical form written node by node, never copying a subtree whole.
fn node_by_node(doc: &Document<'_>, subset: Subset, options: &C14nOptions<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut walker = Walker::new(doc, options, Output::new(&mut out, doc.input(), 0), None);
    walker.copy_subtrees = false;
    walker.write(subset);
    out
}

/// The canonical form of `subset` (the element with `Id="s"`, else the document), checked to be
/// the same whether subtrees are copied whole or not.
fn c14n(input: &str, options: &C14nOptions<'_>) -> String {
    let doc = parse(input);
    let subset = doc.element_by_id("s").map_or(Subset::Document, Subset::Element);
    let fast = canonicalize_to_vec(&doc, subset, options).expect("canonicalizes");
    assert_eq!(String::from_utf8_lossy(&fast), String::from_utf8_lossy(&node_by_node(&doc, subset, options)));
    String::from_utf8(fast).expect("UTF-8")
}

fn exclusive() -> C14nOptions<'static> {
    C14nOptions::default()
}

fn inclusive() -> C14nOptions<'static> {
    C14nOptions { algorithm: Algorithm::Inclusive, ..C14nOptions::default() }
}

/// The option sets every comparison runs with: both algorithms, with and without comments, and
/// exclusive C14N with PrefixLists.
const PREFIX_LISTS: [&[&str]; 3] = [&[], &["a"], &["#default", "b"]];

fn all_options() -> impl Iterator<Item = C14nOptions<'static>> {
    let algorithms = [(Algorithm::Exclusive, &PREFIX_LISTS[..]), (Algorithm::Inclusive, &PREFIX_LISTS[..1])];
    algorithms.into_iter().flat_map(|(algorithm, lists)| {
        lists.iter().flat_map(move |&inclusive_prefixes| {
            [false, true].map(|with_comments| C14nOptions { algorithm, with_comments, inclusive_prefixes })
        })
    })
}

/// Compares both walks on the document and on every element, with every option set.
fn both_walks_agree(input: &str) -> Result<(), TestCaseError> {
    let doc = parse(input);
    let subsets = std::iter::once(Subset::Document).chain(elements(&doc).into_iter().map(Subset::Element));
    for subset in subsets {
        for options in all_options() {
            let fast = canonicalize_to_vec(&doc, subset, &options).expect("canonicalizes");
            let slow = node_by_node(&doc, subset, &options);
            prop_assert_eq!(
                String::from_utf8_lossy(&fast),
                String::from_utf8_lossy(&slow),
                "{:?} of {:?} with {:?}",
                subset,
                input,
                options
            );
        }
    }
    Ok(())
}

#[test]
fn the_index_marks_exactly_the_subtrees_canonical_as_written() {
    let input = concat!(
        "<r xmlns:a='urn:a' xmlns:b='urn:b'>\n",
        "<Plain><X>1</X> <Y k=\"v\" z=\"w\">two é</Y></Plain>",
        "<a:Other><b:C>x</b:C></a:Other>",
        "<a:Attr><a:C b:k=\"1\">x</a:C></a:Attr>",
        "<a:Own><a:C a:k=\"1\">x</a:C></a:Own>",
        "<a:Xml><a:C xml:lang=\"en\">x</a:C></a:Xml>",
        "<Empty><C/></Empty>",
        "<Spaced><C>x</C ></Spaced>",
        "<Ref><C>&#65;</C></Ref>",
        "<Gt>a>b</Gt>",
        "<Cr>a\r\nb</Cr>",
        "<Tail><C>x</C>&#38;</Tail>",
        "<Comment>a<!--c-->b</Comment>",
        "<Pi><?p?></Pi>",
        "<CData><![CDATA[x]]></CData>",
        "<Decl xmlns='urn:d'><C>x</C></Decl>",
        "<Default><C xmlns='urn:d'>x</C></Default>",
        "<Order b=\"1\" a=\"2\">x</Order>",
        "<Quote k='v'>x</Quote>",
        "<Value k=\"a&#38;b\">x</Value>",
        "<Layout  k=\"v\">x</Layout>",
        "</r>"
    );
    let doc = parse(input);
    let marked: Vec<String> = elements(&doc)
        .into_iter()
        .filter(|id| doc.elements[id.index()].is_canonical_subtree())
        .map(|id| {
            let element = doc.element(id);
            match element.parent().filter(|p| p.id() != doc.root().id()) {
                Some(parent) => format!("{}/{}", parent.local_name(), element.local_name()),
                None => element.local_name().to_owned(),
            }
        })
        .collect();
    // Another prefix than the parent's, or a prefixed attribute, keeps the element itself unmarked.
    // Empty elements and start tags to write anew (attribute order, quotes, values, layout) are
    // marked: the canonicalizer writes their tags.
    let expected = [
        "Plain", "Plain/X", "Plain/Y", "Xml/C", "Empty", "Empty/C", "Tail/C", "Decl/C", "Order", "Quote", "Value",
        "Layout",
    ];
    assert_eq!(marked, expected);
}

#[test]
fn the_walk_copies_a_marked_subtree_whole() {
    // Marked by hand although `&#65;` is not canonical: the fast walk copies it as written, which
    // shows the mark is what it goes by; the empty element in it gets its end tag all the same.
    let input = "<r><E><C>&#65;</C><D/></E></r>";
    let mut doc = parse(input);
    doc.elements[1].set_canonical_subtree();
    let options = exclusive();
    let fast = canonicalize_to_vec(&doc, Subset::Document, &options).unwrap();
    assert_eq!(String::from_utf8(fast).unwrap(), "<r><E><C>&#65;</C><D></D></E></r>");
    assert_eq!(node_by_node(&doc, Subset::Document, &options), b"<r><E><C>A</C><D></D></E></r>");
}

#[test]
fn a_descendant_of_another_prefix_or_with_a_prefixed_attribute_renders_its_declaration() {
    let declared = "<a:R xmlns:a=\"urn:a\" xmlns:b=\"urn:b\">";
    for options in [exclusive(), C14nOptions { inclusive_prefixes: &["a"], ..exclusive() }] {
        assert_eq!(
            c14n(&format!("{declared}<a:E><b:C>x</b:C></a:E></a:R>"), &options),
            "<a:R xmlns:a=\"urn:a\"><a:E><b:C xmlns:b=\"urn:b\">x</b:C></a:E></a:R>"
        );
        assert_eq!(
            c14n(&format!("{declared}<a:E><a:C b:k=\"1\">x</a:C></a:E></a:R>"), &options),
            "<a:R xmlns:a=\"urn:a\"><a:E><a:C xmlns:b=\"urn:b\" b:k=\"1\">x</a:C></a:E></a:R>"
        );
    }
    // Listed, `b` is rendered by the apex and nothing below renders it again.
    let listed = C14nOptions { inclusive_prefixes: &["b"], ..exclusive() };
    assert_eq!(
        c14n(&format!("{declared}<a:E><b:C>x</b:C></a:E></a:R>"), &listed),
        "<a:R xmlns:a=\"urn:a\" xmlns:b=\"urn:b\"><a:E><b:C>x</b:C></a:E></a:R>"
    );
    assert_eq!(
        c14n(&format!("{declared}<a:E><b:C>x</b:C></a:E></a:R>"), &inclusive()),
        "<a:R xmlns:a=\"urn:a\" xmlns:b=\"urn:b\"><a:E><b:C>x</b:C></a:E></a:R>"
    );
}

#[test]
fn what_c14n_rewrites_inside_a_subtree_is_rewritten() {
    for options in [exclusive(), inclusive()] {
        assert_eq!(c14n("<R><E><C/></E></R>", &options), "<R><E><C></C></E></R>");
        assert_eq!(c14n("<R><E><C>x</C ></E></R>", &options), "<R><E><C>x</C></E></R>");
        assert_eq!(
            c14n("<R><E>&#65;</E><F>a>b</F><G>a\r\nb</G><H><C>x</C>&#38;</H></R>", &options),
            "<R><E>A</E><F>a&gt;b</F><G>a\nb</G><H><C>x</C>&amp;</H></R>"
        );
        assert_eq!(c14n("<R><E><C><![CDATA[<x>]]></C></E></R>", &options), "<R><E><C>&lt;x&gt;</C></E></R>");
        assert_eq!(c14n("<R><E><C b='1' a='2'>x</C></E></R>", &options), "<R><E><C a=\"2\" b=\"1\">x</C></E></R>");
        // A declaration the output ancestors already render is dropped.
        assert_eq!(
            c14n("<R xmlns='urn:d'><E><C xmlns='urn:d'>x</C></E></R>", &options),
            "<R xmlns=\"urn:d\"><E><C>x</C></E></R>"
        );
        assert_eq!(
            c14n("<a:R xmlns:a='urn:a'><a:E><a:C xmlns:a='urn:a'>x</a:C></a:E></a:R>", &options),
            "<a:R xmlns:a=\"urn:a\"><a:E><a:C>x</a:C></a:E></a:R>"
        );
        assert_eq!(
            c14n("<R xmlns='urn:d'><E><C xmlns='urn:e'>x</C><C xmlns=''>y</C></E></R>", &options),
            "<R xmlns=\"urn:d\"><E><C xmlns=\"urn:e\">x</C><C xmlns=\"\">y</C></E></R>"
        );
    }
}

#[test]
fn comments_inside_a_subtree_are_kept_or_dropped() {
    let input = "<R><E><C>a<!--c-->b</C><?p  d?></E></R>";
    assert_eq!(c14n(input, &exclusive()), "<R><E><C>ab</C><?p d?></E></R>");
    let with_comments = C14nOptions { with_comments: true, ..exclusive() };
    assert_eq!(c14n(input, &with_comments), "<R><E><C>a<!--c-->b</C><?p d?></E></R>");
}

#[test]
fn a_subtree_whose_start_tag_renders_a_declaration_is_not_copied() {
    let prefixed = "<R xmlns:a='urn:a'><S Id='s'><a:E><a:C>x</a:C></a:E></S></R>";
    assert_eq!(c14n(prefixed, &exclusive()), "<S Id=\"s\"><a:E xmlns:a=\"urn:a\"><a:C>x</a:C></a:E></S>");
    assert_eq!(c14n(prefixed, &inclusive()), "<S xmlns:a=\"urn:a\" Id=\"s\"><a:E><a:C>x</a:C></a:E></S>");
    let listed = C14nOptions { inclusive_prefixes: &["a"], ..exclusive() };
    assert_eq!(c14n(prefixed, &listed), "<S xmlns:a=\"urn:a\" Id=\"s\"><a:E><a:C>x</a:C></a:E></S>");

    let default = "<R xmlns='urn:d'><p:S xmlns:p='urn:p' Id='s'><E><C>x</C></E></p:S></R>";
    assert_eq!(c14n(default, &exclusive()), "<p:S xmlns:p=\"urn:p\" Id=\"s\"><E xmlns=\"urn:d\"><C>x</C></E></p:S>");
    assert_eq!(c14n(default, &inclusive()), "<p:S xmlns=\"urn:d\" xmlns:p=\"urn:p\" Id=\"s\"><E><C>x</C></E></p:S>");
    let listed = C14nOptions { inclusive_prefixes: &["#default"], ..exclusive() };
    assert_eq!(c14n(default, &listed), "<p:S xmlns=\"urn:d\" xmlns:p=\"urn:p\" Id=\"s\"><E><C>x</C></E></p:S>");
}

#[test]
fn the_apex_is_never_copied() {
    let input = "<a:R xmlns:a='urn:a' xml:lang='en'><a:E Id=\"s\"><a:C xml:lang=\"fr\">x</a:C></a:E></a:R>";
    assert!(parse(input).elements[1].is_canonical_subtree());
    assert_eq!(c14n(input, &exclusive()), "<a:E xmlns:a=\"urn:a\" Id=\"s\"><a:C xml:lang=\"fr\">x</a:C></a:E>");
    assert_eq!(
        c14n(input, &inclusive()),
        "<a:E xmlns:a=\"urn:a\" Id=\"s\" xml:lang=\"en\"><a:C xml:lang=\"fr\">x</a:C></a:E>"
    );
    // A planned attribute goes on the apex even when its subtree is canonical as written.
    let doc = parse("<s:E xmlns:s='urn:s'><s:B><s:C>x</s:C></s:B></s:E>");
    let planned = PlannedAttribute { prefix: "u", namespace: "urn:u", local_name: "Id", value: "id-1" };
    let mut out = Vec::new();
    canonicalize_with_planned(&doc, elements(&doc)[1], planned, &mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<s:B xmlns:s=\"urn:s\" xmlns:u=\"urn:u\" u:Id=\"id-1\"><s:C>x</s:C></s:B>"
    );
}

/// Every order of `names`, by Heap's algorithm.
fn permutations<'n>(names: &[&'n str]) -> Vec<Vec<&'n str>> {
    fn permute<'n>(k: usize, names: &mut Vec<&'n str>, out: &mut Vec<Vec<&'n str>>) {
        if k <= 1 {
            out.push(names.clone());
            return;
        }
        for i in 0..k {
            permute(k - 1, names, out);
            names.swap(if k.is_multiple_of(2) { i } else { 0 }, k - 1);
        }
    }
    let mut out = Vec::new();
    permute(names.len(), &mut names.to_vec(), &mut out);
    out
}

#[test]
fn start_tags_in_a_marked_subtree_get_their_attributes_in_canonical_order() {
    // Unprefixed and `xml:` attributes (the only ones a marked subtree holds), in every order of
    // two to five (past the few sorted on the stack), one single-quoted and one to rewrite.
    let names = ["b", "xml:lang", "a", "ab", "xml:base"];
    for n in 2..=names.len() {
        let mut canonical: Vec<&str> = names[..n].to_vec();
        canonical.sort_by_key(|name| (name.starts_with("xml:"), name.trim_start_matches("xml:")));
        // As written: `a` with a reference, `ab` single-quoted.
        let written = |name: &str| match name {
            "a" => "a=\"&#65;\"".to_owned(),
            "ab" => "ab='ab'".to_owned(),
            _ => format!("{name}=\"{name}\""),
        };
        let canonical_value = |name: &'static str| if name == "a" { "A" } else { name };
        let tag: String = canonical.iter().map(|name| format!(" {name}=\"{}\"", canonical_value(name))).collect();
        for order in permutations(&names[..n]) {
            let attributes: String = order.iter().map(|name| format!(" {}", written(name))).collect();
            let input = format!("<R><E><C{attributes}>x</C><D{attributes}/></E></R>");
            assert!(parse(&input).elements[1].is_canonical_subtree(), "{input}");
            for options in [exclusive(), inclusive()] {
                assert_eq!(c14n(&input, &options), format!("<R><E><C{tag}>x</C><D{tag}></D></E></R>"), "{input}");
            }
        }
    }
}

#[test]
fn attributes_of_several_namespaces_sort_by_namespace_name_then_local_name() {
    // `xml`'s namespace name sorts before `urn:`; `q` before `p` by their names, not prefixes.
    let input = "<r xmlns:p='urn:b' xmlns:q='urn:a'><e p:x='1' q:y='2' z='3' xml:lang='en' q:a='4' b='5'/></r>";
    assert_eq!(
        c14n(input, &exclusive()),
        concat!(
            "<r><e xmlns:p=\"urn:b\" xmlns:q=\"urn:a\" b=\"5\" z=\"3\" xml:lang=\"en\" q:a=\"4\" q:y=\"2\" p:x=\"1\">",
            "</e></r>"
        )
    );
    // Past the few sorted by insertion, the library sort gives the same order.
    let many: String = (0..12).rev().map(|i| format!(" a{i:02}='{i}'")).collect();
    let sorted: String = (0..12).map(|i| format!(" a{i:02}=\"{i}\"")).collect();
    let input = format!("<r xmlns:p='urn:p'><E><C{many} p:k='v'/></E><F{many}/></r>");
    assert_eq!(
        c14n(&input, &exclusive()),
        format!("<r><E><C xmlns:p=\"urn:p\"{sorted} p:k=\"v\"></C></E><F{sorted}></F></r>")
    );
}

/// Reads choices off a tape of random bytes (0 once it runs out), so that proptest shrinks a
/// failing document by shrinking its tape. Two documents in three are tidy: most of their choices
/// are among the first, canonical-as-written items of a pool, so that they hold subtrees to copy.
struct Tape<'t> {
    bytes: std::slice::Iter<'t, u8>,
    tidy: bool,
}

impl Tape<'_> {
    fn byte(&mut self) -> usize {
        usize::from(self.bytes.next().copied().unwrap_or(0))
    }

    /// One of `items`; in a tidy document, seven times in eight one of the first `tidy`.
    fn pick<'p>(&mut self, items: &[&'p str], tidy: usize) -> &'p str {
        let len = if self.tidy && !self.byte().is_multiple_of(8) { tidy } else { items.len() };
        items[self.byte() % len]
    }
}

/// A small document of data-contract shape, with the odd thing that keeps a subtree from being
/// canonical as written: another prefix, a prefixed attribute, `<a/>`, `</a >`, references,
/// line ends, comments, PIs, CDATA, namespace declarations (redundant ones too), attribute order.
fn random_document(tape: &[u8]) -> String {
    let mut tape = Tape { bytes: tape.iter(), tidy: false };
    tape.tidy = !tape.byte().is_multiple_of(3);
    let prefixes: &[&str] = if tape.byte() % 2 == 1 { &["a", "", "b"] } else { &["", "a", "b"] };
    let root = if prefixes[0].is_empty() { "r" } else { "a:r" };
    let mut out = format!("<{root} xmlns:a=\"urn:a\" xmlns:b=\"urn:b\">");
    let mut elements = 0;
    random_content(&mut tape, &mut out, prefixes, 1, &mut elements);
    out.push_str(&format!("</{root}>"));
    out
}

fn random_content(tape: &mut Tape<'_>, out: &mut String, prefixes: &[&str], depth: usize, elements: &mut usize) {
    const KINDS: &[&str] = &["element", "text", "element", "text", "misc"];
    const TEXT: &[&str] = &["t", "12", "a b", "é", "x y z", "\n", "\"'", "&amp;", "&#65;", ">", "\r\n", "&gt;", "\r"];
    const MISC: &[&str] = &["<!--c-->", "<?p d?>", "<![CDATA[x]]>", "<![CDATA[<]]>"];
    for _ in 0..tape.byte() % 4 + usize::from(depth == 1) {
        match tape.pick(KINDS, 4) {
            "element" if depth < 4 && *elements < 24 => random_element(tape, out, prefixes, depth, elements),
            "misc" => out.push_str(tape.pick(MISC, MISC.len())),
            _ => out.push_str(tape.pick(TEXT, 7)),
        }
    }
}

fn random_element(tape: &mut Tape<'_>, out: &mut String, prefixes: &[&str], depth: usize, elements: &mut usize) {
    const DECLARATIONS: &[&str] =
        &["", " xmlns=\"urn:d\"", " xmlns=\"\"", " xmlns:a=\"urn:a\"", " xmlns:a=\"urn:a2\"", " xmlns:b=\"urn:b2\""];
    const ATTRIBUTES: &[&str] = &[
        "",
        " k=\"v\"",
        " k=\"v\" z=\"1\"",
        " xml:lang=\"en\"",
        " z=\"1\" k=\"v\"",
        " a:k=\"v\"",
        " b:q=\"w\" k=\"v\"",
        " k=\"v\" b:q=\"w\"",
        " m='v'",
        " n=\"a&amp;b\"",
    ];
    const SPACES: &[&str] = &["", " "];
    *elements += 1;
    let prefix = tape.pick(prefixes, 2);
    let name = format!("{prefix}{}{}", if prefix.is_empty() { "" } else { ":" }, tape.pick(&["e", "f"], 2));
    out.push('<');
    out.push_str(&name);
    out.push_str(tape.pick(DECLARATIONS, 1));
    out.push_str(tape.pick(ATTRIBUTES, 4));
    out.push_str(tape.pick(SPACES, 1));
    if tape.pick(&[">", "/>"], 1) == "/>" {
        out.push_str("/>");
        return;
    }
    out.push('>');
    random_content(tape, out, prefixes, depth + 1, elements);
    out.push_str("</");
    out.push_str(&name);
    out.push_str(tape.pick(SPACES, 1));
    out.push('>');
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// On random documents, copying canonical subtrees whole changes no output byte, whatever the
    /// subset and options.
    #[test]
    fn copying_canonical_subtrees_changes_nothing(tape in proptest::collection::vec(any::<u8>(), 0..160)) {
        both_walks_agree(&random_document(&tape))?;
    }
}

#[test]
fn random_documents_have_canonical_subtrees_to_copy() {
    // The generator is worth its time only if it makes subtrees the fast walk copies.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(any::<u8>(), 0..160);
    let (mut documents, mut marked) = (0, 0);
    for _ in 0..200 {
        let tape = strategy.new_tree(&mut runner).unwrap().current();
        let input = random_document(&tape);
        let doc = parse(&input);
        documents += 1;
        marked += usize::from(doc.elements.iter().any(|e| e.is_canonical_subtree()));
    }
    assert!(marked * 3 >= documents, "only {marked} of {documents} random documents have a canonical subtree");
}
