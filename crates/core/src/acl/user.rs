//! ACL users and their selectors, and the rules that change them (`on`, `>pass`, `~pattern`, `+@read`, ...)
//! with Valkey's semantics: a user is a set of flags, password hashes and selectors; the root selector
//! holds the rules given outside parentheses, each `(...)` adds another selector. A command is allowed
//! when any selector allows it with all its keys and channels.

use super::registry::Registry;
use super::{categories, keyspec};
use crate::command::CommandSpec;
use crate::glob::glob_match;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Why a rule was refused; the text is Valkey's `ACLSetUserStringError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("Syntax error")]
    Syntax,
    #[error("Unknown command or category name in ACL")]
    UnknownName,
    #[error("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")]
    PatternAfterAllKeys,
    #[error("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")]
    ChannelAfterAllChannels,
    #[error("The password you are trying to remove from the user does not exist")]
    NoSuchPassword,
    #[error("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")]
    BadHash,
    #[error("Allowing first-arg of a subcommand is not supported")]
    FirstArgOfSubcommand,
}

/// The hex SHA-256 of a password, the form passwords are kept in.
pub fn hash_password(cleartext: &[u8]) -> String {
    let digest = Sha256::digest(cleartext);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from(b"0123456789abcdef"[(b >> 4) as usize]));
        hex.push(char::from(b"0123456789abcdef"[(b & 15) as usize]));
    }
    hex
}

fn valid_hash(h: &[u8]) -> bool {
    h.len() == 64 && h.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

/// Spaces or NULs are refused in user names and patterns (they would break ACL LIST and the file).
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&c| c == 0 || c.is_ascii_whitespace() || c == 0x0b)
}

/// Key pattern permission bits.
pub const KEY_READ: u8 = keyspec::R;
pub const KEY_WRITE: u8 = keyspec::W;
const KEY_ALL: u8 = KEY_READ | KEY_WRITE;

#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub root: bool,
    pub allkeys: bool,
    pub allchannels: bool,
    /// Every command, with no exception since (Valkey's ALLCOMMANDS flag: lets the check skip the bitmap).
    pub allcommands: bool,
    /// Set by `+@all`, cleared by `-@all`: the rules started from everything (Valkey's reserved bit).
    pub from_all: bool,
    /// One bit per command id (see [`Registry`]).
    pub allowed: Vec<u64>,
    /// First arguments allowed for an otherwise denied command (`+select|0`), by command id.
    pub firstargs: BTreeMap<usize, Vec<Vec<u8>>>,
    /// (R/W bits, pattern) in the order they were added.
    pub patterns: Vec<(u8, Vec<u8>)>,
    pub channels: Vec<Vec<u8>>,
    /// The command rules as given, compacted (`+get -@write`), to describe the selector again.
    pub command_rules: Vec<(bool, String)>,
}

impl Selector {
    pub fn new(root: bool, pubsub_allchannels: bool) -> Selector {
        Selector {
            root,
            allchannels: pubsub_allchannels,
            allowed: vec![0; Registry::get().len().div_ceil(64)],
            ..Selector::default()
        }
    }

    fn bit(&self, id: usize) -> bool {
        self.allowed[id / 64] & (1 << (id % 64)) != 0
    }

    fn set_bit(&mut self, id: usize, on: bool) {
        if on {
            self.allowed[id / 64] |= 1 << (id % 64);
        } else {
            self.allowed[id / 64] &= !(1 << (id % 64));
            self.allcommands = false;
        }
    }

    /// Allow or deny a command, and every subcommand of a container.
    fn change_perm(&mut self, spec: &'static CommandSpec, allow: bool) {
        let reg = Registry::get();
        let id = reg.id(spec);
        self.set_bit(id, allow);
        self.firstargs.remove(&id);
        for sub in spec.subcommands {
            self.set_bit(reg.id(sub), allow);
        }
    }

    fn update_rules(&mut self, rule: &str, allow: bool) {
        let rule = rule.to_ascii_lowercase();
        self.command_rules.retain(|(_, r)| !(*r == rule || (r.starts_with(&rule) && r.as_bytes()[rule.len()] == b'|')));
        self.command_rules.push((allow, rule));
    }

    fn set_category(&mut self, category: &[u8], allow: bool) -> Result<(), RuleError> {
        let bit = categories::by_name(&category[1..]).ok_or(RuleError::UnknownName)?;
        self.update_rules(&String::from_utf8_lossy(category), allow);
        let reg = Registry::get();
        for &spec in &reg.specs {
            if spec.acl_categories & bit != 0 {
                self.change_perm(spec, allow);
            }
        }
        Ok(())
    }

    fn all_commands(&mut self, allow: bool) {
        self.allowed.iter_mut().for_each(|w| *w = if allow { u64::MAX } else { 0 });
        self.allcommands = allow;
        self.from_all = allow;
        self.command_rules.clear();
        self.firstargs.clear();
    }

    /// One selector rule (Valkey's `ACLSetSelector`).
    pub fn apply(&mut self, op: &[u8]) -> Result<(), RuleError> {
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        let reg = Registry::get();
        if is("allkeys") || op == b"~*" {
            self.allkeys = true;
            self.patterns.clear();
        } else if is("resetkeys") {
            self.allkeys = false;
            self.patterns.clear();
        } else if is("allchannels") || op == b"&*" {
            self.allchannels = true;
            self.channels.clear();
        } else if is("resetchannels") {
            self.allchannels = false;
            self.channels.clear();
        } else if is("allcommands") || is("+@all") {
            self.all_commands(true);
        } else if is("nocommands") || is("-@all") {
            self.all_commands(false);
        } else if op[0] == b'~' || op[0] == b'%' {
            if self.allkeys {
                return Err(RuleError::PatternAfterAllKeys);
            }
            let (flags, pattern) = parse_key_pattern(op)?;
            if has_spaces(pattern) {
                return Err(RuleError::Syntax);
            }
            match self.patterns.iter_mut().find(|(_, p)| p == pattern) {
                Some((f, _)) => *f |= flags,
                None => self.patterns.push((flags, pattern.to_vec())),
            }
            self.allkeys = false;
        } else if op[0] == b'&' {
            if self.allchannels {
                return Err(RuleError::ChannelAfterAllChannels);
            }
            if has_spaces(&op[1..]) {
                return Err(RuleError::Syntax);
            }
            if !self.channels.iter().any(|c| c == &op[1..]) {
                self.channels.push(op[1..].to_vec());
            }
        } else if op[0] == b'+' && op.get(1) != Some(&b'@') {
            let name = &op[1..];
            match name.iter().rposition(|&b| b == b'|') {
                None => {
                    let spec = reg.lookup(name).ok_or(RuleError::UnknownName)?;
                    self.change_perm(spec, true);
                    self.update_rules(spec.name, true);
                }
                Some(bar) => {
                    let spec = reg.lookup(&name[..bar]).ok_or(RuleError::UnknownName)?;
                    if spec.is_subcommand() {
                        return Err(RuleError::FirstArgOfSubcommand);
                    }
                    let sub = &name[bar + 1..];
                    if sub.is_empty() {
                        return Err(RuleError::Syntax);
                    }
                    if !spec.subcommands.is_empty() {
                        let sub = reg.lookup(name).ok_or(RuleError::UnknownName)?;
                        self.change_perm(sub, true);
                    } else {
                        let args = self.firstargs.entry(reg.id(spec)).or_default();
                        if !args.iter().any(|a| a.eq_ignore_ascii_case(sub)) {
                            args.push(sub.to_vec());
                        }
                    }
                    self.update_rules(&String::from_utf8_lossy(name), true);
                }
            }
        } else if op[0] == b'-' && op.get(1) != Some(&b'@') {
            let spec = reg.lookup(&op[1..]).ok_or(RuleError::UnknownName)?;
            self.change_perm(spec, false);
            self.update_rules(spec.name, false);
        } else if (op[0] == b'+' || op[0] == b'-') && op.get(1) == Some(&b'@') {
            self.set_category(&op[1..], op[0] == b'+')?;
        } else {
            return Err(RuleError::Syntax);
        }
        Ok(())
    }

    /// The command rules part of the description: `+@all`/`-@all` then the retained rules.
    pub fn describe_commands(&self) -> String {
        let mut s = String::from(if self.from_all { "+@all" } else { "-@all" });
        for (allow, rule) in &self.command_rules {
            s.push(' ');
            s.push(if *allow { '+' } else { '-' });
            s.push_str(rule);
        }
        s
    }

    /// Key patterns as ACL GETUSER shows them (`~*` for allkeys).
    pub fn describe_keys(&self) -> Vec<u8> {
        if self.allkeys {
            return b"~*".to_vec();
        }
        let parts: Vec<Vec<u8>> = self.patterns.iter().map(|(f, p)| pattern_string(*f, p)).collect();
        parts.join(&b' ')
    }

    pub fn describe_channels(&self) -> Vec<u8> {
        if self.allchannels {
            return b"&*".to_vec();
        }
        let parts: Vec<Vec<u8>> = self.channels.iter().map(|c| [b"&".as_slice(), c].concat()).collect();
        parts.join(&b' ')
    }

    /// The whole selector in rule form (ACL LIST, the ACL file).
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.allkeys {
            out.extend_from_slice(b"~* ");
        } else {
            for (f, p) in &self.patterns {
                out.extend_from_slice(&pattern_string(*f, p));
                out.push(b' ');
            }
        }
        if self.allchannels {
            out.extend_from_slice(b"&* ");
        } else {
            out.extend_from_slice(b"resetchannels ");
            for c in &self.channels {
                out.push(b'&');
                out.extend_from_slice(c);
                out.push(b' ');
            }
        }
        out.extend_from_slice(self.describe_commands().as_bytes());
        out
    }

    // -- checks ----------------------------------------------------------------------------------------

    /// The command itself (not its keys) is allowed.
    pub fn allows_command(&self, spec: &CommandSpec, id: usize, argv: &[Vec<u8>]) -> bool {
        if self.allcommands || spec.has(crate::command::flag::NO_AUTH) || self.bit(id) {
            return true;
        }
        let Some(args) = self.firstargs.get(&id) else { return false };
        let at = if spec.is_subcommand() { 2 } else { 1 };
        argv.get(at).is_some_and(|a| args.iter().any(|x| x.eq_ignore_ascii_case(a)))
    }

    pub fn allows_key(&self, key: &[u8], flags: u8) -> bool {
        self.allkeys || self.patterns.iter().any(|(f, p)| f & flags == flags && glob_match(p, key, false))
    }

    /// `is_pattern`: PSUBSCRIBE's argument, matched literally against the ACL patterns.
    pub fn allows_channel(&self, channel: &[u8], is_pattern: bool) -> bool {
        self.allchannels
            || self.channels.iter().any(|p| if is_pattern { p == channel } else { glob_match(p, channel, false) })
    }

    /// Access of `flags` kind to every key (`~*`, `%R~*` ...).
    pub fn has_unrestricted_keys(&self, flags: u8) -> bool {
        self.allkeys || self.patterns.iter().any(|(f, p)| f & flags == flags && p == b"*")
    }
}

fn parse_key_pattern(op: &[u8]) -> Result<(u8, &[u8]), RuleError> {
    if op[0] == b'~' {
        return Ok((KEY_ALL, &op[1..]));
    }
    let mut flags = 0;
    let mut i = 1;
    while i < op.len() {
        match op[i].to_ascii_uppercase() {
            b'R' if flags & KEY_READ == 0 => flags |= KEY_READ,
            b'W' if flags & KEY_WRITE == 0 => flags |= KEY_WRITE,
            b'~' if flags != 0 => return Ok((flags, &op[i + 1..])),
            _ => return Err(RuleError::Syntax),
        }
        i += 1;
    }
    Err(RuleError::Syntax)
}

fn pattern_string(flags: u8, pattern: &[u8]) -> Vec<u8> {
    let prefix: &[u8] = match flags {
        KEY_READ => b"%R~",
        KEY_WRITE => b"%W~",
        _ => b"~",
    };
    [prefix, pattern].concat()
}

#[derive(Debug, Clone)]
pub struct User {
    pub name: Vec<u8>,
    pub enabled: bool,
    pub nopass: bool,
    pub skip_sanitize_payload: bool,
    /// Hex SHA-256 hashes, in the order added.
    pub passwords: Vec<String>,
    /// The root selector first, then one per `(...)`.
    pub selectors: Vec<Selector>,
}

impl User {
    /// A new user: off, no passwords, no permissions (Valkey's `ACLCreateUser`).
    pub fn new(name: &[u8], pubsub_allchannels: bool) -> User {
        User {
            name: name.to_vec(),
            enabled: false,
            nopass: false,
            skip_sanitize_payload: false,
            passwords: Vec::new(),
            selectors: vec![Selector::new(true, pubsub_allchannels)],
        }
    }

    pub fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    /// The flags ACL GETUSER lists, in Valkey's order.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let mut out = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            out.push("nopass");
        }
        out.push(if self.skip_sanitize_payload { "skip-sanitize-payload" } else { "sanitize-payload" });
        out
    }

    /// One rule (Valkey's `ACLSetUser`); `pubsub_allchannels` is `acl-pubsub-default allchannels`.
    pub fn apply(&mut self, op: &[u8], pubsub_allchannels: bool) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let is = |w: &str| op.eq_ignore_ascii_case(w.as_bytes());
        if is("on") {
            self.enabled = true;
        } else if is("off") {
            self.enabled = false;
        } else if is("skip-sanitize-payload") {
            self.skip_sanitize_payload = true;
        } else if is("sanitize-payload") {
            self.skip_sanitize_payload = false;
        } else if is("nopass") {
            self.nopass = true;
            self.passwords.clear();
        } else if is("resetpass") {
            self.nopass = false;
            self.passwords.clear();
        } else if op[0] == b'>' || op[0] == b'#' {
            let hash = if op[0] == b'>' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            if !self.passwords.contains(&hash) {
                self.passwords.push(hash);
            }
            self.nopass = false;
        } else if op[0] == b'<' || op[0] == b'!' {
            let hash = if op[0] == b'<' {
                hash_password(&op[1..])
            } else if valid_hash(&op[1..]) {
                String::from_utf8_lossy(&op[1..]).into_owned()
            } else {
                return Err(RuleError::BadHash);
            };
            let at = self.passwords.iter().position(|p| *p == hash).ok_or(RuleError::NoSuchPassword)?;
            self.passwords.remove(at);
        } else if op[0] == b'(' && op[op.len() - 1] == b')' {
            let mut selector = Selector::new(false, pubsub_allchannels);
            let inner = &op[1..op.len() - 1];
            let words = crate::config::split_args(inner).ok_or(RuleError::Syntax)?;
            for w in words {
                if !w.is_empty() {
                    selector.apply(&w)?;
                }
            }
            self.selectors.push(selector);
        } else if is("clearselectors") {
            self.selectors.truncate(1);
        } else if is("reset") {
            self.nopass = false;
            self.passwords.clear();
            let root = &mut self.selectors[0];
            root.apply(b"resetkeys")?;
            root.apply(b"resetchannels")?;
            if pubsub_allchannels {
                root.apply(b"allchannels")?;
            }
            self.enabled = false;
            self.skip_sanitize_payload = false;
            self.selectors.truncate(1);
            self.selectors[0].apply(b"-@all")?;
        } else {
            self.selectors[0].apply(op)?;
        }
        Ok(())
    }

    /// The user in rule form, without `user <name>` (ACL LIST, ACL SAVE).
    pub fn describe(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for f in self.flag_names() {
            out.extend_from_slice(f.as_bytes());
            out.push(b' ');
        }
        for p in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(p.as_bytes());
            out.push(b' ');
        }
        for s in &self.selectors {
            if s.root {
                out.extend_from_slice(&s.describe());
            } else {
                out.extend_from_slice(b" (");
                out.extend_from_slice(&s.describe());
                out.push(b')');
            }
        }
        out
    }

    /// The password matches (any, for a nopass user). Disabled users never match.
    pub fn password_ok(&self, password: &[u8]) -> bool {
        if !self.enabled {
            return false;
        }
        if self.nopass {
            return true;
        }
        let hashed = hash_password(password);
        // Compare every stored hash in full, without stopping early, so timing tells nothing.
        self.passwords.iter().fold(false, |ok, p| ok | constant_time_eq(p.as_bytes(), hashed.as_bytes()))
    }

    /// Can do everything with no checks: one root selector with every command, key and channel.
    pub fn is_unrestricted(&self) -> bool {
        let r = self.root();
        self.selectors.len() == 1 && r.allcommands && r.allkeys && r.allchannels
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Joins `(` ... `)` words a client sent as separate arguments into one selector rule
/// (Valkey's `ACLMergeSelectorArguments`); `Err(index)` names an unclosed `(`.
pub fn merge_selector_args(args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in args.iter().enumerate() {
        if let Some((_, sel)) = open.as_mut() {
            sel.push(b' ');
            sel.extend_from_slice(op);
            if op.last() == Some(&b')') {
                out.push(open.take().expect("open").1);
            }
            continue;
        }
        if op.first() == Some(&b'(') && op.last() != Some(&b')') {
            open = Some((j, op.clone()));
            continue;
        }
        out.push(op.clone());
    }
    match open {
        Some((j, _)) => Err(j),
        None => Ok(out),
    }
}
