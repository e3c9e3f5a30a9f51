//! The logging callback: the library's `tracing` events forwarded to the host.

use std::ffi::c_void;
use std::fmt::Write as _;
use std::sync::{Once, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

use crate::boundary::{Failure, guard};
use crate::buffer::wsseal_str;
use crate::result::wsseal_result;

/// A log level: one of the `WSSEAL_LOG_*` values, from the most to the least severe.
#[allow(non_camel_case_types)]
pub type wsseal_log_level = u32;

/// Logging off (as a maximum level).
pub const WSSEAL_LOG_OFF: wsseal_log_level = 0;
/// Something failed that the caller did not see as a result code.
pub const WSSEAL_LOG_ERROR: wsseal_log_level = 1;
/// Something suspicious.
pub const WSSEAL_LOG_WARN: wsseal_log_level = 2;
/// Life-cycle events (an engine created).
pub const WSSEAL_LOG_INFO: wsseal_log_level = 3;
/// Every refused input with its code and message.
pub const WSSEAL_LOG_DEBUG: wsseal_log_level = 4;
/// Everything.
pub const WSSEAL_LOG_TRACE: wsseal_log_level = 5;

/// Receives one log event: its level and its message (valid during the call). It runs on the
/// thread that logs, possibly several at once, so it must be thread-safe; it must not unwind or
/// longjmp, and must not call into libwsseal.
#[allow(non_camel_case_types)]
pub type wsseal_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, level: wsseal_log_level, message: wsseal_str)>;

/// Sends the library's log events up to `max_level` to `callback` with `userdata`; a NULL
/// callback or `WSSEAL_LOG_OFF` turns logging off. The setting is process-wide and replaces the
/// previous one; once this returns, no call of a previous callback is still running.
///
/// Ownership: `userdata` stays the caller's; it must stay valid until logging is turned off or
/// replaced. Thread-safety: any thread. Errors: `INVALID_ARGUMENT` (a level above
/// `WSSEAL_LOG_TRACE`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsseal_set_log_callback(
    callback: wsseal_log_callback,
    userdata: *mut c_void,
    max_level: wsseal_log_level,
) -> wsseal_result {
    guard(|| {
        let level = match max_level {
            WSSEAL_LOG_OFF => None,
            WSSEAL_LOG_ERROR => Some(Level::ERROR),
            WSSEAL_LOG_WARN => Some(Level::WARN),
            WSSEAL_LOG_INFO => Some(Level::INFO),
            WSSEAL_LOG_DEBUG => Some(Level::DEBUG),
            WSSEAL_LOG_TRACE => Some(Level::TRACE),
            other => return Err(Failure::invalid(format!("{other} is not a wsseal_log_level"))),
        };
        static INSTALL: Once = Once::new();
        // A host that links another copy of `tracing` with its own global subscriber keeps it; the
        // library's copy is private to libwsseal, so this normally succeeds.
        INSTALL.call_once(|| drop(tracing::subscriber::set_global_default(Forwarder)));
        *SINK.write().unwrap_or_else(|e| e.into_inner()) =
            callback.zip(level).map(|(callback, max)| Sink { callback, userdata, max });
        tracing::callsite::rebuild_interest_cache();
        Ok(())
    })
}

/// Where events go.
struct Sink {
    callback: unsafe extern "C" fn(*mut c_void, wsseal_log_level, wsseal_str),
    userdata: *mut c_void,
    max: Level,
}

// SAFETY: the host promises its callback and userdata may be used from any thread.
unsafe impl Send for Sink {}
// SAFETY: as above.
unsafe impl Sync for Sink {}

static SINK: RwLock<Option<Sink>> = RwLock::new(None);

fn max_level() -> Option<Level> {
    SINK.read().unwrap_or_else(|e| e.into_inner()).as_ref().map(|sink| sink.max)
}

fn c_level(level: Level) -> wsseal_log_level {
    match level {
        Level::ERROR => WSSEAL_LOG_ERROR,
        Level::WARN => WSSEAL_LOG_WARN,
        Level::INFO => WSSEAL_LOG_INFO,
        Level::DEBUG => WSSEAL_LOG_DEBUG,
        Level::TRACE => WSSEAL_LOG_TRACE,
    }
}

/// The subscriber that forwards events to the sink: the message, then `name=value` per field.
struct Forwarder;

impl Subscriber for Forwarder {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        max_level().is_some_and(|max| *metadata.level() <= max)
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(max_level().map_or(tracing::level_filters::LevelFilter::OFF, Into::into))
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let sink = SINK.read().unwrap_or_else(|e| e.into_inner());
        let Some(sink) = sink.as_ref().filter(|sink| *event.metadata().level() <= sink.max) else { return };
        let mut text = Text::default();
        event.record(&mut text);
        let message = text.message + &text.fields;
        // SAFETY: the host's callback with its userdata and text valid during the call.
        unsafe { (sink.callback)(sink.userdata, c_level(*event.metadata().level()), wsseal_str::of(&message)) };
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// An event's message and its other fields.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}
