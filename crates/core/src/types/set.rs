//! Sets of byte strings, in the three encodings Valkey uses, because memory per key is a feature:
//! - `intset`: a sorted `Vec<i64>` while every member is a canonical integer (what `parse_i64` accepts)
//!   and there are at most `set-max-intset-entries` of them: 8 bytes a member, binary search;
//! - `listpack`: a `Vec<ByteStr>` in insertion order, searched linearly, up to
//!   `set-max-listpack-entries` members of at most `set-max-listpack-value` bytes;
//! - `hashtable`: a [`Dict`], for everything larger (and the only encoding with a real SSCAN cursor).
//!
//! A set only ever moves to a larger encoding as it changes, never back, as in Valkey; the exceptions
//! are new sets built whole (the *STORE results, what SPOP keeps), which [`Set::from_distinct`] and
//! [`Set::pop_many`] give the smallest encoding that fits.

use crate::bytestr::ByteStr;
use crate::dict::Dict;
use crate::num::parse_i64;
use rand::rngs::SmallRng;
use rand::Rng;

/// The encoding thresholds of the `set-max-*` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetLimits {
    /// `set-max-intset-entries`
    pub max_intset_entries: usize,
    /// `set-max-listpack-entries`
    pub max_listpack_entries: usize,
    /// `set-max-listpack-value` (bytes)
    pub max_listpack_value: usize,
}

impl Default for SetLimits {
    /// Valkey's defaults.
    fn default() -> Self {
        SetLimits { max_intset_entries: 512, max_listpack_entries: 128, max_listpack_value: 64 }
    }
}

impl SetLimits {
    /// Valkey caps intsets at 2^30 members whatever the setting says.
    fn intset_cap(&self) -> usize {
        self.max_intset_entries.min(1 << 30)
    }
}

pub enum Set {
    Intset(Vec<i64>),
    Listpack(Vec<ByteStr>),
    /// Boxed: a small set should not pay for the table's header.
    Table(Box<Dict<ByteStr, ()>>),
}

/// A member as a set stores it: intsets hold numbers, the other encodings bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl Member<'_> {
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Member::Int(n) => itoa::Buffer::new().format(n).as_bytes().to_vec(),
            Member::Bytes(b) => b.to_vec(),
        }
    }

    /// Runs `f` on the member's bytes (integers are formatted on the stack).
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(n) => f(itoa::Buffer::new().format(n).as_bytes()),
            Member::Bytes(b) => f(b),
        }
    }
}

impl Default for Set {
    /// An empty intset: what a set whose first member is an integer starts as.
    fn default() -> Self {
        Set::Intset(Vec::new())
    }
}

impl Set {
    pub fn new() -> Self {
        Self::default()
    }

    /// The empty set a key gets before its first members are added, sized by how many are coming
    /// (Valkey's `setTypeCreate`): an intset if `first` is an integer and `size_hint` fits one, else a
    /// listpack if `size_hint` fits one, else a table.
    pub fn for_first_member(first: &[u8], size_hint: usize, limits: SetLimits) -> Set {
        if parse_i64(first).is_some() && size_hint <= limits.intset_cap() {
            Set::Intset(Vec::new())
        } else if size_hint <= limits.max_listpack_entries {
            Set::Listpack(Vec::new())
        } else {
            Set::Table(Box::default())
        }
    }

    /// A set of `members` (distinct) in the smallest encoding that holds them.
    pub fn from_distinct<B: AsRef<[u8]>>(members: impl IntoIterator<Item = B>, limits: SetLimits) -> Set {
        let members: Vec<B> = members.into_iter().collect();
        let ints: Option<Vec<i64>> = if members.len() <= limits.intset_cap() {
            members.iter().map(|m| parse_i64(m.as_ref())).collect()
        } else {
            None
        };
        if let Some(mut ints) = ints {
            ints.sort_unstable();
            ints.dedup();
            return Set::Intset(ints);
        }
        let mut set = if members.len() <= limits.max_listpack_entries
            && members.iter().all(|m| m.as_ref().len() <= limits.max_listpack_value)
        {
            Set::Listpack(Vec::with_capacity(members.len()))
        } else {
            Set::Table(Box::default())
        };
        for m in members {
            set.insert(m.as_ref(), limits);
        }
        set
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(v) => v.len(),
            Set::Listpack(v) => v.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Listpack(_) => "listpack",
            Set::Table(_) => "hashtable",
        }
    }

    /// Approximate heap bytes (MEMORY USAGE).
    pub fn memory_usage(&self) -> usize {
        const NODE: usize = std::mem::size_of::<ByteStr>() + std::mem::size_of::<usize>();
        std::mem::size_of::<Set>()
            + match self {
                Set::Intset(v) => v.capacity() * 8,
                Set::Listpack(v) => {
                    v.capacity() * std::mem::size_of::<ByteStr>() + v.iter().map(|m| m.heap_size()).sum::<usize>()
                }
                Set::Table(d) => {
                    d.bucket_count() * std::mem::size_of::<usize>()
                        + d.iter().map(|(m, _)| NODE + m.heap_size()).sum::<usize>()
                }
            }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        match self {
            Set::Intset(v) => parse_i64(member).is_some_and(|n| v.binary_search(&n).is_ok()),
            Set::Listpack(v) => v.iter().any(|m| m.as_bytes() == member),
            Set::Table(d) => d.contains_key(member),
        }
    }

    /// [`Set::contains`] for a member taken from another set (no formatting when both are intsets).
    pub fn contains_member(&self, member: Member) -> bool {
        match (self, member) {
            (Set::Intset(v), Member::Int(n)) => v.binary_search(&n).is_ok(),
            (_, m) => m.with_bytes(|b| self.contains(b)),
        }
    }

    /// Moves to a table ahead of adding `size_hint` members that would overflow the current encoding
    /// (Valkey's `setTypeMaybeConvert`, run before SADD's loop).
    pub fn grow_for(&mut self, size_hint: usize, limits: SetLimits) {
        let overflow = match self {
            Set::Intset(_) => size_hint > limits.intset_cap(),
            Set::Listpack(_) => size_hint > limits.max_listpack_entries,
            Set::Table(_) => false,
        };
        if overflow {
            self.convert_to_table();
        }
    }

    /// Adds `member`; true if it was not there. Converts the encoding when the member does not fit.
    pub fn insert(&mut self, member: &[u8], limits: SetLimits) -> bool {
        match self {
            Set::Intset(v) => {
                if let Some(n) = parse_i64(member) {
                    let Err(at) = v.binary_search(&n) else {
                        return false;
                    };
                    reserve_compact(v);
                    v.insert(at, n);
                    if v.len() > limits.intset_cap() {
                        self.convert_to_table();
                    }
                    return true;
                }
                // A non-integer: a listpack if everything fits one, as Valkey judges it (the widest
                // integer's digits against the value limit), else a table.
                let widest = match (v.first(), v.last()) {
                    (Some(&lo), Some(&hi)) => decimal_len(lo).max(decimal_len(hi)),
                    _ => 0,
                };
                if v.len() < limits.max_listpack_entries
                    && member.len() <= limits.max_listpack_value
                    && widest <= limits.max_listpack_value
                {
                    self.convert_to_listpack();
                } else {
                    self.convert_to_table();
                }
                self.insert(member, limits)
            }
            Set::Listpack(v) => {
                if v.iter().any(|m| m.as_bytes() == member) {
                    return false;
                }
                if v.len() < limits.max_listpack_entries && member.len() <= limits.max_listpack_value {
                    reserve_compact(v);
                    v.push(ByteStr::from(member));
                    return true;
                }
                self.convert_to_table();
                self.insert(member, limits)
            }
            Set::Table(d) => {
                if d.contains_key(member) {
                    return false;
                }
                d.insert_new(ByteStr::from(member), ());
                true
            }
        }
    }

    /// Removes `member`; true if it was there. The encoding stays.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            Set::Intset(v) => match parse_i64(member).map(|n| v.binary_search(&n)) {
                Some(Ok(at)) => {
                    v.remove(at);
                    true
                }
                _ => false,
            },
            Set::Listpack(v) => match v.iter().position(|m| m.as_bytes() == member) {
                Some(at) => {
                    // Order-preserving, as deleting from a listpack is.
                    v.remove(at);
                    true
                }
                None => false,
            },
            Set::Table(d) => d.remove(member).is_some(),
        }
    }

    /// Every member: intsets in ascending order, listpacks in insertion order, tables in table order.
    pub fn iter(&self) -> impl Iterator<Item = Member<'_>> + '_ {
        let (ints, list, table) = match self {
            Set::Intset(v) => (Some(v.iter()), None, None),
            Set::Listpack(v) => (None, Some(v.iter()), None),
            Set::Table(d) => (None, None, Some(d.iter())),
        };
        ints.into_iter()
            .flatten()
            .map(|&n| Member::Int(n))
            .chain(list.into_iter().flatten().map(|m| Member::Bytes(m.as_bytes())))
            .chain(table.into_iter().flatten().map(|(m, _)| Member::Bytes(m.as_bytes())))
    }

    /// The sorted integers of an intset.
    pub fn as_ints(&self) -> Option<&[i64]> {
        match self {
            Set::Intset(v) => Some(v),
            _ => None,
        }
    }

    /// One SSCAN step: a table visits the buckets `cursor` names and returns the next cursor; the
    /// small encodings visit everything and return 0, as Valkey does.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(Member)) -> u64 {
        match self {
            Set::Table(d) => d.scan(cursor, |m, _| visit(Member::Bytes(m.as_bytes()))),
            _ => {
                self.iter().for_each(visit);
                0
            }
        }
    }

    /// A uniformly chosen member, `None` when empty.
    pub fn random_member(&self, rng: &mut SmallRng) -> Option<Member<'_>> {
        if self.is_empty() {
            return None;
        }
        Some(match self {
            Set::Intset(v) => Member::Int(v[rng.random_range(0..v.len())]),
            Set::Listpack(v) => Member::Bytes(v[rng.random_range(0..v.len())].as_bytes()),
            Set::Table(d) => Member::Bytes(sample::fair_random_entry(d, rng).0.as_bytes()),
        })
    }

    /// `count` distinct members chosen uniformly (`count` below the size), in random order.
    pub fn random_distinct(&self, count: usize, rng: &mut SmallRng) -> Vec<Member<'_>> {
        match self {
            Set::Intset(v) => {
                sample::distinct_indices(v.len(), count, rng).into_iter().map(|i| Member::Int(v[i])).collect()
            }
            Set::Listpack(v) => sample::distinct_indices(v.len(), count, rng)
                .into_iter()
                .map(|i| Member::Bytes(v[i].as_bytes()))
                .collect(),
            Set::Table(d) => {
                sample::dict_distinct(d, count, rng).into_iter().map(|(m, _)| Member::Bytes(m.as_bytes())).collect()
            }
        }
    }

    /// Removes and returns a uniformly chosen member.
    pub fn pop_random(&mut self, rng: &mut SmallRng) -> Option<Vec<u8>> {
        if self.is_empty() {
            return None;
        }
        Some(match self {
            Set::Intset(v) => Member::Int(v.remove(rng.random_range(0..v.len()))).to_vec(),
            Set::Listpack(v) => v.remove(rng.random_range(0..v.len())).into_vec(),
            Set::Table(d) => {
                let key = sample::fair_random_entry(d, rng).0.clone();
                d.remove(&key);
                key.into_vec()
            }
        })
    }

    /// SPOP with a count below the size: removes and returns `count` uniformly chosen members.
    ///
    /// When few members would remain, picking the survivors is cheaper than picking the victims, and
    /// the survivors then form a new set (Valkey's SPOP "case 3"): an intset stays an intset, anything
    /// else becomes a listpack if the survivors fit one.
    pub fn pop_many(&mut self, count: usize, rng: &mut SmallRng, limits: SetLimits) -> Vec<Vec<u8>> {
        let size = self.len();
        debug_assert!(count < size);
        let remaining = size - count;
        if remaining * 5 > count {
            return (0..count).filter_map(|_| self.pop_random(rng)).collect();
        }
        let mut all: Vec<Vec<u8>> = self.iter().map(Member::to_vec).collect();
        sample::partial_shuffle(&mut all, remaining, rng);
        let popped = all.split_off(remaining);
        *self = match self {
            Set::Intset(_) => Set::from_distinct(all, limits),
            _ => {
                let mut kept = Set::Listpack(Vec::with_capacity(all.len()));
                for m in &all {
                    kept.insert(m, limits);
                }
                kept
            }
        };
        popped
    }

    fn convert_to_listpack(&mut self) {
        if let Set::Intset(v) = self {
            *self = Set::Listpack(v.iter().map(|&n| ByteStr::from(Member::Int(n).to_vec())).collect());
        }
    }

    fn convert_to_table(&mut self) {
        if matches!(self, Set::Table(_)) {
            return;
        }
        let mut d = Box::<Dict<ByteStr, ()>>::default();
        for m in self.iter() {
            d.insert_new(ByteStr::from(m.to_vec()), ());
        }
        *self = Set::Table(d);
    }
}

/// Makes room for one more item in a compact encoding, growing by a quarter instead of doubling: most
/// keys hold small collections, and a doubled vector's slack would be a good part of their memory.
pub(crate) fn reserve_compact<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact((v.len() / 4).max(1));
    }
}

/// Characters of `n` in decimal, sign included (Valkey's `sdigits10`).
fn decimal_len(n: i64) -> usize {
    itoa::Buffer::new().format(n).len()
}

impl Clone for Set {
    fn clone(&self) -> Self {
        match self {
            Set::Intset(v) => Set::Intset(v.clone()),
            Set::Listpack(v) => Set::Listpack(v.clone()),
            Set::Table(d) => {
                let mut copy = Box::<Dict<_, _>>::default();
                for (k, _) in d.iter() {
                    copy.insert_new(k.clone(), ());
                }
                Set::Table(copy)
            }
        }
    }
}

impl std::fmt::Debug for Set {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.encoding())?;
        f.debug_set().entries(self.iter().map(|m| String::from_utf8_lossy(&m.to_vec()).into_owned())).finish()
    }
}

/// Uniform random sampling, shared with hashes (HRANDFIELD) and used by SRANDMEMBER and SPOP.
pub(crate) mod sample {
    use crate::bytestr::ByteStr;
    use crate::dict::Dict;
    use rand::rngs::SmallRng;
    use rand::Rng;
    use std::collections::HashSet;

    /// A uniformly chosen entry of a non-empty dict.
    ///
    /// `Dict::random_entry` picks a bucket, then an entry of its chain, so entries sharing a chain are
    /// picked less often; the TCL suite's chi-square checks of SRANDMEMBER and HRANDFIELD notice that.
    /// Here a random SCAN cursor names a group of buckets (one bucket, or while rehashing one bucket
    /// of the smaller table with its images in the larger), every entry is in exactly one group, and
    /// an index drawn below a bound larger than any group picks an entry or nothing (rejection
    /// sampling), which makes every entry equally likely. A group larger than the bound (a freak
    /// chain) is taken whole when met, a bias too rare to matter.
    pub fn fair_random_entry<'d, V>(dict: &'d Dict<ByteStr, V>, rng: &mut SmallRng) -> (&'d ByteStr, &'d V) {
        assert!(!dict.is_empty(), "sampling an empty dict");
        // While rehashing the two table sizes are distinct powers of two: the smaller is the lowest
        // set bit of their sum, and the cursors below it name every group once.
        let buckets = dict.bucket_count();
        let groups = buckets & buckets.wrapping_neg();
        let mask = groups as u64 - 1;
        // Chains rarely reach 12 at the load factors the dict keeps; groups of a table shrinking
        // while it rehashes are large but close to their mean.
        let bound = (4 * dict.len().div_ceil(groups)).max(12);
        let nth = |cursor: u64, n: usize| {
            let mut i = 0;
            let mut chosen = None;
            dict.scan(cursor, |k, _| {
                if i == n {
                    chosen = Some(k.clone());
                }
                i += 1;
            });
            (chosen, i)
        };
        loop {
            let cursor = rng.random::<u64>() & mask;
            let (mut chosen, group) = nth(cursor, rng.random_range(0..bound));
            if group > bound {
                chosen = nth(cursor, rng.random_range(0..group)).0;
            }
            if let Some(key) = chosen {
                return dict.get_key_value(&key).expect("a scanned key is present");
            }
        }
    }

    /// `count` distinct entries of `dict` (`count` below its size), uniformly, in random order.
    pub fn dict_distinct<'d, V>(
        dict: &'d Dict<ByteStr, V>,
        count: usize,
        rng: &mut SmallRng,
    ) -> Vec<(&'d ByteStr, &'d V)> {
        let size = dict.len();
        if count * 3 > size {
            // Asking for most of it: shuffle the whole thing.
            let mut all: Vec<(&ByteStr, &V)> = dict.iter().collect();
            partial_shuffle(&mut all, count, rng);
            all.truncate(count);
            return all;
        }
        let mut seen: HashSet<&[u8]> = HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let (k, v) = fair_random_entry(dict, rng);
            if seen.insert(k.as_bytes()) {
                out.push((k, v));
            }
        }
        out
    }

    /// `count` distinct indices below `size` (`count` at most `size`), uniformly, in random order.
    pub fn distinct_indices(size: usize, count: usize, rng: &mut SmallRng) -> Vec<usize> {
        if count * 3 > size {
            let mut all: Vec<usize> = (0..size).collect();
            partial_shuffle(&mut all, count, rng);
            all.truncate(count);
            return all;
        }
        let mut seen = HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let i = rng.random_range(0..size);
            if seen.insert(i) {
                out.push(i);
            }
        }
        out
    }

    /// Moves `count` uniformly chosen items, in random order, to the front (Fisher-Yates, stopped early).
    pub fn partial_shuffle<T>(items: &mut [T], count: usize, rng: &mut SmallRng) {
        let len = items.len();
        for i in 0..count.min(len) {
            let j = rng.random_range(i..len);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::collections::HashMap;

    fn limits() -> SetLimits {
        SetLimits::default()
    }

    #[test]
    fn set_header_is_small() {
        assert!(std::mem::size_of::<Set>() <= 32);
        assert!(std::mem::size_of::<crate::types::Hash>() <= 32);
    }

    #[test]
    fn set_integers_stay_intset_sorted_until_the_entry_limit() {
        let mut s = Set::new();
        for n in (0..512).rev() {
            assert!(s.insert(n.to_string().as_bytes(), limits()));
        }
        assert_eq!(s.encoding(), "intset");
        assert_eq!(s.iter().next(), Some(Member::Int(0)));
        assert!(!s.insert(b"7", limits()));
        assert!(s.insert(b"512", limits()));
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(s.len(), 513);
        assert!(s.contains(b"511"));
    }

    #[test]
    fn set_non_canonical_integer_is_a_string() {
        let mut s = Set::new();
        s.insert(b"1", limits());
        s.insert(b"01", limits());
        assert_eq!(s.encoding(), "listpack");
        assert!(s.contains(b"1") && s.contains(b"01") && !s.contains(b"001"));
    }

    #[test]
    fn set_intset_gets_a_string_as_listpack_or_table_by_size() {
        let mut small = Set::from_distinct(["1", "2", "3"], limits());
        small.insert(b"a", limits());
        assert_eq!(small.encoding(), "listpack");
        let mut large = Set::from_distinct((0..128).map(|n| n.to_string()), limits());
        assert_eq!(large.encoding(), "intset");
        large.insert(b"a", limits());
        assert_eq!(large.encoding(), "hashtable");
        let mut long = Set::from_distinct(["1"], limits());
        long.insert(&[b'x'; 65], limits());
        assert_eq!(long.encoding(), "hashtable");
    }

    #[test]
    fn set_listpack_grows_into_table_past_entries_or_value_limit() {
        let mut s = Set::for_first_member(b"a", 1, limits());
        for i in 0..128 {
            s.insert(format!("m{i}").as_bytes(), limits());
        }
        assert_eq!((s.encoding(), s.len()), ("listpack", 128));
        s.insert(b"one-more", limits());
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.remove(b"one-more"));
        assert_eq!(s.encoding(), "hashtable", "conversions only grow");
    }

    #[test]
    fn set_from_distinct_picks_the_smallest_encoding() {
        assert_eq!(Set::from_distinct(["3", "-1"], limits()).encoding(), "intset");
        assert_eq!(Set::from_distinct(["3", "a"], limits()).encoding(), "listpack");
        assert_eq!(Set::from_distinct((0..600).map(|n| n.to_string()), limits()).encoding(), "hashtable");
        assert_eq!(Set::from_distinct((0..200).map(|n| format!("m{n}")), limits()).encoding(), "hashtable");
    }

    #[test]
    fn set_pop_many_keeps_the_rest_and_loses_nothing() {
        let mut rng = SmallRng::seed_from_u64(3);
        for (members, count) in [
            ((0..20).map(|n| n.to_string()).collect::<Vec<_>>(), 18),
            ((0..300).map(|n| format!("m{n}")).collect(), 290),
        ] {
            let mut s = Set::from_distinct(&members, limits());
            let popped = s.pop_many(count, &mut rng, limits());
            assert_eq!(popped.len(), count);
            assert_eq!(s.len(), members.len() - count);
            let mut all: Vec<Vec<u8>> = popped.into_iter().chain(s.iter().map(Member::to_vec)).collect();
            all.sort();
            let mut expected: Vec<Vec<u8>> = members.iter().map(|m| m.as_bytes().to_vec()).collect();
            expected.sort();
            assert_eq!(all, expected);
        }
    }

    #[test]
    fn set_table_random_member_is_uniform_despite_chains() {
        let mut rng = SmallRng::seed_from_u64(9);
        let s = Set::from_distinct((0..200).map(|n| format!("member:{n}")), limits());
        assert_eq!(s.encoding(), "hashtable");
        let mut hits: HashMap<Vec<u8>, usize> = HashMap::new();
        let draws = 200_000;
        for _ in 0..draws {
            *hits.entry(s.random_member(&mut rng).unwrap().to_vec()).or_default() += 1;
        }
        assert_eq!(hits.len(), 200);
        let expected = draws as f64 / 200.0;
        let chi2: f64 = hits.values().map(|&h| (h as f64 - expected).powi(2) / expected).sum();
        // df = 199: the 99.999th percentile is about 290.
        assert!(chi2 < 290.0, "chi-square {chi2}");
    }

    #[test]
    fn set_table_random_member_is_uniform_while_shrinking_and_sparse() {
        let mut rng = SmallRng::seed_from_u64(11);
        for (size, keep) in [(2000, 30), (3000, 400), (1000, 1000)] {
            let mut s = Set::from_distinct((0..size).map(|n| format!("m:{n}")), limits());
            for n in keep..size {
                s.remove(format!("m:{n}").as_bytes());
            }
            let mut hits: HashMap<Vec<u8>, usize> = HashMap::new();
            let draws = keep * 100;
            for _ in 0..draws {
                *hits.entry(s.random_member(&mut rng).unwrap().to_vec()).or_default() += 1;
            }
            assert_eq!(hits.len(), keep);
            let chi2: f64 = hits.values().map(|&h| (h as f64 - 100.0).powi(2) / 100.0).sum();
            // Mean keep - 1, standard deviation about sqrt(2 * keep): allow six of them.
            let limit = keep as f64 + 6.0 * (2.0 * keep as f64).sqrt();
            assert!(chi2 < limit, "size {size} keep {keep}: chi-square {chi2} over {limit}");
        }
    }

    #[test]
    fn set_distinct_samples_are_distinct_members() {
        let mut rng = SmallRng::seed_from_u64(5);
        for set in [
            Set::from_distinct((0..50).map(|n| n.to_string()), limits()),
            Set::from_distinct((0..500).map(|n| format!("x{n}")), limits()),
        ] {
            for count in [1, 5, 20, 45] {
                let picked = set.random_distinct(count, &mut rng);
                let unique: std::collections::HashSet<Vec<u8>> = picked.iter().map(|m| m.to_vec()).collect();
                assert_eq!(unique.len(), count);
                assert!(picked.iter().all(|m| set.contains_member(*m)));
            }
        }
    }
}
