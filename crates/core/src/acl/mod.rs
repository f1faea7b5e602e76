//! Access control: users, passwords and permissions (Valkey's ACL), checked in the engine's gate.
//!
//! # Layout
//! - [`categories`]: `@read`, `@write` ... and each command's categories (computed from the table data).
//! - [`table`], [`keyspec`]: per-command metadata for ACLs: explicit categories and key specs.
//! - [`registry`]: every command and subcommand with the id of its bit in a selector's bitmap.
//! - [`user`]: users, selectors and the rules that change them.
//! - [`log`]: the ACL log.
//!
//! The gate calls [`Acl::is_open`] first: while only the `default` user exists and may do everything, a
//! command costs one flag test. The ACL file is read and written by the host ([`AclFileHost`]).

pub mod categories;
pub mod keyspec;
pub mod log;
pub mod registry;
pub mod table;
pub mod user;

use crate::client::ClientId;
use crate::command::CommandSpec;
use crate::engine::Engine;
use crate::error::CommandError;
use log::{AclLog, Context, Entry, Reason};
use registry::Registry;
use std::collections::BTreeMap;
use user::{RuleError, User};

/// Reads and writes the ACL file for ACL LOAD / ACL SAVE: the engine does no I/O itself.
pub trait AclFileHost {
    /// The file's text, or the OS error text (`strerror`, e.g. "No such file or directory").
    fn read(&mut self, path: &str) -> Result<String, String>;
    /// Replaces the file with `text` (atomically: temp file, fsync, rename), or the OS error text.
    fn write(&mut self, path: &str, text: &str) -> Result<(), String>;
}

/// Counters for INFO (`acl_access_denied_*`).
#[derive(Debug, Default, Clone, Copy)]
pub struct AclStats {
    pub auth_failures: u64,
    pub denied_cmd: u64,
    pub denied_key: u64,
    pub denied_channel: u64,
}

/// Why a command was refused, with the argument index of the key or channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    Command,
    Key(usize),
    Channel(usize),
}

impl Denied {
    /// Valkey's order of relevance when several selectors refuse (`ACL_DENIED_*` values).
    fn rank(self) -> (u8, usize) {
        match self {
            Denied::Command => (1, 0),
            Denied::Key(i) => (2, i),
            Denied::Channel(i) => (4, i),
        }
    }

    fn reason(self) -> Reason {
        match self {
            Denied::Command => Reason::Command,
            Denied::Key(_) => Reason::Key,
            Denied::Channel(_) => Reason::Channel,
        }
    }

    fn arg(self) -> usize {
        match self {
            Denied::Command => 0,
            Denied::Key(i) | Denied::Channel(i) => i,
        }
    }

    /// Valkey's `getAclErrorMessage` (`verbose` names the key or channel, as ACL DRYRUN does).
    pub fn message(self, user: &[u8], spec: &CommandSpec, argv: &[Vec<u8>], verbose: bool) -> String {
        let user = String::from_utf8_lossy(user);
        let arg = || String::from_utf8_lossy(&argv[self.arg()]).into_owned();
        match self {
            Denied::Command => format!("User {user} has no permissions to run the '{}' command", spec.name),
            Denied::Key(_) if verbose => format!("User {user} has no permissions to access the '{}' key", arg()),
            Denied::Key(_) => "No permissions to access a key".into(),
            Denied::Channel(_) if verbose => {
                format!("User {user} has no permissions to access the '{}' channel", arg())
            }
            Denied::Channel(_) => "No permissions to access a channel".into(),
        }
    }
}

pub struct Acl {
    /// Users by name, in name order (ACL LIST and ACL USERS list them so).
    pub users: BTreeMap<Vec<u8>, User>,
    pub log: AclLog,
    pub stats: AclStats,
    /// Only `default` exists and it may run anything: the gate skips the check.
    open: bool,
    /// The default user has a password or is off: connections start unauthenticated.
    default_needs_auth: bool,
    pub file_host: Option<Box<dyn AclFileHost>>,
}

impl Default for Acl {
    fn default() -> Self {
        Acl::new(None, false)
    }
}

impl std::fmt::Debug for Acl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acl").field("users", &self.users.keys().collect::<Vec<_>>()).finish()
    }
}

/// The `default` user as Valkey creates it: everything allowed, on, no password.
pub fn default_user() -> User {
    let mut u = User::new(b"default", false);
    for op in ["+@all", "~*", "&*", "on", "nopass"] {
        u.apply(op.as_bytes(), false).expect("valid rule");
    }
    u
}

impl Acl {
    /// The ACLs at start-up: the default user, with `requirepass` as its password.
    pub fn new(requirepass: Option<&[u8]>, _pubsub_allchannels: bool) -> Acl {
        let mut acl = Acl {
            users: BTreeMap::new(),
            log: AclLog::default(),
            stats: AclStats::default(),
            open: true,
            default_needs_auth: false,
            file_host: None,
        };
        acl.users.insert(b"default".to_vec(), default_user());
        acl.set_default_password(requirepass);
        acl
    }

    /// The gate may skip permission checks.
    #[inline]
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// An unauthenticated connection must AUTH first (Valkey's `authRequired` without the client part).
    #[inline]
    pub fn default_needs_auth(&self) -> bool {
        self.default_needs_auth
    }

    /// Recomputes the cached fast-path flags; call after any change to users.
    pub fn refresh(&mut self) {
        let default = self.users.get(b"default".as_slice());
        self.open = self.users.len() == 1 && default.is_some_and(User::is_unrestricted);
        self.default_needs_auth = default.is_none_or(|d| !(d.nopass && d.enabled));
    }

    /// `requirepass`: the default user's only password (`None`: nopass). CONFIG SET requirepass calls this.
    pub fn set_default_password(&mut self, password: Option<&[u8]>) {
        if let Some(d) = self.users.get_mut(b"default".as_slice()) {
            d.apply(b"resetpass", false).expect("valid rule");
            match password {
                Some(p) => d.apply(&[b">".as_slice(), p].concat(), false).expect("valid rule"),
                None => d.apply(b"nopass", false).expect("valid rule"),
            }
        }
        self.refresh();
    }

    pub fn user(&self, name: &[u8]) -> Option<&User> {
        self.users.get(name)
    }

    /// ACL SETUSER: applies every rule to a copy and keeps it only if all are valid. The error is the
    /// whole reply text.
    pub fn set_user(&mut self, name: &[u8], rules: &[Vec<u8>], pubsub_allchannels: bool) -> Result<(), String> {
        let merged = user::merge_selector_args(rules).map_err(|j| {
            format!("ERR Unmatched parenthesis in acl selector starting at '{}'.", String::from_utf8_lossy(&rules[j]))
        })?;
        let mut u = self.users.get(name).cloned().unwrap_or_else(|| User::new(name, pubsub_allchannels));
        for op in &merged {
            u.apply(op, pubsub_allchannels).map_err(|e: RuleError| {
                format!("ERR Error in ACL SETUSER modifier '{}': {e}", String::from_utf8_lossy(op))
            })?;
        }
        self.users.insert(name.to_vec(), u);
        self.refresh();
        Ok(())
    }

    /// The users in the ACL file format, one `user ...` line each.
    pub fn to_file_text(&self) -> String {
        let mut out = Vec::new();
        for (name, u) in &self.users {
            out.extend_from_slice(b"user ");
            out.extend_from_slice(name);
            out.push(b' ');
            out.extend_from_slice(&u.describe());
            out.push(b'\n');
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Loads an ACL file's text in place of the current users, all or nothing (Valkey's
    /// `ACLLoadFromFile`). The error lists every problem found, as Valkey's does.
    pub fn load_text(&mut self, filename: &str, text: &str, pubsub_allchannels: bool) -> Result<(), String> {
        let mut users: BTreeMap<Vec<u8>, User> = BTreeMap::new();
        let mut errors = String::new();
        for (i, line) in text.split('\n').enumerate() {
            let linenum = i + 1;
            let line = line.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
            if line.is_empty() {
                continue;
            }
            let argv: Vec<&str> = line.split(' ').collect();
            if argv[0] != "user" || argv.len() < 2 {
                errors.push_str(&format!(
                    "{filename}:{linenum} should start with user keyword followed by the username. "
                ));
                continue;
            }
            let name = argv[1].as_bytes();
            if user::has_spaces(name) {
                errors
                    .push_str(&format!("'{filename}:{linenum}: username '{}' contains invalid characters. ", argv[1]));
                continue;
            }
            if users.contains_key(name) {
                errors.push_str(&format!("WARNING: Duplicate user '{}' found on line {linenum}. ", argv[1]));
                continue;
            }
            let mut u = User::new(name, pubsub_allchannels);
            let rules: Vec<Vec<u8>> = argv[2..].iter().map(|s| s.as_bytes().to_vec()).collect();
            let Ok(merged) = user::merge_selector_args(&rules) else {
                errors.push_str(&format!("{filename}:{linenum}: Unmatched parenthesis in selector definition."));
                users.insert(name.to_vec(), u);
                continue;
            };
            let mut syntax_error = false;
            for op in &merged {
                let op: Vec<u8> = op.iter().copied().filter(|&b| !matches!(b, b'\t' | b'\r' | b'\n')).collect();
                if let Err(e) = u.apply(&op, pubsub_allchannels) {
                    if e == RuleError::UnknownName {
                        errors.push_str(&format!(
                            "{filename}:{linenum}: Error in applying operation '{}': {e}. ",
                            String::from_utf8_lossy(&op)
                        ));
                    } else if !syntax_error {
                        errors.push_str(&format!("{filename}:{linenum}: {e}. "));
                        syntax_error = true;
                    }
                }
            }
            users.insert(name.to_vec(), u);
        }
        if !errors.is_empty() {
            errors.push_str("WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
            return Err(errors);
        }
        users.entry(b"default".to_vec()).or_insert_with(default_user);
        self.users = users;
        self.refresh();
        Ok(())
    }

    /// Whether `user` may run `argv` (Valkey's `ACLCheckAllUserCommandPerm`).
    pub fn check(&self, user: &User, spec: &'static CommandSpec, argv: &[Vec<u8>]) -> Result<(), Denied> {
        let id = Registry::get().id(spec);
        let mut keys: Option<Vec<(usize, u8)>> = None;
        let mut relevant = Denied::Command;
        for s in &user.selectors {
            match check_selector(s, spec, id, argv, &mut keys) {
                Ok(()) => return Ok(()),
                Err(d) => {
                    if d.rank() > relevant.rank() {
                        relevant = d;
                    }
                }
            }
        }
        Err(relevant)
    }
}

/// Channel arguments of the pub/sub commands ACLs check: (first index, all the rest?, is a pattern).
fn channel_args(spec: &CommandSpec) -> Option<(usize, bool, bool)> {
    match spec.name {
        "subscribe" | "ssubscribe" => Some((1, true, false)),
        "psubscribe" => Some((1, true, true)),
        "publish" | "spublish" => Some((1, false, false)),
        _ => None,
    }
}

fn check_selector(
    s: &user::Selector,
    spec: &'static CommandSpec,
    id: usize,
    argv: &[Vec<u8>],
    keys: &mut Option<Vec<(usize, u8)>>,
) -> Result<(), Denied> {
    if !s.allows_command(spec, id, argv) {
        return Err(Denied::Command);
    }
    if !s.allkeys {
        let keys = keys.get_or_insert_with(|| keyspec::keys_with_flags(spec, argv));
        for &(i, flags) in keys.iter() {
            if !s.allows_key(&argv[i], flags) {
                return Err(Denied::Key(i));
            }
        }
    }
    if !s.allchannels {
        if let Some((first, all, pattern)) = channel_args(spec) {
            let end = if all { argv.len() } else { (first + 1).min(argv.len()) };
            for (i, ch) in argv.iter().enumerate().take(end).skip(first) {
                if !s.allows_channel(ch, pattern) {
                    return Err(Denied::Channel(i));
                }
            }
        }
    }
    Ok(())
}

// -- the engine's side -------------------------------------------------------------------------------

/// The gate's check for a client's command: `Err` is the NOPERM error, already logged.
pub fn check_client(
    eng: &mut Engine,
    id: ClientId,
    spec: &'static CommandSpec,
    argv: &[Vec<u8>],
) -> Result<(), CommandError> {
    let Some(client) = eng.clients.get(&id) else { return Ok(()) };
    let context = if client.multi.is_some() { Context::Multi } else { Context::TopLevel };
    let username = client.user.as_bytes().to_vec();
    let denied = match eng.acl.users.get(&username) {
        Some(u) => eng.acl.check(u, spec, argv),
        None => Err(Denied::Command),
    };
    let Err(d) = denied else { return Ok(()) };
    log_denied(eng, id, spec, argv, d, context);
    Err(CommandError::Other(format!("NOPERM {}", d.message(&username, spec, argv, false)).into()))
}

/// A command EXEC is about to run for `id`: permissions are checked again, in case they changed after
/// the command was queued (Valkey's execCommand).
pub fn check_exec_command(
    eng: &mut Engine,
    id: ClientId,
    spec: &'static CommandSpec,
    argv: &[Vec<u8>],
) -> Result<(), CommandError> {
    if eng.acl.is_open() {
        return Ok(());
    }
    let Some(client) = eng.clients.get(&id) else { return Ok(()) };
    let denied = match eng.acl.users.get(client.user.as_bytes()) {
        Some(u) => eng.acl.check(u, spec, argv),
        None => Err(Denied::Command),
    };
    let Err(d) = denied else { return Ok(()) };
    log_denied(eng, id, spec, argv, d, Context::Multi);
    let reason = match d {
        Denied::Command => "no permission to execute the command or subcommand",
        Denied::Key(_) => "no permission to touch the specified keys",
        Denied::Channel(_) => "no permission to access one of the channels used as arguments",
    };
    Err(CommandError::Other(
        format!(
            "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. \
             This command is no longer allowed for the following reason: {reason}"
        )
        .into(),
    ))
}

/// A command a script runs for `id`: `Err` is the script error text (`ACL failure in script: ...`).
pub fn check_script_command(
    eng: &mut Engine,
    id: ClientId,
    spec: &'static CommandSpec,
    argv: &[Vec<u8>],
) -> Result<(), String> {
    if eng.acl.is_open() {
        return Ok(());
    }
    let Some(client) = eng.clients.get(&id) else { return Ok(()) };
    let username = client.user.as_bytes().to_vec();
    let denied = match eng.acl.users.get(&username) {
        Some(u) => eng.acl.check(u, spec, argv),
        None => Err(Denied::Command),
    };
    let Err(d) = denied else { return Ok(()) };
    log_denied(eng, id, spec, argv, d, Context::Lua);
    Err(format!("ACL failure in script: {}", d.message(&username, spec, argv, false)))
}

/// `redis.acl_check_cmd`: may the script's caller run `argv`? (no log entry)
pub fn user_can_run(eng: &Engine, id: ClientId, spec: &'static CommandSpec, argv: &[Vec<u8>]) -> bool {
    if eng.acl.is_open() {
        return true;
    }
    let Some(client) = eng.clients.get(&id) else { return true };
    eng.acl.users.get(client.user.as_bytes()).is_some_and(|u| eng.acl.check(u, spec, argv).is_ok())
}

fn log_denied(eng: &mut Engine, id: ClientId, spec: &'static CommandSpec, argv: &[Vec<u8>], d: Denied, ctx: Context) {
    match d {
        Denied::Command => eng.acl.stats.denied_cmd += 1,
        Denied::Key(_) => eng.acl.stats.denied_key += 1,
        Denied::Channel(_) => eng.acl.stats.denied_channel += 1,
    }
    let object = match d {
        Denied::Command => spec.name.as_bytes().to_vec(),
        _ => argv[d.arg()].clone(),
    };
    let username = eng.clients.get(&id).map(|c| c.user.as_bytes().to_vec()).unwrap_or_default();
    add_log_entry(eng, id, spec, argv, d.reason(), ctx, object, username);
}

/// A failed AUTH / HELLO AUTH: counted and logged with the user name tried.
pub fn log_auth_failure(eng: &mut Engine, id: ClientId, spec: &'static CommandSpec, argv: &[Vec<u8>], username: &[u8]) {
    eng.acl.stats.auth_failures += 1;
    let in_multi = eng.clients.get(&id).is_some_and(|c| c.multi.is_some());
    let ctx = if in_multi { Context::Multi } else { Context::TopLevel };
    add_log_entry(eng, id, spec, argv, Reason::Auth, ctx, argv[0].clone(), username.to_vec());
}

#[allow(clippy::too_many_arguments)]
fn add_log_entry(
    eng: &mut Engine,
    id: ClientId,
    spec: &'static CommandSpec,
    argv: &[Vec<u8>],
    reason: Reason,
    context: Context,
    object: Vec<u8>,
    username: Vec<u8>,
) {
    let max_len = usize::try_from(eng.config.acllog_max_len).unwrap_or(0);
    if max_len == 0 {
        eng.acl.log.reset();
        return;
    }
    let now_ms = eng.cmd_time_ms;
    let client_info = {
        let ctx = crate::ctx::Ctx::new(eng, id, spec);
        if ctx.eng.clients.contains_key(&id) {
            crate::commands::connection::client_info_string(&ctx, id, argv)
        } else {
            String::new()
        }
    };
    let entry = Entry {
        count: 1,
        reason,
        context,
        object,
        username,
        updated_ms: now_ms,
        client_info,
        entry_id: 0,
        created_ms: now_ms,
    };
    eng.acl.log.add(entry, max_len);
}

/// Authenticates `id` as `user` if the password matches; else logs the failure and answers WRONGPASS.
pub fn authenticate(
    eng: &mut Engine,
    id: ClientId,
    spec: &'static CommandSpec,
    argv: &[Vec<u8>],
    user: &[u8],
    pass: &[u8],
) -> Result<(), CommandError> {
    let ok = eng.acl.user(user).is_some_and(|u| u.password_ok(pass));
    if !ok {
        log_auth_failure(eng, id, spec, argv, user);
        return Err(CommandError::WrongPass);
    }
    if let Some(c) = eng.clients.get_mut(&id) {
        c.user = String::from_utf8_lossy(user).into_owned();
        c.authenticated = true;
    }
    Ok(())
}

/// A connection's starting state (and after RESET): the default user, authenticated unless it needs a
/// password.
pub fn set_default_auth(eng: &mut Engine, id: ClientId) {
    let authenticated = !eng.acl.default_needs_auth();
    if let Some(c) = eng.clients.get_mut(&id) {
        c.user = "default".into();
        c.authenticated = authenticated;
    }
}

/// Closes every connection authenticated as a user that no longer exists (ACL DELUSER, ACL LOAD); the
/// caller's own connection closes after its reply.
pub fn disconnect_orphans(eng: &mut Engine, caller: ClientId) {
    let mut orphans: Vec<ClientId> =
        eng.clients.iter().filter(|(_, c)| !eng.acl.users.contains_key(c.user.as_bytes())).map(|(&id, _)| id).collect();
    orphans.sort_unstable();
    for id in orphans {
        if id == caller {
            if let Some(c) = eng.clients.get_mut(&id) {
                c.close_after_reply = true;
            }
        } else {
            eng.disconnect(id);
            eng.woken.push(id);
        }
    }
}

/// After ACL SETUSER changed `name`: connections of that user subscribed to a channel or pattern the user
/// may no longer use are closed (Valkey's `ACLKillPubsubClientsIfNeeded`).
pub fn disconnect_revoked_subscribers(eng: &mut Engine, caller: ClientId, name: &[u8]) {
    let Some(u) = eng.acl.users.get(name) else { return };
    if u.selectors.iter().any(|s| s.allchannels) {
        return;
    }
    let allowed = |ch: &[u8], pattern: bool| u.selectors.iter().any(|s| s.allows_channel(ch, pattern));
    let mut victims: Vec<ClientId> = eng
        .clients
        .iter()
        .filter(|(_, c)| c.user.as_bytes() == name && c.subscription_count() > 0)
        .filter(|(_, c)| {
            c.channels.iter().any(|ch| !allowed(ch, false))
                || c.shard_channels.iter().any(|ch| !allowed(ch, false))
                || c.patterns.iter().any(|p| !allowed(p, true))
        })
        .map(|(&id, _)| id)
        .collect();
    victims.sort_unstable();
    for id in victims {
        if id == caller {
            if let Some(c) = eng.clients.get_mut(&id) {
                c.close_after_reply = true;
            }
        } else {
            eng.disconnect(id);
            eng.woken.push(id);
        }
    }
}
