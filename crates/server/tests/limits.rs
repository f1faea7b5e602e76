//! Limits over TCP: client-output-buffer-limit closing a subscriber that does not read, maxmemory with
//! eviction measured by the counting allocator, and rename-command.

mod common;
use common::*;
use std::time::{Duration, Instant};

fn info_u64(conn: &mut Conn, field: &str) -> u64 {
    info_field(conn, field).parse().expect("a number")
}

#[test]
fn pubsub_subscriber_that_does_not_read_is_closed_at_the_hard_limit() {
    let srv = TestServer::start_with(&["--client-output-buffer-limit", "pubsub 1mb 0 0"]);
    let mut sub = srv.connect();
    assert!(sub.call_str(&["SUBSCRIBE", "news"]).contains("subscribe"));
    // The subscriber never reads again: its socket buffers fill, then its output queues in the server.
    let mut publisher = srv.connect();
    let payload = "x".repeat(16 * 1024);
    let start = Instant::now();
    let mut receivers = b":1\r\n".to_vec();
    while receivers == b":1\r\n" {
        assert!(start.elapsed() < Duration::from_secs(20), "the subscriber was never closed");
        for _ in 0..64 {
            publisher.send_command(&["PUBLISH", "news", &payload]);
        }
        for _ in 0..64 {
            receivers = publisher.read_reply();
        }
    }
    assert_eq!(receivers, b":0\r\n", "the subscriber is gone");
    assert_eq!(info_u64(&mut publisher, "client_output_buffer_limit_disconnections"), 1);
    assert_eq!(info_u64(&mut publisher, "connected_clients"), 1);
    let log = srv.log();
    assert!(
        log.contains("scheduled to be closed ASAP for overcoming of output buffer limits.") && log.contains("flags=P"),
        "{log}"
    );
    assert!(sub.read_until_closed(Duration::from_secs(10)).is_some(), "the subscriber's socket is closed");
}

#[test]
fn pubsub_subscriber_that_reads_is_kept() {
    let srv = TestServer::start_with(&["--client-output-buffer-limit", "pubsub 64kb 0 0"]);
    let mut sub = srv.connect();
    sub.call(&["SUBSCRIBE", "news"]);
    let mut publisher = srv.connect();
    let payload = "x".repeat(1000);
    for _ in 0..500 {
        assert_eq!(publisher.call(&["PUBLISH", "news", &payload]), b":1\r\n");
        sub.read_reply();
    }
    assert_eq!(info_u64(&mut publisher, "client_output_buffer_limit_disconnections"), 0);
}

#[test]
fn output_buffer_limit_defaults_are_valkeys() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let reply = c.call_str(&["CONFIG", "GET", "client-output-buffer-limit"]);
    assert!(reply.contains("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"), "{reply}");
}

#[test]
fn maxmemory_allkeys_lru_keeps_used_memory_near_the_limit() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let used = info_u64(&mut c, "used_memory");
    let limit = used + 2 * 1024 * 1024;
    assert_eq!(c.call(&["CONFIG", "SET", "maxmemory", &limit.to_string()]), b"+OK\r\n");
    assert_eq!(c.call(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]), b"+OK\r\n");
    let value = "v".repeat(1024);
    for batch in 0..100 {
        for i in 0..100 {
            c.send_command(&["SET", &format!("key:{batch}:{i}"), &value]);
        }
        for _ in 0..100 {
            assert_eq!(c.read_reply(), b"+OK\r\n");
        }
    }
    let used = info_u64(&mut c, "used_memory");
    assert!(used < limit + 64 * 1024, "used_memory {used} over the limit {limit}");
    assert!(info_u64(&mut c, "evicted_keys") > 5000);
    assert_eq!(c.call_str(&["EXISTS", "key:99:99"]), ":1\r\n", "the newest key stays");
    assert_eq!(info_field(&mut c, "maxmemory_policy"), "allkeys-lru");
    assert_eq!(info_u64(&mut c, "maxmemory"), limit);
}

#[test]
fn maxmemory_noeviction_refuses_writes_with_valkeys_error() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    assert_eq!(c.call(&["SET", "k", "v"]), b"+OK\r\n");
    assert_eq!(c.call(&["CONFIG", "SET", "maxmemory", "1"]), b"+OK\r\n");
    assert_eq!(c.call_str(&["SET", "k2", "v"]), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    assert_eq!(c.call_str(&["GET", "k"]), "$1\r\nv\r\n");
    assert_eq!(c.call(&["CONFIG", "SET", "maxmemory", "0"]), b"+OK\r\n");
    assert_eq!(c.call(&["SET", "k2", "v"]), b"+OK\r\n");
}

#[test]
fn rename_command_renames_and_removes_commands() {
    let srv = TestServer::start_with(&["--rename-command", "get", "fetch", "--rename-command", "FLUSHALL", ""]);
    let mut c = srv.connect();
    assert_eq!(c.call(&["SET", "k", "v"]), b"+OK\r\n");
    assert_eq!(c.call_str(&["GET", "k"]), "-ERR unknown command 'GET', with args beginning with: 'k' \r\n");
    assert_eq!(c.call_str(&["FETCH", "k"]), "$1\r\nv\r\n");
    assert_eq!(c.call_str(&["FLUSHALL"]), "-ERR unknown command 'FLUSHALL', with args beginning with: \r\n");
    assert_eq!(c.call_str(&["DBSIZE"]), ":1\r\n");
}

#[test]
fn memory_purge_gives_freed_pages_back_to_the_os() {
    // Freed memory stays with the process for a while (as with Valkey's jemalloc decay); MEMORY PURGE
    // hands it back at once.
    let srv = TestServer::start_with(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    let rss = |c: &mut Conn| info_u64(c, "used_memory_rss");
    let before = rss(&mut c);
    assert_eq!(c.call_str(&["DEBUG", "POPULATE", "40000", "key", "1000"]), "+OK\r\n");
    let filled = rss(&mut c);
    assert!(filled > before + 30_000_000, "{before} -> {filled}");
    assert_eq!(c.call_str(&["FLUSHALL"]), "+OK\r\n");
    assert_eq!(c.call_str(&["MEMORY", "PURGE"]), "+OK\r\n");
    wait_for("RSS to drop after MEMORY PURGE", Duration::from_secs(2), || rss(&mut c) < filled - 20_000_000);
}
