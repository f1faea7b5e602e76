//! TLS on `tls-port`, next to the plain port: handshakes checked against a test CA made here
//! (rcgen), `tls-auth-clients yes|no|optional`, replies through the TLS relay, INFO and CONFIG GET,
//! and Valkey's start-up errors for a TLS setup that cannot work.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::{encode_command, reply_len, TestServer};
use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

/// A CA, a server certificate for localhost/127.0.0.1 and a client certificate, as PEM files.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn new() -> Certs {
        let dir = std::env::temp_dir().join(format!("ferrokey-tls-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "ferrokey test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = ca_params.self_signed(&ca_key).unwrap();

        let leaf = |names: Vec<String>, usage: ExtendedKeyUsagePurpose, stem: &str| {
            let key = KeyPair::generate().unwrap();
            let mut params = CertificateParams::new(names).unwrap();
            params.distinguished_name.push(DnType::CommonName, stem);
            params.extended_key_usages = vec![usage];
            let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
            std::fs::write(dir.join(format!("{stem}.crt")), cert.pem()).unwrap();
            std::fs::write(dir.join(format!("{stem}.key")), key.serialize_pem()).unwrap();
        };
        leaf(vec!["localhost".into(), "127.0.0.1".into()], ExtendedKeyUsagePurpose::ServerAuth, "server");
        leaf(vec!["client".into()], ExtendedKeyUsagePurpose::ClientAuth, "client");
        std::fs::write(dir.join("ca.crt"), ca.pem()).unwrap();
        Certs { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// Server arguments for a TLS port with these certificates.
    fn server_args(&self, tls_port: u16, auth: &str) -> Vec<String> {
        [
            "--tls-port",
            &tls_port.to_string(),
            "--tls-cert-file",
            &self.path("server.crt"),
            "--tls-key-file",
            &self.path("server.key"),
            "--tls-ca-cert-file",
            &self.path("ca.crt"),
            "--tls-auth-clients",
            auth,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// A client that trusts the test CA, presenting the client certificate when `with_cert`.
    fn client_config(&self, with_cert: bool) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(self.path("ca.crt")).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = if with_cert {
            let certs: Vec<_> =
                CertificateDer::pem_file_iter(self.path("client.crt")).unwrap().map(|c| c.unwrap()).collect();
            let key = PrivateKeyDer::from_pem_file(self.path("client.key")).unwrap();
            builder.with_client_auth_cert(certs, key).unwrap()
        } else {
            builder.with_no_client_auth()
        };
        Arc::new(config)
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A TLS client connection and the bytes read past the last whole reply.
struct Tls {
    stream: rustls::StreamOwned<rustls::ClientConnection, TcpStream>,
    unread: Vec<u8>,
}

/// Connects to `port` over TLS and finishes the handshake (errors, such as a refused client
/// certificate, come back here).
fn tls_connect(port: u16, config: Arc<rustls::ClientConfig>) -> std::io::Result<Tls> {
    let tcp = TcpStream::connect(("127.0.0.1", port))?;
    tcp.set_read_timeout(Some(common::REPLY_TIMEOUT))?;
    let name = ServerName::try_from("localhost").unwrap();
    let conn = rustls::ClientConnection::new(config, name).unwrap();
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(Tls { stream, unread: Vec::new() })
}

/// Sends one command and reads one whole reply; an error when the server closed or refused.
fn tls_call(tls: &mut Tls, argv: &[&[u8]]) -> std::io::Result<Vec<u8>> {
    tls.stream.write_all(&encode_command(argv))?;
    tls.stream.flush()?;
    read_reply(tls)
}

fn read_reply(tls: &mut Tls) -> std::io::Result<Vec<u8>> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(n) = reply_len(&tls.unread) {
            let rest = tls.unread.split_off(n);
            return Ok(std::mem::replace(&mut tls.unread, rest));
        }
        let n = tls.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
        }
        tls.unread.extend_from_slice(&chunk[..n]);
    }
}

/// A server with a plain port (the harness's) and a TLS port.
fn start(certs: &Certs, auth: &str, extra: &[&str]) -> (common::ServerProcess, u16) {
    let tls_port = free_port();
    let mut args = certs.server_args(tls_port, auth);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    (TestServer::start_with(&args), tls_port)
}

#[test]
fn tls_port_auth_clients_no_serves_next_to_the_plain_port() {
    let certs = Certs::new();
    let (srv, tls_port) = start(&certs, "no", &[]);
    let mut tls = tls_connect(tls_port, certs.client_config(false)).unwrap();
    assert_eq!(tls_call(&mut tls, &[b"PING"]).unwrap(), b"+PONG\r\n");
    assert_eq!(tls_call(&mut tls, &[b"SET", b"k", b"over-tls"]).unwrap(), b"+OK\r\n");
    // The plain port sees what the TLS client wrote: one keyspace.
    assert_eq!(srv.connect().call(&["GET", "k"]), b"$8\r\nover-tls\r\n");
}

#[test]
fn tls_auth_clients_yes_refuses_a_client_without_a_certificate() {
    let certs = Certs::new();
    let (_srv, tls_port) = start(&certs, "yes", &[]);
    // TLS 1.3 clients learn of the refusal on their first read, after the handshake.
    let refused = tls_connect(tls_port, certs.client_config(false)).and_then(|mut tls| tls_call(&mut tls, &[b"PING"]));
    assert!(refused.is_err(), "a client without a certificate was served: {refused:?}");
    let mut tls = tls_connect(tls_port, certs.client_config(true)).unwrap();
    assert_eq!(tls_call(&mut tls, &[b"PING"]).unwrap(), b"+PONG\r\n");
}

#[test]
fn tls_auth_clients_optional_serves_clients_with_and_without_certificates() {
    let certs = Certs::new();
    let (_srv, tls_port) = start(&certs, "optional", &[]);
    for with_cert in [false, true] {
        let mut tls = tls_connect(tls_port, certs.client_config(with_cert)).unwrap();
        assert_eq!(tls_call(&mut tls, &[b"PING"]).unwrap(), b"+PONG\r\n", "with_cert={with_cert}");
    }
}

#[test]
fn tls_large_value_and_pipeline_cross_the_relay_intact() {
    let certs = Certs::new();
    let (_srv, tls_port) = start(&certs, "no", &[]);
    let mut tls = tls_connect(tls_port, certs.client_config(false)).unwrap();
    let value: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(tls_call(&mut tls, &[b"SET", b"big", &value]).unwrap(), b"+OK\r\n");
    let mut pipeline = Vec::new();
    for _ in 0..100 {
        pipeline.extend_from_slice(&encode_command(&[b"INCR" as &[u8], b"n"]));
    }
    pipeline.extend_from_slice(&encode_command(&[b"GET" as &[u8], b"big"]));
    tls.stream.write_all(&pipeline).unwrap();
    tls.stream.flush().unwrap();
    for i in 1..=100 {
        assert_eq!(read_reply(&mut tls).unwrap(), format!(":{i}\r\n").into_bytes());
    }
    let mut want = format!("${}\r\n", value.len()).into_bytes();
    want.extend_from_slice(&value);
    want.extend_from_slice(b"\r\n");
    assert!(read_reply(&mut tls).unwrap() == want, "the value came back changed");
}

#[test]
fn tls_quit_closes_the_tls_session() {
    let certs = Certs::new();
    let (_srv, tls_port) = start(&certs, "no", &[]);
    let mut tls = tls_connect(tls_port, certs.client_config(false)).unwrap();
    assert_eq!(tls_call(&mut tls, &[b"QUIT"]).unwrap(), b"+OK\r\n");
    let mut rest = Vec::new();
    // The server's close_notify ends the stream cleanly: read_to_end returns instead of timing out.
    tls.stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty() && tls.unread.is_empty());
}

#[test]
fn tls_info_and_config_get_show_the_tls_listener() {
    let certs = Certs::new();
    let (srv, tls_port) = start(&certs, "no", &[]);
    let mut c = srv.connect();
    let info = c.call_str(&["INFO", "server"]);
    assert!(
        info.contains(&format!("listener0:name=tcp,bind=127.0.0.1,port={}\r\n", srv.port)),
        "no tcp listener line in:\n{info}"
    );
    assert!(
        info.contains(&format!("listener2:name=tls,bind=127.0.0.1,port={tls_port}\r\n")),
        "no tls listener line in:\n{info}"
    );
    assert_eq!(
        c.call_str(&["CONFIG", "GET", "tls-port"]),
        format!("*2\r\n$8\r\ntls-port\r\n${}\r\n{tls_port}\r\n", tls_port.to_string().len())
    );
    assert_eq!(c.call_str(&["CONFIG", "GET", "tls-auth-clients"]), "*2\r\n$16\r\ntls-auth-clients\r\n$2\r\nno\r\n");
}

#[test]
fn tls_only_server_with_port_0_serves_tls() {
    let certs = Certs::new();
    let tls_port = free_port();
    let mut args = certs.server_args(tls_port, "no");
    args.extend(["--port".into(), "0".into(), "--bind".into(), "127.0.0.1".into(), "--save".into(), String::new()]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferrokey-server"))
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reply = None;
    for _ in 0..500 {
        if let Ok(mut tls) = tls_connect(tls_port, certs.client_config(false)) {
            reply = tls_call(&mut tls, &[b"INFO", b"server"]).ok();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let info = String::from_utf8(reply.expect("no TLS reply")).unwrap();
    assert!(info.contains("listener2:name=tls"), "{info}");
    assert!(!info.contains("name=tcp"), "port 0 still listens on TCP:\n{info}");
}

/// Runs the server to its start-up failure; returns its exit code and log.
fn failed_start(args: &[String]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferrokey-server"))
        .args(["--port", "0", "--save", ""])
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn tls_port_without_cert_file_fails_start_up_as_valkey() {
    let (code, log) = failed_start(&["--tls-port".into(), free_port().to_string()]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("No tls-cert-file configured!"), "{log}");
    assert!(log.contains("Failed to configure TLS. Check logs for more info."), "{log}");
}

#[test]
fn tls_auth_clients_without_ca_fails_start_up_as_valkey() {
    let certs = Certs::new();
    let mut args = certs.server_args(free_port(), "yes");
    let ca = args.iter().position(|a| a == "--tls-ca-cert-file").unwrap();
    args.drain(ca..ca + 2);
    let (code, log) = failed_start(&args);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("Either tls-ca-cert-file or tls-ca-cert-dir must be specified"), "{log}");
}

#[test]
fn tls_unreadable_key_file_names_the_file() {
    let certs = Certs::new();
    let mut args = certs.server_args(free_port(), "no");
    let key = args.iter().position(|a| a == "--tls-key-file").unwrap();
    args[key + 1] = Path::new(&certs.path("missing.key")).to_string_lossy().into_owned();
    let (code, log) = failed_start(&args);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains(&format!("Failed to load private key: {}", certs.path("missing.key"))), "{log}");
}
