//! Server commands (INFO, CONFIG, CLIENT, COMMAND, DEBUG ...) and what happens after every call.

use crate::args::Args;
use crate::client::ClientId;
use crate::command::CommandSpec;
use crate::engine::Engine;

pub const COMMANDS: &[CommandSpec] = &[];

/// After every executed command: statistics, MONITOR feed, SLOWLOG.
pub fn after_call(eng: &mut Engine, _id: ClientId, _spec: &'static CommandSpec, _args: &Args, _elapsed_us: u64) {
    eng.stats.total_commands_processed += 1;
}
