//! Builds `liblua5.1.a` for wasm32-unknown-unknown from the Lua 5.1.5 sources inside the
//! `lua-src` crate that cargo downloaded, and links it (with wasi-libc's `libc.a`) into every
//! binary that uses this crate. On any other target it does nothing.
//!
//! Why not `lua-src` itself: it refuses wasm32-unknown-unknown. Why not mlua-sys's
//! `LUA_LIB`/`LUA_LIB_NAME`: without `vendored` it refuses every wasm32 target. So mlua-sys gets
//! feature `external` there (see Cargo.toml) and this script does the build.
//!
//! What the build needs (installed by `tests/setup-wasm-toolchain.sh`): clang-16, llvm-ar-16 and
//! Debian's wasi-libc. Knobs, all optional:
//! - `CC_wasm32_unknown_unknown` / `AR_wasm32_unknown_unknown`: compiler and archiver (default
//!   `clang-16` / `llvm-ar-16` when on PATH, else `clang` / `llvm-ar`);
//! - `FERROKEY_LUA51_SRC`: a directory holding Lua 5.1.5's `lua.h` and `*.c`;
//! - `FERROKEY_WASI_SYSROOT`: where wasi-libc lives (default `/usr`, Debian's layout
//!   `include/wasm32-wasi` and `lib/wasm32-wasi`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

/// The `lua-src` version pinned in Cargo.toml; its directory is looked for first.
const LUA_SRC_VERSION: &str = "551.0.2";
/// The Lua 5.1 sources' directory inside the `lua-src` crate.
const LUA51_DIR: &str = "lua-5.1.5";
/// How setup is done, for error messages.
const SETUP_HINT: &str = "run tests/setup-wasm-toolchain.sh (apt: clang-16 llvm-16 wasi-libc)";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=shim");
    for var in ["FERROKEY_LUA51_SRC", "FERROKEY_WASI_SYSROOT", "CC_wasm32_unknown_unknown", "AR_wasm32_unknown_unknown"]
    {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if arch != "wasm32" || os != "unknown" {
        return;
    }

    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let shim_dir = manifest_dir.join("shim");
    let lua_dir = lua51_source_dir();
    let (wasi_include, wasi_lib) = wasi_libc_dirs();

    let mut build = cc::Build::new();
    if env::var_os("CC_wasm32_unknown_unknown").is_none() {
        build.compiler(
            first_on_path(&["clang-16", "clang"])
                .unwrap_or_else(|| panic!("no clang-16 or clang on PATH to compile Lua for wasm32: {SETUP_HINT}")),
        );
    }
    if env::var_os("AR_wasm32_unknown_unknown").is_none() {
        build.archiver(
            first_on_path(&["llvm-ar-16", "llvm-ar"])
                .unwrap_or_else(|| panic!("no llvm-ar-16 or llvm-ar on PATH to archive Lua for wasm32: {SETUP_HINT}")),
        );
    }

    build
        .files(lua_c_files(&lua_dir))
        .file(shim_dir.join("sjlj_runtime.c"))
        .file(shim_dir.join("wasi_stubs.c"))
        // Our setjmp.h first: wasi-libc has none.
        .include(shim_dir.join("include"))
        .include(&lua_dir)
        .flag("-isystem")
        .flag(wasi_include.to_str().expect("UTF-8 path"))
        // wasi-libc's headers refuse to be used unless the target is WASI.
        .define("__wasi__", None)
        // wasm32's `long` is 32 bits: without this, string.format('%d', 2^31) wraps.
        .define("LUA_USELONGLONG", None)
        // Lua's errors are setjmp/longjmp; lower them to wasm exception handling.
        .flag("-mllvm")
        .flag("-wasm-enable-sjlj")
        .flag("-mexception-handling")
        // The same as lua-src's native build: no common symbols, quiet third-party code, and
        // Lua's API checks in debug builds.
        .flag("-fno-common")
        .warnings(false);
    if cfg!(debug_assertions) {
        build.define("LUA_USE_APICHECK", None);
    }
    build.compile("lua5.1");

    // Lua needs a libc (strings, ctype, math, printf); the stubs above answer its WASI calls.
    println!("cargo:rustc-link-search=native={}", wasi_lib.display());
    println!("cargo:rustc-link-lib=static=c");
}

/// The Lua 5.1.5 sources: `FERROKEY_LUA51_SRC`, else the pinned `lua-src` in cargo's registry
/// sources, else any `lua-src` there that has them (5.1.5 is the same in every release).
fn lua51_source_dir() -> PathBuf {
    if let Some(dir) = env::var_os("FERROKEY_LUA51_SRC") {
        let dir = PathBuf::from(dir);
        assert!(dir.join("lua.h").is_file(), "FERROKEY_LUA51_SRC={} has no lua.h", dir.display());
        return dir;
    }
    let registry_src = cargo_home().join("registry").join("src");
    let mut candidates = Vec::new();
    for index_dir in read_dir_sorted(&registry_src) {
        for crate_dir in read_dir_sorted(&index_dir) {
            let name = crate_dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let Some(version) = name.strip_prefix("lua-src-") else {
                continue;
            };
            let lua_dir = crate_dir.join(LUA51_DIR);
            if lua_dir.join("lua.h").is_file() {
                candidates.push((version == LUA_SRC_VERSION, lua_dir));
            }
        }
    }
    // The pinned version wins; among others, the last in sorted order.
    candidates.sort();
    match candidates.pop() {
        Some((_, dir)) => dir,
        None => panic!(
            "Lua 5.1.5 sources not found under {}/*/lua-src-*/{LUA51_DIR}: \
             cargo should have downloaded lua-src {LUA_SRC_VERSION} (a build-dependency); \
             or set FERROKEY_LUA51_SRC",
            registry_src.display()
        ),
    }
}

/// Cargo's home: `CARGO_HOME` (rustup's proxies set it), else `~/.cargo`.
fn cargo_home() -> PathBuf {
    if let Some(home) = env::var_os("CARGO_HOME") {
        return PathBuf::from(home);
    }
    let home = env::var_os("HOME").expect("neither CARGO_HOME nor HOME is set");
    Path::new(&home).join(".cargo")
}

/// Every `*.c` of Lua 5.1.5's `src` (lua-src ships the library only: no lua.c or luac.c), sorted
/// so the archive is the same from build to build.
fn lua_c_files(lua_dir: &Path) -> Vec<PathBuf> {
    let files: Vec<PathBuf> =
        read_dir_sorted(lua_dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "c")).collect();
    assert!(
        files.iter().any(|p| p.ends_with("lapi.c")),
        "{} does not look like Lua 5.1.5's sources",
        lua_dir.display()
    );
    files
}

/// wasi-libc's header and library directories, checked to exist.
fn wasi_libc_dirs() -> (PathBuf, PathBuf) {
    let root = env::var_os("FERROKEY_WASI_SYSROOT").map_or_else(|| PathBuf::from("/usr"), PathBuf::from);
    let include = root.join("include").join("wasm32-wasi");
    let lib = root.join("lib").join("wasm32-wasi");
    assert!(
        include.join("stdio.h").is_file() && lib.join("libc.a").is_file(),
        "wasi-libc not found at {} and {}: {SETUP_HINT}",
        include.display(),
        lib.display()
    );
    (include, lib)
}

/// The first of `programs` found on PATH.
fn first_on_path(programs: &[&str]) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    programs
        .iter()
        .find_map(|program| env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file()))
}

/// A directory's entries, sorted; nothing when it cannot be read.
fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> =
        fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    entries.sort();
    entries
}
