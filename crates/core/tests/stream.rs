//! Stream commands, against the replies and errors of Valkey 8.0.1 (and the behaviours its
//! `tests/unit/type/stream.tcl` and `stream-cgroups.tcl` check), in both protocols.

mod common;
use common::*;
use ferrokey_core::config::Config;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
const MAX_ID: &str = "18446744073709551615-18446744073709551615";

/// `[id, [field, value, ...]]`
fn entry(id: &str, fields: &[&str]) -> Reply {
    array(vec![bulk(id), bulks(fields)])
}

/// XREAD's RESP2 answer for one stream: `[[key, [entries]]]`.
fn read_reply(key: &str, entries: Vec<Reply>) -> Reply {
    array(vec![array(vec![bulk(key), array(entries)])])
}

fn null_array() -> Reply {
    Reply::NullArray
}

fn add(h: &mut Harness, key: &str, id: &str, fields: &[&str]) -> Reply {
    let mut argv = vec!["XADD", key, id];
    argv.extend_from_slice(fields);
    h.run(&argv)
}

/// The value of `field` in a map reply (RESP3 map or RESP2 flat array).
fn field(reply: &Reply, name: &str) -> Reply {
    match reply {
        Reply::Map(pairs) => pairs.iter().find(|(k, _)| *k == bulk(name)).map(|(_, v)| v.clone()),
        Reply::Array(items) => items.chunks(2).find(|p| p[0] == bulk(name)).map(|p| p[1].clone()),
        _ => None,
    }
    .unwrap_or_else(|| panic!("no field {name} in {reply:?}"))
}

fn items(reply: Reply) -> Vec<Reply> {
    match reply {
        Reply::Array(v) => v,
        other => panic!("not an array: {other:?}"),
    }
}

fn len(reply: Reply) -> usize {
    items(reply).len()
}

fn xinfo_full(h: &mut Harness, key: &str) -> Reply {
    h.run(&["XINFO", "STREAM", key, "FULL"])
}

fn first_group(h: &mut Harness, key: &str) -> Reply {
    items(field(&xinfo_full(h, key), "groups")).remove(0)
}

// -- XADD ---------------------------------------------------------------------------------------------

#[test]
fn xadd_then_xrange_returns_entries_in_order() {
    let mut h = Harness::new();
    assert_eq!(add(&mut h, "s", "1-1", &["item", "1", "value", "a"]), bulk("1-1"));
    assert_eq!(add(&mut h, "s", "1-2", &["item", "2", "value", "b"]), bulk("1-2"));
    assert_eq!(h.run(&["XLEN", "s"]), int(2));
    assert_eq!(
        h.run(&["XRANGE", "s", "-", "+"]),
        array(vec![entry("1-1", &["item", "1", "value", "a"]), entry("1-2", &["item", "2", "value", "b"])])
    );
}

#[test]
fn xadd_auto_id_takes_the_clock_then_increments_the_sequence() {
    let mut h = Harness::new();
    let now = h.now_ms();
    assert_eq!(h.run(&["XADD", "s", "*", "a", "1"]), bulk(&format!("{now}-0")));
    assert_eq!(h.run(&["XADD", "s", "*", "a", "2"]), bulk(&format!("{now}-1")));
    h.advance_ms(5);
    assert_eq!(h.run(&["XADD", "s", "*", "a", "3"]), bulk(&format!("{}-0", now + 5)));
    // An ID from the future: the clock does not go back.
    add(&mut h, "t", "2577343934890-18446744073709551615", &["f", "v"]);
    assert_eq!(h.run(&["XADD", "t", "*", "f2", "v2"]), bulk("2577343934891-0"));
}

#[test]
fn xadd_equal_or_smaller_id_is_refused() {
    let mut h = Harness::new();
    add(&mut h, "s", "5-5", &["a", "1"]);
    let e = err("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    assert_eq!(add(&mut h, "s", "5-5", &["a", "1"]), e);
    assert_eq!(add(&mut h, "s", "5-4", &["a", "1"]), e);
    assert_eq!(add(&mut h, "s", "4", &["a", "1"]), e);
    assert_eq!(add(&mut h, "s", "4-*", &["a", "1"]), e);
    assert_eq!(add(&mut h, "s", "5-6", &["a", "1"]), bulk("5-6"));
}

#[test]
fn xadd_zero_id_is_refused_without_creating_the_key() {
    let mut h = Harness::new();
    assert_eq!(add(&mut h, "s", "0-0", &["k", "v"]), err("ERR The ID specified in XADD must be greater than 0-0"));
    assert_eq!(add(&mut h, "s", "0", &["k", "v"]), err("ERR The ID specified in XADD must be greater than 0-0"));
    assert_eq!(h.run(&["EXISTS", "s"]), int(0));
    assert_eq!(add(&mut h, "s", "0-*", &["a", "b"]), bulk("0-1"));
}

#[test]
fn xadd_partial_id_generates_the_sequence() {
    let mut h = Harness::new();
    add(&mut h, "s", "123-456", &["a", "1"]);
    assert_eq!(add(&mut h, "s", "123-*", &["a", "2"]), bulk("123-457"));
    assert_eq!(add(&mut h, "s", "789-*", &["a", "3"]), bulk("789-0"));
    add(&mut h, "m", "1-18446744073709551615", &["a", "b"]);
    assert_eq!(
        add(&mut h, "m", "1-*", &["c", "d"]),
        err("ERR The ID specified in XADD is equal or smaller than the target stream top item")
    );
}

#[test]
fn xadd_after_the_largest_id_is_refused() {
    let mut h = Harness::new();
    add(&mut h, "s", MAX_ID, &["a", "b"]);
    let e = err("ERR The stream has exhausted the last possible ID, unable to add more items");
    assert_eq!(h.run(&["XADD", "s", "*", "c", "d"]), e);
    assert_eq!(add(&mut h, "s", "1-1", &["c", "d"]), e);
}

#[test]
fn xadd_malformed_ids_are_refused() {
    let mut h = Harness::new();
    for id in ["abc", "+", "-", "1-", "1-x", "-1", "1-2-3", "18446744073709551616"] {
        assert_eq!(add(&mut h, "s", id, &["a", "b"]), err(INVALID_ID), "{id}");
    }
    assert_eq!(h.run(&["EXISTS", "s"]), int(0));
}

#[test]
fn xadd_without_field_value_pairs_is_an_arity_error() {
    let mut h = Harness::new();
    let e = err("ERR wrong number of arguments for 'xadd' command");
    assert_eq!(h.run(&["XADD", "s"]), e);
    assert_eq!(h.run(&["XADD", "s", "*"]), e);
    assert_eq!(h.run(&["XADD", "s", "*", "a"]), e);
    assert_eq!(h.run(&["XADD", "s", "*", "a", "b", "c"]), e);
    assert_eq!(h.run(&["XADD", "s", "NOMKSTREAM", "NOMKSTREAM", "NOMKSTREAM"]), e);
    assert_eq!(h.run(&["XADD", "s", "MAXLEN", "5", "*", "a"]), e);
}

#[test]
fn xadd_nomkstream_on_a_missing_key_replies_null() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["XADD", "s", "NOMKSTREAM", "*", "item", "1"]), null());
    assert_eq!(h.run(&["EXISTS", "s"]), int(0));
    add(&mut h, "s", "1", &["item", "1"]);
    assert_eq!(h.run(&["XADD", "s", "NOMKSTREAM", "2", "item", "2"]), bulk("2-0"));
    assert_eq!(h.run(&["XLEN", "s"]), int(2));
}

#[test]
fn xadd_maxlen_trims_exactly() {
    let mut h = Harness::new();
    for j in 0..20 {
        let v = j.to_string();
        h.run(&["XADD", "s", "MAXLEN", "5", "*", "xitem", &v]);
        h.run(&["XADD", "t", "MAXLEN", "=", "5", "*", "xitem", &v]);
    }
    assert_eq!(h.run(&["XLEN", "s"]), int(5));
    assert_eq!(h.run(&["XLEN", "t"]), int(5));
    let values: Vec<Reply> =
        items(h.run(&["XRANGE", "s", "-", "+"])).into_iter().map(|e| items(items(e).remove(1)).remove(1)).collect();
    assert_eq!(values, vec![bulk("15"), bulk("16"), bulk("17"), bulk("18"), bulk("19")]);
}

#[test]
fn xadd_maxlen_approx_removes_whole_nodes_only() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CONFIG", "SET", "stream-node-max-entries", "100"]), ok());
    for j in 0..1000 {
        let f = if j % 10 == 3 { "yitem" } else { "xitem" };
        h.run(&["XADD", "s", "MAXLEN", "~", "555", "*", f, &j.to_string()]);
    }
    assert_eq!(h.run(&["XLEN", "s"]), int(600));
}

#[test]
fn xadd_maxlen_zero_creates_an_empty_stream() {
    let mut h = Harness::new();
    assert!(matches!(h.run(&["XADD", "s", "MAXLEN", "0", "*", "a", "b"]), Reply::Bulk(_)));
    assert_eq!(field(&h.run(&["XINFO", "STREAM", "s"]), "length"), int(0));
    assert_eq!(h.run(&["TYPE", "s"]), status("stream"));
}

#[test]
fn xadd_minid_drops_older_entries() {
    let mut h = Harness::new();
    for j in 1..1001 {
        let minid = if j >= 5 { j - 5 } else { 1000 };
        if j >= 5 || j == 1 {
            h.run(&["XADD", "s", "MINID", &minid.to_string(), &j.to_string(), "xitem", &j.to_string()]);
        } else {
            add(&mut h, "s", &j.to_string(), &["xitem", &j.to_string()]);
        }
    }
    assert_eq!(h.run(&["XLEN", "s"]), int(6));
    assert_eq!(items(items(h.run(&["XRANGE", "s", "-", "+"])).remove(0)).remove(0), bulk("995-0"));
}

#[test]
fn xadd_limit_caps_approximate_trimming() {
    let mut h = Harness::new();
    h.run(&["CONFIG", "SET", "stream-node-max-entries", "10"]);
    for _ in 0..100 {
        h.run(&["XADD", "s", "*", "xitem", "v"]);
    }
    h.run(&["XADD", "s", "MAXLEN", "~", "55", "LIMIT", "30", "*", "xitem", "v"]);
    assert_eq!(h.run(&["XLEN", "s"]), int(71));
    h.run(&["XADD", "s", "MAXLEN", "~", "55", "LIMIT", "30", "*", "xitem", "v"]);
    assert_eq!(h.run(&["XLEN", "s"]), int(62));
    h.run(&["CONFIG", "SET", "stream-node-max-entries", "100"]);
    for _ in 0..3 {
        h.run(&["XADD", "y", "*", "xitem", "v"]);
    }
    h.run(&["XADD", "y", "MAXLEN", "~", "0", "LIMIT", "1", "*", "xitem", "v"]);
    assert_eq!(h.run(&["XLEN", "y"]), int(4));
}

#[test]
fn xadd_trim_option_errors_match_valkey() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["XADD", "s", "MAXLEN", "-1", "*", "a", "b"]), err("ERR The MAXLEN argument must be >= 0."));
    assert_eq!(h.run(&["XADD", "s", "MAXLEN", "x", "*", "a", "b"]), err("ERR value is not an integer or out of range"));
    assert_eq!(
        h.run(&["XADD", "s", "MAXLEN", "1", "MINID", "2", "*", "a", "b"]),
        err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
    );
    assert_eq!(
        h.run(&["XADD", "s", "LIMIT", "10", "*", "a", "b"]),
        err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    );
    assert_eq!(
        h.run(&["XADD", "s", "MAXLEN", "10", "LIMIT", "10", "*", "a", "b"]),
        err("ERR syntax error, LIMIT cannot be used without the special ~ option")
    );
    assert_eq!(
        h.run(&["XADD", "s", "LIMIT", "0", "*", "a", "b"]),
        err("ERR syntax error, LIMIT cannot be used without the special ~ option")
    );
    assert_eq!(
        h.run(&["XADD", "s", "MAXLEN", "~", "1", "LIMIT", "-1", "*", "a", "b"]),
        err("ERR The LIMIT argument must be >= 0.")
    );
    assert_eq!(h.run(&["XADD", "s", "MINID", "+", "*", "a", "b"]), err(INVALID_ID));
    assert_eq!(h.run(&["EXISTS", "s"]), int(0));
}

#[test]
fn xadd_on_another_type_is_wrongtype() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    assert_eq!(
        h.run(&["XADD", "k", "*", "a", "b"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

// -- XTRIM, XDEL, XLEN --------------------------------------------------------------------------------

#[test]
fn xtrim_maxlen_exact_and_approximate() {
    let mut h = Harness::new();
    for j in 0..1000 {
        h.run(&["XADD", "s", "*", "xitem", &j.to_string()]);
    }
    assert_eq!(h.run(&["XTRIM", "s", "MAXLEN", "666"]), int(334));
    assert_eq!(h.run(&["XTRIM", "s", "MAXLEN", "=", "555"]), int(111));
    h.run(&["XTRIM", "s", "MAXLEN", "~", "444"]);
    assert_eq!(h.run(&["XLEN", "s"]), int(500));
    h.run(&["XTRIM", "s", "MAXLEN", "~", "400"]);
    assert_eq!(h.run(&["XLEN", "s"]), int(400));
}

#[test]
fn xtrim_approx_is_limited_to_a_hundred_nodes() {
    let mut h = Harness::new();
    h.run(&["CONFIG", "SET", "stream-node-max-entries", "1"]);
    for _ in 0..102 {
        h.run(&["XADD", "s", "*", "xitem", "v"]);
        h.run(&["XADD", "t", "*", "xitem", "v"]);
    }
    h.run(&["XTRIM", "s", "MAXLEN", "~", "1"]);
    assert_eq!(h.run(&["XLEN", "s"]), int(2));
    h.run(&["XTRIM", "t", "MAXLEN", "1"]);
    assert_eq!(h.run(&["XLEN", "t"]), int(1));
    assert_eq!(
        h.run(&["XTRIM", "s", "MAXLEN", "1", "LIMIT", "30"]),
        err("ERR syntax error, LIMIT cannot be used without the special ~ option")
    );
}

#[test]
fn xtrim_limit_deletes_no_more_than_the_limit() {
    let mut h = Harness::new();
    h.run(&["CONFIG", "SET", "stream-node-max-entries", "2"]);
    for _ in 0..3 {
        h.run(&["XADD", "s", "*", "xitem", "v"]);
    }
    assert_eq!(h.run(&["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "1"]), int(0));
    assert_eq!(h.run(&["XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "2"]), int(2));
}

#[test]
fn xtrim_minid_drops_smaller_ids() {
    let mut h = Harness::new();
    for ms in 1..=5 {
        add(&mut h, "s", &format!("{ms}-0"), &["f", "v"]);
    }
    assert_eq!(h.run(&["XTRIM", "s", "MINID", "=", "3-0"]), int(2));
    assert_eq!(
        h.run(&["XRANGE", "s", "-", "+"]),
        array(vec![entry("3-0", &["f", "v"]), entry("4-0", &["f", "v"]), entry("5-0", &["f", "v"])])
    );
    add(&mut h, "b", "1-0", &["f", "v"]);
    add(&mut h, "b", "1641544570597-0", &["f", "v"]);
    add(&mut h, "b", "1641544570597-1", &["f", "v"]);
    h.run(&["XTRIM", "b", "MINID", "1641544570597-0"]);
    assert_eq!(
        h.run(&["XRANGE", "b", "-", "+"]),
        array(vec![entry("1641544570597-0", &["f", "v"]), entry("1641544570597-1", &["f", "v"])])
    );
}

#[test]
fn xtrim_errors_and_missing_key() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["XTRIM", "s", "MAXLEN", "0"]), int(0));
    let e = err("ERR wrong number of arguments for 'xtrim' command");
    assert_eq!(h.run(&["XTRIM", "s", "MAXLEN"]), e);
    assert_eq!(h.run(&["XTRIM", "s", "FOO", "1"]), err("ERR syntax error"));
    assert_eq!(h.run(&["XTRIM", "s", "MAXLEN", "~"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["XTRIM", "s", "LIMIT", "1", "x"]), err("ERR syntax error"));
    assert_eq!(
        h.run(&["XTRIM", "s", "LIMIT", "1"]),
        err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
    );
    assert_eq!(
        h.run(&["XTRIM", "s", "LIMIT", "0"]),
        err("ERR syntax error, XTRIM must be called with a trimming strategy")
    );
}

#[test]
fn xdel_deletes_the_given_ids_and_counts_them() {
    let mut h = Harness::new();
    for seq in 1..=5 {
        add(&mut h, "s", &format!("1-{seq}"), &[["a", "b", "c", "d", "e"][seq - 1], &seq.to_string()]);
    }
    assert_eq!(h.run(&["XDEL", "s", "1-1", "1-4", "1-5", "2-1"]), int(3));
    assert_eq!(h.run(&["XLEN", "s"]), int(2));
    assert_eq!(h.run(&["XRANGE", "s", "-", "+"]), array(vec![entry("1-2", &["b", "2"]), entry("1-3", &["c", "3"])]));
    assert_eq!(h.run(&["XDEL", "s", "1-2", "abc"]), err(INVALID_ID));
    assert_eq!(h.run(&["XLEN", "s"]), int(2), "nothing is deleted when an ID is invalid");
    assert_eq!(h.run(&["XDEL", "nokey", "abc"]), int(0));
}

#[test]
fn xdel_in_random_order_keeps_the_stream_consistent() {
    let mut h = Harness::new();
    let mut ids = Vec::new();
    for x in 0..700 {
        ids.push(match h.run(&["XADD", "s", "*", "item", &x.to_string()]) {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("{other:?}"),
        });
    }
    assert!(matches!(field(&h.run(&["XINFO", "STREAM", "s"]), "radix-tree-keys"), Reply::Int(n) if n > 5));
    // A fixed shuffle: every 7th, then the rest.
    let order: Vec<usize> = (0..700).step_by(7).chain((0..700).filter(|i| i % 7 != 0)).collect();
    let mut left = 700;
    for i in order {
        assert_eq!(h.run(&["XDEL", "s", &ids[i]]), int(1));
        left -= 1;
        assert_eq!(h.run(&["XLEN", "s"]), int(left));
        if left % 100 == 0 {
            assert_eq!(len(h.run(&["XRANGE", "s", "-", "+"])), left as usize);
        }
    }
    assert_eq!(field(&h.run(&["XINFO", "STREAM", "s"]), "radix-tree-keys"), int(0));
}

#[test]
fn xdel_and_xtrim_move_the_recorded_first_entry() {
    let mut h = Harness::new();
    for ms in 1..=5 {
        add(&mut h, "x", &format!("{ms}-0"), &["data", "a"]);
    }
    assert_eq!(field(&xinfo_full(&mut h, "x"), "entries-added"), int(5));
    assert_eq!(field(&xinfo_full(&mut h, "x"), "recorded-first-entry-id"), bulk("1-0"));
    h.run(&["XDEL", "x", "2-0"]);
    assert_eq!(field(&xinfo_full(&mut h, "x"), "recorded-first-entry-id"), bulk("1-0"));
    assert_eq!(field(&xinfo_full(&mut h, "x"), "max-deleted-entry-id"), bulk("2-0"));
    h.run(&["XDEL", "x", "1-0"]);
    assert_eq!(field(&xinfo_full(&mut h, "x"), "recorded-first-entry-id"), bulk("3-0"));
    assert_eq!(field(&xinfo_full(&mut h, "x"), "max-deleted-entry-id"), bulk("2-0"));
    h.run(&["XTRIM", "x", "MAXLEN", "=", "2"]);
    assert_eq!(field(&xinfo_full(&mut h, "x"), "recorded-first-entry-id"), bulk("4-0"));
}

#[test]
fn xlen_of_a_missing_key_is_zero_and_of_another_type_wrongtype() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["XLEN", "s"]), int(0));
    h.run(&["LPUSH", "l", "a"]);
    assert_eq!(h.run(&["XLEN", "l"]), err("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

// -- XRANGE, XREVRANGE --------------------------------------------------------------------------------

#[test]
fn xrange_exclusive_bounds_and_their_errors() {
    let mut h = Harness::new();
    let ids =
        ["0-1", "0-18446744073709551615", "1-0", "42-0", "42-42", "18446744073709551615-18446744073709551614", MAX_ID];
    for id in ids {
        add(&mut h, "v", id, &["foo", "bar"]);
    }
    assert_eq!(len(h.run(&["XRANGE", "v", "-", "+"])), 7);
    assert_eq!(len(h.run(&["XRANGE", "v", "(0-1", "+"])), 6);
    assert_eq!(len(h.run(&["XRANGE", "v", "-", &format!("({MAX_ID}")])), 6);
    assert_eq!(len(h.run(&["XRANGE", "v", "(0-1", "(1-0"])), 1);
    assert_eq!(len(h.run(&["XRANGE", "v", "(1-0", "(42-42"])), 1);
    assert_eq!(h.run(&["XRANGE", "v", "(-", "+"]), err(INVALID_ID));
    assert_eq!(h.run(&["XRANGE", "v", "-", "(+"]), err(INVALID_ID));
    assert_eq!(h.run(&["XRANGE", "v", "(", "+"]), err(INVALID_ID));
    assert_eq!(h.run(&["XRANGE", "v", &format!("({MAX_ID}"), "+"]), err("ERR invalid start ID for the interval"));
    assert_eq!(h.run(&["XRANGE", "v", "-", "(0-0"]), err("ERR invalid end ID for the interval"));
}

#[test]
fn xrange_incomplete_ids_cover_the_whole_millisecond() {
    let mut h = Harness::new();
    for id in ["1-1", "1-18446744073709551615", "2-1"] {
        add(&mut h, "x", id, &["f", "v"]);
    }
    assert_eq!(len(h.run(&["XRANGE", "x", "1", "1"])), 2);
    assert_eq!(len(h.run(&["XRANGE", "x", "(1", "+"])), 3, "(1 is 1-0 excluded");
    assert_eq!(len(h.run(&["XRANGE", "x", "(1-1", "+"])), 2);
    assert_eq!(len(h.run(&["XRANGE", "x", "-", "(2"])), 3, "(2 is 2-18446744073709551615 excluded");
    assert_eq!(len(h.run(&["XREVRANGE", "x", "2", "2"])), 1);
}

#[test]
fn xrange_count_limits_and_zero_count_is_a_null_array() {
    let mut h = Harness::new();
    for ms in 1..=20 {
        add(&mut h, "s", &ms.to_string(), &["f", "v"]);
    }
    assert_eq!(len(h.run(&["XRANGE", "s", "-", "+", "COUNT", "10"])), 10);
    assert_eq!(len(h.run(&["XREVRANGE", "s", "+", "-", "COUNT", "10"])), 10);
    assert_eq!(h.run(&["XRANGE", "s", "-", "+", "COUNT", "0"]), null_array());
    assert_eq!(h.run(&["XRANGE", "s", "-", "+", "COUNT", "-5"]), null_array());
    assert_eq!(h.run(&["XRANGE", "s", "-", "+", "COUNT"]), err("ERR syntax error"));
    assert_eq!(h.run(&["XRANGE", "s", "-", "+", "COUNT", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["XRANGE", "nokey", "-", "+", "COUNT", "0"]), array(vec![]));
    assert_eq!(h.run(&["XRANGE", "nokey", "-", "+"]), array(vec![]));
}

#[test]
fn xrange_iterates_the_whole_stream_in_pages() {
    let mut h = Harness::new();
    for j in 0..1000 {
        h.run(&["XADD", "s", "*", "item", &j.to_string()]);
    }
    let mut from = "-".to_string();
    let mut seen = 0;
    loop {
        let page = items(h.run(&["XRANGE", "s", &from, "+", "COUNT", "100"]));
        let Some(last) = page.last() else { break };
        for e in &page {
            assert_eq!(items(items(e.clone()).remove(1)), vec![bulk("item"), bulk(&seen.to_string())]);
            seen += 1;
        }
        let last_id = match items(last.clone()).remove(0) {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("{other:?}"),
        };
        from = format!("({last_id}");
    }
    assert_eq!(seen, 1000);
    let mut rev = items(h.run(&["XREVRANGE", "s", "+", "-"]));
    rev.reverse();
    assert_eq!(array(rev), h.run(&["XRANGE", "s", "-", "+"]));
}

#[test]
fn xrevrange_with_same_field_compression_regression_5006() {
    let mut h = Harness::new();
    for (ms, f, v) in
        [("1234567891230", "key1", "value1"), ("1234567891240", "key2", "value2"), ("1234567891250", "key3", "value3")]
    {
        add(&mut h, "a", ms, &[f, v]);
        add(&mut h, "b", ms, &["key1", v]);
    }
    assert_eq!(
        h.run(&["XREVRANGE", "a", "1234567891245", "-"]),
        array(vec![entry("1234567891240-0", &["key2", "value2"]), entry("1234567891230-0", &["key1", "value1"])])
    );
    assert_eq!(
        h.run(&["XREVRANGE", "b", "1234567891245", "-"]),
        array(vec![entry("1234567891240-0", &["key1", "value2"]), entry("1234567891230-0", &["key1", "value1"])])
    );
}

#[test]
fn xrange_matches_a_model_on_random_ranges() {
    let mut h = Harness::new();
    let mut model = Vec::new();
    let mut x: u64 = 12345;
    let mut rnd = move |n: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    for ms in 0..300u64 {
        for seq in 0..(1 + rnd(3)) {
            let id = format!("{}-{}", ms * 3, seq * 7);
            let v = (ms * 10 + seq).to_string();
            let fields = if rnd(4) == 0 { vec!["other", &v[..]] } else { vec!["item", &v[..]] };
            add(&mut h, "s", &id, &fields);
            model.push(((ms * 3, seq * 7), entry(&id, &fields)));
        }
    }
    for _ in 0..100 {
        let (a, b) = ((rnd(900), rnd(20)), (rnd(900), rnd(20)));
        let expected: Vec<Reply> =
            model.iter().filter(|(id, _)| *id >= a && *id <= b).map(|(_, e)| e.clone()).collect();
        let got = h.run(&["XRANGE", "s", &format!("{}-{}", a.0, a.1), &format!("{}-{}", b.0, b.1)]);
        assert_eq!(got, array(expected), "{a:?}..{b:?}");
    }
}

#[test]
fn xrange_reply_is_the_same_in_resp3() {
    let mut h = Harness::resp3();
    add(&mut h, "s", "1-1", &["a", "1"]);
    let r = h.run(&["XRANGE", "s", "-", "+"]);
    assert_eq!(r, array(vec![entry("1-1", &["a", "1"])]));
    assert_eq!(wire(&r, Protocol::Resp3), "*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(wire(&h.run(&["XRANGE", "s", "-", "+", "COUNT", "0"]), Protocol::Resp3), "_\r\n");
}

// -- XREAD --------------------------------------------------------------------------------------------

#[test]
fn xread_returns_entries_after_the_given_ids() {
    let mut h = Harness::new();
    for j in 0..5 {
        add(&mut h, "s", &format!("{}-0", j + 1), &["item", &j.to_string()]);
    }
    assert_eq!(
        h.run(&["XREAD", "COUNT", "1", "STREAMS", "s", "0-0"]),
        read_reply("s", vec![entry("1-0", &["item", "0"])])
    );
    assert_eq!(
        h.run(&["XREAD", "STREAMS", "s", "3"]),
        read_reply("s", vec![entry("4-0", &["item", "3"]), entry("5-0", &["item", "4"])])
    );
    assert_eq!(h.run(&["XREAD", "STREAMS", "s1", "s2", "0-0", "0-0"]), null_array());
    assert_eq!(
        h.run(&["XREAD", "COUNT", "1", "STREAMS", "nostream", "s", "0-0", "0-0"]),
        read_reply("s", vec![entry("1-0", &["item", "0"])])
    );
    assert_eq!(h.run(&["XREAD", "STREAMS", "s", "$"]), null_array());
}

#[test]
fn xread_in_resp3_is_a_map_of_keys() {
    let mut h = Harness::resp3();
    add(&mut h, "s", "1-1", &["a", "1"]);
    let r = h.run(&["XREAD", "STREAMS", "s", "0"]);
    assert_eq!(r, Reply::Map(vec![(bulk("s"), array(vec![entry("1-1", &["a", "1"])]))]));
    assert_eq!(wire(&r, Protocol::Resp3), "%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(wire(&h.run(&["XREAD", "STREAMS", "nokey", "0"]), Protocol::Resp3), "_\r\n");
}

#[test]
fn xread_plus_reads_the_last_entry_only() {
    let mut h = Harness::new();
    for (id, k, v) in [("1-0", "k1", "v1"), ("2-0", "k2", "v2"), ("3-0", "k3", "v3")] {
        add(&mut h, "le", id, &[k, v]);
        add(&mut h, "{le}2", id, &[k, &v.replace('v', "w")]);
    }
    assert_eq!(h.run(&["XREAD", "STREAMS", "le", "+"]), read_reply("le", vec![entry("3-0", &["k3", "v3"])]));
    assert_eq!(
        h.run(&["XREAD", "COUNT", "3", "STREAMS", "le", "+"]),
        read_reply("le", vec![entry("3-0", &["k3", "v3"])])
    );
    assert_eq!(
        h.run(&["XREAD", "STREAMS", "le", "{le}2", "{le}3", "+", "+", "+"]),
        array(vec![
            array(vec![bulk("le"), array(vec![entry("3-0", &["k3", "v3"])])]),
            array(vec![bulk("{le}2"), array(vec![entry("3-0", &["k3", "w3"])])]),
        ])
    );
    add(&mut h, "le", "3-18446744073709551614", &["k4", "v4"]);
    add(&mut h, "le", "3-18446744073709551615", &["k5", "v5"]);
    assert_eq!(
        h.run(&["XREAD", "STREAMS", "le", "+"]),
        read_reply("le", vec![entry("3-18446744073709551615", &["k5", "v5"])])
    );
    // An empty stream, or one whose entries were deleted, has no last entry.
    add(&mut h, "e", "1-0", &["k1", "v1"]);
    h.run(&["XDEL", "e", "1-0"]);
    assert_eq!(h.run(&["XREAD", "STREAMS", "e", "+"]), null_array());
    h.run(&["XGROUP", "CREATE", "z", "g", "$", "MKSTREAM"]);
    assert_eq!(h.run(&["XREAD", "STREAMS", "z", "+"]), err("ERR the stream last element ID is 0-0"));
}

#[test]
fn xread_argument_errors_match_valkey() {
    let mut h = Harness::new();
    add(&mut h, "s", "1", &["f", "v"]);
    assert_eq!(
        h.run(&["XREAD", "COUNT", "1", "STREAMS", "s"]),
        err("ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.")
    );
    assert_eq!(
        h.run(&["XREAD", "GROUP", "g", "c", "STREAMS", "s", "0"]),
        err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
    );
    assert_eq!(
        h.run(&["XREAD", "NOACK", "STREAMS", "s", "0"]),
        err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
    );
    assert_eq!(
        h.run(&["XREAD", "STREAMS", "s", ">"]),
        err("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
    );
    assert_eq!(h.run(&["XREAD", "FOO", "STREAMS", "s", "0"]), err("ERR syntax error"));
    assert_eq!(h.run(&["XREAD", "COUNT", "1", "s", "0"]), err("ERR syntax error"));
    assert_eq!(h.run(&["XREAD", "STREAMS", "s", "x"]), err(INVALID_ID));
    assert_eq!(
        h.run(&["XREAD", "COUNT", "x", "STREAMS", "s", "0"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(h.run(&["XREAD", "BLOCK", "-1", "STREAMS", "s", "0"]), err("ERR timeout is negative"));
    assert_eq!(
        h.run(&["XREAD", "BLOCK", "x", "STREAMS", "s", "0"]),
        err("ERR timeout is not an integer or out of range")
    );
    assert_eq!(
        h.run(&["XREAD", "BLOCK", "9223372036854775807", "STREAMS", "s", "0"]),
        err("ERR timeout is out of range")
    );
    h.run(&["SET", "str", "x"]);
    assert_eq!(
        h.run(&["XREAD", "STREAMS", "str", "0"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn xread_block_waits_for_new_data_on_any_of_its_keys() {
    let mut h = Harness::new();
    add(&mut h, "s2", "1", &["old", "abcd1234"]);
    let c = h.connect();
    h.send_as(c, &["XREAD", "BLOCK", "20000", "STREAMS", "s1", "s2", "s3", "$", "$", "$"]);
    assert_eq!(h.output(c), vec![]);
    add(&mut h, "s2", "2", &["new", "abcd1234"]);
    assert_eq!(h.output(c), vec![read_reply("s2", vec![entry("2-0", &["new", "abcd1234"])])]);
}

#[test]
fn xread_block_with_old_data_answers_at_once() {
    let mut h = Harness::new();
    add(&mut h, "s2", "1", &["old", "abcd1234"]);
    assert_eq!(
        h.run(&["XREAD", "BLOCK", "20000", "STREAMS", "s1", "s2", "s3", "$", "0-0", "$"]),
        read_reply("s2", vec![entry("1-0", &["old", "abcd1234"])])
    );
    assert_eq!(
        h.run(&["XREAD", "BLOCK", "0", "STREAMS", "s2", "+"]),
        read_reply("s2", vec![entry("1-0", &["old", "abcd1234"])])
    );
}

#[test]
fn xread_block_dollar_keeps_its_id_across_a_transaction() {
    let mut h = Harness::new();
    add(&mut h, "s2", "1", &["old", "abcd1234"]);
    let c = h.connect();
    h.send_as(c, &["XREAD", "BLOCK", "20000", "STREAMS", "s2", "s2", "s2", "$", "$", "$"]);
    assert_eq!(h.output(c), vec![]);
    h.run(&["MULTI"]);
    h.run(&["XADD", "s2", "2", "field", "one"]);
    h.run(&["XADD", "s2", "3", "field", "two"]);
    h.run(&["XADD", "s2", "4", "field", "three"]);
    h.run(&["EXEC"]);
    let out = h.output(c);
    assert_eq!(out.len(), 1);
    let first = items(items(out[0].clone()).remove(0));
    assert_eq!(first[0], bulk("s2"));
    let got = items(first[1].clone());
    assert_eq!(got[0], entry("2-0", &["field", "one"]));
    assert_eq!(got[1], entry("3-0", &["field", "two"]));
}

#[test]
fn xread_block_times_out_with_a_null_array() {
    let mut h = Harness::new();
    add(&mut h, "s1", "666", &["f", "v"]);
    add(&mut h, "s1", "667", &["f2", "v2"]);
    h.run(&["XDEL", "s1", "667"]);
    let c = h.connect();
    // Not served with an empty list for s1: the only entry after 666 is a tombstone.
    h.send_as(c, &["XREAD", "BLOCK", "10", "STREAMS", "s1", "666"]);
    assert_eq!(h.output(c), vec![]);
    h.advance_ms(11);
    assert_eq!(h.output(c), vec![null_array()]);
}

#[test]
fn xread_block_on_a_stream_that_ran_dry_issue_5299() {
    let mut h = Harness::new();
    add(&mut h, "s", "666", &["key", "value"]);
    h.run(&["XDEL", "s", "666"]);
    let c = h.connect();
    h.send_as(c, &["XREAD", "BLOCK", "10", "STREAMS", "s", "665"]);
    h.advance_ms(11);
    assert_eq!(h.output(c), vec![null_array()]);
    let e = err("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    assert_eq!(add(&mut h, "s", "665", &["key", "value"]), e);
    assert_eq!(add(&mut h, "s", "666", &["key", "value"]), e);
    h.send_as(c, &["XREAD", "BLOCK", "0", "STREAMS", "s", "665"]);
    assert_eq!(h.output(c), vec![]);
    add(&mut h, "s", "667", &["key", "value"]);
    assert_eq!(h.output(c), vec![read_reply("s", vec![entry("667-0", &["key", "value"])])]);
}

#[test]
fn xread_block_plus_on_a_missing_key_waits_for_the_first_entry() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["XREAD", "BLOCK", "20000", "STREAMS", "le", "+"]);
    assert_eq!(h.output(c), vec![]);
    add(&mut h, "le", "1-0", &["k1", "v1"]);
    assert_eq!(h.output(c), vec![read_reply("le", vec![entry("1-0", &["k1", "v1"])])]);
}

#[test]
fn xread_block_is_not_woken_by_xadd_then_del_or_another_type() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["XREAD", "BLOCK", "20000", "STREAMS", "s1", "$"]);
    h.run(&["MULTI"]);
    h.run(&["XADD", "s1", "*", "old", "abcd1234"]);
    h.run(&["DEL", "s1"]);
    h.run(&["LPUSH", "s1", "foo", "bar"]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(c), vec![]);
    h.run(&["DEL", "s1"]);
    h.advance_ms(1);
    let id = h.run(&["XADD", "s1", "*", "new", "abcd1234"]);
    let Reply::Bulk(id) = id else { panic!() };
    let id = String::from_utf8(id).unwrap();
    assert_eq!(h.output(c), vec![read_reply("s1", vec![entry(&id, &["new", "abcd1234"])])]);
}

#[test]
fn xread_block_survives_its_key_being_deleted_or_overwritten() {
    let mut h = Harness::new();
    add(&mut h, "s", "666", &["f", "v"]);
    let c = h.connect();
    h.send_as(c, &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
    h.run(&["SET", "s", "val1"]);
    h.run(&["DEL", "s"]);
    assert_eq!(h.output(c), vec![]);
    add(&mut h, "s", "667", &["f", "v"]);
    assert_eq!(h.output(c), vec![read_reply("s", vec![entry("667-0", &["f", "v"])])]);
}

#[test]
fn xread_block_at_the_edge_of_a_sequence() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["XREAD", "BLOCK", "0", "STREAMS", "x", "1-18446744073709551615"]);
    add(&mut h, "x", "1-1", &["f", "v"]);
    add(&mut h, "x", "1-18446744073709551615", &["f", "v"]);
    assert_eq!(h.output(c), vec![]);
    add(&mut h, "x", "2-1", &["f", "v"]);
    assert_eq!(h.output(c), vec![read_reply("x", vec![entry("2-1", &["f", "v"])])]);
    assert_eq!(
        h.run(&["XREAD", "BLOCK", "0", "STREAMS", "x", "1-18446744073709551615"]),
        read_reply("x", vec![entry("2-1", &["f", "v"])])
    );
}

#[test]
fn xread_block_inside_multi_answers_as_a_timeout() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    h.run(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![null_array()]));
}

// -- XGROUP, XREADGROUP -------------------------------------------------------------------------------

#[test]
fn xgroup_create_twice_is_busygroup() {
    let mut h = Harness::new();
    h.run(&["XADD", "s", "*", "foo", "bar"]);
    assert_eq!(h.run(&["XGROUP", "CREATE", "s", "g", "$"]), ok());
    assert_eq!(h.run(&["XGROUP", "CREATE", "s", "g", "$"]), err("BUSYGROUP Consumer Group name already exists"));
}

#[test]
fn xgroup_create_needs_the_key_unless_mkstream() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(&["XGROUP", "CREATE", "s", "g", "$"]),
        err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
    );
    assert_eq!(h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]), ok());
    assert_eq!(h.run(&["TYPE", "s"]), status("stream"));
    assert_eq!(h.run(&["XLEN", "s"]), int(0));
    h.run(&["SET", "str", "x"]);
    assert_eq!(
        h.run(&["XGROUP", "CREATE", "str", "g", "$"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn xgroup_option_errors_match_valkey() {
    let mut h = Harness::new();
    for seq in 1..=4 {
        add(&mut h, "s", &format!("1-{seq}"), &["a", "1"]);
    }
    assert_eq!(
        h.run(&["XGROUP", "CREATE", "s", "g", "$", "ENTRIESREAD", "-3"]),
        err("ERR value for ENTRIESREAD must be positive or -1")
    );
    assert_eq!(
        h.run(&["XGROUP", "CREATE", "s", "g", "$", "foo"]),
        err("ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.")
    );
    assert_eq!(
        h.run(&["xgroup", "setid", "s", "g", "$", "MKSTREAM"]),
        err("ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.")
    );
    assert_eq!(h.run(&["XGROUP", "CREATE", "s", "g", "+"]), err(INVALID_ID));
    assert_eq!(h.run(&["XGROUP", "foo"]), err("ERR unknown subcommand 'foo'. Try XGROUP HELP."));
    assert_eq!(h.run(&["XGROUP", "HELP", "xxx"]), err("ERR wrong number of arguments for 'xgroup|help' command"));
    assert_eq!(h.run(&["XINFO", "HELP", "xxx"]), err("ERR wrong number of arguments for 'xinfo|help' command"));
    let nogroup = err("NOGROUP No such consumer group 'nog' for key name 's'");
    assert_eq!(h.run(&["XGROUP", "SETID", "s", "nog", "$"]), nogroup);
    assert_eq!(h.run(&["XGROUP", "CREATECONSUMER", "s", "nog", "c"]), nogroup);
    assert_eq!(h.run(&["XGROUP", "DELCONSUMER", "s", "nog", "c"]), nogroup);
    assert_eq!(h.run(&["XGROUP", "DESTROY", "s", "nog"]), int(0));
}

#[test]
fn xgroup_entriesread_sets_the_read_counter() {
    let mut h = Harness::new();
    for seq in 1..=4 {
        add(&mut h, "s", &format!("1-{seq}"), &["a", "1"]);
    }
    h.run(&["XGROUP", "CREATE", "s", "g1", "$", "ENTRIESREAD", "0"]);
    h.run(&["XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3"]);
    let groups = items(h.run(&["XINFO", "GROUPS", "s"]));
    assert_eq!(field(&groups[0], "name"), bulk("g1"));
    assert_eq!(field(&groups[0], "entries-read"), int(0));
    assert_eq!(field(&groups[1], "entries-read"), int(3));
    assert_eq!(field(&groups[1], "lag"), int(1));
}

#[test]
fn xreadgroup_delivers_new_entries_and_each_consumer_its_history() {
    let mut h = Harness::new();
    h.run(&["XADD", "s", "1", "foo", "bar"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "$"]);
    add(&mut h, "s", "2", &["a", "1"]);
    add(&mut h, "s", "3", &["b", "2"]);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "consumer-1", "STREAMS", "s", ">"]),
        read_reply("s", vec![entry("2-0", &["a", "1"]), entry("3-0", &["b", "2"])])
    );
    add(&mut h, "s", "4", &["c", "3"]);
    add(&mut h, "s", "5", &["d", "4"]);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "consumer-2", "STREAMS", "s", ">"]),
        read_reply("s", vec![entry("4-0", &["c", "3"]), entry("5-0", &["d", "4"])])
    );
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "consumer-1", "COUNT", "10", "STREAMS", "s", "0"]),
        read_reply("s", vec![entry("2-0", &["a", "1"]), entry("3-0", &["b", "2"])])
    );
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "consumer-2", "COUNT", "1", "STREAMS", "s", "0"]),
        read_reply("s", vec![entry("4-0", &["c", "3"])])
    );
    // Reading the history counts as a new delivery.
    let pending = items(h.run(&["XPENDING", "s", "g", "-", "+", "10", "consumer-1"]));
    assert_eq!(items(pending[0].clone())[3], int(2));
    assert_eq!(h.run(&["XREADGROUP", "GROUP", "g", "consumer-1", "STREAMS", "s", ">"]), null_array());
}

#[test]
fn xreadgroup_errors_match_valkey() {
    let mut h = Harness::new();
    add(&mut h, "s", "666", &["f", "v"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "$"]);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "s"]),
        err("ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.")
    );
    assert_eq!(
        h.run(&["XREADGROUP", "NOACK", "COUNT", "1", "STREAMS", "s", "0"]),
        err("ERR Missing GROUP option for XREADGROUP")
    );
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "nog", "Alice", "STREAMS", "s", ">"]),
        err("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option")
    );
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "Alice", "STREAMS", "nokey", ">"]),
        err("NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option")
    );
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "Alice", "STREAMS", "s", "$"]),
        err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
    );
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "Alice", "STREAMS", "s", "+"]),
        err("ERR The + ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The + ID would just return an empty result set.")
    );
}

#[test]
fn xreadgroup_history_reports_deleted_entries_with_null_fields_bug_5570() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    add(&mut h, "s", "1", &["field1", "A"]);
    h.run(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]);
    h.run(&["XADD", "s", "MAXLEN", "1", "2", "field1", "B"]);
    h.run(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0-1"]),
        read_reply("s", vec![array(vec![bulk("1-0"), null_array()]), entry("2-0", &["field1", "B"])])
    );
}

#[test]
fn xreadgroup_on_an_empty_history_returns_an_empty_list_bug_5577() {
    let mut h = Harness::new();
    for (f, v) in [("a", "1"), ("b", "2"), ("c", "3")] {
        h.run(&["XADD", "e", "*", f, v]);
    }
    h.run(&["XGROUP", "CREATE", "e", "g", "0"]);
    assert_eq!(h.run(&["XPENDING", "e", "g", "-", "+", "10"]), array(vec![]));
    assert_eq!(h.run(&["XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "e", "0"]), read_reply("e", vec![]));
    assert_eq!(
        len(items(items(h.run(&["XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "e", ">"])).remove(0))
            .remove(1)),
        3
    );
    assert_eq!(
        len(items(items(h.run(&["XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "e", "0"])).remove(0))
            .remove(1)),
        3
    );
}

#[test]
fn xreadgroup_after_setid_reassigns_pending_entries() {
    let mut h = Harness::new();
    for _ in 0..4 {
        h.run(&["XADD", "events", "*", "f1", "v1"]);
    }
    h.run(&["XGROUP", "CREATE", "events", "g1", "$"]);
    h.advance_ms(1);
    h.run(&["XADD", "events", "*", "f1", "v1"]);
    let r = h.run(&["XREADGROUP", "GROUP", "g1", "c1", "STREAMS", "events", ">"]);
    assert_eq!(len(items(items(r).remove(0)).remove(1)), 1);
    assert_eq!(h.run(&["XGROUP", "SETID", "events", "g1", "-"]), ok());
    let r = h.run(&["XREADGROUP", "GROUP", "g1", "c2", "STREAMS", "events", ">"]);
    assert_eq!(len(items(items(r).remove(0)).remove(1)), 5);
    assert_eq!(len(h.run(&["XPENDING", "events", "g1", "-", "+", "10", "c1"])), 0);
    assert_eq!(len(h.run(&["XPENDING", "events", "g1", "-", "+", "10", "c2"])), 5);
}

#[test]
fn xreadgroup_noack_creates_the_consumer_but_no_pending_entries() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    h.run(&["XADD", "s", "*", "f1", "v1"]);
    h.run(&["XREADGROUP", "GROUP", "g", "Alice", "NOACK", "STREAMS", "s", ">"]);
    assert_eq!(h.run(&["XPENDING", "s", "g"]), array(vec![int(0), null(), null(), null_array()]));
    let consumers = items(h.run(&["XINFO", "CONSUMERS", "s", "g"]));
    assert_eq!(field(&consumers[0], "name"), bulk("Alice"));
    assert_eq!(field(&first_group(&mut h, "s"), "entries-read"), int(1));
}

#[test]
fn xreadgroup_block_is_ignored_for_an_explicit_id() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    add(&mut h, "s", "666", &["key", "value"]);
    h.run(&["XDEL", "s", "666"]);
    for id in ["0", "600", "666", "700"] {
        assert_eq!(
            h.run(&["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", id]),
            read_reply("s", vec![])
        );
    }
    add(&mut h, "s", "667", &["key", "value"]);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"]),
        read_reply("s", vec![entry("667-0", &["key", "value"])])
    );
    for id in ["0", "600", "666"] {
        assert_eq!(
            h.run(&["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", id]),
            read_reply("s", vec![entry("667-0", &["key", "value"])])
        );
    }
    for id in ["667", "700"] {
        assert_eq!(
            h.run(&["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", id]),
            read_reply("s", vec![])
        );
    }
    h.run(&["XACK", "s", "g", "667"]);
    assert_eq!(h.run(&["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", "0"]), read_reply("s", vec![]));
}

#[test]
fn xreadgroup_block_waits_for_new_entries() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    add(&mut h, "s", "666", &["f", "v"]);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "10", "STREAMS", "s", ">"]),
        read_reply("s", vec![entry("666-0", &["f", "v"])])
    );
    add(&mut h, "s", "667", &["f2", "v2"]);
    h.run(&["XDEL", "s", "667"]);
    let c = h.connect();
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "10", "STREAMS", "s", ">"]);
    assert_eq!(h.output(c), vec![]);
    h.advance_ms(11);
    assert_eq!(h.output(c), vec![null_array()]);
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    add(&mut h, "s", "668", &["key", "value"]);
    assert_eq!(h.output(c), vec![read_reply("s", vec![entry("668-0", &["key", "value"])])]);
}

#[test]
fn xreadgroup_block_keeps_its_deadline_when_run_again() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    let (c1, c2) = (h.connect(), h.connect());
    h.send_as(c1, &["XREADGROUP", "GROUP", "g", "u", "BLOCK", "0", "STREAMS", "s", ">"]);
    h.send_as(c2, &["XREADGROUP", "GROUP", "g", "u", "BLOCK", "1000", "STREAMS", "s", ">"]);
    h.advance_ms(200);
    h.run(&["XADD", "s", "*", "field", "value"]);
    assert_eq!(h.output(c1).len(), 1);
    assert_eq!(h.output(c2), vec![]);
    h.advance_ms(801);
    assert_eq!(h.output(c2), vec![null_array()]);
}

#[test]
fn xreadgroup_block_gets_nogroup_when_the_group_is_destroyed() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    let c = h.connect();
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    assert_eq!(h.run(&["XGROUP", "DESTROY", "s", "g"]), int(1));
    assert_eq!(h.output(c), vec![err("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option")]);
}

#[test]
fn xreadgroup_block_failing_on_a_destroyed_group_is_counted_once() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    h.run(&["CONFIG", "RESETSTAT"]);
    let c = h.connect();
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    h.run(&["XGROUP", "DESTROY", "s", "g"]);
    assert_eq!(h.output(c).len(), 1);
    let text = |r: Reply| match r {
        Reply::Bulk(b) | Reply::Verbatim(_, b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    let stats = text(h.run(&["INFO", "commandstats"]));
    let line = stats.lines().find(|l| l.starts_with("cmdstat_xreadgroup:")).expect("xreadgroup stats");
    assert!(
        line.starts_with("cmdstat_xreadgroup:calls=1,") && line.ends_with("rejected_calls=0,failed_calls=1"),
        "{line}"
    );
    assert!(text(h.run(&["INFO", "errorstats"])).contains("errorstat_NOGROUP:count=1"));
}

#[test]
fn xreadgroup_block_is_served_by_rename_with_data() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s{t}", "g", "$", "MKSTREAM"]);
    let c = h.connect();
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s{t}", ">"]);
    h.run(&["XGROUP", "CREATE", "s2{t}", "g", "$", "MKSTREAM"]);
    add(&mut h, "s2{t}", "100", &["f1", "v1"]);
    h.run(&["RENAME", "s2{t}", "s{t}"]);
    assert_eq!(h.output(c), vec![read_reply("s{t}", vec![entry("100-0", &["f1", "v1"])])]);
}

#[test]
fn xreadgroup_block_gets_nogroup_after_rename_without_the_group() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s{t}", "g", "$", "MKSTREAM"]);
    let c = h.connect();
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s{t}", ">"]);
    add(&mut h, "s2{t}", "100", &["f1", "v1"]);
    h.run(&["RENAME", "s2{t}", "s{t}"]);
    assert_eq!(
        h.output(c),
        vec![err("NOGROUP No such key 's{t}' or consumer group 'g' in XREADGROUP with GROUP option")]
    );
}

#[test]
#[ignore = "needs blocking.rs: XREADGROUP waiters must run again when their key is deleted"]
fn xreadgroup_block_gets_nogroup_when_the_key_is_deleted() {
    let mut h = Harness::new();
    add(&mut h, "s", "666", &["f", "v"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "$"]);
    let c = h.connect();
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    h.run(&["DEL", "s"]);
    assert_eq!(h.output(c), vec![err("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option")]);
}

#[test]
#[ignore = "needs blocking.rs/ctx.rs: XREADGROUP waiters must run again when their key changes type"]
fn xreadgroup_block_gets_wrongtype_when_the_key_changes_type() {
    let mut h = Harness::new();
    add(&mut h, "s", "666", &["f", "v"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "$"]);
    let c = h.connect();
    h.send_as(c, &["XREADGROUP", "GROUP", "g", "Alice", "BLOCK", "0", "STREAMS", "s", ">"]);
    h.run(&["SET", "s", "val1"]);
    assert_eq!(h.output(c), vec![err("WRONGTYPE Operation against a key holding the wrong kind of value")]);
}

#[test]
fn xreadgroup_in_resp3_is_a_map_of_keys() {
    let mut h = Harness::resp3();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    add(&mut h, "s", "1", &["f", "v"]);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]),
        Reply::Map(vec![(bulk("s"), array(vec![entry("1-0", &["f", "v"])]))])
    );
}

#[test]
fn xgroup_createconsumer_and_delconsumer() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    h.run(&["XADD", "s", "*", "f", "v"]);
    assert_eq!(field(&items(h.run(&["XINFO", "GROUPS", "s"]))[0], "consumers"), int(0));
    h.run(&["XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "s", ">"]);
    assert_eq!(h.run(&["XGROUP", "CREATECONSUMER", "s", "g", "Alice"]), int(0));
    assert_eq!(h.run(&["XGROUP", "CREATECONSUMER", "s", "g", "Bob"]), int(1));
    let consumers = items(h.run(&["XINFO", "CONSUMERS", "s", "g"]));
    assert_eq!(field(&consumers[0], "name"), bulk("Alice"));
    assert_eq!(field(&consumers[1], "name"), bulk("Bob"));
    assert_eq!(field(&items(h.run(&["XINFO", "GROUPS", "s"]))[0], "consumers"), int(2));
    assert_eq!(h.run(&["XGROUP", "DELCONSUMER", "s", "g", "Alice"]), int(1));
    assert_eq!(h.run(&["XGROUP", "DELCONSUMER", "s", "g", "Alice"]), int(0));
    assert_eq!(h.run(&["XPENDING", "s", "g"]), array(vec![int(0), null(), null(), null_array()]));
    h.run(&["DEL", "s"]);
    h.run(&["XADD", "s", "*", "f", "v"]);
    assert_eq!(
        h.run(&["XGROUP", "CREATECONSUMER", "s", "g", "c"]),
        err("NOGROUP No such consumer group 'g' for key name 's'")
    );
}

#[test]
fn xgroup_help_lists_the_subcommands() {
    let mut h = Harness::new();
    let help = items(h.run(&["XGROUP", "HELP"]));
    assert_eq!(help[0], status("XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assert_eq!(help.last().cloned(), Some(status("    Print this help.")));
    assert_eq!(help.len(), 17);
    let help = items(h.run(&["xinfo", "help"]));
    assert_eq!(help[0], status("XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assert_eq!(help[5], status("STREAM <key> [FULL [COUNT <count>]"));
}

// -- XACK, XPENDING -----------------------------------------------------------------------------------

/// A stream `s` with group `g`: consumer-1 holds 1-0 and 2-0, consumer-2 holds 3-0 and 4-0.
fn with_pending() -> Harness {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    add(&mut h, "s", "1", &["a", "1"]);
    add(&mut h, "s", "2", &["b", "2"]);
    h.run(&["XREADGROUP", "GROUP", "g", "consumer-1", "STREAMS", "s", ">"]);
    add(&mut h, "s", "3", &["c", "3"]);
    add(&mut h, "s", "4", &["d", "4"]);
    h.run(&["XREADGROUP", "GROUP", "g", "consumer-2", "STREAMS", "s", ">"]);
    h
}

fn pending_entry(id: &str, consumer: &str, idle: i64, count: i64) -> Reply {
    array(vec![bulk(id), bulk(consumer), int(idle), int(count)])
}

#[test]
fn xpending_summary_and_extended_forms() {
    let mut h = with_pending();
    assert_eq!(
        h.run(&["XPENDING", "s", "g"]),
        array(vec![
            int(4),
            bulk("1-0"),
            bulk("4-0"),
            array(vec![bulks(&["consumer-1", "2"]), bulks(&["consumer-2", "2"])]),
        ])
    );
    h.advance_ms(20);
    assert_eq!(
        h.run(&["XPENDING", "s", "g", "-", "+", "10"]),
        array(vec![
            pending_entry("1-0", "consumer-1", 20, 1),
            pending_entry("2-0", "consumer-1", 20, 1),
            pending_entry("3-0", "consumer-2", 20, 1),
            pending_entry("4-0", "consumer-2", 20, 1),
        ])
    );
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "-", "+", "10", "consumer-1"])), 2);
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "-", "+", "1"])), 1);
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "-", "+", "-1"])), 0);
    assert_eq!(h.run(&["XPENDING", "s", "g", "-", "+", "10", "nobody"]), array(vec![]));
    assert_eq!(
        h.run(&["XPENDING", "s", "g", "(1-0", "(4-0", "10"]),
        array(vec![pending_entry("2-0", "consumer-1", 20, 1), pending_entry("3-0", "consumer-2", 20, 1)])
    );
}

#[test]
fn xpending_idle_filters_recent_deliveries() {
    let mut h = with_pending();
    h.advance_ms(20);
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "IDLE", "99999999", "-", "+", "10", "consumer-1"])), 0);
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "IDLE", "1", "-", "+", "10", "consumer-1"])), 2);
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "IDLE", "99999999", "-", "+", "10"])), 0);
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "IDLE", "1", "-", "+", "10"])), 4);
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "IDLE", "21", "-", "+", "10"])), 0);
}

#[test]
fn xpending_errors_match_valkey() {
    let mut h = with_pending();
    let syntax = err("ERR syntax error");
    assert_eq!(h.run(&["XPENDING", "s", "g", "-"]), syntax);
    assert_eq!(h.run(&["XPENDING", "s", "g", "-", "+"]), syntax);
    assert_eq!(h.run(&["XPENDING", "s", "g", "IDLE", "10", "-", "+"]), syntax);
    assert_eq!(
        h.run(&["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(h.run(&["XPENDING", "s", "g", "-", "+", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["XPENDING", "s", "g", "x", "+", "10"]), err(INVALID_ID));
    assert_eq!(h.run(&["XPENDING", "s", "nog"]), err("NOGROUP No such key 's' or consumer group 'nog'"));
    assert_eq!(h.run(&["XPENDING", "nokey", "g"]), err("NOGROUP No such key 'nokey' or consumer group 'g'"));
}

#[test]
fn xack_removes_entries_from_both_pending_lists() {
    let mut h = with_pending();
    assert_eq!(h.run(&["XACK", "s", "g", "1-0"]), int(1));
    assert_eq!(h.run(&["XPENDING", "s", "g", "-", "+", "10", "consumer-1"]).clone(), {
        let r = h.run(&["XPENDING", "s", "g", "-", "+", "10", "consumer-1"]);
        assert_eq!(len(r.clone()), 1);
        r
    });
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "-", "+", "10"])), 3);
    assert_eq!(h.run(&["XACK", "s", "g", "1-0"]), int(0));
    assert_eq!(h.run(&["XACK", "s", "g", "1-0", "2-0"]), int(1));
    assert_eq!(h.run(&["XACK", "s", "g", "3", "invalid-id"]), err(INVALID_ID));
    assert_eq!(h.run(&["XACK", "s", "g", "3"]), int(1), "nothing was acknowledged by the failed call");
    assert_eq!(h.run(&["XACK", "s", "nog", "x"]), int(0));
    assert_eq!(h.run(&["XACK", "nokey", "g", "x"]), int(0));
}

// -- XCLAIM, XAUTOCLAIM -------------------------------------------------------------------------------

/// A stream `s` with entries 1-0 .. n-0 (fields `a 1`, `b 2` ...) and group `g` from 0.
fn with_entries(n: usize) -> Harness {
    let mut h = Harness::new();
    for (i, f) in ["a", "b", "c", "d", "e"].iter().take(n).enumerate() {
        add(&mut h, "s", &format!("{}", i + 1), &[f, &(i + 1).to_string()]);
    }
    h.run(&["XGROUP", "CREATE", "s", "g", "0"]);
    h
}

#[test]
fn xclaim_moves_entries_between_consumers() {
    let mut h = with_entries(3);
    assert_eq!(
        h.run(&["XREADGROUP", "GROUP", "g", "consumer1", "COUNT", "1", "STREAMS", "s", ">"]),
        read_reply("s", vec![entry("1-0", &["a", "1"])])
    );
    h.advance_ms(200);
    assert_eq!(h.run(&["XCLAIM", "s", "g", "consumer2", "10", "1-0"]), array(vec![entry("1-0", &["a", "1"])]));
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "-", "+", "10", "consumer1"])), 0);
    assert_eq!(h.run(&["XPENDING", "s", "g", "-", "+", "10"]), array(vec![pending_entry("1-0", "consumer2", 0, 2)]));
    // Too recently delivered to be claimed with a minimum idle time.
    assert_eq!(h.run(&["XCLAIM", "s", "g", "consumer3", "10", "1-0"]), array(vec![]));
    h.run(&["XREADGROUP", "GROUP", "g", "consumer1", "COUNT", "2", "STREAMS", "s", ">"]);
    h.advance_ms(200);
    // Deleted entries are not claimed, and leave the pending lists.
    h.run(&["XDEL", "s", "2-0"]);
    assert_eq!(h.run(&["XCLAIM", "s", "g", "consumer2", "10", "2-0"]), array(vec![]));
    assert_eq!(len(h.run(&["XPENDING", "s", "g", "-", "+", "10", "consumer1"])), 1);
    // The same consumer may claim its own entry.
    assert_eq!(len(h.run(&["XCLAIM", "s", "g", "consumer1", "10", "3-0"])), 1);
}

#[test]
fn xclaim_justid_does_not_count_a_delivery() {
    let mut h = with_entries(3);
    h.run(&["XREADGROUP", "GROUP", "g", "consumer1", "COUNT", "1", "STREAMS", "s", ">"]);
    h.advance_ms(200);
    h.run(&["XCLAIM", "s", "g", "consumer2", "10", "1-0"]);
    assert_eq!(items(items(h.run(&["XPENDING", "s", "g", "-", "+", "10"])).remove(0))[3], int(2));
    h.advance_ms(200);
    assert_eq!(h.run(&["XCLAIM", "s", "g", "consumer3", "10", "1-0", "JUSTID"]), bulks(&["1-0"]));
    assert_eq!(h.run(&["XPENDING", "s", "g", "-", "+", "10"]), array(vec![pending_entry("1-0", "consumer3", 0, 2)]));
}

#[test]
fn xclaim_options_set_the_delivery_data() {
    let mut h = with_entries(3);
    h.run(&["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"]);
    h.run(&["XCLAIM", "s", "g", "c2", "0", "1-0", "IDLE", "5000", "RETRYCOUNT", "7"]);
    assert_eq!(items(h.run(&["XPENDING", "s", "g", "-", "1", "10"])), vec![pending_entry("1-0", "c2", 5000, 7)]);
    let t = (h.now_ms() - 300).to_string();
    h.run(&["XCLAIM", "s", "g", "c2", "0", "2-0", "TIME", &t]);
    assert_eq!(items(h.run(&["XPENDING", "s", "g", "2", "2", "10"])), vec![pending_entry("2-0", "c2", 300, 2)]);
    // A time in the future is taken as now.
    h.run(&["XCLAIM", "s", "g", "c2", "0", "3-0", "IDLE", "-5000"]);
    assert_eq!(items(h.run(&["XPENDING", "s", "g", "3", "3", "10"])), vec![pending_entry("3-0", "c2", 0, 2)]);
    // LASTID moves the group forward, never back.
    h.run(&["XCLAIM", "s", "g", "c2", "0", "3-0", "LASTID", "9-0"]);
    assert_eq!(field(&items(h.run(&["XINFO", "GROUPS", "s"]))[0], "last-delivered-id"), bulk("9-0"));
    h.run(&["XCLAIM", "s", "g", "c2", "0", "3-0", "LASTID", "1-0"]);
    assert_eq!(field(&items(h.run(&["XINFO", "GROUPS", "s"]))[0], "last-delivered-id"), bulk("9-0"));
}

#[test]
fn xclaim_force_creates_pending_entries_for_existing_entries_only() {
    let mut h = with_entries(2);
    assert_eq!(h.run(&["XCLAIM", "s", "g", "c", "0", "1-0"]), array(vec![]));
    assert_eq!(h.run(&["XCLAIM", "s", "g", "c", "0", "1-0", "5-0", "FORCE", "JUSTID"]), bulks(&["1-0"]));
    assert_eq!(h.run(&["XPENDING", "s", "g", "-", "+", "10"]), array(vec![pending_entry("1-0", "c", 0, 1)]));
    assert_eq!(h.run(&["XCLAIM", "s", "g", "d", "0", "2-0", "FORCE"]), array(vec![entry("2-0", &["b", "2"])]));
    assert_eq!(items(h.run(&["XPENDING", "s", "g", "2", "2", "10"])), vec![pending_entry("2-0", "d", 0, 2)]);
}

#[test]
fn xclaim_with_deleted_and_trimmed_entries() {
    let mut h = Harness::new();
    for ms in 1..=3 {
        add(&mut h, "x", &format!("{ms}-0"), &["f", "v"]);
    }
    h.run(&["XGROUP", "CREATE", "x", "grp", "0"]);
    h.run(&["XREADGROUP", "GROUP", "grp", "Alice", "STREAMS", "x", ">"]);
    h.run(&["XDEL", "x", "2-0"]);
    assert_eq!(
        h.run(&["XCLAIM", "x", "grp", "Bob", "0", "1-0", "2-0", "3-0"]),
        array(vec![entry("1-0", &["f", "v"]), entry("3-0", &["f", "v"])])
    );
    assert_eq!(h.run(&["XPENDING", "x", "grp", "-", "+", "10", "Alice"]), array(vec![]));

    let mut h = Harness::new();
    h.run(&["CONFIG", "SET", "stream-node-max-entries", "2"]);
    for ms in 1..=3 {
        add(&mut h, "x", &format!("{ms}-0"), &["f", "v"]);
    }
    h.run(&["XGROUP", "CREATE", "x", "grp", "0"]);
    h.run(&["XREADGROUP", "GROUP", "grp", "Alice", "STREAMS", "x", ">"]);
    h.run(&["XTRIM", "x", "MAXLEN", "1"]);
    assert_eq!(h.run(&["XCLAIM", "x", "grp", "Bob", "0", "1-0", "2-0", "3-0"]), array(vec![entry("3-0", &["f", "v"])]));
    assert_eq!(h.run(&["XPENDING", "x", "grp", "-", "+", "10", "Alice"]), array(vec![]));
}

#[test]
fn xclaim_errors_match_valkey() {
    let mut h = with_entries(1);
    assert_eq!(
        h.run(&["XCLAIM", "nokey", "g", "c", "0", "1"]),
        err("NOGROUP No such key 'nokey' or consumer group 'g'")
    );
    assert_eq!(h.run(&["XCLAIM", "s", "nog", "c", "0", "1"]), err("NOGROUP No such key 's' or consumer group 'nog'"));
    assert_eq!(h.run(&["XCLAIM", "s", "g", "c", "abc", "1-1"]), err("ERR Invalid min-idle-time argument for XCLAIM"));
    assert_eq!(
        h.run(&["XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "x"]),
        err("ERR Invalid IDLE option argument for XCLAIM")
    );
    assert_eq!(
        h.run(&["XCLAIM", "s", "g", "c", "0", "1-1", "TIME", "x"]),
        err("ERR Invalid TIME option argument for XCLAIM")
    );
    assert_eq!(
        h.run(&["XCLAIM", "s", "g", "c", "0", "1-1", "RETRYCOUNT", "x"]),
        err("ERR Invalid RETRYCOUNT option argument for XCLAIM")
    );
    assert_eq!(h.run(&["XCLAIM", "s", "g", "c", "0", "1-1", "LASTID", "x"]), err(INVALID_ID));
    assert_eq!(h.run(&["XCLAIM", "s", "g", "c", "0", "1-1", "FOO"]), err("ERR Unrecognized XCLAIM option 'FOO'"));
    assert_eq!(h.run(&["XCLAIM", "s", "g", "c", "0", "FORCE", "1-1"]), err("ERR Unrecognized XCLAIM option '1-1'"));
}

#[test]
fn xautoclaim_claims_idle_entries_and_skips_deleted_ones() {
    let mut h = with_entries(4);
    h.run(&["XREADGROUP", "GROUP", "g", "consumer1", "COUNT", "1", "STREAMS", "s", ">"]);
    h.advance_ms(200);
    assert_eq!(
        h.run(&["XAUTOCLAIM", "s", "g", "consumer2", "10", "-", "COUNT", "1"]),
        array(vec![bulk("0-0"), array(vec![entry("1-0", &["a", "1"])]), array(vec![])])
    );
    h.run(&["XREADGROUP", "GROUP", "g", "consumer1", "COUNT", "3", "STREAMS", "s", ">"]);
    h.advance_ms(200);
    h.run(&["XDEL", "s", "2-0"]);
    assert_eq!(
        h.run(&["XAUTOCLAIM", "s", "g", "consumer2", "10", "-", "COUNT", "3"]),
        array(vec![bulk("4-0"), array(vec![entry("1-0", &["a", "1"]), entry("3-0", &["c", "3"])]), bulks(&["2-0"]),])
    );
    h.advance_ms(200);
    h.run(&["XDEL", "s", "4-0"]);
    assert_eq!(
        h.run(&["XAUTOCLAIM", "s", "g", "consumer2", "10", "-", "JUSTID"]),
        array(vec![bulk("0-0"), bulks(&["1-0", "3-0"]), bulks(&["4-0"])])
    );
}

#[test]
fn xautoclaim_works_as_an_iterator() {
    let mut h = with_entries(5);
    h.run(&["XREADGROUP", "GROUP", "g", "consumer1", "COUNT", "90", "STREAMS", "s", ">"]);
    h.advance_ms(200);
    let r = items(h.run(&["XAUTOCLAIM", "s", "g", "consumer2", "10", "-", "COUNT", "2"]));
    assert_eq!(r[0], bulk("3-0"));
    assert_eq!(r[1], array(vec![entry("1-0", &["a", "1"]), entry("2-0", &["b", "2"])]));
    let r = items(h.run(&["XAUTOCLAIM", "s", "g", "consumer2", "10", "3-0", "COUNT", "2"]));
    assert_eq!(r[0], bulk("5-0"));
    assert_eq!(r[1], array(vec![entry("3-0", &["c", "3"]), entry("4-0", &["d", "4"])]));
    let r = items(h.run(&["XAUTOCLAIM", "s", "g", "consumer2", "10", "5-0", "COUNT", "1"]));
    assert_eq!(r[0], bulk("0-0"));
    assert_eq!(r[1], array(vec![entry("5-0", &["e", "5"])]));
}

#[test]
fn xautoclaim_counts_deleted_entries_against_count() {
    let mut h = Harness::new();
    for ms in 1..=3 {
        add(&mut h, "x", &format!("{ms}-0"), &["f", "v"]);
    }
    h.run(&["XGROUP", "CREATE", "x", "grp", "0"]);
    h.run(&["XREADGROUP", "GROUP", "grp", "Alice", "STREAMS", "x", ">"]);
    h.run(&["XDEL", "x", "1-0"]);
    h.run(&["XDEL", "x", "2-0"]);
    assert_eq!(
        h.run(&["XAUTOCLAIM", "x", "grp", "Bob", "0", "0-0", "COUNT", "1"]),
        array(vec![bulk("2-0"), array(vec![]), bulks(&["1-0"])])
    );
    assert_eq!(
        h.run(&["XAUTOCLAIM", "x", "grp", "Bob", "0", "2-0", "COUNT", "1"]),
        array(vec![bulk("3-0"), array(vec![]), bulks(&["2-0"])])
    );
    assert_eq!(
        h.run(&["XAUTOCLAIM", "x", "grp", "Bob", "0", "3-0", "COUNT", "1"]),
        array(vec![bulk("0-0"), array(vec![entry("3-0", &["f", "v"])]), array(vec![])])
    );
    assert_eq!(h.run(&["XPENDING", "x", "grp", "-", "+", "10", "Alice"]), array(vec![]));
}

#[test]
fn xautoclaim_errors_match_valkey() {
    let mut h = with_entries(1);
    let e = err("ERR COUNT must be > 0");
    assert_eq!(h.run(&["XAUTOCLAIM", "key", "group", "consumer", "1", "1", "COUNT", "0"]), e);
    assert_eq!(h.run(&["XAUTOCLAIM", "s", "g", "c", "0", "3-0", "COUNT", "8070450532247928833"]), e);
    assert_eq!(h.run(&["XAUTOCLAIM", "s", "g", "c", "0", "3-0", "COUNT", "x"]), e);
    assert_eq!(
        h.run(&["XAUTOCLAIM", "s", "g", "c", "x", "0"]),
        err("ERR Invalid min-idle-time argument for XAUTOCLAIM")
    );
    assert_eq!(
        h.run(&["XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"]),
        err("ERR invalid start ID for the interval")
    );
    assert_eq!(h.run(&["XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"]), err("ERR syntax error"));
    assert_eq!(
        h.run(&["XAUTOCLAIM", "s", "nog", "c", "0", "0"]),
        err("NOGROUP No such key 's' or consumer group 'nog'")
    );
}

// -- XINFO ----------------------------------------------------------------------------------------------

#[test]
fn xinfo_stream_reports_the_stream_in_both_protocols() {
    let mut h = Harness::new();
    add(&mut h, "s", "1-1", &["a", "1"]);
    add(&mut h, "s", "2-0", &["a", "b"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "$"]);
    let expected = vec![
        (bulk("length"), int(2)),
        (bulk("radix-tree-keys"), int(1)),
        (bulk("radix-tree-nodes"), int(2)),
        (bulk("last-generated-id"), bulk("2-0")),
        (bulk("max-deleted-entry-id"), bulk("0-0")),
        (bulk("entries-added"), int(2)),
        (bulk("recorded-first-entry-id"), bulk("1-1")),
        (bulk("groups"), int(1)),
        (bulk("first-entry"), entry("1-1", &["a", "1"])),
        (bulk("last-entry"), entry("2-0", &["a", "b"])),
    ];
    let r = h.run(&["XINFO", "STREAM", "s"]);
    assert_eq!(r, Reply::Map(expected.clone()));
    assert!(wire(&r, Protocol::Resp2).starts_with("*20\r\n$6\r\nlength\r\n:2\r\n"));
    assert!(wire(&r, Protocol::Resp3).starts_with("%10\r\n$6\r\nlength\r\n:2\r\n"));
    h.run(&["XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"]);
    let r = h.run(&["XINFO", "STREAM", "e"]);
    assert_eq!(field(&r, "radix-tree-nodes"), int(1));
    assert_eq!(field(&r, "first-entry"), null());
    assert!(wire(&r, Protocol::Resp2).ends_with("$10\r\nlast-entry\r\n$-1\r\n"));
}

#[test]
fn xinfo_stream_full_lists_entries_groups_and_consumers() {
    let mut h = Harness::new();
    for (ms, f) in [("100", "a"), ("101", "b"), ("102", "c"), ("103", "e"), ("104", "f")] {
        add(&mut h, "x", ms, &[f, "1"]);
    }
    h.run(&["XGROUP", "CREATE", "x", "g1", "0"]);
    h.run(&["XGROUP", "CREATE", "x", "g2", "0"]);
    h.run(&["XREADGROUP", "GROUP", "g1", "Alice", "COUNT", "1", "STREAMS", "x", ">"]);
    h.run(&["XREADGROUP", "GROUP", "g1", "Bob", "COUNT", "1", "STREAMS", "x", ">"]);
    h.run(&["XREADGROUP", "GROUP", "g1", "Bob", "NOACK", "COUNT", "1", "STREAMS", "x", ">"]);
    h.run(&["XREADGROUP", "GROUP", "g2", "Charlie", "COUNT", "4", "STREAMS", "x", ">"]);
    h.run(&["XDEL", "x", "103"]);
    let now = h.now_ms();
    let r = h.run(&["XINFO", "STREAM", "x", "FULL"]);
    assert!(matches!(&r, Reply::Map(pairs) if pairs.len() == 9));
    assert!(wire(&r, Protocol::Resp2).starts_with("*18\r\n"));
    assert_eq!(field(&r, "length"), int(4));
    assert_eq!(
        field(&r, "entries"),
        array(vec![
            entry("100-0", &["a", "1"]),
            entry("101-0", &["b", "1"]),
            entry("102-0", &["c", "1"]),
            entry("104-0", &["f", "1"])
        ])
    );
    let groups = items(field(&r, "groups"));
    assert_eq!(
        groups[0],
        Reply::Map(vec![
            (bulk("name"), bulk("g1")),
            (bulk("last-delivered-id"), bulk("102-0")),
            (bulk("entries-read"), int(3)),
            (bulk("lag"), Reply::Null),
            (bulk("pel-count"), int(2)),
            (
                bulk("pending"),
                array(vec![
                    array(vec![bulk("100-0"), bulk("Alice"), int(now), int(1)]),
                    array(vec![bulk("101-0"), bulk("Bob"), int(now), int(1)]),
                ])
            ),
            (
                bulk("consumers"),
                array(vec![
                    Reply::Map(vec![
                        (bulk("name"), bulk("Alice")),
                        (bulk("seen-time"), int(now)),
                        (bulk("active-time"), int(now)),
                        (bulk("pel-count"), int(1)),
                        (bulk("pending"), array(vec![array(vec![bulk("100-0"), int(now), int(1)])])),
                    ]),
                    Reply::Map(vec![
                        (bulk("name"), bulk("Bob")),
                        (bulk("seen-time"), int(now)),
                        (bulk("active-time"), int(now)),
                        (bulk("pel-count"), int(1)),
                        (bulk("pending"), array(vec![array(vec![bulk("101-0"), int(now), int(1)])])),
                    ]),
                ])
            ),
        ])
    );
    let charlie = items(field(&groups[1], "consumers")).remove(0);
    assert_eq!(field(&charlie, "name"), bulk("Charlie"));
    assert_eq!(len(field(&charlie, "pending")), 4);
    let r = h.run(&["XINFO", "STREAM", "x", "FULL", "COUNT", "1"]);
    assert_eq!(field(&r, "entries"), array(vec![entry("100-0", &["a", "1"])]));
    assert_eq!(len(field(&items(field(&r, "groups")).remove(1), "pending")), 1);
}

#[test]
fn xinfo_errors_match_valkey() {
    let mut h = Harness::new();
    add(&mut h, "s", "1", &["a", "b"]);
    let e = err("ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.");
    assert_eq!(h.run(&["XINFO", "STREAM", "s", "foo"]), e);
    assert_eq!(h.run(&["XINFO", "STREAM", "s", "FULL", "COUNT"]), e);
    assert_eq!(h.run(&["XINFO", "STREAM", "s", "FULL", "LIMIT", "1"]), e);
    assert_eq!(
        h.run(&["XINFO", "STREAM", "s", "FULL", "COUNT", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(h.run(&["XINFO", "STREAM", "nokey"]), err("ERR no such key"));
    assert_eq!(h.run(&["XINFO", "STREAM", "nokey", "foo"]), err("ERR no such key"));
    assert_eq!(h.run(&["XINFO", "GROUPS", "nokey"]), err("ERR no such key"));
    assert_eq!(
        h.run(&["XINFO", "CONSUMERS", "s", "nog"]),
        err("NOGROUP No such consumer group 'nog' for key name 's'")
    );
    assert_eq!(h.run(&["XINFO", "FOO", "s"]), err("ERR unknown subcommand 'FOO'. Try XINFO HELP."));
    h.run(&["SET", "str", "x"]);
    assert_eq!(
        h.run(&["XINFO", "STREAM", "str"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn xinfo_consumers_reports_seen_and_active_times() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    h.run(&["XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "s", ">"]);
    h.advance_ms(100);
    assert_eq!(
        h.run(&["XINFO", "CONSUMERS", "s", "g"]),
        array(vec![Reply::Map(vec![
            (bulk("name"), bulk("Alice")),
            (bulk("pending"), int(0)),
            (bulk("idle"), int(100)),
            (bulk("inactive"), int(-1)),
        ])])
    );
    h.run(&["XADD", "s", "*", "f", "v"]);
    h.run(&["XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "s", ">"]);
    h.advance_ms(100);
    h.run(&["XREADGROUP", "GROUP", "g", "Alice", "COUNT", "1", "STREAMS", "s", ">"]);
    let c = items(h.run(&["XINFO", "CONSUMERS", "s", "g"])).remove(0);
    assert_eq!(field(&c, "pending"), int(1));
    assert_eq!(field(&c, "idle"), int(0));
    assert_eq!(field(&c, "inactive"), int(100));
}

#[test]
fn xinfo_groups_in_resp3_is_an_array_of_maps() {
    let mut h = Harness::resp3();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    let r = h.run(&["XINFO", "GROUPS", "s"]);
    assert_eq!(
        r,
        array(vec![Reply::Map(vec![
            (bulk("name"), bulk("g")),
            (bulk("consumers"), int(0)),
            (bulk("pending"), int(0)),
            (bulk("last-delivered-id"), bulk("0-0")),
            (bulk("entries-read"), Reply::Null),
            (bulk("lag"), int(0)),
        ])])
    );
    assert!(wire(&r, Protocol::Resp3).starts_with("*1\r\n%6\r\n"));
    assert!(wire(&r, Protocol::Resp2).starts_with("*1\r\n*12\r\n"));
}

// -- read counters and lag ------------------------------------------------------------------------------

#[test]
fn group_lag_in_empty_streams() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "x", "g1", "0", "MKSTREAM"]);
    let r = xinfo_full(&mut h, "x");
    assert_eq!(field(&r, "max-deleted-entry-id"), bulk("0-0"));
    assert_eq!(field(&r, "entries-added"), int(0));
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (null(), int(0)));
    add(&mut h, "x", "1-0", &["data", "a"]);
    h.run(&["XDEL", "x", "1-0"]);
    let r = xinfo_full(&mut h, "x");
    assert_eq!(field(&r, "max-deleted-entry-id"), bulk("1-0"));
    assert_eq!(field(&r, "entries-added"), int(1));
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (null(), int(0)));
}

#[test]
fn group_read_counter_and_lag_follow_reads() {
    let mut h = Harness::new();
    for (ms, v) in [("1", "a"), ("2", "b"), ("3", "c"), ("4", "d"), ("5", "e")] {
        add(&mut h, "x", &format!("{ms}-0"), &["data", v]);
    }
    h.run(&["XGROUP", "CREATE", "x", "g1", "0"]);
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (null(), int(5)));
    h.run(&["XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">"]);
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (int(1), int(4)));
    h.run(&["XREADGROUP", "GROUP", "g1", "c12", "COUNT", "10", "STREAMS", "x", ">"]);
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (int(5), int(0)));
    add(&mut h, "x", "6-0", &["data", "f"]);
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (int(5), int(1)));
}

#[test]
fn group_lag_with_deletions_is_unknown_until_past_them() {
    let mut h = Harness::new();
    for (ms, v) in [("1", "a"), ("2", "b"), ("3", "c"), ("4", "d"), ("5", "e")] {
        add(&mut h, "x", &format!("{ms}-0"), &["data", v]);
    }
    h.run(&["XDEL", "x", "3-0"]);
    h.run(&["XGROUP", "CREATE", "x", "g1", "0"]);
    h.run(&["XGROUP", "CREATE", "x", "g2", "0"]);
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (null(), null()));
    for _ in 0..3 {
        h.run(&["XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">"]);
        let g = first_group(&mut h, "x");
        assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (null(), null()));
    }
    h.run(&["XREADGROUP", "GROUP", "g1", "c11", "COUNT", "1", "STREAMS", "x", ">"]);
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (int(5), int(0)));
    add(&mut h, "x", "6-0", &["data", "f"]);
    let g = first_group(&mut h, "x");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (int(5), int(1)));
    h.run(&["XTRIM", "x", "MINID", "=", "3-0"]);
    let groups = items(field(&xinfo_full(&mut h, "x"), "groups"));
    assert_eq!((field(&groups[0], "entries-read"), field(&groups[0], "lag")), (int(5), int(1)));
    assert_eq!((field(&groups[1], "entries-read"), field(&groups[1], "lag")), (null(), int(3)));
    h.run(&["XTRIM", "x", "MINID", "=", "5-0"]);
    let groups = items(field(&xinfo_full(&mut h, "x"), "groups"));
    assert_eq!((field(&groups[0], "entries-read"), field(&groups[0], "lag")), (int(5), int(1)));
    assert_eq!((field(&groups[1], "entries-read"), field(&groups[1], "lag")), (null(), int(2)));
}

#[test]
fn xreadgroup_counts_entries_read_across_entries_with_different_fields() {
    let mut h = Harness::new();
    h.run(&["XADD", "s", "*", "a", "b", "c", "d", "e", "f"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "$"]);
    h.run(&["XREADGROUP", "GROUP", "g", "ryan", "COUNT", "1", "STREAMS", "s", ">"]);
    h.run(&["XADD", "s", "*", "a1", "b1", "a1", "b2"]);
    h.run(&["XADD", "s", "*", "name", "v1", "name", "v1"]);
    h.run(&["XREADGROUP", "GROUP", "g", "ryan", "COUNT", "1", "STREAMS", "s", ">"]);
    h.run(&["XREADGROUP", "GROUP", "g", "ryan", "COUNT", "1", "STREAMS", "s", ">"]);
    let g = first_group(&mut h, "s");
    assert_eq!((field(&g, "entries-read"), field(&g, "lag")), (int(3), int(0)));
}

// -- XSETID ---------------------------------------------------------------------------------------------

#[test]
fn xsetid_sets_the_last_id_and_counters() {
    let mut h = Harness::new();
    h.run(&["XADD", "s", "MAXLEN", "0", "*", "a", "b"]);
    assert_eq!(h.run(&["XSETID", "s", "200-0"]), ok());
    let r = h.run(&["XINFO", "STREAM", "s"]);
    assert_eq!(field(&r, "last-generated-id"), bulk("200-0"));
    assert_eq!(field(&r, "entries-added"), int(1));
    assert_eq!(h.run(&["XSETID", "s", "300-0", "ENTRIESADDED", "10", "MAXDELETEDID", "250-0"]), ok());
    let r = h.run(&["XINFO", "STREAM", "s"]);
    assert_eq!(field(&r, "entries-added"), int(10));
    assert_eq!(field(&r, "max-deleted-entry-id"), bulk("250-0"));
    assert_eq!(
        add(&mut h, "s", "300-0", &["a", "b"]),
        err("ERR The ID specified in XADD is equal or smaller than the target stream top item")
    );
}

#[test]
fn xsetid_errors_match_valkey() {
    let mut h = Harness::new();
    h.advance_ms(1);
    h.run(&["XADD", "s", "*", "a", "b"]);
    assert_eq!(
        h.run(&["XSETID", "s", "1-1"]),
        err("ERR The ID specified in XSETID is smaller than the target stream top item")
    );
    assert_eq!(h.run(&["XSETID", "nokey", "1-1"]), err("ERR no such key"));
    assert_eq!(h.run(&["XSETID", "nokey", "1-1", "0"]), err("ERR syntax error"));
    assert_eq!(h.run(&["XSETID", "nokey", "1-1", "0-0"]), err("ERR syntax error"));
    assert_eq!(
        h.run(&["XSETID", "nokey", "1-1", "ENTRIESADDED", "-1", "MAXDELETEDID", "0-0"]),
        err("ERR entries_added must be positive")
    );
    assert_eq!(h.run(&["XSETID", "s", "abc"]), err(INVALID_ID));
    add(&mut h, "x", "1-0", &["a", "b"]);
    assert_eq!(
        h.run(&["XSETID", "x", "1-0", "ENTRIESADDED", "1", "MAXDELETEDID", "2-0"]),
        err("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
    );
    assert_eq!(
        h.run(&["XSETID", "x", "1-0", "ENTRIESADDED", "0", "MAXDELETEDID", "0-0"]),
        err("ERR The entries_added specified in XSETID is smaller than the target stream length")
    );
    h.run(&["DEL", "x"]);
    for (id, f) in [("1-1", "a"), ("1-2", "b"), ("1-3", "c")] {
        add(&mut h, "x", id, &[f, "1"]);
    }
    h.run(&["XDEL", "x", "1-2"]);
    h.run(&["XDEL", "x", "1-3"]);
    assert_eq!(field(&h.run(&["XINFO", "STREAM", "x"]), "max-deleted-entry-id"), bulk("1-3"));
    assert_eq!(
        h.run(&["XSETID", "x", "1-2"]),
        err("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id")
    );
}

// -- the generic commands on streams -------------------------------------------------------------------

#[test]
fn generic_commands_see_streams() {
    let mut h = Harness::new();
    add(&mut h, "s", "1-1", &["a", "1"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "0"]);
    h.run(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]);
    h.run(&["SET", "str", "x"]);
    assert_eq!(h.run(&["TYPE", "s"]), status("stream"));
    assert_eq!(h.run(&["OBJECT", "ENCODING", "s"]), bulk("stream"));
    assert_eq!(h.run(&["SCAN", "0", "TYPE", "stream"]), array(vec![bulk("0"), bulks(&["s"])]));
    assert_eq!(h.run(&["COPY", "s", "t"]), int(1));
    add(&mut h, "t", "2-0", &["b", "2"]);
    assert_eq!(h.run(&["XLEN", "s"]), int(1), "the copy is independent");
    assert_eq!(h.run(&["XLEN", "t"]), int(2));
    assert_eq!(len(h.run(&["XPENDING", "t", "g", "-", "+", "10", "c"])), 1, "groups are copied too");
    assert_eq!(h.run(&["RENAME", "t", "u"]), ok());
    assert_eq!(h.run(&["XRANGE", "u", "2", "+"]), array(vec![entry("2-0", &["b", "2"])]));
    assert_eq!(h.run(&["DEL", "s", "u"]), int(2));
    assert!(matches!(h.run(&["MEMORY", "USAGE", "str"]), Reply::Int(_)));
}

#[test]
fn memory_usage_of_a_stream_grows_with_it() {
    let mut h = Harness::new();
    add(&mut h, "s", "1", &["a", "1"]);
    let Reply::Int(small) = h.run(&["MEMORY", "USAGE", "s"]) else { panic!() };
    for j in 2..500 {
        add(&mut h, "s", &j.to_string(), &["a", "a somewhat longer value"]);
    }
    let Reply::Int(big) = h.run(&["MEMORY", "USAGE", "s"]) else { panic!() };
    assert!(big > small + 499 * 20, "{small} {big}");
}

// -- keyspace events --------------------------------------------------------------------------------------

fn with_events() -> (Harness, u64) {
    use ferrokey_core::notify::{ALL, KEYSPACE, NEW};
    let mut h = Harness::with_config(Config { notify_keyspace_events: ALL | KEYSPACE | NEW, ..Config::default() });
    let sub = h.connect();
    h.send_as(sub, &["PSUBSCRIBE", "__keyspace@0__:*"]);
    h.output(sub);
    (h, sub)
}

/// The events the subscriber got since last asked.
fn events(h: &mut Harness, sub: u64) -> Vec<String> {
    h.output(sub)
        .into_iter()
        .filter_map(|m| match m {
            Reply::Push(v) | Reply::Array(v) => match &v[3] {
                Reply::Bulk(ev) => Some(String::from_utf8_lossy(ev).into_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn stream_writes_fire_valkeys_keyspace_events() {
    let (mut h, sub) = with_events();
    h.run(&["XADD", "s", "MAXLEN", "1", "1", "a", "b"]);
    assert_eq!(events(&mut h, sub), vec!["new", "xadd"]);
    h.run(&["XADD", "s", "MAXLEN", "1", "2", "a", "b"]);
    assert_eq!(events(&mut h, sub), vec!["xadd", "xtrim"]);
    h.run(&["XDEL", "s", "2", "9"]);
    assert_eq!(events(&mut h, sub), vec!["xdel"]);
    h.run(&["XDEL", "s", "2"]);
    assert_eq!(events(&mut h, sub), Vec::<String>::new());
    h.run(&["XADD", "s", "3", "a", "b"]);
    h.run(&["XADD", "s", "4", "a", "b"]);
    h.run(&["XTRIM", "s", "MAXLEN", "1"]);
    assert_eq!(events(&mut h, sub), vec!["xadd", "xadd", "xtrim"]);
    h.run(&["XGROUP", "CREATE", "s", "g", "0"]);
    h.run(&["XGROUP", "SETID", "s", "g", "0"]);
    h.run(&["XGROUP", "CREATECONSUMER", "s", "g", "c"]);
    h.run(&["XGROUP", "DELCONSUMER", "s", "g", "c"]);
    h.run(&["XREADGROUP", "GROUP", "g", "d", "STREAMS", "s", ">"]);
    h.run(&["XCLAIM", "s", "g", "e", "0", "4"]);
    h.run(&["XAUTOCLAIM", "s", "g", "f", "0", "0"]);
    h.run(&["XACK", "s", "g", "4"]);
    h.run(&["XGROUP", "DESTROY", "s", "g"]);
    h.run(&["XSETID", "s", "10"]);
    assert_eq!(
        events(&mut h, sub),
        vec![
            "xgroup-create",
            "xgroup-setid",
            "xgroup-createconsumer",
            "xgroup-delconsumer",
            "xgroup-createconsumer",
            "xgroup-createconsumer",
            "xgroup-createconsumer",
            "xgroup-destroy",
            "xsetid",
        ]
    );
    h.run(&["XGROUP", "CREATE", "n", "g", "$", "MKSTREAM"]);
    assert_eq!(events(&mut h, sub), vec!["new", "xgroup-create"]);
}

#[test]
fn xadd_invalidates_watch_but_xack_does_not() {
    let mut h = Harness::new();
    h.run(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    add(&mut h, "s", "1", &["a", "b"]);
    h.run(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]);
    let other = h.connect();
    h.run(&["WATCH", "s"]);
    h.run_as(other, &["XACK", "s", "g", "1"]);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![status("PONG")]));
    h.run(&["WATCH", "s"]);
    h.run_as(other, &["XADD", "s", "2", "a", "b"]);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["EXEC"]), null_array());
}

#[test]
fn command_info_reports_xread_keys() {
    let mut h = Harness::new();
    let info = items(items(h.run(&["COMMAND", "INFO", "xread"])).remove(0));
    assert_eq!(info[1], int(-4));
    assert_eq!(&info[3..6], &[int(0), int(0), int(0)]);
    assert_eq!(
        h.run(&[
            "COMMAND",
            "GETKEYS",
            "XREADGROUP",
            "GROUP",
            "streams",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "a",
            "b",
            ">",
            ">"
        ]),
        bulks(&["a", "b"])
    );
}
