//! Lua scripting, as Valkey 8.0 has it: EVAL scripts cached by SHA1 and FUNCTION libraries, run by a
//! Lua 5.1 interpreter with Valkey's sandbox, `redis` API and bundled libraries.
//!
//! # Layout
//! - [`flags`]: script flags and the shebang lines; [`cache`]: the SHA1 → script cache and its LRU;
//!   [`library`]: function libraries; [`dump`]: the FUNCTION DUMP payload; [`rand48`]: the generator
//!   behind `math.random`; [`host`]: what a host does for long scripts ([`ScriptHost`]).
//! - `lua`: the interpreter states and everything in them (the same PUC-Rio Lua 5.1.5 natively and
//!   in wasm32, where `ferrokey-lua-wasm` builds it).
//! - [`run`]: EVAL, FCALL and FUNCTION LOAD/RESTORE end to end; the command rows are in
//!   `commands::scripting`.
//!
//! The per-engine state is a [`Scripting`] handle. It is shared rather than borrowed from the engine
//! because a running script holds the engine mutably (its commands run through it) while the host,
//! answering other clients meanwhile, runs SCRIPT KILL and FUNCTION STATS, which read and change it.

pub mod cache;
pub mod dump;
pub mod flags;
pub mod host;
pub mod library;
pub mod rand48;

pub(crate) mod lua;
pub mod run;

pub use host::{BusyScript, LogLevel, ScriptHost};

use crate::client::{Client, ClientId, ConnInfo, OutputMode};
use crate::engine::Engine;
use crate::error::CommandError;
use crate::resp::Protocol;
use rand48::Rand48;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A handle to an engine's scripting state; clones share it.
#[derive(Clone, Default)]
pub struct Scripting(Rc<RefCell<State>>);

#[derive(Default)]
struct State {
    host: Option<Box<dyn ScriptHost>>,
    running: Option<Running>,
    /// INFO stats `evicted_scripts`.
    evicted_scripts: u64,
    /// `math.random`'s generator, one for both interpreters as in Valkey.
    rand: Rc<Cell<Rand48>>,
    /// The client scripts run their commands as, between runs; it joins the engine's clients only
    /// while a script runs (Valkey's fake Lua client is never listed).
    client: Option<Client>,
    client_id: Option<ClientId>,
    scripts: cache::ScriptCache<lua::Compiled>,
    libraries: library::Libraries<lua::Compiled>,
    eval_vm: Option<lua::Vm>,
    function_vm: Option<lua::Vm>,
}

/// The script running now.
struct Running {
    /// SHA1 or function name.
    name: String,
    is_eval: bool,
    /// The command that runs it (FUNCTION STATS).
    argv: Vec<Vec<u8>>,
    start_us: u64,
    /// Past `busy-reply-threshold`: other clients get `-BUSY`.
    timed_out: bool,
    /// It ran a write command, so it cannot be killed.
    written: bool,
    kill: bool,
}

impl Scripting {
    /// The scripting state of `eng` (a shared handle: scripts run while the engine is borrowed).
    pub fn of(eng: &Engine) -> Scripting {
        eng.scripting.clone()
    }

    /// Sends a log line to the host.
    pub(crate) fn log(&self, level: LogLevel, line: &str) {
        if let Some(host) = self.0.borrow_mut().host.as_mut() {
            host.log(level, line);
        }
    }

    /// Lets the host serve other clients while the script runs (see [`ScriptHost::busy`]).
    pub(crate) fn give_way(&self, eng: &mut Engine, script: &BusyScript) {
        let host = self.0.borrow_mut().host.take();
        if let Some(mut host) = host {
            host.busy(eng, script);
            let mut s = self.0.borrow_mut();
            if s.host.is_none() {
                s.host = Some(host);
            }
        }
    }

    pub(crate) fn mark_written(&self) {
        if let Some(r) = self.0.borrow_mut().running.as_mut() {
            r.written = true;
        }
    }

    pub(crate) fn set_timed_out(&self) {
        if let Some(r) = self.0.borrow_mut().running.as_mut() {
            r.timed_out = true;
        }
    }

    pub(crate) fn kill_requested(&self) -> bool {
        self.0.borrow().running.as_ref().is_some_and(|r| r.kill)
    }

    fn start(&self, name: String, is_eval: bool, argv: Vec<Vec<u8>>, start_us: u64) {
        self.0.borrow_mut().running =
            Some(Running { name, is_eval, argv, start_us, timed_out: false, written: false, kill: false });
    }

    fn finish(&self) {
        self.0.borrow_mut().running = None;
    }

    /// Puts the script client among the engine's clients for a run, in the caller's database, with
    /// RESP2 (scripts choose RESP3 with `redis.setresp`) and the caller's user.
    fn checkout_client(&self, eng: &mut Engine, caller: ClientId) -> ClientId {
        let mut s = self.0.borrow_mut();
        let id = *s.client_id.get_or_insert_with(|| {
            let id = eng.next_client_id;
            eng.next_client_id += 1;
            id
        });
        let now_ms = eng.clock.now_ms();
        let mut client = s
            .client
            .take()
            .unwrap_or_else(|| Client::new(id, ConnInfo { output: OutputMode::Values, ..ConnInfo::default() }, now_ms));
        if let Some(c) = eng.clients.get(&caller) {
            client.db = c.db;
            client.user.clone_from(&c.user);
        }
        client.proto = Protocol::Resp2;
        client.authenticated = true;
        eng.clients.insert(id, client);
        id
    }

    /// Takes the script client back; returns whether the script ended in RESP3.
    fn checkin_client(&self, eng: &mut Engine, id: ClientId) -> bool {
        let Some(client) = eng.clients.remove(&id) else { return false };
        let resp3 = client.proto == Protocol::Resp3;
        self.0.borrow_mut().client = Some(client);
        resp3
    }
}

/// Installs the host's scripting hooks on an engine.
pub fn set_host(eng: &Engine, host: Box<dyn ScriptHost>) {
    Scripting::of(eng).0.borrow_mut().host = Some(host);
}

/// The script keeping the engine busy, if one has run past `busy-reply-threshold`.
pub fn busy_script(eng: &Engine) -> Option<BusyScript> {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    let r = s.running.as_ref().filter(|r| r.timed_out)?;
    let elapsed_ms = (eng.clock.monotonic_us().saturating_sub(r.start_us) / 1000) as i64;
    Some(BusyScript { name: r.name.clone(), is_eval: r.is_eval, elapsed_ms })
}

/// What the gate answers a command not flagged `allow_busy` while a script keeps the engine busy
/// (`None` when no script does).
pub fn busy_error(eng: &Engine) -> Option<CommandError> {
    busy_script(eng).map(|s| busy_text(eng, s.is_eval))
}

/// `-BUSY ... You can only call SCRIPT KILL or SHUTDOWN NOSAVE.` (FUNCTION KILL for functions).
pub fn busy_text(eng: &Engine, is_eval: bool) -> CommandError {
    let server = if eng.config.extended_redis_compatibility { "Redis" } else { "Valkey" };
    let kill = if is_eval { "SCRIPT KILL" } else { "FUNCTION KILL" };
    CommandError::Other(
        format!("BUSY {server} is busy running a script. You can only call {kill} or SHUTDOWN NOSAVE.").into(),
    )
}

/// SCRIPT KILL (`is_eval`) or FUNCTION KILL: marks the running script to be stopped at its next
/// instruction check.
pub fn kill(eng: &Engine, is_eval: bool) -> Result<(), CommandError> {
    let st = Scripting::of(eng);
    let mut s = st.0.borrow_mut();
    let Some(r) = s.running.as_mut() else {
        return Err(CommandError::NotBusy);
    };
    if r.written {
        return Err(CommandError::Unkillable);
    }
    if r.is_eval != is_eval {
        let running_eval = r.is_eval;
        drop(s);
        return Err(busy_text(eng, running_eval));
    }
    r.kill = true;
    Ok(())
}

/// The running script for FUNCTION STATS: name, command, milliseconds so far.
pub fn running_script(eng: &Engine) -> Option<(String, bool, Vec<Vec<u8>>, i64)> {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    let r = s.running.as_ref()?;
    let elapsed_ms = (eng.clock.monotonic_us().saturating_sub(r.start_us) / 1000) as i64;
    Some((r.name.clone(), r.is_eval, r.argv.clone(), elapsed_ms))
}

/// Scripting numbers for INFO memory and INFO stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptingInfo {
    /// `used_memory_lua` / `used_memory_vm_eval`: the EVAL interpreter's memory.
    pub used_memory_vm_eval: usize,
    /// `used_memory_scripts_eval`: the script cache.
    pub used_memory_scripts_eval: usize,
    /// `number_of_cached_scripts`
    pub number_of_cached_scripts: usize,
    /// `number_of_functions`, `number_of_libraries`
    pub number_of_functions: usize,
    pub number_of_libraries: usize,
    /// `used_memory_vm_functions`: the function interpreter's memory.
    pub used_memory_vm_functions: usize,
    /// `used_memory_functions`: library bookkeeping.
    pub used_memory_functions: usize,
    /// INFO stats `evicted_scripts`.
    pub evicted_scripts: u64,
}

impl ScriptingInfo {
    /// `used_memory_vm_total`
    pub fn used_memory_vm_total(&self) -> usize {
        self.used_memory_vm_eval + self.used_memory_vm_functions
    }

    /// `used_memory_scripts`
    pub fn used_memory_scripts(&self) -> usize {
        self.used_memory_scripts_eval + self.used_memory_functions
    }
}

/// The numbers INFO reports about scripting.
pub fn info(eng: &Engine) -> ScriptingInfo {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    // A fresh Valkey's interpreters hold about this much before any script ran.
    const EMPTY_VM_BYTES: usize = 31 * 1024;
    ScriptingInfo {
        used_memory_vm_eval: s.eval_vm.as_ref().map_or(EMPTY_VM_BYTES, lua::Vm::used_memory),
        used_memory_vm_functions: s.function_vm.as_ref().map_or(EMPTY_VM_BYTES, lua::Vm::used_memory),
        used_memory_scripts_eval: s.scripts.memory(),
        number_of_cached_scripts: s.scripts.len(),
        number_of_functions: s.libraries.function_count(),
        number_of_libraries: s.libraries.library_count(),
        used_memory_functions: s.libraries.memory(),
        evicted_scripts: s.evicted_scripts,
    }
}

/// CONFIG RESETSTAT's part: `evicted_scripts` back to 0.
pub fn reset_stats(eng: &Engine) {
    Scripting::of(eng).0.borrow_mut().evicted_scripts = 0;
}

/// SHA1 of `data` in lower-case hex (script SHAs, `redis.sha1hex`).
pub fn sha1hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1hex_matches_valkey() {
        assert_eq!(sha1hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1hex(b"Pizza & Mandolino"), "74822d82031af7493c20eefa13bd07ec4fada82f");
    }
}
