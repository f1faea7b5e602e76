//! The pub/sub registry: who listens to which channel, pattern and shard channel, and message delivery.
//! The commands (SUBSCRIBE, PUBLISH, PUBSUB ...) are in `commands/pubsub.rs`.
//!
//! Subscriptions live twice, as in Valkey: in the registry (name -> subscribers, for delivery and
//! PUBSUB) and in the client (its names, for UNSUBSCRIBE without arguments, CLIENT LIST and RESET).
//! [`subscribe`] and [`unsubscribe`] keep the two in step.

use crate::client::ClientId;
use crate::engine::Engine;
use crate::reply::Reply;
use std::collections::HashMap;

/// name -> subscribers in subscription order. The fixed hasher keeps PUBSUB CHANNELS deterministic.
pub type Registry = HashMap<Vec<u8>, Vec<ClientId>, foldhash::fast::FixedState>;

#[derive(Debug, Default)]
pub struct PubSub {
    pub channels: Registry,
    pub patterns: Registry,
    pub shard_channels: Registry,
    /// The client whose command is running, if it should get messages published to it only after its
    /// reply (Valkey defers pushes to the current client). Messages to it wait in its `pending_push`.
    pub current_client: Option<ClientId>,
}

/// Which registry a subscription lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    /// The confirmation message names: (subscribe, unsubscribe).
    pub fn message_names(self) -> (&'static str, &'static str) {
        match self {
            Kind::Channel => ("subscribe", "unsubscribe"),
            Kind::Pattern => ("psubscribe", "punsubscribe"),
            Kind::Shard => ("ssubscribe", "sunsubscribe"),
        }
    }
}

impl PubSub {
    pub fn registry(&mut self, kind: Kind) -> &mut Registry {
        match kind {
            Kind::Channel => &mut self.channels,
            Kind::Pattern => &mut self.patterns,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    pub fn registry_ref(&self, kind: Kind) -> &Registry {
        match kind {
            Kind::Channel => &self.channels,
            Kind::Pattern => &self.patterns,
            Kind::Shard => &self.shard_channels,
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

    /// Removes a subscriber; false if it was not subscribed. A name nobody listens to any more is
    /// dropped, so PUBSUB CHANNELS only lists live channels.
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

    /// Number of subscribers of a name (PUBSUB NUMSUB / SHARDNUMSUB).
    pub fn subscribers(&self, kind: Kind, name: &[u8]) -> usize {
        self.registry_ref(kind).get(name).map_or(0, Vec::len)
    }
}

/// Subscribes a client in both the registry and the client's own set. Returns false if it already was.
pub fn subscribe(eng: &mut Engine, id: ClientId, kind: Kind, name: &[u8]) -> bool {
    let Some(c) = eng.clients.get_mut(&id) else { return false };
    let set = match kind {
        Kind::Channel => &mut c.channels,
        Kind::Pattern => &mut c.patterns,
        Kind::Shard => &mut c.shard_channels,
    };
    if !set.insert(name.to_vec()) {
        return false;
    }
    eng.pubsub.add(kind, name, id);
    true
}

/// Unsubscribes a client from one name. Returns false if it was not subscribed.
pub fn unsubscribe(eng: &mut Engine, id: ClientId, kind: Kind, name: &[u8]) -> bool {
    let Some(c) = eng.clients.get_mut(&id) else { return false };
    let set = match kind {
        Kind::Channel => &mut c.channels,
        Kind::Pattern => &mut c.patterns,
        Kind::Shard => &mut c.shard_channels,
    };
    if !set.remove(name) {
        return false;
    }
    eng.pubsub.remove(kind, name, id);
    true
}

/// Where messages go: the clients, and the list of those the host must flush.
struct Mailboxes<'a> {
    clients: &'a mut HashMap<ClientId, crate::client::Client, foldhash::fast::FixedState>,
    woken: &'a mut Vec<ClientId>,
    /// Messages to this client wait for its running command's reply.
    current: Option<ClientId>,
}

impl Mailboxes<'_> {
    /// Queues a message for a client; false if the client is gone.
    fn deliver(&mut self, id: ClientId, msg: &Reply) -> bool {
        let Some(c) = self.clients.get_mut(&id) else { return false };
        if self.current == Some(id) {
            c.pending_push.push(msg.clone());
        } else {
            c.push_raw(msg);
            self.woken.push(id);
        }
        true
    }
}

/// Delivers a message on a channel to its subscribers and to matching pattern subscribers.
/// Returns how many clients received it (PUBLISH's reply; a client counts once per match).
pub fn publish(eng: &mut Engine, channel: &[u8], message: &[u8]) -> usize {
    let Engine { pubsub, clients, woken, stats, .. } = eng;
    let mut boxes = Mailboxes { clients, woken, current: pubsub.current_client };
    let mut receivers = 0;
    if let Some(subs) = pubsub.channels.get(channel) {
        let msg = Reply::Push(vec![Reply::bulk("message"), Reply::bulk(channel), Reply::bulk(message)]);
        for &id in subs {
            receivers += usize::from(boxes.deliver(id, &msg));
        }
    }
    for (pattern, subs) in &pubsub.patterns {
        if !crate::glob::glob_match(pattern, channel, false) {
            continue;
        }
        let msg = Reply::Push(vec![
            Reply::bulk("pmessage"),
            Reply::bulk(pattern.as_slice()),
            Reply::bulk(channel),
            Reply::bulk(message),
        ]);
        for &id in subs {
            receivers += usize::from(boxes.deliver(id, &msg));
        }
    }
    stats.pubsub_messages += 1;
    receivers
}

/// Delivers a message on a shard channel (SPUBLISH); shard messages never match patterns.
pub fn publish_shard(eng: &mut Engine, channel: &[u8], message: &[u8]) -> usize {
    let Engine { pubsub, clients, woken, .. } = eng;
    let Some(subs) = pubsub.shard_channels.get(channel) else { return 0 };
    let mut boxes = Mailboxes { clients, woken, current: pubsub.current_client };
    let msg = Reply::Push(vec![Reply::bulk("smessage"), Reply::bulk(channel), Reply::bulk(message)]);
    let mut receivers = 0;
    for &id in subs {
        receivers += usize::from(boxes.deliver(id, &msg));
    }
    receivers
}

/// Drops every subscription of a client, without confirmations (disconnect, RESET).
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

/// Number of clients with at least one subscription (INFO `pubsub_clients`).
pub fn pubsub_clients(eng: &Engine) -> usize {
    eng.clients.values().filter(|c| c.subscription_count() > 0).count()
}
