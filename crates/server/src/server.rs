//! The TCP server: accepts connections, feeds each connection's parsed commands to the engine in batches,
//! and writes replies back in batches.
//!
//! Everything runs on one thread (a tokio `LocalRuntime`), as Valkey's main thread does: the engine sits in
//! a `RefCell` that a connection borrows for a whole batch of pipelined commands and releases before it
//! awaits the socket. No locks, no channels.
//!
//! Replies go out once per round, as Valkey writes them in `beforeSleep`: a connection that ran commands,
//! and a client that got output from someone else's command (pub/sub, a blocked client served), joins
//! the flush list, and the flusher task, woken once by the first of them, runs after every connection
//! the reactor found ready and writes each one's output. Only output the socket cannot take at once goes
//! back to the connection's own task, which waits for room.

use crate::clock::SystemClock;
use crate::listen::{Listener, Peer, Stream};
use crate::signal::Signal;
use crate::{notice, verbose, warning};
use bytes::{Buf, BytesMut};
use ferrokey_core::client::{ClientId, ConnInfo, OutputMode};
use ferrokey_core::config::Config;
use ferrokey_core::resp::{CommandDecoder, DecodeLimits};
use ferrokey_core::Engine;
use std::cell::Cell;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

/// Bytes read per socket read, as Valkey's PROTO_IOBUF_LEN.
const READ_CHUNK: usize = 16 * 1024;

pub struct Server {
    pub engine: RefCell<Engine>,
    /// Every connection, shared between its task and whoever must reach its socket while that task
    /// waits (the busy-script host).
    conns: RefCell<HashMap<ClientId, Rc<Conn>>>,
    /// Connections with output to write this round, and the flusher's wake-up.
    to_flush: RefCell<Vec<Rc<Conn>>>,
    flush_due: Signal,
    /// Wakes the cron task early (a client blocked with a timeout sooner than the next tick).
    timers: Signal,
    /// SHUTDOWN asked the process to exit.
    shutdown: Signal,
}

/// One connection: its socket, what was read but not yet run, and its wake-up handle.
pub struct Conn {
    id: ClientId,
    stream: Stream,
    input: RefCell<Input>,
    /// Output taken from the engine that the socket could not take yet; while it is not empty, only the
    /// connection's task writes (so output stays in order).
    unsent: RefCell<Vec<u8>>,
    /// In `Server::to_flush`.
    queued: Cell<bool>,
    /// The flusher (or a close) needs the task: output is waiting for room, or the client must go.
    wake: Signal,
    /// What `client-output-buffer-limit` looks at.
    output: crate::output_limit::OutputState,
}

struct Input {
    buf: BytesMut,
    decoder: CommandDecoder,
    /// The peer closed its side, or the socket failed.
    eof: bool,
    /// The last read filled the buffer's room: the socket may hold more.
    more: bool,
}

impl Server {
    pub fn new(config: Config, seed: u64) -> Rc<Server> {
        Rc::new(Server {
            engine: RefCell::new(Engine::new(config, Box::new(SystemClock::new()), seed)),
            conns: RefCell::new(HashMap::default()),
            to_flush: RefCell::new(Vec::new()),
            flush_due: Signal::default(),
            timers: Signal::default(),
            shutdown: Signal::default(),
        })
    }

    /// Resolves when a client runs SHUTDOWN.
    pub async fn shutdown_requested(&self) {
        self.shutdown.wait().await
    }

    /// Registers a new connection with the engine and starts its task; refuses it past `maxclients`,
    /// and from another host under protected mode.
    pub(crate) fn admit(self: &Rc<Self>, eng: &mut Engine, stream: Stream, peer: Peer) {
        if eng.clients.len() >= eng.config.maxclients as usize {
            eng.stats.rejected_connections += 1;
            // Best effort, as Valkey: the socket is new, so its buffer has room for one line.
            let _ = stream.try_write(b"-ERR max number of clients reached\r\n");
            return;
        }
        let fd = raw_fd(&stream);
        let id =
            eng.connect(ConnInfo { addr: peer.addr.clone(), laddr: peer.laddr.clone(), fd, output: OutputMode::Resp });
        if crate::listen::refuse_unprotected(eng, id, &peer) {
            let _ = stream.try_write(crate::listen::DENIED);
            return;
        }
        let conn = Rc::new(Conn {
            id,
            stream,
            input: RefCell::new(Input {
                buf: BytesMut::with_capacity(READ_CHUNK),
                decoder: CommandDecoder::new(),
                eof: false,
                more: false,
            }),
            unsent: RefCell::new(Vec::new()),
            queued: Cell::new(false),
            wake: Signal::default(),
            output: Default::default(),
        });
        self.conns.borrow_mut().insert(id, conn.clone());
        let srv = self.clone();
        tokio::task::spawn_local(async move { srv.serve(conn).await });
    }

    /// One connection's task, from accept to close.
    async fn serve(self: Rc<Self>, conn: Rc<Conn>) {
        let id = conn.id;
        loop {
            // Input, or the flusher's call: output that must wait for room, or a close.
            let input = poll_fn(|cx| {
                if conn.wake.poll_take(cx) {
                    return Poll::Ready(Ok(false));
                }
                conn.stream.poll_read_ready(cx).map_ok(|()| true)
            })
            .await;
            match input {
                Err(_) => break,
                Ok(true) => {
                    if self.read_and_run(&conn) {
                        break;
                    }
                    if !self.closing(&conn) {
                        self.queue_flush(&conn);
                        if conn.input.borrow().more {
                            // A big pipeline: one chunk per turn, as Valkey reads, so the others run too.
                            tokio::task::yield_now().await;
                        }
                        continue;
                    }
                }
                Ok(false) => {}
            }
            if self.flush(&conn).await.is_err() || self.closing(&conn) {
                break;
            }
        }
        self.conns.borrow_mut().remove(&id);
        let mut eng = self.engine.borrow_mut();
        eng.disconnect(id);
        self.wake_others(&mut eng, id);
    }

    /// The client asked to go (QUIT, CLIENT KILL, a protocol error ...), or closed its side.
    fn closing(&self, conn: &Conn) -> bool {
        self.engine.borrow().should_close(conn.id) || conn.input.borrow().eof
    }

    /// Puts a connection on this round's flush list; the first one wakes the flusher.
    fn queue_flush(&self, conn: &Rc<Conn>) {
        if conn.queued.replace(true) {
            return;
        }
        let mut list = self.to_flush.borrow_mut();
        if list.is_empty() {
            self.flush_due.raise();
        }
        list.push(conn.clone());
    }

    /// The flusher task: once every connection the reactor woke has run its commands, writes their
    /// output (Valkey's `handleClientsWithPendingWrites`).
    pub async fn flush_loop(self: Rc<Self>) {
        let mut batch = Vec::new();
        loop {
            self.flush_due.wait().await;
            std::mem::swap(&mut batch, &mut *self.to_flush.borrow_mut());
            let mut eng = self.engine.borrow_mut();
            for conn in batch.drain(..) {
                conn.queued.set(false);
                write_now(&mut eng, &conn);
            }
        }
    }

    /// Reads what the socket has and runs every complete command. True when the peer is gone.
    fn read_and_run(&self, conn: &Conn) -> bool {
        let mut input = conn.input.borrow_mut();
        let read = read_available(&conn.stream, &mut input);
        if read == 0 {
            return input.eof;
        }
        let mut eng = self.engine.borrow_mut();
        // Checked before running anything, as Valkey does: the client is closed, nothing it sent runs.
        let qbuf = input.buf.len() + input.decoder.pending_bytes();
        if qbuf > eng.config.client_query_buffer_limit as usize {
            warning!(
                "Closing client that reached max query buffer length: id={} qbuf={qbuf} (qbuf initial bytes: {:?})",
                conn.id,
                String::from_utf8_lossy(&input.buf[..input.buf.len().min(64)])
            );
            return true;
        }
        self.process_input(&mut eng, conn.id, &mut input, read);
        false
    }

    /// Writes everything queued for the connection, waiting for room in the socket as long as needed.
    async fn flush(&self, conn: &Conn) -> std::io::Result<()> {
        loop {
            {
                let mut eng = self.engine.borrow_mut();
                let mut unsent = conn.unsent.borrow_mut();
                if let Some(out) = eng.output_mut(conn.id) {
                    unsent.extend_from_slice(out);
                    release_output(out);
                }
                while !unsent.is_empty() {
                    match conn.stream.try_write(&unsent) {
                        Ok(n) => {
                            unsent.drain(..n);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e),
                    }
                }
                conn.output.unsent.set(unsent.len());
                if unsent.is_empty() {
                    return Ok(());
                }
            }
            poll_fn(|cx| conn.stream.poll_write_ready(cx)).await?;
        }
    }

    /// Runs every complete command in the read buffer, then wakes the clients that got output.
    fn process_input(&self, eng: &mut Engine, id: ClientId, input: &mut Input, read: usize) {
        eng.stats.net_input_bytes += read as u64;
        run_commands(eng, id, input);
        // What the commands propagated reaches the AOF before their replies reach the client.
        ferrokey_core::commands::persistence::before_sleep(eng);
        self.enforce_output_limit(eng, id);
        self.wake_others(eng, id);
        if eng.blocking.blocked_count() > 0 {
            self.timers.raise();
        }
        if ferrokey_core::commands::server::take_shutdown(eng).is_some() {
            self.shutdown.raise();
        }
        // DEBUG SLEEP: the whole server stops, as Valkey's single thread does.
        let sleep_us = ferrokey_core::commands::server::take_host_sleep_us(eng);
        if sleep_us > 0 {
            std::thread::sleep(Duration::from_micros(sleep_us));
        }
    }

    /// While a script keeps the engine busy: accept new clients, run what the others sent (the gate
    /// answers most of it `-BUSY`), and write their replies without waiting.
    pub fn serve_while_busy(self: &Rc<Self>, eng: &mut Engine, listeners: &[Rc<Listener>]) {
        // tokio's own try_ calls trust readiness its reactor records, and the reactor does not run while a
        // script holds the thread: these go to the sockets directly.
        for l in listeners {
            crate::listen::accept_while_busy(self, eng, l);
        }
        let conns: Vec<Rc<Conn>> = self.conns.borrow().values().cloned().collect();
        for conn in conns {
            // The connection running the script holds its input: skip it.
            let Ok(mut input) = conn.input.try_borrow_mut() else { continue };
            if read_direct(&conn.stream, &mut input) > 0 {
                run_commands(eng, conn.id, &mut input);
            }
            let out = eng.take_output(conn.id);
            let mut unsent = conn.unsent.borrow_mut();
            unsent.extend_from_slice(&out);
            while !unsent.is_empty() {
                match socket2::SockRef::from(&conn.stream).send(&unsent) {
                    Ok(n) => {
                        unsent.drain(..n);
                    }
                    Err(_) => break,
                }
            }
            if !unsent.is_empty() || input.eof || eng.should_close(conn.id) {
                // Its task finishes the job once the script is over.
                eng.woken.push(conn.id);
            }
        }
        if ferrokey_core::commands::server::take_shutdown(eng).is_some() {
            warning!("User requested shutdown...");
            notice!("ferrokey is now ready to exit, bye bye...");
            std::process::exit(0);
        }
    }

    /// Wakes the tasks of clients that got output from someone else's command.
    fn wake_others(&self, eng: &mut Engine, me: ClientId) {
        if eng.woken.is_empty() {
            return;
        }
        let woken = eng.take_woken();
        let conns = self.conns.borrow();
        for id in woken {
            if id != me {
                if let Some(n) = conns.get(&id) {
                    close_if_over_output_limit(eng, n);
                    self.queue_flush(n);
                }
            }
        }
    }

    /// `client-output-buffer-limit` for the client whose commands just ran.
    fn enforce_output_limit(&self, eng: &mut Engine, id: ClientId) {
        if let Some(conn) = self.conns.borrow().get(&id) {
            close_if_over_output_limit(eng, conn);
        }
    }

    /// The periodic work: the engine's cron `hz` times a second, blocked-client timeouts when due, and
    /// closing clients idle for longer than `timeout`.
    pub async fn cron_loop(self: Rc<Self>) {
        let mut next_cron = tokio::time::Instant::now();
        loop {
            let (period, until_timeout) = {
                let eng = self.engine.borrow();
                let period = Duration::from_millis(1000 / eng.config.hz.clamp(1, 500) as u64);
                let until = eng.next_timeout_ms().map(|at| {
                    let now = ferrokey_core::Clock::now_ms(&*eng.clock);
                    Duration::from_millis((at - now + 1).max(0) as u64)
                });
                (period, until)
            };
            let mut wake_at = next_cron;
            if let Some(d) = until_timeout {
                wake_at = wake_at.min(tokio::time::Instant::now() + d);
            }
            tokio::select! {
                _ = tokio::time::sleep_until(wake_at) => {}
                _ = self.timers.wait() => continue,
            }
            let mut eng = self.engine.borrow_mut();
            if tokio::time::Instant::now() >= next_cron {
                eng.cron();
                // Reap a finished BGSAVE child; start one when a save point is due.
                let now_ms = ferrokey_core::Clock::now_ms(&*eng.clock);
                ferrokey_core::commands::persistence::cron(&mut eng, now_ms);
                ferrokey_core::commands::persistence::before_sleep(&mut eng);
                self.close_idle_clients(&mut eng);
                next_cron += period;
                if next_cron < tokio::time::Instant::now() {
                    next_cron = tokio::time::Instant::now() + period;
                }
            } else {
                ferrokey_core::blocking::expire_timeouts(&mut eng);
            }
            self.wake_others(&mut eng, 0);
        }
    }

    /// `timeout`: idle clients are closed, but never subscribers or blocked clients.
    fn close_idle_clients(&self, eng: &mut Engine) {
        let timeout_ms = eng.config.timeout_secs * 1000;
        if timeout_ms <= 0 {
            return;
        }
        let now = ferrokey_core::Clock::now_ms(&*eng.clock);
        let idle: Vec<ClientId> = eng
            .clients
            .values()
            .filter(|c| c.subscription_count() == 0 && !c.monitor && now - c.last_interaction_ms > timeout_ms)
            .map(|c| c.id)
            .filter(|id| !eng.blocking.is_blocked(*id))
            .collect();
        for id in idle {
            verbose!("Closing idle client");
            if let Some(c) = eng.client_mut(id) {
                c.close_after_reply = true;
            }
            eng.woken.push(id);
        }
    }
}

/// The host side of long scripts: while one keeps the engine busy, the server keeps answering.
pub struct BusyHost {
    pub srv: std::rc::Weak<Server>,
    pub listeners: Vec<Rc<Listener>>,
    /// Set by SIGTERM/SIGINT: tokio's signal handling cannot run while a script holds the thread.
    pub terminate: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl ferrokey_core::scripting::ScriptHost for BusyHost {
    fn busy(&mut self, eng: &mut Engine, _script: &ferrokey_core::scripting::BusyScript) {
        if self.terminate.load(std::sync::atomic::Ordering::Relaxed) {
            warning!("Received SIGTERM during a busy script, exiting now.");
            std::process::exit(0);
        }
        if let Some(srv) = self.srv.upgrade() {
            srv.serve_while_busy(eng, &self.listeners);
        }
    }

    fn log(&mut self, level: ferrokey_core::scripting::LogLevel, line: &str) {
        use ferrokey_core::scripting::LogLevel as L;
        let level = match level {
            L::Debug => crate::log::Level::Debug,
            L::Verbose => crate::log::Level::Verbose,
            L::Notice => crate::log::Level::Notice,
            L::Warning => crate::log::Level::Warning,
        };
        crate::log::log(level, line);
    }
}

/// Reads what the socket has now, without waiting: one chunk, so one busy client cannot starve the
/// others. Returns the bytes read; 0 when there was nothing (or the peer closed: `input.eof`).
fn read_available(stream: &Stream, input: &mut Input) -> usize {
    if input.buf.capacity() - input.buf.len() < READ_CHUNK {
        input.buf.reserve(READ_CHUNK);
    }
    let room = input.buf.capacity() - input.buf.len();
    let read = stream.read_into(&mut input.buf);
    input.more = matches!(read, Ok(n) if n == room);
    match read {
        Ok(0) => {
            input.eof = true;
            0
        }
        Ok(n) => n,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
        Err(_) => {
            input.eof = true;
            0
        }
    }
}

/// Writes a connection's output now if the socket takes it; what it does not take waits in `unsent` for
/// the connection's task, which is woken for it (and for a close).
fn write_now(eng: &mut Engine, conn: &Conn) {
    let closing = eng.should_close(conn.id);
    if !conn.unsent.borrow().is_empty() {
        // The task is waiting for room: it writes this output after what it holds.
        conn.wake.raise();
        return;
    }
    if let Some(out) = eng.output_mut(conn.id) {
        let mut written = 0;
        while written < out.len() {
            match conn.stream.try_write(&out[written..]) {
                Ok(n) => written += n,
                // A write error is the task's to find again (and close on).
                Err(_) => break,
            }
        }
        if written < out.len() {
            let mut unsent = conn.unsent.borrow_mut();
            unsent.extend_from_slice(&out[written..]);
            conn.output.unsent.set(unsent.len());
            conn.wake.raise();
        }
        release_output(out);
    }
    if closing {
        conn.wake.raise();
    }
}

/// Empties a client's output buffer, keeping its allocation for the next replies unless it grew large.
fn release_output(out: &mut Vec<u8>) {
    out.clear();
    if out.capacity() > READ_CHUNK {
        *out = Vec::new();
    }
}

/// [`read_available`] past tokio's readiness cache, for when its reactor cannot run (a busy script).
fn read_direct(stream: &Stream, input: &mut Input) -> usize {
    use std::io::Read;
    let mut chunk = [0u8; READ_CHUNK];
    match (&*socket2::SockRef::from(stream)).read(&mut chunk) {
        Ok(0) => {
            input.eof = true;
            0
        }
        Ok(n) => {
            input.buf.extend_from_slice(&chunk[..n]);
            n
        }
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => 0,
        Err(_) => {
            input.eof = true;
            0
        }
    }
}

/// Runs every complete command in the input buffer. A protocol error answers Valkey's error and marks
/// the client to be closed; what follows it is dropped.
fn run_commands(eng: &mut Engine, id: ClientId, input: &mut Input) {
    loop {
        let Some(client) = eng.client(id) else { return };
        if client.close_after_reply {
            return;
        }
        let limits = DecodeLimits { max_bulk_len: eng.config.proto_max_bulk_len, auth_required: !client.authenticated };
        match input.decoder.decode(&input.buf, limits) {
            Ok((used, cmd)) => {
                input.buf.advance(used);
                match cmd {
                    Some(argv) => eng.execute(id, argv),
                    None if used == 0 => return,
                    None => {}
                }
            }
            Err(e) => {
                verbose!("Protocol error ({e}) from client: id={id}");
                eng.protocol_error(id, &e);
                input.buf.clear();
                return;
            }
        }
    }
}

/// Closes a client past its output buffer limit. Shutting the socket down also ends a write that is
/// waiting for the peer to read, which is where a slow subscriber's task is.
fn close_if_over_output_limit(eng: &mut Engine, conn: &Conn) {
    if crate::output_limit::over_limit(eng, conn.id, &conn.output) {
        crate::output_limit::schedule_close(eng, conn.id);
        let _ = socket2::SockRef::from(&conn.stream).shutdown(std::net::Shutdown::Both);
    }
}

/// The socket's file descriptor, for CLIENT LIST's `fd=`.
fn raw_fd(stream: &Stream) -> i64 {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        stream.as_raw_fd() as i64
    }
    #[cfg(not(unix))]
    {
        let _ = stream;
        -1
    }
}
