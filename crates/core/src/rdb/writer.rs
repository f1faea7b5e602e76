//! Writing a whole snapshot: `REDIS0010`, aux fields, function libraries, each non-empty database
//! (SELECTDB, RESIZEDB, then its keys with their expiry and LRU/LFU opcodes), EOF and the CRC64.
//!
//! [`SnapshotWriter`] streams to any `std::io::Write` one key at a time, so a server can save to a
//! file without building the file in memory; [`write_snapshot`] is the one-call form.

use super::crc64::crc64;
use super::format::*;
use super::options::WriteOptions;
use super::save::{is_empty_collection, type_of, write_body, write_len, write_string};
use crate::db::Db;
use crate::types::Value;
use std::io::{self, Write};

/// What is saved about a key besides its value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EntryMeta {
    /// Unix ms deadline.
    pub expire_ms: Option<i64>,
    /// Seconds since last access (saved when the maxmemory-policy is an LRU one).
    pub idle_s: Option<u64>,
    /// LFU counter (saved when the maxmemory-policy is an LFU one).
    pub freq: Option<u8>,
}

/// A snapshot being written to `W`. Dropping it before [`SnapshotWriter::finish`] leaves an
/// incomplete file, which every reader refuses.
pub struct SnapshotWriter<W: Write> {
    out: W,
    crc: u64,
    opts: WriteOptions,
    /// Reused for each record, so a key is serialized, checksummed and written in one piece.
    scratch: Vec<u8>,
}

impl<W: Write> SnapshotWriter<W> {
    /// Writes the header and the aux fields of `opts`.
    pub fn begin(out: W, opts: &WriteOptions) -> io::Result<SnapshotWriter<W>> {
        let mut w = SnapshotWriter { out, crc: 0, opts: opts.clone(), scratch: Vec::with_capacity(256) };
        w.scratch.extend_from_slice(format!("REDIS{:04}", opts.version).as_bytes());
        for (name, value) in &opts.aux {
            w.scratch.push(OPCODE_AUX);
            write_string(&mut w.scratch, name, opts.compression);
            write_string(&mut w.scratch, value, opts.compression);
        }
        w.flush_scratch()?;
        Ok(w)
    }

    /// One function library (its source code, as FUNCTION LOAD took it). Valkey writes them all
    /// before the first database.
    pub fn function(&mut self, code: &[u8]) -> io::Result<()> {
        self.scratch.push(OPCODE_FUNCTION2);
        write_string(&mut self.scratch, code, self.opts.compression);
        self.flush_scratch()
    }

    /// Starts database `index`, announcing how many keys and deadlines follow (a sizing hint).
    pub fn select_db(&mut self, index: u64, keys: u64, expires: u64) -> io::Result<()> {
        self.scratch.push(OPCODE_SELECTDB);
        write_len(&mut self.scratch, index);
        self.scratch.push(OPCODE_RESIZEDB);
        write_len(&mut self.scratch, keys);
        write_len(&mut self.scratch, expires);
        self.flush_scratch()
    }

    /// One key of the current database. Empty collections are skipped: no reader accepts some of
    /// their encodings, and Valkey never has them.
    pub fn entry(&mut self, key: &[u8], value: &Value, meta: &EntryMeta) -> io::Result<()> {
        if is_empty_collection(value) {
            return Ok(());
        }
        if let Some(at) = meta.expire_ms {
            self.scratch.push(OPCODE_EXPIRETIME_MS);
            self.scratch.extend_from_slice(&at.to_le_bytes());
        }
        if let Some(idle) = meta.idle_s {
            self.scratch.push(OPCODE_IDLE);
            write_len(&mut self.scratch, idle);
        }
        if let Some(freq) = meta.freq {
            self.scratch.extend_from_slice(&[OPCODE_FREQ, freq]);
        }
        self.scratch.push(type_of(value, &self.opts));
        write_string(&mut self.scratch, key, self.opts.compression);
        write_body(&mut self.scratch, value, &self.opts);
        self.flush_scratch()
    }

    /// Database `index` whole, when it has keys. With [`WriteOptions::lru_clock_s`] set, each key's
    /// idle time is saved too.
    pub fn db(&mut self, index: u64, db: &Db) -> io::Result<()> {
        if db.is_empty() {
            return Ok(());
        }
        self.select_db(index, db.len() as u64, db.expires.len() as u64)?;
        let clock = self.opts.lru_clock_s;
        for (key, entry) in db.keys.iter() {
            let meta = EntryMeta {
                expire_ms: db.expire_of(key),
                idle_s: clock.map(|now| u64::from(now.saturating_sub(entry.lru))),
                freq: None,
            };
            self.entry(key, &entry.value, &meta)?;
        }
        Ok(())
    }

    /// Writes EOF and the checksum (0 when checksums are off) and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.write(&[OPCODE_EOF])?;
        let crc = if self.opts.checksum { self.crc } else { 0 };
        self.out.write_all(&crc.to_le_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn flush_scratch(&mut self) -> io::Result<()> {
        let bytes = std::mem::take(&mut self.scratch);
        self.write(&bytes)?;
        self.scratch = bytes;
        self.scratch.clear();
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.opts.checksum {
            self.crc = crc64(self.crc, bytes);
        }
        self.out.write_all(bytes)
    }
}

/// Writes `dbs` (database `i` is `dbs[i]`) and the function libraries as one snapshot to `out`.
pub fn write_snapshot_to<W: Write>(out: W, dbs: &[Db], functions: &[Vec<u8>], opts: &WriteOptions) -> io::Result<W> {
    let mut w = SnapshotWriter::begin(out, opts)?;
    for code in functions {
        w.function(code)?;
    }
    for (index, db) in dbs.iter().enumerate() {
        w.db(index as u64, db)?;
    }
    w.finish()
}

/// The snapshot of `dbs` and the function libraries, as bytes.
pub fn write_snapshot(dbs: &[Db], functions: &[Vec<u8>], opts: &WriteOptions) -> Vec<u8> {
    write_snapshot_to(Vec::new(), dbs, functions, opts).expect("writing to a Vec cannot fail")
}
