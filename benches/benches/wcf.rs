//! The WCF wsHttpBinding profile on a ~2 KB Calculator-style request: the service opening a
//! request (one RSA-OAEP decryption, derived keys, AES-CBC, HMAC-SHA1 and one RSA verification
//! of the endorsing signature), the service securing its response (symmetric only), and the
//! client securing a request and opening the response — each beside the raw aws-lc-rs
//! operations it cannot avoid, measured in this run. No peer implements this profile outside
//! .NET Framework, so there is no peer column.

use std::time::Duration;

use aws_lc_rs::cipher::{AES_256, EncryptingKey, UnboundCipherKey};
use aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY;
use aws_lc_rs::hmac;
use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use wsseal_benches::floor::{OpenFloor, body_content, print_floor};
use wsseal_benches::raw::RawRsa;
use wsseal_benches::wcf::{engine, request, response};
use wsseal_benches::{Pki, Target, best_batch_rate, best_batch_rates, pki, report_with_target};
use wsseal_core::wss::{Engine, Exchange};
use wsseal_core::{BatchItem, Operation};

const BUDGET: Duration = Duration::from_millis(1500);
const NO_PEER: &str = "no peer outside .NET Framework implements this profile";

/// The messages of one exchange, made once.
struct Exchanged {
    client: Engine,
    service: Engine,
    request: Vec<u8>,
    response: Vec<u8>,
    secured_request: Vec<u8>,
    client_state: Exchange,
    service_state: Exchange,
    secured_response: Vec<u8>,
    at: OffsetDateTime,
}

impl Exchanged {
    fn new(pki: &Pki) -> Self {
        let client = engine(&pki.client, &pki.service);
        let service = engine(&pki.service, &pki.client);
        let (request, response) = (request(), response());
        let at = OffsetDateTime::now_utc();
        let secured = client.secure_at(&request, None, at).expect("secures the request");
        let opened = service.open_at(&secured.envelope, None, at).expect("opens the request");
        let answered = service.secure_at(&response, Some(&opened.exchange), at).expect("secures the response");
        client.open_at(&answered.envelope, Some(&secured.exchange), at).expect("opens the response");
        Self {
            client,
            service,
            request,
            response,
            secured_request: secured.envelope,
            client_state: secured.exchange,
            service_state: opened.exchange,
            secured_response: answered.envelope,
            at,
        }
    }

    fn open_request(&self) {
        std::hint::black_box(self.service.open_at(&self.secured_request, None, self.at).expect("opens"));
    }

    fn secure_response(&self) {
        std::hint::black_box(self.service.secure(&self.response, Some(&self.service_state)).expect("secures"));
    }

    fn secure_request(&self) {
        std::hint::black_box(self.client.secure(&self.request, None).expect("secures"));
    }

    fn open_response(&self) {
        let opened = self.client.open_at(&self.secured_response, Some(&self.client_state), self.at);
        std::hint::black_box(opened.expect("opens"));
    }
}

/// The raw operations, keys parsed once (RSA-OAEP decryption is measured with the open it limits).
struct Limits {
    /// RSA-OAEP encryptions of a 32-byte key per second (public op).
    oaep_encrypt: f64,
    /// RSA-2048 private operations (signatures) per second.
    rsa_sign: f64,
    /// RSA-2048 verifications with a parsed key per second.
    rsa_verify: f64,
    /// HMAC-SHA1 and AES-256-CBC encryption of 2 KB each, per second.
    symmetric_2k: f64,
}

impl Limits {
    fn measure(raw: &mut RawRsa) -> Self {
        let oaep_encrypt = best_batch_rate(BUDGET, || raw.encrypt());
        let rsa_sign = best_batch_rate(BUDGET, || raw.sign());
        let rsa_verify = best_batch_rate(BUDGET, || raw.verify());
        let key = [7u8; 32];
        let data = vec![0x5au8; 2 << 10];
        let mac_key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key[..24]);
        let mut buffer = data.clone();
        let symmetric_2k = best_batch_rate(BUDGET, || {
            std::hint::black_box(hmac::sign(&mac_key, &data));
            let cipher = EncryptingKey::cbc(UnboundCipherKey::new(&AES_256, &key).expect("key")).expect("CBC");
            std::hint::black_box(cipher.encrypt(&mut buffer).expect("encrypts"));
        });
        Self { oaep_encrypt, rsa_sign, rsa_verify, symmetric_2k }
    }
}

fn serial(rates: &[f64]) -> f64 {
    1.0 / rates.iter().map(|r| 1.0 / r).sum::<f64>()
}

fn wcf(c: &mut Criterion) {
    let pki = pki();
    let exchanged = Exchanged::new(&pki);
    let mut group = c.benchmark_group("wcf_2KB");
    group.bench_function("service_open_request", |b| b.iter(|| exchanged.open_request()));
    group.bench_function("service_secure_response", |b| b.iter(|| exchanged.secure_response()));
    group.bench_function("client_secure_request", |b| b.iter(|| exchanged.secure_request()));
    group.bench_function("client_open_response", |b| b.iter(|| exchanged.open_response()));
    group.finish();

    println!(
        "wcf: request {} bytes secured to {}, response {} bytes secured to {}",
        exchanged.request.len(),
        exchanged.secured_request.len(),
        exchanged.response.len(),
        exchanged.secured_response.len()
    );
    let mut raw = RawRsa::new(&pki);
    let limits = Limits::measure(&mut raw);
    // The figure with a target relative to its limit is measured with that limit, batch for batch.
    let floor = || {
        OpenFloor::new(&pki, &exchanged.secured_request, body_content(&exchanged.request), &SHA1_FOR_LEGACY_USE_ONLY)
    };
    let (mut crypto, mut events) = (floor(), floor());
    let [open_request, raw_decrypt, floors @ ..] = best_batch_rates(
        BUDGET,
        [&mut || exchanged.open_request(), &mut || raw.decrypt(), &mut || crypto.crypto(), &mut || {
            events.crypto_and_events()
        }],
    );
    let secure_response = best_batch_rate(BUDGET, || exchanged.secure_response());
    let secure_request = best_batch_rate(BUDGET, || exchanged.secure_request());
    let open_response = best_batch_rate(BUDGET, || exchanged.open_response());
    let peer = || Err(NO_PEER.to_owned());
    let mut verdicts = Vec::new();
    verdicts.extend(report_with_target(
        "wcf 2KB service opens a request",
        "/s",
        open_request,
        ("raw RSA-OAEP decrypt", raw_decrypt),
        peer(),
        Some(Target::OfLimit(0.90)),
    ));
    print_floor("wcf 2KB service opens a request", open_request, floors, raw_decrypt);
    report_with_target(
        "wcf 2KB service opens a request",
        "/s",
        open_request,
        ("raw RSA-OAEP decrypt + RSA verify", serial(&[raw_decrypt, limits.rsa_verify])),
        peer(),
        None,
    );
    verdicts.extend(report_with_target(
        "wcf 2KB service secures a response",
        "/s",
        secure_response,
        ("raw HMAC-SHA1 + AES-256-CBC of 2 KB", limits.symmetric_2k),
        peer(),
        Some(Target::AtLeast(40_000.0)),
    ));
    report_with_target(
        "wcf 2KB client secures a request",
        "/s",
        secure_request,
        ("raw RSA sign + RSA-OAEP encrypt", serial(&[limits.rsa_sign, limits.oaep_encrypt])),
        peer(),
        None,
    );
    report_with_target(
        "wcf 2KB client opens a response",
        "/s",
        open_response,
        ("raw HMAC-SHA1 + AES-256-CBC of 2 KB", limits.symmetric_2k),
        peer(),
        None,
    );
    report_with_target(
        "wcf 2KB client secure + open",
        "/s",
        serial(&[secure_request, open_response]),
        ("raw RSA sign + RSA-OAEP encrypt", serial(&[limits.rsa_sign, limits.oaep_encrypt])),
        peer(),
        None,
    );
    // Batches use the rayon pool: all cores.
    let items: Vec<BatchItem<'_>> =
        (0..64).map(|_| BatchItem { envelope: &exchanged.secured_request, exchange: None }).collect();
    let batch = best_batch_rate(BUDGET, || {
        std::hint::black_box(exchanged.service.process_batch(Operation::OpenRequest, &items));
    }) * items.len() as f64;
    println!("wcf 2KB service opens requests in batches of 64 on every core: {batch:.1} /s");
    let failed = verdicts.iter().filter(|passed| !**passed).count();
    println!("targets: {} of {} met", verdicts.len() - failed, verdicts.len());
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1));
    targets = wcf
}
criterion_main!(benches);
