//! EVAL and FCALL from arguments to reply, FUNCTION LOAD/RESTORE from payload to libraries, and the
//! script cache and library operations the SCRIPT and FUNCTION commands need (`eval.c`,
//! `functions.c`, `script.c`).

use super::cache::cache_key;
use super::flags::{eval_shebang, library_meta, valid_name, ScriptFlags, INVALID_NAME};
use super::library::{Libraries, Library};
use super::lua::api::{LoadCtx, RunCtx};
use super::lua::convert::{lua_to_reply, ReplyError};
use super::lua::{Compiled, Outcome, Vm};
use super::Scripting;
use crate::command::CommandSpec;
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{CmdResult, CommandError};
use mlua::Value;
use std::borrow::Cow;

/// How long FUNCTION LOAD lets a library's code run.
const LOAD_TIMEOUT_MS: i64 = 500;

impl Scripting {
    fn eval_vm(&self) -> Result<Vm, CommandError> {
        let mut s = self.0.borrow_mut();
        if s.eval_vm.is_none() {
            s.eval_vm = Some(Vm::new(false, s.rand.clone()).map_err(CommandError::err)?);
        }
        Ok(s.eval_vm.clone().expect("just created"))
    }

    fn function_vm(&self) -> Result<Vm, CommandError> {
        let mut s = self.0.borrow_mut();
        if s.function_vm.is_none() {
            s.function_vm = Some(Vm::new(true, s.rand.clone()).map_err(CommandError::err)?);
        }
        Ok(s.function_vm.clone().expect("just created"))
    }

    /// Commands that change scripts or libraries cannot run under a busy script.
    fn refuse_while_running(&self, eng: &Engine) -> Result<(), CommandError> {
        match self.0.borrow().running.as_ref() {
            Some(r) => Err(super::busy_text(eng, r.is_eval)),
            None => Ok(()),
        }
    }
}

/// `numkeys` of EVAL/FCALL (at `argv[2]`), checked against the arguments there are.
fn numkeys(argv: &[Vec<u8>], bad: CommandError) -> Result<usize, CommandError> {
    let n = crate::num::parse_i64(&argv[2]).ok_or(bad)?;
    if n > argv.len() as i64 - 3 {
        return Err(CommandError::NumkeysTooLarge);
    }
    if n < 0 {
        return Err(CommandError::NumkeysNegative);
    }
    Ok(n as usize)
}

/// Compiles a script and adds it to the cache (`luaCreateFunction`). `pinned` is SCRIPT LOAD's.
fn create_script(
    st: &Scripting,
    vm: &Vm,
    sha: [u8; 40],
    body: &[u8],
    pinned: bool,
) -> Result<(Compiled, ScriptFlags), CommandError> {
    let (flags, shebang_len) = eval_shebang(body).map_err(CommandError::err)?;
    // The shebang line is skipped but its newline kept, so line numbers stay right.
    let compiled = vm
        .compile(&body[shebang_len..], "@user_script")
        .map_err(|e| CommandError::err(format!("Error compiling script (new function): {e}")))?;
    let mut s = st.0.borrow_mut();
    let evicted = s.scripts.insert(sha, body.to_vec(), flags, compiled.clone(), pinned);
    s.evicted_scripts += evicted;
    Ok((compiled, flags))
}

fn script_sha(body: &[u8]) -> [u8; 40] {
    cache_key(super::sha1hex(body).as_bytes()).expect("a SHA1 is 40 hex digits")
}

/// EVAL, EVALSHA and their `_RO` variants.
pub fn eval(ctx: &mut Ctx, argv: &[Vec<u8>], evalsha: bool, ro: bool) -> CmdResult {
    if evalsha && argv[1].len() != 40 {
        return Err(CommandError::NoScript);
    }
    let nkeys = numkeys(argv, CommandError::NotInteger)?;
    let st = Scripting::of(ctx.eng);
    st.refuse_while_running(ctx.eng)?;
    let vm = st.eval_vm()?;
    let sha = if evalsha { cache_key(&argv[1]).expect("length checked") } else { script_sha(&argv[1]) };
    let cached = st.0.borrow().scripts.get(&sha).map(|c| (c.compiled.clone(), c.flags));
    let (compiled, flags) = match cached {
        Some(found) => found,
        None if evalsha => return Err(CommandError::NoScript),
        None => create_script(&st, &vm, sha, &argv[1], false)?,
    };
    let compat = flags.contains(ScriptFlags::EVAL_COMPAT_MODE);
    if !compat && !flags.contains(ScriptFlags::NO_WRITES) && ro {
        return Err(CommandError::WriteScriptFromRo);
    }
    let (allow_oom, no_writes) = (flags.contains(ScriptFlags::ALLOW_OOM), flags.contains(ScriptFlags::NO_WRITES));
    crate::evict::script_start(ctx.eng, !compat, allow_oom, no_writes)?;
    let read_only = ro || (!compat && flags.contains(ScriptFlags::NO_WRITES));
    let name = String::from_utf8_lossy(&sha).into_owned();
    let result = execute(ctx, &st, &vm, &compiled, name, true, read_only, argv, nkeys);
    st.0.borrow_mut().scripts.touch(&sha);
    result
}

/// FCALL and FCALL_RO.
pub fn fcall(ctx: &mut Ctx, argv: &[Vec<u8>], ro: bool) -> CmdResult {
    let st = Scripting::of(ctx.eng);
    st.refuse_while_running(ctx.eng)?;
    let found = st.0.borrow().libraries.function(&argv[1]).map(|f| (f.compiled.clone(), f.flags, f.name.clone()));
    let Some((compiled, flags, name)) = found else {
        return Err(CommandError::FunctionNotFound);
    };
    let nkeys = numkeys(argv, CommandError::BadNumberOfKeys)?;
    if !flags.contains(ScriptFlags::NO_WRITES) && ro {
        return Err(CommandError::WriteScriptFromRo);
    }
    let (allow_oom, no_writes) = (flags.contains(ScriptFlags::ALLOW_OOM), flags.contains(ScriptFlags::NO_WRITES));
    crate::evict::script_start(ctx.eng, true, allow_oom, no_writes)?;
    let read_only = ro || flags.contains(ScriptFlags::NO_WRITES);
    let vm = st.function_vm()?;
    let name = String::from_utf8_lossy(&name).into_owned();
    execute(ctx, &st, &vm, &compiled, name, false, read_only, argv, nkeys)
}

/// Runs a compiled script or function for the calling client and turns how it ended into a reply.
#[allow(clippy::too_many_arguments)]
fn execute(
    ctx: &mut Ctx,
    st: &Scripting,
    vm: &Vm,
    f: &Compiled,
    name: String,
    is_eval: bool,
    read_only: bool,
    argv: &[Vec<u8>],
    nkeys: usize,
) -> CmdResult {
    let caller = ctx.id;
    let spec = ctx.spec;
    let eng = &mut *ctx.eng;
    let keys = &argv[3..3 + nkeys];
    let args = &argv[3 + nkeys..];
    let client = st.checkout_client(eng, caller);
    st.start(name.clone(), is_eval, if is_eval { Vec::new() } else { argv.to_vec() }, eng.clock.monotonic_us());
    crate::commands::server::set_script_running(eng, true);
    let outcome = {
        let mut run = RunCtx::new(eng, st.clone(), client, read_only, is_eval, name.clone());
        vm.run(&mut run, f, keys, args)
    };
    crate::commands::server::set_script_running(eng, false);
    st.finish();
    let resp3 = st.checkin_client(eng, client);
    settle(eng, spec, vm, outcome, resp3, &name)
}

/// The reply for how a run ended, with errorstats as Valkey keeps them: an error a command already
/// counted (returned by `redis.call`, or a refusal) is not counted again, though the script's command
/// still counts as failed.
fn settle(
    eng: &mut Engine,
    command: &'static CommandSpec,
    vm: &Vm,
    outcome: Outcome,
    resp3: bool,
    name: &str,
) -> CmdResult {
    match outcome {
        Outcome::Returned(v) => {
            let mut errors = Vec::new();
            let reply = match lua_to_reply(&v, resp3, vm.next_function(), &mut errors) {
                Ok(r) => r,
                Err(e) => return Err(running_error(name, &e.to_string())),
            };
            let top = errors.iter().find(|e| e.top_level).cloned();
            let nested: Vec<&ReplyError> = errors.iter().filter(|e| !e.top_level).collect();
            for e in &nested {
                if e.counted {
                    eng.stats.command(command).failed_calls += 1;
                } else {
                    eng.stats.count_error(&e.text);
                }
            }
            match top {
                Some(e) => Err(error_reply(eng, e.text, e.counted)),
                None => {
                    if nested.iter().any(|e| !e.counted) {
                        eng.stats.command(command).failed_calls += 1;
                    }
                    Ok(reply)
                }
            }
        }
        Outcome::Raised(Value::Table(t)) => {
            let field = |k: &str| -> Option<String> {
                let v: Value = t.get(k).ok()?;
                super::lua::builtins::to_bytes(&v).map(|b| String::from_utf8_lossy(&b).into_owned())
            };
            let mut text = field("err").unwrap_or_else(|| "(null)".into());
            if let (Some(source), Some(line)) = (field("source"), field("line")) {
                text.push_str(&format!(" script: {name}, on {source}:{line}."));
            }
            let counted = matches!(t.get::<Value>("ignore_error_stats_update"), Ok(Value::Boolean(true)));
            Err(error_reply(eng, text.replace(['\r', '\n'], " "), counted))
        }
        Outcome::Raised(v) => {
            let msg = super::lua::builtins::to_bytes(&v)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_else(|| "execution failure".into());
            Err(running_error(name, &msg))
        }
        Outcome::Failed(msg) => Err(running_error(name, &msg)),
    }
}

/// `Error running script <name>, <message>` (the message cut at 100 bytes).
fn running_error(name: &str, msg: &str) -> CommandError {
    let mut end = msg.len().min(100);
    while !msg.is_char_boundary(end) {
        end -= 1;
    }
    let text = format!("Error running script {name}, {}", &msg[..end]);
    CommandError::err(text.trim_end_matches(['\r', '\n']).replace(['\r', '\n'], " "))
}

/// A script's error reply. The engine counts every error reply in errorstats; one that was counted
/// already is taken off first, so it ends up counted once, as in Valkey.
// TODO(engine): a `CommandError` variant the engine leaves out of errorstats would replace this.
fn error_reply(eng: &mut Engine, text: String, counted: bool) -> CommandError {
    if counted {
        let stats = &mut eng.stats;
        stats.total_error_replies = stats.total_error_replies.saturating_sub(1);
        if let Some(n) = stats.errors.get_mut(CommandError::code(&text)) {
            *n = n.saturating_sub(1);
        }
    }
    CommandError::Other(Cow::Owned(text))
}

// -- the script cache -------------------------------------------------------------------------------

/// SCRIPT LOAD: the script's SHA1, compiled and cached (and no longer evictable).
pub fn script_load(eng: &Engine, body: &[u8]) -> Result<String, CommandError> {
    let st = Scripting::of(eng);
    st.refuse_while_running(eng)?;
    let vm = st.eval_vm()?;
    let sha = script_sha(body);
    if st.0.borrow().scripts.get(&sha).is_some() {
        st.0.borrow_mut().scripts.pin(&sha);
    } else {
        create_script(&st, &vm, sha, body, true)?;
    }
    Ok(String::from_utf8_lossy(&sha).into_owned())
}

/// SCRIPT EXISTS, one answer per SHA1 (any case).
pub fn script_exists(eng: &Engine, shas: &[Vec<u8>]) -> Vec<bool> {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    shas.iter().map(|sha| s.scripts.contains(sha)).collect()
}

/// SCRIPT SHOW: the body of a cached script.
pub fn script_body(eng: &Engine, sha: &[u8]) -> Option<Vec<u8>> {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    s.scripts.get(&cache_key(sha)?).map(|c| c.body.clone())
}

/// SCRIPT FLUSH: the cache emptied and the EVAL interpreter started afresh.
pub fn script_flush(eng: &Engine) -> Result<(), CommandError> {
    let st = Scripting::of(eng);
    st.refuse_while_running(eng)?;
    let mut s = st.0.borrow_mut();
    s.scripts = Default::default();
    s.eval_vm = None;
    Ok(())
}

// -- function libraries -----------------------------------------------------------------------------

/// Loads a library's code into a [`Library`] (`functionsCreateWithLibraryCtx` up to linking):
/// `exists` says whether a library of its name is there already (an error unless `replace`).
fn build_library(
    eng: &Engine,
    st: &Scripting,
    code: &[u8],
    replace: bool,
    exists: impl Fn(&[u8]) -> bool,
    timeout_ms: i64,
) -> Result<Library<Compiled>, String> {
    let meta = library_meta(code)?;
    if !valid_name(&meta.name) {
        return Err(INVALID_NAME.into());
    }
    if !meta.engine.eq_ignore_ascii_case(b"lua") {
        return Err(format!("Engine '{}' not found", String::from_utf8_lossy(&meta.engine)));
    }
    if exists(&meta.name) && !replace {
        return Err(format!("Library '{}' already exists", String::from_utf8_lossy(&meta.name)));
    }
    let vm = st.function_vm().map_err(|e| e.to_string())?;
    let f =
        vm.compile(&code[meta.code_start..], "@user_function").map_err(|e| format!("Error compiling function: {e}"))?;
    let mut load = LoadCtx {
        eng,
        state: st.clone(),
        library: Library::new(meta.name, code.to_vec()),
        start_us: eng.clock.monotonic_us(),
        timeout_ms,
    };
    vm.load_library(&mut load, &f).map_err(|e| format!("Error registering functions: {e}"))?;
    Ok(load.library)
}

/// FUNCTION LOAD: the new library's name.
pub fn function_load(eng: &mut Engine, code: &[u8], replace: bool) -> Result<Vec<u8>, CommandError> {
    let st = Scripting::of(eng);
    st.refuse_while_running(eng)?;
    let exists = |name: &[u8]| st.0.borrow().libraries.contains(name);
    let lib = build_library(eng, &st, code, replace, exists, LOAD_TIMEOUT_MS).map_err(CommandError::err)?;
    let name = lib.name.clone();
    st.0.borrow_mut().libraries.add(lib, replace).map_err(CommandError::err)?;
    eng.dirty += 1;
    Ok(name)
}

/// FUNCTION DELETE
pub fn function_delete(eng: &mut Engine, name: &[u8]) -> Result<(), CommandError> {
    let st = Scripting::of(eng);
    st.refuse_while_running(eng)?;
    st.0.borrow_mut().libraries.remove(name).ok_or(CommandError::LibraryNotFound)?;
    eng.dirty += 1;
    Ok(())
}

/// FUNCTION FLUSH
pub fn function_flush(eng: &mut Engine) -> Result<(), CommandError> {
    let st = Scripting::of(eng);
    st.refuse_while_running(eng)?;
    st.0.borrow_mut().libraries = Libraries::default();
    eng.dirty += 1;
    Ok(())
}

/// FUNCTION DUMP
pub fn function_dump(eng: &Engine) -> Vec<u8> {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    super::dump::encode(s.libraries.iter().map(|l| l.code.as_slice()))
}

/// How FUNCTION RESTORE treats the libraries already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestorePolicy {
    Flush,
    Append,
    Replace,
}

/// FUNCTION RESTORE
pub fn function_restore(eng: &mut Engine, payload: &[u8], policy: RestorePolicy) -> Result<(), CommandError> {
    let st = Scripting::of(eng);
    st.refuse_while_running(eng)?;
    let codes = super::dump::decode(payload).map_err(CommandError::err)?;
    let mut restored: Libraries<Compiled> = Libraries::default();
    for code in &codes {
        let lib = build_library(eng, &st, code, false, |name| restored.contains(name), 0).map_err(CommandError::err)?;
        restored.add(lib, false).map_err(CommandError::err)?;
    }
    {
        let mut s = st.0.borrow_mut();
        match policy {
            RestorePolicy::Flush => s.libraries = restored,
            RestorePolicy::Append => s.libraries.join(restored, false).map_err(CommandError::err)?,
            RestorePolicy::Replace => s.libraries.join(restored, true).map_err(CommandError::err)?,
        }
    }
    eng.dirty += 1;
    Ok(())
}

/// One library as FUNCTION LIST shows it.
pub struct LibraryListing {
    pub name: Vec<u8>,
    pub code: Vec<u8>,
    pub functions: Vec<FunctionListing>,
}

/// One function of a library, as FUNCTION LIST shows it.
pub struct FunctionListing {
    pub name: Vec<u8>,
    pub description: Option<Vec<u8>>,
    pub flags: Vec<&'static str>,
}

/// The libraries whose name matches `pattern` (all without one), by name.
pub fn function_list(eng: &Engine, pattern: Option<&[u8]>) -> Vec<LibraryListing> {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    s.libraries
        .iter()
        .filter(|l| pattern.is_none_or(|p| crate::glob::glob_match(p, &l.name, true)))
        .map(|l| LibraryListing {
            name: l.name.clone(),
            code: l.code.clone(),
            functions: l
                .functions
                .values()
                .map(|f| FunctionListing {
                    name: f.name.clone(),
                    description: f.description.clone(),
                    flags: f.flags.names().collect(),
                })
                .collect(),
        })
        .collect()
}

/// (libraries, functions) for FUNCTION STATS.
pub fn function_counts(eng: &Engine) -> (usize, usize) {
    let st = Scripting::of(eng);
    let s = st.0.borrow();
    (s.libraries.library_count(), s.libraries.function_count())
}
