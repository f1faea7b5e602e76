//! The wasm face in a JS host (Node, and headless Chromium with WASM_BINDGEN_USE_BROWSER=1): replies
//! arrive as the JS values pkg/index.d.ts documents, time and seeds behave, snapshots round-trip.
#![cfg(target_arch = "wasm32")]

use ferrokey_wasm::Store;
use js_sys::{Array, BigInt, Function, Map, Set, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn make_error() -> Function {
    Function::new_with_args("text", "const e = new Error(text); e.isReply = true; return e")
}

fn store(options: &str) -> Store {
    Store::new(JSON::parse(options).unwrap(), None, make_error()).unwrap()
}

fn args(a: &[&str]) -> Array {
    a.iter().map(|s| JsValue::from_str(s)).collect()
}

/// Runs a command and returns its single reply.
fn run(s: &mut Store, id: f64, a: &[&str]) -> JsValue {
    let out = s.exec(id, &args(a), false).unwrap();
    assert_eq!(out.length(), 3, "one reply and the status word for {a:?}");
    assert_eq!(out.get(0), JsValue::from(0u8), "a reply, not a push");
    out.get(1)
}

fn strings(v: &JsValue) -> Vec<String> {
    Array::from(v).iter().map(|x| x.as_string().unwrap()).collect()
}

#[wasm_bindgen_test]
fn exec_string_commands_reply_strings_and_numbers() {
    let mut s = store("{}");
    let c = s.connect(2, None, 0).unwrap();
    assert_eq!(run(&mut s, c, &["SET", "k", "v"]), "OK");
    assert_eq!(run(&mut s, c, &["GET", "k"]), "v");
    assert_eq!(run(&mut s, c, &["INCR", "n"]), 1);
    assert!(run(&mut s, c, &["GET", "missing"]).is_null());
}

#[wasm_bindgen_test]
fn exec_integer_beyond_2_pow_53_replies_bigint() {
    let mut s = store("{}");
    let c = s.connect(2, None, 0).unwrap();
    run(&mut s, c, &["SET", "n", "9007199254740992"]);
    let n = run(&mut s, c, &["INCR", "n"]);
    assert!(n.is_bigint());
    assert_eq!(n.dyn_into::<BigInt>().unwrap().to_string(10).unwrap(), "9007199254740993");
}

#[wasm_bindgen_test]
fn exec_resp3_map_and_set_and_double_are_js_types() {
    let mut s = store("{}");
    let c = s.connect(3, None, 0).unwrap();
    run(&mut s, c, &["HSET", "h", "f", "v"]);
    let map = run(&mut s, c, &["HGETALL", "h"]).dyn_into::<Map>().unwrap();
    assert_eq!(map.get(&"f".into()), "v");
    run(&mut s, c, &["SADD", "s", "a"]);
    assert!(run(&mut s, c, &["SMEMBERS", "s"]).dyn_into::<Set>().unwrap().has(&"a".into()));
    run(&mut s, c, &["ZADD", "z", "1.5", "m"]);
    assert_eq!(run(&mut s, c, &["ZSCORE", "z", "m"]), 1.5);
}

#[wasm_bindgen_test]
fn exec_resp2_map_is_flat_array_and_double_a_string() {
    let mut s = store("{}");
    let c = s.connect(2, None, 0).unwrap();
    run(&mut s, c, &["HSET", "h", "f", "v"]);
    assert_eq!(strings(&run(&mut s, c, &["HGETALL", "h"])), ["f", "v"]);
    run(&mut s, c, &["ZADD", "z", "1.5", "m"]);
    assert_eq!(run(&mut s, c, &["ZSCORE", "z", "m"]), "1.5");
}

#[wasm_bindgen_test]
fn exec_error_reply_is_made_by_the_hosts_factory() {
    let mut s = store("{}");
    let c = s.connect(2, None, 0).unwrap();
    run(&mut s, c, &["SET", "k", "v"]);
    let err = run(&mut s, c, &["LPUSH", "k", "x"]).dyn_into::<js_sys::Error>().unwrap();
    assert_eq!(err.message(), "WRONGTYPE Operation against a key holding the wrong kind of value");
}

#[wasm_bindgen_test]
fn exec_binary_argument_and_buffer_reply_keep_bytes() {
    let mut s = store("{}");
    let c = s.connect(2, None, 0).unwrap();
    let bytes: &[u8] = &[0, 255, 13, 10];
    let a: Array = [JsValue::from_str("SET"), "b".into(), Uint8Array::from(bytes).into()].iter().collect();
    s.exec(c, &a, false).unwrap();
    let out = s.exec(c, &args(&["GET", "b"]), true).unwrap();
    assert_eq!(out.get(1).dyn_into::<Uint8Array>().unwrap().to_vec(), bytes);
}

#[wasm_bindgen_test]
fn manual_clock_expires_keys_when_moved() {
    let mut s = store(r#"{"manual": true, "nowMs": 1000000}"#);
    let c = s.connect(2, None, 0).unwrap();
    run(&mut s, c, &["SET", "k", "v", "PX", "100"]);
    s.set_time_ms(1_000_100.0).unwrap();
    assert_eq!(run(&mut s, c, &["GET", "k"]), "v");
    s.set_time_ms(1_000_101.0).unwrap();
    assert!(run(&mut s, c, &["GET", "k"]).is_null());
    assert_eq!(s.now_ms(), 1_000_101.0);
}

#[wasm_bindgen_test]
fn real_clock_refuses_to_be_moved() {
    let mut s = store("{}");
    assert!(!s.is_manual());
    assert!(s.set_time_ms(0.0).is_err());
    assert!((s.now_ms() - js_sys::Date::now()).abs() < 5000.0);
}

#[wasm_bindgen_test]
fn same_seed_gives_same_random_replies() {
    let spop = |seed: u32| {
        let mut s = store(&format!(r#"{{"seed": {seed}}}"#));
        let c = s.connect(2, None, 0).unwrap();
        let members: Vec<String> = (0..50).map(|i| format!("m{i}")).collect();
        let mut a = vec!["SADD", "s"];
        a.extend(members.iter().map(String::as_str));
        run(&mut s, c, &a);
        strings(&run(&mut s, c, &["SPOP", "s", "5"]))
    };
    assert_eq!(spop(42), spop(42));
}

#[wasm_bindgen_test]
fn blocked_client_is_woken_by_another_clients_write() {
    let mut s = store("{}");
    let (a, b) = (s.connect(2, None, 0).unwrap(), s.connect(2, None, 0).unwrap());
    let out = s.exec(a, &args(&["BLPOP", "q", "0"]), false).unwrap();
    assert_eq!(out.length(), 1, "no reply, only the status word");
    assert_eq!(out.get(0).as_f64(), Some(1.0), "status: blocked");
    assert!(s.is_blocked(a));
    run(&mut s, b, &["RPUSH", "q", "x"]);
    assert_eq!(s.take_woken(), [a]);
    let out = s.take_output(a, false);
    assert_eq!(strings(&out.get(1)), ["q", "x"]);
    assert!(!s.is_blocked(a));
}

#[wasm_bindgen_test]
fn blocked_client_times_out_on_the_manual_clock() {
    let mut s = store(r#"{"manual": true, "nowMs": 0}"#);
    let a = s.connect(2, None, 0).unwrap();
    s.exec(a, &args(&["BLPOP", "q", "1"]), false).unwrap();
    assert_eq!(s.next_deadline_ms(), 1000.0);
    s.set_time_ms(1000.0).unwrap();
    assert!(s.is_blocked(a), "Valkey times out once the deadline is passed, not reached");
    s.set_time_ms(1001.0).unwrap();
    assert!(!s.is_blocked(a));
    assert!(s.take_output(a, false).get(1).is_null());
}

#[wasm_bindgen_test]
fn subscriber_gets_published_message_as_push() {
    let mut s = store("{}");
    let (sub, publ) = (s.connect(2, None, 0).unwrap(), s.connect(2, None, 0).unwrap());
    let confirm = s.exec(sub, &args(&["SUBSCRIBE", "ch"]), false).unwrap();
    assert_eq!(confirm.get(0), JsValue::from(1u8));
    assert_eq!(run(&mut s, publ, &["PUBLISH", "ch", "hi"]), 1);
    assert_eq!(s.take_woken(), [sub]);
    let out = s.take_output(sub, false);
    assert_eq!(out.get(0), JsValue::from(1u8));
    assert_eq!(strings(&out.get(1)), ["message", "ch", "hi"]);
}

#[wasm_bindgen_test]
fn snapshot_round_trip_keeps_keys() {
    let mut a = store("{}");
    let c = a.connect(2, None, 0).unwrap();
    run(&mut a, c, &["RPUSH", "l", "1", "2"]);
    run(&mut a, c, &["ZADD", "z", "2", "b", "1", "a"]);
    let bytes = a.snapshot();
    let mut b = Store::new(JsValue::UNDEFINED, Some(bytes), make_error()).unwrap();
    let c = b.connect(2, None, 0).unwrap();
    assert_eq!(strings(&run(&mut b, c, &["LRANGE", "l", "0", "-1"])), ["1", "2"]);
    assert_eq!(strings(&run(&mut b, c, &["ZRANGE", "z", "0", "-1"])), ["a", "b"]);
}

#[wasm_bindgen_test]
fn corrupt_snapshot_is_refused() {
    assert!(Store::new(JsValue::UNDEFINED, Some(b"REDIS0010garbage".to_vec()), make_error()).is_err());
}

#[wasm_bindgen_test]
fn raw_connection_answers_resp_bytes() {
    let mut s = store("{}");
    let r = s.connect_raw("127.0.0.1:1".into(), "127.0.0.1:2".into());
    assert_eq!(s.feed(r, b"*1\r\n$4\r\nPI"), b"");
    assert_eq!(s.feed(r, b"NG\r\nECHO hi\r\n"), b"+PONG\r\n$2\r\nhi\r\n");
    s.feed(r, b"*1\r\n$x\r\n");
    assert!(s.should_close(r));
}

#[wasm_bindgen_test]
fn eval_runs_lua_5_1() {
    let mut s = store("{}");
    let c = s.connect(2, None, 0).unwrap();
    let r = run(
        &mut s,
        c,
        &["EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return {_VERSION, redis.call('GET', KEYS[1])}", "1", "k", "v"],
    );
    assert_eq!(strings(&r), ["Lua 5.1", "v"]);
}
