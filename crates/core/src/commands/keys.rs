//! Generic and keyspace commands: the ones that work on keys whatever they hold (DEL, EXISTS, TYPE,
//! RENAME, MOVE, COPY), their deadlines (EXPIRE and friends, TTL, PERSIST), walking the keyspace (KEYS,
//! SCAN, RANDOMKEY, DBSIZE), OBJECT, and whole databases (SWAPDB, FLUSHDB, FLUSHALL).
//!
//! Also [`parse_scan_cursor`], which HSCAN, SSCAN and ZSCAN parse their cursor with too. WATCH after a
//! flush or a swap is `transactions::touch_all_watched_keys_in_db`.

use crate::args::{is, Args};
use crate::bytestr::ByteStr;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::commands::transactions::touch_all_watched_keys_in_db;
use crate::ctx::Ctx;
use crate::db::Entry;
use crate::engine::{truncate_lossy, Engine};
use crate::error::{CmdResult, CommandError};
use crate::notify::{GENERIC, KEY_MISS, NEW};
use crate::reply::Reply;
use std::borrow::Cow;

const G: Group = Group::Generic;
/// DBSIZE, SWAPDB, FLUSHDB and FLUSHALL are filed under "server" by Valkey.
const S: Group = Group::Server;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "copy", -3, WRITE | DENYOOM, Keys::range(1, 2, 1), copy)
        .since("6.2.0")
        .summary("Copies the value of a key to a new key.")
        .syntax("source:key destination:key1 [DB=destination-db:integer] [REPLACE]"),
    CommandSpec::new(S, "dbsize", 1, READONLY | FAST, Keys::None, dbsize)
        .summary("Returns the number of keys in the database."),
    CommandSpec::new(G, "del", -2, WRITE, Keys::range(1, -1, 1), del).summary("Deletes one or more keys.")
        .syntax("key:key..."),
    CommandSpec::new(G, "exists", -2, READONLY | FAST, Keys::range(1, -1, 1), exists)
        .summary("Determines whether one or more keys exist.")
        .syntax("key:key..."),
    CommandSpec::new(G, "expire", -3, WRITE | FAST, Keys::range(1, 1, 1), expire)
        .summary("Sets the expiration time of a key in seconds.")
        .syntax("key:key seconds:integer [condition: NX | XX | GT | LT]@7.0.0"),
    CommandSpec::new(G, "expireat", -3, WRITE | FAST, Keys::range(1, 1, 1), expireat)
        .since("1.2.0")
        .summary("Sets the expiration time of a key to a Unix timestamp.")
        .syntax("key:key unix-time-seconds:unix-time [condition: NX | XX | GT | LT]@7.0.0"),
    CommandSpec::new(G, "expiretime", 2, READONLY | FAST, Keys::range(1, 1, 1), expiretime)
        .since("7.0.0")
        .summary("Returns the expiration time of a key as a Unix timestamp.")
        .syntax("key:key"),
    CommandSpec::new(S, "flushall", -1, WRITE, Keys::None, flushall).summary("Removes all keys from all databases.")
        .syntax("[flush-type: ASYNC@4.0.0 | SYNC@6.2.0]"),
    CommandSpec::new(S, "flushdb", -1, WRITE, Keys::None, flushdb)
        .summary("Remove all keys from the current database.")
        .syntax("[flush-type: ASYNC@4.0.0 | SYNC@6.2.0]"),
    CommandSpec::new(G, "keys", 2, READONLY, Keys::None, keys).summary("Returns all key names that match a pattern.")
        .syntax("pattern:pattern"),
    CommandSpec::new(G, "move", 3, WRITE | FAST, Keys::range(1, 1, 1), move_)
        .summary("Moves a key to another database.")
        .syntax("key:key db:integer"),
    CommandSpec::container(G, "object", OBJECT_SUBCOMMANDS)
        .since("2.2.3")
        .summary("A container for object introspection commands."),
    CommandSpec::new(G, "persist", 2, WRITE | FAST, Keys::range(1, 1, 1), persist)
        .since("2.2.0")
        .summary("Removes the expiration time of a key.")
        .syntax("key:key"),
    CommandSpec::new(G, "pexpire", -3, WRITE | FAST, Keys::range(1, 1, 1), pexpire)
        .since("2.6.0")
        .summary("Sets the expiration time of a key in milliseconds.")
        .syntax("key:key milliseconds:integer [condition: NX | XX | GT | LT]@7.0.0"),
    CommandSpec::new(G, "pexpireat", -3, WRITE | FAST, Keys::range(1, 1, 1), pexpireat)
        .since("2.6.0")
        .summary("Sets the expiration time of a key to a Unix milliseconds timestamp.")
        .syntax("key:key unix-time-milliseconds:unix-time [condition: NX | XX | GT | LT]@7.0.0"),
    CommandSpec::new(G, "pexpiretime", 2, READONLY | FAST, Keys::range(1, 1, 1), pexpiretime)
        .since("7.0.0")
        .summary("Returns the expiration time of a key as a Unix milliseconds timestamp.")
        .syntax("key:key"),
    CommandSpec::new(G, "pttl", 2, READONLY | FAST, Keys::range(1, 1, 1), pttl)
        .since("2.6.0")
        .summary("Returns the expiration time in milliseconds of a key.")
        .syntax("key:key"),
    // Valkey also flags RANDOMKEY and SCAN `touches_arbitrary_keys`, a flag COMMAND INFO hides and that
    // only shapes how lazy expiry is replicated.
    CommandSpec::new(G, "randomkey", 1, READONLY, Keys::None, randomkey)
        .summary("Returns a random key name from the database."),
    CommandSpec::new(G, "rename", 3, WRITE, Keys::range(1, 2, 1), rename)
        .summary("Renames a key and overwrites the destination.")
        .syntax("key:key newkey:key1"),
    CommandSpec::new(G, "renamenx", 3, WRITE | FAST, Keys::range(1, 2, 1), renamenx)
        .summary("Renames a key only when the target key name doesn't exist.")
        .syntax("key:key newkey:key1"),
    CommandSpec::new(G, "scan", -2, READONLY, Keys::None, scan)
        .since("2.8.0")
        .summary("Iterates over the key names in the database.")
        .syntax("cursor:integer [MATCH=pattern:pattern] [COUNT=count:integer] [TYPE=type@6.0.0]"),
    CommandSpec::new(S, "swapdb", 3, WRITE | FAST, Keys::None, swapdb).since("4.0.0").summary("Swaps two databases.")
        .syntax("index1:integer index2:integer"),
    CommandSpec::new(G, "touch", -2, READONLY | FAST, Keys::range(1, -1, 1), touch).since("3.2.1").summary(
        "Returns the number of existing keys out of those specified after updating the time they were last accessed.",
    )
        .syntax("key:key..."),
    CommandSpec::new(G, "ttl", 2, READONLY | FAST, Keys::range(1, 1, 1), ttl)
        .summary("Returns the expiration time in seconds of a key.")
        .syntax("key:key"),
    CommandSpec::new(G, "type", 2, READONLY | FAST, Keys::range(1, 1, 1), type_)
        .summary("Determines the type of value stored at a key.")
        .syntax("key:key"),
    CommandSpec::new(G, "unlink", -2, WRITE | FAST, Keys::range(1, -1, 1), unlink)
        .since("4.0.0")
        .summary("Asynchronously deletes one or more keys.")
        .syntax("key:key..."),
];

const OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "object|encoding", 3, READONLY, Keys::range(2, 2, 1), object_encoding)
        .since("2.2.3")
        .summary("Returns the internal encoding of an object.")
        .syntax("key:key"),
    CommandSpec::new(G, "object|freq", 3, READONLY, Keys::range(2, 2, 1), object_freq)
        .since("4.0.0")
        .summary("Returns the logarithmic access frequency counter of an object.")
        .syntax("key:key"),
    CommandSpec::new(G, "object|help", 2, LOADING | STALE, Keys::None, object_help)
        .since("6.2.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "object|idletime", 3, READONLY, Keys::range(2, 2, 1), object_idletime)
        .since("2.2.3")
        .summary("Returns the time since the last access to an object.")
        .syntax("key:key"),
    CommandSpec::new(G, "object|refcount", 3, READONLY, Keys::range(2, 2, 1), object_refcount)
        .since("2.2.3")
        .summary("Returns the reference count of a value of a key.")
        .syntax("key:key"),
];

// -- lookups --------------------------------------------------------------------------------------

/// A read that must not count as an access (TTL, TYPE, EXISTS, OBJECT): expired keys vanish and
/// hits/misses are counted, but the LRU clock of the key stays put. `keymiss` is fired on a miss
/// unless `notify_miss` is false (OBJECT, as Valkey's LOOKUP_NONOTIFY).
fn lookup_no_touch<'c>(ctx: &'c mut Ctx, key: &[u8], notify_miss: bool) -> Option<&'c Entry> {
    let db = ctx.db_index();
    ctx.expire_if_needed(db, key);
    if !ctx.eng.dbs[db].contains(key) {
        ctx.eng.stats.keyspace_misses += 1;
        if notify_miss {
            ctx.notify(KEY_MISS, "keymiss", key);
        }
        return None;
    }
    ctx.eng.stats.keyspace_hits += 1;
    ctx.eng.dbs[db].get(key)
}

/// A key of another database about to be overwritten (MOVE, COPY ... DB): expired keys vanish first.
fn exists_for_write_in(ctx: &mut Ctx, db: usize, key: &[u8]) -> bool {
    ctx.expire_if_needed(db, key);
    ctx.eng.dbs[db].contains(key)
}

// -- integer arguments ----------------------------------------------------------------------------

/// Valkey's `getIntFromObjectOrReply`: a 32-bit integer. With `msg`, every failure answers `ERR msg`;
/// without, the generic "not an integer" or the range message.
fn parse_int(arg: &[u8], msg: Option<&'static str>) -> Result<i64, CommandError> {
    let fail = |generic: CommandError| msg.map_or(generic, CommandError::err);
    let v = crate::num::parse_i64(arg).ok_or_else(|| fail(CommandError::NotInteger))?;
    if v < i64::from(i32::MIN) || v > i64::from(i32::MAX) {
        return Err(fail(CommandError::err(format!(
            "value is out of range, value must between {} and {}",
            i32::MIN,
            i32::MAX
        ))));
    }
    Ok(v)
}

/// A database number as MOVE and COPY take it.
fn parse_db(ctx: &Ctx, arg: &[u8]) -> Result<usize, CommandError> {
    let id = parse_int(arg, None)?;
    if id < 0 || id as usize >= ctx.eng.dbs.len() {
        return Err(CommandError::DbIndexOutOfRange);
    }
    Ok(id as usize)
}

/// Parses a SCAN/HSCAN/SSCAN/ZSCAN cursor as Valkey's `string2ull`: a strict integer (negative ones
/// refused), or else whatever C's `strtoull(s, 10)` reads completely: leading spaces, a `+` or `-`
/// sign (`-` wraps, as C does), leading zeros. The argument is a C string there: a NUL ends it.
/// `None` is Valkey's "invalid cursor".
pub fn parse_scan_cursor(arg: &[u8]) -> Option<u64> {
    crate::num::parse_u64_like_strtoull(arg)
}

// -- DEL, UNLINK, EXISTS, TYPE, TOUCH -------------------------------------------------------------

/// DEL key [key ...]
fn del(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    delete_keys(ctx, args)
}

/// UNLINK key [key ...]: DEL whose freeing Valkey does in the background; here it is the same.
fn unlink(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    delete_keys(ctx, args)
}

fn delete_keys(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mut deleted = 0;
    for key in args.rest() {
        // An expired key is deleted as expired (its own event), not counted as deleted.
        if ctx.remove(key).is_some() {
            ctx.written(GENERIC, "del", key);
            deleted += 1;
        }
    }
    Ok(Reply::Int(deleted))
}

/// EXISTS key [key ...]: a key named twice counts twice.
fn exists(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mut count = 0;
    for key in args.rest() {
        if lookup_no_touch(ctx, key, true).is_some() {
            count += 1;
        }
    }
    Ok(Reply::Int(count))
}

/// TYPE key
fn type_(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    let name = lookup_no_touch(ctx, key, true).map_or("none", |e| e.value.type_name());
    Ok(Reply::status(name))
}

/// TOUCH key [key ...]: a read that updates the access time, even for a NO-TOUCH client.
fn touch(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mut touched = 0;
    for key in args.rest() {
        if ctx.lookup_read(key).is_some() {
            touched += 1;
        }
    }
    Ok(Reply::Int(touched))
}

// -- RENAME, RENAMENX, MOVE, COPY -----------------------------------------------------------------

/// RENAME key newkey
fn rename(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    rename_generic(ctx, args, false)
}

/// RENAMENX key newkey
fn renamenx(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    rename_generic(ctx, args, true)
}

fn rename_generic(ctx: &mut Ctx, args: &mut Args, nx: bool) -> CmdResult {
    let src = args.next()?.to_vec();
    let dst = args.next()?.to_vec();
    if ctx.lookup_write(&src).is_none() {
        return Err(CommandError::NoSuchKey);
    }
    if src == dst {
        // Renaming a key onto itself changes nothing, but the key must exist.
        return Ok(if nx { Reply::Int(0) } else { Reply::OK });
    }
    let deadline_ms = ctx.db().expire_of(&src);
    if ctx.lookup_write(&dst).is_some() {
        if nx {
            return Ok(Reply::Int(0));
        }
        ctx.db().remove(&dst);
    }
    // The value object moves as is (its access time too), then takes the source's deadline along.
    let db = ctx.db();
    let (_, entry) = db.keys.remove(&src).expect("looked up above");
    if deadline_ms.is_some() {
        db.expires.remove(&src);
    }
    db.keys.insert_new(ByteStr::from(&dst[..]), entry);
    if let Some(at_ms) = deadline_ms {
        db.set_expire(&dst, at_ms);
    }
    let db_index = ctx.db_index();
    // The destination is a new key (Valkey's dbAdd), then the rename itself.
    ctx.notify(NEW, "new", &dst);
    ctx.written(GENERIC, "rename_from", &src);
    // One change for both keys, as Valkey counts it.
    ctx.signal_modified_in(db_index, &dst);
    ctx.notify(GENERIC, "rename_to", &dst);
    ctx.eng.blocking.signal_ready(db_index, &dst);
    Ok(if nx { Reply::Int(1) } else { Reply::OK })
}

/// MOVE key db
fn move_(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if ctx.eng.config.cluster_enabled {
        return Err(CommandError::err("MOVE is not allowed in cluster mode"));
    }
    let key = args.next()?.to_vec();
    let src = ctx.db_index();
    let dst = parse_db(ctx, args.next()?)?;
    if src == dst {
        return Err(CommandError::SameObject);
    }
    if ctx.lookup_write(&key).is_none() {
        return Ok(Reply::Int(0));
    }
    let deadline_ms = ctx.db().expire_of(&key);
    if exists_for_write_in(ctx, dst, &key) {
        return Ok(Reply::Int(0));
    }
    let (k, entry) = ctx.eng.dbs[src].keys.remove(&key).expect("looked up above");
    if deadline_ms.is_some() {
        ctx.eng.dbs[src].expires.remove(&key);
    }
    let target = &mut ctx.eng.dbs[dst];
    target.keys.insert_new(k, entry);
    if let Some(at_ms) = deadline_ms {
        target.set_expire(&key, at_ms);
    }
    crate::notify::notify(ctx.eng, NEW, "new", &key, dst);
    ctx.written_in(src, GENERIC, "move_from", &key);
    ctx.signal_modified_in(dst, &key);
    crate::notify::notify(ctx.eng, GENERIC, "move_to", &key, dst);
    ctx.eng.blocking.signal_ready(dst, &key);
    Ok(Reply::Int(1))
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let newkey = args.next()?.to_vec();
    let src = ctx.db_index();
    let mut dst = src;
    let mut replace = false;
    while let Some(opt) = args.peek() {
        if is(opt, "replace") {
            args.next()?;
            replace = true;
        } else if is(opt, "db") && args.remaining() >= 2 {
            args.next()?;
            dst = parse_db(ctx, args.next()?)?;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    if ctx.eng.config.cluster_enabled && (src != 0 || dst != 0) {
        return Err(CommandError::err("Copying to another database is not allowed in cluster mode"));
    }
    if src == dst && key == newkey {
        return Err(CommandError::SameObject);
    }
    let Some(entry) = ctx.lookup_read(&key) else { return Ok(Reply::Int(0)) };
    let value = entry.value.clone();
    let deadline_ms = ctx.db().expire_of(&key);
    if exists_for_write_in(ctx, dst, &newkey) {
        if !replace {
            return Ok(Reply::Int(0));
        }
        ctx.eng.dbs[dst].remove(&newkey);
    }
    let lru = ctx.eng.lru_clock();
    let target = &mut ctx.eng.dbs[dst];
    target.keys.insert_new(ByteStr::from(&newkey[..]), Entry::new(value, lru));
    if let Some(at_ms) = deadline_ms {
        target.set_expire(&newkey, at_ms);
    }
    crate::notify::notify(ctx.eng, NEW, "new", &newkey, dst);
    ctx.written_in(dst, GENERIC, "copy_to", &newkey);
    Ok(Reply::Int(1))
}

// -- EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT ---------------------------------------------------------

/// EXPIRE key seconds [NX | XX | GT | LT]
fn expire(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let now_ms = ctx.now_ms;
    expire_generic(ctx, args, now_ms, 1000)
}

/// PEXPIRE key milliseconds [NX | XX | GT | LT]
fn pexpire(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let now_ms = ctx.now_ms;
    expire_generic(ctx, args, now_ms, 1)
}

/// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
fn expireat(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    expire_generic(ctx, args, 0, 1000)
}

/// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
fn pexpireat(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    expire_generic(ctx, args, 0, 1)
}

/// Which existing deadline an EXPIRE may replace.
#[derive(Default)]
struct ExpireCondition {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl ExpireCondition {
    /// The options after the time, checked before the time is (as Valkey does).
    fn parse(opts: &[Vec<u8>]) -> Result<ExpireCondition, CommandError> {
        let mut c = ExpireCondition::default();
        for opt in opts {
            if is(opt, "nx") {
                c.nx = true;
            } else if is(opt, "xx") {
                c.xx = true;
            } else if is(opt, "gt") {
                c.gt = true;
            } else if is(opt, "lt") {
                c.lt = true;
            } else {
                return Err(CommandError::err(format!("Unsupported option {}", truncate_lossy(opt, usize::MAX))));
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(CommandError::err("NX and XX, GT or LT options at the same time are not compatible"));
        }
        if c.gt && c.lt {
            return Err(CommandError::err("GT and LT options at the same time are not compatible"));
        }
        Ok(c)
    }

    /// May `new_ms` replace `current_ms` (None: no deadline, an infinite TTL)?
    fn allows(&self, current_ms: Option<i64>, new_ms: i64) -> bool {
        match current_ms {
            None => !(self.xx || self.gt),
            Some(cur) => !(self.nx || (self.gt && new_ms <= cur) || (self.lt && new_ms >= cur)),
        }
    }
}

/// `base_ms` is the command's time for relative deadlines, 0 for absolute ones; `unit_ms` converts
/// the argument to milliseconds.
fn expire_generic(ctx: &mut Ctx, args: &mut Args, base_ms: i64, unit_ms: i64) -> CmdResult {
    let key = args.next()?.to_vec();
    let when = args.next()?.to_vec();
    let cond = ExpireCondition::parse(args.rest())?;
    let when = crate::num::parse_i64(&when).ok_or(CommandError::NotInteger)?;
    let invalid = || CommandError::InvalidExpireTime(ctx.spec.name.to_string());
    // Negative times are allowed (they delete the key); only overflow is refused.
    let when_ms = when.checked_mul(unit_ms).ok_or_else(invalid)?;
    let at_ms = when_ms.checked_add(base_ms).ok_or_else(invalid)?;
    if ctx.lookup_write(&key).is_none() {
        return Ok(Reply::Int(0));
    }
    let current_ms = ctx.db().expire_of(&key);
    if !cond.allows(current_ms, at_ms) {
        return Ok(Reply::Int(0));
    }
    if at_ms <= ctx.now_ms {
        // A deadline already past deletes the key, as a DEL would.
        ctx.db().remove(&key);
        ctx.written(GENERIC, "del", &key);
    } else {
        ctx.db().set_expire(&key, at_ms);
        ctx.written(GENERIC, "expire", &key);
    }
    Ok(Reply::Int(1))
}

// -- TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST --------------------------------------------------

/// TTL key
fn ttl(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    ttl_generic(ctx, args, false, false)
}

/// PTTL key
fn pttl(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    ttl_generic(ctx, args, true, false)
}

/// EXPIRETIME key
fn expiretime(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    ttl_generic(ctx, args, false, true)
}

/// PEXPIRETIME key
fn pexpiretime(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    ttl_generic(ctx, args, true, true)
}

/// -2: no key; -1: no deadline; else the time left (or the deadline), rounded to the nearest second
/// unless asked in milliseconds.
fn ttl_generic(ctx: &mut Ctx, args: &mut Args, in_ms: bool, absolute: bool) -> CmdResult {
    let key = args.next()?;
    if lookup_no_touch(ctx, key, true).is_none() {
        return Ok(Reply::Int(-2));
    }
    let Some(at_ms) = ctx.db().expire_of(key) else { return Ok(Reply::Int(-1)) };
    let ms = if absolute { at_ms } else { at_ms.saturating_sub(ctx.now_ms) };
    let ms = ms.max(0);
    Ok(Reply::Int(if in_ms { ms } else { ms.saturating_add(500) / 1000 }))
}

/// PERSIST key
fn persist(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    if ctx.lookup_write(key).is_none() || !ctx.db().persist(key) {
        return Ok(Reply::Int(0));
    }
    ctx.written(GENERIC, "persist", key);
    Ok(Reply::Int(1))
}

// -- KEYS, SCAN, RANDOMKEY, DBSIZE ----------------------------------------------------------------

/// KEYS pattern: logically expired keys are left out but not deleted.
fn keys(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let pattern = args.next()?;
    let all = pattern == b"*";
    let now_ms = ctx.now_ms;
    let db = &ctx.eng.dbs[ctx.client_ref().db];
    let found = db
        .keys
        .iter()
        .filter(|(k, _)| all || crate::glob::glob_match(pattern, k, false))
        .filter(|(k, _)| !db.is_expired(k, now_ms))
        .map(|(k, _)| Reply::Bulk(k.to_vec()))
        .collect();
    Ok(Reply::Array(found))
}

/// The type names SCAN's TYPE option knows (Valkey's, streams included).
const TYPE_NAMES: &[&str] = &["string", "list", "set", "zset", "hash", "stream"];

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
fn scan(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mut cursor = parse_scan_cursor(args.next()?).ok_or(CommandError::InvalidCursor)?;
    let mut count: i64 = 10;
    let mut pattern: Option<Vec<u8>> = None;
    let mut type_filter: Option<&'static str> = None;
    while let Some(opt) = args.peek() {
        let has_value = args.remaining() >= 2;
        if is(opt, "count") && has_value {
            args.next()?;
            count = args.next_i64()?;
            if count < 1 {
                return Err(CommandError::Syntax);
            }
        } else if is(opt, "match") && has_value {
            args.next()?;
            let p = args.next()?;
            // "*" matches everything: no need to test each key.
            pattern = (p != b"*").then(|| p.to_vec());
        } else if is(opt, "type") && has_value {
            args.next()?;
            let name = args.next()?;
            let known = TYPE_NAMES.iter().find(|t| is(name, t));
            let Some(known) = known else {
                return Err(CommandError::err(format!("unknown type name '{}'", truncate_lossy(name, usize::MAX))));
            };
            type_filter = Some(known);
        } else if is(opt, "novalues") {
            return Err(CommandError::err("NOVALUES option can only be used in HSCAN"));
        } else if is(opt, "noscores") {
            return Err(CommandError::err("NOSCORES option can only be used in ZSCAN"));
        } else {
            return Err(CommandError::Syntax);
        }
    }

    let db = ctx.db_index();
    let dict = &ctx.eng.dbs[db].keys;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut sampled: i64 = 0;
    // Bounds the work on a sparse table: at most ten buckets per key asked for.
    let mut max_iterations = count.saturating_mul(10);
    loop {
        cursor = dict.scan(cursor, |k, e| {
            sampled += 1;
            if type_filter.is_some_and(|t| t != e.value.type_name()) {
                return;
            }
            if pattern.as_ref().is_some_and(|p| !crate::glob::glob_match(p, k, false)) {
                return;
            }
            found.push(k.to_vec());
        });
        let go_on = cursor != 0 && max_iterations != 0;
        max_iterations -= 1;
        if !go_on || sampled >= count {
            break;
        }
    }
    // Expired keys are never returned; like any access, finding them deletes them.
    found.retain(|k| !ctx.expire_if_needed(db, k));
    // Valkey prints the cursor as a signed 64-bit number.
    let cursor = (cursor as i64).to_string().into_bytes();
    Ok(Reply::Array(vec![Reply::Bulk(cursor), Reply::Array(found.into_iter().map(Reply::Bulk).collect())]))
}

/// RANDOMKEY: expired keys drawn are deleted and another is drawn.
fn randomkey(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let db = ctx.db_index();
    // Every draw of an expired key deletes it, so the loop ends; the guard only matters if a
    // deletion were ever refused (then Valkey too gives up and returns a stale name).
    let mut stale_draws_left = 100;
    loop {
        let eng = &mut *ctx.eng;
        let Some((key, _)) = eng.dbs[db].keys.random_entry(&mut eng.rng) else { return Ok(Reply::Null) };
        let key = key.to_vec();
        let before = eng.dbs[db].len();
        if !ctx.expire_if_needed(db, &key) {
            return Ok(Reply::Bulk(key));
        }
        if ctx.eng.dbs[db].len() == before {
            stale_draws_left -= 1;
            if stale_draws_left == 0 {
                return Ok(Reply::Bulk(key));
            }
        }
    }
}

/// DBSIZE: keys whose deadline passed but were not yet deleted still count, as in Valkey.
fn dbsize(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Int(ctx.db().len() as i64))
}

// -- OBJECT ---------------------------------------------------------------------------------------

/// OBJECT ENCODING key
fn object_encoding(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    Ok(lookup_no_touch(ctx, key, false).map_or(Reply::Null, |e| Reply::bulk(e.encoding())))
}

/// Valkey keeps the integers 0..9999 as shared objects (unless an LRU/LFU policy with a maxmemory
/// limit needs a private access time per value); OBJECT REFCOUNT shows INT_MAX for them.
const SHARED_INTEGERS: i64 = 10_000;

/// OBJECT REFCOUNT key
fn object_refcount(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    let sharing = ctx.eng.config.maxmemory == 0 || !(is_lru(ctx.eng) || is_lfu(ctx.eng));
    let Some(entry) = lookup_no_touch(ctx, key, false) else { return Ok(Reply::Null) };
    let shared = match &entry.value {
        crate::types::Value::Str(s) => {
            sharing
                && crate::types::string_encoding(s) == "int"
                && crate::num::parse_i64(s).is_some_and(|n| (0..SHARED_INTEGERS).contains(&n))
        }
        _ => false,
    };
    Ok(Reply::Int(if shared { i64::from(i32::MAX) } else { 1 }))
}

/// OBJECT IDLETIME key: seconds since the key was last accessed.
fn object_idletime(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    let clock = ctx.eng.lru_clock();
    let lfu = is_lfu(ctx.eng);
    let Some(entry) = lookup_no_touch(ctx, key, false) else { return Ok(Reply::Null) };
    if lfu {
        return Err(CommandError::err(
            "An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between \
             policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    Ok(Reply::Int(i64::from(clock.saturating_sub(entry.lru))))
}

/// OBJECT FREQ key: the logarithmic access counter, decayed by the minutes since the last access.
/// Under an LFU policy `Entry::lru` holds Valkey's LFU layout: minutes (16 bits) << 8 | counter.
fn object_freq(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    let lfu = is_lfu(ctx.eng);
    let now_ms = ctx.now_ms;
    let decay_time = ctx.eng.config.lfu_decay_time;
    let Some(entry) = lookup_no_touch(ctx, key, false) else { return Ok(Reply::Null) };
    if !lfu {
        return Err(CommandError::err(
            "An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching \
             between policies at runtime LRU and LFU data will take some time to adjust.",
        ));
    }
    Ok(Reply::Int(lfu_decayed_counter(entry.lru, now_ms, decay_time)))
}

/// Valkey's LFUDecrAndReturn (see [`crate::evict::lfu_decayed_counter`]).
pub fn lfu_decayed_counter(lru: u32, now_ms: i64, decay_time_min: i64) -> i64 {
    i64::from(crate::evict::lfu_decayed_counter(lru, now_ms, decay_time_min))
}

/// OBJECT HELP
fn object_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    const LINES: &[&str] = &[
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
    ];
    Ok(help_reply(args.name(), LINES))
}

/// Valkey's `addReplyHelp`: a heading naming the command as typed (upper-cased), the lines, and HELP.
fn help_reply(command: &[u8], lines: &[&'static str]) -> Reply {
    let name = String::from_utf8_lossy(command).to_uppercase();
    let mut out = Vec::with_capacity(lines.len() + 3);
    out.push(Reply::Status(Cow::Owned(format!("{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))));
    out.extend(lines.iter().map(|l| Reply::status(l)));
    out.push(Reply::status("HELP"));
    out.push(Reply::status("    Print this help."));
    Reply::Array(out)
}

fn is_lfu(eng: &Engine) -> bool {
    eng.config.maxmemory_policy.is_lfu()
}

fn is_lru(eng: &Engine) -> bool {
    eng.config.maxmemory_policy.is_lru()
}

// -- SWAPDB, FLUSHDB, FLUSHALL --------------------------------------------------------------------

/// SWAPDB index1 index2: clients stay on their database numbers and see the other data set.
fn swapdb(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if ctx.eng.config.cluster_enabled {
        return Err(CommandError::err("SWAPDB is not allowed in cluster mode"));
    }
    let id1 = parse_int(args.next()?, Some("invalid first DB index"))?;
    let id2 = parse_int(args.next()?, Some("invalid second DB index"))?;
    let n = ctx.eng.dbs.len() as i64;
    if !(0..n).contains(&id1) || !(0..n).contains(&id2) {
        return Err(CommandError::DbIndexOutOfRange);
    }
    let (a, b) = (id1 as usize, id2 as usize);
    if a != b {
        // WATCH, blocking and the selected db all stay with the numbers; only the data moves.
        touch_all_watched_keys_in_db(ctx.eng, a, Some(b));
        touch_all_watched_keys_in_db(ctx.eng, b, Some(a));
        ctx.eng.dbs.swap(a, b);
        signal_blocked_keys_that_exist(ctx.eng, &[a, b]);
    }
    ctx.eng.dirty += 1;
    Ok(Reply::OK)
}

/// Clients blocked on a key of `dbs` that now exists may be served (the key came with a swap).
fn signal_blocked_keys_that_exist(eng: &mut Engine, dbs: &[usize]) {
    let mut ready = Vec::new();
    for id in eng.clients.keys() {
        let Some(b) = eng.blocking.blocked(*id) else { continue };
        if !dbs.contains(&b.db) {
            continue;
        }
        ready.extend(b.keys.iter().filter(|k| eng.dbs[b.db].contains(k)).map(|k| (b.db, k.clone())));
    }
    for (db, key) in ready {
        eng.blocking.signal_ready(db, &key);
    }
}

/// Reads FLUSHDB/FLUSHALL's optional `ASYNC | SYNC`. Both free synchronously here: nothing else
/// runs while the engine works, so there is no latency to hide.
fn parse_flush_mode(args: &Args) -> Result<(), CommandError> {
    match args.rest() {
        [] => Ok(()),
        [mode] if is(mode, "sync") || is(mode, "async") => Ok(()),
        _ => Err(CommandError::Syntax),
    }
}

/// FLUSHDB [ASYNC | SYNC]
fn flushdb(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    parse_flush_mode(args)?;
    let db = ctx.db_index();
    let removed = flush_db(ctx.eng, db);
    ctx.eng.dirty += removed;
    Ok(Reply::OK)
}

/// FLUSHALL [ASYNC | SYNC]: with snapshotting configured, Valkey saves the now empty data set at
/// once, so the changes counter starts again from zero.
fn flushall(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    parse_flush_mode(args)?;
    let mut removed = 0;
    for db in 0..ctx.eng.dbs.len() {
        removed += flush_db(ctx.eng, db);
    }
    ctx.eng.dirty += removed;
    if !ctx.eng.config.save_points.is_empty() {
        crate::commands::persistence::save_after_flushall(ctx.eng);
    }
    Ok(Reply::OK)
}

/// Empties one database after failing the EXECs of clients watching its keys. Returns the number
/// of keys removed.
fn flush_db(eng: &mut Engine, db: usize) -> u64 {
    touch_all_watched_keys_in_db(eng, db, None);
    let d = &mut eng.dbs[db];
    let removed = d.len() as u64;
    d.clear();
    d.avg_ttl_ms = 0;
    removed
}
