//! `client-output-buffer-limit`: a client whose unsent output grows past its class's hard limit, or stays
//! past the soft limit for longer than the soft seconds, is closed (Valkey's
//! checkClientOutputBufferLimits), so a subscriber that cannot keep up does not grow memory without
//! bound. The server checks a client whenever output was queued for it.

use crate::warning;
use ferrokey_core::client::ClientId;
use ferrokey_core::command::CommandTable;
use ferrokey_core::config::{CLIENT_CLASS_NORMAL, CLIENT_CLASS_PUBSUB};
use ferrokey_core::ctx::Ctx;
use ferrokey_core::Engine;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Output up to this size sits in Valkey's static reply buffer and does not count (`obl`); what is
/// past it does (`omem`, `reply_bytes`).
const REPLY_BUF_BYTES: usize = 16 * 1024;

/// INFO stats `client_output_buffer_limit_disconnections` (this process, reset by CONFIG RESETSTAT).
pub static DISCONNECTIONS: AtomicU64 = AtomicU64::new(0);

/// Per connection: what the socket has not taken yet, and since when the soft limit has been passed.
#[derive(Debug, Default)]
pub struct OutputState {
    /// Bytes taken from the engine that the socket has not accepted yet.
    pub unsent: Cell<usize>,
    /// Unix seconds when the soft limit was first seen passed (0: not passed).
    soft_since_s: Cell<i64>,
}

/// True when client `id` must be closed for its output: its unsent bytes (the engine's queue plus
/// `state.unsent`) past the hard limit, or past the soft limit for more than the soft seconds.
pub fn over_limit(eng: &Engine, id: ClientId, state: &OutputState) -> bool {
    let Some(c) = eng.client(id) else { return false };
    if c.close_after_reply {
        // Already on its way out (and its output dropped).
        return false;
    }
    let class = if c.subscription_count() > 0 { CLIENT_CLASS_PUBSUB } else { CLIENT_CLASS_NORMAL };
    let limit = eng.config.client_output_buffer_limits[class];
    if limit.hard_limit_bytes == 0 && limit.soft_limit_bytes == 0 {
        return false;
    }
    let used = (c.output_len() + state.unsent.get()).saturating_sub(REPLY_BUF_BYTES) as u64;
    if limit.hard_limit_bytes != 0 && used >= limit.hard_limit_bytes {
        return true;
    }
    if limit.soft_limit_bytes == 0 || used < limit.soft_limit_bytes {
        state.soft_since_s.set(0);
        return false;
    }
    let now_s = eng.cmd_time_ms / 1000;
    match state.soft_since_s.get() {
        0 => {
            state.soft_since_s.set(now_s);
            false
        }
        since => now_s - since > limit.soft_limit_seconds,
    }
}

/// Logs and counts the close as Valkey does, and drops the output that will never be sent. The caller
/// closes the socket.
pub fn schedule_close(eng: &mut Engine, id: ClientId) {
    let info = client_info(eng, id);
    warning!("Client {info} scheduled to be closed ASAP for overcoming of output buffer limits.");
    DISCONNECTIONS.fetch_add(1, Ordering::Relaxed);
    eng.take_output(id);
    if let Some(c) = eng.client_mut(id) {
        c.close_after_reply = true;
    }
}

/// The client's CLIENT LIST line, as Valkey's log shows it.
fn client_info(eng: &mut Engine, id: ClientId) -> String {
    let Some(spec) = CommandTable::get().lookup(b"client").and_then(|c| c.subcommand(b"list")) else {
        return format!("id={id}");
    };
    // Described from outside any command: no client is "the caller" (id 0 is never given out).
    let ctx = Ctx::new(eng, 0, spec);
    ferrokey_core::commands::connection::client_info_string(&ctx, id, &[])
}
