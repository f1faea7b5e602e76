//! Ctrl-C in an interactive session. valkey-cli ends MONITOR and subscribed mode on Ctrl-C and goes back
//! to the prompt, but exits (status 1) when Ctrl-C comes while it waits for an ordinary reply. Here the
//! signal only raises a flag; the waits in [`super::conn`] notice it and the session decides.
//!
//! One-shot commands do not install this: there Ctrl-C kills the process, as with valkey-cli.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Routes SIGINT to the flag from now on.
pub fn install() {
    // Failing to install leaves the default (Ctrl-C ends the process), which is still usable.
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, &INTERRUPTED);
}

/// True once per Ctrl-C since the last call.
pub fn take() -> bool {
    INTERRUPTED.swap(false, Ordering::SeqCst)
}
