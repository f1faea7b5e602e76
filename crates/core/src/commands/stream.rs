//! Stream commands, as Valkey 8.0.1's `t_stream.c`: XADD and trimming, range reads, XREAD and
//! XREADGROUP (blocking included), consumer groups (XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM),
//! XINFO and XSETID.
//!
//! Stream writes do exactly what Valkey does after each, which varies: XADD touches WATCHed keys,
//! fires `xadd` and wakes blocked readers; XACK and XGROUP SETID only count as changes; XGROUP
//! DESTROY wakes readers (so a blocked XREADGROUP gets NOGROUP). The helpers [`touch`], [`wake`],
//! [`event`] and [`changes`] are those separate steps.
//!
//! A blocked XREAD runs again after each write to one of its keys; `$` must keep meaning "after the
//! last ID when the command blocked", so before blocking the handler rewrites each `$` in the stored
//! arguments to the ID it stood for, as Valkey does.

use crate::args::{is, Args};
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::engine::truncate_lossy;
use crate::error::{CmdResult, CommandError};
use crate::notify;
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::types::stream::{
    parse_id, AddError, DeliveryCount, Entry, EntryRef, IdRequest, NodeLimits, Stream, StreamId, Trim,
    INVALID_ENTRIES_READ,
};
use crate::types::Value;
use std::borrow::Cow;

const G: Group = Group::Stream;

#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "xack", -4, WRITE | FAST, Keys::range(1, 1, 1), xack)
        .since("5.0.0").summary("Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.")
        .syntax("key:key group ID..."),
    CommandSpec::new(G, "xadd", -5, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), xadd)
        .since("5.0.0").summary("Appends a new message to a stream. Creates the key if it doesn't exist.")
        .syntax("key:key [NOMKSTREAM@6.2.0] [trim; {strategy: MAXLEN | MINID@6.2.0} [operator: ==equal:token | ~=approximately:token] threshold [LIMIT=count:integer@6.2.0]] {id-selector: *=auto-id:token | id} (data; field value)..."),
    CommandSpec::new(G, "xautoclaim", -6, WRITE | FAST, Keys::range(1, 1, 1), xautoclaim)
        .since("6.2.0").summary("Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.")
        .syntax("key:key group consumer min-idle-time start [COUNT=count:integer] [JUSTID]"),
    CommandSpec::new(G, "xclaim", -6, WRITE | FAST, Keys::range(1, 1, 1), xclaim)
        .since("5.0.0").summary("Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.")
        .syntax("key:key group consumer min-idle-time ID... [IDLE=ms:integer] [TIME=unix-time-milliseconds:unix-time] [RETRYCOUNT=count:integer] [FORCE] [JUSTID] [LASTID=lastid]"),
    CommandSpec::new(G, "xdel", -3, WRITE | FAST, Keys::range(1, 1, 1), xdel)
        .since("5.0.0").summary("Returns the number of messages after removing them from a stream.")
        .syntax("key:key ID..."),
    CommandSpec::container(G, "xgroup", XGROUP_SUBCOMMANDS)
        .since("5.0.0").summary("A container for consumer groups commands."),
    CommandSpec::container(G, "xinfo", XINFO_SUBCOMMANDS)
        .since("5.0.0").summary("A container for stream introspection commands."),
    CommandSpec::new(G, "xlen", 2, READONLY | FAST, Keys::range(1, 1, 1), xlen)
        .since("5.0.0").summary("Return the number of messages in a stream.")
        .syntax("key:key"),
    CommandSpec::new(G, "xpending", -3, READONLY, Keys::range(1, 1, 1), xpending)
        .since("5.0.0").summary("Returns the information and entries from a stream consumer group's pending entries list.")
        .syntax("key:key group [filters; [IDLE=min-idle-time:integer@6.2.0] start end count:integer [consumer]]"),
    CommandSpec::new(G, "xrange", -4, READONLY, Keys::range(1, 1, 1), xrange)
        .since("5.0.0").summary("Returns the messages from a stream within a range of IDs.")
        .syntax("key:key start end [COUNT=count:integer]"),
    CommandSpec::new(G, "xread", -4, BLOCKING | READONLY | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: xread_keys }, xread)
        .since("5.0.0").summary("Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.")
        .syntax("[COUNT=count:integer] [BLOCK=milliseconds:integer] STREAMS=(streams; key:key... ID...)"),
    CommandSpec::new(G, "xreadgroup", -7, BLOCKING | WRITE | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: xread_keys }, xreadgroup)
        .since("5.0.0").summary("Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.")
        .syntax("GROUP=(group-block; group consumer) [COUNT=count:integer] [BLOCK=milliseconds:integer] [NOACK] STREAMS=(streams; key:key... ID...)"),
    CommandSpec::new(G, "xrevrange", -4, READONLY, Keys::range(1, 1, 1), xrevrange)
        .since("5.0.0").summary("Returns the messages from a stream within a range of IDs in reverse order.")
        .syntax("key:key end start [COUNT=count:integer]"),
    CommandSpec::new(G, "xsetid", -3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), xsetid)
        .since("5.0.0").summary("An internal command for replicating stream values.")
        .syntax("key:key last-id [ENTRIESADDED=entries-added:integer@7.0.0] [MAXDELETEDID=max-deleted-id@7.0.0]"),
    CommandSpec::new(G, "xtrim", -4, WRITE, Keys::range(1, 1, 1), xtrim)
        .since("5.0.0").summary("Deletes messages from the beginning of a stream.")
        .syntax("key:key (trim; {strategy: MAXLEN | MINID@6.2.0} [operator: ==equal:token | ~=approximately:token] threshold [LIMIT=count:integer@6.2.0])"),
];

#[rustfmt::skip]
const XGROUP_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "xgroup|create", -5, WRITE | DENYOOM, Keys::range(2, 2, 1), xgroup_create)
        .since("5.0.0").summary("Creates a consumer group.")
        .syntax("key:key group {id-selector: id | $=new-id:token} [MKSTREAM] [ENTRIESREAD=entriesread{entries-read}:integer]"),
    CommandSpec::new(G, "xgroup|createconsumer", 5, WRITE | DENYOOM, Keys::range(2, 2, 1), xgroup_createconsumer)
        .since("6.2.0").summary("Creates a consumer in a consumer group.")
        .syntax("key:key group consumer"),
    CommandSpec::new(G, "xgroup|delconsumer", 5, WRITE, Keys::range(2, 2, 1), xgroup_delconsumer)
        .since("5.0.0").summary("Deletes a consumer from a consumer group.")
        .syntax("key:key group consumer"),
    CommandSpec::new(G, "xgroup|destroy", 4, WRITE, Keys::range(2, 2, 1), xgroup_destroy)
        .since("5.0.0").summary("Destroys a consumer group.")
        .syntax("key:key group"),
    CommandSpec::new(G, "xgroup|help", 2, LOADING | STALE, Keys::None, xgroup_help)
        .since("5.0.0").summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "xgroup|setid", -5, WRITE, Keys::range(2, 2, 1), xgroup_setid)
        .since("5.0.0").summary("Sets the last-delivered ID of a consumer group.")
        .syntax("key:key group {id-selector: id | $=new-id:token} [ENTRIESREAD=entriesread{entries-read}:integer]"),
];

#[rustfmt::skip]
const XINFO_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "xinfo|consumers", 4, READONLY, Keys::range(2, 2, 1), xinfo_consumers)
        .since("5.0.0").summary("Returns a list of the consumers in a consumer group.")
        .syntax("key:key group"),
    CommandSpec::new(G, "xinfo|groups", 3, READONLY, Keys::range(2, 2, 1), xinfo_groups)
        .since("5.0.0").summary("Returns a list of the consumer groups of a stream.")
        .syntax("key:key"),
    CommandSpec::new(G, "xinfo|help", 2, LOADING | STALE, Keys::None, xinfo_help)
        .since("5.0.0").summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "xinfo|stream", -3, READONLY, Keys::range(2, 2, 1), xinfo_stream)
        .since("5.0.0").summary("Returns information about a stream.")
        .syntax("key:key [full-block; FULL [COUNT=count:integer]]"),
];

/// The keys of XREAD/XREADGROUP: the first half of what follows `STREAMS`, found by skipping the
/// options as Valkey's `xreadGetKeys` does (a group, a consumer or a key may be named "streams").
fn xread_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    let mut i = 1;
    let mut streams = None;
    while i < argv.len() {
        let a = &argv[i];
        if is(a, "block") || is(a, "count") {
            i += 1;
        } else if is(a, "group") {
            i += 2;
        } else if is(a, "noack") {
        } else if is(a, "streams") {
            streams = Some(i);
            break;
        } else {
            break;
        }
        i += 1;
    }
    let Some(at) = streams else { return Vec::new() };
    let n = argv.len() - at - 1;
    if n == 0 || !n.is_multiple_of(2) {
        return Vec::new();
    }
    (at + 1..at + 1 + n / 2).collect()
}

// -- shared helpers ---------------------------------------------------------------------------------

/// WATCH: the key changed (Valkey's signalModifiedKey).
fn touch(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.db_index();
    ctx.signal_modified_in(db, key);
}

/// Clients blocked reading the key may now be served (Valkey's signalKeyAsReady). Stream events do
/// not wake blocked clients through `Ctx::written`, so stream writes ask for it here.
fn wake(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.db_index();
    ctx.eng.blocking.signal_ready(db, key);
}

/// A stream keyspace event.
fn event(ctx: &mut Ctx, name: &str, key: &[u8]) {
    ctx.notify(notify::STREAM, name, key);
}

/// Counts `n` changes (`rdb_changes_since_last_save`).
fn changes(ctx: &mut Ctx, n: u64) {
    ctx.eng.dirty += n;
}

/// Stores a new empty stream (Valkey's dbAdd, with its `new` event).
fn create_stream(ctx: &mut Ctx, key: &[u8]) {
    ctx.store(key, Value::Stream(Box::default()));
    ctx.notify(notify::NEW, "new", key);
}

/// The stream at `key`, which the caller made sure exists.
fn existing<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Result<&'c mut Stream, CommandError> {
    Ok(ctx.write_stream(key)?.expect("the stream exists"))
}

fn node_limits(ctx: &Ctx) -> NodeLimits {
    let c = &ctx.eng.config;
    NodeLimits {
        max_bytes: c.stream_node_max_bytes.max(0) as u64,
        max_entries: c.stream_node_max_entries.max(0) as u64,
    }
}

/// A user argument as C's `%s` prints it (up to a NUL).
fn c_str(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(&b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())])
}

fn no_group(key: &[u8], group: &[u8]) -> CommandError {
    CommandError::Other(format!("NOGROUP No such key '{}' or consumer group '{}'", c_str(key), c_str(group)).into())
}

fn no_group_for_key(key: &[u8], group: &[u8]) -> CommandError {
    CommandError::Other(
        format!("NOGROUP No such consumer group '{}' for key name '{}'", c_str(group), c_str(key)).into(),
    )
}

/// Valkey's addReplySubcommandSyntaxError.
fn subcommand_syntax(argv: &[Vec<u8>]) -> CommandError {
    CommandError::SubcommandSyntax(truncate_lossy(&argv[1], 128), String::from_utf8_lossy(&argv[0]).to_uppercase())
}

/// An ID where `-` and `+` are not allowed (XADD, XDEL, XACK, group IDs ...).
fn strict_id(arg: &[u8]) -> Result<StreamId, CommandError> {
    parse_id(arg, 0, true, false).map(|(id, _)| id).ok_or(CommandError::StreamIdInvalid)
}

/// A range bound: `-`, `+`, an ID, `ms` alone (the sequence is then `missing_seq`), or `(` and an ID
/// for an exclusive bound. Returns the ID and whether it is exclusive.
fn interval_id(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), CommandError> {
    let parsed = if arg.len() > 1 && arg[0] == b'(' {
        parse_id(&arg[1..], missing_seq, true, false).map(|(id, _)| (id, true))
    } else {
        parse_id(arg, missing_seq, false, false).map(|(id, _)| (id, false))
    };
    parsed.ok_or(CommandError::StreamIdInvalid)
}

fn range_start(arg: &[u8]) -> Result<StreamId, CommandError> {
    match interval_id(arg, 0)? {
        (id, true) => id.successor().ok_or(CommandError::IntervalStartInvalid),
        (id, false) => Ok(id),
    }
}

fn range_end(arg: &[u8]) -> Result<StreamId, CommandError> {
    match interval_id(arg, u64::MAX)? {
        (id, true) => id.predecessor().ok_or(CommandError::IntervalEndInvalid),
        (id, false) => Ok(id),
    }
}

fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

fn entry_reply(e: Entry) -> Reply {
    Reply::Array(vec![id_reply(e.id), Reply::Array(e.fields.into_iter().map(Reply::Bulk).collect())])
}

fn entry_ref_reply(e: EntryRef<'_>) -> Reply {
    let mut fields = Vec::with_capacity(2 * e.field_count());
    for (f, v) in e.fields() {
        fields.push(Reply::bulk(f));
        fields.push(Reply::bulk(v));
    }
    Reply::Array(vec![id_reply(e.id), Reply::Array(fields)])
}

fn bulk(s: &'static str) -> Reply {
    Reply::bulk(s.as_bytes())
}

/// Valkey's addReplyHelp: a heading naming the command as typed, the lines, and HELP.
fn help_reply(command: &[u8], lines: &[&'static str]) -> Reply {
    let name = String::from_utf8_lossy(command).to_uppercase();
    let mut out = Vec::with_capacity(lines.len() + 3);
    out.push(Reply::Status(Cow::Owned(format!("{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))));
    out.extend(lines.iter().map(|l| Reply::status(l)));
    out.push(Reply::status("HELP"));
    out.push(Reply::status("    Print this help."));
    Reply::Array(out)
}

fn add_error(e: AddError) -> CommandError {
    match e {
        AddError::IdTooSmall => CommandError::XaddIdTooSmall,
        AddError::TooLarge => CommandError::StreamElementsTooLarge,
    }
}

// -- XADD, XTRIM, XDEL, XLEN ------------------------------------------------------------------------

/// The options XADD and XTRIM share (Valkey's streamAddTrimArgs).
struct AddTrimArgs {
    trim: Option<Trim>,
    approx: bool,
    /// Entries a trim may delete at most; 0: no limit.
    limit: u64,
    no_mkstream: bool,
    /// XADD's ID and whether its sequence was given (`ms-*` leaves it to be generated); `None` for `*`.
    id: Option<(StreamId, bool)>,
    /// Where XADD's ID argument is.
    id_pos: usize,
}

/// Parses `[NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] <*|id>` (XADD) or the trim
/// options alone (XTRIM), with Valkey's checks in Valkey's order.
fn parse_add_or_trim(ctx: &Ctx, argv: &[Vec<u8>], xadd: bool) -> Result<AddTrimArgs, CommandError> {
    let mut t = AddTrimArgs { trim: None, approx: false, limit: 0, no_mkstream: false, id: None, id_pos: 0 };
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = &argv[i];
        if xadd && opt.as_slice() == b"*" {
            break;
        } else if (is(opt, "maxlen") || is(opt, "minid")) && more > 0 {
            if t.trim.is_some() {
                return Err(CommandError::TrimMaxlenAndMinid);
            }
            t.approx = false;
            let next = argv[i + 1].as_slice();
            if more >= 2 && next == b"~" {
                t.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let threshold = &argv[i + 1];
            t.trim = Some(if is(opt, "maxlen") {
                let n = parse_i64(threshold).ok_or(CommandError::NotInteger)?;
                if n < 0 {
                    return Err(CommandError::TrimMaxlenNegative);
                }
                Trim::MaxLen(n as u64)
            } else {
                Trim::MinId(strict_id(threshold)?)
            });
            i += 1;
        } else if is(opt, "limit") && more > 0 {
            limit = parse_i64(&argv[i + 1]).ok_or(CommandError::NotInteger)?;
            if limit < 0 {
                return Err(CommandError::TrimLimitNegative);
            }
            limit_given = true;
            i += 1;
        } else if xadd && is(opt, "nomkstream") {
            t.no_mkstream = true;
        } else if xadd {
            t.id = Some(parse_id(opt, 0, true, true).ok_or(CommandError::StreamIdInvalid)?);
            break;
        } else {
            return Err(CommandError::Syntax);
        }
        i += 1;
    }
    t.id_pos = i;
    if limit != 0 && t.trim.is_none() {
        return Err(CommandError::TrimLimitWithoutStrategy);
    }
    if !xadd && t.trim.is_none() {
        return Err(CommandError::XtrimWithoutStrategy);
    }
    if limit_given {
        if !t.approx {
            return Err(CommandError::TrimLimitWithoutApprox);
        }
        t.limit = limit as u64;
    } else if t.approx {
        // Approximate trimming does at most 100 nodes' worth of work unless told otherwise.
        let by_nodes = ctx.eng.config.stream_node_max_entries.saturating_mul(100);
        t.limit = if by_nodes <= 0 { 10_000 } else { by_nodes.min(1_000_000) as u64 };
    }
    Ok(t)
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
fn xadd(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let t = parse_add_or_trim(ctx, argv, true)?;
    let fields_at = t.id_pos + 1;
    if argv.len() < fields_at + 2 || (argv.len() - fields_at) % 2 == 1 {
        return Err(CommandError::WrongArity("xadd".into()));
    }
    if let Some((id, true)) = t.id {
        if id.is_zero() {
            return Err(CommandError::XaddIdZero);
        }
    }
    let key = &argv[1];
    if ctx.write_stream(key)?.is_none() {
        if t.no_mkstream {
            return Ok(Reply::Null);
        }
        create_stream(ctx, key);
    }
    let limits = node_limits(ctx);
    let now_ms = ctx.now_ms.max(0) as u64;
    let s = existing(ctx, key)?;
    if s.entries.last_id == StreamId::MAX {
        return Err(CommandError::StreamExhausted);
    }
    let request = match t.id {
        None => IdRequest::Auto,
        Some((id, true)) => IdRequest::Exact(id),
        Some((id, false)) => IdRequest::Ms(id.ms),
    };
    let id = s.entries.next_id(request, now_ms).map_err(add_error)?;
    let pairs: Vec<&[u8]> = argv[fields_at..].iter().map(|a| a.as_slice()).collect();
    s.entries.append(id, &pairs, limits).map_err(add_error)?;
    let trimmed = t.trim.map_or(0, |how| s.entries.trim(how, t.approx, t.limit));
    event(ctx, "xadd", key);
    changes(ctx, 1);
    if trimmed > 0 {
        event(ctx, "xtrim", key);
    }
    touch(ctx, key);
    wake(ctx, key);
    Ok(id_reply(id))
}

/// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
fn xtrim(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let t = parse_add_or_trim(ctx, argv, false)?;
    let key = &argv[1];
    let Some(s) = ctx.write_stream(key)? else { return Ok(Reply::Int(0)) };
    let how = t.trim.expect("XTRIM always has a strategy");
    let deleted = s.entries.trim(how, t.approx, t.limit);
    if deleted > 0 {
        event(ctx, "xtrim", key);
        touch(ctx, key);
        changes(ctx, deleted);
    }
    Ok(Reply::Int(deleted as i64))
}

/// XDEL key id [id ...]
fn xdel(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let key = &argv[1];
    let Some(s) = ctx.write_stream(key)? else { return Ok(Reply::Int(0)) };
    // All IDs are checked first: the command is not to be half done.
    let ids = argv[2..].iter().map(|a| strict_id(a)).collect::<Result<Vec<_>, _>>()?;
    let deleted = s.entries.delete(&ids);
    if deleted > 0 {
        touch(ctx, key);
        event(ctx, "xdel", key);
        changes(ctx, deleted);
    }
    Ok(Reply::Int(deleted as i64))
}

/// XLEN key
fn xlen(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?;
    Ok(Reply::Int(ctx.read_stream(key)?.map_or(0, |s| s.len() as i64)))
}

/// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
fn xsetid(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let id = strict_id(&argv[2])?;
    let mut entries_added: i64 = -1;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if is(&argv[i], "ENTRIESADDED") && more > 0 {
            entries_added = parse_i64(&argv[i + 1]).ok_or(CommandError::NotInteger)?;
            if entries_added < 0 {
                return Err(CommandError::EntriesAddedNegative);
            }
        } else if is(&argv[i], "MAXDELETEDID") && more > 0 {
            max_deleted = strict_id(&argv[i + 1])?;
            if id < max_deleted {
                return Err(CommandError::XsetidBelowGivenMaxDeleted);
            }
        } else {
            return Err(CommandError::Syntax);
        }
        i += 2;
    }
    let key = &argv[1];
    let s = ctx.write_stream(key)?.ok_or(CommandError::NoSuchKey)?;
    let e = &mut s.entries;
    if id < e.max_deleted_entry_id {
        return Err(CommandError::XsetidBelowMaxDeleted);
    }
    if !e.is_empty() {
        if e.last_live_id().is_some_and(|top| id < top) {
            return Err(CommandError::XsetidBelowTopItem);
        }
        if entries_added != -1 && e.len() > entries_added as u64 {
            return Err(CommandError::XsetidEntriesAddedBelowLength);
        }
    }
    e.last_id = id;
    if entries_added != -1 {
        e.entries_added = entries_added as u64;
    }
    if !max_deleted.is_zero() {
        e.max_deleted_entry_id = max_deleted;
    }
    changes(ctx, 1);
    event(ctx, "xsetid", key);
    Ok(Reply::OK)
}

// -- XRANGE, XREVRANGE ------------------------------------------------------------------------------

/// XRANGE key start end [COUNT count]
fn xrange(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    range_generic(ctx, args, false)
}

/// XREVRANGE key end start [COUNT count]
fn xrevrange(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    range_generic(ctx, args, true)
}

fn range_generic(ctx: &mut Ctx, args: &mut Args, rev: bool) -> CmdResult {
    let argv = args.argv();
    let (start_arg, end_arg) = if rev { (&argv[3], &argv[2]) } else { (&argv[2], &argv[3]) };
    let start = range_start(start_arg)?;
    let end = range_end(end_arg)?;
    let mut count: Option<i64> = None;
    let mut j = 4;
    while j < argv.len() {
        if is(&argv[j], "COUNT") && j + 1 < argv.len() {
            count = Some(parse_i64(&argv[j + 1]).ok_or(CommandError::NotInteger)?.max(0));
            j += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let Some(s) = ctx.read_stream(&argv[1])? else { return Ok(Reply::EMPTY_ARRAY) };
    let limit = match count {
        Some(0) => return Ok(Reply::NullArray),
        Some(n) => n as usize,
        None => usize::MAX,
    };
    Ok(Reply::Array(s.entries.range(start, end, rev).take(limit).map(entry_ref_reply).collect()))
}

// -- XREAD, XREADGROUP ------------------------------------------------------------------------------

/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
fn xread(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    read_generic(ctx, args, false)
}

/// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...]
/// id [id ...]
fn xreadgroup(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    read_generic(ctx, args, true)
}

/// BLOCK's argument, as Valkey's getTimeoutFromObjectOrReply in milliseconds: the deadline in unix ms,
/// 0 to block forever.
fn block_deadline(arg: &[u8], now_ms: i64) -> Result<i64, CommandError> {
    let ms = parse_i64(arg).ok_or(CommandError::TimeoutNotInteger)?;
    if ms < 0 {
        return Err(CommandError::TimeoutNegative);
    }
    if ms == 0 {
        return Ok(0);
    }
    if ms > i64::MAX - now_ms {
        return Err(CommandError::TimeoutOutOfRange);
    }
    Ok(ms + now_ms)
}

fn read_generic(ctx: &mut Ctx, args: &mut Args, with_group: bool) -> CmdResult {
    let argv = args.argv();
    let name = if with_group { "xreadgroup" } else { "xread" };
    let mut deadline_ms: Option<i64> = None;
    let mut count: usize = 0;
    let mut noack = false;
    let mut group: Option<(&[u8], &[u8])> = None;
    let mut streams_at = 0;
    let mut streams = 0;
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let o = &argv[i];
        if is(o, "BLOCK") && more > 0 {
            i += 1;
            deadline_ms = Some(block_deadline(&argv[i], ctx.now_ms)?);
        } else if is(o, "COUNT") && more > 0 {
            i += 1;
            count = parse_i64(&argv[i]).ok_or(CommandError::NotInteger)?.max(0) as usize;
        } else if is(o, "STREAMS") && more > 0 {
            streams_at = i + 1;
            let n = argv.len() - streams_at;
            if !n.is_multiple_of(2) {
                return Err(CommandError::XreadUnbalanced(name, if with_group { '>' } else { '$' }));
            }
            streams = n / 2;
            break;
        } else if is(o, "GROUP") && more >= 2 {
            if !with_group {
                return Err(CommandError::XreadGroupOption);
            }
            group = Some((argv[i + 1].as_slice(), argv[i + 2].as_slice()));
            i += 2;
        } else if is(o, "NOACK") {
            if !with_group {
                return Err(CommandError::XreadNoackOption);
            }
            noack = true;
        } else {
            return Err(CommandError::Syntax);
        }
        i += 1;
    }
    if streams_at == 0 {
        return Err(CommandError::Syntax);
    }
    if with_group && group.is_none() {
        return Err(CommandError::XreadgroupWithoutGroup);
    }
    let keys = &argv[streams_at..streams_at + streams];
    let id_args = &argv[streams_at + streams..];

    // The IDs: `>` is the largest ID, standing for "after the group's last delivered entry".
    let mut ids = Vec::with_capacity(streams);
    for (key, arg) in keys.iter().zip(id_args) {
        let s = ctx.read_stream(key)?;
        if let Some((g, _)) = group {
            if s.as_ref().is_none_or(|s| s.group(g).is_none()) {
                return Err(CommandError::Other(
                    format!(
                        "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                        c_str(key),
                        c_str(g)
                    )
                    .into(),
                ));
            }
        }
        let id = match arg.as_slice() {
            b"$" if with_group => return Err(CommandError::XreadgroupMeaninglessId('$')),
            b"$" => s.map_or(StreamId::MIN, |s| s.entries.last_id),
            b"+" if with_group => return Err(CommandError::XreadgroupMeaninglessId('+')),
            b"+" => match s {
                Some(s) => s.entries.last_id.predecessor().ok_or(CommandError::StreamLastIdZero)?,
                None => StreamId::MIN,
            },
            b">" if !with_group => return Err(CommandError::XreadGreaterThanId),
            b">" => StreamId::MAX,
            _ => strict_id(arg)?,
        };
        ids.push(id);
    }

    let now_ms = ctx.now_ms;
    let mut served: Vec<(Reply, Reply)> = Vec::new();
    for (key, &after) in keys.iter().zip(&ids) {
        let served_entries = match group {
            Some((g, consumer)) => {
                let Some(s) = ctx.read_stream(key)? else { continue };
                let Stream { entries, groups } = &mut **s;
                let Some(grp) = groups.get_mut(g) else { continue };
                // An explicit ID reads the consumer's own history, right away even if it is empty;
                // `>` reads new entries, if there are any past the group's last delivered one.
                let history = after != StreamId::MAX;
                let from = if history {
                    Some(after)
                } else {
                    entries.last_live_id().filter(|&top| top > grp.last_id).map(|_| grp.last_id)
                };
                let created = grp.create_consumer(consumer, now_ms);
                if let Some(c) = grp.consumers.get_mut(consumer) {
                    c.seen_time_ms = now_ms;
                }
                let items = from.map(|from| {
                    if history {
                        let start = from.successor().unwrap_or(StreamId::MIN);
                        let found = grp.history(entries, consumer, start, count, now_ms);
                        found
                            .into_iter()
                            .map(|(id, e)| match e {
                                Some(e) => entry_reply(e),
                                None => Reply::Array(vec![id_reply(id), Reply::NullArray]),
                            })
                            .collect::<Vec<_>>()
                    } else {
                        grp.deliver(entries, consumer, from, count, noack, now_ms)
                            .into_iter()
                            .map(entry_reply)
                            .collect()
                    }
                });
                if created {
                    changes(ctx, 1);
                    event(ctx, "xgroup-createconsumer", key);
                }
                if items.is_some() {
                    changes(ctx, 1);
                }
                items
            }
            None => {
                let Some(s) = ctx.read_stream(key)? else { continue };
                match s.entries.last_live_id() {
                    Some(top) if top > after => {
                        let start = after.successor().unwrap_or(StreamId::MIN);
                        let limit = if count == 0 { usize::MAX } else { count };
                        Some(s.entries.range(start, StreamId::MAX, false).take(limit).map(entry_ref_reply).collect())
                    }
                    _ => None,
                }
            }
        };
        if let Some(items) = served_entries {
            served.push((Reply::Bulk(key.clone()), Reply::Array(items)));
        }
    }
    if !served.is_empty() {
        return Ok(if ctx.resp3() {
            Reply::Map(served)
        } else {
            Reply::Array(served.into_iter().map(|(k, v)| Reply::Array(vec![k, v])).collect())
        });
    }
    let Some(deadline_ms) = deadline_ms else { return Ok(Reply::NullArray) };
    if ctx.nested() {
        // Inside MULTI or a script a command cannot block: it answers as a timeout would.
        return Ok(Reply::NullArray);
    }
    // Run again after a write, `$` must still mean the last ID as it is now.
    let rewrites: Vec<(usize, Vec<u8>)> = id_args
        .iter()
        .zip(&ids)
        .enumerate()
        .filter(|(_, (arg, _))| arg.as_slice() == b"$")
        .map(|(k, (_, id))| (streams_at + streams + k, id.to_bytes()))
        .collect();
    let mut unique: Vec<Vec<u8>> = Vec::with_capacity(streams);
    for k in keys {
        if !unique.contains(k) {
            unique.push(k.clone());
        }
    }
    if !rewrites.is_empty() {
        let pos = args.position();
        let mut stored = std::mem::replace(args, Args::new(Vec::new(), 0)).into_argv();
        for (at, id) in rewrites {
            stored[at] = id;
        }
        *args = Args::new(stored, pos);
    }
    Err(ctx.block_on(unique, deadline_ms))
}

// -- XGROUP -----------------------------------------------------------------------------------------

/// What every XGROUP subcommand but HELP checks first, in Valkey's order: the options of CREATE and
/// SETID, the key's type, then (unless MKSTREAM) that the key exists and, for the subcommands that
/// need one, that the group exists. Returns MKSTREAM and ENTRIESREAD.
fn xgroup_prepare(ctx: &mut Ctx, argv: &[Vec<u8>], sub: &str) -> Result<(bool, i64), CommandError> {
    let create = sub == "create";
    let setid = sub == "setid";
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut i = 5;
    while i < argv.len() {
        if create && is(&argv[i], "MKSTREAM") {
            mkstream = true;
            i += 1;
        } else if (create || setid) && is(&argv[i], "ENTRIESREAD") && i + 1 < argv.len() {
            entries_read = parse_i64(&argv[i + 1]).ok_or(CommandError::NotInteger)?;
            if entries_read < 0 && entries_read != INVALID_ENTRIES_READ {
                return Err(CommandError::EntriesReadInvalid);
            }
            i += 2;
        } else {
            return Err(subcommand_syntax(argv));
        }
    }
    let (key, group) = (&argv[2], &argv[3]);
    let has_group = ctx.write_stream(key)?.map(|s| s.group(group).is_some());
    if !mkstream {
        match has_group {
            None => return Err(CommandError::XgroupKeyMissing),
            Some(false) if matches!(sub, "setid" | "createconsumer" | "delconsumer") => {
                return Err(no_group_for_key(key, group));
            }
            _ => {}
        }
    }
    Ok((mkstream, entries_read))
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
fn xgroup_create(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (_, entries_read) = xgroup_prepare(ctx, argv, "create")?;
    if !(5..=8).contains(&argv.len()) {
        return Err(subcommand_syntax(argv));
    }
    let (key, group) = (&argv[2], &argv[3]);
    let last_id = ctx.write_stream(key)?.map(|s| s.entries.last_id);
    let id = match argv[4].as_slice() {
        b"$" => last_id.unwrap_or(StreamId::MIN),
        arg => strict_id(arg)?,
    };
    if last_id.is_none() {
        create_stream(ctx, key);
        touch(ctx, key);
    }
    if !existing(ctx, key)?.create_group(group, id, entries_read) {
        return Err(CommandError::BusyGroup);
    }
    changes(ctx, 1);
    event(ctx, "xgroup-create", key);
    Ok(Reply::OK)
}

/// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
fn xgroup_setid(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (_, entries_read) = xgroup_prepare(ctx, argv, "setid")?;
    if argv.len() != 5 && argv.len() != 7 {
        return Err(subcommand_syntax(argv));
    }
    let (key, group) = (&argv[2], &argv[3]);
    let s = existing(ctx, key)?;
    let id = match argv[4].as_slice() {
        b"$" => s.entries.last_id,
        arg => parse_id(arg, 0, false, false).ok_or(CommandError::StreamIdInvalid)?.0,
    };
    let g = s.group_mut(group).expect("xgroup_prepare checked the group");
    g.last_id = id;
    g.entries_read = entries_read;
    changes(ctx, 1);
    event(ctx, "xgroup-setid", key);
    Ok(Reply::OK)
}

/// XGROUP DESTROY key group
fn xgroup_destroy(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    xgroup_prepare(ctx, argv, "destroy")?;
    let (key, group) = (&argv[2], &argv[3]);
    if existing(ctx, key)?.groups.remove(group.as_slice()).is_none() {
        return Ok(Reply::Int(0));
    }
    changes(ctx, 1);
    event(ctx, "xgroup-destroy", key);
    // Readers blocked on the group get NOGROUP.
    wake(ctx, key);
    Ok(Reply::Int(1))
}

/// XGROUP CREATECONSUMER key group consumer
fn xgroup_createconsumer(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    xgroup_prepare(ctx, argv, "createconsumer")?;
    let (key, group) = (&argv[2], &argv[3]);
    let now_ms = ctx.now_ms;
    let g = existing(ctx, key)?.group_mut(group).expect("xgroup_prepare checked the group");
    let created = g.create_consumer(&argv[4], now_ms);
    if created {
        changes(ctx, 1);
        event(ctx, "xgroup-createconsumer", key);
    }
    Ok(Reply::Int(i64::from(created)))
}

/// XGROUP DELCONSUMER key group consumer
fn xgroup_delconsumer(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    xgroup_prepare(ctx, argv, "delconsumer")?;
    let (key, group) = (&argv[2], &argv[3]);
    let g = existing(ctx, key)?.group_mut(group).expect("xgroup_prepare checked the group");
    let Some(pending) = g.delete_consumer(&argv[4]) else { return Ok(Reply::Int(0)) };
    changes(ctx, 1);
    event(ctx, "xgroup-delconsumer", key);
    Ok(Reply::Int(pending as i64))
}

/// XGROUP HELP
fn xgroup_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    const LINES: &[&str] = &[
        "CREATE <key> <groupname> <id|$> [option]",
        "    Create a new consumer group. Options are:",
        "    * MKSTREAM",
        "      Create the empty stream if it does not exist.",
        "    * ENTRIESREAD entries_read",
        "      Set the group's entries_read counter (internal use).",
        "CREATECONSUMER <key> <groupname> <consumer>",
        "    Create a new consumer in the specified group.",
        "DELCONSUMER <key> <groupname> <consumer>",
        "    Remove the specified consumer.",
        "DESTROY <key> <groupname>",
        "    Remove the specified group.",
        "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
        "    Set the current group ID and entries_read counter.",
    ];
    Ok(help_reply(args.name(), LINES))
}

// -- XACK, XPENDING, XCLAIM, XAUTOCLAIM -------------------------------------------------------------

/// XACK key group id [id ...]
fn xack(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let Some(s) = ctx.read_stream(&argv[1])? else { return Ok(Reply::Int(0)) };
    let Some(g) = s.group_mut(&argv[2]) else { return Ok(Reply::Int(0)) };
    // All IDs are checked first: an error after some were acknowledged would hide them.
    let ids = argv[3..].iter().map(|a| strict_id(a)).collect::<Result<Vec<_>, _>>()?;
    let acked = ids.into_iter().filter(|&id| g.ack(id)).count();
    changes(ctx, acked as u64);
    Ok(Reply::Int(acked as i64))
}

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
fn xpending(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let argc = argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return Err(CommandError::Syntax);
    }
    let mut extended = None;
    if argc >= 6 {
        let mut at = 3;
        let mut min_idle = 0;
        if is(&argv[3], "IDLE") {
            min_idle = parse_i64(&argv[4]).ok_or(CommandError::NotInteger)?;
            if argc < 8 {
                return Err(CommandError::Syntax);
            }
            at += 2;
        }
        let count = parse_i64(&argv[at + 2]).ok_or(CommandError::NotInteger)?.max(0) as usize;
        let start = range_start(&argv[at])?;
        let end = range_end(&argv[at + 1])?;
        let consumer = argv.get(at + 3).map(|c| c.as_slice());
        extended = Some((min_idle, start, end, count, consumer));
    }
    let (key, group) = (&argv[1], &argv[2]);
    let now_ms = ctx.now_ms;
    let Some(s) = ctx.read_stream(key)? else { return Err(no_group(key, group)) };
    let Some(g) = s.group(group) else { return Err(no_group(key, group)) };
    let Some((min_idle, start, end, count, consumer)) = extended else {
        let (Some((&first, _)), Some((&last, _))) = (g.pending.first_key_value(), g.pending.last_key_value()) else {
            return Ok(Reply::Array(vec![Reply::Int(0), Reply::Null, Reply::Null, Reply::NullArray]));
        };
        let owners = g
            .consumers
            .iter()
            .filter(|(_, c)| !c.pending.is_empty())
            .map(|(name, c)| Reply::Array(vec![Reply::bulk(name.as_bytes()), Reply::bulk(c.pending.len().to_string())]))
            .collect();
        return Ok(Reply::Array(vec![
            Reply::Int(g.pending.len() as i64),
            id_reply(first),
            id_reply(last),
            Reply::Array(owners),
        ]));
    };
    let ids: Box<dyn Iterator<Item = StreamId>> = match consumer {
        Some(name) => match g.consumers.get(name) {
            Some(c) => Box::new(c.pending.range(start..).copied()),
            None => return Ok(Reply::EMPTY_ARRAY),
        },
        None => Box::new(g.pending.range(start..).map(|(id, _)| *id)),
    };
    let mut out = Vec::new();
    for id in ids {
        if out.len() >= count || id > end {
            break;
        }
        let nack = &g.pending[&id];
        if min_idle != 0 && now_ms.wrapping_sub(nack.delivery_time_ms) < min_idle {
            continue;
        }
        out.push(Reply::Array(vec![
            id_reply(id),
            Reply::bulk(nack.consumer.as_bytes()),
            Reply::Int(now_ms.wrapping_sub(nack.delivery_time_ms).max(0)),
            Reply::Int(nack.delivery_count as i64),
        ]));
    }
    Ok(Reply::Array(out))
}

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
/// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
fn xclaim(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (key, group, consumer) = (&argv[1], &argv[2], &argv[3]);
    match ctx.read_stream(key)? {
        Some(s) if s.group(group).is_some() => {}
        _ => return Err(no_group(key, group)),
    }
    let min_idle = parse_i64(&argv[4]).ok_or(CommandError::MinIdleTimeInvalid("XCLAIM"))?.max(0);
    // IDs until the first argument that is not one; options after that.
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argv.len() {
        match parse_id(&argv[j], 0, true, false) {
            Some((id, _)) => ids.push(id),
            None => break,
        }
        j += 1;
    }
    let now_ms = ctx.now_ms;
    let (mut force, mut justid) = (false, false);
    let mut delivery_time_ms: Option<i64> = None;
    let mut retry_count: Option<i64> = None;
    let mut last_id = StreamId::MIN;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        if is(opt, "FORCE") {
            force = true;
        } else if is(opt, "JUSTID") {
            justid = true;
        } else if is(opt, "IDLE") && more > 0 {
            j += 1;
            let idle = parse_i64(&argv[j]).ok_or(CommandError::XclaimOptionInvalid("IDLE"))?;
            delivery_time_ms = Some(now_ms.wrapping_sub(idle));
        } else if is(opt, "TIME") && more > 0 {
            j += 1;
            delivery_time_ms = Some(parse_i64(&argv[j]).ok_or(CommandError::XclaimOptionInvalid("TIME"))?);
        } else if is(opt, "RETRYCOUNT") && more > 0 {
            j += 1;
            retry_count = Some(parse_i64(&argv[j]).ok_or(CommandError::XclaimOptionInvalid("RETRYCOUNT"))?);
        } else if is(opt, "LASTID") && more > 0 {
            j += 1;
            last_id = strict_id(&argv[j])?;
        } else {
            return Err(CommandError::err(format!("Unrecognized XCLAIM option '{}'", c_str(opt))));
        }
        j += 1;
    }
    // A bogus time (negative, in the future) is taken as now rather than refused: clients compute
    // it from their own clocks.
    let delivery_time_ms = match delivery_time_ms {
        Some(t) if (0..=now_ms).contains(&t) => t,
        _ => now_ms,
    };
    let count_update = match retry_count {
        Some(n) if n >= 0 => DeliveryCount::Set(n as u64),
        _ if justid => DeliveryCount::Keep,
        _ => DeliveryCount::Increment,
    };

    let s = existing(ctx, key)?;
    let Stream { entries, groups } = &mut *s;
    let g = groups.get_mut(group.as_slice()).expect("checked above");
    let mut dirty = 0;
    if last_id > g.last_id {
        g.last_id = last_id;
        dirty += 1;
    }
    let created = g.create_consumer(consumer, now_ms);
    if let Some(c) = g.consumers.get_mut(consumer.as_slice()) {
        c.seen_time_ms = now_ms;
    }
    let mut out = Vec::new();
    for id in ids {
        let entry = entries.get(id);
        let Some(entry) = entry else {
            // Gone from the stream: its pending entry goes too.
            if g.ack(id) {
                dirty += 1;
            }
            continue;
        };
        let count = match g.pending.get(&id) {
            Some(nack) => {
                if min_idle != 0 && now_ms.wrapping_sub(nack.delivery_time_ms) < min_idle {
                    continue;
                }
                count_update
            }
            // FORCE makes a pending entry as if delivered once, whatever its idle time.
            None if force => match count_update {
                DeliveryCount::Keep => DeliveryCount::Set(1),
                DeliveryCount::Increment => DeliveryCount::Set(2),
                set => set,
            },
            None => continue,
        };
        g.assign(id, consumer, delivery_time_ms, count);
        out.push(if justid { id_reply(id) } else { entry_ref_reply(entry) });
        if let Some(c) = g.consumers.get_mut(consumer.as_slice()) {
            c.active_time_ms = now_ms;
        }
        dirty += 1;
    }
    if created {
        changes(ctx, 1);
        event(ctx, "xgroup-createconsumer", key);
    }
    changes(ctx, dirty);
    Ok(Reply::Array(out))
}

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
fn xautoclaim(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    // Each call looks at no more than this many PEL entries per entry it may return.
    const ATTEMPTS_FACTOR: usize = 10;
    let argv = args.argv();
    let (key, group, consumer) = (&argv[1], &argv[2], &argv[3]);
    let min_idle = parse_i64(&argv[4]).ok_or(CommandError::MinIdleTimeInvalid("XAUTOCLAIM"))?.max(0);
    let start = range_start(&argv[5])?;
    let mut count: usize = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if is(&argv[j], "COUNT") && more > 0 {
            // Valkey bounds COUNT so that COUNT * max(16, 10) bytes fits in a long.
            let max_count = i64::MAX / 16;
            count = match parse_i64(&argv[j + 1]) {
                Some(n) if (1..=max_count).contains(&n) => n as usize,
                _ => return Err(CommandError::XautoclaimCountInvalid),
            };
            j += 1;
        } else if is(&argv[j], "JUSTID") {
            justid = true;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    let now_ms = ctx.now_ms;
    let Some(s) = ctx.read_stream(key)? else { return Err(no_group(key, group)) };
    let Stream { entries, groups } = &mut **s;
    let Some(g) = groups.get_mut(group.as_slice()) else { return Err(no_group(key, group)) };
    let created = g.create_consumer(consumer, now_ms);
    if let Some(c) = g.consumers.get_mut(consumer.as_slice()) {
        c.seen_time_ms = now_ms;
    }
    let mut attempts = count.saturating_mul(ATTEMPTS_FACTOR);
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut dirty = 0;
    let mut cursor = Some(start);
    while attempts > 0 && count > 0 {
        attempts -= 1;
        let Some(from) = cursor else { break };
        let Some((&id, nack)) = g.pending.range(from..).next() else {
            cursor = None;
            break;
        };
        let idle = now_ms.wrapping_sub(nack.delivery_time_ms);
        cursor = id.successor();
        match entries.get(id) {
            None => {
                g.ack(id);
                deleted.push(id_reply(id));
                count -= 1;
                dirty += 1;
            }
            Some(_) if min_idle != 0 && idle < min_idle => {}
            Some(entry) => {
                let update = if justid { DeliveryCount::Keep } else { DeliveryCount::Increment };
                g.assign(id, consumer, now_ms, update);
                claimed.push(if justid { id_reply(id) } else { entry_ref_reply(entry) });
                count -= 1;
                if let Some(c) = g.consumers.get_mut(consumer.as_slice()) {
                    c.active_time_ms = now_ms;
                }
                dirty += 1;
            }
        }
    }
    // The cursor for the next call: the next pending entry, or 0-0 when there is none.
    let next = cursor.and_then(|from| g.pending.range(from..).next().map(|(id, _)| *id)).unwrap_or(StreamId::MIN);
    if created {
        changes(ctx, 1);
        event(ctx, "xgroup-createconsumer", key);
    }
    changes(ctx, dirty);
    Ok(Reply::Array(vec![id_reply(next), Reply::Array(claimed), Reply::Array(deleted)]))
}

// -- XINFO ------------------------------------------------------------------------------------------

/// XINFO STREAM key [FULL [COUNT count]]
fn xinfo_stream(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let s = ctx.read_stream(&argv[2])?.ok_or(CommandError::NoSuchKey)?;
    let options = &argv[3..];
    let full = match options.len() {
        0 => None,
        1 | 3 if is(&options[0], "full") => {
            let mut count = 10;
            if options.len() == 3 {
                if !is(&options[1], "count") {
                    return Err(subcommand_syntax(argv));
                }
                count = parse_i64(&options[2]).ok_or(CommandError::NotInteger)?;
                if count < 0 {
                    count = 10;
                }
            }
            Some(count as usize)
        }
        _ => return Err(subcommand_syntax(argv)),
    };
    let e = &s.entries;
    let mut map = vec![
        (bulk("length"), Reply::Int(e.len() as i64)),
        (bulk("radix-tree-keys"), Reply::Int(e.node_count() as i64)),
        (bulk("radix-tree-nodes"), Reply::Int(e.radix_tree_nodes() as i64)),
        (bulk("last-generated-id"), id_reply(e.last_id)),
        (bulk("max-deleted-entry-id"), id_reply(e.max_deleted_entry_id)),
        (bulk("entries-added"), Reply::Int(e.entries_added as i64)),
        (bulk("recorded-first-entry-id"), id_reply(e.first_id)),
    ];
    let Some(count) = full else {
        let first = e.range(StreamId::MIN, StreamId::MAX, false).next().map_or(Reply::Null, entry_ref_reply);
        let last = e.range(StreamId::MIN, StreamId::MAX, true).next().map_or(Reply::Null, entry_ref_reply);
        map.push((bulk("groups"), Reply::Int(s.groups.len() as i64)));
        map.push((bulk("first-entry"), first));
        map.push((bulk("last-entry"), last));
        return Ok(Reply::Map(map));
    };
    let limit = if count == 0 { usize::MAX } else { count };
    let listed = e.range(StreamId::MIN, StreamId::MAX, false).take(limit).map(entry_ref_reply).collect();
    map.push((bulk("entries"), Reply::Array(listed)));
    let groups = s
        .groups
        .iter()
        .map(|(name, g)| {
            let pending = g
                .pending
                .iter()
                .take(limit)
                .map(|(id, nack)| {
                    Reply::Array(vec![
                        id_reply(*id),
                        Reply::bulk(nack.consumer.as_bytes()),
                        Reply::Int(nack.delivery_time_ms),
                        Reply::Int(nack.delivery_count as i64),
                    ])
                })
                .collect();
            let consumers = g
                .consumers
                .iter()
                .map(|(cname, c)| {
                    let owned = c
                        .pending
                        .iter()
                        .take(limit)
                        .map(|id| {
                            let nack = &g.pending[id];
                            Reply::Array(vec![
                                id_reply(*id),
                                Reply::Int(nack.delivery_time_ms),
                                Reply::Int(nack.delivery_count as i64),
                            ])
                        })
                        .collect();
                    Reply::Map(vec![
                        (bulk("name"), Reply::bulk(cname.as_bytes())),
                        (bulk("seen-time"), Reply::Int(c.seen_time_ms)),
                        (bulk("active-time"), Reply::Int(c.active_time_ms)),
                        (bulk("pel-count"), Reply::Int(c.pending.len() as i64)),
                        (bulk("pending"), Reply::Array(owned)),
                    ])
                })
                .collect();
            Reply::Map(vec![
                (bulk("name"), Reply::bulk(name.as_bytes())),
                (bulk("last-delivered-id"), id_reply(g.last_id)),
                (bulk("entries-read"), entries_read_reply(g.entries_read)),
                (bulk("lag"), e.lag(g).map_or(Reply::Null, Reply::Int)),
                (bulk("pel-count"), Reply::Int(g.pending.len() as i64)),
                (bulk("pending"), Reply::Array(pending)),
                (bulk("consumers"), Reply::Array(consumers)),
            ])
        })
        .collect();
    map.push((bulk("groups"), Reply::Array(groups)));
    Ok(Reply::Map(map))
}

fn entries_read_reply(entries_read: i64) -> Reply {
    if entries_read == INVALID_ENTRIES_READ {
        Reply::Null
    } else {
        Reply::Int(entries_read)
    }
}

/// XINFO GROUPS key
fn xinfo_groups(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let s = ctx.read_stream(&argv[2])?.ok_or(CommandError::NoSuchKey)?;
    let groups = s
        .groups
        .iter()
        .map(|(name, g)| {
            Reply::Map(vec![
                (bulk("name"), Reply::bulk(name.as_bytes())),
                (bulk("consumers"), Reply::Int(g.consumers.len() as i64)),
                (bulk("pending"), Reply::Int(g.pending.len() as i64)),
                (bulk("last-delivered-id"), id_reply(g.last_id)),
                (bulk("entries-read"), entries_read_reply(g.entries_read)),
                (bulk("lag"), s.entries.lag(g).map_or(Reply::Null, Reply::Int)),
            ])
        })
        .collect();
    Ok(Reply::Array(groups))
}

/// XINFO CONSUMERS key group
fn xinfo_consumers(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (key, group) = (&argv[2], &argv[3]);
    let now_ms = ctx.now_ms;
    let s = ctx.read_stream(key)?.ok_or(CommandError::NoSuchKey)?;
    let g = s.group(group).ok_or_else(|| no_group_for_key(key, group))?;
    let consumers = g
        .consumers
        .iter()
        .map(|(name, c)| {
            let inactive = if c.active_time_ms != -1 { now_ms - c.active_time_ms } else { -1 };
            Reply::Map(vec![
                (bulk("name"), Reply::bulk(name.as_bytes())),
                (bulk("pending"), Reply::Int(c.pending.len() as i64)),
                (bulk("idle"), Reply::Int((now_ms - c.seen_time_ms).max(0))),
                (bulk("inactive"), Reply::Int(inactive)),
            ])
        })
        .collect();
    Ok(Reply::Array(consumers))
}

/// XINFO HELP
fn xinfo_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    const LINES: &[&str] = &[
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
    ];
    Ok(help_reply(args.name(), LINES))
}
