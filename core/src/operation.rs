//! The four things an endpoint does with an envelope, by name, and batches of them processed in
//! parallel on a rayon pool. The C ABI and the sidecar drive the engine through this module.

use rayon::prelude::*;

use crate::error::{Error, ErrorCode};
use crate::wss::{Engine, Exchange, Opened, Report, Secured};

/// An operation on one envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// A client secures a request; no exchange state goes in, the state for its response comes out.
    SecureRequest,
    /// A client opens the response to its request, with the state securing the request gave.
    OpenResponse,
    /// A service opens a request; the state for its response comes out.
    OpenRequest,
    /// A service secures the response to a request, with the state opening the request gave.
    SecureResponse,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 4] =
        [Operation::SecureRequest, Operation::OpenResponse, Operation::OpenRequest, Operation::SecureResponse];

    /// A stable lower-case name: `secure_request`, `open_response`, `open_request`, `secure_response`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::SecureRequest => "secure_request",
            Operation::OpenResponse => "open_response",
            Operation::OpenRequest => "open_request",
            Operation::SecureResponse => "secure_response",
        }
    }

    /// Whether the operation continues an exchange, and so needs its state.
    pub fn continues_exchange(self) -> bool {
        matches!(self, Operation::OpenResponse | Operation::SecureResponse)
    }

    /// Whether the operation opens (decrypts and verifies) rather than secures.
    pub fn opens(self) -> bool {
        matches!(self, Operation::OpenResponse | Operation::OpenRequest)
    }
}

/// What an operation produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The output envelope: secured, or opened (verified content only).
    pub envelope: Vec<u8>,
    /// The exchange state to keep for the other message of the exchange.
    pub exchange: Exchange,
    /// The verification report, for an opened envelope.
    pub report: Option<Report>,
}

impl From<Secured> for Outcome {
    fn from(secured: Secured) -> Self {
        Self { envelope: secured.envelope, exchange: secured.exchange, report: None }
    }
}

impl From<Opened> for Outcome {
    fn from(opened: Opened) -> Self {
        Self { envelope: opened.envelope, exchange: opened.exchange, report: Some(opened.report) }
    }
}

/// One envelope of a batch, with the exchange state its operation needs.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    /// The envelope.
    pub envelope: &'a [u8],
    /// The state, for [`Operation::OpenResponse`] and [`Operation::SecureResponse`].
    pub exchange: Option<&'a Exchange>,
}

impl Engine {
    /// Runs `operation` on `envelope`. The exchange state must be given exactly when the
    /// operation continues an exchange; otherwise the result is [`ErrorCode::ExchangeInvalid`].
    pub fn process(
        &self,
        operation: Operation,
        envelope: &[u8],
        exchange: Option<&Exchange>,
    ) -> Result<Outcome, Error> {
        match (operation.continues_exchange(), exchange.is_some()) {
            (true, false) => {
                return Err(Error::new(
                    ErrorCode::ExchangeInvalid,
                    format!("{} needs the exchange state of the request", operation.name()),
                ));
            }
            (false, true) => {
                return Err(Error::new(
                    ErrorCode::ExchangeInvalid,
                    format!("{} starts an exchange and takes no exchange state", operation.name()),
                ));
            }
            _ => {}
        }
        if operation.opens() {
            self.open(envelope, exchange).map(Outcome::from)
        } else {
            self.secure(envelope, exchange).map(Outcome::from)
        }
    }

    /// Runs `operation` on every item in parallel on the current rayon pool (the global one
    /// unless the caller installs its own), returning one result per item, in order.
    pub fn process_batch(&self, operation: Operation, items: &[BatchItem<'_>]) -> Vec<Result<Outcome, Error>> {
        items.par_iter().with_min_len(1).map(|item| self.process(operation, item.envelope, item.exchange)).collect()
    }
}
