#!/usr/bin/env bash
# Stops the Prometheus and Alertmanager that scripts/prometheus/start.sh started for the same
# data root (SCALEPLANE_OBSERVABILITY_DIR, default .data). Only the processes named in the pid
# files are signalled; anything else on the ports is left alone. Data stays for the next start.
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" prometheus/stop

DATA_ROOT="$(data_root)"
STOP_TIMEOUT_SECONDS="${STOP_TIMEOUT_SECONDS:-15}"

# TERM to both first, then wait: they shut down side by side. TERM lets Prometheus close its
# TSDB head cleanly; KILL only if a server will not stop.
signal_stop alertmanager "$DATA_ROOT/alertmanager/alertmanager.pid" pid_runs_command "${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}"
signal_stop prometheus "$DATA_ROOT/prometheus/prometheus.pid" pid_runs_command "${PROMETHEUS_BIN:-/usr/bin/prometheus}"
wait_stopped
