//! Server commands: COMMAND, INFO, CONFIG, DEBUG, SLOWLOG, MONITOR, LATENCY, MEMORY, TIME, LASTSAVE,
//! WAIT, LOLWUT, SHUTDOWN, and what every call leaves behind (statistics, slow log, MONITOR feed).

mod common;
use common::*;
use ferrokey_core::commands::server::{self as server, HostInfo, MemoryReadings, ServerHost, ShutdownRequest};
use ferrokey_core::config::{Config, ProtectedAction};
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

fn with_debug() -> Harness {
    Harness::with_config(Config { enable_debug_command: ProtectedAction::Yes, ..Config::default() })
}

fn text(reply: Reply) -> String {
    match reply {
        Reply::Verbatim(kind, t) => {
            assert_eq!(kind, "txt");
            String::from_utf8(t).expect("utf8")
        }
        Reply::Bulk(t) => String::from_utf8(t).expect("utf8"),
        other => panic!("not text: {other:?}"),
    }
}

/// `field:value` of an INFO text.
fn info_field(info: &str, name: &str) -> Option<String> {
    info.lines().find_map(|l| l.strip_prefix(&format!("{name}:"))).map(str::to_string)
}

fn info(h: &mut Harness, section: &str) -> String {
    text(h.run(&["INFO", section]))
}

fn items(reply: Reply) -> Vec<Reply> {
    match reply {
        Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => v,
        other => panic!("not an aggregate: {other:?}"),
    }
}

fn statuses(reply: Reply) -> Vec<String> {
    items(reply)
        .into_iter()
        .map(|r| match r {
            Reply::Status(s) => s.to_string(),
            other => panic!("not a status: {other:?}"),
        })
        .collect()
}

fn map_get(reply: &Reply, key: &str) -> Reply {
    match reply {
        Reply::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| *k == Reply::bulk(key))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {key} in {reply:?}")),
        other => panic!("not a map: {other:?}"),
    }
}

// -- COMMAND ---------------------------------------------------------------------------------------

#[test]
fn command_count_counts_top_level_commands() {
    let mut h = Harness::new();
    let Reply::Int(n) = h.run(&["COMMAND", "COUNT"]) else { panic!() };
    assert!(n > 100);
    assert_eq!(items(h.run(&["COMMAND"])).len() as i64, n);
    assert_eq!(items(h.run(&["COMMAND", "INFO"])).len() as i64, n);
}

#[test]
fn command_info_get_has_the_ten_element_layout() {
    let mut h = Harness::new();
    let info = items(items(h.run(&["COMMAND", "INFO", "get"])).remove(0));
    assert_eq!(info.len(), 10);
    assert_eq!(info[0], bulk("get"));
    assert_eq!(info[1], int(2));
    assert_eq!(statuses(info[2].clone()), ["readonly", "fast"]);
    assert_eq!(&info[3..6], &[int(1), int(1), int(1)]);
    assert_eq!(statuses(info[6].clone()), ["@read", "@string", "@fast"]);
    assert_eq!(info[7], Reply::Set(vec![]));
    let spec = items(info[8].clone()).remove(0);
    assert_eq!(statuses(map_get(&spec, "flags")), ["RO", "access"]);
    let begin = map_get(&spec, "begin_search");
    assert_eq!(map_get(&begin, "type"), bulk("index"));
    assert_eq!(map_get(&map_get(&begin, "spec"), "index"), int(1));
    let find = map_get(&spec, "find_keys");
    assert_eq!(map_get(&find, "type"), bulk("range"));
    assert_eq!(map_get(&map_get(&find, "spec"), "lastkey"), int(0));
    assert_eq!(info[9], Reply::Set(vec![]));
}

#[test]
fn command_info_unknown_names_and_bad_subcommands_are_null() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["COMMAND", "INFO", "get|key"]), array(vec![null()]));
    assert_eq!(h.run(&["COMMAND", "INFO", "config|get|key"]), array(vec![null()]));
    assert_eq!(h.run(&["COMMAND", "INFO", "nosuch", "GET"]).clone(), {
        let get = items(h.run(&["COMMAND", "INFO", "get"])).remove(0);
        array(vec![null(), get])
    });
}

#[test]
fn command_info_container_lists_its_subcommands() {
    let mut h = Harness::new();
    let info = items(items(h.run(&["COMMAND", "INFO", "config"])).remove(0));
    assert_eq!(info[1], int(-2));
    assert_eq!(statuses(info[6].clone()), ["@slow"]);
    let subs = items(info[9].clone());
    let names: Vec<Reply> = subs.into_iter().map(|s| items(s).remove(0)).collect();
    assert!(names.contains(&bulk("config|get")));
    let get = items(items(h.run(&["COMMAND", "INFO", "CONFIG|GET"])).remove(0));
    assert_eq!(get[0], bulk("config|get"));
    assert_eq!(get[1], int(-3));
    assert_eq!(statuses(get[6].clone()), ["@admin", "@slow", "@dangerous"]);
}

#[test]
fn command_info_acl_categories_follow_valkey() {
    let mut h = Harness::new();
    let cats =
        |h: &mut Harness, name: &str| statuses(items(items(h.run(&["COMMAND", "INFO", name])).remove(0))[6].clone());
    assert_eq!(cats(&mut h, "keys"), ["@keyspace", "@read", "@slow", "@dangerous"]);
    assert_eq!(cats(&mut h, "info"), ["@slow", "@dangerous"]);
    assert_eq!(cats(&mut h, "flushall"), ["@keyspace", "@write", "@slow", "@dangerous"]);
    assert_eq!(cats(&mut h, "lastsave"), ["@admin", "@fast", "@dangerous"]);
    assert_eq!(cats(&mut h, "command|count"), ["@slow", "@connection"]);
    assert_eq!(cats(&mut h, "wait"), ["@slow", "@blocking", "@connection"]);
    assert_eq!(cats(&mut h, "set"), ["@write", "@string", "@slow"]);
}

#[test]
fn command_info_marks_movable_keys_only_where_keys_move() {
    let mut h = Harness::new();
    for (cmd, movable) in [("set", false), ("get", false), ("mset", false), ("lmove", false), ("zunionstore", true)] {
        let flags = statuses(items(items(h.run(&["COMMAND", "INFO", cmd])).remove(0))[2].clone());
        assert_eq!(flags.contains(&"movablekeys".to_string()), movable, "{cmd}");
    }
}

#[test]
fn command_docs_gives_summary_since_group() {
    let mut h = Harness::resp3();
    let docs = h.run(&["COMMAND", "DOCS", "get", "nosuch"]);
    let Reply::Map(pairs) = &docs else { panic!() };
    assert_eq!(pairs.len(), 1);
    let get = map_get(&docs, "get");
    assert_eq!(map_get(&get, "since"), bulk("1.0.0"));
    assert_eq!(map_get(&get, "group"), bulk("string"));
    assert_eq!(map_get(&get, "summary"), bulk("Returns the string value of a key."));
    let config = map_get(&h.run(&["COMMAND", "DOCS", "config"]), "config");
    let subs = map_get(&config, "subcommands");
    assert_eq!(map_get(&map_get(&subs, "config|get"), "group"), bulk("server"));
}

#[test]
fn command_list_filters_by_pattern_category_and_module() {
    let mut h = Harness::new();
    let all = items(h.run(&["COMMAND", "LIST"]));
    assert!(all.contains(&bulk("set")) && all.contains(&bulk("client|list")));
    assert_eq!(h.run(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "set"]), bulks(&["set"]));
    let config = items(h.run(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "config*"]));
    assert!(config.contains(&bulk("config")) && config.contains(&bulk("config|get")));
    let re = items(h.run(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*re*"]));
    assert!(re.contains(&bulk("config|resetstat")) && re.contains(&bulk("config|rewrite")));
    assert!(items(h.run(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "cl*help"])).contains(&bulk("client|help")));
    assert_eq!(h.run(&["COMMAND", "LIST", "FILTERBY", "PATTERN", "non_exists*"]), array(vec![]));
    let strings = items(h.run(&["COMMAND", "LIST", "FILTERBY", "ACLCAT", "string"]));
    assert!(strings.contains(&bulk("get")) && !strings.contains(&bulk("lpush")));
    assert_eq!(h.run(&["COMMAND", "LIST", "FILTERBY", "ACLCAT", "non_existing_category"]), array(vec![]));
    assert_eq!(h.run(&["COMMAND", "LIST", "FILTERBY", "MODULE", "non_existing_module"]), array(vec![]));
    for bad in [&["bad_arg"][..], &["filterby", "bad_arg"], &["filterby", "bad_arg", "bad_arg2"]] {
        let mut argv = vec!["COMMAND", "LIST"];
        argv.extend_from_slice(bad);
        assert_eq!(h.run(&argv), err("ERR syntax error"));
    }
}

#[test]
fn command_getkeys_extracts_keys_or_explains_why_not() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "get", "key"]), bulks(&["key"]));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "memory", "usage", "key"]), bulks(&["key"]));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"]), bulks(&["a", "b"]));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "lcs", "key1", "key2"]), bulks(&["key1", "key2"]));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "foo", "bar"]), err("ERR Invalid command specified"));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "ping", "x"]), err("ERR The command has no key arguments"));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "config", "get"]), err("ERR The command has no key arguments"));
    assert_eq!(
        h.run(&["COMMAND", "GETKEYS", "get", "a", "b"]),
        err("ERR Invalid number of arguments specified for command")
    );
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "get"]), err("ERR Invalid number of arguments specified for command"));
    assert_eq!(h.run(&["COMMAND", "GETKEYS"]), err("ERR wrong number of arguments for 'command|getkeys' command"));
}

#[test]
fn command_getkeys_takes_more_than_256_keys() {
    let mut h = Harness::new();
    let keys: Vec<String> = (1..=260).map(|i| format!("key{i}")).collect();
    let mut argv = vec!["COMMAND".to_string(), "GETKEYS".into(), "ZUNIONSTORE".into(), "target".into(), "260".into()];
    argv.extend(keys.iter().cloned());
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut want = vec!["target"];
    want.extend(keys.iter().map(String::as_str));
    assert_eq!(h.run(&argv), bulks(&want));
}

#[test]
fn command_getkeysandflags_reports_access_flags() {
    let mut h = Harness::new();
    let pair = |k: &str, f: &[&str]| {
        array(vec![bulk(k), Reply::Set(f.iter().map(|s| Reply::Status(s.to_string().into())).collect())])
    };
    assert_eq!(h.run(&["COMMAND", "GETKEYSANDFLAGS", "set", "k1", "v1"]), array(vec![pair("k1", &["OW", "update"])]));
    assert_eq!(
        h.run(&["COMMAND", "GETKEYSANDFLAGS", "set", "k1", "v1", "GET"]),
        array(vec![pair("k1", &["RW", "access", "update"])])
    );
    assert_eq!(
        h.run(&["COMMAND", "GETKEYSANDFLAGS", "mset", "k1", "v1", "k2", "v2"]),
        array(vec![pair("k1", &["OW", "update"]), pair("k2", &["OW", "update"])])
    );
    assert_eq!(
        h.run(&["COMMAND", "GETKEYSANDFLAGS", "LMOVE", "k1", "k2", "left", "right"]),
        array(vec![pair("k1", &["RW", "access", "delete"]), pair("k2", &["RW", "insert"])])
    );
}

#[test]
fn command_unknown_subcommand_and_help() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["COMMAND", "FOO"]), err("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
    let help = statuses(h.run(&["COMMAND", "HELP"]));
    assert_eq!(help[0], "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_eq!(help.last().unwrap(), "    Print this help.");
}

// -- INFO ------------------------------------------------------------------------------------------

#[test]
fn info_default_has_the_default_sections_only() {
    let mut h = Harness::new();
    for arg in [None, Some("default")] {
        let t = match arg {
            None => text(h.run(&["INFO"])),
            Some(a) => info(&mut h, a),
        };
        for section in ["# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU"] {
            assert!(t.contains(section), "{section}");
        }
        for field in ["redis_version", "used_cpu_user", "used_memory", "master_repl_offset", "cluster_enabled"] {
            assert!(info_field(&t, field).is_some(), "{field}");
        }
        assert!(!t.contains("rejected_calls"));
        assert!(!t.contains("sentinel_tilt"));
        assert!(t.ends_with("\r\n"));
    }
}

#[test]
fn info_all_and_everything_add_commandstats() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    for arg in ["all", "everything"] {
        let t = info(&mut h, arg);
        assert!(t.contains("rejected_calls"));
        assert!(t.contains("# Latencystats"));
    }
}

#[test]
fn info_sections_are_case_insensitive_and_not_repeated() {
    let mut h = Harness::new();
    let cpu = info(&mut h, "cpu");
    assert!(cpu.starts_with("# CPU\r\nused_cpu_sys:0.000000\r\n"));
    assert!(!cpu.contains("used_memory"));
    let stats = info(&mut h, "commandSTATS");
    assert!(stats.starts_with("# Commandstats\r\n") && stats.contains("rejected_calls"));
    let t = text(h.run(&["INFO", "cpu", "all"]));
    assert_eq!(t.matches("used_cpu_user_children").count(), 1);
    let t = text(h.run(&["INFO", "cpu", "default"]));
    assert_eq!(t.matches("used_cpu_user_children").count(), 1);
    assert!(!t.contains("rejected_calls"));
    assert_eq!(text(h.run(&["INFO", "sentinel"])), "");
}

#[test]
fn info_server_reports_compatibility_and_own_identity() {
    let mut h = Harness::new();
    let t = info(&mut h, "server");
    assert_eq!(info_field(&t, "redis_version").unwrap(), "7.2.4");
    assert_eq!(info_field(&t, "valkey_version").unwrap(), "8.0.1");
    assert_eq!(info_field(&t, "server_name").unwrap(), "ferrokey");
    assert_eq!(info_field(&t, "ferrokey_version").unwrap(), env!("CARGO_PKG_VERSION"));
    assert_eq!(info_field(&t, "server_mode").unwrap(), "standalone");
    assert_eq!(info_field(&t, "tcp_port").unwrap(), "6379");
    assert_eq!(info_field(&t, "run_id").unwrap().len(), 40);
    assert_eq!(info_field(&t, "server_time_usec").unwrap(), (START_MS * 1000).to_string());
    h.advance_ms(90_000);
    let t = info(&mut h, "server");
    assert_eq!(info_field(&t, "uptime_in_seconds").unwrap(), "90");
}

#[test]
fn info_server_uses_the_host_facts() {
    let mut h = Harness::new();
    let host =
        HostInfo { process_id: 4242, tcp_port: 7000, executable: "/usr/bin/ferrokey".into(), ..HostInfo::default() };
    struct Host;
    impl ServerHost for Host {
        fn memory(&self) -> MemoryReadings {
            MemoryReadings { allocated: Some(1_000_000), rss: 2_000_000, ..MemoryReadings::default() }
        }
    }
    server::set_host(&mut h.eng, host, Box::new(Host));
    let t = text(h.run(&["INFO", "server", "memory"]));
    assert_eq!(info_field(&t, "process_id").unwrap(), "4242");
    assert_eq!(info_field(&t, "tcp_port").unwrap(), "7000");
    assert_eq!(info_field(&t, "executable").unwrap(), "/usr/bin/ferrokey");
    assert_eq!(info_field(&t, "used_memory").unwrap(), "1000000");
    assert_eq!(info_field(&t, "used_memory_rss").unwrap(), "2000000");
    assert_eq!(info_field(&t, "mem_fragmentation_ratio").unwrap(), "2.00");
}

#[test]
fn info_keyspace_lists_databases_with_keys() {
    let mut h = Harness::new();
    assert_eq!(info(&mut h, "keyspace"), "# Keyspace\r\n");
    h.run(&["SET", "a", "1"]);
    h.run(&["SET", "b", "1", "EX", "100"]);
    h.run(&["SELECT", "3"]);
    h.run(&["SET", "c", "1"]);
    let t = info(&mut h, "keyspace");
    assert_eq!(info_field(&t, "db0").unwrap(), "keys=2,expires=1,avg_ttl=0");
    assert_eq!(info_field(&t, "db3").unwrap(), "keys=1,expires=0,avg_ttl=0");
}

#[test]
fn info_commandstats_counts_calls_failures_and_rejections() {
    let mut h = Harness::new();
    h.run(&["SET", "foo", "1"]);
    h.run(&["SET", "k"]);
    h.run(&["LPUSH", "foo", "x"]);
    let t = info(&mut h, "commandstats");
    let set = info_field(&t, "cmdstat_set").unwrap();
    assert!(set.starts_with("calls=1,usec="), "{set}");
    assert!(set.ends_with(",rejected_calls=1,failed_calls=0"), "{set}");
    assert!(info_field(&t, "cmdstat_lpush").unwrap().ends_with("rejected_calls=0,failed_calls=1"));
    let e = info(&mut h, "errorstats");
    assert_eq!(info_field(&e, "errorstat_ERR").unwrap(), "count=1");
    assert_eq!(info_field(&e, "errorstat_WRONGTYPE").unwrap(), "count=1");
    assert_eq!(info_field(&info(&mut h, "stats"), "total_error_replies").unwrap(), "2");
}

#[test]
fn info_clients_counts_pubsub_watching_and_blocked_clients() {
    let mut h = Harness::new();
    let other = h.connect();
    h.send_as(other, &["SUBSCRIBE", "ch"]);
    h.run(&["WATCH", "k"]);
    let third = h.connect();
    h.send_as(third, &["BLPOP", "list", "0"]);
    let t = info(&mut h, "clients");
    assert_eq!(info_field(&t, "connected_clients").unwrap(), "3");
    assert_eq!(info_field(&t, "pubsub_clients").unwrap(), "1");
    assert_eq!(info_field(&t, "watching_clients").unwrap(), "1");
    assert_eq!(info_field(&t, "total_watched_keys").unwrap(), "1");
    assert_eq!(info_field(&t, "blocked_clients").unwrap(), "1");
    assert_eq!(info_field(&t, "total_blocking_keys").unwrap(), "1");
    assert_eq!(info_field(&t, "maxclients").unwrap(), "10000");
}

#[test]
fn info_memory_grows_with_the_dataset() {
    let mut h = Harness::new();
    let before: u64 = info_field(&info(&mut h, "memory"), "used_memory").unwrap().parse().unwrap();
    for i in 0..100 {
        h.run(&["SET", &format!("key{i}"), &"x".repeat(100)]);
    }
    let t = info(&mut h, "memory");
    let after: u64 = info_field(&t, "used_memory").unwrap().parse().unwrap();
    assert!(after > before + 100 * 100, "{before} -> {after}");
    assert!(info_field(&t, "used_memory_peak").unwrap().parse::<u64>().unwrap() >= after);
    assert_eq!(info_field(&t, "maxmemory_policy").unwrap(), "noeviction");
    assert!(info_field(&t, "used_memory_human").unwrap().ends_with('K'));
}

#[test]
fn info_latencystats_show_percentiles_until_resetstat() {
    let mut h = Harness::new();
    h.run(&["SET", "a", "b"]);
    let line = info_field(&info(&mut h, "latencystats"), "latency_percentiles_usec_set").unwrap();
    assert!(line.starts_with("p50=") && line.contains(",p99=") && line.contains(",p99.9="), "{line}");
    h.run(&["CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 100.0"]);
    let line = info_field(&info(&mut h, "latencystats"), "latency_percentiles_usec_set").unwrap();
    assert!(line.starts_with("p0=") && line.contains(",p50=") && line.contains(",p100="), "{line}");
    h.run(&["CONFIG", "RESETSTAT"]);
    assert!(info_field(&info(&mut h, "latencystats"), "latency_percentiles_usec_set").is_none());
    h.run(&["CONFIG", "SET", "latency-tracking", "no"]);
    h.run(&["SET", "a", "b"]);
    assert_eq!(info(&mut h, "latencystats"), "# Latencystats\r\n");
}

#[test]
fn info_is_verbatim_in_resp3_and_bulk_in_resp2() {
    let mut h = Harness::resp3();
    let reply = h.run(&["INFO", "cluster"]);
    assert_eq!(wire(&reply, Protocol::Resp3), "=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
    assert_eq!(wire(&reply, Protocol::Resp2), "$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

// -- CONFIG ----------------------------------------------------------------------------------------

#[test]
fn config_get_returns_a_map_of_matches() {
    let mut h = Harness::resp3();
    let reply = h.run(&["CONFIG", "GET", "maxmemory", "nosuch"]);
    assert_eq!(reply, Reply::Map(vec![(bulk("maxmemory"), bulk("0"))]));
    let mut h = Harness::new();
    let reply = h.run(&["CONFIG", "GET", "hz"]);
    assert_eq!(wire(&reply, Protocol::Resp2), "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    assert_eq!(h.run(&["CONFIG", "GET"]), err("ERR wrong number of arguments for 'config|get' command"));
}

#[test]
fn config_set_takes_effect_at_once() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CONFIG", "SET", "hz", "100", "maxclients", "50"]), ok());
    assert_eq!(h.eng.config.hz, 100);
    assert_eq!(info_field(&info(&mut h, "clients"), "maxclients").unwrap(), "50");
    assert_eq!(h.run(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]), ok());
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "__keyevent@0__:set"]);
    h.output(sub);
    h.run(&["SET", "k", "v"]);
    assert_eq!(h.output(sub).len(), 1);
}

#[test]
fn config_set_errors_match_valkey() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CONFIG", "SET", "maxmemory", "1", "hz"]), err("ERR syntax error"));
    assert_eq!(
        h.run(&["CONFIG", "SET", "nosuch", "1"]),
        err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    );
    assert_eq!(
        h.run(&["CONFIG", "SET", "maxmemory", "1", "maxmemory", "2"]),
        err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter")
    );
    assert_eq!(
        h.run(&["CONFIG", "SET", "daemonize", "yes"]),
        err("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")
    );
    assert_eq!(h.run(&["CONFIG", "SET", "a"]), err("ERR wrong number of arguments for 'config|set' command"));
}

#[test]
fn config_resetstat_clears_statistics() {
    let mut h = Harness::new();
    h.run(&["SET", "k"]);
    h.run(&["GET", "k"]);
    assert_eq!(h.run(&["CONFIG", "RESETSTAT"]), ok());
    let t = text(h.run(&["INFO", "commandstats", "errorstats", "stats"]));
    assert!(info_field(&t, "cmdstat_get").is_none());
    assert!(info_field(&t, "errorstat_ERR").is_none());
    // The reset itself is counted once it finishes, as in Valkey.
    assert!(info_field(&t, "cmdstat_config|resetstat").unwrap().starts_with("calls=1,"));
    assert_eq!(info_field(&t, "total_error_replies").unwrap(), "0");
    assert_eq!(info_field(&t, "keyspace_misses").unwrap(), "0");
}

#[test]
fn config_rewrite_without_a_config_file_fails() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CONFIG", "REWRITE"]), err("ERR The server is running without a config file"));
    let help = statuses(h.run(&["CONFIG", "HELP"]));
    assert_eq!(help[0], "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    assert_eq!(help[1], "GET <pattern>");
}

// -- DEBUG -----------------------------------------------------------------------------------------

#[test]
fn debug_is_refused_unless_enabled() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(&["DEBUG", "HELP"]),
        err("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it \
             from a local connection, otherwise you need to set this option in the configuration file, and then \
             restart the server.")
    );
    let mut h = Harness::with_config(Config { enable_debug_command: ProtectedAction::Local, ..Config::default() });
    assert!(matches!(h.run(&["DEBUG", "HELP"]), Reply::Array(_)));
}

#[test]
fn debug_object_describes_the_value() {
    let mut h = with_debug();
    assert_eq!(h.run(&["DEBUG", "OBJECT", "foo"]), err("ERR no such key"));
    h.run(&["SET", "foo", "bar"]);
    let Reply::Status(line) = h.run(&["DEBUG", "OBJECT", "foo"]) else { panic!() };
    assert!(line.starts_with("Value at:0x"), "{line}");
    assert!(line.contains(" refcount:1 encoding:embstr serializedlength:4 lru:"), "{line}");
    assert!(line.contains(" lru_seconds_idle:0"), "{line}");
    h.run(&["SET", "n", "20000"]);
    h.run(&["INCR", "n"]);
    let addr = |h: &mut Harness| match h.run(&["DEBUG", "OBJECT", "n"]) {
        Reply::Status(l) => l.split_whitespace().nth(1).unwrap().to_string(),
        other => panic!("{other:?}"),
    };
    let old = addr(&mut h);
    h.run(&["INCR", "n"]);
    assert_eq!(addr(&mut h), old);
    h.run(&["SET", "small", "5"]);
    let Reply::Status(line) = h.run(&["DEBUG", "OBJECT", "small", "fast"]) else { panic!() };
    assert!(line.contains("refcount:2147483647 encoding:int lru:"), "{line}");
}

#[test]
fn debug_sleep_is_charged_to_the_command_and_asked_of_the_host() {
    let mut h = with_debug();
    h.run(&["CONFIG", "SET", "slowlog-log-slower-than", "100000"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["SLOWLOG", "LEN"]), int(0));
    assert_eq!(h.run(&["DEBUG", "SLEEP", "0.2"]), ok());
    assert_eq!(server::take_host_sleep_us(&mut h.eng), 200_000);
    assert_eq!(server::take_host_sleep_us(&mut h.eng), 0);
    let entry = items(items(h.run(&["SLOWLOG", "GET"])).remove(0));
    assert_eq!(entry[2], int(200_000));
    assert_eq!(entry[3], bulks(&["DEBUG", "SLEEP", "0.2"]));
    let t = info(&mut h, "commandstats");
    assert!(info_field(&t, "cmdstat_debug").unwrap().starts_with("calls=1,usec=200000,"));
    assert_eq!(h.run(&["DEBUG", "SLEEP", "0"]), ok());
}

#[test]
fn debug_set_active_expire_switches_the_expire_cycle() {
    let mut h = with_debug();
    assert_eq!(h.run(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), ok());
    assert!(!h.eng.active_expire_enabled);
    h.run(&["SET", "k", "v", "PX", "10"]);
    h.advance_ms(1000);
    assert_eq!(h.run(&["DBSIZE"]), int(1));
    assert_eq!(h.run(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]), ok());
    h.advance_ms(100);
    assert_eq!(h.run(&["DBSIZE"]), int(0));
}

#[test]
fn debug_digest_fingerprints_the_dataset() {
    let mut h = with_debug();
    let zeros = "0000000000000000000000000000000000000000";
    assert_eq!(h.run(&["DEBUG", "DIGEST"]), Reply::Status(zeros.into()));
    h.run(&["SADD", "s", "a", "b", "c"]);
    h.run(&["HSET", "h", "f", "v", "g", "w"]);
    h.run(&["ZADD", "z", "1", "x", "2", "y"]);
    h.run(&["RPUSH", "l", "1", "2"]);
    h.run(&["SET", "k", "v"]);
    let d1 = h.run(&["DEBUG", "DIGEST"]);
    assert_ne!(d1, Reply::Status(zeros.into()));
    // The same data reached another way (another encoding, another insertion order) digests the same.
    let mut g = with_debug();
    for i in 0..200 {
        g.run(&["SADD", "s", &format!("m{i}")]);
    }
    for i in 0..200 {
        g.run(&["SREM", "s", &format!("m{i}")]);
    }
    g.run(&["SADD", "s", "c", "b", "a"]);
    g.run(&["HSET", "h", "g", "w", "f", "v"]);
    g.run(&["ZADD", "z", "2", "y", "1", "x"]);
    g.run(&["RPUSH", "l", "1", "2"]);
    g.run(&["SET", "k", "v"]);
    assert_eq!(g.run(&["DEBUG", "DIGEST"]), d1);
    h.run(&["RPUSH", "l", "3"]);
    assert_ne!(h.run(&["DEBUG", "DIGEST"]), d1);
    let values = items(h.run(&["DEBUG", "DIGEST-VALUE", "k", "nokey"]));
    assert_eq!(values[1], Reply::Status(zeros.into()));
    assert_eq!(values[0], items(g.run(&["DEBUG", "DIGEST-VALUE", "k"])).remove(0));
    h.run(&["EXPIRE", "k", "100"]);
    assert_ne!(items(h.run(&["DEBUG", "DIGEST-VALUE", "k"])).remove(0), values[0]);
}

#[test]
#[allow(clippy::approx_constant)] // 3.141 is the value Valkey sends, not PI
fn debug_protocol_replies_every_type() {
    let mut h = Harness::with_config(Config { enable_debug_command: ProtectedAction::Yes, ..Config::default() });
    h.set_proto(h.client, Protocol::Resp3);
    assert_eq!(
        h.run(&["DEBUG", "PROTOCOL", "bignum"]),
        Reply::BigNumber("1234567999999999999999999999999999999".into())
    );
    assert_eq!(h.run(&["DEBUG", "PROTOCOL", "true"]), Reply::Bool(true));
    assert_eq!(h.run(&["DEBUG", "PROTOCOL", "double"]), Reply::Double(3.141));
    assert_eq!(
        h.run(&["DEBUG", "PROTOCOL", "verbatim"]),
        Reply::Verbatim("txt", b"This is a verbatim\nstring".to_vec())
    );
    assert_eq!(h.run(&["DEBUG", "PROTOCOL", "attrib"]), bulk("Some real reply following the attribute"));
    h.send_as(h.client, &["DEBUG", "PROTOCOL", "push"]);
    let out = h.output(h.client);
    assert_eq!(out[0], Reply::Push(vec![bulk("server-cpu-usage"), int(42)]));
    assert_eq!(out[1], bulk("Some real reply following the push reply"));
    h.set_proto(h.client, Protocol::Resp2);
    assert_eq!(h.run(&["DEBUG", "PROTOCOL", "push"]), err("ERR RESP2 is not supported by this command"));
    assert!(
        matches!(h.run(&["DEBUG", "PROTOCOL", "nope"]), Reply::Error(e) if e.starts_with("ERR Wrong protocol type name."))
    );
}

#[test]
fn debug_populate_creates_missing_string_keys() {
    let mut h = with_debug();
    h.run(&["SET", "key:1", "mine"]);
    assert_eq!(h.run(&["DEBUG", "POPULATE", "3"]), ok());
    assert_eq!(h.run(&["DBSIZE"]), int(3));
    assert_eq!(h.run(&["GET", "key:0"]), bulk("value:0"));
    assert_eq!(h.run(&["GET", "key:1"]), bulk("mine"));
    assert_eq!(h.run(&["DEBUG", "POPULATE", "1", "p", "10"]), ok());
    assert_eq!(h.run(&["STRLEN", "p:0"]), int(10));
    assert_eq!(h.run(&["DEBUG", "POPULATE", "-1"]), err("ERR value is out of range, must be positive"));
    assert_eq!(h.run(&["DEBUG", "POPULATE", "x"]), err("ERR value is out of range, must be positive"));
}

#[test]
fn debug_misc_subcommands_and_errors() {
    let mut h = with_debug();
    assert_eq!(h.run(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"]), ok());
    assert_eq!(h.run(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"]), ok());
    assert_eq!(
        h.run(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"]),
        err("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
    );
    h.run(&["SET", "k", "v"]);
    assert_eq!(h.run(&["DEBUG", "RELOAD"]), ok());
    assert_eq!(h.run(&["GET", "k"]), bulk("v"));
    assert_eq!(info_field(&info(&mut h, "persistence"), "rdb_changes_since_last_save").unwrap(), "0");
    assert_eq!(
        h.run(&["DEBUG", "RELOAD", "foo"]),
        err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    );
    assert_eq!(h.run(&["DEBUG", "LISTPACK", "k"]), err("ERR Not a listpack encoded object."));
    assert_eq!(h.run(&["DEBUG", "LISTPACK", "nokey"]), err("ERR no such key"));
    assert_eq!(h.run(&["DEBUG", "ERROR", "CUSTOM my\nerror"]), err("CUSTOM my error"));
    assert_eq!(h.run(&["DEBUG", "CHANGE-REPL-ID"]), ok());
    assert_eq!(
        h.run(&["DEBUG", "JMAP"]),
        err("ERR unknown subcommand or wrong number of arguments for 'JMAP'. Try DEBUG HELP.")
    );
    assert_eq!(h.run(&["DEBUG", "HTSTATS", "99"]), err("ERR Out of range database"));
    assert_eq!(h.run(&["DEBUG", "HTSTATS", "x"]), err("ERR value is not an integer or out of range"));
    let stats = text(h.run(&["DEBUG", "HTSTATS", "0"]));
    assert!(stats.starts_with(
        "[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: 4\n number of elements: 1\n"
    ));
    assert!(stats
        .ends_with("[Expires HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"));
    assert_eq!(
        h.run(&["DEBUG", "HTSTATS-KEY", "k"]),
        err("ERR The value stored at the specified key is not represented using an hash table")
    );
    let help = statuses(h.run(&["DEBUG", "HELP"]));
    assert_eq!(help[0], "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
}

// -- SLOWLOG ---------------------------------------------------------------------------------------

#[test]
fn slowlog_logs_commands_at_or_over_the_threshold() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SLOWLOG", "LEN"]), int(0));
    h.run(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    h.run(&["CONFIG", "SET", "slowlog-max-len", "10"]);
    for _ in 0..100 {
        h.run(&["PING"]);
    }
    assert_eq!(h.run(&["SLOWLOG", "LEN"]), int(10));
    assert_eq!(items(h.run(&["SLOWLOG", "GET", "5"])).len(), 5);
    assert_eq!(items(h.run(&["SLOWLOG", "GET", "-1"])).len(), 10);
    assert_eq!(items(h.run(&["SLOWLOG", "GET", "20"])).len(), 10);
    assert_eq!(items(h.run(&["SLOWLOG", "GET", "0"])).len(), 0);
    h.run(&["CONFIG", "SET", "slowlog-max-len", "0"]);
    assert_eq!(h.run(&["SLOWLOG", "RESET"]), ok());
    h.run(&["PING"]);
    assert_eq!(h.run(&["SLOWLOG", "LEN"]), int(0));
    h.run(&["CONFIG", "SET", "slowlog-max-len", "10"]);
    h.run(&["CONFIG", "SET", "slowlog-log-slower-than", "-1"]);
    h.run(&["SLOWLOG", "RESET"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["SLOWLOG", "LEN"]), int(0));
}

#[test]
fn slowlog_entry_has_six_fields() {
    let mut h = Harness::new();
    h.run(&["CLIENT", "SETNAME", "foobar"]);
    h.run(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    h.run(&["LPUSH", "k", "v"]);
    let entries = items(h.run(&["SLOWLOG", "GET"]));
    let e = items(entries[0].clone());
    assert_eq!(e.len(), 6);
    assert_eq!(e[1], int(START_MS / 1000));
    assert_eq!(e[3], bulks(&["LPUSH", "k", "v"]));
    assert_eq!(e[4], bulk("127.0.0.1:50000"));
    assert_eq!(e[5], bulk("foobar"));
    let newer = items(entries[0].clone())[0].clone();
    let older = items(entries[1].clone())[0].clone();
    assert!(matches!((newer, older), (Reply::Int(a), Reply::Int(b)) if a == b + 1));
}

#[test]
fn slowlog_trims_and_redacts_arguments() {
    let mut h = Harness::new();
    h.run(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    h.run(&["SLOWLOG", "RESET"]);
    let mut argv = vec!["sadd".to_string(), "set".into()];
    argv.extend((3..=33).map(|i| i.to_string()));
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    h.run(&argv);
    let e = items(items(h.run(&["SLOWLOG", "GET", "1"])).remove(0));
    let args = items(e[3].clone());
    assert_eq!(args.len(), 32);
    assert_eq!(args[31], bulk("... (2 more arguments)"));
    let long = "A".repeat(129);
    h.run(&["SADD", "set", "foo", &long]);
    let e = items(items(h.run(&["SLOWLOG", "GET", "1"])).remove(0));
    assert_eq!(items(e[3].clone())[3], bulk(&format!("{}... (1 more bytes)", "A".repeat(128))));
    h.run(&["CONFIG", "SET", "requirepass", ""]);
    h.run(&["CONFIG", "SET", "primaryauth", ""]);
    let e = items(items(h.run(&["SLOWLOG", "GET", "2"])).remove(1));
    assert_eq!(e[3], bulks(&["CONFIG", "SET", "requirepass", "(redacted)"]));
}

#[test]
fn slowlog_logs_commands_inside_exec_but_not_exec() {
    let mut h = Harness::new();
    h.run(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    h.run(&["SLOWLOG", "RESET"]);
    h.run(&["MULTI"]);
    h.run(&["SET", "a", "1"]);
    h.run(&["EXEC"]);
    let names: Vec<Reply> =
        items(h.run(&["SLOWLOG", "GET", "-1"])).into_iter().map(|e| items(items(e)[3].clone())[0].clone()).collect();
    assert_eq!(names, vec![bulk("SET"), bulk("MULTI"), bulk("SLOWLOG")]);
}

#[test]
fn slowlog_get_count_must_be_at_least_minus_one() {
    let mut h = Harness::new();
    for n in ["-2", "-222", "x"] {
        assert_eq!(h.run(&["SLOWLOG", "GET", n]), err("ERR count should be greater than or equal to -1"));
    }
    assert_eq!(
        h.run(&["SLOWLOG", "GET", "1", "2"]),
        err("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.")
    );
    assert_eq!(statuses(h.run(&["SLOWLOG", "HELP"]))[1], "GET [<count>]");
}

// -- MONITOR ---------------------------------------------------------------------------------------

fn monitor_lines(h: &mut Harness, id: u64) -> Vec<String> {
    h.output(id)
        .into_iter()
        .map(|r| match r {
            Reply::Status(s) => s.to_string(),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn monitor_feeds_every_command_as_a_status_line() {
    let mut h = Harness::new();
    let mon = h.connect();
    assert_eq!(h.run_as(mon, &["MONITOR"]), ok());
    h.run(&["LPUSH", "foo", "b\"a\nr"]);
    h.run(&["GET", "foo"]);
    assert_eq!(
        monitor_lines(&mut h, mon),
        [
            "1767225600.000000 [0 127.0.0.1:50000] \"LPUSH\" \"foo\" \"b\\\"a\\nr\"",
            "1767225600.000000 [0 127.0.0.1:50000] \"GET\" \"foo\"",
        ]
    );
    assert!(h.eng.take_woken().contains(&mon));
}

/// Handlers move stored values out of their arguments (`Args::next_owned`), so the engine must hand
/// `after_call` a copy of the arguments when `server::wants_original_argv` says so.
#[test]
#[ignore = "needs the engine to pass the original argv to after_call"]
fn monitor_and_slowlog_show_arguments_the_handler_moved() {
    let mut h = Harness::new();
    let mon = h.connect();
    h.run_as(mon, &["MONITOR"]);
    h.run(&["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    h.run(&["SET", "foo", "bar"]);
    assert!(monitor_lines(&mut h, mon)[0].ends_with("\"SET\" \"foo\" \"bar\""));
    let e = items(items(h.run(&["SLOWLOG", "GET", "1"])).remove(0));
    assert_eq!(e[3], bulks(&["SET", "foo", "bar"]));
}

#[test]
fn monitor_skips_admin_commands_and_redacts_secrets() {
    let mut h = Harness::new();
    let mon = h.connect();
    h.run_as(mon, &["MONITOR"]);
    h.run(&["CONFIG", "GET", "hz"]);
    h.run(&["AUTH", "not-real"]);
    h.run(&["AUTH", "not-real", "not-a-password"]);
    let lines = monitor_lines(&mut h, mon);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with("\"AUTH\" \"(redacted)\""));
    assert!(lines[1].ends_with("\"AUTH\" \"(redacted)\" \"(redacted)\""));
}

#[test]
fn monitor_shows_multi_exec_in_order() {
    let mut h = Harness::new();
    let mon = h.connect();
    h.run_as(mon, &["MONITOR"]);
    h.run(&["MULTI"]);
    h.run(&["SET", "foo", "bar"]);
    h.run(&["EXEC"]);
    h.run(&["MULTI"]);
    h.run(&["SYNTAX", "error"]);
    h.run(&["EXEC"]);
    let lines = monitor_lines(&mut h, mon);
    let cmds: Vec<&str> = lines.iter().map(|l| l.split('"').nth(1).unwrap()).collect();
    assert_eq!(cmds, ["MULTI", "SET", "EXEC", "MULTI", "EXEC"]);
}

#[test]
fn monitor_in_a_transaction_is_refused() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    h.run(&["MONITOR"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![err("ERR MONITOR isn't allowed for DENY BLOCKING client")]));
}

// -- LATENCY ---------------------------------------------------------------------------------------

#[test]
fn latency_monitor_records_slow_commands() {
    let mut h = with_debug();
    assert_eq!(h.run(&["LATENCY", "LATEST"]), array(vec![]));
    h.run(&["CONFIG", "SET", "latency-monitor-threshold", "200"]);
    h.run(&["DEBUG", "SLEEP", "0.3"]);
    h.advance_ms(1100);
    h.run(&["DEBUG", "SLEEP", "0.5"]);
    let history = items(h.run(&["LATENCY", "HISTORY", "command"]));
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], array(vec![int(START_MS / 1000), int(300)]));
    assert_eq!(history[1], array(vec![int(START_MS / 1000 + 1), int(500)]));
    let latest = items(items(h.run(&["LATENCY", "LATEST"])).remove(0));
    assert_eq!(latest, vec![bulk("command"), int(START_MS / 1000 + 1), int(500), int(500)]);
    let graph = text(h.run(&["LATENCY", "GRAPH", "command"]));
    assert!(graph.starts_with("command - high 500 ms, low 300 ms (all time high 500 ms)\n"), "{graph}");
    assert!(text(h.run(&["LATENCY", "DOCTOR"])).contains("command: 2 latency spikes"));
    assert_eq!(h.run(&["LATENCY", "HISTORY", "blabla"]), array(vec![]));
    assert_eq!(h.run(&["LATENCY", "RESET", "blabla"]), int(0));
    assert_eq!(h.run(&["LATENCY", "GRAPH", "blabla"]), err("ERR No samples available for event 'blabla'"));
    assert_eq!(h.run(&["LATENCY", "RESET"]), int(1));
    assert_eq!(h.run(&["LATENCY", "LATEST"]), array(vec![]));
    assert_eq!(h.run(&["LATENCY", "HELP", "xxx"]), err("ERR wrong number of arguments for 'latency|help' command"));
}

#[test]
fn latency_histogram_reports_calls_per_command() {
    let mut h = Harness::new();
    h.run(&["CONFIG", "RESETSTAT"]);
    h.run(&["SET", "a", "b"]);
    h.run(&["SET", "c", "d"]);
    h.run(&["CLIENT", "ID"]);
    let all = h.run(&["LATENCY", "HISTOGRAM"]);
    let Reply::Map(pairs) = &all else { panic!() };
    let names: Vec<&Reply> = pairs.iter().map(|(k, _)| k).collect();
    assert!(names.contains(&&bulk("config|resetstat")) && names.contains(&&bulk("set")));
    let set = map_get(&all, "set");
    assert_eq!(map_get(&set, "calls"), int(2));
    assert_eq!(map_get(&set, "histogram_usec"), Reply::Map(vec![(int(1), int(2))]));
    let client = h.run(&["LATENCY", "HISTOGRAM", "client", "blabla"]);
    let Reply::Map(pairs) = &client else { panic!() };
    assert_eq!(pairs.len(), 1);
    assert_eq!(map_get(&map_get(&client, "client|id"), "calls"), int(1));
}

// -- MEMORY ----------------------------------------------------------------------------------------

#[test]
fn memory_usage_estimates_a_key() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["MEMORY", "USAGE", "nokey"]), null());
    h.run(&["SET", "foo", "bar"]);
    let Reply::Int(small) = h.run(&["MEMORY", "USAGE", "foo"]) else { panic!() };
    assert!(small > 3 && small < 200, "{small}");
    h.run(&["SET", "big", &"x".repeat(10_000)]);
    let Reply::Int(big) = h.run(&["MEMORY", "USAGE", "big", "SAMPLES", "0"]) else { panic!() };
    assert!(big > 10_000 && big < 11_000, "{big}");
    assert_eq!(h.run(&["MEMORY", "USAGE", "foo", "SAMPLES", "-1"]), err("ERR syntax error"));
    assert_eq!(h.run(&["MEMORY", "USAGE", "foo", "SAMPLES"]), err("ERR syntax error"));
    assert_eq!(h.run(&["MEMORY", "USAGE", "foo", "SAMPLES", "x"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn memory_stats_reports_overheads_and_rehashing() {
    let mut h = Harness::resp3();
    h.run(&["FLUSHALL"]);
    let stats = h.run(&["MEMORY", "STATS"]);
    assert_eq!(map_get(&stats, "overhead.db.hashtable.lut"), int(0));
    assert_eq!(map_get(&stats, "db.dict.rehashing.count"), int(0));
    h.run(&["SET", "a", "b"]);
    let stats = h.run(&["MEMORY", "STATS"]);
    let Reply::Int(lut) = map_get(&stats, "overhead.db.hashtable.lut") else { panic!() };
    assert!((1..=64).contains(&lut));
    assert_eq!(map_get(&stats, "keys.count"), int(1));
    assert!(matches!(map_get(&stats, "db.0"), Reply::Map(_)));
    assert!(matches!(map_get(&stats, "dataset.percentage"), Reply::Double(_)));
    assert!(text(h.run(&["MEMORY", "DOCTOR"])).starts_with("Hi Sam"));
    assert_eq!(h.run(&["MEMORY", "PURGE"]), ok());
    assert_eq!(statuses(h.run(&["MEMORY", "HELP"]))[1], "DOCTOR");
}

// -- TIME LASTSAVE WAIT LOLWUT SHUTDOWN ----------------------------------------------------------------

#[test]
fn time_replies_seconds_and_microseconds() {
    let mut h = Harness::new();
    h.advance_ms(1234);
    assert_eq!(h.run(&["TIME"]), bulks(&[&((START_MS + 1234) / 1000).to_string(), "234000"]));
}

#[test]
fn lastsave_is_the_start_time_until_a_save() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["LASTSAVE"]), int(START_MS / 1000));
}

#[test]
fn wait_without_replicas_answers_zero_at_once() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["WAIT", "0", "0"]), int(0));
    assert_eq!(h.run(&["WAIT", "1", "100"]), int(0));
    assert_eq!(h.run(&["WAIT", "x", "0"]), err("ERR value is not an integer or out of range"));
    assert_eq!(h.run(&["WAIT", "2", "-1"]), err("ERR timeout is negative"));
    assert_eq!(h.run(&["WAIT", "2", "9223372036854775808"]), err("ERR timeout is not an integer or out of range"));
    assert_eq!(h.run(&["WAIT", "2", "9223372036854775807"]), err("ERR timeout is out of range"));
}

#[test]
fn lolwut_shows_the_version() {
    let mut h = Harness::new();
    assert_eq!(text(h.run(&["LOLWUT"])), format!("ferrokey ver. {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(h.run(&["LOLWUT", "VERSION", "x"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn shutdown_asks_the_host_to_exit() {
    let mut h = Harness::new();
    assert_eq!(server::take_shutdown(&mut h.eng), None);
    assert_eq!(h.run(&["SHUTDOWN", "NOSAVE", "NOW"]), ok());
    assert_eq!(server::take_shutdown(&mut h.eng), Some(ShutdownRequest { save: Some(false), now: true, force: false }));
    assert_eq!(h.run(&["SHUTDOWN", "SAVE", "NOSAVE"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SHUTDOWN", "ABORT", "NOW"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SHUTDOWN", "bogus"]), err("ERR syntax error"));
    assert_eq!(h.run(&["SHUTDOWN", "ABORT"]), err("ERR No shutdown in progress."));
    assert_eq!(server::take_shutdown(&mut h.eng), None);
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["SHUTDOWN"]), err("ERR Command not allowed inside a transaction"));
}

// -- after every call ------------------------------------------------------------------------------

#[test]
fn every_call_counts_for_the_client_and_the_server() {
    let mut h = Harness::new();
    h.run(&["PING"]);
    h.run(&["MULTI"]);
    h.run(&["SET", "a", "1"]);
    h.run(&["EXEC"]);
    let t = info(&mut h, "stats");
    // PING, MULTI, SET, EXEC (the INFO itself counts after its reply is made).
    assert_eq!(info_field(&t, "total_commands_processed").unwrap(), "4");
    assert_eq!(h.eng.client(h.client).unwrap().commands_processed, 5);
}
