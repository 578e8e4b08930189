#!/usr/bin/env bash
# Stops the Redis primary, replica and Sentinels that scripts/redis/start.sh started for the same
# data root (SCALEPLANE_OBSERVABILITY_DIR, default .data). Only the processes named in the pid
# files are signalled; anything else on the ports is left alone. Configuration and logs stay.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA_ROOT="${SCALEPLANE_OBSERVABILITY_DIR:-$ROOT/.data}"
case "$DATA_ROOT" in /*) ;; *) DATA_ROOT="$ROOT/$DATA_ROOT" ;; esac
REDIS_DIR="$DATA_ROOT/redis"
STOP_TIMEOUT_SECONDS="${STOP_TIMEOUT_SECONDS:-15}"
SERVER_EXE="$(readlink -f "${REDIS_SERVER_BIN:-/usr/bin/redis-server}")"

# Prints the pid recorded in the file when that process is alive and still runs Redis.
recorded_pid() {
  local pid_file="$1" pid
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$SERVER_EXE" ] || return 1
  echo "$pid"
}

# stop_all DIR...: TERM to all first, then wait, so they shut down side by side.
stop_all() {
  local dir pid pids=() dirs=()
  for dir in "$@"; do
    if pid="$(recorded_pid "$dir/redis.pid")"; then
      kill -TERM "$pid" && pids+=("$pid") && dirs+=("$dir")
    else
      rm -f "$dir/redis.pid"
    fi
  done
  local deadline=$((SECONDS + STOP_TIMEOUT_SECONDS)) i
  for i in "${!pids[@]}"; do
    pid="${pids[$i]}"
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "redis/stop: pid $pid (${dirs[$i]}) did not stop within ${STOP_TIMEOUT_SECONDS}s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.05
    done
    echo "redis/stop: stopped $(basename "${dirs[$i]}") (pid $pid)" >&2
    rm -f "${dirs[$i]}/redis.pid"
  done
}

[ -d "$REDIS_DIR" ] || exit 0
# Sentinels first: with them gone, stopping the primary starts no failover.
shopt -s nullglob
stop_all "$REDIS_DIR"/sentinel-*
stop_all "$REDIS_DIR/primary" "$REDIS_DIR/replica"
