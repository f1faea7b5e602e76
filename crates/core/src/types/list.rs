//! Lists, in Valkey's two encodings: one packed buffer while the list is small (`listpack`) and a
//! chain of packed nodes once it outgrows `list-max-listpack-size` (`quicklist`).
//!
//! A packed buffer ([`Pack`]) stores each element as `[length varint][bytes][length varint, reversed]`:
//! two bytes of overhead for an element under 128 bytes (a `ByteStr` per element would cost 24), and
//! the trailing length lets it be walked from either end, as Valkey's listpack back-length does.
//!
//! The encoding thresholds are defined by Valkey in bytes of *its* listpack format, so each buffer also
//! tracks the size Valkey's listpack would have (`lp_bytes`); conversions, node splits and merges then
//! happen where Valkey's do (see `t_list.c` listTypeTryConversion and `quicklist.c` _quicklistInsert).
//!
//! The list does not read the configuration: operations that may grow or split nodes take `fill`, the
//! value of `list-max-listpack-size` (positive: entries per node; -1..-5: 4..64 KiB per node).

use crate::num::parse_i64;
use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;

/// Which end of a list to push to or pop from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The left end, index 0 (LPUSH, LPOP, `LEFT`).
    Head,
    /// The right end, index -1 (RPUSH, RPOP, `RIGHT`).
    Tail,
}

/// Where LINSERT puts the new element relative to the pivot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

#[derive(Debug, Clone)]
pub struct List {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    /// One buffer for the whole list (Valkey's `listpack` encoding).
    Listpack(Pack),
    /// A chain of buffers, each within the node limits (Valkey's `quicklist` encoding).
    Quicklist(Quicklist),
}

impl Default for List {
    fn default() -> Self {
        List::new()
    }
}

impl List {
    pub fn new() -> List {
        List { repr: Repr::Listpack(Pack::new()) }
    }

    /// A list of `values`, head first, encoded as if they had been pushed one by one.
    pub fn from_values<I, B>(values: I, fill: i64) -> List
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        let mut list = List::new();
        for v in values {
            let v = v.as_ref();
            list.make_room(1, v.len(), fill);
            list.push(End::Tail, v, fill);
        }
        list
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(p) => p.count,
            Repr::Quicklist(q) => q.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Quicklist(_) => "quicklist",
        }
    }

    /// Approximate bytes this list owns (MEMORY USAGE): the list header and every buffer.
    pub fn memory_usage(&self) -> usize {
        let header = std::mem::size_of::<List>();
        match &self.repr {
            Repr::Listpack(p) => header + p.buf.capacity(),
            Repr::Quicklist(q) => {
                header
                    + q.nodes.capacity() * std::mem::size_of::<Pack>()
                    + q.nodes.iter().map(|n| n.buf.capacity()).sum::<usize>()
            }
        }
    }

    /// The element at `index` (0 is the head).
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        if index >= self.len() {
            return None;
        }
        Some(match &self.repr {
            Repr::Listpack(p) => p.get(index),
            Repr::Quicklist(q) => {
                let (n, i) = q.locate(index);
                q.nodes[n].get(i)
            }
        })
    }

    /// Every element, head to tail (reversible).
    pub fn iter(&self) -> Iter<'_> {
        self.range(0, self.len())
    }

    /// The elements at indices `start..end` (clamped to the list), head to tail (reversible).
    pub fn range(&self, start: usize, end: usize) -> Iter<'_> {
        let end = end.min(self.len());
        if start >= end {
            return Iter::empty();
        }
        match &self.repr {
            Repr::Listpack(p) => Iter::within(p.iter_between(start, end), end - start),
            Repr::Quicklist(q) => q.range(start, end),
        }
    }

    /// Index of the first element equal to `value`, from the head.
    pub fn position(&self, value: &[u8]) -> Option<usize> {
        self.iter().position(|e| e == value)
    }

    /// Valkey's conversion before growing (`listTypeTryConversionAppend`): a listpack about to receive
    /// `added` elements of `added_bytes` bytes in all becomes a quicklist if it would pass the limit.
    /// Call it once before a batch of pushes, an insert or a replacement.
    pub fn make_room(&mut self, added: usize, added_bytes: usize, fill: i64) {
        let Repr::Listpack(p) = &mut self.repr else { return };
        if exceeds_limit(fill, p.lp_bytes.saturating_add(added_bytes), p.count.saturating_add(added)) {
            let p = std::mem::replace(p, Pack::new());
            let mut nodes = VecDeque::new();
            let len = p.count;
            if len > 0 {
                nodes.push_back(p);
            }
            self.repr = Repr::Quicklist(Quicklist { nodes, len });
        }
    }

    /// Valkey's conversion after shrinking (`LIST_CONV_SHRINKING`): a quicklist back to one node that is
    /// under half the limits becomes a listpack again. The half keeps a list at the boundary from
    /// converting back and forth on every push and pop.
    pub fn shrunk(&mut self, fill: i64) {
        let Repr::Quicklist(q) = &mut self.repr else { return };
        if q.nodes.len() != 1 || q.nodes[0].is_plain(fill) {
            return;
        }
        let (size_limit, count_limit) = node_limit(fill);
        let node = &q.nodes[0];
        if node.lp_bytes > size_limit / 2 || node.count > count_limit / 2 {
            return;
        }
        let node = q.nodes.pop_front().expect("one node");
        self.repr = Repr::Listpack(node);
    }

    /// Adds `value` at one end. The encoding is not changed: call [`List::make_room`] first.
    pub fn push(&mut self, end: End, value: &[u8], fill: i64) {
        match &mut self.repr {
            Repr::Listpack(p) => match end {
                End::Head => p.insert(0, value),
                End::Tail => p.insert(p.count, value),
            },
            Repr::Quicklist(q) => q.push(end, value, fill),
        }
    }

    /// Removes and returns the element at one end.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        if self.is_empty() {
            return None;
        }
        Some(match &mut self.repr {
            Repr::Listpack(p) => match end {
                End::Head => p.remove(0),
                End::Tail => p.remove(p.count - 1),
            },
            Repr::Quicklist(q) => q.pop(end),
        })
    }

    /// Replaces the element at `index`; false if there is none.
    pub fn set(&mut self, index: usize, value: &[u8], fill: i64) -> bool {
        if index >= self.len() {
            return false;
        }
        match &mut self.repr {
            Repr::Listpack(p) => p.replace(index, value),
            Repr::Quicklist(q) => q.replace(index, value, fill),
        }
        true
    }

    /// Inserts `value` before or after the element at `pivot` (which must exist).
    pub fn insert(&mut self, pivot: usize, side: Side, value: &[u8], fill: i64) {
        assert!(pivot < self.len(), "insert pivot {pivot} out of range");
        match &mut self.repr {
            Repr::Listpack(p) => p.insert(if side == Side::After { pivot + 1 } else { pivot }, value),
            Repr::Quicklist(q) => q.insert(pivot, side, value, fill),
        }
    }

    /// Removes `count` elements starting at index `start` (clamped to the list).
    pub fn remove_range(&mut self, start: usize, count: usize) {
        let count = count.min(self.len().saturating_sub(start));
        if count == 0 {
            return;
        }
        match &mut self.repr {
            Repr::Listpack(p) => p.remove_range(start, count),
            Repr::Quicklist(q) => q.remove_range(start, count),
        }
    }

    /// Removes up to `limit` elements equal to `value` (0: all of them), scanning from the head or,
    /// with `from_tail`, from the tail. Returns how many were removed.
    pub fn remove_matching(&mut self, value: &[u8], limit: usize, from_tail: bool) -> usize {
        match &mut self.repr {
            Repr::Listpack(p) => p.remove_matching(value, limit, from_tail),
            Repr::Quicklist(q) => q.remove_matching(value, limit, from_tail),
        }
    }
}

// -- limits -------------------------------------------------------------------------------------------

/// Node byte limits for fill -1..-5 (smaller values count as -5).
const NEG_FILL_SIZES: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// The byte limit of a node when the fill is an entry count.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// What Valkey assumes one more entry adds to a listpack besides its bytes.
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// Bytes of an empty Valkey listpack: a 6-byte header and the end marker.
const LP_EMPTY_BYTES: usize = 7;

/// (byte limit, entry limit) of one node for `fill`; `usize::MAX` where there is none.
fn node_limit(fill: i64) -> (usize, usize) {
    if fill >= 0 {
        (usize::MAX, if fill == 0 { 1 } else { usize::try_from(fill).unwrap_or(usize::MAX) })
    } else {
        let level = usize::try_from(fill.unsigned_abs() - 1).unwrap_or(usize::MAX).min(NEG_FILL_SIZES.len() - 1);
        (NEG_FILL_SIZES[level], usize::MAX)
    }
}

/// A node (or a listpack) of `bytes` and `count` entries would be over the limits.
fn exceeds_limit(fill: i64, bytes: usize, count: usize) -> bool {
    let (size_limit, count_limit) = node_limit(fill);
    if size_limit != usize::MAX {
        bytes > size_limit
    } else {
        bytes > SIZE_SAFETY_LIMIT || count > count_limit
    }
}

/// An element this big gets a node of its own (Valkey's "plain" node).
fn is_large(len: usize, fill: i64) -> bool {
    if fill >= 0 {
        len > SIZE_SAFETY_LIMIT
    } else {
        len > node_limit(fill).0
    }
}

/// Bytes `value` takes in a Valkey listpack: its encoding (integers are stored as such) plus the
/// back-length.
fn lp_entry_size(value: &[u8]) -> usize {
    let encoded = match parse_i64(value) {
        Some(0..=127) => 1,
        Some(-4096..=4095) => 2,
        Some(-32768..=32767) => 3,
        Some(-8_388_608..=8_388_607) => 4,
        Some(-2_147_483_648..=2_147_483_647) => 5,
        Some(_) => 9,
        None if value.len() < 64 => 1 + value.len(),
        None if value.len() < 4096 => 2 + value.len(),
        None => 5 + value.len(),
    };
    let backlen = match encoded {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    };
    encoded + backlen
}

// -- Pack: one buffer of entries ------------------------------------------------------------------------

#[derive(Clone)]
struct Pack {
    /// Entries: `[len varint][bytes][len varint, bytes reversed]`.
    buf: Vec<u8>,
    count: usize,
    /// The size Valkey's listpack holding these entries would have.
    lp_bytes: usize,
}

impl fmt::Debug for Pack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter_between(0, self.count).map(String::from_utf8_lossy)).finish()
    }
}

/// Writes `n` as LEB128 into `out`; returns the byte count.
fn encode_varint(mut n: usize, out: &mut [u8; 10]) -> usize {
    let mut i = 0;
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out[i] = low;
            return i + 1;
        }
        out[i] = low | 0x80;
        i += 1;
    }
}

/// Reads a LEB128 number starting at `off`: (value, bytes).
fn read_varint(buf: &[u8], off: usize) -> (usize, usize) {
    let (mut n, mut shift, mut i) = (0usize, 0, off);
    loop {
        let b = buf[i];
        n |= usize::from(b & 0x7f) << shift;
        i += 1;
        if b & 0x80 == 0 {
            return (n, i - off);
        }
        shift += 7;
    }
}

/// Reads a reversed LEB128 number ending just before `end`: (value, bytes).
fn read_varint_back(buf: &[u8], end: usize) -> (usize, usize) {
    let (mut n, mut shift, mut i) = (0usize, 0, end);
    loop {
        i -= 1;
        let b = buf[i];
        n |= usize::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return (n, end - i);
        }
        shift += 7;
    }
}

impl Pack {
    fn new() -> Pack {
        Pack { buf: Vec::new(), count: 0, lp_bytes: LP_EMPTY_BYTES }
    }

    fn single(value: &[u8]) -> Pack {
        let mut p = Pack::new();
        p.insert(0, value);
        p
    }

    /// The entry starting at `off`: (its bytes' range, the offset of the next entry).
    fn entry_at(&self, off: usize) -> (Range<usize>, usize) {
        let (len, hdr) = read_varint(&self.buf, off);
        let start = off + hdr;
        (start..start + len, start + len + hdr)
    }

    /// The entry ending at `end`: (its bytes' range, the offset where it starts).
    fn entry_before(&self, end: usize) -> (Range<usize>, usize) {
        let (len, hdr) = read_varint_back(&self.buf, end);
        let stop = end - hdr;
        (stop - len..stop, stop - len - hdr)
    }

    /// Byte offset of entry `index` (`count` gives the end), walking from the nearer end.
    fn offset_of(&self, index: usize) -> usize {
        if index <= self.count / 2 {
            (0..index).fold(0, |off, _| self.entry_at(off).1)
        } else {
            (index..self.count).fold(self.buf.len(), |end, _| self.entry_before(end).1)
        }
    }

    fn get(&self, index: usize) -> &[u8] {
        let (r, _) = self.entry_at(self.offset_of(index));
        &self.buf[r]
    }

    fn first_len(&self) -> usize {
        read_varint(&self.buf, 0).0
    }

    /// Puts the encoded `value` in place of the bytes `at`: the bytes after them move once (as
    /// listpack's memmove does), and the buffer grows by a quarter at a time rather than doubling, so a
    /// full 8 KB node holds about as much memory as Valkey's reallocated listpack, not 16 KB.
    fn splice_entry(&mut self, at: Range<usize>, value: &[u8]) {
        let mut hdr = [0u8; 10];
        let n = encode_varint(value.len(), &mut hdr);
        let mut back = hdr;
        back[..n].reverse();
        let entry_len = 2 * n + value.len();
        let old_len = self.buf.len();
        let new_len = old_len - at.len() + entry_len;
        if new_len > old_len {
            if new_len > self.buf.capacity() {
                self.buf.reserve_exact((new_len - old_len).max(old_len / 4));
            }
            self.buf.resize(new_len, 0);
        }
        self.buf.copy_within(at.end..old_len, at.start + entry_len);
        self.buf.truncate(new_len);
        let mut p = at.start;
        for part in [&hdr[..n], value, &back[..n]] {
            self.buf[p..p + part.len()].copy_from_slice(part);
            p += part.len();
        }
    }

    fn insert(&mut self, index: usize, value: &[u8]) {
        let off = if index == self.count { self.buf.len() } else { self.offset_of(index) };
        self.splice_entry(off..off, value);
        self.count += 1;
        self.lp_bytes += lp_entry_size(value);
    }

    fn remove(&mut self, index: usize) -> Vec<u8> {
        let off = self.offset_of(index);
        let (r, next) = self.entry_at(off);
        let value = self.buf[r].to_vec();
        self.buf.drain(off..next);
        self.count -= 1;
        self.lp_bytes -= lp_entry_size(&value);
        value
    }

    fn replace(&mut self, index: usize, value: &[u8]) {
        let off = self.offset_of(index);
        let (r, next) = self.entry_at(off);
        self.lp_bytes -= lp_entry_size(&self.buf[r]);
        self.splice_entry(off..next, value);
        self.lp_bytes += lp_entry_size(value);
    }

    fn remove_range(&mut self, index: usize, n: usize) {
        let start = self.offset_of(index);
        let mut end = start;
        for _ in 0..n {
            let (r, next) = self.entry_at(end);
            self.lp_bytes -= lp_entry_size(&self.buf[r]);
            end = next;
        }
        self.buf.drain(start..end);
        self.count -= n;
    }

    /// Keeps entries `..index` and returns the rest as a new buffer.
    fn split_off(&mut self, index: usize) -> Pack {
        let off = self.offset_of(index);
        let tail_buf = self.buf.split_off(off);
        let mut tail = Pack { buf: tail_buf, count: self.count - index, lp_bytes: LP_EMPTY_BYTES };
        let entries: usize = tail.iter_between(0, tail.count).map(lp_entry_size).sum();
        tail.lp_bytes += entries;
        self.count = index;
        self.lp_bytes -= tail.lp_bytes - LP_EMPTY_BYTES;
        self.buf.shrink_to_fit();
        tail
    }

    /// Appends every entry of `other`.
    fn append(&mut self, other: Pack) {
        self.buf.extend_from_slice(&other.buf);
        self.count += other.count;
        self.lp_bytes += other.lp_bytes - LP_EMPTY_BYTES;
    }

    fn remove_matching(&mut self, value: &[u8], limit: usize, from_tail: bool) -> usize {
        // Byte spans of the entries to drop, found in scan order, then compacted in one pass.
        let mut spans: Vec<Range<usize>> = Vec::new();
        if from_tail {
            let mut end = self.buf.len();
            while end > 0 && (limit == 0 || spans.len() < limit) {
                let (r, start) = self.entry_before(end);
                if &self.buf[r] == value {
                    spans.push(start..end);
                }
                end = start;
            }
            spans.reverse();
        } else {
            let mut off = 0;
            while off < self.buf.len() && (limit == 0 || spans.len() < limit) {
                let (r, next) = self.entry_at(off);
                if &self.buf[r] == value {
                    spans.push(off..next);
                }
                off = next;
            }
        }
        if spans.is_empty() {
            return 0;
        }
        let mut write = spans[0].start;
        for (i, span) in spans.iter().enumerate() {
            let keep_until = spans.get(i + 1).map_or(self.buf.len(), |s| s.start);
            self.buf.copy_within(span.end..keep_until, write);
            write += keep_until - span.end;
        }
        self.buf.truncate(write);
        self.count -= spans.len();
        self.lp_bytes -= spans.len() * lp_entry_size(value);
        spans.len()
    }

    /// Entries `from..to`.
    fn iter_between(&self, from: usize, to: usize) -> PackIter<'_> {
        let front = self.offset_of(from);
        let back = if to == self.count { self.buf.len() } else { self.offset_of(to) };
        PackIter { pack: self, front, back }
    }

    /// A node holding one element too large to share (Valkey's plain node).
    fn is_plain(&self, fill: i64) -> bool {
        self.count == 1 && is_large(self.first_len(), fill)
    }
}

/// Entries of one buffer between two byte offsets.
#[derive(Clone)]
struct PackIter<'a> {
    pack: &'a Pack,
    front: usize,
    back: usize,
}

impl<'a> Iterator for PackIter<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.front >= self.back {
            return None;
        }
        let (r, next) = self.pack.entry_at(self.front);
        self.front = next;
        Some(&self.pack.buf[r])
    }
}

impl<'a> DoubleEndedIterator for PackIter<'a> {
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.front >= self.back {
            return None;
        }
        let (r, start) = self.pack.entry_before(self.back);
        self.back = start;
        Some(&self.pack.buf[r])
    }
}

// -- Quicklist: a chain of buffers ----------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Quicklist {
    nodes: VecDeque<Pack>,
    /// Elements in all nodes.
    len: usize,
}

impl Quicklist {
    /// (node, index within it) of element `index`, walking from the nearer end.
    fn locate(&self, index: usize) -> (usize, usize) {
        if index < self.len / 2 {
            let mut i = index;
            for (n, node) in self.nodes.iter().enumerate() {
                if i < node.count {
                    return (n, i);
                }
                i -= node.count;
            }
        } else {
            let mut from_end = self.len - index;
            for (n, node) in self.nodes.iter().enumerate().rev() {
                if from_end <= node.count {
                    return (n, node.count - from_end);
                }
                from_end -= node.count;
            }
        }
        unreachable!("index {index} within a quicklist of {}", self.len)
    }

    /// Node `n` exists and can take one more element of `len` bytes (`_quicklistNodeAllowInsert`).
    fn allows_insert(&self, n: Option<usize>, len: usize, fill: i64) -> bool {
        let Some(node) = n.and_then(|n| self.nodes.get(n)) else { return false };
        !node.is_plain(fill)
            && !is_large(len, fill)
            && !exceeds_limit(fill, node.lp_bytes + len + SIZE_ESTIMATE_OVERHEAD, node.count + 1)
    }

    /// Nodes `a` and `b` may become one (`_quicklistNodeAllowMerge`).
    fn allows_merge(&self, a: usize, b: usize, fill: i64) -> bool {
        let (Some(x), Some(y)) = (self.nodes.get(a), self.nodes.get(b)) else { return false };
        !x.is_plain(fill)
            && !y.is_plain(fill)
            && !exceeds_limit(fill, (x.lp_bytes + y.lp_bytes).saturating_sub(LP_EMPTY_BYTES), x.count + y.count)
    }

    /// Merges node `a + 1` into node `a`.
    fn merge(&mut self, a: usize) {
        let b = self.nodes.remove(a + 1).expect("node to merge");
        self.nodes[a].append(b);
    }

    /// After a split, merges the neighbours of `center` where the limits allow (`_quicklistMergeNodes`).
    fn merge_around(&mut self, center: usize, fill: i64) {
        let mut center = center;
        if center >= 2 && self.allows_merge(center - 2, center - 1, fill) {
            self.merge(center - 2);
            center -= 1;
        }
        if self.allows_merge(center + 1, center + 2, fill) {
            self.merge(center + 1);
        }
        let mut target = center;
        if center >= 1 && self.allows_merge(center - 1, center, fill) {
            self.merge(center - 1);
            target = center - 1;
        }
        if self.allows_merge(target, target + 1, fill) {
            self.merge(target);
        }
    }

    /// A full node gets no more pushes: give back the growth slack of its buffer.
    fn seal(&mut self, n: usize) {
        if let Some(node) = self.nodes.get_mut(n) {
            node.buf.shrink_to_fit();
        }
    }

    fn push(&mut self, end: End, value: &[u8], fill: i64) {
        let edge = match end {
            End::Head => 0,
            End::Tail => self.nodes.len().wrapping_sub(1),
        };
        if self.allows_insert(Some(edge), value.len(), fill) {
            let node = &mut self.nodes[edge];
            let at = if end == End::Head { 0 } else { node.count };
            node.insert(at, value);
        } else {
            self.seal(edge);
            match end {
                End::Head => self.nodes.push_front(Pack::single(value)),
                End::Tail => self.nodes.push_back(Pack::single(value)),
            }
        }
        self.len += 1;
    }

    fn pop(&mut self, end: End) -> Vec<u8> {
        let n = match end {
            End::Head => 0,
            End::Tail => self.nodes.len() - 1,
        };
        let node = &mut self.nodes[n];
        let value = node.remove(if end == End::Head { 0 } else { node.count - 1 });
        if node.count == 0 {
            self.nodes.remove(n);
        }
        self.len -= 1;
        value
    }

    /// Inserts next to element `pivot`, choosing the node as `_quicklistInsert` does.
    fn insert(&mut self, pivot: usize, side: Side, value: &[u8], fill: i64) {
        let (n, i) = self.locate(pivot);
        let after = side == Side::After;
        let node_count = self.nodes[n].count;
        let full = !self.allows_insert(Some(n), value.len(), fill);
        let at_tail = after && i == node_count - 1;
        let at_head = !after && i == 0;
        let avail_next = at_tail && self.allows_insert(Some(n + 1), value.len(), fill);
        let avail_prev = at_head && n > 0 && self.allows_insert(Some(n - 1), value.len(), fill);
        self.len += 1;
        let here = if after { i + 1 } else { i };
        let beside = if after { n + 1 } else { n };

        if is_large(value.len(), fill) {
            if self.nodes[n].is_plain(fill) || at_tail || at_head {
                self.nodes.insert(beside, Pack::single(value));
            } else {
                // Split around the pivot and put the element in a node of its own between the halves.
                let right = self.nodes[n].split_off(here);
                self.nodes.insert(n + 1, Pack::single(value));
                self.nodes.insert(n + 2, right);
            }
            return;
        }
        if !full {
            self.nodes[n].insert(here, value);
        } else if at_tail && avail_next {
            self.nodes[n + 1].insert(0, value);
        } else if at_head && avail_prev {
            let prev = &mut self.nodes[n - 1];
            prev.insert(prev.count, value);
        } else if at_tail || at_head {
            self.nodes.insert(beside, Pack::single(value));
        } else {
            // A full node: split it at the pivot; the element joins the half on its side.
            let mut right = self.nodes[n].split_off(here);
            if after {
                right.insert(0, value);
            } else {
                let left = &mut self.nodes[n];
                left.insert(left.count, value);
            }
            self.nodes.insert(n + 1, right);
            // Valkey merges around the node that held the pivot: the left half after AFTER, the right
            // one after BEFORE (its split moves the part before the pivot into a new node).
            self.merge_around(if after { n } else { n + 1 }, fill);
        }
    }

    /// Replaces element `index`, as `quicklistReplaceEntry` does.
    fn replace(&mut self, index: usize, value: &[u8], fill: i64) {
        let (n, i) = self.locate(index);
        let large = is_large(value.len(), fill);
        if !self.nodes[n].is_plain(fill) && !large {
            self.nodes[n].replace(i, value);
        } else if self.nodes[n].is_plain(fill) {
            if large {
                self.nodes[n] = Pack::single(value);
            } else {
                // The element leaves its own node: Valkey inserts it after the node (at the head of the
                // next one if that has room) and drops the node.
                self.nodes.remove(n);
                if self.allows_insert(Some(n), value.len(), fill) {
                    self.nodes[n].insert(0, value);
                } else {
                    self.nodes.insert(n, Pack::single(value));
                }
            }
        } else {
            // A large element into a shared node: the node is split after the entry, the element gets
            // a node of its own between the halves, and the old entry (now last of the left half) goes.
            let right = (i + 1 < self.nodes[n].count).then(|| self.nodes[n].split_off(i + 1));
            self.nodes.insert(n + 1, Pack::single(value));
            if let Some(right) = right {
                self.nodes.insert(n + 2, right);
            }
            if self.nodes[n].count == 1 {
                self.nodes.remove(n);
            } else {
                let left = &mut self.nodes[n];
                left.remove(left.count - 1);
                self.merge_around(n + 1, fill);
            }
        }
    }

    fn remove_range(&mut self, start: usize, count: usize) {
        let (mut n, i) = self.locate(start);
        let mut left = count;
        let mut i = i;
        while left > 0 {
            let node = &mut self.nodes[n];
            let take = left.min(node.count - i);
            if take == node.count {
                self.nodes.remove(n);
            } else {
                node.remove_range(i, take);
                n += 1;
            }
            left -= take;
            i = 0;
        }
        self.len -= count;
    }

    fn remove_matching(&mut self, value: &[u8], limit: usize, from_tail: bool) -> usize {
        let mut removed = 0;
        let order: Vec<usize> =
            if from_tail { (0..self.nodes.len()).rev().collect() } else { (0..self.nodes.len()).collect() };
        for n in order {
            let budget = if limit == 0 { 0 } else { limit - removed };
            removed += self.nodes[n].remove_matching(value, budget, from_tail);
            if limit != 0 && removed == limit {
                break;
            }
        }
        self.nodes.retain(|node| node.count > 0);
        self.len -= removed;
        removed
    }

    fn range(&self, start: usize, end: usize) -> Iter<'_> {
        let (first, i) = self.locate(start);
        let (last, j) = self.locate(end - 1);
        if first == last {
            return Iter::within(self.nodes[first].iter_between(i, j + 1), end - start);
        }
        let front = self.nodes[first].iter_between(i, self.nodes[first].count);
        let back = self.nodes[last].iter_between(0, j + 1);
        // Nodes strictly between, as the two slices of the ring buffer.
        let (a, b) = self.nodes.as_slices();
        let (lo, hi) = (first + 1, last);
        let middle = a[lo.min(a.len())..hi.min(a.len())]
            .iter()
            .chain(b[lo.saturating_sub(a.len())..hi.saturating_sub(a.len())].iter());
        Iter { front: Some(front), middle, back: Some(back), left: end - start }
    }
}

// -- iteration ----------------------------------------------------------------------------------------

type Nodes<'a> = std::iter::Chain<std::slice::Iter<'a, Pack>, std::slice::Iter<'a, Pack>>;

fn no_nodes<'a>() -> Nodes<'a> {
    let none: &'a [Pack] = &[];
    none.iter().chain(none.iter())
}

/// Elements of a list or of a range of it, in order; `rev()` walks it backwards.
#[derive(Clone)]
pub struct Iter<'a> {
    front: Option<PackIter<'a>>,
    middle: Nodes<'a>,
    back: Option<PackIter<'a>>,
    left: usize,
}

impl<'a> Iter<'a> {
    fn empty() -> Iter<'a> {
        Iter { front: None, middle: no_nodes(), back: None, left: 0 }
    }

    fn within(only: PackIter<'a>, len: usize) -> Iter<'a> {
        Iter { front: Some(only), middle: no_nodes(), back: None, left: len }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        loop {
            if let Some(v) = self.front.as_mut().and_then(Iterator::next) {
                self.left -= 1;
                return Some(v);
            }
            match self.middle.next() {
                Some(node) => self.front = Some(node.iter_between(0, node.count)),
                None => {
                    let v = self.back.as_mut().and_then(Iterator::next)?;
                    self.left -= 1;
                    return Some(v);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        loop {
            if let Some(v) = self.back.as_mut().and_then(DoubleEndedIterator::next_back) {
                self.left -= 1;
                return Some(v);
            }
            match self.middle.next_back() {
                Some(node) => self.back = Some(node.iter_between(0, node.count)),
                None => {
                    let v = self.front.as_mut().and_then(DoubleEndedIterator::next_back)?;
                    self.left -= 1;
                    return Some(v);
                }
            }
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &List) -> Vec<String> {
        l.iter().map(|v| String::from_utf8_lossy(v).into_owned()).collect()
    }

    fn nodes(l: &List) -> Vec<usize> {
        match &l.repr {
            Repr::Listpack(p) => vec![p.count],
            Repr::Quicklist(q) => q.nodes.iter().map(|n| n.count).collect(),
        }
    }

    fn check(l: &List) {
        if let Repr::Quicklist(q) = &l.repr {
            assert_eq!(q.len, q.nodes.iter().map(|n| n.count).sum::<usize>());
            assert!(q.nodes.iter().all(|n| n.count > 0), "empty node in {:?}", q.nodes);
        }
        let fwd: Vec<&[u8]> = l.iter().collect();
        let mut back: Vec<&[u8]> = l.iter().rev().collect();
        back.reverse();
        assert_eq!(fwd, back);
        assert_eq!(fwd.len(), l.len());
        for (i, v) in fwd.iter().enumerate() {
            assert_eq!(l.get(i), Some(*v));
        }
        let lp: usize = match &l.repr {
            Repr::Listpack(p) => p.lp_bytes,
            Repr::Quicklist(q) => q.nodes.iter().map(|n| n.lp_bytes - LP_EMPTY_BYTES).sum::<usize>() + LP_EMPTY_BYTES,
        };
        assert_eq!(lp, LP_EMPTY_BYTES + fwd.iter().map(|v| lp_entry_size(v)).sum::<usize>());
    }

    #[test]
    fn lp_entry_size_matches_valkey_listpack() {
        assert_eq!(lp_entry_size(b"0"), 2);
        assert_eq!(lp_entry_size(b"127"), 2);
        assert_eq!(lp_entry_size(b"128"), 3);
        assert_eq!(lp_entry_size(b"-4096"), 3);
        assert_eq!(lp_entry_size(b"32767"), 4);
        assert_eq!(lp_entry_size(b"8388607"), 5);
        assert_eq!(lp_entry_size(b"2147483647"), 6);
        assert_eq!(lp_entry_size(b"9223372036854775807"), 10);
        assert_eq!(lp_entry_size(b"01"), 4);
        assert_eq!(lp_entry_size(&[b'x'; 63]), 65);
        assert_eq!(lp_entry_size(&[b'x'; 64]), 67);
        assert_eq!(lp_entry_size(&[b'x'; 125]), 128);
        assert_eq!(lp_entry_size(&[b'x'; 4096]), 4103);
    }

    #[test]
    fn list_push_pop_both_ends_keeps_order() {
        let mut l = List::new();
        for v in ["b", "c"] {
            l.push(End::Tail, v.as_bytes(), -2);
        }
        l.push(End::Head, b"a", -2);
        assert_eq!(items(&l), ["a", "b", "c"]);
        assert_eq!(l.pop(End::Tail).unwrap(), b"c");
        assert_eq!(l.pop(End::Head).unwrap(), b"a");
        assert_eq!(l.pop(End::Head).unwrap(), b"b");
        assert_eq!(l.pop(End::Head), None);
        assert_eq!(l.encoding(), "listpack");
    }

    #[test]
    fn list_count_fill_converts_and_splits_nodes() {
        let mut l = List::new();
        for i in 0..10 {
            let v = i.to_string();
            l.make_room(1, v.len(), 3);
            l.push(End::Tail, v.as_bytes(), 3);
            check(&l);
        }
        assert_eq!(l.encoding(), "quicklist");
        assert_eq!(nodes(&l), [3, 3, 3, 1]);
        l.remove_range(1, 7);
        check(&l);
        assert_eq!(items(&l), ["0", "8", "9"]);
        l.shrunk(3);
        assert_eq!(l.encoding(), "quicklist");
        l.pop(End::Tail);
        l.pop(End::Tail);
        l.shrunk(3);
        assert_eq!(l.encoding(), "listpack");
        assert_eq!(items(&l), ["0"]);
    }

    #[test]
    fn list_large_element_gets_its_own_node() {
        let big = vec![b'x'; 9000];
        let mut l = List::from_values(["a", "b", "c"], -2);
        assert_eq!(l.encoding(), "listpack");
        l.make_room(1, big.len(), -2);
        l.push(End::Tail, &big, -2);
        assert_eq!(l.encoding(), "quicklist");
        assert_eq!(nodes(&l), [3, 1]);
        l.insert(1, Side::After, &big, -2);
        check(&l);
        assert_eq!(nodes(&l), [2, 1, 1, 1]);
        l.set(2, b"small", -2);
        check(&l);
        assert_eq!(l.get(2), Some(&b"small"[..]));
        l.set(0, &big, -2);
        check(&l);
        assert_eq!(l.get(0), Some(&big[..]));
        assert_eq!(l.len(), 5);
    }

    #[test]
    fn list_insert_into_full_nodes_splits_and_keeps_order() {
        let mut l = List::new();
        let mut model: Vec<String> = Vec::new();
        for i in 0..40 {
            let v = format!("v{i}");
            l.make_room(1, v.len(), 4);
            l.push(End::Tail, v.as_bytes(), 4);
            model.push(v);
        }
        for k in 0..60usize {
            let pivot = (k * 7) % model.len();
            let side = if k % 2 == 0 { Side::Before } else { Side::After };
            let v = format!("i{k}");
            l.insert(pivot, side, v.as_bytes(), 4);
            model.insert(if side == Side::After { pivot + 1 } else { pivot }, v);
            check(&l);
            assert_eq!(items(&l), model);
        }
    }

    #[test]
    fn list_remove_matching_from_either_end() {
        let mut l = List::new();
        for v in ["a", "x", "b", "x", "c", "x", "d", "x"] {
            l.make_room(1, 1, 3);
            l.push(End::Tail, v.as_bytes(), 3);
        }
        assert_eq!(l.remove_matching(b"x", 2, true), 2);
        assert_eq!(items(&l), ["a", "x", "b", "x", "c", "d"]);
        assert_eq!(l.remove_matching(b"x", 1, false), 1);
        assert_eq!(items(&l), ["a", "b", "x", "c", "d"]);
        assert_eq!(l.remove_matching(b"x", 0, false), 1);
        check(&l);
        assert_eq!(items(&l), ["a", "b", "c", "d"]);
    }

    #[test]
    fn list_range_walks_both_ways_across_nodes() {
        let mut l = List::new();
        for i in 0..20 {
            let v = i.to_string();
            l.make_room(1, v.len(), 3);
            l.push(End::Tail, v.as_bytes(), 3);
        }
        for (s, e) in [(0, 20), (2, 9), (4, 5), (5, 5), (17, 40)] {
            let want: Vec<String> = (s..e.min(20)).map(|i: usize| i.to_string()).collect();
            let got: Vec<String> = l.range(s, e).map(|v| String::from_utf8_lossy(v).into_owned()).collect();
            assert_eq!(got, want);
            let mut back: Vec<String> = l.range(s, e).rev().map(|v| String::from_utf8_lossy(v).into_owned()).collect();
            back.reverse();
            assert_eq!(back, want);
            assert_eq!(l.range(s, e).len(), want.len());
        }
    }

    #[test]
    fn list_random_operations_match_a_vecdeque_model() {
        use rand::{Rng, SeedableRng};
        for fill in [-2i64, -1, 1, 3, 5] {
            let mut rng = rand::rngs::SmallRng::seed_from_u64(fill.unsigned_abs());
            let mut l = List::new();
            let mut model: VecDeque<Vec<u8>> = VecDeque::new();
            for _ in 0..3000 {
                let v: Vec<u8> = if rng.random_bool(0.1) {
                    vec![b'x'; rng.random_range(0..10000)]
                } else {
                    rng.random_range(0..1000).to_string().into_bytes()
                };
                match rng.random_range(0..8) {
                    0 | 1 => {
                        let end = if rng.random_bool(0.5) { End::Head } else { End::Tail };
                        l.make_room(1, v.len(), fill);
                        l.push(end, &v, fill);
                        if end == End::Head {
                            model.push_front(v)
                        } else {
                            model.push_back(v)
                        }
                    }
                    2 => {
                        let end = if rng.random_bool(0.5) { End::Head } else { End::Tail };
                        let want = if end == End::Head { model.pop_front() } else { model.pop_back() };
                        assert_eq!(l.pop(end), want);
                        l.shrunk(fill);
                    }
                    3 if !model.is_empty() => {
                        let i = rng.random_range(0..model.len());
                        l.make_room(1, v.len(), fill);
                        assert!(l.set(i, &v, fill));
                        model[i] = v;
                        l.shrunk(fill);
                    }
                    4 if !model.is_empty() => {
                        let i = rng.random_range(0..model.len());
                        let side = if rng.random_bool(0.5) { Side::Before } else { Side::After };
                        l.make_room(1, v.len(), fill);
                        l.insert(i, side, &v, fill);
                        model.insert(if side == Side::After { i + 1 } else { i }, v);
                    }
                    5 if !model.is_empty() => {
                        let i = rng.random_range(0..model.len());
                        let target = model[i].clone();
                        let from_tail = rng.random_bool(0.5);
                        let limit = rng.random_range(0..3);
                        let removed = l.remove_matching(&target, limit, from_tail);
                        let mut n = 0;
                        let idx: Vec<usize> =
                            if from_tail { (0..model.len()).rev().collect() } else { (0..model.len()).collect() };
                        let mut drop = vec![false; model.len()];
                        for j in idx {
                            if model[j] == target && (limit == 0 || n < limit) {
                                drop[j] = true;
                                n += 1;
                            }
                        }
                        let mut k = 0;
                        model.retain(|_| {
                            k += 1;
                            !drop[k - 1]
                        });
                        assert_eq!(removed, n);
                        l.shrunk(fill);
                    }
                    6 if !model.is_empty() => {
                        let s = rng.random_range(0..model.len());
                        let c = rng.random_range(0..4);
                        l.remove_range(s, c);
                        let c = c.min(model.len() - s);
                        model.drain(s..s + c);
                        l.shrunk(fill);
                    }
                    _ => {}
                }
                assert_eq!(l.len(), model.len());
                if rng.random_range(0..50) == 0 {
                    check(&l);
                }
            }
            check(&l);
            let got: Vec<Vec<u8>> = l.iter().map(<[u8]>::to_vec).collect();
            assert_eq!(got, Vec::from(model));
        }
    }
}
