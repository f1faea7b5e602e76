//! Streams, the data structure of Valkey's `t_stream.c`: entries ordered by ID, and consumer groups
//! with their pending entries lists.
//!
//! Entries live in nodes keyed by the ID of their first entry, as Valkey keeps them in a radix tree of
//! listpacks. A node holds up to `stream-node-max-entries` entries and about `stream-node-max-bytes`
//! bytes; its entries are packed back to back in one buffer, IDs stored as deltas from the node's
//! first ID, and an entry with the same field names as the node's first entry stores only its values
//! (Valkey's "master entry" compression). Deleting marks an entry as a tombstone; a node goes away
//! when its last live entry does. Trimming with `~` removes whole nodes only. All of this is kept the
//! way Valkey does it because it is visible: `XINFO STREAM` reports the nodes, and approximate trimming
//! stops at node boundaries, so the node splits must happen where Valkey's do. Each node therefore
//! also tracks the size Valkey's listpack would have (`stream-node-max-bytes` counts those bytes).
//!
//! Packed entry layout: `flags` byte, ms delta and seq delta (LEB128 varints), the field count unless
//! the entry has the master fields, then each (field and) value as a varint length and the bytes.
//!
//! # Persistence
//! RDB files and DUMP payloads store a stream as Valkey lays it out: each node as a listpack keyed by
//! its first ID, then the counters, then the groups (PELs with delivery times and counts, consumers
//! with seen/active times and the IDs they own). [`Entries::node_listpacks`] gives each node as the
//! exact listpack Valkey writes (tombstones included) and [`Entries::load_node`] takes one back; the
//! counters ([`Entries`]' public fields) and the groups ([`ConsumerGroup`]'s) are plain data.

use crate::bytestr::ByteStr;
use crate::rdb::listpack::{entry_size as lp_entry_size, Element, ListpackWriter};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An entry ID: milliseconds and a sequence number, ordered as the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// The next ID, or `None` after the last one (Valkey's `streamIncrID` then wraps to 0-0).
    pub fn successor(self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous ID, or `None` before 0-0.
    pub fn predecessor(self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    /// `ms-seq`, the form replies carry.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24);
        out.extend_from_slice(itoa::Buffer::new().format(self.ms).as_bytes());
        out.push(b'-');
        out.extend_from_slice(itoa::Buffer::new().format(self.seq).as_bytes());
        out
    }

    /// The 128-bit big-endian form Valkey keys its radix trees with (and RDB files store).
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.ms.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// Parses an ID as Valkey's `streamGenericParseIDOrReply` does: `ms-seq`, or `ms` alone (the sequence
/// is then `missing_seq`), `-` and `+` for the smallest and largest IDs unless `strict`, and `ms-*`
/// when `seq_star` (the sequence is then to be generated). Returns the ID and whether the sequence was
/// given (false only for `ms-*`).
pub fn parse_id(arg: &[u8], missing_seq: u64, strict: bool, seq_star: bool) -> Option<(StreamId, bool)> {
    // Valkey copies the argument into a 128-byte C string: longer is invalid, a NUL ends it.
    if arg.len() > 127 {
        return None;
    }
    let arg = &arg[..arg.iter().position(|&b| b == 0).unwrap_or(arg.len())];
    match arg {
        b"-" if !strict => return Some((StreamId::MIN, true)),
        b"+" if !strict => return Some((StreamId::MAX, true)),
        b"-" | b"+" => return None,
        _ => {}
    }
    let (ms, seq) = match arg.iter().position(|&b| b == b'-') {
        Some(dash) => (&arg[..dash], Some(&arg[dash + 1..])),
        None => (arg, None),
    };
    let ms = crate::num::parse_u64_like_strtoull(ms)?;
    match seq {
        Some(b"*") if seq_star => Some((StreamId::new(ms, 0), false)),
        Some(seq) => Some((StreamId::new(ms, crate::num::parse_u64_like_strtoull(seq)?), true)),
        None => Some((StreamId::new(ms, missing_seq), true)),
    }
}

// -- packed nodes -----------------------------------------------------------------------------------

const FLAG_DELETED: u8 = 1;
const FLAG_SAME_FIELDS: u8 = 2;
/// Valkey's cap on a listpack node, whatever `stream-node-max-bytes` says (`STREAM_LISTPACK_MAX_SIZE`).
const LISTPACK_MAX_SIZE: usize = 1 << 30;
/// A listpack's header and end byte.
const LP_EMPTY_BYTES: usize = 7;

/// How large a node may grow: the `stream-node-max-bytes` and `stream-node-max-entries` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLimits {
    /// 0 (or more than Valkey allows): 1 GiB.
    pub max_bytes: u64,
    /// 0: no limit.
    pub max_entries: u64,
}

impl Default for NodeLimits {
    fn default() -> Self {
        NodeLimits { max_bytes: 4096, max_entries: 100 }
    }
}

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn get_varint(buf: &[u8], pos: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = buf[*pos];
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

fn put_str(buf: &mut Vec<u8>, s: &[u8]) {
    put_varint(buf, s.len() as u64);
    buf.extend_from_slice(s);
}

fn get_str<'a>(buf: &'a [u8], pos: &mut usize) -> &'a [u8] {
    let len = get_varint(buf, pos) as usize;
    let s = &buf[*pos..*pos + len];
    *pos += len;
    s
}

/// Bytes a listpack entry holding the integer `n` takes.
fn lp_int_size(n: i64) -> usize {
    lp_entry_size(itoa::Buffer::new().format(n).as_bytes())
}

/// One node: a run of entries that share a master entry (Valkey's listpack in the radix tree).
#[derive(Debug, Clone)]
struct Node {
    /// The field names of the node's first entry.
    master_fields: Box<[ByteStr]>,
    data: Vec<u8>,
    /// Entries not deleted, and tombstones still in the buffer.
    live: u64,
    deleted: u64,
    /// The ID of the last entry in the node, tombstone or not.
    last_id: StreamId,
    /// Bytes of Valkey's listpack for the master fields and for the entries (the header is added by
    /// [`Node::lp_bytes`], its counters change size as they grow).
    master_lp_bytes: usize,
    entries_lp_bytes: usize,
}

/// An entry's header, decoded.
#[derive(Debug, Clone, Copy)]
struct Header {
    flags: u8,
    id: StreamId,
    fields: usize,
    /// Offset of the first field (or value) in the node's buffer.
    body: usize,
}

impl Header {
    fn same_fields(&self) -> bool {
        self.flags & FLAG_SAME_FIELDS != 0
    }

    fn deleted(&self) -> bool {
        self.flags & FLAG_DELETED != 0
    }
}

impl Node {
    fn new(id: StreamId, pairs: &[&[u8]]) -> Node {
        let fields: Vec<&[u8]> = pairs.iter().step_by(2).copied().collect();
        let mut node = Node::new_empty(id, &fields);
        node.push(id, id, pairs, true);
        node
    }

    /// A node with these master fields and no entry yet.
    fn new_empty(id: StreamId, fields: &[&[u8]]) -> Node {
        let master_fields: Box<[ByteStr]> = fields.iter().map(|f| ByteStr::new(f)).collect();
        let master_lp_bytes = master_fields.iter().map(|f| lp_entry_size(f)).sum::<usize>() + lp_int_size(0);
        Node { master_fields, data: Vec::new(), live: 0, deleted: 0, last_id: id, master_lp_bytes, entries_lp_bytes: 0 }
    }

    /// The size Valkey's listpack for this node has.
    fn lp_bytes(&self) -> usize {
        LP_EMPTY_BYTES
            + lp_int_size(self.live as i64)
            + lp_int_size(self.deleted as i64)
            + lp_int_size(self.master_fields.len() as i64)
            + self.master_lp_bytes
            + self.entries_lp_bytes
    }

    fn has_master_fields(&self, pairs: &[&[u8]]) -> bool {
        pairs.len() / 2 == self.master_fields.len()
            && pairs.iter().step_by(2).zip(self.master_fields.iter()).all(|(f, m)| *f == m.as_bytes())
    }

    /// Appends an entry; `master` is the node's key.
    fn push(&mut self, master: StreamId, id: StreamId, pairs: &[&[u8]], same_fields: bool) {
        let flags = if same_fields { FLAG_SAME_FIELDS } else { 0 };
        let ms_delta = id.ms - master.ms;
        // Valkey stores the difference as a signed 64-bit integer; it may be negative.
        let seq_delta = id.seq.wrapping_sub(master.seq);
        self.data.push(flags);
        put_varint(&mut self.data, ms_delta);
        put_varint(&mut self.data, seq_delta);
        let fields = pairs.len() / 2;
        let mut lp = lp_int_size(i64::from(flags)) + lp_int_size(ms_delta as i64) + lp_int_size(seq_delta as i64);
        if !same_fields {
            put_varint(&mut self.data, fields as u64);
            lp += lp_int_size(fields as i64);
        }
        for pair in pairs.chunks(2) {
            if !same_fields {
                put_str(&mut self.data, pair[0]);
                lp += lp_entry_size(pair[0]);
            }
            put_str(&mut self.data, pair[1]);
            lp += lp_entry_size(pair[1]);
        }
        let lp_count = if same_fields { fields + 3 } else { 2 * fields + 4 };
        lp += lp_int_size(lp_count as i64);
        self.entries_lp_bytes += lp;
        self.live += 1;
        self.last_id = id;
    }

    /// The header of the entry at `pos` and the offset of the next entry.
    fn header_at(&self, master: StreamId, pos: usize) -> (Header, usize) {
        let mut p = pos;
        let flags = self.data[p];
        p += 1;
        let ms = master.ms + get_varint(&self.data, &mut p);
        let seq = master.seq.wrapping_add(get_varint(&self.data, &mut p));
        let same = flags & FLAG_SAME_FIELDS != 0;
        let fields = if same { self.master_fields.len() } else { get_varint(&self.data, &mut p) as usize };
        let body = p;
        for _ in 0..if same { fields } else { 2 * fields } {
            let len = get_varint(&self.data, &mut p) as usize;
            p += len;
        }
        (Header { flags, id: StreamId::new(ms, seq), fields, body }, p)
    }

    /// Offsets of every entry, in order.
    fn offsets(&self, master: StreamId) -> Vec<usize> {
        let mut out = Vec::with_capacity((self.live + self.deleted) as usize);
        let mut pos = 0;
        while pos < self.data.len() {
            out.push(pos);
            pos = self.header_at(master, pos).1;
        }
        out
    }

    /// Marks the entry at `pos` deleted (it must be live).
    fn mark_deleted(&mut self, pos: usize) {
        self.data[pos] |= FLAG_DELETED;
        self.live -= 1;
        self.deleted += 1;
    }

    /// The node as Valkey's listpack: counters, master fields and a 0, then each entry as flags, ID
    /// deltas, (field count and fields,) values and the count of its elements.
    fn to_listpack(&self, master: StreamId) -> Vec<u8> {
        let mut lp = ListpackWriter::new();
        lp.push_int(self.live as i64);
        lp.push_int(self.deleted as i64);
        lp.push_int(self.master_fields.len() as i64);
        for f in self.master_fields.iter() {
            lp.push(f);
        }
        lp.push_int(0);
        let mut pos = 0;
        while pos < self.data.len() {
            let (h, next) = self.header_at(master, pos);
            lp.push_int(i64::from(h.flags));
            lp.push_int((h.id.ms - master.ms) as i64);
            lp.push_int(h.id.seq.wrapping_sub(master.seq) as i64);
            let mut p = h.body;
            if h.same_fields() {
                for _ in 0..h.fields {
                    lp.push(get_str(&self.data, &mut p));
                }
                lp.push_int(h.fields as i64 + 3);
            } else {
                lp.push_int(h.fields as i64);
                for _ in 0..2 * h.fields {
                    lp.push(get_str(&self.data, &mut p));
                }
                lp.push_int(2 * h.fields as i64 + 4);
            }
            pos = next;
        }
        lp.finish()
    }

    /// The inverse of [`Node::to_listpack`], checking what Valkey's `streamValidateListpackIntegrity`
    /// checks, and that IDs ascend.
    fn from_listpack(master: StreamId, elements: &[Element<'_>]) -> Result<Node, &'static str> {
        const BAD: &str = "malformed stream listpack";
        let mut it = elements.iter().copied();
        let int = |e: Option<Element<'_>>| -> Result<i64, &'static str> {
            match e.ok_or(BAD)? {
                Element::Int(n) => Ok(n),
                Element::Bytes(b) => crate::num::parse_i64(b).ok_or(BAD),
            }
        };
        let live = int(it.next())?;
        let deleted = int(it.next())?;
        let nfields = int(it.next())?;
        if live < 0 || deleted < 0 || nfields < 0 {
            return Err(BAD);
        }
        let master_fields: Vec<Vec<u8>> =
            (0..nfields).map(|_| it.next().map(Element::to_vec).ok_or(BAD)).collect::<Result<_, _>>()?;
        if int(it.next())? != 0 {
            return Err(BAD);
        }
        let mut node: Option<Node> = None;
        let mut previous: Option<StreamId> = None;
        let (mut seen_live, mut seen_deleted) = (0i64, 0i64);
        for _ in 0..live + deleted {
            let flags = int(it.next())?;
            let id = StreamId::new(
                master.ms.wrapping_add(int(it.next())? as u64),
                master.seq.wrapping_add(int(it.next())? as u64),
            );
            if previous.is_some_and(|p| id <= p) || id < master || !(0..=3).contains(&flags) {
                return Err(BAD);
            }
            previous = Some(id);
            let same = flags & i64::from(FLAG_SAME_FIELDS) != 0;
            let fields = if same { nfields } else { int(it.next())? };
            if fields < 0 {
                return Err(BAD);
            }
            let mut pairs: Vec<Vec<u8>> = Vec::with_capacity(2 * fields as usize);
            if same {
                for f in &master_fields {
                    pairs.push(f.clone());
                    pairs.push(it.next().map(Element::to_vec).ok_or(BAD)?);
                }
            } else {
                for _ in 0..2 * fields {
                    pairs.push(it.next().map(Element::to_vec).ok_or(BAD)?);
                }
            }
            let expected = if same { fields + 3 } else { 2 * fields + 4 };
            if int(it.next())? != expected {
                return Err(BAD);
            }
            let refs: Vec<&[u8]> = pairs.iter().map(|p| p.as_slice()).collect();
            let n = node.get_or_insert_with(|| {
                let fields: Vec<&[u8]> = master_fields.iter().map(|f| f.as_slice()).collect();
                Node::new_empty(id, &fields)
            });
            let pos = n.data.len();
            n.push(master, id, &refs, same);
            if flags & i64::from(FLAG_DELETED) != 0 {
                n.mark_deleted(pos);
                seen_deleted += 1;
            } else {
                seen_live += 1;
            }
        }
        if it.next().is_some() || seen_live != live || seen_deleted != deleted {
            return Err(BAD);
        }
        node.ok_or(BAD)
    }

    fn memory_usage(&self) -> usize {
        std::mem::size_of::<Node>()
            + self.data.capacity()
            + self.master_fields.len() * std::mem::size_of::<ByteStr>()
            + self.master_fields.iter().map(|f| f.heap_size()).sum::<usize>()
    }
}

/// A live entry inside a stream, borrowed.
#[derive(Clone, Copy)]
pub struct EntryRef<'a> {
    pub id: StreamId,
    node: &'a Node,
    header: Header,
}

impl<'a> EntryRef<'a> {
    pub fn field_count(&self) -> usize {
        self.header.fields
    }

    /// The (field, value) pairs, in the order they were added.
    pub fn fields(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        let node = self.node;
        let same = self.header.same_fields();
        let mut pos = self.header.body;
        (0..self.header.fields).map(move |i| {
            let field = if same { node.master_fields[i].as_bytes() } else { get_str(&node.data, &mut pos) };
            let value = get_str(&node.data, &mut pos);
            (field, value)
        })
    }

    /// The entry, copied: its ID and its fields and values interleaved.
    pub fn to_entry(&self) -> Entry {
        let mut fields = Vec::with_capacity(2 * self.header.fields);
        for (f, v) in self.fields() {
            fields.push(f.to_vec());
            fields.push(v.to_vec());
        }
        Entry { id: self.id, fields }
    }
}

/// A stream entry, owned: its ID and its fields and values interleaved (`f1 v1 f2 v2 ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: StreamId,
    pub fields: Vec<Vec<u8>>,
}

/// The live entries between two IDs (both included), forward or backward.
pub struct Range<'a> {
    nodes: std::collections::btree_map::Range<'a, StreamId, Node>,
    start: StreamId,
    end: StreamId,
    rev: bool,
    /// The node being walked: its key, the node, and the offsets still to visit (reversed when
    /// walking backward, so `pop` gives the next one either way).
    current: Option<(StreamId, &'a Node, Vec<usize>)>,
    done: bool,
}

impl<'a> Iterator for Range<'a> {
    type Item = EntryRef<'a>;

    fn next(&mut self) -> Option<EntryRef<'a>> {
        while !self.done {
            let Some((master, node, offsets)) = self.current.as_mut() else {
                let next = if self.rev { self.nodes.next_back() } else { self.nodes.next() };
                match next {
                    Some((&master, node)) => {
                        let mut offsets = node.offsets(master);
                        if !self.rev {
                            offsets.reverse();
                        }
                        self.current = Some((master, node, offsets));
                    }
                    None => self.done = true,
                }
                continue;
            };
            let Some(pos) = offsets.pop() else {
                self.current = None;
                continue;
            };
            let (header, _) = node.header_at(*master, pos);
            if header.deleted() {
                continue;
            }
            let id = header.id;
            if self.rev {
                if id > self.end {
                    continue;
                }
                if id < self.start {
                    self.done = true;
                    return None;
                }
            } else {
                if id < self.start {
                    continue;
                }
                if id > self.end {
                    self.done = true;
                    return None;
                }
            }
            return Some(EntryRef { id, node, header });
        }
        None
    }
}

/// How XADD and XTRIM cut a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trim {
    /// Keep at most this many entries.
    MaxLen(u64),
    /// Drop the entries with a smaller ID.
    MinId(StreamId),
}

/// How XADD asks for the new entry's ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdRequest {
    /// `*`: from the clock, never going backward.
    Auto,
    /// `ms-*`: this millisecond, the next free sequence number.
    Ms(u64),
    /// An explicit ID.
    Exact(StreamId),
}

/// Why an entry could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddError {
    /// The ID is not greater than the stream's last ID.
    IdTooSmall,
    /// The fields and values together exceed what a node can hold.
    TooLarge,
}

/// The `entries_read` of a group whose reads cannot be counted (Valkey's `SCG_INVALID_ENTRIES_READ`).
pub const INVALID_ENTRIES_READ: i64 = -1;

/// The entries of a stream and the counters Valkey keeps beside them.
#[derive(Debug, Clone, Default)]
pub struct Entries {
    nodes: BTreeMap<StreamId, Node>,
    length: u64,
    /// The last ID ever added (or set by XSETID); 0-0 when none.
    pub last_id: StreamId,
    /// The first live entry's ID (0-0 when empty).
    pub first_id: StreamId,
    /// The largest ID ever deleted by XDEL.
    pub max_deleted_entry_id: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
}

impl Entries {
    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Number of nodes (`XINFO STREAM` radix-tree-keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes of the radix tree Valkey would key these nodes by (`radix-tree-nodes`): one per
    /// compressed run of bytes and one per branching, plus the leaves.
    pub fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|k| k.to_be_bytes()).collect();
        if keys.is_empty() {
            return 1; // the empty root
        }
        let refs: Vec<&[u8]> = keys.iter().map(|k| &k[..]).collect();
        rax_nodes(&refs)
    }

    /// The ID a new entry gets, as Valkey's `streamAppendItem` decides it.
    pub fn next_id(&self, request: IdRequest, now_ms: u64) -> Result<StreamId, AddError> {
        let id = match request {
            IdRequest::Exact(id) => id,
            IdRequest::Ms(ms) if ms == self.last_id.ms => {
                StreamId::new(ms, self.last_id.seq.checked_add(1).ok_or(AddError::IdTooSmall)?)
            }
            IdRequest::Ms(ms) => StreamId::new(ms, 0),
            IdRequest::Auto if now_ms > self.last_id.ms => StreamId::new(now_ms, 0),
            IdRequest::Auto => self.last_id.successor().unwrap_or(StreamId::MIN),
        };
        if id <= self.last_id {
            return Err(AddError::IdTooSmall);
        }
        Ok(id)
    }

    /// Appends an entry whose ID came from [`Entries::next_id`]; `pairs` are its fields and values
    /// interleaved (an even, non-zero count).
    pub fn append(&mut self, id: StreamId, pairs: &[&[u8]], limits: NodeLimits) -> Result<(), AddError> {
        debug_assert!(id > self.last_id && !pairs.is_empty() && pairs.len().is_multiple_of(2));
        let total: usize = pairs.iter().map(|p| p.len()).sum();
        if total > LISTPACK_MAX_SIZE {
            return Err(AddError::TooLarge);
        }
        let max_bytes = match limits.max_bytes {
            0 => LISTPACK_MAX_SIZE,
            n if n > LISTPACK_MAX_SIZE as u64 => LISTPACK_MAX_SIZE,
            n => n as usize,
        };
        let appended = match self.nodes.last_entry() {
            Some(mut tail) => {
                let master = *tail.key();
                let node = tail.get_mut();
                let full = node.lp_bytes() + total >= max_bytes
                    || (limits.max_entries != 0 && node.live + node.deleted >= limits.max_entries);
                if full {
                    false
                } else {
                    let same = node.has_master_fields(pairs);
                    node.push(master, id, pairs, same);
                    true
                }
            }
            None => false,
        };
        if !appended {
            self.nodes.insert(id, Node::new(id, pairs));
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(())
    }

    /// The live entries with IDs from `start` to `end`, both included; backward when `rev`.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> Range<'_> {
        let nodes = if rev {
            self.nodes.range(..=end)
        } else {
            // Start at the node that may hold `start`: the last one keyed at or before it.
            let from = self.nodes.range(..=start).next_back().map_or(StreamId::MIN, |(k, _)| *k);
            self.nodes.range(from..)
        };
        Range { nodes, start, end, rev, current: None, done: start > end }
    }

    /// The live entry with this ID.
    pub fn get(&self, id: StreamId) -> Option<EntryRef<'_>> {
        self.range(id, id, false).next()
    }

    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// The first live entry's ID.
    pub fn first_live_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, false).next().map(|e| e.id)
    }

    /// The last live entry's ID (Valkey's `streamLastValidID`).
    pub fn last_live_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true).next().map(|e| e.id)
    }

    /// Deletes one live entry; false if there is none with this ID.
    fn delete_one(&mut self, id: StreamId) -> bool {
        let Some((&master, node)) = self.nodes.range_mut(..=id).next_back() else { return false };
        let mut pos = 0;
        let found = loop {
            if pos >= node.data.len() {
                break None;
            }
            let (h, next) = node.header_at(master, pos);
            if h.id == id && !h.deleted() {
                break Some(pos);
            }
            if h.id > id {
                break None;
            }
            pos = next;
        };
        let Some(pos) = found else { return false };
        if node.live == 1 {
            self.nodes.remove(&master);
        } else {
            node.mark_deleted(pos);
        }
        self.length -= 1;
        true
    }

    /// XDEL: deletes the entries with these IDs, keeps the first ID and the largest deleted ID up to
    /// date. Returns how many were deleted.
    pub fn delete(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first_deleted = false;
        for &id in ids {
            if self.delete_one(id) {
                first_deleted |= id == self.first_id;
                if id > self.max_deleted_entry_id {
                    self.max_deleted_entry_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.length == 0 {
                self.first_id = StreamId::MIN;
            } else if first_deleted {
                self.first_id = self.first_live_id().unwrap_or(StreamId::MIN);
            }
        }
        deleted
    }

    /// Trims from the oldest entries (Valkey's `streamTrim`). With `approx`, only whole nodes go.
    /// `limit` caps the entries deleted (0: no cap). Returns how many were deleted.
    pub fn trim(&mut self, strategy: Trim, approx: bool, limit: u64) -> u64 {
        let mut deleted = 0u64;
        let mut from = StreamId::MIN;
        while let Some((&master, node)) = self.nodes.range_mut(from..).next() {
            if let Trim::MaxLen(maxlen) = strategy {
                if self.length <= maxlen {
                    break;
                }
            }
            let entries = node.live;
            if limit != 0 && deleted + entries > limit {
                break;
            }
            let whole = match strategy {
                Trim::MaxLen(maxlen) => self.length - entries >= maxlen,
                Trim::MinId(min) => node.last_id < min,
            };
            if whole {
                self.nodes.remove(&master);
                self.length -= entries;
                deleted += entries;
                from = master;
                continue;
            }
            if approx {
                break;
            }
            // Part of this node goes: mark its oldest entries deleted, one by one.
            let mut pos = 0;
            while pos < node.data.len() {
                let (h, next) = node.header_at(master, pos);
                let stop = match strategy {
                    Trim::MaxLen(maxlen) => self.length <= maxlen,
                    Trim::MinId(min) => h.id >= min,
                };
                if stop {
                    break;
                }
                if !h.deleted() {
                    node.mark_deleted(pos);
                    self.length -= 1;
                    deleted += 1;
                }
                pos = next;
            }
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.first_live_id().unwrap_or(StreamId::MIN);
        }
        deleted
    }

    /// True if IDs from `start` (included) to `end` (or the end) may hold a tombstone.
    pub fn range_has_tombstones(&self, start: StreamId, end: Option<StreamId>) -> bool {
        if self.length == 0 || self.max_deleted_entry_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_entry_id {
            return false;
        }
        let end = end.unwrap_or(StreamId::MAX);
        start <= self.max_deleted_entry_id && self.max_deleted_entry_id <= end
    }

    /// How many entries were added up to `id` included, when that can be known (Valkey's
    /// `streamEstimateDistanceFromFirstEverEntry`); [`INVALID_ENTRIES_READ`] when not.
    pub fn estimate_distance(&self, id: StreamId) -> i64 {
        if self.entries_added == 0 {
            return 0;
        }
        let added = self.entries_added as i64;
        if self.length == 0 && id <= self.last_id {
            return added;
        }
        match id.cmp(&self.last_id) {
            std::cmp::Ordering::Equal => return added,
            std::cmp::Ordering::Greater => return INVALID_ENTRIES_READ,
            std::cmp::Ordering::Less => {}
        }
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            match id.cmp(&self.first_id) {
                std::cmp::Ordering::Less => return added - self.length as i64,
                std::cmp::Ordering::Equal => return added - self.length as i64 + 1,
                std::cmp::Ordering::Greater => {}
            }
        }
        INVALID_ENTRIES_READ
    }

    /// Entries of this stream a group has not read yet, or `None` when that cannot be known.
    pub fn lag(&self, group: &ConsumerGroup) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        let added = self.entries_added as i64;
        if group.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(group.last_id, None) {
            return Some(added - group.entries_read);
        }
        match self.estimate_distance(group.last_id) {
            INVALID_ENTRIES_READ => None,
            read => Some(added - read),
        }
    }

    /// Every node as Valkey's listpack for it (the blob RDB files store), keyed by its first ID.
    pub fn node_listpacks(&self) -> impl Iterator<Item = (StreamId, Vec<u8>)> + '_ {
        self.nodes.iter().map(|(&master, node)| (master, node.to_listpack(master)))
    }

    /// Appends a node read from an RDB file: `master` is its key, `elements` its listpack decoded.
    /// Checks the layout as Valkey's deep stream listpack validation does, and that the node's IDs
    /// come after everything already loaded. The caller sets the counters afterwards.
    pub fn load_node(&mut self, master: StreamId, elements: &[Element<'_>]) -> Result<(), &'static str> {
        let node = Node::from_listpack(master, elements)?;
        if let Some((_, last)) = self.nodes.last_key_value() {
            if master <= last.last_id {
                return Err("stream node keys are not in ascending order");
            }
        }
        if node.live == 0 && node.deleted == 0 {
            return Err("empty stream node");
        }
        self.length += node.live;
        self.nodes.insert(master, node);
        Ok(())
    }

    fn memory_usage(&self) -> usize {
        // A B-tree slot per node on top of the node itself.
        self.nodes.values().map(|n| n.memory_usage() + 2 * std::mem::size_of::<StreamId>()).sum()
    }
}

/// Nodes of a radix tree (Valkey's rax) holding `keys`, all of the same length and sorted: a run
/// shared by every key is one compressed node, a point where keys diverge one branching node, and
/// each key ends in a leaf.
fn rax_nodes(keys: &[&[u8]]) -> usize {
    if keys[0].is_empty() {
        return 1;
    }
    let first = keys[0];
    let last = keys[keys.len() - 1];
    let common = first.iter().zip(last).take_while(|(a, b)| a == b).count();
    if common > 0 {
        let rest: Vec<&[u8]> = keys.iter().map(|k| &k[common..]).collect();
        return 1 + rax_nodes(&rest);
    }
    let mut total = 1;
    let mut i = 0;
    while i < keys.len() {
        let byte = keys[i][0];
        let j = i + keys[i..].iter().take_while(|k| k[0] == byte).count();
        let rest: Vec<&[u8]> = keys[i..j].iter().map(|k| &k[1..]).collect();
        total += rax_nodes(&rest);
        i = j;
    }
    total
}

// -- consumer groups --------------------------------------------------------------------------------

/// A delivered entry not acknowledged yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    /// When it was last delivered (unix ms).
    pub delivery_time_ms: i64,
    pub delivery_count: u64,
    /// The consumer it was last delivered to.
    pub consumer: ByteStr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// Last time the consumer tried to read or claim (unix ms).
    pub seen_time_ms: i64,
    /// Last time it read or claimed something; -1 if never.
    pub active_time_ms: i64,
    /// The IDs pending for it (each also in the group's PEL).
    pub pending: BTreeSet<StreamId>,
}

impl Consumer {
    pub fn new(now_ms: i64) -> Consumer {
        Consumer { seen_time_ms: now_ms, active_time_ms: -1, pending: BTreeSet::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsumerGroup {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// Entries the group has read, or [`INVALID_ENTRIES_READ`].
    pub entries_read: i64,
    /// The pending entries list of the whole group.
    pub pending: BTreeMap<StreamId, PendingEntry>,
    /// Consumers by name, in name order.
    pub consumers: BTreeMap<ByteStr, Consumer>,
}

/// How XCLAIM changes a claimed entry's delivery count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryCount {
    Keep,
    Increment,
    Set(u64),
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup { last_id, entries_read, pending: BTreeMap::new(), consumers: BTreeMap::new() }
    }

    /// Creates the consumer if missing; true if it was created.
    pub fn create_consumer(&mut self, name: &[u8], now_ms: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(ByteStr::new(name), Consumer::new(now_ms));
        true
    }

    /// Deletes a consumer and its pending entries; the number it had pending, if it existed.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pending {
            self.pending.remove(id);
        }
        Some(consumer.pending.len())
    }

    /// Acknowledges an entry: removes it from the group's and its consumer's PEL.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(nack) = self.pending.remove(&id) else { return false };
        if let Some(c) = self.consumers.get_mut(&nack.consumer) {
            c.pending.remove(&id);
        }
        true
    }

    /// Delivers new entries after `after` to `consumer` (which must exist), as XREADGROUP `>` does:
    /// the group's last ID and read counter move, and unless `noack` each entry becomes pending for the
    /// consumer (taken over from another consumer if the group's last ID was moved back).
    pub fn deliver(
        &mut self,
        entries: &Entries,
        consumer: &[u8],
        after: StreamId,
        count: usize,
        noack: bool,
        now_ms: i64,
    ) -> Vec<Entry> {
        // Valkey's streamIncrID wraps the largest ID around to 0-0.
        let start = after.successor().unwrap_or(StreamId::MIN);
        let mut out = Vec::new();
        for e in entries.range(start, StreamId::MAX, false) {
            if e.id > self.last_id {
                if self.entries_read != INVALID_ENTRIES_READ && !entries.range_has_tombstones(e.id, None) {
                    self.entries_read += 1;
                } else if entries.entries_added != 0 {
                    self.entries_read = entries.estimate_distance(e.id);
                }
                self.last_id = e.id;
            }
            out.push(e.to_entry());
            if !noack {
                self.assign(e.id, consumer, now_ms, DeliveryCount::Set(1));
                if let Some(c) = self.consumers.get_mut(consumer) {
                    c.active_time_ms = now_ms;
                }
            }
            if count != 0 && out.len() == count {
                break;
            }
        }
        out
    }

    /// The consumer's own pending entries from `start` on (XREADGROUP with an ID): each one found in
    /// the stream counts as delivered again; deleted ones come back as `None`.
    pub fn history(
        &mut self,
        entries: &Entries,
        consumer: &[u8],
        start: StreamId,
        count: usize,
        now_ms: i64,
    ) -> Vec<(StreamId, Option<Entry>)> {
        let Some(c) = self.consumers.get(consumer) else { return Vec::new() };
        let mut out = Vec::new();
        for &id in c.pending.range(start..) {
            if count != 0 && out.len() >= count {
                break;
            }
            let entry = entries.get(id).map(|e| e.to_entry());
            if entry.is_some() {
                if let Some(nack) = self.pending.get_mut(&id) {
                    nack.delivery_time_ms = now_ms;
                    nack.delivery_count += 1;
                }
            }
            out.push((id, entry));
        }
        out
    }

    /// Makes `id` pending for `consumer` (which must exist), creating the pending entry if missing,
    /// moving it from its previous owner otherwise; sets its delivery time and count.
    pub fn assign(&mut self, id: StreamId, consumer: &[u8], delivery_time_ms: i64, count: DeliveryCount) {
        let moved = match self.pending.get_mut(&id) {
            Some(nack) if nack.consumer.as_bytes() == consumer => false,
            Some(nack) => {
                let old = std::mem::replace(&mut nack.consumer, ByteStr::new(consumer));
                if let Some(old) = self.consumers.get_mut(&old) {
                    old.pending.remove(&id);
                }
                true
            }
            None => {
                let nack = PendingEntry { delivery_time_ms, delivery_count: 0, consumer: ByteStr::new(consumer) };
                self.pending.insert(id, nack);
                true
            }
        };
        if moved {
            if let Some(c) = self.consumers.get_mut(consumer) {
                c.pending.insert(id);
            }
        }
        let nack = self.pending.get_mut(&id).expect("pending entry just made");
        nack.delivery_time_ms = delivery_time_ms;
        match count {
            DeliveryCount::Keep => {}
            DeliveryCount::Increment => nack.delivery_count += 1,
            DeliveryCount::Set(n) => nack.delivery_count = n,
        }
    }

    fn memory_usage(&self) -> usize {
        const NACK: usize = std::mem::size_of::<StreamId>() + std::mem::size_of::<PendingEntry>() + 16;
        const ID: usize = std::mem::size_of::<StreamId>() + 8;
        std::mem::size_of::<ConsumerGroup>()
            + self.pending.len() * NACK
            + self
                .consumers
                .iter()
                .map(|(name, c)| name.heap_size() + std::mem::size_of::<Consumer>() + 24 + c.pending.len() * ID)
                .sum::<usize>()
    }
}

/// A stream value: its entries and its consumer groups (by name, in name order).
#[derive(Debug, Clone, Default)]
pub struct Stream {
    pub entries: Entries,
    pub groups: BTreeMap<ByteStr, ConsumerGroup>,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    pub fn len(&self) -> u64 {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn encoding(&self) -> &'static str {
        "stream"
    }

    pub fn group(&self, name: &[u8]) -> Option<&ConsumerGroup> {
        self.groups.get(name)
    }

    pub fn group_mut(&mut self, name: &[u8]) -> Option<&mut ConsumerGroup> {
        self.groups.get_mut(name)
    }

    /// Creates a group; false if one with this name exists.
    pub fn create_group(&mut self, name: &[u8], last_id: StreamId, entries_read: i64) -> bool {
        if self.groups.contains_key(name) {
            return false;
        }
        self.groups.insert(ByteStr::new(name), ConsumerGroup::new(last_id, entries_read));
        true
    }

    /// Approximate bytes used (MEMORY USAGE).
    pub fn memory_usage(&self) -> usize {
        std::mem::size_of::<Stream>()
            + self.entries.memory_usage()
            + self.groups.iter().map(|(name, g)| name.heap_size() + g.memory_usage()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId::new(ms, seq)
    }

    fn add(e: &mut Entries, ms: u64, pairs: &[&str], limits: NodeLimits) -> StreamId {
        let new = e.next_id(IdRequest::Exact(id(ms, 0)), 0).unwrap();
        let pairs: Vec<&[u8]> = pairs.iter().map(|s| s.as_bytes()).collect();
        e.append(new, &pairs, limits).unwrap();
        new
    }

    fn ids(r: Range<'_>) -> Vec<u64> {
        r.map(|e| e.id.ms).collect()
    }

    #[test]
    fn parse_id_accepts_valkey_forms() {
        assert_eq!(parse_id(b"5", 0, true, false), Some((id(5, 0), true)));
        assert_eq!(parse_id(b"5", u64::MAX, true, false), Some((id(5, u64::MAX), true)));
        assert_eq!(parse_id(b"5-7", 0, true, false), Some((id(5, 7), true)));
        assert_eq!(parse_id(b"5-*", 0, true, true), Some((id(5, 0), false)));
        assert_eq!(parse_id(b"5-*", 0, true, false), None);
        assert_eq!(parse_id(b"-", 0, false, false), Some((StreamId::MIN, true)));
        assert_eq!(parse_id(b"+", 0, false, false), Some((StreamId::MAX, true)));
        assert_eq!(parse_id(b"+", 0, true, false), None);
        assert_eq!(parse_id(b"18446744073709551615-18446744073709551615", 0, true, false), Some((StreamId::MAX, true)));
        assert_eq!(parse_id(b"18446744073709551616", 0, true, false), None);
        assert_eq!(parse_id(b"-1", 0, true, false), None);
        assert_eq!(parse_id(b"1-", 0, true, false), None);
        assert_eq!(parse_id(b"abc", 0, true, false), None);
        // strtoull's leniency, as Valkey inherits it.
        assert_eq!(parse_id(b"007", 0, true, false), Some((id(7, 0), true)));
        assert_eq!(parse_id(b"+7", 0, true, false), Some((id(7, 0), true)));
        assert_eq!(parse_id(&[b'7'; 128], 0, true, false), None);
    }

    #[test]
    fn entries_same_fields_round_trip() {
        let mut e = Entries::default();
        add(&mut e, 1, &["a", "1", "b", "2"], NodeLimits::default());
        add(&mut e, 2, &["a", "3", "b", "4"], NodeLimits::default());
        add(&mut e, 3, &["c", "5"], NodeLimits::default());
        assert_eq!(e.node_count(), 1);
        let all: Vec<Entry> = e.range(StreamId::MIN, StreamId::MAX, false).map(|x| x.to_entry()).collect();
        assert_eq!(all[1].fields, vec![b"a".to_vec(), b"3".to_vec(), b"b".to_vec(), b"4".to_vec()]);
        assert_eq!(all[2].fields, vec![b"c".to_vec(), b"5".to_vec()]);
        assert_eq!(ids(e.range(StreamId::MIN, StreamId::MAX, true)), vec![3, 2, 1]);
    }

    #[test]
    fn entries_split_into_nodes_at_max_entries() {
        let limits = NodeLimits { max_bytes: 4096, max_entries: 2 };
        let mut e = Entries::default();
        for ms in 1..=5 {
            add(&mut e, ms, &["f", "v"], limits);
        }
        assert_eq!(e.node_count(), 3);
        assert_eq!(ids(e.range(id(2, 0), id(4, 0), false)), vec![2, 3, 4]);
        assert_eq!(ids(e.range(id(2, 0), id(4, 0), true)), vec![4, 3, 2]);
    }

    #[test]
    fn entries_split_into_nodes_at_max_bytes() {
        let limits = NodeLimits { max_bytes: 60, max_entries: 0 };
        let mut e = Entries::default();
        for ms in 1..=4 {
            add(&mut e, ms, &["field", "some value"], limits);
        }
        assert!(e.node_count() > 1);
        assert_eq!(e.len(), 4);
    }

    #[test]
    fn delete_marks_tombstones_and_drops_empty_nodes() {
        let limits = NodeLimits { max_bytes: 4096, max_entries: 2 };
        let mut e = Entries::default();
        for ms in 1..=3 {
            add(&mut e, ms, &["f", "v"], limits);
        }
        assert_eq!(e.delete(&[id(1, 0)]), 1);
        assert_eq!(e.first_id, id(2, 0));
        assert_eq!(e.node_count(), 2);
        assert_eq!(e.delete(&[id(2, 0), id(9, 0)]), 1);
        assert_eq!(e.node_count(), 1);
        assert_eq!(e.max_deleted_entry_id, id(2, 0));
        assert_eq!(ids(e.range(StreamId::MIN, StreamId::MAX, false)), vec![3]);
    }

    #[test]
    fn trim_approx_removes_whole_nodes_only() {
        let limits = NodeLimits { max_bytes: 4096, max_entries: 10 };
        let mut e = Entries::default();
        for ms in 1..=100 {
            add(&mut e, ms, &["f", "v"], limits);
        }
        add(&mut e, 101, &["f", "v"], limits);
        assert_eq!(e.trim(Trim::MaxLen(55), true, 30), 30);
        assert_eq!(e.len(), 71);
        assert_eq!(e.trim(Trim::MaxLen(3), false, 0), 68);
        assert_eq!(ids(e.range(StreamId::MIN, StreamId::MAX, false)), vec![99, 100, 101]);
        assert_eq!(e.first_id, id(99, 0));
    }

    #[test]
    fn trim_min_id_exact_marks_entries_inside_a_node() {
        let mut e = Entries::default();
        for ms in 1..=5 {
            add(&mut e, ms, &["f", "v"], NodeLimits::default());
        }
        assert_eq!(e.trim(Trim::MinId(id(3, 0)), false, 0), 2);
        assert_eq!(ids(e.range(StreamId::MIN, StreamId::MAX, false)), vec![3, 4, 5]);
    }

    #[test]
    fn node_listpacks_match_the_tracked_size_and_load_back() {
        let limits = NodeLimits { max_bytes: 300, max_entries: 7 };
        let mut e = Entries::default();
        for ms in 1..=60u64 {
            let v = "x".repeat((ms * 7 % 90) as usize);
            let fields: Vec<&str> = if ms % 3 == 0 { vec!["a", &v, "n", "-12"] } else { vec!["a", &v] };
            let next = e.next_id(IdRequest::Ms(ms / 4), 0).unwrap();
            let pairs: Vec<&[u8]> = fields.iter().map(|s| s.as_bytes()).collect();
            e.append(next, &pairs, limits).unwrap();
        }
        e.delete(&[id(2, 0), id(5, 1), id(9, 0)]);
        e.trim(Trim::MaxLen(50), false, 0);
        let mut loaded = Entries::default();
        for (master, blob) in e.node_listpacks() {
            assert_eq!(blob.len(), e.nodes[&master].lp_bytes(), "node {master}");
            let elements = crate::rdb::listpack::decode(&blob).unwrap();
            loaded.load_node(master, &elements).unwrap();
        }
        assert_eq!(loaded.len(), e.len());
        assert_eq!(loaded.node_count(), e.node_count());
        let all = |x: &Entries| x.range(StreamId::MIN, StreamId::MAX, false).map(|r| r.to_entry()).collect::<Vec<_>>();
        assert_eq!(all(&loaded), all(&e));
        let (master, blob) = e.node_listpacks().next().unwrap();
        let elements = crate::rdb::listpack::decode(&blob).unwrap();
        assert!(loaded.load_node(master, &elements).is_err(), "out of order");
    }

    #[test]
    fn rax_nodes_counts_like_valkey() {
        let mut e = Entries::default();
        assert_eq!(e.radix_tree_nodes(), 1);
        add(&mut e, 1, &["f", "v"], NodeLimits::default());
        assert_eq!(e.radix_tree_nodes(), 2);
        let keys: [&[u8]; 2] = [b"abcd", b"abxy"];
        assert_eq!(rax_nodes(&keys), 6);
    }

    #[test]
    fn group_deliver_then_ack() {
        let mut s = Stream::new();
        for ms in 1..=3 {
            add(&mut s.entries, ms, &["f", "v"], NodeLimits::default());
        }
        assert!(s.create_group(b"g", StreamId::MIN, INVALID_ENTRIES_READ));
        let Stream { entries, groups } = &mut s;
        let g = groups.get_mut(&b"g"[..]).unwrap();
        g.create_consumer(b"c", 10);
        let got = g.deliver(entries, b"c", g.last_id, 2, false, 10);
        assert_eq!(got.len(), 2);
        assert_eq!(g.last_id, id(2, 0));
        assert_eq!(g.entries_read, 2);
        assert_eq!(g.pending.len(), 2);
        assert!(g.ack(id(1, 0)));
        assert!(!g.ack(id(1, 0)));
        assert_eq!(g.consumers[&b"c"[..]].pending.len(), 1);
        assert_eq!(entries.lag(g), Some(1));
    }
}
