#!/usr/bin/env bash
# Starts a Redis cache as production runs one: a primary, one replica and Sentinels monitoring
# them under a master name, each on its own loopback port (idempotent).
#
#   scripts/redis/start.sh     primary 127.0.0.1:6380, replica 127.0.0.1:6381, Sentinels 26380-26382
#   scripts/redis/stop.sh      stop them all
#
# Writes each server's configuration into its data folder, starts the ones not already running,
# waits until the primary answers, the replica's link to it is up and every Sentinel knows the
# replica and the other Sentinels, then prints the addresses. A server that already runs is left
# alone, except that maxmemory and its policy are applied to it at once (CONFIG SET). Sentinels
# rewrite their own configuration (failovers); a Sentinel that is started again gets a fresh one.
# Installs Debian's Redis first when it is missing (scripts/redis/install.sh).
#
# Settings (environment):
#   SCALEPLANE_OBSERVABILITY_DIR  data root, default .data: redis/primary, redis/replica and
#                                 redis/sentinel-<port> below it hold config, pid and log files
#   REDIS_PRIMARY_PORT=6380  REDIS_REPLICA_PORT=6381   (6379 is left to the machine's own Redis)
#   REDIS_SENTINEL_PORTS="26380 26381 26382"   one Sentinel per port (spaces or commas); "" = none
#   REDIS_MASTER_NAME=scaleplane  the name the Sentinels monitor the primary under
#   REDIS_SENTINEL_QUORUM         Sentinels that must agree the primary is down; default a majority
#   REDIS_MAXMEMORY=64mb  REDIS_MAXMEMORY_POLICY=allkeys-lru   a full cache really evicts
#   REDIS_PASSWORD                requirepass of primary and replica (also their masterauth and
#                                 the Sentinels' auth-pass); unset = no password
#   REDIS_SENTINEL_PASSWORD       requirepass of the Sentinels; unset = none
#   SENTINEL_DOWN_AFTER_MS=5000   how long the primary may not answer before it counts as down
#   SENTINEL_FAILOVER_TIMEOUT_MS=60000   (tests use 1000 and 5000: failovers within seconds)
#   READY_TIMEOUT_SECONDS=30
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" redis/start
cd "$ROOT"
# Redis answers within milliseconds of starting: look more often than for the JVM or Prometheus.
READY_POLL_SECONDS=0.1

REDIS_DIR="$(data_root)/redis"
PRIMARY_PORT="${REDIS_PRIMARY_PORT:-6380}"
REPLICA_PORT="${REDIS_REPLICA_PORT:-6381}"
read -r -a SENTINEL_PORTS <<<"$(echo "${REDIS_SENTINEL_PORTS-26380 26381 26382}" | tr ',' ' ')"
MASTER_NAME="${REDIS_MASTER_NAME:-scaleplane}"
QUORUM="${REDIS_SENTINEL_QUORUM:-$(( ${#SENTINEL_PORTS[@]} / 2 + 1 ))}"
MAXMEMORY="${REDIS_MAXMEMORY:-64mb}"
MAXMEMORY_POLICY="${REDIS_MAXMEMORY_POLICY:-allkeys-lru}"
PASSWORD="${REDIS_PASSWORD:-}"
SENTINEL_PASSWORD="${REDIS_SENTINEL_PASSWORD:-}"
DOWN_AFTER_MS="${SENTINEL_DOWN_AFTER_MS:-5000}"
FAILOVER_TIMEOUT_MS="${SENTINEL_FAILOVER_TIMEOUT_MS:-60000}"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-30}"

REDIS_SERVER_BIN="${REDIS_SERVER_BIN:-/usr/bin/redis-server}"
REDIS_CLI_BIN="${REDIS_CLI_BIN:-/usr/bin/redis-cli}"

if [ ! -x "$REDIS_SERVER_BIN" ] || [ ! -x "$REDIS_CLI_BIN" ]; then
  "$ROOT/scripts/redis/install.sh" >/dev/null
fi
[ "$PRIMARY_PORT" != "$REPLICA_PORT" ] || fail "the primary and the replica need different ports"

# Redis rewrites its command line (process title), so a pid is recognised by its executable.
SERVER_EXE="$(readlink -f "$REDIS_SERVER_BIN")"

# cli PORT PASSWORD ARGS...: the password through the environment, not the command line.
cli() {
  local port="$1" password="$2"
  shift 2
  env ${password:+"REDISCLI_AUTH=$password"} "$REDIS_CLI_BIN" -h 127.0.0.1 -p "$port" --raw "$@" 2>/dev/null
}

# The value of one field in INFO, or in the field/value lines SENTINEL MASTER prints.
info_field() { tr -d '\r' | awk -F: -v field="$1" '$1 == field { print $2; exit }'; }
pair_field() { tr -d '\r' | awk -v field="$1" 'previous == field { print; exit } { previous = $0 }'; }

answers_ping() { [ "$(cli "$1" "$2" ping)" = PONG ]; }
# After a failover the two ports have swapped roles; either way one replicates from the other.
replication_up() {
  local port replication replicas=0
  for port in "$PRIMARY_PORT" "$REPLICA_PORT"; do
    replication="$(cli "$port" "$PASSWORD" info replication)" || return 1
    if [ "$(info_field role <<<"$replication")" = slave ]; then
      [ "$(info_field master_link_status <<<"$replication")" = up ] || return 1
      replicas=$((replicas + 1))
    fi
  done
  [ "$replicas" = 1 ]
}
# A Sentinel is useful once it has found the replica and the other Sentinels (hello messages
# through the primary, every 2 s); before that it could neither fail over nor reach a quorum.
sentinel_sees_all() {
  local port="$1" master
  master="$(cli "$port" "$SENTINEL_PASSWORD" sentinel master "$MASTER_NAME")" || return 1
  [ "$(pair_field num-other-sentinels <<<"$master")" = "$(( ${#SENTINEL_PORTS[@]} - 1 ))" ] || return 1
  [ "$(pair_field num-slaves <<<"$master")" -ge 1 ] 2>/dev/null
}

# start_server NAME DIR PORT PASSWORD CONFIG_TEXT [--sentinel]; sets STARTED=0 when it already ran.
start_server() {
  local name="$1" dir="$2" port="$3" password="$4" config_text="$5" mode="${6:-}"
  local pid_file="$dir/redis.pid" log_file="$dir/redis.log" config="$dir/redis.conf" pid
  mkdir -p "$dir/data"
  STARTED=0
  if pid="$(recorded_pid "$pid_file" pid_runs_executable "$SERVER_EXE")"; then
    log "$name already runs (pid $pid) at 127.0.0.1:$port"
    return 0
  fi
  STARTED=1
  if port_in_use "$port"; then
    fail "127.0.0.1:$port is taken by another program; choose another port for the $name"
  fi
  printf '%s\n' "$config_text" >"$config"
  chmod 600 "$config"
  launch "$pid_file" "$log_file" "$REDIS_SERVER_BIN" "$config" ${mode:+"$mode"}
  pid="$LAUNCHED_PID"
  wait_until_ready "$name" "$pid" "$log_file" answers_ping "$port" "$password"
  log "$name started (pid $pid) at 127.0.0.1:$port"
}

# A value as Redis's configuration parser reads it back: double quotes, with \ and " escaped.
quoted() {
  local value="${1//\\/\\\\}"
  printf '"%s"' "${value//\"/\\\"}"
}

data_config() {
  local dir="$1" port="$2"
  cat <<EOF
port $port
bind 127.0.0.1
protected-mode yes
daemonize no
logfile ""
dir $dir/data
# A cache: nothing is persisted, a restarted instance starts empty (a replica resyncs).
save ""
appendonly no
# One replica: start its full sync at once instead of waiting 5 s for others to join it.
repl-diskless-sync-delay 0
maxmemory $MAXMEMORY
maxmemory-policy $MAXMEMORY_POLICY
${PASSWORD:+requirepass $(quoted "$PASSWORD")}
${PASSWORD:+masterauth $(quoted "$PASSWORD")}
EOF
}

sentinel_config() {
  local dir="$1" port="$2"
  cat <<EOF
port $port
bind 127.0.0.1
daemonize no
logfile ""
dir $dir/data
sentinel monitor $MASTER_NAME 127.0.0.1 $PRIMARY_PORT $QUORUM
sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER_MS
sentinel failover-timeout $MASTER_NAME $FAILOVER_TIMEOUT_MS
sentinel parallel-syncs $MASTER_NAME 1
${PASSWORD:+sentinel auth-pass $MASTER_NAME $(quoted "$PASSWORD")}
${SENTINEL_PASSWORD:+requirepass $(quoted "$SENTINEL_PASSWORD")}
EOF
}

# A running server takes changed memory settings at once; nothing else needs a restart to apply.
apply_memory_settings() {
  local port="$1"
  cli "$port" "$PASSWORD" config set maxmemory "$MAXMEMORY" maxmemory-policy "$MAXMEMORY_POLICY" >/dev/null \
    || log "could not apply maxmemory to 127.0.0.1:$port"
}

start_server primary "$REDIS_DIR/primary" "$PRIMARY_PORT" "$PASSWORD" "$(data_config "$REDIS_DIR/primary" "$PRIMARY_PORT")"
[ "$STARTED" = 1 ] || apply_memory_settings "$PRIMARY_PORT"

replica_text="$(data_config "$REDIS_DIR/replica" "$REPLICA_PORT")
replicaof 127.0.0.1 $PRIMARY_PORT"
start_server replica "$REDIS_DIR/replica" "$REPLICA_PORT" "$PASSWORD" "$replica_text"
[ "$STARTED" = 1 ] || apply_memory_settings "$REPLICA_PORT"
replica_pid="$(cat "$REDIS_DIR/replica/redis.pid")"
wait_until_ready "replica's link to the primary" "$replica_pid" "$REDIS_DIR/replica/redis.log" replication_up

for port in "${SENTINEL_PORTS[@]}"; do
  start_server "Sentinel" "$REDIS_DIR/sentinel-$port" "$port" "$SENTINEL_PASSWORD" "$(sentinel_config "$REDIS_DIR/sentinel-$port" "$port")" --sentinel
done
for port in "${SENTINEL_PORTS[@]}"; do
  sentinel_pid="$(cat "$REDIS_DIR/sentinel-$port/redis.pid")"
  wait_until_ready "Sentinel 127.0.0.1:$port (finding the replica and the other Sentinels)" "$sentinel_pid" "$REDIS_DIR/sentinel-$port/redis.log" sentinel_sees_all "$port"
done

role_of() { cli "$1" "$PASSWORD" role | head -n 1; }
echo "Redis 127.0.0.1:$PRIMARY_PORT  ($(role_of "$PRIMARY_PORT"); maxmemory $MAXMEMORY, $MAXMEMORY_POLICY)"
echo "Redis 127.0.0.1:$REPLICA_PORT  ($(role_of "$REPLICA_PORT"))"
if [ "${#SENTINEL_PORTS[@]}" -gt 0 ]; then
  echo "Sentinels ${SENTINEL_PORTS[*]/#/127.0.0.1:}  (master name $MASTER_NAME, quorum $QUORUM)"
fi
