//! Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO.
//!
//! A bitmap is a plain string (`Value::Str`): bit 0 is the most significant bit of the first byte, and
//! writes pad the string with zero bytes up to the highest bit they touch. Valkey 8.0.1's `bitops.c` is
//! the reference for the order in which arguments are checked, how ranges are clamped, the overflow
//! arithmetic of BITFIELD and which writes count as changes (only a flipped bit or a longer string).

use crate::args::{is, Args};
use crate::bytestr::ByteStr;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::notify;
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::types::Value;
use std::borrow::Cow;

const G: Group = Group::Bitmap;

#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "bitcount", -2, READONLY, Keys::range(1, 1, 1), bitcount)
        .since("2.6.0").summary("Counts the number of set bits (population counting) in a string.")
        .syntax("key:key [range; start:integer [end-unit-block; end:integer [unit: BYTE | BIT]@7.0.0]]"),
    CommandSpec::new(G, "bitfield", -2, WRITE | DENYOOM, Keys::range(1, 1, 1), bitfield)
        .since("3.2.0").summary("Performs arbitrary bitfield integer operations on strings.")
        .syntax("key:key [operation: GET=(get-block; encoding offset:integer) | (write; OVERFLOW=[overflow-block: WRAP | SAT | FAIL] {write-operation: SET=(set-block; encoding offset:integer value:integer) | INCRBY=(incrby-block; encoding offset:integer increment:integer)})]..."),
    CommandSpec::new(G, "bitfield_ro", -2, READONLY | FAST, Keys::range(1, 1, 1), bitfield_ro)
        .since("6.0.0").summary("Performs arbitrary read-only bitfield integer operations on strings.")
        .syntax("key:key GET=[get-block; encoding offset:integer]+..."),
    CommandSpec::new(G, "bitop", -4, WRITE | DENYOOM, Keys::range(2, -1, 1), bitop)
        .since("2.6.0").summary("Performs bitwise operations on multiple strings, and stores the result.")
        .syntax("{operation: AND | OR | XOR | NOT} destkey:key key:key1..."),
    CommandSpec::new(G, "bitpos", -3, READONLY, Keys::range(1, 1, 1), bitpos)
        .since("2.8.7").summary("Finds the first set (1) or clear (0) bit in a string.")
        .syntax("key:key bit:integer [range; start:integer [end-unit-block; end:integer [unit: BYTE | BIT]@7.0.0]]"),
    CommandSpec::new(G, "getbit", 3, READONLY | FAST, Keys::range(1, 1, 1), getbit)
        .since("2.2.0").summary("Returns a bit value by offset.")
        .syntax("key:key offset:integer"),
    CommandSpec::new(G, "setbit", 4, WRITE | DENYOOM, Keys::range(1, 1, 1), setbit)
        .since("2.2.0").summary("Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.")
        .syntax("key:key offset:integer value:integer"),
];

// -- errors (wire text, defined once) ----------------------------------------------------------------

const fn fixed(text: &'static str) -> CommandError {
    CommandError::Other(Cow::Borrowed(text))
}

const BIT_OFFSET_INVALID: CommandError = fixed("ERR bit offset is not an integer or out of range");
const BIT_VALUE_INVALID: CommandError = fixed("ERR bit is not an integer or out of range");
const BIT_ARGUMENT_INVALID: CommandError = fixed("ERR The bit argument must be 1 or 0.");
const BITOP_NOT_ONE_KEY: CommandError = fixed("ERR BITOP NOT must be called with a single source key.");
const BITFIELD_TYPE_INVALID: CommandError =
    fixed("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.");
const BITFIELD_OVERFLOW_INVALID: CommandError = fixed("ERR Invalid OVERFLOW type specified");
const BITFIELD_RO_WRITE: CommandError = fixed("ERR BITFIELD_RO only supports the GET subcommand");

// -- shared helpers ----------------------------------------------------------------------------------

/// Valkey compares option words as C strings, so an argument ends at its first NUL byte.
fn c_str(arg: &[u8]) -> &[u8] {
    arg.split(|&b| b == 0).next().unwrap_or_default()
}

/// A bit offset argument, as Valkey's getBitOffsetFromArgument reads it: an integer from 0 up to (not
/// including) proto-max-bulk-len bytes' worth of bits. For BITFIELD (`field_bits` given) `#n` means the
/// n-th field of that width.
fn parse_bit_offset(arg: &[u8], field_bits: Option<u32>, max_bulk_len: i64) -> Result<u64, CommandError> {
    let (multiplier, digits) = match (arg.first(), field_bits) {
        (Some(b'#'), Some(bits)) if bits > 0 => (Some(bits), &arg[1..]),
        _ => (None, arg),
    };
    let mut offset = parse_i64(digits).ok_or(BIT_OFFSET_INVALID)?;
    if let Some(bits) = multiplier {
        // C multiplies without an overflow check; a wrapped product is caught as negative or too large.
        offset = offset.wrapping_mul(i64::from(bits));
    }
    if offset < 0 || (offset >> 3) >= max_bulk_len {
        return Err(BIT_OFFSET_INVALID);
    }
    Ok(offset as u64)
}

/// The byte holding bit `offset`, as an index (saturating where usize is narrower than the offset).
fn byte_index(offset: u64) -> usize {
    usize::try_from(offset >> 3).unwrap_or(usize::MAX)
}

/// The mask of bit `offset` within its byte (bit 0 is the most significant).
fn bit_mask(offset: u64) -> u8 {
    0x80 >> (offset & 7)
}

/// Runs `edit` on the string at `key` after creating it or zero-padding it so that bit `max_bit` exists
/// (Valkey's lookupStringForBitCommand). `edit` is told whether the string was created or grew, which
/// makes the write a change even when no bit flips. Returns what `edit` returned and that flag.
fn edit_bits<R>(
    ctx: &mut Ctx,
    key: &[u8],
    max_bit: u64,
    edit: impl FnOnce(&mut [u8], bool) -> R,
) -> Result<(R, bool), CommandError> {
    let len = byte_index(max_bit).saturating_add(1);
    match ctx.write_str(key)? {
        Some(s) => {
            let mut bytes = std::mem::replace(s, ByteStr::EMPTY).into_vec();
            let grew = bytes.len() < len;
            if grew {
                // Exactly what is needed: the string goes back into an exact-size `ByteStr`, and asking
                // for no slack lets the allocator grow it in place instead of copying it each time.
                bytes.reserve_exact(len - bytes.len());
                bytes.resize(len, 0);
            }
            let out = edit(&mut bytes, grew);
            *s = bytes.into();
            mark_raw(ctx, key);
            Ok((out, grew))
        }
        None => {
            let mut bytes = vec![0; len];
            let out = edit(&mut bytes, true);
            ctx.store(key, Value::str(bytes));
            mark_raw(ctx, key);
            ctx.notify(notify::NEW, "new", key);
            Ok((out, true))
        }
    }
}

/// Valkey edits bitmaps in place (or builds them from scratch), which leaves a `raw` string whatever it
/// holds (OBJECT ENCODING).
fn mark_raw(ctx: &mut Ctx, key: &[u8]) {
    if let Some(e) = ctx.db().get_mut(key) {
        e.raw = true;
    }
}

/// Set bits in `bytes`, eight bytes at a time.
fn popcount(bytes: &[u8]) -> u64 {
    let chunks = bytes.chunks_exact(8);
    let tail: u64 = chunks.remainder().iter().map(|b| u64::from(b.count_ones())).sum();
    chunks.map(|c| u64::from(u64::from_ne_bytes(c.try_into().expect("8-byte chunk")).count_ones())).sum::<u64>() + tail
}

/// Set bits between bit `first` and bit `last` (inclusive) of `bytes`; both are inside the string.
fn count_ones(bytes: &[u8], first: u64, last: u64) -> u64 {
    let (first_byte, last_byte) = (byte_index(first), byte_index(last));
    let mut count = popcount(&bytes[first_byte..=last_byte]);
    // Take back the bits of the edge bytes that lie outside the range.
    let before_first = !(0xffu32 >> (first & 7)) & 0xff;
    let after_last = (1u32 << (7 - (last & 7))) - 1;
    count -= u64::from((u32::from(bytes[first_byte]) & before_first).count_ones());
    count -= u64::from((u32::from(bytes[last_byte]) & after_last).count_ones());
    count
}

/// The position of the first bit equal to `one` between bit `first` and bit `last` (inclusive) of
/// `bytes`, both inside the string. Runs of bytes that cannot hold it are skipped a word at a time.
fn find_bit(bytes: &[u8], first: u64, last: u64, one: bool) -> Option<u64> {
    let (first_byte, last_byte) = (byte_index(first), byte_index(last));
    let skip_word = if one { 0 } else { u64::MAX };
    let head_mask = 0xffu8 >> (first & 7);
    let tail_mask = 0xffu8 << (7 - (last & 7));
    let mut i = first_byte;
    while i <= last_byte {
        // Looking for a one in `b`: clear bits are what we look for when `one` is false.
        let mut b = if one { bytes[i] } else { !bytes[i] };
        if i == first_byte {
            b &= head_mask;
        }
        if i == last_byte {
            b &= tail_mask;
        }
        if b != 0 {
            return Some(i as u64 * 8 + u64::from(b.leading_zeros()));
        }
        i += 1;
        if i < last_byte {
            let whole_words = bytes[i..last_byte]
                .chunks_exact(8)
                .take_while(|c| u64::from_ne_bytes((*c).try_into().expect("8-byte chunk")) == skip_word)
                .count();
            i += whole_words * 8;
        }
    }
    None
}

/// A start/end pair resolved against a string of `len` bytes as BITCOUNT and BITPOS do: negative values
/// count from the end, both are clamped to the string. Returns the inclusive range in bits, or `None`
/// when it is empty. `in_bits` says the pair counts bits (BIT) rather than bytes (BYTE).
fn resolve_range(len: usize, start: i64, end: i64, in_bits: bool) -> Option<(u64, u64)> {
    let mut total = len as i64;
    if in_bits {
        total <<= 3;
    }
    let (mut start, mut end) = (start, end);
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    if start > end {
        return None;
    }
    let (start, end) = (start as u64, end as u64);
    Some(if in_bits { (start, end) } else { (start * 8, end * 8 + 7) })
}

/// The BYTE|BIT unit word: true for BIT.
fn parse_unit(arg: &[u8]) -> Result<bool, CommandError> {
    let word = c_str(arg);
    if is(word, "bit") {
        Ok(true)
    } else if is(word, "byte") {
        Ok(false)
    } else {
        Err(CommandError::Syntax)
    }
}

/// The optional `start [end [BYTE|BIT]]` of BITCOUNT and BITPOS, read in Valkey's order: start, then
/// the unit word, then end. `end` is `None` when not given.
struct RangeArgs {
    start: i64,
    end: Option<i64>,
    in_bits: bool,
}

fn parse_range(args: &[Vec<u8>]) -> Result<RangeArgs, CommandError> {
    let start = parse_i64(&args[0]).ok_or(CommandError::NotInteger)?;
    let in_bits = match args.get(2) {
        Some(unit) => parse_unit(unit)?,
        None => false,
    };
    let end = match args.get(1) {
        Some(end) => Some(parse_i64(end).ok_or(CommandError::NotInteger)?),
        None => None,
    };
    Ok(RangeArgs { start, end, in_bits })
}

// -- SETBIT, GETBIT ----------------------------------------------------------------------------------

/// SETBIT key offset value
fn setbit(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let key = &argv[1];
    let offset = parse_bit_offset(&argv[2], None, ctx.eng.config.proto_max_bulk_len)?;
    let on = parse_i64(&argv[3]).ok_or(BIT_VALUE_INVALID)?;
    if on & !1 != 0 {
        return Err(BIT_VALUE_INVALID);
    }
    let (byte, mask) = (byte_index(offset), bit_mask(offset));
    let (was_set, grew) = edit_bits(ctx, key, offset, |bytes, _| {
        let was_set = bytes[byte] & mask != 0;
        if on == 1 {
            bytes[byte] |= mask;
        } else {
            bytes[byte] &= !mask;
        }
        was_set
    })?;
    if grew || was_set != (on == 1) {
        ctx.written(notify::STRING, "setbit", key);
    }
    Ok(Reply::Int(i64::from(was_set)))
}

/// GETBIT key offset
fn getbit(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let offset = parse_bit_offset(&argv[2], None, ctx.eng.config.proto_max_bulk_len)?;
    let set = match ctx.read_str(&argv[1])? {
        Some(s) => s.get(byte_index(offset)).is_some_and(|b| b & bit_mask(offset) != 0),
        None => false,
    };
    Ok(Reply::Int(i64::from(set)))
}

// -- BITCOUNT, BITPOS --------------------------------------------------------------------------------

/// BITCOUNT key [start [end [BYTE | BIT]]]
fn bitcount(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let range = match argv.len() {
        2 => None,
        3..=5 => Some(parse_range(&argv[2..])?),
        _ => return Err(CommandError::Syntax),
    };
    let Some(s) = ctx.read_str(&argv[1])? else {
        return Ok(Reply::Int(0));
    };
    let bytes = s.as_bytes();
    let bits = match range {
        None if bytes.is_empty() => None,
        None => Some((0, bytes.len() as u64 * 8 - 1)),
        Some(RangeArgs { start, end, in_bits }) => {
            let end = end.unwrap_or(bytes.len() as i64 - 1);
            // Both counting from the end and crossed: empty, before any clamping could uncross them.
            if start < 0 && end < 0 && start > end {
                return Ok(Reply::Int(0));
            }
            resolve_range(bytes.len(), start, end, in_bits)
        }
    };
    let count = bits.map_or(0, |(first, last)| count_ones(bytes, first, last));
    Ok(Reply::Int(count as i64))
}

/// BITPOS key bit [start [end [BYTE | BIT]]]
fn bitpos(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let bit = parse_i64(&argv[2]).ok_or(CommandError::NotInteger)?;
    if bit != 0 && bit != 1 {
        return Err(BIT_ARGUMENT_INVALID);
    }
    let one = bit == 1;
    let range = match argv.len() {
        3 => None,
        4..=6 => Some(parse_range(&argv[3..])?),
        _ => return Err(CommandError::Syntax),
    };
    let Some(s) = ctx.read_str(&argv[1])? else {
        // A missing key is an endless run of zeros.
        return Ok(Reply::Int(if one { -1 } else { 0 }));
    };
    let bytes = s.as_bytes();
    let (bits, end_given, in_bits) = match range {
        None => (resolve_range(bytes.len(), 0, -1, false), false, false),
        Some(RangeArgs { start, end, in_bits }) => {
            let bits = resolve_range(bytes.len(), start, end.unwrap_or(-1), in_bits);
            (bits, end.is_some(), in_bits)
        }
    };
    let Some((first, last)) = bits else {
        return Ok(Reply::Int(-1));
    };
    let pos = match find_bit(bytes, first, last, one) {
        Some(pos) => pos as i64,
        // Without an explicit end the string counts as padded with zeros on the right, so the first clear
        // bit is the one just past it.
        None if !one && !end_given && !in_bits => last as i64 + 1,
        None => -1,
    };
    Ok(Reply::Int(pos))
}

// -- BITOP ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// Folds `src` into `acc`, the shorter of the two counting as padded with zero bytes.
fn combine(op: BitOp, acc: &mut Vec<u8>, src: &[u8]) {
    let common = acc.len().min(src.len());
    let (head, rest) = src.split_at(common);
    match op {
        BitOp::And => {
            acc.iter_mut().zip(head).for_each(|(a, b)| *a &= b);
            acc[common..].fill(0);
            acc.resize(src.len().max(acc.len()), 0);
        }
        BitOp::Or => {
            acc.iter_mut().zip(head).for_each(|(a, b)| *a |= b);
            acc.extend_from_slice(rest);
        }
        BitOp::Xor => {
            acc.iter_mut().zip(head).for_each(|(a, b)| *a ^= b);
            acc.extend_from_slice(rest);
        }
        BitOp::Not => unreachable!("NOT has a single source"),
    }
}

/// BITOP <AND | OR | XOR | NOT> destkey key [key ...]
fn bitop(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let name = c_str(&argv[1]);
    let op = if is(name, "and") {
        BitOp::And
    } else if is(name, "or") {
        BitOp::Or
    } else if is(name, "xor") {
        BitOp::Xor
    } else if is(name, "not") {
        BitOp::Not
    } else {
        return Err(CommandError::Syntax);
    };
    if op == BitOp::Not && argv.len() != 4 {
        return Err(BITOP_NOT_ONE_KEY);
    }
    let dest = &argv[2];
    let mut result: Option<Vec<u8>> = None;
    for key in &argv[3..] {
        // Missing keys are empty strings.
        let src: &[u8] = match ctx.read_str(key)? {
            Some(s) => s.as_bytes(),
            None => &[],
        };
        match result.as_mut() {
            None if op == BitOp::Not => result = Some(src.iter().map(|b| !b).collect()),
            None => result = Some(src.to_vec()),
            Some(acc) => combine(op, acc, src),
        }
    }
    let result = result.unwrap_or_default();
    let len = result.len() as i64;
    if result.is_empty() {
        if ctx.remove(dest).is_some() {
            ctx.written(notify::GENERIC, "del", dest);
        }
    } else {
        let existed = ctx.lookup_write(dest).is_some();
        ctx.store(dest.as_slice(), Value::str(result));
        mark_raw(ctx, dest);
        if !existed {
            ctx.notify(notify::NEW, "new", dest);
        }
        ctx.written(notify::STRING, "set", dest);
    }
    Ok(Reply::Int(len))
}

// -- BITFIELD, BITFIELD_RO -------------------------------------------------------------------------------

/// What an increment or a SET does when the result does not fit the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldOp {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// One GET, SET or INCRBY of a BITFIELD command.
#[derive(Debug, Clone, Copy)]
struct Field {
    op: FieldOp,
    offset: u64,
    bits: u32,
    signed: bool,
    overflow: Overflow,
}

/// A field type, `i1`..`i64` or `u1`..`u63` (lower case only, as Valkey reads it).
fn parse_field_type(arg: &[u8]) -> Result<(bool, u32), CommandError> {
    let arg = c_str(arg);
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(BITFIELD_TYPE_INVALID),
    };
    let bits = parse_i64(&arg[1..]).ok_or(BITFIELD_TYPE_INVALID)?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(BITFIELD_TYPE_INVALID);
    }
    Ok((signed, bits as u32))
}

/// The operations of a BITFIELD command, and the highest bit a SET or INCRBY writes (`None` when there
/// are only GETs). Every argument is checked before anything runs.
fn parse_fields(argv: &[Vec<u8>], max_bulk_len: i64) -> Result<(Vec<Field>, Option<u64>), CommandError> {
    let mut fields = Vec::new();
    let mut highest_write: Option<u64> = None;
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < argv.len() {
        let remaining = argv.len() - j - 1;
        let sub = c_str(&argv[j]);
        let takes_value = if is(sub, "get") && remaining >= 2 {
            false
        } else if (is(sub, "set") || is(sub, "incrby")) && remaining >= 3 {
            true
        } else if is(sub, "overflow") && remaining >= 1 {
            let kind = c_str(&argv[j + 1]);
            overflow = if is(kind, "wrap") {
                Overflow::Wrap
            } else if is(kind, "sat") {
                Overflow::Sat
            } else if is(kind, "fail") {
                Overflow::Fail
            } else {
                return Err(BITFIELD_OVERFLOW_INVALID);
            };
            j += 2;
            continue;
        } else {
            return Err(CommandError::Syntax);
        };
        let (signed, bits) = parse_field_type(&argv[j + 1])?;
        let offset = parse_bit_offset(&argv[j + 2], Some(bits), max_bulk_len)?;
        let op = if takes_value {
            let last_bit = offset + u64::from(bits) - 1;
            highest_write = Some(highest_write.map_or(last_bit, |h| h.max(last_bit)));
            let value = parse_i64(&argv[j + 3]).ok_or(CommandError::NotInteger)?;
            if is(sub, "set") {
                FieldOp::Set(value)
            } else {
                FieldOp::IncrBy(value)
            }
        } else {
            FieldOp::Get
        };
        fields.push(Field { op, offset, bits, signed, overflow });
        j += if takes_value { 4 } else { 3 };
    }
    Ok((fields, highest_write))
}

/// `bits` bits from bit `offset` as an unsigned number; bits past the end of the string read as zero.
fn read_unsigned(bytes: &[u8], offset: u64, bits: u32) -> u64 {
    (0..u64::from(bits)).fold(0u64, |value, i| {
        let at = offset + i;
        let bit = bytes.get(byte_index(at)).is_some_and(|b| b & bit_mask(at) != 0);
        (value << 1) | u64::from(bit)
    })
}

/// `bits` bits from bit `offset` as a two's complement number.
fn read_signed(bytes: &[u8], offset: u64, bits: u32) -> i64 {
    let mut value = read_unsigned(bytes, offset, bits);
    if bits < 64 && value & (1 << (bits - 1)) != 0 {
        value |= u64::MAX << bits;
    }
    value as i64
}

/// Writes the low `bits` bits of `value` from bit `offset` (inside the string).
fn write_bits(bytes: &mut [u8], offset: u64, bits: u32, value: u64) {
    for i in 0..u64::from(bits) {
        let at = offset + i;
        let mask = bit_mask(at);
        let byte = &mut bytes[byte_index(at)];
        if value & (1 << (u64::from(bits) - 1 - i)) != 0 {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
    }
}

/// Whether `value + incr` overflows an unsigned field of `bits` bits: `Some(value to store instead)`
/// when it does (the wrapped or saturated value; unused with FAIL), as Valkey's
/// checkUnsignedBitfieldOverflow computes it, with its 64-bit wrapping arithmetic.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, overflow: Overflow) -> Option<u64> {
    let max = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrapped = || value.wrapping_add(incr as u64) & !(u64::MAX.checked_shl(bits).unwrap_or(0));
    if value > max || (incr > 0 && incr > max_incr) {
        Some(match overflow {
            Overflow::Wrap => wrapped(),
            Overflow::Sat => max,
            Overflow::Fail => 0,
        })
    } else if incr < 0 && incr < min_incr {
        Some(match overflow {
            Overflow::Wrap => wrapped(),
            Overflow::Sat | Overflow::Fail => 0,
        })
    } else {
        None
    }
}

/// The signed twin of [`unsigned_overflow`] (Valkey's checkSignedBitfieldOverflow).
fn signed_overflow(value: i64, incr: i64, bits: u32, overflow: Overflow) -> Option<i64> {
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let min = -max - 1;
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrapped = || {
        let mut sum = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let high = u64::MAX << bits;
            if sum & (1 << (bits - 1)) != 0 {
                sum |= high;
            } else {
                sum &= !high;
            }
        }
        sum as i64
    };
    let limited = |limit: i64| match overflow {
        Overflow::Wrap => wrapped(),
        Overflow::Sat => limit,
        Overflow::Fail => 0,
    };
    if value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr) {
        Some(limited(max))
    } else if value < min || (bits != 64 && incr < min_incr) || (value < 0 && incr < 0 && incr < min_incr) {
        Some(limited(min))
    } else {
        None
    }
}

/// Runs a SET or INCRBY on `bytes` (long enough to hold it). Returns the reply (the new value for INCRBY,
/// the old one for SET) and whether the field's bits changed, or `None` when FAIL refused the write.
fn write_field(bytes: &mut [u8], field: &Field) -> Option<(Reply, bool)> {
    let Field { op, offset, bits, overflow, .. } = *field;
    let (reply, old, new, refused) = if field.signed {
        let old = read_signed(bytes, offset, bits);
        let (new, limit, reply_value) = match op {
            FieldOp::IncrBy(incr) => {
                let limit = signed_overflow(old, incr, bits, overflow);
                let new = limit.unwrap_or(old.wrapping_add(incr));
                (new, limit, new)
            }
            FieldOp::Set(value) => {
                let limit = signed_overflow(value, 0, bits, overflow);
                (limit.unwrap_or(value), limit, old)
            }
            FieldOp::Get => unreachable!("GET does not write"),
        };
        (reply_value, old as u64, new as u64, limit.is_some() && overflow == Overflow::Fail)
    } else {
        let old = read_unsigned(bytes, offset, bits);
        let (new, limit, reply_value) = match op {
            FieldOp::IncrBy(incr) => {
                let limit = unsigned_overflow(old, incr, bits, overflow);
                let new = limit.unwrap_or(old.wrapping_add(incr as u64));
                (new, limit, new)
            }
            FieldOp::Set(value) => {
                let limit = unsigned_overflow(value as u64, 0, bits, overflow);
                (limit.unwrap_or(value as u64), limit, old)
            }
            FieldOp::Get => unreachable!("GET does not write"),
        };
        (reply_value as i64, old, new, limit.is_some() && overflow == Overflow::Fail)
    };
    if refused {
        return None;
    }
    write_bits(bytes, offset, bits, new);
    Some((Reply::Int(reply), old != new))
}

/// Runs a GET on `bytes` (bits past the end read as zero).
fn read_field(bytes: &[u8], field: &Field) -> Reply {
    if field.signed {
        Reply::Int(read_signed(bytes, field.offset, field.bits))
    } else {
        Reply::Int(read_unsigned(bytes, field.offset, field.bits) as i64)
    }
}

/// BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value |
/// INCRBY encoding offset increment> [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding
/// offset value | INCRBY encoding offset increment> ...]]
fn bitfield(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    bitfield_generic(ctx, args, false)
}

/// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
fn bitfield_ro(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    bitfield_generic(ctx, args, true)
}

fn bitfield_generic(ctx: &mut Ctx, args: &mut Args, read_only: bool) -> CmdResult {
    let argv = args.argv();
    let key = &argv[1];
    let (fields, highest_write) = parse_fields(argv, ctx.eng.config.proto_max_bulk_len)?;
    let Some(highest_write) = highest_write else {
        let bytes = ctx.read_str(key)?.map(|s| s.as_bytes()).unwrap_or_default();
        return Ok(Reply::Array(fields.iter().map(|f| read_field(bytes, f)).collect()));
    };
    if read_only {
        return Err(BITFIELD_RO_WRITE);
    }
    let ((replies, changes), _) = edit_bits(ctx, key, highest_write, |bytes, grew| {
        let mut changes = 0u64;
        let replies = fields
            .iter()
            .map(|field| match field.op {
                FieldOp::Get => read_field(bytes, field),
                _ => match write_field(bytes, field) {
                    // FAIL refused it: nil, and no change.
                    None => Reply::Null,
                    Some((reply, changed)) => {
                        // A created or longer string is a change even when the field kept its value.
                        if changed || grew {
                            changes += 1;
                        }
                        reply
                    }
                },
            })
            .collect::<Vec<_>>();
        (replies, changes)
    })?;
    if changes > 0 {
        ctx.written(notify::STRING, "setbit", key);
        // Valkey counts one dirty change per field written; `written` counted the first.
        ctx.eng.dirty += changes - 1;
    }
    Ok(Reply::Array(replies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_bit_skips_whole_words_and_respects_edges() {
        let mut bytes = vec![0u8; 40];
        bytes[33] = 0x10;
        assert_eq!(find_bit(&bytes, 0, 319, true), Some(33 * 8 + 3));
        assert_eq!(find_bit(&bytes, 33 * 8 + 4, 319, true), None);
        assert_eq!(find_bit(&bytes, 0, 33 * 8 + 2, true), None);
        let ones = vec![0xffu8; 40];
        assert_eq!(find_bit(&ones, 3, 300, false), None);
    }

    #[test]
    fn count_ones_trims_edge_bytes() {
        let bytes = [0xffu8, 0xff, 0xff];
        assert_eq!(count_ones(&bytes, 0, 23), 24);
        assert_eq!(count_ones(&bytes, 3, 14), 12);
        assert_eq!(count_ones(&bytes, 9, 9), 1);
        assert_eq!(popcount(&[0xaa; 19]), 19 * 4);
    }

    #[test]
    fn signed_overflow_matches_valkey_wrapping() {
        assert_eq!(signed_overflow(100, 257, 8, Overflow::Wrap), Some(101));
        assert_eq!(signed_overflow(100, 257, 8, Overflow::Sat), Some(127));
        assert_eq!(signed_overflow(100, -255, 8, Overflow::Sat), Some(-128));
        assert_eq!(signed_overflow(1, 1, 64, Overflow::Wrap), None);
        assert_eq!(signed_overflow(i64::MAX, 1, 64, Overflow::Wrap), Some(i64::MIN));
        assert_eq!(unsigned_overflow(100, 257, 8, Overflow::Wrap), Some(101));
        assert_eq!(unsigned_overflow(100, -255, 8, Overflow::Sat), Some(0));
        assert_eq!(unsigned_overflow(u64::MAX, 0, 8, Overflow::Sat), Some(255));
    }
}
