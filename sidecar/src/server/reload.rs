//! Reloading the engine when its certificate and key files change (polled) or on demand (SIGHUP).
//! A new engine is built off the async workers and swapped in; batches already running keep the
//! engine they started with. A failed reload keeps the old engine and is logged.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::{Notify, watch};
use wsseal_core::config::Config;

use super::Shared;

/// What identifies a file's version: modification time, size, inode.
pub type Stamp = Option<(SystemTime, u64, u64)>;

/// The current versions of `files`.
pub fn stamps(files: &[PathBuf]) -> Vec<Stamp> {
    use std::os::unix::fs::MetadataExt;
    files
        .iter()
        .map(|file| std::fs::metadata(file).ok().and_then(|m| Some((m.modified().ok()?, m.len(), m.ino()))))
        .collect()
}

/// Watches `files` every `poll` and on `trigger`, rebuilding the engine from `config`. `seen` are
/// the versions of the files the current engine was built from (taken before it was built).
pub async fn watch(
    shared: Arc<Shared>,
    config: Config,
    (files, mut seen): (Vec<PathBuf>, Vec<Stamp>),
    poll: Duration,
    trigger: Arc<Notify>,
    mut draining: watch::Receiver<bool>,
) {
    let mut interval = tokio::time::interval(poll.max(Duration::from_millis(10)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = draining.wait_for(|draining| *draining) => return,
            _ = trigger.notified() => {}
            _ = interval.tick() => {
                let now = stamps(&files);
                if now == seen {
                    continue;
                }
                seen = now;
            }
        }
        reload(&shared, &config).await;
    }
}

/// Builds a new engine and swaps it in, or keeps the old one.
async fn reload(shared: &Shared, config: &Config) {
    let config = config.clone();
    match tokio::task::spawn_blocking(move || config.engine()).await {
        Ok(Ok(engine)) => {
            shared.engine.store(Arc::new(engine));
            shared.metrics.reload(true);
            tracing::info!("engine reloaded");
        }
        Ok(Err(error)) => {
            shared.metrics.reload(false);
            tracing::warn!(code = error.code().name(), message = error.message(), "reload failed; keeping the engine");
        }
        Err(error) => {
            shared.metrics.reload(false);
            tracing::error!(%error, "reload failed; keeping the engine");
        }
    }
}
