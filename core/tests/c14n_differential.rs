//! Differential test of our canonicalizer against the reference (WSSEAL_PEERS/c14n.py: lxml and
//! libxml2) over the hand-written corpus and a few hundred seeded random documents.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use wsseal_core::c14n::{Algorithm, C14nOptions, Subset, canonicalize};
use wsseal_core::xml::{Document, Limits};

const WSU: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const RANDOM_DOCS: usize = 320;
const SEED: u64 = 0x5EA1_C14E;
const HINT: &str =
    "run ./scripts/test once: it installs Python + lxml into .venv and exports WSSEAL_PYTHON / WSSEAL_PEERS";

// Ill-formed or namespace-ill-formed inputs that the reference refuses; ours must refuse them too.
const MUST_REFUSE: &[(&str, &[u8])] = &[
    ("doctype", b"<!DOCTYPE r>\n<r Id='i'/>"),
    ("doctype-entity", b"<!DOCTYPE r [<!ENTITY e 'x'>]><r Id='i'>&e;</r>"),
    ("undeclared-element-prefix", b"<p:r Id='i'/>"),
    ("undeclared-attribute-prefix", b"<r Id='i' p:a='1'/>"),
    ("duplicate-attribute", b"<r Id='i' a='1' a='2'/>"),
    ("duplicate-expanded-name", b"<r xmlns:p='urn:a' xmlns:q='urn:a' Id='i' p:a='1' q:a='2'/>"),
    ("text-after-root", b"<r Id='i'/>x"),
    ("second-root", b"<r Id='i'/><s/>"),
    ("unclosed", b"<r Id='i'><s></r>"),
    ("mismatched-end", b"<r Id='i'></s>"),
    ("empty", b""),
    ("whitespace-only", b"  \n"),
    ("text-before-root", b"x<r Id='i'/>"),
    ("cdata-outside-root", b"<![CDATA[x]]><r Id='i'/>"),
    ("empty-prefix-binding", b"<r xmlns:p='' Id='i'/>"),
    ("xmlns-colon-no-prefix", b"<r xmlns:='urn:a' Id='i'><s/></r>"),
    ("xml-prefix-other-uri", b"<r xmlns:xml='urn:x' Id='i'/>"),
    ("xmlns-prefix-declared", b"<r xmlns:xmlns='urn:x' Id='i'/>"),
    ("xml-uri-other-prefix", b"<r xmlns:p='http://www.w3.org/XML/1998/namespace' Id='i'/>"),
    ("xmlns-uri-bound", b"<r xmlns:p='http://www.w3.org/2000/xmlns/' Id='i'/>"),
    ("two-colons", b"<a:b:c xmlns:a='urn:a' Id='i'/>"),
    ("empty-local-name", b"<r: Id='i'/>"),
    ("char-ref-nul", b"<r Id='i'>&#0;</r>"),
    ("char-ref-surrogate", b"<r Id='i'>&#xD800;</r>"),
    ("char-ref-fffe", b"<r Id='i' a='&#xFFFE;'/>"),
    ("undefined-entity", b"<r Id='i'>&foo;</r>"),
    ("raw-ampersand", b"<r Id='i'>a & b</r>"),
    ("lt-in-attribute", b"<r Id='i' a='<'/>"),
    ("cdata-end-in-text", b"<r Id='i'>]]></r>"),
    ("double-dash-comment", b"<r Id='i'><!-- a -- b --></r>"),
    ("pi-named-xml", b"<r Id='i'><?xml version='1.0'?></r>"),
    ("late-declaration", b" <?xml version='1.0'?><r Id='i'/>"),
    ("control-character", b"<r Id='i'>\x01</r>"),
    ("nul-byte", b"<r Id='i'>\x00</r>"),
    ("name-starts-with-digit", b"<1r Id='i'/>"),
    ("unquoted-attribute", b"<r Id='i' a=1/>"),
    ("attribute-without-value", b"<r Id='i' a/>"),
    ("invalid-utf8", b"<r Id='i'>\xc3\x28</r>"),
    ("overlong-utf8", b"<r Id='i'>\xc0\xaf</r>"),
    ("latin1-bytes", b"<r Id='i'>\xe9</r>"),
    ("relative-default-ns", b"<r xmlns='rel/x' Id='i'/>"),
    ("relative-prefixed-ns", b"<p:r xmlns:p='../x' Id='i'/>"),
    ("ns-uri-with-space", b"<p:r xmlns:p='urn:a b' Id='i'/>"),
    ("ns-uri-non-ascii", b"<r xmlns='http://example.com/\xc3\xa9' Id='i'/>"),
];

struct Doc {
    path: PathBuf,
    label: String,
    ids: Vec<String>,
    prefixes: Vec<String>,
}

struct Task {
    doc: usize,
    exclusive: bool,
    comments: bool,
    id: Option<String>,
    prefixes: Option<String>,
}

impl Task {
    fn mode(&self) -> String {
        let mut m = String::from(if self.exclusive { "exclusive" } else { "inclusive" });
        if self.comments {
            m.push_str("+comments");
        }
        if let Some(id) = &self.id {
            write!(m, " --id {id}").unwrap();
        }
        if let Some(p) = &self.prefixes {
            write!(m, " --prefixes {p:?}").unwrap();
        }
        m
    }
}

#[test]
fn c14n_matches_reference() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (python, peers) = reference_paths(workspace);
    let tmp = tempfile::tempdir().unwrap();
    // WSSEAL_C14N_SEED / WSSEAL_C14N_DOCS override the fixed seed and count, to explore further.
    let seed = std::env::var("WSSEAL_C14N_SEED").map_or(SEED, |s| s.parse().expect("WSSEAL_C14N_SEED: a number"));
    let random_docs =
        std::env::var("WSSEAL_C14N_DOCS").map_or(RANDOM_DOCS, |s| s.parse().expect("WSSEAL_C14N_DOCS: a number"));
    let mut rng = Rng(seed);

    let mut docs = corpus_docs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c14n_corpus"));
    let corpus_count = docs.len();
    assert!(corpus_count >= 60, "corpus has only {corpus_count} documents");
    for n in 0..random_docs {
        let (text, ids, prefixes) = random_document(&mut rng, n);
        let label = format!("random-{n:03}.xml");
        let path = tmp.path().join(&label);
        fs::write(&path, text).unwrap();
        docs.push(Doc { path, label, ids, prefixes });
    }
    let well_formed = docs.len();
    for (name, bytes) in MUST_REFUSE {
        let label = format!("refuse-{name}.xml");
        let path = tmp.path().join(&label);
        fs::write(&path, bytes).unwrap();
        docs.push(Doc { path, label, ids: vec!["i".into()], prefixes: vec!["p".into()] });
    }

    let tasks = plan_tasks(&docs, corpus_count, &mut rng);
    let reference = run_reference(&python, &peers, tmp.path(), &docs, &tasks);
    let ours = run_ours(&docs, &tasks);

    let (mut both_ok, mut both_refused, mut failures) = (0, 0, Vec::new());
    for (i, pair) in reference.iter().zip(&ours).enumerate() {
        match pair {
            (Ok(a), Ok(b)) if a == b => both_ok += 1,
            (Err(_), Err(_)) => both_refused += 1,
            _ => failures.push(i),
        }
    }
    println!(
        "c14n differential: {} documents ({corpus_count} corpus, {random_docs} random with seed {seed}, \
         {} ill-formed), {} tasks, {both_ok} identical, {both_refused} refused by both, {} mismatches",
        docs.len(),
        MUST_REFUSE.len(),
        tasks.len(),
        failures.len()
    );
    if !failures.is_empty() {
        report_failures(&docs, &tasks, &reference, &ours, &failures);
        panic!("{} of {} tasks differ from the reference (details above)", failures.len(), tasks.len());
    }
    assert!(random_docs >= RANDOM_DOCS, "at least {RANDOM_DOCS} random documents");
    let expected_ok = tasks.iter().filter(|t| t.doc < well_formed).count();
    assert!(both_ok * 20 >= expected_ok * 19, "too few tasks produced output: {both_ok} of {expected_ok}");
}

fn reference_paths(workspace: &Path) -> (PathBuf, PathBuf) {
    let python =
        std::env::var_os("WSSEAL_PYTHON").map(PathBuf::from).unwrap_or_else(|| workspace.join(".venv/bin/python"));
    let peers =
        std::env::var_os("WSSEAL_PEERS").map(PathBuf::from).unwrap_or_else(|| workspace.join("../shared/peers"));
    assert!(python.exists(), "reference Python {} not found: {HINT}", python.display());
    assert!(peers.join("c14n.py").exists(), "reference peers (c14n.py) not found in {}: {HINT}", peers.display());
    (python, peers)
}

fn corpus_docs(dir: &Path) -> Vec<Doc> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
            let label = path.file_name().unwrap().to_string_lossy().into_owned();
            Doc { ids: scan_ids(&text), prefixes: scan_prefixes(&text), path, label }
        })
        .collect()
}

/// Values of attributes whose local name is `Id` (`Id="v"`, `wsu:Id = 'v'`), in document order.
fn scan_ids(text: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (at, _) in text.match_indices("Id") {
        if !text[..at].ends_with(|c: char| c.is_whitespace() || c == ':') {
            continue;
        }
        let rest = text[at + 2..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else { continue };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        if let Some(end) = rest[1..].find(quote) {
            ids.push(rest[1..1 + end].to_string());
        }
    }
    ids
}

fn scan_prefixes(text: &str) -> Vec<String> {
    let set: BTreeSet<String> = text
        .match_indices("xmlns:")
        .filter_map(|(at, _)| {
            let name: String = text[at + 6..].chars().take_while(|c| !c.is_whitespace() && *c != '=').collect();
            (!name.is_empty()).then_some(name)
        })
        .collect();
    set.into_iter().collect()
}

fn plan_tasks(docs: &[Doc], corpus_count: usize, rng: &mut Rng) -> Vec<Task> {
    let mut tasks = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let mut subsets = vec![None];
        let mut ids = doc.ids.clone();
        if d >= corpus_count {
            rng.shuffle(&mut ids);
            ids.truncate(3);
        }
        subsets.extend(ids.into_iter().map(Some));
        for id in &subsets {
            for (exclusive, comments) in [(true, false), (true, true), (false, false), (false, true)] {
                tasks.push(Task { doc: d, exclusive, comments, id: id.clone(), prefixes: None });
            }
        }
        for _ in 0..2 {
            let mut list: Vec<String> = doc.prefixes.iter().filter(|_| rng.chance(40)).cloned().collect();
            if rng.chance(35) || list.is_empty() {
                list.push("#default".into());
            }
            if rng.chance(10) {
                list.push("undeclared".into());
            }
            rng.shuffle(&mut list);
            let id = rng.pick(&subsets).clone();
            let comments = rng.chance(30);
            tasks.push(Task { doc: d, exclusive: true, comments, id, prefixes: Some(list.join(" ")) });
        }
    }
    tasks
}

fn run_reference(
    python: &Path,
    peers: &Path,
    tmp: &Path,
    docs: &[Doc],
    tasks: &[Task],
) -> Vec<Result<Vec<u8>, String>> {
    let out_dir = tmp.join("reference");
    fs::create_dir_all(&out_dir).unwrap();
    let mut lines = String::new();
    for (i, t) in tasks.iter().enumerate() {
        let opt = |v: &Option<String>| v.as_deref().map_or("null".to_string(), json_str);
        writeln!(
            lines,
            r#"{{"file": {}, "exclusive": {}, "comments": {}, "id": {}, "prefixes": {}, "out": {}}}"#,
            json_str(docs[t.doc].path.to_str().unwrap()),
            t.exclusive,
            t.comments,
            opt(&t.id),
            opt(&t.prefixes),
            json_str(out_dir.join(i.to_string()).to_str().unwrap())
        )
        .unwrap();
    }
    let task_file = tmp.join("tasks.jsonl");
    fs::write(&task_file, lines).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/c14n_batch.py");
    let output = Command::new(python)
        .arg(&script)
        .env("WSSEAL_PEERS", peers)
        .stdin(fs::File::open(&task_file).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; {HINT}", python.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.trim() == format!("done {}", tasks.len()),
        "reference batch failed ({}): {stdout}\n{}\n{HINT}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    (0..tasks.len())
        .map(|i| {
            let out = out_dir.join(i.to_string());
            match fs::read(&out) {
                Ok(bytes) => Ok(bytes),
                Err(_) => {
                    Err(fs::read_to_string(out.with_extension("err")).expect("reference wrote neither output nor .err"))
                }
            }
        })
        .collect()
}

fn run_ours(docs: &[Doc], tasks: &[Task]) -> Vec<Result<Vec<u8>, String>> {
    let mut results: Vec<Option<Result<Vec<u8>, String>>> = tasks.iter().map(|_| None).collect();
    for (d, doc) in docs.iter().enumerate() {
        let bytes = fs::read(&doc.path).unwrap();
        let parsed = Document::parse(&bytes, &Limits::default());
        for (i, t) in tasks.iter().enumerate().filter(|(_, t)| t.doc == d) {
            results[i] = Some(match &parsed {
                Err(e) => Err(format!("parse: {e} [{}]", e.code())),
                Ok(document) => canonicalize_task(document, t),
            });
        }
    }
    results.into_iter().map(Option::unwrap).collect()
}

fn canonicalize_task(doc: &Document<'_>, t: &Task) -> Result<Vec<u8>, String> {
    let subset = match &t.id {
        None => Subset::Document,
        Some(id) => Subset::Element(doc.element_by_id(id).ok_or_else(|| format!("no element with Id {id:?}"))?),
    };
    let prefixes: Vec<&str> = t.prefixes.as_deref().map_or(Vec::new(), |p| p.split_whitespace().collect());
    let opts = C14nOptions {
        algorithm: if t.exclusive { Algorithm::Exclusive } else { Algorithm::Inclusive },
        with_comments: t.comments,
        inclusive_prefixes: &prefixes,
    };
    let mut out = Vec::new();
    canonicalize(doc, subset, &opts, &mut out).map_err(|e| format!("c14n: {e} [{}]", e.code()))?;
    Ok(out)
}

fn report_failures(
    docs: &[Doc],
    tasks: &[Task],
    reference: &[Result<Vec<u8>, String>],
    ours: &[Result<Vec<u8>, String>],
    failures: &[usize],
) {
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c14n_differential_failures");
    let _ = fs::remove_dir_all(&keep);
    fs::create_dir_all(&keep).unwrap();
    for &i in failures {
        let doc = &docs[tasks[i].doc];
        let _ = fs::copy(&doc.path, keep.join(&doc.label));
    }
    eprintln!("failing documents copied to {}", keep.display());
    // The first ten failures, at most two per document.
    let mut shown: Vec<usize> = Vec::new();
    for &i in failures {
        let t = &tasks[i];
        if shown.len() == 10 || shown.iter().filter(|&&d| d == t.doc).count() == 2 {
            continue;
        }
        shown.push(t.doc);
        eprintln!("\n--- {} [{}]", docs[t.doc].label, t.mode());
        match (&reference[i], &ours[i]) {
            (Ok(a), Ok(b)) => {
                let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
                eprintln!("first difference at byte {at} (reference {} bytes, ours {} bytes)", a.len(), b.len());
                eprintln!("reference: {}", excerpt(a, at));
                eprintln!("ours     : {}", excerpt(b, at));
            }
            (a, b) => {
                eprintln!("reference: {}", describe(a));
                eprintln!("ours     : {}", describe(b));
            }
        }
    }
}

fn describe(r: &Result<Vec<u8>, String>) -> String {
    match r {
        Ok(bytes) => excerpt(bytes, 0),
        Err(msg) => format!("REFUSED: {}", msg.trim()),
    }
}

fn excerpt(bytes: &[u8], at: usize) -> String {
    let start = at.saturating_sub(160);
    let end = (at + 240).min(bytes.len());
    let dots = |b| if b { "..." } else { "" };
    format!("{}{}{}", dots(start > 0), bytes[start..end].escape_ascii(), dots(end < bytes.len()))
}

fn json_str(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

// Namespace URIs listed so that their order differs from the order of the prefixes they get.
const URIS: &[&str] = &[
    "urn:x:9",
    "http://example.com/ns/3",
    "urn:x:1",
    "http://example.com/ns/0",
    "urn:x:A",
    "http://a.example/z",
    "urn:y",
    "http://example.com/ns/B",
];
const PREFIXES: &[&str] = &["a", "b", "p", "q", "z", "ns1", "soap", "é"];
const ELEMENT_NAMES: &[&str] = &["e", "item", "Data", "x", "a", "b", "é", "中文", "Item2"];
const ATTR_NAMES: &[&str] = &["k", "v", "attr", "Type", "é", "z", "a", "b2"];
const SPACES: &[&str] = &[" ", " ", " ", "  ", "\n  ", "\t", "\r\n "];
const TEXT: &[&str] = &[
    "text",
    "some text",
    " ",
    "&amp;",
    "&lt;",
    "&gt;",
    ">",
    "&quot;",
    "&apos;",
    "\"",
    "'",
    "&#xD;",
    "&#13;",
    "&#x9;",
    "&#xA;",
    "&#x20;",
    "&#x3C;",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "é",
    "中文",
    "😀",
    "]]&gt;",
    "]]x",
    "&#x1F600;",
    "a&amp;b",
    "&#233;",
    "&#x22;",
    "&#x26;",
    "&#x3E;",
    "&#62;",
    "&#38;",
    "&#x27;",
    "&#x85;",
    "&#x2028;",
    "\u{2028}",
];
const CDATA: &[&str] = &["a & b", "<x>", "]] ", " > ", "\r\n", "\r", "\t", "é😀", "&amp;", "\"'", "]"];
const MISC: &[&str] = &[" c ", "-", "é", "\r\n", "<not a tag>", "&amp;", "x", "\t"];

struct Gen<'a> {
    rng: &'a mut Rng,
    out: String,
    doc: usize,
    next_id: usize,
    elements: usize,
    max_depth: usize,
    ids: Vec<String>,
    prefixes: BTreeSet<String>,
}

fn random_document(rng: &mut Rng, doc: usize) -> (String, Vec<String>, Vec<String>) {
    let max_depth = match rng.below(100) {
        0..70 => 1 + rng.below(6),
        70..95 => 7 + rng.below(9),
        _ => 30 + rng.below(31),
    };
    let mut g = Gen {
        rng,
        out: String::new(),
        doc,
        next_id: 0,
        elements: 0,
        max_depth,
        ids: Vec::new(),
        prefixes: BTreeSet::new(),
    };
    if g.rng.chance(10) {
        g.out.push('\u{feff}');
    }
    if g.rng.chance(40) {
        let decl = *g.rng.pick(&[
            "<?xml version=\"1.0\"?>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<?xml version='1.0' encoding='utf-8' standalone='no'?>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
        ]);
        g.out.push_str(decl);
    }
    g.misc_items();
    g.element(1, &mut Vec::new());
    g.misc_items();
    let prefixes = g.prefixes.into_iter().collect();
    (g.out, g.ids, prefixes)
}

impl Gen<'_> {
    fn misc_items(&mut self) {
        for _ in 0..self.rng.below(4) {
            match self.rng.below(3) {
                0 => self.comment(),
                1 => self.pi(),
                _ => {}
            }
            let ws = *self.rng.pick(&["", "\n", "\r\n", "  ", "\n\n"]);
            self.out.push_str(ws);
        }
    }

    fn fragments(&mut self, pool: &[&str], max: usize) -> String {
        (0..self.rng.below(max + 1)).map(|_| *self.rng.pick(pool)).collect()
    }

    fn comment(&mut self) {
        let mut body = self.fragments(MISC, 5);
        while body.contains("--") {
            body = body.replace("--", "- -");
        }
        if body.ends_with('-') {
            body.push(' ');
        }
        write!(self.out, "<!--{body}-->").unwrap();
    }

    fn pi(&mut self) {
        let target = *self.rng.pick(&["pi", "target", "x-y", "é"]);
        let data = self.fragments(MISC, 4).replace("?>", "? >");
        let lead = if data.is_empty() && self.rng.chance(50) { "" } else { *self.rng.pick(SPACES) };
        let trail = *self.rng.pick(&["", "", " ", "  "]);
        write!(self.out, "<?{target}{lead}{data}{trail}?>").unwrap();
    }

    fn text(&mut self) {
        let text = self.fragments(TEXT, 6).replace("]]>", "]]&gt;");
        self.out.push_str(&text);
    }

    fn attr_value(&mut self, quote: char) -> String {
        let mut v = String::new();
        for _ in 0..self.rng.below(5) {
            let f = *self.rng.pick(TEXT);
            match f {
                "\"" if quote == '"' => v.push_str("&quot;"),
                "'" if quote == '\'' => v.push_str("&apos;"),
                _ => v.push_str(f),
            }
        }
        v
    }

    fn lookup<'s>(scope: &'s [(String, String)], prefix: &str) -> Option<&'s str> {
        scope.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str())
    }

    fn element(&mut self, depth: usize, scope: &mut Vec<(String, String)>) {
        self.elements += 1;
        let mark = scope.len();
        let mut items: Vec<String> = Vec::new();

        let mut declared: Vec<String> = Vec::new();
        let count = if depth == 1 { 1 + self.rng.below(4) } else { [0, 0, 0, 1, 1, 2][self.rng.below(6)] };
        for _ in 0..count {
            let prefix = if self.rng.chance(25) { "" } else { *self.rng.pick(PREFIXES) };
            if declared.iter().any(|p| p == prefix) {
                continue;
            }
            let current = Self::lookup(scope, prefix).map(str::to_string);
            let uri = match current {
                Some(cur) if self.rng.chance(20) => cur,
                _ if prefix.is_empty() && self.rng.chance(30) => String::new(),
                _ => self.rng.pick(URIS).to_string(),
            };
            let quote = if self.rng.chance(20) { '\'' } else { '"' };
            if prefix.is_empty() {
                items.push(format!("xmlns={quote}{uri}{quote}"));
            } else {
                items.push(format!("xmlns:{prefix}{}{quote}{uri}{quote}", self.eq()));
                self.prefixes.insert(prefix.to_string());
            }
            declared.push(prefix.to_string());
            scope.push((prefix.to_string(), uri));
        }

        let bound: Vec<String> =
            PREFIXES.iter().filter(|p| Self::lookup(scope, p).is_some()).map(|p| p.to_string()).collect();
        let local = *self.rng.pick(ELEMENT_NAMES);
        let qname = if !bound.is_empty() && self.rng.chance(50) {
            format!("{}:{local}", self.rng.pick(&bound))
        } else {
            local.to_string()
        };

        let mut used: BTreeSet<(String, String)> = BTreeSet::new();
        for _ in 0..self.rng.below(5) {
            let name = *self.rng.pick(ATTR_NAMES);
            let (qn, key) = if !bound.is_empty() && self.rng.chance(50) {
                let p = self.rng.pick(&bound).clone();
                let uri = Self::lookup(scope, &p).unwrap().to_string();
                (format!("{p}:{name}"), (uri, name.to_string()))
            } else {
                (name.to_string(), (String::new(), name.to_string()))
            };
            if used.insert(key) {
                items.push(self.attribute(&qn));
            }
        }
        for (name, values) in [
            ("xml:lang", &["en", "fr", "", "de-CH"][..]),
            ("xml:space", &["preserve", "default"][..]),
            ("xml:base", &["http://example.com/base/", "http://example.com/other/x"][..]),
        ] {
            if self.rng.chance(12) {
                let v = *self.rng.pick(values);
                items.push(format!("{name}{}\"{v}\"", self.eq()));
            }
        }
        if self.rng.chance(30) {
            self.next_id += 1;
            let id = format!("id{}-{}", self.doc, self.next_id);
            match self.rng.below(20) {
                0..10 => {
                    items.push(format!("Id{}\"{id}\"", self.eq()));
                    self.ids.push(id);
                }
                10..17 => {
                    if Self::lookup(scope, "wsu").is_none() {
                        items.push(format!("xmlns:wsu=\"{WSU}\""));
                        scope.push(("wsu".into(), WSU.into()));
                        self.prefixes.insert("wsu".into());
                    }
                    items.push(format!("wsu:Id{}\"{id}\"", self.eq()));
                    self.ids.push(id);
                }
                17..19 => items.push(format!("ID=\"{id}\"")),
                _ => items.push(format!("xml:id=\"{id}\"")),
            }
        }

        self.rng.shuffle(&mut items);
        write!(self.out, "<{qname}").unwrap();
        for item in items {
            let sp = *self.rng.pick(SPACES);
            write!(self.out, "{sp}{item}").unwrap();
        }
        if self.rng.chance(15) {
            let sp = *self.rng.pick(SPACES);
            self.out.push_str(sp);
        }

        let children = if depth >= self.max_depth || self.elements > 150 {
            0
        } else if depth < self.max_depth.min(4) {
            1 + self.rng.below(4)
        } else {
            self.rng.below(4)
        };
        if children == 0 && self.rng.chance(50) {
            self.out.push_str("/>");
        } else {
            self.out.push('>');
            let mut left = children;
            while left > 0 || self.rng.chance(30) {
                match self.rng.below(10) {
                    0..4 if left > 0 => {
                        left -= 1;
                        self.element(depth + 1, scope);
                    }
                    0..4 => {}
                    4 | 5 => self.text(),
                    6 => {
                        let body = self.fragments(CDATA, 4).replace("]]>", "]] >");
                        write!(self.out, "<![CDATA[{body}]]>").unwrap();
                    }
                    7 => self.comment(),
                    8 => self.pi(),
                    _ => {
                        let ws = *self.rng.pick(&["\n  ", "\r\n\t", " ", "\n"]);
                        self.out.push_str(ws);
                    }
                }
            }
            let sp = if self.rng.chance(10) { "  " } else { "" };
            write!(self.out, "</{qname}{sp}>").unwrap();
        }
        scope.truncate(mark);
    }

    fn eq(&mut self) -> &'static str {
        const EQ: &[&str] = &["=", "=", "=", " = ", "= ", " ="];
        EQ[self.rng.below(EQ.len())]
    }

    fn attribute(&mut self, qname: &str) -> String {
        let quote = if self.rng.chance(25) { '\'' } else { '"' };
        let value = self.attr_value(quote);
        format!("{qname}{}{quote}{value}{quote}", self.eq())
    }
}
