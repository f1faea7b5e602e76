//! String commands.

use crate::args::Args;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::error::CmdResult;
use crate::reply::Reply;
use crate::types::Value;

const G: Group = Group::String;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "get", 2, READONLY | FAST, Keys::range(1, 1, 1), get).summary("Returns the string value of a key."),
    CommandSpec::new(G, "set", -3, WRITE | DENYOOM, Keys::range(1, 1, 1), set)
        .summary("Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."),
];

/// GET key
fn get(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next()?.to_vec();
    Ok(ctx.read_str(&key)?.map_or(Reply::Null, |v| Reply::bulk(v.as_bytes())))
}

/// SET key value (options to come)
fn set(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let key = args.next_owned()?;
    let value = args.next_owned()?;
    args.finish()?;
    ctx.store(&key[..], Value::str(value));
    ctx.written(crate::notify::STRING, "set", &key);
    Ok(Reply::OK)
}
