//! The XML index: what it accepts, what it refuses (with which stable code), and the lookups.

use wsseal_core::ErrorCode;
use wsseal_core::soap::{Envelope, SoapVersion};
use wsseal_core::xml::{Document, Limits, XmlErrorKind};

fn parse(input: &str) -> Result<Document<'_>, wsseal_core::xml::XmlError> {
    Document::parse(input.as_bytes(), &Limits::default())
}

fn refused(input: &[u8]) -> ErrorCode {
    match Document::parse(input, &Limits::default()) {
        Ok(_) => panic!("accepted: {:?}", String::from_utf8_lossy(input)),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            e.code()
        }
    }
}

#[test]
fn doctypes_are_refused_in_every_form() {
    for input in [
        "<!DOCTYPE a><a/>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
        "<!DOCTYPE a SYSTEM \"http://example.com/a.dtd\"><a/>",
        "<!-- c --><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><a>&lol2;</a>",
    ] {
        assert_eq!(refused(input.as_bytes()), ErrorCode::XmlDoctype, "{input}");
    }
}

#[test]
fn encodings_other_than_utf8_are_refused() {
    let utf16: Vec<u8> = "\u{feff}<a/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
    assert_eq!(refused(&utf16), ErrorCode::XmlEncoding);
    let utf16_be: Vec<u8> = "<a/>".encode_utf16().flat_map(u16::to_be_bytes).collect();
    assert_eq!(refused(&utf16_be), ErrorCode::XmlEncoding);
    assert_eq!(refused(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"), ErrorCode::XmlEncoding);
    assert_eq!(refused(b"<?xml version='1.0' encoding='UTF-16'?><a/>"), ErrorCode::XmlEncoding);
    assert_eq!(refused(b"<a>caf\xe9</a>"), ErrorCode::XmlEncoding);
    // UTF-8, with and without BOM and declaration, is accepted.
    for ok in [
        &b"\xEF\xBB\xBF<a/>"[..],
        b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>",
        b"\xEF\xBB\xBF<?xml version='1.0'?><a/>",
    ] {
        Document::parse(ok, &Limits::default()).unwrap();
    }
}

#[test]
fn malformed_documents_are_refused() {
    for input in [
        "",
        "   ",
        "<a>",
        "<a></b>",
        "<a x='1'y='2'/>",
        "<a x=1/>",
        "<a xmlns:=\"urn:a\"/>",
        "<a xmlns:1=\"urn:a\"/>",
        "<a x='<'/>",
        "<a>&bogus;</a>",
        "<a>&#0;</a>",
        "<a>&#xD800;</a>",
        "<a>a & b</a>",
        "<a>]]></a>",
        "<a><!-- a -- b --></a>",
        "<a><!-- a ---></a>",
        "<1a/>",
        "<a:b:c xmlns:a='urn:a'/>",
        "<a><?xml version='1.0'?></a>",
        "<a/><?xml version='1.0'?>",
        "<?xml version='1.1'?><a/>",
        "<?xml encoding='UTF-8'?><a/>",
        "text<a/>",
        "<a>\u{1}</a>",
        "<a>\u{FFFF}</a>",
        "< a/>",
        "<a></a >x</a>",
        "<?pi:x?><a/>",
    ] {
        let code = refused(input.as_bytes());
        assert!(
            matches!(code, ErrorCode::XmlMalformed | ErrorCode::XmlContentAfterRoot | ErrorCode::XmlEncoding),
            "{input:?}: {code}"
        );
    }
}

#[test]
fn content_after_the_root_is_refused_but_misc_is_not() {
    for input in ["<a/><b/>", "<a/>text", "<a/>&amp;", "<a/><![CDATA[x]]>"] {
        assert_eq!(refused(input.as_bytes()), ErrorCode::XmlContentAfterRoot, "{input}");
    }
    parse("<a/>\n<!-- c -->\n<?pi x?>\n").unwrap();
}

#[test]
fn namespace_rules_are_enforced() {
    assert_eq!(refused(b"<p:a/>"), ErrorCode::XmlUndeclaredPrefix);
    assert_eq!(refused(b"<a p:x='1'/>"), ErrorCode::XmlUndeclaredPrefix);
    assert_eq!(refused(b"<a><p:b xmlns:p='urn:p'/><p:c/></a>"), ErrorCode::XmlUndeclaredPrefix);
    for input in [
        "<a xmlns:p=''/>",
        "<a xmlns:xml='urn:other'/>",
        "<a xmlns:xmlns='urn:x'/>",
        "<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
        "<a xmlns='http://www.w3.org/2000/xmlns/'/>",
    ] {
        assert_eq!(refused(input.as_bytes()), ErrorCode::XmlNamespace, "{input}");
    }
    parse("<a xmlns:xml='http://www.w3.org/XML/1998/namespace' xml:lang='en'/>").unwrap();
}

#[test]
fn duplicate_attributes_are_refused_by_qname_and_by_expanded_name() {
    assert_eq!(refused(b"<a x='1' x='2'/>"), ErrorCode::XmlDuplicateAttribute);
    assert_eq!(refused(b"<a xmlns:p='urn:x' xmlns:p='urn:y'/>"), ErrorCode::XmlDuplicateAttribute);
    assert_eq!(refused(b"<a xmlns:p='urn:x' xmlns:q='urn:x' p:y='1' q:y='2'/>"), ErrorCode::XmlDuplicateAttribute);
    parse("<a xmlns:p='urn:x' xmlns:q='urn:y' p:y='1' q:y='2' y='3'/>").unwrap();
}

#[test]
fn limits_are_enforced_with_their_name() {
    let deep = "<a>".repeat(101) + &"</a>".repeat(101);
    let limited = |input: &str, limits: &Limits| match Document::parse(input.as_bytes(), limits) {
        Err(e) => match e.kind() {
            XmlErrorKind::LimitExceeded { limit, .. } => *limit,
            other => panic!("{other}"),
        },
        Ok(_) => panic!("accepted"),
    };
    assert_eq!(limited(&deep, &Limits::default()), "max_depth");
    parse(&("<a>".repeat(100) + &"</a>".repeat(100))).unwrap();
    let small = Limits { max_size: 10, ..Limits::default() };
    assert_eq!(limited("<a>0123456789</a>", &small), "max_size");
    let few = Limits { max_attributes: 2, ..Limits::default() };
    assert_eq!(limited("<a x='1' y='2' z='3'/>", &few), "max_attributes");
    assert_eq!(limited("<a xmlns:p='urn:p' y='2' z='3'/>", &few), "max_attributes");
    let short = Limits { max_text_len: 4, ..Limits::default() };
    assert_eq!(limited("<a>12345</a>", &short), "max_text_len");
    assert_eq!(limited("<a>12&amp;45</a>", &short), "max_text_len");
    assert_eq!(limited("<a><![CDATA[12345]]></a>", &short), "max_text_len");
    Document::parse(b"<a>1234</a>", &short).unwrap();
    let longest = "n".repeat(usize::from(u16::MAX));
    parse(&format!("<r><{longest} k='v'/></r>")).unwrap();
    for tag in [format!("<{longest}n k='v'/>"), format!("<{longest}n>"), format!("<p:{longest} xmlns:p='urn:p'/>")] {
        let input = format!("<r>{tag}</r>");
        assert_eq!(limited(&input, &Limits::default()), "element name length");
        assert_eq!(parse(&input).err().map(|e| e.offset()), Some(3));
    }
}

#[test]
fn an_element_with_its_parents_prefix_has_the_namespace_bound_in_its_scope() {
    let long = "p".repeat(20);
    let input = format!(
        concat!(
            "<p:a xmlns:p='urn:1' xmlns='urn:d'><p:b xmlns:p='urn:2'><p:c/><p:c k='v'/></p:b><p:d/>",
            "<p:e xmlns:xml='http://www.w3.org/XML/1998/namespace'/><f><g xmlns=''><h/></g><f/></f>",
            "<{0}:i xmlns:{0}='urn:3'><{0}:j><{0}:k xmlns:{0}='urn:4'/></{0}:j></{0}:i></p:a>"
        ),
        long
    );
    let doc = parse(&input).unwrap();
    let namespaces: Vec<_> =
        doc.elements_starting_in(0..input.len()).map(|e| format!("{}={}", e.local_name(), e.namespace())).collect();
    let expected = [
        "a=urn:1", "b=urn:2", "c=urn:2", "c=urn:2", "d=urn:1", "e=urn:1", "f=urn:d", "g=", "h=", "f=urn:d", "i=urn:3",
        "j=urn:3", "k=urn:4",
    ];
    assert_eq!(namespaces, expected);
}

#[test]
fn ids_are_indexed_over_all_four_kinds_and_must_be_unique() {
    let doc = parse(
        "<r xmlns:wsu='http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'>\
         <a wsu:Id='one'/><b Id='two'/><c ID='three'/><d xml:id='four'/><e x:Id='not-an-id' xmlns:x='urn:x'/></r>",
    )
    .unwrap();
    for (id, name) in [("one", "a"), ("two", "b"), ("three", "c"), ("four", "d")] {
        assert_eq!(doc.element(doc.element_by_id(id).unwrap()).local_name(), name);
    }
    assert_eq!(doc.element_by_id("not-an-id"), None);
    assert_eq!(doc.element_by_id("missing"), None);
    for input in [
        "<r><a Id='x'/><b Id='x'/></r>",
        "<r><a Id='x'/><b ID='x'/></r>",
        "<r><a xml:id='x'/><b Id='x'/></r>",
        "<r xmlns:wsu='http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'><a wsu:Id='x'/><b Id='x'/></r>",
        "<r Id='x'><b Id='x'/></r>",
    ] {
        assert_eq!(refused(input.as_bytes()), ErrorCode::XmlDuplicateId, "{input}");
    }
    // One element may carry the same value in two kinds.
    parse("<r Id='x' ID='x'/>").unwrap();
}

#[test]
fn references_in_namespace_names_and_id_values_are_expanded() {
    // Values written canonically (double quotes, `&amp;` as C14N writes it) are still decoded
    // where their meaning is used: the namespace name, the Id map, the attribute value.
    let doc = parse(r#"<p:r xmlns:p="urn:a&amp;b" Id="x&amp;y" k="1&lt;2"><c Id="&#x7A;"/></p:r>"#).unwrap();
    let root = doc.root();
    assert_eq!(root.namespace(), "urn:a&b");
    assert_eq!(doc.element_by_id("x&y"), Some(root.id()));
    assert_eq!(doc.element_by_id("x&amp;y"), None);
    assert_eq!(doc.element_by_id("z"), Some(root.children().next().unwrap().id()));
    assert_eq!(root.attribute("", "k").unwrap().value(), "1<2");
    assert_eq!(root.attribute("", "k").unwrap().raw_value(), "1&lt;2");
    // Two spellings of one value are one Id.
    assert_eq!(refused(br#"<r><a Id="x&amp;y"/><b Id="x&#38;y"/></r>"#), ErrorCode::XmlDuplicateId);
}

#[test]
fn elements_expose_names_spans_attributes_and_text() {
    let input = "<?xml version='1.0'?><p:a xmlns:p='urn:p' xmlns='urn:d' k='v&amp;w'>x<b>y<!--z-->z</b><![CDATA[<c>]]>&#65;</p:a>";
    let doc = parse(input).unwrap();
    let root = doc.root();
    assert_eq!((root.qname(), root.prefix(), root.local_name(), root.namespace()), ("p:a", "p", "a", "urn:p"));
    assert_eq!(&input[root.span()], &input[21..]);
    assert!(input[root.content_span()].starts_with("x<b>"));
    assert_eq!(root.attribute("", "k").unwrap().value(), "v&w");
    assert_eq!(root.attribute("", "k").unwrap().raw_value(), "v&amp;w");
    assert_eq!(root.attributes().len(), 1, "namespace declarations are not attributes");
    let b = root.children().next().unwrap();
    assert_eq!((b.namespace(), b.depth()), ("urn:d", 2));
    assert_eq!(b.parent().unwrap().id(), root.id());
    assert_eq!(b.text(), "yz", "comments do not truncate text");
    assert_eq!(root.text(), "xyz<c>A");
    assert!(root.contains(b.id()) && !b.contains(root.id()));
}

const SOAP11: &str = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:a="http://www.w3.org/2005/08/addressing">
<s:Header><a:Action>urn:add</a:Action><wsse:Security s:actor="urn:gateway"/><wsse:Security s:mustUnderstand="1"/><a:To>urn:to</a:To></s:Header>
<s:Body><Add xmlns="http://Microsoft.ServiceModel.Samples"/></s:Body></s:Envelope>"#;

#[test]
fn soap_parts_are_found_by_position() {
    let doc = parse(SOAP11).unwrap();
    let env = Envelope::locate(&doc).unwrap();
    assert_eq!(env.version, SoapVersion::Soap11);
    assert_eq!(doc.element(env.body).children().next().unwrap().local_name(), "Add");
    let ours = env.security_header(&doc, None).unwrap().unwrap();
    assert!(doc.element(ours).attribute("http://schemas.xmlsoap.org/soap/envelope/", "mustUnderstand").is_some());
    let gateway = env.security_header(&doc, Some("urn:gateway")).unwrap().unwrap();
    assert_ne!(ours, gateway);
    assert_eq!(env.security_header(&doc, Some("urn:other")).unwrap(), None);
    let actions: Vec<_> = env.header_blocks(&doc, "http://www.w3.org/2005/08/addressing", "Action").collect();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].text(), "urn:add");

    let soap12 = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>"#;
    let doc12 = parse(soap12).unwrap();
    let env12 = Envelope::locate(&doc12).unwrap();
    assert_eq!((env12.version, env12.header), (SoapVersion::Soap12, None));
}

#[test]
fn ambiguous_or_misshapen_envelopes_are_refused() {
    let two_security = SOAP11.replace("s:actor=\"urn:gateway\"", "");
    let doc = parse(&two_security).unwrap();
    let env = Envelope::locate(&doc).unwrap();
    assert_eq!(env.security_header(&doc, None).unwrap_err().code(), ErrorCode::SoapStructure);

    let s = r#"xmlns:s="http://schemas.xmlsoap.org/soap/envelope/""#;
    for input in [
        format!("<s:Envelope {s}/>"),
        format!("<s:Envelope {s}><s:Header/></s:Envelope>"),
        format!("<s:Envelope {s}><s:Body/><s:Body/></s:Envelope>"),
        format!("<s:Envelope {s}><s:Body/><s:Header/></s:Envelope>"),
        format!("<s:Envelope {s}><s:Header/><s:Header/><s:Body/></s:Envelope>"),
        format!("<s:Envelope {s}><x/><s:Body/></s:Envelope>"),
        "<Envelope><Body/></Envelope>".to_owned(),
        format!("<s:Body {s}/>"),
    ] {
        let doc = parse(&input).unwrap();
        assert_eq!(Envelope::locate(&doc).unwrap_err().code(), ErrorCode::SoapStructure, "{input}");
    }
}
