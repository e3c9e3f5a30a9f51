//! Our client secures arbitrary bytes, and whatever it secures our service must open without a
//! digest or signature failure: the parts are digested from the input's index with their Ids
//! planned (not from the spliced output), so a mismatch between the two is a bug. The first byte
//! chooses a WSS 1.0 policy of `wsseal_fuzz::wss10_policies` or the WCF profile; the seeds are
//! plain envelopes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsseal_core::ErrorCode;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, envelope)) = data.split_first() else { return };
    let pairs = wsseal_fuzz::secure_pairs();
    let (client, service) = &pairs[usize::from(selector) % pairs.len()];
    let Ok(secured) = client.secure_at(envelope, None, wsseal_fuzz::secured_at()) else { return };
    if let Err(error) = service.open_at(&secured.envelope, None, wsseal_fuzz::opened_at()) {
        assert!(
            !matches!(error.code(), ErrorCode::DigestMismatch | ErrorCode::SignatureInvalid),
            "{error}\n{}",
            String::from_utf8_lossy(&secured.envelope)
        );
    }
});
