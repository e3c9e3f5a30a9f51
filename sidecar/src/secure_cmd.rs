//! `wsseal secure`: applies WS-Security to a SOAP envelope — a Timestamp, a signature with our
//! key, and encryption for the peer — as the WSS 1.0 mutual-certificate profile does.

use crate::Failure;
use crate::engine_args::{EngineArgs, IoArgs, KeyRef, RefList, refused};

/// Arguments of `wsseal secure`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// How the EncryptedKey names the peer's certificate (default IssuerSerial)
    /// [policy.recipient_reference].
    #[arg(long, value_enum, ignore_case = true, value_name = "STYLE", help_heading = "Policy")]
    pub key_reference: Option<KeyRef>,
    /// How the signature names our certificate (default BinarySecurityToken)
    /// [policy.signer_reference].
    #[arg(long, value_enum, ignore_case = true, value_name = "STYLE", help_heading = "Policy")]
    pub signer_reference: Option<KeyRef>,
    /// Where the ReferenceList goes [policy.reference_list].
    #[arg(long, value_enum, ignore_case = true, value_name = "PLACEMENT", help_heading = "Policy")]
    pub reference_list: Option<RefList>,
    /// Lifetime of the Timestamp we write, in seconds (default 300) [policy.timestamp_ttl_seconds].
    #[arg(long, value_name = "SECONDS", help_heading = "Policy")]
    pub ttl: Option<u64>,
    #[command(flatten)]
    pub io: IoArgs,
}

/// Secures the envelope and writes it out.
pub fn run(args: &Args) -> Result<(), Failure> {
    let engine = args.engine.engine(|policy| {
        if let Some(reference) = args.key_reference {
            policy.recipient_reference = Some(reference.into());
        }
        if let Some(reference) = args.signer_reference {
            policy.signer_reference = Some(reference.into());
        }
        if let Some(placement) = args.reference_list {
            policy.reference_list = Some(placement.into());
        }
        if let Some(ttl) = args.ttl {
            policy.timestamp_ttl_seconds = Some(ttl);
        }
    })?;
    let input = args.io.read()?;
    let secured = engine.secure(&input, None).map_err(|e| refused(&e))?;
    args.io.write(&secured.envelope)
}
