#!/usr/bin/env bash
# Builds ferrokey's container image (container/Containerfile) from static musl release binaries.
#
# Usage: ./container/build.sh [image-name]      (default: localhost/ferrokey:latest)
# Needs: podman (or buildah), rustup's x86_64-unknown-linux-musl target, musl-tools (musl-gcc, for
#        the C code in mimalloc, Lua and ring), and /bin/busybox from Debian's busybox-static.
# Env:   CARGO_TARGET_DIR (default: ~/.cache/ferrokey/target), CONTAINERS_CONF (passed to podman).
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${1:-localhost/ferrokey:latest}
TARGET=x86_64-unknown-linux-musl
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}

cargo build -q --release --target "$TARGET" -p ferrokey-server --bins
bin_dir="$CARGO_TARGET_DIR/$TARGET/release"

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/bin"
# Debug info is for the build machine, not the image.
strip -o "$ctx/bin/ferrokey-server" "$bin_dir/ferrokey-server"
strip -o "$ctx/bin/ferrokey-cli" "$bin_dir/ferrokey-cli"
for name in valkey-server redis-server; do ln -s ferrokey-server "$ctx/bin/$name"; done
for name in valkey-cli redis-cli; do ln -s ferrokey-cli "$ctx/bin/$name"; done
cp /bin/busybox "$ctx/sh"

podman build -q -t "$IMAGE" -f container/Containerfile "$ctx" >/dev/null
echo "$IMAGE"
