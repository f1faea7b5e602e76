//! A session with one server: connecting (AUTH, SELECT, HELLO 3), sending a command and printing its
//! replies, and following what the command changed (database, MULTI, subscribed mode, MONITOR, RESP3).
//!
//! This mirrors valkey-cli's `cliConnect`, `cliSendCommand` and `cliReadReply`, including their exits:
//! a one-shot command whose connection fails ends the process, an interactive one goes "not connected".

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use ferrokey_core::Reply;

use super::conn::{ConnError, Connection};
use super::format::{format_invalidate, format_reply, invalidate_keys, OutputMode};
use super::help;
use super::options::{Options, Resp3};

/// What happens to a RESP3 push that arrives while a command waits for its reply (hiredis's push
/// callback states, which valkey-cli switches around SUBSCRIBE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PushHandling {
    /// Printed aside (stdout is a terminal, or `--show-pushes yes`).
    Print,
    /// Dropped silently.
    Drop,
    /// Treated as a reply: pub/sub messages while subscribing or subscribed.
    InBand,
}

pub struct Session {
    pub opts: Options,
    conn: Option<Connection>,
    /// The database the connection is in, and the one the user asked for (`-n`, SELECT).
    dbnum: i64,
    input_dbnum: i64,
    in_multi: bool,
    pre_multi_dbnum: i64,
    pub pubsub_mode: bool,
    monitor_mode: bool,
    /// SHUTDOWN was sent: the connection closing is its success.
    shutdown: bool,
    current_resp3: bool,
    push: PushHandling,
    /// An interactive session survives lost connections; a one-shot command exits on them.
    pub interactive: bool,
}

/// Commands whose reply is text meant to be read as is, even on a terminal.
fn prints_verbatim(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, name: &str| argv.get(i).is_some_and(|a| a.eq_ignore_ascii_case(name.as_bytes()));
    let argc = argv.len();
    is(0, "info")
        || is(0, "lolwut")
        || (is(0, "debug") && (is(1, "htstats") || is(1, "htstats-key") || is(1, "client-eviction")))
        || (is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (is(0, "client") && (is(1, "list") || is(1, "info")))
        || (argc == 3 && is(0, "latency") && is(1, "graph"))
        || (argc == 2 && is(0, "latency") && is(1, "doctor"))
        || (is(0, "proxy") && is(1, "info"))
}

/// Writes to stdout at once. A closed stdout (`| head`) ends the process quietly.
pub fn emit(bytes: &[u8]) {
    let mut out = io::stdout().lock();
    if out.write_all(bytes).and_then(|()| out.flush()).is_err() {
        std::process::exit(1);
    }
}

/// C's `atoi` on bytes, for SELECT's argument.
fn atoi_bytes(b: &[u8]) -> i64 {
    super::uri::atoi(&String::from_utf8_lossy(b))
}

impl Session {
    pub fn new(opts: Options, interactive: bool) -> Session {
        let input_dbnum = opts.conn.dbnum;
        let push = if opts.push_output { PushHandling::Print } else { PushHandling::Drop };
        Session {
            opts,
            conn: None,
            dbnum: 0,
            input_dbnum,
            in_multi: false,
            pre_multi_dbnum: 0,
            pubsub_mode: false,
            monitor_mode: false,
            shutdown: false,
            current_resp3: false,
            push,
            interactive,
        }
    }

    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The prompt: `127.0.0.1:6379[2](TX)> `, or `not connected> `.
    pub fn prompt(&self) -> String {
        if self.conn.is_none() {
            return "not connected> ".to_owned();
        }
        let host = &self.opts.conn.host;
        let mut p = if host.contains(':') {
            format!("[{host}]:{}", self.opts.conn.port)
        } else {
            format!("{host}:{}", self.opts.conn.port)
        };
        if self.dbnum != 0 {
            p.push_str(&format!("[{}]", self.dbnum));
        }
        if self.in_multi {
            p.push_str("(TX)");
        }
        if self.pubsub_mode {
            p.push_str("(subscribed mode)");
        }
        p.push_str("> ");
        p
    }

    /// Points the session at another server (the interactive `connect host port`).
    pub fn set_address(&mut self, host: String, port: i64) {
        self.opts.conn.host = host;
        self.opts.conn.port = port;
    }

    /// Connects (again, when `force`), then AUTH, SELECT and HELLO 3 as asked. False when any step
    /// failed; a connection whose handshake failed is kept, as valkey-cli keeps it.
    pub fn connect(&mut self, force: bool, quiet: bool) -> bool {
        if self.conn.is_some() && !force {
            return true;
        }
        if self.conn.take().is_some() {
            self.dbnum = 0;
            self.in_multi = false;
            self.pubsub_mode = false;
        }
        self.monitor_mode = false;
        let info = &self.opts.conn;
        let port = u16::try_from(info.port).unwrap_or(0);
        match Connection::connect(&info.host, port, self.opts.connect_timeout) {
            Ok(conn) => self.conn = Some(conn),
            Err(message) => {
                if !quiet {
                    eprintln!("Could not connect to Valkey at {}:{}: {message}", info.host, info.port);
                }
                return false;
            }
        }
        self.current_resp3 = false;
        self.push = if self.opts.push_output { PushHandling::Print } else { PushHandling::Drop };
        self.auth() && self.select() && self.switch_to_resp3()
    }

    /// Forgets a broken connection and the state that lived in it. (valkey-cli keeps its database
    /// number here, so after a reconnect its prompt shows a database the new connection is not in;
    /// forgetting it makes the reconnect SELECT the database again.)
    fn drop_connection(&mut self) {
        self.conn = None;
        self.dbnum = 0;
        self.in_multi = false;
        self.pubsub_mode = false;
        self.monitor_mode = false;
    }

    /// A handshake command; an I/O failure drops the connection so the next command reconnects.
    fn handshake(&mut self, argv: &[&[u8]]) -> Option<Reply> {
        let conn = self.conn.as_mut()?;
        match conn.call(argv) {
            Ok(reply) => Some(reply),
            Err(_) => {
                eprintln!("\nI/O error");
                self.drop_connection();
                None
            }
        }
    }

    fn auth(&mut self) -> bool {
        let Some(password) = self.opts.conn.auth.clone() else {
            return true;
        };
        let reply = match self.opts.conn.user.clone() {
            Some(user) => self.handshake(&[b"AUTH", &user, &password]),
            None => self.handshake(&[b"AUTH", &password]),
        };
        match reply {
            Some(Reply::Error(e)) => {
                eprintln!("AUTH failed: {e}");
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    /// SELECT the database the user wants when the connection is elsewhere.
    fn select(&mut self) -> bool {
        if self.input_dbnum == self.dbnum {
            return true;
        }
        let db = self.input_dbnum.to_string();
        match self.handshake(&[b"SELECT", db.as_bytes()]) {
            Some(Reply::Error(e)) => {
                eprintln!("SELECT {db} failed: {e}");
                false
            }
            Some(_) => {
                self.dbnum = self.input_dbnum;
                true
            }
            None => false,
        }
    }

    fn switch_to_resp3(&mut self) -> bool {
        if self.opts.resp3 == Resp3::No || self.opts.resp2 {
            return true;
        }
        match self.handshake(&[b"HELLO", b"3"]) {
            Some(Reply::Error(e)) => {
                eprintln!("HELLO 3 failed: {e}");
                self.opts.resp3 != Resp3::Required
            }
            Some(_) => {
                self.current_resp3 = true;
                true
            }
            None => false,
        }
    }

    /// Runs `argv` `repeat` times (a negative count: forever), connecting first if needed. False when
    /// the command could not be run; the reason was printed.
    pub fn issue_command(&mut self, argv: &[Vec<u8>], repeat: i64) -> bool {
        let Some(name) = argv.first() else {
            return true;
        };
        if name.eq_ignore_ascii_case(b"help") || name == b"?" {
            emit(help::interactive_help(&argv[1..]).as_bytes());
            return true;
        }
        if self.conn.is_none() && !self.connect(true, false) {
            return false;
        }
        match self.send_command(argv, repeat) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("Error: {e}");
                self.drop_connection();
                false
            }
        }
    }

    fn send_command(&mut self, argv: &[Vec<u8>], mut repeat: i64) -> Result<(), ConnError> {
        let name = argv[0].to_ascii_lowercase();
        let name = name.as_slice();
        let verbatim = prints_verbatim(argv);
        if name == b"shutdown" {
            self.shutdown = true;
        }
        if name == b"monitor" {
            self.monitor_mode = true;
        }
        let is_subscribe = matches!(name, b"subscribe" | b"psubscribe" | b"ssubscribe");
        let is_unsubscribe = matches!(name, b"unsubscribe" | b"punsubscribe" | b"sunsubscribe");

        while repeat != 0 {
            repeat -= i64::from(repeat > 0);
            let Some(conn) = self.conn.as_mut() else {
                return Ok(());
            };
            conn.send(argv)?;

            if self.monitor_mode {
                // Every line the server sends is printed until an error or Ctrl-C ends the mode.
                while self.monitor_mode {
                    match self.read_and_print(verbatim)? {
                        Some(Reply::Error(_)) => self.monitor_mode = false,
                        Some(_) => {}
                        None => break,
                    }
                }
                return Ok(());
            }

            let mut expected_confirmations = 0;
            if is_subscribe || is_unsubscribe {
                // One confirmation per channel named, or at least one; they come as pushes in RESP3.
                expected_confirmations = argv.len().saturating_sub(1).max(1);
                self.push = PushHandling::InBand;
            }

            let reply = loop {
                let reply = self.read_and_print(verbatim)?;
                if self.pubsub_mode || expected_confirmations > 0 {
                    match &reply {
                        Some(r) if self.is_pubsub_push(r) => {
                            let confirms = match r {
                                Reply::Array(items) | Reply::Push(items) => {
                                    matches!(&items[0], Reply::Bulk(kind) if kind.eq_ignore_ascii_case(name))
                                }
                                _ => false,
                            };
                            if expected_confirmations > 0 && confirms {
                                if is_subscribe {
                                    self.pubsub_mode = true;
                                }
                                expected_confirmations -= 1;
                                if expected_confirmations > 0 {
                                    continue;
                                }
                            } else {
                                continue; // a message, not the reply
                            }
                        }
                        Some(Reply::Push(_)) => continue,
                        _ => {}
                    }
                }
                break reply;
            };
            self.after_reply(argv, name, reply.as_ref(), is_subscribe || is_unsubscribe);

            if !self.opts.interval.is_zero() {
                std::thread::sleep(self.opts.interval);
            }
        }
        Ok(())
    }

    /// Follows the state a command changed once its reply is in.
    fn after_reply(&mut self, argv: &[Vec<u8>], name: &[u8], reply: Option<&Reply>, pubsub_command: bool) {
        let argc = argv.len();
        let failed = matches!(reply, Some(Reply::Error(_)));
        match name {
            b"select" if argc == 2 && !failed => {
                self.dbnum = atoi_bytes(&argv[1]);
                self.input_dbnum = self.dbnum;
            }
            b"auth" if argc == 2 || argc == 3 => {
                self.select();
            }
            b"multi" if argc == 1 && !failed => {
                self.in_multi = true;
                self.pre_multi_dbnum = self.dbnum;
            }
            b"exec" if argc == 1 && self.in_multi => {
                self.in_multi = false;
                // An aborted transaction did not run its SELECTs.
                if failed || matches!(reply, Some(Reply::Null | Reply::NullArray)) {
                    self.dbnum = self.pre_multi_dbnum;
                    self.input_dbnum = self.dbnum;
                }
            }
            b"discard" if argc == 1 && !failed => {
                self.in_multi = false;
                self.dbnum = self.pre_multi_dbnum;
                self.input_dbnum = self.dbnum;
            }
            b"reset" if argc == 1 && !failed => {
                self.in_multi = false;
                self.dbnum = 0;
                self.input_dbnum = 0;
                self.current_resp3 = false;
                if self.pubsub_mode && self.opts.push_output {
                    self.push = PushHandling::Print;
                }
                self.pubsub_mode = false;
            }
            b"hello" => match reply {
                Some(Reply::Map(_)) => self.current_resp3 = true,
                Some(Reply::Array(_)) => self.current_resp3 = false,
                _ => {}
            },
            // Not subscribed after all: pushes go back to being shown aside (or stay in band).
            _ if pubsub_command && !self.pubsub_mode && self.opts.push_output => self.push = PushHandling::Print,
            _ => {}
        }
    }

    /// A pub/sub message or confirmation: `[p|s]message` or `[p|s][un]subscribe` with its arguments.
    fn is_pubsub_push(&self, reply: &Reply) -> bool {
        let items = match (reply, self.current_resp3) {
            (Reply::Push(items), true) | (Reply::Array(items), false) => items,
            _ => return false,
        };
        match items.first() {
            Some(Reply::Bulk(kind)) if items.len() >= 3 => kind.ends_with(b"message") || kind.ends_with(b"subscribe"),
            _ => false,
        }
    }

    /// Reads the next reply and prints it. `None`: there is no reply to act on (the server went away
    /// after SHUTDOWN, or Ctrl-C ended MONITOR or subscribed mode and the session reconnected).
    pub fn read_and_print(&mut self, verbatim: bool) -> Result<Option<Reply>, ConnError> {
        loop {
            let Some(conn) = self.conn.as_mut() else {
                return Ok(None);
            };
            let reply = match conn.read_reply() {
                Ok(reply) => reply,
                Err(e) => return self.read_failed(e).map(|()| None),
            };
            if let Reply::Push(items) = &reply {
                match self.push {
                    PushHandling::Drop => continue,
                    PushHandling::Print => {
                        let text = match invalidate_keys(&reply) {
                            Some(keys) if self.opts.output == OutputMode::Human => format_invalidate(keys),
                            _ => format_reply(&Reply::Push(items.clone()), self.opts.output, false, &self.opts.delims),
                        };
                        emit(&text);
                        continue;
                    }
                    PushHandling::InBand => {}
                }
            }
            if !self.interactive && self.opts.set_errcode {
                if let Reply::Error(e) = &reply {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            }
            emit(&format_reply(&reply, self.opts.output, verbatim, &self.opts.delims));
            return Ok(Some(reply));
        }
    }

    /// What a failed read means: reconnect after Ctrl-C in MONITOR or subscribed mode, nothing after
    /// SHUTDOWN, "not connected" for an interactive session, and the end for a one-shot command.
    fn read_failed(&mut self, e: ConnError) -> Result<(), ConnError> {
        if matches!(e, ConnError::Interrupted) {
            if self.monitor_mode || self.pubsub_mode {
                self.monitor_mode = false;
                self.pubsub_mode = false;
                if self.connect(true, false) {
                    return Ok(());
                }
                std::process::exit(1);
            }
            std::process::exit(1);
        }
        if self.shutdown {
            self.drop_connection();
            return Ok(());
        }
        if self.interactive && e.is_connection_lost() {
            return Err(e);
        }
        eprintln!("Error: {e}");
        std::process::exit(1);
    }

    /// Subscribed mode of a one-shot command: print messages until the connection ends.
    pub fn follow_messages(&mut self) {
        while self.pubsub_mode {
            if let Err(e) = self.read_and_print(false) {
                eprintln!("Error: {e}");
                std::process::exit(1);
            }
        }
    }

    /// Subscribed mode at the prompt: print messages until a key is pressed (back to the prompt, still
    /// subscribed) or Ctrl-C (unsubscribe by reconnecting).
    pub fn wait_for_messages_or_stdin(&mut self) {
        let show_info = self.opts.output != OutputMode::Raw
            && (io::stdout().is_terminal() || std::env::var_os("FAKETTY").is_some());
        let color = show_info && std::env::var("TERM").is_ok_and(|t| t.contains("xterm"));
        let _keys = super::tty::AnyKeyMode::enter();
        while self.pubsub_mode {
            let Some(conn) = self.conn.as_mut() else {
                return;
            };
            // Replies that came along with the last read are printed before waiting.
            loop {
                match conn.buffered_reply() {
                    Ok(Some(reply)) => emit(&format_reply(&reply, self.opts.output, false, &self.opts.delims)),
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("Error: {e}");
                        std::process::exit(1);
                    }
                }
            }
            if show_info {
                let (on, off) = if color { ("\x1b[1;90m", "\x1b[0m") } else { ("", "") };
                emit(
                    format!("{on}Reading messages... (press Ctrl-C to quit or any key to type command){off}\r")
                        .as_bytes(),
                );
            }
            let ready = conn.wait_server_or_stdin(5000);
            if show_info {
                emit(b"\x1b[K");
            }
            match ready {
                Err(ConnError::Interrupted) => {
                    self.pubsub_mode = false;
                    if !self.connect(true, false) {
                        std::process::exit(1);
                    }
                    return;
                }
                Err(e) => {
                    eprintln!("Error: {e}");
                    std::process::exit(1);
                }
                Ok(super::conn::Ready::Server) => {
                    if let Err(e) = self.read_and_print(false) {
                        eprintln!("Error: {e}");
                        std::process::exit(1);
                    }
                }
                Ok(super::conn::Ready::Stdin) => return,
                Ok(super::conn::Ready::Timeout) => {}
            }
        }
    }

    /// Leaves subscribed mode by reconnecting (Ctrl-C or end of input at the subscribed prompt).
    pub fn leave_pubsub(&mut self) -> bool {
        self.pubsub_mode = false;
        self.connect(true, false)
    }

    /// How long valkey-cli waits before it tells the user how long a command took.
    pub const SLOW_COMMAND: Duration = Duration::from_millis(500);
}
