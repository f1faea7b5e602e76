//! What the dataset's changes look like to the AOF (and, later, to replicas): for every execution
//! unit (a top-level command, a transaction, a script, an expiry in the cron) the list of commands
//! that replay it, as Valkey's `alsoPropagate` / `propagatePendingCommands` build it.
//!
//! A write command is propagated as it ran unless replaying it elsewhere, later, would give another
//! result: relative times become absolute (`SET k v EX 10` → `SET k v PXAT <ms>`, `EXPIRE` →
//! `PEXPIREAT`), random or blocking commands become the change they made (`SPOP` → `SREM`,
//! `BLPOP` → `LPOP`), computed values are written out (`INCRBYFLOAT` → `SET ... KEEPTTL`), and keys that
//! vanish by expiry or eviction are propagated as `DEL`/`UNLINK`. The rewrite reads the command's
//! arguments, its reply and the keyspace after it ([`rewrite`]), so handlers need not know about it.
//! A unit of more than one command is wrapped in `MULTI`/`EXEC`.
//!
//! Nothing is recorded unless a host turned [`Propagation::enabled`] on: with the AOF off the cost is
//! one test per command.

use crate::client::ClientId;
use crate::command::CommandSpec;
use crate::engine::Engine;
use crate::reply::Reply;

/// One command to replay, in database `db` (`None`: any database, for `MULTI` and `EXEC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Propagated {
    pub db: Option<usize>,
    pub argv: Vec<Vec<u8>>,
}

/// The engine's propagation state.
#[derive(Debug, Default)]
pub struct Propagation {
    /// Record what write commands propagate (a host has an AOF open).
    pub enabled: bool,
    /// The host is replaying a file: keys do not expire on access (the file says when they went).
    pub loading: bool,
    /// The commands of the execution unit that is running.
    pending: Vec<Propagated>,
    /// Finished units, oldest first, for the host to take.
    ready: Vec<Propagated>,
}

impl Propagation {
    /// The commands of every finished unit since the last call, in order.
    pub fn take_ready(&mut self) -> Vec<Propagated> {
        std::mem::take(&mut self.ready)
    }

    pub fn has_ready(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Forgets everything recorded (the host stopped listening).
    pub fn clear(&mut self) {
        self.pending.clear();
        self.ready.clear();
    }
}

/// Commands that run other commands: what they run is propagated, not themselves.
fn runs_other_commands(name: &str) -> bool {
    matches!(name, "exec" | "eval" | "evalsha" | "eval_ro" | "evalsha_ro" | "fcall" | "fcall_ro")
}

/// A key deleted without a command asking for it (expiry, eviction): `UNLINK` when `lazy`, else `DEL`,
/// as Valkey's `propagateDeletion`.
pub fn deletion(eng: &mut Engine, db: usize, key: &[u8], lazy: bool) {
    if !eng.propagate.enabled {
        return;
    }
    let name: &[u8] = if lazy { b"UNLINK" } else { b"DEL" };
    push(eng, db, vec![name.to_vec(), key.to_vec()]);
}

/// Adds a command to the running unit; outside any command (the cron) it is a unit of its own.
fn push(eng: &mut Engine, db: usize, argv: Vec<Vec<u8>>) {
    eng.propagate.pending.push(Propagated { db: Some(db), argv });
    if eng.depth == 0 {
        end_unit(eng);
    }
}

/// A command finished and changed the dataset: records what replays it. `argv` is the command as the
/// client sent it, `reply` its answer. Called by [`Engine::call`] only while propagation is enabled.
pub(crate) fn command(eng: &mut Engine, id: ClientId, spec: &CommandSpec, argv: &[Vec<u8>], reply: &Reply) {
    if runs_other_commands(spec.name) || reply.error_text().is_some() {
        return;
    }
    let Some(db) = eng.clients.get(&id).map(|c| c.db) else { return };
    for argv in rewrite(eng, db, spec.name, argv, reply) {
        eng.propagate.pending.push(Propagated { db: Some(db), argv });
    }
}

/// The execution unit is over: its commands become ready, in a transaction when there are several.
pub(crate) fn end_unit(eng: &mut Engine) {
    let p = &mut eng.propagate;
    match p.pending.len() {
        0 => {}
        1 => p.ready.append(&mut p.pending),
        _ => {
            p.ready.push(Propagated { db: None, argv: vec![b"MULTI".to_vec()] });
            p.ready.append(&mut p.pending);
            p.ready.push(Propagated { db: None, argv: vec![b"EXEC".to_vec()] });
        }
    }
}

fn word(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn int(n: i64) -> Vec<u8> {
    n.to_string().into_bytes()
}

fn is(arg: &[u8], name: &str) -> bool {
    arg.eq_ignore_ascii_case(name.as_bytes())
}

/// The commands that replay `argv` (which ran in `db` and answered `reply`) given the keyspace now.
pub fn rewrite(eng: &Engine, db: usize, name: &str, argv: &[Vec<u8>], reply: &Reply) -> Vec<Vec<Vec<u8>>> {
    let same = || vec![argv.to_vec()];
    let key = || argv.get(1).cloned().unwrap_or_default();
    let deadline = |k: &[u8]| eng.dbs[db].expire_of(k);
    let exists = |k: &[u8]| eng.dbs[db].get(k).is_some();
    let expired_delete =
        |k: Vec<u8>| vec![vec![word(if eng.config.lazyfree_lazy_expire { "UNLINK" } else { "DEL" }), k]];
    match name {
        "set" => {
            let relative = argv.iter().skip(3).any(|a| is(a, "ex") || is(a, "px") || is(a, "exat"));
            match deadline(&argv[1]) {
                Some(at) if relative => vec![vec![word("SET"), key(), argv[2].clone(), word("PXAT"), int(at)]],
                _ if argv.iter().skip(3).any(|a| is(a, "get")) => {
                    let kept = argv.iter().enumerate().filter(|(i, a)| *i < 3 || !is(a, "get"));
                    vec![kept.map(|(_, a)| a.clone()).collect()]
                }
                _ => same(),
            }
        }
        "setex" | "psetex" => match deadline(&argv[1]) {
            Some(at) => vec![vec![word("SET"), key(), argv[3].clone(), word("PXAT"), int(at)]],
            None => same(),
        },
        "getex" => {
            let persist = argv.iter().skip(2).any(|a| is(a, "persist"));
            match deadline(&argv[1]) {
                _ if !exists(&argv[1]) => expired_delete(key()),
                Some(at) if !persist => vec![vec![word("PEXPIREAT"), key(), int(at)]],
                _ => vec![vec![word("PERSIST"), key()]],
            }
        }
        "expire" | "pexpire" | "expireat" | "pexpireat" => match deadline(&argv[1]) {
            _ if !exists(&argv[1]) => expired_delete(key()),
            Some(at) => vec![vec![word("PEXPIREAT"), key(), int(at)]],
            None => same(),
        },
        "getdel" => vec![vec![word("DEL"), key()]],
        "getset" => vec![vec![word("SET"), key(), argv[2].clone()]],
        "incrbyfloat" => match reply {
            Reply::Bulk(v) => vec![vec![word("SET"), key(), v.clone(), word("KEEPTTL")]],
            _ => same(),
        },
        "hincrbyfloat" => match reply {
            Reply::Bulk(v) => vec![vec![word("HSET"), key(), argv[2].clone(), v.clone()]],
            _ => same(),
        },
        "spop" => match reply {
            Reply::Bulk(m) => vec![vec![word("SREM"), key(), m.clone()]],
            Reply::Array(ms) | Reply::Set(ms) if !exists(&argv[1]) && !ms.is_empty() => {
                let del = if eng.config.lazyfree_lazy_server_del { "UNLINK" } else { "DEL" };
                vec![vec![word(del), key()]]
            }
            Reply::Array(ms) | Reply::Set(ms) => {
                // Valkey sends SREMs of at most 1024 members each.
                let members: Vec<Vec<u8>> = ms.iter().filter_map(bulk).collect();
                members
                    .chunks(1024)
                    .map(|c| [word("SREM"), key()].into_iter().chain(c.iter().cloned()).collect())
                    .collect()
            }
            _ => same(),
        },
        "blpop" | "brpop" => match popped_from(reply) {
            Some(k) => vec![vec![word(if name == "blpop" { "LPOP" } else { "RPOP" }), k]],
            None => same(),
        },
        "bzpopmin" | "bzpopmax" => match popped_from(reply) {
            Some(k) => vec![vec![word(if name == "bzpopmin" { "ZPOPMIN" } else { "ZPOPMAX" }), k]],
            None => same(),
        },
        "lmpop" | "blmpop" | "zmpop" | "bzmpop" => mpop(name, argv, reply).unwrap_or_else(same),
        "brpoplpush" => vec![vec![word("RPOPLPUSH"), key(), argv[2].clone()]],
        "blmove" => vec![vec![word("LMOVE"), key(), argv[2].clone(), argv[3].clone(), argv[4].clone()]],
        "restore" => {
            let absolute = argv.iter().skip(4).any(|a| is(a, "absttl"));
            match deadline(&argv[1]) {
                Some(at) if !absolute => {
                    let mut out = argv.to_vec();
                    out[2] = int(at);
                    out.push(word("ABSTTL"));
                    vec![out]
                }
                _ => same(),
            }
        }
        "xadd" => match (xadd_id_position(argv), reply) {
            (Some(at), Reply::Bulk(id)) => {
                let mut out = argv.to_vec();
                out[at] = id.clone();
                vec![out]
            }
            _ => same(),
        },
        _ => same(),
    }
}

fn bulk(r: &Reply) -> Option<Vec<u8>> {
    match r {
        Reply::Bulk(b) => Some(b.clone()),
        Reply::Int(n) => Some(int(*n)),
        _ => None,
    }
}

/// The key a blocking pop answered with (`[key, value...]`).
fn popped_from(reply: &Reply) -> Option<Vec<u8>> {
    match reply {
        Reply::Array(items) => items.first().and_then(bulk),
        _ => None,
    }
}

/// `[B]LMPOP` / `[B]ZMPOP` answered `[key, [elements]]`: the plain pop of that many from that key.
fn mpop(name: &str, argv: &[Vec<u8>], reply: &Reply) -> Option<Vec<Vec<Vec<u8>>>> {
    let Reply::Array(items) = reply else { return None };
    let key = items.first().and_then(bulk)?;
    let count = match items.get(1)? {
        Reply::Array(v) | Reply::Set(v) => v.len() as i64,
        Reply::Map(v) => v.len() as i64,
        _ => return None,
    };
    let list = name.ends_with("lmpop");
    let lead = usize::from(name.starts_with('b')) + 1; // timeout before numkeys for the blocking forms
    let numkeys: usize = std::str::from_utf8(argv.get(lead)?).ok()?.parse().ok()?;
    let side = argv.get(lead + 1 + numkeys)?;
    let cmd = match (list, is(side, "left") || is(side, "min")) {
        (true, true) => "LPOP",
        (true, false) => "RPOP",
        (false, true) => "ZPOPMIN",
        (false, false) => "ZPOPMAX",
    };
    Some(vec![vec![word(cmd), key, int(count)]])
}

/// Where XADD's entry id is: after the key and the NOMKSTREAM / MAXLEN / MINID / LIMIT options.
fn xadd_id_position(argv: &[Vec<u8>]) -> Option<usize> {
    let mut i = 2;
    while let Some(a) = argv.get(i) {
        if is(a, "nomkstream") {
            i += 1;
        } else if is(a, "maxlen") || is(a, "minid") {
            i += 1;
            if argv.get(i).is_some_and(|m| m == b"=" || m == b"~") {
                i += 1;
            }
            i += 1;
        } else if is(a, "limit") {
            i += 2;
        } else {
            return Some(i);
        }
    }
    None
}
