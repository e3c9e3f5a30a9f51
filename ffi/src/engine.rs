//! `wsseal_engine`: an engine built from a TOML configuration, immutable and shared by threads.

use std::ffi::c_char;
use std::path::Path;
use std::sync::Arc;

use wsseal_core::Engine;
use wsseal_core::config::Config;

use crate::boundary::{Failure, arg_c_str, arg_out, arg_text, free_c, guard, guard_value, to_c};
use crate::result::wsseal_result;
use crate::validator::{CallbackValidator, wsseal_certificate_validator};

/// Secures and opens envelopes for one endpoint: our credentials, the trusted peer or validator,
/// the policy and the replay cache. Immutable after creation: any number of threads may use one
/// engine at once.
#[allow(non_camel_case_types)]
pub struct wsseal_engine {
    pub(crate) engine: Engine,
}

/// Builds an engine from the TOML configuration file at `path` (the format of docs/c-api.md;
/// relative paths in it start at the file's directory). `validator`, when not NULL, decides which
/// signing certificates are trusted instead of the configured trust (`trust.mode` must be absent
/// or `Custom`); the configured peer, when present, is still the certificate requests are
/// encrypted for, and `[identity]` is still checked.
///
/// Ownership: `path` and `validator` are read during the call (the validator's callbacks and
/// userdata are kept until the engine is freed); `*engine_out` is the caller's, freed with
/// `wsseal_engine_free` (NULL on failure). Thread-safety: any thread. Errors: `NULL_ARGUMENT`,
/// `INVALID_UTF8`, `CONFIG_INVALID` (unreadable or invalid file), `CREDENTIAL_INVALID`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_engine_from_file(
    path: *const c_char,
    validator: *const wsseal_certificate_validator,
    engine_out: *mut *mut wsseal_engine,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers.
        let out = unsafe { arg_out(engine_out, "engine_out") }?;
        // SAFETY: as above, a NUL-terminated path.
        let path = unsafe { arg_c_str(path, "path") }?;
        let config = Config::from_file(Path::new(path))?;
        // SAFETY: as above.
        *out = to_c(unsafe { build(&config, validator) }?);
        Ok(())
    })
}

/// Builds an engine from the `toml_len` bytes of TOML at `toml`; relative paths in it start at
/// `base_dir` (NULL: the current directory). `validator` as for `wsseal_engine_from_file`.
///
/// Ownership: as `wsseal_engine_from_file`. Thread-safety: any thread. Errors: `NULL_ARGUMENT`,
/// `INVALID_UTF8`, `CONFIG_INVALID`, `CREDENTIAL_INVALID`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_engine_from_toml(
    toml: *const u8,
    toml_len: usize,
    base_dir: *const c_char,
    validator: *const wsseal_certificate_validator,
    engine_out: *mut *mut wsseal_engine,
) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or valid pointers, `toml_len` readable bytes.
        let out = unsafe { arg_out(engine_out, "engine_out") }?;
        // SAFETY: as above.
        let text = unsafe { arg_text(toml, toml_len, "toml") }?;
        // SAFETY: as above; NULL means the current directory.
        let base = if base_dir.is_null() { "." } else { unsafe { arg_c_str(base_dir, "base_dir") }? };
        let config = Config::from_toml(text, base)?;
        // SAFETY: as above.
        *out = to_c(unsafe { build(&config, validator) }?);
        Ok(())
    })
}

/// The engine `config` describes, with the host's validator when there is one.
///
/// # Safety
/// `validator` is NULL or points to a valid `wsseal_certificate_validator`.
unsafe fn build(config: &Config, validator: *const wsseal_certificate_validator) -> Result<wsseal_engine, Failure> {
    // SAFETY: forwarded from the caller.
    let engine = match unsafe { validator.as_ref() } {
        None => config.engine()?,
        Some(callbacks) => config.engine_with_validator(Arc::new(CallbackValidator::new(callbacks)?))?,
    };
    tracing::info!(suite = engine.policy().suite.name, "engine created");
    Ok(wsseal_engine { engine })
}

/// Frees an engine. NULL is a no-op. Outcomes and exchanges it produced stay valid; a custom
/// validator's `release` callback runs now.
///
/// Ownership: takes `engine`. Thread-safety: only once no other thread uses the engine.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_engine_free(engine: *mut wsseal_engine) {
    // SAFETY: the caller passes NULL or an engine from this library, once.
    guard_value((), || unsafe { free_c(engine) })
}
