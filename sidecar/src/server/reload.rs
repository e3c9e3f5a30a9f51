//! Reloading what the server is built from when its files change (polled: modification time,
//! size, inode, so secret rotations by symlink swap are seen) or on demand (SIGHUP): the engine,
//! the QUIC listener's TLS configuration, and the token keys. Each is rebuilt off the async
//! workers and swapped in whole: batches already running keep the engine and keys they started
//! with; QUIC connections already established keep their session and new ones get the new
//! configuration; keys rotated out of the key file go on opening tokens for `token.overlap_seconds`.
//! A failed reload (a half-written secret) keeps what was there, is logged and counted.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;
use wsseal_core::{Engine, Error};

use super::Shared;
use super::lifecycle::{Phase, Watch};
use crate::settings::Settings;
use crate::token::TokenKeys;

/// What can be reloaded, each from its own files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Material {
    /// The engine: its credentials and its peer's certificate.
    Engine,
    /// The QUIC listener's certificate, key and client CA bundle.
    Quic,
    /// The token key file.
    Token,
}

impl Material {
    /// Every material.
    pub const ALL: [Material; 3] = [Material::Engine, Material::Quic, Material::Token];

    /// The name in logs and metric labels.
    pub fn name(self) -> &'static str {
        match self {
            Material::Engine => "engine",
            Material::Quic => "quic",
            Material::Token => "token",
        }
    }

    /// The files it is built from: none when it is not configured or not built from files.
    fn files(self, settings: &Settings) -> Vec<PathBuf> {
        match self {
            Material::Engine => settings.engine_files(),
            Material::Quic => settings.quic_files(),
            Material::Token => settings.token_files(),
        }
    }
}

/// What identifies a file's version: modification time, size, inode.
type Stamp = Option<(SystemTime, u64, u64)>;

/// The current versions of `files`.
fn stamps(files: &[PathBuf]) -> Vec<Stamp> {
    use std::os::unix::fs::MetadataExt;
    files
        .iter()
        .map(|file| std::fs::metadata(file).ok().and_then(|m| Some((m.modified().ok()?, m.len(), m.ino()))))
        .collect()
}

/// A material's files and the versions it was last built from.
#[derive(Debug)]
pub struct Watched {
    material: Material,
    files: Vec<PathBuf>,
    seen: Vec<Stamp>,
}

impl Watched {
    /// Every material built from files, with their versions now: take them before building.
    pub fn all(settings: &Settings) -> Vec<Watched> {
        Material::ALL
            .into_iter()
            .map(|material| (material, material.files(settings)))
            .filter(|(_, files)| !files.is_empty())
            .map(|(material, files)| Watched { material, seen: stamps(&files), files })
            .collect()
    }

    /// Whether the files changed since last seen; they are seen now.
    fn changed(&mut self) -> bool {
        let now = stamps(&self.files);
        let changed = now != self.seen;
        self.seen = now;
        changed
    }
}

/// A material built anew.
enum Built {
    Engine(Arc<Engine>),
    Quic(quinn::ServerConfig),
    Token(TokenKeys),
}

/// Rebuilds materials and swaps them in.
#[derive(Debug)]
pub struct Reloader {
    /// What batches use.
    pub shared: Arc<Shared>,
    /// What the materials are built from.
    pub settings: Settings,
    /// The QUIC endpoint, whose configuration new connections get.
    pub endpoint: Option<quinn::Endpoint>,
}

impl Reloader {
    /// Watches `watched` every `poll` and reloads what changed; on `trigger`, reloads everything.
    /// Stops when the server drains.
    pub async fn watch(self, mut watched: Vec<Watched>, poll: Duration, trigger: Arc<Notify>, mut lifecycle: Watch) {
        let mut interval = tokio::time::interval(poll.max(Duration::from_millis(10)));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let due: Vec<Material> = tokio::select! {
                _ = lifecycle.reached(Phase::Draining) => return,
                _ = trigger.notified() => watched.iter_mut().map(|w| { w.changed(); w.material }).collect(),
                _ = interval.tick() => watched.iter_mut().filter_map(|w| w.changed().then_some(w.material)).collect(),
            };
            for material in due {
                self.reload(material).await;
            }
        }
    }

    /// Builds `material` anew and swaps it in, or keeps the old one.
    async fn reload(&self, material: Material) {
        let settings = self.settings.clone();
        let built = tokio::task::spawn_blocking(move || build(material, &settings)).await;
        let name = material.name();
        match built {
            Ok(Ok(built)) => {
                self.swap_in(built);
                self.shared.metrics.reload(material, true);
                tracing::info!(material = name, "reloaded");
            }
            Ok(Err(error)) => {
                self.shared.metrics.reload(material, false);
                tracing::warn!(
                    material = name,
                    code = error.code().name(),
                    message = error.message(),
                    "reload failed; keeping the old one"
                );
            }
            Err(error) => {
                self.shared.metrics.reload(material, false);
                tracing::error!(material = name, %error, "reload failed; keeping the old one");
            }
        }
    }

    fn swap_in(&self, built: Built) {
        match built {
            Built::Engine(engine) => self.shared.engine.store(engine),
            Built::Token(keys) => {
                let overlap = Duration::from_secs(self.settings.token.overlap_seconds);
                let keys = keys.rotated_from(&self.shared.keys.load(), overlap);
                self.shared.keys.store(Arc::new(keys));
            }
            Built::Quic(config) => {
                if let Some(endpoint) = &self.endpoint {
                    endpoint.set_server_config(Some(config));
                }
            }
        }
    }
}

/// Builds a material from its files.
fn build(material: Material, settings: &Settings) -> Result<Built, Error> {
    Ok(match material {
        Material::Engine => Built::Engine(Arc::new(settings.engine.engine()?)),
        Material::Quic => match &settings.quic {
            Some(quic) => Built::Quic(super::quic_config(settings, quic)?),
            None => return Err(super::config_error("QUIC is off".into())),
        },
        Material::Token => Built::Token(super::token_keys(settings)?),
    })
}
