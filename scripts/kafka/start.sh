#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft: one process is broker and controller) on loopback
# (idempotent: when the broker of this data folder already runs, it says so and leaves it alone).
#
#   scripts/kafka/start.sh        broker on 127.0.0.1:9092, controller on 127.0.0.1:9093
#   scripts/kafka/stop.sh         stop it
#
# Fetches the jars first when they are missing (scripts/kafka/install.sh), formats the storage
# once (the first start of a data folder), starts the broker in the background, waits until it
# serves requests and prints its address.
#
# Settings (environment):
#   SCALEPLANE_OBSERVABILITY_DIR  data root, default .data: kafka/ below it holds the
#                                 configuration, the log segments, the pid and log files
#   KAFKA_PORT=9092               the clients' listener (127.0.0.1)
#   KAFKA_CONTROLLER_PORT         the KRaft controller's listener, default KAFKA_PORT+1
#   KAFKA_HEAP_OPTS="-Xms128m -Xmx512m"
#   KAFKA_JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"   favour start-up time (about half
#                                 on a busy 2-core machine) over peak throughput, which a
#                                 development broker never needs; "" gives the JVM's defaults
#   KAFKA_OFFSETS_TOPIC_PARTITIONS=10   partitions of __consumer_offsets (Kafka's default, 50,
#                                 makes the first consumer group wait for 50 to load)
#   READY_TIMEOUT_SECONDS=60      how long to wait for the broker to serve requests
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" kafka/start

KAFKA_DIR="$(data_root)/kafka"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
KAFKA_OFFSETS_TOPIC_PARTITIONS="${KAFKA_OFFSETS_TOPIC_PARTITIONS:-10}"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-60}"
JAVA_BIN="${JAVA_HOME:+$JAVA_HOME/bin/}java"

CONFIG="$KAFKA_DIR/server.properties"
LOG4J_CONFIG="$KAFKA_DIR/log4j.properties"
PID_FILE="$KAFKA_DIR/kafka.pid"
LOG_FILE="$KAFKA_DIR/kafka.log"

LIB_DIR="$("$ROOT/scripts/kafka/install.sh")"

# A pid is this folder's broker only while it is alive AND runs with this folder's
# configuration (pids are reused; other brokers may run from other data folders).
if pid="$(recorded_pid "$PID_FILE" pid_has_argument "$CONFIG")"; then
  port="$(sed -n 's/^client=//p' "$KAFKA_DIR/ports" 2>/dev/null || true)"
  log "Kafka already runs (pid $pid) from $KAFKA_DIR"
  echo "Kafka: 127.0.0.1:${port:-$KAFKA_PORT}"
  exit 0
fi

for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
  if port_in_use "$port"; then
    fail "127.0.0.1:$port is taken by another program; choose other ports (KAFKA_PORT, KAFKA_CONTROLLER_PORT)"
  fi
done
[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ] || fail "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"

mkdir -p "$KAFKA_DIR/data"

# Rewritten on every start: the ports may change between starts of the same data folder
# (the node id and the data stay, so the topics and committed offsets survive).
cat >"$CONFIG" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
# One broker: every internal topic has one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=$KAFKA_OFFSETS_TOPIC_PARTITIONS
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# A consumer group's first rebalance happens at once instead of after Kafka's 3 s default.
group.initial.rebalance.delay.ms=0
# Topics exist because someone created them, never because a client mistyped a name.
auto.create.topics.enable=false
num.partitions=1
EOF

# The broker logs warnings and its start/stop lines; INFO of every component would fill the disk.
cat >"$LOG4J_CONFIG" <<'EOF'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.Kafka$=INFO
EOF

if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
  # A cluster id is 16 random bytes in URL-safe base64 without padding (Kafka's Uuid format).
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  # shellcheck disable=SC2086
  "$JAVA_BIN" -Xmx256m $KAFKA_JVM_OPTS -cp "$LIB_DIR/*" -Dlog4j.configuration="file:$LOG4J_CONFIG" \
    kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$CONFIG" --ignore-formatted >>"$LOG_FILE" 2>&1 ||
    { tail -n 20 "$LOG_FILE" >&2; fail "formatting $KAFKA_DIR/data failed"; }
  log "formatted $KAFKA_DIR/data (cluster id $cluster_id)"
fi

touch "$LOG_FILE"
# Earlier runs' lines stay in the log; only the lines after this one speak of this start.
lines_before="$(wc -l <"$LOG_FILE")"
# shellcheck disable=SC2086 # the *_OPTS hold several options each
launch "$PID_FILE" "$LOG_FILE" "$JAVA_BIN" $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true -Dlog4j.configuration="file:$LOG4J_CONFIG" \
  -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG"
pid="$LAUNCHED_PID"
printf 'client=%s\ncontroller=%s\n' "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" >"$KAFKA_DIR/ports"

# Ready once the server says it started (after it caught up with its own metadata) and the
# clients' port accepts connections.
started_and_listening() { tail -n +"$((lines_before + 1))" "$LOG_FILE" | grep -q "Kafka Server started" && port_in_use "$KAFKA_PORT"; }
wait_until_ready --forget "$PID_FILE" Kafka "$pid" "$LOG_FILE" started_and_listening
log "Kafka started (pid $pid) at 127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT, data $KAFKA_DIR)"
echo "Kafka: 127.0.0.1:$KAFKA_PORT"
