//! Errors raised into Lua by our Rust functions, and the Lua values Valkey's C code would have raised.
//!
//! mlua raises a Rust callback's error as an opaque userdata. Valkey raises strings (`luaL_error`,
//! position included) or error tables (`{err='ERR ...'}`, from `luaPushError`). So a callback returns
//! a [`Raised`], and every place Lua code can catch an error (the `pcall`, `xpcall` and
//! `coroutine.resume` wrappers and the script's error handler) turns it into that string or table with
//! [`error_value`] before the script sees it.

use mlua::{Lua, Value};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Raised {
    /// A string error, position prefix included.
    Message(String),
    /// An error table: its `err` text (code first) and whether the error was already counted in
    /// errorstats (it came from a command the script ran).
    Table { err: String, counted: bool },
}

impl fmt::Display for Raised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Raised::Message(m) => f.write_str(m),
            Raised::Table { err, .. } => f.write_str(err),
        }
    }
}

impl std::error::Error for Raised {}

/// The message a killed script gets (its own error table).
pub(crate) const KILLED: &str = "Script killed by user with SCRIPT KILL...";

impl Raised {
    /// `luaPushError` + `luaError`: an error table from a message, which may start with `-CODE`.
    pub fn table(msg: &str) -> Raised {
        Raised::Table { err: error_text(msg), counted: false }
    }

    /// An error table for an error errorstats already counted.
    pub fn counted(msg: &str) -> Raised {
        Raised::Table { err: error_text(msg), counted: true }
    }

    pub fn into_lua(self) -> mlua::Error {
        mlua::Error::external(self)
    }
}

/// `luaPushErrorBuff`'s text: `-CODE msg` keeps its code, anything else gets `ERR `; trailing CR/LF go.
pub(crate) fn error_text(msg: &str) -> String {
    let (code, rest) = match msg.strip_prefix('-') {
        Some(body) => match body.find(' ') {
            Some(i) => (&body[..i], &body[i + 1..]),
            None => ("ERR", body),
        },
        None => ("ERR", msg),
    };
    format!("{code} {}", rest.trim_matches(|c| c == '\r' || c == '\n'))
}

/// A table `{err = text}` (plus the counted marker), as scripts see errors.
pub(crate) fn error_table(lua: &Lua, err: &str, counted: bool) -> mlua::Result<mlua::Table> {
    let t = lua.create_table()?;
    t.raw_set("err", err)?;
    if counted {
        t.raw_set("ignore_error_stats_update", true)?;
    }
    Ok(t)
}

/// The Lua value for an error that crossed a Rust callback: our [`Raised`] values become what Valkey
/// raises, anything else (an mlua failure) its message.
pub(crate) fn error_value(lua: &Lua, e: &mlua::Error) -> mlua::Result<Value> {
    Ok(match e.downcast_ref::<Raised>() {
        Some(Raised::Message(m)) => Value::String(lua.create_string(m)?),
        Some(Raised::Table { err, counted }) => Value::Table(error_table(lua, err, *counted)?),
        None => match e {
            mlua::Error::RuntimeError(m) | mlua::Error::MemoryError(m) => Value::String(lua.create_string(m)?),
            other => Value::String(lua.create_string(other.to_string())?),
        },
    })
}

/// `luaL_where(L, level)`: `chunk:line: ` of the function at `level`, or nothing for C functions.
pub(crate) fn position(lua: &Lua, level: usize) -> String {
    lua.inspect_stack(level, |d| match d.current_line() {
        Some(line) if line > 0 => format!("{}:{}: ", d.source().short_src.unwrap_or_default(), line),
        _ => String::new(),
    })
    .unwrap_or_default()
}

/// `luaL_error` from a Rust function Lua called: the message with the caller's position.
pub(crate) fn lua_error(lua: &Lua, msg: impl fmt::Display) -> mlua::Error {
    Raised::Message(format!("{}{msg}", position(lua, 1))).into_lua()
}

/// `luaL_argerror`: `bad argument #n to 'name' (msg)`, named as the caller named the function.
pub(crate) fn arg_error(lua: &Lua, arg: usize, msg: impl fmt::Display) -> mlua::Error {
    let (name, what) = lua
        .inspect_stack(0, |d| {
            let n = d.names();
            (n.name.map(|s| s.into_owned()), n.name_what)
        })
        .unwrap_or((None, None));
    let mut arg = arg;
    if what == Some("method") {
        arg = arg.saturating_sub(1);
        if arg == 0 {
            return lua_error(lua, format!("calling '{}' on bad self ({msg})", name.as_deref().unwrap_or("?")));
        }
    }
    lua_error(lua, format!("bad argument #{arg} to '{}' ({msg})", name.as_deref().unwrap_or("?")))
}

/// `luaL_typerror`: `number expected, got string`.
pub(crate) fn type_error(lua: &Lua, arg: usize, expected: &str, got: &Value) -> mlua::Error {
    arg_error(lua, arg, format!("{expected} expected, got {}", type_name(got)))
}

/// Lua's name for a value's type (`lua_typename`).
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::LightUserData(_) => "userdata",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_keeps_codes_and_adds_err() {
        assert_eq!(error_text("-WRONGTYPE Operation"), "WRONGTYPE Operation");
        assert_eq!(error_text("-MYERR"), "ERR MYERR");
        assert_eq!(error_text("-"), "ERR ");
        assert_eq!(error_text("plain message\r\n"), "ERR plain message");
    }
}
