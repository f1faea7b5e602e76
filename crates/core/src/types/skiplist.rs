//! The ordered index behind large sorted sets: elements ordered by (score, member bytes) with
//! O(log n) insert, remove, rank and element-by-rank.
//!
//! # Shape
//! It is the skiplist of Valkey's `t_zset.c` (each extra level with probability 1/4, at most
//! 32 levels, every forward link carrying a *span*: how many elements it jumps over, which is
//! what makes ranks O(log n)), stored in an arena instead of one heap block per node:
//!
//! * `nodes: Vec<Node>` addressed by `u32`; freed slots are chained into a free list.
//! * Level 0 lives inside the node. Its span is always 1 (0 at the tail, by the "span to the end
//!   counts the elements after" rule), so only the forward index is stored.
//! * Levels 1.. live in `upper_links`, one flat `Vec<Link>`: a node of height h owns h-1
//!   consecutive links there. Freed blocks are chained into one free list per height.
//!
//! # Memory per element (64-bit targets)
//! A `Node` is 40 bytes (score 8, boxed member 16, three `u32` indices, the height). With p = 1/4
//! a node has 1/3 of an upper link (24 bytes: forward, span, and the copies of the next node's score
//! and link position that let a search skip reading that node) on average, so an element costs
//! ≈ 48 bytes plus its member bytes (and the allocator's rounding of that one allocation), before
//! `Vec` growth slack. Valkey's node is 24 bytes plus 16 per level, ≈ 45 bytes rounded up to jemalloc's
//! 48-byte class, plus the sds header.
//! When more than half of the arena is free slots, it is rebuilt in list order (amortised O(1)
//! per removal), so a set that shrinks gives its memory back.
//!
//! # Order
//! Ascending score, ties broken by member bytes compared like `memcmp` then by length (which is
//! `[u8]`'s `Ord`). Scores compare with IEEE `<` and `==` as Valkey's C does, so `-0.0` and `0.0`
//! tie and are ordered by member. NaN is never stored: inserting it panics, as Valkey asserts.
//!
//! Lex queries assume every element has the same score, as ZRANGEBYLEX documents. With mixed
//! scores they still terminate, but which rank they return is unspecified (in Valkey it depends
//! on the random levels).
//!
//! Level heights come from a small xorshift generator seeded by the constructor, so the same
//! operations on the same seed always build the same structure.

use std::cmp::Ordering;
use std::fmt;
use std::iter::FusedIterator;

/// Valkey's `ZSKIPLIST_MAXLEVEL`: enough for far more elements than `u32` indices can address.
const MAX_LEVEL: usize = 32;
/// "No node": the forward link of the last node at a level, the backward link of the first.
const NIL: u32 = u32::MAX;
/// The head sentinel, as a position during a search. It is never an arena index.
const HEAD: u32 = u32::MAX - 1;
/// Arena slots are `0..HEAD`.
const MAX_NODES: usize = HEAD as usize;
/// Don't rebuild the arena for fewer free slots than this: small waste is cheaper than copying.
const DEFAULT_COMPACT_MIN_FREE: usize = 1024;

/// One forward pointer of one level and the number of elements it advances the rank by, with a copy
/// of what a search needs of the node it points to: its score and where its upper links are. A walk
/// above level 0 then reads link blocks alone, one per node it passes, instead of also reading every
/// node it compares with (the cache misses that made ZADD on a large set cost more than Valkey's).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Link {
    forward: u32,
    span: u32,
    /// `forward`'s `upper` (meaningless when `forward` is NIL or the link is a level-0 one).
    next_upper: u32,
    /// `forward`'s score (meaningless when `forward` is NIL or the link is a level-0 one).
    next_score: f64,
}

const EMPTY_LINK: Link = Link { forward: NIL, span: 0, next_upper: 0, next_score: 0.0 };

impl Link {
    /// A link whose cached fields [`SkipList::set_link`] fills in.
    fn to(forward: u32, span: u32) -> Link {
        Link { forward, span, ..EMPTY_LINK }
    }
}

#[derive(Debug, Clone)]
struct Node {
    score: f64,
    member: Box<[u8]>,
    backward: u32,
    /// The level-0 link. For a free slot: the next free slot.
    forward0: u32,
    /// Where levels 1..height start in `upper_links` (meaningless when height is 1).
    upper: u32,
    /// 1..=MAX_LEVEL for a live node, 0 for a free slot.
    height: u8,
}

impl Node {
    /// `(self.score, self.member) < (score, member)` in set order.
    fn precedes(&self, score: f64, member: &[u8]) -> bool {
        self.score < score || (self.score == score && *self.member < *member)
    }

    /// `(self.score, self.member) > (score, member)` in set order.
    fn follows(&self, score: f64, member: &[u8]) -> bool {
        self.score > score || (self.score == score && *self.member > *member)
    }

    fn is(&self, score: f64, member: &[u8]) -> bool {
        self.score == score && *self.member == *member
    }
}

/// Where a search stopped on each level: the last node visited (`update`, in Valkey's words)
/// and its 1-based rank (0 for the head). Levels at and above the list's level hold the head.
struct Path {
    update: [u32; MAX_LEVEL],
    rank: [u32; MAX_LEVEL],
}

/// A score interval, `[min, max]` with either end optionally open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub min_exclusive: bool,
    pub max_exclusive: bool,
}

impl ScoreRange {
    /// `[min, max]`, both ends included.
    pub fn inclusive(min: f64, max: f64) -> Self {
        ScoreRange { min, max, min_exclusive: false, max_exclusive: false }
    }

    /// True when no score can be inside: min > max, or min == max with an open end (Valkey's
    /// `zslIsInRange` test). A NaN end also matches nothing.
    pub fn is_empty(&self) -> bool {
        self.min > self.max
            || (self.min == self.max && (self.min_exclusive || self.max_exclusive))
            || self.min.is_nan()
            || self.max.is_nan()
    }

    /// `score` is on the right side of `min`.
    pub fn meets_min(&self, score: f64) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    /// `score` is on the left side of `max`.
    pub fn meets_max(&self, score: f64) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }

    pub fn contains(&self, score: f64) -> bool {
        self.meets_min(score) && self.meets_max(score)
    }
}

/// One end of a ZRANGEBYLEX-style interval: `-`, `+`, `[member` or `(member`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    NegInf,
    PosInf,
    Inclusive(Vec<u8>),
    Exclusive(Vec<u8>),
}

impl LexBound {
    /// Orders bounds the way Valkey's `sdscmplex` does: `-` below every string, `+` above, each
    /// equal to itself.
    fn cmp_bound(&self, other: &LexBound) -> Ordering {
        match (self.bytes(), other.bytes()) {
            (Some(a), Some(b)) => a.cmp(b),
            _ => self.infinity_order().cmp(&other.infinity_order()),
        }
    }

    fn bytes(&self) -> Option<&[u8]> {
        match self {
            LexBound::Inclusive(b) | LexBound::Exclusive(b) => Some(b),
            LexBound::NegInf | LexBound::PosInf => None,
        }
    }

    fn infinity_order(&self) -> i8 {
        match self {
            LexBound::NegInf => -1,
            LexBound::Inclusive(_) | LexBound::Exclusive(_) => 0,
            LexBound::PosInf => 1,
        }
    }

    /// Valkey parses `-` and `+` as exclusive, which is why `- -` is an empty range.
    fn is_exclusive(&self) -> bool {
        !matches!(self, LexBound::Inclusive(_))
    }
}

/// A member interval for ZRANGEBYLEX and friends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    /// True when no member can be inside (Valkey's `zslIsInLexRange` test): min above max, or
    /// equal with an open end. `- -` and `+ +` are empty because infinities count as open.
    pub fn is_empty(&self) -> bool {
        match self.min.cmp_bound(&self.max) {
            Ordering::Greater => true,
            Ordering::Equal => self.min.is_exclusive() || self.max.is_exclusive(),
            Ordering::Less => false,
        }
    }

    /// `member` is on the right side of `min`.
    pub fn meets_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Inclusive(b) => member >= b.as_slice(),
            LexBound::Exclusive(b) => member > b.as_slice(),
        }
    }

    /// `member` is on the left side of `max`.
    pub fn meets_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Inclusive(b) => member <= b.as_slice(),
            LexBound::Exclusive(b) => member < b.as_slice(),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        self.meets_min(member) && self.meets_max(member)
    }
}

/// Elements `(score, member)` kept in set order. Members are unique; the caller (the sorted
/// set, which also keeps member → score) guarantees it. Ranks are 0-based.
#[derive(Clone)]
pub struct SkipList {
    nodes: Vec<Node>,
    upper_links: Vec<Link>,
    head: [Link; MAX_LEVEL],
    tail: u32,
    len: u32,
    /// Levels in use (1..=MAX_LEVEL); head links at and above it are empty.
    level: usize,
    free_node: u32,
    free_nodes: usize,
    /// Free upper-link blocks, chained through their first link, indexed by node height.
    free_upper: [u32; MAX_LEVEL + 1],
    free_upper_links: usize,
    member_bytes: usize,
    rng: u64,
    compact_min_free: usize,
}

impl SkipList {
    /// An empty list whose level heights are drawn from a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = splitmix64(seed);
        if rng == 0 {
            rng = 0x9E37_79B9_7F4A_7C15; // xorshift never leaves the all-zero state
        }
        SkipList {
            nodes: Vec::new(),
            upper_links: Vec::new(),
            head: [EMPTY_LINK; MAX_LEVEL],
            tail: NIL,
            len: 0,
            level: 1,
            free_node: NIL,
            free_nodes: 0,
            free_upper: [NIL; MAX_LEVEL + 1],
            free_upper_links: 0,
            member_bytes: 0,
            rng,
            compact_min_free: DEFAULT_COMPACT_MIN_FREE,
        }
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes this list holds on the heap: arena capacity plus member bytes (allocator rounding
    /// not included). For MEMORY USAGE-style estimates.
    pub fn heap_size_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.upper_links.capacity() * std::mem::size_of::<Link>()
            + self.member_bytes
    }

    /// Adds `(score, member)`. The caller guarantees `member` is not already in the list.
    ///
    /// # Panics
    /// If `score` is NaN, or the list already holds `u32::MAX - 1` elements.
    pub fn insert(&mut self, score: f64, member: Vec<u8>) {
        assert!(!score.is_nan(), "skiplist score must not be NaN");
        let path = self.descend_to(score, &member);
        let height = self.random_height();
        let mut update = path.update;
        let mut rank = path.rank;
        if height > self.level {
            for i in self.level..height {
                update[i] = HEAD;
                rank[i] = 0;
                self.head[i].span = self.len; // span to the end = every element
            }
            self.level = height;
        }

        let x = self.alloc_node(score, member.into_boxed_slice(), height);
        for i in 0..height {
            let before = self.link(update[i], i);
            let crossed = rank[0] - rank[i]; // elements between update[i] and x
            self.set_link(x, i, Link::to(before.forward, before.span - crossed));
            self.set_link(update[i], i, Link::to(x, crossed + 1));
        }
        // Links passing over x on the levels x does not reach now jump one more element.
        for (i, &u) in update.iter().enumerate().take(self.level).skip(height) {
            self.add_span(u, i, 1);
        }

        let backward = if update[0] == HEAD { NIL } else { update[0] };
        let next = self.nodes[x as usize].forward0;
        self.nodes[x as usize].backward = backward;
        if next == NIL {
            self.tail = x;
        } else {
            self.nodes[next as usize].backward = x;
        }
        self.len += 1;
    }

    /// Removes `(score, member)`; false if that exact pair is not in the list.
    pub fn remove(&mut self, score: f64, member: &[u8]) -> bool {
        let path = self.descend_to(score, member);
        let x = self.link(path.update[0], 0).forward;
        if x == NIL || !self.node(x).is(score, member) {
            return false;
        }
        self.unlink(x, &path.update);
        self.release_node(x);
        self.maybe_compact();
        true
    }

    /// Moves `member` from score `old` to score `new`; false (and nothing changes) if
    /// `(old, member)` is not in the list. When the element keeps its place between its
    /// neighbours only the score is rewritten.
    ///
    /// # Panics
    /// If `new` is NaN.
    pub fn update_score(&mut self, old: f64, member: &[u8], new: f64) -> bool {
        assert!(!new.is_nan(), "skiplist score must not be NaN");
        let path = self.descend_to(old, member);
        let x = self.link(path.update[0], 0).forward;
        if x == NIL || !self.node(x).is(old, member) {
            return false;
        }
        let node = self.node(x);
        let after_prev = node.backward == NIL || self.node(node.backward).precedes(new, member);
        let before_next = node.forward0 == NIL || self.node(node.forward0).follows(new, member);
        if after_prev && before_next {
            self.nodes[x as usize].score = new;
            // The links into x above level 0 carry its score: the path's nodes hold them.
            for (i, &u) in path.update.iter().enumerate().take(self.node(x).height as usize).skip(1) {
                self.set_link(u, i, Link::to(x, self.link(u, i).span));
            }
            return true;
        }
        self.unlink(x, &path.update);
        let (_, member) = self.release_node(x);
        self.insert(new, member);
        true
    }

    /// 0-based rank of `(score, member)`, or None if that exact pair is not in the list.
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let path = self.descend(|node, _| !node.follows(score, member));
        let x = path.update[0];
        (x != HEAD && self.node(x).is(score, member)).then(|| path.rank[0] as usize - 1)
    }

    /// The element at 0-based `rank`.
    pub fn get_by_rank(&self, rank: usize) -> Option<(f64, &[u8])> {
        self.node_at_rank(rank).map(|x| self.entry(x))
    }

    /// All elements in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { list: self, next: self.head[0].forward, remaining: self.len() }
    }

    /// Elements in ascending order, starting at `rank`. Empty if `rank >= len`.
    pub fn iter_from_rank(&self, rank: usize) -> Iter<'_> {
        match self.node_at_rank(rank) {
            Some(x) => Iter { list: self, next: x, remaining: self.len() - rank },
            None => Iter { list: self, next: NIL, remaining: 0 },
        }
    }

    /// Elements in descending order, starting at `rank` (counted from the lowest element) and
    /// ending with rank 0. Empty if `rank >= len`.
    pub fn rev_iter_from_rank(&self, rank: usize) -> RevIter<'_> {
        match self.node_at_rank(rank) {
            Some(x) => RevIter { list: self, next: x, remaining: rank + 1 },
            None => RevIter { list: self, next: NIL, remaining: 0 },
        }
    }

    /// Rank of the lowest element whose score is in `range`.
    pub fn first_in_score_range(&self, range: &ScoreRange) -> Option<usize> {
        if range.is_empty() {
            return None;
        }
        self.first_where(|n| range.meets_min(n.score), |n| range.meets_max(n.score))
    }

    /// Rank of the highest element whose score is in `range`.
    pub fn last_in_score_range(&self, range: &ScoreRange) -> Option<usize> {
        if range.is_empty() {
            return None;
        }
        self.last_where(|n| range.meets_min(n.score), |n| range.meets_max(n.score))
    }

    /// Rank of the lowest element whose member is in `range` (all scores assumed equal).
    pub fn first_in_lex_range(&self, range: &LexRange) -> Option<usize> {
        if range.is_empty() {
            return None;
        }
        self.first_where(|n| range.meets_min(&n.member), |n| range.meets_max(&n.member))
    }

    /// Rank of the highest element whose member is in `range` (all scores assumed equal).
    pub fn last_in_lex_range(&self, range: &LexRange) -> Option<usize> {
        if range.is_empty() {
            return None;
        }
        self.last_where(|n| range.meets_min(&n.member), |n| range.meets_max(&n.member))
    }

    /// How many elements have a score in `range` (ZCOUNT), from two rank lookups.
    pub fn count_in_score_range(&self, range: &ScoreRange) -> usize {
        count_between(self.first_in_score_range(range), self.last_in_score_range(range))
    }

    /// How many elements have a member in `range` (ZLEXCOUNT), from two rank lookups.
    pub fn count_in_lex_range(&self, range: &LexRange) -> usize {
        count_between(self.first_in_lex_range(range), self.last_in_lex_range(range))
    }

    /// Removes ranks `start..=end_inclusive` (the end is clamped to the last element) and
    /// returns them in order, so the caller can drop them from its member → score map.
    pub fn remove_range_by_rank(&mut self, start: usize, end_inclusive: usize) -> Vec<(f64, Vec<u8>)> {
        if start >= self.len() || start > end_inclusive {
            return Vec::new();
        }
        let count = end_inclusive.min(self.len() - 1) - start + 1;
        // Stop on the element of 1-based rank `start`, the last one kept before the run.
        let path = self.descend(|_, rank| rank as usize <= start);
        self.remove_run(&path, |_, removed| removed < count)
    }

    /// Removes every element whose score is in `range` (ZREMRANGEBYSCORE) and returns them in
    /// order.
    pub fn remove_range_by_score(&mut self, range: &ScoreRange) -> Vec<(f64, Vec<u8>)> {
        if range.is_empty() {
            return Vec::new();
        }
        let path = self.descend(|n, _| !range.meets_min(n.score));
        self.remove_run(&path, |n, _| range.meets_max(n.score))
    }

    /// Removes every element whose member is in `range` (ZREMRANGEBYLEX, all scores assumed
    /// equal) and returns them in order.
    pub fn remove_range_by_lex(&mut self, range: &LexRange) -> Vec<(f64, Vec<u8>)> {
        if range.is_empty() {
            return Vec::new();
        }
        let path = self.descend(|n, _| !range.meets_min(&n.member));
        self.remove_run(&path, |n, _| range.meets_max(&n.member))
    }

    // ----- search ---------------------------------------------------------------------------

    /// The classic skiplist walk: on each level from the top, move forward while the next node
    /// satisfies `before(node, its 1-based rank)`. `before` must hold for a prefix of the list.
    fn descend(&self, mut before: impl FnMut(&Node, u32) -> bool) -> Path {
        let mut path = Path { update: [HEAD; MAX_LEVEL], rank: [0; MAX_LEVEL] };
        let mut x = HEAD;
        let mut rank = 0u32;
        for i in (0..self.level).rev() {
            loop {
                let link = self.link(x, i);
                if link.forward == NIL || !before(self.node(link.forward), rank + link.span) {
                    break;
                }
                rank += link.span;
                x = link.forward;
            }
            path.update[i] = x;
            path.rank[i] = rank;
        }
        path
    }

    /// [`Self::descend`] to the place of `(score, member)` in set order (before it), the walk of every
    /// insert, removal and score update. Above level 0 it compares with the scores the links carry and
    /// follows the links' copies of where the next node's links are, so it touches one link block per
    /// node it passes; only a tie on score reads the node (for its member).
    fn descend_to(&self, score: f64, member: &[u8]) -> Path {
        let mut path = Path { update: [HEAD; MAX_LEVEL], rank: [0; MAX_LEVEL] };
        let mut x = HEAD;
        let mut x_upper = 0usize;
        let mut rank = 0u32;
        for i in (1..self.level).rev() {
            loop {
                let link = if x == HEAD { self.head[i] } else { self.upper_links[x_upper + i - 1] };
                if link.forward == NIL
                    || !(link.next_score < score
                        || (link.next_score == score && *self.node(link.forward).member < *member))
                {
                    break;
                }
                rank += link.span;
                x = link.forward;
                x_upper = link.next_upper as usize;
            }
            path.update[i] = x;
            path.rank[i] = rank;
        }
        loop {
            let next = if x == HEAD { self.head[0].forward } else { self.node(x).forward0 };
            if next == NIL || !self.node(next).precedes(score, member) {
                break;
            }
            rank += 1;
            x = next;
        }
        path.update[0] = x;
        path.rank[0] = rank;
        path
    }

    fn node_at_rank(&self, rank: usize) -> Option<u32> {
        if rank >= self.len() {
            return None;
        }
        let path = self.descend(|_, r| r as usize <= rank + 1);
        debug_assert_eq!(path.rank[0] as usize, rank + 1);
        Some(path.update[0])
    }

    /// Rank of the first node meeting `meets_min`, if it also meets `meets_max`.
    fn first_where(&self, meets_min: impl Fn(&Node) -> bool, meets_max: impl Fn(&Node) -> bool) -> Option<usize> {
        let path = self.descend(|n, _| !meets_min(n));
        let x = self.link(path.update[0], 0).forward;
        (x != NIL && meets_max(self.node(x))).then_some(path.rank[0] as usize)
    }

    /// Rank of the last node meeting `meets_max`, if it also meets `meets_min`.
    fn last_where(&self, meets_min: impl Fn(&Node) -> bool, meets_max: impl Fn(&Node) -> bool) -> Option<usize> {
        let path = self.descend(|n, _| meets_max(n));
        let x = path.update[0];
        (x != HEAD && meets_min(self.node(x))).then(|| path.rank[0] as usize - 1)
    }

    // ----- structure ------------------------------------------------------------------------

    fn node(&self, x: u32) -> &Node {
        &self.nodes[x as usize]
    }

    fn entry(&self, x: u32) -> (f64, &[u8]) {
        let node = self.node(x);
        (node.score, &node.member)
    }

    fn link(&self, at: u32, level: usize) -> Link {
        if at == HEAD {
            return self.head[level];
        }
        let node = self.node(at);
        debug_assert!(level < node.height as usize);
        if level == 0 {
            Link::to(node.forward0, u32::from(node.forward0 != NIL))
        } else {
            self.upper_links[node.upper as usize + level - 1]
        }
    }

    /// Stores `link` (its forward and span; the cached fields are filled in from the node it points to).
    fn set_link(&mut self, at: u32, level: usize, mut link: Link) {
        if link.forward != NIL {
            let next = self.node(link.forward);
            link.next_upper = next.upper;
            link.next_score = next.score;
        }
        if at == HEAD {
            self.head[level] = link;
        } else if level == 0 {
            debug_assert_eq!(link.span, u32::from(link.forward != NIL), "level-0 span is implied");
            self.nodes[at as usize].forward0 = link.forward;
        } else {
            let i = self.nodes[at as usize].upper as usize + level - 1;
            self.upper_links[i] = link;
        }
    }

    /// Adjusts a span on a level where the link's target stays the same. Never level 0 of a
    /// node: that span is implied by its forward link.
    fn add_span(&mut self, at: u32, level: usize, delta: i32) {
        debug_assert!(level > 0, "level-0 spans are implied");
        let link = if at == HEAD {
            &mut self.head[level]
        } else {
            let i = self.nodes[at as usize].upper as usize + level - 1;
            &mut self.upper_links[i]
        };
        link.span = link.span.wrapping_add_signed(delta);
    }

    /// Takes node `x` out of every level. `update[i]` must be the last node before `x` on
    /// level i, as `descend` leaves it; it stays valid for removing `x`'s successor next.
    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            let before = self.link(u, i);
            if before.forward == x {
                let after = self.link(x, i);
                self.set_link(u, i, Link::to(after.forward, before.span + after.span - 1));
            } else {
                self.add_span(u, i, -1);
            }
        }
        let Node { backward, forward0, .. } = *self.node(x);
        if forward0 == NIL {
            self.tail = backward;
        } else {
            self.nodes[forward0 as usize].backward = backward;
        }
        while self.level > 1 && self.head[self.level - 1].forward == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// Removes consecutive nodes after `path.update[0]` while `keep_going(node, removed so
    /// far)` holds.
    fn remove_run(&mut self, path: &Path, mut keep_going: impl FnMut(&Node, usize) -> bool) -> Vec<(f64, Vec<u8>)> {
        let mut removed = Vec::new();
        let mut x = self.link(path.update[0], 0).forward;
        while x != NIL && keep_going(self.node(x), removed.len()) {
            let next = self.node(x).forward0;
            self.unlink(x, &path.update);
            removed.push(self.release_node(x));
            x = next;
        }
        self.maybe_compact();
        removed
    }

    /// Valkey's `zslRandomLevel`: 1, plus one for each further 1-in-4 chance, capped.
    fn random_height(&mut self) -> usize {
        // xorshift64*; its high bits are the well-mixed ones, so count zero pairs from the top.
        let mut s = self.rng;
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        self.rng = s;
        let r = s.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (1 + r.leading_zeros() as usize / 2).min(MAX_LEVEL)
    }

    fn alloc_node(&mut self, score: f64, member: Box<[u8]>, height: usize) -> u32 {
        let upper = if height > 1 { self.alloc_upper(height) } else { 0 };
        self.member_bytes += member.len();
        let node = Node { score, member, backward: NIL, forward0: NIL, upper, height: height as u8 };
        if self.free_node != NIL {
            let x = self.free_node;
            self.free_node = self.node(x).forward0;
            self.free_nodes -= 1;
            self.nodes[x as usize] = node;
            x
        } else {
            assert!(self.nodes.len() < MAX_NODES, "skiplist is full");
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    fn alloc_upper(&mut self, height: usize) -> u32 {
        let block = self.free_upper[height];
        if block != NIL {
            self.free_upper[height] = self.upper_links[block as usize].forward;
            self.free_upper_links -= height - 1;
            return block;
        }
        let start = self.upper_links.len();
        assert!(start + height - 1 <= NIL as usize, "skiplist link arena is full");
        self.upper_links.resize(start + height - 1, EMPTY_LINK);
        start as u32
    }

    /// Returns an unlinked node's slot (and its upper links) to the free lists, handing back
    /// its contents.
    fn release_node(&mut self, x: u32) -> (f64, Vec<u8>) {
        let free_head = self.free_node;
        let node = &mut self.nodes[x as usize];
        let member = std::mem::take(&mut node.member);
        let (score, height, upper) = (node.score, node.height as usize, node.upper);
        node.height = 0;
        node.backward = NIL;
        node.forward0 = free_head;
        self.free_node = x;
        self.free_nodes += 1;
        if height > 1 {
            self.upper_links[upper as usize].forward = self.free_upper[height];
            self.free_upper[height] = upper;
            self.free_upper_links += height - 1;
        }
        self.member_bytes -= member.len();
        (score, member.into_vec())
    }

    /// Rebuilds the arena when free slots outnumber live ones (and are not few). Each rebuild
    /// costs O(live + free) and needs at least `live` removals since the last one.
    fn maybe_compact(&mut self) {
        let live_upper = self.upper_links.len() - self.free_upper_links;
        let nodes_wasted = self.free_nodes > self.len() && self.free_nodes >= self.compact_min_free;
        let links_wasted = self.free_upper_links > live_upper && self.free_upper_links >= self.compact_min_free;
        if nodes_wasted || links_wasted {
            self.compact();
        }
    }

    /// Moves every live node, in list order, into fresh exactly-sized arenas.
    fn compact(&mut self) {
        let mut old_nodes = std::mem::take(&mut self.nodes);
        let old_upper = std::mem::take(&mut self.upper_links);
        let live_upper = old_upper.len() - self.free_upper_links;

        let mut new_index = vec![NIL; old_nodes.len()];
        let mut x = self.head[0].forward;
        let mut next_index = 0u32;
        while x != NIL {
            new_index[x as usize] = next_index;
            next_index += 1;
            x = old_nodes[x as usize].forward0;
        }
        let remap = |x: u32| if x == NIL { NIL } else { new_index[x as usize] };

        let mut nodes = Vec::with_capacity(self.len());
        let mut upper_links = Vec::with_capacity(live_upper);
        let mut x = self.head[0].forward;
        while x != NIL {
            let old = &mut old_nodes[x as usize];
            let start = upper_links.len() as u32;
            let height = old.height as usize;
            if height > 1 {
                let block = &old_upper[old.upper as usize..old.upper as usize + height - 1];
                upper_links.extend(block.iter().map(|l| Link { forward: remap(l.forward), ..*l }));
            }
            nodes.push(Node {
                score: old.score,
                member: std::mem::take(&mut old.member),
                backward: remap(old.backward),
                forward0: remap(old.forward0),
                upper: start,
                height: old.height,
            });
            x = old.forward0;
        }
        for link in &mut self.head {
            link.forward = remap(link.forward);
        }
        // Every node's upper block moved: the links' copies of where it is follow.
        for link in self.head.iter_mut().chain(upper_links.iter_mut()) {
            if link.forward != NIL {
                link.next_upper = nodes[link.forward as usize].upper;
            }
        }
        self.tail = remap(self.tail);
        self.nodes = nodes;
        self.upper_links = upper_links;
        self.free_node = NIL;
        self.free_nodes = 0;
        self.free_upper = [NIL; MAX_LEVEL + 1];
        self.free_upper_links = 0;
    }
}

impl fmt::Debug for SkipList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

fn count_between(first: Option<usize>, last: Option<usize>) -> usize {
    match (first, last) {
        (Some(first), Some(last)) if last >= first => last - first + 1,
        _ => 0,
    }
}

/// Spreads a user seed over all 64 bits, so nearby seeds give unrelated generators.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Ascending iterator from [`SkipList::iter`] and [`SkipList::iter_from_rank`].
#[derive(Clone)]
pub struct Iter<'a> {
    list: &'a SkipList,
    next: u32,
    remaining: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (f64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let node = self.list.node(self.next);
        self.next = node.forward0;
        self.remaining -= 1;
        Some((node.score, &node.member))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Iter<'_> {}
impl FusedIterator for Iter<'_> {}

/// Descending iterator from [`SkipList::rev_iter_from_rank`].
#[derive(Clone)]
pub struct RevIter<'a> {
    list: &'a SkipList,
    next: u32,
    remaining: usize,
}

impl<'a> Iterator for RevIter<'a> {
    type Item = (f64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let node = self.list.node(self.next);
        self.next = node.backward;
        self.remaining -= 1;
        Some((node.score, &node.member))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for RevIter<'_> {}
impl FusedIterator for RevIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn list_of(entries: &[(f64, &str)]) -> SkipList {
        let mut list = SkipList::new(7);
        for &(score, member) in entries {
            list.insert(score, member.as_bytes().to_vec());
        }
        assert_invariants(&list);
        list
    }

    fn members(list: &SkipList) -> Vec<String> {
        list.iter().map(|(_, m)| String::from_utf8_lossy(m).into_owned()).collect()
    }

    fn incl(b: &str) -> LexBound {
        LexBound::Inclusive(b.as_bytes().to_vec())
    }

    fn excl(b: &str) -> LexBound {
        LexBound::Exclusive(b.as_bytes().to_vec())
    }

    fn lex(min: LexBound, max: LexBound) -> LexRange {
        LexRange { min, max }
    }

    fn score_range(min: f64, min_exclusive: bool, max: f64, max_exclusive: bool) -> ScoreRange {
        ScoreRange { min, max, min_exclusive, max_exclusive }
    }

    /// Checks every structural fact the operations rely on: order, spans, backward links, tail,
    /// level, and that live plus free slots account for the whole arena.
    fn assert_invariants(list: &SkipList) {
        // Level 0: order, backward links, tail, length; remember each node's 1-based rank.
        let mut rank_of = vec![0u32; list.nodes.len()];
        let mut prev = NIL;
        let mut x = list.head[0].forward;
        let mut rank = 0u32;
        while x != NIL {
            rank += 1;
            let node = list.node(x);
            assert!(node.height >= 1, "free slot {x} is linked");
            assert_eq!(node.backward, prev, "backward link of {x}");
            if prev != NIL {
                let p = list.node(prev);
                assert!(p.precedes(node.score, &node.member), "order at rank {rank}");
            }
            rank_of[x as usize] = rank;
            prev = x;
            x = node.forward0;
        }
        assert_eq!(rank, list.len, "length");
        assert_eq!(list.tail, prev, "tail");
        assert_eq!(list.head[0].span, u32::from(list.len > 0), "head level-0 span");

        // Every level: links go forward, spans are rank differences (count after for NIL).
        for i in 0..list.level {
            let mut at = HEAD;
            let mut at_rank = 0u32;
            loop {
                let link = list.link(at, i);
                if link.forward == NIL {
                    assert_eq!(link.span, list.len - at_rank, "span to end, level {i}");
                    break;
                }
                let target = rank_of[link.forward as usize];
                assert!(target > at_rank, "level {i} goes backwards");
                assert_eq!(link.span, target - at_rank, "span on level {i}");
                let next = list.node(link.forward);
                assert!(next.height as usize > i);
                if i > 0 {
                    assert_eq!(link.next_score.to_bits(), next.score.to_bits(), "cached score on level {i}");
                    assert_eq!(link.next_upper, next.upper, "cached link position on level {i}");
                }
                at = link.forward;
                at_rank = target;
            }
        }
        for i in list.level..MAX_LEVEL {
            assert_eq!(list.head[i].forward, NIL, "head level {i} above the list level");
        }
        assert!(list.level == 1 || list.head[list.level - 1].forward != NIL, "level not minimal");
        // Every node of height h appears on levels 0..h.
        let live: Vec<&Node> = list.nodes.iter().filter(|n| n.height > 0).collect();
        assert_eq!(live.len(), list.len());
        assert!(live.iter().all(|n| (n.height as usize) <= list.level));

        // Free lists account for the rest of both arenas.
        let mut free = 0;
        let mut f = list.free_node;
        while f != NIL {
            assert_eq!(list.node(f).height, 0);
            free += 1;
            f = list.node(f).forward0;
        }
        assert_eq!(free, list.free_nodes);
        assert_eq!(free + list.len(), list.nodes.len());
        let mut free_links = 0;
        for (height, &first) in list.free_upper.iter().enumerate() {
            let mut block = first;
            while block != NIL {
                free_links += height - 1;
                block = list.upper_links[block as usize].forward;
            }
        }
        assert_eq!(free_links, list.free_upper_links);
        let live_links: usize = live.iter().map(|n| n.height as usize - 1).sum();
        assert_eq!(live_links + free_links, list.upper_links.len());
        let bytes: usize = live.iter().map(|n| n.member.len()).sum();
        assert_eq!(bytes, list.member_bytes);
    }

    #[test]
    fn skiplist_empty_answers_none_everywhere() {
        let list = SkipList::new(1);
        assert!(list.is_empty());
        assert_eq!(list.get_by_rank(0), None);
        assert_eq!(list.rank(1.0, b"a"), None);
        assert_eq!(list.iter().count(), 0);
        assert_eq!(list.iter_from_rank(0).count(), 0);
        assert_eq!(list.rev_iter_from_rank(0).count(), 0);
        let all = ScoreRange::inclusive(f64::NEG_INFINITY, f64::INFINITY);
        assert_eq!(list.first_in_score_range(&all), None);
        assert_eq!(list.last_in_score_range(&all), None);
        assert_eq!(list.count_in_lex_range(&lex(LexBound::NegInf, LexBound::PosInf)), 0);
        assert_invariants(&list);
    }

    #[test]
    fn insert_equal_scores_orders_by_member_bytes() {
        let list = list_of(&[(1.0, "b"), (1.0, "ab"), (1.0, "a"), (0.5, "z"), (1.0, "")]);
        assert_eq!(members(&list), ["z", "", "a", "ab", "b"]);
        assert_eq!(list.rank(1.0, b"ab"), Some(3));
        assert_eq!(list.get_by_rank(4), Some((1.0, &b"b"[..])));
        assert_eq!(list.get_by_rank(5), None);
    }

    #[test]
    fn insert_negative_zero_ties_with_zero_and_orders_by_member() {
        let list = list_of(&[(0.0, "b"), (-0.0, "a"), (0.0, "c")]);
        assert_eq!(members(&list), ["a", "b", "c"]);
        let (score, _) = list.get_by_rank(0).unwrap();
        assert!(score.is_sign_negative(), "the stored score keeps its sign");
        // IEEE equality: 0.0 finds the element stored as -0.0, as Valkey's C comparisons do.
        assert_eq!(list.rank(0.0, b"a"), Some(0));
    }

    #[test]
    fn insert_infinities_sort_at_the_ends() {
        let list = list_of(&[(1.0, "m"), (f64::INFINITY, "a"), (f64::NEG_INFINITY, "z")]);
        assert_eq!(members(&list), ["z", "m", "a"]);
    }

    #[test]
    #[should_panic(expected = "NaN")]
    fn insert_nan_score_panics() {
        SkipList::new(1).insert(f64::NAN, b"a".to_vec());
    }

    #[test]
    fn rank_absent_member_or_wrong_score_is_none() {
        let list = list_of(&[(1.0, "a"), (2.0, "b")]);
        assert_eq!(list.rank(1.0, b"b"), None);
        assert_eq!(list.rank(3.0, b"c"), None);
        assert_eq!(list.rank(f64::NAN, b"a"), None);
    }

    #[test]
    fn remove_present_pair_returns_true_once() {
        let mut list = list_of(&[(1.0, "a"), (2.0, "b"), (3.0, "c")]);
        assert!(!list.remove(1.0, b"b"), "wrong score");
        assert!(list.remove(2.0, b"b"));
        assert!(!list.remove(2.0, b"b"));
        assert_eq!(members(&list), ["a", "c"]);
        assert_invariants(&list);
    }

    #[test]
    fn update_score_order_unchanged_rewrites_in_place() {
        let mut list = list_of(&[(1.0, "a"), (2.0, "b"), (3.0, "c")]);
        let rng_before = list.rng;
        assert!(list.update_score(2.0, b"b", 2.5));
        assert_eq!(list.rng, rng_before, "no node was re-created");
        assert_eq!(list.get_by_rank(1), Some((2.5, &b"b"[..])));
        assert_invariants(&list);
    }

    #[test]
    fn update_score_order_changed_moves_element() {
        let mut list = list_of(&[(1.0, "a"), (2.0, "b"), (3.0, "c")]);
        assert!(list.update_score(1.0, b"a", 5.0));
        assert_eq!(members(&list), ["b", "c", "a"]);
        assert!(list.update_score(3.0, b"c", 2.0), "tie with b, c sorts after it");
        assert_eq!(members(&list), ["b", "c", "a"]);
        assert!(list.update_score(2.0, b"c", 2.0));
        assert!(list.update_score(5.0, b"a", 2.0), "tie with b, a sorts before it");
        assert_eq!(members(&list), ["a", "b", "c"]);
        assert_invariants(&list);
    }

    #[test]
    fn update_score_absent_pair_returns_false_and_changes_nothing() {
        let mut list = list_of(&[(1.0, "a")]);
        assert!(!list.update_score(2.0, b"a", 3.0));
        assert!(!list.update_score(1.0, b"b", 3.0));
        assert_eq!(list.get_by_rank(0), Some((1.0, &b"a"[..])));
    }

    #[test]
    fn score_range_empty_rules_match_zsl_is_in_range() {
        assert!(score_range(2.0, false, 1.0, false).is_empty());
        assert!(!score_range(1.0, false, 1.0, false).is_empty());
        assert!(score_range(1.0, true, 1.0, false).is_empty());
        assert!(score_range(1.0, false, 1.0, true).is_empty());
        assert!(!score_range(1.0, true, 2.0, true).is_empty());
        assert!(!score_range(f64::NEG_INFINITY, false, f64::INFINITY, false).is_empty());
        assert!(score_range(f64::INFINITY, true, f64::INFINITY, false).is_empty());
        assert!(score_range(f64::NAN, false, 1.0, false).is_empty());
    }

    #[test]
    fn lex_range_empty_rules_match_zsl_is_in_lex_range() {
        use LexBound::{NegInf, PosInf};
        assert!(lex(NegInf, NegInf).is_empty(), "- - : infinities count as exclusive");
        assert!(lex(PosInf, PosInf).is_empty());
        assert!(lex(PosInf, NegInf).is_empty());
        assert!(!lex(NegInf, PosInf).is_empty());
        assert!(!lex(incl("a"), incl("a")).is_empty());
        assert!(lex(excl("a"), incl("a")).is_empty());
        assert!(lex(incl("a"), excl("a")).is_empty());
        assert!(lex(incl("b"), incl("a")).is_empty());
        assert!(!lex(incl("a"), incl("ab")).is_empty());
        assert!(lex(incl("a"), NegInf).is_empty());
        assert!(lex(PosInf, incl("a")).is_empty());
        assert!(!lex(incl("a"), PosInf).is_empty());
        assert!(!lex(NegInf, incl("")).is_empty());
        assert!(!lex(NegInf, excl("")).contains(b""), "nothing sorts below the empty string");
    }

    #[test]
    fn score_range_queries_find_first_last_and_count() {
        let list = list_of(&[(1.0, "a"), (2.0, "b"), (2.0, "c"), (3.0, "d"), (4.0, "e")]);
        let r = score_range(2.0, false, 3.0, false);
        assert_eq!(list.first_in_score_range(&r), Some(1));
        assert_eq!(list.last_in_score_range(&r), Some(3));
        assert_eq!(list.count_in_score_range(&r), 3);
        let open = score_range(2.0, true, 4.0, true);
        assert_eq!((list.first_in_score_range(&open), list.last_in_score_range(&open)), (Some(3), Some(3)));
        let gap = score_range(3.0, true, 4.0, true);
        assert_eq!(list.first_in_score_range(&gap), None);
        assert_eq!(list.last_in_score_range(&gap), None);
        assert_eq!(list.count_in_score_range(&gap), 0);
        let above = ScoreRange::inclusive(5.0, f64::INFINITY);
        assert_eq!(list.first_in_score_range(&above), None);
    }

    #[test]
    fn lex_range_queries_find_first_last_and_count() {
        let list = list_of(&[(0.0, "a"), (0.0, "b"), (0.0, "ba"), (0.0, "c")]);
        let r = lex(excl("a"), incl("ba"));
        assert_eq!(list.first_in_lex_range(&r), Some(1));
        assert_eq!(list.last_in_lex_range(&r), Some(2));
        assert_eq!(list.count_in_lex_range(&r), 2);
        assert_eq!(list.count_in_lex_range(&lex(LexBound::NegInf, LexBound::PosInf)), 4);
        assert_eq!(list.count_in_lex_range(&lex(LexBound::NegInf, LexBound::NegInf)), 0);
        assert_eq!(list.first_in_lex_range(&lex(excl("c"), LexBound::PosInf)), None);
    }

    #[test]
    fn iter_from_rank_and_rev_iter_walk_both_ways() {
        let list = list_of(&[(1.0, "a"), (2.0, "b"), (3.0, "c")]);
        let up: Vec<f64> = list.iter_from_rank(1).map(|(s, _)| s).collect();
        assert_eq!(up, [2.0, 3.0]);
        let down: Vec<f64> = list.rev_iter_from_rank(1).map(|(s, _)| s).collect();
        assert_eq!(down, [2.0, 1.0]);
        assert_eq!(list.rev_iter_from_rank(2).len(), 3);
        assert_eq!(list.iter_from_rank(3).len(), 0);
        assert_eq!(list.rev_iter_from_rank(3).len(), 0);
    }

    #[test]
    fn remove_range_by_rank_end_past_len_clamps() {
        let mut list = list_of(&[(1.0, "a"), (2.0, "b"), (3.0, "c")]);
        let removed = list.remove_range_by_rank(1, 100);
        assert_eq!(removed, [(2.0, b"b".to_vec()), (3.0, b"c".to_vec())]);
        assert_eq!(members(&list), ["a"]);
        assert_invariants(&list);
    }

    #[test]
    fn remove_range_by_rank_start_past_end_or_len_removes_nothing() {
        let mut list = list_of(&[(1.0, "a"), (2.0, "b")]);
        assert!(list.remove_range_by_rank(2, 5).is_empty());
        assert!(list.remove_range_by_rank(1, 0).is_empty());
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn remove_range_by_score_and_lex_return_removed_in_order() {
        let mut list = list_of(&[(1.0, "a"), (2.0, "b"), (2.0, "c"), (3.0, "d")]);
        let removed = list.remove_range_by_score(&score_range(1.0, true, 2.0, false));
        assert_eq!(removed, [(2.0, b"b".to_vec()), (2.0, b"c".to_vec())]);
        assert_invariants(&list);
        let mut list = list_of(&[(0.0, "a"), (0.0, "b"), (0.0, "c")]);
        let removed = list.remove_range_by_lex(&lex(incl("b"), LexBound::PosInf));
        assert_eq!(removed, [(0.0, b"b".to_vec()), (0.0, b"c".to_vec())]);
        assert_eq!(members(&list), ["a"]);
        assert_invariants(&list);
    }

    #[test]
    fn remove_most_elements_compacts_arena_and_keeps_order() {
        let mut list = SkipList::new(3);
        for i in 0..5000u32 {
            list.insert(f64::from(i % 97), i.to_be_bytes().to_vec());
        }
        let slots_before = list.nodes.len();
        let removed = list.remove_range_by_rank(50, 4999);
        assert_eq!(removed.len(), 4950);
        assert!(list.nodes.len() < slots_before / 10, "arena shrank to {}", list.nodes.len());
        assert_invariants(&list);
        for i in 0..50u32 {
            let (score, member) = list.get_by_rank(i as usize).unwrap();
            assert_eq!(list.rank(score, member), Some(i as usize));
        }
        // Removing one at a time also triggers it.
        let mut list = SkipList::new(4);
        for i in 0..5000u32 {
            list.insert(f64::from(i), i.to_be_bytes().to_vec());
        }
        for i in (0..5000u32).filter(|i| i % 50 != 0) {
            assert!(list.remove(f64::from(i), &i.to_be_bytes()));
        }
        assert_eq!(list.len(), 100);
        assert!(list.nodes.len() < 2500, "arena shrank to {}", list.nodes.len());
        assert_invariants(&list);
    }

    #[test]
    fn same_seed_builds_same_structure() {
        let build = |seed| {
            let mut list = SkipList::new(seed);
            for i in 0..200u32 {
                list.insert(f64::from(i), vec![]);
            }
            list.nodes.iter().map(|n| n.height).collect::<Vec<_>>()
        };
        assert_eq!(build(9), build(9));
        assert_ne!(build(9), build(10));
    }

    #[test]
    fn node_and_average_element_stay_within_memory_budget() {
        assert_eq!(std::mem::size_of::<Node>(), 40);
        assert_eq!(std::mem::size_of::<Link>(), 24);
        let mut list = SkipList::new(5);
        let n = 200_000u32;
        for i in 0..n {
            list.insert(f64::from(i), Vec::new());
        }
        let used =
            list.nodes.len() * std::mem::size_of::<Node>() + list.upper_links.len() * std::mem::size_of::<Link>();
        let per_element = used as f64 / f64::from(n);
        // 40 + 24/3 = 48: Valkey's node rounds up to 48 bytes too (without the member).
        assert!(per_element <= 49.0, "{per_element} bytes per element");
        // About 1/3 of a level-1.. link per element with p = 1/4.
        let links_per_element = list.upper_links.len() as f64 / f64::from(n);
        assert!((0.30..0.37).contains(&links_per_element), "{links_per_element}");
    }

    // ----- model-based property tests -------------------------------------------------------

    #[derive(Debug, Clone)]
    enum Op {
        Insert(f64, Vec<u8>),
        /// Remove the element at `index % len`.
        Remove(usize),
        RemoveAbsent(f64, Vec<u8>),
        /// Move the element at `index % len` to a new score.
        Update(usize, f64),
        RemoveRank(usize, usize),
        RemoveScore(ScoreRange),
        RemoveLex(LexRange),
        Query {
            score: ScoreRange,
            lex: LexRange,
            rank: usize,
            probe: (f64, Vec<u8>),
        },
    }

    fn member() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(vec![0u8, b'a', b'b', b'c', 255]), 0..4)
    }

    fn mixed_score() -> BoxedStrategy<f64> {
        prop_oneof![
            2 => (-3i32..4).prop_map(|i| f64::from(i) / 2.0),
            1 => prop::sample::select(vec![f64::NEG_INFINITY, -0.0, 0.0, f64::INFINITY]),
        ]
        .boxed()
    }

    fn tied_score() -> BoxedStrategy<f64> {
        prop::sample::select(vec![0.0, -0.0]).boxed()
    }

    fn score_range_strategy() -> impl Strategy<Value = ScoreRange> {
        (mixed_score(), any::<bool>(), mixed_score(), any::<bool>())
            .prop_map(|(min, min_ex, max, max_ex)| score_range(min, min_ex, max, max_ex))
    }

    fn lex_bound() -> impl Strategy<Value = LexBound> {
        prop_oneof![
            1 => Just(LexBound::NegInf),
            1 => Just(LexBound::PosInf),
            3 => member().prop_map(LexBound::Inclusive),
            3 => member().prop_map(LexBound::Exclusive),
        ]
    }

    fn lex_range_strategy() -> impl Strategy<Value = LexRange> {
        (lex_bound(), lex_bound()).prop_map(|(min, max)| LexRange { min, max })
    }

    fn op(score: BoxedStrategy<f64>) -> impl Strategy<Value = Op> {
        prop_oneof![
            8 => (score.clone(), member()).prop_map(|(s, m)| Op::Insert(s, m)),
            2 => any::<usize>().prop_map(Op::Remove),
            1 => (score.clone(), member()).prop_map(|(s, m)| Op::RemoveAbsent(s, m)),
            3 => (any::<usize>(), score.clone()).prop_map(|(i, s)| Op::Update(i, s)),
            1 => (0usize..40, 0usize..40).prop_map(|(a, b)| Op::RemoveRank(a, b)),
            1 => score_range_strategy().prop_map(Op::RemoveScore),
            1 => lex_range_strategy().prop_map(Op::RemoveLex),
            4 => (score_range_strategy(), lex_range_strategy(), 0usize..40, (score, member()))
                .prop_map(|(score, lex, rank, probe)| Op::Query { score, lex, rank, probe }),
        ]
    }

    /// The reference: a vector kept sorted by (score, member) with IEEE score comparison.
    #[derive(Default)]
    struct Model(Vec<(f64, Vec<u8>)>);

    impl Model {
        fn position(&self, score: f64, member: &[u8]) -> usize {
            self.0.partition_point(|(s, m)| *s < score || (*s == score && m.as_slice() < member))
        }

        fn insert(&mut self, score: f64, member: Vec<u8>) {
            let at = self.position(score, &member);
            self.0.insert(at, (score, member));
        }

        fn contains_member(&self, member: &[u8]) -> bool {
            self.0.iter().any(|(_, m)| m == member)
        }

        fn scores_all_tie(&self) -> bool {
            self.0.windows(2).all(|w| w[0].0 == w[1].0)
        }

        fn matching(&self, pred: impl Fn(&(f64, Vec<u8>)) -> bool) -> Vec<usize> {
            (0..self.0.len()).filter(|&i| pred(&self.0[i])).collect()
        }
    }

    /// Same elements, scores compared bit for bit (so -0.0 and 0.0 are told apart).
    fn same_entries(a: &[(f64, Vec<u8>)], b: &[(f64, Vec<u8>)]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0.to_bits() == y.0.to_bits() && x.1 == y.1)
    }

    fn owned<'a>(it: impl Iterator<Item = (f64, &'a [u8])>) -> Vec<(f64, Vec<u8>)> {
        it.map(|(s, m)| (s, m.to_vec())).collect()
    }

    fn run_ops(ops: Vec<Op>, seed: u64) -> Result<(), TestCaseError> {
        let mut list = SkipList::new(seed);
        list.compact_min_free = 4; // exercise compaction in short runs
        let mut model = Model::default();
        for op in ops {
            match op {
                Op::Insert(score, member) => {
                    if !model.contains_member(&member) {
                        model.insert(score, member.clone());
                        list.insert(score, member);
                    }
                }
                Op::Remove(index) if !model.0.is_empty() => {
                    let (score, member) = model.0.remove(index % model.0.len());
                    prop_assert!(list.remove(score, &member));
                }
                Op::Remove(_) => {}
                Op::RemoveAbsent(score, member) => {
                    let present = model.0.iter().any(|(s, m)| *s == score && *m == member);
                    if !present {
                        prop_assert!(!list.remove(score, &member));
                    }
                }
                Op::Update(index, new) if !model.0.is_empty() => {
                    let (old, member) = model.0.remove(index % model.0.len());
                    model.insert(new, member.clone());
                    prop_assert!(list.update_score(old, &member, new));
                }
                Op::Update(..) => {}
                Op::RemoveRank(start, end) => {
                    let expected: Vec<_> = if start < model.0.len() && start <= end {
                        model.0.drain(start..=end.min(model.0.len() - 1)).collect()
                    } else {
                        Vec::new()
                    };
                    let removed = list.remove_range_by_rank(start, end);
                    prop_assert!(same_entries(&removed, &expected), "{removed:?} vs {expected:?}");
                }
                Op::RemoveScore(range) => {
                    let (gone, kept) = model.0.drain(..).partition(|(s, _)| range.contains(*s));
                    let gone: Vec<_> = gone;
                    model.0 = kept;
                    let removed = list.remove_range_by_score(&range);
                    prop_assert!(same_entries(&removed, &gone), "{range:?}: {removed:?} vs {gone:?}");
                }
                Op::RemoveLex(range) if model.scores_all_tie() => {
                    let (gone, kept) = model.0.drain(..).partition(|(_, m)| range.contains(m));
                    let gone: Vec<_> = gone;
                    model.0 = kept;
                    let removed = list.remove_range_by_lex(&range);
                    prop_assert!(same_entries(&removed, &gone), "{range:?}: {removed:?} vs {gone:?}");
                }
                Op::RemoveLex(_) => {}
                Op::Query { score, lex, rank, probe } => {
                    let in_score = model.matching(|(s, _)| score.contains(*s));
                    prop_assert_eq!(list.first_in_score_range(&score), in_score.first().copied());
                    prop_assert_eq!(list.last_in_score_range(&score), in_score.last().copied());
                    prop_assert_eq!(list.count_in_score_range(&score), in_score.len());
                    let (first, last, count) =
                        (list.first_in_lex_range(&lex), list.last_in_lex_range(&lex), list.count_in_lex_range(&lex));
                    if model.scores_all_tie() {
                        let in_lex = model.matching(|(_, m)| lex.contains(m));
                        prop_assert_eq!(first, in_lex.first().copied(), "{:?}", lex);
                        prop_assert_eq!(last, in_lex.last().copied(), "{:?}", lex);
                        prop_assert_eq!(count, in_lex.len());
                    }
                    let from = model.0.get(rank..).unwrap_or_default();
                    prop_assert!(same_entries(&owned(list.iter_from_rank(rank)), from));
                    let mut down: Vec<_> = model.0.get(..=rank).unwrap_or_default().to_vec();
                    if rank >= model.0.len() {
                        down.clear();
                    }
                    down.reverse();
                    prop_assert!(same_entries(&owned(list.rev_iter_from_rank(rank)), &down));
                    let (s, m) = probe;
                    let expected = model.0.iter().position(|(ms, mm)| *ms == s && *mm == m);
                    prop_assert_eq!(list.rank(s, &m), expected);
                }
            }
            assert_invariants(&list);
            prop_assert_eq!(list.len(), model.0.len());
            prop_assert!(same_entries(&owned(list.iter()), &model.0));
            for (i, (score, member)) in model.0.iter().enumerate() {
                prop_assert_eq!(list.rank(*score, member), Some(i));
                let (s, m) = list.get_by_rank(i).unwrap();
                prop_assert!(s.to_bits() == score.to_bits() && m == member.as_slice());
            }
            prop_assert_eq!(list.get_by_rank(model.0.len()), None);
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn skiplist_random_ops_with_mixed_scores_match_sorted_vec_model(
            ops in prop::collection::vec(op(mixed_score()), 1..150),
            seed in any::<u64>(),
        ) {
            run_ops(ops, seed)?;
        }

        #[test]
        fn skiplist_random_ops_with_tied_scores_match_sorted_vec_model(
            ops in prop::collection::vec(op(tied_score()), 1..150),
            seed in any::<u64>(),
        ) {
            run_ops(ops, seed)?;
        }
    }

    /// Run with `cargo test -p ferrokey-core --release --lib skiplist -- --ignored --nocapture`.
    #[test]
    #[ignore = "benchmark: prints timings"]
    fn skiplist_one_million_inserts_stay_logarithmic() {
        use std::time::Instant;
        for n in [100_000usize, 1_000_000] {
            let mut list = SkipList::new(42);
            let mut rng = 0x1234_5678_9ABC_DEF0u64;
            let mut next = move || {
                rng = splitmix64(rng);
                rng
            };
            let entries: Vec<(f64, Vec<u8>)> = (0..n)
                .map(|i| ((next() % 1_000_000) as f64, format!("member:{i}:{}", next() % 1000).into_bytes()))
                .collect();
            let started = Instant::now();
            for (score, member) in &entries {
                list.insert(*score, member.clone());
            }
            let insert = started.elapsed();
            let started = Instant::now();
            for (score, member) in &entries {
                assert!(list.rank(*score, member).is_some());
            }
            let rank = started.elapsed();
            let started = Instant::now();
            for i in (0..n).step_by(7) {
                assert!(list.get_by_rank(i).is_some());
            }
            let by_rank = started.elapsed() * 7;
            let arena =
                list.nodes.len() * std::mem::size_of::<Node>() + list.upper_links.len() * std::mem::size_of::<Link>();
            let started = Instant::now();
            for (score, member) in &entries {
                assert!(list.remove(*score, member));
            }
            let remove = started.elapsed();
            let per = |d: std::time::Duration| d.as_nanos() as f64 / n as f64;
            println!(
                "n={n}: insert {:?} ({:.0} ns/op), rank {:.0} ns/op, get_by_rank {:.0} ns/op, \
                 remove {:.0} ns/op, arena {:.1} bytes/element",
                insert,
                per(insert),
                per(rank),
                per(by_rank),
                per(remove),
                arena as f64 / n as f64
            );
        }
    }
}
