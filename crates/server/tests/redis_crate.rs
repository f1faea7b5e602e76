//! The `redis` crate (sync API) against ferrokey-server: what a Rust application sees.

mod common;

use common::*;
use redis::{Commands, ErrorKind, PubSubCommands, Value};
use std::time::Duration;

fn client(srv: &ServerProcess, resp3: bool) -> redis::Connection {
    let url = format!("redis://127.0.0.1:{}/{}", srv.port, if resp3 { "?protocol=resp3" } else { "" });
    let con = redis::Client::open(url).expect("client").get_connection().expect("connect");
    con.set_read_timeout(Some(REPLY_TIMEOUT)).expect("read timeout");
    con
}

#[test]
fn set_get_round_trip_strings_bytes_and_numbers() {
    let srv = TestServer::start();
    let mut con = client(&srv, false);
    let () = con.set("greeting", "hello").unwrap();
    assert_eq!(con.get::<_, String>("greeting").unwrap(), "hello");
    let binary = vec![0u8, 255, b'\r', b'\n', 7];
    let () = con.set("bin", &binary).unwrap();
    assert_eq!(con.get::<_, Vec<u8>>("bin").unwrap(), binary);
    assert_eq!(con.incr::<_, _, i64>("n", 41).unwrap(), 41);
    assert_eq!(con.incr::<_, _, i64>("n", 1).unwrap(), 42);
    assert_eq!(con.get::<_, Option<String>>("missing").unwrap(), None);
    assert_eq!(con.del::<_, i64>(&["greeting", "bin", "missing"]).unwrap(), 2);
    let () = con.set_ex("ttl", "v", 100).unwrap();
    assert_eq!(con.ttl::<_, i64>("ttl").unwrap(), 100);
}

#[test]
fn server_errors_carry_their_code() {
    let srv = TestServer::start();
    let mut con = client(&srv, false);
    let () = con.set("s", "abc").unwrap();
    let err = con.incr::<_, _, i64>("s", 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResponseError);
    assert_eq!(err.detail(), Some("value is not an integer or out of range"));
    let err = con.lpush::<_, _, i64>("s", "x").unwrap_err();
    // redis 0.27 maps only well-known codes to kinds; WRONGTYPE keeps its code and text.
    assert_eq!(err.code(), Some("WRONGTYPE"));
    assert_eq!(err.detail(), Some("Operation against a key holding the wrong kind of value"));
    // The connection is still usable after errors.
    assert_eq!(con.get::<_, String>("s").unwrap(), "abc");
}

#[test]
fn pipeline_replies_come_back_in_order() {
    let srv = TestServer::start();
    let mut con = client(&srv, false);
    let mut pipe = redis::pipe();
    for i in 0..100 {
        pipe.rpush("list", i).ignore();
    }
    pipe.llen("list").lrange("list", 0, 2).hset("h", "f", "v").hgetall("h");
    let (len, head, added, all): (i64, Vec<i64>, i64, Vec<(String, String)>) = pipe.query(&mut con).unwrap();
    assert_eq!((len, head, added), (100, vec![0, 1, 2], 1));
    assert_eq!(all, vec![("f".to_string(), "v".to_string())]);
}

#[test]
fn atomic_pipeline_runs_as_multi_exec() {
    let srv = TestServer::start();
    let mut con = client(&srv, false);
    let (a, b, list): (i64, i64, Vec<String>) = redis::pipe()
        .atomic()
        .incr("counter", 1)
        .incr("counter", 10)
        .rpush("l", &["x", "y"])
        .ignore()
        .lrange("l", 0, -1)
        .query(&mut con)
        .unwrap();
    assert_eq!((a, b, list), (1, 11, vec!["x".to_string(), "y".to_string()]));
}

#[test]
fn transaction_retries_when_a_watched_key_changes() {
    let srv = TestServer::start();
    let mut con = client(&srv, false);
    let mut other = client(&srv, false);
    let () = con.set("balance", 10).unwrap();
    let mut attempts = 0;
    let (balance,): (i64,) = redis::transaction(&mut con, &["balance"], |con, pipe| {
        attempts += 1;
        let current: i64 = con.get("balance")?;
        if attempts == 1 {
            // Another client writes the watched key between WATCH and EXEC: EXEC must fail.
            let () = other.set("balance", 100)?;
        }
        pipe.set("balance", current + 1).ignore().get("balance").query(con)
    })
    .unwrap();
    assert_eq!(attempts, 2);
    assert_eq!(balance, 101);
}

#[test]
fn pubsub_receives_messages_published_by_another_client() {
    let srv = TestServer::start();
    let mut sub_con = client(&srv, false);
    let mut publisher = client(&srv, false);
    let mut pubsub = sub_con.as_pubsub();
    pubsub.set_read_timeout(Some(REPLY_TIMEOUT)).unwrap();
    pubsub.subscribe("news").unwrap();
    pubsub.psubscribe("spo*").unwrap();
    assert_eq!(publisher.publish::<_, _, i64>("news", "hello").unwrap(), 1);
    assert_eq!(publisher.publish::<_, _, i64>("sport", "goal").unwrap(), 1);
    let msg = pubsub.get_message().unwrap();
    assert_eq!((msg.get_channel_name(), msg.get_payload::<String>().unwrap()), ("news", "hello".to_string()));
    let msg = pubsub.get_message().unwrap();
    assert_eq!(msg.get_pattern::<String>().unwrap(), "spo*");
    assert_eq!((msg.get_channel_name(), msg.get_payload::<String>().unwrap()), ("sport", "goal".to_string()));
    pubsub.unsubscribe("news").unwrap();
    pubsub.punsubscribe("spo*").unwrap();
    drop(pubsub);
    // Back to normal commands once nothing is subscribed.
    assert_eq!(sub_con.get::<_, Option<String>>("k").unwrap(), None);
}

#[test]
fn subscribe_callback_api_stops_on_break() {
    let srv = TestServer::start();
    let mut sub_con = client(&srv, false);
    let port = srv.port;
    let publisher = std::thread::spawn(move || {
        let mut con = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap().get_connection().unwrap();
        // Publish until the subscriber is there to receive (PUBLISH counts receivers).
        for _ in 0..500 {
            if con.publish::<_, _, i64>("ch", "stop").unwrap() == 1 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    });
    let mut got = Vec::new();
    sub_con
        .subscribe(&["ch"], |msg| {
            got.push(msg.get_payload::<String>().unwrap());
            redis::ControlFlow::Break(())
        })
        .unwrap();
    assert!(publisher.join().unwrap(), "no subscriber seen");
    assert_eq!(got, vec!["stop".to_string()]);
}

#[test]
fn resp3_replies_have_resp3_types() {
    let srv = TestServer::start();
    let mut con = client(&srv, true);
    let () = con.hset_multiple("h", &[("f", "v"), ("g", "w")]).unwrap();
    let map: Value = redis::cmd("HGETALL").arg("h").query(&mut con).unwrap();
    assert_eq!(
        map,
        Value::Map(vec![
            (Value::BulkString(b"f".to_vec()), Value::BulkString(b"v".to_vec())),
            (Value::BulkString(b"g".to_vec()), Value::BulkString(b"w".to_vec())),
        ])
    );
    let () = con.sadd("s", &[1, 2]).unwrap();
    let set: Value = redis::cmd("SMEMBERS").arg("s").query(&mut con).unwrap();
    assert_eq!(set, Value::Set(vec![Value::BulkString(b"1".to_vec()), Value::BulkString(b"2".to_vec())]));
    let _: i64 = con.zadd("z", "a", 1.5).unwrap();
    let score: Value = redis::cmd("ZSCORE").arg("z").arg("a").query(&mut con).unwrap();
    assert_eq!(score, Value::Double(1.5));
    let null: Value = redis::cmd("GET").arg("missing").query(&mut con).unwrap();
    assert_eq!(null, Value::Nil);
    // Typed reads work the same as in RESP2.
    assert_eq!(con.hgetall::<_, Vec<(String, String)>>("h").unwrap().len(), 2);
    assert_eq!(con.zscore::<_, _, f64>("z", "a").unwrap(), 1.5);
}

#[test]
fn resp3_pubsub_receives_pushes() {
    let srv = TestServer::start();
    let mut sub_con = client(&srv, true);
    let mut publisher = client(&srv, false);
    let mut pubsub = sub_con.as_pubsub();
    pubsub.set_read_timeout(Some(REPLY_TIMEOUT)).unwrap();
    // In RESP3 the crate sends SUBSCRIBE without waiting for its confirmation (a push), so publish
    // until the subscription is in place.
    pubsub.subscribe("news").unwrap();
    let mut receivers = 0;
    for _ in 0..500 {
        receivers = publisher.publish::<_, _, i64>("news", "pushed").unwrap();
        if receivers == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(receivers, 1, "the subscription never took effect");
    let msg = pubsub.get_message().unwrap();
    assert_eq!((msg.get_channel_name(), msg.get_payload::<String>().unwrap()), ("news", "pushed".to_string()));
}
