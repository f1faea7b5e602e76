//! `Db`: one numbered database, keys to values plus the deadlines of the volatile keys.
//!
//! This layer stores and finds; it has no side effects. Expiry on access, keyspace events, WATCH and
//! blocked-client signalling live in [`crate::ctx::Ctx`], which every command goes through.

use crate::bytestr::ByteStr;
use crate::dict::Dict;
use crate::types::Value;

/// A stored value with the bookkeeping Valkey keeps in its object header.
#[derive(Debug, Clone)]
pub struct Entry {
    pub value: Value,
    /// Last access, in seconds of the engine's LRU clock (OBJECT IDLETIME, LRU eviction).
    pub lru: u32,
    /// A string changed in place (APPEND, SETRANGE): Valkey reports it `raw` whatever it holds.
    pub raw: bool,
}

impl Entry {
    pub fn new(value: Value, lru: u32) -> Entry {
        Entry { value, lru, raw: false }
    }

    /// The name OBJECT ENCODING replies with.
    pub fn encoding(&self) -> &'static str {
        match self.value {
            Value::Str(_) if self.raw => "raw",
            ref v => v.encoding(),
        }
    }
}

#[derive(Default)]
pub struct Db {
    pub keys: Dict<ByteStr, Entry>,
    /// Deadline (unix ms) of every key that has one, as Valkey's `expires` dict: only volatile keys pay
    /// for it, and the active expire cycle scans it alone.
    pub expires: Dict<ByteStr, i64>,
    /// Where the active expire cycle stopped scanning `expires`.
    pub expire_cursor: u64,
    /// Keys that were accessed for a read since blocking commands last looked (see Blocking).
    pub avg_ttl_ms: i64,
}

impl Db {
    pub fn new() -> Db {
        Db::default()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The deadline of `key`, if it has one.
    pub fn expire_of(&self, key: &[u8]) -> Option<i64> {
        if self.expires.is_empty() {
            return None;
        }
        self.expires.get(key).copied()
    }

    /// True when `key` has a deadline that has passed at `now_ms` (a key lives through its deadline ms).
    pub fn is_expired(&self, key: &[u8], now_ms: i64) -> bool {
        self.expire_of(key).is_some_and(|at| now_ms > at)
    }

    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.keys.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.keys.get_mut(key)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.keys.contains_key(key)
    }

    /// Stores `value` under `key`, replacing any old value and dropping its deadline (as SET does).
    pub fn set(&mut self, key: ByteStr, value: Value, lru: u32) {
        if !self.expires.is_empty() {
            self.expires.remove(&key);
        }
        self.keys.insert(key, Entry::new(value, lru));
    }

    /// Replaces the value of an existing key and keeps its deadline; inserts when absent.
    pub fn set_keep_ttl(&mut self, key: ByteStr, value: Value, lru: u32) {
        match self.keys.get_mut(&key) {
            Some(e) => {
                e.value = value;
                e.raw = false;
            }
            None => self.keys.insert_new(key, Entry::new(value, lru)),
        }
    }

    /// Removes the key and its deadline; returns the value.
    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        let (_, entry) = self.keys.remove(key)?;
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        Some(entry.value)
    }

    /// Sets the deadline of an existing key. Returns false when the key does not exist.
    pub fn set_expire(&mut self, key: &[u8], at_ms: i64) -> bool {
        let Some((k, _)) = self.keys.get_key_value(key) else { return false };
        let k = k.clone();
        self.expires.insert(k, at_ms);
        true
    }

    /// Drops the deadline. Returns true if there was one.
    pub fn persist(&mut self, key: &[u8]) -> bool {
        !self.expires.is_empty() && self.expires.remove(key).is_some()
    }

    pub fn clear(&mut self) {
        self.keys.clear();
        self.expires.clear();
        self.expire_cursor = 0;
    }
}
