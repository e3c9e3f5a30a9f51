//! The WCF configuration import on arbitrary text; what it imports must be a configuration that
//! wsseal reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsseal_core::config::Config;
use wsseal_core::wcf::import::{ImportOptions, import};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let options = ImportOptions { store_root: Some("/nonexistent/store".into()), ..ImportOptions::default() };
    if let Ok(toml) = import(text, &options)
        && let Err(error) = Config::from_toml(&toml, "/nonexistent/wsseal-fuzz").and_then(|c| c.policy())
    {
        panic!("the import wrote a configuration wsseal refuses: {error}\n{toml}");
    }
});
