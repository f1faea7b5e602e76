//! Valkey's RDB snapshot format and DUMP payload format: bytes in, bytes out, no I/O.
//!
//! # Layout
//! - [`read_snapshot`] / [`read_snapshot_with`] ([`snapshot`]): a whole file into a [`Snapshot`]
//!   (aux fields, function libraries, per-database [`Record`]s); [`Snapshot::load_into`] moves it
//!   into [`crate::db::Db`]s. Every version from 1 to 11 (Valkey 8 and Redis 7.2 write 11, Redis 7.0
//!   writes 10), every value encoding Valkey has ever saved.
//! - [`SnapshotWriter`] / [`write_snapshot`] ([`writer`]): files both Redis 7.0 and Valkey 8 load
//!   (version 10 and the encodings Redis 7.0 knows, unless [`WriteOptions::version`] says 11).
//! - [`engine_snapshot`] / [`load_engine_snapshot`] ([`write_engine`] to stream): a whole engine to
//!   and from snapshot bytes (what SAVE writes, what start-up and DEBUG RELOAD read).
//! - [`dump_value`] / [`restore_value`] ([`dump`]): DUMP/RESTORE payloads.
//! - [`listpack`], [`ziplist`], [`intset`], [`zipmap`]: the packed blobs values are saved as;
//!   [`lzf`] and [`crc64`]: compression and checksum, written for ferrokey (no crate matched the
//!   format exactly and both are small); [`format`]: the format's numbers.
//!
//! The loader builds values in the encodings Valkey would pick under the given
//! [`EncodingLimits`], and refuses corrupt data (broken blobs, duplicate members, NaN scores) with
//! a typed [`RdbError`] naming the byte offset.

pub mod crc64;
mod cursor;
mod dataset;
pub mod dump;
mod error;
pub mod format;
pub mod intset;
pub mod listpack;
mod load;
pub mod lzf;
mod options;
mod save;
pub mod snapshot;
mod stream;
pub mod writer;
pub mod ziplist;
pub mod zipmap;

pub use dataset::{engine_snapshot, engine_write_options, load_engine_snapshot, write_engine, write_engine_with};
pub use dump::{dump_value, dump_value_with, restore_value};
pub use error::RdbError;
pub use options::{EncodingLimits, LoadOptions, WriteOptions};
pub use snapshot::{read_snapshot, read_snapshot_with, LoadStats, Record, Snapshot, SnapshotDb};
pub use writer::{write_snapshot, write_snapshot_to, EntryMeta, SnapshotWriter};
