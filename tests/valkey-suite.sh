#!/usr/bin/env bash
# Runs Valkey's own TCL unit tests against a fresh ferrokey-server and prints, per file, what passed next
# to what real Valkey 8.0.1 passes on these machines (the bar: shared/reference/valkey-8.0.1-suite-results.txt).
# Not part of tests/run.sh: it needs a Valkey 8.0.1 source tree, which is not committed here.
#
# Usage: VALKEY_SRC=/path/to/valkey-8.0.1 tests/valkey-suite.sh [unit/type/string unit/expire ...]
#        (default: the files issue 3 is measured on)
# Env:   SHARED  the shared/ folder holding tools/valkey_suite.sh (default: ../shared beside the repo)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${VALKEY_SRC:?set VALKEY_SRC to a Valkey 8.0.1 source tree}"
SHARED=${SHARED:-$(cd .. && pwd)/shared}
REF="$SHARED/reference/valkey-8.0.1-suite-results.txt"
FILES=${*:-"unit/type/string unit/type/incr unit/type/hash unit/type/list unit/type/set unit/type/zset unit/expire unit/keyspace unit/pubsub unit/multi unit/protocol unit/scan unit/info-command unit/quit unit/introspection-2"}
TARGET=${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}

cargo build -q --release -p ferrokey-server --target-dir "$TARGET"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LOG_DIR=$(mktemp -d /tmp/ferrokey-suite.XXXXXX)
"$TARGET/release/ferrokey-server" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --enable-debug-command yes --enable-protected-configs yes --enable-module-command yes >"$LOG_DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done

SUITE_FILES="$FILES" SUITE_LOG_DIR="$LOG_DIR" VALKEY_SRC="$VALKEY_SRC" \
    bash "$SHARED/tools/valkey_suite.sh" 127.0.0.1 "$PORT" | tee "$LOG_DIR/summary.txt"

echo
echo "## against real Valkey 8.0.1 (passed tests, per file)"
printf '%-24s %8s %8s %7s\n' file ferrokey valkey share
awk -v ref="$REF" '
    BEGIN { while ((getline line < ref) > 0) { split(line, f, " "); if (f[1] ~ /^unit\//) want[f[1]] = f[2] } }
    $1 ~ /^unit\// { got[$1] = $2; order[++n] = $1 }
    END {
        for (i = 1; i <= n; i++) { u = order[i]; w = want[u] + 0; g = got[u] + 0; tg += g; tw += w
            printf "%-24s %8d %8d %6.1f%%\n", u, g, w, (w ? 100 * g / w : 0) }
        printf "%-24s %8d %8d %6.1f%%\n", "total", tg, tw, (tw ? 100 * tg / tw : 0) }' "$LOG_DIR/summary.txt"
echo "logs: $LOG_DIR"
