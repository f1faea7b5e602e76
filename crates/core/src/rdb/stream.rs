//! Streams in RDB files and DUMP payloads (Valkey's `rdbSaveObject` / `rdbLoadObject` for streams):
//! the nodes as listpacks keyed by their first ID, the counters, then each consumer group with its
//! pending entries list (delivery time and count) and its consumers (seen time, active time from
//! type 21 on, and the IDs each owns).
//!
//! Type 15 lacks the first ID, the deleted-ID maximum, the added-entries count and the groups' read
//! counters; type 19 (Redis 7.0, RDB 10) has them; type 21 (Redis 7.2, Valkey, RDB 11) adds each
//! consumer's active time. The writer picks 19 or 21 by the file version.

use super::cursor::Cursor;
use super::error::RdbError;
use super::format::{TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3};
use super::listpack;
use super::save::{write_len, write_string};
use crate::bytestr::ByteStr;
use crate::types::stream::{ConsumerGroup, PendingEntry, Stream, StreamId};
use std::collections::BTreeMap;

/// Bytes of a stream ID in its raw form (two big-endian u64).
const STREAM_ID: usize = 16;

fn id_from_raw(raw: &[u8]) -> StreamId {
    let ms = u64::from_be_bytes(raw[..8].try_into().expect("16 bytes"));
    let seq = u64::from_be_bytes(raw[8..16].try_into().expect("16 bytes"));
    StreamId::new(ms, seq)
}

fn read_id(cur: &mut Cursor) -> Result<StreamId, RdbError> {
    Ok(StreamId::new(cur.len()?, cur.len()?))
}

fn read_raw_id(cur: &mut Cursor) -> Result<StreamId, RdbError> {
    Ok(id_from_raw(cur.take(STREAM_ID)?))
}

/// Reads a stream of type `type_id` (15, 19 or 21).
pub(crate) fn read(cur: &mut Cursor, type_id: u8) -> Result<Stream, RdbError> {
    let mut stream = Stream::new();
    let nodes = cur.len()?;
    for _ in 0..nodes {
        let at = cur.pos();
        let key = cur.string()?;
        if key.len() != STREAM_ID {
            return Err(RdbError::bad(at, "stream node key is not a stream ID"));
        }
        let master = id_from_raw(&key);
        let at = cur.pos();
        let node = cur.string()?;
        let elements = listpack::decode(&node).map_err(|what| RdbError::bad(at, what))?;
        if elements.is_empty() {
            return Err(RdbError::bad(at, "empty listpack inside stream"));
        }
        stream.entries.load_node(master, &elements).map_err(|what| RdbError::bad(at, what))?;
    }
    let at = cur.pos();
    let length = cur.len()?;
    if length != stream.entries.len() {
        return Err(RdbError::bad(at, "stream length inconsistent with its entries"));
    }
    let entries = &mut stream.entries;
    entries.last_id = read_id(cur)?;
    if type_id >= TYPE_STREAM_LISTPACKS_2 {
        entries.first_id = read_id(cur)?;
        entries.max_deleted_entry_id = read_id(cur)?;
        entries.entries_added = cur.len()?;
    } else {
        // As Valkey migrates an old stream: every entry counts as added, the first is the first live.
        entries.entries_added = length;
        entries.first_id = entries.first_live_id().unwrap_or_default();
    }
    let groups = cur.len()?;
    for _ in 0..groups {
        let at = cur.pos();
        let name = cur.string_vec()?;
        let last_id = read_id(cur)?;
        let entries_read = if type_id >= TYPE_STREAM_LISTPACKS_2 {
            cur.len()? as i64 // -1 (invalid) is saved as its 64-bit two's complement
        } else {
            stream.entries.estimate_distance(last_id)
        };
        let mut group = ConsumerGroup::new(last_id, entries_read);
        read_group_body(cur, type_id, &mut group)?;
        if stream.groups.insert(ByteStr::from(name), group).is_some() {
            return Err(RdbError::bad(at, "duplicated consumer group name"));
        }
    }
    Ok(stream)
}

/// The group's PEL and consumers. Every PEL entry must end up owned by a consumer.
fn read_group_body(cur: &mut Cursor, type_id: u8, group: &mut ConsumerGroup) -> Result<(), RdbError> {
    let pel_len = cur.len()?;
    let mut unowned: BTreeMap<StreamId, (i64, u64)> = BTreeMap::new();
    for _ in 0..pel_len {
        let at = cur.pos();
        let id = read_raw_id(cur)?;
        let delivery_time_ms = cur.time_ms()?;
        let delivery_count = cur.len()?;
        if unowned.insert(id, (delivery_time_ms, delivery_count)).is_some() {
            return Err(RdbError::bad(at, "duplicated global PEL entry"));
        }
    }
    let consumers = cur.len()?;
    for _ in 0..consumers {
        let at = cur.pos();
        let name = ByteStr::from(cur.string_vec()?);
        let seen_time_ms = cur.time_ms()?;
        let active_time_ms = if type_id >= TYPE_STREAM_LISTPACKS_3 { cur.time_ms()? } else { seen_time_ms };
        if !group.create_consumer(&name, seen_time_ms) {
            return Err(RdbError::bad(at, "duplicate stream consumer"));
        }
        let consumer = group.consumers.get_mut(&name).expect("just created");
        consumer.active_time_ms = active_time_ms;
        let owned = cur.len()?;
        for _ in 0..owned {
            let at = cur.pos();
            let id = read_raw_id(cur)?;
            let Some((delivery_time_ms, delivery_count)) = unowned.remove(&id) else {
                return Err(RdbError::bad(at, "consumer PEL entry not found in the group's PEL"));
            };
            consumer.pending.insert(id);
            group.pending.insert(id, PendingEntry { delivery_time_ms, delivery_count, consumer: name.clone() });
        }
    }
    if !unowned.is_empty() {
        return Err(RdbError::bad(cur.pos(), "stream group PEL entry without consumer"));
    }
    Ok(())
}

/// Writes `stream` as type `type_id` (19 or 21).
pub(crate) fn write(buf: &mut Vec<u8>, stream: &Stream, type_id: u8, compress: bool) {
    let entries = &stream.entries;
    write_len(buf, entries.node_count() as u64);
    for (master, lp) in entries.node_listpacks() {
        write_string(buf, &master.to_be_bytes(), compress);
        write_string(buf, &lp, compress);
    }
    write_len(buf, entries.len());
    for id in [entries.last_id, entries.first_id, entries.max_deleted_entry_id] {
        write_len(buf, id.ms);
        write_len(buf, id.seq);
    }
    write_len(buf, entries.entries_added);
    write_len(buf, stream.groups.len() as u64);
    for (name, group) in &stream.groups {
        write_string(buf, name, compress);
        write_len(buf, group.last_id.ms);
        write_len(buf, group.last_id.seq);
        write_len(buf, group.entries_read as u64);
        write_len(buf, group.pending.len() as u64);
        for (id, pending) in &group.pending {
            buf.extend_from_slice(&id.to_be_bytes());
            buf.extend_from_slice(&pending.delivery_time_ms.to_le_bytes());
            write_len(buf, pending.delivery_count);
        }
        write_len(buf, group.consumers.len() as u64);
        for (name, consumer) in &group.consumers {
            write_string(buf, name, compress);
            buf.extend_from_slice(&consumer.seen_time_ms.to_le_bytes());
            if type_id >= TYPE_STREAM_LISTPACKS_3 {
                buf.extend_from_slice(&consumer.active_time_ms.to_le_bytes());
            }
            write_len(buf, consumer.pending.len() as u64);
            for id in &consumer.pending {
                buf.extend_from_slice(&id.to_be_bytes());
            }
        }
    }
}
