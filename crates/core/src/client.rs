//! `Client`: the state of one connection, as the engine sees it (selected db, protocol, MULTI, WATCH,
//! subscriptions, name) and the replies waiting to be sent to it.

use crate::bytestr::ByteStr;
use crate::reply::Reply;
use crate::resp::{encode, Protocol};
use std::collections::HashSet;

pub type ClientId = u64;

/// How a host wants a client's replies: RESP bytes for a socket, values for an in-process API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputMode {
    #[default]
    Resp,
    Values,
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
    /// Keys this client WATCHes, as (db, key).
    pub watched: Vec<(usize, ByteStr)>,
    /// A watched key was touched: the next EXEC fails.
    pub watch_dirty: bool,
    pub channels: HashSet<Vec<u8>>,
    pub patterns: HashSet<Vec<u8>>,
    pub shard_channels: HashSet<Vec<u8>>,
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

    /// Subscriptions of every kind (the count SUBSCRIBE replies with).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard_channels.len()
    }

    /// RESP2 clients with subscriptions may only run the pub/sub commands.
    pub fn in_pubsub_context(&self) -> bool {
        self.proto == Protocol::Resp2 && self.subscription_count() > 0
    }

    /// Queues a reply for this client, honouring CLIENT REPLY.
    pub fn reply(&mut self, reply: &Reply) {
        if matches!(self.reply_mode, ReplyMode::Off | ReplyMode::Skip) {
            return;
        }
        self.push_raw(reply);
    }

    /// Queues a reply regardless of CLIENT REPLY: pub/sub messages are pushed even to a client that
    /// turned its replies off, as in Valkey.
    pub fn push_raw(&mut self, reply: &Reply) {
        match self.conn.output {
            OutputMode::Resp => encode(reply, self.proto, &mut self.out),
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
