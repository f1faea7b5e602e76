//! One blocking connection to a server: send a command, read whole replies, and wait for either the
//! server or the keyboard (for subscribed mode).
//!
//! Waiting goes through `poll(2)` rather than a blocking `read`, so a Ctrl-C (which only sets a flag,
//! see [`super::interrupt`]) wakes the wait even though the handler restarts interrupted reads.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::AsFd;
use std::time::Duration;

use ferrokey_core::resp::{parse_reply, ReplyParseError, ReplyScanner};
use ferrokey_core::Reply;
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use super::interrupt;

/// Why reading a reply failed. The texts are hiredis's, which valkey-cli prints after `Error: `.
#[derive(Debug)]
pub enum ConnError {
    /// The server closed the connection.
    Closed,
    Io(io::Error),
    Protocol(ReplyParseError),
    /// Ctrl-C while waiting.
    Interrupted,
}

impl ConnError {
    /// True when an interactive session should just go "not connected" and try again later.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            ConnError::Closed => true,
            ConnError::Io(e) => matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionAborted
            ),
            _ => false,
        }
    }
}

impl std::fmt::Display for ConnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnError::Closed => f.write_str("Server closed the connection"),
            ConnError::Io(e) => f.write_str(&os_error_text(e)),
            ConnError::Protocol(e) => write!(f, "{e}"),
            ConnError::Interrupted => f.write_str("Interrupted"),
        }
    }
}

/// An I/O error as `strerror` words it: Rust's own text without its ` (os error N)` tail.
pub fn os_error_text(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// What woke [`Connection::wait_server_or_stdin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    Server,
    Stdin,
    Timeout,
}

pub struct Connection {
    stream: TcpStream,
    /// Received bytes; `buf[start..]` is not parsed yet.
    buf: Vec<u8>,
    start: usize,
    /// How far into `buf[start..]` the next reply is known to go: big replies are scanned once.
    scanner: ReplyScanner,
}

impl Connection {
    /// Connects to `host:port`, trying every address the name resolves to. The error is the text
    /// valkey-cli prints after `Could not connect to Valkey at host:port: `.
    pub fn connect(host: &str, port: u16, timeout: Option<Duration>) -> Result<Connection, String> {
        // A bracketed IPv6 literal (from a URI) resolves without its brackets.
        let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
        let addrs = (bare, port).to_socket_addrs().map_err(|e| {
            let text = os_error_text(&e);
            text.strip_prefix("failed to lookup address information: ").map(str::to_owned).unwrap_or(text)
        })?;
        let mut last_error = "Can't resolve: ".to_owned() + host;
        for addr in addrs {
            let attempt = match timeout {
                Some(t) if !t.is_zero() => TcpStream::connect_timeout(&addr, t),
                _ => TcpStream::connect(addr),
            };
            match attempt {
                Ok(stream) => {
                    // Commands are small and interactive: send them at once, as hiredis does.
                    let _ = stream.set_nodelay(true);
                    return Ok(Connection {
                        stream,
                        buf: Vec::with_capacity(16 * 1024),
                        start: 0,
                        scanner: ReplyScanner::new(),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => last_error = "Connection timed out".to_owned(),
                Err(e) => last_error = os_error_text(&e),
            }
        }
        Err(last_error)
    }

    /// Sends one command as a RESP multibulk.
    pub fn send(&mut self, argv: &[Vec<u8>]) -> Result<(), ConnError> {
        self.stream.write_all(&encode_command(argv)).map_err(ConnError::Io)
    }

    /// Sends a command and reads its reply (for the handshake: AUTH, SELECT, HELLO).
    pub fn call(&mut self, argv: &[&[u8]]) -> Result<Reply, ConnError> {
        let owned: Vec<Vec<u8>> = argv.iter().map(|a| a.to_vec()).collect();
        self.send(&owned)?;
        self.read_reply()
    }

    /// A reply already received in full, if any; never waits.
    pub fn buffered_reply(&mut self) -> Result<Option<Reply>, ConnError> {
        let pending = &self.buf[self.start..];
        let Some(end) = self.scanner.scan(pending).map_err(ConnError::Protocol)? else {
            return Ok(None);
        };
        // The scanner found a whole reply, so this parse cannot come up short.
        let (reply, used) = parse_reply(&pending[..end])
            .map_err(ConnError::Protocol)?
            .ok_or(ConnError::Protocol(ReplyParseError::BadLength))?;
        self.start += used;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        Ok(Some(reply))
    }

    /// Reads the next whole reply, waiting as long as it takes (or until Ctrl-C).
    pub fn read_reply(&mut self) -> Result<Reply, ConnError> {
        loop {
            if let Some(reply) = self.buffered_reply()? {
                return Ok(reply);
            }
            self.wait(false, PollTimeout::NONE)?;
            self.fill()?;
        }
    }

    /// Waits until the server sent something, a key was pressed, or `timeout_ms` passed. Replies
    /// already buffered must be taken with [`Connection::buffered_reply`] first.
    pub fn wait_server_or_stdin(&mut self, timeout_ms: u16) -> Result<Ready, ConnError> {
        self.wait(true, PollTimeout::from(timeout_ms))
    }

    /// Reads what the socket has into the buffer; an orderly close is [`ConnError::Closed`].
    fn fill(&mut self) -> Result<(), ConnError> {
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 64 * 1024 && self.start * 2 > self.buf.len() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(ConnError::Closed),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ConnError::Io(e)),
            }
        }
    }

    fn wait(&self, with_stdin: bool, timeout: PollTimeout) -> Result<Ready, ConnError> {
        loop {
            if interrupt::take() {
                return Err(ConnError::Interrupted);
            }
            let stdin = io::stdin();
            let mut fds = vec![PollFd::new(self.stream.as_fd(), PollFlags::POLLIN)];
            if with_stdin {
                fds.push(PollFd::new(stdin.as_fd(), PollFlags::POLLIN));
            }
            match poll(&mut fds, timeout) {
                Ok(0) => return Ok(Ready::Timeout),
                Ok(_) => {
                    let woke = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
                    // The server first: its messages must not wait behind a key press.
                    return Ok(if woke(&fds[0]) { Ready::Server } else { Ready::Stdin });
                }
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(ConnError::Io(io::Error::from(e))),
            }
        }
    }
}

/// The RESP multibulk form of a command.
pub fn encode_command(argv: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + argv.iter().map(|a| a.len() + 16).sum::<usize>());
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_command_writes_a_multibulk() {
        assert_eq!(
            encode_command(&[b"SET".to_vec(), b"k".to_vec(), b"".to_vec()]),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
        );
    }

    #[test]
    fn os_error_text_drops_the_os_error_tail() {
        let e = io::Error::from_raw_os_error(111);
        assert_eq!(os_error_text(&e), "Connection refused");
    }

    #[test]
    fn connect_refused_reports_strerror_text() {
        // Bind then drop a listener to find a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = Connection::connect("127.0.0.1", port, None).err().expect("refused");
        assert_eq!(err, "Connection refused");
    }
}
