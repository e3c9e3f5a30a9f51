//! The configuration of `wsseal serve`: embedded defaults (sidecar/defaults.toml), overridden by
//! a TOML file, overridden by `WSSEAL__SECTION__KEY` environment variables. The `[engine]` table
//! is a `wsseal_core::config::Config`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use wsseal_core::config::Config;
use wsseal_core::{Error, ErrorCode};

/// The embedded defaults.
pub const DEFAULTS: &str = include_str!("../defaults.toml");
/// The prefix of environment overrides: `WSSEAL__LISTEN__UNIX=/run/wsseal/wsseal.sock`.
pub const ENV_PREFIX: &str = "WSSEAL__";

/// Everything `wsseal serve` is configured with.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Settings {
    pub listen: ListenSettings,
    pub http: HttpSettings,
    pub quic: Option<QuicSettings>,
    pub limits: LimitSettings,
    pub token: TokenSettings,
    pub shutdown: ShutdownSettings,
    pub reload: ReloadSettings,
    pub log: LogSettings,
    pub workers: WorkerSettings,
    pub engine: Config,
    /// Where relative paths start.
    #[serde(skip)]
    pub base: PathBuf,
}

/// `[listen]`: the Unix socket.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenSettings {
    /// The socket path; empty for no Unix socket.
    pub unix: PathBuf,
    /// Permission bits of the socket file, octal text such as "0660".
    pub mode: String,
    /// Peer uids allowed to connect; empty allows any.
    pub allowed_uids: Vec<u32>,
}

/// `[http]`: health and metrics.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// A loopback address and port; empty for none.
    pub listen: String,
}

/// `[quic]`: the QUIC listener with mutual TLS.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuicSettings {
    /// The UDP address to listen on.
    pub listen: SocketAddr,
    /// Our TLS certificate (PEM).
    pub certificate: PathBuf,
    /// Its private key (PEM).
    pub private_key: PathBuf,
    /// SHA-256 fingerprints (hex) of client certificates allowed to connect, whoever issued them.
    #[serde(default)]
    pub allowed_clients: Vec<String>,
    /// A PEM bundle of CA certificates: client certificates chaining to one are allowed (if they
    /// carry one of `allowed_names`).
    #[serde(default)]
    pub client_ca: Option<PathBuf>,
    /// When not empty, a client certificate allowed by its CA must carry one of these names
    /// (subject common name, subjectAltName dNSName, or a whole subject `CN=…,O=…`).
    #[serde(default)]
    pub allowed_names: Vec<String>,
}

/// `[limits]`: framing and admission.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct LimitSettings {
    pub max_frame_bytes: usize,
    pub max_batch_items: usize,
    pub max_inflight_bytes: usize,
    pub max_inflight_items: usize,
    pub max_connections: usize,
}

/// `[token]`: exchange tokens.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct TokenSettings {
    pub ttl_seconds: u64,
    pub key_file: Option<PathBuf>,
    /// How long keys rotated out of `key_file` still open tokens.
    pub overlap_seconds: u64,
}

/// `[shutdown]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ShutdownSettings {
    pub grace_seconds: u64,
}

/// `[reload]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ReloadSettings {
    pub poll_millis: u64,
}

/// `[log]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// "text" or "json".
    pub format: String,
    /// error, warn, info, debug or trace.
    pub level: String,
}

/// `[workers]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerSettings {
    /// Threads of the crypto pool; 0 for one per core.
    pub threads: usize,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

impl Settings {
    /// The settings from the defaults, then `file` (if any), then the environment variables
    /// `vars` (pass `std::env::vars()`), then `extra` (a TOML table, for command-line flags).
    pub fn load(
        file: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
        extra: toml::Table,
    ) -> Result<Settings, Error> {
        let mut table: toml::Table = toml::from_str(DEFAULTS).map_err(|e| invalid(format!("defaults: {e}")))?;
        let base = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
                let overrides: toml::Table =
                    toml::from_str(&text).map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                merge(&mut table, overrides);
                path.parent().map(Path::to_path_buf).unwrap_or_default()
            }
            None => PathBuf::new(),
        };
        for (name, value) in vars {
            if let Some(path) = name.strip_prefix(ENV_PREFIX) {
                set(&mut table, path, &value).map_err(|e| invalid(format!("{name}: {e}")))?;
            }
        }
        merge(&mut table, extra);
        let mut settings: Settings =
            Settings::deserialize(table).map_err(|e| invalid(format!("configuration: {e}")))?;
        settings.engine.base = base.clone();
        settings.base = base;
        Ok(settings)
    }

    /// A path of these settings, resolved.
    pub fn path(&self, path: &Path) -> PathBuf {
        self.base.join(path)
    }

    /// The socket's permission bits.
    pub fn socket_mode(&self) -> Result<u32, Error> {
        u32::from_str_radix(self.listen.mode.trim_start_matches("0o"), 8)
            .ok()
            .filter(|mode| *mode <= 0o777)
            .ok_or_else(|| invalid(format!("listen.mode {:?} is not octal permission bits", self.listen.mode)))
    }

    /// The HTTP address, if HTTP is on.
    pub fn http_address(&self) -> Result<Option<SocketAddr>, Error> {
        if self.http.listen.is_empty() {
            return Ok(None);
        }
        let address: SocketAddr = self
            .http
            .listen
            .parse()
            .map_err(|_| invalid(format!("http.listen {:?} is not an address", self.http.listen)))?;
        if !address.ip().is_loopback() {
            return Err(invalid("http.listen must be a loopback address"));
        }
        Ok(Some(address))
    }

    /// The grace period of a shutdown.
    pub fn grace(&self) -> Duration {
        Duration::from_secs(self.shutdown.grace_seconds)
    }

    /// The files the engine is built from, to watch for changes.
    pub fn engine_files(&self) -> Vec<PathBuf> {
        let engine = &self.engine;
        [&engine.credentials.certificate, &engine.credentials.private_key, &engine.peer.certificate]
            .into_iter()
            .flatten()
            .map(|path| engine.base.join(path))
            .collect()
    }

    /// The files of the QUIC listener's TLS (none when QUIC is off), to watch for changes.
    pub fn quic_files(&self) -> Vec<PathBuf> {
        let Some(quic) = &self.quic else { return Vec::new() };
        [Some(&quic.certificate), Some(&quic.private_key), quic.client_ca.as_ref()]
            .into_iter()
            .flatten()
            .map(|path| self.path(path))
            .collect()
    }

    /// The token key file (none when the key is random), to watch for changes.
    pub fn token_files(&self) -> Vec<PathBuf> {
        self.token.key_file.iter().map(|path| self.path(path)).collect()
    }

    /// How long a token stays valid.
    pub fn token_ttl(&self) -> Duration {
        Duration::from_secs(self.token.ttl_seconds)
    }
}

/// Merges `overrides` into `table`, key by key, recursing into tables.
fn merge(table: &mut toml::Table, overrides: toml::Table) {
    for (key, value) in overrides {
        match (table.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(value)) => merge(inner, value),
            (_, value) => {
                table.insert(key, value);
            }
        }
    }
}

/// Sets the key `path` (`SECTION__KEY`, case-insensitive) to `text`, read as a TOML value when it
/// is one (a number, a boolean, an array) and as a string otherwise.
fn set(table: &mut toml::Table, path: &str, text: &str) -> Result<(), String> {
    let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
    if keys.iter().any(String::is_empty) {
        return Err("expected WSSEAL__SECTION__KEY".into());
    }
    let value = toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_owned()));
    let (last, sections) = keys.split_last().ok_or("empty key")?;
    let mut current = table;
    for section in sections {
        current = current
            .entry(section.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| format!("{section} is not a section"))?;
    }
    current.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_defaults_load() {
        let settings = Settings::load(None, vars(&[]), toml::Table::new()).unwrap();
        assert_eq!(settings.listen.unix, Path::new("wsseal.sock"));
        assert_eq!(settings.socket_mode().unwrap(), 0o660);
        assert!(settings.quic.is_none());
        assert_eq!(settings.engine_files().len(), 3);
    }

    #[test]
    fn a_file_then_the_environment_override_keys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("serve.toml");
        std::fs::write(&file, "[limits]\nmax_batch_items = 8\n[engine.policy]\nsuite = \"Basic256Sha256\"\n").unwrap();
        let env = vars(&[
            ("WSSEAL__LIMITS__MAX_BATCH_ITEMS", "9"),
            ("WSSEAL__LOG__FORMAT", "json"),
            ("WSSEAL__LISTEN__ALLOWED_UIDS", "[0, 1000]"),
            ("WSSEAL_PYTHON", "/usr/bin/python3"),
        ]);
        let settings = Settings::load(Some(&file), env, toml::Table::new()).unwrap();
        assert_eq!(settings.limits.max_batch_items, 9);
        assert_eq!(settings.limits.max_frame_bytes, 16 * 1024 * 1024);
        assert_eq!(settings.log.format, "json");
        assert_eq!(settings.listen.allowed_uids, vec![0, 1000]);
        assert_eq!(settings.engine.policy.suite.as_deref(), Some("Basic256Sha256"));
        assert_eq!(settings.engine.base, dir.path());
    }

    #[test]
    fn mistakes_are_refused() {
        for env in [vec![("WSSEAL__LIMITS__MAX_BATCH", "1")], vec![("WSSEAL__LIMITS__MAX_BATCH_ITEMS", "-1")]] {
            let error = Settings::load(None, vars(&env), toml::Table::new()).unwrap_err();
            assert_eq!(error.code(), ErrorCode::ConfigInvalid);
        }
        let public = Settings::load(None, vars(&[("WSSEAL__HTTP__LISTEN", "0.0.0.0:9464")]), toml::Table::new());
        assert!(public.unwrap().http_address().is_err());
    }
}
