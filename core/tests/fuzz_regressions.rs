//! Inputs the fuzz targets of `fuzz/` found (docs/fuzzing.md), kept as regression tests: each
//! ends in its typed error (or a clean refusal), never a panic, a hang or a silent difference.

use wsseal_core::protocol::{PREFIX_LEN, Response};

/// protocol_frames: the request decoder refused non-zero reserved flags but the response decoder
/// ignored them, so an accepted response did not re-encode to its own bytes.
#[test]
fn a_response_with_reserved_flags_set_is_refused() {
    let answer = Response { op: 3, id: 7, status: 0, message: String::new(), results: Vec::new() };
    let mut payload = answer.encode()[PREFIX_LEN..].to_vec();
    assert_eq!(Response::decode(&payload).unwrap(), answer);
    payload[2] = 63;
    assert_eq!(Response::decode(&payload).unwrap_err(), "the response's reserved flags are not zero");
}
