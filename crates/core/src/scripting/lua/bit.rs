//! `bit`: LuaBitOp 1.0, the bit operations Valkey bundles. Numbers become 32-bit integers the way
//! LuaBitOp does it (adding 2^52+2^51 and keeping the low 32 bits of the double: round to nearest,
//! wrap modulo 2^32), and results come back as signed 32-bit numbers.

use super::builtins::{to_number, type_error_at};
use mlua::{Lua, Table, Value, Variadic};

type Unary = fn(u32) -> u32;
type Binary = fn(u32, u32) -> u32;

pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let unary: &[(&str, Unary)] = &[("tobit", |b| b), ("bnot", |b| !b), ("bswap", |b: u32| b.swap_bytes())];
    for &(name, op) in unary {
        t.raw_set(name, lua.create_function(move |lua, args: Variadic<Value>| Ok(ret(op(barg(lua, &args, 1)?))))?)?;
    }
    let folds: &[(&str, Binary)] = &[("band", |a, b| a & b), ("bor", |a, b| a | b), ("bxor", |a, b| a ^ b)];
    for &(name, op) in folds {
        t.raw_set(
            name,
            lua.create_function(move |lua, args: Variadic<Value>| {
                let mut acc = barg(lua, &args, 1)?;
                // LuaBitOp folds from the last argument down to the second.
                for i in (2..=args.len()).rev() {
                    acc = op(acc, barg(lua, &args, i)?);
                }
                Ok(ret(acc))
            })?,
        )?;
    }
    let shifts: &[(&str, Binary)] = &[
        ("lshift", |b, n| b << n),
        ("rshift", |b, n| b >> n),
        ("arshift", |b, n| ((b as i32) >> n) as u32),
        ("rol", |b, n| b.rotate_left(n)),
        ("ror", |b, n| b.rotate_right(n)),
    ];
    for &(name, op) in shifts {
        t.raw_set(
            name,
            lua.create_function(move |lua, args: Variadic<Value>| {
                let b = barg(lua, &args, 1)?;
                let n = barg(lua, &args, 2)? & 31;
                Ok(ret(op(b, n)))
            })?,
        )?;
    }
    t.raw_set("tohex", lua.create_function(tohex)?)?;
    Ok(t)
}

/// LuaBitOp's `barg`: argument `n` as 32 bits; a non-number is a type error (a number that converts
/// to 0 is fine).
fn barg(lua: &Lua, args: &[Value], n: usize) -> mlua::Result<u32> {
    let v = args.get(n - 1).unwrap_or(&Value::Nil);
    let d = to_number(v).unwrap_or(0.0);
    let b = (d + 6_755_399_441_055_744.0).to_bits() as u32;
    if b == 0 && to_number(v).is_none() {
        return Err(type_error_at(lua, args, n, "number"));
    }
    Ok(b)
}

fn ret(b: u32) -> f64 {
    f64::from(b as i32)
}

/// `bit.tohex(x [, n])`: `n` hex digits (8 by default), upper case when `n` is negative.
fn tohex(lua: &Lua, args: Variadic<Value>) -> mlua::Result<mlua::LuaString> {
    let mut b = barg(lua, &args, 1)?;
    let mut n = if args.len() < 2 { 8 } else { barg(lua, &args, 2)? as i32 };
    if n == i32::MIN {
        n = i32::MIN + 1;
    }
    let digits: &[u8; 16] = if n < 0 { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    let n = n.unsigned_abs().min(8) as usize;
    let mut buf = vec![0u8; n];
    for slot in buf.iter_mut().rev() {
        *slot = digits[(b & 15) as usize];
        b >>= 4;
    }
    lua.create_string(&buf)
}
