//! SORT and SORT_RO: the behaviours of Valkey's tests/unit/sort.tcl (and the SORT cases of multi.tcl,
//! type/list.tcl, scripting.tcl and introspection-2.tcl), plus the corners of sort.c checked against
//! a real server: LIMIT clamping, BY/GET pattern parsing, strtod weights, C-string ALPHA order.

mod common;
use common::*;
use ferrokey_core::config::Config;
use ferrokey_core::notify::{ALL, KEYSPACE, NEW};
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

fn encoding(h: &mut Harness, key: &str) -> Reply {
    h.run(&["OBJECT", "ENCODING", key])
}

fn run_owned(h: &mut Harness, argv: &[String]) -> Reply {
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    h.run(&refs)
}

/// The TCL suite's `create_random_dataset`: `num` elements 0..num added with `cmd` (LPUSH or SADD),
/// distinct weights in `weight_<i>` and in the `weight` field of `wobj_<i>`. Returns the elements
/// ordered by weight.
fn random_dataset(h: &mut Harness, num: usize, cmd: &str) -> Vec<String> {
    h.run(&["DEL", "tosort"]);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut seen = std::collections::HashSet::new();
    let mut weighted = Vec::new();
    for i in 0..num {
        let weight = loop {
            // Half integers, half fractions in [0, 1), as the TCL test's randpath.
            let w = if next() % 2 == 0 {
                (next() % 1_000_000 + 1).to_string()
            } else {
                format!("0.{:06}", next() % 999_999 + 1)
            };
            if seen.insert(w.clone()) {
                break w;
            }
        };
        let i_s = i.to_string();
        h.run(&[cmd, "tosort", &i_s]);
        h.run(&["SET", &format!("weight_{i}"), &weight]);
        h.run(&["HSET", &format!("wobj_{i}"), "weight", &weight]);
        weighted.push((weight.parse::<f64>().unwrap(), i_s));
    }
    weighted.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    weighted.into_iter().map(|(_, e)| e).collect()
}

fn strs(v: &[String]) -> Reply {
    Reply::Array(v.iter().map(|s| Reply::bulk(s.as_str())).collect())
}

// -- the TCL suite's datasets ------------------------------------------------------------------------

#[test]
fn sort_by_key_and_hash_field_match_weights_for_every_encoding() {
    let config = Config { list_max_listpack_size: 16, set_max_intset_entries: 32, ..Config::default() };
    let mut h = Harness::with_config(config);
    for (num, cmd, enc) in
        [(16, "LPUSH", "listpack"), (1000, "LPUSH", "quicklist"), (16, "SADD", "intset"), (1000, "SADD", "hashtable")]
    {
        let expected = random_dataset(&mut h, num, cmd);
        assert_eq!(encoding(&mut h, "tosort"), bulk(enc));
        assert_eq!(h.run(&["SORT", "tosort", "BY", "weight_*"]), strs(&expected), "{cmd} {num}");
        assert_eq!(h.run(&["SORT", "tosort", "BY", "weight_*", "LIMIT", "5", "5"]), strs(&expected[5..10]));
        assert_eq!(h.run(&["SORT", "tosort", "BY", "wobj_*->weight"]), strs(&expected));
        assert_eq!(h.run(&["SORT_RO", "tosort", "BY", "wobj_*->weight"]), strs(&expected));
    }
}

#[test]
fn sort_get_patterns_return_elements_weights_and_nulls() {
    let mut h = Harness::new();
    let expected = random_dataset(&mut h, 16, "LPUSH");
    let mut numeric = expected.clone();
    numeric.sort_by_key(|e| e.parse::<i64>().unwrap());
    assert_eq!(h.run(&["SORT", "tosort", "GET", "#"]), strs(&numeric));
    for cmd in ["SORT", "SORT_RO"] {
        h.run(&["DEL", "foo"]);
        assert_eq!(h.run(&[cmd, "tosort", "GET", "foo"]), array(vec![null(); 16]), "a pattern without * names nothing");
    }
    let Reply::Array(by_key) = h.run(&["SORT", "tosort", "GET", "#", "GET", "weight_*"]) else { panic!() };
    let Reply::Array(by_field) = h.run(&["SORT", "tosort", "GET", "#", "GET", "wobj_*->weight"]) else { panic!() };
    assert_eq!(by_key, by_field);
    for pair in by_key.chunks(2) {
        let Reply::Bulk(id) = &pair[0] else { panic!() };
        let id = String::from_utf8(id.clone()).unwrap();
        assert_eq!(pair[1], h.run(&["GET", &format!("weight_{id}")]));
    }
}

#[test]
fn sort_by_store_writes_the_sorted_list_with_compact_encoding() {
    let mut h = Harness::with_config(Config { list_max_listpack_size: 16, ..Config::default() });
    let expected = random_dataset(&mut h, 16, "LPUSH");
    assert_eq!(h.run(&["SORT", "tosort", "BY", "weight_*", "STORE", "sort-res"]), int(16));
    assert_eq!(h.run(&["LRANGE", "sort-res", "0", "-1"]), strs(&expected));
    assert_eq!(encoding(&mut h, "sort-res"), bulk("listpack"));
    assert_eq!(h.run(&["SORT", "tosort", "BY", "wobj_*->weight", "STORE", "sort-res"]), int(16));
    assert_eq!(h.run(&["LRANGE", "sort-res", "0", "-1"]), strs(&expected));
    h.run(&["RPUSH", "tosort", "16"]);
    assert_eq!(h.run(&["SORT", "tosort", "STORE", "sort-res"]), int(17));
    assert_eq!(encoding(&mut h, "sort-res"), bulk("quicklist"), "past 16 entries");
}

// -- orders ------------------------------------------------------------------------------------------

#[test]
fn sort_numeric_orders_ascending_descending_and_floats() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "l", "3", "1", "2", "10"]);
    assert_eq!(h.run(&["SORT", "l"]), bulks(&["1", "2", "3", "10"]));
    assert_eq!(h.run(&["SORT", "l", "DESC"]), bulks(&["10", "3", "2", "1"]));
    assert_eq!(h.run(&["SORT", "l", "ASC", "DESC"]), bulks(&["10", "3", "2", "1"]), "the last order word wins");
    assert_eq!(h.run(&["SORT", "l", "desc", "asc"]), bulks(&["1", "2", "3", "10"]));
    // Regression for issue #19, sorting floats.
    let floats = ["1.1", "5.10", "3.10", "7.44", "2.1", "5.75", "6.12", "0.25", "1.15"];
    for f in floats {
        h.run(&["LPUSH", "mylist", f]);
    }
    assert_eq!(
        h.run(&["SORT", "mylist"]),
        bulks(&["0.25", "1.1", "1.15", "2.1", "3.10", "5.10", "5.75", "6.12", "7.44"])
    );
}

#[test]
fn sort_alpha_compares_bytes_not_numbers() {
    let mut h = Harness::new();
    for v in ["2", "1", "3", "10"] {
        h.run(&["LPUSH", "mylist", v]);
    }
    assert_eq!(h.run(&["SORT", "mylist", "ALPHA"]), bulks(&["1", "10", "2", "3"]));
    assert_eq!(h.run(&["SORT", "mylist", "ALPHA", "DESC"]), bulks(&["3", "2", "10", "1"]));
}

#[test]
fn sort_weights_read_like_strtod() {
    let mut h = Harness::new();
    h.run(&["SADD", "s", "", "  5", "1"]);
    assert_eq!(h.run(&["SORT", "s"]), bulks(&["", "1", "  5"]), "empty is 0, leading spaces are skipped");
    h.run(&["SADD", "s", "5 "]);
    assert_eq!(h.run(&["SORT", "s"]), err("ERR One or more scores can't be converted into double"));
    assert_eq!(h.run(&["SORT", "s", "LIMIT", "0", "0"]), err("ERR One or more scores can't be converted into double"));
    h.run(&["DEL", "s"]);
    h.run(&["RPUSH", "s", "0x10", "-inf", "1e3", "inf"]);
    assert_eq!(h.run(&["SORT", "s"]), bulks(&["-inf", "0x10", "1e3", "inf"]));
    for bad in ["nan", "1e400", "1e-400", "abc", " "] {
        h.run(&["DEL", "b"]);
        h.run(&["RPUSH", "b", "1", bad]);
        assert_eq!(h.run(&["SORT", "b"]), err("ERR One or more scores can't be converted into double"), "{bad:?}");
    }
}

#[test]
fn sort_complains_about_bad_doubles_in_elements_and_weights() {
    let mut h = Harness::new();
    h.run(&["SADD", "myset", "1", "2", "3", "4", "not-a-double"]);
    assert_eq!(h.run(&["SORT", "myset"]), err("ERR One or more scores can't be converted into double"));
    h.run(&["DEL", "myset"]);
    h.run(&["SADD", "myset", "1", "2", "3", "4"]);
    h.run(&["MSET", "score:1", "10", "score:2", "20", "score:3", "30", "score:4", "not-a-double"]);
    assert_eq!(
        h.run(&["SORT", "myset", "BY", "score:*"]),
        err("ERR One or more scores can't be converted into double")
    );
    // Nothing is stored when the weights are bad.
    h.run(&["SET", "dst", "keep"]);
    assert_eq!(
        h.run(&["SORT", "myset", "BY", "score:*", "STORE", "dst"]),
        err("ERR One or more scores can't be converted into double")
    );
    assert_eq!(h.run(&["GET", "dst"]), bulk("keep"));
}

#[test]
fn sort_equal_weights_sub_sort_by_bytes() {
    let mut h = Harness::new();
    let members = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "z", "aa",
        "aaa", "azz",
    ];
    let mut sadd = vec!["SADD", "myset"];
    sadd.extend(members);
    h.run(&sadd);
    let expected = [
        "a", "aa", "aaa", "azz", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o", "p", "q", "r", "s", "t",
        "u", "v", "z",
    ];
    assert_eq!(h.run(&["SORT", "myset", "BY", "score:*"]), bulks(&expected));
}

#[test]
fn sort_by_missing_weights_numeric_ties_by_bytes_alpha_keeps_input_order() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "l", "3", "1", "2", "10"]);
    assert_eq!(h.run(&["SORT", "l", "BY", "missing_*"]), bulks(&["1", "10", "2", "3"]));
    assert_eq!(h.run(&["SORT", "l", "BY", "missing_*", "DESC"]), bulks(&["3", "2", "10", "1"]));
    assert_eq!(h.run(&["SORT", "l", "BY", "missing_*", "ALPHA"]), bulks(&["3", "1", "2", "10"]));
    assert_eq!(h.run(&["SORT", "l", "BY", "missing_*", "ALPHA", "DESC"]), bulks(&["3", "1", "2", "10"]));
    // Present weights sort after missing ones in ALPHA mode.
    h.run(&["SET", "w_2", "b"]);
    h.run(&["SET", "w_3", "a"]);
    assert_eq!(h.run(&["SORT", "l", "BY", "w_*", "ALPHA"]), bulks(&["1", "10", "3", "2"]));
    // A weight key of another type counts as missing.
    h.run(&["RPUSH", "w_1", "x"]);
    assert_eq!(h.run(&["SORT", "l", "BY", "w_*", "ALPHA"]), bulks(&["1", "10", "3", "2"]));
}

#[test]
fn sort_alpha_without_store_compares_as_c_strings() {
    let mut h = Harness::new();
    h.run_bytes(&[b"RPUSH", b"l", b"a\0c", b"a\0b", b"a"]);
    // strcoll in the C locale stops at NUL: the three are equal and keep their order.
    assert_eq!(
        h.run_bytes(&[b"SORT", b"l", b"ALPHA"]),
        Reply::Array(vec![Reply::bulk(&b"a\0c"[..]), Reply::bulk(&b"a\0b"[..]), Reply::bulk("a")])
    );
    // With STORE the comparison is binary.
    assert_eq!(h.run_bytes(&[b"SORT", b"l", b"ALPHA", b"STORE", b"dst"]), int(3));
    assert_eq!(
        h.run(&["LRANGE", "dst", "0", "-1"]),
        Reply::Array(vec![Reply::bulk("a"), Reply::bulk(&b"a\0b"[..]), Reply::bulk(&b"a\0c"[..])])
    );
}

// -- LIMIT -------------------------------------------------------------------------------------------

#[test]
fn sort_limit_is_clamped_to_the_input() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "l", "3", "1", "2", "10"]);
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "1", "2"]), bulks(&["2", "3"]));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "-5", "2"]), bulks(&["1", "2"]));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "2", "-1"]), bulks(&["3", "10"]));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "2", "0"]), bulks(&[]));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "10", "1"]), bulks(&[]));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "3", "100"]), bulks(&["10"]));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "1", "2", "DESC"]), bulks(&["3", "2"]));
    // The TCL suite's "SETRANGE with huge offset".
    h.run(&["LPUSH", "L", "2", "1", "0"]);
    assert_eq!(h.run(&["SORT_RO", "L", "BY", "a", "LIMIT", "2", "9223372036854775807"]), bulks(&["2"]));
    assert_eq!(h.run(&["SORT_RO", "L", "BY", "a", "LIMIT", "2", "2147483647"]), bulks(&["2"]));
}

// -- BY <constant> (nosort) ------------------------------------------------------------------------

#[test]
fn sort_by_nosort_retains_list_order() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "testa", "2", "1", "4", "3", "5"]);
    assert_eq!(h.run(&["SORT", "testa", "BY", "nosort"]), bulks(&["5", "3", "4", "1", "2"]));
    assert_eq!(h.run(&["SORT", "testa", "BY", "nosort", "DESC"]), bulks(&["2", "1", "4", "3", "5"]));
    assert_eq!(h.run(&["SORT", "testa", "BY", "nosort", "DESC", "LIMIT", "1", "2"]), bulks(&["1", "4"]));
    assert_eq!(h.run(&["SORT", "testa", "BY", "nosort", "STORE", "testb"]), int(5));
    assert_eq!(h.run(&["LRANGE", "testb", "0", "-1"]), bulks(&["5", "3", "4", "1", "2"]));
    assert_eq!(h.run(&["SORT", "testa", "BY", "nosort", "LIMIT", "0", "3", "STORE", "testb"]), int(3));
    assert_eq!(h.run(&["LRANGE", "testb", "0", "-1"]), bulks(&["5", "3", "4"]));
    // A later BY with a * does not turn sorting back on.
    assert_eq!(h.run(&["SORT", "testa", "BY", "nosort", "BY", "w_*"]), bulks(&["5", "3", "4", "1", "2"]));
}

#[test]
fn sort_sorted_set_by_nosort_retains_score_order() {
    let mut h = Harness::new();
    h.run(&["ZADD", "zset", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e"]);
    assert_eq!(h.run(&["SORT", "zset", "ALPHA", "DESC"]), bulks(&["e", "d", "c", "b", "a"]));
    h.run(&["MULTI"]);
    h.run(&["SORT", "zset", "BY", "nosort", "ASC"]);
    h.run(&["SORT", "zset", "BY", "nosort", "DESC"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![bulks(&["a", "c", "e", "b", "d"]), bulks(&["d", "b", "e", "c", "a"])]));
    assert_eq!(h.run(&["SORT", "zset", "BY", "nosort", "ASC", "LIMIT", "0", "1"]), bulks(&["a"]));
    assert_eq!(h.run(&["SORT", "zset", "BY", "nosort", "DESC", "LIMIT", "0", "1"]), bulks(&["d"]));
    assert_eq!(h.run(&["SORT", "zset", "BY", "nosort", "ASC", "LIMIT", "0", "2"]), bulks(&["a", "c"]));
    assert_eq!(h.run(&["SORT", "zset", "BY", "nosort", "DESC", "LIMIT", "0", "2"]), bulks(&["d", "b"]));
    assert_eq!(h.run(&["SORT", "zset", "BY", "nosort", "DESC", "LIMIT", "1", "2"]), bulks(&["b", "e"]));
    assert_eq!(h.run(&["SORT", "zset", "BY", "nosort", "LIMIT", "5", "10"]), bulks(&[]));
    assert_eq!(h.run(&["SORT", "zset", "BY", "nosort", "LIMIT", "-10", "100"]), bulks(&["a", "c", "e", "b", "d"]));
    let script =
        "return {redis.call('sort',KEYS[1],'by','nosort','asc'), redis.call('sort',KEYS[1],'by','nosort','desc')}";
    assert_eq!(
        h.run(&["EVAL", script, "1", "zset"]),
        array(vec![bulks(&["a", "c", "e", "b", "d"]), bulks(&["d", "b", "e", "c", "a"])])
    );
}

#[test]
fn sort_sorted_set_converts_it_to_skiplist_as_valkey() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "1", "b", "2", "a"]);
    assert_eq!(encoding(&mut h, "z"), bulk("listpack"));
    assert_eq!(h.run(&["SORT_RO", "z", "ALPHA"]), bulks(&["a", "b"]));
    assert_eq!(encoding(&mut h, "z"), bulk("skiplist"));
}

#[test]
fn sort_set_by_constant_is_sorted_alpha_when_stored_or_scripted() {
    let mut h = Harness::new();
    let members = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "z", "aa",
        "aaa", "azz",
    ];
    let expected = [
        "a", "aa", "aaa", "azz", "b", "c", "d", "e", "f", "g", "h", "i", "l", "m", "n", "o", "p", "q", "r", "s", "t",
        "u", "v", "z",
    ];
    let mut sadd = vec!["SADD", "myset"];
    sadd.extend(members);
    h.run(&sadd);
    assert_eq!(h.run(&["SORT", "myset", "ALPHA", "BY", "_", "STORE", "mylist"]), int(24));
    assert_eq!(h.run(&["LRANGE", "mylist", "0", "-1"]), bulks(&expected));
    assert_eq!(h.run(&["EVAL", "return redis.call('sort',KEYS[1],'by','_')", "1", "myset"]), bulks(&expected));
    h.run(&["DEL", "myset"]);
    h.run(&["SADD", "myset", "a", "b", "c"]);
    assert_eq!(
        h.run(&["EVAL", "return redis.call('sort',KEYS[1],'by','_','get','#','get','_:*')", "1", "myset"]),
        array(vec![bulk("a"), null(), bulk("b"), null(), bulk("c"), null()])
    );
    // Outside scripts and without STORE the set's own order is kept (an intset is ascending).
    h.run(&["SADD", "ints", "5", "3", "1"]);
    assert_eq!(h.run(&["SORT", "ints", "BY", "nosort", "DESC"]), bulks(&["1", "3", "5"]));
    assert_eq!(h.run(&["SORT", "ints", "BY", "nosort", "LIMIT", "1", "1"]), bulks(&["3"]));
}

#[test]
fn sort_in_script_is_not_alpha_reordered_when_sorting() {
    let mut h = Harness::new();
    h.run(&["SADD", "myset", "1", "2", "3", "4", "10"]);
    assert_eq!(
        h.run(&["EVAL", "return redis.call('sort',KEYS[1],'desc')", "1", "myset"]),
        bulks(&["10", "4", "3", "2", "1"])
    );
}

// -- patterns ----------------------------------------------------------------------------------------

#[test]
fn sort_get_hash_fields_and_arrow_without_field() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "mylist", "a"]);
    h.run(&["SET", "x:a->", "100"]);
    assert_eq!(h.run(&["SORT", "mylist", "BY", "num", "GET", "x:*->"]), bulks(&["100"]));
    h.run(&["DEL", "mylist"]);
    h.run(&["LPUSH", "mylist", "a"]);
    h.run(&["SET", "x:a", "100"]);
    assert_eq!(h.run(&["SORT_RO", "mylist", "BY", "nosort", "GET", "x:*->"]), bulks(&["100"]));
    h.run(&["HSET", "h:a", "f", "v", "f->g", "w"]);
    assert_eq!(
        h.run(&[
            "SORT",
            "mylist",
            "BY",
            "nosort",
            "GET",
            "h:*->f",
            "GET",
            "h:*->f->g",
            "GET",
            "h:*->nofield",
            "GET",
            "x:*->f",
            "GET",
            "#"
        ]),
        array(vec![bulk("v"), bulk("w"), null(), null(), bulk("a")]),
        "the first -> after the * splits; a string key has no fields"
    );
    // Only the first * is replaced; a hash key read as a string is missing.
    h.run(&["SET", "a*", "star"]);
    assert_eq!(
        h.run(&["SORT", "mylist", "BY", "nosort", "GET", "**", "GET", "h:*"]),
        array(vec![bulk("star"), null()])
    );
}

#[test]
fn sort_get_with_store_writes_empty_strings_for_missing_values() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "l", "3", "1", "2", "10"]);
    h.run(&["MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "0"]);
    h.run(&["HSET", "h_1", "f", "a"]);
    assert_eq!(
        h.run(&["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*"]),
        bulks(&["10", "0", "1", "10", "2", "20", "3", "30"])
    );
    assert_eq!(h.run(&["SORT", "l", "BY", "w_*", "GET", "h_*->f", "STORE", "dst"]), int(4));
    assert_eq!(h.run(&["LRANGE", "dst", "0", "-1"]), bulks(&["", "a", "", ""]));
    assert_eq!(h.run(&["SORT", "l", "BY", "w_*", "ALPHA"]), bulks(&["10", "1", "2", "3"]));
}

#[test]
fn sort_get_missing_is_null_in_both_protocols() {
    for proto in [Protocol::Resp2, Protocol::Resp3] {
        let mut h = Harness::new();
        h.set_proto(h.client, proto);
        h.run(&["RPUSH", "l", "1"]);
        let reply = h.run(&["SORT", "l", "GET", "nokey_*", "GET", "#"]);
        assert_eq!(reply, array(vec![null(), bulk("1")]));
        let expected = if proto == Protocol::Resp2 { "*2\r\n$-1\r\n$1\r\n1\r\n" } else { "*2\r\n_\r\n$1\r\n1\r\n" };
        assert_eq!(wire(&reply, proto), expected);
        assert_eq!(wire(&h.run(&["SORT", "l", "STORE", "d"]), proto), ":1\r\n");
    }
}

// -- STORE -------------------------------------------------------------------------------------------

#[test]
fn sort_store_with_empty_result_returns_zero_and_deletes_destination() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SORT", "foo", "STORE", "bar"]), int(0));
    assert_eq!(h.run(&["EXISTS", "bar"]), int(0));
    h.run(&["LPUSH", "foo", "bar"]);
    assert_eq!(h.run(&["SORT", "foo", "ALPHA", "LIMIT", "10", "10", "STORE", "zap"]), int(0));
    assert_eq!(h.run(&["EXISTS", "zap"]), int(0));
    assert_eq!(h.run(&["SORT", "emptylist", "STORE", "foo"]), int(0));
    assert_eq!(h.run(&["EXISTS", "foo"]), int(0));
    h.run(&["SET", "s", "x"]);
    assert_eq!(h.run(&["SORT", "nolist", "STORE", "s"]), int(0), "any type is replaced");
    assert_eq!(h.run(&["EXISTS", "s"]), int(0));
}

#[test]
fn sort_store_replaces_value_and_drops_ttl() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "big", "3", "2", "1"]);
    h.run(&["SET", "d", "x", "EX", "100"]);
    assert_eq!(h.run(&["SORT", "big", "LIMIT", "0", "2", "STORE", "d"]), int(2));
    assert_eq!(h.run(&["TTL", "d"]), int(-1));
    assert_eq!(h.run(&["LRANGE", "d", "0", "-1"]), bulks(&["1", "2"]));
    // Sorting a key into itself.
    h.run(&["SADD", "s", "5", "3", "1"]);
    assert_eq!(h.run(&["SORT", "s", "BY", "x*", "STORE", "s"]), int(3));
    assert_eq!(h.run(&["TYPE", "s"]), status("list"));
}

#[test]
fn sort_store_fires_new_sortstore_and_del_events() {
    let mut h = Harness::with_config(Config { notify_keyspace_events: ALL | KEYSPACE | NEW, ..Config::default() });
    let sub = h.connect();
    h.send_as(sub, &["PSUBSCRIBE", "__keyspace@0__:*"]);
    h.output(sub);
    h.run(&["RPUSH", "l", "b", "a"]);
    h.output(sub);
    let events = |h: &mut Harness| -> Vec<String> {
        h.output(sub)
            .into_iter()
            .filter_map(|m| match m {
                Reply::Push(v) | Reply::Array(v) => match (&v[2], &v[3]) {
                    (Reply::Bulk(ch), Reply::Bulk(ev)) => Some(format!(
                        "{} {}",
                        String::from_utf8_lossy(&ch["__keyspace@0__:".len()..]),
                        String::from_utf8_lossy(ev)
                    )),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    };
    let dirty = h.eng.dirty;
    h.run(&["SORT", "l", "ALPHA", "STORE", "dst"]);
    assert_eq!(events(&mut h), vec!["dst new", "dst sortstore"]);
    assert_eq!(h.eng.dirty - dirty, 2, "one change per stored element");
    h.run(&["SORT", "l", "ALPHA", "STORE", "dst"]);
    assert_eq!(events(&mut h), vec!["dst sortstore"]);
    h.run(&["SORT", "nokey", "STORE", "dst"]);
    assert_eq!(events(&mut h), vec!["dst del"]);
    h.run(&["SORT", "nokey", "STORE", "dst"]);
    assert!(events(&mut h).is_empty());
    h.run(&["SORT", "l", "ALPHA"]);
    assert!(events(&mut h).is_empty());
}

#[test]
fn sort_store_with_empty_result_fails_exec_of_watched_destination() {
    let mut h = Harness::new();
    h.run(&["LPUSH", "foo", "bar"]);
    assert_eq!(h.run(&["WATCH", "foo"]), ok());
    h.run(&["SORT", "emptylist", "STORE", "foo"]);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["EXEC"]), Reply::NullArray);
    // And with a result.
    h.run(&["LPUSH", "src", "1"]);
    h.run(&["WATCH", "dst"]);
    h.run(&["SORT", "src", "STORE", "dst"]);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["EXEC"]), Reply::NullArray);
    // A read-only SORT changes nothing.
    h.run(&["WATCH", "src"]);
    h.run(&["SORT", "src"]);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![status("PONG")]));
}

#[test]
fn sort_store_wakes_clients_blocked_on_destination() {
    for pop in [
        &["BLPOP", "foo", "5"][..],
        &["BRPOP", "foo", "5"],
        &["BLMPOP", "5", "1", "foo", "LEFT"],
        &["BLMPOP", "5", "1", "foo", "RIGHT"],
    ] {
        let mut h = Harness::new();
        let waiter = h.connect();
        h.send_as(waiter, pop);
        assert!(h.output(waiter).is_empty());
        h.run(&["LPUSH", "notfoo", "hello", "hola", "aguacate", "konichiwa", "zanzibar"]);
        assert_eq!(h.run(&["SORT", "notfoo", "ALPHA", "STORE", "foo"]), int(5));
        let expected = match (pop[0], pop.last().copied()) {
            ("BLPOP", _) => bulks(&["foo", "aguacate"]),
            ("BRPOP", _) => bulks(&["foo", "zanzibar"]),
            (_, Some("LEFT")) => array(vec![bulk("foo"), bulks(&["aguacate"])]),
            _ => array(vec![bulk("foo"), bulks(&["zanzibar"])]),
        };
        assert_eq!(h.output(waiter), vec![expected], "{pop:?}");
    }
}

// -- errors and the command table ----------------------------------------------------------------

#[test]
fn sort_syntax_errors_come_before_type_errors() {
    let mut h = Harness::new();
    h.run(&["RPUSH", "l", "1"]);
    h.run(&["SET", "s", "x"]);
    h.run(&["HSET", "h", "f", "v"]);
    for bad in [
        &["SORT", "l", "LIMIT", "1"][..],
        &["SORT", "l", "STORE"],
        &["SORT", "l", "BY"],
        &["SORT", "l", "GET"],
        &["SORT", "l", "foo"],
        &["SORT", "s", "foo"],
        &["SORT_RO", "l", "STORE", "bar"],
        &["SORT_RO", "foolist", "STORE", "bar"],
    ] {
        assert_eq!(h.run(bad), err("ERR syntax error"), "{bad:?}");
    }
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "x", "1"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "1", "1.5"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["SORT", "l", "LIMIT", "x", "1", "foo"]), err("ERR value is not an integer or out of range"));
    for key in ["s", "h"] {
        assert_eq!(h.run(&["SORT", key]), err("WRONGTYPE Operation against a key holding the wrong kind of value"));
        assert_eq!(h.run(&["SORT_RO", key]), err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }
    assert_eq!(h.run(&["SORT", "nokey"]), bulks(&[]));
    assert_eq!(h.run(&["SORT"]), err("ERR wrong number of arguments for 'sort' command"));
}

#[test]
fn sort_keys_are_movable_and_include_the_last_store() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "sort", "abc", "store", "def"]), bulks(&["abc", "def"]));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "sort_ro", "abc"]), bulks(&["abc"]));
    assert_eq!(
        h.run(&["COMMAND", "GETKEYS", "sort", "abc", "store", "invalid", "store", "stillbad", "store", "def"]),
        bulks(&["abc", "def"])
    );
    assert_eq!(
        h.run(&["COMMAND", "GETKEYS", "sort", "abc", "limit", "0", "1", "by", "store", "get", "x"]),
        bulks(&["abc"])
    );
    for cmd in ["sort", "sort_ro"] {
        let Reply::Array(info) = h.run(&["COMMAND", "INFO", cmd]) else { panic!() };
        let Reply::Array(row) = &info[0] else { panic!("{info:?}") };
        assert_eq!(row[1], int(-2));
        let flags = format!("{:?}", row[2]);
        assert!(flags.contains("movablekeys"), "{cmd}: {flags}");
        assert_eq!(&row[3..6], &[int(1), int(1), int(1)]);
    }
}

#[test]
fn sort_large_dataset_matches_a_reference_sort() {
    let mut h = Harness::new();
    let mut args = vec!["RPUSH".to_string(), "big".to_string()];
    let mut seed: u64 = 7;
    let mut values = Vec::new();
    for _ in 0..5000 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let v = ((seed >> 33) as i64 % 100_000 - 50_000).to_string();
        values.push(v.clone());
        args.push(v);
    }
    run_owned(&mut h, &args);
    let mut numeric = values.clone();
    numeric.sort_by(|a, b| a.parse::<i64>().unwrap().cmp(&b.parse::<i64>().unwrap()).then(a.cmp(b)));
    assert_eq!(h.run(&["SORT", "big"]), strs(&numeric));
    let mut alpha = values.clone();
    alpha.sort();
    assert_eq!(h.run(&["SORT", "big", "ALPHA"]), strs(&alpha));
    alpha.reverse();
    assert_eq!(h.run(&["SORT", "big", "ALPHA", "DESC", "LIMIT", "100", "50"]), strs(&alpha[100..150]));
}
