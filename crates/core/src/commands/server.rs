//! Server commands (INFO, CONFIG, COMMAND, DEBUG, SLOWLOG, LATENCY, MEMORY, MONITOR, TIME ...) and
//! what happens after every call (statistics, latency samples, the slow log, the MONITOR feed).
//!
//! # Layout
//! - this file: the table, the small commands and [`after_call`];
//! - `state`: what the commands keep between calls and what the host supplies ([`HostInfo`],
//!   [`ServerHost`]) or must act on ([`take_host_sleep_us`], [`take_shutdown`]);
//! - one module per command family: `info`, `config_cmd`, `command_docs`, `debug` (with `digest`),
//!   `slowlog`, `latency` (with `histogram`), `memory`, `monitor`; `redact` hides secrets from logs.

mod command_docs;
mod config_cmd;
mod debug;
mod digest;
mod histogram;
mod info;
mod latency;
mod memory;
mod monitor;
mod redact;
mod slowlog;
mod state;
pub mod syntax;

pub use command_docs::{acl_categories, info_reply, lookup_full_name};
pub use info::{info_text, FERROKEY_VERSION, REDIS_COMPAT_VERSION, SERVER_NAME, VALKEY_COMPAT_VERSION};
pub use latency::add_sample_if_needed;
pub use memory::{key_usage, used_memory};
pub use monitor::feed_monitors;
pub use state::{
    set_host, set_script_running, take_host_sleep_us, take_shutdown, CpuUsage, HostCounters, HostInfo, MemoryReadings,
    NoHost, RewriteError, ServerHost, ServerState, ShutdownRequest,
};

use crate::args::{is, Args};
use crate::client::ClientId;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;

use state::with_state;

const G: Group = Group::Server;

pub const COMMANDS: &[CommandSpec] = &[
    command_docs::COMMAND,
    CommandSpec::container(G, "config", config_cmd::SUBCOMMANDS)
        .since("2.0.0")
        .summary("A container for server configuration commands."),
    CommandSpec::new(G, "debug", -2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, debug::debug)
        .since("1.0.0")
        .summary("A container for debugging commands."),
    CommandSpec::new(G, "info", -1, LOADING | STALE, Keys::None, info::info)
        .since("1.0.0")
        .summary("Returns information and statistics about the server.")
        .syntax("[section...]"),
    CommandSpec::new(G, "lastsave", 1, LOADING | STALE | FAST, Keys::None, lastsave)
        .since("1.0.0")
        .summary("Returns the Unix timestamp of the last successful save to disk."),
    CommandSpec::container(G, "latency", latency::SUBCOMMANDS)
        .since("2.8.13")
        .summary("A container for latency diagnostics commands."),
    CommandSpec::new(G, "lolwut", -1, READONLY | FAST, Keys::None, lolwut)
        .since("5.0.0")
        .summary("Displays computer art and the server version")
        .syntax("[VERSION=version:integer]"),
    CommandSpec::container(G, "memory", memory::SUBCOMMANDS)
        .since("4.0.0")
        .summary("A container for memory diagnostics commands."),
    CommandSpec::new(G, "monitor", 1, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, monitor_cmd)
        .since("1.0.0")
        .summary("Listens for all requests received by the server in real-time."),
    CommandSpec::new(G, "shutdown", -1, ADMIN | NOSCRIPT | LOADING | STALE | NO_MULTI | ALLOW_BUSY, Keys::None, shutdown)
        .since("1.0.0")
        .summary("Synchronously saves the database(s) to disk and shuts down the server.")
        .syntax("[abort-selector: (save-selector-block; [save-selector: NOSAVE | SAVE] [NOW@7.0.0] [FORCE@7.0.0]) | ABORT@7.0.0]"),
    CommandSpec::container(G, "slowlog", slowlog::SUBCOMMANDS)
        .since("2.2.12")
        .summary("A container for slow log commands."),
    CommandSpec::new(G, "time", 1, LOADING | STALE | FAST, Keys::None, time)
        .since("2.6.0")
        .summary("Returns the server time."),
    CommandSpec::new(Group::Generic, "wait", 3, BLOCKING, Keys::None, wait)
        .since("3.0.0")
        .summary("Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.")
        .syntax("numreplicas:integer timeout:integer"),
];

/// After every executed command (nested ones included): statistics, latency samples, the slow log,
/// the MONITOR feed and the per-command latency histogram.
pub fn after_call(eng: &mut Engine, id: ClientId, spec: &'static CommandSpec, args: &Args, elapsed_us: u64) {
    // DEBUG SLEEP does not sleep in the engine: its time counts here, the host sleeps afterwards.
    let charge_us = with_state(eng, |s| std::mem::take(&mut s.sleep_charge_us));
    let duration_us = elapsed_us + charge_us;
    if charge_us > 0 {
        eng.stats.command(spec).usec += charge_us;
    }
    eng.stats.total_commands_processed += 1;
    // A blocked client's command runs again when its keys are written: it was fed to MONITOR already.
    let reprocessing = eng.blocking.is_blocked(id);

    let event = if spec.has(FAST) { "fast-command" } else { "command" };
    latency::add_sample_if_needed(eng, event, duration_us / 1000);

    if !spec.has(SKIP_SLOWLOG) {
        log_if_slow(eng, id, spec, args.argv(), duration_us);
    }
    if !reprocessing && !spec.has(SKIP_MONITOR | ADMIN) {
        let script = monitor::from_script(eng);
        monitor::feed_monitors(eng, id, spec.name, args.argv(), script);
    }
    if eng.config.latency_tracking {
        with_state(eng, |s| {
            s.histograms
                .entry(crate::stats::CommandName(spec.name))
                .or_default()
                .record_ns(duration_us.saturating_mul(1000))
        });
    }
}

/// Whether `after_call` will look at the arguments (a MONITOR client or the slow log is on). Handlers
/// move stored values out of `Args`, so the engine keeps a copy of the arguments for `after_call`
/// when this is true.
///
/// Copying every stored value for the slow log's sake would tax every write, so that happens only when the
/// slow log records every command (threshold 0) or someone runs MONITOR; a command that is merely slow
/// shows in the slow log with the arguments it did not store.
pub fn wants_original_argv(eng: &Engine) -> bool {
    let log_all = eng.config.slowlog_log_slower_than == 0 && eng.config.slowlog_max_len > 0;
    log_all || eng.monitors > 0
}

/// A command that blocked its client: MONITOR sees it now (its completion later is not shown again).
/// The engine calls this when a command first parks its client.
pub fn on_blocked(eng: &mut Engine, id: ClientId, spec: &'static CommandSpec, args: &Args) {
    if !eng.blocking.is_blocked(id) && !spec.has(SKIP_MONITOR | ADMIN) {
        monitor::feed_monitors(eng, id, spec.name, args.argv(), false);
    }
}

fn log_if_slow(eng: &mut Engine, id: ClientId, spec: &CommandSpec, argv: &[Vec<u8>], duration_us: u64) {
    let (slower_than, max_len) = (eng.config.slowlog_log_slower_than, eng.config.slowlog_max_len);
    let unix_s = eng.cmd_time_ms / 1000;
    let name = spec.name;
    let client = eng.clients.get(&id);
    // The entry (and its copies of the peer and name) is built only for a command that was slow.
    eng.server.slowlog.push_if_slow(slower_than, max_len, duration_us, |id| slowlog::SlowLogEntry {
        id,
        unix_s,
        duration_us,
        argv: slowlog::trimmed_argv(&redact::redacted_argv(name, argv)),
        peer: client.map(|c| c.conn.addr.clone()).unwrap_or_default(),
        client_name: client.and_then(|c| c.name.clone()).unwrap_or_default(),
    });
}

/// `ERR unknown subcommand or wrong number of arguments for 'x'. Try CMD HELP.` for the subcommand
/// as typed.
pub(crate) fn subcommand_syntax(args: &Args) -> CommandError {
    let argv = args.argv();
    CommandError::SubcommandSyntax(
        crate::engine::truncate_lossy(argv.get(1).map(Vec::as_slice).unwrap_or_default(), 128),
        String::from_utf8_lossy(&argv[0]).to_uppercase(),
    )
}

/// TIME: unix seconds and the microseconds within the second, of the command's time (as Valkey's
/// cached `ustime`).
fn time(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let now_us = ctx.eng.cmd_time_us;
    Ok(Reply::Array(vec![
        Reply::bulk(now_us.div_euclid(1_000_000).to_string()),
        Reply::bulk(now_us.rem_euclid(1_000_000).to_string()),
    ]))
}

/// LASTSAVE
fn lastsave(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Int(ctx.eng.last_save_s))
}

/// MONITOR
fn monitor_cmd(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if ctx.nested() {
        return Err(CommandError::err("MONITOR isn't allowed for DENY BLOCKING client"));
    }
    monitor::monitor(ctx, args)
}

/// WAIT numreplicas timeout: there are no replicas, so no write can be acknowledged; the answer is
/// always 0 acknowledgements, at once.
fn wait(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let _numreplicas = args.next_i64()?;
    let timeout_ms = crate::num::parse_i64(args.next()?).ok_or(CommandError::TimeoutNotInteger)?;
    if timeout_ms < 0 {
        return Err(CommandError::TimeoutNegative);
    }
    if timeout_ms > 0 && timeout_ms > i64::MAX - ctx.now_ms {
        return Err(CommandError::TimeoutOutOfRange);
    }
    Ok(Reply::Int(0))
}

/// LOLWUT [VERSION version]
fn lolwut(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if args.remaining() >= 2 && args.eat("version") {
        args.next_i64()?;
    }
    let _ = ctx;
    Ok(Reply::Verbatim("txt", format!("{} ver. {}\n", info::SERVER_NAME, info::FERROKEY_VERSION).into_bytes()))
}

/// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]: saves as asked (see
/// [`crate::commands::persistence::prepare_shutdown`]), then asks the host to exit (see [`take_shutdown`]).
/// Nothing is left to wait for (no replicas), so there is never a shutdown in progress to abort.
fn shutdown(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mut req = ShutdownRequest::default();
    let (mut save, mut nosave, mut abort) = (false, false, false);
    for a in args.rest() {
        if is(a, "nosave") {
            nosave = true;
        } else if is(a, "save") {
            save = true;
        } else if is(a, "now") {
            req.now = true;
        } else if is(a, "force") {
            req.force = true;
        } else if is(a, "abort") {
            abort = true;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    if (abort && (save || nosave || req.now || req.force)) || (save && nosave) {
        return Err(CommandError::Syntax);
    }
    if abort {
        return Err(CommandError::err("No shutdown in progress."));
    }
    req.save = if save {
        Some(true)
    } else if nosave {
        Some(false)
    } else {
        None
    };
    crate::commands::persistence::prepare_shutdown(ctx.eng, req)?;
    with_state(ctx.eng, |s| s.shutdown = Some(req));
    Ok(Reply::OK)
}
