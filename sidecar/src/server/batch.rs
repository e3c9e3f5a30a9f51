//! The work of one batch, run on the crypto pool: each admitted item opens its token, goes
//! through `Engine::process`, and has its new exchange state sealed into a token.

use rayon::prelude::*;
use wsseal_core::{Engine, Error, ErrorCode, Operation};

use crate::protocol::{ItemResult, Op, Request};
use crate::token::TokenKey;

/// Processes the first `admitted` items of `request` in parallel on the current rayon pool,
/// returning their results in order.
pub fn process(engine: &Engine, key: &TokenKey, request: &Request, admitted: usize) -> Vec<ItemResult> {
    (0..admitted)
        .into_par_iter()
        .with_min_len(1)
        .map(|index| {
            let (first, second) = request.item(index);
            match request.op.engine_operation() {
                Some(operation) => item(engine, key, operation, first, second)
                    .unwrap_or_else(|error| ItemResult::error(error.code(), error.message())),
                None => unsupported(request.op),
            }
        })
        .collect()
}

/// The answer to an operation this build cannot do yet.
fn unsupported(op: Op) -> ItemResult {
    let message = match op {
        Op::CheckIdentity => "check_identity needs the certificate trust of wsseal-core, not in this build",
        _ => "this operation carries no items",
    };
    ItemResult::error(ErrorCode::OperationUnsupported, message)
}

fn item(
    engine: &Engine,
    key: &TokenKey,
    operation: Operation,
    envelope: &[u8],
    token: &[u8],
) -> Result<ItemResult, Error> {
    let exchange = if operation.continues_exchange() {
        Some(key.open(operation, token)?)
    } else if token.is_empty() {
        None
    } else {
        return Err(Error::new(ErrorCode::ExchangeInvalid, format!("{} takes no token", operation.name())));
    };
    let outcome = engine.process(operation, envelope, exchange.as_ref())?;
    let token = if operation.continues_exchange() { Vec::new() } else { key.seal(operation, &outcome.exchange)? };
    let detail = match &outcome.report {
        Some(report) => serde_json::to_vec(report)
            .map_err(|e| Error::new(ErrorCode::SidecarInternal, format!("the report cannot be written: {e}")))?,
        None => Vec::new(),
    };
    Ok(ItemResult { code: 0, envelope: outcome.envelope, token, detail })
}
