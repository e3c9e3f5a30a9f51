//! Batches: N envelopes processed in parallel on a rayon pool, N outcomes back.

use wsseal_core::BatchItem;

use crate::boundary::{Failure, arg_out, arg_ref, arg_slice, free_c, guard, guard_value, to_c};
use crate::engine::wsseal_engine;
use crate::exchange::wsseal_exchange;
use crate::operation::{self, wsseal_operation, wsseal_outcome};
use crate::result::{wsseal_code, wsseal_result};

/// A pool of worker threads for batches. Any number of threads may submit batches to one pool.
#[allow(non_camel_case_types)]
pub struct wsseal_pool {
    pool: rayon::ThreadPool,
}

/// Starts a pool of `threads` worker threads (0: one per CPU) in `*pool_out`.
///
/// Ownership: `*pool_out` is the caller's, freed with `wsseal_pool_free` (NULL on failure).
/// Thread-safety: any thread. Errors: `NULL_ARGUMENT`, `SYSTEM` (threads could not be started).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_pool_new(threads: usize, pool_out: *mut *mut wsseal_pool) -> wsseal_result {
    guard(|| {
        // SAFETY: the caller passes NULL or a valid pointer.
        let out = unsafe { arg_out(pool_out, "pool_out") }?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("wsseal-{i}"))
            .build()
            .map_err(|e| Failure::new(wsseal_code::WSSEAL_SYSTEM, format!("the pool cannot start: {e}")))?;
        *out = to_c(wsseal_pool { pool });
        Ok(())
    })
}

/// Frees a pool: waits for nothing, its threads end once their work is done. NULL is a no-op.
///
/// Ownership: takes `pool`. Thread-safety: only once no batch runs on it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_pool_free(pool: *mut wsseal_pool) {
    // SAFETY: the caller passes NULL or a pool from this library, once.
    guard_value((), || unsafe { free_c(pool) })
}

/// One envelope of a batch.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct wsseal_batch_item {
    /// The envelope's bytes (not NULL, even when empty).
    pub envelope: *const u8,
    /// The envelope's length.
    pub envelope_len: usize,
    /// The exchange, for `WSSEAL_OPEN_RESPONSE` and `WSSEAL_SECURE_RESPONSE`; otherwise NULL.
    pub exchange: *const wsseal_exchange,
}

/// Runs `operation` on the `count` items in parallel on `pool` (NULL: the library's own pool, one
/// thread per CPU) and writes one outcome per item, in order, to `outcomes_out[0..count]`. Each
/// item succeeds or fails on its own: check `wsseal_outcome_code` of each.
///
/// Ownership: `items` and what they point to are borrowed for the call; each outcome is the
/// caller's, freed with `wsseal_outcome_free`. Thread-safety: any number of threads may run
/// batches on one engine and one pool. Errors (of the call as a whole, when no outcome is written
/// and every `outcomes_out` entry is NULL): `NULL_ARGUMENT` (`items` or `outcomes_out` NULL while
/// `count` > 0), `INVALID_ARGUMENT` (unknown operation). An item with a NULL envelope gets an
/// outcome with `NULL_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_engine_process_batch(
    engine: *const wsseal_engine,
    pool: *const wsseal_pool,
    operation: wsseal_operation,
    items: *const wsseal_batch_item,
    count: usize,
    outcomes_out: *mut *mut wsseal_outcome,
) -> wsseal_result {
    guard(|| {
        if count == 0 {
            return Ok(());
        }
        // SAFETY: the caller passes NULL or `count` writable entries.
        unsafe { arg_slice(outcomes_out.cast_const(), count, "outcomes_out") }?;
        // SAFETY: checked above; the entries are the caller's to write.
        let outcomes = unsafe { std::slice::from_raw_parts_mut(outcomes_out, count) };
        outcomes.fill(std::ptr::null_mut());
        // SAFETY: the caller passes NULL or valid pointers.
        let engine = unsafe { arg_ref(engine, "engine") }?;
        // SAFETY: as above, `count` readable items.
        let items = unsafe { arg_slice(items, count, "items") }?;
        let operation = operation::operation(operation)?;
        // SAFETY: the caller passes NULL or a live pool.
        let pool = unsafe { pool.as_ref() };

        // Items with valid arguments go to the engine; the others fail on their own.
        let checked: Vec<Result<BatchItem<'_>, Failure>> = items
            .iter()
            .map(|item| {
                // SAFETY: each item's pointers are NULL or valid, as documented.
                let envelope = unsafe { arg_slice(item.envelope, item.envelope_len, "envelope") }?;
                // SAFETY: as above.
                let exchange = unsafe { item.exchange.as_ref() }.map(|e| &e.exchange);
                Ok(BatchItem { envelope, exchange })
            })
            .collect();
        let valid: Vec<BatchItem<'_>> = checked.iter().filter_map(|c| c.as_ref().ok().copied()).collect();
        let run = || engine.engine.process_batch(operation, &valid);
        let mut processed = match pool {
            Some(pool) => pool.pool.install(run),
            None => run(),
        }
        .into_iter();
        for (slot, check) in outcomes.iter_mut().zip(checked) {
            let result = match check {
                Ok(_) => processed.next().expect("one result per valid item").map_err(Failure::from),
                Err(failure) => Err(failure),
            };
            *slot = to_c(wsseal_outcome::of(result));
        }
        Ok(())
    })
}
