//! Key specs: where a command's keys are in its arguments and whether it reads or writes each of them, as
//! Valkey's `getKeysFromCommandWithSpecs` finds them. ACL key patterns (`%R~`, `%W~`) are checked per key
//! against these flags.

use crate::command::CommandSpec;

/// The command reads the key's value (Valkey's ACCESS flag).
pub const R: u8 = 1;
/// The command inserts, updates or deletes (INSERT, UPDATE, DELETE).
pub const W: u8 = 2;
/// Not a key (SPUBLISH's shard channel): skipped by key checks.
pub const NOT_KEY: u8 = 4;
/// The spec may not find every key: the command's own key finder decides.
pub const INCOMPLETE: u8 = 8;
/// The flags depend on the arguments (SET ... GET, BITFIELD GET-only).
pub const VARIABLE: u8 = 16;

#[derive(Debug, Clone, Copy)]
pub enum Begin {
    Index(i32),
    /// (keyword, start from: negative counts from the end, searching backwards)
    Keyword(&'static [u8], i32),
    Unknown,
}

#[derive(Debug, Clone, Copy)]
pub enum Find {
    /// (last key relative to the first, step, limit)
    Range(i32, i32, i32),
    /// (numkeys index relative to the first, first key relative to the first, step)
    Keynum(i32, i32, i32),
    Unknown,
}

#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub flags: u8,
    pub begin: Begin,
    pub find: Find,
}

/// The key specs of a command (`client|list` for a subcommand).
pub fn specs_of(name: &str) -> &'static [KeySpec] {
    super::table::find(name).map_or(&[], |i| super::table::COMMANDS[i].2)
}

/// Every key argument of `argv` with its access flags ([`R`], [`W`]).
pub fn keys_with_flags(spec: &CommandSpec, argv: &[Vec<u8>]) -> Vec<(usize, u8)> {
    let specs = specs_of(spec.name);
    let any_key = specs.iter().any(|s| s.flags & NOT_KEY == 0);
    if !specs.is_empty() && !any_key {
        // Only "not a key" specs (SPUBLISH's shard channel): no keys to check.
        return Vec::new();
    }
    let variable = specs.iter().any(|s| s.flags & VARIABLE != 0);
    if any_key && !variable {
        if let Some(keys) = from_specs(specs, argv) {
            return keys;
        }
    }
    match spec.name {
        "set" => {
            let get = argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
            return vec![(1, if get { R | W } else { W })];
        }
        "bitfield" => {
            let mut write = false;
            let mut i = 2;
            while i < argv.len() {
                let a = &argv[i];
                if a.eq_ignore_ascii_case(b"get") {
                    i += 3;
                } else if a.eq_ignore_ascii_case(b"set") || a.eq_ignore_ascii_case(b"incrby") {
                    write = true;
                    i += 4;
                } else {
                    if a.eq_ignore_ascii_case(b"overflow") {
                        i += 1;
                    }
                    i += 1;
                }
            }
            return vec![(1, if write { R | W } else { R })];
        }
        _ => {}
    }
    // The command's own key finder: the first key takes the first spec's flags, the others the last one's.
    let first = specs.first().map_or(R | W, |s| s.flags & (R | W));
    let rest = specs.last().map_or(R | W, |s| s.flags & (R | W));
    spec.keys.find(argv).into_iter().enumerate().map(|(n, i)| (i, if n == 0 { first } else { rest })).collect()
}

/// Valkey's `getKeysUsingKeySpecs`; `None` when a spec cannot be followed (the fallback finder decides).
fn from_specs(specs: &[KeySpec], argv: &[Vec<u8>]) -> Option<Vec<(usize, u8)>> {
    let argc = argv.len() as i32;
    let mut out = Vec::new();
    for s in specs {
        if s.flags & NOT_KEY != 0 {
            continue;
        }
        let first = match s.begin {
            Begin::Index(pos) => pos,
            Begin::Keyword(word, from) => {
                let (start, end) = if from > 0 { (from, argc - 1) } else { (argc + from, 1) };
                let mut found = 0;
                let mut i = start;
                while i != end {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if argv[i as usize].eq_ignore_ascii_case(word) {
                        found = i + 1;
                        break;
                    }
                    i = if start <= end { i + 1 } else { i - 1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            Begin::Unknown => return None,
        };
        let (first, last, step) = match s.find {
            Find::Range(lastkey, step, limit) => {
                let last = if lastkey >= 0 {
                    first + lastkey
                } else if limit == 0 {
                    argc + lastkey
                } else {
                    first + ((argc - first) / limit + lastkey)
                };
                (first, last, step)
            }
            Find::Keynum(idx, firstkey, step) => {
                let at = (first + idx) as usize;
                let numkeys = argv.get(at).and_then(|a| crate::num::parse_i64(a)).filter(|&n| n >= 0)?;
                let first = first + firstkey;
                (first, first + numkeys as i32 - 1, step)
            }
            Find::Unknown => return None,
        };
        if last >= argc || last < first || first >= argc {
            return None;
        }
        let mut i = first;
        while i <= last && step > 0 {
            out.push((i as usize, s.flags & (R | W)));
            i += step;
        }
        if s.flags & INCOMPLETE != 0 {
            return None;
        }
    }
    Some(out)
}
