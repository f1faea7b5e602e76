//! What the server commands keep between calls (slow log, latency samples, histograms, pending host
//! actions) and what only the host can tell them (process facts, CPU and memory readings, config-file
//! rewrites).
//!
//! The core does no I/O, so a few commands end in a request the host acts on: DEBUG SLEEP asks it to
//! stop serving for a while ([`take_host_sleep_us`]), SHUTDOWN asks it to exit ([`take_shutdown`]).

use crate::config::{Config, ConfigHost};
use crate::engine::Engine;
use std::collections::HashMap;

use super::histogram::Histogram;
use super::latency::LatencyEvents;
use super::slowlog::SlowLog;

/// Facts about the process that INFO reports, set once by the host (`set_host`).
#[derive(Debug, Clone)]
pub struct HostInfo {
    pub process_id: u32,
    /// The port clients connect to (INFO `tcp_port`); 0: take the `port` config.
    pub tcp_port: u16,
    pub executable: String,
    /// The config file the server was started with, if any (INFO `config_file`, CONFIG REWRITE).
    pub config_file: Option<String>,
    /// `uname -srm`, e.g. `Linux 6.1.0-18-amd64 x86_64`.
    pub os: String,
    pub arch_bits: u32,
    pub multiplexing_api: String,
    pub monotonic_clock: String,
    pub mem_allocator: String,
    /// Bytes of RAM the machine has (0: unknown).
    pub total_system_memory: u64,
    /// INFO's `listener<n>` lines (`listener0:name=tcp,bind=*,port=6379`); empty: derived from `bind`
    /// and `port`.
    pub listeners: Vec<String>,
}

impl Default for HostInfo {
    fn default() -> Self {
        HostInfo {
            process_id: 0,
            tcp_port: 0,
            executable: String::new(),
            config_file: None,
            os: std::env::consts::OS.to_string(),
            arch_bits: usize::BITS,
            multiplexing_api: "none".into(),
            monotonic_clock: "host clock".into(),
            mem_allocator: "unknown".into(),
            total_system_memory: 0,
            listeners: Vec::new(),
        }
    }
}

/// CPU time used, in seconds (INFO cpu).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuUsage {
    pub sys: f64,
    pub user: f64,
    pub sys_children: f64,
    pub user_children: f64,
    pub sys_main_thread: f64,
    pub user_main_thread: f64,
}

/// What the allocator and the OS say about memory, when the host can tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryReadings {
    /// Bytes the allocator handed out (replaces the engine's own estimate as `used_memory`).
    pub allocated: Option<u64>,
    pub allocator_active: u64,
    pub allocator_resident: u64,
    /// Resident set size of the process.
    pub rss: u64,
}

/// Counters only the host keeps: its event loop (INFO stats `eventloop_*`, `instantaneous_*`, INFO
/// debug) and the connections it closed for buffer limits. CONFIG RESETSTAT asks the host to zero them
/// ([`ServerHost::reset_stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HostCounters {
    pub client_query_buffer_limit_disconnections: u64,
    pub client_output_buffer_limit_disconnections: u64,
    pub cycles: u64,
    pub duration_sum_us: u64,
    pub duration_cmd_sum_us: u64,
    pub duration_cron_sum_us: u64,
    pub duration_max_us: u64,
    pub cmd_per_cycle_max: u64,
    pub instantaneous_cycles_per_sec: u64,
    pub instantaneous_duration_us: u64,
    pub instantaneous_ops_per_sec: u64,
    pub instantaneous_input_kbps: f64,
    pub instantaneous_output_kbps: f64,
}

/// Why CONFIG REWRITE failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewriteError {
    /// The server was started without a config file.
    NoConfigFile,
    /// Writing the file failed (the OS error text, e.g. "Permission denied").
    Io(String),
}

/// What only the host can read or do for the server commands. Every method has a default, so a host
/// with nothing to report (a test, the browser) implements none of them.
pub trait ServerHost {
    fn cpu(&self) -> CpuUsage {
        CpuUsage::default()
    }

    fn memory(&self) -> MemoryReadings {
        MemoryReadings::default()
    }

    /// Bytes allocated now, checked before every command while `maxmemory` is set: a host whose
    /// [`ServerHost::memory`] does more than read a counter overrides this with just that read.
    fn used_memory(&self) -> Option<u64> {
        self.memory().allocated
    }

    fn counters(&self) -> HostCounters {
        HostCounters::default()
    }

    /// CONFIG RESETSTAT: zero the counters behind [`ServerHost::counters`].
    fn reset_stats(&mut self) {}
    /// MEMORY PURGE: give the allocator's free pages back to the OS now (Valkey purges jemalloc's
    /// arenas; an allocator without a purge keeps the default, which does nothing).
    fn purge_memory(&mut self) {}

    /// CONFIG REWRITE (and DEBUG CONFIG-REWRITE-FORCE-ALL with `force_all`): write `config` to the
    /// config file the server started with.
    fn config_rewrite(&mut self, config: &Config, force_all: bool) -> Result<(), RewriteError> {
        let _ = (config, force_all);
        Err(RewriteError::NoConfigFile)
    }

    /// CONFIG SET changed `dir` (see [`ConfigHost::change_dir`]).
    fn change_dir(&mut self, dir: &str) -> Result<String, String> {
        Ok(dir.to_owned())
    }

    /// CONFIG SET changed a parameter (see [`ConfigHost::apply`]).
    fn apply_config(&mut self, param: &'static str, config: &Config) -> Result<(), String> {
        let _ = (param, config);
        Ok(())
    }
}

/// A host with nothing to report.
pub struct NoHost;
impl ServerHost for NoHost {}

/// Lets CONFIG SET call the host through the config module's trait.
pub(super) struct ConfigEffects<'a>(pub &'a mut dyn ServerHost);

impl ConfigHost for ConfigEffects<'_> {
    fn change_dir(&mut self, dir: &str) -> Result<String, String> {
        self.0.change_dir(dir)
    }
    fn apply(&mut self, param: &'static str, config: &Config) -> Result<(), String> {
        self.0.apply_config(param, config)
    }
}

/// SHUTDOWN's request to the host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShutdownRequest {
    /// `Some(true)`: SAVE, `Some(false)`: NOSAVE, `None`: save if save points are configured.
    pub save: Option<bool>,
    /// NOW: don't wait for replicas.
    pub now: bool,
    /// FORCE: exit even if saving fails.
    pub force: bool,
}

/// The server commands' state, one per engine.
pub struct ServerState {
    pub info: HostInfo,
    pub host: Box<dyn ServerHost>,
    pub slowlog: SlowLog,
    pub latency: LatencyEvents,
    /// Per-command latency histograms (`latency-tracking`), by full command name.
    pub histograms: crate::stats::ByCommand<Histogram>,
    /// Microseconds DEBUG SLEEP asked for during the running command: added to its duration.
    pub(super) sleep_charge_us: u64,
    /// Microseconds the host must stop serving for before reading more commands.
    pub(super) host_sleep_us: u64,
    pub(super) shutdown: Option<ShutdownRequest>,
    /// Set by the scripting engine while a script runs commands (MONITOR shows them as `lua`).
    pub script_running: bool,
    /// `used_memory_peak`.
    pub peak_memory: u64,
    pub(super) run_id: Option<String>,
    pub(super) replid: Option<String>,
    /// DEBUG QUICKLIST-PACKED-THRESHOLD (bytes): list elements at least this big get their own node.
    pub quicklist_packed_threshold: u64,
    /// SAVE/BGSAVE bookkeeping and the host's disk.
    pub persistence: crate::commands::persistence::PersistenceState,
}

/// Valkey's default packed threshold: 1 GB.
pub const DEFAULT_PACKED_THRESHOLD: u64 = 1 << 30;

impl Default for ServerState {
    fn default() -> Self {
        ServerState {
            info: HostInfo::default(),
            host: Box::new(NoHost),
            slowlog: SlowLog::default(),
            latency: LatencyEvents::default(),
            histograms: HashMap::default(),
            sleep_charge_us: 0,
            host_sleep_us: 0,
            shutdown: None,
            script_running: false,
            peak_memory: 0,
            run_id: None,
            replid: None,
            quicklist_packed_threshold: DEFAULT_PACKED_THRESHOLD,
            persistence: Default::default(),
        }
    }
}

/// Runs `f` on the engine's server state. Taking `&mut Engine` keeps calls from nesting.
pub fn with_state<R>(eng: &mut Engine, f: impl FnOnce(&mut ServerState) -> R) -> R {
    f(&mut eng.server)
}

/// The host tells the engine about its process and plugs in its readings and effects.
pub fn set_host(eng: &mut Engine, info: HostInfo, host: Box<dyn ServerHost>) {
    with_state(eng, |s| {
        s.info = info;
        s.host = host;
    });
}

/// Microseconds the host must pause serving for (DEBUG SLEEP), reset to 0. A host checks it after
/// every command and sleeps without reading further input, as Valkey's whole server sleeps.
pub fn take_host_sleep_us(eng: &mut Engine) -> u64 {
    with_state(eng, |s| std::mem::take(&mut s.host_sleep_us))
}

/// A SHUTDOWN that asked the host to exit (saving first as requested), reset to `None`.
pub fn take_shutdown(eng: &mut Engine) -> Option<ShutdownRequest> {
    with_state(eng, |s| s.shutdown.take())
}

/// The scripting engine brackets the commands a script runs with this, so MONITOR labels them `lua`.
pub fn set_script_running(eng: &mut Engine, running: bool) {
    with_state(eng, |s| s.script_running = running);
}

/// 40 random hex characters from the engine's seeded generator (run id, replication id).
pub(super) fn random_hex40(eng: &mut Engine) -> String {
    use rand::Rng;
    (0..40).map(|_| char::from(b"0123456789abcdef"[eng.rng.random_range(0..16)])).collect()
}

/// INFO `run_id`, made once.
pub(super) fn run_id(eng: &mut Engine) -> String {
    if let Some(id) = with_state(eng, |s| s.run_id.clone()) {
        return id;
    }
    let id = random_hex40(eng);
    with_state(eng, |s| s.run_id = Some(id.clone()));
    id
}

/// INFO `master_replid`, made once (DEBUG CHANGE-REPL-ID makes a new one).
pub(super) fn replid(eng: &mut Engine) -> String {
    if let Some(id) = with_state(eng, |s| s.replid.clone()) {
        return id;
    }
    let id = random_hex40(eng);
    with_state(eng, |s| s.replid = Some(id.clone()));
    id
}
