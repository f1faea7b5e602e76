//! The pub/sub registry: who listens to which channel, pattern and shard channel, and message delivery.
//! The commands (SUBSCRIBE, PUBLISH, PUBSUB ...) are in `commands/pubsub.rs`.

use crate::client::ClientId;
use crate::engine::Engine;
use crate::reply::Reply;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct PubSub {
    /// channel -> subscribers, in subscription order.
    pub channels: HashMap<Vec<u8>, Vec<ClientId>>,
    /// pattern -> subscribers.
    pub patterns: HashMap<Vec<u8>, Vec<ClientId>>,
    /// shard channel -> subscribers.
    pub shard_channels: HashMap<Vec<u8>, Vec<ClientId>>,
}

/// Which registry a subscription lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl PubSub {
    pub fn registry(&mut self, kind: Kind) -> &mut HashMap<Vec<u8>, Vec<ClientId>> {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// Adds a subscriber; false if it was already subscribed.
    pub fn add(&mut self, kind: Kind, name: &[u8], id: ClientId) -> bool {
        let subs = self.registry(kind).entry(name.to_vec()).or_default();
        if subs.contains(&id) {
            return false;
        }
        subs.push(id);
        true
    }

    /// Removes a subscriber; false if it was not subscribed.
    pub fn remove(&mut self, kind: Kind, name: &[u8], id: ClientId) -> bool {
        let reg = self.registry(kind);
        let Some(subs) = reg.get_mut(name) else { return false };
        let Some(pos) = subs.iter().position(|&c| c == id) else { return false };
        subs.remove(pos);
        if subs.is_empty() {
            reg.remove(name);
        }
        true
    }
}

/// Delivers a message on a channel to its subscribers and to matching pattern subscribers.
/// Returns how many clients received it (PUBLISH's reply).
pub fn publish(eng: &mut Engine, channel: &[u8], message: &[u8]) -> usize {
    let mut receivers = 0;
    if let Some(subs) = eng.pubsub.channels.get(channel) {
        let msg = Reply::Push(vec![Reply::bulk("message"), Reply::bulk(channel), Reply::bulk(message)]);
        for &id in subs {
            if let Some(c) = eng.clients.get_mut(&id) {
                c.push_raw(&msg);
                eng.woken.push(id);
                receivers += 1;
            }
        }
    }
    if !eng.pubsub.patterns.is_empty() {
        for (pattern, subs) in &eng.pubsub.patterns {
            if !crate::glob::glob_match(pattern, channel, false) {
                continue;
            }
            let msg = Reply::Push(vec![
                Reply::bulk("pmessage"),
                Reply::bulk(pattern.clone()),
                Reply::bulk(channel),
                Reply::bulk(message),
            ]);
            for &id in subs {
                if let Some(c) = eng.clients.get_mut(&id) {
                    c.push_raw(&msg);
                    eng.woken.push(id);
                    receivers += 1;
                }
            }
        }
    }
    eng.stats.pubsub_messages += 1;
    receivers
}

/// Delivers a message on a shard channel (SPUBLISH).
pub fn publish_shard(eng: &mut Engine, channel: &[u8], message: &[u8]) -> usize {
    let Some(subs) = eng.pubsub.shard_channels.get(channel) else { return 0 };
    let msg = Reply::Push(vec![Reply::bulk("smessage"), Reply::bulk(channel), Reply::bulk(message)]);
    let mut receivers = 0;
    for &id in subs {
        if let Some(c) = eng.clients.get_mut(&id) {
            c.push_raw(&msg);
            eng.woken.push(id);
            receivers += 1;
        }
    }
    receivers
}

/// Drops every subscription of a client (disconnect, RESET).
pub fn unsubscribe_all(eng: &mut Engine, id: ClientId) {
    let Some(c) = eng.clients.get_mut(&id) else { return };
    let channels: Vec<_> = c.channels.drain().collect();
    let patterns: Vec<_> = c.patterns.drain().collect();
    let shards: Vec<_> = c.shard_channels.drain().collect();
    for ch in channels {
        eng.pubsub.remove(Kind::Channel, &ch, id);
    }
    for p in patterns {
        eng.pubsub.remove(Kind::Pattern, &p, id);
    }
    for s in shards {
        eng.pubsub.remove(Kind::Shard, &s, id);
    }
}
