//! `wsseal serve`: runs the sidecar (docs/sidecar.md) until SIGTERM or SIGINT; SIGHUP reloads the
//! engine's, the QUIC listener's and the token's files. When it listens, it prints one line to standard output:
//! `wsseal serve: ready unix=PATH http=ADDR quic=ADDR` (`-` for what is off).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use tokio::signal::unix::{SignalKind, signal};
use wsseal_sidecar::server::Server;
use wsseal_sidecar::settings::Settings;

use crate::engine_args::unusable;
use crate::{Failure, dev_pki};

/// Arguments of `wsseal serve`.
#[derive(clap::Args)]
pub struct Args {
    /// TOML configuration (sidecar/defaults.toml shows every key); WSSEAL__SECTION__KEY
    /// environment variables override its keys, and flags override both.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use the development PKI in DIR as the engine's credentials and peer (writing it there
    /// first if it is missing). Not for production.
    #[arg(long, value_name = "DIR")]
    pub dev_pki: Option<PathBuf>,
    /// With --dev-pki: the party this sidecar speaks for.
    #[arg(long, value_enum, default_value = "service", requires = "dev_pki")]
    pub role: Role,
    /// The Unix socket path [listen.unix].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// The loopback HTTP address for /healthz, /readyz and /metrics, "" for none [http.listen].
    #[arg(long, value_name = "ADDR")]
    pub http: Option<String>,
}

/// The party of the development PKI a sidecar speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Role {
    /// Cohowinery.com: secures requests, opens responses.
    Client,
    /// Contoso.com: opens requests, secures responses.
    Service,
}

impl Role {
    /// The stems of our certificate and of the peer's in the development PKI.
    pub fn stems(self) -> (&'static str, &'static str) {
        match self {
            Role::Client => ("client", "service"),
            Role::Service => ("service", "client"),
        }
    }
}

/// Runs the sidecar.
pub fn run(args: &Args) -> Result<(), Failure> {
    let settings = Settings::load(args.config.as_deref(), std::env::vars(), overrides(args)?)
        .map_err(|e| unusable("configuration", &e))?;
    init_logging(&settings)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wsseal-io")
        .build()
        .map_err(|e| Failure::io("tokio runtime", e))?;
    runtime.block_on(serve(settings))
}

async fn serve(settings: Settings) -> Result<(), Failure> {
    let server = Server::bind(settings).await.map_err(|e| unusable("serve", &e))?;
    let addresses = server.addresses();
    let show = |value: Option<String>| value.unwrap_or_else(|| "-".into());
    let signal_error = |e| Failure::io("signals", e);
    let mut terminate = signal(SignalKind::terminate()).map_err(signal_error)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(signal_error)?;
    let mut hangup = signal(SignalKind::hangup()).map_err(signal_error)?;
    let reload = server.reload_trigger();
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading");
            reload.notify_one();
        }
    });
    tracing::info!(unix = ?addresses.unix, http = ?addresses.http, quic = ?addresses.quic, "listening");
    println!(
        "wsseal serve: ready unix={} http={} quic={}",
        show(addresses.unix.map(|p| p.display().to_string())),
        show(addresses.http.map(|a| a.to_string())),
        show(addresses.quic.map(|a| a.to_string())),
    );
    let _ = std::io::stdout().flush();
    server
        .run(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
        .await;
    Ok(())
}

/// The keys the flags set, as a TOML table.
fn overrides(args: &Args) -> Result<toml::Table, Failure> {
    let mut table = toml::Table::new();
    let mut set = |section: &str, key: &str, value: toml::Value| {
        let entry = table.entry(section).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let Some(entry) = entry.as_table_mut() {
            entry.insert(key.to_owned(), value);
        }
    };
    if let Some(path) = &args.socket {
        set("listen", "unix", absolute(path)?.display().to_string().into());
    }
    if let Some(http) = &args.http {
        set("http", "listen", http.clone().into());
    }
    if let Some(dir) = &args.dev_pki {
        if !dir.join("service.pem").exists() {
            dev_pki::run(&dev_pki::Args { dir: dir.clone(), force: false })?;
        }
        let dir = absolute(dir)?;
        let (us, them) = args.role.stems();
        let path = |name: String| toml::Value::from(dir.join(name).display().to_string());
        let mut engine = toml::Table::new();
        let mut credentials = toml::Table::new();
        credentials.insert("certificate".into(), path(format!("{us}.pem")));
        credentials.insert("private_key".into(), path(format!("{us}.key.pem")));
        let mut peer = toml::Table::new();
        peer.insert("certificate".into(), path(format!("{them}.pem")));
        // ChainTrust to the development CA; the client expects the service to prove `dns contoso.com`.
        let mut trust = toml::Table::new();
        trust.insert("anchors".into(), vec![path("ca.pem".into())].into());
        trust.insert("role".into(), if args.role == Role::Client { "Client" } else { "Service" }.into());
        engine.insert("credentials".into(), credentials.into());
        engine.insert("peer".into(), peer.into());
        engine.insert("trust".into(), trust.into());
        if args.role == Role::Client {
            let mut identity = toml::Table::new();
            identity.insert("dns".into(), "contoso.com".into());
            engine.insert("identity".into(), identity.into());
        }
        table.insert("engine".into(), engine.into());
    }
    Ok(table)
}

fn absolute(path: &Path) -> Result<PathBuf, Failure> {
    std::path::absolute(path).map_err(|e| Failure::io(path.display(), e))
}

fn init_logging(settings: &Settings) -> Result<(), Failure> {
    let level: tracing::Level = settings.log.level.parse().map_err(|_| {
        Failure::usage(format!("log.level {:?}: one of error, warn, info, debug, trace", settings.log.level))
    })?;
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    match settings.log.format.as_str() {
        "json" => builder.json().init(),
        "text" => builder.init(),
        other => return Err(Failure::usage(format!("log.format {other:?}: \"text\" or \"json\""))),
    }
    Ok(())
}
