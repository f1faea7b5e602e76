//! Counters behind INFO stats, commandstats and errorstats.

use std::collections::HashMap;

/// A fast, fixed hasher: these maps are keyed by names from the command table, not by user input.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// A command's full name as the command table holds it (`CommandSpec::name`), hashed and compared by
/// address and length: one `&'static str` per command, so equal keys are equal names, and the per-command
/// maps touched on every call hash one word instead of the name's bytes. Keys must come from a spec's
/// `name` (a literal spelled elsewhere would be a second key for the same name).
#[derive(Debug, Clone, Copy)]
pub struct CommandName(pub &'static str);

impl PartialEq for CommandName {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0.as_ptr(), other.0.as_ptr()) && self.0.len() == other.0.len()
    }
}

impl Eq for CommandName {}

impl std::hash::Hash for CommandName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.as_ptr() as usize);
    }
}

/// Mixes the one address a [`CommandName`] hashes (a folded multiply, as foldhash does).
#[derive(Default)]
pub struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let product = u128::from(self.0 ^ n) * 0x9E37_79B9_7F4A_7C15;
        self.0 = (product >> 64) as u64 ^ product as u64;
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map from command to `V`, for the counters kept per command.
pub type ByCommand<V> = HashMap<CommandName, V, std::hash::BuildHasherDefault<AddressHasher>>;

#[derive(Debug, Default, Clone)]
pub struct CommandStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

#[derive(Debug, Default)]
pub struct Stats {
    pub total_connections_received: u64,
    pub total_commands_processed: u64,
    pub rejected_connections: u64,
    pub expired_keys: u64,
    pub expired_stale_perc: f64,
    pub expired_time_cap_reached_count: u64,
    pub evicted_keys: u64,
    pub evicted_clients: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub pubsub_messages: u64,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub total_blocking_keys: u64,
    /// Error replies by code (`ERR`, `WRONGTYPE` ...), as INFO errorstats lists them.
    pub errors: FastMap<String, u64>,
    /// Per command (full name, `config|get` for subcommands).
    pub commands: ByCommand<CommandStats>,
}

/// Valkey stops adding new error codes to errorstats past this many, to bound memory.
const MAX_ERROR_CODES: usize = 128;

impl Stats {
    /// The counters of `spec` (a row of the command table: the map is keyed by its name's address).
    pub fn command(&mut self, spec: &'static crate::command::CommandSpec) -> &mut CommandStats {
        self.commands.entry(CommandName(spec.name)).or_default()
    }

    /// The counters of the command with this full name (`config|get`), if it ran.
    pub fn command_named(&self, name: &str) -> Option<&CommandStats> {
        self.commands.iter().find(|(key, _)| key.0 == name).map(|(_, s)| s)
    }

    /// Counts an error reply under its code (the first word of the error text).
    pub fn count_error(&mut self, text: &str) {
        self.total_error_replies += 1;
        let code = crate::error::CommandError::code(text);
        if let Some(n) = self.errors.get_mut(code) {
            *n += 1;
        } else if self.errors.len() < MAX_ERROR_CODES {
            self.errors.insert(code.to_string(), 1);
        }
    }

    /// CONFIG RESETSTAT
    pub fn reset(&mut self) {
        *self = Stats::default();
    }
}
