//! MULTI, EXEC, DISCARD, WATCH, UNWATCH, and the WATCH bookkeeping writes go through.
//!
//! Queueing happens in the engine's gate (a client in MULTI gets `QUEUED`, and a command refused by the
//! gate marks the transaction aborted). EXEC takes the queue out of the client and runs each command
//! through [`Engine::call`], so nested commands see `ctx.nested()` and never block.
//!
//! WATCH follows Valkey's multi.c: any change to a watched key (a write, a deletion by expiry, a
//! FLUSHDB/FLUSHALL/SWAPDB that affects it) marks the watcher dirty and its EXEC answers a null array.
//! A key that was already logically expired when WATCHed is remembered as such: expiry deleting it
//! later is no change.

use crate::args::Args;
use crate::client::{ClientId, WatchedKey};
use crate::command::{flag::*, CommandSpec, CommandTable, Group, Keys};
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;

const G: Group = Group::Transactions;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "discard", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Keys::None, discard)
        .since("2.0.0")
        .summary("Discards a transaction."),
    CommandSpec::new(G, "exec", 1, NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG, Keys::None, exec)
        .since("1.2.0")
        .summary("Executes all commands in a transaction."),
    CommandSpec::new(G, "multi", 1, NOSCRIPT | LOADING | STALE | FAST | NO_MULTI | ALLOW_BUSY, Keys::None, multi)
        .since("1.2.0")
        .summary("Starts a transaction."),
    CommandSpec::new(G, "unwatch", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Keys::None, unwatch)
        .since("2.2.0")
        .summary("Forgets about watched keys of a transaction."),
    CommandSpec::new(
        G,
        "watch",
        -2,
        NOSCRIPT | LOADING | STALE | FAST | NO_MULTI | ALLOW_BUSY,
        Keys::range(1, -1, 1),
        watch,
    )
    .since("2.2.0")
    .summary("Monitors changes to keys to determine the execution of a transaction.")
    .syntax("key:key..."),
];

/// MULTI
fn multi(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    // The gate refuses MULTI inside MULTI (the command has NO_MULTI), as Valkey 8 does.
    ctx.client().multi = Some(Default::default());
    Ok(Reply::OK)
}

/// DISCARD
fn discard(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    if ctx.client_ref().multi.is_none() {
        return Err(CommandError::DiscardWithoutMulti);
    }
    discard_transaction(ctx.eng, ctx.id);
    Ok(Reply::OK)
}

/// EXEC
fn exec(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let Some(queued) = ctx.client().multi.take() else {
        return Err(CommandError::ExecWithoutMulti);
    };
    if watched_key_expired(ctx.eng, ctx.id, ctx.now_ms) {
        ctx.client().watch_dirty = true;
    }
    let dirty = ctx.client_ref().watch_dirty;
    // Forget the WATCHes before running anything: the transaction's own writes must not dirty it.
    unwatch_all(ctx.eng, ctx.id);
    if queued.aborted {
        return Err(CommandError::ExecAbort);
    }
    if dirty {
        return Ok(Reply::NullArray);
    }
    let mut replies = Vec::with_capacity(queued.queued.len());
    for argv in queued.queued {
        let reply = match resolve(&argv) {
            Some(spec) => match crate::acl::check_exec_command(ctx.eng, ctx.id, spec, &argv) {
                Err(e) => {
                    ctx.eng.stats.count_error(&e.to_string());
                    Reply::from(e)
                }
                Ok(()) => ctx.eng.call(ctx.id, spec, argv).unwrap_or_else(|| {
                    // A blocking command must not block here (it sees `nested()`); never leave it parked.
                    ctx.eng.blocking.unblock(ctx.id);
                    Reply::NullArray
                }),
            },
            // The gate queued only commands it found; this is unreachable in practice.
            None => Reply::from(CommandError::Syntax),
        };
        replies.push(reply);
        if !ctx.eng.clients.contains_key(&ctx.id) {
            break;
        }
    }
    Ok(Reply::Array(replies))
}

/// The command row for a queued command line: the command, or its subcommand for containers.
fn resolve(argv: &[Vec<u8>]) -> Option<&'static CommandSpec> {
    let spec = CommandTable::get().lookup(argv.first()?)?;
    if spec.handler.is_some() {
        return Some(spec);
    }
    spec.subcommand(argv.get(1)?)
}

/// The union of the flags of a client's queued commands (0 outside MULTI): the gate treats EXEC as a
/// write, a DENYOOM or a MAY_REPLICATE command when any queued command is one (CLIENT PAUSE WRITE, OOM),
/// as Valkey's `mstate.cmd_flags`.
pub fn queued_command_flags(eng: &Engine, id: ClientId) -> u32 {
    let Some(multi) = eng.clients.get(&id).and_then(|c| c.multi.as_ref()) else { return 0 };
    multi.queued.iter().filter_map(|argv| resolve(argv)).fold(0, |acc, spec| acc | spec.flags)
}

/// WATCH key [key ...]
fn watch(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    // No point in watching once a watched key changed: EXEC will fail anyway.
    if ctx.client_ref().watch_dirty {
        return Ok(Reply::OK);
    }
    let db = ctx.db_index();
    let now_ms = ctx.now_ms;
    for key in args.rest() {
        watch_key(ctx.eng, ctx.id, db, key, now_ms);
    }
    Ok(Reply::OK)
}

/// UNWATCH
fn unwatch(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    unwatch_all(ctx.eng, ctx.id);
    Ok(Reply::OK)
}

/// Adds a key to a client's WATCH list (no-op if already watched in that db).
fn watch_key(eng: &mut Engine, id: ClientId, db: usize, key: &[u8], now_ms: i64) {
    let expired = eng.dbs[db].is_expired(key, now_ms);
    let Some(c) = eng.clients.get_mut(&id) else { return };
    if c.watched.iter().any(|w| w.db == db && w.key.as_bytes() == key) {
        return;
    }
    c.watched.push(WatchedKey { db, key: key.into(), expired });
    eng.watched.entry((db, key.to_vec())).or_default().push(id);
}

/// EXEC fails if a key that was alive when WATCHed has logically expired since, even if no one has
/// deleted it yet.
fn watched_key_expired(eng: &Engine, id: ClientId, now_ms: i64) -> bool {
    let Some(c) = eng.clients.get(&id) else { return false };
    c.watched.iter().any(|w| !w.expired && eng.dbs[w.db].is_expired(w.key.as_bytes(), now_ms))
}

/// Leaves MULTI: drops the queue, the dirty flag and every WATCH (DISCARD, RESET, failed EXEC).
pub fn discard_transaction(eng: &mut Engine, id: ClientId) {
    if let Some(c) = eng.clients.get_mut(&id) {
        c.multi = None;
    }
    unwatch_all(eng, id);
}

/// Marks a watcher dirty: its queued commands are pointless now (EXEC will answer a null array).
fn mark_dirty(eng: &mut Engine, id: ClientId) {
    if let Some(c) = eng.clients.get_mut(&id) {
        c.watch_dirty = true;
        if let Some(m) = c.multi.as_mut() {
            m.queued.clear();
        }
    }
}

/// A watched key changed: every client watching it will fail its EXEC. Call it after the change (a
/// deletion by expiry included), so a stale watch can tell the key is gone.
pub fn touch_watched_key(eng: &mut Engine, db: usize, key: &[u8]) {
    if eng.watched.is_empty() {
        return;
    }
    let Some(ids) = eng.watched.get(&(db, key.to_vec())) else { return };
    let exists = eng.dbs[db].contains(key);
    // A write that replaced a stale key without expiring it first leaves a live key: that is a change.
    let still_stale = exists && eng.dbs[db].is_expired(key, eng.cmd_time_ms);
    for id in ids.clone() {
        let Some(c) = eng.clients.get_mut(&id) else { continue };
        if let Some(w) = c.watched.iter_mut().find(|w| w.expired && w.db == db && w.key.as_bytes() == key) {
            if !exists {
                // The stale key was deleted: logically nothing changed. From now on it is a missing key.
                w.expired = false;
                continue;
            }
            if still_stale {
                // Valkey stops walking the watchers here (multi.c `touchWatchedKey`); kept for parity.
                break;
            }
        }
        mark_dirty(eng, id);
        // Once dirty, further changes cannot matter: drop its watches now, as Valkey does.
        unwatch_keys(eng, id);
    }
}

/// FLUSHDB / FLUSHALL / SWAPDB: call BEFORE `emptied` is emptied (or swapped with `replaced_with`).
/// Watchers of keys that exist in `emptied` (or in `replaced_with`, which is about to take its place)
/// go dirty, except where a stale key merely disappears or is replaced by another stale key.
pub fn touch_all_watched_keys_in_db(eng: &mut Engine, emptied: usize, replaced_with: Option<usize>) {
    // Blocked clients of a flushed or swapped database look again too.
    crate::blocking::signal_db(eng, emptied);
    if eng.watched.is_empty() {
        return;
    }
    let now_ms = eng.cmd_time_ms;
    let keys: Vec<(Vec<u8>, Vec<ClientId>)> = eng
        .watched
        .iter()
        .filter(|((db, _), _)| *db == emptied)
        .map(|((_, k), ids)| (k.clone(), ids.clone()))
        .collect();
    for (key, ids) in keys {
        let exists_in_emptied = eng.dbs[emptied].contains(&key);
        let exists_in_replacement = replaced_with.is_some_and(|r| eng.dbs[r].contains(&key));
        if !exists_in_emptied && !exists_in_replacement {
            continue;
        }
        let replacement_expired = replaced_with.is_some_and(|r| eng.dbs[r].is_expired(&key, now_ms));
        for id in ids {
            let Some(c) = eng.clients.get_mut(&id) else { continue };
            let Some(w) = c.watched.iter_mut().find(|w| w.db == emptied && w.key.as_bytes() == key) else { continue };
            if w.expired {
                if !exists_in_replacement {
                    // A stale key deleted: no logical change; it is now simply missing.
                    w.expired = false;
                    continue;
                }
                if replacement_expired {
                    // A stale key replaced by another stale key.
                    continue;
                }
            } else if !exists_in_emptied && replacement_expired {
                // A missing key replaced by a stale one: still logically missing.
                w.expired = true;
                continue;
            }
            mark_dirty(eng, id);
        }
    }
}

/// Forgets every WATCH of a client and clears its dirty flag (UNWATCH, EXEC, DISCARD, RESET,
/// disconnect).
pub fn unwatch_all(eng: &mut Engine, id: ClientId) {
    unwatch_keys(eng, id);
    if let Some(c) = eng.clients.get_mut(&id) {
        c.watch_dirty = false;
    }
}

/// Forgets every WATCH of a client, keeping its dirty flag.
fn unwatch_keys(eng: &mut Engine, id: ClientId) {
    let Some(c) = eng.clients.get_mut(&id) else { return };
    if c.watched.is_empty() {
        return;
    }
    for w in std::mem::take(&mut c.watched) {
        let slot = (w.db, w.key.into_vec());
        if let Some(ids) = eng.watched.get_mut(&slot) {
            ids.retain(|&other| other != id);
            if ids.is_empty() {
                eng.watched.remove(&slot);
            }
        }
    }
}

/// Clients watching at least one key and keys watched by anyone (INFO `watching_clients`,
/// `total_watched_keys`).
pub fn watch_counts(eng: &Engine) -> (usize, usize) {
    (eng.clients.values().filter(|c| !c.watched.is_empty()).count(), eng.watched.len())
}
