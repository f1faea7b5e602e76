//! String commands: GET/SET and variants, counters, ranges, APPEND, LCS. Replies and error strings
//! are Valkey 8.0.1's (t_string.c, tests/unit/type/string.tcl and incr.tcl).

mod common;
use common::*;

use ferrokey_core::bytestr::ByteStr;
use ferrokey_core::client::ClientId;
use ferrokey_core::command::{flag, CommandTable};
use ferrokey_core::config::Config;
use ferrokey_core::notify;
use ferrokey_core::pubsub::Kind;
use ferrokey_core::resp::Protocol;
use ferrokey_core::types::Value;
use ferrokey_core::Reply;

// -- helpers ---------------------------------------------------------------------------------------

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
const NOT_FLOAT: &str = "ERR value is not a valid float";
const SYNTAX: &str = "ERR syntax error";
const TOO_BIG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/// Puts an (empty) list at `key` in db 0, to provoke WRONGTYPE without depending on list commands.
fn put_list(h: &mut Harness, key: &str) {
    h.eng.dbs[0].set(ByteStr::from(key), Value::List(Box::default()), 0);
}

fn is_list(h: &Harness, key: &str) -> bool {
    matches!(h.eng.dbs[0].get(key.as_bytes()).map(|e| &e.value), Some(Value::List(_)))
}

fn exists(h: &Harness, key: &str) -> bool {
    h.eng.dbs[0].contains(key.as_bytes())
}

/// The key's deadline (unix ms), if it has one.
fn deadline(h: &Harness, key: &str) -> Option<i64> {
    h.eng.dbs[0].expire_of(key.as_bytes())
}

fn invalid_expire(cmd: &str) -> Reply {
    err(&format!("ERR invalid expire time in '{cmd}' command"))
}

fn arity(cmd: &str) -> Reply {
    err(&format!("ERR wrong number of arguments for '{cmd}' command"))
}

fn secs(offset: i64) -> String {
    (START_MS / 1000 + offset).to_string()
}

fn millis(offset: i64) -> String {
    (START_MS + offset).to_string()
}

/// A harness publishing every keyspace event class on `__keyevent@<db>__:<event>`, and a client
/// listening to all of them.
fn with_events() -> (Harness, ClientId) {
    let config = Config { notify_keyspace_events: notify::KEYEVENT | notify::ALL, ..Default::default() };
    let mut h = Harness::with_config(config);
    let listener = h.connect();
    h.eng.pubsub.add(Kind::Pattern, b"__keyevent@*", listener);
    (h, listener)
}

/// [`with_events`] plus the `new` class (not part of `A`): key creations.
fn with_new_events() -> (Harness, ClientId) {
    let config = Config { notify_keyspace_events: notify::KEYEVENT | notify::ALL | notify::NEW, ..Default::default() };
    let mut h = Harness::with_config(config);
    let listener = h.connect();
    h.eng.pubsub.add(Kind::Pattern, b"__keyevent@*", listener);
    (h, listener)
}

/// The events the listener got since the last call, as "event key".
fn events(h: &mut Harness, listener: ClientId) -> Vec<String> {
    h.output(listener)
        .into_iter()
        .map(|msg| match msg {
            Reply::Push(parts) => match (&parts[2], &parts[3]) {
                (Reply::Bulk(channel), Reply::Bulk(key)) => {
                    let channel = String::from_utf8_lossy(channel);
                    let event = channel.split_once("__:").expect("keyevent channel").1.to_string();
                    format!("{event} {}", String::from_utf8_lossy(key))
                }
                other => panic!("unexpected message parts {other:?}"),
            },
            other => panic!("unexpected output {other:?}"),
        })
        .collect()
}

// -- command table ---------------------------------------------------------------------------------

#[test]
fn string_table_rows_match_valkey_metadata() {
    use flag::*;
    type Row = (&'static str, i32, u32, (i32, i32, i32));
    let rows: &[Row] = &[
        ("append", 3, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("decr", 2, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("decrby", 3, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("get", 2, READONLY | FAST, (1, 1, 1)),
        ("getdel", 2, WRITE | FAST, (1, 1, 1)),
        ("getex", -2, WRITE | FAST, (1, 1, 1)),
        ("getrange", 4, READONLY, (1, 1, 1)),
        ("getset", 3, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("incr", 2, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("incrby", 3, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("incrbyfloat", 3, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("lcs", -3, READONLY, (1, 2, 1)),
        ("mget", -2, READONLY | FAST, (1, -1, 1)),
        ("mset", -3, WRITE | DENYOOM, (1, -1, 2)),
        ("msetnx", -3, WRITE | DENYOOM, (1, -1, 2)),
        ("psetex", 4, WRITE | DENYOOM, (1, 1, 1)),
        ("set", -3, WRITE | DENYOOM, (1, 1, 1)),
        ("setex", 4, WRITE | DENYOOM, (1, 1, 1)),
        ("setnx", 3, WRITE | DENYOOM | FAST, (1, 1, 1)),
        ("setrange", 4, WRITE | DENYOOM, (1, 1, 1)),
        ("strlen", 2, READONLY | FAST, (1, 1, 1)),
        ("substr", 4, READONLY, (1, 1, 1)),
    ];
    for &(name, arity, flags, keys) in rows {
        let spec = CommandTable::get().lookup(name.as_bytes()).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!((spec.arity, spec.flags, spec.keys.legacy()), (arity, flags, keys), "{name}");
        assert_eq!(spec.group.name(), "string", "{name}");
        assert!(!spec.summary.is_empty(), "{name}");
    }
}

#[test]
fn mset_keys_are_every_other_argument() {
    let spec = CommandTable::get().lookup(b"MSET").unwrap();
    let argv: Vec<Vec<u8>> = ["MSET", "a", "1", "b", "2"].iter().map(|s| s.as_bytes().to_vec()).collect();
    assert_eq!(spec.keys.find(&argv), vec![1, 3]);
}

// -- GET -------------------------------------------------------------------------------------------

#[test]
fn get_missing_key_returns_null_in_both_protocols() {
    let mut h = Harness::new();
    let reply = h.run(&["GET", "nokey"]);
    assert_eq!(reply, null());
    assert_eq!(wire(&reply, Protocol::Resp2), "$-1\r\n");
    assert_eq!(wire(&reply, Protocol::Resp3), "_\r\n");
    let mut h3 = Harness::resp3();
    assert_eq!(h3.run(&["GET", "nokey"]), null());
}

#[test]
fn get_wrong_type_returns_wrongtype() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["GET", "l"]), err(WRONGTYPE));
}

#[test]
fn get_counts_hits_and_misses() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["GET", "k"]);
    h.run(&["GET", "nokey"]);
    assert_eq!((h.eng.stats.keyspace_hits, h.eng.stats.keyspace_misses), (1, 1));
}

// -- SET -------------------------------------------------------------------------------------------

#[test]
fn set_then_get_round_trips_values() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "x", "foobar"]), ok());
    assert_eq!(h.run(&["GET", "x"]), bulk("foobar"));
    assert_eq!(h.run(&["SET", "x", ""]), ok());
    assert_eq!(h.run(&["GET", "x"]), bulk(""));
    let big = "abcd".repeat(1_000_000);
    assert_eq!(h.run(&["SET", "foo", &big]), ok());
    assert_eq!(h.run(&["GET", "foo"]), bulk(&big));
    assert_eq!(h.run_bytes(&[b"SET", b"bin", b"a\0b\r\n"]), ok());
    assert_eq!(h.run(&["GET", "bin"]), Reply::bulk(&b"a\0b\r\n"[..]));
}

#[test]
fn set_overwrites_other_types_and_drops_ttl() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["SET", "l", "v"]), ok());
    assert_eq!(h.run(&["GET", "l"]), bulk("v"));
    h.run(&["SET", "k", "v", "EX", "100"]);
    h.run(&["SET", "k", "w"]);
    assert_eq!(deadline(&h, "k"), None);
}

#[test]
fn set_unknown_option_is_syntax_error() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "foo", "bar", "non-existing-option"]), err(SYNTAX));
    assert!(!exists(&h, "foo"));
}

#[test]
fn set_conflicting_options_are_syntax_errors() {
    let mut h = Harness::new();
    for opts in [
        &["NX", "XX"][..],
        &["XX", "NX"],
        &["EX", "10", "PX", "100"],
        &["PX", "100", "EX", "10"],
        &["EX", "10", "EXAT", "10"],
        &["PXAT", "10", "EXAT", "10"],
        &["KEEPTTL", "EX", "10"],
        &["PX", "10", "KEEPTTL"],
        &["PERSIST"],
        &["EX"],
        &["GET", "PX"],
        &["EXAT", "10", "GET", "FOO"],
    ] {
        let mut argv = vec!["SET", "k", "v"];
        argv.extend_from_slice(opts);
        assert_eq!(h.run(&argv), err(SYNTAX), "{opts:?}");
    }
    assert!(!exists(&h, "k"));
}

#[test]
fn set_repeated_options_are_accepted_and_last_expire_wins() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "k", "v", "NX", "NX", "EX", "10", "ex", "20", "GET", "GET"]), null());
    assert_eq!(deadline(&h, "k"), Some(START_MS + 20_000));
    assert_eq!(h.run(&["SET", "k", "v", "KEEPTTL", "KEEPTTL", "XX", "XX"]), ok());
    assert_eq!(deadline(&h, "k"), Some(START_MS + 20_000));
}

#[test]
fn set_options_are_case_insensitive_and_end_at_nul() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["set", "k", "v", "nX", "pX", "1000"]), ok());
    assert_eq!(deadline(&h, "k"), Some(START_MS + 1000));
    // Valkey compares option words as C strings.
    assert_eq!(h.run_bytes(&[b"SET", b"k", b"w", b"XX\0junk"]), ok());
    assert_eq!(h.run(&["GET", "k"]), bulk("w"));
}

#[test]
fn set_nx_only_sets_missing_keys() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "foo", "1", "NX"]), ok());
    assert_eq!(h.run(&["SET", "foo", "2", "NX"]), null());
    assert_eq!(h.run(&["GET", "foo"]), bulk("1"));
    let mut h3 = Harness::resp3();
    h3.run(&["SET", "foo", "1"]);
    assert_eq!(wire(&h3.run(&["SET", "foo", "2", "NX"]), Protocol::Resp3), "_\r\n");
}

#[test]
fn set_xx_only_sets_existing_keys() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "foo", "1", "XX"]), null());
    assert!(!exists(&h, "foo"));
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["SET", "foo", "2", "XX"]), ok());
    assert_eq!(h.run(&["GET", "foo"]), bulk("2"));
}

#[test]
fn set_get_returns_old_value() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "foo", "bar", "GET"]), null());
    assert_eq!(h.run(&["GET", "foo"]), bulk("bar"));
    assert_eq!(h.run(&["SET", "foo", "bar2", "GET"]), bulk("bar"));
    assert_eq!(h.run(&["GET", "foo"]), bulk("bar2"));
}

#[test]
fn set_get_with_xx_or_nx_answers_old_value_even_when_not_written() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "foo", "bar", "GET", "XX"]), null());
    assert!(!exists(&h, "foo"));
    assert_eq!(h.run(&["SET", "foo", "bar", "GET", "NX"]), null());
    assert_eq!(h.run(&["GET", "foo"]), bulk("bar"));
    assert_eq!(h.run(&["SET", "foo", "baz", "GET", "NX"]), bulk("bar"));
    assert_eq!(h.run(&["GET", "foo"]), bulk("bar"));
    assert_eq!(h.run(&["SET", "foo", "baz", "GET", "XX"]), bulk("bar"));
    assert_eq!(h.run(&["GET", "foo"]), bulk("baz"));
}

#[test]
fn set_get_on_wrong_type_fails_and_keeps_the_value() {
    let mut h = Harness::new();
    put_list(&mut h, "foo");
    assert_eq!(h.run(&["SET", "foo", "bar", "GET"]), err(WRONGTYPE));
    assert!(is_list(&h, "foo"));
    // The expire argument is checked before the old value is read.
    assert_eq!(h.run(&["SET", "foo", "bar", "GET", "EX", "0"]), invalid_expire("set"));
    assert_eq!(h.run(&["SET", "foo", "bar", "GET", "EX", "x"]), err(NOT_INTEGER));
}

#[test]
fn set_ex_px_exat_pxat_set_deadlines() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "v", "EX", "10"]);
    h.run(&["SET", "b", "v", "PX", "10000"]);
    h.run(&["SET", "c", "v", "EXAT", &secs(10)]);
    h.run(&["SET", "d", "v", "PXAT", &millis(10_000)]);
    for key in ["a", "b", "c", "d"] {
        assert_eq!(deadline(&h, key), Some(START_MS + 10_000), "{key}");
    }
}

#[test]
fn set_px_key_survives_its_deadline_millisecond_then_expires() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "k", "v", "PX", "20"]), ok());
    h.advance_ms(20);
    assert_eq!(h.run(&["GET", "k"]), bulk("v"));
    h.advance_ms(1);
    assert_eq!(h.run(&["GET", "k"]), null());
}

#[test]
fn set_xx_with_px_sets_value_and_deadline() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "val"]);
    assert_eq!(h.run(&["SET", "foo", "bar", "XX", "PX", "10000"]), ok());
    assert_eq!(deadline(&h, "foo"), Some(START_MS + 10_000));
}

#[test]
fn set_keepttl_keeps_the_deadline() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v", "EX", "100"]);
    assert_eq!(h.run(&["SET", "k", "w", "KEEPTTL"]), ok());
    assert_eq!(deadline(&h, "k"), Some(START_MS + 100_000));
    assert_eq!(h.run(&["GET", "k"]), bulk("w"));
    assert_eq!(h.run(&["SET", "new", "w", "KEEPTTL"]), ok());
    assert_eq!(deadline(&h, "new"), None);
}

#[test]
fn set_zero_or_negative_expire_is_invalid() {
    let mut h = Harness::new();
    for opt in ["EX", "PX", "EXAT", "PXAT"] {
        for value in ["0", "-1", "-9223372036854775808"] {
            assert_eq!(h.run(&["SET", "k", "v", opt, value]), invalid_expire("set"), "{opt} {value}");
        }
    }
    assert!(!exists(&h, "k"));
}

#[test]
fn set_overflowing_expire_is_invalid() {
    let mut h = Harness::new();
    // Seconds that overflow when turned into milliseconds.
    assert_eq!(h.run(&["SET", "k", "v", "EX", "9223372036854776"]), invalid_expire("set"));
    assert_eq!(h.run(&["SET", "k", "v", "EXAT", "9223372036854776"]), invalid_expire("set"));
    // Relative times that overflow when the current time is added.
    assert_eq!(h.run(&["SET", "k", "v", "EX", "9223372036854775"]), invalid_expire("set"));
    assert_eq!(h.run(&["SET", "k", "v", "PX", "9223372036854775807"]), invalid_expire("set"));
    // Absolute times need no addition: the largest ones are fine.
    assert_eq!(h.run(&["SET", "k", "v", "EXAT", "9223372036854775"]), ok());
    assert_eq!(deadline(&h, "k"), Some(9_223_372_036_854_775_000));
    assert_eq!(h.run(&["SET", "k", "v", "PXAT", "9223372036854775807"]), ok());
    assert_eq!(deadline(&h, "k"), Some(i64::MAX));
}

#[test]
fn set_non_integer_expire_is_not_integer_unless_syntax_fails_first() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "k", "v", "EX", "abc"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["SET", "k", "v", "PX", "1.5"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["SET", "k", "v", "EX", "abc", "FOO"]), err(SYNTAX));
}

#[test]
fn set_exat_in_the_past_deletes_existing_key_with_del_event() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "foo", "bar"]);
    events(&mut h, listener);
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["SET", "foo", "bar", "EXAT", &secs(-100)]), ok());
    assert!(!exists(&h, "foo"));
    assert_eq!(events(&mut h, listener), vec!["del foo"]);
    assert_eq!(h.eng.dirty, dirty + 1);
    assert_eq!(h.eng.stats.expired_keys, 0);

    h.run(&["SET", "foo", "bar"]);
    events(&mut h, listener);
    assert_eq!(h.run(&["SET", "foo", "bar", "PXAT", &millis(-10_000)]), ok());
    assert!(!exists(&h, "foo"));
    assert_eq!(events(&mut h, listener), vec!["del foo"]);
}

#[test]
fn set_pxat_now_counts_as_already_expired() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["SET", "foo", "bar", "PXAT", &millis(0)]), ok());
    assert!(!exists(&h, "foo"));
}

#[test]
fn set_exat_in_the_past_on_missing_key_creates_nothing() {
    let (mut h, listener) = with_events();
    assert_eq!(h.run(&["SET", "foo", "bar", "EXAT", &secs(-100)]), ok());
    assert_eq!(h.run(&["SET", "foo", "bar", "PXAT", "1"]), ok());
    assert!(!exists(&h, "foo"));
    assert!(events(&mut h, listener).is_empty());
    assert_eq!(h.run(&["INCR", "foo"]), int(1));
}

#[test]
fn set_get_exat_in_the_past_returns_old_value_and_deletes() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "old"]);
    assert_eq!(h.run(&["SET", "foo", "new", "GET", "EXAT", &secs(-1)]), bulk("old"));
    assert!(!exists(&h, "foo"));
    assert_eq!(h.run(&["SET", "foo", "new", "GET", "EXAT", &secs(-1)]), null());
}

#[test]
fn set_fires_set_then_expire_events_and_counts_one_change() {
    let (mut h, listener) = with_events();
    let dirty = h.eng.dirty;
    h.run(&["SET", "k", "v"]);
    assert_eq!(events(&mut h, listener), vec!["set k"]);
    h.run(&["SET", "k", "v", "PX", "100"]);
    assert_eq!(events(&mut h, listener), vec!["set k", "expire k"]);
    assert_eq!(h.eng.dirty, dirty + 2);
    h.run(&["SET", "k", "v", "NX"]);
    assert!(events(&mut h, listener).is_empty());
}

#[test]
fn string_writes_creating_keys_fire_new_first() {
    let (mut h, listener) = with_new_events();
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "a", "2"]);
    h.run(&["INCR", "b"]);
    h.run(&["INCRBYFLOAT", "c", "1.5"]);
    h.run(&["APPEND", "d", "x"]);
    h.run(&["SETRANGE", "e", "1", "x"]);
    h.run(&["GETSET", "f", "x"]);
    h.run(&["MSET", "a", "3", "g", "x"]);
    h.run(&["SET", "h", "x", "EX", "10"]);
    assert_eq!(
        events(&mut h, listener),
        vec![
            "new a",
            "set a",
            "set a",
            "new b",
            "incrby b",
            "new c",
            "incrbyfloat c",
            "new d",
            "append d",
            "new e",
            "setrange e",
            "new f",
            "set f",
            "set a",
            "new g",
            "set g",
            "new h",
            "set h",
            "expire h",
        ]
    );
    // Changing existing keys creates nothing.
    for argv in [&["INCR", "b"][..], &["APPEND", "d", "y"], &["SETRANGE", "e", "0", "y"], &["GETSET", "f", "y"]] {
        h.run(argv);
    }
    assert!(events(&mut h, listener).iter().all(|e| !e.starts_with("new")));
    // A deadline in the past on a missing key stores nothing.
    h.run(&["SET", "i", "x", "PXAT", "1"]);
    assert!(events(&mut h, listener).is_empty());
}

#[test]
fn set_arity_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "k"]), arity("set"));
}

// -- SETNX / SETEX / PSETEX ------------------------------------------------------------------------

#[test]
fn setnx_sets_only_missing_keys() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SETNX", "novar", "foobared"]), int(1));
    assert_eq!(h.run(&["GET", "novar"]), bulk("foobared"));
    assert_eq!(h.run(&["SETNX", "novar", "blabla"]), int(0));
    assert_eq!(h.run(&["GET", "novar"]), bulk("foobared"));
    put_list(&mut h, "l");
    assert_eq!(h.run(&["SETNX", "l", "v"]), int(0));
}

#[test]
fn setnx_against_volatile_key_respects_expiry() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "10", "EX", "1"]);
    assert_eq!(h.run(&["SETNX", "x", "20"]), int(0));
    assert_eq!(h.run(&["GET", "x"]), bulk("10"));
    h.advance_ms_no_cron(1001);
    assert_eq!(h.run(&["SETNX", "x", "20"]), int(1));
    assert_eq!(h.run(&["GET", "x"]), bulk("20"));
    assert_eq!(deadline(&h, "x"), None);
}

#[test]
fn setex_sets_value_and_deadline() {
    let (mut h, listener) = with_events();
    assert_eq!(h.run(&["SETEX", "k", "10", "v"]), ok());
    assert_eq!(h.run(&["GET", "k"]), bulk("v"));
    assert_eq!(deadline(&h, "k"), Some(START_MS + 10_000));
    assert_eq!(events(&mut h, listener), vec!["set k", "expire k"]);
}

#[test]
fn setex_invalid_times_fail_with_its_own_name() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SETEX", "k", "0", "v"]), invalid_expire("setex"));
    assert_eq!(h.run(&["SETEX", "k", "-10", "v"]), invalid_expire("setex"));
    assert_eq!(h.run(&["SETEX", "k", "9223372036854775807", "v"]), invalid_expire("setex"));
    assert_eq!(h.run(&["SETEX", "k", "ten", "v"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["SETEX", "k", "10"]), arity("setex"));
    assert!(!exists(&h, "k"));
}

#[test]
fn psetex_sets_value_and_deadline_in_milliseconds() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["PSETEX", "k", "1500", "v"]), ok());
    assert_eq!(deadline(&h, "k"), Some(START_MS + 1500));
    assert_eq!(h.run(&["PSETEX", "k", "0", "v"]), invalid_expire("psetex"));
    assert_eq!(h.run(&["PSETEX", "k", "-1", "v"]), invalid_expire("psetex"));
    assert_eq!(h.run(&["PSETEX", "k", "9223372036854775807", "v"]), invalid_expire("psetex"));
    assert_eq!(h.run(&["PSETEX", "k", "1.5", "v"]), err(NOT_INTEGER));
    h.advance_ms(1501);
    assert_eq!(h.run(&["GET", "k"]), null());
}

#[test]
fn setex_overwrites_other_types() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["SETEX", "l", "10", "v"]), ok());
    assert_eq!(h.run(&["GET", "l"]), bulk("v"));
}

// -- MGET / MSET / MSETNX --------------------------------------------------------------------------

#[test]
fn mget_returns_null_for_missing_and_non_string_keys() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "BAR"]);
    h.run(&["SET", "bar", "FOO"]);
    put_list(&mut h, "myset");
    assert_eq!(h.run(&["MGET", "foo", "bar"]), bulks(&["BAR", "FOO"]));
    let reply = h.run(&["MGET", "foo", "baazz", "bar", "myset"]);
    assert_eq!(reply, array(vec![bulk("BAR"), null(), bulk("FOO"), null()]));
    assert_eq!(wire(&reply, Protocol::Resp2), "*4\r\n$3\r\nBAR\r\n$-1\r\n$3\r\nFOO\r\n$-1\r\n");
    assert_eq!(wire(&reply, Protocol::Resp3), "*4\r\n$3\r\nBAR\r\n_\r\n$3\r\nFOO\r\n_\r\n");
    assert_eq!(h.run(&["MGET"]), arity("mget"));
}

#[test]
fn mset_sets_every_pair() {
    let (mut h, listener) = with_events();
    assert_eq!(h.run(&["MSET", "x", "10", "y", "foo bar", "z", "x x x x x x x\n\n\r\n"]), ok());
    assert_eq!(h.run(&["MGET", "x", "y", "z"]), bulks(&["10", "foo bar", "x x x x x x x\n\n\r\n"]));
    assert_eq!(events(&mut h, listener), vec!["set x", "set y", "set z"]);
}

#[test]
fn mset_odd_arguments_is_arity_error() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["MSET", "x", "10", "y", "foo bar", "z"]), arity("mset"));
    assert_eq!(h.run(&["MSETNX", "x", "20", "y", "foo bar", "z"]), arity("msetnx"));
    assert_eq!(h.run(&["MSET", "x"]), arity("mset"));
    assert!(!exists(&h, "x"));
}

#[test]
fn mset_same_key_twice_last_wins_and_ttl_dropped() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "x", "EX", "100"]);
    assert_eq!(h.run(&["MSET", "x", "xxx", "x", "yyy"]), ok());
    assert_eq!(h.run(&["GET", "x"]), bulk("yyy"));
    assert_eq!(deadline(&h, "x"), None);
}

#[test]
fn msetnx_sets_nothing_when_any_key_exists() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "x"]);
    assert_eq!(h.run(&["MSETNX", "x1", "xxx", "y2", "yyy", "x", "20"]), int(0));
    assert!(!exists(&h, "x1"));
    assert!(!exists(&h, "y2"));
    assert_eq!(h.run(&["GET", "x"]), bulk("x"));
    put_list(&mut h, "l");
    assert_eq!(h.run(&["MSETNX", "a", "1", "l", "2"]), int(0));
}

#[test]
fn msetnx_sets_all_when_none_exist() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["MSETNX", "x1", "xxx", "y2", "yyy"]), int(1));
    assert_eq!(h.run(&["MGET", "x1", "y2"]), bulks(&["xxx", "yyy"]));
    h.eng.dbs[0].remove(b"x1");
    assert_eq!(h.run(&["MSETNX", "x1", "xxx", "x1", "yyy"]), int(1));
    assert_eq!(h.run(&["GET", "x1"]), bulk("yyy"));
    assert_eq!(h.run(&["MSETNX", "x1", "xxx", "x1", "zzz"]), int(0));
    assert_eq!(h.run(&["GET", "x1"]), bulk("yyy"));
}

#[test]
fn msetnx_treats_expired_keys_as_missing() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "old", "PX", "10"]);
    h.advance_ms_no_cron(11);
    assert_eq!(h.run(&["MSETNX", "a", "new"]), int(1));
    assert_eq!(h.run(&["GET", "a"]), bulk("new"));
}

// -- GETSET / GETDEL -------------------------------------------------------------------------------

#[test]
fn getset_returns_old_value_and_sets_new_one() {
    let (mut h, listener) = with_events();
    assert_eq!(h.run(&["GETSET", "foo", "xyz"]), null());
    assert_eq!(h.run(&["GET", "foo"]), bulk("xyz"));
    h.run(&["SET", "foo", "bar", "EX", "100"]);
    events(&mut h, listener);
    assert_eq!(h.run(&["GETSET", "foo", "xyz"]), bulk("bar"));
    assert_eq!(h.run(&["GET", "foo"]), bulk("xyz"));
    assert_eq!(deadline(&h, "foo"), None);
    assert_eq!(events(&mut h, listener), vec!["set foo"]);
}

#[test]
fn getset_wrong_type_fails_without_writing() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["GETSET", "l", "v"]), err(WRONGTYPE));
    assert!(is_list(&h, "l"));
}

#[test]
fn getdel_returns_and_deletes() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "foo", "bar", "EX", "100"]);
    events(&mut h, listener);
    assert_eq!(h.run(&["GETDEL", "foo"]), bulk("bar"));
    assert!(!exists(&h, "foo"));
    assert_eq!(deadline(&h, "foo"), None);
    assert_eq!(events(&mut h, listener), vec!["del foo"]);
    assert_eq!(h.run(&["GETDEL", "foo"]), null());
    assert!(events(&mut h, listener).is_empty());
}

#[test]
fn getdel_wrong_type_fails_without_deleting() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["GETDEL", "l"]), err(WRONGTYPE));
    assert!(is_list(&h, "l"));
}

// -- GETEX -----------------------------------------------------------------------------------------

#[test]
fn getex_without_options_is_get() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar", "EX", "100"]);
    assert_eq!(h.run(&["GETEX", "foo"]), bulk("bar"));
    assert_eq!(deadline(&h, "foo"), Some(START_MS + 100_000));
    assert_eq!(h.run(&["GETEX", "nokey"]), null());
}

#[test]
fn getex_ex_px_exat_pxat_set_deadlines() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["GETEX", "foo", "EX", "10"]), bulk("bar"));
    assert_eq!(deadline(&h, "foo"), Some(START_MS + 10_000));
    assert_eq!(h.run(&["GETEX", "foo", "px", "20000"]), bulk("bar"));
    assert_eq!(deadline(&h, "foo"), Some(START_MS + 20_000));
    assert_eq!(h.run(&["GETEX", "foo", "EXAT", &secs(30)]), bulk("bar"));
    assert_eq!(deadline(&h, "foo"), Some(START_MS + 30_000));
    assert_eq!(h.run(&["GETEX", "foo", "PXAT", &millis(40_000)]), bulk("bar"));
    assert_eq!(deadline(&h, "foo"), Some(START_MS + 40_000));
}

#[test]
fn getex_persist_removes_deadline() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "foo", "bar", "EX", "10"]);
    events(&mut h, listener);
    assert_eq!(h.run(&["GETEX", "foo", "PERSIST"]), bulk("bar"));
    assert_eq!(deadline(&h, "foo"), None);
    assert_eq!(events(&mut h, listener), vec!["persist foo"]);
    // Nothing to remove: no event, no change.
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["GETEX", "foo", "PERSIST"]), bulk("bar"));
    assert!(events(&mut h, listener).is_empty());
    assert_eq!(h.eng.dirty, dirty);
}

#[test]
fn getex_expire_fires_expire_event() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "foo", "bar"]);
    events(&mut h, listener);
    h.run(&["GETEX", "foo", "PX", "100"]);
    assert_eq!(events(&mut h, listener), vec!["expire foo"]);
}

#[test]
fn getex_past_absolute_time_deletes_the_key() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "foo", "bar"]);
    events(&mut h, listener);
    assert_eq!(h.run(&["GETEX", "foo", "EXAT", &secs(-1)]), bulk("bar"));
    assert!(!exists(&h, "foo"));
    assert_eq!(events(&mut h, listener), vec!["del foo"]);
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["GETEX", "foo", "PXAT", "1"]), bulk("bar"));
    assert!(!exists(&h, "foo"));
}

#[test]
fn getex_syntax_errors() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar"]);
    for opts in [
        &["non-existent-option"][..],
        &["NX"],
        &["XX"],
        &["GET"],
        &["KEEPTTL"],
        &["EX"],
        &["EX", "10", "PX", "10"],
        &["PERSIST", "EX", "10"],
        &["EX", "10", "PERSIST"],
    ] {
        let mut argv = vec!["GETEX", "foo"];
        argv.extend_from_slice(opts);
        assert_eq!(h.run(&argv), err(SYNTAX), "{opts:?}");
    }
    // Options are read before the key: a missing key still gets the syntax error.
    assert_eq!(h.run(&["GETEX", "nokey", "foo"]), err(SYNTAX));
    assert_eq!(h.run(&["GETEX"]), arity("getex"));
}

#[test]
fn getex_invalid_expire_only_matters_for_an_existing_string() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["GETEX", "nokey", "EX", "0"]), null());
    assert_eq!(h.run(&["GETEX", "nokey", "EX", "abc"]), null());
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(h.run(&["GETEX", "foo", "EX", "0"]), invalid_expire("getex"));
    assert_eq!(h.run(&["GETEX", "foo", "PX", "-5"]), invalid_expire("getex"));
    assert_eq!(h.run(&["GETEX", "foo", "EX", "9223372036854775807"]), invalid_expire("getex"));
    assert_eq!(h.run(&["GETEX", "foo", "EX", "abc"]), err(NOT_INTEGER));
    assert_eq!(deadline(&h, "foo"), None);
    put_list(&mut h, "l");
    assert_eq!(h.run(&["GETEX", "l", "EX", "0"]), err(WRONGTYPE));
}

#[test]
fn getex_expired_key_is_missing() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "bar", "PX", "1"]);
    h.advance_ms_no_cron(2);
    assert_eq!(h.run(&["GETEX", "foo"]), null());
    assert_eq!(h.run(&["GET", "foo"]), null());
}

// -- APPEND / STRLEN -------------------------------------------------------------------------------

#[test]
fn append_creates_and_extends() {
    let (mut h, listener) = with_events();
    assert_eq!(h.run(&["APPEND", "foo", "bar"]), int(3));
    assert_eq!(h.run(&["APPEND", "foo", "100"]), int(6));
    assert_eq!(h.run(&["GET", "foo"]), bulk("bar100"));
    assert_eq!(h.run(&["APPEND", "foo", ""]), int(6));
    assert_eq!(events(&mut h, listener), vec!["append foo", "append foo", "append foo"]);
    h.run(&["SET", "n", "1"]);
    assert_eq!(h.run(&["APPEND", "n", "2"]), int(2));
    assert_eq!(h.run(&["GET", "n"]), bulk("12"));
    let long = "x".repeat(30);
    assert_eq!(h.run(&["APPEND", "n", &long]), int(32));
    assert_eq!(h.run(&["GET", "n"]), bulk(&format!("12{long}")));
}

#[test]
fn append_keeps_deadline_and_is_binary_safe() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "a", "EX", "100"]);
    h.run_bytes(&[b"APPEND", b"k", b"\0\r\n"]);
    assert_eq!(h.run(&["GET", "k"]), Reply::bulk(&b"a\0\r\n"[..]));
    assert_eq!(deadline(&h, "k"), Some(START_MS + 100_000));
}

#[test]
fn append_wrong_type_fails() {
    let mut h = Harness::new();
    put_list(&mut h, "l");
    assert_eq!(h.run(&["APPEND", "l", "x"]), err(WRONGTYPE));
}

#[test]
fn strlen_reports_byte_length() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["STRLEN", "notakey"]), int(0));
    h.run(&["SET", "myinteger", "-555"]);
    assert_eq!(h.run(&["STRLEN", "myinteger"]), int(4));
    h.run(&["SET", "mystring", "foozzz0123456789 baz"]);
    assert_eq!(h.run(&["STRLEN", "mystring"]), int(20));
    put_list(&mut h, "l");
    assert_eq!(h.run(&["STRLEN", "l"]), err(WRONGTYPE));
}

// -- INCR family -----------------------------------------------------------------------------------

#[test]
fn incr_and_decr_start_from_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["INCR", "novar"]), int(1));
    assert_eq!(h.run(&["GET", "novar"]), bulk("1"));
    assert_eq!(h.run(&["INCR", "novar"]), int(2));
    assert_eq!(h.run(&["DECR", "novar"]), int(1));
    assert_eq!(h.run(&["DECR", "novar_not_exist"]), int(-1));
    assert_eq!(h.run(&["INCR", "novar_not_exist"]), int(0));
    assert_eq!(h.run(&["DECRBY", "key_not_exist", "1"]), int(-1));
}

#[test]
fn incr_works_on_values_set_with_set_and_beyond_32_bits() {
    let mut h = Harness::new();
    h.run(&["SET", "novar", "100"]);
    assert_eq!(h.run(&["INCR", "novar"]), int(101));
    h.run(&["SET", "novar", "17179869184"]);
    assert_eq!(h.run(&["INCR", "novar"]), int(17179869185));
    h.run(&["SET", "novar", "17179869184"]);
    assert_eq!(h.run(&["INCRBY", "novar", "17179869184"]), int(34359738368));
    h.run(&["SET", "novar", "17179869184"]);
    assert_eq!(h.run(&["DECRBY", "novar", "17179869185"]), int(-1));
    assert_eq!(h.run(&["GET", "novar"]), bulk("-1"));
}

#[test]
fn incr_non_integer_values_fail() {
    let mut h = Harness::new();
    for value in ["    11", "11    ", "    11    ", "1.5", "abc", "", "01", "-0", "+1", "123456789012345678901"] {
        h.run(&["SET", "novar", value]);
        assert_eq!(h.run(&["INCR", "novar"]), err(NOT_INTEGER), "{value:?}");
        assert_eq!(h.run(&["GET", "novar"]), bulk(value));
    }
}

#[test]
fn incr_overflow_fails_both_ways() {
    let mut h = Harness::new();
    h.run(&["SET", "n", "9223372036854775807"]);
    assert_eq!(h.run(&["INCR", "n"]), err("ERR increment or decrement would overflow"));
    assert_eq!(h.run(&["INCRBY", "n", "1"]), err("ERR increment or decrement would overflow"));
    h.run(&["SET", "n", "-9223372036854775808"]);
    assert_eq!(h.run(&["DECR", "n"]), err("ERR increment or decrement would overflow"));
    assert_eq!(h.run(&["DECRBY", "n", "1"]), err("ERR increment or decrement would overflow"));
    assert_eq!(h.run(&["GET", "n"]), bulk("-9223372036854775808"));
    assert_eq!(h.run(&["INCRBY", "n", "9223372036854775807"]), int(-1));
}

#[test]
fn decrby_min_i64_would_overflow() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "0"]);
    assert_eq!(h.run(&["DECRBY", "x", "-9223372036854775808"]), err("ERR decrement would overflow"));
    // The decrement is checked before the key.
    put_list(&mut h, "l");
    assert_eq!(h.run(&["DECRBY", "l", "-9223372036854775808"]), err("ERR decrement would overflow"));
    assert_eq!(h.run(&["DECRBY", "x", "-9223372036854775807"]), int(i64::MAX));
}

#[test]
fn incr_wrong_type_fails() {
    let mut h = Harness::new();
    put_list(&mut h, "mylist");
    for argv in [&["INCR", "mylist"][..], &["DECR", "mylist"], &["INCRBY", "mylist", "2"], &["DECRBY", "mylist", "2"]] {
        assert_eq!(h.run(argv), err(WRONGTYPE), "{argv:?}");
    }
    // A malformed increment is reported before the key's type.
    assert_eq!(h.run(&["INCRBY", "mylist", "x"]), err(NOT_INTEGER));
}

#[test]
fn incrby_decrby_unhappy_paths() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["INCR", "mykeyincr", "v"]), arity("incr"));
    assert_eq!(h.run(&["DECR", "mykeyincr", "v"]), arity("decr"));
    assert_eq!(h.run(&["INCRBY", "mykeyincr", "v"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["INCRBY", "mykeyincr", "1.5"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["DECRBY", "mykeyincr", "v"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["DECRBY", "mykeyincr", "1.5"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["INCRBYFLOAT", "mykeyincr", "v"]), err(NOT_FLOAT));
    assert!(!exists(&h, "mykeyincr"));
}

#[test]
fn incr_keeps_deadline_and_fires_incrby() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "n", "5", "EX", "100"]);
    events(&mut h, listener);
    h.run(&["INCR", "n"]);
    h.run(&["DECR", "n"]);
    h.run(&["INCRBY", "n", "3"]);
    h.run(&["DECRBY", "n", "3"]);
    assert_eq!(events(&mut h, listener), vec!["incrby n"; 4]);
    assert_eq!(h.run(&["GET", "n"]), bulk("5"));
    assert_eq!(deadline(&h, "n"), Some(START_MS + 100_000));
}

#[test]
fn incr_after_append_reads_the_new_digits() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "1"]);
    h.run(&["APPEND", "foo", "2"]);
    assert_eq!(h.run(&["INCR", "foo"]), int(13));
    assert_eq!(h.run(&["DECRBY", "foo", "2"]), int(11));
}

// -- INCRBYFLOAT -----------------------------------------------------------------------------------

#[test]
fn incrbyfloat_basics() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["INCRBYFLOAT", "novar", "1"]), bulk("1"));
    assert_eq!(h.run(&["GET", "novar"]), bulk("1"));
    assert_eq!(h.run(&["INCRBYFLOAT", "novar", "0.25"]), bulk("1.25"));
    assert_eq!(h.run(&["GET", "novar"]), bulk("1.25"));
    h.run(&["SET", "novar", "1.5"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "novar", "1.5"]), bulk("3"));
    h.run(&["SET", "novar", "17179869184"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "novar", "1.5"]), bulk("17179869185.5"));
    h.run(&["SET", "novar", "17179869184"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "novar", "17179869184"]), bulk("34359738368"));
    h.run(&["SET", "foo", "1"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "foo", "-1.1"]), bulk("-0.1"));
    h.run(&["SET", "f", "10.5"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "f", "0.1"]), bulk("10.6"));
    h.run(&["SET", "h", "0x10"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "h", "1"]), bulk("17"));
}

/// Valkey parses, adds and prints in 80-bit `long double`: these are the digits a real server
/// (Redis 7.0.15 on x86-64, same code) answers, noise included.
#[test]
fn incrbyfloat_digits_match_long_double_arithmetic() {
    let mut h = Harness::new();
    for (initial, incr, expected) in [
        ("1", "-1.1", "-0.1"),
        ("0.1", "0.2", "0.3"),
        ("10.6", "5000", "5010.60000000000000009"),
        ("1e-20", "0", "0"),
        ("3.0e3", "1.123456789012345678", "3001.12345678901234569"),
        ("123456789012345678", "0.5", "123456789012345678.5"),
        ("10.6", "1e400", "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"),
        ("1.7976931348623157e308", "1e308", "279769313486231570002352240441350078789299929179619934003987695617693370918830364684014944221042050987341155710361544171686148029276505307138777262321877129888036065002204239033812550598509174132739480498569620043582760541189365866551522561741435317031294527744011878159793174665688773926186886103199182225408"),
    ] {
        h.run(&["SET", "k", initial]);
        assert_eq!(h.run(&["INCRBYFLOAT", "k", incr]), bulk(expected), "{initial} + {incr}");
        assert_eq!(h.run(&["GET", "k"]), bulk(expected));
    }
}

#[test]
fn incrbyfloat_reply_is_bulk_in_both_protocols() {
    let mut h = Harness::resp3();
    let reply = h.run(&["INCRBYFLOAT", "k", "2.5"]);
    assert_eq!(wire(&reply, Protocol::Resp3), "$3\r\n2.5\r\n");
}

#[test]
fn incrbyfloat_never_answers_negative_zero() {
    let mut h = Harness::new();
    let third = format!("{}", 1.0f64 / 41.0);
    let minus_third = format!("{}", -1.0f64 / 41.0);
    h.run(&["INCRBYFLOAT", "foo", &third]);
    assert_eq!(h.run(&["INCRBYFLOAT", "foo", &minus_third]), bulk("0"));
    assert_eq!(h.run(&["GET", "foo"]), bulk("0"));
    h.run(&["SET", "z", "-0"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "z", "0"]), bulk("0"));
}

#[test]
fn incrbyfloat_invalid_stored_values_fail() {
    let mut h = Harness::new();
    for value in ["    11", "11    ", " 11 ", "abc", "", "nan"] {
        h.run(&["SET", "novar", value]);
        assert_eq!(h.run(&["INCRBYFLOAT", "novar", "1.0"]), err(NOT_FLOAT), "{value:?}");
    }
    // A NUL inside the value ends the number early, which Valkey rejects.
    h.run(&["SET", "foo", "1"]);
    h.run(&["SETRANGE", "foo", "2", "2"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "foo", "1"]), err(NOT_FLOAT));
}

#[test]
fn incrbyfloat_invalid_increments_fail() {
    let mut h = Harness::new();
    for incr in ["v", "", " 1", "1 ", "nan", "1e"] {
        assert_eq!(h.run(&["INCRBYFLOAT", "k", incr]), err(NOT_FLOAT), "{incr:?}");
    }
    assert!(!exists(&h, "k"));
}

#[test]
fn incrbyfloat_infinity_is_refused() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "0"]);
    for incr in ["+inf", "-inf", "inf", "Infinity"] {
        assert_eq!(h.run(&["INCRBYFLOAT", "foo", incr]), err("ERR increment would produce NaN or Infinity"), "{incr}");
    }
    h.run(&["SET", "foo", "inf"]);
    assert_eq!(h.run(&["INCRBYFLOAT", "foo", "-inf"]), err("ERR increment would produce NaN or Infinity"));
    assert_eq!(h.run(&["GET", "foo"]), bulk("inf"));
}

#[test]
fn incrbyfloat_wrong_type_fails() {
    let mut h = Harness::new();
    put_list(&mut h, "mylist");
    assert_eq!(h.run(&["INCRBYFLOAT", "mylist", "1.0"]), err(WRONGTYPE));
    assert_eq!(h.run(&["INCRBYFLOAT", "mylist", "x"]), err(WRONGTYPE));
}

#[test]
fn incrbyfloat_keeps_deadline_and_fires_incrbyfloat() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "f", "1", "EX", "100"]);
    events(&mut h, listener);
    h.run(&["INCRBYFLOAT", "f", "0.5"]);
    assert_eq!(events(&mut h, listener), vec!["incrbyfloat f"]);
    assert_eq!(deadline(&h, "f"), Some(START_MS + 100_000));
}

// -- GETRANGE / SUBSTR -----------------------------------------------------------------------------

#[test]
fn getrange_missing_key_is_empty_string() {
    let mut h = Harness::new();
    let reply = h.run(&["GETRANGE", "mykey", "0", "-1"]);
    assert_eq!(reply, bulk(""));
    assert_eq!(wire(&reply, Protocol::Resp3), "$0\r\n\r\n");
}

#[test]
fn getrange_wrong_type_or_bad_index_fails() {
    let mut h = Harness::new();
    put_list(&mut h, "lkey1");
    assert_eq!(h.run(&["GETRANGE", "lkey1", "0", "-1"]), err(WRONGTYPE));
    // Indices are read before the key.
    assert_eq!(h.run(&["GETRANGE", "lkey1", "a", "-1"]), err(NOT_INTEGER));
    assert_eq!(h.run(&["GETRANGE", "nokey", "0", "1.5"]), err(NOT_INTEGER));
}

#[test]
fn getrange_against_string_value() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "Hello World"]);
    for (start, end, expected) in [
        ("0", "3", "Hell"),
        ("0", "-1", "Hello World"),
        ("-4", "-1", "orld"),
        ("5", "3", ""),
        ("5", "5000", " World"),
        ("-5000", "10000", "Hello World"),
        ("-1", "-3", ""),
        ("11", "20", ""),
        ("0", "4294967297", "Hello World"),
        ("-9223372036854775808", "9223372036854775807", "Hello World"),
    ] {
        assert_eq!(h.run(&["GETRANGE", "mykey", start, end]), bulk(expected), "{start} {end}");
    }
}

#[test]
fn getrange_against_integer_value() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "1234"]);
    for (start, end, expected) in [
        ("0", "2", "123"),
        ("0", "-1", "1234"),
        ("-3", "-1", "234"),
        ("5", "3", ""),
        ("3", "5000", "4"),
        ("-5000", "10000", "1234"),
    ] {
        assert_eq!(h.run(&["GETRANGE", "mykey", start, end]), bulk(expected), "{start} {end}");
    }
}

#[test]
fn getrange_empty_value_is_empty() {
    let mut h = Harness::new();
    h.run(&["SET", "e", ""]);
    assert_eq!(h.run(&["GETRANGE", "e", "0", "-1"]), bulk(""));
    assert_eq!(h.run(&["GETRANGE", "e", "0", "0"]), bulk(""));
}

#[test]
fn getrange_fuzz_matches_model() {
    let mut h = Harness::new();
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..300 {
        let len = (next() % 64) as usize;
        let value: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        h.run_bytes(&[b"SET", b"bin", &value]);
        let start = (next() % 100) as i64 - 50;
        let end = (next() % 100) as i64 - 50;
        // The model: Tcl's `string range` with Valkey's negative indices.
        let n = len as i64;
        let (s, e) = (if start < 0 { n + start } else { start }, if end < 0 { n + end } else { end });
        let expected = if start < 0 && end < 0 && start > end {
            Vec::new()
        } else {
            let (s, e) = (s.max(0), e.max(0).min(n - 1));
            if n == 0 || s > e {
                Vec::new()
            } else {
                value[s as usize..=e as usize].to_vec()
            }
        };
        let reply = h.run(&["GETRANGE", "bin", &start.to_string(), &end.to_string()]);
        assert_eq!(reply, Reply::Bulk(expected), "{value:?} {start} {end}");
    }
}

#[test]
fn substr_is_getrange() {
    let mut h = Harness::new();
    h.run(&["SET", "key", "abcde"]);
    assert_eq!(h.run(&["SUBSTR", "key", "0", "0"]), bulk("a"));
    assert_eq!(h.run(&["SUBSTR", "key", "0", "3"]), bulk("abcd"));
    assert_eq!(h.run(&["SUBSTR", "key", "-4", "-1"]), bulk("bcde"));
    assert_eq!(h.run(&["SUBSTR", "key", "-1", "-3"]), bulk(""));
    assert_eq!(h.run(&["SUBSTR", "key", "7", "8"]), bulk(""));
    assert_eq!(h.run(&["SUBSTR", "nokey", "0", "1"]), bulk(""));
    assert_eq!(h.run(&["SUBSTR", "key", "0"]), arity("substr"));
}

// -- SETRANGE --------------------------------------------------------------------------------------

#[test]
fn setrange_against_missing_key() {
    let (mut h, listener) = with_events();
    assert_eq!(h.run(&["SETRANGE", "mykey", "0", "foo"]), int(3));
    assert_eq!(h.run(&["GET", "mykey"]), bulk("foo"));
    assert_eq!(events(&mut h, listener), vec!["setrange mykey"]);
    h.eng.dbs[0].remove(b"mykey");
    assert_eq!(h.run(&["SETRANGE", "mykey", "0", ""]), int(0));
    assert!(!exists(&h, "mykey"));
    assert!(events(&mut h, listener).is_empty());
    assert_eq!(h.run(&["SETRANGE", "mykey", "1", "foo"]), int(4));
    assert_eq!(h.run(&["GET", "mykey"]), bulk("\0foo"));
}

#[test]
fn setrange_against_existing_value() {
    let mut h = Harness::new();
    for (initial, offset, patch, len, result) in [
        ("foo", "0", "b", 3, "boo"),
        ("foo", "0", "", 3, "foo"),
        ("foo", "1", "b", 3, "fbo"),
        ("foo", "4", "bar", 7, "foo\0bar"),
        ("1234", "0", "2", 4, "2234"),
        ("1234", "0", "", 4, "1234"),
        ("1234", "1", "3", 4, "1334"),
        ("1234", "5", "2", 6, "1234\u{0}2"),
    ] {
        h.run(&["SET", "mykey", initial]);
        assert_eq!(h.run(&["SETRANGE", "mykey", offset, patch]), int(len), "{initial} {offset} {patch}");
        assert_eq!(h.run(&["GET", "mykey"]), bulk(result));
    }
}

#[test]
fn setrange_empty_patch_on_existing_key_changes_nothing() {
    let (mut h, listener) = with_events();
    h.run(&["SET", "k", "foo"]);
    events(&mut h, listener);
    let dirty = h.eng.dirty;
    assert_eq!(h.run(&["SETRANGE", "k", "100", ""]), int(3));
    assert!(events(&mut h, listener).is_empty());
    assert_eq!(h.eng.dirty, dirty);
}

#[test]
fn setrange_keeps_deadline() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "foo", "EX", "100"]);
    h.run(&["SETRANGE", "k", "1", "x"]);
    assert_eq!(deadline(&h, "k"), Some(START_MS + 100_000));
}

#[test]
fn setrange_wrong_type_fails() {
    let mut h = Harness::new();
    put_list(&mut h, "mykey");
    assert_eq!(h.run(&["SETRANGE", "mykey", "0", "bar"]), err(WRONGTYPE));
    assert_eq!(h.run(&["SETRANGE", "mykey", "0", ""]), err(WRONGTYPE));
}

#[test]
fn setrange_offset_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SETRANGE", "mykey", "536870908", "world"]), err(TOO_BIG));
    assert!(!exists(&h, "mykey"));
    h.run(&["SET", "mykey", "hello"]);
    assert_eq!(h.run(&["SETRANGE", "mykey", "-1", "world"]), err("ERR offset is out of range"));
    assert_eq!(h.run(&["SETRANGE", "mykey", "536870908", "world"]), err(TOO_BIG));
    assert_eq!(h.run(&["SETRANGE", "mykey", "x", "world"]), err(NOT_INTEGER));
    for offset in ["9223372036854775807", "2147483647"] {
        assert_eq!(h.run(&["SETRANGE", "K", offset, "A"]), err(TOO_BIG), "{offset}");
    }
    // Offset errors come before the empty-value shortcut and before the key's type.
    assert_eq!(h.run(&["SETRANGE", "nokey", "-1", ""]), err("ERR offset is out of range"));
    put_list(&mut h, "l");
    assert_eq!(h.run(&["SETRANGE", "l", "-1", "x"]), err("ERR offset is out of range"));
    // A missing key with an empty value is answered before the size check.
    assert_eq!(h.run(&["SETRANGE", "nokey", "9223372036854775807", ""]), int(0));
    assert_eq!(h.run(&["SETRANGE", "mykey", "9223372036854775807", ""]), int(5));
}

#[test]
fn setrange_large_offset_pads_with_zero_bytes() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SETRANGE", "k", "1048575", "x"]), int(1_048_576));
    assert_eq!(h.run(&["GETRANGE", "k", "0", "1"]), Reply::bulk(&b"\0\0"[..]));
    assert_eq!(h.run(&["GETRANGE", "k", "-1", "-1"]), bulk("x"));
}

#[test]
fn append_and_setrange_respect_configured_proto_max_bulk_len() {
    let config = Config { proto_max_bulk_len: 10, ..Default::default() };
    let mut h = Harness::with_config(config);
    assert_eq!(h.run(&["APPEND", "k", "12345"]), int(5));
    assert_eq!(h.run(&["APPEND", "k", "67890"]), int(10));
    assert_eq!(h.run(&["APPEND", "k", "x"]), err(TOO_BIG));
    assert_eq!(h.run(&["GET", "k"]), bulk("1234567890"));
    assert_eq!(h.run(&["SETRANGE", "k", "9", "x"]), int(10));
    assert_eq!(h.run(&["SETRANGE", "k", "9", "xy"]), err(TOO_BIG));
    assert_eq!(h.run(&["SETRANGE", "new", "10", "x"]), err(TOO_BIG));
    assert!(!exists(&h, "new"));
    // An LCS table of (2 + 1) x (2 + 1) cells of 4 bytes is over 10 bytes.
    h.run(&["SET", "a", "ab"]);
    assert_eq!(
        h.run(&["LCS", "a", "a"]),
        err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    );
}

// -- LCS -------------------------------------------------------------------------------------------

const RNA1: &str = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
const RNA2: &str = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
const RNA_LCS: &str = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

fn rna() -> Harness {
    let mut h = Harness::new();
    h.run(&["SET", "virus1", RNA1]);
    h.run(&["SET", "virus2", RNA2]);
    h
}

fn range(a: (i64, i64), b: (i64, i64), len: Option<i64>) -> Reply {
    let mut item = vec![array(vec![int(a.0), int(a.1)]), array(vec![int(b.0), int(b.1)])];
    item.extend(len.map(int));
    array(item)
}

fn idx_reply(matches: Vec<Reply>, len: i64) -> Reply {
    Reply::Map(vec![(bulk("matches"), array(matches)), (bulk("len"), int(len))])
}

#[test]
fn lcs_returns_the_common_subsequence() {
    let mut h = rna();
    assert_eq!(h.run(&["LCS", "virus1", "virus2"]), bulk(RNA_LCS));
    assert_eq!(h.run(&["lcs", "virus1", "virus2", "LEN"]), int(RNA_LCS.len() as i64));
}

#[test]
fn lcs_idx_lists_matches_from_the_end() {
    let mut h = rna();
    let expected = idx_reply(
        vec![
            range((238, 238), (239, 239), None),
            range((236, 236), (238, 238), None),
            range((229, 230), (236, 237), None),
            range((224, 224), (235, 235), None),
            range((1, 222), (13, 234), None),
        ],
        227,
    );
    assert_eq!(h.run(&["LCS", "virus1", "virus2", "IDX"]), expected);
}

#[test]
fn lcs_idx_withmatchlen_and_minmatchlen() {
    let mut h = rna();
    let expected = idx_reply(
        vec![
            range((238, 238), (239, 239), Some(1)),
            range((236, 236), (238, 238), Some(1)),
            range((229, 230), (236, 237), Some(2)),
            range((224, 224), (235, 235), Some(1)),
            range((1, 222), (13, 234), Some(222)),
        ],
        227,
    );
    assert_eq!(h.run(&["LCS", "virus1", "virus2", "IDX", "WITHMATCHLEN"]), expected);
    let expected = idx_reply(vec![range((1, 222), (13, 234), Some(222))], 227);
    assert_eq!(h.run(&["LCS", "virus1", "virus2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "5"]), expected);
    // A negative minimum means no minimum.
    let all = h.run(&["LCS", "virus1", "virus2", "IDX", "MINMATCHLEN", "-3"]);
    assert_eq!(all, h.run(&["LCS", "virus1", "virus2", "IDX"]));
}

#[test]
fn lcs_idx_wire_shapes() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "ohmytext"]);
    h.run(&["SET", "b", "mynewtext"]);
    let reply = h.run(&["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"]);
    assert_eq!(
        wire(&reply, Protocol::Resp2),
        "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(
        wire(&reply, Protocol::Resp3),
        "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(h.run(&["LCS", "a", "b"]), bulk("mytext"));
}

#[test]
fn lcs_missing_keys_are_empty_strings() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "abc"]);
    assert_eq!(h.run(&["LCS", "a", "nokey"]), bulk(""));
    assert_eq!(h.run(&["LCS", "nokey", "nokey2", "LEN"]), int(0));
    assert_eq!(h.run(&["LCS", "a", "nokey", "IDX"]), idx_reply(vec![], 0));
    assert_eq!(h.run(&["LCS", "a", "a", "IDX"]), idx_reply(vec![range((0, 2), (0, 2), None)], 3));
}

#[test]
fn lcs_errors() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "abc"]);
    put_list(&mut h, "l");
    let not_strings = err("ERR The specified keys must contain string values");
    assert_eq!(h.run(&["LCS", "a", "l"]), not_strings);
    assert_eq!(h.run(&["LCS", "l", "nokey"]), not_strings);
    // The keys' types are checked before the options.
    assert_eq!(h.run(&["LCS", "l", "a", "FOO"]), not_strings);
    assert_eq!(h.run(&["LCS", "a", "a", "FOO"]), err(SYNTAX));
    assert_eq!(h.run(&["LCS", "a", "a", "MINMATCHLEN"]), err(SYNTAX));
    assert_eq!(h.run(&["LCS", "a", "a", "MINMATCHLEN", "x"]), err(NOT_INTEGER));
    assert_eq!(
        h.run(&["LCS", "a", "a", "LEN", "IDX"]),
        err("ERR If you want both the length and indexes, please just use IDX.")
    );
    assert_eq!(h.run(&["LCS", "a"]), arity("lcs"));
}

#[test]
fn lcs_options_may_repeat_and_mix_case() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "ohmytext"]);
    h.run(&["SET", "b", "mynewtext"]);
    assert_eq!(h.run(&["LCS", "a", "b", "len", "LEN", "withmatchlen"]), int(6));
    assert_eq!(h.run(&["LCS", "a", "b", "MINMATCHLEN", "3"]), bulk("mytext"));
}

#[test]
fn lcs_too_large_table_is_refused() {
    let mut h = Harness::new();
    // (12000 + 1)^2 cells of 4 bytes is over 512MB.
    let big = "a".repeat(12_000);
    h.run(&["SET", "a", &big]);
    assert_eq!(
        h.run(&["LCS", "a", "a"]),
        err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    );
}
