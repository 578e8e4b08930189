#!/usr/bin/env bash
# Stops the Kafka broker that scripts/kafka/start.sh started for the same data root
# (SCALEPLANE_OBSERVABILITY_DIR, default .data). Only the process named in the pid file is
# signalled, and only while it still runs with this folder's configuration; anything else on
# the ports is left alone. The data stays for the next start.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA_ROOT="${SCALEPLANE_OBSERVABILITY_DIR:-$ROOT/.data}"
case "$DATA_ROOT" in /*) ;; *) DATA_ROOT="$ROOT/$DATA_ROOT" ;; esac
KAFKA_DIR="$DATA_ROOT/kafka"
CONFIG="$KAFKA_DIR/server.properties"
PID_FILE="$KAFKA_DIR/kafka.pid"
# A clean shutdown flushes the logs and hands over leadership; a few seconds on one node.
STOP_TIMEOUT_SECONDS="${STOP_TIMEOUT_SECONDS:-30}"

recorded_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$CONFIG" || return 1
  echo "$pid"
}

if pid="$(recorded_pid)"; then
  kill -TERM "$pid"
  deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "kafka/stop: Kafka (pid $pid) did not stop within ${STOP_TIMEOUT_SECONDS}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  echo "kafka/stop: stopped Kafka (pid $pid)" >&2
fi
rm -f "$PID_FILE"
