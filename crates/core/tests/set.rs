//! Set commands against Valkey 8.0.1's replies, errors, encodings and keyspace events.

mod common;
use common::*;
use ferrokey_core::client::ClientId;
use ferrokey_core::notify;
use ferrokey_core::pubsub::{self, Kind};
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;
use std::collections::{BTreeSet, HashMap, HashSet};

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn encoding(h: &Harness, key: &str) -> &'static str {
    h.eng.dbs[0].get(key.as_bytes()).expect("key exists").value.encoding()
}

fn exists(h: &Harness, key: &str) -> bool {
    h.eng.dbs[0].get(key.as_bytes()).is_some()
}

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

fn owned(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Runs SADD key with every member in one call.
fn sadd_all(h: &mut Harness, key: &str, members: impl IntoIterator<Item = String>) -> Reply {
    let mut argv = vec!["SADD".to_string(), key.to_string()];
    argv.extend(members);
    h.run(&argv.iter().map(|s| s.as_str()).collect::<Vec<_>>())
}

fn members(h: &mut Harness, key: &str) -> Vec<String> {
    sorted_strings(h.run(&["SMEMBERS", key]))
}

fn listen_keyevents(h: &mut Harness) -> ClientId {
    h.eng.config.notify_keyspace_events = notify::KEYEVENT | notify::ALL;
    let id = h.connect();
    pubsub::subscribe(&mut h.eng, id, Kind::Pattern, b"__keyevent@*");
    id
}

fn events(h: &mut Harness, id: ClientId) -> Vec<(String, String)> {
    h.output(id)
        .into_iter()
        .map(|m| match m {
            Reply::Push(parts) => match &parts[..] {
                [_, _, Reply::Bulk(channel), Reply::Bulk(key)] => {
                    let channel = String::from_utf8_lossy(channel);
                    (channel.rsplit(':').next().unwrap().to_string(), String::from_utf8_lossy(key).into_owned())
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

fn chi_square(samples: &[String]) -> f64 {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in samples {
        *counts.entry(s).or_default() += 1;
    }
    let expected = samples.len() as f64 / counts.len() as f64;
    counts.values().map(|&c| (c as f64 - expected).powi(2) / expected).sum()
}

// -- SADD / SREM / SCARD / SISMEMBER / SMISMEMBER / SMEMBERS ---------------------------------------------

#[test]
fn sadd_counts_new_members_in_every_encoding() {
    for (first, enc) in [("17", "intset"), ("foo", "listpack")] {
        let mut h = Harness::new();
        assert_eq!(h.run(&["SADD", "s", first]), int(1));
        assert_eq!(encoding(&h, "s"), enc);
        assert_eq!(h.run(&["SADD", "s", "16", "16", first]), int(1));
        assert_eq!(h.run(&["SCARD", "s"]), int(2));
        assert_eq!(h.run(&["SISMEMBER", "s", "16"]), int(1));
        assert_eq!(h.run(&["SISMEMBER", "s", first]), int(1));
        assert_eq!(h.run(&["SISMEMBER", "s", "18"]), int(0));
        assert_eq!(h.run(&["SMISMEMBER", "s", "18", "16"]), array(vec![int(0), int(1)]));
    }
    let mut h = Harness::new();
    let big: Vec<String> = std::iter::once("foo".to_string()).chain((0..130).map(|i| format!("i{i:03}"))).collect();
    assert_eq!(sadd_all(&mut h, "s", big.clone()), int(131));
    assert_eq!(encoding(&h, "s"), "hashtable");
    assert_eq!(h.run(&["SADD", "s", "bar"]), int(1));
    assert_eq!(h.run(&["SADD", "s", "bar"]), int(0));
    assert_eq!(h.run(&["SCARD", "s"]), int(132));
    assert_eq!(h.run(&["SMISMEMBER", "s", "foo", "bla", "bar"]), array(vec![int(1), int(0), int(1)]));
    let mut expected = big;
    expected.push("bar".into());
    expected.sort();
    assert_eq!(members(&mut h, "s"), expected);
}

#[test]
fn variadic_sadd_counts_only_new_members() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SADD", "s", "a", "b", "c"]), int(3));
    assert_eq!(h.run(&["SADD", "s", "A", "a", "b", "c", "B"]), int(2));
    assert_eq!(members(&mut h, "s"), owned(&["A", "B", "a", "b", "c"]));
}

#[test]
fn set_reads_of_missing_keys_are_empty() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SMISMEMBER", "nokey", "foo", "bar"]), array(vec![int(0), int(0)]));
    assert_eq!(h.run(&["SISMEMBER", "nokey", "foo"]), int(0));
    assert_eq!(h.run(&["SCARD", "nokey"]), int(0));
    let empty = h.run(&["SMEMBERS", "nokey"]);
    assert_eq!(wire(&empty, Protocol::Resp2), "*0\r\n");
    assert_eq!(wire(&empty, Protocol::Resp3), "~0\r\n");
}

#[test]
fn smembers_is_a_resp3_set() {
    let mut h = Harness::new();
    h.run(&["SADD", "s", "3", "1", "2"]);
    let reply = h.run(&["SMEMBERS", "s"]);
    // Intsets are sorted.
    assert_eq!(wire(&reply, Protocol::Resp3), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    assert_eq!(wire(&reply, Protocol::Resp2), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
}

#[test]
fn set_commands_against_wrong_type_fail() {
    let mut h = Harness::new();
    h.run(&["SET", "w", "v"]);
    for cmd in [
        &["SADD", "w", "a"][..],
        &["SREM", "w", "a"],
        &["SMEMBERS", "w"],
        &["SISMEMBER", "w", "a"],
        &["SMISMEMBER", "w", "a"],
        &["SCARD", "w"],
        &["SPOP", "w"],
        &["SPOP", "w", "2"],
        &["SRANDMEMBER", "w"],
        &["SRANDMEMBER", "w", "2"],
        &["SSCAN", "w", "0"],
        &["SINTER", "w"],
        &["SINTERCARD", "1", "w"],
        &["SUNION", "w"],
        &["SDIFF", "w"],
    ] {
        assert_eq!(h.run(cmd), err(WRONGTYPE), "{cmd:?}");
    }
}

#[test]
fn smismember_requires_a_member() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SMISMEMBER", "s"]), err("ERR wrong number of arguments for 'smismember' command"));
}

#[test]
fn srem_counts_and_deletes_the_emptied_key() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SREM", "nokey", "a"]), int(0));
    h.run(&["SADD", "s", "a", "b", "c", "d"]);
    assert_eq!(h.run(&["SREM", "s", "k", "k", "k"]), int(0));
    assert_eq!(h.run(&["SREM", "s", "b", "d", "x", "y"]), int(2));
    assert_eq!(members(&mut h, "s"), owned(&["a", "c"]));
    h.run(&["SADD", "i", "3", "4", "5"]);
    assert_eq!(h.run(&["SREM", "i", "6"]), int(0));
    assert_eq!(h.run(&["SREM", "i", "4"]), int(1));
    assert_eq!(members(&mut h, "i"), owned(&["3", "5"]));
    assert_eq!(h.run(&["SREM", "i", "3", "5", "6", "7"]), int(2));
    assert!(!exists(&h, "i"));
}

// -- encodings ---------------------------------------------------------------------------------------------

#[test]
fn set_intset_takes_a_string_as_listpack_when_small() {
    let mut h = Harness::new();
    h.run(&["SADD", "s", "1", "2", "3"]);
    assert_eq!(encoding(&h, "s"), "intset");
    assert_eq!(h.run(&["SADD", "s", "a"]), int(1));
    assert_eq!(encoding(&h, "s"), "listpack");
}

#[test]
fn set_intset_takes_a_string_as_hashtable_when_large() {
    let mut h = Harness::new();
    for i in 0..130 {
        h.run(&["SADD", "s", &i.to_string()]);
    }
    assert_eq!(encoding(&h, "s"), "intset");
    assert_eq!(h.run(&["SADD", "s", "a"]), int(1));
    assert_eq!(encoding(&h, "s"), "hashtable");
}

#[test]
fn set_integer_beyond_64_bits_is_a_string() {
    let mut h = Harness::new();
    h.run(&["SADD", "s", "213244124402402314402033402"]);
    assert_eq!(encoding(&h, "s"), "listpack");
    assert_eq!(h.run(&["SISMEMBER", "s", "213244124402402314402033402"]), int(1));
    for i in 0..130 {
        h.run(&["SADD", "big", &i.to_string()]);
    }
    h.run(&["SADD", "big", "213244124402402314402033402"]);
    assert_eq!(encoding(&h, "big"), "hashtable");
    assert_eq!(h.run(&["SMISMEMBER", "big", "213244124402402314402033402"]), array(vec![int(1)]));
}

#[test]
fn set_intset_overflows_into_hashtable_past_512() {
    for style in ["single", "multiple", "single_multiple"] {
        let mut h = Harness::new();
        match style {
            "single" => (0..512).for_each(|i| {
                h.run(&["SADD", "s", &i.to_string()]);
            }),
            "multiple" => {
                sadd_all(&mut h, "s", (0..512).map(|i| i.to_string()));
            }
            _ => {
                h.run(&["SADD", "s", "1"]);
                sadd_all(&mut h, "s", (0..512).map(|i| i.to_string()));
            }
        }
        assert_eq!(encoding(&h, "s"), "intset", "{style}");
        assert_eq!(h.run(&["SCARD", "s"]), int(512));
        assert_eq!(h.run(&["SADD", "s", "512"]), int(1));
        assert_eq!(encoding(&h, "s"), "hashtable", "{style}");
    }
}

#[test]
fn set_listpack_overflows_into_hashtable_past_128() {
    for style in ["single", "multiple", "single_multiple"] {
        let mut h = Harness::new();
        let rest = (0..127).map(|i| i.to_string());
        match style {
            "single" => {
                h.run(&["SADD", "s", "a"]);
                rest.for_each(|m| {
                    h.run(&["SADD", "s", &m]);
                });
            }
            "multiple" => {
                sadd_all(&mut h, "s", std::iter::once("a".to_string()).chain(rest));
            }
            _ => {
                h.run(&["SADD", "s", "a"]);
                sadd_all(&mut h, "s", std::iter::once("a".to_string()).chain(rest));
            }
        }
        assert_eq!(encoding(&h, "s"), "listpack", "{style}");
        assert_eq!(h.run(&["SCARD", "s"]), int(128));
        assert_eq!(h.run(&["SADD", "s", "b"]), int(1));
        assert_eq!(encoding(&h, "s"), "hashtable", "{style}");
    }
}

#[test]
fn set_long_member_goes_to_hashtable_and_thresholds_come_from_config() {
    let mut h = Harness::new();
    h.run(&["SADD", "s", &"x".repeat(65)]);
    assert_eq!(encoding(&h, "s"), "hashtable");
    h.eng.config.set_max_listpack_value = 32;
    h.eng.config.set_max_intset_entries = 4;
    h.run(&["SADD", "v", &"x".repeat(33)]);
    assert_eq!(encoding(&h, "v"), "hashtable");
    h.run(&["SADD", "i", "1", "2", "3", "4"]);
    assert_eq!(encoding(&h, "i"), "intset");
    h.run(&["SADD", "i", "5"]);
    assert_eq!(encoding(&h, "i"), "hashtable");
}

#[test]
fn set_stays_hashtable_after_shrinking() {
    let mut h = Harness::new();
    sadd_all(&mut h, "s", (0..200).map(|i| format!("m{i}")));
    for i in 1..200 {
        h.run(&["SREM", "s", &format!("m{i}")]);
    }
    assert_eq!(encoding(&h, "s"), "hashtable");
    assert_eq!(members(&mut h, "s"), owned(&["m0"]));
}

// -- SINTER / SUNION / SDIFF and friends -----------------------------------------------------------------

/// Valkey's suite's five sets: 1, 2 and 4 big, 3 and 5 small; `large` decides the encodings.
fn five_sets(h: &mut Harness, large: &str) {
    sadd_all(h, "set1", (0..200).map(|i| i.to_string()));
    sadd_all(h, "set2", (0..200).map(|i| (i + 195).to_string()));
    sadd_all(h, "set3", ["199", "195", "1000", "2000"].map(String::from));
    sadd_all(h, "set4", (5..200).map(|i| i.to_string()));
    h.run(&["SADD", "set5", "0"]);
    for i in 1..=5 {
        h.run(&["SADD", &format!("set{i}"), large]);
    }
}

#[test]
fn set_algebra_over_the_suites_sets() {
    for (large, small_enc, big_enc) in [("foo", "listpack", "hashtable"), ("200", "intset", "intset")] {
        let mut h = Harness::new();
        five_sets(&mut h, large);
        for (key, enc) in
            [("set1", big_enc), ("set2", big_enc), ("set3", small_enc), ("set4", big_enc), ("set5", small_enc)]
        {
            assert_eq!(encoding(&h, key), enc, "{key} with {large}");
        }
        let two = owned(&["195", "196", "197", "198", "199", large]);
        assert_eq!(sorted_strings(h.run(&["SINTER", "set1", "set2"])), two);
        assert_eq!(h.run(&["SINTERCARD", "2", "set1", "set2"]), int(6));
        assert_eq!(h.run(&["SINTERCARD", "2", "set1", "set2", "LIMIT", "0"]), int(6));
        assert_eq!(h.run(&["SINTERCARD", "2", "set1", "set2", "limit", "3"]), int(3));
        assert_eq!(h.run(&["SINTERCARD", "2", "set1", "set2", "LIMIT", "10"]), int(6));
        assert_eq!(h.run(&["SINTERSTORE", "setres", "set1", "set2"]), int(6));
        assert_eq!(encoding(&h, "setres"), small_enc);
        assert_eq!(members(&mut h, "setres"), two);

        let mut union: BTreeSet<String> = members(&mut h, "set1").into_iter().collect();
        union.extend(members(&mut h, "set2"));
        let union: Vec<String> = union.into_iter().collect();
        assert_eq!(sorted_strings(h.run(&["SUNION", "set1", "set2"])), union);
        assert_eq!(h.run(&["SUNIONSTORE", "setres", "set1", "set2"]), int(union.len() as i64));
        assert_eq!(encoding(&h, "setres"), big_enc);
        assert_eq!(members(&mut h, "setres"), union);
        assert_eq!(sorted_strings(h.run(&["SUNION", "nokey1", "set1", "set2", "nokey2"])), union);

        let three = owned(&["195", "199", large]);
        assert_eq!(sorted_strings(h.run(&["SINTER", "set1", "set2", "set3"])), three);
        assert_eq!(h.run(&["SINTERCARD", "3", "set1", "set2", "set3"]), int(3));
        assert_eq!(h.run(&["SINTERCARD", "3", "set1", "set2", "set3", "LIMIT", "2"]), int(2));
        assert_eq!(h.run(&["SINTERSTORE", "setres", "set1", "set2", "set3"]), int(3));
        assert_eq!(members(&mut h, "setres"), three);

        assert_eq!(sorted_strings(h.run(&["SDIFF", "set1", "set4"])), owned(&["0", "1", "2", "3", "4"]));
        assert_eq!(sorted_strings(h.run(&["SDIFF", "set1", "set4", "set5"])), owned(&["1", "2", "3", "4"]));
        assert_eq!(h.run(&["SDIFFSTORE", "setres", "set1", "set4", "set5"]), int(4));
        assert_eq!(encoding(&h, "setres"), "intset");
        assert_eq!(members(&mut h, "setres"), owned(&["1", "2", "3", "4"]));

        let all1 = members(&mut h, "set1");
        assert_eq!(sorted_strings(h.run(&["SINTER", "set1", "set1", "set1"])), all1);
        assert_eq!(sorted_strings(h.run(&["SUNION", "set1", "set1", "set1"])), all1);
        assert_eq!(h.run(&["SDIFF", "set1", "set1", "set1"]), Reply::Set(vec![]));
    }
}

#[test]
fn sinterstore_result_takes_the_smallest_encoding() {
    let mut h = Harness::new();
    h.run(&["SADD", "set1", "a", "b", "c", "1", "3", "6", "x", "y", "z"]);
    h.run(&["SADD", "set2", "e", "f", "g", "1", "2", "3", "u", "v", "w"]);
    h.run(&["SINTERSTORE", "setres", "set1", "set2"]);
    assert_eq!(members(&mut h, "setres"), owned(&["1", "3"]));
    assert_eq!(encoding(&h, "setres"), "intset");

    let mut h = Harness::new();
    h.run(&["SADD", "set1", "a", "b", "c", "444", "555", "666"]);
    h.run(&["SADD", "set2", "e", "f", "g", "111", "222", "333"]);
    sadd_all(&mut h, "set1", (1..130).map(|i| i.to_string()));
    sadd_all(&mut h, "set2", (1..130).map(|i| i.to_string()));
    assert_eq!(encoding(&h, "set1"), "hashtable");
    h.run(&["SINTERSTORE", "setres", "set1", "set2"]);
    assert_eq!(encoding(&h, "setres"), "intset");
    assert_eq!(h.run(&["SCARD", "setres"]), int(129));
}

#[test]
fn sinter_same_integers_in_different_encodings() {
    let mut h = Harness::new();
    h.run(&["SADD", "set1", "1", "2", "3"]);
    h.run(&["SADD", "set2", "1", "2", "3", "a"]);
    h.run(&["SREM", "set2", "a"]);
    assert_eq!(encoding(&h, "set1"), "intset");
    assert_eq!(encoding(&h, "set2"), "listpack");
    assert_eq!(sorted_strings(h.run(&["SINTER", "set1", "set2"])), owned(&["1", "2", "3"]));
}

#[test]
fn sunion_hashtable_and_listpack() {
    let mut h = Harness::new();
    let union = ["abcdefghijklmnopqrstuvwxyz1234567890", "a", "b", "c", "1", "2", "3"];
    h.eng.config.set_max_listpack_value = 32;
    sadd_all(&mut h, "set1", union.map(String::from));
    h.run(&["SADD", "set2", "a", "b", "c"]);
    assert_eq!(encoding(&h, "set1"), "hashtable");
    assert_eq!(encoding(&h, "set2"), "listpack");
    assert_eq!(sorted_strings(h.run(&["SUNION", "set1", "set2"])), owned(&union));
}

#[test]
fn set_algebra_treats_missing_keys_as_empty() {
    let mut h = Harness::new();
    h.run(&["SADD", "set1", "a", "b", "c"]);
    h.run(&["SADD", "set2", "b", "c", "d"]);
    assert_eq!(sorted_strings(h.run(&["SDIFF", "set1", "set2", "set3"])), owned(&["a"]));
    assert_eq!(h.run(&["SDIFF", "set3", "set2", "set1"]), Reply::Set(vec![]));
    assert_eq!(h.run(&["SINTER", "set1", "set2", "set3"]), Reply::Set(vec![]));
    assert_eq!(sorted_strings(h.run(&["SUNION", "set1", "set2", "set3"])), owned(&["a", "b", "c", "d"]));
    assert_eq!(h.run(&["SINTERCARD", "1", "nokey"]), int(0));
    assert_eq!(h.run(&["SINTERCARD", "1", "nokey", "LIMIT", "0"]), int(0));
    assert_eq!(h.run(&["SINTERCARD", "1", "nokey", "LIMIT", "10"]), int(0));
    let empty = h.run(&["SINTER", "nokey"]);
    assert_eq!(wire(&empty, Protocol::Resp3), "~0\r\n");
}

#[test]
fn sdiff_fuzz_matches_a_model() {
    let mut h = Harness::new();
    let mut seed = 12345u64;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for round in 0..50 {
        let num_sets = next(10) + 1;
        let mut model: HashSet<String> = HashSet::new();
        let mut keys = Vec::new();
        for i in 0..num_sets {
            let key = format!("set_{round}_{i}");
            for _ in 0..next(100) {
                let ele = match next(3) {
                    0 => next(1000).to_string(),
                    1 => format!("s{}", next(300)),
                    _ => format!("-{}", next(50)),
                };
                h.run(&["SADD", &key, &ele]);
                if i == 0 {
                    model.insert(ele);
                } else {
                    model.remove(&ele);
                }
            }
            keys.push(key);
        }
        let mut argv = vec!["SDIFF"];
        argv.extend(keys.iter().map(|k| k.as_str()));
        let mut expected: Vec<String> = model.into_iter().collect();
        expected.sort();
        assert_eq!(sorted_strings(h.run(&argv)), expected, "round {round}");
    }
}

#[test]
fn set_algebra_wrong_type_anywhere_fails() {
    let mut h = Harness::new();
    h.run(&["SET", "key1", "x"]);
    h.run(&["SADD", "set1", "a", "b", "c"]);
    for cmd in ["SINTER", "SUNION", "SDIFF"] {
        assert_eq!(h.run(&[cmd, "key1", "noset"]), err(WRONGTYPE), "{cmd}");
        assert_eq!(h.run(&[cmd, "noset", "key1"]), err(WRONGTYPE), "{cmd}");
        assert_eq!(h.run(&[cmd, "key1", "set1"]), err(WRONGTYPE), "{cmd}");
        assert_eq!(h.run(&[cmd, "set1", "key1"]), err(WRONGTYPE), "{cmd}");
    }
    assert_eq!(h.run(&["SINTERCARD", "1", "key1"]), err(WRONGTYPE));
    assert_eq!(h.run(&["SINTERCARD", "2", "set1", "key1"]), err(WRONGTYPE));
    assert_eq!(h.run(&["SINTERCARD", "2", "key1", "noset"]), err(WRONGTYPE));
}

#[test]
fn store_commands_with_a_wrong_type_source_leave_the_destination_alone() {
    for cmd in ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"] {
        let mut h = Harness::new();
        h.run(&["SET", "key1", "x"]);
        assert_eq!(h.run(&[cmd, "set3", "key1", "noset"]), err(WRONGTYPE));
        assert!(!exists(&h, "set3"));
        assert_eq!(h.run(&[cmd, "set3", "noset", "key1"]), err(WRONGTYPE));
        assert!(!exists(&h, "set3"));
        h.run(&["SADD", "set1", "a", "b", "c"]);
        h.run(&["SADD", "set2", "b", "c", "d"]);
        h.run(&["SADD", "set3", "e"]);
        assert_eq!(h.run(&[cmd, "set3", "key1", "set1", "noset"]), err(WRONGTYPE));
        assert_eq!(h.run(&[cmd, "set3", "set1", "key1", "set2"]), err(WRONGTYPE));
        assert_eq!(members(&mut h, "set3"), owned(&["e"]));
    }
}

#[test]
fn store_commands_overwrite_any_type_and_delete_on_empty() {
    for cmd in ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"] {
        let mut h = Harness::new();
        h.run(&["SET", "setres", "xxx"]);
        assert_eq!(h.run(&[cmd, "setres", "foo111", "bar222"]), int(0));
        assert!(!exists(&h, "setres"), "{cmd}");
        h.run(&["SADD", "set1", "a", "b", "c"]);
        h.run(&["SET", "setres", "xxx"]);
        let expected = if cmd == "SINTERSTORE" { 0 } else { 3 };
        assert_eq!(h.run(&[cmd, "setres", "set1", "noset"]), int(expected), "{cmd}");
        assert_eq!(exists(&h, "setres"), expected > 0);
        // The destination may be a source.
        h.run(&["SADD", "set2", "c", "d"]);
        h.run(&["SADD", "d", "a", "c"]);
        let n = h.run(&[cmd, "d", "d", "set2"]);
        let want = match cmd {
            "SINTERSTORE" => owned(&["c"]),
            "SUNIONSTORE" => owned(&["a", "c", "d"]),
            _ => owned(&["a"]),
        };
        assert_eq!(n, int(want.len() as i64));
        assert_eq!(members(&mut h, "d"), want, "{cmd}");
    }
}

#[test]
fn store_commands_drop_the_destinations_ttl() {
    let mut h = Harness::new();
    h.run(&["SADD", "src", "a"]);
    h.run(&["SADD", "dst", "z"]);
    let deadline = h.now_ms() + 10_000;
    assert!(h.eng.dbs[0].set_expire(b"dst", deadline));
    h.run(&["SUNIONSTORE", "dst", "src"]);
    assert_eq!(h.eng.dbs[0].expire_of(b"dst"), None);
}

#[test]
fn sintercard_argument_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SINTERCARD"]), err("ERR wrong number of arguments for 'sintercard' command"));
    assert_eq!(h.run(&["SINTERCARD", "1"]), err("ERR wrong number of arguments for 'sintercard' command"));
    assert_eq!(h.run(&["SINTERCARD", "0", "myset"]), err("ERR numkeys should be greater than 0"));
    assert_eq!(h.run(&["SINTERCARD", "a", "myset"]), err("ERR numkeys should be greater than 0"));
    assert_eq!(h.run(&["SINTERCARD", "2", "myset"]), err("ERR Number of keys can't be greater than number of args"));
    assert_eq!(
        h.run(&["SINTERCARD", "3", "myset", "myset2"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(h.run(&["SINTERCARD", "1", "myset", "myset2"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SINTERCARD", "1", "myset", "bar_arg"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SINTERCARD", "1", "myset", "LIMIT"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SINTERCARD", "1", "myset", "LIMIT", "-1"]), err("ERR LIMIT can't be negative"));
    assert_eq!(h.run(&["SINTERCARD", "1", "myset", "LIMIT", "a"]), err("ERR LIMIT can't be negative"));
}

// -- SPOP ----------------------------------------------------------------------------------------------------

#[test]
fn spop_pops_every_member_once() {
    for contents in [["a", "b", "c"], ["1", "2", "3"]] {
        let mut h = Harness::new();
        sadd_all(&mut h, "s", contents.map(String::from));
        let mut popped: Vec<String> = (0..3).flat_map(|_| strings(array(vec![h.run(&["SPOP", "s"])]))).collect();
        popped.sort();
        assert_eq!(popped, owned(&contents));
        assert_eq!(h.run(&["SCARD", "s"]), int(0));
        assert!(!exists(&h, "s"));
        assert_eq!(h.run(&["SPOP", "s"]), null());
        sadd_all(&mut h, "s", contents.map(String::from));
        let mut popped: Vec<String> = (0..3).flat_map(|_| strings(h.run(&["SPOP", "s", "1"]))).collect();
        popped.sort();
        assert_eq!(popped, owned(&contents));
    }
}

#[test]
fn spop_with_count_partitions_the_set() {
    let letters: Vec<String> = ('a'..='z').map(|c| c.to_string()).collect();
    let numbers: Vec<String> = (1..=26).map(|n| n.to_string()).collect();
    let mut table = letters.clone();
    table[0] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".repeat(2);
    for (contents, enc) in [(letters, "listpack"), (numbers, "intset"), (table, "hashtable")] {
        let mut h = Harness::new();
        sadd_all(&mut h, "s", contents.clone());
        assert_eq!(encoding(&h, "s"), enc);
        let mut got = Vec::new();
        for count in ["11", "9", "0", "4", "1", "0", "1", "0"] {
            let part = strings(h.run(&["SPOP", "s", count]));
            assert_eq!(part.len(), count.parse::<usize>().unwrap());
            got.extend(part);
        }
        got.sort();
        let mut want = contents;
        want.sort();
        assert_eq!(got, want, "{enc}");
        assert_eq!(h.run(&["SCARD", "s"]), int(0));
    }
}

#[test]
fn spop_count_code_paths_keep_the_rest() {
    for content in [
        (1..=20).map(|i| i.to_string()).collect::<Vec<_>>(),
        std::iter::once("a".to_string()).chain((2..=20).map(|i| i.to_string())).collect(),
    ] {
        let mut want = content.clone();
        want.sort();
        // Everything: the key goes.
        let mut h = Harness::new();
        sadd_all(&mut h, "s", content.clone());
        assert_eq!(sorted_strings(h.run(&["SPOP", "s", "30"])), want);
        assert!(!exists(&h, "s"));
        // A few, then most.
        for count in [2, 18] {
            let mut h = Harness::new();
            sadd_all(&mut h, "s", content.clone());
            let enc = encoding(&h, "s");
            let popped = strings(h.run(&["SPOP", "s", &count.to_string()]));
            assert_eq!(popped.len(), count);
            assert_eq!(h.run(&["SCARD", "s"]), int(20 - count as i64));
            assert_eq!(encoding(&h, "s"), enc);
            let mut union = popped;
            union.extend(members(&mut h, "s"));
            union.sort();
            assert_eq!(union, want);
        }
    }
}

#[test]
fn spop_most_of_a_hashtable_leaves_a_listpack() {
    let mut h = Harness::new();
    sadd_all(&mut h, "s", (0..200).map(|i| format!("m{i}")));
    assert_eq!(encoding(&h, "s"), "hashtable");
    h.run(&["SPOP", "s", "190"]);
    assert_eq!(encoding(&h, "s"), "listpack");
    assert_eq!(h.run(&["SCARD", "s"]), int(10));
}

#[test]
fn spop_count_replies_and_errors() {
    let mut h = Harness::new();
    let empty = h.run(&["SPOP", "nokey", "100"]);
    assert_eq!(wire(&empty, Protocol::Resp2), "*0\r\n");
    assert_eq!(wire(&empty, Protocol::Resp3), "~0\r\n");
    h.run(&["SADD", "s", "a", "b", "c"]);
    assert_eq!(wire(&h.run(&["SPOP", "s", "0"]), Protocol::Resp3), "~0\r\n");
    assert!(matches!(h.run(&["SPOP", "s", "2"]), Reply::Set(v) if v.len() == 2));
    assert_eq!(h.run(&["SPOP", "s", "-1"]), err("ERR value is out of range, must be positive"));
    assert_eq!(h.run(&["SPOP", "s", "x"]), err("ERR value is out of range, must be positive"));
    assert_eq!(h.run(&["SPOP", "s", "1", "2"]), err("ERR syntax error"));
}

#[test]
fn spop_intsets_stress_against_a_model() {
    let mut h = Harness::new();
    let mut seed = 99u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        seed >> 1
    };
    for _ in 0..5 {
        let mut model = HashSet::new();
        for _ in 0..(next() % 1024) {
            let n = match next() % 3 {
                0 => (next() % 65536).to_string(),
                1 => (next() % 4294967296).to_string(),
                _ => next().to_string(),
            };
            h.run(&["SADD", "s", &n]);
            model.insert(n);
        }
        assert_eq!(h.run(&["SCARD", "s"]), int(model.len() as i64));
        while !model.is_empty() {
            let e = strings(array(vec![h.run(&["SPOP", "s"])])).remove(0);
            assert!(model.remove(&e), "popped {e} twice or never added");
        }
        assert_eq!(h.run(&["SCARD", "s"]), int(0));
    }
}

// -- SRANDMEMBER ---------------------------------------------------------------------------------------------

#[test]
fn srandmember_without_count_and_edge_counts() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SRANDMEMBER", "nokey"]), null());
    assert_eq!(h.run(&["SRANDMEMBER", "nokey", "100"]), Reply::EMPTY_ARRAY);
    h.run(&["SADD", "s", "a"]);
    assert_eq!(h.run(&["SRANDMEMBER", "s"]), bulk("a"));
    assert_eq!(h.run(&["SRANDMEMBER", "s", "0"]), Reply::EMPTY_ARRAY);
    assert_eq!(
        h.run(&["SRANDMEMBER", "s", "-9223372036854775808"]),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(h.run(&["SRANDMEMBER", "s", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["SRANDMEMBER", "s", "1", "2"]), err("ERR syntax error"));
}

fn fifty_members(enc: &str) -> Vec<String> {
    let names = "MARY PATRICIA LINDA BARBARA ELIZABETH JENNIFER MARIA SUSAN MARGARET DOROTHY LISA NANCY KAREN BETTY \
                 HELEN SANDRA DONNA CAROL RUTH SHARON MICHELLE LAURA SARAH KIMBERLY DEBORAH JESSICA SHIRLEY CYNTHIA \
                 ANGELA MELISSA BRENDA AMY ANNA REBECCA VIRGINIA KATHLEEN";
    let numbers = "1 5 10 50 125 50000 33959417 4775547 65434162 12098459 427716 483706 2726473884 72615637475";
    match enc {
        "intset" => (0..50).map(|i| i.to_string()).collect(),
        "listpack" => numbers.split(' ').chain(names.split(' ')).map(String::from).collect(),
        _ => std::iter::once("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".repeat(2))
            .chain(numbers.split(' ').map(String::from))
            .chain(names.split(' ').take(35).map(String::from))
            .collect(),
    }
}

#[test]
fn srandmember_count_paths_in_every_encoding() {
    for enc in ["listpack", "intset", "hashtable"] {
        let mut h = Harness::new();
        let contents = fifty_members(enc);
        assert_eq!(contents.len(), 50, "{enc}");
        sadd_all(&mut h, "s", contents.clone());
        assert_eq!(encoding(&h, "s"), enc);
        let all: HashSet<String> = contents.into_iter().collect();
        let got = strings(h.run(&["SRANDMEMBER", "s", "-100"]));
        assert_eq!(got.len(), 100);
        assert!(got.iter().all(|m| all.contains(m)));
        for size in ["50", "100"] {
            let got: HashSet<String> = strings(h.run(&["SRANDMEMBER", "s", size])).into_iter().collect();
            assert_eq!(got, all);
        }
        for size in [45usize, 5] {
            let mut seen = HashSet::new();
            for _ in 0..1000 {
                let got = strings(h.run(&["SRANDMEMBER", "s", &size.to_string()]));
                assert_eq!(got.len(), size);
                assert_eq!(got.iter().collect::<HashSet<_>>().len(), size, "distinct");
                assert!(got.iter().all(|m| all.contains(m)));
                seen.extend(got);
                if seen.len() == all.len() {
                    break;
                }
            }
            assert_eq!(seen.len(), all.len(), "{enc} size {size}");
        }
    }
}

#[test]
fn srandmember_histograms_are_uniform() {
    for (enc, contents) in [
        ("listpack", vec!["1", "5", "10", "50", "125", "MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH"]),
        ("intset", vec!["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
        (
            "hashtable",
            vec![
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                "1",
                "5",
                "10",
                "50",
                "125",
                "MARY",
                "PATRICIA",
                "LINDA",
                "BARBARA",
            ],
        ),
    ] {
        let mut h = Harness::new();
        sadd_all(&mut h, "s", contents.iter().map(|s| s.to_string()));
        assert_eq!(encoding(&h, "s"), enc);
        // df = 9: 40 is a 0.00001 probability.
        let res = strings(h.run(&["SRANDMEMBER", "s", "-1000"]));
        assert!(chi_square(&res) < 40.0, "{enc}: {}", chi_square(&res));
        for size in [8usize, 2] {
            let mut all = Vec::new();
            for _ in 0..1000 / size {
                all.extend(strings(h.run(&["SRANDMEMBER", "s", &size.to_string()])));
            }
            assert!(chi_square(&all) < 40.0, "{enc} size {size}: {}", chi_square(&all));
        }
    }
}

// -- SMOVE -----------------------------------------------------------------------------------------------------

fn setup_move(h: &mut Harness) {
    for k in ["myset1", "myset2", "myset3"] {
        while h.run(&["SPOP", k]) != null() {}
    }
    h.run(&["SADD", "myset1", "1", "a", "b"]);
    h.run(&["SADD", "myset2", "2", "3", "4"]);
    assert_eq!(encoding(h, "myset1"), "listpack");
    assert_eq!(encoding(h, "myset2"), "intset");
}

#[test]
fn smove_between_encodings() {
    let mut h = Harness::new();
    setup_move(&mut h);
    assert_eq!(h.run(&["SMOVE", "myset1", "myset2", "a"]), int(1));
    assert_eq!(members(&mut h, "myset1"), owned(&["1", "b"]));
    assert_eq!(members(&mut h, "myset2"), owned(&["2", "3", "4", "a"]));
    assert_eq!(encoding(&h, "myset2"), "listpack");
    setup_move(&mut h);
    assert_eq!(h.run(&["SMOVE", "myset1", "myset2", "1"]), int(1));
    assert_eq!(members(&mut h, "myset2"), owned(&["1", "2", "3", "4"]));
    assert_eq!(encoding(&h, "myset2"), "intset");
    setup_move(&mut h);
    assert_eq!(h.run(&["SMOVE", "myset2", "myset1", "2"]), int(1));
    assert_eq!(members(&mut h, "myset1"), owned(&["1", "2", "a", "b"]));
    assert_eq!(members(&mut h, "myset2"), owned(&["3", "4"]));
}

#[test]
fn smove_missing_member_or_source_returns_zero() {
    let mut h = Harness::new();
    setup_move(&mut h);
    assert_eq!(h.run(&["SMOVE", "myset1", "myset2", "foo"]), int(0));
    assert_eq!(h.run(&["SMOVE", "myset1", "myset1", "foo"]), int(0));
    assert_eq!(h.run(&["SMOVE", "noset", "myset2", "foo"]), int(0));
    assert_eq!(members(&mut h, "myset1"), owned(&["1", "a", "b"]));
    assert_eq!(members(&mut h, "myset2"), owned(&["2", "3", "4"]));
}

#[test]
fn smove_creates_the_destination_in_the_right_encoding() {
    let mut h = Harness::new();
    setup_move(&mut h);
    assert_eq!(h.run(&["SMOVE", "myset1", "myset3", "a"]), int(1));
    assert_eq!(members(&mut h, "myset3"), owned(&["a"]));
    assert_eq!(encoding(&h, "myset3"), "listpack");
    let mut h = Harness::new();
    setup_move(&mut h);
    assert_eq!(h.run(&["SMOVE", "myset2", "myset3", "2"]), int(1));
    assert_eq!(members(&mut h, "myset2"), owned(&["3", "4"]));
    assert_eq!(encoding(&h, "myset3"), "intset");
}

#[test]
fn smove_type_checks() {
    let mut h = Harness::new();
    setup_move(&mut h);
    h.run(&["SET", "x", "10"]);
    assert_eq!(h.run(&["SMOVE", "x", "myset2", "foo"]), err(WRONGTYPE));
    assert_eq!(h.run(&["SMOVE", "myset2", "x", "foo"]), err(WRONGTYPE));
    // A missing source answers 0 before the destination's type is looked at, as in Valkey.
    assert_eq!(h.run(&["SMOVE", "noset", "x", "foo"]), int(0));
}

#[test]
fn smove_with_identical_source_and_destination() {
    let mut h = Harness::new();
    h.run(&["SADD", "set", "a", "b", "c"]);
    assert_eq!(h.run(&["SMOVE", "set", "set", "b"]), int(1));
    assert_eq!(members(&mut h, "set"), owned(&["a", "b", "c"]));
}

#[test]
fn smove_last_member_deletes_the_source_and_fires_events() {
    let mut h = Harness::new();
    let listener = listen_keyevents(&mut h);
    h.run(&["SADD", "src", "a", "b"]);
    h.run(&["SADD", "dst", "a"]);
    events(&mut h, listener);
    assert_eq!(h.run(&["SMOVE", "src", "dst", "a"]), int(1));
    assert_eq!(events(&mut h, listener), vec![ev("srem", "src")]);
    assert_eq!(h.run(&["SMOVE", "src", "dst", "b"]), int(1));
    assert_eq!(events(&mut h, listener), vec![ev("srem", "src"), ev("del", "src"), ev("sadd", "dst")]);
    assert!(!exists(&h, "src"));
}

// -- SSCAN -----------------------------------------------------------------------------------------------------

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

fn full_sscan(h: &mut Harness, key: &str) -> Vec<String> {
    let mut cursor = "0".to_string();
    let mut all = Vec::new();
    loop {
        let (next, items) = scan_parts(h.run(&["SSCAN", key, &cursor]));
        all.extend(items);
        cursor = next;
        if cursor == "0" {
            return all;
        }
    }
}

#[test]
fn sscan_covers_every_encoding() {
    for (enc, prefix, count) in [("intset", "", 100), ("listpack", "ele:", 100), ("hashtable", "ele:", 200)] {
        let mut h = Harness::new();
        sadd_all(&mut h, "set", (0..count).map(|j| format!("{prefix}{j}")));
        assert_eq!(encoding(&h, "set"), enc);
        let got: HashSet<String> = full_sscan(&mut h, "set").into_iter().collect();
        assert_eq!(got.len(), count, "{enc}");
    }
}

#[test]
fn sscan_match_applies_to_integers_too() {
    let mut h = Harness::new();
    h.run(&["SADD", "set", "1", "a"]);
    let (_, items) = scan_parts(h.run(&["SSCAN", "set", "0", "MATCH", "*a*", "COUNT", "100"]));
    assert_eq!(items, ["a"]);
    let (_, items) = scan_parts(h.run(&["SSCAN", "set", "0", "MATCH", "*1*", "COUNT", "100"]));
    assert_eq!(items, ["1"]);
    h.run(&["SADD", "mykey", "foo", "fab", "fiz", "foobar", "1", "2", "3", "4"]);
    let (_, mut items) = scan_parts(h.run(&["SSCAN", "mykey", "0", "MATCH", "foo*", "COUNT", "10000"]));
    items.sort();
    assert_eq!(items, ["foo", "foobar"]);
}

#[test]
fn sscan_keeps_its_guarantee_while_the_table_shrinks() {
    for k in 0..20u64 {
        let mut h = Harness::new();
        h.run(&["SADD", "set", "x"]);
        let numele = 101 + (k * 97 % 1000) as usize;
        sadd_all(&mut h, "set", (0..numele).map(|j| j.to_string()));
        let toremove: Vec<String> = (100..numele).map(|j| j.to_string()).collect();
        let mut found = HashSet::new();
        let mut cursor = "0".to_string();
        let mut iteration = 0;
        let del_iteration = k % 10;
        loop {
            let (next, items) = scan_parts(h.run(&["SSCAN", "set", &cursor]));
            found.extend(items);
            iteration += 1;
            if iteration == del_iteration {
                let mut argv = vec!["SREM", "set"];
                argv.extend(toremove.iter().map(|s| s.as_str()));
                h.run(&argv);
            }
            cursor = next;
            if cursor == "0" {
                break;
            }
        }
        for j in 0..100 {
            assert!(found.contains(&j.to_string()), "SSCAN missed {j} (round {k})");
        }
    }
}

#[test]
fn sscan_option_errors_and_missing_key() {
    let mut h = Harness::new();
    h.run(&["SADD", "s", "a"]);
    assert_eq!(h.run(&["SSCAN", "s", "0", "NOVALUES"]), err("ERR NOVALUES option can only be used in HSCAN"));
    assert_eq!(h.run(&["SSCAN", "s", "0", "NOSCORES"]), err("ERR NOSCORES option can only be used in ZSCAN"));
    assert_eq!(h.run(&["SSCAN", "s", "0", "COUNT", "0"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SSCAN", "s", "x"]), err("ERR invalid cursor"));
    assert_eq!(wire(&h.run(&["SSCAN", "nokey", "0"]), Protocol::Resp3), "*2\r\n$1\r\n0\r\n*0\r\n");
}

// -- events and dirty counting ---------------------------------------------------------------------------------

#[test]
fn set_writes_fire_valkeys_events() {
    let mut h = Harness::new();
    let listener = listen_keyevents(&mut h);
    h.run(&["SADD", "s", "a", "b", "c", "d"]);
    h.run(&["SADD", "s", "a"]);
    h.run(&["SREM", "s", "zz"]);
    h.run(&["SREM", "s", "a"]);
    h.run(&["SPOP", "s"]);
    h.run(&["SPOP", "s", "0"]);
    h.run(&["SPOP", "s", "1"]);
    h.run(&["SPOP", "s", "5"]);
    assert_eq!(
        events(&mut h, listener),
        vec![ev("sadd", "s"), ev("srem", "s"), ev("spop", "s"), ev("spop", "s"), ev("spop", "s"), ev("del", "s")]
    );
    h.run(&["SADD", "a", "1", "2"]);
    h.run(&["SADD", "b", "2", "3"]);
    events(&mut h, listener);
    h.run(&["SINTERSTORE", "d", "a", "b"]);
    h.run(&["SUNIONSTORE", "d", "a", "b"]);
    h.run(&["SDIFFSTORE", "d", "a", "b"]);
    h.run(&["SINTERSTORE", "d", "a", "nokey"]);
    h.run(&["SDIFFSTORE", "d", "nokey", "a"]);
    h.run(&["SREM", "a", "1", "2"]);
    assert_eq!(
        events(&mut h, listener),
        vec![
            ev("sinterstore", "d"),
            ev("sunionstore", "d"),
            ev("sdiffstore", "d"),
            ev("del", "d"),
            ev("srem", "a"),
            ev("del", "a"),
        ]
    );
}

#[test]
fn set_writes_count_every_change_as_dirty() {
    let mut h = Harness::new();
    let before = h.eng.dirty;
    h.run(&["SADD", "s", "a", "b", "c", "a"]);
    assert_eq!(h.eng.dirty - before, 3);
    h.run(&["SADD", "s", "a"]);
    assert_eq!(h.eng.dirty - before, 3);
    h.run(&["SPOP", "s", "2"]);
    assert_eq!(h.eng.dirty - before, 5);
    h.run(&["SPOP", "s", "10"]);
    assert_eq!(h.eng.dirty - before, 6);
}

#[test]
fn smove_to_a_set_that_has_the_member_leaves_watchers_of_it_alone() {
    let mut h = Harness::new();
    h.run(&["SADD", "srcset", "a", "b"]);
    h.run(&["SADD", "dstset", "a"]);
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["SMOVE", "srcset", "dstset", "a"]), int(1));
    // Only the source changed.
    assert_eq!(h.eng.dirty - dirty, 1);
    assert_eq!(h.run(&["SCARD", "dstset"]), int(1));
}
