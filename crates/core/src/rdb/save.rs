//! Writing the RDB format's primitives and one value of each type (Valkey's `rdbSaveObjectType`
//! and `rdbSaveObject`), in encodings every reader from Redis 7.0 on understands.

use super::format::*;
use super::listpack::{self, ListpackWriter};
use super::options::WriteOptions;
use super::{intset, lzf};
use crate::num::{format_double, parse_i64};
use crate::types::hash::Hash;
use crate::types::list::List;
use crate::types::set::Set;
use crate::types::zset::ZSet;
use crate::types::Value;

/// Valkey's quicklist node size steps for negative `list-max-listpack-size` (-1 .. -5).
const NODE_SIZE_LIMITS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Largest node (and largest element kept in a packed node) when the fill is a count.
const SIZE_SAFETY_LIMIT: usize = 8192;

pub(crate) fn write_len(buf: &mut Vec<u8>, n: u64) {
    if n < 1 << 6 {
        buf.push(n as u8);
    } else if n < 1 << 14 {
        buf.push(0x40 | (n >> 8) as u8);
        buf.push((n & 0xff) as u8);
    } else if n <= u64::from(u32::MAX) {
        buf.push(LEN_32BIT);
        buf.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        buf.push(LEN_64BIT);
        buf.extend_from_slice(&n.to_be_bytes());
    }
}

/// A string as Valkey's `rdbSaveRawString`: a short decimal integer in 1, 2 or 4 bytes, else LZF
/// when compression is on, the string is over 20 bytes and that saves at least 4, else verbatim.
pub(crate) fn write_string(buf: &mut Vec<u8>, s: &[u8], compress: bool) {
    if s.len() <= 11 {
        if let Some(n) = parse_i64(s) {
            if let Ok(n) = i8::try_from(n) {
                buf.extend_from_slice(&[0xC0 | ENC_INT8, n as u8]);
                return;
            }
            if let Ok(n) = i16::try_from(n) {
                buf.push(0xC0 | ENC_INT16);
                buf.extend_from_slice(&n.to_le_bytes());
                return;
            }
            if let Ok(n) = i32::try_from(n) {
                buf.push(0xC0 | ENC_INT32);
                buf.extend_from_slice(&n.to_le_bytes());
                return;
            }
        }
    }
    if compress && s.len() > 20 {
        if let Some(packed) = lzf::compress(s, s.len() - 4) {
            buf.push(0xC0 | ENC_LZF);
            write_len(buf, packed.len() as u64);
            write_len(buf, s.len() as u64);
            buf.extend_from_slice(&packed);
            return;
        }
    }
    write_len(buf, s.len() as u64);
    buf.extend_from_slice(s);
}

/// True when a value would be written with no elements (a collection emptied but not deleted):
/// the writer skips such keys, because readers refuse some empty encodings outright.
pub(crate) fn is_empty_collection(value: &Value) -> bool {
    match value {
        Value::Str(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        // An empty stream is still a stream (its ID counters and groups matter): Valkey saves it.
        Value::Stream(_) => false,
    }
}

/// The type byte a value is saved with.
pub(crate) fn type_of(value: &Value, opts: &WriteOptions) -> u8 {
    match value {
        Value::Str(_) => TYPE_STRING,
        Value::List(_) => TYPE_LIST_QUICKLIST_2,
        Value::Set(set) => match **set {
            Set::Intset(_) => TYPE_SET_INTSET,
            Set::Listpack(_) if opts.version >= 11 => TYPE_SET_LISTPACK,
            // Version 10 has no listpack sets: a plain set, which every reader re-encodes as it likes.
            _ => TYPE_SET,
        },
        Value::ZSet(zset) if zset.is_listpack() => TYPE_ZSET_LISTPACK,
        Value::ZSet(_) => TYPE_ZSET_2,
        Value::Hash(hash) => match **hash {
            Hash::Listpack(_) => TYPE_HASH_LISTPACK,
            Hash::Table(_) => TYPE_HASH,
        },
        // Version 10 (Redis 7.0) knows type 19, which lacks the consumers' active time.
        Value::Stream(_) if opts.version >= 11 => TYPE_STREAM_LISTPACKS_3,
        Value::Stream(_) => TYPE_STREAM_LISTPACKS_2,
    }
}

/// The serialized value, in the encoding [`type_of`] names.
pub(crate) fn write_body(buf: &mut Vec<u8>, value: &Value, opts: &WriteOptions) {
    let compress = opts.compression;
    match value {
        Value::Str(s) => write_string(buf, s, compress),
        Value::List(list) => write_list(buf, list, opts),
        Value::Set(set) => write_set(buf, set, type_of(value, opts), compress),
        Value::ZSet(zset) => write_zset(buf, zset, compress),
        Value::Hash(hash) => write_hash(buf, hash, compress),
        Value::Stream(stream) => super::stream::write(buf, stream, type_of(value, opts), compress),
    }
}

/// A list as quicklist nodes cut the way `list-max-listpack-size` cuts them, elements too large
/// for a node in plain nodes of their own.
fn write_list(buf: &mut Vec<u8>, list: &List, opts: &WriteOptions) {
    let fill = opts.list_fill;
    let (size_limit, count_limit) = if fill < 0 {
        let step = usize::try_from(fill.unsigned_abs() - 1).unwrap_or(usize::MAX).min(NODE_SIZE_LIMITS.len() - 1);
        (NODE_SIZE_LIMITS[step], usize::MAX)
    } else {
        (SIZE_SAFETY_LIMIT, usize::try_from(fill.max(1)).unwrap_or(usize::MAX))
    };
    let mut nodes: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut node = ListpackWriter::new();
    for element in list.iter() {
        if element.len() > size_limit {
            if !node.is_empty() {
                nodes.push((CONTAINER_PACKED, std::mem::take(&mut node).finish()));
            }
            nodes.push((CONTAINER_PLAIN, element.to_vec()));
            continue;
        }
        let grown = node.bytes() + listpack::entry_size(element);
        if !node.is_empty() && (grown > size_limit || node.len() + 1 > count_limit) {
            nodes.push((CONTAINER_PACKED, std::mem::take(&mut node).finish()));
        }
        node.push(element);
    }
    if !node.is_empty() {
        nodes.push((CONTAINER_PACKED, node.finish()));
    }
    write_len(buf, nodes.len() as u64);
    for (container, data) in nodes {
        write_len(buf, container);
        write_string(buf, &data, opts.compression);
    }
}

fn write_set(buf: &mut Vec<u8>, set: &Set, type_id: u8, compress: bool) {
    match set {
        Set::Intset(members) => write_string(buf, &intset::encode(members), compress),
        Set::Listpack(members) if type_id == TYPE_SET_LISTPACK => {
            let mut lp = ListpackWriter::new();
            members.iter().for_each(|m| lp.push(m));
            write_string(buf, &lp.finish(), compress);
        }
        _ => {
            write_len(buf, set.len() as u64);
            for member in set.iter() {
                member.with_bytes(|m| write_string(buf, m, compress));
            }
        }
    }
}

fn write_zset(buf: &mut Vec<u8>, zset: &ZSet, compress: bool) {
    if zset.is_listpack() {
        let mut lp = ListpackWriter::new();
        for (score, member) in zset.iter() {
            lp.push(member);
            push_score(&mut lp, score);
        }
        write_string(buf, &lp.finish(), compress);
    } else {
        write_len(buf, zset.len() as u64);
        if zset.is_empty() {
            return;
        }
        // Highest first, as Valkey saves them: each insert on load then lands at the head.
        for (score, member) in zset.rev_iter_from(zset.len() - 1) {
            write_string(buf, member, compress);
            buf.extend_from_slice(&score.to_le_bytes());
        }
    }
}

/// A score in a listpack, as Valkey's `zzlInsertAt`: an integer when the double is one (within
/// ±2^62, `double2ll`), else its shortest text.
fn push_score(lp: &mut ListpackWriter, score: f64) {
    const INTEGER_LIMIT: f64 = 4_611_686_018_427_387_904.0;
    if (-INTEGER_LIMIT..=INTEGER_LIMIT).contains(&score) && score.fract() == 0.0 {
        lp.push_int(score as i64);
    } else {
        lp.push(format_double(score).as_bytes());
    }
}

fn write_hash(buf: &mut Vec<u8>, hash: &Hash, compress: bool) {
    match hash {
        Hash::Listpack(pairs) => {
            let mut lp = ListpackWriter::new();
            for (field, value) in pairs {
                lp.push(field);
                lp.push(value);
            }
            write_string(buf, &lp.finish(), compress);
        }
        Hash::Table(table) => {
            write_len(buf, table.len() as u64);
            for (field, value) in table.iter() {
                write_string(buf, field, compress);
                write_string(buf, value, compress);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::cursor::Cursor;

    #[test]
    fn save_lengths_round_trip_through_cursor() {
        for n in [0, 63, 64, 16383, 16384, u64::from(u32::MAX), u64::from(u32::MAX) + 1] {
            let mut buf = Vec::new();
            write_len(&mut buf, n);
            assert_eq!(Cursor::new(&buf).len().unwrap(), n, "{n}");
        }
    }

    #[test]
    fn save_strings_pick_valkeys_encodings() {
        let enc = |s: &[u8]| {
            let mut buf = Vec::new();
            write_string(&mut buf, s, true);
            buf
        };
        assert_eq!(enc(b"12"), [0xC0, 12]);
        assert_eq!(enc(b"-1234"), [0xC1, 0x2E, 0xFB]);
        assert_eq!(enc(b"123456789"), [0xC2, 0x15, 0xCD, 0x5B, 0x07]);
        assert_eq!(enc(b"12345678901")[0], 11, "beyond i32: plain text");
        assert_eq!(enc(b"0123"), b"\x040123");
        assert_eq!(enc(&b"abcd".repeat(100))[0], 0xC3);
        for s in [&b"12"[..], b"0123", &b"abcd".repeat(100), b"", b"-9223372036854775808"] {
            assert_eq!(&*Cursor::new(&enc(s)).string().unwrap(), s);
        }
    }

    #[test]
    fn save_list_nodes_follow_fill() {
        let items: Vec<String> = (0..3000).map(|i| format!("element-{i}")).collect();
        let list = List::from_values(&items, -2);
        let mut buf = Vec::new();
        write_list(&mut buf, &list, &WriteOptions { compression: false, ..WriteOptions::default() });
        let mut cur = Cursor::new(&buf);
        let nodes = cur.len().unwrap();
        assert!(nodes > 1);
        let mut seen = Vec::new();
        for _ in 0..nodes {
            assert_eq!(cur.len().unwrap(), CONTAINER_PACKED);
            let lp = cur.string().unwrap();
            assert!(lp.len() <= 8192);
            seen.extend(listpack::decode(&lp).unwrap().into_iter().map(|e| String::from_utf8(e.to_vec()).unwrap()));
        }
        assert_eq!(seen, items);
    }
}
