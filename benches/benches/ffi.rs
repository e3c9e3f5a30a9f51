//! Batches through the C ABI (the `extern "C"` functions of libwsseal, called as a C host calls
//! them) beside `Engine::process_batch` in the same run: a service opens (decrypts + verifies)
//! batches of 64 ~2 KB requests on a 1-thread and a 2-thread pool. Prints the C/Rust ratio
//! (target ≥ 0.97) and the 2-thread speed-up of the C ABI (target ≥ 1.85×).

use std::ptr::{null, null_mut};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wsseal::batch::{wsseal_batch_item, wsseal_engine_process_batch, wsseal_pool, wsseal_pool_free, wsseal_pool_new};
use wsseal::engine::{wsseal_engine, wsseal_engine_free, wsseal_engine_from_toml};
use wsseal::operation::{WSSEAL_OPEN_REQUEST, wsseal_outcome, wsseal_outcome_code, wsseal_outcome_free};
use wsseal_benches::{Pki, Target, best_rate, envelope_without_header, pki, report_with_target};
use wsseal_core::config::Config;
use wsseal_core::{BatchItem, Engine, Operation};

const BATCH: usize = 64;
const ROUNDS: usize = 4;
const BUDGET: Duration = Duration::from_millis(400);

/// The TOML of one side; the service does not detect replays (it opens the same batch again).
fn toml(pki: &Pki, service: bool) -> String {
    let (us, peer) = if service { (&pki.service, &pki.client) } else { (&pki.client, &pki.service) };
    format!(
        "[credentials]\ncertificate = {:?}\nprivate_key = {:?}\n[peer]\ncertificate = {:?}\n\
         [policy]\nsuite = \"Basic256Sha256\"\ndetect_replays = false\n",
        us.certificate_path, us.key_path, peer.certificate_path
    )
}

/// The service as a C host holds it.
struct CEngine(*mut wsseal_engine);

impl CEngine {
    fn new(toml: &str) -> Self {
        let mut engine = null_mut();
        // SAFETY: valid pointers for the call.
        let rc = unsafe { wsseal_engine_from_toml(toml.as_ptr(), toml.len(), null(), null(), &mut engine) };
        assert_eq!(rc, 0, "the C engine");
        Self(engine)
    }

    /// Opens the batch and frees the outcomes, as a host would after reading them.
    fn open(&self, pool: &CPool, items: &[wsseal_batch_item], outcomes: &mut [*mut wsseal_outcome]) {
        // SAFETY: valid pointers; `outcomes` has one entry per item; each outcome is freed once.
        unsafe {
            let rc = wsseal_engine_process_batch(
                self.0,
                pool.0,
                WSSEAL_OPEN_REQUEST,
                items.as_ptr(),
                items.len(),
                outcomes.as_mut_ptr(),
            );
            assert_eq!(rc, 0);
            for outcome in outcomes.iter_mut() {
                assert_eq!(wsseal_outcome_code(*outcome), 0);
                wsseal_outcome_free(*outcome);
            }
        }
    }
}

impl Drop for CEngine {
    fn drop(&mut self) {
        // SAFETY: our engine, freed once.
        unsafe { wsseal_engine_free(self.0) }
    }
}

struct CPool(*mut wsseal_pool);

impl CPool {
    fn new(threads: usize) -> Self {
        let mut pool = null_mut();
        // SAFETY: a valid out pointer.
        assert_eq!(unsafe { wsseal_pool_new(threads, &mut pool) }, 0);
        Self(pool)
    }
}

impl Drop for CPool {
    fn drop(&mut self) {
        // SAFETY: our pool, freed once.
        unsafe { wsseal_pool_free(self.0) }
    }
}

fn rust_open(engine: &Engine, pool: &rayon::ThreadPool, items: &[BatchItem<'_>]) {
    let results = pool.install(|| engine.process_batch(Operation::OpenRequest, items));
    assert!(results.iter().all(Result::is_ok));
}

fn ffi(c: &mut Criterion) {
    let pki = pki();
    let client = Config::from_toml(&toml(&pki, false), ".").and_then(|c| c.engine()).expect("the client");
    let service = Config::from_toml(&toml(&pki, true), ".").and_then(|c| c.engine()).expect("the service");
    let c_service = CEngine::new(&toml(&pki, true));
    let request = envelope_without_header(2 << 10);
    let secured: Vec<Vec<u8>> = (0..BATCH).map(|_| client.secure(&request, None).expect("secured").envelope).collect();
    let rust_items: Vec<BatchItem<'_>> = secured.iter().map(|e| BatchItem { envelope: e, exchange: None }).collect();
    let c_items: Vec<wsseal_batch_item> = secured
        .iter()
        .map(|e| wsseal_batch_item { envelope: e.as_ptr(), envelope_len: e.len(), exchange: null() })
        .collect();
    let mut outcomes = vec![null_mut(); BATCH];
    let rust_pools: Vec<rayon::ThreadPool> =
        [1, 2].iter().map(|&n| rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("a pool")).collect();
    let c_pools = [CPool::new(1), CPool::new(2)];

    // Summary: best of alternating rounds, messages per second.
    let mut rust_rate = [0f64; 2];
    let mut c_rate = [0f64; 2];
    for _ in 0..ROUNDS {
        for threads in 0..2 {
            let rate = best_rate(BUDGET, || rust_open(&service, &rust_pools[threads], &rust_items));
            rust_rate[threads] = rust_rate[threads].max(rate * BATCH as f64);
            let rate = best_rate(BUDGET, || c_service.open(&c_pools[threads], &c_items, &mut outcomes));
            c_rate[threads] = c_rate[threads].max(rate * BATCH as f64);
        }
    }
    let mut passed = true;
    for (threads, label) in [(0, "1 thread"), (1, "2 threads")] {
        passed &= report_with_target(
            &format!("ffi: open batch of {BATCH} x 2KB, C ABI, {label}"),
            "msg/s",
            c_rate[threads],
            ("Engine::process_batch", rust_rate[threads]),
            Err("none for the C ABI".into()),
            Some(Target::OfLimit(0.97)),
        )
        .unwrap_or(true);
    }
    passed &= report_with_target(
        "ffi: open batch, C ABI, 2 threads",
        "msg/s",
        c_rate[1],
        ("the C ABI on 1 thread", c_rate[0]),
        Err("none".into()),
        Some(Target::OfLimit(1.85)),
    )
    .unwrap_or(true);
    println!("ffi: targets {}", if passed { "met" } else { "NOT met" });

    let mut group = c.benchmark_group("ffi_open_batch_2KB");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    for (threads, label) in [(0, "1_thread"), (1, "2_threads")] {
        group.bench_function(format!("rust_{label}"), |b| {
            b.iter(|| rust_open(&service, &rust_pools[threads], &rust_items))
        });
        group.bench_function(format!("c_abi_{label}"), |b| {
            b.iter(|| c_service.open(&c_pools[threads], &c_items, &mut outcomes))
        });
    }
    group.finish();
}

criterion_group!(benches, ffi);
criterion_main!(benches);
