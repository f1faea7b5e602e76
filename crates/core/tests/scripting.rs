//! EVAL, EVALSHA, SCRIPT and the Lua environment scripts run in: the behaviours of Valkey's
//! tests/unit/scripting.tcl that need neither replication nor DEBUG. Like the TCL suite, most cases run
//! four ways: as an EVAL script and as a function body, each through `redis.*` and `server.*`.

mod common;
use common::*;
use ferrokey_core::config::Config;
use ferrokey_core::glob::glob_match;
use ferrokey_core::resp::Protocol;
use ferrokey_core::scripting::{self, BusyScript, LogLevel, ScriptHost};
use ferrokey_core::{Clock, Engine, Reply};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
// The same cases in wasm32, where `#[test]` is wasm-bindgen-test's and they run in Node:
//   cargo test -p ferrokey-core --target wasm32-unknown-unknown --test scripting
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Eval,
    Function,
}

const VARIANTS: [(Mode, &str); 4] =
    [(Mode::Eval, "redis"), (Mode::Eval, "server"), (Mode::Function, "redis"), (Mode::Function, "server")];

fn argv_with<'a>(head: &[&'a str], n: &'a str, keys: &[&'a str], args: &[&'a str]) -> Vec<&'a str> {
    let mut v = head.to_vec();
    v.push(n);
    v.extend_from_slice(keys);
    v.extend_from_slice(args);
    v
}

fn eval(h: &mut Harness, script: &str, keys: &[&str], args: &[&str]) -> Reply {
    let n = keys.len().to_string();
    h.run(&argv_with(&["EVAL", script], &n, keys, args))
}

/// Runs `body` as the tests' `run_script` does: an EVAL, or the body of function `test`.
fn run_script(h: &mut Harness, mode: Mode, api: &str, body: &str, keys: &[&str], args: &[&str]) -> Reply {
    run_with(h, mode, api, body, keys, args, false)
}

/// `run_script_ro`: EVAL_RO, or FCALL_RO of a `no-writes` function.
fn run_script_ro(h: &mut Harness, mode: Mode, api: &str, body: &str, keys: &[&str], args: &[&str]) -> Reply {
    run_with(h, mode, api, body, keys, args, true)
}

fn run_with(h: &mut Harness, mode: Mode, api: &str, body: &str, keys: &[&str], args: &[&str], ro: bool) -> Reply {
    let body = body.replace("redis.", &format!("{api}."));
    let n = keys.len().to_string();
    match mode {
        Mode::Eval => h.run(&argv_with(&[if ro { "EVAL_RO" } else { "EVAL" }, &body], &n, keys, args)),
        Mode::Function => {
            let code = if ro {
                format!("#!lua name=test\n{api}.register_function{{function_name='test', callback=function(KEYS, ARGV)\n {body} \nend, flags={{'no-writes'}}}}")
            } else {
                format!("#!lua name=test\n{api}.register_function('test', function(KEYS, ARGV)\n {body} \nend)")
            };
            assert_eq!(h.run(&["FUNCTION", "LOAD", "REPLACE", &code]), bulk("test"), "loading {body}");
            h.run(&argv_with(&[if ro { "FCALL_RO" } else { "FCALL" }, "test"], &n, keys, args))
        }
    }
}

fn each_variant(f: impl Fn(&mut Harness, Mode, &str)) {
    for (mode, api) in VARIANTS {
        let mut h = Harness::new();
        f(&mut h, mode, api);
    }
}

#[track_caller]
fn assert_error_like(r: &Reply, pattern: &str) {
    match r {
        Reply::Error(e) => {
            assert!(glob_match(pattern.as_bytes(), e.as_bytes(), false), "{e:?} does not match {pattern:?}")
        }
        other => panic!("expected an error like {pattern:?}, got {other:?}"),
    }
}

fn float_bulk(r: &Reply) -> f64 {
    match r {
        Reply::Bulk(b) => std::str::from_utf8(b).unwrap().parse().unwrap(),
        other => panic!("not a bulk: {other:?}"),
    }
}

// -- conversions -----------------------------------------------------------------------------------

#[test]
fn script_lua_values_convert_to_replies() {
    each_variant(|h, m, api| {
        assert_eq!(run_script(h, m, api, "return 'hello'", &[], &[]), bulk("hello"));
        assert_eq!(run_script(h, m, api, "return _G", &[], &[]), array(vec![]));
        assert_eq!(
            run_script(h, m, api, "local a = {}; setmetatable(a,{__index=function() foo() end}) return a", &[], &[]),
            array(vec![])
        );
        assert_eq!(run_script(h, m, api, "return 100.5", &[], &[]), int(100));
        assert_eq!(run_script(h, m, api, "return -100.5", &[], &[]), int(-100));
        assert_eq!(run_script(h, m, api, "return true", &[], &[]), int(1));
        assert_eq!(run_script(h, m, api, "return false", &[], &[]), null());
        assert_eq!(run_script(h, m, api, "return {ok='fine'}", &[], &[]), status("fine"));
        assert_eq!(run_script(h, m, api, "return {err='ERR this is an error'}", &[], &[]), err("ERR this is an error"));
        assert_eq!(
            run_script(h, m, api, "return {1,2,3,'ciao',{1,2}}", &[], &[]),
            array(vec![int(1), int(2), int(3), bulk("ciao"), array(vec![int(1), int(2)])])
        );
        assert_eq!(
            run_script(h, m, api, "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", &["a{t}", "b{t}"], &["c{t}", "d{t}"]),
            bulks(&["a{t}", "b{t}", "c{t}", "d{t}"])
        );
        assert_eq!(run_script(h, m, api, "return {1,nil,3}", &[], &[]), array(vec![int(1)]));
        assert_eq!(run_script(h, m, api, "return 'hello' --trailing comment", &[], &[]), bulk("hello"));
    });
}

#[test]
fn script_metatable_calling_server_does_not_run() {
    each_variant(|h, m, api| {
        let body = "local a = {}; setmetatable(a,{__index=function() redis.call('set', 'x', '1') end}) return a";
        assert_eq!(run_script(h, m, api, body, &["x"], &[]), array(vec![]));
        assert_eq!(h.run(&["GET", "x"]), null());
    });
}

#[test]
fn script_command_replies_convert_to_lua() {
    each_variant(|h, m, api| {
        h.run(&["SET", "x", "0"]);
        let typed = "local foo = redis.pcall(ARGV[1], KEYS[1], ARGV[2], ARGV[3]) return {type(foo), foo}";
        assert_eq!(
            run_script(h, m, api, "local foo = redis.pcall('incr',KEYS[1]) return {type(foo),foo}", &["x"], &[]),
            array(vec![bulk("number"), int(1)])
        );
        h.run(&["DEL", "hash"]);
        assert_eq!(
            run_script(
                h,
                m,
                api,
                "local foo = redis.pcall('hincrby','hash','field',200000000) return {type(foo),foo}",
                &[],
                &[]
            ),
            array(vec![bulk("number"), int(200000000)])
        );
        h.run(&["SET", "mykey", "myval"]);
        assert_eq!(
            run_script(h, m, api, "local foo = redis.pcall('get',KEYS[1]) return {type(foo),foo}", &["mykey"], &[]),
            bulks(&["string", "myval"])
        );
        h.run(&["RPUSH", "mylist", "a", "b", "c"]);
        assert_eq!(
            run_script(
                h,
                m,
                api,
                "local foo = redis.pcall('lrange',KEYS[1],0,-1) return {type(foo),foo[1],foo[2],foo[3],# foo}",
                &["mylist"],
                &[]
            ),
            array(vec![bulk("table"), bulk("a"), bulk("b"), bulk("c"), int(3)])
        );
        assert_eq!(
            run_script(
                h,
                m,
                api,
                "local foo = redis.pcall('set',KEYS[1],'myval') return {type(foo),foo['ok']}",
                &["mykey"],
                &[]
            ),
            bulks(&["table", "OK"])
        );
        assert_eq!(
            run_script(
                h,
                m,
                api,
                "local foo = redis.pcall('incr',KEYS[1]) return {type(foo),foo['err']}",
                &["mykey"],
                &[]
            ),
            bulks(&["table", "ERR value is not an integer or out of range"])
        );
        h.run(&["DEL", "mykey"]);
        assert_eq!(
            run_script(
                h,
                m,
                api,
                "local foo = redis.pcall('get',KEYS[1]) return {type(foo),foo == false}",
                &["mykey"],
                &[]
            ),
            array(vec![bulk("boolean"), int(1)])
        );
        let _ = typed;
    });
}

#[test]
fn script_is_lua_able_to_call_the_server() {
    each_variant(|h, m, api| {
        h.run(&["SET", "mykey", "myval"]);
        assert_eq!(run_script(h, m, api, "return redis.call('get',KEYS[1])", &["mykey"], &[]), bulk("myval"));
    });
}

#[test]
fn script_uses_the_callers_db_and_select_does_not_leak() {
    each_variant(|h, m, api| {
        h.run(&["SET", "mykey", "this is DB 9"]);
        h.run(&["SELECT", "10"]);
        h.run(&["SET", "mykey", "this is DB 10"]);
        assert_eq!(run_script(h, m, api, "return redis.pcall('get',KEYS[1])", &["mykey"], &[]), bulk("this is DB 10"));
        h.run(&["SET", "mykey", "original value"]);
        assert_eq!(run_script(h, m, api, "return redis.pcall('select','9')", &[], &[]), ok());
        assert_eq!(h.run(&["GET", "mykey"]), bulk("original value"));
    });
}

#[test]
fn script_blocking_commands_do_not_block() {
    each_variant(|h, m, api| {
        assert_eq!(run_script(h, m, api, "return redis.pcall('blpop','l',0)", &["l"], &[]), null());
        assert_eq!(run_script(h, m, api, "return redis.pcall('brpop','l',0)", &["l"], &[]), null());
        assert_eq!(
            run_script(
                h,
                m,
                api,
                "return redis.pcall('blmove','empty_list1{t}', 'empty_list2{t}', 'LEFT', 'LEFT', 0)",
                &[],
                &[]
            ),
            null()
        );
        assert_eq!(run_script(h, m, api, "return redis.pcall('bzpopmin','empty_zset', 0)", &[], &[]), null());
        assert_eq!(run_script(h, m, api, "return redis.pcall('bzpopmax','empty_zset', 0)", &[], &[]), null());
    });
}

#[test]
fn script_nondeterministic_commands_then_writes_are_allowed() {
    each_variant(|h, m, api| {
        let r = run_script(h, m, api, "redis.pcall('randomkey'); return redis.pcall('set','x','ciao')", &["x"], &[]);
        assert_eq!(r, ok());
    });
}

// -- errors from redis.call -----------------------------------------------------------------------

#[test]
fn script_call_errors_raise_with_valkey_texts() {
    each_variant(|h, m, api| {
        assert_error_like(&run_script(h, m, api, "return redis.call()", &[], &[]), "*one argument*");
        assert_error_like(&run_script(h, m, api, "redis.call('nosuchcommand')", &[], &[]), "*Unknown command*");
        assert_error_like(&run_script(h, m, api, "redis.call('get','a','b','c')", &[], &[]), "*number of args*");
        h.run(&["SET", "foo", "bar"]);
        assert_error_like(
            &run_script(h, m, api, "redis.call('lpush',KEYS[1],'val')", &["foo"], &[]),
            "*against a key*",
        );
        assert_error_like(
            &run_script(h, m, api, "redis.call('set','invalid')", &[], &[]),
            "ERR Wrong number of args calling command from script*",
        );
        assert_error_like(
            &run_script(h, m, api, "redis.call('incr')", &[], &[]),
            "ERR Wrong number of args calling command from script*",
        );
        assert_error_like(&run_script(h, m, api, "redis.call('multi')", &[], &[]), "*command is not allowed*");
        assert_error_like(&run_script(h, m, api, "redis.sha1hex()", &[], &[]), "*wrong number*");
    });
}

#[test]
fn eval_error_replies_name_the_script_and_line() {
    let mut h = Harness::new();
    let r = eval(&mut h, "return redis.call('nosuchcommand')", &[], &[]);
    let sha = scripting::sha1hex(b"return redis.call('nosuchcommand')");
    assert_eq!(r, err(&format!("ERR Unknown command called from script script: {sha}, on @user_script:1.")));
    let r = eval(&mut h, "\nerror('boom')", &[], &[]);
    let sha = scripting::sha1hex(b"\nerror('boom')");
    assert_eq!(r, err(&format!("ERR user_script:2: boom script: {sha}, on @user_script:2.")));
    let r = eval(&mut h, "error('boom', 0)", &[], &[]);
    assert_error_like(&r, "ERR boom script: *, on @user_script:1.");
    assert_error_like(&eval(&mut h, "error({err='X y'})", &[], &[]), "X y script: *, on @user_script:1.");
    assert_error_like(
        &eval(&mut h, "return cjson.decode('{')", &[], &[]),
        "ERR user_script:1: Expected object key string but found T_END at character 2 script: *",
    );
    assert_error_like(
        &eval(&mut h, "return bit.tobit('x')", &[], &[]),
        "ERR user_script:1: bad argument #1 to 'tobit' (number expected, got string) script: *",
    );
    assert_error_like(
        &eval(&mut h, "return math.random(0)", &[], &[]),
        "ERR user_script:1: bad argument #1 to 'random' (interval is empty) script: *",
    );
    assert_error_like(
        &eval(&mut h, "return cmsgpack.pack()", &[], &[]),
        "ERR user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.) script: *",
    );
    assert_error_like(
        &eval(&mut h, "return struct.pack('q', 1)", &[], &[]),
        "ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'q') script: *",
    );
    assert_error_like(
        &eval(&mut h, "x = ", &[], &[]),
        "ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'",
    );
    assert_error_like(&eval(&mut h, "redis.log(99, 'x')", &[], &[]), "ERR Invalid log level. script: *");
    assert_error_like(&eval(&mut h, "redis.setresp(4)", &[], &[]), "ERR RESP version must be 2 or 3. script: *");
}

#[test]
fn script_pcall_catches_errors_as_text() {
    let mut h = Harness::new();
    assert_eq!(
        eval(&mut h, "local ok, e = pcall(redis.call, 'nosuch') return {type(e), e}", &[], &[]),
        bulks(&["string", "ERR Unknown command called from script"])
    );
    assert_eq!(eval(&mut h, "local ok, e = pcall(error, {x=1}) return type(e)", &[], &[]), bulk("table"));
    assert_eq!(eval(&mut h, "local ok, e = pcall(error, {err=1}) return type(e)", &[], &[]), bulk("number"));
    assert_eq!(
        eval(&mut h, "return {pcall(cjson.decode, '{')}", &[], &[]),
        array(vec![null(), bulk("Expected object key string but found T_END at character 2")])
    );
    assert_eq!(
        eval(&mut h, "return {pcall(cjson.encode, 1, 2)}", &[], &[]),
        array(vec![null(), bulk("bad argument #1 to '?' (expected 1 argument)")])
    );
    assert_eq!(
        eval(&mut h, "local status, res = pcall(function() return 1 end); return 'status: ' .. tostring(status) .. ' result: ' .. res", &[], &[]),
        bulk("status: true result: 1")
    );
    assert_eq!(
        eval(&mut h, "local status, res = pcall(function() return foo end); return 'status: ' .. tostring(status) .. ' result: ' .. res", &[], &[]),
        bulk("status: false result: user_script:1: Script attempted to access nonexistent global variable 'foo'")
    );
    assert_eq!(
        eval(&mut h, "return {coroutine.resume(coroutine.create(function() error('x') end))}", &[], &[]),
        array(vec![null(), bulk("user_script:1: x")])
    );
    assert_eq!(
        eval(
            &mut h,
            "return select(2, xpcall(function() cjson.decode('[') end, function(e) return 'got ' .. e end))",
            &[],
            &[]
        ),
        bulk("got user_script:1: Expected value but found T_END at character 2")
    );
}

#[test]
fn script_arguments_must_be_strings_or_numbers() {
    let mut h = Harness::new();
    assert_error_like(
        &eval(&mut h, "local x={} return redis.call('ping', x)", &[], &[]),
        "ERR Command arguments must be strings or integers*",
    );
    assert_eq!(eval(&mut h, "return redis.call('ping', 'asdf')", &[], &[]), bulk("asdf"));
}

#[test]
fn script_numbers_keep_their_precision_as_arguments() {
    each_variant(|h, m, api| {
        let r = run_script(
            h,
            m,
            api,
            "local value = 9007199254740991 redis.call('set','foo',value) return redis.call('get','foo')",
            &["foo"],
            &[],
        );
        assert_eq!(r, bulk("9007199254740991"));
        let r = run_script(
            h,
            m,
            api,
            "redis.call('set', 'key', '12039611435714932082') return redis.call('get', 'key')",
            &["key"],
            &[],
        );
        assert_eq!(r, bulk("12039611435714932082"));
        assert_eq!(
            run_script(h, m, api, "redis.call('set','f',0.1) return redis.call('get','f')", &[], &[]),
            bulk("0.1")
        );
    });
}

#[test]
fn eval_numkeys_is_checked() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["EVAL", "return 'hello'", "-12"]), err("ERR Number of keys can't be negative"));
    assert_eq!(
        h.run(&["EVAL", "return 'hello'", "2", "a"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(h.run(&["EVAL", "return 'hello'", "x"]), err("ERR value is not an integer or out of range"));
}

#[test]
fn script_many_arguments_reach_the_command() {
    each_variant(|h, m, api| {
        let body = "local x={} redis.call('del','mylist') for i=1,100 do table.insert(x,i) end redis.call('rpush','mylist',unpack(x)) return redis.call('lrange','mylist',0,-1)";
        let expected: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        assert_eq!(run_script(h, m, api, body, &["mylist"], &[]), bulks(&expected));
        // Valkey takes up to 7999 here; mlua's callbacks need a few Lua stack slots of their own.
        let body = "local a = {} for i=1,7900 do a[i] = 1 end return redis.call('lpush', 'l', unpack(a))";
        assert_eq!(run_script(h, m, api, body, &["l"], &[]), int(7900));
    });
}

#[test]
fn script_reused_argv_survives_commands_that_rewrite_it() {
    each_variant(|h, m, api| {
        let body = "for i = 0, 10 do redis.call('SET', 'a{t}', '1') redis.call('MGET', 'a{t}', 'b{t}', 'c{t}') redis.call('EXPIRE', 'a{t}', 0) redis.call('GET', 'a{t}') redis.call('MGET', 'a{t}', 'b{t}', 'c{t}') end";
        assert_eq!(run_script(h, m, api, body, &["a{t}", "b{t}", "c{t}"], &[]), null());
    });
}

#[test]
fn script_keys_with_deadlines_read_and_delete() {
    each_variant(|h, m, api| {
        h.run(&["SET", "key", "value", "EX", "10"]);
        let body = "if redis.call('EXISTS', 'key') then return redis.call('GET', 'key') else return redis.call('EXISTS', 'key') end";
        assert_eq!(run_script(h, m, api, body, &["key"], &[]), bulk("value"));
        assert_eq!(
            run_script(h, m, api, "redis.call('DEL', 'key') return redis.call('EXISTS', 'key')", &["key"], &[]),
            int(0)
        );
    });
}

#[test]
fn script_example_decr_if_gt() {
    each_variant(|h, m, api| {
        let script = "local current current = redis.call('get',KEYS[1]) if not current then return nil end if current > ARGV[1] then return redis.call('decr',KEYS[1]) else return redis.call('get',KEYS[1]) end";
        h.run(&["SET", "foo", "5"]);
        let got: Vec<Reply> = (0..5).map(|_| run_script(h, m, api, script, &["foo"], &["2"])).collect();
        assert_eq!(got, vec![int(4), int(3), int(2), bulk("2"), bulk("2")]);
    });
}

// -- read-only scripts ------------------------------------------------------------------------------

#[test]
fn script_ro_reads_and_refuses_writes() {
    each_variant(|h, m, api| {
        h.run(&["SET", "foo", "bar"]);
        assert_eq!(run_script_ro(h, m, api, "return redis.call('get', KEYS[1]);", &["foo"], &[]), bulk("bar"));
        let r = run_script_ro(h, m, api, "redis.call('del', KEYS[1]);", &["foo"], &[]);
        assert_error_like(&r, "ERR Write commands are not allowed from read-only scripts*");
        assert_eq!(h.run(&["GET", "foo"]), bulk("bar"));
    });
}

#[test]
fn eval_shebang_flags_are_checked() {
    let mut h = Harness::new();
    assert_error_like(&h.run(&["EVAL", "#!not-lua\nreturn 1", "0"]), "*Unexpected engine in script shebang*");
    assert_eq!(h.run(&["EVAL", "#!lua\nreturn 1", "0"]), int(1));
    assert_error_like(&h.run(&["EVAL", "#!lua badger=data\nreturn 1", "0"]), "*Unknown lua shebang option*");
    assert_error_like(
        &h.run(&["EVAL", "#!lua flags=allow-oom,what?\nreturn 1", "0"]),
        "*Unexpected flag in script shebang*",
    );
    assert_error_like(
        &h.run(&["EVAL", "#!lua flags=no-writes\nredis.call('set','x',1)\nreturn 1", "1", "x"]),
        "ERR Write commands are not allowed from read-only scripts*",
    );
    assert_eq!(h.run(&["EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','x')", "1", "x"]), null());
    assert_eq!(
        h.run(&["EVAL_RO", "#!lua\nreturn 1", "0"]),
        err("ERR Can not execute a script with write flag using *_ro command.")
    );
    // The shebang's newline stays: errors point at the script's own line.
    let r = h.run(&["EVAL", "#!lua\nerror('x')", "0"]);
    assert_error_like(&r, "ERR user_script:2: x script: *, on @user_script:2.");
}

// -- the script cache -------------------------------------------------------------------------------

#[test]
fn evalsha_runs_cached_scripts_in_any_case() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "myval"]);
    assert_eq!(eval(&mut h, "return redis.call('get',KEYS[1])", &["mykey"], &[]), bulk("myval"));
    let sha = "fd758d1589d044dd850a6f05d52f2eefd27f033f";
    assert_eq!(h.run(&["EVALSHA", sha, "1", "mykey"]), bulk("myval"));
    assert_eq!(h.run(&["EVALSHA_RO", sha, "1", "mykey"]), bulk("myval"));
    assert_eq!(h.run(&["EVALSHA", &sha.to_uppercase(), "1", "mykey"]), bulk("myval"));
    assert_eq!(h.run(&["EVALSHA", "NotValidShaSUM", "0"]), err("NOSCRIPT No matching script."));
    assert_eq!(
        h.run(&["EVALSHA", "ffd632c7d33e571e9f24556ebed26c3479a87130", "0"]),
        err("NOSCRIPT No matching script.")
    );
}

#[test]
fn script_flush_empties_the_cache() {
    let mut h = Harness::new();
    h.run(&["SET", "mykey", "myval"]);
    let sha = "fd758d1589d044dd850a6f05d52f2eefd27f033f";
    assert_eq!(h.run(&["SCRIPT", "LOAD", "return redis.call('get',KEYS[1])"]), bulk(sha));
    assert_eq!(h.run(&["EVALSHA", sha, "1", "mykey"]), bulk("myval"));
    assert_eq!(h.run(&["SCRIPT", "FLUSH"]), ok());
    assert_error_like(&h.run(&["EVALSHA", sha, "1", "mykey"]), "NOSCRIPT*");
    for j in 0..100 {
        h.run(&["SCRIPT", "LOAD", &format!("return {j}")]);
    }
    assert_eq!(scripting::info(&h.eng).number_of_cached_scripts, 100);
    assert_eq!(h.run(&["SCRIPT", "FLUSH", "ASYNC"]), ok());
    assert_eq!(scripting::info(&h.eng).number_of_cached_scripts, 0);
    assert_eq!(h.run(&["SCRIPT", "FLUSH", "SYNC"]), ok());
    assert_eq!(h.run(&["SCRIPT", "FLUSH", "LAZY"]), err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"));
}

#[test]
fn script_exists_load_and_show() {
    let mut h = Harness::new();
    eval(&mut h, "return 1+1", &[], &[]);
    assert_eq!(
        h.run(&[
            "SCRIPT",
            "EXISTS",
            "a27e7e8a43702b7046d4f6a7ccf5b60cef6b9bd9",
            "A27E7E8A43702B7046D4F6A7CCF5B60CEF6B9BD9",
            "a27e7e8a43702b7046d4f6a7ccf5b60cef6b9bda"
        ]),
        array(vec![int(1), int(1), int(0)])
    );
    assert_eq!(h.run(&["SCRIPT", "LOAD", "return 'loaded'"]), bulk("b534286061d4b9e4026607613b95c06c06015ae8"));
    assert_eq!(h.run(&["EVALSHA", "b534286061d4b9e4026607613b95c06c06015ae8", "0"]), bulk("loaded"));
    h.run(&["SCRIPT", "LOAD", "return 'dump'"]);
    assert_eq!(h.run(&["SCRIPT", "SHOW", "4f5a49d7b18244a3b100d159b78b51474e23e081"]), bulk("return 'dump'"));
    assert_error_like(&h.run(&["SCRIPT", "SHOW", "b534286061d4b06c06015ae8"]), "NOSCRIPT*");
    assert_error_like(&h.run(&["SCRIPT", "SHOW", &"A".repeat(40)]), "NOSCRIPT*");
    assert_error_like(&h.run(&["SCRIPT", "LOAD", "x ="]), "ERR Error compiling script (new function): user_script:1:*");
}

#[test]
fn eval_scripts_are_evicted_least_recently_used() {
    let mut h = Harness::new();
    for j in 1..=250 {
        h.run(&["EVAL", &format!("return {j}"), "0"]);
    }
    for j in 251..=500 {
        h.run(&["EVAL_RO", &format!("return {j}"), "0"]);
    }
    assert_eq!(scripting::info(&h.eng).number_of_cached_scripts, 500);
    let (one, five_hundred) = ("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "98fe65896b61b785c5ed328a5a0a1421f4f1490c");
    assert_eq!(h.run(&["EVALSHA", one, "0"]), int(1));
    assert_eq!(h.run(&["EVALSHA_RO", five_hundred, "0"]), int(500));
    for j in 501..=1000 {
        h.run(&["EVAL", &format!("return {j}"), "0"]);
    }
    assert_error_like(&h.run(&["EVALSHA", one, "0"]), "NOSCRIPT*");
    assert_error_like(&h.run(&["EVALSHA", five_hundred, "0"]), "NOSCRIPT*");
    let info = scripting::info(&h.eng);
    assert_eq!((info.evicted_scripts, info.number_of_cached_scripts), (500, 500));
}

#[test]
fn eval_eviction_is_plain_lru_and_spares_loaded_scripts() {
    let mut h = Harness::new();
    for j in 1..=500 {
        h.run(&["EVAL", &format!("return {j}"), "0"]);
    }
    h.run(&["EVAL", "return 1", "0"]);
    h.run(&["EVALSHA", "7f923f79fe76194c868d7e1d0820de36700eb649", "0"]);
    h.run(&["EVAL", "return 1000", "0"]);
    assert_eq!(h.run(&["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"]), int(1));
    assert_eq!(h.run(&["EVALSHA", "7f923f79fe76194c868d7e1d0820de36700eb649", "0"]), int(2));
    assert_error_like(&h.run(&["EVALSHA", "09d3822de862f46d784e6a36848b4f0736dda47a", "0"]), "NOSCRIPT*");
    assert_eq!(scripting::info(&h.eng).evicted_scripts, 1);
    // A script EVAL added and SCRIPT LOAD loaded again is no longer evictable.
    h.run(&["SCRIPT", "FLUSH"]);
    h.run(&["EVAL", "return 'hello world'", "0"]);
    let sha = match h.run(&["SCRIPT", "LOAD", "return 'hello world'"]) {
        Reply::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("{other:?}"),
    };
    for j in 1..=500 {
        h.run(&["SCRIPT", "LOAD", &format!("return {j}")]);
        h.run(&["EVAL", &format!("return 'str_{j}'"), "0"]);
    }
    assert_eq!(h.run(&["EVALSHA", &sha, "0"]), bulk("hello world"));
}

// -- libraries --------------------------------------------------------------------------------------

#[test]
fn script_cjson_decodes_and_encodes_like_lua_cjson() {
    each_variant(|h, m, api| {
        let r = run_script(
            h,
            m,
            api,
            "return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')",
            &[],
            &[],
        );
        assert_eq!(r, bulk("0 -5000 -1 0.0003 1023.2 0"));
        let r = run_script(
            h,
            m,
            api,
            "local decoded = cjson.decode('{\"keya\": \"a\", \"keyb\": \"b\"}') return {decoded.keya, decoded.keyb}",
            &[],
            &[],
        );
        assert_eq!(r, bulks(&["a", "b"]));
    });
    let mut h = Harness::new();
    let cases: &[(&str, &str)] = &[
        ("return cjson.encode({1,2,3,{a=1.5,b='x/y'},'\"q\"', 1e100, -0.0, 1/3, 123456789012345})", "[1,2,3,{\"a\":1.5,\"b\":\"x\\/y\"},\"\\\"q\\\"\",1e+100,-0,0.33333333333333,1.2345678901234e+14]"),
        ("return cjson.encode({[1]=1,[2]=2,[4]=4})", "[1,2,null,4]"),
        ("return cjson.encode({})", "{}"),
        ("return cjson.encode(cjson.null)", "null"),
        ("return cjson.encode({a=cjson.null})", "{\"a\":null}"),
        ("return cjson.encode(cjson.decode('[0x10, 1e2, -0, 12345678901234567890]'))", "[16,100,-0,1.2345678901235e+19]"),
        ("return cjson.decode('\"\\\\u00e9\\\\ud83d\\\\ude00\"')", "é😀"),
        ("cjson.encode_invalid_numbers(true) local r = cjson.encode({0/0 > 0 and 1 or 1/0, -1/0}) cjson.encode_invalid_numbers(false) return r", "[inf,-inf]"),
        ("return cjson._VERSION", "2.1.0"),
    ];
    for (script, expected) in cases {
        assert_eq!(eval(&mut h, script, &[], &[]), bulk(expected), "{script}");
    }
    assert_error_like(
        &eval(&mut h, "return cjson.encode({[1]=1,[2]=2,[30]=4})", &[], &[]),
        "ERR user_script:1: Cannot serialise table: excessively sparse array script: *",
    );
    assert_eq!(
        eval(&mut h, "local t = cjson.decode('[1,\"a\",null,true,{\"x\":[]}]') return {type(t[3]), tostring(t[3] == cjson.null), #t}", &[], &[]),
        array(vec![bulk("userdata"), bulk("true"), int(5)])
    );
    assert_eq!(
        eval(&mut h, "return {pcall(cjson.decode, '[1,2')}", &[], &[]),
        array(vec![null(), bulk("Expected comma or array end but found T_END at character 5")])
    );
    assert_eq!(
        eval(&mut h, "return {pcall(cjson.encode, function() end)}", &[], &[]),
        array(vec![null(), bulk("Cannot serialise function: type not supported")])
    );
    assert_eq!(eval(&mut h, "return {cjson.encode_sparse_array()}", &[], &[]), array(vec![null(), int(2), int(10)]));
    assert_eq!(
        eval(&mut h, "return {pcall(cjson.encode_max_depth, 0)}", &[], &[]),
        array(vec![null(), bulk("bad argument #1 to '?' (expected integer between 1 and 2147483647)")])
    );
}

#[test]
fn script_cjson_smoke_test_settings() {
    each_variant(|h, m, api| {
        let body = r#"
            local some_map = {s1="Some string", n1=100, a1={"Some","String","Array"}, nil1=nil, b1=true, b2=false}
            local encoded = cjson.encode(some_map)
            local decoded = cjson.decode(encoded)
            assert(table.concat(some_map) == table.concat(decoded))
            cjson.encode_keep_buffer(false)
            encoded = cjson.encode(some_map)
            decoded = cjson.decode(encoded)
            assert(table.concat(some_map) == table.concat(decoded))
            local table1 = {one="one", [1]="one"}
            encoded = cjson.encode(table1)
            decoded = cjson.decode(encoded)
            assert(decoded["one"] == table1["one"])
            assert(decoded["1"] == table1[1])
            local array1 = {[1]="one", [2]="two"}
            encoded = cjson.encode(array1)
            decoded = cjson.decode(encoded)
            assert(table.concat(array1) == table.concat(decoded))
            local invalid_map = {}
            invalid_map[false] = "false"
            local ok, encoded = pcall(cjson.encode, invalid_map)
            assert(ok == false)
            cjson.encode_max_depth(1)
            ok, encoded = pcall(cjson.encode, some_map)
            assert(ok == false)
            cjson.decode_max_depth(1)
            ok, decoded = pcall(cjson.decode, '{"obj": {"array": [1,2,3,4]}}')
            assert(ok == false)
            ok, encoded = pcall(cjson.encode, {num1=0/0})
            assert(ok == false)
            cjson.encode_invalid_numbers(true)
            ok, encoded = pcall(cjson.encode, {num1=0/0})
            assert(ok == true)
            cjson.decode_max_depth(1000)
            cjson.encode_max_depth(1000)
            cjson.encode_invalid_numbers(false)
        "#;
        assert_eq!(run_script(h, m, api, body, &[], &[]), null());
    });
}

#[test]
fn script_cmsgpack_packs_like_lua_cmsgpack() {
    let hex = |expr: &str| {
        format!("local encoded = {expr} local h = '' for i = 1, #encoded do h = h .. string.format('%02x',string.byte(encoded,i)) end return h")
    };
    each_variant(|h, m, api| {
        assert_eq!(run_script(h, m, api, &hex("cmsgpack.pack(0.1)"), &[], &[]), bulk("cb3fb999999999999a"));
        assert_eq!(run_script(h, m, api, &hex("cmsgpack.pack(-1099511627776)"), &[], &[]), bulk("d3ffffff0000000000"));
    });
    let mut h = Harness::new();
    let circular = "local a = {x=nil,y=5} local b = {x=a} a['x'] = b local encoded = cmsgpack.pack(a) local h = '' for i = 1, #encoded do h = h .. string.format('%02x',string.byte(encoded,i)) end local re = cmsgpack.unpack(encoded) assert(re) assert(re.x) assert(re.x.x.y == re.y) assert(re.x.x.x.x.y == re.y) assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y == re.y) assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x) assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil) return {h, re.x.x.x.x.x.x.x.x.y == re.y, re.y == 5}";
    assert_eq!(
        eval(&mut h, circular, &[], &[]),
        array(vec![
            bulk("82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a178c0"),
            int(1),
            int(1)
        ])
    );
    assert_eq!(
        eval(&mut h, &hex("cmsgpack.pack({1,2,3}, 'ab', true, nil, 300, -33)"), &[], &[]),
        bulk("93010203a26162c3c0cd012cd0df")
    );
    assert_eq!(
        eval(&mut h, "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2), 0)}", &[], &[]),
        array(vec![int(1), int(1)])
    );
    assert_error_like(
        &eval(&mut h, "return cmsgpack.unpack('\\217')", &[], &[]),
        "ERR user_script:1: Missing bytes in input. script: *",
    );
    assert_error_like(
        &eval(&mut h, "return cmsgpack.unpack('\\193')", &[], &[]),
        "ERR user_script:1: Bad data format in input. script: *",
    );
}

#[test]
fn script_cmsgpack_smoke_test() {
    each_variant(|h, m, api| {
        let body = r#"
            local str_lt_32 = string.rep("x", 30)
            local str_lt_255 = string.rep("x", 250)
            local str_lt_65535 = string.rep("x", 65530)
            local str_long = string.rep("x", 100000)
            local array_big = {}
            for i=1, 100000 do array_big[i] = i end
            local map_big = {}
            for i=1, 100000 do map_big[tostring(i)] = i end
            local some_map = {s1=str_lt_32, s2=str_lt_255, s3=str_lt_65535, s4=str_long, d1=0.1, i1=1, i2=250,
                i3=65530, i4=100000, i5=2^40, i6=-1, i7=-120, i8=-32000, i9=-100000, i10=-3147483648,
                a1={1, 2, 3, 4, 5}, a2={1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18},
                a3=array_big, m1={a=1, b=2}, m2=map_big, b1=false, b2=true, n=nil}
            local encoded = cmsgpack.pack(some_map)
            local decoded = cmsgpack.unpack(encoded)
            assert(table.concat(some_map) == table.concat(decoded))
            local offset, decoded_one = cmsgpack.unpack_one(encoded, 0)
            assert(table.concat(some_map) == table.concat(decoded_one))
            assert(offset == -1)
            assert(decoded.m2["77"] == 77 and decoded.a3[99999] == 99999 and decoded.i10 == -3147483648)
            local encoded_multiple = cmsgpack.pack(str_lt_32, str_lt_255, str_lt_65535, str_long)
            local offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, 0)
            assert(obj == str_lt_32)
            offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
            assert(obj == str_lt_255)
            offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
            assert(obj == str_lt_65535)
            offset, obj = cmsgpack.unpack_limit(encoded_multiple, 1, offset)
            assert(obj == str_long)
            assert(offset == -1)
        "#;
        assert_eq!(run_script(h, m, api, body, &[], &[]), null());
    });
}

#[test]
fn script_bit_and_struct_libraries() {
    each_variant(|h, m, api| {
        let sanity = "assert(0x7fffffff == 2147483647, 'broken hex literals'); assert(0xffffffff == -1 or 0xffffffff == 2^32-1, 'broken hex literals'); assert(tostring(-1) == '-1', 'broken tostring()'); assert(tostring(0xffffffff) == '-1' or tostring(0xffffffff) == '4294967295', 'broken tostring()')";
        assert_eq!(run_script(h, m, api, sanity, &[], &[]), null());
        let minimal = "assert(bit.tobit(1) == 1); assert(bit.band(1) == 1); assert(bit.bxor(1,2) == 3); assert(bit.bor(1,2,4,8,16,32,64,128) == 255)";
        assert_eq!(run_script(h, m, api, minimal, &[], &[]), null());
        assert_eq!(run_script(h, m, api, "return bit.tohex(65535, -2147483648)", &[], &[]), bulk("0000FFFF"));
    });
    let mut h = Harness::new();
    let cases: &[(&str, Reply)] = &[
        ("return bit.tohex(255)", bulk("000000ff")),
        ("return bit.tohex(-1, 4)", bulk("ffff")),
        ("return bit.lshift(1, 31)", int(-2147483648)),
        ("return bit.rshift(-1, 28)", int(15)),
        ("return bit.arshift(-256, 4)", int(-16)),
        ("return bit.rol(0x12345678, 8)", int(0x34567812)),
        ("return bit.bswap(0x12345678)", int(0x78563412)),
        ("return bit.bnot(0)", int(-1)),
        ("return bit.tobit(2^32 + 5)", int(5)),
        ("return struct.size('>iH!4d')", int(16)),
        ("return {struct.unpack('<i2', struct.pack('<i2', -2))}", array(vec![int(-2), int(3)])),
        ("return {struct.unpack('>Hs', struct.pack('>Hs', 513, 'ab'))}", array(vec![int(513), bulk("ab"), int(6)])),
        (
            "local s = struct.pack('>I4', 258) return {string.byte(s, 1, 4)}",
            array(vec![int(0), int(0), int(1), int(2)]),
        ),
        ("return {struct.unpack('bc0', struct.pack('bc0', 3, 'abc'))}", array(vec![bulk("abc"), int(5)])),
    ];
    for (script, expected) in cases {
        assert_eq!(&eval(&mut h, script, &[], &[]), expected, "{script}");
    }
    assert_error_like(
        &eval(&mut h, "return struct.unpack('i4', 'ab')", &[], &[]),
        "ERR user_script:1: bad argument #2 to 'unpack' (data string too short) script: *",
    );
}

#[test]
fn script_sha1hex_matches_valkey() {
    each_variant(|h, m, api| {
        assert_eq!(
            run_script(h, m, api, "return redis.sha1hex('')", &[], &[]),
            bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709")
        );
        assert_eq!(
            run_script(h, m, api, "return redis.sha1hex('Pizza & Mandolino')", &[], &[]),
            bulk("74822d82031af7493c20eefa13bd07ec4fada82f")
        );
    });
}

// -- the sandbox ------------------------------------------------------------------------------------

#[test]
fn script_os_has_only_clock() {
    each_variant(|h, m, api| {
        let body = r#"
            local allowed_methods = {"clock"}
            local indexOf = function(tuple, value)
                for i, v in ipairs(tuple) do if v == value then return i end end
                return nil
            end
            for key, value in pairs(os) do
                local index = indexOf(allowed_methods, key)
                if index == nil or type(value) ~= "function" then return "Disallowed "..type(value)..":"..key end
                table.remove(allowed_methods, index)
            end
            if #allowed_methods ~= 0 then return "Expected method not found: "..table.concat(allowed_methods, ",") end
            return ""
        "#;
        assert_eq!(run_script(h, m, api, body, &[], &[]), bulk(""));
        for f in ["execute", "exit", "getenv", "remove", "rename", "setlocale", "tmpname"] {
            assert_error_like(
                &run_script(h, m, api, &format!("os.{f}()"), &[], &[]),
                &format!("ERR *attempt to call field '{f}'*"),
            );
        }
        assert_eq!(run_script(h, m, api, "return type(os.clock())", &[], &[]), bulk("number"));
    });
}

#[test]
fn script_globals_are_protected() {
    each_variant(|h, m, api| {
        assert_error_like(&run_script(h, m, api, "return a", &[], &[]), "ERR *attempted to access * global*");
        assert_error_like(&run_script(h, m, api, "a=10", &[], &[]), "ERR *Attempt to modify a readonly table*");
        for trick in [
            "setmetatable(_G, {})",
            "local g = getmetatable(_G) g.__index = {}",
            "redis = function() return 1 end",
            "_G = {}",
            "redis.call = function() return 1 end",
            "cjson.encode = function() return 1 end",
            "cmsgpack.pack = function() return 1 end",
            "bit.lshift = function() return 1 end",
            "string.upper = nil",
            "rawset(_G, 'x', 1)",
            "table.insert(string, 1)",
        ] {
            assert_error_like(&run_script(h, m, api, trick, &[], &[]), "*Attempt to modify a readonly table*");
        }
        for (call, name) in
            [("loadfile('some file')", "loadfile"), ("dofile('some file')", "dofile"), ("print('some data')", "print")]
        {
            assert_error_like(
                &run_script(h, m, api, call, &[], &[]),
                &format!("*Script attempted to access nonexistent global variable '{name}'*"),
            );
        }
        assert_error_like(
            &run_script(h, m, api, "return loadstring(string.dump(function() return 1 end))()", &[], &[]),
            "ERR *attempt to call a nil value*",
        );
    });
}

#[test]
fn eval_readonly_errors_have_valkey_positions() {
    let mut h = Harness::new();
    assert_error_like(
        &eval(&mut h, "a=10", &[], &[]),
        "ERR user_script:1: Attempt to modify a readonly table script: *",
    );
    assert_error_like(
        &eval(&mut h, "setmetatable(_G, {})", &[], &[]),
        "ERR Attempt to modify a readonly table script: *",
    );
    assert_error_like(
        &eval(&mut h, "return _G[true]", &[], &[]),
        "ERR user_script:1: Second argument to luaProtectedTableError must be a string or number script: *",
    );
    assert_eq!(
        eval(&mut h, "return {getmetatable(_G).__index == nil, type(getmetatable(_G).__index)}", &[], &[]),
        array(vec![null(), bulk("function")])
    );
    assert_eq!(eval(&mut h, "return tostring(getfenv(0) == _G)", &[], &[]), bulk("true"));
    assert_eq!(eval(&mut h, "return tostring(redis == server)", &[], &[]), bulk("true"));
    assert_eq!(eval(&mut h, "return tostring(('x'):upper())", &[], &[]), bulk("X"));
    assert_eq!(eval(&mut h, "local n = 0 for k in pairs(string) do n = n + 1 end return n > 10", &[], &[]), int(1));
    assert_eq!(eval(&mut h, "return rawget(redis, 'call') ~= nil", &[], &[]), int(1));
    assert_error_like(&eval(&mut h, "getfenv(redis.call).redis = 1", &[], &[]), "*Attempt to modify a readonly table*");
    assert_eq!(eval(&mut h, "return {loadstring(string.dump(function() return 1 end))}", &[], &[]), array(vec![]));
    assert_eq!(
        eval(&mut h, "return select(2, loadstring('\\27Lua'))", &[], &[]),
        bulk("[string \"\u{1b}Lua\"]:1: unexpected symbol near 'char(27)'")
    );
    // Globals a script sets on KEYS/ARGV each run; locals are its own.
    assert_eq!(eval(&mut h, "local t = {} t.x = 1 return t.x", &[], &[]), int(1));
}

#[test]
fn eval_math_random_follows_valkeys_generator() {
    let mut h = Harness::new();
    // A fresh server's sequence, then reseeding repeats values.
    assert_eq!(eval(&mut h, "return tostring(math.random())", &[], &[]), bulk("0.39646477363839"));
    assert_eq!(eval(&mut h, "return tostring(math.random())", &[], &[]), bulk("0.84048536971234"));
    let seeded = "math.randomseed(ARGV[1]); return tostring(math.random())";
    let a = eval(&mut h, seeded, &[], &["10"]);
    let b = eval(&mut h, seeded, &[], &["10"]);
    let c = eval(&mut h, seeded, &[], &["20"]);
    assert_eq!(a, b);
    assert_ne!(b, c);
    let r = eval(&mut h, "return {math.random(10), math.random(5, 7)}", &[], &[]);
    match r {
        Reply::Array(v) => {
            assert!(matches!(v[0], Reply::Int(1..=10)));
            assert!(matches!(v[1], Reply::Int(5..=7)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn script_api_versions_and_misc() {
    let mut h = Harness::new();
    assert_eq!(eval(&mut h, "return redis.REDIS_VERSION", &[], &[]), bulk("7.2.4"));
    assert_eq!(eval(&mut h, "return redis.REDIS_VERSION_NUM", &[], &[]), int(0x070204));
    assert_eq!(eval(&mut h, "return server.VALKEY_VERSION", &[], &[]), bulk("8.0.1"));
    assert_eq!(eval(&mut h, "return server.SERVER_NAME", &[], &[]), bulk("valkey"));
    assert_eq!(eval(&mut h, "redis.call('set','foo','bar'); return redis.replicate_commands();", &[], &[]), int(1));
    assert_eq!(eval(&mut h, "redis.set_repl(redis.REPL_ALL);", &[], &[]), null());
    assert_error_like(&eval(&mut h, "redis.set_repl(12345);", &[], &[]), "*Invalid*flags*");
    assert_eq!(eval(&mut h, "return redis.breakpoint()", &[], &[]), null());
    assert_eq!(eval(&mut h, "redis.debug('x') return 1", &[], &[]), int(1));
    assert_eq!(eval(&mut h, "return redis.acl_check_cmd('set','xx',1)", &[], &[]), int(1));
    assert_error_like(
        &eval(&mut h, "return redis.acl_check_cmd('invalid-cmd','arg')", &[], &[]),
        "ERR *Invalid command passed to server.acl_check_cmd()*",
    );
    assert_eq!(eval(&mut h, "redis.call('set','time',redis.call('time')[1])", &[], &[]), null());
    assert_ne!(h.run(&["GET", "time"]), null());
}

#[test]
fn script_log_goes_to_the_host_above_loglevel() {
    let mut h = Harness::new();
    let lines = Rc::new(RefCell::new(Vec::new()));
    scripting::set_host(&h.eng, Box::new(Recorder { lines: lines.clone(), on_busy: Box::new(|_, _| {}) }));
    eval(&mut h, "redis.log(redis.LOG_WARNING, 'a', 1, 'b') redis.log(redis.LOG_DEBUG, 'hidden')", &[], &[]);
    assert_eq!(*lines.borrow(), vec![(LogLevel::Warning, "a 1 b".to_string())]);
    assert_error_like(
        &eval(&mut h, "redis.log(1)", &[], &[]),
        "ERR server.log() requires two arguments or more. script: *",
    );
    assert_error_like(
        &eval(&mut h, "redis.log('x', 'y')", &[], &[]),
        "ERR First argument must be a number (log level). script: *",
    );
}

// -- RESP3 --------------------------------------------------------------------------------------------

#[test]
fn script_setresp_picks_the_protocol_replies_arrive_in() {
    each_variant(|h, m, api| {
        h.run(&["HSET", "hash", "field", "value"]);
        let map = Reply::Map(vec![(bulk("field"), bulk("value"))]);
        let flat = bulks(&["field", "value"]);
        for client in [Protocol::Resp3, Protocol::Resp2] {
            let id = h.client;
            h.set_proto(id, client);
            let r3 = run_script(h, m, api, "redis.setresp(3); return redis.call('hgetall', KEYS[1])", &["hash"], &[]);
            let r2 = run_script(h, m, api, "redis.setresp(2); return redis.call('hgetall', KEYS[1])", &["hash"], &[]);
            assert_eq!(r3, map);
            assert_eq!(r2, flat);
            let wire3 = wire(&r3, client);
            assert_eq!(wire3.starts_with('%'), client == Protocol::Resp3, "{wire3}");
        }
    });
}

#[test]
fn script_resp3_types_round_trip() {
    let mut h = Harness::resp3();
    h.run(&["ZADD", "z", "1.5", "m"]);
    h.run(&["SADD", "s", "a"]);
    let cases: &[(&str, Reply)] = &[
        ("redis.setresp(3) return redis.call('zscore', 'z', 'm')", Reply::Double(1.5)),
        ("redis.setresp(2) return redis.call('zscore', 'z', 'm')", bulk("1.5")),
        ("redis.setresp(3) return redis.call('smembers', 's')", Reply::Set(vec![bulk("a")])),
        ("redis.setresp(3) return redis.call('get', 'nokey')", null()),
        ("redis.setresp(3) return tostring(redis.call('get', 'nokey'))", bulk("nil")),
        ("redis.setresp(2) return tostring(redis.call('get', 'nokey'))", bulk("false")),
        ("redis.setresp(3) return true", Reply::Bool(true)),
        ("redis.setresp(3) return false", Reply::Bool(false)),
        ("return {double=2.5}", Reply::Double(2.5)),
        ("return {big_number='123\\r\\n123'}", Reply::BigNumber("123  123".into())),
        ("return {verbatim_string={format='txt', string='hi'}}", Reply::Verbatim("txt", b"hi".to_vec())),
        ("return {map={a=1}}", Reply::Map(vec![(bulk("a"), int(1))])),
        ("return {set={a=true}}", Reply::Set(vec![bulk("a")])),
        ("redis.setresp(3) return type(redis.call('zscore', 'z', 'm').double)", bulk("number")),
    ];
    for (script, expected) in cases {
        assert_eq!(&eval(&mut h, script, &[], &[]), expected, "{script}");
    }
    assert_eq!(
        wire(&eval(&mut h, "return {big_number='123\\r\\n123'}", &[], &[]), Protocol::Resp2),
        "$8\r\n123  123\r\n"
    );
    assert_eq!(wire(&eval(&mut h, "return false", &[], &[]), Protocol::Resp3), "_\r\n");
}

#[test]
fn script_returning_a_recursive_table_stops_at_the_stack_limit() {
    each_variant(|h, m, api| {
        let mut r = run_script(h, m, api, "local a = {}; local b = {a}; a[1] = b; return a", &[], &[]);
        let mut depth = 0;
        loop {
            match r {
                Reply::Array(mut v) => {
                    assert_eq!(v.len(), 1);
                    r = v.pop().unwrap();
                    depth += 1;
                }
                other => {
                    assert_eq!(other, err("ERR reached lua stack limit"));
                    break;
                }
            }
        }
        assert!(depth > 100);
        assert_eq!(h.run(&["PING"]), status("PONG"));
    });
}

// -- errorstats ----------------------------------------------------------------------------------------

fn error_count(h: &Harness, code: &str) -> u64 {
    h.eng.stats.errors.get(code).copied().unwrap_or(0)
}

fn calls(h: &mut Harness, command: &'static str) -> (u64, u64, u64) {
    let s = h.eng.stats.command_named(command).cloned().unwrap_or_default();
    (s.calls, s.rejected_calls, s.failed_calls)
}

#[test]
fn eval_errorstats_count_each_error_once() {
    let mut h = Harness::new();
    assert_error_like(&eval(&mut h, "return redis.call('select',99)", &[], &[]), "ERR DB index is out of range*");
    assert_eq!((error_count(&h, "ERR"), h.eng.stats.total_error_replies), (1, 1));
    assert_eq!(calls(&mut h, "select"), (1, 0, 1));
    assert_eq!(calls(&mut h, "eval"), (1, 0, 1));

    let mut h = Harness::new();
    let r = eval(&mut h, "local t = redis.pcall('select',99) if t['err'] == 'ERR DB index is out of range' then return 1 else return 0 end", &[], &[]);
    assert_eq!(r, int(1));
    assert_eq!((error_count(&h, "ERR"), h.eng.stats.total_error_replies), (1, 1));
    assert_eq!(calls(&mut h, "eval"), (1, 0, 0));

    let mut h = Harness::new();
    assert_error_like(
        &h.run(&["EVAL_RO", "return redis.call('set','x','y')", "1", "x"]),
        "ERR Write commands are not allowed from read-only scripts*",
    );
    assert_eq!((error_count(&h, "ERR"), h.eng.stats.total_error_replies), (1, 1));
    assert_eq!(calls(&mut h, "set"), (0, 1, 0));
    assert_eq!(calls(&mut h, "eval_ro"), (1, 0, 1));

    let mut h = Harness::new();
    let r = h.run(&["EVAL_RO", "local t = redis.pcall('set','x','y') if t['err'] == 'ERR Write commands are not allowed from read-only scripts.' then return 1 else return 0 end", "1", "x"]);
    assert_eq!(r, int(1));
    assert_eq!((error_count(&h, "ERR"), h.eng.stats.total_error_replies), (1, 1));
    assert_eq!(calls(&mut h, "eval_ro"), (1, 0, 0));

    let mut h = Harness::new();
    h.run(&["SET", "Sicily", "1"]);
    assert_error_like(
        &eval(&mut h, "return redis.call('lpush', 'Sicily', 'x')", &["x"], &[]),
        "WRONGTYPE Operation against a key holding the wrong kind of value*",
    );
    assert_eq!((error_count(&h, "WRONGTYPE"), h.eng.stats.total_error_replies), (1, 1));
    assert_eq!(calls(&mut h, "eval"), (1, 0, 1));

    let mut h = Harness::new();
    assert_eq!(
        eval(&mut h, "return redis.error_reply('MY_ERR_CODE custom msg')", &[], &[]),
        err("MY_ERR_CODE custom msg")
    );
    assert_eq!(error_count(&h, "MY_ERR_CODE"), 1);
    assert_eq!(eval(&mut h, "return redis.error_reply('')", &[], &[]), err("ERR "));
    assert_eq!(eval(&mut h, "return redis.error_reply('MYERR')", &[], &[]), err("ERR MYERR"));
    assert_eq!(eval(&mut h, "return redis.error_reply(1)", &[], &[]), err("ERR wrong number or type of arguments"));
    let before = h.eng.stats.total_error_replies;
    assert_eq!(
        eval(&mut h, "return redis.status_reply('MY_OK_CODE custom msg')", &[], &[]),
        status("MY_OK_CODE custom msg")
    );
    assert_eq!(h.eng.stats.total_error_replies, before);
}

// -- EVAL memory -------------------------------------------------------------------------------------

#[test]
fn eval_does_not_leak_in_the_lua_stack() {
    let mut h = Harness::new();
    h.run(&["SCRIPT", "FLUSH"]);
    h.run(&["SET", "x", "0"]);
    for _ in 0..10000 {
        eval(&mut h, "return redis.call('incr',KEYS[1])", &["x"], &[]);
    }
    let used = scripting::info(&h.eng).used_memory_vm_eval;
    assert!(used < 1024 * 100, "{used}");
    assert_eq!(h.run(&["GET", "x"]), bulk("10000"));
}

#[test]
fn script_runs_as_its_own_client_for_both_protocols() {
    for mut h in [Harness::new(), Harness::resp3()] {
        assert_eq!(eval(&mut h, "return redis.call('ping')", &[], &[]), status("PONG"));
        assert_eq!(eval(&mut h, "return redis.call('echo', 'x')", &[], &[]), bulk("x"));
        // The script's client is not among the clients once it is done.
        let clients_before = h.eng.clients.len();
        eval(&mut h, "return 1", &[], &[]);
        assert_eq!(h.eng.clients.len(), clients_before);
    }
}

// -- long scripts ---------------------------------------------------------------------------------

/// A clock whose monotonic time moves 50 ms each time it is read, so a busy loop soon passes
/// `busy-reply-threshold`.
#[derive(Clone, Default)]
struct RunningClock(Rc<Cell<u64>>);

impl Clock for RunningClock {
    fn now_ms(&self) -> i64 {
        START_MS
    }
    fn monotonic_us(&self) -> u64 {
        self.0.set(self.0.get() + 50_000);
        self.0.get()
    }
}

fn busy_harness(threshold_ms: i64) -> Harness {
    let config = Config { busy_reply_threshold: threshold_ms, ..Config::default() };
    let mut h = Harness::with_config(config.clone());
    let eng = Engine::new(config, Box::new(RunningClock::default()), 42);
    h.eng = eng;
    h.client = h.eng.connect(ferrokey_core::client::ConnInfo {
        output: ferrokey_core::client::OutputMode::Values,
        ..Default::default()
    });
    h
}

type BusyFn = Box<dyn Fn(&mut Engine, &BusyScript)>;

struct Recorder {
    lines: Rc<RefCell<Vec<(LogLevel, String)>>>,
    on_busy: BusyFn,
}

impl ScriptHost for Recorder {
    fn busy(&mut self, eng: &mut Engine, script: &BusyScript) {
        (self.on_busy)(eng, script)
    }
    fn log(&mut self, level: LogLevel, line: &str) {
        self.lines.borrow_mut().push((level, line.to_string()));
    }
}

/// A host that, once the script is busy, runs `commands` as another client and keeps the replies.
fn host_running(commands: Vec<Vec<&'static str>>, replies: Rc<RefCell<Vec<Reply>>>) -> Box<Recorder> {
    let done = Cell::new(false);
    Box::new(Recorder {
        lines: Rc::default(),
        on_busy: Box::new(move |eng, _| {
            if done.replace(true) {
                return;
            }
            let other = eng.connect(ferrokey_core::client::ConnInfo {
                output: ferrokey_core::client::OutputMode::Values,
                ..Default::default()
            });
            for argv in &commands {
                eng.execute(other, argv.iter().map(|a| a.as_bytes().to_vec()).collect());
                replies.borrow_mut().extend(eng.take_output_values(other));
            }
        }),
    })
}

#[test]
fn script_kill_stops_a_busy_read_only_script() {
    for (mode, api) in VARIANTS {
        let mut h = busy_harness(10);
        let replies = Rc::new(RefCell::new(Vec::new()));
        let kill = if mode == Mode::Eval { "SCRIPT" } else { "FUNCTION" };
        scripting::set_host(&h.eng, host_running(vec![vec![kill, "KILL"]], replies.clone()));
        let r = run_script(&mut h, mode, api, "while true do end", &[], &[]);
        assert_error_like(&r, "ERR Script killed by user with SCRIPT KILL... script: *");
        assert_eq!(*replies.borrow(), vec![ok()]);
        assert_eq!(h.run(&["PING"]), status("PONG"));
        assert!(scripting::busy_error(&h.eng).is_none());
    }
}

#[test]
fn script_kill_stops_a_script_even_inside_pcall() {
    let mut h = busy_harness(10);
    let replies = Rc::new(RefCell::new(Vec::new()));
    scripting::set_host(&h.eng, host_running(vec![vec!["SCRIPT", "KILL"]], replies.clone()));
    let r =
        eval(&mut h, "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end", &[], &[]);
    assert_error_like(&r, "*killed by user*");
    assert_eq!(*replies.borrow(), vec![ok()]);
}

#[test]
fn busy_script_refuses_the_wrong_kill_and_reports_itself() {
    let mut h = busy_harness(10);
    let replies = Rc::new(RefCell::new(Vec::new()));
    scripting::set_host(
        &h.eng,
        host_running(
            vec![vec!["FUNCTION", "KILL"], vec!["FUNCTION", "STATS"], vec!["SCRIPT", "KILL"]],
            replies.clone(),
        ),
    );
    let r = eval(&mut h, "local a = 1 while true do a = a + 1 end", &[], &[]);
    assert_error_like(&r, "*killed by user*");
    let got = replies.borrow();
    assert_eq!(got[0], err("BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."));
    assert_eq!(got[1], err("BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."));
    assert_eq!(got[2], ok());
}

#[test]
fn busy_script_that_wrote_cannot_be_killed() {
    let mut h = busy_harness(10);
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    let rounds = Cell::new(0);
    scripting::set_host(
        &h.eng,
        Box::new(Recorder {
            lines: Rc::default(),
            on_busy: Box::new(move |eng, script| {
                rounds.set(rounds.get() + 1);
                if rounds.get() == 1 {
                    s.borrow_mut().push(scripting::kill(eng, true).err().map(|e| e.to_string()).unwrap_or_default());
                    s.borrow_mut().push(scripting::busy_error(eng).map(|e| e.to_string()).unwrap_or_default());
                    assert!(script.is_eval);
                }
            }),
        }),
    );
    let r = eval(
        &mut h,
        "redis.call('set',KEYS[1],'y'); local n = 0 while n < 2000000 do n = n + 1 end return n",
        &["x"],
        &[],
    );
    assert_eq!(r, int(2000000));
    let seen = seen.borrow();
    assert!(seen[0].starts_with("UNKILLABLE Sorry the script already executed write commands"), "{seen:?}");
    assert_eq!(seen[1], "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
}

#[test]
fn script_kill_without_a_script_is_notbusy() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["SCRIPT", "KILL"]), err("NOTBUSY No scripts in execution right now."));
    assert_eq!(h.run(&["FUNCTION", "KILL"]), err("NOTBUSY No scripts in execution right now."));
}

#[test]
fn busy_script_logs_a_slow_script_warning() {
    let mut h = busy_harness(10);
    let lines = Rc::new(RefCell::new(Vec::new()));
    let kills = Cell::new(false);
    scripting::set_host(
        &h.eng,
        Box::new(Recorder {
            lines: lines.clone(),
            on_busy: Box::new(move |eng, _| {
                if !kills.replace(true) {
                    scripting::kill(eng, true).unwrap();
                }
            }),
        }),
    );
    eval(&mut h, "while true do end", &[], &[]);
    let lines = lines.borrow();
    assert!(lines[0].1.starts_with("Slow script detected: still in execution after"), "{lines:?}");
    let name = scripting::sha1hex(b"while true do end");
    assert!(lines[0]
        .1
        .ends_with(&format!("You can try killing the script using the SCRIPT KILL command. Script name is: {name}.")));
    assert_eq!(lines[0].0, LogLevel::Warning);
    assert_eq!(lines.last().unwrap(), &(LogLevel::Notice, "Lua script killed by user with SCRIPT KILL.".to_string()));
}

#[test]
fn long_script_under_threshold_runs_to_its_end() {
    let mut h = Harness::with_config(Config { busy_reply_threshold: 10, ..Config::default() });
    assert_eq!(eval(&mut h, "for i=1,100000 do redis.call('ping') end return 'ok'", &[], &[]), bulk("ok"));
    assert_eq!(h.run(&["PING"]), status("PONG"));
}

#[test]
fn script_help_lists_subcommands() {
    let mut h = Harness::new();
    match h.run(&["SCRIPT", "HELP"]) {
        Reply::Array(lines) => {
            assert_eq!(lines[0], status("SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
            assert!(lines.contains(&status("KILL")));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.run(&["SCRIPT", "DEBUG", "NO"]), ok());
    assert_eq!(h.run(&["SCRIPT", "DEBUG", "MAYBE"]), err("ERR Use SCRIPT DEBUG YES/SYNC/NO"));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"]), bulks(&["a", "b"]));
}

#[test]
fn eval_inside_multi_runs_at_exec() {
    let mut h = Harness::new();
    assert_eq!(h.run(&["MULTI"]), ok());
    assert_eq!(h.run(&["EVAL", "return redis.call('incr', KEYS[1])", "1", "n"]), status("QUEUED"));
    assert_eq!(h.run(&["EXEC"]), array(vec![int(1)]));
}

#[test]
fn info_reports_script_memory() {
    let mut h = Harness::new();
    let before = scripting::info(&h.eng);
    h.run(&["SCRIPT", "LOAD", "return 1"]);
    let after = scripting::info(&h.eng);
    assert_eq!(after.number_of_cached_scripts, before.number_of_cached_scripts + 1);
    assert!(after.used_memory_scripts_eval > before.used_memory_scripts_eval);
    assert!(after.used_memory_vm_eval > 0);
    let _ = float_bulk;
}
