//! `Config::from_toml` on arbitrary text, then the policy and the identity it describes. The
//! engine is not built: it reads the files the configuration names, and a fuzzer must not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsseal_core::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = Config::from_toml(text, "/nonexistent/wsseal-fuzz") else { return };
    let _ = config.policy();
    let _ = config.identity();
});
