//! The settings reading and writing take: the encoding limits loaded values are built under, and
//! what the writer puts in a file.

use super::format::COMPAT_VERSION;
use crate::config::Config;
use crate::types::hash::HashLimits;
use crate::types::set::SetLimits;
use crate::types::zset::ListpackLimits;

/// The compact-encoding limits loaded values are built under (the `*-max-listpack-*`,
/// `set-max-intset-entries` and `list-max-listpack-size` settings), so a loaded key has the encoding
/// Valkey would give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingLimits {
    pub hash: HashLimits,
    pub set: SetLimits,
    pub zset: ListpackLimits,
    /// `list-max-listpack-size`.
    pub list_fill: i64,
}

impl Default for EncodingLimits {
    /// Valkey 8.0.1's defaults.
    fn default() -> Self {
        EncodingLimits {
            hash: HashLimits::default(),
            set: SetLimits::default(),
            zset: ListpackLimits::default(),
            list_fill: -2,
        }
    }
}

impl EncodingLimits {
    /// The limits a server is configured with.
    pub fn from_config(config: &Config) -> EncodingLimits {
        let to_usize = |v: i64| usize::try_from(v.max(0)).unwrap_or(usize::MAX);
        EncodingLimits {
            hash: HashLimits {
                max_listpack_entries: to_usize(config.hash_max_listpack_entries),
                max_listpack_value: to_usize(config.hash_max_listpack_value),
            },
            set: SetLimits {
                max_intset_entries: to_usize(config.set_max_intset_entries),
                max_listpack_entries: to_usize(config.set_max_listpack_entries),
                max_listpack_value: to_usize(config.set_max_listpack_value),
            },
            zset: ListpackLimits {
                max_entries: to_usize(config.zset_max_listpack_entries),
                max_value: to_usize(config.zset_max_listpack_value),
            },
            list_fill: config.list_max_listpack_size,
        }
    }
}

/// How files and DUMP payloads are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    pub limits: EncodingLimits,
    /// Check the CRC64 (Valkey's `rdbchecksum`; a stored checksum of 0 means none was computed and is
    /// never checked).
    pub verify_checksum: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { limits: EncodingLimits::default(), verify_checksum: true }
    }
}

/// What the writer produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// The RDB version declared in the header and DUMP footers. 10 (the default) is what Redis 7.0
    /// reads, and Valkey reads it too; 11 additionally saves small string sets as listpacks, as
    /// Valkey 8 does, which Redis 7.0 refuses.
    pub version: u16,
    /// Compress strings longer than 20 bytes with LZF when that saves space (`rdbcompression`).
    pub compression: bool,
    /// End the file with a CRC64 of its contents, or with 0 (`rdbchecksum`). DUMP payloads always
    /// carry one.
    pub checksum: bool,
    /// `list-max-listpack-size`: how lists are cut into quicklist nodes.
    pub list_fill: i64,
    /// When set (the server's maxmemory-policy is an LRU one, as Valkey decides), each key's idle
    /// time is saved: this LRU clock (seconds, [`crate::Engine::lru_clock`]) minus the key's `lru`.
    pub lru_clock_s: Option<u32>,
    /// Auxiliary fields written after the header, in order (see [`WriteOptions::with_standard_aux`]).
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            version: COMPAT_VERSION,
            compression: true,
            checksum: true,
            list_fill: -2,
            lru_clock_s: None,
            aux: Vec::new(),
        }
    }
}

impl WriteOptions {
    /// The version ferrokey reports itself as (Valkey's `redis_version` compatibility number).
    pub const SERVER_VERSION: &'static str = "7.2.4";

    /// The writer's settings from a server's configuration (`rdbcompression`, `rdbchecksum`,
    /// `list-max-listpack-size`); aux fields and the LRU clock are the caller's to add.
    pub fn from_config(config: &Config) -> WriteOptions {
        WriteOptions {
            compression: config.rdbcompression,
            checksum: config.rdbchecksum,
            list_fill: config.list_max_listpack_size,
            ..WriteOptions::default()
        }
    }

    /// Adds the aux fields every Valkey snapshot starts with: `redis-ver`, `redis-bits`, `ctime`
    /// (unix seconds of the save), `used-mem` (bytes) and `aof-base` (1 for the base file of an AOF).
    pub fn with_standard_aux(mut self, ctime_s: i64, used_mem: u64, aof_base: bool) -> WriteOptions {
        let mut add = |name: &str, value: String| self.aux.push((name.as_bytes().to_vec(), value.into_bytes()));
        add("redis-ver", Self::SERVER_VERSION.to_owned());
        add("redis-bits", usize::BITS.to_string());
        add("ctime", ctime_s.to_string());
        add("used-mem", used_mem.to_string());
        add("aof-base", u8::from(aof_base).to_string());
        self
    }
}
