//! Reading one value of any RDB type into ferrokey's [`Value`] (Valkey's `rdbLoadObject`).
//!
//! Each type ends up in the encoding Valkey would pick when loading it under the same limits: packed
//! types stay compact unless they have more entries than the limit allows, plain types are built
//! member by member. Corruption Valkey only catches with `sanitize-dump-payload yes` (duplicate
//! members, broken packed blobs) is always refused here: no check is expensive next to the parse.

use super::cursor::{parse_score, Cursor};
use super::error::RdbError;
use super::format::*;
use super::listpack::{self, Element};
use super::options::{EncodingLimits, LoadOptions};
use super::{intset, stream, ziplist, zipmap};
use crate::bytestr::ByteStr;
use crate::dict::Dict;
use crate::types::hash::Hash;
use crate::types::list::List;
use crate::types::set::Set;
use crate::types::zset::{AddFlags, AddOutcome, ListpackLimits, ZSet};
use crate::types::Value;
use std::collections::HashSet;

/// What reading a value produced.
#[derive(Debug)]
pub(crate) enum Loaded {
    Value(Value),
    /// An empty collection: Valkey skips such keys when loading a file (old versions could save
    /// them) and RESTORE refuses them.
    Empty,
}

/// Reads the value of type `type_id` (its type byte was at `type_at`) stored under `key`.
pub(crate) fn read_value(
    cur: &mut Cursor,
    type_id: u8,
    type_at: usize,
    key: &[u8],
    opts: &LoadOptions,
) -> Result<Loaded, RdbError> {
    let limits = &opts.limits;
    let value = match type_id {
        TYPE_STRING => Value::Str(ByteStr::from(cur.string_vec()?)),
        TYPE_LIST => {
            let n = cur.len()?;
            let mut items = Vec::with_capacity(cur.capacity_for(n));
            for _ in 0..n {
                items.push(cur.string_vec()?);
            }
            return Ok(list_of(items, limits));
        }
        TYPE_SET => return plain_set(cur, limits),
        TYPE_ZSET | TYPE_ZSET_2 => return plain_zset(cur, type_id == TYPE_ZSET_2, limits),
        TYPE_HASH => return plain_hash(cur, limits),
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => return quicklist(cur, type_id, limits),
        TYPE_HASH_ZIPMAP | TYPE_LIST_ZIPLIST | TYPE_SET_INTSET | TYPE_SET_LISTPACK | TYPE_ZSET_ZIPLIST
        | TYPE_ZSET_LISTPACK | TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
            let at = cur.pos();
            let blob = cur.string()?;
            return packed(&blob, type_id, limits).map_err(|what| RdbError::bad(at, what));
        }
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => {
            Value::Stream(Box::new(stream::read(cur, type_id)?))
        }
        _ => {
            return Err(match type_name(type_id) {
                Some(kind) => RdbError::UnsupportedType {
                    type_id,
                    kind,
                    key: String::from_utf8_lossy(key).into_owned(),
                    offset: type_at,
                },
                None => RdbError::UnknownType { type_id, offset: type_at },
            })
        }
    };
    Ok(Loaded::Value(value))
}

fn list_of(items: Vec<Vec<u8>>, limits: &EncodingLimits) -> Loaded {
    if items.is_empty() {
        return Loaded::Empty;
    }
    Loaded::Value(Value::List(Box::new(List::from_values(items, limits.list_fill))))
}

/// Quicklist nodes: ziplists (type 14), or listpacks and plain single elements (type 18). Empty
/// nodes are skipped, as Valkey does.
fn quicklist(cur: &mut Cursor, type_id: u8, limits: &EncodingLimits) -> Result<Loaded, RdbError> {
    let nodes = cur.len()?;
    let mut items = Vec::new();
    for _ in 0..nodes {
        let container = if type_id == TYPE_LIST_QUICKLIST_2 {
            let at = cur.pos();
            let container = cur.len()?;
            if container != CONTAINER_PLAIN && container != CONTAINER_PACKED {
                return Err(RdbError::bad(at, "quicklist node has an unknown container"));
            }
            container
        } else {
            CONTAINER_PACKED
        };
        let at = cur.pos();
        let data = cur.string()?;
        if data.is_empty() {
            return Err(RdbError::bad(at, "quicklist node is empty"));
        }
        if container == CONTAINER_PLAIN {
            items.push(data.into_owned());
            continue;
        }
        let elements = if type_id == TYPE_LIST_QUICKLIST_2 { listpack::decode(&data) } else { ziplist::decode(&data) };
        let elements = elements.map_err(|what| RdbError::bad(at, what))?;
        items.extend(elements.into_iter().map(Element::to_vec));
    }
    Ok(list_of(items, limits))
}

fn plain_set(cur: &mut Cursor, limits: &EncodingLimits) -> Result<Loaded, RdbError> {
    let n = cur.len()?;
    if n == 0 {
        return Ok(Loaded::Empty);
    }
    let intset_cap = limits.set.max_intset_entries.min(1 << 30);
    let mut set = if usize::try_from(n).map_or(true, |n| n > intset_cap) {
        Set::Table(Box::default())
    } else {
        Set::Intset(Vec::new())
    };
    for _ in 0..n {
        let at = cur.pos();
        let member = cur.string()?;
        if !set.insert(&member, limits.set) {
            return Err(RdbError::bad(at, "duplicate set member"));
        }
    }
    Ok(Loaded::Value(Value::Set(Box::new(set))))
}

fn plain_zset(cur: &mut Cursor, binary_scores: bool, limits: &EncodingLimits) -> Result<Loaded, RdbError> {
    let n = cur.len()?;
    if n == 0 {
        return Ok(Loaded::Empty);
    }
    let mut items = Vec::with_capacity(cur.capacity_for(n));
    for _ in 0..n {
        let member = cur.string()?;
        let at = cur.pos();
        let score = if binary_scores { cur.binary_double()? } else { cur.string_double()? };
        if score.is_nan() {
            return Err(RdbError::bad(at, "sorted set score is NaN"));
        }
        items.push((at, score, member));
    }
    // Valkey loads into a skiplist and converts afterwards: the encoding depends on the widest member.
    let widest = items.iter().map(|(_, _, m)| m.len()).max().unwrap_or(0);
    let mut zset = ZSet::with_hints(items.len(), widest, limits.zset);
    for (at, score, member) in items {
        add_new(&mut zset, score, &member, limits.zset).map_err(|what| RdbError::bad(at, what))?;
    }
    Ok(Loaded::Value(Value::ZSet(Box::new(zset))))
}

fn add_new(zset: &mut ZSet, score: f64, member: &[u8], limits: ListpackLimits) -> Result<(), &'static str> {
    match zset.add(score, member, AddFlags::default(), limits) {
        Ok((AddOutcome::Added, _)) => Ok(()),
        Ok(_) => Err("duplicate sorted set member"),
        Err(_) => Err("sorted set score is NaN"),
    }
}

fn plain_hash(cur: &mut Cursor, limits: &EncodingLimits) -> Result<Loaded, RdbError> {
    let n = cur.len()?;
    if n == 0 {
        return Ok(Loaded::Empty);
    }
    let mut pairs = Vec::with_capacity(cur.capacity_for(n));
    for _ in 0..n {
        let at = cur.pos();
        pairs.push((at, cur.string_vec()?, cur.string_vec()?));
    }
    let max = limits.hash.max_listpack_value;
    let fits = pairs.len() <= limits.hash.max_listpack_entries
        && pairs.iter().all(|(_, f, v)| f.len() <= max && v.len() <= max);
    let first_dup = |pairs: &[(usize, Vec<u8>, Vec<u8>)]| {
        let mut seen = HashSet::with_capacity(pairs.len());
        pairs.iter().find(|(_, f, _)| !seen.insert(f.as_slice())).map(|(at, _, _)| *at)
    };
    if let Some(at) = first_dup(&pairs) {
        return Err(RdbError::bad(at, "duplicate hash field"));
    }
    let pairs = pairs.into_iter().map(|(_, f, v)| (ByteStr::from(f), ByteStr::from(v)));
    Ok(Loaded::Value(Value::Hash(Box::new(hash_from_pairs(pairs, fits)))))
}

/// A hash of distinct `pairs`, as a listpack when `compact` or else a table.
fn hash_from_pairs(pairs: impl Iterator<Item = (ByteStr, ByteStr)>, compact: bool) -> Hash {
    if compact {
        Hash::Listpack(pairs.collect())
    } else {
        let mut table = Box::<Dict<ByteStr, ByteStr>>::default();
        for (f, v) in pairs {
            table.insert_new(f, v);
        }
        Hash::Table(table)
    }
}

/// A value saved as one packed blob. Valkey keeps those compact unless they have more entries than
/// the limit (it does not look at element sizes here, only zipmaps are fully checked).
fn packed(blob: &[u8], type_id: u8, limits: &EncodingLimits) -> Result<Loaded, &'static str> {
    Ok(match type_id {
        TYPE_LIST_ZIPLIST => list_of(ziplist::decode(blob)?.into_iter().map(Element::to_vec).collect(), limits),
        TYPE_SET_INTSET => {
            let members = intset::decode(blob)?;
            let set = if members.len() > limits.set.max_intset_entries {
                let mut table = Box::<Dict<ByteStr, ()>>::default();
                for m in members {
                    table.insert_new(ByteStr::from(itoa::Buffer::new().format(m)), ());
                }
                Set::Table(table)
            } else {
                Set::Intset(members)
            };
            Loaded::Value(Value::Set(Box::new(set)))
        }
        TYPE_SET_LISTPACK => {
            let members: Vec<Vec<u8>> = listpack::decode(blob)?.into_iter().map(Element::to_vec).collect();
            if members.is_empty() {
                return Ok(Loaded::Empty);
            }
            let mut seen = HashSet::with_capacity(members.len());
            if !members.iter().all(|m| seen.insert(m.as_slice())) {
                return Err("duplicate set member");
            }
            let set = if members.len() > limits.set.max_listpack_entries {
                let mut table = Box::<Dict<ByteStr, ()>>::default();
                for m in members {
                    table.insert_new(ByteStr::from(m), ());
                }
                Set::Table(table)
            } else {
                Set::Listpack(members.into_iter().map(ByteStr::from).collect())
            };
            Loaded::Value(Value::Set(Box::new(set)))
        }
        TYPE_ZSET_ZIPLIST | TYPE_ZSET_LISTPACK => {
            let elements = if type_id == TYPE_ZSET_LISTPACK { listpack::decode(blob)? } else { ziplist::decode(blob)? };
            if elements.len() % 2 != 0 {
                return Err("sorted set has a member without a score");
            }
            if elements.is_empty() {
                return Ok(Loaded::Empty);
            }
            let n = elements.len() / 2;
            let mut zset = ZSet::with_hints(n, 0, limits.zset);
            // Member sizes do not move a loaded listpack to a skiplist (only the entry count does).
            let relaxed = ListpackLimits { max_entries: limits.zset.max_entries, max_value: usize::MAX };
            for pair in elements.chunks_exact(2) {
                let score = match pair[1] {
                    Element::Int(n) => n as f64,
                    Element::Bytes(text) => parse_score(text).ok_or("sorted set score is not a number")?,
                };
                add_new(&mut zset, score, &pair[0].to_vec(), relaxed)?;
            }
            Loaded::Value(Value::ZSet(Box::new(zset)))
        }
        TYPE_HASH_ZIPLIST | TYPE_HASH_LISTPACK => {
            let elements = if type_id == TYPE_HASH_LISTPACK { listpack::decode(blob)? } else { ziplist::decode(blob)? };
            if elements.len() % 2 != 0 {
                return Err("hash has a field without a value");
            }
            if elements.is_empty() {
                return Ok(Loaded::Empty);
            }
            let pairs: Vec<(Vec<u8>, Vec<u8>)> =
                elements.chunks_exact(2).map(|p| (p[0].to_vec(), p[1].to_vec())).collect();
            let mut seen = HashSet::with_capacity(pairs.len());
            if !pairs.iter().all(|(f, _)| seen.insert(f.as_slice())) {
                return Err("duplicate hash field");
            }
            let compact = pairs.len() <= limits.hash.max_listpack_entries;
            let pairs = pairs.into_iter().map(|(f, v)| (ByteStr::from(f), ByteStr::from(v)));
            Loaded::Value(Value::Hash(Box::new(hash_from_pairs(pairs, compact))))
        }
        TYPE_HASH_ZIPMAP => {
            let pairs = zipmap::decode(blob)?;
            let mut seen = HashSet::with_capacity(pairs.len());
            if !pairs.iter().all(|(f, _)| seen.insert(*f)) {
                return Err("duplicate hash field");
            }
            let max = limits.hash.max_listpack_value;
            let compact = pairs.len() <= limits.hash.max_listpack_entries
                && pairs.iter().all(|(f, v)| f.len() <= max && v.len() <= max);
            let pairs = pairs.into_iter().map(|(f, v)| (ByteStr::from(f), ByteStr::from(v)));
            Loaded::Value(Value::Hash(Box::new(hash_from_pairs(pairs, compact))))
        }
        _ => unreachable!("packed() is only called for packed types"),
    })
}
