//! ACL users, AUTH/HELLO, requirepass and permission checks, against Valkey 8.0.1's replies.
mod common;
use common::*;
use ferrokey_core::config::Config;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

fn text(r: &Reply) -> String {
    match r {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) | Reply::Error(s) => s.to_string(),
        Reply::Verbatim(_, b) => String::from_utf8_lossy(b).into_owned(),
        other => panic!("not text: {other:?}"),
    }
}

fn with_requirepass(pw: &str) -> Harness {
    Harness::with_config(Config { requirepass: Some(pw.as_bytes().to_vec()), ..Config::default() })
}

/// A second client authenticated as `user`/`pass`.
fn login(h: &mut Harness, user: &str, pass: &str) -> u64 {
    let id = h.connect();
    assert_eq!(h.run_as(id, &["AUTH", user, pass]), ok());
    id
}

#[test]
fn requirepass_new_connection_needs_auth_then_works() {
    let mut h = with_requirepass("pw");
    assert_eq!(h.run(&["PING"]), err("NOAUTH Authentication required."));
    assert_eq!(h.run(&["AUTH", "nope"]), err("WRONGPASS invalid username-password pair or user is disabled."));
    assert_eq!(h.run(&["AUTH", "pw"]), ok());
    assert_eq!(h.run(&["PING"]), status("PONG"));
    assert_eq!(h.run(&["ACL", "WHOAMI"]), bulk("default"));
}

#[test]
fn auth_one_arg_without_requirepass_errors() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(&["AUTH", "x"]),
        err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
    );
    // The two-argument form accepts anything for a nopass default user.
    assert_eq!(h.run(&["AUTH", "default", "anything"]), ok());
}

#[test]
fn config_set_requirepass_updates_default_user() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CONFIG", "SET", "requirepass", "s3cret"]), ok());
    let other = h.connect();
    assert_eq!(h.run_as(other, &["GET", "k"]), err("NOAUTH Authentication required."));
    assert_eq!(h.run_as(other, &["AUTH", "s3cret"]), ok());
    assert_eq!(h.run_as(other, &["GET", "k"]), null());
    // Back to no password: unauthenticated connections may run commands again.
    assert_eq!(h.run(&["CONFIG", "SET", "requirepass", ""]), ok());
    let third = h.connect();
    assert_eq!(h.run_as(third, &["PING"]), status("PONG"));
}

#[test]
fn hello_auth_authenticates_and_switches_protocol() {
    let mut h = with_requirepass("pw");
    assert_eq!(
        h.run(&["HELLO", "3"]).error_text().map(|s| s.split(' ').next().unwrap().to_string()),
        Some("NOAUTH".into())
    );
    assert_eq!(
        h.run(&["HELLO", "3", "AUTH", "default", "bad"]),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    let r = h.run(&["HELLO", "3", "AUTH", "default", "pw"]);
    assert!(matches!(r, Reply::Map(_)), "{r:?}");
    assert_eq!(h.eng.client(h.client).unwrap().proto, Protocol::Resp3);
}

#[test]
fn setuser_new_user_is_off_without_permissions() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["ACL", "SETUSER", "newuser"]), ok());
    assert_eq!(
        h.run(&["ACL", "LIST"]),
        bulks(&[
            "user default on nopass sanitize-payload ~* &* +@all",
            "user newuser off sanitize-payload resetchannels -@all"
        ])
    );
    assert_eq!(h.run(&["ACL", "USERS"]), bulks(&["default", "newuser"]));
}

#[test]
fn auth_as_disabled_user_fails() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", ">p"]);
    let id = h.connect();
    assert_eq!(h.run_as(id, &["AUTH", "u", "p"]), err("WRONGPASS invalid username-password pair or user is disabled."));
    h.run(&["ACL", "SETUSER", "u", "on"]);
    assert_eq!(h.run_as(id, &["AUTH", "u", "p"]), ok());
    assert_eq!(
        h.run_as(id, &["ACL", "WHOAMI"]),
        err("NOPERM User u has no permissions to run the 'acl|whoami' command")
    );
}

#[test]
fn command_permissions_category_and_single_commands() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", ">p", "~*", "+@read", "-get", "+set"]);
    let id = login(&mut h, "u", "p");
    assert_eq!(h.run_as(id, &["SET", "k", "v"]), ok());
    assert_eq!(h.run_as(id, &["STRLEN", "k"]), int(1));
    assert_eq!(h.run_as(id, &["GET", "k"]), err("NOPERM User u has no permissions to run the 'get' command"));
    assert_eq!(h.run_as(id, &["DEL", "k"]), err("NOPERM User u has no permissions to run the 'del' command"));
    let Reply::Map(fields) = h.run(&["ACL", "GETUSER", "u"]) else { panic!() };
    assert_eq!(fields[2], (bulk("commands"), bulk("-@all +@read -get +set")));
}

#[test]
fn subcommand_and_first_arg_rules() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "-@all", "+client|id", "+select|0"]);
    let id = login(&mut h, "u", "x");
    assert!(matches!(h.run_as(id, &["CLIENT", "ID"]), Reply::Int(_)));
    assert_eq!(
        h.run_as(id, &["CLIENT", "GETNAME"]),
        err("NOPERM User u has no permissions to run the 'client|getname' command")
    );
    assert_eq!(h.run_as(id, &["SELECT", "0"]), ok());
    assert_eq!(h.run_as(id, &["SELECT", "1"]), err("NOPERM User u has no permissions to run the 'select' command"));
    assert_eq!(
        h.run(&["ACL", "SETUSER", "u", "+client|id|x"]),
        err("ERR Error in ACL SETUSER modifier '+client|id|x': Allowing first-arg of a subcommand is not supported")
    );
    assert_eq!(
        h.run(&["ACL", "SETUSER", "u", "+nosuchcmd"]),
        err("ERR Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category name in ACL")
    );
}

#[test]
fn key_patterns_read_and_write_permissions() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "%R~read*", "%W~write*", "~rw*"]);
    let id = login(&mut h, "u", "x");
    assert_eq!(h.run_as(id, &["GET", "read1"]), null());
    assert_eq!(h.run_as(id, &["SET", "read1", "v"]), err("NOPERM No permissions to access a key"));
    assert_eq!(h.run_as(id, &["LPUSH", "write1", "v"]), int(1));
    assert_eq!(h.run_as(id, &["LRANGE", "write1", "0", "-1"]), err("NOPERM No permissions to access a key"));
    assert_eq!(h.run_as(id, &["SET", "rw1", "v"]), ok());
    // COPY reads its source and writes its destination.
    assert_eq!(h.run_as(id, &["COPY", "read1", "write2"]), int(0));
    assert_eq!(
        h.run(&["ACL", "DRYRUN", "u", "GET", "other"]),
        bulk("User u has no permissions to access the 'other' key")
    );
    assert_eq!(h.run(&["ACL", "DRYRUN", "u", "GET", "read9"]), ok());
    let Reply::Map(fields) = h.run(&["ACL", "GETUSER", "u"]) else { panic!() };
    assert_eq!(fields[3], (bulk("keys"), bulk("%R~read* %W~write* ~rw*")));
}

#[test]
fn channel_patterns_publish_and_subscribe() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "~*", "resetchannels", "&news.*"]);
    let id = login(&mut h, "u", "x");
    assert_eq!(h.run_as(id, &["PUBLISH", "news.a", "m"]), int(0));
    assert_eq!(h.run_as(id, &["PUBLISH", "sport", "m"]), err("NOPERM No permissions to access a channel"));
    // PSUBSCRIBE patterns must equal an ACL pattern literally.
    assert_eq!(h.run_as(id, &["PSUBSCRIBE", "news.a*"]), err("NOPERM No permissions to access a channel"));
}

#[test]
fn acl_log_records_denials_and_groups_them() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "-@all", "+get", "~k*"]);
    let id = login(&mut h, "u", "x");
    h.run_as(id, &["SET", "x", "y"]);
    h.run_as(id, &["SET", "x", "y"]);
    h.run_as(id, &["GET", "other"]);
    h.run_as(id, &["AUTH", "u2", "bad"]);
    let Reply::Array(entries) = h.run(&["ACL", "LOG"]) else { panic!() };
    assert_eq!(entries.len(), 3);
    let field = |e: &Reply, name: &str| -> Reply {
        let Reply::Map(f) = e else { panic!() };
        f.iter().find(|(k, _)| *k == bulk(name)).unwrap().1.clone()
    };
    assert_eq!(field(&entries[0], "reason"), bulk("auth"));
    assert_eq!(field(&entries[0], "username"), bulk("u2"));
    assert_eq!(field(&entries[1], "reason"), bulk("key"));
    assert_eq!(field(&entries[1], "object"), bulk("other"));
    assert_eq!(field(&entries[2], "reason"), bulk("command"));
    assert_eq!(field(&entries[2], "object"), bulk("set"));
    assert_eq!(field(&entries[2], "count"), int(2));
    assert_eq!(field(&entries[2], "context"), bulk("toplevel"));
    assert!(text(&field(&entries[2], "client-info")).contains("user=u"));
    assert_eq!(h.run(&["ACL", "LOG", "RESET"]), ok());
    assert_eq!(h.run(&["ACL", "LOG"]), Reply::Array(vec![]));
}

#[test]
fn deluser_closes_that_users_connections() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", ">p", "+@all", "~*"]);
    let id = login(&mut h, "u", "p");
    assert_eq!(h.run(&["ACL", "DELUSER", "u", "nobody"]), int(1));
    assert!(h.eng.client(id).is_none());
    assert_eq!(h.run(&["ACL", "DELUSER", "default"]), err("ERR The 'default' user cannot be removed"));
}

#[test]
fn passwords_hash_and_removal() {
    let mut h = Harness::new();
    let hash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"; // sha256("password")
    h.run(&["ACL", "SETUSER", "u", "on"]);
    assert_eq!(
        h.run(&["ACL", "SETUSER", "u", "#abc"]),
        err("ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
    );
    assert_eq!(h.run(&["ACL", "SETUSER", "u", &format!("#{hash}")]), ok());
    let id = login(&mut h, "u", "password");
    assert!(h.run_as(id, &["ACL", "WHOAMI"]).error_text().is_some());
    assert_eq!(h.run(&["ACL", "SETUSER", "u", "<password"]), ok());
    assert_eq!(
        h.run(&["ACL", "SETUSER", "u", "<password"]),
        err("ERR Error in ACL SETUSER modifier '<password': The password you are trying to remove from the user does not exist")
    );
}

#[test]
fn selectors_allow_either_rule_set() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+get", "~a*", "(+set", "~b*)"]);
    let id = login(&mut h, "u", "x");
    assert_eq!(h.run_as(id, &["GET", "a1"]), null());
    assert_eq!(h.run_as(id, &["SET", "b1", "v"]), ok());
    assert_eq!(h.run_as(id, &["SET", "a1", "v"]), err("NOPERM No permissions to access a key"));
    assert_eq!(
        h.run(&["ACL", "LIST"]).clone(),
        bulks(&[
            "user default on nopass sanitize-payload ~* &* +@all",
            "user u on nopass sanitize-payload ~a* resetchannels -@all +get (~b* resetchannels -@all +set)"
        ])
    );
}

#[test]
fn reset_and_auth_return_to_default_user() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "~*"]);
    assert_eq!(h.run(&["AUTH", "u", "x"]), ok());
    let info = text(&h.run(&["CLIENT", "INFO"]));
    assert!(info.contains(" user=u "), "{info}");
    assert_eq!(h.run(&["RESET"]), status("RESET"));
    assert_eq!(h.run(&["ACL", "WHOAMI"]), bulk("default"));
}

#[test]
fn client_kill_user_filters_and_checks_user() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "~*"]);
    let id = login(&mut h, "u", "x");
    assert_eq!(h.run(&["CLIENT", "KILL", "USER", "nobody"]), err("ERR No such user 'nobody'"));
    assert_eq!(h.run(&["CLIENT", "KILL", "USER", "u"]), int(1));
    assert!(h.eng.client(id).is_none());
}

#[test]
fn command_info_shows_acl_categories() {
    let mut h = Harness::new();
    let Reply::Array(rows) = h.run(&["COMMAND", "INFO", "get"]) else { panic!() };
    let Reply::Array(row) = &rows[0] else { panic!() };
    assert_eq!(row[6], Reply::Set(vec![Reply::status("@read"), Reply::status("@string"), Reply::status("@fast")]));
    assert_eq!(wire(&row[6], Protocol::Resp2), "*3\r\n+@read\r\n+@string\r\n+@fast\r\n");
}

#[test]
fn acl_cat_lists_categories_and_commands() {
    let mut h = Harness::new();
    let Reply::Array(cats) = h.run(&["ACL", "CAT"]) else { panic!() };
    assert_eq!(cats.len(), 21);
    assert_eq!(cats[0], bulk("keyspace"));
    let Reply::Array(cmds) = h.run(&["ACL", "CAT", "transaction"]) else { panic!() };
    assert!(cmds.contains(&bulk("multi")) && cmds.contains(&bulk("exec")));
    assert_eq!(h.run(&["ACL", "CAT", "nope"]), err("ERR Unknown category 'nope'"));
}

#[test]
fn getuser_shape_in_both_protocols() {
    let mut h = Harness::new();
    let r = h.run(&["ACL", "GETUSER", "default"]);
    assert_eq!(
        wire(&r, Protocol::Resp2),
        "*12\r\n$5\r\nflags\r\n*3\r\n$2\r\non\r\n$6\r\nnopass\r\n$16\r\nsanitize-payload\r\n$9\r\npasswords\r\n*0\r\n\
         $8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n"
    );
    assert!(wire(&r, Protocol::Resp3).starts_with("%6\r\n$5\r\nflags\r\n~3\r\n"));
    assert_eq!(h.run(&["ACL", "GETUSER", "nobody"]), null());
}

#[test]
fn genpass_length_follows_bits() {
    let mut h = Harness::new();
    assert_eq!(text(&h.run(&["ACL", "GENPASS"])).len(), 64);
    assert_eq!(text(&h.run(&["ACL", "GENPASS", "5"])).len(), 2);
    assert_eq!(
        h.run(&["ACL", "GENPASS", "0"]),
        err(
            "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"
        )
    );
}

#[test]
fn load_text_rejects_bad_file_and_keeps_users() {
    let mut h = Harness::new();
    let err = h.eng.acl.load_text("users.acl", "user alice on >p +@all ~*\nuser bob +nosuch\n", false).unwrap_err();
    assert_eq!(
        err,
        "users.acl:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
    );
    assert!(h.eng.acl.user(b"alice").is_none());
    h.eng.acl.load_text("users.acl", "user alice on >p +@all ~*\n", false).unwrap();
    // No default line: the default user is recreated as Valkey's default.
    assert_eq!(h.run(&["ACL", "USERS"]), bulks(&["alice", "default"]));
}

#[test]
fn load_save_without_aclfile_errors() {
    let mut h = Harness::new();
    let e = h.run(&["ACL", "SAVE"]);
    assert!(e.error_text().unwrap().starts_with("ERR This instance is not configured to use an ACL file."));
}

#[test]
fn errorstats_count_noperm_noauth_wrongpass() {
    let mut h = with_requirepass("pw");
    h.run(&["PING"]);
    h.run(&["AUTH", "bad"]);
    h.run(&["AUTH", "pw"]);
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "-@all"]);
    let id = login(&mut h, "u", "x");
    h.run_as(id, &["GET", "k"]);
    let info = text(&h.run(&["INFO", "errorstats"]));
    for line in ["errorstat_NOAUTH:count=1", "errorstat_WRONGPASS:count=1", "errorstat_NOPERM:count=1"] {
        assert!(info.contains(line), "{line} missing in {info}");
    }
}

#[test]
fn multi_queues_refuse_denied_commands() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "-get", "~*"]);
    let id = login(&mut h, "u", "x");
    assert_eq!(h.run_as(id, &["MULTI"]), ok());
    assert_eq!(h.run_as(id, &["GET", "k"]), err("NOPERM User u has no permissions to run the 'get' command"));
    assert_eq!(h.run_as(id, &["EXEC"]), err("EXECABORT Transaction discarded because of previous errors."));
    let Reply::Array(entries) = h.run(&["ACL", "LOG", "1"]) else { panic!() };
    let Reply::Map(f) = &entries[0] else { panic!() };
    assert!(f.contains(&(bulk("context"), bulk("multi"))));
}

#[test]
fn info_stats_count_acl_denials() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", ">p", "-@all", "+get", "~a*", "+publish", "resetchannels"]);
    let id = login(&mut h, "u", "p");
    h.run_as(id, &["SET", "a", "b"]);
    h.run_as(id, &["GET", "b"]);
    h.run_as(id, &["PUBLISH", "c", "m"]);
    h.run_as(id, &["AUTH", "u", "wrong"]);
    let info = text(&h.run(&["INFO", "stats"]));
    for line in [
        "acl_access_denied_auth:1",
        "acl_access_denied_cmd:1",
        "acl_access_denied_key:1",
        "acl_access_denied_channel:1",
    ] {
        assert!(info.contains(line), "{line} missing");
    }
}

#[test]
fn script_acl_check_cmd_uses_the_callers_permissions() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "-set", "~*"]);
    let id = login(&mut h, "u", "x");
    let check =
        |h: &mut Harness, cmd: &str| h.run_as(id, &["EVAL", &format!("return redis.acl_check_cmd({cmd})"), "0"]);
    assert_eq!(check(&mut h, "'get','k'"), int(1));
    assert_eq!(check(&mut h, "'set','k','v'"), null());
}

#[test]
fn script_redis_call_is_refused_what_the_caller_may_not_run() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "~*", "+eval", "+get"]);
    let id = login(&mut h, "u", "x");
    let reply = h.run_as(id, &["EVAL", "return redis.call('set','k','v')", "0"]);
    let text = format!("{reply:?}");
    assert!(text.contains("ACL failure in script: User u has no permissions to run the 'set' command"), "{text}");
    assert_eq!(h.run(&["EXISTS", "k"]), int(0));
    assert_eq!(h.run_as(id, &["EVAL", "return redis.call('get','k')", "0"]), null());
}

#[test]
fn exec_checks_permissions_again_when_they_changed_after_queueing() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "~*", "+@all"]);
    let id = login(&mut h, "u", "x");
    h.run_as(id, &["MULTI"]);
    h.run_as(id, &["SET", "k", "v"]);
    h.run_as(id, &["GET", "k"]);
    h.run(&["ACL", "SETUSER", "u", "-set"]);
    let replies = format!("{:?}", h.run_as(id, &["EXEC"]));
    assert!(
        replies.contains("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand"),
        "{replies}"
    );
    assert_eq!(h.run(&["EXISTS", "k"]), int(0));
}

#[test]
fn shard_channels_are_checked_as_channels_not_keys() {
    let mut h = Harness::new();
    h.run(&["ACL", "SETUSER", "u", "on", "nopass", "+@all", "resetkeys", "resetchannels", "&s1"]);
    let id = login(&mut h, "u", "x");
    assert_eq!(h.run_as(id, &["SPUBLISH", "s1", "m"]), int(0));
    assert_eq!(h.run_as(id, &["SPUBLISH", "s2", "m"]), err("NOPERM No permissions to access a channel"));
}
