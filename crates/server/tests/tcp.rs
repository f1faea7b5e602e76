//! ferrokey-server over real TCP, raw RESP: framing (pipelining, split frames, inline commands),
//! protocol errors and limits, cross-client delivery (pub/sub, blocking pops), connection lifecycle
//! (idle timeout, maxclients, QUIT, SIGTERM). Expected bytes are Valkey 8.0.1's.

mod common;

use common::*;
use std::time::{Duration, Instant};

const SHORT: Duration = Duration::from_millis(150);
const CLOSE_WAIT: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------- framing

#[test]
fn pipeline_1000_commands_in_one_write_replies_in_order() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let mut batch = Vec::new();
    for i in 0..1000 {
        if i % 2 == 0 {
            batch.extend(encode_command(&["INCR", "counter"]));
        } else {
            batch.extend(encode_command(&["ECHO", &format!("e{i}")]));
        }
    }
    c.send(&batch);
    for i in 0..1000 {
        let expected = if i % 2 == 0 {
            format!(":{}\r\n", i / 2 + 1)
        } else {
            let echoed = format!("e{i}");
            format!("${}\r\n{echoed}\r\n", echoed.len())
        };
        assert_eq!(show(&c.read_reply()), show(expected.as_bytes()), "reply {i}");
    }
    assert_eq!(c.call(&["GET", "counter"]), b"$3\r\n500\r\n");
}

#[test]
fn command_split_at_every_byte_still_runs() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let mut input = encode_command(&["SET", "key", "ab\r\ncd\r\n"]);
    input.extend_from_slice(b"GET key\r\n");
    input.extend(encode_command(&["APPEND", "key", "!"]));
    for b in &input {
        c.send(std::slice::from_ref(b));
        // A pause so the server sees (almost always) one byte per read.
        std::thread::sleep(Duration::from_micros(300));
    }
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"$8\r\nab\r\ncd\r\n\r\n");
    assert_eq!(c.read_reply(), b":9\r\n");
}

#[test]
fn inline_commands_run_like_multibulk() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.send(b"PING\r\n");
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    c.send(b"SET k \"a b\\x41\"\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    // A bare \n ends an inline command too, and a run of spaces is one separator.
    c.send(b"GET   k\n");
    assert_eq!(c.read_reply(), b"$4\r\na bA\r\n");
    c.send(b"set 'x y' 'it\\'s'\r\nget \"x y\"\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"$4\r\nit's\r\n");
}

#[test]
fn empty_query_and_non_positive_multibulk_are_ignored() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.send(b"\r\n");
    c.send(b"*-10\r\n");
    c.send(b"*0\r\n");
    assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
}

// ---------------------------------------------------------------- protocol errors

/// Sends `input` on a fresh connection and returns everything received until the server closed it.
#[track_caller]
fn send_and_read_to_close(srv: &ServerProcess, input: &[u8]) -> String {
    let mut c = srv.connect();
    // The server may close while a large input is still being written: that is not a failure.
    let _ = c.try_send(input);
    let rest = c
        .read_until_closed(CLOSE_WAIT)
        .unwrap_or_else(|| panic!("connection stayed open after {:?}", show(&input[..input.len().min(80)])));
    show(&rest)
}

#[test]
fn protocol_errors_reply_valkey_text_then_close() {
    let srv = TestServer::start();
    let cases: &[(&[u8], &str)] = &[
        (b"*3000000000\r\n", "-ERR Protocol error: invalid multibulk length"),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "-ERR Protocol error: expected '$', got 'f'"),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", "-ERR Protocol error: invalid bulk length"),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$2000000000\r\n", "-ERR Protocol error: invalid bulk length"),
        (b"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$blabla\r\n", "-ERR Protocol error: invalid bulk length"),
        (b"*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'"),
        (b"set \"\"\"test-key\"\"\" test-value\r\nping\r\n", "-ERR Protocol error: unbalanced quotes in request"),
    ];
    for (input, expected) in cases {
        assert_eq!(send_and_read_to_close(&srv, input), format!("{expected}\\r\\n"), "input {:?}", show(input));
    }
    // The server is still fine for everyone else.
    assert_eq!(srv.connect().call(&["PING"]), b"+PONG\r\n");
}

#[test]
fn protocol_error_after_pipelined_commands_answers_them_first() {
    let srv = TestServer::start();
    let mut input = b"PING\r\n".to_vec();
    input.extend(encode_command(&["SET", "a", "b"]));
    input.extend_from_slice(b"*1\r\nfoo\r\nPING\r\n");
    assert_eq!(
        send_and_read_to_close(&srv, &input),
        "+PONG\\r\\n+OK\\r\\n-ERR Protocol error: expected '$', got 'f'\\r\\n"
    );
    assert_eq!(srv.connect().call(&["GET", "a"]), b"$1\r\nb\r\n");
}

#[test]
fn protocol_input_without_newline_over_64k_is_refused() {
    let srv = TestServer::start();
    let filler = vec![b'A'; 70 * 1024];
    for (prefix, expected) in [
        (&b"\x00"[..], "-ERR Protocol error: too big inline request"),
        (b"*\x00", "-ERR Protocol error: too big mbulk count string"),
        (b"$\x00", "-ERR Protocol error: too big inline request"),
        (b"*1\r\n$\x00", "-ERR Protocol error: too big bulk count string"),
    ] {
        let mut input = prefix.to_vec();
        input.extend_from_slice(&filler);
        assert_eq!(send_and_read_to_close(&srv, &input), format!("{expected}\\r\\n"), "prefix {prefix:?}");
    }
}

#[test]
fn unknown_command_keeps_connection_open() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    assert_eq!(
        c.call_str(&["NOSUCH", "a", "b"]),
        "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n"
    );
    assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
}

#[test]
fn wrong_arity_keeps_connection_open() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["GET"]), "-ERR wrong number of arguments for 'get' command\r\n");
    assert_eq!(c.call_str(&["ping", "x", "y", "z"]), "-ERR wrong number of arguments for 'ping' command\r\n");
    assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
}

// ---------------------------------------------------------------- sizes and limits

#[test]
fn big_value_1mb_round_trips() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let value: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    assert_eq!(c.call(&[&b"SET"[..], b"big", &value]), b"+OK\r\n");
    let mut expected = format!("${}\r\n", value.len()).into_bytes();
    expected.extend_from_slice(&value);
    expected.extend_from_slice(b"\r\n");
    assert!(c.call(&["GET", "big"]) == expected, "GET big returned different bytes");
    assert_eq!(c.call(&["STRLEN", "big"]), b":1048576\r\n");
}

#[test]
fn bulk_longer_than_proto_max_bulk_len_is_refused() {
    let srv = TestServer::start_with(&["--proto-max-bulk-len", "1mb"]);
    // 1 MiB itself is allowed ...
    let mut c = srv.connect();
    let value = vec![b'x'; 1024 * 1024];
    assert_eq!(c.call(&[&b"SET"[..], b"k", &value]), b"+OK\r\n");
    // ... one byte more is a protocol error, answered before the payload arrives.
    assert_eq!(
        send_and_read_to_close(&srv, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"),
        "-ERR Protocol error: invalid bulk length\\r\\n"
    );
    // And strings may not grow past it.
    assert_eq!(c.call_str(&["APPEND", "k", "y"]), "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    assert_eq!(
        c.call_str(&["SETRANGE", "k2", "1048576", "y"]),
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
    );
}

#[test]
fn query_buffer_over_limit_closes_connection_without_reply() {
    let srv = TestServer::start_with(&["--client-query-buffer-limit", "1mb"]);
    // A command still incomplete at 2 MiB.
    let mut input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n".to_vec();
    input.extend(vec![b'a'; 2 * 1024 * 1024]);
    assert_eq!(send_and_read_to_close(&srv, &input), "");
    assert_eq!(srv.connect().call(&["EXISTS", "k"]), b":0\r\n");
}

/// Valkey (tests/unit/info.tcl) counts the whole argument being read against the limit, so a SET
/// whose value alone is the limit is refused even though it arrives complete.
#[test]
fn query_buffer_limit_refuses_set_of_limit_sized_value() {
    let srv = TestServer::start_with(&["--client-query-buffer-limit", "1mb"]);
    let value = vec![b'a'; 1024 * 1024];
    assert_eq!(send_and_read_to_close(&srv, &encode_command(&[&b"SET"[..], b"key", &value])), "");
    assert_eq!(srv.connect().call(&["EXISTS", "key"]), b":0\r\n");
}

// ---------------------------------------------------------------- pub/sub

#[test]
fn publish_reaches_subscriber_on_another_connection() {
    let srv = TestServer::start();
    let mut sub = srv.connect();
    let mut publisher = srv.connect();
    assert_eq!(show(&sub.call(&["SUBSCRIBE", "ch"])), show(b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"));
    assert_eq!(show(&sub.call(&["PSUBSCRIBE", "c*"])), show(b"*3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n"));
    assert_eq!(publisher.call(&["PUBLISH", "ch", "hello"]), b":2\r\n");
    assert_eq!(show(&sub.read_reply()), show(b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n"));
    assert_eq!(show(&sub.read_reply()), show(b"*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$5\r\nhello\r\n"));
    assert_eq!(publisher.call(&["PUBLISH", "other", "x"]), b":0\r\n");
    // In RESP2 a subscriber may only PING (and (un)subscribe); its PING reply is an array.
    assert_eq!(show(&sub.call(&["PING"])), show(b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"));
    assert_eq!(
        sub.call_str(&["GET", "k"]),
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
}

#[test]
fn publish_reaches_resp3_subscriber_as_push() {
    let srv = TestServer::start();
    let mut sub = srv.connect();
    let mut publisher = srv.connect();
    let _hello = sub.call(&["HELLO", "3"]);
    assert_eq!(show(&sub.call(&["SUBSCRIBE", "ch"])), show(b">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"));
    assert_eq!(publisher.call(&["PUBLISH", "ch", "hi"]), b":1\r\n");
    assert_eq!(show(&sub.read_reply()), show(b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"));
    // RESP3 subscribers may run any command.
    assert_eq!(sub.call(&["GET", "k"]), b"_\r\n");
}

// ---------------------------------------------------------------- blocking

/// Sends BLPOP on `c` and checks that it is still waiting a moment later.
fn start_blpop(c: &mut Conn, key: &str, timeout: &str) {
    c.send_command(&["BLPOP", key, timeout]);
    assert_eq!(c.read_reply_within(SHORT), None, "BLPOP {key} did not block");
}

#[test]
fn blpop_woken_by_rpush_from_another_client() {
    let srv = TestServer::start();
    let (mut blocked, mut pusher) = (srv.connect(), srv.connect());
    start_blpop(&mut blocked, "list", "0");
    assert_eq!(pusher.call(&["RPUSH", "list", "x", "y"]), b":2\r\n");
    assert_eq!(show(&blocked.read_reply()), show(b"*2\r\n$4\r\nlist\r\n$1\r\nx\r\n"));
    assert_eq!(show(&pusher.call(&["LRANGE", "list", "0", "-1"])), show(b"*1\r\n$1\r\ny\r\n"));
}

#[test]
fn blpop_woken_by_exec_gets_first_element_pushed_in_transaction() {
    let srv = TestServer::start();
    let (mut blocked, mut pusher) = (srv.connect(), srv.connect());
    start_blpop(&mut blocked, "list", "0");
    assert_eq!(pusher.call(&["MULTI"]), b"+OK\r\n");
    assert_eq!(pusher.call(&["RPUSH", "list", "a"]), b"+QUEUED\r\n");
    assert_eq!(pusher.call(&["RPUSH", "list", "b"]), b"+QUEUED\r\n");
    // Nothing is served until EXEC.
    assert_eq!(blocked.read_reply_within(SHORT), None);
    assert_eq!(pusher.call(&["EXEC"]), b"*2\r\n:1\r\n:2\r\n");
    assert_eq!(show(&blocked.read_reply()), show(b"*2\r\n$4\r\nlist\r\n$1\r\na\r\n"));
    assert_eq!(show(&pusher.call(&["LRANGE", "list", "0", "-1"])), show(b"*1\r\n$1\r\nb\r\n"));
}

#[test]
fn blpop_timeout_replies_null_array() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let start = Instant::now();
    c.send_command(&["BLPOP", "nolist", "0.2"]);
    assert_eq!(c.read_reply(), b"*-1\r\n");
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(190), "BLPOP timed out early: {took:?}");
    assert!(took < Duration::from_secs(2), "BLPOP timed out late: {took:?}");
    // Still usable afterwards.
    assert_eq!(c.call(&["PING"]), b"+PONG\r\n");
}

#[test]
fn blpop_pipelined_commands_run_after_it_is_served() {
    let srv = TestServer::start();
    let (mut blocked, mut pusher) = (srv.connect(), srv.connect());
    let mut batch = encode_command(&["BLPOP", "list", "0"]);
    batch.extend(encode_command(&["ECHO", "after"]));
    blocked.send(&batch);
    assert_eq!(blocked.read_reply_within(SHORT), None);
    assert_eq!(pusher.call(&["LPUSH", "list", "v"]), b":1\r\n");
    assert_eq!(show(&blocked.read_reply()), show(b"*2\r\n$4\r\nlist\r\n$1\r\nv\r\n"));
    assert_eq!(blocked.read_reply(), b"$5\r\nafter\r\n");
}

// ---------------------------------------------------------------- connection lifecycle

#[test]
fn timeout_config_closes_idle_clients_but_not_subscribers_or_blocked() {
    let srv = TestServer::start_with(&["--timeout", "1"]);
    let mut idle = srv.connect();
    let mut subscriber = srv.connect();
    let mut blocked = srv.connect();
    assert_eq!(idle.call(&["PING"]), b"+PONG\r\n");
    assert_eq!(subscriber.call(&["SUBSCRIBE", "ch"]).len(), b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n".len());
    blocked.send_command(&["BLPOP", "list", "0"]);
    let start = Instant::now();
    assert_eq!(idle.read_until_closed(CLOSE_WAIT), Some(Vec::new()), "idle client was not closed");
    assert!(start.elapsed() >= Duration::from_millis(900), "closed too early: {:?}", start.elapsed());
    assert_eq!(show(&subscriber.call(&["PING"])), show(b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"));
    assert_eq!(srv.connect().call(&["RPUSH", "list", "v"]), b":1\r\n");
    assert_eq!(show(&blocked.read_reply()), show(b"*2\r\n$4\r\nlist\r\n$1\r\nv\r\n"));
}

#[test]
fn maxclients_third_connection_is_refused() {
    let srv = TestServer::start_with(&["--maxclients", "2"]);
    let mut first = srv.connect();
    assert_eq!(first.call(&["PING"]), b"+PONG\r\n");
    // The start-up probe's connection may take a moment to be noticed as closed.
    let mut second = loop {
        let mut c = srv.connect();
        match c.read_reply_within(Duration::from_millis(50)) {
            None => break c,
            Some(reply) => {
                assert_eq!(reply, b"-ERR max number of clients reached\r\n");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    assert_eq!(second.call(&["PING"]), b"+PONG\r\n");
    let mut third = srv.connect();
    assert_eq!(
        third.read_until_closed(CLOSE_WAIT).map(|b| show(&b)),
        Some("-ERR max number of clients reached\\r\\n".to_string())
    );
    // The first two are untouched, and a slot frees when one leaves.
    assert_eq!(first.call(&["PING"]), b"+PONG\r\n");
    drop(second);
    let start = Instant::now();
    loop {
        let mut c = srv.connect();
        if c.try_call(&["PING"]).is_ok_and(|r| r == b"+PONG\r\n") {
            break;
        }
        assert!(start.elapsed() < CLOSE_WAIT, "no slot freed after a client left");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn quit_replies_ok_then_closes() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let mut batch = encode_command(&["QUIT"]);
    batch.extend(encode_command(&["PING"]));
    c.send(&batch);
    assert_eq!(c.read_until_closed(CLOSE_WAIT).map(|b| show(&b)), Some("+OK\\r\\n".to_string()));
}

#[test]
fn sigterm_exits_zero_promptly() {
    let mut srv = TestServer::start();
    let mut c = srv.connect();
    assert_eq!(c.call(&["SET", "k", "v"]), b"+OK\r\n");
    let start = Instant::now();
    srv.signal("TERM");
    let status = srv.wait_exit(Duration::from_secs(5)).expect("server still running 5 s after SIGTERM");
    assert_eq!(status.code(), Some(0), "exit status after SIGTERM; log:\n{}", srv.log());
    assert!(start.elapsed() < Duration::from_secs(2), "shutdown took {:?}", start.elapsed());
}
