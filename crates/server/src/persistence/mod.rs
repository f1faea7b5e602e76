//! The server's disk: RDB snapshots written and read for the engine's persistence commands.
//!
//! # Layout
//! - this file: [`DiskHost`] (the engine's [`PersistenceHost`]) and [`load_at_startup`];
//! - [`rdb_file`]: the atomic write (temp file, fsync, rename, fsync of the folder);
//! - [`fork`]: BGSAVE in a forked child, reaped from the cron.
//! - [`aof`]: the append-only file (writing, fsync, BGREWRITEAOF), [`aof_manifest`] its manifest,
//!   [`aof_load`] loading it at start-up.
//!
//! Paths are relative to the working directory, which is `dir` (the server changes into it at
//! start-up and on CONFIG SET dir), as in Valkey.

pub mod aof;
pub mod aof_load;
pub mod aof_manifest;
pub mod fork;
pub mod rdb_file;

use crate::{notice, warning};
use ferrokey_core::commands::persistence::{self, AofRewriteStart, AofStatus, PersistenceHost};
use ferrokey_core::rdb::{engine_write_options, load_engine_snapshot};
use ferrokey_core::Engine;
use nix::unistd::Pid;
use std::path::PathBuf;
use std::time::Instant;

/// RDB files in the working directory, BGSAVE by fork.
#[derive(Default)]
pub struct DiskHost {
    child: Option<Pid>,
    aof: aof::Aof,
}

impl DiskHost {
    pub fn new() -> DiskHost {
        DiskHost::default()
    }

    /// Loads the data at start-up (Valkey's `loadDataFromDisk`): the AOF when `appendonly` is yes
    /// (then opens it for appending), else the RDB file. An error (logged) means the server must exit.
    pub fn load_at_startup(&mut self, eng: &mut Engine) -> Result<(), String> {
        if !eng.config.appendonly {
            return load_at_startup(eng);
        }
        let manifest = match aof::read_manifest(eng) {
            Ok(m) => m,
            Err(why) => {
                warning!("*** FATAL AOF MANIFEST FILE ERROR ***");
                warning!("{why}");
                return Err(why);
            }
        };
        let start = Instant::now();
        if let Some(m) = &manifest {
            let dir = PathBuf::from(&eng.config.appenddirname);
            match aof_load::load_files(eng, &dir, m) {
                Ok(Some(sizes)) => {
                    notice!("DB loaded from append only file: {:.3} seconds", start.elapsed().as_secs_f64());
                    self.aof.set_loaded_sizes(sizes.total, sizes.base);
                    // What was just read is on disk already.
                    eng.dirty = 0;
                }
                Ok(None) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        self.aof.open_at_startup(eng, manifest)
    }
}

fn rdb_path(eng: &Engine) -> PathBuf {
    PathBuf::from(&eng.config.dbfilename)
}

fn key_delay_us(eng: &Engine) -> u64 {
    u64::try_from(eng.config.rdb_key_save_delay).unwrap_or(0)
}

impl PersistenceHost for DiskHost {
    fn save(&mut self, eng: &mut Engine) -> Result<(), String> {
        let now_ms = eng.clock.now_ms();
        let opts = engine_write_options(eng, now_ms, false);
        let path = rdb_path(eng);
        match rdb_file::write(eng, &opts, &path, std::process::id(), key_delay_us(eng)) {
            Ok(()) => {
                notice!("DB saved on disk");
                Ok(())
            }
            Err(e) => {
                let why = rdb_file::strerror(&e);
                let dir = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
                warning!("Failed saving the DB to {} (in server root dir {dir}): {why}", path.display());
                Err(why)
            }
        }
    }

    fn start_background_save(&mut self, eng: &mut Engine) -> Result<u32, String> {
        let now_ms = eng.clock.now_ms();
        let opts = engine_write_options(eng, now_ms, false);
        match fork::spawn_save(eng, &opts, &rdb_path(eng), key_delay_us(eng)) {
            Ok(pid) => {
                notice!("Background saving started by pid {pid}");
                self.child = Some(pid);
                Ok(pid.as_raw() as u32)
            }
            Err(e) => {
                warning!("Can't save in background: {e}");
                Err(e)
            }
        }
    }

    fn poll_background_save(&mut self) -> Option<Result<(), String>> {
        let result = fork::poll(self.child?)?;
        self.child = None;
        match &result {
            Ok(()) => notice!("Background saving terminated with success"),
            Err(why) if why.starts_with("terminated by signal") => warning!("Background saving {why}"),
            Err(_) => warning!("Background saving error"),
        }
        Some(result)
    }

    fn kill_background_save(&mut self) {
        if let Some(pid) = self.child.take() {
            fork::kill(pid);
            let _ = std::fs::remove_file(rdb_file::temp_path(std::path::Path::new("."), pid.as_raw() as u32));
        }
    }

    fn read_snapshot(&mut self, eng: &Engine) -> Result<Option<Vec<u8>>, String> {
        match std::fs::read(rdb_path(eng)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(rdb_file::strerror(&e)),
        }
    }

    fn notice(&mut self, line: &str) {
        notice!("{line}");
    }

    fn aof_status(&self, eng: &Engine) -> AofStatus {
        self.aof.status(eng)
    }

    fn aof_rewrite(&mut self, eng: &mut Engine) -> Result<AofRewriteStart, String> {
        self.aof.bgrewriteaof(eng)
    }

    fn aof_before_sleep(&mut self, eng: &mut Engine) {
        self.aof.before_sleep(eng);
    }

    fn aof_cron(&mut self, eng: &mut Engine) {
        self.aof.cron(eng);
    }

    fn aof_shutdown(&mut self, eng: &mut Engine) {
        self.aof.shutdown(eng);
    }

    fn aof_reload(&mut self, eng: &mut Engine) -> Result<(), String> {
        self.aof.flush_and_sync(eng);
        persistence::empty_data(eng);
        let Some(manifest) = aof::read_manifest(eng)? else {
            return Err("The AOF directory has no manifest: there is no append only file to load".into());
        };
        let dir = PathBuf::from(&eng.config.appenddirname);
        match aof_load::load_files(eng, &dir, &manifest) {
            Ok(Some(sizes)) => {
                self.aof.set_loaded_sizes(sizes.total, sizes.base);
                Ok(())
            }
            Ok(None) => Err("The AOF manifest lists no files".into()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Loads `dbfilename` if it exists (Valkey's `loadDataFromDisk`). A file that cannot be read or is
/// corrupt or truncated is an error: the caller must exit rather than start empty and later
/// overwrite the user's data. The error (already logged) is the reason.
pub fn load_at_startup(eng: &mut Engine) -> Result<(), String> {
    let path = rdb_path(eng);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            let why = rdb_file::strerror(&e);
            warning!("Fatal error loading the DB ({}): {why}. Exiting.", path.display());
            return Err(why);
        }
    };
    let start = Instant::now();
    match load_engine_snapshot(eng, &bytes) {
        Ok(stats) => {
            persistence::loaded(eng, stats.keys_loaded, stats.keys_expired);
            notice!("Done loading RDB, keys loaded: {}, keys expired: {}.", stats.keys_loaded, stats.keys_expired);
            notice!("DB loaded from disk: {:.3} seconds", start.elapsed().as_secs_f64());
            Ok(())
        }
        Err(e) => {
            warning!("Error loading the RDB file {}: {e}", path.display());
            warning!("Terminating server after rdb file reading failure.");
            Err(e.to_string())
        }
    }
}
