//! Shared by the server's integration tests: a ferrokey-server (or Debian's redis-server) on a free
//! port, killed on drop, and a raw RESP client that sends bytes and reads whole replies.
//!
//! Replies are kept as raw bytes so tests compare exactly what went over the wire; where a reply ends
//! is found with `ferrokey_core::resp::parse_reply`, and a small structural parser here serves the
//! tests that normalise order-free replies.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a test waits for any one reply before failing (instead of hanging).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a server may take to answer its first PING.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A server process on 127.0.0.1 and a free port, killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `program --port <free> --bind 127.0.0.1 --save "" <extra>` and waits until it answers
    /// PING. Retries on a fresh port if the chosen one was taken in between.
    fn spawn(program: &str, extra: &[&str]) -> ServerProcess {
        let mut last_log = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let log = std::env::temp_dir().join(format!("ferrokey-test-{}-{port}.log", std::process::id()));
            let log_file = std::fs::File::create(&log).expect("create server log");
            let child = Command::new(program)
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
                .args(extra)
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("clone log handle"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {program}: {e}"));
            let mut srv = ServerProcess { child, port, log };
            if srv.wait_ready() {
                return srv;
            }
            last_log = std::fs::read_to_string(&srv.log).unwrap_or_default();
        }
        panic!("{program} did not start; its log:\n{last_log}");
    }

    /// Polls until the server answers PING, or it exits, or the start timeout passes.
    fn wait_ready(&mut self) -> bool {
        let start = Instant::now();
        while start.elapsed() < START_TIMEOUT {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let mut conn = Conn::from_stream(stream);
                conn.set_timeout(Duration::from_secs(2));
                if let Ok(reply) = conn.try_call(&["PING"]) {
                    if reply == b"+PONG\r\n" {
                        return true;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// A new raw client connection.
    pub fn connect(&self) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to server");
        Conn::from_stream(stream)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal by name (`TERM`, `INT`) through kill(1): the tests need no libc.
    pub fn signal(&self, name: &str) {
        let status =
            Command::new("kill").arg(format!("-{name}")).arg(self.pid().to_string()).status().expect("run kill");
        assert!(status.success(), "kill -{name} {} failed", self.pid());
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if start.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// What the server wrote to stdout/stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// ferrokey-server, as built by cargo for this test run.
pub struct TestServer;

impl TestServer {
    #[allow(clippy::new_ret_no_self)]
    pub fn start() -> ServerProcess {
        Self::start_with(&[])
    }

    /// With extra command-line arguments, e.g. `&["--timeout", "1"]`.
    pub fn start_with(extra: &[&str]) -> ServerProcess {
        ServerProcess::spawn(env!("CARGO_BIN_EXE_ferrokey-server"), extra)
    }
}

/// Debian's redis-server from PATH (tests/run.sh installs it).
pub struct RealServer;

impl RealServer {
    /// `None` (after printing a notice) when redis-server is not installed, so the caller skips.
    pub fn start() -> Option<ServerProcess> {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Option<ServerProcess> {
        if !redis_server_installed() {
            eprintln!("NOTICE: redis-server is not on PATH; skipping the comparison with the real server");
            return None;
        }
        let mut args = vec!["--appendonly", "no", "--daemonize", "no", "--dir"];
        let dir = std::env::temp_dir();
        let dir = dir.to_str().expect("utf-8 temp dir");
        args.push(dir);
        args.extend_from_slice(extra);
        Some(ServerProcess::spawn("redis-server", &args))
    }
}

fn redis_server_installed() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A port nothing listens on right now (the OS picks it; the server binds it a moment later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind port 0").local_addr().expect("local addr").port()
}

/// One command as a RESP multibulk.
pub fn encode_command<A: AsRef<[u8]>>(argv: &[A]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", argv.len()).into_bytes();
    for a in argv {
        let a = a.as_ref();
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A raw RESP connection: bytes out, whole replies in.
pub struct Conn {
    stream: TcpStream,
    /// Received bytes not yet returned as a reply.
    buf: Vec<u8>,
}

impl Conn {
    pub fn from_stream(stream: TcpStream) -> Conn {
        stream.set_nodelay(true).expect("set_nodelay");
        stream.set_read_timeout(Some(REPLY_TIMEOUT)).expect("set_read_timeout");
        Conn { stream, buf: Vec::new() }
    }

    pub fn set_timeout(&mut self, timeout: Duration) {
        self.stream.set_read_timeout(Some(timeout)).expect("set_read_timeout");
    }

    /// Writes raw bytes (all of them, in one write call where the OS allows).
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write to server");
        self.stream.flush().expect("flush");
    }

    /// Like [`Conn::send`], but a failed write (the server already closed) is returned, not a panic.
    pub fn try_send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    pub fn send_command<A: AsRef<[u8]>>(&mut self, argv: &[A]) {
        self.send(&encode_command(argv));
    }

    /// Sends a command and returns its raw reply.
    pub fn call<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> Vec<u8> {
        self.send_command(argv);
        self.read_reply()
    }

    /// [`Conn::call`] with the reply as (lossy) text, for readable assertions.
    pub fn call_str<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> String {
        String::from_utf8_lossy(&self.call(argv)).into_owned()
    }

    pub fn try_call<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> std::io::Result<Vec<u8>> {
        self.try_send(&encode_command(argv))?;
        self.try_read_reply()
    }

    /// The next whole reply, raw. Panics on timeout or if the server closed the connection.
    pub fn read_reply(&mut self) -> Vec<u8> {
        self.try_read_reply().unwrap_or_else(|e| {
            panic!("reading a reply: {e} (partial input: {:?})", String::from_utf8_lossy(&self.buf))
        })
    }

    /// [`Conn::read_reply`] as text.
    pub fn read_str(&mut self) -> String {
        String::from_utf8_lossy(&self.read_reply()).into_owned()
    }

    pub fn try_read_reply(&mut self) -> std::io::Result<Vec<u8>> {
        loop {
            if let Some(len) = reply_len(&self.buf) {
                return Ok(self.buf.drain(..len).collect());
            }
            self.fill()?;
        }
    }

    /// The next reply if one arrives within `wait`, else `None` (the connection stays usable).
    pub fn read_reply_within(&mut self, wait: Duration) -> Option<Vec<u8>> {
        self.stream.set_read_timeout(Some(wait)).expect("set_read_timeout");
        let got = self.try_read_reply();
        self.stream.set_read_timeout(Some(REPLY_TIMEOUT)).expect("set_read_timeout");
        match got {
            Ok(reply) => Some(reply),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
            Err(e) => panic!("reading a reply: {e}"),
        }
    }

    /// Reads until the server closes the connection (within `wait`); returns every byte received
    /// before the close that was not yet returned as a reply. `None` if it stayed open.
    pub fn read_until_closed(&mut self, wait: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.stream.set_read_timeout(Some(left)).expect("set_read_timeout");
            match self.fill() {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Some(std::mem::take(&mut self.buf)),
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
                    ) =>
                {
                    return Some(std::mem::take(&mut self.buf));
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return None,
                Err(e) => panic!("reading: {e}"),
            }
        }
    }

    /// Half-closes our side (the server sees EOF after what was sent).
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// One read into the buffer; EOF is an `UnexpectedEof` error.
    fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(ErrorKind::UnexpectedEof, "server closed the connection"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

/// A parsed reply, enough to normalise order-free replies and re-encode them byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resp {
    /// `+`, `-`, `:`, `_`, `,`, `#`, `(`: the type byte and the line.
    Line(u8, Vec<u8>),
    /// `$`, `!`, `=`: the type byte and the payload; `None` for `$-1`.
    Bulk(u8, Option<Vec<u8>>),
    /// `*`, `~`, `>`, `%`, `|`: the type byte and the elements (a map's keys and values flattened);
    /// `None` for `*-1`.
    Aggregate(u8, Option<Vec<Resp>>),
}

impl Resp {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Resp::Line(t, line) => {
                out.push(*t);
                out.extend_from_slice(line);
                out.extend_from_slice(b"\r\n");
            }
            Resp::Bulk(t, None) | Resp::Aggregate(t, None) => {
                out.push(*t);
                out.extend_from_slice(b"-1\r\n");
            }
            Resp::Bulk(t, Some(data)) => {
                out.extend_from_slice(format!("{}{}\r\n", *t as char, data.len()).as_bytes());
                out.extend_from_slice(data);
                out.extend_from_slice(b"\r\n");
            }
            Resp::Aggregate(t, Some(items)) => {
                let n = if matches!(t, b'%' | b'|') { items.len() / 2 } else { items.len() };
                out.extend_from_slice(format!("{}{}\r\n", *t as char, n).as_bytes());
                for item in items {
                    item.encode(out);
                }
            }
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// Parses one whole reply at the start of `buf`: the reply and the bytes it used, or `None` if `buf`
/// does not yet hold a whole reply (or is not RESP).
///
/// Kept beside `ferrokey_core::resp::parse_reply` because this one is ordered and re-encodes byte
/// for byte, which normalising order-free replies (then comparing bytes) needs.
pub fn parse_reply(buf: &[u8]) -> Option<(Resp, usize)> {
    let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let t = buf[0];
    let line = &buf[1..line_end];
    let after = line_end + 2;
    let count = || -> Option<i64> { std::str::from_utf8(line).ok()?.parse().ok() };
    match t {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some((Resp::Line(t, line.to_vec()), after)),
        b'$' | b'!' | b'=' => {
            let n = count()?;
            if n < 0 {
                return Some((Resp::Bulk(t, None), after));
            }
            let end = after + n as usize;
            (buf.len() >= end + 2).then(|| (Resp::Bulk(t, Some(buf[after..end].to_vec())), end + 2))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = count()?;
            if n < 0 {
                return Some((Resp::Aggregate(t, None), after));
            }
            let n = if matches!(t, b'%' | b'|') { 2 * n } else { n };
            let mut pos = after;
            let mut items = Vec::with_capacity(n as usize);
            for _ in 0..n {
                let (item, used) = parse_reply(&buf[pos..])?;
                items.push(item);
                pos += used;
            }
            Some((Resp::Aggregate(t, Some(items)), pos))
        }
        _ => None,
    }
}

/// The length of the whole reply at the start of `buf`, if it is all there. Framing uses the core's
/// reply parser (the one ferrokey-cli reads with), so these tests exercise it too.
pub fn reply_len(buf: &[u8]) -> Option<usize> {
    match ferrokey_core::resp::parse_reply(buf) {
        Ok(found) => found.map(|(_, len)| len),
        Err(e) => panic!("the server sent an invalid reply ({e}): {:?}", show(buf)),
    }
}

/// Text form of raw reply bytes for assertion messages.
pub fn show(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).replace("\r\n", "\\r\\n")
}

/// A fresh, empty folder for one test's files (dump.rdb, appendonlydir, ...).
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ferrokey-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The value of an INFO field (any section).
pub fn info_field(conn: &mut Conn, name: &str) -> String {
    let text = conn.call_str(&["INFO", "everything"]);
    let prefix = format!("{name}:");
    text.lines().find_map(|l| l.strip_prefix(&prefix).map(str::to_owned)).unwrap_or_else(|| panic!("no {name} in INFO"))
}

/// Polls `check` every 20 ms until it holds; fails the test after `limit`.
pub fn wait_for(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
