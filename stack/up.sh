#!/usr/bin/env bash
# Starts the local stack without Docker: a single-node KRaft Kafka from the official jars and
# the test Schema Registry. Idempotent: anything already listening is reused.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$STACK_DIR/kafka" "$KAFKA_LOGS"

if port_open "$KAFKA_PORT"; then
  echo "kafka: already listening on 127.0.0.1:$KAFKA_PORT, reusing it"
else
  if [ ! -f "$KAFKA_LIBS/.resolved-$(kafka_version)" ]; then
    echo "kafka: resolving the broker jars from Maven Central"
    rm -rf "$KAFKA_LIBS"
    mvn -q -B -f "$ROOT_DIR/stack/kafka/pom.xml" dependency:copy-dependencies && touch "$KAFKA_LIBS/.resolved-$(kafka_version)"
  fi
  CP="$KAFKA_LIBS/*"
  JAVA_OPTS=(-Xms256m -Xmx768m -Dkafka.logs.dir="$KAFKA_LOGS" -Dlog4j2.configurationFile="$ROOT_DIR/stack/kafka/log4j2.properties")
  PROPS="$STACK_DIR/kafka/server.properties"
  sed "s#^listeners=.*#listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))#; s#9093#$((KAFKA_PORT + 1))#; s#^advertised.listeners=.*#advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT#" \
    "$ROOT_DIR/stack/kafka/server.properties" > "$PROPS"
  echo "log.dirs=$KAFKA_DATA" >> "$PROPS"
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    java "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format -t "$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null)" -c "$PROPS" > "$KAFKA_LOGS/format.log" 2>&1 \
      || { cat "$KAFKA_LOGS/format.log" >&2; exit 1; }
  fi
  nohup java "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$PROPS" > "$KAFKA_LOGS/stdout.log" 2>&1 &
  echo $! > "$STACK_DIR/kafka/pid"
  echo "kafka: starting (pid $(cat "$STACK_DIR/kafka/pid")), logs in $KAFKA_LOGS"
fi

if port_open "$REGISTRY_PORT"; then
  echo "schema registry: already listening on 127.0.0.1:$REGISTRY_PORT, reusing it"
else
  if [ ! -f "$STACK_DIR/registry/app/quarkus-run.jar" ]; then
    echo "schema registry: resolving Apicurio Registry from Maven Central"
    mvn -q -B -f "$ROOT_DIR/stack/registry/pom.xml" generate-resources
  fi
  REGISTRY_JAVA="$(registry_java)" || { echo "schema registry: needs Java 21 or newer (set REGISTRY_JAVA_HOME)" >&2; exit 1; }
  mkdir -p "$STACK_DIR/registry/logs"
  nohup "$REGISTRY_JAVA" -Xms64m -Xmx256m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -jar "$STACK_DIR/registry/app/quarkus-run.jar" > "$STACK_DIR/registry/logs/stdout.log" 2>&1 &
  echo $! > "$STACK_DIR/registry/pid"
  echo "schema registry: starting Apicurio Registry (pid $(cat "$STACK_DIR/registry/pid")), logs in $STACK_DIR/registry/logs"
fi

wait_for 90 "kafka on 127.0.0.1:$KAFKA_PORT" port_open "$KAFKA_PORT"
wait_for 90 "schema registry on 127.0.0.1:$REGISTRY_PORT" curl -fs -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"
# The port opens before the broker serves metadata; ask it for real.
wait_for 90 "kafka metadata" java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$ROOT_DIR/stack/kafka/log4j2.properties" -Dkafka.logs.dir="$KAFKA_LOGS" \
  org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
echo "stack: kafka 127.0.0.1:$KAFKA_PORT, schema registry http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
