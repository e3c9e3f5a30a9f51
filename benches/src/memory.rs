//! Peak memory of one operation, two ways: the live heap bytes counted by [`CountingAllocator`]
//! (a bench binary installs it as its global allocator), and the process's peak resident set
//! (`VmHWM`, reset through `/proc/self/clear_refs`).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Allocations at least this large are tracked one by one, to tell what was live at the peak.
pub const LARGE: usize = 1 << 20;
/// How many large allocations are tracked at once (more are counted, not listed).
const TRACKED: usize = 64;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGE_LIVE: Mutex<Buffers> = Mutex::new(Buffers::new());

/// The large allocations live now, and those live at the last heap peak a large allocation made.
struct Buffers {
    live: [(usize, usize); TRACKED],
    at_peak: [(usize, usize); TRACKED],
    peak: usize,
}

impl Buffers {
    const fn new() -> Self {
        Self { live: [(0, 0); TRACKED], at_peak: [(0, 0); TRACKED], peak: 0 }
    }

    fn added(&mut self, address: usize, size: usize, live: usize) {
        if let Some(slot) = self.live.iter_mut().find(|(_, s)| *s == 0) {
            *slot = (address, size);
        }
        if live > self.peak {
            self.peak = live;
            self.at_peak = self.live;
        }
    }

    fn removed(&mut self, address: usize) {
        if let Some(slot) = self.live.iter_mut().find(|(a, s)| *a == address && *s != 0) {
            *slot = (0, 0);
        }
    }
}

/// The system allocator, counting live bytes and their peak.
pub struct CountingAllocator;

fn allocated(address: *mut u8, size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
    if size >= LARGE
        && let Ok(mut buffers) = LARGE_LIVE.lock()
    {
        buffers.added(address as usize, size, live);
    }
}

fn freed(address: *mut u8, size: usize) {
    LIVE.fetch_sub(size, Ordering::Relaxed);
    if size >= LARGE
        && let Ok(mut buffers) = LARGE_LIVE.lock()
    {
        buffers.removed(address as usize);
    }
}

// SAFETY: every call is forwarded to `System` with the caller's arguments; the bookkeeping
// neither allocates nor touches the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let address = unsafe { System.alloc(layout) };
        if !address.is_null() {
            allocated(address, layout.size());
        }
        address
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let address = unsafe { System.alloc_zeroed(layout) };
        if !address.is_null() {
            allocated(address, layout.size());
        }
        address
    }

    unsafe fn dealloc(&self, address: *mut u8, layout: Layout) {
        freed(address, layout.size());
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(address, layout) }
    }

    unsafe fn realloc(&self, address: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as received.
        let moved = unsafe { System.realloc(address, layout, new_size) };
        if !moved.is_null() {
            freed(address, layout.size());
            allocated(moved, new_size);
        }
        moved
    }
}

/// Live heap bytes now (as counted by [`CountingAllocator`], when installed).
pub fn heap_live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The most live heap bytes since the last [`reset_heap_peak`].
pub fn heap_peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new heap peak from the bytes live now, and returns them.
pub fn reset_heap_peak() -> usize {
    let live = heap_live();
    PEAK.store(live, Ordering::Relaxed);
    if let Ok(mut buffers) = LARGE_LIVE.lock() {
        buffers.peak = live;
        buffers.at_peak = buffers.live;
    }
    live
}

/// The sizes of the allocations of at least [`LARGE`] bytes that were live at the heap peak
/// (the last peak a large allocation made), largest first.
pub fn large_buffers_at_peak() -> Vec<usize> {
    let mut sizes: Vec<usize> = LARGE_LIVE
        .lock()
        .map(|b| b.at_peak.iter().map(|&(_, size)| size).filter(|&s| s != 0).collect())
        .unwrap_or_default();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes
}

/// A `Vm*` figure of `/proc/self/status`, in bytes.
fn vm_status(field: &str) -> Result<usize, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| format!("/proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix("kB")?.trim().parse::<usize>().ok())
        .map(|kib| kib << 10)
        .ok_or_else(|| format!("no {field} in /proc/self/status"))
}

/// The resident set now, in bytes.
pub fn rss() -> Result<usize, String> {
    vm_status("VmRSS")
}

/// The peak resident set since the process started or [`reset_peak_rss`], in bytes.
pub fn peak_rss() -> Result<usize, String> {
    vm_status("VmHWM")
}

/// Resets the peak resident set to the resident set now (Linux 4.0 and later), and returns it.
pub fn reset_peak_rss() -> Result<usize, String> {
    std::fs::write("/proc/self/clear_refs", "5").map_err(|e| format!("/proc/self/clear_refs: {e}"))?;
    rss()
}
