//! Hash commands against Valkey 8.0.1's replies, errors, encodings and keyspace events.

mod common;
use common::*;
use ferrokey_core::client::ClientId;
use ferrokey_core::notify;
use ferrokey_core::pubsub::{self, Kind};
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;
use std::collections::{HashMap, HashSet};

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn encoding(h: &Harness, key: &str) -> &'static str {
    h.eng.dbs[0].get(key.as_bytes()).expect("key exists").value.encoding()
}

fn exists(h: &Harness, key: &str) -> bool {
    h.eng.dbs[0].get(key.as_bytes()).is_some()
}

/// The bulk strings of an array reply.
fn strings(reply: Reply) -> Vec<String> {
    match reply {
        Reply::Array(items) | Reply::Set(items) => items
            .into_iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8(b).unwrap(),
                other => panic!("not a bulk: {other:?}"),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

fn sorted_strings(reply: Reply) -> Vec<String> {
    let mut v = strings(reply);
    v.sort();
    v
}

/// A second client that receives every keyevent notification.
fn listen_keyevents(h: &mut Harness) -> ClientId {
    h.eng.config.notify_keyspace_events = notify::KEYEVENT | notify::ALL;
    let id = h.connect();
    pubsub::subscribe(&mut h.eng, id, Kind::Pattern, b"__keyevent@*");
    id
}

/// The (event, key) pairs the listener got since last asked.
fn events(h: &mut Harness, id: ClientId) -> Vec<(String, String)> {
    h.output(id)
        .into_iter()
        .map(|m| match m {
            Reply::Push(parts) => match &parts[..] {
                [_, _, Reply::Bulk(channel), Reply::Bulk(key)] => {
                    let channel = String::from_utf8_lossy(channel);
                    let event = channel.rsplit(':').next().unwrap().to_string();
                    (event, String::from_utf8_lossy(key).into_owned())
                }
                other => panic!("unexpected message {other:?}"),
            },
            other => panic!("unexpected output {other:?}"),
        })
        .collect()
}

fn ev(event: &str, key: &str) -> (String, String) {
    (event.to_string(), key.to_string())
}

// -- HSET / HMSET / HSETNX -----------------------------------------------------------------------------

#[test]
fn hset_counts_new_fields_and_updates_existing() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HSET", "h", "a", "1", "b", "2"]), int(2));
    assert_eq!(h.run(&["HSET", "h", "a", "x", "c", "3"]), int(1));
    assert_eq!(h.run(&["HSET", "h", "a", "y"]), int(0));
    assert_eq!(h.run(&["HGET", "h", "a"]), bulk("y"));
    assert_eq!(h.run(&["HLEN", "h"]), int(3));
}

#[test]
fn hset_same_field_twice_in_one_call_counts_once_last_wins() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HSET", "h", "a", "1", "a", "2"]), int(1));
    assert_eq!(h.run(&["HGET", "h", "a"]), bulk("2"));
}

#[test]
fn hset_odd_arguments_is_an_arity_error_before_the_type_check() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "v"]);
    assert_eq!(h.run(&["HSET", "s", "a", "1", "b"]), err("ERR wrong number of arguments for 'hset' command"));
    assert_eq!(h.run(&["HMSET", "s", "a", "1", "b"]), err("ERR wrong number of arguments for 'hmset' command"));
    assert_eq!(h.run(&["HSET", "h", "a"]), err("ERR wrong number of arguments for 'hset' command"));
    assert!(!exists(&h, "h"));
}

#[test]
fn hmset_replies_ok() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HMSET", "h", "a", "1", "b", "2"]), ok());
    assert_eq!(h.run(&["HMGET", "h", "a", "b", "c"]), array(vec![bulk("1"), bulk("2"), null()]));
}

#[test]
fn hsetnx_sets_only_missing_fields() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HSETNX", "h", "f", "foo"]), int(1));
    assert_eq!(h.run(&["HSETNX", "h", "f", "bar"]), int(0));
    assert_eq!(h.run(&["HGET", "h", "f"]), bulk("foo"));
}

// -- reads ---------------------------------------------------------------------------------------------

#[test]
fn hget_missing_key_or_field_is_null() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HGET", "nokey", "f"]), null());
    h.run(&["HSET", "h", "a", "1"]);
    assert_eq!(h.run(&["HGET", "h", "nofield"]), null());
}

#[test]
fn hmget_missing_key_gives_nulls() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HMGET", "nokey", "a", "b"]), array(vec![null(), null()]));
}

#[test]
fn hgetall_is_a_map_flat_in_resp2() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "b", "2", "a", "1"]);
    let reply = h.run(&["HGETALL", "h"]);
    assert_eq!(reply, Reply::Map(vec![(bulk("b"), bulk("2")), (bulk("a"), bulk("1"))]));
    assert_eq!(wire(&reply, Protocol::Resp2), "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(wire(&reply, Protocol::Resp3), "%2\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    let empty = h.run(&["HGETALL", "nokey"]);
    assert_eq!(wire(&empty, Protocol::Resp2), "*0\r\n");
    assert_eq!(wire(&empty, Protocol::Resp3), "%0\r\n");
}

#[test]
fn hkeys_hvals_follow_insertion_order_in_a_listpack() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "z", "1", "y", "2", "x", "3"]);
    h.run(&["HDEL", "h", "y"]);
    h.run(&["HSET", "h", "w", "4"]);
    assert_eq!(h.run(&["HKEYS", "h"]), bulks(&["z", "x", "w"]));
    assert_eq!(h.run(&["HVALS", "h"]), bulks(&["1", "3", "4"]));
    assert_eq!(h.run(&["HKEYS", "nokey"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["HVALS", "nokey"]), Reply::EMPTY_ARRAY);
}

#[test]
fn hlen_hexists_hstrlen_count_and_probe() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HLEN", "h"]), int(0));
    assert_eq!(h.run(&["HEXISTS", "h", "a"]), int(0));
    assert_eq!(h.run(&["HSTRLEN", "h", "a"]), int(0));
    h.run(&["HSET", "h", "a", "hello", "n", "-9223372036854775808", "e", ""]);
    assert_eq!(h.run(&["HLEN", "h"]), int(3));
    assert_eq!(h.run(&["HEXISTS", "h", "a"]), int(1));
    assert_eq!(h.run(&["HEXISTS", "h", "b"]), int(0));
    assert_eq!(h.run(&["HSTRLEN", "h", "a"]), int(5));
    assert_eq!(h.run(&["HSTRLEN", "h", "n"]), int(20));
    assert_eq!(h.run(&["HSTRLEN", "h", "e"]), int(0));
    assert_eq!(h.run(&["HSTRLEN", "h", "nofield"]), int(0));
}

#[test]
fn hash_commands_against_wrong_type_fail() {
    let mut h = Harness::new();
    h.run(&["SET", "w", "v"]);
    for cmd in [
        &["HMGET", "w", "a", "b"][..],
        &["HRANDFIELD", "w"],
        &["HRANDFIELD", "w", "2"],
        &["HGET", "w", "a"],
        &["HGETALL", "w"],
        &["HDEL", "w", "a"],
        &["HINCRBY", "w", "a", "2"],
        &["HINCRBYFLOAT", "w", "a", "2.5"],
        &["HSTRLEN", "w", "a"],
        &["HVALS", "w"],
        &["HKEYS", "w"],
        &["HEXISTS", "w", "a"],
        &["HSET", "w", "a", "1"],
        &["HMSET", "w", "a", "1", "b", "2"],
        &["HSETNX", "w", "a", "1"],
        &["HLEN", "w"],
        &["HSCAN", "w", "0"],
    ] {
        assert_eq!(h.run(cmd), err(WRONGTYPE), "{cmd:?}");
    }
    assert_eq!(h.run(&["GET", "w"]), bulk("v"));
}

// -- HDEL ----------------------------------------------------------------------------------------------

#[test]
fn hdel_counts_deleted_fields() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HDEL", "nokey", "a"]), int(0));
    h.run(&["HMSET", "h", "a", "1", "b", "2", "c", "3"]);
    assert_eq!(h.run(&["HDEL", "h", "x", "y"]), int(0));
    assert_eq!(h.run(&["HDEL", "h", "a", "c", "f"]), int(2));
    assert_eq!(h.run(&["HGETALL", "h"]), Reply::Map(vec![(bulk("b"), bulk("2"))]));
}

#[test]
fn hdel_last_field_deletes_the_key() {
    let mut h = Harness::new();
    h.run(&["HMSET", "h", "a", "1", "b", "2", "c", "3"]);
    assert_eq!(h.run(&["HDEL", "h", "a", "b", "c", "d", "e"]), int(3));
    assert!(!exists(&h, "h"));
}

// -- HINCRBY / HINCRBYFLOAT ------------------------------------------------------------------------------

#[test]
fn hincrby_creates_key_and_field() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HINCRBY", "h", "f", "2"]), int(2));
    assert_eq!(h.run(&["HINCRBY", "h", "f", "3"]), int(5));
    assert_eq!(h.run(&["HGET", "h", "f"]), bulk("5"));
    h.run(&["HSET", "h", "big", "17179869184"]);
    assert_eq!(h.run(&["HINCRBY", "h", "big", "17179869184"]), int(34359738368));
}

#[test]
fn hincrby_rejects_non_integers_and_overflow() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "n", "5", "l", " 11", "r", "11 ", "min", "-9223372036854775484"]);
    assert_eq!(h.run(&["HINCRBY", "h", "n", "v"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["HINCRBY", "h", "l", "1"]), err("ERR hash value is not an integer"));
    assert_eq!(h.run(&["HINCRBY", "h", "r", "1"]), err("ERR hash value is not an integer"));
    assert_eq!(h.run(&["HINCRBY", "h", "min", "-1"]), int(-9223372036854775485));
    assert_eq!(h.run(&["HINCRBY", "h", "min", "-10000"]), err("ERR increment or decrement would overflow"));
    assert_eq!(h.run(&["HGET", "h", "min"]), bulk("-9223372036854775485"));
}

#[test]
fn hincrbyfloat_formats_like_valkey() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "f", "1.23"]), bulk("1.23"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "f", "0.77"]), bulk("2"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "f", "-0.1"]), bulk("1.9"));
    assert_eq!(h.run(&["HGET", "h", "f"]), bulk("1.9"));
    h.run(&["HSET", "h", "i", "17179869184"]);
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "i", "1"]), bulk("17179869185"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "e", "1e3"]), bulk("1000"));
}

#[test]
fn hincrbyfloat_rejects_bad_values() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "l", " 11", "r", "11 ", "inf", "inf"]);
    h.run_bytes(&[b"HSET", b"h", b"nul", b"1\x002"]);
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "f", "v"]), err("ERR value is not a valid float"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "l", "1"]), err("ERR hash value is not a float"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "r", "1"]), err("ERR hash value is not a float"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "nul", "1"]), err("ERR hash value is not a float"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "inf", "1"]), err("ERR increment would produce NaN or Infinity"));
}

#[test]
fn hincrbyfloat_infinite_increment_fails_without_creating_the_key() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HINCRBYFLOAT", "hfoo", "field", "+inf"]), err("ERR value is NaN or Infinity"));
    assert_eq!(h.run(&["HINCRBYFLOAT", "hfoo", "field", "nan"]), err("ERR value is not a valid float"));
    assert!(!exists(&h, "hfoo"));
}

// -- encodings ---------------------------------------------------------------------------------------------

#[test]
fn hash_small_is_listpack_until_the_entry_limit() {
    let mut h = Harness::new();
    // Valkey 8.0.1's hash-max-listpack-entries default is 512.
    assert_eq!(h.eng.config.hash_max_listpack_entries, 512);
    for i in 0..512 {
        h.run(&["HSET", "h", &format!("f{i}"), "v"]);
    }
    assert_eq!(encoding(&h, "h"), "listpack");
    h.run(&["HSET", "h", "one-more", "v"]);
    assert_eq!(encoding(&h, "h"), "hashtable");
    for i in 0..512 {
        h.run(&["HDEL", "h", &format!("f{i}")]);
    }
    assert_eq!(encoding(&h, "h"), "hashtable", "conversions only grow");
}

#[test]
fn hash_long_value_or_field_converts_to_hashtable() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "f", &"a".repeat(64)]);
    assert_eq!(encoding(&h, "h"), "listpack");
    h.run(&["HSET", "h", "g", &"a".repeat(65)]);
    assert_eq!(encoding(&h, "h"), "hashtable");
    h.run(&["HSET", "k", &"k".repeat(65), "v"]);
    assert_eq!(encoding(&h, "k"), "hashtable");
    assert_eq!(h.run(&["HGET", "k", &"k".repeat(65)]), bulk("v"));
}

#[test]
fn hash_many_pairs_in_one_hset_convert_up_front() {
    let mut h = Harness::new();
    let mut argv = vec!["HSET".to_string(), "h".to_string()];
    for i in 0..513 {
        argv.push("same".to_string());
        argv.push(i.to_string());
    }
    let argv: Vec<&str> = argv.iter().map(|s| s.as_str()).collect();
    assert_eq!(h.run(&argv), int(1));
    // Valkey judges by the argument count, not by how many fields end up there.
    assert_eq!(encoding(&h, "h"), "hashtable");
}

#[test]
fn hash_thresholds_come_from_config() {
    let mut h = Harness::new();
    h.eng.config.hash_max_listpack_entries = 2;
    h.eng.config.hash_max_listpack_value = 8;
    h.run(&["HSET", "a", "1", "1", "2", "2"]);
    assert_eq!(encoding(&h, "a"), "listpack");
    h.run(&["HSET", "a", "3", "3"]);
    assert_eq!(encoding(&h, "a"), "hashtable");
    // HINCRBYFLOAT converts on the length of the value it writes.
    h.run(&["HSET", "small", "tmp", "0"]);
    h.run(&["HSET", "big", "tmp", "0"]);
    h.run(&["HINCRBYFLOAT", "small", "tmp", "0.000005"]);
    h.run(&["HINCRBYFLOAT", "big", "tmp", "0.0000005"]);
    assert_eq!(encoding(&h, "small"), "listpack");
    assert_eq!(encoding(&h, "big"), "hashtable");
    h.run(&["HINCRBYFLOAT", "f8", "abcdefgh", "1"]);
    h.run(&["HINCRBYFLOAT", "f9", "abcdefghi", "1"]);
    assert_eq!(encoding(&h, "f8"), "listpack");
    assert_eq!(encoding(&h, "f9"), "hashtable");
}

#[test]
fn hash_big_and_small_agree_with_a_model() {
    let mut h = Harness::new();
    let mut model: HashMap<String, String> = HashMap::new();
    for i in 0..1024 {
        let (f, v) = (format!("__avoid_collisions__{}", i * 7919 % 1000), format!("v{i}"));
        h.run(&["HSET", "big", &f, &v]);
        model.insert(f, v);
        if i % 3 == 0 {
            let gone = format!("__avoid_collisions__{}", i * 31 % 1000);
            let n = h.run(&["HDEL", "big", &gone]);
            assert_eq!(n, int(model.remove(&gone).is_some().into()));
        }
    }
    assert_eq!(encoding(&h, "big"), "hashtable");
    assert_eq!(h.run(&["HLEN", "big"]), int(model.len() as i64));
    for (f, v) in &model {
        assert_eq!(h.run(&["HGET", "big", f]), bulk(v));
    }
    let mut keys: Vec<String> = model.keys().cloned().collect();
    keys.sort();
    assert_eq!(sorted_strings(h.run(&["HKEYS", "big"])), keys);
}

// -- HRANDFIELD --------------------------------------------------------------------------------------------

fn chi_square(samples: &[String]) -> f64 {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in samples {
        *counts.entry(s).or_default() += 1;
    }
    let expected = samples.len() as f64 / counts.len() as f64;
    counts.values().map(|&c| (c as f64 - expected).powi(2) / expected).sum()
}

/// Ten fields at `key`; with `big` one of them is long, which makes the hash a hashtable.
fn ten_field_hash(h: &mut Harness, key: &str, big: bool) {
    for (f, v) in
        [("a", "1"), ("b", "2"), ("c", "3"), ("d", "4"), ("e", "5"), ("6", "f"), ("7", "g"), ("8", "h"), ("9", "i")]
    {
        h.run(&["HSET", key, f, v]);
    }
    let last = if big { "x".repeat(80) } else { "10".to_string() };
    h.run(&["HSET", key, &last, "j"]);
}

#[test]
fn hrandfield_without_count_returns_a_field_or_null() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HRANDFIELD", "nokey"]), null());
    for (key, big) in [("small", false), ("big", true)] {
        ten_field_hash(&mut h, key, big);
        let mut seen = HashSet::new();
        for _ in 0..200 {
            seen.insert(strings(array(vec![h.run(&["HRANDFIELD", key])])).remove(0));
        }
        assert_eq!(seen.len(), 10, "big={big}");
    }
}

#[test]
fn hrandfield_count_zero_or_missing_key_is_an_empty_array() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HRANDFIELD", "nokey", "100"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["HRANDFIELD", "nokey", "-100", "WITHVALUES"]), Reply::EMPTY_ARRAY);
    h.run(&["HSET", "h", "a", "1"]);
    let zero = h.run(&["HRANDFIELD", "h", "0"]);
    assert_eq!(wire(&zero, Protocol::Resp3), "*0\r\n");
}

#[test]
fn hrandfield_count_errors() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "a", "1"]);
    let range = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    assert_eq!(h.run(&["HRANDFIELD", "h", "-9223372036854775808"]), err(range));
    assert_eq!(h.run(&["HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"]), err(range));
    assert_eq!(h.run(&["HRANDFIELD", "h", "-9223372036854770000", "WITHVALUES"]), err("ERR value is out of range"));
    assert_eq!(h.run(&["HRANDFIELD", "h", "4611686018427387904", "withvalues"]), err("ERR value is out of range"));
    assert_eq!(h.run(&["HRANDFIELD", "h", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["HRANDFIELD", "h", "1", "WITHSCORES"]), err("ERR syntax error"));
    assert_eq!(h.run(&["HRANDFIELD", "h", "1", "WITHVALUES", "x"]), err("ERR syntax error"));
    // The count is checked before the key.
    h.run(&["SET", "s", "v"]);
    assert_eq!(h.run(&["HRANDFIELD", "s", "x"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn hrandfield_withvalues_is_flat_in_resp2_and_pairs_in_resp3() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"]);
    let flat = strings(h.run(&["HRANDFIELD", "h", "3", "WITHVALUES"]));
    assert_eq!(flat.len(), 6);
    for pair in flat.chunks(2) {
        assert_eq!(h.run(&["HGET", "h", &pair[0]]), bulk(&pair[1]));
    }
    let id = h.client;
    h.set_proto(id, Protocol::Resp3);
    match h.run(&["HRANDFIELD", "h", "3", "WITHVALUES"]) {
        Reply::Array(items) => {
            assert_eq!(items.len(), 3);
            for item in items {
                let pair = strings(item);
                assert_eq!(pair.len(), 2);
                assert_eq!(h.run(&["HGET", "h", &pair[0]]), bulk(&pair[1]));
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(strings(h.run(&["HRANDFIELD", "h", "3"])).len(), 3);
    assert_eq!(strings(h.run(&["HRANDFIELD", "h", "-5"])).len(), 5);
}

#[test]
fn hrandfield_count_paths_return_the_right_fields() {
    for big in [false, true] {
        let mut h = Harness::new();
        ten_field_hash(&mut h, "myhash", big);
        assert_eq!(encoding(&h, "myhash"), if big { "hashtable" } else { "listpack" });
        let all = sorted_strings(h.run(&["HKEYS", "myhash"]));
        // Negative: repeats, exactly |count| items.
        assert_eq!(strings(h.run(&["HRANDFIELD", "myhash", "-1001"])).len(), 1001);
        assert_eq!(strings(h.run(&["HRANDFIELD", "myhash", "-20", "WITHVALUES"])).len(), 40);
        // At least the size: everything once.
        for size in ["10", "20"] {
            assert_eq!(sorted_strings(h.run(&["HRANDFIELD", "myhash", size])), all);
            assert_eq!(strings(h.run(&["HRANDFIELD", "myhash", size, "WITHVALUES"])).len(), 20);
        }
        // Below the size: distinct fields, and every field eventually.
        for size in [8usize, 2] {
            let mut seen = HashSet::new();
            let mut samples = Vec::new();
            for _ in 0..1000 / size {
                let got = strings(h.run(&["HRANDFIELD", "myhash", &size.to_string()]));
                assert_eq!(got.len(), size);
                assert_eq!(got.iter().collect::<HashSet<_>>().len(), size, "distinct");
                seen.extend(got.iter().cloned());
                samples.extend(got);
            }
            assert_eq!(seen.len(), 10);
            assert!(chi_square(&samples) < 40.0, "big={big} size={size}");
        }
        // df = 9: 40 is a 0.00001 probability.
        let samples = strings(h.run(&["HRANDFIELD", "myhash", "-1000"]));
        assert!(chi_square(&samples) < 40.0, "big={big}: {}", chi_square(&samples));
    }
}

// -- HSCAN -------------------------------------------------------------------------------------------------

fn scan_parts(reply: Reply) -> (String, Vec<String>) {
    match reply {
        Reply::Array(mut parts) => {
            assert_eq!(parts.len(), 2);
            let items = strings(parts.pop().unwrap());
            let cursor = strings(array(vec![parts.pop().unwrap()])).remove(0);
            (cursor, items)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn hscan_listpack_returns_everything_at_once() {
    let mut h = Harness::new();
    let mut argv = vec!["HMSET".to_string(), "hash".to_string()];
    for j in 0..30 {
        argv.push(format!("key:{j}"));
        argv.push(j.to_string());
    }
    h.run(&argv.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert_eq!(encoding(&h, "hash"), "listpack");
    let (cursor, items) = scan_parts(h.run(&["HSCAN", "hash", "0"]));
    assert_eq!(cursor, "0");
    assert_eq!(items.len(), 60);
    assert_eq!(items[0..2], ["key:0".to_string(), "0".to_string()]);
}

#[test]
fn hscan_hashtable_iterates_every_field_with_its_value() {
    let mut h = Harness::new();
    let mut argv = vec!["HMSET".to_string(), "hash".to_string()];
    for j in 0..1000 {
        argv.push(format!("key:{j}"));
        argv.push(j.to_string());
    }
    h.run(&argv.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert_eq!(encoding(&h, "hash"), "hashtable");
    let mut cursor = "0".to_string();
    let mut fields = HashSet::new();
    let mut calls = 0;
    loop {
        let (next, items) = scan_parts(h.run(&["HSCAN", "hash", &cursor]));
        for pair in items.chunks(2) {
            assert_eq!(pair[0], format!("key:{}", pair[1]));
            fields.insert(pair[0].clone());
        }
        calls += 1;
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(fields.len(), 1000);
    assert!(calls > 10, "COUNT 10 should take many calls, took {calls}");
    let (_, only_fields) = scan_parts(h.run(&["HSCAN", "hash", "0", "COUNT", "100000", "NOVALUES"]));
    assert_eq!(only_fields.iter().collect::<HashSet<_>>(), fields.iter().collect::<HashSet<_>>());
}

#[test]
fn hscan_match_and_novalues() {
    let mut h = Harness::new();
    h.run(&[
        "HMSET", "mykey", "foo", "1", "fab", "2", "fiz", "3", "foobar", "10", "1", "a", "2", "b", "3", "c", "4", "d",
    ]);
    let (_, items) = scan_parts(h.run(&["HSCAN", "mykey", "0", "MATCH", "foo*", "COUNT", "10000"]));
    assert_eq!(items, ["foo", "1", "foobar", "10"]);
    let (_, items) = scan_parts(h.run(&["HSCAN", "mykey", "0", "NOVALUES"]));
    let mut items = items;
    items.sort();
    assert_eq!(items, ["1", "2", "3", "4", "fab", "fiz", "foo", "foobar"]);
}

#[test]
fn hscan_missing_key_is_an_empty_scan_without_option_checks() {
    let mut h = Harness::new();
    let reply = h.run(&["HSCAN", "nokey", "0", "COUNT", "0"]);
    assert_eq!(wire(&reply, Protocol::Resp2), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(wire(&reply, Protocol::Resp3), "*2\r\n$1\r\n0\r\n*0\r\n");
}

#[test]
fn hscan_option_errors() {
    let mut h = Harness::new();
    h.run(&["HSET", "h", "a", "1"]);
    assert_eq!(h.run(&["HSCAN", "h", "abc"]), err("ERR invalid cursor"));
    assert_eq!(h.run(&["HSCAN", "h", "-1"]), err("ERR invalid cursor"));
    assert_eq!(h.run(&["HSCAN", "h", "0", "COUNT", "0"]), err("ERR syntax error"));
    assert_eq!(h.run(&["HSCAN", "h", "0", "COUNT", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["HSCAN", "h", "0", "COUNT"]), err("ERR syntax error"));
    assert_eq!(h.run(&["HSCAN", "h", "0", "TYPE", "string"]), err("ERR syntax error"));
    assert_eq!(h.run(&["HSCAN", "h", "0", "NOSCORES"]), err("ERR NOSCORES option can only be used in ZSCAN"));
    // The cursor is read before the key's type is checked.
    h.run(&["SET", "s", "v"]);
    assert_eq!(h.run(&["HSCAN", "s", "x"]), err("ERR invalid cursor"));
}

// -- keyspace events and dirty counting ---------------------------------------------------------------------

#[test]
fn hash_writes_fire_valkeys_events() {
    let mut h = Harness::new();
    let listener = listen_keyevents(&mut h);
    h.run(&["HSET", "h", "a", "1", "b", "2"]);
    h.run(&["HMSET", "h", "c", "3"]);
    h.run(&["HSETNX", "h", "c", "3"]);
    h.run(&["HSETNX", "h", "d", "4"]);
    h.run(&["HINCRBY", "h", "n", "1"]);
    h.run(&["HINCRBYFLOAT", "h", "x", "1.5"]);
    h.run(&["HDEL", "h", "nofield"]);
    h.run(&["HDEL", "h", "a", "b"]);
    h.run(&["HDEL", "h", "c", "d", "n", "x"]);
    assert_eq!(
        events(&mut h, listener),
        vec![
            ev("hset", "h"),
            ev("hset", "h"),
            ev("hset", "h"),
            ev("hincrby", "h"),
            ev("hincrbyfloat", "h"),
            ev("hdel", "h"),
            ev("hdel", "h"),
            ev("del", "h"),
        ]
    );
}

#[test]
fn hash_writes_count_every_change_as_dirty() {
    let mut h = Harness::new();
    let before = h.eng.dirty;
    h.run(&["HSET", "h", "a", "1", "b", "2", "a", "3"]);
    assert_eq!(h.eng.dirty - before, 3);
    h.run(&["HDEL", "h", "a", "b", "zz"]);
    assert_eq!(h.eng.dirty - before, 5);
}

#[test]
fn hash_in_resp3_keeps_values_as_bulk_strings() {
    let mut h = Harness::resp3();
    h.run(&["HSET", "h", "n", "10"]);
    assert_eq!(h.run(&["HINCRBYFLOAT", "h", "n", "0.5"]), bulk("10.5"));
    assert_eq!(h.run(&["HGET", "h", "n"]), bulk("10.5"));
}
