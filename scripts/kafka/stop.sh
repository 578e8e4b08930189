#!/usr/bin/env bash
# Stops the Kafka broker that scripts/kafka/start.sh started for the same data root
# (SCALEPLANE_OBSERVABILITY_DIR, default .data). Only the process named in the pid file is
# signalled, and only while it still runs with this folder's configuration; anything else on
# the ports is left alone. The data stays for the next start.
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" kafka/stop

KAFKA_DIR="$(data_root)/kafka"
# A clean shutdown flushes the logs and hands over leadership; a few seconds on one node.
STOP_TIMEOUT_SECONDS="${STOP_TIMEOUT_SECONDS:-30}"

signal_stop Kafka "$KAFKA_DIR/kafka.pid" pid_has_argument "$KAFKA_DIR/server.properties"
wait_stopped
