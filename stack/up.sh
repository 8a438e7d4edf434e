#!/usr/bin/env bash
# Starts the local stack without Docker: a single-node KRaft Kafka from the official jars and
# the test Schema Registry. Idempotent: anything already listening is reused. Both run in their own
# session (setsid), so a caller that exits or is killed with its process group does not take them down.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$STACK_DIR/kafka" "$KAFKA_LOGS"

# A self-signed test CA and a broker keystore (SAN 127.0.0.1, localhost) for the SASL_SSL listener,
# made once with the JDK's keytool; clients trust $KAFKA_TLS_DIR/ca.pem. Built in a scratch
# directory and moved into place, so an interrupted run leaves nothing half-made.
ensure_kafka_tls() {
  [ -f "$KAFKA_TLS_DIR/broker.p12" ] && [ -f "$KAFKA_TLS_DIR/ca.pem" ] && return 0
  command -v keytool >/dev/null 2>&1 || return 1
  local tmp pw="$KAFKA_TLS_STORE_PASSWORD"
  tmp="$(mktemp -d "$STACK_DIR/kafka/tls.tmp.XXXXXX")" && chmod 755 "$tmp"  # ca.pem readable by every client
  # (chained with &&: `set -e` does not apply inside an `if` condition)
  if (
    cd "$tmp" &&
    kt() { keytool -storetype PKCS12 -storepass "$pw" "$@"; } &&
    kt -genkeypair -keystore ca.p12 -alias ca -dname "CN=OMS local test CA" -keyalg RSA -keysize 2048 -validity 3650 \
      -ext bc:c -ext KU:c=keyCertSign,cRLSign -keypass "$pw" &&
    kt -exportcert -rfc -keystore ca.p12 -alias ca -file ca.pem &&
    kt -genkeypair -keystore broker.p12 -alias broker -dname "CN=localhost" -keyalg RSA -keysize 2048 -validity 3650 -keypass "$pw" &&
    kt -certreq -keystore broker.p12 -alias broker -file broker.csr &&
    kt -gencert -keystore ca.p12 -alias ca -infile broker.csr -outfile broker.pem -rfc -validity 3650 \
      -ext "SAN=ip:127.0.0.1,dns:localhost" -ext "KU=digitalSignature,keyEncipherment" -ext "EKU=serverAuth" &&
    kt -importcert -noprompt -keystore broker.p12 -alias ca -file ca.pem &&
    kt -importcert -noprompt -keystore broker.p12 -alias broker -file broker.pem &&
    rm -f broker.csr
  ) > "$KAFKA_LOGS/tls.log" 2>&1; then
    rm -rf "$KAFKA_TLS_DIR" && mv "$tmp" "$KAFKA_TLS_DIR"
    echo "kafka: made a test CA and broker keystore in $KAFKA_TLS_DIR"
  else
    cat "$KAFKA_LOGS/tls.log" >&2; rm -rf "$tmp"; return 1
  fi
}

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
  ADVERTISED="PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT"
  if ensure_kafka_tls; then
    ADVERTISED="$ADVERTISED,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT"
  else
    echo "kafka: no keystore could be made (keytool missing?), starting without the SASL_SSL listener" >&2
  fi
  sed "s#^listeners=.*#listeners=$ADVERTISED,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))#; s#^controller.quorum.voters=.*#controller.quorum.voters=1@127.0.0.1:$((KAFKA_PORT + 1))#; s#^advertised.listeners=.*#advertised.listeners=$ADVERTISED#" \
    "$ROOT_DIR/stack/kafka/server.properties" > "$PROPS"
  echo "log.dirs=$KAFKA_DATA" >> "$PROPS"
  if [ -f "$KAFKA_TLS_DIR/broker.p12" ]; then
    {
      echo "listener.name.sasl_ssl.ssl.keystore.type=PKCS12"
      echo "listener.name.sasl_ssl.ssl.keystore.location=$KAFKA_TLS_DIR/broker.p12"
      echo "listener.name.sasl_ssl.ssl.keystore.password=$KAFKA_TLS_STORE_PASSWORD"
      echo "listener.name.sasl_ssl.ssl.key.password=$KAFKA_TLS_STORE_PASSWORD"
    } >> "$PROPS"
  fi
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    java "${JAVA_OPTS[@]}" -cp "$CP" kafka.tools.StorageTool format -t "$(java -cp "$CP" kafka.tools.StorageTool random-uuid 2>/dev/null)" -c "$PROPS" > "$KAFKA_LOGS/format.log" 2>&1 \
      || { cat "$KAFKA_LOGS/format.log" >&2; exit 1; }
  fi
  setsid nohup java "${JAVA_OPTS[@]}" -cp "$CP" kafka.Kafka "$PROPS" > "$KAFKA_LOGS/stdout.log" 2>&1 &
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
  setsid nohup "$REGISTRY_JAVA" -Xms64m -Xmx512m \
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
# The SCRAM test user, on every run (setting the same password again is harmless), over the
# plaintext listener; it is kept in the cluster metadata across restarts. One mechanism per call:
# a KRaft broker refuses two credentials of one user in the same request.
for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
  kafka_tool kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter --entity-type users --entity-name "$KAFKA_TEST_USER" \
    --add-config "$mechanism=[password=$KAFKA_TEST_PASSWORD]" > "$KAFKA_LOGS/scram-user.log" 2>&1 \
    || { cat "$KAFKA_LOGS/scram-user.log" >&2; echo "kafka: could not create the $mechanism user $KAFKA_TEST_USER" >&2; exit 1; }
done
echo "kafka: SCRAM user $KAFKA_TEST_USER ready (SCRAM-SHA-256, SCRAM-SHA-512)"
if ! port_open "$KAFKA_SASL_PORT"; then
  echo "kafka: the running broker has no SASL listener on 127.0.0.1:$KAFKA_SASL_PORT (started with an older configuration);" \
    "restart it to get one: npm run stack:down && npm run stack:up" >&2
fi
echo "stack: kafka 127.0.0.1:$KAFKA_PORT (SASL/SCRAM :$KAFKA_SASL_PORT$(port_open "$KAFKA_SASL_SSL_PORT" && echo ", SASL/SCRAM+TLS :$KAFKA_SASL_SSL_PORT")), schema registry http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
