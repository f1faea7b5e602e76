//! List commands, blocking ones included (Valkey's `t_list.c`).
//!
//! Every write ends as Valkey's does: the keyspace event, then `del` when the list became empty (an
//! empty list is never stored), and the dirty counter moved by the number of elements changed. A
//! blocking command that finds nothing asks the engine to block ([`Ctx::block_on`]); the engine runs it
//! again when one of its keys is written.

use crate::args::{is, Args};
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::notify;
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::types::list::{End, List, Side};
use crate::types::Value;

const G: Group = Group::List;

#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "blmove", 6, WRITE | DENYOOM | BLOCKING, Keys::range(1, 2, 1), blmove)
        .since("6.2.0").summary("Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.")
        .syntax("source:key destination:key1 {wherefrom: LEFT | RIGHT} {whereto: LEFT | RIGHT} timeout:double"),
    CommandSpec::new(G, "blmpop", -5, WRITE | BLOCKING | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: blmpop_keys }, blmpop)
        .since("7.0.0").summary("Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.")
        .syntax("timeout:double numkeys:integer key:key... {where: LEFT | RIGHT} [COUNT=count:integer]"),
    CommandSpec::new(G, "blpop", -3, WRITE | BLOCKING, Keys::range(1, -2, 1), blpop)
        .since("2.0.0").summary("Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.")
        .syntax("key:key... timeout:double"),
    CommandSpec::new(G, "brpop", -3, WRITE | BLOCKING, Keys::range(1, -2, 1), brpop)
        .since("2.0.0").summary("Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.")
        .syntax("key:key... timeout:double"),
    CommandSpec::new(G, "brpoplpush", 4, WRITE | DENYOOM | BLOCKING, Keys::range(1, 2, 1), brpoplpush)
        .since("2.2.0").summary("Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.")
        .syntax("source:key destination:key1 timeout:double"),
    CommandSpec::new(G, "lindex", 3, READONLY, Keys::range(1, 1, 1), lindex)
        .since("1.0.0").summary("Returns an element from a list by its index.")
        .syntax("key:key index:integer"),
    CommandSpec::new(G, "linsert", 5, WRITE | DENYOOM, Keys::range(1, 1, 1), linsert)
        .since("2.2.0").summary("Inserts an element before or after another element in a list.")
        .syntax("key:key {where: BEFORE | AFTER} pivot element"),
    CommandSpec::new(G, "llen", 2, READONLY | FAST, Keys::range(1, 1, 1), llen)
        .since("1.0.0").summary("Returns the length of a list.")
        .syntax("key:key"),
    CommandSpec::new(G, "lmove", 5, WRITE | DENYOOM, Keys::range(1, 2, 1), lmove)
        .since("6.2.0").summary("Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.")
        .syntax("source:key destination:key1 {wherefrom: LEFT | RIGHT} {whereto: LEFT | RIGHT}"),
    CommandSpec::new(G, "lmpop", -4, WRITE | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: lmpop_keys }, lmpop)
        .since("7.0.0").summary("Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.")
        .syntax("numkeys:integer key:key... {where: LEFT | RIGHT} [COUNT=count:integer]"),
    CommandSpec::new(G, "lpop", -2, WRITE | FAST, Keys::range(1, 1, 1), lpop)
        .since("1.0.0").summary("Returns the first elements in a list after removing it. Deletes the list if the last element was popped.")
        .syntax("key:key [count:integer@6.2.0]"),
    CommandSpec::new(G, "lpos", -3, READONLY, Keys::range(1, 1, 1), lpos)
        .since("6.0.6").summary("Returns the index of matching elements in a list.")
        .syntax("key:key element [RANK=rank:integer] [COUNT=num-matches:integer] [MAXLEN=len:integer]"),
    CommandSpec::new(G, "lpush", -3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), lpush)
        .since("1.0.0").summary("Prepends one or more elements to a list. Creates the key if it doesn't exist.")
        .syntax("key:key element..."),
    CommandSpec::new(G, "lpushx", -3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), lpushx)
        .since("2.2.0").summary("Prepends one or more elements to a list only when the list exists.")
        .syntax("key:key element..."),
    CommandSpec::new(G, "lrange", 4, READONLY, Keys::range(1, 1, 1), lrange)
        .since("1.0.0").summary("Returns a range of elements from a list.")
        .syntax("key:key start:integer stop:integer"),
    CommandSpec::new(G, "lrem", 4, WRITE, Keys::range(1, 1, 1), lrem)
        .since("1.0.0").summary("Removes elements from a list. Deletes the list if the last element was removed.")
        .syntax("key:key count:integer element"),
    CommandSpec::new(G, "lset", 4, WRITE | DENYOOM, Keys::range(1, 1, 1), lset)
        .since("1.0.0").summary("Sets the value of an element in a list by its index.")
        .syntax("key:key index:integer element"),
    CommandSpec::new(G, "ltrim", 4, WRITE, Keys::range(1, 1, 1), ltrim)
        .since("1.0.0").summary("Removes elements from both ends a list. Deletes the list if all elements were trimmed.")
        .syntax("key:key start:integer stop:integer"),
    CommandSpec::new(G, "rpop", -2, WRITE | FAST, Keys::range(1, 1, 1), rpop)
        .since("1.0.0").summary("Returns and removes the last elements of a list. Deletes the list if the last element was popped.")
        .syntax("key:key [count:integer@6.2.0]"),
    CommandSpec::new(G, "rpoplpush", 3, WRITE | DENYOOM, Keys::range(1, 2, 1), rpoplpush)
        .since("1.2.0").summary("Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.")
        .syntax("source:key destination:key1"),
    CommandSpec::new(G, "rpush", -3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), rpush)
        .since("1.0.0").summary("Appends one or more elements to a list. Creates the key if it doesn't exist.")
        .syntax("key:key element..."),
    CommandSpec::new(G, "rpushx", -3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), rpushx)
        .since("2.2.0").summary("Appends an element to a list only when the list exists.")
        .syntax("key:key element..."),
];

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    numkeys_keys(argv, 1)
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn blmpop_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    numkeys_keys(argv, 2)
}

/// The keys after the `numkeys` argument at `at`; none when `numkeys` is not a count the arguments
/// can hold (Valkey's key-spec extraction then finds no keys either).
fn numkeys_keys(argv: &[Vec<u8>], at: usize) -> Vec<usize> {
    let n = argv.get(at).and_then(|a| parse_i64(a)).and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    if n == 0 || at.saturating_add(n) >= argv.len() {
        return Vec::new();
    }
    (at + 1..=at + n).collect()
}

// -- shared pieces --------------------------------------------------------------------------------------

/// `list-max-listpack-size`.
fn fill(ctx: &Ctx) -> i64 {
    ctx.eng.config.list_max_listpack_size
}

fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

/// `LEFT` or `RIGHT`, any case.
fn parse_end(arg: &[u8]) -> Result<End, CommandError> {
    if is(arg, "left") {
        Ok(End::Head)
    } else if is(arg, "right") {
        Ok(End::Tail)
    } else {
        Err(CommandError::Syntax)
    }
}

/// An integer argument (`getLongFromObjectOrReply`).
fn parse_long(arg: &[u8]) -> Result<i64, CommandError> {
    parse_i64(arg).ok_or(CommandError::NotInteger)
}

/// An integer in -LONG_MAX..=LONG_MAX (`getRangeLongFromObjectOrReply` without a message): LREM's count
/// and LPOS's RANK, whose sign means a direction and so must be negatable.
fn parse_signed_count(arg: &[u8]) -> Result<i64, CommandError> {
    match parse_long(arg)? {
        i64::MIN => {
            Err(CommandError::err(format!("value is out of range, value must between {} and {}", -i64::MAX, i64::MAX)))
        }
        n => Ok(n),
    }
}

/// Valkey moves the dirty counter by the number of elements a command changed; [`Ctx::written`] counted
/// one change, this makes it `changes`.
fn count_changes(ctx: &mut Ctx, changes: usize) {
    ctx.eng.dirty = ctx.eng.dirty.saturating_sub(1) + changes as u64;
}

/// Stores a new empty list under `key` (Valkey's dbAdd, with its `new` event).
fn create_list(ctx: &mut Ctx, key: &[u8]) {
    ctx.store(key, Value::List(Box::default()));
    ctx.notify(notify::NEW, "new", key);
}

/// What follows removing `changes` elements from the list at `key` (Valkey's listElementsRemoved and
/// the tails of LREM and LTRIM): the event, the deletion of an emptied list and its `del` event.
/// The caller already converted a shrunk list back to listpack if it could.
fn elements_removed(ctx: &mut Ctx, key: &[u8], event: &str, changes: usize, emptied: bool) {
    if emptied {
        ctx.remove(key);
    }
    ctx.written(notify::LIST, event, key);
    if emptied {
        // Not a write of its own: Valkey's dbDelete here counts no extra change.
        ctx.notify(notify::GENERIC, "del", key);
    }
    count_changes(ctx, changes);
}

/// Whether the list's last element went; if not, a shrunk quicklist may become a listpack again.
fn settle_after_removal(list: &mut List, fill: i64) -> bool {
    if list.is_empty() {
        return true;
    }
    list.shrunk(fill);
    false
}

/// Removes up to `count` elements from one end; they come back in pop order.
fn pop_many(list: &mut List, end: End, count: usize) -> Vec<Vec<u8>> {
    let len = list.len();
    let n = count.min(len);
    let start = match end {
        End::Head => 0,
        End::Tail => len - n,
    };
    let mut values: Vec<Vec<u8>> = list.range(start, start + n).map(<[u8]>::to_vec).collect();
    if end == End::Tail {
        values.reverse();
    }
    list.remove_range(start, n);
    values
}

/// Blocking commands run again by the engine: Valkey re-runs a blocked command only when the key that
/// was written holds a list (a key replaced by a string, say, leaves the client blocked). True when
/// this is a first run, or when one of `keys` is now a list.
fn may_serve(ctx: &mut Ctx, keys: &[Vec<u8>]) -> bool {
    if !ctx.eng.blocking.is_blocked(ctx.id) {
        return true;
    }
    keys.iter().any(|k| ctx.type_of(k) == Some("list"))
}

/// Blocks the client on `keys` (each once, first occurrence first).
fn block(ctx: &mut Ctx, keys: &[Vec<u8>], deadline_ms: i64) -> CommandError {
    let mut unique: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for k in keys {
        if !unique.contains(k) {
            unique.push(k.clone());
        }
    }
    ctx.block_on(unique, deadline_ms)
}

// -- push ---------------------------------------------------------------------------------------------

/// LPUSH key element [element ...]
fn lpush(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    push(ctx, args, End::Head, false)
}

/// RPUSH key element [element ...]
fn rpush(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    push(ctx, args, End::Tail, false)
}

/// LPUSHX key element [element ...]
fn lpushx(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    push(ctx, args, End::Head, true)
}

/// RPUSHX key element [element ...]
fn rpushx(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    push(ctx, args, End::Tail, true)
}

/// The four pushes; `only_existing` for the X forms.
fn push(ctx: &mut Ctx, args: &mut Args, end: End, only_existing: bool) -> CmdResult {
    let argv = args.argv();
    let (key, values) = (&argv[1], &argv[2..]);
    let fill = fill(ctx);
    if ctx.write_list(key)?.is_none() {
        if only_existing {
            return Ok(Reply::Int(0));
        }
        create_list(ctx, key);
    }
    let list = ctx.write_list(key)?.expect("the list exists");
    list.make_room(values.len(), values.iter().map(Vec::len).sum(), fill);
    for v in values {
        list.push(end, v, fill);
    }
    let len = list.len();
    ctx.written(notify::LIST, push_event(end), key);
    count_changes(ctx, values.len());
    Ok(Reply::Int(len as i64))
}

// -- pop ----------------------------------------------------------------------------------------------

/// LPOP key [count]
fn lpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    pop(ctx, args, End::Head)
}

/// RPOP key [count]
fn rpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    pop(ctx, args, End::Tail)
}

/// LPOP and RPOP: one element as a bulk string, or with a count an array (a null array when the key is
/// missing, an empty one for count 0).
fn pop(ctx: &mut Ctx, args: &mut Args, end: End) -> CmdResult {
    let argv = args.argv();
    if argv.len() > 3 {
        return Err(CommandError::WrongArity(ctx.spec.name.to_string()));
    }
    let key = &argv[1];
    let count = match argv.get(2) {
        Some(a) => Some(parse_i64(a).and_then(|n| usize::try_from(n).ok()).ok_or(CommandError::NotPositive)?),
        None => None,
    };
    let fill = fill(ctx);
    let Some(list) = ctx.write_list(key)? else {
        return Ok(if count.is_some() { Reply::NullArray } else { Reply::Null });
    };
    let (reply, popped) = match count {
        Some(0) => return Ok(Reply::EMPTY_ARRAY),
        Some(n) => {
            let values = pop_many(list, end, n);
            let n = values.len();
            (Reply::bulks(values), n)
        }
        None => (Reply::Bulk(list.pop(end).expect("stored lists are not empty")), 1),
    };
    let emptied = settle_after_removal(list, fill);
    elements_removed(ctx, key, pop_event(end), popped, emptied);
    Ok(reply)
}

/// Pops from the first non-empty list of `keys` for LMPOP, BLMPOP (`count` given: `[key, [elements]]`)
/// and BLPOP/BRPOP (`count` none: `[key, element]`). `None` when every list is empty or missing.
fn pop_first_of(
    ctx: &mut Ctx,
    keys: &[Vec<u8>],
    end: End,
    count: Option<usize>,
) -> Result<Option<Reply>, CommandError> {
    let fill = fill(ctx);
    for key in keys {
        let Some(list) = ctx.write_list(key)? else { continue };
        if list.is_empty() {
            continue;
        }
        let (popped, reply) = match count {
            Some(n) => {
                let values = pop_many(list, end, n);
                (values.len(), Reply::Array(vec![Reply::bulk(key.clone()), Reply::bulks(values)]))
            }
            None => {
                let value = list.pop(end).expect("not empty");
                (1, Reply::Array(vec![Reply::bulk(key.clone()), Reply::Bulk(value)]))
            }
        };
        let emptied = settle_after_removal(list, fill);
        elements_removed(ctx, key, pop_event(end), popped, emptied);
        return Ok(Some(reply));
    }
    Ok(None)
}

/// The arguments of LMPOP/BLMPOP from `numkeys` on: (keys, end, count).
fn parse_mpop(argv: &[Vec<u8>], numkeys_at: usize) -> Result<(Vec<Vec<u8>>, End, usize), CommandError> {
    let numkeys = parse_i64(&argv[numkeys_at]).filter(|&n| n > 0).ok_or(CommandError::NumkeysNotPositive)?;
    let where_at = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_at + 1))
        .filter(|&i| i < argv.len())
        .ok_or(CommandError::Syntax)?;
    let end = parse_end(&argv[where_at])?;
    let mut count = None;
    let mut j = where_at + 1;
    while j < argv.len() {
        if count.is_none() && is(&argv[j], "count") && j + 1 < argv.len() {
            let n = parse_i64(&argv[j + 1]).filter(|&n| n > 0).ok_or(CommandError::CountNotPositive)?;
            count = Some(n as usize);
            j += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    Ok((argv[numkeys_at + 1..where_at].to_vec(), end, count.unwrap_or(1)))
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn lmpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let (keys, end, count) = parse_mpop(args.argv(), 1)?;
    Ok(pop_first_of(ctx, &keys, end, Some(count))?.unwrap_or(Reply::NullArray))
}

/// BLPOP key [key ...] timeout
fn blpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    blocking_pop_keys(ctx, args, End::Head)
}

/// BRPOP key [key ...] timeout
fn brpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    blocking_pop_keys(ctx, args, End::Tail)
}

fn blocking_pop_keys(ctx: &mut Ctx, args: &mut Args, end: End) -> CmdResult {
    let argv = args.argv();
    let keys = &argv[1..argv.len() - 1];
    blocking_pop(ctx, keys, end, None, &argv[argv.len() - 1])
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
fn blmpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (keys, end, count) = parse_mpop(argv, 2)?;
    blocking_pop(ctx, &keys, end, Some(count), &argv[1])
}

/// BLPOP, BRPOP and BLMPOP: pop now if any list has elements, else block (or, where blocking is not
/// allowed, answer as a timeout would).
fn blocking_pop(ctx: &mut Ctx, keys: &[Vec<u8>], end: End, count: Option<usize>, timeout: &[u8]) -> CmdResult {
    let deadline_ms = crate::blocking::parse_timeout(timeout, ctx.now_ms)?;
    if may_serve(ctx, keys) {
        if let Some(reply) = pop_first_of(ctx, keys, end, count)? {
            return Ok(reply);
        }
        if ctx.nested() {
            return Ok(Reply::NullArray);
        }
    }
    Err(block(ctx, keys, deadline_ms))
}

// -- move ---------------------------------------------------------------------------------------------

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
fn lmove(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let from = parse_end(&argv[3])?;
    let to = parse_end(&argv[4])?;
    move_element(ctx, &argv[1], &argv[2], from, to)
}

/// RPOPLPUSH source destination
fn rpoplpush(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    move_element(ctx, &argv[1], &argv[2], End::Tail, End::Head)
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
fn blmove(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let from = parse_end(&argv[3])?;
    let to = parse_end(&argv[4])?;
    let deadline_ms = crate::blocking::parse_timeout(&argv[5], ctx.now_ms)?;
    blocking_move(ctx, &argv[1], &argv[2], from, to, deadline_ms)
}

/// BRPOPLPUSH source destination timeout
fn brpoplpush(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let deadline_ms = crate::blocking::parse_timeout(&argv[3], ctx.now_ms)?;
    blocking_move(ctx, &argv[1], &argv[2], End::Tail, End::Head, deadline_ms)
}

fn blocking_move(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End, deadline_ms: i64) -> CmdResult {
    let keys = [src.to_vec()];
    if may_serve(ctx, &keys) {
        if ctx.write_list(src)?.is_some() {
            return move_element(ctx, src, dst, from, to);
        }
        if ctx.nested() {
            // Not a null array: BLMOVE answers like LMOVE on a missing list here.
            return Ok(Reply::Null);
        }
    }
    Err(block(ctx, &keys, deadline_ms))
}

/// LMOVE's work: pop from `src`, push to `dst` (created if missing), reply with the element. Events in
/// Valkey's order: the push on `dst`, then the pop on `src` and its `del` if it emptied.
fn move_element(ctx: &mut Ctx, src: &[u8], dst: &[u8], from: End, to: End) -> CmdResult {
    let fill = fill(ctx);
    match ctx.write_list(src)? {
        Some(list) if !list.is_empty() => {}
        _ => return Ok(Reply::Null),
    }
    // The destination's type is checked before anything moves.
    let dst_exists = ctx.write_list(dst)?.is_some();
    let value = ctx.write_list(src)?.and_then(|l| l.pop(from)).expect("source checked above");
    if !dst_exists {
        create_list(ctx, dst);
    }
    let target = ctx.write_list(dst)?.expect("the destination exists");
    target.make_room(1, value.len(), fill);
    target.push(to, &value, fill);
    ctx.written(notify::LIST, push_event(to), dst);
    // Valkey counts the move as one change, made by the pop below.
    count_changes(ctx, 0);
    let source = ctx.write_list(src)?.expect("source still stored");
    let emptied = settle_after_removal(source, fill);
    elements_removed(ctx, src, pop_event(from), 1, emptied);
    Ok(Reply::Bulk(value))
}

// -- read ---------------------------------------------------------------------------------------------

/// LLEN key
fn llen(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = &args.argv()[1];
    Ok(Reply::Int(ctx.read_list(key)?.map_or(0, |l| l.len() as i64)))
}

/// LINDEX key index
fn lindex(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let Some(list) = ctx.read_list(&argv[1])? else { return Ok(Reply::Null) };
    let index = parse_long(&argv[2])?;
    let len = list.len() as i64;
    let index = if index < 0 { len + index } else { index };
    if !(0..len).contains(&index) {
        return Ok(Reply::Null);
    }
    Ok(Reply::opt_bulk(list.get(index as usize)))
}

/// Valkey's clamping of a start/stop index pair (LRANGE, LTRIM): `None` for an empty range, else the
/// first and last index.
fn clamp_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { (len + start).max(0) } else { start };
    let stop = if stop < 0 { len + stop } else { stop };
    if start > stop || start >= len {
        return None;
    }
    Some((start as usize, stop.min(len - 1) as usize))
}

/// LRANGE key start stop
fn lrange(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let start = parse_long(&argv[2])?;
    let stop = parse_long(&argv[3])?;
    let Some(list) = ctx.read_list(&argv[1])? else { return Ok(Reply::EMPTY_ARRAY) };
    Ok(match clamp_range(start, stop, list.len()) {
        None => Reply::EMPTY_ARRAY,
        Some((first, last)) => Reply::bulks(list.range(first, last + 1)),
    })
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
fn lpos(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let element = &argv[2];
    let (mut rank, mut count, mut maxlen) = (1i64, None::<u64>, 0u64);
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        let opt = &argv[j];
        if is(opt, "rank") && more {
            rank = parse_signed_count(&argv[j + 1])?;
            if rank == 0 {
                return Err(CommandError::RankZero);
            }
        } else if is(opt, "count") && more {
            count = Some(parse_i64(&argv[j + 1]).filter(|&n| n >= 0).ok_or(CommandError::CountNegative)? as u64);
        } else if is(opt, "maxlen") && more {
            maxlen = parse_i64(&argv[j + 1]).filter(|&n| n >= 0).ok_or(CommandError::MaxlenNegative)? as u64;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 2;
    }
    let Some(list) = ctx.read_list(&argv[1])? else {
        return Ok(if count.is_some() { Reply::EMPTY_ARRAY } else { Reply::Null });
    };
    let from_tail = rank < 0;
    let rank = rank.unsigned_abs();
    let len = list.len();
    let scan: Box<dyn Iterator<Item = &[u8]>> =
        if from_tail { Box::new(list.iter().rev()) } else { Box::new(list.iter()) };
    let mut matches = 0u64;
    let mut found = Vec::new();
    for (scanned, e) in scan.enumerate() {
        if maxlen != 0 && scanned as u64 >= maxlen {
            break;
        }
        if e != element.as_slice() {
            continue;
        }
        matches += 1;
        if matches < rank {
            continue;
        }
        found.push(Reply::Int(if from_tail { len - 1 - scanned } else { scanned } as i64));
        match count {
            None => break,
            Some(c) if c != 0 && matches - rank + 1 >= c => break,
            Some(_) => {}
        }
    }
    Ok(match count {
        Some(_) => Reply::Array(found),
        None => found.pop().unwrap_or(Reply::Null),
    })
}

// -- edit ---------------------------------------------------------------------------------------------

/// LSET key index element
fn lset(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (key, value) = (&argv[1], &argv[3]);
    let fill = fill(ctx);
    let list = ctx.write_list(key)?.ok_or(CommandError::NoSuchKey)?;
    let index = parse_long(&argv[2])?;
    // Valkey readies the encoding for the new element before it knows the index is valid.
    list.make_room(1, value.len(), fill);
    let len = list.len() as i64;
    let index = if index < 0 { len + index } else { index };
    if !(0..len).contains(&index) {
        return Err(CommandError::IndexOutOfRange);
    }
    list.set(index as usize, value, fill);
    list.shrunk(fill);
    ctx.written(notify::LIST, "lset", key);
    Ok(Reply::OK)
}

/// LINSERT key BEFORE|AFTER pivot element
fn linsert(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let side = if is(&argv[2], "after") {
        Side::After
    } else if is(&argv[2], "before") {
        Side::Before
    } else {
        return Err(CommandError::Syntax);
    };
    let (key, pivot, value) = (&argv[1], &argv[3], &argv[4]);
    let fill = fill(ctx);
    let Some(list) = ctx.write_list(key)? else { return Ok(Reply::Int(0)) };
    // As in Valkey, the list is readied for the element even when the pivot is then not found.
    list.make_room(1, value.len(), fill);
    let Some(at) = list.position(pivot) else { return Ok(Reply::Int(-1)) };
    list.insert(at, side, value, fill);
    let len = list.len();
    ctx.written(notify::LIST, "linsert", key);
    Ok(Reply::Int(len as i64))
}

/// LREM key count element
fn lrem(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (key, value) = (&argv[1], &argv[3]);
    let count = parse_signed_count(&argv[2])?;
    let fill = fill(ctx);
    let Some(list) = ctx.write_list(key)? else { return Ok(Reply::Int(0)) };
    let removed = list.remove_matching(value, count.unsigned_abs() as usize, count < 0);
    if removed > 0 {
        let emptied = settle_after_removal(list, fill);
        elements_removed(ctx, key, "lrem", removed, emptied);
    }
    Ok(Reply::Int(removed as i64))
}

/// LTRIM key start stop
fn ltrim(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let key = &argv[1];
    let start = parse_long(&argv[2])?;
    let stop = parse_long(&argv[3])?;
    let fill = fill(ctx);
    let Some(list) = ctx.write_list(key)? else { return Ok(Reply::OK) };
    let len = list.len();
    let (cut_head, cut_tail) = match clamp_range(start, stop, len) {
        Some((first, last)) => (first, len - last - 1),
        None => (len, 0),
    };
    list.remove_range(0, cut_head);
    let kept = list.len();
    list.remove_range(kept - cut_tail, cut_tail);
    let emptied = settle_after_removal(list, fill);
    // Valkey fires `ltrim` even when nothing was cut.
    elements_removed(ctx, key, "ltrim", cut_head + cut_tail, emptied);
    Ok(Reply::OK)
}
