//! The append-only file, Valkey 7+'s multi-part layout: in `appenddirname`, a base file (an RDB
//! snapshot), incr files of RESP commands, and the manifest that lists them in order.
//!
//! What commands propagate ([`ferrokey_core::propagate`]) is appended to the newest incr file after
//! each batch of commands, before replies are written, with a `SELECT` when the database changes;
//! `appendfsync always` syncs there, `everysec` from the cron on a thread of its own.
//!
//! BGREWRITEAOF forks like BGSAVE: before the fork the parent opens a new incr file (and lists it
//! in the manifest), the child writes the new base from its copy of memory, and when it is done the
//! parent renames it into the folder, swaps the manifest (temp file + rename), and deletes the files
//! the new base replaced. `CONFIG SET appendonly yes` starts such a rewrite, with commands collected
//! meanwhile in `temp-<appendfilename>.incr`, which becomes the first incr file when it succeeds.

use super::aof_manifest::{manifest_name, temp_incr_name, temp_manifest_name, Manifest};
use super::{fork, rdb_file};
use crate::{notice, warning};
use ferrokey_core::commands::persistence::{AofRewriteStart, AofStatus};
use ferrokey_core::config::AppendFsync;
use ferrokey_core::propagate::Propagated;
use ferrokey_core::rdb::engine_write_options;
use ferrokey_core::Engine;
use nix::unistd::Pid;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Off,
    /// `appendonly` was turned on: a rewrite makes the base, commands wait in the temp incr file.
    WaitRewrite,
    On,
}

struct Rewrite {
    pid: Pid,
    start_ms: i64,
    /// Where the child writes the new base.
    temp: PathBuf,
}

/// The AOF's state in the server.
pub struct Aof {
    state: State,
    manifest: Manifest,
    /// The incr file commands go to (the temp incr file while waiting for the first rewrite).
    file: Option<File>,
    /// The database the last command written was in; `None` makes the next one write a SELECT.
    selected_db: Option<usize>,
    /// Bytes written to `file` that were not synced yet.
    unsynced: bool,
    last_fsync_ms: i64,
    fsync_running: Arc<AtomicBool>,
    fsync_failed: Arc<AtomicBool>,
    delayed_fsync: Arc<AtomicU64>,
    current_size: u64,
    base_size: u64,
    rewrite: Option<Rewrite>,
    rewrite_scheduled: bool,
    last_rewrite_time_s: i64,
    last_bgrewrite_ok: bool,
    rewrites: u64,
    consecutive_failures: u64,
    last_write_ok: bool,
}

impl Default for Aof {
    fn default() -> Self {
        Aof {
            state: State::Off,
            manifest: Manifest::default(),
            file: None,
            selected_db: None,
            unsynced: false,
            last_fsync_ms: 0,
            fsync_running: Arc::default(),
            fsync_failed: Arc::default(),
            delayed_fsync: Arc::default(),
            current_size: 0,
            base_size: 0,
            rewrite: None,
            rewrite_scheduled: false,
            last_rewrite_time_s: -1,
            last_bgrewrite_ok: true,
            rewrites: 0,
            consecutive_failures: 0,
            last_write_ok: true,
        }
    }
}

fn dir(eng: &Engine) -> PathBuf {
    PathBuf::from(&eng.config.appenddirname)
}

/// The manifest of the AOF folder, `Ok(None)` when there is none (no folder or no manifest).
pub fn read_manifest(eng: &Engine) -> Result<Option<Manifest>, String> {
    let path = dir(eng).join(manifest_name(&eng.config.appendfilename));
    match std::fs::read(&path) {
        Ok(text) => Manifest::parse(&text).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("Can't open the AOF manifest {}: {}", path.display(), rdb_file::strerror(&e))),
    }
}

/// Writes the manifest as `temp-<name>.manifest`, synced, renamed over the real one, folder synced.
fn persist_manifest(eng: &Engine, m: &Manifest) -> io::Result<()> {
    let dir = dir(eng);
    let tmp = dir.join(temp_manifest_name(&eng.config.appendfilename));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(m.render().as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(manifest_name(&eng.config.appendfilename)))?;
        File::open(&dir)?.sync_all()
    })();
    if let Err(e) = &result {
        warning!("Error trying to write the AOF manifest file: {}", rdb_file::strerror(e));
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().append(true).create(true).open(path)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// A command in RESP, as the AOF holds it.
fn encode(out: &mut Vec<u8>, argv: &[Vec<u8>]) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for a in argv {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

impl Aof {
    /// After loading at start-up with `appendonly yes` (Valkey's `aofOpenIfNeededOnServerStart`):
    /// makes the folder, writes a base file when there is no AOF yet, opens the newest incr file and
    /// writes the manifest. An error stops the server.
    pub fn open_at_startup(&mut self, eng: &mut Engine, loaded: Option<Manifest>) -> Result<(), String> {
        let dir = dir(eng);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            let why = rdb_file::strerror(&e);
            warning!("Can't open or create append-only dir {}: {why}", dir.display());
            return Err(why);
        }
        let name = eng.config.appendfilename.clone();
        let mut m = loaded.unwrap_or_default();
        if m.base.is_none() && m.incrs.is_empty() {
            let base = m.new_base(&name, true);
            let now_ms = eng.clock.now_ms();
            let opts = engine_write_options(eng, now_ms, true);
            rdb_file::write(eng, &opts, &dir.join(&base), std::process::id(), 0).map_err(|e| {
                let why = rdb_file::strerror(&e);
                warning!("Can't write the AOF base file {base}: {why}");
                why
            })?;
            notice!("Creating AOF base file {base} on server start");
            self.base_size = file_size(&dir.join(&base));
            self.current_size = self.base_size;
        }
        let opened_existing = !m.incrs.is_empty();
        let incr = m.last_incr(&name);
        let file = open_append(&dir.join(&incr)).map_err(|e| {
            let why = rdb_file::strerror(&e);
            warning!("Can't open the append-only file {incr}: {why}");
            why
        })?;
        persist_manifest(eng, &m).map_err(|e| rdb_file::strerror(&e))?;
        if opened_existing {
            notice!("Opening AOF incr file {incr} on server start");
        } else {
            notice!("Creating AOF incr file {incr} on server start");
        }
        self.manifest = m;
        self.file = Some(file);
        self.state = State::On;
        self.selected_db = None;
        eng.propagate.enabled = true;
        Ok(())
    }

    /// The sizes the loaded files had (INFO and the auto-rewrite threshold start from them).
    pub fn set_loaded_sizes(&mut self, total: u64, base: u64) {
        self.current_size = total;
        self.base_size = base;
    }

    /// Appends what the engine propagated since the last call; syncs with `appendfsync always`.
    pub fn before_sleep(&mut self, eng: &mut Engine) {
        let ops = eng.propagate.take_ready();
        if self.state == State::Off || ops.is_empty() {
            return;
        }
        let mut buf = Vec::new();
        for Propagated { db, argv } in &ops {
            if let Some(db) = *db {
                if self.selected_db != Some(db) {
                    encode(&mut buf, &[b"SELECT".to_vec(), db.to_string().into_bytes()]);
                    self.selected_db = Some(db);
                }
            }
            encode(&mut buf, argv);
        }
        self.write(eng, &buf);
    }

    fn write(&mut self, eng: &Engine, buf: &[u8]) {
        let Some(file) = self.file.as_mut() else { return };
        match file.write_all(buf) {
            Ok(()) => {
                if !self.last_write_ok {
                    warning!("AOF write error looks solved. The server can write again.");
                }
                self.last_write_ok = true;
                self.current_size += buf.len() as u64;
                self.unsynced = true;
            }
            Err(e) => {
                warning!("Error writing to the AOF file: {}", rdb_file::strerror(&e));
                self.last_write_ok = false;
            }
        }
        if eng.config.appendfsync == AppendFsync::Always {
            self.fsync_now();
        }
    }

    fn fsync_now(&mut self) {
        if let Some(f) = &self.file {
            if let Err(e) = f.sync_data() {
                warning!("Can't persist the AOF file: {}", rdb_file::strerror(&e));
                self.last_write_ok = false;
            }
        }
        self.unsynced = false;
    }

    /// `everysec`: syncs on a thread of its own so a slow disk does not stop the server.
    fn fsync_in_background(&mut self, now_ms: i64) {
        if self.fsync_running.load(Ordering::Acquire) {
            self.delayed_fsync.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let Some(file) = self.file.as_ref().and_then(|f| f.try_clone().ok()) else { return };
        self.fsync_running.store(true, Ordering::Release);
        let (running, failed) = (self.fsync_running.clone(), self.fsync_failed.clone());
        std::thread::spawn(move || {
            failed.store(file.sync_data().is_err(), Ordering::Relaxed);
            running.store(false, Ordering::Release);
        });
        self.unsynced = false;
        self.last_fsync_ms = now_ms;
    }

    /// The AOF part of the cron.
    pub fn cron(&mut self, eng: &mut Engine) {
        let now_ms = eng.clock.now_ms();
        match (eng.config.appendonly, self.state) {
            (true, State::Off) => self.start(eng),
            (false, State::On | State::WaitRewrite) => self.stop(eng),
            _ => {}
        }
        if let Some(rw) = &self.rewrite {
            if let Some(result) = fork::poll(rw.pid) {
                self.rewrite_done(eng, result, now_ms);
            }
        }
        if self.state != State::Off
            && self.unsynced
            && eng.config.appendfsync == AppendFsync::Everysec
            && now_ms - self.last_fsync_ms >= 1000
        {
            self.fsync_in_background(now_ms);
        }
        let busy = self.rewrite.is_some() || eng.server.persistence.child.is_some();
        if busy || self.state == State::Off {
            return;
        }
        if self.rewrite_scheduled {
            let _ = self.start_rewrite(eng);
            return;
        }
        let (percent, min_size) = (eng.config.auto_aof_rewrite_percentage, eng.config.auto_aof_rewrite_min_size);
        if self.state == State::On && percent > 0 && self.current_size > min_size.max(0) as u64 {
            let base = self.base_size.max(1);
            let growth = (self.current_size * 100 / base) as i64 - 100;
            if growth >= percent {
                notice!("Starting automatic rewriting of AOF on {growth}% growth");
                let _ = self.start_rewrite(eng);
            }
        }
    }

    /// `appendonly` turned on at runtime (Valkey's `startAppendOnly`): a rewrite writes the base.
    fn start(&mut self, eng: &mut Engine) {
        self.state = State::WaitRewrite;
        match read_manifest(eng) {
            Ok(m) => self.manifest = m.unwrap_or_default(),
            Err(e) => warning!("{e}"),
        }
        if self.rewrite.is_some() || eng.server.persistence.child.is_some() {
            self.rewrite_scheduled = true;
            notice!(
                "AOF was enabled but there is already another background operation. An AOF background was \
                 scheduled to start when possible."
            );
        } else if self.start_rewrite(eng).is_err() {
            warning!(
                "The server needs to enable the AOF but can't trigger a background AOF rewrite operation. Check \
                 the above logs for more info about the error."
            );
            self.rewrite_scheduled = true;
        }
    }

    /// `appendonly` turned off (Valkey's `stopAppendOnly`).
    fn stop(&mut self, eng: &mut Engine) {
        self.flush_and_sync(eng);
        self.kill_rewrite(eng);
        self.file = None;
        self.state = State::Off;
        self.rewrite_scheduled = false;
        eng.propagate.enabled = false;
        eng.propagate.clear();
    }

    /// Writes and syncs what is buffered when the AOF is on (before DEBUG LOADAOF reads it back).
    pub fn flush_and_sync(&mut self, eng: &mut Engine) {
        self.before_sleep(eng);
        if self.file.is_some() {
            self.fsync_now();
        }
    }

    fn kill_rewrite(&mut self, eng: &Engine) {
        if let Some(rw) = self.rewrite.take() {
            notice!("Killing running AOF rewrite child: {}", rw.pid);
            fork::kill(rw.pid);
            let _ = std::fs::remove_file(&rw.temp);
            let _ = std::fs::remove_file(dir(eng).join(temp_incr_name(&eng.config.appendfilename)));
        }
    }

    /// Shutting down: the rewrite is abandoned, everything buffered is written and synced.
    pub fn shutdown(&mut self, eng: &mut Engine) {
        if self.rewrite.is_some() {
            warning!("There is a child rewriting the AOF. Killing it!");
        }
        if self.state == State::WaitRewrite {
            self.kill_rewrite(eng);
        } else if let Some(rw) = self.rewrite.take() {
            fork::kill(rw.pid);
            let _ = std::fs::remove_file(&rw.temp);
        }
        if self.state != State::Off {
            notice!("Calling fsync() on the AOF file.");
            self.flush_and_sync(eng);
        }
    }

    /// BGREWRITEAOF.
    pub fn bgrewriteaof(&mut self, eng: &mut Engine) -> Result<AofRewriteStart, String> {
        if self.rewrite.is_some() {
            return Ok(AofRewriteStart::AlreadyRunning);
        }
        if eng.server.persistence.child.is_some() {
            self.rewrite_scheduled = true;
            self.consecutive_failures = 0;
            notice!("Background append only file rewriting scheduled.");
            return Ok(AofRewriteStart::Scheduled);
        }
        self.start_rewrite(eng).map(|()| AofRewriteStart::Started)
    }

    /// Valkey's `rewriteAppendOnlyFileBackground`: a new incr file for what comes next, then the fork.
    fn start_rewrite(&mut self, eng: &mut Engine) -> Result<(), String> {
        self.rewrite_scheduled = false;
        let dir = dir(eng);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            let why = rdb_file::strerror(&e);
            warning!("Can't open or create append-only dir {}: {why}", dir.display());
            return Err(why);
        }
        self.flush_and_sync(eng);
        let name = eng.config.appendfilename.clone();
        let incr_file = match self.state {
            State::WaitRewrite => {
                let path = dir.join(temp_incr_name(&name));
                File::create(&path).map(|f| (f, temp_incr_name(&name), None))
            }
            _ => {
                let mut m = self.manifest.clone();
                let incr = m.new_incr(&name);
                File::create(dir.join(&incr)).and_then(|f| persist_manifest(eng, &m).map(|()| (f, incr, Some(m))))
            }
        };
        let (file, incr, manifest) = incr_file.map_err(|e| {
            let why = rdb_file::strerror(&e);
            warning!("Can't open the append-only file: {why}");
            why
        })?;
        notice!("Creating AOF incr file {incr} on background rewrite");
        self.file = Some(file);
        if let Some(m) = manifest {
            self.manifest = m;
        }
        self.selected_db = None;
        self.unsynced = false;
        // From now on the engine's changes are the new incr file's: the child's copy has the rest.
        eng.propagate.enabled = true;
        let now_ms = eng.clock.now_ms();
        let opts = engine_write_options(eng, now_ms, true);
        if !eng.config.aof_use_rdb_preamble {
            warning!("aof-use-rdb-preamble no is not supported yet: the AOF base is written as an RDB file");
        }
        let temp = PathBuf::from(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
        let delay = u64::try_from(eng.config.rdb_key_save_delay).unwrap_or(0);
        match fork::spawn_save(eng, &opts, &temp, delay) {
            Ok(pid) => {
                notice!("Background append only file rewriting started by pid {pid}");
                self.rewrites += 1;
                self.rewrite = Some(Rewrite { pid, start_ms: now_ms, temp });
                Ok(())
            }
            Err(e) => {
                warning!("Can't rewrite append only file in background: {e}");
                self.last_bgrewrite_ok = false;
                self.consecutive_failures += 1;
                Err(e)
            }
        }
    }

    /// Valkey's `backgroundRewriteDoneHandler`.
    fn rewrite_done(&mut self, eng: &mut Engine, result: Result<(), String>, now_ms: i64) {
        let Some(rw) = self.rewrite.take() else { return };
        self.last_rewrite_time_s = (now_ms - rw.start_ms) / 1000;
        if let Err(why) = result {
            warning!("Background AOF rewrite failed: {why}");
            let _ = std::fs::remove_file(&rw.temp);
            self.last_bgrewrite_ok = false;
            self.consecutive_failures += 1;
            if self.state == State::WaitRewrite {
                self.rewrite_scheduled = true;
            }
            return;
        }
        notice!("Background AOF rewrite terminated with success");
        match self.install_rewrite(eng, &rw.temp) {
            Ok(()) => {
                self.last_bgrewrite_ok = true;
                self.consecutive_failures = 0;
                notice!("Background AOF rewrite finished successfully");
            }
            Err(e) => {
                warning!("Background AOF rewrite could not be installed: {}", rdb_file::strerror(&e));
                let _ = std::fs::remove_file(&rw.temp);
                self.last_bgrewrite_ok = false;
                self.consecutive_failures += 1;
            }
        }
    }

    /// The new base goes into the folder, the manifest is swapped, the replaced files deleted.
    fn install_rewrite(&mut self, eng: &mut Engine, temp: &Path) -> io::Result<()> {
        let dir = dir(eng);
        let name = eng.config.appendfilename.clone();
        let mut m = self.manifest.clone();
        let base = m.new_base(&name, true);
        std::fs::rename(temp, dir.join(&base))?;
        notice!("Successfully renamed the temporary AOF base file {} into {base}", temp.display());
        if self.state == State::WaitRewrite {
            let incr = m.new_incr(&name);
            std::fs::rename(dir.join(temp_incr_name(&name)), dir.join(&incr))?;
            notice!("Successfully renamed the temporary AOF incr file {} into {incr}", temp_incr_name(&name));
        }
        m.mark_rewritten_incrs_as_history();
        persist_manifest(eng, &m)?;
        // The manifest no longer needs the history files: delete them, then say so in the manifest.
        for old in m.history.drain(..) {
            notice!("Removing the history file {} in the background", old.name);
            let _ = std::fs::remove_file(dir.join(&old.name));
        }
        persist_manifest(eng, &m)?;
        let incr_size = m.incrs.last().map_or(0, |f| file_size(&dir.join(&f.name)));
        self.manifest = m;
        self.base_size = file_size(&dir.join(&base)) + incr_size;
        self.current_size = self.base_size;
        self.state = State::On;
        Ok(())
    }

    pub fn status(&self, eng: &Engine) -> AofStatus {
        let now_ms = eng.clock.now_ms();
        AofStatus {
            enabled: self.state != State::Off || eng.config.appendonly,
            rewrite_in_progress: self.rewrite.is_some(),
            rewrite_scheduled: self.rewrite_scheduled || (eng.config.appendonly && self.state == State::Off),
            last_rewrite_time_s: self.last_rewrite_time_s,
            current_rewrite_time_s: self.rewrite.as_ref().map_or(-1, |rw| (now_ms - rw.start_ms) / 1000),
            last_bgrewrite_ok: self.last_bgrewrite_ok,
            rewrites: self.rewrites,
            rewrites_consecutive_failures: self.consecutive_failures,
            last_write_ok: self.last_write_ok && !self.fsync_failed.load(Ordering::Relaxed),
            current_size: self.current_size,
            base_size: self.base_size,
            buffer_length: 0,
            pending_bio_fsync: u64::from(self.fsync_running.load(Ordering::Relaxed)),
            delayed_fsync: self.delayed_fsync.load(Ordering::Relaxed),
        }
    }
}
