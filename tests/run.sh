#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine (idempotent), then runs every test:
# formatting and lints, the workspace's Rust tests (core command tests, TCP server tests, differential
# tests against Debian's redis-server, the redis crate client test), the core's wasm32 build, and the
# redis-py client tests (RESP2 and RESP3).
#
# Usage: ./tests/run.sh            (CI runs exactly this through .ci/run)
# Env:   CARGO_TARGET_DIR          build cache (default: ~/.cache/ferrokey/target, outside the clone)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

# ---------------------------------------------------------------- setup (idempotent)
step "setup: system packages"
need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-benchmark >/dev/null || need_apt+=(redis-tools)
command -v tclsh >/dev/null || need_apt+=(tcl)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# Debian starts a redis-server service on 6379 when it installs one; tests never use it.

step "setup: rust targets and components"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

step "setup: wasm toolchain (clang and wasi-libc for Lua in wasm32, wasm-bindgen-cli at the Cargo.lock version)"
bash tests/setup-wasm-toolchain.sh --wasm-bindgen

step "setup: python packages"
python3 -c 'import redis, pytest' 2>/dev/null || python3 -m pip install -q 'redis>=5,<7' 'pytest>=8' 2>&1 | tail -1

# ---------------------------------------------------------------- checks
step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (deny warnings)"
cargo clippy --workspace --all-targets -q -- -D warnings

step "core builds for wasm32-unknown-unknown"
cargo build -q -p ferrokey-core --target wasm32-unknown-unknown

step "Lua 5.1 runs the same in wasm32 (Node, via wasm-bindgen-test)"
cargo test -p ferrokey-lua-wasm --target wasm32-unknown-unknown 2>&1 | tail -3

step "the core's script tests in wasm32 (Node, via wasm-bindgen-test): the same cases as natively"
cargo test -p ferrokey-core --target wasm32-unknown-unknown --test scripting --test functions 2>&1 | grep -E '^test result'

step "cargo test (core, server, differential, redis crate)"
cargo build -q --workspace --bins
cargo test -q --workspace 2>&1 | tee "$CARGO_TARGET_DIR/cargo-test.log" | grep -E '^(test result|running|error|failures|---- )' || true
if grep -qE '^test result: FAILED|^error' "$CARGO_TARGET_DIR/cargo-test.log" || ! grep -q '^test result' "$CARGO_TARGET_DIR/cargo-test.log"; then
    cat "$CARGO_TARGET_DIR/cargo-test.log" | tail -80
    exit 1
fi
rust_passed=$(awk '/^test result/ {p += $4} END {print p+0}' "$CARGO_TARGET_DIR/cargo-test.log")
rust_failed=$(awk '/^test result/ {f += $6} END {print f+0}' "$CARGO_TARGET_DIR/cargo-test.log")

step "redis-py against ferrokey-server (RESP2 and RESP3)"
FERROKEY_SERVER="$CARGO_TARGET_DIR/debug/ferrokey-server" python3 -m pytest -q -p no:cacheprovider tests/python 2>&1 | tee "$CARGO_TARGET_DIR/pytest.log" | tail -5
py_line=$(grep -E '[0-9]+ passed' "$CARGO_TARGET_DIR/pytest.log" | tail -1)
grep -qE ' failed| error' <<<"$py_line" && exit 1
py_passed=$(grep -oE '[0-9]+ passed' <<<"$py_line" | grep -oE '[0-9]+')

step "the npm package: wasm-bindgen tests (Node, Chromium), node --test suites, the package in Chromium and Vite"
bash tests/js/run.sh 2>&1 | tee "$CARGO_TARGET_DIR/js.log" | grep -E '^(==>|# (pass|fail)|test result|not ok)' || true
grep -q 'JS tests passed' "$CARGO_TARGET_DIR/js.log" || { tail -60 "$CARGO_TARGET_DIR/js.log"; exit 1; }
js_passed=$(awk '/^test result/ {p += $4} /^# pass/ {p += $3} END {print p+0}' "$CARGO_TARGET_DIR/js.log")

step "the www/ demo: reply formatting vs redis-cli, end to end in headless Chromium, page weight"
bash tests/www/run.sh 2>&1 | tee "$CARGO_TARGET_DIR/www.log" | grep -E '^(==>|# (pass|fail)|not ok|page weight|time to interactive)' || true
grep -q 'www tests passed' "$CARGO_TARGET_DIR/www.log" || { tail -60 "$CARGO_TARGET_DIR/www.log"; exit 1; }
www_passed=$(awk '/^# pass/ {p += $3} END {print p+0}' "$CARGO_TARGET_DIR/www.log")

step "container: ferrokey's image under podman with Open WebUI's Valkey compose file"
bash tests/container/run.sh 2>&1 | tee "$CARGO_TARGET_DIR/container.log" | tail -25
container_line=$(grep -E "^container: [0-9]+ passed, [0-9]+ failed" "$CARGO_TARGET_DIR/container.log" | tail -1)
grep -qE ', 0 failed' <<<"$container_line" || exit 1
container_passed=$(awk "{print \$2}" <<<"$container_line")

echo
echo "$((rust_passed + py_passed + js_passed + www_passed + container_passed)) passed, $rust_failed failed"
