//! List commands, blocking ones included, against Valkey 8.0.1's replies (tests/unit/type/list*.tcl).

mod common;
use common::*;
use ferrokey_core::config::Config;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

fn with_fill(fill: i64) -> Harness {
    Harness::with_config(Config { list_max_listpack_size: fill, ..Config::default() })
}

fn rpush(h: &mut Harness, key: &str, items: &[&str]) {
    let mut argv = vec!["RPUSH", key];
    argv.extend_from_slice(items);
    h.run(&argv);
}

fn lrange(h: &mut Harness, key: &str) -> Reply {
    h.run(&["LRANGE", key, "0", "-1"])
}

fn encoding(h: &mut Harness, key: &str) -> Reply {
    h.run(&["OBJECT", "ENCODING", key])
}

fn null_array() -> Reply {
    Reply::NullArray
}

/// `[key, element]` as BLPOP and friends reply.
fn kv(key: &str, value: &str) -> Reply {
    bulks(&[key, value])
}

/// `[key, [elements]]` as LMPOP and BLMPOP reply.
fn k_list(key: &str, values: &[&str]) -> Reply {
    array(vec![bulk(key), bulks(values)])
}

const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

// -- push, length, index ------------------------------------------------------------------------------

#[test]
fn lpush_rpush_variadic_keep_argument_order() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LPUSH", "l", "a", "b", "c", "d"]), int(4));
    assert_eq!(h.run(&["RPUSH", "l", "0", "1", "2", "3"]), int(8));
    assert_eq!(lrange(&mut h, "l"), bulks(&["d", "c", "b", "a", "0", "1", "2", "3"]));
    assert_eq!(h.run(&["LLEN", "l"]), int(8));
}

#[test]
fn lpush_against_string_returns_wrongtype() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "x"]);
    let wrongtype = err("WRONGTYPE Operation against a key holding the wrong kind of value");
    for cmd in ["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"] {
        assert_eq!(h.run(&[cmd, "s", "a"]), wrongtype, "{cmd}");
    }
    for argv in [
        &["LLEN", "s"][..],
        &["LINDEX", "s", "0"],
        &["LRANGE", "s", "0", "-1"],
        &["LPOP", "s"],
        &["RPOP", "s", "2"],
        &["LSET", "s", "0", "x"],
        &["LINSERT", "s", "after", "0", "0"],
        &["LREM", "s", "0", "x"],
        &["LTRIM", "s", "0", "1"],
        &["LPOS", "s", "x"],
        &["LMPOP", "1", "s", "LEFT"],
        &["BLPOP", "s", "0"],
        &["BRPOP", "s", "0"],
        &["BLMPOP", "0", "1", "s", "LEFT"],
    ] {
        assert_eq!(h.run(argv), wrongtype, "{argv:?}");
    }
}

#[test]
fn lpushx_rpushx_missing_key_returns_zero_and_creates_nothing() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LPUSHX", "x", "a"]), int(0));
    assert_eq!(h.run(&["RPUSHX", "x", "a"]), int(0));
    assert_eq!(h.run(&["EXISTS", "x"]), int(0));
}

#[test]
fn lpushx_rpushx_existing_list_push_every_element() {
    let mut h = Harness::new();
    rpush(&mut h, "x", &["big", "c"]);
    assert_eq!(h.run(&["RPUSHX", "x", "d"]), int(3));
    assert_eq!(h.run(&["LPUSHX", "x", "a"]), int(4));
    assert_eq!(h.run(&["RPUSHX", "x", "42", "x"]), int(6));
    assert_eq!(h.run(&["LPUSHX", "x", "y3", "y2", "y1"]), int(9));
    assert_eq!(lrange(&mut h, "x"), bulks(&["y1", "y2", "y3", "a", "big", "c", "d", "42", "x"]));
}

#[test]
fn llen_missing_key_returns_zero() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LLEN", "nokey"]), int(0));
}

#[test]
fn lindex_positive_and_negative_indexes_reach_both_ends() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["a", "b", "c"]);
    assert_eq!(h.run(&["LINDEX", "l", "0"]), bulk("a"));
    assert_eq!(h.run(&["LINDEX", "l", "2"]), bulk("c"));
    assert_eq!(h.run(&["LINDEX", "l", "-1"]), bulk("c"));
    assert_eq!(h.run(&["LINDEX", "l", "-3"]), bulk("a"));
    assert_eq!(h.run(&["LINDEX", "l", "3"]), null());
    assert_eq!(h.run(&["LINDEX", "l", "-4"]), null());
    assert_eq!(h.run(&["LINDEX", "l", "x"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn lindex_missing_key_returns_null_before_parsing_index() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LINDEX", "nokey", "10"]), null());
    assert_eq!(h.run(&["LINDEX", "nokey", "notanumber"]), null());
}

#[test]
fn lindex_consistency_over_many_nodes_matches_positions() {
    for fill in [-2, 5] {
        let mut h = with_fill(fill);
        let items: Vec<String> = (0..500).map(|i| i.to_string()).collect();
        for chunk in items.chunks(50) {
            let mut argv = vec!["RPUSH", "l"];
            argv.extend(chunk.iter().map(String::as_str));
            h.run(&argv);
        }
        for i in (0..500).step_by(7) {
            assert_eq!(h.run(&["LINDEX", "l", &i.to_string()]), bulk(&i.to_string()));
            assert_eq!(h.run(&["LINDEX", "l", &(-i - 1).to_string()]), bulk(&(499 - i).to_string()));
        }
    }
}

// -- pop ----------------------------------------------------------------------------------------------

#[test]
fn lpop_rpop_single_elements_from_both_ends() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["big", "1", "2"]);
    assert_eq!(h.run(&["LPOP", "l"]), bulk("big"));
    assert_eq!(h.run(&["RPOP", "l"]), bulk("2"));
    assert_eq!(h.run(&["LPOP", "l"]), bulk("1"));
    assert_eq!(h.run(&["LLEN", "l"]), int(0));
    assert_eq!(h.run(&["EXISTS", "l"]), int(0));
}

#[test]
fn lpop_rpop_with_count_return_elements_in_pop_order() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LPUSH", "l", "aa", "big", "cc", "dd", "ee", "ff", "gg"]), int(7));
    assert_eq!(h.run(&["LPOP", "l", "1"]), bulks(&["gg"]));
    assert_eq!(h.run(&["LPOP", "l", "2"]), bulks(&["ff", "ee"]));
    assert_eq!(h.run(&["RPOP", "l", "2"]), bulks(&["aa", "big"]));
    assert_eq!(h.run(&["RPOP", "l", "1"]), bulks(&["cc"]));
    assert_eq!(h.run(&["RPOP", "l", "123"]), bulks(&["dd"]));
    assert_eq!(h.run(&["EXISTS", "l"]), int(0));
}

#[test]
fn lpop_count_errors_match_valkey() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LPOP", "nokey", "-123"]), err("ERR value is out of range, must be positive"));
    assert_eq!(h.run(&["LPOP", "nokey", "x"]), err("ERR value is out of range, must be positive"));
    assert_eq!(h.run(&["LPOP", "key", "1", "1"]), err("ERR wrong number of arguments for 'lpop' command"));
    assert_eq!(h.run(&["RPOP", "key", "2", "2"]), err("ERR wrong number of arguments for 'rpop' command"));
}

#[test]
fn lpop_count_zero_returns_empty_array_in_both_protocols() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "l", "zero"]);
    let reply = h.run(&["LPOP", "l", "0"]);
    assert_eq!(wire(&reply, Protocol::Resp2), "*0\r\n");
    assert_eq!(wire(&reply, Protocol::Resp3), "*0\r\n");
    assert_eq!(wire(&h.run(&["RPOP", "l", "0"]), Protocol::Resp2), "*0\r\n");
    assert_eq!(h.run(&["LLEN", "l"]), int(1));
}

#[test]
fn lpop_missing_key_null_shapes_depend_on_count() {
    let mut h = Harness::new();
    for cmd in ["LPOP", "RPOP"] {
        let plain = h.run(&[cmd, "nokey"]);
        assert_eq!(wire(&plain, Protocol::Resp2), "$-1\r\n");
        assert_eq!(wire(&plain, Protocol::Resp3), "_\r\n");
        for count in ["0", "1"] {
            let counted = h.run(&[cmd, "nokey", count]);
            assert_eq!(wire(&counted, Protocol::Resp2), "*-1\r\n");
            assert_eq!(wire(&counted, Protocol::Resp3), "_\r\n");
        }
    }
}

#[test]
fn lpop_mass_pops_sum_to_pushed_values() {
    for fill in [-2, 3] {
        let mut h = with_fill(fill);
        let mut sum = 0i64;
        for i in 0..250 {
            h.run(&["LPUSH", "l", &i.to_string()]);
            sum += i;
        }
        let mut got = 0i64;
        for _ in 0..125 {
            for cmd in ["LPOP", "RPOP"] {
                let Reply::Bulk(v) = h.run(&[cmd, "l"]) else { panic!("expected a bulk") };
                got += String::from_utf8(v).unwrap().parse::<i64>().unwrap();
            }
        }
        assert_eq!(got, sum);
        assert_eq!(h.run(&["EXISTS", "l"]), int(0));
    }
}

// -- LMPOP ----------------------------------------------------------------------------------------------

#[test]
fn lmpop_pops_from_first_non_empty_list() {
    let mut h = Harness::new();
    rpush(&mut h, "l1", &["a", "b", "big", "d", "e", "f"]);
    assert_eq!(h.run(&["LMPOP", "2", "l1", "l1", "left", "count", "2"]), k_list("l1", &["a", "b"]));
    assert_eq!(h.run(&["LMPOP", "2", "l1", "l1", "RIGHT", "COUNT", "2"]), k_list("l1", &["f", "e"]));
    assert_eq!(h.run(&["LLEN", "l1"]), int(2));
    assert_eq!(h.run(&["LMPOP", "2", "missing", "l1", "LEFT"]), k_list("l1", &["big"]));
    assert_eq!(h.run(&["LMPOP", "2", "missing", "l1", "RIGHT", "COUNT", "10"]), k_list("l1", &["d"]));
    assert_eq!(h.run(&["EXISTS", "l1"]), int(0));
}

#[test]
fn lmpop_missing_lists_return_null_array() {
    let mut h = Harness::new();
    let reply = h.run(&["LMPOP", "2", "a", "b", "RIGHT", "COUNT", "10"]);
    assert_eq!(reply, null_array());
    assert_eq!(wire(&reply, Protocol::Resp2), "*-1\r\n");
}

#[test]
fn lmpop_illegal_arguments_get_valkey_errors() {
    let mut h = Harness::new();
    let arity = err("ERR wrong number of arguments for 'lmpop' command");
    assert_eq!(h.run(&["LMPOP"]), arity);
    assert_eq!(h.run(&["LMPOP", "1"]), arity);
    assert_eq!(h.run(&["LMPOP", "1", "l"]), arity);
    let numkeys = err("ERR numkeys should be greater than 0");
    assert_eq!(h.run(&["LMPOP", "0", "l", "LEFT"]), numkeys);
    assert_eq!(h.run(&["LMPOP", "a", "l", "LEFT"]), numkeys);
    assert_eq!(h.run(&["LMPOP", "-1", "l", "RIGHT"]), numkeys);
    let syntax = err("ERR syntax error");
    assert_eq!(h.run(&["LMPOP", "1", "l", "bad_where"]), syntax);
    assert_eq!(h.run(&["LMPOP", "1", "l", "LEFT", "bar_arg"]), syntax);
    assert_eq!(h.run(&["LMPOP", "1", "l", "RIGHT", "LEFT"]), syntax);
    assert_eq!(h.run(&["LMPOP", "1", "l", "COUNT"]), syntax);
    assert_eq!(h.run(&["LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"]), syntax);
    assert_eq!(h.run(&["LMPOP", "2", "l", "l2", "bad_arg"]), syntax);
    assert_eq!(h.run(&["LMPOP", "5", "l", "LEFT"]), syntax);
    let count = err("ERR count should be greater than 0");
    assert_eq!(h.run(&["LMPOP", "1", "l", "LEFT", "COUNT", "0"]), count);
    assert_eq!(h.run(&["LMPOP", "1", "l", "RIGHT", "COUNT", "a"]), count);
    assert_eq!(h.run(&["LMPOP", "2", "l", "l2", "RIGHT", "COUNT", "-1"]), count);
}

#[test]
fn lmpop_wrong_type_key_before_a_list_is_an_error() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "foo"]);
    rpush(&mut h, "l", &["a"]);
    assert_eq!(
        h.run(&["LMPOP", "2", "s", "l", "LEFT"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(h.run(&["LMPOP", "2", "l", "s", "LEFT"]), k_list("l", &["a"]));
}

// -- LRANGE, LTRIM ----------------------------------------------------------------------------------------

#[test]
fn lrange_indexes_clamp_like_valkey() {
    for fill in [-2, 2] {
        let mut h = with_fill(fill);
        rpush(&mut h, "l", &["big", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        assert_eq!(h.run(&["LRANGE", "l", "1", "-2"]), bulks(&["1", "2", "3", "4", "5", "6", "7", "8"]));
        assert_eq!(h.run(&["LRANGE", "l", "-3", "-1"]), bulks(&["7", "8", "9"]));
        assert_eq!(h.run(&["LRANGE", "l", "4", "4"]), bulks(&["4"]));
        assert_eq!(h.run(&["LRANGE", "l", "6", "2"]), bulks(&[]));
        assert_eq!(h.run(&["LRANGE", "l", "-1", "-2"]), bulks(&[]));
        h.run(&["LTRIM", "l", "0", "3"]);
        assert_eq!(h.run(&["LRANGE", "l", "-1000", "1000"]), bulks(&["big", "1", "2", "3"]));
        assert_eq!(h.run(&["LRANGE", "l", "0", "-4"]), bulks(&["big"]));
        assert_eq!(h.run(&["LRANGE", "l", "0", "-5"]), bulks(&[]));
    }
}

#[test]
fn lrange_missing_key_and_bad_indexes() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LRANGE", "nokey", "0", "1"]), bulks(&[]));
    assert_eq!(h.run(&["LRANGE", "nokey", "a", "1"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn ltrim_keeps_the_inclusive_range() {
    for fill in [-2, 2] {
        let mut h = with_fill(fill);
        let cases: &[(&str, &str, &[&str])] = &[
            ("0", "0", &["1"]),
            ("0", "1", &["1", "2"]),
            ("0", "2", &["1", "2", "3"]),
            ("1", "2", &["2", "3"]),
            ("1", "-1", &["2", "3", "4", "big"]),
            ("1", "-2", &["2", "3", "4"]),
            ("-2", "-1", &["4", "big"]),
            ("-1", "-1", &["big"]),
            ("-5", "-1", &["1", "2", "3", "4", "big"]),
            ("-10", "10", &["1", "2", "3", "4", "big"]),
            ("0", "5", &["1", "2", "3", "4", "big"]),
            ("0", "10", &["1", "2", "3", "4", "big"]),
            ("0", "-5", &["1"]),
        ];
        for (start, stop, want) in cases {
            h.run(&["DEL", "l"]);
            rpush(&mut h, "l", &["1", "2", "3", "4", "big"]);
            assert_eq!(h.run(&["LTRIM", "l", start, stop]), ok());
            assert_eq!(lrange(&mut h, "l"), bulks(want), "LTRIM {start} {stop}");
        }
        assert_eq!(h.run(&["LTRIM", "l", "0", "-6"]), ok());
        assert_eq!(h.run(&["EXISTS", "l"]), int(0));
        assert_eq!(h.run(&["LTRIM", "nokey", "0", "1"]), ok());
    }
}

// -- LSET, LINSERT, LREM --------------------------------------------------------------------------------

#[test]
fn lset_replaces_by_positive_and_negative_index() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["99", "98", "big", "96", "95"]);
    assert_eq!(h.run(&["LSET", "l", "1", "foo"]), ok());
    assert_eq!(h.run(&["LSET", "l", "-1", "bar"]), ok());
    assert_eq!(lrange(&mut h, "l"), bulks(&["99", "foo", "big", "96", "bar"]));
    assert_eq!(h.run(&["LSET", "l", "10", "foo"]), err("ERR index out of range"));
    assert_eq!(h.run(&["LSET", "l", "-6", "foo"]), err("ERR index out of range"));
    assert_eq!(h.run(&["LSET", "nokey", "10", "foo"]), err("ERR no such key"));
    assert_eq!(h.run(&["LSET", "l", "x", "foo"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn linsert_before_and_after_the_first_pivot() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["a", "big", "c", "d"]);
    assert_eq!(h.run(&["LINSERT", "l", "before", "c", "zz"]), int(5));
    assert_eq!(lrange(&mut h, "l"), bulks(&["a", "big", "zz", "c", "d"]));
    assert_eq!(h.run(&["LINSERT", "l", "AFTER", "c", "yy"]), int(6));
    assert_eq!(h.run(&["LINSERT", "l", "after", "d", "dd"]), int(7));
    assert_eq!(h.run(&["LINSERT", "l", "after", "bad", "ddd"]), int(-1));
    assert_eq!(h.run(&["LINSERT", "l", "before", "a", "aa"]), int(8));
    assert_eq!(h.run(&["LINSERT", "l", "before", "bad", "aaa"]), int(-1));
    assert_eq!(lrange(&mut h, "l"), bulks(&["aa", "a", "big", "zz", "c", "yy", "d", "dd"]));
    assert_eq!(h.run(&["LINSERT", "l", "before", "aa", "42"]), int(9));
    assert_eq!(h.run(&["LRANGE", "l", "0", "0"]), bulks(&["42"]));
}

#[test]
fn linsert_errors_and_missing_key() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["a"]);
    assert_eq!(h.run(&["LINSERT", "l", "aft3r", "aa", "42"]), err("ERR syntax error"));
    assert_eq!(h.run(&["LINSERT", "nokey", "aft3r", "aa", "42"]), err("ERR syntax error"));
    assert_eq!(h.run(&["LINSERT", "not-a-key", "before", "0", "0"]), int(0));
}

#[test]
fn lrem_counts_select_direction_and_limit() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["e", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo"]);
    assert_eq!(h.run(&["LREM", "l", "0", "bar"]), int(2));
    assert_eq!(lrange(&mut h, "l"), bulks(&["e", "foo", "foobar", "foobared", "zap", "test", "foo"]));
    assert_eq!(h.run(&["LREM", "l", "1", "foo"]), int(1));
    assert_eq!(lrange(&mut h, "l"), bulks(&["e", "foobar", "foobared", "zap", "test", "foo"]));
    assert_eq!(h.run(&["LREM", "l", "1", "nosuchelement"]), int(0));

    h.run(&["DEL", "l"]);
    rpush(&mut h, "l", &["e", "foo", "bar", "foobar", "foobared", "zap", "bar", "test", "foo", "foo"]);
    assert_eq!(h.run(&["LREM", "l", "-1", "bar"]), int(1));
    assert_eq!(lrange(&mut h, "l"), bulks(&["e", "foo", "bar", "foobar", "foobared", "zap", "test", "foo", "foo"]));
    assert_eq!(h.run(&["LREM", "l", "-2", "foo"]), int(2));
    assert_eq!(lrange(&mut h, "l"), bulks(&["e", "foo", "bar", "foobar", "foobared", "zap", "test"]));
}

#[test]
fn lrem_last_elements_deletes_key_and_bad_count_errors() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["1", "2", "1"]);
    assert_eq!(h.run(&["LREM", "l", "1", "2"]), int(1));
    assert_eq!(h.run(&["LREM", "l", "0", "1"]), int(2));
    assert_eq!(h.run(&["EXISTS", "l"]), int(0));
    assert_eq!(h.run(&["LREM", "l", "0", "1"]), int(0));
    assert_eq!(h.run(&["LREM", "l", "x", "1"]), err("ERR value is not an integer or out of range"));
    assert_eq!(
        h.run(&["LREM", "l", "-9223372036854775808", "1"]),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
}

// -- LPOS -----------------------------------------------------------------------------------------------

#[test]
fn lpos_rank_count_and_maxlen_select_matches() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["a", "b", "c", "big", "2", "3", "c", "c"]);
    assert_eq!(h.run(&["LPOS", "l", "a"]), int(0));
    assert_eq!(h.run(&["LPOS", "l", "c"]), int(2));
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK", "1"]), int(2));
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK", "2"]), int(6));
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK", "4"]), null());
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK", "-1"]), int(7));
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK", "-2"]), int(6));
    let ints = |v: &[i64]| array(v.iter().map(|&n| int(n)).collect());
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "0"]), ints(&[2, 6, 7]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "1"]), ints(&[2]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "2"]), ints(&[2, 6]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "100"]), ints(&[2, 6, 7]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "0", "RANK", "2"]), ints(&[6, 7]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "2", "RANK", "-1"]), ints(&[7, 6]));
    assert_eq!(h.run(&["LPOS", "l", "x", "COUNT", "2", "RANK", "-1"]), ints(&[]));
    assert_eq!(h.run(&["LPOS", "l", "x", "RANK", "-1"]), null());
    assert_eq!(h.run(&["LPOS", "l", "a", "COUNT", "0", "MAXLEN", "1"]), ints(&[0]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "1"]), ints(&[]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3"]), ints(&[2]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "3", "RANK", "-1"]), ints(&[7, 6]));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7", "RANK", "2"]), ints(&[6]));
}

#[test]
fn lpos_missing_key_and_rank_beyond_matches() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LPOS", "nokey", "c", "COUNT", "0", "RANK", "2"]), bulks(&[]));
    assert_eq!(h.run(&["LPOS", "nokey", "c"]), null());
    h.run(&["LPUSH", "l", "a"]);
    assert_eq!(h.run(&["LPOS", "l", "b", "COUNT", "10", "RANK", "5"]), bulks(&[]));
}

#[test]
fn lpos_option_errors_match_valkey() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "l", "a"]);
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK", "0"]), err(RANK_ZERO));
    assert_eq!(
        h.run(&["LPOS", "l", "c", "RANK", "-9223372036854775808"]),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "-1"]), err("ERR COUNT can't be negative"));
    assert_eq!(h.run(&["LPOS", "l", "c", "COUNT", "x"]), err("ERR COUNT can't be negative"));
    assert_eq!(h.run(&["LPOS", "l", "c", "MAXLEN", "-1"]), err("ERR MAXLEN can't be negative"));
    assert_eq!(h.run(&["LPOS", "l", "c", "RANK"]), err("ERR syntax error"));
    assert_eq!(h.run(&["LPOS", "l", "c", "FOO", "1"]), err("ERR syntax error"));
    // Options are checked before the key: a missing key still reports them.
    assert_eq!(h.run(&["LPOS", "nokey", "c", "RANK", "0"]), err(RANK_ZERO));
}

// -- LMOVE, RPOPLPUSH -----------------------------------------------------------------------------------

#[test]
fn rpoplpush_moves_tail_to_head_and_deletes_emptied_source() {
    let mut h = Harness::new();
    rpush(&mut h, "src", &["a", "big", "c", "d"]);
    assert_eq!(h.run(&["RPOPLPUSH", "src", "dst"]), bulk("d"));
    assert_eq!(h.run(&["RPOPLPUSH", "src", "dst"]), bulk("c"));
    assert_eq!(h.run(&["RPOPLPUSH", "src", "dst"]), bulk("big"));
    assert_eq!(lrange(&mut h, "src"), bulks(&["a"]));
    assert_eq!(lrange(&mut h, "dst"), bulks(&["big", "c", "d"]));
    assert_eq!(h.run(&["RPOPLPUSH", "src", "dst"]), bulk("a"));
    assert_eq!(h.run(&["EXISTS", "src"]), int(0));
}

#[test]
fn lmove_every_direction_pair_moves_the_right_element() {
    for (from, to, src, moved, dst) in [
        ("left", "left", "b c", "a", ["a", "x"]),
        ("left", "right", "b c", "a", ["x", "a"]),
        ("right", "left", "a b", "c", ["c", "x"]),
        ("right", "right", "a b", "c", ["x", "c"]),
    ] {
        let mut h = Harness::new();
        rpush(&mut h, "s", &["a", "b", "c"]);
        rpush(&mut h, "d", &["x"]);
        assert_eq!(h.run(&["LMOVE", "s", "d", from, to]), bulk(moved));
        let want: Vec<&str> = src.split(' ').collect();
        assert_eq!(lrange(&mut h, "s"), bulks(&want));
        assert_eq!(lrange(&mut h, "d"), bulks(&dst));
    }
}

#[test]
fn lmove_same_list_rotates() {
    let mut h = Harness::new();
    rpush(&mut h, "l", &["a", "big", "c"]);
    assert_eq!(h.run(&["RPOPLPUSH", "l", "l"]), bulk("c"));
    assert_eq!(lrange(&mut h, "l"), bulks(&["c", "a", "big"]));
    assert_eq!(h.run(&["LMOVE", "l", "l", "LEFT", "RIGHT"]), bulk("c"));
    assert_eq!(lrange(&mut h, "l"), bulks(&["a", "big", "c"]));
    h.run(&["DEL", "one"]);
    rpush(&mut h, "one", &["x"]);
    assert_eq!(h.run(&["LMOVE", "one", "one", "LEFT", "LEFT"]), bulk("x"));
    assert_eq!(lrange(&mut h, "one"), bulks(&["x"]));
}

#[test]
fn lmove_missing_source_or_wrong_types_change_nothing() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["RPOPLPUSH", "src", "dst"]), null());
    assert_eq!(h.run(&["EXISTS", "src", "dst"]), int(0));
    h.run(&["SET", "str", "x"]);
    let wrongtype = err("WRONGTYPE Operation against a key holding the wrong kind of value");
    assert_eq!(h.run(&["RPOPLPUSH", "str", "dst"]), wrongtype);
    rpush(&mut h, "src", &["a", "b"]);
    assert_eq!(h.run(&["RPOPLPUSH", "src", "str"]), wrongtype);
    assert_eq!(h.run(&["LMOVE", "src", "str", "LEFT", "LEFT"]), wrongtype);
    assert_eq!(h.run(&["TYPE", "str"]), status("string"));
    assert_eq!(lrange(&mut h, "src"), bulks(&["a", "b"]));
    assert_eq!(h.run(&["LMOVE", "src", "dst", "UP", "LEFT"]), err("ERR syntax error"));
    assert_eq!(h.run(&["LMOVE", "src", "dst", "LEFT", "DOWN"]), err("ERR syntax error"));
}

// -- encodings ------------------------------------------------------------------------------------------

#[test]
fn object_encoding_listpack_until_count_fill_then_quicklist() {
    let mut h = with_fill(3);
    rpush(&mut h, "l", &["a", "b", "c"]);
    assert_eq!(encoding(&mut h, "l"), bulk("listpack"));
    h.run(&["RPUSH", "l", "d"]);
    assert_eq!(encoding(&mut h, "l"), bulk("quicklist"));
    assert_eq!(h.run(&["RPOP", "l", "3"]), bulks(&["d", "c", "b"]));
    assert_eq!(encoding(&mut h, "l"), bulk("listpack"));
}

#[test]
fn object_encoding_growing_commands_convert_to_quicklist() {
    for (fill, large) in [(3i64, "hello".to_string()), (-1, "x".repeat(8192))] {
        let mut h = with_fill(fill);
        let mk = |h: &mut Harness| {
            h.run(&["DEL", "l"]);
            rpush(h, "l", &["a", "b", "c"]);
            assert_eq!(encoding(h, "l"), bulk("listpack"));
        };
        mk(&mut h);
        h.run(&["RPUSH", "l", &large]);
        assert_eq!(encoding(&mut h, "l"), bulk("quicklist"), "RPUSH fill {fill}");
        mk(&mut h);
        h.run(&["LINSERT", "l", "after", "b", &large]);
        assert_eq!(encoding(&mut h, "l"), bulk("quicklist"), "LINSERT fill {fill}");
        mk(&mut h);
        h.run(&["LSET", "l", "0", &large]);
        assert_eq!(encoding(&mut h, "l"), bulk("quicklist"), "LSET fill {fill}");
        h.run(&["DEL", "src", "dst"]);
        rpush(&mut h, "src", &["a", "b", "c", &large]);
        assert_eq!(encoding(&mut h, "src"), bulk("quicklist"));
        rpush(&mut h, "dst", &["d", "e", "f"]);
        h.run(&["LMOVE", "src", "dst", "RIGHT", "RIGHT"]);
        assert_eq!(encoding(&mut h, "dst"), bulk("quicklist"), "LMOVE fill {fill}");
    }
}

#[test]
fn object_encoding_shrinking_commands_convert_back_to_listpack() {
    let mut h = with_fill(3);
    for (items, cmd) in [
        (&["a", "b", "c", "d"][..], &["RPOP", "l", "3"][..]),
        (&["a", "a", "a", "d"], &["LREM", "l", "3", "a"]),
        (&["a", "b", "c", "d"], &["LTRIM", "l", "1", "1"]),
    ] {
        h.run(&["DEL", "l"]);
        rpush(&mut h, "l", items);
        assert_eq!(encoding(&mut h, "l"), bulk("quicklist"));
        h.run(cmd);
        assert_eq!(encoding(&mut h, "l"), bulk("listpack"), "{cmd:?}");
    }

    let mut h = with_fill(-1);
    let large = "x".repeat(8192);
    for (items, cmd) in [
        (vec!["a", "b", "c", &large], vec!["RPOP", "l", "1"]),
        (vec!["a", &large], vec!["LREM", "l", "1", &large]),
        (vec!["a", "b", &large], vec!["LTRIM", "l", "0", "1"]),
    ] {
        h.run(&["DEL", "l"]);
        rpush(&mut h, "l", &items);
        assert_eq!(encoding(&mut h, "l"), bulk("quicklist"));
        h.run(&cmd);
        assert_eq!(encoding(&mut h, "l"), bulk("listpack"), "{:?}", &cmd[..2]);
    }
    h.run(&["DEL", "l"]);
    rpush(&mut h, "l", &[&large, "a", "b"]);
    h.run(&["RPOP", "l", "2"]);
    assert_eq!(encoding(&mut h, "l"), bulk("quicklist"));
    h.run(&["LSET", "l", "-1", "c"]);
    assert_eq!(encoding(&mut h, "l"), bulk("listpack"));
}

#[test]
fn object_encoding_out_of_range_fill_values_are_clamped() {
    let mut h = with_fill(0);
    h.run(&["RPUSH", "l", "a"]);
    assert_eq!(encoding(&mut h, "l"), bulk("listpack"));
    h.run(&["RPUSH", "l", "b"]);
    assert_eq!(encoding(&mut h, "l"), bulk("quicklist"));

    let mut h = with_fill(-6);
    h.run(&["RPUSH", "l", &"x".repeat(60000)]);
    assert_eq!(encoding(&mut h, "l"), bulk("listpack"));
    h.run(&["RPUSH", "l", &"x".repeat(5536)]);
    assert_eq!(encoding(&mut h, "l"), bulk("quicklist"));
}

#[test]
fn list_of_various_element_encodings_round_trips() {
    let mut h = Harness::new();
    let big = ["x".repeat(31), "x".repeat(8191), "x".repeat(65535)];
    for v in ["127", "32767", "2147483647", "9223372036854775808", "0", "12", &big[0], &big[1], &big[2]] {
        h.run(&["LPUSH", "k", v]);
    }
    assert_eq!(encoding(&mut h, "k"), bulk("quicklist"));
    assert_eq!(h.run(&["LINDEX", "k", "5"]), bulk("9223372036854775808"));
    assert_eq!(h.run(&["LINDEX", "k", "-5"]), bulk("0"));
    assert_eq!(h.run(&["LPOS", "k", "foo", "RANK", "1"]), null());
    assert_eq!(h.run(&["LPOS", "k", "foo", "RANK", "-1"]), null());
    assert_eq!(h.run(&["LPOP", "k"]), bulk(&big[2]));
    assert_eq!(h.run(&["LPOP", "k"]), bulk(&big[1]));
    assert_eq!(h.run(&["LPOP", "k"]), bulk(&big[0]));
    assert_eq!(lrange(&mut h, "k"), bulks(&["12", "0", "9223372036854775808", "2147483647", "32767", "127"]));
}

#[test]
fn ltrim_stress_with_small_nodes_matches_model() {
    let mut h = with_fill(4);
    let mut model: Vec<String> = vec!["x".repeat(9000)];
    h.run(&["RPUSH", "l", &model[0]]);
    let mut seed = 12345u64;
    let mut rand = move |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for i in 0..32 {
        let v = format!("{}", rand(1 << 40) * (i + 1));
        h.run(&["RPUSH", "l", &v]);
        model.push(v);
    }
    for _ in 0..300 {
        let min = rand(32) as usize;
        let max = min + rand(32) as usize;
        model = model.iter().skip(min).take(max + 1 - min).cloned().collect();
        h.run(&["LTRIM", "l", &min.to_string(), &max.to_string()]);
        let want: Vec<&str> = model.iter().map(String::as_str).collect();
        assert_eq!(lrange(&mut h, "l"), bulks(&want));
        while model.len() < 32 {
            let v = rand(1 << 62).to_string();
            h.run(&["RPUSH", "l", &v]);
            model.push(v);
        }
    }
}

// -- keyspace events and dirty ----------------------------------------------------------------------------

/// A harness with every keyspace event on and a second client subscribed to all of them.
fn with_events() -> (Harness, u64) {
    use ferrokey_core::notify::{ALL, KEYSPACE, NEW};
    let mut h = Harness::with_config(Config { notify_keyspace_events: ALL | KEYSPACE | NEW, ..Config::default() });
    let sub = h.connect();
    h.send_as(sub, &["PSUBSCRIBE", "__keyspace@0__:*"]);
    h.output(sub);
    (h, sub)
}

/// (key, event) pairs the subscriber got since last asked.
fn events(h: &mut Harness, sub: u64) -> Vec<(String, String)> {
    h.output(sub)
        .into_iter()
        .filter_map(|m| match m {
            Reply::Push(v) | Reply::Array(v) => match (&v[2], &v[3]) {
                (Reply::Bulk(ch), Reply::Bulk(ev)) => Some((
                    String::from_utf8_lossy(&ch["__keyspace@0__:".len()..]).into_owned(),
                    String::from_utf8_lossy(ev).into_owned(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn ev(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, e)| (k.to_string(), e.to_string())).collect()
}

#[test]
fn keyspace_events_for_each_write_match_t_list() {
    let (mut h, sub) = with_events();
    h.run(&["RPUSH", "l", "a", "b", "c", "d"]);
    assert_eq!(events(&mut h, sub), ev(&[("l", "new"), ("l", "rpush")]));
    h.run(&["LPUSH", "l", "z"]);
    h.run(&["LINSERT", "l", "before", "a", "y"]);
    h.run(&["LINSERT", "l", "before", "nothere", "y"]);
    h.run(&["LSET", "l", "0", "q"]);
    h.run(&["LREM", "l", "0", "y"]);
    h.run(&["LREM", "l", "0", "nothere"]);
    h.run(&["LTRIM", "l", "0", "-1"]);
    h.run(&["LPOP", "l"]);
    h.run(&["RPOP", "l", "0"]);
    h.run(&["RPOP", "l"]);
    assert_eq!(
        events(&mut h, sub),
        ev(&[
            ("l", "lpush"),
            ("l", "linsert"),
            ("l", "lset"),
            ("l", "lrem"),
            ("l", "ltrim"),
            ("l", "lpop"),
            ("l", "rpop")
        ])
    );
    h.run(&["LTRIM", "l", "5", "1"]);
    assert_eq!(events(&mut h, sub), ev(&[("l", "ltrim"), ("l", "del")]));
}

#[test]
fn keyspace_events_lmove_push_on_destination_then_pop_on_source() {
    let (mut h, sub) = with_events();
    h.run(&["RPUSH", "s", "a"]);
    events(&mut h, sub);
    h.run(&["LMOVE", "s", "d", "LEFT", "RIGHT"]);
    assert_eq!(events(&mut h, sub), ev(&[("d", "new"), ("d", "rpush"), ("s", "lpop"), ("s", "del")]));
    h.run(&["RPOPLPUSH", "d", "d"]);
    assert_eq!(events(&mut h, sub), ev(&[("d", "lpush"), ("d", "rpop")]));
    h.run(&["LMPOP", "1", "d", "RIGHT", "COUNT", "5"]);
    assert_eq!(events(&mut h, sub), ev(&[("d", "rpop"), ("d", "del")]));
}

#[test]
fn dirty_counts_elements_as_valkey() {
    let mut h = Harness::new();
    let d0 = h.eng.dirty;
    h.run(&["RPUSH", "l", "a", "b", "c", "d", "e"]);
    assert_eq!(h.eng.dirty - d0, 5);
    h.run(&["LPOP", "l", "2"]);
    assert_eq!(h.eng.dirty - d0, 7);
    h.run(&["LMOVE", "l", "m", "LEFT", "LEFT"]);
    assert_eq!(h.eng.dirty - d0, 8);
    h.run(&["LTRIM", "l", "0", "-1"]);
    assert_eq!(h.eng.dirty - d0, 8);
    h.run(&["LTRIM", "l", "1", "-1"]);
    assert_eq!(h.eng.dirty - d0, 9);
    h.run(&["LREM", "l", "0", "nothere"]);
    assert_eq!(h.eng.dirty - d0, 9);
}

// -- blocking -------------------------------------------------------------------------------------------

#[test]
fn blpop_existing_lists_pop_without_blocking() {
    let mut h = Harness::new();
    rpush(&mut h, "blist", &["a", "b", "big", "c", "d"]);
    assert_eq!(h.run(&["BLPOP", "blist", "1"]), kv("blist", "a"));
    assert_eq!(h.run(&["BRPOP", "blist", "1"]), kv("blist", "d"));
    assert_eq!(h.run(&["BLMPOP", "1", "1", "blist", "LEFT", "COUNT", "1"]), k_list("blist", &["b"]));
    assert_eq!(h.run(&["BLMPOP", "1", "1", "blist", "RIGHT", "COUNT", "1"]), k_list("blist", &["c"]));
    assert_eq!(h.run(&["LLEN", "blist"]), int(1));
    rpush(&mut h, "l2", &["d", "big", "f"]);
    assert_eq!(h.run(&["BLPOP", "nolist", "l2", "1"]), kv("l2", "d"));
    assert_eq!(h.run(&["BRPOP", "nolist", "l2", "1"]), kv("l2", "f"));
}

#[test]
fn blpop_blocks_until_another_client_pushes() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "blist1", "blist2", "0"]);
    assert_eq!(h.output(c), vec![]);
    assert!(h.eng.blocking.is_blocked(c));
    assert_eq!(h.run(&["RPUSH", "blist2", "foo"]), int(1));
    assert_eq!(h.output(c), vec![kv("blist2", "foo")]);
    assert_eq!(h.run(&["EXISTS", "blist1", "blist2"]), int(0));
    assert!(!h.eng.blocking.is_blocked(c));
}

#[test]
fn blpop_blocked_clients_are_served_first_come_first_served() {
    let mut h = Harness::new();
    let (c1, c2, c3) = (h.connect(), h.connect(), h.connect());
    h.send_as(c1, &["BLPOP", "l", "0"]);
    h.send_as(c2, &["BRPOP", "l", "0"]);
    h.send_as(c3, &["BLMPOP", "0", "1", "l", "LEFT", "COUNT", "5"]);
    h.run(&["RPUSH", "l", "a", "b"]);
    assert_eq!(h.output(c1), vec![kv("l", "a")]);
    assert_eq!(h.output(c2), vec![kv("l", "b")]);
    assert_eq!(h.output(c3), vec![]);
    h.run(&["RPUSH", "l", "x", "y"]);
    assert_eq!(h.output(c3), vec![k_list("l", &["x", "y"])]);
}

#[test]
fn blpop_timeout_answers_null_array_after_the_deadline() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "l1", "l2", "1"]);
    h.advance_ms(1000);
    assert_eq!(h.output(c), vec![]);
    h.advance_ms(1);
    let out = h.output(c);
    assert_eq!(out, vec![null_array()]);
    assert_eq!(wire(&out[0], Protocol::Resp2), "*-1\r\n");
    assert!(!h.eng.blocking.is_blocked(c));
    // A fractional timeout rounds up to whole milliseconds.
    h.send_as(c, &["BLMPOP", "0.001", "1", "l1", "RIGHT"]);
    h.advance_ms(1);
    assert_eq!(h.output(c), vec![]);
    h.advance_ms(1);
    assert_eq!(h.output(c), vec![null_array()]);
}

#[test]
fn blpop_zero_timeout_blocks_forever() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BRPOP", "l", "0"]);
    h.advance_ms(10_000_000);
    assert_eq!(h.output(c), vec![]);
    h.run(&["RPUSH", "l", "foo"]);
    assert_eq!(h.output(c), vec![kv("l", "foo")]);
}

#[test]
fn blpop_non_integer_timeout_is_seconds() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "l", "0.1"]);
    h.advance_ms(100);
    assert_eq!(h.output(c), vec![]);
    h.run(&["RPUSH", "l", "foo"]);
    assert_eq!(h.output(c), vec![kv("l", "foo")]);
}

#[test]
fn blocking_timeout_errors_match_valkey() {
    let mut h = Harness::new();
    for argv in [
        &["BLPOP", "l", "-1"][..],
        &["BRPOP", "l", "-0.5"],
        &["BLMPOP", "-1", "1", "l", "LEFT"],
        &["BLMOVE", "l", "m", "LEFT", "LEFT", "-1"],
        &["BRPOPLPUSH", "l", "m", "-1"],
    ] {
        assert_eq!(h.run(argv), err("ERR timeout is negative"), "{argv:?}");
    }
    assert_eq!(h.run(&["BLPOP", "l", "abc"]), err("ERR timeout is not a float or out of range"));
    assert_eq!(h.run(&["BLPOP", "l", "nan"]), err("ERR timeout is not a float or out of range"));
    assert_eq!(h.run(&["BLPOP", "l", "0x7FFFFFFFFFFFFF"]), err("ERR timeout is out of range"));
    assert_eq!(h.run(&["BLPOP", "l", "inf"]), err("ERR timeout is out of range"));
    // BLMPOP checks its other arguments before the timeout.
    assert_eq!(h.run(&["BLMPOP", "abc", "0", "l", "LEFT"]), err("ERR numkeys should be greater than 0"));
    assert_eq!(h.run(&["BLMPOP", "abc", "1", "l", "UP"]), err("ERR syntax error"));
    assert_eq!(h.run(&["BLMOVE", "l", "m", "UP", "LEFT", "abc"]), err("ERR syntax error"));
}

#[test]
fn blpop_second_key_wrong_type_is_an_error() {
    let mut h = Harness::new();
    h.run(&["SET", "b", "nolist"]);
    let wrongtype = err("WRONGTYPE Operation against a key holding the wrong kind of value");
    assert_eq!(h.run(&["BLPOP", "a", "b", "1"]), wrongtype);
    assert_eq!(h.run(&["BLMPOP", "1", "2", "a", "b", "LEFT", "COUNT", "1"]), wrongtype);
    assert_eq!(h.run(&["BRPOPLPUSH", "b", "t", "1"]), wrongtype);
}

#[test]
fn blpop_inside_multi_does_not_block() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "xlist", "foo", "bar"]);
    h.run(&["MULTI"]);
    for _ in 0..3 {
        assert_eq!(h.run(&["BLPOP", "xlist", "0"]), status("QUEUED"));
    }
    assert_eq!(h.run(&["BLMPOP", "0", "1", "xlist", "LEFT"]), status("QUEUED"));
    assert_eq!(h.run(&["EXEC"]), array(vec![kv("xlist", "bar"), kv("xlist", "foo"), null_array(), null_array()]));
}

#[test]
fn brpoplpush_inside_multi_answers_null_not_null_array() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "xlist", "foo", "bar"]);
    h.run(&["MULTI"]);
    for _ in 0..3 {
        h.run(&["BRPOPLPUSH", "xlist", "target", "0"]);
    }
    h.run(&["BLMOVE", "xlist", "target", "LEFT", "LEFT", "0"]);
    h.run(&["LRANGE", "xlist", "0", "-1"]);
    h.run(&["LRANGE", "target", "0", "-1"]);
    assert_eq!(
        h.run(&["EXEC"]),
        array(vec![bulk("foo"), bulk("bar"), null(), null(), bulks(&[]), bulks(&["bar", "foo"])])
    );
}

#[test]
fn blpop_multi_exec_is_isolated_from_the_blocked_client() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "list", "0"]);
    h.run(&["MULTI"]);
    h.run(&["LPUSH", "list", "a"]);
    h.run(&["LPUSH", "list", "b"]);
    h.run(&["LPUSH", "list", "c"]);
    assert_eq!(h.output(c), vec![]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(c), vec![kv("list", "c")]);
    assert_eq!(lrange(&mut h, "list"), bulks(&["b", "a"]));
}

#[test]
fn blpop_lpush_then_del_in_multi_does_not_wake() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLMPOP", "0", "1", "list", "LEFT", "COUNT", "1"]);
    h.run(&["MULTI"]);
    h.run(&["LPUSH", "list", "a"]);
    h.run(&["DEL", "list"]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(c), vec![]);
    h.run(&["LPUSH", "list", "b"]);
    assert_eq!(h.output(c), vec![k_list("list", &["b"])]);
}

#[test]
fn blpop_key_replaced_by_string_keeps_client_blocked() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "list", "5"]);
    h.advance_ms(1000);
    h.run(&["MULTI"]);
    h.run(&["LPUSH", "list", "a"]);
    h.run(&["DEL", "list"]);
    h.run(&["SET", "list", "foo"]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(c), vec![]);
    assert!(h.eng.blocking.is_blocked(c));
    h.run(&["DEL", "list"]);
    h.run(&["LPUSH", "list", "b"]);
    assert_eq!(h.output(c), vec![kv("list", "b")]);
}

#[test]
fn blpop_rerun_keeps_the_original_deadline() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "list", "1"]);
    h.advance_ms(600);
    h.run(&["MULTI"]);
    h.run(&["LPUSH", "list", "a"]);
    h.run(&["DEL", "list"]);
    h.run(&["SET", "list", "x"]);
    h.run(&["EXEC"]);
    h.advance_ms(401);
    assert_eq!(h.output(c), vec![null_array()]);
}

#[test]
fn blpop_same_key_several_times_is_served_once() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "list1", "list2", "list2", "list1", "0"]);
    h.run(&["LPUSH", "list1", "a"]);
    assert_eq!(h.output(c), vec![kv("list1", "a")]);
    h.send_as(c, &["BLPOP", "list1", "list2", "list2", "list1", "0"]);
    h.run(&["LPUSH", "list2", "b"]);
    assert_eq!(h.output(c), vec![kv("list2", "b")]);
    h.run(&["LPUSH", "list1", "a"]);
    h.run(&["LPUSH", "list2", "b"]);
    assert_eq!(h.run_as(c, &["BLPOP", "list1", "list2", "list2", "list1", "0"]), kv("list1", "a"));
    assert_eq!(h.run_as(c, &["BLPOP", "list1", "list2", "list2", "list1", "0"]), kv("list2", "b"));
    assert!(h.eng.blocking.blocking_keys() == 0);
}

#[test]
fn blpop_variadic_lpush_serves_the_last_pushed() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "blist", "0"]);
    assert_eq!(h.run(&["LPUSH", "blist", "foo", "bar"]), int(2));
    assert_eq!(h.output(c), vec![kv("blist", "bar")]);
    assert_eq!(lrange(&mut h, "blist"), bulks(&["foo"]));
}

#[test]
fn blpop_woken_when_a_list_is_renamed_into_place() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "foo", "0"]);
    h.run(&["LPUSH", "bob", "abc", "def", "hij"]);
    h.run(&["RENAME", "bob", "foo"]);
    assert_eq!(h.output(c), vec![kv("foo", "hij")]);
}

#[test]
fn blpop_only_wakes_for_its_own_database() {
    let mut h = Harness::new();
    let c = h.connect();
    h.run_as(c, &["SELECT", "1"]);
    h.send_as(c, &["BLPOP", "l", "0"]);
    h.run(&["RPUSH", "l", "db0"]);
    assert_eq!(h.output(c), vec![]);
    h.run(&["SELECT", "1"]);
    h.run(&["RPUSH", "l", "db1"]);
    assert_eq!(h.output(c), vec![kv("l", "db1")]);
}

#[test]
fn blocked_client_runs_its_pipelined_commands_after_being_served() {
    let mut h = Harness::new();
    let (c1, c2) = (h.connect(), h.connect());
    h.send_as(c1, &["BLPOP", "mylist", "0"]);
    // c2 pipelines a push and a blocking pop: c1 was first and is served first.
    h.send_as(c2, &["LPUSH", "mylist", "1"]);
    h.send_as(c2, &["BLPOP", "mylist", "0"]);
    assert_eq!(h.output(c1), vec![kv("mylist", "1")]);
    assert_eq!(h.output(c2), vec![int(1)]);
    h.run(&["LPUSH", "mylist", "2"]);
    assert_eq!(h.output(c2), vec![kv("mylist", "2")]);
    // Commands sent while blocked wait for the reply.
    h.send_as(c1, &["BLPOP", "other", "0"]);
    h.send_as(c1, &["PING"]);
    assert_eq!(h.output(c1), vec![]);
    h.run(&["RPUSH", "other", "x"]);
    assert_eq!(h.output(c1), vec![kv("other", "x"), status("PONG")]);
}

#[test]
fn brpoplpush_blocked_then_served_pushes_to_target() {
    let mut h = Harness::new();
    let c = h.connect();
    h.run(&["RPUSH", "target", "bar"]);
    h.send_as(c, &["BRPOPLPUSH", "blist", "target", "0"]);
    h.run(&["RPUSH", "blist", "foo"]);
    assert_eq!(h.output(c), vec![bulk("foo")]);
    assert_eq!(lrange(&mut h, "target"), bulks(&["foo", "bar"]));
}

#[test]
fn blmove_every_direction_blocked_then_served() {
    for (from, to, target) in [
        ("left", "left", ["foo", "bar"]),
        ("left", "right", ["bar", "foo"]),
        ("right", "left", ["foo", "bar"]),
        ("right", "right", ["bar", "foo"]),
    ] {
        let mut h = Harness::new();
        let c = h.connect();
        h.run(&["RPUSH", "target", "bar"]);
        h.send_as(c, &["BLMOVE", "blist", "target", from, to, "0"]);
        h.run(&["RPUSH", "blist", "foo"]);
        assert_eq!(h.output(c), vec![bulk("foo")]);
        assert_eq!(lrange(&mut h, "target"), bulks(&target));
    }
}

#[test]
fn blmove_timeout_answers_null_array() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BRPOPLPUSH", "foo_list", "bar_list", "1"]);
    h.advance_ms(1001);
    assert_eq!(h.output(c), vec![null_array()]);
}

#[test]
fn blmove_push_wakes_a_client_blocked_on_the_destination() {
    for (from, to) in [("left", "left"), ("right", "right")] {
        let mut h = Harness::new();
        let (c1, c2) = (h.connect(), h.connect());
        h.send_as(c2, &["BLPOP", "target", "0"]);
        h.send_as(c1, &["BLMOVE", "blist", "target", from, to, "0"]);
        h.run(&["RPUSH", "blist", "foo"]);
        assert_eq!(h.output(c1), vec![bulk("foo")]);
        assert_eq!(h.output(c2), vec![kv("target", "foo")]);
        assert_eq!(h.run(&["EXISTS", "target"]), int(0));
    }
}

#[test]
fn brpoplpush_wrong_destination_type_fails_after_wake_and_keeps_element() {
    let mut h = Harness::new();
    let c = h.connect();
    h.run(&["SET", "target", "nolist"]);
    h.run(&["LPUSH", "blist", "foo"]);
    assert_eq!(
        h.run_as(c, &["BRPOPLPUSH", "blist", "target", "1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    h.run(&["DEL", "blist"]);
    h.send_as(c, &["BRPOPLPUSH", "blist", "target", "0"]);
    h.run(&["RPUSH", "blist", "a", "b", "c"]);
    assert_eq!(h.output(c), vec![err("WRONGTYPE Operation against a key holding the wrong kind of value")]);
    assert_eq!(lrange(&mut h, "blist"), bulks(&["a", "b", "c"]));
}

#[test]
fn brpoplpush_failed_client_lets_the_next_one_be_served() {
    let mut h = Harness::new();
    let (c1, c2) = (h.connect(), h.connect());
    h.run(&["SET", "target1", "nolist"]);
    h.send_as(c1, &["BRPOPLPUSH", "blist", "target1", "0"]);
    h.send_as(c2, &["BRPOPLPUSH", "blist", "target2", "0"]);
    h.run(&["LPUSH", "blist", "foo"]);
    assert_eq!(h.output(c1), vec![err("WRONGTYPE Operation against a key holding the wrong kind of value")]);
    assert_eq!(h.output(c2), vec![bulk("foo")]);
    assert_eq!(lrange(&mut h, "target2"), bulks(&["foo"]));
}

#[test]
fn blmpop_several_blocked_clients_share_one_exec() {
    let mut h = Harness::new();
    let cs: Vec<u64> = (0..4).map(|_| h.connect()).collect();
    h.send_as(cs[0], &["BLMPOP", "0", "2", "blist", "blist2", "left", "count", "1"]);
    h.send_as(cs[1], &["BLMPOP", "0", "2", "blist", "blist2", "right", "count", "10"]);
    h.send_as(cs[2], &["BLMPOP", "0", "2", "blist", "blist2", "left", "count", "10"]);
    h.send_as(cs[3], &["BLMPOP", "0", "2", "blist", "blist2", "right", "count", "1"]);
    h.run(&["MULTI"]);
    h.run(&["LPUSH", "blist", "a", "b", "c", "d", "e"]);
    h.run(&["LPUSH", "blist2", "1", "2", "3", "4", "5"]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(cs[0]), vec![k_list("blist", &["e"])]);
    assert_eq!(h.output(cs[1]), vec![k_list("blist", &["a", "b", "c", "d"])]);
    assert_eq!(h.output(cs[2]), vec![k_list("blist2", &["5", "4", "3", "2", "1"])]);
    assert_eq!(h.output(cs[3]), vec![]);
    h.run(&["LPUSH", "blist2", "1", "2", "3"]);
    assert_eq!(h.output(cs[3]), vec![k_list("blist2", &["1"])]);
}

#[test]
fn blmove_chains_linked_circular_and_self_referential() {
    let mut h = Harness::new();
    let (c1, c2) = (h.connect(), h.connect());
    h.send_as(c1, &["BLMOVE", "list1", "list2", "right", "left", "0"]);
    h.send_as(c2, &["BLMOVE", "list2", "list3", "left", "right", "0"]);
    h.run(&["RPUSH", "list1", "foo"]);
    assert_eq!(lrange(&mut h, "list1"), bulks(&[]));
    assert_eq!(lrange(&mut h, "list2"), bulks(&[]));
    assert_eq!(lrange(&mut h, "list3"), bulks(&["foo"]));
    h.output(c1);
    h.output(c2);

    h.run(&["DEL", "list1", "list2", "list3"]);
    h.send_as(c1, &["BRPOPLPUSH", "list1", "list2", "0"]);
    h.send_as(c2, &["BRPOPLPUSH", "list2", "list1", "0"]);
    h.run(&["RPUSH", "list1", "foo"]);
    assert_eq!(lrange(&mut h, "list1"), bulks(&["foo"]));
    assert_eq!(lrange(&mut h, "list2"), bulks(&[]));
    assert_eq!(h.output(c1), vec![bulk("foo")]);
    assert_eq!(h.output(c2), vec![bulk("foo")]);

    h.send_as(c1, &["BRPOPLPUSH", "blist", "blist", "0"]);
    h.run(&["RPUSH", "blist", "foo"]);
    assert_eq!(h.output(c1), vec![bulk("foo")]);
    assert_eq!(lrange(&mut h, "blist"), bulks(&["foo"]));
}

#[test]
fn blocked_clients_stay_fair_during_nested_unblock() {
    let mut h = Harness::new();
    let (c1, c2, c3) = (h.connect(), h.connect(), h.connect());
    h.send_as(c1, &["BRPOPLPUSH", "l1", "l3", "0"]);
    h.send_as(c2, &["BLPOP", "l2", "0"]);
    h.send_as(c3, &["BLMPOP", "0", "2", "l2", "l3", "LEFT", "COUNT", "1"]);
    h.run(&["MULTI"]);
    h.run(&["LPUSH", "l1", "1"]);
    h.run(&["LPUSH", "l2", "2"]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(c1), vec![bulk("1")]);
    assert_eq!(h.output(c2), vec![kv("l2", "2")]);
    assert_eq!(h.output(c3), vec![k_list("l3", &["1"])]);
    assert_eq!(h.eng.blocking.blocked_count(), 0);
}

#[test]
fn blpop_and_blmove_count_two_changes_with_the_push() {
    let mut h = Harness::new();
    let c = h.connect();
    let d0 = h.eng.dirty;
    h.send_as(c, &["BLPOP", "lst", "0"]);
    h.run(&["LPUSH", "lst", "a"]);
    assert_eq!(h.output(c), vec![kv("lst", "a")]);
    assert_eq!(h.eng.dirty - d0, 2);
    let d0 = h.eng.dirty;
    h.send_as(c, &["BLMOVE", "lst", "lst1", "left", "left", "0"]);
    h.run(&["LPUSH", "lst", "a"]);
    assert_eq!(h.output(c), vec![bulk("a")]);
    assert_eq!(h.eng.dirty - d0, 2);
}

#[test]
fn blpop_served_fires_pop_and_del_events() {
    let (mut h, sub) = with_events();
    let c = h.connect();
    h.send_as(c, &["BLPOP", "l", "0"]);
    h.run(&["RPUSH", "l", "a"]);
    assert_eq!(h.output(c), vec![kv("l", "a")]);
    assert_eq!(events(&mut h, sub), ev(&[("l", "new"), ("l", "rpush"), ("l", "lpop"), ("l", "del")]));
}

#[test]
fn client_unblock_answers_blocked_pop_with_null_array() {
    let mut h = Harness::new();
    let c = h.connect();
    h.send_as(c, &["BLMPOP", "0", "1", "l", "RIGHT"]);
    let id = c.to_string();
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", &id]), int(1));
    assert_eq!(h.output(c), vec![null_array()]);
    h.send_as(c, &["BLPOP", "l", "0"]);
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", &id, "ERROR"]), int(1));
    assert_eq!(h.output(c), vec![err("UNBLOCKED client unblocked via CLIENT UNBLOCK")]);
    h.send_as(c, &["BLPOP", "l", "0"]);
    h.run(&["LPUSH", "l", "foo"]);
    assert_eq!(h.output(c), vec![kv("l", "foo")]);
}

#[test]
fn blocking_resp3_timeout_is_a_null() {
    let mut h = Harness::resp3();
    let c = h.connect();
    h.set_proto(c, Protocol::Resp3);
    h.send_as(c, &["BLPOP", "l", "1"]);
    h.advance_ms(1001);
    let out = h.output(c);
    assert_eq!(wire(&out[0], Protocol::Resp3), "_\r\n");
}

// -- table ----------------------------------------------------------------------------------------------

#[test]
fn command_info_key_positions_match_valkey() {
    use ferrokey_core::command::CommandTable;
    let t = CommandTable::get();
    let legacy = |name: &str| t.lookup(name.as_bytes()).expect(name).keys.legacy();
    assert_eq!(legacy("blpop"), (1, -2, 1));
    assert_eq!(legacy("lmove"), (1, 2, 1));
    assert_eq!(legacy("lmpop"), (0, 0, 0));
    assert_eq!(legacy("blmpop"), (0, 0, 0));
    let argv = |v: &[&str]| v.iter().map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
    let spec = t.lookup(b"blmpop").unwrap();
    assert_eq!(spec.keys.find(&argv(&["blmpop", "0", "2", "a", "b", "LEFT"])), vec![3, 4]);
    let spec = t.lookup(b"lmpop").unwrap();
    assert_eq!(spec.keys.find(&argv(&["lmpop", "1", "a", "LEFT"])), vec![2]);
    assert_eq!(spec.keys.find(&argv(&["lmpop", "5", "a", "LEFT"])), Vec::<usize>::new());
    assert!(spec.has(ferrokey_core::command::flag::MOVABLEKEYS));
    let spec = t.lookup(b"blpop").unwrap();
    assert_eq!(spec.keys.find(&argv(&["blpop", "a", "b", "0"])), vec![1, 2]);
}

#[test]
fn linsert_ltrim_lset_with_one_element_nodes_keep_order() {
    for size in [500, 8193] {
        let mut h = with_fill(1);
        let s = |c: &str| c.repeat(size);
        for c in ["a", "b", "c", "d"] {
            h.run(&["LPUSH", "list1", &s(c)]);
        }
        for c in ["e", "f", "g", "j"] {
            h.run(&["LINSERT", "list1", "after", &s("d"), &s(c)]);
        }
        for c in ["d", "j", "g", "f", "e", "c", "b", "a"] {
            assert_eq!(h.run(&["LPOP", "list1"]), bulk(&s(c)), "size {size}");
        }
        h.run(&["LPUSH", "list2", &s("a")]);
        h.run(&["LINSERT", "list2", "after", &s("a"), &s("b")]);
        h.run(&["RPUSH", "list2", &s("c")]);
        assert_eq!(h.run(&["LINDEX", "list2", "1"]), bulk(&s("b")));
        h.run(&["LTRIM", "list2", "1", "-1"]);
        assert_eq!(h.run(&["LLEN", "list2"]), int(2));
        h.run(&["LPUSH", "list3", &s("a")]);
        h.run(&["LSET", "list3", "0", &s("b")]);
        assert_eq!(h.run(&["LINDEX", "list3", "0"]), bulk(&s("b")));
        h.run(&["LPUSH", "list3", &s("c")]);
        h.run(&["LSET", "list3", "0", &s("d")]);
        assert_eq!(h.run(&["LINDEX", "list3", "0"]), bulk(&s("d")));
        assert_eq!(h.run(&["LINDEX", "list3", "1"]), bulk(&s("b")));
    }
}

#[test]
fn random_list_commands_match_a_model() {
    // list-3.tcl's stress mix (push, pop, lset, linsert, lrem), checked element by element.
    for fill in [-2, 16, 1] {
        let mut h = with_fill(fill);
        let mut model: std::collections::VecDeque<String> = Default::default();
        let mut seed = 99u64.wrapping_add(fill as u64);
        let mut rand = move |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..1500 {
            let ele = if rand(2) == 0 {
                rand(1000).to_string()
            } else {
                format!("{}{}", "x".repeat(rand(10000) as usize), rand(1000))
            };
            let idx = 5 - rand(10) as i64;
            match rand(7) {
                0 => {
                    h.run(&["LPUSH", "key", &ele]);
                    model.push_front(ele);
                }
                1 => {
                    h.run(&["RPUSH", "key", &ele]);
                    model.push_back(ele);
                }
                2 => assert_eq!(h.run(&["LPOP", "key"]), Reply::opt_bulk(model.pop_front())),
                3 => assert_eq!(h.run(&["RPOP", "key"]), Reply::opt_bulk(model.pop_back())),
                4 => {
                    let len = model.len() as i64;
                    let i = if idx < 0 { len + idx } else { idx };
                    let r = h.run(&["LSET", "key", &idx.to_string(), &ele]);
                    if model.is_empty() {
                        assert_eq!(r, err("ERR no such key"));
                    } else if (0..len).contains(&i) {
                        assert_eq!(r, ok());
                        model[i as usize] = ele;
                    } else {
                        assert_eq!(r, err("ERR index out of range"));
                    }
                }
                5 => {
                    let pivot = rand(1000).to_string();
                    let after = rand(2) == 0;
                    h.run(&["LINSERT", "key", if after { "after" } else { "before" }, &pivot, &ele]);
                    if let Some(p) = model.iter().position(|e| *e == pivot) {
                        model.insert(if after { p + 1 } else { p }, ele);
                    }
                }
                _ => {
                    if !model.is_empty() {
                        let target = model[rand(model.len() as u64) as usize].clone();
                        h.run(&["LREM", "key", "1", &target]);
                        let p = model.iter().position(|e| *e == target).unwrap();
                        model.remove(p);
                    }
                }
            }
        }
        let want: Vec<&str> = model.iter().map(String::as_str).collect();
        assert_eq!(lrange(&mut h, "key"), bulks(&want), "fill {fill}");
    }
}
