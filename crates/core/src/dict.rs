//! `Dict`: the hash table behind the keyspace and the large hashes and sets.
//!
//! It is a chained table with power-of-two sizes and incremental rehashing, the shape of Valkey's dict,
//! because three behaviours users see depend on that shape:
//! - SCAN's guarantee (every element present for the whole scan is returned at least once, even across a
//!   resize) comes from the reverse-binary cursor over bucket indices;
//! - RANDOMKEY, SPOP, eviction and the active expire cycle need cheap random or sequential sampling;
//! - growing a table of millions of keys must not stall one command: the move to the new table happens a
//!   bucket at a time, on writes and in the host's cron.
//!
//! One allocation per entry (a node of key, value and chain link); nothing else per entry.

use foldhash::fast::FixedState;
use rand::rngs::SmallRng;
use rand::Rng;
use std::hash::BuildHasher;

type Link<K, V> = Option<Box<Node<K, V>>>;

struct Node<K, V> {
    key: K,
    value: V,
    next: Link<K, V>,
}

struct Table<K, V> {
    buckets: Vec<Link<K, V>>,
    used: usize,
}

impl<K, V> Table<K, V> {
    fn empty() -> Self {
        Table { buckets: Vec::new(), used: 0 }
    }

    fn with_size(size: usize) -> Self {
        let mut buckets = Vec::with_capacity(size);
        buckets.resize_with(size, || None);
        Table { buckets, used: 0 }
    }

    fn mask(&self) -> u64 {
        (self.buckets.len() as u64).wrapping_sub(1)
    }
}

const INITIAL_SIZE: usize = 4;
/// Grow past this many entries per bucket even while resizing is discouraged (a snapshot child in Valkey).
const MIN_FILL_PERCENT: usize = 8;

pub struct Dict<K, V> {
    tables: [Table<K, V>; 2],
    /// Next bucket of `tables[0]` to move into `tables[1]`, while rehashing.
    rehash_idx: Option<usize>,
    hasher: FixedState,
}

impl<K: AsRef<[u8]>, V> Default for Dict<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: AsRef<[u8]>, V> Dict<K, V> {
    pub fn new() -> Self {
        Self::with_seed(0x5eed_f00d)
    }

    pub fn with_seed(seed: u64) -> Self {
        Dict { tables: [Table::empty(), Table::empty()], rehash_idx: None, hasher: FixedState::with_seed(seed) }
    }

    pub fn len(&self) -> usize {
        self.tables[0].used + self.tables[1].used
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Buckets in both tables (for INFO-style statistics and memory estimates).
    pub fn bucket_count(&self) -> usize {
        self.tables[0].buckets.len() + self.tables[1].buckets.len()
    }

    pub fn is_rehashing(&self) -> bool {
        self.rehash_idx.is_some()
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.get_key_value(key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get_key_value(key).is_some()
    }

    pub fn get_key_value(&self, key: &[u8]) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        let h = self.hash(key);
        for t in self.live_tables() {
            let table = &self.tables[t];
            let mut link = &table.buckets[(h & table.mask()) as usize];
            while let Some(node) = link {
                if node.key.as_ref() == key {
                    return Some((&node.key, &node.value));
                }
                link = &node.next;
            }
        }
        None
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key);
        let t = self.live_tables().find(|&t| {
            let table = &self.tables[t];
            let mut link = &table.buckets[(h & table.mask()) as usize];
            while let Some(node) = link {
                if node.key.as_ref() == key {
                    return true;
                }
                link = &node.next;
            }
            false
        })?;
        let table = &mut self.tables[t];
        let idx = (h & table.mask()) as usize;
        let mut link = &mut table.buckets[idx];
        while let Some(node) = link {
            if node.key.as_ref() == key {
                return Some(&mut node.value);
            }
            link = &mut node.next;
        }
        None
    }

    /// Inserts or replaces; returns the previous value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if let Some(slot) = self.get_mut(key.as_ref()) {
            return Some(std::mem::replace(slot, value));
        }
        self.insert_new(key, value);
        None
    }

    /// Inserts a key the caller knows is absent (saves the lookup).
    pub fn insert_new(&mut self, key: K, value: V) {
        self.rehash_step();
        self.grow_if_needed();
        let h = self.hash(key.as_ref());
        // New entries go to the new table while rehashing, so the old one only shrinks.
        let t = if self.rehash_idx.is_some() { 1 } else { 0 };
        let table = &mut self.tables[t];
        let idx = (h & table.mask()) as usize;
        let next = table.buckets[idx].take();
        table.buckets[idx] = Some(Box::new(Node { key, value, next }));
        table.used += 1;
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<(K, V)> {
        if self.is_empty() {
            return None;
        }
        self.rehash_step();
        let h = self.hash(key);
        for t in self.live_tables() {
            let table = &mut self.tables[t];
            let idx = (h & table.mask()) as usize;
            let mut link = &mut table.buckets[idx];
            loop {
                match link {
                    None => break,
                    Some(node) if node.key.as_ref() == key => {
                        let mut node = link.take().expect("matched above");
                        *link = node.next.take();
                        table.used -= 1;
                        self.shrink_if_needed();
                        return Some((node.key, node.value));
                    }
                    Some(node) => link = &mut node.next,
                }
            }
        }
        None
    }

    pub fn clear(&mut self) {
        // Drop chains iteratively: a long chain must not recurse deeply in Drop.
        for t in &mut self.tables {
            for bucket in &mut t.buckets {
                let mut link = bucket.take();
                while let Some(mut node) = link {
                    link = node.next.take();
                }
            }
        }
        self.tables = [Table::empty(), Table::empty()];
        self.rehash_idx = None;
    }

    /// Every entry, in table order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.tables.iter().flat_map(|t| t.buckets.iter()).flat_map(|b| ChainIter { link: b.as_deref() })
    }

    /// Every entry with a mutable value, in table order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.tables.iter_mut().flat_map(|t| t.buckets.iter_mut()).flat_map(|b| ChainIterMut { link: b.as_deref_mut() })
    }

    /// Removes and yields every entry.
    pub fn drain(&mut self) -> Vec<(K, V)> {
        let mut out = Vec::with_capacity(self.len());
        for t in &mut self.tables {
            for bucket in &mut t.buckets {
                let mut link = bucket.take();
                while let Some(mut node) = link {
                    link = node.next.take();
                    out.push((node.key, node.value));
                }
            }
        }
        self.clear();
        out
    }

    /// Keeps the entries for which `keep` returns true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        for (k, v) in self.drain() {
            let mut v = v;
            if keep(&k, &mut v) {
                self.insert_new(k, v);
            }
        }
    }

    /// One SCAN step: visits the bucket(s) `cursor` names and returns the next cursor (0 when done).
    /// The reverse-binary increment means buckets already visited stay visited when the table grows or
    /// shrinks between calls, which is SCAN's guarantee.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(&K, &V)) -> u64 {
        if self.is_empty() {
            return 0;
        }
        let mut v = cursor;
        let mut visit_bucket = |t: &Table<K, V>, v: u64| {
            let mut link = t.buckets[(v & t.mask()) as usize].as_deref();
            while let Some(node) = link {
                visit(&node.key, &node.value);
                link = node.next.as_deref();
            }
        };
        if self.rehash_idx.is_none() {
            let t0 = &self.tables[0];
            let m0 = t0.mask();
            visit_bucket(t0, v);
            v |= !m0;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
        } else {
            let (small, big) = if self.tables[0].buckets.len() <= self.tables[1].buckets.len() {
                (&self.tables[0], &self.tables[1])
            } else {
                (&self.tables[1], &self.tables[0])
            };
            let (m0, m1) = (small.mask(), big.mask());
            visit_bucket(small, v);
            // Visit every bucket of the big table that expands the small table's bucket.
            loop {
                visit_bucket(big, v);
                v |= !m1;
                v = v.reverse_bits().wrapping_add(1).reverse_bits();
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    /// A uniformly chosen bucket's random entry: cheap, and fair enough for RANDOMKEY and eviction sampling.
    pub fn random_entry(&self, rng: &mut SmallRng) -> Option<(&K, &V)> {
        if self.is_empty() {
            return None;
        }
        loop {
            let bucket = if let Some(ri) = self.rehash_idx {
                // Buckets of table 0 below rehash_idx are empty by construction.
                let s0 = self.tables[0].buckets.len();
                let s1 = self.tables[1].buckets.len();
                let i = ri + rng.random_range(0..(s0 + s1 - ri));
                if i >= s0 {
                    &self.tables[1].buckets[i - s0]
                } else {
                    &self.tables[0].buckets[i]
                }
            } else {
                let t = &self.tables[0];
                &t.buckets[rng.random_range(0..t.buckets.len())]
            };
            if let Some(head) = bucket.as_deref() {
                let chain_len = ChainIter { link: Some(head) }.count();
                let pick = rng.random_range(0..chain_len);
                return ChainIter { link: Some(head) }.nth(pick);
            }
        }
    }

    /// Moves up to `n` buckets to the new table. Returns true if rehashing still has work to do.
    pub fn rehash(&mut self, n: usize) -> bool {
        let Some(mut idx) = self.rehash_idx else { return false };
        let mut empty_visits = n * 10;
        let mut moved = 0;
        while moved < n && self.tables[0].used > 0 {
            while self.tables[0].buckets[idx].is_none() {
                idx += 1;
                empty_visits -= 1;
                if empty_visits == 0 {
                    self.rehash_idx = Some(idx);
                    return true;
                }
            }
            let mut link = self.tables[0].buckets[idx].take();
            while let Some(mut node) = link {
                link = node.next.take();
                let h = self.hash(node.key.as_ref());
                let t1 = &mut self.tables[1];
                let dst = (h & t1.mask()) as usize;
                node.next = t1.buckets[dst].take();
                t1.buckets[dst] = Some(node);
                t1.used += 1;
                self.tables[0].used -= 1;
            }
            idx += 1;
            moved += 1;
        }
        if self.tables[0].used == 0 {
            self.tables.swap(0, 1);
            self.tables[1] = Table::empty();
            self.rehash_idx = None;
            // Deletions during the move may have left the new table too sparse or too full.
            self.shrink_if_needed();
            self.grow_if_needed();
            return self.rehash_idx.is_some();
        }
        self.rehash_idx = Some(idx);
        true
    }

    fn rehash_step(&mut self) {
        if self.rehash_idx.is_some() {
            self.rehash(1);
        }
    }

    /// Indices of the tables that may hold entries (both while rehashing), allocated ones only.
    fn live_tables(&self) -> impl Iterator<Item = usize> {
        let n = if self.rehash_idx.is_some() { 2 } else { 1 };
        let allocated = [!self.tables[0].buckets.is_empty(), !self.tables[1].buckets.is_empty()];
        (0..n).filter(move |&t| allocated[t])
    }

    fn grow_if_needed(&mut self) {
        if self.rehash_idx.is_some() {
            return;
        }
        let size = self.tables[0].buckets.len();
        if size == 0 {
            self.tables[0] = Table::with_size(INITIAL_SIZE);
        } else if self.tables[0].used >= size {
            self.start_resize((self.tables[0].used + 1).next_power_of_two());
        }
    }

    /// Shrinks when the table is less than 1/8 full, as Valkey 8 does after deletions.
    fn shrink_if_needed(&mut self) {
        if self.rehash_idx.is_some() {
            return;
        }
        let size = self.tables[0].buckets.len();
        let used = self.tables[0].used;
        if size > INITIAL_SIZE && used * 100 / size < MIN_FILL_PERCENT {
            if used == 0 {
                self.tables[0] = Table::empty();
            } else {
                self.start_resize(used.next_power_of_two().max(INITIAL_SIZE));
            }
        }
    }

    fn start_resize(&mut self, size: usize) {
        if size == self.tables[0].buckets.len() {
            return;
        }
        self.tables[1] = Table::with_size(size);
        self.rehash_idx = Some(0);
    }
}

impl<K, V> Drop for Dict<K, V> {
    fn drop(&mut self) {
        for t in &mut self.tables {
            for bucket in &mut t.buckets {
                let mut link = bucket.take();
                while let Some(mut node) = link {
                    link = node.next.take();
                }
            }
        }
    }
}

struct ChainIter<'a, K, V> {
    link: Option<&'a Node<K, V>>,
}

impl<'a, K, V> Iterator for ChainIter<'a, K, V> {
    type Item = (&'a K, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        let node = self.link?;
        self.link = node.next.as_deref();
        Some((&node.key, &node.value))
    }
}

struct ChainIterMut<'a, K, V> {
    link: Option<&'a mut Node<K, V>>,
}

impl<'a, K, V> Iterator for ChainIterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    fn next(&mut self) -> Option<Self::Item> {
        let node = self.link.take()?;
        self.link = node.next.as_deref_mut();
        Some((&node.key, &mut node.value))
    }
}

impl<K: AsRef<[u8]> + std::fmt::Debug, V: std::fmt::Debug> std::fmt::Debug for Dict<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::{BTreeMap, HashSet};

    fn key(i: u32) -> Vec<u8> {
        format!("key:{i}").into_bytes()
    }

    #[test]
    fn dict_insert_get_remove_across_resizes() {
        let mut d: Dict<Vec<u8>, u32> = Dict::new();
        for i in 0..10_000 {
            assert_eq!(d.insert(key(i), i), None);
        }
        assert_eq!(d.len(), 10_000);
        for i in 0..10_000 {
            assert_eq!(d.get(&key(i)), Some(&i));
        }
        assert_eq!(d.insert(key(7), 70), Some(7));
        for i in 0..9_990 {
            assert_eq!(d.remove(&key(i)).map(|(_, v)| v), Some(if i == 7 { 70 } else { i }));
        }
        assert_eq!(d.len(), 10);
        while d.rehash(100) {}
        assert!(d.bucket_count() <= 16, "shrunk to {} buckets", d.bucket_count());
        assert_eq!(d.iter().count(), 10);
    }

    #[test]
    fn dict_scan_returns_every_stable_element_while_growing_and_shrinking() {
        let mut d: Dict<Vec<u8>, u32> = Dict::new();
        for i in 0..1000 {
            d.insert(key(i), i);
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = d.scan(cursor, |k, _| {
                seen.insert(k.clone());
            });
            // Change the table's size between calls: grow, then shrink.
            step += 1;
            if step < 50 {
                for j in 0..100 {
                    d.insert(format!("extra:{step}:{j}").into_bytes(), 0);
                }
            } else if step < 100 {
                for j in 0..100 {
                    d.remove(format!("extra:{}:{j}", step - 49).as_bytes());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(seen.contains(&key(i)), "scan missed {i}");
        }
    }

    #[test]
    fn dict_random_entry_reaches_every_element() {
        let mut d: Dict<Vec<u8>, u32> = Dict::new();
        for i in 0..50 {
            d.insert(key(i), i);
        }
        let mut rng = SmallRng::seed_from_u64(1);
        let mut seen = HashSet::new();
        for _ in 0..5000 {
            seen.insert(*d.random_entry(&mut rng).unwrap().1);
        }
        assert_eq!(seen.len(), 50);
    }

    proptest::proptest! {
        #[test]
        fn dict_matches_btreemap_model(ops in proptest::collection::vec((0u8..3, 0u16..300), 1..2000)) {
            let mut d: Dict<Vec<u8>, u16> = Dict::new();
            let mut model = BTreeMap::new();
            for (op, k) in ops {
                let kb = k.to_string().into_bytes();
                match op {
                    0 => proptest::prop_assert_eq!(d.insert(kb.clone(), k), model.insert(kb, k)),
                    1 => proptest::prop_assert_eq!(d.remove(&kb).map(|(_, v)| v), model.remove(&kb)),
                    _ => proptest::prop_assert_eq!(d.get(&kb), model.get(&kb)),
                }
                proptest::prop_assert_eq!(d.len(), model.len());
            }
            let mut all: Vec<_> = d.iter().map(|(k, v)| (k.clone(), *v)).collect();
            all.sort();
            proptest::prop_assert_eq!(all, model.into_iter().collect::<Vec<_>>());
        }
    }
}
