//! The gate and a few basic commands, end to end through the engine.

mod common;
use common::*;

#[test]
fn set_then_get_returns_value() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SET", "k", "v"]), ok());
    assert_eq!(h.run(&["get", "k"]), bulk("v"));
    assert_eq!(h.run(&["GET", "nokey"]), null());
}

#[test]
fn unknown_command_gets_valkey_error() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["FOO", "a", "b"]), err("ERR unknown command 'FOO', with args beginning with: 'a' 'b' "));
    assert_eq!(h.run(&["FOO"]), err("ERR unknown command 'FOO', with args beginning with: "));
}

#[test]
fn wrong_arity_gets_valkey_error() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["GET"]), err("ERR wrong number of arguments for 'get' command"));
    assert_eq!(h.run(&["GET", "a", "b"]), err("ERR wrong number of arguments for 'get' command"));
}

#[test]
fn select_switches_database() {
    let mut h = Harness::new();
    h.run(&["SET", "k", "v0"]);
    assert_eq!(h.run(&["SELECT", "1"]), ok());
    assert_eq!(h.run(&["GET", "k"]), null());
    assert_eq!(h.run(&["SELECT", "16"]), err("ERR DB index is out of range"));
}
