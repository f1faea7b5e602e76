//! Counters behind INFO stats, commandstats and errorstats.

use std::collections::HashMap;

/// A fast, fixed hasher: these maps are keyed by names from the command table, not by user input.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

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
    pub commands: FastMap<&'static str, CommandStats>,
}

/// Valkey stops adding new error codes to errorstats past this many, to bound memory.
const MAX_ERROR_CODES: usize = 128;

impl Stats {
    pub fn command(&mut self, name: &'static str) -> &mut CommandStats {
        self.commands.entry(name).or_default()
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
