//! The script cache: SHA1 → script, for EVALSHA, SCRIPT LOAD/EXISTS/SHOW.
//!
//! Scripts that only EVAL added are evicted least-recently-used once 500 of them are cached (Valkey's
//! defence against clients that EVAL a new script per call); SCRIPT LOAD pins a script.

use super::flags::ScriptFlags;
use std::collections::{BTreeMap, HashMap};

/// How many EVAL-created scripts are kept (Valkey's `LRU_LIST_LENGTH`).
pub const EVAL_SCRIPTS_KEPT: usize = 500;

pub struct CachedScript<C> {
    pub body: Vec<u8>,
    pub flags: ScriptFlags,
    /// The compiled function (the engine's handle).
    pub compiled: C,
    /// Position in the LRU order; `None` for scripts SCRIPT LOAD pinned.
    lru_tick: Option<u64>,
}

pub struct ScriptCache<C> {
    /// By lower-case hex SHA1.
    scripts: HashMap<[u8; 40], CachedScript<C>, foldhash::fast::FixedState>,
    /// LRU order of the evictable scripts: tick → SHA1.
    lru: BTreeMap<u64, [u8; 40]>,
    next_tick: u64,
    /// Bytes of bodies and SHA1s, for `used_memory_scripts_eval`.
    body_bytes: usize,
}

impl<C> Default for ScriptCache<C> {
    fn default() -> Self {
        ScriptCache {
            scripts: HashMap::with_hasher(foldhash::fast::FixedState::with_seed(11)),
            lru: BTreeMap::new(),
            next_tick: 0,
            body_bytes: 0,
        }
    }
}

/// A SHA1 as the cache keys it: 40 hex digits in lower case. `None` when `sha` is not 40 bytes long.
pub fn cache_key(sha: &[u8]) -> Option<[u8; 40]> {
    let mut key: [u8; 40] = sha.try_into().ok()?;
    key.make_ascii_lowercase();
    Some(key)
}

impl<C> ScriptCache<C> {
    pub fn len(&self) -> usize {
        self.scripts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
    }

    pub fn get(&self, sha: &[u8; 40]) -> Option<&CachedScript<C>> {
        self.scripts.get(sha)
    }

    pub fn contains(&self, sha: &[u8]) -> bool {
        cache_key(sha).is_some_and(|k| self.scripts.contains_key(&k))
    }

    /// Adds a script. An EVAL-created one (`pinned` false) may first evict the least recently used
    /// EVAL-created scripts; returns how many were evicted.
    pub fn insert(&mut self, sha: [u8; 40], body: Vec<u8>, flags: ScriptFlags, compiled: C, pinned: bool) -> u64 {
        let mut evicted = 0;
        let lru_tick = if pinned {
            None
        } else {
            while self.lru.len() >= EVAL_SCRIPTS_KEPT {
                let Some((_, oldest)) = self.lru.pop_first() else { break };
                if let Some(old) = self.scripts.remove(&oldest) {
                    self.body_bytes -= old.body.len() + 40;
                }
                evicted += 1;
            }
            Some(self.tick(sha))
        };
        self.body_bytes += body.len() + 40;
        self.scripts.insert(sha, CachedScript { body, flags, compiled, lru_tick });
        evicted
    }

    /// SCRIPT LOAD of a script EVAL added: it is no longer evictable.
    pub fn pin(&mut self, sha: &[u8; 40]) {
        if let Some(s) = self.scripts.get_mut(sha) {
            if let Some(t) = s.lru_tick.take() {
                self.lru.remove(&t);
            }
        }
    }

    /// The script ran: an evictable one becomes the most recently used.
    pub fn touch(&mut self, sha: &[u8; 40]) {
        let Some(old) = self.scripts.get(sha).and_then(|s| s.lru_tick) else { return };
        self.lru.remove(&old);
        let t = self.tick(*sha);
        if let Some(s) = self.scripts.get_mut(sha) {
            s.lru_tick = Some(t);
        }
    }

    /// Scripts EVAL added and that may be evicted.
    pub fn evictable(&self) -> usize {
        self.lru.len()
    }

    /// Approximate bytes the cache holds (bodies, SHA1s and per-script bookkeeping).
    pub fn memory(&self) -> usize {
        self.body_bytes + self.scripts.len() * 64 + self.lru.len() * 24
    }

    fn tick(&mut self, sha: [u8; 40]) -> u64 {
        let t = self.next_tick;
        self.next_tick += 1;
        self.lru.insert(t, sha);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(n: usize) -> [u8; 40] {
        let mut k = [b'0'; 40];
        let digits = format!("{n:040}");
        k.copy_from_slice(digits.as_bytes());
        k
    }

    #[test]
    fn cache_key_lowercases_and_checks_length() {
        assert_eq!(cache_key(&[b'A'; 40]), Some([b'a'; 40]));
        assert_eq!(cache_key(b"abc"), None);
    }

    #[test]
    fn insert_past_limit_evicts_least_recently_used_eval_scripts() {
        let mut c = ScriptCache::default();
        for n in 0..EVAL_SCRIPTS_KEPT {
            assert_eq!(c.insert(sha(n), vec![], ScriptFlags::NONE, (), false), 0);
        }
        c.touch(&sha(0));
        assert_eq!(c.insert(sha(1000), vec![], ScriptFlags::NONE, (), false), 1);
        assert!(c.get(&sha(0)).is_some());
        assert!(c.get(&sha(1)).is_none());
        assert_eq!(c.len(), EVAL_SCRIPTS_KEPT);
    }

    #[test]
    fn pinned_scripts_are_never_evicted() {
        let mut c = ScriptCache::default();
        c.insert(sha(7), vec![], ScriptFlags::NONE, (), false);
        c.pin(&sha(7));
        for n in 0..EVAL_SCRIPTS_KEPT + 10 {
            c.insert(sha(n + 100), vec![], ScriptFlags::NONE, (), false);
        }
        assert!(c.get(&sha(7)).is_some());
        assert_eq!(c.len(), EVAL_SCRIPTS_KEPT + 1);
    }
}
