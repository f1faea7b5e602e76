//! Reading a whole RDB file (Valkey's `rdbLoadRioWithLoadingCtx`): header, opcodes, keys with
//! their expiry and LRU/LFU information, and the checksum; then, optionally, into [`Db`]s.

use super::crc64::crc64;
use super::cursor::Cursor;
use super::error::RdbError;
use super::format::*;
use super::load::{read_value, Loaded};
use super::options::LoadOptions;
use crate::bytestr::ByteStr;
use crate::db::{Db, Entry};
use crate::types::Value;

/// Everything an RDB file holds.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The format version in the header.
    pub version: u16,
    /// Aux fields in file order (`redis-ver`, `ctime`, `used-mem`, ...).
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// Function libraries' source code, in file order, for FUNCTION LOAD.
    pub functions: Vec<Vec<u8>>,
    /// The databases that have keys, in the order the file selects them.
    pub dbs: Vec<SnapshotDb>,
    /// Keys holding empty collections, which Valkey skips (old servers could save them).
    pub empty_keys_skipped: usize,
    /// The checksum stored at the end, when the file has a nonzero one.
    pub checksum: Option<u64>,
}

/// One database's keys.
#[derive(Debug, Clone, Default)]
pub struct SnapshotDb {
    pub index: u64,
    /// The RESIZEDB hint: (keys, keys with a deadline).
    pub resize_hint: Option<(u64, u64)>,
    pub records: Vec<Record>,
}

/// A key, its value and what the file says about it.
#[derive(Debug, Clone)]
pub struct Record {
    pub key: ByteStr,
    pub value: Value,
    /// Unix ms deadline.
    pub expire_ms: Option<i64>,
    /// Seconds idle when saved (LRU policies).
    pub idle_s: Option<u64>,
    /// LFU counter when saved (LFU policies).
    pub freq: Option<u8>,
}

/// What [`Snapshot::load_into`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub keys_loaded: u64,
    /// Keys whose deadline had passed, not loaded.
    pub keys_expired: u64,
}

/// What a loaded key's access clock (`Entry::lru`) holds, by `maxmemory-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectClock {
    /// Seconds of the engine's LRU clock now: stored idle times count back from it.
    Lru { now_s: u32 },
    /// Minutes of the LFU clock now (16 bits): stored frequencies become counters stamped with it.
    Lfu { now_minutes: u32 },
}

impl Snapshot {
    /// The value of aux field `name` (compared without case, as Valkey does).
    pub fn aux_value(&self, name: &str) -> Option<&[u8]> {
        self.aux.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| v.as_slice())
    }

    /// Moves the keys into `dbs` (which should be empty): deadlines into each database's expires,
    /// idle times into `lru` against the engine's `lru_clock_s`. Keys whose deadline is before
    /// `now_ms` are dropped, as Valkey drops them when a primary loads a file (pass `None` to keep
    /// them, as for an AOF preamble). The records leave `self`; aux and functions stay.
    pub fn load_into(&mut self, dbs: &mut [Db], now_ms: Option<i64>, lru_clock_s: u32) -> Result<LoadStats, RdbError> {
        self.load_into_with_clock(dbs, now_ms, ObjectClock::Lru { now_s: lru_clock_s })
    }

    /// [`Snapshot::load_into`] for an engine whose `maxmemory-policy` may be an LFU one: under
    /// [`ObjectClock::Lfu`] a key's stored access frequency (RDB_OPCODE_FREQ) becomes its LFU counter, and
    /// a key without one starts at the counter of a new key, as Valkey's objectSetLRUOrLFU does.
    pub fn load_into_with_clock(
        &mut self,
        dbs: &mut [Db],
        now_ms: Option<i64>,
        clock: ObjectClock,
    ) -> Result<LoadStats, RdbError> {
        let mut stats = LoadStats::default();
        let count = dbs.len();
        for sdb in std::mem::take(&mut self.dbs) {
            let db = usize::try_from(sdb.index)
                .ok()
                .and_then(|i| dbs.get_mut(i))
                .ok_or(RdbError::DbOutOfRange { index: sdb.index, count })?;
            for record in sdb.records {
                if let (Some(at), Some(now)) = (record.expire_ms, now_ms) {
                    if at < now {
                        stats.keys_expired += 1;
                        continue;
                    }
                }
                if db.contains(&record.key) {
                    return Err(RdbError::DuplicateKey {
                        key: String::from_utf8_lossy(&record.key).into_owned(),
                        db: sdb.index as usize,
                    });
                }
                let lru = match clock {
                    ObjectClock::Lru { now_s } => {
                        now_s.saturating_sub(record.idle_s.map_or(0, |s| u32::try_from(s).unwrap_or(u32::MAX)))
                    }
                    ObjectClock::Lfu { now_minutes } => {
                        (now_minutes << 8) | record.freq.map_or(crate::evict::LFU_INIT_VAL, u32::from)
                    }
                };
                let key = record.key;
                if let Some(at) = record.expire_ms {
                    db.expires.insert(key.clone(), at);
                }
                db.keys.insert_new(key, Entry::new(record.value, lru));
                stats.keys_loaded += 1;
            }
        }
        Ok(stats)
    }
}

/// Reads an RDB file with Valkey's default encoding limits and the checksum verified.
pub fn read_snapshot(bytes: &[u8]) -> Result<Snapshot, RdbError> {
    read_snapshot_with(bytes, &LoadOptions::default())
}

/// Reads an RDB file.
pub fn read_snapshot_with(bytes: &[u8], opts: &LoadOptions) -> Result<Snapshot, RdbError> {
    let mut cur = Cursor::new(bytes);
    let magic = cur.take(9).map_err(|_| RdbError::BadSignature)?;
    if &magic[..5] != b"REDIS" || !magic[5..].iter().all(u8::is_ascii_digit) {
        return Err(RdbError::BadSignature);
    }
    let version: u32 = std::str::from_utf8(&magic[5..]).expect("digits").parse().expect("four digits");
    if version < 1 || version > u32::from(MAX_VERSION) {
        return Err(RdbError::UnsupportedVersion(version));
    }
    let mut snap = Snapshot { version: version as u16, ..Snapshot::default() };
    // Which entry of `snap.dbs` keys go to; a file without SELECTDB puts them in database 0.
    let mut current: Option<usize> = None;
    let mut meta = (None, None, None);
    loop {
        let type_at = cur.pos();
        let type_id = cur.u8()?;
        match type_id {
            OPCODE_EXPIRETIME => meta.0 = Some(i64::from(cur.time_s()?) * 1000),
            OPCODE_EXPIRETIME_MS => meta.0 = Some(cur.time_ms()?),
            OPCODE_FREQ => meta.2 = Some(cur.u8()?),
            OPCODE_IDLE => meta.1 = Some(cur.len()?),
            OPCODE_EOF => break,
            OPCODE_SELECTDB => {
                let index = cur.len()?;
                current = Some(db_slot(&mut snap.dbs, index));
            }
            OPCODE_RESIZEDB => {
                let hint = (cur.len()?, cur.len()?);
                let slot = *current.get_or_insert_with(|| db_slot(&mut snap.dbs, 0));
                snap.dbs[slot].resize_hint = Some(hint);
            }
            OPCODE_AUX => {
                let name = cur.string_vec()?;
                let value = cur.string_vec()?;
                snap.aux.push((name, value));
            }
            OPCODE_MODULE_AUX => {
                let module = module_name(cur.len().unwrap_or(0));
                return Err(RdbError::ModuleAux { module, offset: type_at });
            }
            OPCODE_FUNCTION_PRE_GA => return Err(RdbError::PreReleaseFunctions { offset: type_at }),
            OPCODE_FUNCTION2 => snap.functions.push(cur.string_vec()?),
            _ => {
                let key = cur.string_vec()?;
                let (expire_ms, idle_s, freq) = std::mem::take(&mut meta);
                let slot = *current.get_or_insert_with(|| db_slot(&mut snap.dbs, 0));
                match read_value(&mut cur, type_id, type_at, &key, opts)? {
                    Loaded::Value(value) => {
                        snap.dbs[slot].records.push(Record { key: ByteStr::from(key), value, expire_ms, idle_s, freq })
                    }
                    Loaded::Empty => snap.empty_keys_skipped += 1,
                }
            }
        }
    }
    // Checksums exist from version 5 on; they cover every byte before them, the EOF opcode included.
    if version >= 5 {
        let covered = cur.pos();
        let stored = u64::from_le_bytes(cur.take(8)?.try_into().expect("8 bytes"));
        if stored != 0 {
            snap.checksum = Some(stored);
            if opts.verify_checksum {
                let computed = crc64(0, &bytes[..covered]);
                if computed != stored {
                    return Err(RdbError::BadChecksum { stored, computed });
                }
            }
        }
    }
    snap.dbs.retain(|db| !db.records.is_empty());
    Ok(snap)
}

/// The entry of `dbs` for database `index`, added when new (a file may select a database twice).
fn db_slot(dbs: &mut Vec<SnapshotDb>, index: u64) -> usize {
    match dbs.iter().position(|db| db.index == index) {
        Some(slot) => slot,
        None => {
            dbs.push(SnapshotDb { index, ..SnapshotDb::default() });
            dbs.len() - 1
        }
    }
}

/// A module type's 9-character name from its 64-bit id (Valkey's `moduleTypeNameByID`): 6 bits
/// per character from the top, the low 10 bits being the encoding version.
fn module_name(id: u64) -> String {
    const CHARSET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let id = id >> 10;
    (0..9).map(|i| char::from(CHARSET[((id >> (6 * (8 - i))) & 63) as usize])).collect()
}
