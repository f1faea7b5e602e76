//! Hashes: field -> value, in the two encodings Valkey uses, because memory per key is a feature:
//! - `listpack`: a `Vec` of (field, value) pairs in insertion order, searched linearly, while there are
//!   at most `hash-max-listpack-entries` pairs and no field or value is longer than
//!   `hash-max-listpack-value` bytes;
//! - `hashtable`: a [`Dict`], for everything larger (and the only encoding with a real HSCAN cursor).
//!
//! A hash only moves from listpack to table, never back, as in Valkey.

use crate::bytestr::ByteStr;
use crate::dict::Dict;
use crate::types::set::{reserve_compact, sample};
use rand::rngs::SmallRng;
use rand::Rng;

/// The encoding thresholds of the `hash-max-listpack-*` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    /// `hash-max-listpack-entries`
    pub max_listpack_entries: usize,
    /// `hash-max-listpack-value` (bytes, for fields and values alike)
    pub max_listpack_value: usize,
}

impl Default for HashLimits {
    /// Valkey 8.0.1's defaults (512 entries, not the 128 of sets and sorted sets).
    fn default() -> Self {
        HashLimits { max_listpack_entries: 512, max_listpack_value: 64 }
    }
}

pub enum Hash {
    Listpack(Vec<(ByteStr, ByteStr)>),
    /// Boxed: a small hash should not pay for the table's header.
    Table(Box<Dict<ByteStr, ByteStr>>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Listpack(Vec::new())
    }
}

impl Hash {
    /// An empty listpack, what every hash starts as.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(v) => v.len(),
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    /// Approximate heap bytes (MEMORY USAGE).
    pub fn memory_usage(&self) -> usize {
        const PAIR: usize = 2 * std::mem::size_of::<ByteStr>();
        const NODE: usize = PAIR + std::mem::size_of::<usize>();
        std::mem::size_of::<Hash>()
            + match self {
                Hash::Listpack(v) => {
                    v.capacity() * PAIR + v.iter().map(|(f, x)| f.heap_size() + x.heap_size()).sum::<usize>()
                }
                Hash::Table(d) => {
                    d.bucket_count() * std::mem::size_of::<usize>()
                        + d.iter().map(|(f, x)| NODE + f.heap_size() + x.heap_size()).sum::<usize>()
                }
            }
    }

    pub fn get(&self, field: &[u8]) -> Option<&ByteStr> {
        match self {
            Hash::Listpack(v) => v.iter().find(|(f, _)| f.as_bytes() == field).map(|(_, x)| x),
            Hash::Table(d) => d.get(field),
        }
    }

    pub fn contains_key(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Before a write of `pairs` field/value pairs made of `args`: moves to a table when they cannot
    /// all fit a listpack, so a big HSET converts once instead of midway (Valkey's
    /// `hashTypeTryConversion`, which also looks at the pairs that will only update).
    pub fn prepare_write<'a>(&mut self, pairs: usize, args: impl IntoIterator<Item = &'a [u8]>, limits: HashLimits) {
        if matches!(self, Hash::Table(_)) {
            return;
        }
        if pairs > limits.max_listpack_entries || args.into_iter().any(|a| a.len() > limits.max_listpack_value) {
            self.convert_to_table();
        }
    }

    /// Sets `field` to `value`; true if the field is new. Converts to a table when the pair does not
    /// fit a listpack or the listpack grows past its entry limit.
    pub fn insert(&mut self, field: ByteStr, value: ByteStr, limits: HashLimits) -> bool {
        if let Hash::Listpack(_) = self {
            if field.len() > limits.max_listpack_value || value.len() > limits.max_listpack_value {
                self.convert_to_table();
            }
        }
        match self {
            Hash::Listpack(v) => {
                if let Some(slot) = v.iter_mut().find(|(f, _)| *f == field) {
                    slot.1 = value;
                    return false;
                }
                reserve_compact(v);
                v.push((field, value));
                if v.len() > limits.max_listpack_entries {
                    self.convert_to_table();
                }
                true
            }
            Hash::Table(d) => d.insert(field, value).is_none(),
        }
    }

    /// Deletes `field`; true if it was there. The encoding stays.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(v) => match v.iter().position(|(f, _)| f.as_bytes() == field) {
                Some(at) => {
                    // Order-preserving, as deleting from a listpack is.
                    v.remove(at);
                    true
                }
                None => false,
            },
            Hash::Table(d) => d.remove(field).is_some(),
        }
    }

    /// Every (field, value): listpacks in insertion order, tables in table order.
    pub fn iter(&self) -> impl Iterator<Item = (&ByteStr, &ByteStr)> + '_ {
        let (list, table) = match self {
            Hash::Listpack(v) => (Some(v.iter()), None),
            Hash::Table(d) => (None, Some(d.iter())),
        };
        list.into_iter().flatten().map(|(f, x)| (f, x)).chain(table.into_iter().flatten())
    }

    /// One HSCAN step: a table visits the buckets `cursor` names and returns the next cursor; a
    /// listpack visits everything and returns 0, as Valkey does.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(&ByteStr, &ByteStr)) -> u64 {
        match self {
            Hash::Table(d) => d.scan(cursor, visit),
            Hash::Listpack(v) => {
                v.iter().for_each(|(f, x)| visit(f, x));
                0
            }
        }
    }

    /// A uniformly chosen (field, value), `None` when empty.
    pub fn random_entry(&self, rng: &mut SmallRng) -> Option<(&ByteStr, &ByteStr)> {
        if self.is_empty() {
            return None;
        }
        Some(match self {
            Hash::Listpack(v) => {
                let (f, x) = &v[rng.random_range(0..v.len())];
                (f, x)
            }
            Hash::Table(d) => sample::fair_random_entry(d, rng),
        })
    }

    /// `count` distinct entries chosen uniformly (`count` below the size), in random order.
    pub fn random_distinct(&self, count: usize, rng: &mut SmallRng) -> Vec<(&ByteStr, &ByteStr)> {
        match self {
            Hash::Listpack(v) => sample::distinct_indices(v.len(), count, rng)
                .into_iter()
                .map(|i| {
                    let (f, x) = &v[i];
                    (f, x)
                })
                .collect(),
            Hash::Table(d) => sample::dict_distinct(d, count, rng),
        }
    }

    fn convert_to_table(&mut self) {
        if let Hash::Listpack(v) = self {
            let mut d = Box::<Dict<ByteStr, ByteStr>>::default();
            for (f, x) in std::mem::take(v) {
                d.insert_new(f, x);
            }
            *self = Hash::Table(d);
        }
    }
}

impl Clone for Hash {
    fn clone(&self) -> Self {
        match self {
            Hash::Listpack(v) => Hash::Listpack(v.clone()),
            Hash::Table(d) => {
                let mut copy = Box::<Dict<_, _>>::default();
                for (f, x) in d.iter() {
                    copy.insert_new(f.clone(), x.clone());
                }
                Hash::Table(copy)
            }
        }
    }
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.encoding())?;
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn b(s: &str) -> ByteStr {
        ByteStr::from(s)
    }

    #[test]
    fn hash_listpack_keeps_insertion_order_and_updates_in_place() {
        let mut h = Hash::new();
        assert!(h.insert(b("b"), b("1"), HashLimits::default()));
        assert!(h.insert(b("a"), b("2"), HashLimits::default()));
        assert!(!h.insert(b("b"), b("3"), HashLimits::default()));
        let pairs: Vec<_> = h.iter().map(|(f, x)| (f.to_vec(), x.to_vec())).collect();
        assert_eq!(pairs, vec![(b"b".to_vec(), b"3".to_vec()), (b"a".to_vec(), b"2".to_vec())]);
        assert_eq!(h.encoding(), "listpack");
    }

    #[test]
    fn hash_converts_past_entry_limit_and_never_back() {
        let limits = HashLimits { max_listpack_entries: 4, max_listpack_value: 64 };
        let mut h = Hash::new();
        for i in 0..4 {
            h.insert(b(&i.to_string()), b("v"), limits);
        }
        assert_eq!(h.encoding(), "listpack");
        h.insert(b("4"), b("v"), limits);
        assert_eq!(h.encoding(), "hashtable");
        for i in 0..5 {
            assert!(h.remove(i.to_string().as_bytes()));
        }
        assert!(h.is_empty());
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn hash_converts_on_long_field_or_value() {
        let limits = HashLimits::default();
        let mut h = Hash::new();
        h.insert(b("f"), ByteStr::from(vec![b'x'; 64]), limits);
        assert_eq!(h.encoding(), "listpack");
        h.insert(ByteStr::from(vec![b'x'; 65]), b("v"), limits);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"f").map(|v| v.len()), Some(64));
    }

    #[test]
    fn hash_prepare_write_converts_for_many_pairs_or_long_args() {
        let limits = HashLimits::default();
        let mut h = Hash::new();
        h.prepare_write(512, [&b"a"[..]], limits);
        assert_eq!(h.encoding(), "listpack");
        h.prepare_write(513, [&b"a"[..]], limits);
        assert_eq!(h.encoding(), "hashtable");
        let mut h = Hash::new();
        h.prepare_write(1, [&[b'y'; 65][..]], limits);
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn hash_random_distinct_returns_distinct_fields() {
        let mut rng = SmallRng::seed_from_u64(1);
        let mut h = Hash::new();
        for i in 0..300 {
            h.insert(b(&format!("f{i}")), b("v"), HashLimits::default());
        }
        for count in [1, 10, 150, 299] {
            let mut fields: Vec<_> = h.random_distinct(count, &mut rng).into_iter().map(|(f, _)| f.to_vec()).collect();
            fields.sort();
            fields.dedup();
            assert_eq!(fields.len(), count);
        }
    }
}
