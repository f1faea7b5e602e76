//! What the host does for scripts: take their log lines, and keep serving other clients while a script
//! runs past `busy-reply-threshold`.
//!
//! The engine has no event loop, so a long script cannot give way by itself as Valkey's
//! `processEventsWhileBlocked` does. Instead the Lua hook calls [`ScriptHost::busy`] about every 100,000
//! Lua instructions once the script is past the threshold, with the engine: the host reads what its
//! other clients sent and runs it with [`Engine::execute`] as usual. The gate answers them `-BUSY`
//! (see [`super::busy_error`]) except for the commands flagged `allow_busy` (SCRIPT KILL,
//! FUNCTION KILL, FUNCTION STATS, MULTI, AUTH, ...); SCRIPT KILL marks the script to be killed, and the
//! hook stops it when `busy` returns. SHUTDOWN NOSAVE is the host's to carry out.

use crate::engine::Engine;

/// Valkey's log levels (`LL_DEBUG` ... `LL_WARNING`), as `redis.log` numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
}

impl LogLevel {
    pub fn from_number(n: i64) -> Option<LogLevel> {
        Some(match n {
            0 => LogLevel::Debug,
            1 => LogLevel::Verbose,
            2 => LogLevel::Notice,
            3 => LogLevel::Warning,
            _ => return None,
        })
    }
}

/// The host's side of scripting. Install one with [`super::set_host`]; without one, long scripts
/// simply run to their end and log lines are dropped.
pub trait ScriptHost {
    /// A script has run past `busy-reply-threshold` and is still running; called about every 100,000
    /// Lua instructions from then on. Serve other clients through `eng` (their commands get `-BUSY`
    /// unless allowed), and return soon: the script continues when this returns, or stops if a
    /// SCRIPT KILL / FUNCTION KILL was accepted meanwhile. `script` says what is running.
    ///
    /// The client that runs the script must not be disconnected meanwhile (Valkey protects it).
    fn busy(&mut self, eng: &mut Engine, script: &BusyScript);

    /// A line `redis.log` wrote at or above `loglevel`, or one the engine logs about scripts (slow
    /// script warnings, kills).
    fn log(&mut self, _level: LogLevel, _line: &str) {}
}

/// The script that keeps the engine busy, as FUNCTION STATS describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyScript {
    /// SHA1 of an EVAL script, or the function's name.
    pub name: String,
    /// EVAL/EVALSHA (SCRIPT KILL stops it) rather than FCALL (FUNCTION KILL does).
    pub is_eval: bool,
    pub elapsed_ms: i64,
}
