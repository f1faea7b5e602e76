//! Connection commands: PING, ECHO, SELECT, QUIT, HELLO, AUTH, RESET and CLIENT.

mod common;
use common::*;
use ferrokey_core::args::Args;
use ferrokey_core::client::ClientId;
use ferrokey_core::command::{flag, CommandSpec, Group, Keys};
use ferrokey_core::config::Config;
use ferrokey_core::ctx::Ctx;
use ferrokey_core::error::CmdResult;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

fn text(reply: Reply) -> String {
    match reply {
        Reply::Verbatim(kind, t) => {
            assert_eq!(kind, "txt");
            String::from_utf8(t).expect("utf8")
        }
        other => panic!("not verbatim text: {other:?}"),
    }
}

/// The value of `field=` in a CLIENT INFO / LIST line.
fn field(line: &str, name: &str) -> String {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name}= in {line}"))
        .to_string()
}

fn with_password(pass: &str) -> Harness {
    let config = Config { requirepass: Some(pass.as_bytes().to_vec()), ..Config::default() };
    Harness::with_config(config)
}

/// A command that blocks forever, to have a blocked client without the list commands.
fn block_forever(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Err(ctx.block_on(vec![b"nokey".to_vec()], 0))
}
static BLOCKER: CommandSpec = CommandSpec::new(Group::List, "blpop", -3, flag::BLOCKING, Keys::None, block_forever);

fn block(h: &mut Harness, id: ClientId) {
    assert_eq!(h.eng.call(id, &BLOCKER, vec![b"blpop".to_vec()]), None);
    assert!(h.eng.blocking.is_blocked(id));
}

// -- PING ECHO SELECT QUIT -------------------------------------------------------------------------

#[test]
fn ping_replies_pong_or_its_argument() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["PING"]), status("PONG"));
    assert_eq!(h.run(&["PING", "valkey"]), bulk("valkey"));
    assert_eq!(h.run(&["PING", "hello", "valkey"]), err("ERR wrong number of arguments for 'ping' command"));
}

#[test]
fn echo_returns_its_argument() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["ECHO", "hi there"]), bulk("hi there"));
    assert_eq!(h.run(&["ECHO"]), err("ERR wrong number of arguments for 'echo' command"));
}

#[test]
fn select_rejects_bad_indexes() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SELECT", "x"]), err("ERR value is not an integer or out of range"));
    assert_eq!(
        h.run(&["SELECT", "4294967296"]),
        err("ERR value is out of range, value must between -2147483648 and 2147483647")
    );
    assert_eq!(h.run(&["SELECT", "-1"]), err("ERR DB index is out of range"));
    assert_eq!(h.run(&["SELECT", "16"]), err("ERR DB index is out of range"));
    assert_eq!(h.run(&["SELECT", "15"]), ok());
}

#[test]
fn quit_replies_ok_and_asks_to_close() {
    let mut h = Harness::new();
    assert!(!h.eng.should_close(h.client));
    assert_eq!(h.run(&["QUIT"]), ok());
    assert!(h.eng.should_close(h.client));
}

// -- HELLO -----------------------------------------------------------------------------------------

fn hello_map(proto: i64, id: ClientId) -> Reply {
    Reply::Map(vec![
        (bulk("server"), bulk("redis")),
        (bulk("version"), bulk("7.2.4")),
        (bulk("proto"), int(proto)),
        (bulk("id"), int(id as i64)),
        (bulk("mode"), bulk("standalone")),
        (bulk("role"), bulk("master")),
        (bulk("modules"), array(vec![])),
        (bulk("server_name"), bulk("ferrokey")),
        (bulk("ferrokey_version"), bulk(env!("CARGO_PKG_VERSION"))),
    ])
}

#[test]
fn hello_without_version_keeps_protocol() {
    let mut h = Harness::new();
    let id = h.client;
    assert_eq!(h.run(&["HELLO"]), hello_map(2, id));
    assert_eq!(h.eng.client(id).unwrap().proto, Protocol::Resp2);
}

#[test]
fn hello_3_switches_to_resp3_and_back() {
    let mut h = Harness::new();
    let id = h.client;
    let reply = h.run(&["HELLO", "3"]);
    assert_eq!(reply, hello_map(3, id));
    assert_eq!(h.eng.client(id).unwrap().proto, Protocol::Resp3);
    assert!(wire(&reply, Protocol::Resp3)
        .starts_with("%9\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.4\r\n"));
    assert_eq!(h.run(&["HELLO", "2"]), hello_map(2, id));
    assert!(wire(&hello_map(2, id), Protocol::Resp2).starts_with("*18\r\n$6\r\nserver\r\n"));
}

#[test]
fn hello_rejects_bad_versions_and_options() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["HELLO", "4"]), err("NOPROTO unsupported protocol version"));
    assert_eq!(h.run(&["HELLO", "1"]), err("NOPROTO unsupported protocol version"));
    assert_eq!(h.run(&["HELLO", "x"]), err("ERR Protocol version is not an integer or out of range"));
    assert_eq!(h.run(&["HELLO", "3", "foo"]), err("ERR Syntax error in HELLO option 'foo'"));
    assert_eq!(h.run(&["HELLO", "3", "AUTH", "default"]), err("ERR Syntax error in HELLO option 'AUTH'"));
    assert_eq!(h.run(&["HELLO", "3", "SETNAME"]), err("ERR Syntax error in HELLO option 'SETNAME'"));
    assert_eq!(h.eng.client(h.client).unwrap().proto, Protocol::Resp2);
}

#[test]
fn hello_setname_last_one_wins_and_all_are_checked() {
    let mut h = Harness::new();
    h.run(&["HELLO", "2", "setname", "client1", "setname", "client2"]);
    assert_eq!(h.run(&["CLIENT", "GETNAME"]), bulk("client2"));
    assert_eq!(
        h.run(&["HELLO", "2", "setname", "client5", "setname", "client name"]),
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(h.run(&["CLIENT", "GETNAME"]), bulk("client2"));
}

#[test]
fn hello_auth_failure_changes_nothing() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(&["HELLO", "3", "AUTH", "user", "pass", "setname", "client1"]),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(h.run(&["CLIENT", "GETNAME"]), null());
    assert_eq!(h.eng.client(h.client).unwrap().proto, Protocol::Resp2);
}

#[test]
fn hello_requires_authentication_or_auth_option() {
    let mut h = with_password("secret");
    assert!(h.run(&["HELLO", "3"]).error_text().unwrap().starts_with("NOAUTH HELLO must be called with the client"));
    assert_eq!(
        h.run(&["HELLO", "3", "AUTH", "default", "wrong"]),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    let id = h.client;
    assert_eq!(h.run(&["HELLO", "3", "AUTH", "default", "secret"]), hello_map(3, id));
    assert_eq!(h.run(&["PING"]), status("PONG"));
}

// -- AUTH ------------------------------------------------------------------------------------------

#[test]
fn auth_without_configured_password_is_an_error() {
    let mut h = Harness::new();
    assert_eq!(
        h.run(&["AUTH", "x"]),
        err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
    );
    // The default user is nopass: any password works with the two-argument form.
    assert_eq!(h.run(&["AUTH", "default", "anything"]), ok());
    assert_eq!(
        h.run(&["AUTH", "nobody", "anything"]),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(h.run(&["AUTH", "a", "b", "c"]), err("ERR syntax error"));
}

#[test]
fn auth_with_requirepass_gates_commands() {
    let mut h = with_password("secret");
    assert_eq!(h.run(&["GET", "k"]), err("NOAUTH Authentication required."));
    assert_eq!(h.run(&["AUTH", "wrong"]), err("WRONGPASS invalid username-password pair or user is disabled."));
    assert_eq!(h.run(&["GET", "k"]), err("NOAUTH Authentication required."));
    assert_eq!(h.run(&["AUTH", "secret"]), ok());
    assert_eq!(h.run(&["GET", "k"]), null());
    // A failed AUTH does not log an authenticated client out.
    assert_eq!(
        h.run(&["AUTH", "default", "wrong"]),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(h.run(&["GET", "k"]), null());
    let other = h.connect();
    assert_eq!(h.run_as(other, &["AUTH", "default", "secret"]), ok());
}

// -- RESET -----------------------------------------------------------------------------------------

#[test]
fn reset_restores_a_fresh_connection_but_keeps_library_info() {
    let mut h = Harness::resp3();
    h.run(&["CLIENT", "SETNAME", "test-client"]);
    h.run(&["CLIENT", "SETINFO", "lib-name", "redis.py"]);
    h.run(&["CLIENT", "NO-TOUCH", "on"]);
    h.run(&["CLIENT", "NO-EVICT", "on"]);
    h.run(&["SELECT", "3"]);
    h.run(&["WATCH", "x"]);
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["RESET"]), status("RESET"));
    let info = text(h.run(&["CLIENT", "INFO"]));
    assert_eq!(field(&info, "name"), "");
    assert_eq!(field(&info, "flags"), "N");
    assert_eq!(field(&info, "db"), "0");
    assert_eq!(field(&info, "watch"), "0");
    assert_eq!(field(&info, "multi"), "-1");
    assert_eq!(field(&info, "resp"), "2");
    assert_eq!(field(&info, "lib-name"), "redis.py");
}

#[test]
fn reset_turns_replies_back_on() {
    let mut h = Harness::new();
    let c = h.client;
    h.send_as(c, &["CLIENT", "REPLY", "OFF"]);
    assert_eq!(h.run(&["RESET"]), status("RESET"));
    assert_eq!(h.run(&["PING"]), status("PONG"));
}

#[test]
fn reset_logs_out_when_a_password_is_required() {
    let mut h = with_password("secret");
    h.run(&["AUTH", "secret"]);
    assert_eq!(h.run(&["RESET"]), status("RESET"));
    assert_eq!(h.run(&["GET", "k"]), err("NOAUTH Authentication required."));
}

// -- CLIENT ID / NAME / SETINFO / INFO / LIST ------------------------------------------------------

#[test]
fn client_id_is_the_connection_id() {
    let mut h = Harness::new();
    let other = h.connect();
    assert_eq!(h.run(&["CLIENT", "ID"]), int(h.client as i64));
    assert_eq!(h.run_as(other, &["CLIENT", "ID"]), int(other as i64));
}

#[test]
fn client_setname_and_getname() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "GETNAME"]), null());
    assert_eq!(h.run(&["CLIENT", "SETNAME", "testName"]), ok());
    assert_eq!(h.run(&["client", "getName"]), bulk("testName"));
    assert_eq!(
        h.run(&["CLIENT", "SETNAME", "foo bar"]),
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(
        h.run(&["CLIENT", "SETNAME", "foo\nbar"]),
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(h.run(&["CLIENT", "GETNAME"]), bulk("testName"));
    assert_eq!(h.run(&["CLIENT", "SETNAME", ""]), ok());
    assert_eq!(h.run(&["CLIENT", "GETNAME"]), null());
    assert_eq!(h.run(&["CLIENT", "SETNAME"]), err("ERR wrong number of arguments for 'client|setname' command"));
}

#[test]
fn client_setinfo_sets_validates_and_clears() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "SETINFO", "lib-name", "redis.py"]), ok());
    assert_eq!(h.run(&["CLIENT", "SETINFO", "LIB-VER", "1.2.3"]), ok());
    assert_eq!(
        h.run(&["CLIENT", "SETINFO", "lib-name"]),
        err("ERR wrong number of arguments for 'client|setinfo' command")
    );
    assert_eq!(
        h.run(&["CLIENT", "SETINFO", "lib-name", "valkey py"]),
        err("ERR lib-name cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(
        h.run(&["CLIENT", "SETINFO", "lib-name", "redis.py\n"]),
        err("ERR lib-name cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(h.run(&["CLIENT", "SETINFO", "badger", "hamster"]), err("ERR Unrecognized option 'badger'"));
    let info = text(h.run(&["CLIENT", "INFO"]));
    assert!(info.contains(" lib-name=redis.py lib-ver=1.2.3 "), "{info}");
    assert_eq!(h.run(&["CLIENT", "SETINFO", "lib-name", ""]), ok());
    let info = text(h.run(&["CLIENT", "INFO"]));
    assert!(info.contains(" lib-name= lib-ver=1.2.3 "), "{info}");
}

#[test]
fn client_info_has_valkey_fields_in_order() {
    let mut h = Harness::new();
    let info = text(h.run(&["CLIENT", "INFO"]));
    assert!(info.ends_with('\n') && !info.ends_with("\n\n"));
    let names: Vec<&str> = info.split_whitespace().map(|kv| kv.split('=').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "id",
            "addr",
            "laddr",
            "fd",
            "name",
            "age",
            "idle",
            "flags",
            "db",
            "sub",
            "psub",
            "ssub",
            "multi",
            "watch",
            "qbuf",
            "qbuf-free",
            "argv-mem",
            "multi-mem",
            "rbs",
            "rbp",
            "obl",
            "oll",
            "omem",
            "tot-mem",
            "events",
            "cmd",
            "user",
            "redir",
            "resp",
            "lib-name",
            "lib-ver",
            "tot-net-in",
            "tot-net-out",
            "tot-cmds",
        ]
    );
    for (k, v) in [
        ("id", h.client.to_string().as_str()),
        ("addr", "127.0.0.1:50000"),
        ("flags", "N"),
        ("db", "0"),
        ("sub", "0"),
        ("psub", "0"),
        ("ssub", "0"),
        ("multi", "-1"),
        ("watch", "0"),
        ("qbuf", "0"),
        ("multi-mem", "0"),
        ("obl", "0"),
        ("oll", "0"),
        ("omem", "0"),
        ("events", "r"),
        ("cmd", "client|info"),
        ("user", "default"),
        ("redir", "-1"),
        ("resp", "2"),
    ] {
        assert_eq!(field(&info, k), v, "{k} in {info}");
    }
    assert_eq!(field(&info, "argv-mem"), "10", "the running command's argument bytes");
}

#[test]
fn client_info_counts_age_and_idle_in_seconds() {
    let mut h = Harness::new();
    let other = h.connect();
    h.advance_ms(5_000);
    h.run_as(other, &["PING"]);
    h.advance_ms(3_000);
    let list = text(h.run(&["CLIENT", "LIST", "ID", &other.to_string()]));
    assert_eq!(field(&list, "age"), "8");
    assert_eq!(field(&list, "idle"), "3");
    assert_eq!(field(&list, "cmd"), "ping");
}

#[test]
fn client_list_shows_every_client_in_connection_order() {
    let mut h = Harness::new();
    let a = h.connect();
    let b = h.connect();
    h.run_as(a, &["CLIENT", "SETNAME", "alpha"]);
    let list = text(h.run(&["CLIENT", "LIST"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(field(lines[0], "id"), h.client.to_string());
    assert_eq!(field(lines[1], "id"), a.to_string());
    assert_eq!(field(lines[1], "name"), "alpha");
    assert_eq!(field(lines[1], "cmd"), "client|setname");
    assert_eq!(field(lines[2], "id"), b.to_string());
    assert_eq!(field(lines[2], "cmd"), "NULL");
    assert_eq!(field(lines[0], "cmd"), "client|list");
}

#[test]
fn client_list_filters_by_type_and_id() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "ch"]);
    let pubsub = text(h.run(&["CLIENT", "LIST", "TYPE", "pubsub"]));
    assert_eq!(pubsub.lines().count(), 1);
    assert_eq!(field(&pubsub, "id"), sub.to_string());
    assert_eq!(field(&pubsub, "flags"), "P");
    assert_eq!(field(&pubsub, "sub"), "1");
    let normal = text(h.run(&["CLIENT", "LIST", "TYPE", "NORMAL"]));
    assert_eq!(field(&normal, "id"), h.client.to_string());
    assert_eq!(text(h.run(&["CLIENT", "LIST", "TYPE", "replica"])), "");
    assert_eq!(h.run(&["CLIENT", "LIST", "TYPE", "bogus"]), err("ERR Unknown client type 'bogus'"));
    let by_id = text(h.run(&["CLIENT", "LIST", "ID", &sub.to_string(), "999", &h.client.to_string()]));
    let ids: Vec<String> = by_id.lines().map(|l| field(l, "id")).collect();
    assert_eq!(ids, [sub.to_string(), h.client.to_string()]);
    assert_eq!(h.run(&["CLIENT", "LIST", "ID", "abc"]), err("ERR Invalid client ID"));
    assert_eq!(h.run(&["CLIENT", "LIST", "ID"]), err("ERR syntax error"));
    assert_eq!(h.run(&["CLIENT", "LIST", "foo"]), err("ERR syntax error"));
}

// -- CLIENT KILL -----------------------------------------------------------------------------------

#[test]
fn client_kill_rejects_illegal_arguments() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "KILL"]), err("ERR wrong number of arguments for 'client|kill' command"));
    assert_eq!(h.run(&["CLIENT", "KILL", "id", "10", "wrong_arg"]), err("ERR syntax error"));
    for bad in ["str", "-1", "0"] {
        assert_eq!(h.run(&["CLIENT", "KILL", "id", bad]), err("ERR client-id should be greater than 0"));
    }
    assert_eq!(h.run(&["CLIENT", "KILL", "type", "wrong_type"]), err("ERR Unknown client type 'wrong_type'"));
    assert_eq!(h.run(&["CLIENT", "KILL", "user", "wrong_user"]), err("ERR No such user 'wrong_user'"));
    assert_eq!(h.run(&["CLIENT", "KILL", "skipme", "yes_or_no"]), err("ERR syntax error"));
    assert_eq!(h.run(&["CLIENT", "KILL", "maxage", "str"]), err("ERR maxage is not an integer or out of range"));
    assert_eq!(
        h.run(&["CLIENT", "KILL", "maxage", "9999999999999999999"]),
        err("ERR maxage is not an integer or out of range")
    );
    assert_eq!(h.run(&["CLIENT", "KILL", "maxage", "-1"]), err("ERR maxage should be greater than 0"));
    assert_eq!(h.run(&["CLIENT", "KILL", "000.123.321.567:0000"]), err("ERR No such client"));
    assert_eq!(h.run(&["CLIENT", "KILL", "127.0.0.1:"]), err("ERR No such client"));
}

#[test]
fn client_kill_by_id_disconnects_the_victim_at_once() {
    let mut h = Harness::new();
    let victim = h.connect();
    h.send_as(victim, &["SUBSCRIBE", "ch"]);
    h.eng.take_woken();
    assert_eq!(h.run(&["CLIENT", "KILL", "ID", &victim.to_string()]), int(1));
    assert!(h.eng.client(victim).is_none());
    assert!(h.eng.should_close(victim));
    assert!(h.eng.take_woken().contains(&victim), "the host must look at the victim");
    assert_eq!(h.run(&["PUBLISH", "ch", "x"]), int(0));
    assert_eq!(h.run(&["CLIENT", "KILL", "ID", &victim.to_string()]), int(0));
}

#[test]
fn client_kill_old_form_matches_the_address_and_may_kill_self() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "KILL", "127.0.0.1:50000"]), ok());
    assert!(h.eng.should_close(h.client));
    assert!(h.eng.client(h.client).is_some(), "the caller is closed after its reply");
}

#[test]
fn client_kill_skipme_yes_and_no() {
    let mut h = Harness::new();
    let (a, b) = (h.connect(), h.connect());
    assert_eq!(h.run(&["CLIENT", "KILL", "SKIPME", "yes"]), int(2));
    assert!(h.eng.client(a).is_none() && h.eng.client(b).is_none());
    assert!(!h.eng.should_close(h.client));
    h.connect();
    assert_eq!(h.run(&["CLIENT", "KILL", "skipme", "no"]), int(2));
    assert!(h.eng.should_close(h.client));
}

#[test]
fn client_kill_filters_combine() {
    let mut h = Harness::new();
    let sub = h.connect();
    let plain = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "ch"]);
    assert_eq!(h.run(&["CLIENT", "KILL", "TYPE", "pubsub", "ADDR", "127.0.0.1:50001"]), int(1));
    assert!(h.eng.client(sub).is_none());
    assert!(h.eng.client(plain).is_some());
    assert_eq!(h.run(&["CLIENT", "KILL", "USER", "default", "LADDR", "nowhere:1"]), int(0));
    assert_eq!(h.run(&["CLIENT", "KILL", "USER", "default"]), int(1));
}

#[test]
fn client_kill_maxage_kills_only_old_clients() {
    let mut h = Harness::new();
    let old = h.connect();
    h.advance_ms(4_000);
    let young = h.connect();
    assert_eq!(h.run(&["CLIENT", "KILL", "MAXAGE", "2", "SKIPME", "yes"]), int(1));
    assert!(h.eng.client(old).is_none());
    assert!(h.eng.client(young).is_some());
}

// -- CLIENT REPLY ----------------------------------------------------------------------------------

#[test]
fn client_reply_off_silences_until_on() {
    let mut h = Harness::new();
    let c = h.client;
    h.send_as(c, &["CLIENT", "REPLY", "OFF"]);
    h.send_as(c, &["PING", "pong"]);
    h.send_as(c, &["GET", "nokey", "extra"]);
    assert!(h.output(c).is_empty());
    assert_eq!(h.run(&["CLIENT", "REPLY", "ON"]), ok());
    assert_eq!(h.run(&["PING", "pong3"]), bulk("pong3"));
}

#[test]
fn client_reply_skip_silences_only_the_next_command() {
    let mut h = Harness::new();
    let c = h.client;
    h.send_as(c, &["CLIENT", "REPLY", "SKIP"]);
    h.send_as(c, &["PING", "pong"]);
    assert!(h.output(c).is_empty());
    assert_eq!(h.run(&["PING", "pong2"]), bulk("pong2"));
}

#[test]
fn client_reply_on_after_skip_replies() {
    let mut h = Harness::new();
    let c = h.client;
    h.send_as(c, &["CLIENT", "REPLY", "SKIP"]);
    assert_eq!(h.run(&["CLIENT", "REPLY", "ON"]), ok());
    assert_eq!(h.run(&["PING"]), status("PONG"));
}

#[test]
fn client_reply_rejects_unknown_modes() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "REPLY", "wrongInput"]), err("ERR syntax error"));
    assert_eq!(h.run(&["CLIENT", "NO-EVICT", "wrongInput"]), err("ERR syntax error"));
    assert_eq!(h.run(&["CLIENT", "NO-TOUCH", "wrongInput"]), err("ERR syntax error"));
}

#[test]
fn client_no_evict_and_no_touch_show_in_flags() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "NO-EVICT", "on"]), ok());
    assert_eq!(h.run(&["CLIENT", "NO-TOUCH", "ON"]), ok());
    assert_eq!(field(&text(h.run(&["CLIENT", "INFO"])), "flags"), "eT");
    assert!(h.eng.client(h.client).unwrap().no_touch);
    h.run(&["CLIENT", "NO-EVICT", "off"]);
    h.run(&["CLIENT", "NO-TOUCH", "off"]);
    assert_eq!(field(&text(h.run(&["CLIENT", "INFO"])), "flags"), "N");
}

// -- CLIENT PAUSE / UNPAUSE ------------------------------------------------------------------------

#[test]
fn client_pause_validates_mode_and_timeout() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "PAUSE", "abc"]), err("ERR timeout is not an integer or out of range"));
    assert_eq!(h.run(&["CLIENT", "PAUSE", "-1"]), err("ERR timeout is negative"));
    assert_eq!(h.run(&["CLIENT", "PAUSE", "10", "SOME"]), err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
    assert_eq!(h.run(&["CLIENT", "PAUSE", "9223372036854775807"]), err("ERR timeout is out of range"));
    assert_eq!(
        h.run(&["CLIENT", "PAUSE", "10", "ALL", "x"]),
        err("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.")
    );
    assert_eq!(h.eng.pause_until_ms, 0);
}

#[test]
fn client_pause_sets_deadline_and_mode_until_unpause() {
    let mut h = Harness::new();
    let now = h.now_ms();
    assert_eq!(h.run(&["CLIENT", "PAUSE", "1000", "WRITE"]), ok());
    assert_eq!((h.eng.pause_until_ms, h.eng.pause_writes_only), (now + 1000, true));
    assert_eq!(h.run(&["CLIENT", "UNPAUSE"]), ok());
    assert_eq!((h.eng.pause_until_ms, h.eng.pause_writes_only), (0, false));
    assert_eq!(h.run(&["CLIENT", "PAUSE", "500"]), ok());
    assert_eq!((h.eng.pause_until_ms, h.eng.pause_writes_only), (now + 500, false));
}

#[test]
fn client_pause_keeps_the_latest_end_and_holds_commands_under_pause_all() {
    let mut h = Harness::new();
    let now = h.now_ms();
    h.run(&["CLIENT", "PAUSE", "200", "ALL"]);
    // Under PAUSE ALL every command waits, CLIENT PAUSE included (Valkey's processCommand).
    let id = h.client;
    h.send_as(id, &["CLIENT", "PAUSE", "20", "WRITE"]);
    assert_eq!(h.output(id), vec![]);
    assert_eq!((h.eng.pause_until_ms, h.eng.pause_writes_only), (now + 200, false));
    h.advance_ms(201);
    assert_eq!(h.output(id), vec![ok()]);
    let now = h.now_ms();
    assert_eq!((h.eng.pause_until_ms, h.eng.pause_writes_only), (now + 20, true));
    h.run(&["CLIENT", "UNPAUSE"]);
    h.run(&["CLIENT", "PAUSE", "60000", "WRITE"]);
    h.run(&["CLIENT", "PAUSE", "10", "WRITE"]);
    assert_eq!((h.eng.pause_until_ms, h.eng.pause_writes_only), (now + 60000, true));
}

#[test]
fn client_pause_after_an_expired_pause_starts_afresh() {
    let mut h = Harness::new();
    h.run(&["CLIENT", "PAUSE", "100", "ALL"]);
    h.advance_ms(200);
    let now = h.now_ms();
    h.run(&["CLIENT", "PAUSE", "50", "WRITE"]);
    assert_eq!((h.eng.pause_until_ms, h.eng.pause_writes_only), (now + 50, true));
}

// -- CLIENT UNBLOCK --------------------------------------------------------------------------------

#[test]
fn client_unblock_with_timeout_sends_the_timeout_reply() {
    let mut h = Harness::new();
    let blocked = h.connect();
    block(&mut h, blocked);
    let list = text(h.run(&["CLIENT", "LIST", "ID", &blocked.to_string()]));
    assert_eq!(field(&list, "flags"), "b");
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", &blocked.to_string()]), int(1));
    assert!(!h.eng.blocking.is_blocked(blocked));
    assert_eq!(h.output(blocked), vec![Reply::NullArray]);
    block(&mut h, blocked);
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", &blocked.to_string(), "TIMEOUT"]), int(1));
    assert_eq!(h.output(blocked), vec![Reply::NullArray]);
}

#[test]
fn client_unblock_with_error_sends_unblocked_error() {
    let mut h = Harness::new();
    let blocked = h.connect();
    block(&mut h, blocked);
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", &blocked.to_string(), "error"]), int(1));
    assert_eq!(h.output(blocked), vec![err("UNBLOCKED client unblocked via CLIENT UNBLOCK")]);
    assert_eq!(h.eng.stats.errors.get("UNBLOCKED"), Some(&1));
    // Commands pipelined behind the blocked one run after it.
    block(&mut h, blocked);
    h.send_as(blocked, &["PING"]);
    h.run(&["CLIENT", "UNBLOCK", &blocked.to_string()]);
    assert_eq!(h.output(blocked), vec![Reply::NullArray, status("PONG")]);
}

#[test]
fn client_unblock_of_unblocked_or_unknown_client_is_zero() {
    let mut h = Harness::new();
    let me = h.client.to_string();
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", &me]), int(0));
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", "12345"]), int(0));
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", "-3"]), int(0));
    assert_eq!(h.run(&["CLIENT", "UNBLOCK", "asd"]), err("ERR value is not an integer or out of range"));
    assert_eq!(
        h.run(&["CLIENT", "UNBLOCK", &me, "later"]),
        err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    );
    assert_eq!(
        h.run(&["CLIENT", "UNBLOCK", "1", "2", "3"]),
        err("ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.")
    );
}

// -- CLIENT HELP / CAPA / unknown ------------------------------------------------------------------

#[test]
fn client_help_lists_subcommands() {
    let mut h = Harness::new();
    let Reply::Array(lines) = h.run(&["client", "help"]) else { panic!("not an array") };
    assert_eq!(lines[0], status("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assert!(lines.contains(&status("UNBLOCK <clientid> [TIMEOUT|ERROR]")));
    assert!(!lines.iter().any(|l| matches!(l, Reply::Status(s) if s.starts_with("TRACKING"))));
    assert_eq!(lines[lines.len() - 2], status("HELP"));
}

#[test]
fn client_capa_accepts_any_capability() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "CAPA", "redirect", "whatever"]), ok());
    assert!(h.eng.client(h.client).unwrap().capa_redirect);
    assert_eq!(h.run(&["CLIENT", "CAPA"]), err("ERR wrong number of arguments for 'client|capa' command"));
}

#[test]
fn client_unknown_subcommand_points_to_help() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["CLIENT", "FOO"]), err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
    assert_eq!(h.run(&["CLIENT"]), err("ERR wrong number of arguments for 'client' command"));
}
