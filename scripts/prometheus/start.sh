#!/usr/bin/env bash
# Starts Prometheus and Alertmanager on loopback with Scaleplane's configuration (idempotent).
#
#   scripts/prometheus/start.sh          demo: scrape the app on 127.0.0.1:$APP_PORT every 5 s
#   scripts/prometheus/stop.sh           stop both
#
# Renders deploy/prometheus/prometheus.yml and deploy/alertmanager/alertmanager.yml into the data
# folders, checks them with promtool/amtool, starts each server unless it already runs (then a
# changed configuration is reloaded, an unchanged one left alone), waits for /-/ready and prints
# the URLs. Installs Debian's packages first when they are missing (scripts/prometheus/install.sh).
#
# Settings (environment):
#   SCALEPLANE_OBSERVABILITY_DIR  data root, default .data: prometheus/ and alertmanager/ below it
#                                 hold the rendered config, the TSDB, pid and log files
#   PROMETHEUS_PORT=9090  ALERTMANAGER_PORT=9093  (both bind 127.0.0.1)
#   APP_PORT=3000                 where Scaleplane runs; the default targets below use it
#   SIMULATOR_METRICS_URL         default http://127.0.0.1:$APP_PORT/api/simulator/metrics ("" = no such job)
#   APP_METRICS_URL               default http://127.0.0.1:$APP_PORT/api/metrics ("" = no such job)
#   SCRAPE_INTERVAL_SECONDS=5     how often targets are scraped (tests use 1)
#   RULE_EVALUATION_INTERVAL_SECONDS   how often rules run; default max(scrape interval, 15) (tests use 1)
#   PROMETHEUS_RETENTION=7d       how long the TSDB keeps samples
#   PROMETHEUS_EXTRA_RULE_FILES   more rule files, colon separated
#   PROMETHEUS_RULES_DIR          load this folder's *.yml rule files instead of deploy/prometheus/rules
#                                 (the end-to-end tests' copies with windows of seconds)
#   PROMETHEUS_ALERT_RESEND_DELAY=1m   how often firing alerts are re-sent to Alertmanager; an alert
#                                 that fires before Prometheus has found Alertmanager (up to 5 s
#                                 after start) reaches it only at the next resend (tests use 1s)
#   ALERTMANAGER_WEBHOOK_URL      default http://127.0.0.1:$APP_PORT/api/alerts/alertmanager
#   ALERTMANAGER_WEBHOOK_TOKEN    bearer token for the webhook; default: the one in
#                                 <data>/alertmanager/webhook-token, generated on first start
#   ALERTMANAGER_GROUP_WAIT, ALERTMANAGER_GROUP_INTERVAL   override the route's timings
#   START_ALERTMANAGER=1          0 starts Prometheus only
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" prometheus/start
cd "$ROOT"

DATA_ROOT="$(data_root)"
export PROMETHEUS_DIR="$DATA_ROOT/prometheus"
export ALERTMANAGER_DIR="$DATA_ROOT/alertmanager"
export PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
export ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9093}"
APP_PORT="${APP_PORT:-3000}"
export SIMULATOR_METRICS_URL="${SIMULATOR_METRICS_URL-http://127.0.0.1:$APP_PORT/api/simulator/metrics}"
export APP_METRICS_URL="${APP_METRICS_URL-http://127.0.0.1:$APP_PORT/api/metrics}"
export SCRAPE_INTERVAL_SECONDS="${SCRAPE_INTERVAL_SECONDS:-5}"
export ALERTMANAGER_WEBHOOK_URL="${ALERTMANAGER_WEBHOOK_URL:-http://127.0.0.1:$APP_PORT/api/alerts/alertmanager}"
START_ALERTMANAGER="${START_ALERTMANAGER:-1}"
RETENTION="${PROMETHEUS_RETENTION:-7d}"
ALERT_RESEND_DELAY="${PROMETHEUS_ALERT_RESEND_DELAY:-1m}"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-60}"

PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
ALERTMANAGER_BIN="${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}"
PROMTOOL_BIN="${PROMTOOL_BIN:-$(dirname "$PROMETHEUS_BIN")/promtool}"
AMTOOL_BIN="${AMTOOL_BIN:-$(dirname "$ALERTMANAGER_BIN")/amtool}"

if [ ! -x "$PROMETHEUS_BIN" ] || { [ "$START_ALERTMANAGER" = 1 ] && [ ! -x "$ALERTMANAGER_BIN" ]; }; then
  "$ROOT/scripts/prometheus/install.sh" >/dev/null
fi

eval "$("$ROOT/scripts/ensure-node.sh" --print-path)"
node --no-warnings --import tsx "$ROOT/scripts/prometheus/render-config.ts" >/dev/null

# Ready once /-/ready answers.
answers_ready() { curl -fsS -o /dev/null --max-time 2 "$1/-/ready" 2>/dev/null; }

# start_server NAME DIR CONFIG_NAME PORT CHECK_COMMAND... -- SERVER_COMMAND...
start_server() {
  local name="$1" dir="$2" config_name="$3" port="$4"
  shift 4
  local check=() server=()
  while [ "$1" != "--" ]; do check+=("$1"); shift; done
  shift
  server=("$@")
  local config="$dir/$config_name" rendered="$dir/$config_name.rendered"
  local pid_file="$dir/$name.pid" log_file="$dir/$name.log" url="http://127.0.0.1:$port"
  mkdir -p "$dir/data"

  local check_output
  if ! check_output="$("${check[@]}" "$rendered" 2>&1)"; then
    echo "$check_output" >&2
    fail "$rendered is not a valid $name configuration"
  fi

  local pid
  # A pid is ours only while it is alive AND still runs the binary (pids are reused).
  if pid="$(recorded_pid "$pid_file" pid_runs_command "${server[0]}")"; then
    if cmp -s "$rendered" "$config"; then
      rm -f "$rendered"
      log "$name already runs (pid $pid) at $url"
    else
      mv "$rendered" "$config"
      curl -fsS -o /dev/null --max-time 10 -X POST "$url/-/reload" || fail "$name (pid $pid) did not accept the new configuration; see $log_file"
      log "$name (pid $pid) reloaded its changed configuration"
    fi
    return 0
  fi

  if port_in_use "$port"; then
    fail "127.0.0.1:$port is taken by another program; choose another port (${name^^}_PORT)"
  fi
  mv "$rendered" "$config"
  launch "$pid_file" "$log_file" "${server[@]}"
  pid="$LAUNCHED_PID"
  wait_until_ready "$name" "$pid" "$log_file" answers_ready "$url"
  log "$name started (pid $pid) at $url"
}

start_server prometheus "$PROMETHEUS_DIR" prometheus.yml "$PROMETHEUS_PORT" \
  "$PROMTOOL_BIN" check config -- \
  "$PROMETHEUS_BIN" \
  --config.file="$PROMETHEUS_DIR/prometheus.yml" \
  --storage.tsdb.path="$PROMETHEUS_DIR/data" \
  --storage.tsdb.retention.time="$RETENTION" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
  --web.external-url="http://127.0.0.1:$PROMETHEUS_PORT" \
  --web.enable-lifecycle \
  --rules.alert.resend-delay="$ALERT_RESEND_DELAY"

if [ "$START_ALERTMANAGER" = 1 ]; then
  # An empty cluster address turns off Alertmanager's gossip (it would listen on 0.0.0.0:9094).
  start_server alertmanager "$ALERTMANAGER_DIR" alertmanager.yml "$ALERTMANAGER_PORT" \
    "$AMTOOL_BIN" check-config -- \
    "$ALERTMANAGER_BIN" \
    --config.file="$ALERTMANAGER_DIR/alertmanager.yml" \
    --storage.path="$ALERTMANAGER_DIR/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --web.external-url="http://127.0.0.1:$ALERTMANAGER_PORT" \
    --cluster.listen-address=
fi

echo "Prometheus:   http://127.0.0.1:$PROMETHEUS_PORT  (every ${SCRAPE_INTERVAL_SECONDS}s: ${SIMULATOR_METRICS_URL:-no simulator} ${APP_METRICS_URL:-})"
if [ "$START_ALERTMANAGER" = 1 ]; then
  echo "Alertmanager: http://127.0.0.1:$ALERTMANAGER_PORT  (webhook: $ALERTMANAGER_WEBHOOK_URL, token in $ALERTMANAGER_DIR/webhook-token)"
fi
