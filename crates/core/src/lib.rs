//! ferrokey-core: the engine, with no I/O.
//!
//! # Layout
//! - [`resp`]: the wire protocol (command decoder, reply encoder, RESP2 downgrade).
//! - [`reply`]: the protocol-neutral reply handlers return.
//! - [`command`]: the command table as data; [`commands`]: one module per command group.
//! - [`engine`]: the state and the gate every command passes; [`ctx`]: what a handler sees.
//! - [`db`], [`dict`], [`bytestr`], [`types`]: the keyspace and the value encodings.
//! - [`expire`], [`notify`], [`pubsub`], [`blocking`], [`stats`]: the machinery around commands.
//! - [`num`], [`glob`]: Valkey's number and pattern rules.
//!
//! Time enters through the host's [`engine::Clock`]; randomness from the seed the host gives.

pub mod acl;
pub mod args;
pub mod blocking;
pub mod bytestr;
pub mod client;
pub mod command;
pub mod commands;
pub mod config;
pub mod ctx;
pub mod db;
pub mod dict;
pub mod engine;
pub mod error;
pub mod evict;
pub mod expire;
pub mod geohash;
pub mod glob;
pub mod notify;
pub mod num;
pub mod propagate;
pub mod pubsub;
pub mod rdb;
pub mod reply;
pub mod resp;
pub mod scripting;
pub mod stats;
pub mod types;

// In wasm32 Lua is built and linked by ferrokey-lua-wasm (mlua cannot build it there): name it once so it links.
#[cfg(target_arch = "wasm32")]
use ferrokey_lua_wasm as _;

pub use engine::{Clock, Engine, ManualClock};
pub use reply::Reply;
