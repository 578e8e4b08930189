#!/usr/bin/env bash
# Stops the Redis primary, replica and Sentinels that scripts/redis/start.sh started for the same
# data root (SCALEPLANE_OBSERVABILITY_DIR, default .data). Only the processes named in the pid
# files are signalled; anything else on the ports is left alone. Configuration and logs stay.
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" redis/stop
# Redis exits within milliseconds of TERM: look more often.
STOP_POLL_SECONDS=0.05

REDIS_DIR="$(data_root)/redis"
STOP_TIMEOUT_SECONDS="${STOP_TIMEOUT_SECONDS:-15}"
# Redis rewrites its command line (process title), so a pid is recognised by its executable.
SERVER_EXE="$(readlink -f "${REDIS_SERVER_BIN:-/usr/bin/redis-server}")"

# A server is named by its folder; one that will not stop, by its pid and folder.
kill_message() { echo "pid $2 ($(dirname "$3")) did not stop within ${STOP_TIMEOUT_SECONDS}s; killing it"; }

# stop_all DIR...: TERM to all first, then wait, so they shut down side by side.
stop_all() {
  local dir
  for dir in "$@"; do
    signal_stop "$(basename "$dir")" "$dir/redis.pid" pid_runs_executable "$SERVER_EXE"
  done
  wait_stopped
}

[ -d "$REDIS_DIR" ] || exit 0
# Sentinels first: with them gone, stopping the primary starts no failover.
shopt -s nullglob
stop_all "$REDIS_DIR"/sentinel-*
stop_all "$REDIS_DIR/primary" "$REDIS_DIR/replica"
