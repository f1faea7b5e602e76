//! `Ctx`: what a handler sees of the engine while its command runs: the calling client, the selected
//! database, the command's time, and the bookkeeping every access and every write must do.
//!
//! Reads go through [`Ctx::lookup_read`]/[`Ctx::lookup_write`] (expiry on access, LRU, hit/miss stats);
//! every write ends with [`Ctx::written`] (WATCH, keyspace event, dirty counter, blocked clients), the
//! three things Valkey does after each change, so handlers cannot forget one of them.

use crate::bytestr::ByteStr;
use crate::client::{Client, ClientId};
use crate::command::CommandSpec;
use crate::db::{Db, Entry};
use crate::engine::Engine;
use crate::error::CommandError;
use crate::resp::Protocol;
use crate::types::{Hash, List, Set, Value, ZSet};

pub struct Ctx<'a> {
    pub eng: &'a mut Engine,
    pub id: ClientId,
    pub spec: &'static CommandSpec,
    /// The command's time (unix ms), read once per top-level command.
    pub now_ms: i64,
}

impl<'a> Ctx<'a> {
    pub fn new(eng: &'a mut Engine, id: ClientId, spec: &'static CommandSpec) -> Ctx<'a> {
        let now_ms = eng.cmd_time_ms;
        Ctx { eng, id, spec, now_ms }
    }

    pub fn client(&mut self) -> &mut Client {
        self.eng.clients.get_mut(&self.id).expect("the calling client exists while its command runs")
    }

    pub fn client_ref(&self) -> &Client {
        &self.eng.clients[&self.id]
    }

    pub fn proto(&self) -> Protocol {
        self.client_ref().proto
    }

    pub fn resp3(&self) -> bool {
        self.proto() == Protocol::Resp3
    }

    pub fn db_index(&self) -> usize {
        self.client_ref().db
    }

    /// The selected database, raw (no expiry checks): use the lookups for keys.
    pub fn db(&mut self) -> &mut Db {
        let i = self.db_index();
        &mut self.eng.dbs[i]
    }

    pub fn rng(&mut self) -> &mut rand::rngs::SmallRng {
        &mut self.eng.rng
    }

    /// The command runs inside MULTI/EXEC or a script, where blocking commands must not block.
    pub fn nested(&self) -> bool {
        self.eng.depth > 1
    }

    // -- access ------------------------------------------------------------------------------------

    /// Deletes `key` in db `db` if its deadline has passed. Returns true if it did.
    pub fn expire_if_needed(&mut self, db: usize, key: &[u8]) -> bool {
        // While an AOF is replayed the file says when keys went (Valkey does not expire while loading).
        if !self.eng.dbs[db].is_expired(key, self.now_ms) || self.eng.propagate.loading {
            return false;
        }
        crate::expire::delete_expired(self.eng, db, key);
        true
    }

    /// A key about to be read: expired keys vanish, hits and misses are counted, the access time moves
    /// (unless the client is in NO-TOUCH mode).
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let db = self.db_index();
        self.expire_if_needed(db, key);
        let touch = !self.client_ref().no_touch || self.spec.name == "touch";
        let lru = self.eng.lru_clock();
        let lfu = self.eng.config.maxmemory_policy.is_lfu();
        let found = self.eng.dbs[db].keys.get_mut(key);
        match found {
            Some(e) => {
                self.eng.stats.keyspace_hits += 1;
                if touch {
                    e.lru = if lfu {
                        crate::evict::lfu_touch(e.lru, self.now_ms, &self.eng.config, &mut self.eng.rng)
                    } else {
                        lru
                    };
                }
                Some(e)
            }
            None => {
                self.eng.stats.keyspace_misses += 1;
                None
            }
        }
    }

    /// A key about to be written: expired keys vanish; no hit/miss statistics.
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let db = self.db_index();
        self.expire_if_needed(db, key);
        let lru = self.eng.lru_clock();
        let lfu = self.eng.config.maxmemory_policy.is_lfu();
        let e = self.eng.dbs[db].keys.get_mut(key)?;
        e.lru =
            if lfu { crate::evict::lfu_touch(e.lru, self.now_ms, &self.eng.config, &mut self.eng.rng) } else { lru };
        Some(e)
    }

    /// True if `key` exists (and is not expired), without touching statistics or access time.
    pub fn exists(&mut self, key: &[u8]) -> bool {
        let db = self.db_index();
        self.expire_if_needed(db, key);
        self.eng.dbs[db].contains(key)
    }

    /// The key's type name, if it exists.
    pub fn type_of(&mut self, key: &[u8]) -> Option<&'static str> {
        let db = self.db_index();
        self.expire_if_needed(db, key);
        self.eng.dbs[db].get(key).map(|e| e.value.type_name())
    }

    // -- writes ------------------------------------------------------------------------------------

    /// Stores a new value, replacing any old one and its deadline (SET's semantics). The caller
    /// still reports the write with [`Ctx::written`].
    pub fn store(&mut self, key: impl Into<ByteStr>, value: Value) {
        let lru = crate::evict::new_object_lru(self.eng);
        self.db().set(key.into(), value, lru);
    }

    /// Stores a value and keeps the key's deadline if it had one.
    pub fn store_keep_ttl(&mut self, key: impl Into<ByteStr>, value: Value) {
        let lru = crate::evict::new_object_lru(self.eng);
        self.db().set_keep_ttl(key.into(), value, lru);
    }

    /// Deletes a key (after expiry checks). Returns the old value. The caller reports the write.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        let db = self.db_index();
        self.expire_if_needed(db, key);
        self.eng.dbs[db].remove(key)
    }

    /// The three things every write does, in the selected db: signal WATCHers and blocked clients,
    /// fire the keyspace event (`class` is a [`crate::notify`] flag), count a change.
    pub fn written(&mut self, class: u32, event: &str, key: &[u8]) {
        let db = self.db_index();
        self.written_in(db, class, event, key);
    }

    /// [`Ctx::written`] for a key of another database (MOVE, COPY ... DB, SWAPDB).
    pub fn written_in(&mut self, db: usize, class: u32, event: &str, key: &[u8]) {
        self.signal_modified_in(db, key);
        crate::notify::notify(self.eng, class, event, key, db);
        self.eng.dirty += 1;
        // Any write may serve a blocked client, or end an XREADGROUP's wait by replacing its stream.
        self.eng.blocking.signal_ready(db, key);
    }

    /// WATCH: the key changed (also for changes that fire no event, like a failed write that deleted).
    pub fn signal_modified_in(&mut self, db: usize, key: &[u8]) {
        crate::commands::transactions::touch_watched_key(self.eng, db, key);
    }

    /// Fires a keyspace event without counting a write (e.g. `expired`, `new`).
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        let db = self.db_index();
        crate::notify::notify(self.eng, class, event, key, db);
    }

    /// Blocks the client on `keys` until `deadline_ms` (0: forever). The handler then returns
    /// `Err(CommandError::Blocked)`, and runs again when one of the keys is written.
    pub fn block_on(&mut self, keys: Vec<Vec<u8>>, deadline_ms: i64) -> CommandError {
        let db = self.db_index();
        self.eng.blocking.request(db, keys, deadline_ms);
        CommandError::Blocked
    }
}

/// Typed access: `Ok(None)` for a missing key, `WRONGTYPE` for another type.
macro_rules! typed_lookup {
    ($read:ident, $write:ident, $variant:ident, $ty:ty) => {
        impl Ctx<'_> {
            pub fn $read(&mut self, key: &[u8]) -> Result<Option<&mut $ty>, CommandError> {
                match self.lookup_read(key) {
                    None => Ok(None),
                    Some(Entry { value: Value::$variant(v), .. }) => Ok(Some(v)),
                    Some(_) => Err(CommandError::WrongType),
                }
            }

            pub fn $write(&mut self, key: &[u8]) -> Result<Option<&mut $ty>, CommandError> {
                match self.lookup_write(key) {
                    None => Ok(None),
                    Some(Entry { value: Value::$variant(v), .. }) => Ok(Some(v)),
                    Some(_) => Err(CommandError::WrongType),
                }
            }
        }
    };
}

typed_lookup!(read_str, write_str, Str, ByteStr);
typed_lookup!(read_list, write_list, List, Box<List>);
typed_lookup!(read_hash, write_hash, Hash, Box<Hash>);
typed_lookup!(read_set, write_set, Set, Box<Set>);
typed_lookup!(read_zset, write_zset, ZSet, Box<ZSet>);
typed_lookup!(read_stream, write_stream, Stream, Box<crate::types::Stream>);
