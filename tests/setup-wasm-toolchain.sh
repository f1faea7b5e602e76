#!/usr/bin/env bash
# Installs what building Lua 5.1 for wasm32-unknown-unknown needs (crates/lua-wasm), idempotently:
#   - clang-16 (compiles Lua's C for wasm32, lowering setjmp/longjmp to wasm exception handling),
#   - llvm-16 (llvm-ar-16 archives the objects),
#   - wasi-libc (/usr/include/wasm32-wasi and /usr/lib/wasm32-wasi/libc.a: Lua needs a libc and
#     wasm32-unknown-unknown has none),
#   - the rustup target wasm32-unknown-unknown,
#   - with --wasm-bindgen: wasm-bindgen-cli at Cargo.lock's wasm-bindgen version, which
#     `cargo test --target wasm32-unknown-unknown` runs the tests with (.cargo/config.toml).
# Cold: ~15 s for the apt packages, ~4 min more for wasm-bindgen-cli. A second run changes nothing
# and takes well under a second.
#
# Usage: tests/setup-wasm-toolchain.sh [--wasm-bindgen]
# Nothing needs to be exported afterwards: crates/lua-wasm's build script finds clang-16 and
# llvm-ar-16 on PATH (CC_wasm32_unknown_unknown / AR_wasm32_unknown_unknown override them).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v clang-16 >/dev/null || need_apt+=(clang-16)
command -v llvm-ar-16 >/dev/null || need_apt+=(llvm-16)
[ -f /usr/lib/wasm32-wasi/libc.a ] && [ -f /usr/include/wasm32-wasi/stdio.h ] || need_apt+=(wasi-libc)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    echo "setup-wasm-toolchain: apt-get install ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

export PATH="$HOME/.cargo/bin:$PATH"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

if [ "${1:-}" = --wasm-bindgen ]; then
    # The runner refuses a test binary built against any other wasm-bindgen version.
    version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
    [ -n "$version" ] || { echo "setup-wasm-toolchain: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
    installed=$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)
    if [ "$installed" != "$version" ]; then
        echo "setup-wasm-toolchain: cargo install wasm-bindgen-cli $version (about 4 min)"
        # Without --locked: its lock pins a webpki-roots the registry here does not serve.
        cargo install -q wasm-bindgen-cli --version "=$version" --force
    fi
fi
