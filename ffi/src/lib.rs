//! libwsseal: the C ABI of the wsseal engine. The header is include/wsseal.h, generated from these
//! modules by cbindgen (ffi/tests/header.rs checks it is current); docs/c-api.md is the guide.
//!
//! Every entry point catches panics and checks its raw arguments ([`boundary`]); handles are
//! boxed Rust values handed to C and taken back by their `*_free` function.

#![allow(clippy::missing_safety_doc)]

pub mod batch;
mod boundary;
pub mod buffer;
pub mod engine;
pub mod exchange;
pub mod identity;
pub mod log;
pub mod operation;
pub mod report;
pub mod result;
pub mod validator;

pub use boundary::wsseal_last_error_message;
pub mod version;
