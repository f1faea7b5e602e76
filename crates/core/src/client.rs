//! `Client`: the state of one connection, as the engine sees it (selected db, protocol, MULTI, WATCH,
//! subscriptions, name) and the replies waiting to be sent to it.

use crate::bytestr::ByteStr;
use crate::reply::Reply;
use crate::resp::{encode, Protocol};
use std::collections::HashSet;

pub type ClientId = u64;

/// A client's subscriptions of one kind. A fixed hasher keeps the engine deterministic (UNSUBSCRIBE
/// without arguments walks this set).
pub type SubscriptionSet = HashSet<Vec<u8>, foldhash::fast::FixedState>;

/// How a host wants a client's replies: RESP bytes for a socket, values for an in-process API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    #[default]
    Resp,
    Values,
    /// RESP3 bytes whatever the client's protocol: for an in-process host that decodes the bytes itself
    /// (the wasm face) and must tell pushes from replies, which RESP2 bytes cannot. The host downgrades a
    /// RESP2 client's replies itself.
    Resp3,
}

/// `CLIENT REPLY ON|OFF|SKIP`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    /// Skip the reply of the next command.
    SkipNext,
    /// Skipping the current command's reply.
    Skip,
}

/// What the host tells the engine about a new connection.
#[derive(Debug, Clone, Default)]
pub struct ConnInfo {
    /// `ip:port` of the peer, as CLIENT LIST shows it.
    pub addr: String,
    /// `ip:port` of our end.
    pub laddr: String,
    pub fd: i64,
    pub output: OutputMode,
}

/// A key this client WATCHes.
#[derive(Debug, Clone)]
pub struct WatchedKey {
    pub db: usize,
    pub key: ByteStr,
    /// The key was already logically expired when WATCHed: its deletion by expiry is no change
    /// (Valkey's "WATCH stale keys should not fail EXEC").
    pub expired: bool,
}

/// Commands queued by MULTI.
#[derive(Debug, Default)]
pub struct MultiState {
    pub queued: Vec<Vec<Vec<u8>>>,
    /// A command failed to queue (unknown, wrong arity ...): EXEC answers EXECABORT.
    pub aborted: bool,
}

#[derive(Debug, Default)]
pub struct Client {
    pub id: ClientId,
    pub conn: ConnInfo,
    pub db: usize,
    pub proto: Protocol,
    pub name: Option<Vec<u8>>,
    pub lib_name: Option<Vec<u8>>,
    pub lib_ver: Option<Vec<u8>>,
    pub user: String,
    pub authenticated: bool,
    pub multi: Option<MultiState>,
    /// Keys this client WATCHes, in WATCH order.
    pub watched: Vec<WatchedKey>,
    /// A watched key was touched: the next EXEC fails.
    pub watch_dirty: bool,
    pub channels: SubscriptionSet,
    pub patterns: SubscriptionSet,
    pub shard_channels: SubscriptionSet,
    /// Pub/sub messages published to this client by its own running command: they follow the
    /// command's reply, as in Valkey (PUBLISH to self, keyspace events of one's own writes).
    pub pending_push: Vec<Reply>,
    pub reply_mode: ReplyMode,
    /// CLIENT NO-EVICT / NO-TOUCH
    pub no_evict: bool,
    pub no_touch: bool,
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    /// Name of the last command run (CLIENT LIST `cmd=`).
    pub last_cmd: &'static str,
    /// Close the connection once pending output is written (QUIT, protocol error, CLIENT KILL).
    pub close_after_reply: bool,
    /// MONITOR: gets every command other clients run.
    pub monitor: bool,
    /// CLIENT CAPA REDIRECT
    pub capa_redirect: bool,
    /// Traffic and work counters for CLIENT LIST (`tot-net-in`, `tot-net-out`, `tot-cmds`): the host
    /// counts the bytes it reads and writes, the engine counts commands run (nested ones included).
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub commands_processed: u64,
    /// Query buffer length and free room as the host last saw them (CLIENT LIST `qbuf`, `qbuf-free`).
    pub query_buf_len: usize,
    pub query_buf_free: usize,
    pub out: Vec<u8>,
    pub out_values: Vec<Reply>,
}

impl Client {
    pub fn new(id: ClientId, conn: ConnInfo, now_ms: i64) -> Client {
        Client {
            id,
            conn,
            user: "default".into(),
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL",
            ..Client::default()
        }
    }

    /// Subscriptions of every kind: a client with any is in pub/sub mode (CLIENT LIST flag `P`).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard_channels.len()
    }

    /// Channels plus patterns: the count (P)SUBSCRIBE and (P)UNSUBSCRIBE confirmations carry.
    pub fn channel_and_pattern_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// RESP2 clients with subscriptions may only run the pub/sub commands.
    pub fn in_pubsub_context(&self) -> bool {
        self.proto == Protocol::Resp2 && self.subscription_count() > 0
    }

    /// Queues a command's reply for this client, honouring CLIENT REPLY, then the pub/sub messages
    /// its command published to it. Push replies (subscription confirmations) are out-of-band data and
    /// go out even with replies off, as Valkey's "pushing" flag does. `SkipNext` silences too: it is
    /// only ever set while CLIENT REPLY SKIP itself runs, and that command has no reply.
    pub fn reply(&mut self, reply: &Reply) {
        let silenced = matches!(self.reply_mode, ReplyMode::Off | ReplyMode::Skip | ReplyMode::SkipNext);
        if !silenced || matches!(reply, Reply::Push(_)) {
            self.push_raw(reply);
        }
        self.flush_pending_push();
    }

    /// Sends the messages held back while this client's command ran.
    pub fn flush_pending_push(&mut self) {
        if self.pending_push.is_empty() {
            return;
        }
        for msg in std::mem::take(&mut self.pending_push) {
            self.push_raw(&msg);
        }
    }

    /// Queues a reply regardless of CLIENT REPLY: pub/sub messages are pushed even to a client that
    /// turned its replies off, as in Valkey.
    pub fn push_raw(&mut self, reply: &Reply) {
        match self.conn.output {
            OutputMode::Resp => encode(reply, self.proto, &mut self.out),
            OutputMode::Resp3 => encode(reply, Protocol::Resp3, &mut self.out),
            OutputMode::Values => self.out_values.push(reply.clone()),
        }
    }

    pub fn has_output(&self) -> bool {
        !self.out.is_empty() || !self.out_values.is_empty()
    }

    /// Bytes queued but not yet taken by the host (client-output-buffer-limit, CLIENT LIST omem).
    pub fn output_len(&self) -> usize {
        self.out.len()
    }
}
