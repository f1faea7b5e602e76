//! RDB persistence over TCP: SAVE and restart, BGSAVE under writes, save points, SHUTDOWN and SIGTERM,
//! a corrupt file at start-up, -MISCONF, and files exchanged with Debian's redis-server 7.0.

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn start_in(dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut args = vec!["--dir", dir.to_str().unwrap(), "--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    TestServer::start_with(&args)
}

/// Every type and encoding, expiries, a stream with a group and pending entries, database 15.
fn fill_every_type(c: &mut Conn) {
    let big = "x".repeat(100);
    let many: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    let mut cmds: Vec<Vec<String>> = vec![
        vec!["SET".into(), "str:int".into(), "12345".into()],
        vec!["SET".into(), "str:embstr".into(), "hello".into()],
        vec!["SET".into(), "str:raw".into(), big.clone()],
        vec!["SET".into(), "str:ttl".into(), "v".into(), "PX".into(), "3600000".into()],
        vec!["RPUSH".into(), "list".into(), "a".into(), "b".into(), big.clone()],
        vec!["HSET".into(), "hash:small".into(), "f".into(), "v".into()],
        vec!["SADD".into(), "set:int".into(), "1".into(), "2".into(), "3".into()],
        vec!["SADD".into(), "set:lp".into(), "a".into(), "b".into()],
        vec!["ZADD".into(), "zset:small".into(), "1.5".into(), "a".into(), "2".into(), "b".into()],
        vec!["XADD".into(), "stream".into(), "1-1".into(), "f".into(), "v".into()],
        vec!["XADD".into(), "stream".into(), "2-1".into(), "f".into(), "w".into()],
        vec!["XADD".into(), "stream".into(), "3-1".into(), "g".into(), "x".into()],
        vec!["XDEL".into(), "stream".into(), "2-1".into()],
        vec!["XGROUP".into(), "CREATE".into(), "stream".into(), "grp".into(), "0".into()],
        vec!["XREADGROUP".into(), "GROUP".into(), "grp".into(), "alice".into(), "STREAMS".into(), "stream".into()],
        vec!["SELECT".into(), "15".into()],
        vec!["SET".into(), "db15".into(), "far".into()],
        vec!["SELECT".into(), "0".into()],
    ];
    cmds[14].push(">".into());
    let mut big_hash = vec!["HSET".to_string(), "hash:big".into()];
    let mut big_set = vec!["SADD".to_string(), "set:big".into()];
    let mut big_zset = vec!["ZADD".to_string(), "zset:big".into()];
    for (i, m) in many.iter().enumerate() {
        big_hash.extend([m.clone(), i.to_string()]);
        big_set.push(m.clone());
        big_zset.extend([i.to_string(), m.clone()]);
    }
    cmds.extend([big_hash, big_set, big_zset]);
    for argv in &cmds {
        let reply = c.call(argv);
        assert!(!reply.starts_with(b"-"), "{argv:?}: {}", show(&reply));
    }
}

/// Every key's value as the server shows it (type-specific reads, sorted where order is free).
fn dataset_view(c: &mut Conn) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for db in ["0", "15"] {
        c.call(&["SELECT", db]);
        let mut keys: Vec<String> = match parse_reply(&c.call(&["KEYS", "*"])) {
            Some((Resp::Aggregate(_, Some(items)), _)) => items
                .iter()
                .map(|k| match k {
                    Resp::Bulk(_, Some(name)) => String::from_utf8_lossy(name).into_owned(),
                    other => panic!("KEYS element: {other:?}"),
                })
                .collect(),
            other => panic!("KEYS: {other:?}"),
        };
        keys.sort();
        for key in keys {
            let kind = c.call_str(&["TYPE", &key]);
            let value = match kind.trim() {
                "+string" => c.call_str(&["GET", &key]),
                "+list" => c.call_str(&["LRANGE", &key, "0", "-1"]),
                "+hash" => sorted_lines(c.call_str(&["HGETALL", &key])),
                "+set" => sorted_lines(c.call_str(&["SMEMBERS", &key])),
                "+zset" => c.call_str(&["ZRANGE", &key, "0", "-1", "WITHSCORES"]),
                "+stream" => format!(
                    "{}{}{}",
                    c.call_str(&["XRANGE", &key, "-", "+"]),
                    c.call_str(&["XINFO", "GROUPS", &key]),
                    c.call_str(&["XPENDING", &key, "grp", "-", "+", "10"])
                        .lines()
                        .filter(|l| !l.starts_with(':'))
                        .collect::<String>()
                ),
                other => panic!("{key}: type {other}"),
            };
            let ttl = c.call_str(&["PEXPIRETIME", &key]);
            out.push((format!("{db}/{key}"), format!("{value} ttl={ttl}")));
        }
    }
    c.call(&["SELECT", "0"]);
    out
}

fn sorted_lines(text: String) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    lines.join("\n")
}

#[test]
fn save_then_restart_loads_every_type() {
    let dir = temp_dir("restart");
    let (view, digest) = {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        fill_every_type(&mut c);
        assert_eq!(c.call_str(&["SAVE"]), "+OK\r\n");
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "0");
        (dataset_view(&mut c), c.call_str(&["DEBUG", "DIGEST"]))
    };
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(dataset_view(&mut c), view);
    assert_eq!(c.call_str(&["DEBUG", "DIGEST"]), digest);
    assert!(srv.log().contains("DB loaded from disk"), "{}", srv.log());
    assert_eq!(info_field(&mut c, "rdb_last_load_keys_loaded"), "14");
    assert_eq!(c.call_str(&["DEBUG", "RELOAD"]), "+OK\r\n");
    assert_eq!(c.call_str(&["DEBUG", "DIGEST"]), digest);
}

#[test]
fn flushall_with_save_points_saves_the_empty_data_set() {
    let dir = temp_dir("flushall");
    {
        let srv = start_in(&dir, &["--save", "3600 1"]);
        let mut c = srv.connect();
        c.call(&["SET", "k", "v"]);
        assert_eq!(c.call_str(&["SAVE"]), "+OK\r\n");
        c.call(&["SET", "later", "v"]);
        assert_eq!(c.call_str(&["FLUSHALL"]), "+OK\r\n");
        assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "0");
    } // killed here, without a save of its own
      // The file on disk is the empty data set: a restart does not bring `k` back.
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["DBSIZE"]), ":0\r\n");
}

#[test]
fn bgsave_keeps_serving_and_snapshots_the_fork_moment() {
    let dir = temp_dir("bgsave");
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    c.call(&["DEBUG", "POPULATE", "1000", "key"]);
    // 2 ms per key: the child needs about two seconds, long enough to write during it.
    c.call(&["CONFIG", "SET", "rdb-key-save-delay", "2000"]);
    assert_eq!(c.call_str(&["BGSAVE"]), "+Background saving started\r\n");
    let start = Instant::now();
    assert_eq!(info_field(&mut c, "rdb_bgsave_in_progress"), "1");
    for i in 0..1000 {
        c.call(&["SET", &format!("key:{i}"), "changed"]);
    }
    c.call(&["SET", "late", "1"]);
    assert!(start.elapsed() < Duration::from_millis(1500), "writes were not blocked by the save");
    assert_eq!(c.call_str(&["BGSAVE"]), "-ERR Background save already in progress\r\n");
    wait_for("the child", Duration::from_secs(20), || info_field(&mut c, "rdb_bgsave_in_progress") == "0");
    assert_eq!(info_field(&mut c, "rdb_last_bgsave_status"), "ok");
    assert_eq!(info_field(&mut c, "rdb_changes_since_last_save"), "1001", "writes during the save stay unsaved");
    assert!(srv.log().contains("Background saving started"));
    assert!(srv.log().contains("Background saving terminated with success"));
    drop(srv);
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["DBSIZE"]), ":1000\r\n");
    assert_eq!(c.call_str(&["GET", "key:7"]), "$7\r\nvalue:7\r\n", "the value at the fork");
    assert_eq!(c.call_str(&["EXISTS", "late"]), ":0\r\n");
}

#[test]
fn save_point_triggers_a_background_save() {
    let dir = temp_dir("savepoint");
    let srv = start_in(&dir, &["--save", "1 2"]);
    let mut c = srv.connect();
    c.call(&["SET", "a", "1"]);
    std::thread::sleep(Duration::from_millis(1300));
    assert!(!dir.join("dump.rdb").exists(), "one change is below the save point");
    c.call(&["SET", "b", "2"]);
    wait_for("the save point", Duration::from_secs(10), || dir.join("dump.rdb").exists());
    wait_for("the child", Duration::from_secs(10), || info_field(&mut c, "rdb_changes_since_last_save") == "0");
    assert!(srv.log().contains("2 changes in 1 seconds. Saving..."), "{}", srv.log());
}

#[test]
fn shutdown_nosave_and_save() {
    let dir = temp_dir("shutdown");
    let mut srv = start_in(&dir, &["--save", "3600 1"]);
    let mut c = srv.connect();
    c.call(&["SET", "k", "v"]);
    c.send_command(&["SHUTDOWN", "NOSAVE"]);
    assert!(srv.wait_exit(Duration::from_secs(10)).is_some());
    assert!(!dir.join("dump.rdb").exists());

    let mut srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    c.call(&["SET", "k", "v"]);
    c.send_command(&["SHUTDOWN", "SAVE"]);
    assert!(srv.wait_exit(Duration::from_secs(10)).is_some());
    let srv = start_in(&dir, &[]);
    assert_eq!(srv.connect().call_str(&["GET", "k"]), "$1\r\nv\r\n");
}

#[test]
fn sigterm_saves_when_save_points_exist() {
    let dir = temp_dir("sigterm");
    let mut srv = start_in(&dir, &["--save", "3600 1"]);
    srv.connect().call(&["SET", "k", "v"]);
    srv.signal("TERM");
    let status = srv.wait_exit(Duration::from_secs(10)).expect("exits");
    assert!(status.success(), "{status:?}");
    assert!(srv.log().contains("Saving the final RDB snapshot before exiting."), "{}", srv.log());
    let srv = start_in(&dir, &[]);
    assert_eq!(srv.connect().call_str(&["GET", "k"]), "$1\r\nv\r\n");
}

#[test]
fn corrupt_or_truncated_file_refuses_to_start() {
    let dir = temp_dir("corrupt");
    {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        fill_every_type(&mut c);
        c.call(&["SAVE"]);
    }
    let good = std::fs::read(dir.join("dump.rdb")).unwrap();
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0xff;
    for (what, bytes) in [("truncated", &good[..good.len() - 20]), ("corrupt", &flipped[..])] {
        std::fs::write(dir.join("dump.rdb"), bytes).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_ferrokey-server"))
            .args(["--port", &port, "--bind", "127.0.0.1", "--dir", dir.to_str().unwrap()])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{what}: {log}");
        assert!(log.contains("Error loading the RDB file dump.rdb"), "{what}: {log}");
        assert_eq!(std::fs::read(dir.join("dump.rdb")).unwrap(), bytes, "{what}: the file is left alone");
    }
}

#[test]
fn failed_save_gives_misconf_until_a_save_succeeds() {
    let dir = temp_dir("misconf");
    let gone = dir.join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    let srv = start_in(&dir, &["--save", "3600 1", "--enable-protected-configs", "yes"]);
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["CONFIG", "SET", "dir", gone.to_str().unwrap()]), "+OK\r\n");
    std::fs::remove_dir_all(&gone).unwrap();
    assert_eq!(c.call_str(&["SAVE"]), "-ERR\r\n");
    assert_eq!(c.call_str(&["BGSAVE"]), "+Background saving started\r\n");
    wait_for("the failed child", Duration::from_secs(10), || info_field(&mut c, "rdb_bgsave_in_progress") == "0");
    assert_eq!(info_field(&mut c, "rdb_last_bgsave_status"), "err");
    let reply = c.call_str(&["SET", "k", "v"]);
    assert!(reply.starts_with("-MISCONF Valkey is configured to save RDB snapshots"), "{reply}");
    assert_eq!(c.call_str(&["GET", "k"]), "$-1\r\n");
    assert!(srv.log().contains("Background saving error"), "{}", srv.log());
    c.call(&["CONFIG", "SET", "dir", dir.to_str().unwrap()]);
    assert_eq!(c.call_str(&["SAVE"]), "+OK\r\n");
    assert_eq!(c.call_str(&["SET", "k", "v"]), "+OK\r\n");
}

/// Debian's redis-server 7.0 loads ferrokey's dump.rdb, and ferrokey loads the file redis-server
/// saves, with the same data in both directions.
#[test]
fn redis_server_and_ferrokey_load_each_others_files() {
    let dir = temp_dir("cross");
    let view = {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        fill_every_type(&mut c);
        assert_eq!(c.call_str(&["SAVE"]), "+OK\r\n");
        dataset_view(&mut c)
    };
    let Some(real) = RealServer::start_with(&["--dir", dir.to_str().unwrap(), "--enable-debug-command", "yes"]) else {
        return;
    };
    let mut r = real.connect();
    assert_eq!(dataset_view(&mut r), view, "redis-server loading ferrokey's file");
    // redis-server writes the file again, in its own encodings; ferrokey reads it back.
    r.call(&["SET", "from-redis", "1"]);
    assert_eq!(r.call_str(&["SAVE"]), "+OK\r\n");
    drop(real);
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    let mut back = dataset_view(&mut c);
    back.retain(|(k, _)| k != "0/from-redis");
    assert_eq!(back, view, "ferrokey loading redis-server's file");
    assert_eq!(c.call_str(&["GET", "from-redis"]), "$1\r\n1\r\n");
}
