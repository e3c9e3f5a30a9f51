//! The WCF profile opens arbitrary bytes: an even first byte has the service open a request, an
//! odd one has the client open a response with the exchange of its seed request.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, envelope)) = data.split_first() else { return };
    let now = wsseal_fuzz::opened_at();
    let _ = match selector % 2 {
        0 => wsseal_fuzz::wcf_service().open_at(envelope, None, now),
        _ => wsseal_fuzz::wcf_client().open_at(envelope, Some(wsseal_fuzz::wcf_client_exchange()), now),
    };
});
