#!/usr/bin/env bash
# Builds pkg/dist (build output, not committed): the engine compiled to wasm32-unknown-unknown,
# wasm-bindgen's `--target web` glue (one module for Node and browsers: index.js hands it the .wasm,
# read from disk in Node, fetched in browsers), then `wasm-opt -Oz` from the npm `binaryen` package.
#
#   sh pkg/build.sh            # needs: rustup target wasm32-unknown-unknown, wasm-bindgen-cli at the
#                              # Cargo.lock version (installed here when missing), npm ci in pkg/
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
OUT=pkg/dist

rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# The CLI must be exactly the wasm-bindgen version the crate was built against.
WBV=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBV" ]; then
  echo "==> cargo install wasm-bindgen-cli $WBV (a few minutes)"
  # Its own lock pins crates this registry may lack: retry resolving afresh.
  cargo install wasm-bindgen-cli --version "=$WBV" --locked --force \
    || cargo install wasm-bindgen-cli --version "=$WBV" --force
fi

# The `wasm` profile (root Cargo.toml): release, optimized for size, fat LTO, panic=abort.
echo "==> cargo build --profile wasm --target wasm32-unknown-unknown -p ferrokey-wasm"
cargo build --profile wasm --target wasm32-unknown-unknown -p ferrokey-wasm

echo "==> wasm-bindgen --target web"
rm -rf "$OUT"
wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$OUT" --out-name ferrokey_wasm "$TARGET_DIR/wasm32-unknown-unknown/wasm/ferrokey_wasm.wasm"

WASM_OPT=pkg/node_modules/.bin/wasm-opt
gz() { gzip -9c "$1" | wc -c; }
if [ -x "$WASM_OPT" ]; then
  echo "==> wasm-opt -Oz"
  # The features rustc emits by default for wasm32, plus exception handling (Lua's setjmp/longjmp).
  "$WASM_OPT" -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue --enable-exception-handling \
    "$OUT/ferrokey_wasm_bg.wasm" -o "$OUT/ferrokey_wasm_bg.opt.wasm"
  # Measured on this engine: -Oz shrinks the raw file (~8%) but the result gzips ~5% worse than rustc's
  # opt-level=z output. What users download is gzipped: keep whichever is smaller that way.
  BEFORE=$(gz "$OUT/ferrokey_wasm_bg.wasm"); AFTER=$(gz "$OUT/ferrokey_wasm_bg.opt.wasm")
  echo "    gzipped: $BEFORE bytes as rustc wrote it, $AFTER after wasm-opt -Oz"
  if [ "$AFTER" -le "$BEFORE" ]; then
    mv "$OUT/ferrokey_wasm_bg.opt.wasm" "$OUT/ferrokey_wasm_bg.wasm"
  else
    echo "    keeping rustc's output (smaller gzipped)"
    rm "$OUT/ferrokey_wasm_bg.opt.wasm"
  fi
else
  echo "warning: $WASM_OPT missing (npm ci in pkg/): the .wasm is not size-optimized" >&2
fi

SIZE=$(wc -c < "$OUT/ferrokey_wasm_bg.wasm")
GZ=$(gz "$OUT/ferrokey_wasm_bg.wasm")
echo "==> $OUT/ferrokey_wasm_bg.wasm: $SIZE bytes, $GZ gzipped"
