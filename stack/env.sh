# Shared settings for the local stack scripts (sourced, not run).
STACK_DIR="${STACK_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.stack}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
REGISTRY_MANAGEMENT_PORT="${REGISTRY_MANAGEMENT_PORT:-8091}"
KAFKA_LIBS="$STACK_DIR/kafka/libs"
KAFKA_DATA="$STACK_DIR/kafka/data"
KAFKA_LOGS="$STACK_DIR/kafka/logs"
# Secured listeners of the local broker: SASL/SCRAM in clear, and SASL/SCRAM over TLS.
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_SASL_SSL_PORT="${KAFKA_SASL_SSL_PORT:-$((KAFKA_PORT + 3))}"
# Self-signed CA and broker keystore made by stack/up.sh; clients trust $KAFKA_TLS_DIR/ca.pem.
KAFKA_TLS_DIR="$STACK_DIR/kafka/tls"
# TEST-ONLY credentials of the local stack (loopback only); never use them anywhere else.
KAFKA_TLS_STORE_PASSWORD="oms-local-keystore"
KAFKA_TEST_USER="oms-test"
KAFKA_TEST_PASSWORD="oms-test-scram-password"
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until a command succeeds, up to $1 seconds; readiness is polled, never assumed.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then echo "timed out after ${seconds}s waiting for $what" >&2; return 1; fi
    sleep 0.5
  done
}

# Apicurio Registry 3 is built for Java 21+; the machine default may be 17.
registry_java() {
  local candidates=()
  [ -n "${REGISTRY_JAVA_HOME:-}" ] && candidates+=("$REGISTRY_JAVA_HOME/bin/java")
  candidates+=(java /usr/lib/jvm/*/bin/java)
  for j in "${candidates[@]}"; do
    local major
    major=$("$j" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1) || continue
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$j"; return 0; fi
  done
  return 1
}

kafka_version() { sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT_DIR/stack/kafka/pom.xml"; }

# Runs a Kafka command-line tool class from the broker jars; tool logs go to $KAFKA_LOGS/tools.
kafka_tool() {
  java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$ROOT_DIR/stack/kafka/log4j2.properties" -Dkafka.logs.dir="$KAFKA_LOGS/tools" "$@"
}
