#!/usr/bin/env bash
# tests/www/run.sh: the www/ demo's tests, from a fresh machine. Idempotent.
#   1. setup: Debian's chromium (unless present), npm ci in pkg/ (playwright-core) when missing;
#   2. pkg/build.sh when pkg/dist is missing (the page imports the package's built files);
#   3. format.test.mjs: the console's reply formatting against redis-cli's, byte for byte (Node);
#   4. run.mjs: the demo end to end in headless Chromium (screenshot: $WWW_ARTIFACTS or
#      tests/www/artifacts/www-screenshot.png);
#   5. measure.mjs: page weight and time to interactive (printed, not asserted).
# Env: SKIP_BROWSER=1 runs only step 3; WWW_MEASURE=0 skips step 5.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}"
export WWW_ARTIFACTS="${WWW_ARTIFACTS:-$CARGO_TARGET_DIR/www-artifacts}"
log() { printf '\n==> %s\n' "$*"; }

if [ "${SKIP_BROWSER:-0}" != 1 ] && ! command -v chromium >/dev/null; then
  log "apt-get install chromium"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d pkg/node_modules/playwright-core ]; then
  log "npm ci (pkg/)"
  (cd pkg && npm ci --no-fund --no-audit)
fi
if [ ! -f pkg/dist/ferrokey_wasm_bg.wasm ] || [ ! -f pkg/dist/ferrokey_wasm.js ]; then
  log "pkg/build.sh (pkg/dist is missing)"
  bash pkg/build.sh
fi

log "www: reply formatting against redis-cli"
node --test tests/www/format.test.mjs
if [ "${SKIP_BROWSER:-0}" != 1 ]; then
  log "www: the demo end to end in headless Chromium"
  node --test tests/www/run.mjs
  echo "screenshot: $WWW_ARTIFACTS/www-screenshot.png"
  if [ "${WWW_MEASURE:-1}" != 0 ]; then
    log "www: page weight and time to interactive"
    node tests/www/measure.mjs 5
  fi
fi
log "www tests passed"
