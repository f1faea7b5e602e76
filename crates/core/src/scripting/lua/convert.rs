//! Values between Lua and replies, as Valkey converts them (`redisProtocolToLuaType`,
//! `luaReplyToRedisReply`, `luaArgsToRedisArgv`).
//!
//! A command's reply reaches Lua in the protocol the script chose with `redis.setresp` (RESP2 unless
//! it said 3): under RESP2 the reply is first downgraded as a RESP2 client would receive it. A
//! script's return value becomes a reply; tables stand for status (`ok`), error (`err`) and the RESP3
//! types (`double`, `map`, `set`, `big_number`, `verbatim_string`).

use super::errors::error_table;
use super::numfmt::{c_double_to_i64, number_arg};
use crate::reply::Reply;
use mlua::{Function, Lua, Table, Value};
use std::borrow::Cow;

/// Nesting beyond which a returned table becomes `-ERR reached lua stack limit` (Valkey stops where
/// the Lua stack cannot grow; recursive tables end there too).
const MAX_REPLY_DEPTH: usize = 1000;

/// A command reply as Lua sees it.
pub(crate) fn reply_to_lua(lua: &Lua, reply: &Reply, resp3: bool) -> mlua::Result<Value> {
    let table = |key: &str, v: Value| -> mlua::Result<Value> {
        let t = lua.create_table()?;
        t.raw_set(key, v)?;
        Ok(Value::Table(t))
    };
    Ok(match reply {
        Reply::Status(s) => table("ok", Value::String(lua.create_string(s.as_bytes())?))?,
        Reply::Error(e) => Value::Table(error_table(lua, &super::errors::error_text(&format!("-{e}")), true)?),
        Reply::Int(n) => Value::Number(*n as f64),
        Reply::Bulk(b) => Value::String(lua.create_string(b)?),
        Reply::Null | Reply::NullArray => {
            if resp3 {
                Value::Nil
            } else {
                Value::Boolean(false)
            }
        }
        Reply::Array(items) | Reply::Push(items) => sequence(lua, items, resp3)?,
        Reply::Set(items) => {
            if !resp3 {
                return sequence(lua, items, resp3);
            }
            let set = lua.create_table()?;
            for item in items {
                set.raw_set(reply_to_lua(lua, item, resp3)?, true)?;
            }
            table("set", Value::Table(set))?
        }
        Reply::Map(pairs) => {
            if !resp3 {
                let t = lua.create_table_with_capacity(pairs.len() * 2, 0)?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    t.raw_set(2 * i + 1, reply_to_lua(lua, k, resp3)?)?;
                    t.raw_set(2 * i + 2, reply_to_lua(lua, v, resp3)?)?;
                }
                return Ok(Value::Table(t));
            }
            let map = lua.create_table()?;
            for (k, v) in pairs {
                map.raw_set(reply_to_lua(lua, k, resp3)?, reply_to_lua(lua, v, resp3)?)?;
            }
            table("map", Value::Table(map))?
        }
        Reply::Double(d) => {
            if resp3 {
                table("double", Value::Number(*d))?
            } else {
                Value::String(lua.create_string(crate::num::format_double(*d))?)
            }
        }
        Reply::Bool(b) => {
            if resp3 {
                Value::Boolean(*b)
            } else {
                Value::Number(if *b { 1.0 } else { 0.0 })
            }
        }
        Reply::BigNumber(n) => {
            if resp3 {
                table("big_number", Value::String(lua.create_string(n)?))?
            } else {
                Value::String(lua.create_string(n)?)
            }
        }
        Reply::Verbatim(format, text) => {
            if resp3 {
                let inner = lua.create_table()?;
                inner.raw_set("string", lua.create_string(text)?)?;
                inner.raw_set("format", *format)?;
                table("verbatim_string", Value::Table(inner))?
            } else {
                Value::String(lua.create_string(text)?)
            }
        }
    })
}

/// An array reply as a Lua sequence. A nil element (RESP3 null) leaves a hole, as in Valkey.
fn sequence(lua: &Lua, items: &[Reply], resp3: bool) -> mlua::Result<Value> {
    let t = lua.create_table_with_capacity(items.len(), 0)?;
    for (i, item) in items.iter().enumerate() {
        t.raw_set(i + 1, reply_to_lua(lua, item, resp3)?)?;
    }
    Ok(Value::Table(t))
}

/// An error reply met while converting a script's return value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplyError {
    pub text: String,
    /// errorstats already counted it (an error a command returned to the script).
    pub counted: bool,
    /// It is the whole reply, not an element of it.
    pub top_level: bool,
}

/// A script's return value as a reply. `resp3` is the protocol the script ended in: RESP2 turns
/// `true` into 1 and `false` into a null. Error replies found on the way are listed in `errors`.
///
/// Nested tables are walked with an explicit stack, not recursion: a script can return a table that
/// contains itself.
///
/// `next` is Lua's own: maps and sets are walked one pair at a time with it (holding them all would
/// exhaust mlua's reference stack on big tables).
pub(crate) fn lua_to_reply(
    v: &Value,
    resp3: bool,
    next: &Function,
    errors: &mut Vec<ReplyError>,
) -> mlua::Result<Reply> {
    let mut stack: Vec<Aggregate> = Vec::new();
    let mut done = match start(v, resp3, 0, errors)? {
        Step::Leaf(r) => return Ok(r),
        Step::Open(agg) => {
            stack.push(agg);
            None
        }
    };
    loop {
        let top = stack.last_mut().expect("an aggregate is open");
        if let Some(r) = done.take() {
            top.accept(r);
        }
        match top.next_child(next)? {
            Some(child) => match start(&child, resp3, stack.len(), errors)? {
                Step::Leaf(r) => done = Some(r),
                Step::Open(agg) => stack.push(agg),
            },
            None => {
                let finished = stack.pop().expect("an aggregate is open").finish();
                if stack.is_empty() {
                    return Ok(finished);
                }
                done = Some(finished);
            }
        }
    }
}

/// A value converted, or an aggregate whose elements come next.
enum Step {
    Leaf(Reply),
    Open(Aggregate),
}

/// An array, map or set being converted.
enum Aggregate {
    Array {
        table: Table,
        next: usize,
        items: Vec<Reply>,
    },
    /// `key` is the last key visited (nil before the first); `value` the value still to convert.
    Map {
        table: Table,
        key: Value,
        value: Option<Value>,
        items: Vec<(Reply, Reply)>,
        pending_key: Option<Reply>,
    },
    Set {
        table: Table,
        key: Value,
        items: Vec<Reply>,
    },
}

impl Aggregate {
    fn next_child(&mut self, next_fn: &Function) -> mlua::Result<Option<Value>> {
        Ok(match self {
            Aggregate::Array { table, next, .. } => {
                let v: Value = table.raw_get(*next)?;
                *next += 1;
                (!v.is_nil()).then_some(v)
            }
            Aggregate::Map { table, key, value, .. } => {
                if let Some(v) = value.take() {
                    return Ok(Some(v));
                }
                let (k, v): (Value, Value) = next_fn.call((table.clone(), key.clone()))?;
                if k.is_nil() {
                    return Ok(None);
                }
                *key = k.clone();
                *value = Some(v);
                Some(k)
            }
            Aggregate::Set { table, key, .. } => {
                let (k, _): (Value, Value) = next_fn.call((table.clone(), key.clone()))?;
                if k.is_nil() {
                    return Ok(None);
                }
                *key = k.clone();
                Some(k)
            }
        })
    }

    fn accept(&mut self, r: Reply) {
        match self {
            Aggregate::Array { items, .. } | Aggregate::Set { items, .. } => items.push(r),
            Aggregate::Map { items, pending_key, .. } => match pending_key.take() {
                None => *pending_key = Some(r),
                Some(k) => items.push((k, r)),
            },
        }
    }

    fn finish(self) -> Reply {
        match self {
            Aggregate::Array { items, .. } => Reply::Array(items),
            Aggregate::Map { items, .. } => Reply::Map(items),
            Aggregate::Set { items, .. } => Reply::Set(items),
        }
    }
}

/// A Lua integer as an `i64`: `lua_Integer` is `ptrdiff_t`, 64 bits natively but 32 in wasm32 (where
/// larger integral numbers arrive as `Value::Number` and truncate the same way).
#[allow(clippy::useless_conversion)]
fn lua_integer(i: mlua::Integer) -> i64 {
    i64::from(i)
}

fn start(v: &Value, resp3: bool, depth: usize, errors: &mut Vec<ReplyError>) -> mlua::Result<Step> {
    Ok(Step::Leaf(match v {
        Value::String(s) => Reply::Bulk(s.as_bytes().to_vec()),
        Value::Boolean(b) => match (resp3, b) {
            (true, b) => Reply::Bool(*b),
            (false, true) => Reply::Int(1),
            (false, false) => Reply::Null,
        },
        Value::Integer(i) => Reply::Int(lua_integer(*i)),
        Value::Number(n) => Reply::Int(c_double_to_i64(*n)),
        Value::Table(t) => {
            if depth >= MAX_REPLY_DEPTH {
                let text = "ERR reached lua stack limit".to_string();
                errors.push(ReplyError { text: text.clone(), counted: false, top_level: depth == 0 });
                return Ok(Step::Leaf(Reply::Error(text.into())));
            }
            return table_step(t, depth, errors);
        }
        _ => Reply::Null,
    }))
}

fn table_step(t: &Table, depth: usize, errors: &mut Vec<ReplyError>) -> mlua::Result<Step> {
    let leaf = |r: Reply| Ok(Step::Leaf(r));
    if let Value::String(_) = t.raw_get::<Value>("err")? {
        // Valkey re-reads the fields with metamethods (`luaExtractErrorInformation`).
        let msg = match t.get::<Value>("err")? {
            Value::String(s) => s.to_string_lossy(),
            _ => String::new(),
        };
        let counted = matches!(t.get::<Value>("ignore_error_stats_update")?, Value::Boolean(true));
        let text = single_line(msg.trim_matches(|c| c == '\r' || c == '\n'));
        errors.push(ReplyError { text: text.clone(), counted, top_level: depth == 0 });
        return leaf(Reply::Error(text.into()));
    }
    if let Value::String(s) = t.raw_get::<Value>("ok")? {
        return leaf(Reply::Status(Cow::Owned(single_line(&s.to_string_lossy()))));
    }
    if let Value::Number(_) | Value::Integer(_) = t.raw_get::<Value>("double")? {
        return leaf(Reply::Double(t.raw_get("double")?));
    }
    if let Value::String(s) = t.raw_get::<Value>("big_number")? {
        return leaf(Reply::BigNumber(single_line(&s.to_string_lossy())));
    }
    if let Value::Table(v) = t.raw_get::<Value>("verbatim_string")? {
        if let (Value::String(format), Value::String(text)) =
            (v.raw_get::<Value>("format")?, v.raw_get::<Value>("string")?)
        {
            return leaf(Reply::Verbatim(verbatim_format(&format.as_bytes()), text.as_bytes().to_vec()));
        }
    }
    if let Value::Table(m) = t.raw_get::<Value>("map")? {
        return Ok(Step::Open(Aggregate::Map {
            table: m,
            key: Value::Nil,
            value: None,
            items: Vec::new(),
            pending_key: None,
        }));
    }
    if let Value::Table(s) = t.raw_get::<Value>("set")? {
        return Ok(Step::Open(Aggregate::Set { table: s, key: Value::Nil, items: Vec::new() }));
    }
    Ok(Step::Open(Aggregate::Array { table: t.clone(), next: 1, items: Vec::new() }))
}

/// Status and big number texts cannot hold line breaks.
fn single_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// The three-letter format of a verbatim string. Replies carry a static format, so formats other than
/// `txt` and `mkd` are sent as `txt`.
fn verbatim_format(f: &[u8]) -> &'static str {
    match f.get(..3) {
        Some(b"mkd") => "mkd",
        _ => "txt",
    }
}

/// `redis.call`'s arguments as a command line: strings as they are, numbers as integers when they
/// are integral (never `1e+20`-style for those), anything else refused.
pub(crate) fn args_to_argv(args: &[Value]) -> Result<Vec<Vec<u8>>, &'static str> {
    if args.is_empty() {
        return Err("Please specify at least one argument for this call");
    }
    args.iter()
        .map(|a| match a {
            Value::String(s) => Ok(s.as_bytes().to_vec()),
            Value::Integer(i) => Ok(number_arg(*i as f64)),
            Value::Number(n) => Ok(number_arg(*n)),
            _ => Err("Command arguments must be strings or integers"),
        })
        .collect()
}
