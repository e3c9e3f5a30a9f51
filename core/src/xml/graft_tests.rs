use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::*;
use crate::xml::WSU_NS;

/// `host` with each of `slots` (an element as written in it, in order) replaced by a plaintext.
fn splice(host: &[u8], slots: &[(&[u8], &[u8])]) -> (Vec<u8>, Vec<Replacement>) {
    let (mut out, mut replacements, mut copied) = (Vec::new(), Vec::new(), 0);
    for (element, plaintext) in slots {
        let start = copied + memchr::memmem::find(&host[copied..], element).expect("the slot is in the host");
        out.extend_from_slice(&host[copied..start]);
        let placed = out.len()..out.len() + plaintext.len();
        out.extend_from_slice(plaintext);
        copied = start + element.len();
        replacements.push(Replacement { received: start..copied, placed });
    }
    out.extend_from_slice(&host[copied..]);
    (out, replacements)
}

/// Checks the contract on one case; returns whether the graft was composed (not left to a
/// parse of the whole input), or `None` when the host itself is not well-formed.
fn check_with(host: &[u8], slots: &[(&[u8], &[u8])], limits: &Limits) -> Option<bool> {
    let old = Document::parse(host, limits).ok()?;
    let (spliced, replacements) = splice(host, slots);
    let composed = Composer::compose(&old, &spliced, &replacements, limits);
    let fast = composed.is_some();
    drop(composed);
    let parsed = Document::parse(&spliced, limits);
    match (old.graft(&spliced, &replacements, limits), parsed) {
        (Ok(grafted), Ok(parsed)) => assert_same(&grafted, &parsed),
        (Err(_), Err(_)) => {}
        (grafted, parsed) => {
            panic!("graft {:?}, parse {:?} of {:?}", grafted.err(), parsed.err(), String::from_utf8_lossy(&spliced))
        }
    }
    Some(fast)
}

fn check(host: &str, slots: &[(&str, &str)]) -> bool {
    let slots: Vec<(&[u8], &[u8])> = slots.iter().map(|(e, p)| (e.as_bytes(), p.as_bytes())).collect();
    check_with(host.as_bytes(), &slots, &Limits::default()).expect("the host is well-formed")
}

const BODY_SLOT: &str =
    "<e:EncryptedData xmlns:e=\"urn:e\" Id=\"bd\"><e:CipherValue>AAAA</e:CipherValue></e:EncryptedData>";
const HEADER_SLOT: &str =
    "<k:EncryptedHeader xmlns:k=\"urn:k\" u:Id=\"eh\"><e:EncryptedData xmlns:e=\"urn:e\"/></k:EncryptedHeader>";
const SIGNATURE_SLOT: &str = "<e:EncryptedData xmlns:e=\"urn:e\" Id=\"sg\"/>";

/// An envelope with an encrypted signature, an encrypted header and an encrypted Body.
fn envelope() -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<s:Envelope xmlns:s=\"urn:s\" xmlns:u=\"{WSU_NS}\"><s:Header>\
         <o:Security xmlns:o=\"urn:o\"><u:Timestamp u:Id=\"ts\"><u:Created>now</u:Created></u:Timestamp>\
         {SIGNATURE_SLOT}</o:Security><h:To xmlns:h=\"urn:h\" u:Id=\"to\">x</h:To>{HEADER_SLOT}<!--c-->\
         </s:Header><s:Body u:Id=\"body\">\n  {BODY_SLOT}\n</s:Body></s:Envelope>"
    )
}

const CONTENT: &str = "<m:Get xmlns:m=\"urn:m\"><m:a>1</m:a><m:b u:Id=\"in\" z='2' k=\"1\"/>t&amp;t\r\n</m:Get>";

#[test]
fn a_body_plaintext_is_grafted() {
    assert!(check(&envelope(), &[(BODY_SLOT, CONTENT)]));
    assert!(check(&envelope(), &[(BODY_SLOT, "\n<x>1</x><y/>\n")]));
}

#[test]
fn every_position_is_grafted_at_once() {
    let signature = "<ds:Signature xmlns:ds=\"urn:ds\" Id=\"sig\"><ds:SignedInfo/></ds:Signature>";
    let header = "<w:Action xmlns:w=\"urn:w\" u:Id=\"ac\">go</w:Action>";
    assert!(check(&envelope(), &[(SIGNATURE_SLOT, signature), (HEADER_SLOT, header), (BODY_SLOT, CONTENT)]));
    // More elements or fewer than replaced, before later records that shift.
    assert!(check(&envelope(), &[(SIGNATURE_SLOT, "<a/>"), (HEADER_SLOT, header)]));
    assert!(check(&envelope(), &[(HEADER_SLOT, "<w:A xmlns:w=\"urn:w\"><w:B><w:C/></w:B></w:A>")]));
}

#[test]
fn text_references_and_line_ends_join_the_text_around() {
    for plaintext in ["&amp;x", "&#13;", "a\r\nb", "\r", "x&gt;", ">", "<a>&#13;</a>\r", "]]", "&lt;<a/>&lt;"] {
        check(&envelope(), &[(BODY_SLOT, plaintext)]);
    }
    // `]]>` across a seam is refused, as the whole input's parse refuses it.
    let host = "<r><s>]]<e:x xmlns:e='urn:e'/>></s></r>";
    for plaintext in [">", "]>", "]", "", "<a/>", "]]"] {
        check(host, &[("<e:x xmlns:e='urn:e'/>", plaintext)]);
    }
}

#[test]
fn cdata_comments_and_processing_instructions() {
    for plaintext in ["<![CDATA[a<b]]>", "<!--c--><a/>", "<a/><?p d?>", "<?p?>", "<!--c-->", "<![CDATA[x]]>\n"] {
        assert!(check(&envelope(), &[(BODY_SLOT, plaintext)]), "{plaintext}");
    }
    // Unterminated markup might end in the input after the plaintext: left to the whole parse.
    for plaintext in ["<?xml version='1.0'?><a/>", "<![CDATA[x", "<!--", "<?p", "<a", "&amp"] {
        assert!(!check(&envelope(), &[(BODY_SLOT, plaintext)]), "{plaintext}");
    }
    let host = "<r><s><e:x xmlns:e='urn:e'/>-->?>/>;</s></r>";
    for plaintext in ["<![CDATA[x", "<!--", "<?p", "<a", "&amp", "<a/>"] {
        check(host, &[("<e:x xmlns:e='urn:e'/>", plaintext)]);
    }
}

#[test]
fn namespaces_in_scope_new_and_undeclared() {
    for plaintext in [
        "<s:Fault/>",
        "<u:Id/>",
        "<x xmlns=\"urn:default\"><y/></x>",
        "<x xmlns=\"\"/>",
        "<n:x xmlns:n=\"urn:new\"><n:y xmlns:n=\"urn:new2\"/></n:x><p:z xmlns:p=\"urn:new\"/>",
        "<q:x/>",
        "<x q:a=\"1\"/>",
        "<x xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>",
        "<x xmlns:e=\"urn:e\"/>",
        "<x xmlns:n=\"rel/uri\"/>",
    ] {
        check(&envelope(), &[(BODY_SLOT, plaintext)]);
    }
    // A name declared only in a replaced element leaves the table; those after it move up.
    let host = "<r><e:x xmlns:e='urn:e'/><f:y xmlns:f='urn:f'/><g:z xmlns:g='urn:e'/></r>";
    assert!(check(host, &[("<e:x xmlns:e='urn:e'/>", "<n:a xmlns:n='urn:n'/>")]));
    assert!(check(host, &[("<e:x xmlns:e='urn:e'/>", "")]));
}

#[test]
fn ids_may_not_repeat_one_outside() {
    assert!(check(&envelope(), &[(BODY_SLOT, "<x Id=\"bd\"/>")]), "the replaced element's Id is free");
    for plaintext in ["<x Id=\"ts\"/>", "<x u:Id=\"body\"/>", "<x xml:id=\"to\"/>", "<x ID=\"in\"/><y Id=\"in\"/>"] {
        check(&envelope(), &[(BODY_SLOT, plaintext)]);
    }
    // An Id of a later element, and of another plaintext.
    check(&envelope(), &[(HEADER_SLOT, "<x Id=\"body\"/>")]);
    check(&envelope(), &[(HEADER_SLOT, "<x Id=\"d\"/>"), (BODY_SLOT, "<x Id=\"d\"/>")]);
    assert!(check(&envelope(), &[(HEADER_SLOT, "<x Id=\"a&amp;\"/>"), (BODY_SLOT, "<x Id=\"b\"/>")]));
}

#[test]
fn attribute_order_quotes_and_self_closing_elements() {
    for plaintext in ["<x b='1' a=\"2\"/>", "<x a='&quot;'></x >", "<x\n a = '1'/>", "<x/><x></x>", "<s:x><s:y/></s:x>"]
    {
        assert!(check(&envelope(), &[(BODY_SLOT, plaintext)]), "{plaintext}");
    }
}

#[test]
fn plaintext_that_leaves_its_parent_canonical_is_left_to_the_whole_parse() {
    // Empty, whitespace-only, its own prefix: the parent could be canonical as written.
    let host = "<s:r xmlns:s='urn:s'><s:x><e:x xmlns:e='urn:e'/></s:x></s:r>";
    for plaintext in ["", "  \n", "<s:y/>", "t"] {
        assert!(!check(host, &[("<e:x xmlns:e='urn:e'/>", plaintext)]), "{plaintext:?}");
    }
    // A parent whose start tag keeps it from being canonical stays so.
    for plaintext in ["", " \t\n", "<s:y/>"] {
        assert!(check(&envelope(), &[(BODY_SLOT, plaintext)]), "{plaintext:?}");
        assert!(check(
            "<s:r xmlns:s='urn:s'><s:x k='v' s:a='1'><e:x xmlns:e='urn:e'/></s:x></s:r>",
            &[("<e:x xmlns:e='urn:e'/>", plaintext)]
        ));
        assert!(check(
            "<s:r xmlns:s='urn:s'><x><e:x xmlns:e='urn:e'/></x></s:r>",
            &[("<e:x xmlns:e='urn:e'/>", plaintext)]
        ));
    }
    // `xmlns:xml` leaves no record: the start tag does not tell, the parse does.
    let host =
        "<s:r xmlns:s='urn:s'><s:x xmlns:xml='http://www.w3.org/XML/1998/namespace'><e:x xmlns:e='urn:e'/></s:x></s:r>";
    assert!(!check(host, &[("<e:x xmlns:e='urn:e'/>", "")]));
}

#[test]
fn depth_is_counted_from_the_parent() {
    let limits = Limits { max_depth: 4, ..Limits::default() };
    let host = b"<a><b><e:x xmlns:e='urn:e'/></b></a>";
    let slot = &b"<e:x xmlns:e='urn:e'/>"[..];
    for plaintext in [&b"<c><d/></c>"[..], b"<c><d><e/></d></c>", b"<c/>"] {
        check_with(host, &[(slot, plaintext)], &limits).unwrap();
    }
}

#[test]
fn text_length_counts_the_text_joined() {
    let limits = Limits { max_text_len: 6, ..Limits::default() };
    let host = b"<a><b>abc<e:x xmlns:e='urn:e'/>de</b></a>";
    let slot = &b"<e:x xmlns:e='urn:e'/>"[..];
    for plaintext in [&b"x"[..], b"xy", b"<c/>", b"xyz<c/>", b"<c/>xy", b"<c/>x"] {
        check_with(host, &[(slot, plaintext)], &limits).unwrap();
    }
}

#[test]
fn malformed_plaintext_fails_as_the_whole_parse_does() {
    for plaintext in [
        &b"<a>"[..],
        b"</a>",
        b"<a></b>",
        b"</s:Body><s:Body>",
        b"</s:Body>",
        b"a < b",
        b"<!DOCTYPE x>",
        b"\x01",
        b"\xff\xfe",
        b"caf\xe9",
        b"<a>&bogus;</a>",
        b"<a b='1' b='2'/>",
        b"\xEF\xBB\xBF<a/>",
    ] {
        let host = envelope();
        check_with(host.as_bytes(), &[(BODY_SLOT.as_bytes(), plaintext)], &Limits::default()).unwrap();
    }
}

#[test]
fn a_replacement_that_is_not_one_element_is_left_to_the_whole_parse() {
    let host = "<r><a/><b/></r>";
    let old = Document::parse(host.as_bytes(), &Limits::default()).unwrap();
    let spliced = b"<r><c/></r>";
    let replacements = [Replacement { received: 3..10, placed: 3..7 }];
    assert!(Composer::compose(&old, spliced, &replacements, &Limits::default()).is_none());
    assert_same(
        &old.graft(spliced, &replacements, &Limits::default()).unwrap(),
        &Document::parse(spliced, &Limits::default()).unwrap(),
    );
}

#[test]
fn the_received_pieces_must_be_kept_byte_for_byte_and_cut_at_character_boundaries() {
    let host = "<r>\u{e9}<a/>\u{fc}</r>";
    let at = host.find("<a/>").unwrap();
    let spliced = host.replace("<a/>", "<b>\u{263a}</b>").into_bytes();
    let placed = at..at + "<b>\u{263a}</b>".len();
    let replacements = [Replacement { received: at..at + 4, placed: placed.clone() }];
    assert!(fits(host, &spliced, &replacements));
    // A kept byte changed, before or after the plaintext, even to valid text.
    for changed in [1, spliced.len() - 2] {
        let mut other = spliced.clone();
        other[changed] = b'x';
        assert!(!fits(host, &other, &replacements), "byte {changed} changed");
    }
    // A kept character's bytes split: its first byte kept, its second changed.
    let mut split = spliced.clone();
    split[4] = b'x';
    assert!(!fits(host, &split, &replacements));
    // A replacement that starts or ends inside a character, or whose pieces do not add up.
    let inside = [Replacement { received: at - 1..at + 4, placed: at - 1..placed.end }];
    assert!(!fits(host, &spliced, &inside));
    let short = [Replacement { received: at..at + 4, placed: placed.start..placed.end - 1 }];
    assert!(!fits(host, &spliced, &short));
    let past = [Replacement { received: at..at + 4, placed: placed.start..spliced.len() + 1 }];
    assert!(!fits(host, &spliced, &past));
}

/// Reads choices off a tape of random bytes (0 once it runs out), so that a failing case
/// shrinks with its tape.
struct Choices<'t>(std::slice::Iter<'t, u8>);

impl Choices<'_> {
    fn next(&mut self, n: usize) -> usize {
        usize::from(self.0.next().copied().unwrap_or(0)) % n
    }

    fn pick<'p, T: ?Sized>(&mut self, items: &[&'p T]) -> &'p T {
        items[self.next(items.len())]
    }
}

/// Slots: the elements a case replaces, written as they appear in the host.
const SLOTS: [&str; 3] = ["<z:S xmlns:z='urn:z' Id='s0'/>", "<a:S Id='s1'><a:T>t</a:T></a:S>", "<S Id='s2'>x</S>"];

/// A host document: nested elements, text and markup around up to three slots.
fn random_host(choices: &mut Choices<'_>) -> (String, Vec<&'static str>) {
    const AROUND: &[&str] = &["", "\n ", "]]", "]", ">", "t", "&amp;", "\r\n", "<!--c-->", "<?p?>", "<![CDATA[d]]>"];
    const OPEN: &[&str] =
        &["<a:e>", "<e xmlns='urn:d'>", "<b:e xmlns:b='urn:b' u:Id='o1'>", "<a:e xmlns:a='urn:a2'>", "<e>"];
    let mut host = String::from("<a:r xmlns:a='urn:a' xmlns:u='");
    host.push_str(WSU_NS);
    host.push_str("' Id='x1'>");
    let mut slots = Vec::new();
    let mut closes = vec!["</a:r>"];
    for slot in SLOTS {
        if choices.next(4) == 0 {
            continue;
        }
        for _ in 0..choices.next(3) {
            let open = choices.pick(OPEN);
            host.push_str(open);
            closes.push(match open {
                "<a:e>" | "<a:e xmlns:a='urn:a2'>" => "</a:e>",
                "<b:e xmlns:b='urn:b' u:Id='o1'>" => "</b:e>",
                _ => "</e>",
            });
        }
        host.push_str(choices.pick(AROUND));
        host.push_str(slot);
        host.push_str(choices.pick(AROUND));
        slots.push(slot);
        for _ in 0..choices.next(closes.len()) {
            host.push_str(closes.pop().unwrap());
        }
        host.push_str(choices.pick(AROUND));
    }
    while let Some(close) = closes.pop() {
        host.push_str(close);
    }
    (host, slots)
}

/// A plaintext: mostly well-formed pieces, sometimes a malformed one.
fn random_plaintext(choices: &mut Choices<'_>) -> Vec<u8> {
    const PIECES: &[&[u8]] = &[
        b"<a:e>x</a:e>",
        b"<e/>",
        b"text",
        b" \n ",
        b"<f xmlns='urn:f'><g/></f>",
        b"<n:e xmlns:n='urn:n'/>",
        b"<a:e a:k='v' xml:lang='en'/>",
        b"<e z='1' k=\"2\" />",
        b"&amp;",
        b"&#13;",
        b"\r\n",
        b">",
        b"]]",
        b"<![CDATA[c]]>",
        b"<!--c-->",
        b"<?p d?>",
        b"<e Id='f1'/>",
        b"<e u:Id='x1'/>",
        b"<e Id='s0'/>",
        b"<e xmlns=''/>",
        b"<a:e xmlns:a='urn:a3'><a:f/></a:e>",
        b"<a:e><a:e><a:e><a:e/></a:e></a:e></a:e>",
        b"\xC3\xA9",
    ];
    const BROKEN: &[&[u8]] = &[
        b"<e>",
        b"</e>",
        b"</a:r>",
        b"<",
        b"&",
        b"<q:e/>",
        b"<?xml version='1.0'?>",
        b"<!DOCTYPE e>",
        b"\x01",
        b"\xff",
        b"<![CDATA[",
        b"<!--",
        b"-->",
        b"<e",
        b"/>",
    ];
    let mut out = Vec::new();
    for _ in 0..choices.next(5) {
        let piece = if choices.next(8) == 0 { choices.pick(BROKEN) } else { choices.pick(PIECES) };
        out.extend_from_slice(piece);
    }
    out
}

/// Checks the contract on the case a tape describes; `None` when its host is not well-formed.
fn random_case(tape: &[u8]) -> Option<bool> {
    let mut choices = Choices(tape.iter());
    let limits = match choices.next(4) {
        0 => Limits { max_depth: 5, ..Limits::default() },
        1 => Limits { max_text_len: 6, ..Limits::default() },
        _ => Limits::default(),
    };
    let (host, slots) = random_host(&mut choices);
    let plaintexts: Vec<Vec<u8>> = slots.iter().map(|_| random_plaintext(&mut choices)).collect();
    let cases: Vec<(&[u8], &[u8])> = slots.iter().zip(&plaintexts).map(|(s, p)| (s.as_bytes(), &p[..])).collect();
    check_with(host.as_bytes(), &cases, &limits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// On random hosts and plaintexts, the graft is the parse of the whole input.
    #[test]
    fn the_graft_is_the_whole_parse(tape in proptest::collection::vec(any::<u8>(), 0..96)) {
        random_case(&tape);
    }
}

#[test]
fn random_cases_are_mostly_grafted() {
    // The generator is worth its time only if most cases take the composed path.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(any::<u8>(), 0..96);
    let (mut cases, mut composed) = (0, 0);
    for _ in 0..400 {
        let tape = strategy.new_tree(&mut runner).unwrap().current();
        if let Some(fast) = random_case(&tape) {
            cases += 1;
            composed += usize::from(fast);
        }
    }
    assert!(cases >= 300, "only {cases} of 400 random hosts are well-formed");
    assert!(composed * 2 >= cases, "only {composed} of {cases} random cases were composed");
}
