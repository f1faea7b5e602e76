//! String commands: GET/SET and their variants, counters, ranges, APPEND and LCS.
//!
//! Valkey 8.0.1's `t_string.c` is the reference: option parsing (which combinations are syntax
//! errors), the order in which errors are reported, and which keyspace events fire all follow it.

use crate::args::{is, Args};
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::notify;
use crate::num::{parse_i64, LongDouble};
use crate::reply::Reply;
use crate::types::Value;

const G: Group = Group::String;

#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "append", 3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), append)
        .since("2.0.0").summary("Appends a string to the value of a key. Creates the key if it doesn't exist.")
        .syntax("key:key value"),
    CommandSpec::new(G, "decr", 2, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), decr)
        .summary("Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.")
        .syntax("key:key"),
    CommandSpec::new(G, "decrby", 3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), decrby)
        .summary("Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.")
        .syntax("key:key decrement:integer"),
    CommandSpec::new(G, "get", 2, READONLY | FAST, Keys::range(1, 1, 1), get)
        .summary("Returns the string value of a key.")
        .syntax("key:key"),
    CommandSpec::new(G, "getdel", 2, WRITE | FAST, Keys::range(1, 1, 1), getdel)
        .since("6.2.0").summary("Returns the string value of a key after deleting the key.")
        .syntax("key:key"),
    CommandSpec::new(G, "getex", -2, WRITE | FAST, Keys::range(1, 1, 1), getex)
        .since("6.2.0").summary("Returns the string value of a key after setting its expiration time.")
        .syntax("key:key [expiration: EX=seconds:integer | PX=milliseconds:integer | EXAT=unix-time-seconds:unix-time | PXAT=unix-time-milliseconds:unix-time | PERSIST]"),
    CommandSpec::new(G, "getrange", 4, READONLY, Keys::range(1, 1, 1), getrange)
        .since("2.4.0").summary("Returns a substring of the string stored at a key.")
        .syntax("key:key start:integer end:integer"),
    CommandSpec::new(G, "getset", 3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), getset)
        .summary("Returns the previous string value of a key after setting it to a new value.")
        .syntax("key:key value"),
    CommandSpec::new(G, "incr", 2, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), incr)
        .summary("Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.")
        .syntax("key:key"),
    CommandSpec::new(G, "incrby", 3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), incrby)
        .summary("Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.")
        .syntax("key:key increment:integer"),
    CommandSpec::new(G, "incrbyfloat", 3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), incrbyfloat)
        .since("2.6.0").summary("Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.")
        .syntax("key:key increment:double"),
    CommandSpec::new(G, "lcs", -3, READONLY, Keys::range(1, 2, 1), lcs)
        .since("7.0.0").summary("Finds the longest common substring.")
        .syntax("key1:key key2:key [LEN] [IDX] [MINMATCHLEN=min-match-len:integer] [WITHMATCHLEN]"),
    CommandSpec::new(G, "mget", -2, READONLY | FAST, Keys::range(1, -1, 1), mget)
        .summary("Atomically returns the string values of one or more keys.")
        .syntax("key:key..."),
    CommandSpec::new(G, "mset", -3, WRITE | DENYOOM, Keys::range(1, -1, 2), mset)
        .since("1.0.1").summary("Atomically creates or modifies the string values of one or more keys.")
        .syntax("(data; key:key value)..."),
    CommandSpec::new(G, "msetnx", -3, WRITE | DENYOOM, Keys::range(1, -1, 2), msetnx)
        .since("1.0.1").summary("Atomically modifies the string values of one or more keys only when all keys don't exist.")
        .syntax("(data; key:key value)..."),
    CommandSpec::new(G, "psetex", 4, WRITE | DENYOOM, Keys::range(1, 1, 1), psetex)
        .since("2.6.0").summary("Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.")
        .syntax("key:key milliseconds:integer value"),
    CommandSpec::new(G, "set", -3, WRITE | DENYOOM, Keys::range(1, 1, 1), set)
        .summary("Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.")
        .syntax("key:key value [condition: NX | XX]@2.6.12 [GET@6.2.0] [expiration: EX=seconds:integer@2.6.12 | PX=milliseconds:integer@2.6.12 | EXAT=unix-time-seconds:unix-time@6.2.0 | PXAT=unix-time-milliseconds:unix-time@6.2.0 | KEEPTTL@6.0.0]"),
    CommandSpec::new(G, "setex", 4, WRITE | DENYOOM, Keys::range(1, 1, 1), setex)
        .since("2.0.0").summary("Sets the string value and expiration time of a key. Creates the key if it doesn't exist.")
        .syntax("key:key seconds:integer value"),
    CommandSpec::new(G, "setnx", 3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), setnx)
        .summary("Set the string value of a key only when the key doesn't exist.")
        .syntax("key:key value"),
    CommandSpec::new(G, "setrange", 4, WRITE | DENYOOM, Keys::range(1, 1, 1), setrange)
        .since("2.2.0").summary("Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.")
        .syntax("key:key offset:integer value"),
    CommandSpec::new(G, "strlen", 2, READONLY | FAST, Keys::range(1, 1, 1), strlen)
        .since("2.2.0").summary("Returns the length of a string value.")
        .syntax("key:key"),
    CommandSpec::new(G, "substr", 4, READONLY, Keys::range(1, 1, 1), getrange)
        .summary("Returns a substring from a string value.")
        .syntax("key:key start:integer end:integer"),
];

// -- shared helpers --------------------------------------------------------------------------------

/// Valkey compares option words as C strings, so an argument ends at its first NUL byte
/// (`"NX\0junk"` is NX). We match the same way.
fn c_str(arg: &[u8]) -> &[u8] {
    arg.split(|&b| b == 0).next().unwrap_or_default()
}

/// The string value of `key` for a read (GET semantics): `None` when missing, WRONGTYPE otherwise.
fn read_value(ctx: &mut Ctx, key: &[u8]) -> Result<Option<Vec<u8>>, CommandError> {
    Ok(ctx.read_str(key)?.map(|v| v.to_vec()))
}

/// Stores a string value as Valkey's setKey and dbAdd do: a key that did not exist (`existed`
/// false) fires the `new` event, before the command's own event. `keep_ttl` keeps an existing
/// key's deadline; otherwise it is dropped.
fn store_str(ctx: &mut Ctx, key: &[u8], value: Vec<u8>, existed: bool, keep_ttl: bool) {
    if keep_ttl {
        ctx.store_keep_ttl(key, Value::str(value));
    } else {
        ctx.store(key, Value::str(value));
    }
    if !existed {
        ctx.notify(notify::NEW, "new", key);
    }
}

/// Valkey's checkStringLength: a string of `len + extra` bytes must fit in proto-max-bulk-len.
fn check_string_length(len: i64, extra: i64, limit: i64) -> Result<(), CommandError> {
    match len.checked_add(extra) {
        Some(total) if total <= limit => Ok(()),
        _ => Err(CommandError::StringTooLong),
    }
}

// -- expire options (SET, SETEX, PSETEX, GETEX) ----------------------------------------------------

/// How an expire argument is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    /// EX: seconds from now.
    Ex,
    /// PX: milliseconds from now.
    Px,
    /// EXAT: a unix time in seconds.
    ExAt,
    /// PXAT: a unix time in milliseconds.
    PxAt,
}

impl ExpireKind {
    fn in_seconds(self) -> bool {
        matches!(self, ExpireKind::Ex | ExpireKind::ExAt)
    }

    fn is_absolute(self) -> bool {
        matches!(self, ExpireKind::ExAt | ExpireKind::PxAt)
    }
}

/// The options SET and GETEX share, as Valkey's parseExtendedStringArgumentsOrReply reads them.
#[derive(Debug, Default)]
struct StringOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    /// The expire option and its raw argument, read only after the whole command line parsed (a
    /// later syntax error wins over a malformed number).
    expire: Option<(ExpireKind, Vec<u8>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OptionsOf {
    Set,
    GetEx,
}

impl StringOptions {
    /// Parses the option words. Each option is accepted only when it does not contradict one seen
    /// before (NX with XX, KEEPTTL or PERSIST with an expire, two different expire kinds); the same
    /// option twice is fine, and for expires the last value wins.
    fn parse(rest: &[Vec<u8>], of: OptionsOf) -> Result<StringOptions, CommandError> {
        let mut o = StringOptions::default();
        let set = of == OptionsOf::Set;
        let mut i = 0;
        while i < rest.len() {
            let opt = c_str(&rest[i]);
            let next = rest.get(i + 1);
            let expire_kind = match opt.to_ascii_uppercase().as_slice() {
                b"EX" => Some(ExpireKind::Ex),
                b"PX" => Some(ExpireKind::Px),
                b"EXAT" => Some(ExpireKind::ExAt),
                b"PXAT" => Some(ExpireKind::PxAt),
                _ => None,
            };
            if is(opt, "NX") && !o.xx && set {
                o.nx = true;
            } else if is(opt, "XX") && !o.nx && set {
                o.xx = true;
            } else if is(opt, "GET") && set {
                o.get = true;
            } else if is(opt, "KEEPTTL") && !o.persist && o.expire.is_none() && set {
                o.keepttl = true;
            } else if is(opt, "PERSIST") && !set && o.expire.is_none() && !o.keepttl {
                o.persist = true;
            } else if let (Some(kind), Some(value)) = (expire_kind, next) {
                let compatible = o.expire.as_ref().is_none_or(|(k, _)| *k == kind);
                if o.keepttl || o.persist || !compatible {
                    return Err(CommandError::Syntax);
                }
                o.expire = Some((kind, value.clone()));
                i += 1;
            } else {
                return Err(CommandError::Syntax);
            }
            i += 1;
        }
        Ok(o)
    }
}

/// The absolute deadline (unix ms) an expire argument asks for, as Valkey's
/// getExpireMillisecondsOrReply computes it: zero, negative and overflowing values are
/// "invalid expire time in '<command>' command".
fn expire_deadline_ms(ctx: &Ctx, kind: ExpireKind, raw: &[u8]) -> Result<i64, CommandError> {
    let invalid = || CommandError::InvalidExpireTime(ctx.spec.name.to_string());
    let amount = parse_i64(raw).ok_or(CommandError::NotInteger)?;
    if amount <= 0 || (kind.in_seconds() && amount > i64::MAX / 1000) {
        return Err(invalid());
    }
    let mut ms = if kind.in_seconds() { amount * 1000 } else { amount };
    if !kind.is_absolute() {
        // Valkey adds in C and then looks for a wrapped (non-positive) sum.
        ms = ms.wrapping_add(ctx.now_ms);
    }
    if ms <= 0 {
        return Err(invalid());
    }
    Ok(ms)
}

// -- GET and SET families --------------------------------------------------------------------------

/// GET key
fn get(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    Ok(Reply::opt_bulk(read_value(ctx, &key)?))
}

/// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
/// PXAT unix-time-milliseconds | KEEPTTL]
fn set(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let value = args.next_owned()?;
    let opts = StringOptions::parse(args.rest(), OptionsOf::Set)?;
    set_generic(ctx, key, value, &opts, Reply::OK, Reply::Null)
}

/// SETNX key value
fn setnx(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let value = args.next_owned()?;
    let opts = StringOptions { nx: true, ..Default::default() };
    set_generic(ctx, key, value, &opts, Reply::Int(1), Reply::Int(0))
}

/// SETEX key seconds value
fn setex(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    set_with_ttl(ctx, args, ExpireKind::Ex)
}

/// PSETEX key milliseconds value
fn psetex(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    set_with_ttl(ctx, args, ExpireKind::Px)
}

fn set_with_ttl(ctx: &mut Ctx, args: &mut Args, kind: ExpireKind) -> CmdResult {
    let key = args.next_owned()?;
    let ttl = args.next_owned()?;
    let value = args.next_owned()?;
    let opts = StringOptions { expire: Some((kind, ttl)), ..Default::default() };
    set_generic(ctx, key, value, &opts, Reply::OK, Reply::Null)
}

/// What SET, SETNX, SETEX and PSETEX share (Valkey's setGenericCommand). `ok` answers a done write,
/// `aborted` a write NX/XX prevented; with GET the old value answers both.
fn set_generic(
    ctx: &mut Ctx,
    key: Vec<u8>,
    value: Vec<u8>,
    opts: &StringOptions,
    ok: Reply,
    aborted: Reply,
) -> CmdResult {
    let deadline_ms = match &opts.expire {
        Some((kind, raw)) => Some(expire_deadline_ms(ctx, *kind, raw)?),
        None => None,
    };
    let old = if opts.get { Some(read_value(ctx, &key)?) } else { None };
    let reply = |fallback: Reply| old.clone().map_or(fallback, Reply::opt_bulk);

    let found = ctx.lookup_write(&key).is_some();
    if (opts.nx && found) || (opts.xx && !found) {
        return Ok(reply(aborted));
    }
    if let Some(at_ms) = deadline_ms {
        // A deadline already passed: storing the key only for expiry to delete it would be
        // wasteful, so Valkey deletes any old value right away (a "del" event) and stores nothing.
        if at_ms <= ctx.now_ms {
            if found {
                ctx.remove(&key);
                ctx.written(notify::GENERIC, "del", &key);
            }
            return Ok(reply(Reply::OK));
        }
    }

    store_str(ctx, &key, value, found, opts.keepttl);
    ctx.written(notify::STRING, "set", &key);
    if let Some(at_ms) = deadline_ms {
        ctx.db().set_expire(&key, at_ms);
        // One write as far as dirty and WATCH go; the expire only adds its event.
        ctx.notify(notify::GENERIC, "expire", &key);
    }
    Ok(reply(ok))
}

/// GETSET key value
fn getset(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let value = args.next_owned()?;
    let old = read_value(ctx, &key)?;
    store_str(ctx, &key, value, old.is_some(), false);
    ctx.written(notify::STRING, "set", &key);
    Ok(Reply::opt_bulk(old))
}

/// GETDEL key
fn getdel(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let old = read_value(ctx, &key)?;
    if old.is_some() && ctx.remove(&key).is_some() {
        ctx.written(notify::GENERIC, "del", &key);
    }
    Ok(Reply::opt_bulk(old))
}

/// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds |
/// PERSIST]
fn getex(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let opts = StringOptions::parse(args.rest(), OptionsOf::GetEx)?;
    let Some(value) = read_value(ctx, &key)? else {
        return Ok(Reply::Null);
    };
    // The expire argument is only looked at once the key is known to be a string.
    let expire = match &opts.expire {
        Some((kind, raw)) => Some((*kind, expire_deadline_ms(ctx, *kind, raw)?)),
        None => None,
    };
    match expire {
        // Only an absolute time can already have passed: then the key goes now.
        Some((kind, at_ms)) if kind.is_absolute() && at_ms <= ctx.now_ms => {
            ctx.remove(&key);
            ctx.written(notify::GENERIC, "del", &key);
        }
        Some((_, at_ms)) => {
            ctx.db().set_expire(&key, at_ms);
            ctx.written(notify::GENERIC, "expire", &key);
        }
        None if opts.persist && ctx.db().persist(&key) => {
            ctx.written(notify::GENERIC, "persist", &key);
        }
        None => {}
    }
    Ok(Reply::bulk(value))
}

/// MGET key [key ...]
fn mget(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let keys: Vec<Vec<u8>> = args.rest().to_vec();
    let values = keys
        .iter()
        .map(|key| match ctx.lookup_read(key) {
            Some(crate::db::Entry { value: Value::Str(s), .. }) => Reply::bulk(s.as_bytes()),
            // Missing keys and keys of other types alike answer nil.
            _ => Reply::Null,
        })
        .collect();
    Ok(Reply::Array(values))
}

/// MSET key value [key value ...]
fn mset(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let pairs = take_pairs(ctx, args)?;
    store_pairs(ctx, pairs);
    Ok(Reply::OK)
}

/// MSETNX key value [key value ...]
fn msetnx(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let pairs = take_pairs(ctx, args)?;
    for (key, _) in &pairs {
        if ctx.lookup_write(key).is_some() {
            return Ok(Reply::Int(0));
        }
    }
    store_pairs(ctx, pairs);
    Ok(Reply::Int(1))
}

/// A key and the value to store under it.
type KeyValue = (Vec<u8>, Vec<u8>);

/// The key/value pairs of MSET and MSETNX; an odd count is an arity error, as Valkey reports it.
fn take_pairs(ctx: &Ctx, args: &mut Args) -> Result<Vec<KeyValue>, CommandError> {
    if !args.remaining().is_multiple_of(2) {
        return Err(CommandError::WrongArity(ctx.spec.name.to_string()));
    }
    let mut pairs = Vec::with_capacity(args.remaining() / 2);
    while !args.is_empty() {
        let key = args.next_owned()?;
        let value = args.next_owned()?;
        pairs.push((key, value));
    }
    Ok(pairs)
}

fn store_pairs(ctx: &mut Ctx, pairs: Vec<KeyValue>) {
    for (key, value) in pairs {
        let existed = ctx.exists(&key);
        store_str(ctx, &key, value, existed, false);
        ctx.written(notify::STRING, "set", &key);
    }
}

// -- in-place edits --------------------------------------------------------------------------------

/// APPEND key value
fn append(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let suffix = args.next_owned()?;
    let limit = ctx.eng.config.proto_max_bulk_len;
    let len = match ctx.write_str(&key)? {
        None => {
            let len = suffix.len();
            store_str(ctx, &key, suffix, false, false);
            len
        }
        Some(s) => {
            check_string_length(s.len() as i64, suffix.len() as i64, limit)?;
            // Taking the buffer out lets the allocator grow it in place instead of copying it.
            let mut bytes = std::mem::replace(s, crate::bytestr::ByteStr::EMPTY).into_vec();
            bytes.extend_from_slice(&suffix);
            let len = bytes.len();
            *s = bytes.into();
            len
        }
    };
    mark_raw(ctx, &key);
    ctx.written(notify::STRING, "append", &key);
    Ok(Reply::Int(len as i64))
}

/// SETRANGE key offset value
fn setrange(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let offset = args.next_i64()?;
    let patch = args.next_owned()?;
    if offset < 0 {
        return Err(CommandError::OffsetOutOfRange);
    }
    let limit = ctx.eng.config.proto_max_bulk_len;
    let len = match ctx.write_str(&key)? {
        // Writing nothing creates nothing.
        None if patch.is_empty() => return Ok(Reply::Int(0)),
        None => {
            check_string_length(offset, patch.len() as i64, limit)?;
            let bytes = overwrite(Vec::new(), offset as usize, &patch);
            let len = bytes.len();
            store_str(ctx, &key, bytes, false, false);
            len
        }
        Some(s) if patch.is_empty() => return Ok(Reply::Int(s.len() as i64)),
        Some(s) => {
            check_string_length(offset, patch.len() as i64, limit)?;
            let old = std::mem::replace(s, crate::bytestr::ByteStr::EMPTY).into_vec();
            let bytes = overwrite(old, offset as usize, &patch);
            let len = bytes.len();
            *s = bytes.into();
            len
        }
    };
    mark_raw(ctx, &key);
    ctx.written(notify::STRING, "setrange", &key);
    Ok(Reply::Int(len as i64))
}

/// Writes `patch` at `offset`, padding with zero bytes as needed.
fn overwrite(mut bytes: Vec<u8>, offset: usize, patch: &[u8]) -> Vec<u8> {
    let end = offset + patch.len();
    if bytes.len() < end {
        bytes.resize(end, 0);
    }
    bytes[offset..end].copy_from_slice(patch);
    bytes
}

/// GETRANGE key start end (and SUBSTR, its old name)
fn getrange(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let start = args.next_i64()?;
    let end = args.next_i64()?;
    let Some(s) = ctx.read_str(&key)? else {
        return Ok(Reply::bulk(""));
    };
    Ok(Reply::bulk(byte_range(s.as_bytes(), start, end)))
}

/// The bytes between `start` and `end` inclusive, negative indices counting from the end and both
/// clamped to the string, as Valkey's getrangeCommand.
fn byte_range(s: &[u8], mut start: i64, mut end: i64) -> &[u8] {
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        return &[];
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0).min(len - 1);
    if len == 0 || start > end {
        return &[];
    }
    &s[start as usize..=end as usize]
}

/// STRLEN key
fn strlen(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    Ok(Reply::Int(ctx.read_str(&key)?.map_or(0, |s| s.len() as i64)))
}

// -- counters --------------------------------------------------------------------------------------

/// INCR key
fn incr(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    incr_by(ctx, &key, 1)
}

/// DECR key
fn decr(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    incr_by(ctx, &key, -1)
}

/// INCRBY key increment
fn incrby(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let delta = args.next_i64()?;
    incr_by(ctx, &key, delta)
}

/// DECRBY key decrement
fn decrby(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let delta = args.next_i64()?;
    // i64::MIN has no positive counterpart to add.
    let delta = delta.checked_neg().ok_or(CommandError::DecrOverflow)?;
    incr_by(ctx, &key, delta)
}

/// Adds `delta` to the integer at `key` (0 when missing), keeping its TTL.
fn incr_by(ctx: &mut Ctx, key: &[u8], delta: i64) -> CmdResult {
    let current = match ctx.write_str(key)? {
        None => None,
        Some(s) => Some(parse_i64(s).ok_or(CommandError::NotInteger)?),
    };
    let value = current.unwrap_or(0).checked_add(delta).ok_or(CommandError::IncrOverflow)?;
    store_str(ctx, key, value.to_string().into_bytes(), current.is_some(), true);
    ctx.written(notify::STRING, "incrby", key);
    Ok(Reply::Int(value))
}

/// INCRBYFLOAT key increment
fn incrbyfloat(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    // Valkey parses, adds and prints in C's 80-bit `long double`; so do we, to give the same digits.
    let current = match ctx.write_str(&key)? {
        None => None,
        Some(s) => Some(LongDouble::parse(s).ok_or(CommandError::NotFloat)?),
    };
    let delta = LongDouble::parse(args.next()?).ok_or(CommandError::NotFloat)?;
    let value = current.unwrap_or(LongDouble::ZERO) + delta;
    if !value.is_finite() {
        return Err(CommandError::IncrNanOrInfinity);
    }
    let text = value.to_human_string().into_bytes();
    store_str(ctx, &key, text.clone(), current.is_some(), true);
    ctx.written(notify::STRING, "incrbyfloat", &key);
    Ok(Reply::Bulk(text))
}

// -- LCS -------------------------------------------------------------------------------------------

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
fn lcs(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key_a = args.next()?.to_vec();
    let key_b = args.next()?.to_vec();
    // Both keys are looked up (and type-checked) before any option is read.
    let a = lcs_operand(ctx, &key_a);
    let b = lcs_operand(ctx, &key_b);
    let (Some(a), Some(b)) = (a, b) else {
        return Err(CommandError::LcsKeysNotStrings);
    };

    let (mut want_len, mut want_idx, mut with_match_len, mut min_match_len) = (false, false, false, 0i64);
    while let Some(opt) = args.peek().map(|o| c_str(o).to_vec()) {
        args.next()?;
        if is(&opt, "IDX") {
            want_idx = true;
        } else if is(&opt, "LEN") {
            want_len = true;
        } else if is(&opt, "WITHMATCHLEN") {
            with_match_len = true;
        } else if is(&opt, "MINMATCHLEN") && !args.is_empty() {
            min_match_len = args.next_i64()?.max(0);
        } else {
            return Err(CommandError::Syntax);
        }
    }
    if want_len && want_idx {
        return Err(CommandError::LcsLenWithIdx);
    }
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return Err(CommandError::LcsStringTooLong);
    }

    let table = LcsTable::build(&a, &b, ctx.eng.config.proto_max_bulk_len)?;
    if want_len {
        return Ok(Reply::Int(table.len() as i64));
    }
    let walk = table.walk(&a, &b, min_match_len as u64);
    if !want_idx {
        return Ok(Reply::Bulk(walk.common));
    }
    let matches = walk
        .ranges
        .iter()
        .map(|r| {
            let mut item = vec![
                Reply::Array(vec![Reply::Int(r.a.0 as i64), Reply::Int(r.a.1 as i64)]),
                Reply::Array(vec![Reply::Int(r.b.0 as i64), Reply::Int(r.b.1 as i64)]),
            ];
            if with_match_len {
                item.push(Reply::Int(r.len() as i64));
            }
            Reply::Array(item)
        })
        .collect();
    Ok(Reply::Map(vec![
        (Reply::bulk("matches"), Reply::Array(matches)),
        (Reply::bulk("len"), Reply::Int(table.len() as i64)),
    ]))
}

/// An LCS operand: the string's bytes, empty for a missing key, `None` for another type.
fn lcs_operand(ctx: &mut Ctx, key: &[u8]) -> Option<Vec<u8>> {
    match ctx.lookup_read(key) {
        None => Some(Vec::new()),
        Some(crate::db::Entry { value: Value::Str(s), .. }) => Some(s.to_vec()),
        Some(_) => None,
    }
}

/// The dynamic-programming table of LCS lengths: cell (i, j) holds the length of the longest common
/// subsequence of `a[..i]` and `b[..j]`.
struct LcsTable {
    cells: Vec<u32>,
    width: usize,
    a_len: usize,
    b_len: usize,
}

/// A run of bytes common to both strings: inclusive positions in `a` and in `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MatchRange {
    a: (u32, u32),
    b: (u32, u32),
}

impl MatchRange {
    fn len(&self) -> u32 {
        self.a.1 - self.a.0 + 1
    }
}

/// What walking the table back yields: the common subsequence and its contiguous runs, last first.
struct LcsWalk {
    common: Vec<u8>,
    ranges: Vec<MatchRange>,
}

impl LcsTable {
    /// Fills the table. Like Valkey, refuses tables bigger than proto-max-bulk-len bytes and reports
    /// a failed allocation instead of aborting.
    fn build(a: &[u8], b: &[u8], max_bytes: i64) -> Result<LcsTable, CommandError> {
        let width = b.len() + 1;
        let cell_count = (a.len() as u64 + 1) * width as u64;
        if cell_count * std::mem::size_of::<u32>() as u64 > max_bytes as u64 {
            return Err(CommandError::LcsTableTooBig);
        }
        let mut cells: Vec<u32> = Vec::new();
        cells.try_reserve_exact(cell_count as usize).map_err(|_| CommandError::LcsAllocFailed)?;
        cells.resize(cell_count as usize, 0);
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                cells[i * width + j] = if a[i - 1] == b[j - 1] {
                    cells[(i - 1) * width + j - 1] + 1
                } else {
                    cells[(i - 1) * width + j].max(cells[i * width + j - 1])
                };
            }
        }
        Ok(LcsTable { cells, width, a_len: a.len(), b_len: b.len() })
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.width + j]
    }

    /// Length of the longest common subsequence.
    fn len(&self) -> u32 {
        self.at(self.a_len, self.b_len)
    }

    /// Walks back from the bottom-right cell, collecting the common bytes and the runs of at least
    /// `min_match_len` bytes (0: all), in the order Valkey emits them (from the strings' ends).
    fn walk(&self, a: &[u8], b: &[u8], min_match_len: u64) -> LcsWalk {
        let mut remaining = self.len() as usize;
        let mut common = vec![0u8; remaining];
        let mut ranges = Vec::new();
        let (mut i, mut j) = (self.a_len, self.b_len);
        // The run being extended backwards, if any.
        let mut run: Option<MatchRange> = None;
        while i > 0 && j > 0 {
            let mut close_run = false;
            if a[i - 1] == b[j - 1] {
                common[remaining - 1] = a[i - 1];
                let (ai, bj) = ((i - 1) as u32, (j - 1) as u32);
                match &mut run {
                    None => run = Some(MatchRange { a: (ai, ai), b: (bj, bj) }),
                    // The previous match was at (i, j): the run grows backwards.
                    Some(r) if r.a.0 as usize == i && r.b.0 as usize == j => {
                        r.a.0 -= 1;
                        r.b.0 -= 1;
                    }
                    Some(_) => close_run = true,
                }
                // A run touching the start of either string cannot grow further.
                if run.is_some_and(|r| r.a.0 == 0 || r.b.0 == 0) {
                    close_run = true;
                }
                remaining -= 1;
                i -= 1;
                j -= 1;
            } else {
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                close_run = run.is_some();
            }
            if close_run {
                if let Some(r) = run.take() {
                    if min_match_len == 0 || u64::from(r.len()) >= min_match_len {
                        ranges.push(r);
                    }
                }
            }
        }
        LcsWalk { common, ranges }
    }
}

/// APPEND and SETRANGE leave a `raw` string in Valkey, whatever it now holds (OBJECT ENCODING).
fn mark_raw(ctx: &mut Ctx, key: &[u8]) {
    if let Some(e) = ctx.db().get_mut(key) {
        e.raw = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_range_clamps_like_valkey() {
        let s = b"Hello World";
        assert_eq!(byte_range(s, 0, 3), b"Hell");
        assert_eq!(byte_range(s, 0, -1), b"Hello World");
        assert_eq!(byte_range(s, -4, -1), b"orld");
        assert_eq!(byte_range(s, 5, 3), b"");
        assert_eq!(byte_range(s, 5, 5000), b" World");
        assert_eq!(byte_range(s, -5000, 10000), b"Hello World");
        assert_eq!(byte_range(s, -1, -3), b"");
        assert_eq!(byte_range(b"", 0, -1), b"");
        assert_eq!(byte_range(s, i64::MIN, i64::MAX), b"Hello World");
    }

    #[test]
    fn lcs_table_walk_reports_runs_from_the_end() {
        let (a, b) = (b"ohmytext", b"mynewtext");
        let t = LcsTable::build(a, b, 512 << 20).unwrap();
        assert_eq!(t.len(), 6);
        let walk = t.walk(a, b, 0);
        assert_eq!(walk.common, b"mytext");
        assert_eq!(walk.ranges, vec![MatchRange { a: (4, 7), b: (5, 8) }, MatchRange { a: (2, 3), b: (0, 1) }]);
        assert_eq!(t.walk(a, b, 4).ranges, vec![MatchRange { a: (4, 7), b: (5, 8) }]);
    }

    #[test]
    fn string_options_conflicts_are_syntax_errors() {
        let parse = |words: &[&str], of| {
            let v: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
            StringOptions::parse(&v, of).map(|_| ())
        };
        assert!(parse(&["NX", "NX", "GET", "EX", "1", "EX", "2"], OptionsOf::Set).is_ok());
        assert!(parse(&["nx\0junk"], OptionsOf::Set).is_ok());
        for bad in [
            &["NX", "XX"][..],
            &["EX", "1", "PX", "1"],
            &["KEEPTTL", "EX", "1"],
            &["PXAT", "1", "KEEPTTL"],
            &["PERSIST"],
            &["EX"],
            &["FOO"],
        ] {
            assert_eq!(parse(bad, OptionsOf::Set), Err(CommandError::Syntax), "{bad:?}");
        }
        assert!(parse(&["PERSIST", "PERSIST"], OptionsOf::GetEx).is_ok());
        for bad in [&["NX"][..], &["GET"], &["KEEPTTL"], &["PERSIST", "EX", "1"], &["EXAT", "1", "PERSIST"]] {
            assert_eq!(parse(bad, OptionsOf::GetEx), Err(CommandError::Syntax), "{bad:?}");
        }
    }
}
