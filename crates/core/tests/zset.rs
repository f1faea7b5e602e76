//! Sorted-set commands end to end, checked against Valkey 8.0.1's behaviour (tests/unit/type/zset.tcl
//! and t_zset.c). Most behaviour tests run on both encodings: the default limits give `listpack`,
//! `zset-max-listpack-entries 0` forces `skiplist`.

mod common;
use common::*;
use ferrokey_core::config::Config;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

// -- helpers ------------------------------------------------------------------------------------------------

const ENCODINGS: [&str; 2] = ["listpack", "skiplist"];

/// (command, min, max, LIMIT offset, LIMIT count, expected members)
type LimitCase<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a [&'a str]);

/// A harness whose new sorted sets take `encoding`.
fn harness(encoding: &str) -> Harness {
    let mut config = Config::default();
    if encoding == "skiplist" {
        config.zset_max_listpack_entries = 0;
        config.zset_max_listpack_value = 0;
    }
    Harness::with_config(config)
}

fn harness_resp3(encoding: &str) -> Harness {
    let mut h = harness(encoding);
    h.set_proto(h.client, Protocol::Resp3);
    h
}

fn dbl(d: f64) -> Reply {
    Reply::Double(d)
}

/// The RESP2 WITHSCORES shape: member, score, member, score ...
fn flat(items: &[(&str, f64)]) -> Reply {
    array(items.iter().flat_map(|&(m, s)| [bulk(m), dbl(s)]).collect())
}

/// The RESP3 WITHSCORES shape: [[member, score], ...]
fn pairs(items: &[(&str, f64)]) -> Reply {
    array(items.iter().map(|&(m, s)| array(vec![bulk(m), dbl(s)])).collect())
}

fn encoding_of(h: &mut Harness, key: &str) -> Reply {
    h.run(&["OBJECT", "ENCODING", key])
}

/// `ZADD key s1 m1 s2 m2 ...` from (member, score) pairs.
fn zadd(h: &mut Harness, key: &str, items: &[(&str, &str)]) -> Reply {
    let mut argv = vec!["ZADD", key];
    for (score, member) in items {
        argv.push(score);
        argv.push(member);
    }
    h.run(&argv)
}

fn default_zset(h: &mut Harness) {
    h.run(&["DEL", "zset"]);
    zadd(h, "zset", &[("-inf", "a"), ("1", "b"), ("2", "c"), ("3", "d"), ("4", "e"), ("5", "f"), ("+inf", "g")]);
}

fn lex_zset(h: &mut Harness) {
    h.run(&["DEL", "zset"]);
    let members = ["alpha", "bar", "cool", "down", "elephant", "foo", "great", "hill", "omega"];
    let items: Vec<(&str, &str)> = members.iter().map(|m| ("0", *m)).collect();
    zadd(h, "zset", &items);
}

fn long_lex_zset(h: &mut Harness) {
    h.run(&["DEL", "zset"]);
    let members = [
        "alpha", "bar", "cool", "down", "elephant", "foo", "great", "hill", "island", "jacket", "key", "lip", "max",
        "null", "omega", "point", "query", "result", "sea", "tree",
    ];
    let items: Vec<(&str, &str)> = members.iter().map(|m| ("0", *m)).collect();
    zadd(h, "zset", &items);
}

// -- ZADD, ZINCRBY ---------------------------------------------------------------------------------------------

#[test]
fn zadd_new_and_updated_members_keep_score_order() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        assert_eq!(zadd(&mut h, "z", &[("10", "x"), ("20", "y"), ("30", "z")]), int(3), "{enc}");
        assert_eq!(encoding_of(&mut h, "z"), bulk(enc));
        assert_eq!(h.run(&["ZRANGE", "z", "0", "-1"]), bulks(&["x", "y", "z"]));
        assert_eq!(h.run(&["ZADD", "z", "1", "y"]), int(0));
        assert_eq!(h.run(&["ZRANGE", "z", "0", "-1"]), bulks(&["y", "x", "z"]));
        assert_eq!(h.run(&["ZADD", "z", "5", "x", "20", "b", "30", "c"]), int(2));
        assert_eq!(
            h.run(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
            flat(&[("y", 1.0), ("x", 5.0), ("b", 20.0), ("c", 30.0), ("z", 30.0)])
        );
    }
}

#[test]
fn zadd_xx_without_key_creates_nothing() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        assert_eq!(h.run(&["ZADD", "z", "XX", "10", "x"]), int(0));
        assert_eq!(h.run(&["TYPE", "z"]), status("none"));
        assert_eq!(h.run(&["ZADD", "z", "XX", "INCR", "10", "x"]), null());
        assert_eq!(h.run(&["EXISTS", "z"]), int(0));
    }
}

#[test]
fn zadd_xx_updates_existing_and_skips_new() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "z", &[("10", "x"), ("20", "y"), ("30", "z")]);
        assert_eq!(h.run(&["ZADD", "z", "xx", "5", "foo", "11", "x", "21", "y", "40", "zap"]), int(0));
        assert_eq!(h.run(&["ZCARD", "z"]), int(3));
        assert_eq!(h.run(&["ZSCORE", "z", "x"]), dbl(11.0));
        assert_eq!(h.run(&["ZSCORE", "z", "y"]), dbl(21.0));
    }
}

#[test]
fn zadd_nx_adds_only_new_members() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "z", &[("10", "x"), ("20", "y"), ("30", "z")]);
        assert_eq!(h.run(&["ZADD", "z", "nx", "11", "x", "21", "y", "100", "a", "200", "b"]), int(2));
        assert_eq!(
            h.run(&["ZMSCORE", "z", "x", "y", "a", "b"]),
            array(vec![dbl(10.0), dbl(20.0), dbl(100.0), dbl(200.0)])
        );
    }
}

#[test]
fn zadd_gt_lt_ch_count_only_what_changed() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        let base = [("10", "x"), ("20", "y"), ("30", "z")];
        zadd(&mut h, "z", &base);
        assert_eq!(h.run(&["ZADD", "z", "gt", "ch", "5", "foo", "11", "x", "21", "y", "29", "z"]), int(3));
        assert_eq!(
            h.run(&["ZMSCORE", "z", "x", "y", "z", "foo"]),
            array(vec![dbl(11.0), dbl(21.0), dbl(30.0), dbl(5.0)])
        );

        h.run(&["DEL", "z"]);
        zadd(&mut h, "z", &base);
        assert_eq!(h.run(&["ZADD", "z", "lt", "ch", "5", "foo", "11", "x", "21", "y", "29", "z"]), int(2));
        assert_eq!(h.run(&["ZMSCORE", "z", "x", "y", "z"]), array(vec![dbl(10.0), dbl(20.0), dbl(29.0)]));

        h.run(&["DEL", "z"]);
        zadd(&mut h, "z", &base);
        assert_eq!(h.run(&["ZADD", "z", "gt", "xx", "ch", "5", "foo", "11", "x", "21", "y", "29", "z"]), int(2));
        assert_eq!(h.run(&["ZCARD", "z"]), int(3));

        h.run(&["DEL", "z"]);
        zadd(&mut h, "z", &base);
        assert_eq!(h.run(&["ZADD", "z", "lt", "xx", "ch", "5", "foo", "11", "x", "21", "y", "29", "z"]), int(1));
        assert_eq!(h.run(&["ZADD", "z", "11", "x", "21", "y", "29", "z"]), int(0));
        assert_eq!(h.run(&["ZADD", "z", "ch", "12", "x", "22", "y", "29", "z"]), int(2));
    }
}

#[test]
fn zadd_incompatible_options_get_valkey_errors() {
    let mut h = Harness::new();
    let cases: &[(&[&str], &str)] = &[
        (&["ZADD", "z", "xx", "nx", "10", "x"], "ERR XX and NX options at the same time are not compatible"),
        (&["ZADD", "z", "gt", "nx", "10", "x"], "ERR GT, LT, and/or NX options at the same time are not compatible"),
        (&["ZADD", "z", "lt", "nx", "10", "x"], "ERR GT, LT, and/or NX options at the same time are not compatible"),
        (&["ZADD", "z", "lt", "gt", "10", "x"], "ERR GT, LT, and/or NX options at the same time are not compatible"),
        (&["ZADD", "z", "INCR", "15", "x", "10", "y"], "ERR INCR option supports a single increment-element pair"),
        (&["ZADD", "z", "xx", "10", "x", "20"], "ERR syntax error"),
        (&["ZADD", "z", "nx", "xx"], "ERR syntax error"),
        (&["ZADD", "z", "10", "a", "20", "b", "30", "c", "40"], "ERR syntax error"),
        (&["ZADD", "z", "10", "a", "20", "b", "30.badscore", "c"], "ERR value is not a valid float"),
        (&["ZADD", "z", "nan", "abc"], "ERR value is not a valid float"),
        (&["ZADD", "z", "", "abc"], "ERR value is not a valid float"),
        (&["ZINCRBY", "z", "nan", "abc"], "ERR value is not a valid float"),
        (&["ZINCRBY", "z", "v", "abc"], "ERR value is not a valid float"),
        (&["ZINCRBY", "z", "10", "a", "20", "b"], "ERR wrong number of arguments for 'zincrby' command"),
        // ZINCRBY parses options as ZADD does: "nx" leaves an odd number of arguments.
        (&["ZINCRBY", "z", "nx", "a"], "ERR syntax error"),
    ];
    for (argv, want) in cases {
        assert_eq!(h.run(argv), err(want), "{argv:?}");
    }
    // The syntax checks come before the option conflicts.
    assert_eq!(h.run(&["ZADD", "z", "xx", "nx"]), err("ERR syntax error"));
    assert_eq!(h.run(&["EXISTS", "z"]), int(0), "nothing applied");
}

#[test]
fn zadd_incr_behaves_like_zincrby() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "z", &[("10", "x"), ("20", "y"), ("30", "z")]);
        assert_eq!(h.run(&["ZADD", "z", "INCR", "15", "x"]), dbl(25.0));
        assert_eq!(h.run(&["ZSCORE", "z", "x"]), dbl(25.0));
        assert_eq!(h.run(&["ZINCRBY", "new", "1.0", "x"]), dbl(1.0));
        assert_eq!(h.run(&["ZINCRBY", "new", "2", "x"]), dbl(3.0));
        assert_eq!(h.run(&["ZINCRBY", "new", "-5", "x"]), dbl(-2.0));
        // Zero increment: processed, unchanged, still replies the score.
        assert_eq!(h.run(&["ZADD", "z", "INCR", "0", "x"]), dbl(25.0));
        assert_eq!(h.run(&["ZADD", "z", "NX", "INCR", "1", "x"]), null());
        assert_eq!(h.run(&["ZADD", "z", "NX", "INCR", "1", "w"]), dbl(1.0));
    }
}

#[test]
fn zadd_incr_lt_gt_not_updated_replies_null() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        h.run(&["ZADD", "z", "28", "x"]);
        assert_eq!(h.run(&["ZADD", "z", "lt", "incr", "1", "x"]), null());
        assert_eq!(h.run(&["ZADD", "z", "gt", "incr", "-1", "x"]), null());
        assert_eq!(h.run(&["ZSCORE", "z", "x"]), dbl(28.0));
        h.run(&["ZADD", "z", "+inf", "i", "-inf", "j"]);
        for (opt, by, member) in [("lt", "1", "i"), ("gt", "-1", "i"), ("lt", "-1", "i"), ("gt", "1", "i")] {
            assert_eq!(h.run(&["ZADD", "z", opt, "incr", by, member]), null());
        }
        for (opt, by) in [("lt", "1"), ("gt", "-1"), ("lt", "-1"), ("gt", "1")] {
            assert_eq!(h.run(&["ZADD", "z", opt, "incr", by, "j"]), null());
        }
        assert_eq!(h.run(&["ZMSCORE", "z", "i", "j"]), array(vec![dbl(f64::INFINITY), dbl(f64::NEG_INFINITY)]));
    }
}

#[test]
fn zincrby_inf_minus_inf_is_nan_error() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        assert_eq!(h.run(&["ZINCRBY", "z", "+inf", "abc"]), dbl(f64::INFINITY));
        assert_eq!(h.run(&["ZINCRBY", "z", "-inf", "abc"]), err("ERR resulting score is not a number (NaN)"));
        assert_eq!(h.run(&["ZSCORE", "z", "abc"]), dbl(f64::INFINITY));
    }
}

#[test]
fn zadd_nan_midway_keeps_earlier_changes() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "inf", "a"]);
    // INCR takes one pair, so the only way to hit NaN midway is a single pair; earlier pairs of a
    // plain ZADD can never be NaN (they were parsed).
    assert_eq!(h.run(&["ZADD", "z", "INCR", "-inf", "a"]), err("ERR resulting score is not a number (NaN)"));
    assert_eq!(h.run(&["ZCARD", "z"]), int(1));
}

#[test]
fn zadd_against_wrong_type_errors_after_parsing() {
    let mut h = Harness::new();
    h.run(&["SET", "s", "v"]);
    assert_eq!(
        h.run(&["ZADD", "s", "1", "a"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(h.run(&["ZADD", "s", "x", "a"]), err("ERR value is not a valid float"));
    for cmd in [
        &["ZINCRBY", "s", "1", "a"][..],
        &["ZREM", "s", "a"],
        &["ZCARD", "s"],
        &["ZSCORE", "s", "a"],
        &["ZMSCORE", "s", "a"],
        &["ZRANK", "s", "a"],
        &["ZRANGE", "s", "0", "-1"],
        &["ZRANGEBYSCORE", "s", "0", "1"],
        &["ZRANGEBYLEX", "s", "-", "+"],
        &["ZCOUNT", "s", "0", "1"],
        &["ZLEXCOUNT", "s", "-", "+"],
        &["ZREMRANGEBYRANK", "s", "0", "1"],
        &["ZPOPMIN", "s"],
        &["ZPOPMIN", "s", "0"],
        &["ZRANDMEMBER", "s"],
        &["ZRANDMEMBER", "s", "2"],
        &["ZSCAN", "s", "0"],
        &["ZUNION", "1", "s"],
        &["ZMPOP", "1", "s", "MIN"],
        &["BZPOPMIN", "s", "1"],
        &["BZMPOP", "1", "1", "s", "MAX", "COUNT", "10"],
    ] {
        assert_eq!(h.run(cmd), err("WRONGTYPE Operation against a key holding the wrong kind of value"), "{cmd:?}");
    }
}

#[test]
fn zadd_score_double_max_round_trips() {
    let mut h = Harness::new();
    let dblmax = "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00000000000000000";
    h.run(&["ZADD", "zz", dblmax, "dblmax"]);
    assert_eq!(encoding_of(&mut h, "zz"), bulk("listpack"));
    let score = h.run(&["ZSCORE", "zz", "dblmax"]);
    assert_eq!(wire(&score, Protocol::Resp2), "$23\r\n1.7976931348623157e+308\r\n");
    assert_eq!(wire(&score, Protocol::Resp3), ",1.7976931348623157e+308\r\n");
}

#[test]
fn zadd_past_listpack_limits_converts_to_skiplist() {
    let mut h = Harness::new();
    for i in 0..128 {
        let s = i.to_string();
        h.run(&["ZADD", "z", &s, &s]);
    }
    assert_eq!(encoding_of(&mut h, "z"), bulk("listpack"));
    h.run(&["ZADD", "z", "1000", "one-more"]);
    assert_eq!(encoding_of(&mut h, "z"), bulk("skiplist"));
    assert_eq!(h.run(&["ZRANGE", "z", "0", "1"]), bulks(&["0", "1"]));

    let long = "x".repeat(65);
    h.run(&["ZADD", "long", "1", "a"]);
    h.run(&["ZADD", "long", "2", &long]);
    assert_eq!(encoding_of(&mut h, "long"), bulk("skiplist"));
    h.run(&["ZADD", "created-long", "2", &long]);
    assert_eq!(encoding_of(&mut h, "created-long"), bulk("skiplist"));
    // Shrinking never converts back.
    h.run(&["ZREM", "long", &long]);
    assert_eq!(encoding_of(&mut h, "long"), bulk("skiplist"));
}

#[test]
fn zadd_overflowing_max_entries_converts_on_the_next_member() {
    // zset.tcl "ZADD overflows the maximum allowed elements in a listpack".
    for kind in ["single", "multiple", "single_multiple"] {
        let mut h = Harness::new();
        h.eng.config.zset_max_listpack_entries = 64;
        let numbers: Vec<String> = (0..128).map(|i| i.to_string()).collect();
        match kind {
            "single" => {
                for n in &numbers[..64] {
                    h.run(&["ZADD", "z", n, n]);
                }
            }
            _ => {
                if kind == "single_multiple" {
                    h.run(&["ZADD", "z", "1", "1"]);
                }
                let mut argv = vec!["ZADD", "z"];
                argv.extend(numbers.iter().map(String::as_str));
                h.run(&argv);
            }
        }
        assert_eq!(encoding_of(&mut h, "z"), bulk("listpack"), "{kind}");
        assert_eq!(h.run(&["ZCARD", "z"]), int(64));
        assert_eq!(h.run(&["ZADD", "z", "1", "b"]), int(1));
        assert_eq!(encoding_of(&mut h, "z"), bulk("skiplist"), "{kind}");
    }
}

#[test]
fn zadd_more_pairs_than_max_entries_creates_skiplist() {
    let mut h = Harness::new();
    h.eng.config.zset_max_listpack_entries = 2;
    // Three pairs for the same member: the hint (3 pairs) decides, not the result (1 member).
    h.run(&["ZADD", "z", "1", "a", "2", "a", "3", "a"]);
    assert_eq!(encoding_of(&mut h, "z"), bulk("skiplist"));
    assert_eq!(h.run(&["ZCARD", "z"]), int(1));
}

// -- ZREM, ZCARD, ZSCORE, ZMSCORE -----------------------------------------------------------------------------

#[test]
fn zrem_last_member_deletes_key() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        h.run(&["ZADD", "z", "10", "x"]);
        h.run(&["ZADD", "z", "20", "y"]);
        assert_eq!(h.run(&["ZREM", "z", "z"]), int(0));
        assert_eq!(h.run(&["ZREM", "z", "y"]), int(1));
        assert_eq!(h.run(&["ZREM", "z", "x"]), int(1));
        assert_eq!(h.run(&["EXISTS", "z"]), int(0));
        assert_eq!(h.run(&["ZREM", "z", "x"]), int(0));
    }
}

#[test]
fn zrem_variadic_counts_removed_members() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "z", &[("10", "a"), ("20", "b"), ("30", "c")]);
        assert_eq!(h.run(&["ZREM", "z", "x", "y", "a", "b", "k"]), int(2));
        assert_eq!(h.run(&["ZREM", "z", "foo", "bar"]), int(0));
        assert_eq!(h.run(&["ZREM", "z", "c"]), int(1));
        assert_eq!(h.run(&["EXISTS", "z"]), int(0));
        zadd(&mut h, "z", &[("10", "a"), ("20", "b"), ("30", "c")]);
        assert_eq!(h.run(&["ZREM", "z", "a", "b", "c", "d", "e", "f", "g"]), int(3));
    }
}

#[test]
fn zcard_and_zscore_missing_key_or_member() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "z", &[("10", "a"), ("20", "b"), ("30", "c")]);
        assert_eq!(h.run(&["ZCARD", "z"]), int(3));
        assert_eq!(h.run(&["ZCARD", "nokey"]), int(0));
        assert_eq!(h.run(&["ZSCORE", "z", "nope"]), null());
        assert_eq!(h.run(&["ZSCORE", "nokey", "a"]), null());
        assert_eq!(h.run(&["ZSCORE", "z", "a"]), dbl(10.0));
    }
}

#[test]
fn zscore_random_doubles_round_trip_exactly() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        let scores = [0.1, 1.0 / 3.0, 2.0f64.sqrt(), 1e-300, 123456.789e10, -0.000123456789];
        for (i, s) in scores.iter().enumerate() {
            h.run(&["ZADD", "z", &format!("{s:e}"), &i.to_string()]);
        }
        for (i, s) in scores.iter().enumerate() {
            assert_eq!(h.run(&["ZSCORE", "z", &i.to_string()]), dbl(*s));
        }
    }
}

#[test]
fn zmscore_missing_key_or_members_are_nulls() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "10", "x", "20", "y"]);
    assert_eq!(h.run(&["ZMSCORE", "z", "x", "y"]), array(vec![dbl(10.0), dbl(20.0)]));
    assert_eq!(h.run(&["ZMSCORE", "z", "x", "nope"]), array(vec![dbl(10.0), null()]));
    assert_eq!(h.run(&["ZMSCORE", "nokey", "x", "y"]), array(vec![null(), null()]));
    assert_eq!(h.run(&["ZMSCORE", "z"]), err("ERR wrong number of arguments for 'zmscore' command"));
    assert_eq!(wire(&h.run(&["ZMSCORE", "z", "x", "nope"]), Protocol::Resp2), "*2\r\n$2\r\n10\r\n$-1\r\n");
}

// -- ZRANK, ZREVRANK ----------------------------------------------------------------------------------------

#[test]
fn zrank_and_zrevrank_with_and_without_score() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "z", &[("10", "x"), ("20", "y"), ("30", "z")]);
        assert_eq!(h.run(&["ZRANK", "z", "x"]), int(0));
        assert_eq!(h.run(&["ZRANK", "z", "z"]), int(2));
        assert_eq!(h.run(&["ZREVRANK", "z", "x"]), int(2));
        assert_eq!(h.run(&["ZREVRANK", "z", "z"]), int(0));
        assert_eq!(h.run(&["ZRANK", "z", "y", "withscore"]), array(vec![int(1), dbl(20.0)]));
        assert_eq!(h.run(&["ZREVRANK", "z", "x", "WITHSCORE"]), array(vec![int(2), dbl(10.0)]));
        assert_eq!(h.run(&["ZRANK", "z", "foo"]), Reply::Null);
        assert_eq!(h.run(&["ZRANK", "z", "foo", "withscore"]), Reply::NullArray);
        assert_eq!(h.run(&["ZRANK", "nokey", "foo", "withscore"]), Reply::NullArray);
        assert_eq!(h.run(&["ZREVRANK", "nokey", "foo"]), Reply::Null);
        h.run(&["ZREM", "z", "y"]);
        assert_eq!(h.run(&["ZRANK", "z", "z", "withscore"]), array(vec![int(1), dbl(30.0)]));
    }
}

#[test]
fn zrank_bad_arguments_get_valkey_errors() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "1", "a"]);
    assert_eq!(h.run(&["ZRANK", "z", "a", "foo"]), err("ERR syntax error"));
    assert_eq!(h.run(&["ZRANK", "z", "a", "withscore", "x"]), err("ERR wrong number of arguments for 'zrank' command"));
    assert_eq!(
        h.run(&["ZREVRANK", "z", "a", "withscore", "x"]),
        err("ERR wrong number of arguments for 'zrevrank' command")
    );
}

#[test]
fn zrank_resp_shapes_on_the_wire() {
    let mut h = Harness::resp3();
    h.run(&["ZADD", "z", "1.5", "a"]);
    assert_eq!(wire(&h.run(&["ZRANK", "z", "a", "withscore"]), Protocol::Resp3), "*2\r\n:0\r\n,1.5\r\n");
    assert_eq!(wire(&h.run(&["ZRANK", "z", "a", "withscore"]), Protocol::Resp2), "*2\r\n:0\r\n$3\r\n1.5\r\n");
    assert_eq!(wire(&h.run(&["ZRANK", "z", "b", "withscore"]), Protocol::Resp2), "*-1\r\n");
    assert_eq!(wire(&h.run(&["ZRANK", "z", "b"]), Protocol::Resp2), "$-1\r\n");
}

// -- ZRANGE by rank ---------------------------------------------------------------------------------------------

#[test]
fn zrange_rank_indices_like_valkey() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "z", &[("1", "a"), ("2", "b"), ("3", "c"), ("4", "d")]);
        let cases: &[(&str, &str, &[&str])] = &[
            ("0", "-1", &["a", "b", "c", "d"]),
            ("0", "-2", &["a", "b", "c"]),
            ("1", "-1", &["b", "c", "d"]),
            ("1", "-2", &["b", "c"]),
            ("-2", "-1", &["c", "d"]),
            ("-2", "-2", &["c"]),
            ("-5", "2", &["a", "b", "c"]),
            ("-5", "1", &["a", "b"]),
            ("5", "-1", &[]),
            ("5", "-2", &[]),
            ("0", "5", &["a", "b", "c", "d"]),
            ("1", "5", &["b", "c", "d"]),
            ("0", "-5", &[]),
            ("1", "-5", &[]),
        ];
        for (start, stop, want) in cases {
            assert_eq!(h.run(&["ZRANGE", "z", start, stop]), bulks(want), "{enc} {start} {stop}");
            let mut rev: Vec<&str> = ["d", "c", "b", "a"].to_vec();
            rev.retain(|m| {
                let asc_rank = ["a", "b", "c", "d"].iter().position(|x| x == m).unwrap();
                // ZREVRANGE i j picks descending ranks i..j, the same positions from the other end.
                let desc_rank = 3 - asc_rank;
                let span = {
                    let s: i64 = start.parse().unwrap();
                    let e: i64 = stop.parse().unwrap();
                    let s = if s < 0 { (4 + s).max(0) } else { s };
                    let e = if e < 0 { 4 + e } else { e.min(3) };
                    (s, e)
                };
                (span.0..=span.1).contains(&(desc_rank as i64))
            });
            assert_eq!(h.run(&["ZREVRANGE", "z", start, stop]), bulks(&rev), "{enc} rev {start} {stop}");
        }
        assert_eq!(
            h.run(&["ZRANGE", "z", "0", "-1", "withscores"]),
            flat(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)])
        );
        assert_eq!(
            h.run(&["ZREVRANGE", "z", "0", "-1", "WITHSCORES"]),
            flat(&[("d", 4.0), ("c", 3.0), ("b", 2.0), ("a", 1.0)])
        );
        assert_eq!(h.run(&["ZRANGE", "nokey", "0", "-1"]), bulks(&[]));
    }
}

#[test]
fn zrange_withscores_resp3_nests_pairs() {
    for enc in ENCODINGS {
        let mut h = harness_resp3(enc);
        zadd(&mut h, "z", &[("1", "a"), ("2", "b")]);
        let reply = h.run(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]);
        assert_eq!(reply, pairs(&[("a", 1.0), ("b", 2.0)]));
        assert_eq!(wire(&reply, Protocol::Resp3), "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
        assert_eq!(h.run(&["ZRANGE", "z", "0", "-1"]), bulks(&["a", "b"]));
    }
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "1", "a"]);
    assert_eq!(
        wire(&h.run(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]), Protocol::Resp2),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
}

#[test]
fn zrange_bad_options_get_valkey_errors() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "1", "a", "2", "b"]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["ZRANGE", "z", "0", "-1", "limit", "1", "2"],
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ),
        (
            &["ZRANGE", "z", "0", "-1", "BYLEX", "WITHSCORES"],
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ),
        (&["ZREVRANGE", "z", "0", "-1", "BYSCORE"], "ERR syntax error"),
        (&["ZRANGEBYSCORE", "z", "0", "-1", "REV"], "ERR syntax error"),
        (&["ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"], "ERR syntax error"),
        (&["ZRANGE", "z", "0", "-1", "LIMIT", "1"], "ERR syntax error"),
        (&["ZRANGE", "z", "0", "-1", "BYSCORE", "LIMIT", "x", "1"], "ERR value is not an integer or out of range"),
        (&["ZRANGE", "z", "a", "-1"], "ERR value is not an integer or out of range"),
        (&["ZRANGE", "z", "0", "1", "BYSCORE", "REV", "LIMIT", "0", "2", "bogus"], "ERR syntax error"),
        (&["ZRANGEBYSCORE", "z", "str", "1"], "ERR min or max is not a float"),
        (&["ZRANGEBYSCORE", "z", "1", "str"], "ERR min or max is not a float"),
        (&["ZRANGEBYSCORE", "z", "1", "NaN"], "ERR min or max is not a float"),
        (&["ZRANGEBYLEX", "z", "foo", "bar"], "ERR min or max not valid string range item"),
        (&["ZRANGEBYLEX", "z", "[foo", "bar"], "ERR min or max not valid string range item"),
        (&["ZRANGEBYLEX", "z", "foo", "[bar"], "ERR min or max not valid string range item"),
        (&["ZRANGEBYLEX", "z", "+x", "[bar"], "ERR min or max not valid string range item"),
        (&["ZRANGEBYLEX", "z", "-x", "[bar"], "ERR min or max not valid string range item"),
        (
            &["ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"],
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ),
        (
            &["ZRANGESTORE", "d", "z", "0", "-1", "limit", "1", "2"],
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ),
        (&["ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"], "ERR syntax error"),
    ];
    for (argv, want) in cases {
        assert_eq!(h.run(argv), err(want), "{argv:?}");
    }
    // Valkey only checks that LIMIT's count differs from -1: an explicit "LIMIT 0 -1" passes.
    assert_eq!(h.run(&["ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"]), bulks(&["a", "b"]));
    // Errors in the range come before the key is looked up.
    assert_eq!(h.run(&["ZRANGEBYSCORE", "nokey", "x", "1"]), err("ERR min or max is not a float"));
}

// -- ZRANGEBYSCORE, ZCOUNT --------------------------------------------------------------------------------------

#[test]
fn zrangebyscore_inclusive_exclusive_and_empty_ranges() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        default_zset(&mut h);
        let cases: &[(&str, &str, &str, &[&str])] = &[
            ("ZRANGEBYSCORE", "-inf", "2", &["a", "b", "c"]),
            ("ZRANGEBYSCORE", "0", "3", &["b", "c", "d"]),
            ("ZRANGEBYSCORE", "3", "6", &["d", "e", "f"]),
            ("ZRANGEBYSCORE", "4", "+inf", &["e", "f", "g"]),
            ("ZREVRANGEBYSCORE", "2", "-inf", &["c", "b", "a"]),
            ("ZREVRANGEBYSCORE", "3", "0", &["d", "c", "b"]),
            ("ZREVRANGEBYSCORE", "6", "3", &["f", "e", "d"]),
            ("ZREVRANGEBYSCORE", "+inf", "4", &["g", "f", "e"]),
            ("ZRANGEBYSCORE", "(-inf", "(2", &["b"]),
            ("ZRANGEBYSCORE", "(0", "(3", &["b", "c"]),
            ("ZRANGEBYSCORE", "(3", "(6", &["e", "f"]),
            ("ZRANGEBYSCORE", "(4", "(+inf", &["f"]),
            ("ZREVRANGEBYSCORE", "(2", "(-inf", &["b"]),
            ("ZREVRANGEBYSCORE", "(3", "(0", &["c", "b"]),
            ("ZREVRANGEBYSCORE", "(6", "(3", &["f", "e"]),
            ("ZREVRANGEBYSCORE", "(+inf", "(4", &["f"]),
        ];
        for (cmd, min, max, want) in cases {
            assert_eq!(h.run(&[cmd, "zset", min, max]), bulks(want), "{enc} {cmd} {min} {max}");
        }
        assert_eq!(h.run(&["ZCOUNT", "zset", "0", "3"]), int(3));
        assert_eq!(h.run(&["ZCOUNT", "zset", "(0", "(3"]), int(2));
        assert_eq!(h.run(&["ZCOUNT", "zset", "-inf", "+inf"]), int(7));

        h.run(&["ZREM", "zset", "a", "g"]);
        let empty: &[(&str, &str, &str)] = &[
            ("ZRANGEBYSCORE", "4", "2"),
            ("ZRANGEBYSCORE", "6", "+inf"),
            ("ZRANGEBYSCORE", "-inf", "-6"),
            ("ZREVRANGEBYSCORE", "+inf", "6"),
            ("ZREVRANGEBYSCORE", "-6", "-inf"),
            ("ZRANGEBYSCORE", "(4", "(2"),
            ("ZRANGEBYSCORE", "2", "(2"),
            ("ZRANGEBYSCORE", "(2", "2"),
            ("ZRANGEBYSCORE", "(6", "(+inf"),
            ("ZRANGEBYSCORE", "(-inf", "(-6"),
            ("ZREVRANGEBYSCORE", "(+inf", "(6"),
            ("ZREVRANGEBYSCORE", "(-6", "(-inf"),
            ("ZRANGEBYSCORE", "2.4", "2.6"),
            ("ZRANGEBYSCORE", "(2.4", "2.6"),
            ("ZRANGEBYSCORE", "2.4", "(2.6"),
            ("ZRANGEBYSCORE", "(2.4", "(2.6"),
        ];
        for (cmd, min, max) in empty {
            assert_eq!(h.run(&[cmd, "zset", min, max]), bulks(&[]), "{enc} {cmd} {min} {max}");
        }
        assert_eq!(h.run(&["ZCOUNT", "zset", "2.4", "2.6"]), int(0));
        assert_eq!(h.run(&["ZCOUNT", "zset", "4", "2"]), int(0));
    }
}

#[test]
fn zrangebyscore_withscores_and_limit() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        default_zset(&mut h);
        assert_eq!(
            h.run(&["ZRANGEBYSCORE", "zset", "0", "3", "withscores"]),
            flat(&[("b", 1.0), ("c", 2.0), ("d", 3.0)])
        );
        assert_eq!(
            h.run(&["ZREVRANGEBYSCORE", "zset", "3", "0", "withscores"]),
            flat(&[("d", 3.0), ("c", 2.0), ("b", 1.0)])
        );
        let cases: &[LimitCase] = &[
            ("ZRANGEBYSCORE", "0", "10", "0", "2", &["b", "c"]),
            ("ZRANGEBYSCORE", "0", "10", "2", "3", &["d", "e", "f"]),
            ("ZRANGEBYSCORE", "0", "10", "2", "10", &["d", "e", "f"]),
            ("ZRANGEBYSCORE", "0", "10", "20", "10", &[]),
            ("ZREVRANGEBYSCORE", "10", "0", "0", "2", &["f", "e"]),
            ("ZREVRANGEBYSCORE", "10", "0", "2", "3", &["d", "c", "b"]),
            ("ZREVRANGEBYSCORE", "10", "0", "2", "10", &["d", "c", "b"]),
            ("ZREVRANGEBYSCORE", "10", "0", "20", "10", &[]),
            ("ZRANGEBYSCORE", "0", "10", "0", "0", &[]),
            ("ZRANGEBYSCORE", "0", "10", "1", "-1", &["c", "d", "e", "f"]),
        ];
        for (cmd, min, max, off, count, want) in cases {
            assert_eq!(
                h.run(&[cmd, "zset", min, max, "LIMIT", off, count]),
                bulks(want),
                "{enc} {cmd} {min} {max} {off} {count}"
            );
        }
        assert_eq!(
            h.run(&["ZRANGEBYSCORE", "zset", "2", "5", "LIMIT", "2", "3", "WITHSCORES"]),
            flat(&[("e", 4.0), ("f", 5.0)])
        );
        assert_eq!(
            h.run(&["ZREVRANGEBYSCORE", "zset", "5", "2", "LIMIT", "2", "3", "WITHSCORES"]),
            flat(&[("d", 3.0), ("c", 2.0)])
        );
        assert_eq!(h.run(&["ZRANGEBYSCORE", "zset", "2", "5", "LIMIT", "12", "13", "WITHSCORES"]), bulks(&[]));
    }
}

#[test]
fn zrangebyscore_limit_on_long_set_matches_offsets() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        for i in 0..30 {
            let s = i.to_string();
            h.run(&["ZADD", "zset", &s, &format!("i{i}")]);
        }
        let cases: &[LimitCase] = &[
            ("ZRANGEBYSCORE", "0", "20", "12", "3", &["i12", "i13", "i14"]),
            ("ZRANGEBYSCORE", "0", "20", "14", "2", &["i14", "i15"]),
            ("ZRANGEBYSCORE", "0", "30", "19", "3", &["i19", "i20", "i21"]),
            ("ZRANGEBYSCORE", "10", "30", "19", "2", &["i29"]),
            ("ZREVRANGEBYSCORE", "30", "10", "12", "3", &["i17", "i16", "i15"]),
            ("ZREVRANGEBYSCORE", "20", "0", "14", "2", &["i6", "i5"]),
            ("ZREVRANGEBYSCORE", "20", "0", "18", "5", &["i2", "i1", "i0"]),
            ("ZREVRANGEBYSCORE", "20", "0", "20", "5", &["i0"]),
        ];
        for (cmd, min, max, off, count, want) in cases {
            assert_eq!(
                h.run(&[cmd, "zset", min, max, "LIMIT", off, count]),
                bulks(want),
                "{enc} {cmd} {min} {max} {off}"
            );
        }
    }
}

#[test]
fn zrangebyscore_negative_offset_depends_on_encoding_as_in_valkey() {
    // Valkey 8.0.1: the listpack walk never finds a start for a negative offset; the skiplist's
    // zslNthInRange counts a negative offset from the other end of the range.
    let mut h = harness("listpack");
    default_zset(&mut h);
    assert_eq!(h.run(&["ZRANGEBYSCORE", "zset", "1", "5", "LIMIT", "-2", "10"]), bulks(&[]));
    assert_eq!(h.run(&["ZREVRANGEBYSCORE", "zset", "5", "1", "LIMIT", "-1", "10"]), bulks(&[]));
    let mut h = harness("skiplist");
    default_zset(&mut h);
    assert_eq!(h.run(&["ZRANGEBYSCORE", "zset", "1", "5", "LIMIT", "-2", "10"]), bulks(&["e", "f"]));
    assert_eq!(h.run(&["ZREVRANGEBYSCORE", "zset", "5", "1", "LIMIT", "-1", "10"]), bulks(&["b"]));
    assert_eq!(h.run(&["ZREVRANGEBYSCORE", "zset", "5", "1", "LIMIT", "-2", "10"]), bulks(&["c", "b"]));
    assert_eq!(h.run(&["ZRANGEBYSCORE", "zset", "1", "5", "LIMIT", "-9", "10"]), bulks(&[]));
}

#[test]
fn zrangebyscore_bounds_parse_like_strtod() {
    let mut h = Harness::new();
    default_zset(&mut h);
    // strtod: hex, leading spaces, and the empty string (0) are all valid bounds.
    assert_eq!(h.run(&["ZRANGEBYSCORE", "zset", "0x1", " 2"]), bulks(&["b", "c"]));
    assert_eq!(h.run(&["ZRANGEBYSCORE", "zset", "", "1"]), bulks(&["b"]));
    assert_eq!(h.run(&["ZCOUNT", "zset", "(", "1"]), int(1));
    assert_eq!(h.run(&["ZCOUNT", "zset", "1e400", "inf"]), int(1));
}

// -- ZRANGEBYLEX, ZLEXCOUNT -------------------------------------------------------------------------------------

#[test]
fn zrangebylex_inclusive_exclusive_and_empty() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        lex_zset(&mut h);
        let cases: &[(&str, &str, &str, &[&str])] = &[
            ("ZRANGEBYLEX", "-", "[cool", &["alpha", "bar", "cool"]),
            ("ZRANGEBYLEX", "[bar", "[down", &["bar", "cool", "down"]),
            ("ZRANGEBYLEX", "[g", "+", &["great", "hill", "omega"]),
            ("ZREVRANGEBYLEX", "[cool", "-", &["cool", "bar", "alpha"]),
            ("ZREVRANGEBYLEX", "[down", "[bar", &["down", "cool", "bar"]),
            ("ZREVRANGEBYLEX", "+", "[d", &["omega", "hill", "great", "foo", "elephant", "down"]),
            ("ZRANGEBYLEX", "-", "(cool", &["alpha", "bar"]),
            ("ZRANGEBYLEX", "(bar", "(down", &["cool"]),
            ("ZRANGEBYLEX", "(great", "+", &["hill", "omega"]),
            ("ZREVRANGEBYLEX", "(cool", "-", &["bar", "alpha"]),
            ("ZREVRANGEBYLEX", "(down", "(bar", &["cool"]),
            ("ZREVRANGEBYLEX", "+", "(great", &["omega", "hill"]),
            ("ZRANGEBYLEX", "(az", "(b", &[]),
            ("ZRANGEBYLEX", "(z", "+", &[]),
            ("ZRANGEBYLEX", "-", "[aaaa", &[]),
            ("ZREVRANGEBYLEX", "[elez", "[elex", &[]),
            ("ZREVRANGEBYLEX", "(hill", "(omega", &[]),
            ("ZRANGE", "[b", "[c", &["bar"]),
        ];
        for (cmd, min, max, want) in cases {
            let reply = if *cmd == "ZRANGE" {
                h.run(&[cmd, "zset", min, max, "BYLEX"])
            } else {
                h.run(&[cmd, "zset", min, max])
            };
            assert_eq!(reply, bulks(want), "{enc} {cmd} {min} {max}");
        }
        assert_eq!(h.run(&["ZLEXCOUNT", "zset", "[ele", "[h"]), int(3));
        assert_eq!(h.run(&["ZLEXCOUNT", "zset", "(ele", "(great"]), int(2));
    }
}

#[test]
fn zlexcount_edges() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        lex_zset(&mut h);
        let cases: &[(&str, &str, i64)] = &[
            ("-", "+", 9),
            ("+", "-", 0),
            ("+", "[c", 0),
            ("[c", "-", 0),
            ("[bar", "+", 8),
            ("[bar", "[foo", 5),
            ("[bar", "(foo", 4),
            ("(bar", "[foo", 4),
            ("(bar", "(foo", 3),
            ("-", "(foo", 5),
            ("(maxstring", "+", 1),
            ("-", "-", 0),
            ("+", "+", 0),
        ];
        for (min, max, want) in cases {
            assert_eq!(h.run(&["ZLEXCOUNT", "zset", min, max]), int(*want), "{enc} {min} {max}");
        }
        assert_eq!(h.run(&["ZLEXCOUNT", "zset", "a", "+"]), err("ERR min or max not valid string range item"));
        assert_eq!(h.run(&["ZLEXCOUNT", "nokey", "-", "+"]), int(0));
    }
}

#[test]
fn zrangebylex_with_limit() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        lex_zset(&mut h);
        let cases: &[LimitCase] = &[
            ("ZRANGEBYLEX", "-", "[cool", "0", "2", &["alpha", "bar"]),
            ("ZRANGEBYLEX", "-", "[cool", "1", "2", &["bar", "cool"]),
            ("ZRANGEBYLEX", "[bar", "[down", "0", "0", &[]),
            ("ZRANGEBYLEX", "[bar", "[down", "2", "0", &[]),
            ("ZRANGEBYLEX", "[bar", "[down", "0", "1", &["bar"]),
            ("ZRANGEBYLEX", "[bar", "[down", "1", "1", &["cool"]),
            ("ZRANGEBYLEX", "[bar", "[down", "0", "100", &["bar", "cool", "down"]),
            ("ZREVRANGEBYLEX", "+", "[d", "0", "5", &["omega", "hill", "great", "foo", "elephant"]),
            ("ZREVRANGEBYLEX", "+", "[d", "0", "4", &["omega", "hill", "great", "foo"]),
            ("ZREVRANGEBYLEX", "+", "[d", "2", "3", &["great", "foo", "elephant"]),
        ];
        for (cmd, min, max, off, count, want) in cases {
            assert_eq!(
                h.run(&[cmd, "zset", min, max, "LIMIT", off, count]),
                bulks(want),
                "{enc} {cmd} {min} {max} {off} {count}"
            );
        }
        long_lex_zset(&mut h);
        let cases: &[LimitCase] = &[
            ("ZRANGEBYLEX", "-", "[tree", "12", "2", &["max", "null"]),
            ("ZRANGEBYLEX", "-", "[tree", "15", "2", &["point", "query"]),
            ("ZRANGEBYLEX", "[max", "[tree", "10", "0", &[]),
            ("ZRANGEBYLEX", "[max", "[tree", "12", "0", &[]),
            ("ZRANGEBYLEX", "[max", "[null", "0", "1", &["max"]),
            ("ZRANGEBYLEX", "[max", "[null", "1", "1", &["null"]),
            ("ZRANGEBYLEX", "[max", "[point", "0", "100", &["max", "null", "omega", "point"]),
            ("ZREVRANGEBYLEX", "+", "[o", "0", "5", &["tree", "sea", "result", "query", "point"]),
            ("ZREVRANGEBYLEX", "+", "[o", "0", "4", &["tree", "sea", "result", "query"]),
            ("ZREVRANGEBYLEX", "+", "[l", "5", "4", &["omega", "null", "max", "lip"]),
            ("ZREVRANGEBYLEX", "+", "[a", "15", "2", &["elephant", "down"]),
            ("ZREVRANGEBYLEX", "+", "-", "18", "6", &["bar", "alpha"]),
            ("ZREVRANGEBYLEX", "+", "[c", "12", "3", &["hill", "great", "foo"]),
        ];
        for (cmd, min, max, off, count, want) in cases {
            assert_eq!(
                h.run(&[cmd, "zset", min, max, "LIMIT", off, count]),
                bulks(want),
                "{enc} {cmd} {min} {max} {off} {count}"
            );
        }
    }
}

#[test]
fn zrangebylex_binary_members_compare_as_bytes() {
    let mut h = Harness::new();
    h.run_bytes(&[b"ZADD", b"z", b"0", b"a\x00b", b"0", b"a", b"0", b"\xff", b"0", b"ab"]);
    assert_eq!(
        h.run_bytes(&[b"ZRANGEBYLEX", b"z", b"-", b"+"]),
        Reply::Array(vec![
            Reply::bulk(&b"a"[..]),
            Reply::bulk(&b"a\x00b"[..]),
            Reply::bulk(&b"ab"[..]),
            Reply::bulk(&b"\xff"[..])
        ])
    );
    assert_eq!(h.run_bytes(&[b"ZLEXCOUNT", b"z", b"(a", b"[a\x00c"]), int(1));
}

// -- ZREMRANGEBY* ------------------------------------------------------------------------------------------------

#[test]
fn zremrangebyscore_ranges_and_key_deletion() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        let mut rem = |min: &str, max: &str| {
            h.run(&["DEL", "zset"]);
            zadd(&mut h, "zset", &[("1", "a"), ("2", "b"), ("3", "c"), ("4", "d"), ("5", "e")]);
            let n = h.run(&["ZREMRANGEBYSCORE", "zset", min, max]);
            (n, h.run(&["ZRANGE", "zset", "0", "-1"]))
        };
        let cases: &[(&str, &str, i64, &[&str])] = &[
            ("2", "4", 3, &["a", "e"]),
            ("-10", "1", 1, &["b", "c", "d", "e"]),
            ("5", "10", 1, &["a", "b", "c", "d"]),
            ("4", "2", 0, &["a", "b", "c", "d", "e"]),
            ("-inf", "3", 3, &["d", "e"]),
            ("3", "+inf", 3, &["a", "b"]),
            ("-inf", "+inf", 5, &[]),
            ("(1", "5", 4, &["a"]),
            ("(2", "5", 3, &["a", "b"]),
            ("1", "(5", 4, &["e"]),
            ("1", "(4", 3, &["d", "e"]),
            ("(1", "(5", 3, &["a", "e"]),
        ];
        for (min, max, n, left) in cases {
            assert_eq!(rem(min, max), (int(*n), bulks(left)), "{enc} {min} {max}");
        }
        assert_eq!(rem("1", "5").0, int(5));
        assert_eq!(h.run(&["EXISTS", "zset"]), int(0));
        assert_eq!(h.run(&["ZREMRANGEBYSCORE", "fooz", "str", "1"]), err("ERR min or max is not a float"));
        assert_eq!(h.run(&["ZREMRANGEBYSCORE", "fooz", "1", "NaN"]), err("ERR min or max is not a float"));
        assert_eq!(h.run(&["ZREMRANGEBYSCORE", "fooz", "1", "2"]), int(0));
    }
}

#[test]
fn zremrangebyrank_ranges_and_key_deletion() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        let mut rem = |start: &str, stop: &str| {
            h.run(&["DEL", "zset"]);
            zadd(&mut h, "zset", &[("1", "a"), ("2", "b"), ("3", "c"), ("4", "d"), ("5", "e")]);
            let n = h.run(&["ZREMRANGEBYRANK", "zset", start, stop]);
            (n, h.run(&["ZRANGE", "zset", "0", "-1"]))
        };
        let cases: &[(&str, &str, i64, &[&str])] = &[
            ("1", "3", 3, &["a", "e"]),
            ("-10", "0", 1, &["b", "c", "d", "e"]),
            ("10", "-1", 0, &["a", "b", "c", "d", "e"]),
            ("0", "-10", 0, &["a", "b", "c", "d", "e"]),
            ("0", "10", 5, &[]),
        ];
        for (start, stop, n, left) in cases {
            assert_eq!(rem(start, stop), (int(*n), bulks(left)), "{enc} {start} {stop}");
        }
        assert_eq!(h.run(&["EXISTS", "zset"]), int(0));
        assert_eq!(h.run(&["ZREMRANGEBYRANK", "zset", "x", "1"]), err("ERR value is not an integer or out of range"));
    }
}

#[test]
fn zremrangebylex_ranges_and_key_deletion() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        let mut rem = |min: &str, max: &str| {
            lex_zset(&mut h);
            let n = h.run(&["ZREMRANGEBYLEX", "zset", min, max]);
            (n, h.run(&["ZRANGE", "zset", "0", "-1"]))
        };
        let all = ["alpha", "bar", "cool", "down", "elephant", "foo", "great", "hill", "omega"];
        let cases: &[(&str, &str, i64, &[&str])] = &[
            ("-", "[cool", 3, &["down", "elephant", "foo", "great", "hill", "omega"]),
            ("[bar", "[down", 3, &["alpha", "elephant", "foo", "great", "hill", "omega"]),
            ("[g", "+", 3, &["alpha", "bar", "cool", "down", "elephant", "foo"]),
            ("-", "(cool", 2, &["cool", "down", "elephant", "foo", "great", "hill", "omega"]),
            ("(bar", "(down", 1, &["alpha", "bar", "down", "elephant", "foo", "great", "hill", "omega"]),
            ("(great", "+", 2, &["alpha", "bar", "cool", "down", "elephant", "foo", "great"]),
            ("(az", "(b", 0, &all),
            ("(z", "+", 0, &all),
            ("-", "[aaaa", 0, &all),
        ];
        for (min, max, n, left) in cases {
            assert_eq!(rem(min, max), (int(*n), bulks(left)), "{enc} {min} {max}");
        }
        assert_eq!(rem("-", "+").0, int(9));
        assert_eq!(h.run(&["EXISTS", "zset"]), int(0));
        assert_eq!(h.run(&["ZREMRANGEBYLEX", "zset", "x", "+"]), err("ERR min or max not valid string range item"));
    }
}

// -- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD --------------------------------------------------

fn algebra_fixture(h: &mut Harness) {
    h.run(&["DEL", "zseta", "zsetb", "zsetc"]);
    zadd(h, "zseta", &[("1", "a"), ("2", "b"), ("3", "c")]);
    zadd(h, "zsetb", &[("1", "b"), ("2", "c"), ("3", "d")]);
}

#[test]
fn zunion_zinter_zdiff_against_missing_keys() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        assert_eq!(h.run(&["ZUNIONSTORE", "dst", "1", "zseta"]), int(0));
        assert_eq!(h.run(&["EXISTS", "dst"]), int(0));
        assert_eq!(h.run(&["ZUNION", "1", "zseta"]), bulks(&[]));
        assert_eq!(h.run(&["ZINTER", "1", "zseta"]), bulks(&[]));
        assert_eq!(h.run(&["ZINTERCARD", "1", "zseta"]), int(0));
        assert_eq!(h.run(&["ZINTERCARD", "1", "zseta", "limit", "0"]), int(0));
        assert_eq!(h.run(&["ZDIFF", "1", "zseta"]), bulks(&[]));
        zadd(&mut h, "zseta", &[("1", "a"), ("2", "b")]);
        assert_eq!(h.run(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb"]), int(2));
        assert_eq!(h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]), flat(&[("a", 1.0), ("b", 2.0)]));
        assert_eq!(h.run(&["ZUNION", "2", "zseta", "zsetb", "withscores"]), flat(&[("a", 1.0), ("b", 2.0)]));
        assert_eq!(h.run(&["ZINTER", "2", "zseta", "zsetb", "withscores"]), bulks(&[]));
        assert_eq!(h.run(&["ZINTERCARD", "2", "zseta", "zsetb"]), int(0));
        assert_eq!(h.run(&["ZDIFF", "2", "zseta", "zsetb", "withscores"]), flat(&[("a", 1.0), ("b", 2.0)]));
    }
}

#[test]
fn zunionstore_weights_and_aggregates() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        algebra_fixture(&mut h);
        assert_eq!(h.run(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb"]), int(4));
        assert_eq!(
            h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]),
            flat(&[("a", 1.0), ("b", 3.0), ("d", 3.0), ("c", 5.0)])
        );
        assert_eq!(h.run(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb", "weights", "2", "3"]), int(4));
        assert_eq!(
            h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]),
            flat(&[("a", 2.0), ("b", 7.0), ("d", 9.0), ("c", 12.0)])
        );
        assert_eq!(
            h.run(&["ZUNION", "2", "zseta", "zsetb", "weights", "2", "3", "withscores"]),
            flat(&[("a", 2.0), ("b", 7.0), ("d", 9.0), ("c", 12.0)])
        );
        assert_eq!(
            h.run(&["ZINTER", "2", "zseta", "zsetb", "weights", "2", "3", "withscores"]),
            flat(&[("b", 7.0), ("c", 12.0)])
        );
        assert_eq!(h.run(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb", "aggregate", "min"]), int(4));
        assert_eq!(
            h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]),
            flat(&[("a", 1.0), ("b", 1.0), ("c", 2.0), ("d", 3.0)])
        );
        assert_eq!(
            h.run(&["ZINTER", "2", "zseta", "zsetb", "aggregate", "min", "withscores"]),
            flat(&[("b", 1.0), ("c", 2.0)])
        );
        assert_eq!(h.run(&["ZUNIONSTORE", "zsetc", "2", "zseta", "zsetb", "aggregate", "max"]), int(4));
        assert_eq!(
            h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]),
            flat(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 3.0)])
        );
        assert_eq!(
            h.run(&["ZINTER", "2", "zseta", "zsetb", "aggregate", "max", "withscores"]),
            flat(&[("b", 2.0), ("c", 3.0)])
        );
        assert_eq!(h.run(&["ZINTERSTORE", "zsetc", "2", "zseta", "zsetb"]), int(2));
        assert_eq!(h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]), flat(&[("b", 3.0), ("c", 5.0)]));
        assert_eq!(h.run(&["ZINTERSTORE", "zsetc", "2", "zseta", "zsetb", "weights", "2", "3"]), int(2));
        assert_eq!(h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]), flat(&[("b", 7.0), ("c", 12.0)]));
        assert_eq!(h.run(&["ZINTERSTORE", "zsetc", "2", "zseta", "zsetb", "aggregate", "min"]), int(2));
        assert_eq!(h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]), flat(&[("b", 1.0), ("c", 2.0)]));
        assert_eq!(h.run(&["ZDIFFSTORE", "zsetc", "2", "zseta", "zsetb"]), int(1));
        assert_eq!(h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]), flat(&[("a", 1.0)]));
        assert_eq!(h.run(&["ZDIFF", "2", "zseta", "zsetb", "withscores"]), flat(&[("a", 1.0)]));
        assert_eq!(h.run(&["ZDIFFSTORE", "zsetc", "2", "zseta", "zseta"]), int(0));
        assert_eq!(h.run(&["EXISTS", "zsetc"]), int(0));
    }
}

#[test]
fn zintercard_limits_and_errors() {
    let mut h = Harness::new();
    algebra_fixture(&mut h);
    assert_eq!(h.run(&["ZINTERCARD", "2", "zseta", "zsetb"]), int(2));
    assert_eq!(h.run(&["ZINTERCARD", "2", "zseta", "zsetb", "limit", "0"]), int(2));
    assert_eq!(h.run(&["ZINTERCARD", "2", "zseta", "zsetb", "limit", "1"]), int(1));
    assert_eq!(h.run(&["ZINTERCARD", "2", "zseta", "zsetb", "limit", "10"]), int(2));
    assert_eq!(h.run(&["ZINTERCARD", "1", "zseta", "zseta"]), err("ERR syntax error"));
    assert_eq!(h.run(&["ZINTERCARD", "1", "zseta", "bar_arg"]), err("ERR syntax error"));
    assert_eq!(h.run(&["ZINTERCARD", "1", "zseta", "LIMIT"]), err("ERR syntax error"));
    assert_eq!(h.run(&["ZINTERCARD", "1", "myset", "LIMIT", "-1"]), err("ERR LIMIT can't be negative"));
    assert_eq!(h.run(&["ZINTERCARD", "1", "myset", "LIMIT", "a"]), err("ERR LIMIT can't be negative"));
    assert_eq!(h.run(&["ZINTERCARD", "2", "zseta", "zsetb", "WEIGHTS", "1", "2"]), err("ERR syntax error"));
}

#[test]
fn zunion_integer_members_and_resp3_pairs() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        zadd(&mut h, "zsetd", &[("1", "1"), ("2", "2"), ("3", "3")]);
        zadd(&mut h, "zsetf", &[("1", "1"), ("3", "3"), ("4", "4")]);
        assert_eq!(
            h.run(&["ZUNION", "2", "zsetd", "zsetf", "withscores"]),
            flat(&[("1", 2.0), ("2", 2.0), ("4", 4.0), ("3", 6.0)])
        );
        assert_eq!(h.run(&["ZINTER", "2", "zsetd", "zsetf", "withscores"]), flat(&[("1", 2.0), ("3", 6.0)]));
        assert_eq!(h.run(&["ZINTERCARD", "2", "zsetd", "zsetf"]), int(2));
        assert_eq!(h.run(&["ZDIFF", "2", "zsetd", "zsetf", "withscores"]), flat(&[("2", 2.0)]));
        h.set_proto(h.client, Protocol::Resp3);
        assert_eq!(h.run(&["ZINTER", "2", "zsetd", "zsetf", "withscores"]), pairs(&[("1", 2.0), ("3", 6.0)]));
        assert_eq!(h.run(&["ZINTER", "2", "zsetd", "zsetf"]), bulks(&["1", "3"]));
    }
}

#[test]
fn zunionstore_plain_sets_score_one() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        algebra_fixture(&mut h);
        h.run(&["SADD", "seta", "a", "b", "c"]);
        assert_eq!(h.run(&["ZUNIONSTORE", "zsetc", "2", "seta", "zsetb", "weights", "2", "3"]), int(4));
        assert_eq!(
            h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]),
            flat(&[("a", 2.0), ("b", 5.0), ("c", 8.0), ("d", 9.0)])
        );
        assert_eq!(h.run(&["ZINTERSTORE", "zsetc", "2", "seta", "zsetb", "weights", "2", "3"]), int(2));
        assert_eq!(h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]), flat(&[("b", 5.0), ("c", 8.0)]));
        assert_eq!(h.run(&["ZDIFFSTORE", "zsetc", "2", "seta", "zsetb"]), int(1));
        assert_eq!(h.run(&["ZRANGE", "zsetc", "0", "-1", "withscores"]), flat(&[("a", 1.0)]));
        // intset + other sets (regressions from zset.tcl).
        h.run(&["SADD", "set1", "a"]);
        h.run(&["SADD", "set2", "10"]);
        assert_eq!(h.run(&["ZINTERSTORE", "set3", "2", "set1", "set2"]), int(0));
        h.run(&["SADD", "one", "100", "101", "102", "103"]);
        h.run(&["SADD", "two", "100", "200", "201", "202"]);
        zadd(&mut h, "three", &[("1", "500"), ("1", "501"), ("1", "502"), ("1", "503"), ("1", "100")]);
        h.run(&["ZINTERSTORE", "to_here", "3", "one", "two", "three", "WEIGHTS", "0", "0", "1"]);
        assert_eq!(h.run(&["ZRANGE", "to_here", "0", "-1"]), bulks(&["100"]));
    }
}

#[test]
fn zunionstore_infinities_sum_to_zero_never_nan() {
    for cmd in ["ZUNIONSTORE", "ZINTERSTORE"] {
        for enc in ENCODINGS {
            let mut h = harness(enc);
            for (a, b, want) in [
                ("+inf", "+inf", f64::INFINITY),
                ("-inf", "+inf", 0.0),
                ("+inf", "-inf", 0.0),
                ("-inf", "-inf", f64::NEG_INFINITY),
            ] {
                h.run(&["ZADD", "zsetinf1", a, "key"]);
                h.run(&["ZADD", "zsetinf2", b, "key"]);
                h.run(&[cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2"]);
                assert_eq!(h.run(&["ZSCORE", "zsetinf3", "key"]), dbl(want), "{cmd} {enc} {a} {b}");
            }
            assert_eq!(
                h.run(&[cmd, "zsetinf3", "2", "zsetinf1", "zsetinf2", "weights", "nan", "nan"]),
                err("ERR weight value is not a float")
            );
        }
    }
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "-inf", "neginf"]);
    h.run(&["ZUNIONSTORE", "out", "1", "z", "weights", "0"]);
    assert_eq!(h.run(&["ZRANGE", "out", "0", "-1", "withscores"]), flat(&[("neginf", 0.0)]));
}

#[test]
fn zunion_family_argument_errors() {
    let mut h = Harness::new();
    algebra_fixture(&mut h);
    for (argv, name) in [
        (&["ZUNION", "0", "key"][..], "zunion"),
        (&["ZUNIONSTORE", "dst", "0", "key"], "zunionstore"),
        (&["ZINTER", "0", "key"], "zinter"),
        (&["ZINTERSTORE", "dst", "0", "key"], "zinterstore"),
        (&["ZDIFF", "0", "key"], "zdiff"),
        (&["ZDIFFSTORE", "dst", "0", "key"], "zdiffstore"),
        (&["ZINTERCARD", "0", "key"], "zintercard"),
    ] {
        assert_eq!(h.run(argv), err(&format!("ERR at least 1 input key is needed for '{name}' command")));
    }
    for cmd in ["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"] {
        assert_eq!(h.run(&[cmd, "foo", "2", "zseta", "zsetb", "withscores"]), err("ERR syntax error"));
    }
    let cases: &[(&[&str], &str)] = &[
        (&["ZUNION", "x", "zseta"], "ERR value is not an integer or out of range"),
        (&["ZUNION", "3", "zseta", "zsetb"], "ERR syntax error"),
        (&["ZUNION", "2", "zseta", "zsetb", "weights", "1"], "ERR syntax error"),
        (&["ZUNION", "2", "zseta", "zsetb", "weights", "1", "x"], "ERR weight value is not a float"),
        (&["ZUNION", "2", "zseta", "zsetb", "aggregate", "avg"], "ERR syntax error"),
        (&["ZUNION", "2", "zseta", "zsetb", "aggregate"], "ERR syntax error"),
        (&["ZDIFF", "2", "zseta", "zsetb", "weights", "1", "2"], "ERR syntax error"),
        (&["ZDIFF", "2", "zseta", "zsetb", "aggregate", "min"], "ERR syntax error"),
    ];
    for (argv, want) in cases {
        assert_eq!(h.run(argv), err(want), "{argv:?}");
    }
    // Input types are checked before the options are read.
    h.run(&["SET", "str", "x"]);
    assert_eq!(
        h.run(&["ZUNION", "2", "zseta", "str", "weights", "x"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        h.run(&["ZUNIONSTORE", "dst", "2", "zseta", "str"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn zunionstore_result_encoding_follows_limits() {
    let mut h = Harness::new();
    h.eng.config.zset_max_listpack_entries = 0;
    h.run(&["ZADD", "big", "1", "a", "2", "b"]);
    assert_eq!(encoding_of(&mut h, "big"), bulk("skiplist"));
    h.eng.config.zset_max_listpack_entries = 128;
    h.run(&["ZUNIONSTORE", "small", "1", "big"]);
    assert_eq!(encoding_of(&mut h, "small"), bulk("listpack"));
    h.eng.config.zset_max_listpack_entries = 1;
    h.run(&["ZUNIONSTORE", "small", "1", "big"]);
    assert_eq!(encoding_of(&mut h, "small"), bulk("skiplist"));
}

#[test]
fn zunionstore_replaces_destination_and_its_ttl() {
    let mut h = Harness::new();
    algebra_fixture(&mut h);
    h.run(&["SET", "dst", "string"]);
    h.run(&["EXPIRE", "dst", "100"]);
    assert_eq!(h.run(&["ZUNIONSTORE", "dst", "1", "zseta"]), int(3));
    assert_eq!(h.run(&["TTL", "dst"]), int(-1));
    assert_eq!(h.run(&["TYPE", "dst"]), status("zset"));
    // A store source may be the destination itself.
    assert_eq!(h.run(&["ZUNIONSTORE", "dst", "2", "dst", "zsetb"]), int(4));
    assert_eq!(h.run(&["ZSCORE", "dst", "c"]), dbl(5.0));
}

#[test]
fn zdiff_fuzz_matches_a_model() {
    use std::collections::BTreeSet;
    let mut h = Harness::new();
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut rand = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..30 {
        let num_sets = rand(6) + 1;
        let mut keys = Vec::new();
        let mut model: BTreeSet<String> = BTreeSet::new();
        for i in 0..num_sets {
            let key = format!("zset_{i}");
            h.run(&["DEL", &key]);
            for _ in 0..rand(60) {
                let ele = format!("e{}", rand(80));
                h.run(&["ZADD", &key, &rand(100).to_string(), &ele]);
                if i == 0 {
                    model.insert(ele);
                } else {
                    model.remove(&ele);
                }
            }
            keys.push(key);
        }
        let mut argv = vec!["ZDIFF".to_string(), keys.len().to_string()];
        argv.extend(keys.iter().cloned());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let got = sorted(h.run(&argv));
        let want: Vec<&str> = model.iter().map(String::as_str).collect();
        assert_eq!(got, sorted(bulks(&want)));
    }
}

// -- ZPOPMIN, ZPOPMAX, ZMPOP ---------------------------------------------------------------------------------

#[test]
fn zpop_count_zero_and_negative() {
    for cmd in ["ZPOPMIN", "ZPOPMAX"] {
        let mut h = Harness::new();
        h.run(&["ZADD", "zset", "1", "a", "2", "b", "3", "c"]);
        let reply = h.run(&[cmd, "zset", "0"]);
        assert_eq!(wire(&reply, Protocol::Resp2), "*0\r\n");
        assert_eq!(h.run(&["ZCARD", "zset"]), int(3));
        assert_eq!(h.run(&[cmd, "zset", "-3"]), err("ERR value is out of range, must be positive"));
        assert_eq!(h.run(&[cmd, "zset", "x"]), err("ERR value is out of range, must be positive"));
        h.run(&["SET", "str", "foo"]);
        assert_eq!(h.run(&[cmd, "str", "-1"]), err("ERR value is out of range, must be positive"));
        assert_eq!(h.run(&[cmd, "nokey", "-2"]), err("ERR value is out of range, must be positive"));
        assert_eq!(h.run(&[cmd, "zset", "1", "2"]), err("ERR syntax error"));
    }
}

#[test]
fn zpop_single_key_pops_both_ends_then_deletes() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        assert_eq!(h.run(&["ZPOPMIN", "zset"]), bulks(&[]));
        assert_eq!(h.run(&["ZMPOP", "1", "zset", "MIN"]), Reply::NullArray);
        zadd(&mut h, "zset", &[("-1", "a"), ("1", "b"), ("2", "c"), ("3", "d"), ("4", "e")]);
        assert_eq!(h.run(&["ZPOPMIN", "zset"]), flat(&[("a", -1.0)]));
        assert_eq!(h.run(&["ZMPOP", "1", "zset", "MIN"]), array(vec![bulk("zset"), pairs(&[("b", 1.0)])]));
        assert_eq!(h.run(&["ZPOPMAX", "zset"]), flat(&[("e", 4.0)]));
        assert_eq!(h.run(&["ZMPOP", "1", "zset", "max"]), array(vec![bulk("zset"), pairs(&[("d", 3.0)])]));
        assert_eq!(h.run(&["ZPOPMIN", "zset"]), flat(&[("c", 2.0)]));
        assert_eq!(h.run(&["EXISTS", "zset"]), int(0));
    }
}

#[test]
fn zpop_with_count_resp2_and_resp3_shapes() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        assert_eq!(h.run(&["ZPOPMIN", "z1", "2"]), bulks(&[]));
        zadd(&mut h, "z1", &[("0", "a"), ("1", "b"), ("2", "c"), ("3", "d")]);
        assert_eq!(h.run(&["ZPOPMIN", "z1", "2"]), flat(&[("a", 0.0), ("b", 1.0)]));
        assert_eq!(h.run(&["ZPOPMAX", "z1", "2"]), flat(&[("d", 3.0), ("c", 2.0)]));

        let mut h = harness_resp3(enc);
        zadd(&mut h, "z1", &[("0", "a"), ("1", "b"), ("2", "c"), ("3", "d")]);
        // Without a count RESP3 keeps the flat pair; with one it nests.
        assert_eq!(h.run(&["ZPOPMIN", "z1"]), flat(&[("a", 0.0)]));
        assert_eq!(h.run(&["ZPOPMAX", "z1", "1"]), pairs(&[("d", 3.0)]));
        assert_eq!(
            h.run(&["ZMPOP", "1", "z1", "MIN", "COUNT", "5"]),
            array(vec![bulk("z1"), pairs(&[("b", 1.0), ("c", 2.0)])])
        );
    }
}

#[test]
fn zpop_wire_shapes_match_valkey_readraw() {
    let mut h = Harness::new();
    h.run(&["ZADD", "zset2", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"]);
    assert_eq!(wire(&h.run(&["ZPOPMIN", "zset"]), Protocol::Resp2), "*0\r\n");
    assert_eq!(wire(&h.run(&["ZPOPMIN", "zset2"]), Protocol::Resp2), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(wire(&h.run(&["ZPOPMAX", "zset2", "1"]), Protocol::Resp2), "*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
    let mut h = Harness::resp3();
    h.run(&["ZADD", "zset2", "1", "a", "2", "b", "5", "e"]);
    assert_eq!(wire(&h.run(&["ZPOPMIN", "zset2"]), Protocol::Resp3), "*2\r\n$1\r\na\r\n,1\r\n");
    assert_eq!(wire(&h.run(&["ZPOPMAX", "zset2", "1"]), Protocol::Resp3), "*1\r\n*2\r\n$1\r\ne\r\n,5\r\n");
    assert_eq!(wire(&h.run(&["ZMPOP", "1", "nokey", "min"]), Protocol::Resp3), "_\r\n");
    assert_eq!(wire(&h.run(&["ZMPOP", "1", "nokey", "min"]), Protocol::Resp2), "*-1\r\n");
}

#[test]
fn zmpop_picks_first_non_empty_key() {
    let mut h = Harness::new();
    zadd(&mut h, "zset3", &[("1", "a")]);
    zadd(&mut h, "zset4", &[("1", "a"), ("2", "b"), ("3", "c"), ("4", "d"), ("5", "e")]);
    assert_eq!(h.run(&["ZMPOP", "2", "zset", "zset2", "max", "count", "1"]), Reply::NullArray);
    assert_eq!(h.run(&["ZMPOP", "1", "zset3", "max"]), array(vec![bulk("zset3"), pairs(&[("a", 1.0)])]));
    assert_eq!(
        h.run(&["ZMPOP", "2", "zset3", "zset4", "min", "count", "2"]),
        array(vec![bulk("zset4"), pairs(&[("a", 1.0), ("b", 2.0)])])
    );
    h.run(&["SET", "foo2", "bar"]);
    assert_eq!(
        h.run(&["ZMPOP", "2", "nokey", "foo2", "min"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        h.run(&["ZMPOP", "2", "foo2", "zset4", "max", "count", "1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn zmpop_and_bzmpop_illegal_arguments() {
    let mut h = Harness::new();
    for (cmd, pre) in [("ZMPOP", &[][..]), ("BZMPOP", &["1"][..])] {
        let run = |h: &mut Harness, rest: &[&str]| {
            let mut argv = vec![cmd];
            argv.extend_from_slice(pre);
            argv.extend_from_slice(rest);
            h.run(&argv)
        };
        let arity = format!("ERR wrong number of arguments for '{}' command", cmd.to_lowercase());
        assert_eq!(h.run(&[cmd]), err(&arity));
        let cases: &[(&[&str], &str)] = &[
            (&["0", "myzset", "MIN"], "ERR numkeys should be greater than 0"),
            (&["a", "myzset", "MIN"], "ERR numkeys should be greater than 0"),
            (&["-1", "myzset", "MAX"], "ERR numkeys should be greater than 0"),
            (&["1", "myzset", "bad_where"], "ERR syntax error"),
            (&["1", "myzset", "MIN", "bar_arg"], "ERR syntax error"),
            (&["1", "myzset", "MAX", "MIN"], "ERR syntax error"),
            (&["1", "myzset", "COUNT"], "ERR syntax error"),
            (&["1", "myzset", "MAX", "COUNT", "1", "COUNT", "2"], "ERR syntax error"),
            (&["2", "myzset", "myzset2", "bad_arg"], "ERR syntax error"),
            (&["3", "myzset", "MIN"], "ERR syntax error"),
            (&["1", "myzset", "MIN", "COUNT", "0"], "ERR count should be greater than 0"),
            (&["1", "myzset", "MAX", "COUNT", "a"], "ERR count should be greater than 0"),
            (&["1", "myzset", "MIN", "COUNT", "-1"], "ERR count should be greater than 0"),
            (&["2", "myzset", "myzset2", "MAX", "COUNT", "-1"], "ERR count should be greater than 0"),
        ];
        for (rest, want) in cases {
            assert_eq!(run(&mut h, rest), err(want), "{cmd} {rest:?}");
        }
    }
    assert_eq!(h.run(&["ZMPOP", "1"]), err("ERR wrong number of arguments for 'zmpop' command"));
    assert_eq!(h.run(&["ZMPOP", "1", "myzset"]), err("ERR wrong number of arguments for 'zmpop' command"));
    assert_eq!(h.run(&["BZMPOP", "0", "1", "myzset"]), err("ERR wrong number of arguments for 'bzmpop' command"));
    // BZMPOP reads its timeout last.
    assert_eq!(h.run(&["BZMPOP", "x", "1", "myzset", "MIN"]), err("ERR timeout is not a float or out of range"));
    assert_eq!(h.run(&["BZMPOP", "x", "0", "myzset", "MIN"]), err("ERR numkeys should be greater than 0"));
}

// -- BZPOPMIN, BZPOPMAX, BZMPOP ---------------------------------------------------------------------------------

#[test]
fn bzpop_existing_sets_serve_without_blocking() {
    let mut h = Harness::new();
    let rd = h.connect();
    zadd(&mut h, "zset", &[("0", "a"), ("1", "b"), ("2", "c"), ("3", "d")]);
    assert_eq!(h.run_as(rd, &["BZPOPMIN", "zset", "5"]), array(vec![bulk("zset"), bulk("a"), dbl(0.0)]));
    assert_eq!(h.run_as(rd, &["BZPOPMAX", "zset", "5"]), array(vec![bulk("zset"), bulk("d"), dbl(3.0)]));
    assert_eq!(h.run_as(rd, &["BZMPOP", "5", "1", "zset", "MIN"]), array(vec![bulk("zset"), pairs(&[("b", 1.0)])]));
    assert_eq!(
        h.run_as(rd, &["BZMPOP", "5", "1", "zset", "MAX", "COUNT", "10"]),
        array(vec![bulk("zset"), pairs(&[("c", 2.0)])])
    );
    assert_eq!(h.run(&["EXISTS", "zset"]), int(0));

    zadd(&mut h, "z1", &[("0", "a"), ("1", "b"), ("2", "c")]);
    zadd(&mut h, "z2", &[("3", "d"), ("4", "e"), ("5", "f")]);
    assert_eq!(h.run_as(rd, &["BZPOPMIN", "z1", "z2", "5"]), array(vec![bulk("z1"), bulk("a"), dbl(0.0)]));
    assert_eq!(h.run_as(rd, &["BZPOPMAX", "z2", "z1", "5"]), array(vec![bulk("z2"), bulk("f"), dbl(5.0)]));
    assert_eq!(h.run_as(rd, &["BZPOPMAX", "nokey", "z2", "5"]), array(vec![bulk("z2"), bulk("e"), dbl(4.0)]));
}

#[test]
fn bzpop_resp3_scores_are_doubles() {
    let mut h = Harness::resp3();
    h.run(&["ZADD", "zset2", "1", "a"]);
    let reply = h.run(&["BZPOPMIN", "zset1", "zset2", "0.1"]);
    assert_eq!(wire(&reply, Protocol::Resp3), "*3\r\n$5\r\nzset2\r\n$1\r\na\r\n,1\r\n");
    assert_eq!(wire(&reply, Protocol::Resp2), "*3\r\n$5\r\nzset2\r\n$1\r\na\r\n$1\r\n1\r\n");
}

#[test]
fn bzpopmin_blocks_until_zadd_then_serves() {
    for pop in ["BZPOPMIN", "BZMPOP"] {
        let mut h = Harness::new();
        let rd = h.connect();
        if pop == "BZPOPMIN" {
            h.send_as(rd, &["BZPOPMIN", "zset", "0"]);
        } else {
            h.send_as(rd, &["BZMPOP", "0", "1", "zset", "MIN", "COUNT", "1"]);
        }
        assert_eq!(h.output(rd), vec![]);
        h.advance_ms(10_000);
        assert_eq!(h.output(rd), vec![], "timeout 0 blocks forever");
        assert_eq!(h.run(&["ZADD", "zset", "-1", "foo", "1", "bar"]), int(2));
        let want = if pop == "BZPOPMIN" {
            array(vec![bulk("zset"), bulk("foo"), dbl(-1.0)])
        } else {
            array(vec![bulk("zset"), pairs(&[("foo", -1.0)])])
        };
        assert_eq!(h.output(rd), vec![want]);
        assert_eq!(h.run(&["ZRANGE", "zset", "0", "-1"]), bulks(&["bar"]));
    }
}

#[test]
fn bzpopmin_times_out_with_null_array() {
    let mut h = Harness::new();
    let rd = h.connect();
    h.send_as(rd, &["BZPOPMIN", "zset", "0.01"]);
    assert_eq!(h.output(rd), vec![]);
    h.advance_ms(10);
    assert_eq!(h.output(rd), vec![]);
    h.advance_ms(1);
    assert_eq!(h.output(rd), vec![Reply::NullArray]);
    h.send_as(rd, &["BZMPOP", "0.01", "2", "zset", "zset2", "MAX"]);
    h.advance_ms(11);
    assert_eq!(h.output(rd), vec![Reply::NullArray]);
    assert_eq!(wire(&Reply::NullArray, Protocol::Resp2), "*-1\r\n");
}

#[test]
fn bzpop_timeout_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["BZPOPMIN", "z", "abc"]), err("ERR timeout is not a float or out of range"));
    assert_eq!(h.run(&["BZPOPMIN", "z", "-1"]), err("ERR timeout is negative"));
    assert_eq!(h.run(&["BZPOPMAX", "z", "inf"]), err("ERR timeout is out of range"));
    assert_eq!(h.run(&["BZPOPMAX", "z", "nan"]), err("ERR timeout is not a float or out of range"));
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(
        h.run(&["BZPOPMIN", "foo", "1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        h.run(&["BZPOPMAX", "foo", "1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        h.run(&["BZMPOP", "1", "2", "foo", "bar", "min"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        h.run(&["BZMPOP", "1", "2", "bar", "foo", "max", "count", "1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

#[test]
fn bzpop_inside_multi_answers_as_timeout() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["MULTI"]), ok());
    h.run(&["BZPOPMIN", "zset", "0"]);
    h.run(&["BZMPOP", "0", "1", "zset", "MIN"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![Reply::NullArray, Reply::NullArray]));
}

#[test]
fn bzpop_zadd_then_del_in_multi_does_not_wake() {
    for pop in ["BZPOPMIN", "BZMPOP"] {
        let mut h = Harness::new();
        let rd = h.connect();
        if pop == "BZPOPMIN" {
            h.send_as(rd, &["BZPOPMIN", "zset", "0"]);
        } else {
            h.send_as(rd, &["BZMPOP", "0", "1", "zset", "MIN", "COUNT", "1"]);
        }
        h.run(&["MULTI"]);
        h.run(&["ZADD", "zset", "0", "foo"]);
        h.run(&["DEL", "zset"]);
        h.run(&["SET", "zset", "foo"]);
        h.run(&["EXEC"]);
        assert_eq!(h.output(rd), vec![]);
        h.run(&["DEL", "zset"]);
        h.run(&["ZADD", "zset", "1", "bar"]);
        let want = if pop == "BZPOPMIN" {
            array(vec![bulk("zset"), bulk("bar"), dbl(1.0)])
        } else {
            array(vec![bulk("zset"), pairs(&[("bar", 1.0)])])
        };
        assert_eq!(h.output(rd), vec![want]);
    }
}

#[test]
fn bzpop_multi_exec_is_isolated() {
    let mut h = Harness::new();
    let rd = h.connect();
    h.send_as(rd, &["BZPOPMIN", "zset", "0"]);
    h.run(&["MULTI"]);
    h.run(&["ZADD", "zset", "0", "a"]);
    h.run(&["ZADD", "zset", "1", "b"]);
    h.run(&["ZADD", "zset", "2", "c"]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(rd), vec![array(vec![bulk("zset"), bulk("a"), dbl(0.0)])]);
}

#[test]
fn bzpopmin_same_key_several_times_works() {
    let mut h = Harness::new();
    let rd = h.connect();
    h.send_as(rd, &["BZPOPMIN", "z1", "z2", "z2", "z1", "0"]);
    h.run(&["ZADD", "z1", "0", "a"]);
    assert_eq!(h.output(rd), vec![array(vec![bulk("z1"), bulk("a"), dbl(0.0)])]);
    h.send_as(rd, &["BZPOPMIN", "z1", "z2", "z2", "z1", "0"]);
    h.run(&["ZADD", "z2", "1", "b"]);
    assert_eq!(h.output(rd), vec![array(vec![bulk("z2"), bulk("b"), dbl(1.0)])]);
    h.run(&["ZADD", "z1", "0", "a"]);
    h.run(&["ZADD", "z2", "1", "b"]);
    assert_eq!(h.run_as(rd, &["BZPOPMIN", "z1", "z2", "z2", "z1", "0"]), array(vec![bulk("z1"), bulk("a"), dbl(0.0)]));
    assert_eq!(h.run_as(rd, &["BZPOPMIN", "z1", "z2", "z2", "z1", "0"]), array(vec![bulk("z2"), bulk("b"), dbl(1.0)]));
}

#[test]
fn bzmpop_several_blocked_clients_served_in_order() {
    let mut h = Harness::new();
    let rd: Vec<_> = (0..4).map(|_| h.connect()).collect();
    h.send_as(rd[0], &["BZMPOP", "0", "2", "myzset", "myzset2", "min", "count", "1"]);
    h.send_as(rd[1], &["BZMPOP", "0", "2", "myzset", "myzset2", "max", "count", "10"]);
    h.send_as(rd[2], &["BZMPOP", "0", "2", "myzset", "myzset2", "min", "count", "10"]);
    h.send_as(rd[3], &["BZMPOP", "0", "2", "myzset", "myzset2", "max", "count", "1"]);
    h.run(&["MULTI"]);
    h.run(&["ZADD", "myzset", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"]);
    h.run(&["ZADD", "myzset2", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"]);
    h.run(&["EXEC"]);
    assert_eq!(h.output(rd[0]), vec![array(vec![bulk("myzset"), pairs(&[("a", 1.0)])])]);
    assert_eq!(
        h.output(rd[1]),
        vec![array(vec![bulk("myzset"), pairs(&[("e", 5.0), ("d", 4.0), ("c", 3.0), ("b", 2.0)])])]
    );
    assert_eq!(
        h.output(rd[2]),
        vec![array(vec![bulk("myzset2"), pairs(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0), ("e", 5.0)])])]
    );
    assert_eq!(h.output(rd[3]), vec![]);
    h.run(&["ZADD", "myzset2", "1", "a", "2", "b", "3", "c"]);
    assert_eq!(h.output(rd[3]), vec![array(vec![bulk("myzset2"), pairs(&[("c", 3.0)])])]);
}

#[test]
fn bzmpop_does_not_block_on_non_key_arguments() {
    let mut h = Harness::new();
    let rd1 = h.connect();
    let rd2 = h.connect();
    h.send_as(rd1, &["BZMPOP", "0", "1", "myzset", "min", "count", "10"]);
    h.send_as(rd2, &["BZMPOP", "0", "2", "myzset2", "myzset3", "max", "count", "10"]);
    for (score, key) in [("100", "0"), ("200", "1"), ("300", "min"), ("400", "max"), ("500", "count"), ("600", "10")] {
        h.run(&["ZADD", key, score, "x"]);
    }
    assert_eq!(h.output(rd1), vec![]);
    assert_eq!(h.output(rd2), vec![]);
    h.run(&["ZADD", "myzset", "1", "zset"]);
    h.run(&["ZADD", "myzset3", "1", "zset3"]);
    assert_eq!(h.output(rd1), vec![array(vec![bulk("myzset"), pairs(&[("zset", 1.0)])])]);
    assert_eq!(h.output(rd2), vec![array(vec![bulk("myzset3"), pairs(&[("zset3", 1.0)])])]);
}

// -- ZRANGESTORE ---------------------------------------------------------------------------------------------

#[test]
fn zrangestore_ranks_scores_lex_and_limits() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z1", "1", "a", "2", "b", "3", "c", "4", "d"]);
    assert_eq!(h.run(&["ZRANGESTORE", "z2", "z1", "0", "-1"]), int(4));
    assert_eq!(
        h.run(&["ZRANGE", "z2", "0", "-1", "withscores"]),
        flat(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)])
    );
    h.set_proto(h.client, Protocol::Resp3);
    assert_eq!(
        h.run(&["ZRANGE", "z2", "0", "-1", "withscores"]),
        pairs(&[("a", 1.0), ("b", 2.0), ("c", 3.0), ("d", 4.0)])
    );
    h.set_proto(h.client, Protocol::Resp2);
    assert_eq!(h.run(&["ZRANGESTORE", "z2", "z1", "1", "2"]), int(2));
    assert_eq!(h.run(&["ZRANGE", "z2", "0", "-1", "withscores"]), flat(&[("b", 2.0), ("c", 3.0)]));
    assert_eq!(h.run(&["ZRANGESTORE", "z3", "z1", "[b", "[c", "BYLEX"]), int(2));
    assert_eq!(encoding_of(&mut h, "z3"), bulk("listpack"));
    assert_eq!(h.run(&["ZRANGE", "z3", "0", "-1", "withscores"]), flat(&[("b", 2.0), ("c", 3.0)]));
    assert_eq!(h.run(&["ZRANGESTORE", "z4", "z1", "1", "2", "BYSCORE"]), int(2));
    assert_eq!(h.run(&["ZRANGE", "z4", "0", "-1", "withscores"]), flat(&[("a", 1.0), ("b", 2.0)]));
    assert_eq!(h.run(&["ZRANGESTORE", "z2", "z1", "0", "5", "BYSCORE", "LIMIT", "0", "2"]), int(2));
    assert_eq!(h.run(&["ZRANGE", "z2", "0", "-1", "withscores"]), flat(&[("a", 1.0), ("b", 2.0)]));
    assert_eq!(h.run(&["ZRANGESTORE", "z2", "z1", "5", "0", "BYSCORE", "REV", "LIMIT", "0", "2"]), int(2));
    assert_eq!(h.run(&["ZRANGE", "z2", "0", "-1", "withscores"]), flat(&[("c", 3.0), ("d", 4.0)]));
    assert_eq!(
        h.run(&["ZRANGE", "z1", "5", "0", "BYSCORE", "REV", "LIMIT", "0", "2", "WITHSCORES"]),
        flat(&[("d", 4.0), ("c", 3.0)])
    );
    assert_eq!(h.run(&["ZRANGE", "z1", "[b", "[c", "BYLEX"]), bulks(&["b", "c"]));
    assert_eq!(h.run(&["ZRANGE", "z1", "0", "1", "REV"]), bulks(&["d", "c"]));
}

#[test]
fn zrangestore_empty_results_delete_destination() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z1", "1", "a", "2", "b", "3", "c", "4", "d"]);
    for argv in [
        &["ZRANGESTORE", "z2", "missing", "0", "-1"][..],
        &["ZRANGESTORE", "z2", "z1", "5", "6"],
        &["ZRANGESTORE", "z2", "z1", "[f", "[g", "BYLEX"],
        &["ZRANGESTORE", "z2", "z1", "5", "6", "BYSCORE"],
    ] {
        h.run(&["ZADD", "z2", "1", "x"]);
        assert_eq!(h.run(argv), int(0), "{argv:?}");
        assert_eq!(h.run(&["EXISTS", "z2"]), int(0), "{argv:?}");
    }
    h.run(&["ZADD", "z2", "1", "a"]);
    h.run(&["SET", "foo", "bar"]);
    assert_eq!(
        h.run(&["ZRANGESTORE", "z2", "foo", "0", "-1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(h.run(&["ZRANGE", "z2", "0", "-1"]), bulks(&["a"]));
}

#[test]
fn zrangestore_result_encoding_uses_the_rank_hint() {
    let mut h = Harness::new();
    h.eng.config.zset_max_listpack_entries = 0;
    h.run(&["ZADD", "z1", "1", "a"]);
    assert_eq!(encoding_of(&mut h, "z1"), bulk("skiplist"));
    assert_eq!(h.run(&["ZRANGESTORE", "z2", "z1", "0", "-1"]), int(1));
    assert_eq!(encoding_of(&mut h, "z2"), bulk("skiplist"));

    let mut h = Harness::new();
    h.eng.config.zset_max_listpack_entries = 1;
    h.run(&["ZADD", "z1", "1", "a", "2", "b"]);
    assert_eq!(h.run(&["ZRANGESTORE", "z2", "z1", "0", "0"]), int(1));
    assert_eq!(encoding_of(&mut h, "z2"), bulk("listpack"));
    assert_eq!(h.run(&["ZRANGESTORE", "z3", "z1", "0", "1"]), int(2));
    assert_eq!(encoding_of(&mut h, "z3"), bulk("skiplist"));
}

// -- ZRANDMEMBER ---------------------------------------------------------------------------------------------

fn members_of(reply: &Reply) -> Vec<Vec<u8>> {
    match reply {
        Reply::Array(items) => items
            .iter()
            .filter_map(|r| match r {
                Reply::Bulk(b) => Some(b.clone()),
                Reply::Array(pair) => match &pair[0] {
                    Reply::Bulk(b) => Some(b.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => panic!("not an array: {reply:?}"),
    }
}

#[test]
fn zrandmember_without_count_returns_every_member_eventually() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        h.run(&["ZADD", "z", "1", "a", "2", "b", "3", "c"]);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..100 {
            match h.run(&["ZRANDMEMBER", "z"]) {
                Reply::Bulk(b) => {
                    seen.insert(b);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(seen.len(), 3, "{enc}");
        assert_eq!(h.run(&["ZRANDMEMBER", "nokey"]), null());
    }
}

#[test]
fn zrandmember_count_variants() {
    for enc in ENCODINGS {
        let mut h = harness(enc);
        let items: Vec<(String, String)> = (1..=10).map(|i| (i.to_string(), format!("m{i}"))).collect();
        let refs: Vec<(&str, &str)> = items.iter().map(|(s, m)| (s.as_str(), m.as_str())).collect();
        zadd(&mut h, "z", &refs);
        let all: std::collections::BTreeSet<Vec<u8>> = items.iter().map(|(_, m)| m.clone().into_bytes()).collect();

        // Negative: repeats allowed, exactly |count| members.
        let r = h.run(&["ZRANDMEMBER", "z", "-20"]);
        assert_eq!(members_of(&r).len(), 20);
        assert!(members_of(&r).iter().all(|m| all.contains(m)));
        let r = h.run(&["ZRANDMEMBER", "z", "-1001", "WITHSCORES"]);
        match &r {
            Reply::Array(v) => assert_eq!(v.len(), 2002),
            _ => panic!(),
        }
        // Scores belong to their members.
        if let Reply::Array(v) = &r {
            for pair in v.chunks(2) {
                let (Reply::Bulk(m), Reply::Double(s)) = (&pair[0], &pair[1]) else { panic!("{pair:?}") };
                let i: f64 = String::from_utf8_lossy(&m[1..]).parse().unwrap();
                assert_eq!(*s, i);
            }
        }
        // Positive at or above the size: the whole set.
        for size in ["10", "20"] {
            let r = h.run(&["ZRANDMEMBER", "z", size]);
            let got: std::collections::BTreeSet<_> = members_of(&r).into_iter().collect();
            assert_eq!(got, all);
            assert_eq!(members_of(&r).len(), 10);
        }
        // Positive below the size: distinct members, and all of them show up over time.
        for size in [1usize, 2, 8] {
            let mut seen = std::collections::BTreeSet::new();
            for _ in 0..200 {
                let r = h.run(&["ZRANDMEMBER", "z", &size.to_string()]);
                let got = members_of(&r);
                assert_eq!(got.len(), size);
                let distinct: std::collections::BTreeSet<_> = got.iter().cloned().collect();
                assert_eq!(distinct.len(), size, "{enc} distinct");
                seen.extend(got);
            }
            assert_eq!(seen, all, "{enc} {size}");
        }
        assert_eq!(h.run(&["ZRANDMEMBER", "z", "0"]), bulks(&[]));
        assert_eq!(h.run(&["ZRANDMEMBER", "nokey", "100"]), bulks(&[]));
        assert_eq!(wire(&h.run(&["ZRANDMEMBER", "nokey", "100"]), Protocol::Resp2), "*0\r\n");
    }
}

#[test]
fn zrandmember_resp3_withscores_nests_pairs() {
    let mut h = Harness::resp3();
    h.run(&["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]);
    for count in ["3", "-3"] {
        match h.run(&["ZRANDMEMBER", "z", count, "withscores"]) {
            Reply::Array(v) => {
                assert_eq!(v.len(), 3);
                assert!(v.iter().all(|p| matches!(p, Reply::Array(pair) if pair.len() == 2)));
            }
            other => panic!("{other:?}"),
        }
        match h.run(&["ZRANDMEMBER", "z", count]) {
            Reply::Array(v) => {
                assert!(v.len() == 3 && v.iter().all(|p| matches!(p, Reply::Bulk(_))))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn zrandmember_count_errors() {
    let mut h = Harness::new();
    h.run(&["ZADD", "myzset", "0", "a"]);
    assert_eq!(
        h.run(&["ZRANDMEMBER", "myzset", "-9223372036854770000", "withscores"]),
        err("ERR value is out of range")
    );
    assert_eq!(
        h.run(&["ZRANDMEMBER", "myzset", "-9223372036854775808", "withscores"]),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(
        h.run(&["ZRANDMEMBER", "myzset", "-9223372036854775808"]),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(h.run(&["ZRANDMEMBER", "myzset", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["ZRANDMEMBER", "myzset", "1", "foo"]), err("ERR syntax error"));
    assert_eq!(h.run(&["ZRANDMEMBER", "myzset", "1", "withscores", "x"]), err("ERR syntax error"));
}

// -- ZSCAN ---------------------------------------------------------------------------------------------------

#[test]
fn zscan_listpack_returns_everything_at_once() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "1", "a", "2.5", "b", "0.1", "c"]);
    assert_eq!(h.run(&["ZSCAN", "z", "0"]), array(vec![bulk("0"), bulks(&["c", "0.1", "a", "1", "b", "2.5"])]));
    assert_eq!(h.run(&["ZSCAN", "z", "0", "MATCH", "[ab]", "NOSCORES"]), array(vec![bulk("0"), bulks(&["a", "b"])]));
    assert_eq!(
        h.run(&["ZSCAN", "z", "0", "MATCH", "*", "COUNT", "1"]),
        array(vec![bulk("0"), bulks(&["c", "0.1", "a", "1", "b", "2.5"])])
    );
}

#[test]
fn zscan_skiplist_pages_cover_every_member() {
    let mut h = harness("skiplist");
    for i in 0..500 {
        h.run(&["ZADD", "z", &i.to_string(), &format!("m{i}")]);
    }
    let mut cursor = "0".to_string();
    let mut seen = std::collections::BTreeMap::new();
    let mut calls = 0;
    loop {
        let reply = h.run(&["ZSCAN", "z", &cursor, "COUNT", "20"]);
        calls += 1;
        let Reply::Array(parts) = reply else { panic!() };
        let Reply::Bulk(next) = &parts[0] else { panic!() };
        let Reply::Array(items) = &parts[1] else { panic!() };
        for pair in items.chunks(2) {
            let (Reply::Bulk(m), Reply::Bulk(s)) = (&pair[0], &pair[1]) else { panic!("{pair:?}") };
            seen.insert(String::from_utf8(m.clone()).unwrap(), String::from_utf8(s.clone()).unwrap());
        }
        cursor = String::from_utf8(next.clone()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    assert!(calls > 1);
    assert_eq!(seen.len(), 500);
    assert!(seen.iter().all(|(m, s)| m[1..] == *s), "integer scores print as integers");
}

#[test]
fn zscan_skiplist_prints_scores_with_17_digits() {
    let mut h = harness("skiplist");
    h.run(&["ZADD", "z", "0.1", "a"]);
    assert_eq!(h.run(&["ZSCAN", "z", "0"]), array(vec![bulk("0"), bulks(&["a", "0.10000000000000001"])]));
    let mut h = harness("listpack");
    h.run(&["ZADD", "z", "0.1", "a"]);
    assert_eq!(h.run(&["ZSCAN", "z", "0"]), array(vec![bulk("0"), bulks(&["a", "0.1"])]));
}

#[test]
fn zscan_options_and_errors() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "1", "a"]);
    assert_eq!(h.run(&["ZSCAN", "z", "x"]), err("ERR invalid cursor"));
    assert_eq!(h.run(&["ZSCAN", "z", "-1"]), err("ERR invalid cursor"));
    assert_eq!(h.run(&["ZSCAN", "z", "0", "COUNT", "0"]), err("ERR syntax error"));
    assert_eq!(h.run(&["ZSCAN", "z", "0", "COUNT", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["ZSCAN", "z", "0", "NOVALUES"]), err("ERR NOVALUES option can only be used in HSCAN"));
    assert_eq!(h.run(&["ZSCAN", "z", "0", "TYPE", "zset"]), err("ERR syntax error"));
    assert_eq!(h.run(&["ZSCAN", "z", "0", "MATCH"]), err("ERR syntax error"));
    // A missing key answers before options are read.
    assert_eq!(h.run(&["ZSCAN", "nokey", "0", "COUNT", "0"]), array(vec![bulk("0"), bulks(&[])]));
}

// -- keyspace events ------------------------------------------------------------------------------------------

/// Subscribes a second client to every keyevent of db 0; returns its id.
fn watch_events(h: &mut Harness) -> u64 {
    use ferrokey_core::notify;
    h.eng.config.notify_keyspace_events = notify::KEYEVENT | notify::ALL;
    let sub = h.connect();
    ferrokey_core::pubsub::subscribe(&mut h.eng, sub, ferrokey_core::pubsub::Kind::Pattern, b"__keyevent@0__:*");
    h.output(sub);
    sub
}

/// The (event, key) pairs a subscriber received.
fn events(h: &mut Harness, sub: u64) -> Vec<(String, String)> {
    h.output(sub)
        .into_iter()
        .filter_map(|r| match r {
            Reply::Push(parts) | Reply::Array(parts) => match (&parts[2], &parts[3]) {
                (Reply::Bulk(channel), Reply::Bulk(key)) => {
                    let channel = String::from_utf8_lossy(channel);
                    Some((channel.rsplit(':').next().unwrap().to_string(), String::from_utf8_lossy(key).into_owned()))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn ev(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(e, k)| (e.to_string(), k.to_string())).collect()
}

#[test]
fn keyspace_events_match_t_zset() {
    let mut h = Harness::new();
    let sub = watch_events(&mut h);
    h.run(&["ZADD", "z", "1", "a", "2", "b", "3", "c"]);
    h.run(&["ZADD", "z", "1", "a"]); // nothing changed: no event
    h.run(&["ZINCRBY", "z", "1", "a"]);
    h.run(&["ZREM", "z", "nope"]);
    h.run(&["ZREM", "z", "a"]);
    assert_eq!(events(&mut h, sub), ev(&[("zadd", "z"), ("zincr", "z"), ("zrem", "z")]));
    h.run(&["ZREMRANGEBYSCORE", "z", "2", "2"]);
    h.run(&["ZREMRANGEBYRANK", "z", "0", "0"]);
    assert_eq!(events(&mut h, sub), ev(&[("zremrangebyscore", "z"), ("zremrangebyrank", "z"), ("del", "z")]));
    h.run(&["ZADD", "z", "0", "a", "0", "b"]);
    h.run(&["ZREMRANGEBYLEX", "z", "-", "[a"]);
    h.run(&["ZPOPMAX", "z"]);
    assert_eq!(events(&mut h, sub), ev(&[("zadd", "z"), ("zremrangebylex", "z"), ("zpopmax", "z"), ("del", "z")]));
    h.run(&["ZADD", "z", "1", "a", "2", "b"]);
    h.run(&["ZPOPMIN", "z", "5"]);
    assert_eq!(events(&mut h, sub), ev(&[("zadd", "z"), ("zpopmin", "z"), ("del", "z")]));
    h.run(&["ZADD", "z", "1", "a", "2", "b"]);
    h.run(&["ZUNIONSTORE", "u", "1", "z"]);
    h.run(&["ZINTERSTORE", "i", "1", "z"]);
    h.run(&["ZDIFFSTORE", "d", "1", "z"]);
    h.run(&["ZRANGESTORE", "r", "z", "0", "0"]);
    assert_eq!(
        events(&mut h, sub),
        ev(&[("zadd", "z"), ("zunionstore", "u"), ("zinterstore", "i"), ("zdiffstore", "d"), ("zrangestore", "r")])
    );
    h.run(&["ZUNIONSTORE", "u", "1", "nokey"]);
    h.run(&["ZRANGESTORE", "r", "z", "5", "6"]);
    h.run(&["ZRANGESTORE", "r", "z", "5", "6"]);
    assert_eq!(events(&mut h, sub), ev(&[("del", "u"), ("del", "r")]));
    h.run(&["ZMPOP", "1", "z", "MIN", "COUNT", "10"]);
    assert_eq!(events(&mut h, sub), ev(&[("zpopmin", "z"), ("del", "z")]));
}

// -- command table ---------------------------------------------------------------------------------------------

#[test]
fn command_table_key_positions_for_numkeys_commands() {
    use ferrokey_core::command::CommandTable;
    let argv = |words: &[&str]| words.iter().map(|w| w.as_bytes().to_vec()).collect::<Vec<_>>();
    let table = CommandTable::get();
    let keys = |name: &str, words: &[&str]| table.lookup(name.as_bytes()).unwrap().keys.find(&argv(words));
    assert_eq!(keys("zunionstore", &["zunionstore", "dst", "2", "a", "b", "weights", "1", "2"]), vec![1, 3, 4]);
    assert_eq!(keys("zunion", &["zunion", "2", "a", "b", "withscores"]), vec![2, 3]);
    assert_eq!(keys("zintercard", &["zintercard", "1", "a", "limit", "1"]), vec![2]);
    assert_eq!(keys("zmpop", &["zmpop", "2", "a", "b", "min"]), vec![2, 3]);
    assert_eq!(keys("bzmpop", &["bzmpop", "0", "2", "a", "b", "min"]), vec![3, 4]);
    assert_eq!(keys("bzpopmin", &["bzpopmin", "a", "b", "0"]), vec![1, 2]);
    assert_eq!(keys("zrangestore", &["zrangestore", "d", "s", "0", "1"]), vec![1, 2]);
    assert_eq!(table.lookup(b"zunionstore").unwrap().keys.legacy(), (1, 1, 1));
    assert_eq!(table.lookup(b"zunion").unwrap().keys.legacy(), (0, 0, 0));
}

// -- the two encodings agree ------------------------------------------------------------------------------------

#[test]
fn encodings_agree_on_random_command_sequences() {
    let mut lp = harness("listpack");
    let mut sl = harness("skiplist");
    lp.eng.config.zset_max_listpack_entries = 10_000;
    lp.eng.config.zset_max_listpack_value = 10_000;
    let mut seed: u64 = 0x1234_5678_9abc_def1;
    let mut rand = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let bounds = ["-inf", "+inf", "0", "1", "(1", "2.5", "(3", "5", "7", "(9"];
    let lex = ["-", "+", "[a", "(b", "[cc", "(d", "[e", "[m3", "(m5"];
    for step in 0..3000 {
        let m = format!("m{}", rand(12));
        let s = (rand(20) as f64 / 2.0 - 1.0).to_string();
        let (i, j) = ((rand(16) as i64 - 8).to_string(), (rand(16) as i64 - 8).to_string());
        let (b1, b2) = (bounds[rand(10) as usize], bounds[rand(10) as usize]);
        let (l1, l2) = (lex[rand(9) as usize], lex[rand(9) as usize]);
        let (off, cnt) = (rand(5).to_string(), (rand(6) as i64 - 1).to_string());
        let argv: Vec<&str> = match rand(22) {
            0..=4 => vec!["ZADD", "z", &s, &m],
            5 => vec!["ZADD", "z", "GT", "CH", &s, &m],
            6 => vec!["ZINCRBY", "z", &s, &m],
            7 => vec!["ZREM", "z", &m],
            8 => vec!["ZRANGE", "z", &i, &j, "WITHSCORES"],
            9 => vec!["ZREVRANGE", "z", &i, &j],
            10 => vec!["ZRANGEBYSCORE", "z", b1, b2, "WITHSCORES", "LIMIT", &off, &cnt],
            11 => vec!["ZREVRANGEBYSCORE", "z", b2, b1, "LIMIT", &off, &cnt],
            12 => vec!["ZCOUNT", "z", b1, b2],
            13 => vec!["ZRANK", "z", &m, "WITHSCORE"],
            14 => vec!["ZREVRANK", "z", &m],
            15 => vec!["ZREMRANGEBYSCORE", "z", b1, b2],
            16 => vec!["ZREMRANGEBYRANK", "z", &i, &j],
            17 => vec!["ZPOPMIN", "z", &off],
            // Lex commands on a set whose scores are all equal, as ZRANGEBYLEX requires.
            18 => vec!["ZADD", "lex", "0", &m],
            19 => vec!["ZRANGEBYLEX", "lex", l1, l2, "LIMIT", &off, &cnt],
            20 => vec!["ZLEXCOUNT", "lex", l1, l2],
            _ => vec!["ZREMRANGEBYLEX", "lex", l1, l2],
        };
        let a = lp.run(&argv);
        let b = sl.run(&argv);
        assert_eq!(a, b, "step {step}: {argv:?}");
    }
    assert_eq!(encoding_of(&mut lp, "z"), bulk("listpack"));
    assert_eq!(encoding_of(&mut sl, "z"), bulk("skiplist"));
}

#[test]
fn reads_count_one_keyspace_hit_or_miss() {
    let mut h = Harness::new();
    h.run(&["ZADD", "z", "1", "a", "2", "b"]);
    for argv in [
        &["ZRANDMEMBER", "z"][..],
        &["ZRANDMEMBER", "z", "-5", "WITHSCORES"],
        &["ZSCAN", "z", "0"],
        &["ZRANGE", "z", "0", "-1"],
        &["ZSCORE", "z", "a"],
        &["ZRANGESTORE", "dst", "z", "0", "-1"],
    ] {
        let (hits, misses) = (h.eng.stats.keyspace_hits, h.eng.stats.keyspace_misses);
        h.run(argv);
        assert_eq!((h.eng.stats.keyspace_hits - hits, h.eng.stats.keyspace_misses - misses), (1, 0), "{argv:?}");
    }
    let misses = h.eng.stats.keyspace_misses;
    h.run(&["ZRANDMEMBER", "nokey", "3"]);
    assert_eq!(h.eng.stats.keyspace_misses - misses, 1);
}
