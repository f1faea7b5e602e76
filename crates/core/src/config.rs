//! Server configuration: one table with a row for every parameter Valkey 8.0.1 knows, and the
//! typed [`Config`] the engine reads directly on its hot paths (`config.hz`, `config.maxmemory`).
//!
//! # Layout
//! - [`Config`]: plain public fields, one per parameter (named after it, `-` → `_`).
//! - `PARAMS`: the table, one row per parameter, grouped like `static_configs[]` in Valkey's
//!   src/config.c: name, alias, flags, kind (with bounds and default) and the field it maps to.
//!   CONFIG GET, CONFIG SET and start-up options all go through the rows, so every bound, default
//!   and error message lives in one place.
//! - Special parameters (`save`, `bind`, `client-output-buffer-limit`, ...) parse and print
//!   through the functions right below the table.
//! - At the bottom, parsers that copy the C library's and Valkey's quirks on purpose (`string2ll`,
//!   `memtoull`, `strtoll`, `sdssplitargs`): CONFIG SET must accept and refuse exactly what Valkey does.
//!
//! Side effects outside the engine (changing directory, re-binding a port, ...) belong to the host:
//! [`Config::set_with`] calls a [`ConfigHost`] where Valkey calls its "apply" functions.

use std::fmt::Write as _;

use crate::glob::glob_match;
use crate::notify::{
    ALL as NOTIFY_ALL, EVICTED as NOTIFY_EVICTED, EXPIRED as NOTIFY_EXPIRED, GENERIC as NOTIFY_GENERIC,
    HASH as NOTIFY_HASH, KEYEVENT as NOTIFY_KEYEVENT, KEYSPACE as NOTIFY_KEYSPACE, KEY_MISS as NOTIFY_KEY_MISS,
    LIST as NOTIFY_LIST, MODULE as NOTIFY_MODULE, NEW as NOTIFY_NEW, SET as NOTIFY_SET, STREAM as NOTIFY_STREAM,
    STRING as NOTIFY_STRING, ZSET as NOTIFY_ZSET,
};

/// Flags of a parameter (Valkey's `*_CONFIG` flags). A parameter without flags is modifiable.
pub mod param_flags {
    /// Can only be set at start-up; CONFIG SET refuses it.
    pub const IMMUTABLE: u16 = 1 << 0;
    /// The value is a secret: redact the argument in SLOWLOG, MONITOR and the like.
    pub const SENSITIVE: u16 = 1 << 1;
    /// Useful for debugging (listed by Valkey's crash report).
    pub const DEBUG: u16 = 1 << 2;
    /// Takes several words: CONFIG SET splits its value on spaces.
    pub const MULTI_ARG: u16 = 1 << 3;
    /// Left out of `CONFIG GET <pattern>`; an exact name still finds it.
    pub const HIDDEN: u16 = 1 << 4;
    /// CONFIG SET refuses it unless `enable-protected-configs` allows the client.
    pub const PROTECTED: u16 = 1 << 5;
    /// CONFIG SET refuses it while the dataset is loading.
    pub const DENY_LOADING: u16 = 1 << 6;
    /// Names a file whose content matters: setting the same value again still counts as a change.
    pub const VOLATILE: u16 = 1 << 7;
    /// No flags.
    pub const MODIFIABLE: u16 = 0;
}
use param_flags::*;

// ---------------------------------------------------------------------------------------------
// Keyspace notification classes (notify.c); the bits are `crate::notify`'s
// ---------------------------------------------------------------------------------------------

/// Parses `notify-keyspace-events` classes (`"KEA"`, `"Elg"`, ...); `None` on an unknown letter.
pub fn keyspace_events_from_str(classes: &[u8]) -> Option<u32> {
    let mut flags = 0;
    for &c in until_nul(classes) {
        flags |= match c {
            b'A' => NOTIFY_ALL,
            b'g' => NOTIFY_GENERIC,
            b'$' => NOTIFY_STRING,
            b'l' => NOTIFY_LIST,
            b's' => NOTIFY_SET,
            b'h' => NOTIFY_HASH,
            b'z' => NOTIFY_ZSET,
            b'x' => NOTIFY_EXPIRED,
            b'e' => NOTIFY_EVICTED,
            b'K' => NOTIFY_KEYSPACE,
            b'E' => NOTIFY_KEYEVENT,
            b't' => NOTIFY_STREAM,
            b'm' => NOTIFY_KEY_MISS,
            b'd' => NOTIFY_MODULE,
            b'n' => NOTIFY_NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// The canonical class string CONFIG GET shows for `flags` (`A` first when all of it is set,
/// then `K`, `E`, `m`).
pub fn keyspace_events_to_string(flags: u32) -> String {
    let mut out = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        out.push('A');
    } else {
        for (bit, letter) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
        ] {
            if flags & bit != 0 {
                out.push(letter);
            }
        }
    }
    for (bit, letter) in [(NOTIFY_KEYSPACE, 'K'), (NOTIFY_KEYEVENT, 'E'), (NOTIFY_KEY_MISS, 'm')] {
        if flags & bit != 0 {
            out.push(letter);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Enumerated values
// ---------------------------------------------------------------------------------------------

/// Declares a config enum: its variants with the names CONFIG GET/SET use, in Valkey's order
/// (the order matters: it is the order of the "must be one of" error message).
macro_rules! config_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }
        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            const NAMES: &'static [(&'static str, u32)] = &[$(($text, $name::$variant as u32)),+];
            /// The name CONFIG GET shows.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
            fn code(self) -> u32 {
                self as u32
            }
            fn from_code(code: u32) -> $name {
                Self::ALL[code as usize]
            }
        }
    };
}

config_enum! {
    /// `maxmemory-policy`.
    MaxmemoryPolicy {
        VolatileLru = "volatile-lru",
        VolatileLfu = "volatile-lfu",
        VolatileRandom = "volatile-random",
        VolatileTtl = "volatile-ttl",
        AllkeysLru = "allkeys-lru",
        AllkeysLfu = "allkeys-lfu",
        AllkeysRandom = "allkeys-random",
        #[default]
        NoEviction = "noeviction",
    }
}

config_enum! {
    /// `syslog-facility`.
    SyslogFacility {
        User = "user",
        #[default]
        Local0 = "local0",
        Local1 = "local1",
        Local2 = "local2",
        Local3 = "local3",
        Local4 = "local4",
        Local5 = "local5",
        Local6 = "local6",
        Local7 = "local7",
    }
}

config_enum! {
    /// `loglevel`, least to most severe.
    LogLevel {
        Debug = "debug",
        Verbose = "verbose",
        #[default]
        Notice = "notice",
        Warning = "warning",
        Nothing = "nothing",
    }
}

config_enum! {
    /// `supervised`.
    Supervised {
        Upstart = "upstart",
        Systemd = "systemd",
        Auto = "auto",
        #[default]
        No = "no",
    }
}

config_enum! {
    /// `appendfsync`.
    AppendFsync {
        #[default]
        Everysec = "everysec",
        Always = "always",
        No = "no",
    }
}

config_enum! {
    /// `repl-diskless-load`.
    ReplDisklessLoad {
        #[default]
        Disabled = "disabled",
        OnEmptyDb = "on-empty-db",
        Swapdb = "swapdb",
    }
}

config_enum! {
    /// `tls-auth-clients`.
    TlsAuthClients {
        No = "no",
        #[default]
        Yes = "yes",
        Optional = "optional",
    }
}

config_enum! {
    /// `acl-pubsub-default`.
    AclPubsubDefault {
        AllChannels = "allchannels",
        #[default]
        ResetChannels = "resetchannels",
    }
}

config_enum! {
    /// `sanitize-dump-payload`.
    SanitizeDumpPayload {
        #[default]
        No = "no",
        Yes = "yes",
        Clients = "clients",
    }
}

config_enum! {
    /// `enable-protected-configs`, `enable-debug-command`, `enable-module-command`.
    ProtectedAction {
        #[default]
        No = "no",
        Yes = "yes",
        Local = "local",
    }
}

impl ProtectedAction {
    /// Whether a client (local = connected over loopback or a unix socket) may do the action.
    pub fn allows(self, client_is_local: bool) -> bool {
        match self {
            ProtectedAction::No => false,
            ProtectedAction::Yes => true,
            ProtectedAction::Local => client_is_local,
        }
    }
}

config_enum! {
    /// `cluster-preferred-endpoint-type`.
    EndpointType {
        #[default]
        Ip = "ip",
        Hostname = "hostname",
        UnknownEndpoint = "unknown-endpoint",
    }
}

config_enum! {
    /// `propagation-error-behavior`.
    PropagationErrorBehavior {
        #[default]
        Ignore = "ignore",
        Panic = "panic",
        PanicOnReplicas = "panic-on-replicas",
    }
}

/// `oom-score-adj`. Written by hand: `yes` and `relative` name the same value, and CONFIG GET
/// shows the first name (`yes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OomScoreAdj {
    #[default]
    No,
    Relative,
    Absolute,
}

impl OomScoreAdj {
    const NAMES: &'static [(&'static str, u32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
    fn code(self) -> u32 {
        self as u32
    }
    fn from_code(code: u32) -> OomScoreAdj {
        [OomScoreAdj::No, OomScoreAdj::Relative, OomScoreAdj::Absolute][code as usize]
    }
}

/// `shutdown-on-sigint` / `shutdown-on-sigterm` bits (several may be set; 0 is `default`).
pub const SHUTDOWN_SAVE: u32 = 1;
/// Don't save on shutdown.
pub const SHUTDOWN_NOSAVE: u32 = 2;
/// Don't wait for replicas to catch up.
pub const SHUTDOWN_NOW: u32 = 4;
/// Don't let errors prevent shutdown.
pub const SHUTDOWN_FORCE: u32 = 8;
const SHUTDOWN_NAMES: &[(&str, u32)] = &[
    ("default", 0),
    ("save", SHUTDOWN_SAVE),
    ("nosave", SHUTDOWN_NOSAVE),
    ("now", SHUTDOWN_NOW),
    ("force", SHUTDOWN_FORCE),
];

/// One client class's output buffer limits (`client-output-buffer-limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientBufferLimit {
    /// Disconnect as soon as the buffer is this big (0 = no limit).
    pub hard_limit_bytes: u64,
    /// Disconnect when the buffer stays this big for `soft_limit_seconds` (0 = no limit).
    pub soft_limit_bytes: u64,
    pub soft_limit_seconds: i64,
}

/// Index into [`Config::client_output_buffer_limits`].
pub const CLIENT_CLASS_NORMAL: usize = 0;
/// Index into [`Config::client_output_buffer_limits`] (`replica` or `slave`).
pub const CLIENT_CLASS_REPLICA: usize = 1;
/// Index into [`Config::client_output_buffer_limits`].
pub const CLIENT_CLASS_PUBSUB: usize = 2;

// ---------------------------------------------------------------------------------------------
// The typed configuration
// ---------------------------------------------------------------------------------------------

/// Declares [`Config`] and a constructor that zeroes every field, so defaults live in the table only.
macro_rules! config_struct {
    ($(#[$meta:meta])* pub struct Config { $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct Config {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Start-up bookkeeping, not a parameter: a `save` line was read already (the first
            /// one replaces the defaults, later ones add to it). Public only so that
            /// `Config { port: 0, ..Config::default() }` works outside this module.
            #[doc(hidden)]
            pub startup_save_seen: bool,
        }
        impl Config {
            /// Every field at its type's zero value; [`Default`] then applies the table's defaults.
            fn blank() -> Config {
                Config { $( $field: Default::default(), )* startup_save_seen: false }
            }
        }
    };
}

config_struct! {
    /// Every configuration parameter, typed. `Config::default()` holds Valkey 8.0.1's defaults.
    /// Parameters for features ferrokey does not have yet are kept (settable, gettable, validated)
    /// so that `CONFIG GET *` lists the same names as Valkey.
    pub struct Config {
        // ---- yes/no
        pub rdbchecksum: bool,
        pub daemonize: bool,
        pub io_threads_do_reads: bool,
        pub always_show_logo: bool,
        pub protected_mode: bool,
        pub rdbcompression: bool,
        pub rdb_del_sync_files: bool,
        pub activerehashing: bool,
        pub stop_writes_on_bgsave_error: bool,
        pub set_proc_title: bool,
        pub dynamic_hz: bool,
        pub lazyfree_lazy_eviction: bool,
        pub lazyfree_lazy_expire: bool,
        pub lazyfree_lazy_server_del: bool,
        pub lazyfree_lazy_user_del: bool,
        pub lazyfree_lazy_user_flush: bool,
        pub repl_disable_tcp_nodelay: bool,
        pub repl_diskless_sync: bool,
        pub dual_channel_replication_enabled: bool,
        pub aof_rewrite_incremental_fsync: bool,
        pub no_appendfsync_on_rewrite: bool,
        pub cluster_require_full_coverage: bool,
        pub rdb_save_incremental_fsync: bool,
        pub aof_load_truncated: bool,
        pub aof_use_rdb_preamble: bool,
        pub aof_timestamp_enabled: bool,
        pub cluster_replica_no_failover: bool,
        pub replica_lazy_flush: bool,
        pub replica_serve_stale_data: bool,
        pub replica_read_only: bool,
        pub replica_ignore_maxmemory: bool,
        pub jemalloc_bg_thread: bool,
        pub activedefrag: bool,
        pub syslog_enabled: bool,
        pub cluster_enabled: bool,
        pub appendonly: bool,
        pub cluster_allow_reads_when_down: bool,
        pub cluster_allow_pubsubshard_when_down: bool,
        pub crash_log_enabled: bool,
        pub crash_memcheck_enabled: bool,
        pub use_exit_on_panic: bool,
        pub disable_thp: bool,
        pub cluster_allow_replica_migration: bool,
        pub replica_announced: bool,
        pub latency_tracking: bool,
        pub aof_disable_auto_gc: bool,
        pub replica_ignore_disk_write_errors: bool,
        pub extended_redis_compatibility: bool,
        pub enable_debug_assert: bool,
        pub cluster_slot_stats_enabled: bool,
        pub hide_user_data_from_log: bool,
        pub tls_cluster: bool,
        pub tls_replication: bool,
        pub tls_prefer_server_ciphers: bool,
        pub tls_session_caching: bool,

        // ---- strings (`None` where Valkey stores an empty value as NULL)
        pub aclfile: String,
        pub unixsocket: Option<String>,
        pub unixsocketgroup: Option<String>,
        pub pidfile: Option<String>,
        pub replica_announce_ip: Option<String>,
        pub primaryuser: Option<String>,
        pub cluster_announce_ip: Option<String>,
        pub cluster_announce_client_ipv4: Option<String>,
        pub cluster_announce_client_ipv6: Option<String>,
        pub cluster_config_file: String,
        pub cluster_announce_hostname: Option<String>,
        pub cluster_announce_human_nodename: Option<String>,
        pub syslog_ident: String,
        pub dbfilename: String,
        pub appendfilename: String,
        pub appenddirname: String,
        pub server_cpulist: Option<String>,
        pub bio_cpulist: Option<String>,
        pub aof_rewrite_cpulist: Option<String>,
        pub bgsave_cpulist: Option<String>,
        pub ignore_warnings: String,
        pub proc_title_template: String,
        pub bind_source_addr: Option<String>,
        /// Empty: log to standard output.
        pub logfile: String,
        pub locale_collate: String,
        pub debug_context: String,
        pub tls_cert_file: Option<String>,
        pub tls_key_file: Option<String>,
        pub tls_key_file_pass: Option<String>,
        pub tls_client_cert_file: Option<String>,
        pub tls_client_key_file: Option<String>,
        pub tls_client_key_file_pass: Option<String>,
        pub tls_dh_params_file: Option<String>,
        pub tls_ca_cert_file: Option<String>,
        pub tls_ca_cert_dir: Option<String>,
        pub tls_protocols: Option<String>,
        pub tls_ciphers: Option<String>,
        pub tls_ciphersuites: Option<String>,

        // ---- binary-safe strings
        pub primaryauth: Option<Vec<u8>>,
        /// The default user's password; `None` = no password.
        pub requirepass: Option<Vec<u8>>,
        pub availability_zone: Vec<u8>,

        // ---- enumerations
        pub supervised: Supervised,
        pub syslog_facility: SyslogFacility,
        pub repl_diskless_load: ReplDisklessLoad,
        pub loglevel: LogLevel,
        pub maxmemory_policy: MaxmemoryPolicy,
        pub appendfsync: AppendFsync,
        pub oom_score_adj: OomScoreAdj,
        pub acl_pubsub_default: AclPubsubDefault,
        pub sanitize_dump_payload: SanitizeDumpPayload,
        pub enable_protected_configs: ProtectedAction,
        pub enable_debug_command: ProtectedAction,
        pub enable_module_command: ProtectedAction,
        pub cluster_preferred_endpoint_type: EndpointType,
        pub propagation_error_behavior: PropagationErrorBehavior,
        /// `SHUTDOWN_*` bits.
        pub shutdown_on_sigint: u32,
        /// `SHUTDOWN_*` bits.
        pub shutdown_on_sigterm: u32,
        pub tls_auth_clients: TlsAuthClients,

        // ---- numbers
        pub databases: i64,
        pub port: i64,
        pub io_threads: i64,
        pub events_per_io_thread: i64,
        pub prefetch_batch_max_size: i64,
        pub auto_aof_rewrite_percentage: i64,
        pub cluster_replica_validity_factor: i64,
        /// Positive: entries per list node; -1..-5: node size 4kb..64kb.
        pub list_max_listpack_size: i64,
        /// Seconds.
        pub tcp_keepalive: i64,
        pub cluster_migration_barrier: i64,
        pub active_defrag_cycle_min: i64,
        pub active_defrag_cycle_max: i64,
        pub active_defrag_threshold_lower: i64,
        pub active_defrag_threshold_upper: i64,
        pub lfu_log_factor: i64,
        /// Minutes.
        pub lfu_decay_time: i64,
        pub replica_priority: i64,
        /// Seconds.
        pub repl_diskless_sync_delay: i64,
        pub maxmemory_samples: i64,
        pub maxmemory_eviction_tenacity: i64,
        /// `timeout`: close a client idle this many seconds (0 = never).
        pub timeout_secs: i64,
        pub replica_announce_port: i64,
        pub tcp_backlog: i64,
        pub cluster_port: i64,
        pub cluster_announce_bus_port: i64,
        pub cluster_announce_port: i64,
        pub cluster_announce_tls_port: i64,
        /// Seconds.
        pub repl_timeout: i64,
        /// Seconds.
        pub repl_ping_replica_period: i64,
        pub list_compress_depth: i64,
        /// Microseconds.
        pub rdb_key_save_delay: i64,
        /// Microseconds.
        pub key_load_delay: i64,
        pub active_expire_effort: i64,
        /// Server cron frequency; CONFIG SET and start-up clamp it to 1..=500.
        pub hz: i64,
        pub min_replicas_to_write: i64,
        /// Seconds.
        pub min_replicas_max_lag: i64,
        /// Milliseconds.
        pub watchdog_period: i64,
        /// Seconds.
        pub shutdown_timeout: i64,
        pub repl_diskless_sync_max_replicas: i64,
        pub maxclients: i64,
        pub unixsocketperm: i64,
        pub socket_mark_id: i64,
        pub max_new_connections_per_cycle: i64,
        pub max_new_tls_connections_per_cycle: i64,
        pub active_defrag_max_scan_fields: i64,
        pub slowlog_max_len: i64,
        pub acllog_max_len: i64,
        /// Seconds.
        pub cluster_blacklist_ttl: u64,
        /// `busy-reply-threshold` (alias `lua-time-limit`), milliseconds.
        pub busy_reply_threshold: i64,
        /// Milliseconds.
        pub cluster_node_timeout: i64,
        /// Milliseconds.
        pub cluster_ping_interval: i64,
        /// Microseconds; -1 disables the slow log, 0 logs every command.
        pub slowlog_log_slower_than: i64,
        /// Milliseconds; 0 disables the latency monitor.
        pub latency_monitor_threshold: i64,
        /// Bytes.
        pub proto_max_bulk_len: i64,
        pub stream_node_max_entries: i64,
        /// Bytes.
        pub repl_backlog_size: i64,
        /// Bytes; 0 = no limit.
        pub maxmemory: u64,
        /// Bytes.
        pub cluster_link_sendbuf_limit: u64,
        pub hash_max_listpack_entries: i64,
        pub set_max_intset_entries: i64,
        pub set_max_listpack_entries: i64,
        pub set_max_listpack_value: i64,
        pub zset_max_listpack_entries: i64,
        /// Bytes.
        pub active_defrag_ignore_bytes: i64,
        /// Bytes.
        pub hash_max_listpack_value: i64,
        /// Bytes.
        pub stream_node_max_bytes: i64,
        /// Bytes.
        pub zset_max_listpack_value: i64,
        /// Bytes.
        pub hll_sparse_max_bytes: i64,
        pub tracking_table_max_keys: i64,
        /// Bytes.
        pub client_query_buffer_limit: i64,
        /// Bytes when >= 0; a negative value -p means p% of `maxmemory`.
        pub maxmemory_clients: i64,
        /// Seconds.
        pub repl_backlog_ttl: i64,
        /// Bytes.
        pub auto_aof_rewrite_min_size: i64,
        /// Bytes.
        pub loading_process_events_interval_bytes: i64,
        pub tls_port: i64,
        pub tls_session_cache_size: i64,
        /// Seconds.
        pub tls_session_cache_timeout: i64,

        // ---- special
        /// The working directory, absolute. The host fills it in at start-up (`Config::default()`
        /// leaves it empty: the engine does no I/O).
        pub dir: String,
        /// `save`: snapshot after `secs` seconds if at least `changes` writes happened.
        pub save_points: Vec<(i64, i64)>,
        /// Indexed by `CLIENT_CLASS_*`.
        pub client_output_buffer_limits: [ClientBufferLimit; 3],
        /// For the primary, replicas and background children.
        pub oom_score_adj_values: [i64; 3],
        /// `NOTIFY_*` bits.
        pub notify_keyspace_events: u32,
        pub bind: Vec<String>,
        /// `replicaof host port`.
        pub replicaof: Option<(String, i64)>,
        pub latency_tracking_info_percentiles: Vec<f64>,
    }
}

impl Default for Config {
    /// Valkey 8.0.1's defaults, except `dir` (left empty for the host).
    fn default() -> Config {
        let mut config = Config::blank();
        for param in PARAMS {
            param.reset(&mut config);
        }
        config
    }
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

/// One configuration parameter: a row of the table.
pub struct Param {
    /// The canonical name.
    pub name: &'static str,
    /// The other name it answers to (`slaveof` for `replicaof`, ...).
    pub alias: Option<&'static str>,
    /// [`param_flags`] bits.
    pub flags: u16,
    kind: Kind,
}

/// How a number is written in CONFIG SET / CONFIG GET.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NumFormat {
    Int,
    /// Bytes, with optional unit (`100mb`, `1g`).
    Memory,
    /// Bytes or a percentage (`10%`, stored negated).
    MemoryOrPercent,
    Octal,
}

/// Where a value comes from; `save` behaves differently in a config file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Default,
    Startup,
    ConfigSet,
}

type SpecialSet = fn(&mut Config, &[&[u8]], Source) -> Result<bool, String>;
type StrCheck = Option<fn(&str) -> Result<(), &'static str>>;
type EnumCheck = Option<fn(u32) -> Result<(), &'static str>>;

/// A parameter's type, bounds, default and the field it reads and writes. Setters return
/// whether the value changed.
enum Kind {
    Bool {
        get: fn(&Config) -> bool,
        set: fn(&mut Config, bool),
        default: bool,
    },
    Num {
        get: fn(&Config) -> i64,
        set: fn(&mut Config, i64),
        min: i64,
        max: i64,
        default: i64,
        /// A C unsigned type: bounds compare as unsigned.
        unsigned: bool,
        format: NumFormat,
    },
    Str {
        get: fn(&Config) -> Option<String>,
        set: fn(&mut Config, Option<String>),
        default: Option<&'static str>,
        empty_is_none: bool,
        check: StrCheck,
    },
    Bytes {
        get: fn(&Config) -> Option<Vec<u8>>,
        set: fn(&mut Config, Option<Vec<u8>>),
        default: Option<&'static [u8]>,
        empty_is_none: bool,
    },
    /// One of several names; several at once (OR-ed bits) when the row is MULTI_ARG.
    Enum {
        names: &'static [(&'static str, u32)],
        get: fn(&Config) -> u32,
        set: fn(&mut Config, u32),
        default: u32,
        check: EnumCheck,
    },
    Special {
        get: fn(&Config) -> Vec<u8>,
        set: SpecialSet,
        /// Words applied through `set` by `Config::default()`; empty = leave the zero value.
        default: &'static [&'static str],
    },
}

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
/// `ULLONG_MAX` as stored in an i64 row (rows with it compare unsigned).
const ULLONG_MAX: i64 = -1;
const MB: i64 = 1024 * 1024;

macro_rules! yes_no {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $default:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Bool { get: |c| c.$field, set: |c, v| c.$field = v, default: $default },
        }
    };
}

macro_rules! number {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $default:expr, $format:ident) => {
        number!(@row $name, $alias, $flags, $field, $min, $max, $default, $format, false)
    };
    (@row $name:literal, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $default:expr, $format:ident, $unsigned:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Num {
                get: |c| c.$field,
                set: |c, v| c.$field = v,
                min: $min,
                max: $max,
                default: $default,
                unsigned: $unsigned,
                format: NumFormat::$format,
            },
        }
    };
}

/// A number of a C unsigned type (size_t, unsigned int, ...): bounds compare as unsigned.
macro_rules! unsigned {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $default:expr, $format:ident) => {
        number!(@row $name, $alias, $flags, $field, $min, $max, $default, $format, true)
    };
}

/// An unsigned 64-bit number (the field is `u64`).
macro_rules! unsigned64 {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $min:expr, $max:expr, $default:expr, $format:ident) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Num {
                get: |c| c.$field as i64,
                set: |c, v| c.$field = v as u64,
                min: $min,
                max: $max,
                default: $default,
                unsigned: true,
                format: NumFormat::$format,
            },
        }
    };
}

/// A string that may be empty (the field is `String`).
macro_rules! text {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $default:expr, $check:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Str {
                get: |c| Some(c.$field.clone()),
                set: |c, v| c.$field = v.unwrap_or_default(),
                default: Some($default),
                empty_is_none: false,
                check: $check,
            },
        }
    };
}

/// A string stored as `None` when empty (the field is `Option<String>`, default `None`).
macro_rules! optional_text {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $check:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Str {
                get: |c| c.$field.clone(),
                set: |c, v| c.$field = v,
                default: None,
                empty_is_none: true,
                check: $check,
            },
        }
    };
}

macro_rules! choice {
    ($name:literal, $alias:expr, $flags:expr, $field:ident, $ty:ident, $default:ident) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Enum {
                names: $ty::NAMES,
                get: |c| c.$field.code(),
                set: |c, v| c.$field = $ty::from_code(v),
                default: $ty::$default as u32,
                check: None,
            },
        }
    };
}

macro_rules! special {
    ($name:literal, $alias:expr, $flags:expr, $get:ident, $set:ident, $default:expr) => {
        Param {
            name: $name,
            alias: $alias,
            flags: $flags,
            kind: Kind::Special { get: $get, set: $set, default: $default },
        }
    };
}

#[rustfmt::skip]
static PARAMS: &[Param] = &[
    // ---- yes/no
    //      name                                  alias                              flags                          field                                 default
    yes_no!("rdbchecksum",                        None,                              IMMUTABLE,                     rdbchecksum,                          true),
    yes_no!("daemonize",                          None,                              IMMUTABLE,                     daemonize,                            false),
    yes_no!("io-threads-do-reads",                None,                              DEBUG | IMMUTABLE,             io_threads_do_reads,                  true),
    yes_no!("always-show-logo",                   None,                              IMMUTABLE,                     always_show_logo,                     false),
    yes_no!("protected-mode",                     None,                              MODIFIABLE,                    protected_mode,                       true),
    yes_no!("rdbcompression",                     None,                              MODIFIABLE,                    rdbcompression,                       true),
    yes_no!("rdb-del-sync-files",                 None,                              MODIFIABLE,                    rdb_del_sync_files,                   false),
    yes_no!("activerehashing",                    None,                              MODIFIABLE,                    activerehashing,                      true),
    yes_no!("stop-writes-on-bgsave-error",        None,                              MODIFIABLE,                    stop_writes_on_bgsave_error,          true),
    yes_no!("set-proc-title",                     None,                              IMMUTABLE,                     set_proc_title,                       true),
    yes_no!("dynamic-hz",                         None,                              MODIFIABLE,                    dynamic_hz,                           true),
    yes_no!("lazyfree-lazy-eviction",             None,                              DEBUG,                         lazyfree_lazy_eviction,               true),
    yes_no!("lazyfree-lazy-expire",               None,                              DEBUG,                         lazyfree_lazy_expire,                 true),
    yes_no!("lazyfree-lazy-server-del",           None,                              DEBUG,                         lazyfree_lazy_server_del,             true),
    yes_no!("lazyfree-lazy-user-del",             None,                              DEBUG,                         lazyfree_lazy_user_del,               true),
    yes_no!("lazyfree-lazy-user-flush",           None,                              DEBUG,                         lazyfree_lazy_user_flush,             true),
    yes_no!("repl-disable-tcp-nodelay",           None,                              MODIFIABLE,                    repl_disable_tcp_nodelay,             false),
    yes_no!("repl-diskless-sync",                 None,                              DEBUG,                         repl_diskless_sync,                   true),
    yes_no!("dual-channel-replication-enabled",   None,                              DEBUG,                         dual_channel_replication_enabled,     false),
    yes_no!("aof-rewrite-incremental-fsync",      None,                              MODIFIABLE,                    aof_rewrite_incremental_fsync,        true),
    yes_no!("no-appendfsync-on-rewrite",          None,                              MODIFIABLE,                    no_appendfsync_on_rewrite,            false),
    yes_no!("cluster-require-full-coverage",      None,                              MODIFIABLE,                    cluster_require_full_coverage,        true),
    yes_no!("rdb-save-incremental-fsync",         None,                              MODIFIABLE,                    rdb_save_incremental_fsync,           true),
    yes_no!("aof-load-truncated",                 None,                              MODIFIABLE,                    aof_load_truncated,                   true),
    yes_no!("aof-use-rdb-preamble",               None,                              MODIFIABLE,                    aof_use_rdb_preamble,                 true),
    yes_no!("aof-timestamp-enabled",              None,                              MODIFIABLE,                    aof_timestamp_enabled,                false),
    yes_no!("cluster-replica-no-failover",        Some("cluster-slave-no-failover"), MODIFIABLE,                    cluster_replica_no_failover,          false),
    yes_no!("replica-lazy-flush",                 Some("slave-lazy-flush"),          MODIFIABLE,                    replica_lazy_flush,                   true),
    yes_no!("replica-serve-stale-data",           Some("slave-serve-stale-data"),    MODIFIABLE,                    replica_serve_stale_data,             true),
    yes_no!("replica-read-only",                  Some("slave-read-only"),           DEBUG,                         replica_read_only,                    true),
    yes_no!("replica-ignore-maxmemory",           Some("slave-ignore-maxmemory"),    MODIFIABLE,                    replica_ignore_maxmemory,             true),
    yes_no!("jemalloc-bg-thread",                 None,                              MODIFIABLE,                    jemalloc_bg_thread,                   true),
    yes_no!("activedefrag",                       None,                              DEBUG,                         activedefrag,                         false),
    yes_no!("syslog-enabled",                     None,                              IMMUTABLE,                     syslog_enabled,                       false),
    yes_no!("cluster-enabled",                    None,                              IMMUTABLE,                     cluster_enabled,                      false),
    yes_no!("appendonly",                         None,                              DENY_LOADING,                  appendonly,                           false),
    yes_no!("cluster-allow-reads-when-down",      None,                              MODIFIABLE,                    cluster_allow_reads_when_down,        false),
    yes_no!("cluster-allow-pubsubshard-when-down", None,                             MODIFIABLE,                    cluster_allow_pubsubshard_when_down,  true),
    yes_no!("crash-log-enabled",                  None,                              MODIFIABLE,                    crash_log_enabled,                    true),
    yes_no!("crash-memcheck-enabled",             None,                              MODIFIABLE,                    crash_memcheck_enabled,               true),
    yes_no!("use-exit-on-panic",                  None,                              HIDDEN,                        use_exit_on_panic,                    false),
    yes_no!("disable-thp",                        None,                              IMMUTABLE,                     disable_thp,                          true),
    yes_no!("cluster-allow-replica-migration",    None,                              MODIFIABLE,                    cluster_allow_replica_migration,      true),
    yes_no!("replica-announced",                  None,                              MODIFIABLE,                    replica_announced,                    true),
    yes_no!("latency-tracking",                   None,                              MODIFIABLE,                    latency_tracking,                     true),
    yes_no!("aof-disable-auto-gc",                None,                              HIDDEN,                        aof_disable_auto_gc,                  false),
    yes_no!("replica-ignore-disk-write-errors",   None,                              MODIFIABLE,                    replica_ignore_disk_write_errors,     false),
    yes_no!("extended-redis-compatibility",       None,                              MODIFIABLE,                    extended_redis_compatibility,         false),
    yes_no!("enable-debug-assert",                None,                              IMMUTABLE | HIDDEN,            enable_debug_assert,                  false),
    yes_no!("cluster-slot-stats-enabled",         None,                              MODIFIABLE,                    cluster_slot_stats_enabled,           false),
    yes_no!("hide-user-data-from-log",            None,                              MODIFIABLE,                    hide_user_data_from_log,              true),

    // ---- strings
    //      name                                  alias                              flags                          field                                 default / check
    text!("aclfile",                              None,                              IMMUTABLE,                     aclfile,                              "", None),
    optional_text!("unixsocket",                  None,                              IMMUTABLE,                     unixsocket,                           None),
    optional_text!("unixsocketgroup",             None,                              IMMUTABLE,                     unixsocketgroup,                      None),
    optional_text!("pidfile",                     None,                              IMMUTABLE,                     pidfile,                              None),
    optional_text!("replica-announce-ip",         Some("slave-announce-ip"),         MODIFIABLE,                    replica_announce_ip,                  None),
    optional_text!("primaryuser",                 Some("masteruser"),                SENSITIVE,                     primaryuser,                          None),
    optional_text!("cluster-announce-ip",         None,                              MODIFIABLE,                    cluster_announce_ip,                  None),
    optional_text!("cluster-announce-client-ipv4", None,                             MODIFIABLE,                    cluster_announce_client_ipv4,         Some(check_ipv4)),
    optional_text!("cluster-announce-client-ipv6", None,                             MODIFIABLE,                    cluster_announce_client_ipv6,         Some(check_ipv6)),
    text!("cluster-config-file",                  None,                              IMMUTABLE,                     cluster_config_file,                  "nodes.conf", Some(check_cluster_config_file)),
    optional_text!("cluster-announce-hostname",   None,                              MODIFIABLE,                    cluster_announce_hostname,            Some(check_hostname)),
    optional_text!("cluster-announce-human-nodename", None,                          MODIFIABLE,                    cluster_announce_human_nodename,      Some(check_human_nodename)),
    text!("syslog-ident",                         None,                              IMMUTABLE,                     syslog_ident,                         "valkey", None),
    text!("dbfilename",                           None,                              PROTECTED,                     dbfilename,                           "dump.rdb", Some(check_dbfilename)),
    text!("appendfilename",                       None,                              IMMUTABLE,                     appendfilename,                       "appendonly.aof", Some(check_appendfilename)),
    text!("appenddirname",                        None,                              IMMUTABLE,                     appenddirname,                        "appendonlydir", Some(check_appenddirname)),
    optional_text!("server-cpulist",              Some("server_cpulist"),            IMMUTABLE,                     server_cpulist,                       None),
    optional_text!("bio-cpulist",                 Some("bio_cpulist"),               IMMUTABLE,                     bio_cpulist,                          None),
    optional_text!("aof-rewrite-cpulist",         Some("aof_rewrite_cpulist"),       IMMUTABLE,                     aof_rewrite_cpulist,                  None),
    optional_text!("bgsave-cpulist",              Some("bgsave_cpulist"),            IMMUTABLE,                     bgsave_cpulist,                       None),
    text!("ignore-warnings",                      None,                              MODIFIABLE,                    ignore_warnings,                      "", None),
    text!("proc-title-template",                  None,                              MODIFIABLE,                    proc_title_template,                  "{title} {listen-addr} {server-mode}", Some(check_proc_title_template)),
    optional_text!("bind-source-addr",            None,                              MODIFIABLE,                    bind_source_addr,                     None),
    text!("logfile",                              None,                              IMMUTABLE,                     logfile,                              "", None),
    text!("locale-collate",                       None,                              MODIFIABLE,                    locale_collate,                       "", None),
    text!("debug-context",                        None,                              DEBUG | HIDDEN,                debug_context,                        "", None),

    // ---- binary-safe strings
    Param { name: "primaryauth", alias: Some("masterauth"), flags: SENSITIVE, kind: Kind::Bytes {
        get: |c| c.primaryauth.clone(), set: |c, v| c.primaryauth = v, default: None, empty_is_none: true } },
    Param { name: "requirepass", alias: None, flags: SENSITIVE, kind: Kind::Bytes {
        get: |c| c.requirepass.clone(), set: |c, v| c.requirepass = v, default: None, empty_is_none: true } },
    Param { name: "availability-zone", alias: None, flags: MODIFIABLE, kind: Kind::Bytes {
        get: |c| Some(c.availability_zone.clone()), set: |c, v| c.availability_zone = v.unwrap_or_default(), default: Some(b""), empty_is_none: false } },

    // ---- enumerations
    //      name                                  alias  flags                          field                             type                      default
    choice!("supervised",                         None,  IMMUTABLE,                     supervised,                       Supervised,               No),
    choice!("syslog-facility",                    None,  IMMUTABLE,                     syslog_facility,                  SyslogFacility,           Local0),
    choice!("repl-diskless-load",                 None,  DEBUG | DENY_LOADING,          repl_diskless_load,               ReplDisklessLoad,         Disabled),
    choice!("loglevel",                           None,  MODIFIABLE,                    loglevel,                         LogLevel,                 Notice),
    choice!("maxmemory-policy",                   None,  MODIFIABLE,                    maxmemory_policy,                 MaxmemoryPolicy,          NoEviction),
    choice!("appendfsync",                        None,  MODIFIABLE,                    appendfsync,                      AppendFsync,              Everysec),
    choice!("oom-score-adj",                      None,  MODIFIABLE,                    oom_score_adj,                    OomScoreAdj,              No),
    choice!("acl-pubsub-default",                 None,  MODIFIABLE,                    acl_pubsub_default,               AclPubsubDefault,         ResetChannels),
    choice!("sanitize-dump-payload",              None,  DEBUG,                         sanitize_dump_payload,            SanitizeDumpPayload,      No),
    choice!("enable-protected-configs",           None,  IMMUTABLE,                     enable_protected_configs,         ProtectedAction,          No),
    choice!("enable-debug-command",               None,  IMMUTABLE,                     enable_debug_command,             ProtectedAction,          No),
    choice!("enable-module-command",              None,  IMMUTABLE,                     enable_module_command,            ProtectedAction,          No),
    choice!("cluster-preferred-endpoint-type",    None,  MODIFIABLE,                    cluster_preferred_endpoint_type,  EndpointType,             Ip),
    choice!("propagation-error-behavior",         None,  MODIFIABLE,                    propagation_error_behavior,       PropagationErrorBehavior, Ignore),
    Param { name: "shutdown-on-sigint", alias: None, flags: MULTI_ARG, kind: Kind::Enum {
        names: SHUTDOWN_NAMES, get: |c| c.shutdown_on_sigint, set: |c, v| c.shutdown_on_sigint = v, default: 0, check: Some(check_shutdown_flags) } },
    Param { name: "shutdown-on-sigterm", alias: None, flags: MULTI_ARG, kind: Kind::Enum {
        names: SHUTDOWN_NAMES, get: |c| c.shutdown_on_sigterm, set: |c, v| c.shutdown_on_sigterm = v, default: 0, check: Some(check_shutdown_flags) } },

    // ---- int
    //      name                                  alias                                 flags              field                             min       max        default     format
    number!("databases",                          None,                                 IMMUTABLE,         databases,                        1,        INT_MAX,   16,         Int),
    number!("port",                               None,                                 MODIFIABLE,        port,                             0,        65535,     6379,       Int),
    number!("io-threads",                         None,                                 DEBUG | IMMUTABLE, io_threads,                       1,        128,       1,          Int),
    number!("events-per-io-thread",               None,                                 MODIFIABLE,        events_per_io_thread,             0,        INT_MAX,   2,          Int),
    number!("prefetch-batch-max-size",            None,                                 MODIFIABLE,        prefetch_batch_max_size,          0,        128,       16,         Int),
    number!("auto-aof-rewrite-percentage",        None,                                 MODIFIABLE,        auto_aof_rewrite_percentage,      0,        INT_MAX,   100,        Int),
    number!("cluster-replica-validity-factor",    Some("cluster-slave-validity-factor"), MODIFIABLE,       cluster_replica_validity_factor,  0,        INT_MAX,   10,         Int),
    number!("list-max-listpack-size",             Some("list-max-ziplist-size"),        MODIFIABLE,        list_max_listpack_size,           INT_MIN,  INT_MAX,   -2,         Int),
    number!("tcp-keepalive",                      None,                                 MODIFIABLE,        tcp_keepalive,                    0,        INT_MAX,   300,        Int),
    number!("cluster-migration-barrier",          None,                                 MODIFIABLE,        cluster_migration_barrier,        0,        INT_MAX,   1,          Int),
    number!("active-defrag-cycle-min",            None,                                 MODIFIABLE,        active_defrag_cycle_min,          1,        99,        1,          Int),
    number!("active-defrag-cycle-max",            None,                                 MODIFIABLE,        active_defrag_cycle_max,          1,        99,        25,         Int),
    number!("active-defrag-threshold-lower",      None,                                 MODIFIABLE,        active_defrag_threshold_lower,    0,        1000,      10,         Int),
    number!("active-defrag-threshold-upper",      None,                                 MODIFIABLE,        active_defrag_threshold_upper,    0,        1000,      100,        Int),
    number!("lfu-log-factor",                     None,                                 MODIFIABLE,        lfu_log_factor,                   0,        INT_MAX,   10,         Int),
    number!("lfu-decay-time",                     None,                                 MODIFIABLE,        lfu_decay_time,                   0,        INT_MAX,   1,          Int),
    number!("replica-priority",                   Some("slave-priority"),               MODIFIABLE,        replica_priority,                 0,        INT_MAX,   100,        Int),
    number!("repl-diskless-sync-delay",           None,                                 MODIFIABLE,        repl_diskless_sync_delay,         0,        INT_MAX,   5,          Int),
    number!("maxmemory-samples",                  None,                                 MODIFIABLE,        maxmemory_samples,                1,        64,        5,          Int),
    number!("maxmemory-eviction-tenacity",        None,                                 MODIFIABLE,        maxmemory_eviction_tenacity,      0,        100,       10,         Int),
    number!("timeout",                            None,                                 MODIFIABLE,        timeout_secs,                     0,        INT_MAX,   0,          Int),
    number!("replica-announce-port",              Some("slave-announce-port"),          MODIFIABLE,        replica_announce_port,            0,        65535,     0,          Int),
    number!("tcp-backlog",                        None,                                 IMMUTABLE,         tcp_backlog,                      0,        INT_MAX,   511,        Int),
    number!("cluster-port",                       None,                                 IMMUTABLE,         cluster_port,                     0,        65535,     0,          Int),
    number!("cluster-announce-bus-port",          None,                                 MODIFIABLE,        cluster_announce_bus_port,        0,        65535,     0,          Int),
    number!("cluster-announce-port",              None,                                 MODIFIABLE,        cluster_announce_port,            0,        65535,     0,          Int),
    number!("cluster-announce-tls-port",          None,                                 MODIFIABLE,        cluster_announce_tls_port,        0,        65535,     0,          Int),
    number!("repl-timeout",                       None,                                 MODIFIABLE,        repl_timeout,                     1,        INT_MAX,   60,         Int),
    number!("repl-ping-replica-period",           Some("repl-ping-slave-period"),       MODIFIABLE,        repl_ping_replica_period,         1,        INT_MAX,   10,         Int),
    number!("list-compress-depth",                None,                                 DEBUG,             list_compress_depth,              0,        INT_MAX,   0,          Int),
    number!("rdb-key-save-delay",                 None,                                 HIDDEN,            rdb_key_save_delay,               INT_MIN,  INT_MAX,   0,          Int),
    number!("key-load-delay",                     None,                                 HIDDEN,            key_load_delay,                   INT_MIN,  INT_MAX,   0,          Int),
    number!("active-expire-effort",               None,                                 MODIFIABLE,        active_expire_effort,             1,        10,        1,          Int),
    number!("hz",                                 None,                                 MODIFIABLE,        hz,                               0,        INT_MAX,   10,         Int),
    number!("min-replicas-to-write",              Some("min-slaves-to-write"),          MODIFIABLE,        min_replicas_to_write,            0,        INT_MAX,   0,          Int),
    number!("min-replicas-max-lag",               Some("min-slaves-max-lag"),           MODIFIABLE,        min_replicas_max_lag,             0,        INT_MAX,   10,         Int),
    number!("watchdog-period",                    None,                                 HIDDEN,            watchdog_period,                  0,        INT_MAX,   0,          Int),
    number!("shutdown-timeout",                   None,                                 MODIFIABLE,        shutdown_timeout,                 0,        INT_MAX,   10,         Int),
    number!("repl-diskless-sync-max-replicas",    None,                                 MODIFIABLE,        repl_diskless_sync_max_replicas,  0,        INT_MAX,   0,          Int),

    // ---- unsigned int
    unsigned!("maxclients",                       None,                                 MODIFIABLE,        maxclients,                       1,        UINT_MAX,  10000,      Int),
    unsigned!("unixsocketperm",                   None,                                 IMMUTABLE,         unixsocketperm,                   0,        0o777,     0,          Octal),
    unsigned!("socket-mark-id",                   None,                                 IMMUTABLE,         socket_mark_id,                   0,        UINT_MAX,  0,          Int),
    unsigned!("max-new-connections-per-cycle",    None,                                 MODIFIABLE,        max_new_connections_per_cycle,    1,        1000,      10,         Int),
    unsigned!("max-new-tls-connections-per-cycle", None,                                MODIFIABLE,        max_new_tls_connections_per_cycle, 1,       1000,      1,          Int),

    // ---- unsigned long
    unsigned!("active-defrag-max-scan-fields",    None,                                 MODIFIABLE,        active_defrag_max_scan_fields,    1,        LONG_MAX,  1000,       Int),
    unsigned!("slowlog-max-len",                  None,                                 MODIFIABLE,        slowlog_max_len,                  0,        LONG_MAX,  128,        Int),
    unsigned!("acllog-max-len",                   None,                                 MODIFIABLE,        acllog_max_len,                   0,        LONG_MAX,  128,        Int),
    unsigned64!("cluster-blacklist-ttl",          None,                                 MODIFIABLE,        cluster_blacklist_ttl,            0,        ULLONG_MAX, 60,        Int),

    // ---- long long
    number!("busy-reply-threshold",               Some("lua-time-limit"),               MODIFIABLE,        busy_reply_threshold,             0,        LONG_MAX,  5000,       Int),
    number!("cluster-node-timeout",               None,                                 MODIFIABLE,        cluster_node_timeout,             0,        LONG_MAX,  15000,      Int),
    number!("cluster-ping-interval",              None,                                 HIDDEN,            cluster_ping_interval,            0,        LONG_MAX,  0,          Int),
    number!("slowlog-log-slower-than",            None,                                 MODIFIABLE,        slowlog_log_slower_than,          -1,       LONG_MAX,  10000,      Int),
    number!("latency-monitor-threshold",          None,                                 MODIFIABLE,        latency_monitor_threshold,        0,        LONG_MAX,  0,          Int),
    number!("proto-max-bulk-len",                 None,                                 DEBUG,             proto_max_bulk_len,               MB,       LONG_MAX,  512 * MB,   Memory),
    number!("stream-node-max-entries",            None,                                 MODIFIABLE,        stream_node_max_entries,          0,        LONG_MAX,  100,        Int),
    number!("repl-backlog-size",                  None,                                 MODIFIABLE,        repl_backlog_size,                1,        LONG_MAX,  10 * MB,    Memory),

    // ---- unsigned long long
    unsigned64!("maxmemory",                      None,                                 MODIFIABLE,        maxmemory,                        0,        ULLONG_MAX, 0,         Memory),
    unsigned64!("cluster-link-sendbuf-limit",     None,                                 MODIFIABLE,        cluster_link_sendbuf_limit,       0,        ULLONG_MAX, 0,         Memory),

    // ---- size_t
    unsigned!("hash-max-listpack-entries",        Some("hash-max-ziplist-entries"),     MODIFIABLE,        hash_max_listpack_entries,        0,        LONG_MAX,  512,        Int),
    unsigned!("set-max-intset-entries",           None,                                 MODIFIABLE,        set_max_intset_entries,           0,        LONG_MAX,  512,        Int),
    unsigned!("set-max-listpack-entries",         None,                                 MODIFIABLE,        set_max_listpack_entries,         0,        LONG_MAX,  128,        Int),
    unsigned!("set-max-listpack-value",           None,                                 MODIFIABLE,        set_max_listpack_value,           0,        LONG_MAX,  64,         Int),
    unsigned!("zset-max-listpack-entries",        Some("zset-max-ziplist-entries"),     MODIFIABLE,        zset_max_listpack_entries,        0,        LONG_MAX,  128,        Int),
    unsigned!("active-defrag-ignore-bytes",       None,                                 MODIFIABLE,        active_defrag_ignore_bytes,       1,        LONG_MAX,  100 * MB,   Memory),
    unsigned!("hash-max-listpack-value",          Some("hash-max-ziplist-value"),       MODIFIABLE,        hash_max_listpack_value,          0,        LONG_MAX,  64,         Memory),
    unsigned!("stream-node-max-bytes",            None,                                 MODIFIABLE,        stream_node_max_bytes,            0,        LONG_MAX,  4096,       Memory),
    unsigned!("zset-max-listpack-value",          Some("zset-max-ziplist-value"),       MODIFIABLE,        zset_max_listpack_value,          0,        LONG_MAX,  64,         Memory),
    unsigned!("hll-sparse-max-bytes",             None,                                 MODIFIABLE,        hll_sparse_max_bytes,             0,        LONG_MAX,  3000,       Memory),
    unsigned!("tracking-table-max-keys",          None,                                 MODIFIABLE,        tracking_table_max_keys,          0,        LONG_MAX,  1000000,    Int),
    unsigned!("client-query-buffer-limit",        None,                                 DEBUG,             client_query_buffer_limit,        MB,       LONG_MAX,  1024 * MB,  Memory),
    number!("maxmemory-clients",                  None,                                 MODIFIABLE,        maxmemory_clients,                -100,     LONG_MAX,  0,          MemoryOrPercent),

    // ---- time_t / off_t
    number!("repl-backlog-ttl",                   None,                                 MODIFIABLE,        repl_backlog_ttl,                 0,        LONG_MAX,  3600,       Int),
    number!("auto-aof-rewrite-min-size",          None,                                 MODIFIABLE,        auto_aof_rewrite_min_size,        0,        LONG_MAX,  64 * MB,    Memory),
    number!("loading-process-events-interval-bytes", None,                              HIDDEN,            loading_process_events_interval_bytes, 1024, INT_MAX, 2 * MB,   Int),

    // ---- tls
    number!("tls-port",                           None,                                 MODIFIABLE,        tls_port,                         0,        65535,     0,          Int),
    number!("tls-session-cache-size",             None,                                 MODIFIABLE,        tls_session_cache_size,           0,        INT_MAX,   20 * 1024,  Int),
    number!("tls-session-cache-timeout",          None,                                 MODIFIABLE,        tls_session_cache_timeout,        0,        INT_MAX,   300,        Int),
    yes_no!("tls-cluster",                        None,                                 MODIFIABLE,        tls_cluster,                      false),
    yes_no!("tls-replication",                    None,                                 MODIFIABLE,        tls_replication,                  false),
    choice!("tls-auth-clients",                   None,                                 MODIFIABLE,        tls_auth_clients,                 TlsAuthClients, Yes),
    yes_no!("tls-prefer-server-ciphers",          None,                                 MODIFIABLE,        tls_prefer_server_ciphers,        false),
    yes_no!("tls-session-caching",                None,                                 MODIFIABLE,        tls_session_caching,              true),
    optional_text!("tls-cert-file",               None,                                 VOLATILE,          tls_cert_file,                    None),
    optional_text!("tls-key-file",                None,                                 VOLATILE,          tls_key_file,                     None),
    optional_text!("tls-key-file-pass",           None,                                 SENSITIVE,         tls_key_file_pass,                None),
    optional_text!("tls-client-cert-file",        None,                                 VOLATILE,          tls_client_cert_file,             None),
    optional_text!("tls-client-key-file",         None,                                 VOLATILE,          tls_client_key_file,              None),
    optional_text!("tls-client-key-file-pass",    None,                                 SENSITIVE,         tls_client_key_file_pass,         None),
    optional_text!("tls-dh-params-file",          None,                                 VOLATILE,          tls_dh_params_file,               None),
    optional_text!("tls-ca-cert-file",            None,                                 VOLATILE,          tls_ca_cert_file,                 None),
    optional_text!("tls-ca-cert-dir",             None,                                 VOLATILE,          tls_ca_cert_dir,                  None),
    optional_text!("tls-protocols",               None,                                 MODIFIABLE,        tls_protocols,                    None),
    optional_text!("tls-ciphers",                 None,                                 MODIFIABLE,        tls_ciphers,                      None),
    optional_text!("tls-ciphersuites",            None,                                 MODIFIABLE,        tls_ciphersuites,                 None),

    // ---- special
    //       name                                 alias            flags                              get                  set                  default words
    special!("dir",                               None,            PROTECTED | DENY_LOADING,          get_dir,             set_dir,             &[]),
    special!("save",                              None,            MULTI_ARG,                         get_save,            set_save,            &["3600", "1", "300", "100", "60", "10000"]),
    special!("client-output-buffer-limit",        None,            MULTI_ARG,                         get_obuf_limits,     set_obuf_limits,     &["normal", "0", "0", "0", "slave", "268435456", "67108864", "60", "pubsub", "33554432", "8388608", "60"]),
    special!("oom-score-adj-values",              None,            MULTI_ARG,                         get_oom_values,      set_oom_values,      &["0", "200", "800"]),
    special!("notify-keyspace-events",            None,            MODIFIABLE,                        get_notify,          set_notify,          &[""]),
    special!("bind",                              None,            MULTI_ARG,                         get_bind,            set_bind,            &["*", "-::*"]),
    special!("replicaof",                         Some("slaveof"), IMMUTABLE | MULTI_ARG,             get_replicaof,       set_replicaof,       &[]),
    special!("latency-tracking-info-percentiles", None,            MULTI_ARG,                         get_percentiles,     set_percentiles,     &["50", "99", "99.9"]),
];

// ---- validators (Valkey's is_valid functions)

fn check_ipv4(v: &str) -> Result<(), &'static str> {
    if v.is_empty() || v.parse::<std::net::Ipv4Addr>().is_ok() {
        Ok(())
    } else {
        Err("Invalid IPv4 address")
    }
}

fn check_ipv6(v: &str) -> Result<(), &'static str> {
    if v.is_empty() || v.parse::<std::net::Ipv6Addr>().is_ok() {
        Ok(())
    } else {
        Err("Invalid IPv6 address")
    }
}

fn check_cluster_config_file(v: &str) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("cluster-config-file can't be empty");
    }
    Ok(())
}

fn is_base_name(v: &str) -> bool {
    !v.contains('/') && !v.contains('\\')
}

fn check_dbfilename(v: &str) -> Result<(), &'static str> {
    match v {
        "" => Err("dbfilename can't be empty"),
        _ if !is_base_name(v) => Err("dbfilename can't be a path, just a filename"),
        _ => Ok(()),
    }
}

fn check_appendfilename(v: &str) -> Result<(), &'static str> {
    match v {
        "" => Err("appendfilename can't be empty"),
        _ if !is_base_name(v) => Err("appendfilename can't be a path, just a filename"),
        _ => Ok(()),
    }
}

fn check_appenddirname(v: &str) -> Result<(), &'static str> {
    match v {
        "" => Err("appenddirname can't be empty"),
        _ if !is_base_name(v) => Err("appenddirname can't be a path, just a dirname"),
        _ => Ok(()),
    }
}

fn check_hostname(v: &str) -> Result<(), &'static str> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if !v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.') {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
    Ok(())
}

fn check_human_nodename(v: &str) -> Result<(), &'static str> {
    if v.bytes().any(|c| !c.is_ascii_alphanumeric() && b"!#$%&()*+;<>?@[]^{|}~".contains(&c)) {
        return Err("Announced human node name contained invalid character");
    }
    Ok(())
}

/// Valkey expands the template with the server's current values and refuses unknown variables,
/// bad braces, and templates that expand to nothing.
fn check_proc_title_template(v: &str) -> Result<(), &'static str> {
    const INVALID: &str = "template format is invalid or contains unknown variables";
    let mut expanded = String::new();
    let mut rest = v;
    while let Some(open) = rest.find('{') {
        expanded.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        if after.is_empty() {
            return Err(INVALID);
        }
        if let Some(stripped) = after.strip_prefix('{') {
            expanded.push('{');
            rest = stripped;
            continue;
        }
        let close = after.find('}').ok_or(INVALID)?;
        // Stand-ins for the runtime values: the ones that are never empty, and those that may be.
        match &after[..close] {
            "listen-addr" | "config-file" | "port" | "tls-port" => expanded.push('x'),
            "title" | "server-mode" | "unixsocket" => {}
            _ => return Err(INVALID),
        }
        rest = &after[close + 1..];
    }
    expanded.push_str(rest);
    if expanded.trim_matches(' ').is_empty() {
        return Err(INVALID);
    }
    Ok(())
}

fn check_shutdown_flags(bits: u32) -> Result<(), &'static str> {
    if bits & SHUTDOWN_SAVE != 0 && bits & SHUTDOWN_NOSAVE != 0 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    Ok(())
}

// ---- special parameters

const WRONG_ARG_COUNT: &str = "wrong number of arguments";

fn get_dir(c: &Config) -> Vec<u8> {
    c.dir.as_bytes().to_vec()
}

/// Only validates and stores: changing the process's directory is the host's job
/// (`ConfigHost::change_dir` for CONFIG SET, the argument parser at start-up).
fn set_dir(c: &mut Config, args: &[&[u8]], _: Source) -> Result<bool, String> {
    if args.len() != 1 {
        return Err(WRONG_ARG_COUNT.into());
    }
    if args[0].is_empty() {
        return Err("dir can't be empty".into());
    }
    c.dir = c_string(args[0]);
    Ok(true)
}

fn get_save(c: &Config) -> Vec<u8> {
    let words: Vec<String> = c.save_points.iter().map(|(secs, changes)| format!("{secs} {changes}")).collect();
    words.join(" ").into_bytes()
}

fn set_save(c: &mut Config, args: &[&[u8]], source: Source) -> Result<bool, String> {
    const INVALID: &str = "Invalid save parameters";
    let mut args = args;
    // A single empty word means "no save points", and clears them even in a config file.
    if args.len() == 1 && args[0].is_empty() {
        c.save_points.clear();
        args = &[];
    }
    if !args.len().is_multiple_of(2) {
        return Err(INVALID.into());
    }
    let mut points = Vec::with_capacity(args.len() / 2);
    for pair in args.chunks(2) {
        let secs = strtoll(pair[0], 10).filter(|&(v, _)| v >= 1).ok_or(INVALID)?.0;
        let changes = strtoll(pair[1], 10).filter(|&(v, _)| v >= 0).ok_or(INVALID)?.0;
        // Valkey keeps the change count in a C int.
        points.push((secs, changes as i32 as i64));
    }
    // In a config file the first `save` line replaces the defaults and later ones add to it;
    // anywhere else the new list replaces the old one.
    if source != Source::Startup || !c.startup_save_seen {
        c.save_points.clear();
    }
    if source == Source::Startup {
        c.startup_save_seen = true;
    }
    c.save_points.extend(points);
    Ok(true)
}

fn get_obuf_limits(c: &Config) -> Vec<u8> {
    let mut out = String::new();
    for (i, class) in ["normal", "slave", "pubsub"].iter().enumerate() {
        let limit = &c.client_output_buffer_limits[i];
        if i > 0 {
            out.push(' ');
        }
        let _ =
            write!(out, "{class} {} {} {}", limit.hard_limit_bytes, limit.soft_limit_bytes, limit.soft_limit_seconds);
    }
    out.into_bytes()
}

fn set_obuf_limits(c: &mut Config, args: &[&[u8]], _: Source) -> Result<bool, String> {
    if !args.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits = c.client_output_buffer_limits;
    for group in args.chunks(4) {
        let class = match c_string(group[0]).to_ascii_lowercase().as_str() {
            "normal" => CLIENT_CLASS_NORMAL,
            "slave" | "replica" => CLIENT_CLASS_REPLICA,
            "pubsub" => CLIENT_CLASS_PUBSUB,
            _ => return Err("Invalid client class specified in buffer limit configuration.".into()),
        };
        let hard = memtoull(group[1]);
        let soft = memtoull(group[2]);
        // Valkey keeps the seconds in a C int and checks the sign after the cast.
        let secs = strtoll(group[3], 10).map(|(v, _)| v as i32);
        match (hard, soft, secs) {
            (Some(hard), Some(soft), Some(secs)) if secs >= 0 => {
                limits[class] = ClientBufferLimit {
                    hard_limit_bytes: hard,
                    soft_limit_bytes: soft,
                    soft_limit_seconds: secs as i64,
                };
            }
            _ => return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()),
        }
    }
    c.client_output_buffer_limits = limits;
    Ok(true)
}

fn get_oom_values(c: &Config) -> Vec<u8> {
    let words: Vec<String> = c.oom_score_adj_values.iter().map(i64::to_string).collect();
    words.join(" ").into_bytes()
}

fn set_oom_values(c: &mut Config, args: &[&[u8]], _: Source) -> Result<bool, String> {
    if args.len() != 3 {
        return Err(WRONG_ARG_COUNT.into());
    }
    let mut values = [0; 3];
    for (slot, arg) in values.iter_mut().zip(args) {
        *slot = strtoll(arg, 10)
            .map(|(v, _)| v)
            .filter(|v| (-2000..=2000).contains(v))
            .ok_or("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")?;
    }
    let changed = values != c.oom_score_adj_values;
    c.oom_score_adj_values = values;
    Ok(changed)
}

fn get_notify(c: &Config) -> Vec<u8> {
    keyspace_events_to_string(c.notify_keyspace_events).into_bytes()
}

fn set_notify(c: &mut Config, args: &[&[u8]], _: Source) -> Result<bool, String> {
    if args.len() != 1 {
        return Err(WRONG_ARG_COUNT.into());
    }
    c.notify_keyspace_events =
        keyspace_events_from_str(args[0]).ok_or("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")?;
    Ok(true)
}

fn get_bind(c: &Config) -> Vec<u8> {
    c.bind.join(" ").into_bytes()
}

fn set_bind(c: &mut Config, args: &[&[u8]], _: Source) -> Result<bool, String> {
    if args.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    // A single empty word means "no addresses".
    let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
    c.bind = args.iter().map(|a| c_string(a)).collect();
    Ok(true)
}

fn get_replicaof(c: &Config) -> Vec<u8> {
    match &c.replicaof {
        Some((host, port)) => format!("{host} {port}").into_bytes(),
        None => Vec::new(),
    }
}

fn set_replicaof(c: &mut Config, args: &[&[u8]], _: Source) -> Result<bool, String> {
    if args.len() != 2 {
        return Err(WRONG_ARG_COUNT.into());
    }
    c.replicaof = None;
    if eq_nocase(args[0], "no") && eq_nocase(args[1], "one") {
        return Ok(true);
    }
    let port =
        strtoll(args[1], 10).map(|(v, _)| v).filter(|v| (0..=65535).contains(v)).ok_or("Invalid primary port")?;
    c.replicaof = Some((c_string(args[0]), port));
    Ok(true)
}

fn get_percentiles(c: &Config) -> Vec<u8> {
    let words: Vec<String> = c
        .latency_tracking_info_percentiles
        .iter()
        .map(|p| {
            // printf("%f") then drop trailing zeros and a trailing dot.
            let s = format!("{p:.6}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        })
        .collect();
    words.join(" ").into_bytes()
}

fn set_percentiles(c: &mut Config, args: &[&[u8]], _: Source) -> Result<bool, String> {
    let args = if args.len() == 1 && args[0].is_empty() { &[][..] } else { args };
    let mut percentiles = Vec::with_capacity(args.len());
    for arg in args {
        let p = string2d(arg).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
        }
        percentiles.push(p);
    }
    c.latency_tracking_info_percentiles = percentiles;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Reading and writing one parameter
// ---------------------------------------------------------------------------------------------

impl Param {
    fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// Can only be set at start-up.
    pub fn is_immutable(&self) -> bool {
        self.has(IMMUTABLE)
    }

    /// Its value must be redacted from SLOWLOG, MONITOR and the like.
    pub fn is_sensitive(&self) -> bool {
        self.has(SENSITIVE)
    }

    /// The value as CONFIG GET shows it.
    pub fn value(&self, c: &Config) -> Vec<u8> {
        match &self.kind {
            Kind::Bool { get, .. } => (if get(c) { "yes" } else { "no" }).into(),
            Kind::Num { get, format, .. } => {
                let v = get(c);
                match format {
                    NumFormat::MemoryOrPercent if v < 0 => format!("{}%", v.unsigned_abs()),
                    NumFormat::Memory | NumFormat::MemoryOrPercent => (v as u64).to_string(),
                    NumFormat::Octal => format!("{:o}", v as u64),
                    NumFormat::Int => v.to_string(),
                }
                .into_bytes()
            }
            Kind::Str { get, .. } => get(c).unwrap_or_default().into_bytes(),
            Kind::Bytes { get, .. } => get(c).unwrap_or_default(),
            Kind::Enum { names, get, .. } => enum_name(names, get(c), self.has(MULTI_ARG)).into_bytes(),
            Kind::Special { get, .. } => get(c),
        }
    }

    /// Puts the default value in place.
    fn reset(&self, c: &mut Config) {
        match &self.kind {
            Kind::Bool { set, default, .. } => set(c, *default),
            Kind::Num { set, default, .. } => set(c, *default),
            Kind::Str { set, default, .. } => set(c, default.map(str::to_owned)),
            Kind::Bytes { set, default, .. } => set(c, default.map(<[u8]>::to_vec)),
            Kind::Enum { set, default, .. } => set(c, *default),
            Kind::Special { set, default, .. } => {
                if !default.is_empty() {
                    let words: Vec<&[u8]> = default.iter().map(|w| w.as_bytes()).collect();
                    set(c, &words, Source::Default).expect("the table's defaults are valid");
                }
            }
        }
    }

    /// Parses and stores `args` (already split into words); returns whether the value changed.
    /// The error is Valkey's reason text (what follows "CONFIG SET failed (...) - ").
    fn set(&self, c: &mut Config, args: &[&[u8]], source: Source) -> Result<bool, String> {
        let volatile = self.has(VOLATILE);
        match &self.kind {
            Kind::Bool { get, set, .. } => {
                let arg = until_nul(args[0]);
                let v = if eq_nocase(arg, "yes") {
                    true
                } else if eq_nocase(arg, "no") {
                    false
                } else {
                    return Err("argument must be 'yes' or 'no'".into());
                };
                let changed = get(c) != v;
                set(c, v);
                Ok(changed || volatile)
            }
            Kind::Num { get, set, min, max, unsigned, format, .. } => {
                let v = parse_number(until_nul(args[0]), *format)?;
                check_bounds(v, *min, *max, *unsigned, *format)?;
                let changed = get(c) != v;
                set(c, v);
                Ok(changed || volatile)
            }
            Kind::Str { get, set, empty_is_none, check, .. } => {
                let v = c_string(args[0]);
                if let Some(check) = check {
                    check(&v)?;
                }
                let v = if *empty_is_none && v.is_empty() { None } else { Some(v) };
                let changed = get(c) != v;
                set(c, v);
                Ok(changed || volatile)
            }
            Kind::Bytes { get, set, empty_is_none, .. } => {
                let v = if *empty_is_none && args[0].is_empty() { None } else { Some(args[0].to_vec()) };
                let changed = get(c) != v;
                set(c, v);
                Ok(changed || volatile)
            }
            Kind::Enum { names, get, set, check, .. } => {
                let v = parse_enum(names, args, self.has(MULTI_ARG))?;
                if let Some(check) = check {
                    check(v)?;
                }
                let changed = get(c) != v;
                set(c, v);
                Ok(changed || volatile)
            }
            Kind::Special { set, .. } => set(c, args, source),
        }
    }
}

fn parse_number(arg: &[u8], format: NumFormat) -> Result<i64, String> {
    if matches!(format, NumFormat::Memory | NumFormat::MemoryOrPercent) {
        if let Some(v) = memtoull(arg) {
            // Stored in a C long long, as Valkey does: huge values wrap negative.
            return Ok(v as i64);
        }
    }
    if format == NumFormat::MemoryOrPercent && arg.len() > 1 && arg.ends_with(b"%") {
        if let Some(p) = string2ll(&arg[..arg.len() - 1]).filter(|&p| p >= 0) {
            // Percentages are stored negated.
            return Ok(-p);
        }
    }
    match format {
        NumFormat::Octal => {
            if let Some((v, false)) = strtoll(arg, 8) {
                return Ok(v);
            }
        }
        NumFormat::Int => {
            if let Some(v) = string2ll(arg) {
                return Ok(v);
            }
        }
        _ => {}
    }
    Err(match format {
        NumFormat::MemoryOrPercent => "argument must be a memory or percent value",
        NumFormat::Memory => "argument must be a memory value",
        NumFormat::Octal => "argument couldn't be parsed as an octal number",
        NumFormat::Int => "argument couldn't be parsed into an integer",
    }
    .into())
}

fn check_bounds(v: i64, min: i64, max: i64, unsigned: bool, format: NumFormat) -> Result<(), String> {
    if unsigned {
        let (v, min, max) = (v as u64, min as u64, max as u64);
        if v > max || v < min {
            return Err(if format == NumFormat::Octal {
                format!("argument must be between {min:o} and {max:o} inclusive")
            } else {
                format!("argument must be between {min} and {max} inclusive")
            });
        }
    } else if format == NumFormat::MemoryOrPercent && v < 0 {
        if v < min {
            return Err(format!("percentage argument must be less or equal to {}", -min));
        }
    } else if v > max || v < min {
        return Err(format!("argument must be between {min} and {max} inclusive"));
    }
    Ok(())
}

fn parse_enum(names: &[(&str, u32)], args: &[&[u8]], bitflags: bool) -> Result<u32, String> {
    let mut value = Some(0u32);
    if args.is_empty() || (!bitflags && args.len() != 1) {
        value = None;
    }
    for arg in args {
        let arg = until_nul(arg);
        let mut matched = false;
        for (name, code) in names {
            if eq_nocase(arg, name) {
                value = value.map(|v| v | code);
                matched = true;
            }
        }
        if !matched {
            value = None;
        }
    }
    value.ok_or_else(|| {
        let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
        let mut err = format!("argument(s) must be one of the following: {}", list.join(", "));
        // Valkey builds the message in a 256-byte buffer.
        err.truncate(255);
        err
    })
}

fn enum_name(names: &[(&str, u32)], value: u32, bitflags: bool) -> String {
    if let Some((name, _)) = names.iter().find(|(_, code)| *code == value) {
        return (*name).to_owned();
    }
    if !bitflags {
        return "unknown".into();
    }
    // Several bits: list the names covering them, in table order.
    let mut unmatched = value;
    let mut words = Vec::new();
    for (name, code) in names {
        if *code != 0 && unmatched & code == *code {
            words.push(*name);
            unmatched &= !code;
        }
    }
    if words.is_empty() || unmatched != 0 {
        return "unknown".into();
    }
    words.join(" ")
}

/// A table row found by name, remembering which of its names was used.
#[derive(Clone, Copy)]
struct Entry {
    param: &'static Param,
    via_alias: bool,
}

impl Entry {
    /// The name Valkey reports in errors: the row's own spelling of the name that was used.
    fn name(&self) -> &'static str {
        if self.via_alias {
            self.param.alias.unwrap_or(self.param.name)
        } else {
            self.param.name
        }
    }
}

/// Finds a parameter by name or alias, ignoring ASCII case.
fn lookup(name: &[u8]) -> Option<Entry> {
    PARAMS.iter().find_map(|param| {
        if eq_nocase(name, param.name) {
            Some(Entry { param, via_alias: false })
        } else if param.alias.is_some_and(|alias| eq_nocase(name, alias)) {
            Some(Entry { param, via_alias: true })
        } else {
            None
        }
    })
}

/// Finds a parameter by name or alias, ignoring ASCII case.
pub fn find_param(name: &[u8]) -> Option<&'static Param> {
    lookup(name).map(|e| e.param)
}

// ---------------------------------------------------------------------------------------------
// CONFIG GET / CONFIG SET / start-up
// ---------------------------------------------------------------------------------------------

/// Why CONFIG SET refused; `Display` is the error line without the leading `-`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigSetError {
    #[error("ERR Unknown option or number of arguments for CONFIG SET - '{0}'")]
    UnknownOption(String),
    #[error("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")]
    Failed { name: String, reason: String },
    /// The parameter cannot change while the dataset loads; the server name depends on
    /// `extended-redis-compatibility`.
    #[error("LOADING {0} is loading the dataset in memory")]
    Loading(&'static str),
}

/// Who is asking for a CONFIG SET.
#[derive(Debug, Clone, Copy, Default)]
pub struct SetContext {
    /// Connected over loopback or a unix socket (for `enable-protected-configs local`).
    pub client_is_local: bool,
    /// The server is loading its dataset.
    pub loading: bool,
}

/// Effects of CONFIG SET outside the engine: where Valkey changes directory or calls an
/// "apply" function (re-bind the port, resize the backlog, ...). The defaults accept everything.
pub trait ConfigHost {
    /// `dir` changed: make it the working directory and return it as an absolute path, or the
    /// OS error text (`strerror`, e.g. "No such file or directory").
    fn change_dir(&mut self, dir: &str) -> Result<String, String> {
        Ok(dir.to_owned())
    }

    /// Called once per changed parameter (canonical name) after every value is in place. An
    /// error undoes the whole CONFIG SET; `apply` is then called again for the restored values.
    fn apply(&mut self, param: &'static str, config: &Config) -> Result<(), String> {
        let _ = (param, config);
        Ok(())
    }
}

/// A host with no effects, for callers that only want the values.
pub struct NoEffects;
impl ConfigHost for NoEffects {}

/// The text `apply_startup` returns for a name that is not a parameter.
pub const BAD_DIRECTIVE: &str = "Bad directive or wrong number of arguments";

impl Config {
    /// CONFIG GET: every (name, value) whose name or alias matches one of the patterns, each name
    /// once. A pattern without glob characters is an exact, case-insensitive lookup that also
    /// finds hidden parameters and is answered with the spelling asked for; a glob pattern matches
    /// names and aliases (each is its own entry) but never hidden parameters.
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        let seen =
            |out: &[(String, Vec<u8>)], name: &[u8]| out.iter().any(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name));
        for &pattern in patterns {
            let pattern = until_nul(pattern);
            if !pattern.iter().any(|b| matches!(b, b'[' | b'*' | b'?')) {
                if seen(&out, pattern) {
                    continue;
                }
                if let Some(entry) = lookup(pattern) {
                    out.push((String::from_utf8_lossy(pattern).into_owned(), entry.param.value(self)));
                }
                continue;
            }
            for param in PARAMS.iter().filter(|p| !p.has(HIDDEN)) {
                for name in std::iter::once(param.name).chain(param.alias) {
                    if !seen(&out, name.as_bytes()) && glob_match(pattern, name.as_bytes(), true) {
                        out.push((name.to_owned(), param.value(self)));
                    }
                }
            }
        }
        out
    }

    /// CONFIG SET name value [name value ...] with no client context and no host effects.
    /// All or nothing; returns the canonical names whose value changed, or the error line
    /// (without the leading `-`).
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        self.set_with(pairs, SetContext::default(), &mut NoEffects).map_err(|e| e.to_string())
    }

    /// CONFIG SET with the client's context and the host's effects. All or nothing: on any error
    /// every value (and the working directory) is restored.
    pub fn set_with(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        ctx: SetContext,
        host: &mut dyn ConfigHost,
    ) -> Result<Vec<&'static str>, ConfigSetError> {
        // 1. Resolve every name first; the first problem refuses the whole call.
        let mut entries: Vec<Entry> = Vec::with_capacity(pairs.len());
        for &(name, _) in pairs {
            let Some(entry) = lookup(name) else {
                return Err(ConfigSetError::UnknownOption(String::from_utf8_lossy(name).into_owned()));
            };
            let as_given = || String::from_utf8_lossy(name).into_owned();
            let param = entry.param;
            if param.has(IMMUTABLE) {
                return Err(ConfigSetError::Failed { name: as_given(), reason: "can't set immutable config".into() });
            }
            if param.has(PROTECTED) && !self.enable_protected_configs.allows(ctx.client_is_local) {
                return Err(ConfigSetError::Failed { name: as_given(), reason: "can't set protected config".into() });
            }
            if ctx.loading && param.has(DENY_LOADING) {
                let server = if self.extended_redis_compatibility { "Redis" } else { "Valkey" };
                return Err(ConfigSetError::Loading(server));
            }
            // A name and its alias count as different parameters here, as in Valkey.
            if entries.iter().any(|e| std::ptr::eq(e.param, param) && e.via_alias == entry.via_alias) {
                return Err(ConfigSetError::Failed { name: as_given(), reason: "duplicate parameter".into() });
            }
            entries.push(entry);
        }

        // 2. Set every value; on error put everything back.
        let backup = self.clone();
        let mut dir_changed = false;
        let mut changed: Vec<(&'static str, &'static str)> = Vec::new(); // (canonical, as reported)
        let fail = |config: &mut Config, host: &mut dyn ConfigHost, dir_changed: bool, name: &str, reason: String| {
            *config = backup.clone();
            if dir_changed {
                let _ = host.change_dir(&config.dir);
            }
            ConfigSetError::Failed { name: name.to_owned(), reason }
        };
        for (entry, &(_, value)) in entries.iter().zip(pairs) {
            let param = entry.param;
            let words = if param.has(MULTI_ARG) { split_on_spaces(value) } else { vec![value] };
            match param.set(self, &words, Source::ConfigSet) {
                Err(reason) => return Err(fail(self, host, dir_changed, entry.name(), reason)),
                Ok(did_change) => {
                    if param.name == "dir" {
                        match host.change_dir(&self.dir) {
                            Ok(absolute) => self.dir = absolute,
                            Err(reason) => return Err(fail(self, host, dir_changed, entry.name(), reason)),
                        }
                        dir_changed = true;
                    }
                    if did_change && !changed.iter().any(|(n, _)| *n == param.name) {
                        changed.push((param.name, entry.name()));
                    }
                }
            }
        }

        // 3. Apply: Valkey clamps hz itself; the rest is the host's.
        if changed.iter().any(|(n, _)| *n == "hz") {
            self.hz = self.hz.clamp(CONFIG_MIN_HZ, CONFIG_MAX_HZ);
        }
        for &(name, reported) in &changed {
            if let Err(reason) = host.apply(name, self) {
                let err = fail(self, host, dir_changed, reported, reason);
                // Valkey re-runs every apply function so the host matches the restored values.
                for &(applied, _) in &changed {
                    let _ = host.apply(applied, self);
                }
                return Err(err);
            }
        }
        Ok(changed.into_iter().map(|(name, _)| name).collect())
    }

    /// Start-up: one directive from the config file or the command line, with its words as
    /// given (`save` takes several; a multi-word parameter given a single word splits it with
    /// config-file quoting rules). The error is Valkey's message for the fatal-error banner.
    pub fn apply_startup(&mut self, name: &str, values: &[String]) -> Result<(), String> {
        let values: Vec<&[u8]> = values.iter().map(|v| v.as_bytes()).collect();
        self.apply_startup_bytes(name.as_bytes(), &values)
    }

    /// [`Config::apply_startup`] for words that may not be UTF-8.
    pub fn apply_startup_bytes(&mut self, name: &[u8], values: &[&[u8]]) -> Result<(), String> {
        let Some(entry) = lookup(name) else {
            return Err(BAD_DIRECTIVE.into());
        };
        let param = entry.param;
        if !param.has(MULTI_ARG) {
            if values.len() != 1 {
                return Err(WRONG_ARG_COUNT.into());
            }
        } else if values.len() == 1 && !values[0].is_empty() {
            // `--save "900 1 300 10"`: one word holding several. Unbalanced quotes give no words.
            let words = split_args(values[0]).unwrap_or_default();
            let words: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
            return param.set(self, &words, Source::Startup).map(drop);
        }
        param.set(self, values, Source::Startup).map(drop)
    }

    /// Start-up: the checks Valkey runs after reading a config file.
    pub fn finish_startup(&mut self) -> Result<(), String> {
        if self.cluster_enabled && self.replicaof.is_some() {
            return Err("replicaof directive not allowed in cluster mode".into());
        }
        if self.cluster_enabled && self.databases > 1 {
            self.databases = 1;
        }
        self.hz = self.hz.clamp(CONFIG_MIN_HZ, CONFIG_MAX_HZ);
        self.io_threads = self.io_threads.min(IO_THREADS_MAX);
        Ok(())
    }
}

/// `hz` is a hint: values outside 1..=500 are accepted and clamped.
const CONFIG_MIN_HZ: i64 = 1;
const CONFIG_MAX_HZ: i64 = 500;
/// Older versions allowed 128 I/O threads; a config file asking for more than 16 gets 16.
const IO_THREADS_MAX: i64 = 16;

// ---------------------------------------------------------------------------------------------
// Parsers with C semantics
// ---------------------------------------------------------------------------------------------

/// C strings end at the first NUL byte.
fn until_nul(s: &[u8]) -> &[u8] {
    s.iter().position(|&b| b == 0).map_or(s, |end| &s[..end])
}

/// A C string as Rust text (invalid UTF-8 replaced).
fn c_string(s: &[u8]) -> String {
    String::from_utf8_lossy(until_nul(s)).into_owned()
}

fn eq_nocase(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

/// `isspace()` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Valkey's strict `string2ll`: optional `-`, no leading zeros or `+`, no spaces, fits an i64.
fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(v)
    } else {
        i64::try_from(v).ok()
    }
}

/// C `strtoll(s, &end, radix)` followed by Valkey's `*end == '\0'` check: leading spaces and a
/// sign are allowed, an empty string is 0. Returns the value (clamped on overflow, as strtoll
/// does) and whether it overflowed; `None` if characters are left over.
fn strtoll(s: &[u8], radix: u32) -> Option<(i64, bool)> {
    let s = until_nul(s);
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&b| (b as char).to_digit(radix)) {
        match magnitude.checked_mul(u64::from(radix)).and_then(|m| m.checked_add(u64::from(d))) {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        // No digits: strtoll leaves `end` at the very start of the string.
        return s.is_empty().then_some((0, false));
    }
    if i != s.len() {
        return None;
    }
    let value = if negative {
        if overflow || magnitude > i64::MIN.unsigned_abs() {
            overflow = true;
            i64::MIN
        } else {
            0i64.wrapping_sub_unsigned(magnitude)
        }
    } else if overflow || magnitude > i64::MAX as u64 {
        overflow = true;
        i64::MAX
    } else {
        magnitude as i64
    };
    Some((value, overflow))
}

/// Valkey's `memtoull`: digits with an optional unit (`b`, `k`=1000, `kb`=1024, `m`, `mb`, `g`,
/// `gb`, any case). No sign; no digits means 0; overflow wraps like the C code.
fn memtoull(s: &[u8]) -> Option<u64> {
    let s = until_nul(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits_end = s.iter().position(|b| !b.is_ascii_digit()).unwrap_or(s.len());
    let unit = s[digits_end..].to_ascii_lowercase();
    let multiplier: u64 = match unit.as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits_end >= 128 {
        return None;
    }
    let value = s[..digits_end].iter().fold(0u64, |v, &d| v.saturating_mul(10).saturating_add(u64::from(d - b'0')));
    Some(value.wrapping_mul(multiplier))
}

/// Valkey's `string2d`: the whole string is a finite-or-infinite double, no leading space, not NaN.
fn string2d(s: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(until_nul(s)).ok()?;
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| !v.is_nan())
}

/// CONFIG SET's split of a multi-word value: on every single space, so `""` gives no words and
/// two spaces give an empty word (Valkey's `sdssplitlen`).
fn split_on_spaces(v: &[u8]) -> Vec<&[u8]> {
    if v.is_empty() {
        return Vec::new();
    }
    v.split(|&b| b == b' ').collect()
}

/// Splits a config-file line into words the way Valkey's `sdssplitargs` does: blanks separate
/// words; `"..."` understands `\n \r \t \b \a \xHH` and `\<any>`; `'...'` understands `\'`; a
/// closing quote must be followed by a blank or the end. `None` for unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = until_nul(line);
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let hex = |b: u8| (b as char).to_digit(16);
    let mut words = Vec::new();
    let mut p = 0;
    loop {
        while at(p) != 0 && is_c_space(at(p)) {
            p += 1;
        }
        if at(p) == 0 {
            return Some(words);
        }
        let (mut in_double, mut in_single, mut done) = (false, false, false);
        let mut word = Vec::new();
        while !done {
            let c = at(p);
            if in_double {
                if c == b'\\' && at(p + 1) == b'x' && hex(at(p + 2)).is_some() && hex(at(p + 3)).is_some() {
                    let byte = hex(at(p + 2)).unwrap_or(0) * 16 + hex(at(p + 3)).unwrap_or(0);
                    word.push(byte as u8);
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    word.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    word.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    word.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    word.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    _ => word.push(c),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        words.push(word);
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    /// `CONFIG GET *` names of Valkey 8.0.1 (every non-hidden parameter and every alias).
    const VALKEY_8_0_1_NAMES: &[&str] = &[
        "acl-pubsub-default",
        "aclfile",
        "acllog-max-len",
        "active-defrag-cycle-max",
        "active-defrag-cycle-min",
        "active-defrag-ignore-bytes",
        "active-defrag-max-scan-fields",
        "active-defrag-threshold-lower",
        "active-defrag-threshold-upper",
        "active-expire-effort",
        "activedefrag",
        "activerehashing",
        "always-show-logo",
        "aof-load-truncated",
        "aof-rewrite-cpulist",
        "aof-rewrite-incremental-fsync",
        "aof-timestamp-enabled",
        "aof-use-rdb-preamble",
        "aof_rewrite_cpulist",
        "appenddirname",
        "appendfilename",
        "appendfsync",
        "appendonly",
        "auto-aof-rewrite-min-size",
        "auto-aof-rewrite-percentage",
        "availability-zone",
        "bgsave-cpulist",
        "bgsave_cpulist",
        "bind",
        "bind-source-addr",
        "bio-cpulist",
        "bio_cpulist",
        "busy-reply-threshold",
        "client-output-buffer-limit",
        "client-query-buffer-limit",
        "cluster-allow-pubsubshard-when-down",
        "cluster-allow-reads-when-down",
        "cluster-allow-replica-migration",
        "cluster-announce-bus-port",
        "cluster-announce-client-ipv4",
        "cluster-announce-client-ipv6",
        "cluster-announce-hostname",
        "cluster-announce-human-nodename",
        "cluster-announce-ip",
        "cluster-announce-port",
        "cluster-announce-tls-port",
        "cluster-blacklist-ttl",
        "cluster-config-file",
        "cluster-enabled",
        "cluster-link-sendbuf-limit",
        "cluster-migration-barrier",
        "cluster-node-timeout",
        "cluster-port",
        "cluster-preferred-endpoint-type",
        "cluster-replica-no-failover",
        "cluster-replica-validity-factor",
        "cluster-require-full-coverage",
        "cluster-slave-no-failover",
        "cluster-slave-validity-factor",
        "cluster-slot-stats-enabled",
        "crash-log-enabled",
        "crash-memcheck-enabled",
        "daemonize",
        "databases",
        "dbfilename",
        "dir",
        "disable-thp",
        "dual-channel-replication-enabled",
        "dynamic-hz",
        "enable-debug-command",
        "enable-module-command",
        "enable-protected-configs",
        "events-per-io-thread",
        "extended-redis-compatibility",
        "hash-max-listpack-entries",
        "hash-max-listpack-value",
        "hash-max-ziplist-entries",
        "hash-max-ziplist-value",
        "hide-user-data-from-log",
        "hll-sparse-max-bytes",
        "hz",
        "ignore-warnings",
        "io-threads",
        "io-threads-do-reads",
        "jemalloc-bg-thread",
        "latency-monitor-threshold",
        "latency-tracking",
        "latency-tracking-info-percentiles",
        "lazyfree-lazy-eviction",
        "lazyfree-lazy-expire",
        "lazyfree-lazy-server-del",
        "lazyfree-lazy-user-del",
        "lazyfree-lazy-user-flush",
        "lfu-decay-time",
        "lfu-log-factor",
        "list-compress-depth",
        "list-max-listpack-size",
        "list-max-ziplist-size",
        "locale-collate",
        "logfile",
        "loglevel",
        "lua-time-limit",
        "masterauth",
        "masteruser",
        "max-new-connections-per-cycle",
        "max-new-tls-connections-per-cycle",
        "maxclients",
        "maxmemory",
        "maxmemory-clients",
        "maxmemory-eviction-tenacity",
        "maxmemory-policy",
        "maxmemory-samples",
        "min-replicas-max-lag",
        "min-replicas-to-write",
        "min-slaves-max-lag",
        "min-slaves-to-write",
        "no-appendfsync-on-rewrite",
        "notify-keyspace-events",
        "oom-score-adj",
        "oom-score-adj-values",
        "pidfile",
        "port",
        "prefetch-batch-max-size",
        "primaryauth",
        "primaryuser",
        "proc-title-template",
        "propagation-error-behavior",
        "protected-mode",
        "proto-max-bulk-len",
        "rdb-del-sync-files",
        "rdb-save-incremental-fsync",
        "rdbchecksum",
        "rdbcompression",
        "repl-backlog-size",
        "repl-backlog-ttl",
        "repl-disable-tcp-nodelay",
        "repl-diskless-load",
        "repl-diskless-sync",
        "repl-diskless-sync-delay",
        "repl-diskless-sync-max-replicas",
        "repl-ping-replica-period",
        "repl-ping-slave-period",
        "repl-timeout",
        "replica-announce-ip",
        "replica-announce-port",
        "replica-announced",
        "replica-ignore-disk-write-errors",
        "replica-ignore-maxmemory",
        "replica-lazy-flush",
        "replica-priority",
        "replica-read-only",
        "replica-serve-stale-data",
        "replicaof",
        "requirepass",
        "sanitize-dump-payload",
        "save",
        "server-cpulist",
        "server_cpulist",
        "set-max-intset-entries",
        "set-max-listpack-entries",
        "set-max-listpack-value",
        "set-proc-title",
        "shutdown-on-sigint",
        "shutdown-on-sigterm",
        "shutdown-timeout",
        "slave-announce-ip",
        "slave-announce-port",
        "slave-ignore-maxmemory",
        "slave-lazy-flush",
        "slave-priority",
        "slave-read-only",
        "slave-serve-stale-data",
        "slaveof",
        "slowlog-log-slower-than",
        "slowlog-max-len",
        "socket-mark-id",
        "stop-writes-on-bgsave-error",
        "stream-node-max-bytes",
        "stream-node-max-entries",
        "supervised",
        "syslog-enabled",
        "syslog-facility",
        "syslog-ident",
        "tcp-backlog",
        "tcp-keepalive",
        "timeout",
        "tls-auth-clients",
        "tls-ca-cert-dir",
        "tls-ca-cert-file",
        "tls-cert-file",
        "tls-ciphers",
        "tls-ciphersuites",
        "tls-client-cert-file",
        "tls-client-key-file",
        "tls-client-key-file-pass",
        "tls-cluster",
        "tls-dh-params-file",
        "tls-key-file",
        "tls-key-file-pass",
        "tls-port",
        "tls-prefer-server-ciphers",
        "tls-protocols",
        "tls-replication",
        "tls-session-cache-size",
        "tls-session-cache-timeout",
        "tls-session-caching",
        "tracking-table-max-keys",
        "unixsocket",
        "unixsocketgroup",
        "unixsocketperm",
        "zset-max-listpack-entries",
        "zset-max-listpack-value",
        "zset-max-ziplist-entries",
        "zset-max-ziplist-value",
    ];

    fn get1(c: &Config, name: &str) -> String {
        let found = c.get(&[name.as_bytes()]);
        assert_eq!(found.len(), 1, "CONFIG GET {name}");
        String::from_utf8(found[0].1.clone()).unwrap()
    }

    fn set1(c: &mut Config, name: &str, value: &str) -> Result<Vec<&'static str>, String> {
        c.set(&[(name.as_bytes(), value.as_bytes())])
    }

    fn startup(c: &mut Config, name: &str, values: &[&str]) -> Result<(), String> {
        let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        c.apply_startup(name, &values)
    }

    fn failed(name: &str, reason: &str) -> String {
        format!("ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")
    }

    #[test]
    fn get_star_lists_the_same_names_as_valkey() {
        let mut names: Vec<String> = Config::default().get(&[b"*"]).into_iter().map(|(n, _)| n).collect();
        names.sort();
        let mut expected: Vec<&str> = VALKEY_8_0_1_NAMES.to_vec();
        expected.sort();
        assert_eq!(names, expected);
    }

    #[test]
    fn table_names_and_aliases_are_unique_lowercase() {
        let mut all: Vec<&str> = PARAMS.iter().flat_map(|p| std::iter::once(p.name).chain(p.alias)).collect();
        assert!(all.iter().all(|n| n.bytes().all(|b| !b.is_ascii_uppercase())));
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count);
    }

    #[test]
    fn get_hidden_param_needs_its_exact_name() {
        let c = Config::default();
        assert!(!c.get(&[b"*"]).iter().any(|(n, _)| n == "key-load-delay"));
        assert_eq!(c.get(&[b"key-load-delay"]), vec![("key-load-delay".to_string(), b"0".to_vec())]);
    }

    #[test]
    fn get_exact_name_answers_with_the_spelling_asked() {
        let c = Config::default();
        assert_eq!(c.get(&[b"HZ", b"hz"]), vec![("HZ".to_string(), b"10".to_vec())]);
        assert_eq!(c.get(&[b"nosuchthing"]), vec![]);
    }

    #[test]
    fn get_alias_answers_under_the_alias() {
        let c = Config::default();
        assert_eq!(
            c.get(&[b"hash-max-ziplist-entries"]),
            vec![("hash-max-ziplist-entries".to_string(), b"512".to_vec())]
        );
        assert_eq!(get1(&c, "lua-time-limit"), "5000");
        assert_eq!(get1(&c, "slaveof"), "");
    }

    #[test]
    fn get_several_patterns_list_each_name_once() {
        let c = Config::default();
        let res = c.get(&[b"maxmemory", b"maxmemory*", b"bind", b"*of"]);
        let names: Vec<&str> = res.iter().map(|(n, _)| n.as_str()).collect();
        for want in ["maxmemory", "maxmemory-samples", "maxmemory-clients", "bind", "slaveof", "replicaof"] {
            assert_eq!(names.iter().filter(|n| **n == want).count(), 1, "{want} in {names:?}");
        }
    }

    #[test]
    fn default_values_match_valkey() {
        let c = Config::default();
        for (name, want) in [
            ("save", "3600 1 300 100 60 10000"),
            ("bind", "* -::*"),
            ("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("latency-tracking-info-percentiles", "50 99 99.9"),
            ("oom-score-adj-values", "0 200 800"),
            ("notify-keyspace-events", ""),
            ("unixsocketperm", "0"),
            ("unixsocket", ""),
            ("shutdown-on-sigint", "default"),
            ("list-max-listpack-size", "-2"),
            ("maxmemory-clients", "0"),
            ("proto-max-bulk-len", "536870912"),
            ("client-query-buffer-limit", "1073741824"),
            ("repl-backlog-size", "10485760"),
            ("auto-aof-rewrite-min-size", "67108864"),
            ("active-defrag-ignore-bytes", "104857600"),
            ("maxmemory-policy", "noeviction"),
            ("appendfsync", "everysec"),
            ("loglevel", "notice"),
            ("syslog-facility", "local0"),
            ("syslog-ident", "valkey"),
            ("acl-pubsub-default", "resetchannels"),
            ("tls-auth-clients", "yes"),
            ("proc-title-template", "{title} {listen-addr} {server-mode}"),
            ("replicaof", ""),
            ("requirepass", ""),
            ("dbfilename", "dump.rdb"),
            ("appendonly", "no"),
            ("protected-mode", "yes"),
            ("databases", "16"),
            ("port", "6379"),
            ("timeout", "0"),
            ("tcp-keepalive", "300"),
            ("maxclients", "10000"),
            ("slowlog-log-slower-than", "10000"),
            ("cluster-blacklist-ttl", "60"),
            ("maxmemory", "0"),
        ] {
            assert_eq!(get1(&c, name), want, "{name}");
        }
        assert_eq!(c.hash_max_listpack_entries, 512);
        assert_eq!(c.save_points, vec![(3600, 1), (300, 100), (60, 10000)]);
        assert_eq!(c.requirepass, None);
    }

    #[test]
    fn set_memory_value_accepts_units() {
        let mut c = Config::default();
        for (given, bytes) in [
            ("1gb", 1u64 << 30),
            ("100mb", 100 << 20),
            ("1k", 1000),
            ("2KB", 2048),
            ("5", 5),
            ("", 0),
            ("1g", 1_000_000_000),
        ] {
            set1(&mut c, "maxmemory", given).unwrap();
            assert_eq!(c.maxmemory, bytes, "{given}");
            assert_eq!(get1(&c, "maxmemory"), bytes.to_string());
        }
    }

    #[test]
    fn set_memory_value_refuses_garbage() {
        let mut c = Config::default();
        for bad in ["-1", " 5", "1tb", "abc", "1.5gb"] {
            assert_eq!(
                set1(&mut c, "maxmemory", bad),
                Err(failed("maxmemory", "argument must be a memory value")),
                "{bad}"
            );
        }
        assert_eq!(set1(&mut c, "MAXMEMORY", "x"), Err(failed("maxmemory", "argument must be a memory value")));
    }

    #[test]
    fn set_unknown_name_is_refused_with_its_spelling() {
        let mut c = Config::default();
        assert_eq!(
            set1(&mut c, "foo", "bar"),
            Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'".into())
        );
    }

    #[test]
    fn set_first_problem_decides_the_error() {
        let mut c = Config::default();
        let r = c.set(&[(b"daemonize", b"yes"), (b"foo", b"bar")]);
        assert_eq!(r, Err(failed("daemonize", "can't set immutable config")));
        let r = c.set(&[(b"foo", b"bar"), (b"daemonize", b"yes")]);
        assert_eq!(r, Err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'".into()));
    }

    #[test]
    fn set_protected_param_needs_enable_protected_configs() {
        let mut c = Config::default();
        assert_eq!(set1(&mut c, "dir", "/tmp"), Err(failed("dir", "can't set protected config")));
        assert_eq!(set1(&mut c, "dbfilename", "x.rdb"), Err(failed("dbfilename", "can't set protected config")));
        c.enable_protected_configs = ProtectedAction::Local;
        let local = SetContext { client_is_local: true, loading: false };
        assert!(c.set_with(&[(b"dbfilename", b"x.rdb")], SetContext::default(), &mut NoEffects).is_err());
        assert_eq!(c.set_with(&[(b"dbfilename", b"x.rdb")], local, &mut NoEffects), Ok(vec!["dbfilename"]));
        c.enable_protected_configs = ProtectedAction::Yes;
        assert_eq!(
            set1(&mut c, "dbfilename", "a/b"),
            Err(failed("dbfilename", "dbfilename can't be a path, just a filename"))
        );
        assert_eq!(set1(&mut c, "dbfilename", ""), Err(failed("dbfilename", "dbfilename can't be empty")));
    }

    #[test]
    fn set_same_name_twice_is_a_duplicate() {
        let mut c = Config::default();
        let r = c.set(&[(b"maxmemory", b"1"), (b"MAXMEMORY", b"2")]);
        assert_eq!(r, Err(failed("MAXMEMORY", "duplicate parameter")));
        assert_eq!(c.maxmemory, 0);
    }

    #[test]
    fn set_name_and_alias_together_last_wins() {
        let mut c = Config::default();
        let r = c.set(&[(b"hash-max-ziplist-entries", b"1"), (b"hash-max-listpack-entries", b"2")]);
        assert_eq!(r, Ok(vec!["hash-max-listpack-entries"]));
        assert_eq!(c.hash_max_listpack_entries, 2);
    }

    #[test]
    fn set_failure_rolls_back_every_value() {
        let mut c = Config::default();
        set1(&mut c, "maxmemory", "10000002").unwrap();
        let r = c.set(&[
            (b"maxmemory", b"10000001"),
            (b"maxmemory-clients", b"200%"),
            (b"client-query-buffer-limit", b"invalid"),
        ]);
        assert_eq!(r, Err(failed("maxmemory-clients", "percentage argument must be less or equal to 100")));
        assert_eq!(c.maxmemory, 10000002);
        assert_eq!(get1(&c, "maxmemory-clients"), "0");
    }

    #[test]
    fn set_failure_names_the_alias_used() {
        let mut c = Config::default();
        let r = set1(&mut c, "HASH-MAX-ZIPLIST-ENTRIES", "x");
        assert_eq!(r, Err(failed("hash-max-ziplist-entries", "argument couldn't be parsed into an integer")));
    }

    #[test]
    fn set_several_values_returns_changed_names() {
        let mut c = Config::default();
        let r = c.set(&[
            (b"maxmemory", b"10000001"),
            (b"repl-backlog-size", b"10000002"),
            (b"save", b"3000 5"),
            (b"hz", b"10"),
        ]);
        assert_eq!(r, Ok(vec!["maxmemory", "repl-backlog-size", "save"]));
        assert_eq!(get1(&c, "save"), "3000 5");
        assert_eq!(get1(&c, "repl-backlog-size"), "10000002");
    }

    #[test]
    fn set_hz_out_of_range_is_clamped() {
        let mut c = Config::default();
        set1(&mut c, "hz", "1000").unwrap();
        assert_eq!(get1(&c, "hz"), "500");
        set1(&mut c, "hz", "0").unwrap();
        assert_eq!(c.hz, 1);
    }

    #[test]
    fn set_integer_is_strict() {
        let mut c = Config::default();
        for bad in ["01", "+1", "abc", " 1", "1 ", "", "-0", "99999999999999999999"] {
            assert_eq!(
                set1(&mut c, "timeout", bad),
                Err(failed("timeout", "argument couldn't be parsed into an integer")),
                "{bad:?}"
            );
        }
        set1(&mut c, "timeout", "1800").unwrap();
        assert_eq!(c.timeout_secs, 1800);
        set1(&mut c, "list-max-listpack-size", "-5").unwrap();
        assert_eq!(c.list_max_listpack_size, -5);
    }

    #[test]
    fn set_integer_out_of_bounds_names_the_range() {
        let mut c = Config::default();
        assert_eq!(
            set1(&mut c, "maxmemory-samples", "0"),
            Err(failed("maxmemory-samples", "argument must be between 1 and 64 inclusive"))
        );
        assert_eq!(
            set1(&mut c, "maxclients", "-1"),
            Err(failed("maxclients", "argument must be between 1 and 4294967295 inclusive"))
        );
        assert_eq!(
            set1(&mut c, "slowlog-log-slower-than", "-2"),
            Err(failed("slowlog-log-slower-than", "argument must be between -1 and 9223372036854775807 inclusive"))
        );
        assert_eq!(
            set1(&mut c, "client-query-buffer-limit", "1000"),
            Err(failed(
                "client-query-buffer-limit",
                "argument must be between 1048576 and 9223372036854775807 inclusive"
            ))
        );
    }

    #[test]
    fn set_enum_unknown_value_lists_the_choices() {
        let mut c = Config::default();
        let want = failed("maxmemory-policy", "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
        assert_eq!(set1(&mut c, "maxmemory-policy", "foo"), Err(want));
        set1(&mut c, "maxmemory-policy", "ALLKEYS-LRU").unwrap();
        assert_eq!(c.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
        assert_eq!(get1(&c, "maxmemory-policy"), "allkeys-lru");
        assert_eq!(c.maxmemory_policy.as_str(), "allkeys-lru");
    }

    #[test]
    fn set_oom_score_adj_relative_reads_back_as_yes() {
        let mut c = Config::default();
        set1(&mut c, "oom-score-adj", "relative").unwrap();
        assert_eq!(c.oom_score_adj, OomScoreAdj::Relative);
        assert_eq!(get1(&c, "oom-score-adj"), "yes");
    }

    #[test]
    fn set_bool_needs_yes_or_no() {
        let mut c = Config::default();
        assert_eq!(set1(&mut c, "appendonly", "true"), Err(failed("appendonly", "argument must be 'yes' or 'no'")));
        assert_eq!(set1(&mut c, "appendonly", "YES"), Ok(vec!["appendonly"]));
        assert_eq!(set1(&mut c, "appendonly", "yes"), Ok(vec![]));
        assert!(c.appendonly);
    }

    #[test]
    fn notify_keyspace_events_reads_back_canonical() {
        let mut c = Config::default();
        for (given, shown) in
            [("KEA", "AKE"), ("lsE", "lsE"), ("Em", "Em"), ("g$lshzxetd", "A"), ("n", "n"), ("Ktn", "tnK"), ("", "")]
        {
            set1(&mut c, "notify-keyspace-events", given).unwrap();
            assert_eq!(get1(&c, "notify-keyspace-events"), shown, "{given}");
        }
        assert_eq!(keyspace_events_from_str(b"KEA"), Some(NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT));
        assert_eq!(
            set1(&mut c, "notify-keyspace-events", "Kq"),
            Err(failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."))
        );
    }

    #[test]
    fn set_save_forms() {
        let mut c = Config::default();
        set1(&mut c, "save", "").unwrap();
        assert_eq!(c.save_points, vec![]);
        set1(&mut c, "save", "900 1 300 10").unwrap();
        assert_eq!(c.save_points, vec![(900, 1), (300, 10)]);
        for bad in ["100 5 ", "100  5", "0 1", "5 -1", "5", "a 1"] {
            assert_eq!(set1(&mut c, "save", bad), Err(failed("save", "Invalid save parameters")), "{bad:?}");
        }
        assert_eq!(get1(&c, "save"), "900 1 300 10");
    }

    #[test]
    fn set_client_output_buffer_limit_updates_named_classes() {
        let mut c = Config::default();
        set1(&mut c, "client-output-buffer-limit", "normal 1mb 2 3 replica 1 2 3").unwrap();
        assert_eq!(get1(&c, "client-output-buffer-limit"), "normal 1048576 2 3 slave 1 2 3 pubsub 33554432 8388608 60");
        set1(&mut c, "client-output-buffer-limit", "normal 1 2 ").unwrap();
        assert_eq!(c.client_output_buffer_limits[CLIENT_CLASS_NORMAL].soft_limit_seconds, 0);
        let cases = [
            ("master 1 2 3", "Invalid client class specified in buffer limit configuration."),
            ("normal 1 2", "Wrong number of arguments in buffer limit configuration."),
            ("normal 1 2 -1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
            ("normal x 2 1", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        ];
        for (bad, reason) in cases {
            assert_eq!(
                set1(&mut c, "client-output-buffer-limit", bad),
                Err(failed("client-output-buffer-limit", reason)),
                "{bad}"
            );
        }
    }

    #[test]
    fn set_maxmemory_clients_takes_percentages() {
        let mut c = Config::default();
        set1(&mut c, "maxmemory-clients", "10%").unwrap();
        assert_eq!(c.maxmemory_clients, -10);
        assert_eq!(get1(&c, "maxmemory-clients"), "10%");
        set1(&mut c, "maxmemory-clients", "1mb").unwrap();
        assert_eq!(get1(&c, "maxmemory-clients"), "1048576");
        assert_eq!(
            set1(&mut c, "maxmemory-clients", "x%"),
            Err(failed("maxmemory-clients", "argument must be a memory or percent value"))
        );
    }

    #[test]
    fn set_shutdown_on_sigint_takes_several_words() {
        let mut c = Config::default();
        set1(&mut c, "shutdown-on-sigint", "nosave force now").unwrap();
        assert_eq!(get1(&c, "shutdown-on-sigint"), "nosave now force");
        assert_eq!(c.shutdown_on_sigint, SHUTDOWN_NOSAVE | SHUTDOWN_NOW | SHUTDOWN_FORCE);
        assert_eq!(
            set1(&mut c, "shutdown-on-sigint", "save nosave"),
            Err(failed("shutdown-on-sigint", "shutdown options SAVE and NOSAVE can't be used simultaneously"))
        );
        assert_eq!(
            set1(&mut c, "shutdown-on-sigint", ""),
            Err(failed(
                "shutdown-on-sigint",
                "argument(s) must be one of the following: default, save, nosave, now, force"
            ))
        );
    }

    #[test]
    fn set_latency_percentiles_prints_like_printf() {
        let mut c = Config::default();
        set1(&mut c, "latency-tracking-info-percentiles", "50 99.99 100 0.5").unwrap();
        assert_eq!(get1(&c, "latency-tracking-info-percentiles"), "50 99.99 100 0.5");
        set1(&mut c, "latency-tracking-info-percentiles", "").unwrap();
        assert_eq!(get1(&c, "latency-tracking-info-percentiles"), "");
        let name = "latency-tracking-info-percentiles";
        assert_eq!(
            set1(&mut c, name, "101"),
            Err(failed(name, "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"))
        );
        assert_eq!(
            set1(&mut c, name, "abc"),
            Err(failed(name, "Invalid latency-tracking-info-percentiles parameters"))
        );
    }

    #[test]
    fn set_bind_and_requirepass() {
        let mut c = Config::default();
        set1(&mut c, "bind", "127.0.0.1 ::1").unwrap();
        assert_eq!(c.bind, vec!["127.0.0.1", "::1"]);
        set1(&mut c, "bind", "").unwrap();
        assert!(c.bind.is_empty());
        let many = vec!["1.1.1.1"; 17].join(" ");
        assert_eq!(set1(&mut c, "bind", &many), Err(failed("bind", "Too many bind addresses specified.")));
        set1(&mut c, "requirepass", "s3cret").unwrap();
        assert_eq!(c.requirepass.as_deref(), Some(&b"s3cret"[..]));
        set1(&mut c, "requirepass", "").unwrap();
        assert_eq!(c.requirepass, None);
        assert!(find_param(b"requirepass").unwrap().is_sensitive());
    }

    #[test]
    fn set_every_mutable_param_to_its_own_value_keeps_it() {
        let mut c = Config::default();
        c.enable_protected_configs = ProtectedAction::Yes;
        c.dir = "/tmp".into();
        let before = c.get(&[b"*"]);
        for (name, value) in &before {
            let param = find_param(name.as_bytes()).unwrap();
            if param.is_immutable() {
                continue;
            }
            c.set(&[(name.as_bytes(), value.as_slice())]).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(c.get(&[b"*"]), before);
    }

    #[test]
    fn startup_save_first_line_replaces_later_lines_add() {
        let mut c = Config::default();
        startup(&mut c, "save", &["900", "1"]).unwrap();
        startup(&mut c, "save", &["100", "100"]).unwrap();
        assert_eq!(get1(&c, "save"), "900 1 100 100");
        startup(&mut c, "save", &[""]).unwrap();
        assert_eq!(get1(&c, "save"), "");
        startup(&mut c, "save", &["30 1"]).unwrap();
        assert_eq!(c.save_points, vec![(30, 1)]);
    }

    #[test]
    fn startup_multi_word_param_splits_a_single_word() {
        let mut c = Config::default();
        startup(&mut c, "save", &["900 1 300 10"]).unwrap();
        assert_eq!(c.save_points, vec![(900, 1), (300, 10)]);
        startup(&mut c, "shutdown-on-sigterm", &["nosave force"]).unwrap();
        assert_eq!(get1(&c, "shutdown-on-sigterm"), "nosave force");
        startup(&mut c, "replicaof", &["127.0.0.1 6380"]).unwrap();
        assert_eq!(c.replicaof, Some(("127.0.0.1".to_string(), 6380)));
        startup(&mut c, "slaveof", &["no", "one"]).unwrap();
        assert_eq!(c.replicaof, None);
        assert_eq!(startup(&mut c, "replicaof", &["127.0.0.1", "abc"]), Err("Invalid primary port".into()));
        assert_eq!(startup(&mut c, "replicaof", &["127.0.0.1"]), Err("wrong number of arguments".into()));
    }

    #[test]
    fn startup_single_word_param_needs_exactly_one() {
        let mut c = Config::default();
        assert_eq!(startup(&mut c, "port", &["6379", "6380"]), Err("wrong number of arguments".into()));
        assert_eq!(startup(&mut c, "port", &[]), Err("wrong number of arguments".into()));
        assert_eq!(startup(&mut c, "nosuch", &["1"]), Err(BAD_DIRECTIVE.into()));
        assert_eq!(startup(&mut c, "port", &["--bla"]), Err("argument couldn't be parsed into an integer".into()));
    }

    #[test]
    fn startup_sets_immutable_params() {
        let mut c = Config::default();
        startup(&mut c, "daemonize", &["yes"]).unwrap();
        startup(&mut c, "Databases", &["32"]).unwrap();
        startup(&mut c, "unixsocketperm", &["700"]).unwrap();
        assert!(c.daemonize);
        assert_eq!(c.databases, 32);
        assert_eq!(c.unixsocketperm, 0o700);
        assert_eq!(get1(&c, "unixsocketperm"), "700");
        assert_eq!(
            startup(&mut c, "unixsocketperm", &["1777"]),
            Err("argument must be between 0 and 777 inclusive".into())
        );
        assert_eq!(
            startup(&mut c, "unixsocketperm", &["9"]),
            Err("argument couldn't be parsed as an octal number".into())
        );
    }

    #[test]
    fn finish_startup_clamps_and_checks() {
        let mut c = Config::default();
        startup(&mut c, "hz", &["1000"]).unwrap();
        startup(&mut c, "io-threads", &["64"]).unwrap();
        c.finish_startup().unwrap();
        assert_eq!((c.hz, c.io_threads), (500, 16));
        startup(&mut c, "cluster-enabled", &["yes"]).unwrap();
        c.finish_startup().unwrap();
        assert_eq!(c.databases, 1);
        startup(&mut c, "replicaof", &["h", "1"]).unwrap();
        assert_eq!(c.finish_startup(), Err("replicaof directive not allowed in cluster mode".into()));
    }

    struct RecordingHost {
        dirs: Vec<String>,
        applied: Vec<&'static str>,
        refuse: Option<&'static str>,
    }

    impl ConfigHost for RecordingHost {
        fn change_dir(&mut self, dir: &str) -> Result<String, String> {
            if dir == "/nope" {
                return Err("No such file or directory".into());
            }
            self.dirs.push(dir.to_owned());
            Ok(format!("/abs{dir}"))
        }
        fn apply(&mut self, param: &'static str, _: &Config) -> Result<(), String> {
            self.applied.push(param);
            match self.refuse {
                Some(p) if p == param => Err("Unable to listen on this port. Check server logs.".into()),
                _ => Ok(()),
            }
        }
    }

    #[test]
    fn set_with_host_changes_dir_and_rolls_back_on_apply_error() {
        let mut c = Config::default();
        c.enable_protected_configs = ProtectedAction::Yes;
        c.dir = "/start".into();
        let mut host = RecordingHost { dirs: vec![], applied: vec![], refuse: None };
        let r = c.set_with(&[(b"dir", b"/d")], SetContext::default(), &mut host);
        assert_eq!(r, Ok(vec!["dir"]));
        assert_eq!(c.dir, "/abs/d");
        let r = c.set_with(&[(b"dir", b"/nope")], SetContext::default(), &mut host);
        assert_eq!(r, Err(ConfigSetError::Failed { name: "dir".into(), reason: "No such file or directory".into() }));
        assert_eq!(c.dir, "/abs/d");

        let mut host = RecordingHost { dirs: vec![], applied: vec![], refuse: Some("port") };
        let r =
            c.set_with(&[(b"maxmemory", b"10"), (b"port", b"7000"), (b"dir", b"/e")], SetContext::default(), &mut host);
        assert_eq!(
            r.map_err(|e| e.to_string()),
            Err(failed("port", "Unable to listen on this port. Check server logs."))
        );
        assert_eq!((c.maxmemory, c.port, c.dir.as_str()), (0, 6379, "/abs/d"));
        assert_eq!(host.dirs, vec!["/e", "/abs/d"]);
        assert_eq!(host.applied, vec!["maxmemory", "port", "maxmemory", "port", "dir"]);
    }

    #[test]
    fn set_with_loading_refuses_deny_loading_params() {
        let mut c = Config::default();
        let loading = SetContext { client_is_local: false, loading: true };
        let r = c.set_with(&[(b"appendonly", b"yes")], loading, &mut NoEffects);
        assert_eq!(r.map_err(|e| e.to_string()), Err("LOADING Valkey is loading the dataset in memory".into()));
        assert!(c.set_with(&[(b"maxmemory", b"1")], loading, &mut NoEffects).is_ok());
    }

    #[test]
    fn split_args_follows_config_file_quoting() {
        let words = |s: &str| {
            split_args(s.as_bytes())
                .map(|w| w.into_iter().map(|w| String::from_utf8_lossy(&w).into_owned()).collect::<Vec<_>>())
        };
        assert_eq!(words("  save 900   1 "), Some(vec!["save".into(), "900".into(), "1".into()]));
        assert_eq!(
            words(r#"foo "bar baz" 'q\'x' "\x41\n" """#),
            Some(vec!["foo".into(), "bar baz".into(), "q'x".into(), "A\n".into(), "".into()])
        );
        assert_eq!(words(r#"a"b c"d"#), None);
        assert_eq!(words(r#"foo "bar"#), None);
        assert_eq!(words("foo 'bar"), None);
        assert_eq!(words(r#"ab"c d" e"#), Some(vec!["abc d".into(), "e".into()]));
        assert_eq!(words(""), Some(vec![]));
    }

    #[test]
    fn number_parsers_follow_c_semantics() {
        assert_eq!(memtoull(b"kb"), Some(0));
        assert_eq!(memtoull(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(memtoull(b"1gB"), Some(1 << 30));
        assert_eq!(memtoull(b"+1"), None);
        assert_eq!(strtoll(b"", 10), Some((0, false)));
        assert_eq!(strtoll(b" -12", 10), Some((-12, false)));
        assert_eq!(strtoll(b"12 ", 10), None);
        assert_eq!(strtoll(b"99999999999999999999", 10), Some((i64::MAX, true)));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll(b"9223372036854775808"), None);
    }
}
