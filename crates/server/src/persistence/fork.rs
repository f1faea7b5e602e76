//! BGSAVE as Valkey does it: fork, and let the child write the snapshot from its copy-on-write view
//! of memory while the parent keeps serving. Writes after the fork change only the parent's pages, so
//! the file is exactly the dataset at the moment of the fork, and nothing is copied up front.
//!
//! The server is single-threaded (a tokio current-thread runtime), so the child starts with the only
//! thread that touches the engine. The child writes the file, then leaves with `_exit` (no
//! destructors, no tokio, no flushing of the parent's buffers). The parent reaps it from the cron with
//! a non-blocking `waitpid`.
#![allow(unsafe_code)] // fork(2) and resetting signal dispositions in the child are unsafe calls.

use super::rdb_file;
use crate::{notice, warning};
use ferrokey_core::rdb::WriteOptions;
use ferrokey_core::Engine;
use nix::sys::signal::{self, SigHandler, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use std::path::Path;

/// Forks a child that writes the snapshot of `eng` to `path` and exits 0 on success, 1 on failure.
/// Returns the child's pid.
pub fn spawn_save(eng: &Engine, opts: &WriteOptions, path: &Path, key_delay_us: u64) -> Result<Pid, String> {
    // SAFETY: the process runs one thread that uses the engine; the child only writes a file from its
    // own copy of memory and ends with _exit, never returning into the runtime.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            // SIGTERM/SIGINT belong to the parent: the child must not run the parent's handlers (they
            // write to a pipe the parent reads). SIGUSR1 (kill_save) keeps its default: terminate.
            for sig in [Signal::SIGTERM, Signal::SIGINT] {
                // SAFETY: setting the default disposition installs no handler code.
                let _ = unsafe { signal::signal(sig, SigHandler::SigDfl) };
            }
            let pid = std::process::id();
            let code = match rdb_file::write(eng, opts, path, pid, key_delay_us) {
                Ok(()) => {
                    notice!("DB saved on disk");
                    0
                }
                Err(e) => {
                    warning!("Write error saving DB on disk: {}", rdb_file::strerror(&e));
                    1
                }
            };
            // SAFETY: _exit ends the process at once; nothing of the parent's state runs after it.
            unsafe { nix::libc::_exit(code) }
        }
        Ok(ForkResult::Parent { child }) => Ok(child),
        Err(e) => Err(format!("fork: {}", e.desc())),
    }
}

/// `Some` once the child ended: `Ok` when it exited 0. Never blocks.
pub fn poll(child: Pid) -> Option<Result<(), String>> {
    match waitpid(child, Some(WaitPidFlag::WNOHANG)) {
        Ok(WaitStatus::StillAlive) => None,
        Ok(WaitStatus::Exited(_, 0)) => Some(Ok(())),
        Ok(WaitStatus::Exited(_, code)) => Some(Err(format!("exit code {code}"))),
        Ok(WaitStatus::Signaled(_, sig, _)) => Some(Err(format!("terminated by signal {}", sig as i32))),
        Ok(_) => None,
        Err(e) => Some(Err(format!("waitpid: {}", e.desc()))),
    }
}

/// Stops the child (SIGUSR1, as Valkey's `killRDBChild`) and reaps it.
pub fn kill(child: Pid) {
    let _ = signal::kill(child, Signal::SIGUSR1);
    let _ = waitpid(child, None);
}
