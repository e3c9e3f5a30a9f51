//! The WS-Security 1.0 engine end to end — sign, verify, sign + encrypt, decrypt + verify — on
//! ~2 KB, ~100 KB and ~10 MB envelopes (suite Basic256Sha256), each beside its limit (the raw
//! aws-lc-rs operations the message cannot avoid) and python-xmlsec doing the same work, all
//! measured in this run.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_lc_rs::cipher::{AES_256, DecryptingKey, DecryptionContext, EncryptingKey, UnboundCipherKey};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::iv::FixedLength;
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use time::OffsetDateTime;
use wsseal_benches::floor::{OpenFloor, body_content, print_floor};
use wsseal_benches::raw::RawRsa;
use wsseal_benches::{
    Party, Pki, Target, best_batch_rate, best_batch_rates, envelope_without_header, peer_rate, pki, report_with_target,
};
use wsseal_core::cert::Certificate;
use wsseal_core::wss::{AlgorithmSuite, Credentials, Engine, Policy};

/// The sizes: (label, `envelope_with_body` size).
const SIZES: [(&str, usize); 3] = [("2KB", 2 << 10), ("100KB", 100 << 10), ("10MB", 10 << 20)];

/// Our time budget per summary figure, and the peer's (the peer is slower: fewer calls fit).
const BUDGET: Duration = Duration::from_millis(1500);
const PEER_SECONDS: &str = "2";
const PEER_SECONDS_LARGE: &str = "1";

/// The four engines: the client secures (sign-only or sign + encrypt for the service), the
/// service opens. The service does not detect replays: it opens the same message over and over.
struct Engines {
    client_sign: Engine,
    service_verify: Engine,
    client_secure: Engine,
    service_open: Engine,
}

fn policy(encrypt_body: bool, detect_replays: bool) -> Policy {
    let suite = AlgorithmSuite::by_name("Basic256Sha256").expect("a named suite");
    Policy { suite, encrypt_body, detect_replays, ..Policy::default() }
}

fn engine(policy: Policy, us: &Party, peer: &Party) -> Engine {
    let credentials =
        Credentials::from_pem(us.certificate_pem.as_bytes(), us.key_pem.as_bytes()).expect("our credentials");
    let peer = Certificate::from_pem(peer.certificate_pem.as_bytes()).expect("the peer certificate");
    Engine::new(policy, credentials, peer).expect("an engine")
}

impl Engines {
    fn new(pki: &Pki) -> Self {
        Self {
            client_sign: engine(policy(false, true), &pki.client, &pki.service),
            service_verify: engine(policy(false, false), &pki.service, &pki.client),
            client_secure: engine(policy(true, true), &pki.client, &pki.service),
            service_open: engine(policy(true, false), &pki.service, &pki.client),
        }
    }
}

/// One size: the plain envelope, our signed and our secured message with the time they were made
/// at (opening uses that time, so the Timestamp stays fresh however long the run), as files too.
struct Input {
    label: &'static str,
    plain: Vec<u8>,
    signed: Vec<u8>,
    secured: Vec<u8>,
    at: OffsetDateTime,
    plain_path: PathBuf,
    signed_path: PathBuf,
    secured_path: PathBuf,
}

impl Input {
    fn new(label: &'static str, size: usize, engines: &Engines, dir: &Path) -> Self {
        let plain = envelope_without_header(size);
        let at = OffsetDateTime::now_utc();
        let signed = engines.client_sign.secure_at(&plain, None, at).expect("signs").envelope;
        let secured = engines.client_secure.secure_at(&plain, None, at).expect("secures").envelope;
        engines.service_verify.open_at(&signed, None, at).expect("our signed message opens");
        engines.service_open.open_at(&secured, None, at).expect("our secured message opens");
        let write = |what: &str, bytes: &[u8]| {
            let path = dir.join(format!("{label}-{what}.xml"));
            std::fs::write(&path, bytes).expect("write a benchmark input");
            path
        };
        Self {
            label,
            plain_path: write("plain", &plain),
            signed_path: write("signed", &signed),
            secured_path: write("secured", &secured),
            plain,
            signed,
            secured,
            at,
        }
    }

    fn large(&self) -> bool {
        self.plain.len() > 1 << 20
    }

    fn sign(&self, engines: &Engines) {
        std::hint::black_box(engines.client_sign.secure(&self.plain, None).expect("signs"));
    }

    fn verify(&self, engines: &Engines) {
        std::hint::black_box(engines.service_verify.open_at(&self.signed, None, self.at).expect("verifies"));
    }

    fn secure(&self, engines: &Engines) {
        std::hint::black_box(engines.client_secure.secure(&self.plain, None).expect("secures"));
    }

    fn open(&self, engines: &Engines) {
        std::hint::black_box(engines.service_open.open_at(&self.secured, None, self.at).expect("opens"));
    }
}

/// The raw aws-lc-rs operations, keys parsed once.
struct Limits {
    /// RSA-2048 PKCS#1 v1.5 SHA-256 signatures of 32 bytes per second.
    rsa_sign: f64,
    /// RSA-2048 verifications with a parsed key per second.
    rsa_verify: f64,
    /// RSA-OAEP (SHA-1, MGF1-SHA-1) encryptions of a 32-byte key per second (public op).
    oaep_encrypt: f64,
    /// RSA-OAEP decryptions of a 32-byte key per second (private op).
    oaep_decrypt: f64,
    /// SHA-256, MB/s.
    sha256: f64,
    /// AES-256-CBC encryption, MB/s.
    aes_cbc_encrypt: f64,
    /// AES-256-CBC decryption, MB/s.
    aes_cbc_decrypt: f64,
}

impl Limits {
    fn measure(raw: &mut RawRsa) -> Self {
        let rsa_sign = best_batch_rate(BUDGET, || raw.sign());
        let rsa_verify = best_batch_rate(BUDGET, || raw.verify());
        let oaep_encrypt = best_batch_rate(BUDGET, || raw.encrypt());
        let oaep_decrypt = best_batch_rate(BUDGET, || raw.decrypt());

        let bulk = vec![0x5au8; 10 << 20];
        let mb = bulk.len() as f64 / 1e6;
        let budget = Duration::from_millis(600);
        let sha256 = best_batch_rate(budget, || {
            std::hint::black_box(digest(&SHA256, &bulk));
        }) * mb;
        let key = [3u8; 32];
        let mut buffer = bulk.clone();
        let aes_cbc_encrypt = best_batch_rate(budget, || {
            let key = EncryptingKey::cbc(UnboundCipherKey::new(&AES_256, &key).expect("a key")).expect("CBC");
            std::hint::black_box(key.encrypt(&mut buffer).expect("encrypts"));
        }) * mb;
        let iv = [9u8; 16];
        let aes_cbc_decrypt = best_batch_rate(budget, || {
            let key = DecryptingKey::cbc(UnboundCipherKey::new(&AES_256, &key).expect("a key")).expect("CBC");
            let context = DecryptionContext::Iv128(FixedLength::from(iv));
            std::hint::black_box(key.decrypt(&mut buffer, context).expect("decrypts"));
        }) * mb;
        Self { rsa_sign, rsa_verify, oaep_encrypt, oaep_decrypt, sha256, aes_cbc_encrypt, aes_cbc_decrypt }
    }
}

/// Calls per second of `n` operations in a row, each at its own rate.
fn serial(rates: &[f64]) -> f64 {
    1.0 / rates.iter().map(|r| 1.0 / r).sum::<f64>()
}

/// The rate of what a call at `whole` per second does beyond a call at `part` per second: the
/// decryption inside a decrypt+verify, given the verify of the same Body (an opened message is
/// always verified, so decrypting has no call of its own).
fn beyond(whole: f64, part: f64) -> f64 {
    let extra = 1.0 / whole - 1.0 / part;
    if extra > 0.0 { 1.0 / extra } else { f64::INFINITY }
}

fn criterion_groups(c: &mut Criterion, engines: &Engines, inputs: &[Input]) {
    for input in inputs {
        let mut group = c.benchmark_group(format!("wss_{}", input.label));
        group.throughput(Throughput::Bytes(input.plain.len() as u64));
        if input.large() {
            group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(2));
        }
        group.bench_function(BenchmarkId::from_parameter("sign"), |b| b.iter(|| input.sign(engines)));
        group.bench_function(BenchmarkId::from_parameter("verify"), |b| b.iter(|| input.verify(engines)));
        group.bench_function(BenchmarkId::from_parameter("secure"), |b| b.iter(|| input.secure(engines)));
        group.bench_function(BenchmarkId::from_parameter("open"), |b| b.iter(|| input.open(engines)));
        group.finish();
    }
}

fn peer(what: &str, args: &[&Path], input: &Input) -> Result<f64, String> {
    let seconds = if input.large() { PEER_SECONDS_LARGE } else { PEER_SECONDS };
    let args: Vec<&str> = std::iter::once(what)
        .chain(std::iter::once(args[0].to_str().expect("UTF-8 path")))
        .chain(std::iter::once(seconds))
        .chain(args[1..].iter().map(|p| p.to_str().expect("UTF-8 path")))
        .collect();
    peer_rate("wss_peer.py", &args)
}

fn summary(engines: &Engines, inputs: &[Input], pki: &Pki) -> Vec<(String, bool)> {
    let mut raw = RawRsa::new(pki);
    let limits = Limits::measure(&mut raw);
    let (client, service) = (&pki.client, &pki.service);
    let mut verdicts = Vec::new();
    println!(
        "\n== same-run summary (one core; suite Basic256Sha256, RSA-2048; the opening engine has detect_replays: false so that it accepts the same message again) =="
    );
    println!(
        "limits: RSA-2048 sign {:.0}/s, verify (parsed key) {:.0}/s, RSA-OAEP encrypt {:.0}/s, decrypt {:.0}/s; SHA-256 {:.0} MB/s, AES-256-CBC encrypt {:.0} MB/s, decrypt {:.0} MB/s",
        limits.rsa_sign,
        limits.rsa_verify,
        limits.oaep_encrypt,
        limits.oaep_decrypt,
        limits.sha256,
        limits.aes_cbc_encrypt,
        limits.aes_cbc_decrypt
    );
    for input in inputs {
        let size = input.plain.len();
        let mb = size as f64 / 1e6;
        println!(
            "-- {} ({} B plain envelope, {} B signed, {} B secured) --",
            input.label,
            size,
            input.signed.len(),
            input.secured.len()
        );
        let budget = if input.large() { Duration::from_secs(1) } else { BUDGET };
        // A figure with a target relative to its limit is measured with that limit, batch for batch.
        let paired = input.label == "2KB";
        let with = |ours: &mut dyn FnMut(), limit: &mut dyn FnMut(), global: f64| {
            if paired { best_batch_rates(budget, [ours, limit]) } else { [best_batch_rate(budget, ours), global] }
        };
        let [sign, raw_sign] = with(&mut || input.sign(engines), &mut || raw.sign(), limits.rsa_sign);
        let [verify, raw_verify] = with(&mut || input.verify(engines), &mut || raw.verify(), limits.rsa_verify);
        // The 2 KB open is measured with its two floors too (`wsseal_benches::floor`).
        let floor = || OpenFloor::new(pki, &input.secured, body_content(&input.plain), &SHA256);
        let mut floors = paired.then(|| (floor(), floor()));
        let [open, raw_decrypt, floors @ ..] = match floors.as_mut() {
            Some((crypto, events)) => best_batch_rates(
                budget,
                [&mut || input.open(engines), &mut || raw.decrypt(), &mut || crypto.crypto(), &mut || {
                    events.crypto_and_events()
                }],
            ),
            None => [best_batch_rate(budget, || input.open(engines)), limits.oaep_decrypt, f64::NAN, f64::NAN],
        };
        let secure = best_batch_rate(budget, || input.secure(engines));
        let peer_sign = peer("sign", &[&input.plain_path, &client.key_path, &client.certificate_path], input);
        let peer_verify = peer("verify", &[&input.signed_path], input);
        let peer_secure = peer(
            "secure",
            &[&input.plain_path, &client.key_path, &client.certificate_path, &service.certificate_path],
            input,
        );
        let peer_open = peer("open", &[&input.secured_path, &service.key_path], input);
        let name = |what: &str| format!("{what} {}", input.label);
        let mut line = |what: String, unit: &str, ours: f64, limit: (&str, f64), peer: Result<f64, String>, t| {
            let peer = peer.map(|rate| ("python-xmlsec", if unit == "MB/s" { rate * mb } else { rate }));
            if let Some(passed) = report_with_target(&what, unit, ours, limit, peer, t) {
                verdicts.push((what, passed));
            }
        };
        let per_byte = |rate_mb: f64| rate_mb / mb;
        match input.label {
            "2KB" => {
                line(name("sign"), "/s", sign, ("raw RSA sign", raw_sign), peer_sign, Some(Target::OfLimit(0.95)));
                line(
                    name("verify"),
                    "/s",
                    verify,
                    ("raw RSA verify", raw_verify),
                    peer_verify,
                    Some(Target::AtLeast(50_000.0)),
                );
                line(
                    name("sign+encrypt"),
                    "/s",
                    secure,
                    ("raw RSA sign + RSA-OAEP encrypt", serial(&[limits.rsa_sign, limits.oaep_encrypt])),
                    peer_secure,
                    None,
                );
                line(
                    name("decrypt+verify"),
                    "/s",
                    open,
                    ("raw RSA-OAEP decrypt", raw_decrypt),
                    peer_open,
                    Some(Target::OfLimit(0.92)),
                );
                print_floor(&name("decrypt+verify"), open, floors, raw_decrypt);
            }
            "100KB" => {
                let sha = per_byte(limits.sha256);
                line(
                    name("sign"),
                    "/s",
                    sign,
                    ("raw RSA sign + SHA-256", serial(&[limits.rsa_sign, sha])),
                    peer_sign,
                    None,
                );
                line(
                    name("verify"),
                    "/s",
                    verify,
                    ("raw RSA verify + SHA-256", serial(&[limits.rsa_verify, sha])),
                    peer_verify,
                    None,
                );
                line(
                    name("sign+encrypt"),
                    "/s",
                    secure,
                    (
                        "raw RSA sign + RSA-OAEP encrypt + SHA-256 + AES-CBC encrypt",
                        serial(&[limits.rsa_sign, limits.oaep_encrypt, sha, per_byte(limits.aes_cbc_encrypt)]),
                    ),
                    peer_secure,
                    None,
                );
                line(
                    name("decrypt+verify"),
                    "/s",
                    open,
                    (
                        "raw RSA-OAEP decrypt + AES-CBC decrypt + RSA verify + SHA-256",
                        serial(&[limits.oaep_decrypt, per_byte(limits.aes_cbc_decrypt), limits.rsa_verify, sha]),
                    ),
                    peer_open,
                    None,
                );
            }
            _ => {
                line(name("sign"), "MB/s", sign * mb, ("raw SHA-256", limits.sha256), peer_sign, None);
                line(
                    name("verify"),
                    "MB/s",
                    verify * mb,
                    ("raw SHA-256", limits.sha256),
                    peer_verify.clone(),
                    Some(Target::AtLeast(600.0)),
                );
                line(
                    name("sign+encrypt"),
                    "MB/s",
                    secure * mb,
                    ("raw AES-256-CBC encrypt", limits.aes_cbc_encrypt),
                    peer_secure,
                    None,
                );
                line(
                    name("decrypt+verify"),
                    "MB/s",
                    open * mb,
                    ("raw AES-256-CBC decrypt", limits.aes_cbc_decrypt),
                    peer_open.clone(),
                    None,
                );
                let decrypting = peer_open.and_then(|open| peer_verify.map(|verify| beyond(open, verify)));
                line(
                    format!("decrypt {} (decrypt+verify minus verify)", input.label),
                    "MB/s",
                    beyond(open, verify) * mb,
                    ("raw AES-256-CBC decrypt", limits.aes_cbc_decrypt),
                    decrypting,
                    Some(Target::AtLeast(800.0)),
                );
            }
        }
    }
    verdicts
}

fn wss(c: &mut Criterion) {
    let pki = pki();
    let engines = Engines::new(&pki);
    let inputs: Vec<Input> =
        SIZES.iter().map(|&(label, size)| Input::new(label, size, &engines, pki.dir.path())).collect();
    criterion_groups(c, &engines, &inputs);
    let verdicts = summary(&engines, &inputs, &pki);
    let failed: Vec<&str> = verdicts.iter().filter(|(_, passed)| !passed).map(|(what, _)| what.as_str()).collect();
    println!(
        "targets: {} of {} met{}",
        verdicts.len() - failed.len(),
        verdicts.len(),
        if failed.is_empty() { String::new() } else { format!("; missed: {}", failed.join(", ")) }
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1));
    targets = wss
}
criterion_main!(benches);
