//! Geo commands: behaviours of Valkey 8.0.1's tests/unit/geo.tcl, plus reply shapes per protocol.

mod common;
use common::*;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

/// A reply as the Tcl test suite prints it: a list with nested lists and multi-word items in braces.
fn tcl(reply: &Reply) -> String {
    fn item(r: &Reply) -> String {
        match r {
            Reply::Array(items) => format!("{{{}}}", list(items)),
            Reply::Bulk(b) => {
                let s = String::from_utf8_lossy(b).into_owned();
                if s.contains(' ') || s.is_empty() {
                    format!("{{{s}}}")
                } else {
                    s
                }
            }
            Reply::Int(n) => n.to_string(),
            Reply::Double(d) => d.to_string(),
            Reply::Null | Reply::NullArray => "{}".to_owned(),
            other => format!("{other:?}"),
        }
    }
    fn list(items: &[Reply]) -> String {
        items.iter().map(item).collect::<Vec<_>>().join(" ")
    }
    match reply {
        Reply::Array(items) => list(items),
        other => item(other),
    }
}

fn nyc() -> Harness {
    let mut h = Harness::new();
    h.run(&["geoadd", "nyc", "-73.9454966", "40.747533", "lic market"]);
    h.run(&[
        "geoadd",
        "nyc",
        "-73.9733487",
        "40.7648057",
        "central park n/q/r",
        "-73.9903085",
        "40.7362513",
        "union square",
        "-74.0131604",
        "40.7126674",
        "wtc one",
        "-73.7858139",
        "40.6428986",
        "jfk",
        "-73.9375699",
        "40.7498929",
        "q4",
        "-73.9564142",
        "40.7480973",
        "4545",
    ]);
    h
}

fn sicily(h: &mut Harness, key: &str) {
    h.run(&["del", key]);
    h.run(&["geoadd", key, "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"]);
}

fn error_of(r: Reply) -> String {
    r.error_text().unwrap_or_else(|| panic!("expected an error, got {r:?}")).to_owned()
}

fn bulk_f64(r: &Reply) -> f64 {
    match r {
        Reply::Bulk(b) => std::str::from_utf8(b).unwrap().parse().unwrap(),
        other => panic!("not a bulk: {other:?}"),
    }
}

#[test]
fn geo_wrong_type_src_key_fails_with_wrongtype() {
    let mut h = Harness::new();
    h.run(&["set", "src", "wrong_type"]);
    for cmd in [
        &["georadius", "src", "1", "1", "1", "km"][..],
        &["georadius", "src", "1", "1", "1", "km", "store", "dest"],
        &["geosearch", "src", "fromlonlat", "0", "0", "byradius", "1", "km"],
        &["geosearchstore", "dest", "src", "fromlonlat", "0", "0", "byradius", "1", "km"],
        &["georadiusbymember", "src", "member", "1", "km"],
        &["georadiusbymember", "src", "member", "1", "km", "store", "dest"],
        &["geosearch", "src", "frommember", "member", "bybox", "1", "1", "km"],
        &["geosearchstore", "dest", "src", "frommember", "member", "bybox", "1", "1", "m"],
        &["geodist", "src", "member", "1", "km"],
        &["geohash", "src", "member"],
        &["geopos", "src", "member"],
    ] {
        assert!(error_of(h.run(cmd)).starts_with("WRONGTYPE"), "{cmd:?}");
    }
}

#[test]
fn geo_missing_src_key_replies_empty_or_zero() {
    let mut h = Harness::new();
    h.run(&["set", "dest", "x"]);
    assert_eq!(h.run(&["georadius", "src", "1", "1", "1", "km"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["georadius", "src", "1", "1", "1", "km", "store", "dest"]), int(0));
    assert_eq!(h.run(&["exists", "dest"]), int(0), "the store target is deleted");
    assert_eq!(h.run(&["geosearch", "src", "fromlonlat", "0", "0", "byradius", "1", "km"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["geosearchstore", "dest", "src", "fromlonlat", "0", "0", "byradius", "1", "km"]), int(0));
    assert_eq!(h.run(&["georadiusbymember", "src", "member", "1", "km"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["georadiusbymember", "src", "member", "1", "km", "store", "dest"]), int(0));
    assert_eq!(h.run(&["geosearch", "src", "frommember", "member", "bybox", "1", "1", "km"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["geosearchstore", "dest", "src", "frommember", "member", "bybox", "1", "1", "m"]), int(0));
}

#[test]
fn geo_empty_search_replies_empty_or_zero() {
    let mut h = Harness::new();
    sicily(&mut h, "src");
    assert_eq!(h.run(&["georadius", "src", "1", "1", "1", "km"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["georadius", "src", "1", "1", "1", "km", "store", "dest"]), int(0));
    assert_eq!(h.run(&["geosearchstore", "dest", "src", "fromlonlat", "0", "0", "byradius", "1", "km"]), int(0));
}

#[test]
fn geo_missing_member_fails_to_decode() {
    let mut h = Harness::new();
    sicily(&mut h, "src");
    let e = "ERR could not decode requested zset member";
    assert_eq!(error_of(h.run(&["georadiusbymember", "src", "member", "1", "km"])), e);
    assert_eq!(error_of(h.run(&["georadiusbymember", "src", "member", "1", "km", "store", "dest"])), e);
    assert_eq!(error_of(h.run(&["geosearch", "src", "frommember", "member", "bybox", "1", "1", "km"])), e);
    assert_eq!(error_of(h.run(&["geosearchstore", "d", "src", "frommember", "member", "bybox", "1", "1", "m"])), e);
}

#[test]
fn geoadd_options_follow_zadd() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["geoadd", "nyc", "-73.9454966", "40.747533", "lic market"]), int(1));
    assert_eq!(h.run(&["geoadd", "nyc", "-73.9454966", "40.747533", "lic market"]), int(0));
    assert_eq!(h.run(&["geoadd", "nyc", "CH", "40.747533", "-73.9454966", "lic market"]), int(1));
    assert_eq!(h.run(&["geoadd", "nyc", "NX", "-73.9454966", "40.747533", "lic market"]), int(0));
    let pos = h.run(&["geopos", "nyc", "lic market"]);
    let Reply::Array(items) = &pos else { panic!() };
    let Reply::Array(xy) = &items[0] else { panic!() };
    assert!((bulk_f64(&xy[0]) - 40.747533).abs() < 0.001);
    assert_eq!(h.run(&["geoadd", "nyc", "XX", "-83.9454966", "40.747533", "lic market"]), int(0));
    assert_eq!(h.run(&["geoadd", "nyc", "CH", "NX", "-73.9454966", "40.747533", "lic market"]), int(0));
    assert_eq!(h.run(&["geoadd", "nyc", "CH", "XX", "-73.9454966", "40.747533", "lic market"]), int(1));
    assert_eq!(h.run(&["geoadd", "nyc", "CH", "XX", "1", "1", "new"]), int(0));
    assert_eq!(h.run(&["exists", "new"]), int(0));
}

#[test]
fn geoadd_bad_arguments_fail_with_valkey_errors() {
    let mut h = Harness::new();
    let syntax = "ERR syntax error";
    assert_eq!(error_of(h.run(&["geoadd", "nyc", "xx", "nx", "-73.9454966", "40.747533", "lic market"])), syntax);
    assert_eq!(error_of(h.run(&["geoadd", "nyc", "ch", "xx", "foo", "-73.9454966", "40.747533", "m"])), syntax);
    assert_eq!(
        error_of(h.run(&["geoadd", "nyc", "-73.9454966", "40.747533", "lic market", "foo", "bar", "luck market"])),
        "ERR value is not a valid float"
    );
    assert_eq!(
        error_of(h.run(&["geoadd", "nyc", "200", "100", "m"])),
        "ERR invalid longitude,latitude pair 200.000000,100.000000"
    );
    assert_eq!(h.run(&["exists", "nyc"]), int(0), "nothing is added when one pair is bad");
}

#[test]
fn geoadd_scores_are_52_bit_geohashes() {
    let mut h = nyc();
    assert_eq!(
        tcl(&h.run(&["zrange", "nyc", "0", "-1", "withscores"])),
        "{wtc one} 1791873972053020 {union square} 1791875485187452 {central park n/q/r} 1791875761332224 4545 \
         1791875796750882 {lic market} 1791875804419201 q4 1791875830079666 jfk 1791895905559723"
    );
}

#[test]
fn georadius_simple_is_sorted_by_distance() {
    let mut h = nyc();
    let want = "{central park n/q/r} 4545 {union square}";
    assert_eq!(tcl(&h.run(&["georadius", "nyc", "-73.9798091", "40.7598464", "3", "km", "asc"])), want);
    assert_eq!(tcl(&h.run(&["georadius_ro", "nyc", "-73.9798091", "40.7598464", "3", "km", "asc"])), want);
    assert_eq!(
        tcl(&h.run(&["geosearch", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "bybox", "6", "6", "km", "asc"])),
        "{central park n/q/r} 4545 {union square} {lic market}"
    );
}

#[test]
fn geosearch_option_conflicts_fail() {
    let mut h = nyc();
    let r = h.run(&[
        "geosearch",
        "nyc",
        "fromlonlat",
        "-73.9798091",
        "40.7598464",
        "frommember",
        "xxx",
        "bybox",
        "6",
        "6",
        "km",
    ]);
    assert_eq!(error_of(r), "ERR syntax error");
    let r = h.run(&["geosearch", "nyc", "bybox", "3", "3", "km", "asc", "desc", "withhash", "withdist", "withcoord"]);
    assert_eq!(error_of(r), "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch");
    let r = h.run(&[
        "geosearch",
        "nyc",
        "fromlonlat",
        "-73.9798091",
        "40.7598464",
        "byradius",
        "3",
        "km",
        "bybox",
        "3",
        "3",
        "km",
    ]);
    assert_eq!(error_of(r), "ERR syntax error");
    let r = h.run(&["GEOSEARCH", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "asc", "desc", "withhash"]);
    assert_eq!(error_of(r), "ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH");
    let r =
        h.run(&["geosearch", "nyc", "fromlonlat", "-73.9798091", "40.7598464", "bybox", "6", "6", "km", "storedist"]);
    assert_eq!(error_of(r), "ERR syntax error");
}

#[test]
fn georadius_withdist_has_four_decimals() {
    let mut h = nyc();
    assert_eq!(
        tcl(&h.run(&["georadius", "nyc", "-73.9798091", "40.7598464", "3", "km", "withdist", "asc"])),
        "{{central park n/q/r} 0.7750} {4545 2.3651} {{union square} 2.7697}"
    );
    assert_eq!(
        tcl(&h.run(&[
            "geosearch",
            "nyc",
            "fromlonlat",
            "-73.9798091",
            "40.7598464",
            "bybox",
            "6",
            "6",
            "km",
            "withdist",
            "asc"
        ])),
        "{{central park n/q/r} 0.7750} {4545 2.3651} {{union square} 2.7697} {{lic market} 3.1991}"
    );
    assert_eq!(
        tcl(&h.run(&["georadiusbymember", "nyc", "wtc one", "7", "km", "withdist"])),
        "{{wtc one} 0.0000} {{union square} 3.2544} {{central park n/q/r} 6.7000} {4545 6.1975} {{lic market} 6.8969}"
    );
}

#[test]
fn georadius_count_any_and_order() {
    let mut h = nyc();
    let base = ["georadius", "nyc", "-73.9798091", "40.7598464", "10", "km"];
    let run = |h: &mut Harness, extra: &[&str]| {
        let argv: Vec<&str> = base.iter().chain(extra).copied().collect();
        h.run(&argv)
    };
    assert_eq!(tcl(&run(&mut h, &["COUNT", "3"])), "{central park n/q/r} 4545 {union square}");
    assert_eq!(tcl(&run(&mut h, &["COUNT", "3", "ANY"])), "{wtc one} {union square} {central park n/q/r}");
    assert_eq!(tcl(&run(&mut h, &["COUNT", "3", "ANY", "ASC"])), "{central park n/q/r} {union square} {wtc one}");
    assert_eq!(tcl(&run(&mut h, &["COUNT", "2", "DESC"])), "{wtc one} q4");
    assert_eq!(error_of(run(&mut h, &["ANY", "ASC"])), "ERR the ANY argument requires COUNT argument");
    assert_eq!(error_of(run(&mut h, &["COUNT"])), "ERR syntax error");
    assert_eq!(error_of(run(&mut h, &["COUNT", "0"])), "ERR COUNT must be > 0");
    assert_eq!(error_of(run(&mut h, &["COUNT", "x"])), "ERR value is not an integer or out of range");
}

#[test]
fn georadius_with_tokens_nest_in_order() {
    let mut h = nyc();
    let r =
        h.run(&["georadius", "nyc", "-73.9798091", "40.7598464", "10", "km", "WITHCOORD", "WITHHASH", "COUNT", "2"]);
    let text = tcl(&r);
    assert!(text.starts_with("{{central park n/q/r} 1791875761332224 {-73.97334"), "{text}");
    assert!(text.contains("} {4545 1791875796750882 {-73.95641"), "{text}");
    let r = h.run(&[
        "georadius",
        "nyc",
        "-73.9798091",
        "40.7598464",
        "10",
        "km",
        "WITHDIST",
        "WITHHASH",
        "WITHCOORD",
        "COUNT",
        "2",
    ]);
    assert!(tcl(&r).starts_with("{{central park n/q/r} 0.7750 1791875761332224 {-73.97334"));
}

#[test]
fn georadius_huge_radius_finds_point_once() {
    let mut h = Harness::new();
    h.run(&["geoadd", "users", "-47.271613776683807", "-54.534504198047678", "user_000000"]);
    let Reply::Array(items) = h.run(&["GEORADIUS", "users", "0", "0", "50000", "km", "WITHCOORD"]) else { panic!() };
    assert_eq!(items.len(), 1);
}

#[test]
fn georadiusbymember_simple_and_near_poles() {
    let mut h = nyc();
    let want = "{wtc one} {union square} {central park n/q/r} 4545 {lic market}";
    assert_eq!(tcl(&h.run(&["georadiusbymember", "nyc", "wtc one", "7", "km"])), want);
    assert_eq!(tcl(&h.run(&["georadiusbymember_ro", "nyc", "wtc one", "7", "km"])), want);
    assert_eq!(
        tcl(&h.run(&["geosearch", "nyc", "frommember", "wtc one", "bybox", "14", "14", "km"])),
        "{wtc one} {union square} {central park n/q/r} 4545 {lic market} q4"
    );

    h.run(&["geoadd", "k1", "-0.15307903289794921875", "85", "n1", "0.3515625", "85.00019260486917005437", "n2"]);
    assert_eq!(tcl(&h.run(&["GEORADIUSBYMEMBER", "k1", "n1", "4891.94", "m"])), "n1 n2");
    h.run(&["del", "k1"]);
    h.run(&["geoadd", "k1", "-4.95211958885192871094", "85", "n3", "11.25", "85.0511", "n4"]);
    assert_eq!(tcl(&h.run(&["GEORADIUSBYMEMBER", "k1", "n3", "156544", "m"])), "n3 n4");
    h.run(&["del", "k1"]);
    h.run(&["geoadd", "k1", "-45", "65.50900022111811438208", "n5", "90", "85.0511", "n6"]);
    assert_eq!(tcl(&h.run(&["GEORADIUSBYMEMBER", "k1", "n5", "5009431", "m"])), "n5 n6");
    h.run(&["del", "k1"]);
    h.run(&["geoadd", "k1", "45", "65", "n1", "-135", "85.05", "n2"]);
    assert_eq!(tcl(&h.run(&["GEORADIUSBYMEMBER", "k1", "n1", "5009431", "m"])), "n1 n2");
}

#[test]
fn geosearch_box_shapes_match_valkey() {
    let mut h = Harness::new();
    sicily(&mut h, "Sicily");
    h.run(&["geoadd", "Sicily", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "eage2"]);
    assert_eq!(tcl(&h.run(&["georadius", "Sicily", "15", "37", "200", "km", "asc"])), "Catania Palermo");
    assert_eq!(
        tcl(&h.run(&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "400", "400", "km", "asc"])),
        "Catania Palermo eage2 edge1"
    );

    h.run(&["del", "Sicily"]);
    h.run(&["geoadd", "Sicily", "12.75", "36.995", "test1"]);
    h.run(&["geoadd", "Sicily", "12.75", "36.50", "test2"]);
    h.run(&["geoadd", "Sicily", "13.00", "36.50", "test3"]);
    assert_eq!(tcl(&h.run(&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "400", "2", "km"])), "test1");
    h.run(&["geoadd", "Sicily", "-1", "37.00", "test3"]);
    assert_eq!(
        tcl(&h.run(&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "3000", "2", "km", "asc"])),
        "test1 test3"
    );

    h.run(&["del", "Sicily"]);
    h.run(&[
        "geoadd",
        "Sicily",
        "12.758489",
        "38.788135",
        "edge1",
        "17.241510",
        "38.788135",
        "edge2",
        "17.250000",
        "35.202000",
        "edge3",
        "12.750000",
        "35.202000",
        "edge4",
        "12.748489955781654",
        "37",
        "edge5",
        "15",
        "38.798135872540925",
        "edge6",
        "17.251510044218346",
        "37",
        "edge7",
        "15",
        "35.201864127459075",
        "edge8",
        "12.692799634687903",
        "38.798135872540925",
        "corner1",
        "12.692799634687903",
        "38.798135872540925",
        "corner2",
        "17.200560937451133",
        "35.201864127459075",
        "corner3",
        "12.799439062548865",
        "35.201864127459075",
        "corner4",
    ]);
    let r = h.run(&["geosearch", "Sicily", "fromlonlat", "15", "37", "bybox", "400", "400", "km", "asc"]);
    assert_eq!(tcl(&sorted(r)), "edge1 edge2 edge5 edge7");
}

#[test]
fn geosearch_box_across_antimeridian_finds_both_sides() {
    let mut h = Harness::new();
    h.run(&["geoadd", "points", "179.5", "36", "point1"]);
    h.run(&["geoadd", "points", "-179.5", "36", "point2"]);
    let q = |lon: &'static str| ["geosearch", "points", "fromlonlat", lon, "37", "bybox", "400", "400", "km", "asc"];
    assert_eq!(tcl(&h.run(&q("179"))), "point1 point2");
    assert_eq!(tcl(&h.run(&q("-179"))), "point2 point1");
}

#[test]
fn georadius_all_with_options_match_redis() {
    let mut h = Harness::new();
    sicily(&mut h, "p2");
    // Checked against redis-server 7.0.15.
    assert_eq!(
        tcl(&h.run(&["georadius", "p2", "15", "37", "200", "km", "withcoord", "withdist", "withhash"])),
        "{Palermo 190.4424 3479099956230698 {13.36138933897018433 38.11555639549629859}} \
         {Catania 56.4413 3479447370796909 {15.08726745843887329 37.50266842333162032}}"
    );
}

#[test]
fn georadius_small_distance_rounds_to_four_decimals() {
    let mut h = Harness::new();
    h.run(&["geoadd", "points", "-122.407107", "37.794300", "1"]);
    h.run(&["geoadd", "points", "-122.227336", "37.794300", "2"]);
    assert_eq!(
        tcl(&h.run(&["GEORADIUS", "points", "-122.407107", "37.794300", "30", "mi", "ASC", "WITHDIST"])),
        "{1 0.0001} {2 9.8182}"
    );
}

#[test]
fn geohash_returns_standard_strings() {
    let mut h = Harness::new();
    h.run(&["geoadd", "points", "-5.6", "42.6", "test"]);
    assert_eq!(h.run(&["geohash", "points", "test", "nope"]), array(vec![bulk("ezs42e44yx0"), Reply::Null]));
    assert_eq!(h.run(&["geohash", "points"]), Reply::EMPTY_ARRAY);
    assert_eq!(h.run(&["geohash", "nokey", "a"]), array(vec![Reply::Null]));
}

#[test]
fn geopos_replies_coordinates_or_null_array() {
    let mut h = Harness::new();
    h.run(&["geoadd", "points", "10", "20", "a", "30", "40", "b"]);
    let r = h.run(&["geopos", "points", "a", "x", "b"]);
    assert_eq!(
        wire(&r, Protocol::Resp2),
        "*3\r\n*2\r\n$20\r\n10.00000208616256714\r\n$20\r\n20.00000058910486445\r\n*-1\r\n\
         *2\r\n$20\r\n30.00000089406967163\r\n$20\r\n39.99999991084916218\r\n"
    );
    assert_eq!(h.run(&["geopos", "points"]), Reply::EMPTY_ARRAY);
}

#[test]
fn geopos_resp3_uses_doubles_and_null() {
    let mut h = Harness::resp3();
    h.run(&["geoadd", "points", "10", "20", "a"]);
    let r = h.run(&["geopos", "points", "a", "x"]);
    let Reply::Array(items) = &r else { panic!() };
    assert!(matches!(&items[0], Reply::Array(xy) if matches!(xy[0], Reply::Double(_))));
    assert_eq!(wire(&items[1], Protocol::Resp3), "_\r\n");
}

#[test]
fn geodist_units_and_missing_members() {
    let mut h = Harness::new();
    sicily(&mut h, "points");
    // Checked against redis-server 7.0.15.
    assert_eq!(h.run(&["geohash", "points", "Palermo", "Catania"]), bulks(&["sqc8b49rny0", "sqdtr74hyu0"]));
    assert_eq!(h.run(&["geodist", "points", "Palermo", "Catania"]), bulk("166274.1516"));
    assert_eq!(h.run(&["geodist", "points", "Palermo", "Catania", "km"]), bulk("166.2742"));
    assert_eq!(h.run(&["geodist", "points", "Palermo", "Catania", "mi"]), bulk("103.3182"));
    assert_eq!(h.run(&["geodist", "points", "Palermo", "Palermo"]), bulk("0.0000"));
    assert_eq!(h.run(&["geodist", "points", "Palermo", "Agrigento"]), Reply::Null);
    assert_eq!(h.run(&["geodist", "points", "Ragusa", "Agrigento"]), Reply::Null);
    assert_eq!(h.run(&["geodist", "empty_key", "Palermo", "Catania"]), Reply::Null);
    assert_eq!(
        error_of(h.run(&["geodist", "points", "Palermo", "Catania", "yd"])),
        "ERR unsupported unit provided. please use M, KM, FT, MI"
    );
    assert_eq!(error_of(h.run(&["geodist", "points", "Palermo", "Catania", "km", "x"])), "ERR syntax error");
}

#[test]
fn georadius_store_option_errors() {
    let mut h = Harness::new();
    sicily(&mut h, "points");
    let r = h.run(&["georadius", "points", "13.361389", "38.115556", "50", "km", "store"]);
    assert_eq!(error_of(r), "ERR syntax error");
    let r = h.run(&[
        "geosearchstore",
        "abc",
        "points",
        "fromlonlat",
        "13.361389",
        "38.115556",
        "byradius",
        "50",
        "km",
        "store",
        "abc",
    ]);
    assert_eq!(error_of(r), "ERR syntax error");
    for with in ["withdist", "withhash", "withcoord"] {
        let r = h.run(&["georadius", "points", "13.361389", "38.115556", "50", "km", "store", "p2", with]);
        assert_eq!(
            error_of(r),
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        );
    }
    let r = h.run(&["georadius_ro", "points", "13.361389", "38.115556", "50", "km", "store", "p2"]);
    assert_eq!(error_of(r), "ERR syntax error");
    let r = h.run(&["georadius", "points", "13.361389", "38.115556", "-1", "km"]);
    assert_eq!(error_of(r), "ERR radius cannot be negative");
    let r = h.run(&["georadius", "points", "13.361389", "38.115556", "x", "km"]);
    assert_eq!(error_of(r), "ERR need numeric radius");
    let r = h.run(&["geosearch", "points", "fromlonlat", "13", "38", "bybox", "1", "-1", "km"]);
    assert_eq!(error_of(r), "ERR height or width cannot be negative");
    let r = h.run(&["geosearch", "points", "fromlonlat", "13", "38", "bybox", "1", "y", "km"]);
    assert_eq!(error_of(r), "ERR need numeric height");
    let r = h.run(&["geosearch", "points", "fromlonlat", "13", "98", "bybox", "1", "1", "km"]);
    assert_eq!(error_of(r), "ERR invalid longitude,latitude pair 13.000000,98.000000");
}

#[test]
fn georadius_store_and_storedist_write_sorted_sets() {
    let mut h = Harness::new();
    sicily(&mut h, "points");
    assert_eq!(h.run(&["georadius", "points", "13.361389", "38.115556", "500", "km", "store", "points2"]), int(2));
    assert_eq!(h.run(&["zrange", "points", "0", "-1"]), h.run(&["zrange", "points2", "0", "-1"]));

    h.run(&["georadiusbymember", "points", "Palermo", "500", "km", "store", "points2"]);
    assert_eq!(h.run(&["zrange", "points2", "0", "-1"]), bulks(&["Palermo", "Catania"]));
    h.run(&["georadiusbymember", "points", "Catania", "500", "km", "storedist", "points2"]);
    assert_eq!(h.run(&["zrange", "points2", "0", "-1"]), bulks(&["Catania", "Palermo"]));
    assert_eq!(h.run(&["zscore", "points2", "Palermo"]), Reply::Double(166.27415156960032));

    assert_eq!(
        h.run(&[
            "geosearchstore",
            "points2",
            "points",
            "fromlonlat",
            "13.361389",
            "38.115556",
            "byradius",
            "500",
            "km"
        ]),
        int(2)
    );
    assert_eq!(h.run(&["zrange", "points", "0", "-1"]), h.run(&["zrange", "points2", "0", "-1"]));
    h.run(&[
        "geosearchstore",
        "points2",
        "points",
        "fromlonlat",
        "13.361389",
        "38.115556",
        "byradius",
        "500",
        "km",
        "storedist",
    ]);
    let Reply::Double(d) = h.run(&["zscore", "points2", "Catania"]) else { panic!() };
    assert!(d > 166.0 && d < 167.0);

    h.run(&["georadius", "points", "13.361389", "38.115556", "500", "km", "storedist", "points2", "asc", "count", "1"]);
    assert_eq!(h.run(&["zrange", "points2", "0", "-1"]), bulks(&["Palermo"]));
    h.run(&[
        "georadius",
        "points",
        "13.361389",
        "38.115556",
        "500",
        "km",
        "storedist",
        "points2",
        "desc",
        "count",
        "1",
    ]);
    assert_eq!(h.run(&["zrange", "points2", "0", "-1"]), bulks(&["Catania"]));
}

#[test]
fn georadius_store_is_movablekeys_in_command_info() {
    let mut h = Harness::new();
    let info = format!("{:?}", h.run(&["command", "info", "georadius"]));
    assert!(info.contains("movablekeys"), "{info}");
    let keys = h.run(&["command", "getkeys", "georadius", "src", "1", "1", "1", "km", "store", "a", "storedist", "b"]);
    assert_eq!(keys, bulks(&["src", "b"]));
    let info = format!("{:?}", h.run(&["command", "info", "georadius_ro"]));
    assert!(!info.contains("movablekeys"), "{info}");
}
