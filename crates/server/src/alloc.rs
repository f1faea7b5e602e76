//! The global allocator: mimalloc, counted, so INFO's `used_memory` is the bytes the server holds
//! (what Valkey reports from its allocator), not an estimate.

#![allow(unsafe_code)] // GlobalAlloc is an unsafe trait; this wrapper only forwards and counts.

use libmimalloc_sys as ffi;
use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// Threads with a counter of their own; later threads share the last one. The main thread allocates on
/// every command, so its counter must not be a contended read-modify-write: each thread adds to its own
/// slot with a plain load and store, and readers sum the slots (as Valkey keeps used memory per thread).
const SLOTS: usize = 64;
const SHARED_SLOT: usize = SLOTS - 1;

thread_local! {
    /// This thread's slot, assigned on its first allocation.
    static SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
}

pub struct CountingAlloc {
    /// Bytes allocated minus bytes freed, by thread slot (a slot can go negative: threads free what
    /// others allocated).
    slots: [AtomicIsize; SLOTS],
    next_slot: AtomicUsize,
    peak: AtomicUsize,
}

impl CountingAlloc {
    pub const fn new() -> CountingAlloc {
        CountingAlloc {
            slots: [const { AtomicIsize::new(0) }; SLOTS],
            next_slot: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Bytes currently allocated, counted as the allocator's usable sizes (as Valkey's zmalloc counts).
    /// Reading it also updates the peak.
    pub fn allocated(&self) -> usize {
        let assigned = self.next_slot.load(Ordering::Relaxed).min(SHARED_SLOT);
        let total: isize = self.slots[..assigned].iter().map(|s| s.load(Ordering::Relaxed)).sum::<isize>()
            + self.slots[SHARED_SLOT].load(Ordering::Relaxed);
        let total = total.max(0) as usize;
        self.peak.fetch_max(total, Ordering::Relaxed);
        total
    }

    /// The most ever allocated at once, as seen by the readings taken so far (Valkey also samples its
    /// peak, in its cron and on INFO).
    pub fn peak(&self) -> usize {
        self.allocated().max(self.peak.load(Ordering::Relaxed))
    }

    fn change(&self, delta: isize) {
        let slot = SLOT
            .try_with(|s| {
                if s.get() == usize::MAX {
                    s.set(self.next_slot.fetch_add(1, Ordering::Relaxed).min(SHARED_SLOT));
                }
                s.get()
            })
            .unwrap_or(SHARED_SLOT);
        let counter = &self.slots[slot];
        if slot == SHARED_SLOT {
            counter.fetch_add(delta, Ordering::Relaxed);
        } else {
            // Only this thread writes this slot.
            counter.store(counter.load(Ordering::Relaxed) + delta, Ordering::Relaxed);
        }
    }
}

impl Default for CountingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

/// Every mimalloc block is aligned to at least this (its size classes are multiples of 8 bytes), so a
/// layout that asks no more can use the plain entry points; the mimalloc crate always calls the
/// `_aligned` ones, which cost about three times the instructions on the per-command allocations.
const PLAIN_ALIGN: usize = 8;

unsafe fn raw_alloc(layout: Layout) -> *mut u8 {
    if layout.align() <= PLAIN_ALIGN {
        unsafe { ffi::mi_malloc(layout.size()).cast() }
    } else {
        unsafe { ffi::mi_malloc_aligned(layout.size(), layout.align()).cast() }
    }
}

unsafe fn raw_alloc_zeroed(layout: Layout) -> *mut u8 {
    if layout.align() <= PLAIN_ALIGN {
        unsafe { ffi::mi_zalloc(layout.size()).cast() }
    } else {
        unsafe { ffi::mi_zalloc_aligned(layout.size(), layout.align()).cast() }
    }
}

unsafe fn raw_realloc(ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    if layout.align() <= PLAIN_ALIGN {
        unsafe { ffi::mi_realloc(ptr.cast(), new_size).cast() }
    } else {
        unsafe { ffi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast() }
    }
}

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_e`; the sys crate does not name it).
const MI_OPTION_PURGE_DELAY: ffi::mi_option_t = 15;

/// How long freed memory stays with the process before it is given back to the OS: jemalloc's
/// `dirty_decay_ms` default, which Valkey runs with. mimalloc's own default (10 ms) hands pages back
/// almost at once, and a data set that is freed and grows again (FLUSHALL, then LPUSH) pays a page
/// fault and a page clear for each page: 14% of the server's CPU under `redis-benchmark -t lpush -P 16`.
const PURGE_DELAY_MS: i64 = 10_000;

/// Sets the allocator's options, unless the environment sets them (`MIMALLOC_PURGE_DELAY`).
pub fn configure() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets an option value; mimalloc reads options atomically.
        unsafe { ffi::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS as _) };
    }
}

/// MEMORY PURGE: frees what mimalloc holds unused, now rather than after the purge delay.
pub fn purge() {
    // SAFETY: a collection pass over the calling thread's heap and the abandoned pages.
    unsafe { ffi::mi_collect(true) };
}

/// `mi_version()`: 302 for mimalloc 3.0.2.
pub fn mimalloc_version() -> i32 {
    // SAFETY: a pure function of the linked library.
    unsafe { ffi::mi_version() }
}

fn usable_size(p: *const u8) -> usize {
    // SAFETY: `p` is a live block from this allocator.
    unsafe { ffi::mi_usable_size(p.cast()) }
}

// SAFETY: every method forwards to mimalloc with the caller's size and alignment (the plain entry points
// only for alignments every block has); the counters are plain atomics and do not affect the memory
// handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { raw_alloc(layout) };
        if !p.is_null() {
            self.change(usable_size(p) as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { raw_alloc_zeroed(layout) };
        if !p.is_null() {
            self.change(usable_size(p) as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        self.change(-(usable_size(ptr) as isize));
        unsafe { ffi::mi_free(ptr.cast()) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = usable_size(ptr);
        let p = unsafe { raw_realloc(ptr, layout, new_size) };
        if !p.is_null() {
            self.change(usable_size(p) as isize - old as isize);
        }
        p
    }
}
