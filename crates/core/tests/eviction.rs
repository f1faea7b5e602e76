//! maxmemory: eviction policies, the OOM refusal, and the LRU/LFU access clock.
//!
//! The engine reads used memory from its host; these tests plug in a gauge they set by hand. A reading
//! that does not move when a key is deleted credits each eviction with the key's estimated size, so a
//! reading 1 byte over the limit evicts exactly one key per command.

mod common;
use common::*;
use ferrokey_core::commands::server::{set_host, HostInfo, MemoryReadings, ServerHost};
use ferrokey_core::Reply;
use std::cell::Cell;
use std::rc::Rc;

const LIMIT: u64 = 1_000_000;
const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// A host whose allocator reading the test sets.
struct Gauge(Rc<Cell<u64>>);

impl ServerHost for Gauge {
    fn memory(&self) -> MemoryReadings {
        MemoryReadings { allocated: Some(self.0.get()), ..MemoryReadings::default() }
    }
}

/// A harness with `maxmemory` = LIMIT, the given policy, and a memory reading under the limit.
fn harness(policy: &str) -> (Harness, Rc<Cell<u64>>) {
    let mut h = Harness::new();
    let used = Rc::new(Cell::new(LIMIT / 2));
    set_host(&mut h.eng, HostInfo::default(), Box::new(Gauge(used.clone())));
    assert_eq!(h.run(&["CONFIG", "SET", "maxmemory", &LIMIT.to_string()]), ok());
    assert_eq!(h.run(&["CONFIG", "SET", "maxmemory-policy", policy]), ok());
    (h, used)
}

/// Runs one command while memory reads 1 byte over the limit (one key's worth of eviction).
fn run_over(h: &mut Harness, used: &Cell<u64>, argv: &[&str]) -> Reply {
    used.set(LIMIT + 1);
    let reply = h.run(argv);
    used.set(LIMIT / 2);
    reply
}

fn keys(h: &mut Harness) -> Vec<String> {
    let Reply::Array(items) = h.run(&["KEYS", "*"]) else { panic!("KEYS replies an array") };
    let mut names: Vec<String> = items
        .into_iter()
        .map(|r| match r {
            Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    names.sort();
    names
}

fn info_field(h: &mut Harness, section: &str, field: &str) -> String {
    let Reply::Verbatim(_, text) = h.run(&["INFO", section]) else { panic!("INFO replies verbatim text") };
    let text = String::from_utf8_lossy(&text).into_owned();
    let prefix = format!("{field}:");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_else(|| panic!("no {field}")).to_string()
}

#[test]
fn noeviction_over_limit_refuses_denyoom_commands_and_keeps_keys() {
    let (mut h, used) = harness("noeviction");
    h.run(&["SET", "a", "1"]);
    used.set(LIMIT + 1);
    assert_eq!(h.run(&["SET", "b", "2"]), err(OOM));
    assert_eq!(h.run(&["GET", "a"]), bulk("1"), "reads still run");
    assert_eq!(h.run(&["DEL", "a"]), int(1), "DEL is not DENYOOM");
    assert_eq!(info_field(&mut h, "stats", "evicted_keys"), "0");
    used.set(LIMIT);
    assert_eq!(h.run(&["SET", "b", "2"]), ok(), "at the limit is not over it");
}

#[test]
fn maxmemory_zero_never_refuses() {
    let (mut h, used) = harness("noeviction");
    h.run(&["CONFIG", "SET", "maxmemory", "0"]);
    used.set(u64::MAX / 2);
    assert_eq!(h.run(&["SET", "a", "1"]), ok());
}

#[test]
fn exec_with_queued_denyoom_command_over_limit_aborts() {
    let (mut h, used) = harness("noeviction");
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["SET", "a", "1"]), status("QUEUED"));
    used.set(LIMIT + 1);
    assert_eq!(h.run(&["EXEC"]), err(&format!("EXECABORT Transaction discarded because of: {OOM}")));
    used.set(LIMIT / 2);
    assert_eq!(h.run(&["EXISTS", "a"]), int(0));
}

#[test]
fn allkeys_random_evicts_any_key_and_counts_it() {
    let (mut h, used) = harness("allkeys-random");
    for k in ["a", "b", "c"] {
        h.run(&["SET", k, "v"]);
    }
    assert_eq!(run_over(&mut h, &used, &["SET", "d", "v"]), ok());
    assert_eq!(keys(&mut h).len(), 3, "one of a, b, c went, d came");
    assert_eq!(info_field(&mut h, "stats", "evicted_keys"), "1");
}

#[test]
fn allkeys_lru_evicts_the_least_recently_used_key() {
    let (mut h, used) = harness("allkeys-lru");
    for k in ["a", "b", "c"] {
        h.run(&["SET", k, "v"]);
        h.advance_ms(2000);
    }
    h.run(&["GET", "a"]);
    h.advance_ms(2000);
    run_over(&mut h, &used, &["SET", "d", "v"]);
    assert_eq!(keys(&mut h), ["a", "c", "d"]);
    run_over(&mut h, &used, &["SET", "e", "v"]);
    assert_eq!(keys(&mut h), ["a", "d", "e"]);
}

#[test]
fn allkeys_lfu_evicts_the_least_frequently_used_key() {
    let (mut h, used) = harness("allkeys-lfu");
    for k in ["a", "b", "c"] {
        h.run(&["SET", k, "v"]);
    }
    // From the initial counter (5) the first access always counts.
    h.run(&["GET", "a"]);
    h.run(&["GET", "c"]);
    run_over(&mut h, &used, &["SET", "d", "v"]);
    assert_eq!(keys(&mut h), ["a", "c", "d"]);
}

#[test]
fn volatile_policies_evict_only_keys_with_a_deadline() {
    for policy in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] {
        let (mut h, used) = harness(policy);
        h.run(&["SET", "p1", "v"]);
        h.run(&["SET", "v1", "v", "EX", "100"]);
        h.run(&["SET", "p2", "v"]);
        h.run(&["SET", "v2", "v", "EX", "100"]);
        assert_eq!(run_over(&mut h, &used, &["SET", "x", "v"]), ok(), "{policy}");
        assert_eq!(run_over(&mut h, &used, &["SET", "y", "v"]), ok(), "{policy}");
        assert_eq!(keys(&mut h), ["p1", "p2", "x", "y"], "{policy}");
        // Nothing volatile is left: over the limit, writes are refused.
        assert_eq!(run_over(&mut h, &used, &["SET", "z", "v"]), err(OOM), "{policy}");
        assert_eq!(info_field(&mut h, "stats", "evicted_keys"), "2", "{policy}");
    }
}

#[test]
fn volatile_ttl_evicts_the_nearest_deadline_first() {
    let (mut h, used) = harness("volatile-ttl");
    h.run(&["SET", "late", "v", "EX", "300"]);
    h.run(&["SET", "soon", "v", "EX", "50"]);
    h.run(&["SET", "mid", "v", "EX", "100"]);
    h.run(&["SET", "forever", "v"]);
    run_over(&mut h, &used, &["PING"]);
    assert_eq!(keys(&mut h), ["forever", "late", "mid"]);
    run_over(&mut h, &used, &["PING"]);
    assert_eq!(keys(&mut h), ["forever", "late"]);
    run_over(&mut h, &used, &["PING"]);
    assert_eq!(keys(&mut h), ["forever"]);
}

#[test]
fn eviction_fires_the_evicted_keyspace_event() {
    let (mut h, used) = harness("allkeys-lru");
    h.run(&["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "__keyevent@0__:evicted"]);
    h.output(sub);
    h.run(&["SET", "k", "v"]);
    run_over(&mut h, &used, &["PING"]);
    let Reply::Array(message) = bulks(&["message", "__keyevent@0__:evicted", "k"]) else { unreachable!() };
    assert_eq!(h.output(sub), vec![Reply::Push(message)]);
}

#[test]
fn eviction_round_frees_what_the_reading_is_over_by() {
    let (mut h, used) = harness("allkeys-random");
    for i in 0..100 {
        h.run(&["SET", &format!("key:{i}"), "v"]);
    }
    // Each key is credited with its estimated size (tens of bytes), so 1000 bytes over takes several.
    used.set(LIMIT + 1000);
    h.run(&["PING"]);
    used.set(LIMIT / 2);
    let evicted = 100 - keys(&mut h).len();
    assert!((2..50).contains(&evicted), "{evicted} keys evicted");
}

#[test]
fn object_freq_counts_accesses_and_decays_with_the_clock() {
    let (mut h, _used) = harness("allkeys-lfu");
    h.run(&["CONFIG", "SET", "lfu-log-factor", "0"]);
    h.run(&["SET", "k", "v"]);
    assert_eq!(h.run(&["OBJECT", "FREQ", "k"]), int(5), "new keys start at LFU_INIT_VAL");
    for _ in 0..10 {
        h.run(&["GET", "k"]);
    }
    assert_eq!(h.run(&["OBJECT", "FREQ", "k"]), int(15), "log factor 0: every access counts");
    h.advance_ms(3 * 60_000);
    assert_eq!(h.run(&["OBJECT", "FREQ", "k"]), int(12), "one per lfu-decay-time minute");
    h.run(&["CONFIG", "SET", "lfu-decay-time", "0"]);
    h.advance_ms(60 * 60_000);
    assert_eq!(h.run(&["OBJECT", "FREQ", "k"]), int(15), "decay time 0: no decay (reading does not store it)");
    h.run(&["CONFIG", "SET", "lfu-decay-time", "1"]);
    assert_eq!(h.run(&["OBJECT", "FREQ", "k"]), int(0));
}

#[test]
fn lfu_counter_grows_logarithmically_with_the_default_factor() {
    let (mut h, _used) = harness("allkeys-lfu");
    h.run(&["SET", "k", "v"]);
    for _ in 0..1000 {
        h.run(&["GET", "k"]);
    }
    let Reply::Int(freq) = h.run(&["OBJECT", "FREQ", "k"]) else { panic!() };
    // Valkey's table: factor 10, 1000 hits end near 18 (far below 1005, above the start).
    assert!((12..=30).contains(&freq), "freq {freq}");
}

#[test]
fn object_freq_and_idletime_need_the_matching_policy() {
    let (mut h, _used) = harness("allkeys-lru");
    h.run(&["SET", "k", "v"]);
    assert_eq!(
        h.run(&["OBJECT", "FREQ", "k"]),
        err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when \
             switching between policies at runtime LRU and LFU data will take some time to adjust.")
    );
    h.advance_ms(5000);
    assert_eq!(h.run(&["OBJECT", "IDLETIME", "k"]), int(5));
    h.run(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    assert_eq!(
        h.run(&["OBJECT", "IDLETIME", "k"]),
        err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching \
             between policies at runtime LRU and LFU data will take some time to adjust.")
    );
    assert_eq!(h.run(&["OBJECT", "FREQ", "missing"]), null());
}

#[test]
fn info_memory_shows_the_limit_and_policy() {
    let (mut h, _used) = harness("volatile-ttl");
    assert_eq!(info_field(&mut h, "memory", "maxmemory"), LIMIT.to_string());
    assert_eq!(info_field(&mut h, "memory", "maxmemory_human"), "976.56K");
    assert_eq!(info_field(&mut h, "memory", "maxmemory_policy"), "volatile-ttl");
    assert_eq!(info_field(&mut h, "memory", "mem_not_counted_for_evict"), "0");
}

#[test]
fn without_a_host_reading_the_keyspace_estimate_is_kept_near_the_limit() {
    let mut h = Harness::new();
    let base: u64 = info_field(&mut h, "memory", "used_memory").parse().unwrap();
    let limit = base + 200_000;
    h.run(&["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    h.run(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    let value = "x".repeat(1000);
    for i in 0..2000 {
        assert_eq!(h.run(&["SET", &format!("key:{i}"), &value]), ok());
    }
    let used: u64 = info_field(&mut h, "memory", "used_memory").parse().unwrap();
    assert!(used < limit + 20_000, "used {used} limit {limit}");
    let evicted: u64 = info_field(&mut h, "stats", "evicted_keys").parse().unwrap();
    assert!(evicted > 1000, "evicted {evicted}");
    assert_eq!(h.run(&["EXISTS", "key:1999"]), int(1), "the newest key stays");
}

#[test]
fn scripts_over_limit_follow_valkeys_allow_oom_rules() {
    let (mut h, used) = harness("noeviction");
    h.run(&["SET", "x", "123"]);
    used.set(LIMIT + 1);
    let Reply::Error(e) = h.run(&["EVAL", "redis.call('set','x',1) return 1", "1", "x"]) else { panic!() };
    assert!(e.starts_with(OOM), "no shebang: the first write is refused: {e}");
    assert_eq!(h.run(&["EVAL", "return redis.call('get','x')", "1", "x"]), bulk("123"), "reads run");
    assert_eq!(
        h.run(&["EVAL", "#!lua flags=\nreturn 1", "0"]),
        err("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'")
    );
    assert_eq!(h.run(&["EVAL", "#!lua flags=allow-oom\nredis.call('set','x',1) return 1", "1", "x"]), int(1));
    assert_eq!(h.run(&["EVAL", "#!lua flags=no-writes\nredis.call('get','x') return 1", "0"]), int(1));
    assert_eq!(h.run(&["EVAL_RO", "#!lua flags=no-writes\nredis.call('get','x') return 1", "1", "x"]), int(1));
    used.set(LIMIT / 2);
    assert_eq!(h.run(&["EVAL", "redis.call('set','x',2) return 1", "1", "x"]), int(1));
}
