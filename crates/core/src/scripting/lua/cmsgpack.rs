//! `cmsgpack`: lua-cmsgpack 0.4.0 as Valkey bundles it (`pack`, `unpack`, `unpack_one`,
//! `unpack_limit`). Tables nested deeper than 16 levels pack as nil (so circular tables terminate);
//! a table is packed as an array when its keys are exactly 1..n.

use super::builtins::{check_bytes, check_integer, opt_integer};
use super::errors::{arg_error, lua_error};
use super::numfmt::c_double_to_i64;
use mlua::{Lua, MultiValue, Table, Value, Variadic};

const MAX_NESTING: usize = 16;
/// Lua's C stack limit (`LUAI_MAXCSTACK`) bounds how many values and nested tables unpack can push.
const MAX_STACK: usize = 8000;
/// Nested tables use two stack slots per level while being decoded.
const MAX_DECODE_DEPTH: usize = 1000;
const TOO_MANY: &str = "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)";

pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("pack", lua.create_function(pack)?)?;
    t.raw_set("unpack", lua.create_function(|lua, args: Variadic<Value>| unpack_full(lua, &args, 0, 0))?)?;
    t.raw_set(
        "unpack_one",
        lua.create_function(|lua, args: Variadic<Value>| {
            let offset = opt_integer(lua, &args, 2, 0)?;
            unpack_full(lua, &args[..args.len().min(1)], 1, offset)
        })?,
    )?;
    t.raw_set(
        "unpack_limit",
        lua.create_function(|lua, args: Variadic<Value>| {
            let limit = check_integer(lua, &args, 2)?;
            let offset = opt_integer(lua, &args, 3, 0)?;
            unpack_full(lua, &args[..args.len().min(1)], limit, offset)
        })?,
    )?;
    t.raw_set("_NAME", "cmsgpack")?;
    t.raw_set("_VERSION", "lua-cmsgpack 0.4.0")?;
    t.raw_set("_COPYRIGHT", "Copyright (C) 2012, Redis Ltd.")?;
    t.raw_set("_DESCRIPTION", "MessagePack C implementation for Lua")?;
    Ok(t)
}

// -- packing ----------------------------------------------------------------------------------------

fn pack(lua: &Lua, args: Variadic<Value>) -> mlua::Result<mlua::LuaString> {
    if args.is_empty() {
        return Err(arg_error(lua, 0, "MessagePack pack needs input."));
    }
    let mut out = Vec::new();
    for v in args.iter() {
        encode(v, 0, &mut out)?;
    }
    lua.create_string(&out)
}

fn encode(v: &Value, level: usize, out: &mut Vec<u8>) -> mlua::Result<()> {
    match v {
        Value::Table(_) if level == MAX_NESTING => out.push(0xc0),
        Value::String(s) => encode_bytes(&s.as_bytes(), out),
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(i) => encode_number(*i as f64, out),
        Value::Number(n) => encode_number(*n, out),
        Value::Table(t) => {
            if is_array(t)? {
                let len = t.raw_len();
                encode_len(len as u64, 0x90, 0xdc, out);
                for i in 1..=len {
                    encode(&t.get::<Value>(i)?, level + 1, out)?;
                }
            } else {
                // Two walks, as lua-cmsgpack does: count, then encode pair by pair.
                let mut len = 0u64;
                for pair in t.pairs::<Value, Value>() {
                    pair?;
                    len += 1;
                }
                encode_len(len, 0x80, 0xde, out);
                for pair in t.pairs::<Value, Value>() {
                    let (k, v) = pair?;
                    encode(&k, level + 1, out)?;
                    encode(&v, level + 1, out)?;
                }
            }
        }
        _ => out.push(0xc0),
    }
    Ok(())
}

/// Keys exactly 1..n (positive integers that fit an `int`, as many as the largest).
fn is_array(t: &Table) -> mlua::Result<bool> {
    let (mut count, mut max) = (0i64, 0i64);
    for pair in t.pairs::<Value, Value>() {
        let n = match pair?.0 {
            Value::Integer(i) => i as f64,
            Value::Number(n) => n,
            _ => return Ok(false),
        };
        if n <= 0.0 || f64::from(c_double_to_i64(n) as i32) != n {
            return Ok(false);
        }
        max = max.max(n as i64);
        count += 1;
    }
    Ok(max == count)
}

fn encode_number(n: f64, out: &mut Vec<u8>) {
    if !n.is_infinite() && c_double_to_i64(n) as f64 == n {
        encode_int(c_double_to_i64(n), out);
    } else if f64::from(n as f32) == n {
        out.push(0xca);
        out.extend_from_slice(&(n as f32).to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_int(n: i64, out: &mut Vec<u8>) {
    if n >= 0 {
        match n {
            0..=127 => out.push(n as u8),
            128..=0xff => out.extend_from_slice(&[0xcc, n as u8]),
            0x100..=0xffff => {
                out.push(0xcd);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                out.push(0xce);
                out.extend_from_slice(&(n as u32).to_be_bytes());
            }
            _ => {
                out.push(0xcf);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
    } else {
        match n {
            -32..=-1 => out.push(n as i8 as u8),
            -128..=-33 => out.extend_from_slice(&[0xd0, n as u8]),
            -32768..=-129 => {
                out.push(0xd1);
                out.extend_from_slice(&(n as i16).to_be_bytes());
            }
            -2_147_483_648..=-32769 => {
                out.push(0xd2);
                out.extend_from_slice(&(n as i32).to_be_bytes());
            }
            _ => {
                out.push(0xd3);
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
    }
}

fn encode_bytes(s: &[u8], out: &mut Vec<u8>) {
    let len = s.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s);
}

/// Array and map headers: fix form up to 15 elements, then 16 and 32 bits.
fn encode_len(n: u64, fix: u8, wide16: u8, out: &mut Vec<u8>) {
    if n <= 15 {
        out.push(fix | n as u8);
    } else if n <= 0xffff {
        out.push(wide16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(wide16 + 1);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

// -- unpacking --------------------------------------------------------------------------------------

enum DecodeError {
    Eof,
    BadFormat,
    Lua(mlua::Error),
}

impl From<mlua::Error> for DecodeError {
    fn from(e: mlua::Error) -> Self {
        DecodeError::Lua(e)
    }
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    /// Lua stack slots in use, to fail where Valkey's Lua stack would.
    slots: usize,
}

impl Cursor<'_> {
    fn need(&self, n: usize) -> Result<&[u8], DecodeError> {
        self.data.get(self.pos..self.pos + n).ok_or(DecodeError::Eof)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], DecodeError> {
        let s = self.data.get(self.pos..self.pos + n).ok_or(DecodeError::Eof)?;
        self.pos += n;
        Ok(s)
    }

    /// The `n`-byte big-endian number after the tag byte; consumes both.
    fn fixed(&mut self, n: usize) -> Result<u64, DecodeError> {
        let b = self.need(1 + n)?;
        let v = b[1..].iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        self.pos += 1 + n;
        Ok(v)
    }
}

fn unpack_full(lua: &Lua, args: &[Value], limit: i64, offset: i64) -> mlua::Result<MultiValue> {
    let s = check_bytes(lua, args, 1)?;
    let len = s.len();
    if offset < 0 || limit < 0 {
        return Err(lua_error(
            lua,
            format!("Invalid request to unpack with offset of {} and limit of {}.", offset as i32, len as i32),
        ));
    }
    if offset as usize > len {
        return Err(lua_error(
            lua,
            format!("Start offset {} greater than input length {}.", offset as i32, len as i32),
        ));
    }
    let decode_all = limit == 0 && offset == 0;
    let limit = if decode_all { i64::from(i32::MAX) } else { limit };
    let mut c = Cursor { data: &s, pos: offset as usize, slots: args.len() };
    let mut values = Vec::new();
    let mut count = 0;
    while c.pos < len && count < limit {
        match decode(lua, &mut c, 0) {
            Ok(v) => values.push(v),
            Err(DecodeError::Eof) => return Err(lua_error(lua, "Missing bytes in input.")),
            Err(DecodeError::BadFormat) => return Err(lua_error(lua, "Bad data format in input.")),
            Err(DecodeError::Lua(e)) => return Err(e),
        }
        c.slots += 1;
        count += 1;
    }
    if !decode_all {
        let next = if c.pos == len { -1.0 } else { c.pos as f64 };
        values.insert(0, Value::Number(next));
    }
    Ok(MultiValue::from_iter(values))
}

fn decode(lua: &Lua, c: &mut Cursor<'_>, depth: usize) -> Result<Value, DecodeError> {
    let tag = *c.need(1)?.first().ok_or(DecodeError::Eof)?;
    if c.slots + 1 > MAX_STACK || depth > MAX_DECODE_DEPTH {
        return Err(DecodeError::Lua(lua_error(lua, TOO_MANY)));
    }
    let num = |v: f64| Ok(Value::Number(v));
    match tag {
        0xcc => num(c.fixed(1)? as f64),
        0xd0 => num(f64::from(c.fixed(1)? as u8 as i8)),
        0xcd => num(c.fixed(2)? as f64),
        0xd1 => num(f64::from(c.fixed(2)? as u16 as i16)),
        0xce => num(c.fixed(4)? as f64),
        0xd2 => num(f64::from(c.fixed(4)? as u32 as i32)),
        // lua_pushunsigned is lua_pushinteger on 64-bit builds: values past 2^63 wrap negative.
        0xcf | 0xd3 => num(c.fixed(8)? as i64 as f64),
        0xc0 => {
            c.pos += 1;
            Ok(Value::Nil)
        }
        0xc3 | 0xc2 => {
            c.pos += 1;
            Ok(Value::Boolean(tag == 0xc3))
        }
        0xca => num(f64::from(f32::from_bits(c.fixed(4)? as u32))),
        0xcb => num(f64::from_bits(c.fixed(8)?)),
        0xd9..=0xdb => {
            let header = match tag {
                0xd9 => 1,
                0xda => 2,
                _ => 4,
            };
            let l = c.fixed(header)? as usize;
            let bytes = c.take(l)?;
            Ok(Value::String(lua.create_string(bytes)?))
        }
        0xdc..=0xdf => {
            let header = if tag == 0xdc || tag == 0xde { 2 } else { 4 };
            let l = c.fixed(header)? as usize;
            if tag <= 0xdd {
                decode_array(lua, c, l, depth)
            } else {
                decode_map(lua, c, l, depth)
            }
        }
        _ if tag & 0x80 == 0 => {
            c.pos += 1;
            num(f64::from(tag))
        }
        _ if tag & 0xe0 == 0xe0 => {
            c.pos += 1;
            num(f64::from(tag as i8))
        }
        _ if tag & 0xe0 == 0xa0 => {
            let l = usize::from(tag & 0x1f);
            c.need(1 + l)?;
            c.pos += 1;
            let bytes = c.take(l)?;
            Ok(Value::String(lua.create_string(bytes)?))
        }
        _ if tag & 0xf0 == 0x90 => {
            c.pos += 1;
            decode_array(lua, c, usize::from(tag & 0xf), depth)
        }
        _ if tag & 0xf0 == 0x80 => {
            c.pos += 1;
            decode_map(lua, c, usize::from(tag & 0xf), depth)
        }
        _ => Err(DecodeError::BadFormat),
    }
}

fn decode_array(lua: &Lua, c: &mut Cursor<'_>, len: usize, depth: usize) -> Result<Value, DecodeError> {
    let t = lua.create_table()?;
    c.slots += 2;
    for i in 1..=len {
        let v = decode(lua, c, depth + 1)?;
        t.raw_set(i, v)?;
    }
    c.slots -= 2;
    Ok(Value::Table(t))
}

fn decode_map(lua: &Lua, c: &mut Cursor<'_>, len: usize, depth: usize) -> Result<Value, DecodeError> {
    let t = lua.create_table()?;
    c.slots += 3;
    for _ in 0..len {
        let k = decode(lua, c, depth + 1)?;
        let v = decode(lua, c, depth + 1)?;
        if k.is_nil() {
            return Err(DecodeError::Lua(lua_error_plain("table index is nil")));
        }
        t.raw_set(k, v)?;
    }
    c.slots -= 3;
    Ok(Value::Table(t))
}

/// A runtime error raised inside a C function (no position), as `lua_settable` raises.
fn lua_error_plain(msg: &str) -> mlua::Error {
    super::errors::Raised::Message(msg.to_string()).into_lua()
}
