//! Hash commands, as Valkey 8.0.1's `t_hash.c`, and the HSCAN/SSCAN option parsing and loop they
//! share with the set commands.

use crate::args::{is, Args};
use crate::bytestr::ByteStr;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::db::Entry;
use crate::error::{CmdResult, CommandError};
use crate::notify;
use crate::num::{parse_i64, LongDouble};
use crate::reply::Reply;
use crate::types::hash::{Hash, HashLimits};
use crate::types::Value;
use rand::rngs::SmallRng;

const G: Group = Group::Hash;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "hdel", -3, WRITE | FAST, Keys::range(1, 1, 1), hdel)
        .since("2.0.0")
        .summary("Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.")
        .syntax("key:key field..."),
    CommandSpec::new(G, "hexists", 3, READONLY | FAST, Keys::range(1, 1, 1), hexists)
        .since("2.0.0")
        .summary("Determines whether a field exists in a hash.")
        .syntax("key:key field"),
    CommandSpec::new(G, "hget", 3, READONLY | FAST, Keys::range(1, 1, 1), hget)
        .since("2.0.0")
        .summary("Returns the value of a field in a hash.")
        .syntax("key:key field"),
    CommandSpec::new(G, "hgetall", 2, READONLY, Keys::range(1, 1, 1), hgetall)
        .since("2.0.0")
        .summary("Returns all fields and values in a hash.")
        .syntax("key:key"),
    CommandSpec::new(G, "hincrby", 4, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), hincrby)
        .since("2.0.0")
        .summary("Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.")
        .syntax("key:key field increment:integer"),
    CommandSpec::new(G, "hincrbyfloat", 4, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), hincrbyfloat)
        .since("2.6.0")
        .summary("Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.")
        .syntax("key:key field increment:double"),
    CommandSpec::new(G, "hkeys", 2, READONLY, Keys::range(1, 1, 1), hkeys)
        .since("2.0.0")
        .summary("Returns all fields in a hash.")
        .syntax("key:key"),
    CommandSpec::new(G, "hlen", 2, READONLY | FAST, Keys::range(1, 1, 1), hlen)
        .since("2.0.0")
        .summary("Returns the number of fields in a hash.")
        .syntax("key:key"),
    CommandSpec::new(G, "hmget", -3, READONLY | FAST, Keys::range(1, 1, 1), hmget)
        .since("2.0.0")
        .summary("Returns the values of all fields in a hash.")
        .syntax("key:key field..."),
    CommandSpec::new(G, "hmset", -4, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), hmset)
        .since("2.0.0")
        .summary("Sets the values of multiple fields.")
        .syntax("key:key (data; field value)..."),
    CommandSpec::new(G, "hrandfield", -2, READONLY, Keys::range(1, 1, 1), hrandfield)
        .since("6.2.0")
        .summary("Returns one or more random fields from a hash.")
        .syntax("key:key [options; count:integer [WITHVALUES]]"),
    CommandSpec::new(G, "hscan", -3, READONLY, Keys::range(1, 1, 1), hscan)
        .since("2.8.0")
        .summary("Iterates over fields and values of a hash.")
        .syntax("key:key cursor:integer [MATCH=pattern:pattern] [COUNT=count:integer] [NOVALUES]"),
    CommandSpec::new(G, "hset", -4, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), hset)
        .since("2.0.0")
        .summary("Creates or modifies the value of a field in a hash.")
        .syntax("key:key (data; field value)..."),
    CommandSpec::new(G, "hsetnx", 4, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), hsetnx)
        .since("2.0.0")
        .summary("Sets the value of a field in a hash only when the field doesn't exist.")
        .syntax("key:key field value"),
    CommandSpec::new(G, "hstrlen", 3, READONLY | FAST, Keys::range(1, 1, 1), hstrlen)
        .since("3.2.0")
        .summary("Returns the length of the value of a field.")
        .syntax("key:key field"),
    CommandSpec::new(G, "hvals", 2, READONLY, Keys::range(1, 1, 1), hvals)
        .since("2.0.0")
        .summary("Returns all values in a hash.")
        .syntax("key:key"),
];

/// The `hash-max-listpack-*` thresholds now in force.
fn limits(ctx: &Ctx) -> HashLimits {
    let config = &ctx.eng.config;
    HashLimits {
        max_listpack_entries: config.hash_max_listpack_entries.max(0) as usize,
        max_listpack_value: config.hash_max_listpack_value.max(0) as usize,
    }
}

/// The hash at `key` for a write, created empty when the key does not exist (Valkey's
/// `hashTypeLookupWriteOrCreate`).
fn hash_for_write<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<&'c mut Hash, CommandError> {
    if ctx.write_hash(key)?.is_none() {
        ctx.store(key, Value::Hash(Box::default()));
    }
    Ok(ctx.write_hash(key)?.expect("stored above"))
}

/// One write reported for a command that changed `changes` things: Valkey adds them all to the dirty
/// counter, `Ctx::written` counts one.
fn written_n(ctx: &mut Ctx, class: u32, event: &str, key: &[u8], changes: usize) {
    ctx.written(class, event, key);
    ctx.eng.dirty += changes.saturating_sub(1) as u64;
}

/// HSET key field value [field value ...]
fn hset(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let created = set_fields(ctx, args)?;
    Ok(Reply::Int(created as i64))
}

/// HMSET key field value [field value ...]
fn hmset(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    set_fields(ctx, args)?;
    Ok(Reply::OK)
}

/// HSET and HMSET: sets every pair; returns how many fields are new.
fn set_fields(ctx: &mut Ctx, args: &mut Args) -> Result<usize, CommandError> {
    if args.argv().len() % 2 == 1 {
        return Err(CommandError::WrongArity(ctx.spec.name.to_string()));
    }
    let limits = limits(ctx);
    let key = args.next_owned()?;
    let pairs = args.remaining() / 2;
    let mut created = 0;
    {
        let hash = hash_for_write(ctx, &key)?;
        hash.prepare_write(pairs, args.rest().iter().map(|a| a.as_slice()), limits);
        for _ in 0..pairs {
            let field = ByteStr::from(args.next_owned()?);
            let value = ByteStr::from(args.next_owned()?);
            created += usize::from(hash.insert(field, value, limits));
        }
    }
    written_n(ctx, notify::HASH, "hset", &key, pairs);
    Ok(created)
}

/// HSETNX key field value
fn hsetnx(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let limits = limits(ctx);
    let key = args.next_owned()?;
    let field = args.next_owned()?;
    let value = args.next_owned()?;
    let hash = hash_for_write(ctx, &key)?;
    if hash.contains_key(&field) {
        return Ok(Reply::Int(0));
    }
    hash.prepare_write(1, [&field[..], &value[..]], limits);
    hash.insert(field.into(), value.into(), limits);
    ctx.written(notify::HASH, "hset", &key);
    Ok(Reply::Int(1))
}

/// HGET key field
fn hget(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let field = args.next()?;
    let Some(hash) = ctx.read_hash(&key)? else {
        return Ok(Reply::Null);
    };
    Ok(Reply::opt_bulk(hash.get(field).map(|v| v.as_bytes())))
}

/// HMGET key field [field ...]
fn hmget(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let hash = ctx.read_hash(&key)?;
    Ok(Reply::Array(
        args.rest()
            .iter()
            .map(|f| Reply::opt_bulk(hash.as_ref().and_then(|h| h.get(f)).map(|v| v.as_bytes())))
            .collect(),
    ))
}

/// HGETALL key
fn hgetall(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let Some(hash) = ctx.read_hash(&key)? else {
        return Ok(Reply::Map(Vec::new()));
    };
    Ok(Reply::Map(hash.iter().map(|(f, v)| (Reply::bulk(f.as_bytes()), Reply::bulk(v.as_bytes()))).collect()))
}

/// HKEYS key
fn hkeys(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let Some(hash) = ctx.read_hash(&key)? else {
        return Ok(Reply::EMPTY_ARRAY);
    };
    Ok(Reply::bulks(hash.iter().map(|(f, _)| f.as_bytes())))
}

/// HVALS key
fn hvals(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let Some(hash) = ctx.read_hash(&key)? else {
        return Ok(Reply::EMPTY_ARRAY);
    };
    Ok(Reply::bulks(hash.iter().map(|(_, v)| v.as_bytes())))
}

/// HLEN key
fn hlen(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    Ok(Reply::Int(ctx.read_hash(&key)?.map_or(0, |h| h.len()) as i64))
}

/// HEXISTS key field
fn hexists(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let field = args.next()?;
    Ok(Reply::Int(ctx.read_hash(&key)?.is_some_and(|h| h.contains_key(field)).into()))
}

/// HSTRLEN key field
fn hstrlen(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let field = args.next()?;
    Ok(Reply::Int(ctx.read_hash(&key)?.and_then(|h| h.get(field)).map_or(0, |v| v.len()) as i64))
}

/// HDEL key field [field ...]
fn hdel(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let (deleted, emptied) = {
        let Some(hash) = ctx.write_hash(&key)? else {
            return Ok(Reply::Int(0));
        };
        let mut deleted = 0;
        for field in args.rest() {
            if hash.remove(field) {
                deleted += 1;
                if hash.is_empty() {
                    break;
                }
            }
        }
        (deleted, hash.is_empty())
    };
    if emptied {
        ctx.remove(&key);
    }
    if deleted > 0 {
        written_n(ctx, notify::HASH, "hdel", &key, deleted);
        if emptied {
            ctx.notify(notify::GENERIC, "del", &key);
        }
    }
    Ok(Reply::Int(deleted as i64))
}

/// HINCRBY key field increment
fn hincrby(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let limits = limits(ctx);
    let key = args.next_owned()?;
    let field = args.next_owned()?;
    let incr = args.next_i64()?;
    let hash = hash_for_write(ctx, &key)?;
    let old = match hash.get(&field) {
        Some(v) => parse_i64(v).ok_or(CommandError::HashValueNotInteger)?,
        None => 0,
    };
    let new = old.checked_add(incr).ok_or(CommandError::IncrOverflow)?;
    hash.insert(field.into(), ByteStr::from(itoa::Buffer::new().format(new)), limits);
    ctx.written(notify::HASH, "hincrby", &key);
    Ok(Reply::Int(new))
}

/// HINCRBYFLOAT key field increment
fn hincrbyfloat(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let limits = limits(ctx);
    let key = args.next_owned()?;
    let field = args.next_owned()?;
    // Valkey adds in C's 80-bit `long double`; LongDouble does the same, so the digits match.
    let incr = LongDouble::parse(args.next()?).ok_or(CommandError::NotFloat)?;
    if !incr.is_finite() {
        return Err(CommandError::NanOrInfinity);
    }
    let hash = hash_for_write(ctx, &key)?;
    let old = match hash.get(&field) {
        Some(v) => LongDouble::parse(v).ok_or(CommandError::HashValueNotFloat)?,
        None => LongDouble::ZERO,
    };
    let new = old + incr;
    if !new.is_finite() {
        return Err(CommandError::IncrNanOrInfinity);
    }
    let text = new.to_human_string();
    hash.insert(field.into(), ByteStr::from(text.as_bytes()), limits);
    ctx.written(notify::HASH, "hincrbyfloat", &key);
    Ok(Reply::bulk(text))
}

/// HRANDFIELD key [count [WITHVALUES]]
fn hrandfield(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    if args.is_empty() {
        if ctx.read_hash(&key)?.is_none() {
            return Ok(Reply::Null);
        }
        let (hash, rng) = hash_and_rng(ctx, &key);
        let (field, _) = hash.random_entry(rng).expect("stored hashes are never empty");
        return Ok(Reply::bulk(field.as_bytes()));
    }
    let count = random_count(args.next()?)?;
    let with_values = match args.rest() {
        [] => false,
        [word] if is(word, "withvalues") => true,
        _ => return Err(CommandError::Syntax),
    };
    // Valkey doubles the count for the reply length: keep that within a long.
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(CommandError::OutOfRange);
    }
    let resp3 = ctx.resp3();
    if ctx.read_hash(&key)?.is_none() {
        return Ok(Reply::EMPTY_ARRAY);
    }
    let (hash, rng) = hash_and_rng(ctx, &key);
    let size = hash.len();
    let picked: Vec<(&ByteStr, &ByteStr)> = if count == 0 {
        Vec::new()
    } else if count < 0 || count == 1 {
        // Repeats allowed: each pick is independent.
        let n = count.unsigned_abs() as usize;
        let mut out = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            out.push(hash.random_entry(rng).expect("stored hashes are never empty"));
        }
        out
    } else if count as usize >= size {
        hash.iter().collect()
    } else {
        hash.random_distinct(count as usize, rng)
    };
    let items = if !with_values {
        picked.into_iter().map(|(f, _)| Reply::bulk(f.as_bytes())).collect()
    } else if resp3 {
        picked
            .into_iter()
            .map(|(f, v)| Reply::Array(vec![Reply::bulk(f.as_bytes()), Reply::bulk(v.as_bytes())]))
            .collect()
    } else {
        picked.into_iter().flat_map(|(f, v)| [Reply::bulk(f.as_bytes()), Reply::bulk(v.as_bytes())]).collect()
    };
    Ok(Reply::Array(items))
}

/// The hash at `key`, which the caller looked up, next to the engine's RNG (a split borrow).
fn hash_and_rng<'c>(ctx: &'c mut Ctx, key: &[u8]) -> (&'c Hash, &'c mut SmallRng) {
    let db = ctx.db_index();
    let eng = &mut *ctx.eng;
    match eng.dbs[db].get(key) {
        Some(Entry { value: Value::Hash(hash), .. }) => (hash, &mut eng.rng),
        _ => unreachable!("the caller found a hash at this key"),
    }
}

/// The count of HRANDFIELD and SRANDMEMBER: a long whose negation is a long.
pub(crate) fn random_count(arg: &[u8]) -> Result<i64, CommandError> {
    let count = parse_i64(arg).ok_or(CommandError::NotInteger)?;
    if count == i64::MIN {
        return Err(CommandError::err(format_args!(
            "value is out of range, value must between {} and {}",
            -i64::MAX,
            i64::MAX
        )));
    }
    Ok(count)
}

/// HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]
fn hscan(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let cursor = parse_scan_cursor(args.next()?)?;
    let Some(hash) = ctx.read_hash(&key)? else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let options = ScanOptions::parse(args.rest(), ScanOf::Hash)?;
    let mut items = Vec::new();
    let cursor = options.run(cursor, |cursor, sampled| {
        hash.scan(cursor, |field, value| {
            *sampled += 1;
            if options.matches(field) {
                items.push(Reply::bulk(field.as_bytes()));
                if !options.no_values {
                    items.push(Reply::bulk(value.as_bytes()));
                }
            }
        })
    });
    Ok(scan_reply(cursor, items))
}

// -- the scan machinery HSCAN and SSCAN share ----------------------------------------------------------

/// Reads a SCAN cursor as Valkey's `parseScanCursorOrReply` does (see [`crate::commands::keys::parse_scan_cursor`]).
pub(crate) fn parse_scan_cursor(arg: &[u8]) -> Result<u64, CommandError> {
    crate::commands::keys::parse_scan_cursor(arg).ok_or(CommandError::InvalidCursor)
}

/// Which command parses SCAN options: each accepts its own flag and names the others' in its error.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanOf {
    Hash,
    Set,
    /// ZSCAN may use this parser too: it takes NOSCORES.
    #[allow(dead_code)]
    ZSet,
}

pub(crate) struct ScanOptions {
    count: usize,
    /// `None` when there is no pattern or it is `*`, which matches everything.
    pattern: Option<Vec<u8>>,
    /// NOVALUES (HSCAN) or NOSCORES (ZSCAN): fields or members only.
    pub no_values: bool,
}

impl ScanOptions {
    /// The options after the cursor, checked in order as Valkey's `scanGenericCommand` does.
    pub(crate) fn parse(rest: &[Vec<u8>], of: ScanOf) -> Result<ScanOptions, CommandError> {
        let mut options = ScanOptions { count: 10, pattern: None, no_values: false };
        let mut i = 0;
        while i < rest.len() {
            let word = &rest[i];
            let more = rest.len() - i >= 2;
            if is(word, "count") && more {
                let count = parse_i64(&rest[i + 1]).ok_or(CommandError::NotInteger)?;
                if count < 1 {
                    return Err(CommandError::Syntax);
                }
                options.count = usize::try_from(count).unwrap_or(usize::MAX);
                i += 2;
            } else if is(word, "match") && more {
                let pattern = &rest[i + 1];
                options.pattern = (pattern.as_slice() != b"*").then(|| pattern.clone());
                i += 2;
            } else if is(word, "novalues") {
                if of != ScanOf::Hash {
                    return Err(CommandError::NoValuesOutsideHscan);
                }
                options.no_values = true;
                i += 1;
            } else if is(word, "noscores") {
                if of != ScanOf::ZSet {
                    return Err(CommandError::NoScoresOutsideZscan);
                }
                options.no_values = true;
                i += 1;
            } else {
                return Err(CommandError::Syntax);
            }
        }
        Ok(options)
    }

    pub(crate) fn matches(&self, element: &[u8]) -> bool {
        self.pattern.as_deref().is_none_or(|p| crate::glob::glob_match(p, element, false))
    }

    /// Valkey's loop: scan steps until the cursor wraps, `count` elements were looked at, or ten
    /// times `count` steps were taken (so a sparse table cannot stall the server). `step` takes the
    /// cursor and the count of elements looked at, and returns the next cursor.
    pub(crate) fn run(&self, mut cursor: u64, mut step: impl FnMut(u64, &mut usize) -> u64) -> u64 {
        let mut sampled = 0;
        let mut steps_left = self.count.saturating_mul(10);
        loop {
            cursor = step(cursor, &mut sampled);
            if cursor == 0 || steps_left == 0 || sampled >= self.count {
                return cursor;
            }
            steps_left -= 1;
        }
    }
}

/// `[cursor, [elements...]]`, the same in RESP2 and RESP3.
pub(crate) fn scan_reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::bulk(itoa::Buffer::new().format(cursor)), Reply::Array(items)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_cursor_reads_like_strtoull() {
        assert_eq!(parse_scan_cursor(b"0"), Ok(0));
        assert_eq!(parse_scan_cursor(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_scan_cursor(b" 007"), Ok(7));
        assert_eq!(parse_scan_cursor(b"+5"), Ok(5));
        assert_eq!(parse_scan_cursor(b"-0"), Ok(0));
        assert_eq!(parse_scan_cursor(b"-1"), Err(CommandError::InvalidCursor));
        assert_eq!(parse_scan_cursor(b"18446744073709551616"), Err(CommandError::InvalidCursor));
        assert_eq!(parse_scan_cursor(b"1x"), Err(CommandError::InvalidCursor));
        assert_eq!(parse_scan_cursor(b""), Err(CommandError::InvalidCursor));
        assert_eq!(parse_scan_cursor(b"1\0junk"), Ok(1));
    }
}
