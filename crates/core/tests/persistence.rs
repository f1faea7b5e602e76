//! SAVE, BGSAVE, save points, SHUTDOWN's save, DEBUG RELOAD and -MISCONF, with a fake disk host.

mod common;
use common::*;
use ferrokey_core::commands::persistence::{self, PersistenceHost};
use ferrokey_core::config::{Config, ProtectedAction};
use ferrokey_core::engine::Engine;
use ferrokey_core::reply::Reply;
use std::cell::RefCell;
use std::rc::Rc;

/// A disk in memory: the last snapshot written, whether saves fail, a "child" that ends when told.
#[derive(Default)]
struct Disk {
    file: Option<Vec<u8>>,
    fail: bool,
    child_result: Option<Result<(), String>>,
    child_running: bool,
    started: u32,
}

struct FakeHost(Rc<RefCell<Disk>>);

impl PersistenceHost for FakeHost {
    fn save(&mut self, eng: &mut Engine) -> Result<(), String> {
        let mut d = self.0.borrow_mut();
        if d.fail {
            return Err("Permission denied".into());
        }
        d.file = Some(ferrokey_core::rdb::engine_snapshot(eng));
        Ok(())
    }
    fn start_background_save(&mut self, eng: &mut Engine) -> Result<u32, String> {
        let mut d = self.0.borrow_mut();
        d.started += 1;
        d.child_running = true;
        // The "child" sees the dataset as it is now; the fake writes it at once.
        let snapshot = ferrokey_core::rdb::engine_snapshot(eng);
        if !d.fail {
            d.file = Some(snapshot);
        }
        d.child_result = Some(if d.fail { Err("Permission denied".into()) } else { Ok(()) });
        Ok(1000 + d.started)
    }
    fn poll_background_save(&mut self) -> Option<Result<(), String>> {
        let mut d = self.0.borrow_mut();
        if !d.child_running {
            return None;
        }
        d.child_running = false;
        d.child_result.take()
    }
    fn kill_background_save(&mut self) {
        self.0.borrow_mut().child_running = false;
    }
    fn read_snapshot(&mut self, _eng: &Engine) -> Result<Option<Vec<u8>>, String> {
        Ok(self.0.borrow().file.clone())
    }
}

/// A harness that may run DEBUG.
fn debug_harness() -> Harness {
    Harness::with_config(Config { enable_debug_command: ProtectedAction::Yes, ..Config::default() })
}

fn with_disk() -> (Harness, Rc<RefCell<Disk>>) {
    let mut h = debug_harness();
    let disk = Rc::new(RefCell::new(Disk::default()));
    persistence::set_persistence_host(&mut h.eng, Box::new(FakeHost(disk.clone())));
    (h, disk)
}

fn cron(h: &mut Harness) {
    let now_ms = h.now_ms();
    persistence::cron(&mut h.eng, now_ms);
}

fn info_field(h: &mut Harness, name: &str) -> String {
    let text = match h.run(&["INFO", "persistence"]) {
        Reply::Verbatim(_, text) | Reply::Bulk(text) => String::from_utf8(text.to_vec()).unwrap(),
        other => panic!("INFO: {other:?}"),
    };
    let prefix = format!("{name}:");
    text.lines().find_map(|l| l.strip_prefix(&prefix).map(str::to_owned)).unwrap_or_else(|| panic!("{name}"))
}

#[test]
fn save_without_disk_host_is_an_error() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SAVE"]), err("ERR This server has no disk to save to"));
    assert_eq!(h.run(&["BGSAVE"]), err("ERR This server has no disk to save to"));
}

#[test]
fn save_writes_the_dataset_and_resets_changes() {
    let (mut h, disk) = with_disk();
    h.run(&["SET", "k", "v"]);
    assert_eq!(info_field(&mut h, "rdb_changes_since_last_save"), "1");
    assert_eq!(h.run(&["SAVE"]), ok());
    assert_eq!(info_field(&mut h, "rdb_changes_since_last_save"), "0");
    let snap = ferrokey_core::rdb::read_snapshot(disk.borrow().file.as_ref().unwrap()).unwrap();
    assert_eq!(snap.dbs[0].records[0].key.as_ref(), b"k");
    assert_eq!(h.run(&["LASTSAVE"]), int(h.now_ms() / 1000));
}

#[test]
fn bgsave_counts_changes_made_while_it_runs_as_unsaved() {
    let (mut h, _disk) = with_disk();
    h.run(&["SET", "a", "1"]);
    assert_eq!(h.run(&["BGSAVE"]), status("Background saving started"));
    assert_eq!(info_field(&mut h, "rdb_bgsave_in_progress"), "1");
    assert_eq!(h.run(&["BGSAVE"]), err("ERR Background save already in progress"));
    assert_eq!(h.run(&["SAVE"]), err("ERR Background save already in progress"));
    h.run(&["SET", "b", "2"]);
    cron(&mut h);
    assert_eq!(info_field(&mut h, "rdb_bgsave_in_progress"), "0");
    assert_eq!(info_field(&mut h, "rdb_last_bgsave_status"), "ok");
    assert_eq!(info_field(&mut h, "rdb_changes_since_last_save"), "1", "the write during the save");
    assert_eq!(h.run(&["BGSAVE", "SCHEDULE"]), status("Background saving started"));
    assert_eq!(h.run(&["BGSAVE", "X"]), err("ERR syntax error"));
}

#[test]
fn cron_save_point_starts_bgsave_when_due() {
    let (mut h, disk) = with_disk();
    h.run(&["CONFIG", "SET", "save", "30 2"]);
    h.run(&["SET", "a", "1"]);
    h.advance_ms(31_000);
    cron(&mut h);
    assert_eq!(disk.borrow().started, 0, "one change is below the save point");
    h.run(&["SET", "b", "1"]);
    cron(&mut h);
    assert_eq!(disk.borrow().started, 1);
    cron(&mut h);
    assert_eq!(info_field(&mut h, "rdb_changes_since_last_save"), "0");
}

#[test]
fn failed_bgsave_denies_writes_with_misconf_until_a_save_succeeds() {
    let (mut h, disk) = with_disk();
    disk.borrow_mut().fail = true;
    h.run(&["CONFIG", "SET", "save", "3600 1"]);
    h.run(&["BGSAVE"]);
    cron(&mut h);
    assert_eq!(info_field(&mut h, "rdb_last_bgsave_status"), "err");
    let Reply::Error(e) = h.run(&["SET", "k", "v"]) else { panic!("SET must fail") };
    assert!(e.starts_with("MISCONF Valkey is configured to save RDB snapshots"), "{e}");
    assert!(matches!(h.run(&["PING"]), Reply::Error(_)), "PING too, as Valkey");
    assert_eq!(h.run(&["GET", "k"]), null(), "reads still work");
    h.run(&["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"]);
    assert_eq!(h.run(&["SET", "k", "v"]), ok());
    h.run(&["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"]);
    disk.borrow_mut().fail = false;
    assert_eq!(h.run(&["SAVE"]), ok());
    assert_eq!(h.run(&["SET", "k", "v"]), ok());
}

#[test]
fn shutdown_save_failure_keeps_running_unless_forced() {
    let (mut h, disk) = with_disk();
    disk.borrow_mut().fail = true;
    assert_eq!(h.run(&["SHUTDOWN", "SAVE"]), err("ERR Errors trying to SHUTDOWN. Check logs."));
    assert_eq!(ferrokey_core::commands::server::take_shutdown(&mut h.eng), None);
    assert_eq!(h.run(&["SHUTDOWN", "SAVE", "FORCE"]), ok());
    assert!(ferrokey_core::commands::server::take_shutdown(&mut h.eng).is_some());
    assert_eq!(h.run(&["SHUTDOWN", "NOSAVE"]), ok());
}

#[test]
fn shutdown_saves_when_save_points_exist() {
    let (mut h, disk) = with_disk();
    h.run(&["CONFIG", "SET", "save", ""]);
    h.run(&["SET", "k", "v"]);
    h.run(&["SHUTDOWN"]);
    assert!(disk.borrow().file.is_none(), "no save points: no save");
    h.run(&["CONFIG", "SET", "save", "900 1"]);
    h.run(&["SHUTDOWN"]);
    assert!(disk.borrow().file.is_some());
}

#[test]
fn debug_reload_round_trips_every_type_with_streams_and_groups() {
    let (mut h, _disk) = with_disk();
    for argv in [
        &["SET", "s", "hello"][..],
        &["SET", "n", "12345"],
        &["RPUSH", "l", "a", "b", "c"],
        &["HSET", "h", "f", "v"],
        &["SADD", "si", "1", "2"],
        &["SADD", "ss", "x", "y"],
        &["ZADD", "z", "1.5", "m"],
        &["XADD", "x", "1-1", "f", "v"],
        &["XADD", "x", "2-1", "f", "w", "g", "h"],
        &["XADD", "x", "3-1", "f", "z"],
        &["XDEL", "x", "2-1"],
        &["XGROUP", "CREATE", "x", "grp", "0"],
        &["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "x", ">"],
        // A consumer that never read has active time -1; RDB 10 (type 19) cannot say so, and the
        // loader takes the seen time, as Valkey's does: such a consumer is left out here.
        &["PEXPIRE", "s", "100000"],
        &["SELECT", "15"],
        &["SET", "far", "away"],
        &["SELECT", "0"],
    ] {
        assert!(!matches!(h.run(argv), Reply::Error(_)), "{argv:?}");
    }
    let before = h.run(&["DEBUG", "DIGEST"]);
    let stream_before = h.run(&["XINFO", "STREAM", "x", "FULL"]);
    assert_eq!(h.run(&["DEBUG", "RELOAD"]), ok());
    assert_eq!(h.run(&["DEBUG", "DIGEST"]), before);
    assert_eq!(h.run(&["XINFO", "STREAM", "x", "FULL"]), stream_before);
    assert_eq!(h.run(&["PTTL", "s"]), int(100_000));
    assert_eq!(info_field(&mut h, "rdb_last_load_keys_loaded"), "9");
}

#[test]
fn debug_reload_without_host_round_trips_in_memory() {
    let mut h = debug_harness();
    h.run(&["XADD", "x", "1-1", "f", "v"]);
    h.run(&["XGROUP", "CREATE", "x", "g", "$"]);
    let before = h.run(&["DEBUG", "DIGEST"]);
    let groups = h.run(&["XINFO", "GROUPS", "x"]);
    assert_eq!(h.run(&["DEBUG", "RELOAD"]), ok());
    assert_eq!(h.run(&["DEBUG", "DIGEST"]), before);
    assert_eq!(h.run(&["XINFO", "GROUPS", "x"]), groups);
    assert_eq!(h.run(&["DEBUG", "RELOAD", "NOSAVE"]), err("ERR Error trying to load the RDB dump, check server logs."));
}

#[test]
fn debug_reload_keeps_lfu_counters_under_an_lfu_policy() {
    let mut h = debug_harness();
    h.run(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    h.run(&["CONFIG", "SET", "lfu-log-factor", "0"]);
    h.run(&["SET", "hot", "v"]);
    h.run(&["SET", "cold", "v"]);
    for _ in 0..20 {
        h.run(&["GET", "hot"]);
    }
    let (hot, cold) = (h.run(&["OBJECT", "FREQ", "hot"]), h.run(&["OBJECT", "FREQ", "cold"]));
    assert_ne!(hot, cold);
    assert_eq!(h.run(&["DEBUG", "RELOAD"]), ok());
    assert_eq!(h.run(&["OBJECT", "FREQ", "hot"]), hot);
    assert_eq!(h.run(&["OBJECT", "FREQ", "cold"]), cold);
}
