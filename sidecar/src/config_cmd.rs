//! `wsseal config import`: a WCF `<system.serviceModel>` configuration as wsseal TOML.

use std::io::Write;
use std::path::PathBuf;

use wsseal_core::wcf::import::{ImportOptions, import};

use crate::Failure;

/// Arguments of `wsseal config`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

/// The `wsseal config` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Convert a WCF app.config/web.config (wsHttpBinding, Message security, certificates) into
    /// a wsseal configuration on standard output.
    Import(ImportArgs),
}

/// Arguments of `wsseal config import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// The directory store that certificate store references resolve against (`[store] root`).
    #[arg(long, value_name = "DIR")]
    pub store_root: Option<String>,
    /// The endpoint to import, by name, when the file has several.
    #[arg(long, value_name = "NAME")]
    pub endpoint: Option<String>,
    /// The WCF configuration file.
    pub file: PathBuf,
}

/// Runs `wsseal config`.
pub fn run(args: &Args) -> Result<(), Failure> {
    match &args.command {
        Command::Import(args) => run_import(args),
    }
}

fn run_import(args: &ImportArgs) -> Result<(), Failure> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| Failure::io(args.file.display(), e))?;
    let options = ImportOptions { endpoint: args.endpoint.clone(), store_root: args.store_root.clone() };
    let toml = import(&text, &options).map_err(|e| Failure::refused(e.code(), e.message()))?;
    std::io::stdout().write_all(toml.as_bytes()).map_err(|e| Failure::io("standard output", e))
}
