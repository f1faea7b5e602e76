//! Writing the RDB file the way Valkey's `rdbSave` does: into `temp-<pid>.rdb` beside it, flushed and
//! fsynced, renamed over the old file, then the directory fsynced so the rename survives a crash.
//! A reader never sees a half-written `dump.rdb`.

use ferrokey_core::rdb::{write_engine_with, WriteOptions};
use ferrokey_core::Engine;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The temporary file a save by process `pid` writes (Valkey's name, so its tools recognise it).
pub fn temp_path(dir: &Path, pid: u32) -> PathBuf {
    dir.join(format!("temp-{pid}.rdb"))
}

/// The folder `path` is in (`.` for a bare file name).
pub fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes the snapshot of `eng` to `path` atomically. `pid` names the temporary file; `key_delay_us`
/// (`rdb-key-save-delay`, a test hook) sleeps after each key. On error the temporary file is removed.
pub fn write(eng: &Engine, opts: &WriteOptions, path: &Path, pid: u32, key_delay_us: u64) -> io::Result<()> {
    let dir = dir_of(path);
    let tmp = temp_path(dir, pid);
    let result = write_synced(eng, opts, &tmp, key_delay_us).and_then(|()| {
        std::fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_synced(eng: &Engine, opts: &WriteOptions, tmp: &Path, key_delay_us: u64) -> io::Result<()> {
    let file = File::create(tmp)?;
    let mut delay = || {
        if key_delay_us > 0 {
            std::thread::sleep(Duration::from_micros(key_delay_us));
        }
    };
    let out = write_engine_with(eng, BufWriter::with_capacity(64 * 1024, file), opts, &mut delay)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// An OS error as Valkey prints `strerror`: "Permission denied", without Rust's "(os error 13)".
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}
