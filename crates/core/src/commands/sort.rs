//! SORT and SORT_RO (Valkey's `sort.c`): the elements of a list, set or sorted set in order of their
//! own value or of weights looked up through a pattern (BY), optionally replaced by looked-up values
//! (GET), and answered or stored as a list (STORE).
//!
//! Orders are Valkey's: numbers compare as doubles, ties broken by the elements' bytes; ALPHA compares
//! bytes, as `memcmp` with STORE and as `strcoll` without, which in the C locale is `strcmp` and so stops
//! at the first NUL byte. Equal elements keep their input order (the stable sort of glibc's `qsort`).

use crate::args::is;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::notify::{GENERIC, LIST, NEW};
use crate::reply::Reply;
use crate::types::{List, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

const G: Group = Group::Generic;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(
        G,
        "sort",
        -2,
        WRITE | DENYOOM | MOVABLEKEYS,
        Keys::Movable { legacy: (1, 1, 1), find: sort_keys },
        sort,
    )
    .summary("Sorts the elements in a list, a set, or a sorted set, optionally storing the result.")
        .syntax("key:key [BY=by-pattern{pattern}:pattern] LIMIT=[limit; offset:integer count:integer] [GET=get-pattern{pattern}:pattern+...] [order: ASC | DESC] [ALPHA=sorting:token] [STORE=destination:key2]"),
    CommandSpec::new(
        G,
        "sort_ro",
        -2,
        READONLY | MOVABLEKEYS,
        Keys::Movable { legacy: (1, 1, 1), find: sort_ro_keys },
        sort_ro,
    )
    .since("7.0.0")
    .summary("Returns the sorted elements of a list, a set, or a sorted set.")
        .syntax("key:key [BY=by-pattern{pattern}:pattern] LIMIT=[limit; offset:integer count:integer] [GET=get-pattern{pattern}:pattern+...] [order: ASC | DESC] [ALPHA=sorting:token]"),
];

const SCORES_NOT_DOUBLE: CommandError =
    CommandError::Other(Cow::Borrowed("ERR One or more scores can't be converted into double"));

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA] [STORE destination]
fn sort(ctx: &mut Ctx, args: &mut crate::args::Args) -> CmdResult {
    sort_generic(ctx, args.argv(), false)
}

/// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
fn sort_ro(ctx: &mut Ctx, args: &mut crate::args::Args) -> CmdResult {
    sort_generic(ctx, args.argv(), true)
}

/// The keys of a SORT: the sorted key and the destination of the last STORE. Like Valkey's
/// `sortGetKeys` it skips the arguments of LIMIT, GET and BY but not STORE's, so the word after
/// STORE is read as an option name too.
fn sort_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if is(a, "limit") {
            i += 2;
        } else if is(a, "get") || is(a, "by") {
            i += 1;
        } else if is(a, "store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    std::iter::once(1).chain(store).collect()
}

/// SORT_RO has one key: the sorted one.
fn sort_ro_keys(_argv: &[Vec<u8>]) -> Vec<usize> {
    vec![1]
}

/// What the options after the key ask for.
struct Request {
    desc: bool,
    alpha: bool,
    limit_start: i64,
    /// Negative: to the end.
    limit_count: i64,
    by: Option<Vec<u8>>,
    /// A BY pattern without `*` (`BY nosort`): keep the input order. It stays set even if a later BY
    /// has a `*`, as in Valkey.
    dont_sort: bool,
    gets: Vec<Vec<u8>>,
    store: Option<Vec<u8>>,
}

/// Reads the options in order; the first bad one is the error (a bad LIMIT number is "not an integer").
fn parse_request(argv: &[Vec<u8>], readonly: bool) -> Result<Request, CommandError> {
    let mut req = Request {
        desc: false,
        alpha: false,
        limit_start: 0,
        limit_count: -1,
        by: None,
        dont_sort: false,
        gets: Vec::new(),
        store: None,
    };
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if is(a, "asc") {
            req.desc = false;
        } else if is(a, "desc") {
            req.desc = true;
        } else if is(a, "alpha") {
            req.alpha = true;
        } else if is(a, "limit") && left >= 2 {
            let parse = |b: &[u8]| crate::num::parse_i64(b).ok_or(CommandError::NotInteger);
            req.limit_start = parse(&argv[j + 1])?;
            req.limit_count = parse(&argv[j + 2])?;
            j += 2;
        } else if !readonly && is(a, "store") && left >= 1 {
            req.store = Some(argv[j + 1].clone());
            j += 1;
        } else if is(a, "by") && left >= 1 {
            let pattern = &argv[j + 1];
            if !c_str(pattern).contains(&b'*') {
                req.dont_sort = true;
            }
            req.by = Some(pattern.clone());
            j += 1;
        } else if is(a, "get") && left >= 1 {
            req.gets.push(argv[j + 1].clone());
            j += 1;
        } else {
            return Err(CommandError::Syntax);
        }
        j += 1;
    }
    Ok(req)
}

/// One element being sorted, with what it is sorted by.
struct Item {
    elem: Vec<u8>,
    /// Numeric sorts: the element's or its BY value's number (0 when the BY key is missing).
    score: f64,
    /// ALPHA sorts with BY: the BY value (`None` when missing, which sorts first).
    by_value: Option<Vec<u8>>,
}

impl Item {
    fn new(elem: impl Into<Vec<u8>>) -> Item {
        Item { elem: elem.into(), score: 0.0, by_value: None }
    }
}

/// How two items compare (Valkey's `sortCompare`).
#[derive(Clone, Copy)]
struct Order {
    desc: bool,
    alpha: bool,
    by_pattern: bool,
    /// With STORE, ALPHA compares bytes in full; without, as C strings.
    store: bool,
}

impl Order {
    fn compare(&self, a: &Item, b: &Item) -> Ordering {
        let text_cmp = |x: &[u8], y: &[u8]| if self.store { x.cmp(y) } else { c_str(x).cmp(c_str(y)) };
        let cmp = if !self.alpha {
            match a.score.partial_cmp(&b.score) {
                Some(Ordering::Less) => Ordering::Less,
                Some(Ordering::Greater) => Ordering::Greater,
                // Equal scores: the bytes decide, so the result is deterministic.
                _ => a.elem.cmp(&b.elem),
            }
        } else if self.by_pattern {
            match (&a.by_value, &b.by_value) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => text_cmp(x, y),
            }
        } else {
            text_cmp(&a.elem, &b.elem)
        };
        if self.desc {
            cmp.reverse()
        } else {
            cmp
        }
    }
}

fn sort_generic(ctx: &mut Ctx, argv: &[Vec<u8>], readonly: bool) -> CmdResult {
    let mut req = parse_request(argv, readonly)?;
    let key = &argv[1];
    let in_script = ctx.nested() && ctx.eng.server.script_running;

    let mut value = match ctx.lookup_read(key) {
        None => None,
        Some(entry) => match &mut entry.value {
            v @ (Value::List(_) | Value::Set(_) | Value::ZSet(_)) => Some(v),
            _ => return Err(CommandError::WrongType),
        },
    };

    // Unsorted set output depends on the set's layout: where it must be reproducible (stored, or
    // inside a script), Valkey sorts it ALPHA instead.
    if req.dont_sort && matches!(value, Some(Value::Set(_))) && (req.store.is_some() || in_script) {
        req.dont_sort = false;
        req.alpha = true;
        req.by = None;
    }

    let len = match &mut value {
        None => 0,
        Some(Value::List(l)) => l.len(),
        Some(Value::Set(s)) => s.len(),
        Some(Value::ZSet(z)) => {
            // Valkey converts the sorted set for good before reading it, even for SORT_RO.
            z.convert_to_skiplist();
            z.len()
        }
        Some(_) => unreachable!("checked above"),
    } as i64;

    // LIMIT, clamped to the input as Valkey does it (an out-of-range start selects nothing).
    let mut start = req.limit_start.max(0).min(len);
    let count = req.limit_count.max(-1).min(len);
    let mut end = if count < 0 { len - 1 } else { start + count - 1 };
    if start >= len {
        start = len - 1;
        end = len - 2;
    }
    if end >= len {
        end = len - 1;
    }

    let desc = req.desc;
    let mut items: Vec<Item> = match value {
        None => Vec::new(),
        // Unsorted lists and sorted sets keep their order (reversed by DESC) and read only the
        // LIMIT range.
        Some(Value::List(l)) if req.dont_sort => {
            if end < start {
                Vec::new()
            } else {
                let n = (end - start + 1) as usize;
                let out = if desc {
                    l.range(0, (len - start) as usize).rev().take(n).map(Item::new).collect()
                } else {
                    l.range(start as usize, len as usize).take(n).map(Item::new).collect()
                };
                end -= start;
                start = 0;
                out
            }
        }
        Some(Value::ZSet(z)) if req.dont_sort => {
            let n = (end - start + 1).max(0) as usize;
            let out = if n == 0 {
                Vec::new()
            } else if desc {
                z.rev_iter_from((len - 1 - start) as usize).take(n).map(|(_, m)| Item::new(m)).collect()
            } else {
                z.iter_from(start as usize).take(n).map(|(_, m)| Item::new(m)).collect()
            };
            end -= start;
            start = 0;
            out
        }
        Some(Value::List(l)) => l.iter().map(Item::new).collect(),
        Some(Value::Set(s)) => s.iter().map(|m| Item::new(m.to_vec())).collect(),
        Some(Value::ZSet(z)) => z.iter().map(|(_, m)| Item::new(m)).collect(),
        Some(_) => unreachable!("checked above"),
    };

    if !req.dont_sort {
        let mut bad_score = false;
        for item in &mut items {
            let weight: Cow<[u8]> = match &req.by {
                Some(pattern) => match lookup_by_pattern(ctx, pattern, &item.elem) {
                    Some(v) => Cow::Owned(v),
                    None => continue,
                },
                None => Cow::Borrowed(&item.elem),
            };
            if req.alpha {
                if req.by.is_some() {
                    item.by_value = Some(weight.into_owned());
                }
            } else {
                match sort_score(&weight) {
                    Some(score) => item.score = score,
                    None => bad_score = true,
                }
            }
        }
        if bad_score {
            return Err(SCORES_NOT_DOUBLE);
        }
        let order = Order { desc, alpha: req.alpha, by_pattern: req.by.is_some(), store: req.store.is_some() };
        items.sort_by(|a, b| order.compare(a, b));
    }

    let rows: &[Item] = if end >= start { &items[start as usize..=end as usize] } else { &[] };
    let output_len = if req.gets.is_empty() { rows.len() } else { req.gets.len() * rows.len() };

    let Some(dest) = req.store else {
        let mut out = Vec::with_capacity(output_len);
        for row in rows {
            if req.gets.is_empty() {
                out.push(Reply::Bulk(row.elem.clone()));
            }
            for pattern in &req.gets {
                out.push(Reply::opt_bulk(lookup_by_pattern(ctx, pattern, &row.elem)));
            }
        }
        return Ok(Reply::Array(out));
    };

    let mut values: Vec<Vec<u8>> = Vec::with_capacity(output_len);
    for row in rows {
        if req.gets.is_empty() {
            values.push(row.elem.clone());
        }
        for pattern in &req.gets {
            values.push(lookup_by_pattern(ctx, pattern, &row.elem).unwrap_or_default());
        }
    }
    if output_len > 0 {
        let existed = ctx.exists(&dest);
        let fill = ctx.eng.config.list_max_listpack_size;
        let list = List::from_values(values, fill);
        ctx.store(&dest[..], Value::List(Box::new(list)));
        if !existed {
            ctx.notify(NEW, "new", &dest);
        }
        ctx.written(LIST, "sortstore", &dest);
        // Valkey counts one change per stored element.
        ctx.eng.dirty += output_len as u64 - 1;
    } else if ctx.db().remove(&dest).is_some() {
        // Valkey's dbDelete: the key goes even if it had expired unnoticed, as a plain "del".
        ctx.written(GENERIC, "del", &dest);
    }
    Ok(Reply::Int(output_len as i64))
}

/// The value a BY or GET pattern names for `subst` (Valkey's `lookupKeyByPattern`):
/// - `#` is the element itself;
/// - the first `*` is replaced by the element to make a key name, which must hold a string;
/// - with `->field` after the `*`, the key must hold a hash and the field's value is taken
///   (a trailing `->` with no field name is part of the key name).
///
/// Missing keys, other types and patterns without `*` give `None`. The pattern is searched as a C
/// string (up to its first NUL byte), as Valkey does.
fn lookup_by_pattern(ctx: &mut Ctx, pattern: &[u8], subst: &[u8]) -> Option<Vec<u8>> {
    let text = c_str(pattern);
    if text == b"#" {
        return Some(subst.to_vec());
    }
    let star = text.iter().position(|&b| b == b'*')?;
    let arrow =
        text[star + 1..].windows(2).position(|w| w == b"->").map(|i| star + 1 + i).filter(|&at| at + 2 < text.len());
    let (postfix_end, field) = match arrow {
        Some(at) => (at, Some(&pattern[at + 2..])),
        None => (pattern.len(), None),
    };
    let mut name = Vec::with_capacity(pattern.len() + subst.len());
    name.extend_from_slice(&pattern[..star]);
    name.extend_from_slice(subst);
    name.extend_from_slice(&pattern[star + 1..postfix_end]);

    let entry = ctx.lookup_read(&name)?;
    match (field, &entry.value) {
        (Some(field), Value::Hash(h)) => h.get(field).map(|v| v.to_vec()),
        (None, Value::Str(s)) => Some(s.to_vec()),
        _ => None,
    }
}

/// The number an element or BY value sorts by, as Valkey reads it with `strtod` on the C string:
/// leading whitespace is skipped, the number must run to the end (or to a NUL byte), the empty string
/// is 0, and NaN or a result out of range (overflow, underflow) is an error.
fn sort_score(bytes: &[u8]) -> Option<f64> {
    let text = c_str(bytes);
    if text.is_empty() {
        return Some(0.0);
    }
    // Only spaces: strtod converts nothing and stops at the first space.
    let first = text.iter().position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))?;
    let value = crate::num::parse_f64(&text[first..])?;
    // glibc's strtod flags subnormal results with ERANGE too, which SORT refuses.
    if value != 0.0 && value.abs() < f64::MIN_POSITIVE {
        return None;
    }
    Some(value)
}

/// `bytes` up to its first NUL, as C string functions see it.
fn c_str(bytes: &[u8]) -> &[u8] {
    bytes.iter().position(|&b| b == 0).map_or(bytes, |nul| &bytes[..nul])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn sort_keys_takes_the_last_store_and_skips_option_arguments() {
        assert_eq!(sort_keys(&argv(&["sort", "abc", "store", "def"])), vec![1, 3]);
        assert_eq!(
            sort_keys(&argv(&["sort", "abc", "store", "invalid", "store", "stillbad", "store", "def"])),
            vec![1, 7]
        );
        assert_eq!(sort_keys(&argv(&["sort", "abc", "get", "store", "limit", "0", "1"])), vec![1]);
        assert_eq!(sort_keys(&argv(&["sort", "abc", "store"])), vec![1]);
    }

    #[test]
    fn sort_score_reads_like_strtod() {
        assert_eq!(sort_score(b""), Some(0.0));
        assert_eq!(sort_score(b"  5"), Some(5.0));
        assert_eq!(sort_score(b"   "), None);
        assert_eq!(sort_score(b"5 "), None);
        assert_eq!(sort_score(b"1.5\0junk"), Some(1.5));
        assert_eq!(sort_score(b"0x10"), Some(16.0));
        assert_eq!(sort_score(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(sort_score(b"nan"), None);
        assert_eq!(sort_score(b"1e400"), None);
        assert_eq!(sort_score(b"1e-400"), None);
        assert_eq!(sort_score(b"1e-310"), None);
        assert_eq!(sort_score(b"abc"), None);
    }
}
