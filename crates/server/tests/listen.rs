//! Where the server listens and whom it lets in: `bind` lists with optional (`-`) addresses,
//! `protected-mode` against a client from a non-loopback address, `unixsocket`, and the
//! FERROKEY_DEFAULTS variable the container image uses to turn protected mode off.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, UdpSocket};
use std::time::Duration;

use common::{ServerProcess, TestServer};

/// This machine's own non-loopback address: the one it would send from (a UDP connect sends
/// nothing, it only picks the route).
fn own_address() -> IpAddr {
    let probe = UdpSocket::bind("0.0.0.0:0").unwrap();
    probe.connect("192.0.2.1:9").expect("a route off the host (needed to test protected mode)");
    let ip = probe.local_addr().unwrap().ip();
    assert!(!ip.is_loopback() && !ip.is_unspecified(), "no non-loopback address: {ip}");
    ip
}

/// Sends PING from `ip` (as seen by the server) and returns everything until the server closes or
/// answers.
fn ping_from(ip: IpAddr, port: u16) -> String {
    let mut s = TcpStream::connect((ip, port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(b"PING\r\n");
    let mut out = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = s.read(&mut chunk) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
        if out.starts_with(b"+PONG\r\n") || out.starts_with(b"-NOAUTH") {
            break;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn start_on_all_addresses(extra: &[&str]) -> ServerProcess {
    let mut args = vec!["--bind", "* -::*"];
    args.extend_from_slice(extra);
    TestServer::start_with(&args)
}

#[test]
fn protected_mode_denies_a_non_loopback_client_without_a_password() {
    let srv = start_on_all_addresses(&[]);
    let reply = ping_from(own_address(), srv.port);
    assert!(
        reply.starts_with("-DENIED Running in protected mode because protected mode is enabled and no password is set for the default user.")
            && reply.ends_with("start accepting connections from the outside.\r\n"),
        "{reply}"
    );
    let mut local = srv.connect();
    assert_eq!(local.call(&["PING"]), b"+PONG\r\n");
    let stats = local.call_str(&["INFO", "stats"]);
    assert!(stats.contains("rejected_connections:1\r\n"), "{stats}");
    // The refused client is not counted as a connection: only the harness's probe and this one.
    assert!(stats.contains("total_connections_received:2\r\n"), "{stats}");
}

#[test]
fn protected_mode_off_serves_a_non_loopback_client() {
    let srv = start_on_all_addresses(&["--protected-mode", "no"]);
    assert_eq!(ping_from(own_address(), srv.port), "+PONG\r\n");
}

#[test]
fn protected_mode_lets_in_a_non_loopback_client_when_a_password_is_set() {
    let srv = start_on_all_addresses(&[]);
    // Set after start-up: the harness's readiness PING must not need a password.
    assert_eq!(srv.connect().call(&["CONFIG", "SET", "requirepass", "secret"]), b"+OK\r\n");
    assert!(ping_from(own_address(), srv.port).starts_with("-NOAUTH"));
}

#[test]
fn protected_mode_set_off_at_run_time_takes_effect_for_new_clients() {
    let srv = start_on_all_addresses(&[]);
    assert!(ping_from(own_address(), srv.port).starts_with("-DENIED"));
    assert_eq!(srv.connect().call(&["CONFIG", "SET", "protected-mode", "no"]), b"+OK\r\n");
    assert_eq!(ping_from(own_address(), srv.port), "+PONG\r\n");
}

#[test]
fn defaults_env_turns_protected_mode_off_and_an_option_turns_it_back_on() {
    let start = |extra: &[&str]| {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_ferrokey-server"))
            .args(["--port", &port.to_string(), "--save", ""])
            .args(extra)
            .env("FERROKEY_DEFAULTS", "protected-mode no")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        (Killed(child), port)
    };
    let (_srv, port) = start(&[]);
    assert_eq!(wait_for_reply(port), "+PONG\r\n");
    let (_srv, port) = start(&["--protected-mode", "yes"]);
    assert!(wait_for_reply(port).starts_with("-DENIED"));
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// PING from the own address once the server listens.
fn wait_for_reply(port: u16) -> String {
    for _ in 0..500 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return ping_from(own_address(), port);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("server on {port} never listened");
}

#[test]
fn bind_missing_optional_address_is_skipped() {
    // 192.0.2.0/24 (TEST-NET-1) is never a local address.
    let srv = TestServer::start_with(&["--bind", "127.0.0.1 -192.0.2.123"]);
    let info = srv.connect().call_str(&["INFO", "server"]);
    assert!(info.contains(&format!("listener0:name=tcp,bind=127.0.0.1,port={}\r\n", srv.port)), "{info}");
}

#[test]
fn bind_missing_required_address_fails_start_up() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferrokey-server"))
        .args(["--port", "0", "--bind", "127.0.0.1 192.0.2.123", "--save", "", "--port", "17999"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("Could not create server TCP listening socket 192.0.2.123:17999"), "{log}");
    assert!(log.contains("Failed listening on port 17999 (tcp), aborting."), "{log}");
}

#[test]
fn port_0_and_no_other_listener_refuses_to_start() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferrokey-server"))
        .args(["--port", "0", "--save", ""])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("Configured to not listen anywhere, exiting."), "{log}");
}

#[test]
fn unixsocket_serves_with_its_permissions_and_is_removed_at_exit() {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::temp_dir().join(format!("ferrokey-listen-{}.sock", std::process::id()));
    let path_str = path.to_string_lossy().into_owned();
    let mut srv = TestServer::start_with(&["--unixsocket", &path_str, "--unixsocketperm", "700"]);
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o700);
    let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    let info = String::from_utf8_lossy(&buf[..n]);
    assert!(info.contains(&format!("addr={path_str}:0 ")), "{info}");
    let server_info = srv.connect().call_str(&["INFO", "server"]);
    assert!(server_info.contains(&format!("listener1:name=unix,bind={path_str}\r\n")), "{server_info}");
    srv.signal("TERM");
    assert!(srv.wait_exit(Duration::from_secs(10)).is_some());
    assert!(!path.exists(), "the socket file is still there");
}
