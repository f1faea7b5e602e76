//! The append-only file over TCP: writes survive a restart, BGREWRITEAOF, the manifest, a truncated
//! tail with and without aof-load-truncated, switching appendonly on at runtime, and what the incr
//! file holds (commands as Valkey propagates them).

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn start_in(dir: &Path, extra: &[&str]) -> ServerProcess {
    let mut args = vec!["--dir", dir.to_str().unwrap(), "--appendonly", "yes", "--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    TestServer::start_with(&args)
}

fn manifest(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("appendonlydir/appendonly.aof.manifest")).unwrap()
}

/// The newest incr file's bytes.
fn last_incr(dir: &Path) -> Vec<u8> {
    let m = manifest(dir);
    let name = m.lines().rfind(|l| l.ends_with("type i")).unwrap().split(' ').nth(1).unwrap().to_owned();
    std::fs::read(dir.join("appendonlydir").join(name)).unwrap()
}

fn ok(c: &mut Conn, argv: &[&str]) {
    let r = c.call(argv);
    assert!(!r.starts_with(b"-"), "{argv:?}: {}", show(&r));
}

/// Writes of every type, expiries, a transaction and a script.
fn write_everything(c: &mut Conn) {
    for argv in [
        &["SET", "s", "v"][..],
        &["SET", "ttl", "v", "EX", "3600"],
        &["SETEX", "ttl2", "3600", "v"],
        &["SET", "gone", "v"],
        &["PEXPIRE", "gone", "1"],
        &["INCRBYFLOAT", "f", "1.5"],
        &["RPUSH", "l", "a", "b", "c"],
        &["LPOP", "l"],
        &["HSET", "h", "a", "1", "b", "2"],
        &["HINCRBYFLOAT", "h", "a", "0.5"],
        &["SADD", "set", "x", "y", "z"],
        &["SPOP", "set"],
        &["ZADD", "z", "1", "a", "2", "b"],
        &["XADD", "st", "*", "f", "v"],
        &["EXPIRE", "h", "7200"],
        &["SELECT", "3"],
        &["SET", "db3", "yes"],
        &["SELECT", "0"],
        &["MULTI"],
        &["INCR", "counter"],
        &["INCR", "counter"],
        &["EXEC"],
        &["EVAL", "redis.call('SET', KEYS[1], 'a'); redis.call('APPEND', KEYS[1], 'b')", "1", "script"],
    ] {
        ok(c, argv);
    }
    std::thread::sleep(Duration::from_millis(20)); // let "gone" expire
    assert_eq!(c.call_str(&["GET", "gone"]), "$-1\r\n");
}

/// What a client sees of the keys `write_everything` wrote.
fn view(c: &mut Conn) -> Vec<String> {
    let mut out = Vec::new();
    for argv in [
        &["GET", "s"][..],
        &["PEXPIRETIME", "ttl"],
        &["PEXPIRETIME", "ttl2"],
        &["EXISTS", "gone"],
        &["GET", "f"],
        &["LRANGE", "l", "0", "-1"],
        &["HGETALL", "h"],
        &["PEXPIRETIME", "h"],
        &["SCARD", "set"],
        &["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        &["XRANGE", "st", "-", "+"],
        &["GET", "counter"],
        &["GET", "script"],
        &["DBSIZE"],
    ] {
        out.push(c.call_str(argv));
    }
    let mut members: Vec<String> = c.call_str(&["SMEMBERS", "set"]).lines().map(str::to_owned).collect();
    members.sort();
    out.push(members.join(","));
    c.call(&["SELECT", "3"]);
    out.push(c.call_str(&["GET", "db3"]));
    c.call(&["SELECT", "0"]);
    out
}

#[test]
fn aof_writes_of_every_kind_survive_a_restart() {
    let dir = temp_dir("restart");
    let before = {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        write_everything(&mut c);
        assert_eq!(info_field(&mut c, "aof_enabled"), "1");
        view(&mut c)
    };
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(view(&mut c), before);
    assert!(srv.log().contains("DB loaded from append only file"), "{}", srv.log());
}

#[test]
fn aof_incr_file_holds_commands_as_valkey_propagates_them() {
    let dir = temp_dir("propagate");
    let srv = start_in(&dir, &["--appendfsync", "always"]);
    let mut c = srv.connect();
    write_everything(&mut c);
    let text = String::from_utf8_lossy(&last_incr(&dir)).into_owned();
    let words: Vec<&str> = text.split("\r\n").filter(|w| !w.starts_with('*') && !w.starts_with('$')).collect();
    let joined = words.join(" ");
    assert!(joined.starts_with("SELECT 0 SET s v SET ttl v PXAT "), "{joined}");
    for expected in [
        "PEXPIREAT gone",
        "UNLINK gone", // lazy expiry with lazyfree-lazy-expire yes
        "SET f 1.5 KEEPTTL",
        "HSET h a 1.5",
        "SREM set",
        "PEXPIREAT h",
        "SELECT 3 SET db3 yes",
        "MULTI SELECT 0 INCR counter INCR counter EXEC",
        "MULTI SET script a APPEND script b EXEC",
    ] {
        assert!(joined.contains(expected), "{expected} in {joined}");
    }
    for absent in ["EX 3600", "SETEX", "SPOP", "EVAL", "INCRBYFLOAT", " * "] {
        assert!(!joined.contains(absent), "{absent} in {joined}");
    }
}

#[test]
fn aof_fresh_start_writes_valkeys_manifest() {
    let dir = temp_dir("manifest");
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    ok(&mut c, &["SET", "k", "v"]);
    assert_eq!(
        manifest(&dir),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    let base = std::fs::read(dir.join("appendonlydir/appendonly.aof.1.base.rdb")).unwrap();
    assert!(base.starts_with(b"REDIS0"), "an RDB preamble");
    assert!(srv.log().contains("Creating AOF base file appendonly.aof.1.base.rdb on server start"));
}

#[test]
fn aof_bgrewriteaof_swaps_manifest_and_keeps_data() {
    let dir = temp_dir("rewrite");
    let digest = {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        ok(&mut c, &["DEBUG", "POPULATE", "500", "key"]);
        ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "1000"]);
        assert_eq!(c.call_str(&["BGREWRITEAOF"]), "+Background append only file rewriting started\r\n");
        assert_eq!(c.call_str(&["BGREWRITEAOF"]), "-ERR Background append only file rewriting already in progress\r\n");
        ok(&mut c, &["SET", "during", "rewrite"]);
        wait_for("the rewrite", Duration::from_secs(20), || info_field(&mut c, "aof_rewrite_in_progress") == "0");
        assert_eq!(info_field(&mut c, "aof_last_bgrewrite_status"), "ok");
        assert_eq!(info_field(&mut c, "aof_rewrites"), "1");
        ok(&mut c, &["SET", "after", "rewrite"]);
        assert_eq!(
            manifest(&dir),
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
        );
        let files: Vec<String> = std::fs::read_dir(dir.join("appendonlydir"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files.len(), 3, "old base and incr are deleted: {files:?}");
        c.call_str(&["DEBUG", "DIGEST"])
    };
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["DEBUG", "DIGEST"]), digest);
    assert_eq!(c.call_str(&["GET", "during"]), "$7\r\nrewrite\r\n");
    assert_eq!(c.call_str(&["DBSIZE"]), ":502\r\n");
}

fn run_to_exit(dir: &Path, truncated: &str) -> (Option<i32>, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrokey-server"))
        .args(["--port", &port, "--bind", "127.0.0.1", "--dir", dir.to_str().unwrap(), "--appendonly", "yes"])
        .args(["--aof-load-truncated", truncated])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (status.code(), String::from_utf8_lossy(&out.stdout).into_owned());
        }
        if start.elapsed() > Duration::from_secs(3) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            return (None, String::from_utf8_lossy(&out.stdout).into_owned());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn aof_truncated_tail_refuses_without_and_loads_with_aof_load_truncated() {
    let dir = temp_dir("truncated");
    {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        ok(&mut c, &["SET", "a", "1"]);
        ok(&mut c, &["SET", "b", "2"]);
    }
    let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    let good = std::fs::read(&incr).unwrap();
    let cut = &good[..good.len() - 3];
    std::fs::write(&incr, cut).unwrap();

    let (code, log) = run_to_exit(&dir, "no");
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"), "{log}");
    assert_eq!(std::fs::read(&incr).unwrap(), cut, "the file is left alone");

    let srv = start_in(&dir, &["--aof-load-truncated", "yes"]);
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["GET", "a"]), "$1\r\n1\r\n");
    assert_eq!(c.call_str(&["EXISTS", "b"]), ":0\r\n");
    let log = srv.log();
    assert!(log.contains("!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!"), "{log}");
    assert!(log.contains("AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled"));
    // Truncated at the last whole command, and appended to after it.
    ok(&mut c, &["SET", "c", "3"]);
    drop(srv);
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["MGET", "a", "b", "c"]), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n");
}

#[test]
fn aof_garbage_refuses_to_start() {
    let dir = temp_dir("garbage");
    {
        let srv = start_in(&dir, &[]);
        ok(&mut srv.connect(), &["SET", "a", "1"]);
    }
    let incr = dir.join("appendonlydir/appendonly.aof.1.incr.aof");
    std::fs::write(&incr, b"*2\r\n$3\r\nGET\r\n$1\r\na\r\nhello\r\n").unwrap();
    let (code, log) = run_to_exit(&dir, "yes");
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("Bad file format reading the append only file appendonly.aof.1.incr.aof"), "{log}");
}

#[test]
fn aof_switched_on_at_runtime_writes_base_then_appends() {
    let dir = temp_dir("runtime");
    let srv = TestServer::start_with(&["--dir", dir.to_str().unwrap()]);
    let mut c = srv.connect();
    ok(&mut c, &["SET", "before", "1"]);
    assert_eq!(info_field(&mut c, "aof_enabled"), "0");
    ok(&mut c, &["CONFIG", "SET", "appendonly", "yes"]);
    // One INFO for both fields: read from two, the cron can start the rewrite between them.
    wait_for("the first rewrite", Duration::from_secs(10), || {
        let info = c.call_str(&["INFO", "persistence"]);
        info.contains("aof_rewrite_in_progress:0\r\n") && info.contains("aof_rewrite_scheduled:0\r\n")
    });
    ok(&mut c, &["SET", "after", "2"]);
    assert_eq!(
        manifest(&dir),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    assert!(String::from_utf8_lossy(&last_incr(&dir)).contains("after"));
    drop(srv);
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.call_str(&["MGET", "before", "after"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
}

#[test]
fn aof_directory_written_by_ferrokey_loads_in_debian_redis_7() {
    let dir = temp_dir("redis7");
    let before = {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        write_everything(&mut c);
        view(&mut c)
    };
    // Later arguments win: the AOF folder is this test's.
    let Some(real) = RealServer::start_with(&["--dir", dir.to_str().unwrap(), "--appendonly", "yes"]) else {
        return;
    };
    let mut c = real.connect();
    let after = view(&mut c);
    assert_eq!(after, before, "{}", real.log());
}

#[test]
fn aof_debug_loadaof_replaces_the_data_set_with_the_files() {
    let dir = temp_dir("aof-loadaof");
    let server = start_in(&dir, &[]);
    let mut c = server.connect();
    write_everything(&mut c);
    let before = view(&mut c);
    // Written behind the server's back: only a real reload of the files can bring it in.
    let name = manifest(&dir).lines().rfind(|l| l.ends_with("type i")).unwrap().split(' ').nth(1).unwrap().to_owned();
    let mut incr = std::fs::OpenOptions::new().append(true).open(dir.join("appendonlydir").join(name)).unwrap();
    std::io::Write::write_all(&mut incr, b"*3\r\n$3\r\nSET\r\n$7\r\noutside\r\n$3\r\nyes\r\n").unwrap();
    drop(incr);
    assert_eq!(c.call_str(&["DEBUG", "LOADAOF"]), "+OK\r\n");
    assert_eq!(c.call_str(&["GET", "outside"]), "$3\r\nyes\r\n");
    ok(&mut c, &["DEL", "outside"]); // `view` counts the keys
    assert_eq!(view(&mut c), before);
    // Commands after the reload still go to the file: a restart sees them.
    ok(&mut c, &["SET", "after", "1"]);
    drop(c);
    drop(server);
    let server = start_in(&dir, &[]);
    let mut c = server.connect();
    assert_eq!(c.call_str(&["GET", "after"]), "$1\r\n1\r\n");
    ok(&mut c, &["DEL", "after"]); // `view` counts the keys
    assert_eq!(view(&mut c), before);
}

#[test]
fn aof_debug_loadaof_without_aof_empties_and_answers_valkeys_error() {
    let dir = temp_dir("aof-loadaof-off");
    let server = TestServer::start_with(&["--dir", dir.to_str().unwrap(), "--enable-debug-command", "yes"]);
    let mut c = server.connect();
    ok(&mut c, &["SET", "k", "v"]);
    assert_eq!(c.call_str(&["DEBUG", "LOADAOF"]), "-ERR Error trying to load the AOF files, check server logs.\r\n");
    assert_eq!(c.call_str(&["DBSIZE"]), ":0\r\n");
}
