//! `wsseal serve`: the sidecar server. Tokio for I/O; the crypto on a rayon pool, never on the
//! async workers; bounded admission; a Unix socket (and optionally QUIC with mutual TLS) speaking
//! the frames of [`crate::protocol`]; health and metrics over loopback HTTP; reload of the
//! engine's, QUIC's and the token's files; and a graceful shutdown that answers everything in
//! flight.

mod admission;
mod batch;
mod connection;
mod http;
mod lifecycle;
mod metrics;
mod reload;

use std::future::Future;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, UnixListener, UnixStream};
use tokio::sync::{Notify, Semaphore, mpsc};
use wsseal_core::{Engine, Error, ErrorCode};

use crate::protocol::{FrameError, Response};
use crate::settings::{QuicSettings, Settings};
use crate::tls;
use crate::token::TokenKeys;
use admission::Admission;
use lifecycle::{Lifecycle, Phase, Watch};
use metrics::Metrics;
use reload::{Reloader, Watched};

/// What every connection shares.
#[derive(Debug)]
struct Shared {
    engine: ArcSwap<Engine>,
    keys: ArcSwap<TokenKeys>,
    pool: rayon::ThreadPool,
    admission: Arc<Admission>,
    metrics: Metrics,
    max_frame: usize,
    max_items: usize,
}

/// Where a bound server listens.
#[derive(Clone, Debug)]
pub struct Addresses {
    /// The Unix socket.
    pub unix: Option<PathBuf>,
    /// The HTTP port (health and metrics).
    pub http: Option<SocketAddr>,
    /// The QUIC port.
    pub quic: Option<SocketAddr>,
}

/// A bound server, ready to run.
pub struct Server {
    shared: Arc<Shared>,
    settings: Settings,
    unix: Option<(UnixListener, PathBuf)>,
    http: Option<TcpListener>,
    quic: Option<quinn::Endpoint>,
    reload: Arc<Notify>,
    /// The files of what can be reloaded, and their versions when it was built.
    watched: Vec<Watched>,
}

fn config_error(message: String) -> Error {
    Error::new(ErrorCode::ConfigInvalid, message)
}

impl Server {
    /// Builds the engine, the token key and the crypto pool, and binds every listener. Must be
    /// called inside a tokio runtime.
    pub async fn bind(settings: Settings) -> Result<Server, Error> {
        let watched = Watched::all(&settings);
        let engine = settings.engine.engine()?;
        let keys = token_keys(&settings)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(settings.workers.threads)
            .thread_name(|i| format!("wsseal-crypto-{i}"))
            .build()
            .map_err(|e| config_error(format!("crypto pool: {e}")))?;
        let limits = &settings.limits;
        let shared = Arc::new(Shared {
            engine: ArcSwap::from_pointee(engine),
            keys: ArcSwap::from_pointee(keys),
            pool,
            admission: Admission::new(limits.max_inflight_bytes, limits.max_inflight_items),
            metrics: Metrics::default(),
            max_frame: limits.max_frame_bytes,
            max_items: limits.max_batch_items,
        });
        let unix = match settings.listen.unix.as_os_str().is_empty() {
            true => None,
            false => {
                let path = settings.path(&settings.listen.unix);
                Some((bind_unix(&path, settings.socket_mode()?).await?, path))
            }
        };
        let http = match settings.http_address()? {
            Some(address) => Some(
                TcpListener::bind(address).await.map_err(|e| config_error(format!("http.listen {address}: {e}")))?,
            ),
            None => None,
        };
        let quic = match &settings.quic {
            Some(quic) => {
                let config = quic_config(&settings, quic)?;
                let endpoint = quinn::Endpoint::server(config, quic.listen)
                    .map_err(|e| config_error(format!("quic.listen {}: {e}", quic.listen)))?;
                Some(endpoint)
            }
            None => None,
        };
        Ok(Server { shared, settings, unix, http, quic, reload: Arc::new(Notify::new()), watched })
    }

    /// Where the server listens (ports chosen by the system included).
    pub fn addresses(&self) -> Addresses {
        Addresses {
            unix: self.unix.as_ref().map(|(_, path)| path.clone()),
            http: self.http.as_ref().and_then(|l| l.local_addr().ok()),
            quic: self.quic.as_ref().and_then(|e| e.local_addr().ok()),
        }
    }

    /// Notifying this reloads the engine, the QUIC TLS configuration and the token keys (what
    /// SIGHUP does).
    pub fn reload_trigger(&self) -> Arc<Notify> {
        self.reload.clone()
    }

    /// Serves until `shutdown` completes, then drains: stops accepting, finishes the batches
    /// admitted and answers the ones that come now with `SHUTTING_DOWN`; then closes every
    /// connection and returns, at the latest when the grace period is over.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server { shared, settings, unix, http, quic, reload, watched } = self;
        let socket = unix.as_ref().map(|(_, path)| path.clone());
        let mut lifecycle = Lifecycle::new();
        // Every connection holds a clone of `open`; when all are gone, `closed` ends.
        let (open, mut closed) = mpsc::channel::<()>(1);
        let connections = Arc::new(Semaphore::new(settings.limits.max_connections));
        let mut listeners = Vec::new();
        if let Some((listener, _)) = unix {
            let accept = accept_unix(
                shared.clone(),
                listener,
                settings.listen.allowed_uids.clone(),
                connections.clone(),
                open.clone(),
                lifecycle.watch(),
            );
            listeners.push(tokio::spawn(accept));
        }
        // The QUIC listener refuses connections while draining: it ends when the server closes.
        let quic_listener = quic.clone().map(|endpoint| {
            tokio::spawn(accept_quic(shared.clone(), endpoint, connections.clone(), open.clone(), lifecycle.watch()))
        });
        let http = http.map(|listener| tokio::spawn(http::serve(shared.clone(), listener, lifecycle.watch())));
        let poll = Duration::from_millis(settings.reload.poll_millis);
        let grace = settings.grace();
        let reloader = Reloader { shared: shared.clone(), settings, endpoint: quic.clone() };
        let watcher = tokio::spawn(reloader.watch(watched, poll, reload, lifecycle.watch()));

        shutdown.await;
        tracing::info!(grace_seconds = grace.as_secs(), "draining");
        let deadline = tokio::time::Instant::now() + grace;
        lifecycle.drain();
        for listener in listeners {
            let _ = listener.await;
        }
        if let Some(path) = socket {
            let _ = std::fs::remove_file(path);
        }
        let finished = tokio::time::timeout_at(deadline, lifecycle.admitted_work_done()).await.is_ok();
        lifecycle.close();
        if let Some(listener) = quic_listener {
            let _ = listener.await;
        }
        drop(open);
        if !finished || tokio::time::timeout_at(deadline, closed.recv()).await.is_err() {
            tracing::warn!("the grace period ended with work in flight");
        }
        if let Some(endpoint) = quic {
            endpoint.close(0u32.into(), b"shutdown");
        }
        watcher.abort();
        if let Some(http) = http {
            http.abort();
        }
        tracing::info!("stopped");
    }
}

/// The token keys: from the key file, or random (valid in this process only).
fn token_keys(settings: &Settings) -> Result<TokenKeys, Error> {
    match &settings.token.key_file {
        Some(path) => TokenKeys::from_file(&settings.path(path), settings.token_ttl()),
        None => TokenKeys::random(settings.token_ttl()),
    }
}

/// The QUIC listener's configuration from its files: our identity and the client allow-list.
fn quic_config(settings: &Settings, quic: &QuicSettings) -> Result<quinn::ServerConfig, Error> {
    let identity = tls::Identity::from_pem_files(&settings.path(&quic.certificate), &settings.path(&quic.private_key))?;
    let authorities = match &quic.client_ca {
        Some(bundle) => tls::certificates_from_pem_file(&settings.path(bundle))?,
        None => Vec::new(),
    };
    let allowed = tls::AllowedClients {
        fingerprints: quic.allowed_clients.clone(),
        authorities,
        names: quic.allowed_names.clone(),
    };
    tls::server_config(identity, allowed)
}

/// Binds the Unix socket with its mode. A stale socket file (nobody listening) is replaced; a
/// live one is an error.
async fn bind_unix(path: &Path, mode: u32) -> Result<UnixListener, Error> {
    let fail = |e: &dyn std::fmt::Display| config_error(format!("listen.unix {}: {e}", path.display()));
    if std::fs::symlink_metadata(path).is_ok() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(fail(&"another server is listening there"));
        }
        std::fs::remove_file(path).map_err(|e| fail(&e))?;
    }
    let listener = UnixListener::bind(path).map_err(|e| fail(&e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| fail(&e))?;
    Ok(listener)
}

/// Accepts Unix connections until the server drains.
async fn accept_unix(
    shared: Arc<Shared>,
    listener: UnixListener,
    allowed_uids: Vec<u32>,
    connections: Arc<Semaphore>,
    open: mpsc::Sender<()>,
    mut lifecycle: Watch,
) {
    loop {
        let accepted = tokio::select! {
            _ = lifecycle.reached(Phase::Draining) => return,
            accepted = listener.accept() => accepted,
        };
        let mut stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of descriptors, most likely: back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if !allowed_uids.is_empty() {
            let uid = stream.peer_cred().map(|c| c.uid()).ok();
            if !uid.is_some_and(|uid| allowed_uids.contains(&uid)) {
                tracing::warn!(?uid, "connection refused: peer uid not allowed");
                continue;
            }
        }
        let Ok(slot) = connections.clone().try_acquire_owned() else {
            let busy = FrameError { op: 0, id: 0, code: ErrorCode::Busy, message: "too many connections".into() };
            shared.metrics.frame_refused(ErrorCode::Busy);
            tokio::spawn(async move {
                let _ = stream.write_all(&Response::refusal(&busy).encode()).await;
            });
            continue;
        };
        let (reader, writer) = stream.into_split();
        let (shared, open, lifecycle) = (shared.clone(), open.clone(), lifecycle.clone());
        tokio::spawn(async move {
            connection::serve(shared, reader, writer, lifecycle).await;
            drop((slot, open));
        });
    }
}

/// Accepts QUIC connections until the server drains, then refuses them until it closes; each
/// bidirectional stream is served like a Unix connection (streams opened while draining too,
/// until the server closes).
async fn accept_quic(
    shared: Arc<Shared>,
    endpoint: quinn::Endpoint,
    connections: Arc<Semaphore>,
    open: mpsc::Sender<()>,
    mut lifecycle: Watch,
) {
    loop {
        let incoming = tokio::select! {
            _ = lifecycle.reached(Phase::Draining) => break,
            incoming = endpoint.accept() => incoming,
        };
        let Some(incoming) = incoming else { return };
        let Ok(slot) = connections.clone().try_acquire_owned() else {
            incoming.refuse();
            continue;
        };
        let (shared, open, mut lifecycle) = (shared.clone(), open.clone(), lifecycle.clone());
        tokio::spawn(async move {
            let connection = match incoming.await {
                Ok(connection) => connection,
                Err(error) => {
                    tracing::info!(%error, "QUIC handshake failed");
                    return;
                }
            };
            loop {
                let stream = tokio::select! {
                    _ = lifecycle.reached(Phase::Closing) => break,
                    stream = connection.accept_bi() => stream,
                };
                let Ok((send, receive)) = stream else { break };
                let (shared, open, lifecycle) = (shared.clone(), open.clone(), lifecycle.clone());
                tokio::spawn(async move {
                    // Resolves when the peer has every byte written, so closing the endpoint
                    // afterwards loses no answer.
                    let delivered = send.stopped();
                    connection::serve(shared, receive, send, lifecycle).await;
                    let _ = delivered.await;
                    drop(open);
                });
            }
            drop((slot, open));
        });
    }
    // Draining: new connections are refused at once rather than left waiting for the close.
    loop {
        let incoming = tokio::select! {
            _ = lifecycle.reached(Phase::Closing) => return,
            incoming = endpoint.accept() => incoming,
        };
        let Some(incoming) = incoming else { return };
        incoming.refuse();
    }
}
