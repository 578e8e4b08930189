#!/usr/bin/env bash
# Installs Debian's Redis server and tools when they are missing (idempotent: a second call with
# both present does nothing and prints nothing but the version).
#   scripts/redis/install.sh
# Binaries: /usr/bin/redis-server (which is also the Sentinel: `redis-server <conf> --sentinel`),
# /usr/bin/redis-cli. The `redis-sentinel` package only adds a system service around the same
# binary; nothing here needs it. scripts/redis/start.sh starts the servers on loopback ports.
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" redis/install

REDIS_SERVER_BIN="${REDIS_SERVER_BIN:-/usr/bin/redis-server}"
REDIS_CLI_BIN="${REDIS_CLI_BIN:-/usr/bin/redis-cli}"

# Debian's maintainer scripts are kept from starting a system-wide Redis on 6379, where the
# machine's shared Redis may already listen (policy-rc.d, see daemon.sh).
install_missing_packages /tmp/scaleplane-redis-install.lock "REDIS_SERVER_BIN / REDIS_CLI_BIN" \
  "$REDIS_SERVER_BIN" redis-server \
  "$REDIS_CLI_BIN" redis-tools

"$REDIS_SERVER_BIN" --version
