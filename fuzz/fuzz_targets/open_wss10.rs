//! A WSS 1.0 service (encryption required) opens arbitrary bytes. The first byte chooses one of
//! the policies of `wsseal_fuzz::wss10_policies`; the seeds are real secured requests for each.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, envelope)) = data.split_first() else { return };
    let engines = wsseal_fuzz::wss10_services();
    let engine = &engines[usize::from(selector) % engines.len()];
    let _ = engine.open_at(envelope, None, wsseal_fuzz::opened_at());
});
