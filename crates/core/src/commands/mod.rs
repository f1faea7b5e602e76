//! Every command, one module per group. Each module starts with its table (`COMMANDS`) and has the
//! handlers right below it; this file only chains the tables.

pub mod connection;
pub mod hash;
pub mod keys;
pub mod list;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod set;
pub mod string;
pub mod transactions;
pub mod zset;

use crate::command::CommandSpec;

/// Every top-level command row.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    [
        connection::COMMANDS,
        hash::COMMANDS,
        keys::COMMANDS,
        list::COMMANDS,
        pubsub::COMMANDS,
        scripting::COMMANDS,
        server::COMMANDS,
        set::COMMANDS,
        string::COMMANDS,
        transactions::COMMANDS,
        zset::COMMANDS,
    ]
    .into_iter()
    .flatten()
}
