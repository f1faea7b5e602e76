//! The ACL log (`ACL LOG`): recent denials, similar ones folded into one entry with a count, newest first.

use std::collections::VecDeque;

/// Why an entry was logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Command,
    Key,
    Channel,
    Auth,
}

impl Reason {
    pub fn name(self) -> &'static str {
        match self {
            Reason::Command => "command",
            Reason::Key => "key",
            Reason::Channel => "channel",
            Reason::Auth => "auth",
        }
    }
}

/// Where the denied command ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    TopLevel,
    Multi,
    Lua,
}

impl Context {
    pub fn name(self) -> &'static str {
        match self {
            Context::TopLevel => "toplevel",
            Context::Multi => "multi",
            Context::Lua => "lua",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub count: u64,
    pub reason: Reason,
    pub context: Context,
    /// The command, key, channel or (for auth) the command name typed.
    pub object: Vec<u8>,
    pub username: Vec<u8>,
    /// Last update (unix ms).
    pub updated_ms: i64,
    /// CLIENT INFO of the last client that caused it.
    pub client_info: String,
    pub entry_id: u64,
    pub created_ms: i64,
}

/// Entries this close in time (and otherwise equal) are one entry with a count.
const GROUPING_MAX_DELTA_MS: i64 = 60_000;
/// How many recent entries are compared with a new one.
const GROUPING_SCAN: usize = 10;

#[derive(Debug, Default)]
pub struct AclLog {
    pub entries: VecDeque<Entry>,
    next_entry_id: u64,
}

impl AclLog {
    /// Adds an entry (or bumps a similar recent one), keeping at most `max_len`.
    pub fn add(&mut self, mut entry: Entry, max_len: usize) {
        if max_len == 0 {
            self.entries.clear();
            return;
        }
        let similar = self.entries.iter().take(GROUPING_SCAN).position(|e| {
            e.reason == entry.reason
                && e.context == entry.context
                && (e.updated_ms - entry.updated_ms).abs() <= GROUPING_MAX_DELTA_MS
                && e.object == entry.object
                && e.username == entry.username
        });
        if let Some(at) = similar {
            let mut e = self.entries.remove(at).expect("found");
            e.client_info = entry.client_info;
            e.updated_ms = entry.updated_ms;
            e.count += 1;
            self.entries.push_front(e);
            return;
        }
        entry.entry_id = self.next_entry_id;
        self.next_entry_id += 1;
        self.entries.push_front(entry);
        self.entries.truncate(max_len);
    }

    pub fn reset(&mut self) {
        self.entries.clear();
    }
}
