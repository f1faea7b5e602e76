//! FUNCTION and FCALL: the behaviours of Valkey's tests/unit/functions.tcl that need neither
//! replication nor DEBUG RELOAD.

mod common;
use common::*;
use ferrokey_core::glob::glob_match;
use ferrokey_core::resp::Protocol;
use ferrokey_core::Reply;
// The same cases in wasm32, where `#[test]` is wasm-bindgen-test's and they run in Node:
//   cargo test -p ferrokey-core --target wasm32-unknown-unknown --test functions
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn function_code(engine: &str, lib: &str, name: &str, body: &str) -> String {
    format!("#!{engine} name={lib}\nserver.register_function('{name}', function(KEYS, ARGV)\n {body} \nend)")
}

fn no_writes_code(engine: &str, lib: &str, name: &str, body: &str) -> String {
    format!("#!{engine} name={lib}\nserver.register_function{{function_name='{name}', callback=function(KEYS, ARGV)\n {body} \nend, flags={{'no-writes'}}}}")
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

fn load(h: &mut Harness, code: &str) -> Reply {
    h.run(&["FUNCTION", "LOAD", code])
}

fn load_replace(h: &mut Harness, code: &str) -> Reply {
    h.run(&["FUNCTION", "LOAD", "REPLACE", code])
}

/// FUNCTION LIST's reply for one library with functions (name, description, flags), in RESP2
/// terms (maps become flat arrays).
fn listing(lib: &str, functions: &[(&str, Option<&str>, &[&str])]) -> Reply {
    let functions = functions
        .iter()
        .map(|(name, desc, flags)| {
            Reply::Map(vec![
                (bulk("name"), bulk(name)),
                (bulk("description"), desc.map_or(null(), bulk)),
                (bulk("flags"), Reply::Set(flags.iter().map(|f| Reply::Status(f.to_string().into())).collect())),
            ])
        })
        .collect();
    Reply::Map(vec![
        (bulk("library_name"), bulk(lib)),
        (bulk("engine"), bulk("LUA")),
        (bulk("functions"), array(functions)),
    ])
}

#[test]
fn function_load_and_fcall_basic_usage() {
    let mut h = Harness::new();
    assert_eq!(load(&mut h, &function_code("LUA", "test", "test", "return 'hello'")), bulk("test"));
    assert_eq!(h.run(&["FCALL", "test", "0"]), bulk("hello"));
    assert_error_like(
        &h.run(&["FUNCTION", "LOAD", "foo", "bar", &function_code("LUA", "test", "test", "return 'hello'")]),
        "*Unknown option given*",
    );
    assert_error_like(&load(&mut h, &function_code("LUA", "test", "test", "return 'hello1'")), "*already exists*");
    assert_error_like(
        &load(&mut h, &function_code("LUA", "bad\\0foramat", "test", "return 'hello1'")),
        "*Library names can only contain letters, numbers, or underscores(_)*",
    );
    assert_eq!(
        load(&mut h, &function_code("bad_engine", "test", "test", "return 'hello1'")),
        err("ERR Engine 'bad_engine' not found")
    );
    assert_error_like(
        &load_replace(&mut h, &function_code("LUA", "test", "test", "bad script")),
        "*Error compiling function*",
    );
    assert_eq!(load_replace(&mut h, &function_code("LUA", "test", "test", "return 'hello1'")), bulk("test"));
    assert_eq!(h.run(&["FCALL", "test", "0"]), bulk("hello1"));
    assert_eq!(h.run(&["FCALL", "TEST", "0"]), bulk("hello1"));
}

#[test]
fn function_load_failure_with_replace_keeps_the_old_library() {
    let mut h = Harness::new();
    load(&mut h, &function_code("LUA", "test", "test", "return 'hello1'"));
    let r = load_replace(&mut h, &function_code("LUA", "test", "test", "error"));
    assert_error_like(&r, "ERR Error compiling function*");
    assert_eq!(h.run(&["FCALL", "test", "0"]), bulk("hello1"));
}

#[test]
fn function_delete_and_fcall_argument_errors() {
    let mut h = Harness::new();
    load(&mut h, &function_code("LUA", "test", "test", "return 'hello'"));
    assert_eq!(h.run(&["FUNCTION", "DELETE", "test"]), ok());
    assert_eq!(h.run(&["FCALL", "test", "0"]), err("ERR Function not found"));
    load(&mut h, &function_code("LUA", "test", "test", "return 'hello'"));
    assert_eq!(h.run(&["FCALL", "test", "bad_arg"]), err("ERR Bad number of keys provided"));
    assert_eq!(h.run(&["FCALL", "test", "10", "key1"]), err("ERR Number of keys can't be greater than number of args"));
    assert_eq!(h.run(&["FCALL", "test", "-1", "key1"]), err("ERR Number of keys can't be negative"));
    assert_eq!(h.run(&["FUNCTION", "DELETE", "test1"]), err("ERR Library not found"));
    assert_eq!(h.run(&["FUNCTION", "KILL"]), err("NOTBUSY No scripts in execution right now."));
    assert_error_like(&h.run(&["FUNCTION", "bad_subcommand"]), "*unknown subcommand*");
}

#[test]
fn function_flushall_does_not_remove_functions() {
    let mut h = Harness::new();
    load_replace(&mut h, &function_code("lua", "test", "test", "return redis.call('set', 'x', '1')"));
    h.run(&["FLUSHALL"]);
    h.run(&["FLUSHDB"]);
    assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![listing("test", &[("test", None, &[])])]));
}

#[test]
fn function_dump_and_restore_policies() {
    let mut h = Harness::new();
    load(&mut h, &function_code("lua", "test", "test", "return 'hello'"));
    let dump = match h.run(&["FUNCTION", "DUMP"]) {
        Reply::Bulk(b) => b,
        other => panic!("{other:?}"),
    };
    h.run(&["FUNCTION", "DELETE", "test"]);
    assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![]));
    assert_eq!(h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump]), ok());
    assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![listing("test", &[("test", None, &[])])]));

    h.run(&["FUNCTION", "FLUSH"]);
    assert_eq!(h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump, b"FLUSH"]), ok());
    assert_eq!(h.run(&["FCALL", "test", "0"]), bulk("hello"));

    h.run(&["FUNCTION", "FLUSH"]);
    load(&mut h, &function_code("lua", "test", "test", "return 'hello1'"));
    assert_error_like(&h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump, b"APPEND"]), "*already exists*");
    h.run(&["FUNCTION", "FLUSH"]);
    load(&mut h, &function_code("lua", "test1", "test1", "return 'hello1'"));
    assert_eq!(h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump, b"APPEND"]), ok());
    assert_eq!(h.run(&["FCALL", "test", "0"]), bulk("hello"));
    assert_eq!(h.run(&["FCALL", "test1", "0"]), bulk("hello1"));

    h.run(&["FUNCTION", "FLUSH"]);
    load(&mut h, &function_code("lua", "test", "test", "return 'hello1'"));
    assert_eq!(h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump, b"REPLACE"]), ok());
    assert_eq!(h.run(&["FCALL", "test", "0"]), bulk("hello"));

    assert_eq!(
        h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump, b"MERGE"]),
        err("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    );
    assert_error_like(&h.run(&["FUNCTION", "RESTORE", "bad_payload"]), "*payload version or checksum are wrong*");
    assert_eq!(h.run(&["FCALL", "test", "0"]), bulk("hello"));
    assert_eq!(
        h.run(&["FUNCTION", "restore", "arg1", "args2", "arg3"]),
        err("ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.")
    );
}

#[test]
fn function_restore_with_collisions_changes_nothing() {
    let mut h = Harness::new();
    let lib1 = "#!lua name=lib1\nlocal function add1(a) return a + 1 end\nserver.register_function('f1', function(keys, args) return add1(1) end)\nserver.register_function('f2', function(keys, args) return add1(2) end)\nserver.register_function('f3', function(keys, args) return add1(3) end)";
    load(&mut h, lib1);
    let dump = match h.run(&["FUNCTION", "DUMP"]) {
        Reply::Bulk(b) => b,
        other => panic!("{other:?}"),
    };
    h.run(&["FUNCTION", "FLUSH"]);
    load(&mut h, "#!lua name=lib1\nserver.register_function('f6', function(keys, args) return 7 end)");
    load(&mut h, "#!lua name=lib2\nlocal function add1(a) return a + 1 end\nserver.register_function('f4', function(keys, args) return add1(4) end)\nserver.register_function('f5', function(keys, args) return add1(5) end)\nserver.register_function('f3', function(keys, args) return add1(3) end)");
    assert_error_like(&h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump]), "*Library lib1 already exists*");
    assert_error_like(&h.run_bytes(&[b"FUNCTION", b"RESTORE", &dump, b"REPLACE"]), "*Function f3 already exists*");
    for (f, v) in [("f3", 4), ("f4", 5), ("f5", 6), ("f6", 7)] {
        assert_eq!(h.run(&["FCALL", f, "0"]), int(v));
    }
}

#[test]
fn fcall_ro_refuses_writes_and_allows_reads() {
    let mut h = Harness::new();
    load_replace(&mut h, &no_writes_code("lua", "test", "test", "return redis.call('set', 'x', '1')"));
    assert_error_like(
        &h.run(&["FCALL_RO", "test", "1", "x"]),
        "*Write commands are not allowed from read-only scripts*",
    );
    load_replace(&mut h, &no_writes_code("lua", "test", "test", "return redis.call('get', 'x')"));
    h.run(&["SET", "x", "1"]);
    assert_eq!(h.run(&["FCALL_RO", "test", "1", "x"]), bulk("1"));
    load_replace(&mut h, &function_code("lua", "test", "test", "return redis.call('set', KEYS[1], ARGV[1])"));
    h.run(&["FCALL", "test", "1", "x", "foo"]);
    assert_eq!(h.run(&["GET", "x"]), bulk("foo"));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "fcall", "test", "1", "x", "foo"]), bulks(&["x"]));
    assert_eq!(h.run(&["COMMAND", "GETKEYS", "fcall_ro", "test", "1", "x", "foo"]), bulks(&["x"]));
    let f1 = "#!lua name=test\nserver.register_function{function_name = 'f1', callback = function() return redis.call('set', 'x', 1) end}";
    load_replace(&mut h, f1);
    assert_error_like(
        &h.run(&["FCALL_RO", "f1", "1", "x"]),
        "*Can not execute a script with write flag using \\*_ro command*",
    );
    let f1 = "#!lua name=test\nserver.register_function{function_name = 'f1', callback = function() return redis.call('set', 'x', 1) end, flags = {'no-writes'}}";
    load_replace(&mut h, f1);
    assert_error_like(&h.run(&["FCALL", "f1", "1", "x"]), "*Write commands are not allowed from read-only scripts*");
}

#[test]
fn function_flush_and_its_options() {
    let mut h = Harness::new();
    for mode in [None, Some("async"), Some("sync")] {
        load_replace(&mut h, &function_code("lua", "test", "test", "local a = 1 while true do a = a + 1 end"));
        assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![listing("test", &[("test", None, &[])])]));
        let r = match mode {
            None => h.run(&["FUNCTION", "FLUSH"]),
            Some(m) => h.run(&["FUNCTION", "FLUSH", m]),
        };
        assert_eq!(r, ok());
        assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![]));
    }
    assert_error_like(&h.run(&["FUNCTION", "FLUSH", "bad_arg"]), "*only supports SYNC|ASYNC*");
    assert_eq!(
        h.run(&["FUNCTION", "flush", "sync", "extra_arg"]),
        err("ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.")
    );
}

#[test]
fn libraries_share_code_and_default_globals() {
    let mut h = Harness::new();
    load(&mut h, "#!lua name=lib1\nlocal function ping() return redis.call('ping') end\nserver.register_function('f1', function(keys, args) return ping() end)");
    assert_eq!(h.run(&["FCALL", "f1", "0"]), status("PONG"));
    let lib = "#!lua name=lib1\nlocal function add1(a) return a + 1 end\nserver.register_function('f1', function(keys, args) return add1(1) end)\nserver.register_function('f2', function(keys, args) return add1(2) end)";
    load_replace(&mut h, lib);
    assert_eq!(h.run(&["FCALL", "f1", "0"]), int(2));
    assert_eq!(h.run(&["FCALL", "f2", "0"]), int(3));
    let bad = "#!lua name=lib1\nlocal function add1(a) return a + 2 end\nserver.register_function('f1', function(keys, args) return add1(1) end)\nserver.register_function('f2', 'not a function')";
    assert_error_like(&load_replace(&mut h, bad), "*second argument to server.register_function must be a function*");
    assert_eq!(h.run(&["FCALL", "f1", "0"]), int(2));
    assert_error_like(
        &load_replace(&mut h, "#!lua name=lib2\nserver.register_function('f1', function(keys, args) return 1 end)"),
        "*Function f1 already exists*",
    );
    assert_eq!(h.run(&["FCALL", "f2", "0"]), int(3));
}

#[test]
fn register_function_argument_errors() {
    let mut h = Harness::new();
    let cases: &[(&str, &str)] = &[
        ("server.register_function('f1', function(keys, args) return 1 end)\nserver.register_function('f1', function(keys, args) return 1 end)", "*Function already exists in the library*"),
        ("server.register_function()", "*wrong number of arguments to server.register_function*"),
        ("server.register_function('f1')", "*calling server.register_function with a single argument is only applicable to Lua table*"),
        ("server.register_function('f1', function() return 1 end, {}, 'description', 'extra arg')", "*wrong number of arguments to server.register_function*"),
        ("server.register_function(nil, function() return 1 end)", "*first argument to server.register_function must be a string*"),
        ("server.register_function('test\\0test', function() return 1 end)", "*Library names can only contain letters, numbers, or underscores(_) and must be at least one character long*"),
        ("server.register_function('', function() return 1 end)", "*Library names can only contain letters, numbers, or underscores(_) and must be at least one character long*"),
        ("return math.random()", "*attempted to access nonexistent global variable 'math'*"),
        ("return redis.call('ping')", "*attempted to access nonexistent global variable 'call'*"),
        ("return redis.setresp(3)", "*attempted to access nonexistent global variable 'setresp'*"),
        ("return redis.set_repl(redis.REPL_NONE)", "*attempted to access nonexistent global variable 'set_repl'*"),
        ("return redis.acl_check_cmd('set','xx',1)", "*attempted to access nonexistent global variable 'acl_check_cmd'*"),
        ("redis.math.random()", "*Script attempted to access nonexistent global variable 'math'*"),
        ("redis.redis.call('ping')", "*Script attempted to access nonexistent global variable 'redis'*"),
        ("return 1", "*No functions registered*"),
        ("a = 1", "*Attempt to modify a readonly table*"),
        ("mt = getmetatable(_G)", "*Script attempted to access nonexistent global variable 'getmetatable'*"),
        ("server.register_function{function_name=function() return 1 end, callback=function() return 'hello' end, description='some desc'}", "*function_name argument given to server.register_function must be a string*"),
        ("server.register_function{function_name='f1', callback='bad', description='some desc'}", "*callback argument given to server.register_function must be a function*"),
        ("server.register_function{function_name='f1', callback=function() return 'hello' end, description=function() return 1 end}", "*description argument given to server.register_function must be a string*"),
        ("server.register_function{function_name='f1', callback=function() return 'hello' end, description='desc', some_unknown='unknown'}", "*unknown argument given to server.register_function*"),
        ("server.register_function{callback=function() return 'hello' end, description='desc'}", "*server.register_function must get a function name argument*"),
        ("server.register_function{function_name='f1', description='desc'}", "*server.register_function must get a callback argument*"),
        ("server.register_function{function_name = 'f1', callback = function() return 1 end, flags = 'bad flags type'}", "*flags argument to server.register_function must be a table representing function flags*"),
        ("server.register_function{function_name = 'f1', callback = function() return 1 end, flags = {function() return 1 end}}", "*unknown flag given*"),
        ("server.register_function{function_name = 'f1', callback = function() return 1 end, flags = {'unknown'}}", "*unknown flag given*"),
    ];
    for (body, pattern) in cases {
        let code = format!("#!lua name=lib2\n{body}");
        assert_error_like(&load_replace(&mut h, &code), pattern);
    }
    assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![]));
    let r = load_replace(&mut h, "#!lua name=lib2\nserver.register_function()");
    assert_eq!(r, err("ERR Error registering functions: ERR wrong number of arguments to server.register_function"));
    let r = load_replace(&mut h, "#!lua name=lib2\na = 1");
    assert_eq!(r, err("ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table"));
}

#[test]
fn library_api_cannot_be_smuggled_out_of_a_load() {
    let mut h = Harness::new();
    let lib = "#!lua name=lib1\nlocal lib = redis\nlib.register_function('f1', function ()\n lib.redis = redis\n lib.math = math\n return {ok='OK'}\nend)\nlib.register_function('f2', function ()\n lib.register_function('f1', function ()\n lib.redis = redis\n lib.math = math\n return {ok='OK'}\n end)\nend)";
    assert_eq!(load_replace(&mut h, lib), bulk("lib1"));
    assert_error_like(&h.run(&["FCALL", "f1", "0"]), "*Attempt to modify a readonly table*");
    assert_error_like(&h.run(&["FCALL", "f2", "0"]), "*can only be called on FUNCTION LOAD command*");
    assert_eq!(h.run(&["FUNCTION", "DELETE", "lib1"]), ok());
    assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![]));
    load(&mut h, "#!lua name=lib\nserver.register_function('f1', function(keys, args)\n server.register_function('f2', function(key, args) return 2 end)\n return 1\nend)");
    assert_error_like(&h.run(&["FCALL", "f1", "0"]), "*attempt to call field 'register_function' (a nil value)*");
    load(&mut h, "#!lua name=test1\nserver.register_function('f9', function()\n mt = getmetatable(_G)\n original_globals = mt.__index\n original_globals['redis'] = function() return 1 end\nend)");
    assert_error_like(&h.run(&["FCALL", "f9", "0"]), "*Attempt to modify a readonly table*");
}

#[test]
fn function_list_filters_and_shows_code() {
    let mut h = Harness::new();
    load(&mut h, "#!lua name=lib\nserver.register_function{function_name='f1', callback=function() return 'hello' end, description='some desc'}");
    assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![listing("lib", &[("f1", Some("some desc"), &[])])]));
    h.run(&["FUNCTION", "FLUSH"]);
    let code = "#!lua name=library1\nserver.register_function('f6', function(keys, args) return 7 end)";
    load(&mut h, code);
    load(&mut h, "#!lua name=lib1\nserver.register_function('f7', function(keys, args) return 7 end)");
    match h.run(&["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "library*"]) {
        Reply::Array(libs) => {
            assert_eq!(libs.len(), 1);
            match &libs[0] {
                Reply::Map(fields) => assert_eq!(fields[3], (bulk("library_code"), bulk(code))),
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        h.run(&["FUNCTION", "LIST", "LIBRARYNAME", "library*"]),
        array(vec![listing("library1", &[("f6", None, &[])])])
    );
    assert_eq!(h.run(&["FUNCTION", "LIST", "bad_argument"]), err("ERR Unknown argument bad_argument"));
    assert_eq!(h.run(&["FUNCTION", "LIST", "libraryname"]), err("ERR library name argument was not given"));
    assert_eq!(h.run(&["FUNCTION", "LIST", "withcode", "withcode"]), err("ERR Unknown argument withcode"));
    assert_eq!(
        h.run(&["FUNCTION", "LIST", "withcode", "libraryname", "foo", "libraryname", "foo"]),
        err("ERR Unknown argument libraryname")
    );
    let flagged = "#!lua name=flagged\nserver.register_function{function_name='g', callback=function() return 1 end, flags={'no-writes', 'allow-stale'}}";
    load(&mut h, flagged);
    assert_eq!(
        h.run(&["FUNCTION", "LIST", "LIBRARYNAME", "flagged"]),
        array(vec![listing("flagged", &[("g", None, &["no-writes", "allow-stale"])])])
    );
}

#[test]
fn function_list_shapes_for_both_protocols() {
    let mut h = Harness::resp3();
    load(&mut h, &no_writes_code("LUA", "test", "test", "return 'hello'"));
    let r = h.run(&["FUNCTION", "LIST"]);
    assert_eq!(r, array(vec![listing("test", &[("test", None, &["no-writes"])])]));
    assert!(wire(&r, Protocol::Resp3).starts_with("*1\r\n%3\r\n"));
    assert!(wire(&r, Protocol::Resp2).starts_with("*1\r\n*6\r\n"));
    assert!(wire(&r, Protocol::Resp3).contains("~1\r\n+no-writes\r\n"));
}

#[test]
fn function_stats_counts_libraries_and_functions() {
    let mut h = Harness::new();
    let stats = |libs: i64, fns: i64| {
        Reply::Map(vec![
            (bulk("running_script"), null()),
            (
                bulk("engines"),
                Reply::Map(vec![(
                    bulk("LUA"),
                    Reply::Map(vec![(bulk("libraries_count"), int(libs)), (bulk("functions_count"), int(fns))]),
                )]),
            ),
        ])
    };
    load(&mut h, "#!lua name=test1\nserver.register_function('f1', function() return 1 end)\nserver.register_function('f2', function() return 1 end)");
    load(&mut h, "#!lua name=test2\nserver.register_function('f3', function() return 1 end)");
    assert_eq!(h.run(&["FUNCTION", "STATS"]), stats(2, 3));
    h.run(&["FUNCTION", "DELETE", "test1"]);
    assert_eq!(h.run(&["FUNCTION", "STATS"]), stats(1, 1));
    h.run(&["FUNCTION", "FLUSH"]);
    load(&mut h, "#!lua name=test1\nserver.register_function('f1', function() return 1 end)\nserver.register_function('f2', function() return 1 end)");
    assert_error_like(
        &load(&mut h, "#!lua name=test1\nserver.register_function('f3', function() return 1 end)"),
        "*Library 'test1' already exists*",
    );
    assert_eq!(h.run(&["FUNCTION", "STATS"]), stats(1, 2));
    h.run(&["FUNCTION", "FLUSH"]);
    assert_eq!(h.run(&["FUNCTION", "STATS"]), stats(0, 0));
}

#[test]
fn function_metadata_errors() {
    let mut h = Harness::new();
    let body = "\nserver.register_function('foo', function() return 1 end)";
    assert_eq!(load_replace(&mut h, &format!("#! name=test{body}")), err("ERR Engine '' not found"));
    assert_eq!(
        load_replace(&mut h, &format!("#!lua name=test foo=bar{body}")),
        err("ERR Invalid metadata value given: foo=bar")
    );
    assert_eq!(load_replace(&mut h, &format!("#!lua{body}")), err("ERR Library name was not given"));
    assert_eq!(
        load_replace(&mut h, &format!("#!lua name=foo name=bar{body}")),
        err("ERR Invalid metadata value, name argument was given multiple times")
    );
    assert_eq!(load_replace(&mut h, &format!("#!lua name=\"foo\"{body}")), bulk("foo"));
    assert_eq!(load_replace(&mut h, "return 1"), err("ERR Missing library metadata"));
}

#[test]
fn function_version_api_matches_the_version_string() {
    let mut h = Harness::new();
    let lib = "#!lua name=test\nlocal version = redis.REDIS_VERSION_NUM\nserver.register_function{function_name='get_version_v1', callback=function()\n return string.format('%s.%s.%s', bit.band(bit.rshift(version, 16), 0x000000ff), bit.band(bit.rshift(version, 8), 0x000000ff), bit.band(version, 0x000000ff))\nend}\nserver.register_function{function_name='get_version_v2', callback=function() return redis.REDIS_VERSION end}";
    load_replace(&mut h, lib);
    assert_eq!(h.run(&["FCALL", "get_version_v1", "0"]), h.run(&["FCALL", "get_version_v2", "0"]));
}

#[test]
fn function_errors_name_the_function_and_line() {
    let mut h = Harness::new();
    load(&mut h, "#!lua name=lib\nserver.register_function('boom', function()\n  error('bad')\nend)");
    assert_eq!(h.run(&["FCALL", "boom", "0"]), err("ERR user_function:3: bad script: boom, on @user_function:3."));
    load(&mut h, "#!lua name=lib2\nserver.register_function('oops', function() return redis.call('nosuch') end)");
    assert_eq!(
        h.run(&["FCALL", "oops", "0"]),
        err("ERR Unknown command called from script script: oops, on @user_function:2.")
    );
}

#[test]
fn function_load_runs_with_a_time_limit() {
    use ferrokey_core::{Clock, Engine};
    use std::cell::Cell;
    use std::rc::Rc;
    #[derive(Clone, Default)]
    struct Ticking(Rc<Cell<u64>>);
    impl Clock for Ticking {
        fn now_ms(&self) -> i64 {
            START_MS
        }
        fn monotonic_us(&self) -> u64 {
            self.0.set(self.0.get() + 100_000);
            self.0.get()
        }
    }
    let mut h = Harness::new();
    h.eng = Engine::new(Default::default(), Box::new(Ticking::default()), 42);
    h.client = h.eng.connect(ferrokey_core::client::ConnInfo {
        output: ferrokey_core::client::OutputMode::Values,
        ..Default::default()
    });
    let r = load(&mut h, "#!lua name=lib\nlocal a = 1\nwhile 1 do a = a + 1 end");
    assert_eq!(r, err("ERR Error registering functions: ERR FUNCTION LOAD timeout"));
    assert_eq!(h.run(&["FUNCTION", "LIST"]), array(vec![]));
}

#[test]
fn function_help_lists_subcommands() {
    let mut h = Harness::new();
    match h.run(&["FUNCTION", "HELP"]) {
        Reply::Array(lines) => {
            assert_eq!(lines[0], status("FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
            assert!(lines.contains(&status("DUMP")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn function_kill_and_stats_while_a_function_is_busy() {
    use ferrokey_core::client::{ConnInfo, OutputMode};
    use ferrokey_core::scripting::{self, BusyScript, ScriptHost};
    use ferrokey_core::{Clock, Engine};
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    #[derive(Clone, Default)]
    struct Running(Rc<Cell<u64>>);
    impl Clock for Running {
        fn now_ms(&self) -> i64 {
            START_MS
        }
        fn monotonic_us(&self) -> u64 {
            self.0.set(self.0.get() + 50_000);
            self.0.get()
        }
    }
    struct Host {
        replies: Rc<RefCell<Vec<Reply>>>,
        done: bool,
    }
    impl ScriptHost for Host {
        fn busy(&mut self, eng: &mut Engine, script: &BusyScript) {
            if std::mem::replace(&mut self.done, true) {
                return;
            }
            assert!(!script.is_eval);
            assert_eq!(script.name, "test");
            let other = eng.connect(ConnInfo { output: OutputMode::Values, ..Default::default() });
            for argv in [&["SCRIPT", "KILL"][..], &["FUNCTION", "STATS"], &["FUNCTION", "KILL"]] {
                eng.execute(other, argv.iter().map(|a| a.as_bytes().to_vec()).collect());
                self.replies.borrow_mut().extend(eng.take_output_values(other));
            }
        }
    }

    let config = ferrokey_core::config::Config { busy_reply_threshold: 10, ..Default::default() };
    let mut h = Harness::with_config(config.clone());
    h.eng = Engine::new(config, Box::new(Running::default()), 42);
    h.client = h.eng.connect(ConnInfo { output: OutputMode::Values, ..Default::default() });
    load_replace(&mut h, &function_code("lua", "test", "test", "local a = 1 while true do a = a + 1 end"));
    let replies = Rc::new(RefCell::new(Vec::new()));
    scripting::set_host(&h.eng, Box::new(Host { replies: replies.clone(), done: false }));
    assert_error_like(
        &h.run(&["FCALL", "test", "0"]),
        "ERR Script killed by user with SCRIPT KILL... script: test, on @user_function:3.",
    );
    let replies = replies.borrow();
    assert_eq!(
        replies[0],
        err("BUSY Valkey is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
    );
    match &replies[1] {
        Reply::Map(fields) => {
            assert_eq!(fields[0].0, bulk("running_script"));
            match &fields[0].1 {
                Reply::Map(running) => {
                    assert_eq!(running[0], (bulk("name"), bulk("test")));
                    assert_eq!(running[1], (bulk("command"), bulks(&["FCALL", "test", "0"])));
                    assert_eq!(running[2].0, bulk("duration_ms"));
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(replies[2], ok());
    assert_eq!(h.run(&["PING"]), status("PONG"));
}
