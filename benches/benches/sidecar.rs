//! The sidecar over its Unix socket against the in-process library, same run: throughput of
//! batches of 64 × ~2 KB verifications (`open_request` of signed envelopes; target ≥ 0.90 of
//! in-process `Engine::process_batch` on a pool of the same size), and p50/p99 latency of
//! single-item requests at moderate load (two clients, one request each in flight). Envelopes are
//! ~2.5 KB, signed (IssuerSerial, no BinarySecurityToken), not encrypted; replay detection off
//! (the same 64 are verified again and again).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use wsseal_benches::{Target, envelope_without_header, pki, report_with_target};
use wsseal_core::config::Config;
use wsseal_core::{BatchItem, Engine, Operation};
use wsseal_sidecar::client::Client;
use wsseal_sidecar::protocol::Op;
use wsseal_sidecar::server::Server;
use wsseal_sidecar::settings::Settings;

const BATCH: usize = 64;
const THREADS: usize = 2;
const BUDGET: Duration = Duration::from_secs(3);
/// Batches each client keeps in flight, so the sidecar's pool never waits for the socket.
const PIPELINE: usize = 3;

fn engine_toml(us: &wsseal_benches::Party, them: &wsseal_benches::Party) -> String {
    format!(
        "[credentials]\ncertificate = {:?}\nprivate_key = {:?}\n[peer]\ncertificate = {:?}\n\
         [policy]\nencrypt_body = false\nencrypted_headers = []\ndetect_replays = false\nsigner_reference = \"IssuerSerial\"\n",
        us.certificate_path, us.key_path, them.certificate_path
    )
}

fn bench(c: &mut Criterion) {
    let pki = pki();
    let secure_config = Config::from_toml(&engine_toml(&pki.client, &pki.service), "").unwrap();
    let service_toml = engine_toml(&pki.service, &pki.client);
    let client_engine = secure_config.engine().unwrap();
    let envelopes: Vec<Vec<u8>> =
        (0..BATCH).map(|_| client_engine.secure(&envelope_without_header(100), None).unwrap().envelope).collect();
    let average = envelopes.iter().map(Vec::len).sum::<usize>() / BATCH;

    // In process: the engine's own batch on a pool of THREADS.
    let engine: Engine = Config::from_toml(&service_toml, "").unwrap().engine().unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(THREADS).build().unwrap();
    let items: Vec<BatchItem<'_>> = envelopes.iter().map(|e| BatchItem { envelope: e, exchange: None }).collect();
    let in_process = || {
        let results = pool.install(|| engine.process_batch(Operation::OpenRequest, &items));
        assert!(results.iter().all(Result::is_ok));
    };

    // The sidecar, in this process on its own runtime, over a real Unix socket.
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bench.sock");
    let mut table: toml::Table = toml::from_str(&format!(
        "[listen]\nunix = {socket:?}\n[http]\nlisten = \"\"\n[workers]\nthreads = {THREADS}\n"
    ))
    .unwrap();
    let engine_table: toml::Table = toml::from_str(&service_toml).unwrap();
    table.insert("engine".into(), engine_table.into());
    let settings = Settings::load(None, Vec::new(), table).unwrap();
    let server_runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = server_runtime.block_on(Server::bind(settings)).unwrap();
    let serving = server_runtime.spawn(server.run(async move {
        let _ = stopped.await;
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let client = Arc::new(runtime.block_on(Client::connect_unix(&socket)).unwrap());
    let envelopes = Arc::new(envelopes.clone());
    let batch = |client: Arc<Client>, envelopes: Arc<Vec<Vec<u8>>>| async move {
        let items: Vec<(&[u8], &[u8])> = envelopes.iter().map(|e| (&e[..], &b""[..])).collect();
        let results = client.call(Op::OpenRequest, &items).await.unwrap();
        assert!(results.iter().all(|r| r.is_ok()));
    };

    // Throughput, same run, alternating so that drift hits both alike.
    let (mut ours, mut theirs) = (0f64, 0f64);
    for _ in 0..3 {
        let started = Instant::now();
        let mut rounds = 0;
        while started.elapsed() < BUDGET / 3 {
            in_process();
            rounds += 1;
        }
        theirs = theirs.max((rounds * BATCH) as f64 / started.elapsed().as_secs_f64());
        let rate = runtime.block_on(async {
            let started = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..PIPELINE {
                let (client, envelopes) = (client.clone(), envelopes.clone());
                tasks.push(tokio::spawn(async move {
                    let mut rounds = 0;
                    while started.elapsed() < BUDGET / 3 {
                        batch(client.clone(), envelopes.clone()).await;
                        rounds += 1;
                    }
                    rounds
                }));
            }
            let mut rounds = 0;
            for task in tasks {
                rounds += task.await.unwrap();
            }
            (rounds * BATCH) as f64 / started.elapsed().as_secs_f64()
        });
        ours = ours.max(rate);
    }
    report_with_target(
        &format!("sidecar, Unix socket, batches of {BATCH} x {average} B verify, {THREADS} threads"),
        "items/s",
        ours,
        ("in-process process_batch", theirs),
        Err("no peer sidecar".into()),
        Some(Target::OfLimit(0.90)),
    );

    // Latency of single items at moderate load: two clients, one item each in flight.
    let histogram = runtime.block_on(async {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for client_index in 0..2 {
            let (client, envelopes) = (client.clone(), envelopes.clone());
            tasks.push(tokio::spawn(async move {
                let mut histogram = hdrhistogram::Histogram::<u64>::new(3).unwrap();
                let mut i = client_index;
                while started.elapsed() < BUDGET {
                    let t = Instant::now();
                    let result = client.open_request(&envelopes[i % BATCH]).await.unwrap();
                    histogram.record(t.elapsed().as_micros() as u64).unwrap();
                    assert!(result.is_ok());
                    i += 2;
                }
                histogram
            }));
        }
        let mut total = hdrhistogram::Histogram::<u64>::new(3).unwrap();
        for task in tasks {
            total.add(task.await.unwrap()).unwrap();
        }
        total
    });
    println!(
        "sidecar, Unix socket, single-item verify, 2 clients: p50 {} us, p99 {} us ({} requests)",
        histogram.value_at_quantile(0.50),
        histogram.value_at_quantile(0.99),
        histogram.len()
    );

    let mut group = c.benchmark_group("sidecar");
    group.sample_size(10).measurement_time(Duration::from_secs(2));
    group.bench_function("in_process_batch_64", |b| b.iter(in_process));
    group.bench_function("unix_socket_batch_64", |b| {
        b.iter(|| runtime.block_on(batch(client.clone(), envelopes.clone())))
    });
    group.finish();

    let _ = stop.send(());
    let _ = server_runtime.block_on(serving);
}

criterion_group!(benches, bench);
criterion_main!(benches);
