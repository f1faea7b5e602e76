#!/usr/bin/env bash
# ferrokey's image under podman, the way Open WebUI's Valkey tutorial runs Valkey: builds the image
# (container/build.sh), brings up container/compose.yml (the tutorial's file with only the image
# changed) plus tests/container/compose.test.yml (a published port), waits until healthy, talks to
# the server from the host and from a second container by service name, writes keys, stops the
# container with SIGTERM, starts it again, checks the keys came back from /data/dump.rdb, and tears
# everything down.
#
# Usage: ./tests/container/run.sh        (idempotent: installs what it needs on a fresh Debian machine)
# Env:   CARGO_TARGET_DIR (default: ~/.cache/ferrokey/target)
# Follows shared/recipes/containers.md: rootful podman 4.3 with runc, images FROM scratch.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}
CACHE=$HOME/.cache/ferrokey
IMAGE=localhost/ferrokey:latest
NETWORK=openwebui-network
CONTAINER=valkey # container_name in the tutorial's file

step() { printf '\n==> %s\n' "$*"; }

# ---------------------------------------------------------------- setup (idempotent)
step "setup: podman, runc, busybox-static, musl-tools, podman-compose, the musl target"
need_apt=()
command -v podman >/dev/null || need_apt+=(podman)
command -v runc >/dev/null || need_apt+=(runc)
[ -x /bin/busybox ] || need_apt+=(busybox-static)
command -v musl-gcc >/dev/null || need_apt+=(musl-tools) # mimalloc, Lua and ring build C code
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
[ -x "$CACHE/venv-compose/bin/podman-compose" ] || {
    python3 -m venv "$CACHE/venv-compose"
    "$CACHE/venv-compose/bin/pip" install -q podman-compose
}
rustup target list --installed | grep -qx x86_64-unknown-linux-musl || rustup target add x86_64-unknown-linux-musl

# Engine settings this machine needs (runc: crun refuses hybrid cgroups; the nofile/nproc limits
# root may set here), written per run instead of touching /etc.
WORK=$(mktemp -d)
NOFILE=$(ulimit -Hn)
export CONTAINERS_CONF="$WORK/containers.conf"
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=${NOFILE}:${NOFILE}", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF

export COMPOSE_PROJECT_NAME=ferrokeytest
export FERROKEY_TEST_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PC=("$CACHE/venv-compose/bin/podman-compose" -f container/compose.yml -f tests/container/compose.test.yml)
created_network=no

cleanup() {
    "${PC[@]}" down -t 5 -v >/dev/null 2>&1 || true
    podman rm -f -t 2 "$CONTAINER" >/dev/null 2>&1 || true
    podman volume rm -f "${COMPOSE_PROJECT_NAME}_valkey-data" >/dev/null 2>&1 || true
    [ "$created_network" = yes ] && podman network rm -f "$NETWORK" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
check() { # check NAME COMMAND...: runs the command, counts and prints the outcome
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        echo "FAIL $name"
    fi
}

# ---------------------------------------------------------------- helpers
# One command to the published port from the host, with redis-py if present, else a raw socket.
host_cli() {
    python3 - "$FERROKEY_TEST_PORT" "$@" <<'EOF'
import socket, sys
port, argv = int(sys.argv[1]), sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), 5)
s.sendall(("*%d\r\n" % len(argv) + "".join("$%d\r\n%s\r\n" % (len(a.encode()), a) for a in argv)).encode())
data = b""
while not data.endswith(b"\r\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode(errors="replace").strip())
EOF
}

wait_healthy() {
    local i
    # No systemd here, so podman never runs the health check on its own: run it until it passes.
    for i in $(seq 60); do
        podman healthcheck run "$CONTAINER" >/dev/null 2>&1 && break
        sleep 0.5
    done
    [ "$(podman inspect "$CONTAINER" --format '{{.State.Health.Status}}')" = healthy ]
}

# A second container on the tutorial's network, reaching the server by its service name (the
# first lookup can lose a race with aardvark-dns: retry briefly).
from_network() {
    local i out=""
    for i in $(seq 20); do
        out=$(podman run --rm --network "$NETWORK" "$IMAGE" valkey-cli -h valkey "$@" 2>&1) && break
        sleep 0.5
    done
    printf '%s' "$out"
}

equals() { [ "$1" = "$2" ] || { echo "     expected '$2', got '$1'"; return 1; }; }

# ---------------------------------------------------------------- build and start
step "build the image ($IMAGE) from static musl binaries"
bash container/build.sh "$IMAGE" >/dev/null
podman image inspect "$IMAGE" --format 'image size: {{.Size}} bytes'

step "start the tutorial's compose file with ferrokey's image"
podman rm -f -t 2 "$CONTAINER" >/dev/null 2>&1 || true
podman network exists "$NETWORK" || { podman network create "$NETWORK" >/dev/null; created_network=yes; }
"${PC[@]}" up -d valkey >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; exit 1; }

step "checks"
check "health check ([ \$(valkey-cli ping) = 'PONG' ]) passes" wait_healthy
check "host reaches the published port" equals "$(host_cli PING)" "+PONG"
check "second container reaches 'valkey' by service name" equals "$(from_network ping)" "PONG"
check "the compose command's options are in force" \
    equals "$(from_network config get timeout | paste -sd' ' -)" "timeout 1800"
check "maxclients from the command" equals "$(from_network config get maxclients | paste -sd' ' -)" "maxclients 10000"
check "save points from the command" equals "$(from_network config get save | paste -sd' ' -)" "save 30 1"
check "the working directory is /data" equals "$(from_network config get dir | paste -sd' ' -)" "dir /data"
check "protected mode is off without a config file (as the official image)" \
    equals "$(from_network config get protected-mode | paste -sd' ' -)" "protected-mode no"
check "redis-server and redis-cli names exist" equals "$(podman exec "$CONTAINER" sh -c 'redis-cli ping; redis-server --version >/dev/null && echo ok' | paste -sd' ' -)" "PONG ok"

# The compose file's 1800 s is too long to wait for: the same mechanism, shortened for the test.
idle_client_closed() {
    python3 - "$FERROKEY_TEST_PORT" <<'EOF'
import socket, sys
port = int(sys.argv[1])
idle = socket.create_connection(("127.0.0.1", port), 5)
idle.sendall(b"PING\r\n")
assert idle.recv(64) == b"+PONG\r\n"
admin = socket.create_connection(("127.0.0.1", port), 5)
admin.sendall(b"CONFIG SET timeout 1\r\n")
assert admin.recv(64) == b"+OK\r\n"
idle.settimeout(10)
closed = idle.recv(64) == b""  # the server closes an idle client within a couple of seconds
# A new connection: the first one went idle too.
admin = socket.create_connection(("127.0.0.1", port), 5)
admin.sendall(b"CONFIG SET timeout 1800\r\n")
assert admin.recv(64) == b"+OK\r\n"
sys.exit(0 if closed else 1)
EOF
}
check "the idle timeout closes an idle client" idle_client_closed

step "persistence through the volume: write, stop with SIGTERM, start, read"
host_cli SET greeting hello >/dev/null
host_cli RPUSH list a b c >/dev/null
host_cli HSET hash field value >/dev/null
from_network set from-network yes >/dev/null
podman stop -t 10 "$CONTAINER" >/dev/null 2>>"$WORK/podman.log"
check "SIGTERM wrote /data/dump.rdb" podman run --rm -v "${COMPOSE_PROJECT_NAME}_valkey-data:/data" "$IMAGE" \
    sh -c '[ -s /data/dump.rdb ]'
podman start "$CONTAINER" >/dev/null 2>>"$WORK/podman.log"
check "healthy again after the restart" wait_healthy
check "string came back" equals "$(host_cli GET greeting)" $'$5\r\nhello'
check "list came back" equals "$(host_cli LLEN list)" ":3"
check "hash came back" equals "$(host_cli HGET hash field)" $'$5\r\nvalue'
check "key written from the network came back" equals "$(from_network get from-network)" "yes"

step "logs of the server"
podman logs "$CONTAINER" 2>&1 | tail -8

echo
echo "container: $passed passed, $failed failed"
[ "$failed" = 0 ]
