//! The terminal while subscribed: a key press must wake the CLI without Enter and without echo, but
//! stay unread so the line editor receives it as the first character of the next command.

use std::io::{self, IsTerminal};

use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg, Termios};

/// Canonical mode and echo off for as long as this lives (nothing when stdin is not a terminal).
pub struct AnyKeyMode {
    saved: Option<Termios>,
}

impl AnyKeyMode {
    pub fn enter() -> AnyKeyMode {
        let stdin = io::stdin();
        if !stdin.is_terminal() {
            return AnyKeyMode { saved: None };
        }
        let Ok(saved) = tcgetattr(&stdin) else {
            return AnyKeyMode { saved: None };
        };
        let mut mode = saved.clone();
        // ISIG stays on: Ctrl-C must still raise SIGINT to leave subscribed mode.
        mode.local_flags.remove(LocalFlags::ECHO | LocalFlags::ICANON);
        if tcsetattr(&stdin, SetArg::TCSANOW, &mode).is_err() {
            return AnyKeyMode { saved: None };
        }
        AnyKeyMode { saved: Some(saved) }
    }
}

impl Drop for AnyKeyMode {
    fn drop(&mut self) {
        if let Some(saved) = &self.saved {
            let _ = tcsetattr(io::stdin(), SetArg::TCSANOW, saved);
        }
    }
}
