//! ferrokey-server: the tokio host of the engine, a drop-in for `valkey-server`.
//!
//! # Layout
//! - [`server`]: connections, batching commands into the engine, the cron.
//! - [`listen`]: listening sockets (`bind`, `port`, `unixsocket`, `tls-port`), accepting, protected mode.
//! - [`tls`]: the rustls configuration from the `tls-*` parameters.
//! - [`alloc`]: the counted global allocator behind `used_memory`.
//! - [`clock`]: the system clock the engine reads time through.
//! - [`host`]: process facts and readings INFO reports.
//! - [`log`]: the log in Valkey's format.
//! - [`output_limit`]: `client-output-buffer-limit`, closing clients that cannot keep up.
//! - [`persistence`]: RDB files on disk, BGSAVE by fork, loading at start-up.

pub mod acl_file;
pub mod alloc;
pub mod args;
pub mod cli;
pub mod clock;
pub mod host;
pub mod listen;
pub mod log;
pub mod output_limit;
pub mod persistence;
pub mod server;
pub mod signal;
pub mod tls;
