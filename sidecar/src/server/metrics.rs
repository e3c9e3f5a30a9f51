//! The server's metrics, rendered in the Prometheus text format: items by operation and code,
//! batch latency and size histograms, frames refused, BUSY rejections, in-flight work,
//! connections, reloads and the certificate cache.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use wsseal_core::{Engine, ErrorCode};

use super::admission::Admission;
use super::reload::Material;
use crate::protocol::Op;
use crate::token::TokenKeys;

/// Upper bounds of the latency buckets, in seconds.
const LATENCY_BOUNDS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
/// Upper bounds of the batch size buckets, in items.
const SIZE_BOUNDS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0];

/// A Prometheus histogram with fixed buckets.
#[derive(Debug)]
struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<AtomicU64>,
    count: AtomicU64,
    /// The sum, in millionths of the unit.
    sum_micros: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            buckets: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    fn observe(&self, value: f64) {
        if let Some(index) = self.bounds.iter().position(|bound| value <= *bound) {
            self.buckets[index].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((value * 1e6) as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, bucket) in self.bounds.iter().zip(&self.buckets) {
            cumulative += bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {count}");
    }
}

/// Every metric of a server.
#[derive(Debug)]
pub struct Metrics {
    items: Mutex<BTreeMap<(&'static str, u32), u64>>,
    frames_refused: Mutex<BTreeMap<u32, u64>>,
    latency: Vec<Histogram>,
    batch_size: Histogram,
    busy: AtomicU64,
    connections: AtomicI64,
    /// Reload attempts by material (in the order of [`Material::ALL`]) and success.
    reloads: [[AtomicU64; 2]; 3],
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            items: Mutex::default(),
            frames_refused: Mutex::default(),
            latency: Op::ALL.iter().map(|_| Histogram::new(LATENCY_BOUNDS)).collect(),
            batch_size: Histogram::new(SIZE_BOUNDS),
            busy: AtomicU64::new(0),
            connections: AtomicI64::new(0),
            reloads: Default::default(),
        }
    }
}

/// The name of a result code in labels: `OK` or the error's symbolic name.
fn code_label(code: u32) -> String {
    match ErrorCode::from_value(code) {
        _ if code == 0 => "OK".to_owned(),
        Some(code) => code.name().to_owned(),
        None => code.to_string(),
    }
}

impl Metrics {
    /// Records a batch: its operation, the result code of each item, and how long it took.
    pub fn batch(&self, op: Op, codes: impl IntoIterator<Item = u32>, elapsed: Duration) {
        let mut count = 0;
        let mut busy = 0;
        {
            let mut items = self.items.lock().unwrap_or_else(|e| e.into_inner());
            for code in codes {
                *items.entry((op.name(), code)).or_default() += 1;
                count += 1;
                busy += u64::from(code == ErrorCode::Busy.value());
            }
        }
        self.busy.fetch_add(busy, Ordering::Relaxed);
        self.latency[op as usize - 1].observe(elapsed.as_secs_f64());
        self.batch_size.observe(count as f64);
    }

    /// Records a frame refused as a whole.
    pub fn frame_refused(&self, code: ErrorCode) {
        *self.frames_refused.lock().unwrap_or_else(|e| e.into_inner()).entry(code.value()).or_default() += 1;
        if code == ErrorCode::Busy {
            self.busy.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A connection (or QUIC stream) opened (+1) or closed (-1).
    pub fn connections(&self, delta: i64) {
        self.connections.fetch_add(delta, Ordering::Relaxed);
    }

    /// Records a reload attempt.
    pub fn reload(&self, material: Material, succeeded: bool) {
        let index = Material::ALL.iter().position(|m| *m == material).unwrap_or(0);
        self.reloads[index][usize::from(succeeded)].fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self, admission: &Admission, engine: &Engine, keys: &TokenKeys) -> String {
        let mut out = String::new();
        out.push_str("# HELP wsseal_items_total Items answered, by operation and result code.\n");
        out.push_str("# TYPE wsseal_items_total counter\n");
        for ((op, code), count) in self.items.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "wsseal_items_total{{operation=\"{op}\",code=\"{}\"}} {count}", code_label(*code));
        }
        out.push_str("# HELP wsseal_frames_refused_total Request frames refused as a whole, by code.\n");
        out.push_str("# TYPE wsseal_frames_refused_total counter\n");
        for (code, count) in self.frames_refused.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "wsseal_frames_refused_total{{code=\"{}\"}} {count}", code_label(*code));
        }
        out.push_str("# HELP wsseal_batch_duration_seconds Time from admission to the answer, by operation.\n");
        out.push_str("# TYPE wsseal_batch_duration_seconds histogram\n");
        for (op, histogram) in Op::ALL.iter().zip(&self.latency) {
            histogram.render(&mut out, "wsseal_batch_duration_seconds", &format!("operation=\"{}\"", op.name()));
        }
        out.push_str("# HELP wsseal_batch_items Items per batch.\n# TYPE wsseal_batch_items histogram\n");
        self.batch_size.render(&mut out, "wsseal_batch_items", "");
        let (hits, misses) = certificate_cache_stats(engine);
        let counters = [
            ("wsseal_busy_total", "Items and frames refused with BUSY.", self.busy.load(Ordering::Relaxed)),
            ("wsseal_certificate_cache_hits_total", "Certificate cache hits.", hits),
            ("wsseal_certificate_cache_misses_total", "Certificate cache misses.", misses),
        ];
        for (name, help, value) in counters {
            let family = name.split('{').next().unwrap_or(name);
            if !help.is_empty() {
                let _ = writeln!(out, "# HELP {family} {help}\n# TYPE {family} counter");
            }
            let _ = writeln!(out, "{name} {value}");
        }
        out.push_str(
            "# HELP wsseal_reloads_total Reloads of the engine, the QUIC TLS configuration and the token keys.\n",
        );
        out.push_str("# TYPE wsseal_reloads_total counter\n");
        for (material, counts) in Material::ALL.iter().zip(&self.reloads) {
            for (result, count) in ["failure", "success"].iter().zip(counts) {
                let (material, count) = (material.name(), count.load(Ordering::Relaxed));
                let _ = writeln!(out, "wsseal_reloads_total{{material=\"{material}\",result=\"{result}\"}} {count}");
            }
        }
        let gauges = [
            ("wsseal_inflight_items", "Items admitted and not yet answered.", admission.items_in_flight() as i64),
            ("wsseal_inflight_bytes", "Frame bytes admitted and not yet answered.", admission.bytes_in_flight() as i64),
            ("wsseal_connections", "Open connections and QUIC streams.", self.connections.load(Ordering::Relaxed)),
            (
                "wsseal_token_keys",
                "Token keys that open tokens now: the key file's and those rotated out within their overlap.",
                keys.opening() as i64,
            ),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

/// The engine's certificate cache hits and misses (a reloaded engine starts a fresh cache).
fn certificate_cache_stats(engine: &Engine) -> (u64, u64) {
    let stats = engine.certificate_cache_stats();
    (stats.hits, stats.misses)
}
