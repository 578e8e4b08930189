#!/usr/bin/env bash
# Stops the Prometheus and Alertmanager that scripts/prometheus/start.sh started for the same
# data root (SCALEPLANE_OBSERVABILITY_DIR, default .data). Only the processes named in the pid
# files are signalled; anything else on the ports is left alone. Data stays for the next start.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA_ROOT="${SCALEPLANE_OBSERVABILITY_DIR:-$ROOT/.data}"
case "$DATA_ROOT" in /*) ;; *) DATA_ROOT="$ROOT/$DATA_ROOT" ;; esac
STOP_TIMEOUT_SECONDS="${STOP_TIMEOUT_SECONDS:-15}"

# Prints the pid recorded in the file when that process is alive and still runs the binary.
recorded_pid() {
  local pid_file="$1" binary="$2" pid
  [ -f "$pid_file" ] || return 1
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [ "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n 1)" = "$binary" ] || return 1
  echo "$pid"
}

names=(alertmanager prometheus)
pid_files=("$DATA_ROOT/alertmanager/alertmanager.pid" "$DATA_ROOT/prometheus/prometheus.pid")
binaries=("${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}" "${PROMETHEUS_BIN:-/usr/bin/prometheus}")
pids=("" "")

# TERM to both first, then wait: they shut down side by side. TERM lets Prometheus close its
# TSDB head cleanly; KILL only if a server will not stop.
for i in 0 1; do
  if pid="$(recorded_pid "${pid_files[$i]}" "${binaries[$i]}")"; then
    kill -TERM "$pid" && pids[$i]="$pid"
  fi
done
deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
for i in 0 1; do
  pid="${pids[$i]}"
  if [ -n "$pid" ]; then
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "prometheus/stop: ${names[$i]} (pid $pid) did not stop within ${STOP_TIMEOUT_SECONDS}s; killing it" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
    echo "prometheus/stop: stopped ${names[$i]} (pid $pid)" >&2
  fi
  rm -f "${pid_files[$i]}"
done
