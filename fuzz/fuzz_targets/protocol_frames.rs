//! The sidecar frame decoders on arbitrary bytes: an even first byte decodes a request payload,
//! an odd one a response payload, and the rest is also read as a stream of frames. What decodes
//! re-encodes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsseal_core::protocol::{PREFIX_LEN, Request, Response, encode_request, read_frame};

const MAX_ITEMS: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, payload)) = data.split_first() else { return };
    if selector % 2 == 0 {
        if let Ok(request) = Request::decode(payload.to_vec(), MAX_ITEMS) {
            let items: Vec<_> = (0..request.len()).map(|i| request.item(i)).collect();
            assert_eq!(&encode_request(request.op, request.id, &items)[PREFIX_LEN..], payload);
        }
    } else if let Ok(response) = Response::decode(payload) {
        assert_eq!(&response.encode()[PREFIX_LEN..], payload);
    }
    let mut stream = payload;
    while let Ok(Some(_)) = read_frame(&mut stream, 1 << 16) {}
});
