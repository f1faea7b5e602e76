//! `maxmemory`: eviction before a command runs, and the access clock eviction ranks keys by.
//!
//! As Valkey's evict.c: when used memory is over `maxmemory`, keys are deleted until enough memory is
//! freed. LRU, LFU and TTL policies sample `maxmemory-samples` keys of every database into a pool of the
//! 16 best candidates seen so far (kept between calls) and evict the best; the random policies pick a
//! random key, one database after another. When nothing can be evicted (`noeviction`, or no volatile
//! key under a `volatile-*` policy) commands flagged DENYOOM get `-OOM`.
//!
//! Used memory is the host's reading when it has one (the server's counting allocator). A host without
//! one (the browser) gets the engine's own keyspace estimate ([`crate::commands::server::used_memory`]),
//! made again once writes changed about 1/256 of the keys since the last one (so its walk costs a few
//! hundred key visits per write, amortized) and lowered by each evicted key's size meanwhile.
//!
//! [`crate::db::Entry::lru`] holds the access clock: under LRU policies the seconds of
//! [`Engine::lru_clock`] at the last access; under LFU policies Valkey's layout, the minute of the last
//! access (16 bits) above an 8-bit logarithmic access counter.

use crate::bytestr::ByteStr;
use crate::client::ClientId;
use crate::command::{flag, CommandSpec};
use crate::config::{Config, MaxmemoryPolicy};
use crate::engine::Engine;
use crate::error::CommandError;
use rand::rngs::SmallRng;
use rand::Rng;

/// Candidates kept between eviction rounds (Valkey's EVPOOL_SIZE).
const POOL_SIZE: usize = 16;
/// The counter a new key starts with under LFU, so it survives a few accesses' worth of sampling.
pub const LFU_INIT_VAL: u32 = 5;

impl MaxmemoryPolicy {
    pub fn is_lfu(self) -> bool {
        matches!(self, MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu)
    }

    pub fn is_lru(self) -> bool {
        matches!(self, MaxmemoryPolicy::VolatileLru | MaxmemoryPolicy::AllkeysLru)
    }

    /// Every key may be evicted, not only the ones with a deadline.
    pub fn all_keys(self) -> bool {
        matches!(self, MaxmemoryPolicy::AllkeysLru | MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::AllkeysRandom)
    }

    fn is_random(self) -> bool {
        matches!(self, MaxmemoryPolicy::AllkeysRandom | MaxmemoryPolicy::VolatileRandom)
    }
}

/// How an eviction attempt ended (Valkey's EVICT_OK / EVICT_RUNNING / EVICT_FAIL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Memory is under the limit (or was brought under it).
    Ok,
    /// Out of time for this round with memory still over: cron goes on evicting.
    Running,
    /// Over the limit and nothing (more) can be evicted.
    Fail,
}

/// One eviction candidate: a higher score is a better one to evict.
#[derive(Debug, Clone)]
struct Candidate {
    score: u64,
    db: usize,
    key: ByteStr,
}

/// Eviction state that lasts between commands.
#[derive(Debug, Default)]
pub struct Evictor {
    /// Best candidates seen so far, lowest score first.
    pool: Vec<Candidate>,
    /// The database the random policies try next.
    next_db: usize,
    /// Whether memory was over the limit with nothing to evict when the running command started
    /// (Valkey's `pre_command_oom_state`): scripts refuse their first write then.
    pub oom_at_command_start: bool,
    /// The last round ran out of time with memory still over the limit: cron continues it.
    running: bool,
    /// The keyspace estimate for hosts without an allocator reading, and `Engine::dirty` when it was made.
    estimate: Option<(u64, u64)>,
    /// When memory went over the limit without being brought back (monotonic µs), and the total
    /// (INFO `current_eviction_exceeded_time` / `total_eviction_exceeded_time`).
    exceeded_since_us: Option<u64>,
    exceeded_total_us: u64,
    /// The running script declared `allow-oom`: its commands are never refused for memory.
    script_allow_oom: bool,
    /// `Engine::dirty` when the running script started: once it moved, the script has written and
    /// can no longer be stopped halfway for memory.
    script_dirty_at_start: u64,
}

impl Evictor {
    /// INFO stats: (total, current) milliseconds spent over `maxmemory`.
    pub fn exceeded_time_ms(&self, now_us: u64) -> (u64, u64) {
        let current = self.exceeded_since_us.map_or(0, |since| now_us.saturating_sub(since));
        ((self.exceeded_total_us + current) / 1000, current / 1000)
    }
}

// -- the access clock -------------------------------------------------------------------------------

/// The access-clock value of a key created now: the LRU clock, or under LFU the current minute with the
/// initial counter.
pub fn new_object_lru(eng: &Engine) -> u32 {
    if eng.config.maxmemory_policy.is_lfu() {
        (lfu_minutes(eng.cmd_time_ms) << 8) | LFU_INIT_VAL
    } else {
        eng.lru_clock()
    }
}

/// An access under an LFU policy (Valkey's updateLFU): decay the counter for the time since the last
/// access, then maybe increment it, and stamp the current minute.
pub fn lfu_touch(lru: u32, now_ms: i64, config: &Config, rng: &mut SmallRng) -> u32 {
    let counter = lfu_decayed_counter(lru, now_ms, config.lfu_decay_time);
    let counter = lfu_log_incr(counter, config.lfu_log_factor, rng);
    (lfu_minutes(now_ms) << 8) | counter
}

/// The 16-bit minute clock LFU stamps keys with (unix minutes, wrapping).
pub fn lfu_minutes(now_ms: i64) -> u32 {
    ((now_ms.max(0) / 60_000) & 0xffff) as u32
}

/// Valkey's LFUDecrAndReturn: the counter minus one per `decay_time_min` minutes since the access
/// stamped with it (the minute clock wraps).
pub fn lfu_decayed_counter(lru: u32, now_ms: i64, decay_time_min: i64) -> u32 {
    let last = lru >> 8;
    let counter = lru & 0xff;
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= last { now - last } else { 0xffff - last + now };
    let periods = if decay_time_min > 0 { i64::from(elapsed) / decay_time_min } else { 0 };
    (i64::from(counter) - periods).max(0) as u32
}

/// Valkey's LFULogIncr: the higher the counter, the less likely an access moves it (255 at most).
pub fn lfu_log_incr(counter: u32, log_factor: i64, rng: &mut SmallRng) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let base = f64::from(counter.saturating_sub(LFU_INIT_VAL));
    let p = 1.0 / (base * log_factor as f64 + 1.0);
    if rng.random::<f64>() < p {
        counter + 1
    } else {
        counter
    }
}

// -- used memory ------------------------------------------------------------------------------------

/// `used_memory` as eviction sees it: the host's allocator reading, or the keyspace estimate.
pub fn used_memory(eng: &mut Engine) -> u64 {
    if let Some(bytes) = eng.server.host.used_memory() {
        return bytes;
    }
    let keys: u64 = eng.dbs.iter().map(|d| d.len() as u64).sum();
    match eng.evict.estimate {
        Some((bytes, dirty)) if eng.dirty.saturating_sub(dirty) < (keys / 256).max(1) => bytes,
        _ => refresh_estimate(eng),
    }
}

fn refresh_estimate(eng: &mut Engine) -> u64 {
    let bytes = crate::commands::server::used_memory(eng);
    eng.evict.estimate = Some((bytes, eng.dirty));
    bytes
}

/// Bytes over the limit (0 when under it). Nothing is set aside as not counted: there are no replica
/// buffers or AOF buffers in memory to leave out (INFO `mem_not_counted_for_evict` is 0).
fn bytes_to_free(eng: &mut Engine) -> u64 {
    let limit = eng.config.maxmemory;
    if limit == 0 {
        return 0;
    }
    used_memory(eng).saturating_sub(limit)
}

// -- the gate ---------------------------------------------------------------------------------------

/// The engine's gate calls this before every command while `maxmemory` is set (Valkey's processCommand
/// calling performEvictions): evicts what the policy allows, and refuses DENYOOM commands when memory
/// stays over the limit.
pub fn before_command(eng: &mut Engine, id: ClientId, spec: &'static CommandSpec) -> Result<(), CommandError> {
    // Not while a busy script lets other clients in: its writes and the evictions would interleave.
    if crate::scripting::busy_script(eng).is_some() {
        return Ok(());
    }
    let out_of_memory = perform_evictions(eng) == Outcome::Fail;
    if out_of_memory && denies_oom(eng, id, spec) {
        return Err(CommandError::Oom);
    }
    eng.evict.oom_at_command_start = out_of_memory;
    Ok(())
}

/// A script is about to run (Valkey's scriptPrepareForRun): a script with a shebang that may write and
/// did not declare `allow-oom` is refused when memory was over the limit at the command's start.
/// `declared`: the script has a shebang (flags), as functions always do.
pub fn script_start(eng: &mut Engine, declared: bool, allow_oom: bool, no_writes: bool) -> Result<(), CommandError> {
    eng.evict.script_allow_oom = declared && allow_oom;
    eng.evict.script_dirty_at_start = eng.dirty;
    if declared && !allow_oom && !no_writes && eng.config.maxmemory != 0 && eng.evict.oom_at_command_start {
        return Err(CommandError::Other(
            "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'".into(),
        ));
    }
    Ok(())
}

/// A script calls a DENYOOM command (Valkey's scriptVerifyOOM): refused when memory was over the limit
/// as the script started, unless it declared `allow-oom` or has already written.
pub fn script_command_refused(eng: &Engine) -> bool {
    eng.config.maxmemory != 0
        && eng.evict.oom_at_command_start
        && !eng.evict.script_allow_oom
        && eng.dirty == eng.evict.script_dirty_at_start
}

/// The command may grow memory: DENYOOM, or an EXEC with such a command queued.
fn denies_oom(eng: &Engine, id: ClientId, spec: &CommandSpec) -> bool {
    spec.has(flag::DENYOOM)
        || (spec.name == "exec" && crate::commands::transactions::queued_command_flags(eng, id) & flag::DENYOOM != 0)
}

/// Cron: a round that ran out of time goes on (Valkey's eviction time proc).
pub fn cron(eng: &mut Engine) {
    if eng.evict.running && eng.config.maxmemory != 0 {
        perform_evictions(eng);
    } else {
        eng.evict.running = false;
    }
}

/// Evicts keys until used memory is under `maxmemory`, the policy allows no more, or the round's time
/// (`maxmemory-eviction-tenacity`) is up.
pub fn perform_evictions(eng: &mut Engine) -> Outcome {
    let to_free = bytes_to_free(eng);
    let outcome = if to_free == 0 {
        Outcome::Ok
    } else if eng.config.maxmemory_policy == MaxmemoryPolicy::NoEviction {
        Outcome::Fail
    } else {
        evict_until_freed(eng, to_free)
    };
    eng.evict.running = outcome == Outcome::Running;
    let now_us = eng.clock.monotonic_us();
    let ev = &mut eng.evict;
    match outcome {
        Outcome::Ok => {
            if let Some(since) = ev.exceeded_since_us.take() {
                ev.exceeded_total_us += now_us.saturating_sub(since);
            }
        }
        _ => {
            ev.exceeded_since_us.get_or_insert(now_us);
        }
    }
    outcome
}

fn evict_until_freed(eng: &mut Engine, to_free: u64) -> Outcome {
    let limit_us = time_limit_us(eng.config.maxmemory_eviction_tenacity);
    let start_us = eng.clock.monotonic_us();
    let mut freed = 0u64;
    let mut evicted = 0u64;
    while freed < to_free {
        let Some((db, key)) = pick(eng) else { return Outcome::Fail };
        freed += evict_key(eng, db, &key);
        evicted += 1;
        if evicted.is_multiple_of(16) && eng.clock.monotonic_us().saturating_sub(start_us) > limit_us {
            return Outcome::Running;
        }
    }
    Outcome::Ok
}

/// Valkey's evictionTimeLimitUs: up to 500 µs linearly to tenacity 10, then 15% more per step, and no
/// limit at 100.
fn time_limit_us(tenacity: i64) -> u64 {
    if tenacity <= 10 {
        50 * tenacity.max(0) as u64
    } else if tenacity < 100 {
        (500.0 * 1.15f64.powi((tenacity - 10) as i32)) as u64
    } else {
        u64::MAX
    }
}

/// Deletes an evicted key as Valkey does (WATCH, the `evicted` event, INFO `evicted_keys`); returns the
/// memory that freed. A host whose reading did not move (it lags, or there is none) is credited with the
/// key's estimated size, so a round always ends.
fn evict_key(eng: &mut Engine, db: usize, key: &[u8]) -> u64 {
    let estimated = match eng.dbs[db].get(key) {
        Some(e) => crate::commands::server::key_usage(&eng.dbs[db], key, e) as u64,
        None => return 0,
    };
    let before = used_memory(eng);
    eng.dbs[db].remove(key);
    if let Some((bytes, dirty)) = eng.evict.estimate {
        eng.evict.estimate = Some((bytes.saturating_sub(estimated), dirty));
    }
    let after = used_memory(eng);
    eng.stats.evicted_keys += 1;
    let lazy = eng.config.lazyfree_lazy_eviction;
    crate::propagate::deletion(eng, db, key, lazy);
    crate::commands::transactions::touch_watched_key(eng, db, key);
    crate::notify::notify(eng, crate::notify::EVICTED, "evicted", key, db);
    if after < before {
        before - after
    } else {
        estimated.max(1)
    }
}

// -- choosing the key -------------------------------------------------------------------------------

/// The next key to evict under the configured policy.
fn pick(eng: &mut Engine) -> Option<(usize, ByteStr)> {
    let policy = eng.config.maxmemory_policy;
    if policy.is_random() {
        return pick_random(eng, policy.all_keys());
    }
    loop {
        let mut total = 0;
        for db in 0..eng.dbs.len() {
            let d = &eng.dbs[db];
            let size = if policy.all_keys() { d.len() } else { d.expires.len() };
            if size > 0 {
                total += size;
                populate_pool(eng, db);
            }
        }
        if total == 0 || eng.evict.pool.is_empty() {
            return None;
        }
        // Best first; a key deleted since it was sampled is a ghost and is skipped.
        while let Some(c) = eng.evict.pool.pop() {
            let d = &eng.dbs[c.db];
            let exists = if policy.all_keys() { d.contains(&c.key) } else { d.expire_of(&c.key).is_some() };
            if exists {
                return Some((c.db, c.key));
            }
        }
    }
}

fn pick_random(eng: &mut Engine, all_keys: bool) -> Option<(usize, ByteStr)> {
    let n = eng.dbs.len();
    for _ in 0..n {
        eng.evict.next_db = (eng.evict.next_db + 1) % n;
        let db = eng.evict.next_db;
        let d = &eng.dbs[db];
        let key = if all_keys {
            d.keys.random_entry(&mut eng.rng).map(|(k, _)| k.clone())
        } else {
            d.expires.random_entry(&mut eng.rng).map(|(k, _)| k.clone())
        };
        if let Some(key) = key {
            return Some((db, key));
        }
    }
    None
}

/// Samples `maxmemory-samples` keys of `db` and keeps the best of them in the pool (Valkey's
/// evictionPoolPopulate).
fn populate_pool(eng: &mut Engine, db: usize) {
    let samples = eng.config.maxmemory_samples.clamp(1, 64) as usize;
    let policy = eng.config.maxmemory_policy;
    let now_ms = eng.cmd_time_ms;
    let clock = eng.lru_clock();
    let decay = eng.config.lfu_decay_time;
    let d = &eng.dbs[db];
    let mut found: Vec<(u64, ByteStr)> = Vec::with_capacity(samples);
    let mut score_of = |key: &ByteStr, expire_ms: Option<i64>| {
        let score = if policy == MaxmemoryPolicy::VolatileTtl {
            // The sooner the deadline, the better the candidate.
            u64::MAX - expire_ms.unwrap_or(i64::MAX).max(0) as u64
        } else {
            let Some(e) = d.get(key) else { return };
            if policy.is_lfu() {
                255 - u64::from(lfu_decayed_counter(e.lru, now_ms, decay))
            } else {
                // Idle milliseconds, as Valkey's estimateObjectIdleTime.
                u64::from(clock.saturating_sub(e.lru)) * 1000
            }
        };
        found.push((score, key.clone()));
    };
    if policy.all_keys() {
        sample(&d.keys, samples, &mut eng.rng, |k, _| score_of(k, None));
    } else {
        sample(&d.expires, samples, &mut eng.rng, |k, at| score_of(k, Some(*at)));
    }
    for (score, key) in found {
        insert_candidate(&mut eng.evict.pool, Candidate { score, db, key });
    }
}

/// Up to `count` entries from a random place of the table, walking on from there (Valkey's
/// dictGetSomeKeys): every entry when the table holds no more than `count`.
fn sample<V>(
    dict: &crate::dict::Dict<ByteStr, V>,
    count: usize,
    rng: &mut SmallRng,
    mut visit: impl FnMut(&ByteStr, &V),
) {
    if dict.len() <= count {
        dict.iter().for_each(|(k, v)| visit(k, v));
        return;
    }
    let mut cursor: u64 = rng.random();
    let mut taken = 0;
    for _ in 0..count * 10 {
        cursor = dict.scan(cursor, |k, v| {
            if taken < count {
                visit(k, v);
                taken += 1;
            }
        });
        if taken >= count {
            break;
        }
    }
}

/// Keeps the pool sorted by score and at most [`POOL_SIZE`] long: a candidate worse than all of a
/// full pool is dropped, otherwise the worst one makes room. A key already in the pool is re-scored.
fn insert_candidate(pool: &mut Vec<Candidate>, c: Candidate) {
    if let Some(i) = pool.iter().position(|p| p.db == c.db && p.key == c.key) {
        pool.remove(i);
    }
    let at = pool.partition_point(|p| p.score < c.score);
    if pool.len() >= POOL_SIZE {
        if at == 0 {
            return;
        }
        pool.remove(0);
        pool.insert(at - 1, c);
    } else {
        pool.insert(at, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(score: u64, key: &str) -> Candidate {
        Candidate { score, db: 0, key: ByteStr::from(key.as_bytes()) }
    }

    #[test]
    fn pool_full_keeps_the_best_sixteen_sorted() {
        let mut pool = Vec::new();
        for s in (0..40).rev() {
            insert_candidate(&mut pool, cand(s, &format!("k{s}")));
        }
        let scores: Vec<u64> = pool.iter().map(|c| c.score).collect();
        assert_eq!(scores, (24..40).collect::<Vec<_>>());
    }

    #[test]
    fn time_limit_follows_tenacity() {
        assert_eq!(time_limit_us(0), 0);
        assert_eq!(time_limit_us(10), 500);
        assert_eq!(time_limit_us(11), 575);
        assert_eq!(time_limit_us(100), u64::MAX);
    }

    #[test]
    fn lfu_counter_decays_one_per_period_and_wraps_minutes() {
        let lru = (10 << 8) | 20;
        assert_eq!(lfu_decayed_counter(lru, 10 * 60_000, 1), 20);
        assert_eq!(lfu_decayed_counter(lru, 13 * 60_000, 1), 17);
        assert_eq!(lfu_decayed_counter(lru, 13 * 60_000, 0), 20);
        assert_eq!(lfu_decayed_counter(lru, 100 * 60_000, 1), 0);
        let late = (0xfffe << 8) | 20;
        assert_eq!(lfu_decayed_counter(late, 0x10002 * 60_000, 1), 17);
    }
}
