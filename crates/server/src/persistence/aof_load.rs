//! Loading the AOF at start-up, as Valkey's `loadAppendOnlyFiles`: the base file (an RDB snapshot, or
//! commands), then every incr file in the manifest's order, each command replayed by a client of
//! its own. A last file cut in the middle of a command loads up to the last whole command when
//! `aof-load-truncated` is yes (the file is truncated there); otherwise, and for any other damage,
//! loading fails and the server must exit with the file untouched.

use super::aof_manifest::Manifest;
use crate::{notice, warning};
use ferrokey_core::client::{ConnInfo, OutputMode};
use ferrokey_core::command::CommandTable;
use ferrokey_core::Engine;
use std::path::Path;
use std::time::Instant;

/// Loading failed; the reason is in the log, and the server must exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("AOF loading failed")]
pub struct LoadFailed;

/// How loading one file ended (Valkey's AOF_OK, AOF_TRUNCATED, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    Ok,
    Empty,
    Truncated,
}

/// The sizes the AOF's INFO fields and auto-rewrite start from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadedSizes {
    pub total: u64,
    pub base: u64,
}

/// Loads every file `manifest` lists from `dir`. `Ok(None)`: the manifest lists nothing (no AOF yet).
/// The error was logged already.
pub fn load_files(eng: &mut Engine, dir: &Path, manifest: &Manifest) -> Result<Option<LoadedSizes>, LoadFailed> {
    let files: Vec<_> = manifest.base.iter().chain(&manifest.incrs).collect();
    if files.is_empty() {
        return Ok(None);
    }
    let mut sizes = LoadedSizes::default();
    for f in &files {
        match std::fs::metadata(dir.join(&f.name)) {
            Ok(m) => sizes.total += m.len(),
            Err(e) => {
                warning!("The append log file {} doesn't exist: {}", f.name, super::rdb_file::strerror(&e));
                return Err(LoadFailed);
            }
        }
    }
    if sizes.total == 0 {
        return Ok(Some(sizes));
    }
    // What the files replay is in the files already: nothing of it goes back to the AOF (DEBUG LOADAOF
    // loads with the AOF open).
    let propagating = std::mem::replace(&mut eng.propagate.enabled, false);
    eng.propagate.loading = true;
    let result = load_in_order(eng, dir, manifest, &mut sizes);
    eng.propagate.loading = false;
    eng.propagate.enabled = propagating;
    result.map(|()| Some(sizes))
}

fn load_in_order(eng: &mut Engine, dir: &Path, manifest: &Manifest, sizes: &mut LoadedSizes) -> Result<(), LoadFailed> {
    let count = usize::from(manifest.base.is_some()) + manifest.incrs.len();
    let files = manifest.base.iter().map(|f| (f, "base")).chain(manifest.incrs.iter().map(|f| (f, "incr")));
    for (n, (f, kind)) in files.enumerate() {
        let last = n + 1 == count;
        let start = Instant::now();
        let path = dir.join(&f.name);
        if kind == "base" {
            sizes.base = std::fs::metadata(&path).map_or(0, |m| m.len());
        }
        let loaded = load_file(eng, &path, &f.name, last)?;
        if loaded == Loaded::Truncated && !last {
            warning!("Fatal error: the truncated file is not the last file");
            return Err(LoadFailed);
        }
        if loaded != Loaded::Empty {
            notice!("DB loaded from {kind} file {}: {:.3} seconds", f.name, start.elapsed().as_secs_f64());
        }
    }
    Ok(())
}

/// Replays one file. `truncate_ok`: this is the last file, so a cut tail may be truncated.
pub fn load_file(eng: &mut Engine, path: &Path, name: &str, truncate_ok: bool) -> Result<Loaded, LoadFailed> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let why = super::rdb_file::strerror(&e);
            warning!("Fatal error: can't open the append log file {name} for reading: {why}");
            return Err(LoadFailed);
        }
    };
    if bytes.is_empty() {
        return Ok(Loaded::Empty);
    }
    if bytes.starts_with(b"REDIS") {
        notice!("Reading RDB base file on AOF loading...");
        return match ferrokey_core::rdb::load_engine_snapshot(eng, &bytes) {
            Ok(stats) => {
                ferrokey_core::commands::persistence::loaded(eng, stats.keys_loaded, stats.keys_expired);
                Ok(Loaded::Ok)
            }
            Err(e) => {
                warning!("Error reading the RDB base file {name}, AOF loading aborted: {e}");
                Err(LoadFailed)
            }
        };
    }
    let id = eng.connect(ConnInfo { addr: String::new(), laddr: String::new(), fd: -1, output: OutputMode::Resp });
    if let Some(c) = eng.client_mut(id) {
        c.authenticated = true;
    }
    let outcome = replay(eng, id, &bytes, name);
    let in_multi = eng.client(id).is_some_and(|c| c.multi.is_some());
    eng.disconnect(id);
    let valid_up_to = match outcome {
        Replay::Done { valid_before_multi } if in_multi => {
            warning!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
            valid_before_multi
        }
        Replay::Done { .. } => return Ok(Loaded::Ok),
        Replay::Failed => return Err(LoadFailed),
        Replay::BadFormat => {
            warning!(
                "Bad file format reading the append only file {name}: make a backup of your AOF file, then use \
                 ./valkey-check-aof --fix <filename.manifest>"
            );
            return Err(LoadFailed);
        }
        Replay::Truncated { valid_up_to } => valid_up_to,
    };
    if eng.config.aof_load_truncated && truncate_ok {
        warning!("!!! Warning: short read while loading the AOF file {name}!!!");
        warning!("!!! Truncating the AOF {name} at offset {valid_up_to} !!!");
        let truncated = std::fs::OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(valid_up_to as u64));
        match truncated {
            Ok(()) => {
                warning!("AOF {name} loaded anyway because aof-load-truncated is enabled");
                return Ok(Loaded::Truncated);
            }
            Err(e) => warning!("Error truncating the AOF file {name}: {}", super::rdb_file::strerror(&e)),
        }
    }
    warning!(
        "Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, \
         then use ./valkey-check-aof --fix <filename.manifest>. 2) Alternatively you can set the \
         'aof-load-truncated' configuration option to yes and restart the server."
    );
    Err(LoadFailed)
}

enum Replay {
    /// The whole file ran; `valid_before_multi` is where an unfinished MULTI began.
    Done {
        valid_before_multi: usize,
    },
    /// The file ends inside a command; everything before `valid_up_to` ran.
    Truncated {
        valid_up_to: usize,
    },
    BadFormat,
    Failed,
}

/// Runs every command of a RESP file through the engine as client `id`.
fn replay(eng: &mut Engine, id: ferrokey_core::client::ClientId, bytes: &[u8], name: &str) -> Replay {
    let mut pos = 0;
    let mut valid_before_multi = 0;
    while pos < bytes.len() {
        let start = pos;
        let argv = match parse_command(bytes, &mut pos) {
            Parsed::Command(argv) => argv,
            Parsed::Annotation => continue,
            Parsed::Short => return Replay::Truncated { valid_up_to: start },
            Parsed::Bad => return Replay::BadFormat,
        };
        let Some(spec) = CommandTable::get().lookup(&argv[0]) else {
            warning!("Unknown command '{}' reading the append only file {name}", String::from_utf8_lossy(&argv[0]));
            return Replay::Failed;
        };
        if spec.name == "multi" {
            valid_before_multi = start;
        }
        eng.execute(id, argv);
        // The loading client's replies go nowhere.
        let _ = eng.take_output(id);
        let _ = eng.take_woken();
    }
    Replay::Done { valid_before_multi }
}

enum Parsed {
    Command(Vec<Vec<u8>>),
    Annotation,
    /// The file ends inside this command; `pos` is left at its start.
    Short,
    Bad,
}

/// Reads one `*<n>\r\n($<len>\r\n<bytes>\r\n)*n` command at `pos`, moving `pos` past it.
fn parse_command(bytes: &[u8], pos: &mut usize) -> Parsed {
    let start = *pos;
    let Some((line, after)) = read_line(bytes, start) else {
        return Parsed::Short;
    };
    if line.first() == Some(&b'#') {
        *pos = after;
        return Parsed::Annotation;
    }
    if line.first() != Some(&b'*') {
        return Parsed::Bad;
    }
    let Some(argc) = parse_len(&line[1..]).filter(|&n| n >= 1) else { return Parsed::Bad };
    let mut at = after;
    let mut argv = Vec::with_capacity(argc.min(1024));
    for _ in 0..argc {
        let Some((line, after)) = read_line(bytes, at) else { return Parsed::Short };
        if line.first() != Some(&b'$') {
            return Parsed::Bad;
        }
        let Some(len) = parse_len(&line[1..]) else { return Parsed::Bad };
        if after + len + 2 > bytes.len() {
            return Parsed::Short;
        }
        argv.push(bytes[after..after + len].to_vec());
        at = after + len + 2;
    }
    *pos = at;
    Parsed::Command(argv)
}

/// The line at `at` without its `\r\n`, and where the next one starts; `None` at the end of the file.
fn read_line(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let rest = bytes.get(at..)?;
    let nl = rest.iter().position(|&b| b == b'\n')?;
    let line = &rest[..nl];
    Some((line.strip_suffix(b"\r").unwrap_or(line), at + nl + 1))
}

fn parse_len(digits: &[u8]) -> Option<usize> {
    std::str::from_utf8(digits).ok()?.parse().ok()
}
