#!/usr/bin/env bash
# Installs Debian's Redis server and tools when they are missing (idempotent: a second call with
# both present does nothing and prints nothing but the version).
#   scripts/redis/install.sh
# Binaries: /usr/bin/redis-server (which is also the Sentinel: `redis-server <conf> --sentinel`),
# /usr/bin/redis-cli. The `redis-sentinel` package only adds a system service around the same
# binary; nothing here needs it. scripts/redis/start.sh starts the servers on loopback ports.
set -euo pipefail

REDIS_SERVER_BIN="${REDIS_SERVER_BIN:-/usr/bin/redis-server}"
REDIS_CLI_BIN="${REDIS_CLI_BIN:-/usr/bin/redis-cli}"

missing=()
[ -x "$REDIS_SERVER_BIN" ] || missing+=(redis-server)
[ -x "$REDIS_CLI_BIN" ] || missing+=(redis-tools)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "redis/install: missing ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]})," >&2
    echo "or set REDIS_SERVER_BIN / REDIS_CLI_BIN to binaries you have." >&2
    exit 1
  fi
  # Parallel test workers, CI and a shell would otherwise fight over dpkg's lock.
  exec 9>/tmp/scaleplane-redis-install.lock
  flock 9
  missing=()
  [ -x "$REDIS_SERVER_BIN" ] || missing+=(redis-server)
  [ -x "$REDIS_CLI_BIN" ] || missing+=(redis-tools)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "redis/install: installing Debian's ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d 101: the package must not start a system-wide Redis on 6379, where the
    # machine's shared Redis may already listen.
    policy_file=/usr/sbin/policy-rc.d
    created_policy=0
    if [ ! -e "$policy_file" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy_file" && chmod +x "$policy_file" && created_policy=1
    fi
    trap '[ "$created_policy" = 1 ] && rm -f "$policy_file"' EXIT
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
fi

"$REDIS_SERVER_BIN" --version
