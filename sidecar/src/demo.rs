//! `wsseal demo` (to be written).

/// Arguments of `wsseal demo`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the demonstration.
pub fn run(_args: &Args) -> Result<(), crate::Failure> {
    Ok(())
}
