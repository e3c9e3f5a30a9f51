//! `wsseal identity check`: does a certificate satisfy an expected service identity? The identity
//! comes from a WCF `<identity>` element, a WSDL's `<Identity>`, or a configuration's `[identity]`.
//! Exit 0 on a match; 1 with the reason (IDENTITY_MISMATCH, IDENTITY_UNSATISFIABLE) otherwise.

use std::path::PathBuf;

use wsseal_core::config::Config;
use wsseal_core::identity::Identity;
use wsseal_core::trust::load_certificates;

use crate::Failure;
use crate::engine_args::{read_file, unusable};

/// Arguments of `wsseal identity`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Check a certificate against an expected service identity.
    Check(CheckArgs),
}

/// Arguments of `wsseal identity check`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("identity").required(true).args(["identity_xml", "wsdl", "config"])))]
struct CheckArgs {
    /// The service certificate, PEM or DER.
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// A WCF `<identity>` element, or one of its children (`<dns value="contoso.com"/>`).
    #[arg(long, value_name = "XML")]
    identity_xml: Option<String>,
    /// A WSDL whose `<Identity>` (addressing-identity namespace) is expected.
    #[arg(long, value_name = "FILE")]
    wsdl: Option<PathBuf>,
    /// A wsseal configuration whose `[identity]` is expected.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// Runs `wsseal identity`.
pub fn run(args: &Args) -> Result<(), Failure> {
    let Command::Check(args) = &args.command;
    let certificate = load_certificates(std::slice::from_ref(&args.cert))
        .map_err(|e| unusable(args.cert.display(), &e))?
        .into_iter()
        .next()
        .ok_or_else(|| Failure::usage(format!("{}: no certificate", args.cert.display())))?;
    let identity = match (&args.identity_xml, &args.wsdl, &args.config) {
        (Some(xml), _, _) => Identity::from_xml(xml).map_err(|e| unusable("--identity-xml", &e))?,
        (_, Some(path), _) => {
            let text = String::from_utf8(read_file(path)?)
                .map_err(|_| Failure::usage(format!("{}: not UTF-8", path.display())))?;
            Identity::from_wsdl(&text).map_err(|e| unusable(path.display(), &e))?
        }
        (_, _, Some(path)) => Config::from_file(path)
            .and_then(|config| config.identity())
            .map_err(|e| unusable(path.display(), &e))?
            .ok_or_else(|| Failure::usage(format!("{}: no [identity] is configured", path.display())))?,
        (None, None, None) => return Err(Failure::usage("give --identity-xml, --wsdl or --config")),
    };
    identity.check(&certificate).map_err(|e| Failure::refused(e.code(), e.message()))?;
    println!("match: {} (SHA-1 {}) satisfies identity {identity}", certificate.subject(), certificate.thumbprint_hex());
    Ok(())
}
