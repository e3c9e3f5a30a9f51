#!/usr/bin/env python3
"""Re-derive every expected output of ../c14n_w3c.rs with the reference canonicalizer.

    python3 check_reference.py      (a Python with lxml)

Whole documents and Id-selected subsets go through the peers' c14n.canonicalize, exactly as
`c14n.py [--inclusive] [--comments] [--id ID] FILE` would.  The exclusive-c14n examples select
their element by name (their inputs are kept verbatim, with no Id attribute), so they go
through libxml2's document-subset API directly with the XML-DSig style node-set
    (//. | //@* | //namespace::*)[ancestor-or-self::*[local-name()=NAME]]
Inputs carrying a DOCTYPE must be refused by the reference too.

Transcription check: the verbatim inputs with a DTD, parsed by libxml2 with the DTD processed
(default attributes, entities; world.txt = "world" as 3.5 stipulates), must give the outputs the
Recommendations publish (3.8: the C14N 1.0 output, the engine's algorithm; see c14n_w3c.rs).
Exit 1 on any mismatch.
"""
import ctypes as C
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_DEFAULT_PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "peers")
sys.path.insert(0, os.path.abspath(os.environ.get("WSSEAL_PEERS", _DEFAULT_PEERS)))

import c14n  # noqa: E402
import libxml2_c14n  # noqa: E402

# (input, exclusive, comments, Id, expected output)
BY_ID = [
    ("c14n-3.1-nodtd.xml", False, False, None, "c14n-3.1.out"),
    ("c14n-3.1-nodtd.xml", False, True, None, "c14n-3.1-comments.out"),
    ("c14n-3.1-nodtd.xml", True, False, None, "c14n-3.1.out"),
    ("c14n-3.2-input.xml", False, False, None, "c14n-3.2.out"),
    ("c14n-3.2-input.xml", False, True, None, "c14n-3.2.out"),
    ("c14n-3.3-nodtd.xml", False, False, None, "c14n-3.3.out"),
    ("c14n-3.4-nodtd.xml", False, False, None, "c14n-3.4.out"),
    ("c14n-3.4-cdata.xml", False, False, None, "c14n-3.4-cdata.out"),
    ("c14n-3.5-nodtd.xml", False, False, None, "c14n-3.5.out"),
    ("c14n-3.6-utf8.xml", False, False, None, "c14n-3.6.out"),
    ("c14n-3.6-literal.xml", False, False, None, "c14n-3.6.out"),
    ("c14n-3.7-nodtd.xml", False, False, "E3", "c14n-3.7-E3.out"),
    ("c14n-3.7-nodtd.xml", False, False, "E1", "c14n-3.7-E1.out"),
    ("c14n11-3.8-nodtd.xml", False, False, "E3", "c14n11-3.8-E3.out"),
    ("c14n11-3.8-nodtd.xml", False, False, "E1", "c14n11-3.8-E1.out"),
    ("exc-2.1-elem1.xml", False, False, None, "exc-2.1-exclusive.out"),
    ("exc-2.1-elem1.xml", True, False, None, "exc-2.1-exclusive.out"),
]
# (input, exclusive, local name of the apex, expected output)
BY_NAME = [
    ("exc-2.1-pdu.xml", False, "elem1", "exc-2.1-inclusive.out"),
    ("exc-2.1-pdu.xml", True, "elem1", "exc-2.1-exclusive.out"),
    ("exc-2.2-local.xml", False, "elem2", "exc-2.2-local-inclusive.out"),
    ("exc-2.2-local.xml", True, "elem2", "exc-2.2-exclusive.out"),
    ("exc-2.2-pdu.xml", False, "elem2", "exc-2.2-pdu-inclusive.out"),
    ("exc-2.2-pdu.xml", True, "elem2", "exc-2.2-exclusive.out"),
]
REFUSED = ["c14n-3.1-input.xml", "c14n-3.3-input.xml", "c14n-3.4-input.xml", "c14n-3.5-input.xml",
           "c14n-3.7-input.xml", "c14n11-3.8-input.xml"]


def subset_by_name(path, exclusive, name):
    L = libxml2_c14n.lib()
    doc = L.xmlReadFile(path.encode(), None, libxml2_c14n.XML_PARSE_NONET)
    ctx = L.xmlXPathNewContext(doc)
    expr = "(//. | //@* | //namespace::*)[ancestor-or-self::*[local-name()='%s']]" % name
    obj = L.xmlXPathEvalExpression(expr.encode(), ctx)
    nodes = libxml2_c14n._XPathObject.from_address(obj).nodesetval
    out = C.c_void_p()
    mode = libxml2_c14n.XML_C14N_EXCLUSIVE_1_0 if exclusive else libxml2_c14n.XML_C14N_1_0
    n = L.xmlC14NDocDumpMemory(doc, nodes, mode, None, 0, C.byref(out))
    data = C.string_at(out, n) if n > 0 else b""
    L.xmlXPathFreeObject(obj)
    L.xmlXPathFreeContext(ctx)
    L.xmlFreeDoc(doc)
    return data


# Section 3.7's subset expression, also used by 1.1's 3.8 (evaluated with ietf = www.ietf.org).
XPATH_3_7 = """(//. | //@* | //namespace::*)
[
   self::ietf:e1 or (parent::ietf:e1 and not(self::text() or self::e2))
   or
   count(id("E3")|ancestor-or-self::node()) = count(ancestor-or-self::node())
]"""
# (verbatim input, comments, XPath or None, published output: a file here or the bytes)
PUBLISHED = [
    ("c14n-3.1-input.xml", False, None, "c14n-3.1.out"),
    ("c14n-3.1-input.xml", True, None, "c14n-3.1-comments.out"),
    ("c14n-3.3-input.xml", False, None, "c14n-3.3.out"),
    ("c14n-3.4-input.xml", False, None, "c14n-3.4.out"),
    ("c14n-3.5-input.xml", False, None, "c14n-3.5.out"),
    ("c14n-3.6-input.xml", False, None, "c14n-3.6.out"),
    ("c14n-3.7-input.xml", False, XPATH_3_7,
     b'<e1 xmlns="http://www.ietf.org" xmlns:w3c="http://www.w3.org"><e3 xmlns="" id="E3" '
     b'xml:space="preserve"></e3></e1>'),
    ("c14n11-3.8-input.xml", False, XPATH_3_7,
     b'<e1 xmlns="http://www.ietf.org" xmlns:w3c="http://www.w3.org" xml:base="something/else">'
     b'<e3 xmlns="" id="E3" xml:base="foo" xml:id="abc" xml:space="preserve"></e3></e1>'),
]
XML_PARSE_NOENT, XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR = 2, 4, 8


def with_dtd(path, comments, xpath):
    L = libxml2_c14n.lib()
    doc = L.xmlReadFile(path.encode(), None, XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR)
    ctx = obj = nodes = None
    if xpath:
        ctx = L.xmlXPathNewContext(doc)
        L.xmlXPathRegisterNs(ctx, b"ietf", b"http://www.ietf.org")
        obj = L.xmlXPathEvalExpression(xpath.encode(), ctx)
        nodes = libxml2_c14n._XPathObject.from_address(obj).nodesetval
    out = C.c_void_p()
    n = L.xmlC14NDocDumpMemory(doc, nodes, libxml2_c14n.XML_C14N_1_0, None, 1 if comments else 0, C.byref(out))
    data = C.string_at(out, n) if n > 0 else b""
    if obj:
        L.xmlXPathFreeObject(obj)
    if ctx:
        L.xmlXPathFreeContext(ctx)
    L.xmlFreeDoc(doc)
    return data


def main():
    bad = 0

    def check(label, got, want_file):
        nonlocal bad
        if isinstance(want_file, bytes):
            want = want_file
            want_file = "the C14N 1.0 form" if label.startswith("c14n11") else "the published output"
        else:
            with open(os.path.join(HERE, want_file), "rb") as f:
                want = f.read()
        ok = got == want
        bad += not ok
        print("%-4s %s -> %s" % ("ok" if ok else "FAIL", label, want_file))
        if not ok:
            print("     got  %r\n     want %r" % (got, want))

    for src, exc, com, idv, want in BY_ID:
        got = c14n.canonicalize(os.path.join(HERE, src), exclusive=exc, comments=com, idv=idv)
        check("%s %s%s%s" % (src, "exc" if exc else "inc", " comments" if com else "",
                             " id=" + idv if idv else ""), got, want)
    for src, exc, name, want in BY_NAME:
        check("%s %s %s" % (src, "exc" if exc else "inc", name),
              subset_by_name(os.path.join(HERE, src), exc, name), want)
    for src in REFUSED:
        try:
            c14n.canonicalize(os.path.join(HERE, src), exclusive=False)
            print("FAIL %s accepted by the reference" % src)
            bad += 1
        except c14n.RefError as e:
            print("ok   %s refused (%s)" % (src, e))
    tmp = tempfile.mkdtemp()
    try:
        with open(os.path.join(tmp, "world.txt"), "w") as f:
            f.write("world")
        for src, com, xpath, want in PUBLISHED:
            shutil.copy(os.path.join(HERE, src), tmp)
            check("%s with its DTD%s%s" % (src, " comments" if com else "", " XPath" if xpath else ""),
                  with_dtd(os.path.join(tmp, src), com, xpath), want)
    finally:
        shutil.rmtree(tmp)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
