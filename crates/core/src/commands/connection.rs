//! Connection commands: PING, ECHO, SELECT, QUIT ...

use crate::args::Args;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;

const G: Group = Group::Connection;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "echo", 2, FAST | LOADING | STALE, Keys::None, echo).summary("Returns the given string."),
    CommandSpec::new(G, "ping", -1, FAST | LOADING | STALE, Keys::None, ping)
        .summary("Returns the server's liveliness response."),
    CommandSpec::new(G, "quit", -1, ALLOW_BUSY | NO_AUTH | NOSCRIPT | LOADING | STALE | FAST, Keys::None, quit)
        .summary("Closes the connection."),
    CommandSpec::new(G, "select", 2, LOADING | STALE | FAST, Keys::None, select)
        .since("1.0.0")
        .summary("Changes the selected database."),
];

/// PING [message]
fn ping(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if args.remaining() > 1 {
        return Err(CommandError::WrongArity("ping".into()));
    }
    let msg = args.rest().first().cloned();
    // A RESP2 client in subscribed mode gets the pub/sub shape: ["pong", message].
    if ctx.client_ref().in_pubsub_context() {
        return Ok(Reply::Array(vec![Reply::bulk("pong"), Reply::Bulk(msg.unwrap_or_default())]));
    }
    Ok(match msg {
        Some(m) => Reply::Bulk(m),
        None => Reply::status("PONG"),
    })
}

/// ECHO message
fn echo(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(Reply::Bulk(args.next_owned()?))
}

/// QUIT: replies OK, then the host closes the connection.
fn quit(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    ctx.client().close_after_reply = true;
    Ok(Reply::OK)
}

/// SELECT index
fn select(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let index = args.next_i64().map_err(|_| CommandError::err("value is not an integer or out of range"))?;
    if index < 0 || index as usize >= ctx.eng.dbs.len() {
        return Err(CommandError::DbIndexOutOfRange);
    }
    ctx.client().db = index as usize;
    Ok(Reply::OK)
}
