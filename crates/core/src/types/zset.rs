//! Sorted sets: unique members, each with a score, ordered by (score, member bytes).
//!
//! Two encodings, as in Valkey's `t_zset.c`, and `OBJECT ENCODING` reports which one a set uses:
//! - `listpack`: a sorted `Vec<(score, member)>` scanned linearly, for small sets (at most
//!   `zset-max-listpack-entries` members, none longer than `zset-max-listpack-value` bytes);
//! - `skiplist`: a [`Dict`] member → score (O(1) ZSCORE, ZSCAN's cursor) plus a [`SkipList`] for
//!   order and ranks.
//!
//! A set converts to `skiplist` once it outgrows the limits and never back on its own; only the
//! commands that build a new set (ZUNIONSTORE & co, ZRANGESTORE) pick the compact one again, as
//! Valkey does. Scores compare with IEEE `<`/`==` (so `-0` and `0` tie and the member decides);
//! NaN is never stored.

use crate::bytestr::ByteStr;
use crate::dict::Dict;
use crate::types::skiplist::{self, LexRange, ScoreRange, SkipList};
use std::cmp::Ordering;

/// `zset-max-listpack-entries` and `zset-max-listpack-value`: the largest set (members, bytes per
/// member) that stays in the compact encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListpackLimits {
    pub max_entries: usize,
    pub max_value: usize,
}

impl Default for ListpackLimits {
    /// Valkey's defaults, 128 members of up to 64 bytes.
    fn default() -> Self {
        ListpackLimits { max_entries: 128, max_value: 64 }
    }
}

/// ZADD's options, as `zsetAdd` takes them. NX/XX/GT/LT compatibility is the command's to check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddFlags {
    /// Add the score to the current one (0 for a new member).
    pub incr: bool,
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Only update when the new score is greater.
    pub gt: bool,
    /// Only update when the new score is less.
    pub lt: bool,
}

/// What [`ZSet::add`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    Added,
    /// An existing member got a different score.
    Updated,
    /// An existing member kept its score (same score, or a zero increment).
    Unchanged,
    /// NX, XX, GT or LT ruled the change out.
    NotPerformed,
}

/// The score (or the score after the increment) is NaN; nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("resulting score is not a number (NaN)")]
pub struct NanScore;

/// Which end ZPOPMIN/ZPOPMAX take from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Min,
    Max,
}

#[derive(Debug, Clone)]
pub struct ZSet {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    /// Sorted by (score, member); members unique.
    Listpack(Vec<(f64, ByteStr)>),
    Skiplist(Box<Indexed>),
}

/// The large encoding: the same elements indexed twice. Each member's bytes are held by both
/// structures (Valkey shares one sds between them); the skiplist's arena owns its own copies.
#[derive(Debug)]
struct Indexed {
    scores: Dict<ByteStr, f64>,
    order: SkipList,
}

/// Level heights only shape the skiplist's speed, never what it answers; one fixed seed keeps runs
/// reproducible.
const SKIPLIST_SEED: u64 = 0x007a_5e75_ca1e;

impl Indexed {
    fn new() -> Indexed {
        Indexed { scores: Dict::new(), order: SkipList::new(SKIPLIST_SEED) }
    }

    fn insert(&mut self, score: f64, member: &[u8]) {
        self.order.insert(score, member.to_vec());
        self.scores.insert_new(ByteStr::new(member), score);
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (_, score) = self.scores.remove(member)?;
        let removed = self.order.remove(score, member);
        debug_assert!(removed, "dict and skiplist disagree");
        Some(score)
    }

    /// Drops from the dict what the skiplist already removed.
    fn forget(&mut self, removed: &[(f64, Vec<u8>)]) {
        for (_, member) in removed {
            self.scores.remove(member);
        }
    }
}

impl Clone for Indexed {
    fn clone(&self) -> Self {
        let mut scores = Dict::new();
        for (member, score) in self.scores.iter() {
            scores.insert_new(member.clone(), *score);
        }
        Indexed { scores, order: self.order.clone() }
    }
}

impl Default for ZSet {
    fn default() -> Self {
        Self::new()
    }
}

/// (score, member) set order, with C's comparisons on scores.
fn cmp_entry(a_score: f64, a_member: &[u8], b_score: f64, b_member: &[u8]) -> Ordering {
    if a_score < b_score {
        Ordering::Less
    } else if a_score > b_score {
        Ordering::Greater
    } else {
        a_member.cmp(b_member)
    }
}

impl ZSet {
    /// An empty set in the compact encoding.
    pub fn new() -> ZSet {
        ZSet { repr: Repr::Listpack(Vec::new()) }
    }

    /// An empty set in the encoding Valkey's `zsetTypeCreate` picks for about `size_hint` members
    /// of up to `value_len_hint` bytes.
    pub fn with_hints(size_hint: usize, value_len_hint: usize, limits: ListpackLimits) -> ZSet {
        if size_hint <= limits.max_entries && value_len_hint <= limits.max_value {
            ZSet { repr: Repr::Listpack(Vec::with_capacity(size_hint.min(limits.max_entries))) }
        } else {
            ZSet { repr: Repr::Skiplist(Box::new(Indexed::new())) }
        }
    }

    /// Converts a compact set that is about to receive `size_hint` members of up to
    /// `value_len_hint` bytes when that could not fit (`zsetTypeMaybeConvert`).
    pub fn prepare_for(&mut self, size_hint: usize, value_len_hint: usize, limits: ListpackLimits) {
        if self.is_listpack() && (size_hint > limits.max_entries || value_len_hint > limits.max_value) {
            self.convert_to_skiplist();
        }
    }

    /// Moves a large set back to the compact encoding if it fits the limits
    /// (`zsetConvertToListpackIfNeeded`, for sets built by ZUNIONSTORE and friends).
    pub fn compact_if_fits(&mut self, limits: ListpackLimits) {
        let Repr::Skiplist(big) = &self.repr else {
            return;
        };
        if big.order.len() > limits.max_entries || big.order.iter().any(|(_, m)| m.len() > limits.max_value) {
            return;
        }
        let items = big.order.iter().map(|(s, m)| (s, ByteStr::new(m))).collect();
        self.repr = Repr::Listpack(items);
    }

    /// Switches to the dict + skiplist encoding (a no-op when already there).
    pub fn convert_to_skiplist(&mut self) {
        let Repr::Listpack(items) = &mut self.repr else {
            return;
        };
        let mut big = Indexed::new();
        // Insert from the highest element down: each insert then stops at the head of the list.
        for (score, member) in std::mem::take(items).into_iter().rev() {
            big.order.insert(score, member.to_vec());
            big.scores.insert_new(member, score);
        }
        self.repr = Repr::Skiplist(Box::new(big));
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(items) => items.len(),
            Repr::Skiplist(big) => big.order.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Skiplist(_) => "skiplist",
        }
    }

    /// Approximate heap bytes (MEMORY USAGE).
    pub fn memory_usage(&self) -> usize {
        match &self.repr {
            Repr::Listpack(items) => {
                items.capacity() * std::mem::size_of::<(f64, ByteStr)>()
                    + items.iter().map(|(_, m)| m.heap_size()).sum::<usize>()
            }
            Repr::Skiplist(big) => {
                // A dict entry is one boxed node (key, value, next) plus its bucket slot.
                let node = std::mem::size_of::<ByteStr>() + std::mem::size_of::<f64>() + std::mem::size_of::<usize>();
                let dict = big.scores.len() * node
                    + big.scores.bucket_count() * std::mem::size_of::<usize>()
                    + big.scores.iter().map(|(m, _)| m.heap_size()).sum::<usize>();
                std::mem::size_of::<Indexed>() + dict + big.order.heap_size_bytes()
            }
        }
    }

    fn listpack_find(items: &[(f64, ByteStr)], member: &[u8]) -> Option<usize> {
        items.iter().position(|(_, m)| m.as_bytes() == member)
    }

    fn listpack_insert(items: &mut Vec<(f64, ByteStr)>, score: f64, member: &[u8]) {
        // Valkey's listpack stores whole-number scores as integers, so -0 reads back as 0.
        let score = if score == 0.0 { 0.0 } else { score };
        let at = items.partition_point(|(s, m)| cmp_entry(*s, m, score, member) == Ordering::Less);
        items.insert(at, (score, ByteStr::new(member)));
    }

    /// The member's score.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Listpack(items) => Self::listpack_find(items, member).map(|i| items[i].0),
            Repr::Skiplist(big) => big.scores.get(member).copied(),
        }
    }

    /// Adds `member` or changes its score under `flags`, as Valkey's `zsetAdd`; returns what
    /// happened and the member's score afterwards (the incremented one with INCR; meaningless
    /// when nothing was performed). May convert the set to `skiplist` first.
    pub fn add(
        &mut self,
        score: f64,
        member: &[u8],
        flags: AddFlags,
        limits: ListpackLimits,
    ) -> Result<(AddOutcome, f64), NanScore> {
        if score.is_nan() {
            return Err(NanScore);
        }
        let current = self.score(member);
        let Some(current) = current else {
            if flags.xx {
                return Ok((AddOutcome::NotPerformed, score));
            }
            if let Repr::Listpack(items) = &self.repr {
                if items.len() + 1 > limits.max_entries || member.len() > limits.max_value {
                    self.convert_to_skiplist();
                }
            }
            match &mut self.repr {
                Repr::Listpack(items) => Self::listpack_insert(items, score, member),
                Repr::Skiplist(big) => big.insert(score, member),
            }
            return Ok((AddOutcome::Added, score));
        };
        if flags.nx {
            return Ok((AddOutcome::NotPerformed, score));
        }
        let mut new = score;
        if flags.incr {
            new += current;
            if new.is_nan() {
                return Err(NanScore);
            }
        }
        if (flags.lt && new >= current) || (flags.gt && new <= current) {
            return Ok((AddOutcome::NotPerformed, new));
        }
        if new == current {
            return Ok((AddOutcome::Unchanged, new));
        }
        match &mut self.repr {
            Repr::Listpack(items) => {
                let i = Self::listpack_find(items, member).expect("scored above");
                items.remove(i);
                Self::listpack_insert(items, new, member);
            }
            Repr::Skiplist(big) => {
                big.order.update_score(current, member, new);
                *big.scores.get_mut(member).expect("scored above") = new;
            }
        }
        Ok((AddOutcome::Updated, new))
    }

    /// Inserts a member the caller knows is absent, with a non-NaN score (building result sets).
    pub fn insert_new(&mut self, score: f64, member: &[u8], limits: ListpackLimits) {
        let done = self.add(score, member, AddFlags::default(), limits);
        debug_assert_eq!(done.map(|(o, _)| o), Ok(AddOutcome::Added));
    }

    /// Removes `member`; false if it was not there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Listpack(items) => match Self::listpack_find(items, member) {
                Some(i) => {
                    items.remove(i);
                    true
                }
                None => false,
            },
            Repr::Skiplist(big) => big.remove(member).is_some(),
        }
    }

    /// The member's 0-based rank in ascending order, with its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        match &self.repr {
            Repr::Listpack(items) => Self::listpack_find(items, member).map(|i| (i, items[i].0)),
            Repr::Skiplist(big) => {
                let score = *big.scores.get(member)?;
                big.order.rank(score, member).map(|r| (r, score))
            }
        }
    }

    /// The element at 0-based ascending `rank`.
    pub fn get_by_rank(&self, rank: usize) -> Option<(f64, &[u8])> {
        match &self.repr {
            Repr::Listpack(items) => items.get(rank).map(|(s, m)| (*s, m.as_bytes())),
            Repr::Skiplist(big) => big.order.get_by_rank(rank),
        }
    }

    /// Every element in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0)
    }

    /// Ascending from `rank` to the highest element.
    pub fn iter_from(&self, rank: usize) -> Iter<'_> {
        match &self.repr {
            Repr::Listpack(items) => Iter::Listpack(items.get(rank..).unwrap_or_default().iter()),
            Repr::Skiplist(big) => Iter::Skiplist(big.order.iter_from_rank(rank)),
        }
    }

    /// Descending from `rank` down to the lowest element.
    pub fn rev_iter_from(&self, rank: usize) -> Iter<'_> {
        match &self.repr {
            Repr::Listpack(items) => {
                let end = if rank < items.len() { rank + 1 } else { 0 };
                Iter::ListpackRev(items[..end].iter().rev())
            }
            Repr::Skiplist(big) => Iter::SkiplistRev(big.order.rev_iter_from_rank(rank)),
        }
    }

    /// Rank of the lowest element whose score is in `range`.
    pub fn first_in_score_range(&self, range: &ScoreRange) -> Option<usize> {
        match &self.repr {
            Repr::Listpack(items) => {
                if range.is_empty() {
                    return None;
                }
                let i = items.partition_point(|(s, _)| !range.meets_min(*s));
                (i < items.len() && range.meets_max(items[i].0)).then_some(i)
            }
            Repr::Skiplist(big) => big.order.first_in_score_range(range),
        }
    }

    /// Rank of the highest element whose score is in `range`.
    pub fn last_in_score_range(&self, range: &ScoreRange) -> Option<usize> {
        match &self.repr {
            Repr::Listpack(items) => {
                if range.is_empty() {
                    return None;
                }
                let i = items.partition_point(|(s, _)| range.meets_max(*s));
                (i > 0 && range.meets_min(items[i - 1].0)).then(|| i - 1)
            }
            Repr::Skiplist(big) => big.order.last_in_score_range(range),
        }
    }

    /// Rank of the first element in `range` by member. The compact encoding scans in list order as
    /// Valkey's listpack code does; both assume equal scores, as ZRANGEBYLEX documents.
    pub fn first_in_lex_range(&self, range: &LexRange) -> Option<usize> {
        match &self.repr {
            Repr::Listpack(items) => {
                if !Self::listpack_may_hold_lex(items, range) {
                    return None;
                }
                let i = items.iter().position(|(_, m)| range.meets_min(m))?;
                range.meets_max(&items[i].1).then_some(i)
            }
            Repr::Skiplist(big) => big.order.first_in_lex_range(range),
        }
    }

    /// Rank of the last element in `range` by member (see [`ZSet::first_in_lex_range`]).
    pub fn last_in_lex_range(&self, range: &LexRange) -> Option<usize> {
        match &self.repr {
            Repr::Listpack(items) => {
                if !Self::listpack_may_hold_lex(items, range) {
                    return None;
                }
                let i = items.iter().rposition(|(_, m)| range.meets_max(m))?;
                range.meets_min(&items[i].1).then_some(i)
            }
            Repr::Skiplist(big) => big.order.last_in_lex_range(range),
        }
    }

    /// Valkey's `zzlIsInLexRange`: a non-empty range, the last member not below it, the first not
    /// above it.
    fn listpack_may_hold_lex(items: &[(f64, ByteStr)], range: &LexRange) -> bool {
        match (items.first(), items.last()) {
            (Some(first), Some(last)) => !range.is_empty() && range.meets_min(&last.1) && range.meets_max(&first.1),
            _ => false,
        }
    }

    /// ZCOUNT.
    pub fn count_in_score_range(&self, range: &ScoreRange) -> usize {
        match (self.first_in_score_range(range), self.last_in_score_range(range)) {
            (Some(first), Some(last)) if last >= first => last - first + 1,
            _ => 0,
        }
    }

    /// ZLEXCOUNT: from the first member in range, those that do not pass its max.
    pub fn count_in_lex_range(&self, range: &LexRange) -> usize {
        match &self.repr {
            Repr::Listpack(items) => match self.first_in_lex_range(range) {
                Some(first) => items[first..].iter().take_while(|(_, m)| range.meets_max(m)).count(),
                None => 0,
            },
            Repr::Skiplist(big) => big.order.count_in_lex_range(range),
        }
    }

    /// Removes ranks `start..=end` (`end` clamped to the last rank); returns how many went.
    pub fn remove_range_by_rank(&mut self, start: usize, end: usize) -> usize {
        match &mut self.repr {
            Repr::Listpack(items) => {
                if start >= items.len() || start > end {
                    return 0;
                }
                let end = end.min(items.len() - 1);
                items.drain(start..=end).count()
            }
            Repr::Skiplist(big) => {
                let removed = big.order.remove_range_by_rank(start, end);
                big.forget(&removed);
                removed.len()
            }
        }
    }

    /// ZREMRANGEBYSCORE; returns how many went.
    pub fn remove_range_by_score(&mut self, range: &ScoreRange) -> usize {
        match &mut self.repr {
            Repr::Listpack(items) => {
                if range.is_empty() {
                    return 0;
                }
                let start = items.partition_point(|(s, _)| !range.meets_min(*s));
                let run = items[start..].iter().take_while(|(s, _)| range.meets_max(*s)).count();
                items.drain(start..start + run).count()
            }
            Repr::Skiplist(big) => {
                let removed = big.order.remove_range_by_score(range);
                big.forget(&removed);
                removed.len()
            }
        }
    }

    /// ZREMRANGEBYLEX: from the first member in range, those that do not pass its max.
    pub fn remove_range_by_lex(&mut self, range: &LexRange) -> usize {
        let first = self.first_in_lex_range(range);
        match &mut self.repr {
            Repr::Listpack(items) => {
                let Some(start) = first else { return 0 };
                let run = items[start..].iter().take_while(|(_, m)| range.meets_max(m)).count();
                items.drain(start..start + run).count()
            }
            Repr::Skiplist(big) => {
                let removed = big.order.remove_range_by_lex(range);
                big.forget(&removed);
                removed.len()
            }
        }
    }

    /// Removes and returns the lowest or highest element.
    pub fn pop(&mut self, end: End) -> Option<(f64, Vec<u8>)> {
        let rank = match end {
            End::Min => 0,
            End::Max => self.len().checked_sub(1)?,
        };
        match &mut self.repr {
            Repr::Listpack(items) => {
                if items.is_empty() {
                    return None;
                }
                let (score, member) = items.remove(rank);
                Some((score, member.into_vec()))
            }
            Repr::Skiplist(big) => {
                let popped = big.order.remove_range_by_rank(rank, rank);
                big.forget(&popped);
                popped.into_iter().next()
            }
        }
    }

    /// One ZSCAN step. The compact encoding visits everything and returns cursor 0, as Valkey;
    /// the large one scans its dict with the reverse-binary cursor.
    pub fn scan(&self, cursor: u64, mut visit: impl FnMut(&[u8], f64)) -> u64 {
        match &self.repr {
            Repr::Listpack(items) => {
                for (score, member) in items {
                    visit(member, *score);
                }
                0
            }
            Repr::Skiplist(big) => big.scores.scan(cursor, |member, score| visit(member, *score)),
        }
    }
}

/// Elements in one direction, from [`ZSet::iter_from`] or [`ZSet::rev_iter_from`].
pub enum Iter<'a> {
    Listpack(std::slice::Iter<'a, (f64, ByteStr)>),
    ListpackRev(std::iter::Rev<std::slice::Iter<'a, (f64, ByteStr)>>),
    Skiplist(skiplist::Iter<'a>),
    SkiplistRev(skiplist::RevIter<'a>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (f64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack(it) => it.next().map(|(s, m)| (*s, m.as_bytes())),
            Iter::ListpackRev(it) => it.next().map(|(s, m)| (*s, m.as_bytes())),
            Iter::Skiplist(it) => it.next(),
            Iter::SkiplistRev(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Listpack(it) => it.size_hint(),
            Iter::ListpackRev(it) => it.size_hint(),
            Iter::Skiplist(it) => it.size_hint(),
            Iter::SkiplistRev(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SMALL: ListpackLimits = ListpackLimits { max_entries: 128, max_value: 64 };
    const HUGE: ListpackLimits = ListpackLimits { max_entries: usize::MAX, max_value: usize::MAX };

    fn both() -> [ZSet; 2] {
        let mut big = ZSet::new();
        big.convert_to_skiplist();
        [ZSet::new(), big]
    }

    fn members(zs: &ZSet) -> Vec<(f64, Vec<u8>)> {
        zs.iter().map(|(s, m)| (s, m.to_vec())).collect()
    }

    fn flags(f: impl FnOnce(&mut AddFlags)) -> AddFlags {
        let mut flags = AddFlags::default();
        f(&mut flags);
        flags
    }

    #[test]
    fn add_flags_follow_zset_add() {
        for mut zs in both() {
            let enc = zs.encoding();
            assert_eq!(zs.add(1.0, b"a", AddFlags::default(), HUGE), Ok((AddOutcome::Added, 1.0)), "{enc}");
            assert_eq!(zs.add(1.0, b"a", AddFlags::default(), HUGE), Ok((AddOutcome::Unchanged, 1.0)));
            assert_eq!(zs.add(2.0, b"a", flags(|f| f.nx = true), HUGE), Ok((AddOutcome::NotPerformed, 2.0)));
            assert_eq!(zs.add(2.0, b"b", flags(|f| f.xx = true), HUGE).map(|r| r.0), Ok(AddOutcome::NotPerformed));
            assert_eq!(zs.add(0.5, b"a", flags(|f| f.gt = true), HUGE).map(|r| r.0), Ok(AddOutcome::NotPerformed));
            assert_eq!(zs.add(3.0, b"a", flags(|f| f.gt = true), HUGE), Ok((AddOutcome::Updated, 3.0)));
            assert_eq!(zs.add(4.0, b"a", flags(|f| f.lt = true), HUGE).map(|r| r.0), Ok(AddOutcome::NotPerformed));
            assert_eq!(zs.add(2.0, b"a", flags(|f| f.incr = true), HUGE), Ok((AddOutcome::Updated, 5.0)));
            assert_eq!(zs.add(f64::NAN, b"a", AddFlags::default(), HUGE), Err(NanScore));
            zs.add(f64::INFINITY, b"i", AddFlags::default(), HUGE).unwrap();
            assert_eq!(zs.add(f64::NEG_INFINITY, b"i", flags(|f| f.incr = true), HUGE), Err(NanScore));
            assert_eq!(zs.score(b"i"), Some(f64::INFINITY));
            assert_eq!(zs.len(), 2);
            assert_eq!(zs.encoding(), enc, "no conversion with huge limits");
        }
    }

    #[test]
    fn negative_zero_ties_with_zero_and_member_decides() {
        for mut zs in both() {
            zs.add(0.0, b"b", AddFlags::default(), HUGE).unwrap();
            zs.add(-0.0, b"a", AddFlags::default(), HUGE).unwrap();
            zs.add(0.0, b"c", AddFlags::default(), HUGE).unwrap();
            let order: Vec<_> = zs.iter().map(|(_, m)| m.to_vec()).collect();
            assert_eq!(order, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
            // Same score by IEEE equality: nothing changes. The listpack stores -0 as the integer 0
            // (as Valkey's does); the skiplist keeps the double's sign.
            assert_eq!(zs.add(0.0, b"a", AddFlags::default(), HUGE).map(|r| r.0), Ok(AddOutcome::Unchanged));
            assert_eq!(zs.score(b"a").unwrap().is_sign_negative(), !zs.is_listpack());
        }
    }

    #[test]
    fn listpack_converts_past_entries_or_value_limit() {
        let limits = ListpackLimits { max_entries: 2, max_value: 3 };
        let mut zs = ZSet::new();
        zs.add(1.0, b"a", AddFlags::default(), limits).unwrap();
        zs.add(2.0, b"b", AddFlags::default(), limits).unwrap();
        assert_eq!(zs.encoding(), "listpack");
        zs.add(3.0, b"c", AddFlags::default(), limits).unwrap();
        assert_eq!(zs.encoding(), "skiplist");
        assert_eq!(members(&zs), [(1.0, b"a".to_vec()), (2.0, b"b".to_vec()), (3.0, b"c".to_vec())]);

        let mut zs = ZSet::new();
        zs.add(1.0, b"abcd", flags(|f| f.xx = true), limits).unwrap();
        assert_eq!(zs.encoding(), "listpack", "XX adds nothing, so nothing converts");
        zs.add(1.0, b"abcd", AddFlags::default(), limits).unwrap();
        assert_eq!(zs.encoding(), "skiplist");
    }

    #[test]
    fn hints_pick_the_encoding_like_zset_type_create() {
        assert_eq!(ZSet::with_hints(128, 64, SMALL).encoding(), "listpack");
        assert_eq!(ZSet::with_hints(129, 1, SMALL).encoding(), "skiplist");
        assert_eq!(ZSet::with_hints(1, 65, SMALL).encoding(), "skiplist");
        let mut zs = ZSet::new();
        zs.prepare_for(129, 0, SMALL);
        assert_eq!(zs.encoding(), "skiplist");
    }

    #[test]
    fn compact_if_fits_returns_small_sets_to_listpack() {
        let mut zs = ZSet::with_hints(1000, 0, SMALL);
        for (i, m) in [b"x", b"y", b"z"].iter().enumerate() {
            zs.insert_new(i as f64, *m, SMALL);
        }
        assert_eq!(zs.encoding(), "skiplist");
        zs.compact_if_fits(ListpackLimits { max_entries: 2, max_value: 64 });
        assert_eq!(zs.encoding(), "skiplist");
        zs.compact_if_fits(SMALL);
        assert_eq!(zs.encoding(), "listpack");
        assert_eq!(zs.rank(b"z"), Some((2, 2.0)));
    }

    #[test]
    fn pops_ranges_and_removals_on_both_encodings() {
        for mut zs in both() {
            for (i, m) in ["a", "b", "c", "d", "e"].iter().enumerate() {
                zs.insert_new(i as f64, m.as_bytes(), HUGE);
            }
            assert_eq!(zs.pop(End::Min), Some((0.0, b"a".to_vec())));
            assert_eq!(zs.pop(End::Max), Some((4.0, b"e".to_vec())));
            assert_eq!(zs.remove_range_by_rank(1, 100), 2);
            assert_eq!(members(&zs), [(1.0, b"b".to_vec())]);
            assert!(zs.remove(b"b"));
            assert!(!zs.remove(b"b"));
            assert_eq!(zs.pop(End::Max), None);
            assert!(zs.is_empty());
        }
    }

    #[test]
    fn clone_is_independent() {
        for mut zs in both() {
            zs.insert_new(1.0, b"a", HUGE);
            let copy = zs.clone();
            zs.insert_new(2.0, b"b", HUGE);
            assert_eq!(copy.len(), 1);
            assert_eq!(copy.encoding(), zs.encoding());
            assert_eq!(copy.score(b"a"), Some(1.0));
        }
    }

    #[test]
    fn scan_visits_every_member_once_across_calls() {
        let mut zs = ZSet::new();
        zs.convert_to_skiplist();
        for i in 0..300 {
            zs.insert_new(i as f64, format!("m{i}").as_bytes(), HUGE);
        }
        let mut seen = std::collections::BTreeMap::new();
        let mut cursor = 0;
        loop {
            cursor = zs.scan(cursor, |m, s| {
                *seen.entry(m.to_vec()).or_insert(0) += 1;
                assert_eq!(zs.score(m), Some(s));
            });
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 300);
        assert!(seen.values().all(|&n| n == 1));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(f64, u8, AddFlags),
        Remove(u8),
        RemoveRank(usize, usize),
        RemoveScore(f64, f64, bool),
        Pop(bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        let score = prop_oneof![(-4i32..4).prop_map(|s| s as f64 / 2.0), Just(f64::INFINITY), Just(f64::NEG_INFINITY)];
        let flags = (any::<bool>(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(|(incr, nx, xx, gtlt)| AddFlags {
            incr,
            nx: nx && !xx && gtlt == 0,
            xx,
            gt: gtlt == 1,
            lt: gtlt == 2,
        });
        prop_oneof![
            4 => (score.clone(), 0u8..16, flags).prop_map(|(s, m, f)| Op::Add(s, m, f)),
            1 => (0u8..16).prop_map(Op::Remove),
            1 => (0usize..8, 0usize..8).prop_map(|(a, b)| Op::RemoveRank(a, b)),
            1 => (score.clone(), score, any::<bool>()).prop_map(|(a, b, x)| Op::RemoveScore(a, b, x)),
            1 => any::<bool>().prop_map(Op::Pop),
        ]
    }

    proptest! {
        #[test]
        fn encodings_answer_alike(ops in proptest::collection::vec(op(), 1..120)) {
            let [mut small, mut big] = both();
            for op in ops {
                let (a, b) = match &op {
                    Op::Add(s, m, f) => {
                        let m = [b'm', *m];
                        (format!("{:?}", small.add(*s, &m, *f, HUGE)), format!("{:?}", big.add(*s, &m, *f, HUGE)))
                    }
                    Op::Remove(m) => {
                        let m = [b'm', *m];
                        (small.remove(&m).to_string(), big.remove(&m).to_string())
                    }
                    Op::RemoveRank(a, b) => (small.remove_range_by_rank(*a, *b).to_string(), big.remove_range_by_rank(*a, *b).to_string()),
                    Op::RemoveScore(min, max, ex) => {
                        let range = ScoreRange { min: *min, max: *max, min_exclusive: *ex, max_exclusive: false };
                        let q = (small.first_in_score_range(&range), small.last_in_score_range(&range), small.count_in_score_range(&range));
                        let r = (big.first_in_score_range(&range), big.last_in_score_range(&range), big.count_in_score_range(&range));
                        prop_assert_eq!(q, r);
                        (small.remove_range_by_score(&range).to_string(), big.remove_range_by_score(&range).to_string())
                    }
                    Op::Pop(max) => {
                        let end = if *max { End::Max } else { End::Min };
                        (format!("{:?}", small.pop(end)), format!("{:?}", big.pop(end)))
                    }
                };
                prop_assert_eq!(a, b, "{:?}", op);
                prop_assert_eq!(members(&small), members(&big));
                for (rank, (_, m)) in members(&small).iter().enumerate() {
                    prop_assert_eq!(small.rank(m), big.rank(m));
                    prop_assert_eq!(small.rank(m).map(|r| r.0), Some(rank));
                    let rev_small: Vec<_> = small.rev_iter_from(rank).map(|(s, m)| (s, m.to_vec())).collect();
                    let rev_big: Vec<_> = big.rev_iter_from(rank).map(|(s, m)| (s, m.to_vec())).collect();
                    prop_assert_eq!(rev_small, rev_big);
                }
            }
            prop_assert_eq!(small.encoding(), "listpack");
            prop_assert_eq!(big.encoding(), "skiplist");
        }
    }
}
