//! Every command and subcommand with a small id, the index of its bit in an ACL selector's command bitmap
//! (Valkey's `ACLGetCommandID`). Ids follow the sorted names, so they are stable for a build.

use crate::command::{CommandSpec, CommandTable};
use std::collections::HashMap;
use std::sync::OnceLock;

pub struct Registry {
    /// Every command, containers and subcommands alike, sorted by full name; the index is the id.
    pub specs: Vec<&'static CommandSpec>,
    ids: HashMap<&'static str, usize, foldhash::fast::FixedState>,
}

impl Registry {
    pub fn get() -> &'static Registry {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        REGISTRY.get_or_init(|| {
            let mut specs: Vec<&'static CommandSpec> = Vec::new();
            for spec in CommandTable::get().iter() {
                specs.push(spec);
                specs.extend(spec.subcommands.iter());
            }
            specs.sort_by_key(|s| s.name);
            let ids = specs.iter().enumerate().map(|(i, s)| (s.name, i)).collect();
            Registry { specs, ids }
        })
    }

    /// Number of ids (the bitmap's size in bits).
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    pub fn id(&self, spec: &CommandSpec) -> usize {
        self.ids[spec.name]
    }

    /// A command by the name ACL rules use: `get`, `config|get` (any case). More than one `|` names nothing.
    pub fn lookup(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        let mut parts = name.splitn(3, |&b| b == b'|');
        let base = CommandTable::get().lookup(parts.next()?)?;
        match (parts.next(), parts.next()) {
            (None, _) => Some(base),
            (Some(sub), None) => base.subcommand(sub),
            _ => None,
        }
    }

    /// The subcommand rows of a container (empty for plain commands).
    pub fn subcommands_of(&self, spec: &'static CommandSpec) -> &'static [CommandSpec] {
        spec.subcommands
    }
}
