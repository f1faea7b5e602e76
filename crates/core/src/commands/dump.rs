//! DUMP and RESTORE: a key's value as a DUMP payload (RDB serialization, RDB version, CRC64) and back,
//! through [`crate::rdb`]. Payloads move between ferrokey, Valkey and Redis.

use crate::args::{is, Args};
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::config::MaxmemoryPolicy;
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::notify::{GENERIC, NEW};
use crate::rdb::{dump_value_with, restore_value, EncodingLimits, LoadOptions, RdbError, WriteOptions};
use crate::reply::Reply;
use std::borrow::Cow;

const G: Group = Group::Generic;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "dump", 2, READONLY, Keys::range(1, 1, 1), dump)
        .since("2.6.0")
        .summary("Returns a serialized representation of the value stored at a key.")
        .syntax("key:key"),
    CommandSpec::new(G, "restore", -4, WRITE | DENYOOM, Keys::range(1, 1, 1), restore)
        .since("2.6.0")
        .summary("Creates a key from the serialized representation of a value.")
        .syntax("key:key ttl:integer serialized-value [REPLACE@3.0.0] [ABSTTL@5.0.0] [IDLETIME=seconds:integer@5.0.0] [FREQ=frequency:integer@5.0.0]"),
];

const BAD_FOOTER: CommandError = CommandError::Other(Cow::Borrowed("ERR DUMP payload version or checksum are wrong"));
const BAD_DATA: CommandError = CommandError::Other(Cow::Borrowed("ERR Bad data format"));
const BAD_TTL: CommandError = CommandError::Other(Cow::Borrowed("ERR Invalid TTL value, must be >= 0"));
const BAD_IDLETIME: CommandError = CommandError::Other(Cow::Borrowed("ERR Invalid IDLETIME value, must be >= 0"));
const BAD_FREQ: CommandError = CommandError::Other(Cow::Borrowed("ERR Invalid FREQ value, must be >= 0 and <= 255"));

/// DUMP key
fn dump(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    let opts = WriteOptions::from_config(&ctx.eng.config);
    let Some(entry) = ctx.lookup_read(key) else { return Ok(Reply::Null) };
    Ok(Reply::Bulk(dump_value_with(&entry.value, &opts)))
}

/// RESTORE's options after the payload.
struct RestoreOptions {
    replace: bool,
    absttl: bool,
    /// IDLETIME seconds (excludes FREQ).
    idle_s: Option<i64>,
    /// FREQ counter (excludes IDLETIME).
    freq: Option<u8>,
}

/// Valkey's order: IDLETIME after FREQ (and FREQ after IDLETIME) is a syntax error; a bad number is
/// the error of the first one met.
fn parse_restore_options(rest: &[Vec<u8>]) -> Result<RestoreOptions, CommandError> {
    let mut opts = RestoreOptions { replace: false, absttl: false, idle_s: None, freq: None };
    let mut j = 0;
    while j < rest.len() {
        let more = rest.len() - j - 1;
        let a = &rest[j];
        if is(a, "replace") {
            opts.replace = true;
        } else if is(a, "absttl") {
            opts.absttl = true;
        } else if is(a, "idletime") && more >= 1 && opts.freq.is_none() {
            let idle = crate::num::parse_i64(&rest[j + 1]).ok_or(CommandError::NotInteger)?;
            if idle < 0 {
                return Err(BAD_IDLETIME);
            }
            opts.idle_s = Some(idle);
            j += 1;
        } else if is(a, "freq") && more >= 1 && opts.idle_s.is_none() {
            let freq = crate::num::parse_i64(&rest[j + 1]).ok_or(CommandError::NotInteger)?;
            opts.freq = Some(u8::try_from(freq).map_err(|_| BAD_FREQ)?);
            j += 1;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    Ok(opts)
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
fn restore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (key, ttl_arg, payload) = (&argv[1], &argv[2], &argv[3]);
    let opts = parse_restore_options(&argv[4..])?;

    if !opts.replace && ctx.exists(key) {
        return Err(CommandError::BusyKey);
    }
    let mut ttl_ms = crate::num::parse_i64(ttl_arg).ok_or(CommandError::NotInteger)?;
    if ttl_ms < 0 {
        return Err(BAD_TTL);
    }

    let load = LoadOptions { limits: EncodingLimits::from_config(&ctx.eng.config), ..LoadOptions::default() };
    let value = restore_value(payload, &load).map_err(|e| match e {
        RdbError::BadPayloadFooter => BAD_FOOTER,
        _ => BAD_DATA,
    })?;

    // REPLACE removes the old key as Valkey's dbDelete does: whatever is stored, expired or not.
    let deleted = opts.replace && ctx.db().remove(key).is_some();

    if ttl_ms != 0 && !opts.absttl {
        ttl_ms = ttl_ms.wrapping_add(ctx.now_ms);
    }
    if ttl_ms != 0 && ttl_ms <= ctx.now_ms {
        // Already expired: the key is not created, and a replaced one is reported deleted.
        if deleted {
            ctx.written(GENERIC, "del", key);
        }
        return Ok(Reply::OK);
    }

    ctx.store(&key[..], value);
    if ttl_ms != 0 {
        ctx.db().set_expire(key, ttl_ms);
    }
    if let Some(lru) = access_clock(ctx, &opts) {
        if let Some(entry) = ctx.db().get_mut(key) {
            entry.lru = lru;
        }
    }
    ctx.notify(NEW, "new", key);
    ctx.written(GENERIC, "restore", key);
    Ok(Reply::OK)
}

/// The `lru` field IDLETIME or FREQ asks for (Valkey's objectSetLRUOrLFU): under an LFU policy FREQ
/// sets the counter with the current minute (the layout OBJECT FREQ reads); otherwise IDLETIME sets
/// the last access that many seconds before now on the LRU clock, wrapping below zero as Valkey's
/// clock does. The other option is ignored, as in Valkey.
fn access_clock(ctx: &Ctx, opts: &RestoreOptions) -> Option<u32> {
    let lfu = matches!(ctx.eng.config.maxmemory_policy, MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu);
    if lfu {
        let freq = opts.freq?;
        let minutes = ((ctx.now_ms / 1000 / 60) & 0xffff) as u32;
        Some((minutes << 8) | u32::from(freq))
    } else {
        let idle_s = opts.idle_s?;
        Some(ctx.eng.lru_clock().wrapping_sub(idle_s as u64 as u32))
    }
}
