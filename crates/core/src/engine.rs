//! `Engine`: the whole server state (16 databases, clients, pub/sub, config, statistics) and the one
//! ordered gate every command passes before its handler runs:
//! unknown command → arity → auth → ACL → maxmemory → MISCONF → pub/sub context → BUSY → CLIENT PAUSE →
//! MULTI queueing → call.
//!
//! The engine does no I/O. A host (the tokio server, the wasm face, a test) feeds it commands per client
//! and takes each client's output; time comes from the host's [`Clock`].

use crate::args::Args;
use crate::blocking::Blocking;
use crate::client::{Client, ClientId, ConnInfo, ReplyMode};
use crate::command::{flag, CommandSpec, CommandTable};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::db::Db;
use crate::error::CommandError;
use crate::pubsub::PubSub;
use crate::reply::Reply;
use crate::stats::Stats;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use std::collections::HashMap;

/// Time, supplied by the host: the engine never reads a clock itself.
pub trait Clock {
    /// Wall-clock time in unix milliseconds (deadlines, TIME, LASTSAVE).
    fn now_ms(&self) -> i64;
    /// A monotonic microsecond counter (busy scripts, DEBUG SLEEP).
    fn monotonic_us(&self) -> u64;
    /// Wall-clock time in unix microseconds (TIME, command durations). One read per command gives both
    /// the command's time and the start of its duration, so hosts with a finer clock override this.
    fn now_us(&self) -> i64 {
        self.now_ms() * 1000
    }
}

/// A clock a test or a JS host moves by hand.
#[derive(Debug, Default, Clone)]
pub struct ManualClock {
    now_ms: std::rc::Rc<std::cell::Cell<i64>>,
}

impl ManualClock {
    pub fn new(start_ms: i64) -> Self {
        ManualClock { now_ms: std::rc::Rc::new(std::cell::Cell::new(start_ms)) }
    }
    pub fn advance_ms(&self, ms: i64) {
        self.now_ms.set(self.now_ms.get() + ms);
    }
    pub fn set_ms(&self, ms: i64) {
        self.now_ms.set(ms);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.now_ms.get()
    }
    fn monotonic_us(&self) -> u64 {
        (self.now_ms.get().max(0) as u64) * 1000
    }
}

pub const NUM_DATABASES: usize = 16;

pub struct Engine {
    pub dbs: Vec<Db>,
    pub clients: HashMap<ClientId, Client, foldhash::fast::FixedState>,
    pub config: Config,
    pub pubsub: PubSub,
    pub blocking: Blocking,
    pub stats: Stats,
    pub rng: SmallRng,
    pub clock: Box<dyn Clock>,
    /// WATCHed keys: (db, key) -> clients watching it.
    pub watched: HashMap<(usize, Vec<u8>), Vec<ClientId>, foldhash::fast::FixedState>,
    /// Clients other than the caller that got output during the last call (pub/sub, unblocked).
    pub woken: Vec<ClientId>,
    /// Writes since the last save (`rdb_changes_since_last_save`).
    pub dirty: u64,
    pub next_client_id: ClientId,
    /// When the engine started (uptime, LRU clock origin).
    pub start_ms: i64,
    /// Unix seconds of the last successful save (LASTSAVE).
    pub last_save_s: i64,
    /// Time of the command being run, read once per top-level command as Valkey does.
    pub cmd_time_ms: i64,
    /// The same reading in microseconds (TIME).
    pub cmd_time_us: i64,
    /// The clock reading `execute` took for the command it is running, handed to `call` as the start
    /// of the command's duration so a command costs two clock reads, as in Valkey.
    call_start_us: Option<i64>,
    /// Nesting depth of command execution (EXEC, scripts run commands inside a command).
    pub(crate) depth: u32,
    /// Unix ms until which clients are paused by CLIENT PAUSE, and whether only writes are.
    pub pause_until_ms: i64,
    pub pause_writes_only: bool,
    /// DEBUG SET-ACTIVE-EXPIRE
    pub active_expire_enabled: bool,
    /// Clients in MONITOR mode.
    pub monitors: usize,
    /// The Lua interpreters, the script cache and the function libraries.
    pub scripting: crate::scripting::Scripting,
    /// State of the server commands: host readings, SLOWLOG, LATENCY, SHUTDOWN and DEBUG SLEEP requests.
    pub server: crate::commands::server::ServerState,
    /// Users and permissions (ACL), the ACL log.
    pub acl: crate::acl::Acl,
    /// `maxmemory` eviction: the candidate pool and what lasts between rounds.
    pub evict: crate::evict::Evictor,
    /// What the changes propagate to the AOF (recorded only while a host enabled it).
    pub propagate: crate::propagate::Propagation,
}

impl Engine {
    pub fn new(config: Config, clock: Box<dyn Clock>, seed: u64) -> Engine {
        let now = clock.now_ms();
        let dbs = (0..config.databases.max(1) as usize).map(|_| Db::new()).collect();
        let config_requirepass = config.requirepass.clone();
        Engine {
            dbs,
            clients: HashMap::with_hasher(foldhash::fast::FixedState::with_seed(seed)),
            config,
            pubsub: PubSub::default(),
            blocking: Blocking::default(),
            stats: Stats::default(),
            rng: SmallRng::seed_from_u64(seed),
            clock,
            watched: HashMap::with_hasher(foldhash::fast::FixedState::with_seed(seed ^ 1)),
            woken: Vec::new(),
            dirty: 0,
            next_client_id: 1,
            start_ms: now,
            last_save_s: now / 1000,
            cmd_time_ms: now,
            cmd_time_us: now * 1000,
            call_start_us: None,
            depth: 0,
            pause_until_ms: 0,
            pause_writes_only: false,
            active_expire_enabled: true,
            server: Default::default(),
            evict: Default::default(),
            propagate: Default::default(),
            monitors: 0,
            scripting: Default::default(),
            acl: crate::acl::Acl::new(config_requirepass.as_deref(), false),
        }
    }

    /// Registers a connection; returns its CLIENT ID.
    pub fn connect(&mut self, conn: ConnInfo) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        let now = self.clock.now_ms();
        let mut client = Client::new(id, conn, now);
        // The default user needs no AUTH while it is `nopass` and `on` (`requirepass` unset).
        client.authenticated = !self.acl.default_needs_auth();
        self.clients.insert(id, client);
        self.stats.total_connections_received += 1;
        id
    }

    /// Forgets a connection: its subscriptions, WATCHes and blocked state go with it.
    pub fn disconnect(&mut self, id: ClientId) {
        crate::commands::transactions::unwatch_all(self, id);
        crate::pubsub::unsubscribe_all(self, id);
        self.blocking.unblock(id);
        if self.clients.remove(&id).is_some_and(|c| c.monitor) {
            self.monitors -= 1;
        }
    }

    pub fn client(&self, id: ClientId) -> Option<&Client> {
        self.clients.get(&id)
    }

    pub fn client_mut(&mut self, id: ClientId) -> Option<&mut Client> {
        self.clients.get_mut(&id)
    }

    /// Takes the RESP bytes queued for a client.
    pub fn take_output(&mut self, id: ClientId) -> Vec<u8> {
        self.clients.get_mut(&id).map(|c| std::mem::take(&mut c.out)).unwrap_or_default()
    }

    /// The bytes queued for a client, for a host that writes them from here and clears the buffer
    /// (keeping its allocation for the next replies).
    pub fn output_mut(&mut self, id: ClientId) -> Option<&mut Vec<u8>> {
        self.clients.get_mut(&id).map(|c| &mut c.out).filter(|out| !out.is_empty())
    }

    /// Takes the replies queued for a client in [`crate::client::OutputMode::Values`].
    pub fn take_output_values(&mut self, id: ClientId) -> Vec<Reply> {
        self.clients.get_mut(&id).map(|c| std::mem::take(&mut c.out_values)).unwrap_or_default()
    }

    /// Clients (other than the ones that ran commands) that have new output to flush.
    pub fn take_woken(&mut self) -> Vec<ClientId> {
        std::mem::take(&mut self.woken)
    }

    /// The client asked to be disconnected once its output is written (QUIT, CLIENT KILL ...).
    pub fn should_close(&self, id: ClientId) -> bool {
        self.clients.get(&id).is_none_or(|c| c.close_after_reply)
    }

    /// Answers malformed input with Valkey's `-ERR Protocol error: ...` and marks the client to be closed
    /// once that is written.
    pub fn protocol_error(&mut self, id: ClientId, err: &crate::resp::ProtocolError) {
        let reply = Reply::Error(format!("ERR {err}").into());
        self.stats.count_error("ERR");
        if let Some(c) = self.clients.get_mut(&id) {
            c.push_raw(&reply);
            c.close_after_reply = true;
        }
    }

    /// Runs one command for a client; its reply is queued in the client's output.
    pub fn execute(&mut self, id: ClientId, argv: Vec<Vec<u8>>) {
        if argv.is_empty() || !self.clients.contains_key(&id) {
            return;
        }
        if self.blocking.is_blocked(id) {
            // Pipelined behind a blocked command: runs once that one is served.
            self.blocking.defer(id, argv);
            return;
        }
        // A command that arrives while a script runs (the busy host serving other clients) must not move
        // the script's time.
        let script_time = (self.depth > 0).then_some((self.cmd_time_ms, self.cmd_time_us));
        let now_us = self.clock.now_us();
        self.cmd_time_us = now_us;
        self.cmd_time_ms = now_us.div_euclid(1000);
        self.call_start_us = Some(now_us);
        let now = self.cmd_time_ms;
        if let Some(c) = self.clients.get_mut(&id) {
            c.last_interaction_ms = now;
        }
        // Messages this client's own command publishes to it arrive after its reply, as in Valkey.
        let previous = self.pubsub.current_client.replace(id);
        self.process(id, argv);
        self.call_start_us = None;
        self.pubsub.current_client = previous;
        if let Some(c) = self.clients.get_mut(&id) {
            c.flush_pending_push();
        }
        self.after_command(id);
        if let Some((ms, us)) = script_time {
            self.cmd_time_ms = ms;
            self.cmd_time_us = us;
        }
        // A handled command consumes a pending CLIENT REPLY SKIP.
        if let Some(c) = self.clients.get_mut(&id) {
            c.reply_mode = match c.reply_mode {
                ReplyMode::SkipNext => ReplyMode::Skip,
                ReplyMode::Skip => ReplyMode::On,
                m => m,
            };
        }
    }

    /// The gate: every check before the handler, in Valkey's order.
    fn process(&mut self, id: ClientId, argv: Vec<Vec<u8>>) {
        let table = CommandTable::get();
        let Some(mut spec) = table.lookup(&argv[0]) else {
            let err = unknown_command_error(&argv);
            return self.reject(id, None, err);
        };
        if !spec.subcommands.is_empty() {
            // A container: the subcommand picks the row (COMMAND alone runs the container's handler).
            match argv.get(1).and_then(|sub| spec.subcommand(sub)) {
                Some(sub) => spec = sub,
                None if spec.handler.is_some() => {}
                None if argv.len() < 2 => {
                    return self.reject(id, Some(spec), CommandError::WrongArity(spec.name.to_string()));
                }
                None => {
                    let err = CommandError::UnknownSubcommand(
                        truncate_lossy(&argv[1], 128),
                        String::from_utf8_lossy(&argv[0]).to_uppercase(),
                    );
                    return self.reject(id, Some(spec), err);
                }
            }
        }
        if !spec.arity_ok(argv.len()) {
            return self.reject(id, Some(spec), CommandError::WrongArity(spec.name.to_string()));
        }
        let client = &self.clients[&id];
        if !client.authenticated && self.acl.default_needs_auth() && !spec.has(flag::NO_AUTH) {
            return self.reject(id, Some(spec), CommandError::NoAuth);
        }
        if client.multi.is_some() && spec.has(flag::NO_MULTI) {
            return self.reject(id, Some(spec), CommandError::NotAllowedInMulti);
        }
        // ACL permissions: one flag test while only an all-powerful `default` user exists.
        if !self.acl.is_open() {
            if let Err(err) = crate::acl::check_client(self, id, spec, &argv) {
                return self.reject(id, Some(spec), err);
            }
        }
        if self.config.maxmemory != 0 {
            // Over maxmemory: evict first, and refuse commands that may grow memory if that failed.
            if let Err(err) = crate::evict::before_command(self, id, spec) {
                return self.reject(id, Some(spec), err);
            }
        }
        // A failed save with stop-writes-on-bgsave-error: writes get -MISCONF (one bool when saves work).
        if let Some(err) = crate::commands::persistence::disk_error(self, id, spec) {
            return self.reject(id, Some(spec), err);
        }
        let client = &self.clients[&id];
        if client.in_pubsub_context() && !allowed_in_pubsub_context(spec) {
            return self.reject(id, Some(spec), CommandError::PubSubContext(spec.name.to_string()));
        }
        if client.subscription_count() == 0 && matches!(spec.name, "unsubscribe" | "punsubscribe" | "sunsubscribe") {
            return self.reject(id, Some(spec), CommandError::NoSub(spec.name.to_string()));
        }
        // A script is past busy-reply-threshold: the host lets other clients in, and they get -BUSY. Only
        // possible while a command (the script) is running.
        if self.depth > 0 && !spec.has(flag::ALLOW_BUSY) {
            if let Some(err) = crate::scripting::busy_error(self) {
                return self.reject(id, Some(spec), err);
            }
        }
        if self.pause_applies(id, spec) {
            // CLIENT PAUSE: the command waits, with everything the client sends after it.
            self.blocking.postpone(id, argv);
            return;
        }
        let client = &self.clients[&id];
        if client.multi.is_some() && !matches!(spec.name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset") {
            let c = self.clients.get_mut(&id).expect("checked");
            c.multi.as_mut().expect("in multi").queued.push(argv);
            c.reply(&Reply::QUEUED);
            return;
        }
        let reply = self.call(id, spec, argv);
        if let Some(reply) = reply {
            if let Some(c) = self.clients.get_mut(&id) {
                c.reply(&reply);
            }
        }
    }

    /// Answers a command refused by the gate: counted as rejected, and it aborts an open MULTI.
    fn reject(&mut self, id: ClientId, spec: Option<&'static CommandSpec>, err: CommandError) {
        if let Some(spec) = spec {
            self.stats.command(spec).rejected_calls += 1;
        }
        let mut reply = Reply::from(err);
        let in_multi = self.clients.get(&id).is_some_and(|c| c.multi.is_some());
        if in_multi && spec.is_some_and(|s| s.name == "exec") {
            // A refused EXEC ends the transaction, saying why (Valkey's execCommandAbort).
            crate::commands::transactions::discard_transaction(self, id);
            let why = reply.error_text().unwrap_or("ERR").to_string();
            reply = Reply::Error(format!("EXECABORT Transaction discarded because of: {why}").into());
        }
        self.stats.count_error(reply.error_text().unwrap_or("ERR"));
        if let Some(c) = self.clients.get_mut(&id) {
            if let Some(m) = c.multi.as_mut() {
                m.aborted = true;
            }
            c.reply(&reply);
        }
    }

    /// Runs a command that passed the gate and returns its reply (`None` when the client blocked).
    /// EXEC and scripts call this for each command they run.
    pub fn call(&mut self, id: ClientId, spec: &'static CommandSpec, argv: Vec<Vec<u8>>) -> Option<Reply> {
        let handler = spec.handler.expect("containers resolve to subcommands before call");
        let skip = if spec.is_subcommand() { 2 } else { 1 };
        let start_us = self.call_start_us.take().unwrap_or_else(|| self.clock.now_us());
        let dirty_before = self.dirty;
        self.depth += 1;
        if self.depth == 1 {
            if let Some(c) = self.clients.get_mut(&id) {
                c.last_cmd = spec.name;
            }
        }
        let mut args = Args::new(argv, skip);
        // MONITOR and a log-everything SLOWLOG show arguments a handler may have moved into the keyspace.
        args.keep_original(self.propagate.enabled || crate::commands::server::wants_original_argv(self));
        let result = {
            let mut ctx = Ctx::new(self, id, spec);
            handler(&mut ctx, &mut args)
        };
        self.depth -= 1;
        // Wall clock, as Valkey's ustime(): a step of the system clock can make one duration 0.
        let elapsed_us = (self.clock.now_us() - start_us).max(0) as u64;
        let reply = match result {
            Ok(reply) => reply,
            Err(CommandError::Blocked) => {
                // Counted once, when the client is finally served or times out.
                crate::commands::server::on_blocked(self, id, spec, &args);
                self.blocking.park(id, args.into_argv(), spec);
                return None;
            }
            Err(e) => {
                self.stats.command(spec).failed_calls += 1;
                Reply::from(e)
            }
        };
        let stats = self.stats.command(spec);
        stats.calls += 1;
        stats.usec += elapsed_us;
        if let Some(text) = reply.error_text() {
            self.stats.count_error(text);
        }
        if let Some(c) = self.clients.get_mut(&id) {
            c.commands_processed += 1;
        }
        if self.propagate.enabled {
            if self.dirty > dirty_before {
                crate::propagate::command(self, id, spec, args.argv(), &reply);
            }
            if self.depth == 0 {
                crate::propagate::end_unit(self);
            }
        }
        crate::commands::server::after_call(self, id, spec, &args, elapsed_us);
        Some(reply)
    }

    /// After a top-level command: serve clients blocked on keys it made ready, release clients held by
    /// a CLIENT PAUSE that just ended.
    fn after_command(&mut self, _id: ClientId) {
        if self.depth != 0 {
            return;
        }
        if self.blocking.has_ready_keys() {
            crate::blocking::serve_ready_keys(self);
        }
        if self.blocking.has_postponed() && !self.is_paused() {
            crate::blocking::release_postponed(self);
        }
    }

    /// A CLIENT PAUSE is in force.
    pub fn is_paused(&self) -> bool {
        // Checked on every command: no clock read unless a pause was ever set.
        self.pause_until_ms != 0 && self.pause_until_ms > self.clock.now_ms()
    }

    /// CLIENT PAUSE holds this command: every command under PAUSE ALL; under PAUSE WRITE, commands that
    /// write or may replicate, and an EXEC whose queue has such a command.
    fn pause_applies(&self, id: ClientId, spec: &CommandSpec) -> bool {
        if !self.is_paused() {
            return false;
        }
        if !self.pause_writes_only {
            return true;
        }
        let writes = flag::WRITE | flag::MAY_REPLICATE;
        spec.flags & writes != 0
            || (spec.name == "exec" && crate::commands::transactions::queued_command_flags(self, id) & writes != 0)
    }

    /// Periodic work the host runs `hz` times a second: active expiry, blocked-client timeouts,
    /// idle-client timeouts are the host's (it owns the sockets).
    pub fn cron(&mut self) {
        self.cmd_time_us = self.clock.now_us();
        self.cmd_time_ms = self.cmd_time_us.div_euclid(1000);
        crate::expire::active_expire_cycle(self);
        crate::evict::cron(self);
        crate::blocking::expire_timeouts(self);
        if self.blocking.has_postponed() && !self.is_paused() {
            crate::blocking::release_postponed(self);
        }
        for db in &mut self.dbs {
            db.keys.rehash(100);
            db.expires.rehash(100);
        }
    }

    /// The earliest time the host must call [`Engine::cron`] for a blocked client's timeout.
    pub fn next_timeout_ms(&self) -> Option<i64> {
        let pause_end = (self.blocking.has_postponed() && self.pause_until_ms > 0).then_some(self.pause_until_ms);
        match (self.blocking.next_deadline_ms(), pause_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Seconds since the engine started, the clock OBJECT IDLETIME is measured with.
    pub fn lru_clock(&self) -> u32 {
        ((self.cmd_time_ms - self.start_ms).max(0) / 1000) as u32
    }
}

/// Commands a RESP2 client may send while subscribed.
fn allowed_in_pubsub_context(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "ping"
            | "subscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "sunsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "quit"
            | "reset"
    )
}

/// `unknown command 'foo', with args beginning with: 'a' 'b' ` (args quoted until 128 bytes).
fn unknown_command_error(argv: &[Vec<u8>]) -> CommandError {
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push('\'');
        args.push_str(&truncate_lossy(a, room));
        args.push_str("' ");
    }
    CommandError::UnknownCommand(truncate_lossy(&argv[0], 128), args)
}

/// Like C's `%.Ns` on user input: at most `max` bytes, stopping at a NUL.
pub(crate) fn truncate_lossy(b: &[u8], max: usize) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len()).min(max);
    String::from_utf8_lossy(&b[..end]).into_owned()
}
