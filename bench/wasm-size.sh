#!/usr/bin/env bash
# bench/wasm-size.sh: the npm package's engine size and start-up time, for the README.
#   size: pkg/dist/ferrokey_wasm_bg.wasm raw, gzip -9 and brotli (target: ≤ 400 KB gzipped, Lua included);
#   start-up in Node (fresh processes, median of 7): WebAssembly.compile of the bytes, and
#   `await import('ferrokey')` + `await createStore()` (read, compile, instantiate, first store).
# Builds pkg/dist first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f pkg/dist/ferrokey_wasm_bg.wasm ] || bash pkg/build.sh
node bench/wasm-size.mjs
