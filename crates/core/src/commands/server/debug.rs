//! DEBUG: introspection and test hooks (OBJECT, DIGEST, SLEEP, SET-ACTIVE-EXPIRE, PROTOCOL ...).
//!
//! DEBUG is one command whose first argument picks the operation, as in Valkey (it is not a container:
//! its statistics are `cmdstat_debug`). It is refused unless `enable-debug-command` allows the client.
//! The operations that crash or restart a process (SEGFAULT, PANIC, RESTART ...) are not offered: the
//! engine must never take its host down.

use crate::args::{is, Args};
use crate::ctx::Ctx;
use crate::db::Entry;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;
use crate::types::Value;

use super::config_cmd::{is_local_client, rewrite};
use super::digest::{dataset_digest, hex, value_digest};
use super::state::{random_hex40, with_state, RewriteError, DEFAULT_PACKED_THRESHOLD};

/// DEBUG subcommand [arg ...]
pub(super) fn debug(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let local = is_local_client(&ctx.client_ref().conn.addr);
    if !ctx.eng.config.enable_debug_command.allows(local) {
        return Err(CommandError::err(
            "DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a \
             local connection, otherwise you need to set this option in the configuration file, and then restart the \
             server.",
        ));
    }
    let argv = args.argv().to_vec();
    let argc = argv.len();
    let sub = String::from_utf8_lossy(&argv[1]).to_ascii_lowercase();
    let arg = |i: usize| argv.get(i).map(Vec::as_slice).unwrap_or_default();
    match (sub.as_str(), argc) {
        ("help", 2) => Ok(help(args)),
        ("sleep", 3) => {
            let secs = strtod(arg(2));
            let us = if secs.is_finite() && secs > 0.0 { (secs * 1_000_000.0) as u64 } else { 0 };
            with_state(ctx.eng, |s| {
                s.sleep_charge_us += us;
                s.host_sleep_us += us;
            });
            Ok(Reply::OK)
        }
        ("set-active-expire", 3) => {
            ctx.eng.active_expire_enabled = atoi(arg(2)) != 0;
            Ok(Reply::OK)
        }
        ("quicklist-packed-threshold", 3) => {
            let ok = parse_memory(arg(2)).filter(|&sz| sz <= (1u64 << 32) - (1 << 20));
            match ok {
                Some(sz) => {
                    let sz = if sz == 0 { DEFAULT_PACKED_THRESHOLD } else { sz };
                    with_state(ctx.eng, |s| s.quicklist_packed_threshold = sz);
                    Ok(Reply::OK)
                }
                None => Err(CommandError::err("argument must be a memory value bigger than 1 and smaller than 4gb")),
            }
        }
        ("object", 3 | 4) => object(ctx, arg(2), argc == 4 && is(arg(3), "fast")),
        ("sdslen", 3) => sdslen(ctx, arg(2)),
        ("listpack", 3) => match with_value(ctx, arg(2), |v| v.encoding())? {
            "listpack" => Ok(Reply::status("Listpack structure printed on stdout")),
            _ => Err(CommandError::err("Not a listpack encoded object.")),
        },
        ("quicklist", 3 | 4) => match with_value(ctx, arg(2), |v| v.encoding())? {
            "quicklist" => Ok(Reply::status("Quicklist structure printed on stdout")),
            _ => Err(CommandError::err("Not a quicklist encoded object.")),
        },
        ("populate", 3..=5) => populate(ctx, &argv),
        ("digest", 2) => Ok(Reply::Status(hex(&dataset_digest(ctx.eng)).into())),
        ("digest-value", _) => {
            let db = ctx.db();
            Ok(Reply::Array(
                argv[2..]
                    .iter()
                    .map(|k| {
                        let d = db.get(k).map_or([0; 20], |e| value_digest(db, k, &e.value));
                        Reply::Status(hex(&d).into())
                    })
                    .collect(),
            ))
        }
        ("protocol", 3) => protocol(ctx, arg(2)),
        ("change-repl-id", 2) => {
            let id = random_hex40(ctx.eng);
            with_state(ctx.eng, |s| s.replid = Some(id));
            Ok(Reply::OK)
        }
        ("reload", _) => {
            let mut save = true;
            for opt in &argv[2..] {
                if is(opt, "nosave") {
                    save = false;
                } else if !is(opt, "merge") && !is(opt, "noflush") {
                    return Err(CommandError::err("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."));
                }
            }
            crate::commands::persistence::debug_reload(ctx.eng, !save)?;
            Ok(Reply::OK)
        }
        ("loadaof", 2) => {
            crate::commands::persistence::debug_load_aof(ctx.eng)?;
            Ok(Reply::OK)
        }
        ("error", 3) => {
            let text: String =
                String::from_utf8_lossy(arg(2)).chars().map(|c| if c == '\r' || c == '\n' { ' ' } else { c }).collect();
            Err(CommandError::Other(text.into()))
        }
        ("log" | "leak", 3) => Ok(Reply::OK),
        ("structsize", 2) => Ok(Reply::bulk(format!(
            "bits:{} entry:{} value:{} bytestr:{} ",
            usize::BITS,
            std::mem::size_of::<Entry>(),
            std::mem::size_of::<Value>(),
            std::mem::size_of::<crate::bytestr::ByteStr>()
        ))),
        ("htstats", _) if argc >= 3 => htstats(ctx, arg(2)),
        ("htstats-key", _) if argc >= 3 => htstats_key(ctx, arg(2)),
        ("config-rewrite-force-all", 2) => match rewrite(ctx, true) {
            Ok(()) => Ok(Reply::OK),
            Err(RewriteError::NoConfigFile) => {
                Err(CommandError::err("CONFIG-REWRITE-FORCE-ALL failed: The server is running without a config file"))
            }
            Err(RewriteError::Io(e)) => Err(CommandError::err(format!("CONFIG-REWRITE-FORCE-ALL failed: {e}"))),
        },
        ("client-eviction", 2) => {
            if ctx.eng.config.maxmemory_clients == 0 {
                Err(CommandError::err("maxmemory-clients is disabled."))
            } else {
                Ok(Reply::Verbatim("txt", Vec::new()))
            }
        }
        ("stringmatch-test", 2) => Ok(Reply::status("Apparently the server did not crash: test passed")),
        ("replicate", _) if argc >= 3 => Ok(Reply::OK),
        ("replybuffer", 4) => {
            if is(arg(2), "peak-reset-time") {
                if !is(arg(3), "never") && !is(arg(3), "reset") && crate::num::parse_i64(arg(3)).is_none() {
                    return Err(CommandError::NotInteger);
                }
            } else if !is(arg(2), "resizing") {
                return Err(syntax(&argv));
            }
            Ok(Reply::OK)
        }
        // Switches of Valkey internals ferrokey does not have: accepted, no effect.
        (
            "set-skip-checksum-validation"
            | "aof-flush-sleep"
            | "set-disable-deny-scripts"
            | "pause-cron"
            | "pause-after-fork"
            | "delay-rdb-client-free-seconds"
            | "dict-resizing"
            | "close-cluster-link-on-packet-drop"
            | "drop-cluster-packet-filter",
            3,
        ) => Ok(Reply::OK),
        _ => Err(syntax(&argv)),
    }
}

fn syntax(argv: &[Vec<u8>]) -> CommandError {
    CommandError::SubcommandSyntax(crate::engine::truncate_lossy(&argv[1], 128), "DEBUG".into())
}

/// C's `atoi`: leading blanks, a sign and digits; anything else stops it (0 if nothing).
fn atoi(s: &[u8]) -> i64 {
    let s = std::str::from_utf8(s).unwrap_or("").trim_start();
    let end = s.char_indices().take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))).count();
    s[..end].parse().unwrap_or(0)
}

/// C's `strtod`: the longest number prefix, 0 when there is none.
fn strtod(s: &[u8]) -> f64 {
    let s = std::str::from_utf8(s).unwrap_or("").trim_start();
    (1..=s.len()).rev().find_map(|n| s.get(..n).and_then(|p| p.parse::<f64>().ok())).unwrap_or(0.0)
}

/// A memory amount with an optional unit (`1b`, `100k`, `1kb`, `2gb`), as Valkey's memtoull.
fn parse_memory(s: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(s).ok()?.to_ascii_lowercase();
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let mul: u64 = match &s[digits.len()..] {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(mul)
}

/// Runs `f` on the value at `key` (no expiry check, no access-time change), or `ERR no such key`.
fn with_value<R>(ctx: &mut Ctx, key: &[u8], f: impl FnOnce(&Value) -> R) -> Result<R, CommandError> {
    ctx.db().get(key).map(|e| f(&e.value)).ok_or(CommandError::NoSuchKey)
}

/// DEBUG OBJECT key [fast]
fn object(ctx: &mut Ctx, key: &[u8], fast: bool) -> CmdResult {
    let clock = ctx.eng.lru_clock();
    let c = &ctx.eng.config;
    let policy = c.maxmemory_policy.as_str();
    let sharing = c.maxmemory == 0 || !(policy.contains("lru") || policy.contains("lfu"));
    let lfu = policy.contains("lfu");
    let fill = c.list_max_listpack_size;
    let compressed = c.list_compress_depth != 0;
    let decay = c.lfu_decay_time;
    let now_ms = ctx.now_ms;
    let db = ctx.db();
    let entry = db.get(key).ok_or(CommandError::NoSuchKey)?;
    let v = &entry.value;
    let shared = matches!(v, Value::Str(s) if sharing
        && crate::types::string_encoding(s) == "int"
        && crate::num::parse_i64(s).is_some_and(|n| (0..10_000).contains(&n)));
    let refcount = if shared { i32::MAX } else { 1 };
    // The value's address stands in for Valkey's object pointer: it stays put while the value is
    // modified in place, as the tests of in-place INCR expect.
    let addr = v as *const Value as usize;
    let mut s = format!("Value at:0x{addr:x} refcount:{refcount} encoding:{}", v.encoding());
    if !fast {
        s.push_str(&format!(" serializedlength:{}", serialized_length(v)));
    }
    let (lru, idle) = if lfu { (entry.lru, 0) } else { (entry.lru, clock.saturating_sub(entry.lru)) };
    s.push_str(&format!(" lru:{lru} lru_seconds_idle:{idle}"));
    let freq = if lfu { crate::commands::keys::lfu_decayed_counter(entry.lru, now_ms, decay) } else { 0 };
    s.push_str(&format!(" lfu_freq:{freq} lfu_access_time_minutes:{}", entry.lru >> 8));
    if let Value::List(l) = v {
        if l.encoding() == "quicklist" {
            // TODO(types/list.rs): the node count is not exposed; estimate it from the fill limit.
            let per_node = if fill > 0 { fill as usize } else { 128 };
            let nodes = l.len().div_ceil(per_node).max(1);
            s.push_str(&format!(
                " ql_nodes:{nodes} ql_avg_node:{:.2} ql_listpack_max:{fill} ql_compressed:{}",
                l.len() as f64 / nodes as f64,
                u8::from(compressed)
            ));
            if !fast {
                s.push_str(&format!(" ql_uncompressed_size:{}", l.memory_usage()));
            }
        }
    }
    Ok(Reply::Status(s.into()))
}

/// Roughly the bytes the value takes in an RDB snapshot (DEBUG OBJECT `serializedlength`).
fn serialized_length(v: &Value) -> usize {
    fn len_prefix(n: usize) -> usize {
        match n {
            0..=63 => 1,
            64..=16383 => 2,
            _ => 5,
        }
    }
    fn string(b: &[u8]) -> usize {
        match crate::num::parse_i64(b) {
            Some(n) if b.len() <= 11 && (-128..128).contains(&n) => 2,
            Some(n) if b.len() <= 11 && (-32768..32768).contains(&n) => 3,
            Some(n) if b.len() <= 11 && i32::try_from(n).is_ok() => 5,
            _ => len_prefix(b.len()) + b.len(),
        }
    }
    match v {
        Value::Str(s) => string(s),
        Value::List(l) => len_prefix(l.len()) + l.iter().map(string).sum::<usize>(),
        Value::Set(s) => len_prefix(s.len()) + s.iter().map(|m| m.with_bytes(string)).sum::<usize>(),
        Value::Hash(h) => len_prefix(h.len()) + h.iter().map(|(f, x)| string(f) + string(x)).sum::<usize>(),
        Value::ZSet(z) => len_prefix(z.len()) + z.iter().map(|(_, m)| string(m) + 8).sum::<usize>(),
        Value::Stream(s) => len_prefix(s.len() as usize),
    }
}

/// DEBUG SDSLEN key
fn sdslen(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    let db = ctx.db();
    let entry = db.get(key).ok_or(CommandError::NoSuchKey)?;
    match &entry.value {
        Value::Str(s) if crate::types::string_encoding(s) != "int" => {
            let k = key.len();
            Ok(Reply::Status(
                format!(
                    "key_sds_len:{k}, key_sds_avail:0, key_zmalloc: {}, val_sds_len:{}, val_sds_avail:0, val_zmalloc: {}",
                    k.max(22),
                    s.len(),
                    s.len().max(22)
                )
                .into(),
            ))
        }
        _ => Err(CommandError::err("Not an sds encoded string.")),
    }
}

/// DEBUG POPULATE count [prefix] [size]: string keys `prefix:N` holding `value:N` (cut or
/// zero-padded to `size` bytes), skipping names that exist. Not a write to replicate: no events.
fn populate(ctx: &mut Ctx, argv: &[Vec<u8>]) -> CmdResult {
    let positive = |a: &[u8]| match crate::num::parse_i64(a) {
        Some(n) if n >= 0 => Ok(n as u64),
        _ => Err(CommandError::NotPositive),
    };
    let count = positive(&argv[2])?;
    let prefix = argv.get(3).cloned().unwrap_or_else(|| b"key".to_vec());
    let size = match argv.get(4) {
        Some(a) => positive(a)? as usize,
        None => 0,
    };
    let db = ctx.db_index();
    for j in 0..count {
        let mut key = prefix.clone();
        key.extend_from_slice(format!(":{j}").as_bytes());
        if ctx.exists(&key) {
            continue;
        }
        let mut value = format!("value:{j}").into_bytes();
        if size > 0 {
            value.resize(size, 0);
        }
        ctx.store(key.clone(), Value::str(value));
        ctx.signal_modified_in(db, &key);
    }
    Ok(Reply::OK)
}

/// DEBUG PROTOCOL type: one reply of each RESP type, for client tests.
fn protocol(ctx: &mut Ctx, name: &[u8]) -> CmdResult {
    let ints = || (0..3).map(Reply::Int).collect::<Vec<_>>();
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    Ok(match name.as_str() {
        "string" => Reply::bulk("Hello World"),
        "integer" => Reply::Int(12345),
        // Not PI: the exact value Valkey sends.
        #[allow(clippy::approx_constant)]
        "double" => Reply::Double(3.141),
        "bignum" => Reply::BigNumber("1234567999999999999999999999999999999".into()),
        "null" => Reply::Null,
        "array" => Reply::Array(ints()),
        "set" => Reply::Set(ints()),
        "map" => Reply::Map((0..3).map(|j| (Reply::Int(j), Reply::Bool(j == 1))).collect()),
        // TODO(reply.rs): RESP3 clients should get the `key-popularity` attribute first; the reply type
        // has no attribute variant yet.
        "attrib" => Reply::bulk("Some real reply following the attribute"),
        "push" => {
            if !ctx.resp3() {
                return Err(CommandError::err("RESP2 is not supported by this command"));
            }
            let push = Reply::Push(vec![Reply::bulk("server-cpu-usage"), Reply::Int(42)]);
            ctx.client().push_raw(&push);
            Reply::bulk("Some real reply following the push reply")
        }
        "true" => Reply::Bool(true),
        "false" => Reply::Bool(false),
        "verbatim" => Reply::Verbatim("txt", b"This is a verbatim\nstring".to_vec()),
        _ => {
            return Err(CommandError::err(
                "Wrong protocol type name. Please use one of the following: \
                 string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
            ))
        }
    })
}

/// Valkey's dict statistics text for one table.
fn table_stats(index: usize, size: usize, used: usize) -> String {
    let name = if index == 0 { "main hash table" } else { "rehashing target" };
    if used == 0 {
        return format!("Hash table {index} stats ({name}):\nNo stats available for empty dictionaries\n");
    }
    format!("Hash table {index} stats ({name}):\n table size: {size}\n number of elements: {used}\n")
}

/// Stats text for a dict with `buckets` slots in all and `len` entries.
// TODO(dict.rs): per-table sizes while rehashing; until then both tables are reported as one.
fn dict_stats(buckets: usize, len: usize) -> String {
    table_stats(0, buckets, len)
}

/// DEBUG HTSTATS dbid [full]
fn htstats(ctx: &mut Ctx, dbid: &[u8]) -> CmdResult {
    let id = crate::num::parse_i64(dbid).ok_or(CommandError::NotInteger)?;
    if id < 0 || id as usize >= ctx.eng.dbs.len() {
        return Err(CommandError::err("Out of range database"));
    }
    let db = &ctx.eng.dbs[id as usize];
    let mut text = String::from("[Dictionary HT]\n");
    text.push_str(&dict_stats(db.keys.bucket_count(), db.keys.len()));
    text.push_str("[Expires HT]\n");
    text.push_str(&dict_stats(db.expires.bucket_count(), db.expires.len()));
    Ok(Reply::Verbatim("txt", text.into_bytes()))
}

/// DEBUG HTSTATS-KEY key [full]
fn htstats_key(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    let stats = with_value(ctx, key, |v| match v {
        Value::Set(s) => match &**s {
            crate::types::Set::Table(d) => Some(dict_stats(d.bucket_count(), d.len())),
            _ => None,
        },
        Value::Hash(h) => match &**h {
            crate::types::Hash::Table(d) => Some(dict_stats(d.bucket_count(), d.len())),
            _ => None,
        },
        Value::ZSet(z) if z.encoding() == "skiplist" => Some(dict_stats(z.len().next_power_of_two(), z.len())),
        _ => None,
    })?;
    match stats {
        Some(text) => Ok(Reply::Verbatim("txt", text.into_bytes())),
        None => Err(CommandError::err("The value stored at the specified key is not represented using an hash table")),
    }
}

/// DEBUG HELP
fn help(args: &Args) -> Reply {
    crate::commands::connection::help_reply(
        args.name(),
        &[
            "CHANGE-REPL-ID",
            "    Change the replication IDs of the instance.",
            "    Dangerous: should be used only for testing the replication subsystem.",
            "CONFIG-REWRITE-FORCE-ALL",
            "    Like CONFIG REWRITE but writes all configuration options, including",
            "    keywords not listed in original configuration file or default values.",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "ERROR <string>",
            "    Return a RESP protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate error replies.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "HTSTATS <dbid> [full]",
            "    Return hash table statistics of the specified database.",
            "HTSTATS-KEY <key> [full]",
            "    Like HTSTATS but for the hash table stored at <key>'s value.",
            "LOADAOF",
            "    Flush the AOF buffers on disk and reload the AOF in memory.",
            "OBJECT <key> [fast]",
            "    Show low level info about `key` and associated value.",
            "    Some fields of the default behavior may be time consuming to fetch,",
            "    and `fast` can be passed to avoid fetching them.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "SDSLEN <key>",
            "    Show low level SDS string info representing `key` and value.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the behavior). Setting it to 1 reenables back the",
            "    default.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Sets the threshold for elements to be inserted as plain vs packed nodes",
            "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "STRINGMATCH-TEST",
            "    Run a fuzz tester against the stringmatchlen() function.",
            "STRUCTSIZE",
            "    Return the size of different core C structures.",
            "LISTPACK <key>",
            "    Show low level info about the listpack encoding of <key>.",
            "QUICKLIST <key> [<0|1>]",
            "    Show low level info about the quicklist encoding of <key>.",
            "    The optional argument (0 by default) sets the level of detail",
            "CLIENT-EVICTION",
            "    Show low level client eviction pools info (maxmemory-clients).",
            "DICT-RESIZING <0|1>",
            "    Enable or disable the main dict and expire dict resizing.",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_number_parsers_follow_c() {
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b"0x"), 0);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(strtod(b"0.2"), 0.2);
        assert_eq!(strtod(b"1.5s"), 1.5);
        assert_eq!(strtod(b"x"), 0.0);
        assert_eq!(parse_memory(b"1b"), Some(1));
        assert_eq!(parse_memory(b"1kb"), Some(1024));
        assert_eq!(parse_memory(b"2gb"), Some(2 << 30));
        assert_eq!(parse_memory(b"1x"), None);
    }
}
