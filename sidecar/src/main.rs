//! `wsseal`: the command-line entry point of the wsseal WS-Security engine.

mod c14n_cmd;
mod config_cmd;
mod demo;
mod dev_pki;
mod engine_args;
mod failure;
mod identity_cmd;
mod open_cmd;
mod secure_cmd;
mod serve_cmd;

use failure::Failure;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// wsseal: WS-Security (WSS 1.0/1.1, WCF message security) for any language.
#[derive(Parser)]
#[command(name = "wsseal", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a development PKI (CA, service Contoso.com, client Cohowinery.com). Not for production.
    DevPki(dev_pki::Args),
    /// Print the canonical bytes of a document, or of the element with an Id.
    C14n(c14n_cmd::Args),
    /// Run the end-to-end demonstration on a throwaway development PKI.
    Demo(demo::Args),
    /// Secure a SOAP envelope: timestamp, sign with our key, encrypt for the peer.
    Secure(secure_cmd::Args),
    /// Open a secured SOAP envelope: decrypt, verify, enforce the policy, report what was proven.
    Open(open_cmd::Args),
    /// Service identity: check a certificate against a WCF <identity>, a WSDL or a configuration.
    Identity(identity_cmd::Args),
    /// Run the sidecar: batches of envelopes over a Unix socket (and QUIC), until SIGTERM.
    Serve(serve_cmd::Args),
    /// Work with configurations: `config import` converts a WCF app.config into wsseal TOML.
    Config(config_cmd::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::DevPki(args) => dev_pki::run(&args),
        Command::C14n(args) => c14n_cmd::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Secure(args) => secure_cmd::run(&args),
        Command::Open(args) => open_cmd::run(&args),
        Command::Identity(args) => identity_cmd::run(&args),
        Command::Serve(args) => serve_cmd::run(&args),
        Command::Config(args) => config_cmd::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("wsseal: {failure}");
            failure.exit_code()
        }
    }
}
