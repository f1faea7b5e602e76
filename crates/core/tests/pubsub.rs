//! Pub/sub: SUBSCRIBE and friends, PUBLISH, PUBSUB introspection, reply shapes in RESP2 and RESP3.

mod common;
use common::*;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

fn push(items: Vec<Reply>) -> Reply {
    Reply::Push(items)
}

/// `[kind, name, count]`
fn confirm(kind: &str, name: &str, count: i64) -> Reply {
    push(vec![bulk(kind), bulk(name), int(count)])
}

fn message(channel: &str, msg: &str) -> Reply {
    push(vec![bulk("message"), bulk(channel), bulk(msg)])
}

fn pmessage(pattern: &str, channel: &str, msg: &str) -> Reply {
    push(vec![bulk("pmessage"), bulk(pattern), bulk(channel), bulk(msg)])
}

#[test]
fn subscribe_several_channels_confirms_each_in_order() {
    let mut h = Harness::new();
    let c = h.client;
    h.send_as(c, &["SUBSCRIBE", "chan1", "chan2"]);
    assert_eq!(h.output(c), vec![confirm("subscribe", "chan1", 1), confirm("subscribe", "chan2", 2)]);
}

#[test]
fn subscribe_same_channel_twice_counts_once() {
    let mut h = Harness::new();
    let c = h.client;
    h.send_as(c, &["SUBSCRIBE", "chan1", "chan1", "chan1"]);
    assert_eq!(h.output(c), vec![confirm("subscribe", "chan1", 1); 3]);
    let other = h.connect();
    assert_eq!(h.run_as(other, &["PUBLISH", "chan1", "hello"]), int(1));
    assert_eq!(h.output(c), vec![message("chan1", "hello")]);
}

#[test]
fn publish_subscribe_basics_deliver_and_stop_after_unsubscribe() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "chan1", "chan2"]);
    h.output(sub);
    assert_eq!(h.run(&["PUBLISH", "chan1", "hello"]), int(1));
    assert_eq!(h.run(&["PUBLISH", "chan2", "world"]), int(1));
    assert_eq!(h.output(sub), vec![message("chan1", "hello"), message("chan2", "world")]);
    assert_eq!(h.run_as(sub, &["UNSUBSCRIBE", "chan1"]), confirm("unsubscribe", "chan1", 1));
    assert_eq!(h.run(&["PUBLISH", "chan1", "hello"]), int(0));
    assert_eq!(h.run(&["PUBLISH", "chan2", "world"]), int(1));
    assert_eq!(h.output(sub), vec![message("chan2", "world")]);
    assert_eq!(h.run_as(sub, &["UNSUBSCRIBE", "chan2"]), confirm("unsubscribe", "chan2", 0));
    assert_eq!(h.run(&["PUBLISH", "chan2", "world"]), int(0));
    assert!(h.output(sub).is_empty());
}

#[test]
fn publish_counts_every_subscriber() {
    let mut h = Harness::new();
    let (a, b) = (h.connect(), h.connect());
    h.send_as(a, &["SUBSCRIBE", "chan1"]);
    h.send_as(b, &["SUBSCRIBE", "chan1"]);
    h.output(a);
    h.output(b);
    assert_eq!(h.run(&["PUBLISH", "chan1", "hello"]), int(2));
    assert_eq!(h.output(a), vec![message("chan1", "hello")]);
    assert_eq!(h.output(b), vec![message("chan1", "hello")]);
}

#[test]
fn publish_wakes_receivers_for_the_host() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "ch"]);
    h.eng.take_woken();
    h.run(&["PUBLISH", "ch", "x"]);
    assert!(h.eng.take_woken().contains(&sub));
}

#[test]
fn unsubscribe_without_arguments_drops_every_channel() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "chan1", "chan2", "chan3"]);
    h.output(sub);
    h.send_as(sub, &["UNSUBSCRIBE"]);
    let out = h.output(sub);
    assert_eq!(out.len(), 3);
    let mut names = Vec::new();
    for (i, r) in out.iter().enumerate() {
        let Reply::Push(items) = r else { panic!("not a push: {r:?}") };
        assert_eq!(items[0], bulk("unsubscribe"));
        assert_eq!(items[2], int(2 - i as i64), "counts go down to zero");
        names.push(format!("{:?}", items[1]));
    }
    names.sort();
    assert_eq!(
        names,
        vec![format!("{:?}", bulk("chan1")), format!("{:?}", bulk("chan2")), format!("{:?}", bulk("chan3"))]
    );
    for ch in ["chan1", "chan2", "chan3"] {
        assert_eq!(h.run(&["PUBLISH", ch, "hello"]), int(0));
    }
}

#[test]
fn unsubscribe_without_arguments_with_only_patterns_confirms_null_channel() {
    let mut h = Harness::new();
    h.send_as(h.client, &["PSUBSCRIBE", "foo*"]);
    h.output(h.client);
    assert_eq!(h.run(&["UNSUBSCRIBE"]), push(vec![bulk("unsubscribe"), Reply::Null, int(1)]));
    let w = wire(&push(vec![bulk("unsubscribe"), Reply::Null, int(1)]), Protocol::Resp2);
    assert_eq!(w, "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n");
    let w = wire(&push(vec![bulk("unsubscribe"), Reply::Null, int(1)]), Protocol::Resp3);
    assert_eq!(w, ">3\r\n$11\r\nunsubscribe\r\n_\r\n:1\r\n");
}

#[test]
fn unsubscribe_when_not_subscribed_is_nosub() {
    let mut h = Harness::new();
    for cmd in ["unsubscribe", "punsubscribe", "sunsubscribe"] {
        assert_eq!(h.run(&[cmd, "foo", "bar"]), err(&format!("NOSUB '{cmd}' command executed not in subscribed mode")));
    }
}

#[test]
fn psubscribe_matches_globs_and_punsubscribe_counts_down() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["PSUBSCRIBE", "foo.*", "bar.*"]);
    assert_eq!(h.output(sub), vec![confirm("psubscribe", "foo.*", 1), confirm("psubscribe", "bar.*", 2)]);
    assert_eq!(h.run(&["PUBLISH", "foo.1", "hello"]), int(1));
    assert_eq!(h.run(&["PUBLISH", "bar.1", "hello"]), int(1));
    assert_eq!(h.run(&["PUBLISH", "foo1", "hello"]), int(0));
    assert_eq!(h.run(&["PUBLISH", "barfoo.1", "hello"]), int(0));
    assert_eq!(h.run(&["PUBLISH", "qux.1", "hello"]), int(0));
    assert_eq!(h.output(sub), vec![pmessage("foo.*", "foo.1", "hello"), pmessage("bar.*", "bar.1", "hello")]);
    assert_eq!(h.run_as(sub, &["PUNSUBSCRIBE", "foo.*"]), confirm("punsubscribe", "foo.*", 1));
    assert_eq!(h.run(&["PUBLISH", "foo.1", "hello"]), int(0));
    assert_eq!(h.run_as(sub, &["PUNSUBSCRIBE", "bar.*"]), confirm("punsubscribe", "bar.*", 0));
    assert_eq!(h.run(&["PUBLISH", "bar.1", "hello"]), int(0));
}

#[test]
fn punsubscribe_without_arguments_drops_every_pattern() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["PSUBSCRIBE", "chan1.*", "chan2.*", "chan3.*"]);
    h.output(sub);
    h.send_as(sub, &["PUNSUBSCRIBE"]);
    assert_eq!(h.output(sub).len(), 3);
    for ch in ["chan1.hi", "chan2.hi", "chan3.hi"] {
        assert_eq!(h.run(&["PUBLISH", ch, "hello"]), int(0));
    }
    assert_eq!(h.run(&["PUBSUB", "NUMPAT"]), int(0));
}

#[test]
fn subscribe_and_psubscribe_share_one_count_and_both_deliver() {
    let mut h = Harness::new();
    let sub = h.connect();
    assert_eq!(h.run_as(sub, &["SUBSCRIBE", "foo.bar"]), confirm("subscribe", "foo.bar", 1));
    assert_eq!(h.run_as(sub, &["PSUBSCRIBE", "foo.*"]), confirm("psubscribe", "foo.*", 2));
    assert_eq!(h.run(&["PUBLISH", "foo.bar", "hello"]), int(2));
    assert_eq!(h.output(sub), vec![message("foo.bar", "hello"), pmessage("foo.*", "foo.bar", "hello")]);
}

#[test]
fn ssubscribe_counts_shard_channels_apart() {
    let mut h = Harness::new();
    let sub = h.connect();
    assert_eq!(h.run_as(sub, &["SUBSCRIBE", "a"]), confirm("subscribe", "a", 1));
    assert_eq!(h.run_as(sub, &["SSUBSCRIBE", "chan1"]), confirm("ssubscribe", "chan1", 1));
    assert_eq!(h.run_as(sub, &["SSUBSCRIBE", "chan2"]), confirm("ssubscribe", "chan2", 2));
    assert_eq!(h.run(&["SPUBLISH", "chan1", "hello"]), int(1));
    assert_eq!(h.run(&["PUBLISH", "chan1", "hello"]), int(0));
    assert_eq!(h.output(sub), vec![push(vec![bulk("smessage"), bulk("chan1"), bulk("hello")])]);
    assert_eq!(h.run_as(sub, &["SUNSUBSCRIBE", "chan1"]), confirm("sunsubscribe", "chan1", 1));
    assert_eq!(h.run(&["SPUBLISH", "chan1", "hello"]), int(0));
    h.send_as(sub, &["SUNSUBSCRIBE"]);
    assert_eq!(h.output(sub), vec![confirm("sunsubscribe", "chan2", 0)]);
    // Still subscribed to a plain channel: SUNSUBSCRIBE with none left confirms with a null.
    assert_eq!(h.run_as(sub, &["SUNSUBSCRIBE"]), push(vec![bulk("sunsubscribe"), Reply::Null, int(0)]));
}

#[test]
fn shard_messages_ignore_patterns() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["PSUBSCRIBE", "*"]);
    h.output(sub);
    assert_eq!(h.run(&["SPUBLISH", "chan", "x"]), int(0));
    assert!(h.output(sub).is_empty());
}

#[test]
fn resp2_subscribed_client_may_only_run_pubsub_commands() {
    let mut h = Harness::new();
    h.run(&["SUBSCRIBE", "somechannel"]);
    assert_eq!(
        h.run(&["GET", "k"]),
        err("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    );
    assert_eq!(h.run(&["PING"]), array(vec![bulk("pong"), bulk("")]));
    assert_eq!(h.run(&["PING", "foo"]), array(vec![bulk("pong"), bulk("foo")]));
    assert_eq!(wire(&h.run(&["PING"]), Protocol::Resp2), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    h.run(&["UNSUBSCRIBE", "somechannel"]);
    assert_eq!(h.run(&["PING"]), status("PONG"));
}

#[test]
fn resp3_subscribed_client_runs_any_command_with_normal_replies() {
    let mut h = Harness::resp3();
    h.run(&["SUBSCRIBE", "somechannel"]);
    assert_eq!(h.run(&["PING"]), status("PONG"));
    assert_eq!(h.run(&["PING", "foo"]), bulk("foo"));
    assert_eq!(h.run(&["SET", "k", "v"]), ok());
    assert_eq!(h.run(&["GET", "k"]), bulk("v"));
}

#[test]
fn subscribe_confirmation_is_a_resp3_push_and_a_resp2_array() {
    let c = confirm("subscribe", "ch", 1);
    assert_eq!(wire(&c, Protocol::Resp2), "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    assert_eq!(wire(&c, Protocol::Resp3), ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
}

#[test]
fn pubsub_messages_arrive_with_client_reply_off() {
    let mut h = Harness::resp3();
    let c = h.client;
    h.send_as(c, &["CLIENT", "REPLY", "OFF"]);
    assert!(h.output(c).is_empty());
    assert_eq!(h.run(&["SUBSCRIBE", "channel"]), confirm("subscribe", "channel", 1));
    assert_eq!(h.run(&["PSUBSCRIBE", "ch*"]), confirm("psubscribe", "ch*", 2));
    let other = h.connect();
    assert_eq!(h.run_as(other, &["PUBLISH", "channel", "hello"]), int(2));
    assert_eq!(h.output(c), vec![message("channel", "hello"), pmessage("ch*", "channel", "hello")]);
    assert_eq!(h.run(&["UNSUBSCRIBE", "channel"]), confirm("unsubscribe", "channel", 1));
    assert_eq!(h.run(&["PUNSUBSCRIBE", "ch*"]), confirm("punsubscribe", "ch*", 0));
    // Ordinary replies stay silenced.
    h.send_as(c, &["PING"]);
    assert!(h.output(c).is_empty());
}

#[test]
fn psubscribe_after_client_reply_skip_still_confirms() {
    let mut h = Harness::new();
    let c = h.client;
    h.send_as(c, &["CLIENT", "REPLY", "SKIP"]);
    assert!(h.output(c).is_empty());
    assert_eq!(h.run(&["PSUBSCRIBE", "*"]), confirm("psubscribe", "*", 1));
}

#[test]
fn pubsub_numsub_returns_integers_in_a_flat_array() {
    let mut h = Harness::resp3();
    assert_eq!(h.run(&["PUBSUB", "NUMSUB", "abc", "def"]), array(vec![bulk("abc"), int(0), bulk("def"), int(0)]));
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "abc"]);
    assert_eq!(h.run(&["PUBSUB", "NUMSUB", "abc"]), array(vec![bulk("abc"), int(1)]));
    assert_eq!(h.run(&["PUBSUB", "NUMSUB"]), array(vec![]));
}

#[test]
fn pubsub_numpat_counts_unique_patterns() {
    let mut h = Harness::new();
    let (a, b) = (h.connect(), h.connect());
    h.send_as(a, &["PSUBSCRIBE", "foo*"]);
    h.send_as(b, &["PSUBSCRIBE", "foo*"]);
    h.send_as(a, &["PSUBSCRIBE", "bar*"]);
    h.send_as(b, &["PSUBSCRIBE", "baz*"]);
    assert_eq!(h.run(&["PUBSUB", "NUMPAT"]), int(3));
    h.send_as(a, &["PUNSUBSCRIBE"]);
    h.send_as(b, &["PUNSUBSCRIBE"]);
    assert_eq!(h.run(&["PUBSUB", "NUMPAT"]), int(0));
}

#[test]
fn pubsub_channels_lists_active_channels_matching_a_pattern() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "news.a", "news.b", "sport"]);
    h.send_as(sub, &["PSUBSCRIBE", "news.*"]);
    assert_eq!(sorted(h.run(&["PUBSUB", "CHANNELS"])), bulks(&["news.a", "news.b", "sport"]));
    assert_eq!(sorted(h.run(&["PUBSUB", "CHANNELS", "news.*"])), bulks(&["news.a", "news.b"]));
    assert_eq!(h.run(&["PUBSUB", "CHANNELS", "x*"]), array(vec![]));
    assert_eq!(
        h.run(&["PUBSUB", "CHANNELS", "a", "b"]),
        err("ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.")
    );
    h.send_as(sub, &["UNSUBSCRIBE", "sport"]);
    assert_eq!(sorted(h.run(&["PUBSUB", "CHANNELS"])), bulks(&["news.a", "news.b"]));
}

#[test]
fn pubsub_shard_introspection_sees_only_shard_channels() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["SSUBSCRIBE", "s1", "s2"]);
    h.send_as(sub, &["SUBSCRIBE", "c1"]);
    assert_eq!(sorted(h.run(&["PUBSUB", "SHARDCHANNELS"])), bulks(&["s1", "s2"]));
    assert_eq!(h.run(&["PUBSUB", "SHARDCHANNELS", "*1"]), bulks(&["s1"]));
    assert_eq!(h.run(&["PUBSUB", "SHARDNUMSUB", "s1", "c1"]), array(vec![bulk("s1"), int(1), bulk("c1"), int(0)]));
    assert_eq!(h.run(&["PUBSUB", "NUMSUB", "s1", "c1"]), array(vec![bulk("s1"), int(0), bulk("c1"), int(1)]));
}

#[test]
fn pubsub_help_and_bad_subcommands() {
    let mut h = Harness::new();
    let Reply::Array(lines) = h.run(&["PUBSUB", "HELP"]) else { panic!("not an array") };
    assert_eq!(lines[0], status("PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
    assert_eq!(lines.last(), Some(&status("    Print this help.")));
    assert_eq!(lines.len(), 14);
    assert_eq!(h.run(&["PUBSUB", "NOPE"]), err("ERR unknown subcommand 'NOPE'. Try PUBSUB HELP."));
    assert_eq!(h.run(&["PUBSUB", "NUMPAT", "x"]), err("ERR wrong number of arguments for 'pubsub|numpat' command"));
    assert_eq!(h.run(&["PUBSUB"]), err("ERR wrong number of arguments for 'pubsub' command"));
}

#[test]
fn publish_to_self_inside_multi_arrives_after_exec_reply() {
    let mut h = Harness::resp3();
    h.run(&["SUBSCRIBE", "foo"]);
    assert_eq!(h.run(&["MULTI"]), ok());
    assert_eq!(h.run(&["PING", "abc"]), status("QUEUED"));
    assert_eq!(h.run(&["PUBLISH", "foo", "bar"]), status("QUEUED"));
    assert_eq!(h.run(&["PUBLISH", "foo", "vaz"]), status("QUEUED"));
    assert_eq!(h.run(&["PING", "def"]), status("QUEUED"));
    let c = h.client;
    h.send_as(c, &["EXEC"]);
    assert_eq!(
        h.output(c),
        vec![array(vec![bulk("abc"), int(1), int(1), bulk("def")]), message("foo", "bar"), message("foo", "vaz"),]
    );
}

#[test]
fn publish_to_self_arrives_after_publish_reply() {
    let mut h = Harness::resp3();
    h.run(&["SUBSCRIBE", "foo"]);
    let c = h.client;
    h.send_as(c, &["PUBLISH", "foo", "vaz"]);
    assert_eq!(h.output(c), vec![int(1), message("foo", "vaz")]);
}

#[test]
fn unsubscribe_inside_multi_replies_inside_exec_array() {
    let mut h = Harness::resp3();
    let c = h.client;
    h.send_as(c, &["SUBSCRIBE", "foo", "bar", "baz"]);
    assert_eq!(
        h.output(c),
        vec![confirm("subscribe", "foo", 1), confirm("subscribe", "bar", 2), confirm("subscribe", "baz", 3)]
    );
    h.run(&["MULTI"]);
    h.run(&["PING", "abc"]);
    h.run(&["UNSUBSCRIBE", "bar"]);
    h.run(&["UNSUBSCRIBE", "baz"]);
    h.run(&["PING", "def"]);
    assert_eq!(
        h.run(&["EXEC"]),
        array(vec![bulk("abc"), confirm("unsubscribe", "bar", 2), confirm("unsubscribe", "baz", 1), bulk("def")])
    );
    h.send_as(c, &["PUBLISH", "foo", "vaz"]);
    assert_eq!(h.output(c), vec![int(1), message("foo", "vaz")]);
}

#[test]
fn ssubscribe_inside_exec_is_refused_but_subscribe_works() {
    let mut h = Harness::resp3();
    h.run(&["MULTI"]);
    h.run(&["SSUBSCRIBE", "s"]);
    h.run(&["SUBSCRIBE", "c"]);
    assert_eq!(
        h.run(&["EXEC"]),
        array(vec![err("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"), confirm("subscribe", "c", 1)])
    );
}

#[test]
fn disconnect_drops_subscriptions() {
    let mut h = Harness::new();
    let sub = h.connect();
    h.send_as(sub, &["SUBSCRIBE", "ch"]);
    h.send_as(sub, &["PSUBSCRIBE", "c*"]);
    h.eng.disconnect(sub);
    assert_eq!(h.run(&["PUBLISH", "ch", "x"]), int(0));
    assert_eq!(h.run(&["PUBSUB", "NUMPAT"]), int(0));
    assert_eq!(h.run(&["PUBSUB", "CHANNELS"]), array(vec![]));
}

#[test]
fn reset_drops_subscriptions_and_leaves_pubsub_mode() {
    let mut h = Harness::new();
    h.run(&["SUBSCRIBE", "channel-1"]);
    assert_eq!(h.run(&["RESET"]), status("RESET"));
    assert_eq!(h.run(&["SET", "key", "val"]), ok());
    assert_eq!(h.run(&["PUBLISH", "channel-1", "x"]), int(0));
}

#[test]
fn pubsub_clients_counts_subscribed_clients() {
    let mut h = Harness::new();
    let (a, b) = (h.connect(), h.connect());
    h.send_as(a, &["SUBSCRIBE", "x"]);
    h.send_as(b, &["SSUBSCRIBE", "y"]);
    assert_eq!(ferrokey_core::pubsub::pubsub_clients(&h.eng), 2);
    h.send_as(a, &["UNSUBSCRIBE"]);
    assert_eq!(ferrokey_core::pubsub::pubsub_clients(&h.eng), 1);
}
