//! The parts of the `redis` API that reach the engine (`call`, `pcall`, `log`, `setresp`, `set_repl`,
//! `acl_check_cmd`, `register_function`) and the instruction hook of long scripts.
//!
//! While a script runs, one Rust closure borrowing the engine serves all of them: the `redis.*`
//! functions (see `builtins`) leave their arguments in a mailbox and call `P.d(op)`, where `P.d` is
//! that closure for the length of the run (see `Vm::run`). A FUNCTION LOAD gets a closure of its own
//! that knows `register_function`.

use super::convert::{args_to_argv, reply_to_lua};
use super::errors::{error_table, Raised, KILLED};
use super::numfmt::format_g;
use crate::client::ClientId;
use crate::command::{flag, CommandSpec, CommandTable};
use crate::engine::Engine;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::scripting::flags::ScriptFlags;
use crate::scripting::host::{BusyScript, LogLevel};
use crate::scripting::library::{Function as LibFunction, Library};
use crate::scripting::Scripting;
use mlua::{HookTriggers, Lua, MultiValue, Table, Value, VmState};
use std::cell::RefCell;
use std::rc::Rc;

/// What `P.d`'s argument asks for.
pub(crate) const OP_CALL: i64 = 1;
pub(crate) const OP_PCALL: i64 = 2;
pub(crate) const OP_LOG: i64 = 3;
pub(crate) const OP_SETRESP: i64 = 4;
pub(crate) const OP_SET_REPL: i64 = 5;
pub(crate) const OP_ACL_CHECK: i64 = 6;
pub(crate) const OP_REGISTER: i64 = 7;
/// From the hook: has the script run too long, should it stop?
pub(crate) const OP_TICK: i64 = 8;
/// `os.clock` in wasm32, where Lua's own has no process clock to read (see `builtins::functions`).
pub(crate) const OP_CLOCK: i64 = 9;

/// Instructions between two looks at the clock.
const HOOK_INSTRUCTIONS: u32 = 100_000;

/// Registry key of the private table whose `d` is the current dispatcher.
pub(crate) const PRIVATE_KEY: &str = "ferrokey.private";

/// Once a script must stop, the error it stops with (raised again on every line, so `pcall` cannot
/// keep it alive).
pub(crate) type StopSlot = Rc<RefCell<Option<String>>>;

/// Installs the instruction hook: every [`HOOK_INSTRUCTIONS`] it asks the dispatcher whether to stop.
pub(crate) fn install_hook(lua: &Lua, stop: &StopSlot) -> mlua::Result<()> {
    *stop.borrow_mut() = None;
    lua.set_global_hook(HookTriggers::new().every_nth_instruction(HOOK_INSTRUCTIONS), hook(stop.clone()))
}

pub(crate) fn remove_hook(lua: &Lua) {
    lua.remove_global_hook();
}

/// The hook mlua calls.
type Hook = Box<dyn Fn(&Lua, &mlua::debug::Debug) -> mlua::Result<VmState>>;

fn hook(stop: StopSlot) -> Hook {
    Box::new(move |lua, debug| {
        if let Some(msg) = stop.borrow().clone() {
            // Only the script's own code stops: our wrappers must get the error back to Rust.
            if debug.source().source.as_deref() == Some(super::sandbox::INTERNAL_CHUNK) {
                return Ok(VmState::Continue);
            }
            return Err(Raised::table(&msg).into_lua());
        }
        let private: Table = lua.named_registry_value(PRIVATE_KEY)?;
        let d: Option<mlua::Function> = private.raw_get("d")?;
        // A failed look (the dispatcher is busy: a finalizer ran Lua inside a command) is skipped.
        let verdict = d.and_then(|d| d.call::<Option<String>>(OP_TICK).ok()).flatten();
        match verdict {
            None => Ok(VmState::Continue),
            Some(msg) => {
                *stop.borrow_mut() = Some(msg.clone());
                // From now on every line stops the script, as Valkey's hook does after a kill.
                lua.set_global_hook(HookTriggers::EVERY_LINE, hook(stop.clone()))?;
                Err(Raised::table(&msg).into_lua())
            }
        }
    })
}

// -- a running script ------------------------------------------------------------------------------

/// A script run: the engine it borrows and what the run may do.
pub(crate) struct RunCtx<'e> {
    pub eng: &'e mut Engine,
    pub state: Scripting,
    /// The script's own client, the one its commands run as.
    pub client: ClientId,
    pub read_only: bool,
    pub is_eval: bool,
    /// SHA1 or function name.
    pub name: String,
    pub start_us: u64,
    pub threshold_ms: i64,
    pub timed_out: bool,
    in_call: bool,
}

impl<'e> RunCtx<'e> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        eng: &'e mut Engine,
        state: Scripting,
        client: ClientId,
        read_only: bool,
        is_eval: bool,
        name: String,
    ) -> RunCtx<'e> {
        let start_us = eng.clock.monotonic_us();
        let threshold_ms = eng.config.busy_reply_threshold;
        RunCtx {
            eng,
            state,
            client,
            read_only,
            is_eval,
            name,
            start_us,
            threshold_ms,
            timed_out: false,
            in_call: false,
        }
    }

    /// One API call: `op` with the arguments the calling function left in the mailbox.
    pub fn dispatch(&mut self, lua: &Lua, op: i64, args: Vec<Value>) -> mlua::Result<MultiValue> {
        let one = |v: Value| Ok(MultiValue::from_iter([v]));
        match op {
            OP_CALL => one(self.call(lua, &args, true)?),
            OP_PCALL => one(self.call(lua, &args, false)?),
            OP_LOG => log(lua, self.eng, &self.state, &args),
            OP_SETRESP => {
                if args.len() != 1 {
                    return Err(Raised::table("server.setresp() requires one argument.").into_lua());
                }
                let proto = match super::builtins::to_number(&args[0]).map(super::numfmt::c_double_to_int) {
                    Some(2) => Protocol::Resp2,
                    Some(3) => Protocol::Resp3,
                    _ => return Err(Raised::table("RESP version must be 2 or 3.").into_lua()),
                };
                if let Some(c) = self.eng.clients.get_mut(&self.client) {
                    c.proto = proto;
                }
                Ok(MultiValue::new())
            }
            OP_SET_REPL => {
                if args.len() != 1 {
                    return Err(Raised::table("server.set_repl() requires one argument.").into_lua());
                }
                let flags = super::builtins::to_number(&args[0]).map_or(0, super::numfmt::c_double_to_int);
                if flags & !3 != 0 {
                    return Err(Raised::table(
                        "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
                    )
                    .into_lua());
                }
                // Nothing is replicated yet: the setting has no effect to keep.
                Ok(MultiValue::new())
            }
            OP_ACL_CHECK => {
                let argv = args_to_argv(&args).map_err(|m| Raised::table(m).into_lua())?;
                if lookup(&argv).is_none() {
                    return Err(Raised::table("Invalid command passed to server.acl_check_cmd()").into_lua());
                }
                // The script's caller's permissions, as ACL DRYRUN would judge them (no log entry).
                one(Value::Boolean(
                    lookup(&argv).is_some_and(|c| crate::acl::user_can_run(self.eng, self.client, c, &argv)),
                ))
            }
            OP_REGISTER => {
                Err(Raised::table("server.register_function can only be called on FUNCTION LOAD command").into_lua())
            }
            OP_TICK => one(match self.tick() {
                Some(msg) => Value::String(lua.create_string(msg)?),
                None => Value::Nil,
            }),
            OP_CLOCK => one(Value::Number(clock_seconds(self.eng))),
            _ => Ok(MultiValue::new()),
        }
    }

    fn resp3(&self) -> bool {
        self.eng.clients.get(&self.client).is_some_and(|c| c.proto == Protocol::Resp3)
    }

    /// `redis.call` / `redis.pcall`: the error table is raised by `call`, returned by `pcall`.
    fn call(&mut self, lua: &Lua, args: &[Value], raise: bool) -> mlua::Result<Value> {
        let fail = |r: Raised| -> mlua::Result<Value> {
            if raise {
                return Err(r.into_lua());
            }
            match r {
                Raised::Table { err, counted } => Ok(Value::Table(error_table(lua, &err, counted)?)),
                Raised::Message(m) => Ok(Value::String(lua.create_string(m)?)),
            }
        };
        let argv = match args_to_argv(args) {
            Ok(argv) => argv,
            Err(msg) => return fail(Raised::table(msg)),
        };
        if self.in_call {
            let msg =
                "luaRedisGenericCommand() recursive call detected. Are you doing funny stuff with Lua debug hooks?";
            self.state.log(LogLevel::Warning, msg);
            return Ok(Value::Table(error_table(lua, &super::errors::error_text(msg), false)?));
        }
        self.in_call = true;
        let result = self.run_command(argv);
        self.in_call = false;
        match result {
            Err(msg) => fail(Raised::counted(&msg)),
            Ok(Reply::Error(e)) if raise => Err(Raised::counted(&format!("-{e}")).into_lua()),
            Ok(reply) => reply_to_lua(lua, &reply, self.resp3()),
        }
    }

    /// Runs a command for the script (`scriptCall`): Valkey's checks, then the engine. `Err` is a
    /// refusal, already counted in errorstats.
    fn run_command(&mut self, argv: Vec<Vec<u8>>) -> Result<Reply, String> {
        let spec = match lookup(&argv) {
            Some(spec) => spec,
            None => return Err(self.refuse(None, "Unknown command called from script")),
        };
        if spec.handler.is_none() || !spec.arity_ok(argv.len()) {
            return Err(self.refuse(Some(spec), "Wrong number of args calling command from script"));
        }
        if spec.has(flag::NOSCRIPT) {
            return Err(self.refuse(Some(spec), "This Redis command is not allowed from script"));
        }
        // The caller's ACL permissions hold inside its scripts (Valkey's scriptVerifyACL, before the write checks).
        if let Err(msg) = crate::acl::check_script_command(self.eng, self.client, spec, &argv) {
            return Err(self.refuse(Some(spec), &msg));
        }
        if self.read_only && spec.flags & (flag::WRITE | flag::MAY_REPLICATE) != 0 {
            return Err(self.refuse(Some(spec), "Write commands are not allowed from read-only scripts."));
        }
        if spec.has(flag::DENYOOM) && crate::evict::script_command_refused(self.eng) {
            // maxmemory: refused before the script's first write (with Valkey's -OOM code).
            self.eng.stats.command(spec).rejected_calls += 1;
            let oom = crate::error::CommandError::Oom.to_string();
            self.eng.stats.count_error(&oom);
            return Err(format!("-{oom}"));
        }
        if spec.is_write() {
            self.state.mark_written();
        }
        // A command that blocks anyway (it should not: scripts run nested) answers as if timed out.
        Ok(self.eng.call(self.client, spec, argv).unwrap_or(Reply::NullArray))
    }

    /// A command refused before running: counted as rejected and as an error reply, as Valkey does.
    fn refuse(&mut self, spec: Option<&'static CommandSpec>, msg: &str) -> String {
        if let Some(spec) = spec {
            self.eng.stats.command(spec).rejected_calls += 1;
        }
        self.eng.stats.count_error(&format!("ERR {msg}"));
        msg.to_string()
    }

    /// The hook's question. Past `busy-reply-threshold` the host may serve other clients; the answer
    /// is the error to stop with when a SCRIPT KILL / FUNCTION KILL came meanwhile.
    fn tick(&mut self) -> Option<String> {
        let elapsed_ms = (self.eng.clock.monotonic_us().saturating_sub(self.start_us) / 1000) as i64;
        if !self.timed_out {
            if elapsed_ms < self.threshold_ms {
                return None;
            }
            self.timed_out = true;
            self.state.set_timed_out();
            let kill = if self.is_eval { "SCRIPT KILL" } else { "FUNCTION KILL" };
            self.state.log(
                LogLevel::Warning,
                &format!(
                    "Slow script detected: still in execution after {elapsed_ms} milliseconds. You can try killing the script using the {kill} command. Script name is: {}.",
                    self.name
                ),
            );
        }
        let busy = BusyScript { name: self.name.clone(), is_eval: self.is_eval, elapsed_ms };
        // Commands the host runs meanwhile must not move the script's frozen time.
        let time_ms = self.eng.cmd_time_ms;
        crate::commands::server::set_script_running(self.eng, false);
        self.state.give_way(self.eng, &busy);
        crate::commands::server::set_script_running(self.eng, true);
        self.eng.cmd_time_ms = time_ms;
        if self.state.kill_requested() {
            self.state.log(LogLevel::Notice, "Lua script killed by user with SCRIPT KILL.");
            return Some(KILLED.to_string());
        }
        None
    }
}

/// The command `argv` names, as `lookupCommand` finds it: a container with an argument resolves to
/// that subcommand (unknown ones to nothing), a container alone to itself.
pub(crate) fn lookup(argv: &[Vec<u8>]) -> Option<&'static CommandSpec> {
    let spec = CommandTable::get().lookup(&argv[0])?;
    if !spec.subcommands.is_empty() && argv.len() >= 2 {
        return spec.subcommand(&argv[1]);
    }
    Some(spec)
}

/// `redis.log(level, ...)`: the arguments joined by spaces, to the host at or above `loglevel`.
fn log(lua: &Lua, eng: &Engine, state: &Scripting, args: &[Value]) -> mlua::Result<MultiValue> {
    let _ = lua;
    if args.len() < 2 {
        return Err(Raised::table("server.log() requires two arguments or more.").into_lua());
    }
    let Some(level) = super::builtins::to_number(&args[0]) else {
        return Err(Raised::table("First argument must be a number (log level).").into_lua());
    };
    let Some(level) = LogLevel::from_number(i64::from(super::numfmt::c_double_to_int(level))) else {
        return Err(Raised::table("Invalid log level.").into_lua());
    };
    if (level as u8) < configured_level(eng) {
        return Ok(MultiValue::new());
    }
    let mut line = Vec::new();
    for (j, v) in args.iter().enumerate().skip(1) {
        let text = match v {
            Value::String(s) => s.as_bytes().to_vec(),
            Value::Integer(i) => format_g(*i as f64, 14).into_bytes(),
            Value::Number(n) => format_g(*n, 14).into_bytes(),
            _ => continue,
        };
        if j != 1 {
            line.push(b' ');
        }
        line.extend_from_slice(&text);
    }
    state.log(level, &String::from_utf8_lossy(&line));
    Ok(MultiValue::new())
}

/// `loglevel` as Valkey's `LL_*` number (`nothing` logs nothing).
fn configured_level(eng: &Engine) -> u8 {
    use crate::config::LogLevel as Configured;
    match eng.config.loglevel {
        Configured::Debug => 0,
        Configured::Verbose => 1,
        Configured::Notice => 2,
        Configured::Warning => 3,
        _ => 4,
    }
}

/// `os.clock()` where Lua cannot read a process clock: the host's monotonic clock in seconds. Scripts
/// use it for differences, which it measures as well (in wall time rather than CPU time).
fn clock_seconds(eng: &Engine) -> f64 {
    eng.clock.monotonic_us() as f64 / 1e6
}

// -- a library being loaded -------------------------------------------------------------------------

/// FUNCTION LOAD / RESTORE running a library's code.
pub(crate) struct LoadCtx<'e> {
    pub eng: &'e Engine,
    pub state: Scripting,
    pub library: Library<mlua::Function>,
    pub start_us: u64,
    /// 0: no limit (RESTORE).
    pub timeout_ms: i64,
}

impl LoadCtx<'_> {
    pub fn dispatch(&mut self, lua: &Lua, op: i64, args: Vec<Value>) -> mlua::Result<MultiValue> {
        match op {
            OP_LOG => log(lua, self.eng, &self.state, &args),
            OP_REGISTER => {
                let f = register_args(&args).map_err(|m| Raised::table(m).into_lua())?;
                self.library.register(f).map_err(|m| Raised::table(&m).into_lua())?;
                Ok(MultiValue::new())
            }
            OP_CLOCK => Ok(MultiValue::from_iter([Value::Number(clock_seconds(self.eng))])),
            OP_TICK => {
                let elapsed_ms = (self.eng.clock.monotonic_us().saturating_sub(self.start_us) / 1000) as i64;
                let msg =
                    (self.timeout_ms > 0 && elapsed_ms > self.timeout_ms).then(|| "FUNCTION LOAD timeout".to_string());
                Ok(MultiValue::from_iter([match msg {
                    Some(m) => Value::String(lua.create_string(m)?),
                    None => Value::Nil,
                }]))
            }
            _ => Err(Raised::table("This API is not available while a library loads").into_lua()),
        }
    }
}

/// `register_function(name, callback)` or `register_function{function_name=..., callback=...,
/// description=..., flags={...}}`.
fn register_args(args: &[Value]) -> Result<LibFunction<mlua::Function>, &'static str> {
    match args.len() {
        1 => named_register_args(&args[0]),
        2 => {
            let name = super::builtins::to_bytes(&args[0])
                .ok_or("first argument to server.register_function must be a string")?;
            let Value::Function(callback) = &args[1] else {
                return Err("second argument to server.register_function must be a function");
            };
            Ok(LibFunction { name, description: None, flags: ScriptFlags::NONE, compiled: callback.clone() })
        }
        _ => Err("wrong number of arguments to server.register_function"),
    }
}

fn named_register_args(arg: &Value) -> Result<LibFunction<mlua::Function>, &'static str> {
    let Value::Table(t) = arg else {
        return Err("calling server.register_function with a single argument is only applicable to Lua table (representing named arguments).");
    };
    let (mut name, mut description, mut callback, mut flags) = (None, None, None, ScriptFlags::NONE);
    for pair in t.pairs::<Value, Value>() {
        let Ok((k, v)) = pair else { break };
        let key = super::builtins::to_bytes(&k)
            .ok_or("named argument key given to server.register_function is not a string")?;
        if key.eq_ignore_ascii_case(b"function_name") {
            name = Some(
                super::builtins::to_bytes(&v)
                    .ok_or("function_name argument given to server.register_function must be a string")?,
            );
        } else if key.eq_ignore_ascii_case(b"description") {
            description = Some(
                super::builtins::to_bytes(&v)
                    .ok_or("description argument given to server.register_function must be a string")?,
            );
        } else if key.eq_ignore_ascii_case(b"callback") {
            let Value::Function(f) = v else {
                return Err("callback argument given to server.register_function must be a function");
            };
            callback = Some(f);
        } else if key.eq_ignore_ascii_case(b"flags") {
            let Value::Table(list) = v else {
                return Err("flags argument to server.register_function must be a table representing function flags");
            };
            flags = read_flags(&list).ok_or("unknown flag given")?;
        } else {
            return Err("unknown argument given to server.register_function");
        }
    }
    let name = name.ok_or("server.register_function must get a function name argument")?;
    let callback = callback.ok_or("server.register_function must get a callback argument")?;
    Ok(LibFunction { name, description, flags, compiled: callback })
}

/// The flag names in `list[1]`, `list[2]` ... (read with metamethods, as `lua_gettable`).
fn read_flags(list: &Table) -> Option<ScriptFlags> {
    let mut flags = ScriptFlags::NONE;
    for i in 1.. {
        let v: Value = list.get(i).ok()?;
        if v.is_nil() {
            break;
        }
        let name = super::builtins::to_bytes(&v)?;
        flags.insert(ScriptFlags::by_name(&name, true)?);
    }
    Some(flags)
}
