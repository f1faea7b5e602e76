//! Sorted-set commands, as Valkey 8.0.1's `t_zset.c`: ZADD and its options, reads by member, rank,
//! score and lex range, the ZRANGE family (ZRANGESTORE included), removals by range, pops (blocking
//! ones too), the set algebra (ZUNION/ZINTER/ZDIFF, their STORE forms, ZINTERCARD), ZRANDMEMBER and
//! ZSCAN.
//!
//! Reply shapes follow Valkey's per protocol: WITHSCORES answers are flat `[member, score, ...]` in
//! RESP2 and `[[member, score], ...]` in RESP3, scores are [`Reply::Double`] everywhere except ZSCAN
//! (bulk strings, as Valkey formats them).

use crate::args::{is, Args};
use crate::command::{flag::*, keys_after_numkeys, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::notify::{GENERIC, ZSET};
use crate::num::{parse_f64, parse_i64, parse_lex_bound, parse_score_bound, LexBound};
use crate::reply::Reply;
use crate::types::skiplist::{self, LexRange, ScoreRange};
use crate::types::zset::{AddFlags, AddOutcome, End, ListpackLimits, ZSet};
use crate::types::{Set, Value};
use foldhash::fast::FixedState;
use rand::Rng;
use std::collections::{HashMap, HashSet};

const G: Group = Group::SortedSet;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "bzmpop", -5, WRITE | BLOCKING | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: keys_of_bzmpop }, bzmpop)
        .since("7.0.0")
        .summary("Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.")
        .syntax("timeout:double numkeys:integer key:key... {where: MIN | MAX} [COUNT=count:integer]"),
    CommandSpec::new(G, "bzpopmax", -3, WRITE | FAST | BLOCKING, Keys::range(1, -2, 1), bzpopmax)
        .since("5.0.0")
        .summary("Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.")
        .syntax("key:key... timeout:double"),
    CommandSpec::new(G, "bzpopmin", -3, WRITE | FAST | BLOCKING, Keys::range(1, -2, 1), bzpopmin)
        .since("5.0.0")
        .summary("Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.")
        .syntax("key:key... timeout:double"),
    CommandSpec::new(G, "zadd", -4, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), zadd)
        .since("1.2.0")
        .summary("Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.")
        .syntax("key:key [condition: NX | XX]@3.0.2 [comparison: GT | LT]@6.2.0 [CH=change:token@3.0.2] [INCR=increment:token@3.0.2] (data; score:double member)..."),
    CommandSpec::new(G, "zcard", 2, READONLY | FAST, Keys::range(1, 1, 1), zcard)
        .since("1.2.0")
        .summary("Returns the number of members in a sorted set.")
        .syntax("key:key"),
    CommandSpec::new(G, "zcount", 4, READONLY | FAST, Keys::range(1, 1, 1), zcount)
        .since("2.0.0")
        .summary("Returns the count of members in a sorted set that have scores within a range.")
        .syntax("key:key min:double max:double"),
    CommandSpec::new(G, "zdiff", -3, READONLY | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: keys_after_numkeys_at_1 }, zdiff)
        .since("6.2.0")
        .summary("Returns the difference between multiple sorted sets.")
        .syntax("numkeys:integer key:key... [WITHSCORES]"),
    CommandSpec::new(G, "zdiffstore", -4, WRITE | DENYOOM | MOVABLEKEYS, Keys::Movable { legacy: (1, 1, 1), find: keys_of_store }, zdiffstore)
        .since("6.2.0")
        .summary("Stores the difference of multiple sorted sets in a key.")
        .syntax("destination:key numkeys:integer key:key1..."),
    CommandSpec::new(G, "zincrby", 4, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), zincrby)
        .since("1.2.0")
        .summary("Increments the score of a member in a sorted set.")
        .syntax("key:key increment:integer member"),
    CommandSpec::new(G, "zinter", -3, READONLY | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: keys_after_numkeys_at_1 }, zinter)
        .since("6.2.0")
        .summary("Returns the intersect of multiple sorted sets.")
        .syntax("numkeys:integer key:key... [WEIGHTS=weight:integer...] AGGREGATE=[aggregate: SUM | MIN | MAX] [WITHSCORES]"),
    CommandSpec::new(G, "zintercard", -3, READONLY | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: keys_after_numkeys_at_1 }, zintercard)
        .since("7.0.0")
        .summary("Returns the number of members of the intersect of multiple sorted sets.")
        .syntax("numkeys:integer key:key... [LIMIT=limit:integer]"),
    CommandSpec::new(G, "zinterstore", -4, WRITE | DENYOOM | MOVABLEKEYS, Keys::Movable { legacy: (1, 1, 1), find: keys_of_store }, zinterstore)
        .since("2.0.0")
        .summary("Stores the intersect of multiple sorted sets in a key.")
        .syntax("destination:key numkeys:integer key:key1... [WEIGHTS=weight:integer...] AGGREGATE=[aggregate: SUM | MIN | MAX]"),
    CommandSpec::new(G, "zlexcount", 4, READONLY | FAST, Keys::range(1, 1, 1), zlexcount)
        .since("2.8.9")
        .summary("Returns the number of members in a sorted set within a lexicographical range.")
        .syntax("key:key min max"),
    CommandSpec::new(G, "zmpop", -4, WRITE | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: keys_after_numkeys_at_1 }, zmpop)
        .since("7.0.0")
        .summary("Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.")
        .syntax("numkeys:integer key:key... {where: MIN | MAX} [COUNT=count:integer]"),
    CommandSpec::new(G, "zmscore", -3, READONLY | FAST, Keys::range(1, 1, 1), zmscore)
        .since("6.2.0")
        .summary("Returns the score of one or more members in a sorted set.")
        .syntax("key:key member..."),
    CommandSpec::new(G, "zpopmax", -2, WRITE | FAST, Keys::range(1, 1, 1), zpopmax)
        .since("5.0.0")
        .summary("Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.")
        .syntax("key:key [count:integer]"),
    CommandSpec::new(G, "zpopmin", -2, WRITE | FAST, Keys::range(1, 1, 1), zpopmin)
        .since("5.0.0")
        .summary("Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.")
        .syntax("key:key [count:integer]"),
    CommandSpec::new(G, "zrandmember", -2, READONLY, Keys::range(1, 1, 1), zrandmember)
        .since("6.2.0")
        .summary("Returns one or more random members from a sorted set.")
        .syntax("key:key [options; count:integer [WITHSCORES]]"),
    CommandSpec::new(G, "zrange", -4, READONLY, Keys::range(1, 1, 1), zrange)
        .since("1.2.0")
        .summary("Returns members in a sorted set within a range of indexes.")
        .syntax("key:key start stop [sortby: BYSCORE | BYLEX]@6.2.0 [REV@6.2.0] LIMIT=[limit; offset:integer count:integer]@6.2.0 [WITHSCORES]"),
    CommandSpec::new(G, "zrangebylex", -4, READONLY, Keys::range(1, 1, 1), zrangebylex)
        .since("2.8.9")
        .summary("Returns members in a sorted set within a lexicographical range.")
        .syntax("key:key min max LIMIT=[limit; offset:integer count:integer]"),
    CommandSpec::new(G, "zrangebyscore", -4, READONLY, Keys::range(1, 1, 1), zrangebyscore)
        .since("1.0.5")
        .summary("Returns members in a sorted set within a range of scores.")
        .syntax("key:key min:double max:double [WITHSCORES@2.0.0] LIMIT=[limit; offset:integer count:integer]"),
    CommandSpec::new(G, "zrangestore", -5, WRITE | DENYOOM, Keys::range(1, 2, 1), zrangestore)
        .since("6.2.0")
        .summary("Stores a range of members from sorted set in a key.")
        .syntax("dst:key src:key1 min max [sortby: BYSCORE | BYLEX] [REV] LIMIT=[limit; offset:integer count:integer]"),
    CommandSpec::new(G, "zrank", -3, READONLY | FAST, Keys::range(1, 1, 1), zrank)
        .since("2.0.0")
        .summary("Returns the index of a member in a sorted set ordered by ascending scores.")
        .syntax("key:key member [WITHSCORE]"),
    CommandSpec::new(G, "zrem", -3, WRITE | FAST, Keys::range(1, 1, 1), zrem)
        .since("1.2.0")
        .summary("Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.")
        .syntax("key:key member..."),
    CommandSpec::new(G, "zremrangebylex", 4, WRITE, Keys::range(1, 1, 1), zremrangebylex)
        .since("2.8.9")
        .summary("Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.")
        .syntax("key:key min max"),
    CommandSpec::new(G, "zremrangebyrank", 4, WRITE, Keys::range(1, 1, 1), zremrangebyrank)
        .since("2.0.0")
        .summary("Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.")
        .syntax("key:key start:integer stop:integer"),
    CommandSpec::new(G, "zremrangebyscore", 4, WRITE, Keys::range(1, 1, 1), zremrangebyscore)
        .since("1.2.0")
        .summary("Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.")
        .syntax("key:key min:double max:double"),
    CommandSpec::new(G, "zrevrange", -4, READONLY, Keys::range(1, 1, 1), zrevrange)
        .since("1.2.0")
        .summary("Returns members in a sorted set within a range of indexes in reverse order.")
        .syntax("key:key start:integer stop:integer [WITHSCORES]"),
    CommandSpec::new(G, "zrevrangebylex", -4, READONLY, Keys::range(1, 1, 1), zrevrangebylex)
        .since("2.8.9")
        .summary("Returns members in a sorted set within a lexicographical range in reverse order.")
        .syntax("key:key max min LIMIT=[limit; offset:integer count:integer]"),
    CommandSpec::new(G, "zrevrangebyscore", -4, READONLY, Keys::range(1, 1, 1), zrevrangebyscore)
        .since("2.2.0")
        .summary("Returns members in a sorted set within a range of scores in reverse order.")
        .syntax("key:key max:double min:double [WITHSCORES] LIMIT=[limit; offset:integer count:integer]"),
    CommandSpec::new(G, "zrevrank", -3, READONLY | FAST, Keys::range(1, 1, 1), zrevrank)
        .since("2.0.0")
        .summary("Returns the index of a member in a sorted set ordered by descending scores.")
        .syntax("key:key member [WITHSCORE]"),
    CommandSpec::new(G, "zscan", -3, READONLY, Keys::range(1, 1, 1), zscan)
        .since("2.8.0")
        .summary("Iterates over members and scores of a sorted set.")
        .syntax("key:key cursor:integer [MATCH=pattern:pattern] [COUNT=count:integer] [NOSCORES]"),
    CommandSpec::new(G, "zscore", 3, READONLY | FAST, Keys::range(1, 1, 1), zscore)
        .since("1.2.0")
        .summary("Returns the score of a member in a sorted set.")
        .syntax("key:key member"),
    CommandSpec::new(G, "zunion", -3, READONLY | MOVABLEKEYS, Keys::Movable { legacy: (0, 0, 0), find: keys_after_numkeys_at_1 }, zunion)
        .since("6.2.0")
        .summary("Returns the union of multiple sorted sets.")
        .syntax("numkeys:integer key:key... [WEIGHTS=weight:integer...] AGGREGATE=[aggregate: SUM | MIN | MAX] [WITHSCORES]"),
    CommandSpec::new(G, "zunionstore", -4, WRITE | DENYOOM | MOVABLEKEYS, Keys::Movable { legacy: (1, 1, 1), find: keys_of_store }, zunionstore)
        .since("2.0.0")
        .summary("Stores the union of multiple sorted sets in a key.")
        .syntax("destination:key numkeys:integer key:key1... [WEIGHTS=weight:integer...] AGGREGATE=[aggregate: SUM | MIN | MAX]"),
];

// -- key positions of the numkeys commands ------------------------------------------------------------

/// ZUNION, ZINTER, ZINTERCARD, ZDIFF, ZMPOP: `cmd numkeys key ...`.
fn keys_after_numkeys_at_1(argv: &[Vec<u8>]) -> Vec<usize> {
    keys_after_numkeys(argv, 1)
}

/// BZMPOP: `bzmpop timeout numkeys key ...`.
fn keys_of_bzmpop(argv: &[Vec<u8>]) -> Vec<usize> {
    keys_after_numkeys(argv, 2)
}

/// ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE: `cmd destination numkeys key ...`.
fn keys_of_store(argv: &[Vec<u8>]) -> Vec<usize> {
    let mut keys = vec![1];
    keys.extend(keys_after_numkeys(argv, 2));
    keys
}

// -- shared parsing ------------------------------------------------------------------------------------

/// The configured compact-encoding limits.
fn limits(ctx: &Ctx) -> ListpackLimits {
    let config = &ctx.eng.config;
    let to_usize = |v: i64| usize::try_from(v.max(0)).unwrap_or(usize::MAX);
    ListpackLimits {
        max_entries: to_usize(config.zset_max_listpack_entries),
        max_value: to_usize(config.zset_max_listpack_value),
    }
}

/// A non-negative count as a `usize`, saturating where `usize` is narrower (wasm32).
fn saturating_usize(v: i64) -> usize {
    usize::try_from(v.max(0)).unwrap_or(usize::MAX)
}

/// Valkey's `getLongFromObjectOrReply`: a strict integer, or `err`.
fn long_or(arg: &[u8], err: CommandError) -> Result<i64, CommandError> {
    parse_i64(arg).ok_or(err)
}

/// Valkey's `getRangeLongFromObjectOrReply` with a message: outside `min..=max` is `err` too.
fn long_in_range_or(arg: &[u8], min: i64, max: i64, err: CommandError) -> Result<i64, CommandError> {
    match parse_i64(arg) {
        Some(v) if (min..=max).contains(&v) => Ok(v),
        _ => Err(err),
    }
}

/// A ZRANGEBYSCORE-style `min max` pair (`zslParseRange`).
fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CommandError> {
    let (Some((min, min_exclusive)), Some((max, max_exclusive))) = (parse_score_bound(min), parse_score_bound(max))
    else {
        return Err(CommandError::ScoreRangeNotFloat);
    };
    Ok(ScoreRange { min, max, min_exclusive, max_exclusive })
}

/// A ZRANGEBYLEX-style `min max` pair (`zslParseLexRange`).
fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CommandError> {
    let (Some(min), Some(max)) = (parse_lex_bound(min), parse_lex_bound(max)) else {
        return Err(CommandError::LexRangeInvalid);
    };
    Ok(LexRange { min: to_skiplist_bound(min), max: to_skiplist_bound(max) })
}

fn to_skiplist_bound(bound: LexBound) -> skiplist::LexBound {
    match bound {
        LexBound::NegInf => skiplist::LexBound::NegInf,
        LexBound::PosInf => skiplist::LexBound::PosInf,
        LexBound::Inclusive(b) => skiplist::LexBound::Inclusive(b),
        LexBound::Exclusive(b) => skiplist::LexBound::Exclusive(b),
    }
}

/// Members with scores, in the shape Valkey's WITHSCORES replies take: flat in RESP2, pairs in
/// RESP3; plain members without scores.
fn scored_reply(items: Vec<(f64, Vec<u8>)>, withscores: bool, resp3: bool) -> Reply {
    if !withscores {
        return Reply::Array(items.into_iter().map(|(_, m)| Reply::Bulk(m)).collect());
    }
    if resp3 {
        Reply::Array(items.into_iter().map(|(s, m)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)])).collect())
    } else {
        Reply::Array(items.into_iter().flat_map(|(s, m)| [Reply::Bulk(m), Reply::Double(s)]).collect())
    }
}

/// A sorted set this command already looked up and type-checked, read again without counting a
/// second keyspace hit.
fn looked_up<'c>(ctx: &'c Ctx, key: &[u8]) -> &'c ZSet {
    match ctx.eng.dbs[ctx.db_index()].get(key).map(|e| &e.value) {
        Some(Value::ZSet(zs)) => zs,
        _ => unreachable!("looked up as a sorted set earlier in the command"),
    }
}

/// Deletes `key` when its set became empty (the caller fires the events after its own).
fn delete_if_empty(ctx: &mut Ctx, key: &[u8], empty: bool) -> bool {
    if empty {
        ctx.remove(key);
    }
    empty
}

// -- ZADD, ZINCRBY --------------------------------------------------------------------------------------

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
fn zadd(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zadd_generic(ctx, args, false)
}

/// ZINCRBY key increment member
fn zincrby(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zadd_generic(ctx, args, true)
}

/// Valkey's `zaddGenericCommand`: ZINCRBY is ZADD with INCR, options parsing included.
fn zadd_generic(ctx: &mut Ctx, args: &mut Args, incr_command: bool) -> CmdResult {
    let argv = args.argv();
    let key = argv[1].clone();
    let mut flags = AddFlags { incr: incr_command, ..AddFlags::default() };
    let mut ch = false;
    let mut at = 2;
    while let Some(opt) = argv.get(at) {
        match () {
            _ if is(opt, "nx") => flags.nx = true,
            _ if is(opt, "xx") => flags.xx = true,
            _ if is(opt, "ch") => ch = true,
            _ if is(opt, "incr") => flags.incr = true,
            _ if is(opt, "gt") => flags.gt = true,
            _ if is(opt, "lt") => flags.lt = true,
            _ => break,
        }
        at += 1;
    }
    let pairs = &argv[at..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(CommandError::Syntax);
    }
    if flags.nx && flags.xx {
        return Err(CommandError::ZaddXxAndNx);
    }
    if (flags.nx && (flags.gt || flags.lt)) || (flags.gt && flags.lt) {
        return Err(CommandError::ZaddGtLtNx);
    }
    if flags.incr && pairs.len() > 2 {
        return Err(CommandError::ZaddIncrPairs);
    }
    // Every score is checked before anything changes: the command applies fully or not at all.
    let mut elements = Vec::with_capacity(pairs.len() / 2);
    let mut longest = 0;
    for pair in pairs.chunks(2) {
        let score = parse_f64(&pair[0]).ok_or(CommandError::NotFloat)?;
        longest = longest.max(pair[1].len());
        elements.push((score, pair[1].clone()));
    }

    let limits = limits(ctx);
    let (mut added, mut updated, mut processed) = (0, 0, 0);
    let mut last_score = 0.0;
    let mut nan = false;
    let mut apply = |zs: &mut ZSet| {
        for (score, member) in &elements {
            match zs.add(*score, member, flags, limits) {
                Err(_) => {
                    nan = true;
                    return;
                }
                Ok((outcome, new_score)) => {
                    match outcome {
                        AddOutcome::Added => added += 1,
                        AddOutcome::Updated => updated += 1,
                        AddOutcome::Unchanged | AddOutcome::NotPerformed => {}
                    }
                    if outcome != AddOutcome::NotPerformed {
                        processed += 1;
                    }
                    last_score = new_score;
                }
            }
        }
    };
    let missing = match ctx.write_zset(&key)? {
        Some(zs) => {
            zs.prepare_for(elements.len(), longest, limits);
            apply(zs);
            false
        }
        None => true,
    };
    if missing && !flags.xx {
        let mut zs = ZSet::with_hints(elements.len(), longest, limits);
        apply(&mut zs);
        if !zs.is_empty() {
            ctx.store(&key[..], Value::ZSet(Box::new(zs)));
        }
    }
    if added + updated > 0 {
        ctx.written(ZSET, if flags.incr { "zincr" } else { "zadd" }, &key);
    }
    if nan {
        return Err(CommandError::ScoreNan);
    }
    Ok(if flags.incr {
        if processed > 0 {
            Reply::Double(last_score)
        } else {
            Reply::Null
        }
    } else {
        Reply::Int(if ch { added + updated } else { added })
    })
}

// -- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK ------------------------------------------------------------------

/// ZREM key member [member ...]
fn zrem(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let key = argv[1].clone();
    let Some(zs) = ctx.write_zset(&key)? else {
        return Ok(Reply::Int(0));
    };
    let mut deleted = 0;
    for member in &argv[2..] {
        if zs.remove(member) {
            deleted += 1;
        }
        if zs.is_empty() {
            break;
        }
    }
    let emptied = zs.is_empty();
    if deleted > 0 {
        delete_if_empty(ctx, &key, emptied);
        ctx.written(ZSET, "zrem", &key);
        if emptied {
            ctx.written(GENERIC, "del", &key);
        }
    }
    Ok(Reply::Int(deleted))
}

/// ZCARD key
fn zcard(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    Ok(Reply::Int(ctx.read_zset(&key)?.map_or(0, |zs| zs.len() as i64)))
}

/// ZSCORE key member
fn zscore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let (key, member) = (argv[1].clone(), argv[2].clone());
    let score = ctx.read_zset(&key)?.and_then(|zs| zs.score(&member));
    Ok(score.map_or(Reply::Null, Reply::Double))
}

/// ZMSCORE key member [member ...]
fn zmscore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv().to_vec();
    let zs = ctx.read_zset(&argv[1])?;
    let scores = argv[2..].iter().map(|m| zs.as_ref().and_then(|zs| zs.score(m)).map_or(Reply::Null, Reply::Double));
    Ok(Reply::Array(scores.collect()))
}

/// ZRANK key member [WITHSCORE]
fn zrank(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrank_generic(ctx, args, false)
}

/// ZREVRANK key member [WITHSCORE]
fn zrevrank(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrank_generic(ctx, args, true)
}

fn zrank_generic(ctx: &mut Ctx, args: &mut Args, reverse: bool) -> CmdResult {
    let argv = args.argv();
    if argv.len() > 4 {
        return Err(CommandError::WrongArity(ctx.spec.name.to_string()));
    }
    let withscore = match argv.get(3) {
        Some(opt) if is(opt, "withscore") => true,
        Some(_) => return Err(CommandError::Syntax),
        None => false,
    };
    let (key, member) = (argv[1].clone(), argv[2].clone());
    let missing = if withscore { Reply::NullArray } else { Reply::Null };
    let Some(zs) = ctx.read_zset(&key)? else {
        return Ok(missing);
    };
    let Some((rank, score)) = zs.rank(&member) else {
        return Ok(missing);
    };
    let rank = if reverse { zs.len() - 1 - rank } else { rank } as i64;
    Ok(if withscore { Reply::Array(vec![Reply::Int(rank), Reply::Double(score)]) } else { Reply::Int(rank) })
}

// -- ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX ---------------------------------------------------

enum Removal {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// ZREMRANGEBYRANK key start stop
fn zremrangebyrank(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let start = long_or(&argv[2], CommandError::NotInteger)?;
    let end = long_or(&argv[3], CommandError::NotInteger)?;
    zremrange_generic(ctx, args, Removal::Rank(start, end), "zremrangebyrank")
}

/// ZREMRANGEBYSCORE key min max
fn zremrangebyscore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let range = parse_score_range(&argv[2], &argv[3])?;
    zremrange_generic(ctx, args, Removal::Score(range), "zremrangebyscore")
}

/// ZREMRANGEBYLEX key min max
fn zremrangebylex(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let range = parse_lex_range(&argv[2], &argv[3])?;
    zremrange_generic(ctx, args, Removal::Lex(range), "zremrangebylex")
}

fn zremrange_generic(ctx: &mut Ctx, args: &mut Args, removal: Removal, event: &str) -> CmdResult {
    let key = args.argv()[1].clone();
    let Some(zs) = ctx.write_zset(&key)? else {
        return Ok(Reply::Int(0));
    };
    let deleted = match removal {
        Removal::Rank(start, end) => match rank_span(start, end, zs.len()) {
            Some((start, end)) => zs.remove_range_by_rank(start, end),
            None => return Ok(Reply::Int(0)),
        },
        Removal::Score(range) => zs.remove_range_by_score(&range),
        Removal::Lex(range) => zs.remove_range_by_lex(&range),
    };
    let emptied = zs.is_empty();
    delete_if_empty(ctx, &key, emptied);
    if deleted > 0 {
        ctx.written(ZSET, event, &key);
        if emptied {
            ctx.written(GENERIC, "del", &key);
        }
    }
    Ok(Reply::Int(deleted as i64))
}

/// Valkey's index sanitising for rank ranges: negative indices count from the end, the start
/// clamps at 0 and the end at the last rank. `None` when nothing is in range.
fn rank_span(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len.saturating_add(start) } else { start };
    let mut end = if end < 0 { len.saturating_add(end) } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

// -- ZRANGE and friends, ZRANGESTORE -----------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeBy {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
fn zrange(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrange_generic(ctx, args, None, RangeBy::Auto, Direction::Auto)
}

/// ZREVRANGE key start stop [WITHSCORES]
fn zrevrange(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrange_generic(ctx, args, None, RangeBy::Rank, Direction::Reverse)
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
fn zrangebyscore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrange_generic(ctx, args, None, RangeBy::Score, Direction::Forward)
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
fn zrevrangebyscore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrange_generic(ctx, args, None, RangeBy::Score, Direction::Reverse)
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
fn zrangebylex(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrange_generic(ctx, args, None, RangeBy::Lex, Direction::Forward)
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
fn zrevrangebylex(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zrange_generic(ctx, args, None, RangeBy::Lex, Direction::Reverse)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
fn zrangestore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let dst = args.argv()[1].clone();
    zrange_generic(ctx, args, Some(dst), RangeBy::Auto, Direction::Auto)
}

/// What a parsed range selects.
enum Selection {
    Rank { start: i64, end: i64 },
    Score(ScoreRange),
    Lex(LexRange),
}

/// Valkey's `zrangeGenericCommand`: options, their conflicts, the range, then the selection, sent to
/// the client or stored in `dst`.
fn zrange_generic(
    ctx: &mut Ctx,
    args: &mut Args,
    dst: Option<Vec<u8>>,
    mut by: RangeBy,
    mut dir: Direction,
) -> CmdResult {
    let argv = args.argv();
    let store = dst.is_some();
    let first = if store { 2 } else { 1 };
    let key = argv[first].clone();
    let (mut min_at, mut max_at) = (first + 1, first + 2);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = first + 3;
    while j < argv.len() {
        let opt = &argv[j];
        let left = argv.len() - j - 1;
        if !store && is(opt, "withscores") {
            withscores = true;
        } else if is(opt, "limit") && left >= 2 {
            offset = long_or(&argv[j + 1], CommandError::NotInteger)?;
            limit = long_or(&argv[j + 2], CommandError::NotInteger)?;
            j += 2;
        } else if dir == Direction::Auto && is(opt, "rev") {
            dir = Direction::Reverse;
        } else if by == RangeBy::Auto && is(opt, "bylex") {
            by = RangeBy::Lex;
        } else if by == RangeBy::Auto && is(opt, "byscore") {
            by = RangeBy::Score;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    let reverse = dir == Direction::Reverse;
    if by == RangeBy::Auto {
        by = RangeBy::Rank;
    }
    // Valkey tests the limit's value, so an explicit `LIMIT 0 -1` passes with a rank range.
    if limit != -1 && by == RangeBy::Rank {
        return Err(CommandError::ZrangeLimitByRank);
    }
    if withscores && by == RangeBy::Lex {
        return Err(CommandError::ZrangeWithscoresByLex);
    }
    if reverse && by != RangeBy::Rank {
        // Score and lex ranges come as max, min when reversed.
        std::mem::swap(&mut min_at, &mut max_at);
    }
    let selection = match by {
        RangeBy::Score => Selection::Score(parse_score_range(&argv[min_at], &argv[max_at])?),
        RangeBy::Lex => Selection::Lex(parse_lex_range(&argv[min_at], &argv[max_at])?),
        _ => Selection::Rank {
            start: long_or(&argv[min_at], CommandError::NotInteger)?,
            end: long_or(&argv[max_at], CommandError::NotInteger)?,
        },
    };

    let resp3 = ctx.resp3();
    let found = ctx.read_zset(&key)?.map(|zs| select(zs, &selection, reverse, offset, limit));
    let Some(dst) = dst else {
        let items = found.map(|(items, _)| items).unwrap_or_default();
        return Ok(scored_reply(items, withscores, resp3));
    };
    let (items, size_hint) = found.unwrap_or_default();
    store_range(ctx, &dst, items, size_hint)
}

/// The selected elements in reply order, and the size hint ZRANGESTORE creates its result with
/// (the length for rank ranges, known in advance; 0 otherwise).
fn select(zs: &ZSet, selection: &Selection, reverse: bool, offset: i64, limit: i64) -> (Vec<(f64, Vec<u8>)>, usize) {
    let owned = |(s, m): (f64, &[u8])| (s, m.to_vec());
    match selection {
        Selection::Rank { start, end } => {
            let Some((start, end)) = rank_span(*start, *end, zs.len()) else {
                return (Vec::new(), 0);
            };
            let n = end - start + 1;
            let items: Vec<_> = if reverse {
                zs.rev_iter_from(zs.len() - 1 - start).take(n).map(owned).collect()
            } else {
                zs.iter_from(start).take(n).map(owned).collect()
            };
            (items, n)
        }
        Selection::Score(range) => {
            let first = zs.first_in_score_range(range);
            let last = zs.last_in_score_range(range);
            let items = walk_range(
                zs,
                first,
                last,
                |s, _| range.meets_min(s),
                |s, _| range.meets_max(s),
                offset,
                limit,
                reverse,
            );
            (items, 0)
        }
        Selection::Lex(range) => {
            let first = zs.first_in_lex_range(range);
            let last = zs.last_in_lex_range(range);
            let items = walk_range(
                zs,
                first,
                last,
                |_, m| range.meets_min(m),
                |_, m| range.meets_max(m),
                offset,
                limit,
                reverse,
            );
            (items, 0)
        }
    }
}

/// A BYSCORE/BYLEX walk with LIMIT, reproducing where Valkey starts it for each encoding: the
/// compact one skips `offset` elements from the first (last, reversed) element in range and a
/// negative offset finds nothing; the skiplist one uses `zslNthInRange`, where a negative offset
/// counts from the other end of the range. A negative `limit` means no limit.
#[allow(clippy::too_many_arguments)]
fn walk_range(
    zs: &ZSet,
    first: Option<usize>,
    last: Option<usize>,
    meets_min: impl Fn(f64, &[u8]) -> bool,
    meets_max: impl Fn(f64, &[u8]) -> bool,
    offset: i64,
    limit: i64,
    reverse: bool,
) -> Vec<(f64, Vec<u8>)> {
    let len = zs.len() as i64;
    let at = |rank: i64| zs.get_by_rank(rank as usize).expect("rank checked");
    let start: Option<i64> = if zs.is_listpack() {
        let from = if reverse { last } else { first };
        match from {
            Some(_) if offset < 0 => None,
            Some(from) => {
                let from = from as i64;
                let rank = if reverse { from - offset } else { from.saturating_add(offset) };
                (0..len).contains(&rank).then_some(rank)
            }
            None => None,
        }
    } else {
        // zslNthInRange(n): n >= 0 counts from the first element in range, n < 0 from the last.
        let n = if reverse { offset.saturating_neg().saturating_sub(1) } else { offset };
        if n >= 0 {
            first.map(|f| (f as i64).saturating_add(n)).filter(|&r| {
                r < len && {
                    let (s, m) = at(r);
                    meets_max(s, m)
                }
            })
        } else {
            last.map(|l| l as i64 + 1 + n).filter(|&r| {
                r >= 0 && {
                    let (s, m) = at(r);
                    meets_min(s, m)
                }
            })
        }
    };
    let Some(start) = start else {
        return Vec::new();
    };
    let take = if limit < 0 { usize::MAX } else { saturating_usize(limit) };
    let owned = |(s, m): (f64, &[u8])| (s, m.to_vec());
    if reverse {
        zs.rev_iter_from(start as usize).take(take).take_while(|&(s, m)| meets_min(s, m)).map(owned).collect()
    } else {
        zs.iter_from(start as usize).take(take).take_while(|&(s, m)| meets_max(s, m)).map(owned).collect()
    }
}

/// ZRANGESTORE's result: stored (replacing `dst`) when non-empty, else `dst` is deleted.
fn store_range(ctx: &mut Ctx, dst: &[u8], items: Vec<(f64, Vec<u8>)>, size_hint: usize) -> CmdResult {
    if items.is_empty() {
        if ctx.remove(dst).is_some() {
            ctx.written(GENERIC, "del", dst);
        }
        return Ok(Reply::Int(0));
    }
    let limits = limits(ctx);
    let mut zs = ZSet::with_hints(size_hint, 0, limits);
    for (score, member) in &items {
        zs.insert_new(*score, member, limits);
    }
    let n = zs.len() as i64;
    ctx.store(dst, Value::ZSet(Box::new(zs)));
    ctx.written(ZSET, "zrangestore", dst);
    Ok(Reply::Int(n))
}

// -- ZCOUNT, ZLEXCOUNT --------------------------------------------------------------------------------------

/// ZCOUNT key min max
fn zcount(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let range = parse_score_range(&argv[2], &argv[3])?;
    let key = argv[1].clone();
    Ok(Reply::Int(ctx.read_zset(&key)?.map_or(0, |zs| zs.count_in_score_range(&range) as i64)))
}

/// ZLEXCOUNT key min max
fn zlexcount(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let range = parse_lex_range(&argv[2], &argv[3])?;
    let key = argv[1].clone();
    Ok(Reply::Int(ctx.read_zset(&key)?.map_or(0, |zs| zs.count_in_lex_range(&range) as i64)))
}

// -- ZPOPMIN, ZPOPMAX, ZMPOP and the blocking pops -------------------------------------------------------

/// How a pop reply is shaped (Valkey's `genericZpopCommand` arguments).
#[derive(Clone, Copy)]
struct PopShape {
    /// The key name comes first (BZPOP*, *ZMPOP).
    emit_key: bool,
    /// `[member, score]` pairs instead of a flat list.
    nested: bool,
    /// Nothing to pop is a null (*ZMPOP), not an empty array.
    nil_when_empty: bool,
}

/// Pops from the first existing key of `keys` (`count` None: one element, Valkey's -1).
fn zpop_generic(ctx: &mut Ctx, keys: &[Vec<u8>], end: End, count: Option<i64>, shape: PopShape) -> CmdResult {
    let mut found = None;
    for key in keys {
        if ctx.write_zset(key)?.is_some() {
            found = Some(key);
            break;
        }
    }
    let Some(key) = found else {
        return Ok(if shape.nil_when_empty { Reply::NullArray } else { Reply::EMPTY_ARRAY });
    };
    if count == Some(0) {
        return Ok(Reply::EMPTY_ARRAY);
    }
    let count = saturating_usize(count.unwrap_or(1).max(1));
    let zs = ctx.write_zset(key)?.expect("found above");
    let mut popped = Vec::with_capacity(count.min(zs.len()));
    while popped.len() < count {
        let Some(element) = zs.pop(end) else { break };
        popped.push(element);
    }
    let emptied = zs.is_empty();
    delete_if_empty(ctx, key, emptied);
    ctx.written(ZSET, if end == End::Min { "zpopmin" } else { "zpopmax" }, key);
    if emptied {
        ctx.written(GENERIC, "del", key);
    }

    let pairs = popped.into_iter().map(|(s, m)| (Reply::Bulk(m), Reply::Double(s)));
    let elements: Vec<Reply> = if shape.nested {
        pairs.map(|(m, s)| Reply::Array(vec![m, s])).collect()
    } else {
        pairs.flat_map(|(m, s)| [m, s]).collect()
    };
    Ok(match (shape.emit_key, shape.nested) {
        (false, _) => Reply::Array(elements),
        (true, false) => Reply::Array(std::iter::once(Reply::Bulk(key.clone())).chain(elements).collect()),
        (true, true) => Reply::Array(vec![Reply::Bulk(key.clone()), Reply::Array(elements)]),
    })
}

/// ZPOPMIN key [count]
fn zpopmin(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zpop_min_max(ctx, args, End::Min)
}

/// ZPOPMAX key [count]
fn zpopmax(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zpop_min_max(ctx, args, End::Max)
}

fn zpop_min_max(ctx: &mut Ctx, args: &mut Args, end: End) -> CmdResult {
    let argv = args.argv().to_vec();
    if argv.len() > 3 {
        return Err(CommandError::Syntax);
    }
    let count = match argv.get(2) {
        Some(arg) => Some(long_in_range_or(arg, 0, i64::MAX, CommandError::NotPositive)?),
        None => None,
    };
    // RESP3 nests [member, score] pairs only when a count was given.
    let nested = ctx.resp3() && count.is_some();
    zpop_generic(ctx, &argv[1..2], end, count, PopShape { emit_key: false, nested, nil_when_empty: false })
}

/// BZPOPMIN key [key ...] timeout
fn bzpopmin(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    bzpop_min_max(ctx, args, End::Min)
}

/// BZPOPMAX key [key ...] timeout
fn bzpopmax(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    bzpop_min_max(ctx, args, End::Max)
}

fn bzpop_min_max(ctx: &mut Ctx, args: &mut Args, end: End) -> CmdResult {
    let argv = args.argv();
    let keys = argv[1..argv.len() - 1].to_vec();
    let timeout = argv[argv.len() - 1].clone();
    blocking_zpop(ctx, keys, &timeout, end, None, PopShape { emit_key: true, nested: false, nil_when_empty: false })
}

/// Valkey's `blockingGenericZpopCommand`: pop from the first non-empty key, else block (or, where
/// blocking is not allowed, answer as a timeout would).
fn blocking_zpop(
    ctx: &mut Ctx,
    keys: Vec<Vec<u8>>,
    timeout: &[u8],
    end: End,
    count: Option<i64>,
    shape: PopShape,
) -> CmdResult {
    let deadline_ms = crate::blocking::parse_timeout(timeout, ctx.now_ms)?;
    // Running again for a blocked client because a key was written: Valkey only re-runs the command
    // when the written key holds a sorted set, so a key that became another type keeps it waiting.
    let retry = ctx.eng.blocking.is_blocked(ctx.id);
    if retry && !keys.iter().any(|k| matches!(ctx.lookup_write(k), Some(e) if matches!(e.value, Value::ZSet(_)))) {
        return Err(ctx.block_on(keys, deadline_ms));
    }
    for key in &keys {
        let ready = ctx.write_zset(key)?.is_some_and(|zs| !zs.is_empty());
        if ready {
            return zpop_generic(ctx, std::slice::from_ref(key), end, count, shape);
        }
    }
    if ctx.nested() {
        return Ok(Reply::NullArray);
    }
    let mut unique: Vec<Vec<u8>> = Vec::with_capacity(keys.len());
    for key in keys {
        if !unique.contains(&key) {
            unique.push(key);
        }
    }
    Err(ctx.block_on(unique, deadline_ms))
}

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
fn zmpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zmpop_generic(ctx, args, 1, false)
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
fn bzmpop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zmpop_generic(ctx, args, 2, true)
}

fn zmpop_generic(ctx: &mut Ctx, args: &mut Args, numkeys_at: usize, blocking: bool) -> CmdResult {
    let argv = args.argv();
    let numkeys = long_in_range_or(&argv[numkeys_at], 1, i64::MAX, CommandError::NumkeysNotPositive)?;
    let numkeys = saturating_usize(numkeys);
    let where_at = numkeys_at.checked_add(numkeys).and_then(|n| n.checked_add(1)).filter(|&n| n < argv.len());
    let Some(where_at) = where_at else {
        return Err(CommandError::Syntax);
    };
    let end = match &argv[where_at] {
        w if is(w, "min") => End::Min,
        w if is(w, "max") => End::Max,
        _ => return Err(CommandError::Syntax),
    };
    let mut count = None;
    let mut j = where_at + 1;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if count.is_none() && is(&argv[j], "count") && more > 0 {
            j += 1;
            count = Some(long_in_range_or(&argv[j], 1, i64::MAX, CommandError::CountNotPositive)?);
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    let count = Some(count.unwrap_or(1));
    let keys = argv[numkeys_at + 1..where_at].to_vec();
    let shape = PopShape { emit_key: true, nested: true, nil_when_empty: true };
    if blocking {
        let timeout = argv[1].clone();
        blocking_zpop(ctx, keys, &timeout, end, count, shape)
    } else {
        zpop_generic(ctx, &keys, end, count, shape)
    }
}

// -- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    /// Valkey's `zunionInterAggregate`: an infinite sum of opposite signs is 0, and MIN/MAX keep
    /// the current score when compared with NaN.
    fn apply(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => {
                if value < *target {
                    *target = value;
                }
            }
            Aggregate::Max => {
                if value > *target {
                    *target = value;
                }
            }
        }
    }
}

/// One input of the set algebra: a sorted set, a plain set (every member scores 1), or nothing.
#[derive(Clone, Copy)]
struct Source<'a> {
    value: Option<&'a Value>,
    weight: f64,
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self.value {
            Some(Value::ZSet(zs)) => zs.len(),
            Some(Value::Set(s)) => set_len(s),
            _ => 0,
        }
    }

    fn for_each(&self, mut visit: impl FnMut(&[u8], f64) -> bool) {
        match self.value {
            Some(Value::ZSet(zs)) => {
                for (score, member) in zs.iter() {
                    if !visit(member, score) {
                        return;
                    }
                }
            }
            Some(Value::Set(s)) => set_for_each(s, |member| visit(member, 1.0)),
            _ => {}
        }
    }

    fn find(&self, member: &[u8]) -> Option<f64> {
        match self.value {
            Some(Value::ZSet(zs)) => zs.score(member),
            Some(Value::Set(s)) => set_contains(s, member).then_some(1.0),
            _ => None,
        }
    }
}

// The three things the set algebra needs from plain sets.
fn set_len(s: &Set) -> usize {
    s.len()
}

fn set_contains(s: &Set, member: &[u8]) -> bool {
    s.contains(member)
}

fn set_for_each(s: &Set, mut visit: impl FnMut(&[u8]) -> bool) {
    for member in s.iter() {
        if !member.with_bytes(&mut visit) {
            return;
        }
    }
}

/// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zunion(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zset_algebra(ctx, args, None, SetOp::Union, false)
}

/// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
fn zinter(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zset_algebra(ctx, args, None, SetOp::Inter, false)
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
fn zintercard(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zset_algebra(ctx, args, None, SetOp::Inter, true)
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
fn zdiff(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    zset_algebra(ctx, args, None, SetOp::Diff, false)
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
fn zunionstore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let dst = args.argv()[1].clone();
    zset_algebra(ctx, args, Some(dst), SetOp::Union, false)
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
fn zinterstore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let dst = args.argv()[1].clone();
    zset_algebra(ctx, args, Some(dst), SetOp::Inter, false)
}

/// ZDIFFSTORE destination numkeys key [key ...]
fn zdiffstore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let dst = args.argv()[1].clone();
    zset_algebra(ctx, args, Some(dst), SetOp::Diff, false)
}

/// Valkey's `zunionInterDiffGenericCommand`: numkeys, the keys (type-checked before any option is
/// read), WEIGHTS / AGGREGATE / WITHSCORES / LIMIT, then the operation.
fn zset_algebra(ctx: &mut Ctx, args: &mut Args, dst: Option<Vec<u8>>, op: SetOp, cardinality_only: bool) -> CmdResult {
    let argv = args.argv();
    let numkeys_at = if dst.is_some() { 2 } else { 1 };
    let setnum = long_or(&argv[numkeys_at], CommandError::NotInteger)?;
    if setnum < 1 {
        return Err(CommandError::err(format!("at least 1 input key is needed for '{}' command", ctx.spec.name)));
    }
    if setnum > (argv.len() - (numkeys_at + 1)) as i64 {
        return Err(CommandError::Syntax);
    }
    let setnum = setnum as usize;
    let keys = &argv[numkeys_at + 1..numkeys_at + 1 + setnum];
    for key in keys {
        match ctx.lookup_read(key) {
            Some(e) if !matches!(e.value, Value::ZSet(_) | Value::Set(_)) => return Err(CommandError::WrongType),
            _ => {}
        }
    }

    let mut weights = vec![1.0; setnum];
    let mut aggregate = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0i64;
    let mut j = numkeys_at + 1 + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let opt = &argv[j];
        if op != SetOp::Diff && !cardinality_only && remaining > setnum && is(opt, "weights") {
            for (i, w) in weights.iter_mut().enumerate() {
                *w = parse_f64(&argv[j + 1 + i]).ok_or(CommandError::WeightNotFloat)?;
            }
            j += 1 + setnum;
        } else if op != SetOp::Diff && !cardinality_only && remaining >= 2 && is(opt, "aggregate") {
            aggregate = match &argv[j + 1] {
                a if is(a, "sum") => Aggregate::Sum,
                a if is(a, "min") => Aggregate::Min,
                a if is(a, "max") => Aggregate::Max,
                _ => return Err(CommandError::Syntax),
            };
            j += 2;
        } else if dst.is_none() && !cardinality_only && is(opt, "withscores") {
            withscores = true;
            j += 1;
        } else if cardinality_only && remaining >= 2 && is(opt, "limit") {
            limit = long_in_range_or(&argv[j + 1], 0, i64::MAX, CommandError::LimitNegative)?;
            j += 2;
        } else {
            return Err(CommandError::Syntax);
        }
    }

    let db = ctx.db_index();
    let resp3 = ctx.resp3();
    let keys = keys.to_vec();
    let outcome = {
        let dbref = &ctx.eng.dbs[db];
        let mut sources: Vec<Source> = keys
            .iter()
            .zip(&weights)
            .map(|(key, &weight)| Source { value: dbref.get(key).map(|e| &e.value), weight })
            .collect();
        if op != SetOp::Diff {
            // Smallest first: an intersection walks the smallest input only.
            sources.sort_by_key(Source::len);
        }
        match op {
            SetOp::Inter if cardinality_only => {
                Algebra::Cardinality(inter_cardinality(&sources, saturating_usize(limit)))
            }
            SetOp::Inter => Algebra::Elements(inter(&sources, aggregate)),
            SetOp::Union => Algebra::Elements(union(&sources, aggregate)),
            SetOp::Diff => Algebra::Elements(diff(&sources)),
        }
    };
    let items = match outcome {
        Algebra::Cardinality(n) => return Ok(Reply::Int(n as i64)),
        Algebra::Elements(items) => items,
    };
    let Some(dst) = dst else {
        return Ok(scored_reply(items, withscores, resp3));
    };
    if items.is_empty() {
        if ctx.remove(&dst).is_some() {
            ctx.written(GENERIC, "del", &dst);
        }
        return Ok(Reply::Int(0));
    }
    let limits = limits(ctx);
    let longest = items.iter().map(|(_, m)| m.len()).max().unwrap_or(0);
    let mut zs = ZSet::with_hints(items.len(), longest, limits);
    for (score, member) in &items {
        zs.insert_new(*score, member, limits);
    }
    let n = zs.len() as i64;
    ctx.store(&dst[..], Value::ZSet(Box::new(zs)));
    let event = match op {
        SetOp::Union => "zunionstore",
        SetOp::Inter => "zinterstore",
        SetOp::Diff => "zdiffstore",
    };
    ctx.written(ZSET, event, &dst);
    Ok(Reply::Int(n))
}

enum Algebra {
    Cardinality(usize),
    Elements(Vec<(f64, Vec<u8>)>),
}

/// Sorts a result in set order (score, then member).
fn sorted(mut items: Vec<(f64, Vec<u8>)>) -> Vec<(f64, Vec<u8>)> {
    items.sort_by(|(a, am), (b, bm)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal).then_with(|| am.cmp(bm)));
    items
}

/// Weighted score of an element of the first input; NaN (0 × inf) counts as 0.
fn weighted(score: f64, weight: f64) -> f64 {
    let v = weight * score;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

fn inter(sources: &[Source], aggregate: Aggregate) -> Vec<(f64, Vec<u8>)> {
    let mut out = Vec::new();
    let (first, rest) = sources.split_first().expect("at least one input");
    first.for_each(|member, score| {
        let mut total = weighted(score, first.weight);
        for src in rest {
            match src.find(member) {
                Some(value) => aggregate.apply(&mut total, value * src.weight),
                None => return true,
            }
        }
        out.push((total, member.to_vec()));
        true
    });
    sorted(out)
}

fn inter_cardinality(sources: &[Source], limit: usize) -> usize {
    let mut count = 0;
    let (first, rest) = sources.split_first().expect("at least one input");
    first.for_each(|member, _| {
        if rest.iter().all(|src| src.find(member).is_some()) {
            count += 1;
            if limit != 0 && count >= limit {
                return false;
            }
        }
        true
    });
    count
}

fn union(sources: &[Source], aggregate: Aggregate) -> Vec<(f64, Vec<u8>)> {
    // A fixed hasher: the engine takes no randomness but the seeded RNG (and the result is sorted).
    let mut acc: HashMap<Vec<u8>, f64, FixedState> = HashMap::with_hasher(FixedState::with_seed(0));
    for src in sources {
        src.for_each(|member, score| {
            let score = weighted(score, src.weight);
            match acc.get_mut(member) {
                Some(total) => aggregate.apply(total, score),
                None => {
                    acc.insert(member.to_vec(), score);
                }
            }
            true
        });
    }
    sorted(acc.into_iter().map(|(m, s)| (s, m)).collect())
}

/// Members of the first input found in no other, with their own (unweighted) scores.
fn diff(sources: &[Source]) -> Vec<(f64, Vec<u8>)> {
    let mut out = Vec::new();
    let (first, rest) = sources.split_first().expect("at least one input");
    first.for_each(|member, score| {
        if !rest.iter().any(|src| src.find(member).is_some()) {
            out.push((score, member.to_vec()));
        }
        true
    });
    sorted(out)
}

// -- ZRANDMEMBER --------------------------------------------------------------------------------------------

/// ZRANDMEMBER key [count [WITHSCORES]]
fn zrandmember(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv().to_vec();
    let key = &argv[1];
    if argv.len() >= 3 {
        let count = match parse_i64(&argv[2]) {
            None => return Err(CommandError::NotInteger),
            Some(i64::MIN) => {
                return Err(CommandError::err(format!(
                    "value is out of range, value must between {} and {}",
                    -i64::MAX,
                    i64::MAX
                )))
            }
            Some(n) => n,
        };
        let withscores = match argv.get(3) {
            _ if argv.len() > 4 => return Err(CommandError::Syntax),
            Some(opt) if !is(opt, "withscores") => return Err(CommandError::Syntax),
            Some(_) => true,
            None => false,
        };
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return Err(CommandError::OutOfRange);
        }
        return zrandmember_with_count(ctx, key, count, withscores);
    }
    let Some(zs) = ctx.read_zset(key)? else {
        return Ok(Reply::Null);
    };
    let len = zs.len();
    let rank = ctx.eng.rng.random_range(0..len);
    let zs = looked_up(ctx, key);
    Ok(Reply::Bulk(zs.get_by_rank(rank).expect("rank < len").1.to_vec()))
}

/// Valkey's `zrandmemberWithCountCommand`: a negative count may repeat members; a positive one
/// returns distinct members, the whole set when it asks for as many.
fn zrandmember_with_count(ctx: &mut Ctx, key: &[u8], count: i64, withscores: bool) -> CmdResult {
    let resp3 = ctx.resp3();
    let Some(zs) = ctx.read_zset(key)? else {
        return Ok(Reply::EMPTY_ARRAY);
    };
    let size = zs.len();
    let listpack = zs.is_listpack();
    let unique = count >= 0;
    let count = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    if count == 0 {
        return Ok(Reply::EMPTY_ARRAY);
    }
    let ranks: Vec<usize> = if !unique || count == 1 {
        // Grown as it fills rather than reserved: an absurd count must not allocate it all up front.
        let mut picks = Vec::new();
        for _ in 0..count {
            picks.push(ctx.eng.rng.random_range(0..size));
        }
        picks
    } else if count >= size {
        (0..size).collect()
    } else if listpack {
        // Valkey samples a listpack in list order (selection sampling).
        let rng = &mut ctx.eng.rng;
        let mut picked = Vec::with_capacity(count);
        for rank in 0..size {
            let needed = count - picked.len();
            if needed == 0 {
                break;
            }
            if rng.random_range(0..size - rank) < needed {
                picked.push(rank);
            }
        }
        picked
    } else if count * 3 > size {
        // Most of the set: drop random members until `count` remain.
        let rng = &mut ctx.eng.rng;
        let mut all: Vec<usize> = (0..size).collect();
        while all.len() > count {
            let i = rng.random_range(0..all.len());
            all.swap_remove(i);
        }
        all
    } else {
        let rng = &mut ctx.eng.rng;
        let mut seen = HashSet::with_capacity_and_hasher(count, FixedState::with_seed(0));
        let mut picked = Vec::with_capacity(count);
        while picked.len() < count {
            let rank = rng.random_range(0..size);
            if seen.insert(rank) {
                picked.push(rank);
            }
        }
        picked
    };
    let zs = looked_up(ctx, key);
    let items = ranks
        .into_iter()
        .map(|r| {
            let (score, member) = zs.get_by_rank(r).expect("rank < len");
            (score, member.to_vec())
        })
        .collect();
    Ok(scored_reply(items, withscores, resp3))
}

// -- ZSCAN --------------------------------------------------------------------------------------------------

/// ZSCAN key cursor [MATCH pattern] [COUNT count] [NOSCORES]
fn zscan(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv().to_vec();
    let cursor = crate::commands::keys::parse_scan_cursor(&argv[2]).ok_or(CommandError::InvalidCursor)?;
    let empty_scan = || Reply::Array(vec![Reply::bulk("0"), Reply::EMPTY_ARRAY]);
    if ctx.read_zset(&argv[1])?.is_none() {
        return Ok(empty_scan());
    }
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut no_scores = false;
    let mut j = 3;
    while j < argv.len() {
        let has_value = argv.len() - j >= 2;
        let opt = &argv[j];
        if is(opt, "count") && has_value {
            count = long_or(&argv[j + 1], CommandError::NotInteger)?;
            if count < 1 {
                return Err(CommandError::Syntax);
            }
            j += 2;
        } else if is(opt, "match") && has_value {
            let p = &argv[j + 1][..];
            pattern = (p != b"*").then_some(p);
            j += 2;
        } else if is(opt, "novalues") {
            return Err(CommandError::NoValuesOutsideHscan);
        } else if is(opt, "noscores") {
            no_scores = true;
            j += 1;
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let zs = looked_up(ctx, &argv[1]);
    let listpack = zs.is_listpack();
    let mut found: Vec<Reply> = Vec::new();
    let mut visit = |member: &[u8], score: f64| {
        if pattern.is_some_and(|p| !crate::glob::glob_match(p, member, false)) {
            return;
        }
        found.push(Reply::Bulk(member.to_vec()));
        if !no_scores {
            // Valkey prints listpack scores with d2string and dict ones with "%.17Lg".
            let text = if listpack { crate::num::format_double(score) } else { format_g17(score) };
            found.push(Reply::Bulk(text.into_bytes()));
        }
    };
    let mut cursor = cursor;
    if listpack {
        cursor = zs.scan(cursor, &mut visit);
    } else {
        let mut sampled: i64 = 0;
        let mut max_iterations = count.saturating_mul(10);
        loop {
            cursor = zs.scan(cursor, |m, s| {
                sampled += 1;
                visit(m, s)
            });
            let go_on = cursor != 0 && max_iterations != 0 && sampled < count;
            max_iterations -= 1;
            if !go_on {
                break;
            }
        }
    }
    // Valkey prints the cursor as a signed 64-bit number.
    let cursor = (cursor as i64).to_string().into_bytes();
    Ok(Reply::Array(vec![Reply::Bulk(cursor), Reply::Array(found)]))
}

/// C's `printf("%.17g")`: 17 significant digits, trailing zeros dropped, exponent form below 1e-4
/// and from 1e17 on.
fn format_g17(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "inf" } else { "-inf" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{value:.16e}");
    let (mantissa, exponent) = sci.split_once('e').expect("exponent form");
    let exponent: i32 = exponent.parse().expect("exponent digits");
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if (-4..17).contains(&exponent) {
        let decimals = (16 - exponent) as usize;
        trim(&format!("{value:.decimals$}"))
    } else {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{}e{}{:02}", trim(mantissa), sign, exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_g17_matches_printf() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (0.1, "0.10000000000000001"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (1e20, "1e+20"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (-0.0, "-0"),
            (f64::INFINITY, "inf"),
            (3.0, "3"),
            (1234567890123456.5 + 0.25, "1234567890123456.8"),
            (5e-324, "4.9406564584124654e-324"),
        ];
        for &(v, want) in cases {
            assert_eq!(format_g17(v), want, "{v:e}");
        }
    }

    #[test]
    fn rank_span_sanitises_like_valkey() {
        assert_eq!(rank_span(0, -1, 4), Some((0, 3)));
        assert_eq!(rank_span(-5, 2, 4), Some((0, 2)));
        assert_eq!(rank_span(5, -1, 4), None);
        assert_eq!(rank_span(1, -5, 4), None);
        assert_eq!(rank_span(0, 10, 4), Some((0, 3)));
        assert_eq!(rank_span(0, 0, 0), None);
        assert_eq!(rank_span(i64::MIN, i64::MAX, 3), Some((0, 2)));
    }
}
