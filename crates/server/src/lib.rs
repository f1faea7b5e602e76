//! ferrokey-server: the tokio host of the engine, a drop-in for `valkey-server`.
//!
//! # Layout
//! - [`server`]: listeners, connections, batching commands into the engine, the cron.
//! - [`alloc`]: the counted global allocator behind `used_memory`.
//! - [`clock`]: the system clock the engine reads time through.
//! - [`host`]: process facts and readings INFO reports.
//! - [`log`]: the log in Valkey's format.

pub mod alloc;
pub mod args;
pub mod cli;
pub mod clock;
pub mod host;
pub mod log;
pub mod server;
