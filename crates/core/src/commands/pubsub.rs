//! Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, their shard
//! variants, and PUBSUB introspection. The registry and delivery are in [`crate::pubsub`].
//!
//! Each (un)subscription is confirmed by its own push message (`[kind, name, count]`), as Valkey's
//! `addReplyPubsub(Un)Subscribed` send them. A command that confirms several names pushes all but the
//! last straight to the client and returns the last as its reply; push replies go out even with
//! CLIENT REPLY OFF (see `Client::reply`).

use crate::args::Args;
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::commands::connection::{help_reply, subcommand_syntax_error};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::pubsub::{self, Kind};
use crate::reply::Reply;

const G: Group = Group::PubSub;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "psubscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, Keys::None, psubscribe)
        .since("2.0.0")
        .summary("Listens for messages published to channels that match one or more patterns.")
        .syntax("pattern:pattern..."),
    CommandSpec::new(G, "publish", 3, PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, Keys::None, publish)
        .since("2.0.0")
        .summary("Posts a message to a channel.")
        .syntax("channel message"),
    CommandSpec::container(G, "pubsub", PUBSUB_SUBCOMMANDS).since("2.8.0").summary("A container for Pub/Sub commands."),
    CommandSpec::new(G, "punsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, Keys::None, punsubscribe)
        .since("2.0.0")
        .summary("Stops listening to messages published to channels that match one or more patterns.")
        .syntax("[pattern:pattern...]"),
    CommandSpec::new(G, "spublish", 3, PUBSUB | LOADING | STALE | FAST | MAY_REPLICATE, Keys::range(1, 1, 1), spublish)
        .since("7.0.0")
        .summary("Post a message to a shard channel")
        .syntax("shardchannel message"),
    CommandSpec::new(G, "ssubscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, Keys::range(1, -1, 1), ssubscribe)
        .since("7.0.0")
        .summary("Listens for messages published to shard channels.")
        .syntax("shardchannel..."),
    CommandSpec::new(G, "subscribe", -2, PUBSUB | NOSCRIPT | LOADING | STALE, Keys::None, subscribe)
        .since("2.0.0")
        .summary("Listens for messages published to channels.")
        .syntax("channel..."),
    CommandSpec::new(G, "sunsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, Keys::range(1, -1, 1), sunsubscribe)
        .since("7.0.0")
        .summary("Stops listening to messages posted to shard channels.")
        .syntax("[shardchannel...]"),
    CommandSpec::new(G, "unsubscribe", -1, PUBSUB | NOSCRIPT | LOADING | STALE, Keys::None, unsubscribe)
        .since("2.0.0")
        .summary("Stops listening to messages posted to channels.")
        .syntax("[channel...]"),
];

const PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "pubsub|channels", -2, PUBSUB | LOADING | STALE, Keys::None, pubsub_channels)
        .since("2.8.0")
        .summary("Returns the active channels.")
        .syntax("[pattern:pattern]"),
    CommandSpec::new(G, "pubsub|help", 2, LOADING | STALE, Keys::None, pubsub_help)
        .since("6.2.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "pubsub|numpat", 2, PUBSUB | LOADING | STALE, Keys::None, pubsub_numpat)
        .since("2.8.0")
        .summary("Returns a count of unique pattern subscriptions."),
    CommandSpec::new(G, "pubsub|numsub", -2, PUBSUB | LOADING | STALE, Keys::None, pubsub_numsub)
        .since("2.8.0")
        .summary("Returns a count of subscribers to channels.")
        .syntax("[channel...]"),
    CommandSpec::new(G, "pubsub|shardchannels", -2, PUBSUB | LOADING | STALE, Keys::None, pubsub_shardchannels)
        .since("7.0.0")
        .summary("Returns the active shard channels.")
        .syntax("[pattern:pattern]"),
    CommandSpec::new(G, "pubsub|shardnumsub", -2, PUBSUB | LOADING | STALE, Keys::None, pubsub_shardnumsub)
        .since("7.0.0")
        .summary("Returns the count of subscribers of shard channels.")
        .syntax("[shardchannel...]"),
];

/// The confirmation count a kind reports: shard subscriptions are counted apart from the others.
fn confirmation_count(ctx: &Ctx, kind: Kind) -> i64 {
    let c = ctx.client_ref();
    match kind {
        Kind::Channel | Kind::Pattern => c.channel_and_pattern_count() as i64,
        Kind::Shard => c.shard_channels.len() as i64,
    }
}

/// `[kind, name, count]`; a missing name (UNSUBSCRIBE with nothing to drop) is a null.
fn confirmation(word: &'static str, name: Option<&[u8]>, count: i64) -> Reply {
    Reply::Push(vec![Reply::bulk(word), name.map_or(Reply::Null, Reply::bulk), Reply::Int(count)])
}

/// Sends every confirmation but the last, which becomes the command's reply.
fn confirm_all(ctx: &mut Ctx, mut messages: Vec<Reply>) -> CmdResult {
    let last = messages.pop().unwrap_or(Reply::NullArray);
    let client = ctx.client();
    for m in &messages {
        client.push_raw(m);
    }
    Ok(last)
}

fn subscribe_names(ctx: &mut Ctx, args: &Args, kind: Kind) -> CmdResult {
    let (word, _) = kind.message_names();
    let mut messages = Vec::with_capacity(args.remaining());
    for name in args.rest() {
        pubsub::subscribe(ctx.eng, ctx.id, kind, name);
        messages.push(confirmation(word, Some(name), confirmation_count(ctx, kind)));
    }
    confirm_all(ctx, messages)
}

fn unsubscribe_names(ctx: &mut Ctx, args: &Args, kind: Kind) -> CmdResult {
    let (_, word) = kind.message_names();
    let names: Vec<Vec<u8>> = if args.is_empty() {
        let c = ctx.client_ref();
        let set = match kind {
            Kind::Channel => &c.channels,
            Kind::Pattern => &c.patterns,
            Kind::Shard => &c.shard_channels,
        };
        set.iter().cloned().collect()
    } else {
        args.rest().to_vec()
    };
    if names.is_empty() {
        // Nothing to drop: Valkey still confirms, with a null name.
        return Ok(confirmation(word, None, confirmation_count(ctx, kind)));
    }
    let mut messages = Vec::with_capacity(names.len());
    for name in &names {
        pubsub::unsubscribe(ctx.eng, ctx.id, kind, name);
        messages.push(confirmation(word, Some(name), confirmation_count(ctx, kind)));
    }
    confirm_all(ctx, messages)
}

/// SUBSCRIBE channel [channel ...]
fn subscribe(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    subscribe_names(ctx, args, Kind::Channel)
}

/// UNSUBSCRIBE [channel [channel ...]]
fn unsubscribe(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    unsubscribe_names(ctx, args, Kind::Channel)
}

/// PSUBSCRIBE pattern [pattern ...]
fn psubscribe(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    subscribe_names(ctx, args, Kind::Pattern)
}

/// PUNSUBSCRIBE [pattern [pattern ...]]
fn punsubscribe(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    unsubscribe_names(ctx, args, Kind::Pattern)
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
fn ssubscribe(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    // Unlike SUBSCRIBE, Valkey refuses SSUBSCRIBE inside EXEC (the client is deny-blocking there).
    if ctx.nested() {
        return Err(CommandError::SsubscribeDenyBlocking);
    }
    subscribe_names(ctx, args, Kind::Shard)
}

/// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
fn sunsubscribe(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    unsubscribe_names(ctx, args, Kind::Shard)
}

/// Runs a delivery with messages to the caller held until its reply is queued. The engine marks the
/// client whose command runs (Engine::execute); that mark is kept when set, so a script's PUBLISH holds
/// messages for the client that ran the script, not for the script's own client.
fn as_caller(ctx: &mut Ctx, deliver: impl FnOnce(&mut crate::engine::Engine) -> usize) -> usize {
    if ctx.eng.pubsub.current_client.is_some() {
        return deliver(ctx.eng);
    }
    let previous = ctx.eng.pubsub.current_client.replace(ctx.id);
    let receivers = deliver(ctx.eng);
    ctx.eng.pubsub.current_client = previous;
    receivers
}

/// PUBLISH channel message
fn publish(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let channel = args.next()?.to_vec();
    let message = args.next()?.to_vec();
    let receivers = as_caller(ctx, |eng| pubsub::publish(eng, &channel, &message));
    Ok(Reply::Int(receivers as i64))
}

/// SPUBLISH shardchannel message
fn spublish(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let channel = args.next()?.to_vec();
    let message = args.next()?.to_vec();
    let receivers = as_caller(ctx, |eng| pubsub::publish_shard(eng, &channel, &message));
    Ok(Reply::Int(receivers as i64))
}

/// Names in a registry matching an optional glob, for PUBSUB CHANNELS / SHARDCHANNELS.
fn channel_list(ctx: &mut Ctx, args: &Args, kind: Kind) -> CmdResult {
    let pattern = match args.rest() {
        [] => None,
        [p] => Some(p.as_slice()),
        _ => return Err(subcommand_syntax_error(args.argv())),
    };
    let names = ctx
        .eng
        .pubsub
        .registry_ref(kind)
        .keys()
        .filter(|name| pattern.is_none_or(|p| crate::glob::glob_match(p, name, false)))
        .cloned();
    Ok(Reply::bulks(names))
}

/// `[name, subscribers, ...]`, a flat array in both protocols as in Valkey.
fn numsub(ctx: &mut Ctx, args: &Args, kind: Kind) -> CmdResult {
    let mut out = Vec::with_capacity(args.remaining() * 2);
    for name in args.rest() {
        out.push(Reply::bulk(name.as_slice()));
        out.push(Reply::Int(ctx.eng.pubsub.subscribers(kind, name) as i64));
    }
    Ok(Reply::Array(out))
}

/// PUBSUB CHANNELS [pattern]
fn pubsub_channels(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    channel_list(ctx, args, Kind::Channel)
}

/// PUBSUB SHARDCHANNELS [pattern]
fn pubsub_shardchannels(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    channel_list(ctx, args, Kind::Shard)
}

/// PUBSUB NUMSUB [channel ...]
fn pubsub_numsub(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    numsub(ctx, args, Kind::Channel)
}

/// PUBSUB SHARDNUMSUB [shardchannel ...]
fn pubsub_shardnumsub(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    numsub(ctx, args, Kind::Shard)
}

/// PUBSUB NUMPAT: unique patterns, however many clients use each.
fn pubsub_numpat(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Int(ctx.eng.pubsub.patterns.len() as i64))
}

/// PUBSUB HELP
fn pubsub_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(help_reply(
        args.name(),
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    ))
}
