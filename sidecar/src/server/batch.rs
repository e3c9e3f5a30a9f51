//! The work of one batch, run on the crypto pool: each admitted item opens its token, goes
//! through `Engine::process`, and has its new exchange state sealed into a token; or, for
//! `check_identity`, is checked with `Identity::check`.

use rayon::prelude::*;
use wsseal_core::cert::Certificate;
use wsseal_core::identity::Identity;
use wsseal_core::{Engine, Error, ErrorCode, Operation};

use crate::protocol::{ItemResult, Op, Request};
use crate::token::TokenKeys;

/// Processes the first `admitted` items of `request` in parallel on the current rayon pool,
/// returning their results in order.
pub fn process(engine: &Engine, keys: &TokenKeys, request: &Request, admitted: usize) -> Vec<ItemResult> {
    (0..admitted)
        .into_par_iter()
        .with_min_len(1)
        .map(|index| {
            let (first, second) = request.item(index);
            let result = match request.op.engine_operation() {
                Some(operation) => item(engine, keys, operation, first, second),
                None if request.op == Op::CheckIdentity => check_identity(first, second),
                None => Err(Error::new(ErrorCode::OperationUnsupported, "this operation carries no items")),
            };
            result.unwrap_or_else(|error| ItemResult::error(error.code(), error.message()))
        })
        .collect()
}

/// Whether the certificate (DER) satisfies the identity (WCF `<identity>` XML).
fn check_identity(certificate: &[u8], identity: &[u8]) -> Result<ItemResult, Error> {
    let certificate = Certificate::from_der(certificate)
        .map_err(|e| Error::new(ErrorCode::CredentialInvalid, format!("certificate: {}", e.message())))?;
    let identity =
        std::str::from_utf8(identity).map_err(|_| Error::new(ErrorCode::ConfigInvalid, "the identity is not UTF-8"))?;
    Identity::from_xml(identity)?.check(&certificate)?;
    Ok(ItemResult::default())
}

fn item(
    engine: &Engine,
    keys: &TokenKeys,
    operation: Operation,
    envelope: &[u8],
    token: &[u8],
) -> Result<ItemResult, Error> {
    let exchange = if operation.continues_exchange() {
        Some(keys.open(operation, token)?)
    } else if token.is_empty() {
        None
    } else {
        return Err(Error::new(ErrorCode::ExchangeInvalid, format!("{} takes no token", operation.name())));
    };
    let outcome = engine.process(operation, envelope, exchange.as_ref())?;
    let token = if operation.continues_exchange() { Vec::new() } else { keys.seal(operation, &outcome.exchange)? };
    let detail = match &outcome.report {
        Some(report) => serde_json::to_vec(report)
            .map_err(|e| Error::new(ErrorCode::SidecarInternal, format!("the report cannot be written: {e}")))?,
        None => Vec::new(),
    };
    Ok(ItemResult { code: 0, envelope: outcome.envelope, token, detail })
}
