//! ACL: the users and permissions commands (SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, LOG,
//! DRYRUN, GENPASS, LOAD, SAVE, HELP). The rules themselves live in `crate::acl`.

use crate::acl::categories;
use crate::acl::registry::Registry;
use crate::args::{is, Args};
use crate::command::{flag::*, CommandSpec, Group, Keys};
use crate::commands::connection::{help_reply, subcommand_syntax_error};
use crate::ctx::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::reply::Reply;
use rand::RngCore;

const G: Group = Group::Server;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec::container(G, "acl", ACL_SUBCOMMANDS)
    .since("6.0.0")
    .summary("A container for Access List Control commands.")];

const META: u32 = NOSCRIPT | LOADING | STALE;

const ACL_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::new(G, "acl|cat", -2, META, Keys::None, acl_cat)
        .since("6.0.0")
        .summary("Lists the ACL categories, or the commands inside a category.")
        .syntax("[category]"),
    CommandSpec::new(G, "acl|deluser", -3, ADMIN | META, Keys::None, acl_deluser)
        .since("6.0.0")
        .summary("Deletes ACL users, and terminates their connections.")
        .syntax("username..."),
    CommandSpec::new(G, "acl|dryrun", -4, ADMIN | META, Keys::None, acl_dryrun)
        .since("7.0.0")
        .summary("Simulates the execution of a command by a user, without executing the command.")
        .syntax("username command [arg...]"),
    CommandSpec::new(G, "acl|genpass", -2, META, Keys::None, acl_genpass)
        .since("6.0.0")
        .summary("Generates a pseudorandom, secure password that can be used to identify ACL users.")
        .syntax("[bits:integer]"),
    CommandSpec::new(G, "acl|getuser", 3, ADMIN | META, Keys::None, acl_getuser)
        .since("6.0.0")
        .summary("Lists the ACL rules of a user.")
        .syntax("username"),
    CommandSpec::new(G, "acl|help", 2, LOADING | STALE, Keys::None, acl_help)
        .since("6.0.0")
        .summary("Returns helpful text about the different subcommands."),
    CommandSpec::new(G, "acl|list", 2, ADMIN | META, Keys::None, acl_list)
        .since("6.0.0")
        .summary("Dumps the effective rules in ACL file format."),
    CommandSpec::new(G, "acl|load", 2, ADMIN | META, Keys::None, acl_load)
        .since("6.0.0")
        .summary("Reloads the rules from the configured ACL file."),
    CommandSpec::new(G, "acl|log", -2, ADMIN | META, Keys::None, acl_log)
        .since("6.0.0")
        .summary("Lists recent security events generated due to ACL rules.")
        .syntax("[operation: count:integer | RESET]"),
    CommandSpec::new(G, "acl|save", 2, ADMIN | META, Keys::None, acl_save)
        .since("6.0.0")
        .summary("Saves the effective ACL rules in the configured ACL file."),
    CommandSpec::new(G, "acl|setuser", -3, ADMIN | META, Keys::None, acl_setuser)
        .since("6.0.0")
        .summary("Creates and modifies an ACL user and its rules.")
        .syntax("username [rule...]"),
    CommandSpec::new(G, "acl|users", 2, ADMIN | META, Keys::None, acl_users)
        .since("6.0.0")
        .summary("Lists all ACL users."),
    CommandSpec::new(G, "acl|whoami", 2, META, Keys::None, acl_whoami)
        .since("6.0.0")
        .summary("Returns the authenticated username of the current connection."),
];

fn pubsub_allchannels(ctx: &Ctx) -> bool {
    ctx.eng.config.acl_pubsub_default == crate::config::AclPubsubDefault::AllChannels
}

/// ACL SETUSER username [rule ...]
fn acl_setuser(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let name = argv[2].clone();
    if crate::acl::user::has_spaces(&name) {
        return Err(CommandError::err("Usernames can't contain spaces or null characters"));
    }
    let rules = argv[3..].to_vec();
    let all = pubsub_allchannels(ctx);
    ctx.eng.acl.set_user(&name, &rules, all).map_err(|e| CommandError::Other(e.into()))?;
    crate::acl::disconnect_revoked_subscribers(ctx.eng, ctx.id, &name);
    Ok(Reply::OK)
}

/// ACL DELUSER username [username ...]
fn acl_deluser(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let names = args.argv()[2..].to_vec();
    if names.iter().any(|n| n == b"default") {
        return Err(CommandError::err("The 'default' user cannot be removed"));
    }
    let deleted = names.iter().filter(|n| ctx.eng.acl.users.remove(n.as_slice()).is_some()).count();
    ctx.eng.acl.refresh();
    crate::acl::disconnect_orphans(ctx.eng, ctx.id);
    Ok(Reply::Int(deleted as i64))
}

/// ACL GETUSER username
fn acl_getuser(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let Some(u) = ctx.eng.acl.user(&args.argv()[2]) else { return Ok(Reply::Null) };
    let field = |k: &'static str, v: Reply| (Reply::bulk(k), v);
    let selector_fields = |s: &crate::acl::user::Selector| {
        vec![
            field("commands", Reply::Bulk(s.describe_commands().into_bytes())),
            field("keys", Reply::Bulk(s.describe_keys())),
            field("channels", Reply::Bulk(s.describe_channels())),
        ]
    };
    let mut fields = vec![
        field("flags", Reply::Set(u.flag_names().into_iter().map(Reply::bulk).collect())),
        field("passwords", Reply::Array(u.passwords.iter().map(|p| Reply::Bulk(p.clone().into_bytes())).collect())),
    ];
    fields.extend(selector_fields(u.root()));
    let selectors = u.selectors[1..].iter().map(|s| Reply::Map(selector_fields(s))).collect();
    fields.push(field("selectors", Reply::Array(selectors)));
    Ok(Reply::Map(fields))
}

/// ACL LIST
fn acl_list(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let lines = ctx.eng.acl.to_file_text();
    Ok(Reply::Array(lines.lines().map(|l| Reply::Bulk(l.as_bytes().to_vec())).collect()))
}

/// ACL USERS
fn acl_users(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Array(ctx.eng.acl.users.keys().map(|n| Reply::Bulk(n.clone())).collect()))
}

/// ACL WHOAMI
fn acl_whoami(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    Ok(Reply::Bulk(ctx.client_ref().user.as_bytes().to_vec()))
}

fn no_acl_file() -> CommandError {
    CommandError::err(
        "This instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER \
         command and then issue a CONFIG REWRITE (assuming you have a configuration file set) in order to store \
         users in the configuration.",
    )
}

/// ACL LOAD
fn acl_load(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let path = ctx.eng.config.aclfile.clone();
    if path.is_empty() {
        return Err(no_acl_file());
    }
    let text = match ctx.eng.acl.file_host.as_mut() {
        Some(host) => host.read(&path),
        None => Err("No such file or directory".to_string()),
    };
    let text = text.map_err(|e| CommandError::err(format!("Error loading ACLs, opening file '{path}': {e}")))?;
    let all = pubsub_allchannels(ctx);
    ctx.eng.acl.load_text(&path, &text, all).map_err(CommandError::err)?;
    crate::acl::disconnect_orphans(ctx.eng, ctx.id);
    let names: Vec<Vec<u8>> = ctx.eng.acl.users.keys().cloned().collect();
    for name in names {
        crate::acl::disconnect_revoked_subscribers(ctx.eng, ctx.id, &name);
    }
    Ok(Reply::OK)
}

/// ACL SAVE
fn acl_save(ctx: &mut Ctx, _args: &mut Args) -> CmdResult {
    let path = ctx.eng.config.aclfile.clone();
    if path.is_empty() {
        return Err(no_acl_file());
    }
    let text = ctx.eng.acl.to_file_text();
    let saved = ctx.eng.acl.file_host.as_mut().is_some_and(|host| host.write(&path, &text).is_ok());
    if !saved {
        return Err(CommandError::err(
            "There was an error trying to save the ACLs. Please check the server logs for more information",
        ));
    }
    Ok(Reply::OK)
}

/// ACL CAT [category]
fn acl_cat(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    match argv.len() {
        2 => Ok(Reply::Array(categories::NAMES.iter().map(|&(n, _)| Reply::bulk(n)).collect())),
        3 => {
            let Some(bit) = categories::by_name(&argv[2]) else {
                return Err(CommandError::err(format!(
                    "Unknown category '{}'",
                    crate::engine::truncate_lossy(&argv[2], 128)
                )));
            };
            let _ = ctx;
            let names = Registry::get()
                .specs
                .iter()
                .filter(|s| s.acl_categories & bit != 0)
                .map(|s| Reply::bulk(s.name))
                .collect();
            Ok(Reply::Array(names))
        }
        _ => Err(subcommand_syntax_error(argv)),
    }
}

/// ACL GENPASS [bits]
fn acl_genpass(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    const MAX_BITS: i64 = 4096;
    let argv = args.argv();
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let bits = match argv.get(2) {
        Some(a) => crate::num::parse_i64(a).ok_or(CommandError::NotInteger)?,
        None => 256,
    };
    if bits <= 0 || bits > MAX_BITS {
        return Err(CommandError::err(format!(
            "ACL GENPASS argument must be the number of bits for the output password, a positive number up to {MAX_BITS}"
        )));
    }
    let chars = (bits as usize).div_ceil(4);
    let mut bytes = vec![0u8; chars.div_ceil(2)];
    ctx.rng().fill_bytes(&mut bytes);
    let mut hex = Vec::with_capacity(chars);
    for b in bytes {
        hex.push(b"0123456789abcdef"[(b >> 4) as usize]);
        hex.push(b"0123456789abcdef"[(b & 15) as usize]);
    }
    hex.truncate(chars);
    Ok(Reply::Bulk(hex))
}

/// ACL LOG [count | RESET]
fn acl_log(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    if argv.len() > 3 {
        return Err(subcommand_syntax_error(argv));
    }
    let mut count = 10;
    if let Some(a) = argv.get(2) {
        if is(a, "reset") {
            ctx.eng.acl.log.reset();
            return Ok(Reply::OK);
        }
        count = crate::num::parse_i64(a).ok_or(CommandError::NotInteger)?.max(0);
    }
    let now_ms = ctx.now_ms;
    let field = |k: &'static str, v: Reply| (Reply::bulk(k), v);
    let entries = ctx
        .eng
        .acl
        .log
        .entries
        .iter()
        .take(count as usize)
        .map(|e| {
            Reply::Map(vec![
                field("count", Reply::Int(e.count as i64)),
                field("reason", Reply::bulk(e.reason.name())),
                field("context", Reply::bulk(e.context.name())),
                field("object", Reply::Bulk(e.object.clone())),
                field("username", Reply::Bulk(e.username.clone())),
                field("age-seconds", Reply::Double((now_ms - e.updated_ms) as f64 / 1000.0)),
                field("client-info", Reply::Bulk(e.client_info.clone().into_bytes())),
                field("entry-id", Reply::Int(e.entry_id as i64)),
                field("timestamp-created", Reply::Int(e.created_ms)),
                field("timestamp-last-updated", Reply::Int(e.updated_ms)),
            ])
        })
        .collect();
    Ok(Reply::Array(entries))
}

/// ACL DRYRUN username command [arg ...]
fn acl_dryrun(ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    let argv = args.argv();
    let Some(user) = ctx.eng.acl.user(&argv[2]) else {
        return Err(CommandError::err(format!("User '{}' not found", String::from_utf8_lossy(&argv[2]))));
    };
    let cmd_argv = &argv[3..];
    let table = crate::command::CommandTable::get();
    let spec = table.lookup(&cmd_argv[0]).and_then(|spec| match cmd_argv.get(1) {
        Some(sub) if !spec.subcommands.is_empty() => spec.subcommand(sub),
        _ => Some(spec),
    });
    let Some(spec) = spec else {
        return Err(CommandError::err(format!("Command '{}' not found", String::from_utf8_lossy(&cmd_argv[0]))));
    };
    if !spec.arity_ok(cmd_argv.len()) {
        return Err(CommandError::WrongArity(spec.name.to_string()));
    }
    match ctx.eng.acl.check(user, spec, cmd_argv) {
        Ok(()) => Ok(Reply::OK),
        Err(d) => Ok(Reply::Bulk(d.message(&user.name, spec, cmd_argv, true).into_bytes())),
    }
}

/// ACL HELP
fn acl_help(_ctx: &mut Ctx, args: &mut Args) -> CmdResult {
    Ok(help_reply(
        args.name(),
        &[
            "CAT [<category>]",
            "    List all commands that belong to <category>, or all command categories",
            "    when no category is specified.",
            "DELUSER <username> [<username> ...]",
            "    Delete a list of users.",
            "DRYRUN <username> <command> [<arg> ...]",
            "    Returns whether the user can execute the given command without executing the command.",
            "GETUSER <username>",
            "    Get the user's details.",
            "GENPASS [<bits>]",
            "    Generate a secure 256-bit user password. The optional `bits` argument can",
            "    be used to specify a different size.",
            "LIST",
            "    Show users details in config file format.",
            "LOAD",
            "    Reload users from the ACL file.",
            "LOG [<count> | RESET]",
            "    Show the ACL log entries.",
            "SAVE",
            "    Save the current config to the ACL file.",
            "SETUSER <username> <attribute> [<attribute> ...]",
            "    Create or modify a user with the specified attributes.",
            "USERS",
            "    List all the registered usernames.",
            "WHOAMI",
            "    Return the current connection username.",
        ],
    ))
}
