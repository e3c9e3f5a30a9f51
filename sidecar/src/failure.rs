//! How a subcommand fails: a message for stderr and a process exit code.

use std::fmt;
use std::process::ExitCode;

/// A failed subcommand. Exit code 1 means the input was refused (the message carries the engine's
/// stable error code); 2 means the command could not run (bad arguments, unreadable files).
#[derive(Debug)]
pub struct Failure {
    message: String,
    exit: u8,
}

impl Failure {
    /// The command could not run: bad arguments or environment.
    pub fn usage(message: impl Into<String>) -> Self {
        Self { message: message.into(), exit: 2 }
    }

    /// A file or stream could not be read or written.
    pub fn io(context: impl fmt::Display, err: std::io::Error) -> Self {
        Self { message: format!("{context}: {err}"), exit: 2 }
    }

    /// The engine refused the input; `code` is its stable error code. Printed as
    /// `refused: NAME (value): message`.
    pub fn refused(code: wsseal_core::ErrorCode, message: impl fmt::Display) -> Self {
        Self { message: format!("refused: {code}: {message}"), exit: 1 }
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
