//! PUC-Rio Lua 5.1.5 for `mlua` on wasm32-unknown-unknown.
//!
//! mlua's own vendored build cannot target wasm32-unknown-unknown (its `lua-src` refuses the
//! target). On that target this crate's build script compiles Lua 5.1.5 itself with clang and
//! wasi-libc, lowering Lua's setjmp/longjmp to wasm exception handling, and links it, while
//! mlua-sys is built with feature `external` (it leaves linking to us). The Rust code using mlua
//! is the same on every target. On other targets this crate is empty.
//!
//! # Using it
//! A crate that uses mlua declares, per target:
//! ```toml
//! [target.'cfg(not(target_arch = "wasm32"))'.dependencies]
//! mlua = { version = "0.12", features = ["lua51", "vendored"] }
//! [target.'cfg(target_arch = "wasm32")'.dependencies]
//! mlua = { version = "0.12", features = ["lua51"] }
//! ferrokey-lua-wasm.workspace = true
//! ```
//! and names this crate once, because rustc links only the crates a crate names:
//! ```ignore
//! // Links Lua 5.1 into wasm32 builds (mlua-sys there expects another crate to provide it).
//! #[cfg(target_arch = "wasm32")]
//! use ferrokey_lua_wasm as _;
//! ```
//! Forgetting that line shows up only when a wasm binary is linked: `lua_*` functions become
//! imports from `env`, and wasm-bindgen or the JS host fails on them.
//!
//! # Building
//! Needs clang-16, llvm-ar-16 and Debian's wasi-libc (`tests/setup-wasm-toolchain.sh`). The
//! module runs where wasm exception handling does (Node 20, current browsers), and imports
//! nothing from WASI. Lua's integer format is `long long` (`LUA_USELONGLONG`), as on 64-bit
//! native builds.
#![no_std]
