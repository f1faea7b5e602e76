//! Every command, one module per group. Each module starts with its table (`COMMANDS`) and has the
//! handlers right below it; this file only chains the tables.

pub mod acl;
pub mod bitmap;
pub mod connection;
pub mod dump;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod keys;
pub mod list;
pub mod persistence;
pub mod pubsub;
pub mod scripting;
pub mod server;
pub mod set;
pub mod sort;
pub mod stream;
pub mod string;
pub mod transactions;
pub mod zset;

use crate::command::CommandSpec;

/// Every top-level command row.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    [
        acl::COMMANDS,
        bitmap::COMMANDS,
        connection::COMMANDS,
        dump::COMMANDS,
        geo::COMMANDS,
        hash::COMMANDS,
        hyperloglog::COMMANDS,
        keys::COMMANDS,
        list::COMMANDS,
        persistence::COMMANDS,
        pubsub::COMMANDS,
        scripting::COMMANDS,
        server::COMMANDS,
        set::COMMANDS,
        sort::COMMANDS,
        stream::COMMANDS,
        string::COMMANDS,
        transactions::COMMANDS,
        zset::COMMANDS,
    ]
    .into_iter()
    .flatten()
}
