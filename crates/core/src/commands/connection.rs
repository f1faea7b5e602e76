//! Connection commands: PING, ECHO, SELECT, QUIT, HELLO, AUTH, RESET and the CLIENT family.
//!
//! Users and passwords are the ACL's (`crate::acl`): `requirepass` is the `default` user's password, and
//! without one `default` is `nopass`, where any password is accepted for it, as Valkey does.

use crate::args::{is, Args};
use crate::client::{Client, ClientId, ReplyMode};
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::ctx::Ctx;
use crate::engine::Engine;
use crate::error::{CmdResult, CommandError};
use crate::num::parse_i64;
use crate::reply::Reply;
use crate::resp::Protocol;
use std::borrow::Cow;

const G: Group = Group::Connection;

/// The Redis version HELLO advertises, as Valkey 8 does for compatibility (`extended-redis-
/// compatibility`): clients pick features by it.
pub const REDIS_COMPAT_VERSION: &str = "7.2.4";
/// The server name HELLO advertises next to [`REDIS_COMPAT_VERSION`].
pub const REDIS_COMPAT_SERVER: &str = "redis";
/// ferrokey's own name and version, reported in their own HELLO fields.
pub const SERVER_NAME: &str = "ferrokey";
pub const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "auth", -2, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, Keys::None, auth)
        .summary("Authenticates the connection.")
        .syntax("[username@6.0.0] password"),
    CommandSpec::container(G, "client", CLIENT_SUBCOMMANDS)
        .since("2.4.0")
        .summary("A container for client connection commands."),
    CommandSpec::new(G, "echo", 2, LOADING | STALE | FAST, Keys::None, echo)
        .summary("Returns the given string.")
        .syntax("message"),
    CommandSpec::new(G, "hello", -1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, Keys::None, hello)
        .since("6.0.0")
        .summary("Handshakes with the server.")
        .syntax("[arguments; protover:integer AUTH=[auth; username password] [SETNAME=clientname]]"),
    CommandSpec::new(G, "ping", -1, FAST, Keys::None, ping)
        .summary("Returns the server's liveliness response.")
        .syntax("[message]"),
    CommandSpec::new(G, "quit", -1, ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH, Keys::None, quit)
        .summary("Closes the connection."),
    CommandSpec::new(G, "reset", 1, NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY, Keys::None, reset)
        .since("6.2.0")
        .summary("Resets the connection."),
    CommandSpec::new(G, "select", 2, LOADING | STALE | FAST, Keys::None, select)
        .summary("Changes the selected database.")
        .syntax("index:integer"),
];

const CLIENT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "client|capa", -3, NOSCRIPT | LOADING | STALE, Keys::None, client_capa)
        .since("8.0.0")
        .summary("A client claims its capability.")
        .syntax("capability..."),
    CommandSpec::new(G, "client|getname", 2, NOSCRIPT | LOADING | STALE, Keys::None, client_getname)
        .since("2.6.9")
        .summary("Returns the name of the connection."),
    CommandSpec::new(G, "client|help", 2, LOADING | STALE, Keys::None, client_help)
        .since("5.0.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "client|id", 2, NOSCRIPT | LOADING | STALE, Keys::None, client_id)
        .since("5.0.0")
        .summary("Returns the unique client ID of the connection."),
    CommandSpec::new(G, "client|info", 2, NOSCRIPT | LOADING | STALE, Keys::None, client_info)
        .since("6.2.0")
        .summary("Returns information about the connection."),
    CommandSpec::new(G, "client|kill", -3, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, client_kill)
        .since("2.4.0")
        .summary("Terminates open connections.")
        .syntax("{filter: old-format{ip:port} | {new-format: [ID=client-id:integer@2.8.12] | TYPE=[client-type: normal=normal:token | master=master:token@3.2.0 | primary=primary:token@8.0.0 | slave=slave:token | replica=replica:token@5.0.0 | pubsub=pubsub:token]@2.8.12 | [USER=username] | [ADDR=addr{ip:port}] | [LADDR=laddr{ip:port}@6.2.0] | SKIPME=[skipme: YES | NO] | [MAXAGE=maxage:integer@8.0.0]}...}"),
    CommandSpec::new(G, "client|list", -2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, client_list)
        .since("2.4.0")
        .summary("Lists open connections.")
        .syntax("TYPE=[client-type: normal=normal:token | master=master:token | replica=replica:token | pubsub=pubsub:token]@5.0.0 [ID=client-id:integer@6.2.0...]"),
    CommandSpec::new(G, "client|no-evict", 3, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, client_no_evict)
        .since("7.0.0")
        .summary("Sets the client eviction mode of the connection.")
        .syntax("{enabled: ON | OFF}"),
    CommandSpec::new(G, "client|no-touch", 3, NOSCRIPT | LOADING | STALE, Keys::None, client_no_touch)
        .since("7.2.0")
        .summary("Controls whether commands sent by the client affect the LRU/LFU of accessed keys.")
        .syntax("{enabled: ON | OFF}"),
    CommandSpec::new(G, "client|pause", -3, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, client_pause)
        .since("3.0.0")
        .summary("Suspends commands processing.")
        .syntax("timeout:integer [mode: WRITE | ALL]@6.2.0"),
    CommandSpec::new(G, "client|reply", 3, NOSCRIPT | LOADING | STALE, Keys::None, client_reply)
        .since("3.2.0")
        .summary("Instructs the server whether to reply to commands.")
        .syntax("{action: ON | OFF | SKIP}"),
    CommandSpec::new(G, "client|setinfo", 4, NOSCRIPT | LOADING | STALE, Keys::None, client_setinfo)
        .since("7.2.0")
        .summary("Sets information specific to the client or connection.")
        .syntax("{attr: lib-name=libname | lib-ver=libver}"),
    CommandSpec::new(G, "client|setname", 3, NOSCRIPT | LOADING | STALE, Keys::None, client_setname)
        .since("2.6.9")
        .summary("Sets the connection name.")
        .syntax("connection-name"),
    CommandSpec::new(G, "client|unblock", -3, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, client_unblock)
        .since("5.0.0")
        .summary("Unblocks a client blocked by a blocking command from a different connection.")
        .syntax("client-id:integer [unblock-type: TIMEOUT | ERROR]"),
    CommandSpec::new(G, "client|unpause", 2, ADMIN | NOSCRIPT | LOADING | STALE, Keys::None, client_unpause)
        .since("6.2.0")
        .summary("Resumes processing commands from paused clients."),
];

// -- shared helpers --------------------------------------------------------------------------------

/// The reply of a container's HELP subcommand: a header naming the command, the lines, and the HELP
/// entry itself, all as status lines.
pub fn help_reply(command: &[u8], lines: &[&'static str]) -> Reply {
    let name = String::from_utf8_lossy(command).to_uppercase();
    let mut out = Vec::with_capacity(lines.len() + 3);
    out.push(Reply::Status(Cow::Owned(format!("{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"))));
    out.extend(lines.iter().map(|l| Reply::status(l)));
    out.push(Reply::status("HELP"));
    out.push(Reply::status("    Print this help."));
    Reply::Array(out)
}

/// `unknown subcommand or wrong number of arguments for 'x'. Try CMD HELP.`, for a subcommand whose
/// arguments do not fit a form the arity let through.
pub fn subcommand_syntax_error(argv: &[Vec<u8>]) -> CommandError {
    CommandError::SubcommandSyntax(
        crate::engine::truncate_lossy(&argv[1], 128),
        String::from_utf8_lossy(&argv[0]).to_uppercase(),
    )
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Names shown in CLIENT LIST must split on spaces: printable ASCII only, no space.
fn is_valid_client_attr(value: &[u8]) -> bool {
    value.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// The name CLIENT SETNAME / HELLO SETNAME would store: `None` for the empty name (which unsets it).
fn validate_client_name(name: &[u8]) -> Result<Option<Vec<u8>>, CommandError> {
    if name.is_empty() {
        return Ok(None);
    }
    if !is_valid_client_attr(name) {
        return Err(CommandError::InvalidClientName);
    }
    Ok(Some(name.to_vec()))
}

/// Authenticates the caller, or leaves its state alone, logs the failure and answers WRONGPASS.
fn authenticate(ctx: &mut Ctx, argv: &[Vec<u8>], user: &[u8], pass: &[u8]) -> Result<(), CommandError> {
    crate::acl::authenticate(ctx.eng, ctx.id, ctx.spec, argv, user, pass)
}

// -- PING ECHO QUIT SELECT -------------------------------------------------------------------------

/// PING [message]
fn ping(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if args.remaining() > 1 {
        return Err(CommandError::WrongArity("ping".into()));
    }
    let msg = args.rest().first().cloned();
    // A RESP2 client in subscribed mode gets the pub/sub shape: ["pong", message].
    if ctx.client_ref().in_pubsub_context() {
        return Ok(Reply::Array(vec![Reply::bulk("pong"), Reply::Bulk(msg.unwrap_or_default())]));
    }
    Ok(match msg {
        Some(m) => Reply::Bulk(m),
        None => Reply::status("PONG"),
    })
}

/// ECHO message
fn echo(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(Reply::Bulk(args.next_owned()?))
}

/// QUIT: replies OK, then the host closes the connection.
fn quit(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    ctx.client().close_after_reply = true;
    Ok(Reply::OK)
}

/// SELECT index
fn select(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let index = parse_i64(args.next()?).ok_or(CommandError::NotInteger)?;
    if i32::try_from(index).is_err() {
        return Err(CommandError::err(format_args!(
            "value is out of range, value must between {} and {}",
            i32::MIN,
            i32::MAX
        )));
    }
    if index < 0 || index as usize >= ctx.eng.dbs.len() {
        return Err(CommandError::DbIndexOutOfRange);
    }
    ctx.client().db = index as usize;
    Ok(Reply::OK)
}

// -- AUTH HELLO RESET ------------------------------------------------------------------------------

/// AUTH [username] password
fn auth(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let (user, pass): (&[u8], &[u8]) = match args.rest() {
        [pass] => {
            if ctx.eng.acl.user(b"default").is_some_and(|d| d.nopass) {
                return Err(CommandError::AuthWithoutPassword);
            }
            (b"default", pass)
        }
        [user, pass] => (user, pass),
        _ => return Err(CommandError::Syntax),
    };
    let (user, pass) = (user.to_vec(), pass.to_vec());
    authenticate(ctx, args.argv(), &user, &pass)?;
    Ok(Reply::OK)
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
fn hello(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mut proto = None;
    if let Some(v) = args.peek() {
        let v = parse_i64(v).ok_or(CommandError::ProtocolVersionNotInteger)?;
        proto = Some(match v {
            2 => Protocol::Resp2,
            3 => Protocol::Resp3,
            _ => return Err(CommandError::NoProto),
        });
        args.next()?;
    }
    // Options repeat freely; the last AUTH and the last SETNAME win, but every name is checked.
    let mut credentials = None;
    let mut name = None;
    while let Some(opt) = args.peek().map(<[u8]>::to_vec) {
        args.next()?;
        if is(&opt, "auth") && args.remaining() >= 2 {
            credentials = Some((args.next_owned()?, args.next_owned()?));
        } else if is(&opt, "setname") && args.remaining() >= 1 {
            name = Some(validate_client_name(args.next()?)?);
        } else {
            return Err(CommandError::err(format!(
                "Syntax error in HELLO option '{}'",
                crate::engine::truncate_lossy(&opt, usize::MAX)
            )));
        }
    }
    if let Some((user, pass)) = credentials {
        authenticate(ctx, args.argv(), &user, &pass)?;
    }
    if !ctx.client_ref().authenticated {
        return Err(CommandError::HelloNoAuth);
    }
    let id = ctx.id;
    let c = ctx.client();
    if let Some(name) = name {
        c.name = name;
    }
    if let Some(p) = proto {
        c.proto = p;
    }
    let proto = c.proto.version();
    let field = |k: &'static str, v: Reply| (Reply::bulk(k), v);
    Ok(Reply::Map(vec![
        field("server", Reply::bulk(REDIS_COMPAT_SERVER)),
        field("version", Reply::bulk(REDIS_COMPAT_VERSION)),
        field("proto", Reply::Int(proto)),
        field("id", Reply::Int(id as i64)),
        field("mode", Reply::bulk("standalone")),
        field("role", Reply::bulk("master")),
        field("modules", Reply::EMPTY_ARRAY),
        field("server_name", Reply::bulk(SERVER_NAME)),
        field("ferrokey_version", Reply::bulk(SERVER_VERSION)),
    ]))
}

/// RESET: the connection as if new (db 0, RESP2, default user, no MULTI/WATCH/subscriptions/name,
/// replies on, no NO-EVICT/NO-TOUCH, no MONITOR). The library name and version stay.
fn reset(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    crate::commands::transactions::discard_transaction(ctx.eng, ctx.id);
    crate::pubsub::unsubscribe_all(ctx.eng, ctx.id);
    crate::acl::set_default_auth(ctx.eng, ctx.id);
    let c = ctx.client();
    c.db = 0;
    c.proto = Protocol::Resp2;
    c.name = None;
    c.reply_mode = ReplyMode::On;
    c.no_evict = false;
    c.no_touch = false;
    if std::mem::take(&mut c.monitor) {
        ctx.eng.monitors -= 1;
    }
    Ok(Reply::status("RESET"))
}

// -- CLIENT ----------------------------------------------------------------------------------------

/// CLIENT ID
fn client_id(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Int(ctx.id as i64))
}

/// CLIENT GETNAME
fn client_getname(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::opt_bulk(ctx.client_ref().name.clone()))
}

/// CLIENT SETNAME name
fn client_setname(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let name = validate_client_name(args.next()?)?;
    ctx.client().name = name;
    Ok(Reply::OK)
}

/// CLIENT SETINFO LIB-NAME|LIB-VER value
fn client_setinfo(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let attr = args.next()?.to_vec();
    let value = args.next()?.to_vec();
    let lib_name = if is(&attr, "lib-name") {
        true
    } else if is(&attr, "lib-ver") {
        false
    } else {
        return Err(CommandError::err(format!("Unrecognized option '{}'", lossy(&attr))));
    };
    if !is_valid_client_attr(&value) {
        return Err(CommandError::err(format!(
            "{} cannot contain spaces, newlines or special characters.",
            lossy(&attr)
        )));
    }
    let value = (!value.is_empty()).then_some(value);
    let c = ctx.client();
    if lib_name {
        c.lib_name = value;
    } else {
        c.lib_ver = value;
    }
    Ok(Reply::OK)
}

/// CLIENT INFO
fn client_info(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mut out = client_info_string(ctx, ctx.id, args.argv());
    out.push('\n');
    Ok(Reply::Verbatim("txt", out.into_bytes()))
}

/// Client types of CLIENT LIST TYPE and CLIENT KILL TYPE.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientType {
    Normal,
    Replica,
    PubSub,
    Primary,
}

fn client_type_by_name(name: &[u8]) -> Result<ClientType, CommandError> {
    Ok(if is(name, "normal") {
        ClientType::Normal
    } else if is(name, "slave") || is(name, "replica") {
        ClientType::Replica
    } else if is(name, "pubsub") {
        ClientType::PubSub
    } else if is(name, "master") || is(name, "primary") {
        ClientType::Primary
    } else {
        return Err(CommandError::err(format!("Unknown client type '{}'", lossy(name))));
    })
}

/// We have no replication links: a client is a pub/sub one while subscribed, else normal (MONITOR
/// clients count as normal, as in Valkey).
fn client_type(c: &Client) -> ClientType {
    if c.subscription_count() > 0 {
        ClientType::PubSub
    } else {
        ClientType::Normal
    }
}

/// Client ids in connection order (CLIENT LIST, CLIENT KILL walk clients this way).
fn client_ids(eng: &Engine) -> Vec<ClientId> {
    let mut ids: Vec<ClientId> = eng.clients.keys().copied().collect();
    ids.sort_unstable();
    ids
}

/// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id ...]
fn client_list(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let ids: Vec<ClientId> = if argv.len() == 4 && is(&argv[2], "type") {
        let wanted = client_type_by_name(&argv[3])?;
        client_ids(ctx.eng).into_iter().filter(|id| client_type(&ctx.eng.clients[id]) == wanted).collect()
    } else if argv.len() > 3 && is(&argv[2], "id") {
        let mut ids = Vec::new();
        for a in &argv[3..] {
            let id = parse_i64(a).ok_or(CommandError::InvalidClientId)?;
            if let Ok(id) = ClientId::try_from(id) {
                if ctx.eng.clients.contains_key(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    } else if argv.len() != 2 {
        return Err(CommandError::Syntax);
    } else {
        client_ids(ctx.eng)
    };
    let mut out = String::new();
    for id in ids {
        out.push_str(&client_info_string(ctx, id, argv));
        out.push('\n');
    }
    Ok(Reply::Verbatim("txt", out.into_bytes()))
}

/// Size of Valkey's per-client static reply buffer: replies past it go to a list (`oll`, `omem`).
const REPLY_BUF_BYTES: usize = 16 * 1024;
/// What a client costs before any buffer (Valkey's `sizeof(client)` and friends, roughly).
const CLIENT_STRUCT_BYTES: usize = 1920;

/// One CLIENT LIST line, fields in Valkey 8.0's order. `argv` is the running command's, shown as
/// the caller's `argv-mem`.
pub fn client_info_string(ctx: &Ctx, id: ClientId, argv: &[Vec<u8>]) -> String {
    use std::fmt::Write;
    let eng = &*ctx.eng;
    let c = &eng.clients[&id];
    let is_caller = id == ctx.id;
    let now_s = ctx.now_ms / 1000;

    let mut flags = String::new();
    if c.monitor {
        flags.push('O');
    }
    if c.subscription_count() > 0 {
        flags.push('P');
    }
    if c.multi.is_some() {
        flags.push('x');
    }
    if eng.blocking.is_blocked(id) {
        flags.push('b');
    }
    if c.watch_dirty {
        flags.push('d');
    }
    if c.close_after_reply {
        flags.push('c');
    }
    if c.no_evict {
        flags.push('e');
    }
    if c.no_touch {
        flags.push('T');
    }
    if flags.is_empty() {
        flags.push('N');
    }

    let argv_mem: usize = if is_caller {
        argv.iter().map(Vec::len).sum()
    } else {
        eng.blocking.blocked(id).map_or(0, |b| b.argv.iter().map(Vec::len).sum())
    };
    let (multi, multi_mem) = match &c.multi {
        Some(m) => (
            m.queued.len() as i64,
            m.queued.iter().map(|a| a.iter().map(Vec::len).sum::<usize>() + 8 * a.len()).sum::<usize>(),
        ),
        None => (-1, 0),
    };
    let out = c.output_len();
    let obl = out.min(REPLY_BUF_BYTES);
    let omem = out - obl;
    let oll = omem.div_ceil(REPLY_BUF_BYTES);
    let tot_mem =
        CLIENT_STRUCT_BYTES + REPLY_BUF_BYTES + omem + argv_mem + multi_mem + c.query_buf_len + c.query_buf_free;
    // Valkey records the running command before calling it; inside EXEC or a script it is the outer one.
    let cmd = if is_caller && !ctx.nested() { ctx.spec.name } else { c.last_cmd };

    let mut s = String::with_capacity(320);
    let _ = write!(
        s,
        "id={id} addr={} laddr={} fd={} name={} age={} idle={} flags={flags} db={} sub={} psub={} ssub={} \
         multi={multi} watch={} qbuf={} qbuf-free={} argv-mem={argv_mem} multi-mem={multi_mem} rbs={REPLY_BUF_BYTES} \
         rbp={obl} obl={obl} oll={oll} omem={omem} tot-mem={tot_mem} events=r cmd={cmd} user={} redir=-1 resp={} \
         lib-name={} lib-ver={} tot-net-in={} tot-net-out={} tot-cmds={}",
        c.conn.addr,
        c.conn.laddr,
        c.conn.fd,
        lossy(c.name.as_deref().unwrap_or_default()),
        now_s - c.created_ms / 1000,
        now_s - c.last_interaction_ms / 1000,
        c.db,
        c.channels.len(),
        c.patterns.len(),
        c.shard_channels.len(),
        c.watched.len(),
        c.query_buf_len,
        c.query_buf_free,
        c.user,
        c.proto.version(),
        lossy(c.lib_name.as_deref().unwrap_or_default()),
        lossy(c.lib_ver.as_deref().unwrap_or_default()),
        c.net_input_bytes,
        c.net_output_bytes,
        c.commands_processed,
    );
    s
}

/// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR ip:port] [LADDR ip:port]
/// [SKIPME yes|no] [MAXAGE seconds] ...
fn client_kill(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv().to_vec();
    let mut addr: Option<&[u8]> = None;
    let mut laddr: Option<&[u8]> = None;
    let mut kind = None;
    let mut only_id = None;
    let mut max_age_s = 0;
    let mut user_filter: Option<&[u8]> = None;
    // The old form can kill the caller itself; the filter form skips it unless SKIPME NO.
    let old_form = argv.len() == 3;
    let mut skip_me = !old_form;
    if old_form {
        addr = Some(&argv[2]);
    } else {
        for pair in argv[2..].chunks(2) {
            let [opt, value] = pair else { return Err(CommandError::Syntax) };
            if is(opt, "id") {
                let id = parse_i64(value).filter(|&i| i >= 1).ok_or(CommandError::ClientIdNotPositive)?;
                only_id = Some(id as ClientId);
            } else if is(opt, "maxage") {
                let age = parse_i64(value).ok_or(CommandError::MaxAgeNotInteger)?;
                if age <= 0 {
                    return Err(CommandError::MaxAgeNotPositive);
                }
                max_age_s = age;
            } else if is(opt, "type") {
                kind = Some(client_type_by_name(value)?);
            } else if is(opt, "addr") {
                addr = Some(value);
            } else if is(opt, "laddr") {
                laddr = Some(value);
            } else if is(opt, "user") {
                if ctx.eng.acl.user(value).is_none() {
                    return Err(CommandError::err(format!("No such user '{}'", lossy(value))));
                }
                user_filter = Some(value);
            } else if is(opt, "skipme") {
                skip_me = if is(value, "yes") {
                    true
                } else if is(value, "no") {
                    false
                } else {
                    return Err(CommandError::Syntax);
                };
            } else {
                return Err(CommandError::Syntax);
            }
        }
    }
    let now_s = ctx.now_ms / 1000;
    let victims: Vec<ClientId> = client_ids(ctx.eng)
        .into_iter()
        .filter(|&id| {
            let c = &ctx.eng.clients[&id];
            addr.is_none_or(|a| c.conn.addr.as_bytes() == a)
                && laddr.is_none_or(|a| c.conn.laddr.as_bytes() == a)
                && kind.is_none_or(|k| client_type(c) == k)
                && only_id.is_none_or(|want| id == want)
                && user_filter.is_none_or(|u| c.user.as_bytes() == u)
                && !(skip_me && id == ctx.id)
                && (max_age_s == 0 || now_s - c.created_ms / 1000 >= max_age_s)
        })
        .collect();
    let killed = victims.len();
    for id in victims {
        if id == ctx.id {
            // Closed once this reply is written.
            ctx.client().close_after_reply = true;
        } else {
            // Gone at once, as Valkey frees it: the host sees the id vanish and closes the socket.
            ctx.eng.disconnect(id);
            ctx.eng.woken.push(id);
        }
    }
    if old_form {
        return if killed == 0 { Err(CommandError::NoSuchClient) } else { Ok(Reply::OK) };
    }
    Ok(Reply::Int(killed as i64))
}

/// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
fn client_unblock(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    if argv.len() > 4 {
        return Err(subcommand_syntax_error(argv));
    }
    let as_error = match argv.get(3) {
        None => false,
        Some(r) if is(r, "timeout") => false,
        Some(r) if is(r, "error") => true,
        Some(_) => return Err(CommandError::UnblockReason),
    };
    let id = parse_i64(&argv[2]).ok_or(CommandError::NotInteger)?;
    let Ok(id) = ClientId::try_from(id) else { return Ok(Reply::Int(0)) };
    if !ctx.eng.blocking.is_blocked(id) {
        return Ok(Reply::Int(0));
    }
    let reply = if as_error {
        let reply = Reply::from(CommandError::Unblocked);
        if let Some(b) = ctx.eng.blocking.blocked(id) {
            let spec = b.spec;
            ctx.eng.stats.command(spec).failed_calls += 1;
        }
        reply
    } else {
        // The timeout reply of every blocking command we have (lists, sorted sets, streams).
        Reply::NullArray
    };
    crate::blocking::finish(ctx.eng, id, reply);
    Ok(Reply::Int(1))
}

/// CLIENT PAUSE timeout [WRITE|ALL]
fn client_pause(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    if argv.len() > 4 {
        return Err(subcommand_syntax_error(argv));
    }
    let all = match argv.get(3) {
        None => true,
        Some(m) if is(m, "write") => false,
        Some(m) if is(m, "all") => true,
        Some(_) => return Err(CommandError::PauseMode),
    };
    let end_ms = pause_deadline_ms(&argv[2], ctx.now_ms)?;
    let eng = &mut *ctx.eng;
    let active = eng.pause_until_ms > ctx.now_ms;
    // A pause keeps its most restrictive mode and its latest end while it lasts.
    let keep_all = active && !eng.pause_writes_only;
    eng.pause_writes_only = !(all || keep_all);
    eng.pause_until_ms = if active { eng.pause_until_ms.max(end_ms) } else { end_ms };
    Ok(Reply::OK)
}

/// A CLIENT PAUSE timeout (milliseconds from now) as a unix-ms deadline; 0 stays 0.
fn pause_deadline_ms(arg: &[u8], now_ms: i64) -> Result<i64, CommandError> {
    let ms = parse_i64(arg).ok_or(CommandError::TimeoutNotInteger)?;
    if ms < 0 {
        return Err(CommandError::TimeoutNegative);
    }
    if ms == 0 {
        return Ok(0);
    }
    ms.checked_add(now_ms).ok_or(CommandError::TimeoutOutOfRange)
}

/// CLIENT UNPAUSE
fn client_unpause(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    ctx.eng.pause_until_ms = 0;
    ctx.eng.pause_writes_only = false;
    Ok(Reply::OK)
}

/// CLIENT REPLY ON|OFF|SKIP. OFF and SKIP have no reply of their own.
fn client_reply(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let mode = args.next()?.to_vec();
    let c = ctx.client();
    if is(&mode, "on") {
        c.reply_mode = ReplyMode::On;
    } else if is(&mode, "off") {
        c.reply_mode = ReplyMode::Off;
    } else if is(&mode, "skip") {
        if c.reply_mode != ReplyMode::Off {
            // Silences this reply; the engine turns it into Skip for the next command.
            c.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(CommandError::Syntax);
    }
    Ok(Reply::OK)
}

/// `ON` / `OFF` switches (NO-EVICT, NO-TOUCH).
fn on_off(arg: &[u8]) -> Result<bool, CommandError> {
    if is(arg, "on") {
        Ok(true)
    } else if is(arg, "off") {
        Ok(false)
    } else {
        Err(CommandError::Syntax)
    }
}

/// CLIENT NO-EVICT ON|OFF
fn client_no_evict(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let on = on_off(args.next()?)?;
    ctx.client().no_evict = on;
    Ok(Reply::OK)
}

/// CLIENT NO-TOUCH ON|OFF
fn client_no_touch(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let on = on_off(args.next()?)?;
    ctx.client().no_touch = on;
    Ok(Reply::OK)
}

/// CLIENT CAPA capability [capability ...]: unknown capabilities are ignored.
fn client_capa(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    if args.rest().iter().any(|c| is(c, "redirect")) {
        ctx.client().capa_redirect = true;
    }
    Ok(Reply::OK)
}

/// CLIENT HELP
fn client_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(help_reply(
        args.name(),
        &[
            "CAPA <option> [options...]",
            "    The client claims its some capability options. Options are:",
            "    * REDIRECT",
            "      The client can handle redirection during primary and replica failover in standalone mode.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "    * ID <client-id>",
            "      Kill connections by client id.",
            "    * MAXAGE <maxage>",
            "      Kill connections older than the specified age.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "SETINFO <option> <value>",
            "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.",
            "    * LIB-VER: the client lib version.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "NO-TOUCH (ON|OFF)",
            "    Will not touch LRU/LFU stats when this mode is on.",
        ],
    ))
}
