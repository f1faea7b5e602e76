//! The Rust functions every Lua state gets that need no engine: the `redis` helpers that are pure
//! (`sha1hex`, `error_reply`, `status_reply` ...), `math.random`, the read-only and missing-global
//! metamethods, the script error handler, and the value conversions Lua arguments go through.

use super::api;
use super::errors::{arg_error, error_table, error_text, error_value, lua_error, type_error, Raised};
use super::numfmt::{c_double_to_i64, format_g};
use super::sandbox::INTERNAL_CHUNK;
use crate::scripting::rand48::Rand48;
use mlua::{Lua, Table, Value, Variadic};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The versions scripts can read (`redis.REDIS_VERSION` ...): Valkey 8.0.1, compatible with Redis 7.2.4.
pub(crate) const VERSIONS: &[(&str, VersionValue)] = &[
    ("REDIS_VERSION", VersionValue::Text("7.2.4")),
    ("REDIS_VERSION_NUM", VersionValue::Number(0x0007_0204)),
    ("VALKEY_VERSION", VersionValue::Text("8.0.1")),
    ("VALKEY_VERSION_NUM", VersionValue::Number(0x0008_0001)),
    ("SERVER_NAME", VersionValue::Text("valkey")),
];

pub(crate) enum VersionValue {
    Text(&'static str),
    Number(u32),
}

/// Arguments on their way from a `redis.*` function to the run's dispatcher (passing them through
/// the Lua stack a second time would halve how many a command can take).
pub(crate) type Mailbox = Rc<RefCell<Vec<Value>>>;

/// Builds the table of Rust functions the prelude wires in (`F`).
pub(crate) fn functions(lua: &Lua, rand: Rc<Cell<Rand48>>, mailbox: &Mailbox) -> mlua::Result<Table> {
    let f = lua.create_table()?;
    let api: &[(&str, i64)] = &[
        ("call", api::OP_CALL),
        ("pcall", api::OP_PCALL),
        ("log", api::OP_LOG),
        ("setresp", api::OP_SETRESP),
        ("set_repl", api::OP_SET_REPL),
        ("acl_check_cmd", api::OP_ACL_CHECK),
        ("register_function", api::OP_REGISTER),
    ];
    for &(name, op) in api {
        f.raw_set(name, engine_function(lua, op, mailbox.clone())?)?;
    }
    // wasm32 has no process clock (wasi-libc's `clock()` is missing, and Lua's os.clock raises "not
    // supported on WASI"): there `os.clock` asks the host's clock through the engine instead.
    #[cfg(target_arch = "wasm32")]
    f.raw_set("clock", engine_function(lua, api::OP_CLOCK, mailbox.clone())?)?;
    f.raw_set("errvalue", lua.create_function(|lua, v: Value| errvalue(lua, v))?)?;
    f.raw_set("err_handler", lua.create_function(err_handler)?)?;
    f.raw_set(
        "readonly",
        lua.create_function(|lua, _: Variadic<Value>| -> mlua::Result<()> {
            Err(lua_error(lua, "Attempt to modify a readonly table"))
        })?,
    )?;
    f.raw_set("missing_global", lua.create_function(missing_global)?)?;
    f.raw_set("sha1hex", lua.create_function(sha1hex)?)?;
    f.raw_set("error_reply", lua.create_function(error_reply)?)?;
    f.raw_set("status_reply", lua.create_function(status_reply)?)?;
    f.raw_set("breakpoint", lua.create_function(|_, _: Variadic<Value>| Ok(false))?)?;
    f.raw_set("debug", lua.create_function(|_, _: Variadic<Value>| Ok(()))?)?;
    f.raw_set("replicate_commands", lua.create_function(|_, _: Variadic<Value>| Ok(true))?)?;
    let r = rand.clone();
    f.raw_set("random", lua.create_function(move |lua, args: Variadic<Value>| random(lua, &args, &r))?)?;
    f.raw_set(
        "randomseed",
        lua.create_function(move |lua, args: Variadic<Value>| {
            let seed = check_integer(lua, &args, 1)? as i32;
            let mut g = rand.get();
            g.seed(seed);
            rand.set(g);
            Ok(())
        })?,
    )?;
    let versions = lua.create_table()?;
    for (name, value) in VERSIONS {
        match value {
            VersionValue::Text(s) => versions.raw_set(*name, *s)?,
            VersionValue::Number(n) => versions.raw_set(*name, f64::from(*n))?,
        }
    }
    f.raw_set("versions", versions)?;
    f.raw_set("cjson", super::cjson::module(lua)?)?;
    f.raw_set("cmsgpack", super::cmsgpack::module(lua)?)?;
    f.raw_set("bit", super::bit::module(lua)?)?;
    f.raw_set("struct", super::structlib::module(lua)?)?;
    Ok(f)
}

/// A `redis.*` function that needs the engine: it hands its arguments to the dispatcher of the
/// current run (`P.d`, see `Vm::run`). Being a Rust function itself keeps the caller's frame on the
/// stack even for `return redis.call(...)`, so errors name the script's line.
fn engine_function(lua: &Lua, op: i64, mailbox: Mailbox) -> mlua::Result<mlua::Function> {
    lua.create_function(move |lua, args: mlua::MultiValue| {
        *mailbox.borrow_mut() = args.into_iter().collect();
        let private: Table = lua.named_registry_value(api::PRIVATE_KEY)?;
        let Some(d) = private.raw_get::<Option<mlua::Function>>("d")? else {
            return Err(Raised::table("This API is only available while a script runs").into_lua());
        };
        d.call::<mlua::MultiValue>(op).map_err(|e| match e.downcast_ref::<Raised>() {
            Some(r) => r.clone().into_lua(),
            None => e,
        })
    })
}

/// Turns an error raised by a Rust callback into the value Valkey would have raised.
fn errvalue(lua: &Lua, v: Value) -> mlua::Result<Value> {
    match v {
        Value::Error(e) => error_value(lua, &e),
        v => Ok(v),
    }
}

/// `__redis__err__handler`: the error as a table `{err=..., source=..., line=...}` naming where in the
/// script it happened (skipping the C function that raised it and our own Lua wrappers).
fn err_handler(lua: &Lua, err: Value) -> mlua::Result<Value> {
    let frame = error_frame(lua);
    let t = match errvalue(lua, err)? {
        Value::Table(t) => t,
        other => error_table(lua, &format!("ERR {}", tostring(lua, other)?), false)?,
    };
    if let Some((source, line)) = frame {
        t.set("source", source)?;
        t.set("line", line)?;
    }
    Ok(Value::Table(t))
}

/// Source and line of the script code an error came from, as Valkey's handler finds it: the
/// function that raised, or its caller when that was a C function.
fn error_frame(lua: &Lua) -> Option<(String, f64)> {
    let info = |level: usize| {
        lua.inspect_stack(level, |d| {
            let s = d.source();
            let line = d.current_line().map_or(-1.0, |l| l as f64);
            (s.what == "C", s.source.map(|s| s.into_owned()).unwrap_or_default(), line)
        })
    };
    let mut level = 1;
    let (mut is_c, mut source, mut line) = info(level)?;
    if is_c {
        level += 1;
        (is_c, source, line) = info(level)?;
    }
    while !is_c && source == INTERNAL_CHUNK {
        level += 1;
        (is_c, source, line) = info(level)?;
    }
    Some((source, line))
}

/// Lua's `tostring` of a value.
pub(crate) fn tostring(lua: &Lua, v: Value) -> mlua::Result<String> {
    Ok(match v {
        Value::String(s) => s.to_string_lossy(),
        Value::Integer(i) => format_g(i as f64, 14),
        Value::Number(n) => format_g(n, 14),
        Value::Nil => "nil".into(),
        Value::Boolean(b) => b.to_string(),
        other => {
            let f: mlua::Function = lua.globals().get("tostring")?;
            f.call::<mlua::LuaString>(other)?.to_string_lossy()
        }
    })
}

/// The nonexistent-global error of read-only global tables (`luaProtectedTableError`).
fn missing_global(lua: &Lua, args: Variadic<Value>) -> mlua::Result<()> {
    if args.len() != 2 {
        return Err(lua_error(lua, "Wrong number of arguments to luaProtectedTableError"));
    }
    let name = match &args[1] {
        Value::String(s) => s.to_string_lossy(),
        Value::Integer(i) => format_g(*i as f64, 14),
        Value::Number(n) => format_g(*n, 14),
        _ => return Err(lua_error(lua, "Second argument to luaProtectedTableError must be a string or number")),
    };
    Err(lua_error(lua, format!("Script attempted to access nonexistent global variable '{name}'")))
}

/// `redis.sha1hex(s)`
fn sha1hex(_: &Lua, args: Variadic<Value>) -> mlua::Result<String> {
    if args.len() != 1 {
        return Err(Raised::table("wrong number of arguments").into_lua());
    }
    Ok(crate::scripting::sha1hex(&to_bytes(&args[0]).unwrap_or_default()))
}

/// `redis.error_reply(s)`: an error table, `ERR` added when `s` has no code. Bad arguments give an
/// error table too (returned, not raised).
fn error_reply(lua: &Lua, args: Variadic<Value>) -> mlua::Result<Table> {
    let Some(Value::String(s)) = single(&args) else {
        return error_table(lua, &error_text("wrong number or type of arguments"), false);
    };
    let s = c_string(&s.as_bytes());
    let dashed = if s.starts_with('-') { s } else { format!("-{s}") };
    error_table(lua, &error_text(&dashed), false)
}

/// `redis.status_reply(s)`: `{ok = s}`.
fn status_reply(lua: &Lua, args: Variadic<Value>) -> mlua::Result<Table> {
    let Some(Value::String(s)) = single(&args) else {
        return error_table(lua, &error_text("wrong number or type of arguments"), false);
    };
    let t = lua.create_table()?;
    t.raw_set("ok", s.clone())?;
    Ok(t)
}

fn single(args: &[Value]) -> Option<&Value> {
    (args.len() == 1).then(|| &args[0])
}

/// What C's `%s` prints of a Lua string: up to its first NUL.
fn c_string(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// `math.random([m [, n]])` on Valkey's generator: a value is drawn even when the arguments are bad.
fn random(lua: &Lua, args: &[Value], rand: &Cell<Rand48>) -> mlua::Result<f64> {
    let mut g = rand.get();
    let r = g.next_f64();
    rand.set(g);
    match args.len() {
        0 => Ok(r),
        1 => {
            let u = check_integer(lua, args, 1)? as i32;
            if u < 1 {
                return Err(arg_error(lua, 1, "interval is empty"));
            }
            Ok((r * f64::from(u)).floor() + 1.0)
        }
        2 => {
            let l = check_integer(lua, args, 1)? as i32;
            let u = check_integer(lua, args, 2)? as i32;
            if l > u {
                return Err(arg_error(lua, 2, "interval is empty"));
            }
            Ok((r * f64::from(u.wrapping_sub(l).wrapping_add(1))).floor() + f64::from(l))
        }
        _ => Err(lua_error(lua, "wrong number of arguments")),
    }
}

// -- Lua's argument conversions ---------------------------------------------------------------------

/// `lua_tonumber`: numbers, and strings that read as one; `None` otherwise.
pub(crate) fn to_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        Value::String(s) => str_to_number(&s.as_bytes()),
        _ => None,
    }
}

/// `luaO_str2d`: C's `strtod` over the whole string (spaces around allowed), or a hex integer.
pub(crate) fn str_to_number(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?.trim_matches(|c: char| c.is_ascii_whitespace());
    if s.is_empty() {
        return None;
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let v = u64::from_str_radix(hex, 16).ok()? as f64;
        return Some(if neg { -v } else { v });
    }
    if body.starts_with(['+', '-']) {
        return None;
    }
    s.parse::<f64>().ok()
}

/// `luaL_checkinteger` for argument `n` (1-based).
pub(crate) fn check_integer(lua: &Lua, args: &[Value], n: usize) -> mlua::Result<i64> {
    let v = args.get(n - 1).unwrap_or(&Value::Nil);
    match to_number(v) {
        Some(d) => Ok(c_double_to_i64(d)),
        None => Err(type_error_at(lua, args, n, "number")),
    }
}

/// `luaL_optinteger`: `default` when the argument is nil or absent.
pub(crate) fn opt_integer(lua: &Lua, args: &[Value], n: usize, default: i64) -> mlua::Result<i64> {
    match args.get(n - 1) {
        None | Some(Value::Nil) => Ok(default),
        Some(_) => check_integer(lua, args, n),
    }
}

/// `luaL_checknumber`.
pub(crate) fn check_number(lua: &Lua, args: &[Value], n: usize) -> mlua::Result<f64> {
    match args.get(n - 1).and_then(to_number) {
        Some(d) => Ok(d),
        None => Err(type_error_at(lua, args, n, "number")),
    }
}

/// `luaL_checklstring`: strings, and numbers as Lua prints them.
pub(crate) fn check_bytes(lua: &Lua, args: &[Value], n: usize) -> mlua::Result<Vec<u8>> {
    match args.get(n - 1).and_then(to_bytes) {
        Some(b) => Ok(b),
        None => Err(type_error_at(lua, args, n, "string")),
    }
}

/// `lua_tolstring`: strings and numbers (`%.14g`); `None` for other types.
pub(crate) fn to_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Integer(i) => Some(format_g(*i as f64, 14).into_bytes()),
        Value::Number(n) => Some(format_g(*n, 14).into_bytes()),
        _ => None,
    }
}

/// A type error naming "no value" for a missing argument, as `luaL_typerror` does.
pub(crate) fn type_error_at(lua: &Lua, args: &[Value], n: usize, expected: &str) -> mlua::Error {
    match args.get(n - 1) {
        Some(v) => type_error(lua, n, expected, v),
        None => arg_error(lua, n, format!("{expected} expected, got no value")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_to_number_follows_lua() {
        assert_eq!(str_to_number(b" 10 "), Some(10.0));
        assert_eq!(str_to_number(b"0x10"), Some(16.0));
        assert_eq!(str_to_number(b"-0x10"), Some(-16.0));
        assert_eq!(str_to_number(b"1e3"), Some(1000.0));
        assert_eq!(str_to_number(b"abc"), None);
        assert_eq!(str_to_number(b""), None);
        assert_eq!(str_to_number(b"--1"), None);
    }
}
