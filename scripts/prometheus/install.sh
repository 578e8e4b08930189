#!/usr/bin/env bash
# Installs Debian's Prometheus and Alertmanager when they are missing (idempotent: a second
# call with both present does nothing and prints nothing but the versions).
#   scripts/prometheus/install.sh
# Binaries: /usr/bin/prometheus, /usr/bin/promtool, /usr/bin/prometheus-alertmanager, /usr/bin/amtool.
# Debian's packages register services for systemd, which these machines do not run: nothing
# starts by itself. scripts/prometheus/start.sh starts them on loopback with the project's config.
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" prometheus/install

PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
ALERTMANAGER_BIN="${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}"

# Debian's maintainer scripts are kept from starting system-wide servers on the default ports
# (9090, 9093) that would collide with other users of the machine (policy-rc.d, see daemon.sh).
install_missing_packages /tmp/scaleplane-prometheus-install.lock "PROMETHEUS_BIN / ALERTMANAGER_BIN" \
  "$PROMETHEUS_BIN" prometheus \
  "$ALERTMANAGER_BIN" prometheus-alertmanager

"$PROMETHEUS_BIN" --version 2>&1 | head -n 1
"$ALERTMANAGER_BIN" --version 2>&1 | head -n 1
