//! The global allocator: mimalloc, counted, so INFO's `used_memory` is the bytes the server holds
//! (what Valkey reports from its allocator), not an estimate.

#![allow(unsafe_code)] // GlobalAlloc is an unsafe trait; this wrapper only forwards and counts.

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
    inner: mimalloc::MiMalloc,
    /// Bytes allocated minus bytes freed, by thread slot (a slot can go negative: threads free what
    /// others allocated).
    slots: [AtomicIsize; SLOTS],
    next_slot: AtomicUsize,
    peak: AtomicUsize,
}

impl CountingAlloc {
    pub const fn new() -> CountingAlloc {
        CountingAlloc {
            inner: mimalloc::MiMalloc,
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

// SAFETY: every method forwards to mimalloc with the caller's arguments unchanged; the counters are
// plain atomics and do not affect the memory handed out.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.inner.alloc(layout) };
        if !p.is_null() {
            self.change(unsafe { self.inner.usable_size(p) } as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if !p.is_null() {
            self.change(unsafe { self.inner.usable_size(p) } as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.change(-(unsafe { self.inner.usable_size(ptr) } as isize));
        unsafe { self.inner.dealloc(ptr, layout) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = unsafe { self.inner.usable_size(ptr) };
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            self.change(unsafe { self.inner.usable_size(p) } as isize - old as isize);
        }
        p
    }
}
