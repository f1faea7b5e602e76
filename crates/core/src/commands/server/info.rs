//! INFO: the server's state as `# Section` blocks of `field:value` lines, with Valkey 8.0.1's section
//! names, field names and order (dashboards, exporters and the test suite parse them by name).
//!
//! Identity: `redis_version:7.2.4` and `valkey_version:8.0.1` are what Valkey 8.0.1 reports and what
//! clients test for features; ferrokey says who it is in `server_name` and `ferrokey_version`.

use std::fmt::Write as _;

use crate::args::Args;
use crate::command::CommandTable;
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::CmdResult;
use crate::reply::Reply;
use crate::stats::CommandName;

use super::memory::{bytes_to_human, fragmentation, overhead};
use super::state::{replid, run_id, with_state};

/// The Redis version Valkey 8 reports for client compatibility.
pub const REDIS_COMPAT_VERSION: &str = "7.2.4";
/// The Valkey version whose behaviour ferrokey reproduces.
pub const VALKEY_COMPAT_VERSION: &str = "8.0.1";
pub const SERVER_NAME: &str = "ferrokey";
pub const FERROKEY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What INFO without arguments (or with `default`) shows.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Which sections a request asks for.
struct Wanted {
    sections: Vec<String>,
    all: bool,
    everything: bool,
}

impl Wanted {
    fn parse(args: &[Vec<u8>]) -> Wanted {
        let mut w = Wanted { sections: Vec::new(), all: false, everything: false };
        if args.is_empty() {
            w.sections = DEFAULT_SECTIONS.iter().map(|s| s.to_string()).collect();
            return w;
        }
        for a in args {
            let name = String::from_utf8_lossy(a).to_ascii_lowercase();
            match name.as_str() {
                "default" => w.sections.extend(DEFAULT_SECTIONS.iter().map(|s| s.to_string())),
                "all" => w.all = true,
                "everything" => {
                    w.all = true;
                    w.everything = true;
                }
                _ => w.sections.push(name),
            }
        }
        w
    }

    fn has(&self, section: &str) -> bool {
        self.all || self.sections.iter().any(|s| s == section)
    }

    fn explicitly(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

/// INFO [section ...]
pub(super) fn info(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let wanted = Wanted::parse(args.rest());
    let now_ms = ctx.now_ms;
    let text = info_string(ctx.eng, &wanted, now_ms);
    Ok(Reply::Verbatim("txt", text.into_bytes()))
}

/// The INFO text for `sections` (as INFO's arguments would name them).
pub fn info_text(eng: &mut Engine, sections: &[&str], now_ms: i64) -> String {
    let args: Vec<Vec<u8>> = sections.iter().map(|s| s.as_bytes().to_vec()).collect();
    info_string(eng, &Wanted::parse(&args), now_ms)
}

fn info_string(eng: &mut Engine, w: &Wanted, now_ms: i64) -> String {
    let mut out = String::new();
    let section = |out: &mut String, title: &str| {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        let _ = write!(out, "# {title}\r\n");
    };
    if w.has("server") {
        section(&mut out, "Server");
        server_section(eng, now_ms, &mut out);
    }
    if w.has("clients") {
        section(&mut out, "Clients");
        clients_section(eng, &mut out);
    }
    if w.has("memory") {
        section(&mut out, "Memory");
        memory_section(eng, &mut out);
    }
    if w.has("persistence") {
        section(&mut out, "Persistence");
        persistence_section(eng, &mut out);
    }
    if w.has("stats") {
        section(&mut out, "Stats");
        stats_section(eng, &mut out);
    }
    if w.has("replication") {
        section(&mut out, "Replication");
        replication_section(eng, &mut out);
    }
    if w.has("cpu") {
        section(&mut out, "CPU");
        let cpu = with_state(eng, |s| s.host.cpu());
        for (name, v) in [
            ("used_cpu_sys", cpu.sys),
            ("used_cpu_user", cpu.user),
            ("used_cpu_sys_children", cpu.sys_children),
            ("used_cpu_user_children", cpu.user_children),
            ("used_cpu_sys_main_thread", cpu.sys_main_thread),
            ("used_cpu_user_main_thread", cpu.user_main_thread),
        ] {
            let _ = write!(out, "{name}:{v:.6}\r\n");
        }
    }
    if w.has("module_list") || w.has("modules") {
        section(&mut out, "Modules");
    }
    if w.has("commandstats") {
        section(&mut out, "Commandstats");
        commandstats_section(eng, &mut out);
    }
    if w.has("errorstats") {
        section(&mut out, "Errorstats");
        let mut errors: Vec<(&String, &u64)> = eng.stats.errors.iter().collect();
        errors.sort();
        for (code, n) in errors {
            let _ = write!(out, "errorstat_{}:count={n}\r\n", safe_info_string(code));
        }
    }
    if w.has("latencystats") {
        section(&mut out, "Latencystats");
        if eng.config.latency_tracking {
            latencystats_section(eng, &mut out);
        }
    }
    if w.has("cluster") {
        section(&mut out, "Cluster");
        let _ = write!(out, "cluster_enabled:{}\r\n", u8::from(eng.config.cluster_enabled));
    }
    if w.has("keyspace") {
        section(&mut out, "Keyspace");
        for (i, db) in eng.dbs.iter().enumerate() {
            if !db.is_empty() || !db.expires.is_empty() {
                let _ =
                    write!(out, "db{i}:keys={},expires={},avg_ttl={}\r\n", db.len(), db.expires.len(), db.avg_ttl_ms);
            }
        }
    }
    if w.explicitly("debug") {
        section(&mut out, "Debug");
        let el = with_state(eng, |s| s.host.counters());
        let _ = write!(
            out,
            "eventloop_duration_aof_sum:0\r\neventloop_duration_cron_sum:{}\r\neventloop_duration_max:{}\r\neventloop_cmd_per_cycle_max:{}\r\n",
            el.duration_cron_sum_us, el.duration_max_us, el.cmd_per_cycle_max
        );
    }
    out
}

/// INFO never shows `#`, `:` or line breaks inside a name: they would break the format.
fn safe_info_string(s: &str) -> String {
    s.chars().map(|c| if matches!(c, '#' | ':' | '\n' | '\r') { '_' } else { c }).collect()
}

fn server_section(eng: &mut Engine, now_ms: i64, out: &mut String) {
    let info = with_state(eng, |s| s.info.clone());
    let run_id = run_id(eng);
    let c = &eng.config;
    let uptime_s = ((now_ms - eng.start_ms) / 1000).max(0);
    let mode_field = if c.extended_redis_compatibility { "redis_mode" } else { "server_mode" };
    let mode = if c.cluster_enabled { "cluster" } else { "standalone" };
    let supervised = match c.supervised.as_str() {
        "no" => "no",
        "upstart" => "upstart",
        "systemd" => "systemd",
        _ => "unknown",
    };
    let tcp_port = if info.tcp_port != 0 {
        i64::from(info.tcp_port)
    } else if c.port != 0 {
        c.port
    } else {
        c.tls_port
    };
    let _ = write!(
        out,
        "redis_version:{REDIS_COMPAT_VERSION}\r\n\
         server_name:{SERVER_NAME}\r\n\
         valkey_version:{VALKEY_COMPAT_VERSION}\r\n\
         ferrokey_version:{FERROKEY_VERSION}\r\n\
         redis_git_sha1:00000000\r\n\
         redis_git_dirty:0\r\n\
         redis_build_id:0\r\n\
         {mode_field}:{mode}\r\n\
         os:{}\r\n\
         arch_bits:{}\r\n\
         monotonic_clock:{}\r\n\
         multiplexing_api:{}\r\n\
         gcc_version:0.0.0\r\n\
         process_id:{}\r\n\
         process_supervised:{supervised}\r\n\
         run_id:{run_id}\r\n\
         tcp_port:{tcp_port}\r\n\
         server_time_usec:{}\r\n\
         uptime_in_seconds:{uptime_s}\r\n\
         uptime_in_days:{}\r\n\
         hz:{}\r\n\
         configured_hz:{}\r\n\
         lru_clock:{}\r\n\
         executable:{}\r\n\
         config_file:{}\r\n\
         io_threads_active:0\r\n\
         availability_zone:{}\r\n",
        info.os,
        info.arch_bits,
        info.monotonic_clock,
        info.multiplexing_api,
        info.process_id,
        now_ms * 1000,
        uptime_s / 86400,
        c.hz,
        c.hz,
        eng.lru_clock(),
        info.executable,
        info.config_file.as_deref().unwrap_or(""),
        String::from_utf8_lossy(&c.availability_zone),
    );
    if info.listeners.is_empty() {
        if c.port != 0 {
            let _ = write!(out, "listener0:name=tcp");
            for b in &c.bind {
                let _ = write!(out, ",bind={b}");
            }
            let _ = write!(out, ",port={}\r\n", c.port);
        }
    } else {
        // Whole lines: the host numbers them by connection type (tcp 0, unix 1, tls 2), as Valkey.
        for l in &info.listeners {
            let _ = write!(out, "{l}\r\n");
        }
    }
}

fn clients_section(eng: &Engine, out: &mut String) {
    let clients = eng.clients.values();
    let (mut pubsub, mut watching, mut max_in, mut max_out) = (0, 0, 0, 0);
    for c in clients {
        pubsub += usize::from(c.subscription_count() > 0);
        watching += usize::from(!c.watched.is_empty());
        max_in = max_in.max(c.query_buf_len);
        max_out = max_out.max(c.output_len());
    }
    let in_timeout_table =
        eng.clients.keys().filter(|id| eng.blocking.blocked(**id).is_some_and(|b| b.deadline_ms > 0)).count();
    let _ = write!(
        out,
        "connected_clients:{}\r\n\
         cluster_connections:0\r\n\
         maxclients:{}\r\n\
         client_recent_max_input_buffer:{max_in}\r\n\
         client_recent_max_output_buffer:{max_out}\r\n\
         blocked_clients:{}\r\n\
         tracking_clients:0\r\n\
         pubsub_clients:{pubsub}\r\n\
         watching_clients:{watching}\r\n\
         clients_in_timeout_table:{in_timeout_table}\r\n\
         total_watched_keys:{}\r\n\
         total_blocking_keys:{}\r\n\
         total_blocking_keys_on_nokey:0\r\n",
        eng.clients.len(),
        eng.config.maxclients,
        eng.blocking.blocked_count(),
        eng.watched.len(),
        eng.blocking.blocking_keys(),
    );
}

fn memory_section(eng: &mut Engine, out: &mut String) {
    let m = overhead(eng);
    let (total_system, allocator) = with_state(eng, |s| (s.info.total_system_memory, s.info.mem_allocator.clone()));
    let rss = if m.rss == 0 { m.used } else { m.rss };
    let (frag, frag_bytes) = fragmentation(&m);
    let sc = crate::scripting::info(eng);
    let lua = sc.used_memory_vm_eval;
    let c = &eng.config;
    let _ = write!(
        out,
        "used_memory:{}\r\n\
         used_memory_human:{}\r\n\
         used_memory_rss:{rss}\r\n\
         used_memory_rss_human:{}\r\n\
         used_memory_peak:{}\r\n\
         used_memory_peak_human:{}\r\n\
         used_memory_peak_perc:{:.2}%\r\n\
         used_memory_overhead:{}\r\n\
         used_memory_startup:{}\r\n\
         used_memory_dataset:{}\r\n\
         used_memory_dataset_perc:{:.2}%\r\n\
         allocator_allocated:{}\r\n\
         allocator_active:{}\r\n\
         allocator_resident:{}\r\n\
         allocator_muzzy:0\r\n\
         total_system_memory:{total_system}\r\n\
         total_system_memory_human:{}\r\n\
         used_memory_lua:{lua}\r\n\
         used_memory_vm_eval:{lua}\r\n\
         used_memory_lua_human:{}\r\n\
         used_memory_scripts_eval:{}\r\n\
         number_of_cached_scripts:{}\r\n\
         number_of_functions:{}\r\n\
         number_of_libraries:{}\r\n\
         used_memory_vm_functions:{}\r\n\
         used_memory_vm_total:{}\r\n\
         used_memory_vm_total_human:{}\r\n\
         used_memory_functions:{}\r\n\
         used_memory_scripts:{}\r\n\
         used_memory_scripts_human:{}\r\n\
         maxmemory:{}\r\n\
         maxmemory_human:{}\r\n\
         maxmemory_policy:{}\r\n\
         allocator_frag_ratio:1.00\r\n\
         allocator_frag_bytes:0\r\n\
         allocator_rss_ratio:1.00\r\n\
         allocator_rss_bytes:0\r\n\
         rss_overhead_ratio:1.00\r\n\
         rss_overhead_bytes:0\r\n\
         mem_fragmentation_ratio:{frag:.2}\r\n\
         mem_fragmentation_bytes:{frag_bytes}\r\n\
         mem_not_counted_for_evict:0\r\n\
         mem_replication_backlog:0\r\n\
         mem_total_replication_buffers:0\r\n\
         mem_clients_slaves:0\r\n\
         mem_clients_normal:{}\r\n\
         mem_cluster_links:0\r\n\
         mem_aof_buffer:0\r\n\
         mem_allocator:{}\r\n\
         mem_overhead_db_hashtable_rehashing:{}\r\n\
         active_defrag_running:0\r\n\
         lazyfree_pending_objects:0\r\n\
         lazyfreed_objects:0\r\n",
        m.used,
        bytes_to_human(m.used),
        bytes_to_human(rss),
        m.peak,
        bytes_to_human(m.peak),
        m.peak_perc(),
        m.overhead_total,
        m.startup,
        m.dataset,
        m.dataset_perc(),
        m.used,
        m.allocator_active.max(m.used),
        m.allocator_resident.max(m.used),
        bytes_to_human(total_system),
        bytes_to_human(lua as u64),
        sc.used_memory_scripts_eval,
        sc.number_of_cached_scripts,
        sc.number_of_functions,
        sc.number_of_libraries,
        sc.used_memory_vm_functions,
        sc.used_memory_vm_total(),
        bytes_to_human(sc.used_memory_vm_total() as u64),
        sc.used_memory_functions,
        sc.used_memory_scripts(),
        bytes_to_human(sc.used_memory_scripts() as u64),
        c.maxmemory,
        bytes_to_human(c.maxmemory),
        c.maxmemory_policy.as_str(),
        m.clients_normal,
        allocator,
        m.hashtable_rehashing,
    );
}

fn persistence_section(eng: &Engine, out: &mut String) {
    crate::commands::persistence::info_section(eng, out);
}

fn stats_section(eng: &mut Engine, out: &mut String) {
    let el = with_state(eng, |s| s.host.counters());
    let s = &eng.stats;
    let pubsub = &eng.pubsub;
    let _ = write!(
        out,
        "total_connections_received:{}\r\n\
         total_commands_processed:{}\r\n\
         instantaneous_ops_per_sec:{}\r\n\
         total_net_input_bytes:{}\r\n\
         total_net_output_bytes:{}\r\n\
         total_net_repl_input_bytes:0\r\n\
         total_net_repl_output_bytes:0\r\n\
         instantaneous_input_kbps:{:.2}\r\n\
         instantaneous_output_kbps:{:.2}\r\n\
         instantaneous_input_repl_kbps:0.00\r\n\
         instantaneous_output_repl_kbps:0.00\r\n\
         rejected_connections:{}\r\n\
         sync_full:0\r\n\
         sync_partial_ok:0\r\n\
         sync_partial_err:0\r\n\
         expired_keys:{}\r\n\
         expired_stale_perc:{:.2}\r\n\
         expired_time_cap_reached_count:{}\r\n\
         expire_cycle_cpu_milliseconds:0\r\n\
         evicted_keys:{}\r\n\
         evicted_clients:{}\r\n\
         evicted_scripts:0\r\n\
         total_eviction_exceeded_time:0\r\n\
         current_eviction_exceeded_time:0\r\n\
         keyspace_hits:{}\r\n\
         keyspace_misses:{}\r\n\
         pubsub_channels:{}\r\n\
         pubsub_patterns:{}\r\n\
         pubsubshard_channels:{}\r\n\
         latest_fork_usec:0\r\n\
         total_forks:0\r\n\
         migrate_cached_sockets:0\r\n\
         slave_expires_tracked_keys:0\r\n\
         active_defrag_hits:0\r\n\
         active_defrag_misses:0\r\n\
         active_defrag_key_hits:0\r\n\
         active_defrag_key_misses:0\r\n\
         total_active_defrag_time:0\r\n\
         current_active_defrag_time:0\r\n\
         tracking_total_keys:0\r\n\
         tracking_total_items:0\r\n\
         tracking_total_prefixes:0\r\n\
         unexpected_error_replies:{}\r\n\
         total_error_replies:{}\r\n\
         dump_payload_sanitizations:0\r\n\
         total_reads_processed:0\r\n\
         total_writes_processed:0\r\n\
         io_threaded_reads_processed:0\r\n\
         io_threaded_writes_processed:0\r\n\
         io_threaded_freed_objects:0\r\n\
         io_threaded_poll_processed:0\r\n\
         io_threaded_total_prefetch_batches:0\r\n\
         io_threaded_total_prefetch_entries:0\r\n\
         client_query_buffer_limit_disconnections:{}\r\n\
         client_output_buffer_limit_disconnections:{}\r\n\
         reply_buffer_shrinks:0\r\n\
         reply_buffer_expands:0\r\n\
         eventloop_cycles:{}\r\n\
         eventloop_duration_sum:{}\r\n\
         eventloop_duration_cmd_sum:{}\r\n\
         instantaneous_eventloop_cycles_per_sec:{}\r\n\
         instantaneous_eventloop_duration_usec:{}\r\n\
         acl_access_denied_auth:{}\r\n\
         acl_access_denied_cmd:{}\r\n\
         acl_access_denied_key:{}\r\n\
         acl_access_denied_channel:{}\r\n",
        s.total_connections_received,
        s.total_commands_processed,
        el.instantaneous_ops_per_sec,
        s.net_input_bytes,
        s.net_output_bytes,
        el.instantaneous_input_kbps,
        el.instantaneous_output_kbps,
        s.rejected_connections,
        s.expired_keys,
        s.expired_stale_perc * 100.0,
        s.expired_time_cap_reached_count,
        s.evicted_keys,
        s.evicted_clients,
        s.keyspace_hits,
        s.keyspace_misses,
        pubsub.channels.len(),
        pubsub.patterns.len(),
        pubsub.shard_channels.len(),
        s.unexpected_error_replies,
        s.total_error_replies,
        el.client_query_buffer_limit_disconnections,
        el.client_output_buffer_limit_disconnections,
        el.cycles,
        el.duration_sum_us,
        el.duration_cmd_sum_us,
        el.instantaneous_cycles_per_sec,
        el.instantaneous_duration_us,
        eng.acl.stats.auth_failures,
        eng.acl.stats.denied_cmd,
        eng.acl.stats.denied_key,
        eng.acl.stats.denied_channel,
    );
}

fn replication_section(eng: &mut Engine, out: &mut String) {
    let replid = replid(eng);
    let _ = write!(
        out,
        "role:master\r\n\
         connected_slaves:0\r\n\
         replicas_waiting_psync:0\r\n\
         master_failover_state:no-failover\r\n\
         master_replid:{replid}\r\n\
         master_replid2:0000000000000000000000000000000000000000\r\n\
         master_repl_offset:0\r\n\
         second_repl_offset:-1\r\n\
         repl_backlog_active:0\r\n\
         repl_backlog_size:{}\r\n\
         repl_backlog_first_byte_offset:0\r\n\
         repl_backlog_histlen:0\r\n",
        eng.config.repl_backlog_size,
    );
}

fn commandstats_section(eng: &Engine, out: &mut String) {
    let mut rows: Vec<_> = eng.stats.commands.iter().map(|(name, s)| (name.0, s)).collect();
    rows.sort_by_key(|(name, _)| *name);
    for (name, s) in rows {
        if s.calls == 0 && s.failed_calls == 0 && s.rejected_calls == 0 {
            continue;
        }
        let per_call = if s.calls == 0 { 0.0 } else { s.usec as f32 / s.calls as f32 };
        let _ = write!(
            out,
            "cmdstat_{}:calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}\r\n",
            safe_info_string(name),
            s.calls,
            s.usec,
            s.rejected_calls,
            s.failed_calls
        );
    }
}

fn latencystats_section(eng: &mut Engine, out: &mut String) {
    let percentiles = eng.config.latency_tracking_info_percentiles.clone();
    // Commands in table order (the table has none: by name), each followed by its subcommands.
    let mut order: Vec<&'static str> = Vec::new();
    let mut tops: Vec<_> = CommandTable::get().iter().collect();
    tops.sort_by_key(|c| c.name);
    for c in tops {
        order.push(c.name);
        order.extend(c.subcommands.iter().map(|s| s.name));
    }
    let lines = with_state(eng, |s| {
        let mut lines = String::new();
        for name in order {
            let Some(h) = s.histograms.get(&CommandName(name)) else { continue };
            let _ = write!(lines, "latency_percentiles_usec_{}:", safe_info_string(name));
            for (i, p) in percentiles.iter().enumerate() {
                if i > 0 {
                    lines.push(',');
                }
                let _ = write!(lines, "p{}={:.3}", trim_double(*p), h.value_at_percentile(*p) as f64 / 1000.0);
            }
            lines.push_str("\r\n");
        }
        lines
    });
    out.push_str(&lines);
}

/// `%f` without trailing zeros (and without a trailing dot): 50.0 -> "50", 99.9 -> "99.9".
fn trim_double(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_double_drops_trailing_zeros() {
        assert_eq!(trim_double(50.0), "50");
        assert_eq!(trim_double(99.9), "99.9");
        assert_eq!(trim_double(0.0), "0");
    }
}
