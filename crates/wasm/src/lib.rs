//! ferrokey-wasm: the engine of `ferrokey-core` in WebAssembly, the base of the npm package `ferrokey`
//! (`pkg/`). A thin face: no command logic here, only what a JS host needs to drive the engine.
//!
//! # Layout
//! - [`store`]: [`Store`], the wasm-bindgen class `pkg/index.js` wraps (clients, output, clock, cron,
//!   raw RESP connections for `serve()`).
//! - [`frames`]: the fast path's byte formats (packed commands in, RESP3 frames out).
//! - [`convert`]: replies to JS values (RESP2 / RESP3 mapping) and JS arguments to bytes.
//! - [`clock`]: `Date.now()` / `performance.now()`, or a manual clock.
//! - [`options`]: `createStore` options and the engine configuration they make.
//! - [`snapshot`]: the store as RDB bytes and back.

pub mod clock;
pub mod convert;
pub mod frames;
pub mod options;
pub mod snapshot;
pub mod store;

pub use store::Store;
