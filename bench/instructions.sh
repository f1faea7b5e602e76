#!/usr/bin/env bash
# User-space instructions per request of a server under redis-benchmark, counted by callgrind: a figure
# that, unlike throughput, does not move with the machine's load.
#
# Usage: bench/instructions.sh TEST [PIPELINE=16] [REQUESTS=200000] [SERVER=ferrokey-server release build]
#        bench/instructions.sh get 16 200000 /usr/bin/redis-server     # the same for Debian's redis-server
# Needs: valgrind, redis-benchmark, redis-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:?test name, as redis-benchmark -t takes it}; P=${2:-16}; N=${3:-200000}
TARGET=${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}
if [ -n "${4:-}" ]; then
    BIN=$4
else
    cargo build -q --release -p ferrokey-server --target-dir "$TARGET"
    BIN="$TARGET/release/ferrokey-server"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$BIN" --port "$PORT" --save '' >/dev/null 2>&1 &
VP=$!
for _ in $(seq 200); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
redis-benchmark -p "$PORT" -P "$P" -n "$N" -t "$T" -q -r 100000 -d 64 >/dev/null 2>&1
redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
wait $VP || true
total=$(callgrind_annotate "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}')
echo "$T P=$P: $((total / N)) instructions per request ($(basename "$BIN"))"
