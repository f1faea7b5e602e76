//! COMMAND DOCS `arguments` against Debian's redis-server 7.0.15: every command both servers know must
//! describe its arguments with the same tree (names, types, tokens, key spec indices, flags, since,
//! nesting), apart from `display_text`, which Valkey 8 added, and the commands whose arguments Valkey 8
//! changed since Redis 7.0 ([`CHANGED_SINCE_REDIS_7_0`]).

mod common;
use common::*;

/// Commands whose arguments differ between Redis 7.0 and Valkey 8.0.1 (the reference): groups renamed
/// (`fromlonlat`, `auth`), options added (ZRANK WITHSCORE, CLIENT KILL MAXAGE, XADD's trim flags), `since`
/// fields added or corrected, and the like. Checked against the Valkey 8.0.1 tree when this list was made.
const CHANGED_SINCE_REDIS_7_0: &[&str] = &[
    "acl|cat",
    "bitcount",
    "bitfield",
    "bitfield_ro",
    "bitop",
    "bitpos",
    "client|kill",
    "client|list",
    "client|reply",
    "client|unblock",
    "command|getkeys",
    "command|getkeysandflags",
    "config|get",
    "config|set",
    "flushall",
    "flushdb",
    "function|flush",
    "geoadd",
    "geodist",
    "geohash",
    "geopos",
    "georadius",
    "georadius_ro",
    "georadiusbymember",
    "georadiusbymember_ro",
    "geosearch",
    "geosearchstore",
    "hello",
    "hmset",
    "hscan",
    "hset",
    "latency|histogram",
    "lcs",
    "mset",
    "msetnx",
    "pfmerge",
    "psubscribe",
    "script|flush",
    "shutdown",
    "sort",
    "sort_ro",
    "xack",
    "xadd",
    "xclaim",
    "xdel",
    "xgroup|create",
    "xgroup|createconsumer",
    "xgroup|delconsumer",
    "xgroup|destroy",
    "xgroup|setid",
    "xinfo|consumers",
    "xinfo|stream",
    "xread",
    "xreadgroup",
    "xsetid",
    "zadd",
    "zrange",
    "zrangebylex",
    "zrangebyscore",
    "zrangestore",
    "zrank",
    "zrevrangebylex",
    "zrevrangebyscore",
    "zrevrank",
    "zscan",
];

/// A RESP3 map's pairs.
fn pairs(map: &Resp) -> Vec<(&Resp, &Resp)> {
    match map {
        Resp::Aggregate(b'%', Some(items)) => items.chunks(2).map(|kv| (&kv[0], &kv[1])).collect(),
        other => panic!("not a map: {other:?}"),
    }
}

fn text(r: &Resp) -> String {
    match r {
        Resp::Bulk(_, Some(b)) | Resp::Line(_, b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not a string: {other:?}"),
    }
}

/// `r` without any `display_text` entry, at any depth.
fn without_display_text(r: &Resp) -> Resp {
    match r {
        Resp::Aggregate(b'%', Some(_)) => {
            let mut items = Vec::new();
            for (k, v) in pairs(r) {
                if text(k) != "display_text" {
                    items.push(k.clone());
                    items.push(without_display_text(v));
                }
            }
            Resp::Aggregate(b'%', Some(items))
        }
        Resp::Aggregate(t, Some(items)) => Resp::Aggregate(*t, Some(items.iter().map(without_display_text).collect())),
        other => other.clone(),
    }
}

/// Every command and subcommand's `arguments` (or `None`), by full name, from one COMMAND DOCS reply.
fn arguments_by_name(docs: &Resp, out: &mut Vec<(String, Option<Resp>)>) {
    for (name, doc) in pairs(docs) {
        let fields = pairs(doc);
        let args = fields.iter().find(|(k, _)| text(k) == "arguments").map(|(_, v)| without_display_text(v));
        out.push((text(name), args));
        if let Some((_, subs)) = fields.iter().find(|(k, _)| text(k) == "subcommands") {
            arguments_by_name(subs, out);
        }
    }
}

fn all_docs(conn: &mut Conn) -> Vec<(String, Option<Resp>)> {
    assert!(conn.call_str(&["HELLO", "3"]).starts_with('%'));
    let raw = conn.call(&["COMMAND", "DOCS"]);
    let (docs, _) = parse_reply(&raw).expect("a whole reply");
    let mut out = Vec::new();
    arguments_by_name(&docs, &mut out);
    out
}

#[test]
fn command_docs_arguments_match_redis_7_0_where_valkey_8_kept_them() {
    let Some(real) = RealServer::start() else { return };
    let ours = TestServer::start();
    let theirs = all_docs(&mut real.connect());
    let mine = all_docs(&mut ours.connect());
    let mut compared = 0;
    let mut differ = Vec::new();
    for (name, args) in &mine {
        let Some((_, reference)) = theirs.iter().find(|(n, _)| n == name) else { continue };
        if CHANGED_SINCE_REDIS_7_0.contains(&name.as_str()) {
            continue;
        }
        compared += 1;
        if args != reference {
            differ.push(name.clone());
        }
    }
    assert!(differ.is_empty(), "COMMAND DOCS arguments differ from redis-server's for {differ:?}");
    assert!(compared > 200, "only {compared} commands compared");
}

#[test]
fn command_docs_set_arguments_carry_valkeys_display_text_and_flags() {
    let ours = TestServer::start();
    let mut c = ours.connect();
    let set = all_docs(&mut c).into_iter().find(|(n, _)| n == "set").and_then(|(_, a)| a).expect("SET arguments");
    let Resp::Aggregate(b'*', Some(args)) = set else { panic!("arguments are an array") };
    let names: Vec<String> =
        args.iter().map(|a| text(pairs(a).iter().find(|(k, _)| text(k) == "name").unwrap().1)).collect();
    assert_eq!(names, ["key", "value", "condition", "get", "expiration"]);
    // display_text is there in the raw reply (stripped above for the comparison).
    let raw = String::from_utf8(c.call(&["COMMAND", "DOCS", "get"])).unwrap();
    assert!(raw.contains("display_text\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0"), "{raw}");
}
