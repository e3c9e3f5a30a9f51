//! The sidecar's exchange tokens (`wsseal_sidecar::token`, AES-256-GCM under the sidecar's key).
//! The first byte's low bit chooses the operation a token is opened for (open a response, secure
//! a response); its next bit chooses what is opened: the rest of the input as a token (which must
//! never open: nobody without the key can make one), or a genuine token sealed at start for that
//! operation, with the rest of the input as (offset, XOR) edits (which opens, to the sealed
//! exchange, exactly when the edits change nothing).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wsseal_core::{ErrorCode, Operation};
use wsseal_sidecar::token::{KEY_LEN, TokenKeys};

/// The keys, and a genuine token for each of the two operations that continue an exchange.
struct Fixture {
    keys: TokenKeys,
    tokens: [(Operation, Vec<u8>); 2],
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // Tokens live longer than any run, so the genuine ones never expire mid-run.
        let keys = TokenKeys::new(&[7; KEY_LEN], Duration::from_secs(10 * 365 * 24 * 3600)).expect("a key");
        let exchange = wsseal_fuzz::wcf_client_exchange();
        let seal = |from| keys.seal(from, exchange).expect("seals");
        let tokens = [
            (Operation::OpenResponse, seal(Operation::SecureRequest)),
            (Operation::SecureResponse, seal(Operation::OpenRequest)),
        ];
        Fixture { keys, tokens }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let fixture = fixture();
    let (operation, genuine) = &fixture.tokens[usize::from(selector & 1)];
    if selector & 2 == 0 {
        let error = fixture.keys.open(*operation, rest).expect_err("a token made without the key never opens");
        assert_eq!(error.code(), ErrorCode::TokenInvalid);
        return;
    }
    let mut token = genuine.clone();
    for edit in rest.chunks_exact(3) {
        let at = usize::from(u16::from_be_bytes([edit[0], edit[1]])) % token.len();
        token[at] ^= edit[2];
    }
    match fixture.keys.open(*operation, &token) {
        Ok(opened) => {
            assert_eq!(&token, genuine, "an altered token opened");
            assert_eq!(opened.to_bytes(), wsseal_fuzz::wcf_client_exchange().to_bytes());
        }
        Err(error) => {
            assert_ne!(&token, genuine, "the genuine token did not open: {error}");
            assert_eq!(error.code(), ErrorCode::TokenInvalid);
        }
    }
});
