//! Differential tests of Lua scripts: the same EVAL / EVALSHA / SCRIPT / FUNCTION / FCALL sequences go
//! to ferrokey and to Debian's redis-server, and the raw reply bytes are compared one by one, in RESP2
//! and in RESP3 (each sequence runs from an empty server: FLUSHALL, SCRIPT FLUSH, FUNCTION FLUSH).
//!
//! The reference is Valkey 8.0.1 but the comparison server is Redis 7.0.15. Where the two answer a
//! script differently, the command is listed once in [`KNOWN_DIFFERENCES`] with both servers' exact
//! replies: the test checks that Redis 7.0 still gives its reply and that ferrokey gives Valkey's, so
//! the difference is pinned rather than hidden, and no compared sequence contains those commands.
//!
//! Skipped (with a notice) when redis-server is not installed. FERROKEY_DIFF_TRACE=1 prints every
//! command and ferrokey's reply.

mod common;

use common::*;
use std::collections::HashSet;

/// One named sequence: each step is one command's arguments.
type Case = (&'static str, &'static [&'static [&'static str]]);

/// Sequences compared byte for byte, in both protocols.
const CASES: &[Case] = &[
    // -- Lua values to replies
    (
        "scalars",
        &[
            &["EVAL", "return 1", "0"],
            &["EVAL", "return -7", "0"],
            &["EVAL", "return 'text'", "0"],
            &["EVAL", "return ''", "0"],
            &["EVAL", "return 3.99", "0"],
            &["EVAL", "return -3.99", "0"],
            &["EVAL", "return 2^53", "0"],
            &["EVAL", "return 1e300", "0"],
            &["EVAL", "return true", "0"],
            &["EVAL", "return false", "0"],
            &["EVAL", "return nil", "0"],
            &["EVAL", "return", "0"],
            &["EVAL", "return tostring(0.1) .. ' ' .. tostring(1e15) .. ' ' .. tostring(1/0)", "0"],
            &["EVAL", "return string.format('%d %5.2f %s %x', 2^40, 3.14159, 'x', 255)", "0"],
        ],
    ),
    (
        "tables",
        &[
            &["EVAL", "return {1, 'two', {3, {4}}, false, 4.9}", "0"],
            &["EVAL", "return {1, nil, 3}", "0"],
            &["EVAL", "return {}", "0"],
            &["EVAL", "return {a = 1, b = 2}", "0"],
            &["EVAL", "return {1, 2, a = 3}", "0"],
            &["EVAL", "return {ok = 'FINE'}", "0"],
            &["EVAL", "return {err = 'My error'}", "0"],
            &["EVAL", "return {err = 'BADCODE with code'}", "0"],
            &["EVAL", "return {{ok = 'x'}, {err = 'y'}}", "0"],
            &["EVAL", "return redis.status_reply('GOOD')", "0"],
            &["EVAL", "return redis.error_reply('MINE went wrong')", "0"],
            &["EVAL", "return redis.error_reply('no code here')", "0"],
            &["EVAL", "return redis.error_reply('-ERR dashed')", "0"],
            &["EVAL", "return {double = 1.5}", "0"],
        ],
    ),
    (
        "resp3 values under setresp",
        &[
            &["EVAL", "redis.setresp(3); return {map = {a = 1, b = 'x'}}", "0"],
            &["EVAL", "redis.setresp(3); return {set = {x = true}}", "0"],
            &["EVAL", "redis.setresp(3); return {double = 3.5}", "0"],
            &["EVAL", "redis.setresp(3); return {double = -0.25}", "0"],
            &["EVAL", "redis.setresp(3); return {big_number = '123456789012345678901234567890'}", "0"],
            &["EVAL", "redis.setresp(3); return true", "0"],
            &["EVAL", "redis.setresp(3); return false", "0"],
            &["EVAL", "redis.setresp(3); return nil", "0"],
            &["EVAL", "redis.setresp(2); return {map = {a = 1}}", "0"],
            &["EVAL", "redis.setresp(4)", "0"],
        ],
    ),
    (
        "replies to Lua",
        &[
            &["HSET", "h", "f", "v"],
            &["SADD", "s", "m"],
            &["ZADD", "z", "1.5", "a"],
            &["EVAL", "local r = redis.call('HGETALL', 'h'); return {type(r), #r}", "0"],
            &["EVAL", "redis.setresp(3); local r = redis.call('HGETALL', 'h'); return r.map.f", "0"],
            &["EVAL", "redis.setresp(3); return redis.call('HGETALL', 'h')", "0"],
            &["EVAL", "redis.setresp(3); return redis.call('SMEMBERS', 's')", "0"],
            &["EVAL", "redis.setresp(3); local r = redis.call('ZSCORE', 'z', 'a'); return {type(r), r.double}", "0"],
            &["EVAL", "redis.setresp(3); return redis.call('ZSCORE', 'z', 'a')", "0"],
            &["EVAL", "redis.setresp(3); return {redis.call('GET', 'nokey') == nil}", "0"],
            &["EVAL", "return {redis.call('GET', 'nokey') == false}", "0"],
            &["EVAL", "return redis.call('SET', 'k', 'v')", "0"],
            &["EVAL", "return redis.call('SET', 'k', 'v').ok", "0"],
            &["EVAL", "return redis.call('PING')", "0"],
            &["EVAL", "redis.setresp(3); return redis.call('EXISTS', 'k', 'h')", "0"],
        ],
    ),
    // -- KEYS, ARGV and commands
    (
        "keys and argv",
        &[
            &["EVAL", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", "2", "a", "b", "c", "d"],
            &["EVAL", "return {#KEYS, #ARGV}", "0"],
            &["EVAL", "return ARGV[1] .. ARGV[2]", "0", "x", "y"],
            &["EVAL", "return 1", "-1"],
            &["EVAL", "return 1", "3", "a"],
            &["EVAL", "return 1", "abc"],
            &["EVAL", "return 1", "1.5", "a"],
            &["EVAL", "return 1"],
        ],
    ),
    (
        "writes and reads",
        &[
            &["EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", "1", "k", "v"],
            &["GET", "k"],
            &["EVAL", "return redis.call('INCRBY', KEYS[1], ARGV[1])", "1", "n", "5"],
            &["EVAL", "return redis.call('INCRBY', KEYS[1], 2.7)", "1", "n"],
            &["EVAL", "return redis.call('RPUSH', 'l', 1, 2, 'x')", "0"],
            &["LRANGE", "l", "0", "-1"],
            &["EVAL", "return redis.call('MGET', 'k', 'missing', 'n')", "0"],
            &["EVAL", "redis.call('DEL', 'k'); return redis.call('EXISTS', 'k')", "0"],
            &["EVAL", "return redis.call('SELECT', 1)", "0"],
            &["EVAL", "redis.call('SELECT', 1); redis.call('SET', 'db1', 'x'); return 1", "0"],
            &["EXISTS", "db1"],
            &["SELECT", "1"],
            &["GET", "db1"],
        ],
    ),
    (
        "rate limiters",
        &[
            &[
                "EVAL",
                "local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return c",
                "1",
                "rl",
                "60",
            ],
            &[
                "EVAL",
                "local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return c",
                "1",
                "rl",
                "60",
            ],
            &["TTL", "rl"],
            &[
                "EVAL",
                "local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1) redis.call('EXPIRE', KEYS[1], ARGV[2]) return {n, redis.call('HLEN', KEYS[1])}",
                "1",
                "hrl",
                "bucket1",
                "30",
            ],
            &[
                "EVAL",
                "local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1) redis.call('EXPIRE', KEYS[1], ARGV[2]) return {n, redis.call('HLEN', KEYS[1])}",
                "1",
                "hrl",
                "bucket2",
                "30",
            ],
            &["TTL", "hrl"],
            &["HGETALL", "hrl"],
        ],
    ),
    // -- errors
    (
        "errors from commands",
        &[
            &["SET", "s", "text"],
            &["EVAL", "return redis.call('INCR', 's')", "0"],
            &["EVAL", "return redis.pcall('INCR', 's')", "0"],
            &["EVAL", "local e = redis.pcall('INCR', 's'); return e.err", "0"],
            &["EVAL", "return redis.call('LPUSH', 's', 'x')", "0"],
            &["EVAL", "return redis.call('EVAL', 'return 1', 0)", "0"],
            &["EVAL", "return redis.call('MULTI')", "0"],
            &["EVAL", "return redis.call('SUBSCRIBE', 'ch')", "0"],
            &["EVAL", "return pcall(redis.call, 'INCR', 's')", "0"],
            &["EVAL", "local ok, e = pcall(redis.call, 'INCR', 's'); return e", "0"],
            &["INFO", "errorstats"],
        ],
    ),
    (
        "errors from Lua",
        &[
            &["EVAL", "return a", "0"],
            &["EVAL", "a = 10", "0"],
            &["EVAL", "local t = nil; return t.x", "0"],
            &["EVAL", "error('plain message')", "0"],
            &["EVAL", "error({err = 'TABLE err'})", "0"],
            &["EVAL", "error()", "0"],
            &["EVAL", "return 1 +", "0"],
            &["EVAL", "\nlocal x = 1\nreturn x + nil", "0"],
            &["EVAL", "return loadstring('return 1')()", "0"],
            &["EVAL", "return loadfile", "0"],
            &["EVAL", "return print", "0"],
            &["EVAL", "return io", "0"],
            &["EVAL", "redis.call = nil", "0"],
            &["EVAL", "cjson.encode = nil", "0"],
            &["EVAL", "string.x = 1", "0"],
            &["EVAL", "rawset(_G, 'x', 1)", "0"],
            &["EVAL", "setmetatable(_G, nil)", "0"],
        ],
    ),
    (
        "read-only scripts",
        &[
            &["SET", "k", "v"],
            &["EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k"],
            &["EVAL_RO", "return redis.call('SET', KEYS[1], 'x')", "1", "k"],
            &["EVAL_RO", "return redis.pcall('DEL', KEYS[1])", "1", "k"],
            &["EVAL", "#!lua flags=no-writes\nreturn redis.call('SET', 'k', 'y')", "0"],
            &["EVAL", "#!lua flags=no-writes\nreturn redis.call('GET', 'k')", "0"],
            &["EVAL", "#!lua flags=no-writes,allow-oom\nreturn 1", "0"],
            &["EVAL", "#!lua flags=bogus\nreturn 1", "0"],
            &["EVAL", "#!lua name=x\nreturn 1", "0"],
            &["EVAL", "#!python\nreturn 1", "0"],
            &["EVAL", "#!lua\nreturn redis.call('GET', 'k')", "0"],
            &["GET", "k"],
        ],
    ),
    // -- the script cache
    (
        "evalsha and the script cache",
        &[
            &["SCRIPT", "LOAD", "return 'cached'"],
            &["EVALSHA", "952f49ffc8f7b098d8ab5da45d3164ca36ed18b1", "0"],
            &["EVALSHA", "952F49FFC8F7B098D8AB5DA45D3164CA36ED18B1", "0"],
            &["EVALSHA_RO", "952f49ffc8f7b098d8ab5da45d3164ca36ed18b1", "0"],
            &["SCRIPT", "EXISTS", "952f49ffc8f7b098d8ab5da45d3164ca36ed18b1", "ffffffffffffffffffffffffffffffffffffffff"],
            &["EVAL", "return 'evaluated'", "0"],
            &["SCRIPT", "EXISTS", "93663fd5ef955e8a2ca7f51ae1e3b766238304a7"],
            &["SCRIPT", "FLUSH"],
            &["SCRIPT", "EXISTS", "952f49ffc8f7b098d8ab5da45d3164ca36ed18b1"],
            &["SCRIPT", "FLUSH", "ASYNC"],
            &["SCRIPT", "FLUSH", "SYNC"],
            &["SCRIPT", "FLUSH", "BOTH"],
            &["SCRIPT", "LOAD", "return +"],
            &["SCRIPT", "KILL"],
            &["SCRIPT", "NOSUCH"],
            &["SCRIPT", "EXISTS"],
        ],
    ),
    // -- the bundled libraries
    (
        "cjson",
        &[
            &["EVAL", "return cjson.encode({1, 2, 'three', {a = true}})", "0"],
            &["EVAL", "return cjson.encode({a = {b = {c = 'd'}}})", "0"],
            &["EVAL", "return cjson.encode({})", "0"],
            &["EVAL", "return cjson.encode(cjson.null)", "0"],
            &["EVAL", "return cjson.encode('quote\" slash/ nl\\n tab\\t')", "0"],
            &["EVAL", "return cjson.encode(0.1) .. ' ' .. cjson.encode(1e20) .. ' ' .. cjson.encode(-5)", "0"],
            &["EVAL", "return cjson.encode({[1] = 'a', [3] = 'c'})", "0"],
            &["EVAL", "return cjson.encode({[1] = 'a', [30] = 'c'})", "0"],
            &["EVAL", "return cjson.encode(1/0)", "0"],
            &["EVAL", "return cjson.encode(function() end)", "0"],
            &["EVAL", "local t = cjson.decode(ARGV[1]); return {t.a[1], t.a[2], t.b, type(t.n)}", "0", r#"{"a":[1,"x"],"b":"y","n":null}"#],
            &["EVAL", "return cjson.decode(ARGV[1]) == cjson.null", "0", "null"],
            &["EVAL", "return tostring(cjson.decode(ARGV[1]))", "0", "12345678901234567890"],
            &["EVAL", "return cjson.decode(ARGV[1])", "0", "{bad json"],
            &["EVAL", "return cjson.decode(ARGV[1])", "0", "[1,2"],
            &["EVAL", "return cjson.decode('')", "0"],
            &["EVAL", "return cjson.encode(cjson.decode(ARGV[1]))", "0", r#"{"k":"\u00e9\ud83d\ude00"}"#],
            &["EVAL", "local s = string.rep('[', 1100); return pcall(cjson.decode, s)", "0"],
            &["EVAL", "return cjson.encode_keep_buffer", "0"],
        ],
    ),
    (
        "cmsgpack bit struct",
        &[
            &["EVAL", "return cmsgpack.pack({1, 2, 'x', {a = 1}})", "0"],
            &["EVAL", "return cmsgpack.pack(1.5, -1, 300, 70000, 2^40, true, false)", "0"],
            &["EVAL", "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}))}", "0"],
            &["EVAL", "local t = cmsgpack.unpack(cmsgpack.pack({a = 'b'})); return t.a", "0"],
            &["EVAL", "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}", "0"],
            &["EVAL", "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}", "0"],
            &["EVAL", "return cmsgpack.unpack('\\193')", "0"],
            &["EVAL", "return cmsgpack.pack()", "0"],
            &["EVAL", "return {bit.band(0xff, 0x0f), bit.bor(1, 2), bit.bxor(3, 1), bit.bnot(0)}", "0"],
            &["EVAL", "return {bit.lshift(1, 10), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.tobit(2^32 + 5)}", "0"],
            &["EVAL", "return {bit.tohex(255), bit.tohex(-1, -4), bit.bswap(0x12345678), bit.rol(1, 33)}", "0"],
            &["EVAL", "return struct.pack('>I2 <i4 b', 258, -2, 7)", "0"],
            &["EVAL", "return {struct.unpack('>I2', '\\1\\2')}", "0"],
            &["EVAL", "return {struct.size('i4 d c3'), struct.unpack('s', 'abc\\0')}", "0"],
            &["EVAL", "return struct.pack('q', 1)", "0"],
        ],
    ),
    (
        "redis helpers",
        &[
            &["EVAL", "return redis.sha1hex('')", "0"],
            &["EVAL", "return redis.sha1hex('Pizza & Mandolino')", "0"],
            &["EVAL", "return redis.sha1hex()", "0"],
            &["EVAL", "return redis.log(redis.LOG_WARNING, 'from a script')", "0"],
            &["EVAL", "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}", "0"],
            &["EVAL", "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}", "0"],
            &["EVAL", "return redis.set_repl(redis.REPL_ALL)", "0"],
            &["EVAL", "return redis.set_repl(99)", "0"],
            &["EVAL", "return redis.replicate_commands()", "0"],
            &["EVAL", "return redis.breakpoint()", "0"],
            &["EVAL", "return redis.debug('x')", "0"],
            &["EVAL", "return redis.acl_check_cmd('SET', 'k', 'v')", "0"],
            &["EVAL", "return type(redis.REDIS_VERSION_NUM)", "0"],
            &["EVAL", "math.randomseed(1); return {math.random(100), math.random(100)}", "0"],
            &["EVAL", "return {math.random(10), math.random(10), math.random(10)}", "0"],
            &["EVAL", "return {math.random(10), math.random(10), math.random(10)}", "0"],
        ],
    ),
    // -- transactions
    (
        "scripts in MULTI and WATCH",
        &[
            &["MULTI"],
            &["EVAL", "return redis.call('INCR', 'c')", "0"],
            &["EVAL", "return redis.call('INCR', 'c')", "0"],
            &["EXEC"],
            &["WATCH", "w"],
            &["EVAL", "return redis.call('SET', 'w', '1')", "0"],
            &["MULTI"],
            &["GET", "w"],
            &["EXEC"],
            &["MULTI"],
            &["EVAL", "return redis.call('INCR', 'c')", "x"],
            &["EXEC"],
        ],
    ),
    // -- functions
    (
        "functions",
        &[
            &[
                "FUNCTION",
                "LOAD",
                "#!lua name=mylib\nredis.register_function('hello', function(keys, args) return 'hi ' .. args[1] end)\nredis.register_function{function_name='ro', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\nredis.register_function('w', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
            ],
            &["FCALL", "hello", "0", "you"],
            &["FCALL", "w", "1", "k", "v"],
            &["FCALL_RO", "ro", "1", "k"],
            &["FCALL_RO", "w", "1", "k", "x"],
            &["FCALL", "nosuch", "0"],
            &["FCALL", "hello", "x"],
            &["FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('hello', function() return 1 end)"],
            &["FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('hello', function() return 1 end)"],
            &["FUNCTION", "LOAD", "#!lua name=bad\nreturn 1"],
            &["FUNCTION", "LOAD", "#!lua name=bad\nredis.call('SET', 'x', 1)"],
            &["FUNCTION", "LOAD", "#!lua\nredis.register_function('f', function() end)"],
            &["FUNCTION", "LOAD", "#!lua name=bad\nredis.register_function{function_name='f', callback=function() end, flags={'bogus'}}"],
            &["FUNCTION", "LOAD", "no shebang"],
            &["FUNCTION", "LOAD", "REPLACE", "#!lua name=mylib\nredis.register_function('hello', function() return 'replaced' end)"],
            &["FCALL", "hello", "0"],
            &["FCALL", "w", "1", "k", "v"],
            &["FUNCTION", "LIST"],
            &["FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "my*"],
            &["FUNCTION", "LIST", "LIBRARYNAME", "nomatch"],
            &["FUNCTION", "DELETE", "nosuch"],
            &["FUNCTION", "DELETE", "mylib"],
            &["FCALL", "hello", "0"],
            &["FUNCTION", "LIST"],
            &["FUNCTION", "FLUSH", "ASYNC"],
            &["FUNCTION", "KILL"],
            &["FUNCTION", "RESTORE", "bad payload"],
            &["FUNCTION", "NOSUCH"],
        ],
    ),
];

/// A command on which Valkey 8.0.1 and Redis 7.0.15 answer differently: both exact replies.
struct Known {
    what: &'static str,
    why: &'static str,
    argv: &'static [&'static str],
    redis_7_0: &'static str,
    valkey_8_0: &'static str,
}

/// Every difference between the two servers the cases above would meet, in one place (RESP2).
const KNOWN_DIFFERENCES: &[Known] = &[
    Known {
        what: "API names in errors",
        why: "Valkey names its API server.* in error texts (it added the alias), Redis 7.0 redis.*",
        argv: &["EVAL", "redis.setresp()", "0"],
        redis_7_0: "-ERR redis.setresp() requires one argument. script: 42aacaf580759e59c97e8b1974d08a62f960014f, on @user_script:1.\r\n",
        valkey_8_0: "-ERR server.setresp() requires one argument. script: 42aacaf580759e59c97e8b1974d08a62f960014f, on @user_script:1.\r\n",
    },
    Known {
        what: "acl_check_cmd error",
        why: "the same renaming in acl_check_cmd's error",
        argv: &["EVAL", "return redis.acl_check_cmd('NOSUCH')", "0"],
        redis_7_0: "-ERR Invalid command passed to redis.acl_check_cmd() script: a61704d49f6df3f239cf8127955b935a8eee8eff, on @user_script:1.\r\n",
        valkey_8_0: "-ERR Invalid command passed to server.acl_check_cmd() script: a61704d49f6df3f239cf8127955b935a8eee8eff, on @user_script:1.\r\n",
    },
    Known {
        what: "register_function errors",
        why: "the same renaming in register_function's errors",
        argv: &["FUNCTION", "LOAD", "#!lua name=bad\nredis.register_function('f', 1)"],
        redis_7_0: "-ERR Error registering functions: ERR second argument to redis.register_function must be a function\r\n",
        valkey_8_0: "-ERR Error registering functions: ERR second argument to server.register_function must be a function\r\n",
    },
    Known {
        what: "blocking commands in scripts",
        why: "Valkey 8 dropped the noscript flag of BLPOP & co (they run without blocking), Redis 7.0 refuses them",
        argv: &["EVAL", "return redis.call('BLPOP', 'empty', 0)", "0"],
        redis_7_0: "-ERR This Redis command is not allowed from script script: 4394169cdc883b50a1d1bcd304407e90259141a2, on @user_script:1.\r\n",
        valkey_8_0: "$-1\r\n",
    },
    Known {
        what: "unknown command",
        why: "Valkey 8 dropped \"Redis\" from the text",
        argv: &["EVAL", "return redis.call('nosuchcommand')", "0"],
        redis_7_0: "-ERR Unknown Redis command called from script script: 60e6252e19199d82f2bea24345497fd1b735ed32, on @user_script:1.\r\n",
        valkey_8_0: "-ERR Unknown command called from script script: 60e6252e19199d82f2bea24345497fd1b735ed32, on @user_script:1.\r\n",
    },
    Known {
        what: "unknown command through pcall",
        why: "the same text, returned as an error table",
        argv: &["EVAL", "return redis.pcall('nosuchcommand')", "0"],
        redis_7_0: "-ERR Unknown Redis command called from script\r\n",
        valkey_8_0: "-ERR Unknown command called from script\r\n",
    },
    Known {
        what: "wrong number of arguments",
        why: "Valkey 8 dropped \"Redis\" from the text",
        argv: &["EVAL", "return redis.call('GET')", "0"],
        redis_7_0: "-ERR Wrong number of args calling Redis command from script script: 72273adc3c5955bf8543f1ad6ce893355b89617d, on @user_script:1.\r\n",
        valkey_8_0: "-ERR Wrong number of args calling command from script script: 72273adc3c5955bf8543f1ad6ce893355b89617d, on @user_script:1.\r\n",
    },
    Known {
        what: "call without arguments",
        why: "Valkey 8 dropped \"redis lib\" from the text",
        argv: &["EVAL", "return redis.call()", "0"],
        redis_7_0: "-ERR Please specify at least one argument for this redis lib call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1.\r\n",
        valkey_8_0: "-ERR Please specify at least one argument for this call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1.\r\n",
    },
    Known {
        what: "argument types",
        why: "Valkey 8 dropped \"Lua redis lib\" from the text",
        argv: &["EVAL", "return redis.call('SET', 'a', {})", "0"],
        redis_7_0: "-ERR Lua redis lib command arguments must be strings or integers script: 0e4a8d20a88fe1cf82a45e92784e4ad1be5b76e9, on @user_script:1.\r\n",
        valkey_8_0: "-ERR Command arguments must be strings or integers script: 0e4a8d20a88fe1cf82a45e92784e4ad1be5b76e9, on @user_script:1.\r\n",
    },
    Known {
        what: "os.clock",
        why: "Valkey 8 gives scripts an os table holding only clock, Redis 7.0 no os at all",
        argv: &["EVAL", "return type(os.clock())", "0"],
        redis_7_0: "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: 9cb747080dced7677254b1b2a90673ffa0fd9ead, on @user_script:1.\r\n",
        valkey_8_0: "$6\r\nnumber\r\n",
    },
    Known {
        what: "os without clock",
        why: "the rest of os is missing in Valkey 8, all of it in Redis 7.0",
        argv: &["EVAL", "return os.time()", "0"],
        redis_7_0: "-ERR user_script:1: Script attempted to access nonexistent global variable 'os' script: 13dea82ee9da896aebcd10f5e36f4a1eeb839b48, on @user_script:1.\r\n",
        valkey_8_0: "-ERR user_script:1: attempt to call field 'time' (a nil value) script: 13dea82ee9da896aebcd10f5e36f4a1eeb839b48, on @user_script:1.\r\n",
    },
    Known {
        what: "NOSCRIPT",
        why: "Valkey 8 dropped \"Please use EVAL.\" from the reply",
        argv: &["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"],
        redis_7_0: "-NOSCRIPT No matching script. Please use EVAL.\r\n",
        valkey_8_0: "-NOSCRIPT No matching script.\r\n",
    },
    Known {
        what: "redis.log level",
        why: "Valkey 8 says \"log level\", Redis 7.0 \"debug level\"",
        argv: &["EVAL", "return redis.log(99, 'x')", "0"],
        redis_7_0: "-ERR Invalid debug level. script: d1ccc394357733a87e4372af693b49d6582b5c58, on @user_script:1.\r\n",
        valkey_8_0: "-ERR Invalid log level. script: d1ccc394357733a87e4372af693b49d6582b5c58, on @user_script:1.\r\n",
    },
];

// ================================================================ running

/// The two servers and a connection to each.
struct Pair {
    ours: Conn,
    real: Conn,
    trace: bool,
    _servers: (ServerProcess, ServerProcess),
}

impl Pair {
    fn start() -> Option<Pair> {
        let real_srv = RealServer::start()?;
        let ours_srv = TestServer::start();
        let (ours, real) = (ours_srv.connect(), real_srv.connect());
        let trace = std::env::var_os("FERROKEY_DIFF_TRACE").is_some();
        Some(Pair { ours, real, trace, _servers: (ours_srv, real_srv) })
    }

    /// Empty servers and fresh connection state, in RESP3 when asked.
    fn reset(&mut self, resp3: bool) {
        for c in [&mut self.ours, &mut self.real] {
            assert_eq!(c.call(&["RESET"]), b"+RESET\r\n");
            assert_eq!(c.call(&["FLUSHALL"]), b"+OK\r\n");
            assert_eq!(c.call(&["SCRIPT", "FLUSH"]), b"+OK\r\n");
            assert_eq!(c.call(&["FUNCTION", "FLUSH"]), b"+OK\r\n");
            assert_eq!(c.call(&["CONFIG", "RESETSTAT"]), b"+OK\r\n");
            if resp3 {
                // The reply describes the server itself: not compared.
                assert!(c.call(&["HELLO", "3"]).starts_with(b"%"));
            }
        }
    }

    /// Runs one sequence from a clean state; every divergence is described.
    fn compare_case(&mut self, steps: &[&[&str]], resp3: bool) -> Vec<String> {
        self.reset(resp3);
        let mut diverged = Vec::new();
        for argv in steps {
            let ours = normalise(argv, self.ours.call(argv));
            let real = normalise(argv, self.real.call(argv));
            if self.trace {
                eprintln!("{argv:?} -> {}", show(&ours));
            }
            if ours != real {
                diverged.push(format!("{argv:?}\n      ferrokey: {}\n      redis:    {}", show(&ours), show(&real)));
            }
        }
        diverged
    }
}

/// Parts of replies that are not about scripts: INFO's other sections' lines.
fn normalise(argv: &[&str], raw: Vec<u8>) -> Vec<u8> {
    if argv[0].eq_ignore_ascii_case("INFO") {
        // Only the errorstat lines: the rest describes the process.
        let text = String::from_utf8_lossy(&raw);
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("errorstat_")).collect();
        return lines.join("\n").into_bytes();
    }
    raw
}

fn run_cases(resp3: bool) {
    let Some(mut pair) = Pair::start() else { return };
    let known: HashSet<&[&str]> = KNOWN_DIFFERENCES.iter().map(|k| k.argv).collect();
    let mut failures = Vec::new();
    for (name, steps) in CASES {
        assert!(steps.iter().all(|argv| !known.contains(argv)), "{name}: a known difference is in a compared case");
        let diverged = pair.compare_case(steps, resp3);
        if !diverged.is_empty() {
            failures.push(format!("{name}:\n    {}", diverged.join("\n    ")));
        }
    }
    assert!(failures.is_empty(), "{} case(s) diverged:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn scripts_match_redis() {
    run_cases(false);
}

#[test]
fn scripts_match_redis_in_resp3() {
    run_cases(true);
}

/// Each known difference still holds: Redis 7.0 gives its reply, ferrokey gives Valkey 8.0.1's.
#[test]
fn known_differences_hold_on_both_sides() {
    let Some(mut pair) = Pair::start() else { return };
    let mut names = HashSet::new();
    for k in KNOWN_DIFFERENCES {
        assert!(names.insert(k.what), "{} listed twice", k.what);
        assert!(!k.why.is_empty());
        pair.reset(false);
        assert_eq!(show(&pair.real.call(k.argv)), show(k.redis_7_0.as_bytes()), "{}: Redis 7.0", k.what);
        assert_eq!(show(&pair.ours.call(k.argv)), show(k.valkey_8_0.as_bytes()), "{}: ferrokey", k.what);
    }
}
