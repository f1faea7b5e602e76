//! Where clients come from: the listening sockets `bind`, `port`, `tls-port` and `unixsocket`
//! ask for, accepting on them, and `protected-mode`, all as Valkey's `initListeners` and
//! `clientAcceptHandler` do them.
//!
//! Connections reach the server as a [`Stream`]: a TCP socket, or a Unix socket. A TLS client's
//! task does the handshake and then relays plain bytes through a socket pair, so the
//! per-connection read/write loop in `server.rs` never knows about TLS.

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use ferrokey_core::config::Config;
use ferrokey_core::Engine;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, Interest};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio_rustls::TlsAcceptor;

use crate::server::Server;
use crate::{notice, verbose, warning};

/// What Valkey answers a client from another host while protected mode is on and the default user
/// has no password; then it closes the connection.
pub const DENIED: &[u8] = b"-DENIED Running in protected mode because protected mode is enabled and no password is \
set for the default user. In this mode connections are only accepted from the loopback interface. If you want to \
connect from external computers, you may adopt one of the following solutions: 1) Just disable protected mode \
sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting from the same host the \
server is running, however MAKE SURE it's not publicly accessible from internet if you do so. Use CONFIG REWRITE to \
make this change permanent. 2) Alternatively you can just disable the protected mode by editing the configuration \
file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server \
manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password \
for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting \
connections from the outside.\r\n";

/// A client's connection as the server reads and writes it.
pub enum Stream {
    Tcp(TcpStream),
    /// A `unixsocket` client, or the server's end of a TLS client's relay.
    Unix(UnixStream),
}

impl Stream {
    /// Ready when the socket has input (or was closed); registers `cx`'s task with the reactor otherwise.
    /// One waker slot per socket, unlike `readable()`'s waiter list.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            Stream::Tcp(s) => s.poll_read_ready(cx),
            Stream::Unix(s) => s.poll_read_ready(cx),
        }
    }

    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self {
            Stream::Tcp(s) => s.poll_write_ready(cx),
            Stream::Unix(s) => s.poll_write_ready(cx),
        }
    }

    /// Reads what the socket has into `buf`'s spare capacity. A read that did not fill the space emptied
    /// the socket, so the readiness is cleared at once, as tokio's own `poll_read` does: the next wait
    /// goes to epoll instead of a read that would fail (one `recvfrom` per request instead of two at
    /// pipeline 1). Edge-triggered epoll reports input that arrives later as a new event.
    pub fn read_into(&self, buf: &mut bytes::BytesMut) -> io::Result<usize> {
        let room = buf.capacity() - buf.len();
        let mut got = 0;
        let mut read = |n: io::Result<usize>| {
            got = *n.as_ref().unwrap_or(&0);
            match n {
                Ok(n) if n > 0 && n < room => Err(io::ErrorKind::WouldBlock.into()),
                r => r,
            }
        };
        let result = match self {
            Stream::Tcp(s) => s.try_io(Interest::READABLE, || read(s.try_read_buf(buf))),
            Stream::Unix(s) => s.try_io(Interest::READABLE, || read(s.try_read_buf(buf))),
        };
        match result {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && got > 0 => Ok(got),
            r => r,
        }
    }

    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.try_write(buf),
            Stream::Unix(s) => s.try_write(buf),
        }
    }
}

impl AsFd for Stream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Stream::Tcp(s) => s.as_fd(),
            Stream::Unix(s) => s.as_fd(),
        }
    }
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

/// Who is on the other end, for CLIENT LIST and protected mode.
#[derive(Debug, Clone)]
pub struct Peer {
    /// `ip:port` (`[ip]:port` for IPv6), or `path:0` for a Unix socket.
    pub addr: String,
    pub laddr: String,
    /// A loopback address or a Unix socket: protected mode lets it in.
    pub local: bool,
}

impl Peer {
    fn tcp(stream: &TcpStream) -> Peer {
        let peer = stream.peer_addr().ok();
        Peer {
            addr: peer.map(|a| a.to_string()).unwrap_or_default(),
            laddr: stream.local_addr().map(|a| a.to_string()).unwrap_or_default(),
            local: peer.is_some_and(|a| a.ip().is_loopback()),
        }
    }

    fn unix(path: &str) -> Peer {
        Peer { addr: format!("{path}:0"), laddr: format!("{path}:0"), local: true }
    }
}

/// Valkey's `clientAcceptHandler` check: with `protected-mode yes` and a default user without a
/// password, a client from another host gets [`DENIED`] and is closed. The client was already
/// registered (that is where the engine decides whether it starts authenticated); a refused one is
/// forgotten again and counted as rejected, not as a connection.
pub fn refuse_unprotected(eng: &mut Engine, id: ferrokey_core::client::ClientId, peer: &Peer) -> bool {
    let open = eng.client(id).is_some_and(|c| c.authenticated);
    if peer.local || !eng.config.protected_mode || !open {
        return false;
    }
    eng.disconnect(id);
    eng.stats.total_connections_received = eng.stats.total_connections_received.saturating_sub(1);
    eng.stats.rejected_connections += 1;
    true
}

enum Socket {
    Tcp(TcpListener),
    Unix { listener: UnixListener, path: String },
}

/// One listening socket, and the TLS acceptor when it is a `tls-port` one.
pub struct Listener {
    socket: Socket,
    tls: Option<TlsAcceptor>,
}

/// Every listening socket, and INFO's `listener<n>` lines describing them.
pub struct Listeners {
    pub sockets: Vec<Rc<Listener>>,
    pub info: Vec<String>,
    /// The connection types that listen, for "Ready to accept connections <type>".
    pub kinds: Vec<&'static str>,
}

/// Why the server cannot listen; the text is Valkey's log line.
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    #[error("Failed listening on port {port} ({kind}), aborting.")]
    Bind { port: u16, kind: &'static str },
    #[error("Failed listening on unix socket {path}: {reason}, aborting.")]
    Unix { path: String, reason: String },
    #[error("Failed to configure TLS. Check logs for more info.")]
    Tls,
    #[error("Configured to not listen anywhere, exiting.")]
    Nowhere,
}

/// Opens every socket the configuration asks for, in Valkey's order: TCP (`port`), Unix
/// (`unixsocket`), TLS (`tls-port`). INFO numbers them the same way (listener0, 1, 2).
pub async fn listen_all(config: &Config) -> Result<Listeners, ListenError> {
    let mut out = Listeners { sockets: Vec::new(), info: Vec::new(), kinds: Vec::new() };
    let backlog = config.tcp_backlog.clamp(1, i64::from(u32::MAX >> 1)) as u32;
    if config.port != 0 {
        let port = config.port as u16;
        let (sockets, bound) = bind_tcp(&config.bind, port, backlog, "tcp").await?;
        out.info.push(info_line(0, "tcp", &bound, Some(port)));
        out.kinds.push("tcp");
        out.sockets.extend(sockets.into_iter().map(|l| Rc::new(Listener { socket: Socket::Tcp(l), tls: None })));
    }
    if let Some(path) = &config.unixsocket {
        let listener = bind_unix(path, config.unixsocketperm).map_err(|e| {
            warning!("Failed opening Unix socket: {e}");
            ListenError::Unix { path: path.clone(), reason: e.to_string() }
        })?;
        out.info.push(info_line(1, "unix", std::slice::from_ref(path), None));
        out.kinds.push("unix");
        out.sockets.push(Rc::new(Listener { socket: Socket::Unix { listener, path: path.clone() }, tls: None }));
    }
    if config.tls_port != 0 {
        let acceptor = crate::tls::acceptor(config).map_err(|e| {
            warning!("{e}");
            ListenError::Tls
        })?;
        let port = config.tls_port as u16;
        let (sockets, bound) = bind_tcp(&config.bind, port, backlog, "tls").await?;
        out.info.push(info_line(2, "tls", &bound, Some(port)));
        out.kinds.push("tls");
        out.sockets.extend(
            sockets.into_iter().map(|l| Rc::new(Listener { socket: Socket::Tcp(l), tls: Some(acceptor.clone()) })),
        );
    }
    if out.sockets.is_empty() {
        warning!("Configured to not listen anywhere, exiting.");
        return Err(ListenError::Nowhere);
    }
    Ok(out)
}

/// INFO's `listener<n>:name=tcp,bind=*,bind=-::*,port=6379`.
fn info_line(index: usize, kind: &str, bound: &[String], port: Option<u16>) -> String {
    let mut line = format!("listener{index}:name={kind}");
    for b in bound {
        line.push_str(",bind=");
        line.push_str(b);
    }
    if let Some(port) = port {
        line.push_str(&format!(",port={port}"));
    }
    line
}

/// Binds `port` on every `bind` address. An address with a `-` prefix may be missing from the host
/// (EADDRNOTAVAIL), and an address family the host lacks (no IPv6 in a container) is skipped, as
/// Valkey's `listenToPort` does. Returns the sockets and the addresses (as written) that bound.
async fn bind_tcp(
    bind: &[String],
    port: u16,
    backlog: u32,
    kind: &'static str,
) -> Result<(Vec<TcpListener>, Vec<String>), ListenError> {
    let mut sockets = Vec::new();
    let mut bound = Vec::new();
    for written in bind {
        let optional = written.starts_with('-');
        let host = written.strip_prefix('-').unwrap_or(written);
        match bind_one(host, port, backlog).await {
            Ok(l) => {
                sockets.push(l);
                bound.push(written.clone());
            }
            Err(e) => {
                warning!("Warning: Could not create server TCP listening socket {host}:{port}: {e}");
                let family_missing = matches!(e.raw_os_error(), Some(92 | 93 | 94 | 96 | 97));
                let absent = e.kind() == io::ErrorKind::AddrNotAvailable;
                if !(family_missing || (optional && absent)) {
                    return Err(ListenError::Bind { port, kind });
                }
            }
        }
    }
    Ok((sockets, bound))
}

/// One listening TCP socket. `*` is every IPv4 address and `::*` every IPv6 one; IPv6 sockets are
/// IPv6-only, so `* ::*` binds both families on one port (Valkey's `anetTcp6Server` does the same).
async fn bind_one(host: &str, port: u16, backlog: u32) -> io::Result<TcpListener> {
    let addr: SocketAddr = match host {
        "*" => SocketAddr::from(([0, 0, 0, 0], port)),
        "::*" => SocketAddr::from(([0u16; 8], port)),
        h => match h.parse::<std::net::IpAddr>() {
            Ok(ip) => SocketAddr::new(ip, port),
            Err(_) => tokio::net::lookup_host((h, port))
                .await?
                .next()
                .ok_or_else(|| io::Error::new(io::ErrorKind::AddrNotAvailable, "no address"))?,
        },
    };
    let domain = socket2::Domain::for_address(addr);
    let sock = socket2::Socket::new(domain, socket2::Type::STREAM, Some(socket2::Protocol::TCP))?;
    if addr.is_ipv6() {
        sock.set_only_v6(true)?;
    }
    sock.set_reuse_address(true)?;
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    sock.listen(backlog as i32)?;
    TcpListener::from_std(sock.into())
}

/// A Unix listening socket at `path` (a stale file there is removed first), with `unixsocketperm`
/// applied when set.
fn bind_unix(path: &str, perm: i64) -> io::Result<UnixListener> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(perm as u32))?;
    }
    Ok(listener)
}

/// Accepts connections on one listener forever.
pub async fn accept_loop(srv: Rc<Server>, listener: Rc<Listener>) {
    loop {
        let accepted = match &listener.socket {
            Socket::Tcp(l) => l.accept().await.map(|(s, _)| {
                tune_tcp(&srv, &s);
                let peer = Peer::tcp(&s);
                (Stream::Tcp(s), peer)
            }),
            Socket::Unix { listener: unix, path } => {
                unix.accept().await.map(|(s, _)| (Stream::Unix(s), Peer::unix(path)))
            }
        };
        match accepted {
            Ok((stream, peer)) => {
                verbose!("Accepted {}", peer.addr);
                match (&listener.tls, stream) {
                    (Some(acceptor), Stream::Tcp(tcp)) => {
                        tokio::task::spawn_local(serve_tls(srv.clone(), acceptor.clone(), tcp, peer));
                    }
                    (_, stream) => {
                        let mut eng = srv.engine.borrow_mut();
                        srv.admit(&mut eng, stream, peer);
                    }
                }
            }
            Err(e) => {
                warning!("Accepting client connection: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Nagle off, and `tcp-keepalive` probes, as Valkey sets on every accepted client.
fn tune_tcp(srv: &Server, stream: &TcpStream) {
    let _ = stream.set_nodelay(true);
    let keepalive_secs = srv.engine.borrow().config.tcp_keepalive;
    if keepalive_secs > 0 {
        let secs = Duration::from_secs(keepalive_secs as u64);
        let ka = socket2::TcpKeepalive::new().with_time(secs).with_interval(secs / 3);
        let _ = socket2::SockRef::from(stream).set_tcp_keepalive(&ka);
    }
}

/// A TLS client: the handshake, then plain bytes relayed between the TLS stream and the server's
/// end of a socket pair, until either side is done.
async fn serve_tls(srv: Rc<Server>, acceptor: TlsAcceptor, tcp: TcpStream, peer: Peer) {
    let tls = match acceptor.accept(tcp).await {
        Ok(tls) => tls,
        Err(e) => {
            warning!("Error accepting a client connection: {e} (addr={} laddr={})", peer.addr, peer.laddr);
            return;
        }
    };
    let (ours, theirs) = match UnixStream::pair() {
        Ok(pair) => pair,
        Err(e) => {
            warning!("Accepting client connection: {e}");
            return;
        }
    };
    {
        let mut eng = srv.engine.borrow_mut();
        srv.admit(&mut eng, Stream::Unix(theirs), peer);
    }
    relay(tls, ours).await;
}

/// Copies both ways until the server's side closes (then the client's TLS session is closed
/// too), or until the client closed and the server has written all it had.
async fn relay<T: AsyncRead + AsyncWrite>(tls: T, server_side: UnixStream) {
    let (mut tls_read, mut tls_write) = tokio::io::split(tls);
    let (mut srv_read, mut srv_write) = server_side.into_split();
    let to_server = async {
        let _ = tokio::io::copy(&mut tls_read, &mut srv_write).await;
        let _ = srv_write.shutdown().await;
    };
    let to_client = async {
        let _ = tokio::io::copy(&mut srv_read, &mut tls_write).await;
        let _ = tls_write.shutdown().await;
    };
    tokio::pin!(to_client);
    tokio::select! {
        _ = &mut to_client => {}
        _ = to_server => to_client.await,
    }
}

/// While a script holds the thread: takes the connections waiting on `listener` straight from the
/// socket (tokio's reactor is not running). Plain ones join at once; TLS ones get their handshake
/// task, which runs once the script is over.
pub fn accept_while_busy(srv: &Rc<Server>, eng: &mut Engine, listener: &Listener) {
    let fd = match &listener.socket {
        Socket::Tcp(l) => socket2::SockRef::from(l),
        Socket::Unix { listener: unix, .. } => socket2::SockRef::from(unix),
    };
    while let Ok((sock, _)) = fd.accept() {
        if sock.set_nonblocking(true).is_err() {
            continue;
        }
        match &listener.socket {
            Socket::Tcp(_) => {
                let Ok(stream) = TcpStream::from_std(std::net::TcpStream::from(sock)) else { continue };
                let _ = stream.set_nodelay(true);
                let peer = Peer::tcp(&stream);
                match &listener.tls {
                    Some(acceptor) => {
                        tokio::task::spawn_local(serve_tls(srv.clone(), acceptor.clone(), stream, peer));
                    }
                    None => srv.admit(eng, Stream::Tcp(stream), peer),
                }
            }
            Socket::Unix { path, .. } => {
                let std_stream = std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(sock));
                let Ok(stream) = UnixStream::from_std(std_stream) else { continue };
                srv.admit(eng, Stream::Unix(stream), Peer::unix(path));
            }
        }
    }
}

/// Logs "Ready to accept connections <type>" for each kind that listens.
pub fn log_ready(listeners: &Listeners) {
    for kind in &listeners.kinds {
        notice!("Ready to accept connections {kind}");
    }
}

/// Removes the Unix socket file at exit, as Valkey does.
pub fn remove_unix_socket(config: &Config) {
    if let Some(path) = &config.unixsocket {
        let _ = std::fs::remove_file(path);
    }
}
