//! `wsseal open`: decrypts and verifies a secured SOAP envelope, enforces the policy, and writes
//! the verified envelope with a report of what was proven.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use wsseal_core::wss::Report;

use crate::Failure;
use crate::engine_args::{EngineArgs, IoArgs, Sink, refused, write_to};

/// Arguments of `wsseal open`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Tolerated clock difference, in seconds (default 300) [policy.clock_skew_seconds].
    #[arg(long, value_name = "SECONDS", help_heading = "Policy")]
    pub skew: Option<u64>,
    /// Keep the Security header in the opened envelope (it is removed by default)
    /// [policy.keep_security_header].
    #[arg(long, help_heading = "Policy")]
    pub keep_security_header: bool,
    /// Do not refuse a signature value seen before (one process only remembers its own
    /// messages anyway) [policy.detect_replays = false].
    #[arg(long, help_heading = "Policy")]
    pub no_replay_detection: bool,
    /// The report of what was proven: signer, signed and encrypted parts, timestamp, message id.
    /// "json" is one line, the serialized report.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "text", help_heading = "Report")]
    pub report: ReportFormat,
    /// Write the report to FILE instead of standard error (nothing with --report none).
    #[arg(long, value_name = "FILE", help_heading = "Report")]
    pub report_file: Option<PathBuf>,
    #[command(flatten)]
    pub io: IoArgs,
}

/// `--report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Lines for people.
    Text,
    /// One JSON object.
    Json,
    /// No report.
    None,
}

/// Opens the envelope, writes the report, then the envelope.
pub fn run(args: &Args) -> Result<(), Failure> {
    let engine = args.engine.engine(|policy| {
        if let Some(skew) = args.skew {
            policy.clock_skew_seconds = Some(skew);
        }
        if args.keep_security_header {
            policy.keep_security_header = Some(true);
        }
        if args.no_replay_detection {
            policy.detect_replays = Some(false);
        }
    })?;
    let input = args.io.read()?;
    let opened = engine.open(&input, None).map_err(|e| refused(&e))?;
    let report = match args.report {
        ReportFormat::Text => Some(text(&opened.report)),
        ReportFormat::Json => Some(json(&opened.report)?),
        ReportFormat::None => None,
    };
    if let Some(report) = report {
        let sink = args.report_file.as_deref().map_or(Sink::Stderr, Sink::File);
        write_to(sink, report.as_bytes())?;
    }
    args.io.write(&opened.envelope)
}

/// The report as aligned `name: value` lines.
fn text(report: &Report) -> String {
    let list = |parts: &[String]| if parts.is_empty() { "none".to_owned() } else { parts.join(", ") };
    let mut out = String::new();
    let mut line = |name: &str, value: &str| {
        let _ = writeln!(out, "{:<11} {value}", format!("{name}:"));
    };
    match &report.signer {
        Some(signer) => {
            line("signer", &signer.subject);
            line("thumbprint", &format!("{} (SHA-1)", signer.thumbprint_sha1));
            line("issuer", &format!("{}, serial {}", signer.issuer, signer.serial));
        }
        None => line("signer", "none"),
    }
    line("signed", &list(&report.signed));
    line("encrypted", &list(&report.encrypted));
    match &report.timestamp {
        Some(t) => {
            line("timestamp", &format!("created {}, expires {}", t.created, t.expires.as_deref().unwrap_or("never")))
        }
        None => line("timestamp", "none"),
    }
    line("message id", report.message_id.as_deref().unwrap_or("none"));
    out
}

/// The report as one line of JSON.
fn json(report: &Report) -> Result<String, Failure> {
    let mut text =
        serde_json::to_string(report).map_err(|e| Failure::usage(format!("cannot serialize the report: {e}")))?;
    text.push('\n');
    Ok(text)
}
