//! Memory accounting (INFO memory, MEMORY STATS, `used_memory` for eviction) and the MEMORY command.
//!
//! Without allocator statistics from the host the engine estimates its own usage: every key costs its
//! table node and bucket slot plus what the key and value own on the heap, every client its state and
//! buffers, and a fixed start-up share. It is an estimate, but it moves with the data the way
//! Valkey's `used_memory` does, which is what dashboards, tests and `maxmemory` look at.

use crate::args::Args;
use crate::bytestr::ByteStr;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::db::{Db, Entry};
use crate::engine::Engine;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;

use super::state::with_state;

/// A keyspace entry: its boxed table node (key, entry, next link) and its bucket slot.
const KEY_NODE_BYTES: usize = std::mem::size_of::<ByteStr>() + std::mem::size_of::<Entry>() + 8 + 8;
/// An entry of the expires table.
const EXPIRE_NODE_BYTES: usize = std::mem::size_of::<ByteStr>() + 8 + 8 + 8;
/// What a connection costs before its buffers (the client struct, its tables).
const CLIENT_BYTES: usize = 2048;
/// The engine's fixed share (tables of the 16 databases, the command table, configuration).
const STARTUP_BYTES: usize = 512 * 1024;

/// MEMORY USAGE of one key: the key, its value and its table entries.
pub fn key_usage(db: &Db, key: &[u8], entry: &Entry) -> usize {
    let expire = if db.expire_of(key).is_some() { EXPIRE_NODE_BYTES } else { 0 };
    KEY_NODE_BYTES + ByteStr::new(key).heap_size() + entry.value.memory_usage() + expire
}

/// The numbers INFO memory and MEMORY STATS are made of.
#[derive(Debug, Clone, Default)]
pub struct MemoryOverhead {
    pub used: u64,
    pub startup: u64,
    pub clients_normal: u64,
    /// (db index, main table overhead, expires table overhead), for databases with keys.
    pub dbs: Vec<(usize, u64, u64)>,
    pub hashtable_lut: u64,
    pub hashtable_rehashing: u64,
    pub rehashing_count: u64,
    pub overhead_total: u64,
    pub dataset: u64,
    pub total_keys: u64,
    pub peak: u64,
    /// The host's readings, when it has them.
    pub rss: u64,
    pub allocator_active: u64,
    pub allocator_resident: u64,
}

impl MemoryOverhead {
    pub fn dataset_perc(&self) -> f64 {
        let net = self.used.saturating_sub(self.startup).max(1);
        self.dataset as f64 * 100.0 / net as f64
    }

    pub fn peak_perc(&self) -> f64 {
        self.used as f64 * 100.0 / self.peak.max(1) as f64
    }

    pub fn bytes_per_key(&self) -> u64 {
        self.dataset.checked_div(self.total_keys).unwrap_or(0)
    }
}

/// Bytes of the table arrays of a dict that is moving to a new table: the old one (the smaller
/// third when growing).
fn rehashing_bytes(buckets: usize, rehashing: bool) -> u64 {
    if rehashing {
        (buckets / 3 * 8) as u64
    } else {
        0
    }
}

/// Databases larger than this are sampled rather than walked: INFO must stay cheap.
const EXACT_UP_TO_KEYS: usize = 50_000;
const SAMPLES: usize = 10_000;

/// What the keys and values of a database own on the heap: summed exactly for small databases,
/// extrapolated from a fixed-seed random sample for large ones.
fn db_dataset_bytes(db: &Db) -> usize {
    let size = |(k, e): (&ByteStr, &Entry)| k.heap_size() + e.value.memory_usage();
    if db.len() <= EXACT_UP_TO_KEYS {
        return db.keys.iter().map(size).sum();
    }
    use rand::SeedableRng;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(0x6d65_6d6f);
    let sampled: usize = (0..SAMPLES).filter_map(|_| db.keys.random_entry(&mut rng)).map(size).sum();
    (sampled as f64 / SAMPLES as f64 * db.len() as f64) as usize
}

/// The engine's own estimate of what it uses.
fn estimate(eng: &Engine) -> (u64, u64, Vec<(usize, u64, u64)>, u64) {
    let clients: usize =
        eng.clients.values().map(|c| CLIENT_BYTES + c.out.capacity() + c.query_buf_len + c.query_buf_free).sum();
    let mut dataset = 0usize;
    let mut dbs = Vec::new();
    for (i, db) in eng.dbs.iter().enumerate() {
        if db.keys.bucket_count() == 0 && db.expires.bucket_count() == 0 {
            continue;
        }
        let main = db.keys.bucket_count() * 8 + db.keys.len() * KEY_NODE_BYTES;
        let expires = db.expires.bucket_count() * 8 + db.expires.len() * EXPIRE_NODE_BYTES;
        dbs.push((i, main as u64, expires as u64));
        dataset += db_dataset_bytes(db);
    }
    let overhead: u64 = dbs.iter().map(|(_, m, e)| m + e).sum();
    let used = STARTUP_BYTES as u64 + clients as u64 + overhead + dataset as u64;
    (used, clients as u64, dbs, dataset as u64)
}

/// `used_memory`: the allocator's figure when the host reports one, the engine's estimate otherwise.
/// Also moves the peak.
pub fn used_memory(eng: &mut Engine) -> u64 {
    overhead(eng).used
}

/// Everything INFO memory and MEMORY STATS report.
pub fn overhead(eng: &mut Engine) -> MemoryOverhead {
    let (estimated, clients, dbs, dataset_estimate) = estimate(eng);
    let readings = with_state(eng, |s| s.host.memory());
    let used = readings.allocated.unwrap_or(estimated);
    let peak = with_state(eng, |s| {
        s.peak_memory = s.peak_memory.max(used);
        s.peak_memory
    });
    let mut m = MemoryOverhead {
        used,
        startup: STARTUP_BYTES as u64,
        clients_normal: clients,
        total_keys: eng.dbs.iter().map(|d| d.len() as u64).sum(),
        peak,
        rss: readings.rss,
        allocator_active: readings.allocator_active,
        allocator_resident: readings.allocator_resident,
        ..MemoryOverhead::default()
    };
    for db in &eng.dbs {
        for d in
            [(db.keys.bucket_count(), db.keys.is_rehashing()), (db.expires.bucket_count(), db.expires.is_rehashing())]
        {
            m.hashtable_lut += (d.0 * 8) as u64;
            m.hashtable_rehashing += rehashing_bytes(d.0, d.1);
            m.rehashing_count += u64::from(d.1);
        }
    }
    m.overhead_total = m.startup + m.clients_normal + dbs.iter().map(|(_, a, b)| a + b).sum::<u64>();
    m.dataset = if readings.allocated.is_some() { used.saturating_sub(m.overhead_total) } else { dataset_estimate };
    m.dbs = dbs;
    m
}

/// `1.23M`, as Valkey's bytesToHuman.
pub fn bytes_to_human(n: u64) -> String {
    const UNITS: [(u64, &str); 5] = [(1 << 10, "K"), (1 << 20, "M"), (1 << 30, "G"), (1 << 40, "T"), (1 << 50, "P")];
    if n < 1024 {
        return format!("{n}B");
    }
    for (i, &(unit, suffix)) in UNITS.iter().enumerate() {
        if i + 1 == UNITS.len() || n < UNITS[i + 1].0 {
            return format!("{:.2}{suffix}", n as f64 / unit as f64);
        }
    }
    format!("{n}B")
}

// -- MEMORY ----------------------------------------------------------------------------------------

const G: Group = Group::Server;

pub const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "memory|doctor", 2, 0, Keys::None, memory_doctor)
        .since("4.0.0")
        .summary("Outputs a memory problems report."),
    CommandSpec::new(G, "memory|help", 2, LOADING | STALE, Keys::None, memory_help)
        .since("4.0.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "memory|malloc-stats", 2, 0, Keys::None, memory_malloc_stats)
        .since("4.0.0")
        .summary("Returns the allocator statistics."),
    CommandSpec::new(G, "memory|purge", 2, 0, Keys::None, memory_purge)
        .since("4.0.0")
        .summary("Asks the allocator to release memory."),
    CommandSpec::new(G, "memory|stats", 2, 0, Keys::None, memory_stats)
        .since("4.0.0")
        .summary("Returns details about memory usage."),
    CommandSpec::new(G, "memory|usage", -3, READONLY, Keys::range(2, 2, 1), memory_usage)
        .since("4.0.0")
        .summary("Estimates the memory usage of a key.")
        .syntax("key:key [SAMPLES=count:integer]"),
];

/// MEMORY USAGE key [SAMPLES count]: every element is counted, whatever the sample count.
fn memory_usage(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    while !args.is_empty() {
        if args.eat("samples") && !args.is_empty() {
            let samples = args.next_i64()?;
            if samples < 0 {
                return Err(CommandError::Syntax);
            }
        } else {
            return Err(CommandError::Syntax);
        }
    }
    // A debugging view: logically expired keys still count, as Valkey's dbFind.
    let db = ctx.db();
    Ok(db.get(&key).map_or(Reply::Null, |e| Reply::Int(key_usage(db, &key, e) as i64)))
}

/// MEMORY STATS
fn memory_stats(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let m = overhead(ctx.eng);
    let int = |n: u64| Reply::Int(n as i64);
    let mut out: Vec<(Reply, Reply)> = vec![
        (Reply::bulk("peak.allocated"), int(m.peak)),
        (Reply::bulk("total.allocated"), int(m.used)),
        (Reply::bulk("startup.allocated"), int(m.startup)),
        (Reply::bulk("replication.backlog"), int(0)),
        (Reply::bulk("clients.slaves"), int(0)),
        (Reply::bulk("clients.normal"), int(m.clients_normal)),
        (Reply::bulk("cluster.links"), int(0)),
        (Reply::bulk("aof.buffer"), int(0)),
        (Reply::bulk("lua.caches"), int(0)),
        (Reply::bulk("functions.caches"), int(0)),
    ];
    for &(db, main, expires) in &m.dbs {
        out.push((
            Reply::bulk(format!("db.{db}")),
            Reply::Map(vec![
                (Reply::bulk("overhead.hashtable.main"), int(main)),
                (Reply::bulk("overhead.hashtable.expires"), int(expires)),
            ]),
        ));
    }
    let (frag, frag_bytes) = fragmentation(&m);
    out.extend([
        (Reply::bulk("overhead.db.hashtable.lut"), int(m.hashtable_lut)),
        (Reply::bulk("overhead.db.hashtable.rehashing"), int(m.hashtable_rehashing)),
        (Reply::bulk("overhead.total"), int(m.overhead_total)),
        (Reply::bulk("db.dict.rehashing.count"), int(m.rehashing_count)),
        (Reply::bulk("keys.count"), int(m.total_keys)),
        (Reply::bulk("keys.bytes-per-key"), int(m.bytes_per_key())),
        (Reply::bulk("dataset.bytes"), int(m.dataset)),
        (Reply::bulk("dataset.percentage"), Reply::Double(m.dataset_perc())),
        (Reply::bulk("peak.percentage"), Reply::Double(m.peak_perc())),
        (Reply::bulk("allocator.allocated"), int(m.used)),
        (Reply::bulk("allocator.active"), int(m.allocator_active)),
        (Reply::bulk("allocator.resident"), int(m.allocator_resident)),
        (Reply::bulk("allocator.muzzy"), int(0)),
        (Reply::bulk("allocator-fragmentation.ratio"), Reply::Double(1.0)),
        (Reply::bulk("allocator-fragmentation.bytes"), int(0)),
        (Reply::bulk("allocator-rss.ratio"), Reply::Double(1.0)),
        (Reply::bulk("allocator-rss.bytes"), int(0)),
        (Reply::bulk("rss-overhead.ratio"), Reply::Double(1.0)),
        (Reply::bulk("rss-overhead.bytes"), int(0)),
        (Reply::bulk("fragmentation"), Reply::Double(frag)),
        (Reply::bulk("fragmentation.bytes"), Reply::Int(frag_bytes)),
    ]);
    Ok(Reply::Map(out))
}

/// RSS over used memory (1 when the host reports no RSS).
pub fn fragmentation(m: &MemoryOverhead) -> (f64, i64) {
    if m.rss == 0 {
        return (1.0, 0);
    }
    (m.rss as f64 / m.used.max(1) as f64, m.rss as i64 - m.used as i64)
}

/// MEMORY DOCTOR
fn memory_doctor(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let m = overhead(ctx.eng);
    let report = if m.used < 5 * 1024 * 1024 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these \
         conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be \
         back to our programming as soon as I finished rebooting.\n"
            .to_string()
    } else {
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
            .to_string()
    };
    Ok(Reply::Verbatim("txt", report.into_bytes()))
}

/// MEMORY MALLOC-STATS
fn memory_malloc_stats(_ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::bulk("Stats not supported for the current allocator"))
}

/// MEMORY PURGE
fn memory_purge(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    super::state::with_state(ctx.eng, |s| s.host.purge_memory());
    Ok(Reply::OK)
}

/// MEMORY HELP
fn memory_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(crate::commands::connection::help_reply(
        args.name(),
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_to_human_matches_valkey() {
        assert_eq!(bytes_to_human(1000), "1000B");
        assert_eq!(bytes_to_human(1024), "1.00K");
        assert_eq!(bytes_to_human(1536 * 1024), "1.50M");
        assert_eq!(bytes_to_human(3 << 30), "3.00G");
    }
}
