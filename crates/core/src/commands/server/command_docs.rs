//! COMMAND and its subcommands: what clients learn about the command table (arity, flags, key
//! positions, ACL categories, documentation), all generated from the rows in `commands/*.rs`.
//!
//! The rows hold arity, flags, key positions, group, since and summary. Two things Valkey's command
//! JSON also carries are derived here: ACL categories (from flags and group, plus the few commands
//! whose categories differ, listed in [`EXPLICIT_CATEGORIES`]) and key specs (from the key positions,
//! with the access flags of [`KEY_FLAGS`]).

use crate::args::{is, Args};
use crate::command::{flag::*, CommandSpec, CommandTable, Group, Keys};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::glob::glob_match;
use crate::reply::Reply;

const G: Group = Group::Server;

/// COMMAND with no subcommand lists every command; with one, the subcommand row runs.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "command",
    arity: -1,
    flags: LOADING | STALE,
    keys: Keys::None,
    group: G,
    since: "2.8.13",
    summary: "Returns detailed information about all commands.",
    syntax: "",
    acl_categories: crate::acl::categories::of("command", LOADING | STALE),
    handler: Some(command),
    subcommands: SUBCOMMANDS,
};

pub const SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "command|count", 2, LOADING | STALE, Keys::None, command_count)
        .since("2.8.13")
        .summary("Returns a count of commands."),
    CommandSpec::new(G, "command|docs", -2, LOADING | STALE, Keys::None, command_docs)
        .since("7.0.0")
        .summary("Returns documentary information about one, multiple or all commands.")
        .syntax("[command-name...]"),
    CommandSpec::new(G, "command|getkeys", -3, LOADING | STALE, Keys::None, command_getkeys)
        .since("2.8.13")
        .summary("Extracts the key names from an arbitrary command.")
        .syntax("command [arg...]"),
    CommandSpec::new(G, "command|getkeysandflags", -3, LOADING | STALE, Keys::None, command_getkeysandflags)
        .since("7.0.0")
        .summary("Extracts the key names and access flags for an arbitrary command.")
        .syntax("command [arg...]"),
    CommandSpec::new(G, "command|help", 2, LOADING | STALE, Keys::None, command_help)
        .since("5.0.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "command|info", -2, LOADING | STALE, Keys::None, command_info)
        .since("2.8.13")
        .summary("Returns information about one, multiple or all commands.")
        .syntax("[command-name...]"),
    CommandSpec::new(G, "command|list", -2, LOADING | STALE, Keys::None, command_list)
        .since("7.0.0")
        .summary("Returns a list of command names.")
        .syntax("FILTERBY=[filterby: MODULE=module-name | ACLCAT=category | PATTERN=pattern:pattern]"),
];

// -- ACL categories --------------------------------------------------------------------------------

use crate::acl::categories;

/// The command's ACL categories, as Valkey derives them: the row carries them (see `crate::acl::categories`).
pub fn acl_categories(spec: &CommandSpec) -> u64 {
    spec.acl_categories
}

fn categories_reply(cats: u64) -> Reply {
    Reply::Set(categories::names_of(cats).map(|n| Reply::Status(format!("@{n}").into())).collect())
}

// -- key specs -------------------------------------------------------------------------------------

/// Key-spec flags, as COMMAND INFO and GETKEYSANDFLAGS name them.
mod key_flag {
    pub const RO: u16 = 1 << 0;
    pub const RW: u16 = 1 << 1;
    pub const OW: u16 = 1 << 2;
    pub const RM: u16 = 1 << 3;
    pub const ACCESS: u16 = 1 << 4;
    pub const UPDATE: u16 = 1 << 5;
    pub const INSERT: u16 = 1 << 6;
    pub const DELETE: u16 = 1 << 7;
    pub const NOT_KEY: u16 = 1 << 8;
    pub const INCOMPLETE: u16 = 1 << 9;
    pub const VARIABLE_FLAGS: u16 = 1 << 10;
    pub const NAMES: [&str; 11] =
        ["RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"];
}
use key_flag as kf;

const RO_ACCESS: u16 = kf::RO | kf::ACCESS;
const RW_UPDATE: u16 = kf::RW | kf::UPDATE;
const RW_INSERT: u16 = kf::RW | kf::INSERT;
const RW_DELETE: u16 = kf::RW | kf::DELETE;
const RW_ACCESS_UPDATE: u16 = kf::RW | kf::ACCESS | kf::UPDATE;
const RW_ACCESS_DELETE: u16 = kf::RW | kf::ACCESS | kf::DELETE;
const OW_UPDATE: u16 = kf::OW | kf::UPDATE;
const OW_INSERT: u16 = kf::OW | kf::INSERT;

/// Access flags of each key spec, for the commands whose keys are not the common case (a read-only
/// command reads its keys: RO access; a write command updates them: RW update). One entry per key spec.
// TODO(command.rs): this belongs on the rows too, next to `Keys`.
const KEY_FLAGS: &[(&[u16], &[&str])] = &[
    (
        &[RW_INSERT],
        &[
            "append",
            "hsetnx",
            "linsert",
            "lpush",
            "lpushx",
            "pfadd",
            "rpush",
            "rpushx",
            "sadd",
            "xgroup|create",
            "xgroup|createconsumer",
        ],
    ),
    (&[RW_ACCESS_UPDATE | kf::VARIABLE_FLAGS], &["bitfield", "set"]),
    (
        &[OW_UPDATE, RO_ACCESS],
        &[
            "bitop",
            "geosearchstore",
            "sdiffstore",
            "sinterstore",
            "sunionstore",
            "zdiffstore",
            "zinterstore",
            "zrangestore",
            "zunionstore",
        ],
    ),
    (&[RW_ACCESS_DELETE, RW_INSERT], &["blmove", "brpoplpush", "lmove", "rpoplpush", "smove"]),
    (
        &[RW_ACCESS_DELETE],
        &[
            "blmpop", "blpop", "brpop", "bzmpop", "bzpopmax", "bzpopmin", "getdel", "lmpop", "lpop", "rpop", "spop",
            "zmpop", "zpopmax", "zpopmin",
        ],
    ),
    (&[RO_ACCESS, OW_UPDATE], &["copy"]),
    (
        &[RW_ACCESS_UPDATE],
        &[
            "decr",
            "decrby",
            "eval",
            "evalsha",
            "fcall",
            "getex",
            "getset",
            "hincrby",
            "hincrbyfloat",
            "incr",
            "incrby",
            "incrbyfloat",
            "move",
            "setbit",
            "zincrby",
        ],
    ),
    (&[kf::RM | kf::DELETE], &["del", "unlink"]),
    (
        &[kf::RO],
        &[
            "exists",
            "hexists",
            "hlen",
            "hstrlen",
            "llen",
            "memory|usage",
            "object|encoding",
            "object|freq",
            "object|idletime",
            "object|refcount",
            "scard",
            "sismember",
            "strlen",
            "touch",
            "type",
            "watch",
            "xlen",
            "zcard",
        ],
    ),
    (&[RO_ACCESS, OW_UPDATE, OW_UPDATE], &["georadius", "georadiusbymember"]),
    (
        &[RW_DELETE],
        &[
            "hdel",
            "lrem",
            "ltrim",
            "srem",
            "xautoclaim",
            "xdel",
            "xgroup|delconsumer",
            "xgroup|destroy",
            "xtrim",
            "zrem",
            "zremrangebylex",
            "zremrangebyrank",
            "zremrangebyscore",
        ],
    ),
    (&[RW_ACCESS_DELETE, RW_ACCESS_DELETE | kf::INCOMPLETE], &["migrate"]),
    (&[OW_UPDATE], &["mset", "psetex", "restore-asking", "restore", "setex"]),
    (&[OW_INSERT], &["msetnx", "setnx"]),
    (&[kf::RW | kf::ACCESS], &["pfcount", "pfdebug"]),
    (&[kf::RW | kf::ACCESS | kf::INSERT, RO_ACCESS], &["pfmerge"]),
    (&[RW_ACCESS_DELETE, OW_UPDATE], &["rename"]),
    (&[RW_ACCESS_DELETE, OW_INSERT], &["renamenx"]),
    (&[RO_ACCESS, RO_ACCESS, OW_UPDATE], &["sort"]),
    (&[RO_ACCESS, RO_ACCESS], &["sort_ro"]),
    (&[kf::NOT_KEY], &["spublish", "ssubscribe", "sunsubscribe"]),
];

/// Movable-key commands whose keys follow a `numkeys` argument: (name, numkeys index, a fixed key
/// before it at index 1).
const KEYNUM_COMMANDS: &[(&str, usize, bool)] = &[
    ("zunionstore", 2, true),
    ("zinterstore", 2, true),
    ("zdiffstore", 2, true),
    ("zunion", 1, false),
    ("zinter", 1, false),
    ("zdiff", 1, false),
    ("zintercard", 1, false),
    ("sintercard", 1, false),
    ("lmpop", 1, false),
    ("zmpop", 1, false),
    ("blmpop", 2, false),
    ("bzmpop", 2, false),
    ("eval", 2, false),
    ("evalsha", 2, false),
    ("eval_ro", 2, false),
    ("evalsha_ro", 2, false),
    ("fcall", 2, false),
    ("fcall_ro", 2, false),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BeginSearch {
    Index(i32),
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FindKeys {
    Range { lastkey: i32, keystep: i32, limit: i32 },
    KeyNum { keynumidx: i32, firstkey: i32, keystep: i32 },
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeySpec {
    flags: u16,
    begin: BeginSearch,
    find: FindKeys,
}

/// The access flags of each key spec of `spec`.
fn key_flags(spec: &CommandSpec) -> Vec<u16> {
    if let Some((flags, _)) = KEY_FLAGS.iter().find(|(_, names)| names.contains(&spec.name)) {
        return flags.to_vec();
    }
    if spec.has(WRITE) {
        vec![RW_UPDATE]
    } else {
        vec![RO_ACCESS]
    }
}

fn key_specs(spec: &CommandSpec) -> Vec<KeySpec> {
    let flags = key_flags(spec);
    let single = |flags: u16, at: i32| KeySpec {
        flags,
        begin: BeginSearch::Index(at),
        find: FindKeys::Range { lastkey: 0, keystep: 1, limit: 0 },
    };
    match spec.keys {
        Keys::None => Vec::new(),
        Keys::Range { first, last, step } => {
            let n = flags.len() as i32;
            let mut out: Vec<KeySpec> = (0..n - 1).map(|i| single(flags[i as usize], first + i * step)).collect();
            let at = first + (n - 1) * step;
            let lastkey = if last < 0 { last } else { (last - at).max(0) };
            out.push(KeySpec {
                flags: flags[n as usize - 1],
                begin: BeginSearch::Index(at),
                find: FindKeys::Range { lastkey, keystep: step, limit: 0 },
            });
            out
        }
        Keys::Movable { legacy: (first, _, _), .. } => {
            if let Some(&(_, numkeys_at, fixed)) = KEYNUM_COMMANDS.iter().find(|(n, _, _)| *n == spec.name) {
                let mut out = Vec::new();
                if fixed {
                    out.push(single(flags[0], 1));
                }
                out.push(KeySpec {
                    flags: *flags.last().unwrap_or(&RO_ACCESS),
                    begin: BeginSearch::Index(numkeys_at as i32),
                    find: FindKeys::KeyNum { keynumidx: 0, firstkey: 1, keystep: 1 },
                });
                out
            } else {
                let mut out = Vec::new();
                if first > 0 {
                    out.push(single(flags[0], first));
                }
                out.push(KeySpec {
                    flags: *flags.last().unwrap_or(&RW_UPDATE) | kf::INCOMPLETE,
                    begin: BeginSearch::Unknown,
                    find: FindKeys::Unknown,
                });
                out
            }
        }
    }
}

fn key_flags_reply(flags: u16) -> Reply {
    Reply::Set(
        kf::NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| flags & (1 << i) != 0)
            .map(|(_, n)| Reply::Status((*n).into()))
            .collect(),
    )
}

fn bulk_map(pairs: Vec<(&'static str, Reply)>) -> Reply {
    Reply::Map(pairs.into_iter().map(|(k, v)| (Reply::bulk(k), v)).collect())
}

fn key_spec_reply(ks: &KeySpec) -> Reply {
    let begin = match ks.begin {
        BeginSearch::Index(i) => bulk_map(vec![
            ("type", Reply::bulk("index")),
            ("spec", bulk_map(vec![("index", Reply::Int(i64::from(i)))])),
        ]),
        BeginSearch::Unknown => bulk_map(vec![("type", Reply::bulk("unknown")), ("spec", Reply::Map(vec![]))]),
    };
    let find = match ks.find {
        FindKeys::Range { lastkey, keystep, limit } => bulk_map(vec![
            ("type", Reply::bulk("range")),
            (
                "spec",
                bulk_map(vec![
                    ("lastkey", Reply::Int(i64::from(lastkey))),
                    ("keystep", Reply::Int(i64::from(keystep))),
                    ("limit", Reply::Int(i64::from(limit))),
                ]),
            ),
        ]),
        FindKeys::KeyNum { keynumidx, firstkey, keystep } => bulk_map(vec![
            ("type", Reply::bulk("keynum")),
            (
                "spec",
                bulk_map(vec![
                    ("keynumidx", Reply::Int(i64::from(keynumidx))),
                    ("firstkey", Reply::Int(i64::from(firstkey))),
                    ("keystep", Reply::Int(i64::from(keystep))),
                ]),
            ),
        ]),
        FindKeys::Unknown => bulk_map(vec![("type", Reply::bulk("unknown")), ("spec", Reply::Map(vec![]))]),
    };
    bulk_map(vec![("flags", key_flags_reply(ks.flags)), ("begin_search", begin), ("find_keys", find)])
}

// -- COMMAND INFO / DOCS ---------------------------------------------------------------------------

/// Command flags in the order COMMAND INFO lists them (`may_replicate` is hidden, as in Valkey).
const INFO_FLAGS: &[(u32, &str)] = &[
    (WRITE, "write"),
    (READONLY, "readonly"),
    (DENYOOM, "denyoom"),
    (ADMIN, "admin"),
    (PUBSUB, "pubsub"),
    (NOSCRIPT, "noscript"),
    (BLOCKING, "blocking"),
    (LOADING, "loading"),
    (STALE, "stale"),
    (SKIP_MONITOR, "skip_monitor"),
    (SKIP_SLOWLOG, "skip_slowlog"),
    (FAST, "fast"),
    (NO_AUTH, "no_auth"),
    (NO_MANDATORY_KEYS, "no_mandatory_keys"),
    (NO_MULTI, "no_multi"),
    (MOVABLEKEYS, "movablekeys"),
    (ALLOW_BUSY, "allow_busy"),
];

/// A command or a `container|sub` name, any case (`get|key` and three-part names find nothing).
pub fn lookup_full_name(name: &[u8]) -> Option<&'static CommandSpec> {
    let table = CommandTable::get();
    let mut parts = name.split(|&b| b == b'|');
    let base = table.lookup(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(base),
        (Some(sub), None) => base.subcommand(sub),
        _ => None,
    }
}

/// The 10-element array COMMAND and COMMAND INFO give per command.
pub fn info_reply(spec: &CommandSpec) -> Reply {
    let (first, last, step) = spec.keys.legacy();
    Reply::Array(vec![
        Reply::bulk(spec.name),
        Reply::Int(i64::from(spec.arity)),
        Reply::Set(INFO_FLAGS.iter().filter(|(f, _)| spec.has(*f)).map(|(_, n)| Reply::Status((*n).into())).collect()),
        Reply::Int(i64::from(first)),
        Reply::Int(i64::from(last)),
        Reply::Int(i64::from(step)),
        categories_reply(acl_categories(spec)),
        Reply::Set(Vec::new()),
        Reply::Set(key_specs(spec).iter().map(key_spec_reply).collect()),
        if spec.subcommands.is_empty() {
            Reply::Set(Vec::new())
        } else {
            Reply::Array(spec.subcommands.iter().map(info_reply).collect())
        },
    ])
}

/// COMMAND DOCS's map for one command: summary, since, group, arguments (from the row's syntax string)
/// and subcommands. Complexity and history are not kept in the table.
fn docs_reply(spec: &CommandSpec) -> Reply {
    let mut doc = Vec::new();
    if !spec.summary.is_empty() {
        doc.push(("summary", Reply::bulk(spec.summary)));
    }
    doc.push(("since", Reply::bulk(spec.since)));
    doc.push(("group", Reply::bulk(spec.group.name())));
    if !spec.syntax.is_empty() {
        // Every row's string parses (a test checks them all), so an error here cannot happen.
        let args = super::syntax::parse(spec.syntax).unwrap_or_default();
        doc.push(("arguments", super::syntax::docs_reply(&args)));
    }
    if !spec.subcommands.is_empty() {
        doc.push((
            "subcommands",
            Reply::Map(spec.subcommands.iter().map(|s| (Reply::bulk(s.name), docs_reply(s))).collect()),
        ));
    }
    bulk_map(doc)
}

/// Top-level commands, by name (the table itself has no order).
fn all_commands() -> Vec<&'static CommandSpec> {
    let mut all: Vec<&'static CommandSpec> = CommandTable::get().iter().collect();
    all.sort_by_key(|c| c.name);
    all
}

/// COMMAND [subcommand ...]: every command's info; with arguments, runs the subcommand (for an engine
/// that hands a command with its own handler all its arguments).
fn command(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let Some(sub) = args.peek().map(<[u8]>::to_vec) else {
        return Ok(Reply::Array(all_commands().into_iter().map(info_reply).collect()));
    };
    let Some(spec) = COMMAND.subcommand(&sub) else {
        return Err(CommandError::UnknownSubcommand(crate::engine::truncate_lossy(&sub, 128), "COMMAND".into()));
    };
    if !spec.arity_ok(args.argv().len()) {
        return Err(CommandError::WrongArity(spec.name.to_string()));
    }
    let mut sub_args = Args::new(args.argv().to_vec(), 2);
    (spec.handler.expect("subcommands have handlers"))(ctx, &mut sub_args)
}

/// COMMAND COUNT
fn command_count(_ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Int(CommandTable::get().len() as i64))
}

/// COMMAND INFO [command-name ...]
fn command_info(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if args.is_empty() {
        return Ok(Reply::Array(all_commands().into_iter().map(info_reply).collect()));
    }
    Ok(Reply::Array(args.rest().iter().map(|n| lookup_full_name(n).map_or(Reply::Null, info_reply)).collect()))
}

/// COMMAND DOCS [command-name ...]
fn command_docs(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let specs: Vec<&'static CommandSpec> =
        if args.is_empty() { all_commands() } else { args.rest().iter().filter_map(|n| lookup_full_name(n)).collect() };
    Ok(Reply::Map(specs.into_iter().map(|s| (Reply::bulk(s.name), docs_reply(s))).collect()))
}

/// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
fn command_list(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    enum Filter {
        None,
        Module,
        Category(Option<u64>),
        Pattern(Vec<u8>),
    }
    let mut filter = Filter::None;
    while !args.is_empty() {
        if args.remaining() == 3 && args.eat("filterby") {
            let kind = args.next()?.to_vec();
            let arg = args.next()?.to_vec();
            filter = if is(&kind, "module") {
                Filter::Module
            } else if is(&kind, "aclcat") {
                Filter::Category(categories::by_name(&arg))
            } else if is(&kind, "pattern") {
                Filter::Pattern(arg)
            } else {
                return Err(CommandError::Syntax);
            };
        } else {
            return Err(CommandError::Syntax);
        }
    }
    let keep = |spec: &CommandSpec| match &filter {
        Filter::None => true,
        Filter::Module => false,
        Filter::Category(None) => false,
        Filter::Category(Some(bit)) => acl_categories(spec) & bit != 0,
        Filter::Pattern(p) => glob_match(p, spec.name.as_bytes(), true),
    };
    let mut names = Vec::new();
    for spec in all_commands() {
        for s in std::iter::once(spec).chain(spec.subcommands.iter()) {
            if keep(s) {
                names.push(Reply::bulk(s.name));
            }
        }
    }
    Ok(Reply::Array(names))
}

/// The row an argument vector runs (subcommands resolved), for GETKEYS.
fn lookup_argv(argv: &[Vec<u8>]) -> Option<&'static CommandSpec> {
    let base = CommandTable::get().lookup(argv.first()?)?;
    if argv.len() == 1 || base.subcommands.is_empty() {
        return Some(base);
    }
    base.subcommand(&argv[1])
}

/// The key positions of a full command and the access flags of each.
fn keys_and_flags(argv: &[Vec<u8>]) -> Result<Vec<(usize, u16)>, CommandError> {
    let spec = lookup_argv(argv).ok_or_else(|| CommandError::err("Invalid command specified"))?;
    if matches!(spec.keys, Keys::None) {
        return Err(CommandError::err("The command has no key arguments"));
    }
    if !spec.arity_ok(argv.len()) {
        return Err(CommandError::err("Invalid number of arguments specified for command"));
    }
    let found = spec.keys.find(argv);
    if found.is_empty() && !spec.has(NO_MANDATORY_KEYS) {
        return Err(CommandError::err("Invalid arguments specified for command"));
    }
    let flags = key_flags(spec);
    let fixed_first = KEYNUM_COMMANDS.iter().any(|(n, _, fixed)| *n == spec.name && *fixed);
    Ok(found
        .iter()
        .enumerate()
        .map(|(j, &pos)| {
            let store_target = pos > 0 && (is(&argv[pos - 1], "store") || is(&argv[pos - 1], "storedist"));
            let f = if store_target {
                *flags.last().expect("at least one key spec")
            } else if matches!(spec.keys, Keys::Movable { .. }) {
                if fixed_first && j == 0 {
                    flags[0]
                } else if fixed_first {
                    *flags.last().expect("at least one key spec")
                } else {
                    flags[0]
                }
            } else {
                flags[j.min(flags.len() - 1)]
            };
            (pos, resolve_variable_flags(spec.name, argv, f))
        })
        .collect())
}

/// SET and BITFIELD only read-modify-write when asked to (GET, a non-GET BITFIELD operation).
fn resolve_variable_flags(name: &str, argv: &[Vec<u8>], flags: u16) -> u16 {
    if flags & kf::VARIABLE_FLAGS == 0 {
        return flags;
    }
    match name {
        "set" if !argv.iter().skip(3).any(|a| is(a, "get")) => OW_UPDATE,
        "set" => RW_ACCESS_UPDATE,
        "bitfield" => {
            let writes = argv.iter().skip(2).any(|a| is(a, "set") || is(a, "incrby"));
            if writes {
                RW_ACCESS_UPDATE
            } else {
                RO_ACCESS
            }
        }
        _ => flags & !kf::VARIABLE_FLAGS,
    }
}

/// COMMAND GETKEYS command [arg ...]
fn command_getkeys(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.rest().to_vec();
    let keys = keys_and_flags(&argv)?;
    Ok(Reply::Array(keys.into_iter().map(|(pos, _)| Reply::bulk(argv[pos].clone())).collect()))
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
fn command_getkeysandflags(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.rest().to_vec();
    let keys = keys_and_flags(&argv)?;
    Ok(Reply::Array(
        keys.into_iter()
            .map(|(pos, flags)| Reply::Array(vec![Reply::bulk(argv[pos].clone()), key_flags_reply(flags)]))
            .collect(),
    ))
}

/// COMMAND HELP
fn command_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(crate::commands::connection::help_reply(
        args.name(),
        &[
            "(no subcommand)",
            "    Return details about all commands.",
            "COUNT",
            "    Return the total number of commands in this server.",
            "LIST",
            "    Return a list of all commands in this server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full command.",
        ],
    ))
}
