//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP. The parameters live in `crate::config`; values the
//! engine reads (`hz`, `maxclients`, `notify-keyspace-events` ...) take effect as soon as they are set,
//! effects outside the engine (`dir`, `port` ...) go to the host.

use crate::args::Args;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::config::SetContext;
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;

use super::state::{with_state, ConfigEffects, NoHost, RewriteError};

const G: Group = Group::Server;

pub const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "config|get", -3, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, config_get)
        .since("2.0.0")
        .summary("Returns the effective values of configuration parameters.")
        .syntax("parameter..."),
    CommandSpec::new(G, "config|help", 2, LOADING | STALE, Keys::None, config_help)
        .since("5.0.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "config|resetstat", 2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, config_resetstat)
        .since("2.0.0")
        .summary("Resets the server's statistics."),
    CommandSpec::new(G, "config|rewrite", 2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, config_rewrite)
        .since("2.8.0")
        .summary("Persists the effective configuration to file."),
    CommandSpec::new(G, "config|set", -4, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, config_set)
        .since("2.0.0")
        .summary("Sets configuration parameters in-flight.")
        .syntax("(data; parameter value)..."),
];

/// CONFIG GET parameter [parameter ...]
fn config_get(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let patterns: Vec<&[u8]> = args.rest().iter().map(Vec::as_slice).collect();
    let pairs = ctx.eng.config.get(&patterns);
    Ok(Reply::Map(pairs.into_iter().map(|(k, v)| (Reply::bulk(k), Reply::Bulk(v))).collect()))
}

/// Connected over loopback or a unix socket (`enable-protected-configs local`, `enable-debug-command
/// local`).
pub fn is_local_client(addr: &str) -> bool {
    addr.is_empty()
        || addr.starts_with('/')
        || addr.starts_with("127.")
        || addr.starts_with("[::1]")
        || addr.starts_with("::1:")
}

/// CONFIG SET parameter value [parameter value ...]
fn config_set(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let rest = args.rest();
    if rest.len() & 1 == 1 {
        return Err(CommandError::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = rest.chunks(2).map(|p| (p[0].as_slice(), p[1].as_slice())).collect();
    let set_ctx = SetContext { client_is_local: is_local_client(&ctx.client_ref().conn.addr), loading: false };
    // The host's effects run while the config is borrowed: take the host out for the call.
    let mut host = with_state(ctx.eng, |s| std::mem::replace(&mut s.host, Box::new(NoHost)));
    let result = ctx.eng.config.set_with(&pairs, set_ctx, &mut ConfigEffects(host.as_mut()));
    with_state(ctx.eng, |s| s.host = host);
    match result {
        Ok(changed) => {
            if changed.contains(&"requirepass") {
                // `requirepass` is the default user's password (Valkey's updateRequirePass).
                let password = ctx.eng.config.requirepass.clone();
                ctx.eng.acl.set_default_password(password.as_deref());
            }
            Ok(Reply::OK)
        }
        Err(e) => Err(CommandError::Other(e.to_string().into())),
    }
}

/// CONFIG RESETSTAT
fn config_resetstat(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    ctx.eng.stats.reset();
    crate::scripting::reset_stats(ctx.eng);
    with_state(ctx.eng, |s| {
        s.histograms.clear();
        s.peak_memory = 0;
        s.host.reset_stats();
    });
    Ok(Reply::OK)
}

/// CONFIG REWRITE
fn config_rewrite(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    match rewrite(ctx, false) {
        Ok(()) => Ok(Reply::OK),
        Err(RewriteError::NoConfigFile) => Err(CommandError::err("The server is running without a config file")),
        Err(RewriteError::Io(e)) => Err(CommandError::err(format!("Rewriting config file: {e}"))),
    }
}

/// Asks the host to write the configuration to its config file.
pub(super) fn rewrite(ctx: &mut Ctx, force_all: bool) -> Result<(), RewriteError> {
    let config = ctx.eng.config.clone();
    with_state(ctx.eng, |s| s.host.config_rewrite(&config, force_all))
}

/// CONFIG HELP
fn config_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(crate::commands::connection::help_reply(
        args.name(),
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    ))
}
