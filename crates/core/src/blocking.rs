//! Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, BLMPOP ...).
//!
//! A blocking command that finds nothing asks to block ([`crate::ctx::Ctx::block_on`]) and returns
//! `Blocked`; the engine parks the client here with its command. A write to one of the keys marks it
//! ready; after the writing command (or the whole EXEC) the engine runs each parked command again, oldest
//! client first (FIFO, as Valkey), until one is served or the key can serve no more. Timeouts are checked
//! by the host's cron. The host only has to deliver the output the engine queued.

use crate::client::ClientId;
use crate::command::CommandSpec;
use crate::engine::Engine;
use crate::reply::Reply;
use std::collections::{HashMap, VecDeque};

pub struct BlockedClient {
    pub argv: Vec<Vec<u8>>,
    pub spec: &'static CommandSpec,
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// Unix ms after which the client gets the timeout reply; 0 blocks forever.
    pub deadline_ms: i64,
    /// Commands that arrived while blocked, run once the client is served.
    pub pending: VecDeque<Vec<Vec<u8>>>,
}

#[derive(Default)]
pub struct Blocking {
    /// (db, key) -> blocked clients in arrival order.
    by_key: HashMap<(usize, Vec<u8>), VecDeque<ClientId>>,
    clients: HashMap<ClientId, BlockedClient>,
    /// Keys written since the last time blocked clients were served.
    ready: Vec<(usize, Vec<u8>)>,
    /// The block the running command asked for (db, keys, deadline).
    requested: Option<(usize, Vec<Vec<u8>>, i64)>,
    /// Clients held by CLIENT PAUSE, in arrival order (their command is in `clients`, with no keys).
    postponed: VecDeque<ClientId>,
}

impl Blocking {
    pub fn is_blocked(&self, id: ClientId) -> bool {
        self.clients.contains_key(&id)
    }

    pub fn blocked_count(&self) -> usize {
        self.clients.len()
    }

    /// Keys with blocked clients (INFO `blocking_keys`).
    pub fn blocking_keys(&self) -> usize {
        self.by_key.len()
    }

    pub fn blocked(&self, id: ClientId) -> Option<&BlockedClient> {
        self.clients.get(&id)
    }

    pub(crate) fn request(&mut self, db: usize, keys: Vec<Vec<u8>>, deadline_ms: i64) {
        self.requested = Some((db, keys, deadline_ms));
    }

    /// Parks a client whose command returned `Blocked`. A client already parked (its command ran again
    /// and found nothing) keeps its place in line.
    pub(crate) fn park(&mut self, id: ClientId, argv: Vec<Vec<u8>>, spec: &'static CommandSpec) {
        let Some((db, keys, deadline_ms)) = self.requested.take() else { return };
        if self.clients.contains_key(&id) {
            return;
        }
        for k in &keys {
            self.by_key.entry((db, k.clone())).or_default().push_back(id);
        }
        self.clients.insert(id, BlockedClient { argv, spec, db, keys, deadline_ms, pending: VecDeque::new() });
    }

    /// Holds a client's command until CLIENT PAUSE ends.
    pub(crate) fn postpone(&mut self, id: ClientId, argv: Vec<Vec<u8>>) {
        let spec = crate::command::CommandTable::get().lookup(&argv[0]).expect("looked up by the gate");
        self.clients.insert(
            id,
            BlockedClient { argv, spec, db: 0, keys: Vec::new(), deadline_ms: 0, pending: VecDeque::new() },
        );
        self.postponed.push_back(id);
    }

    pub fn has_postponed(&self) -> bool {
        !self.postponed.is_empty()
    }

    /// Releases a client (served, timed out, disconnected). Returns its state.
    pub fn unblock(&mut self, id: ClientId) -> Option<BlockedClient> {
        self.postponed.retain(|&c| c != id);
        let b = self.clients.remove(&id)?;
        for k in &b.keys {
            let slot = (b.db, k.clone());
            if let Some(q) = self.by_key.get_mut(&slot) {
                q.retain(|&c| c != id);
                if q.is_empty() {
                    self.by_key.remove(&slot);
                }
            }
        }
        Some(b)
    }

    /// A key was written: if anyone waits on it, serve them after the command.
    pub fn signal_ready(&mut self, db: usize, key: &[u8]) {
        if self.by_key.is_empty() {
            return;
        }
        let slot = (db, key.to_vec());
        if self.by_key.contains_key(&slot) && !self.ready.contains(&slot) {
            self.ready.push(slot);
        }
    }

    pub fn has_ready_keys(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Queues a command that arrived while its client was blocked.
    pub fn defer(&mut self, id: ClientId, argv: Vec<Vec<u8>>) {
        if let Some(b) = self.clients.get_mut(&id) {
            b.pending.push_back(argv);
        }
    }

    pub fn next_deadline_ms(&self) -> Option<i64> {
        self.clients.values().map(|b| b.deadline_ms).filter(|&d| d > 0).min()
    }
}

/// A blocking command's timeout in seconds, as Valkey's `getTimeoutFromObjectOrReply`: returns the
/// deadline in unix ms, 0 for "block forever".
pub fn parse_timeout(arg: &[u8], now_ms: i64) -> Result<i64, crate::error::CommandError> {
    let seconds = crate::num::parse_long_double(arg).ok_or(crate::error::CommandError::TimeoutNotFloat)?;
    let ms = seconds * 1000.0;
    if ms > i64::MAX as f64 {
        return Err(crate::error::CommandError::TimeoutOutOfRange);
    }
    let ms = ms.ceil() as i64; // saturates: -inf becomes i64::MIN, still negative
    if ms < 0 {
        return Err(crate::error::CommandError::TimeoutNegative);
    }
    if ms == 0 {
        return Ok(0);
    }
    ms.checked_add(now_ms).ok_or(crate::error::CommandError::TimeoutOutOfRange)
}

/// Runs the commands of clients blocked on ready keys, oldest first, until no key is ready.
pub fn serve_ready_keys(eng: &mut Engine) {
    while !eng.blocking.ready.is_empty() {
        let ready = std::mem::take(&mut eng.blocking.ready);
        for slot in ready {
            let waiting: Vec<ClientId> =
                eng.blocking.by_key.get(&slot).map(|q| q.iter().copied().collect()).unwrap_or_default();
            for id in waiting {
                let Some(spec) = eng.blocking.clients.get(&id).map(|b| b.spec) else { continue };
                // XREADGROUP runs again when its key is gone or changed type, to answer the error
                // (Valkey's unblock-on-nokey). Others wait on while the key is missing (consumed by the
                // client served before) or holds a type they are not waiting for.
                let held = eng.dbs[slot.0].get(&slot.1).map(|e| e.value.type_name());
                let serves = match (held, waits_for(spec)) {
                    (Some(held), Some(wanted)) => held == wanted,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                if serves || spec.name == "xreadgroup" {
                    retry(eng, id);
                }
            }
        }
    }
}

/// Every key clients wait on in `db` is ready (the database was flushed, swapped or emptied).
pub fn signal_db(eng: &mut Engine, db: usize) {
    let keys: Vec<Vec<u8>> = eng.blocking.by_key.keys().filter(|(d, _)| *d == db).map(|(_, k)| k.clone()).collect();
    for k in keys {
        eng.blocking.signal_ready(db, &k);
    }
}

/// The value type a blocked command is waiting for.
fn waits_for(spec: &CommandSpec) -> Option<&'static str> {
    match spec.group {
        crate::command::Group::List => Some("list"),
        crate::command::Group::SortedSet => Some("zset"),
        crate::command::Group::Stream => Some("stream"),
        _ => None,
    }
}

/// Runs a blocked client's command again; if it is served, delivers the reply and unblocks it.
fn retry(eng: &mut Engine, id: ClientId) {
    let Some(b) = eng.blocking.clients.get(&id) else { return };
    let (argv, spec) = (b.argv.clone(), b.spec);
    let db = eng.clients.get(&id).map(|c| c.db);
    if db.is_none() {
        eng.blocking.unblock(id);
        return;
    }
    eng.cmd_time_us = eng.clock.now_us();
    eng.cmd_time_ms = eng.cmd_time_us.div_euclid(1000);
    match eng.call(id, spec, argv) {
        None => {
            // Still nothing for it: it keeps its place (park ignored the repeated request).
        }
        Some(reply) => deliver(eng, id, reply),
    }
}

/// Ends a block without running the command again (timeout, CLIENT UNBLOCK): the reply is given, the
/// command counted once in commandstats.
pub fn finish(eng: &mut Engine, id: ClientId, reply: Reply) {
    let Some(spec) = eng.blocking.clients.get(&id).map(|b| b.spec) else { return };
    eng.stats.command(spec).calls += 1;
    if let Some(text) = reply.error_text() {
        eng.stats.count_error(text);
    }
    deliver(eng, id, reply);
}

/// Delivers a blocked client's final reply and runs what it sent meanwhile.
fn deliver(eng: &mut Engine, id: ClientId, reply: Reply) {
    let Some(b) = eng.blocking.unblock(id) else { return };
    if let Some(c) = eng.clients.get_mut(&id) {
        c.reply(&reply);
    }
    eng.woken.push(id);
    let mut pending = b.pending;
    while let Some(argv) = pending.pop_front() {
        eng.execute(id, argv);
        if let Some(again) = eng.blocking.clients.get_mut(&id) {
            // Blocked again: the rest waits behind it.
            again.pending = pending;
            break;
        }
    }
}

/// Runs the commands CLIENT PAUSE held, oldest first, once the pause is over.
pub fn release_postponed(eng: &mut Engine) {
    while let Some(&id) = eng.blocking.postponed.front() {
        if eng.is_paused() {
            return;
        }
        let Some(b) = eng.blocking.unblock(id) else { continue };
        let mut pending = b.pending;
        pending.push_front(b.argv);
        while let Some(argv) = pending.pop_front() {
            eng.execute(id, argv);
            if let Some(again) = eng.blocking.clients.get_mut(&id) {
                again.pending.extend(pending.drain(..));
                break;
            }
        }
        eng.woken.push(id);
    }
}

/// Answers clients whose timeout passed with the timeout reply (a null array, as Valkey).
pub fn expire_timeouts(eng: &mut Engine) {
    let now = eng.clock.now_ms();
    let due: Vec<ClientId> = eng
        .blocking
        .clients
        .iter()
        .filter(|(_, b)| b.deadline_ms > 0 && now > b.deadline_ms)
        .map(|(&id, _)| id)
        .collect();
    for id in due {
        finish(eng, id, Reply::NullArray);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CommandError;

    #[test]
    fn parse_timeout_follows_get_timeout_from_object() {
        assert_eq!(parse_timeout(b"0", 1000), Ok(0));
        assert_eq!(parse_timeout(b"1.5", 1000), Ok(2500));
        assert_eq!(parse_timeout(b"0.0001", 1000), Ok(1001));
        assert_eq!(parse_timeout(b"-1", 1000), Err(CommandError::TimeoutNegative));
        assert_eq!(parse_timeout(b"abc", 1000), Err(CommandError::TimeoutNotFloat));
        assert_eq!(parse_timeout(b"inf", 1000), Err(CommandError::TimeoutOutOfRange));
        assert_eq!(parse_timeout(b"-inf", 1000), Err(CommandError::TimeoutNegative));
        assert_eq!(parse_timeout(b"9223372036854775", 1000), Err(CommandError::TimeoutOutOfRange));
    }
}
