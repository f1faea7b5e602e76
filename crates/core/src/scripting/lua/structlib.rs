//! `struct`: Roberto Ierusalimschy's struct library as Valkey bundles it (`pack`, `unpack`, `size`),
//! with the type sizes and alignment of the x86-64 Linux build Valkey ships (`long` and `size_t` are 8
//! bytes, `int` 4, default maximum alignment 8), so packed strings are the same on every target.

use super::builtins::{check_bytes, check_number, opt_integer, to_number};
use super::errors::{arg_error, lua_error};
use super::numfmt::{c_double_to_i64, c_double_to_u64};
use mlua::{Lua, MultiValue, Table, Value, Variadic};

const MAXINTSIZE: usize = 32;
const MAXALIGN: usize = 8;

pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("pack", lua.create_function(pack)?)?;
    t.raw_set("unpack", lua.create_function(unpack)?)?;
    t.raw_set("size", lua.create_function(size)?)?;
    Ok(t)
}

#[derive(Clone, Copy)]
struct Header {
    little: bool,
    align: usize,
}

impl Default for Header {
    fn default() -> Self {
        Header { little: true, align: 1 }
    }
}

/// A format string as C sees it: up to its first NUL.
fn format_arg(lua: &Lua, args: &[Value]) -> mlua::Result<Vec<u8>> {
    let mut f = check_bytes(lua, args, 1)?;
    if let Some(end) = f.iter().position(|&b| b == 0) {
        f.truncate(end);
    }
    Ok(f)
}

/// Digits at `fmt[*i..]`, or `default` when there are none.
fn getnum(lua: &Lua, fmt: &[u8], i: &mut usize, default: usize) -> mlua::Result<usize> {
    if !fmt.get(*i).is_some_and(u8::is_ascii_digit) {
        return Ok(default);
    }
    let mut a: i32 = 0;
    while let Some(&c) = fmt.get(*i).filter(|c| c.is_ascii_digit()) {
        let d = i32::from(c - b'0');
        if a > i32::MAX / 10 || a * 10 > i32::MAX - d {
            return Err(lua_error(lua, "integral size overflow"));
        }
        a = a * 10 + d;
        *i += 1;
    }
    Ok(a as usize)
}

fn optsize(lua: &Lua, opt: u8, fmt: &[u8], i: &mut usize) -> mlua::Result<usize> {
    Ok(match opt {
        b'B' | b'b' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => 8,
        b'f' => 4,
        b'x' => 1,
        b'c' => getnum(lua, fmt, i, 1)?,
        b'i' | b'I' => {
            let sz = getnum(lua, fmt, i, 4)?;
            if sz > MAXINTSIZE {
                return Err(lua_error(lua, format!("integral size {sz} is larger than limit of {MAXINTSIZE}")));
            }
            sz
        }
        _ => 0,
    })
}

fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    size.wrapping_sub(len & size.wrapping_sub(1)) & size.wrapping_sub(1)
}

fn controloptions(lua: &Lua, opt: u8, fmt: &[u8], i: &mut usize, h: &mut Header) -> mlua::Result<()> {
    match opt {
        b' ' => Ok(()),
        b'>' => {
            h.little = false;
            Ok(())
        }
        b'<' => {
            h.little = true;
            Ok(())
        }
        b'!' => {
            let a = getnum(lua, fmt, i, MAXALIGN)?;
            if a == 0 || a & (a - 1) != 0 {
                return Err(lua_error(lua, format!("alignment {a} is not a power of 2")));
            }
            h.align = a;
            Ok(())
        }
        other => Err(arg_error(lua, 1, format!("invalid format option '{}'", other as char))),
    }
}

/// Bytes in the header's byte order (`bytes` is little endian).
fn ordered(mut bytes: Vec<u8>, h: &Header) -> Vec<u8> {
    if !h.little {
        bytes.reverse();
    }
    bytes
}

/// `struct.pack(fmt, ...)`
fn pack(lua: &Lua, args: Variadic<Value>) -> mlua::Result<mlua::LuaString> {
    let fmt = format_arg(lua, &args)?;
    let mut h = Header::default();
    let mut arg = 2;
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        let opt = fmt[i];
        i += 1;
        let mut size = optsize(lua, opt, &fmt, &mut i)?;
        let toalign = gettoalign(out.len(), &h, opt, size);
        out.resize(out.len() + toalign, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = check_number(lua, &args, arg)?;
                arg += 1;
                let value = if n < 0.0 { c_double_to_i64(n) as u64 } else { c_double_to_u64(n) };
                let mut bytes = vec![0u8; size];
                for (k, b) in bytes.iter_mut().enumerate().take(8) {
                    *b = (value >> (8 * k)) as u8;
                }
                out.extend(ordered(bytes, &h));
            }
            b'x' => out.push(0),
            b'f' => {
                let f = check_number(lua, &args, arg)? as f32;
                arg += 1;
                out.extend(ordered(f.to_le_bytes().to_vec(), &h));
            }
            b'd' => {
                let d = check_number(lua, &args, arg)?;
                arg += 1;
                out.extend(ordered(d.to_le_bytes().to_vec(), &h));
            }
            b'c' | b's' => {
                let s = check_bytes(lua, &args, arg)?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    // The library checks after moving to the next argument, and reports that one.
                    return Err(arg_error(lua, arg, "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => controloptions(lua, opt, &fmt, &mut i, &mut h)?,
        }
    }
    lua.create_string(&out)
}

fn getinteger(bytes: &[u8], little: bool, signed: bool) -> f64 {
    let mut l: u64 = 0;
    let iter: Box<dyn Iterator<Item = &u8>> =
        if little { Box::new(bytes.iter().rev()) } else { Box::new(bytes.iter()) };
    for &b in iter {
        l = (l << 8) | u64::from(b);
    }
    if !signed {
        return l as f64;
    }
    // x86 masks the shift count: sizes past 8 bytes sign-extend from bit 63.
    let mask = u64::MAX << ((bytes.len() * 8).wrapping_sub(1) & 63);
    if l & mask != 0 {
        l |= mask;
    }
    l as i64 as f64
}

/// `struct.unpack(fmt, data [, pos])`: the values, then the position after them.
fn unpack(lua: &Lua, args: Variadic<Value>) -> mlua::Result<MultiValue> {
    let fmt = format_arg(lua, &args)?;
    let data = check_bytes(lua, &args, 2)?;
    let ld = data.len();
    // A size_t in C: negative offsets wrap to huge ones.
    let mut pos = opt_integer(lua, &args, 3, 1)? as u64 as usize;
    if pos == 0 {
        return Err(arg_error(lua, 3, "offset must be 1 or greater"));
    }
    pos -= 1;
    let mut h = Header::default();
    let mut out: Vec<Value> = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        let opt = fmt[i];
        i += 1;
        let mut size = optsize(lua, opt, &fmt, &mut i)?;
        pos = pos.wrapping_add(gettoalign(pos, &h, opt, size));
        if !(size <= ld && pos <= ld - size) {
            return Err(arg_error(lua, 2, "data string too short"));
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let v = getinteger(&data[pos..pos + size], h.little, opt.is_ascii_lowercase());
                out.push(Value::Number(v));
            }
            b'x' => {}
            b'f' => {
                let b: [u8; 4] = ordered(data[pos..pos + 4].to_vec(), &h).try_into().unwrap_or_default();
                out.push(Value::Number(f64::from(f32::from_le_bytes(b))));
            }
            b'd' => {
                let b: [u8; 8] = ordered(data[pos..pos + 8].to_vec(), &h).try_into().unwrap_or_default();
                out.push(Value::Number(f64::from_le_bytes(b)));
            }
            b'c' => {
                if size == 0 {
                    let Some(n) = out.last().and_then(to_number) else {
                        return Err(lua_error(lua, "format 'c0' needs a previous size"));
                    };
                    out.pop();
                    size = c_double_to_u64(n) as usize;
                    if !(size <= ld && pos <= ld - size) {
                        return Err(arg_error(lua, 2, "data string too short"));
                    }
                }
                out.push(Value::String(lua.create_string(&data[pos..pos + size])?));
            }
            b's' => {
                let Some(len) = data[pos..].iter().position(|&b| b == 0) else {
                    return Err(lua_error(lua, "unfinished string in data"));
                };
                size = len + 1;
                out.push(Value::String(lua.create_string(&data[pos..pos + len])?));
            }
            _ => controloptions(lua, opt, &fmt, &mut i, &mut h)?,
        }
        pos = pos.wrapping_add(size);
    }
    out.push(Value::Number(pos.wrapping_add(1) as f64));
    Ok(MultiValue::from_iter(out))
}

/// `struct.size(fmt)`: bytes a format packs to, when fixed.
fn size(lua: &Lua, args: Variadic<Value>) -> mlua::Result<f64> {
    let fmt = format_arg(lua, &args)?;
    let mut h = Header::default();
    let mut pos = 0usize;
    let mut i = 0;
    while i < fmt.len() {
        let opt = fmt[i];
        i += 1;
        let size = optsize(lua, opt, &fmt, &mut i)?;
        pos += gettoalign(pos, &h, opt, size);
        if opt == b's' {
            return Err(arg_error(lua, 1, "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(arg_error(lua, 1, "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            controloptions(lua, opt, &fmt, &mut i, &mut h)?;
        }
        pos += size;
    }
    Ok(pos as f64)
}
