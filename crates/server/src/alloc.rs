//! The global allocator: mimalloc, counted, so INFO's `used_memory` is the bytes the server holds
//! (what Valkey reports from its allocator), not an estimate.

#![allow(unsafe_code)] // GlobalAlloc is an unsafe trait; this wrapper only forwards and counts.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct CountingAlloc {
    inner: mimalloc::MiMalloc,
    allocated: AtomicUsize,
    peak: AtomicUsize,
}

impl CountingAlloc {
    pub const fn new() -> CountingAlloc {
        CountingAlloc { inner: mimalloc::MiMalloc, allocated: AtomicUsize::new(0), peak: AtomicUsize::new(0) }
    }

    /// Bytes currently allocated, counted as the allocator's usable sizes (as Valkey's zmalloc counts).
    pub fn allocated(&self) -> usize {
        self.allocated.load(Ordering::Relaxed)
    }

    /// The most ever allocated at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    fn add(&self, n: usize) {
        let now = self.allocated.fetch_add(n, Ordering::Relaxed) + n;
        if now > self.peak.load(Ordering::Relaxed) {
            self.peak.store(now, Ordering::Relaxed);
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
            self.add(unsafe { self.inner.usable_size(p) });
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if !p.is_null() {
            self.add(unsafe { self.inner.usable_size(p) });
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.allocated.fetch_sub(unsafe { self.inner.usable_size(ptr) }, Ordering::Relaxed);
        unsafe { self.inner.dealloc(ptr, layout) };
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = unsafe { self.inner.usable_size(ptr) };
        let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            self.allocated.fetch_sub(old, Ordering::Relaxed);
            self.add(unsafe { self.inner.usable_size(p) });
        }
        p
    }
}
