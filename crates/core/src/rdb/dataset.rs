//! A whole engine to and from an RDB snapshot: every database, the function libraries, the aux fields
//! Valkey writes. Still no I/O: the bytes go to any `std::io::Write` or come from a slice, so the
//! server writes files with it and the WebAssembly package keeps snapshots wherever it likes.

use super::error::RdbError;
use super::options::{EncodingLimits, LoadOptions, WriteOptions};
use super::snapshot::{read_snapshot_with, LoadStats};
use super::writer::{EntryMeta, SnapshotWriter};
use crate::config::MaxmemoryPolicy;
use crate::db::Db;
use crate::engine::Engine;
use crate::scripting::{dump as functions_dump, run as functions};
use std::io::{self, Write};

/// The writer settings for a snapshot of `eng` taken at `now_ms`: `rdbcompression`, `rdbchecksum`,
/// the list node size, idle times when the maxmemory-policy is an LRU one, and Valkey's aux fields.
pub fn engine_write_options(eng: &mut Engine, now_ms: i64, aof_base: bool) -> WriteOptions {
    let lru = matches!(eng.config.maxmemory_policy, MaxmemoryPolicy::AllkeysLru | MaxmemoryPolicy::VolatileLru);
    let used_mem = crate::commands::server::used_memory(eng);
    let mut opts = WriteOptions::from_config(&eng.config).with_standard_aux(now_ms / 1000, used_mem, aof_base);
    opts.lru_clock_s = lru.then(|| eng.lru_clock());
    opts
}

/// The source code of every function library, in load order.
fn function_codes(eng: &Engine) -> Vec<Vec<u8>> {
    functions_dump::decode(&functions::function_dump(eng)).unwrap_or_default()
}

/// Streams the snapshot of `eng` to `out` (Valkey's `rdbSaveRio`), one key at a time.
pub fn write_engine<W: Write>(eng: &Engine, out: W, opts: &WriteOptions) -> io::Result<W> {
    write_engine_with(eng, out, opts, &mut || {})
}

/// [`write_engine`], calling `after_key` after each key is written (a host's progress or the
/// `rdb-key-save-delay` test hook).
pub fn write_engine_with<W: Write>(
    eng: &Engine,
    out: W,
    opts: &WriteOptions,
    after_key: &mut dyn FnMut(),
) -> io::Result<W> {
    let mut w = SnapshotWriter::begin(out, opts)?;
    // Under an LFU policy each key's access frequency is saved (RDB_OPCODE_FREQ), as Valkey does.
    let lfu = eng.config.maxmemory_policy.is_lfu().then_some((eng.cmd_time_ms, eng.config.lfu_decay_time));
    for code in function_codes(eng) {
        w.function(&code)?;
    }
    for (index, db) in eng.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        w.select_db(index as u64, db.len() as u64, db.expires.len() as u64)?;
        for (key, entry) in db.keys.iter() {
            let meta = EntryMeta {
                expire_ms: db.expire_of(key),
                idle_s: opts.lru_clock_s.map(|now| u64::from(now.saturating_sub(entry.lru))),
                freq: lfu.map(|(now_ms, decay)| crate::evict::lfu_decayed_counter(entry.lru, now_ms, decay) as u8),
            };
            w.entry(key, &entry.value, &meta)?;
            after_key();
        }
    }
    w.finish()
}

/// The snapshot of `eng` as bytes, with the settings its configuration gives (the pure form of SAVE).
pub fn engine_snapshot(eng: &mut Engine) -> Vec<u8> {
    let now_ms = eng.clock.now_ms();
    let opts = engine_write_options(eng, now_ms, false);
    write_engine(eng, Vec::new(), &opts).expect("writing to a Vec cannot fail")
}

/// Replaces every database (and the function libraries) of `eng` with the snapshot in `bytes`. The
/// file is read whole first: on an error `eng` is left as it was. Keys whose deadline passed are
/// not loaded. Clients watching keys of the replaced databases see them as touched.
pub fn load_engine_snapshot(eng: &mut Engine, bytes: &[u8]) -> Result<LoadStats, RdbError> {
    let opts =
        LoadOptions { limits: EncodingLimits::from_config(&eng.config), verify_checksum: eng.config.rdbchecksum };
    let mut snap = read_snapshot_with(bytes, &opts)?;
    if let Some(db) = snap.dbs.iter().find(|d| d.index >= eng.dbs.len() as u64) {
        return Err(RdbError::DbOutOfRange { index: db.index, count: eng.dbs.len() });
    }
    let mut dbs: Vec<Db> = (0..eng.dbs.len()).map(|_| Db::new()).collect();
    let now_ms = eng.clock.now_ms();
    let clock = if eng.config.maxmemory_policy.is_lfu() {
        super::snapshot::ObjectClock::Lfu { now_minutes: crate::evict::lfu_minutes(now_ms) }
    } else {
        super::snapshot::ObjectClock::Lru { now_s: eng.lru_clock() }
    };
    let stats = snap.load_into_with_clock(&mut dbs, Some(now_ms), clock)?;
    // The libraries are compiled before anything is replaced: a library that fails leaves all as it was.
    let payload = functions_dump::encode(snap.functions.iter().map(Vec::as_slice));
    let dirty = eng.dirty; // loading is not a change to save
    functions::function_restore(eng, &payload, functions::RestorePolicy::Flush)
        .map_err(|e| RdbError::BadEncoding { offset: 0, what: format!("function library: {e}") })?;
    eng.dirty = dirty;
    for index in 0..eng.dbs.len() {
        crate::commands::transactions::touch_all_watched_keys_in_db(eng, index, None);
    }
    eng.dbs = dbs;
    Ok(stats)
}
