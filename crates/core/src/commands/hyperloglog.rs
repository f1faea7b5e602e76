//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, and the PFSELFTEST / PFDEBUG internals.
//!
//! An HLL is a string holding Valkey's exact bytes (`hyperloglog.c`): users GET, DUMP and RESTORE them
//! and move them between servers, so the header, both encodings, the hash, the way the sparse form is
//! edited in place, the moment it turns dense and the estimator all reproduce Valkey's, byte for byte.
//!
//! The format: a 16-byte header (`HYLL`, an encoding byte, 3 unused bytes, then the last computed
//! cardinality as a little-endian u64 whose top bit set means "stale") and 16384 6-bit registers,
//! either dense (12288 bytes, each register packed from the least significant bit up) or sparse, a
//! run-length code of three opcodes:
//! - ZERO `00xxxxxx`: 1 to 64 registers at zero;
//! - XZERO `01xxxxxx yyyyyyyy`: 1 to 16384 registers at zero;
//! - VAL `1vvvvvxx`: 1 to 4 registers holding a value from 1 to 32.
//!
//! The sparse form turns dense when a register needs more than 32 or the string would pass
//! `hll-sparse-max-bytes`.

use crate::args::{is, Args};
use crate::bytestr::ByteStr;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::notify;
use crate::reply::Reply;
use crate::types::Value;
use rand::RngCore;
use std::borrow::Cow;

const G: Group = Group::HyperLogLog;

#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "pfadd", -2, WRITE | DENYOOM | FAST, Keys::range(1, 1, 1), pfadd)
        .since("2.8.9").summary("Adds elements to a HyperLogLog key. Creates the key if it doesn't exist.")
        .syntax("key:key [element...]"),
    CommandSpec::new(G, "pfcount", -2, READONLY | MAY_REPLICATE, Keys::range(1, -1, 1), pfcount)
        .since("2.8.9").summary("Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).")
        .syntax("key:key..."),
    CommandSpec::new(G, "pfdebug", 3, WRITE | DENYOOM | ADMIN, Keys::range(2, 2, 1), pfdebug)
        .since("2.8.9").summary("Internal commands for debugging HyperLogLog values.")
        .syntax("subcommand key:key"),
    CommandSpec::new(G, "pfmerge", -2, WRITE | DENYOOM, Keys::range(1, -1, 1), pfmerge)
        .since("2.8.9").summary("Merges one or more HyperLogLog values into a single key.")
        .syntax("destkey:key [sourcekey:key1...]"),
    CommandSpec::new(G, "pfselftest", 1, ADMIN, Keys::None, pfselftest)
        .since("2.8.9").summary("An internal command for testing HyperLogLog values."),
];

// -- errors (wire text, defined once) ----------------------------------------------------------------

const fn fixed(text: &'static str) -> CommandError {
    CommandError::Other(Cow::Borrowed(text))
}

const NOT_HLL: CommandError = fixed("WRONGTYPE Key is not a valid HyperLogLog string value.");
const CORRUPTED: CommandError = fixed("INVALIDOBJ Corrupted HLL object detected");
const PFDEBUG_NO_KEY: CommandError = fixed("ERR The specified key does not exist");
const PFDEBUG_NOT_SPARSE: CommandError = fixed("ERR HLL encoding is not sparse");

/// A sparse HLL whose opcodes do not describe exactly 16384 registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Corrupted;

impl From<Corrupted> for CommandError {
    fn from(_: Corrupted) -> CommandError {
        CORRUPTED
    }
}

// -- the format ----------------------------------------------------------------------------------------

/// Bits of the hash that pick the register.
const P: u32 = 14;
/// Bits of the hash left to count leading zeros in.
const Q: usize = 64 - P as usize;
const REGISTERS: usize = 1 << P;
const REGISTER_MAX: u8 = 63;
const HEADER_LEN: usize = 16;
const DENSE_LEN: usize = HEADER_LEN + (REGISTERS * 6).div_ceil(8);
const ENCODING_AT: usize = 4;
const DENSE: u8 = 0;
const SPARSE: u8 = 1;
const CARD_AT: usize = 8;
const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
/// 0.5 / ln(2), the estimator's constant for an infinite number of registers.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;
const HASH_SEED: u64 = 0xadc8_3b19;

/// MurmurHash64A (MurmurHash2, 64-bit), reading words little-endian on every platform as Valkey's
/// endian-neutral version does.
fn murmur_hash64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let chunks = key.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        let mut k = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element lands in and the length of the `000...1` run of its hash (1 to Q + 1).
fn register_and_run(element: &[u8]) -> (usize, u8) {
    let hash = murmur_hash64a(element, HASH_SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    // The sentinel bit caps the count at Q + 1.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A new, empty HLL: sparse, every register in XZERO opcodes, the cached cardinality a valid 0.
fn new_hll() -> Vec<u8> {
    let mut hll = vec![0u8; HEADER_LEN];
    hll[..4].copy_from_slice(b"HYLL");
    hll[ENCODING_AT] = SPARSE;
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(SPARSE_XZERO_MAX_LEN);
        hll.extend_from_slice(&xzero_opcode(run));
        left -= run;
    }
    hll
}

/// The encoding of a string that is a valid HLL (Valkey's isHLLObjectOrReply), else the HLL WRONGTYPE.
fn check_hll(bytes: &[u8]) -> Result<u8, CommandError> {
    if bytes.len() < HEADER_LEN || &bytes[..4] != b"HYLL" {
        return Err(NOT_HLL);
    }
    match bytes[ENCODING_AT] {
        SPARSE => Ok(SPARSE),
        DENSE if bytes.len() == DENSE_LEN => Ok(DENSE),
        _ => Err(NOT_HLL),
    }
}

/// The cached cardinality, when it is still valid.
fn cached_cardinality(hll: &[u8]) -> Option<u64> {
    let card = u64::from_le_bytes(hll[CARD_AT..HEADER_LEN].try_into().expect("8 header bytes"));
    (card >> 63 == 0).then_some(card)
}

/// Marks the cached cardinality stale. Only the top bit changes: the stale value stays in the other bytes,
/// and so in what GET and DUMP return.
fn invalidate_cache(hll: &mut [u8]) {
    hll[HEADER_LEN - 1] |= 0x80;
}

fn set_cached_cardinality(hll: &mut [u8], card: u64) {
    hll[CARD_AT..HEADER_LEN].copy_from_slice(&card.to_le_bytes());
}

// -- dense registers -----------------------------------------------------------------------------------

/// Register `index` of a dense register array. The last register's neighbour byte is past the array:
/// Valkey reads the string's NUL terminator there, which contributes nothing.
fn dense_get(registers: &[u8], index: usize) -> u8 {
    let byte = index * 6 / 8;
    let shift = (index * 6) & 7;
    let b0 = u32::from(registers[byte]);
    let b1 = u32::from(registers.get(byte + 1).copied().unwrap_or(0));
    (((b0 >> shift) | (b1 << (8 - shift))) & u32::from(REGISTER_MAX)) as u8
}

fn dense_put(registers: &mut [u8], index: usize, value: u8) {
    let byte = index * 6 / 8;
    let shift = (index * 6) & 7;
    let value = u32::from(value);
    let max = u32::from(REGISTER_MAX);
    registers[byte] &= !(max << shift) as u8;
    registers[byte] |= (value << shift) as u8;
    if let Some(next) = registers.get_mut(byte + 1) {
        *next &= !(max >> (8 - shift)) as u8;
        *next |= (value >> (8 - shift)) as u8;
    }
}

/// Raises register `index` to `count` if it is lower. True if it changed.
fn dense_set(registers: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(registers, index) {
        dense_put(registers, index, count);
        true
    } else {
        false
    }
}

/// How many registers hold each value, from a dense register array (16 registers per 12 bytes).
fn dense_histogram(registers: &[u8]) -> [u32; 64] {
    let mut histo = [0u32; 64];
    for r in registers.chunks_exact(12) {
        let r: Vec<u32> = r.iter().map(|&b| u32::from(b)).collect();
        for group in 0..4 {
            let (a, b, c) = (r[group * 3], r[group * 3 + 1], r[group * 3 + 2]);
            histo[(a & 63) as usize] += 1;
            histo[((a >> 6 | b << 2) & 63) as usize] += 1;
            histo[((b >> 4 | c << 4) & 63) as usize] += 1;
            histo[((c >> 2) & 63) as usize] += 1;
        }
    }
    histo
}

// -- sparse opcodes ------------------------------------------------------------------------------------

/// One sparse opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opcode {
    Zero(usize),
    XZero(usize),
    Val { value: u8, len: usize },
}

impl Opcode {
    /// The opcode at `at`. An XZERO cut short by the end of the string reads a zero second byte, the
    /// NUL terminator Valkey finds there.
    fn read(sparse: &[u8], at: usize) -> Opcode {
        let b = sparse[at];
        if b & 0xc0 == 0 {
            Opcode::Zero(usize::from(b & 0x3f) + 1)
        } else if b & 0x80 == 0 {
            let low = usize::from(sparse.get(at + 1).copied().unwrap_or(0));
            Opcode::XZero((usize::from(b & 0x3f) << 8 | low) + 1)
        } else {
            Opcode::Val { value: ((b >> 2) & 0x1f) + 1, len: usize::from(b & 3) + 1 }
        }
    }

    /// Bytes the opcode takes.
    fn size(self) -> usize {
        match self {
            Opcode::XZero(_) => 2,
            _ => 1,
        }
    }

    /// Registers the opcode covers.
    fn span(self) -> usize {
        match self {
            Opcode::Zero(len) | Opcode::XZero(len) | Opcode::Val { len, .. } => len,
        }
    }
}

fn val_opcode(value: u8, len: usize) -> u8 {
    0x80 | ((value - 1) << 2) | (len as u8 - 1)
}

fn zero_opcode(len: usize) -> u8 {
    (len - 1) as u8
}

/// The shortest opcode for a run of `len` zero registers.
fn push_zeros(seq: &mut Vec<u8>, len: usize) {
    if len > SPARSE_ZERO_MAX_LEN {
        seq.extend_from_slice(&xzero_opcode(len));
    } else {
        seq.push(zero_opcode(len));
    }
}

fn xzero_opcode(len: usize) -> [u8; 2] {
    let len = len - 1;
    [0x40 | (len >> 8) as u8, (len & 0xff) as u8]
}

/// The opcodes of a sparse body (the bytes after the header), in order.
fn opcodes(sparse: &[u8]) -> impl Iterator<Item = Opcode> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= sparse.len() {
            return None;
        }
        let op = Opcode::read(sparse, at);
        at += op.size();
        Some(op)
    })
}

/// Applies `f(register, value)` to every non-zero register of a sparse body. Fails when a VAL run would
/// pass the last register or the runs do not add up to exactly 16384 registers.
fn for_each_sparse_register(sparse: &[u8], mut f: impl FnMut(usize, u8)) -> Result<(), Corrupted> {
    let mut index = 0;
    for op in opcodes(sparse) {
        match op {
            Opcode::Zero(len) | Opcode::XZero(len) => index += len,
            Opcode::Val { value, len } => {
                if index + len > REGISTERS {
                    break;
                }
                for i in index..index + len {
                    f(i, value);
                }
                index += len;
            }
        }
    }
    if index == REGISTERS {
        Ok(())
    } else {
        Err(Corrupted)
    }
}

/// How many registers hold each value, from a sparse body.
fn sparse_histogram(sparse: &[u8]) -> Result<[u32; 64], Corrupted> {
    let mut histo = [0u32; 64];
    let mut index = 0usize;
    for op in opcodes(sparse) {
        let value = match op {
            Opcode::Val { value, .. } => usize::from(value),
            _ => 0,
        };
        histo[value] = histo[value].wrapping_add(op.span() as u32);
        index += op.span();
    }
    if index == REGISTERS {
        Ok(histo)
    } else {
        Err(Corrupted)
    }
}

/// Rewrites a sparse HLL as dense, keeping its header (the cached cardinality included).
fn sparse_to_dense(hll: &mut Vec<u8>) -> Result<(), Corrupted> {
    if hll[ENCODING_AT] == DENSE {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_LEN];
    dense[..HEADER_LEN].copy_from_slice(&hll[..HEADER_LEN]);
    dense[ENCODING_AT] = DENSE;
    let registers = &mut dense[HEADER_LEN..];
    for_each_sparse_register(&hll[HEADER_LEN..], |i, value| dense_put(registers, i, value))?;
    *hll = dense;
    Ok(())
}

/// Raises register `index` of a sparse HLL to `count` if it is lower, editing the opcodes in place as
/// Valkey's hllSparseSet does (splitting the run that holds the register, then merging equal
/// neighbouring VALs), or turning the HLL dense when the value or the new length does not fit.
/// True if the register changed.
fn sparse_set(hll: &mut Vec<u8>, index: usize, count: u8, max_bytes: usize) -> Result<bool, Corrupted> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote_and_set(hll, index, count);
    }

    // Find the opcode covering the register, and the one before it.
    let mut end = hll.len();
    let mut at = HEADER_LEN;
    let mut first = 0;
    let mut prev = None;
    let mut span = 0;
    while at < end {
        let op = Opcode::read(hll, at);
        span = op.span();
        if index < first + span {
            break;
        }
        prev = Some(at);
        at += op.size();
        first += span;
    }
    if span == 0 || at >= end {
        return Err(Corrupted);
    }
    let op = Opcode::read(hll, at);

    // A VAL already as high, or a single-register run, needs no split.
    let single = match op {
        Opcode::Val { value, .. } if value >= count => return Ok(false),
        Opcode::Val { len: 1, .. } | Opcode::Zero(1) => true,
        _ => false,
    };
    if single {
        hll[at] = val_opcode(count, 1);
    } else {
        // Split the run into (what comes before, our register, what comes after): at most
        // XZERO-VAL-XZERO, five bytes.
        let last = first + span - 1;
        let mut seq = Vec::with_capacity(5);
        match op {
            Opcode::Zero(_) | Opcode::XZero(_) => {
                if index != first {
                    push_zeros(&mut seq, index - first);
                }
                seq.push(val_opcode(count, 1));
                if index != last {
                    push_zeros(&mut seq, last - index);
                }
            }
            Opcode::Val { value, .. } => {
                if index != first {
                    seq.push(val_opcode(value, index - first));
                }
                seq.push(val_opcode(count, 1));
                if index != last {
                    seq.push(val_opcode(value, last - index));
                }
            }
        }
        let grow = seq.len() as isize - op.size() as isize;
        if grow > 0 && hll.len() + grow as usize > max_bytes {
            return promote_and_set(hll, index, count);
        }
        // The new length is the old plus the growth even when a cut-short XZERO had only one byte here.
        let new_len = (end as isize + grow) as usize;
        hll.splice(at..(at + op.size()).min(end), seq);
        hll.truncate(new_len);
        end = new_len;
    }

    // Merge neighbouring VALs of the same value, scanning up to five opcodes from the one before ours.
    let mut p = prev.unwrap_or(HEADER_LEN);
    let mut budget = 5;
    while p < end && budget > 0 {
        budget -= 1;
        match Opcode::read(hll, p) {
            Opcode::XZero(_) => {
                p += 2;
                continue;
            }
            Opcode::Zero(_) => {
                p += 1;
                continue;
            }
            Opcode::Val { value, len } => {
                if p + 1 < end {
                    if let Opcode::Val { value: next_value, len: next_len } = Opcode::read(hll, p + 1) {
                        if value == next_value && len + next_len <= SPARSE_VAL_MAX_LEN {
                            hll[p + 1] = val_opcode(value, len + next_len);
                            hll.remove(p);
                            end -= 1;
                            // Stay here: the merged VAL may merge with the next one too.
                            continue;
                        }
                    }
                }
                p += 1;
            }
        }
    }
    invalidate_cache(hll);
    Ok(true)
}

/// Turns a sparse HLL dense, then raises the register there (it always changes: it was lower).
fn promote_and_set(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupted> {
    sparse_to_dense(hll)?;
    dense_set(&mut hll[HEADER_LEN..], index, count);
    Ok(true)
}

/// Adds one element. True if a register changed.
fn hll_add(hll: &mut Vec<u8>, element: &[u8], max_bytes: usize) -> Result<bool, Corrupted> {
    let (index, count) = register_and_run(element);
    match hll[ENCODING_AT] {
        DENSE => Ok(dense_set(&mut hll[HEADER_LEN..], index, count)),
        SPARSE => sparse_set(hll, index, count, max_bytes),
        _ => Err(Corrupted),
    }
}

/// Raises each of `max` to the matching register of a valid HLL (Valkey's hllMerge).
fn merge_registers(max: &mut [u8], hll: &[u8]) -> Result<(), Corrupted> {
    if hll[ENCODING_AT] == DENSE {
        let registers = &hll[HEADER_LEN..];
        for (i, m) in max.iter_mut().enumerate() {
            *m = (*m).max(dense_get(registers, i));
        }
        Ok(())
    } else {
        for_each_sparse_register(&hll[HEADER_LEN..], |i, value| max[i] = max[i].max(value))
    }
}

// -- the estimator ---------------------------------------------------------------------------------------

/// Ertl's sigma ("New cardinality estimation algorithms for HyperLogLog sketches", arXiv:1702.01284).
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_prev = z;
        z += x * y;
        y += y;
        if z_prev == z {
            return z;
        }
    }
}

/// Ertl's tau, same paper.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_prev = z;
        y *= 0.5;
        // Valkey writes pow(1 - x, 2); compilers turn that into this product.
        z -= (1.0 - x) * (1.0 - x) * y;
        if z_prev == z {
            return z / 3.0;
        }
    }
}

/// The cardinality estimate from the histogram of register values, with Valkey's exact operation order.
fn estimate(histo: &[u32; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - f64::from(histo[Q + 1])) / m);
    for j in (1..=Q).rev() {
        z += f64::from(histo[j]);
        z *= 0.5;
    }
    z += m * sigma(f64::from(histo[0]) / m);
    (ALPHA_INF * m * m / z).round() as u64
}

/// The cardinality of a valid HLL, computed (not the cached value).
fn hll_count(hll: &[u8]) -> Result<u64, Corrupted> {
    let histo = if hll[ENCODING_AT] == DENSE {
        dense_histogram(&hll[HEADER_LEN..])
    } else {
        sparse_histogram(&hll[HEADER_LEN..])?
    };
    Ok(estimate(&histo))
}

/// The cardinality of registers held one per byte (PFCOUNT of several keys).
fn raw_count(registers: &[u8]) -> u64 {
    let mut histo = [0u32; 64];
    for &r in registers {
        histo[usize::from(r & 63)] += 1;
    }
    estimate(&histo)
}

// -- commands ------------------------------------------------------------------------------------------

/// hll-sparse-max-bytes, as a length.
fn sparse_max_bytes(ctx: &Ctx) -> usize {
    usize::try_from(ctx.eng.config.hll_sparse_max_bytes).unwrap_or(0)
}

/// Valkey unshares an HLL before touching it, which leaves a `raw` string (OBJECT ENCODING), even when
/// nothing changed.
fn mark_raw(ctx: &mut Ctx, key: &[u8]) {
    if let Some(e) = ctx.db().get_mut(key) {
        e.raw = true;
    }
}

fn take_bytes(s: &mut ByteStr) -> Vec<u8> {
    std::mem::replace(s, ByteStr::EMPTY).into_vec()
}

/// Adds every element; the number of registers changed, or the corruption met on the way.
fn add_all(hll: &mut Vec<u8>, elements: &[Vec<u8>], max_bytes: usize) -> Result<u64, Corrupted> {
    let mut changed = 0;
    for element in elements {
        if hll_add(hll, element, max_bytes)? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// PFADD key [element [element ...]]
fn pfadd(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let key = &argv[1];
    let max_bytes = sparse_max_bytes(ctx);
    let updated = match ctx.write_str(key)? {
        Some(s) => {
            check_hll(s)?;
            let mut hll = take_bytes(s);
            let added = add_all(&mut hll, &argv[2..], max_bytes);
            if matches!(added, Ok(n) if n > 0) {
                invalidate_cache(&mut hll);
            }
            *s = hll.into();
            mark_raw(ctx, key);
            added?
        }
        None => {
            let mut hll = new_hll();
            let added = add_all(&mut hll, &argv[2..], max_bytes)?;
            // Creating the key is itself an update.
            invalidate_cache(&mut hll);
            ctx.store(key.as_slice(), Value::str(hll));
            mark_raw(ctx, key);
            ctx.notify(notify::NEW, "new", key);
            added + 1
        }
    };
    if updated > 0 {
        ctx.written(notify::STRING, "pfadd", key);
        // Valkey counts one dirty change per update; `written` counted the first.
        ctx.eng.dirty += updated - 1;
    }
    Ok(Reply::Int(i64::from(updated > 0)))
}

/// PFCOUNT key [key ...]
fn pfcount(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let keys = &args.argv()[1..];
    if keys.len() > 1 {
        // The cardinality of the union; no cache is read or written.
        let mut max = vec![0u8; REGISTERS];
        for key in keys {
            let Some(s) = ctx.read_str(key)? else { continue };
            check_hll(s)?;
            merge_registers(&mut max, s)?;
        }
        return Ok(Reply::Int(raw_count(&max) as i64));
    }
    let key = &keys[0];
    let Some(s) = ctx.read_str(key)? else {
        return Ok(Reply::Int(0));
    };
    check_hll(s)?;
    let counted = match cached_cardinality(s) {
        Some(card) => Ok((card, false)),
        None => hll_count(s).map(|card| {
            let mut hll = take_bytes(s);
            set_cached_cardinality(&mut hll, card);
            *s = hll.into();
            (card, true)
        }),
    };
    mark_raw(ctx, key);
    let (card, cache_written) = counted?;
    if !cache_written {
        return Ok(Reply::Int(card as i64));
    }
    // The value changed (its cache), though no event says so: WATCH and the dirty counter see it.
    let db = ctx.db_index();
    ctx.signal_modified_in(db, key);
    ctx.eng.dirty += 1;
    Ok(Reply::Int(card as i64))
}

/// PFMERGE destkey [sourcekey [sourcekey ...]]
fn pfmerge(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let dest = &argv[1];
    let max_bytes = sparse_max_bytes(ctx);
    // The destination is merged too: it is the first of the keys read.
    let mut max = vec![0u8; REGISTERS];
    let mut any_dense = false;
    for key in &argv[1..] {
        let Some(s) = ctx.read_str(key)? else { continue };
        any_dense |= check_hll(s)? == DENSE;
        merge_registers(&mut max, s)?;
    }

    let (mut hll, created) = match ctx.write_str(dest)? {
        Some(s) => (take_bytes(s), false),
        None => (new_hll(), true),
    };
    // Keep the key in place whatever happens next, as Valkey edits it in place.
    let result = (|| {
        if any_dense {
            sparse_to_dense(&mut hll)?;
        }
        for (i, &value) in max.iter().enumerate() {
            if value == 0 {
                continue;
            }
            if hll[ENCODING_AT] == DENSE {
                dense_set(&mut hll[HEADER_LEN..], i, value);
            } else {
                // Valkey ignores a failure here: the sources were all checked already.
                let _ = sparse_set(&mut hll, i, value, max_bytes);
            }
        }
        invalidate_cache(&mut hll);
        Ok::<(), Corrupted>(())
    })();
    if created {
        ctx.store(dest.as_slice(), Value::str(hll));
        ctx.notify(notify::NEW, "new", dest);
    } else if let Some(s) = ctx.write_str(dest)? {
        *s = hll.into();
    }
    mark_raw(ctx, dest);
    result?;
    // A merge is a mass PFADD, and says so.
    ctx.written(notify::STRING, "pfadd", dest);
    Ok(Reply::OK)
}

/// PFSELFTEST
fn pfselftest(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let max_bytes = sparse_max_bytes(ctx);
    let rng = ctx.rng();
    let failed = |msg: String| Err(CommandError::err(format!("TESTFAILED {msg}")));

    // 1. Every register keeps its value without disturbing its neighbours.
    let mut registers = vec![0u8; DENSE_LEN - HEADER_LEN];
    let mut expected = vec![0u8; REGISTERS];
    for _ in 0..1000 {
        for (i, e) in expected.iter_mut().enumerate() {
            *e = (rng.next_u32() & u32::from(REGISTER_MAX)) as u8;
            dense_put(&mut registers, i, *e);
        }
        for (i, &e) in expected.iter().enumerate() {
            let got = dense_get(&registers, i);
            if got != e {
                return failed(format!("Register {i} should be {e} but is {got}"));
            }
        }
    }

    // 2. The estimate stays within a few standard errors, and a sparse HLL fed the same elements agrees
    // with a dense one.
    let mut dense = vec![0u8; DENSE_LEN];
    dense[ENCODING_AT] = DENSE;
    let mut sparse = new_hll();
    let relative_error = 1.04 / (REGISTERS as f64).sqrt();
    let seed = rng.next_u64();
    let mut checkpoint: u64 = 1;
    for j in 1..=10_000_000u64 {
        let element = (j ^ seed).to_le_bytes();
        let (index, count) = register_and_run(&element);
        dense_set(&mut dense[HEADER_LEN..], index, count);
        // A failure would show as a disagreement below.
        let _ = hll_add(&mut sparse, &element, max_bytes);
        if j != checkpoint {
            continue;
        }
        if (j as usize) < max_bytes / 2 && sparse[ENCODING_AT] != SPARSE {
            return failed("sparse encoding not used".into());
        }
        let dense_card = hll_count(&dense).unwrap_or(0);
        if hll_count(&sparse) != Ok(dense_card) {
            return failed("dense/sparse disagree".into());
        }
        let abs_error = (checkpoint as i64 - dense_card as i64).unsigned_abs();
        // Collisions make 10 elements much noisier than the formula says.
        let max_error = if j == 10 { 1 } else { (relative_error * 6.0 * checkpoint as f64).ceil() as u64 };
        if abs_error > max_error {
            return failed(format!("Too big error. card:{checkpoint} abserr:{abs_error}"));
        }
        checkpoint *= 10;
    }
    Ok(Reply::OK)
}

/// PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key
fn pfdebug(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let sub = argv[1].split(|&b| b == 0).next().unwrap_or_default();
    let key = &argv[2];
    let Some(s) = ctx.write_str(key)? else {
        return Err(PFDEBUG_NO_KEY);
    };
    let encoding = check_hll(s)?;
    let (reply, converted) = pfdebug_subcommand(s, sub, encoding);
    mark_raw(ctx, key);
    if converted {
        // Valkey forces propagation of the new encoding, without signalling the key.
        ctx.eng.dirty += 1;
    }
    reply
}

/// Runs a PFDEBUG subcommand on a valid HLL; also says whether it turned the HLL dense.
fn pfdebug_subcommand(s: &mut ByteStr, sub: &[u8], encoding: u8) -> (CmdResult, bool) {
    if is(sub, "getreg") || is(sub, "todense") {
        let converted = encoding == SPARSE;
        if converted {
            let mut hll = take_bytes(s);
            let result = sparse_to_dense(&mut hll);
            *s = hll.into();
            if let Err(e) = result {
                return (Err(e.into()), false);
            }
        }
        let reply = if is(sub, "getreg") {
            Reply::Array((0..REGISTERS).map(|i| Reply::Int(i64::from(dense_get(&s[HEADER_LEN..], i)))).collect())
        } else {
            Reply::Int(i64::from(converted))
        };
        return (Ok(reply), converted);
    }
    let reply = if is(sub, "decode") {
        if encoding != SPARSE {
            return (Err(PFDEBUG_NOT_SPARSE), false);
        }
        let decoded: Vec<String> = opcodes(&s[HEADER_LEN..])
            .map(|op| match op {
                Opcode::Zero(len) => format!("z:{len}"),
                Opcode::XZero(len) => format!("Z:{len}"),
                Opcode::Val { value, len } => format!("v:{value},{len}"),
            })
            .collect();
        Ok(Reply::bulk(decoded.join(" ")))
    } else if is(sub, "encoding") {
        Ok(Reply::status(if encoding == DENSE { "dense" } else { "sparse" }))
    } else {
        Err(CommandError::err(format!("Unknown PFDEBUG subcommand '{}'", String::from_utf8_lossy(sub))))
    };
    (reply, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_and_run_match_redis_registers() {
        // From redis-server 7.0.15: PFADD of one element, then PFDEBUG DECODE.
        assert_eq!(register_and_run(b"a"), (12711, 2));
        assert_eq!(register_and_run(b"hello"), (9216, 1));
        assert_eq!(register_and_run(b""), (5938, 2));
        assert_eq!(murmur_hash64a(b"", 0), 0);
    }

    #[test]
    fn new_hll_is_sparse_xzero_with_valid_zero_cache() {
        let hll = new_hll();
        assert_eq!(hll, b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
        assert_eq!(check_hll(&hll), Ok(SPARSE));
        assert_eq!(cached_cardinality(&hll), Some(0));
        assert_eq!(hll_count(&hll), Ok(0));
    }

    #[test]
    fn dense_registers_round_trip_without_touching_neighbours() {
        let mut registers = vec![0u8; DENSE_LEN - HEADER_LEN];
        for i in 0..REGISTERS {
            dense_put(&mut registers, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&registers, i), (i % 64) as u8, "register {i}");
        }
        let histo = dense_histogram(&registers);
        assert!(histo.iter().all(|&n| n == (REGISTERS / 64) as u32));
    }

    #[test]
    fn sparse_and_dense_agree_after_many_adds() {
        let mut sparse = new_hll();
        let mut dense = new_hll();
        sparse_to_dense(&mut dense).unwrap();
        for i in 0..2000u32 {
            let e = i.to_string();
            hll_add(&mut sparse, e.as_bytes(), 3000).unwrap();
            hll_add(&mut dense, e.as_bytes(), 3000).unwrap();
            if i % 97 == 0 {
                assert_eq!(hll_count(&sparse), hll_count(&dense), "after {i}");
            }
        }
        assert!(sparse.len() <= 3000 || sparse[ENCODING_AT] == DENSE);
    }

    #[test]
    fn sparse_set_rejects_truncated_body() {
        let mut hll = new_hll();
        hll.truncate(HEADER_LEN);
        assert_eq!(sparse_set(&mut hll, 5, 3, 3000), Err(Corrupted));
    }

    #[test]
    fn estimate_of_empty_histogram_is_zero() {
        let mut histo = [0u32; 64];
        histo[0] = REGISTERS as u32;
        assert_eq!(estimate(&histo), 0);
    }
}
