//! The Lua 5.1 states scripts run in (through mlua), one for EVAL scripts and one for function
//! libraries, as Valkey keeps them: built once, sandboxed ([`sandbox`]), with the `redis` API
//! ([`api`]), Valkey's bundled libraries ([`cjson`], [`cmsgpack`], [`bit`], [`structlib`]) and the
//! conversions between Lua values and replies ([`convert`]).

pub(crate) mod api;
pub(crate) mod bit;
pub(crate) mod builtins;
pub(crate) mod cjson;
pub(crate) mod cmsgpack;
pub(crate) mod convert;
pub(crate) mod errors;
pub(crate) mod numfmt;
pub(crate) mod sandbox;
pub(crate) mod structlib;

use crate::scripting::rand48::Rand48;
use api::{LoadCtx, RunCtx, StopSlot, PRIVATE_KEY};
use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, LuaOptions, StdLib, Table, Value};
use std::cell::Cell;
use std::rc::Rc;

/// A compiled script or registered function.
pub(crate) type Compiled = Function;

/// How a run ended, before it becomes a reply.
pub(crate) enum Outcome {
    /// The script returned this value.
    Returned(Value),
    /// It raised this error (after the error handler: normally a table `{err, source, line}`).
    Raised(Value),
    /// The Lua machinery itself failed.
    Failed(String),
}

/// One Lua state and the handles into it. Cloning gives another handle to the same state.
#[derive(Clone)]
pub(crate) struct Vm {
    pub lua: Lua,
    /// Where the per-run dispatcher goes (`P.d`).
    private: Table,
    /// The real globals table (KEYS and ARGV are set in it).
    globals: Table,
    run_eval: Function,
    run_function: Function,
    run_load: Function,
    /// For function libraries: the globals' metatable, whose `__index` is the library API while a
    /// library loads, and the API table itself.
    scope_meta: Option<Table>,
    library_api: Option<Table>,
    proxy_globals: Table,
    stop: StopSlot,
    mailbox: builtins::Mailbox,
    /// Lua's own `next`, to walk tables returned as maps and sets.
    next: Function,
    runs: Rc<Cell<u32>>,
}

/// Valkey steps the garbage collector after this many runs.
const GC_PERIOD: u32 = 50;

impl Vm {
    /// A new state; `for_functions` makes the function-library flavour.
    pub fn new(for_functions: bool, rand: Rc<Cell<Rand48>>) -> mlua::Result<Vm> {
        let lua = Lua::new_with(StdLib::TABLE | StdLib::STRING | StdLib::MATH | StdLib::OS, LuaOptions::default())?;
        let private = lua.create_table()?;
        lua.set_named_registry_value(PRIVATE_KEY, private.clone())?;
        let globals = lua.globals();
        let mailbox = builtins::Mailbox::default();
        let f = builtins::functions(&lua, rand, &mailbox)?;
        let prelude = lua.load(sandbox::prelude()).set_name(sandbox::INTERNAL_CHUNK).set_mode(ChunkMode::Text);
        let r: Table = prelude.call((private.clone(), f, globals.clone(), for_functions))?;
        let proxy_globals: Table = r.get("globals")?;
        let (scope_meta, library_api) = if for_functions {
            let scope: Table = r.get("scope")?;
            lua.set_globals(scope)?;
            (Some(r.get("scope_meta")?), Some(r.get("library_api")?))
        } else {
            lua.set_globals(proxy_globals.clone())?;
            (None, None)
        };
        // The prelude leaves garbage behind; start scripts from the live state alone. A lower pause
        // than Lua's default keeps the heap near Valkey's (whose interpreter starts smaller).
        lua.gc_collect()?;
        lua.gc_set_mode(mlua::state::GcMode::Incremental(mlua::state::GcIncParams::default().pause(150)));
        Ok(Vm {
            private,
            globals,
            run_eval: r.get("run_eval")?,
            run_function: r.get("run_function")?,
            run_load: r.get("run_load")?,
            scope_meta,
            library_api,
            proxy_globals,
            stop: StopSlot::default(),
            mailbox,
            next: r.get("next")?,
            runs: Rc::default(),
            lua,
        })
    }

    /// Compiles `code` under `chunk_name` (`@user_script`, `@user_function`); the error is Lua's
    /// message.
    pub fn compile(&self, code: &[u8], chunk_name: &str) -> Result<Function, String> {
        if code.first() == Some(&0x1b) {
            // Valkey's Lua parses precompiled chunks as text; the lexer stops at the escape byte.
            return Err(format!("{}:1: unexpected symbol near 'char(27)'", &chunk_name[1..]));
        }
        self.lua.load(code).set_name(chunk_name).set_mode(ChunkMode::Text).into_function().map_err(|e| match e {
            mlua::Error::SyntaxError { message, .. } => message,
            other => other.to_string(),
        })
    }

    /// Lua's `next` (walking returned tables).
    pub fn next_function(&self) -> &Function {
        &self.next
    }

    /// Runs an EVAL script (`keys`/`args` become KEYS and ARGV) or a function (they are its
    /// arguments), with `run` serving the `redis` API.
    pub fn run(&self, run: &mut RunCtx<'_>, f: &Function, keys: &[Vec<u8>], args: &[Vec<u8>]) -> Outcome {
        match self.try_run(run, f, keys, args) {
            Ok((true, v)) => Outcome::Returned(v),
            Ok((false, e)) => Outcome::Raised(e),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    fn try_run(
        &self,
        run: &mut RunCtx<'_>,
        f: &Function,
        keys: &[Vec<u8>],
        args: &[Vec<u8>],
    ) -> mlua::Result<(bool, Value)> {
        let lua = &self.lua;
        let keys =
            lua.create_sequence_from(keys.iter().map(|k| lua.create_string(k)).collect::<mlua::Result<Vec<_>>>()?)?;
        let args =
            lua.create_sequence_from(args.iter().map(|a| lua.create_string(a)).collect::<mlua::Result<Vec<_>>>()?)?;
        let is_eval = run.is_eval;
        if is_eval {
            self.globals.raw_set("KEYS", keys.clone())?;
            self.globals.raw_set("ARGV", args.clone())?;
        }
        let hook = run.threshold_ms > 0;
        let result = lua.scope(|scope| {
            let mailbox = &self.mailbox;
            let d = scope.create_function_mut(move |lua, op: i64| run.dispatch(lua, op, mailbox.take()))?;
            self.private.raw_set("d", d)?;
            if hook {
                api::install_hook(lua, &self.stop)?;
            }
            let r = if is_eval {
                self.run_eval.call::<(bool, Value)>(f)
            } else {
                self.run_function.call::<(bool, Value)>((f, keys, args))
            };
            if hook {
                api::remove_hook(lua);
            }
            self.private.raw_set("d", Value::Nil)?;
            r
        });
        self.collect_garbage();
        result
    }

    /// Runs a library's code so it registers its functions: `Err` is the text after
    /// "Error registering functions: ".
    pub fn load_library(&self, load: &mut LoadCtx<'_>, f: &Function) -> Result<(), String> {
        let (Some(meta), Some(library_api)) = (&self.scope_meta, &self.library_api) else {
            return Err("not a function library state".into());
        };
        let lua = &self.lua;
        let hook = load.timeout_ms > 0;
        let result: mlua::Result<(bool, Value)> = lua.scope(|scope| {
            let mailbox = &self.mailbox;
            let d = scope.create_function_mut(move |lua, op: i64| load.dispatch(lua, op, mailbox.take()))?;
            self.private.raw_set("d", d)?;
            meta.raw_set("__index", library_api.clone())?;
            if hook {
                api::install_hook(lua, &self.stop)?;
            }
            let r = self.run_load.call::<(bool, Value)>(f);
            if hook {
                api::remove_hook(lua);
            }
            meta.raw_set("__index", self.proxy_globals.clone())?;
            self.private.raw_set("d", Value::Nil)?;
            r
        });
        match result {
            Ok((true, _)) => Ok(()),
            Ok((false, e)) => Err(error_message(&e)),
            Err(e) => Err(format!("ERR {e}")),
        }
    }

    /// Bytes the Lua state uses, in whole kilobytes as `lua_gc(LUA_GCCOUNT)` reports them.
    pub fn used_memory(&self) -> usize {
        self.lua.used_memory() / 1024 * 1024
    }

    fn collect_garbage(&self) {
        let n = self.runs.get() + 1;
        if n >= GC_PERIOD {
            let _ = self.lua.gc_step();
            self.runs.set(0);
        } else {
            self.runs.set(n);
        }
    }
}

/// The message of an error value, as `luaExtractErrorInformation` reads it: a string gets `ERR `,
/// a table gives its `err` field.
pub(crate) fn error_message(e: &Value) -> String {
    match e {
        Value::String(s) => format!("ERR {}", s.to_string_lossy()),
        Value::Integer(_) | Value::Number(_) => format!(
            "ERR {}",
            builtins::to_bytes(e).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
        ),
        Value::Table(t) => match t.get::<Value>("err") {
            Ok(v @ (Value::String(_) | Value::Integer(_) | Value::Number(_))) => {
                builtins::to_bytes(&v).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
            }
            _ => "(null)".into(),
        },
        _ => "(null)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_state_stays_small() {
        // Valkey's leak test expects the EVAL interpreter under 100 KB after many scripts.
        let vm = Vm::new(false, Rc::default()).unwrap();
        assert!(vm.lua.used_memory() < 70 * 1024, "{}", vm.lua.used_memory());
    }

    #[test]
    fn compile_reports_lua_syntax_errors() {
        let vm = Vm::new(false, Rc::default()).unwrap();
        assert_eq!(vm.compile(b"x =", "@user_script").err().unwrap(), "user_script:1: unexpected symbol near '<eof>'");
        assert_eq!(
            vm.compile(b"\x1bLua", "@user_script").err().unwrap(),
            "user_script:1: unexpected symbol near 'char(27)'"
        );
    }
}
