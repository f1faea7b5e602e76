//! Scripting commands: EVAL and EVALSHA (and `_RO`), FCALL (and `_RO`), the SCRIPT family for the
//! script cache and the FUNCTION family for libraries. The work is in [`crate::scripting`]; these
//! handlers read arguments and shape replies.

use crate::args::{is, Args};
use crate::command::{flag::*, keys_after_numkeys, CommandSpec, Group, Keys};
use crate::commands::connection::{help_reply, subcommand_syntax_error};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;
use crate::scripting::run::{self, RestorePolicy};
use std::borrow::Cow;

const G: Group = Group::Scripting;

/// EVAL and FCALL keys follow `numkeys` (at argument 2).
const NUMKEYS_KEYS: Keys = Keys::Movable { legacy: (0, 0, 0), find: |argv| keys_after_numkeys(argv, 2) };
const RUN: u32 = NOSCRIPT | SKIP_MONITOR | NO_MANDATORY_KEYS | STALE | MOVABLEKEYS;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "eval", -3, RUN | MAY_REPLICATE, NUMKEYS_KEYS, eval)
        .since("2.6.0")
        .summary("Executes a server-side Lua script.")
        .syntax("script numkeys:integer [key:key...] [arg...]"),
    CommandSpec::new(G, "eval_ro", -3, RUN | READONLY, NUMKEYS_KEYS, eval_ro)
        .since("7.0.0")
        .summary("Executes a read-only server-side Lua script.")
        .syntax("script numkeys:integer [key:key...] [arg...]"),
    CommandSpec::new(G, "evalsha", -3, RUN | MAY_REPLICATE, NUMKEYS_KEYS, evalsha)
        .since("2.6.0")
        .summary("Executes a server-side Lua script by SHA1 digest.")
        .syntax("sha1 numkeys:integer [key:key...] [arg...]"),
    CommandSpec::new(G, "evalsha_ro", -3, RUN | READONLY, NUMKEYS_KEYS, evalsha_ro)
        .since("7.0.0")
        .summary("Executes a read-only server-side Lua script by SHA1 digest.")
        .syntax("sha1 numkeys:integer [key:key...] [arg...]"),
    CommandSpec::new(G, "fcall", -3, RUN | MAY_REPLICATE, NUMKEYS_KEYS, fcall)
        .since("7.0.0")
        .summary("Invokes a function.")
        .syntax("function numkeys:integer [key:key...] [arg...]"),
    CommandSpec::new(G, "fcall_ro", -3, RUN | READONLY, NUMKEYS_KEYS, fcall_ro)
        .since("7.0.0")
        .summary("Invokes a read-only function.")
        .syntax("function numkeys:integer [key:key...] [arg...]"),
    CommandSpec::container(G, "function", FUNCTION_SUBCOMMANDS)
        .since("7.0.0")
        .summary("A container for function commands."),
    CommandSpec::container(G, "script", SCRIPT_SUBCOMMANDS)
        .since("2.6.0")
        .summary("A container for Lua scripts management commands."),
];

const SCRIPT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "script|debug", 3, NOSCRIPT, Keys::None, script_debug)
        .since("3.2.0")
        .summary("Sets the debug mode of server-side Lua scripts.")
        .syntax("{mode: YES | SYNC | NO}"),
    CommandSpec::new(G, "script|exists", -3, NOSCRIPT, Keys::None, script_exists)
        .since("2.6.0")
        .summary("Determines whether server-side Lua scripts exist in the script cache.")
        .syntax("sha1..."),
    CommandSpec::new(G, "script|flush", -2, NOSCRIPT, Keys::None, script_flush)
        .since("2.6.0")
        .summary("Removes all server-side Lua scripts from the script cache.")
        .syntax("[flush-type: ASYNC | SYNC]@6.2.0"),
    CommandSpec::new(G, "script|help", 2, LOADING | STALE, Keys::None, script_help)
        .since("5.0.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "script|kill", 2, NOSCRIPT | ALLOW_BUSY, Keys::None, script_kill)
        .since("2.6.0")
        .summary("Terminates a server-side Lua script during execution."),
    CommandSpec::new(G, "script|load", 3, NOSCRIPT | STALE, Keys::None, script_load)
        .since("2.6.0")
        .summary("Loads a server-side Lua script to the script cache.")
        .syntax("script"),
    CommandSpec::new(G, "script|show", 3, NOSCRIPT, Keys::None, script_show)
        .since("8.0.0")
        .summary("Show server-side Lua script in the script cache.")
        .syntax("sha1"),
];

const FUNCTION_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "function|delete", 3, NOSCRIPT | WRITE, Keys::None, function_delete)
        .since("7.0.0")
        .summary("Deletes a library and its functions.")
        .syntax("library-name"),
    CommandSpec::new(G, "function|dump", 2, NOSCRIPT, Keys::None, function_dump)
        .since("7.0.0")
        .summary("Dumps all libraries into a serialized binary payload."),
    CommandSpec::new(G, "function|flush", -2, NOSCRIPT | WRITE, Keys::None, function_flush)
        .since("7.0.0")
        .summary("Deletes all libraries and functions.")
        .syntax("[flush-type: ASYNC | SYNC]"),
    CommandSpec::new(G, "function|help", 2, LOADING | STALE, Keys::None, function_help)
        .since("7.0.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "function|kill", 2, NOSCRIPT | ALLOW_BUSY, Keys::None, function_kill)
        .since("7.0.0")
        .summary("Terminates a function during execution."),
    CommandSpec::new(G, "function|list", -2, NOSCRIPT, Keys::None, function_list)
        .since("7.0.0")
        .summary("Returns information about all libraries.")
        .syntax("[LIBRARYNAME=library-name-pattern] [WITHCODE]"),
    CommandSpec::new(G, "function|load", -3, NOSCRIPT | WRITE | DENYOOM, Keys::None, function_load)
        .since("7.0.0")
        .summary("Creates a library.")
        .syntax("[REPLACE] function-code"),
    CommandSpec::new(G, "function|restore", -3, NOSCRIPT | WRITE | DENYOOM, Keys::None, function_restore)
        .since("7.0.0")
        .summary("Restores all libraries from a payload.")
        .syntax("serialized-value [policy: FLUSH | APPEND | REPLACE]"),
    CommandSpec::new(G, "function|stats", 2, NOSCRIPT | ALLOW_BUSY, Keys::None, function_stats)
        .since("7.0.0")
        .summary("Returns information about a function during execution."),
];

// -- running scripts ------------------------------------------------------------------------------

/// EVAL script numkeys [key ...] [arg ...]
fn eval(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::eval(ctx, args.argv(), false, false)
}

/// EVAL_RO script numkeys [key ...] [arg ...]
fn eval_ro(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::eval(ctx, args.argv(), false, true)
}

/// EVALSHA sha1 numkeys [key ...] [arg ...]
fn evalsha(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::eval(ctx, args.argv(), true, false)
}

/// EVALSHA_RO sha1 numkeys [key ...] [arg ...]
fn evalsha_ro(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::eval(ctx, args.argv(), true, true)
}

/// FCALL function numkeys [key ...] [arg ...]
fn fcall(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::fcall(ctx, args.argv(), false)
}

/// FCALL_RO function numkeys [key ...] [arg ...]
fn fcall_ro(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::fcall(ctx, args.argv(), true)
}

// -- SCRIPT ---------------------------------------------------------------------------------------

/// SCRIPT DEBUG YES|SYNC|NO — the Lua debugger is not implemented: every mode runs scripts normally.
fn script_debug(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mode = args.next()?;
    if is(mode, "yes") || is(mode, "sync") || is(mode, "no") {
        Ok(Reply::OK)
    } else {
        Err(CommandError::ScriptDebugMode)
    }
}

/// SCRIPT EXISTS sha1 [sha1 ...]
fn script_exists(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let found = crate::scripting::run::script_exists(ctx.eng, args.rest());
    Ok(Reply::Array(found.into_iter().map(|f| Reply::Int(i64::from(f))).collect()))
}

/// SCRIPT FLUSH [ASYNC|SYNC]
fn script_flush(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    flush_mode(args.rest(), CommandError::ScriptFlushMode)?;
    run::script_flush(ctx.eng)?;
    Ok(Reply::OK)
}

/// `[ASYNC|SYNC]` of SCRIPT FLUSH and FUNCTION FLUSH. Both free at once here.
fn flush_mode(rest: &[Vec<u8>], err: CommandError) -> Result<(), CommandError> {
    match rest {
        [] => Ok(()),
        [mode] if is(mode, "sync") || is(mode, "async") => Ok(()),
        _ => Err(err),
    }
}

/// SCRIPT HELP
fn script_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    const LINES: &[&str] = &[
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined",
        "     by the lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "SHOW <sha1>",
        "    Show a script from the scripts cache.",
    ];
    Ok(help_reply(args.name(), LINES))
}

/// SCRIPT KILL
fn script_kill(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    crate::scripting::kill(ctx.eng, true)?;
    Ok(Reply::OK)
}

/// SCRIPT LOAD script
fn script_load(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let sha = run::script_load(ctx.eng, args.next()?)?;
    Ok(Reply::Bulk(sha.into_bytes()))
}

/// SCRIPT SHOW sha1
fn script_show(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::script_body(ctx.eng, args.next()?).map(Reply::Bulk).ok_or(CommandError::NoScript)
}

// -- FUNCTION -------------------------------------------------------------------------------------

/// FUNCTION DELETE library-name
fn function_delete(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    run::function_delete(ctx.eng, args.next()?)?;
    Ok(Reply::OK)
}

/// FUNCTION DUMP
fn function_dump(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Bulk(run::function_dump(ctx.eng)))
}

/// FUNCTION FLUSH [ASYNC|SYNC]
fn function_flush(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if args.argv().len() > 3 {
        return Err(subcommand_syntax_error(args.argv()));
    }
    flush_mode(args.rest(), CommandError::FunctionFlushMode)?;
    run::function_flush(ctx.eng)?;
    Ok(Reply::OK)
}

/// FUNCTION HELP
fn function_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    const LINES: &[&str] = &[
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
        "      libraries with the new libraries (notice that even on this option there is a chance of failure",
        "      in case of functions name collision with another library).",
    ];
    Ok(help_reply(args.name(), LINES))
}

/// FUNCTION KILL
fn function_kill(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    crate::scripting::kill(ctx.eng, false)?;
    Ok(Reply::OK)
}

/// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
fn function_list(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let (mut with_code, mut pattern): (bool, Option<Vec<u8>>) = (false, None);
    while let Some(arg) = args.peek().map(<[u8]>::to_vec) {
        args.next()?;
        if !with_code && is(&arg, "withcode") {
            with_code = true;
        } else if pattern.is_none() && is(&arg, "libraryname") {
            pattern = Some(args.next().map_err(|_| CommandError::LibraryNameMissing)?.to_vec());
        } else {
            return Err(CommandError::err(format!("Unknown argument {}", lossy(&arg))));
        }
    }
    let libs = run::function_list(ctx.eng, pattern.as_deref());
    let bulk = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
    Ok(Reply::Array(
        libs.into_iter()
            .map(|l| {
                let functions = l
                    .functions
                    .into_iter()
                    .map(|f| {
                        let flags = f.flags;
                        Reply::Map(vec![
                            (bulk("name"), Reply::Bulk(f.name)),
                            (bulk("description"), Reply::opt_bulk(f.description)),
                            (
                                bulk("flags"),
                                Reply::Set(flags.into_iter().map(|f| Reply::Status(Cow::Borrowed(f))).collect()),
                            ),
                        ])
                    })
                    .collect();
                let mut fields = vec![
                    (bulk("library_name"), Reply::Bulk(l.name)),
                    (bulk("engine"), bulk("LUA")),
                    (bulk("functions"), Reply::Array(functions)),
                ];
                if with_code {
                    fields.push((bulk("library_code"), Reply::Bulk(l.code)));
                }
                Reply::Map(fields)
            })
            .collect(),
    ))
}

/// FUNCTION LOAD [REPLACE] function-code
fn function_load(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let mut replace = false;
    let mut at = 2;
    while at < argv.len() - 1 {
        if is(&argv[at], "replace") {
            replace = true;
            at += 1;
            continue;
        }
        return Err(CommandError::err(format!("Unknown option given: {}", lossy(&argv[at]))));
    }
    let code = argv.get(at).ok_or(CommandError::FunctionCodeMissing)?.clone();
    let name = run::function_load(ctx.eng, &code, replace)?;
    Ok(Reply::Bulk(name))
}

/// FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE]
fn function_restore(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if args.argv().len() > 4 {
        return Err(subcommand_syntax_error(args.argv()));
    }
    let payload = args.next()?.to_vec();
    let policy = match args.peek() {
        None => RestorePolicy::Append,
        Some(p) if is(p, "append") => RestorePolicy::Append,
        Some(p) if is(p, "replace") => RestorePolicy::Replace,
        Some(p) if is(p, "flush") => RestorePolicy::Flush,
        Some(_) => return Err(CommandError::RestorePolicy),
    };
    run::function_restore(ctx.eng, &payload, policy)?;
    Ok(Reply::OK)
}

/// FUNCTION STATS
fn function_stats(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let bulk = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
    let running = match crate::scripting::running_script(ctx.eng) {
        Some((_, true, _, _)) => return Err(crate::scripting::busy_text(ctx.eng, true)),
        Some((name, false, argv, duration_ms)) => Reply::Map(vec![
            (bulk("name"), bulk(&name)),
            (bulk("command"), Reply::bulks(argv)),
            (bulk("duration_ms"), Reply::Int(duration_ms)),
        ]),
        None => Reply::Null,
    };
    let (libraries, functions) = run::function_counts(ctx.eng);
    let lua = Reply::Map(vec![
        (bulk("libraries_count"), Reply::Int(libraries as i64)),
        (bulk("functions_count"), Reply::Int(functions as i64)),
    ]);
    Ok(Reply::Map(vec![(bulk("running_script"), running), (bulk("engines"), Reply::Map(vec![(bulk("LUA"), lua)]))]))
}

fn lossy(b: &[u8]) -> String {
    crate::engine::truncate_lossy(b, usize::MAX)
}
