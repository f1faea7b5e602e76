//! Transactions: MULTI / EXEC / DISCARD and WATCH, including Valkey's stale-key rules.

mod common;
use common::*;
use ferrokey_core::commands::transactions::{touch_all_watched_keys_in_db, watch_counts};
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;

/// Gives `key` in `db` a deadline `ms` from now, without going through a command.
fn expire_in(h: &mut Harness, db: usize, key: &str, ms: i64) {
    let at = h.now_ms() + ms;
    assert!(h.eng.dbs[db].set_expire(key.as_bytes(), at));
}

/// MULTI; PING; EXEC as the default client.
fn ping_transaction(h: &mut Harness) -> Reply {
    assert_eq!(h.run(&["MULTI"]), ok());
    assert_eq!(h.run(&["PING"]), status("QUEUED"));
    h.run(&["EXEC"])
}

fn pong() -> Reply {
    array(vec![status("PONG")])
}

#[test]
fn multi_exec_runs_queued_commands_in_order() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    assert_eq!(h.run(&["MULTI"]), ok());
    assert_eq!(h.run(&["GET", "k"]), status("QUEUED"));
    assert_eq!(h.run(&["SET", "k", "w"]), status("QUEUED"));
    assert_eq!(h.run(&["GET", "k"]), status("QUEUED"));
    assert_eq!(h.run(&["PING"]), status("QUEUED"));
    assert_eq!(h.run(&["EXEC"]), array(vec![bulk("v"), ok(), bulk("w"), status("PONG")]));
    assert_eq!(h.run(&["GET", "k"]), bulk("w"));
}

#[test]
fn exec_of_empty_transaction_is_empty_array() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![]));
}

#[test]
fn discard_drops_queued_commands() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v"]);
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["SET", "k", "w"]), status("QUEUED"));
    assert_eq!(h.run(&["DISCARD"]), ok());
    assert_eq!(h.run(&["GET", "k"]), bulk("v"));
    assert_eq!(h.run(&["EXEC"]), err("ERR EXEC without MULTI"));
}

#[test]
fn exec_and_discard_without_multi_are_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["EXEC"]), err("ERR EXEC without MULTI"));
    assert_eq!(h.run(&["DISCARD"]), err("ERR DISCARD without MULTI"));
}

#[test]
fn nested_multi_is_refused_and_aborts_the_transaction() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["MULTI"]), err("ERR Command not allowed inside a transaction"));
    assert_eq!(h.run(&["EXEC"]), err("EXECABORT Transaction discarded because of previous errors."));
}

#[test]
fn watch_inside_multi_is_refused_and_aborts_the_transaction() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["WATCH", "x"]), err("ERR Command not allowed inside a transaction"));
    assert_eq!(h.run(&["EXEC"]), err("EXECABORT Transaction discarded because of previous errors."));
    // Arity is checked first, and aborts too.
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["WATCH"]), err("ERR wrong number of arguments for 'watch' command"));
    assert_eq!(h.run(&["EXEC"]), err("EXECABORT Transaction discarded because of previous errors."));
}

#[test]
fn queueing_error_aborts_exec_and_runs_nothing() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["SET", "foo1", "bar1"]), status("QUEUED"));
    assert_eq!(
        h.run(&["non-existing-command"]),
        err("ERR unknown command 'non-existing-command', with args beginning with: ")
    );
    assert_eq!(h.run(&["SET", "foo2", "bar2"]), status("QUEUED"));
    assert_eq!(h.run(&["EXEC"]), err("EXECABORT Transaction discarded because of previous errors."));
    assert_eq!(h.run(&["GET", "foo1"]), null());
    assert_eq!(h.run(&["GET", "foo2"]), null());
    // The client left MULTI.
    assert_eq!(h.run(&["PING"]), status("PONG"));
}

#[test]
fn runtime_errors_inside_exec_are_per_command_replies() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    h.run(&["SET", "a", "1"]);
    h.run(&["SELECT", "99"]);
    h.run(&["GET", "a"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![ok(), err("ERR DB index is out of range"), bulk("1")]));
}

#[test]
fn select_inside_exec_changes_the_clients_db() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "k", "in1"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![ok(), ok()]));
    assert_eq!(h.run(&["GET", "k"]), bulk("in1"));
    h.run(&["SELECT", "0"]);
    assert_eq!(h.run(&["GET", "k"]), null());
}

#[test]
fn quit_and_reset_are_not_queued() {
    let mut h = Harness::new();
    h.run(&["MULTI"]);
    h.run(&["SET", "key-a", "a"]);
    assert_eq!(h.run(&["RESET"]), status("RESET"));
    assert_eq!(h.run(&["EXEC"]), err("ERR EXEC without MULTI"));
    assert_eq!(h.run(&["GET", "key-a"]), null());
    h.run(&["MULTI"]);
    assert_eq!(h.run(&["QUIT"]), ok());
    assert!(h.eng.should_close(h.client));
}

#[test]
fn exec_reply_shapes_nest_resp3_types() {
    let mut h = Harness::resp3();
    h.run(&["MULTI"]);
    h.run(&["HELLO"]);
    let Reply::Array(items) = h.run(&["EXEC"]) else { panic!("EXEC is an array") };
    assert!(matches!(items[0], Reply::Map(_)));
}

#[test]
fn exec_works_on_watched_keys_not_modified() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["WATCH", "x", "y", "z"]), ok());
    assert_eq!(h.run(&["WATCH", "k"]), ok());
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn exec_fails_when_watched_key_was_modified() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    h.run(&["SET", "x", "40"]);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
    assert_eq!(wire(&Reply::NullArray, Protocol::Resp2), "*-1\r\n");
    assert_eq!(wire(&Reply::NullArray, Protocol::Resp3), "_\r\n");
}

#[test]
fn exec_fails_when_one_of_five_watched_keys_was_modified_by_another_client() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "a", "b", "x", "k", "z"]);
    let other = h.connect();
    h.run_as(other, &["SET", "x", "40"]);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn exec_fails_when_watched_key_is_modified_after_multi() {
    let mut h = Harness::new();
    h.run(&["WATCH", "x"]);
    h.run(&["MULTI"]);
    h.run(&["SET", "y", "1"]);
    let other = h.connect();
    h.run_as(other, &["SET", "x", "40"]);
    assert_eq!(h.run(&["EXEC"]), Reply::NullArray);
    assert_eq!(h.run(&["GET", "y"]), null());
}

#[test]
fn transactions_own_writes_do_not_fail_it() {
    let mut h = Harness::new();
    h.run(&["WATCH", "x"]);
    h.run(&["MULTI"]);
    h.run(&["SET", "x", "1"]);
    h.run(&["SET", "x", "2"]);
    assert_eq!(h.run(&["EXEC"]), array(vec![ok(), ok()]));
}

#[test]
fn after_successful_exec_key_is_no_longer_watched() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    assert_eq!(ping_transaction(&mut h), pong());
    h.run(&["SET", "x", "40"]);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn after_failed_exec_key_is_no_longer_watched() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    h.run(&["SET", "x", "40"]);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
    h.run(&["SET", "x", "40"]);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn unwatch_forgets_watched_keys_and_dirtiness() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    h.run(&["SET", "x", "40"]);
    assert_eq!(h.run(&["UNWATCH"]), ok());
    assert_eq!(ping_transaction(&mut h), pong());
    assert_eq!(h.run(&["UNWATCH"]), ok());
}

#[test]
fn discard_clears_dirty_flag_and_unwatches() {
    let mut h = Harness::new();
    h.run(&["WATCH", "x"]);
    h.run(&["SET", "x", "10"]);
    h.run(&["MULTI"]);
    h.run(&["DISCARD"]);
    assert_eq!(ping_transaction(&mut h), pong());
    h.run(&["WATCH", "x"]);
    h.run(&["MULTI"]);
    h.run(&["DISCARD"]);
    h.run(&["SET", "x", "10"]);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn watch_remembers_the_db_a_key_belongs_to() {
    let mut h = Harness::new();
    h.run(&["SELECT", "5"]);
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "x", "10"]);
    h.run(&["SELECT", "5"]);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn watch_after_watched_key_changed_adds_nothing() {
    let mut h = Harness::new();
    h.run(&["WATCH", "x"]);
    h.run(&["SET", "x", "1"]);
    assert_eq!(h.run(&["WATCH", "y"]), ok());
    assert_eq!(watch_counts(&h.eng), (0, 0));
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn watch_counts_clients_and_distinct_keys() {
    let mut h = Harness::new();
    let other = h.connect();
    assert_eq!(watch_counts(&h.eng), (0, 0));
    h.run_as(other, &["WATCH", "key"]);
    h.run_as(other, &["WATCH", "key"]);
    assert_eq!(watch_counts(&h.eng), (1, 1));
    h.run(&["WATCH", "key2"]);
    assert_eq!(watch_counts(&h.eng), (2, 2));
    h.run(&["UNWATCH"]);
    assert_eq!(watch_counts(&h.eng), (1, 1));
    h.run_as(other, &["MULTI"]);
    h.run_as(other, &["EXEC"]);
    assert_eq!(watch_counts(&h.eng), (0, 0));
}

#[test]
fn watch_fails_exec_when_watched_key_expires_actively() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1000);
    h.run(&["WATCH", "x"]);
    h.advance_ms(1001);
    assert_eq!(h.eng.dbs[0].len(), 0, "the active cycle deleted x");
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn watch_fails_exec_when_watched_key_is_logically_expired_at_exec() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "1"]);
    expire_in(&mut h, 0, "x", 100);
    h.run(&["WATCH", "x"]);
    h.advance_ms_no_cron(101);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    assert_eq!(h.run(&["EXEC"]), Reply::NullArray);
}

#[test]
fn watch_of_stale_key_does_not_fail_exec() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["WATCH", "x"]);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn deleting_a_watched_stale_key_does_not_fail_exec() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["WATCH", "x"]);
    // GET triggers lazy expiry, deleting x.
    assert_eq!(h.run(&["GET", "x"]), null());
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn active_expiry_of_a_watched_stale_key_does_not_fail_exec() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["WATCH", "x"]);
    h.advance_ms(100);
    assert_eq!(h.eng.dbs[0].len(), 0);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn recreating_a_watched_stale_key_after_its_deletion_fails_exec() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["WATCH", "x"]);
    assert_eq!(h.run(&["GET", "x"]), null());
    h.run(&["SET", "x", "new"]);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn flush_touches_watched_keys_that_exist() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    touch_all_watched_keys_in_db(&mut h.eng, 0, None);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn flush_does_not_touch_missing_watched_keys() {
    let mut h = Harness::new();
    h.run(&["WATCH", "x"]);
    touch_all_watched_keys_in_db(&mut h.eng, 0, None);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn flush_does_not_touch_watched_stale_keys() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["WATCH", "x"]);
    touch_all_watched_keys_in_db(&mut h.eng, 0, None);
    h.eng.dbs[0].clear();
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn flush_of_another_db_leaves_watchers_alone() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    touch_all_watched_keys_in_db(&mut h.eng, 1, None);
    assert_eq!(ping_transaction(&mut h), pong());
}

/// SWAPDB a b as the keys engineer calls it: both sides, before swapping.
fn swapdb(h: &mut Harness, a: usize, b: usize) {
    touch_all_watched_keys_in_db(&mut h.eng, a, Some(b));
    touch_all_watched_keys_in_db(&mut h.eng, b, Some(a));
    h.eng.dbs.swap(a, b);
}

#[test]
fn swapdb_touches_watched_keys_that_exist() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "30"]);
    h.run(&["WATCH", "x"]);
    swapdb(&mut h, 0, 1);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn swapdb_touches_watched_keys_that_do_not_exist() {
    let mut h = Harness::new();
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "x", "30"]);
    h.run(&["SELECT", "0"]);
    h.run(&["WATCH", "x"]);
    swapdb(&mut h, 0, 1);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn swapdb_does_not_touch_watched_stale_key_replaced_by_nothing() {
    let mut h = Harness::new();
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 1, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["WATCH", "x"]);
    swapdb(&mut h, 0, 1);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn swapdb_does_not_touch_missing_key_replaced_by_stale_key() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["SELECT", "1"]);
    h.run(&["WATCH", "x"]);
    swapdb(&mut h, 0, 1);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn swapdb_does_not_touch_stale_key_replaced_by_stale_key() {
    let mut h = Harness::new();
    h.run(&["SELECT", "1"]);
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 1, "x", 1);
    h.run(&["SELECT", "0"]);
    h.run(&["SET", "x", "bar"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["SELECT", "1"]);
    h.run(&["WATCH", "x"]);
    swapdb(&mut h, 0, 1);
    assert_eq!(ping_transaction(&mut h), pong());
}

#[test]
fn client_list_shows_multi_state_and_dirty_flag() {
    let mut h = Harness::new();
    let other = h.connect();
    h.run(&["WATCH", "x"]);
    h.run(&["MULTI"]);
    h.run(&["PING"]);
    h.run(&["PING"]);
    let list = text(h.run_as(other, &["CLIENT", "LIST", "ID", &h.client.to_string()]));
    assert!(list.contains(" flags=x "), "{list}");
    assert!(list.contains(" multi=2 watch=1 "), "{list}");
    assert!(!list.contains(" multi-mem=0 "), "{list}");
    h.run_as(other, &["SET", "x", "1"]);
    let list = text(h.run_as(other, &["CLIENT", "LIST", "ID", &h.client.to_string()]));
    assert!(list.contains(" flags=xd "), "{list}");
    assert!(list.contains(" watch=0 "), "{list}");
    assert_eq!(h.run(&["EXEC"]), Reply::NullArray);
}

#[test]
fn exec_is_recorded_as_the_last_command() {
    let mut h = Harness::new();
    let other = h.connect();
    h.run(&["MULTI"]);
    h.run(&["GET", "x"]);
    h.run(&["EXEC"]);
    let list = text(h.run_as(other, &["CLIENT", "LIST", "ID", &h.client.to_string()]));
    assert!(list.contains(" cmd=exec "), "{list}");
}

fn text(reply: Reply) -> String {
    match reply {
        Reply::Verbatim(_, t) | Reply::Bulk(t) => String::from_utf8(t).expect("utf8"),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn overwriting_a_watched_stale_key_fails_exec() {
    let mut h = Harness::new();
    h.run(&["SET", "x", "foo"]);
    expire_in(&mut h, 0, "x", 1);
    h.advance_ms_no_cron(2);
    h.run(&["WATCH", "x"]);
    h.run(&["SET", "x", "new"]);
    assert_eq!(ping_transaction(&mut h), Reply::NullArray);
}

#[test]
fn queued_command_flags_unite_the_queue() {
    use ferrokey_core::command::flag;
    use ferrokey_core::commands::transactions::queued_command_flags;
    let mut h = Harness::new();
    assert_eq!(queued_command_flags(&h.eng, h.client), 0);
    h.run(&["MULTI"]);
    h.run(&["GET", "k"]);
    let read_only = queued_command_flags(&h.eng, h.client);
    assert_eq!(read_only & flag::WRITE, 0);
    assert_ne!(read_only & flag::READONLY, 0);
    h.run(&["SET", "k", "v"]);
    assert_ne!(queued_command_flags(&h.eng, h.client) & flag::WRITE, 0);
    h.run(&["DISCARD"]);
}
