//! Generic and keyspace commands: DEL, UNLINK, EXISTS, TYPE, RENAME(NX), MOVE, COPY, the EXPIRE family,
//! TTL family, PERSIST, KEYS, SCAN, RANDOMKEY, DBSIZE, TOUCH, OBJECT, SWAPDB, FLUSHDB, FLUSHALL.

mod common;
use common::*;

use ferrokey_core::bytestr::ByteStr;
use ferrokey_core::client::ClientId;
use ferrokey_core::config::MaxmemoryPolicy;
use ferrokey_core::notify;
use ferrokey_core::pubsub::Kind;
use ferrokey_core::resp::Protocol;
use ferrokey_core::types::{Hash, List, Set, Value, ZSet};
use ferrokey_core::Reply;
use std::collections::BTreeSet;

const ONE_DAY_MS: i64 = 86_400_000;

/// Stores a value straight into a database (for types whose commands live elsewhere).
fn put(h: &mut Harness, db: usize, key: &str, value: Value) {
    let lru = h.eng.lru_clock();
    h.eng.dbs[db].set(ByteStr::from(key), value, lru);
}

fn list() -> Value {
    Value::List(Box::new(List::new()))
}

/// A client that hears every keyevent notification (`__keyevent@<db>__:<event>` carrying the key).
fn listener(h: &mut Harness) -> ClientId {
    h.eng.config.notify_keyspace_events = notify::KEYEVENT | notify::ALL | notify::KEY_MISS;
    let id = h.connect();
    h.eng.pubsub.add(Kind::Pattern, b"__keyevent@*", id);
    id
}

/// The (channel, key) pairs published to a listener since the last call.
fn events(h: &mut Harness, id: ClientId) -> Vec<(String, String)> {
    h.output(id)
        .into_iter()
        .filter_map(|r| match r {
            Reply::Push(items) if items.len() == 4 => match (&items[2], &items[3]) {
                (Reply::Bulk(ch), Reply::Bulk(key)) => {
                    Some((String::from_utf8_lossy(ch).into_owned(), String::from_utf8_lossy(key).into_owned()))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn ev(channel: &str, key: &str) -> (String, String) {
    (channel.to_string(), key.to_string())
}

/// The keys of a KEYS reply or of a SCAN page, sorted.
fn key_set(reply: &Reply) -> BTreeSet<String> {
    let items = match reply {
        Reply::Array(items) => items,
        other => panic!("not an array: {other:?}"),
    };
    items
        .iter()
        .map(|r| match r {
            Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
            other => panic!("not a bulk: {other:?}"),
        })
        .collect()
}

/// Splits a SCAN reply into (cursor, keys).
fn scan_page(reply: Reply) -> (String, Vec<String>) {
    let Reply::Array(mut parts) = reply else { panic!("SCAN reply not an array: {reply:?}") };
    assert_eq!(parts.len(), 2, "{parts:?}");
    let keys = parts.pop().unwrap();
    let Reply::Bulk(cursor) = parts.pop().unwrap() else { panic!("cursor not a bulk") };
    (String::from_utf8(cursor).unwrap(), key_set(&keys).into_iter().collect())
}

/// Runs a whole SCAN iteration with extra arguments; returns every key reported (with repeats).
fn scan_all(h: &mut Harness, extra: &[&str]) -> Vec<String> {
    let mut cursor = "0".to_string();
    let mut all = Vec::new();
    loop {
        let mut argv = vec!["SCAN", cursor.as_str()];
        argv.extend_from_slice(extra);
        let (next, keys) = scan_page(h.run(&argv));
        all.extend(keys);
        if next == "0" {
            return all;
        }
        cursor = next;
    }
}

fn populate(h: &mut Harness, n: usize) {
    for i in 0..n {
        let key = format!("key:{i}");
        assert_eq!(h.run(&["SET", &key, &i.to_string()]), ok());
    }
}

// -- DEL / UNLINK ---------------------------------------------------------------------------------

#[test]
fn del_single_key_removes_it() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    assert_eq!(h.run(&["DEL", "x"]), int(1));
    assert_eq!(h.run(&["GET", "x"]), null());
    assert_eq!(h.run(&["DEL", "x"]), int(0));
}

#[test]
fn del_many_keys_counts_only_existing_ones() {
    let mut h = Harness::new();
    for k in ["foo1", "foo2", "foo3"] {
        h.run(&["SET", k, "v"]);
    }
    assert_eq!(h.run(&["DEL", "foo1", "foo2", "foo3", "foo4"]), int(3));
    assert_eq!(h.run(&["DBSIZE"]), int(0));
}

#[test]
fn del_same_key_twice_counts_once() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    assert_eq!(h.run(&["DEL", "k", "k"]), int(1));
}

#[test]
fn del_expired_key_returns_zero_and_fires_expired_not_del() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["PEXPIRE", "k", "1000"]);
    let l = listener(&mut h);
    h.advance_ms_no_cron(1100);
    assert_eq!(h.run(&["DEL", "k"]), int(0));
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:expired", "k")]);
}

#[test]
fn del_fires_del_event_per_key_and_counts_changes() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "2"]);
    let l = listener(&mut h);
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["DEL", "a", "nokey", "b"]), int(2));
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:del", "a"), ev("__keyevent@0__:del", "b")]);
    assert_eq!(h.eng.dirty, dirty + 2);
}

#[test]
fn del_without_keys_is_an_arity_error() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["DEL"]), err("ERR wrong number of arguments for 'del' command"));
    assert_eq!(h.run(&["UNLINK"]), err("ERR wrong number of arguments for 'unlink' command"));
}

#[test]
fn unlink_removes_keys_like_del() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    put(&mut h, 0, "l", list());
    let l = listener(&mut h);
    assert_eq!(h.run(&["UNLINK", "a", "l", "nokey"]), int(2));
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:del", "a"), ev("__keyevent@0__:del", "l")]);
}

// -- EXISTS / TYPE / TOUCH ------------------------------------------------------------------------

#[test]
fn exists_counts_existing_keys_with_repeats() {
    let mut h = Harness::new();
    h.run(&["SET", "newkey", "test"]);
    assert_eq!(h.run(&["EXISTS", "newkey"]), int(1));
    assert_eq!(h.run(&["EXISTS", "newkey", "newkey", "nokey"]), int(2));
    h.run(&["DEL", "newkey"]);
    assert_eq!(h.run(&["EXISTS", "newkey"]), int(0));
}

#[test]
fn exists_zero_length_value_counts() {
    let mut h = Harness::new();
    h.run(&["SET", "emptykey", ""]);
    assert_eq!(h.run(&["GET", "emptykey"]), bulk(""));
    assert_eq!(h.run(&["EXISTS", "emptykey"]), int(1));
}

#[test]
fn exists_expired_key_is_gone() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["PEXPIRE", "k", "100"]);
    h.advance_ms_no_cron(100);
    assert_eq!(h.run(&["EXISTS", "k"]), int(1), "a key lives through its deadline millisecond");
    h.advance_ms_no_cron(1);
    assert_eq!(h.run(&["EXISTS", "k"]), int(0));
    assert_eq!(h.eng.dbs[0].len(), 0, "the lookup deleted it");
}

#[test]
fn exists_counts_keyspace_hits_and_misses_and_fires_keymiss() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    let l = listener(&mut h);
    let (hits, misses) = (h.eng.stats.keyspace_hits, h.eng.stats.keyspace_misses);
    h.run(&["EXISTS", "k", "nokey"]);
    assert_eq!(h.eng.stats.keyspace_hits, hits + 1);
    assert_eq!(h.eng.stats.keyspace_misses, misses + 1);
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:keymiss", "nokey")]);
}

#[test]
fn type_reports_each_value_type_as_status() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "v"]);
    put(&mut h, 0, "l", list());
    put(&mut h, 0, "h", Value::Hash(Box::new(Hash::new())));
    put(&mut h, 0, "st", Value::Set(Box::new(Set::new())));
    put(&mut h, 0, "z", Value::ZSet(Box::new(ZSet::new())));
    assert_eq!(h.run(&["TYPE", "s"]), status("string"));
    assert_eq!(h.run(&["TYPE", "l"]), status("list"));
    assert_eq!(h.run(&["TYPE", "h"]), status("hash"));
    assert_eq!(h.run(&["TYPE", "st"]), status("set"));
    assert_eq!(h.run(&["TYPE", "z"]), status("zset"));
    assert_eq!(h.run(&["TYPE", "nokey"]), status("none"));
    assert_eq!(wire(&h.run(&["TYPE", "s"]), Protocol::Resp3), "+string\r\n");
}

#[test]
fn type_of_expired_key_is_none() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["PEXPIRE", "k", "10"]);
    h.advance_ms_no_cron(11);
    assert_eq!(h.run(&["TYPE", "k"]), status("none"));
}

#[test]
fn ttl_type_exists_leave_access_time_alone_but_touch_resets_it() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    h.advance_ms(3000);
    h.run(&["TTL", "foo"]);
    h.run(&["TYPE", "foo"]);
    h.run(&["EXISTS", "foo"]);
    h.run(&["PTTL", "foo"]);
    h.run(&["OBJECT", "ENCODING", "foo"]);
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "foo"]), int(3));
    assert_eq!(h.run(&["TOUCH", "foo"]), int(1));
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "foo"]), int(0));
}

#[test]
fn touch_returns_number_of_existing_keys() {
    let mut h = Harness::new();
    h.run(&["SET", "key1", "1"]);
    h.run(&["SET", "key2", "2"]);
    assert_eq!(h.run(&["TOUCH", "key0", "key1", "key2", "key3"]), int(2));
}

#[test]
fn touch_skips_expired_keys() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["PEXPIRE", "k", "5"]);
    h.advance_ms_no_cron(6);
    assert_eq!(h.run(&["TOUCH", "k"]), int(0));
}

// -- RENAME / RENAMENX ----------------------------------------------------------------------------

#[test]
fn rename_moves_value_to_new_name() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "hello"]);
    assert_eq!(h.run(&["RENAME", "mykey", "mykey1"]), ok());
    assert_eq!(h.run(&["RENAME", "mykey1", "mykey2"]), ok());
    assert_eq!(h.run(&["GET", "mykey2"]), bulk("hello"));
    assert_eq!(h.run(&["EXISTS", "mykey", "mykey1"]), int(0));
}

#[test]
fn rename_overwrites_existing_destination() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "a"]);
    h.run(&["SET", "mykey2", "b"]);
    assert_eq!(h.run(&["RENAME", "mykey2", "mykey"]), ok());
    assert_eq!(h.run(&["GET", "mykey"]), bulk("b"));
    assert_eq!(h.run(&["EXISTS", "mykey2"]), int(0));
}

#[test]
fn rename_overwrites_destination_of_another_type() {
    let mut h = Harness::new();
    put(&mut h, 0, "l", list());
    h.run(&["SET", "s", "v"]);
    assert_eq!(h.run(&["RENAME", "s", "l"]), ok());
    assert_eq!(h.run(&["TYPE", "l"]), status("string"));
}

#[test]
fn rename_missing_source_is_no_such_key() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["RENAME", "nokey", "foobar"]), err("ERR no such key"));
    assert_eq!(h.run(&["RENAMENX", "nokey", "foobar"]), err("ERR no such key"));
}

#[test]
fn rename_onto_itself_is_allowed_only_for_existing_key() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foo"]);
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["RENAME", "mykey", "mykey"]), ok());
    assert_eq!(h.run(&["RENAMENX", "mykey", "mykey"]), int(0));
    assert_eq!(h.eng.dirty, dirty, "nothing changed");
    assert_eq!(h.run(&["GET", "mykey"]), bulk("foo"));
    h.run(&["DEL", "mykey"]);
    assert_eq!(h.run(&["RENAME", "mykey", "mykey"]), err("ERR no such key"));
}

#[test]
fn rename_keeps_the_ttl_of_the_source() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foo"]);
    h.run(&["EXPIRE", "mykey", "100"]);
    assert_eq!(h.run(&["RENAME", "mykey", "mykey2"]), ok());
    assert_eq!(h.run(&["TTL", "mykey2"]), int(100));
    assert_eq!(h.eng.dbs[0].expires.len(), 1, "the old name's deadline is gone");
}

#[test]
fn rename_does_not_inherit_the_ttl_of_the_destination() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foo"]);
    h.run(&["SET", "mykey2", "bar"]);
    h.run(&["EXPIRE", "mykey2", "100"]);
    h.run(&["RENAME", "mykey", "mykey2"]);
    assert_eq!(h.run(&["TTL", "mykey2"]), int(-1));
    assert_eq!(h.eng.dbs[0].expires.len(), 0);
}

#[test]
fn rename_expired_source_is_no_such_key() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["PEXPIRE", "k", "5"]);
    h.advance_ms_no_cron(6);
    assert_eq!(h.run(&["RENAME", "k", "k2"]), err("ERR no such key"));
}

#[test]
fn rename_fires_rename_from_then_rename_to_and_counts_one_change() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "2"]);
    let l = listener(&mut h);
    let dirty = h.eng.dirty;
    h.run(&["RENAME", "a", "b"]);
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:rename_from", "a"), ev("__keyevent@0__:rename_to", "b")]);
    assert_eq!(h.eng.dirty, dirty + 1);
}

#[test]
fn renamenx_renames_when_destination_is_free() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foobar"]);
    assert_eq!(h.run(&["RENAMENX", "mykey", "mykey2"]), int(1));
    assert_eq!(h.run(&["GET", "mykey2"]), bulk("foobar"));
    assert_eq!(h.run(&["EXISTS", "mykey"]), int(0));
}

#[test]
fn renamenx_existing_destination_returns_zero_and_changes_nothing() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foo"]);
    h.run(&["SET", "mykey2", "bar"]);
    assert_eq!(h.run(&["RENAMENX", "mykey", "mykey2"]), int(0));
    assert_eq!(h.run(&["GET", "mykey"]), bulk("foo"));
    assert_eq!(h.run(&["GET", "mykey2"]), bulk("bar"));
}

#[test]
fn renamenx_onto_expired_destination_succeeds() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "2"]);
    h.run(&["PEXPIRE", "b", "5"]);
    h.advance_ms_no_cron(6);
    assert_eq!(h.run(&["RENAMENX", "a", "b"]), int(1));
    assert_eq!(h.run(&["GET", "b"]), bulk("1"));
    assert_eq!(h.run(&["TTL", "b"]), int(-1));
}

// -- EXPIRE family --------------------------------------------------------------------------------

#[test]
fn expire_set_multiple_times_updates_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foobar"]);
    assert_eq!(h.run(&["EXPIRE", "x", "5"]), int(1));
    assert_eq!(h.run(&["TTL", "x"]), int(5));
    assert_eq!(h.run(&["EXPIRE", "x", "10"]), int(1));
    assert_eq!(h.run(&["TTL", "x"]), int(10));
    h.run(&["EXPIRE", "x", "2"]);
    assert_eq!(h.run(&["GET", "x"]), bulk("foobar"));
    h.advance_ms(2100);
    assert_eq!(h.run(&["GET", "x"]), null());
    assert_eq!(h.run(&["EXISTS", "x"]), int(0));
}

#[test]
fn expire_on_missing_key_returns_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["EXPIRE", "none", "100"]), int(0));
    for opt in ["NX", "XX", "GT", "LT"] {
        assert_eq!(h.run(&["EXPIRE", "none", "100", opt]), int(0));
    }
    assert_eq!(h.run(&["PEXPIRE", "none", "-100"]), int(0));
}

#[test]
fn expire_deadline_is_in_milliseconds_and_inclusive() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "v"]);
    h.run(&["EXPIRE", "x", "1"]);
    h.advance_ms_no_cron(1000);
    assert_eq!(h.run(&["GET", "x"]), bulk("v"));
    h.advance_ms_no_cron(1);
    assert_eq!(h.run(&["GET", "x"]), null());
}

#[test]
fn pexpire_sets_sub_second_deadline() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "somevalue"]);
    assert_eq!(h.run(&["PEXPIRE", "x", "100"]), int(1));
    assert_eq!(h.run(&["PTTL", "x"]), int(100));
    h.advance_ms_no_cron(101);
    assert_eq!(h.run(&["GET", "x"]), null());
}

#[test]
fn expireat_sets_absolute_deadline_in_seconds() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    let at_s = START_MS / 1000 + 15;
    assert_eq!(h.run(&["EXPIREAT", "x", &at_s.to_string()]), int(1));
    assert_eq!(h.run(&["TTL", "x"]), int(15));
    assert_eq!(h.run(&["EXPIRETIME", "x"]), int(at_s));
    assert_eq!(h.run(&["PEXPIRETIME", "x"]), int(at_s * 1000));
}

#[test]
fn pexpireat_sets_absolute_deadline_in_milliseconds() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "somevalue"]);
    let at = START_MS + 200;
    assert_eq!(h.run(&["PEXPIREAT", "x", &at.to_string()]), int(1));
    assert_eq!(h.run(&["PEXPIRETIME", "x"]), int(at));
    h.advance_ms_no_cron(200);
    assert_eq!(h.run(&["GET", "x"]), bulk("somevalue"));
    h.advance_ms_no_cron(1);
    assert_eq!(h.run(&["GET", "x"]), null());
}

#[test]
fn expire_negative_or_past_deadline_deletes_key_with_del_event() {
    let mut h = Harness::new();
    let l = listener(&mut h);
    h.run(&["SET", "a", "v"]);
    h.run(&["SET", "b", "v"]);
    h.run(&["SET", "c", "v"]);
    h.run(&["SET", "d", "v"]);
    events(&mut h, l);
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["EXPIRE", "a", "-10"]), int(1));
    assert_eq!(h.run(&["PEXPIRE", "b", "0"]), int(1));
    assert_eq!(h.run(&["EXPIREAT", "c", &(START_MS / 1000 - 100).to_string()]), int(1));
    assert_eq!(h.run(&["PEXPIREAT", "d", &START_MS.to_string()]), int(1), "a deadline equal to now is past");
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    assert_eq!(h.eng.dirty, dirty + 4);
    let evs = events(&mut h, l);
    assert_eq!(evs, ["a", "b", "c", "d"].map(|k| ev("__keyevent@0__:del", k)).to_vec());
    assert_eq!(h.eng.stats.expired_keys, 0, "not counted as expired");
}

#[test]
fn expire_fires_expire_event_and_counts_a_change() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    let l = listener(&mut h);
    let dirty = h.eng.dirty;
    h.run(&["EXPIRE", "k", "100"]);
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:expire", "k")]);
    assert_eq!(h.eng.dirty, dirty + 1);
}

#[test]
fn expire_write_on_volatile_key_keeps_working() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    h.run(&["EXPIRE", "x", "1000"]);
    assert_eq!(h.run(&["SET", "x", "bar"]), ok());
    assert_eq!(h.run(&["GET", "x"]), bulk("bar"));
}

#[test]
fn expire_does_not_resurrect_expired_key() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    h.run(&["SET", "foo", "bar"]);
    h.run(&["PEXPIRE", "foo", "500"]);
    h.advance_ms(1000);
    assert_eq!(h.eng.dbs[0].len(), 1, "active expiry is off");
    assert_eq!(h.run(&["EXPIRE", "foo", "10"]), int(0));
    assert_eq!(h.run(&["EXISTS", "foo"]), int(0));
}

#[test]
fn expire_with_empty_or_non_integer_time_is_not_an_integer() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    for t in ["", "abc", "1.5", " 1", "01"] {
        assert_eq!(h.run(&["EXPIRE", "foo", t]), err("ERR value is not an integer or out of range"), "{t:?}");
    }
    assert_eq!(h.run(&["TTL", "foo"]), int(-1));
}

#[test]
fn expire_big_integer_overflow_is_invalid_expire_time() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    let e = err("ERR invalid expire time in 'expire' command");
    // when > LLONG_MAX - now, after conversion to milliseconds
    assert_eq!(h.run(&["EXPIRE", "foo", "9223370399119966"]), e);
    // when > LLONG_MAX / 1000
    assert_eq!(h.run(&["EXPIRE", "foo", "9223372036854776"]), e);
    assert_eq!(h.run(&["EXPIRE", "foo", "10000000000000000"]), e);
    assert_eq!(h.run(&["EXPIRE", "foo", "18446744073709561"]), e);
    // when < LLONG_MIN / 1000
    assert_eq!(h.run(&["EXPIRE", "foo", "-9223372036854776"]), e);
    assert_eq!(h.run(&["EXPIRE", "foo", "-9999999999999999"]), e);
    assert_eq!(h.run(&["TTL", "foo"]), int(-1));
    assert_eq!(h.run(&["PEXPIRE", "foo", "9223372036854770000"]), err("ERR invalid expire time in 'pexpire' command"));
    assert_eq!(h.run(&["EXPIREAT", "foo", "9223372036854776"]), err("ERR invalid expire time in 'expireat' command"));
}

#[test]
fn expire_overflow_is_checked_before_the_key_exists() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["EXPIRE", "nokey", "9223372036854776"]), err("ERR invalid expire time in 'expire' command"));
    assert_eq!(h.run(&["EXPIRE", "nokey", "x"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn pexpireat_with_big_integer_works() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["PEXPIREAT", "foo", "9223372036854770000"]), int(1));
    assert_eq!(h.run(&["PEXPIRETIME", "foo"]), int(9_223_372_036_854_770_000));
    assert_eq!(h.run(&["EXPIRETIME", "foo"]), int(9_223_372_036_854_770));
}

#[test]
fn pexpireat_with_big_negative_integer_deletes_key() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["PEXPIREAT", "foo", "-9223372036854770000"]), int(1));
    assert_eq!(h.run(&["TTL", "foo"]), int(-2));
}

#[test]
fn expire_nx_sets_only_without_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    h.run(&["EXPIRE", "foo", "100"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "NX"]), int(0));
    assert_eq!(h.run(&["TTL", "foo"]), int(100));
    h.run(&["PERSIST", "foo"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "nx"]), int(1));
    assert_eq!(h.run(&["TTL", "foo"]), int(200));
}

#[test]
fn expire_xx_sets_only_with_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "XX"]), int(0));
    assert_eq!(h.run(&["TTL", "foo"]), int(-1));
    h.run(&["EXPIRE", "foo", "100"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "XX"]), int(1));
    assert_eq!(h.run(&["TTL", "foo"]), int(200));
}

#[test]
fn expire_gt_sets_only_a_later_deadline() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "GT"]), int(0), "no TTL is an infinite one");
    assert_eq!(h.run(&["TTL", "foo"]), int(-1));
    h.run(&["EXPIRE", "foo", "100"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "GT"]), int(1));
    assert_eq!(h.run(&["EXPIRE", "foo", "100", "GT"]), int(0));
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "GT"]), int(0), "equal is not greater");
    assert_eq!(h.run(&["TTL", "foo"]), int(200));
}

#[test]
fn expire_lt_sets_only_an_earlier_deadline() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "100", "LT"]), int(1), "anything is less than no TTL");
    assert_eq!(h.run(&["TTL", "foo"]), int(100));
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "LT"]), int(0));
    assert_eq!(h.run(&["EXPIRE", "foo", "100", "LT"]), int(0), "equal is not less");
    assert_eq!(h.run(&["EXPIRE", "foo", "50", "LT"]), int(1));
    assert_eq!(h.run(&["TTL", "foo"]), int(50));
}

#[test]
fn expire_lt_xx_needs_an_existing_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "LT", "XX"]), int(0));
    assert_eq!(h.run(&["TTL", "foo"]), int(-1));
    h.run(&["EXPIRE", "foo", "200"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "100", "LT", "XX"]), int(1));
    assert_eq!(h.run(&["TTL", "foo"]), int(100));
}

#[test]
fn expire_gt_xx_together_are_allowed() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    h.run(&["EXPIRE", "foo", "100"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "XX", "GT"]), int(1));
}

#[test]
fn expire_negative_with_lt_deletes_key() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    h.run(&["EXPIRE", "foo", "100"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "-10", "LT"]), int(1));
    assert_eq!(h.run(&["TTL", "foo"]), int(-2));
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "-10", "LT"]), int(1));
    assert_eq!(h.run(&["TTL", "foo"]), int(-2));
}

#[test]
fn expire_conflicting_options_are_errors() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    let nx = err("ERR NX and XX, GT or LT options at the same time are not compatible");
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "NX", "XX"]), nx);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "NX", "GT"]), nx);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "NX", "LT"]), nx);
    assert_eq!(h.run(&["PEXPIREAT", "foo", "200", "lt", "nx"]), nx);
    assert_eq!(
        h.run(&["EXPIRE", "foo", "200", "LT", "GT"]),
        err("ERR GT and LT options at the same time are not compatible")
    );
    assert_eq!(h.run(&["TTL", "foo"]), int(-1));
}

#[test]
fn expire_unsupported_option_is_named_in_the_error() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "AB"]), err("ERR Unsupported option AB"));
    assert_eq!(h.run(&["EXPIRE", "foo", "200", "XX", "AB"]), err("ERR Unsupported option AB"));
    // Options are read before the time.
    assert_eq!(h.run(&["EXPIRE", "foo", "notanumber", "AB"]), err("ERR Unsupported option AB"));
    assert_eq!(
        h.run(&["EXPIRE", "foo", "notanumber", "NX", "XX"]),
        err("ERR NX and XX, GT or LT options at the same time are not compatible")
    );
}

#[test]
fn expire_family_arity_errors() {
    let mut h = Harness::new();
    for cmd in ["expire", "pexpire", "expireat", "pexpireat"] {
        assert_eq!(h.run(&[cmd, "k"]), err(&format!("ERR wrong number of arguments for '{cmd}' command")));
    }
}

// -- TTL family / PERSIST -------------------------------------------------------------------------

#[test]
fn ttl_family_missing_key_is_minus_two_and_no_ttl_minus_one() {
    let mut h = Harness::new();
    for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        assert_eq!(h.run(&[cmd, "x"]), int(-2), "{cmd}");
    }
    h.run(&["SET", "x", "hello"]);
    for cmd in ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"] {
        assert_eq!(h.run(&[cmd, "x"]), int(-1), "{cmd}");
    }
}

#[test]
fn ttl_rounds_to_nearest_second_and_pttl_is_exact() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "v"]);
    h.run(&["PEXPIRE", "x", "1499"]);
    assert_eq!(h.run(&["TTL", "x"]), int(1));
    assert_eq!(h.run(&["PTTL", "x"]), int(1499));
    h.run(&["PEXPIRE", "x", "1500"]);
    assert_eq!(h.run(&["TTL", "x"]), int(2));
    h.advance_ms_no_cron(1200);
    assert_eq!(h.run(&["PTTL", "x"]), int(300));
    assert_eq!(h.run(&["TTL", "x"]), int(0));
    h.advance_ms_no_cron(300);
    assert_eq!(h.run(&["PTTL", "x"]), int(0), "alive through its last millisecond");
    h.advance_ms_no_cron(1);
    assert_eq!(h.run(&["PTTL", "x"]), int(-2));
}

#[test]
fn expiretime_returns_absolute_deadline() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "v"]);
    h.run(&["PEXPIRE", "x", &ONE_DAY_MS.to_string()]);
    assert_eq!(h.run(&["PEXPIRETIME", "x"]), int(START_MS + ONE_DAY_MS));
    assert_eq!(h.run(&["EXPIRETIME", "x"]), int((START_MS + ONE_DAY_MS) / 1000));
    h.advance_ms(5000);
    assert_eq!(h.run(&["PEXPIRETIME", "x"]), int(START_MS + ONE_DAY_MS), "absolute: does not move");
}

#[test]
fn ttl_missing_key_fires_keymiss() {
    let mut h = Harness::new();
    let l = listener(&mut h);
    h.run(&["TTL", "nokey"]);
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:keymiss", "nokey")]);
}

#[test]
fn persist_removes_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    h.run(&["EXPIRE", "x", "50"]);
    let l = listener(&mut h);
    assert_eq!(h.run(&["TTL", "x"]), int(50));
    assert_eq!(h.run(&["PERSIST", "x"]), int(1));
    assert_eq!(h.run(&["TTL", "x"]), int(-1));
    assert_eq!(h.run(&["GET", "x"]), bulk("foo"));
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:persist", "x")]);
}

#[test]
fn persist_missing_or_non_volatile_key_returns_zero() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["PERSIST", "x"]), int(0));
    assert_eq!(h.run(&["PERSIST", "nokeyatall"]), int(0));
    assert_eq!(h.eng.dirty, dirty);
}

#[test]
fn persist_expired_key_returns_zero() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    h.run(&["PEXPIRE", "x", "5"]);
    h.advance_ms_no_cron(6);
    assert_eq!(h.run(&["PERSIST", "x"]), int(0));
    assert_eq!(h.run(&["EXISTS", "x"]), int(0));
}

// -- active and lazy expiry seen through these commands -------------------------------------------

#[test]
fn active_expiry_removes_volatile_keys_incrementally() {
    let mut h = Harness::new();
    for k in ["key1", "key2", "key3"] {
        h.run(&["SET", k, "a"]);
        h.run(&["PEXPIRE", k, "500"]);
    }
    assert_eq!(h.run(&["DBSIZE"]), int(3));
    for _ in 0..20 {
        h.advance_ms(100);
    }
    assert_eq!(h.run(&["DBSIZE"]), int(0));
}

#[test]
fn lazy_expiry_removes_keys_on_access_only() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    for k in ["key1", "key2", "key3"] {
        h.run(&["SET", k, "a"]);
        h.run(&["PEXPIRE", k, "500"]);
    }
    assert_eq!(h.run(&["DBSIZE"]), int(3));
    h.advance_ms(1000);
    assert_eq!(h.run(&["DBSIZE"]), int(3));
    for k in ["key1", "key2", "key3"] {
        h.run(&["GET", k]);
    }
    assert_eq!(h.run(&["DBSIZE"]), int(0));
}

// -- KEYS -----------------------------------------------------------------------------------------

#[test]
fn keys_with_pattern_and_all_keys() {
    let mut h = Harness::new();
    for k in ["key_x", "key_y", "key_z", "foo_a", "foo_b", "foo_c"] {
        h.run(&["SET", k, "hello"]);
    }
    assert_eq!(sorted(h.run(&["KEYS", "foo*"])), bulks(&["foo_a", "foo_b", "foo_c"]));
    assert_eq!(sorted(h.run(&["KEYS", "*"])), bulks(&["foo_a", "foo_b", "foo_c", "key_x", "key_y", "key_z"]));
    assert_eq!(h.run(&["DBSIZE"]), int(6));
    assert_eq!(h.run(&["KEYS", "nomatch*"]), array(vec![]));
}

#[test]
fn keys_with_hashtag_patterns() {
    let mut h = Harness::new();
    for k in ["{a}x", "{a}y", "{a}z", "{b}a", "{b}b", "{b}c"] {
        h.run(&["SET", k, "hello"]);
    }
    assert_eq!(sorted(h.run(&["KEYS", "{a}*"])), bulks(&["{a}x", "{a}y", "{a}z"]));
    assert_eq!(sorted(h.run(&["KEYS", "*{b}*"])), bulks(&["{b}a", "{b}b", "{b}c"]));
}

#[test]
fn keys_star_matches_the_empty_key() {
    let mut h = Harness::new();
    h.run(&["SET", "", "v"]);
    assert_eq!(h.run(&["KEYS", "*"]), bulks(&[""]));
}

#[test]
fn keys_leaves_out_expired_keys_without_deleting_them() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "2"]);
    h.run(&["PEXPIRE", "b", "5"]);
    h.advance_ms_no_cron(6);
    assert_eq!(h.run(&["KEYS", "*"]), bulks(&["a"]));
    assert_eq!(h.run(&["DBSIZE"]), int(2));
}

#[test]
fn keys_twice_with_long_key_returns_it_both_times() {
    let mut h = Harness::new();
    h.run(&["SET", "dlskeriewrioeuwqoirueioqwrueoqwrueqw", "test"]);
    h.run(&["KEYS", "*"]);
    assert_eq!(h.run(&["KEYS", "*"]), bulks(&["dlskeriewrioeuwqoirueioqwrueoqwrueqw"]));
}

#[test]
fn keys_pathological_patterns_finish_without_match() {
    let mut h = Harness::new();
    h.run(&["SET", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1"]);
    assert_eq!(h.run(&["KEYS", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]), array(vec![]));
    h.run(&["FLUSHDB"]);
    let long_key = "a".repeat(50_000);
    h.run(&["SET", &long_key, "1"]);
    assert_eq!(h.run(&["KEYS", &"*?".repeat(50_000)]), array(vec![]));
}

// -- SCAN -----------------------------------------------------------------------------------------

#[test]
fn scan_returns_every_key() {
    let mut h = Harness::new();
    populate(&mut h, 1000);
    let keys: BTreeSet<_> = scan_all(&mut h, &[]).into_iter().collect();
    assert_eq!(keys.len(), 1000);
}

#[test]
fn scan_with_count_returns_every_key() {
    let mut h = Harness::new();
    populate(&mut h, 1000);
    let keys: BTreeSet<_> = scan_all(&mut h, &["COUNT", "5"]).into_iter().collect();
    assert_eq!(keys.len(), 1000);
}

#[test]
fn scan_count_bounds_the_page_roughly() {
    let mut h = Harness::new();
    populate(&mut h, 1000);
    let (cursor, keys) = scan_page(h.run(&["SCAN", "0", "COUNT", "5"]));
    assert_ne!(cursor, "0");
    assert!(!keys.is_empty() && keys.len() < 20, "{} keys", keys.len());
    let (_, keys) = scan_page(h.run(&["SCAN", "0", "COUNT", "100000"]));
    assert_eq!(keys.len(), 1000);
}

#[test]
fn scan_with_match_filters_keys() {
    let mut h = Harness::new();
    populate(&mut h, 1000);
    let keys: BTreeSet<_> = scan_all(&mut h, &["MATCH", "key:1??"]).into_iter().collect();
    assert_eq!(keys.len(), 100);
    assert!(keys.iter().all(|k| k.starts_with("key:1") && k.len() == 7));
}

#[test]
fn scan_with_type_filters_keys() {
    let mut h = Harness::new();
    populate(&mut h, 1000);
    assert_eq!(scan_all(&mut h, &["TYPE", "list"]).len(), 0);
    assert_eq!(scan_all(&mut h, &["TYPE", "string"]).len(), 1000);
    assert_eq!(scan_all(&mut h, &["type", "STRING", "match", "key:*", "count", "10"]).len(), 1000);
    put(&mut h, 0, "l", list());
    assert_eq!(scan_all(&mut h, &["TYPE", "list"]), vec!["l".to_string()]);
    assert_eq!(scan_all(&mut h, &["TYPE", "stream"]).len(), 0);
}

#[test]
fn scan_unknown_type_is_an_error_before_any_expiry() {
    let mut h = Harness::new();
    populate(&mut h, 10);
    put(&mut h, 0, "hash", Value::Hash(Box::new(Hash::new())));
    h.run(&["PEXPIRE", "hash", "1"]);
    h.advance_ms_no_cron(2);
    assert_eq!(h.run(&["SCAN", "0", "TYPE", "string1"]), err("ERR unknown type name 'string1'"));
    assert_eq!(h.run(&["DBSIZE"]), int(11));
}

#[test]
fn scan_skips_and_deletes_expired_keys() {
    let mut h = Harness::new();
    populate(&mut h, 1000);
    h.run(&["SET", "foo", "bar"]);
    h.run(&["PEXPIRE", "foo", "1"]);
    put(&mut h, 0, "hash", Value::Hash(Box::new(Hash::new())));
    h.run(&["PEXPIRE", "hash", "1"]);
    h.advance_ms_no_cron(2);
    let keys: BTreeSet<_> = scan_all(&mut h, &["COUNT", "10"]).into_iter().collect();
    assert_eq!(keys.len(), 1000);
    assert_eq!(h.run(&["DBSIZE"]), int(1000));
}

#[test]
fn scan_with_type_filter_deletes_only_expired_keys_of_that_type() {
    let mut h = Harness::new();
    populate(&mut h, 1000);
    h.run(&["SET", "foo", "bar"]);
    h.run(&["PEXPIRE", "foo", "1"]);
    put(&mut h, 0, "hash", Value::Hash(Box::new(Hash::new())));
    h.run(&["PEXPIRE", "hash", "1"]);
    h.advance_ms_no_cron(2);
    let keys: BTreeSet<_> = scan_all(&mut h, &["TYPE", "string", "COUNT", "10"]).into_iter().collect();
    assert_eq!(keys.len(), 1000);
    assert_eq!(h.run(&["DBSIZE"]), int(1001));
}

#[test]
fn scan_guarantees_stable_keys_under_write_load() {
    let mut h = Harness::new();
    populate(&mut h, 100);
    let mut cursor = "0".to_string();
    let mut seen = BTreeSet::new();
    let mut n = 0;
    loop {
        let (next, keys) = scan_page(h.run(&["SCAN", &cursor]));
        seen.extend(keys);
        for _ in 0..10 {
            n += 1;
            h.run(&["SET", &format!("extra:{n}"), "x"]);
        }
        if next == "0" {
            break;
        }
        cursor = next;
    }
    for i in 0..100 {
        assert!(seen.contains(&format!("key:{i}")), "missed key:{i}");
    }
}

#[test]
fn scan_empty_db_returns_cursor_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SCAN", "0"]), array(vec![bulk("0"), array(vec![])]));
    assert_eq!(wire(&h.run(&["SCAN", "0"]), Protocol::Resp3), "*2\r\n$1\r\n0\r\n*0\r\n");
}

#[test]
fn scan_invalid_cursor_is_an_error() {
    let mut h = Harness::new();
    for c in ["abc", "-1", "", "1.5", "12 ", "0x10", "18446744073709551616", "+"] {
        assert_eq!(h.run(&["SCAN", c]), err("ERR invalid cursor"), "{c:?}");
    }
}

#[test]
fn scan_cursor_accepts_what_strtoull_accepts() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    for c in [" 0", "+0", "00", "-0", "18446744073709551615"] {
        let (_, _) = scan_page(h.run(&["SCAN", c]));
    }
}

#[test]
fn scan_count_must_be_positive_integer() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SCAN", "0", "COUNT", "0"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SCAN", "0", "COUNT", "-1"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SCAN", "0", "COUNT", "x"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn scan_bad_options_are_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SCAN", "0", "COUNT"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SCAN", "0", "MATCH"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SCAN", "0", "TYPE"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SCAN", "0", "FOO", "bar"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SCAN", "0", "NOVALUES"]), err("ERR NOVALUES option can only be used in HSCAN"));
    assert_eq!(h.run(&["SCAN", "0", "NOSCORES"]), err("ERR NOSCORES option can only be used in ZSCAN"));
    assert_eq!(h.run(&["SCAN"]), err("ERR wrong number of arguments for 'scan' command"));
}

#[test]
fn scan_match_pattern_with_hashtag_finds_all() {
    let mut h = Harness::new();
    for j in 0..100 {
        for tag in ["foo", "bar", "boo"] {
            h.run(&["SET", &format!("{{{tag}}}-{j}"), tag]);
        }
    }
    let keys: BTreeSet<_> = scan_all(&mut h, &["MATCH", "{foo}-*"]).into_iter().collect();
    assert_eq!(keys.len(), 100);
}

#[test]
fn parse_scan_cursor_follows_string2ull() {
    use ferrokey_core::commands::keys::parse_scan_cursor;
    assert_eq!(parse_scan_cursor(b"0"), Some(0));
    assert_eq!(parse_scan_cursor(b"42"), Some(42));
    assert_eq!(parse_scan_cursor(b"-1"), None);
    assert_eq!(parse_scan_cursor(b"-0"), Some(0));
    assert_eq!(parse_scan_cursor(b"  7"), Some(7));
    assert_eq!(parse_scan_cursor(b"+7"), Some(7));
    assert_eq!(parse_scan_cursor(b"007"), Some(7));
    assert_eq!(parse_scan_cursor(b"18446744073709551615"), Some(u64::MAX));
    assert_eq!(parse_scan_cursor(b"18446744073709551616"), None);
    assert_eq!(parse_scan_cursor(b"-18446744073709551615"), Some(1));
    assert_eq!(parse_scan_cursor(b"5\0junk"), Some(5));
    assert_eq!(parse_scan_cursor(b""), None);
    assert_eq!(parse_scan_cursor(b" "), None);
    assert_eq!(parse_scan_cursor(b"7 "), None);
}

// -- RANDOMKEY / DBSIZE ---------------------------------------------------------------------------

#[test]
fn randomkey_returns_each_key_eventually() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "x"]);
    h.run(&["SET", "bar", "y"]);
    let mut seen = BTreeSet::new();
    for _ in 0..100 {
        match h.run(&["RANDOMKEY"]) {
            Reply::Bulk(k) => seen.insert(String::from_utf8(k).unwrap()),
            other => panic!("{other:?}"),
        };
    }
    assert_eq!(seen, BTreeSet::from(["bar".to_string(), "foo".to_string()]));
}

#[test]
fn randomkey_empty_db_is_null() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["RANDOMKEY"]), null());
    h.run(&["SET", "x", "10"]);
    h.run(&["DEL", "x"]);
    assert_eq!(h.run(&["RANDOMKEY"]), null());
    assert_eq!(wire(&h.run(&["RANDOMKEY"]), Protocol::Resp2), "$-1\r\n");
    let mut h3 = Harness::resp3();
    assert_eq!(wire(&h3.run(&["RANDOMKEY"]), Protocol::Resp3), "_\r\n");
}

#[test]
fn randomkey_all_keys_expired_returns_null_and_deletes_them() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    for i in 0..50 {
        let k = format!("k{i}");
        h.run(&["SET", &k, "v"]);
        h.run(&["PEXPIRE", &k, "1"]);
    }
    h.advance_ms(2);
    assert_eq!(h.run(&["RANDOMKEY"]), null());
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    assert_eq!(h.eng.stats.expired_keys, 50);
}

#[test]
fn randomkey_skips_expired_keys() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    for i in 0..20 {
        let k = format!("k{i}");
        h.run(&["SET", &k, "v"]);
        h.run(&["PEXPIRE", &k, "1"]);
    }
    h.run(&["SET", "live", "v"]);
    h.advance_ms(2);
    assert_eq!(h.run(&["RANDOMKEY"]), bulk("live"));
}

#[test]
fn dbsize_counts_keys_of_selected_db() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "1"]);
    assert_eq!(h.run(&["DBSIZE"]), int(2));
    h.run(&["SELECT", "1"]);
    assert_eq!(h.run(&["DBSIZE"]), int(0));
}

// -- MOVE -----------------------------------------------------------------------------------------

#[test]
fn move_transfers_key_to_other_db() {
    let mut h = Harness::new();
    h.run(&["SELECT", "9"]);
    h.run(&["SET", "mykey", "foobar"]);
    assert_eq!(h.run(&["MOVE", "mykey", "10"]), int(1));
    assert_eq!(h.run(&["EXISTS", "mykey"]), int(0));
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    h.run(&["SELECT", "10"]);
    assert_eq!(h.run(&["GET", "mykey"]), bulk("foobar"));
    assert_eq!(h.run(&["DBSIZE"]), int(1));
}

#[test]
fn move_key_existing_in_target_returns_zero() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "hello"]);
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "mykey", "other"]);
    h.run(&["SELECT", "0"]);
    assert_eq!(h.run(&["MOVE", "mykey", "1"]), int(0));
    assert_eq!(h.run(&["GET", "mykey"]), bulk("hello"));
}

#[test]
fn move_onto_expired_key_in_target_succeeds() {
    let mut h = Harness::new();
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "mykey", "old"]);
    h.run(&["PEXPIRE", "mykey", "1"]);
    h.run(&["SELECT", "0"]);
    h.run(&["SET", "mykey", "new"]);
    h.advance_ms_no_cron(2);
    assert_eq!(h.run(&["MOVE", "mykey", "1"]), int(1));
    h.run(&["SELECT", "1"]);
    assert_eq!(h.run(&["GET", "mykey"]), bulk("new"));
    assert_eq!(h.run(&["TTL", "mykey"]), int(-1));
}

#[test]
fn move_missing_key_returns_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["MOVE", "nokey", "1"]), int(0));
}

#[test]
fn move_bad_db_index_errors() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "hello"]);
    assert_eq!(h.run(&["MOVE", "mykey", "notanumber"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["MOVE", "mykey", "16"]), err("ERR DB index is out of range"));
    assert_eq!(h.run(&["MOVE", "mykey", "-1"]), err("ERR DB index is out of range"));
    assert_eq!(
        h.run(&["MOVE", "mykey", "99999999999"]),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
    assert_eq!(h.run(&["MOVE", "mykey", "0"]), err("ERR source and destination objects are the same"));
    assert_eq!(h.run(&["MOVE", "nokey", "0"]), err("ERR source and destination objects are the same"));
}

#[test]
fn move_carries_the_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foo"]);
    h.run(&["EXPIRE", "mykey", "100"]);
    assert_eq!(h.run(&["MOVE", "mykey", "10"]), int(1));
    assert_eq!(h.run(&["TTL", "mykey"]), int(-2));
    assert_eq!(h.eng.dbs[0].expires.len(), 0);
    h.run(&["SELECT", "10"]);
    assert_eq!(h.run(&["TTL", "mykey"]), int(100));
    assert_eq!(h.run(&["GET", "mykey"]), bulk("foo"));
}

#[test]
fn move_does_not_create_a_ttl() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foo"]);
    h.run(&["MOVE", "mykey", "10"]);
    h.run(&["SELECT", "10"]);
    assert_eq!(h.run(&["TTL", "mykey"]), int(-1));
}

#[test]
fn move_fires_move_from_and_move_to_in_their_dbs() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    let l = listener(&mut h);
    let dirty = h.eng.dirty;
    h.run(&["MOVE", "k", "3"]);
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@0__:move_from", "k"), ev("__keyevent@3__:move_to", "k")]);
    assert_eq!(h.eng.dirty, dirty + 1);
}

// -- COPY -----------------------------------------------------------------------------------------

#[test]
fn copy_string_in_same_and_other_db() {
    let mut h = Harness::new();
    h.run(&["SELECT", "9"]);
    h.run(&["SET", "mykey", "foobar"]);
    assert_eq!(h.run(&["COPY", "mykey", "mynewkey"]), int(1));
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("foobar"));
    assert_eq!(h.run(&["DBSIZE"]), int(2));
    assert_eq!(h.run(&["COPY", "mykey", "mynewkey", "DB", "10"]), int(1));
    h.run(&["SELECT", "10"]);
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("foobar"));
    assert_eq!(h.run(&["DBSIZE"]), int(1));
}

#[test]
fn copy_without_replace_leaves_existing_destination() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey2", "hello"]);
    h.run(&["SET", "mynewkey", "old"]);
    assert_eq!(h.run(&["COPY", "mykey2", "mynewkey"]), int(0));
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("old"));
    assert_eq!(h.run(&["COPY", "mykey2", "mynewkey", "REPLACE"]), int(1));
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("hello"));
}

#[test]
fn copy_replace_into_other_db() {
    let mut h = Harness::new();
    h.run(&["SELECT", "10"]);
    h.run(&["SET", "mynewkey", "old"]);
    h.run(&["SELECT", "9"]);
    h.run(&["SET", "mykey2", "hello"]);
    assert_eq!(h.run(&["COPY", "mykey2", "mynewkey", "DB", "10"]), int(0));
    assert_eq!(h.run(&["COPY", "mykey2", "mynewkey", "DB", "10", "REPLACE"]), int(1));
    h.run(&["SELECT", "10"]);
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("hello"));
}

#[test]
fn copy_data_is_independent_of_the_source() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foobar"]);
    h.run(&["COPY", "mykey", "mynewkey", "DB", "10"]);
    h.run(&["SELECT", "10"]);
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("foobar"));
    h.run(&["SET", "mynewkey", "hoge"]);
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("hoge"));
    h.run(&["SELECT", "0"]);
    assert_eq!(h.run(&["GET", "mykey"]), bulk("foobar"));
}

#[test]
fn copy_collection_keeps_type_and_encoding() {
    let mut h = Harness::new();
    put(&mut h, 0, "mylist", list());
    assert_eq!(h.run(&["COPY", "mylist", "mynewlist"]), int(1));
    assert_eq!(h.run(&["TYPE", "mynewlist"]), status("list"));
    assert_eq!(h.run(&["OBJECT", "ENCODING", "mynewlist"]), h.run(&["OBJECT", "ENCODING", "mylist"]));
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "mynewlist"]), int(1));
    h.run(&["DEL", "mylist"]);
    assert_eq!(h.run(&["TYPE", "mynewlist"]), status("list"));
}

#[test]
fn copy_bad_db_is_an_error() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foobar"]);
    assert_eq!(
        h.run(&["COPY", "mykey", "mynewkey", "DB", "notanumber"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(h.run(&["COPY", "mykey", "mynewkey", "DB", "16"]), err("ERR DB index is out of range"));
    assert_eq!(
        h.run(&["COPY", "mykey", "mynewkey", "DB", "4294967296"]),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
}

#[test]
fn copy_syntax_and_same_object_errors() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foobar"]);
    assert_eq!(h.run(&["COPY", "mykey", "x", "DB"]), err("ERR syntax error"));
    assert_eq!(h.run(&["COPY", "mykey", "x", "FOO"]), err("ERR syntax error"));
    assert_eq!(h.run(&["COPY", "mykey", "mykey"]), err("ERR source and destination objects are the same"));
    assert_eq!(h.run(&["COPY", "mykey", "mykey", "DB", "0"]), err("ERR source and destination objects are the same"));
    assert_eq!(h.run(&["COPY", "nokey", "nokey"]), err("ERR source and destination objects are the same"));
    assert_eq!(h.run(&["COPY", "mykey", "mykey", "DB", "1"]), int(1));
    assert_eq!(h.run(&["COPY", "mykey"]), err("ERR wrong number of arguments for 'copy' command"));
}

#[test]
fn copy_missing_source_returns_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["COPY", "nokey", "x"]), int(0));
    assert_eq!(h.run(&["EXISTS", "x"]), int(0));
}

#[test]
fn copy_carries_ttl_but_does_not_create_one() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "foobar"]);
    h.run(&["EXPIRE", "mykey", "100"]);
    h.run(&["COPY", "mykey", "mynewkey", "REPLACE"]);
    assert_eq!(h.run(&["TTL", "mynewkey"]), int(100));
    assert_eq!(h.run(&["GET", "mynewkey"]), bulk("foobar"));
    h.run(&["SET", "mykey", "foobar"]);
    h.run(&["COPY", "mykey", "mynewkey", "REPLACE"]);
    assert_eq!(h.run(&["TTL", "mynewkey"]), int(-1));
}

#[test]
fn copy_fires_copy_to_in_destination_db() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    let l = listener(&mut h);
    let dirty = h.eng.dirty;
    h.run(&["COPY", "k", "k2", "DB", "5"]);
    assert_eq!(events(&mut h, l), vec![ev("__keyevent@5__:copy_to", "k2")]);
    assert_eq!(h.eng.dirty, dirty + 1);
}

// -- OBJECT ---------------------------------------------------------------------------------------

#[test]
fn object_encoding_of_strings() {
    let mut h = Harness::new();
    h.run(&["SET", "i", "12345"]);
    h.run(&["SET", "e", "hello"]);
    let long = "x".repeat(45);
    h.run(&["SET", "r", &long]);
    assert_eq!(h.run(&["OBJECT", "ENCODING", "i"]), bulk("int"));
    assert_eq!(h.run(&["object", "encoding", "e"]), bulk("embstr"));
    assert_eq!(h.run(&["OBJECT", "ENCODING", "r"]), bulk("raw"));
    assert_eq!(h.run(&["OBJECT", "ENCODING", "nokey"]), null());
    let mut h3 = Harness::resp3();
    assert_eq!(wire(&h3.run(&["OBJECT", "ENCODING", "nokey"]), Protocol::Resp3), "_\r\n");
}

#[test]
fn object_refcount_shows_shared_small_integers() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "9999"]);
    h.run(&["SET", "c", "10000"]);
    h.run(&["SET", "d", "-1"]);
    h.run(&["SET", "e", "abc"]);
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "a"]), int(2147483647));
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "b"]), int(2147483647));
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "c"]), int(1));
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "d"]), int(1));
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "e"]), int(1));
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "nokey"]), null());
}

#[test]
fn object_refcount_integers_not_shared_with_maxmemory_and_lru() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.eng.config.maxmemory = 1 << 30;
    h.eng.config.maxmemory_policy = MaxmemoryPolicy::AllkeysRandom;
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "a"]), int(2147483647));
    h.eng.config.maxmemory_policy = MaxmemoryPolicy::AllkeysLru;
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "a"]), int(1));
    h.eng.config.maxmemory_policy = MaxmemoryPolicy::VolatileLfu;
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "a"]), int(1));
    h.eng.config.maxmemory = 0;
    assert_eq!(h.run(&["OBJECT", "REFCOUNT", "a"]), int(2147483647));
}

#[test]
fn object_idletime_counts_seconds_since_last_access() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "foo"]), int(0));
    h.advance_ms(2500);
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "foo"]), int(2));
    h.run(&["GET", "foo"]);
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "foo"]), int(0));
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "nokey"]), null());
}

#[test]
fn object_idletime_under_lfu_policy_is_an_error() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    h.eng.config.maxmemory_policy = MaxmemoryPolicy::AllkeysLfu;
    assert_eq!(
        h.run(&["OBJECT", "IDLETIME", "foo"]),
        err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
    );
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "nokey"]), null(), "the key is looked up first");
}

#[test]
fn object_freq_without_lfu_policy_is_an_error() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(
        h.run(&["OBJECT", "FREQ", "foo"]),
        err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
    );
    assert_eq!(h.run(&["OBJECT", "FREQ", "nokey"]), null());
}

#[test]
fn object_freq_under_lfu_reads_and_decays_the_counter() {
    let mut h = Harness::new();
    h.eng.config.maxmemory_policy = MaxmemoryPolicy::VolatileLfu;
    h.run(&["SET", "foo", "bar"]);
    let minutes = ((START_MS / 60_000) & 0xffff) as u32;
    h.eng.dbs[0].keys.get_mut(b"foo".as_slice()).unwrap().lru = (minutes << 8) | 5;
    assert_eq!(h.run(&["OBJECT", "FREQ", "foo"]), int(5));
    h.advance_ms(3 * 60_000);
    assert_eq!(h.run(&["OBJECT", "FREQ", "foo"]), int(2), "one less per lfu-decay-time minute");
    h.advance_ms(10 * 60_000);
    assert_eq!(h.run(&["OBJECT", "FREQ", "foo"]), int(0));
}

#[test]
fn lfu_decayed_counter_handles_clock_wrap_and_no_decay() {
    use ferrokey_core::commands::keys::lfu_decayed_counter;
    let at = |min: i64| min * 60_000;
    assert_eq!(lfu_decayed_counter((10 << 8) | 100, at(10), 1), 100);
    assert_eq!(lfu_decayed_counter((10 << 8) | 100, at(30), 1), 80);
    assert_eq!(lfu_decayed_counter((10 << 8) | 100, at(30), 10), 98);
    assert_eq!(lfu_decayed_counter((10 << 8) | 100, at(30), 0), 100);
    assert_eq!(lfu_decayed_counter((65530 << 8) | 100, at(65536 + 4), 1), 91);
}

#[test]
fn object_help_lists_subcommands() {
    let mut h = Harness::new();
    let Reply::Array(lines) = h.run(&["object", "help"]) else { panic!("not an array") };
    assert_eq!(lines.len(), 15);
    assert_eq!(lines[0], status_owned("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assert_eq!(lines[1], status("ENCODING <key>"));
    assert_eq!(lines[13], status("HELP"));
    assert_eq!(lines[14], status("    Print this help."));
}

#[test]
fn object_unknown_subcommand_and_arity_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["OBJECT", "foo", "k"]), err("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
    assert_eq!(h.run(&["OBJECT"]), err("ERR wrong number of arguments for 'object' command"));
    assert_eq!(h.run(&["OBJECT", "ENCODING"]), err("ERR wrong number of arguments for 'object|encoding' command"));
    assert_eq!(h.run(&["OBJECT", "HELP", "x"]), err("ERR wrong number of arguments for 'object|help' command"));
}

fn status_owned(s: &str) -> Reply {
    Reply::Status(s.to_string().into())
}

// -- SWAPDB ---------------------------------------------------------------------------------------

#[test]
fn swapdb_exchanges_data_sets() {
    let mut h = Harness::new();
    h.run(&["SET", "swapkey", "v1"]);
    h.run(&["SELECT", "1"]);
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    assert_eq!(h.run(&["SWAPDB", "0", "1"]), ok());
    assert_eq!(h.run(&["DBSIZE"]), int(1));
    assert_eq!(h.run(&["GET", "swapkey"]), bulk("v1"));
    h.run(&["SELECT", "0"]);
    assert_eq!(h.run(&["DBSIZE"]), int(0));
}

#[test]
fn swapdb_moves_deadlines_with_the_keys() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["EXPIRE", "k", "100"]);
    h.run(&["SWAPDB", "0", "2"]);
    h.run(&["SELECT", "2"]);
    assert_eq!(h.run(&["TTL", "k"]), int(100));
}

#[test]
fn swapdb_index_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SWAPDB", "44", "55"]), err("ERR DB index is out of range"));
    assert_eq!(h.run(&["SWAPDB", "0", "16"]), err("ERR DB index is out of range"));
    assert_eq!(h.run(&["SWAPDB", "-1", "0"]), err("ERR DB index is out of range"));
    assert_eq!(h.run(&["SWAPDB", "44", "a"]), err("ERR invalid second DB index"));
    assert_eq!(h.run(&["SWAPDB", "a", "55"]), err("ERR invalid first DB index"));
    assert_eq!(h.run(&["SWAPDB", "a", "b"]), err("ERR invalid first DB index"));
    assert_eq!(h.run(&["SWAPDB", "4294967296", "0"]), err("ERR invalid first DB index"));
    assert_eq!(h.run(&["SWAPDB", "0", "0"]), ok());
}

#[test]
fn swapdb_then_flushdb_empties_only_the_swapped_db() {
    let mut h = Harness::new();
    h.run(&["SET", "swapkey", "v1"]);
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "swapkey1", "v1"]);
    h.run(&["SWAPDB", "0", "2"]);
    h.run(&["SELECT", "0"]);
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    h.run(&["SELECT", "2"]);
    assert_eq!(h.run(&["DBSIZE"]), int(1));
    h.run(&["FLUSHDB"]);
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    assert_eq!(h.eng.dbs[1].len(), 1);
}

#[test]
fn swapdb_counts_one_change() {
    let mut h = Harness::new();
    let dirty = h.eng.dirty;
    h.run(&["SWAPDB", "0", "1"]);
    h.run(&["SWAPDB", "3", "3"]);
    assert_eq!(h.eng.dirty, dirty + 2);
}

// -- FLUSHDB / FLUSHALL ---------------------------------------------------------------------------

#[test]
fn flushdb_empties_only_the_selected_db() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["EXPIRE", "a", "100"]);
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "b", "1"]);
    assert_eq!(h.run(&["FLUSHDB"]), ok());
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    h.run(&["SELECT", "0"]);
    assert_eq!(h.run(&["DBSIZE"]), int(1));
    assert_eq!(h.run(&["FLUSHDB", "ASYNC"]), ok());
    assert_eq!(h.run(&["DBSIZE"]), int(0));
    assert_eq!(h.eng.dbs[0].expires.len(), 0);
    assert_eq!(h.run(&["FLUSHDB", "sync"]), ok());
}

#[test]
fn flushdb_bad_arguments_are_syntax_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["FLUSHDB", "foo"]), err("ERR syntax error"));
    assert_eq!(h.run(&["FLUSHDB", "ASYNC", "SYNC"]), err("ERR syntax error"));
    assert_eq!(h.run(&["FLUSHALL", "foo"]), err("ERR syntax error"));
    assert_eq!(h.run(&["FLUSHALL", "SYNC", "extra"]), err("ERR syntax error"));
}

#[test]
fn flushdb_counts_one_change_per_key() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "1"]);
    let dirty = h.eng.dirty;
    h.run(&["FLUSHDB"]);
    assert_eq!(h.eng.dirty, dirty + 2);
}

#[test]
fn flushall_empties_every_db() {
    let mut h = Harness::new();
    for db in ["0", "5", "15"] {
        h.run(&["SELECT", db]);
        h.run(&["SET", "k", "v"]);
    }
    assert_eq!(h.run(&["FLUSHALL", "ASYNC"]), ok());
    assert!(h.eng.dbs.iter().all(|d| d.is_empty()));
}

#[test]
fn flushall_without_save_points_keeps_counting_changes() {
    let mut h = Harness::new();
    h.eng.config.save_points.clear();
    h.run(&["SET", "key", "value"]);
    h.run(&["FLUSHALL"]);
    assert!(h.eng.dirty > 0);
}

#[test]
fn flushall_with_save_points_resets_the_change_counter() {
    let mut h = Harness::new();
    h.eng.config.save_points = vec![(3600, 1), (300, 100), (60, 10000)];
    h.run(&["SET", "key", "value"]);
    h.advance_ms(5000);
    h.run(&["FLUSHALL"]);
    assert_eq!(h.eng.dirty, 0);
    assert_eq!(h.eng.last_save_s, (START_MS + 5000) / 1000);
}

// -- WATCH interplay (needs MULTI/EXEC/WATCH) -----------------------------------------------------

/// WATCH key, then `change`, then MULTI / PING / EXEC: the EXEC reply.
fn exec_after(h: &mut Harness, watch_db: &str, key: &str, change: &[&[&str]]) -> Reply {
    h.run(&["SELECT", watch_db]);
    assert_eq!(h.run(&["WATCH", key]), ok());
    for cmd in change {
        h.run(cmd);
    }
    h.run(&["SELECT", watch_db]);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    h.run(&["EXEC"])
}

fn exec_ok() -> Reply {
    array(vec![status("PONG")])
}

#[test]
fn flushall_touches_watched_keys_that_exist() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["FLUSHALL"]]), Reply::NullArray);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["FLUSHALL"]]), exec_ok(), "x does not exist any more");
}

#[test]
fn flushdb_touches_watched_keys_that_exist() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["FLUSHDB"]]), Reply::NullArray);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["FLUSHDB"]]), exec_ok());
}

#[test]
fn flushdb_of_another_db_does_not_touch_watched_key() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["SELECT", "1"], &["SET", "x", "1"], &["FLUSHDB"]]), exec_ok());
}

#[test]
fn flushdb_while_watching_stale_key_does_not_fail_exec() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    h.run(&["SET", "x", "foo"]);
    h.run(&["PEXPIRE", "x", "1"]);
    h.advance_ms(2);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["FLUSHDB"]]), exec_ok());
}

#[test]
fn swapdb_touches_watched_keys_that_exist() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["SWAPDB", "0", "1"]]), Reply::NullArray);
}

#[test]
fn swapdb_touches_watched_keys_that_do_not_exist() {
    let mut h = Harness::new();
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "x", "30"]);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["SWAPDB", "0", "1"]]), Reply::NullArray);
}

#[test]
fn swapdb_does_not_touch_watched_stale_keys() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "x", "foo"]);
    h.run(&["PEXPIRE", "x", "1"]);
    h.advance_ms(2);
    assert_eq!(exec_after(&mut h, "1", "x", &[&["SWAPDB", "0", "1"]]), exec_ok());
}

#[test]
fn swapdb_does_not_touch_missing_key_replaced_with_stale_key() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    h.run(&["SET", "x", "foo"]);
    h.run(&["PEXPIRE", "x", "1"]);
    h.advance_ms(2);
    assert_eq!(exec_after(&mut h, "1", "x", &[&["SWAPDB", "0", "1"]]), exec_ok());
}

#[test]
fn swapdb_does_not_touch_stale_key_replaced_with_another_stale_key() {
    let mut h = Harness::new();
    h.eng.active_expire_enabled = false;
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "x", "foo"]);
    h.run(&["PEXPIRE", "x", "1"]);
    h.run(&["SELECT", "0"]);
    h.run(&["SET", "x", "bar"]);
    h.run(&["PEXPIRE", "x", "1"]);
    h.advance_ms(2);
    assert_eq!(exec_after(&mut h, "1", "x", &[&["SWAPDB", "0", "1"]]), exec_ok());
}

#[test]
fn expire_rename_move_copy_persist_touch_watched_keys() {
    let cases: &[(&str, &[&[&str]])] = &[
        ("x", &[&["EXPIRE", "x", "100"]]),
        ("x", &[&["RENAME", "x", "y"]]),
        ("y", &[&["RENAME", "x", "y"]]),
        ("x", &[&["MOVE", "x", "1"]]),
        ("y", &[&["COPY", "x", "y"]]),
        ("x", &[&["DEL", "x"]]),
    ];
    for (watched, change) in cases {
        let mut h = Harness::new();
        h.run(&["SET", "x", "1"]);
        assert_eq!(exec_after(&mut h, "0", watched, change), Reply::NullArray, "{change:?} on {watched}");
    }
    let mut h = Harness::new();
    h.run(&["SET", "x", "1"]);
    h.run(&["EXPIRE", "x", "100"]);
    assert_eq!(exec_after(&mut h, "0", "x", &[&["PERSIST", "x"]]), Reply::NullArray);
}

// -- blocked clients and collections (needs the list, set, hash and zset commands) ----------------

#[test]
fn swapdb_serves_client_blocked_on_key_that_arrives() {
    let mut h = Harness::new();
    let waiter = h.connect();
    h.send_as(waiter, &["BLPOP", "mylist", "0"]);
    assert!(h.output(waiter).is_empty());
    h.run(&["SELECT", "1"]);
    h.run(&["RPUSH", "mylist", "a"]);
    assert_eq!(h.run(&["SWAPDB", "0", "1"]), ok());
    assert_eq!(h.output(waiter), vec![bulks(&["mylist", "a"])]);
    h.run(&["SELECT", "0"]);
    assert_eq!(h.run(&["EXISTS", "mylist"]), int(0), "the waiter popped it");
}

#[test]
fn rename_serves_client_blocked_on_destination() {
    let mut h = Harness::new();
    let waiter = h.connect();
    h.send_as(waiter, &["BLPOP", "dst", "0"]);
    h.run(&["RPUSH", "src", "a"]);
    assert_eq!(h.run(&["RENAME", "src", "dst"]), ok());
    assert_eq!(h.output(waiter), vec![bulks(&["dst", "a"])]);
}

#[test]
fn move_serves_client_blocked_in_target_db() {
    let mut h = Harness::new();
    let waiter = h.connect();
    h.run_as(waiter, &["SELECT", "1"]);
    h.send_as(waiter, &["BLPOP", "l", "0"]);
    h.run(&["RPUSH", "l", "a"]);
    assert_eq!(h.run(&["MOVE", "l", "1"]), int(1));
    assert_eq!(h.output(waiter), vec![bulks(&["l", "a"])]);
}

#[test]
fn copy_serves_client_blocked_on_new_key() {
    let mut h = Harness::new();
    let waiter = h.connect();
    h.send_as(waiter, &["BLPOP", "l2", "0"]);
    h.run(&["RPUSH", "l", "a", "b"]);
    assert_eq!(h.run(&["COPY", "l", "l2"]), int(1));
    assert_eq!(h.output(waiter), vec![bulks(&["l2", "a"])]);
    assert_eq!(h.run(&["LRANGE", "l", "0", "-1"]), bulks(&["a", "b"]));
}

#[test]
fn copy_list_set_hash_zset_copies_contents_and_encoding() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "mylist", "a", "b", "c"]);
    h.run(&["SADD", "intset", "1", "2", "3"]);
    h.run(&["SADD", "lpset", "1", "2", "a"]);
    let many: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    let mut sadd = vec!["SADD", "htset", "a"];
    sadd.extend(many.iter().map(|s| s.as_str()));
    h.run(&sadd);
    h.run(&["HSET", "hash", "tmp", "17179869184"]);
    h.run(&["ZADD", "zset", "123", "foobar"]);
    for key in ["mylist", "intset", "lpset", "htset", "hash", "zset"] {
        let copy = format!("{key}-copy");
        assert_eq!(h.run(&["COPY", key, &copy]), int(1), "{key}");
        assert_eq!(h.run(&["OBJECT", "ENCODING", &copy]), h.run(&["OBJECT", "ENCODING", key]), "{key}");
        assert_eq!(h.run(&["OBJECT", "REFCOUNT", &copy]), int(1));
    }
    h.run(&["DEL", "mylist", "intset", "htset", "hash", "zset"]);
    assert_eq!(h.run(&["LRANGE", "mylist-copy", "0", "-1"]), bulks(&["a", "b", "c"]));
    assert_eq!(sorted(h.run(&["SMEMBERS", "intset-copy"])), bulks(&["1", "2", "3"]));
    assert_eq!(h.run(&["SCARD", "htset-copy"]), int(201));
    assert_eq!(h.run(&["HGET", "hash-copy", "tmp"]), bulk("17179869184"));
    assert_eq!(h.run(&["ZSCORE", "zset-copy", "foobar"]), Reply::Double(123.0));
}

#[test]
fn copy_then_modify_copy_leaves_source_collection_alone() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "l", "a"]);
    h.run(&["COPY", "l", "l2"]);
    h.run(&["RPUSH", "l2", "b"]);
    assert_eq!(h.run(&["LRANGE", "l", "0", "-1"]), bulks(&["a"]));
    assert_eq!(h.run(&["LRANGE", "l2", "0", "-1"]), bulks(&["a", "b"]));
}

#[test]
fn type_of_collections_made_by_their_commands() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "l", "a"]);
    h.run(&["SADD", "s", "a"]);
    h.run(&["HSET", "h", "f", "v"]);
    h.run(&["ZADD", "z", "1", "a"]);
    assert_eq!(h.run(&["TYPE", "l"]), status("list"));
    assert_eq!(h.run(&["TYPE", "s"]), status("set"));
    assert_eq!(h.run(&["TYPE", "h"]), status("hash"));
    assert_eq!(h.run(&["TYPE", "z"]), status("zset"));
    assert_eq!(scan_all(&mut h, &["TYPE", "hash"]), vec!["h".to_string()]);
}

#[test]
fn expire_on_list_then_write_keeps_ttl() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "x", "foo"]);
    h.run(&["EXPIRE", "x", "1000"]);
    h.run(&["LPUSH", "x", "bar"]);
    assert_eq!(h.run(&["LRANGE", "x", "0", "-1"]), bulks(&["bar", "foo"]));
    assert_eq!(h.run(&["TTL", "x"]), int(1000));
}

#[test]
fn rename_move_copy_fire_new_for_the_created_key_first() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "1"]);
    let l = listener(&mut h);
    h.eng.config.notify_keyspace_events |= notify::NEW;
    h.run(&["RENAME", "a", "c"]);
    h.run(&["MOVE", "c", "2"]);
    h.run(&["COPY", "b", "d"]);
    assert_eq!(
        events(&mut h, l),
        vec![
            ev("__keyevent@0__:new", "c"),
            ev("__keyevent@0__:rename_from", "a"),
            ev("__keyevent@0__:rename_to", "c"),
            ev("__keyevent@2__:new", "c"),
            ev("__keyevent@0__:move_from", "c"),
            ev("__keyevent@2__:move_to", "c"),
            ev("__keyevent@0__:new", "d"),
            ev("__keyevent@0__:copy_to", "d"),
        ]
    );
}
