//! The command table: every command described by data (name, arity, flags, key positions, group, since),
//! as Valkey's `src/commands/*.json` describe them. Dispatch, arity and unknown-command errors, `COMMAND`,
//! MULTI and script gating and key extraction all read these rows; a handler never re-checks them.

use crate::args::Args;
use crate::ctx::Ctx;
use crate::error::CmdResult;
use std::sync::OnceLock;

pub type Handler = fn(&mut Ctx, &mut Args) -> CmdResult;

/// Command flags, Valkey's names (see `COMMAND INFO`).
pub mod flag {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
    pub const NO_MULTI: u32 = 1 << 15;
    pub const MOVABLEKEYS: u32 = 1 << 16;
    pub const ALLOW_BUSY: u32 = 1 << 17;
    /// Not a Valkey flag name: the command reads or writes nothing in the keyspace (no key arguments).
    pub const NONDETERMINISTIC_OUTPUT: u32 = 1 << 18;

    /// (flag, name as `COMMAND INFO` prints it)
    pub const NAMES: &[(u32, &str)] = &[
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
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_MULTI, "no_multi"),
        (MOVABLEKEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Generic,
    String,
    List,
    Set,
    SortedSet,
    Hash,
    PubSub,
    Transactions,
    Connection,
    Server,
    Scripting,
    HyperLogLog,
    Geo,
    Stream,
    Bitmap,
}

impl Group {
    /// The name `COMMAND DOCS` reports.
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Hash => "hash",
            Group::PubSub => "pubsub",
            Group::Transactions => "transactions",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Scripting => "scripting",
            Group::HyperLogLog => "hyperloglog",
            Group::Geo => "geo",
            Group::Stream => "stream",
            Group::Bitmap => "bitmap",
        }
    }
}

/// Where a command's keys are in its arguments.
#[derive(Clone, Copy)]
pub enum Keys {
    None,
    /// Keys at `first`, `first+step`, ... up to `last` (negative `last` counts from the end: -1 is the
    /// last argument, -2 the one before it).
    Range {
        first: i32,
        last: i32,
        step: i32,
    },
    /// Keys that depend on the arguments (numkeys, STREAMS ...): `legacy` is the first/last/step triple
    /// `COMMAND INFO` reports, `find` returns the key indices.
    Movable {
        legacy: (i32, i32, i32),
        find: fn(&[Vec<u8>]) -> Vec<usize>,
    },
}

impl Keys {
    pub const fn range(first: i32, last: i32, step: i32) -> Keys {
        Keys::Range { first, last, step }
    }

    /// The first/last/step triple of `COMMAND INFO`.
    pub fn legacy(&self) -> (i32, i32, i32) {
        match *self {
            Keys::None => (0, 0, 0),
            Keys::Range { first, last, step } => (first, last, step),
            Keys::Movable { legacy, .. } => legacy,
        }
    }

    /// Indices of the key arguments in `argv`.
    pub fn find(&self, argv: &[Vec<u8>]) -> Vec<usize> {
        match *self {
            Keys::None => Vec::new(),
            Keys::Range { first, last, step } => {
                let argc = argv.len() as i32;
                let last = if last < 0 { argc + last } else { last.min(argc - 1) };
                let mut out = Vec::new();
                let mut i = first;
                while i <= last && i < argc && step > 0 {
                    out.push(i as usize);
                    i += step;
                }
                out
            }
            Keys::Movable { find, .. } => find(argv).into_iter().filter(|&i| i < argv.len()).collect(),
        }
    }
}

/// Keys after a `numkeys` argument at `argv[at]` (ZUNION, SINTERCARD, LMPOP, EVAL ...).
pub fn keys_after_numkeys(argv: &[Vec<u8>], at: usize) -> Vec<usize> {
    let n = argv.get(at).and_then(|a| crate::num::parse_i64(a)).unwrap_or(0).max(0) as usize;
    (at + 1..(at + 1 + n).min(argv.len())).collect()
}

pub struct CommandSpec {
    /// Lower case, as `COMMAND` reports it; subcommands are named `container|sub`.
    pub name: &'static str,
    /// Valkey's arity: `n` means exactly n arguments (command name included), `-n` at least n.
    pub arity: i32,
    pub flags: u32,
    pub keys: Keys,
    pub group: Group,
    pub since: &'static str,
    pub summary: &'static str,
    /// The arguments, in the notation of `commands::server::syntax` (what COMMAND DOCS describes);
    /// empty for a command without arguments.
    pub syntax: &'static str,
    /// ACL categories (`crate::acl::categories` bits): the ones Valkey's metadata names for the command
    /// plus those its flags imply, computed at compile time from the name and flags.
    pub acl_categories: u64,
    /// `None` for containers (CONFIG, CLIENT ...), whose subcommands run instead.
    pub handler: Option<Handler>,
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    pub const fn new(group: Group, name: &'static str, arity: i32, flags: u32, keys: Keys, handler: Handler) -> Self {
        CommandSpec {
            name,
            arity,
            flags,
            keys,
            group,
            since: "1.0.0",
            summary: "",
            syntax: "",
            acl_categories: crate::acl::categories::of(name, flags),
            handler: Some(handler),
            subcommands: &[],
        }
    }

    /// A command whose first argument picks one of `subcommands` (`CONFIG GET`, `CLIENT LIST` ...).
    pub const fn container(group: Group, name: &'static str, subcommands: &'static [CommandSpec]) -> Self {
        CommandSpec {
            name,
            arity: -2,
            flags: 0,
            keys: Keys::None,
            group,
            since: "1.0.0",
            summary: "",
            syntax: "",
            acl_categories: crate::acl::categories::of(name, 0),
            handler: None,
            subcommands,
        }
    }

    pub const fn since(mut self, since: &'static str) -> Self {
        self.since = since;
        self
    }

    pub const fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }

    pub const fn syntax(mut self, syntax: &'static str) -> Self {
        self.syntax = syntax;
        self
    }

    /// A subcommand row (`config|get`): its arguments start after two words.
    pub fn is_subcommand(&self) -> bool {
        self.name.as_bytes().contains(&b'|')
    }

    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    pub fn is_write(&self) -> bool {
        self.has(flag::WRITE)
    }

    /// Arity holds for `argc` arguments (the command name included).
    pub fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i32;
        if self.arity >= 0 {
            argc == self.arity
        } else {
            argc >= -self.arity
        }
    }

    /// The subcommand row for `sub` (any case).
    pub fn subcommand(&self, sub: &[u8]) -> Option<&'static CommandSpec> {
        let sub = std::str::from_utf8(sub).ok()?;
        self.subcommands.iter().find(|c| c.name.split('|').nth(1).is_some_and(|n| n.eq_ignore_ascii_case(sub)))
    }
}

/// `rename-command` lines (config file only), applied when the table is built: like Valkey's, the table
/// is the process's, so every engine, script and MULTI sees the new names.
static RENAMES: OnceLock<Vec<(Vec<u8>, Vec<u8>)>> = OnceLock::new();

/// Checks a `rename-command old new` line against the table as the `earlier` lines left it; the error
/// is Valkey's config error.
pub fn check_rename(earlier: &[(Vec<u8>, Vec<u8>)], from: &[u8], to: &[u8]) -> Result<(), &'static str> {
    let mut names: std::collections::HashSet<Vec<u8>> =
        crate::commands::all().map(|spec| spec.name.as_bytes().to_vec()).collect();
    for (f, t) in earlier {
        names.remove(&f.to_ascii_lowercase());
        if !t.is_empty() {
            names.insert(t.to_ascii_lowercase());
        }
    }
    if !names.contains(&from.to_ascii_lowercase()) {
        return Err("No such command in rename-command");
    }
    if !to.is_empty() && names.contains(&to.to_ascii_lowercase()) {
        return Err("Target command name already exists");
    }
    Ok(())
}

/// Installs the `rename-command` lines; the host calls this once at start-up, before any command runs.
/// Returns false when the table was already built (too late to rename).
pub fn install_renames(renames: Vec<(Vec<u8>, Vec<u8>)>) -> bool {
    !TABLE_BUILT.load(std::sync::atomic::Ordering::Relaxed) && RENAMES.set(renames).is_ok()
}

/// Set once [`CommandTable::get`] has built the table (renames come too late after that).
static TABLE_BUILT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Every top-level command, by lower-case name.
pub struct CommandTable {
    by_name: NameIndex,
}

/// Lower-case name → spec, looked up on every command. An open-addressing table with its own hash over
/// the name's bytes (lower-cased as they are hashed), so a lookup is one pass over a short name, a probe
/// or two and one comparison: about a quarter of the instructions of a std `HashMap` lookup, which
/// needed a lower-cased copy and a general-purpose hasher.
struct NameIndex {
    /// Power-of-two length, at most a quarter full.
    slots: Vec<Option<(&'static [u8], &'static CommandSpec)>>,
    len: usize,
}

impl NameIndex {
    fn with_room_for(n: usize) -> NameIndex {
        let size = (n.max(1) * 4).next_power_of_two();
        NameIndex { slots: vec![None; size], len: 0 }
    }

    /// FNV-1a over the lower-cased bytes.
    fn hash(name: &[u8]) -> usize {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in name {
            h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0000_0100_0000_01b3);
        }
        (h ^ (h >> 29)) as usize
    }

    fn position(&self, name: &[u8]) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(name) & mask;
        loop {
            match self.slots[i] {
                None => return Err(i),
                Some((key, _)) if key.eq_ignore_ascii_case(name) => return Ok(i),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    fn get(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        self.position(name).ok().and_then(|i| self.slots[i]).map(|(_, spec)| spec)
    }

    /// Adds `name` (lower case); returns the spec it replaced.
    fn insert(&mut self, name: &'static [u8], spec: &'static CommandSpec) -> Option<&'static CommandSpec> {
        if (self.len + 1) * 4 > self.slots.len() {
            let mut bigger = NameIndex::with_room_for(self.len * 2);
            for (name, spec) in self.slots.iter().flatten() {
                bigger.insert(name, spec);
            }
            *self = bigger;
        }
        match self.position(name) {
            Ok(i) => self.slots[i].replace((name, spec)).map(|(_, old)| old),
            Err(i) => {
                self.slots[i] = Some((name, spec));
                self.len += 1;
                None
            }
        }
    }

    /// Takes `name` out, re-placing the entries after it in its probe run (backward-shift deletion).
    fn remove(&mut self, name: &[u8]) -> Option<&'static CommandSpec> {
        let i = self.position(name).ok()?;
        let (_, spec) = self.slots[i].take()?;
        self.len -= 1;
        let mask = self.slots.len() - 1;
        let mut j = (i + 1) & mask;
        while let Some((key, s)) = self.slots[j].take() {
            self.len -= 1;
            self.insert(key, s);
            j = (j + 1) & mask;
        }
        Some(spec)
    }

    fn values(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.slots.iter().flatten().map(|(_, spec)| *spec)
    }
}

impl CommandTable {
    /// The table, built once from every group's rows.
    pub fn get() -> &'static CommandTable {
        static TABLE: OnceLock<CommandTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let mut by_name = NameIndex::with_room_for(crate::commands::all().count());
            for spec in crate::commands::all() {
                let old = by_name.insert(spec.name.as_bytes(), spec);
                assert!(old.is_none(), "command {} defined twice", spec.name);
            }
            for (from, to) in RENAMES.get().into_iter().flatten() {
                if let Some(spec) = by_name.remove(from.to_ascii_lowercase().as_slice()) {
                    if !to.is_empty() {
                        // Renames are few and made once per process: their names live as long as it.
                        by_name.insert(Box::leak(to.to_ascii_lowercase().into_boxed_slice()), spec);
                    }
                }
            }
            TABLE_BUILT.store(true, std::sync::atomic::Ordering::Relaxed);
            CommandTable { by_name }
        })
    }

    /// Case-insensitive lookup without allocating.
    pub fn lookup(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        self.by_name.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static CommandSpec> + '_ {
        self.by_name.values()
    }

    pub fn len(&self) -> usize {
        self.by_name.len
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.len == 0
    }
}

/// The supported commands as Markdown, one line per group (subcommands as `CONFIG GET`), sorted: the
/// README's list is this text.
pub fn markdown_command_list() -> String {
    let table = CommandTable::get();
    let mut groups: Vec<(Group, Vec<String>)> = Vec::new();
    for spec in table.iter() {
        let mut names = Vec::new();
        if spec.subcommands.is_empty() {
            names.push(spec.name.to_uppercase());
        } else {
            for sub in spec.subcommands {
                names.push(sub.name.replace('|', " ").to_uppercase());
            }
        }
        match groups.iter_mut().find(|(g, _)| *g == spec.group) {
            Some((_, list)) => list.extend(names),
            None => groups.push((spec.group, names)),
        }
    }
    groups.sort_by_key(|(g, _)| g.name());
    let total: usize = groups.iter().map(|(_, l)| l.len()).sum();
    let mut out =
        format!("{} commands and subcommands, {} top-level commands (`COMMAND COUNT`):\n\n", total, table.len());
    for (group, mut names) in groups {
        names.sort();
        out.push_str(&format!("- **{}**: {}\n", group.name(), names.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_index_finds_every_command_in_any_case_and_nothing_else() {
        let table = CommandTable::get();
        for spec in crate::commands::all() {
            assert!(std::ptr::eq(table.lookup(spec.name.as_bytes()).unwrap(), spec));
            assert!(std::ptr::eq(table.lookup(spec.name.to_uppercase().as_bytes()).unwrap(), spec));
        }
        assert_eq!(table.iter().count(), crate::commands::all().count());
        assert!(table.lookup(b"").is_none());
        assert!(table.lookup(b"gett").is_none());
        assert!(table.lookup(&[b'x'; 100]).is_none());
    }

    #[test]
    fn name_index_remove_keeps_the_rest_of_each_probe_run_reachable() {
        let specs: Vec<&'static CommandSpec> = crate::commands::all().collect();
        // A small table, so probe runs are long and removals shift entries back.
        let mut index = NameIndex::with_room_for(1);
        for spec in &specs {
            assert!(index.insert(spec.name.as_bytes(), spec).is_none());
        }
        for (n, spec) in specs.iter().enumerate().filter(|(n, _)| n % 3 == 0) {
            assert!(std::ptr::eq(index.remove(spec.name.as_bytes()).unwrap(), *spec), "{n}");
        }
        for (n, spec) in specs.iter().enumerate() {
            assert_eq!(index.get(spec.name.as_bytes()).is_some(), n % 3 != 0, "{}", spec.name);
        }
        assert_eq!(index.len, specs.len() - specs.len().div_ceil(3));
        assert_eq!(index.values().count(), index.len);
    }
}
