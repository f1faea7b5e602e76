//! What the server tells the engine about its process: INFO's process facts, CPU and memory readings.

use crate::alloc::CountingAlloc;
use crate::output_limit::DISCONNECTIONS;
use ferrokey_core::commands::server::{CpuUsage, HostCounters, HostInfo, MemoryReadings, ServerHost};
use std::sync::atomic::Ordering;

/// Readings from the counted allocator and `/proc/self`.
pub struct ProcessHost {
    alloc: &'static CountingAlloc,
}

impl ProcessHost {
    pub fn new(alloc: &'static CountingAlloc) -> ProcessHost {
        ProcessHost { alloc }
    }
}

impl ServerHost for ProcessHost {
    fn purge_memory(&mut self) {
        crate::alloc::purge();
    }

    fn cpu(&self) -> CpuUsage {
        // utime and stime are fields 14 and 15 of /proc/self/stat, in clock ticks (100 per second on Linux).
        let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return CpuUsage::default() };
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let secs = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 100.0;
        // After the name, field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
        let (user, sys) = (secs(11), secs(12));
        CpuUsage { sys, user, sys_main_thread: sys, user_main_thread: user, ..CpuUsage::default() }
    }

    /// CONFIG SET dir: the working directory is where RDB files go, as in Valkey.
    fn change_dir(&mut self, dir: &str) -> Result<String, String> {
        let strerror = |e: std::io::Error| crate::persistence::rdb_file::strerror(&e);
        std::env::set_current_dir(dir).map_err(strerror)?;
        std::env::current_dir().map(|d| d.display().to_string()).map_err(strerror)
    }

    /// Checked before every command under `maxmemory`: only the counter, no /proc read.
    fn used_memory(&self) -> Option<u64> {
        Some(self.alloc.allocated() as u64)
    }

    fn counters(&self) -> HostCounters {
        HostCounters {
            client_output_buffer_limit_disconnections: DISCONNECTIONS.load(Ordering::Relaxed),
            ..HostCounters::default()
        }
    }

    fn reset_stats(&mut self) {
        DISCONNECTIONS.store(0, Ordering::Relaxed);
    }

    fn memory(&self) -> MemoryReadings {
        let allocated = self.alloc.allocated() as u64;
        MemoryReadings {
            allocated: Some(allocated),
            allocator_active: allocated,
            allocator_resident: allocated,
            rss: rss_bytes(),
        }
    }
}

/// Resident set size, from /proc/self/statm (pages).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}

/// The process facts INFO server reports.
pub fn host_info(port: u16, config_file: Option<String>) -> HostInfo {
    HostInfo {
        process_id: std::process::id(),
        tcp_port: port,
        executable: std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default(),
        config_file,
        os: os_name(),
        arch_bits: usize::BITS,
        multiplexing_api: "epoll".into(),
        monotonic_clock: "POSIX clock_gettime".into(),
        mem_allocator: format!("mimalloc-{}", mimalloc_version()),
        total_system_memory: total_memory(),
        listeners: Vec::new(),
    }
}

fn os_name() -> String {
    let read = |f: &str| std::fs::read_to_string(f).map(|s| s.trim().to_string()).unwrap_or_default();
    let release = read("/proc/sys/kernel/osrelease");
    format!("{} {} {}", std::env::consts::OS.replace("linux", "Linux"), release, std::env::consts::ARCH)
}

fn total_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// mimalloc's own version (`mi_version()`: 302 for 3.0.2), as Valkey names its allocator with its version.
fn mimalloc_version() -> String {
    let v = crate::alloc::mimalloc_version();
    format!("{}.{}.{}", v / 100, v / 10 % 10, v % 10)
}
