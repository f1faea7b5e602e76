//! Set commands, as Valkey 8.0.1's `t_set.c`.

use crate::args::{is, Args};
use crate::command::{flag::*, keys_after_numkeys, CommandSpec, Group, Keys};
use crate::commands::hash::{parse_scan_cursor, random_count, scan_reply, ScanOf, ScanOptions};
use crate::ctx::Ctx;
use crate::db::Entry;
use crate::error::{CmdResult, CommandError};
use crate::notify;
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::types::set::{Member, Set, SetLimits};
use crate::types::Value;
use rand::rngs::SmallRng;
use std::collections::HashSet;

const G: Group = Group::Set;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "sadd", -3, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), sadd)
        .summary("Adds one or more members to a set. Creates the key if it doesn't exist.")
        .syntax("key:key member..."),
    CommandSpec::new(G, "scard", 2, READONLY | FAST, Keys::range(1, 1, 1), scard)
        .summary("Returns the number of members in a set.")
        .syntax("key:key"),
    CommandSpec::new(G, "sdiff", -2, READONLY, Keys::range(1, -1, 1), sdiff)
        .summary("Returns the difference of multiple sets.")
        .syntax("key:key..."),
    CommandSpec::new(G, "sdiffstore", -3, WRITE | DENYOOM, Keys::range(1, -1, 1), sdiffstore)
        .summary("Stores the difference of multiple sets in a key.")
        .syntax("destination:key key:key1..."),
    CommandSpec::new(G, "sinter", -2, READONLY, Keys::range(1, -1, 1), sinter)
        .summary("Returns the intersect of multiple sets.")
        .syntax("key:key..."),
    CommandSpec::new(
        G,
        "sintercard",
        -3,
        READONLY | MOVABLEKEYS,
        Keys::Movable { legacy: (0, 0, 0), find: sintercard_keys },
        sintercard,
    )
    .since("7.0.0")
    .summary("Returns the number of members of the intersect of multiple sets.")
        .syntax("numkeys:integer key:key... [LIMIT=limit:integer]"),
    CommandSpec::new(G, "sinterstore", -3, WRITE | DENYOOM, Keys::range(1, -1, 1), sinterstore)
        .summary("Stores the intersect of multiple sets in a key.")
        .syntax("destination:key key:key1..."),
    CommandSpec::new(G, "sismember", 3, READONLY | FAST, Keys::range(1, 1, 1), sismember)
        .summary("Determines whether a member belongs to a set.")
        .syntax("key:key member"),
    CommandSpec::new(G, "smembers", 2, READONLY, Keys::range(1, 1, 1), smembers).summary("Returns all members of a set.")
        .syntax("key:key"),
    CommandSpec::new(G, "smismember", -3, READONLY | FAST, Keys::range(1, 1, 1), smismember)
        .since("6.2.0")
        .summary("Determines whether multiple members belong to a set.")
        .syntax("key:key member..."),
    CommandSpec::new(G, "smove", 4, WRITE | FAST, Keys::range(1, 2, 1), smove)
        .summary("Moves a member from one set to another.")
        .syntax("source:key destination:key1 member"),
    CommandSpec::new(G, "spop", -2, WRITE | FAST, Keys::range(1, 1, 1), spop)
        .summary("Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.")
        .syntax("key:key [count:integer@3.2.0]"),
    CommandSpec::new(G, "srandmember", -2, READONLY, Keys::range(1, 1, 1), srandmember)
        .summary("Get one or multiple random members from a set")
        .syntax("key:key [count:integer@2.6.0]"),
    CommandSpec::new(G, "srem", -3, WRITE | FAST, Keys::range(1, 1, 1), srem)
        .summary("Removes one or more members from a set. Deletes the set if the last member was removed.")
        .syntax("key:key member..."),
    CommandSpec::new(G, "sscan", -3, READONLY, Keys::range(1, 1, 1), sscan)
        .since("2.8.0")
        .summary("Iterates over members of a set.")
        .syntax("key:key cursor:integer [MATCH=pattern:pattern] [COUNT=count:integer]"),
    CommandSpec::new(G, "sunion", -2, READONLY, Keys::range(1, -1, 1), sunion)
        .summary("Returns the union of multiple sets.")
        .syntax("key:key..."),
    CommandSpec::new(G, "sunionstore", -3, WRITE | DENYOOM, Keys::range(1, -1, 1), sunionstore)
        .summary("Stores the union of multiple sets in a key.")
        .syntax("destination:key key:key1..."),
];

/// SINTERCARD numkeys key [key ...]: the keys follow the count at argument 1.
fn sintercard_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    keys_after_numkeys(argv, 1)
}

/// The `set-max-*` thresholds now in force.
fn limits(ctx: &Ctx) -> SetLimits {
    let config = &ctx.eng.config;
    SetLimits {
        max_intset_entries: config.set_max_intset_entries.max(0) as usize,
        max_listpack_entries: config.set_max_listpack_entries.max(0) as usize,
        max_listpack_value: config.set_max_listpack_value.max(0) as usize,
    }
}

/// One write reported for a command that changed `changes` things: Valkey adds them all to the dirty
/// counter, `Ctx::written` counts one.
fn written_n(ctx: &mut Ctx, class: u32, event: &str, key: &[u8], changes: usize) {
    ctx.written(class, event, key);
    ctx.eng.dirty += changes.saturating_sub(1) as u64;
}

/// The set at `key`, which the caller looked up, next to the engine's RNG (a split borrow).
fn set_and_rng<'c>(ctx: &'c mut Ctx, key: &[u8]) -> (&'c mut Set, &'c mut SmallRng) {
    let db = ctx.db_index();
    let eng = &mut *ctx.eng;
    match eng.dbs[db].get_mut(key) {
        Some(Entry { value: Value::Set(set), .. }) => (set, &mut eng.rng),
        _ => unreachable!("the caller found a set at this key"),
    }
}

fn bulk(m: Member) -> Reply {
    Reply::Bulk(m.to_vec())
}

/// SADD key member [member ...]
fn sadd(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let limits = limits(ctx);
    let key = args.next_owned()?;
    let members = args.rest();
    match ctx.write_set(&key)? {
        Some(set) => set.grow_for(members.len(), limits),
        None => {
            let set = Set::for_first_member(&members[0], members.len(), limits);
            ctx.store(&key[..], Value::Set(Box::new(set)));
        }
    }
    let set = ctx.write_set(&key)?.expect("present or stored above");
    let added = members.iter().filter(|m| set.insert(m, limits)).count();
    if added > 0 {
        written_n(ctx, notify::SET, "sadd", &key, added);
    }
    Ok(Reply::Int(added as i64))
}

/// SREM key member [member ...]
fn srem(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let (removed, emptied) = {
        let Some(set) = ctx.write_set(&key)? else {
            return Ok(Reply::Int(0));
        };
        let mut removed = 0;
        for member in args.rest() {
            if set.remove(member) {
                removed += 1;
                if set.is_empty() {
                    break;
                }
            }
        }
        (removed, set.is_empty())
    };
    if emptied {
        ctx.remove(&key);
    }
    if removed > 0 {
        written_n(ctx, notify::SET, "srem", &key, removed);
        if emptied {
            ctx.notify(notify::GENERIC, "del", &key);
        }
    }
    Ok(Reply::Int(removed as i64))
}

/// SMOVE source destination member
fn smove(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let limits = limits(ctx);
    let src = args.next_owned()?;
    let dst = args.next_owned()?;
    let member = args.next_owned()?;
    // Both are looked up first; a missing source answers 0 before any type check, as in Valkey.
    let src_type = ctx.lookup_write(&src).map(|e| e.value.type_name());
    let dst_type = ctx.lookup_write(&dst).map(|e| e.value.type_name());
    let Some(src_type) = src_type else {
        return Ok(Reply::Int(0));
    };
    if src_type != "set" || dst_type.is_some_and(|t| t != "set") {
        return Err(CommandError::WrongType);
    }
    if src == dst {
        let set = ctx.write_set(&src)?.expect("checked above");
        return Ok(Reply::Int(set.contains(&member).into()));
    }
    let emptied = {
        let set = ctx.write_set(&src)?.expect("checked above");
        if !set.remove(&member) {
            return Ok(Reply::Int(0));
        }
        set.is_empty()
    };
    ctx.written(notify::SET, "srem", &src);
    if emptied {
        ctx.remove(&src);
        ctx.notify(notify::GENERIC, "del", &src);
    }
    if dst_type.is_none() {
        ctx.store(&dst[..], Value::Set(Box::new(Set::for_first_member(&member, 1, limits))));
    }
    let added = ctx.write_set(&dst)?.expect("present or stored above").insert(&member, limits);
    if added {
        ctx.written(notify::SET, "sadd", &dst);
    }
    Ok(Reply::Int(1))
}

/// SISMEMBER key member
fn sismember(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let member = args.next()?;
    Ok(Reply::Int(ctx.read_set(&key)?.is_some_and(|s| s.contains(member)).into()))
}

/// SMISMEMBER key member [member ...]
fn smismember(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let set = ctx.read_set(&key)?;
    Ok(Reply::Array(
        args.rest().iter().map(|m| Reply::Int(set.as_ref().is_some_and(|s| s.contains(m)).into())).collect(),
    ))
}

/// SCARD key
fn scard(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    Ok(Reply::Int(ctx.read_set(&key)?.map_or(0, |s| s.len()) as i64))
}

/// SMEMBERS key
fn smembers(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    let Some(set) = ctx.read_set(&key)? else {
        return Ok(Reply::Set(Vec::new()));
    };
    Ok(Reply::Set(set.iter().map(bulk).collect()))
}

/// SPOP key [count]
fn spop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    match args.rest() {
        [] => {}
        [count] => {
            let count = parse_i64(count).filter(|&n| n >= 0).ok_or(CommandError::NotPositive)?;
            return spop_count(ctx, &key, count as u64);
        }
        _ => return Err(CommandError::Syntax),
    }
    if ctx.write_set(&key)?.is_none() {
        return Ok(Reply::Null);
    }
    let (set, rng) = set_and_rng(ctx, &key);
    let popped = set.pop_random(rng).expect("stored sets are never empty");
    let emptied = set.is_empty();
    ctx.written(notify::SET, "spop", &key);
    if emptied {
        ctx.remove(&key);
        ctx.notify(notify::GENERIC, "del", &key);
    }
    Ok(Reply::Bulk(popped))
}

/// SPOP key count
fn spop_count(ctx: &mut Ctx, key: &[u8], count: u64) -> CmdResult {
    let limits = limits(ctx);
    if ctx.write_set(key)?.is_none() || count == 0 {
        return Ok(Reply::Set(Vec::new()));
    }
    let (set, rng) = set_and_rng(ctx, key);
    let size = set.len();
    if count >= size as u64 {
        // Everything goes: the key is deleted (Valkey propagates this as DEL or UNLINK).
        let all = set.iter().map(bulk).collect();
        ctx.remove(key);
        written_n(ctx, notify::SET, "spop", key, size);
        ctx.notify(notify::GENERIC, "del", key);
        return Ok(Reply::Set(all));
    }
    // (Valkey propagates this as SREMs of the popped members.)
    let popped = set.pop_many(count as usize, rng, limits);
    written_n(ctx, notify::SET, "spop", key, popped.len());
    Ok(Reply::Set(popped.into_iter().map(Reply::Bulk).collect()))
}

/// SRANDMEMBER key [count]
fn srandmember(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let count = match args.rest() {
        [] => None,
        [count] => Some(random_count(count)?),
        _ => return Err(CommandError::Syntax),
    };
    let Some(count) = count else {
        if ctx.read_set(&key)?.is_none() {
            return Ok(Reply::Null);
        }
        let (set, rng) = set_and_rng(ctx, &key);
        return Ok(bulk(set.random_member(rng).expect("stored sets are never empty")));
    };
    if ctx.read_set(&key)?.is_none() || count == 0 {
        return Ok(Reply::EMPTY_ARRAY);
    }
    let (set, rng) = set_and_rng(ctx, &key);
    let set: &Set = set;
    let members: Vec<Reply> = if count < 0 || count == 1 {
        // Repeats allowed: each pick is independent.
        let n = count.unsigned_abs() as usize;
        let mut out = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            out.push(bulk(set.random_member(rng).expect("stored sets are never empty")));
        }
        out
    } else if count as usize >= set.len() {
        set.iter().map(bulk).collect()
    } else {
        set.random_distinct(count as usize, rng).into_iter().map(bulk).collect()
    };
    Ok(Reply::Array(members))
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]
fn sscan(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let cursor = parse_scan_cursor(args.next()?)?;
    let Some(set) = ctx.read_set(&key)? else {
        return Ok(scan_reply(0, Vec::new()));
    };
    let options = ScanOptions::parse(args.rest(), ScanOf::Set)?;
    let mut items = Vec::new();
    let cursor = options.run(cursor, |cursor, sampled| {
        set.scan(cursor, |member| {
            *sampled += 1;
            member.with_bytes(|bytes| {
                if options.matches(bytes) {
                    items.push(Reply::bulk(bytes));
                }
            });
        })
    });
    Ok(scan_reply(cursor, items))
}

// -- SINTER, SUNION, SDIFF and their STORE and CARD forms ------------------------------------------------

/// SINTER key [key ...]
fn sinter(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let keys = args.rest().to_vec();
    let members = intersect(ctx, &keys, Want::Members)?;
    Ok(Reply::Set(members.into_iter().map(Reply::Bulk).collect()))
}

/// SINTERSTORE destination key [key ...]
fn sinterstore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let dst = args.next_owned()?;
    let keys = args.rest().to_vec();
    let members = intersect(ctx, &keys, Want::Members)?;
    store_result(ctx, &dst, members, "sinterstore")
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
fn sintercard(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let numkeys = parse_i64(args.next()?).filter(|&n| n >= 1).ok_or(CommandError::NumkeysNotPositive)?;
    if numkeys as u64 > args.remaining() as u64 {
        return Err(CommandError::NumkeysTooLarge);
    }
    let keys = args.rest()[..numkeys as usize].to_vec();
    let options = &args.rest()[numkeys as usize..];
    let mut limit = 0;
    let mut i = 0;
    while i < options.len() {
        if is(&options[i], "limit") && i + 1 < options.len() {
            limit = parse_i64(&options[i + 1]).filter(|&n| n >= 0).ok_or(CommandError::LimitNegative)?;
            i += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let limit = if limit == 0 { usize::MAX } else { limit as usize };
    let members = intersect(ctx, &keys, Want::Count { limit })?;
    Ok(Reply::Int(members.len() as i64))
}

/// SUNION key [key ...]
fn sunion(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let keys = args.rest().to_vec();
    let members = union_or_diff(ctx, &keys, Op::Union)?;
    Ok(Reply::Set(members.into_iter().map(Reply::Bulk).collect()))
}

/// SUNIONSTORE destination key [key ...]
fn sunionstore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let dst = args.next_owned()?;
    let keys = args.rest().to_vec();
    let members = union_or_diff(ctx, &keys, Op::Union)?;
    store_result(ctx, &dst, members, "sunionstore")
}

/// SDIFF key [key ...]
fn sdiff(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let keys = args.rest().to_vec();
    let members = union_or_diff(ctx, &keys, Op::Diff)?;
    Ok(Reply::Set(members.into_iter().map(Reply::Bulk).collect()))
}

/// SDIFFSTORE destination key [key ...]
fn sdiffstore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let dst = args.next_owned()?;
    let keys = args.rest().to_vec();
    let members = union_or_diff(ctx, &keys, Op::Diff)?;
    store_result(ctx, &dst, members, "sdiffstore")
}

/// What SINTER and its forms need of the intersection.
#[derive(Clone, Copy)]
enum Want {
    Members,
    /// SINTERCARD: only how many, stopping at `limit`; the members come back empty.
    Count {
        limit: usize,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Diff,
}

/// Looks every key up for a read, in order, as Valkey does before combining them: expiry, statistics,
/// and the first key of another type fails the command (missing keys before it do not). Returns
/// which keys exist.
fn look_up_sources(ctx: &mut Ctx, keys: &[Vec<u8>]) -> Result<Vec<bool>, CommandError> {
    keys.iter().map(|k| Ok(ctx.read_set(k)?.is_some())).collect()
}

/// The sets at `keys` (looked up already; `None` for missing ones), borrowed together.
fn sources<'c>(ctx: &'c mut Ctx, keys: &[Vec<u8>]) -> Vec<Option<&'c Set>> {
    let db = &*ctx.db();
    keys.iter()
        .map(|k| match db.get(k) {
            Some(Entry { value: Value::Set(set), .. }) => Some(&**set),
            _ => None,
        })
        .collect()
}

/// The members of every set at `keys`.
fn intersect(ctx: &mut Ctx, keys: &[Vec<u8>], want: Want) -> Result<Vec<Vec<u8>>, CommandError> {
    if look_up_sources(ctx, keys)?.contains(&false) {
        // A missing key is an empty set: nothing further to look at.
        return Ok(Vec::new());
    }
    let mut sets: Vec<&Set> = sources(ctx, keys).into_iter().map(|s| s.expect("every key exists")).collect();
    // Walk the smallest set and probe the others.
    sets.sort_by_key(|s| s.len());
    let (first, others) = sets.split_first().expect("at least one key");
    let mut members = Vec::new();
    for m in first.iter() {
        if others.iter().all(|s| std::ptr::eq(*s, *first) || s.contains_member(m)) {
            match want {
                Want::Members => members.push(m.to_vec()),
                Want::Count { limit } => {
                    members.push(Vec::new());
                    if members.len() >= limit {
                        break;
                    }
                }
            }
        }
    }
    Ok(members)
}

/// The union of the sets at `keys`, or the members of the first that no other has.
fn union_or_diff(ctx: &mut Ctx, keys: &[Vec<u8>], op: Op) -> Result<Vec<Vec<u8>>, CommandError> {
    look_up_sources(ctx, keys)?;
    let sets = sources(ctx, keys);
    match op {
        Op::Union => {
            // All intsets: reply in ascending order, as Valkey's intset result does.
            if sets.iter().flatten().all(|s| s.as_ints().is_some()) {
                let mut ints: Vec<i64> =
                    sets.iter().flatten().flat_map(|s| s.as_ints().unwrap_or_default()).copied().collect();
                ints.sort_unstable();
                ints.dedup();
                return Ok(ints.into_iter().map(|n| Member::Int(n).to_vec()).collect());
            }
            let mut seen: HashSet<Vec<u8>> = HashSet::new();
            let mut members = Vec::new();
            for m in sets.iter().flatten().flat_map(|s| s.iter()) {
                let bytes = m.to_vec();
                if seen.insert(bytes.clone()) {
                    members.push(bytes);
                }
            }
            Ok(members)
        }
        Op::Diff => {
            let Some(first) = sets[0] else {
                return Ok(Vec::new());
            };
            // A key repeated after the first subtracts the first from itself.
            if keys[1..].contains(&keys[0]) {
                return Ok(Vec::new());
            }
            let others: Vec<&Set> = sets[1..].iter().flatten().copied().collect();
            Ok(first.iter().filter(|m| !others.iter().any(|s| s.contains_member(*m))).map(Member::to_vec).collect())
        }
    }
}

/// Stores a *STORE result at `dst` in the smallest encoding, replacing whatever was there (of any
/// type); an empty result deletes `dst`. Replies with the result's size.
fn store_result(ctx: &mut Ctx, dst: &[u8], members: Vec<Vec<u8>>, event: &str) -> CmdResult {
    if members.is_empty() {
        if ctx.remove(dst).is_some() {
            ctx.written(notify::GENERIC, "del", dst);
        }
        return Ok(Reply::Int(0));
    }
    let len = members.len();
    let set = Set::from_distinct(members, limits(ctx));
    ctx.store(dst, Value::Set(Box::new(set)));
    ctx.written(notify::SET, event, dst);
    Ok(Reply::Int(len as i64))
}
