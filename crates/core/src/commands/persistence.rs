//! Persistence: SAVE, BGSAVE, the save points, what SHUTDOWN and DEBUG RELOAD save, the `-MISCONF`
//! gate and INFO persistence.
//!
//! The core does no I/O, so the disk is the host's: a [`PersistenceHost`] writes the snapshot
//! ([`crate::rdb::write_engine`] gives the bytes), forks for BGSAVE, and reads the file back. The core
//! keeps the bookkeeping Valkey keeps (`dirty` at the start of a background save, last status, save
//! counts) and decides when a save point is due ([`cron`]). Without a host (the browser, tests) SAVE
//! and BGSAVE answer an error and shutdown saves nothing.

use crate::args::{is, Args};
use crate::client::ClientId;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;
use std::fmt::Write as _;

use super::server::ShutdownRequest;

const G: Group = Group::Server;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "bgsave", -1, ADMIN | NOSCRIPT, Keys::None, bgsave)
        .since("1.0.0")
        .summary("Asynchronously saves the database(s) to disk.")
        .syntax("[SCHEDULE@3.2.2]"),
    CommandSpec::new(G, "bgrewriteaof", 1, ADMIN | NOSCRIPT, Keys::None, bgrewriteaof)
        .since("1.0.0")
        .summary("Asynchronously rewrites the append-only file to disk."),
    CommandSpec::new(G, "save", 1, ADMIN | NOSCRIPT | NO_MULTI, Keys::None, save)
        .since("1.0.0")
        .summary("Synchronously saves the database(s) to disk."),
];

/// Valkey's CONFIG_BGSAVE_RETRY_DELAY: after a failed background save, save points wait this long.
const BGSAVE_RETRY_DELAY_S: i64 = 5;

/// What only the host can do: write and read the RDB file, run a save in the background.
pub trait PersistenceHost {
    /// Writes the snapshot of `eng` to the RDB file, synced and atomically replacing the old one
    /// (SAVE, SHUTDOWN, DEBUG RELOAD). The error is the reason, for the log.
    fn save(&mut self, eng: &mut Engine) -> Result<(), String>;
    /// Starts writing the snapshot of `eng` as it is now without blocking (BGSAVE); returns the id of
    /// the child doing it.
    fn start_background_save(&mut self, eng: &mut Engine) -> Result<u32, String>;
    /// `Some` once the background save ended: `Ok` when the file was written. `None` while it runs.
    fn poll_background_save(&mut self) -> Option<Result<(), String>>;
    /// Stops a running background save and removes what it wrote (SHUTDOWN).
    fn kill_background_save(&mut self);
    /// The RDB file's bytes (DEBUG RELOAD), `Ok(None)` when there is no file.
    fn read_snapshot(&mut self, eng: &Engine) -> Result<Option<Vec<u8>>, String>;
    /// A line for the server log at notice level.
    fn notice(&mut self, line: &str) {
        let _ = line;
    }

    // -- the append-only file; hosts without one keep the defaults ---------------------------------

    /// The AOF's state for INFO and BGREWRITEAOF.
    fn aof_status(&self, eng: &Engine) -> AofStatus {
        let _ = eng;
        AofStatus::default()
    }
    /// BGREWRITEAOF: starts a rewrite now, or schedules it when a child is busy.
    fn aof_rewrite(&mut self, eng: &mut Engine) -> Result<AofRewriteStart, String> {
        let _ = eng;
        Err("This server has no disk to save to".into())
    }
    /// After commands ran, before replies are written: append what they propagated
    /// ([`crate::propagate::Propagation::take_ready`]), fsync with `appendfsync always`.
    fn aof_before_sleep(&mut self, eng: &mut Engine) {
        let _ = eng;
    }
    /// The AOF part of the cron: the everysec fsync, `appendonly` switched by CONFIG SET, reaping a
    /// rewrite, automatic rewrites.
    fn aof_cron(&mut self, eng: &mut Engine) {
        let _ = eng;
    }
    /// Shutting down: stop a rewrite, write and fsync what is buffered.
    fn aof_shutdown(&mut self, eng: &mut Engine) {
        let _ = eng;
    }
    /// DEBUG LOADAOF: write and sync what is buffered, empty the data set ([`empty_data`]), then load the
    /// AOF files again. The error is for the log; a host without AOF files has none to load.
    fn aof_reload(&mut self, eng: &mut Engine) -> Result<(), String> {
        empty_data(eng);
        Err("There is no append only file to load".into())
    }
}

/// What BGREWRITEAOF did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AofRewriteStart {
    Started,
    Scheduled,
    AlreadyRunning,
}

/// The AOF fields of INFO persistence, as the host knows them (Valkey's names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofStatus {
    /// `aof_enabled`: on, or waiting for the rewrite that turns it on.
    pub enabled: bool,
    pub rewrite_in_progress: bool,
    pub rewrite_scheduled: bool,
    pub last_rewrite_time_s: i64,
    pub current_rewrite_time_s: i64,
    pub last_bgrewrite_ok: bool,
    pub rewrites: u64,
    pub rewrites_consecutive_failures: u64,
    pub last_write_ok: bool,
    pub current_size: u64,
    pub base_size: u64,
    pub buffer_length: u64,
    pub pending_bio_fsync: u64,
    pub delayed_fsync: u64,
}

impl Default for AofStatus {
    fn default() -> Self {
        AofStatus {
            enabled: false,
            rewrite_in_progress: false,
            rewrite_scheduled: false,
            last_rewrite_time_s: -1,
            current_rewrite_time_s: -1,
            last_bgrewrite_ok: true,
            rewrites: 0,
            rewrites_consecutive_failures: 0,
            last_write_ok: true,
            current_size: 0,
            base_size: 0,
            buffer_length: 0,
            pending_bio_fsync: 0,
            delayed_fsync: 0,
        }
    }
}

/// A background save in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackgroundSave {
    pub pid: u32,
    pub start_ms: i64,
    /// `dirty` when it started: changes after that are still unsaved when it ends.
    pub dirty_at_start: u64,
}

/// Valkey's persistence bookkeeping (`server.lastbgsave_status`, `rdb_child_pid`, ...).
pub struct PersistenceState {
    pub host: Option<Box<dyn PersistenceHost>>,
    pub child: Option<BackgroundSave>,
    /// BGSAVE SCHEDULE (or BGSAVE inside MULTI): start one as soon as nothing else runs.
    pub bgsave_scheduled: bool,
    /// `rdb_last_bgsave_status`: false after a failed save, until one succeeds.
    pub last_bgsave_ok: bool,
    /// Unix ms of the last background save attempt.
    pub last_bgsave_try_ms: i64,
    /// `rdb_last_bgsave_time_sec` (-1: none yet).
    pub last_bgsave_time_s: i64,
    /// `rdb_saves`.
    pub saves: u64,
    /// `rdb_last_load_keys_loaded` / `rdb_last_load_keys_expired`.
    pub last_load_keys_loaded: u64,
    pub last_load_keys_expired: u64,
}

impl Default for PersistenceState {
    fn default() -> Self {
        PersistenceState {
            host: None,
            child: None,
            bgsave_scheduled: false,
            last_bgsave_ok: true,
            last_bgsave_try_ms: 0,
            last_bgsave_time_s: -1,
            saves: 0,
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
        }
    }
}

/// Plugs in the host's disk.
pub fn set_persistence_host(eng: &mut Engine, host: Box<dyn PersistenceHost>) {
    eng.server.persistence.host = Some(host);
}

/// Runs `f` with the host taken out of the engine (it needs the engine too); `None` without a host.
fn with_host<R>(eng: &mut Engine, f: impl FnOnce(&mut dyn PersistenceHost, &mut Engine) -> R) -> Option<R> {
    let mut host = eng.server.persistence.host.take()?;
    let r = f(host.as_mut(), eng);
    eng.server.persistence.host = Some(host);
    Some(r)
}

fn notice(eng: &mut Engine, line: &str) {
    with_host(eng, |h, _| h.notice(line));
}

/// Why the engine cannot save: there is no disk.
fn no_disk() -> CommandError {
    CommandError::err("This server has no disk to save to")
}

/// A foreground save (Valkey's `rdbSave`): on success the changes are saved and the status is ok.
pub fn save_now(eng: &mut Engine) -> Result<(), CommandError> {
    let result = with_host(eng, |h, e| h.save(e)).ok_or_else(no_disk)?;
    match result {
        Ok(()) => {
            let now_ms = eng.clock.now_ms();
            eng.dirty = 0;
            eng.last_save_s = now_ms / 1000;
            eng.server.persistence.last_bgsave_ok = true;
            Ok(())
        }
        Err(_) => Err(CommandError::Other("ERR".into())),
    }
}

/// FLUSHALL with save points configured (Valkey's flushAllDataAndResetRDB): a running background save is
/// stopped and the now empty data set is saved at once, so a restart cannot bring the flushed keys back.
/// A host without a disk only starts the changes counter again.
pub fn save_after_flushall(eng: &mut Engine) {
    if eng.server.persistence.host.is_none() {
        eng.dirty = 0;
        eng.last_save_s = eng.cmd_time_ms / 1000;
        return;
    }
    if eng.server.persistence.child.take().is_some() {
        with_host(eng, |h, _| h.kill_background_save());
    }
    // As in Valkey, FLUSHALL itself succeeds when this save fails; the failure shows in INFO and the log.
    let _ = save_now(eng);
}

/// Starts a background save (Valkey's `rdbSaveBackground`); a failure to start counts as a failed save.
pub fn start_background_save(eng: &mut Engine) -> Result<(), CommandError> {
    let now_ms = eng.clock.now_ms();
    let dirty = eng.dirty;
    let result = with_host(eng, |h, e| h.start_background_save(e)).ok_or_else(no_disk)?;
    let p = &mut eng.server.persistence;
    p.last_bgsave_try_ms = now_ms;
    p.saves += 1;
    match result {
        Ok(pid) => {
            p.child = Some(BackgroundSave { pid, start_ms: now_ms, dirty_at_start: dirty });
            Ok(())
        }
        Err(_) => {
            p.last_bgsave_ok = false;
            Err(CommandError::Other("ERR".into()))
        }
    }
}

/// BGREWRITEAOF
fn bgrewriteaof(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let started = with_host(ctx.eng, |h, e| h.aof_rewrite(e)).ok_or_else(no_disk)?;
    match started {
        Ok(AofRewriteStart::Started) => Ok(Reply::status("Background append only file rewriting started")),
        Ok(AofRewriteStart::Scheduled) => Ok(Reply::status("Background append only file rewriting scheduled")),
        Ok(AofRewriteStart::AlreadyRunning) => {
            Err(CommandError::err("Background append only file rewriting already in progress"))
        }
        Err(_) => Err(CommandError::err(
            "Can't execute an AOF background rewriting. Please check the server logs for more information.",
        )),
    }
}

/// The host calls this after running commands and before writing replies (Valkey's `beforeSleep`
/// flush of the AOF buffer): what the commands propagated goes to the AOF.
#[inline]
pub fn before_sleep(eng: &mut Engine) {
    if eng.propagate.has_ready() {
        with_host(eng, |h, e| h.aof_before_sleep(e));
    }
}

/// SAVE
fn save(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    if ctx.eng.server.persistence.child.is_some() {
        return Err(CommandError::err("Background save already in progress"));
    }
    ctx.eng.server.persistence.saves += 1;
    save_now(ctx.eng)?;
    Ok(Reply::OK)
}

/// BGSAVE [SCHEDULE]. SCHEDULE only matters while another child (an AOF rewrite) runs, and
/// ferrokey has none: both forms start the save at once.
fn bgsave(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    match args.remaining() {
        0 => {}
        1 if is(args.next()?, "schedule") => {}
        _ => return Err(CommandError::Syntax),
    }
    if ctx.eng.server.persistence.child.is_some() {
        return Err(CommandError::err("Background save already in progress"));
    }
    if ctx.nested() {
        // Inside EXEC Valkey cannot fork mid-transaction: the save waits for the cron.
        ctx.eng.server.persistence.bgsave_scheduled = true;
        return Ok(Reply::status("Background saving scheduled"));
    }
    start_background_save(ctx.eng)?;
    Ok(Reply::status("Background saving started"))
}

/// The persistence part of the host's cron (Valkey's `serverCron`): reaps a finished background save,
/// then starts one when a save point is due or one was scheduled. `now_ms` is unix ms.
pub fn cron(eng: &mut Engine, now_ms: i64) {
    if eng.server.persistence.host.is_none() {
        return;
    }
    with_host(eng, |h, e| h.aof_cron(e));
    if eng.server.persistence.child.is_some() {
        if let Some(result) = with_host(eng, |h, _| h.poll_background_save()).flatten() {
            background_save_done(eng, result, now_ms);
        }
        return;
    }
    let now_s = now_ms / 1000;
    let p = &eng.server.persistence;
    let may_retry = p.last_bgsave_ok || now_s - p.last_bgsave_try_ms / 1000 > BGSAVE_RETRY_DELAY_S;
    let due = eng
        .config
        .save_points
        .iter()
        .find(|&&(seconds, changes)| eng.dirty >= changes as u64 && now_s - eng.last_save_s > seconds && may_retry)
        .copied();
    if let Some((seconds, changes)) = due {
        notice(eng, &format!("{changes} changes in {seconds} seconds. Saving..."));
        let _ = start_background_save(eng);
    } else if eng.server.persistence.bgsave_scheduled && may_retry && start_background_save(eng).is_ok() {
        eng.server.persistence.bgsave_scheduled = false;
    }
}

/// Valkey's `backgroundSaveDoneHandler`.
fn background_save_done(eng: &mut Engine, result: Result<(), String>, now_ms: i64) {
    let Some(child) = eng.server.persistence.child.take() else { return };
    let p = &mut eng.server.persistence;
    p.last_bgsave_time_s = (now_ms - child.start_ms) / 1000;
    match result {
        Ok(()) => {
            p.last_bgsave_ok = true;
            eng.dirty = eng.dirty.saturating_sub(child.dirty_at_start);
            eng.last_save_s = now_ms / 1000;
        }
        Err(_) => p.last_bgsave_ok = false,
    }
}

/// Valkey's `writeCommandsDeniedByDiskError` check in the command gate: the `-MISCONF` error for a
/// write (or PING, or an EXEC with writes queued) after a failed save, with `stop-writes-on-bgsave-error`.
#[inline]
pub fn disk_error(eng: &Engine, id: ClientId, spec: &CommandSpec) -> Option<CommandError> {
    if eng.server.persistence.last_bgsave_ok {
        return None;
    }
    if !eng.config.stop_writes_on_bgsave_error || eng.config.save_points.is_empty() {
        return None;
    }
    let writes = spec.has(WRITE)
        || spec.name == "ping"
        || (spec.name == "exec" && super::transactions::queued_command_flags(eng, id) & WRITE != 0);
    writes.then(|| {
        let name = if eng.config.extended_redis_compatibility { "Redis" } else { "Valkey" };
        CommandError::Other(
            format!(
                "MISCONF {name} is configured to save RDB snapshots, but it's currently unable to persist to disk. \
                 Commands that may modify the data set are disabled, because this instance is configured to report \
                 errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check \
                 the {name} logs for details about the RDB error."
            )
            .into(),
        )
    })
}

/// What SHUTDOWN and SIGTERM do before the host exits (Valkey's `prepareForShutdown`): stop a
/// background save, then save when asked to, or when save points exist and NOSAVE was not given. An
/// error means the save failed without FORCE: the server must keep running.
pub fn prepare_shutdown(eng: &mut Engine, req: ShutdownRequest) -> Result<(), CommandError> {
    if eng.server.persistence.host.is_none() {
        return match req.save {
            Some(true) if !req.force => Err(CommandError::err("Errors trying to SHUTDOWN. Check logs.")),
            _ => Ok(()),
        };
    }
    if eng.server.persistence.child.take().is_some() {
        notice(eng, "There is a child saving an .rdb. Killing it!");
        with_host(eng, |h, _| h.kill_background_save());
    }
    with_host(eng, |h, e| h.aof_shutdown(e));
    let save = req.save.unwrap_or(!eng.config.save_points.is_empty());
    if !save {
        return Ok(());
    }
    notice(eng, "Saving the final RDB snapshot before exiting.");
    if save_now(eng).is_err() {
        if req.force {
            notice(eng, "Error trying to save the DB. Exit anyway.");
        } else {
            notice(eng, "Error trying to save the DB, can't exit.");
            return Err(CommandError::err("Errors trying to SHUTDOWN. Check logs."));
        }
    }
    Ok(())
}

/// DEBUG RELOAD [NOSAVE]: saves (unless `nosave`), then replaces the dataset with the file's. Without
/// a host the snapshot makes the round trip in memory.
pub fn debug_reload(eng: &mut Engine, nosave: bool) -> Result<(), CommandError> {
    const LOAD_FAILED: &str = "Error trying to load the RDB dump, check server logs.";
    let bytes = if eng.server.persistence.host.is_some() {
        if !nosave {
            save_now(eng)?;
        }
        match with_host(eng, |h, e| h.read_snapshot(e)).and_then(Result::ok).flatten() {
            Some(bytes) => bytes,
            None => return Err(CommandError::err(LOAD_FAILED)),
        }
    } else if nosave {
        return Err(CommandError::err(LOAD_FAILED));
    } else {
        let bytes = crate::rdb::engine_snapshot(eng);
        eng.dirty = 0;
        eng.last_save_s = eng.clock.now_ms() / 1000;
        bytes
    };
    match crate::rdb::load_engine_snapshot(eng, &bytes) {
        Ok(stats) => {
            loaded(eng, stats.keys_loaded, stats.keys_expired);
            notice(eng, "DB reloaded by DEBUG RELOAD");
            Ok(())
        }
        Err(e) => {
            notice(eng, &format!("Error loading the RDB file: {e}"));
            Err(CommandError::err(LOAD_FAILED))
        }
    }
}

/// Valkey's `emptyData(-1, EMPTYDB_NO_FLAGS)`: every database and the function libraries emptied, with
/// no propagation or notifications (a load is about to refill them); WATCHers of existing keys are
/// told, as a flush tells them.
pub fn empty_data(eng: &mut Engine) {
    for index in 0..eng.dbs.len() {
        crate::commands::transactions::touch_all_watched_keys_in_db(eng, index, None);
    }
    for db in &mut eng.dbs {
        *db = crate::db::Db::new();
    }
    let dirty = eng.dirty;
    let no_libraries = crate::scripting::dump::encode(std::iter::empty());
    // Restoring an empty payload with the flush policy cannot fail: nothing is compiled.
    let _ = crate::scripting::run::function_restore(eng, &no_libraries, crate::scripting::run::RestorePolicy::Flush);
    eng.dirty = dirty;
}

/// DEBUG LOADAOF: the data set replaced by what the AOF files hold (Valkey's debug.c). The data set is
/// emptied even when loading fails, as in Valkey.
pub fn debug_load_aof(eng: &mut Engine) -> Result<(), CommandError> {
    let result = match with_host(eng, |h, e| h.aof_reload(e)) {
        Some(result) => result,
        None => {
            empty_data(eng);
            Err("There is no append only file to load".into())
        }
    };
    match result {
        Ok(()) => {
            eng.dirty = 0; // what was loaded is on disk already
            notice(eng, "Append Only File loaded by DEBUG LOADAOF");
            Ok(())
        }
        Err(why) => {
            notice(eng, &why);
            Err(CommandError::err("Error trying to load the AOF files, check server logs."))
        }
    }
}

/// Records what a load did (INFO `rdb_last_load_keys_*`); the host calls it after loading at start-up.
pub fn loaded(eng: &mut Engine, keys_loaded: u64, keys_expired: u64) {
    let p = &mut eng.server.persistence;
    p.last_load_keys_loaded = keys_loaded;
    p.last_load_keys_expired = keys_expired;
}

/// INFO persistence.
pub fn info_section(eng: &Engine, out: &mut String) {
    let p = &eng.server.persistence;
    let now_ms = eng.clock.now_ms();
    let current = p.child.map_or(-1, |c| (now_ms - c.start_ms) / 1000);
    let aof = match p.host.as_ref() {
        Some(h) => h.aof_status(eng),
        None => AofStatus { enabled: eng.config.appendonly, ..AofStatus::default() },
    };
    let _ = write!(
        out,
        "loading:0\r\n\
         async_loading:0\r\n\
         current_cow_peak:0\r\n\
         current_cow_size:0\r\n\
         current_cow_size_age:0\r\n\
         current_fork_perc:0.00\r\n\
         current_save_keys_processed:0\r\n\
         current_save_keys_total:0\r\n\
         rdb_changes_since_last_save:{}\r\n\
         rdb_bgsave_in_progress:{}\r\n\
         rdb_last_save_time:{}\r\n\
         rdb_last_bgsave_status:{}\r\n\
         rdb_last_bgsave_time_sec:{}\r\n\
         rdb_current_bgsave_time_sec:{current}\r\n\
         rdb_saves:{}\r\n\
         rdb_last_cow_size:0\r\n\
         rdb_last_load_keys_expired:{}\r\n\
         rdb_last_load_keys_loaded:{}\r\n\
         aof_enabled:{}\r\n\
         aof_rewrite_in_progress:{}\r\n\
         aof_rewrite_scheduled:{}\r\n\
         aof_last_rewrite_time_sec:{}\r\n\
         aof_current_rewrite_time_sec:{}\r\n\
         aof_last_bgrewrite_status:{}\r\n\
         aof_rewrites:{}\r\n\
         aof_rewrites_consecutive_failures:{}\r\n\
         aof_last_write_status:{}\r\n\
         aof_last_cow_size:0\r\n\
         module_fork_in_progress:0\r\n\
         module_fork_last_cow_size:0\r\n",
        eng.dirty,
        u8::from(p.child.is_some()),
        eng.last_save_s,
        if p.last_bgsave_ok { "ok" } else { "err" },
        p.last_bgsave_time_s,
        p.saves,
        p.last_load_keys_expired,
        p.last_load_keys_loaded,
        u8::from(aof.enabled),
        u8::from(aof.rewrite_in_progress),
        u8::from(aof.rewrite_scheduled),
        aof.last_rewrite_time_s,
        aof.current_rewrite_time_s,
        if aof.last_bgrewrite_ok { "ok" } else { "err" },
        aof.rewrites,
        aof.rewrites_consecutive_failures,
        if aof.last_write_ok { "ok" } else { "err" },
    );
    if aof.enabled {
        let _ = write!(
            out,
            "aof_current_size:{}\r\n\
             aof_base_size:{}\r\n\
             aof_pending_rewrite:{}\r\n\
             aof_buffer_length:{}\r\n\
             aof_pending_bio_fsync:{}\r\n\
             aof_delayed_fsync:{}\r\n",
            aof.current_size,
            aof.base_size,
            u8::from(aof.rewrite_scheduled),
            aof.buffer_length,
            aof.pending_bio_fsync,
            aof.delayed_fsync,
        );
    }
}
