#!/usr/bin/env bash
# Fetches Apache Kafka's broker jars from Maven Central into a cache folder that every later
# start reuses (idempotent: once the folder is complete, a second call only prints its path).
#   scripts/kafka/install.sh            prints the folder holding the jars, e.g. ~/.cache/scaleplane/kafka-3.9.1/lib
# Neither Debian nor npm ships a Kafka broker; Maven Central has Kafka's own jars, and
# scripts/kafka/pom.xml lists the ones a single-node broker (and Kafka's command-line tools) needs.
#
# Settings (environment):
#   KAFKA_VERSION=3.9.1        a 3.9.x release (kafkajs 2.2.4 predates Kafka 4.0's protocol removals)
#   SCALEPLANE_KAFKA_CACHE     the cache folder, default ${XDG_CACHE_HOME:-~/.cache}/scaleplane/kafka-$KAFKA_VERSION
#   JAVA_HOME                  the JDK (17+) to check; default: java on the PATH
set -euo pipefail

. "$(dirname "$0")/../lib/daemon.sh" kafka/install

POM="$ROOT/scripts/kafka/pom.xml"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
CACHE_DIR="${SCALEPLANE_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scaleplane/kafka-$KAFKA_VERSION}"
LIB_DIR="$CACHE_DIR/lib"
# The marker names what the folder was filled from: a changed pom.xml fills it again.
MARKER="$CACHE_DIR/complete"
JAVA_BIN="${JAVA_HOME:+$JAVA_HOME/bin/}java"

case "$KAFKA_VERSION" in 3.9.*) ;; *) fail "KAFKA_VERSION=$KAFKA_VERSION: use a 3.9.x release (kafkajs 2.2.4 cannot talk to Kafka 4)" ;; esac
command -v "$JAVA_BIN" >/dev/null 2>&1 || fail "no Java found ($JAVA_BIN); install a JDK 17 (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"

wanted="$KAFKA_VERSION $(sha256sum "$POM" | cut -d' ' -f1)"
is_complete() { [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$wanted" ] && [ -f "$LIB_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]; }

if ! is_complete; then
  command -v mvn >/dev/null 2>&1 || fail "Maven (mvn) is needed once to fetch the broker jars (Debian: apt-get install maven)"
  mkdir -p "$CACHE_DIR"
  # Parallel test workers, CI and a shell may all install at once; one fetches, the others wait.
  exec 9>"$CACHE_DIR/install.lock"
  flock 9
  if ! is_complete; then
    log "fetching Kafka $KAFKA_VERSION's jars with Maven into $LIB_DIR"
    staging="$CACHE_DIR/lib.partial"
    rm -rf "$staging"
    copy() {
      mvn -B -q -Dstyle.color=never "$@" -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging" >&2
    }
    # Offline first: with the jars in ~/.m2 already this needs no network at all.
    copy -o 2>/dev/null || copy || fail "Maven could not fetch Kafka $KAFKA_VERSION's jars (see above)"
    # Replaced whole, so a broker never sees a half-filled classpath.
    rm -rf "$LIB_DIR"
    mv "$staging" "$LIB_DIR"
    echo "$wanted" >"$MARKER"
    log "Kafka $KAFKA_VERSION: $(find "$LIB_DIR" -name '*.jar' | wc -l) jars, $(du -sh "$LIB_DIR" | cut -f1)"
  fi
fi

echo "$LIB_DIR"
