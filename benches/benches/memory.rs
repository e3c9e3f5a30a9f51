//! Peak memory of each WS-Security 1.0 operation — sign, verify, sign + encrypt, decrypt +
//! verify — on one ~100 MB envelope (suite Basic256Sha256), against the target of
//! performance.md: at most 2.2 x the envelope size. Each operation runs once in a fresh child
//! process (this binary, run again with `--child`), which reads its input envelope and runs the
//! operation with its output still held; two figures, both counting the input buffer:
//!
//! - peak resident set (`VmHWM` after `/proc/self/clear_refs` reset it to the resident set before
//!   the input was read) minus that resident set: the honest figure, and the one judged;
//! - peak live heap bytes (this binary's counting global allocator), which also counts reserved
//!   capacity that was never touched.
//!
//! Beside each: the floor (input + output, both held when the operation returns) and
//! python-xmlsec's peak resident set for the same operation (`peers/wss_peer.py --memory`).
//! Run by `cargo test` (no `--bench` argument), it measures a 4 MB envelope, skips the peer, and
//! checks that the figures are sound.

use std::path::{Path, PathBuf};
use std::process::Command;

use time::OffsetDateTime;
use wsseal_benches::memory::{
    CountingAllocator, heap_peak, large_buffers_at_peak, peak_rss, reset_heap_peak, reset_peak_rss,
};
use wsseal_benches::{Target, envelope_without_header, peer_python, pki, report_with_target};
use wsseal_core::cert::Certificate;
use wsseal_core::wss::{AlgorithmSuite, Credentials, Engine, Policy};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The envelope of the benchmark, and of the smoke run under `cargo test`.
const SIZE: usize = 100 << 20;
const SMOKE_SIZE: usize = 4 << 20;
/// The target: peak memory at most this many times the envelope size.
const TARGET_RATIO: f64 = 2.2;

/// The operations measured.
#[derive(Clone, Copy, Debug)]
enum Operation {
    Sign,
    Verify,
    SignEncrypt,
    DecryptVerify,
}

impl Operation {
    const ALL: [Self; 4] = [Self::Sign, Self::Verify, Self::SignEncrypt, Self::DecryptVerify];

    fn name(self) -> &'static str {
        match self {
            Self::Sign => "sign",
            Self::Verify => "verify",
            Self::SignEncrypt => "sign+encrypt",
            Self::DecryptVerify => "decrypt+verify",
        }
    }

    fn from_name(name: &str) -> Self {
        Self::ALL.into_iter().find(|op| op.name() == name).expect("an operation name")
    }

    /// The file holding this operation's input envelope.
    fn input(self, dir: &Path) -> PathBuf {
        dir.join(match self {
            Self::Sign | Self::SignEncrypt => "plain.xml",
            Self::Verify => "signed.xml",
            Self::DecryptVerify => "secured.xml",
        })
    }

    fn encrypts(self) -> bool {
        matches!(self, Self::SignEncrypt | Self::DecryptVerify)
    }

    fn secures(self) -> bool {
        matches!(self, Self::Sign | Self::SignEncrypt)
    }

    /// The engine that runs this operation: the client secures, the service opens (without
    /// replay detection, which is beside the point here), with the size limits raised to `size`.
    fn engine(self, dir: &Path, size: usize) -> Engine {
        let (us, peer) = if self.secures() { ("client", "service") } else { ("service", "client") };
        let read = |name: String| std::fs::read(dir.join(name)).expect("a PEM file of the PKI");
        let credentials =
            Credentials::from_pem(&read(format!("{us}.pem")), &read(format!("{us}.key"))).expect("our credentials");
        let peer = Certificate::from_pem(&read(format!("{peer}.pem"))).expect("the peer certificate");
        let mut policy = Policy {
            suite: AlgorithmSuite::by_name("Basic256Sha256").expect("a named suite"),
            encrypt_body: self.encrypts(),
            detect_replays: false,
            ..Policy::default()
        };
        policy.limits.xml.max_size = size;
        policy.limits.xml.max_text_len = size;
        Engine::new(policy, credentials, peer).expect("an engine")
    }

    /// Runs the operation on `input` and returns its output envelope.
    fn run(self, engine: &Engine, input: &[u8], at: OffsetDateTime) -> Vec<u8> {
        if self.secures() {
            engine.secure_at(input, None, at).expect("secures").envelope
        } else {
            engine.open_at(input, None, at).expect("opens").envelope
        }
    }

    /// The arguments of `peers/wss_peer.py` for this operation.
    fn peer_args(self, dir: &Path) -> Vec<PathBuf> {
        let (command, rest): (&str, &[&str]) = match self {
            Self::Sign => ("sign", &["client.key", "client.pem"]),
            Self::Verify => ("verify", &[]),
            Self::SignEncrypt => ("secure", &["client.key", "client.pem", "service.pem"]),
            Self::DecryptVerify => ("open", &["service.key"]),
        };
        [PathBuf::from(command), self.input(dir), PathBuf::from("0")]
            .into_iter()
            .chain(rest.iter().map(|name| dir.join(name)))
            .chain([PathBuf::from("--memory")])
            .collect()
    }
}

/// What one child measured.
#[derive(Debug)]
struct Measured {
    input: usize,
    output: usize,
    /// Peak resident set above the one before the input was read, or why it is unknown.
    rss: Result<usize, String>,
    /// Peak live heap bytes above those live before the input was read.
    heap: usize,
    /// The allocations of 1 MiB or more live at the heap peak, largest first.
    large: Vec<usize>,
}

/// `--child OPERATION DIR SIZE AT`: runs one operation in this fresh process and prints what
/// it measured on one line.
fn child(args: &[String]) {
    let [operation, dir, size, at] = args else { panic!("--child OPERATION DIR SIZE AT") };
    let operation = Operation::from_name(operation);
    let dir = Path::new(dir);
    let engine = operation.engine(dir, size.parse().expect("a size"));
    let at = OffsetDateTime::from_unix_timestamp(at.parse().expect("a time")).expect("a time");
    let heap_base = reset_heap_peak();
    let rss_base = reset_peak_rss();
    let input = std::fs::read(operation.input(dir)).expect("the input envelope");
    let output = operation.run(&engine, &input, at);
    let heap = heap_peak() - heap_base;
    let rss = rss_base.and_then(|base| Ok(peak_rss()? - base));
    let large: Vec<String> = large_buffers_at_peak().iter().map(usize::to_string).collect();
    println!(
        "input={} output={} heap={heap} rss={} large={}",
        input.len(),
        output.len(),
        rss.map_or_else(|why| why.replace(' ', "_"), |rss| rss.to_string()),
        large.join(",")
    );
}

/// Runs `operation` in a child process.
fn measure(operation: Operation, dir: &Path, size: usize, at: OffsetDateTime) -> Measured {
    let exe = std::env::current_exe().expect("this benchmark's path");
    let output = Command::new(exe)
        .args(["--child", operation.name()])
        .arg(dir)
        .args([(4 * size).to_string(), at.unix_timestamp().to_string()])
        .output()
        .expect("the child runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{} failed: {}{}",
        operation.name(),
        text,
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no {name} in the child's line: {text}"))
    };
    let number = |name: &str| field(name).parse::<usize>().unwrap_or_else(|_| panic!("{name} is not a number: {text}"));
    Measured {
        input: number("input"),
        output: number("output"),
        heap: number("heap"),
        rss: field("rss").parse().map_err(|_| field("rss").replace('_', " ")),
        large: field("large").split(',').filter(|s| !s.is_empty()).map(|s| s.parse().expect("a size")).collect(),
    }
}

/// python-xmlsec's peak resident set for the same operation, in bytes.
fn peer(operation: Operation, dir: &Path) -> Result<f64, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers/wss_peer.py");
    let python = peer_python();
    let output = Command::new(&python)
        .arg(script)
        .args(operation.peer_args(dir))
        .output()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().parse().map_err(|_| format!("unexpected peer output: {text}"))
}

/// Writes the PKI's PEM files and the three input envelopes to the PKI's directory; returns the
/// time the messages were secured at (opening at that time keeps their Timestamp fresh).
fn prepare(dir: &Path, size: usize) -> OffsetDateTime {
    let plain = envelope_without_header(size);
    // Whole seconds: the child is handed a Unix time.
    let at = OffsetDateTime::from_unix_timestamp(OffsetDateTime::now_utc().unix_timestamp()).expect("now");
    for operation in [Operation::Sign, Operation::SignEncrypt] {
        let secured = operation.run(&operation.engine(dir, 4 * size), &plain, at);
        let name = if operation.encrypts() { "secured.xml" } else { "signed.xml" };
        std::fs::write(dir.join(name), secured).expect("write a secured envelope");
    }
    std::fs::write(dir.join("plain.xml"), plain).expect("write the plain envelope");
    at
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        child(&args[2..]);
        return;
    }
    let full = args.iter().any(|a| a == "--bench");
    let size = if full { SIZE } else { SMOKE_SIZE };
    let pki = pki();
    for (party, name) in [(&pki.client, "client"), (&pki.service, "service")] {
        assert_eq!(party.certificate_path, pki.dir.path().join(format!("{name}.pem")));
    }
    let dir = pki.dir.path();
    let at = prepare(dir, size);

    let mb = |bytes: f64| bytes / 1e6;
    println!(
        "\n== peak memory of one operation, each in a fresh process, input buffer included (suite Basic256Sha256, RSA-2048; {} MB envelope) ==",
        size >> 20
    );
    let mut verdicts = Vec::new();
    for operation in Operation::ALL {
        let measured = measure(operation, dir, size, at);
        let envelope = measured.input as f64;
        let floor = (measured.input + measured.output) as f64;
        let peer = if full { peer(operation, dir) } else { Err("not run in the smoke run".to_owned()) };
        let peer = peer.map(|bytes| ("python-xmlsec", mb(bytes)));
        // The target is set for a 100 MB envelope: a smoke run's small tables are kept per thread,
        // and its ratios say nothing about it.
        let target = full.then_some(Target::AtMostTimes { ratio: TARGET_RATIO, name: "envelope", of: mb(envelope) });
        let what = format!("{} {} MB", operation.name(), size >> 20);
        let limit = ("input + output", mb(floor));
        match &measured.rss {
            Ok(rss) => {
                let line = format!("{what}, peak RSS ({:.2} x envelope)", *rss as f64 / envelope);
                if let Some(passed) = report_with_target(&line, "MB", mb(*rss as f64), limit, peer.clone(), target) {
                    verdicts.push((what.clone(), passed));
                }
            }
            Err(why) => println!("{what}, peak RSS: unavailable ({why})"),
        }
        let line = format!("{what}, peak heap ({:.2} x envelope)", measured.heap as f64 / envelope);
        report_with_target(&line, "MB", mb(measured.heap as f64), limit, peer, None);
        let large: Vec<String> = measured.large.iter().map(|&b| format!("{:.1}", mb(b as f64))).collect();
        println!("  live at the heap peak, buffers of 1 MiB or more (MB): {}", large.join(", "));
        // Sound figures: the input and the output are both held when the operation returns.
        assert!(measured.heap >= measured.input + measured.output, "{what}: the heap peak misses a buffer");
        if let Ok(rss) = measured.rss {
            assert!(rss as f64 >= 0.9 * floor, "{what}: the peak RSS misses a buffer: {measured:?}");
        }
    }
    if !full {
        println!("smoke run: no target verdict (the target is for a 100 MB envelope: cargo bench --bench memory)");
        return;
    }
    let failed: Vec<&str> = verdicts.iter().filter(|(_, passed)| !passed).map(|(what, _)| what.as_str()).collect();
    println!(
        "targets (peak RSS): {} of {} met{}",
        verdicts.len() - failed.len(),
        verdicts.len(),
        if failed.is_empty() { String::new() } else { format!("; missed: {}", failed.join(", ")) }
    );
}
