//! ACL command categories (`@read`, `@write`, ...): their bits, their names in Valkey's order (the order
//! `ACL CAT` and `COMMAND INFO` list them in), and how a command's categories are derived: the ones its
//! metadata names explicitly plus the implicit ones its flags give (Valkey's `setImplicitACLCategories`).
//! Computed at compile time, so each command row carries its categories as plain data.

use crate::command::flag;

pub const KEYSPACE: u64 = 1 << 0;
pub const READ: u64 = 1 << 1;
pub const WRITE: u64 = 1 << 2;
pub const SET: u64 = 1 << 3;
pub const SORTEDSET: u64 = 1 << 4;
pub const LIST: u64 = 1 << 5;
pub const HASH: u64 = 1 << 6;
pub const STRING: u64 = 1 << 7;
pub const BITMAP: u64 = 1 << 8;
pub const HYPERLOGLOG: u64 = 1 << 9;
pub const GEO: u64 = 1 << 10;
pub const STREAM: u64 = 1 << 11;
pub const PUBSUB: u64 = 1 << 12;
pub const ADMIN: u64 = 1 << 13;
pub const FAST: u64 = 1 << 14;
pub const SLOW: u64 = 1 << 15;
pub const BLOCKING: u64 = 1 << 16;
pub const DANGEROUS: u64 = 1 << 17;
pub const CONNECTION: u64 = 1 << 18;
pub const TRANSACTION: u64 = 1 << 19;
pub const SCRIPTING: u64 = 1 << 20;

/// (name, bit) in Valkey's order.
pub const NAMES: &[(&str, u64)] = &[
    ("keyspace", KEYSPACE),
    ("read", READ),
    ("write", WRITE),
    ("set", SET),
    ("sortedset", SORTEDSET),
    ("list", LIST),
    ("hash", HASH),
    ("string", STRING),
    ("bitmap", BITMAP),
    ("hyperloglog", HYPERLOGLOG),
    ("geo", GEO),
    ("stream", STREAM),
    ("pubsub", PUBSUB),
    ("admin", ADMIN),
    ("fast", FAST),
    ("slow", SLOW),
    ("blocking", BLOCKING),
    ("dangerous", DANGEROUS),
    ("connection", CONNECTION),
    ("transaction", TRANSACTION),
    ("scripting", SCRIPTING),
];

/// The bit of a category name (any case, without the `@`), `None` for an unknown one.
pub fn by_name(name: &[u8]) -> Option<u64> {
    NAMES.iter().find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name)).map(|&(_, bit)| bit)
}

/// `@name` for every category in `bits`, in Valkey's order (COMMAND INFO / DOCS).
pub fn names_of(bits: u64) -> impl Iterator<Item = &'static str> {
    NAMES.iter().filter(move |(_, b)| bits & b != 0).map(|&(n, _)| n)
}

/// A command's categories: `explicit` ones from its metadata plus those its flags imply.
pub const fn implicit(flags: u32, explicit: u64) -> u64 {
    let mut c = explicit;
    if flags & flag::WRITE != 0 {
        c |= WRITE;
    }
    // Scripting commands that only read are not in @read.
    if flags & flag::READONLY != 0 && c & SCRIPTING == 0 {
        c |= READ;
    }
    if flags & flag::ADMIN != 0 {
        c |= ADMIN | DANGEROUS;
    }
    if flags & flag::PUBSUB != 0 {
        c |= PUBSUB;
    }
    if flags & flag::FAST != 0 {
        c |= FAST;
    }
    if flags & flag::BLOCKING != 0 {
        c |= BLOCKING;
    }
    if c & FAST == 0 {
        c |= SLOW;
    }
    c
}

/// The categories of the command named `name` (`client|list` for a subcommand) with `flags`.
pub const fn of(name: &str, flags: u32) -> u64 {
    let explicit = match super::table::find(name) {
        Some(i) => super::table::COMMANDS[i].1,
        None => 0,
    };
    implicit(flags, explicit)
}
