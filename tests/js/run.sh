#!/usr/bin/env bash
# tests/js/run.sh: the npm package's tests, from a fresh machine. Idempotent (a second run only rebuilds
# what changed):
#   1. setup: wasm32 target, Debian's chromium + chromedriver (unless SKIP_BROWSER=1), npm ci in pkg/;
#   2. pkg/build.sh: the .wasm + glue in pkg/dist (installs wasm-bindgen-cli at the Cargo.lock version);
#   3. wasm-bindgen-test for crates/wasm in Node and in headless Chromium;
#   4. node --test pkg/test/*.test.js: the API, snapshots against redis-server and ferrokey-server, the
#      ioredis-compatible client and serve(), and the package in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}"
log() { printf '\n==> %s\n' "$*"; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "${SKIP_BROWSER:-0}" != 1 ] && { ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; }; then
  log "apt-get install chromium chromium-driver"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# Lua for wasm32 is built by crates/lua-wasm with clang and wasi-libc.
if ! command -v clang-16 >/dev/null || [ ! -f /usr/lib/wasm32-wasi/libc.a ]; then
  log "apt-get install clang-16 llvm-16 wasi-libc"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-16 llvm-16 wasi-libc >/dev/null
fi
command -v redis-server >/dev/null || {
  log "apt-get install redis-server"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
}

log "npm ci (pkg/)"
(cd pkg && npm ci --no-fund --no-audit)

log "pkg/build.sh"
bash pkg/build.sh

log "wasm-bindgen-test (crates/wasm) in Node"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
WASM_BINDGEN_TEST_ONLY_NODE=1 cargo test -p ferrokey-wasm --target wasm32-unknown-unknown --test web
if [ "${SKIP_BROWSER:-0}" != 1 ]; then
  log "wasm-bindgen-test (crates/wasm) in headless Chromium"
  CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_USE_BROWSER=1 \
    cargo test -p ferrokey-wasm --target wasm32-unknown-unknown --test web
fi

log "ferrokey-server (for the snapshot interop test)"
cargo build -p ferrokey-server --bin ferrokey-server
export FERROKEY_SERVER="$CARGO_TARGET_DIR/debug/ferrokey-server"

log "node --test pkg/test"
TESTS=()
for t in pkg/test/*.test.js; do
  [ "${SKIP_BROWSER:-0}" = 1 ] && [ "$t" = pkg/test/browser.test.js ] && continue
  TESTS+=("${t#pkg/}")
done
# Explicit files: Node 20 takes them as paths (later versions would glob a directory differently).
(cd pkg && node --test "${TESTS[@]}")
log "JS tests passed"
