//! MONITOR: clients that see every command the server runs, one status line each:
//! `+1700000000.123456 [0 127.0.0.1:50000] "set" "k" "v"`.

use crate::args::Args;
use crate::client::ClientId;
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::CmdResult;
use crate::reply::Reply;

use super::redact::redacted_argv;
use super::state::with_state;

/// MONITOR
pub(super) fn monitor(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    if !ctx.client_ref().monitor {
        ctx.client().monitor = true;
        ctx.eng.monitors += 1;
    }
    Ok(Reply::OK)
}

/// Sends a command to every MONITOR client. `command` is the full name (for redaction); `script`
/// labels the source `lua` (commands a script runs). EVAL-like commands are SKIP_MONITOR and call
/// this themselves before running the script, so the script's commands follow it.
pub fn feed_monitors(eng: &mut Engine, id: ClientId, command: &str, argv: &[Vec<u8>], script: bool) {
    if eng.monitors == 0 {
        return;
    }
    let Some(client) = eng.clients.get(&id) else { return };
    let source = if script {
        "lua".to_string()
    } else if client.conn.addr.starts_with('/') {
        format!("unix:{}", eng.config.unixsocket.as_deref().unwrap_or(""))
    } else {
        client.conn.addr.clone()
    };
    let now_ms = eng.clock.now_ms();
    let line = monitor_line(now_ms, client.db, &source, &redacted_argv(command, argv));
    let reply = Reply::Status(line.into());
    let monitors: Vec<ClientId> = eng.clients.iter().filter(|(_, c)| c.monitor).map(|(&id, _)| id).collect();
    for m in monitors {
        if let Some(c) = eng.clients.get_mut(&m) {
            c.push_raw(&reply);
        }
        if m != id && !eng.woken.contains(&m) {
            eng.woken.push(m);
        }
    }
}

/// True while a script runs the command being finished (its monitor source is `lua`).
pub(super) fn from_script(eng: &mut Engine) -> bool {
    eng.depth > 1 && with_state(eng, |s| s.script_running)
}

/// One feed line, without the `+` and the CRLF the status reply adds.
pub fn monitor_line(now_ms: i64, db: usize, source: &str, argv: &[Vec<u8>]) -> String {
    let mut line = format!("{}.{:06} [{db} {source}]", now_ms.div_euclid(1000), now_ms.rem_euclid(1000) * 1000);
    for a in argv {
        line.push(' ');
        push_repr(&mut line, a);
    }
    line
}

/// Valkey's `sdscatrepr`: quoted, with C escapes for quotes, backslashes and control bytes.
pub fn push_repr(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_line_quotes_like_valkey() {
        let argv = vec![b"set".to_vec(), b"k\"\n".to_vec(), vec![0xff, b'a']];
        assert_eq!(
            monitor_line(1_700_000_000_123, 0, "127.0.0.1:50000", &argv),
            r#"1700000000.123000 [0 127.0.0.1:50000] "set" "k\"\n" "\xffa""#
        );
    }
}
