//! `cjson`: Lua CJSON 2.1.0 as Valkey bundles it. Encoding writes numbers with `%.14g`, escapes `/`
//! and control characters, turns tables with keys 1..n into arrays (excessively sparse ones are an
//! error) and anything else into objects; decoding follows the library's tokenizer, errors included
//! ("Expected comma or array end but found T_END at character 5"). `cjson.null` is the NULL light
//! userdata. Each module (and each `cjson.new()`) has its own settings.

use super::builtins::{check_bytes, check_integer, to_bytes};
use super::errors::{arg_error, lua_error, type_name};
use super::numfmt::format_g;
use mlua::{LightUserData, Lua, Table, Value, Variadic};
use std::cell::RefCell;
use std::rc::Rc;

/// Nesting the encoder and decoder accept whatever the configured maximum (Valkey's Lua stack ends
/// at about this depth too).
const STACK_DEPTH_LIMIT: i64 = 1000;

#[derive(Debug, Clone)]
struct Config {
    sparse_convert: bool,
    sparse_ratio: i64,
    sparse_safe: i64,
    encode_max_depth: i64,
    decode_max_depth: i64,
    /// 0: error, 1: write `nan`/`inf`, 2: write `null`.
    encode_invalid_numbers: usize,
    decode_invalid_numbers: bool,
    keep_buffer: bool,
    precision: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sparse_convert: false,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            encode_invalid_numbers: 0,
            decode_invalid_numbers: true,
            keep_buffer: true,
            precision: 14,
        }
    }
}

type Shared = Rc<RefCell<Config>>;

fn null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

/// A fresh module table with its own settings.
pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let cfg: Shared = Rc::default();
    let t = lua.create_table()?;
    let c = cfg.clone();
    t.raw_set("encode", lua.create_function(move |lua, args: Variadic<Value>| encode(lua, &args, &c.borrow()))?)?;
    let c = cfg.clone();
    t.raw_set("decode", lua.create_function(move |lua, args: Variadic<Value>| decode(lua, &args, &c.borrow()))?)?;
    let c = cfg.clone();
    t.raw_set(
        "encode_sparse_array",
        lua.create_function(move |lua, args: Variadic<Value>| {
            let args = arg_init(lua, &args, 3)?;
            let mut c = c.borrow_mut();
            let convert = bool_option(lua, &args, 1, &mut c.sparse_convert)?;
            let ratio = integer_option(lua, &args, 2, &mut c.sparse_ratio, 0, i64::from(i32::MAX))?;
            let safe = integer_option(lua, &args, 3, &mut c.sparse_safe, 0, i64::from(i32::MAX))?;
            Ok((convert, ratio, safe))
        })?,
    )?;
    let depth_option = |c: Shared, encode: bool| {
        move |lua: &Lua, args: Variadic<Value>| {
            let args = arg_init(lua, &args, 1)?;
            let mut c = c.borrow_mut();
            let setting = if encode { &mut c.encode_max_depth } else { &mut c.decode_max_depth };
            integer_option(lua, &args, 1, setting, 1, i64::from(i32::MAX))
        }
    };
    t.raw_set("encode_max_depth", lua.create_function(depth_option(cfg.clone(), true))?)?;
    t.raw_set("decode_max_depth", lua.create_function(depth_option(cfg.clone(), false))?)?;
    let c = cfg.clone();
    t.raw_set(
        "encode_number_precision",
        lua.create_function(move |lua, args: Variadic<Value>| {
            let args = arg_init(lua, &args, 1)?;
            let mut c = c.borrow_mut();
            let mut p = c.precision as i64;
            let r = integer_option(lua, &args, 1, &mut p, 1, 14)?;
            c.precision = p as usize;
            Ok(r)
        })?,
    )?;
    let c = cfg.clone();
    t.raw_set(
        "encode_keep_buffer",
        lua.create_function(move |lua, args: Variadic<Value>| {
            let args = arg_init(lua, &args, 1)?;
            bool_option(lua, &args, 1, &mut c.borrow_mut().keep_buffer)
        })?,
    )?;
    let c = cfg.clone();
    t.raw_set(
        "encode_invalid_numbers",
        lua.create_function(move |lua, args: Variadic<Value>| {
            let args = arg_init(lua, &args, 1)?;
            let mut c = c.borrow_mut();
            enum_option(lua, &args, 1, &mut c.encode_invalid_numbers, &["off", "on", "null"])
        })?,
    )?;
    let c = cfg;
    t.raw_set(
        "decode_invalid_numbers",
        lua.create_function(move |lua, args: Variadic<Value>| {
            let args = arg_init(lua, &args, 1)?;
            bool_option(lua, &args, 1, &mut c.borrow_mut().decode_invalid_numbers)
        })?,
    )?;
    t.raw_set("new", lua.create_function(|lua, _: Variadic<Value>| module(lua))?)?;
    t.raw_set("null", null())?;
    t.raw_set("_NAME", "cjson")?;
    t.raw_set("_VERSION", "2.1.0")?;
    Ok(t)
}

// -- configuration ----------------------------------------------------------------------------------

/// At most `n` arguments, padded with nils.
fn arg_init(lua: &Lua, args: &[Value], n: usize) -> mlua::Result<Vec<Value>> {
    if args.len() > n {
        return Err(arg_error(lua, n + 1, "found too many arguments"));
    }
    let mut v = args.to_vec();
    v.resize(n, Value::Nil);
    Ok(v)
}

fn integer_option(lua: &Lua, args: &[Value], i: usize, setting: &mut i64, min: i64, max: i64) -> mlua::Result<f64> {
    if !args[i - 1].is_nil() {
        let value = check_integer(lua, args, i)? as i32 as i64;
        if !(min..=max).contains(&value) {
            return Err(arg_error(lua, 1, format!("expected integer between {min} and {max}")));
        }
        *setting = value;
    }
    Ok(*setting as f64)
}

/// An on/off option (a boolean, or "on"/"off").
fn bool_option(lua: &Lua, args: &[Value], i: usize, setting: &mut bool) -> mlua::Result<bool> {
    let mut n = usize::from(*setting);
    enum_option(lua, args, i, &mut n, &["off", "on"])?;
    *setting = n == 1;
    Ok(*setting)
}

/// `json_enum_option` with `bool_true` 1: booleans set 0/1, strings pick an option by name; the
/// result is a boolean for 0/1, else the option's name.
fn enum_option(lua: &Lua, args: &[Value], i: usize, setting: &mut usize, options: &[&str]) -> mlua::Result<Value> {
    match &args[i - 1] {
        Value::Nil => {}
        Value::Boolean(b) => *setting = usize::from(*b),
        v => {
            let name =
                to_bytes(v).ok_or_else(|| arg_error(lua, i, format!("string expected, got {}", type_name(v))))?;
            *setting = options
                .iter()
                .position(|o| o.as_bytes() == name.as_slice())
                .ok_or_else(|| arg_error(lua, i, format!("invalid option '{}'", String::from_utf8_lossy(&name))))?;
        }
    }
    Ok(if *setting <= 1 { Value::Boolean(*setting == 1) } else { Value::String(lua.create_string(options[*setting])?) })
}

// -- encoding ---------------------------------------------------------------------------------------

fn encode(lua: &Lua, args: &[Value], cfg: &Config) -> mlua::Result<mlua::LuaString> {
    if args.len() != 1 {
        return Err(arg_error(lua, 1, "expected 1 argument"));
    }
    let mut out = Vec::new();
    append(lua, cfg, &args[0], 0, &mut out)?;
    lua.create_string(&out)
}

fn exception(lua: &Lua, v: &Value, reason: &str) -> mlua::Error {
    lua_error(lua, format!("Cannot serialise {}: {reason}", type_name(v)))
}

fn append(lua: &Lua, cfg: &Config, v: &Value, depth: i64, out: &mut Vec<u8>) -> mlua::Result<()> {
    match v {
        Value::String(s) => append_string(&s.as_bytes(), out),
        Value::Integer(i) => append_number(lua, cfg, *i as f64, v, out)?,
        Value::Number(n) => append_number(lua, cfg, *n, v, out)?,
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Table(t) => {
            let depth = depth + 1;
            if depth > cfg.encode_max_depth || depth > STACK_DEPTH_LIMIT {
                return Err(lua_error(lua, format!("Cannot serialise, excessive nesting ({depth})")));
            }
            match array_length(lua, cfg, t, v)? {
                Some(len) if len > 0 => {
                    out.push(b'[');
                    for i in 1..=len {
                        if i > 1 {
                            out.push(b',');
                        }
                        append(lua, cfg, &t.raw_get::<Value>(i)?, depth, out)?;
                    }
                    out.push(b']');
                }
                _ => {
                    out.push(b'{');
                    let mut first = true;
                    for pair in t.pairs::<Value, Value>() {
                        let (k, val) = pair?;
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        match &k {
                            Value::Integer(_) | Value::Number(_) => {
                                out.push(b'"');
                                let n = if let Value::Integer(i) = k { i as f64 } else { k.as_f64().unwrap_or(0.0) };
                                append_number(lua, cfg, n, &k, out)?;
                                out.extend_from_slice(b"\":");
                            }
                            Value::String(s) => {
                                append_string(&s.as_bytes(), out);
                                out.push(b':');
                            }
                            other => return Err(exception(lua, other, "table key must be a number or string")),
                        }
                        append(lua, cfg, &val, depth, out)?;
                    }
                    out.push(b'}');
                }
            }
        }
        other => return Err(exception(lua, other, "type not supported")),
    }
    Ok(())
}

/// `Some(n)` when the table is an array of `n` (keys positive integers, not too sparse), `None`
/// for an object.
fn array_length(lua: &Lua, cfg: &Config, t: &Table, v: &Value) -> mlua::Result<Option<usize>> {
    let (mut max, mut items) = (0i64, 0i64);
    for pair in t.pairs::<Value, Value>() {
        let k = match pair?.0 {
            Value::Integer(i) => i as f64,
            Value::Number(n) => n,
            _ => return Ok(None),
        };
        if k == 0.0 || k.floor() != k || k < 1.0 {
            return Ok(None);
        }
        // C keeps the largest key in an int.
        let k = super::numfmt::c_double_to_int(k) as i64;
        max = max.max(k);
        items += 1;
    }
    if cfg.sparse_ratio > 0 && max > items * cfg.sparse_ratio && max > cfg.sparse_safe {
        if !cfg.sparse_convert {
            return Err(exception(lua, v, "excessively sparse array"));
        }
        return Ok(None);
    }
    Ok(Some(max.max(0) as usize))
}

fn append_number(lua: &Lua, cfg: &Config, n: f64, v: &Value, out: &mut Vec<u8>) -> mlua::Result<()> {
    match cfg.encode_invalid_numbers {
        0 if !n.is_finite() => return Err(exception(lua, v, "must not be NaN or Inf")),
        1 if n.is_nan() => {
            out.extend_from_slice(b"nan");
            return Ok(());
        }
        2 if !n.is_finite() => {
            out.extend_from_slice(b"null");
            return Ok(());
        }
        _ => {}
    }
    out.extend_from_slice(format_g(n, cfg.precision).as_bytes());
    Ok(())
}

fn append_string(s: &[u8], out: &mut Vec<u8>) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0..=0x1f | 0x7f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

// -- decoding ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Token {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str(Vec<u8>),
    Number(f64),
    Boolean(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Token {
    fn name(&self) -> &'static str {
        match self {
            Token::ObjBegin => "T_OBJ_BEGIN",
            Token::ObjEnd => "T_OBJ_END",
            Token::ArrBegin => "T_ARR_BEGIN",
            Token::ArrEnd => "T_ARR_END",
            Token::Str(_) => "T_STRING",
            Token::Number(_) => "T_NUMBER",
            Token::Boolean(_) => "T_BOOLEAN",
            Token::Null => "T_NULL",
            Token::Colon => "T_COLON",
            Token::Comma => "T_COMMA",
            Token::End => "T_END",
            Token::Error(e) => e,
        }
    }
}

struct Parser<'a, 'l> {
    lua: &'l Lua,
    cfg: &'a Config,
    data: &'a [u8],
    pos: usize,
    depth: i64,
}

fn decode(lua: &Lua, args: &[Value], cfg: &Config) -> mlua::Result<Value> {
    if args.len() != 1 {
        return Err(arg_error(lua, 1, "expected 1 argument"));
    }
    let data = check_bytes(lua, args, 1)?;
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(lua_error(lua, "JSON parser does not support UTF-16 or UTF-32"));
    }
    let mut p = Parser { lua, cfg, data: &data, pos: 0, depth: 0 };
    let (token, index) = p.next_token();
    let value = p.value(token, index)?;
    let (token, index) = p.next_token();
    if token != Token::End {
        return Err(p.parse_error("the end", &token, index));
    }
    Ok(value)
}

impl Parser<'_, '_> {
    /// The byte at `i`, NUL past the end: the C parser reads a NUL-terminated buffer.
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn parse_error(&self, expected: &str, token: &Token, index: usize) -> mlua::Error {
        lua_error(self.lua, format!("Expected {expected} but found {} at character {}", token.name(), index + 1))
    }

    /// The next token and where it starts.
    fn next_token(&mut self) -> (Token, usize) {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        let start = self.pos;
        let ch = self.at(self.pos);
        let single = match ch {
            b'{' => Some(Token::ObjBegin),
            b'}' => Some(Token::ObjEnd),
            b'[' => Some(Token::ArrBegin),
            b']' => Some(Token::ArrEnd),
            b',' => Some(Token::Comma),
            b':' => Some(Token::Colon),
            _ => None,
        };
        if let Some(t) = single {
            self.pos += 1;
            return (t, start);
        }
        if ch == 0 {
            return (Token::End, start);
        }
        let rest = &self.data[self.pos..];
        if ch == b'"' {
            return self.string_token();
        }
        if ch == b'-' || ch.is_ascii_digit() {
            if !self.cfg.decode_invalid_numbers && invalid_number(rest) {
                return (Token::Error("invalid number"), self.pos);
            }
            return self.number_token();
        }
        if rest.starts_with(b"true") {
            self.pos += 4;
            return (Token::Boolean(true), start);
        }
        if rest.starts_with(b"false") {
            self.pos += 5;
            return (Token::Boolean(false), start);
        }
        if rest.starts_with(b"null") {
            self.pos += 4;
            return (Token::Null, start);
        }
        if matches!(ch, b'i' | b'I' | b'n' | b'N' | b'+') && self.cfg.decode_invalid_numbers && invalid_number(rest) {
            return self.number_token();
        }
        (Token::Error("invalid token"), start)
    }

    fn number_token(&mut self) -> (Token, usize) {
        let start = self.pos;
        match strtod(&self.data[self.pos..]) {
            Some((n, used)) => {
                self.pos += used;
                (Token::Number(n), start)
            }
            None => (Token::Error("invalid number"), start),
        }
    }

    fn string_token(&mut self) -> (Token, usize) {
        let start = self.pos;
        self.pos += 1;
        let mut s = Vec::new();
        loop {
            let ch = self.at(self.pos);
            if ch == b'"' {
                break;
            }
            if ch == 0 {
                return (Token::Error("unexpected end of string"), self.pos);
            }
            if ch == b'\\' {
                let unescaped = match self.at(self.pos + 1) {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'u' => {
                        if !self.unicode_escape(&mut s) {
                            return (Token::Error("invalid unicode escape code"), self.pos);
                        }
                        continue;
                    }
                    _ => return (Token::Error("invalid escape code"), self.pos),
                };
                s.push(unescaped);
                self.pos += 2;
                continue;
            }
            s.push(ch);
            self.pos += 1;
        }
        self.pos += 1;
        let _ = start;
        (Token::Str(s), start)
    }

    /// `\uXXXX` (or a surrogate pair) at `pos`, appended as UTF-8.
    fn unicode_escape(&mut self, s: &mut Vec<u8>) -> bool {
        let hex4 = |at: usize| -> Option<u32> {
            (0..4).try_fold(0u32, |acc, k| char::from(self.at(at + k)).to_digit(16).map(|d| (acc << 4) | d))
        };
        let Some(mut cp) = hex4(self.pos + 2) else { return false };
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 || self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = hex4(self.pos + 8) else { return false };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        match cp {
            0..=0x7F => s.push(cp as u8),
            0x80..=0x7FF => s.extend_from_slice(&[(cp >> 6) as u8 | 0xC0, (cp & 0x3F) as u8 | 0x80]),
            0x800..=0xFFFF => s.extend_from_slice(&[
                (cp >> 12) as u8 | 0xE0,
                ((cp >> 6) & 0x3F) as u8 | 0x80,
                (cp & 0x3F) as u8 | 0x80,
            ]),
            _ => s.extend_from_slice(&[
                (cp >> 18) as u8 | 0xF0,
                ((cp >> 12) & 0x3F) as u8 | 0x80,
                ((cp >> 6) & 0x3F) as u8 | 0x80,
                (cp & 0x3F) as u8 | 0x80,
            ]),
        }
        self.pos += len;
        true
    }

    fn descend(&mut self) -> mlua::Result<()> {
        self.depth += 1;
        if self.depth > self.cfg.decode_max_depth || self.depth > STACK_DEPTH_LIMIT {
            return Err(lua_error(
                self.lua,
                format!("Found too many nested data structures ({}) at character {}", self.depth, self.pos),
            ));
        }
        Ok(())
    }

    fn value(&mut self, token: Token, index: usize) -> mlua::Result<Value> {
        Ok(match token {
            Token::Str(s) => Value::String(self.lua.create_string(&s)?),
            Token::Number(n) => Value::Number(n),
            Token::Boolean(b) => Value::Boolean(b),
            Token::Null => null(),
            Token::ObjBegin => self.object()?,
            Token::ArrBegin => self.array()?,
            other => return Err(self.parse_error("value", &other, index)),
        })
    }

    fn object(&mut self) -> mlua::Result<Value> {
        self.descend()?;
        let t = self.lua.create_table()?;
        let (mut token, mut index) = self.next_token();
        if token == Token::ObjEnd {
            self.depth -= 1;
            return Ok(Value::Table(t));
        }
        loop {
            let Token::Str(key) = token else {
                return Err(self.parse_error("object key string", &token, index));
            };
            let (colon, at) = self.next_token();
            if colon != Token::Colon {
                return Err(self.parse_error("colon", &colon, at));
            }
            let (vt, vi) = self.next_token();
            let v = self.value(vt, vi)?;
            t.raw_set(self.lua.create_string(&key)?, v)?;
            let (next, at) = self.next_token();
            if next == Token::ObjEnd {
                self.depth -= 1;
                return Ok(Value::Table(t));
            }
            if next != Token::Comma {
                return Err(self.parse_error("comma or object end", &next, at));
            }
            (token, index) = self.next_token();
        }
    }

    fn array(&mut self) -> mlua::Result<Value> {
        self.descend()?;
        let t = self.lua.create_table()?;
        let (mut token, mut index) = self.next_token();
        if token == Token::ArrEnd {
            self.depth -= 1;
            return Ok(Value::Table(t));
        }
        for i in 1.. {
            let v = self.value(token, index)?;
            t.raw_set(i, v)?;
            let (next, at) = self.next_token();
            if next == Token::ArrEnd {
                break;
            }
            if next != Token::Comma {
                return Err(self.parse_error("comma or array end", &next, at));
            }
            (token, index) = self.next_token();
        }
        self.depth -= 1;
        Ok(Value::Table(t))
    }
}

/// Numbers strict JSON forbids but `strtod` reads: a leading `+`, hex, leading zeros, inf, nan.
fn invalid_number(p: &[u8]) -> bool {
    let mut p = p;
    if p.first() == Some(&b'+') {
        return true;
    }
    if p.first() == Some(&b'-') {
        p = &p[1..];
    }
    match p.first() {
        Some(b'0') => {
            let c2 = p.get(1).copied().unwrap_or(0);
            (c2 | 0x20) == b'x' || c2.is_ascii_digit()
        }
        Some(c) if *c <= b'9' => false,
        _ => {
            let head = |w: &[u8]| p.len() >= 3 && p[..3].eq_ignore_ascii_case(w);
            head(b"inf") || head(b"nan")
        }
    }
}

/// C's `strtod` on the start of `b` (no leading spaces here): the value and the bytes it used, or
/// `None` when no number starts there.
fn strtod(b: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let negative = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let sign = |v: f64| if negative { -v } else { v };
    let rest = &b[i..];
    let starts = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
    if starts(b"infinity") {
        return Some((sign(f64::INFINITY), i + 8));
    }
    if starts(b"inf") {
        return Some((sign(f64::INFINITY), i + 3));
    }
    if starts(b"nan") {
        let mut end = i + 3;
        if b.get(end) == Some(&b'(') {
            if let Some(close) = b[end..].iter().position(|&c| c == b')') {
                if b[end + 1..end + close].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    end += close + 1;
                }
            }
        }
        return Some((sign(f64::NAN), end));
    }
    if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' && (rest[2].is_ascii_hexdigit() || rest[2] == b'.')
    {
        if let Some((v, used)) = hex_float(&rest[2..]) {
            return Some((sign(v), i + 2 + used));
        }
    }
    let mut j = i;
    let digits = |j: &mut usize| {
        let s = *j;
        while b.get(*j).is_some_and(u8::is_ascii_digit) {
            *j += 1;
        }
        *j - s
    };
    let mut mantissa = digits(&mut j);
    if b.get(j) == Some(&b'.') {
        let mut k = j + 1;
        let frac = digits(&mut k);
        if mantissa + frac > 0 {
            j = k;
            mantissa += frac;
        }
    }
    if mantissa == 0 {
        return None;
    }
    if matches!(b.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        if matches!(b.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        if digits(&mut k) > 0 {
            j = k;
        }
    }
    let text = std::str::from_utf8(&b[i..j]).ok()?;
    let text = if text.starts_with('.') { format!("0{text}") } else { text.to_string() };
    Some((sign(text.parse::<f64>().ok()?), j))
}

/// Hex digits (with an optional point) and an optional binary exponent, after `0x`.
fn hex_float(b: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    let mut value = 0f64;
    let mut any = false;
    let mut scale = 0i32;
    let mut seen_point = false;
    while let Some(&c) = b.get(i) {
        if c == b'.' && !seen_point {
            seen_point = true;
        } else if let Some(d) = char::from(c).to_digit(16) {
            value = value * 16.0 + f64::from(d);
            any = true;
            if seen_point {
                scale -= 4;
            }
        } else {
            break;
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if matches!(b.get(i), Some(b'p' | b'P')) {
        let mut k = i + 1;
        let neg = match b.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        let start = k;
        let mut e = 0i32;
        while let Some(d) = b.get(k).filter(|c| c.is_ascii_digit()) {
            e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
            k += 1;
        }
        if k > start {
            scale = scale.saturating_add(if neg { -e } else { e });
            i = k;
        }
    }
    Some((value * 2f64.powi(scale), i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtod_reads_what_c_reads() {
        assert_eq!(strtod(b"1.5e3,"), Some((1500.0, 5)));
        assert_eq!(strtod(b"1e"), Some((1.0, 1)));
        assert_eq!(strtod(b"0x10]"), Some((16.0, 4)));
        assert_eq!(strtod(b"-0"), Some((-0.0, 2)));
        assert_eq!(strtod(b"-x"), None);
        assert_eq!(strtod(b"Infinity"), Some((f64::INFINITY, 8)));
        assert!(strtod(b"nan").unwrap().0.is_nan());
    }

    #[test]
    fn invalid_number_flags_non_json_numbers() {
        assert!(invalid_number(b"+1"));
        assert!(invalid_number(b"0x10"));
        assert!(invalid_number(b"-01"));
        assert!(invalid_number(b"NaN"));
        assert!(!invalid_number(b"-0.5"));
        assert!(!invalid_number(b"10"));
    }

    #[test]
    fn append_string_escapes_like_cjson() {
        let mut out = Vec::new();
        append_string(b"a/\"\\\x00\x7f\xff", &mut out);
        assert_eq!(out, b"\"a\\/\\\"\\\\\\u0000\\u007f\xff\"");
    }
}
