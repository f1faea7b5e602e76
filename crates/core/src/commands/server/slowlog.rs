//! The slow log: commands that ran at least `slowlog-log-slower-than` microseconds, newest first, at
//! most `slowlog-max-len` of them, and the SLOWLOG command that reads it.

use std::collections::VecDeque;

use crate::args::Args;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;

use super::state::with_state;

/// Commands longer than this keep their first 31 arguments and a "... (N more arguments)" marker.
const MAX_ARGC: usize = 32;
/// Arguments longer than this keep their first 128 bytes and a "... (N more bytes)" marker.
const MAX_ARG_BYTES: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub struct SlowLogEntry {
    pub id: u64,
    pub unix_s: i64,
    pub duration_us: u64,
    pub argv: Vec<Vec<u8>>,
    pub peer: String,
    pub client_name: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct SlowLog {
    /// Newest first.
    entries: VecDeque<SlowLogEntry>,
    next_id: u64,
}

impl SlowLog {
    /// Logs a command if it took at least `slower_than_us` (< 0 disables the log, as a max length of 0
    /// does) and drops the oldest entries past `max_len`, as every logged call does.
    pub fn push_if_slow(
        &mut self,
        slower_than_us: i64,
        max_len: i64,
        duration_us: u64,
        entry: impl FnOnce(u64) -> SlowLogEntry,
    ) {
        if slower_than_us < 0 || max_len <= 0 {
            return;
        }
        if duration_us >= slower_than_us as u64 {
            let id = self.next_id;
            self.next_id += 1;
            self.entries.push_front(entry(id));
        }
        self.entries.truncate(max_len as usize);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Newest first.
    pub fn entries(&self) -> impl Iterator<Item = &SlowLogEntry> {
        self.entries.iter()
    }

    /// SLOWLOG RESET: the ids keep counting.
    pub fn reset(&mut self) {
        self.entries.clear();
    }
}

/// The arguments as the slow log keeps them: at most 32, each at most 128 bytes.
pub fn trimmed_argv(argv: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let kept = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(kept);
    for (i, a) in argv.iter().take(kept).enumerate() {
        if kept != argv.len() && i == kept - 1 {
            out.push(format!("... ({} more arguments)", argv.len() - kept + 1).into_bytes());
        } else if a.len() > MAX_ARG_BYTES {
            let mut s = a[..MAX_ARG_BYTES].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_ARG_BYTES).as_bytes());
            out.push(s);
        } else {
            out.push(a.clone());
        }
    }
    out
}

// -- SLOWLOG ---------------------------------------------------------------------------------------

const G: Group = Group::Server;

pub const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "slowlog|get", -2, ADMIN | LOADING | STALE, Keys::None, slowlog_get)
        .since("2.2.12")
        .summary("Returns the slow log's entries.")
        .syntax("[count:integer]"),
    CommandSpec::new(G, "slowlog|help", 2, LOADING | STALE, Keys::None, slowlog_help)
        .since("6.2.0")
        .summary("Show helpful text about the different subcommands"),
    CommandSpec::new(G, "slowlog|len", 2, ADMIN | LOADING | STALE, Keys::None, slowlog_len)
        .since("2.2.12")
        .summary("Returns the number of entries in the slow log."),
    CommandSpec::new(G, "slowlog|reset", 2, ADMIN | LOADING | STALE, Keys::None, slowlog_reset)
        .since("2.2.12")
        .summary("Clears all entries from the slow log."),
];

/// SLOWLOG GET [count]
fn slowlog_get(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let count_err = || CommandError::err("count should be greater than or equal to -1");
    let count = match args.rest() {
        [] => Some(10),
        [n] => match crate::num::parse_i64(n) {
            Some(-1) => None,
            Some(n) if n >= 0 => Some(n as usize),
            _ => return Err(count_err()),
        },
        _ => return Err(super::subcommand_syntax(args)),
    };
    let entries = with_state(ctx.eng, |s| {
        let n = count.unwrap_or(usize::MAX);
        s.slowlog.entries().take(n).cloned().collect::<Vec<_>>()
    });
    Ok(Reply::Array(
        entries
            .into_iter()
            .map(|e| {
                Reply::Array(vec![
                    Reply::Int(e.id as i64),
                    Reply::Int(e.unix_s),
                    Reply::Int(e.duration_us as i64),
                    Reply::bulks(e.argv),
                    Reply::bulk(e.peer),
                    Reply::Bulk(e.client_name),
                ])
            })
            .collect(),
    ))
}

/// SLOWLOG LEN
fn slowlog_len(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Int(with_state(ctx.eng, |s| s.slowlog.len()) as i64))
}

/// SLOWLOG RESET
fn slowlog_reset(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    with_state(ctx.eng, |s| s.slowlog.reset());
    Ok(Reply::OK)
}

/// SLOWLOG HELP
fn slowlog_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(crate::commands::connection::help_reply(
        args.name(),
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowlog_trims_long_commands_and_arguments() {
        let argv: Vec<Vec<u8>> = (0..34).map(|i| i.to_string().into_bytes()).collect();
        let t = trimmed_argv(&argv);
        assert_eq!(t.len(), 32);
        assert_eq!(t[31], b"... (3 more arguments)".to_vec());
        let t = trimmed_argv(&[vec![b'A'; 129]]);
        assert_eq!(t[0].len(), 128 + "... (1 more bytes)".len());
    }

    #[test]
    fn slowlog_keeps_newest_first_up_to_max_len() {
        let mut log = SlowLog::default();
        for d in 0..5u64 {
            log.push_if_slow(0, 3, d, |id| SlowLogEntry {
                id,
                unix_s: 0,
                duration_us: d,
                argv: vec![],
                peer: String::new(),
                client_name: vec![],
            });
        }
        let ids: Vec<u64> = log.entries().map(|e| e.id).collect();
        assert_eq!(ids, vec![4, 3, 2]);
    }
}
